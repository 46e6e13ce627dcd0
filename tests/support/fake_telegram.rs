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
//! - webhooks: queued updates are POSTed one by one to the webhook URL with
//!   `X-Telegram-Bot-Api-Secret-Token`; a non-2xx answer is retried after a delay and shows up in
//!   `getWebhookInfo`; `getUpdates` answers 409 while a webhook is set. Unlike Telegram, plain
//!   `http://127.0.0.1` webhook URLs are accepted;
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
//! Methods not listed in [`TelegramState::dispatch`] answer 404 like an unknown method: add them
//! here when the bot starts using them. Texts that Telegram does not document and that were not
//! confirmed from public reports are marked "unverified" where they are produced.
//!
//! Time: message dates, the delete window and update expiry follow a fake clock that only moves
//! with [`FakeTelegram::advance`]. The 429 wait is measured with `tokio::time`, because the bot
//! waits in real (or tokio-paused) time, not in fake Telegram time.

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    fmt,
    net::SocketAddr,
    pin::pin,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri, header::CONTENT_TYPE},
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};
use tokio::{net::TcpListener, sync::Notify, task::JoinHandle, time::Instant};
use tokio_util::sync::CancellationToken;

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
// Errors, parameters
// ---------------------------------------------------------------------------------------------

/// An error answer: HTTP status = `error_code`, like Telegram.
#[derive(Clone, Debug)]
struct ApiError {
    code: u16,
    description: String,
    retry_after: Option<u64>,
}

fn api_error(code: u16, description: impl Into<String>) -> ApiError {
    ApiError {
        code,
        description: description.into(),
        retry_after: None,
    }
}

/// A 400 with Telegram's `Bad Request: ` prefix.
fn bad(what: impl fmt::Display) -> ApiError {
    api_error(400, format!("Bad Request: {what}"))
}

fn not_found() -> ApiError {
    api_error(404, "Not Found")
}

fn too_many_requests(seconds: u64) -> ApiError {
    ApiError {
        code: 429,
        description: format!("Too Many Requests: retry after {seconds}"),
        retry_after: Some(seconds),
    }
}

impl ApiError {
    fn body(&self) -> Value {
        let mut body = json!({
            "ok": false,
            "error_code": self.code,
            "description": self.description,
        });
        if let (Some(seconds), Value::Object(m)) = (self.retry_after, &mut body) {
            m.insert("parameters".into(), json!({ "retry_after": seconds }));
        }
        body
    }
}

/// The parameters of one call, whatever encoding they came in. Form and multipart values are
/// strings; the getters accept both typed JSON and strings, as Telegram does.
struct Params(Map<String, Value>);

impl Params {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| bad(format_args!("invalid {key} specified"))),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| bad(format_args!("invalid {key} specified"))),
            Some(_) => Err(bad(format_args!("invalid {key} specified"))),
        }
    }

    fn int32(&self, key: &str) -> Result<Option<i32>, ApiError> {
        self.int(key)?
            .map(|n| i32::try_from(n).map_err(|_| bad(format_args!("invalid {key} specified"))))
            .transpose()
    }

    fn float(&self, key: &str) -> Result<Option<f64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| bad(format_args!("invalid {key} specified"))),
            Some(_) => Err(bad(format_args!("invalid {key} specified"))),
        }
    }

    fn string(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    fn flag(&self, key: &str) -> bool {
        match self.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => matches!(s.trim(), "true" | "True" | "1"),
            Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
            _ => false,
        }
    }

    /// An object or array parameter; form-encoded requests send it as a JSON string.
    fn json(&self, key: &str) -> Result<Option<Value>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(v @ (Value::Object(_) | Value::Array(_))) => Ok(Some(v.clone())),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|_| bad(format_args!("can't parse {key} JSON object"))),
            Some(_) => Err(bad(format_args!("can't parse {key} JSON object"))),
        }
    }

    fn message_id(&self) -> Result<i32, ApiError> {
        self.int32("message_id")?
            .ok_or_else(|| bad("message identifier is not specified"))
    }

    fn chat_id(&self, key: &str) -> Result<i64, ApiError> {
        match self.get(key) {
            None => Err(bad(format_args!("{key} is empty"))),
            // "@username" addressing is not modelled: no fake chat has a public username.
            Some(_) => self
                .int(key)
                .ok()
                .flatten()
                .ok_or_else(|| bad("chat not found")),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

enum ChatKind {
    Private(TgUser),
    Supergroup { title: String, is_forum: bool },
}

struct ChatRecord {
    kind: ChatKind,
    messages: BTreeMap<i32, ChatMessage>,
    next_message_id: i32,
    deleted: Vec<i32>,
    blocked: bool,
    auto_delete: Option<u32>,
    members: BTreeMap<i64, MemberStatus>,
    bot_rights: BotRights,
    topics: BTreeMap<i32, ForumTopicInfo>,
}

impl ChatRecord {
    fn new(kind: ChatKind) -> Self {
        Self {
            kind,
            messages: BTreeMap::new(),
            next_message_id: 1,
            deleted: Vec::new(),
            blocked: false,
            auto_delete: None,
            members: BTreeMap::new(),
            bot_rights: BotRights::default(),
            topics: BTreeMap::new(),
        }
    }

    fn to_json(&self, id: i64) -> Value {
        match &self.kind {
            ChatKind::Private(user) => {
                let mut chat = Map::new();
                chat.insert("id".into(), json!(id));
                chat.insert("type".into(), json!("private"));
                chat.insert("first_name".into(), json!(user.first_name));
                if let Some(username) = &user.username {
                    chat.insert("username".into(), json!(username));
                }
                Value::Object(chat)
            }
            ChatKind::Supergroup { title, is_forum } => {
                let mut chat = json!({ "id": id, "type": "supergroup", "title": title });
                if *is_forum && let Value::Object(m) = &mut chat {
                    m.insert("is_forum".into(), json!(true));
                }
                chat
            }
        }
    }

    fn is_forum(&self) -> bool {
        matches!(self.kind, ChatKind::Supergroup { is_forum: true, .. })
    }

    fn is_private(&self) -> bool {
        matches!(self.kind, ChatKind::Private(_))
    }
}

struct Queued {
    id: i64,
    created: i64,
    json: Value,
    /// Deliver this update once more after it was confirmed or acknowledged.
    duplicate: bool,
}

struct Webhook {
    url: String,
    secret_token: Option<String>,
    max_connections: u32,
    allowed_updates: Option<Vec<String>>,
    last_error: Option<(i64, String)>,
}

struct WebhookJob {
    update_id: i64,
    url: String,
    secret_token: Option<String>,
    json: Value,
}

/// Seeded flood control: which send-type calls get a 429, and how long each chat must wait.
struct FloodControl {
    rate: f64,
    retry_after: u32,
    unit: Duration,
    rng: u64,
    blocked_until: HashMap<i64, Instant>,
}

impl FloodControl {
    fn new() -> Self {
        Self {
            rate: 0.0,
            retry_after: 1,
            unit: Duration::from_secs(1),
            rng: 42,
            blocked_until: HashMap::new(),
        }
    }

    /// splitmix64: tiny, deterministic, good enough to pick which calls fail.
    fn next_f64(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn check(&mut self, chat_id: i64) -> Result<(), ApiError> {
        let now = Instant::now();
        if let Some(until) = self.blocked_until.get(&chat_id)
            && *until > now
        {
            let left = until.duration_since(now).as_secs_f64() / self.unit.as_secs_f64();
            return Err(too_many_requests((left.ceil() as u64).max(1)));
        }
        if self.rate > 0.0 && self.next_f64() < self.rate {
            let seconds = self.retry_after.max(1);
            self.blocked_until
                .insert(chat_id, now + self.unit * seconds);
            return Err(too_many_requests(u64::from(seconds)));
        }
        Ok(())
    }
}

/// A parsed `reply_markup`.
#[derive(Default)]
struct Markup {
    buttons: Vec<Vec<Button>>,
    reply_keyboard: Vec<Vec<String>>,
    removes_keyboard: bool,
    inline_json: Option<Value>,
}

/// Everything the fake knows. Tests read it through [`FakeTelegram::wait_for`] and the
/// inspection methods; only the server and the push helpers change it.
pub struct TelegramState {
    now: i64,
    next_update_id: i64,
    queue: VecDeque<Queued>,
    redeliver: VecDeque<Queued>,
    allowed_updates: Option<Vec<String>>,
    duplicates_left: u32,
    poll_generation: u64,
    waiting_polls: usize,
    webhook: Option<Webhook>,
    webhook_retry_delay: Duration,
    webhook_deliveries: Vec<WebhookDelivery>,
    users: BTreeMap<i64, TgUser>,
    chats: BTreeMap<i64, ChatRecord>,
    next_group: i64,
    calls: Vec<Call>,
    callbacks: HashMap<String, bool>,
    next_callback: u64,
    answered: Vec<AnsweredCallback>,
    commands: BTreeMap<(String, String), Vec<(String, String)>>,
    descriptions: BTreeMap<String, String>,
    short_descriptions: BTreeMap<String, String>,
    flood: FloodControl,
    next_file: u64,
    shutting_down: bool,
}

impl TelegramState {
    fn new() -> Self {
        Self {
            now: START_TIME,
            next_update_id: 100_000_001,
            queue: VecDeque::new(),
            redeliver: VecDeque::new(),
            allowed_updates: None,
            duplicates_left: 0,
            poll_generation: 0,
            waiting_polls: 0,
            webhook: None,
            webhook_retry_delay: Duration::from_millis(100),
            webhook_deliveries: Vec::new(),
            users: BTreeMap::new(),
            chats: BTreeMap::new(),
            next_group: 0,
            calls: Vec::new(),
            callbacks: HashMap::new(),
            next_callback: 0,
            answered: Vec::new(),
            commands: BTreeMap::new(),
            descriptions: BTreeMap::new(),
            short_descriptions: BTreeMap::new(),
            flood: FloodControl::new(),
            next_file: 0,
            shutting_down: false,
        }
    }

    // ----- inspection ------------------------------------------------------------------------

    /// Fake Unix time now.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Every call in the order it was answered (including failed and 429 calls).
    pub fn calls(&self) -> &[Call] {
        &self.calls
    }

    /// Calls of one method (case-insensitive).
    pub fn calls_to(&self, method: &str) -> Vec<&Call> {
        self.calls.iter().filter(|c| c.is(method)).collect()
    }

    /// The messages visible in a chat, oldest first (empty for an unknown chat).
    pub fn chat(&self, chat_id: i64) -> Vec<&ChatMessage> {
        self.chats
            .get(&chat_id)
            .map(|c| c.messages.values().collect())
            .unwrap_or_default()
    }

    /// The bot's visible messages in a chat, oldest first.
    pub fn bot_messages(&self, chat_id: i64) -> Vec<&ChatMessage> {
        self.chat(chat_id)
            .into_iter()
            .filter(|m| m.sent_by_bot())
            .collect()
    }

    /// The newest visible message of the bot in a chat.
    pub fn last_bot_message(&self, chat_id: i64) -> Option<&ChatMessage> {
        self.bot_messages(chat_id).pop()
    }

    pub fn message(&self, chat_id: i64, message_id: i32) -> Option<&ChatMessage> {
        self.chats.get(&chat_id)?.messages.get(&message_id)
    }

    /// Ids removed with `deleteMessage(s)`, in the order they were deleted.
    pub fn deleted_ids(&self, chat_id: i64) -> &[i32] {
        self.chats
            .get(&chat_id)
            .map(|c| c.deleted.as_slice())
            .unwrap_or_default()
    }

    pub fn answered_callbacks(&self) -> &[AnsweredCallback] {
        &self.answered
    }

    /// Commands set for the default scope in a language (`None`: for all languages).
    pub fn commands(&self, language: Option<&str>) -> Vec<(String, String)> {
        self.commands_in_scope(&json!({ "type": "default" }), language)
    }

    /// Commands set for a scope object such as `{"type":"chat","chat_id":42}`.
    pub fn commands_in_scope(
        &self,
        scope: &Value,
        language: Option<&str>,
    ) -> Vec<(String, String)> {
        let key = (
            canonical_json(scope),
            language.unwrap_or_default().to_owned(),
        );
        self.commands.get(&key).cloned().unwrap_or_default()
    }

    pub fn description(&self, language: Option<&str>) -> Option<&str> {
        self.descriptions
            .get(language.unwrap_or_default())
            .map(String::as_str)
    }

    pub fn short_description(&self, language: Option<&str>) -> Option<&str> {
        self.short_descriptions
            .get(language.unwrap_or_default())
            .map(String::as_str)
    }

    /// Open and closed topics of a group (deleted ones are gone).
    pub fn topics(&self, group_id: i64) -> Vec<&ForumTopicInfo> {
        self.chats
            .get(&group_id)
            .map(|c| c.topics.values().collect())
            .unwrap_or_default()
    }

    pub fn webhook_url(&self) -> Option<&str> {
        self.webhook.as_ref().map(|w| w.url.as_str())
    }

    pub fn webhook_deliveries(&self) -> &[WebhookDelivery] {
        &self.webhook_deliveries
    }

    /// Updates not yet confirmed by `getUpdates` or acknowledged by the webhook.
    pub fn pending_updates(&self) -> usize {
        self.queue.len() + self.redeliver.len()
    }

    /// Long-poll `getUpdates` calls currently waiting for an update.
    pub fn waiting_polls(&self) -> usize {
        self.waiting_polls
    }

    pub fn is_blocked(&self, chat_id: i64) -> bool {
        self.chats.get(&chat_id).is_some_and(|c| c.blocked)
    }

    // ----- dispatch --------------------------------------------------------------------------

    /// Answers one method call (all but `getUpdates`, which waits outside the lock).
    fn dispatch(&mut self, method: &str, p: &Params) -> Result<Value, ApiError> {
        match method {
            "getme" => Ok(self.me_json()),
            "sendmessage" => self.send_message(p),
            "sendphoto" => self.send_media(p, MediaKind::Photo),
            "senddocument" => self.send_media(p, MediaKind::Document),
            "sendvoice" => self.send_media(p, MediaKind::Voice),
            "sendsticker" => self.send_media(p, MediaKind::Sticker),
            "sendvideo" => self.send_media(p, MediaKind::Video),
            "sendaudio" => self.send_media(p, MediaKind::Audio),
            "sendanimation" => self.send_media(p, MediaKind::Animation),
            "sendlocation" => self.send_location(p),
            "sendchataction" => self.send_chat_action(p),
            "editmessagetext" => self.edit_message_text(p),
            "editmessagecaption" => self.edit_message_caption(p),
            "editmessagereplymarkup" => self.edit_message_reply_markup(p),
            "deletemessage" => self.delete_message(p),
            "deletemessages" => self.delete_messages(p),
            "copymessage" => self.copy_message(p),
            "forwardmessage" => self.forward_message(p),
            "answercallbackquery" => self.answer_callback_query(p),
            "setmycommands" => self.set_my_commands(p),
            "getmycommands" => self.get_my_commands(p),
            "deletemycommands" => self.delete_my_commands(p),
            "setmydescription" => self.set_description(p, false),
            "setmyshortdescription" => self.set_description(p, true),
            "getmydescription" => Ok(self.get_description(p, false)),
            "getmyshortdescription" => Ok(self.get_description(p, true)),
            "getchat" => self.get_chat(p),
            "getchatmember" => self.get_chat_member(p),
            "getchatadministrators" => self.get_chat_administrators(p),
            "createforumtopic" => self.create_forum_topic(p),
            "editforumtopic" => self.edit_forum_topic(p),
            "closeforumtopic" => self.set_topic_closed(p, true),
            "reopenforumtopic" => self.set_topic_closed(p, false),
            "deleteforumtopic" => self.delete_forum_topic(p),
            "setwebhook" => self.set_webhook(p),
            "deletewebhook" => self.delete_webhook(p),
            "getwebhookinfo" => Ok(self.webhook_info()),
            _ => Err(not_found()),
        }
    }

    fn record(&mut self, method: &str, params: &Params, result: &Result<Value, ApiError>) {
        let (status, response) = match result {
            Ok(value) => (200, json!({ "ok": true, "result": value })),
            Err(e) => (e.code, e.body()),
        };
        self.calls.push(Call {
            method: method.to_owned(),
            params: Value::Object(params.0.clone()),
            status,
            response,
        });
    }

    fn me_json(&self) -> Value {
        json!({
            "id": BOT_ID,
            "is_bot": true,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": true,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        })
    }

    fn bot_user_json() -> Value {
        json!({ "id": BOT_ID, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME })
    }

    // ----- chats and messages ----------------------------------------------------------------

    fn chat_record(&self, chat_id: i64) -> Result<&ChatRecord, ApiError> {
        self.chats
            .get(&chat_id)
            .ok_or_else(|| bad("chat not found"))
    }

    /// Resolves `chat_id` of a call that writes into the chat: it must exist, must not have
    /// blocked the bot, and must not be under flood control.
    fn writable_chat(&mut self, p: &Params, flood_limited: bool) -> Result<i64, ApiError> {
        let chat_id = p.chat_id("chat_id")?;
        if self.chat_record(chat_id)?.blocked {
            return Err(api_error(403, "Forbidden: bot was blocked by the user"));
        }
        if flood_limited {
            self.flood.check(chat_id)?;
        }
        Ok(chat_id)
    }

    /// Validates `message_thread_id` for a message the bot sends.
    fn send_thread(&self, chat_id: i64, p: &Params) -> Result<Option<i32>, ApiError> {
        let Some(thread_id) = p.int32("message_thread_id")? else {
            return Ok(None);
        };
        let chat = self.chat_record(chat_id)?;
        if chat.is_private() {
            // Topics in private chats are not modelled; Telegram ignores the id there too.
            return Ok(None);
        }
        let topic = chat
            .topics
            .get(&thread_id)
            .filter(|_| chat.is_forum())
            .ok_or_else(|| bad("message thread not found"))?;
        if topic.closed && !(chat.bot_rights.is_admin && chat.bot_rights.can_manage_topics) {
            return Err(bad("TOPIC_CLOSED"));
        }
        Ok(Some(thread_id))
    }

    /// A new message with the next id of the chat, dated now. Not stored yet.
    fn new_message(&mut self, chat_id: i64, from: Option<Value>) -> Result<ChatMessage, ApiError> {
        let now = self.now;
        let chat = self
            .chats
            .get_mut(&chat_id)
            .ok_or_else(|| bad("chat not found"))?;
        let message_id = chat.next_message_id;
        chat.next_message_id += 1;
        let from_id = from
            .as_ref()
            .and_then(|f| f.get("id"))
            .and_then(Value::as_i64);
        Ok(ChatMessage {
            message_id,
            chat_id,
            from_id,
            date: now,
            edit_date: None,
            thread_id: None,
            text: None,
            media: None,
            buttons: Vec::new(),
            reply_keyboard: Vec::new(),
            removes_keyboard: false,
            protect_content: false,
            disable_notification: false,
            parse_mode: None,
            copied_from: None,
            forwarded_from: None,
            reply_to: None,
            service: None,
            from_json: from,
            chat_json: chat.to_json(chat_id),
            entities: Vec::new(),
            media_json: None,
            inline_markup: None,
            forward_origin: None,
            reply_to_json: None,
            service_json: None,
        })
    }

    /// Puts a message into its thread: `message_thread_id`, and the topic's creation message as
    /// `reply_to_message` unless it replies to something else (as Telegram does).
    fn place_in_thread(&self, msg: &mut ChatMessage, thread_id: Option<i32>) {
        msg.thread_id = thread_id;
        if let Some(thread) = thread_id
            && msg.reply_to_json.is_none()
            && let Some(created) = self.message(msg.chat_id, thread)
        {
            msg.reply_to_json = Some(created.to_reply_json());
        }
    }

    /// Applies `reply_parameters` / `reply_to_message_id`.
    fn apply_reply(&self, msg: &mut ChatMessage, p: &Params) -> Result<(), ApiError> {
        let params = p.json("reply_parameters")?;
        let (target, allow_missing) = match &params {
            Some(rp) => (
                rp.get("message_id").and_then(Value::as_i64),
                rp.get("allow_sending_without_reply")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            ),
            None => (
                p.int("reply_to_message_id")?,
                p.flag("allow_sending_without_reply"),
            ),
        };
        let Some(target) = target else { return Ok(()) };
        let found = i32::try_from(target)
            .ok()
            .and_then(|id| self.message(msg.chat_id, id));
        match found {
            Some(original) => {
                msg.reply_to = Some(original.message_id);
                msg.reply_to_json = Some(original.to_reply_json());
                Ok(())
            }
            None if allow_missing => Ok(()),
            None => Err(bad("message to be replied not found")),
        }
    }

    fn store(&mut self, msg: ChatMessage) -> Value {
        let json = msg.to_json();
        if let Some(chat) = self.chats.get_mut(&msg.chat_id) {
            chat.messages.insert(msg.message_id, msg);
        }
        json
    }

    fn apply_send_options(msg: &mut ChatMessage, p: &Params, markup: Markup) {
        msg.protect_content = p.flag("protect_content");
        msg.disable_notification = p.flag("disable_notification");
        msg.buttons = markup.buttons;
        msg.reply_keyboard = markup.reply_keyboard;
        msg.removes_keyboard = markup.removes_keyboard;
        msg.inline_markup = markup.inline_json;
    }

    fn send_message(&mut self, p: &Params) -> Result<Value, ApiError> {
        let chat_id = self.writable_chat(p, true)?;
        let thread_id = self.send_thread(chat_id, p)?;
        let parse_mode = p.string("parse_mode").filter(|m| !m.is_empty());
        let text = displayed_text(&p.string("text").unwrap_or_default(), parse_mode.as_deref());
        check_text(&text, false)?;
        let markup = parse_markup(p)?;
        let entities = entities_param(p, "entities", parse_mode.as_deref())?;
        let mut msg = self.new_message(chat_id, Some(Self::bot_user_json()))?;
        self.apply_reply(&mut msg, p)?;
        self.place_in_thread(&mut msg, thread_id);
        msg.text = Some(text);
        msg.entities = entities;
        msg.parse_mode = parse_mode;
        Self::apply_send_options(&mut msg, p, markup);
        Ok(self.store(msg))
    }

    fn send_media(&mut self, p: &Params, kind: MediaKind) -> Result<Value, ApiError> {
        let chat_id = self.writable_chat(p, true)?;
        let thread_id = self.send_thread(chat_id, p)?;
        let Some(source) = p.string(kind.key()) else {
            return Err(bad(format_args!(
                "there is no {} in the request",
                kind.key()
            )));
        };
        let parse_mode = p.string("parse_mode").filter(|m| !m.is_empty());
        let caption = p
            .string("caption")
            .map(|c| displayed_text(&c, parse_mode.as_deref()))
            .filter(|c| !c.trim().is_empty());
        check_caption(caption.as_deref())?;
        let markup = parse_markup(p)?;
        let entities = entities_param(p, "caption_entities", parse_mode.as_deref())?;
        let given_id =
            (!source.starts_with("attach://") && !source.contains("://")).then_some(source);
        let media_json = self.media_payload(kind, given_id.as_deref());
        let mut msg = self.new_message(chat_id, Some(Self::bot_user_json()))?;
        self.apply_reply(&mut msg, p)?;
        self.place_in_thread(&mut msg, thread_id);
        msg.media = Some(kind);
        msg.media_json = Some(media_json);
        msg.text = caption;
        msg.entities = entities;
        msg.parse_mode = parse_mode;
        Self::apply_send_options(&mut msg, p, markup);
        Ok(self.store(msg))
    }

    fn send_location(&mut self, p: &Params) -> Result<Value, ApiError> {
        let chat_id = self.writable_chat(p, true)?;
        let thread_id = self.send_thread(chat_id, p)?;
        let latitude = p.float("latitude")?.filter(|l| (-90.0..=90.0).contains(l));
        let longitude = p
            .float("longitude")?
            .filter(|l| (-180.0..=180.0).contains(l));
        let (Some(latitude), Some(longitude)) = (latitude, longitude) else {
            return Err(bad("wrong location specified")); // unverified text
        };
        let markup = parse_markup(p)?;
        let mut msg = self.new_message(chat_id, Some(Self::bot_user_json()))?;
        self.apply_reply(&mut msg, p)?;
        self.place_in_thread(&mut msg, thread_id);
        msg.media = Some(MediaKind::Location);
        msg.media_json = Some(json!({ "latitude": latitude, "longitude": longitude }));
        Self::apply_send_options(&mut msg, p, markup);
        Ok(self.store(msg))
    }

    fn send_chat_action(&mut self, p: &Params) -> Result<Value, ApiError> {
        let chat_id = self.writable_chat(p, false)?;
        self.send_thread(chat_id, p)?;
        const ACTIONS: [&str; 10] = [
            "typing",
            "upload_photo",
            "record_video",
            "upload_video",
            "record_voice",
            "upload_voice",
            "upload_document",
            "choose_sticker",
            "find_location",
            "upload_video_note",
        ];
        match p.string("action") {
            Some(action) if ACTIONS.contains(&action.as_str()) => Ok(json!(true)),
            _ => Err(bad("wrong parameter action in request")), // unverified text
        }
    }

    /// The bot's own message that an edit targets.
    fn message_to_edit(&mut self, p: &Params) -> Result<(i64, i32), ApiError> {
        if p.get("inline_message_id").is_some() {
            return Err(bad("MESSAGE_ID_INVALID")); // inline messages are not modelled
        }
        let chat_id = self.writable_chat(p, true)?;
        let message_id = p.message_id()?;
        let msg = self
            .message(chat_id, message_id)
            .ok_or_else(|| bad("message to edit not found"))?;
        if !msg.sent_by_bot() || msg.service.is_some() {
            return Err(bad("message can't be edited"));
        }
        Ok((chat_id, message_id))
    }

    fn edited(
        &mut self,
        chat_id: i64,
        message_id: i32,
        edit: impl FnOnce(&mut ChatMessage),
    ) -> Value {
        let now = self.now;
        match self
            .chats
            .get_mut(&chat_id)
            .and_then(|c| c.messages.get_mut(&message_id))
        {
            Some(msg) => {
                edit(msg);
                msg.edit_date = Some(now);
                msg.to_json()
            }
            None => Value::Null,
        }
    }

    fn edit_message_text(&mut self, p: &Params) -> Result<Value, ApiError> {
        let (chat_id, message_id) = self.message_to_edit(p)?;
        let parse_mode = p.string("parse_mode").filter(|m| !m.is_empty());
        let text = displayed_text(&p.string("text").unwrap_or_default(), parse_mode.as_deref());
        check_text(&text, true)?;
        let markup = parse_markup(p)?;
        let entities = entities_param(p, "entities", parse_mode.as_deref())?;
        let old = self
            .message(chat_id, message_id)
            .ok_or_else(|| bad("message to edit not found"))?;
        if old.media.is_some() {
            return Err(bad("there is no text in the message to edit"));
        }
        if old.text.as_deref() == Some(text.as_str()) && old.inline_markup == markup.inline_json {
            return Err(bad(NOT_MODIFIED));
        }
        Ok(self.edited(chat_id, message_id, |msg| {
            msg.text = Some(text);
            msg.entities = entities;
            msg.parse_mode = parse_mode;
            msg.buttons = markup.buttons;
            msg.inline_markup = markup.inline_json;
        }))
    }

    fn edit_message_caption(&mut self, p: &Params) -> Result<Value, ApiError> {
        let (chat_id, message_id) = self.message_to_edit(p)?;
        let parse_mode = p.string("parse_mode").filter(|m| !m.is_empty());
        let caption = p
            .string("caption")
            .map(|c| displayed_text(&c, parse_mode.as_deref()))
            .filter(|c| !c.trim().is_empty());
        check_caption(caption.as_deref())?;
        let markup = parse_markup(p)?;
        let old = self
            .message(chat_id, message_id)
            .ok_or_else(|| bad("message to edit not found"))?;
        if old.media.is_none() {
            return Err(bad("there is no caption in the message to edit"));
        }
        if old.text == caption && old.inline_markup == markup.inline_json {
            return Err(bad(NOT_MODIFIED));
        }
        Ok(self.edited(chat_id, message_id, |msg| {
            msg.text = caption;
            msg.buttons = markup.buttons;
            msg.inline_markup = markup.inline_json;
        }))
    }

    fn edit_message_reply_markup(&mut self, p: &Params) -> Result<Value, ApiError> {
        let (chat_id, message_id) = self.message_to_edit(p)?;
        let markup = parse_markup(p)?;
        let old = self
            .message(chat_id, message_id)
            .ok_or_else(|| bad("message to edit not found"))?;
        if old.inline_markup == markup.inline_json {
            return Err(bad(NOT_MODIFIED));
        }
        Ok(self.edited(chat_id, message_id, |msg| {
            msg.buttons = markup.buttons;
            msg.inline_markup = markup.inline_json;
        }))
    }

    /// Why the bot may not delete this message, if it may not.
    fn deletable(&self, chat: &ChatRecord, message_id: i32) -> Result<(), ApiError> {
        let msg = chat
            .messages
            .get(&message_id)
            .ok_or_else(|| bad("message to delete not found"))?;
        if self.now - msg.date >= DELETE_WINDOW_SECS {
            return Err(bad("message to delete not found"));
        }
        let rights = chat.bot_rights;
        if chat.is_private() || msg.sent_by_bot() || (rights.is_admin && rights.can_delete_messages)
        {
            Ok(())
        } else {
            Err(bad("message can't be deleted"))
        }
    }

    fn remove_message(&mut self, chat_id: i64, message_id: i32) {
        if let Some(chat) = self.chats.get_mut(&chat_id)
            && chat.messages.remove(&message_id).is_some()
        {
            chat.deleted.push(message_id);
        }
    }

    fn delete_message(&mut self, p: &Params) -> Result<Value, ApiError> {
        let chat_id = p.chat_id("chat_id")?;
        let message_id = p.message_id()?;
        self.deletable(self.chat_record(chat_id)?, message_id)?;
        self.remove_message(chat_id, message_id);
        Ok(json!(true))
    }

    fn delete_messages(&mut self, p: &Params) -> Result<Value, ApiError> {
        let chat_id = p.chat_id("chat_id")?;
        self.chat_record(chat_id)?;
        let ids: Vec<i32> = match p.json("message_ids")? {
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_i64().and_then(|n| i32::try_from(n).ok()))
                .collect::<Option<_>>()
                .ok_or_else(|| bad("invalid message_ids specified"))?,
            Some(_) => return Err(bad("invalid message_ids specified")),
            None => Vec::new(),
        };
        if ids.is_empty() {
            return Err(bad("message identifiers are not specified")); // unverified text
        }
        if ids.len() > 100 {
            return Err(bad("too many messages to delete")); // unverified text
        }
        // Telegram skips the ones it cannot find or delete.
        for id in ids {
            let allowed = self
                .chat_record(chat_id)
                .and_then(|c| self.deletable(c, id))
                .is_ok();
            if allowed {
                self.remove_message(chat_id, id);
            }
        }
        Ok(json!(true))
    }

    /// The source message of a copy or forward.
    fn source_message(&self, p: &Params, missing: &str) -> Result<ChatMessage, ApiError> {
        let from_chat = p.chat_id("from_chat_id")?;
        let message_id = p.message_id()?;
        let source = self
            .chat_record(from_chat)?
            .messages
            .get(&message_id)
            .ok_or_else(|| bad(missing))?;
        if source.protect_content {
            return Err(bad("message has protected content and can't be forwarded"));
        }
        if source.service.is_some() {
            return Err(bad("message can't be copied")); // unverified text
        }
        Ok(source.clone())
    }

    fn copy_message(&mut self, p: &Params) -> Result<Value, ApiError> {
        let source = self.source_message(p, "message to copy not found")?;
        let chat_id = self.writable_chat(p, true)?;
        let thread_id = self.send_thread(chat_id, p)?;
        let markup = parse_markup(p)?;
        let mut msg = self.new_message(chat_id, Some(Self::bot_user_json()))?;
        self.apply_reply(&mut msg, p)?;
        self.place_in_thread(&mut msg, thread_id);
        msg.media = source.media;
        msg.media_json = source.media_json.clone();
        msg.text = source.text.clone();
        msg.entities = source.entities.clone();
        if source.media.is_some() && p.get("caption").is_some() {
            let parse_mode = p.string("parse_mode").filter(|m| !m.is_empty());
            let caption = p
                .string("caption")
                .map(|c| displayed_text(&c, parse_mode.as_deref()))
                .filter(|c| !c.trim().is_empty());
            check_caption(caption.as_deref())?;
            msg.text = caption;
            msg.entities = entities_param(p, "caption_entities", parse_mode.as_deref())?;
        }
        msg.copied_from = Some((source.chat_id, source.message_id));
        Self::apply_send_options(&mut msg, p, markup);
        let message_id = msg.message_id;
        self.store(msg);
        Ok(json!({ "message_id": message_id }))
    }

    fn forward_message(&mut self, p: &Params) -> Result<Value, ApiError> {
        let source = self.source_message(p, "message to forward not found")?;
        let chat_id = self.writable_chat(p, true)?;
        let thread_id = self.send_thread(chat_id, p)?;
        let mut msg = self.new_message(chat_id, Some(Self::bot_user_json()))?;
        self.place_in_thread(&mut msg, thread_id);
        msg.media = source.media;
        msg.media_json = source.media_json.clone();
        msg.text = source.text.clone();
        msg.entities = source.entities.clone();
        msg.forward_origin = Some(match &source.from_json {
            Some(user) => json!({ "type": "user", "sender_user": user, "date": source.date }),
            None => {
                json!({ "type": "hidden_user", "sender_user_name": "Hidden", "date": source.date })
            }
        });
        msg.forwarded_from = Some((source.chat_id, source.message_id));
        msg.protect_content = p.flag("protect_content");
        msg.disable_notification = p.flag("disable_notification");
        Ok(self.store(msg))
    }

    fn answer_callback_query(&mut self, p: &Params) -> Result<Value, ApiError> {
        let id = p.string("callback_query_id").unwrap_or_default();
        if self.callbacks.get(&id) != Some(&false) {
            return Err(bad(QUERY_TOO_OLD));
        }
        let text = p.string("text").filter(|t| !t.is_empty());
        if text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_CALLBACK_ANSWER_CHARS)
        {
            return Err(bad("MESSAGE_TOO_LONG")); // unverified text
        }
        self.callbacks.insert(id.clone(), true);
        self.answered.push(AnsweredCallback {
            id,
            text,
            show_alert: p.flag("show_alert"),
            url: p.string("url"),
        });
        Ok(json!(true))
    }

    // ----- bot profile -----------------------------------------------------------------------

    fn command_key(p: &Params) -> Result<(String, String), ApiError> {
        let scope = p
            .json("scope")?
            .unwrap_or_else(|| json!({ "type": "default" }));
        Ok((
            canonical_json(&scope),
            p.string("language_code").unwrap_or_default(),
        ))
    }

    fn set_my_commands(&mut self, p: &Params) -> Result<Value, ApiError> {
        let key = Self::command_key(p)?;
        let Some(Value::Array(items)) = p.json("commands")? else {
            return Err(bad("can't parse commands JSON object"));
        };
        if items.len() > 100 {
            return Err(bad("too many commands")); // unverified text
        }
        let mut commands = Vec::new();
        for item in &items {
            let command = item
                .get("command")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let description = item
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let valid_name = (1..=32).contains(&command.len())
                && command
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid_name {
                return Err(bad("BOT_COMMAND_INVALID"));
            }
            if !(1..=256).contains(&description.chars().count()) {
                return Err(bad("BOT_COMMAND_DESCRIPTION_INVALID")); // unverified text
            }
            commands.push((command.to_owned(), description.to_owned()));
        }
        if commands.is_empty() {
            self.commands.remove(&key);
        } else {
            self.commands.insert(key, commands);
        }
        Ok(json!(true))
    }

    fn get_my_commands(&mut self, p: &Params) -> Result<Value, ApiError> {
        let key = Self::command_key(p)?;
        let commands = self.commands.get(&key).cloned().unwrap_or_default();
        Ok(Value::Array(
            commands
                .into_iter()
                .map(|(command, description)| json!({ "command": command, "description": description }))
                .collect(),
        ))
    }

    fn delete_my_commands(&mut self, p: &Params) -> Result<Value, ApiError> {
        let key = Self::command_key(p)?;
        self.commands.remove(&key);
        Ok(json!(true))
    }

    fn set_description(&mut self, p: &Params, short: bool) -> Result<Value, ApiError> {
        let (field, limit) = if short {
            ("short_description", 120)
        } else {
            ("description", 512)
        };
        let text = p.string(field).unwrap_or_default();
        if text.chars().count() > limit {
            return Err(bad(format_args!("{field} is too long"))); // unverified text
        }
        let language = p.string("language_code").unwrap_or_default();
        let map = if short {
            &mut self.short_descriptions
        } else {
            &mut self.descriptions
        };
        if text.is_empty() {
            map.remove(&language);
        } else {
            map.insert(language, text);
        }
        Ok(json!(true))
    }

    fn get_description(&self, p: &Params, short: bool) -> Value {
        let language = p.string("language_code").unwrap_or_default();
        let map = if short {
            &self.short_descriptions
        } else {
            &self.descriptions
        };
        let text = map.get(&language).cloned().unwrap_or_default();
        if short {
            json!({ "short_description": text })
        } else {
            json!({ "description": text })
        }
    }

    // ----- chats and members -----------------------------------------------------------------

    fn get_chat(&mut self, p: &Params) -> Result<Value, ApiError> {
        let chat_id = p.chat_id("chat_id")?;
        let chat = self.chat_record(chat_id)?;
        let mut info = chat.to_json(chat_id);
        if let Value::Object(m) = &mut info {
            m.insert(
                "accepted_gift_types".into(),
                json!({
                    "unlimited_gifts": false,
                    "limited_gifts": false,
                    "unique_gifts": false,
                    "premium_subscription": false,
                }),
            );
            m.insert("max_reaction_count".into(), json!(11));
            m.insert("accent_color_id".into(), json!(0));
            if let Some(seconds) = chat.auto_delete {
                m.insert("message_auto_delete_time".into(), json!(seconds));
            }
        }
        Ok(info)
    }

    fn member_json(&self, chat: &ChatRecord, user_id: i64) -> Result<Value, ApiError> {
        if user_id == BOT_ID {
            let r = chat.bot_rights;
            if chat.is_private() || !r.is_admin {
                return Ok(json!({ "user": Self::bot_user_json(), "status": "member" }));
            }
            return Ok(json!({
                "user": Self::bot_user_json(),
                "status": "administrator",
                "can_be_edited": false,
                "is_anonymous": false,
                "can_manage_chat": r.can_manage_chat,
                "can_delete_messages": r.can_delete_messages,
                "can_manage_video_chats": false,
                "can_restrict_members": r.can_restrict_members,
                "can_promote_members": r.can_promote_members,
                "can_change_info": r.can_change_info,
                "can_invite_users": r.can_invite_users,
                "can_post_stories": false,
                "can_edit_stories": false,
                "can_delete_stories": false,
                "can_pin_messages": r.can_pin_messages,
                "can_manage_topics": r.can_manage_topics,
            }));
        }
        let user = self
            .users
            .get(&user_id)
            .ok_or_else(|| bad("user not found"))?
            .to_json();
        let status = match &chat.kind {
            ChatKind::Private(owner) if owner.id == user_id => MemberStatus::Member,
            ChatKind::Private(_) => return Err(bad("user not found")),
            ChatKind::Supergroup { .. } => chat
                .members
                .get(&user_id)
                .copied()
                .unwrap_or(MemberStatus::Left),
        };
        Ok(match status {
            MemberStatus::Creator => {
                json!({ "user": user, "status": "creator", "is_anonymous": false })
            }
            MemberStatus::Administrator => json!({
                "user": user,
                "status": "administrator",
                "can_be_edited": false,
                "is_anonymous": false,
                "can_manage_chat": true,
                "can_delete_messages": true,
                "can_manage_video_chats": true,
                "can_restrict_members": true,
                "can_promote_members": false,
                "can_change_info": true,
                "can_invite_users": true,
                "can_post_stories": false,
                "can_edit_stories": false,
                "can_delete_stories": false,
                "can_pin_messages": true,
                "can_manage_topics": true,
            }),
            MemberStatus::Member => json!({ "user": user, "status": "member" }),
            MemberStatus::Left => json!({ "user": user, "status": "left" }),
            MemberStatus::Kicked => json!({ "user": user, "status": "kicked", "until_date": 0 }),
        })
    }

    fn get_chat_member(&mut self, p: &Params) -> Result<Value, ApiError> {
        let chat_id = p.chat_id("chat_id")?;
        let user_id = p.int("user_id")?.ok_or_else(|| bad("user_id is empty"))?;
        self.member_json(self.chat_record(chat_id)?, user_id)
    }

    fn get_chat_administrators(&mut self, p: &Params) -> Result<Value, ApiError> {
        let chat_id = p.chat_id("chat_id")?;
        let chat = self.chat_record(chat_id)?;
        if chat.is_private() {
            return Err(bad("there are no administrators in the private chat"));
        }
        let mut admins = Vec::new();
        for (user_id, status) in &chat.members {
            if matches!(status, MemberStatus::Creator | MemberStatus::Administrator) {
                admins.push(self.member_json(chat, *user_id)?);
            }
        }
        if chat.bot_rights.is_admin {
            admins.push(self.member_json(chat, BOT_ID)?);
        }
        Ok(Value::Array(admins))
    }

    // ----- forum topics ----------------------------------------------------------------------

    fn forum(&self, p: &Params) -> Result<i64, ApiError> {
        let chat_id = p.chat_id("chat_id")?;
        if !self.chat_record(chat_id)?.is_forum() {
            return Err(bad("the chat is not a forum"));
        }
        Ok(chat_id)
    }

    fn topic_name(name: &str) -> Result<String, ApiError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(bad("TOPIC_TITLE_EMPTY")); // unverified text
        }
        if name.chars().count() > MAX_TOPIC_NAME_CHARS {
            return Err(bad("TOPIC_TITLE_TOO_LONG")); // unverified text
        }
        Ok(name.to_owned())
    }

    fn create_forum_topic(&mut self, p: &Params) -> Result<Value, ApiError> {
        let chat_id = self.forum(p)?;
        let rights = self.chat_record(chat_id)?.bot_rights;
        if !(rights.is_admin && rights.can_manage_topics) {
            return Err(bad("not enough rights to create a topic"));
        }
        let name = Self::topic_name(&p.string("name").unwrap_or_default())?;
        let icon_color = p
            .int("icon_color")?
            .and_then(|c| u32::try_from(c).ok())
            .unwrap_or(DEFAULT_TOPIC_COLOR);
        let mut created = self.new_message(chat_id, Some(Self::bot_user_json()))?;
        let thread_id = created.message_id;
        created.thread_id = Some(thread_id);
        created.service = Some("forum_topic_created".into());
        created.service_json =
            Some(json!({ "forum_topic_created": { "name": name, "icon_color": icon_color } }));
        self.store(created);
        if let Some(chat) = self.chats.get_mut(&chat_id) {
            chat.topics.insert(
                thread_id,
                ForumTopicInfo {
                    thread_id,
                    name: name.clone(),
                    icon_color,
                    closed: false,
                    created_by_bot: true,
                },
            );
        }
        Ok(json!({ "message_thread_id": thread_id, "name": name, "icon_color": icon_color }))
    }

    /// The topic a topic-management call targets, after checking the bot may manage it.
    fn managed_topic(&self, p: &Params, need_delete_right: bool) -> Result<(i64, i32), ApiError> {
        let chat_id = self.forum(p)?;
        let thread_id = p
            .int32("message_thread_id")?
            .ok_or_else(|| bad("TOPIC_ID_INVALID"))?;
        let chat = self.chat_record(chat_id)?;
        let topic = chat
            .topics
            .get(&thread_id)
            .ok_or_else(|| bad("TOPIC_ID_INVALID"))?;
        let r = chat.bot_rights;
        let allowed = if need_delete_right {
            r.is_admin && r.can_delete_messages
        } else {
            topic.created_by_bot || (r.is_admin && r.can_manage_topics)
        };
        if !allowed {
            return Err(bad("CHAT_ADMIN_REQUIRED"));
        }
        Ok((chat_id, thread_id))
    }

    fn topic_mut(&mut self, chat_id: i64, thread_id: i32) -> Result<&mut ForumTopicInfo, ApiError> {
        self.chats
            .get_mut(&chat_id)
            .and_then(|c| c.topics.get_mut(&thread_id))
            .ok_or_else(|| bad("TOPIC_ID_INVALID"))
    }

    fn edit_forum_topic(&mut self, p: &Params) -> Result<Value, ApiError> {
        let (chat_id, thread_id) = self.managed_topic(p, false)?;
        let name = p.string("name").map(|n| Self::topic_name(&n)).transpose()?;
        let topic = self.topic_mut(chat_id, thread_id)?;
        match name {
            Some(name) if name != topic.name => topic.name = name,
            _ if p.get("icon_custom_emoji_id").is_some() => {}
            _ => return Err(bad("TOPIC_NOT_MODIFIED")),
        }
        Ok(json!(true))
    }

    fn set_topic_closed(&mut self, p: &Params, closed: bool) -> Result<Value, ApiError> {
        let (chat_id, thread_id) = self.managed_topic(p, false)?;
        let topic = self.topic_mut(chat_id, thread_id)?;
        if topic.closed == closed {
            return Err(bad("TOPIC_NOT_MODIFIED"));
        }
        topic.closed = closed;
        Ok(json!(true))
    }

    fn delete_forum_topic(&mut self, p: &Params) -> Result<Value, ApiError> {
        let (chat_id, thread_id) = self.managed_topic(p, true)?;
        if let Some(chat) = self.chats.get_mut(&chat_id) {
            chat.topics.remove(&thread_id);
            chat.messages.retain(|_, m| m.thread_id != Some(thread_id));
        }
        Ok(json!(true))
    }

    // ----- webhooks --------------------------------------------------------------------------

    fn set_webhook(&mut self, p: &Params) -> Result<Value, ApiError> {
        let url = p.string("url").unwrap_or_default();
        if p.flag("drop_pending_updates") {
            self.queue.clear();
            self.redeliver.clear();
        }
        if url.is_empty() {
            self.webhook = None;
            return Ok(json!(true));
        }
        match url::Url::parse(&url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
            _ => {
                return Err(bad(
                    "bad webhook: An HTTPS URL must be provided for webhook",
                ));
            }
        }
        let allowed_updates: Option<Vec<String>> = match p.json("allowed_updates")? {
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            ),
            _ => None,
        };
        if let Some(allowed) = &allowed_updates {
            self.allowed_updates = Some(allowed_list(allowed));
        }
        self.webhook = Some(Webhook {
            url,
            secret_token: p.string("secret_token").filter(|s| !s.is_empty()),
            max_connections: p
                .int("max_connections")?
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(40),
            allowed_updates,
            last_error: None,
        });
        Ok(json!(true))
    }

    fn delete_webhook(&mut self, p: &Params) -> Result<Value, ApiError> {
        if p.flag("drop_pending_updates") {
            self.queue.clear();
            self.redeliver.clear();
        }
        self.webhook = None;
        Ok(json!(true))
    }

    fn webhook_info(&self) -> Value {
        let mut info = json!({
            "url": "",
            "has_custom_certificate": false,
            "pending_update_count": self.pending_updates(),
        });
        if let (Some(hook), Value::Object(m)) = (&self.webhook, &mut info) {
            m.insert("url".into(), json!(hook.url));
            m.insert("ip_address".into(), json!("127.0.0.1"));
            m.insert("max_connections".into(), json!(hook.max_connections));
            if let Some(allowed) = &hook.allowed_updates {
                m.insert("allowed_updates".into(), json!(allowed));
            }
            if let Some((date, message)) = &hook.last_error {
                m.insert("last_error_date".into(), json!(date));
                m.insert("last_error_message".into(), json!(message));
            }
        }
        info
    }

    fn next_webhook_job(&self) -> Option<WebhookJob> {
        let hook = self.webhook.as_ref()?;
        let next = self.redeliver.front().or_else(|| self.queue.front())?;
        Some(WebhookJob {
            update_id: next.id,
            url: hook.url.clone(),
            secret_token: hook.secret_token.clone(),
            json: next.json.clone(),
        })
    }

    fn finish_webhook_job(&mut self, job: &WebhookJob, status: Option<u16>, error: Option<String>) {
        self.webhook_deliveries.push(WebhookDelivery {
            update_id: job.update_id,
            status,
            secret_token: job.secret_token.clone(),
        });
        match error {
            Some(message) => {
                let now = self.now;
                if let Some(hook) = &mut self.webhook {
                    hook.last_error = Some((now, message));
                }
            }
            None => {
                if self
                    .redeliver
                    .front()
                    .is_some_and(|q| q.id == job.update_id)
                {
                    self.redeliver.pop_front();
                } else if let Some(front) = self.queue.front_mut()
                    && front.id == job.update_id
                {
                    if front.duplicate {
                        front.duplicate = false;
                    } else {
                        self.queue.pop_front();
                    }
                }
            }
        }
    }

    // ----- updates ---------------------------------------------------------------------------

    /// Confirms updates below `offset` (a negative offset keeps only the last `-offset`).
    /// A confirmed update marked as duplicate is handed out once more.
    fn confirm(&mut self, offset: Option<i64>) {
        let drop_count = match offset {
            Some(o) if o > 0 => self.queue.iter().take_while(|q| q.id < o).count(),
            Some(o) if o < 0 => self
                .queue
                .len()
                .saturating_sub(usize::try_from(o.unsigned_abs()).unwrap_or(usize::MAX)),
            _ => 0,
        };
        for mut confirmed in self.queue.drain(..drop_count).collect::<Vec<_>>() {
            if confirmed.duplicate {
                confirmed.duplicate = false;
                self.redeliver.push_back(confirmed);
            }
        }
    }

    /// The next `getUpdates` answer: duplicates first (each only once), then the queue.
    fn take_batch(&mut self, limit: usize) -> Vec<Value> {
        let mut batch = Vec::new();
        while batch.len() < limit {
            match self.redeliver.pop_front() {
                Some(q) => batch.push(q.json),
                None => break,
            }
        }
        let room = limit - batch.len();
        batch.extend(self.queue.iter().take(room).map(|q| q.json.clone()));
        batch
    }

    /// Queues an update of `kind` unless the bot's `allowed_updates` excludes it.
    fn push_update(&mut self, kind: &str, payload: Value) -> i64 {
        let id = self.next_update_id;
        self.next_update_id += 1;
        let allowed = match &self.allowed_updates {
            Some(list) => list.iter().any(|k| k == kind),
            None => !matches!(
                kind,
                "chat_member" | "message_reaction" | "message_reaction_count"
            ),
        };
        if allowed {
            let mut json = Map::new();
            json.insert("update_id".into(), json!(id));
            json.insert(kind.into(), payload);
            self.enqueue(id, Value::Object(json));
        }
        id
    }

    fn enqueue(&mut self, id: i64, json: Value) {
        let duplicate = self.duplicates_left > 0;
        self.duplicates_left = self.duplicates_left.saturating_sub(1);
        self.queue.push_back(Queued {
            id,
            created: self.now,
            json,
            duplicate,
        });
    }

    fn push_raw(&mut self, mut update: Value) -> i64 {
        let given = update.get("update_id").and_then(Value::as_i64);
        let id = given.unwrap_or(self.next_update_id);
        self.next_update_id = self.next_update_id.max(id.saturating_add(1));
        if given.is_none()
            && let Value::Object(m) = &mut update
        {
            m.insert("update_id".into(), json!(id));
        }
        self.enqueue(id, update);
        id
    }

    fn media_payload(&mut self, kind: MediaKind, given_file_id: Option<&str>) -> Value {
        self.next_file += 1;
        let n = self.next_file;
        let file_id = given_file_id.map(str::to_owned).unwrap_or_else(|| {
            format!(
                "{}{n:06}Fake{:08x}",
                kind.file_id_prefix(),
                n.wrapping_mul(2_654_435_761)
            )
        });
        let unique = format!("AQAD{n:06}fake");
        match kind {
            MediaKind::Photo => json!([
                { "file_id": format!("{file_id}s"), "file_unique_id": format!("{unique}s"), "file_size": 1_234, "width": 90, "height": 90 },
                { "file_id": file_id, "file_unique_id": unique, "file_size": 45_678, "width": 800, "height": 800 },
            ]),
            MediaKind::Sticker => json!({
                "file_id": file_id, "file_unique_id": unique, "file_size": 20_000,
                "type": "regular", "width": 512, "height": 512,
                "is_animated": false, "is_video": false, "emoji": "🌷", "set_name": "FakeStickers",
            }),
            MediaKind::Voice => json!({
                "file_id": file_id, "file_unique_id": unique, "file_size": 9_000,
                "duration": 3, "mime_type": "audio/ogg",
            }),
            MediaKind::Document => json!({
                "file_id": file_id, "file_unique_id": unique, "file_size": 30_000,
                "file_name": "document.pdf", "mime_type": "application/pdf",
            }),
            MediaKind::Video | MediaKind::Animation => json!({
                "file_id": file_id, "file_unique_id": unique, "file_size": 300_000,
                "width": 640, "height": 360, "duration": 5, "mime_type": "video/mp4",
            }),
            MediaKind::Audio => json!({
                "file_id": file_id, "file_unique_id": unique, "file_size": 100_000,
                "duration": 60, "mime_type": "audio/mpeg",
            }),
            MediaKind::Location => json!({ "latitude": 0.0, "longitude": 0.0 }),
        }
    }

    // ----- what users do (push helpers; they panic on misuse, which is a broken test) --------

    fn registered_user(&mut self, user: &TgUser) {
        self.users.insert(user.id, user.clone());
        self.chats
            .entry(user.id)
            .or_insert_with(|| ChatRecord::new(ChatKind::Private(user.clone())));
    }

    fn push_user_message(
        &mut self,
        user: &TgUser,
        chat_id: i64,
        thread_id: Option<i32>,
        fill: impl FnOnce(&mut ChatMessage),
    ) -> i32 {
        if let Some(thread) = thread_id {
            let exists = self
                .chats
                .get(&chat_id)
                .is_some_and(|c| c.topics.contains_key(&thread));
            assert!(exists, "topic {thread} does not exist in chat {chat_id}");
        }
        let mut msg = self
            .new_message(chat_id, Some(user.to_json()))
            .unwrap_or_else(|_| panic!("chat {chat_id} does not exist in the fake Telegram"));
        self.place_in_thread(&mut msg, thread_id);
        fill(&mut msg);
        let id = msg.message_id;
        let json = self.store(msg);
        self.push_update("message", json);
        id
    }

    fn push_user_text(
        &mut self,
        user: &TgUser,
        chat_id: i64,
        thread_id: Option<i32>,
        text: &str,
    ) -> i32 {
        let text = text.to_owned();
        self.push_user_message(user, chat_id, thread_id, |msg| {
            msg.entities = command_entities(&text);
            msg.text = Some(text);
        })
    }

    fn push_user_media(&mut self, user: &TgUser, kind: MediaKind, media: Value) -> i32 {
        self.push_user_message(user, user.id, None, |msg| {
            msg.media = Some(kind);
            msg.media_json = Some(media);
        })
    }

    fn push_callback(
        &mut self,
        user: &TgUser,
        chat_id: i64,
        message_id: i32,
        data: &str,
    ) -> String {
        let msg = self
            .message(chat_id, message_id)
            .unwrap_or_else(|| panic!("message {message_id} is not visible in chat {chat_id}"));
        assert!(
            msg.button_data().contains(&data),
            "message {message_id} in chat {chat_id} has no button with callback data {data:?}; it has {:?}",
            msg.button_data()
        );
        let message = msg.to_json();
        self.next_callback += 1;
        let id = format!("{}", 4_000_000_000_000_000_000u64 + self.next_callback);
        self.callbacks.insert(id.clone(), false);
        self.push_update(
            "callback_query",
            json!({
                "id": id,
                "from": user.to_json(),
                "message": message,
                "chat_instance": format!("{}", -7_000_000_000_000_000_000i64 + chat_id),
                "data": data,
            }),
        );
        id
    }

    fn push_my_chat_member(&mut self, user: &TgUser, blocked: bool) -> i64 {
        let bot = Self::bot_user_json();
        let (old, new) = if blocked {
            (
                json!({ "user": bot, "status": "member" }),
                json!({ "user": bot, "status": "kicked", "until_date": 0 }),
            )
        } else {
            (
                json!({ "user": bot, "status": "kicked", "until_date": 0 }),
                json!({ "user": bot, "status": "member" }),
            )
        };
        let chat = self
            .chats
            .get(&user.id)
            .map(|c| c.to_json(user.id))
            .unwrap_or(Value::Null);
        self.push_update(
            "my_chat_member",
            json!({
                "chat": chat,
                "from": user.to_json(),
                "date": self.now,
                "old_chat_member": old,
                "new_chat_member": new,
            }),
        )
    }
}

/// `allowed_updates` as Telegram applies it: an empty list means "the default set".
fn allowed_list(items: &[String]) -> Vec<String> {
    if items.is_empty() {
        [
            "message",
            "edited_message",
            "channel_post",
            "edited_channel_post",
            "inline_query",
            "chosen_inline_result",
            "callback_query",
            "shipping_query",
            "pre_checkout_query",
            "poll",
            "poll_answer",
            "my_chat_member",
            "chat_join_request",
        ]
        .map(str::to_owned)
        .to_vec()
    } else {
        items.to_vec()
    }
}

// ---------------------------------------------------------------------------------------------
// Text, markup, encodings
// ---------------------------------------------------------------------------------------------

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn check_text(text: &str, is_edit: bool) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(bad("message text is empty"));
    }
    if utf16_len(text) > MAX_TEXT_UTF16 {
        // editMessageText reports the limit differently from sendMessage.
        return Err(bad(if is_edit {
            "MESSAGE_TOO_LONG"
        } else {
            "message is too long"
        }));
    }
    Ok(())
}

fn check_caption(caption: Option<&str>) -> Result<(), ApiError> {
    match caption {
        Some(c) if utf16_len(c) > MAX_CAPTION_UTF16 => Err(bad("message caption is too long")),
        _ => Ok(()),
    }
}

/// `entities`/`caption_entities` of a call; Telegram ignores them when `parse_mode` is set.
fn entities_param(p: &Params, key: &str, parse_mode: Option<&str>) -> Result<Vec<Value>, ApiError> {
    if parse_mode.is_some() {
        return Ok(Vec::new());
    }
    match p.json(key)? {
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(bad(format_args!("can't parse {key} JSON object"))),
        None => Ok(Vec::new()),
    }
}

/// A `bot_command` entity for text that starts with a command, as Telegram adds one.
fn command_entities(text: &str) -> Vec<Value> {
    if !text.starts_with('/') {
        return Vec::new();
    }
    let command = text.split_whitespace().next().unwrap_or_default();
    vec![json!({ "type": "bot_command", "offset": 0, "length": utf16_len(command) })]
}

/// The text she reads: HTML tags and Markdown markers removed, entities decoded.
fn displayed_text(raw: &str, parse_mode: Option<&str>) -> String {
    match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        Some("html") => strip_html(raw),
        Some("markdownv2" | "markdown") => strip_markdown(raw),
        _ => raw.to_owned(),
    }
}

fn strip_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_tag = false;
    for c in raw.chars() {
        match (c, in_tag) {
            ('<', false) => in_tag = true,
            ('>', true) => in_tag = false,
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn strip_markdown(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut in_link_url = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next()
                    && !in_link_url
                {
                    out.push(next);
                }
            }
            ']' if chars.peek() == Some(&'(') => {
                chars.next();
                in_link_url = true;
            }
            ')' if in_link_url => in_link_url = false,
            _ if in_link_url => {}
            '*' | '_' | '~' | '|' | '`' | '[' => {}
            c => out.push(c),
        }
    }
    out
}

/// Parses and validates `reply_markup` the way Telegram does for the parts the bot uses.
fn parse_markup(p: &Params) -> Result<Markup, ApiError> {
    const UNPARSABLE: &str = "can't parse reply keyboard markup JSON object";
    let Some(markup) = p.json("reply_markup")? else {
        return Ok(Markup::default());
    };
    if let Some(rows) = markup.get("inline_keyboard") {
        let rows = rows.as_array().ok_or_else(|| bad(UNPARSABLE))?;
        let mut buttons = Vec::new();
        let mut json_rows = Vec::new();
        for row in rows {
            let row = row.as_array().ok_or_else(|| bad(UNPARSABLE))?;
            let mut parsed = Vec::new();
            for button in row {
                let label = button
                    .get("text")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad(UNPARSABLE))?
                    .to_owned();
                let callback_data = button
                    .get("callback_data")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let url = button.get("url").and_then(Value::as_str).map(str::to_owned);
                if let Some(data) = &callback_data
                    && (data.is_empty() || data.len() > MAX_CALLBACK_DATA_BYTES)
                {
                    return Err(bad("BUTTON_DATA_INVALID"));
                }
                if let Some(url) = &url
                    && url::Url::parse(url).is_err()
                {
                    return Err(bad("BUTTON_URL_INVALID"));
                }
                let has_action = callback_data.is_some()
                    || url.is_some()
                    || [
                        "copy_text",
                        "web_app",
                        "login_url",
                        "switch_inline_query",
                        "pay",
                    ]
                    .iter()
                    .any(|k| button.get(*k).is_some());
                if !has_action {
                    return Err(bad(
                        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                    ));
                }
                parsed.push(Button {
                    label,
                    callback_data,
                    url,
                });
            }
            json_rows.push(Value::Array(row.clone()));
            buttons.push(parsed);
        }
        return Ok(Markup {
            buttons,
            inline_json: Some(json!({ "inline_keyboard": json_rows })),
            ..Markup::default()
        });
    }
    if let Some(rows) = markup.get("keyboard") {
        let rows = rows.as_array().ok_or_else(|| bad(UNPARSABLE))?;
        let mut keyboard = Vec::new();
        for row in rows {
            let row = row.as_array().ok_or_else(|| bad(UNPARSABLE))?;
            let labels = row
                .iter()
                .map(|b| match b {
                    Value::String(s) => Some(s.clone()),
                    other => other.get("text").and_then(Value::as_str).map(str::to_owned),
                })
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad(UNPARSABLE))?;
            keyboard.push(labels);
        }
        return Ok(Markup {
            reply_keyboard: keyboard,
            ..Markup::default()
        });
    }
    if markup.get("remove_keyboard").is_some() {
        return Ok(Markup {
            removes_keyboard: true,
            ..Markup::default()
        });
    }
    if markup.get("force_reply").is_some() {
        return Ok(Markup::default());
    }
    Err(bad(UNPARSABLE))
}

/// JSON with object keys sorted, so equal scopes compare equal whatever their key order.
fn canonical_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(m) => {
                let ordered: BTreeMap<&String, Value> =
                    m.iter().map(|(k, v)| (k, sorted(v))).collect();
                Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// Merges query string and body parameters (the body wins), whatever the body's encoding.
fn parse_params(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Params, ApiError> {
    let mut params = Map::new();
    if let Some(query) = query {
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            params.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Params(params));
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let boundary = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| {
                ct.split(';')
                    .find_map(|part| part.trim().strip_prefix("boundary="))
            })
            .map(|b| b.trim_matches('"').to_owned())
            .ok_or_else(|| bad("can't parse multipart/form-data request"))?;
        params.extend(parse_multipart(body, &boundary)?);
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(body) {
            params.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => params.extend(m),
            _ => return Err(bad("can't parse JSON")), // unverified text
        }
    }
    Ok(Params(params))
}

/// A small multipart/form-data reader: text fields become strings, uploaded files become
/// `attach://<filename>` markers (their bytes are not kept).
fn parse_multipart(body: &[u8], boundary: &str) -> Result<Map<String, Value>, ApiError> {
    let malformed = || bad("can't parse multipart/form-data request");
    let delimiter = format!("--{boundary}").into_bytes();
    let mut fields = Map::new();
    let mut parts = split_bytes(body, &delimiter).into_iter().skip(1);
    for part in parts.by_ref() {
        if part.starts_with(b"--") {
            return Ok(fields);
        }
        let part = part.strip_prefix(b"\r\n").ok_or_else(malformed)?;
        let header_end = find_bytes(part, b"\r\n\r\n").ok_or_else(malformed)?;
        let headers = String::from_utf8_lossy(&part[..header_end]);
        let content = &part[header_end + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let disposition = headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .ok_or_else(malformed)?;
        let attribute = |name: &str| {
            disposition.split(';').find_map(|a| {
                a.trim()
                    .strip_prefix(name)
                    .and_then(|v| v.strip_prefix('='))
                    .map(|v| v.trim_matches('"').to_owned())
            })
        };
        let name = attribute("name").ok_or_else(malformed)?;
        let value = match attribute("filename") {
            Some(filename) => format!("attach://{filename}"),
            None => String::from_utf8_lossy(content).into_owned(),
        };
        fields.insert(name, Value::String(value));
    }
    Err(malformed())
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(mut haystack: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    while let Some(at) = find_bytes(haystack, delimiter) {
        pieces.push(&haystack[..at]);
        haystack = &haystack[at + delimiter.len()..];
    }
    pieces.push(haystack);
    pieces
}

/// Splits `/bot<token>/<method>` into token and method.
fn split_path(path: &str) -> Option<(String, String)> {
    let (first, method) = path.strip_prefix('/')?.split_once('/')?;
    let token = percent_decode(first.strip_prefix("bot")?);
    (!method.is_empty() && !method.contains('/')).then(|| (token, method.to_owned()))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

struct Shared {
    state: Mutex<TelegramState>,
    /// Woken after every change: long polls, the webhook sender and `wait_for` re-check.
    changed: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, TelegramState> {
        // A test that panicked inside `wait_for` poisons the lock; the state is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update<T>(&self, change: impl FnOnce(&mut TelegramState) -> T) -> T {
        let result = change(&mut self.lock());
        self.changed.notify_waiters();
        result
    }
}

/// Counts a long poll as waiting for as long as it is in flight, even if the client goes away.
struct PollGuard<'a>(&'a Shared);

impl<'a> PollGuard<'a> {
    fn new(shared: &'a Shared) -> Self {
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

fn reply(result: &Result<Value, ApiError>) -> Response {
    match result {
        Ok(value) => Json(json!({ "ok": true, "result": value })).into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.code).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(e.body())).into_response()
        }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((token, method)) = split_path(uri.path()) else {
        let result = Err(not_found());
        shared.update(|st| st.record(uri.path(), &Params(Map::new()), &result));
        return reply(&result);
    };
    let params = match parse_params(uri.query(), &headers, &body) {
        Ok(params) => params,
        Err(e) => {
            let result = Err(e);
            shared.update(|st| st.record(&method, &Params(Map::new()), &result));
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
        let result = get_updates(&shared, &params).await;
        shared.update(|st| st.record(&method, &params, &result));
        result
    } else {
        shared.update(|st| {
            let result = st.dispatch(&lower, &params);
            st.record(&method, &params, &result);
            result
        })
    };
    reply(&result)
}

async fn get_updates(shared: &Shared, p: &Params) -> Result<Value, ApiError> {
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
            let batch = st.take_batch(limit);
            if !batch.is_empty() || st.shutting_down || Instant::now() >= deadline {
                return Ok(Value::Array(batch));
            }
        }
        let _ = tokio::time::timeout_at(deadline, changed).await;
    }
}

/// Sends queued updates to the webhook one at a time, retrying failures after a delay.
async fn deliver_webhooks(shared: Arc<Shared>, stop: CancellationToken) {
    let client = reqwest::Client::new();
    loop {
        let job = loop {
            let mut changed = pin!(shared.changed.notified());
            changed.as_mut().enable();
            if let Some(job) = shared.lock().next_webhook_job() {
                break job;
            }
            tokio::select! {
                () = stop.cancelled() => return,
                () = changed => {}
            }
        };
        let mut request = client
            .post(&job.url)
            .timeout(WEBHOOK_TIMEOUT)
            .json(&job.json);
        if let Some(secret) = &job.secret_token {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        let (status, error) = tokio::select! {
            () = stop.cancelled() => return,
            response = request.send() => match response {
                Ok(r) if r.status().is_success() => (Some(r.status().as_u16()), None),
                Ok(r) => (
                    Some(r.status().as_u16()),
                    Some(format!("Wrong response from the webhook: {}", r.status())),
                ),
                Err(e) => (None, Some(format!("Connection failed: {e}"))),
            },
        };
        let failed = error.is_some();
        let delay = shared.update(|st| {
            st.finish_webhook_job(&job, status, error);
            st.webhook_retry_delay
        });
        if failed {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(delay) => {}
            }
        }
    }
}

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
        let shared = Arc::new(Shared {
            state: Mutex::new(TelegramState::new()),
            changed: Notify::new(),
        });
        let stop = CancellationToken::new();
        let app = Router::new()
            .fallback(handle)
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
        let webhook = tokio::spawn(deliver_webhooks(Arc::clone(&shared), stop.clone()));
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
            msg.entities = command_entities(text);
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
