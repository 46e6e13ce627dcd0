//! One handle on the database the [`crate::store`] opened, for the parts of the bot that keep
//! their own tables (staff, cases, the admin, statistics).
//!
//! Both dialects run the same SQL text (`$1` placeholders work on SQLite and Postgres through
//! sqlx), so a query is written once inside [`on_db!`], which expands it for each pool. Times are
//! stored as unix milliseconds (`INTEGER`/`BIGINT`), booleans as integers 0/1 on both, so rows
//! decode the same whichever database holds them.
//!
//! [`is_transient`] says which database errors an outage causes (the one place that decides it),
//! and [`patiently`] runs an operation again through one, with growing waits.
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

// ----- outages ---------------------------------------------------------------------------------

/// How long an update's handling waits for the database to come back before it gives up and
/// does what it did before (logged; she gets the apology). Long enough for a Postgres restart
/// or a failover, short enough that nobody waits on a database that is gone for good.
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);
/// The first wait between two attempts; it doubles up to [`LONGEST_WAIT`].
const FIRST_WAIT: std::time::Duration = std::time::Duration::from_millis(100);
const LONGEST_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Whether a database error will likely go away by itself: the server is restarting or
/// unreachable, the pool could not get a connection in time, SQLite is busy. Everything else
/// (a constraint, a bad row, a missing table) would fail the same way again.
///
/// The one place that decides it: the store's, the cases' and the staff's errors all ask here.
pub fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let Some(code) = db.code() else {
                return false;
            };
            // PostgreSQL: class 08 is a connection exception; 57P01 admin shutdown, 57P02 crash
            // shutdown, 57P03 cannot connect now (starting or stopping); 53300 too many
            // connections.
            if code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300") {
                return true;
            }
            // SQLite: the (extended) result code; its low byte 5 is BUSY, 6 is LOCKED.
            code.parse::<i32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))
        }
        _ => false,
    }
}

/// An error that can say whether waiting and trying again may help ([`is_transient`]).
pub trait Transient {
    fn is_transient(&self) -> bool;
}

impl Transient for sqlx::Error {
    fn is_transient(&self) -> bool {
        is_transient(self)
    }
}

/// Runs `op` until it succeeds, fails for good, `budget` is spent, or `stop` is cancelled
/// (shutdown: the update is then left to its redelivery). Waits 0.1 s, 0.2 s, … up to 5 s between
/// attempts. `op` must be safe to run again after a transient failure: every caller in the
/// relay path is, because a message is noted before it is copied and marked after.
///
/// `doing` is a fixed phrase for the log (never anything about her).
pub async fn patiently<T, E, F, Fut>(
    doing: &'static str,
    budget: std::time::Duration,
    stop: Option<&tokio_util::sync::CancellationToken>,
    mut op: F,
) -> Result<T, E>
where
    E: Transient,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let started = tokio::time::Instant::now();
    let mut wait = FIRST_WAIT;
    let mut attempts = 0u32;
    loop {
        match op().await {
            Ok(value) => {
                if attempts > 0 {
                    tracing::info!(doing, attempts, "the database answered again");
                }
                return Ok(value);
            }
            Err(e)
                if e.is_transient()
                    && started.elapsed() + wait <= budget
                    && !stop.is_some_and(|s| s.is_cancelled()) =>
            {
                attempts += 1;
                if attempts == 1 {
                    tracing::warn!(doing, "the database is unreachable; waiting for it");
                }
                match stop {
                    Some(stop) => tokio::select! {
                        _ = stop.cancelled() => {}
                        _ = tokio::time::sleep(wait) => {}
                    },
                    None => tokio::time::sleep(wait).await,
                }
                wait = (wait * 2).min(LONGEST_WAIT);
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Fault(bool);

    impl Transient for Fault {
        fn is_transient(&self) -> bool {
            self.0
        }
    }

    #[tokio::test]
    async fn a_transient_fault_is_waited_out_and_a_lasting_one_is_not() {
        let mut calls = 0;
        let result: Result<u32, Fault> = patiently("testing", PATIENCE, None, || {
            calls += 1;
            let n = calls;
            async move { if n < 4 { Err(Fault(true)) } else { Ok(n) } }
        })
        .await;
        assert_eq!(
            result.ok(),
            Some(4),
            "three transient failures, then success"
        );

        let mut calls = 0;
        let result: Result<(), Fault> = patiently("testing", PATIENCE, None, || {
            calls += 1;
            async { Err(Fault(false)) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 1, "a lasting fault is not retried");

        let budget = std::time::Duration::from_millis(800);
        let started = tokio::time::Instant::now();
        let mut calls = 0;
        let result: Result<(), Fault> = patiently("testing", budget, None, || {
            calls += 1;
            async { Err(Fault(true)) }
        })
        .await;
        assert!(
            result.is_err(),
            "an outage longer than the budget is given up on"
        );
        assert!(
            started.elapsed() <= budget,
            "within the budget: {:?}",
            started.elapsed()
        );
        assert_eq!(
            calls, 4,
            "tried after 0.1, 0.2 and 0.4 s, then the budget was spent"
        );

        let stop = tokio_util::sync::CancellationToken::new();
        stop.cancel();
        let mut calls = 0;
        let result: Result<(), Fault> = patiently("testing", PATIENCE, Some(&stop), || {
            calls += 1;
            async { Err(Fault(true)) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 1, "at shutdown nobody waits");
    }

    #[test]
    fn connection_faults_are_transient_and_others_are_not() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(is_transient(&sqlx::Error::Io(refused)));
        assert!(is_transient(&sqlx::Error::PoolTimedOut));
        assert!(!is_transient(&sqlx::Error::RowNotFound));
        assert!(!is_transient(&sqlx::Error::PoolClosed));
        assert!(!is_transient(&sqlx::Error::Protocol("bad".into())));
    }
}
