//! One test per red flag: answering "yes" to it brings, in the very same reply, her country's
//! emergency numbers and a "talk to a person now" button, and marks the session urgent.

use helpline::conversation::{Command, Effect, Input, Session, global};
use helpline::domain::{CountryCode, Locale, RedFlag};
use helpline::flows::StepKind;

use crate::support::content::{button, buttons, shipped, text};

/// Goes through /check answering "no" until the question of `flag`, then answers "yes".
fn answer_yes_to(
    flag: RedFlag,
    locale: Locale,
    country: &str,
) -> (Session, helpline::conversation::Reply) {
    let content = shipped();
    let check = &content.flows[content.flow_index("check").expect("check flow")];
    let mut s = Session::new(locale);
    s.country = Some(CountryCode::parse(country).expect("country"));
    content.handle(&mut s, Input::Command(Command::Check));
    content.handle(&mut s, button("check.intro.begin"));
    for step in &check.steps {
        if step.kind != StepKind::Question {
            continue;
        }
        if step.red_flag == Some(flag) {
            let reply = content.handle(&mut s, button(&format!("check.{}.yes", step.id)));
            return (s, reply);
        }
        content.handle(&mut s, button(&format!("check.{}.no", step.id)));
    }
    panic!("no question records {flag:?}");
}

fn assert_red_flag_reply(flag: RedFlag) {
    let content = shipped();
    for (country, locale) in [
        ("UA", Locale::Uk),
        ("RS", Locale::Sr),
        ("KZ", Locale::Kk),
        ("RU", Locale::Ru),
        ("MK", Locale::Mk),
    ] {
        let (s, reply) = answer_yes_to(flag, locale, country);
        assert!(s.urgent, "{flag:?}: session not urgent");
        assert!(s.red_flags.contains(&flag));
        assert_eq!(
            reply.messages.len(),
            1,
            "{flag:?}: must be one reply message"
        );
        let code = CountryCode::parse(country).expect("code");
        let said = text(&reply);
        for line in content.country(code).expect("country").emergency() {
            assert!(
                said.contains(line.number.as_str()),
                "{flag:?}/{country}: {} missing in\n{said}",
                line.number
            );
        }
        assert!(
            buttons(&reply).contains(&global::TALK),
            "{flag:?}/{country}: no talk-now button"
        );
        assert!(reply.messages[0].protect, "numbers go out protected");

        // Pressing it hands her over as urgent.
        let mut s2 = s.clone();
        let talk = content.handle(&mut s2, button(global::TALK));
        assert!(
            matches!(talk.effect, Some(Effect::Talk { urgent: true, .. })),
            "{flag:?}: talk not urgent"
        );
    }
}

#[test]
fn no_red_flag_no_banner() {
    let content = shipped();
    let mut s = Session::new(Locale::En);
    s.country = CountryCode::parse("UA").ok();
    content.handle(&mut s, Input::Command(Command::Check));
    let reply = content.handle(&mut s, button("check.intro.begin"));
    let reply2 = content.handle(&mut s, button("check.injured.no"));
    assert!(!buttons(&reply).contains(&global::TALK));
    assert!(!buttons(&reply2).contains(&global::TALK));
    assert!(!s.urgent);
}

macro_rules! red_flag_tests {
    ($($name:ident => $flag:expr),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                assert_red_flag_reply($flag);
            }
        )+

        #[test]
        fn every_red_flag_has_a_test_and_a_question() {
            let tested = [$($flag),+];
            assert_eq!(tested.len(), RedFlag::ALL.len());
            for flag in RedFlag::ALL {
                assert!(tested.contains(flag), "{flag:?} has no test");
            }
        }
    };
}

red_flag_tests! {
    strangulation => RedFlag::Strangulation,
    weapon => RedFlag::Weapon,
    threat_to_kill => RedFlag::ThreatToKill,
    escalation => RedFlag::Escalation,
    separation => RedFlag::Separation,
    fear_for_life => RedFlag::FearForLife,
    stalking => RedFlag::Stalking,
    threats_to_children => RedFlag::ThreatsToChildren,
    pregnancy => RedFlag::Pregnancy,
    forced_sex => RedFlag::ForcedSex,
    injured_now => RedFlag::InjuredNow,
}

#[test]
fn unknown_country_still_gets_numbers() {
    let content = shipped();
    let mut s = Session::new(Locale::En);
    content.handle(&mut s, Input::Command(Command::Check));
    content.handle(&mut s, button("check.intro.begin"));
    let reply = content.handle(&mut s, button("check.injured.yes"));
    let said = text(&reply);
    assert!(
        said.contains("192"),
        "Serbia's police number is listed: {said}"
    );
    assert!(said.contains("112"));
    assert!(buttons(&reply).contains(&global::TALK));
}
