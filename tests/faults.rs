//! The hand-off through its servers' faults, on private servers the tests may break at will
//! ([`crate::support::servers`]): Redis killed and started again empty, then FLUSHALL, while
//! women wait in line; PostgreSQL restarted (`pg_ctl restart -m fast`) and stopped for a few
//! seconds while a woman and her consultant keep writing. Afterwards every message either side
//! sent arrived exactly once and in order, and every waiting woman is still in line in her
//! place. (The 429 storm and kill -9 mid-relay are in `tests/handoff.rs`.)

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use helpline::domain::Locale;
use helpline::handoff::{CaseCode, CaseState, Cases, Line, RedisLine};
use helpline::i18n::Args;
use helpline::privacy::Pseudonym;
use helpline::staff::{Role, Staff, StaffName};
use helpline::telegram::desk::DeskRules;

use crate::support::app::TestApp;
use crate::support::content::shipped;
use crate::support::fake_telegram::{MemberStatus, TgUser};
use crate::support::servers::{PrivatePostgres, PrivateRedis};

/// Long enough for the desk's 2 s clock to run a few times, and for a turn waiting out an
/// outage to get through once the database is back (its waits grow to 5 s).
const RECOVERY: Duration = Duration::from_secs(60);

const IRIS: i64 = 5_120_000_001;
const FIRST_WOMAN: i64 = 7_350_561_800;

/// A consultant in the staff group, on shift.
async fn consultant_on_shift(app: &TestApp) -> TgUser {
    let iris = app.woman(IRIS, "Iryna", Some("iryna_k"), Some("en"));
    let group = app.staff_group.expect("a staff group");
    app.telegram.add_member(group, &iris, MemberStatus::Member);
    Staff::new(app.db.store.db())
        .add(
            IRIS,
            &StaffName::parse("Iris").expect("name"),
            Role::Consultant,
            Utc::now(),
        )
        .await
        .expect("staff added");
    app.send(&iris, "/online").await;
    iris
}

/// She asks for a person through the bot; returns her pseudonym.
async fn asks_for_a_person(app: &TestApp, her: &TgUser) -> Pseudonym {
    app.send(her, "/talk").await;
    app.press(her, "talk.start.connect").await;
    app.db.keys.pseudonym(her.id)
}

async fn code_of(app: &TestApp, who: &Pseudonym) -> CaseCode {
    open_case(app, who).await.code
}

/// Waits until the line in Redis is built and holds exactly `expected`, in order.
async fn wait_for_line(app: &TestApp, line: &RedisLine, expected: &[CaseCode], what: &str) {
    let deadline = tokio::time::Instant::now() + RECOVERY;
    loop {
        let built = line.is_built().await.unwrap_or(false);
        let waiting = line.waiting().await.unwrap_or_default();
        if built && waiting == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: {} waiting, {} in the line (built: {built}), expected {expected:?}, found \
             {waiting:?}; logs:\n{}",
            expected.len(),
            waiting.len(),
            app.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Her open case, asked again a few times: the test's own pool may hand out a connection the
/// database restart ended, which fails once and is then replaced.
async fn open_case(app: &TestApp, who: &Pseudonym) -> helpline::handoff::Case {
    let cases = Cases::new(app.db.store.db());
    let mut tries = 0;
    loop {
        match cases.open_for(who).await {
            Ok(case) => return case.expect("an open case"),
            Err(e) if tries < 20 => {
                tries += 1;
                eprintln!("asking for her case again: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("her case could not be read: {e}"),
        }
    }
}

/// Waits until her place-in-line message (edited as the line moves) says `place` (with any
/// estimate up to an hour: the estimate follows recent waits).
async fn wait_for_place(app: &TestApp, her: &TgUser, who: &Pseudonym, place: i64) {
    let notice = open_case(app, who)
        .await
        .notice_id
        .expect("she was told her place");
    let expected: Vec<String> = (1..=60)
        .map(|minutes| {
            shipped().localizer.text(
                Locale::En,
                "handoff-waiting",
                &Args::new()
                    .number("place", place)
                    .number("minutes", minutes),
            )
        })
        .collect();
    let chat = her.chat_id();
    let found = app
        .telegram
        .wait_until(
            |st| {
                st.bot_messages(chat)
                    .into_iter()
                    .find(|m| m.message_id == notice)
                    .filter(|m| {
                        expected
                            .iter()
                            .any(|e| m.text.as_deref() == Some(e.as_str()))
                    })
                    .map(|_| ())
            },
            RECOVERY,
        )
        .await;
    assert!(
        found.is_ok(),
        "her place should read {place}:\n{}",
        app.describe(her)
    );
}

/// Redis is killed and started again empty while a fourth woman asks for a person and waiting
/// women write; later it is emptied by FLUSHALL. The desk's clock rebuilds the line from the
/// database each time: all four are in line, urgent first then oldest, each told her right
/// place; Take and the relay work afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restart_and_flushall_mid_queue_lose_nobody() {
    let mut redis = PrivateRedis::start().await;
    let app = TestApp::init()
        .with_staff_group()
        .with_redis_at(redis.url())
        .spawn()
        .await;
    let group = app.staff_group.expect("group");
    let prefix = app.redis_prefix.clone().expect("a prefix");
    let line = RedisLine::connect(&redis.url(), &prefix)
        .await
        .expect("the private Redis");
    let iris = consultant_on_shift(&app).await;

    let women: Vec<TgUser> = (0..4)
        .map(|i| app.woman(FIRST_WOMAN + i, "Olena", Some("olena_sh"), Some("en")))
        .collect();
    let mut who = Vec::new();
    for her in &women[..2] {
        who.push(asks_for_a_person(&app, her).await);
    }
    // The third is urgent (a red flag): through a desk of the test's own on the same line.
    let desk_line = RedisLine::connect(&redis.url(), &prefix)
        .await
        .expect("the private Redis");
    let (desk, out) = app.desk(Arc::new(desk_line), DeskRules::default());
    let urgent = app.db.keys.pseudonym(women[2].id);
    let mut session = helpline::conversation::Session::new(Locale::En);
    session.country = Some(helpline::domain::CountryCode::parse("UA").expect("UA"));
    desk.talk(
        &out,
        &urgent,
        women[2].chat_id(),
        &session,
        true,
        &[],
        Vec::new(),
    )
    .await;
    who.push(urgent);
    let codes = [
        code_of(&app, &who[0]).await,
        code_of(&app, &who[1]).await,
        code_of(&app, &who[2]).await,
    ];
    let order = vec![codes[2].clone(), codes[0].clone(), codes[1].clone()];
    wait_for_line(&app, &line, &order, "three waiting before the restart").await;

    // Redis dies. Meanwhile a fourth woman asks for a person and two waiting women write.
    redis.stop();
    who.push(asks_for_a_person(&app, &women[3]).await);
    let d_code = code_of(&app, &who[3]).await;
    app.send(&women[0], "are you there?").await;
    app.send(&women[1], "still waiting").await;
    // Back, empty: the clock notices and rebuilds the line from the database.
    redis.start_again().await;
    let order = vec![
        codes[2].clone(),
        codes[0].clone(),
        codes[1].clone(),
        d_code.clone(),
    ];
    wait_for_line(&app, &line, &order, "after a Redis restart").await;
    for (place, i) in [(1, 2), (2, 0), (3, 1), (4, 3)] {
        wait_for_place(&app, &women[i], &who[i], place).await;
    }

    // FLUSHALL while they wait: the same again.
    redis.flushall().await;
    wait_for_line(&app, &line, &order, "after FLUSHALL").await;
    let restores = app.logs().matches("restored from the database").count();
    assert!(
        restores >= 2,
        "the clock rebuilt the line after the restart and after FLUSHALL: {restores} restores"
    );
    for w in &who {
        let case = open_case(&app, w).await;
        assert_eq!(case.state, CaseState::Waiting, "nobody dropped out");
    }

    // Take works: Iris takes the urgent case from its card; the rest move up a place.
    let card = app
        .telegram
        .chat(group)
        .into_iter()
        .find(|m| {
            m.thread_id.is_some()
                && m.button_data()
                    .iter()
                    .any(|d| *d == format!("take:{}", codes[2]))
        })
        .expect("the urgent case's card");
    let thread = card.thread_id.expect("a topic");
    app.telegram
        .press_button_in(&iris, group, card.message_id, &format!("take:{}", codes[2]));
    app.settle().await;
    let case = open_case(&app, &who[2]).await;
    assert_eq!(case.state, CaseState::Active, "Take works after the faults");
    let order = vec![codes[0].clone(), codes[1].clone(), d_code.clone()];
    wait_for_line(&app, &line, &order, "after Take").await;
    wait_for_place(&app, &women[3], &who[3], 3).await;

    // The relay works both ways.
    let hers = app.send(&women[2], "thank you").await;
    let answer = app
        .telegram
        .send_in_topic(&iris, group, thread, "I am here.");
    app.settle().await;
    let into_topic: Vec<i32> = app.telegram.copied_ids(group, Some(thread));
    assert_eq!(
        into_topic,
        vec![hers],
        "her message arrives once in the topic"
    );
    app.wait_for_message(&women[2], "the consultant's answer", |m| {
        m.copied_from == Some((group, answer))
    })
    .await;
    assert!(app.is_running());
    app.stop().await;
}

/// What arrived compared with what was sent: every one once, in order.
fn assert_exactly_once(seen: &[i32], sent: &[i32], what: &str) {
    let twice = seen.len() - {
        let mut unique = seen.to_vec();
        unique.sort_unstable();
        unique.dedup();
        unique.len()
    };
    let missing = sent.iter().filter(|id| !seen.contains(id)).count();
    println!(
        "{what}: {} sent, {} arrived, {twice} twice, {missing} missing",
        sent.len(),
        seen.len()
    );
    assert_eq!(
        seen,
        sent,
        "{what}: {} sent, {} arrived, {twice} twice, {missing} missing",
        sent.len(),
        seen.len()
    );
}

/// A woman and her consultant keep writing while PostgreSQL is restarted (`-m fast`, every
/// session ended) and then stopped for a few seconds: their updates wait for the database and
/// go through once it is back. Every message arrives exactly once, in order; the woman waiting
/// in line is still there; `/readyz` says the database is down while it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restart_mid_relay_loses_nothing() {
    let pg = Arc::new(PrivatePostgres::start().await);
    let app = TestApp::init()
        .with_staff_group()
        .with_postgres_on(pg.admin_url())
        .with_redis()
        .spawn()
        .await;
    let group = app.staff_group.expect("group");
    let prefix = app.redis_prefix.clone().expect("a prefix");
    let iris = consultant_on_shift(&app).await;
    let her = app.woman(FIRST_WOMAN, "Olena", Some("olena_sh"), Some("uk"));
    let waiting = app.woman(FIRST_WOMAN + 1, "Oksana", Some("oksana_m"), Some("en"));
    let who = asks_for_a_person(&app, &her).await;
    let code = code_of(&app, &who).await;
    let waiting_who = asks_for_a_person(&app, &waiting).await;
    let waiting_code = code_of(&app, &waiting_who).await;
    let card = app
        .telegram
        .chat(group)
        .into_iter()
        .find(|m| {
            m.thread_id.is_some() && m.button_data().iter().any(|d| *d == format!("take:{code}"))
        })
        .expect("her case's card");
    let thread = card.thread_id.expect("a topic");
    app.telegram
        .press_button_in(&iris, group, card.message_id, &format!("take:{code}"));
    app.settle().await;

    let mut hers = Vec::new();
    let mut answers = Vec::new();
    let mut n = 0;
    let mut exchange = |count: usize| {
        for _ in 0..count {
            hers.push(app.telegram.send_text(&her, &format!("mine {n}")));
            answers.push(
                app.telegram
                    .send_in_topic(&iris, group, thread, &format!("answer {n}")),
            );
            n += 1;
        }
    };
    exchange(5);
    app.settle().await;

    // A restart while both keep writing.
    let restart = tokio::task::spawn_blocking({
        let pg = pg.clone();
        move || pg.restart()
    });
    while !restart.is_finished() {
        exchange(1);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    restart.await.expect("pg_ctl restart");
    exchange(5);

    // Down for a few seconds while both keep writing; /readyz says so.
    tokio::task::spawn_blocking({
        let pg = pg.clone();
        move || pg.stop()
    })
    .await
    .expect("pg_ctl stop");
    for _ in 0..10 {
        exchange(1);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(
        app.get("/readyz").await,
        (503, "database unreachable".to_owned()),
        "/readyz while the database is down"
    );
    assert!(app.is_running(), "the bot keeps running through the outage");
    tokio::task::spawn_blocking({
        let pg = pg.clone();
        move || pg.start_again()
    })
    .await
    .expect("pg_ctl start");
    exchange(5);

    let newest = app.newest_update();
    app.telegram
        .wait_for(|st| !st.is_pending(newest), RECOVERY)
        .await
        .unwrap_or_else(|e| panic!("not every update was handled: {e}\n{}", app.logs()));
    let into_topic: Vec<i32> = app.telegram.copied_ids(group, Some(thread));
    assert_exactly_once(&into_topic, &hers, "her messages");
    let to_her: Vec<i32> = app.telegram.copied_ids(her.chat_id(), None);
    assert_exactly_once(&to_her, &answers, "the consultant's answers");
    let apologies = app
        .bot_messages(&her)
        .iter()
        .filter(|m| {
            m.text.as_deref()
                == Some(
                    shipped()
                        .localizer
                        .text(Locale::Uk, "error-try-again", &Args::new())
                        .as_str(),
                )
        })
        .count();
    assert_eq!(
        apologies, 0,
        "no message of hers fell through to an apology"
    );

    let case = open_case(&app, &waiting_who).await;
    assert_eq!(
        case.state,
        CaseState::Waiting,
        "the waiting woman is still waiting"
    );
    let line = RedisLine::connect(&crate::support::app::redis_url(), &prefix)
        .await
        .expect("redis");
    wait_for_line(&app, &line, &[waiting_code], "the line after the outage").await;
    assert!(
        app.logs().contains("the database answered again"),
        "the outage was waited out"
    );
    assert_eq!(app.get("/readyz").await, (200, "ready".to_owned()));
    app.stop().await;
}
