//! Shared test helpers.

pub mod content;
