//! The coordinators' web admin over HTTP, on SQLite and Postgres: no page or action without a
//! session; links work once and expire; sessions expire when idle and at most after 12 hours;
//! forged or missing CSRF tokens are refused; consultants cannot sign in; hostile listing text
//! is shown escaped; edits, "verified today", deletes, imports, staff and invites work and are
//! audited. Time is the admin's hand-moved clock, never a sleep.

use chrono::TimeDelta;
use helpline::admin::{AdminError, StaffCommand, StaffReply};
use helpline::directory::RecordId;
use helpline::directory::model::ServiceType;
use helpline::domain::{CountryCode, Form};
use helpline::staff::Role;
use helpline::stats::suppress::{Figure, Published, Table};
use helpline::stats::{Consent, Counters, Dimension, Place};

use crate::support::admin::{Site, csrf_in, fixture, session_cookie};
use crate::support::listings::Listing;
use crate::support::{Backend, noon};

fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("a valid id")
}

/// Every page and every action, as a stranger (or a stale cookie) would try them.
const PAGES: &[&str] = &[
    "/admin",
    "/admin/",
    "/admin/?q=demo",
    "/admin/stale",
    "/admin/services/new",
    "/admin/services/svc-one",
    "/admin/import",
    "/admin/export/services.json",
    "/admin/export/csv/services.csv",
    "/admin/staff",
    "/admin/teams",
    "/admin/audit",
    "/admin/stats",
    "/admin/stats.csv",
];
const ACTIONS: &[&str] = &[
    "/admin/signout",
    "/admin/services/new",
    "/admin/services/svc-one",
    "/admin/services/svc-one/verify",
    "/admin/services/svc-one/delete",
    "/admin/import",
    "/admin/staff/add",
    "/admin/staff/invite",
    "/admin/staff/1/role",
    "/admin/staff/1/remove",
    "/admin/staff/1/team",
    "/admin/teams",
    "/admin/teams/1",
    "/admin/teams/1/delete",
];

async fn nothing_without_a_session(backend: Backend) {
    let site = Site::open(backend).await;
    let iris = site.coordinator("Iris", 7001).await;
    let before = site.directory.load().await.expect("load");
    let mut forged = site.stranger();
    for cookie in [None, Some("helpline_admin=0123abcd".to_owned())] {
        forged.cookie = cookie;
        for path in PAGES {
            let (status, body) = forged.get(path).await;
            assert_eq!(status, 401, "GET {path} without a session: {body}");
            assert!(
                !body.contains("svc-one") && !body.contains("Demo"),
                "{path} leaks: {body}"
            );
        }
        for path in ACTIONS {
            let (status, _) = forged
                .post(
                    path,
                    &[
                        ("name", "Mallory"),
                        ("telegram_id", "66"),
                        ("role", "coordinator"),
                    ],
                )
                .await;
            assert_eq!(status, 401, "POST {path} without a session");
        }
    }
    assert_eq!(
        site.directory.load().await.expect("load"),
        before,
        "nothing changed"
    );
    assert_eq!(
        site.staff.list().await.expect("list").len(),
        1,
        "nobody was added"
    );
    // The only thing open: the stylesheet, the sign-in help and the sign-in button page.
    assert_eq!(forged.get("/admin/style.css").await.0, 200);
    assert_eq!(forged.get("/admin/signin").await.0, 200);
    // With a session, the same pages open.
    let browser = site.sign_in(iris.id).await;
    for path in PAGES {
        let (status, body) = browser.get(path).await;
        assert_eq!(status, 200, "GET {path} signed in: {body}");
    }
}

#[tokio::test]
async fn no_page_or_action_without_a_session_sqlite() {
    nothing_without_a_session(Backend::Sqlite).await;
}

#[tokio::test]
async fn no_page_or_action_without_a_session_postgres() {
    nothing_without_a_session(Backend::Postgres).await;
}

async fn links_once_and_expiring(backend: Backend) {
    let site = Site::open(backend).await;
    let iris = site.coordinator("Iris", 7001).await;
    let stranger = site.stranger();

    // Opening the link (as Telegram's preview does) spends nothing: it shows a button.
    let token = site.link(iris.id).await;
    for _ in 0..2 {
        let (status, page) = stranger.get(&format!("/admin/signin/{token}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("id=\"sign-in\""), "{page}");
    }
    let first = stranger
        .post_raw("/admin/signin", &[("token", &token)])
        .await;
    assert_eq!(first.status().as_u16(), 303);
    let cookie = session_cookie(&first).expect("a session cookie");
    let flags = first
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        flags.contains("HttpOnly") && flags.contains("SameSite=Strict"),
        "{flags}"
    );
    assert!(
        !flags.contains("Secure"),
        "plain http: no Secure flag ({flags})"
    );

    // Used: refused, and no second session.
    let again = stranger
        .post_raw("/admin/signin", &[("token", &token)])
        .await;
    assert_eq!(again.status().as_u16(), 403);
    assert!(session_cookie(&again).is_none());

    // Expired: 15 minutes and a second later, refused.
    let late = site.link(iris.id).await;
    site.advance(TimeDelta::minutes(15) + TimeDelta::seconds(1));
    let refused = stranger
        .post_raw("/admin/signin", &[("token", &late)])
        .await;
    assert_eq!(refused.status().as_u16(), 403);
    // A link used just in time works.
    let timely = site.link(iris.id).await;
    site.advance(TimeDelta::minutes(14));
    assert_eq!(
        stranger
            .post_raw("/admin/signin", &[("token", &timely)])
            .await
            .status()
            .as_u16(),
        303
    );
    // Made-up tokens are refused.
    for bogus in ["", "abc", &"0".repeat(64)] {
        let r = stranger
            .post_raw("/admin/signin", &[("token", bogus)])
            .await;
        assert_eq!(r.status().as_u16(), 403, "token {bogus:?}");
    }

    // The first session has been idle for 29 minutes 1 second: still open…
    let mut browser = site.stranger();
    browser.cookie = Some(cookie);
    assert_eq!(browser.get("/admin/").await.0, 200);
    // …and idle for more than 30 minutes, it is over.
    site.advance(TimeDelta::minutes(31));
    assert_eq!(browser.get("/admin/").await.0, 401);

    // However busy, a session ends 12 hours after sign-in.
    let signed_in_at = site.now();
    let busy = site.sign_in(iris.id).await;
    for _ in 0..40 {
        site.advance(TimeDelta::minutes(20));
        if busy.get("/admin/").await.0 != 200 {
            break;
        }
    }
    let lasted = site.now() - signed_in_at;
    assert!(
        lasted > TimeDelta::hours(12) && lasted <= TimeDelta::minutes(12 * 60 + 20),
        "the session ended after {lasted}, not at 12 hours"
    );
    assert_eq!(
        busy.get("/admin/").await.0,
        401,
        "a session lasts at most 12 hours"
    );

    // Signing out ends the session at once.
    let short = site.sign_in(iris.id).await;
    let (status, _) = short.post("/admin/signout", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(short.get("/admin/").await.0, 401);

    // Links and sessions are stored hashed: the tokens are not in the database.
    let dump = site.db.dump().await.join("\n");
    for secret in [&token, &late, &timely] {
        assert!(
            !dump.contains(secret.as_str()),
            "a token is stored in the clear"
        );
    }
    let cookie_token = busy
        .cookie
        .as_deref()
        .unwrap_or_default()
        .trim_start_matches("helpline_admin=");
    assert!(
        !dump.contains(cookie_token),
        "a session token is stored in the clear"
    );
}

#[tokio::test]
async fn a_used_or_expired_link_is_refused_and_sessions_expire_sqlite() {
    links_once_and_expiring(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_used_or_expired_link_is_refused_and_sessions_expire_postgres() {
    links_once_and_expiring(Backend::Postgres).await;
}

async fn forged_csrf(backend: Backend) {
    let site = Site::open(backend).await;
    let iris = site.coordinator("Iris", 7001).await;
    let mira = site.coordinator("Mira", 7002).await;
    let browser = site.sign_in(iris.id).await;
    let other = site.sign_in(mira.id).await;
    let old = site
        .directory
        .index()
        .listing(&id("svc-old"))
        .map(|l| l.service.assured_date);

    let mut forged = Vec::new();
    forged.push(String::new());
    forged.push("0".repeat(browser.csrf.len()));
    forged.push(other.csrf.clone());
    let mut flipped = browser.csrf.clone();
    let last = if flipped.ends_with('0') { '1' } else { '0' };
    flipped.pop();
    flipped.push(last);
    forged.push(flipped);
    for token in &forged {
        let r = browser
            .post_raw("/admin/services/svc-old/verify", &[("csrf", token)])
            .await;
        assert_eq!(
            r.status().as_u16(),
            403,
            "CSRF token {token:?} was accepted"
        );
        let r = browser
            .post_raw(
                "/admin/staff/add",
                &[
                    ("csrf", token),
                    ("telegram_id", "66"),
                    ("name", "Mallory"),
                    ("role", "coordinator"),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), 403);
        let (status, _) = browser
            .upload(token, &[("x.json", &fixture().text())])
            .await;
        assert_eq!(
            status, 403,
            "an upload with CSRF token {token:?} was accepted"
        );
    }
    // No CSRF field at all.
    let r = browser
        .post_raw("/admin/services/svc-old/verify", &[])
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(
        site.directory
            .index()
            .listing(&id("svc-old"))
            .map(|l| l.service.assured_date),
        old,
        "nothing was verified"
    );
    assert_eq!(
        site.staff.list().await.expect("list").len(),
        2,
        "nobody was added"
    );

    // Her own token works.
    let (status, _) = browser.post("/admin/services/svc-old/verify", &[]).await;
    assert_eq!(status, 303);
    assert_eq!(
        site.directory
            .index()
            .listing(&id("svc-old"))
            .and_then(|l| l.service.assured_date),
        Some(noon().date_naive())
    );
}

#[tokio::test]
async fn a_forged_or_missing_csrf_token_is_refused_sqlite() {
    forged_csrf(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_forged_or_missing_csrf_token_is_refused_postgres() {
    forged_csrf(Backend::Postgres).await;
}

async fn consultants_stay_out(backend: Backend) {
    let site = Site::open(backend).await;
    let olga = site.member("Olga", 7003, Role::Consultant).await;
    // No link can be minted for a consultant, by the admin or the command line.
    assert!(matches!(
        site.admin.auth().mint_link(olga.id, site.now()).await,
        Err(AdminError::NotCoordinator)
    ));
    assert!(matches!(
        site.admin.link_for_name("Olga").await,
        Err(AdminError::NotCoordinator)
    ));
    assert!(matches!(
        site.admin.link_for_name("Nobody").await,
        Err(AdminError::UnknownName(_))
    ));
    // `/admin` in the bot: nothing for her, so the core answers it as an unknown command.
    assert_eq!(
        site.admin
            .staff_command(7003, &StaffCommand::SignIn)
            .await
            .expect("answered"),
        None
    );
    assert_eq!(
        site.admin
            .staff_command(999, &StaffCommand::SignIn)
            .await
            .expect("answered"),
        None
    );

    // A coordinator's link, redeemed after she was made a consultant: refused.
    let iris = site.coordinator("Iris", 7001).await;
    let token = site.link(iris.id).await;
    let session = site.sign_in(iris.id).await;
    site.staff
        .set_role(iris.id, Role::Consultant)
        .await
        .expect("demoted");
    let r = site
        .stranger()
        .post_raw("/admin/signin", &[("token", &token)])
        .await;
    assert_eq!(r.status().as_u16(), 403);
    // And her open session ends at her next click.
    assert_eq!(session.get("/admin/").await.0, 401);

    // A coordinator gets a link from the bot and from the command line.
    let mira = site.coordinator("Mira", 7002).await;
    let Some(StaffReply::SignInLink(url)) = site
        .admin
        .staff_command(7002, &StaffCommand::SignIn)
        .await
        .expect("answered")
    else {
        panic!("a coordinator gets a link");
    };
    assert!(url.starts_with("http://127.0.0.1:1/admin/signin/"), "{url}");
    let cli = site.admin.link_for_name("Mira").await.expect("a link");
    assert_ne!(cli, url);
    let token = url.rsplit('/').next().unwrap_or_default();
    let r = site
        .stranger()
        .post_raw("/admin/signin", &[("token", token)])
        .await;
    assert_eq!(r.status().as_u16(), 303);
    let _ = mira;
}

#[tokio::test]
async fn a_consultant_cannot_sign_in_sqlite() {
    consultants_stay_out(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_consultant_cannot_sign_in_postgres() {
    consultants_stay_out(Backend::Postgres).await;
}

const HOSTILE: &str = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>";

async fn hostile_text(backend: Backend) {
    let doc = fixture().listing(Listing::new("svc-evil", "loc-kyiv").name(HOSTILE));
    let site = Site::open_with(backend, "http://127.0.0.1:1", doc).await;
    let iris = site.coordinator("Iris", 7001).await;
    let evil = site
        .member(
            HOSTILE.chars().take(32).collect::<String>().trim(),
            7009,
            Role::Consultant,
        )
        .await;
    let browser = site.sign_in(iris.id).await;
    // Audit entries with hostile text too.
    let (status, _) = browser.post("/admin/services/svc-evil/verify", &[]).await;
    assert_eq!(status, 303);
    for path in [
        "/admin/",
        "/admin/?q=script",
        "/admin/services/svc-evil",
        "/admin/staff",
        "/admin/audit",
    ] {
        let (status, page) = browser.get(path).await;
        assert_eq!(status, 200);
        assert!(!page.contains("<script"), "{path} shows a raw script tag");
        assert!(!page.contains("<img"), "{path} shows a raw img tag");
        assert!(
            !page.contains("onerror=alert(1)>"),
            "{path} shows a raw attribute"
        );
    }
    let (_, list) = browser.get("/admin/").await;
    assert!(
        list.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "{list}"
    );
    // The search box echoes what was typed, escaped.
    let (_, search) = browser.get("/admin/?q=%22%3E%3Cscript%3E").await;
    assert!(
        search.contains("value=\"&quot;&gt;&lt;script&gt;\""),
        "{search}"
    );
    let _ = evil;
}

#[tokio::test]
async fn hostile_listing_text_is_shown_escaped_sqlite() {
    hostile_text(Backend::Sqlite).await;
}

#[tokio::test]
async fn hostile_listing_text_is_shown_escaped_postgres() {
    hostile_text(Backend::Postgres).await;
}

/// The edit form's fields for a listing, as the page shows them.
fn form_of(page: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for name in [
        "name",
        "organization_name",
        "locations",
        "languages",
        "url",
        "email",
    ] {
        let key = format!("name=\"{name}\" value=\"");
        if let Some(start) = page.find(&key) {
            let rest = &page[start + key.len()..];
            let value = &rest[..rest.find('"').unwrap_or(0)];
            fields.push((name.to_owned(), unescape(value)));
        }
    }
    for name in ["description", "phones", "hours"] {
        let key = format!("name=\"{name}\">");
        if let Some(start) = page.find(&key) {
            let rest = &page[start + key.len()..];
            let value = &rest[..rest.find("</textarea>").unwrap_or(0)];
            fields.push((name.to_owned(), unescape(value)));
        }
    }
    if let Some(start) = page.find("<option value=\"org-demo\" selected") {
        let _ = start;
        fields.push(("organization".into(), "org-demo".into()));
    }
    for (kind, marker) in [
        ("type", "name=\"type\" value=\""),
        ("filter", "name=\"filter\" value=\""),
    ] {
        for part in page.split(marker).skip(1) {
            let value = &part[..part.find('"').unwrap_or(0)];
            if part[..part.find('>').unwrap_or(0)].contains("checked") {
                fields.push((kind.to_owned(), value.to_owned()));
            }
        }
    }
    fields.push(("status".into(), "active".into()));
    fields
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        fields.iter().filter(|(k, _)| k != name).cloned().collect();
    out.push((name.to_owned(), value.to_owned()));
    out
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn editing(backend: Backend) {
    let site = Site::open(backend).await;
    let iris = site.coordinator("Iris", 7001).await;
    let browser = site.sign_in(iris.id).await;
    let (_, page) = browser.get("/admin/services/svc-one").await;
    let fields = form_of(&page);
    assert!(
        fields
            .iter()
            .any(|(k, v)| k == "phones" && v.contains("+44 7700 900")),
        "{fields:?}"
    );
    let before = site.directory.load().await.expect("load");

    // A bad phone, an unknown location and an empty name: every problem shown, nothing written.
    let bad = with(
        &with(
            &with(&fields, "phones", "call us maybe"),
            "locations",
            "nowhere",
        ),
        "name",
        "",
    );
    let (status, page) = browser.post("/admin/services/svc-one", &pairs(&bad)).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Phone 1: is not a phone number"), "{page}");
    assert!(page.contains("there is no location"), "{page}");
    assert!(page.contains("Name: is empty"), "{page}");
    assert!(
        page.contains("call us maybe"),
        "the form keeps what she typed"
    );
    assert_eq!(
        site.directory.load().await.expect("load"),
        before,
        "nothing half-written"
    );

    // A good edit: saved, in the index at once, audited by field name only.
    let good = with(
        &fields,
        "phones",
        "+44 7700 900999 | 24/7 line\n0 800 500 335",
    );
    let (status, _) = browser.post("/admin/services/svc-one", &pairs(&good)).await;
    assert_eq!(status, 303);
    let index = site.directory.index();
    let service = index.listing(&id("svc-one")).expect("still there").service;
    let numbers: Vec<&str> = service.phones.iter().map(|p| p.number.as_str()).collect();
    assert_eq!(numbers, ["+44 7700 900999", "0 800 500 335"]);
    assert_eq!(service.phones[0].description.as_deref(), Some("24/7 line"));
    assert_eq!(
        service.name.default, "Demo svc-one (fictional)",
        "other fields kept"
    );
    assert_eq!(
        site.directory
            .load()
            .await
            .expect("load")
            .services
            .iter()
            .find(|s| s.id == id("svc-one"))
            .map(|s| s.phones.len()),
        Some(2)
    );

    // Verified today, from the stale list.
    let (_, stale) = browser.get("/admin/stale").await;
    assert!(
        stale.contains("svc-old") && !stale.contains("svc-one\""),
        "{stale}"
    );
    let (status, _) = browser.post("/admin/services/svc-old/verify", &[]).await;
    assert_eq!(status, 303);
    assert!(site.directory.index().stale(site.now()).is_empty());

    // A new listing with a new location, then deleted.
    let (status, page) = browser
        .post(
            "/admin/services/new",
            &[
                ("id", "svc-new"),
                ("name", "Night shelter (fictional)"),
                ("organization", "org-demo"),
                ("new_country", "UA"),
                ("new_city", "kyiv"),
                ("new_confidential", "1"),
                ("phones", "+44 7700 900777"),
                ("hours", "MO,TU,WE 09:00-18:00 | by phone first"),
                ("languages", "uk, ru"),
                ("type", "shelter"),
                ("filter", "no_id_required"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let index = site.directory.index();
    let created = index.listing(&id("svc-new")).expect("created");
    assert!(created.locations().all(|l| l.is_confidential()));
    assert_eq!(created.service.schedules.len(), 1);
    assert_eq!(created.service.languages.len(), 2);
    drop(index);
    // The same id again is refused on the form.
    let (status, page) = browser
        .post(
            "/admin/services/new",
            &[
                ("id", "svc-new"),
                ("name", "Again"),
                ("organization", "org-demo"),
                ("locations", "loc-kyiv"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("another listing already has this id"),
        "{page}"
    );
    let (status, _) = browser.post("/admin/services/svc-new/delete", &[]).await;
    assert_eq!(status, 303);
    assert!(site.directory.index().listing(&id("svc-new")).is_none());
    assert!(
        site.directory
            .load()
            .await
            .expect("load")
            .services
            .iter()
            .all(|s| s.id != id("svc-new"))
    );

    // Every change is in the audit log: who, what, which listing.
    let (_, audit) = browser.get("/admin/audit").await;
    for action in [
        "signed in",
        "listing edited",
        "listing verified",
        "listing created",
        "listing deleted",
    ] {
        assert!(audit.contains(action), "{action} missing from:\n{audit}");
    }
    assert!(audit.contains("phones"), "the edited field is named");
    assert!(
        !audit.contains("900999"),
        "the audit names fields, not values"
    );
    let entries = site.admin.audit().recent(100).await.expect("audit");
    assert!(entries.iter().all(|e| e.actor == "Iris"));
}

#[tokio::test]
async fn create_edit_verify_delete_with_errors_on_the_form_sqlite() {
    editing(Backend::Sqlite).await;
}

#[tokio::test]
async fn create_edit_verify_delete_with_errors_on_the_form_postgres() {
    editing(Backend::Postgres).await;
}

async fn import_export(backend: Backend) {
    let site = Site::open(backend).await;
    let iris = site.coordinator("Iris", 7001).await;
    let browser = site.sign_in(iris.id).await;
    let (_, page) = browser.get("/admin/import").await;
    let csrf = csrf_in(&page).expect("a token");

    // JSON export, then import it back: nothing changes.
    let exported = reqwest::Client::new()
        .get(site.url("/admin/export/services.json"))
        .header(
            reqwest::header::COOKIE,
            browser.cookie.clone().unwrap_or_default(),
        )
        .send()
        .await
        .expect("export");
    assert_eq!(exported.status().as_u16(), 200);
    assert!(
        exported
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("attachment"))
    );
    let json = exported.text().await.expect("body");
    assert!(json.contains("svc-one"));
    let (status, page) = browser.upload(&csrf, &[("services.json", &json)]).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("unchanged: 1 organizations, 1 locations, 2 services"),
        "{page}"
    );

    // A new listing by JSON.
    let more = fixture().listing(Listing::new("svc-more", "loc-kyiv"));
    let (status, page) = browser.upload(&csrf, &[("more.json", &more.text())]).await;
    assert_eq!(status, 200, "{page}");
    assert!(site.directory.index().listing(&id("svc-more")).is_some());

    // A broken file: every problem on the page, nothing changed.
    let before = site.directory.load().await.expect("load");
    let mut broken = fixture().listing(Listing::new("svc-broken", "loc-nowhere"));
    broken.value["services"][0]["phones"][0]["number"] = serde_json::json!("call me");
    let (status, page) = browser
        .upload(&csrf, &[("broken.json", &broken.text())])
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("services[0].phones[0].number"), "{page}");
    assert_eq!(site.directory.load().await.expect("load"), before);

    // The CSV package, file by file, and back in as several files at once.
    let mut files = Vec::new();
    for name in helpline::directory::hsds::csv::file_names() {
        let (status, text) = browser.get(&format!("/admin/export/csv/{name}")).await;
        assert_eq!(status, 200, "{name}");
        files.push((name, text));
    }
    let upload: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let (status, page) = browser.upload(&csrf, &upload).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("unchanged: 1 organizations, 1 locations, 3 services"),
        "{page}"
    );
    assert_eq!(browser.get("/admin/export/csv/passwords.csv").await.0, 404);

    let (_, audit) = browser.get("/admin/audit").await;
    assert!(
        audit.contains("import") && audit.contains("more.json"),
        "{audit}"
    );
}

#[tokio::test]
async fn import_and_export_json_and_csv_sqlite() {
    import_export(Backend::Sqlite).await;
}

#[tokio::test]
async fn import_and_export_json_and_csv_postgres() {
    import_export(Backend::Postgres).await;
}

async fn staff_pages(backend: Backend) {
    let site = Site::open(backend).await;
    let iris = site.coordinator("Iris", 7001).await;
    let browser = site.sign_in(iris.id).await;

    let (status, _) = browser
        .post(
            "/admin/staff/add",
            &[
                ("telegram_id", "424242"),
                ("name", "Olga"),
                ("role", "consultant"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let olga = site
        .staff
        .by_telegram_id(424242)
        .await
        .expect("read")
        .expect("added");
    assert_eq!(olga.role, Role::Consultant);
    let (status, page) = browser
        .post(
            "/admin/staff/add",
            &[("telegram_id", "-5"), ("name", ""), ("role", "boss")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Telegram id") && page.contains("Name") && page.contains("Role"),
        "{page}"
    );

    let (status, _) = browser
        .post(
            &format!("/admin/staff/{}/role", olga.id),
            &[("role", "coordinator")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        site.staff
            .by_id(olga.id)
            .await
            .expect("read")
            .map(|m| m.role),
        Some(Role::Coordinator)
    );

    // She cannot remove herself; she can remove Olga, whose sessions end with her.
    let olga_session = site.sign_in(olga.id).await;
    let (status, _) = browser
        .post(&format!("/admin/staff/{}/remove", iris.id), &[])
        .await;
    assert_eq!(status, 422);
    let (status, _) = browser
        .post(&format!("/admin/staff/{}/remove", olga.id), &[])
        .await;
    assert_eq!(status, 303);
    assert!(site.staff.by_id(olga.id).await.expect("read").is_none());
    assert_eq!(olga_session.get("/admin/").await.0, 401);

    // An invite: shown once as a deep link; registers whoever opens it, once, before it expires.
    let (status, page) = browser
        .post(
            "/admin/staff/invite",
            &[("name", "Vera"), ("role", "consultant")],
        )
        .await;
    assert_eq!(status, 200);
    let start = page
        .find("https://t.me/helpline_test_bot?start=staff-")
        .expect("an invite link");
    let link = &page[start..];
    let token =
        &link["https://t.me/helpline_test_bot?start=staff-".len()..link.find('<').unwrap_or(0)];
    assert!(
        token.len() + "staff-".len() <= 64,
        "a deep-link payload is at most 64 characters"
    );
    let command = StaffCommand::parse(&format!("/start staff-{token}")).expect("an invite command");
    // Someone already on the staff opening it changes nothing, and leaves it unspent.
    assert_eq!(
        site.admin
            .staff_command(7001, &command)
            .await
            .expect("answered"),
        None
    );
    assert_eq!(
        site.staff
            .by_telegram_id(7001)
            .await
            .expect("read")
            .map(|m| m.role),
        Some(Role::Coordinator)
    );
    let Some(StaffReply::Joined(vera)) = site
        .admin
        .staff_command(515151, &command)
        .await
        .expect("answered")
    else {
        panic!("the invite registers her");
    };
    assert_eq!(
        (vera.name.as_str(), vera.role, vera.telegram_id),
        ("Vera", Role::Consultant, 515151)
    );
    assert_eq!(
        site.admin
            .staff_command(616161, &command)
            .await
            .expect("answered"),
        None,
        "used once"
    );
    let (_, page) = browser
        .post(
            "/admin/staff/invite",
            &[("name", "Late"), ("role", "coordinator")],
        )
        .await;
    let start = page.find("start=staff-").expect("an invite link") + "start=staff-".len();
    let late = &page[start..start + page[start..].find('<').unwrap_or(0)];
    site.advance(TimeDelta::hours(49));
    let late = StaffCommand::Invite(late.to_owned());
    assert_eq!(
        site.admin
            .staff_command(717171, &late)
            .await
            .expect("answered"),
        None,
        "expired"
    );
    assert!(
        site.staff
            .by_telegram_id(717171)
            .await
            .expect("read")
            .is_none()
    );

    // The audit log names staff by name; their Telegram ids are nowhere in it.
    let entries = site.admin.audit().recent(100).await.expect("audit");
    let text = format!("{entries:?}");
    for action in [
        "staff added",
        "role changed",
        "staff removed",
        "invite created",
        "joined by invite",
    ] {
        assert!(text.contains(action), "{action} missing: {text}");
    }
    for telegram_id in ["424242", "515151"] {
        assert!(
            !text.contains(telegram_id),
            "a Telegram id in the audit log: {text}"
        );
    }
    // The invite's token is not stored in the clear.
    assert!(!site.db.dump().await.join("\n").contains(token));
}

#[tokio::test]
async fn staff_add_role_remove_and_invites_sqlite() {
    staff_pages(Backend::Sqlite).await;
}

#[tokio::test]
async fn staff_add_role_remove_and_invites_postgres() {
    staff_pages(Backend::Postgres).await;
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_pages_are_locked_down() {
    let site = Site::open_with(Backend::Sqlite, "https://bot.example.org", fixture()).await;
    let iris = site.coordinator("Iris", 7001).await;
    let token = site.link(iris.id).await;
    let r = site
        .stranger()
        .post_raw("/admin/signin", &[("token", &token)])
        .await;
    let cookie = r
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.contains("; Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let url = site.admin.link_for_name("Iris").await.expect("a link");
    assert!(
        url.starts_with("https://bot.example.org/admin/signin/"),
        "{url}"
    );
    // Every page: no caching, no framing, no referrer (the link is in the URL), nothing loaded
    // from elsewhere.
    let r = reqwest::get(site.url(&format!("/admin/signin/{token}")))
        .await
        .expect("GET");
    let h = r.headers();
    assert_eq!(
        h.get("referrer-policy").and_then(|v| v.to_str().ok()),
        Some("no-referrer")
    );
    assert_eq!(
        h.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert!(
        h.get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("default-src 'none'"))
    );
    let body = r.text().await.expect("body");
    assert!(
        !body.contains("http://") && !body.contains("https://"),
        "no third-party URL: {body}"
    );
}

#[tokio::test]
async fn admin_link_prints_a_link_for_a_coordinator_and_refuses_everyone_else() {
    let site = Site::open(Backend::Sqlite).await;
    site.coordinator("Iris", 7001).await;
    site.member("Olga", 7003, Role::Consultant).await;
    let run = |name: &'static str| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_helpline"))
            .args(["admin-link", "--name", name])
            .env("DATABASE_URL", site.db.url())
            .env("HELPLINE_PUBLIC_URL", "https://bot.example.org")
            .env_remove("HELPLINE_SECRET")
            .env("HELPLINE_LOG", "warn")
            .output()
    };
    let out = run("Iris").await.expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = stdout
        .strip_prefix("https://bot.example.org/admin/signin/")
        .unwrap_or_else(|| panic!("not a sign-in link: {stdout}"));
    assert_eq!(token.len(), 64);
    // The printed link signs her in (once).
    let r = site
        .stranger()
        .post_raw("/admin/signin", &[("token", token)])
        .await;
    assert_eq!(r.status().as_u16(), 303);

    for (name, says) in [("Olga", "not a coordinator"), ("Nobody", "no staff member")] {
        let out = run(name).await.expect("the binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        assert!(!out.status.success(), "{name} got a link");
        assert!(out.stdout.is_empty());
        assert!(
            stderr.contains(says) && stderr.lines().count() == 1,
            "{stderr}"
        );
    }
}

/// Parses the long-form CSV back into published tables, as anyone holding the file could.
fn tables_from_csv(csv: &str) -> Vec<Published> {
    use std::collections::BTreeMap;
    type Grid = (Vec<String>, Vec<String>, BTreeMap<(String, String), Figure>);
    let mut order: Vec<String> = Vec::new();
    let mut grids: BTreeMap<String, Grid> = BTreeMap::new();
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    for record in reader.records() {
        let record = record.expect("a CSV line");
        let (title, row, column, count) = (&record[0], &record[1], &record[2], &record[3]);
        let figure = if count == "<10" {
            Figure::Hidden
        } else {
            Figure::Shown(count.parse().expect("a count or <10"))
        };
        let grid = grids.entry(title.to_owned()).or_insert_with(|| {
            order.push(title.to_owned());
            (Vec::new(), Vec::new(), BTreeMap::new())
        });
        if row != "total" && !grid.0.iter().any(|r| r == row) {
            grid.0.push(row.to_owned());
        }
        if column != "total" && !grid.1.iter().any(|c| c == column) {
            grid.1.push(column.to_owned());
        }
        grid.2.insert((row.to_owned(), column.to_owned()), figure);
    }
    order
        .iter()
        .map(|title| {
            let (rows, columns, figures) = &grids[title];
            let at = |r: &str, c: &str| figures[&(r.to_owned(), c.to_owned())];
            Published {
                title: title.clone(),
                rows: rows.clone(),
                columns: columns.clone(),
                cells: rows
                    .iter()
                    .map(|r| columns.iter().map(|c| at(r, c)).collect())
                    .collect(),
                row_totals: rows.iter().map(|r| at(r, "total")).collect(),
                column_totals: columns.iter().map(|c| at("total", c)).collect(),
                total: at("total", "total"),
            }
        })
        .collect()
}

async fn statistics(backend: Backend) {
    let site = Site::open(backend).await;
    let iris = site.coordinator("Iris", 7001).await;
    let counters = Counters::new(site.db.store.db());
    let ua = Place::country(Some(CountryCode::parse("UA").expect("UA")));
    let q2 = noon();
    let q3 = q2 + TimeDelta::days(92);
    // Forms of violence: small figures (3, 2, 7) among large ones, in two quarters.
    for (form, when, times) in [
        (Form::Physical, q2, 25),
        (Form::Physical, q3, 3),
        (Form::Economic, q2, 14),
        (Form::Economic, q3, 12),
        (Form::Sexual, q2, 2),
        (Form::Sexual, q3, 20),
    ] {
        for _ in 0..times {
            counters
                .record_check(Consent::Given, &ua, &[form], when)
                .await
                .expect("record");
        }
    }
    for (service, times) in [(ServiceType::Shelter, 11), (ServiceType::Ost, 7)] {
        for _ in 0..times {
            counters
                .record_service_search(Consent::Given, &ua, service, q2)
                .await
                .expect("record");
        }
    }
    // A hostile value where a label goes (values come from fixed lists, but the page must not
    // trust the database either).
    site.db
        .execute(
            "INSERT INTO stat_counters (country, region, quarter, dimension, value, count) \
             VALUES ('UA', '', '2026-Q2', 'handoff', '<script>alert(1)</script>', 30)",
        )
        .await
        .expect("insert");

    let browser = site.sign_in(iris.id).await;
    let (status, page) = browser.get("/admin/stats").await;
    assert_eq!(status, 200, "{page}");
    for heading in [
        "<h1>Statistics</h1>",
        "<h2>Forms of violence described in the self-check — UA</h2>",
        "<h2>Services asked for — UA</h2>",
        "<h2>Hand-offs to a consultant — UA</h2>",
    ] {
        assert!(page.contains(heading), "{heading} missing: {page}");
    }
    assert!(page.contains("<svg"), "charts: {page}");
    assert!(page.contains("href=\"/admin/stats.csv\""), "{page}");
    assert!(!page.contains("<script>"), "labels escaped: {page}");
    assert!(page.contains("&lt;script&gt;"), "{page}");
    assert!(page.contains("<td>&lt;10</td>"), "{page}");
    // No figure from 1 to 9 is shown anywhere: not in a cell, not next to a bar.
    for v in 1..=9 {
        assert!(!page.contains(&format!("<td>{v}</td>")), "{v} in a cell");
        assert!(!page.contains(&format!(">{v}</text>")), "{v} on a chart");
    }

    let (status, csv) = browser.get("/admin/stats.csv").await;
    assert_eq!(status, 200, "{csv}");
    assert!(csv.starts_with("table,row,column,count\n"), "{csv}");
    for v in 1..=9 {
        assert!(!csv.contains(&format!(",{v}\n")), "{v} published: {csv}");
    }
    // What the CSV publishes is true, and no hidden figure can be worked out from it.
    let rows = counters.rows().await.expect("rows");
    let published = tables_from_csv(&csv);
    assert_eq!(published.len(), 3, "{csv}");
    for p in &published {
        let dimension = Dimension::ALL
            .into_iter()
            .find(|d| p.title == format!("{} — UA", d.title()))
            .expect("a known table");
        let count = |value: &str, quarter: &str| -> u64 {
            rows.iter()
                .filter(|r| {
                    r.dimension == dimension.as_str() && r.value == value && r.quarter == quarter
                })
                .map(|r| u64::try_from(r.count).expect("a count"))
                .sum()
        };
        let table = Table {
            title: p.title.clone(),
            rows: p.rows.clone(),
            columns: p.columns.clone(),
            cells: p
                .rows
                .iter()
                .map(|r| p.columns.iter().map(|c| count(r, c)).collect())
                .collect(),
        };
        let truth = crate::stats_suppression::truth(&table);
        for (i, line) in truth.iter().enumerate() {
            for (j, &v) in line.iter().enumerate() {
                match p.at(i, j) {
                    Figure::Shown(shown) => {
                        assert_eq!(shown, v, "{}: a shown figure is true", p.title);
                        assert!(!(1..=9).contains(&v), "{}: {v} shown", p.title);
                    }
                    Figure::Hidden => assert!(v > 0, "{}: a zero hidden", p.title),
                }
            }
        }
        let leaks = crate::stats_suppression::Attacker::new(p, &truth).recomputed();
        assert!(leaks.is_empty(), "{}: recomputed {leaks:?}", p.title);
    }
    // The forms table has small figures, so something in it is hidden.
    assert!(published.iter().any(|p| p.hidden() > 0));
}

#[tokio::test]
async fn statistics_show_only_suppressed_figures_sqlite() {
    statistics(Backend::Sqlite).await;
}

#[tokio::test]
async fn statistics_show_only_suppressed_figures_postgres() {
    statistics(Backend::Postgres).await;
}

// ----- teams -------------------------------------------------------------------------------

/// The Teams page: a bad time zone is named on the form, which keeps what she typed; edits are
/// saved; a team with members cannot be deleted; a member's team is set from the Staff page;
/// no action without the CSRF token or by a consultant; everything audited.
async fn teams_page(backend: Backend) {
    let site = Site::open(backend).await;
    let iris = site.coordinator("Iris", 7001).await;
    let browser = site.sign_in(iris.id).await;
    let teams = helpline::handoff::Teams::new(site.db.store.db());

    let (status, page) = browser.get("/admin/teams").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("New team"), "{page}");

    let kyiv = [
        ("name", "Kyiv <day>"),
        ("hours", "Mon-Fri 09:00-18:00"),
        ("timezone", "Europe/Kiev-ish"),
        ("holidays", "2026-12-25"),
        ("urgent_deadline_min", "5"),
        ("countries", "UA"),
        ("languages", "uk, ru"),
    ];
    let (status, page) = browser.post("/admin/teams", &kyiv).await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("Time zone: a name such as Europe/Kyiv or UTC"),
        "the field is named: {page}"
    );
    assert!(
        page.contains("value=\"Kyiv &lt;day&gt;\""),
        "what she typed is kept, escaped: {page}"
    );
    assert!(
        teams.list().await.expect("teams").is_empty(),
        "nothing saved"
    );

    let mut good = kyiv;
    good[2] = ("timezone", "Europe/Kyiv");
    let (status, page) = browser.post("/admin/teams", &good).await;
    assert_eq!(status, 303, "{page}");
    let almaty = [
        ("name", "Almaty"),
        ("hours", ""),
        ("timezone", "Asia/Almaty"),
        ("holidays", ""),
        ("urgent_deadline_min", "15"),
        ("countries", "KZ"),
        ("languages", ""),
    ];
    assert_eq!(browser.post("/admin/teams", &almaty).await.0, 303);
    let (status, page) = browser.post("/admin/teams", &almaty).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("another team is already called that"),
        "{page}"
    );
    let list = teams.list().await.expect("teams");
    assert_eq!(list.len(), 2);
    let (kyiv_id, almaty_id) = (list[0].id, list[1].id);
    assert_eq!(list[0].name(), "Kyiv <day>");
    assert_eq!(
        list[0].hours().map(|h| h.timezone().name()),
        Some("Europe/Kyiv")
    );
    let (_, page) = browser.get("/admin/teams").await;
    assert!(
        page.contains("Kyiv &lt;day&gt;") && !page.contains("Kyiv <day>"),
        "names are escaped in the list"
    );

    // Edit: new hours, and a bad deadline first.
    let path = format!("/admin/teams/{kyiv_id}");
    let (status, page) = browser.get(&path).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Mon-Fri") || page.contains("mon,tue"),
        "{page}"
    );
    let mut edit = good;
    edit[0] = ("name", "Kyiv");
    edit[1] = ("hours", "Mon-Sat 08:00-20:00");
    edit[4] = ("urgent_deadline_min", "500");
    let (status, page) = browser.post(&path, &edit).await;
    assert_eq!(status, 422);
    assert!(page.contains("Urgent deadline: 1 to 120 minutes"), "{page}");
    edit[4] = ("urgent_deadline_min", "3");
    assert_eq!(browser.post(&path, &edit).await.0, 303);
    let kyiv = teams.by_id(kyiv_id).await.expect("read").expect("kept");
    assert_eq!(kyiv.name(), "Kyiv");
    assert_eq!(kyiv.settings.urgent_deadline, TimeDelta::minutes(3));
    assert!(kyiv.hours().is_some_and(|h| h.hours_text().contains("sat")));

    // A consultant moved to Almaty from the Staff page; then Almaty cannot be deleted.
    let olga = site.member("Olga", 7003, Role::Consultant).await;
    let (_, page) = browser.get("/admin/staff").await;
    assert!(
        page.contains(&format!("/admin/staff/{}/team", olga.id)),
        "{page}"
    );
    let (status, _) = browser
        .post(
            &format!("/admin/staff/{}/team", olga.id),
            &[("team", &almaty_id.to_string())],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        site.staff
            .by_id(olga.id)
            .await
            .expect("read")
            .expect("olga")
            .team_id,
        Some(almaty_id)
    );
    let (status, page) = browser
        .post(&format!("/admin/teams/{almaty_id}/delete"), &[])
        .await;
    assert_eq!(status, 409, "{page}");
    assert!(
        page.contains("still has 1 member(s): move them to another team first"),
        "{page}"
    );
    assert_eq!(teams.list().await.expect("teams").len(), 2, "not deleted");

    // Without the CSRF token nothing happens.
    let r = browser
        .post_raw(&format!("/admin/teams/{almaty_id}/delete"), &[])
        .await;
    assert_eq!(r.status().as_u16(), 403);
    let r = browser.post_raw("/admin/teams", &almaty).await;
    assert_eq!(r.status().as_u16(), 403);

    // Olga moves to Kyiv; Almaty has no one left and goes.
    assert_eq!(
        browser
            .post(
                &format!("/admin/staff/{}/team", olga.id),
                &[("team", &kyiv_id.to_string())],
            )
            .await
            .0,
        303
    );
    assert_eq!(
        browser
            .post(&format!("/admin/teams/{almaty_id}/delete"), &[])
            .await
            .0,
        303
    );
    assert_eq!(teams.list().await.expect("teams").len(), 1);

    let (_, audit) = browser.get("/admin/audit").await;
    for action in [
        "team created",
        "team changed",
        "team deleted",
        "team of staff changed",
    ] {
        assert!(audit.contains(action), "{action} is in the audit log");
    }

    // A coordinator made a consultant is out of the Teams page at once.
    let mira = site.coordinator("Mira", 7002).await;
    let other = site.sign_in(mira.id).await;
    assert_eq!(other.get("/admin/teams").await.0, 200);
    site.staff
        .set_role(mira.id, Role::Consultant)
        .await
        .expect("demoted");
    assert_eq!(other.get("/admin/teams").await.0, 401);
    assert_eq!(other.post("/admin/teams", &almaty).await.0, 401);
    assert_eq!(
        teams.list().await.expect("teams").len(),
        1,
        "nothing created"
    );
}

crate::support::stories!(teams_page);
