# Buttons and notes the engine uses on every screen.
# Keep the first 60 characters of anything that starts a message free of the words in
# flows/discretion.toml: that is what a lock-screen preview shows.

lang-name = Srpski

btn-yes = Da
btn-no = Ne
btn-skip = Preskoči
btn-stop = Prekini
btn-have = Imam ovo
btn-todo = Radiću na tome
btn-next = Dalje
btn-back = Nazad
btn-menu = Meni
btn-sos = SOS brojevi
btn-exit = ✖ Brzi izlaz
btn-talk-now = Razgovaraj odmah sa osobom
btn-resume = Nastavi gde sam stala
btn-other-country = Druga zemlja
btn-start-again = U redu

note-stale = To dugme je sa ranijeg ekrana. Evo gde si sada.
note-use-buttons = Molim te, koristi dugmad ispod. Šta god da upišeš, ne čuva se.
note-location-not-needed = Hvala. Tvoja lokacija ovde nije potrebna i nije sačuvana.
note-unknown-command = Ne znam tu komandu. Evo menija.
stop-done = Prekinuto. Ništa od toga nije sačuvano.
forget-done =
    Ovaj čet je obrisan.
    Starije poruke: otvori meni četa (⋮) i izaberi „Obriši istoriju“.
    Da bi poruke same nestajale: meni četa → „Automatsko brisanje“ → izaberi vreme.

red-flag-banner =
    Ako si sada u opasnosti, pozovi:
    { $numbers }
    Možeš i odmah da razgovaraš sa osobom — pritisni dugme ispod.
red-flag-any-country =
    Ako si sada u opasnosti, pozovi broj za hitne slučajeve: { $numbers }
    Možeš i odmah da razgovaraš sa osobom — pritisni dugme ispod.

sos-header = { $country } — brojevi za pomoć:
sos-line = ☎ { $number } — { $name }, { $hours }
sos-line-free = ☎ { $number } — { $name }, { $hours }, besplatno
sos-no-country = Brojevi za hitne slučajeve: { $numbers }. Izaberi svoju zemlju da vidiš linije za pomoć.
hotlines-header = Ove linije mogu odmah da pomognu:

talk-fallback = Trenutno niko iz našeg tima ne može da odgovori u ovom četu. Žao mi je. Nisi sama — ovi ljudi mogu da pomognu:
services-fallback = Spisak službi trenutno ne može da se otvori. Na ovim linijama mogu da ti kažu kome da se obratiš:

error-try-again = Izvini, nešto nije u redu na mojoj strani. Pokušaj ponovo za trenutak. Hitni brojevi: /sos
