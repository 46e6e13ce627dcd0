//! Who may use the admin: single-use sign-in links, sessions, CSRF tokens and staff invites.
//!
//! Every token is 128 or 256 random bits from the OS-seeded generator, shown once, and kept only
//! as its SHA-256 hash, so a copy of the database lets no one in. A link or an invite is spent by
//! one `UPDATE … WHERE used_at IS NULL AND expires_at > now`, so two clicks cannot both win.
//! Only a coordinator may mint or redeem a sign-in link or hold a session; her role is checked
//! again on every request, so a coordinator made a consultant is out at her next click.

use chrono::{DateTime, TimeDelta, Utc};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

use super::AdminError;
use crate::db::{Db, millis, on_db};
use crate::staff::{Role, Staff, StaffMember, StaffName};

/// How long a sign-in link works.
pub const LINK_LIFETIME: TimeDelta = TimeDelta::minutes(15);
/// A session unused for this long is over.
pub const SESSION_IDLE: TimeDelta = TimeDelta::minutes(30);
/// A session is over this long after sign-in, however busy.
pub const SESSION_MAX: TimeDelta = TimeDelta::hours(12);
/// How long a staff invite link works.
pub const INVITE_LIFETIME: TimeDelta = TimeDelta::hours(48);
/// The deep-link payload prefix of a staff invite (`/start staff-<token>`).
pub const INVITE_PREFIX: &str = "staff-";

/// `bytes` random bytes as lower-case hex.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    hex::encode(buffer)
}

/// What is stored for a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()).as_slice())
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn database(doing: &'static str) -> impl FnOnce(sqlx::Error) -> AdminError {
    move |source| AdminError::Database { doing, source }
}

/// A signed-in coordinator.
#[derive(Clone, Debug)]
pub struct Session {
    pub staff: StaffMember,
    /// The session's CSRF token, in every form.
    pub csrf: String,
    token_hash: String,
}

/// The auth tables.
#[derive(Clone, Debug)]
pub struct Auth {
    db: Db,
    staff: Staff,
}

impl Auth {
    pub fn new(db: Db) -> Auth {
        Auth {
            staff: Staff::new(db.clone()),
            db,
        }
    }

    /// A new sign-in link token for coordinator `staff_id`. A consultant gets none.
    pub async fn mint_link(&self, staff_id: i64, now: DateTime<Utc>) -> Result<String, AdminError> {
        let member = self
            .staff
            .by_id(staff_id)
            .await?
            .ok_or(AdminError::NotCoordinator)?;
        if member.role != Role::Coordinator {
            return Err(AdminError::NotCoordinator);
        }
        let token = random_token(32);
        on_db!(&self.db, pool => sqlx::query(
            "INSERT INTO admin_links (token_hash, staff_id, expires_at, used_at) VALUES ($1, $2, $3, NULL)")
            .bind(hash(&token))
            .bind(staff_id)
            .bind(millis(now + LINK_LIFETIME))
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("minting a sign-in link"))?;
        Ok(token)
    }

    /// Spends a sign-in link and opens a session: `(cookie token, session)`. A used, expired or
    /// unknown link, or one of someone who is no longer a coordinator, is refused.
    pub async fn redeem_link(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, Session), AdminError> {
        let spent: Option<i64> = on_db!(&self.db, pool => sqlx::query_scalar(
            "UPDATE admin_links SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING staff_id")
            .bind(millis(now))
            .bind(hash(token.trim()))
            .fetch_optional(pool)
            .await)
        .map_err(database("spending a sign-in link"))?;
        let staff_id = spent.ok_or(AdminError::LinkRefused)?;
        let member = self
            .staff
            .by_id(staff_id)
            .await?
            .filter(|m| m.role == Role::Coordinator)
            .ok_or(AdminError::LinkRefused)?;
        let cookie = random_token(32);
        let csrf = random_token(32);
        let token_hash = hash(&cookie);
        on_db!(&self.db, pool => sqlx::query(
            "INSERT INTO admin_sessions (token_hash, staff_id, csrf, created_at, last_seen) \
             VALUES ($1, $2, $3, $4, $4)")
            .bind(&token_hash)
            .bind(member.id)
            .bind(&csrf)
            .bind(millis(now))
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("opening a session"))?;
        Ok((
            cookie,
            Session {
                staff: member,
                csrf,
                token_hash,
            },
        ))
    }

    /// The session a cookie token belongs to, if it is still open at `now`; marks it used.
    pub async fn session(
        &self,
        cookie: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, AdminError> {
        let token_hash = hash(cookie);
        let row: Option<(i64, String, i64, i64)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT staff_id, csrf, created_at, last_seen FROM admin_sessions WHERE token_hash = $1")
            .bind(&token_hash)
            .fetch_optional(pool)
            .await)
        .map_err(database("reading a session"))?;
        let Some((staff_id, csrf, created_at, last_seen)) = row else {
            return Ok(None);
        };
        let now_ms = millis(now);
        let open = now_ms - last_seen <= SESSION_IDLE.num_milliseconds()
            && now_ms - created_at <= SESSION_MAX.num_milliseconds()
            && now_ms >= created_at;
        let member = match self.staff.by_id(staff_id).await? {
            Some(m) if open && m.role == Role::Coordinator => m,
            _ => {
                self.end(&token_hash).await?;
                return Ok(None);
            }
        };
        on_db!(&self.db, pool => sqlx::query(
            "UPDATE admin_sessions SET last_seen = $1 WHERE token_hash = $2")
            .bind(now_ms)
            .bind(&token_hash)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("touching a session"))?;
        Ok(Some(Session {
            staff: member,
            csrf,
            token_hash,
        }))
    }

    /// Signs out.
    pub async fn sign_out(&self, session: &Session) -> Result<(), AdminError> {
        self.end(&session.token_hash).await
    }

    async fn end(&self, token_hash: &str) -> Result<(), AdminError> {
        on_db!(&self.db, pool => sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("ending a session"))?;
        Ok(())
    }

    /// Ends every session of a staff member (removed, or no longer a coordinator), and drops
    /// spent or expired links and sessions.
    pub async fn end_sessions_of(&self, staff_id: i64) -> Result<(), AdminError> {
        on_db!(&self.db, pool => sqlx::query("DELETE FROM admin_sessions WHERE staff_id = $1")
            .bind(staff_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("ending sessions"))?;
        on_db!(&self.db, pool => sqlx::query("DELETE FROM admin_links WHERE staff_id = $1")
            .bind(staff_id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("ending sign-in links"))?;
        Ok(())
    }

    /// Forgets links and sessions that can no longer be used.
    pub async fn sweep(&self, now: DateTime<Utc>) -> Result<(), AdminError> {
        let now_ms = millis(now);
        on_db!(&self.db, pool => sqlx::query(
            "DELETE FROM admin_links WHERE used_at IS NOT NULL OR expires_at <= $1")
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("sweeping links"))?;
        on_db!(&self.db, pool => sqlx::query(
            "DELETE FROM admin_sessions WHERE last_seen < $1 OR created_at < $2")
            .bind(now_ms - SESSION_IDLE.num_milliseconds())
            .bind(now_ms - SESSION_MAX.num_milliseconds())
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("sweeping sessions"))?;
        on_db!(&self.db, pool => sqlx::query(
            "DELETE FROM staff_invites WHERE used_at IS NOT NULL OR expires_at <= $1")
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("sweeping invites"))?;
        Ok(())
    }

    /// A new staff invite: whoever starts the bot with it joins as `name` with `role`.
    pub async fn mint_invite(
        &self,
        name: &StaffName,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<String, AdminError> {
        // 128 bits: the deep-link payload may be at most 64 characters.
        let token = random_token(16);
        on_db!(&self.db, pool => sqlx::query(
            "INSERT INTO staff_invites (token_hash, name, role, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, NULL)")
            .bind(hash(&token))
            .bind(name.as_str())
            .bind(role.as_str())
            .bind(millis(now + INVITE_LIFETIME))
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("minting an invite"))?;
        Ok(token)
    }

    /// Spends an invite for Telegram user `telegram_id` and registers her. `None` when the
    /// invite is unknown, used or expired.
    pub async fn redeem_invite(
        &self,
        token: &str,
        telegram_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<StaffMember>, AdminError> {
        let spent: Option<(String, String)> = on_db!(&self.db, pool => sqlx::query_as(
            "UPDATE staff_invites SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING name, role")
            .bind(millis(now))
            .bind(hash(token))
            .fetch_optional(pool)
            .await)
        .map_err(database("spending an invite"))?;
        let Some((name, role)) = spent else {
            return Ok(None);
        };
        let name = StaffName::parse(&name)?;
        let role = Role::parse(&role)?;
        let member = self.staff.add(telegram_id, &name, role, now).await?;
        Ok(Some(member))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let a = random_token(32);
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token(32));
        assert_eq!(hash("x"), hash("x"));
        assert_ne!(hash("x"), hash("y"));
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
