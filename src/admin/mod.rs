//! The coordinators' web admin, under `/admin` on the bot's HTTP server.
//!
//! - [`auth`]: single-use sign-in links (15 minutes), sessions (30 minutes idle, 12 hours at
//!   most), CSRF tokens and staff invites; every token hashed at rest.
//! - [`audit`]: who changed what, when.
//! - [`html`]: escaping, the shared layout and menu ([`html::NAV`]), the stylesheet.
//! - `pages`: the handlers: services (search, filters, create, edit, delete, "verified today"),
//!   the stale list, import/export (HSDS JSON, or the CSV package as several files), staff and
//!   invites, teams (`/admin/teams`: working hours, time zone, holidays, urgent deadline, the
//!   countries and languages served; a member's team on the Staff page), the audit log, and the statistics (`/admin/stats`: only suppressed figures, as
//!   tables, SVG charts and a CSV of exactly what the page shows).
//!
//! A coordinator gets a link from the bot (`/admin` in a private chat) or from
//! `helpline admin-link --name NAME`. Opening it shows a "Sign in" button; only pressing it
//! spends the link, because Telegram's link previews fetch URLs on their own. The session cookie
//! is HttpOnly, SameSite=Strict, and Secure when the public URL is https. Every form carries the
//! session's CSRF token. Pages are English only: they are for the NGO's coordinators, not for
//! the women the bot serves.
//!
//! To add a page (statistics, say): a handler taking `State<Arc<Admin>>` and the request
//! headers that starts with `signed_in` (and `check_csrf` for a POST), its route in [`router`],
//! and its `(path, label)` in [`html::NAV`]; wrap the body with [`html::layout`].

pub mod audit;
pub mod auth;
pub mod html;
mod pages;

use std::sync::{Arc, OnceLock};

use axum::Router;
use chrono::{DateTime, Utc};
use url::Url;

use crate::db::Db;
use crate::directory::Directory;
use crate::staff::{Role, Staff, StaffError, StaffMember, StaffName};

pub use audit::{Audit, Entry};
pub use auth::{Auth, Session};

/// Where "now" comes from: the wall clock in production, a hand-moved one in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The cookie holding the session token.
pub const COOKIE: &str = "helpline_admin";

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("only a registered coordinator may sign in to the admin")]
    NotCoordinator,
    #[error("no staff member is called {0:?}")]
    UnknownName(String),
    #[error("this sign-in link was already used, has expired, or is not a coordinator's")]
    LinkRefused,
    #[error(transparent)]
    Staff(#[from] StaffError),
    #[error(transparent)]
    Directory(#[from] crate::directory::DirectoryError),
    #[error(transparent)]
    Stats(#[from] crate::stats::StatsError),
    #[error(transparent)]
    Teams(crate::handoff::TeamError),
    #[error("database error while {doing}")]
    Database {
        doing: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

/// A staff command the Telegram adapter hands to the admin before the conversation core sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaffCommand {
    /// `/admin`: a coordinator asks for a sign-in link.
    SignIn,
    /// `/start staff-<token>`: someone opened a staff invite.
    Invite(String),
    /// `/invite NAME [coordinator]`: a coordinator asks the bot for an invite link, the same
    /// one the admin's staff page makes. What follows `/invite` is read by the admin.
    NewInvite(String),
}

impl StaffCommand {
    /// Reads a private message's text. Anything else is `None` and goes to the core as usual.
    pub fn parse(text: &str) -> Option<StaffCommand> {
        let text = text.trim();
        let rest = text.strip_prefix('/')?;
        let (head, payload) = match rest.split_once(char::is_whitespace) {
            Some((h, p)) => (h, p.trim()),
            None => (rest, ""),
        };
        let name = head.split('@').next().unwrap_or_default();
        match name.to_ascii_lowercase().as_str() {
            "admin" if payload.is_empty() => Some(StaffCommand::SignIn),
            "invite" => Some(StaffCommand::NewInvite(payload.to_owned())),
            "start" => {
                let token = payload.strip_prefix(auth::INVITE_PREFIX)?;
                let ok = (16..=58).contains(&token.len())
                    && token.bytes().all(|b| b.is_ascii_alphanumeric());
                ok.then(|| StaffCommand::Invite(token.to_owned()))
            }
            _ => None,
        }
    }
}

/// What the bot says back to a staff command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaffReply {
    /// A sign-in link for her, to be sent with `protect_content`.
    SignInLink(String),
    /// She joined the staff through an invite.
    Joined(StaffMember),
    /// An invite for `name`: `url` is the deep link, or `/start staff-…` while the bot's
    /// username is unknown.
    InviteLink {
        name: StaffName,
        role: Role,
        url: String,
    },
    /// `/invite` without a usable name (none, too long, control characters): how to write it.
    InviteUsage,
}

/// The admin: its tables, the directory it edits, and where it is reachable.
pub struct Admin {
    auth: Auth,
    audit: Audit,
    staff: Staff,
    teams: crate::handoff::Teams,
    directory: Arc<dyn Directory>,
    counters: crate::stats::Counters,
    public_url: Url,
    bot_username: OnceLock<String>,
    clock: Clock,
}

impl Admin {
    /// `public_url` is where the server's `/admin` is reached from a browser (see
    /// [`crate::config::Config::public_url`]).
    pub fn new(db: Db, directory: Arc<dyn Directory>, public_url: Url) -> Admin {
        Admin {
            auth: Auth::new(db.clone()),
            audit: Audit::new(db.clone()),
            counters: crate::stats::Counters::new(db.clone()),
            teams: crate::handoff::Teams::new(db.clone()),
            staff: Staff::new(db),
            directory,
            public_url,
            bot_username: OnceLock::new(),
            clock: Arc::new(Utc::now),
        }
    }

    pub fn with_clock(mut self, clock: Clock) -> Admin {
        self.clock = clock;
        self
    }

    /// The bot's username, for staff invite links (`t.me/<username>?start=staff-…`).
    pub fn set_bot_username(&self, username: &str) {
        let _ = self.bot_username.set(username.to_owned());
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    pub fn audit(&self) -> &Audit {
        &self.audit
    }

    pub fn directory(&self) -> &Arc<dyn Directory> {
        &self.directory
    }

    /// Whether cookies must be Secure: the admin is reached over https.
    pub fn secure(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The URL a sign-in token is redeemed at.
    pub fn sign_in_url(&self, token: &str) -> String {
        format!(
            "{}/admin/signin/{token}",
            self.public_url.as_str().trim_end_matches('/')
        )
    }

    /// The deep link of a staff invite, when the bot's username is known.
    pub fn invite_url(&self, token: &str) -> Option<String> {
        self.bot_username
            .get()
            .map(|bot| format!("https://t.me/{bot}?start={}{token}", auth::INVITE_PREFIX))
    }

    /// A sign-in link for the coordinator with this staff name (`helpline admin-link`).
    pub async fn link_for_name(&self, name: &str) -> Result<String, AdminError> {
        let wanted = StaffName::parse(name).map_err(|_| AdminError::UnknownName(name.into()))?;
        let member = self
            .staff
            .list()
            .await?
            .into_iter()
            .find(|m| m.name == wanted)
            .ok_or_else(|| AdminError::UnknownName(name.into()))?;
        if member.role != Role::Coordinator {
            return Err(AdminError::NotCoordinator);
        }
        let token = self.auth.mint_link(member.id, self.now()).await?;
        Ok(self.sign_in_url(&token))
    }

    /// Answers a staff command from Telegram user `telegram_id`. `None` means "not for the
    /// admin": the adapter passes the message to the core, which treats it like anyone's
    /// (so `/admin` from someone who is not a coordinator is just an unknown command).
    pub async fn staff_command(
        &self,
        telegram_id: i64,
        command: &StaffCommand,
    ) -> Result<Option<StaffReply>, AdminError> {
        let now = self.now();
        match command {
            StaffCommand::SignIn => {
                let Some(member) = self.staff.by_telegram_id(telegram_id).await? else {
                    return Ok(None);
                };
                if member.role != Role::Coordinator {
                    return Ok(None);
                }
                let token = self.auth.mint_link(member.id, now).await?;
                Ok(Some(StaffReply::SignInLink(self.sign_in_url(&token))))
            }
            StaffCommand::Invite(token) => {
                // An invite never changes someone already on the staff (a coordinator opening a
                // consultant's invite is not demoted): roles change in the admin. The invite
                // stays unspent for the person it was meant for.
                if self.staff.by_telegram_id(telegram_id).await?.is_some() {
                    return Ok(None);
                }
                let Some(member) = self.auth.redeem_invite(token, telegram_id, now).await? else {
                    return Ok(None);
                };
                self.audit
                    .record(
                        now,
                        (Some(member.id), member.name.as_str()),
                        "joined by invite",
                        &format!("staff {}", member.name),
                        &format!("role {}", member.role),
                    )
                    .await?;
                Ok(Some(StaffReply::Joined(member)))
            }
            StaffCommand::NewInvite(payload) => {
                let Some(member) = self.staff.by_telegram_id(telegram_id).await? else {
                    return Ok(None);
                };
                if member.role != Role::Coordinator {
                    return Ok(None);
                }
                let Some((name, role)) = invite_request(payload) else {
                    return Ok(Some(StaffReply::InviteUsage));
                };
                let token = self.auth.mint_invite(&name, role, now).await?;
                self.audit
                    .record(
                        now,
                        (Some(member.id), member.name.as_str()),
                        "invite created",
                        &format!("staff {name}"),
                        &format!("role {role}"),
                    )
                    .await?;
                let url = self
                    .invite_url(&token)
                    .unwrap_or_else(|| format!("/start {}{token}", auth::INVITE_PREFIX));
                Ok(Some(StaffReply::InviteLink { name, role, url }))
            }
        }
    }
}

/// Reads `NAME [consultant|coordinator]` after `/invite`: the role, when given, is the last
/// word; the name is the rest. A consultant unless said otherwise.
fn invite_request(payload: &str) -> Option<(StaffName, Role)> {
    let payload = payload.trim();
    let (name, role) = match payload.rsplit_once(char::is_whitespace) {
        Some((rest, last)) => match Role::parse(last) {
            Ok(role) => (rest.trim(), role),
            Err(_) => (payload, Role::Consultant),
        },
        None => (payload, Role::Consultant),
    };
    Some((StaffName::parse(name).ok()?, role))
}

/// The admin's routes, all under `/admin`.
pub fn router(admin: Arc<Admin>) -> Router {
    pages::routes().with_state(admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_commands_parse_and_nothing_else_does() {
        assert_eq!(StaffCommand::parse("/admin"), Some(StaffCommand::SignIn));
        assert_eq!(
            StaffCommand::parse("/admin@helpline_bot"),
            Some(StaffCommand::SignIn)
        );
        assert_eq!(StaffCommand::parse("/admin please"), None);
        assert_eq!(StaffCommand::parse("admin"), None);
        let token = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            StaffCommand::parse(&format!("/start staff-{token}")),
            Some(StaffCommand::Invite(token.to_owned()))
        );
        assert_eq!(StaffCommand::parse("/start uk_UA"), None);
        assert_eq!(StaffCommand::parse("/start staff-<b>"), None);
        assert_eq!(StaffCommand::parse("/start"), None);
        assert_eq!(
            StaffCommand::parse("/invite Sun coordinator"),
            Some(StaffCommand::NewInvite("Sun coordinator".into()))
        );
    }

    #[test]
    fn invite_requests_read_the_role_from_the_last_word() {
        let read = |p: &str| invite_request(p).map(|(n, r)| (n.as_str().to_owned(), r));
        assert_eq!(read("Sun"), Some(("Sun".into(), Role::Consultant)));
        assert_eq!(
            read("Sun coordinator"),
            Some(("Sun".into(), Role::Coordinator))
        );
        assert_eq!(
            read("Mother Teresa"),
            Some(("Mother Teresa".into(), Role::Consultant))
        );
        assert_eq!(read(""), None);
        assert_eq!(
            read("coordinator"),
            Some(("coordinator".into(), Role::Consultant))
        );
        assert_eq!(read(&"x".repeat(40)), None);
    }
}
