# /check: our own words. Not a test and not a diagnosis: no score is ever shown.
check-intro =
    Nekoliko pitanja o tome kako ti je. Ovo nije test, nema tačnih ni pogrešnih odgovora.
    Svako pitanje možeš da preskočiš ili da pritisneš „Prekini“ — tada se ništa ne čuva.
check-begin = Počnimo

check-injured = Da li si sada povređena ili ti treba lekar?
check-insults = Da li te neko blizak često vređa, ponižava ili te naziva pogrdnim imenima?
check-control = Da li ti neko proverava telefon, odlučuje s kim smeš da se viđaš ili ti brani da izlaziš?
check-stalking = Da li te neko prati, stalno proverava gde si ili je ljubomoran na način koji te plaši?
check-threat-kill = Da li ti je neko pretio da će te ubiti?
check-hurt = Da li te je neko gurao, udarao, šutirao ili namerno povredio?
check-neck = Da li te je neko ikada stezao za vrat, davio ili ti sprečavao disanje?
check-weapon = Da li je neko na tebe potegao nož, pištolj ili neko oružje, ili ti pretio oružjem?
check-worse = Da li se to u poslednje vreme dešava češće ili postaje sve gore?
check-pregnancy = Da li te je neko povređivao dok si bila trudna?
check-pressure = Da li te je neko pritiskao da imaš seks koji nisi želela — na primer za novac, za mesto za spavanje ili za dozu?
check-forced-sex = Da li te je neko prisilio na seks?
check-money = Da li ti neko uzima novac ili ga kontroliše, pa moraš da tražiš za sve?
check-documents = Da li ti neko oduzima ili krije pasoš, ličnu kartu ili ostala dokumenta?
check-care = Da li te je neko sprečavao da dobiješ lekove ili lečenje — supstitucionu terapiju, terapiju za HIV, lekara?
check-made-use = Da li te je neko naterao da koristiš, ili da koristiš više nego što si htela?
check-supply = Da li neko kontroliše šta koristiš ili tvoju terapiju, da bi te naterao da radiš šta on hoće?
check-report-threat = Da li ti je neko pretio da će te prijaviti policiji zbog upotrebe ili da će ti oduzeti decu?
check-children = Da li ti je neko pretio da će povrediti tvoju decu ili ti ih oduzeti?
check-police = Da li su ti policajci pretili, uzimali novac ili te povredili?
check-medical = Da li su lekari, medicinske sestre ili farmaceuti odbili da ti pomognu ili se loše ophodili prema tebi zato što koristiš?
check-social = Da li su te u centru za socijalni rad ili u sigurnoj kući odbili, ili ti pretili da će ti oduzeti decu?
check-separation = Da li si nedavno otišla od osobe koja te povređuje ili planiraš da odeš?
check-fear = Da li misliš da bi te ta osoba mogla ubiti?

check-result = Hvala ti što si mi rekla. Za to je potrebna hrabrost.
check-result-forms =
    Ono što si opisala jeste nasilje:
    { $forms }
check-result-not-your-fault = Nisi ti kriva. Niko nema pravo da se tako ponaša prema tebi — bez obzira na to da li koristiš i šta se ranije dešavalo.
check-result-none = Iz tvojih odgovora ne vidim da ti neko nanosi zlo. Ako ti ipak nešto ne izgleda u redu, to je važno — možeš da razgovaraš sa osobom kad god želiš.
check-result-red-flags = Nešto od onoga što si rekla znači da si možda u ozbiljnoj opasnosti. Molim te, prvo misli na svoju bezbednost.
check-next-plan = Napravi plan bezbednosti
check-next-services = Pronađi pomoć u blizini
check-next-talk = Razgovaraj sa osobom

form-psychological = psihičko: vređanje, pretnje, kontrola nad tvojim životom
form-physical = fizičko: udaranje, povređivanje ili davljenje
form-sexual = seksualno: seks koji nisi želela
form-economic = ekonomsko: oduzimanje novca, dokumenata ili lečenja
form-structural = od strane institucija: policija, zdravstveni radnici ili socijalne službe
form-drug_coercion = prisila u vezi sa upotrebom: teraju te da koristiš ili tvoju upotrebu koriste protiv tebe
