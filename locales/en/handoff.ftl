# Hand-off to a person from the team (src/telegram/desk.rs). What she sees; staff-side text is
# English in the code.
handoff-share-ask = Before I connect you: may the consultant see which kinds of harm you named in the check? Nothing else about you is shared.
handoff-share-yes = Yes, she may see it
handoff-share-no = No, keep it private
handoff-waiting = You are number { $place } in line. Someone from our team will likely write within about { $minutes } min. You can write here now — she will read it when she joins.
handoff-offline = Nobody from our team is on shift right now. You can leave a message here: the next person on shift will read it and answer you.
handoff-joined = { $name } from our team is with you now. Write here whenever you are ready — she sees your messages, never your name or account.
handoff-ended = This chat is closed. Thank you for writing — you can come back any time with /talk. How was it for you? (You can skip this.)
handoff-rate-good = It helped
handoff-rate-ok = It was okay
handoff-rate-bad = It did not help
handoff-rated = Thank you. You can come back any time with /talk.
handoff-returned = Your chat went back to the team for a moment. You are first in line, and someone will write to you soon.
handoff-urgent-missed = I'm sorry: nobody from our team could answer in time. If you are in danger now, please call one of these numbers:
handoff-end-button = End this chat

# After /end, below the rating: may this conversation be counted (default no). Buttons reuse consent-yes/consent-no.
handoff-count-ask = One last thing, only if you want: may we count this conversation in our anonymous numbers? Your consultant would note only general categories — what kind of harm, which services turned you away — never who you are or what you wrote. Saying no changes nothing.
handoff-count-thanks = Thank you. It was counted — without your name, your account or anything you wrote.
