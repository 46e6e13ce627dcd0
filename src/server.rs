//! The HTTP side, on `HELPLINE_HTTP_ADDR`: `/healthz` (the process is alive), `/readyz` (the
//! database answers and Telegram was reachable on the last call), `/metrics` (Prometheus text,
//! see [`crate::ops::metrics`]), the coordinators' admin under `/admin` ([`crate::admin`]), and
//! the webhook, which checks
//! Telegram's secret-token header and answers once her task has handled the update: Telegram
//! forgets an update it got a 200 for, so answering earlier would lose it to a crash. A turn
//! that takes too long (a database outage) is answered 503, so Telegram delivers it again.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::store::Store;
use crate::telegram::Telegram;

pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// How long the webhook waits for a turn before answering anyway: under Telegram's own timeout
/// for webhook answers, since a timeout there means a redelivery and a slower line for everyone.
/// A turn still running then (waiting out a database outage, say) is answered 503: Telegram
/// delivers it again later, so a crash meanwhile loses nothing, and the redelivery is
/// recognised once the first delivery's turn is over (her session's handled ids, the relay's
/// `case_messages`).
const WEBHOOK_TURN_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);
/// How long `/readyz` waits for the database: a pool that cannot connect would otherwise hold
/// the probe for its whole acquire timeout.
const READY_DATABASE_LIMIT: std::time::Duration = std::time::Duration::from_secs(1);

#[derive(Clone)]
struct AppState {
    telegram: Telegram,
    store: Arc<dyn Store>,
    webhook_token: Option<Arc<str>>,
    line: Option<Arc<dyn crate::handoff::Line>>,
}

/// Builds the router. `webhook` is `(path, secret token)` when webhook mode is on; `admin` mounts
/// the coordinators' web admin under `/admin`; `line` is the hand-off line, pinged by `/readyz`.
pub fn router(
    telegram: Telegram,
    store: Arc<dyn Store>,
    line: Option<Arc<dyn crate::handoff::Line>>,
    webhook_route: Option<(String, String)>,
    admin: Option<Arc<crate::admin::Admin>>,
) -> Router {
    let (path, token) = match webhook_route {
        Some((path, token)) => (Some(path), Some(Arc::from(token))),
        None => (None, None),
    };
    let state = AppState {
        telegram,
        store,
        webhook_token: token,
        line,
    };
    let mut app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics));
    if let Some(path) = path {
        app = app.route(&path, post(webhook));
    }
    let app = app.with_state(state);
    match admin {
        Some(admin) => app.merge(crate::admin::router(admin)),
        None => app,
    }
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if !matches!(
        tokio::time::timeout(READY_DATABASE_LIMIT, state.store.ping()).await,
        Ok(Ok(()))
    ) {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable");
    }
    // The hand-off line's Redis (REDIS_URL) when configured; the in-process line always answers.
    if let Some(line) = &state.line
        && line.ping().await.is_err()
    {
        return (StatusCode::SERVICE_UNAVAILABLE, "redis unreachable");
    }
    if !state.telegram.outbound().reachable() {
        return (StatusCode::SERVICE_UNAVAILABLE, "telegram unreachable");
    }
    (StatusCode::OK, "ready")
}

async fn metrics(
    State(state): State<AppState>,
) -> ([(axum::http::header::HeaderName, &'static str); 1], String) {
    use std::sync::atomic::Ordering::Relaxed;
    let stats = &state.telegram.outbound().stats;
    let snapshot = crate::ops::metrics::Snapshot {
        pending_updates: state.telegram.count_in_flight(),
        sent: stats.sent.load(Relaxed),
        retried_429: stats.retried_429.load(Relaxed),
        network_retries: stats.network_retries.load(Relaxed),
        failed: stats.failed.load(Relaxed),
    };
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::ops::metrics::render(&snapshot),
    )
}

async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers.get(SECRET_HEADER).and_then(|v| v.to_str().ok());
    let expected = state.webhook_token.as_deref();
    if expected.is_none() || given != expected {
        return StatusCode::UNAUTHORIZED;
    }
    match serde_json::from_slice::<teloxide::types::Update>(&body) {
        Ok(update) => {
            let turn = state.telegram.accept_and_wait(&update);
            if tokio::time::timeout(WEBHOOK_TURN_LIMIT, turn)
                .await
                .is_err()
            {
                // Her task goes on with it; Telegram delivers it again, and if the turn is over
                // by then, the redelivery changes nothing.
                tracing::warn!(
                    "a webhook update is not handled yet; Telegram will deliver it again"
                );
                return StatusCode::SERVICE_UNAVAILABLE;
            }
        }
        // A body Telegram would only resend unchanged: acknowledged and dropped, content unlogged.
        Err(_) => tracing::warn!(bytes = body.len(), "unreadable webhook update dropped"),
    }
    StatusCode::OK
}

/// Serves until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
}
