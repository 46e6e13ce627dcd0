//! Self-tests of the fake Telegram Bot API, driven through teloxide's real client where teloxide
//! can express the call, so what passes here also deserializes in the bot.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{Json, Router, extract::State, http::HeaderMap, http::StatusCode, routing::post};
use serde_json::{Value, json};
use teloxide::{
    ApiError, RequestError,
    prelude::*,
    types::{
        BotCommand, CallbackQueryId, ChatFullInfoKind, ChatFullInfoPublicKind, ChatMemberKind,
        InlineKeyboardButton, InlineKeyboardMarkup, MessageEntityKind, MessageId, Rgb, ThreadId,
        Update, UpdateKind, UserId,
    },
};

use crate::support::fake_telegram::{
    BOT_ID, BOT_USERNAME, BotRights, FakeTelegram, MediaKind, MemberStatus, TgUser,
};

const WAIT: Duration = Duration::from_secs(5);
const QUERY_TOO_OLD: &str =
    "Bad Request: query is too old and response timeout expired or query ID is invalid";

async fn start() -> (FakeTelegram, Bot) {
    let tg = FakeTelegram::start().await;
    let bot = Bot::new(tg.token()).set_api_url(tg.url());
    (tg, bot)
}

fn olena(tg: &FakeTelegram) -> TgUser {
    tg.user(1001, "Olena", Some("olena_k"), Some("uk"))
}

fn keyboard(buttons: &[(&str, &str)]) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([buttons
        .iter()
        .map(|(label, data)| InlineKeyboardButton::callback(*label, *data))
        .collect::<Vec<_>>()])
}

fn api_error(result: Result<impl std::fmt::Debug, RequestError>) -> ApiError {
    match result {
        Err(RequestError::Api(e)) => e,
        other => panic!("expected a Telegram API error, got {other:?}"),
    }
}

fn unknown_text(result: Result<impl std::fmt::Debug, RequestError>) -> String {
    match api_error(result) {
        ApiError::Unknown(text) => text,
        other => panic!("expected an error teloxide does not name, got {other:?}"),
    }
}

fn message(update: &Update) -> &Message {
    match &update.kind {
        UpdateKind::Message(m) => m,
        other => panic!("expected a message update, got {other:?}"),
    }
}

#[tokio::test]
async fn get_me_describes_the_bot_and_a_wrong_token_is_unauthorized() {
    let (tg, bot) = start().await;
    let me = bot.get_me().await.expect("getMe");
    assert_eq!(me.id, UserId(u64::try_from(BOT_ID).expect("positive id")));
    assert!(me.is_bot);
    assert_eq!(me.username(), BOT_USERNAME);

    let intruder = Bot::new("123456:not-the-token").set_api_url(tg.url());
    assert_eq!(api_error(intruder.get_me().await), ApiError::InvalidToken);
    let last = tg.calls().pop().expect("the call was recorded");
    assert_eq!(
        (last.status, last.description()),
        (401, Some("Unauthorized"))
    );
}

#[tokio::test]
async fn raw_http_unknown_methods_forms_and_malformed_bodies() {
    let (tg, _bot) = start().await;
    let user = olena(&tg);
    let base = format!("{}bot{}", tg.url(), tg.token());
    let http = reqwest::Client::new();

    let unknown = http
        .post(format!("{base}/sendUnicorn"))
        .json(&json!({}))
        .send()
        .await
        .expect("HTTP");
    assert_eq!(unknown.status(), 404);
    let body: Value = unknown.json().await.expect("JSON body");
    assert_eq!(
        body,
        json!({ "ok": false, "error_code": 404, "description": "Not Found" })
    );

    // Method names ignore case; form-encoded parameters work like JSON ones.
    let form = http
        .post(format!("{base}/SENDMESSAGE"))
        .form(&[
            ("chat_id", "1001"),
            ("text", "form hello"),
            ("protect_content", "true"),
        ])
        .send()
        .await
        .expect("HTTP");
    assert_eq!(form.status(), 200);
    let sent = tg.chat(user.id).pop().expect("the message is visible");
    assert_eq!(sent.text.as_deref(), Some("form hello"));
    assert!(sent.protect_content);

    // Query-string parameters on GET, like Telegram accepts.
    let get = http
        .get(format!("{base}/getChat?chat_id=1001"))
        .send()
        .await
        .expect("HTTP");
    assert_eq!(get.status(), 200);

    // A malformed body is a 400, never a crash: the server keeps answering.
    let broken = http
        .post(format!("{base}/sendMessage"))
        .header("content-type", "application/json")
        .body("{\"chat_id\": 1001, \"text\": ")
        .send()
        .await
        .expect("HTTP");
    assert_eq!(broken.status(), 400);
    let body: Value = broken.json().await.expect("JSON body");
    assert!(
        body["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Bad Request: "))
    );
    let weird = http
        .post(format!("{base}/sendMessage"))
        .json(&json!({ "chat_id": {"nested": true}, "text": ["not", "text"], "reply_markup": 7 }))
        .send()
        .await
        .expect("HTTP");
    assert_eq!(weird.status(), 400);
    let after = http
        .post(format!("{base}/getMe"))
        .send()
        .await
        .expect("HTTP");
    assert_eq!(after.status(), 200);
}

#[tokio::test]
async fn sent_messages_come_back_as_full_objects_and_stay_visible() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    let sent = bot
        .send_message(ChatId(user.id), "<b>Is it safe</b> to talk now?")
        .parse_mode(teloxide::types::ParseMode::Html)
        .reply_markup(keyboard(&[("Yes", "safe:yes"), ("Not now", "safe:no")]))
        .await
        .expect("sendMessage");
    assert_eq!(sent.chat.id, ChatId(user.id));
    assert_eq!(sent.from.as_ref().map(|u| u.id), Some(UserId(123_456)));
    assert_eq!(sent.text(), Some("Is it safe to talk now?"));
    assert_eq!(sent.date.timestamp(), tg.now());
    let markup = sent.reply_markup().expect("inline keyboard");
    assert_eq!(markup.inline_keyboard[0].len(), 2);

    let visible = tg.message(user.id, sent.id.0).expect("visible in her chat");
    assert!(visible.sent_by_bot());
    assert_eq!(visible.button_labels(), ["Yes", "Not now"]);
    assert_eq!(visible.button_data(), ["safe:yes", "safe:no"]);
    assert_eq!(visible.parse_mode.as_deref(), Some("HTML"));

    tg.advance(Duration::from_secs(3600));
    let later = bot
        .send_message(ChatId(user.id), "later")
        .await
        .expect("sendMessage");
    assert_eq!(later.date.timestamp() - sent.date.timestamp(), 3600);
    assert_eq!(later.id.0, sent.id.0 + 1);
}

#[tokio::test]
async fn get_updates_offset_confirms_and_forgets() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    tg.send_text(&user, "hello");
    tg.send_command(&user, "/start ua");

    let first = bot.get_updates().await.expect("getUpdates");
    assert_eq!(first.len(), 2);
    assert_eq!(message(&first[0]).text(), Some("hello"));
    let command = message(&first[1]);
    assert_eq!(command.text(), Some("/start ua"));
    let entity = &command.entities().expect("command entity")[0];
    assert_eq!(
        (entity.kind.clone(), entity.offset, entity.length),
        (MessageEntityKind::BotCommand, 0, 6)
    );
    assert_eq!(
        command
            .from
            .as_ref()
            .and_then(|u| u.language_code.as_deref()),
        Some("uk")
    );

    // Without an offset nothing is confirmed: the same updates come again.
    let again = bot.get_updates().await.expect("getUpdates");
    assert_eq!(
        again.iter().map(|u| u.id).collect::<Vec<_>>(),
        first.iter().map(|u| u.id).collect::<Vec<_>>()
    );

    // offset = last id + 1 confirms both.
    let offset = first[1].id.as_offset();
    assert!(
        bot.get_updates()
            .offset(offset)
            .await
            .expect("getUpdates")
            .is_empty()
    );
    assert_eq!(tg.with_state(|s| s.pending_updates()), 0);

    // Only newer updates arrive afterwards; the limit is honoured.
    tg.send_text(&user, "three");
    tg.send_text(&user, "four");
    let limited = bot
        .get_updates()
        .offset(offset)
        .limit(1)
        .await
        .expect("getUpdates");
    assert_eq!(limited.len(), 1);
    assert_eq!(message(&limited[0]).text(), Some("three"));

    // A negative offset keeps only the last update.
    let last_only = bot.get_updates().offset(-1).await.expect("getUpdates");
    assert_eq!(last_only.len(), 1);
    assert_eq!(message(&last_only[0]).text(), Some("four"));
}

#[tokio::test]
async fn long_poll_wakes_up_when_an_update_arrives() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(10).await }
    });
    tg.wait_for(|s| s.waiting_polls() == 1, WAIT)
        .await
        .expect("the poll is waiting");
    let pushed = Instant::now();
    tg.send_text(&user, "are you there?");
    let updates = poll.await.expect("poll task").expect("getUpdates");
    assert!(
        pushed.elapsed() < Duration::from_secs(3),
        "woke after {:?}",
        pushed.elapsed()
    );
    assert_eq!(updates.len(), 1);
    assert_eq!(message(&updates[0]).text(), Some("are you there?"));
}

#[tokio::test]
async fn long_poll_without_updates_returns_empty_after_the_timeout() {
    let (_tg, bot) = start().await;
    let started = Instant::now();
    let updates = bot.get_updates().timeout(1).await.expect("getUpdates");
    assert!(updates.is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "returned after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_newer_get_updates_terminates_the_older_one() {
    let (tg, bot) = start().await;
    let older = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(10).await }
    });
    tg.wait_for(|s| s.waiting_polls() == 1, WAIT)
        .await
        .expect("the poll is waiting");
    bot.get_updates().await.expect("the newer poll wins");
    let result = older.await.expect("poll task");
    assert_eq!(api_error(result), ApiError::TerminatedByOtherGetUpdates);
}

#[tokio::test]
async fn duplicated_updates_come_twice_with_the_same_id() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    tg.duplicate_next(1);
    tg.send_text(&user, "one");
    tg.send_text(&user, "two");

    let first = bot.get_updates().await.expect("getUpdates");
    assert_eq!(first.len(), 2);
    let offset = first[1].id.as_offset();
    let second = bot.get_updates().offset(offset).await.expect("getUpdates");
    assert_eq!(second.len(), 1, "the duplicated update comes once more");
    assert_eq!(second[0].id, first[0].id);
    assert_eq!(message(&second[0]).text(), Some("one"));
    assert!(
        bot.get_updates()
            .offset(offset)
            .await
            .expect("getUpdates")
            .is_empty()
    );
}

#[tokio::test]
async fn every_pushed_update_kind_deserializes_in_teloxide() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    let consultant = tg.user(2002, "Iryna", None, Some("ru"));
    let group = tg.create_forum_group("Staff");
    tg.add_member(group, &consultant, MemberStatus::Member);
    let topic = bot
        .create_forum_topic(ChatId(group), "K-7F3Q")
        .await
        .expect("createForumTopic");
    let menu = bot
        .send_message(ChatId(user.id), "Menu")
        .reply_markup(keyboard(&[("Help", "menu:help")]))
        .await
        .expect("sendMessage");

    let text = tg.send_text(&user, "hi");
    tg.send_location(&user, 50.45, 30.52);
    tg.send_sticker(&user);
    tg.send_photo(&user);
    tg.send_voice(&user);
    tg.send_document(&user);
    tg.send_media(&user, MediaKind::Video);
    tg.send_in_topic(&consultant, group, topic.thread_id.0.0, "I take it");
    tg.send_in_group(&consultant, group, "board");
    tg.edited_message(&user, text, "hi again");
    let query = tg.press_button(&user, menu.id.0, "menu:help");
    tg.bot_blocked_by(&user);
    let hostile = tg.send_raw_update(json!({ "something_new": { "x": 1 } }));

    let updates = bot.get_updates().await.expect("getUpdates");
    assert_eq!(updates.len(), 13);
    let [
        text,
        location,
        sticker,
        photo,
        voice,
        document,
        video,
        in_topic,
        in_group,
        edited,
        callback,
        blocked,
        raw,
    ] = &updates[..]
    else {
        panic!("13 updates");
    };
    assert_eq!(message(text).text(), Some("hi"));
    let location = message(location).location().expect("location");
    assert!((location.latitude - 50.45).abs() < 1e-9 && (location.longitude - 30.52).abs() < 1e-9);
    assert!(message(sticker).sticker().is_some());
    assert_eq!(message(photo).photo().map(<[_]>::len), Some(2));
    assert!(message(voice).voice().is_some());
    assert!(message(document).document().is_some());
    assert!(message(video).video().is_some());

    let in_topic = message(in_topic);
    assert_eq!(in_topic.thread_id, Some(topic.thread_id));
    assert!(in_topic.is_topic_message);
    assert_eq!(in_topic.chat.id, ChatId(group));
    assert!(in_topic.chat.is_supergroup());
    assert_eq!(message(in_group).thread_id, None);

    match &edited.kind {
        UpdateKind::EditedMessage(m) => {
            assert_eq!(m.text(), Some("hi again"));
            assert!(m.edit_date().is_some());
        }
        other => panic!("expected edited_message, got {other:?}"),
    }
    match &callback.kind {
        UpdateKind::CallbackQuery(q) => {
            assert_eq!(q.id, CallbackQueryId(query.clone()));
            assert_eq!(q.data.as_deref(), Some("menu:help"));
            assert_eq!(q.message.as_ref().map(|m| m.id()), Some(menu.id));
        }
        other => panic!("expected callback_query, got {other:?}"),
    }
    match &blocked.kind {
        UpdateKind::MyChatMember(m) => {
            assert!(matches!(m.new_chat_member.kind, ChatMemberKind::Banned(_)));
            assert_eq!(m.chat.id, ChatId(user.id));
        }
        other => panic!("expected my_chat_member, got {other:?}"),
    }
    assert_eq!(i64::from(raw.id.0), hostile);
    assert!(
        matches!(raw.kind, UpdateKind::Error(_)),
        "teloxide keeps unknown updates as errors"
    );
    let unparsed = updates[..12]
        .iter()
        .filter(|u| matches!(u.kind, UpdateKind::Error(_)))
        .count();
    assert_eq!(unparsed, 0, "the fake's own updates all parse");
}

#[tokio::test]
async fn flood_control_answers_retry_after_and_enforces_the_wait() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    let other = tg.user(1002, "Aigerim", None, Some("kk"));
    tg.set_retry_after_unit(Duration::from_millis(300));
    tg.set_429_rate(1.0);
    match bot.send_message(ChatId(user.id), "hello").await {
        Err(RequestError::RetryAfter(wait)) => assert_eq!(wait.seconds(), 1),
        other => panic!("expected RetryAfter, got {other:?}"),
    }
    let flood = tg.calls().pop().expect("recorded");
    assert_eq!(flood.status, 429);
    assert_eq!(
        flood.description(),
        Some("Too Many Requests: retry after 1")
    );
    assert_eq!(flood.response["parameters"]["retry_after"], json!(1));

    // No more random faults, but retrying before the wait is over still gets a 429 …
    tg.set_429_rate(0.0);
    assert!(matches!(
        bot.send_message(ChatId(user.id), "hello").await,
        Err(RequestError::RetryAfter(_))
    ));
    // … only in that chat …
    bot.send_message(ChatId(other.id), "hi")
        .await
        .expect("other chats are not limited");
    // … and waiting what retry_after asked for (one scaled second) is enough.
    tokio::time::sleep(Duration::from_millis(300)).await;
    bot.send_message(ChatId(user.id), "hello")
        .await
        .expect("after the wait");
    assert_eq!(
        tg.chat(user.id).len(),
        1,
        "failed sends leave nothing in the chat"
    );
}

#[tokio::test]
async fn flood_faults_repeat_with_the_same_seed() {
    async fn pattern(seed: u64) -> Vec<u16> {
        let (tg, bot) = start().await;
        tg.set_seed(seed);
        tg.set_retry_after_unit(Duration::from_millis(1));
        tg.set_429_rate(0.3);
        for id in 1..=40 {
            let user = tg.user(5000 + id, "Test", None, None);
            let _ = bot.send_message(ChatId(user.id), "hi").await;
        }
        tg.calls_to("sendMessage")
            .iter()
            .map(|c| c.status)
            .collect()
    }
    let first = pattern(7).await;
    assert_eq!(first, pattern(7).await);
    let floods = first.iter().filter(|s| **s == 429).count();
    assert!(
        (4..=24).contains(&floods),
        "about 30% of 40 calls, got {floods}"
    );
    assert_ne!(first, pattern(8).await, "another seed fails other calls");
}

#[tokio::test]
async fn text_limits_count_utf16_and_reject_empty_text() {
    let (tg, bot) = start().await;
    let chat = ChatId(olena(&tg).id);
    assert_eq!(
        api_error(bot.send_message(chat, "").await),
        ApiError::MessageTextIsEmpty
    );
    assert_eq!(
        api_error(bot.send_message(chat, " \n ").await),
        ApiError::MessageTextIsEmpty
    );
    // 2049 emoji are 2049 characters but 4098 UTF-16 code units: too long for Telegram.
    assert_eq!(
        api_error(bot.send_message(chat, "🌷".repeat(2049)).await),
        ApiError::MessageIsTooLong
    );
    assert_eq!(
        api_error(bot.send_message(chat, "a".repeat(4097)).await),
        ApiError::MessageIsTooLong
    );
    bot.send_message(chat, "🌷".repeat(2048))
        .await
        .expect("exactly 4096 units");
    let edit = bot
        .edit_message_text(
            chat,
            MessageId(tg.chat(chat.0)[0].message_id),
            "b".repeat(4097),
        )
        .await;
    assert_eq!(api_error(edit), ApiError::EditedMessageIsTooLong);
}

#[tokio::test]
async fn callback_data_must_be_1_to_64_bytes() {
    let (tg, bot) = start().await;
    let chat = ChatId(olena(&tg).id);
    let long = "x".repeat(65);
    let cyrillic = "ж".repeat(33); // 33 characters, 66 bytes
    for data in [long.as_str(), cyrillic.as_str(), ""] {
        let result = bot
            .send_message(chat, "menu")
            .reply_markup(keyboard(&[("Go", data)]))
            .await;
        assert_eq!(
            api_error(result),
            ApiError::ButtonDataInvalid,
            "data {data:?}"
        );
    }
    let ok = "y".repeat(64);
    bot.send_message(chat, "menu")
        .reply_markup(keyboard(&[("Go", &ok)]))
        .await
        .expect("64 bytes fit");
}

#[tokio::test]
async fn edits_follow_telegrams_rules() {
    let (tg, bot) = start().await;
    let chat = ChatId(olena(&tg).id);
    let sent = bot
        .send_message(chat, "Choose")
        .reply_markup(keyboard(&[("A", "a")]))
        .await
        .expect("sendMessage");

    let same = bot
        .edit_message_text(chat, sent.id, "Choose")
        .reply_markup(keyboard(&[("A", "a")]))
        .await;
    assert_eq!(api_error(same), ApiError::MessageNotModified);
    let missing = bot.edit_message_text(chat, MessageId(9999), "x").await;
    assert_eq!(api_error(missing), ApiError::MessageToEditNotFound);

    // editMessageText without reply_markup removes the keyboard, as in Telegram.
    tg.advance(Duration::from_secs(60));
    let edited = bot
        .edit_message_text(chat, sent.id, "Chosen")
        .await
        .expect("editMessageText");
    assert_eq!(edited.text(), Some("Chosen"));
    assert!(edited.reply_markup().is_none());
    assert_eq!(edited.edit_date().map(|d| d.timestamp()), Some(tg.now()));
    let visible = tg.message(chat.0, sent.id.0).expect("visible");
    assert_eq!(visible.text.as_deref(), Some("Chosen"));
    assert!(visible.buttons.is_empty());

    bot.edit_message_reply_markup(chat, sent.id)
        .reply_markup(keyboard(&[("Back", "back")]))
        .await
        .expect("editMessageReplyMarkup");
    assert_eq!(
        tg.message(chat.0, sent.id.0)
            .expect("visible")
            .button_data(),
        ["back"]
    );
    let again = bot
        .edit_message_reply_markup(chat, sent.id)
        .reply_markup(keyboard(&[("Back", "back")]))
        .await;
    assert_eq!(api_error(again), ApiError::MessageNotModified);

    // Her own messages are not the bot's to edit.
    let hers = tg.send_text(&olena(&tg), "mine");
    let foreign = bot
        .edit_message_text(chat, MessageId(hers), "changed")
        .await;
    assert_eq!(api_error(foreign), ApiError::MessageCantBeEdited);
}

#[tokio::test]
async fn delete_window_is_48_hours_of_fake_time() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    let chat = ChatId(user.id);
    let first = bot.send_message(chat, "one").await.expect("sendMessage");
    let hers = tg.send_text(&user, "her message");
    let second = bot.send_message(chat, "two").await.expect("sendMessage");

    assert_eq!(
        api_error(bot.delete_message(chat, MessageId(9999)).await),
        ApiError::MessageToDeleteNotFound
    );
    tg.advance(Duration::from_secs(47 * 3600));
    bot.delete_message(chat, first.id)
        .await
        .expect("47 hours old");
    bot.delete_message(chat, MessageId(hers))
        .await
        .expect("the bot may delete hers in private");
    assert_eq!(
        api_error(bot.delete_message(chat, first.id).await),
        ApiError::MessageToDeleteNotFound
    );
    tg.advance(Duration::from_secs(2 * 3600));
    assert_eq!(
        api_error(bot.delete_message(chat, second.id).await),
        ApiError::MessageToDeleteNotFound
    );

    assert_eq!(tg.deleted_ids(user.id), [first.id.0, hers]);
    let left: Vec<i32> = tg.chat(user.id).iter().map(|m| m.message_id).collect();
    assert_eq!(left, [second.id.0]);
}

#[tokio::test]
async fn delete_messages_takes_1_to_100_ids_and_skips_missing_ones() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    let chat = ChatId(user.id);
    let mut ids = Vec::new();
    for text in ["a", "b", "c"] {
        ids.push(bot.send_message(chat, text).await.expect("sendMessage").id);
    }
    let hers = MessageId(tg.send_text(&user, "mine"));

    bot.delete_messages(chat, [ids[0], hers, MessageId(9999)])
        .await
        .expect("deleteMessages");
    assert_eq!(tg.deleted_ids(user.id), [ids[0].0, hers.0]);
    let texts: Vec<_> = tg
        .chat(user.id)
        .into_iter()
        .filter_map(|m| m.text)
        .collect();
    assert_eq!(texts, ["b", "c"]);

    let none: [MessageId; 0] = [];
    let empty = bot.delete_messages(chat, none).await;
    assert!(
        matches!(empty, Err(RequestError::Api(_))),
        "no ids: {empty:?}"
    );
    let too_many = bot.delete_messages(chat, (1..=101).map(MessageId)).await;
    assert!(
        matches!(too_many, Err(RequestError::Api(_))),
        "101 ids: {too_many:?}"
    );
    assert_eq!(tg.chat(user.id).len(), 2, "rejected calls delete nothing");
    let statuses: Vec<u16> = tg
        .calls_to("deleteMessages")
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [200, 400, 400]);
}

#[tokio::test]
async fn chat_not_found_and_blocked_chats() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    assert_eq!(
        api_error(bot.send_message(ChatId(424_242), "hi").await),
        ApiError::ChatNotFound
    );
    tg.block_chat(user.id);
    assert_eq!(
        api_error(bot.send_message(ChatId(user.id), "hi").await),
        ApiError::BotBlocked
    );
    let last = tg.calls().pop().expect("recorded");
    assert_eq!(last.status, 403);
}

#[tokio::test]
async fn blocking_the_bot_sends_my_chat_member_and_then_403() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    tg.bot_blocked_by(&user);
    let updates = bot.get_updates().await.expect("getUpdates");
    let UpdateKind::MyChatMember(change) = &updates[0].kind else {
        panic!("expected my_chat_member, got {:?}", updates[0].kind);
    };
    assert!(change.new_chat_member.kind.is_banned());
    assert!(!change.old_chat_member.kind.is_banned());
    assert_eq!(
        api_error(bot.send_message(ChatId(user.id), "hi").await),
        ApiError::BotBlocked
    );
    assert!(tg.chat(user.id).is_empty());
}

#[tokio::test]
async fn callback_queries_can_be_answered_once() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    let menu = bot
        .send_message(ChatId(user.id), "Menu")
        .reply_markup(keyboard(&[("SOS", "sos")]))
        .await
        .expect("sendMessage");
    let query = tg.press_button(&user, menu.id.0, "sos");
    bot.answer_callback_query(CallbackQueryId(query.clone()))
        .text("Opening…")
        .await
        .expect("first answer");
    let answered = tg.answered_callbacks();
    assert_eq!(answered.len(), 1);
    assert_eq!(
        (answered[0].id.as_str(), answered[0].text.as_deref()),
        (query.as_str(), Some("Opening…"))
    );

    // teloxide 0.17 expects "query id" in lower case, so Telegram's real text parses as Unknown.
    let second = bot.answer_callback_query(CallbackQueryId(query)).await;
    assert_eq!(unknown_text(second), QUERY_TOO_OLD);
    let unknown = bot
        .answer_callback_query(CallbackQueryId("123".into()))
        .await;
    assert_eq!(unknown_text(unknown), QUERY_TOO_OLD);
    let long = bot
        .answer_callback_query(CallbackQueryId("1".into()))
        .text("x".repeat(201))
        .await;
    assert!(long.is_err());
}

#[tokio::test]
async fn copy_message_relays_without_forward_header_and_forward_keeps_it() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    let group = tg.create_forum_group("Staff");
    let topic = bot
        .create_forum_topic(ChatId(group), "K-7F3Q")
        .await
        .expect("createForumTopic");
    let photo = tg.send_photo(&user);
    let text = tg.send_text(&user, "he took my documents");

    let copied = bot
        .copy_message(ChatId(group), ChatId(user.id), MessageId(photo))
        .message_thread_id(topic.thread_id)
        .await
        .expect("copyMessage");
    let copy = tg
        .message(group, copied.0)
        .expect("the copy is in the group");
    assert_eq!(copy.media, Some(MediaKind::Photo));
    assert_eq!(copy.copied_from, Some((user.id, photo)));
    assert_eq!(copy.thread_id, Some(topic.thread_id.0.0));
    assert!(copy.sent_by_bot());
    assert!(
        copy.to_json().get("forward_origin").is_none(),
        "no forward header"
    );

    let text_copy = bot
        .copy_message(ChatId(group), ChatId(user.id), MessageId(text))
        .message_thread_id(topic.thread_id)
        .await
        .expect("copyMessage");
    assert_eq!(
        tg.message(group, text_copy.0)
            .and_then(|m| m.text)
            .as_deref(),
        Some("he took my documents")
    );

    let forwarded = bot
        .forward_message(ChatId(group), ChatId(user.id), MessageId(text))
        .await
        .expect("forward");
    assert!(
        forwarded.forward_origin().is_some(),
        "a forward shows where it came from"
    );
    assert_eq!(
        tg.message(group, forwarded.id.0)
            .and_then(|m| m.forwarded_from),
        Some((user.id, text))
    );

    let missing = bot
        .copy_message(ChatId(group), ChatId(user.id), MessageId(999))
        .await;
    assert_eq!(api_error(missing), ApiError::MessageToCopyNotFound);
}

#[tokio::test]
async fn protect_content_and_silent_sends_are_recorded() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    let group = tg.create_forum_group("Staff");
    let plan = bot
        .send_message(ChatId(user.id), "Your safety plan")
        .protect_content(true)
        .disable_notification(true)
        .await
        .expect("sendMessage");
    assert!(plan.has_protected_content());
    let visible = tg.message(user.id, plan.id.0).expect("visible");
    assert!(visible.protect_content && visible.disable_notification);
    let call = tg.calls_to("sendMessage").pop().expect("recorded");
    assert_eq!(call.params["protect_content"], json!(true));

    let plain = bot
        .send_message(ChatId(user.id), "hello")
        .await
        .expect("sendMessage");
    assert!(!plain.has_protected_content());
    assert!(
        !tg.message(user.id, plain.id.0)
            .expect("visible")
            .protect_content
    );

    // Protected content cannot leave the chat, not even by the bot.
    let copy = bot
        .copy_message(ChatId(group), ChatId(user.id), plan.id)
        .await;
    assert_eq!(
        unknown_text(copy),
        "Bad Request: message has protected content and can't be forwarded"
    );
}

#[tokio::test]
async fn forum_topics_follow_telegrams_rules() {
    let (tg, bot) = start().await;
    let consultant = tg.user(2002, "Iryna", None, Some("uk"));
    let group = tg.create_forum_group("Staff");
    tg.add_member(group, &consultant, MemberStatus::Member);

    let topic = bot
        .create_forum_topic(ChatId(group), "K-7F3Q · uk · UA")
        .await
        .expect("createForumTopic");
    assert_eq!(topic.name, "K-7F3Q · uk · UA");
    assert_eq!(topic.icon_color, Rgb::from_u32(0x6F_B9_F0));
    let sent = bot
        .send_message(ChatId(group), "New case")
        .message_thread_id(topic.thread_id)
        .await
        .expect("sendMessage into the topic");
    assert_eq!(sent.thread_id, Some(topic.thread_id));
    assert!(sent.is_topic_message);
    tg.send_in_topic(&consultant, group, topic.thread_id.0.0, "on it");
    let in_topic: Vec<_> = tg
        .chat(group)
        .into_iter()
        .filter(|m| m.thread_id == Some(topic.thread_id.0.0) && m.service.is_none())
        .filter_map(|m| m.text)
        .collect();
    assert_eq!(in_topic, ["New case", "on it"]);

    let empty = bot.create_forum_topic(ChatId(group), "  ").await;
    assert!(matches!(empty, Err(RequestError::Api(_))));
    let too_long = bot.create_forum_topic(ChatId(group), "n".repeat(129)).await;
    assert!(matches!(too_long, Err(RequestError::Api(_))));
    bot.create_forum_topic(ChatId(group), "n".repeat(128))
        .await
        .expect("128 characters fit");

    let plain = tg.create_supergroup("Not a forum", false);
    let not_forum = bot.create_forum_topic(ChatId(plain), "x").await;
    assert_eq!(
        unknown_text(not_forum),
        "Bad Request: the chat is not a forum"
    );
    let no_rights = tg.create_forum_group("Bot is a member");
    tg.set_bot_rights(
        no_rights,
        BotRights {
            can_manage_topics: false,
            ..BotRights::default()
        },
    );
    let denied = bot.create_forum_topic(ChatId(no_rights), "x").await;
    assert_eq!(
        unknown_text(denied),
        "Bad Request: not enough rights to create a topic"
    );

    bot.close_forum_topic(ChatId(group), topic.thread_id)
        .await
        .expect("close");
    assert!(
        bot.close_forum_topic(ChatId(group), topic.thread_id)
            .await
            .is_err(),
        "already closed"
    );
    assert!(tg.topics(group)[0].closed);
    bot.reopen_forum_topic(ChatId(group), topic.thread_id)
        .await
        .expect("reopen");
    bot.edit_forum_topic(ChatId(group), topic.thread_id)
        .name("K-7F3Q · closed")
        .await
        .expect("edit");
    assert_eq!(tg.topics(group)[0].name, "K-7F3Q · closed");

    let nowhere = bot
        .send_message(ChatId(group), "x")
        .message_thread_id(ThreadId(MessageId(999)))
        .await;
    assert_eq!(
        unknown_text(nowhere),
        "Bad Request: message thread not found"
    );
    bot.delete_forum_topic(ChatId(group), topic.thread_id)
        .await
        .expect("deleteForumTopic");
    assert!(
        tg.chat(group)
            .iter()
            .all(|m| m.thread_id != Some(topic.thread_id.0.0))
    );
    let gone = bot
        .send_message(ChatId(group), "x")
        .message_thread_id(topic.thread_id)
        .await;
    assert_eq!(unknown_text(gone), "Bad Request: message thread not found");
}

#[tokio::test]
async fn chats_and_members_report_what_telegram_would() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    tg.set_auto_delete(user.id, Some(86_400));
    let chat = bot.get_chat(ChatId(user.id)).await.expect("getChat");
    assert!(chat.is_private());
    assert_eq!(
        chat.message_auto_delete_time.map(|s| s.seconds()),
        Some(86_400)
    );

    let coordinator = tg.user(3003, "Dana", Some("dana"), None);
    let group = tg.create_forum_group("Staff");
    tg.add_member(group, &coordinator, MemberStatus::Creator);
    let info = bot.get_chat(ChatId(group)).await.expect("getChat");
    assert!(info.is_supergroup());
    let is_forum = match &info.kind {
        ChatFullInfoKind::Public(public) => {
            matches!(&public.kind, ChatFullInfoPublicKind::Supergroup(s) if s.is_forum)
        }
        ChatFullInfoKind::Private(_) => false,
    };
    assert!(is_forum);

    let me = bot
        .get_chat_member(ChatId(group), UserId(123_456))
        .await
        .expect("getChatMember");
    match &me.kind {
        ChatMemberKind::Administrator(rights) => {
            assert!(rights.can_manage_topics && rights.can_delete_messages)
        }
        other => panic!("expected administrator, got {other:?}"),
    }
    let admins = bot
        .get_chat_administrators(ChatId(group))
        .await
        .expect("getChatAdministrators");
    assert_eq!(admins.len(), 2);
    assert!(admins[0].kind.is_owner());

    tg.set_bot_rights(group, BotRights::member());
    let me = bot
        .get_chat_member(ChatId(group), UserId(123_456))
        .await
        .expect("getChatMember");
    assert!(me.kind.is_member());
    let stranger = bot
        .get_chat_member(ChatId(group), UserId(1001))
        .await
        .expect("getChatMember");
    assert!(stranger.kind.is_left());
}

#[tokio::test]
async fn commands_and_descriptions_are_kept_per_language() {
    let (tg, bot) = start().await;
    bot.set_my_commands([
        BotCommand::new("start", "Begin"),
        BotCommand::new("help", "Help"),
    ])
    .await
    .expect("setMyCommands");
    bot.set_my_commands([BotCommand::new("start", "Почати")])
        .language_code("uk")
        .await
        .expect("setMyCommands");
    assert_eq!(tg.commands(None).len(), 2);
    assert_eq!(
        tg.commands(Some("uk")),
        [("start".to_owned(), "Почати".to_owned())]
    );
    let uk = bot
        .get_my_commands()
        .language_code("uk")
        .await
        .expect("getMyCommands");
    assert_eq!(uk[0].description, "Почати");
    assert!(
        bot.get_my_commands()
            .language_code("sr")
            .await
            .expect("getMyCommands")
            .is_empty()
    );
    let invalid = bot.set_my_commands([BotCommand::new("Start", "x")]).await;
    assert!(invalid.is_err(), "commands are lower case");

    bot.set_my_description()
        .description("A helpline")
        .language_code("en")
        .await
        .expect("setMyDescription");
    bot.set_my_short_description()
        .short_description("Help")
        .await
        .expect("setMyShortDescription");
    assert_eq!(
        tg.with_state(|s| s.description(Some("en")).map(str::to_owned))
            .as_deref(),
        Some("A helpline")
    );
    let short = bot
        .get_my_short_description()
        .await
        .expect("getMyShortDescription");
    assert_eq!(short.short_description, "Help");
}

/// What a test webhook receiver saw: the secret header and the body of each POST.
type Received = Arc<Mutex<Vec<(Option<String>, Value)>>>;

async fn webhook_receiver(
    received: State<Received>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> StatusCode {
    let secret = headers
        .get("x-telegram-bot-api-secret-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut seen = received
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    seen.push((secret, body));
    // The first delivery fails, to exercise Telegram's retry.
    if seen.len() == 1 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

#[tokio::test]
async fn webhook_delivers_with_the_secret_and_retries_after_a_500() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    let received: Received = Arc::default();
    let app = Router::new()
        .route("/hook", post(webhook_receiver))
        .with_state(Arc::clone(&received));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hook_url: url::Url = format!("http://{}/hook", listener.local_addr().expect("address"))
        .parse()
        .expect("URL");
    tokio::spawn(async move { axum::serve(listener, app).await });
    tg.set_webhook_retry_delay(Duration::from_millis(20));

    bot.set_webhook(hook_url.clone())
        .secret_token("s3cret-token")
        .await
        .expect("setWebhook");
    let conflict = bot.get_updates().await;
    assert!(
        unknown_text(conflict)
            .starts_with("Conflict: can't use getUpdates method while webhook is active")
    );

    tg.send_text(&user, "hello");
    tg.wait_for(
        |s| s.webhook_deliveries().len() >= 2 && s.pending_updates() == 0,
        WAIT,
    )
    .await
    .expect("delivered after one retry");
    let deliveries = tg.webhook_deliveries();
    assert_eq!(
        deliveries.iter().map(|d| d.status).collect::<Vec<_>>(),
        [Some(500), Some(200)]
    );
    assert_eq!(deliveries[0].update_id, deliveries[1].update_id);
    {
        let seen = received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        assert!(
            seen.iter()
                .all(|(secret, _)| secret.as_deref() == Some("s3cret-token"))
        );
        assert_eq!(seen[1].1["message"]["text"], json!("hello"));
        // Parse from text as the bot will: teloxide's Update does not parse from a serde_json::Value.
        let from_value: Update = serde_json::from_value(seen[1].1.clone()).expect("an Update");
        assert!(matches!(from_value.kind, UpdateKind::Error(_)));
        let update: Update =
            serde_json::from_str(&seen[1].1.to_string()).expect("a teloxide Update");
        assert_eq!(message(&update).text(), Some("hello"));
    }
    let info = bot.get_webhook_info().await.expect("getWebhookInfo");
    assert_eq!(info.url, Some(hook_url));
    assert_eq!(info.pending_update_count, 0);
    assert!(info.last_error_message.is_some_and(|m| m.contains("500")));

    // Duplicates reach the webhook too.
    tg.duplicate_next(1);
    tg.send_text(&user, "again");
    tg.wait_for(
        |s| s.webhook_deliveries().len() >= 4 && s.pending_updates() == 0,
        WAIT,
    )
    .await
    .expect("delivered twice");
    let deliveries = tg.webhook_deliveries();
    assert_eq!(deliveries[2].update_id, deliveries[3].update_id);
    assert_eq!(deliveries[3].status, Some(200));

    bot.delete_webhook().await.expect("deleteWebhook");
    assert!(
        bot.get_updates()
            .await
            .expect("polling works again")
            .is_empty()
    );
}

#[tokio::test]
async fn shutdown_ends_pending_long_polls() {
    let (tg, bot) = start().await;
    let poll = tokio::spawn(async move { bot.get_updates().timeout(30).await });
    tg.wait_for(|s| s.waiting_polls() == 1, WAIT)
        .await
        .expect("the poll is waiting");
    let started = Instant::now();
    tg.shutdown().await;
    let _ = tokio::time::timeout(WAIT, poll)
        .await
        .expect("the poll ended with the server");
    assert!(started.elapsed() < WAIT);
}

#[tokio::test]
async fn reply_watch_reports_sends_and_edits_and_history_can_be_off() {
    let (tg, bot) = start().await;
    let user = olena(&tg);
    let mut replies = tg.watch_replies();
    tg.keep_call_history(false);

    let sent = bot
        .send_message(ChatId(user.id), "Hello")
        .reply_markup(keyboard(&[("Go", "go")]))
        .await
        .expect("sendMessage");
    let before = Instant::now();
    bot.edit_message_text(ChatId(user.id), sent.id, "Hello again")
        .await
        .expect("editMessageText");
    let unchanged = bot
        .edit_message_text(ChatId(user.id), sent.id, "Hello again")
        .await;
    assert_eq!(api_error(unchanged), ApiError::MessageNotModified);
    bot.get_me().await.expect("getMe is not a reply");

    let first = replies.recv().await.expect("the send was reported");
    assert_eq!(
        (first.chat_id, first.message_id, first.edit, first.ok),
        (Some(user.id), Some(sent.id.0), false, true)
    );
    let edit = replies.recv().await.expect("the edit was reported");
    assert_eq!(
        (edit.message_id, edit.edit, edit.ok),
        (Some(sent.id.0), true, true)
    );
    assert!(edit.at >= before);
    let refused = replies
        .recv()
        .await
        .expect("a refused edit is still an answer");
    assert_eq!((refused.message_id, refused.ok), (Some(sent.id.0), false));
    assert!(replies.try_recv().is_err(), "getMe is not reported");

    // getUpdates answers the same without history (from text serialized once).
    tg.duplicate_next(1);
    let sent_text = tg.send_text(&user, "typed while history is off");
    let updates = bot.get_updates().await.expect("getUpdates");
    assert_eq!(updates.len(), 1);
    assert_eq!(message(&updates[0]).id.0, sent_text);
    assert_eq!(
        message(&updates[0]).text(),
        Some("typed while history is off")
    );
    let next = i32::try_from(updates[0].id.0).expect("small id") + 1;
    let again = bot.get_updates().offset(next).await.expect("getUpdates");
    assert_eq!(again.len(), 1, "a duplicated update comes once more");
    assert_eq!(again[0].id, updates[0].id);
    assert!(
        bot.get_updates()
            .offset(next)
            .await
            .expect("getUpdates")
            .is_empty()
    );

    assert!(tg.calls().is_empty(), "no history while it is off");
    assert_eq!(tg.chat(user.id).len(), 2, "chats are still kept");
    tg.keep_call_history(true);
    bot.get_me().await.expect("getMe");
    assert_eq!(tg.calls().len(), 1);
}

/// What the ordering receiver saw: each POST as (update id, chat id, attempt start), plus how
/// many POSTs were open at once, overall and per chat.
#[derive(Default)]
struct Ordering {
    arrivals: Vec<(i64, i64)>,
    open: std::collections::HashMap<i64, usize>,
    open_total: usize,
    most_open_total: usize,
    most_open_in_a_chat: usize,
    /// Update ids answered 500 on their first POST, and held past the timeout on theirs.
    fail_once: Vec<i64>,
    hang_once: Vec<i64>,
}

async fn ordering_receiver(
    log: State<Arc<Mutex<Ordering>>>,
    Json(body): Json<Value>,
) -> StatusCode {
    let id = body["update_id"].as_i64().unwrap_or_default();
    let chat = body["message"]["chat"]["id"].as_i64().unwrap_or_default();
    let (fail, hang) = {
        let mut seen = log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let first = !seen.arrivals.iter().any(|(earlier, _)| *earlier == id);
        seen.arrivals.push((id, chat));
        let hang = first && seen.hang_once.contains(&id);
        if !hang {
            *seen.open.entry(chat).or_default() += 1;
            seen.open_total += 1;
            seen.most_open_total = seen.most_open_total.max(seen.open_total);
            let in_chat = seen.open[&chat];
            seen.most_open_in_a_chat = seen.most_open_in_a_chat.max(in_chat);
        }
        (first && seen.fail_once.contains(&id), hang)
    };
    if hang {
        // Past the fake's timeout; not counted as open, since the fake gives up on it.
        tokio::time::sleep(Duration::from_millis(600)).await;
        return StatusCode::OK;
    }
    tokio::time::sleep(Duration::from_millis(60)).await;
    {
        let mut seen = log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *seen.open.entry(chat).or_default() -= 1;
        seen.open_total -= 1;
    }
    if fail {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// Telegram's webhook order: one chat's updates one at a time and in order, chats at once, and
/// an update that failed (500, or no answer in time) sent again before the next of its chat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_sends_one_chat_at_a_time_chats_at_once_and_retries_in_place() {
    let (tg, bot) = start().await;
    let olena = olena(&tg);
    let mira = tg.user(1002, "Mira", None, Some("en"));
    let log: Arc<Mutex<Ordering>> = Arc::default();
    let app = Router::new()
        .route("/hook", post(ordering_receiver))
        .with_state(Arc::clone(&log));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hook_url: url::Url = format!("http://{}/hook", listener.local_addr().expect("address"))
        .parse()
        .expect("URL");
    tokio::spawn(async move { axum::serve(listener, app).await });
    tg.set_webhook_retry_delay(Duration::from_millis(20));
    tg.set_webhook_timeout(Duration::from_millis(300));

    // Nothing is delivered before the webhook is set: all eight wait in the queue.
    let mut hers = Vec::new();
    let mut his = Vec::new();
    for i in 0..4 {
        tg.send_text(&olena, &format!("o{i}"));
        hers.push(tg.with_state(|s| s.newest_update_id()));
        tg.send_text(&mira, &format!("m{i}"));
        his.push(tg.with_state(|s| s.newest_update_id()));
    }
    {
        let mut log = log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        log.fail_once.push(hers[1]);
        log.hang_once.push(his[2]);
    }
    bot.set_webhook(hook_url).await.expect("setWebhook");
    tg.wait_for(|s| s.pending_updates() == 0, WAIT)
        .await
        .expect("everything delivered");

    let log = log
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    assert_eq!(
        log.most_open_in_a_chat, 1,
        "one chat's updates one at a time"
    );
    assert!(
        log.most_open_total >= 2,
        "two chats are served at once: {}",
        log.most_open_total
    );
    for (chat, sent) in [(olena.chat_id(), &hers), (mira.chat_id(), &his)] {
        let mut arrived: Vec<i64> = log
            .arrivals
            .iter()
            .filter(|(_, c)| *c == chat)
            .map(|(id, _)| *id)
            .collect();
        // Each failed update comes twice in a row, then the next one of its chat.
        let retried = arrived.windows(2).filter(|w| w[0] == w[1]).count();
        assert_eq!(retried, 1, "one retry in each chat: {arrived:?}");
        arrived.dedup();
        assert_eq!(
            &arrived, sent,
            "in order, the failed one again before the next"
        );
    }
    let deliveries = tg.webhook_deliveries();
    let statuses = |id: i64| -> Vec<Option<u16>> {
        deliveries
            .iter()
            .filter(|d| d.update_id == id)
            .map(|d| d.status)
            .collect()
    };
    assert_eq!(statuses(hers[1]), [Some(500), Some(200)]);
    assert_eq!(
        statuses(his[2]),
        [None, Some(200)],
        "a timeout is a failure"
    );
    assert_eq!(deliveries.len(), 10, "eight updates, two sent twice");
}
