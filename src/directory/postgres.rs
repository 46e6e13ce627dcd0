//! The directory on PostgreSQL, in the same database as the [`crate::store`]. Each instance
//! keeps its own index; one that did not make a change sees it after [`Directory::refresh`].

use std::sync::{Arc, RwLock};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::cities::Cities;
use super::index::{Index, Settings};
use super::model::Catalog;
use super::sql::directory_backend;
use super::{Directory, DirectoryError};

pub struct PostgresDirectory {
    pool: PgPool,
    cities: Arc<Cities>,
    settings: Settings,
    index: RwLock<Arc<Index>>,
    /// The directory's version the index was loaded at.
    loaded: std::sync::atomic::AtomicI64,
}

impl PostgresDirectory {
    /// Connects, applies migrations (serialised by sqlx with an advisory lock) and loads the
    /// index.
    pub async fn open(
        options: PgConnectOptions,
        cities: Arc<Cities>,
        settings: Settings,
    ) -> Result<PostgresDirectory, DirectoryError> {
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(DirectoryError::Connect)?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(DirectoryError::Migrate)?;
        let empty = Index::build(Catalog::default(), cities.clone(), settings.clone());
        let directory = PostgresDirectory {
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

directory_backend!(PostgresDirectory);
