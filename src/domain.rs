//! Values that are known good once built: every constructor rejects bad input, so code past the
//! edge of the program never re-checks them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// A value failed the rule of its type; the message says which rule, never the value itself when
/// it could be personal (a phone number typed by a user, say).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DomainError {
    #[error("unknown locale {0:?}: expected one of en, uk, ru, kk, sr, mk, sq")]
    Locale(String),
    #[error("country code {0:?} is not two capital letters")]
    Country(String),
    #[error("id {0:?} must be 1-32 characters of a-z, 0-9 and _")]
    Id(String),
    #[error("phone number must be digits with optional spaces, dashes and a leading +")]
    Phone,
}

/// The languages the helpline speaks. Adding one means adding a variant here and a folder under
/// `locales/`; `helpline check` then reports every message the new folder still lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    En,
    Uk,
    Ru,
    Kk,
    Sr,
    Mk,
    Sq,
}

impl Locale {
    pub const ALL: [Locale; 7] = [
        Locale::En,
        Locale::Uk,
        Locale::Ru,
        Locale::Kk,
        Locale::Sr,
        Locale::Mk,
        Locale::Sq,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Uk => "uk",
            Locale::Ru => "ru",
            Locale::Kk => "kk",
            Locale::Sr => "sr",
            Locale::Mk => "mk",
            Locale::Sq => "sq",
        }
    }

    /// Parses a locale code, also the regional forms Telegram sends as `language_code`
    /// (`uk-UA`, `sr-Latn`, `pt-br` …). Unknown languages are an error; callers fall back to English.
    pub fn parse(code: &str) -> Result<Locale, DomainError> {
        let base = code
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Locale::ALL
            .into_iter()
            .find(|l| l.code() == base)
            .ok_or_else(|| DomainError::Locale(code.chars().take(16).collect()))
    }

    /// The chain tried when a message is missing: a safety net only, `helpline check` insists that
    /// every locale is complete. Kazakh falls back to Russian because most women in Kazakhstan read
    /// it; Ukrainian deliberately does not.
    pub fn fallbacks(self) -> &'static [Locale] {
        match self {
            Locale::En => &[Locale::En],
            Locale::Kk => &[Locale::Kk, Locale::Ru, Locale::En],
            Locale::Uk => &[Locale::Uk, Locale::En],
            Locale::Ru => &[Locale::Ru, Locale::En],
            Locale::Sr => &[Locale::Sr, Locale::En],
            Locale::Mk => &[Locale::Mk, Locale::En],
            Locale::Sq => &[Locale::Sq, Locale::En],
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Locale {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Locale::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// ISO 3166-1 alpha-2 country code, upper case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    pub fn parse(code: &str) -> Result<CountryCode, DomainError> {
        match code.as_bytes() {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Ok(CountryCode([*a, *b])),
            _ => Err(DomainError::Country(code.chars().take(8).collect())),
        }
    }

    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII capitals by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CountryCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A flow, step or choice id: short, lower-case ASCII, so that `flow.step.choice` fits Telegram's
/// 64-byte callback data and can be checked for that at load time.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(String);

impl Id {
    pub fn parse(s: &str) -> Result<Id, DomainError> {
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(Id(s.to_owned()))
        } else {
            Err(DomainError::Id(s.chars().take(40).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Id::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A phone number as shipped in data files: digits with optional spaces and dashes, an optional
/// leading `+`. Kept exactly as written so it reads the way the country writes it (`0 800 213 103`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(s: &str) -> Result<PhoneNumber, DomainError> {
        let body = s.strip_prefix('+').unwrap_or(s);
        let digits = body.bytes().filter(u8::is_ascii_digit).count();
        let ok = (2..=20).contains(&digits)
            && body
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-')
            && body.bytes().next().is_some_and(|b| b.is_ascii_digit());
        if ok {
            Ok(PhoneNumber(s.to_owned()))
        } else {
            Err(DomainError::Phone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PhoneNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The snake_case name used in flow files, message ids and storage.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
    };
}

named_enum!(
    /// The forms of violence the screening can name (PRODUCT.md §2).
    Form {
        Psychological = "psychological",
        Physical = "physical",
        Sexual = "sexual",
        Economic = "economic",
        Structural = "structural",
        DrugCoercion = "drug_coercion",
    }
);

named_enum!(
    /// Signs of severe or lethal danger: any one of them puts emergency numbers and a
    /// "talk to a person now" button into the very same reply.
    RedFlag {
        Strangulation = "strangulation",
        Weapon = "weapon",
        ThreatToKill = "threat_to_kill",
        Escalation = "escalation",
        Separation = "separation",
        FearForLife = "fear_for_life",
        Stalking = "stalking",
        ThreatsToChildren = "threats_to_children",
        Pregnancy = "pregnancy",
        ForcedSex = "forced_sex",
        InjuredNow = "injured_now",
    }
);

named_enum!(
    /// Items of the safety plan, standard and harm-reduction.
    PlanItem {
        SafeRoom = "safe_room",
        CodeWord = "code_word",
        SafePeople = "safe_people",
        SafePlaces = "safe_places",
        EscapeRoute = "escape_route",
        Bag = "bag",
        Documents = "documents",
        Children = "children",
        PhoneSafety = "phone_safety",
        Naloxone = "naloxone",
        NotAlone = "not_alone",
        Tolerance = "tolerance",
        OstPlan = "ost_plan",
        ArtClinic = "art_clinic",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_accepts_telegram_language_codes() {
        assert_eq!(Locale::parse("uk-UA"), Ok(Locale::Uk));
        assert_eq!(Locale::parse("sr-Latn"), Ok(Locale::Sr));
        assert_eq!(Locale::parse("KK"), Ok(Locale::Kk));
        assert!(Locale::parse("de").is_err());
        assert!(Locale::parse("").is_err());
    }

    #[test]
    fn country_codes_are_two_capitals() {
        assert!(CountryCode::parse("UA").is_ok());
        assert!(CountryCode::parse("ua").is_err());
        assert!(CountryCode::parse("UKR").is_err());
        assert!(CountryCode::parse("Ü").is_err());
    }

    #[test]
    fn ids_fit_callback_data() {
        assert!(Id::parse("phys_1").is_ok());
        assert!(Id::parse("Phys").is_err());
        assert!(Id::parse("a.b").is_err());
        assert!(Id::parse(&"x".repeat(33)).is_err());
    }

    #[test]
    fn phone_numbers_keep_their_spelling() {
        assert_eq!(
            PhoneNumber::parse("0 800 213 103").map(|p| p.0),
            Ok("0 800 213 103".into())
        );
        assert!(PhoneNumber::parse("8-800-7000-600").is_ok());
        assert!(PhoneNumber::parse("+7 800").is_ok());
        assert!(PhoneNumber::parse("1").is_err());
        assert!(PhoneNumber::parse("call 102").is_err());
        assert!(PhoneNumber::parse(" 102").is_err());
    }
}
