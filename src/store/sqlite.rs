//! The embedded backend: one SQLite file in WAL mode.
//!
//! SQLite allows one writer at a time. Rather than let several connections race for the write
//! lock (where the loser sleeps in SQLite's busy handler), all writes go through a pool of one
//! connection and queue fairly in the pool; reads use their own pool and never wait for writes.
//! `synchronous=NORMAL` in WAL mode cannot corrupt the file; a power cut may lose the last
//! moments of writes, which for this data means at worst a redelivered update is handled twice.
//! `secure_delete` overwrites deleted rows, so /forget does not leave her sealed data in free
//! pages of the file.
//!
//! The end of a turn ([`Store::save_turn`], the write every update makes) goes through a queue to
//! one task that writes every turn waiting into one transaction (group commit): under load, many
//! turns share one trip through the single write connection and one commit, instead of each
//! waiting for its own. Each turn's caller still learns the outcome of its own write.

use std::path::Path;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::{
    DELIVERY_RETENTION, MESSAGE_ID_WINDOW, PurgeReport, Recorded, Store, StoreError, Turn,
    open_chat_id, open_session, seal_chat_id, seal_key_check, seal_session, verify_key_check,
};
use crate::privacy::{Keys, Pseudonym};

pub struct SqliteStore {
    write: SqlitePool,
    read: SqlitePool,
    keys: Arc<Keys>,
    turns: mpsc::Sender<PendingTurn>,
}

/// A turn sealed and waiting for the turn writer.
struct PendingTurn {
    who: [u8; 32],
    sealed_session: Vec<u8>,
    sealed_chat_id: Vec<u8>,
    /// The message ids as a JSON array, read by `json_each`: one statement for any number.
    message_ids: String,
    now: i64,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// At most this many turns share one transaction, so none waits long behind the others.
const TURNS_PER_COMMIT: usize = 128;

/// One turn's writes, as one command to the connection (SQLite runs the statements in order).
const SAVE_TURN: &str = "\
    INSERT INTO sessions (who, sealed, touched_at) VALUES (?1, ?2, ?4) \
    ON CONFLICT (who) DO UPDATE SET sealed = excluded.sealed, touched_at = excluded.touched_at; \
    INSERT INTO routes (who, sealed_chat_id, touched_at) VALUES (?1, ?3, ?4) \
    ON CONFLICT (who) DO UPDATE \
    SET sealed_chat_id = excluded.sealed_chat_id, touched_at = excluded.touched_at; \
    INSERT INTO message_ids (who, message_id, sent_at) \
    SELECT ?1, value, ?4 FROM json_each(?5) WHERE true \
    ON CONFLICT (who, message_id) DO NOTHING";

/// The turn writer: takes every turn waiting (up to [`TURNS_PER_COMMIT`]) and writes them in one
/// transaction. Ends when the store is dropped.
async fn write_turns(pool: SqlitePool, mut queue: mpsc::Receiver<PendingTurn>) {
    let mut batch = Vec::with_capacity(TURNS_PER_COMMIT);
    while queue.recv_many(&mut batch, TURNS_PER_COMMIT).await > 0 {
        if batch.len() > 1 && write_batch(&pool, &batch).await.is_ok() {
            for turn in batch.drain(..) {
                let _ = turn.done.send(Ok(()));
            }
            continue;
        }
        // One turn, or a batch that failed: each turn alone, so each caller gets its own
        // outcome and one bad turn cannot fail the others.
        for turn in batch.drain(..) {
            let outcome = write_batch(&pool, std::slice::from_ref(&turn)).await;
            let _ = turn.done.send(outcome);
        }
    }
}

async fn write_batch(pool: &SqlitePool, batch: &[PendingTurn]) -> Result<(), StoreError> {
    let failed = StoreError::database("saving a turn");
    let mut tx = pool.begin().await.map_err(failed)?;
    for turn in batch {
        sqlx::query(SAVE_TURN)
            .bind(turn.who.as_slice())
            .bind(turn.sealed_session.as_slice())
            .bind(turn.sealed_chat_id.as_slice())
            .bind(turn.now)
            .bind(turn.message_ids.as_str())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::database("saving a turn"))?;
    }
    tx.commit()
        .await
        .map_err(StoreError::database("saving a turn"))
}

/// How long a connection waits for another process (e.g. `helpline purge`) holding the lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path` and applies migrations.
    pub async fn open(path: &Path, keys: Arc<Keys>) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("secure_delete", "ON");
        // No ping before each use (sqlx's default): a file has no other end that could hang up,
        // and the ping is one more trip to the connection's thread for every query.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone().create_if_missing(true))
            .await
            .map_err(StoreError::Connect)?;
        // Every update starts with a read; readers wait mostly on their threads' hand-offs, not
        // on the CPU, so even two cores serve more than two at a time.
        let readers = std::thread::available_parallelism()
            .map(|n| n.get() as u32 * 2)
            .unwrap_or(4)
            .clamp(4, 16);
        let read = SqlitePoolOptions::new()
            .max_connections(readers)
            .test_before_acquire(false)
            .connect_lazy_with(options);
        SqliteStore::ready(write, read, keys).await
    }

    /// A database that lives as long as the store: for the simulator and tests. One connection
    /// serves reads and writes, since every new connection would see a new, empty database.
    pub async fn open_in_memory(keys: Arc<Keys>) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(StoreError::Connect)?
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(StoreError::Connect)?;
        SqliteStore::ready(pool.clone(), pool, keys).await
    }

    async fn ready(
        write: SqlitePool,
        read: SqlitePool,
        keys: Arc<Keys>,
    ) -> Result<SqliteStore, StoreError> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&write)
            .await
            .map_err(StoreError::Migrate)?;
        sqlx::query("INSERT INTO key_check (id, sealed) VALUES (1, ?) ON CONFLICT (id) DO NOTHING")
            .bind(seal_key_check(&keys))
            .execute(&write)
            .await
            .map_err(StoreError::database("checking the secret"))?;
        let sealed: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM key_check WHERE id = 1")
            .fetch_one(&write)
            .await
            .map_err(StoreError::database("checking the secret"))?;
        verify_key_check(&keys, &sealed)?;
        let (turns, queue) = mpsc::channel(TURNS_PER_COMMIT * 8);
        tokio::spawn(write_turns(write.clone(), queue));
        Ok(SqliteStore {
            write,
            read,
            keys,
            turns,
        })
    }
}

fn millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

#[async_trait]
impl Store for SqliteStore {
    async fn first_delivery(&self, update_id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO seen_updates (update_id, seen_at) VALUES (?, ?) \
             ON CONFLICT (update_id) DO NOTHING",
        )
        .bind(update_id)
        .bind(millis(now))
        .execute(&self.write)
        .await
        .map_err(StoreError::database("recording an update id"))?;
        Ok(inserted.rows_affected() == 1)
    }

    async fn delivered(&self, update_id: i64) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM seen_updates WHERE update_id = ?")
                .bind(update_id)
                .fetch_optional(&self.write)
                .await
                .map_err(StoreError::database("looking up an update id"))?;
        Ok(found.is_some())
    }

    async fn load_session(&self, who: &Pseudonym) -> Result<Option<Vec<u8>>, StoreError> {
        let sealed: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT sealed FROM sessions WHERE who = ?")
                .bind(who.as_bytes().as_slice())
                .fetch_optional(&self.read)
                .await
                .map_err(StoreError::database("loading a session"))?;
        sealed
            .map(|sealed| open_session(&self.keys, who, &sealed))
            .transpose()
    }

    async fn save_session(
        &self,
        who: &Pseudonym,
        session: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (who, sealed, touched_at) VALUES (?, ?, ?) \
             ON CONFLICT (who) DO UPDATE SET sealed = excluded.sealed, touched_at = excluded.touched_at",
        )
        .bind(who.as_bytes().as_slice())
        .bind(seal_session(&self.keys, who, session))
        .bind(millis(now))
        .execute(&self.write)
        .await
        .map_err(StoreError::database("saving a session"))?;
        Ok(())
    }

    async fn put_route(
        &self,
        who: &Pseudonym,
        chat_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO routes (who, sealed_chat_id, touched_at) VALUES (?, ?, ?) \
             ON CONFLICT (who) DO UPDATE \
             SET sealed_chat_id = excluded.sealed_chat_id, touched_at = excluded.touched_at",
        )
        .bind(who.as_bytes().as_slice())
        .bind(seal_chat_id(&self.keys, who, chat_id))
        .bind(millis(now))
        .execute(&self.write)
        .await
        .map_err(StoreError::database("saving a route"))?;
        Ok(())
    }

    async fn get_route(&self, who: &Pseudonym) -> Result<Option<i64>, StoreError> {
        let sealed: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT sealed_chat_id FROM routes WHERE who = ?")
                .bind(who.as_bytes().as_slice())
                .fetch_optional(&self.read)
                .await
                .map_err(StoreError::database("loading a route"))?;
        sealed
            .map(|sealed| open_chat_id(&self.keys, who, &sealed))
            .transpose()
    }

    async fn record_messages(&self, messages: &[Recorded]) -> Result<(), StoreError> {
        const DOING: &str = "recording message ids";
        let mut tx = self
            .write
            .begin()
            .await
            .map_err(StoreError::database(DOING))?;
        for m in messages {
            sqlx::query(
                "INSERT INTO message_ids (who, message_id, sent_at) VALUES (?, ?, ?) \
                 ON CONFLICT (who, message_id) DO NOTHING",
            )
            .bind(m.who.as_bytes().as_slice())
            .bind(m.message_id)
            .bind(millis(m.sent_at))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::database(DOING))?;
        }
        tx.commit().await.map_err(StoreError::database(DOING))?;
        Ok(())
    }

    async fn save_turn(
        &self,
        who: &Pseudonym,
        turn: Turn<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (done, outcome) = oneshot::channel();
        let ids = turn
            .message_ids
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let pending = PendingTurn {
            who: *who.as_bytes(),
            sealed_session: seal_session(&self.keys, who, turn.session),
            sealed_chat_id: seal_chat_id(&self.keys, who, turn.chat_id),
            message_ids: format!("[{ids}]"),
            now: millis(now),
            done,
        };
        let gone = || StoreError::database("saving a turn")(sqlx::Error::PoolClosed);
        self.turns.send(pending).await.map_err(|_| gone())?;
        outcome.await.map_err(|_| gone())?
    }

    async fn recent_messages(
        &self,
        who: &Pseudonym,
        since: DateTime<Utc>,
    ) -> Result<Vec<i32>, StoreError> {
        sqlx::query_scalar(
            "SELECT message_id FROM message_ids WHERE who = ? AND sent_at >= ? ORDER BY message_id",
        )
        .bind(who.as_bytes().as_slice())
        .bind(millis(since))
        .fetch_all(&self.read)
        .await
        .map_err(StoreError::database("listing message ids"))
    }

    async fn forget(&self, who: &Pseudonym) -> Result<(), StoreError> {
        let failed = StoreError::database;
        let mut tx = self.write.begin().await.map_err(failed("forgetting"))?;
        for statement in [
            "DELETE FROM sessions WHERE who = ?",
            "DELETE FROM routes WHERE who = ?",
            "DELETE FROM message_ids WHERE who = ?",
            // Her hand-off cases (src/handoff) and the ids of messages relayed in them.
            "DELETE FROM case_messages WHERE case_id IN (SELECT id FROM cases WHERE who = ?)",
            "DELETE FROM cases WHERE who = ?",
        ] {
            sqlx::query(statement)
                .bind(who.as_bytes().as_slice())
                .execute(&mut *tx)
                .await
                .map_err(failed("forgetting"))?;
        }
        tx.commit().await.map_err(failed("forgetting"))
    }

    async fn purge(
        &self,
        now: DateTime<Utc>,
        idle_retention: TimeDelta,
    ) -> Result<PurgeReport, StoreError> {
        let failed = StoreError::database;
        let mut tx = self.write.begin().await.map_err(failed("purging"))?;
        let mut delete = async |statement: &'static str, before: DateTime<Utc>| {
            sqlx::query(statement)
                .bind(millis(before))
                .execute(&mut *tx)
                .await
                .map(|done| done.rows_affected())
                .map_err(failed("purging"))
        };
        let report = PurgeReport {
            sessions: delete(
                "DELETE FROM sessions WHERE touched_at < ?",
                now - idle_retention,
            )
            .await?,
            routes: delete(
                "DELETE FROM routes WHERE touched_at < ?",
                now - idle_retention,
            )
            .await?,
            message_ids: delete(
                "DELETE FROM message_ids WHERE sent_at < ?",
                now - MESSAGE_ID_WINDOW,
            )
            .await?,
            deliveries: delete(
                "DELETE FROM seen_updates WHERE seen_at < ?",
                now - DELIVERY_RETENTION,
            )
            .await?,
        };
        tx.commit().await.map_err(failed("purging"))?;
        Ok(report)
    }

    fn db(&self) -> crate::db::Db {
        crate::db::Db::Sqlite(self.write.clone())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map_err(StoreError::database("pinging"))?;
        Ok(())
    }
}
