//! Operations: Prometheus metrics ([`metrics`]) and the log format ([`logs`]). Nothing here
//! carries personal data: metric labels come from fixed enums only, and logs are the same events
//! in text or JSON.

pub mod logs;
pub mod metrics;
