//! helpline

pub mod privacy;
