//! The admin in a real browser (Debian's Chromium through chromedriver), against the whole bot:
//! a coordinator asks the bot for a link with /admin, opens it, signs in, changes a listing's
//! phone and marks it verified today; the directory the bot searches then shows the new phone.
//! Also: /admin from anyone but a coordinator is just an unknown command, and a staff invite
//! registers whoever opens it. Fails (never skips) when chromium or chromedriver is missing.

use helpline::directory::{CityId, Query, RecordId, Settings};
use helpline::domain::Locale;
use helpline::staff::{Role, Staff, StaffName};

use crate::support::admin::fixture;
use crate::support::app::TestApp;
use crate::support::webdriver::Chromium;

const NEW_PHONE: &str = "+44 7700 900555";

#[tokio::test]
async fn a_coordinator_signs_in_with_the_bots_link_edits_a_phone_and_verifies_it_in_chromium() {
    let app = TestApp::init()
        .with_directory(fixture().text())
        .spawn()
        .await;
    Staff::new(app.db.store.db())
        .add(
            7001,
            &StaffName::parse("Iris").expect("name"),
            Role::Coordinator,
            chrono::Utc::now(),
        )
        .await
        .expect("a coordinator");

    // She asks the bot; the link comes protected (no forwarding, no saving).
    let iris = app.woman(7001, "Iris", None, Some("en"));
    app.send(&iris, "/admin").await;
    let message = app.last_bot_message(&iris);
    assert!(
        message.protect_content,
        "the sign-in link is sent with protect_content"
    );
    let text = message.text.clone().unwrap_or_default();
    let start = text
        .find("http://")
        .unwrap_or_else(|| panic!("no link in {text:?}"));
    let link = text[start..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        link.starts_with(&format!("http://{}/admin/signin/", app.http)),
        "{link}"
    );

    let browser = Chromium::start().await;
    browser.goto(&link).await;
    browser.click("#sign-in").await;
    browser.wait_for("Demo svc-one (fictional)").await;
    assert!(browser.url().await.ends_with("/admin/"));

    browser
        .goto(&format!("http://{}/admin/services/svc-one", app.http))
        .await;
    browser
        .fill("#phones", &format!("{NEW_PHONE} | 24/7 line"))
        .await;
    browser.click("#save").await;
    browser.wait_for("Saved.").await;
    browser.click_button("Verified today").await;
    let page = browser.wait_for("Marked as verified today.").await;
    assert!(
        page.contains(&format!(
            "last verified {}",
            chrono::Utc::now().date_naive()
        )),
        "{page}"
    );
    browser.quit().await;

    // What the bot searches: the directory in the same database, read afresh.
    let directory = app.db.directory(Settings::default()).await;
    let kyiv = CityId::parse("kyiv").expect("city");
    let page = directory
        .search(&Query::new(kyiv, Locale::En), chrono::Utc::now())
        .expect("a search");
    let card = page
        .cards
        .iter()
        .find(|c| c.service_id == RecordId::parse("svc-one").expect("id"))
        .expect("the listing is found");
    let numbers: Vec<&str> = card.phones.iter().map(|p| p.number.as_str()).collect();
    assert_eq!(numbers, [NEW_PHONE]);
    assert_eq!(card.days_since_verified, Some(0));
    assert!(!card.stale);

    // And a woman asking the bot for services in Kyiv sees the new phone, verified today. (The
    // shadow core that checks every screen reads the database afresh too.)
    app.directory
        .refresh()
        .await
        .expect("the test's view reloads");
    let mut alla = app.phone(7_412_905_318, "Alla", None, Some("en"));
    alla.onboard("en", "ua").await;
    alla.send("/services").await;
    alla.press("svc:city:kyiv").await;
    alla.press("svc:t:any").await;
    alla.press("svc:go").await;
    let cards = alla.last().text.unwrap_or_default();
    let card = cards
        .split("▪ ")
        .find(|c| c.contains("Demo svc-one (fictional)"))
        .unwrap_or_else(|| panic!("her page shows the listing:\n{cards}"));
    assert!(card.contains(NEW_PHONE), "the new phone:\n{card}");
    assert!(
        !card.contains("+44 7700 900001"),
        "not the old one:\n{card}"
    );
    assert!(card.contains("today"), "verified today:\n{card}");
    app.stop().await;
}

#[tokio::test]
async fn admin_from_anyone_else_is_an_unknown_command_and_invites_register_staff() {
    let app = TestApp::init().spawn().await;
    let staff = Staff::new(app.db.store.db());
    staff
        .add(
            7003,
            &StaffName::parse("Olga").expect("name"),
            Role::Consultant,
            chrono::Utc::now(),
        )
        .await
        .expect("a consultant");

    // A woman and a consultant: /admin answers exactly like a made-up command.
    for (id, name) in [(9001, "Anna"), (7003, "Olga")] {
        let her = app.woman(id, name, None, Some("en"));
        app.send(&her, "/start").await;
        app.send(&her, "/frobnicate").await;
        let unknown = app.last_bot_message(&her);
        app.send(&her, "/admin").await;
        let answer = app.last_bot_message(&her);
        assert_ne!(answer.message_id, unknown.message_id, "she got an answer");
        assert_eq!(answer.text, unknown.text, "/admin gives nothing away");
        assert_eq!(answer.buttons, unknown.buttons);
        assert!(!answer.text.unwrap_or_default().contains("/admin/signin"));
    }

    // An invite minted in the admin registers whoever opens it, once.
    let admin = helpline::admin::Admin::new(
        app.db.store.db(),
        app.db.directory(Settings::default()).await,
        url::Url::parse("http://127.0.0.1:1").expect("url"),
    );
    let token = admin
        .auth()
        .mint_invite(
            &StaffName::parse("Vera").expect("name"),
            Role::Coordinator,
            chrono::Utc::now(),
        )
        .await
        .expect("an invite");
    let vera = app.woman(8008, "Vera", None, Some("uk"));
    app.send(&vera, &format!("/start staff-{token}")).await;
    let welcome = app.last_bot_message(&vera);
    let text = welcome.text.unwrap_or_default();
    assert!(text.contains("Vera") && text.contains("/admin"), "{text}");
    let member = staff
        .by_telegram_id(8008)
        .await
        .expect("read")
        .expect("registered");
    assert_eq!(
        (member.name.as_str(), member.role),
        ("Vera", Role::Coordinator)
    );
    // Now a coordinator, /admin brings her a link.
    app.send(&vera, "/admin").await;
    let link = app.last_bot_message(&vera);
    assert!(link.protect_content);
    assert!(link.text.unwrap_or_default().contains("/admin/signin/"));

    // A coordinator can invite from the bot too: /invite NAME [coordinator].
    app.send(&vera, "/invite").await;
    let usage = app.last_bot_message(&vera).text.unwrap_or_default();
    assert!(usage.contains("/invite Sun"), "how to write it: {usage}");
    app.send(&vera, "/invite Sun").await;
    let invite = app.last_bot_message(&vera);
    assert!(invite.protect_content, "an invite is not forwardable");
    let invite = invite.text.unwrap_or_default();
    let from = invite
        .find("?start=staff-")
        .unwrap_or_else(|| panic!("a deep link: {invite}"))
        + "?start=".len();
    let payload: String = invite[from..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let sun = app.woman(8010, "Sonia", None, Some("en"));
    app.send(&sun, &format!("/start {payload}")).await;
    let member = staff
        .by_telegram_id(8010)
        .await
        .expect("read")
        .expect("registered by the bot's invite");
    assert_eq!(
        (member.name.as_str(), member.role),
        ("Sun", Role::Consultant)
    );
    // A consultant's /invite is an unknown command, like anyone's.
    let olga = app.woman(7003, "Olga", None, Some("en"));
    app.send(&olga, "/frobnicate").await;
    let unknown = app.last_bot_message(&olga).text;
    app.send(&olga, "/invite Eve coordinator").await;
    assert_eq!(app.last_bot_message(&olga).text, unknown);
    assert_eq!(
        staff.list().await.expect("list").len(),
        3,
        "Olga, Vera, Sun"
    );

    // Used once: someone else opening it is just a /start.
    let other = app.woman(8009, "Other", None, Some("en"));
    app.send(&other, &format!("/start staff-{token}")).await;
    assert!(staff.by_telegram_id(8009).await.expect("read").is_none());
    assert!(
        !app.logs().contains(&token),
        "the invite token is not logged"
    );
    app.stop().await;
}
