//! Staff: the peer consultants who answer hand-offs and the coordinators who run the helpline.
//!
//! A staff member is registered on purpose (`helpline staff add`, the admin, an invite link) and
//! known by her Telegram id, which the bot needs to reach her and to recognise her in the staff
//! group. What women see of her is only [`StaffName`], a pseudonym of her choosing.

use chrono::{DateTime, Utc};

use crate::db::{Db, from_millis, millis, on_db};

/// What a staff member may do. A coordinator is also a consultant (and the supervisor paged
/// when an urgent case is not taken in time); only a coordinator may sign in to the admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Consultant,
    Coordinator,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Consultant, Role::Coordinator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Consultant => "consultant",
            Role::Coordinator => "coordinator",
        }
    }

    pub fn parse(text: &str) -> Result<Role, StaffError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "consultant" => Ok(Role::Consultant),
            "coordinator" | "supervisor" => Ok(Role::Coordinator),
            _ => Err(StaffError::BadRole),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name women see for a consultant: 1 to 32 characters, no control characters, trimmed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StaffName(String);

impl StaffName {
    pub const MAX_CHARS: usize = 32;

    pub fn parse(text: &str) -> Result<StaffName, StaffError> {
        let name = text.trim();
        if name.is_empty() || name.chars().count() > Self::MAX_CHARS {
            return Err(StaffError::BadName);
        }
        if name.chars().any(char::is_control) {
            return Err(StaffError::BadName);
        }
        Ok(StaffName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for StaffName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A registered staff member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub id: i64,
    pub telegram_id: i64,
    pub name: StaffName,
    pub role: Role,
    /// How many cases she may hold at once.
    pub max_cases: u32,
    pub added_at: DateTime<Utc>,
    /// Her team; `None`: the default team (see [`crate::handoff::teams`]).
    pub team_id: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("the role must be consultant or coordinator")]
    BadRole,
    #[error("the name must be 1 to 32 characters, without control characters")]
    BadName,
    #[error("a Telegram user id is a positive number")]
    BadTelegramId,
    #[error("the limit of concurrent cases must be between 1 and 50")]
    BadLimit,
    #[error("no such staff member")]
    NotFound,
    #[error("database error while {doing}")]
    Database {
        doing: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

impl crate::db::Transient for StaffError {
    fn is_transient(&self) -> bool {
        match self {
            StaffError::Database { source, .. } => crate::db::is_transient(source),
            _ => false,
        }
    }
}

fn database(doing: &'static str) -> impl FnOnce(sqlx::Error) -> StaffError {
    move |source| StaffError::Database { doing, source }
}

/// Default limit of concurrent cases for a new staff member.
pub const DEFAULT_MAX_CASES: u32 = 3;

type StaffRow = (i64, i64, String, String, i64, i64, Option<i64>);

/// `SELECT … FROM staff` followed by `$tail`, as one literal (sqlx wants audited SQL text).
macro_rules! select_staff {
    ($tail:literal) => {
        concat!(
            "SELECT id, telegram_id, name, role, max_cases, added_at, team_id FROM staff ",
            $tail
        )
    };
}

fn member((id, telegram_id, name, role, max_cases, added_at, team_id): StaffRow) -> StaffMember {
    StaffMember {
        id,
        telegram_id,
        // The table's CHECKs and this module are the only writers; a row edited by hand into
        // something unreadable is shown as it is rather than failing the whole list.
        name: StaffName::parse(&name).unwrap_or(StaffName(name)),
        role: Role::parse(&role).unwrap_or(Role::Consultant),
        max_cases: u32::try_from(max_cases).unwrap_or(DEFAULT_MAX_CASES),
        added_at: from_millis(added_at),
        team_id,
    }
}

/// The staff table.
#[derive(Clone, Debug)]
pub struct Staff {
    db: Db,
}

impl Staff {
    pub fn new(db: Db) -> Staff {
        Staff { db }
    }

    /// Registers her, or updates the name and role of the staff member with that Telegram id.
    pub async fn add(
        &self,
        telegram_id: i64,
        name: &StaffName,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<StaffMember, StaffError> {
        if telegram_id <= 0 {
            return Err(StaffError::BadTelegramId);
        }
        let sql = "INSERT INTO staff (telegram_id, name, role, max_cases, added_at) \
                   VALUES ($1, $2, $3, $4, $5) \
                   ON CONFLICT (telegram_id) DO UPDATE SET name = excluded.name, role = excluded.role \
                   RETURNING id, telegram_id, name, role, max_cases, added_at, team_id";
        let row: StaffRow = on_db!(&self.db, pool => sqlx::query_as(sql)
            .bind(telegram_id)
            .bind(name.as_str())
            .bind(role.as_str())
            .bind(i64::from(DEFAULT_MAX_CASES))
            .bind(millis(now))
            .fetch_one(pool)
            .await)
        .map_err(database("adding a staff member"))?;
        Ok(member(row))
    }

    pub async fn by_telegram_id(
        &self,
        telegram_id: i64,
    ) -> Result<Option<StaffMember>, StaffError> {
        let sql = select_staff!("WHERE telegram_id = $1");
        let row: Option<StaffRow> = on_db!(&self.db, pool => sqlx::query_as(sql)
            .bind(telegram_id)
            .fetch_optional(pool)
            .await)
        .map_err(database("looking up a staff member"))?;
        Ok(row.map(member))
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<StaffMember>, StaffError> {
        let sql = select_staff!("WHERE id = $1");
        let row: Option<StaffRow> = on_db!(&self.db, pool => sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(database("looking up a staff member"))?;
        Ok(row.map(member))
    }

    /// Everyone, coordinators first, then by name.
    pub async fn list(&self) -> Result<Vec<StaffMember>, StaffError> {
        let sql = select_staff!("ORDER BY role DESC, name, id");
        let rows: Vec<StaffRow> = on_db!(&self.db, pool => sqlx::query_as(sql)
            .fetch_all(pool)
            .await)
        .map_err(database("listing staff"))?;
        Ok(rows.into_iter().map(member).collect())
    }

    pub async fn set_role(&self, id: i64, role: Role) -> Result<(), StaffError> {
        let done = on_db!(&self.db, pool => sqlx::query("UPDATE staff SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .map_err(database("changing a role"))?;
        if done == 0 {
            return Err(StaffError::NotFound);
        }
        Ok(())
    }

    pub async fn set_max_cases(&self, id: i64, max_cases: u32) -> Result<(), StaffError> {
        if !(1..=50).contains(&max_cases) {
            return Err(StaffError::BadLimit);
        }
        let done =
            on_db!(&self.db, pool => sqlx::query("UPDATE staff SET max_cases = $1 WHERE id = $2")
            .bind(i64::from(max_cases))
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
            .map_err(database("changing a case limit"))?;
        if done == 0 {
            return Err(StaffError::NotFound);
        }
        Ok(())
    }

    /// Moves her to a team (`None`: the default team).
    pub async fn set_team(&self, id: i64, team_id: Option<i64>) -> Result<(), StaffError> {
        let done =
            on_db!(&self.db, pool => sqlx::query("UPDATE staff SET team_id = $1 WHERE id = $2")
            .bind(team_id)
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
            .map_err(database("changing a team"))?;
        if done == 0 {
            return Err(StaffError::NotFound);
        }
        Ok(())
    }

    /// Removes her. The caller hands back any case she holds first.
    pub async fn remove(&self, id: i64) -> Result<StaffMember, StaffError> {
        let sql = "DELETE FROM staff WHERE id = $1 \
                   RETURNING id, telegram_id, name, role, max_cases, added_at, team_id";
        let row: Option<StaffRow> = on_db!(&self.db, pool => sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(database("removing a staff member"))?;
        row.map(member).ok_or(StaffError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_roles_parse_or_say_why_not() {
        assert_eq!(StaffName::parse("  Iris ").expect("valid").as_str(), "Iris");
        assert!(StaffName::parse("").is_err());
        assert!(StaffName::parse("a\nb").is_err());
        assert!(StaffName::parse(&"я".repeat(33)).is_err());
        assert!(StaffName::parse(&"я".repeat(32)).is_ok());
        assert_eq!(
            Role::parse("Coordinator").expect("valid"),
            Role::Coordinator
        );
        assert_eq!(Role::parse("supervisor").expect("valid"), Role::Coordinator);
        assert!(Role::parse("admin").is_err());
    }
}
