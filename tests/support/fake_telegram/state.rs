//! What the fake knows: chats and their messages, the update queue, webhook, callbacks, bot
//! profile and fault settings, plus what users do (the push helpers behind [`super::FakeTelegram`]).

use std::{
    collections::{BTreeMap, HashMap, HashSet, VecDeque},
    time::Duration,
};

use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::wire::{ApiError, command_entities, too_many_requests};
use super::{
    AnsweredCallback, BotRights, Call, ChatMessage, ForumTopicInfo, MediaKind, MemberStatus,
    ReplyCall, START_TIME, TgUser, WEBHOOK_TIMEOUT, WebhookDelivery,
};

/// Which webhook queue an update waits in. Telegram sends the updates of one queue one at a
/// time, each only after the previous one was answered, and different queues concurrently. As
/// in telegram-bot-api, an update about a chat (a message, an edit, a member change) is queued
/// by that chat, a callback query by who pressed the button, and anything else by its sender;
/// an update naming nobody has a queue of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum DeliveryQueue {
    Chat(i64),
    User(i64),
    Alone(i64),
}

pub(super) fn delivery_queue(update_id: i64, json: &Value) -> DeliveryQueue {
    let Value::Object(update) = json else {
        return DeliveryQueue::Alone(update_id);
    };
    for (kind, payload) in update {
        if kind == "update_id" {
            continue;
        }
        if kind != "callback_query"
            && let Some(chat) = payload.pointer("/chat/id").and_then(Value::as_i64)
        {
            return DeliveryQueue::Chat(chat);
        }
        if let Some(user) = payload.pointer("/from/id").and_then(Value::as_i64) {
            return DeliveryQueue::User(user);
        }
    }
    DeliveryQueue::Alone(update_id)
}

pub(super) enum ChatKind {
    Private(TgUser),
    Supergroup { title: String, is_forum: bool },
}

pub(super) struct ChatRecord {
    pub(super) kind: ChatKind,
    pub(super) messages: BTreeMap<i32, ChatMessage>,
    pub(super) next_message_id: i32,
    pub(super) deleted: Vec<i32>,
    pub(super) blocked: bool,
    pub(super) auto_delete: Option<u32>,
    pub(super) members: BTreeMap<i64, MemberStatus>,
    pub(super) bot_rights: BotRights,
    pub(super) topics: BTreeMap<i32, ForumTopicInfo>,
}

impl ChatRecord {
    pub(super) fn new(kind: ChatKind) -> Self {
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

    pub(super) fn to_json(&self, id: i64) -> Value {
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

    pub(super) fn is_forum(&self) -> bool {
        matches!(self.kind, ChatKind::Supergroup { is_forum: true, .. })
    }

    pub(super) fn is_private(&self) -> bool {
        matches!(self.kind, ChatKind::Private(_))
    }
}

pub(super) struct Queued {
    pub(super) id: i64,
    pub(super) created: i64,
    pub(super) json: Value,
    /// `json` serialized once, so a `getUpdates` without call history (a load test) answers
    /// by copying text instead of copying and serializing the update at every poll.
    pub(super) text: String,
    /// Deliver this update once more after it was confirmed or acknowledged.
    pub(super) duplicate: bool,
}

pub(super) struct Webhook {
    pub(super) url: String,
    pub(super) secret_token: Option<String>,
    pub(super) max_connections: u32,
    pub(super) allowed_updates: Option<Vec<String>>,
    pub(super) last_error: Option<(i64, String)>,
}

pub(super) struct WebhookJob {
    pub(super) update_id: i64,
    /// The delivery queue the update belongs to (see [`delivery_queue`]).
    pub(super) queue: DeliveryQueue,
    pub(super) url: String,
    pub(super) secret_token: Option<String>,
    pub(super) json: Value,
}

/// Seeded flood control: which send-type calls get a 429, and how long each chat must wait.
pub(super) struct FloodControl {
    pub(super) rate: f64,
    pub(super) retry_after: u32,
    pub(super) unit: Duration,
    pub(super) rng: u64,
    pub(super) blocked_until: HashMap<i64, Instant>,
}

impl FloodControl {
    pub(super) fn new() -> Self {
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

    pub(super) fn check(&mut self, chat_id: i64) -> Result<(), ApiError> {
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

/// Everything the fake knows. Tests read it through [`super::FakeTelegram::wait_for`] and the
/// inspection methods; only the server and the push helpers change it.
pub struct TelegramState {
    pub(super) now: i64,
    pub(super) next_update_id: i64,
    pub(super) queue: VecDeque<Queued>,
    pub(super) redeliver: VecDeque<Queued>,
    pub(super) allowed_updates: Option<Vec<String>>,
    pub(super) duplicates_left: u32,
    pub(super) poll_generation: u64,
    pub(super) waiting_polls: usize,
    pub(super) webhook: Option<Webhook>,
    pub(super) webhook_retry_delay: Duration,
    pub(super) webhook_deliveries: Vec<WebhookDelivery>,
    /// How long a webhook POST may take before it counts as failed and is sent again.
    pub(super) webhook_timeout: Duration,
    /// Updates being POSTed right now (at most the webhook's `max_connections`).
    pub(super) webhook_in_flight: HashSet<i64>,
    /// Delivery queues with an update in flight, or waiting out the retry delay after a
    /// failure: nothing more of theirs is sent until then.
    pub(super) webhook_busy: HashSet<DeliveryQueue>,
    pub(super) users: BTreeMap<i64, TgUser>,
    pub(super) chats: BTreeMap<i64, ChatRecord>,
    pub(super) next_group: i64,
    pub(super) calls: Vec<Call>,
    pub(super) callbacks: HashMap<String, bool>,
    pub(super) next_callback: u64,
    pub(super) answered: Vec<AnsweredCallback>,
    pub(super) commands: BTreeMap<(String, String), Vec<(String, String)>>,
    pub(super) descriptions: BTreeMap<String, String>,
    pub(super) short_descriptions: BTreeMap<String, String>,
    pub(super) flood: FloodControl,
    pub(super) next_file: u64,
    pub(super) shutting_down: bool,
    /// Keep every call in `calls` (the default). Load tests turn this off: the history grows
    /// with every call and cloning each call's parameters costs time the bot should get.
    pub(super) keep_calls: bool,
    /// Told of every `sendMessage` and `editMessageText` the moment it is answered.
    pub(super) reply_watch: Option<tokio::sync::mpsc::UnboundedSender<ReplyCall>>,
    /// Someone who presses a button the moment it appears (see `FakeTelegram::press_on_sight`).
    pub(super) quick_hand: Option<QuickHand>,
}

/// A press made the moment the bot sends a message with a button whose data starts with
/// `prefix` into `chat_id`, while the bot's answer to that send is held back by `hold`.
pub(super) struct QuickHand {
    pub(super) user: TgUser,
    pub(super) chat_id: i64,
    pub(super) prefix: String,
    pub(super) hold: Duration,
}

impl TelegramState {
    pub(super) fn new() -> Self {
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
            webhook_timeout: WEBHOOK_TIMEOUT,
            webhook_in_flight: HashSet::new(),
            webhook_busy: HashSet::new(),
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
            keep_calls: true,
            reply_watch: None,
            quick_hand: None,
        }
    }

    /// After a `sendMessage` was answered `result`: the quick hand presses its button if this
    /// is the message it waits for, and says how long to hold the answer back.
    pub(super) fn quick_press(&mut self, result: &Value) -> Option<Duration> {
        let hand = self.quick_hand.as_ref()?;
        if result["chat"]["id"].as_i64() != Some(hand.chat_id) {
            return None;
        }
        let message_id = i32::try_from(result["message_id"].as_i64()?).ok()?;
        let data = result["reply_markup"]["inline_keyboard"]
            .as_array()?
            .iter()
            .flat_map(|row| row.as_array().into_iter().flatten())
            .filter_map(|button| button["callback_data"].as_str())
            .find(|data| data.starts_with(&hand.prefix))?
            .to_owned();
        let hand = self.quick_hand.take()?;
        self.push_callback(&hand.user, hand.chat_id, message_id, &data);
        Some(hand.hold)
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

    /// The id of the newest update queued so far (pushed by a user or as a raw update).
    pub fn newest_update_id(&self) -> i64 {
        self.next_update_id - 1
    }

    /// Whether `update_id` still waits to be confirmed by `getUpdates` (or acknowledged by the
    /// webhook), or to be delivered once more as a duplicate.
    pub fn is_pending(&self, update_id: i64) -> bool {
        self.queue
            .iter()
            .chain(self.redeliver.iter())
            .any(|q| q.id == update_id)
    }
}

impl TelegramState {
    // ----- updates ---------------------------------------------------------------------------

    /// Confirms updates below `offset` (a negative offset keeps only the last `-offset`).
    /// A confirmed update marked as duplicate is handed out once more.
    pub(super) fn confirm(&mut self, offset: Option<i64>) {
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
    pub(super) fn take_batch(&mut self, limit: usize) -> Vec<Value> {
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

    /// [`Self::take_batch`] as the JSON text of the array, and how many updates it holds.
    pub(super) fn take_batch_text(&mut self, limit: usize) -> (usize, String) {
        let mut texts: Vec<String> = Vec::new();
        while texts.len() < limit {
            match self.redeliver.pop_front() {
                Some(q) => texts.push(q.text),
                None => break,
            }
        }
        let room = limit - texts.len();
        let queued: Vec<&str> = self
            .queue
            .iter()
            .take(room)
            .map(|q| q.text.as_str())
            .collect();
        let count = texts.len() + queued.len();
        let all: Vec<&str> = texts.iter().map(String::as_str).chain(queued).collect();
        (count, format!("[{}]", all.join(",")))
    }

    /// Queues an update of `kind` unless the bot's `allowed_updates` excludes it.
    pub(super) fn push_update(&mut self, kind: &str, payload: Value) -> i64 {
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
            text: json.to_string(),
            json,
            duplicate,
        });
    }

    pub(super) fn push_raw(&mut self, mut update: Value) -> i64 {
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

    pub(super) fn media_payload(&mut self, kind: MediaKind, given_file_id: Option<&str>) -> Value {
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

    pub(super) fn registered_user(&mut self, user: &TgUser) {
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

    pub(super) fn push_user_text(
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

    pub(super) fn push_user_media(&mut self, user: &TgUser, kind: MediaKind, media: Value) -> i32 {
        self.push_user_media_in(user, user.id, None, kind, media)
    }

    pub(super) fn push_user_media_in(
        &mut self,
        user: &TgUser,
        chat_id: i64,
        thread_id: Option<i32>,
        kind: MediaKind,
        media: Value,
    ) -> i32 {
        self.push_user_message(user, chat_id, thread_id, |msg| {
            msg.media = Some(kind);
            msg.media_json = Some(media);
        })
    }

    pub(super) fn push_callback(
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

    pub(super) fn push_my_chat_member(&mut self, user: &TgUser, blocked: bool) -> i64 {
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
pub(super) fn allowed_list(items: &[String]) -> Vec<String> {
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

/// JSON with object keys sorted, so equal scopes compare equal whatever their key order.
pub(super) fn canonical_json(value: &Value) -> String {
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
