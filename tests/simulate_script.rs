//! `helpline simulate` replays a script from stdin: a Ukrainian conversation that completes /check
//! with two red flags and then /plan.

use std::io::Write;
use std::process::{Command, Stdio};

use helpline::domain::Locale;
use helpline::i18n::Args;

use crate::support::content::{root, shipped};

fn simulate(args: &[&str], script: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_helpline"))
        .arg("--content")
        .arg(root())
        .arg("simulate")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start simulate");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write script");
    let out = child.wait_with_output().expect("simulate output");
    assert!(out.status.success(), "simulate failed");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn first_line(id: &str) -> String {
    let text = shipped().localizer.text(
        Locale::Uk,
        id,
        &Args::new().text("numbers", "").text("forms", ""),
    );
    text.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn ukrainian_check_with_two_red_flags_then_plan() {
    let mut script = String::from("/start\n1\n1\n/check\n1\n");
    script.push_str(
        "# hurt right now: yes (red flag), then the talk-now button shifts the rest by one\n1\n",
    );
    script.push_str("3\n2\n2\n2\n");
    script.push_str("# pushed or hit: yes; neck: yes (second red flag)\n1\n1\n");
    script.push_str(
        "# all other questions: skip (button 4 right after a red flag, 3 otherwise)\n4\n",
    );
    for _ in 0..16 {
        script.push_str("3\n");
    }
    script.push_str("/plan\n1\n");
    for i in 0..14 {
        script.push_str(if i % 2 == 0 { "1\n" } else { "2\n" });
    }
    let out = simulate(&["--locale", "uk", "--country", "UA"], &script);

    let banner = first_line("red-flag-banner");
    assert!(
        out.matches(&banner).count() >= 3,
        "two red flags and the result carry the banner:\n{out}"
    );
    assert!(
        out.contains(&first_line("check-result-not-your-fault")),
        "check result reached:\n{out}"
    );
    assert!(
        out.contains(&first_line("form-physical")),
        "physical form named:\n{out}"
    );
    assert!(
        out.contains(&first_line("plan-result-footer")),
        "plan result reached:\n{out}"
    );
    assert!(
        out.contains(&first_line("plan-item-naloxone")),
        "harm-reduction items in the plan:\n{out}"
    );
    assert!(
        out.contains("102") && out.contains("103"),
        "Ukraine's emergency numbers shown"
    );
    assert!(
        !out.contains("there is no button"),
        "every scripted press hit a button:\n{out}"
    );
    let protected = out.matches("(sent protected").count();
    assert!(
        protected >= 4,
        "numbers, result and plan are sent protected ({protected})"
    );
}

#[test]
fn stop_mid_check_keeps_nothing() {
    let out = simulate(
        &["--locale", "en", "--country", "RS"],
        "/check\n1\n1\n/stop\n/plan\n",
    );
    assert!(out.contains("Stopped. Nothing from it was kept."));
    assert!(
        out.contains("192"),
        "Serbian numbers in the red-flag banner"
    );
}

#[test]
fn odd_lines_never_break_the_simulator() {
    let out = simulate(
        &[],
        "/start\n99\n@location 91 200\n@sticker\nhello\n/nonsense\n0\n",
    );
    assert!(out.contains("there is no button 99"));
    assert!(out.contains("there is no button 0"));
    assert!(out.contains("I don't know that command"));
}

#[test]
fn services_with_the_demo_directory_show_cards_and_forget_the_location() {
    let demo = crate::support::content::root().join("deploy/demo/directory.json");
    let demo = demo.to_str().expect("a UTF-8 path");
    let out = simulate(
        &["--locale", "en", "--country", "UA", "--directory", demo],
        "/services\n7\n@location 50.45 30.52\n9\n8\n",
    );
    assert!(out.contains("Where should I look?"), "{out}");
    assert!(out.contains("(keyboard: 📍 Send my location"), "{out}");
    assert!(out.contains("I'm looking near: Kyiv"), "{out}");
    assert!(out.contains("(keyboard removed)"), "{out}");
    assert!(out.contains("▪ "), "cards:\n{out}");
    assert!(out.contains("Checked by our team"), "{out}");
}

#[test]
fn services_without_a_directory_say_so_kindly() {
    let out = simulate(
        &["--locale", "en", "--country", "UA"],
        "/services\n1\n9\n8\n",
    );
    assert!(
        out.contains("I couldn't find a place that fits yet"),
        "{out}"
    );
    assert!(out.contains("Talk to a person"), "{out}");
}
