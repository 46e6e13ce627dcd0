help-main =
    Ja çfarë mund të bëj:
    /check — disa pyetje për atë që po të ndodh
    /plan — një plan sigurie, hap pas hapi
    /services — gjej vende që do të të pranojnë
    /talk — shkruaj me një person nga ekipi ynë
    /sos — numrat e urgjencës
    /language — ndrysho gjuhën
    /forget — fshi këtë bisedë dhe gjithçka që ruaj
    /stop — dil nga ajo që po bën tani
help-privacy-button = Çfarë ruhet për mua
help-settings-button = Cilësimet
help-privacy =
    Të njoh vetëm me një kod, jo me emrin, emrin e përdoruesit ose numrin.
    Ruhen: gjuha, shteti, cilësimet dhe deri ku ke arritur në bisedë — për 30 ditë pas mesazhit tënd të fundit, pastaj fshihen.
    Përgjigjet e tua nuk ruhen. Plani yt i sigurisë është vetëm në këtë bisedë.
    Këshilltarja i sheh mesazhet e tua vetëm nëse kërkon të flasësh, dhe nuk e sheh kurrë emrin apo llogarinë tënde.
    Telegram e ruan këtë bisedë në serverët e vet; bisedat me botët nuk janë të enkriptuara skaj më skaj. /forget fshin aq sa mundem.
help-settings =
    Mënyra e heshtur: { $silent ->
        [on] e ndezur. Mesazhet vijnë pa zë.
       *[off] e fikur. Mesazhet vijnë me zërin e zakonshëm.
    }
help-silent-on = Ndiz mënyrën e heshtur
help-silent-off = Fik mënyrën e heshtur

services-start = Mund të kërkoj vende afër teje që pranojnë gra në situatën tënde: strehimore, ndihmë juridike, mjekë, shërbime për zvogëlimin e dëmit.
services-find = Fillo kërkimin

talk-start =
    Një këshilltare nga ekipi ynë — një grua që të kupton — mund të shkruajë me ty këtu.
    Ajo nuk do ta shohë emrin apo llogarinë tënde. Mund të ndalosh në çdo kohë.
talk-connect = Po, më lidh
talk-not-now = Jo tani

cmd-start = Fillo
cmd-check = Shiko si je
cmd-plan = Plani i sigurisë
cmd-services = Gjej ndihmë afër teje
cmd-sos = Numrat e urgjencës
cmd-talk = Shkruaj me një person
cmd-language = Ndrysho gjuhën
cmd-forget = Fshi këtë bisedë
cmd-help = Ndihmë dhe cilësime
