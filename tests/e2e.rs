//! The Telegram bot end to end: the real `app::run` (or the real binary) against the fake Bot API,
//! on the embedded SQLite default and on Postgres. Each story is written once and runs as
//! `<story>::sqlite` and `<story>::postgres`.
//!
//! What she sees is checked against the conversation core run beside the bot on a shadow
//! session (see `support::app::Phone`), so these stories test the adapter: delivery, order,
//! edits, protection, quick exit, restarts, faults and privacy, not the wording of each screen.

use std::collections::BTreeSet;

use helpline::conversation::{Command, Input, Session};
use helpline::domain::{CountryCode, Locale};
use helpline::i18n::Args;
use serde_json::{Value, json};

use crate::support::app::{Phone, TestApp, WAIT, assert_matches};
use crate::support::content::shipped;
use crate::support::fake_telegram::{ChatMessage, MediaKind, MemberStatus, START_TIME, TgUser};
use crate::support::{Backend, contains_bytes};

crate::support::stories!(
    start_asks_safety_then_language_privacy_country_in_her_language,
    check_with_a_red_flag_brings_numbers_and_talk_now_in_the_same_reply,
    plan_arrives_as_one_protected_message,
    sos_from_the_middle_of_check_then_resume,
    language_switch_changes_the_texts,
    forget_deletes_every_message_and_every_row,
    quick_exit_button_after_starting_again_leaves_one_message,
    duplicate_updates_get_one_reply,
    replies_arrive_in_order_through_429s,
    hostile_inputs_never_break_the_bot,
    no_identifier_or_words_of_hers_at_rest_or_in_logs,
    blocking_the_bot_forgets_her,
    webhook_mode_delivers_with_the_secret_and_refuses_without,
    killed_mid_check_she_continues_after_restart,
    killed_while_her_reply_is_throttled_it_arrives_after_restart,
);

/// Distinct Telegram user ids (ten digits, as real ones are now).
const OLENA: i64 = 7_350_561_829;
const DANA: i64 = 6_120_447_903;
const IRYNA: i64 = 5_918_260_337;

fn emergency_numbers(country: &str) -> Vec<String> {
    let code = CountryCode::parse(country).expect("a country code");
    shipped()
        .country(code)
        .expect("a shipped country")
        .emergency()
        .map(|line| line.number.as_str().to_owned())
        .collect()
}

fn text(m: &ChatMessage) -> &str {
    m.text.as_deref().unwrap_or_default()
}

/// The button `flow.<step>.<choice>` on the newest bot message, if it has one (a question or
/// plan step of `flow`; never a global `!…` button).
fn question_button(phone: &Phone<'_>, flow: &str, choice: &str) -> Option<String> {
    let last = phone.last();
    last.button_data()
        .into_iter()
        .find(|d| d.starts_with(&format!("{flow}.")) && d.ends_with(&format!(".{choice}")))
        .map(str::to_owned)
}

// -------------------------------------------------------------------------------------------
// Stories
// -------------------------------------------------------------------------------------------

async fn start_asks_safety_then_language_privacy_country_in_her_language(backend: Backend) {
    let app = TestApp::init().with_backend(backend).spawn().await;
    let mut seen_safety = Vec::new();
    for (id, language, country) in [(OLENA, "uk", "ua"), (DANA, "en", "rs")] {
        let mut phone = app.phone(id, "Test", None, Some(language));
        let locale = Locale::parse(language).expect("a locale");
        let t = |message: &str| shipped().localizer.text(locale, message, &Args::new());

        phone.send("/start").await;
        let first = phone.last();
        assert_eq!(
            text(&first),
            t("onb-safe"),
            "the safety question comes first"
        );
        assert!(first.button_labels().contains(&t("onb-safe-yes").as_str()));
        assert!(
            first.button_data().contains(&"!exit"),
            "quick exit from the first screen"
        );
        seen_safety.push(t("onb-safe"));

        phone.press("onboarding.safe.yes").await;
        assert_eq!(text(&phone.last()), t("onb-language"));
        for l in Locale::ALL {
            let data = format!("onboarding.language.{}", l.code());
            assert!(phone.last().button_data().contains(&data.as_str()));
        }

        phone
            .press(&format!("onboarding.language.{language}"))
            .await;
        let privacy = phone.last();
        assert_eq!(
            text(&privacy),
            t("onb-privacy"),
            "what is kept, before anything else"
        );

        phone.press("onboarding.privacy.ok").await;
        assert_eq!(text(&phone.last()), t("onb-country"));

        phone.press(&format!("onboarding.country.{country}")).await;
        assert_eq!(text(&phone.last()), t("menu-main"));
        assert!(phone.last().button_data().contains(&"menu.main.check"));
        assert_eq!(
            app.bot_messages(&phone.her).len(),
            1,
            "each answer edited the screen in place:\n{}",
            app.describe(&phone.her)
        );
    }
    assert_ne!(
        seen_safety[0], seen_safety[1],
        "Ukrainian and English differ"
    );
    app.stop().await;
}

async fn check_with_a_red_flag_brings_numbers_and_talk_now_in_the_same_reply(backend: Backend) {
    let app = TestApp::init().with_backend(backend).spawn().await;
    let mut phone = app.phone(OLENA, "Olena", None, Some("uk"));
    phone.onboard("uk", "ua").await;

    phone.send("/check").await;
    phone.press("check.intro.begin").await;
    assert!(phone.last().button_data().contains(&"check.injured.yes"));
    phone.press("check.injured.yes").await;

    let banner = phone.last();
    assert!(banner.protect_content, "numbers go out protected");
    for number in emergency_numbers("UA") {
        assert!(
            text(&banner).contains(&number),
            "{number} in\n{}",
            text(&banner)
        );
    }
    assert!(
        banner.button_data().contains(&"!talk"),
        "talk now, in the same reply"
    );
    assert!(
        banner.button_data().contains(&"check.insults.no"),
        "and the next question, in the same message"
    );
    let banner_text = text(&banner).to_owned();

    let mut answered = 1;
    while let Some(no) = question_button(&phone, "check", "no") {
        phone.press(&no).await;
        answered += 1;
        assert!(answered < 100, "the check never ends");
    }
    assert!(
        answered > 10,
        "the whole check was walked ({answered} answers)"
    );

    // The result, then the question whether her answers may be counted (default no).
    assert!(
        phone
            .last()
            .button_data()
            .contains(&"check.result.count_yes")
    );
    let result = phone
        .app
        .message_with_button(&phone.her, "check.result.plan");
    assert!(result.protect_content, "the result is protected");
    assert!(text(&result).contains(&phone.t("check-result-not-your-fault")));
    assert!(text(&result).contains(&phone.t("form-physical")));
    for number in emergency_numbers("UA") {
        assert!(
            text(&result).contains(&number),
            "the result repeats {number}"
        );
    }

    let still = app
        .telegram
        .message(OLENA, banner.message_id)
        .expect("the red-flag message is still in her chat");
    assert_eq!(
        text(&still),
        banner_text,
        "answering the next question does not wipe the emergency numbers"
    );
    app.stop().await;
}

async fn plan_arrives_as_one_protected_message(backend: Backend) {
    let app = TestApp::init().with_backend(backend).spawn().await;
    let mut phone = app.phone(DANA, "Dana", None, Some("en"));
    phone.onboard("en", "kz").await;

    phone.send("/plan").await;
    phone.press("plan.intro.begin").await;
    let mut have = true;
    let mut steps = 0;
    loop {
        let choice = if have { "have" } else { "todo" };
        let Some(data) = question_button(&phone, "plan", choice) else {
            break;
        };
        let before = app.bot_messages(&phone.her).len();
        let reply = phone.press(&data).await;
        have = !have;
        steps += 1;
        assert!(steps < 50, "the plan never ends");
        if reply.messages.iter().any(|m| m.protect) {
            assert_eq!(reply.messages.len(), 1, "the plan is one message");
            assert_eq!(
                app.bot_messages(&phone.her).len(),
                before + 1,
                "the plan arrives as one new message"
            );
        }
    }
    assert!(steps > 8, "every plan step was answered ({steps})");
    let plan = phone.last();
    assert!(
        plan.protect_content,
        "the plan is sent with protect_content"
    );
    assert!(text(&plan).contains(&phone.t("plan-result-ready")));
    assert!(text(&plan).contains(&phone.t("plan-result-todo")));
    assert!(text(&plan).contains(&phone.t("plan-item-safe_room")));
    app.stop().await;
}

async fn sos_from_the_middle_of_check_then_resume(backend: Backend) {
    let app = TestApp::init().with_backend(backend).spawn().await;
    let mut phone = app.phone(IRYNA, "Iryna", None, Some("ru"));
    phone.onboard("ru", "ru").await;

    phone.send("/check").await;
    phone.press("check.intro.begin").await;
    phone.press("check.injured.no").await;
    phone.press("check.insults.yes").await;
    let question = phone.last();
    assert!(question.button_data().contains(&"check.control.yes"));

    phone.send("/sos").await;
    let sos = phone.last();
    assert!(sos.protect_content);
    for number in emergency_numbers("RU") {
        assert!(text(&sos).contains(&number), "{number} in /sos");
    }
    assert!(sos.button_data().contains(&"!resume"));

    phone.press("!resume").await;
    let back = phone.last();
    assert!(
        back.button_data().contains(&"check.control.yes"),
        "she is back at the question she left:\n{}",
        app.describe(&phone.her)
    );
    let sos_after = app
        .telegram
        .message(IRYNA, sos.message_id)
        .expect("the numbers stay in her chat");
    assert_eq!(text(&sos_after), text(&sos));

    // The SOS button on the question itself works the same, and the check goes on.
    phone.press("!sos").await;
    phone.press("!resume").await;
    phone.press("check.control.no").await;
    assert!(phone.last().button_data().contains(&"check.stalking.yes"));
    app.stop().await;
}

async fn language_switch_changes_the_texts(backend: Backend) {
    let app = TestApp::init().with_backend(backend).spawn().await;
    let mut phone = app.phone(OLENA, "Olena", None, Some("en"));
    phone.onboard("en", "mk").await;
    let english_menu = text(&phone.last()).to_owned();

    phone.send("/language").await;
    phone.press("language.pick.mk").await;
    let menu = phone.last();
    let macedonian = shipped()
        .localizer
        .text(Locale::Mk, "menu-main", &Args::new());
    assert_eq!(text(&menu), macedonian);
    assert_ne!(text(&menu), english_menu);

    phone.send("/sos").await;
    let talk_now = |l: Locale| shipped().localizer.text(l, "btn-talk-now", &Args::new());
    let labels = phone.last().button_labels().join("|");
    assert!(
        labels.contains(&talk_now(Locale::Mk)),
        "later screens are in Macedonian too"
    );
    assert!(!labels.contains(&talk_now(Locale::En)));
    app.stop().await;
}

async fn forget_deletes_every_message_and_every_row(backend: Backend) {
    let app = TestApp::init().with_backend(backend).spawn().await;
    let mut phone = app.phone(OLENA, "Olena", Some("olena_k"), Some("uk"));
    let mut dana = app.phone(DANA, "Dana", None, Some("en"));
    phone.onboard("uk", "ua").await;
    phone.send("/check").await;
    phone.press("check.intro.begin").await;
    phone.press("check.injured.yes").await;
    phone.send("/sos").await;
    app.telegram.send_sticker(&phone.her);
    app.telegram.send_location(&phone.her, 50.4501, 30.5234);
    // Enough messages that quick exit needs more than one deleteMessages batch.
    for i in 0..60 {
        app.telegram.send_text(&phone.her, &format!("hello {i}"));
    }
    app.settle().await;
    dana.send("/start").await;
    let dana_before = app.telegram.chat(DANA).len();

    let who = app.db.keys.pseudonym(OLENA);
    assert!(app.db.count_rows("message_ids", Some(&who)).await > 100);
    let ids_before: Vec<i32> = app
        .telegram
        .chat(OLENA)
        .iter()
        .map(|m| m.message_id)
        .collect();
    assert!(ids_before.len() > 100);

    phone.send("/forget").await;

    let chat = app.telegram.chat(OLENA);
    assert_eq!(
        chat.len(),
        1,
        "one message is left:\n{}",
        app.describe(&phone.her)
    );
    let closing = &chat[0];
    assert!(closing.sent_by_bot());
    assert_eq!(text(closing), phone.t("forget-done"));
    assert!(!closing.protect_content);
    let deleted: BTreeSet<i32> = app.telegram.deleted_ids(OLENA).into_iter().collect();
    for id in 1..closing.message_id {
        assert!(
            deleted.contains(&id),
            "message {id} of her chat was not deleted"
        );
    }
    for call in app.telegram.calls_to("deleteMessages") {
        assert!(
            call.ok(),
            "deleteMessages refused: {:?}",
            call.description()
        );
        let n = call.params["message_ids"]
            .as_array()
            .map_or_else(|| 0, Vec::len);
        assert!((1..=100).contains(&n), "a batch of {n}");
    }

    assert_nothing_about(&app, OLENA).await;
    assert_eq!(
        app.telegram.chat(DANA).len(),
        dana_before,
        "Dana's chat untouched"
    );
    assert!(
        app.db
            .count_rows("sessions", Some(&app.db.keys.pseudonym(DANA)))
            .await
            > 0
    );
    app.stop().await;
}

async fn quick_exit_button_after_starting_again_leaves_one_message(backend: Backend) {
    let app = TestApp::init().with_backend(backend).spawn().await;
    let mut phone = app.phone(DANA, "Dana", None, Some("sr"));
    phone.onboard("sr", "rs").await;
    phone.send("/check").await;
    phone.press("!exit").await;
    assert_eq!(app.telegram.chat(DANA).len(), 1);
    assert_nothing_about(&app, DANA).await;

    // She comes back from the closing message, and leaves again with the button.
    phone.press("!menu").await;
    phone.press("menu.main.plan").await;
    phone.press("plan.intro.begin").await;
    phone.press("plan.safe_room.have").await;
    phone.send("/sos").await;
    phone.press("!exit").await;

    let chat = app.telegram.chat(DANA);
    assert_eq!(
        chat.len(),
        1,
        "exactly one neutral message is left:\n{}",
        app.describe(&phone.her)
    );
    assert_eq!(text(&chat[0]), phone.t("forget-done"));
    let deleted: BTreeSet<i32> = app.telegram.deleted_ids(DANA).into_iter().collect();
    for id in 1..chat[0].message_id {
        assert!(deleted.contains(&id), "message {id} survived quick exit");
    }
    assert_nothing_about(&app, DANA).await;
    app.stop().await;
}

async fn duplicate_updates_get_one_reply(backend: Backend) {
    let app = TestApp::init().with_backend(backend).spawn().await;

    // Her very first update, delivered twice.
    let her = app.woman(OLENA, "Olena", None, Some("uk"));
    app.telegram.duplicate_next(1);
    app.telegram.send_text(&her, "/start");
    let first = app.newest_update();
    delivered_twice(&app, first).await;
    // A later update, delivered twice, in the middle of a conversation.
    app.press(&her, "onboarding.safe.yes").await;
    app.telegram.duplicate_next(1);
    app.telegram.send_text(&her, "/sos");
    let sos = app.newest_update();
    delivered_twice(&app, sos).await;
    // Anything still running for her finishes before this is handled.
    app.send(&her, "/help").await;

    let replies: Vec<String> = app
        .bot_messages(&her)
        .iter()
        .map(|m| text(m).to_owned())
        .collect();
    assert_eq!(
        replies.len(),
        3,
        "start (edited once), sos, help:\n{}",
        app.describe(&her)
    );
    let uk = |id: &str| shipped().localizer.text(Locale::Uk, id, &Args::new());
    assert_eq!(replies[0], uk("onb-language"));
    assert_eq!(
        app.telegram.calls_to("sendMessage").len(),
        3,
        "one sendMessage per distinct update"
    );
    app.stop().await;
}

async fn replies_arrive_in_order_through_429s(backend: Backend) {
    let app = TestApp::init()
        .with_backend(backend)
        .with_429_rate(0.2)
        .spawn()
        .await;
    let script = [
        "/start",
        "/sos",
        "/help",
        "/check",
        "hello",
        "/menu",
        "/plan",
        "/language",
        "/stop",
        "/sos",
        "/talk",
        "/services",
    ];
    let women: Vec<(TgUser, Session)> = (0..5)
        .map(|i| {
            let language = ["uk", "ru", "kk", "sq", "en"][i];
            let user = app.woman(OLENA + i as i64, "W", None, Some(language));
            let locale = Locale::parse(language).expect("locale");
            (user, Session::new(locale))
        })
        .collect();
    // Everyone types at once, interleaved.
    for line in script {
        for (her, _) in &women {
            app.telegram.send_text(her, line);
        }
    }
    app.settle().await;

    for (her, mut shadow) in women {
        let expected: Vec<_> = script
            .iter()
            .flat_map(|line| app.expect(&mut shadow, Input::from_text(line)).messages)
            .collect();
        let seen = app.bot_messages(&her);
        assert_eq!(
            seen.len(),
            expected.len(),
            "every reply arrived:\n{}",
            app.describe(&her)
        );
        for (s, e) in seen.iter().zip(&expected) {
            assert_matches(s, e, &|| app.describe(&her));
        }
    }
    let throttled = app
        .telegram
        .calls()
        .iter()
        .filter(|c| c.status == 429)
        .count();
    assert!(throttled >= 5, "the fake did throttle ({throttled} times)");
    assert!(
        app.logs().contains("Telegram asked to slow down"),
        "the bot saw them"
    );
    app.stop().await;
}

async fn hostile_inputs_never_break_the_bot(backend: Backend) {
    let app = TestApp::init().with_backend(backend).spawn().await;
    let tg = &app.telegram;
    let mut olena = app.phone(OLENA, "Olena", None, Some("uk"));
    let mut dana = app.phone(DANA, "Dana", None, Some("en"));
    olena.onboard("uk", "ua").await;
    dana.onboard("en", "rs").await;
    let dana_before: Vec<i32> = tg.chat(DANA).iter().map(|m| m.message_id).collect();
    let her = olena.her.clone();
    let group = tg.create_supergroup("Neighbours", false);
    tg.add_member(group, &her, MemberStatus::Member);

    let mut inputs = 0;
    let mut count = |n: usize| inputs += n;

    // Text: huge, emoji, right-to-left, invisible, markup, injections, odd commands.
    for text in [
        "x".repeat(5000),
        "ї".repeat(4097),
        "🌷".repeat(2100),
        "🌷🔥💉🙂👩‍👧".to_owned(),
        "مرحبا، أحتاج مساعدة".to_owned(),
        "\u{202E}txet desrever\u{202C}".to_owned(),
        "שלום".to_owned(),
        "\u{200B}\u{200D}\u{FEFF}".to_owned(),
        "   ".to_owned(),
        "\n\n\t".to_owned(),
        "/".to_owned(),
        "/start@some_other_bot".to_owned(),
        format!("/start {}", "x".repeat(5000)),
        "/start ../../../etc/passwd".to_owned(),
        "/start uk_UA\u{0}".to_owned(),
        "'; DROP TABLE sessions; --".to_owned(),
        "<b>bold</b><script>alert(1)</script>".to_owned(),
        "*_`[link](http://example.invalid)`_*".to_owned(),
        "/nosuchcommand".to_owned(),
        "%s%s%n { $name } { -brand }".to_owned(),
    ] {
        tg.send_text(&her, &text);
        count(1);
    }
    // Everything that is not text.
    for kind in [
        MediaKind::Sticker,
        MediaKind::Photo,
        MediaKind::Voice,
        MediaKind::Document,
        MediaKind::Video,
        MediaKind::Audio,
        MediaKind::Animation,
    ] {
        tg.send_media(&her, kind);
        count(1);
    }
    for (lat, lon) in [(999.0, 999.0), (-91.0, 181.0), (1e308, -1e308)] {
        tg.send_location(&her, lat, lon);
        count(1);
    }
    app.settle().await;
    let replies = tg
        .calls_to("sendMessage")
        .iter()
        .filter(|c| c.params["chat_id"].as_i64() == Some(OLENA))
        .count();
    assert!(
        replies >= 30,
        "each text, media and location was answered ({replies})"
    );

    // Forged callback data on her own newest message. Each query must reach the bot (and be
    // answered), not be dropped as unreadable: otherwise this part would test nothing.
    let mut forged = Vec::new();
    let own = app.last_bot_message(&her).to_json();
    for data in [
        Some("check.injured.yes".to_owned()),
        Some("!nonsense".to_owned()),
        Some(String::new()),
        Some("a".repeat(300)),
        Some("....".to_owned()),
        Some("onboarding.language.xx".to_owned()),
        Some("onboarding.country.zz".to_owned()),
        Some("plan.nope.have".to_owned()),
        Some("ї.ї.ї".to_owned()),
        None,
    ] {
        forge(
            tg,
            &mut forged,
            callback(&her, Some(own.clone()), data.as_deref()),
        );
        count(1);
    }
    // A button without a message (inline), one on Dana's message, one from a group message.
    forge(tg, &mut forged, callback(&her, None, Some("!menu")));
    let danas = app.last_bot_message(&dana.her).to_json();
    forge(tg, &mut forged, callback(&her, Some(danas), Some("!exit")));
    let in_group = json!({
        "message_id": 5, "date": START_TIME, "text": "x",
        "chat": { "id": group, "type": "supergroup", "title": "Neighbours" },
    });
    forge(
        tg,
        &mut forged,
        callback(&her, Some(in_group), Some("!exit")),
    );
    count(3);
    app.settle().await;
    let answered: Vec<String> = tg
        .calls_to("answerCallbackQuery")
        .iter()
        .filter_map(|c| c.params["callback_query_id"].as_str().map(str::to_owned))
        .collect();
    for id in &forged {
        assert!(
            answered.contains(id),
            "forged callback {id} never reached the bot"
        );
    }

    // Stale buttons: an old screen she can still see.
    app.send(&her, "/check").await;
    app.send(&her, "/plan").await;
    let stale = app
        .bot_messages(&her)
        .into_iter()
        .find(|m| m.button_data().contains(&"check.intro.begin"))
        .expect("the old check screen is still visible");
    tg.press_button(&her, stale.message_id, "check.intro.begin");
    count(3);

    // Updates with fields missing or of the wrong type, and kinds the bot does not handle.
    let her_chat = json!({ "id": OLENA, "type": "private", "first_name": "Olena" });
    let valid = app.last_bot_message(&her).to_json();
    for raw in [
        json!({ "message": {} }),
        json!({ "message": null }),
        json!({ "message": { "message_id": 1, "date": START_TIME, "chat": her_chat, "text": "no sender" } }),
        json!({ "message": { "message_id": "seven", "date": "today", "chat": her_chat, "from": user_json(&her, false), "text": 7 } }),
        json!({ "callback_query": { "id": "1" } }),
        json!({ "my_chat_member": { "chat": her_chat } }),
        json!({}),
        json!({ "some_future_kind": { "x": 1 } }),
        json!({ "edited_message": valid }),
        json!({ "channel_post": { "message_id": 3, "date": START_TIME, "chat": { "id": -100_123, "type": "channel", "title": "c" }, "text": "/forget" } }),
        json!({ "inline_query": { "id": "9", "from": user_json(&her, false), "query": "/forget", "offset": "" } }),
        // From a bot, in a private chat.
        json!({ "message": { "message_id": 77, "date": START_TIME, "chat": her_chat, "from": { "id": 999_111, "is_bot": true, "first_name": "Evil" }, "text": "/forget" } }),
        // A user id beyond what the bot can hold.
        json!({ "message": { "message_id": 78, "date": START_TIME, "chat": { "id": 1, "type": "private", "first_name": "X" }, "from": { "id": u64::MAX, "is_bot": false, "first_name": "X" }, "text": "/start" } }),
        // The bot is added to a group.
        json!({ "my_chat_member": { "chat": { "id": group, "type": "supergroup", "title": "Neighbours" }, "from": user_json(&her, false), "date": START_TIME,
            "old_chat_member": { "user": { "id": 123_456, "is_bot": true, "first_name": "Helpline" }, "status": "left" },
            "new_chat_member": { "user": { "id": 123_456, "is_bot": true, "first_name": "Helpline" }, "status": "member" } } }),
    ] {
        tg.send_raw_update(raw);
        count(1);
    }
    // She writes in a group the bot is in: not a conversation with her, and never a quick exit.
    tg.send_in_group(&her, group, "/forget");
    tg.send_in_group(&her, group, "/start");
    count(2);
    app.settle().await;

    assert!(inputs >= 50, "only {inputs} hostile inputs");
    assert!(app.is_running(), "the bot is still running");
    assert_eq!(app.get("/healthz").await.0, 200);

    // She never sees internals, nor an apology for a failed turn.
    let apology: Vec<String> = Locale::ALL
        .iter()
        .map(|l| {
            shipped()
                .localizer
                .text(*l, "error-try-again", &Args::new())
        })
        .collect();
    for call in app.telegram.calls() {
        let Some(said) = call.params.get("text").and_then(Value::as_str) else {
            continue;
        };
        let lower = said.to_lowercase();
        for word in [
            "error",
            "panic",
            "sqlx",
            "database",
            "unwrap",
            "anyhow",
            "teloxide",
            "backtrace",
            "pseudonym",
            "sealed",
        ] {
            assert!(!lower.contains(word), "{word:?} shown to her: {said}");
        }
        for word in ["Store", "Err(", "Some(", "{", "}"] {
            assert!(!said.contains(word), "{word:?} shown to her: {said}");
        }
        assert!(!apology.iter().any(|a| a == said), "a turn failed: {said}");
    }
    let logs = app.logs();
    assert!(!logs.contains("PANIC"), "a panic:\n{logs}");
    assert!(!logs.contains("ERROR"), "an error was logged:\n{logs}");

    // Nothing reached Dana, and the group /forget did not erase Olena.
    let dana_after: Vec<i32> = tg.chat(DANA).iter().map(|m| m.message_id).collect();
    assert_eq!(dana_after, dana_before, "Dana's chat untouched");
    assert!(tg.deleted_ids(DANA).is_empty());
    assert!(tg.deleted_ids(OLENA).is_empty(), "no quick exit happened");
    assert!(
        tg.chat(group).iter().all(|m| !m.sent_by_bot()),
        "silent in the group"
    );
    let olena_who = app.db.keys.pseudonym(OLENA);
    assert_eq!(app.db.count_rows("sessions", Some(&olena_who)).await, 1);

    // A normal /start still works, for her and for someone new.
    let mut olena = app.phone(OLENA, "Olena", None, Some("uk"));
    olena.session = Session::new(Locale::Uk);
    olena.session.locale_chosen = true;
    let reply = shipped().handle(&mut olena.session, Input::Command(Command::Start(None)));
    app.send(&olena.her, "/start").await;
    assert_matches(
        &app.last_bot_message(&olena.her),
        &reply.messages[0],
        &|| app.describe(&olena.her),
    );
    let mut newcomer = app.phone(IRYNA, "Iryna", None, Some("kk"));
    newcomer.send("/start").await;
    newcomer.press("onboarding.safe.yes").await;
    app.stop().await;
}

async fn no_identifier_or_words_of_hers_at_rest_or_in_logs(backend: Backend) {
    const ID: i64 = 7_349_018_266;
    const NAME: &str = "Zlatoslava";
    const USERNAME: &str = "zlatoslava_kyiv_1987";
    const TYPED: &str = "my husband Petro hit me";
    let app = TestApp::init().with_backend(backend).spawn().await;
    let mut phone = app.phone(ID, NAME, Some(USERNAME), Some("uk"));
    phone.onboard("uk", "ua").await;
    phone.send(TYPED).await;
    phone.send("/check").await;
    phone.press("check.intro.begin").await;
    phone.press("check.injured.yes").await;
    phone.press("check.insults.yes").await;
    phone.send(TYPED).await;
    app.telegram
        .send_location(&phone.her, 50.450_123, 30.523_456);
    app.settle().await;
    phone.send("/plan").await;
    phone.press("plan.intro.begin").await;
    phone.press("plan.safe_room.have").await;
    phone.send("/sos").await;

    let who = app.db.keys.pseudonym(ID);
    let dump = app.db.dump().await.join("\n");
    assert!(
        dump.contains(&who.to_string()),
        "the scan sees her rows:\n{dump}"
    );
    let logs = app.logs();
    assert!(
        logs.contains("helpline is running"),
        "the scan sees the logs"
    );

    let mut needles: Vec<String> = vec![
        ID.to_string(),
        hex::encode(ID.to_string()), // decimal text inside a byte column
        hex::encode(ID.to_be_bytes()),
        hex::encode(ID.to_le_bytes()),
        hex::encode(&ID.to_be_bytes()[3..]), // the five significant bytes
    ];
    for words in [
        NAME, USERNAME, TYPED, "Petro", "husband", "50.450", "30.523",
    ] {
        needles.push(words.to_lowercase());
        needles.push(hex::encode(words.as_bytes()));
    }
    for needle in &needles {
        assert!(
            !dump.contains(needle.as_str()),
            "{needle:?} in the database"
        );
        assert!(
            !logs.to_lowercase().contains(needle.as_str()),
            "{needle:?} in the logs"
        );
    }
    // The raw bytes of the two byte encodings of her id, anywhere in the database file.
    if let Some(file) = app.db.sqlite_file() {
        let mut bytes = std::fs::read(file).expect("the database file");
        bytes.extend(std::fs::read(file.with_extension("db-wal")).unwrap_or_default());
        for needle in [
            &ID.to_be_bytes()[..],
            &ID.to_le_bytes()[..],
            TYPED.as_bytes(),
        ] {
            assert!(
                !contains_bytes(&bytes, needle),
                "{needle:?} in the SQLite file"
            );
        }
    }
    // Her pseudonym is an identifier too: it stays out of the logs.
    assert!(
        !logs.contains(&who.to_string()),
        "her pseudonym in the logs"
    );
    app.stop().await;
}

async fn blocking_the_bot_forgets_her(backend: Backend) {
    let app = TestApp::init().with_backend(backend).spawn().await;
    let mut phone = app.phone(OLENA, "Olena", None, Some("uk"));
    phone.onboard("uk", "ua").await;
    phone.send("/check").await;
    let who = app.db.keys.pseudonym(OLENA);
    assert_eq!(app.db.count_rows("sessions", Some(&who)).await, 1);
    app.telegram.bot_blocked_by(&phone.her);
    app.settle().await;
    assert_nothing_about(&app, OLENA).await;

    // Blocked without an update: the first refused send forgets her too.
    let mut dana = app.phone(DANA, "Dana", None, Some("en"));
    dana.onboard("en", "rs").await;
    app.telegram.block_chat(DANA);
    let before = app.telegram.chat(DANA).len();
    app.telegram.send_text(&dana.her, "/sos");
    app.settle().await;
    assert_eq!(
        app.telegram.chat(DANA).len(),
        before + 1,
        "only her own message"
    );
    assert_nothing_about(&app, DANA).await;
    app.stop().await;
}

async fn webhook_mode_delivers_with_the_secret_and_refuses_without(backend: Backend) {
    let app = TestApp::init()
        .with_backend(backend)
        .with_webhook()
        .spawn()
        .await;
    let token = app.db.keys.webhook_token();
    assert_eq!(
        app.telegram
            .with_state(|st| st.webhook_url().map(str::to_owned)),
        Some(format!("http://{}/telegram", app.http))
    );

    let her = app.woman(OLENA, "Olena", None, Some("uk"));
    app.telegram.duplicate_next(1);
    app.telegram.send_text(&her, "/start");
    let safe = shipped()
        .localizer
        .text(Locale::Uk, "onb-safe", &Args::new());
    let first = app
        .wait_for_message(&her, "the safety question", |m| text(m) == safe)
        .await;
    app.telegram
        .press_button(&her, first.message_id, "onboarding.safe.yes");
    let language = shipped()
        .localizer
        .text(Locale::Uk, "onb-language", &Args::new());
    app.wait_for_message(&her, "the language question", |m| text(m) == language)
        .await;
    app.telegram.send_text(&her, "/sos");
    let sos = app
        .wait_for_message(&her, "the numbers", |m| m.protect_content)
        .await;
    assert!(text(&sos).contains(&emergency_numbers("UA")[0]));

    // The bot answers a delivery once its turn is over, so the last one may still be open.
    app.telegram
        .wait_for(|st| st.webhook_deliveries().len() >= 4, WAIT)
        .await
        .unwrap_or_else(|e| panic!("/start twice, the press and /sos were delivered: {e}"));
    let deliveries = app.telegram.webhook_deliveries();
    for delivery in &deliveries {
        assert_eq!(delivery.status, Some(200));
        assert_eq!(delivery.secret_token.as_deref(), Some(token.as_str()));
    }
    assert_eq!(
        app.bot_messages(&her).len(),
        2,
        "one answer each, the duplicate ignored:\n{}",
        app.describe(&her)
    );
    assert_eq!(app.telegram.calls_to("sendMessage").len(), 2);

    let update = json!({ "update_id": 1, "message": {
        "message_id": 1, "date": START_TIME, "text": "/forget",
        "chat": { "id": OLENA, "type": "private", "first_name": "Olena" },
        "from": user_json(&her, false) } })
    .to_string();
    assert_eq!(app.post("/telegram", &[], &update).await, 401);
    let wrong = [("X-Telegram-Bot-Api-Secret-Token", "0".repeat(64))];
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.post("/telegram", &wrong, &update).await, 401);
    assert!(
        app.telegram.deleted_ids(OLENA).is_empty(),
        "no forged quick exit"
    );
    assert_eq!(app.get("/healthz").await.0, 200);
    assert_eq!(app.get("/readyz").await, (200, "ready".to_owned()));
    app.stop().await;
}

async fn killed_mid_check_she_continues_after_restart(backend: Backend) {
    let mut app = TestApp::init()
        .with_backend(backend)
        .with_binary()
        .spawn()
        .await;
    let her = app.woman(OLENA, "Olena", None, Some("en"));
    app.send(&her, "/start").await;
    for data in [
        "onboarding.safe.yes",
        "onboarding.language.en",
        "onboarding.privacy.ok",
        "onboarding.country.kz",
    ] {
        app.press(&her, data).await;
    }
    app.send(&her, "/check").await;
    app.press(&her, "check.intro.begin").await;
    app.press(&her, "check.injured.no").await;
    app.press(&her, "check.insults.yes").await;
    let question = app.last_bot_message(&her);
    assert!(question.button_data().contains(&"check.control.yes"));

    // Killed between two of her turns.
    app.kill().await;
    app.restart().await;
    app.press(&her, "check.control.no").await;
    assert!(
        app.last_bot_message(&her)
            .button_data()
            .contains(&"check.stalking.yes"),
        "she continues from the same question:\n{}",
        app.describe(&her)
    );

    // Killed right after she pressed, before the bot may have answered: the press is handled
    // exactly once after the restart, whatever the moment of death.
    let screen = app.message_with_button(&her, "check.stalking.no");
    app.telegram
        .press_button(&her, screen.message_id, "check.stalking.no");
    app.kill().await;
    app.restart().await;
    app.settle().await;
    let now = app.last_bot_message(&her);
    assert!(
        now.button_data().contains(&"check.threat_kill.yes"),
        "one step on, not two:\n{}",
        app.describe(&her)
    );
    app.send(&her, "where was I").await;
    assert!(
        app.last_bot_message(&her)
            .button_data()
            .contains(&"check.threat_kill.yes")
    );
    // Her earlier answer is still in her session: the result names it.
    loop {
        let last = app.last_bot_message(&her);
        let Some(no) = last
            .button_data()
            .into_iter()
            .find(|d| d.starts_with("check.") && d.ends_with(".no"))
            .map(str::to_owned)
        else {
            break;
        };
        app.press(&her, &no).await;
    }
    let result = app.message_with_button(&her, "check.result.plan");
    let psychological = shipped()
        .localizer
        .text(Locale::En, "form-psychological", &Args::new());
    assert!(
        text(&result).contains(&psychological),
        "{}",
        app.describe(&her)
    );

    let logs = app.logs();
    assert!(
        !logs.contains(&OLENA.to_string()),
        "her id in the binary's logs"
    );
    assert!(!logs.contains("Olena"));
    app.stop().await;
}

async fn killed_while_her_reply_is_throttled_it_arrives_after_restart(backend: Backend) {
    // Long polling, then a webhook: in both, an update Telegram handed over is not lost when the
    // process dies before her answer could be sent.
    for webhook in [false, true] {
        let mut builder = TestApp::init().with_backend(backend).with_binary();
        if webhook {
            builder = builder.with_webhook();
        }
        let mut app = builder.spawn().await;
        let her = app.woman(OLENA, "Olena", None, Some("uk"));
        // Every send is refused for 100 "seconds" (one second at the test's scale).
        app.telegram.set_retry_after(100);
        app.telegram.set_429_rate(1.0);
        app.telegram.send_text(&her, "/start");
        app.telegram
            .wait_for(
                |st| st.calls_to("sendMessage").iter().any(|c| c.status == 429),
                WAIT,
            )
            .await
            .unwrap_or_else(|e| panic!("the bot never tried to answer: {e}"));
        app.kill().await;
        app.telegram.set_429_rate(0.0);
        app.restart().await;

        let safe = shipped()
            .localizer
            .text(Locale::Uk, "onb-safe", &Args::new());
        let mode = if webhook { "webhook" } else { "polling" };
        app.wait_for_message(&her, &format!("the safety question ({mode})"), |m| {
            text(m) == safe
        })
        .await;
        assert_eq!(
            app.bot_messages(&her).len(),
            1,
            "{mode}: exactly one answer"
        );
        app.stop().await;
    }
}

/// `helpline run` with bad configuration: one line on stderr naming the variable, exit non-zero.
#[test]
fn bad_configuration_fails_with_one_line_naming_the_variable() {
    const TOKEN: &str = "123456:TEST-fake-token";
    const PG: &str = "postgres://postgres@127.0.0.1:5432/none";
    let bad_secret = "zz".repeat(32);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "TELEGRAM_BOT_TOKEN"),
        (
            vec![("TELEGRAM_BOT_TOKEN", "not a token")],
            "TELEGRAM_BOT_TOKEN",
        ),
        (
            vec![
                ("TELEGRAM_BOT_TOKEN", TOKEN),
                ("DATABASE_URL", "mysql://db/helpline"),
            ],
            "DATABASE_URL",
        ),
        (
            vec![("TELEGRAM_BOT_TOKEN", TOKEN), ("DATABASE_URL", PG)],
            "HELPLINE_SECRET",
        ),
        (
            vec![
                ("TELEGRAM_BOT_TOKEN", TOKEN),
                ("DATABASE_URL", PG),
                ("HELPLINE_SECRET", "abc"),
            ],
            "HELPLINE_SECRET",
        ),
        (
            vec![
                ("TELEGRAM_BOT_TOKEN", TOKEN),
                ("DATABASE_URL", PG),
                ("HELPLINE_SECRET", &bad_secret),
            ],
            "HELPLINE_SECRET",
        ),
        (
            vec![
                ("TELEGRAM_BOT_TOKEN", TOKEN),
                ("HELPLINE_HTTP_ADDR", "localhost"),
            ],
            "HELPLINE_HTTP_ADDR",
        ),
        (
            vec![
                ("TELEGRAM_BOT_TOKEN", TOKEN),
                ("HELPLINE_HTTP_ADDR", "127.0.0.1:99999"),
            ],
            "HELPLINE_HTTP_ADDR",
        ),
    ];
    let dir = tempfile::tempdir().expect("a working folder");
    let children: Vec<_> = cases
        .iter()
        .map(|(env, _)| {
            std::process::Command::new(env!("CARGO_BIN_EXE_helpline"))
                .arg("run")
                .env_clear()
                .envs(env.iter().copied())
                .current_dir(dir.path())
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start the helpline binary")
        })
        .collect();
    for ((env, variable), child) in cases.iter().zip(children) {
        let out = child.wait_with_output().expect("the binary ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{env:?} was accepted");
        assert_eq!(out.status.code(), Some(2), "{env:?}: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{env:?}: one line, got:\n{stderr}");
        assert!(lines[0].starts_with("helpline: "), "{stderr}");
        assert!(
            lines[0].contains(variable),
            "{env:?}: {stderr} does not name {variable}"
        );
        assert!(!stderr.contains(&bad_secret), "the secret is never echoed");
    }
    assert!(
        std::fs::read_dir(dir.path())
            .expect("folder")
            .next()
            .is_none(),
        "nothing was created on a refused start"
    );
}

// -------------------------------------------------------------------------------------------
// Helpers
// -------------------------------------------------------------------------------------------

/// No table holds a row with her pseudonym, and her pseudonym appears nowhere in the database.
async fn assert_nothing_about(app: &TestApp, user_id: i64) {
    let who = app.db.keys.pseudonym(user_id);
    for table in ["sessions", "routes", "message_ids"] {
        assert_eq!(
            app.db.count_rows(table, Some(&who)).await,
            0,
            "{table} still has her"
        );
    }
    let dump = app.db.dump().await;
    assert!(
        dump.iter().all(|row| !row.contains(&who.to_string())),
        "a row about her survived"
    );
}

/// Waits until the fake has handed `update_id` to the bot twice.
async fn delivered_twice(app: &TestApp, update_id: i64) {
    app.telegram
        .wait_for(
            |st| {
                let times: usize = st
                    .calls_to("getUpdates")
                    .iter()
                    .filter_map(|c| c.response["result"].as_array())
                    .flatten()
                    .filter(|u| u["update_id"].as_i64() == Some(update_id))
                    .count();
                times >= 2 && !st.is_pending(update_id)
            },
            WAIT,
        )
        .await
        .unwrap_or_else(|e| panic!("the duplicate was not delivered: {e}"));
}

fn user_json(user: &TgUser, is_bot: bool) -> Value {
    json!({
        "id": user.id,
        "is_bot": is_bot,
        "first_name": user.first_name,
        "language_code": user.language_code,
    })
}

/// Queues a forged callback query and notes its id.
fn forge(
    telegram: &crate::support::fake_telegram::FakeTelegram,
    ids: &mut Vec<String>,
    update: Value,
) {
    ids.push(
        update["callback_query"]["id"]
            .as_str()
            .expect("a query id")
            .to_owned(),
    );
    telegram.send_raw_update(update);
}

/// A callback query from `user`, on `message` (any JSON), with `data`.
fn callback(user: &TgUser, message: Option<Value>, data: Option<&str>) -> Value {
    let mut query = json!({
        "id": format!("{}", rand::random::<u64>()),
        "from": user_json(user, false),
        "chat_instance": "-42",
    });
    if let Some(message) = message {
        query["message"] = message;
    }
    if let Some(data) = data {
        query["data"] = json!(data);
    }
    json!({ "callback_query": query })
}
