//! Several `helpline` instances sharing one line (REDIS_URL set, one Postgres database, webhook
//! mode behind one address): Telegram hands each update to whichever instance the forwarder
//! picks, and the hand-off still relays every message once and in order, has one winner per
//! Take, one topic and one board, and takes her consent and the documentation form on any
//! instance. And an instance stopped in the middle loses nothing.

use std::net::SocketAddr;

use chrono::{TimeDelta, Utc};
use helpline::domain::Locale;
use helpline::handoff::{CaseState, Cases};
use helpline::i18n::Args;
use helpline::staff::{Role, Staff, StaffName};

use crate::support::app::TestApp;
use crate::support::content::shipped;
use crate::support::fake_telegram::{ChatMessage, MemberStatus, TgUser};
use crate::support::instances::Fleet;

const HER: i64 = 7_350_561_829;
const TEAM: i64 = 5_120_000_001;

async fn staff(app: &TestApp, group: i64, id: i64, name: &str, role: Role) -> TgUser {
    let user = app.woman(
        id,
        name,
        Some(&format!("{}_tg", name.to_lowercase())),
        Some("en"),
    );
    app.telegram.add_member(group, &user, MemberStatus::Member);
    Staff::new(app.db.store.db())
        .add(id, &StaffName::parse(name).expect("name"), role, Utc::now())
        .await
        .expect("staff added");
    user
}

fn her_text(id: &str) -> String {
    shipped().localizer.text(Locale::Uk, id, &Args::new())
}

/// Copies in `chat` (in `thread`, if given) of messages from `from`, in the order they arrived.
fn copies(app: &TestApp, chat: i64, thread: Option<i32>, from: i64) -> Vec<i32> {
    app.telegram
        .copies(chat, thread)
        .into_iter()
        .filter(|(source, _)| *source == from)
        .map(|(_, id)| id)
        .collect()
}

fn boards(app: &TestApp, group: i64) -> usize {
    app.telegram
        .chat(group)
        .iter()
        .filter(|m| {
            m.sent_by_bot()
                && m.thread_id.is_none()
                && m.text.as_deref().unwrap_or("").starts_with("Waiting line")
        })
        .count()
}

fn card(app: &TestApp, group: i64) -> (ChatMessage, String) {
    let card = app
        .telegram
        .chat(group)
        .into_iter()
        .find(|m| m.thread_id.is_some() && m.button_data().iter().any(|d| d.starts_with("take:")))
        .unwrap_or_else(|| panic!("no case card: {:#?}", app.telegram.chat(group)));
    let data = card.button_data()[0].to_owned();
    (card, data)
}

/// Sends every later update to one instance only.
fn only(fleet: &Fleet, instance: SocketAddr) {
    fleet.forwarder.set_targets(&[instance]);
}

/// /talk, Take by one of ten racing consultants, fifty messages each way spread over both
/// instances (some delivered twice), /note, /end, her consent and the form on the instance that
/// did not close the case: everything once, in order, counted exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_the_line() {
    let fleet = Fleet::start(2).await;
    let app = &fleet.app;
    let [first, second] = fleet.addresses()[..] else {
        panic!("two instances");
    };
    let group = app.staff_group.expect("group");
    let mut team = Vec::new();
    for i in 0..10 {
        team.push(staff(app, group, TEAM + i, &format!("C{i}"), Role::Consultant).await);
    }
    app.send(&team[0], "/online").await;

    let her = app.woman(HER, "Olena", Some("olena_sh"), Some("uk"));
    app.send(&her, "/talk").await;
    app.press(&her, "talk.start.connect").await;
    fleet.settle().await;
    let topics = app.telegram.topics(group);
    assert_eq!(topics.len(), 1, "one topic for her case");
    let thread = topics[0].thread_id;
    assert_eq!(boards(app, group), 1, "one board");

    // Ten consultants press Take at once; the presses go to both instances.
    let (card_message, take) = card(app, group);
    let pressed: Vec<String> = team
        .iter()
        .map(|m| {
            app.telegram
                .press_button_in(m, group, card_message.message_id, &take)
        })
        .collect();
    fleet.settle().await;
    let answers = app.telegram.answered_callbacks();
    let said = |id: &String| {
        answers
            .iter()
            .find(|a| &a.id == id)
            .and_then(|a| a.text.clone())
            .unwrap_or_default()
    };
    let winners: Vec<usize> = (0..10)
        .filter(|i| said(&pressed[*i]).ends_with("is yours."))
        .collect();
    let refused = pressed
        .iter()
        .filter(|id| said(id).starts_with("Someone else took this case"))
        .count();
    assert_eq!((winners.len(), refused), (1, 9), "{answers:?}");
    let holder = &team[winners[0]];
    let notes = app
        .telegram
        .chat(group)
        .iter()
        .filter(|m| m.text.as_deref().unwrap_or("").contains("has the case"))
        .count();
    assert_eq!(notes, 1, "one assignment");
    assert!(
        fleet.forwarder.answered_by(first) > 0 && fleet.forwarder.answered_by(second) > 0,
        "both instances took updates"
    );

    // Fifty messages each way, pushed at once: her chat's updates and the group's come one at
    // a time each, the two chats at once, every next update to the other instance. Some are
    // delivered twice.
    let mut from_her = Vec::new();
    let mut from_staff = Vec::new();
    for i in 0..50 {
        if i % 10 == 3 {
            app.telegram.duplicate_next(2);
        }
        from_her.push(app.telegram.send_text(&her, &format!("вона {i}")));
        from_staff.push(
            app.telegram
                .send_in_topic(holder, group, thread, &format!("staff {i}")),
        );
        if i == 25 {
            app.telegram
                .send_in_topic(holder, group, thread, "/note internal only");
        }
    }
    fleet.settle().await;
    assert_eq!(
        copies(app, group, Some(thread), her.chat_id()),
        from_her,
        "each of her 50 messages in the topic once, in order"
    );
    assert_eq!(
        copies(app, her.chat_id(), None, group),
        from_staff,
        "each of the 50 answers reaches her once, in order; the note does not"
    );

    // /end on the first instance; her consent and the form on the second, then the first.
    only(&fleet, first);
    app.telegram.send_in_topic(holder, group, thread, "/end");
    fleet.settle().await;
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
        .expect("yes")
        .to_owned();
    // The press reaches the second instance, and Telegram delivers it once more, to the first.
    fleet.forwarder.set_targets(&[second, first]);
    app.telegram.duplicate_next(1);
    app.telegram.press_button(&her, question.message_id, &yes);
    fleet.settle().await;
    let thanks = her_text("handoff-count-thanks");
    app.wait_for_message(&her, "thanks", |m| {
        m.text.as_deref() == Some(thanks.as_str())
    })
    .await;
    let declined = her_text("consent-declined");
    assert!(
        app.bot_messages(&her)
            .iter()
            .all(|m| m.text.as_deref() != Some(declined.as_str())),
        "the duplicate changed nothing: {}",
        app.describe(&her)
    );

    let form = app
        .telegram
        .chat(group)
        .into_iter()
        .find(|m| {
            m.thread_id == Some(thread) && m.button_data().iter().any(|d| d.starts_with("doc."))
        })
        .expect("the documentation form in the topic");
    for (press, on) in [
        ("doc.f.physical", second),
        ("doc.next", first),
        ("doc.p.partner", second),
        ("doc.save", first),
    ] {
        if press == "doc.save" {
            // Delivered twice, to both instances: stored once.
            fleet.forwarder.set_targets(&[on, second]);
            app.telegram.duplicate_next(1);
        } else {
            only(&fleet, on);
        }
        app.telegram
            .press_button_in(holder, group, form.message_id, press);
        fleet.settle().await;
    }
    let saved = app.telegram.message(group, form.message_id).expect("form");
    assert!(
        saved
            .text
            .as_deref()
            .unwrap_or("")
            .contains("Saved. Thank you."),
        "the form was filled in across both instances: {saved:?}"
    );

    let counters = helpline::stats::Counters::new(app.db.store.db());
    let rows: Vec<(String, String, i64)> = counters
        .rows()
        .await
        .expect("rows")
        .into_iter()
        .map(|r| (r.dimension, r.value, r.count))
        .collect();
    let of = |dimension: &str| -> Vec<(String, i64)> {
        rows.iter()
            .filter(|(d, _, _)| d == dimension)
            .map(|(_, v, n)| (v.clone(), *n))
            .collect()
    };
    assert_eq!(of("handoff"), vec![("routine".to_owned(), 1)], "{rows:?}");
    assert_eq!(
        of("case_form"),
        vec![("physical".to_owned(), 1)],
        "{rows:?}"
    );
    assert_eq!(
        of("perpetrator"),
        vec![("partner".to_owned(), 1)],
        "{rows:?}"
    );
    assert_eq!(app.db.count_rows("case_doc_counts", None).await, 1);
    assert_eq!(
        app.db.count_rows("case_after", None).await,
        0,
        "nothing left open"
    );

    assert_eq!(app.telegram.topics(group).len(), 1, "still one topic");
    assert_eq!(boards(app, group), 1, "still one board");
    fleet.stop_all().await;
}

/// An instance stops in the middle of a conversation: what it had in hand is finished, what
/// comes after goes to the survivor, and nothing is lost or doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_stopped_mid_conversation_loses_nothing() {
    let mut fleet = Fleet::start(2).await;
    let group = fleet.app.staff_group.expect("group");
    let iris = staff(&fleet.app, group, TEAM, "Iris", Role::Consultant).await;
    let her = fleet.app.woman(HER, "Olena", Some("olena_sh"), Some("uk"));
    fleet.app.send(&iris, "/online").await;
    fleet.app.send(&her, "/talk").await;
    fleet.app.press(&her, "talk.start.connect").await;
    let (card_message, take) = card(&fleet.app, group);
    fleet
        .app
        .telegram
        .press_button_in(&iris, group, card_message.message_id, &take);
    fleet.settle().await;
    let thread = fleet.app.telegram.topics(group)[0].thread_id;

    let mut from_her = Vec::new();
    let mut from_staff = Vec::new();
    for i in 0..40 {
        if i == 15 {
            // Mid-stream, with updates of both chats in flight on both instances.
            fleet.stop(1).await;
        }
        from_her.push(fleet.app.telegram.send_text(&her, &format!("вона {i}")));
        from_staff.push(fleet.app.telegram.send_in_topic(
            &iris,
            group,
            thread,
            &format!("staff {i}"),
        ));
        if i % 5 == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
    fleet.settle().await;
    let app = &fleet.app;
    assert_eq!(
        copies(app, group, Some(thread), her.chat_id()),
        from_her,
        "her 40 messages in the topic, once each, in order"
    );
    assert_eq!(
        copies(app, her.chat_id(), None, group),
        from_staff,
        "the 40 answers reach her once each, in order"
    );
    let case = Cases::new(app.db.store.db())
        .open_for(&app.db.keys.pseudonym(HER))
        .await
        .expect("case")
        .expect("open");
    assert_eq!(case.state, CaseState::Active);
    assert!(
        !app.logs().contains("still running at shutdown"),
        "the stopped instance finished what it had"
    );
    fleet.stop_all().await;
}

/// /bind reaches one instance; the other learns the group from the database, at once, without
/// a restart, and opens her case there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_bound_on_one_instance_is_known_to_the_other() {
    let fleet = Fleet::start_unbound(2).await;
    let app = &fleet.app;
    let [first, second] = fleet.addresses()[..] else {
        panic!("two instances");
    };
    let group = app.telegram.create_forum_group("Helpline team");
    let cora = staff(app, group, TEAM, "Cora", Role::Coordinator).await;
    app.send(&cora, "/online").await;
    only(&fleet, first);
    app.telegram.send_in_group(&cora, group, "/bind");
    fleet.settle().await;
    only(&fleet, second);
    let her = app.woman(HER, "Olena", Some("olena_sh"), Some("uk"));
    app.send(&her, "/talk").await;
    app.press(&her, "talk.start.connect").await;
    assert_eq!(
        app.telegram.topics(group).len(),
        1,
        "the other instance opened her case in the bound group"
    );
    fleet.stop_all().await;
}

/// Both desks' clocks tick past the deadlines at the same moment: the supervisor is paged once,
/// a silent assignee's case goes back once, and there is one board.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clocks_page_once_and_give_back_once() {
    let fleet = Fleet::start(2).await;
    let app = &fleet.app;
    let group = app.staff_group.expect("group");
    let iris = staff(app, group, TEAM, "Iris", Role::Consultant).await;
    let cora = staff(app, group, TEAM + 1, "Cora", Role::Coordinator).await;
    app.send(&iris, "/online").await;
    let her = app.woman(HER, "Olena", Some("olena_sh"), Some("uk"));
    app.send(&her, "/start").await;
    let desks = [desk_beside(&fleet).await, desk_beside(&fleet).await];
    let (desk, out) = &desks[0];
    let who = app.db.keys.pseudonym(HER);
    let mut session = helpline::conversation::Session::new(Locale::Uk);
    session.country = Some(helpline::domain::CountryCode::parse("UA").expect("UA"));
    let opened = Utc::now();
    desk.talk(out, &who, her.chat_id(), &session, true, &[], Vec::new())
        .await;

    let late = opened + TimeDelta::minutes(6);
    let (a, b) = tokio::join!(
        desks[0].0.tick(&desks[0].1, late),
        desks[1].0.tick(&desks[1].1, late)
    );
    a.expect("tick");
    b.expect("tick");
    assert_eq!(
        app.bot_messages(&cora).len(),
        1,
        "the supervisor is paged once"
    );

    let (card_message, take) = card(app, group);
    app.telegram
        .press_button_in(&iris, group, card_message.message_id, &take);
    fleet.settle().await;
    let silent = Utc::now() + TimeDelta::minutes(21);
    let (a, b) = tokio::join!(
        desks[0].0.tick(&desks[0].1, silent),
        desks[1].0.tick(&desks[1].1, silent)
    );
    a.expect("tick");
    b.expect("tick");
    let returned = her_text("handoff-returned");
    let told = app
        .bot_messages(&her)
        .iter()
        .filter(|m| m.text.as_deref() == Some(returned.as_str()))
        .count();
    assert_eq!(told, 1, "she is told once that her case went back");
    let case = Cases::new(app.db.store.db())
        .open_for(&who)
        .await
        .expect("case")
        .expect("open");
    assert_eq!(case.state, CaseState::Waiting);
    assert_eq!(boards(app, group), 1, "one board");
    fleet.stop_all().await;
}

/// A desk of the test's own on the fleet's database and Redis line, whose clock the test sets.
async fn desk_beside(
    fleet: &Fleet,
) -> (
    helpline::telegram::desk::Desk,
    helpline::telegram::outbound::Outbound,
) {
    use std::sync::Arc;
    let app = &fleet.app;
    let prefix = app.redis_prefix.clone().expect("a Redis prefix");
    let line = helpline::handoff::RedisLine::connect(&crate::support::app::redis_url(), &prefix)
        .await
        .expect("Redis");
    app.desk(
        Arc::new(line),
        helpline::telegram::desk::DeskRules::default(),
    )
}
