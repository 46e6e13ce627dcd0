//! The whole bot under load: many simulated women talk to it through the fake Telegram Bot API
//! (long polling, real HTTP on 127.0.0.1), on SQLite and on Postgres. Prints updates per second
//! and latency; asserts nothing about speed.
//!
//! Run: `cargo bench --bench telegram` (Postgres from `TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`; a database `helpline_bench_<random>` is created and
//! dropped. `HELPLINE_BENCH_BACKENDS=sqlite` runs one backend only.)
//!
//! Each woman has a realistic conversation (/start and onboarding buttons, /check answered
//! question by question, /sos, free text, /plan, /menu, again and again) and sends her next
//! update only once the bot's whole reply to the previous one has arrived. To know when it has,
//! every woman keeps a shadow of her session and runs the same conversation core the bot runs:
//! the number of messages in its reply is the number of `sendMessage`/`editMessageText` calls to
//! wait for, and its buttons are what she presses next (the fake refuses a press of a button that
//! is not on the message, so a bot that answered differently stops the benchmark).
//!
//! Latency is from the moment an update is queued in the fake to the moment the fake answers the
//! last `sendMessage`/`editMessageText` of the reply.
//!
//! Two measurements per database:
//! - maximum throughput: a closed loop, every woman acting as soon as her reply is complete;
//! - latency at a fixed rate of 500 updates/s: open loop, one update every 2 ms given to the
//!   woman who has waited longest for her turn (each still one update at a time).
//!
//! Telegram's send limits (30/s, 1/s per chat) are raised for the run: this measures the bot,
//! not Telegram's limits.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use helpline::config::Config;
use helpline::content::Content;
use helpline::conversation::{Input, Reply, Session};
use helpline::domain::Locale;
use sqlx::{AssertSqlSafe, Connection as _, Executor as _};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The allocator of the helpline binary (src/main.rs), so the bot here runs as it does there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/support"]
#[allow(dead_code, unused_imports)]
mod support {
    pub mod fake_telegram;
}

use support::fake_telegram::{FakeTelegram, ReplyCall, TgUser};

/// Simulated women.
const WOMEN: usize = 400;
const CLOSED_WARMUP: Duration = Duration::from_secs(3);
const CLOSED_MEASURE: Duration = Duration::from_secs(8);
const OPEN_RATE: u32 = 500;
const OPEN_WARMUP: Duration = Duration::from_secs(1);
const OPEN_MEASURE: Duration = Duration::from_secs(8);
/// A woman whose reply has not arrived after this long means the bot lost or mangled a turn.
const STUCK: Duration = Duration::from_secs(10);
/// Send limits for the run: far above what the bot can do, so they never pace it.
const SEND_RATE: u32 = 1_000_000;
const LANGUAGES: [&str; 7] = ["uk", "ru", "en", "kk", "sr", "mk", "sq"];

#[derive(Clone, Copy)]
enum Step {
    /// Type a command or text.
    Say(&'static str),
    /// Press the first button whose data starts with this; skipped when there is none.
    Press(&'static str),
    /// Answer every question of a flow (`flow.step.yes/no/skip`, `have/todo`) until none is left.
    Answer(&'static str),
}

/// What every woman does: onboarding once, then the rest in a loop.
const ONBOARDING: &[Step] = &[
    Step::Say("/start"),
    Step::Press("onboarding.safe.yes"),
    Step::Press("onboarding.language."),
    Step::Press("onboarding.privacy.ok"),
    Step::Press("onboarding.country."),
];
const LOOP: &[Step] = &[
    Step::Say("/check"),
    Step::Press("check.intro.begin"),
    Step::Answer("check."),
    Step::Say("/sos"),
    Step::Say("thank you, I will come back later"),
    Step::Say("/plan"),
    Step::Press("plan.intro.begin"),
    Step::Answer("plan."),
    Step::Say("/menu"),
];

struct Woman {
    user: TgUser,
    /// Her session as the bot should have it.
    shadow: Session,
    /// Position in ONBOARDING then LOOP.
    step: usize,
    /// The reply she is waiting for (or last got).
    reply: Reply,
    /// Message ids of the reply so far, in order.
    got: Vec<i32>,
    /// When her update was queued; `None` when she is not waiting.
    queued_at: Option<Instant>,
    rng: u64,
}

impl Woman {
    fn next_random(&mut self) -> u64 {
        // splitmix64
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn script(&self, i: usize) -> Step {
        if i < ONBOARDING.len() {
            ONBOARDING[i]
        } else {
            LOOP[(i - ONBOARDING.len()) % LOOP.len()]
        }
    }

    /// The button on her screen (message index, data) matching `wanted`.
    fn find_button(&self, wanted: impl Fn(&str) -> bool) -> Option<(usize, String)> {
        self.reply
            .messages
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, m)| {
                m.buttons
                    .iter()
                    .flatten()
                    .find(|b| wanted(&b.data))
                    .map(|b| (i, b.data.clone()))
            })
    }

    /// Decides her next update, runs it through her shadow, and queues it in the fake.
    fn act(&mut self, content: &Content, tg: &FakeTelegram) {
        loop {
            let step = self.script(self.step);
            let (input, press) = match step {
                Step::Say(text) => {
                    self.step += 1;
                    (Input::from_text(text), None)
                }
                Step::Press(prefix) => {
                    self.step += 1;
                    match self.find_button(|d| d.starts_with(prefix)) {
                        Some((i, data)) => (Input::Button(data.clone()), Some((i, data))),
                        None => continue,
                    }
                }
                Step::Answer(prefix) => {
                    let choices: &[&str] = if self.next_random().is_multiple_of(4) {
                        &["yes", "have", "todo"]
                    } else if self.next_random().is_multiple_of(5) {
                        &["skip"]
                    } else {
                        &["no", "todo", "skip"]
                    };
                    let answer = |d: &str| {
                        d.starts_with(prefix)
                            && d.rsplit('.').next().is_some_and(|c| choices.contains(&c))
                    };
                    match self.find_button(answer) {
                        Some((i, data)) => (Input::Button(data.clone()), Some((i, data))),
                        None => {
                            self.step += 1;
                            continue;
                        }
                    }
                }
            };
            let reply = content.handle(&mut self.shadow, input);
            assert!(
                reply.effect != Some(helpline::conversation::Effect::Forget),
                "the script never leaves"
            );
            let queued_at = Instant::now();
            match (step, press) {
                (Step::Say(text), _) => {
                    tg.send_text(&self.user, text);
                }
                (_, Some((i, data))) => {
                    let on = self.got[i];
                    tg.press_button(&self.user, on, &data);
                }
                _ => unreachable!("a press always has a button"),
            }
            assert!(
                !reply.messages.is_empty(),
                "every input gets at least one message"
            );
            self.reply = reply;
            self.got.clear();
            self.queued_at = Some(queued_at);
            return;
        }
    }
}

#[derive(Default)]
struct Sample {
    replies: u64,
    latencies: Vec<Duration>,
    elapsed: Duration,
    /// Open loop: ticks at which no woman was ready to act.
    missed: u64,
    /// CPU time this process (bot, fake and women) used while measuring, if known.
    cpu: Option<Duration>,
}

impl Sample {
    /// CPU time of this process per update handled, in microseconds.
    fn cpu_per_update(&self) -> Option<f64> {
        let cpu = self.cpu?;
        (self.replies > 0).then(|| cpu.as_secs_f64() * 1e6 / self.replies as f64)
    }

    fn per_second(&self) -> f64 {
        self.replies as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&mut self, p: f64) -> Duration {
        self.latencies.sort_unstable();
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i]
    }
}

enum Mode {
    Closed,
    Open { rate: u32 },
}

struct Driver {
    tg: FakeTelegram,
    content: Arc<Content>,
    women: Vec<Woman>,
    by_chat: HashMap<i64, usize>,
    replies: mpsc::UnboundedReceiver<ReplyCall>,
}

impl Driver {
    /// Runs one phase: `warmup`, then `measure`, then waits for every reply still owed.
    async fn phase(&mut self, mode: Mode, warmup: Duration, measure: Duration) -> Sample {
        let start = Instant::now();
        let measure_from = start + warmup;
        let end = measure_from + measure;
        let mut sample = Sample::default();
        let mut ready: VecDeque<usize> = VecDeque::new();
        for i in 0..self.women.len() {
            match mode {
                Mode::Closed => self.women[i].act(&self.content, &self.tg),
                Mode::Open { .. } => ready.push_back(i),
            }
        }
        let period = match mode {
            Mode::Closed => Duration::from_secs(3600),
            Mode::Open { rate } => Duration::from_secs(1) / rate,
        };
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut check_stuck = tokio::time::interval(Duration::from_secs(1));
        let mut calls = Vec::with_capacity(256);
        let mut acting = true;
        let mut cpu_from = None;
        loop {
            let now = Instant::now();
            if cpu_from.is_none() && now >= measure_from {
                cpu_from = process_cpu();
            }
            if acting && now >= end {
                acting = false;
                sample.cpu = cpu_from
                    .zip(process_cpu())
                    .map(|(from, to)| to.saturating_sub(from));
            }
            if !acting && self.women.iter().all(|w| w.queued_at.is_none()) {
                break;
            }
            tokio::select! {
                n = self.replies.recv_many(&mut calls, 256) => {
                    assert!(n > 0, "the fake stopped reporting replies");
                    for call in calls.drain(..) {
                        let Some(&i) = call.chat_id.and_then(|c| self.by_chat.get(&c)) else {
                            continue;
                        };
                        let woman = &mut self.women[i];
                        let Some(queued_at) = woman.queued_at else {
                            panic!("a reply arrived for a woman who was not waiting: {call:?}");
                        };
                        let id = call.message_id.expect("every reply message has an id");
                        woman.got.push(id);
                        if woman.got.len() < woman.reply.messages.len() {
                            continue;
                        }
                        woman.queued_at = None;
                        if queued_at >= measure_from && call.at <= end {
                            sample.replies += 1;
                            sample.latencies.push(call.at.duration_since(queued_at));
                        }
                        if acting {
                            match mode {
                                Mode::Closed => woman.act(&self.content, &self.tg),
                                Mode::Open { .. } => ready.push_back(i),
                            }
                        }
                    }
                }
                _ = ticks.tick(), if acting && matches!(mode, Mode::Open { .. }) => {
                    match ready.pop_front() {
                        Some(i) => self.women[i].act(&self.content, &self.tg),
                        None if Instant::now() >= measure_from => sample.missed += 1,
                        None => {}
                    }
                }
                _ = check_stuck.tick() => {
                    let now = Instant::now();
                    let stuck = self
                        .women
                        .iter()
                        .filter(|w| w.queued_at.is_some_and(|t| now - t > STUCK))
                        .count();
                    assert!(
                        stuck == 0,
                        "{stuck} women waited more than {STUCK:?} for a reply: the bot lost or \
                         changed turns (run with RUST_LOG=helpline=warn to see why)"
                    );
                }
                _ = tokio::time::sleep_until(measure_from.into()), if cpu_from.is_none() => {}
                _ = tokio::time::sleep_until(end.into()), if acting => {}
            }
        }
        sample.elapsed = measure;
        sample
    }
}

struct Outcome {
    max: Sample,
    paced: Sample,
}

async fn run_backend(
    content_root: &Path,
    database_url: String,
    secret: Option<String>,
) -> anyhow::Result<Outcome> {
    let tg = FakeTelegram::start().await;
    tg.keep_call_history(false);
    let replies = tg.watch_replies();
    let settings: HashMap<&str, String> = [
        ("TELEGRAM_BOT_TOKEN", tg.token().to_owned()),
        ("TELEGRAM_API_URL", tg.url().to_string()),
        ("DATABASE_URL", database_url),
        ("HELPLINE_HTTP_ADDR", "127.0.0.1:0".to_owned()),
        ("HELPLINE_SEND_RATE", SEND_RATE.to_string()),
        ("HELPLINE_CHAT_SEND_RATE", SEND_RATE.to_string()),
    ]
    .into_iter()
    .chain(secret.map(|s| ("HELPLINE_SECRET", s)))
    .collect();
    let config = Config::from_lookup(|name| settings.get(name).cloned())?;
    let shutdown = CancellationToken::new();
    let bot = tokio::spawn(helpline::app::run(
        config,
        Content::load(content_root).map_err(|e| anyhow::anyhow!("{e}"))?,
        shutdown.clone(),
    ));

    let content = Arc::new(Content::load(content_root).map_err(|e| anyhow::anyhow!("{e}"))?);
    let mut women = Vec::with_capacity(WOMEN);
    let mut by_chat = HashMap::new();
    for i in 0..WOMEN {
        let language = LANGUAGES[i % LANGUAGES.len()];
        let user = tg.user(
            10_000 + i as i64,
            &format!("Woman {i}"),
            None,
            Some(language),
        );
        by_chat.insert(user.chat_id(), i);
        women.push(Woman {
            user,
            shadow: Session::new(Locale::parse(language).unwrap_or(Locale::En)),
            step: 0,
            reply: Reply::default(),
            got: Vec::new(),
            queued_at: None,
            rng: i as u64,
        });
    }
    let mut driver = Driver {
        tg,
        content,
        women,
        by_chat,
        replies,
    };

    let max = driver
        .phase(Mode::Closed, CLOSED_WARMUP, CLOSED_MEASURE)
        .await;
    let paced = driver
        .phase(Mode::Open { rate: OPEN_RATE }, OPEN_WARMUP, OPEN_MEASURE)
        .await;

    shutdown.cancel();
    match tokio::time::timeout(Duration::from_secs(15), bot).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => anyhow::bail!("the bot stopped with an error: {e:#}"),
        Ok(Err(e)) => anyhow::bail!("the bot panicked: {e}"),
        Err(_) => anyhow::bail!("the bot did not stop within 15 s"),
    }
    driver.tg.shutdown().await;
    Ok(Outcome { max, paced })
}

fn report(name: &str, mut outcome: Outcome) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let max_p50 = outcome.max.percentile(0.5);
    let max_p99 = outcome.max.percentile(0.99);
    let p50 = outcome.paced.percentile(0.5);
    let p99 = outcome.paced.percentile(0.99);
    println!(
        "{name}: {} updates/s max; at {OPEN_RATE}/s p50 {:.1} ms p99 {:.1} ms",
        thousands(outcome.max.per_second()),
        ms(p50),
        ms(p99),
    );
    println!(
        "  (closed loop, {WOMEN} women: p50 {:.1} ms p99 {:.1} ms; paced: {} replies in {:.0} s, \
         {:.0}/s achieved{})",
        ms(max_p50),
        ms(max_p99),
        outcome.paced.replies,
        outcome.paced.elapsed.as_secs_f64(),
        outcome.paced.per_second(),
        if outcome.paced.missed > 0 {
            format!(", {} ticks found no woman ready", outcome.paced.missed)
        } else {
            String::new()
        }
    );
    if let (Some(max), Some(paced)) = (outcome.max.cpu_per_update(), outcome.paced.cpu_per_update())
    {
        println!(
            "  CPU of this process (bot + fake + women) per update: {max:.0} µs at max, \
             {paced:.0} µs at {OPEN_RATE}/s"
        );
    }
    let met = outcome.max.per_second() >= 2000.0 && p99 < Duration::from_millis(50);
    println!(
        "  floor (>= 2,000 updates/s, p99 < 50 ms at 500/s): {}",
        if met { "met" } else { "NOT met" }
    );
}

/// CPU time (user + system) of this whole process so far, from /proc (Linux only).
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux architecture the bot runs on.
    Some(Duration::from_millis(ticks * 10))
}

fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

async fn postgres_database() -> anyhow::Result<(String, String, String)> {
    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
    let name = format!("helpline_bench_{:016x}", rand::random::<u64>());
    admin
        .execute(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .await?;
    let _ = admin.close().await;
    let mut url = url::Url::parse(&admin_url)?;
    url.set_path(&format!("/{name}"));
    Ok((admin_url, name, url.to_string()))
}

async fn drop_postgres_database(admin_url: &str, name: &str) {
    let dropped = async {
        let mut admin = sqlx::PgConnection::connect(admin_url).await?;
        admin
            .execute(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .await?;
        admin.close().await
    };
    if let Err(e) = dropped.await {
        eprintln!("warning: could not drop the benchmark database {name}: {e}");
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let started = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let backends =
        std::env::var("HELPLINE_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "helpline telegram benchmark: {WOMEN} simulated women, long polling against the fake Bot \
         API on 127.0.0.1, {cores} cores shared by bot, fake and women"
    );
    println!(
        "send limits raised to {SEND_RATE}/s (global and per chat): this measures the bot, not \
         Telegram's limits (30/s, 1/s per chat)"
    );
    println!(
        "latency: update queued in the fake -> last sendMessage/editMessageText of the reply \
         answered by the fake"
    );

    let mut failed = false;
    for backend in backends.split(',').map(str::trim) {
        let result = match backend {
            "sqlite" => {
                let directory = tempfile::tempdir()?;
                let url = format!("sqlite://{}", directory.path().join("bench.db").display());
                let root = root.to_owned();
                tokio::spawn(async move { run_backend(&root, url, None).await }).await
            }
            "postgres" => {
                let (admin_url, name, url) = match postgres_database().await {
                    Ok(database) => database,
                    Err(e) => {
                        println!("postgres: not measured, PostgreSQL is not reachable ({e})");
                        failed = true;
                        continue;
                    }
                };
                let secret = hex::encode(rand::random::<[u8; 32]>());
                let root = root.to_owned();
                let result =
                    tokio::spawn(async move { run_backend(&root, url, Some(secret)).await }).await;
                drop_postgres_database(&admin_url, &name).await;
                result
            }
            other => anyhow::bail!("HELPLINE_BENCH_BACKENDS: unknown backend {other:?}"),
        };
        match result {
            Ok(Ok(outcome)) => report(backend, outcome),
            Ok(Err(e)) => {
                println!("{backend}: failed: {e:#}");
                failed = true;
            }
            Err(e) => {
                println!("{backend}: failed: {e}");
                failed = true;
            }
        }
    }
    println!("total {:.0} s", started.elapsed().as_secs_f64());
    if failed {
        std::process::exit(1);
    }
    Ok(())
}
