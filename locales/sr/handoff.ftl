handoff-share-ask = Pre nego što te povežem: sme li savetnica da vidi koje si vrste povrede navela u proveri? Ništa drugo o tebi se ne deli.
handoff-share-yes = Da, neka vidi
handoff-share-no = Ne, to je samo moje
handoff-waiting = Tvoje mesto u redu: { $place }. Neko iz našeg tima će ti verovatno pisati za oko { $minutes } min. Možeš da pišeš već sada — ona će pročitati čim se priključi.
handoff-offline = Trenutno niko iz našeg tima nije u smeni. Možeš ostaviti poruku ovde: sledeća osoba u smeni će je pročitati i odgovoriti ti.
handoff-joined = { $name } iz našeg tima je sada s tobom. Piši kad budeš spremna — ona vidi tvoje poruke, ali ne i tvoje ime ili nalog.
handoff-ended = Ovaj razgovor je završen. Hvala što si pisala — možeš se vratiti bilo kada preko /talk. Kako ti je bilo? (Možeš preskočiti.)
handoff-rate-good = Pomoglo je
handoff-rate-ok = Bilo je u redu
handoff-rate-bad = Nije pomoglo
handoff-rated = Hvala. Možeš se vratiti bilo kada preko /talk.
handoff-returned = Tvoj razgovor se nakratko vratio timu. Prva si u redu i uskoro će ti neko pisati.
handoff-urgent-missed = Izvini: niko iz našeg tima nije stigao da odgovori na vreme. Ako si sada u opasnosti, molim te pozovi jedan od ovih brojeva:
handoff-end-button = Završi razgovor

# After /end, below the rating: may this conversation be counted (default no). Buttons reuse consent-yes/consent-no.
handoff-count-ask = Još nešto, samo ako želiš: smemo li da uračunamo ovaj razgovor u našu anonimnu statistiku? Savetnica beleži samo opšte kategorije — vrstu povrede, koje službe su te odbile — nikada ko si ti ni šta si pisala. Ako kažeš „ne“, ništa se ne menja.
handoff-count-thanks = Hvala. Razgovor je uračunat — bez imena, naloga i bez onoga što si pisala.
