//! Prometheus metrics, served as text at `/metrics`. A small hand-rolled registry: process-wide
//! atomics, labels only from fixed enums (kind, method, outcome) — never an id, a name, a city
//! or words she typed — so no label can identify anyone.
//!
//! Fed by the Telegram adapter (updates, turns, errors, consented counts) and read from it at
//! scrape time (pending updates, sends, 429s, retries, failures). The hand-off side feeds:
//! - [`set_queue_length`]: women waiting for a consultant, whenever the line changes;
//! - [`observe_wait`]: how long she waited when a consultant took her case;
//! - [`observe_relay`]: from her message (or the consultant's) arriving to the copy being sent.
//!
//! Alert-worthy: `helpline_pending_updates` staying high (turns are not keeping up), and
//! `helpline_telegram_last_error_timestamp_seconds` moving (Telegram refusing or unreachable).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// What kind of update arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateKind {
    Command,
    Button,
    Text,
    Location,
    Other,
    /// She blocked the bot.
    Blocked,
    /// A button press that is not for a conversation.
    Stray,
    /// A message or button in the staff group.
    StaffGroup,
    /// A staff command in a private chat (`/online`, `/offline`, `/admin`, an invite).
    StaffCommand,
}

impl UpdateKind {
    const ALL: [UpdateKind; 9] = [
        UpdateKind::Command,
        UpdateKind::Button,
        UpdateKind::Text,
        UpdateKind::Location,
        UpdateKind::Other,
        UpdateKind::Blocked,
        UpdateKind::Stray,
        UpdateKind::StaffGroup,
        UpdateKind::StaffCommand,
    ];

    fn as_str(self) -> &'static str {
        match self {
            UpdateKind::Command => "command",
            UpdateKind::Button => "button",
            UpdateKind::Text => "text",
            UpdateKind::Location => "location",
            UpdateKind::Other => "other",
            UpdateKind::Blocked => "blocked",
            UpdateKind::Stray => "stray",
            UpdateKind::StaffGroup => "staff_group",
            UpdateKind::StaffCommand => "staff_command",
        }
    }
}

/// A histogram with fixed buckets (seconds).
pub struct Histogram {
    bounds: &'static [f64],
    buckets: [AtomicU64; 12],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    const fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            buckets: [const { AtomicU64::new(0) }; 12],
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (i, bound) in self.bounds.iter().enumerate().take(self.buckets.len()) {
            if secs <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} histogram");
        for (i, bound) in self.bounds.iter().enumerate().take(self.buckets.len()) {
            let n = self.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {n}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {count}");
    }
}

const FAST: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
const WAITS: &[f64] = &[
    10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 86400.0,
];

static UPDATES: [AtomicU64; UpdateKind::ALL.len()] =
    [const { AtomicU64::new(0) }; UpdateKind::ALL.len()];
static TURN_ERRORS: AtomicU64 = AtomicU64::new(0);
static CONSENTED: AtomicU64 = AtomicU64::new(0);
static QUEUE_LENGTH: AtomicI64 = AtomicI64::new(0);
static LAST_TELEGRAM_ERROR: AtomicI64 = AtomicI64::new(0);
static TURNS: Histogram = Histogram::new(FAST);
static WAIT: Histogram = Histogram::new(WAITS);
static RELAY: Histogram = Histogram::new(FAST);

/// An update arrived.
pub fn update(kind: UpdateKind) {
    if let Some(i) = UpdateKind::ALL.iter().position(|k| *k == kind) {
        UPDATES[i].fetch_add(1, Ordering::Relaxed);
    }
}

/// A turn ended, in `took`; `ok` is false when it failed inside (she got the apology).
pub fn turn(took: Duration, ok: bool) {
    TURNS.observe(took);
    if !ok {
        TURN_ERRORS.fetch_add(1, Ordering::Relaxed);
    }
}

/// She agreed to have her answers counted (and they were).
pub fn consented_count() {
    CONSENTED.fetch_add(1, Ordering::Relaxed);
}

/// Telegram refused a request or could not be reached, at `unix_seconds`.
pub fn telegram_error(unix_seconds: i64) {
    LAST_TELEGRAM_ERROR.store(unix_seconds, Ordering::Relaxed);
}

/// Women waiting for a consultant (the hand-off line), set whenever it changes.
pub fn set_queue_length(n: usize) {
    QUEUE_LENGTH.store(i64::try_from(n).unwrap_or(i64::MAX), Ordering::Relaxed);
}

/// How long she waited before a consultant took her case.
pub fn observe_wait(waited: Duration) {
    WAIT.observe(waited);
}

/// From a message arriving to its copy on the other side being sent.
pub fn observe_relay(latency: Duration) {
    RELAY.observe(latency);
}

/// What only the running adapter knows, read at scrape time.
#[derive(Clone, Copy, Debug, Default)]
pub struct Snapshot {
    pub pending_updates: usize,
    pub sent: u64,
    pub retried_429: u64,
    pub network_retries: u64,
    pub failed: u64,
}

fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} counter");
    let _ = writeln!(out, "{name} {value}");
}

fn gauge(out: &mut String, name: &str, help: &str, value: i64) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    let _ = writeln!(out, "{name} {value}");
}

/// The Prometheus text exposition (format 0.0.4).
pub fn render(s: &Snapshot) -> String {
    let mut out = String::with_capacity(4096);
    let _ = writeln!(
        out,
        "# HELP helpline_updates_total Updates received, by kind."
    );
    let _ = writeln!(out, "# TYPE helpline_updates_total counter");
    for (i, kind) in UpdateKind::ALL.iter().enumerate() {
        let n = UPDATES[i].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "helpline_updates_total{{kind=\"{}\"}} {n}",
            kind.as_str()
        );
    }
    counter(
        &mut out,
        "helpline_turn_errors_total",
        "Turns that failed inside (she was sent an apology).",
        TURN_ERRORS.load(Ordering::Relaxed),
    );
    counter(
        &mut out,
        "helpline_replies_total",
        "Messages sent to Telegram.",
        s.sent,
    );
    counter(
        &mut out,
        "helpline_telegram_429_total",
        "Requests Telegram answered with 429 (each waited and retried).",
        s.retried_429,
    );
    counter(
        &mut out,
        "helpline_telegram_retries_total",
        "Requests retried after a network failure.",
        s.network_retries,
    );
    counter(
        &mut out,
        "helpline_telegram_errors_total",
        "Requests that failed for good.",
        s.failed,
    );
    counter(
        &mut out,
        "helpline_consented_counts_total",
        "Times a woman agreed to have her answers counted anonymously.",
        CONSENTED.load(Ordering::Relaxed),
    );
    gauge(
        &mut out,
        "helpline_pending_updates",
        "Updates accepted and not yet handled.",
        i64::try_from(s.pending_updates).unwrap_or(i64::MAX),
    );
    gauge(
        &mut out,
        "helpline_telegram_last_error_timestamp_seconds",
        "When Telegram last refused a request or could not be reached (0: never).",
        LAST_TELEGRAM_ERROR.load(Ordering::Relaxed),
    );
    gauge(
        &mut out,
        "helpline_handoff_queue_length",
        "Women waiting for a consultant.",
        QUEUE_LENGTH.load(Ordering::Relaxed),
    );
    TURNS.render(
        &mut out,
        "helpline_turn_duration_seconds",
        "Time from taking an update to storing her session.",
    );
    WAIT.render(
        &mut out,
        "helpline_handoff_wait_seconds",
        "Time from asking for a person to a consultant taking the case.",
    );
    RELAY.render(
        &mut out,
        "helpline_relay_latency_seconds",
        "Time from a message arriving to its copy being sent on.",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_has_every_series_once() {
        update(UpdateKind::Button);
        turn(Duration::from_millis(3), true);
        observe_wait(Duration::from_secs(100));
        let text = render(&Snapshot::default());
        for series in [
            "helpline_updates_total{kind=\"button\"}",
            "helpline_turn_duration_seconds_bucket{le=\"0.005\"}",
            "helpline_handoff_wait_seconds_count",
            "helpline_pending_updates 0",
        ] {
            assert_eq!(text.matches(series).count(), 1, "{series}");
        }
        // Buckets are cumulative: 100 s is within 120 s but not 60 s.
        assert!(text.contains("helpline_handoff_wait_seconds_bucket{le=\"60\"} 0"));
        assert!(text.contains("helpline_handoff_wait_seconds_bucket{le=\"120\"} 1"));
    }
}
