//! A fresh database per test, for each backend, plus raw access to its tables so tests can check
//! what is really at rest.
//!
//! SQLite: a file in a temporary directory, with the secret file created beside it by `connect`.
//! Postgres: a new database `helpline_test_<random>` created through `TEST_POSTGRES_URL`
//! (default `postgres://postgres@127.0.0.1:5432/test`) and dropped when the test ends, so tests
//! run in parallel. If Postgres is unreachable the test fails with a message; it never skips.

use std::path::PathBuf;
use std::sync::Arc;

use helpline::privacy::{Keys, Pseudonym, Secret};
use helpline::store::{Store, StoreError, connect};
use sqlx::postgres::PgPool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use sqlx::{AssertSqlSafe, Connection as _, Executor as _};

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's database, connected through the public `connect`, as the bot would be.
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub keys: Arc<Keys>,
    pub backend: Backend,
    url: String,
    /// The secret passed to `connect`; `None` for SQLite, which uses the file beside the database.
    secret_hex: Option<String>,
    raw: Raw,
    place: Place,
}

enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// What to clean up when the test ends.
enum Place {
    Sqlite {
        _directory: tempfile::TempDir,
        file: PathBuf,
    },
    Postgres(PostgresDatabase),
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let directory = tempfile::tempdir().expect("a temporary directory");
                let file = directory.path().join("helpline.db");
                let place = Place::Sqlite {
                    _directory: directory,
                    file,
                };
                TestDb::open(backend, place, None).await
            }
            Backend::Postgres => {
                let admin_url = std::env::var("TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
                TestDb::postgres_on(&admin_url).await
            }
        }
    }

    /// A fresh database on the PostgreSQL server at `admin_url` (a private cluster of the
    /// test's own, [`super::servers::PrivatePostgres`]).
    pub async fn postgres_on(admin_url: &str) -> TestDb {
        let database = PostgresDatabase::create(admin_url.to_owned()).await;
        let secret = Some(hex_secret(0x5e));
        TestDb::open(Backend::Postgres, Place::Postgres(database), secret).await
    }

    async fn open(backend: Backend, place: Place, secret_hex: Option<String>) -> TestDb {
        let url = match &place {
            Place::Sqlite { file, .. } => format!("sqlite://{}", file.display()),
            Place::Postgres(database) => database.url.clone(),
        };
        let secret = secret_hex
            .as_deref()
            .map(|hex| Secret::from_hex(hex).expect("a valid test secret"));
        let (store, keys) = connect(&url, secret)
            .await
            .unwrap_or_else(|e| panic!("connect to the test database failed: {e:#?}"));
        let raw = match &place {
            Place::Sqlite { file, .. } => Raw::Sqlite(
                SqlitePool::connect_with(SqliteConnectOptions::new().filename(file))
                    .await
                    .expect("raw SQLite connection"),
            ),
            Place::Postgres(database) => Raw::Postgres(
                PgPool::connect(&database.url)
                    .await
                    .expect("raw Postgres connection"),
            ),
        };
        TestDb {
            store,
            keys,
            backend,
            url,
            secret_hex,
            raw,
            place,
        }
    }

    /// Simulates a restart: drops every connection and connects again to the same database
    /// with the same secret (for SQLite: the same secret file).
    pub async fn reopen(self) -> TestDb {
        let TestDb {
            store,
            backend,
            secret_hex,
            raw,
            place,
            ..
        } = self;
        drop(store);
        match raw {
            Raw::Sqlite(pool) => pool.close().await,
            Raw::Postgres(pool) => pool.close().await,
        }
        TestDb::open(backend, place, secret_hex).await
    }

    /// Connects a second time to the same database with another secret, as a misconfigured
    /// instance would.
    pub async fn connect_with(&self, secret: Secret) -> Result<(), StoreError> {
        connect(&self.url, Some(secret)).await.map(|_| ())
    }

    /// The `DATABASE_URL` that reaches this database, for a bot started on it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `HELPLINE_SECRET` this database was created with; `None` for SQLite, whose secret is
    /// the file beside the database (which a bot started on the same file reads too).
    pub fn secret_hex(&self) -> Option<&str> {
        self.secret_hex.as_deref()
    }

    /// The service directory in this test's database, as `helpline services` opens it.
    pub async fn directory(
        &self,
        settings: helpline::directory::Settings,
    ) -> Arc<dyn helpline::directory::Directory> {
        helpline::directory::connect(&self.url, helpline::directory::Cities::builtin(), settings)
            .await
            .unwrap_or_else(|e| panic!("open the directory in the test database: {e:#?}"))
    }

    /// Runs one statement directly, bypassing the program, as a careless operator might.
    pub async fn execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        match &self.raw {
            Raw::Sqlite(pool) => sqlx::query(AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .map(|done| done.rows_affected()),
            Raw::Postgres(pool) => sqlx::query(AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .map(|done| done.rows_affected()),
        }
    }

    /// The SQLite file, for tests about what sits beside it.
    pub fn sqlite_file(&self) -> Option<&PathBuf> {
        match &self.place {
            Place::Sqlite { file, .. } => Some(file),
            Place::Postgres(_) => None,
        }
    }

    pub async fn tables(&self) -> Vec<String> {
        match &self.raw {
            Raw::Sqlite(pool) => sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            )
            .fetch_all(pool)
            .await
            .expect("list SQLite tables"),
            Raw::Postgres(pool) => sqlx::query_scalar(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
                 ORDER BY tablename",
            )
            .fetch_all(pool)
            .await
            .expect("list Postgres tables"),
        }
    }

    /// The column names of `table`, in order.
    pub async fn columns(&self, table: &str) -> Vec<String> {
        match &self.raw {
            Raw::Sqlite(pool) => sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
                .bind(table)
                .fetch_all(pool)
                .await
                .expect("list SQLite columns"),
            Raw::Postgres(pool) => sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(pool)
            .await
            .expect("list Postgres columns"),
        }
    }

    /// Every row of every table, each rendered as one lowercase line of text: integers in
    /// decimal, byte strings in hex, text as is. What someone holding the database file sees.
    pub async fn dump(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for table in self.tables().await {
            let rows: Vec<String> = match &self.raw {
                Raw::Sqlite(pool) => {
                    let columns: Vec<String> =
                        sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
                            .bind(&table)
                            .fetch_all(pool)
                            .await
                            .expect("list SQLite columns");
                    let row = columns
                        .iter()
                        .map(|column| format!("quote(\"{column}\")"))
                        .collect::<Vec<_>>()
                        .join(" || '|' || ");
                    sqlx::query_scalar(AssertSqlSafe(format!("SELECT {row} FROM \"{table}\"")))
                        .fetch_all(pool)
                        .await
                        .expect("dump a SQLite table")
                }
                Raw::Postgres(pool) => sqlx::query_scalar(AssertSqlSafe(format!(
                    "SELECT row_to_json(t)::text FROM \"{table}\" t"
                )))
                .fetch_all(pool)
                .await
                .expect("dump a Postgres table"),
            };
            lines.extend(
                rows.into_iter()
                    .map(|row| format!("{table}: {row}").to_lowercase()),
            );
        }
        lines
    }

    /// Rows in `table`, or only those about `who` when it has a `who` column.
    pub async fn count_rows(&self, table: &str, who: Option<&Pseudonym>) -> i64 {
        let (sql, who) = match who {
            None => (format!("SELECT count(*) FROM \"{table}\""), None),
            Some(who) => (
                format!(
                    "SELECT count(*) FROM \"{table}\" WHERE who = {}",
                    self.placeholder(1)
                ),
                Some(who.as_bytes().to_vec()),
            ),
        };
        match &self.raw {
            Raw::Sqlite(pool) => {
                let mut query = sqlx::query_scalar(AssertSqlSafe(sql));
                if let Some(who) = who {
                    query = query.bind(who);
                }
                query.fetch_one(pool).await.expect("count SQLite rows")
            }
            Raw::Postgres(pool) => {
                let mut query = sqlx::query_scalar(AssertSqlSafe(sql));
                if let Some(who) = who {
                    query = query.bind(who);
                }
                query.fetch_one(pool).await.expect("count Postgres rows")
            }
        }
    }

    /// The raw bytes of `column` in her row of `table` (a sealed value, as stored).
    pub async fn raw_bytes(&self, table: &str, column: &str, who: &Pseudonym) -> Vec<u8> {
        let sql = format!(
            "SELECT \"{column}\" FROM \"{table}\" WHERE who = {}",
            self.placeholder(1)
        );
        let who = who.as_bytes().to_vec();
        match &self.raw {
            Raw::Sqlite(pool) => sqlx::query_scalar(AssertSqlSafe(sql))
                .bind(who)
                .fetch_one(pool)
                .await
                .expect("read raw SQLite bytes"),
            Raw::Postgres(pool) => sqlx::query_scalar(AssertSqlSafe(sql))
                .bind(who)
                .fetch_one(pool)
                .await
                .expect("read raw Postgres bytes"),
        }
    }

    /// Overwrites `column` in her row of `table`, as an attacker or a careless operator might.
    pub async fn set_raw_bytes(&self, table: &str, column: &str, who: &Pseudonym, bytes: &[u8]) {
        let sql = format!(
            "UPDATE \"{table}\" SET \"{column}\" = {} WHERE who = {}",
            self.placeholder(1),
            self.placeholder(2)
        );
        let who = who.as_bytes().to_vec();
        let changed = match &self.raw {
            Raw::Sqlite(pool) => sqlx::query(AssertSqlSafe(sql))
                .bind(bytes.to_vec())
                .bind(who)
                .execute(pool)
                .await
                .expect("write raw SQLite bytes")
                .rows_affected(),
            Raw::Postgres(pool) => sqlx::query(AssertSqlSafe(sql))
                .bind(bytes.to_vec())
                .bind(who)
                .execute(pool)
                .await
                .expect("write raw Postgres bytes")
                .rows_affected(),
        };
        assert_eq!(changed, 1, "expected exactly her row in {table}");
    }

    fn placeholder(&self, n: usize) -> String {
        match self.backend {
            Backend::Sqlite => "?".to_owned(),
            Backend::Postgres => format!("${n}"),
        }
    }
}

/// A deterministic 64-hex-character test secret.
pub fn hex_secret(byte: u8) -> String {
    hex::encode([byte; 32])
}

/// A database created for one test and dropped (with its connections) when the test ends, even
/// when it fails.
struct PostgresDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    async fn create(admin_url: String) -> PostgresDatabase {
        let mut shown = url::Url::parse(&admin_url)
            .unwrap_or_else(|_| panic!("TEST_POSTGRES_URL is not a URL"));
        let _ = shown.set_password(None);
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL is not reachable at {shown} ({e}). The store conformance tests \
                     need it and never skip: start it (pg_ctlcluster <version> main start) or \
                     set TEST_POSTGRES_URL."
                )
            });
        let name = format!("helpline_test_{:016x}", rand::random::<u64>());
        // Concurrent CREATE DATABASE can collide on the template; retry briefly.
        let mut attempts = 0;
        loop {
            match admin
                .execute(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                .await
            {
                Ok(_) => break,
                Err(e) if attempts < 20 => {
                    attempts += 1;
                    eprintln!("CREATE DATABASE retry {attempts}: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(e) => panic!("could not create a test database on {shown}: {e}"),
            }
        }
        let _ = admin.close().await;
        let mut url = url::Url::parse(&admin_url).expect("checked above");
        url.set_path(&format!("/{name}"));
        PostgresDatabase {
            admin_url,
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        // Drop runs inside the test's runtime, which cannot be blocked on; use a thread with its
        // own small runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database");
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                admin.execute(AssertSqlSafe(sql)).await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}
