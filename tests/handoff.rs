//! The hand-off to a peer consultant, end to end through the fake Bot API: with the embedded
//! default (SQLite, in-process line) and with Postgres and Redis. And the waiting line's
//! conformance suite, run on both implementations.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use helpline::domain::Locale;
use helpline::handoff::cases::NewCase;
use helpline::handoff::teams::TeamForm;
use helpline::handoff::{CaseCode, Cases, Entry, Line, LocalLine, Opened, RedisLine, TeamSettings};
use helpline::i18n::Args;
use helpline::staff::{Role, Staff, StaffName};
use helpline::telegram::desk::{Desk, DeskRules};
use helpline::telegram::outbound::Outbound;

use crate::support::Backend;
use crate::support::app::{TestApp, redis_url};
use crate::support::content::shipped;
use crate::support::fake_telegram::{ChatMessage, MediaKind, MemberStatus, TgUser};

// ----- the line's conformance suite ------------------------------------------------------------

fn entry(urgent: bool, front: bool, since: i64) -> Entry {
    Entry {
        code: CaseCode::random(),
        urgent,
        front,
        since,
    }
}

async fn redis_line() -> (RedisLine, String) {
    let prefix = format!("helpline-test-{:016x}", rand::random::<u64>());
    let line = RedisLine::connect(&redis_url(), &prefix)
        .await
        .unwrap_or_else(|e| panic!("Redis must be running at {}: {e}", redis_url()));
    (line, prefix)
}

/// The same story for every implementation of the line.
async fn line_story(line: Arc<dyn Line>) {
    assert!(
        !line.is_built().await.expect("built?"),
        "a fresh line is not built"
    );
    let now = 1_800_000_000_000;
    let old = entry(false, false, now - 60_000);
    let new = entry(false, false, now);
    let urgent = entry(true, false, now + 1_000);
    let returned = entry(false, true, now + 2_000);
    for e in [&new, &old, &urgent, &returned] {
        line.push(e).await.expect("push");
    }
    assert_eq!(
        line.waiting().await.expect("waiting"),
        vec![
            urgent.code.clone(),
            returned.code.clone(),
            old.code.clone(),
            new.code.clone()
        ],
        "urgent first, then returned, then oldest"
    );
    assert_eq!(line.position(&old.code).await.expect("position"), Some(2));
    assert_eq!(
        line.position(&CaseCode::random()).await.expect("position"),
        None
    );

    // Ten claims of one case at once: exactly one wins.
    let claims = (0..10).map(|i| {
        let line = line.clone();
        let code = old.code.clone();
        async move {
            line.claim(&code, &format!("staff-{i}"), Duration::from_secs(30))
                .await
                .expect("claim")
        }
    });
    let won: Vec<bool> = futures_join(claims).await;
    assert_eq!(
        won.iter().filter(|w| **w).count(),
        1,
        "exactly one claim wins"
    );
    assert_eq!(line.position(&old.code).await.expect("position"), None);

    // A restore puts back what is missing, but not a leased case, and never doubles.
    line.restore(&[old.clone(), new.clone(), urgent.clone()])
        .await
        .expect("restore");
    assert!(line.is_built().await.expect("built?"));
    assert_eq!(
        line.waiting().await.expect("waiting").len(),
        3,
        "the leased case stays out"
    );
    line.release(&old.code).await.expect("release");
    line.restore(std::slice::from_ref(&old))
        .await
        .expect("restore");
    assert_eq!(line.position(&old.code).await.expect("position"), Some(2));

    let next = line
        .claim_next("staff-1", Duration::from_secs(30))
        .await
        .expect("claim next");
    assert_eq!(next, Some(urgent.code.clone()));
    line.remove(&new.code).await.expect("remove");
    assert_eq!(
        line.waiting().await.expect("waiting"),
        vec![returned.code.clone(), old.code.clone()]
    );
    // Re-pushing moves a case rather than adding it twice.
    line.push(&Entry {
        urgent: true,
        ..old.clone()
    })
    .await
    .expect("push");
    assert_eq!(
        line.waiting().await.expect("waiting"),
        vec![old.code.clone(), returned.code.clone()]
    );
}

async fn futures_join<F: Future<Output = bool> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<bool> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("a claim task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn line_conformance_in_process() {
    line_story(Arc::new(LocalLine::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn line_conformance_redis() {
    let (line, prefix) = redis_line().await;
    line_story(Arc::new(line)).await;
    delete_prefix(&prefix).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_forgetting_everything_is_noticed() {
    let (line, prefix) = redis_line().await;
    line.restore(&[entry(false, false, 1)])
        .await
        .expect("restore");
    assert!(line.is_built().await.expect("built?"));
    delete_prefix(&prefix).await;
    assert!(
        !line.is_built().await.expect("built?"),
        "an emptied Redis says so, and the desk restores the line from the database"
    );
}

async fn delete_prefix(prefix: &str) {
    let client = redis::Client::open(redis_url()).expect("redis url");
    let mut c = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query_async(&mut c)
        .await
        .expect("keys");
    if !keys.is_empty() {
        redis::cmd("DEL")
            .arg(keys)
            .query_async::<()>(&mut c)
            .await
            .expect("del");
    }
}

// ----- the whole story through the fake Bot API -----------------------------------------------

const HER: i64 = 7_350_561_829;
const HER_NAME: &str = "Olena";
const HER_USERNAME: &str = "olena_sh_1990";
const IRIS: i64 = 5_120_000_001;
const IRIS_NAME: &str = "Iryna";
const IRIS_USERNAME: &str = "iryna_kovalenko";

#[derive(Clone, Copy, Debug)]
enum Setup {
    Embedded,
    PostgresRedis,
}

async fn app(setup: Setup) -> TestApp {
    let builder = TestApp::init().with_staff_group();
    match setup {
        Setup::Embedded => builder.spawn().await,
        Setup::PostgresRedis => {
            builder
                .with_backend(Backend::Postgres)
                .with_redis()
                .spawn()
                .await
        }
    }
}

/// Runs each named story as `<story>::embedded` and `<story>::postgres_redis`.
macro_rules! setups {
    ($($story:ident),* $(,)?) => {$(
        mod $story {
            use super::Setup;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                super::$story(Setup::Embedded).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_redis() {
                super::$story(Setup::PostgresRedis).await;
            }
        }
    )*};
}

setups!(full_story, quick_exit_mid_chat, take_on_sight, take_race);

/// The staff group with Iris on shift, and her (Olena, in Ukrainian) just put in line: the
/// start of most stories.
async fn iris_on_shift_and_her_in_line(app: &TestApp) -> (i64, TgUser, TgUser) {
    let group = app.staff_group.expect("group");
    let iris = consultant(app, IRIS, IRIS_NAME, IRIS_USERNAME, "Iris").await;
    app.send(&iris, "/online").await;
    let her = app.woman(HER, HER_NAME, Some(HER_USERNAME), Some("uk"));
    app.send(&her, "/talk").await;
    app.press(&her, "talk.start.connect").await;
    (group, iris, her)
}

/// Registers a consultant (a member of the staff group) under `name`.
async fn consultant(app: &TestApp, id: i64, first: &str, username: &str, name: &str) -> TgUser {
    let user = app.woman(id, first, Some(username), Some("en"));
    let group = app.staff_group.expect("a staff group");
    app.telegram.add_member(group, &user, MemberStatus::Member);
    Staff::new(app.db.store.db())
        .add(
            id,
            &StaffName::parse(name).expect("name"),
            Role::Consultant,
            Utc::now(),
        )
        .await
        .expect("staff added");
    user
}

fn her_text(locale: Locale, id: &str, args: &Args) -> String {
    shipped().localizer.text(locale, id, args)
}

/// The case card in the topic with its Take button.
fn card(app: &TestApp) -> (ChatMessage, String) {
    let group = app.staff_group.expect("group");
    let card = app
        .telegram
        .chat(group)
        .into_iter()
        .find(|m| m.thread_id.is_some() && m.button_data().iter().any(|d| d.starts_with("take:")))
        .unwrap_or_else(|| {
            panic!(
                "no case card in the staff group: {:#?}",
                app.telegram.chat(group)
            )
        });
    let data = card.button_data()[0].to_owned();
    (card, data)
}

/// Neither side ever sees the other: no id, name or username of hers in the staff group, none
/// of the consultant's in her chat. Checked on the full JSON of every message.
fn assert_nobody_crosses(app: &TestApp, her: &TgUser, staff: &[&TgUser]) {
    let group = app.staff_group.expect("group");
    for m in app.telegram.chat(group) {
        let json = m.to_json().to_string();
        for secret in [her.id.to_string(), HER_NAME.into(), HER_USERNAME.into()] {
            assert!(
                !json.contains(&secret),
                "the staff group shows her {secret:?}: {json}"
            );
        }
        assert!(m.forwarded_from.is_none(), "nothing is forwarded");
    }
    for m in app.telegram.chat(her.chat_id()) {
        if !m.sent_by_bot() {
            continue;
        }
        let json = m.to_json().to_string();
        for s in staff {
            for secret in [
                s.id.to_string(),
                s.first_name.clone(),
                s.username.clone().unwrap_or_default(),
            ] {
                assert!(
                    !json.contains(&secret),
                    "her chat shows a consultant's {secret:?}: {json}"
                );
            }
        }
        assert!(m.forwarded_from.is_none(), "nothing is forwarded");
    }
}

async fn full_story(setup: Setup) {
    full_story_on(app(setup).await).await;
}

async fn full_story_on(app: TestApp) {
    let group = app.staff_group.expect("group");
    let iris = consultant(&app, IRIS, IRIS_NAME, IRIS_USERNAME, "Iris").await;
    let mira = consultant(&app, IRIS + 1, "Myroslava", "myra_p", "Mira").await;
    app.send(&iris, "/online").await;
    assert!(
        app.last_bot_message(&iris)
            .text
            .unwrap_or_default()
            .contains("on shift"),
        "/online is confirmed"
    );

    let her = app.woman(HER, HER_NAME, Some(HER_USERNAME), Some("uk"));
    app.send(&her, "/talk").await;
    app.press(&her, "talk.start.connect").await;

    // A topic named by the case code, with a card and a board.
    let topics = app.telegram.topics(group);
    assert_eq!(topics.len(), 1, "one topic per case");
    let code = topics[0].name.split(' ').next().expect("a code").to_owned();
    assert!(
        CaseCode::parse(&code).is_ok(),
        "topic named by its code: {}",
        topics[0].name
    );
    assert!(
        topics[0].name.contains("uk"),
        "the topic shows her language"
    );
    let (card_message, take) = card(&app);
    assert_eq!(card_message.thread_id, Some(topics[0].thread_id));
    let card_text = card_message.text.clone().unwrap_or_default();
    assert!(card_text.contains(&code) && card_text.contains("Language: uk"));
    let board = app
        .telegram
        .chat(group)
        .into_iter()
        .find(|m| {
            m.sent_by_bot()
                && m.thread_id.is_none()
                && m.text.as_deref().unwrap_or("").starts_with("Waiting line")
        })
        .expect("a board in the General topic");
    assert!(board.text.unwrap_or_default().contains(&code));
    // She sees her place in line.
    let waiting = app.last_bot_message(&her).text.unwrap_or_default();
    assert_eq!(
        waiting,
        her_text(
            Locale::Uk,
            "handoff-waiting",
            &Args::new().number("place", 1).number("minutes", 10)
        ),
        "her place in line and an estimate"
    );

    // She writes while she waits: nothing reaches the topic yet.
    let early = app.send(&her, "Привіт, ви тут?").await;
    let early_photo = app.telegram.send_photo(&her);
    app.settle().await;
    assert!(
        app.telegram
            .chat(group)
            .iter()
            .all(|m| m.copied_from.is_none()),
        "nothing is relayed before the case is taken"
    );

    // Take: the card loses its button, she is told who is with her, her messages arrive.
    app.telegram
        .press_button_in(&iris, group, card_message.message_id, &take);
    app.settle().await;
    let answered = app.telegram.answered_callbacks();
    assert!(
        answered
            .iter()
            .any(|a| a.text.as_deref() == Some(&format!("Case {code} is yours."))),
        "the winner is told: {answered:?}"
    );
    let joined = her_text(
        Locale::Uk,
        "handoff-joined",
        &Args::new().text("name", "Iris"),
    );
    app.wait_for_message(&her, "who is with her", |m| {
        m.text.as_deref() == Some(joined.as_str())
    })
    .await;
    let thread = topics[0].thread_id;
    let relayed_in: Vec<(i64, i32)> = app.telegram.copies(group, Some(thread));
    assert_eq!(
        relayed_in,
        vec![(her.chat_id(), early), (her.chat_id(), early_photo)],
        "what she wrote while waiting arrives once, in order, when the case is taken"
    );

    // Both ways, text and media.
    let answer = app
        .telegram
        .send_in_topic(&iris, group, thread, "Привіт, я Iris. Я тут.");
    app.settle().await;
    let voice = app
        .telegram
        .send_media_in_topic(&iris, group, thread, MediaKind::Voice);
    app.settle().await;
    let hers = app.send(&her, "Дякую").await;
    let sticker = app.telegram.send_sticker(&her);
    let document = app.telegram.send_document(&her);
    app.settle().await;

    // Internal notes, other colleagues and the General topic never reach her.
    app.telegram
        .send_in_topic(&iris, group, thread, "/note she sounds scared");
    app.telegram
        .send_in_topic(&mira, group, thread, "I can help if needed");
    app.telegram.send_in_group(&iris, group, "General chatter");
    app.settle().await;

    let to_her: Vec<(i64, i32)> = app.telegram.copies(her.chat_id(), None);
    assert_eq!(
        to_her,
        vec![(group, answer), (group, voice)],
        "only the assignee's topic messages reach her, each once, in order"
    );
    let voice_copy = app
        .telegram
        .chat(her.chat_id())
        .into_iter()
        .find(|m| m.copied_from == Some((group, voice)))
        .expect("the voice copy");
    assert_eq!(voice_copy.media, Some(MediaKind::Voice));
    let into_topic: Vec<(i64, i32)> = app.telegram.copies(group, Some(thread));
    assert_eq!(
        into_topic,
        vec![
            (her.chat_id(), early),
            (her.chat_id(), early_photo),
            (her.chat_id(), hers),
            (her.chat_id(), sticker),
            (her.chat_id(), document)
        ],
        "everything she sent arrives once, in order"
    );

    // /end: she is told and may rate; the topic is closed.
    app.telegram.send_in_topic(&iris, group, thread, "/end");
    app.settle().await;
    let ended = her_text(Locale::Uk, "handoff-ended", &Args::new());
    let end_message = app
        .wait_for_message(&her, "the chat closed", |m| {
            m.text.as_deref() == Some(ended.as_str())
        })
        .await;
    let rate = end_message
        .button_data()
        .into_iter()
        .find(|d| d.ends_with(":3"))
        .expect("a rating button")
        .to_owned();
    app.press(&her, &rate).await;
    let rated = her_text(Locale::Uk, "handoff-rated", &Args::new());
    app.wait_for_message(&her, "thanks for the rating", |m| {
        m.text.as_deref() == Some(rated.as_str())
    })
    .await;
    assert!(app.telegram.topics(group)[0].closed, "the topic is closed");

    // After the case, what she writes goes to the conversation core again, not to the team.
    let before = app.telegram.chat(group).len();
    app.send(&her, "ще одне").await;
    assert_eq!(
        app.telegram.chat(group).len(),
        before,
        "a closed case relays nothing"
    );

    assert_nobody_crosses(&app, &her, &[&iris, &mira]);
    let dump = app.db.dump().await.join("\n");
    assert!(
        !dump.contains(&HER.to_string()),
        "her Telegram id is in no table"
    );

    // Forgetting her erases her cases.
    let cases = Cases::new(app.db.store.db());
    let who = app.db.keys.pseudonym(HER);
    app.db.store.forget(&who).await.expect("forget");
    assert!(cases.open_for(&who).await.expect("cases").is_none());
    assert!(
        !app.db.dump().await.join("\n").contains(&code),
        "her case rows are gone"
    );
    app.stop().await;
}

/// Her quick exit in the middle of a chat: every message of her chat goes, what she wrote and
/// what was copied to her a moment before included (their ids are written behind the relay),
/// and her topic goes with them.
async fn quick_exit_mid_chat(setup: Setup) {
    let app = app(setup).await;
    let (group, iris, her) = iris_on_shift_and_her_in_line(&app).await;
    let (card_message, take) = card(&app);
    app.telegram
        .press_button_in(&iris, group, card_message.message_id, &take);
    app.settle().await;
    let thread = app.telegram.topics(group)[0].thread_id;
    const EACH_WAY: usize = 20;
    for _ in 0..EACH_WAY {
        app.telegram
            .send_in_topic(&iris, group, thread, "Я тут, пишіть.");
        app.telegram.send_text(&her, "Дякую");
    }
    app.settle().await;
    assert_eq!(app.telegram.copies(her.chat_id(), None).len(), EACH_WAY);
    assert_eq!(app.telegram.copies(group, Some(thread)).len(), EACH_WAY);

    app.send(&her, "/forget").await;
    let chat = app.telegram.chat(her.chat_id());
    assert_eq!(
        chat.len(),
        1,
        "one neutral message is left of her chat:\n{}",
        app.describe(&her)
    );
    assert_eq!(
        chat[0].text.as_deref(),
        Some(her_text(Locale::Uk, "forget-done", &Args::new()).as_str())
    );
    assert!(
        app.telegram.topics(group).is_empty(),
        "her topic is deleted with her"
    );
    let who = app.db.keys.pseudonym(HER);
    assert!(
        Cases::new(app.db.store.db())
            .open_for(&who)
            .await
            .expect("cases")
            .is_none()
    );
    app.stop().await;
}

/// Take pressed the instant the card appears, before the bot has even heard that the card was
/// sent (so before the case knows its topic): the case is still taken properly, with the
/// notice in its topic, the card updated, her told, and her words relayed.
async fn take_on_sight(setup: Setup) {
    let app = app(setup).await;
    let group = app.staff_group.expect("group");
    let iris = consultant(&app, IRIS, IRIS_NAME, IRIS_USERNAME, "Iris").await;
    app.send(&iris, "/online").await;
    app.telegram
        .press_on_sight(&iris, group, "take:", Duration::from_millis(300));
    let her = app.woman(HER, HER_NAME, Some(HER_USERNAME), Some("uk"));
    app.send(&her, "/talk").await;
    app.press(&her, "talk.start.connect").await;
    let joined = her_text(
        Locale::Uk,
        "handoff-joined",
        &Args::new().text("name", "Iris"),
    );
    app.wait_for_message(&her, "who is with her", |m| {
        m.text.as_deref() == Some(joined.as_str())
    })
    .await;
    app.settle().await;
    let waiting = her_text(
        Locale::Uk,
        "handoff-waiting",
        &Args::new().number("place", 1).number("minutes", 10),
    );
    assert!(
        app.bot_messages(&her)
            .iter()
            .all(|m| m.text.as_deref() != Some(waiting.as_str())),
        "no place in line after she was told who is with her:\n{}",
        app.describe(&her)
    );
    let thread = app.telegram.topics(group)[0].thread_id;
    let in_topic = app.telegram.chat(group);
    assert!(
        in_topic.iter().any(|m| m.thread_id == Some(thread)
            && m.text
                .as_deref()
                .unwrap_or("")
                .contains("Iris has the case")),
        "the notice is in her topic: {in_topic:#?}"
    );
    assert!(
        in_topic
            .iter()
            .all(|m| m.button_data().iter().all(|d| !d.starts_with("take:"))),
        "no Take button is left once the case is taken: {in_topic:#?}"
    );
    let words = app.send(&her, "Привіт").await;
    assert_eq!(
        app.telegram.copies(group, Some(thread)),
        vec![(her.chat_id(), words)],
        "her words reach the topic"
    );
    app.stop().await;
}

/// Ten consultants press Take at the same moment: one case assignment, nine polite refusals.
async fn take_race(setup: Setup) {
    let app = app(setup).await;
    let group = app.staff_group.expect("group");
    let mut team = Vec::new();
    for i in 0..10 {
        team.push(
            consultant(
                &app,
                IRIS + 10 + i,
                &format!("Person{i}"),
                &format!("person_{i}"),
                &format!("C{i}"),
            )
            .await,
        );
    }
    let her = app.woman(HER, HER_NAME, Some(HER_USERNAME), Some("en"));
    app.send(&her, "/talk").await;
    app.press(&her, "talk.start.connect").await;
    let (card_message, take) = card(&app);
    for member in &team {
        app.telegram
            .press_button_in(member, group, card_message.message_id, &take);
    }
    app.settle().await;
    let answers: Vec<String> = app
        .telegram
        .answered_callbacks()
        .into_iter()
        .filter_map(|a| a.text)
        .collect();
    let won = answers.iter().filter(|a| a.ends_with("is yours.")).count();
    let refused = answers
        .iter()
        .filter(|a| a.starts_with("Someone else took this case"))
        .count();
    assert_eq!((won, refused), (1, 9), "{answers:?}");
    let taken_notes = app
        .telegram
        .chat(group)
        .iter()
        .filter(|m| m.text.as_deref().unwrap_or("").contains("has the case"))
        .count();
    assert_eq!(taken_notes, 1, "one assignment");
    let cases = Cases::new(app.db.store.db());
    let case = cases
        .open_for(&app.db.keys.pseudonym(HER))
        .await
        .expect("case")
        .expect("open");
    assert!(case.assignee.is_some());
    assert_nobody_crosses(&app, &her, &team.iter().collect::<Vec<_>>());
    app.stop().await;
}

/// Nobody on shift: she is told at once, with the hotlines, and may leave a message that the
/// next shift reads when it takes the case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_on_shift_is_said_at_once() {
    let app = app(Setup::Embedded).await;
    let group = app.staff_group.expect("group");
    let iris = consultant(&app, IRIS, IRIS_NAME, IRIS_USERNAME, "Iris").await;
    let her = app.woman(HER, HER_NAME, Some(HER_USERNAME), Some("ru"));
    app.send(&her, "/talk").await;
    app.press(&her, "talk.start.connect").await;
    let messages = app.bot_messages(&her);
    let n = messages.len();
    let fallback = her_text(Locale::Ru, "talk-fallback", &Args::new());
    assert!(
        messages[n - 2]
            .text
            .as_deref()
            .unwrap_or("")
            .starts_with(&fallback),
        "the hotlines first: {:?}",
        messages[n - 2].text
    );
    assert_eq!(
        messages[n - 1].text.as_deref(),
        Some(her_text(Locale::Ru, "handoff-offline", &Args::new()).as_str())
    );
    let left = app.send(&her, "Напишите мне утром").await;
    app.send(&iris, "/online").await;
    let (card_message, take) = card(&app);
    app.telegram
        .press_button_in(&iris, group, card_message.message_id, &take);
    app.settle().await;
    assert!(
        app.telegram
            .chat(group)
            .iter()
            .any(|m| m.copied_from == Some((her.chat_id(), left))),
        "the message left for the next shift arrives when the case is taken"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_story_postgres_redis_with_429s() {
    // Every fifth send, copy and edit is answered 429: each message still arrives once, in order.
    let app = TestApp::init()
        .with_staff_group()
        .with_backend(Backend::Postgres)
        .with_redis()
        .with_429_rate(0.2);
    full_story_on(app.spawn().await).await;
}

// ----- deadlines and shifts, with a controllable clock -----------------------------------------

/// A desk of the test's own on the app's database and fake Telegram: its `tick` takes the time
/// the test chooses, so deadlines are crossed without waiting.
fn test_desk(app: &TestApp) -> (Desk, Outbound) {
    app.desk(Arc::new(LocalLine::new()), DeskRules::default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgent_deadline_and_silent_assignee() {
    let app = app(Setup::Embedded).await;
    let group = app.staff_group.expect("group");
    let iris = consultant(&app, IRIS, IRIS_NAME, IRIS_USERNAME, "Iris").await;
    let cora = app.woman(IRIS + 5, "Cora", Some("cora_coord"), Some("en"));
    Staff::new(app.db.store.db())
        .add(
            cora.id,
            &StaffName::parse("Cora").expect("name"),
            Role::Coordinator,
            Utc::now(),
        )
        .await
        .expect("coordinator");
    app.send(&iris, "/online").await;
    let her = app.woman(HER, HER_NAME, Some(HER_USERNAME), Some("uk"));
    app.send(&her, "/start").await; // she exists, with a route
    let (desk, out) = test_desk(&app);
    let who = app.db.keys.pseudonym(HER);
    let mut session = helpline::conversation::Session::new(Locale::Uk);
    session.country = Some(helpline::domain::CountryCode::parse("UA").expect("UA"));
    let opened = Utc::now();
    desk.talk(&out, &who, her.chat_id(), &session, true, &[], Vec::new())
        .await;

    // Urgent: everyone on shift is paged at once.
    assert!(
        app.last_bot_message(&iris)
            .text
            .unwrap_or_default()
            .starts_with("Urgent case K-"),
        "the consultant on shift is paged"
    );
    // Before the deadline nothing happens; after it the supervisor is paged and she gets the
    // emergency numbers, once.
    desk.tick(&out, opened + TimeDelta::minutes(4))
        .await
        .expect("tick");
    assert!(
        app.bot_messages(&cora).is_empty(),
        "no page before the deadline"
    );
    desk.tick(&out, opened + TimeDelta::minutes(6))
        .await
        .expect("tick");
    desk.tick(&out, opened + TimeDelta::minutes(7))
        .await
        .expect("tick");
    let pages = app.bot_messages(&cora);
    assert_eq!(pages.len(), 1, "the supervisor is paged once");
    assert!(
        pages[0]
            .text
            .as_deref()
            .unwrap_or("")
            .contains("past the deadline")
    );
    let missed = her_text(Locale::Uk, "handoff-urgent-missed", &Args::new());
    let numbers = app.last_bot_message(&her);
    assert!(
        numbers.text.as_deref().unwrap_or("").starts_with(&missed),
        "she is given the emergency numbers"
    );
    assert!(numbers.protect_content, "numbers are sent protected");

    // Iris takes it, then stays silent past the limit: the case goes back to the front.
    let (card_message, take) = card(&app);
    app.telegram
        .press_button_in(&iris, group, card_message.message_id, &take);
    app.settle().await;
    let cases = Cases::new(app.db.store.db());
    let case = cases.open_for(&who).await.expect("case").expect("open");
    assert_eq!(case.state, helpline::handoff::CaseState::Active);
    desk.tick(&out, Utc::now() + TimeDelta::minutes(10))
        .await
        .expect("tick");
    assert_eq!(
        cases
            .open_for(&who)
            .await
            .expect("case")
            .expect("open")
            .state,
        helpline::handoff::CaseState::Active,
        "ten quiet minutes are fine"
    );
    desk.tick(&out, Utc::now() + TimeDelta::minutes(21))
        .await
        .expect("tick");
    let back = cases.open_for(&who).await.expect("case").expect("open");
    assert_eq!(back.state, helpline::handoff::CaseState::Waiting);
    assert!(back.front && back.assignee.is_none(), "first in line again");
    assert_eq!(
        app.last_bot_message(&her).text.as_deref(),
        Some(her_text(Locale::Uk, "handoff-returned", &Args::new()).as_str())
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn going_off_shift_returns_her_case_and_hours_count_as_a_shift() {
    let app = app(Setup::Embedded).await;
    let group = app.staff_group.expect("group");
    let iris = consultant(&app, IRIS, IRIS_NAME, IRIS_USERNAME, "Iris").await;
    let mira = consultant(&app, IRIS + 1, "Myroslava", "myra_p", "Mira").await;
    app.send(&iris, "/online").await;
    let her = app.woman(HER, HER_NAME, Some(HER_USERNAME), Some("en"));
    app.send(&her, "/talk").await;
    app.press(&her, "talk.start.connect").await;
    let (card_message, take) = card(&app);
    app.telegram
        .press_button_in(&iris, group, card_message.message_id, &take);
    app.settle().await;
    app.send(&iris, "/offline").await;
    let cases = Cases::new(app.db.store.db());
    let who = app.db.keys.pseudonym(HER);
    let case = cases.open_for(&who).await.expect("case").expect("open");
    assert_eq!(case.state, helpline::handoff::CaseState::Waiting);
    assert!(case.front, "her case goes to the front when Iris leaves");
    // Mira takes it from the front and the chat goes on with her.
    let (card_message, take) = card(&app);
    app.telegram
        .press_button_in(&mira, group, card_message.message_id, &take);
    app.settle().await;
    let joined = her_text(
        Locale::En,
        "handoff-joined",
        &Args::new().text("name", "Mira"),
    );
    app.wait_for_message(&her, "Mira joins", |m| {
        m.text.as_deref() == Some(joined.as_str())
    })
    .await;

    // Working hours: during them everyone who did not say /offline is on shift. The default
    // team was created at start (no working hours in the environment); give it some.
    let (desk, _out) = test_desk(&app);
    let teams = desk.teams().list().await.expect("teams");
    assert_eq!(teams.len(), 1, "the first start made the default team");
    let settings = TeamSettings::parse(&TeamForm {
        name: "Default",
        hours: "Mon-Fri 09:00-18:00",
        timezone: "Europe/Kyiv",
        ..TeamForm::default()
    })
    .expect("settings");
    desk.teams()
        .update(teams[0].id, &settings)
        .await
        .expect("hours");
    let tuesday = |h: u32, m: u32| {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 1, h, m, 0)
            .single()
            .expect("a time")
    };
    let names = |members: Vec<helpline::staff::StaffMember>| -> Vec<String> {
        members.into_iter().map(|m| m.name.to_string()).collect()
    };
    assert_eq!(
        names(desk.on_shift(None, tuesday(6, 59)).await.expect("shift")),
        Vec::<String>::new(),
        "08:59 in Kyiv: nobody said /online"
    );
    assert_eq!(
        names(desk.on_shift(None, tuesday(7, 0)).await.expect("shift")),
        vec!["Mira".to_owned()],
        "09:00 in Kyiv: everyone but Iris, who said /offline"
    );
    assert!(
        names(desk.on_shift(None, tuesday(16, 0)).await.expect("shift")).is_empty(),
        "18:00 in Kyiv: the day is over"
    );
    app.stop().await;
}

// ----- faults ------------------------------------------------------------------------------

/// Redis forgets everything mid-queue (the keys of this test's prefix are deleted, as FLUSHALL
/// would; a real FLUSHALL would also wipe the other tests running beside it): the desk notices
/// and restores the line from the database. Nobody drops out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_emptied_mid_queue_loses_nobody() {
    let app = app(Setup::PostgresRedis).await;
    let prefix = app.redis_prefix.clone().expect("prefix");
    let women: Vec<TgUser> = (0..3)
        .map(|i| app.woman(HER + i, HER_NAME, Some(HER_USERNAME), Some("en")))
        .collect();
    for her in &women {
        app.send(her, "/talk").await;
        app.press(her, "talk.start.connect").await;
    }
    let line = RedisLine::connect(&redis_url(), &prefix)
        .await
        .expect("redis");
    assert_eq!(line.waiting().await.expect("line").len(), 3);
    delete_prefix(&prefix).await;
    assert!(line.waiting().await.expect("line").is_empty());
    // The desk's clock runs every two seconds; wait (in real time) for it to restore.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if line.waiting().await.expect("line").len() == 3 && line.is_built().await.expect("built") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the line was not restored; logs:\n{}",
            app.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(app.logs().contains("restored from the database"));
    delete_prefix(&prefix).await;
    app.stop().await;
}

/// kill -9 in the middle of a relay, then a restart: every message of either side arrives, in
/// order (the un-confirmed updates come again; `case_messages` says which were copied). The one
/// exception to "once": a kill between Telegram's answer to copyMessage and the bot noting it
/// repeats that message (Telegram has no idempotency key); so at most one repeat per kill and
/// direction, right after the original, never a loss.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_mid_relay_and_restart() {
    let mut app = TestApp::init()
        .with_staff_group()
        .with_binary()
        .spawn()
        .await;
    let group = app.staff_group.expect("group");
    let iris = consultant(&app, IRIS, IRIS_NAME, IRIS_USERNAME, "Iris").await;
    let her = app.woman(HER, HER_NAME, Some(HER_USERNAME), Some("en"));
    app.send(&her, "/talk").await;
    app.press(&her, "talk.start.connect").await;
    let (card_message, take) = card(&app);
    let thread = card_message.thread_id.expect("a topic");
    app.telegram
        .press_button_in(&iris, group, card_message.message_id, &take);
    app.settle().await;

    let mut hers = Vec::new();
    let mut answers = Vec::new();
    for round in 0..3 {
        for i in 0..8 {
            hers.push(app.telegram.send_text(&her, &format!("mine {round}.{i}")));
            answers.push(app.telegram.send_in_topic(
                &iris,
                group,
                thread,
                &format!("answer {round}.{i}"),
            ));
        }
        if round < 2 {
            // Mid-relay: some of these are being copied right now.
            tokio::time::sleep(Duration::from_millis(15)).await;
            app.kill().await;
            app.restart().await;
        }
    }
    app.settle().await;
    let into_topic: Vec<i32> = app.telegram.copied_ids(group, Some(thread));
    assert_arrived(&into_topic, &hers, "her messages");
    let to_her: Vec<i32> = app.telegram.copied_ids(her.chat_id(), None);
    assert_arrived(&to_her, &answers, "the answers");
    app.stop().await;
}

/// Everything sent arrived in order; a repeat only right after its original, at most one per
/// kill (two kills).
fn assert_arrived(seen: &[i32], sent: &[i32], what: &str) {
    let mut unique = seen.to_vec();
    unique.dedup();
    assert_eq!(unique, sent, "{what}: every one, in order");
    let repeats = seen.len() - unique.len();
    assert!(repeats <= 2, "{what}: {repeats} repeats for two kills");
    println!("{what}: {} sent, {repeats} repeated by a kill", sent.len());
}

// ----- metrics and readiness -------------------------------------------------------------------

/// The value of one unlabelled series in a `/metrics` text.
fn series(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} missing:\n{metrics}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_follow_the_line_the_wait_and_the_relay() {
    let app = app(Setup::Embedded).await;
    let (group, iris, her) = iris_on_shift_and_her_in_line(&app).await;
    app.settle().await;
    let metrics = app.get("/metrics").await.1;
    assert_eq!(
        series(&metrics, "helpline_handoff_queue_length"),
        1.0,
        "she is waiting"
    );
    assert_eq!(series(&metrics, "helpline_handoff_wait_seconds_count"), 0.0);

    let (card_message, take) = card(&app);
    app.telegram
        .press_button_in(&iris, group, card_message.message_id, &take);
    app.settle().await;
    let thread = app.telegram.topics(group)[0].thread_id;
    app.send(&her, "Привіт").await;
    app.telegram
        .send_in_topic(&iris, group, thread, "Привіт, я Iris.");
    app.settle().await;
    app.wait_for_message(&her, "the consultant's answer", |m| m.copied_from.is_some())
        .await;

    let metrics = app.get("/metrics").await.1;
    assert_eq!(
        series(&metrics, "helpline_handoff_queue_length"),
        0.0,
        "nobody waits once she is taken"
    );
    assert_eq!(
        series(&metrics, "helpline_handoff_wait_seconds_count"),
        1.0,
        "one wait, observed at Take"
    );
    assert_eq!(
        series(&metrics, "helpline_relay_latency_seconds_count"),
        2.0,
        "one message each way"
    );
}

/// A loopback TCP forwarder to the shared Redis that can be cut without touching the server.
struct RedisProxy {
    addr: std::net::SocketAddr,
    cut: tokio_util::sync::CancellationToken,
}

impl RedisProxy {
    async fn start() -> RedisProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a proxy port");
        let addr = listener.local_addr().expect("proxy address");
        let target = redis_url()
            .trim_start_matches("redis://")
            .trim_end_matches('/')
            .to_owned();
        let cut = tokio_util::sync::CancellationToken::new();
        let stop = cut.clone();
        tokio::spawn(async move {
            loop {
                let (mut inbound, _) = tokio::select! {
                    _ = stop.cancelled() => return,
                    accepted = listener.accept() => match accepted {
                        Ok(a) => a,
                        Err(_) => return,
                    },
                };
                let target = target.clone();
                let stop = stop.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = stop.cancelled() => {}
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                    }
                });
            }
        });
        RedisProxy { addr, cut }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_says_when_redis_is_gone() {
    let proxy = RedisProxy::start().await;
    let prefix = format!("helpline-test-{:016x}", rand::random::<u64>());
    let app = TestApp::init()
        .with_staff_group()
        .with_env("REDIS_URL", &format!("redis://{}", proxy.addr))
        .with_env("HELPLINE_REDIS_PREFIX", &prefix)
        .spawn()
        .await;
    assert_eq!(app.get("/readyz").await, (200, "ready".to_owned()));
    // Redis goes away (its port closes and the open connection drops); the shared server stays.
    proxy.cut.cancel();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        app.get("/readyz").await,
        (503, "redis unreachable".to_owned())
    );
    delete_prefix(&prefix).await;
}

// ----- after /end: may it be counted, and the documentation form --------------------------------

/// /talk, Take, a word each way and /end; returns the app, the consultant, her, the topic and
/// the consent question's buttons.
async fn ended_case() -> (TestApp, TgUser, TgUser, i32, Vec<String>) {
    let app = app(Setup::Embedded).await;
    let (group, iris, her) = iris_on_shift_and_her_in_line(&app).await;
    let (card_message, take) = card(&app);
    app.telegram
        .press_button_in(&iris, group, card_message.message_id, &take);
    app.settle().await;
    let thread = app.telegram.topics(group)[0].thread_id;
    app.send(&her, "Привіт").await;
    app.telegram.send_in_topic(&iris, group, thread, "/end");
    app.settle().await;
    let ask = her_text(Locale::Uk, "handoff-count-ask", &Args::new());
    let question = app
        .wait_for_message(&her, "may it be counted", |m| {
            m.text.as_deref() == Some(ask.as_str())
        })
        .await;
    let buttons: Vec<String> = question
        .button_data()
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(buttons.len(), 2, "yes and no: {buttons:?}");
    let counters = helpline::stats::Counters::new(app.db.store.db());
    assert!(
        counters.rows().await.expect("rows").is_empty(),
        "nothing is counted before she answers"
    );
    (app, iris, her, thread, buttons)
}

fn doc_forms(app: &TestApp, thread: i32) -> Vec<ChatMessage> {
    let group = app.staff_group.expect("group");
    app.telegram
        .chat(group)
        .into_iter()
        .filter(|m| m.thread_id == Some(thread))
        .filter(|m| m.button_data().iter().any(|d| d.starts_with("doc.")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn she_agrees_the_case_is_counted_and_documented_by_its_consultant() {
    let (app, iris, her, thread, buttons) = ended_case().await;
    let group = app.staff_group.expect("group");
    let yes = buttons.iter().find(|d| d.ends_with(":1")).expect("yes");
    app.press(&her, yes).await;
    let thanks = her_text(Locale::Uk, "handoff-count-thanks", &Args::new());
    app.wait_for_message(&her, "thanks", |m| {
        m.text.as_deref() == Some(thanks.as_str())
    })
    .await;

    let counters = helpline::stats::Counters::new(app.db.store.db());
    let rows: Vec<(String, String)> = counters
        .rows()
        .await
        .expect("rows")
        .into_iter()
        .map(|r| {
            assert_eq!(r.count, 1, "{r:?}");
            (r.dimension, r.value)
        })
        .collect();
    assert_eq!(
        rows.iter()
            .filter(|(d, _)| d.as_str() == "handoff")
            .collect::<Vec<_>>(),
        vec![&("handoff".to_owned(), "routine".to_owned())],
        "one routine hand-off: {rows:?}"
    );
    assert_eq!(rows.len(), 2, "a hand-off and its wait band: {rows:?}");

    // The form in the topic; another consultant cannot touch it.
    let forms = doc_forms(&app, thread);
    assert_eq!(forms.len(), 1, "one documentation form");
    let form = &forms[0];
    let mira = consultant(&app, IRIS + 1, "Myroslava", "myra_p", "Mira").await;
    app.telegram
        .press_button_in(&mira, group, form.message_id, "doc.save");
    app.settle().await;
    assert!(
        app.telegram.answered_callbacks().iter().any(|a| a
            .text
            .as_deref()
            .is_some_and(|t| t.starts_with("Only the consultant who held this case"))),
        "another consultant is refused"
    );
    assert_eq!(app.db.count_rows("case_doc_counts", None).await, 0);

    // Iris ticks physical, goes on and saves.
    app.telegram
        .press_button_in(&iris, group, form.message_id, "doc.f.physical");
    app.settle().await;
    app.telegram
        .press_button_in(&iris, group, form.message_id, "doc.next");
    app.settle().await;
    app.telegram
        .press_button_in(&iris, group, form.message_id, "doc.p.partner");
    app.settle().await;
    app.telegram
        .press_button_in(&iris, group, form.message_id, "doc.save");
    app.settle().await;
    assert_eq!(app.db.count_rows("case_doc_counts", None).await, 1);
    let edited = app
        .telegram
        .message(group, form.message_id)
        .expect("the form message");
    assert!(
        edited
            .text
            .as_deref()
            .unwrap_or("")
            .contains("Saved. Thank you."),
        "edited in place: {edited:?}"
    );
    let after: Vec<(String, String)> = counters
        .rows()
        .await
        .expect("rows")
        .into_iter()
        .map(|r| (r.dimension, r.value))
        .collect();
    assert!(
        after.contains(&("case_form".to_owned(), "physical".to_owned())),
        "{after:?}"
    );
    assert!(
        after.contains(&("perpetrator".to_owned(), "partner".to_owned())),
        "{after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn she_declines_nothing_is_counted_and_no_form() {
    let (app, _iris, her, thread, buttons) = ended_case().await;
    let no = buttons.iter().find(|d| d.ends_with(":0")).expect("no");
    app.press(&her, no).await;
    let declined = her_text(Locale::Uk, "consent-declined", &Args::new());
    app.wait_for_message(&her, "declined", |m| {
        m.text.as_deref() == Some(declined.as_str())
    })
    .await;
    let counters = helpline::stats::Counters::new(app.db.store.db());
    assert!(counters.rows().await.expect("rows").is_empty());
    assert_eq!(app.db.count_rows("stat_counters", None).await, 0);
    assert!(
        doc_forms(&app, thread).is_empty(),
        "no form without her yes"
    );
}

// ----- one open case per woman ------------------------------------------------------------------

/// Ten instances open a case for her at the same moment: the database keeps one open case, the
/// one that opened it is told so, the nine others get that same case. Once it is closed, she can
/// open a new one.
async fn one_open_case_per_woman(backend: Backend) {
    let db = crate::support::TestDb::new(backend).await;
    let cases = Cases::new(db.store.db());
    let her = db.keys.pseudonym(HER);
    let opens = (0..10).map(|_| {
        let cases = cases.clone();
        tokio::spawn(async move {
            cases
                .open(
                    NewCase {
                        who: &her,
                        locale: Locale::Uk,
                        country: None,
                        urgent: false,
                        forms: &[],
                        team_id: None,
                    },
                    Utc::now(),
                )
                .await
                .expect("open")
        })
    });
    let mut new = Vec::new();
    let mut existing = Vec::new();
    for open in opens {
        match open.await.expect("an open task") {
            Opened::New(case) => new.push(case.id),
            Opened::Existing(case) => existing.push(case.id),
        }
    }
    assert_eq!(new.len(), 1, "exactly one instance opened it: {new:?}");
    assert_eq!(existing.len(), 9);
    assert!(
        existing.iter().all(|id| *id == new[0]),
        "all got her one case"
    );
    assert_eq!(db.count_rows("cases", None).await, 1);

    let case = cases.open_for(&her).await.expect("read").expect("open");
    assert!(
        cases
            .close(case.id, "ended", Utc::now())
            .await
            .expect("close")
    );
    let again = cases
        .open(
            NewCase {
                who: &her,
                locale: Locale::Uk,
                country: None,
                urgent: false,
                forms: &[],
                team_id: None,
            },
            Utc::now(),
        )
        .await
        .expect("open");
    assert!(
        matches!(again, Opened::New(ref c) if c.id != case.id),
        "a new case after the last one closed: {again:?}"
    );
}

crate::support::stories!(one_open_case_per_woman);
