//! Configuration from the environment (PRODUCT.md §5). Every fault is one line naming the
//! variable and the fix, because the person reading it is an NGO's volunteer admin at 2 a.m.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::TimeDelta;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::privacy::Secret;

/// Telegram's own Bot API server.
pub const TELEGRAM_API: &str = "https://api.telegram.org";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct ConfigError(pub String);

pub struct Config {
    pub token: SecretString,
    pub api_url: Url,
    pub database_url: String,
    pub secret: Option<Secret>,
    pub http_addr: SocketAddr,
    pub webhook_url: Option<Url>,
    /// Where a browser reaches this server (the admin's sign-in links): `HELPLINE_PUBLIC_URL`,
    /// else the origin of `HELPLINE_WEBHOOK_URL`, else `http://HELPLINE_HTTP_ADDR`.
    pub public_url: Url,
    pub staff_chat_id: Option<i64>,
    /// `REDIS_URL`: the shared waiting line. `None`: the line lives in this process.
    pub redis_url: Option<String>,
    /// Prefix of the line's Redis keys (`HELPLINE_REDIS_PREFIX`, default `helpline`), so several
    /// helplines (or tests) can share one Redis.
    pub redis_prefix: String,
    pub limits: SendLimits,
    /// Deadlines of the hand-off (`HELPLINE_URGENT_DEADLINE_MIN`, `HELPLINE_SILENCE_LIMIT_MIN`).
    pub desk_rules: crate::telegram::desk::DeskRules,
    /// `HELPLINE_WORKING_HOURS` (+ `HELPLINE_TEAM_TIMEZONE`, `HELPLINE_HOLIDAYS`): with
    /// `HELPLINE_URGENT_DEADLINE_MIN`, the seed of the default team at the first start (see
    /// [`crate::handoff::teams`]); afterwards teams are edited in the admin.
    pub working_hours: Option<crate::handoff::WorkingHours>,
    pub retention: TimeDelta,
    /// `HELPLINE_HIDE_STALE_SERVICES`: hide listings not verified for 180 days instead of
    /// showing them with a warning.
    pub hide_stale_services: bool,
}

/// Outbound rate limits. Telegram's published limits are the defaults; a test against the fake
/// Bot API may lift them, since the fake does not throttle and the bot must not be the bottleneck.
#[derive(Debug, Clone, Copy)]
pub struct SendLimits {
    /// Messages per second across all chats (Telegram: about 30).
    pub global_per_second: u32,
    /// Messages per second into one private chat (Telegram: about 1, short bursts tolerated).
    pub chat_per_second: u32,
    /// How many messages one chat may receive at once before the per-chat pace applies.
    pub chat_burst: u32,
    /// Messages per minute into one group, such as the staff group (Telegram: about 20).
    pub group_per_minute: u32,
    /// How long one second of a 429's `retry_after` lasts. Always 1 s against Telegram; the
    /// fake Bot API can scale it down so fault tests stay quick.
    pub retry_after_unit: Duration,
}

impl Default for SendLimits {
    fn default() -> SendLimits {
        SendLimits {
            global_per_second: 30,
            chat_per_second: 1,
            chat_burst: 3,
            group_per_minute: 20,
            retry_after_unit: Duration::from_secs(1),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("token", &"[REDACTED]")
            .field("api_url", &self.api_url.as_str())
            .field(
                "database",
                &if self.database_url.starts_with("postgres") {
                    "postgres"
                } else {
                    "sqlite"
                },
            )
            .field("secret", &self.secret.as_ref().map(|_| "[REDACTED]"))
            .field("http_addr", &self.http_addr)
            .field("webhook", &self.webhook_url.is_some())
            .field("redis", &self.redis_url.is_some())
            .field("public_url", &self.public_url.as_str())
            .field("limits", &self.limits)
            .field("hide_stale_services", &self.hide_stale_services)
            .finish()
    }
}

fn fault(message: impl Into<String>) -> ConfigError {
    ConfigError(message.into())
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `get`, so tests can pass a map instead of the environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let value = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let token = value("TELEGRAM_BOT_TOKEN").ok_or_else(|| {
            fault("TELEGRAM_BOT_TOKEN is not set: set it to the token @BotFather gave you (123456789:AA…)")
        })?;
        if !token_is_well_formed(&token) {
            return Err(fault(
                "TELEGRAM_BOT_TOKEN is malformed: it must look like 123456789:AA… (digits, a colon, then letters, digits, _ or -)",
            ));
        }

        let api_url = match value("TELEGRAM_API_URL") {
            None => Url::parse(TELEGRAM_API).map_err(|_| fault("internal: Telegram's URL"))?,
            Some(raw) => parse_http_url(&raw).ok_or_else(|| {
                fault("TELEGRAM_API_URL is not an http(s) URL: use e.g. https://api.telegram.org or http://127.0.0.1:8081")
            })?,
        };

        let database_url =
            value("DATABASE_URL").unwrap_or_else(|| "sqlite://helpline.db".to_owned());
        crate::store::DatabaseUrl::parse(&database_url).map_err(|e| fault(e.to_string()))?;

        let secret = match value("HELPLINE_SECRET") {
            Some(hex) => Some(Secret::from_hex(&hex).map_err(|e| fault(e.to_string()))?),
            None => None,
        };
        if secret.is_none() && database_url.starts_with("postgres") {
            return Err(fault(
                "HELPLINE_SECRET is required with PostgreSQL: set it to 64 hex characters (e.g. `openssl rand -hex 32`) and keep a copy",
            ));
        }

        let http_addr = match value("HELPLINE_HTTP_ADDR") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(raw) => raw.parse().map_err(|_| {
                fault("HELPLINE_HTTP_ADDR is not an address: use HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080")
            })?,
        };

        let webhook_url = match value("HELPLINE_WEBHOOK_URL") {
            None => None,
            Some(raw) => {
                let url = parse_http_url(&raw)
                    .filter(|u| u.scheme() == "https" || u.host_str() == Some("127.0.0.1") || u.host_str() == Some("localhost"))
                    .ok_or_else(|| {
                        fault("HELPLINE_WEBHOOK_URL must be an https:// URL that reaches HELPLINE_HTTP_ADDR, e.g. https://bot.example.org/telegram")
                    })?;
                Some(url)
            }
        };

        let public_url = public_url(&get, webhook_url.as_ref(), http_addr)?;

        let staff_chat_id = match value("HELPLINE_STAFF_CHAT_ID") {
            None => None,
            Some(raw) => Some(raw.parse::<i64>().ok().filter(|id| *id < 0).ok_or_else(|| {
                fault("HELPLINE_STAFF_CHAT_ID must be the negative id of the staff supergroup, e.g. -1001234567890")
            })?),
        };

        let redis_url = match value("REDIS_URL") {
            None => None,
            Some(raw) => {
                let ok = Url::parse(&raw).ok().is_some_and(|u| {
                    (u.scheme() == "redis" && u.host_str().is_some()) || u.scheme() == "redis+unix"
                });
                if !ok {
                    return Err(fault(
                        "REDIS_URL must be redis://HOST:PORT[/DB] (e.g. redis://127.0.0.1:6379), or unset for the in-process line",
                    ));
                }
                Some(raw)
            }
        };
        let redis_prefix = value("HELPLINE_REDIS_PREFIX").unwrap_or_else(|| "helpline".to_owned());
        if !redis_prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b':')
        {
            return Err(fault(
                "HELPLINE_REDIS_PREFIX may only hold letters, digits, _, - and :",
            ));
        }

        let mut limits = SendLimits::default();
        if let Some(raw) = value("HELPLINE_SEND_RATE") {
            limits.global_per_second = raw.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                fault("HELPLINE_SEND_RATE must be a whole number of messages per second, e.g. 30")
            })?;
        }
        if let Some(raw) = value("HELPLINE_CHAT_SEND_RATE") {
            limits.chat_per_second = raw.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                fault("HELPLINE_CHAT_SEND_RATE must be a whole number of messages per second per chat, e.g. 1")
            })?;
            limits.chat_burst = limits.chat_burst.max(limits.chat_per_second);
        }
        if let Some(raw) = value("HELPLINE_GROUP_SEND_RATE") {
            limits.group_per_minute = raw.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                fault("HELPLINE_GROUP_SEND_RATE must be a whole number of messages per minute into the staff group, e.g. 20")
            })?;
        }
        if let Some(raw) = value("HELPLINE_RETRY_AFTER_UNIT_MS") {
            let ms: u64 = raw.parse().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| {
                fault("HELPLINE_RETRY_AFTER_UNIT_MS must be 1-1000 (only test servers scale Telegram's retry_after)")
            })?;
            limits.retry_after_unit = Duration::from_millis(ms);
        }

        let mut desk_rules = crate::telegram::desk::DeskRules::default();
        if let Some(raw) = value("HELPLINE_URGENT_DEADLINE_MIN") {
            desk_rules.urgent_deadline = raw
                .parse::<i64>()
                .ok()
                .filter(|m| (1..=120).contains(m))
                .map(TimeDelta::minutes)
                .ok_or_else(|| {
                    fault("HELPLINE_URGENT_DEADLINE_MIN must be 1-120 minutes, e.g. 5")
                })?;
        }
        if let Some(raw) = value("HELPLINE_SILENCE_LIMIT_MIN") {
            desk_rules.silence_limit = raw
                .parse::<i64>()
                .ok()
                .filter(|m| (1..=1440).contains(m))
                .map(TimeDelta::minutes)
                .ok_or_else(|| {
                    fault("HELPLINE_SILENCE_LIMIT_MIN must be 1-1440 minutes, e.g. 20")
                })?;
        }

        let working_hours = match value("HELPLINE_WORKING_HOURS") {
            None => None,
            Some(hours) => Some(
                crate::handoff::WorkingHours::parse(
                    &hours,
                    value("HELPLINE_TEAM_TIMEZONE").as_deref(),
                    value("HELPLINE_HOLIDAYS").as_deref(),
                )
                .map_err(|e| fault(e.to_string()))?,
            ),
        };

        let retention = match value("HELPLINE_RETENTION_DAYS") {
            None => crate::store::DEFAULT_IDLE_RETENTION,
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=365).contains(d))
                .map(TimeDelta::days)
                .ok_or_else(|| {
                    fault("HELPLINE_RETENTION_DAYS must be a number of days from 1 to 365")
                })?,
        };

        let hide_stale_services = match value("HELPLINE_HIDE_STALE_SERVICES").as_deref() {
            None | Some("0" | "false" | "no" | "") => false,
            Some("1" | "true" | "yes") => true,
            Some(_) => {
                return Err(fault(
                    "HELPLINE_HIDE_STALE_SERVICES must be true or false (1 or 0)",
                ));
            }
        };

        Ok(Config {
            hide_stale_services,
            token: SecretString::from(token),
            api_url,
            database_url,
            secret,
            http_addr,
            webhook_url,
            public_url,
            staff_chat_id,
            redis_url,
            redis_prefix,
            limits,
            desk_rules,
            working_hours,
            retention,
        })
    }

    pub fn token(&self) -> &str {
        self.token.expose_secret()
    }
}

/// The URL a browser reaches the server at, for the admin's links: `HELPLINE_PUBLIC_URL`, else
/// the origin of the webhook URL (the same server answers both), else `http://` the HTTP address
/// (loopback when it listens on every interface). Also used by `helpline admin-link`, which
/// needs no bot token.
pub fn public_url(
    get: &impl Fn(&str) -> Option<String>,
    webhook_url: Option<&Url>,
    http_addr: SocketAddr,
) -> Result<Url, ConfigError> {
    if let Some(raw) = get("HELPLINE_PUBLIC_URL")
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
    {
        return parse_http_url(&raw)
            .filter(|u| u.query().is_none() && u.fragment().is_none())
            .ok_or_else(|| {
                fault("HELPLINE_PUBLIC_URL must be the http(s) address browsers reach this server at, e.g. https://bot.example.org")
            });
    }
    if let Some(webhook) = webhook_url {
        let origin = webhook.origin().ascii_serialization();
        return Url::parse(&origin).map_err(|_| fault("internal: the webhook URL's origin"));
    }
    let host = if http_addr.ip().is_unspecified() {
        SocketAddr::new(std::net::IpAddr::from([127, 0, 0, 1]), http_addr.port())
    } else {
        http_addr
    };
    Url::parse(&format!("http://{host}")).map_err(|_| fault("internal: the HTTP address as a URL"))
}

fn token_is_well_formed(token: &str) -> bool {
    match token.split_once(':') {
        Some((id, rest)) => {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }
        None => false,
    }
}

fn parse_http_url(raw: &str) -> Option<Url> {
    Url::parse(raw)
        .ok()
        .filter(|u| (u.scheme() == "http" || u.scheme() == "https") && u.host_str().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    const TOKEN: (&str, &str) = ("TELEGRAM_BOT_TOKEN", "123456:TEST-fake-token");

    fn error_names(pairs: &[(&str, &str)], variable: &str) {
        match config(pairs) {
            Ok(_) => panic!("{pairs:?} was accepted"),
            Err(e) => {
                assert!(e.0.contains(variable), "{e} does not name {variable}");
                assert!(!e.0.contains('\n'), "{e} is more than one line");
            }
        }
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = config(&[TOKEN]).expect("config");
        assert_eq!(c.database_url, "sqlite://helpline.db");
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.api_url.as_str(), "https://api.telegram.org/");
        assert!(c.webhook_url.is_none());
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:8080/");
        assert!(
            !format!("{c:?}").contains("TEST-fake-token"),
            "token redacted in Debug"
        );
    }

    #[test]
    fn each_bad_variable_is_named() {
        error_names(&[], "TELEGRAM_BOT_TOKEN");
        error_names(&[("TELEGRAM_BOT_TOKEN", "nonsense")], "TELEGRAM_BOT_TOKEN");
        error_names(
            &[TOKEN, ("TELEGRAM_API_URL", "ftp://x")],
            "TELEGRAM_API_URL",
        );
        error_names(&[TOKEN, ("DATABASE_URL", "mysql://x")], "DATABASE_URL");
        error_names(
            &[
                TOKEN,
                ("DATABASE_URL", "postgres://postgres@127.0.0.1/test"),
            ],
            "HELPLINE_SECRET",
        );
        error_names(&[TOKEN, ("HELPLINE_SECRET", "abc")], "HELPLINE_SECRET");
        error_names(
            &[TOKEN, ("HELPLINE_HTTP_ADDR", "localhost")],
            "HELPLINE_HTTP_ADDR",
        );
        error_names(
            &[TOKEN, ("HELPLINE_WEBHOOK_URL", "http://bot.example.org/x")],
            "HELPLINE_WEBHOOK_URL",
        );
        error_names(
            &[TOKEN, ("HELPLINE_STAFF_CHAT_ID", "12")],
            "HELPLINE_STAFF_CHAT_ID",
        );
        error_names(&[TOKEN, ("REDIS_URL", "localhost:6379")], "REDIS_URL");
        error_names(
            &[TOKEN, ("HELPLINE_WORKING_HOURS", "always")],
            "HELPLINE_WORKING_HOURS",
        );
        error_names(
            &[TOKEN, ("HELPLINE_SEND_RATE", "fast")],
            "HELPLINE_SEND_RATE",
        );
        error_names(
            &[TOKEN, ("HELPLINE_RETENTION_DAYS", "0")],
            "HELPLINE_RETENTION_DAYS",
        );
    }

    #[test]
    fn the_public_url_is_set_or_derived() {
        let c = config(&[
            TOKEN,
            ("HELPLINE_WEBHOOK_URL", "https://bot.example.org/telegram"),
        ])
        .expect("config");
        assert_eq!(c.public_url.as_str(), "https://bot.example.org/");
        let c = config(&[
            TOKEN,
            ("HELPLINE_WEBHOOK_URL", "https://bot.example.org/telegram"),
            ("HELPLINE_PUBLIC_URL", "https://admin.example.org"),
        ])
        .expect("config");
        assert_eq!(c.public_url.as_str(), "https://admin.example.org/");
        let c = config(&[TOKEN, ("HELPLINE_HTTP_ADDR", "0.0.0.0:9000")]).expect("config");
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:9000/");
        error_names(
            &[TOKEN, ("HELPLINE_PUBLIC_URL", "bot.example.org")],
            "HELPLINE_PUBLIC_URL",
        );
    }

    #[test]
    fn secrets_never_appear_in_errors() {
        let bad = "zz".repeat(32);
        let e = config(&[TOKEN, ("HELPLINE_SECRET", &bad)]).expect_err("rejected");
        assert!(!e.0.contains(&bad));
    }
}
