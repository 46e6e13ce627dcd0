//! The audit log: every change made through the admin (and every staff invite used in the bot),
//! with who, when and what. Details name records and fields, never a woman: the admin holds no
//! woman's data, and a staff member is named by her pseudonym, not her Telegram id.

use chrono::{DateTime, Utc};

use super::AdminError;
use crate::db::{Db, from_millis, millis, on_db};

/// The longest detail kept; longer ones are cut (they are summaries, not copies).
const MAX_DETAIL: usize = 500;

/// One line of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

#[derive(Clone, Debug)]
pub struct Audit {
    db: Db,
}

impl Audit {
    pub fn new(db: Db) -> Audit {
        Audit { db }
    }

    pub async fn record(
        &self,
        at: DateTime<Utc>,
        actor: (Option<i64>, &str),
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<(), AdminError> {
        let detail: String = detail.chars().take(MAX_DETAIL).collect();
        on_db!(&self.db, pool => sqlx::query(
            "INSERT INTO admin_audit (at, actor_id, actor_name, action, subject, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(millis(at))
            .bind(actor.0)
            .bind(actor.1)
            .bind(action)
            .bind(subject)
            .bind(detail)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(|source| AdminError::Database {
            doing: "writing the audit log",
            source,
        })?;
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub async fn recent(&self, limit: i64) -> Result<Vec<Entry>, AdminError> {
        let rows: Vec<(i64, String, String, String, String)> =
            on_db!(&self.db, pool => sqlx::query_as(
            "SELECT at, actor_name, action, subject, detail FROM admin_audit \
             ORDER BY at DESC, id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(pool)
            .await)
            .map_err(|source| AdminError::Database {
                doing: "reading the audit log",
                source,
            })?;
        Ok(rows
            .into_iter()
            .map(|(at, actor, action, subject, detail)| Entry {
                at: from_millis(at),
                actor,
                action,
                subject,
                detail,
            })
            .collect())
    }
}
