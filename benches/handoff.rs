//! The hand-off under load, on Postgres with the line in Redis: relay latency (a message in →
//! its `copyMessage` answered by the fake Bot API) in both directions at a fixed rate, and how
//! many claims per second the Redis line takes. Prints numbers; asserts only that every
//! relayed message arrived exactly once.
//!
//! Run: `cargo bench --bench handoff` (Postgres from `TEST_POSTGRES_URL`, Redis from
//! `TEST_REDIS_URL`, defaults on 127.0.0.1). The bot is `app::run` in this process, long polling
//! the fake Bot API over loopback.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use helpline::config::Config;
use helpline::content::Content;
use helpline::handoff::{CaseCode, Entry, Line, LocalLine, RedisLine};
use helpline::staff::{Role, Staff, StaffName};
use sqlx::{AssertSqlSafe, Connection as _, Executor as _};
use tokio_util::sync::CancellationToken;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/support"]
#[allow(dead_code, unused_imports)]
mod support {
    pub mod fake_telegram;
}

use support::fake_telegram::{FakeTelegram, MemberStatus, TgUser};

/// Women in a live chat at once, and consultants answering them.
const WOMEN: usize = 40;
const CONSULTANTS: usize = 4;
/// Relayed messages per second (both directions together), and for how long.
const RATE: u32 = 200;
const WARMUP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(10);
const CLAIMS: usize = 5_000;

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

async fn wait<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> anyhow::Result<T> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = probe() {
            return Ok(v);
        }
        if Instant::now() > deadline {
            anyhow::bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Claims per second: `CLAIMS` cases pushed, then taken by 8 concurrent claimers.
async fn claims_per_second(line: Arc<dyn Line>) -> anyhow::Result<f64> {
    for i in 0..CLAIMS {
        line.push(&Entry {
            code: CaseCode::random(),
            urgent: i.is_multiple_of(10),
            front: false,
            since: i as i64,
        })
        .await?;
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..8 {
        let line = line.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            while line
                .claim_next(&format!("bench-{t}"), Duration::from_secs(5))
                .await
                .ok()
                .flatten()
                .is_some()
            {
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await?;
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    Ok(rate)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

async fn relay(root: &Path, database_url: String, secret: String) -> anyhow::Result<()> {
    let tg = FakeTelegram::start().await;
    tg.keep_call_history(false);
    let group = tg.create_forum_group("Helpline team");
    let prefix = format!("helpline-bench-{:016x}", rand::random::<u64>());
    let settings: HashMap<&str, String> = [
        ("TELEGRAM_BOT_TOKEN", tg.token().to_owned()),
        ("TELEGRAM_API_URL", tg.url().to_string()),
        ("DATABASE_URL", database_url.clone()),
        ("HELPLINE_SECRET", secret.clone()),
        ("HELPLINE_HTTP_ADDR", "127.0.0.1:0".to_owned()),
        ("HELPLINE_SEND_RATE", "1000000".to_owned()),
        ("HELPLINE_CHAT_SEND_RATE", "1000000".to_owned()),
        ("HELPLINE_GROUP_SEND_RATE", "100000000".to_owned()),
        ("HELPLINE_STAFF_CHAT_ID", group.to_string()),
        ("REDIS_URL", redis_url()),
        ("HELPLINE_REDIS_PREFIX", prefix),
    ]
    .into_iter()
    .collect();
    let config = Config::from_lookup(|name| settings.get(name).cloned())?;
    let shutdown = CancellationToken::new();
    let bot = tokio::spawn(helpline::app::run(
        config,
        Content::load(root).map_err(|e| anyhow::anyhow!("{e}"))?,
        shutdown.clone(),
    ));

    // The team.
    let secret = helpline::privacy::Secret::from_hex(&secret)?;
    let (store, _) = helpline::store::connect(&database_url, Some(secret)).await?;
    let staff = Staff::new(store.db());
    let mut team = Vec::new();
    for i in 0..CONSULTANTS {
        let user = tg.user(
            900_000 + i as i64,
            &format!("Consultant {i}"),
            None,
            Some("en"),
        );
        tg.add_member(group, &user, MemberStatus::Member);
        let member = staff
            .add(
                user.id,
                &StaffName::parse(&format!("C{i}"))?,
                Role::Consultant,
                chrono::Utc::now(),
            )
            .await?;
        staff.set_max_cases(member.id, 50).await?;
        team.push(user);
    }
    // Each woman asks for a person and is taken by a consultant.
    let mut women: Vec<(TgUser, i32, usize)> = Vec::new();
    for i in 0..WOMEN {
        let her = tg.user(10_000 + i as i64, &format!("Woman {i}"), None, Some("uk"));
        tg.send_text(&her, "/talk");
        let talk = wait("the talk screen", || {
            tg.chat(her.chat_id())
                .into_iter()
                .find(|m| m.button_data().contains(&"talk.start.connect"))
        })
        .await?;
        tg.press_button(&her, talk.message_id, "talk.start.connect");
        let topics_before = i;
        let (thread, card) = wait("the case card", || {
            let topics = tg.topics(group);
            if topics.len() <= topics_before {
                return None;
            }
            let thread = topics.iter().map(|t| t.thread_id).max()?;
            let card = tg
                .chat(group)
                .into_iter()
                .find(|m| m.thread_id == Some(thread) && !m.button_data().is_empty())?;
            Some((thread, card))
        })
        .await?;
        let consultant = i % CONSULTANTS;
        let data = card.button_data()[0].to_owned();
        tg.press_button_in(&team[consultant], group, card.message_id, &data);
        wait("the take", || {
            tg.chat(group)
                .into_iter()
                .any(|m| {
                    m.thread_id == Some(thread)
                        && m.text.as_deref().unwrap_or("").contains("has the case")
                })
                .then_some(())
        })
        .await?;
        women.push((her, thread, consultant));
    }

    // Open loop at RATE: alternately a woman writes, and her consultant answers in the topic.
    let mut replies = tg.watch_replies();
    let interval = Duration::from_secs(1) / RATE;
    let start = Instant::now();
    let mut next = start;
    let mut sent: HashMap<(i64, i32), Instant> = HashMap::new();
    let mut measured: Vec<Duration> = Vec::new();
    // When each measured message was sent (seconds into the run), beside its latency: tells
    // one stall from slowness spread over the run.
    let mut timeline: Vec<(f64, Duration)> = Vec::new();
    let mut arrived: HashMap<(i64, i32), u32> = HashMap::new();
    let mut i = 0usize;
    let end = start + WARMUP + MEASURE;
    while Instant::now() < end {
        let now = Instant::now();
        if now >= next {
            let (her, thread, consultant) = &women[(i / 2) % WOMEN];
            let key = if i.is_multiple_of(2) {
                let at = Instant::now();
                let id = tg.send_text(her, "a message of hers");
                ((her.chat_id(), id), at)
            } else {
                let at = Instant::now();
                let id = tg.send_in_topic(&team[*consultant], group, *thread, "an answer");
                ((group, id), at)
            };
            sent.insert(key.0, key.1);
            i += 1;
            next += interval;
        }
        while let Ok(call) = replies.try_recv() {
            if let Some(source) = call.source.filter(|_| call.ok) {
                *arrived.entry(source).or_default() += 1;
                if let Some(at) = sent.get(&source)
                    && *at >= start + WARMUP
                {
                    measured.push(call.at.duration_since(*at));
                    timeline.push(((*at - start).as_secs_f64(), call.at.duration_since(*at)));
                }
            }
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    // Let the last ones arrive.
    let drain = Instant::now() + Duration::from_secs(10);
    while arrived.len() < sent.len() && Instant::now() < drain {
        while let Ok(call) = replies.try_recv() {
            if let Some(source) = call.source.filter(|_| call.ok) {
                *arrived.entry(source).or_default() += 1;
                if let Some(at) = sent.get(&source)
                    && *at >= start + WARMUP
                {
                    measured.push(call.at.duration_since(*at));
                    timeline.push(((*at - start).as_secs_f64(), call.at.duration_since(*at)));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    shutdown.cancel();
    let _ = bot.await;

    let lost = sent.keys().filter(|k| !arrived.contains_key(k)).count();
    let doubled = arrived.values().filter(|n| **n > 1).count();
    measured.sort();
    println!(
        "relay at {RATE} messages/s ({WOMEN} live chats, {CONSULTANTS} consultants, both directions), \
         Postgres + Redis: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} messages; \
         {} sent, {lost} lost, {doubled} relayed twice",
        percentile(&measured, 0.50).as_secs_f64() * 1000.0,
        percentile(&measured, 0.99).as_secs_f64() * 1000.0,
        measured.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        measured.len(),
        sent.len(),
    );
    let slow: Vec<f64> = timeline
        .iter()
        .filter(|(_, latency)| *latency > Duration::from_millis(30))
        .map(|(at, _)| *at)
        .collect();
    if let (Some(first), Some(last)) = (
        slow.iter().copied().reduce(f64::min),
        slow.iter().copied().reduce(f64::max),
    ) {
        println!(
            "{} messages over 30 ms, sent between {first:.2} s and {last:.2} s into the run",
            slow.len()
        );
    }
    if lost > 0 || doubled > 0 {
        anyhow::bail!("{lost} messages lost, {doubled} relayed twice");
    }
    Ok(())
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
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("helpline hand-off benchmark, {cores} cores shared by bot, fake, Postgres and Redis");

    let prefix = format!("helpline-bench-{:016x}", rand::random::<u64>());
    let redis = Arc::new(RedisLine::connect(&redis_url(), &prefix).await?);
    let rate = claims_per_second(redis).await?;
    println!(
        "Redis line: {rate:.0} claims/s (Lua claim with lease, 8 concurrent claimers, {CLAIMS} cases)"
    );
    let local = claims_per_second(Arc::new(LocalLine::new())).await?;
    println!("in-process line: {local:.0} claims/s");

    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
    let name = format!("helpline_bench_{:016x}", rand::random::<u64>());
    admin
        .execute(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .await?;
    let mut url = url::Url::parse(&admin_url)?;
    url.set_path(&format!("/{name}"));
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let outcome = relay(root, url.to_string(), secret).await;
    let _ = admin
        .execute(AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
        )))
        .await;
    outcome
}
