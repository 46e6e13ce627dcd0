//! /services in the bot, through the fake Bot API on SQLite and Postgres: city, type, filter and
//! cards; a shared location reduced to the nearest city and kept nowhere; confidential shelters
//! without an address; Russia's OST rule and legal note; stale listings flagged or hidden; a kind
//! answer when nothing is found; hostile listing text shown literally. Every screen is also
//! checked against the conversation core (the `Phone` oracle), so bot and simulator agree.

use chrono::{TimeDelta, Utc};
use helpline::domain::{CountryCode, Locale};
use helpline::i18n::Args;

use crate::support::Backend;
use crate::support::app::{Phone, TestApp};
use crate::support::content::shipped;
use crate::support::fake_telegram::ChatMessage;
use crate::support::listings::{Doc, Listing};

crate::support::stories!(
    city_type_filter_then_paged_cards,
    shared_location_finds_the_nearest_city_and_is_kept_nowhere,
    confidential_shelter_shows_a_phone_and_no_address,
    russia_offers_no_ost_and_shows_the_legal_note,
    stale_listings_are_flagged,
    stale_listings_are_hidden_when_configured,
    nothing_found_offers_hotlines_and_a_person,
    hostile_listing_text_arrives_literally,
);

const ALLA: i64 = 7_412_905_318;

/// Verified `days` ago by the real clock (the bot reads the real time).
fn verified(days: i64) -> Option<chrono::NaiveDate> {
    Some(Utc::now().date_naive() - TimeDelta::days(days))
}

fn text(m: &ChatMessage) -> &str {
    m.text.as_deref().unwrap_or_default()
}

fn t(locale: Locale, id: &str) -> String {
    shipped().localizer.text(locale, id, &Args::new())
}

/// Onboarded in `language` and `country`, then /services: her country's cities.
async fn to_services<'a>(app: &'a TestApp, language: &str, country: &str) -> Phone<'a> {
    let mut phone = app.phone(ALLA, "Alla", None, Some(language));
    phone.onboard(language, country).await;
    phone.send("/services").await;
    phone
}

/// Every message carries the quick exit, and the last one a way back.
fn has_ways_out(m: &ChatMessage) {
    let data = m.button_data();
    assert!(data.contains(&"!exit"), "quick exit on {:?}", text(m));
    assert!(
        data.contains(&"!menu") || data.iter().any(|d| d.starts_with("svc:")),
        "a way back on {:?}",
        text(m)
    );
}

async fn city_type_filter_then_paged_cards(backend: Backend) {
    let app = TestApp::init()
        .with_backend(backend)
        .with_demo_directory()
        .spawn()
        .await;
    let mut phone = to_services(&app, "en", "ua").await;
    let cities = phone.last();
    has_ways_out(&cities);
    assert!(cities.button_data().contains(&"svc:city:kyiv"));
    assert!(cities.button_data().contains(&"svc:loc"));

    phone.press("svc:city:kyiv").await;
    let types = phone.last();
    has_ways_out(&types);
    assert!(
        types.button_data().contains(&"svc:t:ost"),
        "OST is legal in UA"
    );
    phone.press("svc:t:any").await;
    phone.press("svc:f:free").await;
    assert!(
        phone
            .last()
            .button_labels()
            .iter()
            .any(|l| l.starts_with('✓')),
        "the chosen filter is ticked"
    );
    phone.press("svc:go").await;
    let page = phone.last();
    has_ways_out(&page);
    assert!(page.protect_content, "phone lists are protected");
    let body = text(&page);
    let cards = body.matches("\n▪ ").count() + usize::from(body.starts_with("▪ "));
    assert!((1..=3).contains(&cards), "a short page of cards:\n{body}");
    assert!(body.contains("☎ "), "a phone on every card:\n{body}");
    assert!(
        body.contains("Checked by our team"),
        "verified N days ago:\n{body}"
    );
    assert!(body.contains(&t(Locale::En, "services-filter-free")));
    // More than one page of free services in and around Kyiv: "more" leads on, and back.
    assert!(page.button_data().contains(&"svc:p:1"), "{body}");
    phone.press("svc:p:1").await;
    assert!(phone.last().button_data().contains(&"svc:p:0"));
    assert_ne!(text(&phone.last()), body);
    // Back to the menu from results.
    phone.press("!menu").await;
    app.stop().await;
}

async fn shared_location_finds_the_nearest_city_and_is_kept_nowhere(backend: Backend) {
    const LAT: f64 = 49.841_377;
    const LON: f64 = 24.031_966;
    let app = TestApp::init()
        .with_backend(backend)
        .with_demo_directory()
        .spawn()
        .await;
    // Her country is Serbia; the location is in Lviv: the search follows the location.
    let mut phone = to_services(&app, "uk", "rs").await;
    phone.press("svc:loc").await;
    let ask = phone.last();
    assert_eq!(
        ask.location_buttons,
        vec![t(Locale::Uk, "services-btn-send-location")],
        "a keyboard button that shares her location"
    );
    assert!(ask.button_data().is_empty());

    let reply = phone.share_location(LAT, LON).await;
    assert_eq!(reply.messages.len(), 2);
    let chat = app.bot_messages(&phone.her);
    let thanks = &chat[chat.len() - 2];
    assert!(thanks.removes_keyboard, "the keyboard goes away at once");
    assert!(text(thanks).contains("Львів"), "{}", text(thanks));
    phone.press("svc:t:any").await;
    phone.press("svc:go").await;
    assert!(text(&phone.last()).contains("Львів"));

    // Back with "Back" on a second try: the keyboard is removed too.
    phone.press("svc:where").await;
    phone.press("svc:loc").await;
    let back = t(Locale::Uk, "services-btn-back");
    let reply = phone.send(&back).await;
    assert_eq!(
        reply.messages[0].keyboard,
        Some(helpline::conversation::ReplyKeyboard::Remove)
    );

    // Nowhere at rest, nowhere in the logs, not even in her (sealed) session.
    let who = app.db.keys.pseudonym(ALLA);
    let session = app
        .db
        .store
        .load_session(&who)
        .await
        .expect("her session")
        .expect("she has one");
    let session = String::from_utf8_lossy(&session).into_owned();
    assert!(
        session.contains("lviv"),
        "the city is what is kept: {session}"
    );
    let dump = app.db.dump().await.join("\n");
    let logs = app.logs();
    for needle in ["49.84", "24.03", "49,84", "24,03"] {
        assert!(!session.contains(needle), "{needle} in her session");
        assert!(!dump.contains(needle), "{needle} in the database");
        assert!(!logs.contains(needle), "{needle} in the logs");
    }
    for bytes in [LAT.to_le_bytes(), LAT.to_be_bytes(), LON.to_le_bytes()] {
        assert!(!dump.contains(&hex::encode(bytes)), "coordinates as bytes");
    }
    app.stop().await;
}

async fn confidential_shelter_shows_a_phone_and_no_address(backend: Backend) {
    let doc = Doc::new()
        .confidential("hidden", "UA", "Kyiv")
        .place("open", "UA", "Kyiv", 50.45, 30.52)
        .listing(
            Listing::new("shelter", "hidden")
                .types(&["shelter"])
                .assured(verified(3)),
        )
        .listing(
            Listing::new("centre", "open")
                .types(&["crisis_centre"])
                .assured(verified(3)),
        );
    let app = TestApp::init()
        .with_backend(backend)
        .with_directory(doc.text())
        .spawn()
        .await;
    let mut phone = to_services(&app, "en", "ua").await;
    phone.press("svc:city:kyiv").await;
    phone.press("svc:t:shelter").await;
    phone.press("svc:go").await;
    let body = text(&phone.last()).to_owned();
    assert!(body.contains("Demo shelter (fictional)"), "{body}");
    assert!(body.contains("☎ +44 7700 900001"), "{body}");
    assert!(
        body.contains(&t(Locale::En, "services-phone-only")),
        "{body}"
    );
    assert!(!body.contains("Street"), "no address:\n{body}");
    assert!(body.contains("Checked by our team 3 days ago"), "{body}");
    // The public one has its street.
    phone.press("svc:filters").await;
    phone.press("svc:type").await;
    phone.press("svc:t:crisis_centre").await;
    phone.press("svc:go").await;
    assert!(text(&phone.last()).contains("open Fictional Street"));
    app.stop().await;
}

async fn russia_offers_no_ost_and_shows_the_legal_note(backend: Backend) {
    let doc = Doc::new()
        .place("msk", "RU", "Moscow", 55.75, 37.61)
        .listing(
            Listing::new("hr", "msk")
                .types(&["harm_reduction", "ost"])
                .filters(&["accepts_ost", "free"])
                .assured(verified(5)),
        );
    let app = TestApp::init()
        .with_backend(backend)
        .with_directory(doc.text())
        .spawn()
        .await;
    let mut phone = to_services(&app, "ru", "ru").await;
    phone.press("svc:city:moscow").await;
    let types = phone.last();
    assert!(!types.button_data().contains(&"svc:t:ost"), "no OST type");
    let note = t(Locale::Ru, "note-ru-harm-reduction");
    assert!(
        text(&types).contains(&note),
        "the legal note:\n{}",
        text(&types)
    );
    phone.press("svc:t:harm_reduction").await;
    assert!(
        !phone.last().button_data().contains(&"svc:f:accepts_ost"),
        "no OST filter"
    );
    phone.press("svc:go").await;
    let results = text(&phone.last()).to_owned();
    assert!(results.contains(&note), "{results}");
    assert!(
        !results.contains(&t(Locale::Ru, "services-filter-accepts_ost")),
        "OST is not shown on the card:\n{results}"
    );
    // A forged OST button gets a kind note, not OST.
    // (Telegram would not deliver a press of a button that is not there: forged by hand.)
    let forged = serde_json::json!({ "callback_query": {
        "id": "4242",
        "from": { "id": ALLA, "is_bot": false, "first_name": "Alla", "language_code": "ru" },
        "chat_instance": "-42",
        "message": phone.last().to_json(),
        "data": "svc:t:ost",
    }});
    app.telegram.send_raw_update(forged);
    app.settle().await;
    let last = phone.last();
    assert!(text(&last).starts_with(&t(Locale::Ru, "note-stale")));
    has_ways_out(&last);
    app.stop().await;
}

fn stale_doc() -> Doc {
    Doc::new()
        .place("k1", "UA", "Kyiv", 50.45, 30.52)
        .listing(Listing::new("old", "k1").assured(verified(200)))
}

async fn stale_listings_are_flagged(backend: Backend) {
    let app = TestApp::init()
        .with_backend(backend)
        .with_directory(stale_doc().text())
        .spawn()
        .await;
    let mut phone = to_services(&app, "en", "ua").await;
    phone.press("svc:city:kyiv").await;
    phone.press("svc:t:any").await;
    phone.press("svc:go").await;
    let body = text(&phone.last()).to_owned();
    assert!(body.contains("Demo old (fictional)"));
    assert!(body.contains(&t(Locale::En, "services-stale")), "{body}");
    assert!(body.contains("200 days ago"), "{body}");
    app.stop().await;
}

async fn stale_listings_are_hidden_when_configured(backend: Backend) {
    let app = TestApp::init()
        .with_backend(backend)
        .with_directory(stale_doc().text())
        .with_stale_hidden()
        .spawn()
        .await;
    let mut phone = to_services(&app, "en", "ua").await;
    phone.press("svc:city:kyiv").await;
    phone.press("svc:t:any").await;
    phone.press("svc:go").await;
    let body = text(&phone.last()).to_owned();
    assert!(!body.contains("Demo old"), "{body}");
    assert!(
        body.starts_with(&shipped().localizer.text(
            Locale::En,
            "services-none",
            &Args::new().text("city", "Kyiv")
        )),
        "{body}"
    );
    app.stop().await;
}

async fn nothing_found_offers_hotlines_and_a_person(backend: Backend) {
    // An empty directory, as after a fresh install without the demo.
    let app = TestApp::init().with_backend(backend).spawn().await;
    let mut phone = to_services(&app, "sr", "rs").await;
    let city = phone
        .last()
        .button_data()
        .into_iter()
        .find(|d| d.starts_with("svc:city:"))
        .expect("a Serbian city")
        .to_owned();
    phone.press(&city).await;
    phone.press("svc:t:shelter").await;
    phone.press("svc:go").await;
    let last = phone.last();
    let body = text(&last);
    let country = shipped()
        .country(CountryCode::parse("RS").expect("RS"))
        .expect("Serbia");
    for line in country.hotlines().chain(country.emergency()) {
        assert!(body.contains(line.number.as_str()), "{body}");
    }
    assert!(last.button_data().contains(&"!talk"), "a person to talk to");
    has_ways_out(&last);
    app.stop().await;
}

async fn hostile_listing_text_arrives_literally(backend: Backend) {
    const HOSTILE: &str =
        "<b>Bold</b> <script>alert(1)</script> *star* _under_ [link](http://x) &amp; `code`";
    let doc = Doc::new().place("k1", "UA", "Kyiv", 50.45, 30.52).listing(
        Listing::new("evil", "k1")
            .name(HOSTILE)
            .assured(verified(1)),
    );
    let app = TestApp::init()
        .with_backend(backend)
        .with_directory(doc.text())
        .spawn()
        .await;
    let mut phone = to_services(&app, "en", "ua").await;
    phone.press("svc:city:kyiv").await;
    phone.press("svc:t:any").await;
    phone.press("svc:go").await;
    let last = phone.last();
    assert!(text(&last).contains(HOSTILE), "{}", text(&last));
    assert!(text(&last).contains("1 day ago"), "{}", text(&last));
    assert_eq!(last.parse_mode, None, "plain text: nothing is interpreted");
    has_ways_out(&last);
    app.stop().await;
}
