//! helpline
