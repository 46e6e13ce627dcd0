# /services: справочник служб в боте.

services-where = Где искать? Выбери город или отправь свою геолокацию: я только найду ближайший город и не сохраню её. Страна: { $country }.
services-country = В какой стране искать?
services-location-ask = Нажми «Отправить геолокацию» ниже. Я только найду ближайший город, ничего не сохраняется. Или нажми «Назад».
services-location-city = Спасибо. Ищу рядом с городом: { $city }. Твоя геолокация не сохранена.
services-location-far = Пока не знаю города рядом с этим местом. Пожалуйста, выбери из списка. Твоя геолокация не сохранена.
services-location-cancelled = Хорошо, без геолокации. Можно выбрать из списка.
services-type = Какая помощь тебе нужна? Город: { $city }.
services-filters = Что для тебя важно? Отметь всё, что подходит, и нажми «Показать места».
services-results = { $count ->
        [one] Найдено { $count } место, сначала ближайшие (город: { $city }). Позвони перед визитом: данные могут измениться.
        [few] Найдено { $count } места, сначала ближайшие (город: { $city }). Позвони перед визитом: данные могут измениться.
        [many] Найдено { $count } мест, сначала ближайшие (город: { $city }). Позвони перед визитом: данные могут измениться.
       *[other] Найдено { $count } места, сначала ближайшие (город: { $city }). Позвони перед визитом: данные могут измениться.
    }
services-none = Прости, пока не получилось найти подходящее место (город: { $city }). Это не твоя вина. Эти линии помогут найти помощь, а ещё можно поговорить с человеком здесь.
services-page = Страница { $page } из { $pages }

services-btn-location = 📍 По моей геолокации
services-btn-send-location = 📍 Отправить геолокацию
services-btn-back = ◀ Назад
services-btn-country = Другая страна
services-btn-any-type = Любая помощь
services-btn-show = Показать места
services-btn-more = Ещё ▶
services-btn-previous = ◀ Предыдущие
services-btn-filters = Изменить важное
services-btn-new-search = Новый поиск
services-none-talk = Поговорить с человеком

services-open-now = сейчас открыто
services-closed-now = сейчас закрыто
services-all-day = круглосуточно
services-verified = { $days ->
        [0] Проверено нашей командой сегодня
        [one] Проверено нашей командой { $days } день назад
        [few] Проверено нашей командой { $days } дня назад
        [many] Проверено нашей командой { $days } дней назад
       *[other] Проверено нашей командой { $days } дня назад
    }
services-never-verified = Ещё не проверено нашей командой
services-stale = Не проверялось больше 6 месяцев: сначала позвони, чтобы убедиться, что служба работает.
services-phone-only = адрес только по телефону
services-km = { $km } км

services-day-mon = Пн
services-day-tue = Вт
services-day-wed = Ср
services-day-thu = Чт
services-day-fri = Пт
services-day-sat = Сб
services-day-sun = Вс

services-type-shelter = Убежище
services-type-crisis_centre = Кризисный центр
services-type-legal = Юридическая помощь
services-type-psychosocial = Психологическая поддержка
services-type-medical = Медицинская помощь
services-type-harm_reduction = Снижение вреда
services-type-ost = Заместительная терапия (ЗТ)
services-type-hiv_care = Помощь при ВИЧ

services-filter-accepts_active_drug_use = Принимают женщин, употребляющих наркотики
services-filter-accepts_ost = Принимают женщин на ЗТ
services-filter-no_id_required = Без документов
services-filter-accepts_children = Можно с детьми
services-filter-hiv_friendly = Дружелюбны к людям с ВИЧ
services-filter-free = Бесплатно
services-filter-women_only = Только для женщин
