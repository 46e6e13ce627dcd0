# /plan: a safety plan, step by step. Each step is advice and a question: do you have this?
plan-intro =
    Let's make a plan for a difficult moment, step by step.
    At the end you get it as one message that can't be forwarded. I don't keep it.
plan-begin = Let's start

plan-safe-room = A safer room: if a fight starts, try to be in a room with a way out and without knives or heavy things — not the kitchen or bathroom. Do you know which room that is?
plan-code-word = A code word: agree on a word or emoji with someone you trust. When you send it, they call for help or come. Do you have one?
plan-safe-people = Safe people: one or two people you can call at any hour, who will not judge you. Do you know who they are?
plan-safe-places = Safe places: where can you go for a night — a friend, relatives, a shelter, a drop-in centre? Do you know a place?
plan-escape-route = A way out: know how you would leave the home quickly — which door, where the keys are, where you would go first. Have you thought it through?
plan-bag = A bag ready: keys, some money, a charger, medicines, a change of clothes — kept with someone you trust or hidden. Do you have one?
plan-documents = Papers: passport, birth certificates, medical papers. Copies or photos are fine — keep them with someone you trust or in a safe email. Are they safe?
plan-children = Children: teach them how to call for help and where to go, and agree who can pick them up. Is this arranged?
plan-phone-safety = Phone safety: a PIN only you know, location sharing off, and clearing this chat after use. Is your phone safe?
plan-naloxone = Naloxone: keep it close and let people near you know where it is and how to use it. Do you have it?
plan-not-alone = Not alone: if you use, try not to use alone — or tell someone who can check on you. Do you have someone?
plan-tolerance = Lower tolerance: after a break of even a few days — in hospital, in detention, after stopping therapy — your usual dose can be too much. Start with much less, and avoid mixing with alcohol or pills. Will you keep this in mind?
plan-ost = Therapy plan: keep your therapy papers with you, ask your clinic about take-home doses or a transfer, and after missed days ask the clinic to restart you at a lower dose. Is this arranged?
plan-art-clinic = Treatment and clinic: keep a supply of HIV or other medicines and your clinic's contacts with you. Do you have them?

plan-result = Your plan. Keep it where only you can find it.
plan-result-summary = { $count ->
        [one] One step is already in place.
       *[other] { $count } steps are already in place.
    }
plan-result-ready = In place:
plan-result-todo = To work on:
plan-result-empty = You skipped every step — that's fine. You can come back to the plan any time with /plan.
plan-result-footer = This message can't be forwarded. You can delete it once you remember it.
plan-next-talk = Talk to a person

plan-item-safe_room = a safer room to go to
plan-item-code_word = a code word with someone I trust
plan-item-safe_people = people I can call at any hour
plan-item-safe_places = a place to stay for a night
plan-item-escape_route = how I leave quickly
plan-item-bag = a bag ready with someone I trust
plan-item-documents = copies of my papers kept safe
plan-item-children = what my children do in an emergency
plan-item-phone_safety = a safe phone
plan-item-naloxone = naloxone close by
plan-item-not_alone = not using alone
plan-item-tolerance = a lower dose after any break
plan-item-ost_plan = therapy papers and a plan for doses
plan-item-art_clinic = medicines and clinic contacts with me
