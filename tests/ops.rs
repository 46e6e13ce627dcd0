//! Operations: after a scripted conversation with the real binary (JSON logs on), `/metrics` has
//! the expected series and no label value or line that is an id, a name or her words; every log
//! line is a JSON object and none carries them either; `/readyz` and `helpline healthcheck`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::Backend;
use crate::support::app::TestApp;

const ID: i64 = 7_349_018_266;
const NAME: &str = "Zlatoslava";
const USERNAME: &str = "zlatoslava_kyiv_1987";
const TYPED: &str = "my husband Petro hit me";

/// Label values a series may carry: the update kinds and histogram bucket bounds.
fn allowed_label(name: &str, value: &str) -> bool {
    match name {
        "kind" => [
            "command",
            "button",
            "text",
            "location",
            "other",
            "blocked",
            "stray",
            "staff_group",
            "staff_command",
        ]
        .contains(&value),
        "le" => value == "+Inf" || value.parse::<f64>().is_ok(),
        _ => false,
    }
}

/// `name{a="x",b="y"} value` into its name, labels and value.
fn parse_sample(line: &str) -> (String, Vec<(String, String)>, f64) {
    let (head, value) = line.rsplit_once(' ').expect("a sample has a value");
    let value: f64 = value.parse().expect("a numeric value");
    let Some((name, labels)) = head.split_once('{') else {
        return (head.to_owned(), Vec::new(), value);
    };
    let labels = labels
        .trim_end_matches('}')
        .split(',')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=').expect("label=value");
            (k.to_owned(), v.trim_matches('"').to_owned())
        })
        .collect();
    (name.to_owned(), labels, value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_json_logs_after_a_conversation_carry_nothing_of_hers() {
    let app = TestApp::init()
        .with_backend(Backend::Sqlite)
        .with_binary()
        .with_env("HELPLINE_LOG_FORMAT", "json")
        .spawn()
        .await;
    let mut phone = app.phone(ID, NAME, Some(USERNAME), Some("uk"));
    phone.onboard("uk", "ua").await;
    phone.send(TYPED).await;
    phone.send("/check").await;
    phone.press("check.intro.begin").await;
    phone.press("check.injured.yes").await;
    phone.send(TYPED).await;
    app.telegram
        .send_location(&phone.her, 50.450_123, 30.523_456);
    app.settle().await;
    phone.send("/sos").await;

    let (status, metrics) = app.get("/metrics").await;
    assert_eq!(status, 200);
    let mut series = BTreeSet::new();
    let mut values = std::collections::BTreeMap::new();
    for line in metrics
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name, labels, value) = parse_sample(line);
        for (k, v) in &labels {
            assert!(allowed_label(k, v), "label {k}={v:?} in {line}");
        }
        let key = if labels.is_empty() || labels[0].0 == "le" {
            name.clone()
        } else {
            format!("{name}{{{}={}}}", labels[0].0, labels[0].1)
        };
        series.insert(name);
        *values.entry(key).or_insert(0.0) += value;
    }
    for expected in [
        "helpline_updates_total",
        "helpline_replies_total",
        "helpline_turn_errors_total",
        "helpline_telegram_429_total",
        "helpline_telegram_retries_total",
        "helpline_telegram_errors_total",
        "helpline_pending_updates",
        "helpline_telegram_last_error_timestamp_seconds",
        "helpline_handoff_queue_length",
        "helpline_turn_duration_seconds_bucket",
        "helpline_turn_duration_seconds_count",
        "helpline_handoff_wait_seconds_count",
        "helpline_relay_latency_seconds_count",
    ] {
        assert!(series.contains(expected), "{expected} missing:\n{metrics}");
    }
    assert!(
        values["helpline_updates_total{kind=command}"] >= 3.0,
        "{metrics}"
    );
    assert!(
        values["helpline_updates_total{kind=button}"] >= 5.0,
        "{metrics}"
    );
    assert!(
        values["helpline_updates_total{kind=text}"] >= 2.0,
        "{metrics}"
    );
    assert!(
        values["helpline_updates_total{kind=location}"] >= 1.0,
        "{metrics}"
    );
    assert!(values["helpline_replies_total"] >= 8.0, "{metrics}");
    assert!(
        values["helpline_turn_duration_seconds_count"] >= 11.0,
        "{metrics}"
    );
    assert_eq!(values["helpline_turn_errors_total"], 0.0);

    let needles = [
        ID.to_string(),
        NAME.to_lowercase(),
        USERNAME.to_lowercase(),
        TYPED.to_lowercase(),
        "petro".to_owned(),
        "50.450".to_owned(),
        "30.523".to_owned(),
    ];
    let lower = metrics.to_lowercase();
    for n in &needles {
        assert!(!lower.contains(n.as_str()), "{n:?} in /metrics");
    }

    let (status, ready) = app.get("/readyz").await;
    assert_eq!((status, ready.as_str()), (200, "ready"));

    // `helpline healthcheck` against the running server, as a container's health check.
    let health = tokio::process::Command::new(env!("CARGO_BIN_EXE_helpline"))
        .arg("healthcheck")
        .env_clear()
        .env("HELPLINE_HTTP_ADDR", app.http.to_string())
        .output()
        .await
        .expect("run helpline healthcheck");
    assert!(health.status.success(), "{health:?}");

    let logs = app.logs();
    let mut lines = 0;
    for line in logs.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("a log line that is not JSON ({e}): {line}"));
        assert!(
            v.get("level").is_some() && v.get("timestamp").is_some(),
            "{line}"
        );
        lines += 1;
    }
    assert!(lines > 0 && logs.contains("helpline is running"), "{logs}");
    let lower = logs.to_lowercase();
    for n in &needles {
        assert!(!lower.contains(n.as_str()), "{n:?} in the JSON logs");
    }
    app.stop().await;
}
