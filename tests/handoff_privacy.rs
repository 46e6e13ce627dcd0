//! After a whole hand-off — waiting, Take, words both ways, a /note, /end, a rating, her "yes"
//! to counting and the consultant's documentation form — nothing that could tell who she is or
//! what either side wrote is left behind: not in any table, not in the logs, not in Redis, not in
//! /metrics. The consultant's own Telegram account stays out of everything but the staff list.

use chrono::Utc;
use helpline::domain::Locale;
use helpline::i18n::Args;
use helpline::staff::{Role, Staff, StaffName};

use crate::support::Backend;
use crate::support::app::{TestApp, redis_url};
use crate::support::content::shipped;
use crate::support::fake_telegram::{MemberStatus, TgUser};

const HER: i64 = 7_351_004_417;
const HER_NAME: &str = "Halyna";
const HER_USERNAME: &str = "halyna_kr_77";
const STAFF: i64 = 5_120_044_301;
const STAFF_FIRST_NAME: &str = "Oksana";
const STAFF_USERNAME: &str = "oksana_peer_dnipro";

/// What she writes: her words, a phone number, a street.
const HER_WORDS: [&str; 3] = [
    "Він знову погрожує, я в під'їзді",
    "Мій номер +380 67 123 45 67",
    "вул. Січеславська 14, кв 9",
];
/// What the consultant writes, to her and to the team.
const STAFF_WORDS: [&str; 2] = [
    "Я тут. Ви зараз у безпечному місці?",
    "Запропонувала притулок у Дніпрі",
];

fn her_text(id: &str) -> String {
    shipped().localizer.text(Locale::Uk, id, &Args::new())
}

async fn whole_case(app: &TestApp) -> (TgUser, String) {
    let group = app.staff_group.expect("a staff group");
    let staff = app.woman(STAFF, STAFF_FIRST_NAME, Some(STAFF_USERNAME), Some("en"));
    app.telegram.add_member(group, &staff, MemberStatus::Member);
    Staff::new(app.db.store.db())
        .add(
            STAFF,
            &StaffName::parse("Sun").expect("a staff name"),
            Role::Consultant,
            Utc::now(),
        )
        .await
        .expect("staff added");
    app.send(&staff, "/online").await;

    let her = app.woman(HER, HER_NAME, Some(HER_USERNAME), Some("uk"));
    app.send(&her, "/talk").await;
    app.press(&her, "talk.start.connect").await;
    let topic = app.telegram.topics(group)[0].clone();
    let code = topic
        .name
        .split(' ')
        .next()
        .expect("a code in the topic name")
        .to_owned();
    // Her first words arrive while she waits.
    app.send(&her, HER_WORDS[0]).await;

    let card = app
        .telegram
        .chat(group)
        .into_iter()
        .find(|m| m.thread_id == Some(topic.thread_id) && !m.button_data().is_empty())
        .expect("a case card");
    let take = card.button_data()[0].to_owned();
    app.telegram
        .press_button_in(&staff, group, card.message_id, &take);
    app.settle().await;

    app.telegram
        .send_in_topic(&staff, group, topic.thread_id, STAFF_WORDS[0]);
    app.settle().await;
    for words in &HER_WORDS[1..] {
        app.send(&her, words).await;
    }
    app.telegram.send_in_topic(
        &staff,
        group,
        topic.thread_id,
        &format!("/note {}", STAFF_WORDS[1]),
    );
    app.telegram
        .send_in_topic(&staff, group, topic.thread_id, "/end");
    app.settle().await;

    // She rates the chat and agrees that it is counted.
    let ended = her_text("handoff-ended");
    let end = app
        .wait_for_message(&her, "the chat closed", |m| {
            m.text.as_deref() == Some(ended.as_str())
        })
        .await;
    let rate = end
        .button_data()
        .into_iter()
        .find(|d| d.ends_with(":3"))
        .expect("a rating button")
        .to_owned();
    app.press(&her, &rate).await;
    let ask = her_text("handoff-count-ask");
    let question = app
        .wait_for_message(&her, "may it be counted", |m| {
            m.text.as_deref() == Some(ask.as_str())
        })
        .await;
    let yes = question
        .button_data()
        .into_iter()
        .find(|d| d.ends_with(":1"))
        .expect("a yes button")
        .to_owned();
    app.press(&her, &yes).await;

    // The consultant fills in the documentation form.
    let form = app
        .telegram
        .chat(group)
        .into_iter()
        .find(|m| {
            m.thread_id == Some(topic.thread_id)
                && m.button_data().iter().any(|d| d.starts_with("doc."))
        })
        .expect("a documentation form");
    for button in [
        "doc.f.psychological",
        "doc.next",
        "doc.p.partner",
        "doc.save",
    ] {
        app.telegram
            .press_button_in(&staff, group, form.message_id, button);
        app.settle().await;
    }
    assert_eq!(
        app.db.count_rows("case_doc_counts", None).await,
        1,
        "the form was saved, so the scan below covers it"
    );
    (her, code)
}

/// Everything that must never be stored, logged or exported after her conversation.
fn secrets(her: &TgUser) -> Vec<String> {
    let mut all: Vec<String> = vec![
        her.id.to_string(),
        HER_NAME.into(),
        HER_USERNAME.into(),
        STAFF_FIRST_NAME.into(),
        STAFF_USERNAME.into(),
        // The phone number she typed, however it is spaced.
        "380671234567".into(),
        "+380 67 123 45 67".into(),
    ];
    all.extend(HER_WORDS.iter().map(|w| w.to_string()));
    all.extend(STAFF_WORDS.iter().map(|w| w.to_string()));
    // A fragment of each, in case something stores a part.
    all.extend(["погрожує", "Січеславська", "притулок"].map(String::from));
    all.into_iter().map(|s| s.to_lowercase()).collect()
}

fn assert_clean(place: &str, haystack: &str, secrets: &[String]) {
    let haystack = haystack.to_lowercase();
    let found: Vec<&String> = secrets.iter().filter(|s| haystack.contains(*s)).collect();
    assert!(found.is_empty(), "{place} holds {found:?}");
}

async fn redis_dump(prefix: &str) -> String {
    let client = redis::Client::open(redis_url()).expect("a Redis URL");
    let mut c = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("Redis must be running at {}: {e}", redis_url()));
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut c)
        .await
        .expect("KEYS");
    // Every value read as what it is (DUMP would hide text in its compression).
    let mut dump = String::new();
    for key in &keys {
        let kind: String = redis::cmd("TYPE")
            .arg(key)
            .query_async(&mut c)
            .await
            .expect("TYPE");
        let values: Vec<String> = match kind.as_str() {
            "string" => vec![
                redis::cmd("GET")
                    .arg(key)
                    .query_async(&mut c)
                    .await
                    .expect("GET"),
            ],
            "zset" => redis::cmd("ZRANGE")
                .arg(key)
                .arg(0)
                .arg(-1)
                .arg("WITHSCORES")
                .query_async(&mut c)
                .await
                .expect("ZRANGE"),
            "hash" => redis::cmd("HGETALL")
                .arg(key)
                .query_async(&mut c)
                .await
                .expect("HGETALL"),
            "set" => redis::cmd("SMEMBERS")
                .arg(key)
                .query_async(&mut c)
                .await
                .expect("SMEMBERS"),
            "list" => redis::cmd("LRANGE")
                .arg(key)
                .arg(0)
                .arg(-1)
                .query_async(&mut c)
                .await
                .expect("LRANGE"),
            other => panic!("a Redis key of a type the scan cannot read: {other}"),
        };
        dump.push_str(&format!("{key} {}\n", values.join(" ")));
    }
    if !keys.is_empty() {
        redis::cmd("DEL")
            .arg(&keys)
            .query_async::<()>(&mut c)
            .await
            .expect("DEL");
    }
    dump
}

async fn nothing_left_behind(backend: Backend) {
    let builder = TestApp::init().with_staff_group();
    let app = match backend {
        Backend::Sqlite => builder.spawn().await,
        Backend::Postgres => builder.with_backend(backend).with_redis().spawn().await,
    };
    let (her, code) = whole_case(&app).await;
    let secrets = secrets(&her);

    // Every table, row by row. The consultant's Telegram id may stand in the staff list (that
    // is how the bot knows her), nowhere else.
    for row in app.db.dump().await {
        assert_clean("the database", &row, &secrets);
        if !row.starts_with("staff:") {
            assert!(
                !row.contains(&STAFF.to_string()),
                "the consultant's Telegram id outside the staff list: {row}"
            );
        }
    }

    let (status, metrics) = app.get("/metrics").await;
    assert_eq!(status, 200);
    assert_clean("/metrics", &metrics, &secrets);
    assert!(!metrics.contains(&code), "/metrics names a case");
    assert!(!metrics.contains(&STAFF.to_string()));

    if let Some(prefix) = app.redis_prefix.clone() {
        let redis = redis_dump(&prefix).await;
        assert_clean("Redis", &redis, &secrets);
        assert!(!redis.contains(&STAFF.to_string()));
    }

    let logs = app.logs();
    assert!(
        logs.contains("a case was closed"),
        "the logs were captured: {logs}"
    );
    assert_clean("the logs", &logs, &secrets);
    assert!(
        !logs.contains(&STAFF.to_string()),
        "the logs name a consultant"
    );
    assert!(!logs.contains(&code), "the logs name a case code");
    app.stop().await;
}

crate::support::stories!(nothing_left_behind);
