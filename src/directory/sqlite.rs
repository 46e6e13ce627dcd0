//! The directory on SQLite, in the same file as the [`crate::store`]. Directory writes are rare
//! (a coordinator's import or edit) and each is one transaction; the store's busy timeout makes
//! a concurrent bot write wait for it rather than fail.

use std::path::Path;
use std::str::FromStr as _;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use super::cities::Cities;
use super::index::{Index, Settings};
use super::model::Catalog;
use super::sql::directory_backend;
use super::{Directory, DirectoryError};

pub struct SqliteDirectory {
    pool: SqlitePool,
    cities: Arc<Cities>,
    settings: Settings,
    index: RwLock<Arc<Index>>,
    /// The directory's version the index was loaded at.
    loaded: std::sync::atomic::AtomicI64,
}

impl SqliteDirectory {
    /// Opens (creating if missing) the database file, applies migrations and loads the index.
    pub async fn open(
        path: &Path,
        cities: Arc<Cities>,
        settings: Settings,
    ) -> Result<SqliteDirectory, DirectoryError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true)
            .pragma("secure_delete", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(DirectoryError::Connect)?;
        SqliteDirectory::ready(pool, cities, settings).await
    }

    /// A directory that lives as long as this value (tests, the simulator).
    pub async fn open_in_memory(
        cities: Arc<Cities>,
        settings: Settings,
    ) -> Result<SqliteDirectory, DirectoryError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(DirectoryError::Connect)?
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(DirectoryError::Connect)?;
        SqliteDirectory::ready(pool, cities, settings).await
    }

    async fn ready(
        pool: SqlitePool,
        cities: Arc<Cities>,
        settings: Settings,
    ) -> Result<SqliteDirectory, DirectoryError> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(DirectoryError::Migrate)?;
        let empty = Index::build(Catalog::default(), cities.clone(), settings.clone());
        let directory = SqliteDirectory {
            pool,
            cities,
            settings,
            index: RwLock::new(Arc::new(empty)),
            loaded: std::sync::atomic::AtomicI64::new(-1),
        };
        directory.refresh().await?;
        Ok(directory)
    }
}

directory_backend!(SqliteDirectory);
