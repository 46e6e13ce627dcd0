//! One handle on the database the [`crate::store`] opened, for the parts of the bot that keep
//! their own tables (staff, cases, the admin, statistics).
//!
//! Both dialects run the same SQL text (`$1` placeholders work on SQLite and Postgres through
//! sqlx), so a query is written once inside [`on_db!`], which expands it for each pool. Times are
//! stored as unix milliseconds (`INTEGER`/`BIGINT`), booleans as integers 0/1 on both, so rows
//! decode the same whichever database holds them.
//!
//! On SQLite the handle is the store's single writer connection: every write in the process goes
//! through it, one at a time, which is what SQLite wants. On Postgres it is the store's pool.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, SqlitePool};

/// The store's database, shared. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to whichever pool `$db` holds. The body is compiled once per
/// dialect, so the same query text and binds serve both.
///
/// ```ignore
/// let n: i64 = on_db!(&db, pool => sqlx::query_scalar("SELECT count(*) FROM staff")
///     .fetch_one(pool).await)?;
/// ```
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub use on_db;

impl Db {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }
}

/// A time as stored: unix milliseconds.
pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A stored time back; out-of-range values (a corrupt row) become the epoch rather than a panic.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
