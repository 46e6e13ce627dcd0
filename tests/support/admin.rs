//! The web admin under test: a fresh database (SQLite or Postgres) with a small directory, the
//! admin's router served on a random port, and a clock the test moves by hand.
//!
//! ```ignore
//! let site = Site::open(Backend::Sqlite).await;
//! let iris = site.coordinator("Iris", 7001).await;
//! let browser = site.sign_in(iris.id).await;     // a session cookie and its CSRF token
//! let (status, body) = browser.get("/admin/").await;
//! ```

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use helpline::admin::Admin;
use helpline::directory::{Directory, Settings};
use helpline::staff::{Role, Staff, StaffMember, StaffName};
use tokio_util::sync::CancellationToken;

use super::listings::{Doc, Listing};
use super::{Backend, TestDb, noon};

pub struct Site {
    pub db: TestDb,
    pub admin: Arc<Admin>,
    pub directory: Arc<dyn Directory>,
    pub staff: Staff,
    pub addr: SocketAddr,
    clock: Arc<Mutex<DateTime<Utc>>>,
    client: reqwest::Client,
    shutdown: CancellationToken,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The listings every site starts with: two Kyiv listings, one of them verified long ago.
pub fn fixture() -> Doc {
    Doc::new()
        .place("loc-kyiv", "UA", "Kyiv", 50.45, 30.52)
        .listing(Listing::new("svc-one", "loc-kyiv"))
        .listing(
            Listing::new("svc-old", "loc-kyiv")
                .assured(Some(noon().date_naive() - TimeDelta::days(400))),
        )
}

impl Site {
    pub async fn open(backend: Backend) -> Site {
        Site::open_with(backend, "http://127.0.0.1:1", fixture()).await
    }

    /// `public_url` only decides the links and the cookie's Secure flag: tests reach the
    /// server on its real address whatever it says.
    pub async fn open_with(backend: Backend, public_url: &str, doc: Doc) -> Site {
        let db = TestDb::new(backend).await;
        let directory = db.directory(Settings::default()).await;
        directory
            .import_json(&doc.text())
            .await
            .unwrap_or_else(|e| panic!("the fixture imports: {e}"));
        let clock = Arc::new(Mutex::new(noon()));
        let read = clock.clone();
        let admin = Arc::new(
            Admin::new(
                db.store.db(),
                directory.clone(),
                url::Url::parse(public_url).expect("a valid public URL"),
            )
            .with_clock(Arc::new(move || {
                *read.lock().unwrap_or_else(|e| e.into_inner())
            })),
        );
        admin.set_bot_username("helpline_test_bot");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let addr = listener.local_addr().expect("its address");
        let shutdown = CancellationToken::new();
        tokio::spawn(helpline::server::serve(
            listener,
            helpline::admin::router(admin.clone()),
            shutdown.clone(),
        ));
        Site {
            staff: Staff::new(db.store.db()),
            db,
            admin,
            directory,
            addr,
            clock,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            shutdown,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.clock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the admin's clock.
    pub fn advance(&self, by: TimeDelta) {
        *self.clock.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }

    pub async fn member(&self, name: &str, telegram_id: i64, role: Role) -> StaffMember {
        self.staff
            .add(
                telegram_id,
                &StaffName::parse(name).expect("a valid name"),
                role,
                self.now(),
            )
            .await
            .expect("staff added")
    }

    pub async fn coordinator(&self, name: &str, telegram_id: i64) -> StaffMember {
        self.member(name, telegram_id, Role::Coordinator).await
    }

    /// A fresh sign-in link token for her.
    pub async fn link(&self, staff_id: i64) -> String {
        self.admin
            .auth()
            .mint_link(staff_id, self.now())
            .await
            .expect("a link for a coordinator")
    }

    /// A browser with no cookie.
    pub fn stranger(&self) -> Browser<'_> {
        Browser {
            site: self,
            cookie: None,
            csrf: String::new(),
        }
    }

    /// Signs her in through the link's POST, as a browser would; panics if refused.
    pub async fn sign_in(&self, staff_id: i64) -> Browser<'_> {
        let token = self.link(staff_id).await;
        let mut browser = self.stranger();
        let response = browser
            .post_raw("/admin/signin", &[("token", &token)])
            .await;
        assert_eq!(response.status().as_u16(), 303, "signing in is refused");
        browser.cookie = Some(session_cookie(&response).expect("a session cookie"));
        let (status, page) = browser.get("/admin/").await;
        assert_eq!(status, 200, "{page}");
        browser.csrf = csrf_in(&page).expect("a CSRF token in the page");
        browser
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// The `helpline_admin=…` pair of a Set-Cookie header.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("helpline_admin="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// The value of the first hidden `csrf` field in a page.
pub fn csrf_in(page: &str) -> Option<String> {
    let start = page.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = page[start..].find('"')?;
    Some(page[start..start + end].to_owned())
}

/// One browser: a cookie jar of one cookie, and the CSRF token its pages carry.
pub struct Browser<'a> {
    site: &'a Site,
    pub cookie: Option<String>,
    pub csrf: String,
}

impl Browser<'_> {
    fn with_cookie(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.cookie {
            Some(cookie) => request.header(reqwest::header::COOKIE, cookie),
            None => request,
        }
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .with_cookie(self.site.client.get(self.site.url(path)))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.with_cookie(self.site.client.post(self.site.url(path)))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// POSTs a form with this browser's CSRF token added: status and body.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let response = self.post_raw(path, &all).await;
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// POSTs files as `multipart/form-data` (field `files`), with the CSRF token `csrf`.
    pub async fn upload(&self, csrf: &str, files: &[(&str, &str)]) -> (u16, String) {
        const BOUNDARY: &str = "----helpline-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
        );
        for (name, text) in files {
            body.push_str(&format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n{text}\r\n"
            ));
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        let response = self
            .with_cookie(self.site.client.post(self.site.url("/admin/import")))
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("upload: {e}"));
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }
}
