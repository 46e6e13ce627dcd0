//! The service directory: which services will actually accept her (PRODUCT.md §2 /services, §4).
//!
//! - [`model`]: the records, aligned with Open Referral HSDS 3.0 (organization, service,
//!   location, service-at-location, phone, schedule, language, attribute + taxonomy term),
//!   multilingual names with fallback, and confidential locations that hold no address at all.
//! - [`cities`]: known cities with centre and timezone; her shared location is reduced to the
//!   nearest one at once and never kept.
//! - [`hours`]: "open now" in the city's local time, from a `now` passed in.
//! - [`index`]: the in-memory snapshot that search runs on, and the [`Card`] view she sees.
//! - [`hsds`]: HSDS JSON and CSV import (every problem named by its place) and export.
//! - The [`Directory`] port: [`sqlite::SqliteDirectory`] and [`postgres::PostgresDirectory`]
//!   share their SQL (`sql.rs`); `tests/directory.rs` runs every story on both.
//!
//! Every change goes through one transaction and is followed by a reload of the index, so a
//! search never touches the database and answers the same on both backends. Another instance
//! sharing a Postgres database sees a change after its own [`Directory::refresh_if_changed`]
//! (every change raises `directory_version` in its transaction; the app checks it every 5 s).
//!
//! For the bot: [`Cities::in_country`] or [`Cities::nearest`] gives her city; [`Query`] says what
//! she wants; `directory.search(&query, now)` returns a [`SearchPage`] of [`Card`]s;
//! [`Settings::types_offered`] and [`Settings::filters_offered`] are the buttons to show (no OST
//! where it is not legal). For the admin: [`Index::find`], [`Index::listing`], [`Index::stale`],
//! `import` (which also saves one edited listing: a catalog of that service with what it refers
//! to), [`Directory::mark_verified`], [`Directory::set_status`], [`Directory::delete_service`] and
//! the `export_*` helpers.

pub mod cities;
pub mod hours;
pub mod hsds;
pub mod index;
pub mod model;
pub mod postgres;
mod sql;
pub mod sqlite;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;

pub use cities::{Cities, City, CityId, NEAREST_CITY_MAX_KM};
pub use hsds::{Problem, Problems};
pub use index::{
    Card, CardPhone, Hours, Index, Listing, Order, PublicLocation, Query, SearchError, SearchPage,
    Settings,
};
pub use model::{
    Catalog, Filter, Location, Organization, Placement, RecordId, Service, ServiceType, Set, Status,
};

use crate::store::DatabaseUrl;

/// Errors at the directory boundary. None carries a listing's text or a phone number.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error(transparent)]
    Url(#[from] crate::store::StoreError),
    #[error("could not open the database named by DATABASE_URL")]
    Connect(#[source] sqlx::Error),
    #[error("could not apply database migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("database error while {doing}")]
    Database {
        doing: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// A row does not read back as a valid record: the database was edited by hand.
    #[error("the directory in the database is damaged: {what}")]
    Corrupt { what: String },
    /// The import was refused whole; nothing changed.
    #[error("the file was not imported, nothing was changed:\n{0}")]
    Invalid(Problems),
    #[error("no service with id {0}")]
    NotFound(RecordId),
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

impl DirectoryError {
    fn database(doing: &'static str) -> impl FnOnce(sqlx::Error) -> DirectoryError {
        move |source| DirectoryError::Database { doing, source }
    }
}

/// Counts of organizations, locations and services.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub organizations: usize,
    pub locations: usize,
    pub services: usize,
}

/// What an import did. Importing the same file twice reports everything unchanged the second
/// time and writes nothing.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub created: Counts,
    pub updated: Counts,
    pub unchanged: Counts,
    /// Fields of the file the directory does not keep (see [`hsds::Parsed::ignored`]).
    pub ignored: BTreeSet<String>,
}

impl ImportReport {
    pub fn changed_nothing(&self) -> bool {
        self.created == Counts::default() && self.updated == Counts::default()
    }
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let line = |c: &Counts| {
            format!(
                "{} organizations, {} locations, {} services",
                c.organizations, c.locations, c.services
            )
        };
        writeln!(f, "created: {}", line(&self.created))?;
        writeln!(f, "updated: {}", line(&self.updated))?;
        write!(f, "unchanged: {}", line(&self.unchanged))?;
        if !self.ignored.is_empty() {
            let fields: Vec<&str> = self.ignored.iter().map(String::as_str).collect();
            write!(
                f,
                "\nnot kept (unknown to the directory): {}",
                fields.join(", ")
            )?;
        }
        Ok(())
    }
}

/// The records of `incoming` that differ from `existing`: what an import writes.
pub(crate) struct Changes<'a> {
    pub organizations: Vec<&'a Organization>,
    pub locations: Vec<&'a Location>,
    pub services: Vec<&'a Service>,
}

pub(crate) fn plan<'a>(existing: &Catalog, incoming: &'a Catalog) -> (Changes<'a>, ImportReport) {
    let mut report = ImportReport::default();
    fn diff<'a, T: PartialEq>(
        old: &HashMap<&RecordId, &T>,
        new: &'a [T],
        id: impl Fn(&T) -> &RecordId,
        created: &mut usize,
        updated: &mut usize,
        unchanged: &mut usize,
    ) -> Vec<&'a T> {
        let mut changed = Vec::new();
        for record in new {
            match old.get(id(record)) {
                None => {
                    *created += 1;
                    changed.push(record);
                }
                Some(before) if *before != record => {
                    *updated += 1;
                    changed.push(record);
                }
                Some(_) => *unchanged += 1,
            }
        }
        changed
    }
    let organizations: HashMap<&RecordId, &Organization> =
        existing.organizations.iter().map(|o| (&o.id, o)).collect();
    let locations: HashMap<&RecordId, &Location> =
        existing.locations.iter().map(|l| (&l.id, l)).collect();
    let services: HashMap<&RecordId, &Service> =
        existing.services.iter().map(|s| (&s.id, s)).collect();
    let changes = Changes {
        organizations: diff(
            &organizations,
            &incoming.organizations,
            |o| &o.id,
            &mut report.created.organizations,
            &mut report.updated.organizations,
            &mut report.unchanged.organizations,
        ),
        locations: diff(
            &locations,
            &incoming.locations,
            |l| &l.id,
            &mut report.created.locations,
            &mut report.updated.locations,
            &mut report.unchanged.locations,
        ),
        services: diff(
            &services,
            &incoming.services,
            |s| &s.id,
            &mut report.created.services,
            &mut report.updated.services,
            &mut report.unchanged.services,
        ),
    };
    (changes, report)
}

/// The directory port. Reads come from the in-memory [`Index`]; writes go to the database in
/// one transaction each and reload the index.
#[async_trait]
pub trait Directory: Send + Sync {
    /// The current snapshot (a cheap clone). Holding it keeps that snapshot alive, unchanged.
    fn index(&self) -> Arc<Index>;

    /// Reloads the index from the database.
    async fn refresh(&self) -> Result<Arc<Index>, DirectoryError>;

    /// Reloads the index only if the directory changed since it was loaded (every change
    /// raises a version number in its own transaction; reading it is one tiny query). True
    /// when it reloaded. What the timer calls, so another instance's edit shows within seconds
    /// without re-reading every listing each time.
    async fn refresh_if_changed(&self) -> Result<bool, DirectoryError>;

    /// Everything in the database, sorted by id.
    async fn load(&self) -> Result<Catalog, DirectoryError>;

    /// Creates or updates every record of `catalog` (matched by id) in one transaction; records
    /// equal to what is stored are not written. Records absent from `catalog` are kept: an
    /// import adds and corrects, it does not delete (set a listing inactive instead).
    /// `catalog` must be self-contained: what it refers to is in it (the HSDS readers check this).
    async fn import(&self, catalog: &Catalog) -> Result<ImportReport, DirectoryError>;

    /// Records that a coordinator checked the listing on `on`.
    async fn mark_verified(&self, service: &RecordId, on: NaiveDate) -> Result<(), DirectoryError>;

    /// Shows (active) or hides (inactive) a listing.
    async fn set_status(&self, service: &RecordId, status: Status) -> Result<(), DirectoryError>;

    /// Deletes a listing and its phones, hours, languages, attributes and placements, in one
    /// transaction. Its organization and locations stay (others may share them). To hide a
    /// listing for a while, set it inactive instead.
    async fn delete_service(&self, service: &RecordId) -> Result<(), DirectoryError>;
}

impl dyn Directory {
    /// One page of results for her; see [`Index::search`].
    pub fn search(
        &self,
        query: &Query,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<SearchPage, SearchError> {
        self.index().search(query, now)
    }

    /// Imports HSDS JSON text. Any problem refuses the whole file.
    pub async fn import_json(&self, text: &str) -> Result<ImportReport, DirectoryError> {
        let index = self.index();
        let parsed = hsds::read_json(text, index.cities()).map_err(DirectoryError::Invalid)?;
        let mut report = self.import(&parsed.catalog).await?;
        report.ignored = parsed.ignored;
        Ok(report)
    }

    /// Imports the HSDS CSV package in folder `dir`. Any problem refuses all of it.
    pub async fn import_csv_dir(&self, dir: &Path) -> Result<ImportReport, DirectoryError> {
        let index = self.index();
        let parsed = hsds::csv::read_dir(dir, index.cities()).map_err(DirectoryError::Invalid)?;
        let mut report = self.import(&parsed.catalog).await?;
        report.ignored = parsed.ignored;
        Ok(report)
    }

    /// `helpline services import PATH`: a folder is the CSV package, a file is JSON.
    pub async fn import_path(&self, path: &Path) -> Result<ImportReport, DirectoryError> {
        if path.is_dir() {
            return self.import_csv_dir(path).await;
        }
        let text = std::fs::read_to_string(path).map_err(|e| DirectoryError::File {
            path: path.display().to_string(),
            message: format!("cannot be read ({e})"),
        })?;
        self.import_json(&text).await
    }

    /// The whole directory as HSDS JSON, read from the database.
    pub async fn export_json(&self) -> Result<String, DirectoryError> {
        let catalog = self.load().await?;
        Ok(hsds::write_json(&catalog, self.index().cities()))
    }

    /// The whole directory as the HSDS CSV package: file name → text.
    pub async fn export_csv(
        &self,
    ) -> Result<std::collections::BTreeMap<&'static str, String>, DirectoryError> {
        let catalog = self.load().await?;
        Ok(hsds::csv::write_files(&catalog, self.index().cities()))
    }
}

/// Opens the directory in the database named by `database_url` (the same one the
/// [`crate::store`] uses), applies migrations and loads the index.
pub async fn connect(
    database_url: &str,
    cities: Arc<Cities>,
    settings: Settings,
) -> Result<Arc<dyn Directory>, DirectoryError> {
    Ok(match DatabaseUrl::parse(database_url)? {
        DatabaseUrl::Sqlite(path) => {
            Arc::new(sqlite::SqliteDirectory::open(&path, cities, settings).await?)
        }
        DatabaseUrl::SqliteMemory => {
            Arc::new(sqlite::SqliteDirectory::open_in_memory(cities, settings).await?)
        }
        DatabaseUrl::Postgres(options) => {
            Arc::new(postgres::PostgresDirectory::open(*options, cities, settings).await?)
        }
    })
}
