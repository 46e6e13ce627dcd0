//! The HTTP side: routing `/bot<token>/<method>`, long-polling `getUpdates`, and the task that
//! POSTs updates to a webhook.

use std::{
    pin::pin,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri, header::CONTENT_TYPE},
    response::{IntoResponse, Response},
};
use serde_json::Value;
use tokio::{sync::Notify, time::Instant};
use tokio_util::sync::CancellationToken;

use super::state::{TelegramState, WebhookJob, allowed_list};
use super::wire::{ApiError, Params, api_error, not_found, parse_params, split_path};
use super::{MAX_POLL_TIMEOUT_SECS, POLL_CONFLICT, TOKEN, WEBHOOK_CONFLICT};

pub(super) struct Shared {
    pub(super) state: Mutex<TelegramState>,
    /// Woken after every change: long polls, the webhook sender and `wait_for` re-check.
    pub(super) changed: Notify,
}

impl Shared {
    pub(super) fn new() -> Self {
        Self {
            state: Mutex::new(TelegramState::new()),
            changed: Notify::new(),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, TelegramState> {
        // A test that panicked inside `wait_for` poisons the lock; the state is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn update<T>(&self, change: impl FnOnce(&mut TelegramState) -> T) -> T {
        let result = change(&mut self.lock());
        self.changed.notify_waiters();
        result
    }
}

/// Counts a long poll as waiting for as long as it is in flight, even if the client goes away.
pub(super) struct PollGuard<'a>(&'a Shared);

impl<'a> PollGuard<'a> {
    pub(super) fn new(shared: &'a Shared) -> Self {
        shared.update(|st| st.waiting_polls += 1);
        Self(shared)
    }
}

impl Drop for PollGuard<'_> {
    fn drop(&mut self) {
        self.0
            .update(|st| st.waiting_polls = st.waiting_polls.saturating_sub(1));
    }
}

/// `{"ok":true,"result":…}`, serialized straight from the borrowed result (no copy of it).
#[derive(serde::Serialize)]
struct Answer<'a> {
    ok: bool,
    result: &'a Value,
}

pub(super) fn reply(result: &Result<Value, ApiError>) -> Response {
    match result {
        Ok(value) => Json(Answer {
            ok: true,
            result: value,
        })
        .into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.code).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(e.body())).into_response()
        }
    }
}

pub(super) async fn handle(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((token, method)) = split_path(uri.path()) else {
        let result = Err(not_found());
        shared.update(|st| st.record(uri.path(), &Params::empty(), &result));
        return reply(&result);
    };
    let params = match parse_params(uri.query(), &headers, &body) {
        Ok(params) => params,
        Err(e) => {
            let result = Err(e);
            shared.update(|st| st.record(&method, &Params::empty(), &result));
            return reply(&result);
        }
    };
    let lower = method.to_ascii_lowercase();
    let result = if token != TOKEN {
        shared.update(|st| {
            let result = Err(api_error(401, "Unauthorized"));
            st.record(&method, &params, &result);
            result
        })
    } else if lower == "getupdates" {
        let result = match get_updates(&shared, &params).await {
            Ok(Updates::Text(text)) => {
                // No call history is kept: nothing to record, and the text is the answer.
                let body = format!("{{\"ok\":true,\"result\":{text}}}");
                return ([(CONTENT_TYPE, "application/json")], body).into_response();
            }
            Ok(Updates::Parsed(value)) => Ok(value),
            Err(e) => Err(e),
        };
        shared.update(|st| st.record(&method, &params, &result));
        result
    } else {
        let (result, hold) = shared.update(|st| {
            let result = st.dispatch(&lower, &params);
            st.record(&method, &params, &result);
            let hold = match &result {
                Ok(sent) if lower == "sendmessage" => st.quick_press(sent),
                _ => None,
            };
            (result, hold)
        });
        if let Some(hold) = hold {
            tokio::time::sleep(hold).await;
        }
        result
    };
    reply(&result)
}

/// A `getUpdates` answer: parsed when calls are kept, already JSON text when they are not.
pub(super) enum Updates {
    Parsed(Value),
    Text(String),
}

pub(super) async fn get_updates(shared: &Shared, p: &Params) -> Result<Updates, ApiError> {
    let offset = p.int("offset")?;
    let limit = usize::try_from(p.int("limit")?.unwrap_or(100).clamp(1, 100)).unwrap_or(100);
    let timeout = p
        .int("timeout")?
        .unwrap_or(0)
        .clamp(0, MAX_POLL_TIMEOUT_SECS);
    let allowed = match p.json("allowed_updates")? {
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        ),
        _ => None,
    };
    let deadline = Instant::now() + Duration::from_secs(timeout.unsigned_abs());
    let generation = shared.update(|st| {
        if st.webhook.is_some() {
            return Err(api_error(409, WEBHOOK_CONFLICT));
        }
        if let Some(allowed) = &allowed {
            st.allowed_updates = Some(allowed_list(allowed));
        }
        st.confirm(offset);
        st.poll_generation += 1;
        Ok(st.poll_generation)
    })?;
    let _waiting = (timeout > 0).then(|| PollGuard::new(shared));
    loop {
        let mut changed = pin!(shared.changed.notified());
        changed.as_mut().enable();
        {
            let mut st = shared.lock();
            if st.webhook.is_some() {
                return Err(api_error(409, WEBHOOK_CONFLICT));
            }
            if st.poll_generation != generation {
                return Err(api_error(409, POLL_CONFLICT));
            }
            let done = |count: usize, st: &TelegramState| {
                count > 0 || st.shutting_down || Instant::now() >= deadline
            };
            if st.keep_calls {
                let batch = st.take_batch(limit);
                if done(batch.len(), &st) {
                    return Ok(Updates::Parsed(Value::Array(batch)));
                }
            } else {
                let (count, text) = st.take_batch_text(limit);
                if done(count, &st) {
                    return Ok(Updates::Text(text));
                }
            }
        }
        let _ = tokio::time::timeout_at(deadline, changed).await;
    }
}

/// Sends queued updates to the webhook as Telegram does: the updates of one delivery queue (a
/// chat, or who pressed a button) one at a time, the next only after the previous was answered
/// with a 2xx; different queues at once, up to the webhook's `max_connections`. A non-2xx
/// answer, a failed connection or no answer within the timeout sends the same update again after
/// the retry delay, before anything later of its queue.
pub(super) async fn deliver_webhooks(shared: Arc<Shared>, stop: CancellationToken) {
    let client = reqwest::Client::new();
    // Dropped (aborting every delivery) when this task ends or is aborted.
    let mut deliveries = tokio::task::JoinSet::new();
    loop {
        let job = loop {
            let mut changed = pin!(shared.changed.notified());
            changed.as_mut().enable();
            while deliveries.try_join_next().is_some() {}
            if let Some(job) = shared.lock().next_webhook_job() {
                break job;
            }
            tokio::select! {
                () = stop.cancelled() => return,
                () = changed => {}
            }
        };
        deliveries.spawn(deliver(Arc::clone(&shared), client.clone(), job));
    }
}

/// One POST of one update, and what follows from its answer.
async fn deliver(shared: Arc<Shared>, client: reqwest::Client, job: WebhookJob) {
    let timeout = shared.lock().webhook_timeout;
    let mut request = client.post(&job.url).timeout(timeout).json(&job.json);
    if let Some(secret) = &job.secret_token {
        request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    let (status, error) = match request.send().await {
        Ok(r) if r.status().is_success() => (Some(r.status().as_u16()), None),
        Ok(r) => (
            Some(r.status().as_u16()),
            Some(format!("Wrong response from the webhook: {}", r.status())),
        ),
        Err(e) if e.is_timeout() => (None, Some("Read timeout expired".to_owned())),
        Err(e) => (None, Some(format!("Connection failed: {e}"))),
    };
    let failed = error.is_some();
    let delay = shared.update(|st| {
        st.finish_webhook_job(&job, status, error);
        st.webhook_retry_delay
    });
    if failed {
        tokio::time::sleep(delay).await;
        shared.update(|st| st.release_webhook_queue(job.queue));
    }
}
