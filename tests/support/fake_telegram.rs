//! A fake Telegram Bot API server for integration tests.
//!
//! Telegram is unreachable from test machines, so the bot talks to this server instead: real HTTP
//! on `127.0.0.1:0`, the same URL layout (`{url}/bot{token}/{method}`) and the same JSON envelope
//! (`{"ok":true,"result":…}` / `{"ok":false,"error_code":…,"description":…}`), so teloxide's own
//! client is exercised end to end. Tests play the users (push updates) and inspect what the bot
//! did (recorded calls, the messages visible in each chat).
//!
//! Telegram behaviours reproduced here:
//! - auth and routing: a wrong token answers 401 `Unauthorized`, an unknown method 404
//!   `Not Found`; method names are case-insensitive; parameters may come as JSON,
//!   `application/x-www-form-urlencoded`, `multipart/form-data` or the query string;
//! - full objects as Telegram sends them (`Message` with `from`, `chat`, `date`, topic fields,
//!   `has_protected_content`, `reply_markup`…), deserializable by teloxide 0.17;
//! - `getUpdates`: `offset` confirms (and forgets) every update below it, a negative offset keeps
//!   only the last updates, `timeout` long-polls until an update arrives, `limit` and
//!   `allowed_updates` are honoured, a newer `getUpdates` terminates an older one with 409, and
//!   undelivered updates expire after 24 hours of fake time;
//! - webhooks: queued updates are POSTed to the webhook URL with
//!   `X-Telegram-Bot-Api-Secret-Token`, one at a time per chat (a callback query: per user who
//!   pressed), the next of a chat only after the previous was answered, different chats at once
//!   up to `max_connections` (default 40); a non-2xx answer, a refused connection or a timeout
//!   sends the same update (same `update_id`) again after a delay, before anything later of its
//!   chat, and shows up in `getWebhookInfo`; `getUpdates` answers 409 while a webhook is set.
//!   Unlike Telegram, plain `http://127.0.0.1` webhook URLs are accepted;
//! - the 48-hour window of `deleteMessage`, deletion rights in groups, `deleteMessages` with 1–100
//!   ids (missing ones skipped), `copyMessage` without a forward header, `forwardMessage` with a
//!   `forward_origin`, protected content that cannot be copied or forwarded;
//! - forum topics: only in forum supergroups, only with `can_manage_topics`, names of 1–128
//!   characters, `message_thread_id` on everything sent into a topic;
//! - Telegram's error texts (see the `const`s and `bad(…)` calls), text limits counted in UTF-16
//!   code units, callback data of 1–64 bytes, callback queries answerable once;
//! - faults: seeded, repeatable 429 `Too Many Requests: retry after N` whose wait is enforced per
//!   chat, duplicated update delivery, chats that blocked the bot (403).
//!
//! Methods not listed in `methods.rs` (`dispatch`) answer 404 like an unknown method: add them
//! there when the bot starts using them. Texts that Telegram does not document and that were not
//! confirmed from public reports are marked "unverified" where they are produced.
//!
//! Time: message dates, the delete window and update expiry follow a fake clock that only moves
//! with [`FakeTelegram::advance`]. The 429 wait is measured with `tokio::time`, because the bot
//! waits in real (or tokio-paused) time, not in fake Telegram time.
//!
//! Layout: this file holds the handle tests use ([`FakeTelegram`]) and the public data types;
//! `state` is what the fake knows, `methods` answers Bot API methods, `wire` decodes requests
//! (JSON, forms, multipart, markup, text) and `server` is the HTTP side (routing, long polls,
//! webhook delivery).

mod methods;
mod server;
mod state;
mod wire;

use std::{fmt, net::SocketAddr, pin::pin, sync::Arc, time::Duration};

use axum::Router;
use serde_json::{Map, Value, json};
use tokio::{net::TcpListener, task::JoinHandle, time::Instant};
use tokio_util::sync::CancellationToken;

use server::Shared;
pub use state::TelegramState;
use state::{ChatKind, ChatRecord};

/// The bot's user id, also the part of [`FakeTelegram::token`] before the colon.
pub const BOT_ID: i64 = 123_456;
/// The bot's username, as `getMe` reports it.
pub const BOT_USERNAME: &str = "helpline_test_bot";
/// Fake Unix time the clock starts at (2025-06-15T15:06:40Z).
pub const START_TIME: i64 = 1_750_000_000;

const BOT_FIRST_NAME: &str = "Helpline";
const TOKEN: &str = "123456:TEST-fake-token";
const DELETE_WINDOW_SECS: i64 = 48 * 3600;
const UPDATE_TTL_SECS: i64 = 24 * 3600;
const MAX_TEXT_UTF16: usize = 4096;
const MAX_CAPTION_UTF16: usize = 1024;
const MAX_CALLBACK_DATA_BYTES: usize = 64;
const MAX_CALLBACK_ANSWER_CHARS: usize = 200;
const MAX_TOPIC_NAME_CHARS: usize = 128;
const MAX_POLL_TIMEOUT_SECS: i64 = 50;
const DEFAULT_TOPIC_COLOR: u32 = 0x6F_B9_F0;
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

const NOT_MODIFIED: &str = "message is not modified: specified new message content and reply \
                            markup are exactly the same as a current content and reply markup of \
                            the message";
/// Telegram capitalises "ID"; teloxide 0.17 expects "id", so it parses this as `ApiError::Unknown`.
const QUERY_TOO_OLD: &str = "query is too old and response timeout expired or query ID is invalid";
const WEBHOOK_CONFLICT: &str = "Conflict: can't use getUpdates method while webhook is active; \
                                use deleteWebhook to delete the webhook first";
const POLL_CONFLICT: &str = "Conflict: terminated by other getUpdates request; make sure that \
                             only one bot instance is running";

// ---------------------------------------------------------------------------------------------
// Public data types
// ---------------------------------------------------------------------------------------------

/// A Telegram user the tests play. Her private chat with the bot has her user id, as in Telegram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TgUser {
    pub id: i64,
    pub first_name: String,
    pub username: Option<String>,
    pub language_code: Option<String>,
}

impl TgUser {
    /// The id of her private chat with the bot (equal to her user id).
    pub fn chat_id(&self) -> i64 {
        self.id
    }

    fn to_json(&self) -> Value {
        let mut user = Map::new();
        user.insert("id".into(), json!(self.id));
        user.insert("is_bot".into(), json!(false));
        user.insert("first_name".into(), json!(self.first_name));
        if let Some(username) = &self.username {
            user.insert("username".into(), json!(username));
        }
        if let Some(language) = &self.language_code {
            user.insert("language_code".into(), json!(language));
        }
        Value::Object(user)
    }
}

/// The bot's status and administrator rights in a group. The default is an administrator that can
/// manage topics, delete and pin messages: what the helpline's staff group needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BotRights {
    pub is_admin: bool,
    pub can_manage_chat: bool,
    pub can_manage_topics: bool,
    pub can_delete_messages: bool,
    pub can_pin_messages: bool,
    pub can_invite_users: bool,
    pub can_restrict_members: bool,
    pub can_promote_members: bool,
    pub can_change_info: bool,
}

impl Default for BotRights {
    fn default() -> Self {
        Self {
            is_admin: true,
            can_manage_chat: true,
            can_manage_topics: true,
            can_delete_messages: true,
            can_pin_messages: true,
            can_invite_users: true,
            can_restrict_members: false,
            can_promote_members: false,
            can_change_info: false,
        }
    }
}

impl BotRights {
    /// A plain member without any administrator right.
    pub fn member() -> Self {
        Self {
            is_admin: false,
            can_manage_chat: false,
            can_manage_topics: false,
            can_delete_messages: false,
            can_pin_messages: false,
            can_invite_users: false,
            can_restrict_members: false,
            can_promote_members: false,
            can_change_info: false,
        }
    }
}

/// A user's status in a group, as `getChatMember` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberStatus {
    Creator,
    Administrator,
    Member,
    Left,
    Kicked,
}

/// What kind of media a message carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaKind {
    Photo,
    Sticker,
    Voice,
    Document,
    Video,
    Audio,
    Animation,
    Location,
}

impl MediaKind {
    /// The field of `Message` (and the parameter of `send*`) that holds this media.
    pub fn key(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Sticker => "sticker",
            Self::Voice => "voice",
            Self::Document => "document",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Animation => "animation",
            Self::Location => "location",
        }
    }

    fn file_id_prefix(self) -> &'static str {
        match self {
            Self::Photo => "AgACAgIAAxkBAAI",
            Self::Sticker => "CAACAgIAAxkBAAI",
            Self::Voice => "AwACAgIAAxkBAAI",
            Self::Document => "BQACAgIAAxkBAAI",
            Self::Video => "BAACAgIAAxkBAAI",
            Self::Audio => "CQACAgIAAxkBAAI",
            Self::Animation => "CgACAgIAAxkBAAI",
            Self::Location => "",
        }
    }
}

/// One inline keyboard button as she sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub callback_data: Option<String>,
    pub url: Option<String>,
}

/// A message currently visible in a chat, after edits and deletions.
#[derive(Clone, Debug)]
pub struct ChatMessage {
    pub message_id: i32,
    pub chat_id: i64,
    /// The sender's user id; [`BOT_ID`] for the bot's messages.
    pub from_id: Option<i64>,
    pub date: i64,
    pub edit_date: Option<i64>,
    /// The forum topic the message is in (`None` in private chats and the General topic).
    pub thread_id: Option<i32>,
    /// The text as she reads it (HTML/Markdown markup removed), or the caption of media.
    pub text: Option<String>,
    pub media: Option<MediaKind>,
    /// The inline keyboard, row by row.
    pub buttons: Vec<Vec<Button>>,
    /// A reply keyboard sent with the message (labels row by row).
    pub reply_keyboard: Vec<Vec<String>>,
    /// The message was sent with `ReplyKeyboardRemove`.
    pub removes_keyboard: bool,
    /// Labels of its reply-keyboard buttons that share her location.
    pub location_buttons: Vec<String>,
    pub protect_content: bool,
    pub disable_notification: bool,
    pub parse_mode: Option<String>,
    /// `(chat, message)` this message was copied from with `copyMessage`.
    pub copied_from: Option<(i64, i32)>,
    /// `(chat, message)` this message was forwarded from with `forwardMessage`.
    pub forwarded_from: Option<(i64, i32)>,
    pub reply_to: Option<i32>,
    /// The service event, e.g. `forum_topic_created`; `None` for ordinary messages.
    pub service: Option<String>,
    from_json: Option<Value>,
    chat_json: Value,
    entities: Vec<Value>,
    media_json: Option<Value>,
    inline_markup: Option<Value>,
    forward_origin: Option<Value>,
    reply_to_json: Option<Value>,
    service_json: Option<Value>,
}

impl ChatMessage {
    pub fn sent_by_bot(&self) -> bool {
        self.from_id == Some(BOT_ID)
    }

    pub fn is_copy(&self) -> bool {
        self.copied_from.is_some()
    }

    /// Button labels, all rows flattened.
    pub fn button_labels(&self) -> Vec<&str> {
        self.buttons
            .iter()
            .flatten()
            .map(|b| b.label.as_str())
            .collect()
    }

    /// Callback data of all buttons, all rows flattened.
    pub fn button_data(&self) -> Vec<&str> {
        self.buttons
            .iter()
            .flatten()
            .filter_map(|b| b.callback_data.as_deref())
            .collect()
    }

    /// The message exactly as Telegram would send it in an update or a method result.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("message_id".into(), json!(self.message_id));
        if let Some(thread) = self.thread_id {
            m.insert("message_thread_id".into(), json!(thread));
        }
        if let Some(from) = &self.from_json {
            m.insert("from".into(), from.clone());
        }
        m.insert("chat".into(), self.chat_json.clone());
        m.insert("date".into(), json!(self.date));
        if self.thread_id.is_some() {
            m.insert("is_topic_message".into(), json!(true));
        }
        if let Some(origin) = &self.forward_origin {
            m.insert("forward_origin".into(), origin.clone());
        }
        if let Some(reply) = &self.reply_to_json {
            m.insert("reply_to_message".into(), reply.clone());
        }
        if let Some(edit_date) = self.edit_date {
            m.insert("edit_date".into(), json!(edit_date));
        }
        if self.protect_content {
            m.insert("has_protected_content".into(), json!(true));
        }
        match (self.media, &self.media_json) {
            (Some(kind), Some(media)) => {
                m.insert(kind.key().into(), media.clone());
                if let Some(caption) = &self.text {
                    m.insert("caption".into(), json!(caption));
                    if !self.entities.is_empty() {
                        m.insert("caption_entities".into(), json!(self.entities));
                    }
                }
            }
            _ => {
                if let Some(text) = &self.text {
                    m.insert("text".into(), json!(text));
                    if !self.entities.is_empty() {
                        m.insert("entities".into(), json!(self.entities));
                    }
                }
            }
        }
        if let Some(Value::Object(service)) = &self.service_json {
            for (key, value) in service {
                m.insert(key.clone(), value.clone());
            }
        }
        if let Some(markup) = &self.inline_markup {
            m.insert("reply_markup".into(), markup.clone());
        }
        Value::Object(m)
    }

    /// The message as it appears nested in `reply_to_message` (Telegram does not nest further).
    fn to_reply_json(&self) -> Value {
        let mut value = self.to_json();
        if let Value::Object(m) = &mut value {
            m.remove("reply_to_message");
        }
        value
    }
}

/// One HTTP call the bot made, in the order the fake finished answering them.
#[derive(Clone, Debug)]
pub struct Call {
    /// The method name as written in the URL (Telegram ignores its case).
    pub method: String,
    /// All parameters merged into one JSON object (form and multipart values stay strings).
    pub params: Value,
    /// HTTP status of the answer: 200, or Telegram's `error_code`.
    pub status: u16,
    /// The whole JSON body of the answer.
    pub response: Value,
}

impl Call {
    /// Whether this is a call of `method`, compared without case as Telegram does.
    pub fn is(&self, method: &str) -> bool {
        self.method.eq_ignore_ascii_case(method)
    }

    pub fn ok(&self) -> bool {
        self.status == 200
    }

    /// The `description` of an error answer.
    pub fn description(&self) -> Option<&str> {
        self.response.get("description").and_then(Value::as_str)
    }
}

/// A `sendMessage`, `editMessageText` or `copyMessage` the bot made, reported by
/// [`FakeTelegram::watch_replies`] the moment the fake answered it.
#[derive(Clone, Debug)]
pub struct ReplyCall {
    /// The `chat_id` parameter, when it is a number.
    pub chat_id: Option<i64>,
    /// The message sent, or the one edited; `None` when a send failed.
    pub message_id: Option<i32>,
    /// `editMessageText` rather than `sendMessage`.
    pub edit: bool,
    /// For `copyMessage`: the `(chat, message)` copied.
    pub source: Option<(i64, i32)>,
    /// Whether the fake answered 200 (a "not modified" edit is not ok, yet still an answer).
    pub ok: bool,
    /// When the fake answered, in real time.
    pub at: std::time::Instant,
}

/// An `answerCallbackQuery` that succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnsweredCallback {
    pub id: String,
    pub text: Option<String>,
    pub show_alert: bool,
    pub url: Option<String>,
}

/// One attempt to POST an update to the webhook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookDelivery {
    pub update_id: i64,
    /// HTTP status of the bot's answer; `None` when the connection failed.
    pub status: Option<u16>,
    /// The `X-Telegram-Bot-Api-Secret-Token` header that was sent.
    pub secret_token: Option<String>,
}

/// A forum topic of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForumTopicInfo {
    pub thread_id: i32,
    pub name: String,
    pub icon_color: u32,
    pub closed: bool,
    pub created_by_bot: bool,
}

/// [`FakeTelegram::wait_for`] gave up; the message lists the last calls to show what happened.
#[derive(Clone, Debug)]
pub struct WaitTimeout {
    pub waited: Duration,
    pub recent_calls: Vec<String>,
}

impl fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "condition not met within {:?}; last calls to the fake Telegram:",
            self.waited
        )?;
        for call in &self.recent_calls {
            writeln!(f, "  {call}")?;
        }
        Ok(())
    }
}

impl std::error::Error for WaitTimeout {}

// ---------------------------------------------------------------------------------------------
// The handle tests hold
// ---------------------------------------------------------------------------------------------

/// A running fake Telegram Bot API. Dropping it (or [`FakeTelegram::shutdown`]) stops the server.
pub struct FakeTelegram {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl FakeTelegram {
    /// Starts the server on a random port of 127.0.0.1.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Telegram to 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("the fake Telegram's listening address");
        let shared = Arc::new(Shared::new());
        let stop = CancellationToken::new();
        let app = Router::new()
            .fallback(server::handle)
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn({
            let stop = stop.clone();
            async move {
                let shutdown = async move { stop.cancelled().await };
                if let Err(e) = axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await
                {
                    eprintln!("fake Telegram server stopped: {e}");
                }
            }
        });
        let webhook = tokio::spawn(server::deliver_webhooks(Arc::clone(&shared), stop.clone()));
        Self {
            shared,
            addr,
            stop,
            tasks: vec![server, webhook],
        }
    }

    /// Base URL for `TELEGRAM_API_URL` / teloxide's `Bot::set_api_url`.
    pub fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}/", self.addr))
            .expect("a socket address makes a valid URL")
    }

    /// The token the fake accepts; any other answers 401.
    pub fn token(&self) -> &'static str {
        TOKEN
    }

    /// Stops the server, ending pending long polls at once.
    pub async fn shutdown(mut self) {
        self.begin_shutdown();
        for task in self.tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    fn begin_shutdown(&self) {
        self.shared.update(|st| st.shutting_down = true);
        self.stop.cancel();
    }

    // ----- inspection ------------------------------------------------------------------------

    /// Runs `read` on the current state under the lock.
    pub fn with_state<T>(&self, read: impl FnOnce(&TelegramState) -> T) -> T {
        read(&self.shared.lock())
    }

    pub fn calls(&self) -> Vec<Call> {
        self.with_state(|st| st.calls().to_vec())
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.with_state(|st| st.calls_to(method).into_iter().cloned().collect())
    }

    pub fn chat(&self, chat_id: i64) -> Vec<ChatMessage> {
        self.with_state(|st| st.chat(chat_id).into_iter().cloned().collect())
    }

    /// The copies (`copyMessage`) in `chat_id` — in topic `thread` when given — as (source
    /// chat, source message id), in the order they arrived.
    pub fn copies(&self, chat_id: i64, thread: Option<i32>) -> Vec<(i64, i32)> {
        self.chat(chat_id)
            .iter()
            .filter(|m| thread.is_none() || m.thread_id == thread)
            .filter_map(|m| m.copied_from)
            .collect()
    }

    /// [`FakeTelegram::copies`], the source message ids only.
    pub fn copied_ids(&self, chat_id: i64, thread: Option<i32>) -> Vec<i32> {
        self.copies(chat_id, thread)
            .into_iter()
            .map(|(_, id)| id)
            .collect()
    }

    pub fn message(&self, chat_id: i64, message_id: i32) -> Option<ChatMessage> {
        self.with_state(|st| st.message(chat_id, message_id).cloned())
    }

    pub fn answered_callbacks(&self) -> Vec<AnsweredCallback> {
        self.with_state(|st| st.answered_callbacks().to_vec())
    }

    pub fn deleted_ids(&self, chat_id: i64) -> Vec<i32> {
        self.with_state(|st| st.deleted_ids(chat_id).to_vec())
    }

    pub fn commands(&self, language: Option<&str>) -> Vec<(String, String)> {
        self.with_state(|st| st.commands(language))
    }

    pub fn topics(&self, group_id: i64) -> Vec<ForumTopicInfo> {
        self.with_state(|st| st.topics(group_id).into_iter().cloned().collect())
    }

    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.with_state(|st| st.webhook_deliveries().to_vec())
    }

    /// Fake Unix time now.
    pub fn now(&self) -> i64 {
        self.with_state(TelegramState::now)
    }

    /// Reports every later `sendMessage` and `editMessageText` on a channel, as it is answered.
    /// For load tests: with many users, [`Self::wait_for`] re-checks every waiter after every
    /// change, while this costs one channel send per call. A second watch replaces the first.
    pub fn watch_replies(&self) -> tokio::sync::mpsc::UnboundedReceiver<ReplyCall> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.shared.update(|st| st.reply_watch = Some(tx));
        rx
    }

    /// Whether calls are kept for [`Self::calls`] (the default). A load test turns this off so
    /// the history does not grow with every call; chats, messages and callbacks are still kept.
    pub fn keep_call_history(&self, keep: bool) {
        self.shared.update(|st| st.keep_calls = keep);
    }

    /// Waits until `holds` is true of the state, re-checking after every change. Tests use this
    /// instead of sleeping; on timeout the error lists the last calls the bot made.
    pub async fn wait_for(
        &self,
        mut holds: impl FnMut(&TelegramState) -> bool,
        timeout: Duration,
    ) -> Result<(), WaitTimeout> {
        self.wait_until(|st| holds(st).then_some(()), timeout).await
    }

    /// Like [`Self::wait_for`], returning what `found` extracts once it returns `Some`.
    pub async fn wait_until<T>(
        &self,
        mut found: impl FnMut(&TelegramState) -> Option<T>,
        timeout: Duration,
    ) -> Result<T, WaitTimeout> {
        let deadline = Instant::now() + timeout;
        loop {
            let mut changed = pin!(self.shared.changed.notified());
            changed.as_mut().enable();
            {
                let st = self.shared.lock();
                if let Some(value) = found(&st) {
                    return Ok(value);
                }
                if Instant::now() >= deadline {
                    let recent_calls = st
                        .calls()
                        .iter()
                        .rev()
                        .take(15)
                        .rev()
                        .map(|c| format!("{} {} {}", c.method, c.status, c.params))
                        .collect();
                    return Err(WaitTimeout {
                        waited: timeout,
                        recent_calls,
                    });
                }
            }
            let _ = tokio::time::timeout_at(deadline, changed).await;
        }
    }

    // ----- world setup -----------------------------------------------------------------------

    /// Registers a user (and her private chat, whose id is her user id).
    pub fn user(
        &self,
        id: i64,
        first_name: &str,
        username: Option<&str>,
        language_code: Option<&str>,
    ) -> TgUser {
        assert!(
            id > 0 && id != BOT_ID,
            "user ids are positive and differ from the bot's"
        );
        let user = TgUser {
            id,
            first_name: first_name.to_owned(),
            username: username.map(str::to_owned),
            language_code: language_code.map(str::to_owned),
        };
        self.shared.update(|st| st.registered_user(&user));
        user
    }

    /// Creates a forum supergroup (id like `-100…`) where the bot is an administrator with the
    /// default [`BotRights`].
    pub fn create_forum_group(&self, title: &str) -> i64 {
        self.create_supergroup(title, true)
    }

    /// Creates a supergroup, a forum or not.
    pub fn create_supergroup(&self, title: &str, is_forum: bool) -> i64 {
        self.shared.update(|st| {
            st.next_group += 1;
            let id = -1_001_000_000_000 - st.next_group;
            st.chats.insert(
                id,
                ChatRecord::new(ChatKind::Supergroup {
                    title: title.to_owned(),
                    is_forum,
                }),
            );
            id
        })
    }

    /// Adds a user to a group with a status.
    pub fn add_member(&self, group_id: i64, user: &TgUser, status: MemberStatus) {
        self.shared.update(|st| {
            st.users.insert(user.id, user.clone());
            let chat = st
                .chats
                .get_mut(&group_id)
                .unwrap_or_else(|| panic!("no group {group_id}"));
            chat.members.insert(user.id, status);
        });
    }

    /// Sets the bot's status and rights in a group.
    pub fn set_bot_rights(&self, group_id: i64, rights: BotRights) {
        self.shared.update(|st| {
            st.chats
                .get_mut(&group_id)
                .unwrap_or_else(|| panic!("no group {group_id}"))
                .bot_rights = rights;
        });
    }

    /// Sets a chat's auto-delete timer (users set it; bots can only read it with `getChat`).
    pub fn set_auto_delete(&self, chat_id: i64, seconds: Option<u32>) {
        self.shared.update(|st| {
            st.chats
                .get_mut(&chat_id)
                .unwrap_or_else(|| panic!("no chat {chat_id}"))
                .auto_delete = seconds;
        });
    }

    /// Marks a chat as having blocked the bot, silently (no update): sends get 403.
    pub fn block_chat(&self, chat_id: i64) {
        self.shared.update(|st| {
            st.chats
                .get_mut(&chat_id)
                .unwrap_or_else(|| panic!("no chat {chat_id}"))
                .blocked = true;
        });
    }

    // ----- faults and time -------------------------------------------------------------------

    /// Answers this share (0.0–1.0) of send-type calls (send*, copy, forward, edit*) with 429.
    /// Which calls fail is decided by a seeded generator, so a test fails the same way each run.
    pub fn set_429_rate(&self, rate: f64) {
        self.shared
            .update(|st| st.flood.rate = rate.clamp(0.0, 1.0));
    }

    /// The `retry_after` a random 429 reports, in whole seconds like Telegram (default 1).
    pub fn set_retry_after(&self, seconds: u32) {
        self.shared
            .update(|st| st.flood.retry_after = seconds.max(1));
    }

    /// How long one `retry_after` second lasts for the fake's enforcement (default 1 s). A test
    /// that scales the bot's waits down sets the same unit here; a call to a chat under flood
    /// control that comes before the wait is over gets another 429.
    pub fn set_retry_after_unit(&self, unit: Duration) {
        self.shared.update(|st| st.flood.unit = unit);
    }

    /// Reseeds the generator behind [`Self::set_429_rate`] (default seed 42).
    pub fn set_seed(&self, seed: u64) {
        self.shared.update(|st| st.flood.rng = seed);
    }

    /// Delivers the next `n` updates twice with the same `update_id`: once more after `getUpdates`
    /// confirmed them, or after the webhook acknowledged them.
    pub fn duplicate_next(&self, n: u32) {
        self.shared.update(|st| st.duplicates_left = n);
    }

    /// How long a webhook POST may take before it counts as failed and is sent again
    /// (default 10 s).
    pub fn set_webhook_timeout(&self, timeout: Duration) {
        self.shared.update(|st| st.webhook_timeout = timeout);
    }

    /// Delay before a failed webhook delivery is retried (default 100 ms).
    pub fn set_webhook_retry_delay(&self, delay: Duration) {
        self.shared.update(|st| st.webhook_retry_delay = delay);
    }

    /// Moves the fake clock: later messages are dated later, messages older than 48 hours can no
    /// longer be deleted, and updates older than 24 hours are dropped undelivered.
    pub fn advance(&self, by: Duration) {
        self.shared.update(|st| {
            st.now += i64::try_from(by.as_secs()).unwrap_or(i64::MAX / 2);
            let now = st.now;
            st.queue.retain(|q| now - q.created < UPDATE_TTL_SECS);
        });
    }

    // ----- what users do ---------------------------------------------------------------------

    /// She writes `text` to the bot. Returns the message id.
    pub fn send_text(&self, user: &TgUser, text: &str) -> i32 {
        self.shared
            .update(|st| st.push_user_text(user, user.id, None, text))
    }

    /// She sends a command such as `/start payload` (with its `bot_command` entity).
    pub fn send_command(&self, user: &TgUser, command: &str) -> i32 {
        assert!(
            command.starts_with('/'),
            "a command starts with '/': {command:?}"
        );
        self.send_text(user, command)
    }

    /// She presses an inline button of a message in her private chat. Returns the callback query
    /// id. Panics if the message is not visible or has no such button: she could not press it.
    pub fn press_button(&self, user: &TgUser, message_id: i32, data: &str) -> String {
        self.press_button_in(user, user.id, message_id, data)
    }

    /// Presses an inline button of a message in any chat (e.g. "Take" in the staff group).
    pub fn press_button_in(
        &self,
        user: &TgUser,
        chat_id: i64,
        message_id: i32,
        data: &str,
    ) -> String {
        self.shared
            .update(|st| st.push_callback(user, chat_id, message_id, data))
    }

    /// `user` presses the first button whose data starts with `prefix` the moment the bot sends
    /// it into `chat_id` (once), and the bot hears Telegram's answer to that send only `hold`
    /// later: the press can be handled before the bot knows the id of the message it sent.
    pub fn press_on_sight(&self, user: &TgUser, chat_id: i64, prefix: &str, hold: Duration) {
        let hand = state::QuickHand {
            user: user.clone(),
            chat_id,
            prefix: prefix.to_owned(),
            hold,
        };
        self.shared.update(|st| st.quick_hand = Some(hand));
    }

    /// She shares a location.
    pub fn send_location(&self, user: &TgUser, latitude: f64, longitude: f64) -> i32 {
        let media = json!({ "latitude": latitude, "longitude": longitude });
        self.shared
            .update(|st| st.push_user_media(user, MediaKind::Location, media))
    }

    pub fn send_sticker(&self, user: &TgUser) -> i32 {
        self.send_media(user, MediaKind::Sticker)
    }

    pub fn send_photo(&self, user: &TgUser) -> i32 {
        self.send_media(user, MediaKind::Photo)
    }

    pub fn send_voice(&self, user: &TgUser) -> i32 {
        self.send_media(user, MediaKind::Voice)
    }

    pub fn send_document(&self, user: &TgUser) -> i32 {
        self.send_media(user, MediaKind::Document)
    }

    /// She sends media of any kind (fake but well-formed file ids).
    pub fn send_media(&self, user: &TgUser, kind: MediaKind) -> i32 {
        self.shared.update(|st| {
            let media = st.media_payload(kind, None);
            st.push_user_media(user, kind, media)
        })
    }

    /// A member writes into a forum topic of a group.
    pub fn send_in_topic(&self, user: &TgUser, group_id: i64, thread_id: i32, text: &str) -> i32 {
        self.shared
            .update(|st| st.push_user_text(user, group_id, Some(thread_id), text))
    }

    /// A member sends media into a forum topic of a group.
    pub fn send_media_in_topic(
        &self,
        user: &TgUser,
        group_id: i64,
        thread_id: i32,
        kind: MediaKind,
    ) -> i32 {
        self.shared.update(|st| {
            let media = st.media_payload(kind, None);
            st.push_user_media_in(user, group_id, Some(thread_id), kind, media)
        })
    }

    /// A member writes into a group outside any topic (the General topic of a forum).
    pub fn send_in_group(&self, user: &TgUser, group_id: i64, text: &str) -> i32 {
        self.shared
            .update(|st| st.push_user_text(user, group_id, None, text))
    }

    /// She edits one of her messages in the private chat: an `edited_message` update.
    pub fn edited_message(&self, user: &TgUser, message_id: i32, text: &str) -> i64 {
        self.shared.update(|st| {
            let now = st.now;
            let msg = st
                .chats
                .get_mut(&user.id)
                .and_then(|c| c.messages.get_mut(&message_id))
                .filter(|m| m.from_id == Some(user.id))
                .unwrap_or_else(|| {
                    panic!("{} has no message {message_id} to edit", user.first_name)
                });
            msg.text = Some(text.to_owned());
            msg.entities = wire::command_entities(text);
            msg.edit_date = Some(now);
            let json = msg.to_json();
            st.push_update("edited_message", json)
        })
    }

    /// Queues any JSON as an update (hostile or malformed ones included). An `update_id` is added
    /// to objects without one. Returns the update id.
    pub fn send_raw_update(&self, update: Value) -> i64 {
        self.shared.update(|st| st.push_raw(update))
    }

    /// She blocks the bot: the chat refuses sends with 403 and the bot gets `my_chat_member` with
    /// status `kicked`. Returns the update id.
    pub fn bot_blocked_by(&self, user: &TgUser) -> i64 {
        self.shared.update(|st| {
            if let Some(chat) = st.chats.get_mut(&user.id) {
                chat.blocked = true;
            }
            st.push_my_chat_member(user, true)
        })
    }

    /// She unblocks the bot (restarts it): `my_chat_member` with status `member`.
    pub fn bot_unblocked_by(&self, user: &TgUser) -> i64 {
        self.shared.update(|st| {
            if let Some(chat) = st.chats.get_mut(&user.id) {
                chat.blocked = false;
            }
            st.push_my_chat_member(user, false)
        })
    }
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.begin_shutdown();
        for task in &self.tasks {
            task.abort();
        }
    }
}
