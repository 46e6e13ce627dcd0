//! Hand-off to a peer consultant: cases and the waiting line (PRODUCT.md §2 /talk, §3).
//!
//! - [`CaseCode`]: the random code a case is known by in the staff group (`K-7F3Q`).
//! - [`cases::Cases`]: the cases table, the source of truth. Who holds a case is decided there,
//!   by one conditional update, so exactly one consultant wins a race for it.
//! - [`line::Line`]: the waiting line, urgent first, then oldest; returned cases ahead of newer
//!   ones. [`line::LocalLine`] (in-process, the embedded default) and [`line::RedisLine`]
//!   (`REDIS_URL`, shared by several instances) pass the same conformance suite. The line is a
//!   cache of the database: it is restored from the cases table at start and whenever Redis comes
//!   back empty, so a Redis restart loses nobody.
//! - [`teams::Teams`]: teams, their working hours ([`hours::WorkingHours`]) and the cases they
//!   serve; a case joins the most specific team for her country and language when it opens.
//!
//! The Telegram side (topics, the card, the board, relaying) is [`crate::telegram::desk`].

pub mod cases;
pub mod hours;
pub mod line;
pub mod teams;

use std::fmt;

use rand::Rng as _;

pub use cases::{Case, CaseState, Cases, HandoffError, Opened};
pub use hours::WorkingHours;
pub use line::{Entry, Line, LineError, LocalLine, RedisLine};
pub use teams::{Team, TeamError, TeamSettings, Teams};

/// Letters and digits no one confuses when reading a code aloud or on a small screen: no 0/O,
/// 1/I/L, 5/S, 8/B, 2/Z, U/V.
const ALPHABET: &[u8] = b"34679ACDEFGHJKMNPQRTWXY";
const CODE_CHARS: usize = 4;

/// A case code, `K-` and four characters of `ALPHABET`. Random, so it says nothing about when
/// she wrote or how many women wrote before her.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseCode(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a case code looks like K-7F3Q")]
pub struct BadCaseCode;

impl CaseCode {
    pub fn random() -> CaseCode {
        let mut rng = rand::rng();
        let tail: String = (0..CODE_CHARS)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        CaseCode(format!("K-{tail}"))
    }

    /// Accepts `K-7F3Q` in any case, with or without the dash.
    pub fn parse(text: &str) -> Result<CaseCode, BadCaseCode> {
        let upper = text.trim().to_ascii_uppercase();
        let tail = upper
            .strip_prefix("K-")
            .or_else(|| upper.strip_prefix('K'))
            .ok_or(BadCaseCode)?;
        if tail.len() != CODE_CHARS || !tail.bytes().all(|b| ALPHABET.contains(&b)) {
            return Err(BadCaseCode);
        }
        Ok(CaseCode(format!("K-{tail}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Messages of hers the hand-off needs in every locale (checked by `helpline check`).
pub const HANDOFF_MESSAGES: &[&str] = &[
    "handoff-share-ask",
    "handoff-share-yes",
    "handoff-share-no",
    "handoff-waiting",
    "handoff-offline",
    "handoff-joined",
    "handoff-ended",
    "handoff-rate-good",
    "handoff-rate-ok",
    "handoff-rate-bad",
    "handoff-rated",
    "handoff-returned",
    "handoff-urgent-missed",
    "handoff-end-button",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_reject_lookalikes() {
        for _ in 0..200 {
            let code = CaseCode::random();
            assert_eq!(CaseCode::parse(code.as_str()), Ok(code.clone()));
            assert_eq!(
                CaseCode::parse(&code.as_str().to_ascii_lowercase()),
                Ok(code)
            );
        }
        assert_eq!(CaseCode::parse("k7f3q").map(|c| c.0), Ok("K-7F3Q".into()));
        assert!(CaseCode::parse("K-0O1I").is_err());
        assert!(CaseCode::parse("K-7F3").is_err());
        assert!(CaseCode::parse("X-7F3Q").is_err());
        assert!(CaseCode::parse("K-7F3QQ").is_err());
    }
}
