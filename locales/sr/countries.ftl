# Country names, line names, hours and privacy notes used by flows/countries.toml.
country-ua = Ukrajina
country-ru = Rusija
country-kz = Kazahstan
country-rs = Srbija
country-mk = Severna Makedonija

line-police = policija
line-ambulance = hitna pomoć
line-112 = broj za hitne slučajeve
line-ua-116123 = nacionalna linija za pomoć kod nasilja u porodici (La Strada-Ukrajina)
line-ua-1547 = državni kontakt centar
line-ua-legal-aid = besplatna pravna pomoć
line-ru-women = sveruska linija za žene koje trpe nasilje
line-kz-111 = kontakt centar za pitanja porodice, žena i dece
line-kz-150 = linija za mlade
line-rs-sos = Nacionalna SOS linija za žene
line-rs-vojvodina = SOS linija za Vojvodinu
line-mk-15315 = nacionalna SOS linija (Krizni centar „Nada“)
line-mk-mobile = mobilna SOS linija

hours-24-7 = 24/7
hours-rs-vojvodina = radnim danima 10:00–20:00

note-recorded = ⚠ Pozivi na ovu liniju se snimaju.
note-112-no-sim = Radi sa mobilnog telefona i bez SIM kartice.
note-ua-112-rollout = 112 se još uvodi: ako ne dobiješ vezu, pozovi 102 ili 103.
note-rs-no-112 = 112 u Srbiji još ne povezuje sa svim službama: pozovi 192 ili 194.
note-kz-111-text = Ovoj liniji možeš i da pišeš umesto da zoveš.
note-kz-111-police = ⚠ Ova linija blisko sarađuje sa policijom i evidentira pozive.
note-ru-harm-reduction = ⚠ U Rusiji neki oblici pomoći u smanjenju štete nose pravne rizike. Razgovaraj sa savetnicom pre nego što bilo kojoj službi daš lične podatke.
