# /services: боттағы қызметтер анықтамалығы.

services-where = Қай жерден іздейін? Қаланы таңдаңыз немесе геолокацияңызды жіберіңіз: мен тек ең жақын қаланы табамын, оны сақтамаймын. Ел: { $country }.
services-country = Қай елден іздейін?
services-location-ask = Төмендегі «Геолокацияны жіберу» түймесін басыңыз. Мен тек ең жақын қаланы табамын, ештеңе сақталмайды. Немесе «Артқа» басыңыз.
services-location-city = Рақмет. Мына қаланың маңынан іздеймін: { $city }. Геолокацияңыз сақталған жоқ.
services-location-far = Ол жерге жақын қаланы әзірге білмеймін. Тізімнен таңдаңызшы. Геолокацияңыз сақталған жоқ.
services-location-cancelled = Жарайды, геолокациясыз. Тізімнен таңдауға болады.
services-type = Сізге қандай көмек керек? Қала: { $city }.
services-filters = Сіз үшін не маңызды? Сәйкес келетіннің бәрін белгілеп, «Орындарды көрсету» түймесін басыңыз.
services-results = { $count ->
        [one] { $count } орын табылды, алдымен ең жақындары (қала: { $city }). Барар алдында қоңырау шалыңыз: мәліметтер өзгеруі мүмкін.
       *[other] { $count } орын табылды, алдымен ең жақындары (қала: { $city }). Барар алдында қоңырау шалыңыз: мәліметтер өзгеруі мүмкін.
    }
services-none = Кешіріңіз, әзірге лайықты орын табылмады (қала: { $city }). Бұл сіздің кінәңіз емес. Мына желілер көмек табуға жәрдемдеседі, әрі осында адаммен сөйлесуге болады.
services-page = { $pages } беттің { $page }-беті

services-btn-location = 📍 Геолокациям бойынша
services-btn-send-location = 📍 Геолокацияны жіберу
services-btn-back = ◀ Артқа
services-btn-country = Басқа ел
services-btn-any-type = Кез келген көмек
services-btn-show = Орындарды көрсету
services-btn-more = Тағы ▶
services-btn-previous = ◀ Алдыңғылары
services-btn-filters = Маңыздыны өзгерту
services-btn-new-search = Жаңа іздеу
services-none-talk = Адаммен сөйлесу

services-open-now = қазір ашық
services-closed-now = қазір жабық
services-all-day = тәулік бойы
services-verified = { $days ->
        [0] Біздің команда бүгін тексерді
        [one] Біздің команда { $days } күн бұрын тексерді
       *[other] Біздің команда { $days } күн бұрын тексерді
    }
services-never-verified = Біздің команда әлі тексерген жоқ
services-stale = 6 айдан астам тексерілмеген: жұмыс істейтінін білу үшін алдымен қоңырау шалыңыз.
services-phone-only = мекенжайы тек телефон арқылы
services-km = { $km } км

services-day-mon = Дс
services-day-tue = Сс
services-day-wed = Ср
services-day-thu = Бс
services-day-fri = Жм
services-day-sat = Сн
services-day-sun = Жс

services-type-shelter = Баспана
services-type-crisis_centre = Дағдарыс орталығы
services-type-legal = Заң көмегі
services-type-psychosocial = Психологиялық қолдау
services-type-medical = Медициналық көмек
services-type-harm_reduction = Зиянды азайту
services-type-ost = Алмастыру терапиясы (ОАТ)
services-type-hiv_care = АИТВ кезіндегі көмек

services-filter-accepts_active_drug_use = Есірткі қолданатын әйелдерді қабылдайды
services-filter-accepts_ost = ОАТ алатын әйелдерді қабылдайды
services-filter-no_id_required = Құжатсыз
services-filter-accepts_children = Балалармен болады
services-filter-hiv_friendly = АИТВ-мен өмір сүретіндерге достық
services-filter-free = Тегін
services-filter-women_only = Тек әйелдерге
