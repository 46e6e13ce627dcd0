# /check: fjalët tona. Nuk është test as diagnozë: nuk tregohet kurrë ndonjë pikë.
check-intro =
    Disa pyetje se si janë gjërat për ty. Ky nuk është test, nuk ka përgjigje të sakta apo të gabuara.
    Mund ta kapërcesh çdo pyetje, ose të shtypësh „Ndalo“ — atëherë nuk ruhet asgjë.
check-begin = Të fillojmë

check-injured = A je e lënduar tani, apo të duhet mjek?
check-insults = A të fyen shpesh dikush i afërt, të poshtëron ose të thërret me emra fyes?
check-control = A ta kontrollon dikush telefonin, vendos kë mund të takosh, ose nuk të lë të dalësh?
check-stalking = A të ndjek dikush, kontrollon vazhdimisht ku je, apo është xheloz në një mënyrë që të frikëson?
check-threat-kill = A të ka kërcënuar dikush se do të të vrasë?
check-hurt = A të ka shtyrë, goditur, shkelmuar apo lënduar dikush me qëllim?
check-neck = A të ka shtrënguar ndonjëherë dikush për qafe, të ka mbytur apo ta ka zënë frymën?
check-weapon = A ka përdorur dikush thikë, armë zjarri apo armë tjetër kundër teje, ose të ka kërcënuar me të?
check-worse = A po ndodh më shpesh kohët e fundit, apo po bëhet më keq?
check-pregnancy = A të ka lënduar dikush ndërsa ishe shtatzënë?
check-pressure = A të ka bërë dikush presion për seks që nuk e doje — për shembull për para, për një vend ku të flesh ose për një dozë?
check-forced-sex = A të ka detyruar dikush të kesh seks?
check-money = A t'i merr dikush paratë apo t'i kontrollon, kështu që duhet të kërkosh për çdo gjë?
check-documents = A t'i mban dikush pasaportën, letërnjoftimin ose dokumente të tjera dhe nuk t'i jep?
check-care = A të ka penguar dikush të marrësh ilaçet apo trajtimin — terapinë zëvendësuese, trajtimin për HIV, mjekun?
check-made-use = A të ka detyruar dikush të përdorësh, ose të përdorësh më shumë se sa doje?
check-supply = A e kontrollon dikush atë që përdor, ose terapinë tënde, që të të detyrojë të bësh çfarë do?
check-report-threat = A të ka kërcënuar dikush se do të të denoncojë në polici për përdorimin, ose se do të t'i marrë fëmijët?
check-children = A të ka kërcënuar dikush se do t'i lëndojë fëmijët e tu ose do t'i marrë prej teje?
check-police = A të kanë kërcënuar policët, të kanë marrë para apo të kanë lënduar?
check-medical = A kanë refuzuar mjekët, infermieret apo farmacistët të të ndihmojnë, ose të kanë trajtuar keq sepse përdor?
check-social = A të kanë refuzuar në qendrën për punë sociale ose në një strehimore, apo të kanë kërcënuar se do t'i marrin fëmijët?
check-separation = A je larguar kohët e fundit nga personi që të lëndon, apo po planifikon të largohesh?
check-fear = A mendon se ky person mund të të vrasë?

check-result = Faleminderit që ma tregove. Kjo kërkon guxim.
check-result-forms =
    Ajo që përshkrove është dhunë:
    { $forms }
check-result-not-your-fault = Nuk është faji yt. Askush nuk ka të drejtë të sillet kështu me ty — pavarësisht nëse përdor apo jo, pavarësisht se çfarë ka ndodhur më parë.
check-result-none = Nga përgjigjet e tua nuk pashë që dikush të ka bërë dëm. Nëse prapë diçka nuk të duket në rregull, kjo ka rëndësi — mund të flasësh me një person në çdo kohë.
check-result-red-flags = Disa nga ato që më the tregojnë se mund të jesh në rrezik serioz. Të lutem, mendo së pari për sigurinë tënde.
check-next-plan = Bëj një plan sigurie
check-next-services = Gjej ndihmë afër meje
check-next-talk = Fol me një person

form-psychological = psikologjike: fyerje, kërcënime, kontroll mbi jetën tënde
form-physical = fizike: goditje, lëndim ose mbytje
form-sexual = seksuale: seks që nuk e doje
form-economic = ekonomike: të merren paratë, dokumentet ose trajtimi
form-structural = nga institucionet: policia, personeli mjekësor ose shërbimet sociale
form-drug_coercion = detyrim lidhur me përdorimin: të detyrojnë të përdorësh, ose të shantazhojnë sepse përdor
