//! Benchmarks of the conversation core: loading and checking all content (goal: under 50 ms),
//! and turns per second through the engine. Prints numbers; asserts nothing about speed.
//!
//! Run: `cargo bench --bench core`

use std::path::Path;
use std::time::{Duration, Instant};

use helpline::content::Content;
use helpline::conversation::{Command, Input, Session};
use helpline::domain::{CountryCode, Locale};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    let mut loads = Vec::new();
    for _ in 0..30 {
        let start = Instant::now();
        let content = Content::load(root).unwrap_or_else(|e| panic!("content does not load:\n{e}"));
        loads.push(start.elapsed());
        std::hint::black_box(content);
    }
    loads.sort();
    println!(
        "load+check all flows, countries and 7 locales: median {:.1} ms, max {:.1} ms (goal < 50 ms)",
        percentile(&loads, 0.5).as_secs_f64() * 1e3,
        loads[loads.len() - 1].as_secs_f64() * 1e3
    );

    let content = Content::load(root).unwrap_or_else(|e| panic!("{e}"));
    let check = &content.flows[content.flow_index("check").unwrap_or_default()];
    let mut script = vec![
        Input::Command(Command::Check),
        Input::Button("check.intro.begin".into()),
    ];
    for (i, step) in check.steps.iter().enumerate().skip(1) {
        if step.kind == helpline::flows::StepKind::Question {
            let answer = if i % 3 == 0 { "yes" } else { "no" };
            script.push(Input::Button(format!("check.{}.{answer}", step.id)));
        }
    }
    script.push(Input::Command(Command::Sos));
    script.push(Input::Command(Command::Plan));

    let mut turns = 0u64;
    let mut latencies = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        for locale in Locale::ALL {
            let mut s = Session::new(locale);
            s.country = CountryCode::parse("UA").ok();
            for input in &script {
                let t = Instant::now();
                let reply = content.handle(&mut s, input.clone());
                let bytes = s.to_bytes();
                latencies.push(t.elapsed());
                std::hint::black_box((reply, bytes));
                turns += 1;
            }
        }
    }
    let elapsed = start.elapsed();
    latencies.sort();
    println!(
        "engine turns (handle + serialize session), one core: {:.0} turns/s, p50 {:.1} µs, p99 {:.1} µs",
        turns as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5).as_secs_f64() * 1e6,
        percentile(&latencies, 0.99).as_secs_f64() * 1e6
    );
}
