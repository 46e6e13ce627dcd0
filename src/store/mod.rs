//! The `Store` port: what the bot keeps between updates, and nothing more (PRODUCT.md §6).
//!
//! Two implementations, chosen by `DATABASE_URL` in [`connect`]: [`sqlite::SqliteStore`] (the
//! embedded default) and [`postgres::PostgresStore`]. `tests/store_conformance.rs` runs the same
//! stories against both; a behaviour only one of them has is a bug.
//!
//! What the tables may hold: her [`Pseudonym`], values sealed with [`Keys::seal`] (her session,
//! her chat id), integers that mean nothing outside Telegram's chat with her (message ids, update
//! ids) and timestamps. Never a Telegram user id, chat id, name, username or text in the clear.
//! The store seals and opens itself, so a caller cannot forget to.

use std::path::PathBuf;
use std::str::FromStr as _;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use crate::privacy::{Keys, Pseudonym, Purpose, Secret, SecretError};

mod ledger;
pub mod postgres;
pub mod sqlite;

pub use ledger::Ledger;

/// A message in her chat that quick exit must find.
#[derive(Clone, Copy)]
pub struct Recorded {
    pub who: Pseudonym,
    pub message_id: i32,
    pub sent_at: DateTime<Utc>,
}

/// How long message ids are kept: Telegram lets a bot delete messages for 48 hours, so quick
/// exit cannot use older ones.
pub const MESSAGE_ID_WINDOW: TimeDelta = TimeDelta::hours(48);

/// Default for how long an untouched session or route survives (`helpline purge`).
pub const DEFAULT_IDLE_RETENTION: TimeDelta = TimeDelta::days(30);

/// How long an update id is remembered. Telegram redelivers for at most 24 hours; a week leaves
/// room for an outage without keeping a long record of activity.
pub const DELIVERY_RETENTION: TimeDelta = TimeDelta::days(7);

/// Errors at the store boundary. None carries a personal value: no id, no chat id, no session
/// content, no database password.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "DATABASE_URL {reason}; use sqlite://PATH (e.g. sqlite://helpline.db) or \
         postgres://USER@HOST/DATABASE"
    )]
    BadUrl { reason: &'static str },
    #[error(
        "HELPLINE_SECRET is required with PostgreSQL: set it to 64 hex characters \
         (`openssl rand -hex 32`) and keep a copy, data sealed with it is lost without it"
    )]
    SecretRequired,
    #[error(
        "HELPLINE_SECRET does not match the one this database was created with; restore the \
         original secret (for SQLite, the .secret file beside the database)"
    )]
    WrongSecret,
    #[error(transparent)]
    Secret(#[from] SecretError),
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
    /// A sealed value did not open: tampered, moved from another woman, or written under a
    /// different secret. The row is useless; the caller may `forget` her and start over.
    #[error("a stored {what} could not be opened (tampered, moved, or another HELPLINE_SECRET)")]
    Unreadable { what: &'static str },
}

impl crate::db::Transient for StoreError {
    /// The database is restarting or unreachable ([`crate::db::is_transient`]).
    fn is_transient(&self) -> bool {
        match self {
            StoreError::Database { source, .. } | StoreError::Connect(source) => {
                crate::db::is_transient(source)
            }
            _ => false,
        }
    }
}

impl StoreError {
    fn database(doing: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |source| StoreError::Database { doing, source }
    }
}

/// What one purge removed, for the log line and `helpline purge`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PurgeReport {
    pub sessions: u64,
    pub routes: u64,
    pub message_ids: u64,
    pub deliveries: u64,
}

/// What one conversation turn leaves behind, written by [`Store::save_turn`] at once.
#[derive(Debug, Clone, Copy)]
pub struct Turn<'a> {
    /// Her session after the turn (opaque bytes, sealed by the store).
    pub session: &'a [u8],
    /// The chat that reaches her.
    pub chat_id: i64,
    /// The turn's message ids in her chat, hers and the bot's, for quick exit.
    pub message_ids: &'a [i32],
}

/// Everything the bot remembers between updates. Times are passed in, never read from a clock,
/// so retention can be tested (and `purge` run) at any chosen `now`.
#[async_trait]
pub trait Store: Send + Sync {
    /// True the first time `update_id` is seen, false for every redelivery, across restarts and
    /// concurrent callers. Forgotten after [`DELIVERY_RETENTION`] by [`Store::purge`].
    async fn first_delivery(&self, update_id: i64, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Whether [`Store::first_delivery`] recorded `update_id`, without recording it. A turn
    /// checks this before it starts and records the update only once it is over: recording
    /// first would make a crash in between drop the redelivered update as already handled.
    async fn delivered(&self, update_id: i64) -> Result<bool, StoreError>;

    /// Her session as last saved (opaque, versioned bytes from the conversation core).
    async fn load_session(&self, who: &Pseudonym) -> Result<Option<Vec<u8>>, StoreError>;

    /// Replaces her session; stored sealed, and padded so its size says little about its content.
    async fn save_session(
        &self,
        who: &Pseudonym,
        session: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Remembers (sealed) the chat that reaches her.
    async fn put_route(
        &self,
        who: &Pseudonym,
        chat_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    async fn get_route(&self, who: &Pseudonym) -> Result<Option<i64>, StoreError>;

    /// Notes a message in her chat (hers or the bot's) so quick exit can delete it. Recording
    /// the same message twice is harmless.
    async fn record_message(
        &self,
        who: &Pseudonym,
        message_id: i32,
        sent_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.record_messages(&[Recorded {
            who: *who,
            message_id,
            sent_at,
        }])
        .await
    }

    /// [`Store::record_message`] for messages in any women's chats, in one transaction (the
    /// [`Ledger`] writes what gathered while the previous write committed).
    async fn record_messages(&self, messages: &[Recorded]) -> Result<(), StoreError>;

    /// The end of a turn: [`Store::save_session`], [`Store::put_route`] and
    /// [`Store::record_message`] for each id, in one transaction. A turn costs one write instead
    /// of three or more; SQLite also lets concurrent turns share one commit.
    async fn save_turn(
        &self,
        who: &Pseudonym,
        turn: Turn<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Her message ids sent at or after `since`, ascending.
    async fn recent_messages(
        &self,
        who: &Pseudonym,
        since: DateTime<Utc>,
    ) -> Result<Vec<i32>, StoreError>;

    /// Erases every row about her in this store, in one transaction.
    async fn forget(&self, who: &Pseudonym) -> Result<(), StoreError>;

    /// Deletes sessions and routes untouched for `idle_retention`, message ids older than
    /// [`MESSAGE_ID_WINDOW`] and update ids older than [`DELIVERY_RETENTION`], in one transaction.
    async fn purge(
        &self,
        now: DateTime<Utc>,
        idle_retention: TimeDelta,
    ) -> Result<PurgeReport, StoreError>;

    /// Readiness: the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// The database itself, for the parts that keep their own tables ([`crate::db`]).
    fn db(&self) -> crate::db::Db;
}

/// A parsed `DATABASE_URL`. `Debug` never shows a Postgres password.
pub enum DatabaseUrl {
    /// `sqlite://PATH` or `sqlite:PATH`; the file is created if missing.
    Sqlite(PathBuf),
    /// `sqlite::memory:`: gone when the process ends (simulator, tests).
    SqliteMemory,
    /// `postgres://…` or `postgresql://…`.
    Postgres(Box<sqlx::postgres::PgConnectOptions>),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, StoreError> {
        let bad = |reason| StoreError::BadUrl { reason };
        if url == "sqlite::memory:" || url == "sqlite://:memory:" {
            return Ok(DatabaseUrl::SqliteMemory);
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(bad("has no file path after sqlite://"));
            }
            if path.contains('?') {
                return Err(bad(
                    "must not carry ?options; helpline sets SQLite options itself",
                ));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return sqlx::postgres::PgConnectOptions::from_str(url)
                .map(|options| DatabaseUrl::Postgres(Box::new(options)))
                .map_err(|_| bad("is not a valid postgres:// URL"));
        }
        if url.is_empty() {
            return Err(bad("is empty"));
        }
        Err(bad("has an unsupported scheme"))
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            DatabaseUrl::SqliteMemory => f.write_str("SqliteMemory"),
            DatabaseUrl::Postgres(_) => f.write_str("Postgres([REDACTED])"),
        }
    }
}

/// Opens the database named by `database_url`, applies migrations, and checks the secret.
///
/// `secret` is `HELPLINE_SECRET` if set. Postgres requires it; SQLite falls back to the file
/// beside the database (created on first start), and an in-memory database to a throwaway one.
/// Starting with a different secret than the database was created with fails with
/// [`StoreError::WrongSecret`] instead of making every session unreadable.
pub async fn connect(
    database_url: &str,
    secret: Option<Secret>,
) -> Result<(Arc<dyn Store>, Arc<Keys>), StoreError> {
    match DatabaseUrl::parse(database_url)? {
        DatabaseUrl::Sqlite(path) => {
            let secret = match secret {
                Some(secret) => secret,
                None => Secret::load_or_create_beside(&path)?,
            };
            let keys = Arc::new(Keys::derive(&secret));
            let store = sqlite::SqliteStore::open(&path, keys.clone()).await?;
            Ok((Arc::new(store), keys))
        }
        DatabaseUrl::SqliteMemory => {
            let secret = match secret {
                Some(secret) => secret,
                None => Secret::generate()?,
            };
            let keys = Arc::new(Keys::derive(&secret));
            let store = sqlite::SqliteStore::open_in_memory(keys.clone()).await?;
            Ok((Arc::new(store), keys))
        }
        DatabaseUrl::Postgres(options) => {
            let secret = secret.ok_or(StoreError::SecretRequired)?;
            let keys = Arc::new(Keys::derive(&secret));
            let store = postgres::PostgresStore::open(*options, keys.clone()).await?;
            Ok((Arc::new(store), keys))
        }
    }
}

// Sealing shared by both backends, so the bytes at rest are the same whichever database holds
// them.

/// Sessions are padded to a multiple of this many bytes before sealing.
const SESSION_PADDING: usize = 64;

fn seal_session(keys: &Keys, who: &Pseudonym, session: &[u8]) -> Vec<u8> {
    let length = u32::try_from(session.len()).expect("a session is far smaller than 4 GiB");
    let padded_len = (4 + session.len()).div_ceil(SESSION_PADDING) * SESSION_PADDING;
    let mut padded = Vec::with_capacity(padded_len);
    padded.extend_from_slice(&length.to_be_bytes());
    padded.extend_from_slice(session);
    padded.resize(padded_len, 0);
    keys.seal(Purpose::Session, who, &padded)
}

fn open_session(keys: &Keys, who: &Pseudonym, sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
    let unreadable = || StoreError::Unreadable { what: "session" };
    let mut padded = keys
        .open(Purpose::Session, who, sealed)
        .map_err(|_| unreadable())?;
    let Some((length, rest)) = padded.split_first_chunk::<4>() else {
        return Err(unreadable());
    };
    let length = u32::from_be_bytes(*length) as usize;
    if length > rest.len() {
        return Err(unreadable());
    }
    padded.truncate(4 + length);
    padded.drain(..4);
    Ok(padded)
}

fn seal_chat_id(keys: &Keys, who: &Pseudonym, chat_id: i64) -> Vec<u8> {
    keys.seal(Purpose::Route, who, &chat_id.to_be_bytes())
}

fn open_chat_id(keys: &Keys, who: &Pseudonym, sealed: &[u8]) -> Result<i64, StoreError> {
    let unreadable = || StoreError::Unreadable { what: "route" };
    let plain = keys
        .open(Purpose::Route, who, sealed)
        .map_err(|_| unreadable())?;
    let bytes: [u8; 8] = plain.as_slice().try_into().map_err(|_| unreadable())?;
    Ok(i64::from_be_bytes(bytes))
}

/// A constant sealed under a fixed pseudonym, stored once per database: if it does not open,
/// the process was started with another secret than the data was written with.
const KEY_CHECK: &[u8] = b"helpline key check";

fn key_check_pseudonym() -> Pseudonym {
    Pseudonym::from_bytes([0; 32])
}

fn seal_key_check(keys: &Keys) -> Vec<u8> {
    keys.seal(Purpose::KeyCheck, &key_check_pseudonym(), KEY_CHECK)
}

fn verify_key_check(keys: &Keys, sealed: &[u8]) -> Result<(), StoreError> {
    match keys.open(Purpose::KeyCheck, &key_check_pseudonym(), sealed) {
        Ok(plain) if plain == KEY_CHECK => Ok(()),
        _ => Err(StoreError::WrongSecret),
    }
}
