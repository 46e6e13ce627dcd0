# Mesazhe për stafin (këshilluese dhe koordinatore) nga paneli i administrimit.

staff-admin-link = Lidhja juaj për të hyrë në panelin e administrimit të linjës së ndihmës. Vlen një herë, brenda 15 minutave; ju lutemi mos ia përcillni askujt.
    { $url }
staff-joined-consultant = Mirë se vini në ekip, { $name }! Jeni regjistruar si këshilluese. Gratë do t'ju shohin si { $name }.
staff-joined-coordinator = Mirë se vini në ekip, { $name }! Jeni regjistruar si koordinatore. Dërgoni /admin për të marrë një lidhje hyrjeje në panelin e administrimit.
staff-invite-consultant = Një ftesë për { $name } si këshilluese. Dërgojani vetëm asaj, privatisht; vlen një herë, brenda 48 orëve.
    { $url }
staff-invite-coordinator = Një ftesë për { $name } si koordinatore. Dërgojani vetëm asaj, privatisht; vlen një herë, brenda 48 orëve.
    { $url }
staff-invite-usage = Shkruani /invite dhe emrin që do të shohin gratë (deri në 32 shenja); shtoni "coordinator" në fund për të ftuar një koordinatore. Për shembull: /invite Sun
