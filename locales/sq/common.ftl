# Butonat dhe shënimet që motori i përdor në çdo ekran.
# 60 shenjat e para të çdo mesazhi që e nis një mesazh të botit nuk duhet të kenë fjalë nga
# flows/discretion.toml: kjo shihet në parapamjen e ekranit të kyçur.

lang-name = Shqip

btn-yes = Po
btn-no = Jo
btn-skip = Kapërce
btn-stop = Ndalo
btn-have = E kam këtë
btn-todo = Do të punoj për këtë
btn-next = Më tej
btn-back = Prapa
btn-menu = Menyja
btn-sos = Numrat SOS
btn-exit = ✖ Dalje e shpejtë
btn-talk-now = Fol me një person tani
btn-resume = Vazhdo aty ku isha
btn-other-country = Një shtet tjetër
btn-start-again = Në rregull

note-stale = Ai buton ishte nga një ekran i mëparshëm. Ja ku je tani.
note-use-buttons = Të lutem, përdor butonat më poshtë. Çfarëdo që shkruan nuk ruhet.
note-location-not-needed = Faleminderit. Vendndodhja jote nuk nevojitet këtu dhe nuk u ruajt.
note-unknown-command = Nuk e njoh këtë komandë. Ja menyja.
stop-done = U ndal. Nuk u ruajt asgjë.
forget-done =
    Kjo bisedë u pastrua.
    Mesazhet më të vjetra: hap menynë e bisedës (⋮) dhe zgjidh „Pastro historikun“ („Clear history“).
    Që mesazhet të zhduken vetë: menyja e bisedës → „Fshirja automatike“ („Auto-delete“) → zgjidh kohën.

red-flag-banner =
    Nëse je në rrezik tani, telefono:
    { $numbers }
    Mund të flasësh edhe menjëherë me një person — shtyp butonin më poshtë.
red-flag-any-country =
    Nëse je në rrezik tani, telefono numrin e urgjencës: { $numbers }
    Mund të flasësh edhe menjëherë me një person — shtyp butonin më poshtë.

sos-header = Numrat e ndihmës – { $country }:
sos-line = ☎ { $number } — { $name }, { $hours }
sos-line-free = ☎ { $number } — { $name }, { $hours }, falas
sos-no-country = Numrat e urgjencës: { $numbers }. Zgjidh shtetin tënd për të parë linjat e ndihmës.
hotlines-header = Këto linja mund të të ndihmojnë tani:

talk-fallback = Tani për tani askush nga ekipi ynë nuk mund të përgjigjet në këtë bisedë. Më vjen keq. Nuk je vetëm — këta njerëz mund të të ndihmojnë:
services-fallback = Lista e shërbimeve nuk mund të hapet tani. Në këto linja mund të të këshillojnë ku të shkosh:

error-try-again = Më fal, diçka shkoi keq nga ana ime. Provo përsëri pas pak. Numrat e urgjencës: /sos
