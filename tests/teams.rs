//! Teams, shifts and working hours on a chosen clock, on SQLite and Postgres: cases routed to a
//! team by country and language, paging only that team; /online and /offline lapsing when the
//! team's hours begin or end (with a holiday); working hours ending while a case is held (one
//! warning, then back to the front of the line after the grace, once even with two desks).

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone as _, Utc};
use helpline::conversation::Session;
use helpline::domain::{CountryCode, Locale};
use helpline::handoff::teams::{Team, TeamForm};
use helpline::handoff::{CaseState, Cases, LocalLine, TeamSettings};
use helpline::i18n::Args;
use helpline::staff::{Role, Staff, StaffMember, StaffName};
use helpline::telegram::desk::{Desk, DeskRules};
use helpline::telegram::outbound::Outbound;

use crate::support::app::TestApp;
use crate::support::content::shipped;
use crate::support::fake_telegram::{MemberStatus, TgUser};
use crate::support::{Backend, stories};

fn her_text(locale: Locale, id: &str, args: &Args) -> String {
    shipped().localizer.text(locale, id, args)
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a time")
}

async fn app(backend: Backend) -> TestApp {
    TestApp::init()
        .with_staff_group()
        .with_backend(backend)
        .spawn()
        .await
}

/// A desk of the test's own on the app's database and fake Telegram, whose clock the test
/// passes (see tests/handoff.rs).
fn test_desk(app: &TestApp, rules: DeskRules) -> (Desk, Outbound) {
    app.desk(Arc::new(LocalLine::new()), rules)
}

async fn member(app: &TestApp, id: i64, name: &str, role: Role, team: Option<&Team>) -> TgUser {
    let user = app.woman(id, name, Some(&format!("user_{id}")), Some("en"));
    let group = app.staff_group.expect("a staff group");
    app.telegram.add_member(group, &user, MemberStatus::Member);
    let staff = Staff::new(app.db.store.db());
    let added: StaffMember = staff
        .add(id, &StaffName::parse(name).expect("name"), role, Utc::now())
        .await
        .expect("staff added");
    staff
        .set_team(added.id, team.map(|t| t.id))
        .await
        .expect("team set");
    user
}

fn settings(name: &str, hours: &str, tz: &str, holidays: &str, deadline: &str) -> TeamSettings {
    TeamSettings::parse(&TeamForm {
        name,
        hours,
        timezone: tz,
        holidays,
        urgent_deadline_min: deadline,
        ..TeamForm::default()
    })
    .expect("valid settings")
}

fn names(members: Vec<StaffMember>) -> Vec<String> {
    let mut names: Vec<String> = members.into_iter().map(|m| m.name.to_string()).collect();
    names.sort();
    names
}

fn texts(app: &TestApp, who: &TgUser) -> Vec<String> {
    app.bot_messages(who)
        .into_iter()
        .filter_map(|m| m.text)
        .collect()
}

// ----- two teams in two time zones -------------------------------------------------------

async fn two_teams(backend: Backend) {
    let app = app(backend).await;
    let (desk, out) = test_desk(&app, DeskRules::default());
    let teams = desk.teams();
    let default = teams.list().await.expect("teams").remove(0);
    let mut kyiv = settings("Kyiv", "Mon-Fri 09:00-18:00", "Europe/Kyiv", "", "5");
    kyiv.countries = vec![CountryCode::parse("UA").expect("UA")];
    let kyiv = teams.create(&kyiv, Utc::now()).await.expect("Kyiv");
    let mut almaty = settings("Almaty", "Mon-Fri 09:00-18:00", "Asia/Almaty", "", "15");
    almaty.countries = vec![CountryCode::parse("KZ").expect("KZ")];
    almaty.languages = vec![Locale::Kk, Locale::Ru];
    let almaty = teams.create(&almaty, Utc::now()).await.expect("Almaty");

    let iris = member(&app, 5_120_000_001, "Iris", Role::Consultant, Some(&kyiv)).await;
    let cora = member(&app, 5_120_000_002, "Cora", Role::Coordinator, Some(&kyiv)).await;
    let aigul = member(
        &app,
        5_120_000_003,
        "Aigul",
        Role::Consultant,
        Some(&almaty),
    )
    .await;
    let dana = member(
        &app,
        5_120_000_004,
        "Dana",
        Role::Coordinator,
        Some(&almaty),
    )
    .await;
    let _nina = member(&app, 5_120_000_005, "Nina", Role::Consultant, None).await;

    // Tuesday 2026-12-01, 07:00 UTC: 09:00 in Kyiv, 12:00 in Almaty; both at work.
    // At 14:00 UTC Kyiv (16:00) still is, Almaty (19:00) is not.
    let on = |team: Option<i64>, at| {
        let desk = &desk;
        async move { names(desk.on_shift(team, at).await.expect("on shift")) }
    };
    assert_eq!(
        on(Some(kyiv.id), utc(2026, 12, 1, 7, 0)).await,
        ["Cora", "Iris"]
    );
    assert_eq!(
        on(Some(almaty.id), utc(2026, 12, 1, 7, 0)).await,
        ["Aigul", "Dana"]
    );
    assert_eq!(
        on(Some(kyiv.id), utc(2026, 12, 1, 14, 0)).await,
        ["Cora", "Iris"]
    );
    assert!(
        on(Some(almaty.id), utc(2026, 12, 1, 14, 0))
            .await
            .is_empty(),
        "19:00 in Almaty: the day is over there"
    );
    assert!(
        on(None, utc(2026, 12, 1, 7, 0)).await.is_empty(),
        "the default team has no working hours and nobody said /online: {}",
        default.name()
    );

    // Whatever the real time, /online puts them on shift now.
    for who in [&iris, &aigul] {
        app.send(who, "/online").await;
    }
    let women = [
        (7_350_561_001, "uk", "UA"),
        (7_350_561_002, "ru", "KZ"),
        (7_350_561_003, "en", "DE"),
    ];
    let cases = Cases::new(app.db.store.db());
    let mut opened = Vec::new();
    for (id, locale, country) in women {
        let her = app.woman(id, "Her", None, Some(locale));
        app.send(&her, "/start").await;
        let who = app.db.keys.pseudonym(id);
        let mut session = Session::new(Locale::parse(locale).expect("locale"));
        session.country = Some(CountryCode::parse(country).expect("country"));
        let before = (
            app.bot_messages(&iris).len(),
            app.bot_messages(&aigul).len(),
        );
        // Urgent, but for the German case (whose team has no coordinator of its own).
        let urgent = country != "DE";
        let reply = desk
            .talk(&out, &who, her.chat_id(), &session, urgent, &[], Vec::new())
            .await;
        let case = cases.open_for(&who).await.expect("case").expect("open");
        let paged = (
            app.bot_messages(&iris).len() - before.0,
            app.bot_messages(&aigul).len() - before.1,
        );
        opened.push((case, paged, reply));
    }
    assert_eq!(opened[0].0.team_id, Some(kyiv.id), "Ukraine: the Kyiv team");
    assert_eq!(opened[1].0.team_id, Some(almaty.id), "Kazakhstan: Almaty");
    assert_eq!(
        opened[2].0.team_id,
        Some(default.id),
        "nobody serves Germany: the default team"
    );
    assert_eq!(
        opened[0].1,
        (1, 0),
        "only Kyiv is paged for the Ukrainian case"
    );
    assert_eq!(
        opened[1].1,
        (0, 1),
        "only Almaty is paged for the Kazakh case"
    );
    assert_eq!(opened[2].1, (0, 0), "the default team has nobody on shift");
    let offline = her_text(Locale::En, "handoff-offline", &Args::new());
    assert_eq!(
        opened[2].2.last().map(|m| m.text.as_str()),
        Some(offline.as_str()),
        "she is told nobody of her team is on shift"
    );
    assert!(
        opened[0].2.is_empty(),
        "her place in line was sent, not returned"
    );

    // Each team's urgent deadline pages its own coordinator: Kyiv after 5 minutes, Almaty
    // after 15.
    let start = opened
        .iter()
        .map(|(c, _, _)| c.queued_at)
        .max()
        .expect("cases");
    desk.tick(&out, start + TimeDelta::minutes(6))
        .await
        .expect("tick");
    let late = |who: &TgUser| {
        texts(&app, who)
            .iter()
            .filter(|t| t.contains("past the deadline"))
            .count()
    };
    assert_eq!(
        late(&cora),
        1,
        "Kyiv's coordinator is paged after 5 minutes"
    );
    assert_eq!(late(&dana), 0, "Almaty's deadline is 15 minutes");
    desk.tick(&out, start + TimeDelta::minutes(16))
        .await
        .expect("tick");
    assert_eq!(late(&cora), 1, "paged once");
    assert_eq!(late(&dana), 1, "Almaty's coordinator, for the Kazakh case");
    app.stop().await;
}

// ----- statements lapse at the boundary --------------------------------------------------

async fn statements_lapse(backend: Backend) {
    let app = app(backend).await;
    let (desk, out) = test_desk(&app, DeskRules::default());
    let default = desk.teams().list().await.expect("teams").remove(0);
    // Wednesday 2026-12-02 is a holiday.
    desk.teams()
        .update(
            default.id,
            &settings(
                "Default",
                "Mon-Fri 09:00-18:00",
                "Europe/Kyiv",
                "2026-12-02",
                "5",
            ),
        )
        .await
        .expect("hours");
    let iris = member(&app, 5_120_000_001, "Iris", Role::Consultant, None).await;
    let mira = member(&app, 5_120_000_002, "Mira", Role::Consultant, None).await;
    let on = |at| {
        let desk = &desk;
        async move { names(desk.on_shift(None, at).await.expect("on shift")) }
    };

    // Tuesday 10:00 in Kyiv (08:00 UTC): Iris says /offline, until the day ends.
    assert!(
        desk.shift_at(&out, iris.id, false, utc(2026, 12, 1, 8, 0))
            .await
            .expect("shift")
    );
    assert_eq!(
        app.last_bot_message(&iris).text.as_deref(),
        Some(
            "You are off shift until Tue 1 Dec 18:00 (Europe/Kyiv), when working hours end. Any case you held went back to the front of the line."
        )
    );
    assert_eq!(on(utc(2026, 12, 1, 8, 30)).await, ["Mira"]);
    assert!(
        on(utc(2026, 12, 1, 16, 0)).await.is_empty(),
        "18:00: the day is over"
    );

    // Tuesday 22:00: Mira says /online; the holiday means it lasts until Thursday 09:00.
    desk.shift_at(&out, mira.id, true, utc(2026, 12, 1, 20, 0))
        .await
        .expect("shift");
    assert_eq!(
        app.last_bot_message(&mira).text.as_deref(),
        Some(
            "You are on shift until Thu 3 Dec 09:00 (Europe/Kyiv), when working hours begin and keep you on. New cases will page you; take them in the staff group."
        )
    );
    assert_eq!(on(utc(2026, 12, 1, 20, 30)).await, ["Mira"]);
    assert_eq!(
        on(utc(2026, 12, 2, 8, 0)).await,
        ["Mira"],
        "the holiday: Iris's /offline has lapsed, but the hours do not put her on"
    );
    assert_eq!(
        on(utc(2026, 12, 3, 7, 0)).await,
        ["Iris", "Mira"],
        "Thursday 09:00: yesterday's /offline does not keep Iris off"
    );
    assert!(
        on(utc(2026, 12, 3, 16, 0)).await.is_empty(),
        "Thursday 18:00: Mira's /online ended when the day began"
    );
    app.stop().await;
}

// ----- working hours end while a case is held --------------------------------------------

/// The next moment at or after `from` when the team stops work.
fn next_closing(team: &Team, from: DateTime<Utc>) -> DateTime<Utc> {
    let hours = team.hours().expect("hours");
    let mut t = from;
    loop {
        let change = hours.next_change(t).expect("a change in sight");
        if !hours.is_open(change) {
            return change;
        }
        t = change;
    }
}

async fn hours_end_with_a_case_held(backend: Backend) {
    let app = app(backend).await;
    let rules = DeskRules {
        // The case sits far in the future; only the end of the hours may return it.
        silence_limit: TimeDelta::days(365),
        ..DeskRules::default()
    };
    let (desk, out) = test_desk(&app, rules);
    let (second, _) = test_desk(&app, rules);
    let default = desk.teams().list().await.expect("teams").remove(0);
    let team = desk
        .teams()
        .update(
            default.id,
            &settings("Default", "Mon-Fri 09:00-18:00", "Europe/Kyiv", "", "5"),
        )
        .await
        .expect("hours");
    let iris = member(&app, 5_120_000_001, "Iris", Role::Consultant, None).await;
    let mira = member(&app, 5_120_000_002, "Mira", Role::Consultant, None).await;
    // On shift now (in real time, for the app's own clock), until the hours next change.
    app.send(&iris, "/online").await;
    app.send(&mira, "/online").await;
    let her = app.woman(7_350_561_829, "Olena", None, Some("uk"));
    app.send(&her, "/start").await;
    let who = app.db.keys.pseudonym(7_350_561_829);
    let mut session = Session::new(Locale::Uk);
    session.country = Some(CountryCode::parse("UA").expect("UA"));
    desk.talk(&out, &who, her.chat_id(), &session, false, &[], Vec::new())
        .await;
    let cases = Cases::new(app.db.store.db());
    let staff = Staff::new(app.db.store.db());
    let iris_id = staff
        .by_telegram_id(iris.id)
        .await
        .expect("staff")
        .expect("Iris")
        .id;
    let case = cases.open_for(&who).await.expect("case").expect("open");
    assert!(
        cases
            .take(case.id, iris_id, Utc::now())
            .await
            .expect("take")
    );
    // A newer case waits behind hers.
    let other = app.woman(7_350_561_830, "Other", None, Some("uk"));
    app.send(&other, "/start").await;
    let other_who = app.db.keys.pseudonym(7_350_561_830);
    desk.talk(
        &out,
        &other_who,
        other.chat_id(),
        &session,
        false,
        &[],
        Vec::new(),
    )
    .await;

    // Weeks later (every statement made now has lapsed), the day ends.
    let close = next_closing(&team, Utc::now() + TimeDelta::days(20));
    let warnings = || {
        texts(&app, &iris)
            .iter()
            .filter(|t| t.starts_with("Working hours have ended"))
            .cloned()
            .collect::<Vec<_>>()
    };
    desk.tick(&out, close - TimeDelta::minutes(1))
        .await
        .expect("tick");
    assert!(warnings().is_empty(), "before the end, nothing");
    desk.tick(&out, close + TimeDelta::minutes(1))
        .await
        .expect("tick");
    second
        .tick(&out, close + TimeDelta::minutes(1))
        .await
        .expect("tick");
    desk.tick(&out, close + TimeDelta::minutes(2))
        .await
        .expect("tick");
    assert_eq!(
        warnings(),
        [format!(
            "Working hours have ended; you hold case {}. Say /online to keep it; otherwise it goes back to the line in 10 minutes.",
            case.code
        )],
        "told once, by one of the two desks"
    );
    desk.tick(&out, close + TimeDelta::minutes(10))
        .await
        .expect("tick");
    let held = cases.open_for(&who).await.expect("case").expect("open");
    assert_eq!(held.state, CaseState::Active, "the grace is not over");

    let returned = her_text(Locale::Uk, "handoff-returned", &Args::new());
    let before = texts(&app, &her).iter().filter(|t| **t == returned).count();
    let (a, b) = tokio::join!(
        desk.tick(&out, close + TimeDelta::minutes(12)),
        second.tick(&out, close + TimeDelta::minutes(12))
    );
    a.expect("tick");
    b.expect("tick");
    let back = cases.open_for(&who).await.expect("case").expect("open");
    assert_eq!(back.state, CaseState::Waiting);
    assert!(back.front && back.assignee.is_none(), "back at the front");
    assert_eq!(
        cases.waiting().await.expect("waiting")[0].code,
        case.code,
        "ahead of the newer case"
    );
    let hers = texts(&app, &her);
    assert_eq!(
        hers.iter().filter(|t| **t == returned).count(),
        before + 1,
        "returned once, though two desks ticked"
    );
    let offline = her_text(Locale::Uk, "handoff-offline", &Args::new());
    assert_eq!(
        hers.last(),
        Some(&offline),
        "nobody of her team is on shift after hours: she is told so"
    );
    let fallback = her_text(Locale::Uk, "talk-fallback", &Args::new());
    assert!(
        hers[hers.len() - 2].starts_with(&fallback),
        "with the hotlines"
    );

    // The next evening Mira holds it; she says /online in the grace and keeps it.
    let mira_id = staff
        .by_telegram_id(mira.id)
        .await
        .expect("staff")
        .expect("Mira")
        .id;
    assert!(
        cases
            .take(case.id, mira_id, Utc::now())
            .await
            .expect("take")
    );
    let close = next_closing(&team, close + TimeDelta::hours(1));
    desk.tick(&out, close + TimeDelta::minutes(1))
        .await
        .expect("tick");
    assert!(
        texts(&app, &mira)
            .last()
            .is_some_and(|t| t.starts_with("Working hours have ended")),
        "Mira is warned"
    );
    desk.shift_at(&out, mira.id, true, close + TimeDelta::minutes(3))
        .await
        .expect("online");
    desk.tick(&out, close + TimeDelta::minutes(20))
        .await
        .expect("tick");
    let kept = cases.open_for(&who).await.expect("case").expect("open");
    assert_eq!(kept.state, CaseState::Active);
    assert_eq!(kept.assignee, Some(mira_id), "/online kept it");
    assert!(kept.warned_at.is_none(), "the warning is void");
    app.stop().await;
}

stories!(
    two_teams,
    statements_lapse,
    hours_end_with_a_case_held,
    staff_command_knows_teams
);

/// `helpline staff add --team` and `helpline staff list`, run as a coordinator would.
async fn staff_command_knows_teams(backend: Backend) {
    let db = crate::support::TestDb::new(backend).await;
    let teams = helpline::handoff::Teams::new(db.store.db());
    teams
        .create(
            &settings("Default", "Mon-Fri 09:00-18:00", "Europe/Kyiv", "", "5"),
            Utc::now(),
        )
        .await
        .expect("default");
    teams
        .create(
            &settings("Almaty", "Mon-Fri 09:00-18:00", "Asia/Almaty", "", "15"),
            Utc::now(),
        )
        .await
        .expect("Almaty");
    let run = |args: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_helpline"));
        command
            .arg("staff")
            .args(args)
            .env("DATABASE_URL", db.url())
            .env("HELPLINE_LOG", "warn");
        match db.secret_hex() {
            Some(secret) => command.env("HELPLINE_SECRET", secret),
            None => command.env_remove("HELPLINE_SECRET"),
        };
        let out = command.output().expect("the binary runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let add = |id: &str, name: &str, team: Option<&str>| {
        let mut args = vec![
            "add",
            "--telegram-id",
            id,
            "--role",
            "consultant",
            "--name",
            name,
        ];
        args.extend(team.map(|t| ["--team", t]).into_iter().flatten());
        run(&args)
    };

    let (ok, out, err) = add("5120000001", "Aigul", Some("Almaty"));
    assert!(ok, "{err}");
    assert!(
        out.contains("Aigul is a consultant") && out.contains("in team Almaty"),
        "{out}"
    );
    let (ok, _, err) = add("5120000002", "Iris", None);
    assert!(ok, "{err}");
    let (ok, out, err) = add("5120000003", "Mira", Some("Bishkek"));
    assert!(!ok && out.is_empty(), "an unknown team is refused");
    assert!(
        err.contains("no team is called \"Bishkek\"") && err.contains("Default, Almaty"),
        "the refusal names the teams: {err}"
    );

    let (ok, out, err) = run(&["list"]);
    assert!(ok, "{err}");
    let line = |name: &str| {
        out.lines()
            .find(|l| l.contains(&format!("\t{name}\t")))
            .unwrap_or_else(|| panic!("{name} is not listed: {out}"))
            .to_owned()
    };
    assert!(line("Aigul").ends_with("\tteam Almaty"), "{out}");
    assert!(
        line("Iris").ends_with("\tteam Default"),
        "no team: the default one"
    );
    assert!(!out.contains("Mira"), "the refused one was not added");
}
