# /services: именик на служби во ботот.

services-where = Каде да барам? Избери град или испрати ја својата локација: само ќе го најдам најблискиот град и нема да ја зачувам. Држава: { $country }.
services-country = Во која држава да барам?
services-location-ask = Допри „Испрати локација“ подолу. Само ќе го најдам најблискиот град, ништо не се зачувува. Или допри „Назад“.
services-location-city = Благодарам. Барам во близина на градот: { $city }. Твојата локација не е зачувана.
services-location-far = Сè уште не знам град близу тоа место. Те молам, избери од списокот. Твојата локација не е зачувана.
services-location-cancelled = Во ред, без локација. Можеш да избереш од списокот.
services-type = Каква помош ти треба? Град: { $city }.
services-filters = Што ти е важно? Означи сè што одговара, па допри „Прикажи места“.
services-results = { $count ->
        [one] Пронајдено е { $count } место, прво најблиските (град: { $city }). Јави се пред да одиш: податоците може да се променат.
       *[other] Пронајдени се { $count } места, прво најблиските (град: { $city }). Јави се пред да одиш: податоците може да се променат.
    }
services-none = Ми е жал, сè уште не најдов соодветно место (град: { $city }). Не е твоја вина. Овие линии можат да помогнат да најдеш, а можеш и да разговараш со човек тука.
services-page = Страница { $page } од { $pages }

services-btn-location = 📍 Според мојата локација
services-btn-send-location = 📍 Испрати локација
services-btn-back = ◀ Назад
services-btn-country = Друга држава
services-btn-any-type = Било каква помош
services-btn-show = Прикажи места
services-btn-more = Уште ▶
services-btn-previous = ◀ Претходни
services-btn-filters = Промени што е важно
services-btn-new-search = Ново пребарување
services-none-talk = Разговарај со човек

services-open-now = сега отворено
services-closed-now = сега затворено
services-all-day = 24 часа
services-verified = { $days ->
        [0] Нашиот тим провери денес
        [one] Нашиот тим провери пред { $days } ден
       *[other] Нашиот тим провери пред { $days } дена
    }
services-never-verified = Нашиот тим сè уште не провери
services-stale = Не е проверено повеќе од 6 месеци: прво јави се за да провериш дали сè уште работи.
services-phone-only = адреса само по телефон
services-km = { $km } км

services-day-mon = пон
services-day-tue = вто
services-day-wed = сре
services-day-thu = чет
services-day-fri = пет
services-day-sat = саб
services-day-sun = нед

services-type-shelter = Засолниште
services-type-crisis_centre = Кризен центар
services-type-legal = Правна помош
services-type-psychosocial = Психолошка поддршка
services-type-medical = Медицинска помош
services-type-harm_reduction = Намалување на штети
services-type-ost = Супституциска терапија (ОСТ)
services-type-hiv_care = Помош при ХИВ

services-filter-accepts_active_drug_use = Примаат жени што користат дроги
services-filter-accepts_ost = Примаат жени на ОСТ
services-filter-no_id_required = Без документи
services-filter-accepts_children = Може со деца
services-filter-hiv_friendly = Пријателски кон луѓе со ХИВ
services-filter-free = Бесплатно
services-filter-women_only = Само за жени
