# /plan: a safety plan, step by step. Each step is advice and a question: do you have this?
plan-intro =
    Hajde da napravimo plan za težak trenutak, korak po korak.
    Na kraju ćeš ga dobiti kao jednu poruku koja ne može da se prosledi. Ja ga ne čuvam.
plan-begin = Počnimo

plan-safe-room = Bezbednija soba: ako počne svađa, pokušaj da budeš u sobi iz koje možeš da izađeš i u kojoj nema noževa ni teških predmeta — ne u kuhinji ili kupatilu. Znaš li koja je to soba?
plan-code-word = Šifra: dogovori reč ili emodži sa nekim kome veruješ. Kad je pošalješ, ta osoba zove pomoć ili dolazi. Imaš li šifru?
plan-safe-people = Sigurne osobe: jedna ili dve osobe koje možeš da pozoveš u bilo koje doba i koje te neće osuđivati. Znaš li ko su?
plan-safe-places = Sigurna mesta: gde možeš da odeš na jednu noć — kod prijateljice, rodbine, u sigurnu kuću, u drop-in centar? Znaš li takvo mesto?
plan-escape-route = Put za izlaz: znaj kako bi brzo napustila stan — kroz koja vrata, gde su ključevi, kuda bi prvo otišla. Jesi li to isplanirala?
plan-bag = Spremna torba: ključevi, malo novca, punjač, lekovi, presvlaka — kod nekoga kome veruješ ili sakrivena. Imaš li je?
plan-documents = Papiri: lična karta, pasoš, izvodi iz matične knjige rođenih, medicinska dokumentacija. Kopije ili fotografije su u redu — čuvaj ih kod nekoga kome veruješ ili u bezbednom mejlu. Jesu li na sigurnom?
plan-children = Deca: nauči ih kako da pozovu pomoć i kuda da idu, i dogovori ko može da dođe po njih. Da li je to dogovoreno?
plan-phone-safety = Bezbedan telefon: PIN koji samo ti znaš, isključeno deljenje lokacije i brisanje ovog četa posle korišćenja. Da li ti je telefon bezbedan?
plan-naloxone = Nalokson: drži ga blizu i reci ljudima oko sebe gde je i kako se koristi. Imaš li ga?
plan-not-alone = Ne sama: ako koristiš, pokušaj da ne koristiš sama — ili javi nekome ko može da proveri kako si. Imaš li nekoga?
plan-tolerance = Niža tolerancija: posle pauze od samo nekoliko dana — u bolnici, u pritvoru, posle prekida terapije — tvoja uobičajena doza može biti previše. Počni sa mnogo manje i ne mešaj sa alkoholom ili tabletama. Hoćeš li to imati na umu?
plan-ost = Plan terapije: nosi sa sobom papire o supstitucionoj terapiji, pitaj u svom centru za doze za kući ili za premeštaj, a posle propuštenih dana zamoli centar da ponovo počneš sa nižom dozom. Da li je to sređeno?
plan-art-clinic = Lečenje i klinika: imaj kod sebe zalihu lekova koje piješ, na primer za HIV, i kontakte svoje klinike. Imaš li ih?

plan-result = Tvoj plan. Čuvaj ga tamo gde samo ti možeš da ga nađeš.
plan-result-summary = { $count ->
        [one] { $count } korak je već spreman.
        [few] { $count } koraka su već spremna.
       *[other] { $count } koraka je već spremno.
    }
plan-result-ready = Spremno:
plan-result-todo = Još treba uraditi:
plan-result-empty = Preskočila si sve korake — i to je u redu. Planu možeš da se vratiš bilo kada komandom /plan.
plan-result-footer = Ova poruka ne može da se prosledi. Možeš da je obrišeš kad je zapamtiš.
plan-next-talk = Razgovaraj sa osobom

plan-item-safe_room = bezbednija soba u koju mogu da odem
plan-item-code_word = šifra sa osobom kojoj verujem
plan-item-safe_people = ljudi koje mogu da pozovem u bilo koje doba
plan-item-safe_places = mesto gde mogu da prespavam
plan-item-escape_route = kako da brzo odem
plan-item-bag = spremna torba kod osobe kojoj verujem
plan-item-documents = kopije mojih papira na sigurnom
plan-item-children = šta moja deca rade u hitnom slučaju
plan-item-phone_safety = bezbedan telefon
plan-item-naloxone = nalokson nadohvat ruke
plan-item-not_alone = ne koristim sama
plan-item-tolerance = niža doza posle svake pauze
plan-item-ost_plan = papiri o terapiji i plan za doze
plan-item-art_clinic = lekovi i kontakti klinike kod mene
