//! The integration tests: one binary, one module per area.

// Shared test helpers: the fake Telegram Bot API server.
mod support;

// Self-tests of the fake Telegram server, driven through teloxide's real client.
mod fake_telegram_selftest;
