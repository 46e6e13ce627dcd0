//! helpline's integration tests: one binary, one module per story (as ripgrep and zero2prod do).

mod support; // shared helpers: shipped content, fixtures, fresh databases, the fake Telegram Bot API, the whole app

mod admin; // the web admin over HTTP on SQLite and Postgres: sessions, links, CSRF, roles, escaping, edits, import/export, staff, audit
mod admin_browser; // the admin in real Chromium against the whole bot, /admin and staff invites through the fake Bot API
mod content_check; // `helpline check` passes on the shipped files and pinpoints each kind of fault
mod conversation_walk; // every reachable path of every flow, in every locale: no dead end, no raw id
mod directory; // service search on SQLite and Postgres: types, filters, nearest, confidential, stale, OST, hours
mod directory_import; // HSDS JSON/CSV: round trips, refusals naming each place, no-op re-imports, hostile text
mod e2e; // the whole bot against the fake Bot API on SQLite and Postgres: flows, quick exit, faults, privacy, restarts
mod fake_telegram_selftest; // the fake Bot API behaves like Telegram, through teloxide's real client
mod faults; // private Redis and PostgreSQL broken mid-hand-off: Redis killed, restarted empty and FLUSHALLed, Postgres restarted and stopped; every message once, in order, nobody out of line
mod handoff; // /talk → topic, card, Take, relay both ways, /note, /end; the Take race; the line on both backends; deadlines and shifts on a chosen clock; kill -9, Redis emptied, 429s
mod handoff_privacy; // after a whole hand-off with rating, consent and the documentation form: nothing identifying or written in any table, log, Redis key or metric
mod instances; // several instances on one Postgres and Redis prefix, webhook mode behind one round-robin address: one Take winner, every message once and in order, consent and the form on any instance, one stopped mid-conversation loses nothing
mod localizer; // fallback chains are a safety net that works, and locales load strictly
mod ops; // after a scripted conversation: /metrics series with no id, name or text in any label; JSON logs just as clean
mod plurals; // plural forms render right in every locale
mod red_flags; // each red flag brings emergency numbers and a talk-now button in the same reply
mod services_bot; // /services through the fake Bot API on SQLite and Postgres: search, location, privacy, OST, stale, none, hostile text
mod simulate_script; // `helpline simulate` replays a scripted conversation in Ukrainian
mod staff; // staff on SQLite and Postgres: roles, re-registering, limits, removal
mod stats; // counts only with consent, exactly the expected counters, no identifying column, `helpline stats`
mod stats_suppression; // small-cell suppression against an independent attacker that must fail to recompute any hidden figure
mod store_conformance; // every `Store` story, run against SQLite and a fresh Postgres database
mod store_setup; // secrets, keys, pseudonyms and DATABASE_URL parsing
mod teams; // teams on SQLite and Postgres: routing by country and language, paging one team, /online and /offline lapsing at the hours' boundaries, the end of the hours returning a held case once
