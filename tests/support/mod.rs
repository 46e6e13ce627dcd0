//! Helpers shared by the integration tests. Each test module uses only some of them, so unused
//! items are expected here.
#![allow(dead_code)]

pub mod admin;
pub mod app;
pub mod content;
pub mod databases;
pub mod fake_telegram;
pub mod instances;
pub mod listings;
pub mod servers;
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

/// `stories!(a, b)`: runs each async story `a(Backend)` twice, as the tests `a::sqlite` and
/// `a::postgres`, so a behaviour only one backend has shows up as one failing test.
macro_rules! stories {
    ($($story:ident),* $(,)?) => {$(
        mod $story {
            use crate::support::Backend;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$story(Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$story(Backend::Postgres).await;
            }
        }
    )*};
}
pub(crate) use stories;
