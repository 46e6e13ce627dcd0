onb-safe =
    Përshëndetje. Para se të fillojmë: a është e sigurt për ty të lexosh dhe të shkruash këtu tani?
    Nëse dikush mund ta shohë ekranin tënd, mund të dalësh në çdo çast me „Dalje e shpejtë“.
onb-safe-yes = Po, është e sigurt
onb-safe-no = Jo tani
onb-not-now =
    Në rregull. Kthehu kur të jetë më e sigurt.
    „Dalje e shpejtë“ e pastron këtë bisedë. /sos të tregon numrat e urgjencës në çdo kohë.
onb-ready-now = Tani mund të flas
onb-language = Cilën gjuhë e preferon?
onb-privacy =
    Çfarë ruaj: cilësimet e tua dhe deri ku ke arritur në bisedë, për 30 ditë — pa emrin apo numrin tënd. Përgjigjet e tua nuk ruhen.
    Kush mund të lexojë: vetëm një këshilltare, dhe vetëm nëse kërkon të flasësh me një person.
    Bisedat me botët në Telegram nuk janë të enkriptuara skaj më skaj.
onb-privacy-ok = Në rregull, vazhdo
onb-silent-on = Vazhdo, mesazhe pa zë
onb-country = Ku ndodhesh? Kështu mund të të tregoj numrat dhe shërbimet e duhura.

menu-main = Çfarë do të doje të bësh? Mund të ndalosh ose të dalësh në çdo kohë.
menu-check = Të shoh si jam
menu-plan = Bëj një plan sigurie
menu-services = Gjej ndihmë afër meje
menu-talk = Fol me një person
menu-language = Gjuha
menu-help = Ndihmë dhe cilësime

language-pick = Zgjidh gjuhën:
