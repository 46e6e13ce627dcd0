//! The `Store` conformance suite: each story is written once and run against every backend
//! (`<story>::sqlite`, `<story>::postgres`). A story that passes on one backend and fails on the
//! other is a bug in that backend.

use std::sync::Arc;
use std::time::Instant;

use chrono::TimeDelta;
use helpline::privacy::Secret;
use helpline::store::{DEFAULT_IDLE_RETENTION, Ledger, PurgeReport, Recorded, StoreError, Turn};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::support::{TestDb, contains_bytes, noon};

/// Runs each named story as `story::sqlite` and `story::postgres`.
macro_rules! stories {
    ($($story:ident),* $(,)?) => {$(
        mod $story {
            use crate::support::{Backend, TestDb};

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$story(TestDb::new(Backend::Sqlite).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$story(TestDb::new(Backend::Postgres).await).await;
            }
        }
    )*};
}

stories!(
    first_delivery_is_true_once_under_concurrency,
    delivered_only_looks,
    session_round_trips_and_overwrites,
    routes_round_trip,
    message_ids_are_kept_for_the_quick_exit_window,
    the_ledger_writes_behind_and_loses_nothing,
    a_turn_saves_session_route_and_message_ids_together,
    forget_leaves_no_row_about_her,
    purge_honours_retention,
    reopening_keeps_everything,
    sessions_and_chat_ids_are_ciphertext_at_rest,
    no_identifier_appears_anywhere_in_the_database,
    tampered_session_does_not_open,
    route_moved_to_another_woman_does_not_open,
    another_secret_is_refused_at_start,
    ping_answers,
    timing_of_a_thousand_updates,
);

/// Her Telegram user id. In a private chat Telegram uses the same number as the chat id.
const OLENA: i64 = 7_350_561_829;
/// A second woman, whose chat id we make different from her user id.
const DANA: i64 = 6_120_447_903;
const DANA_CHAT: i64 = 5_918_260_337;

async fn first_delivery_is_true_once_under_concurrency(db: TestDb) {
    let now = noon();
    let barrier = Arc::new(Barrier::new(20));
    let mut callers = JoinSet::new();
    for _ in 0..20 {
        let store = db.store.clone();
        let barrier = barrier.clone();
        callers.spawn(async move {
            barrier.wait().await;
            store
                .first_delivery(900_001, now)
                .await
                .expect("first_delivery")
        });
    }
    let mut firsts = 0;
    while let Some(first) = callers.join_next().await {
        if first.expect("caller task") {
            firsts += 1;
        }
    }
    assert_eq!(
        firsts, 1,
        "exactly one of 20 concurrent callers processes the update"
    );
    assert!(!db.store.first_delivery(900_001, now).await.expect("again"));
    assert!(
        db.store
            .first_delivery(900_002, now)
            .await
            .expect("next update")
    );
}

async fn delivered_only_looks(db: TestDb) {
    let store = &db.store;
    assert!(!store.delivered(900_002).await.expect("delivered"));
    assert!(
        !store.delivered(900_002).await.expect("delivered"),
        "looking does not record"
    );
    assert!(store.first_delivery(900_002, noon()).await.expect("first"));
    assert!(store.delivered(900_002).await.expect("delivered"));
    assert!(!store.delivered(900_003).await.expect("delivered"));
    assert!(!store.first_delivery(900_002, noon()).await.expect("again"));
}

async fn session_round_trips_and_overwrites(db: TestDb) {
    let (olena, dana) = (db.keys.pseudonym(OLENA), db.keys.pseudonym(DANA));
    let now = noon();
    assert_eq!(db.store.load_session(&olena).await.expect("load"), None);

    let first = b"v1:flow=check;step=3".to_vec();
    db.store
        .save_session(&olena, &first, now)
        .await
        .expect("save");
    assert_eq!(
        db.store.load_session(&olena).await.expect("load"),
        Some(first)
    );

    // Longer, then shorter than a padding block, then empty: each comes back exactly.
    let long = vec![0xab; 1000];
    db.store
        .save_session(&olena, &long, now)
        .await
        .expect("overwrite");
    assert_eq!(
        db.store.load_session(&olena).await.expect("load"),
        Some(long)
    );
    db.store
        .save_session(&olena, b"", now)
        .await
        .expect("overwrite");
    assert_eq!(
        db.store.load_session(&olena).await.expect("load"),
        Some(Vec::new())
    );

    assert_eq!(
        db.store.load_session(&dana).await.expect("load"),
        None,
        "hers only"
    );
    assert_eq!(db.count_rows("sessions", None).await, 1);
}

async fn routes_round_trip(db: TestDb) {
    let (olena, dana) = (db.keys.pseudonym(OLENA), db.keys.pseudonym(DANA));
    let now = noon();
    assert_eq!(db.store.get_route(&olena).await.expect("get"), None);

    db.store.put_route(&olena, OLENA, now).await.expect("put");
    db.store
        .put_route(&dana, DANA_CHAT, now)
        .await
        .expect("put");
    assert_eq!(db.store.get_route(&olena).await.expect("get"), Some(OLENA));
    assert_eq!(
        db.store.get_route(&dana).await.expect("get"),
        Some(DANA_CHAT)
    );

    for chat_id in [-1_001_234_567_890, i64::MIN, i64::MAX, 0] {
        db.store
            .put_route(&olena, chat_id, now)
            .await
            .expect("overwrite");
        assert_eq!(
            db.store.get_route(&olena).await.expect("get"),
            Some(chat_id)
        );
    }
    assert_eq!(
        db.store.get_route(&dana).await.expect("get"),
        Some(DANA_CHAT)
    );
    assert_eq!(db.count_rows("routes", None).await, 2);
}

async fn message_ids_are_kept_for_the_quick_exit_window(db: TestDb) {
    let (olena, dana) = (db.keys.pseudonym(OLENA), db.keys.pseudonym(DANA));
    let now = noon();
    let hours = TimeDelta::hours;
    for (message_id, sent_at) in [
        (10, now - hours(50)),
        (12, now - TimeDelta::minutes(1)),
        (11, now - hours(47)),
        (12, now), // recorded twice: harmless
    ] {
        db.store
            .record_message(&olena, message_id, sent_at)
            .await
            .expect("record");
    }
    db.store
        .record_message(&dana, 13, now)
        .await
        .expect("record");

    let window = now - hours(48);
    assert_eq!(
        db.store
            .recent_messages(&olena, window)
            .await
            .expect("recent"),
        vec![11, 12]
    );
    assert_eq!(
        db.store
            .recent_messages(&dana, window)
            .await
            .expect("recent"),
        vec![13]
    );

    let report = db
        .store
        .purge(now, DEFAULT_IDLE_RETENTION)
        .await
        .expect("purge");
    assert_eq!(
        report.message_ids, 1,
        "only the 50-hour-old id is past 48 hours"
    );
    let all = now - hours(1000);
    assert_eq!(
        db.store.recent_messages(&olena, all).await.expect("recent"),
        vec![11, 12]
    );
}

/// Message ids handed to the ledger from many tasks at once, more than one write holds, with
/// repeats: after a flush every one is in the store, each once.
async fn the_ledger_writes_behind_and_loses_nothing(db: TestDb) {
    let (olena, dana) = (db.keys.pseudonym(OLENA), db.keys.pseudonym(DANA));
    let now = noon();
    // One write with a repeat inside it.
    db.store
        .record_messages(&[
            Recorded {
                who: olena,
                message_id: 1,
                sent_at: now,
            },
            Recorded {
                who: dana,
                message_id: 1,
                sent_at: now,
            },
            Recorded {
                who: olena,
                message_id: 1,
                sent_at: now,
            },
        ])
        .await
        .expect("one write");

    let ledger = Ledger::start(db.store.clone());
    let mut tasks = JoinSet::new();
    for task in 0..8 {
        let ledger = ledger.clone();
        tasks.spawn(async move {
            for n in 0..300 {
                let who = if n % 2 == 0 { olena } else { dana };
                // Tasks 0 and 1 hand in the same ids: a repeat is harmless.
                ledger.record(&who, 2 + (task / 2) * 300 + n, now).await;
            }
        });
    }
    tasks.join_all().await;
    ledger.flush().await;

    let window = now - TimeDelta::hours(1);
    let olenas = db
        .store
        .recent_messages(&olena, window)
        .await
        .expect("recent");
    let danas = db
        .store
        .recent_messages(&dana, window)
        .await
        .expect("recent");
    let expected = |parity: i32| -> Vec<i32> {
        std::iter::once(1)
            .chain(
                (0..4 * 300)
                    .filter(|n| n % 300 % 2 == parity)
                    .map(|n| 2 + n),
            )
            .collect()
    };
    assert_eq!(olenas, expected(0), "every id of hers once, in order");
    assert_eq!(danas, expected(1), "every id of hers once, in order");
}

async fn a_turn_saves_session_route_and_message_ids_together(db: TestDb) {
    let (olena, dana) = (db.keys.pseudonym(OLENA), db.keys.pseudonym(DANA));
    let now = noon();
    fn turn<'a>(session: &'a [u8], chat_id: i64, message_ids: &'a [i32]) -> Turn<'a> {
        Turn {
            session,
            chat_id,
            message_ids,
        }
    }
    db.store
        .save_turn(&olena, turn(b"v1", OLENA, &[5, 6, 6]), now)
        .await
        .expect("a turn");
    db.store
        .save_turn(&olena, turn(b"v2", OLENA, &[]), now + TimeDelta::minutes(1))
        .await
        .expect("a turn without message ids");
    db.store
        .save_turn(&dana, turn(b"d1", DANA_CHAT, &[6]), now)
        .await
        .expect("another woman");
    assert_eq!(
        db.store.load_session(&olena).await.expect("load"),
        Some(b"v2".to_vec())
    );
    assert_eq!(
        db.store.get_route(&olena).await.expect("route"),
        Some(OLENA)
    );
    assert_eq!(
        db.store.get_route(&dana).await.expect("route"),
        Some(DANA_CHAT)
    );
    let window = now - TimeDelta::hours(48);
    assert_eq!(
        db.store
            .recent_messages(&olena, window)
            .await
            .expect("recent"),
        vec![5, 6]
    );

    // Many women ending turns at once (SQLite groups them into one transaction): each lands.
    let mut women = JoinSet::new();
    for n in 0..60i64 {
        let (store, keys) = (db.store.clone(), db.keys.clone());
        women.spawn(async move {
            let who = keys.pseudonym(2_000 + n);
            let session = n.to_be_bytes();
            let id = i32::try_from(n).expect("small");
            store
                .save_turn(&who, turn(&session, 3_000 + n, &[id, id + 1]), noon())
                .await
                .expect("a concurrent turn");
        });
    }
    while let Some(done) = women.join_next().await {
        done.expect("woman");
    }
    for n in 0..60i64 {
        let who = db.keys.pseudonym(2_000 + n);
        let id = i32::try_from(n).expect("small");
        assert_eq!(
            db.store.load_session(&who).await.expect("load"),
            Some(n.to_be_bytes().to_vec())
        );
        assert_eq!(
            db.store.get_route(&who).await.expect("route"),
            Some(3_000 + n)
        );
        assert_eq!(
            db.store.recent_messages(&who, window).await.expect("ids"),
            vec![id, id + 1]
        );
    }
    assert_eq!(db.count_rows("message_ids", None).await, 3 + 120);

    // Everything a turn wrote ages like the rest.
    let report = db
        .store
        .purge(
            now + DEFAULT_IDLE_RETENTION + TimeDelta::days(1),
            DEFAULT_IDLE_RETENTION,
        )
        .await
        .expect("purge");
    assert_eq!(
        (report.sessions, report.routes, report.message_ids),
        (62, 62, 123)
    );
}

/// Everything the bot would hold about a woman after a conversation.
async fn a_conversation(db: &TestDb, user_id: i64, chat_id: i64, first_message: i32) {
    let who = db.keys.pseudonym(user_id);
    let now = noon();
    let store = &db.store;
    store
        .save_session(&who, b"v1:lang=uk;flow=plan", now)
        .await
        .expect("save");
    store.put_route(&who, chat_id, now).await.expect("route");
    for message_id in first_message..first_message + 3 {
        store
            .record_message(&who, message_id, now)
            .await
            .expect("record");
    }
}

async fn forget_leaves_no_row_about_her(db: TestDb) {
    a_conversation(&db, OLENA, OLENA, 100).await;
    a_conversation(&db, DANA, DANA_CHAT, 200).await;
    db.store
        .first_delivery(900_010, noon())
        .await
        .expect("delivery");
    let (olena, dana) = (db.keys.pseudonym(OLENA), db.keys.pseudonym(DANA));
    let hers = olena.to_string();
    let rows_about_her = |dump: &[String]| dump.iter().filter(|row| row.contains(&hers)).count();
    assert_eq!(
        rows_about_her(&db.dump().await),
        5,
        "session, route, three message ids"
    );

    db.store.forget(&olena).await.expect("forget");

    assert_eq!(rows_about_her(&db.dump().await), 0);
    for table in ["sessions", "routes", "message_ids"] {
        assert_eq!(db.count_rows(table, Some(&olena)).await, 0, "{table}");
        assert!(
            db.count_rows(table, Some(&dana)).await > 0,
            "{table} keeps Dana"
        );
    }
    assert_eq!(db.store.load_session(&olena).await.expect("load"), None);
    assert_eq!(db.store.get_route(&olena).await.expect("route"), None);
    assert!(
        db.store
            .recent_messages(&olena, noon() - TimeDelta::days(3))
            .await
            .expect("ids")
            .is_empty()
    );
    assert_eq!(
        db.store.get_route(&dana).await.expect("route"),
        Some(DANA_CHAT)
    );
    db.store
        .forget(&olena)
        .await
        .expect("forgetting twice is fine");
}

async fn purge_honours_retention(db: TestDb) {
    let (olena, dana) = (db.keys.pseudonym(OLENA), db.keys.pseudonym(DANA));
    let now = noon();
    let days = TimeDelta::days;
    let store = &db.store;
    store
        .save_session(&olena, b"old", now - days(31))
        .await
        .expect("save");
    store
        .save_session(&dana, b"recent", now - days(29))
        .await
        .expect("save");
    store
        .put_route(&olena, OLENA, now - days(31))
        .await
        .expect("route");
    store
        .put_route(&dana, DANA_CHAT, now - days(40))
        .await
        .expect("route");
    store
        .put_route(&dana, DANA_CHAT, now - days(1))
        .await
        .expect("touching refreshes");
    store
        .record_message(&olena, 1, now - TimeDelta::hours(49))
        .await
        .expect("record");
    store
        .record_message(&dana, 2, now - TimeDelta::hours(1))
        .await
        .expect("record");
    assert!(
        store
            .first_delivery(1, now - days(8))
            .await
            .expect("delivery")
    );
    assert!(
        store
            .first_delivery(2, now - days(6))
            .await
            .expect("delivery")
    );

    let report = store
        .purge(now, DEFAULT_IDLE_RETENTION)
        .await
        .expect("purge");
    let one_each = PurgeReport {
        sessions: 1,
        routes: 1,
        message_ids: 1,
        deliveries: 1,
    };
    assert_eq!(report, one_each);
    assert_eq!(store.load_session(&olena).await.expect("load"), None);
    assert_eq!(
        store.load_session(&dana).await.expect("load"),
        Some(b"recent".to_vec())
    );
    assert_eq!(store.get_route(&olena).await.expect("route"), None);
    assert_eq!(
        store.get_route(&dana).await.expect("route"),
        Some(DANA_CHAT)
    );
    assert!(
        store
            .first_delivery(1, now)
            .await
            .expect("forgotten update id is new again")
    );
    assert!(!store.first_delivery(2, now).await.expect("kept update id"));

    let again = store
        .purge(now, DEFAULT_IDLE_RETENTION)
        .await
        .expect("purge");
    assert_eq!(again, PurgeReport::default(), "purge is idempotent");
    let shorter = store.purge(now, days(7)).await.expect("purge");
    assert_eq!(
        shorter.sessions, 1,
        "a shorter retention takes Dana's 29-day-old session"
    );
    assert_eq!(shorter.routes, 0);
}

async fn reopening_keeps_everything(db: TestDb) {
    a_conversation(&db, OLENA, OLENA, 100).await;
    assert!(
        db.store
            .first_delivery(900_020, noon())
            .await
            .expect("delivery")
    );
    let before = db.keys.pseudonym(OLENA);

    let db = db.reopen().await;

    if let Some(file) = db.sqlite_file() {
        // SQLite ran without HELPLINE_SECRET: the secret was generated beside the file, privately.
        use std::os::unix::fs::PermissionsExt as _;
        let secret = Secret::path_beside(file);
        let mode = std::fs::metadata(&secret)
            .expect("secret file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let olena = db.keys.pseudonym(OLENA);
    assert_eq!(
        olena, before,
        "the same secret gives the same pseudonym after a restart"
    );
    assert_eq!(
        db.store.load_session(&olena).await.expect("load"),
        Some(b"v1:lang=uk;flow=plan".to_vec())
    );
    assert_eq!(
        db.store.get_route(&olena).await.expect("route"),
        Some(OLENA)
    );
    assert_eq!(
        db.store
            .recent_messages(&olena, noon() - TimeDelta::hours(1))
            .await
            .expect("ids"),
        vec![100, 101, 102]
    );
    assert!(
        !db.store
            .first_delivery(900_020, noon())
            .await
            .expect("redelivery after restart")
    );
}

async fn sessions_and_chat_ids_are_ciphertext_at_rest(db: TestDb) {
    let olena = db.keys.pseudonym(OLENA);
    let session = b"v1:check:strangulation=yes;threats_to_kill=yes";
    db.store
        .save_session(&olena, session, noon())
        .await
        .expect("save");
    db.store
        .put_route(&olena, OLENA, noon())
        .await
        .expect("route");

    let sealed_session = db.raw_bytes("sessions", "sealed", &olena).await;
    assert!(!contains_bytes(&sealed_session, session));
    assert!(!contains_bytes(&sealed_session, b"strangulation"));
    assert_eq!(
        sealed_session.len(),
        64 + 41,
        "padded to 64 bytes, plus version, nonce, tag"
    );

    let sealed_route = db.raw_bytes("routes", "sealed_chat_id", &olena).await;
    for plain in [
        &OLENA.to_be_bytes()[..],
        &OLENA.to_le_bytes()[..],
        OLENA.to_string().as_bytes(),
    ] {
        assert!(!contains_bytes(&sealed_route, plain));
        assert!(!contains_bytes(&sealed_session, plain));
    }

    db.store
        .save_session(&olena, session, noon())
        .await
        .expect("save again");
    let resealed = db.raw_bytes("sessions", "sealed", &olena).await;
    assert_ne!(
        resealed, sealed_session,
        "a fresh nonce every time: equal sessions look different"
    );
}

async fn no_identifier_appears_anywhere_in_the_database(db: TestDb) {
    let session = b"v1:check:strangulation=yes;name=Olena";
    let olena = db.keys.pseudonym(OLENA);
    a_conversation(&db, OLENA, OLENA, 100).await;
    a_conversation(&db, DANA, DANA_CHAT, 200).await;
    db.store
        .save_session(&olena, session, noon())
        .await
        .expect("save");
    db.store
        .first_delivery(900_030, noon())
        .await
        .expect("delivery");

    let dump = db.dump().await.join("\n");
    assert!(
        dump.contains(&olena.to_string()),
        "the scan sees the tables: {dump}"
    );
    let mut needles = Vec::new();
    for id in [OLENA, DANA, DANA_CHAT] {
        needles.push(id.to_string());
        needles.push(hex::encode(id.to_string())); // decimal text inside a byte column
        needles.push(hex::encode(id.to_be_bytes()));
        needles.push(hex::encode(id.to_le_bytes()));
        let significant = id.to_be_bytes();
        needles.push(hex::encode(&significant[3..])); // the five non-zero bytes
    }
    for text in [
        &session[..],
        b"strangulation",
        b"olena",
        b"lang=uk;flow=plan",
    ] {
        needles.push(String::from_utf8_lossy(text).to_lowercase());
        needles.push(hex::encode(text));
    }
    for needle in &needles {
        assert!(
            !dump.contains(needle.as_str()),
            "found {needle:?} in the database"
        );
    }
}

async fn tampered_session_does_not_open(db: TestDb) {
    let olena = db.keys.pseudonym(OLENA);
    db.store
        .save_session(&olena, b"v1:flow=plan", noon())
        .await
        .expect("save");
    let mut sealed = db.raw_bytes("sessions", "sealed", &olena).await;
    let last = sealed.len() - 1;
    sealed[last] ^= 0x01;
    db.set_raw_bytes("sessions", "sealed", &olena, &sealed)
        .await;

    let error = db.store.load_session(&olena).await.expect_err("tampered");
    assert!(
        matches!(error, StoreError::Unreadable { what: "session" }),
        "{error:?}"
    );

    db.set_raw_bytes("sessions", "sealed", &olena, &sealed[..20])
        .await;
    let error = db.store.load_session(&olena).await.expect_err("truncated");
    assert!(matches!(error, StoreError::Unreadable { .. }), "{error:?}");

    db.store
        .forget(&olena)
        .await
        .expect("she can still start over");
    assert_eq!(db.store.load_session(&olena).await.expect("load"), None);
}

async fn route_moved_to_another_woman_does_not_open(db: TestDb) {
    let (olena, dana) = (db.keys.pseudonym(OLENA), db.keys.pseudonym(DANA));
    db.store
        .put_route(&olena, OLENA, noon())
        .await
        .expect("route");
    db.store
        .put_route(&dana, DANA_CHAT, noon())
        .await
        .expect("route");
    db.store
        .save_session(&olena, b"v1", noon())
        .await
        .expect("session");

    let danas = db.raw_bytes("routes", "sealed_chat_id", &dana).await;
    db.set_raw_bytes("routes", "sealed_chat_id", &olena, &danas)
        .await;
    let error = db
        .store
        .get_route(&olena)
        .await
        .expect_err("Dana's route on Olena's row");
    assert!(
        matches!(error, StoreError::Unreadable { what: "route" }),
        "{error:?}"
    );

    let session = db.raw_bytes("sessions", "sealed", &olena).await;
    db.set_raw_bytes("routes", "sealed_chat_id", &olena, &session)
        .await;
    let error = db
        .store
        .get_route(&olena)
        .await
        .expect_err("a session is not a route");
    assert!(matches!(error, StoreError::Unreadable { .. }), "{error:?}");

    assert_eq!(
        db.store.get_route(&dana).await.expect("route"),
        Some(DANA_CHAT)
    );
}

async fn another_secret_is_refused_at_start(db: TestDb) {
    let error = db
        .connect_with(Secret::generate().expect("secret"))
        .await
        .expect_err("a second instance with another secret");
    assert!(matches!(error, StoreError::WrongSecret), "{error:?}");
    assert!(error.to_string().contains("HELPLINE_SECRET"));
    db.store
        .ping()
        .await
        .expect("the first instance is unaffected");
}

async fn ping_answers(db: TestDb) {
    db.store.ping().await.expect("ping");
}

/// Prints timings (never asserts them): the bot needs thousands of updates per second.
async fn timing_of_a_thousand_updates(db: TestDb) {
    let olena = db.keys.pseudonym(OLENA);
    let session = vec![7u8; 300];
    let started = Instant::now();
    for _ in 0..1000 {
        db.store
            .save_session(&olena, &session, noon())
            .await
            .expect("save");
    }
    let sequential = started.elapsed();

    // Full updates as the bot makes them (first_delivery + load + save_turn with her message
    // and the reply) from 16 concurrent women.
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for worker in 0..16i64 {
        let (store, keys) = (db.store.clone(), db.keys.clone());
        let session = session.clone();
        workers.spawn(async move {
            let who = keys.pseudonym(1_000 + worker);
            for n in 0..125i64 {
                let update_id = worker * 1_000 + n;
                assert!(
                    store
                        .first_delivery(update_id, noon())
                        .await
                        .expect("delivery")
                );
                let _ = store.load_session(&who).await.expect("load");
                let message_id = i32::try_from(n).expect("small") * 2;
                let turn = Turn {
                    session: &session,
                    chat_id: 1_000 + worker,
                    message_ids: &[message_id, message_id + 1],
                };
                store.save_turn(&who, turn, noon()).await.expect("turn");
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.expect("worker");
    }
    let concurrent = started.elapsed();
    eprintln!(
        "{:?}: 1000 save_session in {sequential:.2?} ({:.0}/s); 2000 full updates by 16 \
         women in {concurrent:.2?} ({:.0} updates/s)",
        db.backend,
        1000.0 / sequential.as_secs_f64(),
        2000.0 / concurrent.as_secs_f64(),
    );
    assert_eq!(db.count_rows("message_ids", None).await, 4000);
}
