# /services: imenik službi u botu (latinica).

services-where = Gde da tražim? Izaberi grad ili pošalji svoju lokaciju: samo ću naći najbliži grad i neću je sačuvati. Država: { $country }.
services-country = U kojoj državi da tražim?
services-location-ask = Dodirni „Pošalji lokaciju” ispod. Samo ću naći najbliži grad, ništa se ne čuva. Ili dodirni „Nazad”.
services-location-city = Hvala. Tražim u blizini grada: { $city }. Tvoja lokacija nije sačuvana.
services-location-far = Još ne znam grad blizu tog mesta. Molim te, izaberi sa spiska. Tvoja lokacija nije sačuvana.
services-location-cancelled = U redu, bez lokacije. Možeš da izabereš sa spiska.
services-type = Kakva pomoć ti je potrebna? Grad: { $city }.
services-filters = Šta ti je važno? Označi sve što odgovara, pa dodirni „Prikaži mesta”.
services-results = { $count ->
        [one] Pronađeno je { $count } mesto, prvo najbliža (grad: { $city }). Pozovi pre nego što kreneš: podaci se mogu promeniti.
        [few] Pronađena su { $count } mesta, prvo najbliža (grad: { $city }). Pozovi pre nego što kreneš: podaci se mogu promeniti.
       *[other] Pronađeno je { $count } mesta, prvo najbliža (grad: { $city }). Pozovi pre nego što kreneš: podaci se mogu promeniti.
    }
services-none = Žao mi je, još nisam našla odgovarajuće mesto (grad: { $city }). Nije tvoja krivica. Ove linije mogu da pomognu da ga nađeš, a možeš i da razgovaraš sa osobom ovde.
services-page = Strana { $page } od { $pages }

services-btn-location = 📍 Prema mojoj lokaciji
services-btn-send-location = 📍 Pošalji lokaciju
services-btn-back = ◀ Nazad
services-btn-country = Druga država
services-btn-any-type = Bilo kakva pomoć
services-btn-show = Prikaži mesta
services-btn-more = Još ▶
services-btn-previous = ◀ Prethodna
services-btn-filters = Promeni šta je važno
services-btn-new-search = Nova pretraga
services-none-talk = Razgovaraj sa osobom

services-open-now = sada otvoreno
services-closed-now = sada zatvoreno
services-all-day = 24 sata
services-verified = { $days ->
        [0] Naš tim je proverio danas
        [one] Naš tim je proverio pre { $days } dan
        [few] Naš tim je proverio pre { $days } dana
       *[other] Naš tim je proverio pre { $days } dana
    }
services-never-verified = Naš tim još nije proverio
services-stale = Nije provereno duže od 6 meseci: prvo pozovi da proveriš da li još radi.
services-phone-only = adresa samo telefonom
services-km = { $km } km

services-day-mon = pon
services-day-tue = uto
services-day-wed = sre
services-day-thu = čet
services-day-fri = pet
services-day-sat = sub
services-day-sun = ned

services-type-shelter = Sigurna kuća
services-type-crisis_centre = Krizni centar
services-type-legal = Pravna pomoć
services-type-psychosocial = Psihološka podrška
services-type-medical = Medicinska pomoć
services-type-harm_reduction = Smanjenje štete
services-type-ost = Supstituciona terapija (OST)
services-type-hiv_care = Pomoć kod HIV-a

services-filter-accepts_active_drug_use = Primaju žene koje koriste droge
services-filter-accepts_ost = Primaju žene na OST
services-filter-no_id_required = Bez dokumenata
services-filter-accepts_children = Može sa decom
services-filter-hiv_friendly = Prijateljski prema osobama sa HIV-om
services-filter-free = Besplatno
services-filter-women_only = Samo za žene
