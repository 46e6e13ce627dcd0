//! Long polling: `getUpdates` in a loop. The offset confirms an update to Telegram only once it
//! has been handled, so a crash means redelivery (which the session ignores), never a loss.

use std::time::Duration;

use teloxide::RequestError;
use teloxide::payloads::GetUpdatesSetters as _;
use teloxide::prelude::Requester as _;
use teloxide::types::AllowedUpdate;
use tokio_util::sync::CancellationToken;

use super::Telegram;

/// Seconds Telegram holds a getUpdates call open when there is nothing new.
const LONG_POLL_SECONDS: u32 = 25;
/// The longest wait before polling again when only updates still in flight came back.
const OLD_ONLY_WAIT: Duration = Duration::from_millis(50);

pub fn allowed_updates() -> Vec<AllowedUpdate> {
    vec![
        AllowedUpdate::Message,
        AllowedUpdate::CallbackQuery,
        AllowedUpdate::MyChatMember,
    ]
}

/// Polls until `shutdown`. Returns an error only for a fault no retry can fix (a revoked token).
pub async fn run(telegram: Telegram, shutdown: CancellationToken) -> Result<(), String> {
    let bot = telegram.bot().clone();
    if let Err(e) = bot.delete_webhook().await {
        if matches!(e, RequestError::Api(teloxide::ApiError::InvalidToken)) {
            return Err("Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather".into());
        }
        tracing::warn!("could not remove a previous webhook; polling anyway");
    }
    let mut newest: Option<i64> = None;
    let mut failures = 0u32;
    loop {
        let offset = match (telegram.oldest_in_flight(), newest) {
            (Some(oldest), _) => oldest,
            (None, Some(n)) => n + 1,
            (None, None) => 0,
        };
        let request = bot
            .get_updates()
            .offset(i32::try_from(offset).unwrap_or(i32::MAX))
            .timeout(LONG_POLL_SECONDS)
            .allowed_updates(allowed_updates());
        let result = tokio::select! {
            _ = shutdown.cancelled() => return Ok(()),
            result = request => result,
        };
        match result {
            Ok(updates) => {
                failures = 0;
                telegram.outbound().mark_reachable(true);
                let mut fresh = 0;
                for update in updates {
                    let id = i64::from(update.id.0);
                    if newest.is_some_and(|n| id <= n) {
                        continue; // still being handled from an earlier batch
                    }
                    newest = Some(id);
                    fresh += 1;
                    telegram.accept(update);
                }
                if fresh == 0
                    && let Some(oldest) = telegram.oldest_in_flight()
                {
                    // Only updates still being handled came back, and Telegram returns them again
                    // until the offset passes them: poll again once the oldest and half of the
                    // others are done (usually a few milliseconds), and not later than a moment
                    // from now, so a long turn does not hold back other women's new updates.
                    let count = telegram.count_in_flight();
                    tokio::select! {
                        _ = shutdown.cancelled() => return Ok(()),
                        _ = telegram.until_handled(oldest, count, OLD_ONLY_WAIT) => {}
                    }
                }
            }
            Err(RequestError::RetryAfter(seconds)) => {
                tokio::time::sleep(Duration::from_secs(u64::from(seconds.seconds()))).await;
            }
            Err(RequestError::Api(teloxide::ApiError::InvalidToken)) => {
                return Err("Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather".into());
            }
            Err(_) => {
                failures += 1;
                telegram.outbound().mark_reachable(false);
                tracing::warn!(failures, "getUpdates failed; retrying");
                let backoff = Duration::from_millis(200) * 2u32.pow(failures.min(7));
                tokio::select! {
                    _ = shutdown.cancelled() => return Ok(()),
                    _ = tokio::time::sleep(backoff.min(Duration::from_secs(30))) => {}
                }
            }
        }
    }
}
