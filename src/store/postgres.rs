//! The server backend: PostgreSQL, for any number of bot instances sharing one database.
//!
//! Every operation is one statement, so one round trip; `forget` and `purge` delete from all
//! tables in a single statement, which Postgres runs atomically.
//!
//! Postgres keeps deleted rows on disk until (auto)vacuum reclaims them; that is outside this
//! process and worth knowing for anyone taking disk images of the server.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{
    DELIVERY_RETENTION, MESSAGE_ID_WINDOW, PurgeReport, Recorded, Store, StoreError, Turn,
    open_chat_id, open_session, seal_chat_id, seal_key_check, seal_session, verify_key_check,
};
use crate::privacy::{Keys, Pseudonym};

pub struct PostgresStore {
    pool: PgPool,
    keys: Arc<Keys>,
}

const MAX_CONNECTIONS: u32 = 16;
/// A pooled connection idle longer than this is pinged before use.
const PING_AFTER_IDLE: Duration = Duration::from_secs(30);

impl PostgresStore {
    /// Connects and applies migrations. Several instances may start at once: sqlx serialises
    /// migrations with an advisory lock.
    pub async fn open(
        options: PgConnectOptions,
        keys: Arc<Keys>,
    ) -> Result<PostgresStore, StoreError> {
        // sqlx pings a connection before every use by default: a second round trip for every
        // query. Only a connection idle for a while can have been dropped by the server or the
        // network in between, so only such a one is pinged (and replaced if it does not answer).
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(5))
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > PING_AFTER_IDLE {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options)
            .await
            .map_err(StoreError::Connect)?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        sqlx::query(
            "INSERT INTO key_check (id, sealed) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(seal_key_check(&keys))
        .execute(&pool)
        .await
        .map_err(StoreError::database("checking the secret"))?;
        let sealed: Vec<u8> = sqlx::query_scalar("SELECT sealed FROM key_check WHERE id = 1")
            .fetch_one(&pool)
            .await
            .map_err(StoreError::database("checking the secret"))?;
        verify_key_check(&keys, &sealed)?;
        Ok(PostgresStore { pool, keys })
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn first_delivery(&self, update_id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO seen_updates (update_id, seen_at) VALUES ($1, $2) \
             ON CONFLICT (update_id) DO NOTHING",
        )
        .bind(update_id)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(StoreError::database("recording an update id"))?;
        Ok(inserted.rows_affected() == 1)
    }

    async fn delivered(&self, update_id: i64) -> Result<bool, StoreError> {
        let found: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM seen_updates WHERE update_id = $1")
                .bind(update_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(StoreError::database("looking up an update id"))?;
        Ok(found.is_some())
    }

    async fn load_session(&self, who: &Pseudonym) -> Result<Option<Vec<u8>>, StoreError> {
        let sealed: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT sealed FROM sessions WHERE who = $1")
                .bind(who.as_bytes().as_slice())
                .fetch_optional(&self.pool)
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
            "INSERT INTO sessions (who, sealed, touched_at) VALUES ($1, $2, $3) \
             ON CONFLICT (who) DO UPDATE SET sealed = excluded.sealed, touched_at = excluded.touched_at",
        )
        .bind(who.as_bytes().as_slice())
        .bind(seal_session(&self.keys, who, session))
        .bind(now)
        .execute(&self.pool)
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
            "INSERT INTO routes (who, sealed_chat_id, touched_at) VALUES ($1, $2, $3) \
             ON CONFLICT (who) DO UPDATE \
             SET sealed_chat_id = excluded.sealed_chat_id, touched_at = excluded.touched_at",
        )
        .bind(who.as_bytes().as_slice())
        .bind(seal_chat_id(&self.keys, who, chat_id))
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(StoreError::database("saving a route"))?;
        Ok(())
    }

    async fn get_route(&self, who: &Pseudonym) -> Result<Option<i64>, StoreError> {
        let sealed: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT sealed_chat_id FROM routes WHERE who = $1")
                .bind(who.as_bytes().as_slice())
                .fetch_optional(&self.pool)
                .await
                .map_err(StoreError::database("loading a route"))?;
        sealed
            .map(|sealed| open_chat_id(&self.keys, who, &sealed))
            .transpose()
    }

    async fn record_messages(&self, messages: &[Recorded]) -> Result<(), StoreError> {
        let who: Vec<&[u8]> = messages
            .iter()
            .map(|m| m.who.as_bytes().as_slice())
            .collect();
        let ids: Vec<i32> = messages.iter().map(|m| m.message_id).collect();
        let at: Vec<DateTime<Utc>> = messages.iter().map(|m| m.sent_at).collect();
        // One statement: one round trip and one commit however many there are. DISTINCT ON
        // because one statement may not touch the same row twice.
        sqlx::query(
            "INSERT INTO message_ids (who, message_id, sent_at) \
             SELECT DISTINCT ON (who, id) who, id, at \
             FROM unnest($1::bytea[], $2::integer[], $3::timestamptz[]) AS m (who, id, at) \
             ON CONFLICT (who, message_id) DO NOTHING",
        )
        .bind(who)
        .bind(ids)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(StoreError::database("recording message ids"))?;
        Ok(())
    }

    async fn save_turn(
        &self,
        who: &Pseudonym,
        turn: Turn<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // One statement, so one round trip and one commit for the whole turn.
        sqlx::query(
            "WITH session AS ( \
                 INSERT INTO sessions (who, sealed, touched_at) VALUES ($1, $2, $4) \
                 ON CONFLICT (who) DO UPDATE \
                 SET sealed = excluded.sealed, touched_at = excluded.touched_at), \
             route AS ( \
                 INSERT INTO routes (who, sealed_chat_id, touched_at) VALUES ($1, $3, $4) \
                 ON CONFLICT (who) DO UPDATE \
                 SET sealed_chat_id = excluded.sealed_chat_id, touched_at = excluded.touched_at) \
             INSERT INTO message_ids (who, message_id, sent_at) \
             SELECT DISTINCT $1, id, $4 FROM unnest($5::integer[]) AS id \
             ON CONFLICT (who, message_id) DO NOTHING",
        )
        .bind(who.as_bytes().as_slice())
        .bind(seal_session(&self.keys, who, turn.session))
        .bind(seal_chat_id(&self.keys, who, turn.chat_id))
        .bind(now)
        .bind(turn.message_ids)
        .execute(&self.pool)
        .await
        .map_err(StoreError::database("saving a turn"))?;
        Ok(())
    }

    async fn recent_messages(
        &self,
        who: &Pseudonym,
        since: DateTime<Utc>,
    ) -> Result<Vec<i32>, StoreError> {
        sqlx::query_scalar(
            "SELECT message_id FROM message_ids WHERE who = $1 AND sent_at >= $2 \
             ORDER BY message_id",
        )
        .bind(who.as_bytes().as_slice())
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::database("listing message ids"))
    }

    async fn forget(&self, who: &Pseudonym) -> Result<(), StoreError> {
        sqlx::query(
            "WITH sessions_gone AS (DELETE FROM sessions WHERE who = $1), \
                  routes_gone AS (DELETE FROM routes WHERE who = $1), \
                  messages_gone AS (DELETE FROM message_ids WHERE who = $1) \
             DELETE FROM cases WHERE who = $1",
        )
        .bind(who.as_bytes().as_slice())
        .execute(&self.pool)
        .await
        .map_err(StoreError::database("forgetting"))?;
        Ok(())
    }

    async fn purge(
        &self,
        now: DateTime<Utc>,
        idle_retention: TimeDelta,
    ) -> Result<PurgeReport, StoreError> {
        let (sessions, routes, message_ids, deliveries): (i64, i64, i64, i64) = sqlx::query_as(
            "WITH sessions_gone AS (DELETE FROM sessions WHERE touched_at < $1 RETURNING 1), \
                  routes_gone AS (DELETE FROM routes WHERE touched_at < $1 RETURNING 1), \
                  messages_gone AS (DELETE FROM message_ids WHERE sent_at < $2 RETURNING 1), \
                  updates_gone AS (DELETE FROM seen_updates WHERE seen_at < $3 RETURNING 1) \
             SELECT (SELECT count(*) FROM sessions_gone), (SELECT count(*) FROM routes_gone), \
                    (SELECT count(*) FROM messages_gone), (SELECT count(*) FROM updates_gone)",
        )
        .bind(now - idle_retention)
        .bind(now - MESSAGE_ID_WINDOW)
        .bind(now - DELIVERY_RETENTION)
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::database("purging"))?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(PurgeReport {
            sessions: count(sessions),
            routes: count(routes),
            message_ids: count(message_ids),
            deliveries: count(deliveries),
        })
    }

    fn db(&self) -> crate::db::Db {
        crate::db::Db::Postgres(self.pool.clone())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(StoreError::database("pinging"))?;
        Ok(())
    }
}
