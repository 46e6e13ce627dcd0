//! Everything the bot sends, paced to Telegram's limits and retried until it arrives.
//!
//! A 429 waits its `retry_after` and sends the same request again, so messages to one chat keep
//! their order (the caller awaits each send before the next). Network failures are retried with
//! backoff. A woman who blocked the bot is reported as [`SendError::Blocked`] so the caller can
//! forget her. Errors are logged by kind only: a request error's text can hold the bot token in
//! its URL, and message text is hers.

use std::collections::HashMap;
use std::future::IntoFuture;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use teloxide::ApiError;
use teloxide::Bot;
use teloxide::RequestError;
use teloxide::payloads::{
    AnswerCallbackQuerySetters as _, CopyMessageSetters as _, EditMessageTextSetters as _,
    SendMessageSetters as _,
};
use teloxide::prelude::Requester as _;
use teloxide::types::{
    ButtonRequest, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton,
    KeyboardMarkup, KeyboardRemove, MessageId, ReplyMarkup, Rgb, ThreadId, UserId,
};
use tokio::time::Instant;

use crate::config::SendLimits;
use crate::conversation::{OutMessage, ReplyKeyboard};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SendError {
    #[error("she blocked the bot or deleted her account")]
    Blocked,
    #[error("Telegram refused the request ({0})")]
    Rejected(&'static str),
    #[error("Telegram could not be reached")]
    Unreachable,
}

/// Counters for operations and tests; no personal data.
#[derive(Default, Debug)]
pub struct SendStats {
    pub sent: AtomicU64,
    pub retried_429: AtomicU64,
    pub network_retries: AtomicU64,
    pub failed: AtomicU64,
}

pub struct Outbound {
    bot: Bot,
    limits: SendLimits,
    global: Mutex<Pace>,
    chats: Mutex<HashMap<i64, Pace>>,
    pub stats: SendStats,
    reachable: AtomicBool,
}

/// A pacing limiter (GCRA): up to `burst` at once, then one every `interval`.
#[derive(Clone, Copy)]
struct Pace {
    interval: Duration,
    burst: u32,
    theoretical_arrival: Instant,
}

impl Pace {
    fn new(per_second: u32, burst: u32, now: Instant) -> Pace {
        Pace::every(Duration::from_secs(1) / per_second.max(1), burst, now)
    }

    fn every(interval: Duration, burst: u32, now: Instant) -> Pace {
        Pace {
            interval,
            burst: burst.max(1),
            theoretical_arrival: now,
        }
    }

    /// The pace for one chat: private chats take about one message a second (short bursts are
    /// tolerated); groups, such as the staff group, twenty a minute.
    fn for_chat(chat: i64, limits: &SendLimits, now: Instant) -> Pace {
        if chat < 0 {
            let per_minute = limits.group_per_minute.max(1);
            let burst = GROUP_BURST.max(per_minute / 60);
            Pace::every(Duration::from_secs(60) / per_minute, burst, now)
        } else {
            Pace::new(limits.chat_per_second, limits.chat_burst, now)
        }
    }

    /// Reserves the next slot and returns how long to wait for it.
    fn reserve(&mut self, now: Instant) -> Duration {
        let tat = self.theoretical_arrival.max(now);
        let allowance = self.interval * (self.burst - 1);
        let allowed_at = tat.checked_sub(allowance).unwrap_or(now);
        self.theoretical_arrival = tat + self.interval;
        allowed_at.saturating_duration_since(now)
    }
}

const MAX_429_RETRIES: u32 = 30;
const GROUP_BURST: u32 = 5;
const MAX_NETWORK_RETRIES: u32 = 6;
/// Idle per-chat pacers are dropped after this long, so the map does not grow with every woman.
const PACE_IDLE: Duration = Duration::from_secs(60);

impl Outbound {
    pub fn new(bot: Bot, limits: SendLimits) -> Outbound {
        Outbound {
            bot,
            limits,
            global: Mutex::new(Pace::new(
                limits.global_per_second,
                limits.global_per_second.max(1),
                Instant::now(),
            )),
            chats: Mutex::new(HashMap::new()),
            stats: SendStats::default(),
            reachable: AtomicBool::new(true),
        }
    }

    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    /// Whether the last call reached Telegram (for /readyz).
    pub fn reachable(&self) -> bool {
        self.reachable.load(Ordering::Relaxed)
    }

    pub(crate) fn mark_reachable(&self, yes: bool) {
        self.reachable.store(yes, Ordering::Relaxed);
    }

    async fn pace(&self, chat: i64) {
        let now = Instant::now();
        let wait_global = lock(&self.global).reserve(now);
        let wait_chat = {
            let mut chats = lock(&self.chats);
            if chats.len() > 10_000 {
                chats.retain(|_, p| p.theoretical_arrival + PACE_IDLE > now);
            }
            chats
                .entry(chat)
                .or_insert_with(|| Pace::for_chat(chat, &self.limits, now))
                .reserve(now)
        };
        let wait = wait_global.max(wait_chat);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Runs one request with pacing and retries.
    async fn call<T, F, R>(&self, chat: i64, request: F) -> Result<T, SendError>
    where
        F: Fn() -> R,
        R: IntoFuture<Output = Result<T, RequestError>>,
    {
        let mut throttled = 0;
        let mut network = 0;
        loop {
            self.pace(chat).await;
            match request().await {
                Ok(value) => {
                    self.mark_reachable(true);
                    return Ok(value);
                }
                Err(RequestError::RetryAfter(seconds)) if throttled < MAX_429_RETRIES => {
                    throttled += 1;
                    self.stats.retried_429.fetch_add(1, Ordering::Relaxed);
                    let wait = self.limits.retry_after_unit * seconds.seconds().max(1);
                    tracing::info!(
                        wait_ms = wait.as_millis() as u64,
                        "Telegram asked to slow down"
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(RequestError::Network(_) | RequestError::Io(_))
                    if network < MAX_NETWORK_RETRIES =>
                {
                    network += 1;
                    self.stats.network_retries.fetch_add(1, Ordering::Relaxed);
                    self.mark_reachable(false);
                    crate::ops::metrics::telegram_error(chrono::Utc::now().timestamp());
                    tokio::time::sleep(Duration::from_millis(100) * 2u32.pow(network)).await;
                }
                Err(e) => {
                    self.stats.failed.fetch_add(1, Ordering::Relaxed);
                    crate::ops::metrics::telegram_error(chrono::Utc::now().timestamp());
                    let error = classify(&e);
                    if error == SendError::Unreachable {
                        self.mark_reachable(false);
                    }
                    tracing::warn!(error = %error, "Telegram request failed");
                    return Err(error);
                }
            }
        }
    }

    /// Sends a message; returns its id.
    pub async fn send(
        &self,
        chat: i64,
        message: &OutMessage,
        silent: bool,
    ) -> Result<i32, SendError> {
        let text = fit(&message.text);
        let keyboard = markup(message);
        let sent = self
            .call(chat, || {
                let mut request = self
                    .bot
                    .send_message(ChatId(chat), text.clone())
                    .disable_notification(silent)
                    .protect_content(message.protect);
                if let Some(k) = &keyboard {
                    request = request.reply_markup(k.clone());
                }
                request
            })
            .await?;
        self.stats.sent.fetch_add(1, Ordering::Relaxed);
        Ok(sent.id.0)
    }

    /// Replaces a message's text and buttons. "Not modified" counts as done.
    pub async fn edit(
        &self,
        chat: i64,
        message_id: i32,
        message: &OutMessage,
    ) -> Result<(), SendError> {
        let text = fit(&message.text);
        let keyboard = keyboard(message)
            .unwrap_or_else(|| InlineKeyboardMarkup::new(Vec::<Vec<InlineKeyboardButton>>::new()));
        let result = self
            .call(chat, || {
                self.bot
                    .edit_message_text(ChatId(chat), MessageId(message_id), text.clone())
                    .reply_markup(keyboard.clone())
            })
            .await;
        match result {
            Ok(_) | Err(SendError::Rejected("not modified")) => {
                self.stats.sent.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Stops the spinner on a pressed button. Never retried for long: a late answer is useless.
    pub async fn answer_callback(&self, id: &str) {
        let query = teloxide::types::CallbackQueryId(id.to_owned());
        if let Err(e) = self.bot.answer_callback_query(query).await {
            tracing::debug!(error = %classify(&e), "callback answer failed");
        }
    }

    /// Sends a message into a forum topic (`thread` `None`: the General topic). Staff messages
    /// are never silent: a consultant must hear a new case.
    pub async fn send_in(
        &self,
        chat: i64,
        thread: Option<i32>,
        message: &OutMessage,
    ) -> Result<i32, SendError> {
        let text = fit(&message.text);
        let keyboard = keyboard(message);
        let sent = self
            .call(chat, || {
                let mut request = self.bot.send_message(ChatId(chat), text.clone());
                if let Some(t) = thread {
                    request = request.message_thread_id(ThreadId(MessageId(t)));
                }
                if let Some(k) = &keyboard {
                    request = request.reply_markup(k.clone());
                }
                request
            })
            .await?;
        self.stats.sent.fetch_add(1, Ordering::Relaxed);
        Ok(sent.id.0)
    }

    /// Copies a message (text, photo, voice, document, sticker…) without "forwarded from":
    /// the hand-off's relay. Returns the copy's id.
    pub async fn copy(
        &self,
        to_chat: i64,
        thread: Option<i32>,
        from_chat: i64,
        message_id: i32,
        silent: bool,
    ) -> Result<i32, SendError> {
        let copied = self
            .call(to_chat, || {
                let mut request = self
                    .bot
                    .copy_message(ChatId(to_chat), ChatId(from_chat), MessageId(message_id))
                    .disable_notification(silent);
                if let Some(t) = thread {
                    request = request.message_thread_id(ThreadId(MessageId(t)));
                }
                request
            })
            .await?;
        self.stats.sent.fetch_add(1, Ordering::Relaxed);
        Ok(copied.0)
    }

    /// Opens a forum topic; returns its thread id.
    pub async fn create_topic(
        &self,
        chat: i64,
        name: &str,
        urgent: bool,
    ) -> Result<i32, SendError> {
        // Red for urgent cases, blue for the others (colours Telegram allows).
        let color = Rgb::from_u32(if urgent { 0xFB6F5F } else { 0x6FB9F0 });
        let topic = self
            .call(chat, || {
                use teloxide::payloads::CreateForumTopicSetters as _;
                self.bot
                    .create_forum_topic(ChatId(chat), name.to_owned())
                    .icon_color(color)
            })
            .await?;
        Ok(topic.thread_id.0.0)
    }

    /// Closes a forum topic (kept for the team's records until the purge).
    pub async fn close_topic(&self, chat: i64, thread: i32) -> Result<(), SendError> {
        self.call(chat, || {
            self.bot
                .close_forum_topic(ChatId(chat), ThreadId(MessageId(thread)))
        })
        .await
        .map(|_| ())
    }

    /// Deletes a forum topic with its messages (she asked to be forgotten).
    pub async fn delete_topic(&self, chat: i64, thread: i32) -> Result<(), SendError> {
        self.call(chat, || {
            self.bot
                .delete_forum_topic(ChatId(chat), ThreadId(MessageId(thread)))
        })
        .await
        .map(|_| ())
    }

    /// Answers a pressed button with a short notice the presser alone sees.
    pub async fn answer_callback_with(&self, id: &str, text: &str) {
        let query = teloxide::types::CallbackQueryId(id.to_owned());
        if let Err(e) = self.bot.answer_callback_query(query).text(text).await {
            tracing::debug!(error = %classify(&e), "callback answer failed");
        }
    }

    /// The bot's own rights in a group, as plain names of what is missing for the staff group.
    pub async fn missing_rights(&self, chat: i64) -> Result<Vec<&'static str>, SendError> {
        let me = self.call(chat, || self.bot.get_me()).await?;
        let member = self
            .call(chat, || {
                self.bot.get_chat_member(ChatId(chat), UserId(me.user.id.0))
            })
            .await?;
        use teloxide::types::ChatMemberKind;
        Ok(match &member.kind {
            ChatMemberKind::Owner(_) => Vec::new(),
            ChatMemberKind::Administrator(a) => {
                let mut missing = Vec::new();
                if !a.can_manage_topics {
                    missing.push("manage topics");
                }
                if !a.can_delete_messages {
                    missing.push("delete messages");
                }
                if !a.can_pin_messages {
                    missing.push("pin messages");
                }
                missing
            }
            _ => vec!["be an administrator"],
        })
    }

    /// Deletes messages in batches of at most 100, as Telegram allows. Messages already gone or
    /// too old are skipped by Telegram; the rest of the batch still goes.
    pub async fn delete(&self, chat: i64, ids: &[i32]) -> usize {
        let mut deleted = 0;
        for batch in ids.chunks(100) {
            let message_ids: Vec<MessageId> = batch.iter().map(|id| MessageId(*id)).collect();
            match self
                .call(chat, || {
                    self.bot.delete_messages(ChatId(chat), message_ids.clone())
                })
                .await
            {
                Ok(_) => deleted += batch.len(),
                Err(e) => tracing::warn!(error = %e, "deleting a batch of messages failed"),
            }
        }
        deleted
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn classify(e: &RequestError) -> SendError {
    match e {
        RequestError::Api(
            ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::BotKicked,
        ) => SendError::Blocked,
        RequestError::Api(ApiError::MessageNotModified) => SendError::Rejected("not modified"),
        RequestError::Api(
            ApiError::MessageToEditNotFound
            | ApiError::MessageIdInvalid
            | ApiError::MessageCantBeEdited,
        ) => SendError::Rejected("message gone"),
        RequestError::Api(ApiError::ChatNotFound) => SendError::Rejected("chat not found"),
        RequestError::Api(_) => SendError::Rejected("bad request"),
        RequestError::RetryAfter(_) => SendError::Rejected("rate limited"),
        RequestError::MigrateToChatId(_) => SendError::Rejected("chat migrated"),
        RequestError::Network(_) | RequestError::Io(_) => SendError::Unreachable,
        RequestError::InvalidJson { .. } => SendError::Rejected("unreadable answer"),
    }
}

/// Inline buttons, or the keyboard under the input field (sharing a location, or removing it).
fn markup(message: &OutMessage) -> Option<ReplyMarkup> {
    match &message.keyboard {
        Some(ReplyKeyboard::AskLocation { share, back }) => Some(ReplyMarkup::Keyboard(
            KeyboardMarkup::new(vec![
                vec![KeyboardButton::new(share.clone()).request(ButtonRequest::Location)],
                vec![KeyboardButton::new(back.clone())],
            ])
            .resize_keyboard()
            .one_time_keyboard(),
        )),
        Some(ReplyKeyboard::Remove) => Some(ReplyMarkup::KeyboardRemove(KeyboardRemove::new())),
        None => keyboard(message).map(ReplyMarkup::InlineKeyboard),
    }
}

fn keyboard(message: &OutMessage) -> Option<InlineKeyboardMarkup> {
    if message.buttons.is_empty() {
        return None;
    }
    Some(InlineKeyboardMarkup::new(message.buttons.iter().map(
        |row| {
            row.iter()
                .map(|b| InlineKeyboardButton::callback(b.label.clone(), b.data.clone()))
                .collect::<Vec<_>>()
        },
    )))
}

/// Telegram's limit is 4096 UTF-16 code units; the core's messages are far shorter, but a
/// message is cut rather than refused if one ever grows.
fn fit(text: &str) -> String {
    if text.encode_utf16().count() <= 4096 {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut units = 0;
    for c in text.chars() {
        units += c.len_utf16();
        if units > 4095 {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_allows_a_burst_then_spaces() {
        let start = Instant::now();
        let mut pace = Pace::new(1, 3, start);
        let waits: Vec<Duration> = (0..5).map(|_| pace.reserve(start)).collect();
        assert_eq!(waits[0], Duration::ZERO);
        assert_eq!(waits[2], Duration::ZERO);
        assert_eq!(waits[3], Duration::from_secs(1));
        assert_eq!(waits[4], Duration::from_secs(2));
    }

    #[test]
    fn groups_are_paced_at_twenty_a_minute() {
        let start = Instant::now();
        let mut pace = Pace::for_chat(-100123, &SendLimits::default(), start);
        let waits: Vec<Duration> = (0..7).map(|_| pace.reserve(start)).collect();
        assert_eq!(waits[4], Duration::ZERO);
        assert_eq!(waits[5], Duration::from_secs(3));
        assert_eq!(waits[6], Duration::from_secs(6));
    }

    #[test]
    fn long_text_is_cut_within_the_limit() {
        let long = "ї".repeat(5000);
        assert!(fit(&long).encode_utf16().count() <= 4096);
        assert_eq!(fit("short"), "short");
    }
}
