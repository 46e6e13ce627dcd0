//! Benchmark of the service directory: 50,000 fictional services in the known cities of five
//! countries, imported from HSDS JSON into SQLite, then nearest-10 searches with two filters
//! (goal: p99 under 5 ms). Prints numbers; asserts nothing about speed.
//!
//! Run: `cargo bench --bench directory`

use std::time::{Duration, Instant};

use chrono::{TimeZone as _, Utc};
use helpline::directory::{Cities, Filter, Order, Query, Settings, hsds};
use helpline::domain::{CountryCode, Locale};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::json;

const SERVICES: usize = 50_000;
const QUERIES: usize = 5_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// An HSDS document of `n` fictional services, one location each, 1 in 10 confidential.
fn document(n: usize, cities: &Cities, rng: &mut StdRng) -> String {
    let types = [
        "shelter",
        "crisis_centre",
        "legal",
        "psychosocial",
        "medical",
        "harm_reduction",
        "ost",
        "hiv_care",
    ];
    let filters: Vec<&str> = Filter::ALL.iter().map(|f| f.code()).collect();
    let mut locations = Vec::with_capacity(n);
    let mut services = Vec::with_capacity(n);
    for i in 0..n {
        let city = &cities.all()[rng.random_range(0..cities.all().len())];
        let id = format!("bench-{i:06}");
        let location = if i % 10 == 0 {
            json!({ "id": format!("{id}-loc"), "location_type": "virtual", "country": city.country.as_str(),
                    "city": city.export_name(),
                    "attributes": [{ "id": format!("{id}-conf"), "taxonomy_term_id": "confidential" }] })
        } else {
            json!({ "id": format!("{id}-loc"), "location_type": "physical",
                    "latitude": city.centre.lat() + rng.random_range(-0.15..0.15),
                    "longitude": city.centre.lon() + rng.random_range(-0.2..0.2),
                    "addresses": [{ "id": format!("{id}-addr"), "address_1": format!("{i} Fictional Street"),
                                    "city": city.export_name(), "state_province": "", "postal_code": "",
                                    "country": city.country.as_str(), "address_type": "physical" }] })
        };
        locations.push(location);
        let mut attributes =
            vec![json!({ "id": format!("{id}-t"), "taxonomy_term_id": types[i % types.len()] })];
        for (k, f) in filters.iter().enumerate() {
            if rng.random_bool(0.45) {
                attributes.push(json!({ "id": format!("{id}-f{k}"), "taxonomy_term_id": f }));
            }
        }
        services.push(json!({
            "id": id, "organization_id": "bench-org", "name": format!("Bench service {i} (fictional)"),
            "status": "active", "assured_date": "2026-04-01",
            "phones": [{ "id": format!("{id}-p"), "number": format!("+44 7700 900{:03}", i % 1000) }],
            "schedules": [{ "id": format!("{id}-h"), "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "18:00" }],
            "languages": [{ "id": format!("{id}-l"), "code": "ru" }],
            "attributes": attributes,
            "service_at_locations": [{ "id": format!("{id}-at"), "location_id": format!("{id}-loc") }],
        }));
    }
    json!({
        "organizations": [{ "id": "bench-org", "name": "Bench Network (fictional)" }],
        "locations": locations,
        "services": services,
    })
    .to_string()
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("runtime: {e}"));
    let cities = Cities::builtin();
    let mut rng = StdRng::seed_from_u64(2026);
    let text = document(SERVICES, &cities, &mut rng);

    let started = Instant::now();
    let parsed = hsds::read_json(&text, &cities).unwrap_or_else(|e| panic!("{e}"));
    let parse = started.elapsed();

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let countries: Vec<CountryCode> = ["UA", "KZ", "RS", "MK"]
        .iter()
        .filter_map(|c| CountryCode::parse(c).ok())
        .collect();
    let settings = Settings {
        ost_legal: countries.into_iter().collect(),
        ..Settings::default()
    };
    let (directory, store, reindex) = runtime.block_on(async {
        let directory = helpline::directory::connect(&url, cities.clone(), settings)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let started = Instant::now();
        let report = directory
            .import(&parsed.catalog)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let store = started.elapsed();
        assert_eq!(report.created.services, SERVICES);
        let started = Instant::now();
        directory.refresh().await.unwrap_or_else(|e| panic!("{e}"));
        (directory, store, started.elapsed())
    });
    println!(
        "import of {SERVICES} services (HSDS JSON, {:.1} MB): read and check {:.0} ms, write to SQLite in one transaction and reload {:.1} s",
        text.len() as f64 / 1e6,
        ms(parse),
        store.as_secs_f64()
    );
    println!("reload the index from SQLite: {:.0} ms", ms(reindex));

    let index = directory.index();
    let pairs = [
        (Filter::AcceptsActiveDrugUse, Filter::Free),
        (Filter::AcceptsOst, Filter::NoIdRequired),
        (Filter::WomenOnly, Filter::AcceptsChildren),
        (Filter::HivFriendly, Filter::AcceptsActiveDrugUse),
    ];
    let now = Utc
        .with_ymd_and_hms(2026, 5, 1, 12, 0, 0)
        .single()
        .unwrap_or_default();
    let mut latencies = Vec::with_capacity(QUERIES);
    let mut found = 0usize;
    for i in 0..QUERIES {
        let city = &cities.all()[rng.random_range(0..cities.all().len())];
        let (a, b) = pairs[i % pairs.len()];
        let query = Query::new(city.id.clone(), Locale::Ru)
            .with(a)
            .with(b)
            .ordered(Order::Nearest)
            .page(0, 10);
        let t = Instant::now();
        let page = index.search(&query, now).unwrap_or_else(|e| panic!("{e}"));
        latencies.push(t.elapsed());
        found += page.cards.len();
        std::hint::black_box(page);
    }
    latencies.sort();
    println!(
        "nearest-10 with two filters over {SERVICES} services, {QUERIES} queries, one core: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (goal p99 < 5 ms); {:.1} cards per page",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(latencies[latencies.len() - 1]),
        found as f64 / QUERIES as f64
    );
}
