//! Walks every reachable screen of every flow, in every locale, from every entry command, with
//! and without a country: no dead end, no raw message id or Fluent error in any text, every
//! callback payload within Telegram's 64 bytes.

use std::collections::{BTreeSet, HashSet, VecDeque};

use helpline::conversation::{Command, Input, Reply, Session, global};
use helpline::domain::{CountryCode, Locale};

use crate::support::content::shipped;

const ENTRIES: [Command; 11] = [
    Command::Start(None),
    Command::Check,
    Command::Plan,
    Command::Services,
    Command::Sos,
    Command::Talk,
    Command::Language,
    Command::Help,
    Command::Menu,
    Command::Stop,
    Command::Forget,
];

/// Every message id of the English locale: none may ever reach her as text.
fn all_ids() -> HashSet<String> {
    let mut ids = HashSet::new();
    for entry in std::fs::read_dir(crate::support::content::root().join("locales/en")).expect("en")
    {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("ftl");
        for line in text.lines() {
            if let Some((id, _)) = line.split_once(" =")
                && !id.starts_with(' ')
                && !id.starts_with('#')
            {
                ids.insert(id.trim().to_owned());
            }
        }
    }
    ids
}

fn check_reply(reply: &Reply, ids: &HashSet<String>, context: &str) {
    assert!(!reply.messages.is_empty(), "{context}: empty reply");
    for m in &reply.messages {
        assert!(!m.text.trim().is_empty(), "{context}: empty text");
        assert!(
            m.text.encode_utf16().count() <= 4096,
            "{context}: text over 4096"
        );
        assert!(
            !m.text.contains('…') || !m.text.trim().eq("…"),
            "{context}: fallback text"
        );
        assert!(
            !m.text.contains('{') && !m.text.contains('}'),
            "{context}: unresolved placeable in {:?}",
            m.text
        );
        for line in m.text.lines() {
            assert!(
                !ids.contains(line.trim()),
                "{context}: raw message id {line:?}"
            );
        }
        let mut navigational = false;
        for b in m.buttons.iter().flatten() {
            assert!(!b.label.trim().is_empty(), "{context}: empty button label");
            assert!(
                !ids.contains(b.label.trim()),
                "{context}: raw id as label {:?}",
                b.label
            );
            assert!(
                b.data.len() <= 64 && !b.data.is_empty(),
                "{context}: callback {:?}",
                b.data
            );
            if b.data != global::EXIT && b.data != global::SOS {
                navigational = true;
            }
        }
        assert!(
            navigational,
            "{context}: dead end, only exit/SOS buttons:\n{}",
            m.text
        );
    }
}

/// What makes two states the same for the walk: where she is, what she has recorded, and what
/// is on the screen.
fn key(s: &Session, reply: &Reply) -> String {
    let data: BTreeSet<&str> = reply
        .messages
        .iter()
        .flat_map(|m| m.buttons.iter().flatten().map(|b| b.data.as_str()))
        .collect();
    format!(
        "{:?}|{}|{:?}|{}|{}|{}|{}|{}|{}|{:?}",
        s.at,
        s.locale,
        s.country,
        s.silent,
        s.urgent,
        s.forms.is_empty(),
        s.red_flags.is_empty(),
        s.plan.is_empty(),
        s.locale_chosen,
        data
    )
}

#[test]
fn every_path_in_every_locale_has_a_way_on() {
    let content = shipped();
    let ids = all_ids();
    let countries: Vec<Option<CountryCode>> = std::iter::once(None)
        .chain(content.countries.iter().map(|c| Some(c.code)))
        .collect();
    let mut screens = 0usize;
    let mut edges = 0usize;
    // One walk for all: pressing a language or country button moves between the seeds anyway.
    let mut seen = HashSet::new();
    let mut queue = VecDeque::new();
    for locale in Locale::ALL {
        for country in &countries {
            for entry in ENTRIES {
                let mut s = Session::new(locale);
                s.country = *country;
                let reply = content.handle(&mut s, Input::Command(entry.clone()));
                check_reply(&reply, &ids, &format!("{locale}/{country:?}/{entry:?}"));
                queue.push_back((s, reply));
            }
        }
    }
    while let Some((s, reply)) = queue.pop_front() {
        if !seen.insert(key(&s, &reply)) {
            continue;
        }
        screens += 1;
        let context = format!("{}/{:?}/{:?}", s.locale, s.country, s.at);
        // Typing, sharing a location, a sticker or a forged button never strands her either.
        for odd in [
            Input::Text("hello".into()),
            Input::Location {
                latitude: 50.45,
                longitude: 30.52,
            },
            Input::Other,
            Input::Button("forged.data.here".into()),
        ] {
            let mut s2 = s.clone();
            let r = content.handle(&mut s2, odd.clone());
            check_reply(&r, &ids, &format!("{context}/{odd:?}"));
        }
        for d in crate::support::content::buttons(&reply) {
            let mut next = s.clone();
            let r = content.handle(&mut next, Input::Button(d.to_owned()));
            edges += 1;
            check_reply(&r, &ids, &format!("{context} pressing {d}"));
            queue.push_back((next, r));
        }
        assert!(screens < 500_000, "walk does not converge");
    }
    println!("walked {screens} screens and {edges} button presses");
    assert!(screens > 500, "the walk saw too little: {screens} screens");
}

#[test]
fn every_step_of_every_flow_is_visited() {
    let content = shipped();
    let mut visited: BTreeSet<(String, String)> = BTreeSet::new();
    let mut s = Session::new(Locale::En);
    s.country = CountryCode::parse("UA").ok();
    let mut queue: VecDeque<(Session, Reply)> = VecDeque::new();
    for entry in ENTRIES {
        let mut s2 = s.clone();
        let r = content.handle(&mut s2, Input::Command(entry));
        queue.push_back((s2, r));
    }
    let mut seen = HashSet::new();
    while let Some((s, reply)) = queue.pop_front() {
        if !seen.insert(key(&s, &reply)) {
            continue;
        }
        if let Some(at) = &s.at {
            visited.insert((at.flow.to_string(), at.step.to_string()));
        }
        for d in crate::support::content::buttons(&reply) {
            let mut next = s.clone();
            let r = content.handle(&mut next, Input::Button(d.to_owned()));
            // Other languages and countries are the other test's business.
            if next.locale == s.locale && next.country == s.country {
                queue.push_back((next, r));
            }
        }
    }
    let overlays = ["sos", "help"];
    for flow in &content.flows {
        if overlays.contains(&flow.id.as_str()) {
            continue;
        }
        for step in &flow.steps {
            let here = (flow.id.to_string(), step.id.to_string());
            assert!(visited.contains(&here), "never reached {here:?}");
        }
    }
}

/// The demo directory, loaded as the bot loads it (through SQLite), once per test process.
fn demo_index() -> std::sync::Arc<helpline::directory::Index> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let directory = helpline::directory::connect(
            "sqlite::memory:",
            helpline::directory::Cities::builtin(),
            helpline::directory::Settings::for_countries(&shipped().countries),
        )
        .await
        .expect("an in-memory directory");
        let text = std::fs::read_to_string(
            crate::support::content::root().join("deploy/demo/directory.json"),
        )
        .expect("the demo directory");
        directory
            .import_json(&text)
            .await
            .expect("the demo imports");
        directory.index()
    })
}

/// Like `check_reply`, for the directory's screens: a message that removes the location keyboard
/// comes before the screen that goes on, and the message asking for a location has its "back"
/// on the keyboard.
fn check_services_reply(reply: &Reply, ids: &HashSet<String>, context: &str) {
    use helpline::conversation::ReplyKeyboard;
    assert!(!reply.messages.is_empty(), "{context}: empty reply");
    let last = reply.messages.len() - 1;
    for (i, m) in reply.messages.iter().enumerate() {
        assert!(!m.text.trim().is_empty(), "{context}: empty text");
        assert!(
            m.text.encode_utf16().count() <= 4096,
            "{context}: text over 4096"
        );
        assert!(
            !m.text.contains('{') && !m.text.contains('}'),
            "{context}: unresolved placeable in {:?}",
            m.text
        );
        assert!(
            !m.text.contains('…') || m.text.trim() != "…",
            "{context}: fallback text"
        );
        for line in m.text.lines() {
            assert!(
                !ids.contains(line.trim()),
                "{context}: raw message id {line:?}"
            );
        }
        let labels: Vec<&str> = m
            .buttons
            .iter()
            .flatten()
            .map(|b| b.label.as_str())
            .collect();
        for label in &labels {
            assert!(
                !label.trim().is_empty() && !ids.contains(label.trim()),
                "{context}: label {label:?}"
            );
        }
        for b in m.buttons.iter().flatten() {
            assert!(
                b.data.len() <= 64 && !b.data.is_empty(),
                "{context}: callback {:?}",
                b.data
            );
        }
        match &m.keyboard {
            Some(ReplyKeyboard::AskLocation { share, back }) => {
                assert!(m.buttons.is_empty(), "{context}: one keyboard per message");
                assert!(
                    !ids.contains(share) && !ids.contains(back),
                    "{context}: keyboard ids"
                );
            }
            Some(ReplyKeyboard::Remove) => {
                assert!(m.buttons.is_empty(), "{context}: one keyboard per message");
                // Followed by the screen that goes on (unless it closes a quick exit).
                assert!(
                    i < last || m.text.contains('\n'),
                    "{context}: removal alone"
                );
            }
            None => {
                let data: Vec<&str> = m
                    .buttons
                    .iter()
                    .flatten()
                    .map(|b| b.data.as_str())
                    .collect();
                if i == last {
                    assert!(
                        data.contains(&global::EXIT),
                        "{context}: no quick exit:\n{}",
                        m.text
                    );
                    assert!(
                        data.iter().any(|d| *d != global::EXIT && *d != global::SOS),
                        "{context}: dead end:\n{}",
                        m.text
                    );
                }
            }
        }
    }
}

#[test]
fn every_services_screen_in_every_locale_has_a_way_on() {
    let content = shipped();
    let index = demo_index();
    let world = helpline::conversation::World {
        directory: &index,
        now: chrono::Utc::now(),
    };
    let ids = all_ids();
    let mut seen = HashSet::new();
    let mut queue = VecDeque::new();
    for locale in Locale::ALL {
        for country in [None, CountryCode::parse("UA").ok()] {
            let mut s = Session::new(locale);
            s.locale_chosen = true;
            s.country = country;
            s.country_chosen = true;
            let reply = content.handle_with(&mut s, Input::Command(Command::Services), world);
            check_services_reply(&reply, &ids, &format!("{locale}/{country:?}/services"));
            assert!(s.services.is_some(), "/services opens the directory");
            queue.push_back((s, reply));
        }
    }
    let (mut screens, mut cards) = (0usize, 0usize);
    while let Some((s, reply)) = queue.pop_front() {
        let Some(browse) = s.services.clone() else {
            continue;
        };
        if !seen.insert(format!("{}|{browse:?}", s.locale)) {
            continue;
        }
        screens += 1;
        cards += reply
            .messages
            .iter()
            .map(|m| m.text.matches("▪ ").count())
            .sum::<usize>();
        let context = format!("{}/{browse:?}", s.locale);
        if browse.filters.is_empty() {
            for odd in [
                Input::Text("hello".into()),
                Input::Location {
                    latitude: 50.45,
                    longitude: 30.52,
                },
                Input::Location {
                    latitude: 0.0,
                    longitude: 0.0,
                },
                Input::Other,
                Input::Button("svc:forged:zzz".into()),
                Input::Button("svc:t:nope".into()),
                Input::Button("svc:p:99999999999".into()),
                Input::Button(global::RESUME.into()),
            ] {
                let mut s2 = s.clone();
                let r = content.handle_with(&mut s2, odd.clone(), world);
                check_services_reply(&r, &ids, &format!("{context}/{odd:?}"));
                // A location is reduced to a city at once: the session holds no coordinates.
                let stored = String::from_utf8_lossy(&s2.to_bytes()).into_owned();
                assert!(
                    !stored.contains("50.45") && !stored.contains("30.52"),
                    "{context}: {stored}"
                );
            }
        }
        for d in crate::support::content::buttons(&reply) {
            // Leaving the directory is the other walk's business; filters are walked one deep.
            if !d.starts_with("svc:") || (d.starts_with("svc:f:") && !browse.filters.is_empty()) {
                continue;
            }
            let mut next = s.clone();
            let r = content.handle_with(&mut next, Input::Button(d.to_owned()), world);
            check_services_reply(&r, &ids, &format!("{context} pressing {d}"));
            queue.push_back((next, r));
        }
        assert!(screens < 1_000_000, "walk does not converge");
    }
    println!("walked {screens} services screens showing {cards} cards");
    assert!(cards > 1000, "the walk saw too few cards: {cards}");
}
