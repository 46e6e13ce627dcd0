//! The integration test binary: one binary, one module per area (as ripgrep and zero2prod do).

// Every `Store` story, written once and run against SQLite and a fresh Postgres database.
mod store_conformance;
// Secrets, keys, pseudonyms and DATABASE_URL parsing: no database server needed.
mod store_setup;
// Shared helpers: a fresh database per test, raw access to its tables, fixed times.
mod support;
