//! The SQL both backends run. The statements are the same text on SQLite and Postgres (`$1`
//! placeholders work on both through sqlx), so [`directory_backend!`] writes each backend's
//! `Directory` impl from one body, and rows become records in one place ([`assemble`]).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::DirectoryError;
use super::cities::CityId;
use super::model::{
    Address, Attribute, Catalog, GeoPoint, Language, LanguageCode, Location, Organization, Phone,
    Placement, RecordId, Schedule, Service, ServiceAtLocation, ServiceTerm, Status, Text,
    format_time, parse_time, parse_weekday, weekday_code,
};
use crate::domain::{CountryCode, Locale, PhoneNumber};

pub(super) type OrganizationRow = (String, String, String, Option<String>, String);
pub(super) type LocationRow = (
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    bool,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<f64>,
);
pub(super) type ServiceRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
);
/// `(id, service_id, a, b)`: a service's child with one or two values.
pub(super) type ChildRow = (String, String, String, Option<String>);
pub(super) type ScheduleRow = (String, String, String, String, String, Option<String>);

pub(super) const SELECT_ORGANIZATIONS: &str =
    "SELECT id, name, description, website, translations FROM directory_organizations";
pub(super) const SELECT_LOCATIONS: &str = "SELECT id, organization_id, name, country, city, \
     confidential, street, postal_code, latitude, longitude FROM directory_locations";
pub(super) const SELECT_SERVICES: &str = "SELECT id, organization_id, name, description, \
     translations, status, assured_date, url, email FROM directory_services";
pub(super) const SELECT_AT_LOCATIONS: &str = "SELECT id, service_id, location_id, NULL \
     FROM directory_service_at_locations ORDER BY service_id, position";
pub(super) const SELECT_PHONES: &str = "SELECT id, service_id, number, description \
     FROM directory_phones ORDER BY service_id, position";
pub(super) const SELECT_LANGUAGES: &str = "SELECT id, service_id, code, name \
     FROM directory_languages ORDER BY service_id, position";
pub(super) const SELECT_ATTRIBUTES: &str = "SELECT id, service_id, term, NULL \
     FROM directory_attributes ORDER BY service_id, position";
pub(super) const SELECT_SCHEDULES: &str = "SELECT id, service_id, byday, opens_at, closes_at, \
     description FROM directory_schedules ORDER BY service_id, position";

pub(super) const UPSERT_ORGANIZATION: &str = "INSERT INTO directory_organizations \
     (id, name, description, website, translations) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, \
     website = excluded.website, translations = excluded.translations";
pub(super) const UPSERT_LOCATION: &str = "INSERT INTO directory_locations \
     (id, organization_id, name, country, city, confidential, street, postal_code, latitude, \
     longitude) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
     ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, \
     name = excluded.name, country = excluded.country, city = excluded.city, \
     confidential = excluded.confidential, street = excluded.street, \
     postal_code = excluded.postal_code, latitude = excluded.latitude, \
     longitude = excluded.longitude";
pub(super) const UPSERT_SERVICE: &str = "INSERT INTO directory_services \
     (id, organization_id, name, description, translations, status, assured_date, url, email) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, \
     name = excluded.name, description = excluded.description, \
     translations = excluded.translations, status = excluded.status, \
     assured_date = excluded.assured_date, url = excluded.url, email = excluded.email";
/// Children are replaced whole: delete the service's, then insert the file's. An id that
/// belonged to another service moves (last import wins), so no id is ever stored twice.
pub(super) const DELETE_CHILDREN: [&str; 5] = [
    "DELETE FROM directory_service_at_locations WHERE service_id = $1",
    "DELETE FROM directory_phones WHERE service_id = $1",
    "DELETE FROM directory_schedules WHERE service_id = $1",
    "DELETE FROM directory_languages WHERE service_id = $1",
    "DELETE FROM directory_attributes WHERE service_id = $1",
];
pub(super) const UPSERT_AT_LOCATION: &str = "INSERT INTO directory_service_at_locations \
     (id, service_id, position, location_id) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (id) DO UPDATE SET service_id = excluded.service_id, \
     position = excluded.position, location_id = excluded.location_id";
pub(super) const UPSERT_PHONE: &str = "INSERT INTO directory_phones \
     (id, service_id, position, number, description) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (id) DO UPDATE SET service_id = excluded.service_id, \
     position = excluded.position, number = excluded.number, description = excluded.description";
pub(super) const UPSERT_LANGUAGE: &str = "INSERT INTO directory_languages \
     (id, service_id, position, code, name) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (id) DO UPDATE SET service_id = excluded.service_id, \
     position = excluded.position, code = excluded.code, name = excluded.name";
pub(super) const UPSERT_ATTRIBUTE: &str = "INSERT INTO directory_attributes \
     (id, service_id, position, term) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (id) DO UPDATE SET service_id = excluded.service_id, \
     position = excluded.position, term = excluded.term";
pub(super) const UPSERT_SCHEDULE: &str = "INSERT INTO directory_schedules \
     (id, service_id, position, byday, opens_at, closes_at, description) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) \
     ON CONFLICT (id) DO UPDATE SET service_id = excluded.service_id, \
     position = excluded.position, byday = excluded.byday, opens_at = excluded.opens_at, \
     closes_at = excluded.closes_at, description = excluded.description";
pub(super) const SET_ASSURED: &str =
    "UPDATE directory_services SET assured_date = $1 WHERE id = $2";
pub(super) const DELETE_SERVICE: &str = "DELETE FROM directory_services WHERE id = $1";
pub(super) const SET_STATUS: &str = "UPDATE directory_services SET status = $1 WHERE id = $2";
/// Raised in the transaction of every change, so other instances know to reload.
pub(super) const BUMP_VERSION: &str =
    "UPDATE directory_version SET version = version + 1 WHERE id = 1";
pub(super) const VERSION: &str = "SELECT version FROM directory_version WHERE id = 1";

/// Name and description translations as stored.
pub(super) fn translations_json(name: &Text, description: &Text) -> String {
    fn map(t: &Text) -> BTreeMap<&'static str, &str> {
        t.translations
            .iter()
            .map(|(l, s)| (l.code(), s.as_str()))
            .collect()
    }
    serde_json::json!({ "name": map(name), "description": map(description) }).to_string()
}

pub(super) fn byday(schedule: &Schedule) -> String {
    schedule
        .days
        .iter()
        .map(|d| weekday_code(*d))
        .collect::<Vec<_>>()
        .join(",")
}

pub(super) fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

pub(super) fn street(
    location: &Location,
) -> (Option<&str>, Option<&str>, Option<f64>, Option<f64>) {
    match &location.placement {
        Placement::Confidential => (None, None, None, None),
        Placement::Public { address, point } => (
            address.as_ref().map(|a| a.street.as_str()),
            address.as_ref().and_then(|a| a.postal_code.as_deref()),
            point.map(|p| p.lat()),
            point.map(|p| p.lon()),
        ),
    }
}

fn corrupt(what: impl Into<String>) -> DirectoryError {
    DirectoryError::Corrupt { what: what.into() }
}

fn id(s: &str, table: &str) -> Result<RecordId, DirectoryError> {
    RecordId::parse(s).map_err(|e| corrupt(format!("an id in {table} {e}")))
}

fn texts(
    default_name: String,
    default_description: String,
    json: &str,
    table: &str,
    row: &RecordId,
) -> Result<(Text, Text), DirectoryError> {
    let bad = || corrupt(format!("{table} {row}: translations"));
    let value: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(json).map_err(|_| bad())?;
    let mut name = Text::plain(default_name);
    let mut description = Text::plain(default_description);
    for (field, target) in [("name", &mut name), ("description", &mut description)] {
        for (code, text) in value.get(field).into_iter().flatten() {
            let locale = Locale::parse(code).map_err(|_| bad())?;
            target.translations.insert(locale, text.clone());
        }
    }
    Ok((name, description))
}

/// The rows of every directory table, as read.
pub(super) struct Rows {
    pub organizations: Vec<OrganizationRow>,
    pub locations: Vec<LocationRow>,
    pub services: Vec<ServiceRow>,
    pub at_locations: Vec<ChildRow>,
    pub phones: Vec<ChildRow>,
    pub languages: Vec<ChildRow>,
    pub attributes: Vec<ChildRow>,
    pub schedules: Vec<ScheduleRow>,
}

/// Rows → records, checking each value as an import would.
pub(super) fn assemble(rows: Rows) -> Result<Catalog, DirectoryError> {
    let mut catalog = Catalog::default();
    for (oid, name, description, website, translations) in rows.organizations {
        let oid = id(&oid, "directory_organizations")?;
        let (name, description) = texts(name, description, &translations, "organization", &oid)?;
        catalog.organizations.push(Organization {
            id: oid,
            name,
            description,
            website,
        });
    }
    for (lid, organization_id, name, country, city, confidential, street, postal_code, lat, lon) in
        rows.locations
    {
        let lid = id(&lid, "directory_locations")?;
        let bad = |what: &str| corrupt(format!("location {lid}: {what}"));
        let placement = if confidential {
            Placement::Confidential
        } else {
            Placement::Public {
                address: street.map(|street| Address {
                    street,
                    postal_code,
                }),
                point: match (lat, lon) {
                    (Some(lat), Some(lon)) => {
                        Some(GeoPoint::new(lat, lon).map_err(|_| bad("coordinates"))?)
                    }
                    _ => None,
                },
            }
        };
        catalog.locations.push(Location {
            organization_id: organization_id
                .map(|o| id(&o, "directory_locations"))
                .transpose()?,
            name,
            country: CountryCode::parse(&country).map_err(|_| bad("country"))?,
            city: CityId::parse(&city).map_err(|_| bad("city"))?,
            placement,
            id: lid,
        });
    }

    let mut children: HashMap<String, Service> = HashMap::new();
    for (sid, organization_id, name, description, translations, status, assured_date, url, email) in
        rows.services
    {
        let service_id = id(&sid, "directory_services")?;
        let (name, description) = texts(name, description, &translations, "service", &service_id)?;
        let status = Status::parse(&status)
            .ok_or_else(|| corrupt(format!("service {service_id}: status")))?;
        children.insert(
            sid,
            Service {
                organization_id: id(&organization_id, "directory_services")?,
                name,
                description,
                status,
                assured_date,
                url,
                email,
                phones: Vec::new(),
                schedules: Vec::new(),
                languages: Vec::new(),
                attributes: Vec::new(),
                at_locations: Vec::new(),
                id: service_id,
            },
        );
    }
    fn parent<'a>(
        children: &'a mut HashMap<String, Service>,
        sid: &str,
        table: &str,
    ) -> Result<&'a mut Service, DirectoryError> {
        children
            .get_mut(sid)
            .ok_or_else(|| corrupt(format!("{table} refers to a missing service")))
    }
    for (cid, sid, location_id, _) in rows.at_locations {
        let at = ServiceAtLocation {
            id: id(&cid, "directory_service_at_locations")?,
            location_id: id(&location_id, "directory_service_at_locations")?,
        };
        parent(&mut children, &sid, "directory_service_at_locations")?
            .at_locations
            .push(at);
    }
    for (cid, sid, number, description) in rows.phones {
        let phone = Phone {
            id: id(&cid, "directory_phones")?,
            number: PhoneNumber::parse(&number)
                .map_err(|_| corrupt("a number in directory_phones"))?,
            description,
        };
        parent(&mut children, &sid, "directory_phones")?
            .phones
            .push(phone);
    }
    for (cid, sid, code, name) in rows.languages {
        let language = Language {
            id: id(&cid, "directory_languages")?,
            code: LanguageCode::parse(&code)
                .map_err(|_| corrupt("a code in directory_languages"))?,
            name,
        };
        parent(&mut children, &sid, "directory_languages")?
            .languages
            .push(language);
    }
    for (cid, sid, term, _) in rows.attributes {
        let attribute = Attribute {
            id: id(&cid, "directory_attributes")?,
            term: ServiceTerm::parse(&term)
                .ok_or_else(|| corrupt("a term in directory_attributes"))?,
        };
        parent(&mut children, &sid, "directory_attributes")?
            .attributes
            .push(attribute);
    }
    for (cid, sid, byday, opens, closes, description) in rows.schedules {
        let bad = || corrupt("a schedule in directory_schedules");
        let days = byday
            .split(',')
            .map(|d| parse_weekday(d).ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()?;
        let schedule = Schedule {
            id: id(&cid, "directory_schedules")?,
            days,
            opens: parse_time(&opens).map_err(|_| bad())?,
            closes: parse_time(&closes).map_err(|_| bad())?,
            description,
        };
        parent(&mut children, &sid, "directory_schedules")?
            .schedules
            .push(schedule);
    }
    catalog.services = children.into_values().collect();
    Ok(catalog.sorted())
}

pub(super) fn time_text(t: chrono::NaiveTime) -> String {
    format_time(t)
}

/// Implements [`Directory`](super::Directory) for a backend struct with fields `pool`,
/// `cities`, `settings` and `index: std::sync::RwLock<Arc<Index>>`.
macro_rules! directory_backend {
    ($backend:ty) => {
        impl $backend {
            async fn read_rows(&self) -> Result<$crate::directory::model::Catalog, DirectoryError> {
                use $crate::directory::sql::*;
                let failed = || DirectoryError::database("loading the directory");
                let pool = &self.pool;
                let rows = Rows {
                    organizations: sqlx::query_as(SELECT_ORGANIZATIONS)
                        .fetch_all(pool)
                        .await
                        .map_err(|e| DirectoryError::Database {
                            doing: "loading the directory",
                            source: e,
                        })?,
                    locations: sqlx::query_as(SELECT_LOCATIONS)
                        .fetch_all(pool)
                        .await
                        .map_err(failed())?,
                    services: sqlx::query_as(SELECT_SERVICES)
                        .fetch_all(pool)
                        .await
                        .map_err(failed())?,
                    at_locations: sqlx::query_as(SELECT_AT_LOCATIONS)
                        .fetch_all(pool)
                        .await
                        .map_err(failed())?,
                    phones: sqlx::query_as(SELECT_PHONES)
                        .fetch_all(pool)
                        .await
                        .map_err(failed())?,
                    languages: sqlx::query_as(SELECT_LANGUAGES)
                        .fetch_all(pool)
                        .await
                        .map_err(failed())?,
                    attributes: sqlx::query_as(SELECT_ATTRIBUTES)
                        .fetch_all(pool)
                        .await
                        .map_err(failed())?,
                    schedules: sqlx::query_as(SELECT_SCHEDULES)
                        .fetch_all(pool)
                        .await
                        .map_err(failed())?,
                };
                assemble(rows)
            }

            async fn write_changes(
                &self,
                changes: &$crate::directory::Changes<'_>,
                existing: &std::collections::HashSet<&$crate::directory::model::RecordId>,
            ) -> Result<(), DirectoryError> {
                use $crate::directory::sql::*;
                let failed = || DirectoryError::database("importing");
                let mut tx = self.pool.begin().await.map_err(failed())?;
                for o in &changes.organizations {
                    sqlx::query(UPSERT_ORGANIZATION)
                        .bind(o.id.as_str())
                        .bind(o.name.default.as_str())
                        .bind(o.description.default.as_str())
                        .bind(o.website.as_deref())
                        .bind(translations_json(&o.name, &o.description))
                        .execute(&mut *tx)
                        .await
                        .map_err(failed())?;
                }
                for l in &changes.locations {
                    let (street, postal_code, lat, lon) = street(l);
                    sqlx::query(UPSERT_LOCATION)
                        .bind(l.id.as_str())
                        .bind(l.organization_id.as_ref().map(|o| o.as_str()))
                        .bind(l.name.as_deref())
                        .bind(l.country.as_str())
                        .bind(l.city.as_str())
                        .bind(l.is_confidential())
                        .bind(street)
                        .bind(postal_code)
                        .bind(lat)
                        .bind(lon)
                        .execute(&mut *tx)
                        .await
                        .map_err(failed())?;
                }
                for s in &changes.services {
                    let sid = s.id.as_str();
                    sqlx::query(UPSERT_SERVICE)
                        .bind(sid)
                        .bind(s.organization_id.as_str())
                        .bind(s.name.default.as_str())
                        .bind(s.description.default.as_str())
                        .bind(translations_json(&s.name, &s.description))
                        .bind(s.status.as_str())
                        .bind(s.assured_date)
                        .bind(s.url.as_deref())
                        .bind(s.email.as_deref())
                        .execute(&mut *tx)
                        .await
                        .map_err(failed())?;
                    if existing.contains(&s.id) {
                        for statement in DELETE_CHILDREN {
                            sqlx::query(statement)
                                .bind(sid)
                                .execute(&mut *tx)
                                .await
                                .map_err(failed())?;
                        }
                    }
                    for (i, a) in s.at_locations.iter().enumerate() {
                        sqlx::query(UPSERT_AT_LOCATION)
                            .bind(a.id.as_str())
                            .bind(sid)
                            .bind(position(i))
                            .bind(a.location_id.as_str())
                            .execute(&mut *tx)
                            .await
                            .map_err(failed())?;
                    }
                    for (i, p) in s.phones.iter().enumerate() {
                        sqlx::query(UPSERT_PHONE)
                            .bind(p.id.as_str())
                            .bind(sid)
                            .bind(position(i))
                            .bind(p.number.as_str())
                            .bind(p.description.as_deref())
                            .execute(&mut *tx)
                            .await
                            .map_err(failed())?;
                    }
                    for (i, l) in s.languages.iter().enumerate() {
                        sqlx::query(UPSERT_LANGUAGE)
                            .bind(l.id.as_str())
                            .bind(sid)
                            .bind(position(i))
                            .bind(l.code.as_str())
                            .bind(l.name.as_deref())
                            .execute(&mut *tx)
                            .await
                            .map_err(failed())?;
                    }
                    for (i, a) in s.attributes.iter().enumerate() {
                        sqlx::query(UPSERT_ATTRIBUTE)
                            .bind(a.id.as_str())
                            .bind(sid)
                            .bind(position(i))
                            .bind(a.term.code())
                            .execute(&mut *tx)
                            .await
                            .map_err(failed())?;
                    }
                    for (i, x) in s.schedules.iter().enumerate() {
                        sqlx::query(UPSERT_SCHEDULE)
                            .bind(x.id.as_str())
                            .bind(sid)
                            .bind(position(i))
                            .bind(byday(x))
                            .bind(time_text(x.opens))
                            .bind(time_text(x.closes))
                            .bind(x.description.as_deref())
                            .execute(&mut *tx)
                            .await
                            .map_err(failed())?;
                    }
                }
                sqlx::query(BUMP_VERSION)
                    .execute(&mut *tx)
                    .await
                    .map_err(failed())?;
                tx.commit().await.map_err(failed())
            }

            async fn version(&self) -> Result<i64, DirectoryError> {
                sqlx::query_scalar($crate::directory::sql::VERSION)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(DirectoryError::database("reading the directory's version"))
            }

            fn swap(&self, index: std::sync::Arc<Index>) {
                match self.index.write() {
                    Ok(mut current) => *current = index,
                    Err(poisoned) => *poisoned.into_inner() = index,
                }
            }
        }

        #[async_trait::async_trait]
        impl Directory for $backend {
            fn index(&self) -> std::sync::Arc<Index> {
                match self.index.read() {
                    Ok(index) => index.clone(),
                    Err(poisoned) => poisoned.into_inner().clone(),
                }
            }

            async fn refresh(&self) -> Result<std::sync::Arc<Index>, DirectoryError> {
                // The version first: a change committed while the rows are read makes the next
                // check reload once more, never miss it.
                let version = self.version().await?;
                let catalog = self.read_rows().await?;
                let index = std::sync::Arc::new(Index::build(
                    catalog,
                    self.cities.clone(),
                    self.settings.clone(),
                ));
                self.swap(index.clone());
                self.loaded
                    .store(version, std::sync::atomic::Ordering::Relaxed);
                Ok(index)
            }

            async fn refresh_if_changed(&self) -> Result<bool, DirectoryError> {
                let loaded = self.loaded.load(std::sync::atomic::Ordering::Relaxed);
                if self.version().await? == loaded {
                    return Ok(false);
                }
                self.refresh().await?;
                Ok(true)
            }

            async fn load(&self) -> Result<$crate::directory::model::Catalog, DirectoryError> {
                self.read_rows().await
            }

            async fn import(
                &self,
                catalog: &$crate::directory::model::Catalog,
            ) -> Result<$crate::directory::ImportReport, DirectoryError> {
                let existing = self.read_rows().await?;
                let (changes, report) = $crate::directory::plan(&existing, catalog);
                if report.changed_nothing() {
                    return Ok(report);
                }
                let ids: std::collections::HashSet<&$crate::directory::model::RecordId> =
                    existing.services.iter().map(|s| &s.id).collect();
                self.write_changes(&changes, &ids).await?;
                self.refresh().await?;
                Ok(report)
            }

            async fn mark_verified(
                &self,
                service: &$crate::directory::model::RecordId,
                on: chrono::NaiveDate,
            ) -> Result<(), DirectoryError> {
                use $crate::directory::sql::*;
                let failed = || DirectoryError::database("marking a listing verified");
                let mut tx = self.pool.begin().await.map_err(failed())?;
                let done = sqlx::query(SET_ASSURED)
                    .bind(on)
                    .bind(service.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(failed())?;
                if done.rows_affected() == 0 {
                    return Err(DirectoryError::NotFound(service.clone()));
                }
                sqlx::query(BUMP_VERSION)
                    .execute(&mut *tx)
                    .await
                    .map_err(failed())?;
                tx.commit().await.map_err(failed())?;
                self.refresh().await?;
                Ok(())
            }

            async fn delete_service(
                &self,
                service: &$crate::directory::model::RecordId,
            ) -> Result<(), DirectoryError> {
                use $crate::directory::sql::*;
                let failed = || DirectoryError::database("deleting a listing");
                let mut tx = self.pool.begin().await.map_err(failed())?;
                for statement in DELETE_CHILDREN {
                    sqlx::query(statement)
                        .bind(service.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(failed())?;
                }
                let done = sqlx::query(DELETE_SERVICE)
                    .bind(service.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(failed())?;
                if done.rows_affected() == 0 {
                    // Dropping the transaction rolls it back.
                    return Err(DirectoryError::NotFound(service.clone()));
                }
                sqlx::query(BUMP_VERSION)
                    .execute(&mut *tx)
                    .await
                    .map_err(failed())?;
                tx.commit().await.map_err(failed())?;
                self.refresh().await?;
                Ok(())
            }

            async fn set_status(
                &self,
                service: &$crate::directory::model::RecordId,
                status: $crate::directory::model::Status,
            ) -> Result<(), DirectoryError> {
                use $crate::directory::sql::*;
                let failed = || DirectoryError::database("changing a listing's status");
                let mut tx = self.pool.begin().await.map_err(failed())?;
                let done = sqlx::query(SET_STATUS)
                    .bind(status.as_str())
                    .bind(service.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(failed())?;
                if done.rows_affected() == 0 {
                    return Err(DirectoryError::NotFound(service.clone()));
                }
                sqlx::query(BUMP_VERSION)
                    .execute(&mut *tx)
                    .await
                    .map_err(failed())?;
                tx.commit().await.map_err(failed())?;
                self.refresh().await?;
                Ok(())
            }
        }
    };
}

pub(super) use directory_backend;
