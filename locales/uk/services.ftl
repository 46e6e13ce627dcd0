# /services: довідник служб у боті.

services-where = Де шукати? Обери місто або надішли свою геолокацію: я лише знайду найближче місто й не збережу її. Країна: { $country }.
services-country = У якій країні шукати?
services-location-ask = Натисни «Надіслати геолокацію» нижче. Я лише знайду найближче місто, нічого не зберігається. Або натисни «Назад».
services-location-city = Дякую. Шукаю поруч із містом: { $city }. Твою геолокацію не збережено.
services-location-far = Поки не знаю міста поблизу цього місця. Обери, будь ласка, зі списку. Твою геолокацію не збережено.
services-location-cancelled = Добре, без геолокації. Можна обрати зі списку.
services-type = Яка допомога тобі потрібна? Місто: { $city }.
services-filters = Що для тебе важливо? Познач усе, що підходить, і натисни «Показати місця».
services-results = { $count ->
        [one] Знайдено { $count } місце, спершу найближчі (місто: { $city }). Зателефонуй перед візитом: дані можуть змінитися.
        [few] Знайдено { $count } місця, спершу найближчі (місто: { $city }). Зателефонуй перед візитом: дані можуть змінитися.
        [many] Знайдено { $count } місць, спершу найближчі (місто: { $city }). Зателефонуй перед візитом: дані можуть змінитися.
       *[other] Знайдено { $count } місця, спершу найближчі (місто: { $city }). Зателефонуй перед візитом: дані можуть змінитися.
    }
services-none = Вибач, поки не вдалося знайти відповідне місце (місто: { $city }). Це не твоя провина. Ці лінії допоможуть знайти допомогу, а ще можна поговорити з людиною тут.
services-page = Сторінка { $page } з { $pages }

services-btn-location = 📍 За моєю геолокацією
services-btn-send-location = 📍 Надіслати геолокацію
services-btn-back = ◀ Назад
services-btn-country = Інша країна
services-btn-any-type = Будь-яка допомога
services-btn-show = Показати місця
services-btn-more = Ще ▶
services-btn-previous = ◀ Попередні
services-btn-filters = Змінити важливе
services-btn-new-search = Новий пошук
services-none-talk = Поговорити з людиною

services-open-now = зараз відчинено
services-closed-now = зараз зачинено
services-all-day = цілодобово
services-verified = { $days ->
        [0] Перевірено нашою командою сьогодні
        [one] Перевірено нашою командою { $days } день тому
        [few] Перевірено нашою командою { $days } дні тому
        [many] Перевірено нашою командою { $days } днів тому
       *[other] Перевірено нашою командою { $days } дня тому
    }
services-never-verified = Ще не перевірено нашою командою
services-stale = Не перевірялося понад 6 місяців: спершу зателефонуй, щоб переконатися, що служба працює.
services-phone-only = адреса лише телефоном
services-km = { $km } км

services-day-mon = Пн
services-day-tue = Вт
services-day-wed = Ср
services-day-thu = Чт
services-day-fri = Пт
services-day-sat = Сб
services-day-sun = Нд

services-type-shelter = Притулок
services-type-crisis_centre = Кризовий центр
services-type-legal = Юридична допомога
services-type-psychosocial = Психологічна підтримка
services-type-medical = Медична допомога
services-type-harm_reduction = Зменшення шкоди
services-type-ost = Замісна терапія (ЗПТ)
services-type-hiv_care = Допомога при ВІЛ

services-filter-accepts_active_drug_use = Приймають жінок, які вживають наркотики
services-filter-accepts_ost = Приймають жінок на ЗПТ
services-filter-no_id_required = Без документів
services-filter-accepts_children = Можна з дітьми
services-filter-hiv_friendly = Дружні до людей з ВІЛ
services-filter-free = Безкоштовно
services-filter-women_only = Лише для жінок
