//! Directory search stories, each run against SQLite and Postgres (`<story>::sqlite`,
//! `<story>::postgres`): the same data must give the same cards on both.

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone as _, Utc};
use helpline::directory::{
    Card, CityId, Directory, Filter, NEAREST_CITY_MAX_KM, Order, PublicLocation, Query, RecordId,
    SearchPage, ServiceType, Settings, Status,
};
use helpline::domain::{CountryCode, Locale};

use crate::support::content::shipped;
use crate::support::listings::{Doc, Listing, SECRET_LAT, SECRET_LON, SECRET_STREET};
use crate::support::{TestDb, noon};

/// Runs each named story as `story::sqlite` and `story::postgres`.
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
    every_type_finds_exactly_its_listings,
    every_filter_narrows_to_the_listings_that_meet_it,
    nearest_first_from_a_shared_location,
    confidential_shelters_never_reveal_an_address,
    stale_listings_are_flagged_or_hidden,
    russia_never_offers_or_applies_ost,
    open_now_at_a_fixed_time,
    pages_cover_every_result_once,
    best_match_puts_the_most_accepting_first,
    inactive_listings_are_never_found,
    names_follow_her_language,
    a_service_at_several_places_appears_once,
    another_instance_reloads_only_after_a_change,
);

/// The settings the bot runs with: OST rules from the shipped `flows/countries.toml`.
fn settings() -> Settings {
    Settings::for_countries(&shipped().countries)
}

fn city(id: &str) -> CityId {
    CityId::parse(id).expect("a city id")
}

fn ids(page: &SearchPage) -> Vec<&str> {
    page.cards.iter().map(|c| c.service_id.as_str()).collect()
}

fn sorted(mut ids: Vec<&str>) -> Vec<&str> {
    ids.sort_unstable();
    ids
}

async fn with(db: &TestDb, doc: Doc, settings: Settings) -> Arc<dyn Directory> {
    let directory = db.directory(settings).await;
    let report = directory
        .import_json(&doc.text())
        .await
        .unwrap_or_else(|e| panic!("the fixture imports: {e}"));
    assert!(!report.changed_nothing(), "the fixture was written");
    directory
}

fn all(query: Query) -> Query {
    query.page(0, 20)
}

async fn every_type_finds_exactly_its_listings(db: TestDb) {
    let mut doc = Doc::new().place("kyiv-1", "UA", "Kyiv", 50.45, 30.52);
    for t in ServiceType::ALL {
        doc = doc.listing(Listing::new(t.code(), "kyiv-1").types(&[t.code()]));
    }
    doc = doc.listing(Listing::new("everything", "kyiv-1").types(&[
        "shelter",
        "crisis_centre",
        "legal",
        "psychosocial",
        "medical",
        "harm_reduction",
        "ost",
        "hiv_care",
    ]));
    let directory = with(&db, doc, settings()).await;

    let everyone = directory
        .search(&all(Query::new(city("kyiv"), Locale::En)), noon())
        .expect("search");
    assert_eq!(everyone.total, ServiceType::ALL.len() + 1, "no type: all");
    for t in ServiceType::ALL {
        let page = directory
            .search(
                &all(Query::new(city("kyiv"), Locale::Uk).of_type(*t)),
                noon(),
            )
            .expect("search");
        assert_eq!(page.service_type, Some(*t), "applied in Ukraine");
        assert_eq!(
            sorted(ids(&page)),
            sorted(vec![t.code(), "everything"]),
            "type {t:?}"
        );
        assert!(page.cards.iter().all(|c| c.types.contains(t)));
    }
}

async fn every_filter_narrows_to_the_listings_that_meet_it(db: TestDb) {
    let mut doc = Doc::new().place("kyiv-1", "UA", "Kyiv", 50.45, 30.52);
    for f in Filter::ALL {
        doc = doc.listing(Listing::new(f.code(), "kyiv-1").filters(&[f.code()]));
    }
    let every: Vec<&'static str> = Filter::ALL.iter().map(|f| f.code()).collect();
    doc = doc
        .listing(Listing::new("accepts-all", "kyiv-1").filters(&every))
        .listing(Listing::new("accepts-none", "kyiv-1"));
    let directory = with(&db, doc, settings()).await;

    for f in Filter::ALL {
        let page = directory
            .search(&all(Query::new(city("kyiv"), Locale::Uk).with(*f)), noon())
            .expect("search");
        assert_eq!(
            sorted(ids(&page)),
            sorted(vec![f.code(), "accepts-all"]),
            "filter {f:?}"
        );
        assert!(page.filters.contains(*f), "applied");
        for card in &page.cards {
            assert!(card.filters.contains(f), "each card meets {f:?}");
        }
    }
    // Any set of filters: all must hold.
    let two = Query::new(city("kyiv"), Locale::Uk)
        .with(Filter::AcceptsActiveDrugUse)
        .with(Filter::NoIdRequired);
    let page = directory.search(&all(two), noon()).expect("search");
    assert_eq!(ids(&page), ["accepts-all"]);
    let none = directory
        .search(&all(Query::new(city("kyiv"), Locale::Uk)), noon())
        .expect("search");
    assert_eq!(none.total, Filter::ALL.len() + 2, "no filter: all");
}

async fn nearest_first_from_a_shared_location(db: TestDb) {
    let doc = Doc::new()
        .place("lviv-far", "UA", "Lviv", 49.90, 24.10) // ~9 km from Lviv's centre
        .place("lviv-near", "UA", "Lviv", 49.842, 24.031) // ~0.3 km
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52) // ~470 km
        .place("odesa-1", "UA", "Odesa", 46.48, 30.72) // ~530 km
        .confidential("lviv-hidden", "UA", "Lviv")
        .place("almaty-1", "KZ", "Almaty", 43.22, 76.85) // another country
        .listing(Listing::new("far", "lviv-far"))
        .listing(Listing::new("near", "lviv-near"))
        .listing(Listing::new("kyiv", "kyiv-1"))
        .listing(Listing::new("odesa", "odesa-1"))
        .listing(Listing::new("hidden", "lviv-hidden").types(&["shelter"]))
        .listing(Listing::new("almaty", "almaty-1"));
    let directory = with(&db, doc, settings()).await;

    // She shares a point in Lviv; only the city is kept.
    let index = directory.index();
    let her_city = index
        .cities()
        .nearest(49.8450, 24.0200, NEAREST_CITY_MAX_KM)
        .expect("a known city near her")
        .id
        .clone();
    assert_eq!(her_city, city("lviv"));
    let page = directory
        .search(
            &all(Query::new(her_city, Locale::Uk).ordered(Order::Nearest)),
            noon(),
        )
        .expect("search");
    assert_eq!(ids(&page), ["hidden", "near", "far", "kyiv", "odesa"]);
    let distances: Vec<u32> = page.cards.iter().map(|c| c.distance_km).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert_eq!(
        distances[0], 0,
        "a confidential shelter sits at its city's centre"
    );
    assert!(
        (460..=490).contains(&distances[3]),
        "Kyiv is ~470 km away: {distances:?}"
    );
    assert!(
        page.cards.iter().all(|c| c.service_id.as_str() != "almaty"),
        "her country only"
    );
}

async fn confidential_shelters_never_reveal_an_address(db: TestDb) {
    let directory = db.directory(settings()).await;

    // A careless file gives the shelter's street and coordinates: refused whole, nothing kept.
    let mut careless = Doc::new()
        .confidential("hidden", "UA", "Kyiv")
        .listing(Listing::new("shelter", "hidden").types(&["shelter"]));
    careless.value["locations"][0]["latitude"] = SECRET_LAT.into();
    careless.value["locations"][0]["longitude"] = SECRET_LON.into();
    careless.value["locations"][0]["addresses"] = serde_json::json!([{
        "id": "a", "address_1": SECRET_STREET, "city": "Kyiv", "state_province": "",
        "postal_code": "01001", "country": "UA", "address_type": "physical"
    }]);
    let before = db.dump().await;
    let refused = directory
        .import_json(&careless.text())
        .await
        .expect_err("a confidential address is refused");
    let text = refused.to_string();
    for at in [
        "locations[0].latitude: a confidential location must not have coordinates",
        "locations[0].longitude: a confidential location must not have coordinates",
        "locations[0].addresses: a confidential location must not have an address",
    ] {
        assert!(text.contains(at), "{at} in:\n{text}");
    }
    assert!(
        !text.contains(SECRET_STREET),
        "the error does not repeat the address"
    );
    assert_eq!(db.dump().await, before, "nothing was written");

    // The database itself refuses a confidential row with a street, whoever writes it.
    let raw = db
        .execute(
            "INSERT INTO directory_locations (id, country, city, confidential, street) \
             VALUES ('raw', 'UA', 'kyiv', TRUE, 'x')",
        )
        .await;
    assert!(raw.is_err(), "CHECK refuses a confidential address");

    // The shelter as it should be given: phone only.
    let doc = Doc::new()
        .confidential("hidden", "UA", "Kyiv")
        .place("open", "UA", "Kyiv", 50.46, 30.51)
        .listing(Listing::new("shelter", "hidden").types(&["shelter"]).hours(
            "MO,TU,WE,TH,FR,SA,SU",
            "00:00",
            "23:59",
        ))
        .listing(Listing::new("centre", "open"));
    directory.import_json(&doc.text()).await.expect("imported");

    let mut cards: Vec<Card> = Vec::new();
    for locale in Locale::ALL {
        for order in [Order::Nearest, Order::BestMatch] {
            let query = all(Query::new(city("kyiv"), locale).ordered(order));
            cards.extend(directory.search(&query, noon()).expect("search").cards);
            let shelters = all(Query::new(city("kyiv"), locale).of_type(ServiceType::Shelter));
            cards.extend(directory.search(&shelters, noon()).expect("search").cards);
        }
    }
    let shelter_cards: Vec<&Card> = cards
        .iter()
        .filter(|c| c.service_id.as_str() == "shelter")
        .collect();
    assert_eq!(
        shelter_cards.len(),
        Locale::ALL.len() * 4,
        "found in every search"
    );
    for card in shelter_cards {
        // Every field of the card, one by one.
        let PublicLocation::PhoneOnly { city: c, city_name } = &card.location else {
            panic!(
                "a confidential shelter shows no address: {:?}",
                card.location
            );
        };
        assert_eq!(c, &city("kyiv"));
        assert!(!city_name.is_empty());
        assert!(!card.phones.is_empty(), "reached by phone");
        assert_eq!(card.distance_km, 0, "measured from the city centre");
        for text in [&card.name, &card.organization, &card.description] {
            assert!(!text.contains(SECRET_STREET));
        }
        let all_fields = format!("{card:?}");
        for secret in [
            SECRET_STREET,
            "Hidden Lane",
            "50.47",
            "30.49",
            "Fictional Street",
        ] {
            assert!(!all_fields.contains(secret), "{secret} in {all_fields}");
        }
    }
    // The public one does show its street.
    assert!(cards.iter().any(|c| matches!(&c.location,
        PublicLocation::Address { street: Some(s), point: Some(_), .. } if s == "open Fictional Street")));

    // Exports: no address, no coordinates for the shelter, in JSON and CSV.
    let json: serde_json::Value =
        serde_json::from_str(&directory.export_json().await.expect("export")).expect("json");
    let hidden = json["locations"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["id"] == "hidden"))
        .expect("the shelter is exported");
    let keys: Vec<&String> = hidden.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        [
            "attributes",
            "city",
            "country",
            "id",
            "location_type",
            "organization_id"
        ]
    );
    assert_eq!(hidden["location_type"], "virtual");
    let csv = directory.export_csv().await.expect("export");
    assert!(!csv["addresses.csv"].contains("hidden"), "no address row");
    let row = csv["locations.csv"]
        .lines()
        .find(|l| l.starts_with("hidden,"))
        .expect("a row");
    assert_eq!(row, "hidden,org-demo,,virtual,,,UA,Kyiv", "no coordinates");
    let dump = db.dump().await.join("\n");
    assert!(!dump.contains(&SECRET_STREET.to_lowercase()));
}

async fn stale_listings_are_flagged_or_hidden(db: TestDb) {
    let now = noon();
    let day = |days| Some(now.date_naive() - TimeDelta::days(days));
    let doc = Doc::new()
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52)
        .listing(Listing::new("fresh", "kyiv-1").assured(day(179)))
        .listing(Listing::new("old", "kyiv-1").assured(day(200)))
        .listing(Listing::new("never", "kyiv-1").assured(None));
    let flagged = with(&db, doc, settings()).await;
    let page = flagged
        .search(&all(Query::new(city("kyiv"), Locale::En)), now)
        .expect("search");
    let card = |id: &str| -> Card {
        page.cards
            .iter()
            .find(|c| c.service_id.as_str() == id)
            .cloned()
            .expect("listed")
    };
    assert_eq!(
        (card("fresh").stale, card("fresh").days_since_verified),
        (false, Some(179))
    );
    assert_eq!(
        (card("old").stale, card("old").days_since_verified),
        (true, Some(200))
    );
    assert_eq!(
        (card("never").stale, card("never").days_since_verified),
        (true, None)
    );
    let index = flagged.index();
    let to_verify: Vec<&str> = index.stale(now).iter().map(|s| s.id.as_str()).collect();
    assert_eq!(to_verify, ["never", "old"], "never verified first");

    // A coordinator verifies one: fresh at once.
    let old = RecordId::parse("old").expect("id");
    flagged
        .mark_verified(&old, now.date_naive())
        .await
        .expect("verified");
    assert_eq!(
        flagged
            .index()
            .listing(&old)
            .and_then(|l| l.service.assured_date),
        Some(now.date_naive())
    );
    let unknown = RecordId::parse("nope").expect("id");
    assert!(
        flagged
            .mark_verified(&unknown, now.date_naive())
            .await
            .is_err()
    );

    // With hiding on, stale listings are not shown at all.
    let hiding = db
        .directory(Settings {
            hide_stale: true,
            ..settings()
        })
        .await;
    let page = hiding
        .search(&all(Query::new(city("kyiv"), Locale::En)), now)
        .expect("search");
    assert_eq!(sorted(ids(&page)), ["fresh", "old"]);
    let later = now + TimeDelta::days(200);
    let page = hiding
        .search(&all(Query::new(city("kyiv"), Locale::En)), later)
        .expect("search");
    assert!(page.cards.is_empty(), "everything goes stale in time");
}

async fn russia_never_offers_or_applies_ost(db: TestDb) {
    let doc = Doc::new()
        .place("moscow-1", "RU", "Moscow", 55.75, 37.62)
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52)
        .listing(
            Listing::new("ru-shelter", "moscow-1")
                .types(&["shelter"])
                .filters(&["accepts_ost", "free"]),
        )
        .listing(
            Listing::new("ru-shelter-plain", "moscow-1")
                .types(&["shelter"])
                .filters(&["free"]),
        )
        .listing(
            Listing::new("ru-ost-only", "moscow-1")
                .types(&["ost"])
                .filters(&["accepts_ost"]),
        )
        .listing(Listing::new("ru-clinic", "moscow-1").types(&["ost", "medical"]))
        .listing(
            Listing::new("ua-ost", "kyiv-1")
                .types(&["ost"])
                .filters(&["accepts_ost"]),
        )
        .listing(Listing::new("ua-shelter", "kyiv-1").types(&["shelter"]));
    let directory = with(&db, doc, settings()).await;
    let (ru, ua) = (
        CountryCode::parse("RU").expect("RU"),
        CountryCode::parse("UA").expect("UA"),
    );
    let index = directory.index();
    assert!(
        !index
            .settings()
            .types_offered(ru)
            .contains(&ServiceType::Ost)
    );
    assert!(
        !index
            .settings()
            .filters_offered(ru)
            .contains(&Filter::AcceptsOst)
    );
    assert!(
        index
            .settings()
            .types_offered(ua)
            .contains(&ServiceType::Ost)
    );
    assert!(
        index
            .settings()
            .filters_offered(ua)
            .contains(&Filter::AcceptsOst)
    );

    // Asked anyway (an old button, a crafted callback): not applied.
    let query = all(Query::new(city("moscow"), Locale::Ru)
        .with(Filter::AcceptsOst)
        .with(Filter::Free));
    let page = directory.search(&query, noon()).expect("search");
    assert!(!page.filters.contains(Filter::AcceptsOst), "not applied");
    assert_eq!(
        sorted(ids(&page)),
        ["ru-shelter", "ru-shelter-plain"],
        "only free applied"
    );
    let query = all(Query::new(city("moscow"), Locale::Ru).of_type(ServiceType::Ost));
    let page = directory.search(&query, noon()).expect("search");
    assert_eq!(page.service_type, None, "OST type not applied");
    // Never offered or shown: no OST-only listing, no OST type or filter on any card.
    let page = directory
        .search(&all(Query::new(city("moscow"), Locale::Ru)), noon())
        .expect("search");
    assert_eq!(
        sorted(ids(&page)),
        ["ru-clinic", "ru-shelter", "ru-shelter-plain"]
    );
    for card in &page.cards {
        assert!(!card.types.contains(&ServiceType::Ost), "{card:?}");
        assert!(!card.filters.contains(&Filter::AcceptsOst), "{card:?}");
    }
    // In Ukraine both work.
    let query = all(Query::new(city("kyiv"), Locale::Uk)
        .of_type(ServiceType::Ost)
        .with(Filter::AcceptsOst));
    let page = directory.search(&query, noon()).expect("search");
    assert_eq!(ids(&page), ["ua-ost"]);
    assert_eq!(page.cards[0].filters, [Filter::AcceptsOst]);
}

async fn open_now_at_a_fixed_time(db: TestDb) {
    let doc = Doc::new()
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52)
        .place("almaty-1", "KZ", "Almaty", 43.22, 76.85)
        .listing(Listing::new("kyiv-day", "kyiv-1").hours("MO,TU,WE,TH,FR", "09:00", "18:00"))
        .listing(Listing::new("kyiv-night", "kyiv-1").hours("FR", "22:00", "06:00"))
        .listing(Listing::new("kyiv-unknown", "kyiv-1"))
        .listing(Listing::new("almaty-day", "almaty-1").hours("MO,TU,WE,TH,FR", "09:00", "18:00"));
    let directory = with(&db, doc, settings()).await;
    let open = |page: &SearchPage, id: &str| {
        page.cards
            .iter()
            .find(|c| c.service_id.as_str() == id)
            .map(|c| c.open_now)
    };
    // Friday 1 May 2026, 14:00 UTC: 17:00 in Kyiv (summer time), 19:00 in Almaty.
    let friday = Utc
        .with_ymd_and_hms(2026, 5, 1, 14, 0, 0)
        .single()
        .expect("time");
    let kyiv = directory
        .search(&all(Query::new(city("kyiv"), Locale::Uk)), friday)
        .expect("search");
    assert_eq!(open(&kyiv, "kyiv-day"), Some(Some(true)));
    assert_eq!(open(&kyiv, "kyiv-night"), Some(Some(false)));
    assert_eq!(
        open(&kyiv, "kyiv-unknown"),
        Some(None),
        "no hours: nothing said"
    );
    let almaty = directory
        .search(&all(Query::new(city("almaty"), Locale::Kk)), friday)
        .expect("search");
    assert_eq!(
        open(&almaty, "almaty-day"),
        Some(Some(false)),
        "closed at 19:00 in Almaty"
    );
    // Saturday 02:00 in Kyiv: the night line is still open from Friday.
    let night = Utc
        .with_ymd_and_hms(2026, 5, 1, 23, 0, 0)
        .single()
        .expect("time");
    let kyiv = directory
        .search(&all(Query::new(city("kyiv"), Locale::Uk)), night)
        .expect("search");
    assert_eq!(open(&kyiv, "kyiv-night"), Some(Some(true)));
    assert_eq!(open(&kyiv, "kyiv-day"), Some(Some(false)));
    let card = kyiv
        .cards
        .iter()
        .find(|c| c.service_id.as_str() == "kyiv-day")
        .expect("card");
    assert_eq!(card.timezone, chrono_tz::Europe::Kyiv);
    assert_eq!(card.hours.len(), 1);
    assert_eq!(card.hours[0].days.len(), 5);
}

async fn pages_cover_every_result_once(db: TestDb) {
    let mut doc = Doc::new().place("kyiv-1", "UA", "Kyiv", 50.45, 30.52);
    for i in 0..12 {
        doc = doc
            .place(
                &format!("p{i:02}"),
                "UA",
                "Kyiv",
                50.45 + f64::from(i) * 0.01,
                30.52,
            )
            .listing(Listing::new(&format!("s{i:02}"), &format!("p{i:02}")));
    }
    let directory = with(&db, doc, settings()).await;
    let mut seen = Vec::new();
    for page in 0..4 {
        let query = Query::new(city("kyiv"), Locale::Uk).page(page, 5);
        let result = directory.search(&query, noon()).expect("search");
        assert_eq!((result.total, result.pages), (12, 3));
        assert_eq!(result.cards.len(), [5, 5, 2, 0][page]);
        seen.extend(
            result
                .cards
                .into_iter()
                .map(|c| c.service_id.as_str().to_owned()),
        );
    }
    let expected: Vec<String> = (0..12).map(|i| format!("s{i:02}")).collect();
    assert_eq!(seen, expected, "nearest first, each once, across pages");
    let too_many = Query::new(city("kyiv"), Locale::Uk).page(0, 1000);
    assert_eq!(
        directory
            .search(&too_many, noon())
            .expect("search")
            .cards
            .len(),
        12
    );
    assert!(
        directory
            .search(&Query::new(city("atlantis"), Locale::Uk), noon())
            .is_err()
    );
}

async fn best_match_puts_the_most_accepting_first(db: TestDb) {
    let doc = Doc::new()
        .place("kyiv-near", "UA", "Kyiv", 50.4502, 30.5235)
        .place("kyiv-far", "UA", "Kyiv", 50.52, 30.60)
        .place("lviv-1", "UA", "Lviv", 49.84, 24.03)
        .listing(Listing::new("one", "kyiv-near").filters(&["free"]))
        .listing(Listing::new("three", "kyiv-far").filters(&[
            "free",
            "accepts_active_drug_use",
            "no_id_required",
        ]))
        .listing(Listing::new("two", "kyiv-far").filters(&["free", "accepts_ost"]))
        .listing(Listing::new("lviv", "lviv-1").filters(&[
            "free",
            "accepts_active_drug_use",
            "no_id_required",
            "women_only",
        ]));
    let directory = with(&db, doc, settings()).await;
    let query = all(Query::new(city("kyiv"), Locale::Uk)
        .ordered(Order::BestMatch)
        .with(Filter::Free));
    let page = directory.search(&query, noon()).expect("search");
    assert_eq!(
        ids(&page),
        ["three", "two", "one"],
        "her city only, most accepting first"
    );
    let nearest = all(Query::new(city("kyiv"), Locale::Uk).with(Filter::Free));
    let page = directory.search(&nearest, noon()).expect("search");
    assert_eq!(page.cards[0].service_id.as_str(), "one", "nearest first");
    assert_eq!(page.cards[3].service_id.as_str(), "lviv");
}

async fn inactive_listings_are_never_found(db: TestDb) {
    let doc = Doc::new()
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52)
        .listing(Listing::new("shown", "kyiv-1"))
        .listing(Listing::new("hidden", "kyiv-1").status("inactive"));
    let directory = with(&db, doc, settings()).await;
    let search = |d: &Arc<dyn Directory>| {
        d.search(&all(Query::new(city("kyiv"), Locale::Uk)), noon())
            .expect("search")
    };
    assert_eq!(ids(&search(&directory)), ["shown"]);
    let shown = RecordId::parse("shown").expect("id");
    directory
        .set_status(&shown, Status::Inactive)
        .await
        .expect("status");
    assert!(search(&directory).cards.is_empty());
    assert!(
        directory.index().listing(&shown).is_some(),
        "kept for the admin"
    );
    directory
        .set_status(&shown, Status::Active)
        .await
        .expect("status");
    assert_eq!(ids(&search(&directory)), ["shown"]);
}

async fn names_follow_her_language(db: TestDb) {
    let doc = Doc::new()
        .place("almaty-1", "KZ", "Almaty", 43.22, 76.85)
        .listing(
            Listing::new("named", "almaty-1")
                .name("Demo Centre (fictional)")
                .translated("ru", "Демо-центр (вымышленный)"),
        );
    let directory = with(&db, doc, settings()).await;
    let name = |locale| {
        directory
            .search(&Query::new(city("almaty"), locale), noon())
            .expect("search")
            .cards[0]
            .name
            .clone()
    };
    assert_eq!(name(Locale::Ru), "Демо-центр (вымышленный)");
    assert_eq!(
        name(Locale::Kk),
        "Демо-центр (вымышленный)",
        "Kazakh falls back to Russian"
    );
    assert_eq!(name(Locale::En), "Demo Centre (fictional)");
    assert_eq!(
        name(Locale::Sq),
        "Demo Centre (fictional)",
        "then the HSDS name"
    );
    let page = directory
        .search(&Query::new(city("almaty"), Locale::Kk), noon())
        .expect("search");
    let PublicLocation::Address { city_name, .. } = &page.cards[0].location else {
        panic!("a public place");
    };
    assert_eq!(city_name, "Алматы");
}

async fn a_service_at_several_places_appears_once(db: TestDb) {
    let mut doc = Doc::new()
        .place("kyiv-a", "UA", "Kyiv", 50.50, 30.52)
        .place("kyiv-b", "UA", "Kyiv", 50.451, 30.524)
        .listing(Listing::new("two-places", "kyiv-a"))
        .listing(Listing::new("other", "kyiv-a"));
    doc.value["services"][0]["service_at_locations"]
        .as_array_mut()
        .expect("list")
        .push(serde_json::json!({ "id": "two-places-at-b", "location_id": "kyiv-b" }));
    let directory = with(&db, doc, settings()).await;
    let page = directory
        .search(&all(Query::new(city("kyiv"), Locale::Uk)), noon())
        .expect("search");
    assert_eq!(
        ids(&page),
        ["two-places", "other"],
        "once, at its nearer place"
    );
    assert_eq!(page.total, 2);
    assert_eq!(page.cards[0].distance_km, 0);
}

/// Two instances on one database: the one that did not make a change reloads after it, once,
/// and a check with nothing changed reads no listings.
async fn another_instance_reloads_only_after_a_change(db: TestDb) {
    let doc = Doc::new()
        .place("kyiv-1", "UA", "Kyiv", 50.45, 30.52)
        .listing(Listing::new("shown", "kyiv-1"))
        .listing(Listing::new("other", "kyiv-1"));
    let first = with(&db, doc.clone(), settings()).await;
    let second = db.directory(settings()).await;
    let search = |d: &Arc<dyn Directory>| {
        sorted(ids(&d
            .search(&all(Query::new(city("kyiv"), Locale::Uk)), noon())
            .expect("search")))
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    };
    assert!(
        !second.refresh_if_changed().await.expect("check"),
        "nothing changed since it opened"
    );
    assert_eq!(search(&second), ["other", "shown"]);

    let shown = RecordId::parse("shown").expect("id");
    first
        .set_status(&shown, Status::Inactive)
        .await
        .expect("status");
    assert_eq!(search(&second), ["other", "shown"], "not yet reloaded");
    assert!(
        second.refresh_if_changed().await.expect("check"),
        "a status change"
    );
    assert_eq!(search(&second), ["other"]);
    assert!(!second.refresh_if_changed().await.expect("check"), "once");

    let day = noon().date_naive();
    first.mark_verified(&shown, day).await.expect("verified");
    assert!(
        second.refresh_if_changed().await.expect("check"),
        "verified"
    );
    assert_eq!(
        second
            .index()
            .listing(&shown)
            .and_then(|l| l.service.assured_date),
        Some(day)
    );

    first
        .delete_service(&RecordId::parse("other").expect("id"))
        .await
        .expect("delete");
    assert!(
        second.refresh_if_changed().await.expect("check"),
        "a delete"
    );
    assert!(search(&second).is_empty());

    // An import that changes nothing raises nothing; one that changes something does.
    let same = first.import_json(&doc.text()).await.expect("import");
    assert!(!same.changed_nothing(), "the deleted listing comes back");
    assert!(
        second.refresh_if_changed().await.expect("check"),
        "an import"
    );
    let again = first.import_json(&doc.text()).await.expect("import");
    assert!(again.changed_nothing());
    assert!(
        !second.refresh_if_changed().await.expect("check"),
        "a no-op import"
    );
}
