# Mesazhe për stafin (këshilluese dhe koordinatore) nga paneli i administrimit.

staff-admin-link = Lidhja juaj për të hyrë në panelin e administrimit të linjës së ndihmës. Vlen një herë, brenda 15 minutave; ju lutemi mos ia përcillni askujt.
    { $url }
staff-joined-consultant = Mirë se vini në ekip, { $name }! Jeni regjistruar si këshilluese. Gratë do t'ju shohin si { $name }.
staff-joined-coordinator = Mirë se vini në ekip, { $name }! Jeni regjistruar si koordinatore. Dërgoni /admin për të marrë një lidhje hyrjeje në panelin e administrimit.
