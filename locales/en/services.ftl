# /services: the service directory in the bot (src/conversation/services.rs).
# The first 60 characters of services-where … services-none open a message: keep them discreet.

services-where = Where should I look? Choose a city, or share your location: I only use it to find the nearest city and don't keep it. Country: { $country }.
services-country = Which country should I look in?
services-location-ask = Tap “Send my location” below. I only use it to find the nearest city, and it is not saved. Or tap “Back”.
services-location-city = Thank you. I'm looking near: { $city }. Your location was not saved.
services-location-far = I don't know a city close to that place yet. Please choose one from the list. Your location was not saved.
services-location-cancelled = All right, no location. You can choose from the list.
services-type = What kind of help are you looking for? City: { $city }.
services-filters = What matters to you? Tap everything that applies, then “Show places”.
services-results = { $count ->
        [one] I found one place, nearest first (city: { $city }). Please call before you go: details can change.
       *[other] I found { $count } places, nearest first (city: { $city }). Please call before you go: details can change.
    }
services-none = I'm sorry, I couldn't find a place that fits yet (city: { $city }). It's not your fault. These lines can help you find one, or you can talk to a person here.
services-page = Page { $page } of { $pages }

services-btn-location = 📍 Use my location
services-btn-send-location = 📍 Send my location
services-btn-back = ◀ Back
services-btn-country = Another country
services-btn-any-type = Any kind of help
services-btn-show = Show places
services-btn-more = More ▶
services-btn-previous = ◀ Previous
services-btn-filters = Change what matters
services-btn-new-search = New search
services-none-talk = Talk to a person

services-open-now = open now
services-closed-now = closed now
services-all-day = 24 hours
services-verified = { $days ->
        [0] Checked by our team today
        [one] Checked by our team { $days } day ago
       *[other] Checked by our team { $days } days ago
    }
services-never-verified = Not yet checked by our team
services-stale = Not checked for more than 6 months: please call first to make sure it still works.
services-phone-only = address only by phone
services-km = { $km } km

services-day-mon = Mon
services-day-tue = Tue
services-day-wed = Wed
services-day-thu = Thu
services-day-fri = Fri
services-day-sat = Sat
services-day-sun = Sun

services-type-shelter = Shelter
services-type-crisis_centre = Crisis centre
services-type-legal = Legal help
services-type-psychosocial = Psychological support
services-type-medical = Medical care
services-type-harm_reduction = Harm reduction
services-type-ost = Substitution therapy (OST)
services-type-hiv_care = HIV care

services-filter-accepts_active_drug_use = Accepts women who use drugs
services-filter-accepts_ost = Accepts women on OST
services-filter-no_id_required = No ID needed
services-filter-accepts_children = Children welcome
services-filter-hiv_friendly = HIV-friendly
services-filter-free = Free of charge
services-filter-women_only = Women only
