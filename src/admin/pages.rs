//! The admin's pages and actions. Each handler starts with [`signed_in`] (no page or action
//! without a session) and each POST with [`check_csrf`]; a GET never changes anything except
//! the session's last-seen time.

// The helpers' error is the response to send back at once (a refusal page): it is never stored
// or passed along, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;

use super::auth::{Session, same_secret};
use super::html::{CSS, Esc, button, csrf_field, errors, layout};
use super::{Admin, AdminError, COOKIE};
use crate::directory::model::{
    Attribute, Language, LanguageCode, MAX_CHILDREN, MAX_DESCRIPTION, MAX_NAME, MAX_SHORT, Phone,
    Schedule, ServiceAtLocation, ServiceTerm, Text, check_text, format_time, parse_time,
    parse_weekday, weekday_code,
};
use crate::directory::{
    Catalog, CityId, DirectoryError, Filter, Location, Organization, Placement, RecordId, Service,
    ServiceType, Status,
};
use crate::domain::{CountryCode, PhoneNumber};
use crate::staff::{Role, StaffName};

mod teams;

type AdminState = State<Arc<Admin>>;

/// Most listings one page shows: a list is for finding one, and a phone cannot scroll 50,000.
const MAX_ROWS: usize = 200;

/// Largest import upload.
const MAX_UPLOAD: usize = 20 * 1024 * 1024;

pub(super) fn routes() -> Router<Arc<Admin>> {
    Router::new()
        .route("/admin", get(services))
        .route("/admin/", get(services))
        .route("/admin/style.css", get(style))
        .route("/admin/signin", get(signed_out).post(sign_in))
        .route("/admin/signin/{token}", get(sign_in_page))
        .route("/admin/signout", post(sign_out))
        .route("/admin/stale", get(stale))
        .route("/admin/services/new", get(new_service).post(create_service))
        .route(
            "/admin/services/{id}",
            get(edit_service).post(update_service),
        )
        .route("/admin/services/{id}/verify", post(verify_service))
        .route("/admin/services/{id}/delete", post(delete_service))
        .route(
            "/admin/import",
            get(import_page)
                .post(import)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/admin/export/services.json", get(export_json))
        .route("/admin/export/csv/{name}", get(export_csv))
        .route("/admin/staff", get(staff_page))
        .route("/admin/staff/add", post(staff_add))
        .route("/admin/staff/invite", post(staff_invite))
        .route("/admin/staff/{id}/role", post(staff_role))
        .route("/admin/staff/{id}/remove", post(staff_remove))
        .route("/admin/staff/{id}/team", post(teams::staff_team))
        .route(
            "/admin/teams",
            get(teams::teams_page).post(teams::create_team),
        )
        .route(
            "/admin/teams/{id}",
            get(teams::edit_team).post(teams::update_team),
        )
        .route("/admin/teams/{id}/delete", post(teams::delete_team))
        .route("/admin/audit", get(audit_page))
        .route("/admin/stats", get(stats_page))
        .route("/admin/stats.csv", get(stats_csv))
        .layer(axum::middleware::map_response(protect))
}

/// Headers on every admin response: nothing cached, framed, referred or loaded from elsewhere.
async fn protect(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    );
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}

// ----- responses and session ---------------------------------------------------------------

fn page(status: StatusCode, title: &str, session: Option<&Session>, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        layout(title, session, body),
    )
        .into_response()
}

fn see_other(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, to.to_owned())],
        String::new(),
    )
        .into_response()
}

/// Something went wrong inside: logged without content, shown as a plain apology.
fn failure(e: AdminError, session: Option<&Session>) -> Response {
    tracing::error!(error = %e, "an admin request failed");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        session,
        "<p>Nothing was changed. Try again in a moment.</p>",
    )
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

const SIGN_IN_HELP: &str = "<p>Send <code>/admin</code> to the bot in a private chat: it \
    answers a coordinator with a sign-in link that works once, for 15 minutes. A server \
    admin can also run <code>helpline admin-link --name NAME</code>.</p>";

/// The signed-in coordinator, or the answer for someone who is not.
async fn signed_in(admin: &Admin, headers: &HeaderMap) -> Result<Session, Response> {
    let refused = || {
        page(
            StatusCode::UNAUTHORIZED,
            "Please sign in",
            None,
            SIGN_IN_HELP,
        )
    };
    let Some(token) = cookie_token(headers) else {
        return Err(refused());
    };
    match admin.auth.session(&token, admin.now()).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err(refused()),
        Err(e) => Err(failure(e, None)),
    }
}

/// Form fields as sent, repeated names kept (checkboxes).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn check_csrf(session: &Session, given: &str) -> Result<(), Response> {
    if same_secret(&session.csrf, given) {
        Ok(())
    } else {
        Err(page(
            StatusCode::FORBIDDEN,
            "Form expired",
            Some(session),
            "<p>This form is from another session or was changed. Nothing was done. Go back, \
             reload the page and try again.</p>",
        ))
    }
}

/// `signed_in` and `check_csrf` for a urlencoded POST.
async fn post_guard(
    admin: &Admin,
    headers: &HeaderMap,
    body: &axum::body::Bytes,
) -> Result<(Session, Fields), Response> {
    let session = signed_in(admin, headers).await?;
    let fields: Vec<(String, String)> = serde_urlencoded_pairs(body);
    let fields = Fields(fields);
    check_csrf(&session, fields.get("csrf"))?;
    Ok((session, fields))
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn actor(session: &Session) -> (Option<i64>, &str) {
    (Some(session.staff.id), session.staff.name.as_str())
}

/// Notes the signed-in coordinator's change in the audit log. If it cannot be noted, the
/// coordinator gets the error page: a change nobody can trace is not reported as done.
async fn audited(
    admin: &Admin,
    session: &Session,
    at: chrono::DateTime<chrono::Utc>,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), Response> {
    admin
        .audit
        .record(at, actor(session), action, subject, detail)
        .await
        .map_err(|e| failure(e, Some(session)))
}

/// Notes a change in the audit log, then sends the browser on to `to`; the error page when
/// the note could not be written.
async fn audited_then(
    admin: &Admin,
    session: &Session,
    at: chrono::DateTime<chrono::Utc>,
    action: &str,
    subject: &str,
    detail: &str,
    to: &str,
) -> Response {
    match audited(admin, session, at, action, subject, detail).await {
        Ok(()) => see_other(to),
        Err(page) => page,
    }
}

// ----- sign in and out ---------------------------------------------------------------------

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn signed_out() -> Response {
    page(StatusCode::OK, "Please sign in", None, SIGN_IN_HELP)
}

/// Opening a link only shows a button: a link preview must not spend it.
async fn sign_in_page(Path(token): Path<String>) -> Response {
    let body = format!(
        "<p>You are signing in to the helpline admin.</p>\
         <form method=\"post\" action=\"/admin/signin\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <button type=\"submit\" id=\"sign-in\">Sign in</button></form>",
        Esc(&token)
    );
    page(StatusCode::OK, "Sign in", None, &body)
}

async fn sign_in(State(admin): AdminState, body: axum::body::Bytes) -> Response {
    let fields = Fields(serde_urlencoded_pairs(&body));
    let now = admin.now();
    match admin.auth.redeem_link(fields.get("token"), now).await {
        Ok((cookie, session)) => {
            // What she sees starts from the database: an import from the command line or a
            // change by another instance is in the index from now on (for the bot too).
            if let Err(e) = admin.directory.refresh().await {
                return failure(e.into(), None);
            }
            if let Err(e) = admin
                .audit
                .record(now, actor(&session), "signed in", "admin", "")
                .await
            {
                return failure(e, None);
            }
            let secure = if admin.secure() { "; Secure" } else { "" };
            let cookie = format!(
                "{COOKIE}={cookie}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                super::auth::SESSION_MAX.num_seconds()
            );
            let mut response = see_other("/admin/");
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(AdminError::LinkRefused) => page(
            StatusCode::FORBIDDEN,
            "This link does not work",
            None,
            &format!(
                "<p>It was already used, has expired, or is not a coordinator's.</p>{SIGN_IN_HELP}"
            ),
        ),
        Err(e) => failure(e, None),
    }
}

async fn sign_out(
    State(admin): AdminState,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (session, _) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(e) = admin.auth.sign_out(&session).await {
        return failure(e, Some(&session));
    }
    let _ = admin
        .audit
        .record(admin.now(), actor(&session), "signed out", "admin", "")
        .await;
    let secure = if admin.secure() { "; Secure" } else { "" };
    let mut response = page(StatusCode::OK, "Signed out", None, SIGN_IN_HELP);
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

// ----- services ----------------------------------------------------------------------------

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    notice: String,
}

fn notice(code: &str) -> &'static str {
    match code {
        "created" => "<p class=\"notice\">The listing was created.</p>",
        "saved" => "<p class=\"notice\">Saved.</p>",
        "verified" => "<p class=\"notice\">Marked as verified today.</p>",
        "deleted" => "<p class=\"notice\">The listing was deleted.</p>",
        _ => "",
    }
}

fn city_of(index: &crate::directory::Index, s: &Service) -> String {
    s.at_locations
        .first()
        .and_then(|a| index.location(&a.location_id))
        .map(|l| format!("{} {}", l.country.as_str(), l.city.as_str()))
        .unwrap_or_default()
}

fn verified_text(date: Option<NaiveDate>) -> String {
    date.map(|d| d.to_string())
        .unwrap_or_else(|| "never".to_owned())
}

fn service_rows(
    session: &Session,
    index: &crate::directory::Index,
    services: &[&Service],
    stale: &std::collections::HashSet<&RecordId>,
) -> String {
    let mut out = String::from(
        "<table class=\"list\"><thead><tr><th>Service</th><th>Where</th><th>Status</th>\
         <th>Verified</th><th></th></tr></thead><tbody>",
    );
    for s in services.iter().take(MAX_ROWS) {
        let path = format!("/admin/services/{}", s.id);
        let _ = write!(
            out,
            "<tr><td><a href=\"{}\">{}</a><br><span class=\"muted\">{}</span></td><td>{}</td>\
             <td>{}</td><td>{}{}</td><td>{}</td></tr>",
            Esc(&path),
            Esc(&s.name.default),
            Esc(s.id.as_str()),
            Esc(&city_of(index, s)),
            s.status.as_str(),
            verified_text(s.assured_date),
            if stale.contains(&s.id) {
                " (stale)"
            } else {
                ""
            },
            button(
                session,
                &format!("{path}/verify"),
                "Verified today",
                "quiet"
            ),
        );
    }
    out.push_str("</tbody></table>");
    if services.len() > MAX_ROWS {
        let _ = write!(
            out,
            "<p class=\"muted\">The first {MAX_ROWS} of {} are shown: search or filter to find \
             the others.</p>",
            services.len()
        );
    }
    if services.is_empty() {
        out.push_str("<p>No listing matches.</p>");
    }
    out
}

async fn services(
    State(admin): AdminState,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let index = admin.directory.index();
    let now = admin.now();
    let stale: std::collections::HashSet<&RecordId> =
        index.stale(now).into_iter().map(|s| &s.id).collect();
    let kind = ServiceType::parse(&query.kind);
    let list: Vec<&Service> = index
        .find(&query.q)
        .into_iter()
        .filter(|s| match query.status.as_str() {
            "active" => s.status == Status::Active,
            "inactive" => s.status == Status::Inactive,
            "stale" => stale.contains(&s.id),
            _ => true,
        })
        .filter(|s| kind.is_none_or(|k| s.types().contains(k)))
        .filter(|s| query.city.is_empty() || city_of(&index, s).ends_with(&query.city))
        .collect();
    let mut body = String::from(notice(&query.notice));
    let _ = write!(
        body,
        "<form method=\"get\" action=\"/admin/\" class=\"row\">\
         <div><label for=\"q\">Search</label><input type=\"search\" id=\"q\" name=\"q\" value=\"{}\"></div>\
         <div><label for=\"status\">Status</label><select id=\"status\" name=\"status\">",
        Esc(&query.q)
    );
    for (value, label) in [
        ("", "All"),
        ("active", "Active"),
        ("inactive", "Inactive"),
        ("stale", "Stale"),
    ] {
        let selected = if query.status == value {
            " selected"
        } else {
            ""
        };
        let _ = write!(body, "<option value=\"{value}\"{selected}>{label}</option>");
    }
    body.push_str("</select></div><div><label for=\"type\">Type</label><select id=\"type\" name=\"type\"><option value=\"\">Any</option>");
    for t in ServiceType::ALL {
        let selected = if kind == Some(*t) { " selected" } else { "" };
        let _ = write!(
            body,
            "<option value=\"{}\"{selected}>{}</option>",
            t.code(),
            t.label()
        );
    }
    let _ = write!(
        body,
        "</select></div><div><label for=\"city\">City id</label><input type=\"text\" id=\"city\" name=\"city\" value=\"{}\"></div>\
         <div><button type=\"submit\">Filter</button></div></form>\
         <p><a class=\"button\" href=\"/admin/services/new\">New listing</a> \
         <span class=\"muted\">{} of {} listings</span></p>",
        Esc(&query.city),
        list.len(),
        index.catalog().services.len()
    );
    body.push_str(&service_rows(&session, &index, &list, &stale));
    page(StatusCode::OK, "Services", Some(&session), &body)
}

async fn stale(State(admin): AdminState, headers: HeaderMap) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let index = admin.directory.index();
    let list = index.stale(admin.now());
    let ids: std::collections::HashSet<&RecordId> = list.iter().map(|s| &s.id).collect();
    let mut body = format!(
        "<p>Active listings not verified in the last {} days, oldest first. Call them, check \
         the details, and press \"Verified today\".</p>",
        index.settings().stale_after.num_days()
    );
    body.push_str(&service_rows(&session, &index, &list, &ids));
    page(StatusCode::OK, "To verify", Some(&session), &body)
}

/// The service form's values, as shown (and as sent back after a refusal).
#[derive(Default)]
struct ServiceForm {
    id: String,
    name: String,
    description: String,
    organization: String,
    organization_name: String,
    locations: String,
    new_country: String,
    new_city: String,
    new_name: String,
    new_confidential: bool,
    new_street: String,
    new_lat: String,
    new_lon: String,
    phones: String,
    hours: String,
    languages: String,
    types: Vec<String>,
    filters: Vec<String>,
    status: String,
    url: String,
    email: String,
}

impl ServiceForm {
    fn of(service: &Service) -> ServiceForm {
        ServiceForm {
            id: service.id.to_string(),
            name: service.name.default.clone(),
            description: service.description.default.clone(),
            organization: service.organization_id.to_string(),
            locations: service
                .at_locations
                .iter()
                .map(|a| a.location_id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            phones: service
                .phones
                .iter()
                .map(|p| match &p.description {
                    Some(d) => format!("{} | {d}", p.number),
                    None => p.number.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
            hours: service
                .schedules
                .iter()
                .map(|s| {
                    let days: Vec<&str> = s.days.iter().map(|d| weekday_code(*d)).collect();
                    let mut line = format!(
                        "{} {}-{}",
                        days.join(","),
                        format_time(s.opens),
                        format_time(s.closes)
                    );
                    if let Some(note) = &s.description {
                        let _ = write!(line, " | {note}");
                    }
                    line
                })
                .collect::<Vec<_>>()
                .join("\n"),
            languages: service
                .languages
                .iter()
                .map(|l| l.code.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            types: service
                .types()
                .iter()
                .map(|t| t.code().to_owned())
                .collect(),
            filters: service
                .filters()
                .iter()
                .map(|f| f.code().to_owned())
                .collect(),
            status: service.status.as_str().to_owned(),
            url: service.url.clone().unwrap_or_default(),
            email: service.email.clone().unwrap_or_default(),
            ..ServiceForm::default()
        }
    }

    fn from_fields(f: &Fields) -> ServiceForm {
        ServiceForm {
            id: f.get("id").trim().to_owned(),
            name: f.get("name").trim().to_owned(),
            description: f.get("description").trim().replace("\r\n", "\n"),
            organization: f.get("organization").trim().to_owned(),
            organization_name: f.get("organization_name").trim().to_owned(),
            locations: f.get("locations").trim().to_owned(),
            new_country: f.get("new_country").trim().to_ascii_uppercase(),
            new_city: f.get("new_city").trim().to_owned(),
            new_name: f.get("new_name").trim().to_owned(),
            new_confidential: f.get("new_confidential") == "1",
            new_street: f.get("new_street").trim().to_owned(),
            new_lat: f.get("new_lat").trim().to_owned(),
            new_lon: f.get("new_lon").trim().to_owned(),
            phones: f.get("phones").replace("\r\n", "\n"),
            hours: f.get("hours").replace("\r\n", "\n"),
            languages: f.get("languages").trim().to_owned(),
            types: f.all("type").map(str::to_owned).collect(),
            filters: f.all("filter").map(str::to_owned).collect(),
            status: f.get("status").to_owned(),
            url: f.get("url").trim().to_owned(),
            email: f.get("email").trim().to_owned(),
        }
    }
}

fn new_id(kind: &str) -> RecordId {
    RecordId::parse(&format!("{kind}-{}", super::auth::random_token(8)))
        .unwrap_or_else(|_| unreachable_id())
}

/// Hex after a short ASCII prefix is always a valid id; this only satisfies the type.
fn unreachable_id() -> RecordId {
    RecordId::parse("x").unwrap_or_else(|_| unreachable_id())
}

fn optional(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

/// Builds the records a form describes, checking every value as an import would. `before` is
/// the listing being edited: its translations and child ids are kept.
fn build(
    index: &crate::directory::Index,
    form: &ServiceForm,
    before: Option<&Service>,
) -> Result<Catalog, Vec<String>> {
    let mut problems = Vec::new();
    let mut problem = |field: &str, message: String| problems.push(format!("{field}: {message}"));

    let id = match before {
        Some(s) => s.id.clone(),
        None if form.id.is_empty() => new_id("svc"),
        None => match RecordId::parse(&form.id) {
            Ok(id) if index.listing(&id).is_some() => {
                problem("Id", "another listing already has this id".into());
                id
            }
            Ok(id) => id,
            Err(e) => {
                problem("Id", e);
                new_id("svc")
            }
        },
    };
    if form.name.is_empty() {
        problem("Name", "is empty".into());
    }
    if let Err(e) = check_text(&form.name, MAX_NAME, false) {
        problem("Name", e);
    }
    if let Err(e) = check_text(&form.description, MAX_DESCRIPTION, true) {
        problem("Description", e);
    }
    for (field, value) in [("Website", &form.url), ("E-mail", &form.email)] {
        if let Err(e) = check_text(value, MAX_SHORT, false) {
            problem(field, e);
        }
    }
    let status = Status::parse(&form.status).unwrap_or(Status::Active);

    let mut catalog = Catalog::default();
    let organization_id = if form.organization.is_empty() {
        if form.organization_name.is_empty() {
            problem(
                "Organization",
                "choose one, or give the name of a new one".into(),
            );
        }
        if let Err(e) = check_text(&form.organization_name, MAX_NAME, false) {
            problem("New organization", e);
        }
        let organization = Organization {
            id: new_id("org"),
            name: Text::plain(form.organization_name.clone()),
            description: Text::default(),
            website: None,
        };
        let id = organization.id.clone();
        catalog.organizations.push(organization);
        id
    } else {
        match RecordId::parse(&form.organization)
            .ok()
            .and_then(|id| index.organization(&id))
        {
            Some(o) => {
                catalog.organizations.push(o.clone());
                o.id.clone()
            }
            None => {
                problem("Organization", "no such organization".into());
                new_id("org")
            }
        }
    };

    let mut at_locations = Vec::new();
    for raw in form
        .locations
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match RecordId::parse(raw).ok().and_then(|id| index.location(&id)) {
            Some(l) => {
                if !catalog.locations.iter().any(|x| x.id == l.id) {
                    catalog.locations.push(l.clone());
                    at_locations.push(l.id.clone());
                }
            }
            None => problem("Locations", format!("there is no location {raw:?}")),
        }
    }
    if !form.new_city.is_empty() || !form.new_country.is_empty() {
        let country = CountryCode::parse(&form.new_country);
        let city = CityId::parse(&form.new_city);
        match (country, city) {
            (Ok(country), Ok(city)) => {
                match index.cities().get(&city) {
                    Some(known) if known.country == country => {}
                    Some(_) => problem("New location", "that city is in another country".into()),
                    None => problem("New location", "unknown city id".into()),
                }
                if let Err(e) = check_text(&form.new_name, MAX_NAME, false) {
                    problem("New location name", e);
                }
                let placement = if form.new_confidential {
                    Placement::Confidential
                } else {
                    if let Err(e) = check_text(&form.new_street, MAX_SHORT, false) {
                        problem("Street", e);
                    }
                    let point = match (form.new_lat.as_str(), form.new_lon.as_str()) {
                        ("", "") => None,
                        (lat, lon) => match (lat.parse::<f64>(), lon.parse::<f64>()) {
                            (Ok(lat), Ok(lon)) => {
                                match crate::directory::model::GeoPoint::new(lat, lon) {
                                    Ok(p) => Some(p),
                                    Err(e) => {
                                        problem("Coordinates", e);
                                        None
                                    }
                                }
                            }
                            _ => {
                                problem("Coordinates", "latitude and longitude are numbers".into());
                                None
                            }
                        },
                    };
                    Placement::Public {
                        address: optional(&form.new_street).map(|street| {
                            crate::directory::model::Address {
                                street,
                                postal_code: None,
                            }
                        }),
                        point,
                    }
                };
                let location = Location {
                    id: new_id("loc"),
                    organization_id: Some(organization_id.clone()),
                    name: optional(&form.new_name),
                    country,
                    city,
                    placement,
                };
                at_locations.push(location.id.clone());
                catalog.locations.push(location);
            }
            _ => problem(
                "New location",
                "give a country code (UA) and a city id (kyiv)".into(),
            ),
        }
    }
    if at_locations.is_empty() {
        problem("Locations", "a listing needs at least one location".into());
    }

    let reuse = |ids: Vec<&RecordId>, i: usize, kind: &str| -> RecordId {
        ids.get(i)
            .map(|id| (*id).clone())
            .unwrap_or_else(|| new_id(kind))
    };
    let mut phones = Vec::new();
    for (i, line) in form
        .phones
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let (number, description) = match line.split_once('|') {
            Some((n, d)) => (n.trim(), optional(d.trim())),
            None => (line, None),
        };
        match PhoneNumber::parse(number) {
            Ok(number) => {
                if let Some(d) = &description
                    && let Err(e) = check_text(d, MAX_SHORT, false)
                {
                    problem(&format!("Phone {}", i + 1), e);
                }
                phones.push(Phone {
                    id: reuse(
                        before
                            .map(|s| s.phones.iter().map(|p| &p.id).collect())
                            .unwrap_or_default(),
                        i,
                        "ph",
                    ),
                    number,
                    description,
                });
            }
            Err(_) => problem(
                &format!("Phone {}", i + 1),
                "is not a phone number (digits, spaces and dashes, an optional leading +)".into(),
            ),
        }
    }
    let mut schedules = Vec::new();
    for (i, line) in form
        .hours
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let (main, note) = match line.split_once('|') {
            Some((m, n)) => (m.trim(), optional(n.trim())),
            None => (line, None),
        };
        let parsed = main.split_once(' ').and_then(|(days, times)| {
            let days: Option<Vec<_>> = days
                .split(',')
                .map(|d| parse_weekday(d.trim().to_ascii_uppercase().as_str()))
                .collect();
            let (opens, closes) = times.trim().split_once('-')?;
            Some((
                days?,
                parse_time(opens.trim()).ok()?,
                parse_time(closes.trim()).ok()?,
            ))
        });
        match parsed {
            Some((days, opens, closes)) if !days.is_empty() => schedules.push(Schedule {
                id: reuse(
                    before
                        .map(|s| s.schedules.iter().map(|x| &x.id).collect())
                        .unwrap_or_default(),
                    i,
                    "hrs",
                ),
                days,
                opens,
                closes,
                description: note,
            }),
            _ => problem(
                &format!("Hours line {}", i + 1),
                "write days and times like MO,TU,WE 09:00-18:00".into(),
            ),
        }
    }
    let mut languages = Vec::new();
    for (i, code) in form
        .languages
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        match LanguageCode::parse(code) {
            Ok(code) => languages.push(Language {
                id: reuse(
                    before
                        .map(|s| s.languages.iter().map(|x| &x.id).collect())
                        .unwrap_or_default(),
                    i,
                    "lang",
                ),
                code,
                name: None,
            }),
            Err(e) => problem("Languages", e),
        }
    }
    let terms: Vec<ServiceTerm> = form
        .types
        .iter()
        .filter_map(|t| ServiceType::parse(t).map(ServiceTerm::Type))
        .chain(
            form.filters
                .iter()
                .filter_map(|f| Filter::parse(f).map(ServiceTerm::Filter)),
        )
        .collect();
    let attributes: Vec<Attribute> = terms
        .into_iter()
        .enumerate()
        .map(|(i, term)| Attribute {
            id: reuse(
                before
                    .map(|s| s.attributes.iter().map(|x| &x.id).collect())
                    .unwrap_or_default(),
                i,
                "attr",
            ),
            term,
        })
        .collect();
    for (what, n) in [
        ("Phones", phones.len()),
        ("Hours", schedules.len()),
        ("Languages", languages.len()),
    ] {
        if n > MAX_CHILDREN {
            problem(what, format!("at most {MAX_CHILDREN}"));
        }
    }
    let at_locations: Vec<ServiceAtLocation> = at_locations
        .into_iter()
        .enumerate()
        .map(|(i, location_id)| ServiceAtLocation {
            id: reuse(
                before
                    .map(|s| s.at_locations.iter().map(|x| &x.id).collect())
                    .unwrap_or_default(),
                i,
                "at",
            ),
            location_id,
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut name = Text::plain(form.name.clone());
    let mut description = Text::plain(form.description.clone());
    if let Some(before) = before {
        name.translations = before.name.translations.clone();
        description.translations = before.description.translations.clone();
    }
    catalog.services.push(Service {
        id,
        organization_id,
        name,
        description,
        status,
        assured_date: before.and_then(|s| s.assured_date),
        url: optional(&form.url),
        email: optional(&form.email),
        phones,
        schedules,
        languages,
        attributes,
        at_locations,
    });
    Ok(catalog)
}

/// The names of the fields an edit changed, for the audit log (never the values).
fn changed_fields(before: &Service, after: &Service) -> String {
    let mut changed = Vec::new();
    let mut note = |c: bool, what: &'static str| {
        if c {
            changed.push(what);
        }
    };
    note(before.name != after.name, "name");
    note(before.description != after.description, "description");
    note(
        before.organization_id != after.organization_id,
        "organization",
    );
    note(before.status != after.status, "status");
    note(before.url != after.url, "website");
    note(before.email != after.email, "e-mail");
    note(before.phones != after.phones, "phones");
    note(before.schedules != after.schedules, "hours");
    note(before.languages != after.languages, "languages");
    note(before.attributes != after.attributes, "types and filters");
    note(before.at_locations != after.at_locations, "locations");
    if changed.is_empty() {
        "nothing changed".to_owned()
    } else {
        changed.join(", ")
    }
}

fn service_form_html(
    index: &crate::directory::Index,
    session: &Session,
    form: &ServiceForm,
    editing: bool,
    action: &str,
) -> String {
    let mut out = format!(
        "<form method=\"post\" action=\"{}\">{}",
        Esc(action),
        csrf_field(session)
    );
    if !editing {
        let _ = write!(
            out,
            "<label for=\"id\">Id (optional; HSDS id, kept across imports)</label>\
             <input type=\"text\" id=\"id\" name=\"id\" value=\"{}\">",
            Esc(&form.id)
        );
    }
    let _ = write!(
        out,
        "<label for=\"name\">Name</label><input type=\"text\" id=\"name\" name=\"name\" value=\"{}\" required>\
         <label for=\"description\">Description</label><textarea id=\"description\" name=\"description\">{}</textarea>\
         <label for=\"organization\">Organization</label><select id=\"organization\" name=\"organization\">\
         <option value=\"\">A new organization…</option>",
        Esc(&form.name),
        Esc(&form.description)
    );
    for o in &index.catalog().organizations {
        let selected = if form.organization == o.id.as_str() {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<option value=\"{}\"{selected}>{}</option>",
            Esc(o.id.as_str()),
            Esc(&o.name.default)
        );
    }
    let _ = write!(
        out,
        "</select><label for=\"organization_name\">New organization's name</label>\
         <input type=\"text\" id=\"organization_name\" name=\"organization_name\" value=\"{}\">\
         <label for=\"locations\">Location ids (comma-separated)</label>\
         <input type=\"text\" id=\"locations\" name=\"locations\" value=\"{}\">\
         <fieldset><legend>Or a new location</legend><div class=\"row\">\
         <div><label for=\"new_country\">Country code</label><input type=\"text\" id=\"new_country\" name=\"new_country\" value=\"{}\"></div>\
         <div><label for=\"new_city\">City id</label><input type=\"text\" id=\"new_city\" name=\"new_city\" value=\"{}\"></div></div>\
         <label for=\"new_name\">Location name</label><input type=\"text\" id=\"new_name\" name=\"new_name\" value=\"{}\">\
         <div class=\"check\"><label><input type=\"checkbox\" name=\"new_confidential\" value=\"1\"{}> Confidential (phone only: no address is kept)</label></div>\
         <label for=\"new_street\">Street</label><input type=\"text\" id=\"new_street\" name=\"new_street\" value=\"{}\">\
         <div class=\"row\"><div><label for=\"new_lat\">Latitude</label><input type=\"text\" id=\"new_lat\" name=\"new_lat\" value=\"{}\"></div>\
         <div><label for=\"new_lon\">Longitude</label><input type=\"text\" id=\"new_lon\" name=\"new_lon\" value=\"{}\"></div></div></fieldset>\
         <label for=\"phones\">Phones, one a line (number | what it is for)</label><textarea id=\"phones\" name=\"phones\">{}</textarea>\
         <label for=\"hours\">Hours, one a line (MO,TU,WE 09:00-18:00 | note)</label><textarea id=\"hours\" name=\"hours\">{}</textarea>\
         <label for=\"languages\">Languages (uk, ru, en…)</label><input type=\"text\" id=\"languages\" name=\"languages\" value=\"{}\">\
         <label>Types</label><div class=\"check\">",
        Esc(&form.organization_name),
        Esc(&form.locations),
        Esc(&form.new_country),
        Esc(&form.new_city),
        Esc(&form.new_name),
        if form.new_confidential {
            " checked"
        } else {
            ""
        },
        Esc(&form.new_street),
        Esc(&form.new_lat),
        Esc(&form.new_lon),
        Esc(&form.phones),
        Esc(&form.hours),
        Esc(&form.languages),
    );
    for t in ServiceType::ALL {
        let checked = if form.types.iter().any(|c| c == t.code()) {
            " checked"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" name=\"type\" value=\"{}\"{checked}> {}</label>",
            t.code(),
            t.label()
        );
    }
    out.push_str("</div><label>Whom it accepts</label><div class=\"check\">");
    for f in Filter::ALL {
        let checked = if form.filters.iter().any(|c| c == f.code()) {
            " checked"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" name=\"filter\" value=\"{}\"{checked}> {}</label>",
            f.code(),
            f.label()
        );
    }
    out.push_str(
        "</div><label for=\"status\">Status</label><select id=\"status\" name=\"status\">",
    );
    for s in ["active", "inactive"] {
        let selected = if form.status == s { " selected" } else { "" };
        let _ = write!(out, "<option value=\"{s}\"{selected}>{s}</option>");
    }
    let _ = write!(
        out,
        "</select><label for=\"url\">Website</label><input type=\"text\" id=\"url\" name=\"url\" value=\"{}\">\
         <label for=\"email\">E-mail</label><input type=\"text\" id=\"email\" name=\"email\" value=\"{}\">\
         <p><button type=\"submit\" id=\"save\">Save</button></p></form>",
        Esc(&form.url),
        Esc(&form.email)
    );
    out
}

async fn new_service(State(admin): AdminState, headers: HeaderMap) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let index = admin.directory.index();
    let form = ServiceForm {
        status: "active".into(),
        ..ServiceForm::default()
    };
    let body = service_form_html(&index, &session, &form, false, "/admin/services/new");
    page(StatusCode::OK, "New listing", Some(&session), &body)
}

async fn create_service(
    State(admin): AdminState,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (session, fields) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let index = admin.directory.index();
    let form = ServiceForm::from_fields(&fields);
    let catalog = match build(&index, &form, None) {
        Ok(c) => c,
        Err(problems) => {
            let body = errors(&problems)
                + &service_form_html(&index, &session, &form, false, "/admin/services/new");
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "New listing",
                Some(&session),
                &body,
            );
        }
    };
    let id = catalog.services[0].id.clone();
    if let Err(e) = admin.directory.import(&catalog).await {
        return failure(e.into(), Some(&session));
    }
    let name = catalog.services[0].name.default.clone();
    audited_then(
        &admin,
        &session,
        admin.now(),
        "listing created",
        &format!("service {id}"),
        &name,
        &format!("/admin/services/{id}?notice=created"),
    )
    .await
}

fn listing_id(raw: &str) -> Option<RecordId> {
    RecordId::parse(raw).ok()
}

fn not_found(session: &Session) -> Response {
    page(
        StatusCode::NOT_FOUND,
        "No such listing",
        Some(session),
        "<p>It may have been deleted. <a href=\"/admin/\">Back to the list</a>.</p>",
    )
}

async fn edit_service(
    State(admin): AdminState,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let index = admin.directory.index();
    let Some(listing) = listing_id(&id).and_then(|id| index.listing(&id)) else {
        return not_found(&session);
    };
    let service = listing.service;
    let path = format!("/admin/services/{}", service.id);
    let mut body = String::from(notice(&query.notice));
    let _ = write!(
        body,
        "<p class=\"muted\">Id {} · organization {} · last verified {}</p><p>{} {}</p>",
        Esc(service.id.as_str()),
        Esc(&listing.organization.name.default),
        verified_text(service.assured_date),
        button(&session, &format!("{path}/verify"), "Verified today", ""),
        button(&session, &format!("{path}/delete"), "Delete", "danger"),
    );
    if !service.name.translations.is_empty() {
        body.push_str(
            "<p class=\"muted\">Translations of the name and description are kept as they \
             are; change them by import.</p>",
        );
    }
    body.push_str(&service_form_html(
        &index,
        &session,
        &ServiceForm::of(service),
        true,
        &path,
    ));
    page(StatusCode::OK, &service.name.default, Some(&session), &body)
}

async fn update_service(
    State(admin): AdminState,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let (session, fields) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let index = admin.directory.index();
    let Some(listing) = listing_id(&id).and_then(|id| index.listing(&id)) else {
        return not_found(&session);
    };
    let before = listing.service.clone();
    let form = ServiceForm::from_fields(&fields);
    let path = format!("/admin/services/{}", before.id);
    let catalog = match build(&index, &form, Some(&before)) {
        Ok(c) => c,
        Err(problems) => {
            let body = errors(&problems) + &service_form_html(&index, &session, &form, true, &path);
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &before.name.default,
                Some(&session),
                &body,
            );
        }
    };
    drop(index);
    if let Err(e) = admin.directory.import(&catalog).await {
        return failure(e.into(), Some(&session));
    }
    let detail = changed_fields(&before, &catalog.services[0]);
    audited_then(
        &admin,
        &session,
        admin.now(),
        "listing edited",
        &format!("service {}", before.id),
        &detail,
        &format!("{path}?notice=saved"),
    )
    .await
}

async fn verify_service(
    State(admin): AdminState,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let (session, _) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(id) = listing_id(&id) else {
        return not_found(&session);
    };
    let now = admin.now();
    match admin.directory.mark_verified(&id, now.date_naive()).await {
        Ok(()) => {}
        Err(DirectoryError::NotFound(_)) => return not_found(&session),
        Err(e) => return failure(e.into(), Some(&session)),
    }
    audited_then(
        &admin,
        &session,
        now,
        "listing verified",
        &format!("service {id}"),
        &now.date_naive().to_string(),
        &format!("/admin/services/{id}?notice=verified"),
    )
    .await
}

async fn delete_service(
    State(admin): AdminState,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let (session, _) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(id) = listing_id(&id) else {
        return not_found(&session);
    };
    let name = admin
        .directory
        .index()
        .listing(&id)
        .map(|l| l.service.name.default.clone())
        .unwrap_or_default();
    match admin.directory.delete_service(&id).await {
        Ok(()) => {}
        Err(DirectoryError::NotFound(_)) => return not_found(&session),
        Err(e) => return failure(e.into(), Some(&session)),
    }
    audited_then(
        &admin,
        &session,
        admin.now(),
        "listing deleted",
        &format!("service {id}"),
        &name,
        "/admin/?notice=deleted",
    )
    .await
}

// ----- import and export -------------------------------------------------------------------

fn import_form(session: &Session) -> String {
    let mut out = format!(
        "<h2>Import</h2><p>An HSDS 3.0 JSON file, or the CSV package: select all its .csv \
         files at once (organizations.csv, services.csv, locations.csv…). Records are matched by \
         id; any problem refuses the whole import and nothing changes.</p>\
         <form method=\"post\" action=\"/admin/import\" enctype=\"multipart/form-data\">{}\
         <input type=\"file\" name=\"files\" multiple accept=\".json,.csv\">\
         <p><button type=\"submit\">Import</button></p></form><h2>Export</h2>\
         <p><a class=\"button\" href=\"/admin/export/services.json\">HSDS JSON</a></p><p>CSV:",
        csrf_field(session)
    );
    for name in crate::directory::hsds::csv::file_names() {
        let _ = write!(out, " <a href=\"/admin/export/csv/{name}\">{name}</a>");
    }
    out.push_str("</p><p class=\"muted\">Confidential shelters are exported without address or coordinates.</p>");
    out
}

async fn import_page(State(admin): AdminState, headers: HeaderMap) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    page(
        StatusCode::OK,
        "Import / export",
        Some(&session),
        &import_form(&session),
    )
}

async fn import(State(admin): AdminState, request: axum::extract::Request) -> Response {
    // The session first: a stranger's upload is refused before its body is read.
    let session = match signed_in(&admin, request.headers()).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    use axum::extract::FromRequest as _;
    let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Import / export",
            Some(&session),
            &(errors(&["send the files with the form on this page".to_owned()])
                + &import_form(&session)),
        );
    };
    let mut csrf = String::new();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut problems = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                problems.push("the upload was cut short or too large (20 MB at most)".to_owned());
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let Ok(bytes) = field.bytes().await else {
            problems.push("the upload was cut short or too large (20 MB at most)".to_owned());
            break;
        };
        match (name.as_str(), file_name) {
            ("csrf", _) => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            ("files", Some(file)) if !file.is_empty() => match String::from_utf8(bytes.to_vec()) {
                Ok(text) => {
                    let base = file.rsplit(['/', '\\']).next().unwrap_or(&file).to_owned();
                    files.insert(base, text);
                }
                Err(_) => problems.push(format!("{file}: is not UTF-8 text")),
            },
            _ => {}
        }
    }
    if let Err(r) = check_csrf(&session, &csrf) {
        return r;
    }
    if files.is_empty() && problems.is_empty() {
        problems.push("choose a .json file or the .csv files of a package".to_owned());
    }
    let json: Vec<&String> = files
        .iter()
        .filter(|(name, _)| name.ends_with(".json"))
        .map(|(_, text)| text)
        .collect();
    if json.len() > 1 || (json.len() == 1 && files.len() > 1) {
        problems.push("import one JSON file, or only .csv files".to_owned());
    }
    let show = |problems: &[String]| {
        let body = errors(problems) + &import_form(&session);
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Import / export",
            Some(&session),
            &body,
        )
    };
    if !problems.is_empty() {
        return show(&problems);
    }
    let directory = admin.directory.clone();
    let outcome = if let [text] = json.as_slice() {
        directory.import_json(text).await
    } else {
        let index = directory.index();
        match crate::directory::hsds::csv::read_files(&files, index.cities()) {
            Ok(parsed) => directory.import(&parsed.catalog).await.map(|mut r| {
                r.ignored = parsed.ignored;
                r
            }),
            Err(p) => Err(DirectoryError::Invalid(p)),
        }
    };
    let report = match outcome {
        Ok(r) => r,
        Err(DirectoryError::Invalid(p)) => {
            let problems: Vec<String> = p.0.iter().map(|p| p.to_string()).collect();
            return show(&problems);
        }
        Err(e) => return failure(e.into(), Some(&session)),
    };
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    let summary = report.to_string().replace('\n', "; ");
    if let Err(page) = audited(
        &admin,
        &session,
        admin.now(),
        "import",
        &names.join(", "),
        &summary,
    )
    .await
    {
        return page;
    }
    let body = format!(
        "<div class=\"notice\"><p>Imported.</p><pre>{}</pre></div>{}",
        Esc(&report.to_string()),
        import_form(&session)
    );
    page(StatusCode::OK, "Import / export", Some(&session), &body)
}

fn download(name: &str, content_type: &'static str, text: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        text,
    )
        .into_response()
}

async fn export_json(State(admin): AdminState, headers: HeaderMap) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match admin.directory.export_json().await {
        Ok(text) => download("services.json", "application/json", text),
        Err(e) => failure(e.into(), Some(&session)),
    }
}

async fn export_csv(
    State(admin): AdminState,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let files = match admin.directory.export_csv().await {
        Ok(f) => f,
        Err(e) => return failure(e.into(), Some(&session)),
    };
    match files.into_iter().find(|(file, _)| *file == name) {
        Some((file, text)) => download(file, "text/csv; charset=utf-8", text),
        None => page(
            StatusCode::NOT_FOUND,
            "No such file",
            Some(&session),
            "<p><a href=\"/admin/import\">Back</a></p>",
        ),
    }
}

// ----- staff -------------------------------------------------------------------------------

fn role_select(name: &str, current: Option<Role>) -> String {
    let mut out = format!("<select name=\"{name}\">");
    for role in Role::ALL {
        let selected = if current == Some(role) {
            " selected"
        } else {
            ""
        };
        let _ = write!(out, "<option value=\"{role}\"{selected}>{role}</option>");
    }
    out.push_str("</select>");
    out
}

async fn staff_body(admin: &Admin, session: &Session, extra: &str) -> Result<String, AdminError> {
    let staff = &admin.staff;
    let mut body = String::from(extra);
    body.push_str(
        "<table class=\"list\"><thead><tr><th>Name</th><th>Role</th><th>Team</th>\
         <th>Telegram id</th><th></th></tr></thead><tbody>",
    );
    let all_teams = admin.teams.list().await?;
    for m in staff.list().await? {
        let base = format!("/admin/staff/{}", m.id);
        let _ = write!(
            body,
            "<tr><td>{}</td><td><form method=\"post\" action=\"{base}/role\" style=\"display:inline\">{}{}\
             <button type=\"submit\" class=\"quiet\">Change</button></form></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            Esc(m.name.as_str()),
            csrf_field(session),
            role_select("role", Some(m.role)),
            teams::team_cell(session, &m, &all_teams),
            m.telegram_id,
            if m.id == session.staff.id {
                "(you)".to_owned()
            } else {
                button(session, &format!("{base}/remove"), "Remove", "danger")
            }
        );
    }
    let _ = write!(
        body,
        "</tbody></table><h2>Add by Telegram id</h2>\
         <form method=\"post\" action=\"/admin/staff/add\">{csrf}\
         <label for=\"telegram_id\">Telegram user id (she can see it with @userinfobot)</label>\
         <input type=\"number\" id=\"telegram_id\" name=\"telegram_id\" min=\"1\">\
         <label for=\"add_name\">The name women see</label><input type=\"text\" id=\"add_name\" name=\"name\" maxlength=\"32\">\
         <label>Role</label>{roles}<p><button type=\"submit\">Add</button></p></form>\
         <h2>Invite link</h2><p>A link that registers whoever opens it in Telegram, once, within 48 \
         hours. Send it to her privately.</p>\
         <form method=\"post\" action=\"/admin/staff/invite\">{csrf}\
         <label for=\"invite_name\">The name women will see</label><input type=\"text\" id=\"invite_name\" name=\"name\" maxlength=\"32\">\
         <label>Role</label>{roles}<p><button type=\"submit\">Create an invite link</button></p></form>",
        csrf = csrf_field(session),
        roles = role_select("role", Some(Role::Consultant)),
    );
    Ok(body)
}

async fn staff_page(State(admin): AdminState, headers: HeaderMap) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match staff_body(&admin, &session, "").await {
        Ok(body) => page(StatusCode::OK, "Staff", Some(&session), &body),
        Err(e) => failure(e, Some(&session)),
    }
}

async fn staff_result(
    admin: &Admin,
    session: &Session,
    status: StatusCode,
    extra: &str,
) -> Response {
    match staff_body(admin, session, extra).await {
        Ok(body) => page(status, "Staff", Some(session), &body),
        Err(e) => failure(e, Some(session)),
    }
}

async fn staff_add(
    State(admin): AdminState,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (session, fields) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut problems = Vec::new();
    let telegram_id = fields
        .get("telegram_id")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0);
    if telegram_id.is_none() {
        problems.push("Telegram id: a positive number".to_owned());
    }
    let name = StaffName::parse(fields.get("name"));
    if let Err(e) = &name {
        problems.push(format!("Name: {e}"));
    }
    let role = Role::parse(fields.get("role"));
    if let Err(e) = &role {
        problems.push(format!("Role: {e}"));
    }
    let (Some(telegram_id), Ok(name), Ok(role)) = (telegram_id, name, role) else {
        return staff_result(
            &admin,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors(&problems),
        )
        .await;
    };
    let staff = &admin.staff;
    let now = admin.now();
    let member = match staff.add(telegram_id, &name, role, now).await {
        Ok(m) => m,
        Err(e) => return failure(e.into(), Some(&session)),
    };
    if member.role != Role::Coordinator
        && let Err(e) = admin.auth.end_sessions_of(member.id).await
    {
        return failure(e, Some(&session));
    }
    audited_then(
        &admin,
        &session,
        now,
        "staff added",
        &format!("staff {}", member.name),
        &format!("role {}", member.role),
        "/admin/staff",
    )
    .await
}

async fn staff_invite(
    State(admin): AdminState,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (session, fields) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (name, role) = match (
        StaffName::parse(fields.get("name")),
        Role::parse(fields.get("role")),
    ) {
        (Ok(n), Ok(r)) => (n, r),
        (n, r) => {
            let problems: Vec<String> = [
                n.err().map(|e| format!("Name: {e}")),
                r.err().map(|e| format!("Role: {e}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            return staff_result(
                &admin,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                &errors(&problems),
            )
            .await;
        }
    };
    let now = admin.now();
    let token = match admin.auth.mint_invite(&name, role, now).await {
        Ok(t) => t,
        Err(e) => return failure(e, Some(&session)),
    };
    if let Err(page) = audited(
        &admin,
        &session,
        now,
        "invite created",
        &format!("staff {name}"),
        &format!("role {role}"),
    )
    .await
    {
        return page;
    }
    let extra = match admin.invite_url(&token) {
        Some(url) => format!(
            "<div class=\"notice\"><p>Invite for {} ({role}), shown only now; it works once, \
             within 48 hours:</p><p><code id=\"invite\">{}</code></p></div>",
            Esc(name.as_str()),
            Esc(&url)
        ),
        None => format!(
            "<div class=\"errors\"><p>The bot's username is not known yet (Telegram was not \
             reachable at start). She can send the bot: <code>/start staff-{}</code></p></div>",
            Esc(&token)
        ),
    };
    staff_result(&admin, &session, StatusCode::OK, &extra).await
}

async fn staff_role(
    State(admin): AdminState,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let (session, fields) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(role) = Role::parse(fields.get("role")) else {
        return staff_result(
            &admin,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors(&["Role: consultant or coordinator".to_owned()]),
        )
        .await;
    };
    let staff = &admin.staff;
    let member = match staff.by_id(id).await {
        Ok(Some(m)) => m,
        Ok(None) => {
            return staff_result(
                &admin,
                &session,
                StatusCode::NOT_FOUND,
                &errors(&["no such staff member".to_owned()]),
            )
            .await;
        }
        Err(e) => return failure(e.into(), Some(&session)),
    };
    if let Err(e) = staff.set_role(id, role).await {
        return failure(e.into(), Some(&session));
    }
    if role != Role::Coordinator
        && let Err(e) = admin.auth.end_sessions_of(id).await
    {
        return failure(e, Some(&session));
    }
    audited_then(
        &admin,
        &session,
        admin.now(),
        "role changed",
        &format!("staff {}", member.name),
        &format!("{} → {role}", member.role),
        "/admin/staff",
    )
    .await
}

async fn staff_remove(
    State(admin): AdminState,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let (session, _) = match post_guard(&admin, &headers, &body).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if id == session.staff.id {
        return staff_result(
            &admin,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors(&["you cannot remove yourself; ask another coordinator".to_owned()]),
        )
        .await;
    }
    if let Err(e) = admin.auth.end_sessions_of(id).await {
        return failure(e, Some(&session));
    }
    let staff = &admin.staff;
    let member = match staff.remove(id).await {
        Ok(m) => m,
        Err(crate::staff::StaffError::NotFound) => {
            return staff_result(
                &admin,
                &session,
                StatusCode::NOT_FOUND,
                &errors(&["no such staff member".to_owned()]),
            )
            .await;
        }
        Err(e) => return failure(e.into(), Some(&session)),
    };
    audited_then(
        &admin,
        &session,
        admin.now(),
        "staff removed",
        &format!("staff {}", member.name),
        &format!("was {}", member.role),
        "/admin/staff",
    )
    .await
}

// ----- audit -------------------------------------------------------------------------------

async fn audit_page(State(admin): AdminState, headers: HeaderMap) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let entries = match admin.audit.recent(500).await {
        Ok(e) => e,
        Err(e) => return failure(e, Some(&session)),
    };
    let mut body = String::from(
        "<p class=\"muted\">The newest 500 changes, newest first (UTC).</p><table class=\"list\"><thead><tr><th>When</th><th>Who</th>\
         <th>What</th><th>Subject</th><th>Detail</th></tr></thead><tbody>",
    );
    for e in &entries {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.at.format("%Y-%m-%d %H:%M"),
            Esc(&e.actor),
            Esc(&e.action),
            Esc(&e.subject),
            Esc(&e.detail)
        );
    }
    body.push_str("</tbody></table>");
    page(StatusCode::OK, "Audit log", Some(&session), &body)
}

// ----- statistics --------------------------------------------------------------------------

/// The published (suppressed) tables: nothing else ever reaches the page or the CSV.
async fn published(admin: &Admin) -> Result<Vec<crate::stats::suppress::Published>, AdminError> {
    let rows = admin.counters.rows().await?;
    Ok(crate::stats::report::tables(&rows))
}

async fn stats_page(State(admin): AdminState, headers: HeaderMap) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match published(&admin).await {
        Ok(tables) => {
            let body = crate::stats::report::page(&tables, "/admin/stats.csv");
            page(StatusCode::OK, "Statistics", Some(&session), &body)
        }
        Err(e) => failure(e, Some(&session)),
    }
}

async fn stats_csv(State(admin): AdminState, headers: HeaderMap) -> Response {
    let session = match signed_in(&admin, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match published(&admin).await {
        Ok(tables) => download(
            "statistics.csv",
            "text/csv; charset=utf-8",
            crate::stats::report::csv(&tables),
        ),
        Err(e) => failure(e, Some(&session)),
    }
}
