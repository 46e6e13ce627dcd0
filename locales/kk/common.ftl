# Buttons and notes the engine uses on every screen.
# Keep the first 60 characters of anything that starts a message free of the words in
# flows/discretion.toml: that is what a lock-screen preview shows.

lang-name = Қазақша

btn-yes = Иә
btn-no = Жоқ
btn-skip = Өткізіп жіберу
btn-stop = Тоқтату
btn-have = Бұл менде бар
btn-todo = Әлі дайындаймын
btn-next = Әрі қарай
btn-back = Артқа
btn-menu = Мәзір
btn-sos = SOS нөмірлері
btn-exit = ✖ Тез шығу
btn-talk-now = Қазір адаммен сөйлесу
btn-resume = Тоқтаған жерден жалғастыру
btn-other-country = Басқа ел
btn-start-again = Жарайды

note-stale = Бұл түйме алдыңғы экраннан қалған. Қазір сіз осы жердесіз.
note-use-buttons = Төмендегі түймелерді басыңыз. Сіз жазған мәтін сақталмайды.
note-location-not-needed = Рақмет. Мұнда орналасқан жеріңіз керек емес, ол сақталған жоқ.
note-unknown-command = Мен бұл команданы білмеймін. Міне, мәзір.
stop-done = Тоқтатылды. Ештеңе сақталған жоқ.
forget-done =
    Бұл чат тазартылды.
    Ескі хабарламалар: чат мәзірін (⋮) ашып, «Тарихты тазарту» дегенді таңдаңыз.
    Хабарламалар өздігінен өшіп отыруы үшін: чат мәзірі → «Автоматты жою» → уақытты таңдаңыз.

red-flag-banner =
    Егер қазір қауіпте болсаңыз, қоңырау шалыңыз:
    { $numbers }
    Қазір адаммен сөйлесуге де болады — төмендегі түймені басыңыз.
red-flag-any-country =
    Егер қазір қауіпте болсаңыз, жедел қызмет нөміріне қоңырау шалыңыз: { $numbers }
    Қазір адаммен сөйлесуге де болады — төмендегі түймені басыңыз.

sos-header = { $country } бойынша нөмірлер:
sos-line = ☎ { $number } — { $name }, { $hours }
sos-line-free = ☎ { $number } — { $name }, { $hours }, тегін
sos-no-country = Жедел қызмет нөмірлері: { $numbers }. Сенім телефондарын көру үшін еліңізді таңдаңыз.
hotlines-header = Мына желілер қазір көмектесе алады:

talk-fallback = Қазір біздің командадан ешкім бұл чатта жауап бере алмайды. Кешіріңіз. Сіз жалғыз емессіз — мына адамдар көмектесе алады:
services-fallback = Қызметтер тізімі қазір ашылмай тұр. Мына желілер қайда бару керегін айтып береді:

error-try-again = Кешіріңіз, менде бір нәрсе дұрыс болмады. Бір сәттен кейін қайталап көріңіз. Шұғыл нөмірлер: /sos
