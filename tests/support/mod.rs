//! Helpers shared by the integration tests. Each test module uses only some of them, so unused
//! items are expected here.
#![allow(dead_code)]

pub mod admin;
pub mod app;
pub mod content;
pub mod databases;
pub mod fake_telegram;
pub mod listings;
pub mod webdriver;

use chrono::{DateTime, TimeZone as _, Utc};

pub use databases::{Backend, TestDb};

/// A fixed "now" for stories about time: tests move it by hand, never sleep.
pub fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0)
        .single()
        .expect("a valid fixed time")
}

/// Does `haystack` contain `needle` as a contiguous run of bytes?
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window == needle)
}
