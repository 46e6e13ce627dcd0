help-main =
    Here is what I can do:
    /check — go through a few questions about what is happening to you
    /plan — build a safety plan step by step
    /services — find places that will accept you
    /talk — write with a person from our team
    /sos — emergency numbers
    /language — change language
    /forget — delete this chat and everything I keep
    /stop — leave what you are doing now
help-privacy-button = What is kept about me
help-settings-button = Settings
help-privacy =
    I know you only by a code, not by your name, username or number.
    Kept: your language, country, settings and your place in a conversation — for 30 days after your last message, then erased.
    Your answers to questions are not kept. Your safety plan is only in this chat.
    A consultant sees your messages only if you ask to talk, and never sees your name or account.
    Telegram stores this chat on its servers; bot chats are not end-to-end encrypted. /forget deletes what I can.
help-settings =
    Silent mode: { $silent ->
        [on] on. Messages arrive without sound.
       *[off] off. Messages arrive with the usual sound.
    }
help-silent-on = Turn silent mode on
help-silent-off = Turn silent mode off

services-start = I can look for places near you that accept women in your situation: shelters, legal help, doctors, harm reduction.
services-find = Start looking

talk-start =
    A consultant from our team — a woman who understands — can write with you here.
    She will not see your name or account. You can stop at any time.
talk-connect = Yes, connect me
talk-not-now = Not now

cmd-start = Begin
cmd-check = Check in with yourself
cmd-plan = Safety plan
cmd-services = Find help near you
cmd-sos = Urgent numbers
cmd-talk = Write with a person
cmd-language = Change language
cmd-forget = Delete this chat
cmd-help = Help and settings
