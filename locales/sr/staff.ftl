# Poruke za osoblje (savetnice i koordinatorke) iz administracije.

staff-admin-link = Vaš link za prijavu u administraciju linije za pomoć. Važi jednom, u roku od 15 minuta; molimo vas da ga ne prosleđujete.
    { $url }
staff-joined-consultant = Dobro došli u tim, { $name }! Registrovani ste kao savetnica. Žene će vas videti kao { $name }.
staff-joined-coordinator = Dobro došli u tim, { $name }! Registrovani ste kao koordinatorka. Pošaljite /admin da biste dobili link za prijavu u administraciju.
staff-invite-consultant = Pozivnica za { $name } kao savetnicu. Pošaljite je samo njoj, lično; važi jednom, u roku od 48 sati.
    { $url }
staff-invite-coordinator = Pozivnica za { $name } kao koordinatorku. Pošaljite je samo njoj, lično; važi jednom, u roku od 48 sati.
    { $url }
staff-invite-usage = Napišite /invite i ime koje će žene videti (do 32 znaka); dodajte "coordinator" na kraju da biste pozvali koordinatorku. Na primer: /invite Sun
