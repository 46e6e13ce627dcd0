//! # helpline
//!
//! A Telegram helpline for women who use drugs and experience violence in Eastern Europe and
//! Central Asia: anonymous self-screening, a safety plan, emergency numbers, services that will
//! actually accept her, and a hand-off to a peer consultant.
//!
//! ## Where things live
//! - [`domain`]: small values that are known good once built (`Locale`, `CountryCode`, `Id`,
//!   `PhoneNumber`, the forms of violence, red flags and plan items).
//! - [`flows`]: conversations as data. `flows/*.toml` are compiled into steps that point at each
//!   other by index; `flows/countries.toml` holds emergency numbers with source and date.
//! - [`i18n`]: Fluent messages of every locale (`locales/<code>/*.ftl`) behind a small localizer.
//! - [`discretion`]: the lock-screen rule: no blocklisted word in a message's first 60 characters.
//! - [`content`]: all of the above loaded and checked together; what the engine runs on.
//! - [`conversation`]: the pure core, `(session, input) -> (session, reply)`. No Telegram, database
//!   or clock inside. /services browses a directory snapshot passed in with `now`
//!   ([`conversation::World`], [`content::Content::handle_with`]).
//! - [`check`]: `helpline check`, every content fault as `file:line: problem`.
//! - [`simulate`]: the same core in a terminal, or replaying a script from stdin.
//! - [`privacy`]: the secret, HMAC pseudonyms (she is never known by her Telegram id) and sealing
//!   of chat ids and sessions with XChaCha20-Poly1305.
//! - [`store`]: the `Store` port with SQLite (embedded default) and Postgres implementations:
//!   sessions, the routing table, message ids for quick exit, update ids seen once, purge;
//!   and the `Ledger` that writes the relay's message ids behind it, many in one commit.
//! - [`db`]: the store's database handle shared by the parts with tables of their own,
//!   [`on_db!`], which writes a query once for both dialects, and the one place that decides
//!   which database errors are an outage worth waiting out (`is_transient`, `patiently`).
//! - [`directory`]: the service directory (HSDS 3.0): the `Directory` port on SQLite and Postgres,
//!   an in-memory index that search runs on (city, type, filters, open now, stale, no OST where it
//!   is illegal), phone-only cards for confidential shelters, HSDS JSON/CSV import and export.
//! - [`staff`]: consultants and coordinators, their roles and the names women see.
//! - [`stats`]: numbers for advocacy: counters written only with her consent (by country,
//!   region, quarter, dimension), the consultants' case-documentation form, small-cell
//!   suppression (1–9 hidden, with complements so nothing hidden can be recomputed), and
//!   `helpline stats` tables, CSV, SVG charts.
//! - [`ops`]: Prometheus metrics at `/metrics` (labels from fixed enums only) and text or JSON
//!   logs (`HELPLINE_LOG_FORMAT`).
//! - [`handoff`]: cases (the database is their source of truth; one open case per woman),
//!   [`handoff::CaseCode`], the waiting line behind the [`handoff::Line`] port (in-process, the
//!   embedded default, or Redis shared by several instances), and teams with their working
//!   hours, holidays, deadline and the countries and languages they serve.
//! - [`telegram`]: the Telegram adapter: [`telegram::inbound`] reduces an update to an `Input`
//!   (dropping names and everything else about her), her own task runs her turns in order,
//!   [`telegram::outbound`] paces and retries every send, [`telegram::polling`] long-polls,
//!   [`telegram::desk`] runs the hand-off in the staff group (topics, card, board, Take, relay).
//! - [`server`]: `/healthz`, `/readyz`, `/metrics`, the webhook and the admin on `HELPLINE_HTTP_ADDR`.
//! - [`admin`]: the coordinators' web admin under `/admin`: single-use sign-in links (from
//!   `/admin` in the bot or `helpline admin-link`), sessions, CSRF, services, the stale list,
//!   import/export, staff and invites, teams and working hours, the audit log, the statistics
//!   (suppressed tables, charts, CSV). To add a page, see [`admin`]'s overview.
//! - [`config`]: the environment, each fault one line naming the variable.
//! - [`app`]: `helpline run`: wires it all together and stops gracefully on SIGTERM/SIGINT.
//!
//! ## How an input flows
//! A Telegram update arrives by long polling or the webhook; [`telegram::Telegram::accept`] queues
//! it for her task (during a database outage the update is held and retried, never dropped). A
//! staff command (`/admin`, `/invite`, a staff invite) is offered to the [`admin`] first;
//! for anyone it does not concern, it goes on like any message. Her task loads her sealed
//! session from the [`store`] (by pseudonym), and then:
//! an adapter (the Telegram bot, the terminal simulator, the tests) turns what she did into an
//! [`conversation::Input`], takes her [`conversation::Session`], calls
//! [`content::Content::handle_with`] (with the directory's current index and the time), renders
//! the [`conversation::Reply`] (messages with buttons or a location keyboard, and at most one
//! effect — forget her, hand her to a consultant — that only the adapter can carry out), and then stores the session in one write with the turn's message ids.

pub mod admin;
pub mod app;
pub mod check;
pub mod config;
pub mod content;
pub mod conversation;
pub mod db;
pub mod directory;
pub mod discretion;
pub mod domain;
pub mod flows;
pub mod handoff;
pub mod i18n;
pub mod ops;
pub mod privacy;
pub mod server;
pub mod simulate;
pub mod staff;
pub mod stats;
pub mod store;
pub mod telegram;
