//! HSDS import and export stories, each run against SQLite and Postgres: round trips, refusals
//! that name every problem's place and change nothing, re-imports that change nothing, and
//! hostile text kept exactly as given.

use std::collections::BTreeMap;
use std::path::PathBuf;

use helpline::directory::hsds::csv::read_files;
use helpline::directory::{Cities, DirectoryError, Problem, Query, RecordId, Settings};
use helpline::domain::Locale;

use crate::support::listings::{Doc, Listing};
use crate::support::{TestDb, noon};

macro_rules! stories {
    ($($story:ident),* $(,)?) => {$(
        mod $story {
            use crate::support::{Backend, TestDb};

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$story(TestDb::new(Backend::Sqlite).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$story(TestDb::new(Backend::Postgres).await).await;
            }
        }
    )*};
}

stories!(
    the_demo_round_trips_through_json_and_csv,
    reimporting_the_same_file_changes_nothing,
    a_file_with_errors_is_refused_whole,
    a_csv_package_with_errors_names_file_line_and_column,
    hostile_text_is_kept_as_given_and_lengths_are_bounded,
    an_update_replaces_children_without_duplicates,
);

fn demo() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/demo/directory.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn problems(error: DirectoryError) -> Vec<Problem> {
    match error {
        DirectoryError::Invalid(problems) => problems.0,
        other => panic!("expected a refused file, got {other}"),
    }
}

fn assert_problem(found: &[Problem], at: &str, message_part: &str) {
    assert!(
        found
            .iter()
            .any(|p| p.at == at && p.message.contains(message_part)),
        "expected `{at}: …{message_part}…` among:\n{}",
        found
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

async fn the_demo_round_trips_through_json_and_csv(db: TestDb) {
    let directory = db.directory(Settings::default()).await;
    let report = directory
        .import_json(&demo())
        .await
        .expect("the demo imports");
    assert!(report.created.services >= 60, "{report}");
    assert!(
        report.ignored.is_empty(),
        "the demo uses only kept fields: {report}"
    );
    let first = directory.export_json().await.expect("export");

    // import → export → import: nothing changes, the export is identical.
    let before = db.dump().await;
    let again = directory
        .import_json(&first)
        .await
        .expect("the export imports");
    assert!(again.changed_nothing(), "{again}");
    assert_eq!(again.unchanged.services, report.created.services);
    assert_eq!(db.dump().await, before);
    assert_eq!(directory.export_json().await.expect("export"), first);

    // The CSV package says the same: into a fresh database and back out as the same JSON.
    let csv = directory.export_csv().await.expect("csv");
    let files: BTreeMap<String, String> = csv
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let parsed = read_files(&files, &Cities::builtin()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        parsed.catalog,
        directory.load().await.expect("load"),
        "CSV reads back exactly"
    );
    let other = TestDb::new(db.backend).await;
    let fresh = other.directory(Settings::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    for (name, text) in &csv {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    fresh
        .import_path(dir.path())
        .await
        .expect("the CSV package imports");
    assert_eq!(fresh.export_json().await.expect("export"), first);
    assert_eq!(fresh.export_csv().await.expect("csv"), csv);

    // Every demo listing is visibly fictional and reachable only through the drama range.
    for service in &directory.load().await.expect("load").services {
        assert!(
            service.name.default.contains("(fictional)"),
            "{}",
            service.name.default
        );
        for phone in &service.phones {
            assert!(
                phone.number.as_str().starts_with("+44 7700 900"),
                "{}",
                phone.number
            );
        }
    }
}

async fn reimporting_the_same_file_changes_nothing(db: TestDb) {
    let directory = db.directory(Settings::default()).await;
    let doc = Doc::new()
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52)
        .confidential("hidden", "UA", "Lviv")
        .listing(
            Listing::new("a", "kyiv-1")
                .hours("MO,WE", "09:00", "17:00")
                .filters(&["free"]),
        )
        .listing(Listing::new("b", "hidden").types(&["shelter"]));
    let first = directory.import_json(&doc.text()).await.expect("import");
    assert_eq!(
        (
            first.created.services,
            first.created.locations,
            first.created.organizations
        ),
        (2, 2, 1)
    );
    let before = db.dump().await;
    let rows = db.count_rows("directory_phones", None).await;
    for _ in 0..2 {
        let again = directory.import_json(&doc.text()).await.expect("import");
        assert!(again.changed_nothing(), "{again}");
        assert_eq!(
            (again.unchanged.services, again.unchanged.locations),
            (2, 2)
        );
    }
    assert_eq!(db.dump().await, before, "not a row changed");
    assert_eq!(
        db.count_rows("directory_phones", None).await,
        rows,
        "no duplicate rows"
    );
    assert_eq!(db.count_rows("directory_services", None).await, 2);
}

async fn a_file_with_errors_is_refused_whole(db: TestDb) {
    let directory = db.directory(Settings::default()).await;
    directory
        .import_json(&demo())
        .await
        .expect("the demo imports");
    let before = db.dump().await;

    let mut doc = Doc::new()
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52)
        .place("nowhere", "UA", "Kiev", 50.45, 30.52)
        .confidential("hidden", "UA", "Kyiv");
    for i in 0..5 {
        doc = doc.listing(Listing::new(&format!("s{i}"), "kyiv-1"));
    }
    let v = &mut doc.value;
    v["services"][3]["phones"][0]["number"] = "call 102".into();
    v["services"][1]["attributes"][0]["taxonomy_term_id"] = "shelters".into();
    v["services"][2]["name"] = "   ".into();
    v["services"][2]["status"] = "open".into();
    v["services"][4]["service_at_locations"][0]["location_id"] = "missing".into();
    v["services"][4]["id"] = "s0".into();
    v["services"][0]["assured_date"] = "01.05.2026".into();
    v["services"][0]["schedules"] =
        serde_json::json!([{ "id": "h", "byday": "MON", "opens_at": "9am", "closes_at": "17:00" }]);
    v["locations"][0]["latitude"] = "north".into();
    v["locations"][2]["latitude"] = 50.0.into();
    v["organizations"][0]["website"] = serde_json::json!(42);
    let found = problems(
        directory
            .import_json(&doc.text())
            .await
            .expect_err("refused"),
    );
    assert_problem(
        &found,
        "services[3].phones[0].number",
        "phone number must be digits",
    );
    assert_problem(
        &found,
        "services[1].attributes[0].taxonomy_term_id",
        "unknown taxonomy term \"shelters\" (known: shelter,",
    );
    assert_problem(&found, "services[2].name", "is empty");
    assert_problem(
        &found,
        "services[2].status",
        "must be \"active\" or \"inactive\"",
    );
    assert_problem(
        &found,
        "services[4].service_at_locations[0].location_id",
        "no location with id \"missing\"",
    );
    assert_problem(
        &found,
        "services[4].id",
        "another service already has the id \"s0\"",
    );
    assert_problem(&found, "services[0].assured_date", "YYYY-MM-DD");
    assert_problem(&found, "services[0].schedules[0].byday", "MO, TU, WE");
    assert_problem(&found, "services[0].schedules[0].opens_at", "HH:MM");
    assert_problem(&found, "locations[0].latitude", "must be a number");
    assert_problem(
        &found,
        "locations[1].addresses[0].city",
        "\"Kiev\" is not a known city in UA (known: Kyiv, Lviv",
    );
    assert_problem(&found, "locations[2].latitude", "must not have coordinates");
    assert_problem(&found, "organizations[0].website", "must be a string");
    assert_eq!(found.len(), 13, "one problem each: {found:#?}");
    assert_eq!(db.dump().await, before, "the database is unchanged");

    // Not JSON at all.
    let found = problems(
        directory
            .import_json("{\"services\": [")
            .await
            .expect_err("refused"),
    );
    assert!(found[0].at.starts_with("line 1, column"), "{found:?}");
    assert_eq!(db.dump().await, before);
}

async fn a_csv_package_with_errors_names_file_line_and_column(db: TestDb) {
    let directory = db.directory(Settings::default()).await;
    let doc = Doc::new()
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52)
        .listing(Listing::new("a", "kyiv-1"))
        .listing(Listing::new("b", "kyiv-1"));
    directory.import_json(&doc.text()).await.expect("import");
    let mut files: BTreeMap<String, String> = directory
        .export_csv()
        .await
        .expect("csv")
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let before = db.dump().await;
    let edit = |files: &mut BTreeMap<String, String>, file: &str, from: &str, to: &str| {
        let text = files.get_mut(file).expect("file");
        assert!(text.contains(from), "{from} in {file}");
        *text = text.replacen(from, to, 1);
    };
    // phones.csv line 3 is service b's phone.
    edit(&mut files, "phones.csv", "+44 7700 900002", "12ab");
    edit(
        &mut files,
        "attributes.csv",
        "a,service,crisis_centre",
        "a,service,refuge",
    );
    files
        .get_mut("languages.csv")
        .expect("file")
        .push_str("x,ghost,uk,\n");
    edit(&mut files, "locations.csv", "50.45", "fifty");

    let dir = tempfile::tempdir().expect("dir");
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let found = problems(
        directory
            .import_path(dir.path())
            .await
            .expect_err("refused"),
    );
    assert_problem(
        &found,
        "phones.csv:3: column number",
        "phone number must be digits",
    );
    assert_problem(
        &found,
        "attributes.csv:2: column taxonomy_term_id",
        "unknown taxonomy term \"refuge\"",
    );
    assert_problem(
        &found,
        "languages.csv:4: column service_id",
        "no row with id \"ghost\" in services.csv",
    );
    assert_problem(
        &found,
        "locations.csv:2: column latitude",
        "must be a number",
    );
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_eq!(db.dump().await, before, "the database is unchanged");

    let mut missing = files.clone();
    missing.remove("services.csv");
    let found = read_files(&missing, &Cities::builtin())
        .expect_err("refused")
        .0;
    assert_problem(&found, "services.csv", "is missing");
}

async fn hostile_text_is_kept_as_given_and_lengths_are_bounded(db: TestDb) {
    let directory = db.directory(Settings::default()).await;
    let hostile =
        "<script>alert('x')</script> <b>Demo</b> \u{202e}\u{200f}שלום & \"quotes\" 🙂 (fictional)";
    let doc = Doc::new()
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52)
        .listing(Listing::new("hostile", "kyiv-1").name(hostile));
    let mut doc = doc;
    doc.value["services"][0]["description"] = format!("{hostile}\nline two\t&amp;").into();
    directory
        .import_json(&doc.text())
        .await
        .expect("hostile text is data");
    let page = directory
        .search(
            &Query::new(
                helpline::directory::CityId::parse("kyiv").expect("city"),
                Locale::Uk,
            ),
            noon(),
        )
        .expect("search");
    assert_eq!(
        page.cards[0].name, hostile,
        "stored and returned byte for byte"
    );
    assert_eq!(
        page.cards[0].description,
        format!("{hostile}\nline two\t&amp;")
    );
    let exported: serde_json::Value =
        serde_json::from_str(&directory.export_json().await.expect("export")).expect("json");
    assert_eq!(exported["services"][0]["name"], hostile);
    let csv = directory.export_csv().await.expect("csv");
    let files: BTreeMap<String, String> = csv
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let back = read_files(&files, &Cities::builtin()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        back.catalog.services[0].name.default, hostile,
        "CSV quoting keeps it too"
    );

    let before = db.dump().await;
    let mut long = Doc::new()
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52)
        .listing(Listing::new("long", "kyiv-1").name(&"W".repeat(10_000)))
        .listing(Listing::new("nul", "kyiv-1").name("Demo\u{0}Null (fictional)"));
    long.value["services"][0]["description"] = "x".repeat(10_000).into();
    long.value["services"][1]["phones"][0]["description"] = "y".repeat(501).into();
    long.value["organizations"][0]["name"] = "o".repeat(301).into();
    let found = problems(
        directory
            .import_json(&long.text())
            .await
            .expect_err("refused"),
    );
    assert_problem(
        &found,
        "services[0].name",
        "is 10000 characters long, at most 300 are allowed",
    );
    assert_problem(
        &found,
        "services[0].description",
        "is 10000 characters long, at most 3000 are allowed",
    );
    assert_problem(&found, "services[1].name", "control character U+0000");
    assert_problem(&found, "services[1].phones[0].description", "at most 500");
    assert_problem(
        &found,
        "organizations[0].name",
        "is 301 characters long, at most 300",
    );
    assert!(
        found.iter().all(|p| !p.message.contains("WWWW")),
        "messages do not repeat the text"
    );
    assert_eq!(db.dump().await, before);
}

async fn an_update_replaces_children_without_duplicates(db: TestDb) {
    let directory = db.directory(Settings::default()).await;
    let doc = Doc::new()
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52)
        .place("kyiv-2", "UA", "Kyiv", 50.46, 30.53)
        .listing(
            Listing::new("a", "kyiv-1")
                .hours("MO", "09:00", "12:00")
                .hours("TU", "09:00", "12:00")
                .filters(&["free"]),
        )
        .listing(Listing::new("b", "kyiv-1"));
    directory.import_json(&doc.text()).await.expect("import");
    assert_eq!(db.count_rows("directory_schedules", None).await, 2);

    let mut changed = doc.clone();
    let a = &mut changed.value["services"][0];
    a["schedules"] = serde_json::json!([{ "id": "a-hours-0", "byday": "MO,TU", "opens_at": "10:00", "closes_at": "13:00" }]);
    a["attributes"] = serde_json::json!([{ "id": "a-shelter", "taxonomy_term_id": "shelter" }]);
    a["service_at_locations"] = serde_json::json!([{ "id": "a-at", "location_id": "kyiv-2" }]);
    let report = directory
        .import_json(&changed.text())
        .await
        .expect("import");
    assert_eq!(
        (report.updated.services, report.unchanged.services),
        (1, 1),
        "{report}"
    );
    assert_eq!(db.count_rows("directory_schedules", None).await, 1);
    assert_eq!(
        db.count_rows("directory_attributes", None).await,
        2,
        "a-shelter and b's crisis_centre"
    );
    assert_eq!(
        db.count_rows("directory_service_at_locations", None).await,
        2
    );
    let index = directory.index();
    let listing = index
        .listing(&RecordId::parse("a").expect("id"))
        .expect("listing");
    assert_eq!(listing.service.schedules.len(), 1);
    assert_eq!(
        listing
            .locations()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>(),
        ["kyiv-2"]
    );
    assert!(listing.service.filters().is_empty());
    assert_eq!(index.find("DEMO A").len(), 1, "the admin's search box");
}
