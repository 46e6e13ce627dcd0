handoff-share-ask = Para se të të lidh: a mund ta shohë këshilltarja se çfarë lloj dëmtimi përmende në kontroll? Asgjë tjetër për ty nuk ndahet.
handoff-share-yes = Po, le ta shohë
handoff-share-no = Jo, është vetëm imja
handoff-waiting = Vendi yt në radhë: { $place }. Dikush nga ekipi ynë ka gjasa të të shkruajë për rreth { $minutes } min. Mund të shkruash që tani — ajo do ta lexojë sapo të lidhet.
handoff-offline = Tani askush nga ekipi ynë nuk është në turn. Mund të lësh një mesazh këtu: personi i radhës në turn do ta lexojë dhe do të të përgjigjet.
handoff-joined = { $name } nga ekipi ynë është tani me ty. Shkruaj kur të jesh gati — ajo i sheh mesazhet e tua, por jo emrin apo llogarinë tënde.
handoff-ended = Kjo bisedë u mbyll. Faleminderit që shkrove — mund të kthehesh kurdo me /talk. Si të shkoi? (Mund ta kalosh.)
handoff-rate-good = Më ndihmoi
handoff-rate-ok = Ishte në rregull
handoff-rate-bad = Nuk më ndihmoi
handoff-rated = Faleminderit. Mund të kthehesh kurdo me /talk.
handoff-returned = Biseda jote iu kthye ekipit për pak. Je e para në radhë dhe së shpejti dikush do të të shkruajë.
handoff-urgent-missed = Më vjen keq: askush nga ekipi ynë nuk arriti të përgjigjet në kohë. Nëse je në rrezik tani, të lutem telefono një nga këta numra:
handoff-end-button = Mbyll bisedën

# After /end, below the rating: may this conversation be counted (default no). Buttons reuse consent-yes/consent-no.
handoff-count-ask = Edhe një gjë, vetëm nëse do: a mund ta numërojmë këtë bisedë në statistikat tona anonime? Këshilltarja shënon vetëm kategori të përgjithshme — llojin e dëmit, cilat shërbime të refuzuan — kurrë se kush je ti apo çfarë shkrove. Nëse thua «jo», asgjë nuk ndryshon.
handoff-count-thanks = Faleminderit. Biseda u numërua — pa emër, llogari dhe pa atë që shkrove.
