# /plan: plan sigurie, hap pas hapi. Çdo hap është një këshillë dhe një pyetje: a e ke këtë?
plan-intro =
    Le të bëjmë një plan për një moment të vështirë, hap pas hapi.
    Në fund do ta marrësh si një mesazh të vetëm që nuk mund të përcillet. Unë nuk e ruaj.
plan-begin = Të fillojmë

plan-safe-room = Një dhomë më e sigurt: nëse fillon një grindje, përpiqu të jesh në një dhomë me dalje dhe pa thika apo sende të rënda — jo në kuzhinë apo në banjë. E di cila dhomë është?
plan-code-word = Një fjalë kodi: merru vesh me dikë që i beson për një fjalë ose emoji. Kur ta dërgosh, ai person thërret ndihmë ose vjen. A ke një fjalë të tillë?
plan-safe-people = Njerëz të sigurt: një ose dy persona që mund t'i telefonosh në çdo orë dhe që nuk do të të gjykojnë. E di kush janë?
plan-safe-places = Vende të sigurta: ku mund të shkosh për një natë — te një shoqe, te të afërmit, në një strehimore, në një qendër drop-in? A e di një vend të tillë?
plan-escape-route = Rruga e daljes: di si do të largoheshe shpejt nga shtëpia — nga cila derë, ku janë çelësat, ku do të shkoje së pari. A e ke menduar këtë?
plan-bag = Një çantë gati: çelësa, pak para, karikues, ilaçe, rroba për të ndërruar — te dikush që i beson ose e fshehur. A ke një të tillë?
plan-documents = Dokumentet: letërnjoftimi, pasaporta, çertifikatat e lindjes, dokumentet mjekësore. Mjaftojnë edhe kopjet ose fotot — mbaji te dikush që i beson ose në një email të sigurt. A janë në vend të sigurt?
plan-children = Fëmijët: mësoji si të thërrasin ndihmë dhe ku të shkojnë, dhe cakto kush mund t'i marrë. A është rregulluar kjo?
plan-phone-safety = Siguria e telefonit: një PIN që e di vetëm ti, ndarja e vendndodhjes e fikur dhe pastrimi i kësaj bisede pas përdorimit. A është telefoni yt i sigurt?
plan-naloxone = Naloksoni: mbaje afër dhe tregoju njerëzve rreth teje ku është dhe si përdoret. A e ke?
plan-not-alone = Jo vetëm: nëse përdor, përpiqu të mos përdorësh vetëm — ose tregoji dikujt që mund të vijë të shohë si je. A ke dikë të tillë?
plan-tolerance = Toleranca më e ulët: pas një pushimi qoftë edhe disa ditësh — në spital, në paraburgim, pas ndërprerjes së terapisë — doza jote e zakonshme mund të jetë tepër. Fillo me shumë më pak dhe mos e përziej me alkool ose tableta. A do ta mbash parasysh?
plan-ost = Plani i terapisë: mbaji dokumentet e terapisë me vete, pyet në qendrën tënde për doza për në shtëpi ose për transferim, dhe pas ditëve të humbura kërko nga qendra të rifillosh me dozë më të ulët. A është rregulluar kjo?
plan-art-clinic = Trajtimi dhe klinika: mbaj me vete një rezervë ilaçesh për HIV ose ilaçe të tjera dhe kontaktet e klinikës tënde. A i ke?

plan-result = Plani yt. Mbaje aty ku vetëm ti mund ta gjesh.
plan-result-summary = { $count ->
        [one] Një hap është tashmë gati.
       *[other] { $count } hapa janë tashmë gati.
    }
plan-result-ready = Gati:
plan-result-todo = Ende për t'u bërë:
plan-result-empty = I kapërceve të gjithë hapat — s'ka problem. Mund të kthehesh te plani në çdo kohë me /plan.
plan-result-footer = Ky mesazh nuk mund të përcillet. Mund ta fshish sapo ta mbash mend.
plan-next-talk = Fol me një person

plan-item-safe_room = një dhomë më e sigurt ku të shkoj
plan-item-code_word = një fjalë kodi me dikë që i besoj
plan-item-safe_people = njerëz që mund t'i telefonoj në çdo orë
plan-item-safe_places = një vend ku të kaloj një natë
plan-item-escape_route = si të largohem shpejt
plan-item-bag = një çantë gati te dikush që i besoj
plan-item-documents = kopje të dokumenteve të mia në vend të sigurt
plan-item-children = çfarë bëjnë fëmijët e mi në rast urgjence
plan-item-phone_safety = një telefon i sigurt
plan-item-naloxone = naloksoni afër
plan-item-not_alone = të mos përdor vetëm
plan-item-tolerance = një dozë më e ulët pas çdo pushimi
plan-item-ost_plan = dokumentet e terapisë dhe një plan për dozat
plan-item-art_clinic = ilaçet dhe kontaktet e klinikës me vete
