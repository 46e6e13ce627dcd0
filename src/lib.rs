//! helpline

pub mod privacy;
pub mod store;
