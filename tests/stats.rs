//! Anonymous counts: nothing is counted without her consent, exactly the expected counters
//! change with it, the tables hold no identifying column, and `helpline stats` prints only
//! suppressed figures. On SQLite and Postgres.

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use helpline::directory::model::ServiceType;
use helpline::domain::{CountryCode, Form};
use helpline::stats::doc::{DocAction, DocForm, Outcome, Perpetrator, RefusalReason};
use helpline::stats::{Consent, CounterRow, Counters, Place};

use crate::support::app::TestApp;
use crate::support::{Backend, TestDb, noon};

crate::support::stories!(
    without_consent_nothing_is_counted,
    with_consent_exactly_the_expected_counters_change,
    the_tables_have_no_identifying_column,
    consent_after_check_through_the_bot,
    service_searches_are_counted_only_with_consent,
    stats_command_prints_suppressed_tables_and_csv,
);

fn ua() -> Place {
    Place::country(Some(CountryCode::parse("UA").expect("UA")))
}

fn key(r: &CounterRow) -> (String, String, String, String, String, i64) {
    (
        r.country.clone(),
        r.region.clone(),
        r.quarter.clone(),
        r.dimension.clone(),
        r.value.clone(),
        r.count,
    )
}

async fn without_consent_nothing_is_counted(backend: Backend) {
    let db = TestDb::new(backend).await;
    let counters = Counters::new(db.store.db());
    let now = noon();
    counters
        .record_check(
            Consent::NotGiven,
            &ua(),
            &[Form::Physical, Form::Economic],
            now,
        )
        .await
        .expect("record");
    counters
        .record_service_search(Consent::NotGiven, &ua(), ServiceType::Shelter, now)
        .await
        .expect("record");
    counters
        .record_handoff(
            Consent::NotGiven,
            &ua(),
            true,
            Some(std::time::Duration::from_secs(60)),
            now,
        )
        .await
        .expect("record");
    let mut form = DocForm::new(None, &[Form::Sexual]);
    let Outcome::Saved(record) = form.apply(DocAction::Save) else {
        panic!("a saved form hands back its record");
    };
    counters
        .record_doc(Consent::NotGiven, &record, now)
        .await
        .expect("record");
    assert!(counters.rows().await.expect("rows").is_empty());
    assert_eq!(db.count_rows("stat_counters", None).await, 0);
    assert_eq!(db.count_rows("case_doc_counts", None).await, 0);
}

async fn with_consent_exactly_the_expected_counters_change(backend: Backend) {
    let db = TestDb::new(backend).await;
    let counters = Counters::new(db.store.db());
    let q2 = noon(); // 2026-Q2
    let q1 = Utc
        .with_ymd_and_hms(2027, 2, 3, 12, 0, 0)
        .single()
        .expect("a date");
    counters
        .record_check(
            Consent::Given,
            &ua(),
            &[Form::Physical, Form::Economic, Form::Physical],
            q2,
        )
        .await
        .expect("record");
    counters
        .record_check(Consent::Given, &ua(), &[Form::Physical], q2)
        .await
        .expect("record");
    counters
        .record_check(Consent::Given, &Place::country(None), &[Form::Sexual], q1)
        .await
        .expect("record");
    counters
        .record_service_search(Consent::Given, &ua(), ServiceType::Ost, q2)
        .await
        .expect("record");
    counters
        .record_handoff(
            Consent::Given,
            &ua(),
            false,
            Some(std::time::Duration::from_secs(1200)),
            q2,
        )
        .await
        .expect("record");
    let mut form = DocForm::new(
        Some(CountryCode::parse("RS").expect("RS")),
        &[Form::Physical],
    );
    form.apply(DocAction::Next);
    form.apply(DocAction::TogglePerpetrator(Perpetrator::Police));
    form.apply(DocAction::Next);
    form.apply(DocAction::RefusedBy(ServiceType::Shelter));
    form.apply(DocAction::RefusedFor(RefusalReason::Ost));
    let Outcome::Saved(record) = form.apply(DocAction::Save) else {
        panic!("a saved form hands back its record");
    };
    counters
        .record_doc(Consent::Given, &record, q2)
        .await
        .expect("record");
    counters
        .record_doc(Consent::Given, &record, q2)
        .await
        .expect("record");

    let rows: BTreeSet<_> = counters
        .rows()
        .await
        .expect("rows")
        .iter()
        .map(key)
        .collect();
    let s = |x: &str| x.to_owned();
    let expected: BTreeSet<_> = [
        (s("--"), s(""), s("2027-Q1"), s("form"), s("sexual"), 1),
        (
            s("RS"),
            s(""),
            s("2026-Q2"),
            s("case_form"),
            s("physical"),
            2,
        ),
        (
            s("RS"),
            s(""),
            s("2026-Q2"),
            s("perpetrator"),
            s("police"),
            2,
        ),
        (
            s("RS"),
            s(""),
            s("2026-Q2"),
            s("refusal_reason"),
            s("ost"),
            2,
        ),
        (
            s("RS"),
            s(""),
            s("2026-Q2"),
            s("refusal_service"),
            s("shelter"),
            2,
        ),
        (s("UA"), s(""), s("2026-Q2"), s("form"), s("economic"), 1),
        // Counted once per check even when named twice in one.
        (s("UA"), s(""), s("2026-Q2"), s("form"), s("physical"), 2),
        (s("UA"), s(""), s("2026-Q2"), s("handoff"), s("routine"), 1),
        (
            s("UA"),
            s(""),
            s("2026-Q2"),
            s("service_asked"),
            s("ost"),
            1,
        ),
        (
            s("UA"),
            s(""),
            s("2026-Q2"),
            s("wait"),
            s("15_to_60_min"),
            1,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(rows, expected);
    // Two identical documentation records are one row counting 2: a row is not a case.
    assert_eq!(db.count_rows("case_doc_counts", None).await, 1);
}

async fn the_tables_have_no_identifying_column(backend: Backend) {
    let db = TestDb::new(backend).await;
    assert_eq!(
        db.columns("stat_counters").await,
        [
            "country",
            "region",
            "quarter",
            "dimension",
            "value",
            "count"
        ]
    );
    assert_eq!(
        db.columns("case_doc_counts").await,
        [
            "country",
            "quarter",
            "forms",
            "perpetrators",
            "refusals",
            "count"
        ]
    );
    for table in ["stat_counters", "case_doc_counts"] {
        for column in db.columns(table).await {
            for banned in [
                "id", "name", "user", "chat", "date", "time", "_at", "who", "text",
            ] {
                assert!(
                    !column.contains(banned),
                    "{table}.{column} looks identifying ({banned})"
                );
            }
        }
    }
}

/// /check through the real bot: two women answer; one says no to being counted, one yes.
async fn consent_after_check_through_the_bot(backend: Backend) {
    let app = TestApp::init().with_backend(backend).spawn().await;
    let counters = Counters::new(app.db.store.db());

    for (n, consent) in [(0i64, "count_no"), (1, "count_yes")] {
        let mut phone = app.phone(7_350_561_000 + n, "Olena", None, Some("en"));
        phone.onboard("en", "ua").await;
        phone.send("/check").await;
        phone.press("check.intro.begin").await;
        loop {
            let last = phone.last();
            let data = last.button_data();
            let Some(step) = data
                .iter()
                .find(|d| d.starts_with("check.") && d.ends_with(".yes"))
                .map(|d| {
                    d.trim_start_matches("check.")
                        .trim_end_matches(".yes")
                        .to_owned()
                })
            else {
                break;
            };
            let answer = if step == "insults" || step == "money" {
                "yes"
            } else {
                "no"
            };
            phone.press(&format!("check.{step}.{answer}")).await;
        }
        // The result, then the question, whose default is that nothing is counted.
        assert!(
            phone
                .last()
                .button_data()
                .contains(&"check.result.count_yes"),
            "{}",
            app.describe(&phone.her)
        );
        assert!(counters.rows().await.expect("rows").is_empty());
        let reply = phone.press(&format!("check.result.{consent}")).await;
        let expected_id = if consent == "count_yes" {
            "consent-thanks"
        } else {
            "consent-declined"
        };
        assert!(reply.messages[0].text.starts_with(&phone.t(expected_id)));
        if n == 0 {
            assert!(counters.rows().await.expect("rows").is_empty());
        }
    }
    let rows: BTreeSet<_> = counters
        .rows()
        .await
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r.country.clone(),
                r.dimension.clone(),
                r.value.clone(),
                r.count,
            )
        })
        .collect();
    let expected: BTreeSet<_> = [
        ("UA".to_owned(), "form".to_owned(), "economic".to_owned(), 1),
        (
            "UA".to_owned(),
            "form".to_owned(),
            "psychological".to_owned(),
            1,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(rows, expected);
    // Nothing of hers in the counters: no id, no name.
    for line in app.db.dump().await {
        if line.starts_with("stat_counters") {
            assert!(
                !line.contains("7350561001") && !line.contains("olena"),
                "{line}"
            );
        }
    }
    let metrics = app.get("/metrics").await.1;
    assert!(
        metrics.contains("helpline_consented_counts_total 1"),
        "{metrics}"
    );
    app.stop().await;
}

async fn stats_command_prints_suppressed_tables_and_csv(backend: Backend) {
    let db = TestDb::new(backend).await;
    let counters = Counters::new(db.store.db());
    for _ in 0..25 {
        counters
            .record_check(
                Consent::Given,
                &ua(),
                &[Form::Physical, Form::Economic],
                noon(),
            )
            .await
            .expect("record");
    }
    for _ in 0..3 {
        counters
            .record_check(Consent::Given, &ua(), &[Form::Sexual], noon())
            .await
            .expect("record");
    }
    let run = |csv: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_helpline"));
        cmd.arg("stats")
            .env_clear()
            .env("DATABASE_URL", db.url())
            .env("HELPLINE_LOG", "warn");
        if let Some(secret) = db.secret_hex() {
            cmd.env("HELPLINE_SECRET", secret);
        }
        if csv {
            cmd.arg("--csv");
        }
        let out = cmd.output().expect("run helpline stats");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let text = run(false);
    assert!(
        text.contains("Forms of violence described in the self-check — UA"),
        "{text}"
    );
    assert!(text.contains("<10"), "{text}");
    // The 3 is hidden, in its cell and as its row's total.
    let csv = run(true);
    assert!(csv.starts_with("table,row,column,count\n"), "{csv}");
    assert!(csv.contains(",sexual,2026-Q2,<10\n"), "{csv}");
    assert!(csv.contains(",sexual,total,<10\n"), "{csv}");
    assert!(!csv.contains(",3\n"), "{csv}");
}

/// Answers /check (two forms, "yes") and then the counting question with `consent`.
async fn check_then(phone: &mut crate::support::app::Phone<'_>, consent: &str) {
    phone.send("/check").await;
    phone.press("check.intro.begin").await;
    loop {
        let data = phone.last().button_data().join(" ");
        let Some(step) = data
            .split(' ')
            .find(|d| d.starts_with("check.") && d.ends_with(".yes"))
            .map(|d| {
                d.trim_start_matches("check.")
                    .trim_end_matches(".yes")
                    .to_owned()
            })
        else {
            break;
        };
        let answer = if step == "insults" || step == "money" {
            "yes"
        } else {
            "no"
        };
        phone.press(&format!("check.{step}.{answer}")).await;
    }
    phone.press(&format!("check.result.{consent}")).await;
}

/// /services through the real bot: a woman who agreed to be counted searches for shelters and
/// exactly one counter (that type, her country, the quarter) goes up; one who declined, or who
/// was never asked, changes nothing.
async fn service_searches_are_counted_only_with_consent(backend: Backend) {
    let app = TestApp::init()
        .with_backend(backend)
        .with_demo_directory()
        .spawn()
        .await;
    let counters = Counters::new(app.db.store.db());
    let service_rows = || async {
        counters
            .rows()
            .await
            .expect("rows")
            .into_iter()
            .filter(|r| r.dimension == "service_asked")
            .map(|r| (r.country, r.region, r.value, r.count))
            .collect::<Vec<_>>()
    };
    // Never asked, then declined: nothing.
    for (n, consent) in [(0i64, None), (1, Some("count_no"))] {
        let mut phone = app.phone(7_350_562_000 + n, "Olena", None, Some("en"));
        phone.onboard("en", "ua").await;
        if let Some(consent) = consent {
            check_then(&mut phone, consent).await;
        }
        phone.send("/services").await;
        phone.press("svc:city:kyiv").await;
        phone.press("svc:t:shelter").await;
        phone.press("svc:go").await;
        assert!(service_rows().await.is_empty(), "counted without consent");
    }
    // Agreed: one search, one count; "any type" is not counted.
    let mut phone = app.phone(7_350_562_009, "Olena", None, Some("en"));
    phone.onboard("en", "ua").await;
    check_then(&mut phone, "count_yes").await;
    phone.send("/services").await;
    phone.press("svc:city:kyiv").await;
    let shelters = phone.press("svc:t:shelter").await;
    assert!(
        !shelters.messages.is_empty(),
        "the filters screen still comes: {}",
        app.describe(&phone.her)
    );
    phone.press("svc:go").await;
    phone.press("svc:type").await;
    phone.press("svc:t:any").await;
    assert_eq!(
        service_rows().await,
        [("UA".to_owned(), String::new(), "shelter".to_owned(), 1)]
    );
    app.stop().await;
}
