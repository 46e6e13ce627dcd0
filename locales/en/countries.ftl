# Country names, line names, hours and privacy notes used by flows/countries.toml.
country-ua = Ukraine
country-ru = Russia
country-kz = Kazakhstan
country-rs = Serbia
country-mk = North Macedonia

line-police = police
line-ambulance = ambulance
line-112 = emergency number
line-ua-116123 = national hotline on domestic violence (La Strada-Ukraine)
line-ua-1547 = government contact centre
line-ua-legal-aid = free legal aid
line-ru-women = all-Russian line for women facing violence
line-kz-111 = contact centre for family, women and children
line-kz-150 = youth line
line-rs-sos = national SOS line for women
line-rs-vojvodina = SOS line for Vojvodina
line-mk-15315 = national SOS line (Crisis Center "Hope")
line-mk-mobile = mobile SOS line

hours-24-7 = 24/7
hours-rs-vojvodina = weekdays 10:00–20:00

note-recorded = ⚠ Calls to this line are recorded.
note-112-no-sim = Works from a mobile phone even without a SIM card.
note-ua-112-rollout = 112 is still being rolled out: if it doesn't connect, call 102 or 103.
note-rs-no-112 = 112 does not reach all services in Serbia yet: call 192 or 194.
note-kz-111-text = You can also write to this line instead of calling.
note-kz-111-police = ⚠ This line works closely with the police and registers calls.
note-ru-harm-reduction = ⚠ In Russia, some harm-reduction help carries legal risks. Talk to a consultant before you share personal details with any service.
