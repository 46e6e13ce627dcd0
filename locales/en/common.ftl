# Buttons and notes the engine uses on every screen.
# Keep the first 60 characters of anything that starts a message free of the words in
# flows/discretion.toml: that is what a lock-screen preview shows.

lang-name = English

btn-yes = Yes
btn-no = No
btn-skip = Skip
btn-stop = Stop
btn-have = I have this
btn-todo = I'll work on it
btn-next = Next
btn-back = Back
btn-menu = Menu
btn-sos = SOS numbers
btn-exit = ✖ Quick exit
btn-talk-now = Talk to a person now
btn-resume = Continue where I was
btn-other-country = Another country
btn-start-again = OK

note-stale = That button was from an earlier screen. Here is where you are now.
note-use-buttons = Please use the buttons below. Whatever you type is not saved.
note-location-not-needed = Thanks. Your location isn't needed here, and it was not saved.
note-unknown-command = I don't know that command. Here is the menu.
stop-done = Stopped. Nothing from it was kept.
forget-done =
    This chat has been cleared.
    Older messages: open the chat menu (⋮) and choose "Clear history".
    To let messages disappear by themselves: chat menu → "Auto-delete" → pick a time.

red-flag-banner =
    If you are in danger right now, call:
    { $numbers }
    You can also talk to a person now — use the button below.
red-flag-any-country =
    If you are in danger right now, call your emergency number: { $numbers }
    You can also talk to a person now — use the button below.

sos-header = Numbers for { $country }:
sos-line = ☎ { $number } — { $name }, { $hours }
sos-line-free = ☎ { $number } — { $name }, { $hours }, free
sos-no-country = Emergency numbers: { $numbers }. Choose your country to see its helplines.
hotlines-header = These lines can help now:

talk-fallback = Nobody from our team can answer in this chat right now. I'm sorry. You are not alone — these people can help:
services-fallback = The list of services can't be opened right now. These lines can advise you where to go:

error-try-again = Sorry, something went wrong on my side. Please try again in a moment. Emergency numbers: /sos
