# /services: drejtoria e shërbimeve në bot.

services-where = Ku të kërkoj? Zgjidh një qytet ose dërgo vendndodhjen tënde: do të gjej vetëm qytetin më të afërt dhe nuk do ta ruaj. Shteti: { $country }.
services-country = Në cilin shtet të kërkoj?
services-location-ask = Prek „Dërgo vendndodhjen” më poshtë. Do të gjej vetëm qytetin më të afërt, asgjë nuk ruhet. Ose prek „Prapa”.
services-location-city = Faleminderit. Po kërkoj pranë qytetit: { $city }. Vendndodhja jote nuk u ruajt.
services-location-far = Ende nuk njoh një qytet afër atij vendi. Të lutem, zgjidh nga lista. Vendndodhja jote nuk u ruajt.
services-location-cancelled = Në rregull, pa vendndodhje. Mund të zgjedhësh nga lista.
services-type = Çfarë ndihme të duhet? Qyteti: { $city }.
services-filters = Çfarë është e rëndësishme për ty? Shëno gjithçka që vlen, pastaj prek „Shfaq vendet”.
services-results = { $count ->
        [one] U gjet { $count } vend, më të afërtit së pari (qyteti: { $city }). Telefono para se të shkosh: të dhënat mund të ndryshojnë.
       *[other] U gjetën { $count } vende, më të afërtit së pari (qyteti: { $city }). Telefono para se të shkosh: të dhënat mund të ndryshojnë.
    }
services-none = Më vjen keq, ende nuk u gjet një vend i përshtatshëm (qyteti: { $city }). Nuk është faji yt. Këto linja mund të të ndihmojnë ta gjesh, ose mund të flasësh me një person këtu.
services-page = Faqja { $page } nga { $pages }

services-btn-location = 📍 Sipas vendndodhjes sime
services-btn-send-location = 📍 Dërgo vendndodhjen
services-btn-back = ◀ Prapa
services-btn-country = Shtet tjetër
services-btn-any-type = Çdo lloj ndihme
services-btn-show = Shfaq vendet
services-btn-more = Më shumë ▶
services-btn-previous = ◀ Të mëparshmet
services-btn-filters = Ndrysho çfarë ka rëndësi
services-btn-new-search = Kërkim i ri
services-none-talk = Fol me një person

services-open-now = hapur tani
services-closed-now = mbyllur tani
services-all-day = 24 orë
services-verified = { $days ->
        [0] Ekipi ynë e kontrolloi sot
        [one] Ekipi ynë e kontrolloi para { $days } dite
       *[other] Ekipi ynë e kontrolloi para { $days } ditësh
    }
services-never-verified = Ekipi ynë ende nuk e ka kontrolluar
services-stale = Nuk është kontrolluar prej më shumë se 6 muajsh: telefono së pari për t'u siguruar që punon ende.
services-phone-only = adresa vetëm me telefon
services-km = { $km } km

services-day-mon = Hën
services-day-tue = Mar
services-day-wed = Mër
services-day-thu = Enj
services-day-fri = Pre
services-day-sat = Sht
services-day-sun = Die

services-type-shelter = Strehimore
services-type-crisis_centre = Qendër krize
services-type-legal = Ndihmë juridike
services-type-psychosocial = Mbështetje psikologjike
services-type-medical = Kujdes mjekësor
services-type-harm_reduction = Zvogëlimi i dëmit
services-type-ost = Terapi zëvendësuese (OST)
services-type-hiv_care = Kujdes për HIV

services-filter-accepts_active_drug_use = Pranojnë gra që përdorin drogë
services-filter-accepts_ost = Pranojnë gra në OST
services-filter-no_id_required = Pa dokumente
services-filter-accepts_children = Mund të vish me fëmijë
services-filter-hiv_friendly = Miqësore me personat me HIV
services-filter-free = Falas
services-filter-women_only = Vetëm për gra
