# Emrat e shteteve, linjave, oraret dhe shënimet që përdor flows/countries.toml.
country-ua = Ukraina
country-ru = Rusia
country-kz = Kazakistani
country-rs = Serbia
country-mk = Maqedonia e Veriut

line-police = Policia
line-ambulance = Ndihma e shpejtë
line-112 = Numri i urgjencës
line-ua-116123 = Linja kombëtare për dhunën në familje (La Strada – Ukrainë)
line-ua-1547 = Qendra qeveritare e kontaktit
line-ua-legal-aid = Ndihmë juridike falas
line-ru-women = Linja mbarëruse për gratë që përjetojnë dhunë
line-kz-111 = Qendra e kontaktit për familjen, gratë dhe fëmijët
line-kz-150 = Linja për të rinjtë
line-rs-sos = Linja kombëtare SOS për gratë
line-rs-vojvodina = Linja SOS për Vojvodinën
line-mk-15315 = Linja kombëtare SOS (Qendra për kriza „Shpresa“)
line-mk-mobile = Linja SOS celulare

hours-24-7 = 24/7
hours-rs-vojvodina = ditët e punës 10:00–20:00

note-recorded = ⚠ Thirrjet në këtë linjë regjistrohen.
note-112-no-sim = Funksionon nga celulari edhe pa kartë SIM.
note-ua-112-rollout = 112 ende po vendoset: nëse nuk lidhet, telefono 102 ose 103.
note-rs-no-112 = 112 ende nuk i lidh të gjitha shërbimet në Serbi: telefono 192 ose 194.
note-kz-111-text = Në këtë linjë mund të shkruash edhe në vend që të telefonosh.
note-kz-111-police = ⚠ Kjo linjë punon ngushtë me policinë dhe i regjistron thirrjet.
note-ru-harm-reduction = ⚠ Në Rusi, disa forma të ndihmës për zvogëlimin e dëmit mbartin rreziqe ligjore. Fol me një këshilltare para se t'u japësh të dhëna personale shërbimeve.
