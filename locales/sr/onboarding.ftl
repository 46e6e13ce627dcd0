onb-safe =
    Zdravo. Pre nego što počnemo: da li ti je sada bezbedno da ovde čitaš i pišeš?
    Ako neko može da vidi tvoj ekran, u svakom trenutku možeš da izađeš dugmetom „Brzi izlaz“.
onb-safe-yes = Da, bezbedno je
onb-safe-no = Ne sada
onb-not-now =
    U redu je. Vrati se kad god bude bezbednije.
    „Brzi izlaz“ briše ovaj čet. /sos u svakom trenutku prikazuje brojeve za hitne slučajeve.
onb-ready-now = Sada mogu da pričam
onb-language = Koji jezik ti više odgovara?
onb-privacy =
    Šta čuvam: tvoja podešavanja i dokle si stigla u razgovoru, 30 dana — bez tvog imena i broja. Tvoji odgovori se ne čuvaju.
    Ko može da čita: samo savetnica, i to samo ako zatražiš razgovor sa osobom.
    Četovi sa botovima u Telegramu nisu end-to-end šifrovani.
onb-privacy-ok = U redu, nastavi
onb-silent-on = Nastavi, poruke bez zvuka
onb-country = Gde se nalaziš? Tako ću ti pokazati prave brojeve i službe.

menu-main = Šta želiš da uradiš? Možeš da prekineš ili izađeš u bilo kom trenutku.
menu-check = Proveri kako si
menu-plan = Napravi plan bezbednosti
menu-services = Pronađi pomoć u blizini
menu-talk = Razgovaraj sa osobom
menu-language = Jezik
menu-help = Pomoć i podešavanja

language-pick = Izaberi jezik:
