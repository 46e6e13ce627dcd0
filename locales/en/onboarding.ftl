onb-safe =
    Hi. Before we start: is it safe for you to read and write here right now?
    If someone may see your screen, you can leave at any moment with "Quick exit".
onb-safe-yes = Yes, it's safe
onb-safe-no = Not right now
onb-not-now =
    That's okay. Come back whenever it is safer.
    "Quick exit" clears this chat. /sos shows emergency numbers at any time.
onb-ready-now = I can talk now
onb-language = Which language do you prefer?
onb-privacy =
    What I keep: your settings and where you are in a conversation, for 30 days — without your name or number. Your answers are not kept.
    Who can read: only a consultant, and only if you ask to talk to a person.
    Chats with bots in Telegram are not end-to-end encrypted.
onb-privacy-ok = OK, continue
onb-silent-on = Continue, and send silently
onb-country = Where are you? This helps me show the right numbers and services.

menu-main = What would you like to do? You can stop or leave at any time.
menu-check = Check in with myself
menu-plan = Make a safety plan
menu-services = Find help near me
menu-talk = Talk to a person
menu-language = Language
menu-help = Help and settings

language-pick = Choose a language:
