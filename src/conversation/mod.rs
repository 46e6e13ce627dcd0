//! The conversation core: `(session, input) -> (session, reply)`, with no Telegram, database or
//! clock inside. The Telegram adapter, the terminal simulator and the tests all feed it [`Input`]s
//! and render its [`Reply`]s, so they can never disagree.

mod engine;
mod render;
mod services;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::{CountryCode, Form, Id, Locale, PlanItem, RedFlag};

pub use engine::{ENGINE_MESSAGES, OPENING_MESSAGES, derived_messages};
pub use services::{Browse, SERVICES_MESSAGES, SERVICES_OPENING_MESSAGES, Stage, World};

/// Bumped whenever [`Session`] changes shape; an unknown version is replaced by a fresh session
/// rather than misread.
pub const SESSION_VERSION: u16 = 1;

/// Everything the core remembers about one woman between two inputs. Small on purpose: it is
/// stored (encrypted) after every update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub version: u16,
    pub locale: Locale,
    /// She chose the language herself (or a deep link did): onboarding does not ask again.
    #[serde(default)]
    pub locale_chosen: bool,
    #[serde(default)]
    pub country: Option<CountryCode>,
    #[serde(default)]
    pub country_chosen: bool,
    /// Send everything with `disable_notification`.
    #[serde(default)]
    pub silent: bool,
    #[serde(default)]
    pub at: Option<Position>,
    /// A red flag was seen: a hand-off from here on is urgent.
    #[serde(default)]
    pub urgent: bool,
    /// Answers of the flow in progress; forgotten when the flow is left.
    #[serde(default)]
    pub forms: BTreeSet<Form>,
    #[serde(default)]
    pub red_flags: BTreeSet<RedFlag>,
    #[serde(default)]
    pub plan: BTreeMap<PlanItem, PlanMark>,
    /// She agreed to have this /check counted and it was: a second "yes" counts nothing.
    #[serde(default)]
    pub counted: bool,
    /// Her last answer to "may we count your answers anonymously?" was yes. Kept across flows
    /// (a "no" later withdraws it; /forget erases it with everything else): what other counts,
    /// such as the service types she searches for, ask before counting.
    #[serde(default)]
    pub consented: bool,
    /// Where she is in the service directory, while she browses it: a country, a known city,
    /// a type and filters. Never her coordinates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Browse>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub flow: Id,
    pub step: Id,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanMark {
    /// She has this in place.
    Ready,
    /// She wants to work on it.
    ToDo,
}

impl Session {
    pub fn new(locale: Locale) -> Session {
        Session {
            version: SESSION_VERSION,
            locale,
            locale_chosen: false,
            country: None,
            country_chosen: false,
            silent: false,
            at: None,
            urgent: false,
            forms: BTreeSet::new(),
            red_flags: BTreeSet::new(),
            plan: BTreeMap::new(),
            counted: false,
            consented: false,
            services: None,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing plain data to JSON cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a stored session; anything unreadable or of another version starts afresh in
    /// `locale`, because a woman must never be stuck behind a storage format.
    pub fn from_bytes(bytes: &[u8], locale: Locale) -> Session {
        match serde_json::from_slice::<Session>(bytes) {
            Ok(s) if s.version == SESSION_VERSION => s,
            _ => {
                tracing::warn!("stored session unreadable or of another version; starting afresh");
                Session::new(locale)
            }
        }
    }

    /// Forgets the answers of the flow in progress.
    fn clear_answers(&mut self) {
        self.forms.clear();
        self.red_flags.clear();
        self.plan.clear();
        self.counted = false;
    }
}

/// What she did, already stripped of everything the core does not need.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Command(Command),
    /// Callback data of a pressed button. Untrusted: it may be forged or stale.
    Button(String),
    /// Free text. The core never stores it.
    Text(String),
    /// A shared location; the core never stores it.
    Location {
        latitude: f64,
        longitude: f64,
    },
    /// A sticker, photo, voice message…
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `/start`, with a deep-link payload that may preselect language and country (`uk_UA`).
    Start(Option<String>),
    Check,
    Plan,
    Services,
    Sos,
    Talk,
    Language,
    Forget,
    Help,
    Stop,
    Menu,
    Unknown,
}

impl Command {
    /// The commands shown in Telegram's menu, with the message id of their description.
    pub const MENU: [(&'static str, &'static str); 9] = [
        ("start", "cmd-start"),
        ("check", "cmd-check"),
        ("plan", "cmd-plan"),
        ("services", "cmd-services"),
        ("sos", "cmd-sos"),
        ("talk", "cmd-talk"),
        ("language", "cmd-language"),
        ("forget", "cmd-forget"),
        ("help", "cmd-help"),
    ];

    /// Parses `/name`, `/name@bot` and `/name payload`. Text that is not a command is `None`.
    pub fn parse(text: &str) -> Option<Command> {
        let text = text.trim();
        let rest = text.strip_prefix('/')?;
        let (head, payload) = match rest.split_once(char::is_whitespace) {
            Some((h, p)) => (h, Some(p.trim())),
            None => (rest, None),
        };
        let name = head
            .split('@')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Some(match name.as_str() {
            "start" => Command::Start(
                payload
                    .filter(|p| !p.is_empty())
                    .map(|p| p.chars().take(64).collect()),
            ),
            "check" => Command::Check,
            "plan" => Command::Plan,
            "services" => Command::Services,
            "sos" => Command::Sos,
            "talk" => Command::Talk,
            "language" => Command::Language,
            "forget" => Command::Forget,
            "help" => Command::Help,
            "stop" => Command::Stop,
            "menu" => Command::Menu,
            _ => Command::Unknown,
        })
    }
}

impl Input {
    /// Text as typed: a command when it starts with `/`, free text otherwise.
    pub fn from_text(text: &str) -> Input {
        match Command::parse(text) {
            Some(c) => Input::Command(c),
            None => Input::Text(text.to_owned()),
        }
    }
}

/// What the core answers: messages to show, and at most one effect for the adapter to carry out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply {
    pub messages: Vec<OutMessage>,
    pub effect: Option<Effect>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutMessage {
    pub text: String,
    /// Rows of inline buttons.
    pub buttons: Vec<Vec<Button>>,
    /// Send with `protect_content`: phone lists, plans, screening results.
    pub protect: bool,
    /// A keyboard under the input field instead of inline buttons (a message has one or the
    /// other). Only for sharing a location, which inline buttons cannot ask for.
    pub keyboard: Option<ReplyKeyboard>,
}

/// The keyboard under the input field. Telegram keeps it until a message removes it, so every
/// message that shows one is followed, on her next input, by one that removes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyKeyboard {
    /// A button that shares her location, and one that goes back (it arrives as text).
    AskLocation { share: String, back: String },
    /// Removes the keyboard.
    Remove,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    /// Callback data, at most 64 bytes.
    pub data: String,
}

/// Work the core cannot do itself. The messages in the same reply are what she sees when the
/// adapter has no better answer (the simulator, or a bot without a hand-off configured).
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Delete every message of the chat still deletable and erase everything stored about her.
    /// The reply's message is the one neutral message to leave behind.
    Forget,
    /// Hand her to a peer consultant. `forms` are the screening answers she may consent to share.
    Talk { urgent: bool, forms: Vec<Form> },
    /// Open the service directory.
    FindServices,
    /// Her language changed: the adapter may refresh the command menu.
    LocaleChanged(Locale),
    /// She agreed (after /check) that her answers are counted anonymously: the adapter adds one
    /// to each form's counter for her country and the quarter (`crate::stats::Counters`). Only
    /// ever produced by her pressing "yes"; the default is that nothing is counted.
    CountCheck {
        country: Option<CountryCode>,
        forms: Vec<Form>,
    },
    /// She picked a service type in /services while her session says she agreed to be counted
    /// ([`Session::consented`]): the adapter adds one to that type's counter for the country she
    /// is browsing and the quarter. Never produced without her consent.
    CountServiceSearch {
        country: Option<CountryCode>,
        service: crate::directory::ServiceType,
    },
}

/// Global buttons that work from any screen.
pub mod global {
    pub const SOS: &str = "!sos";
    pub const EXIT: &str = "!exit";
    pub const MENU: &str = "!menu";
    pub const TALK: &str = "!talk";
    pub const RESUME: &str = "!resume";
    pub const STOP: &str = "!stop";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_with_bot_names_and_payloads() {
        assert_eq!(Command::parse("/check"), Some(Command::Check));
        assert_eq!(Command::parse("/SOS@helpline_bot"), Some(Command::Sos));
        assert_eq!(
            Command::parse("/start uk_UA"),
            Some(Command::Start(Some("uk_UA".into())))
        );
        assert_eq!(Command::parse("/start"), Some(Command::Start(None)));
        assert_eq!(Command::parse("/whatever"), Some(Command::Unknown));
        assert_eq!(Command::parse("hello /check"), None);
    }

    #[test]
    fn unreadable_sessions_start_afresh() {
        let s = Session::from_bytes(b"{not json", Locale::Uk);
        assert_eq!(s, Session::new(Locale::Uk));
        let mut old = Session::new(Locale::Ru);
        old.version = 0;
        assert_eq!(
            Session::from_bytes(&old.to_bytes(), Locale::En),
            Session::new(Locale::En)
        );
    }

    #[test]
    fn sessions_stored_before_services_still_load() {
        let old =
            br#"{"version":1,"locale":"uk","country":"UA","at":{"flow":"menu","step":"main"}}"#;
        let s = Session::from_bytes(old, Locale::En);
        assert_eq!(s.locale, Locale::Uk);
        assert_eq!(s.services, None);
        let mut browsing = s.clone();
        browsing.services = Some(Browse {
            city: Some("kyiv".into()),
            ..Browse::default()
        });
        assert_eq!(
            Session::from_bytes(&browsing.to_bytes(), Locale::En),
            browsing
        );
    }

    #[test]
    fn sessions_round_trip() {
        let mut s = Session::new(Locale::Kk);
        s.forms.insert(Form::Economic);
        s.plan.insert(PlanItem::Naloxone, PlanMark::ToDo);
        assert_eq!(Session::from_bytes(&s.to_bytes(), Locale::En), s);
    }
}
