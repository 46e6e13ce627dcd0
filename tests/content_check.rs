//! `helpline check` on the shipped files, and on copies broken on purpose: each kind of fault is
//! reported as `file:line: problem` and the command exits non-zero.

use std::process::Command;

use crate::support::content::Fixture;

struct Outcome {
    ok: bool,
    stdout: String,
}

fn run_check(root: &std::path::Path) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_helpline"))
        .arg("--content")
        .arg(root)
        .arg("check")
        .output()
        .expect("run helpline check");
    Outcome {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// 1-based line of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle in fixture")
        + 1
}

/// Runs the check on a broken fixture and asserts one reported line names the file, line and problem.
fn assert_reports(fixture: &Fixture, file: &str, line: usize, problem: &str) {
    let outcome = run_check(fixture.dir.path());
    assert!(
        !outcome.ok,
        "check passed on a broken fixture:\n{}",
        outcome.stdout
    );
    let place = format!("{}:{line}: ", fixture.path(file).display());
    assert!(
        outcome
            .stdout
            .lines()
            .any(|l| l.starts_with(&place) && l.contains(problem)),
        "expected `{place}…{problem}…` in:\n{}",
        outcome.stdout
    );
}

#[test]
fn shipped_content_passes() {
    let outcome = run_check(crate::support::content::root());
    assert!(
        outcome.ok,
        "shipped content has problems:\n{}",
        outcome.stdout
    );
    assert!(outcome.stdout.contains("ok:"));
}

#[test]
fn unknown_message_id_in_a_flow() {
    let f = Fixture::copy_shipped();
    f.edit(
        "flows/check.toml",
        "prompt = \"check-neck\"",
        "prompt = \"check-nek\"",
    );
    let line = line_of(&f.read("flows/check.toml"), "check-nek");
    assert_reports(&f, "flows/check.toml", line, "unknown message id check-nek");
}

#[test]
fn message_missing_in_a_locale() {
    let f = Fixture::copy_shipped();
    let text = f.read("locales/uk/check.ftl");
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("check-neck"))
        .collect();
    f.write("locales/uk/check.ftl", &kept.join("\n"));
    assert_reports(
        &f,
        "locales/uk/check.ftl",
        1,
        "message check-neck is missing in locale uk",
    );
}

#[test]
fn message_only_in_one_locale() {
    let f = Fixture::copy_shipped();
    let text = f.read("locales/kk/common.ftl");
    f.write(
        "locales/kk/common.ftl",
        &format!("{text}\nextra-message = Сәлем\n"),
    );
    let line = line_of(&f.read("locales/kk/common.ftl"), "extra-message");
    assert_reports(
        &f,
        "locales/kk/common.ftl",
        line,
        "unknown message id extra-message",
    );
}

#[test]
fn variables_that_differ_between_locales() {
    let f = Fixture::copy_shipped();
    f.edit(
        "locales/en/common.ftl",
        "{ $hours }, free",
        "{ $time }, free",
    );
    let ru = f.read("locales/ru/common.ftl");
    let line = line_of(&ru, "sos-line-free");
    assert_reports(
        &f,
        "locales/ru/common.ftl",
        line,
        "message sos-line-free uses variables",
    );
}

#[test]
fn dangling_next_step() {
    let f = Fixture::copy_shipped();
    f.edit(
        "flows/check.toml",
        "next = \"injured\"",
        "next = \"injurd\"",
    );
    let line = line_of(&f.read("flows/check.toml"), "injurd");
    assert_reports(
        &f,
        "flows/check.toml",
        line,
        "next step injurd does not exist in flow check",
    );
}

#[test]
fn unreachable_step() {
    let f = Fixture::copy_shipped();
    let text = f.read("flows/talk.toml");
    f.write(
        "flows/talk.toml",
        &format!("{text}\n[[steps]]\nid = \"orphan\"\nprompt = \"talk-start\"\nlast = true\n"),
    );
    let line = line_of(&f.read("flows/talk.toml"), "orphan");
    assert_reports(
        &f,
        "flows/talk.toml",
        line,
        "step orphan can never be reached",
    );
}

#[test]
fn callback_data_over_64_bytes() {
    let f = Fixture::copy_shipped();
    let long_flow = "f".repeat(32);
    let long_step = "s".repeat(32);
    f.write(
        "flows/zz_long.toml",
        &format!(
            "id = \"{long_flow}\"\n\n[[steps]]\nid = \"{long_step}\"\nprompt = \"talk-start\"\nchoices = [\n    {{ id = \"connect\", label = \"talk-connect\", action = \"talk\" }},\n]\n"
        ),
    );
    let line = line_of(&f.read("flows/zz_long.toml"), "id = \"connect\"");
    assert_reports(
        &f,
        "flows/zz_long.toml",
        line,
        "callback data for choice connect would be 73 bytes",
    );
}

#[test]
fn fluent_syntax_error() {
    let f = Fixture::copy_shipped();
    let text = f.read("locales/sq/common.ftl");
    f.write("locales/sq/common.ftl", &format!("{text}\nbroken = {{ $\n"));
    let line = line_of(&f.read("locales/sq/common.ftl"), "broken =");
    assert_reports(&f, "locales/sq/common.ftl", line, "Fluent syntax error");
}

#[test]
fn unknown_field_in_a_flow() {
    let f = Fixture::copy_shipped();
    f.edit(
        "flows/menu.toml",
        "prompt = \"menu-main\"",
        "promt = \"menu-main\"",
    );
    let line = line_of(&f.read("flows/menu.toml"), "promt");
    assert_reports(&f, "flows/menu.toml", line, "unknown field `promt`");
}

#[test]
fn blocklisted_word_in_a_preview() {
    let f = Fixture::copy_shipped();
    f.edit(
        "locales/en/common.ftl",
        "stop-done = Stopped.",
        "stop-done = Drugs: stopped.",
    );
    let line = line_of(&f.read("locales/en/common.ftl"), "stop-done");
    assert_reports(
        &f,
        "locales/en/common.ftl",
        line,
        "blocklisted word \"drug\"",
    );
}

#[test]
fn blocklisted_word_in_a_command_description() {
    let f = Fixture::copy_shipped();
    f.edit(
        "locales/en/help.ftl",
        "cmd-sos = Urgent numbers",
        "cmd-sos = Overdose numbers",
    );
    let line = line_of(&f.read("locales/en/help.ftl"), "cmd-sos");
    assert_reports(
        &f,
        "locales/en/help.ftl",
        line,
        "blocklisted word \"overdos\"",
    );
}

#[test]
fn phone_number_without_a_source() {
    let f = Fixture::copy_shipped();
    f.edit(
        "flows/countries.toml",
        "source = \"https://intertelecom.ua/info/ext_numbers\"",
        "source = \"\"",
    );
    let line = line_of(&f.read("flows/countries.toml"), "source = \"\"");
    assert_reports(
        &f,
        "flows/countries.toml",
        line,
        "source must say where the number was checked",
    );
}

#[test]
fn malformed_phone_number() {
    let f = Fixture::copy_shipped();
    f.edit(
        "flows/countries.toml",
        "number = \"116 123\"",
        "number = \"call 116 123\"",
    );
    let line = line_of(&f.read("flows/countries.toml"), "call 116 123");
    assert_reports(
        &f,
        "flows/countries.toml",
        line,
        "phone number must be digits",
    );
}

#[test]
fn missing_required_flow() {
    let f = Fixture::copy_shipped();
    std::fs::remove_file(f.path("flows/sos.toml")).expect("remove");
    assert_reports(&f, "flows", 1, "flow sos is missing");
}

#[test]
fn dead_end_step() {
    let f = Fixture::copy_shipped();
    let text = f.read("flows/language.toml").replace("last = true\n", "");
    f.write("flows/language.toml", &text);
    let line = line_of(&text, "id = \"pick\"");
    assert_reports(&f, "flows/language.toml", line, "step pick is a dead end");
}
