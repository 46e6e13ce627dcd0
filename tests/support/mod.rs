//! Helpers shared by the integration tests. Each test module uses only some of them, so unused
//! items are expected here.
#![allow(dead_code)]

pub mod fake_telegram;
