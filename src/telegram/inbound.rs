//! What arrives from Telegram, reduced to what the conversation needs. Names, usernames and
//! anything else about her are dropped here and never travel further.

use teloxide::types::{ChatMemberKind, Update, UpdateKind};

use crate::conversation::{Command, Input};
use crate::telegram::desk::{GroupButton, GroupMessage};

/// One update from a woman in a private chat with the bot.
#[derive(Debug)]
pub struct Incoming {
    pub update_id: i64,
    pub user_id: i64,
    pub chat_id: i64,
    /// Telegram's `language_code`: only used to pick the first language of a new session.
    pub language: Option<String>,
    pub event: Event,
    /// A staff command (`/admin`, a staff invite) for [`crate::admin`], which the adapter offers
    /// to the admin before the core; the core sees it only if the admin declines.
    pub staff: Option<crate::admin::StaffCommand>,
}

#[derive(Debug)]
pub enum Event {
    /// Something she did: a message (with its id, kept 48 hours for quick exit) or a button.
    Input {
        input: Input,
        message_id: Option<i32>,
        callback: Option<Callback>,
    },
    /// She blocked the bot: nothing more may be sent, and nothing about her kept.
    Blocked,
    /// A button whose message is not in her private chat: forged, or from another conversation.
    /// Answered so the spinner stops, otherwise ignored.
    Stray(Callback),
    /// `/online` or `/offline` in a private chat: a consultant's shift, if she is staff (for
    /// anyone else the core answers as to any unknown command).
    Shift { online: bool, message_id: i32 },
    /// A message in a group (the staff group, if it is that one).
    Group(GroupMessage),
    /// A button pressed in a group (Take).
    GroupButton(GroupButton),
}

#[derive(Debug)]
pub struct Callback {
    pub id: String,
    /// The message the button was on, when it is still accessible.
    pub message_id: Option<i32>,
    /// That message was sent with `protect_content` (emergency numbers, a red-flag banner, a
    /// check result, her plan): it is never edited into something else.
    pub protected: bool,
}

/// The longest text passed to the core; Telegram allows 4096 characters, and nothing the core
/// does needs more than a few words.
const MAX_TEXT: usize = 4096;

/// Reads an update: her private chat, staff commands, and the staff group's messages and
/// buttons. `None` for everything else (channels, other bots, edits, inline queries…), which is
/// dropped without a trace.
pub fn parse(update: &Update) -> Option<Incoming> {
    let update_id = i64::from(update.id.0);
    match &update.kind {
        UpdateKind::Message(message) => {
            let user = message.from.as_ref()?;
            if user.is_bot {
                return None;
            }
            if message.chat.is_group() || message.chat.is_supergroup() {
                return Some(Incoming {
                    update_id,
                    user_id: i64::try_from(user.id.0).ok()?,
                    chat_id: message.chat.id.0,
                    language: None,
                    staff: None,
                    event: Event::Group(GroupMessage {
                        chat_id: message.chat.id.0,
                        thread_id: message
                            .thread_id
                            .filter(|_| message.is_topic_message)
                            .map(|t| t.0.0),
                        message_id: message.id.0,
                        from: i64::try_from(user.id.0).ok()?,
                        command: message.text().and_then(group_command),
                    }),
                });
            }
            if !message.chat.is_private() {
                return None;
            }
            if let Some(online) = message.text().and_then(shift_command) {
                return Some(Incoming {
                    update_id,
                    user_id: i64::try_from(user.id.0).ok()?,
                    chat_id: message.chat.id.0,
                    language: user.language_code.clone(),
                    staff: None,
                    event: Event::Shift {
                        online,
                        message_id: message.id.0,
                    },
                });
            }
            let input = message_input(message);
            Some(Incoming {
                update_id,
                user_id: i64::try_from(user.id.0).ok()?,
                chat_id: message.chat.id.0,
                language: user.language_code.clone(),
                event: Event::Input {
                    input,
                    message_id: Some(message.id.0),
                    callback: None,
                },
                staff: message.text().and_then(crate::admin::StaffCommand::parse),
            })
        }
        UpdateKind::CallbackQuery(query) => {
            let user_id = i64::try_from(query.from.id.0).ok()?;
            let message = query.message.as_ref();
            // A button of a private chat always sits in her own chat. Anything else is forged or
            // belongs to another conversation: answered, and otherwise ignored.
            let chat_id = match message {
                Some(m) if m.chat().is_private() && m.chat().id.0 == user_id => m.chat().id.0,
                Some(m) if m.chat().is_group() || m.chat().is_supergroup() => {
                    return Some(Incoming {
                        update_id,
                        user_id,
                        chat_id: m.chat().id.0,
                        language: None,
                        staff: None,
                        event: Event::GroupButton(GroupButton {
                            chat_id: m.chat().id.0,
                            from: user_id,
                            callback_id: query.id.0.clone(),
                            message_id: m.id().0,
                            data: query
                                .data
                                .clone()
                                .unwrap_or_default()
                                .chars()
                                .take(64)
                                .collect(),
                        }),
                    });
                }
                Some(_) => return Some(ignored_callback(update_id, user_id, query)),
                None => user_id,
            };
            let data = query.data.clone().unwrap_or_default();
            Some(Incoming {
                update_id,
                user_id,
                chat_id,
                language: query.from.language_code.clone(),
                event: Event::Input {
                    input: Input::Button(data.chars().take(64).collect()),
                    message_id: None,
                    callback: Some(Callback {
                        id: query.id.0.clone(),
                        message_id: message.map(|m| m.id().0),
                        protected: message
                            .and_then(|m| m.regular_message())
                            .is_some_and(|m| m.has_protected_content()),
                    }),
                },
                staff: None,
            })
        }
        UpdateKind::MyChatMember(change) => {
            if !change.chat.is_private() {
                return None;
            }
            let blocked = matches!(
                change.new_chat_member.kind,
                ChatMemberKind::Banned(_) | ChatMemberKind::Left
            );
            if !blocked {
                return None;
            }
            Some(Incoming {
                update_id,
                user_id: i64::try_from(change.from.id.0).ok()?,
                chat_id: change.chat.id.0,
                language: None,
                event: Event::Blocked,
                staff: None,
            })
        }
        _ => None,
    }
}

/// A callback whose message is in another chat: answered so her spinner stops, nothing else.
fn ignored_callback(
    update_id: i64,
    user_id: i64,
    query: &teloxide::types::CallbackQuery,
) -> Incoming {
    Incoming {
        update_id,
        user_id,
        chat_id: user_id,
        language: None,
        event: Event::Stray(Callback {
            id: query.id.0.clone(),
            message_id: None,
            protected: false,
        }),
        staff: None,
    }
}

/// `/name@bot rest` in a group: the command's name in lowercase and the rest. Anything else
/// (free text) is not read at all.
fn group_command(text: &str) -> Option<(String, String)> {
    let rest = text.trim().strip_prefix('/')?;
    let (head, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let name = head
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    Some((name, tail.trim().chars().take(64).collect()))
}

/// `/online` → true, `/offline` → false.
fn shift_command(text: &str) -> Option<bool> {
    match group_command(text)?.0.as_str() {
        "online" => Some(true),
        "offline" => Some(false),
        _ => None,
    }
}

fn message_input(message: &teloxide::types::Message) -> Input {
    if let Some(text) = message.text() {
        if text.chars().count() > MAX_TEXT {
            return Input::Text(String::new());
        }
        return match Command::parse(text) {
            Some(c) => Input::Command(c),
            None => Input::Text(text.to_owned()),
        };
    }
    if let Some(location) = message.location() {
        return Input::Location {
            latitude: location.latitude,
            longitude: location.longitude,
        };
    }
    // Stickers, photos, voice, documents, contacts…: the core answers kindly; nothing is kept.
    Input::Other
}
