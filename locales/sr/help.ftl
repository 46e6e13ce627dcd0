help-main =
    Evo šta mogu da uradim:
    /check — nekoliko pitanja o tome šta ti se dešava
    /plan — plan bezbednosti, korak po korak
    /services — mesta koja će te prihvatiti
    /talk — dopisivanje sa osobom iz našeg tima
    /sos — brojevi za hitne slučajeve
    /language — promena jezika
    /forget — brisanje ovog četa i svega što čuvam
    /stop — izlazak iz onoga što sada radiš
help-privacy-button = Šta se čuva o meni
help-settings-button = Podešavanja
help-privacy =
    Znam te samo po kodu, ne po imenu, korisničkom imenu ili broju.
    Čuva se: tvoj jezik, zemlja, podešavanja i dokle si stigla u razgovoru — 30 dana od tvoje poslednje poruke, a onda se briše.
    Tvoji odgovori na pitanja se ne čuvaju. Tvoj plan bezbednosti postoji samo u ovom četu.
    Savetnica vidi tvoje poruke samo ako zatražiš razgovor i nikad ne vidi tvoje ime ni nalog.
    Telegram čuva ovaj čet na svojim serverima; četovi sa botovima nisu end-to-end šifrovani. /forget briše sve što može da se obriše.
help-settings =
    Tihi režim: { $silent ->
        [on] uključen. Poruke stižu bez zvuka.
       *[off] isključen. Poruke stižu sa uobičajenim zvukom.
    }
help-silent-on = Uključi tihi režim
help-silent-off = Isključi tihi režim

services-start = Mogu da potražim mesta u tvojoj blizini koja primaju žene u tvojoj situaciji: sigurne kuće, pravnu pomoć, lekare, programe smanjenja štete.
services-find = Počni pretragu

talk-start =
    Savetnica iz našeg tima — žena koja razume — može ovde da se dopisuje s tobom.
    Neće videti tvoje ime ni nalog. Možeš da prekineš kad god želiš.
talk-connect = Da, poveži me
talk-not-now = Ne sada

cmd-start = Početak
cmd-check = Proveri kako si
cmd-plan = Plan bezbednosti
cmd-services = Pronađi pomoć u blizini
cmd-sos = Hitni brojevi
cmd-talk = Dopisuj se sa osobom
cmd-language = Promeni jezik
cmd-forget = Obriši ovaj čet
cmd-help = Pomoć i podešavanja
