//! The Bot API methods the fake answers, with Telegram's validations and error texts.

use serde_json::{Value, json};

use std::collections::HashSet;

use super::state::{
    ChatKind, ChatRecord, DeliveryQueue, TelegramState, Webhook, WebhookJob, allowed_list,
    canonical_json, delivery_queue,
};
use super::wire::{
    ApiError, Markup, Params, api_error, bad, check_caption, check_text, displayed_text,
    entities_param, not_found, parse_markup,
};
use super::*;

impl TelegramState {
    // ----- dispatch --------------------------------------------------------------------------

    /// Answers one method call (all but `getUpdates`, which waits outside the lock).
    pub(super) fn dispatch(&mut self, method: &str, p: &Params) -> Result<Value, ApiError> {
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

    pub(super) fn record(
        &mut self,
        method: &str,
        params: &Params,
        result: &Result<Value, ApiError>,
    ) {
        if let Some(watch) = &self.reply_watch {
            let edit = method.eq_ignore_ascii_case("editMessageText");
            let copy = method.eq_ignore_ascii_case("copyMessage");
            if edit || copy || method.eq_ignore_ascii_case("sendMessage") {
                let answered = match result {
                    Ok(value) => value.get("message_id").and_then(Value::as_i64),
                    Err(_) => None,
                };
                let source = copy
                    .then(|| {
                        let chat = params.int("from_chat_id").ok().flatten()?;
                        let id = params.int("message_id").ok().flatten()?;
                        Some((chat, i32::try_from(id).ok()?))
                    })
                    .flatten();
                let message_id = answered
                    .or_else(|| params.int("message_id").ok().flatten())
                    .and_then(|id| i32::try_from(id).ok());
                let call = ReplyCall {
                    chat_id: params.int("chat_id").ok().flatten(),
                    message_id,
                    edit,
                    source,
                    ok: result.is_ok(),
                    at: std::time::Instant::now(),
                };
                if watch.send(call).is_err() {
                    self.reply_watch = None;
                }
            }
        }
        if !self.keep_calls {
            return;
        }
        let (status, response) = match result {
            Ok(value) => (200, json!({ "ok": true, "result": value })),
            Err(e) => (e.code, e.body()),
        };
        self.calls.push(Call {
            method: method.to_owned(),
            params: params.to_json(),
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

    pub(super) fn bot_user_json() -> Value {
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
    pub(super) fn new_message(
        &mut self,
        chat_id: i64,
        from: Option<Value>,
    ) -> Result<ChatMessage, ApiError> {
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
            location_buttons: Vec::new(),
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
    pub(super) fn place_in_thread(&self, msg: &mut ChatMessage, thread_id: Option<i32>) {
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

    pub(super) fn store(&mut self, msg: ChatMessage) -> Value {
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
        msg.location_buttons = markup.location_buttons;
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

    /// The oldest update whose delivery queue is free, marked in flight; `None` when every
    /// queue with updates is busy, or `max_connections` updates are already in flight.
    pub(super) fn next_webhook_job(&mut self) -> Option<WebhookJob> {
        let hook = self.webhook.as_ref()?;
        if self.webhook_in_flight.len() >= hook.max_connections.max(1) as usize {
            return None;
        }
        // Earlier updates of a queue go first: a queue seen once (busy or not) is passed over.
        let mut seen = HashSet::new();
        let next = self.redeliver.iter().chain(self.queue.iter()).find(|q| {
            let queue = delivery_queue(q.id, &q.json);
            seen.insert(queue) && !self.webhook_busy.contains(&queue)
        })?;
        let job = WebhookJob {
            update_id: next.id,
            queue: delivery_queue(next.id, &next.json),
            url: hook.url.clone(),
            secret_token: hook.secret_token.clone(),
            json: next.json.clone(),
        };
        self.webhook_in_flight.insert(job.update_id);
        self.webhook_busy.insert(job.queue);
        Some(job)
    }

    /// Notes how a delivery went. A 2xx answer forgets the update (a duplicate is sent once
    /// more first) and frees its queue; a failure keeps it first in its queue, which stays busy
    /// until [`Self::release_webhook_queue`] after the retry delay.
    pub(super) fn finish_webhook_job(
        &mut self,
        job: &WebhookJob,
        status: Option<u16>,
        error: Option<String>,
    ) {
        self.webhook_deliveries.push(WebhookDelivery {
            update_id: job.update_id,
            status,
            secret_token: job.secret_token.clone(),
        });
        self.webhook_in_flight.remove(&job.update_id);
        match error {
            Some(message) => {
                let now = self.now;
                if let Some(hook) = &mut self.webhook {
                    hook.last_error = Some((now, message));
                }
            }
            None => {
                if let Some(at) = self.redeliver.iter().position(|q| q.id == job.update_id) {
                    self.redeliver.remove(at);
                } else if let Some(at) = self.queue.iter().position(|q| q.id == job.update_id) {
                    if self.queue[at].duplicate {
                        self.queue[at].duplicate = false;
                    } else {
                        self.queue.remove(at);
                    }
                }
                self.webhook_busy.remove(&job.queue);
            }
        }
    }

    /// A failed delivery's queue may send again (its retry delay is over).
    pub(super) fn release_webhook_queue(&mut self, queue: DeliveryQueue) {
        self.webhook_busy.remove(&queue);
    }
}
