//! The directory's records, aligned with Open Referral HSDS 3.0: organizations provide services,
//! services are delivered at locations (joined by service-at-location records), and a service
//! has phones, weekly schedules, languages and attributes (taxonomy terms that say what it is and
//! whom it accepts).
//!
//! Every value here is known good: [`crate::directory::hsds`] builds them from files, the
//! storage backends from rows, and both go through the same constructors.
//!
//! A confidential shelter has no address at all: [`Placement::Confidential`] carries no street,
//! postal code or coordinates, so no code path can show, export or log what it does not hold.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::domain::{CountryCode, Locale, PhoneNumber};

use super::cities::CityId;

/// Longest name of an organization, service or location, in characters: a name is one line on
/// a phone screen; anything longer is a mistake in the data (or an attack on the renderer).
pub const MAX_NAME: usize = 300;
/// Longest description: fits one Telegram message (4096) with room for the card around it.
pub const MAX_DESCRIPTION: usize = 3000;
/// Longest short text (URL, e-mail, street, phone or schedule note, language name).
pub const MAX_SHORT: usize = 500;
/// Most phones, schedules, languages and attributes one service may list.
pub const MAX_CHILDREN: usize = 50;

/// A record id as HSDS uses them (often a UUID): 1–100 ASCII letters, digits, `-`, `_`, `.`, `:`.
/// Ids are stable across imports: a re-import updates the record with the same id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RecordId(String);

impl RecordId {
    pub fn parse(s: &str) -> Result<RecordId, String> {
        let ok = !s.is_empty()
            && s.len() <= 100
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        if ok {
            Ok(RecordId(s.to_owned()))
        } else if s.is_empty() {
            Err("is empty".into())
        } else {
            Err("must be 1-100 characters of A-Z, a-z, 0-9, '-', '_', '.' and ':'".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A text in several languages. `default` is the HSDS field itself (what any HSDS reader sees);
/// `translations` is our extension, one text per locale. [`Text::get`] follows the locale's
/// fallback chain (Kazakh → Russian → English) and ends at `default`, so a card always has a name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub default: String,
    pub translations: BTreeMap<Locale, String>,
}

impl Text {
    pub fn plain(text: impl Into<String>) -> Text {
        Text {
            default: text.into(),
            translations: BTreeMap::new(),
        }
    }

    pub fn get(&self, locale: Locale) -> &str {
        locale
            .fallbacks()
            .iter()
            .find_map(|l| self.translations.get(l))
            .unwrap_or(&self.default)
    }

    pub fn is_empty(&self) -> bool {
        self.default.is_empty() && self.translations.values().all(String::is_empty)
    }
}

/// Checks a text field's rules; the error says which rule, never repeats the (possibly hostile)
/// text. Text is otherwise stored exactly as given: HTML, RTL marks and emoji are the renderer's
/// business to escape.
pub fn check_text(text: &str, max: usize, multiline: bool) -> Result<(), String> {
    let chars = text.chars().count();
    if chars > max {
        return Err(format!(
            "is {chars} characters long, at most {max} are allowed"
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\t' | '\r')))
    {
        return Err(format!(
            "contains the control character U+{:04X}, which cannot be stored or shown",
            u32::from(c)
        ));
    }
    Ok(())
}

macro_rules! term_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The taxonomy term code (HSDS `taxonomy_term.code`), also used in storage.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The term's English name, for HSDS `taxonomy_term.name`. The bot shows localized
            /// names from its own messages.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|t| t.code() == code)
            }

            fn bit(self) -> u16 {
                1 << (self as u16)
            }
        }
    };
}

term_enum!(
    /// What a service is (PRODUCT.md §2): one service may be several.
    ServiceType {
        Shelter = "shelter", "Shelter";
        CrisisCentre = "crisis_centre", "Crisis centre";
        Legal = "legal", "Legal aid";
        Psychosocial = "psychosocial", "Psychosocial support";
        Medical = "medical", "Medical care";
        HarmReduction = "harm_reduction", "Harm reduction";
        Ost = "ost", "Opioid substitution therapy";
        HivCare = "hiv_care", "HIV care";
    }
);

term_enum!(
    /// What matters to her: whom a service accepts and on what terms.
    Filter {
        AcceptsActiveDrugUse = "accepts_active_drug_use", "Accepts women who use drugs";
        AcceptsOst = "accepts_ost", "Accepts women on OST";
        NoIdRequired = "no_id_required", "No ID required";
        AcceptsChildren = "accepts_children", "Accepts children";
        HivFriendly = "hiv_friendly", "HIV-friendly";
        Free = "free", "Free of charge";
        WomenOnly = "women_only", "Women only";
    }
);

/// A set of [`ServiceType`]s or [`Filter`]s, as a bit mask so the index tests it in one step.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Set<T> {
    bits: u16,
    _of: std::marker::PhantomData<T>,
}

/// Implemented by the two term kinds that fit in a [`Set`].
pub trait Term: Copy + 'static {
    const ALL: &'static [Self];
    fn bit(self) -> u16;
}

impl Term for ServiceType {
    const ALL: &'static [Self] = ServiceType::ALL;
    fn bit(self) -> u16 {
        ServiceType::bit(self)
    }
}

impl Term for Filter {
    const ALL: &'static [Self] = Filter::ALL;
    fn bit(self) -> u16 {
        Filter::bit(self)
    }
}

impl<T: Term> Set<T> {
    pub const EMPTY: Set<T> = Set {
        bits: 0,
        _of: std::marker::PhantomData,
    };

    pub fn of(items: impl IntoIterator<Item = T>) -> Set<T> {
        let mut set = Set::EMPTY;
        for item in items {
            set.insert(item);
        }
        set
    }

    pub fn insert(&mut self, item: T) {
        self.bits |= item.bit();
    }

    pub fn remove(&mut self, item: T) {
        self.bits &= !item.bit();
    }

    pub fn contains(&self, item: T) -> bool {
        self.bits & item.bit() != 0
    }

    pub fn contains_all(&self, other: Set<T>) -> bool {
        self.bits & other.bits == other.bits
    }

    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    pub fn len(&self) -> u32 {
        self.bits.count_ones()
    }

    /// Members in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        T::ALL.iter().copied().filter(|t| self.contains(*t))
    }
}

impl<T: Term + fmt::Debug> fmt::Debug for Set<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Term> FromIterator<T> for Set<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Set::of(iter)
    }
}

/// The taxonomy all our terms belong to (HSDS `taxonomy_term.taxonomy`).
pub const TAXONOMY: &str = "helpline";

/// The term that marks a location confidential (phone only). HSDS has no released way to say
/// this; we say it with an attribute, and never export an address with it.
pub const CONFIDENTIAL_TERM: &str = "confidential";

/// What an attribute says about a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceTerm {
    Type(ServiceType),
    Filter(Filter),
}

impl ServiceTerm {
    pub fn code(self) -> &'static str {
        match self {
            ServiceTerm::Type(t) => t.code(),
            ServiceTerm::Filter(f) => f.code(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ServiceTerm::Type(t) => t.label(),
            ServiceTerm::Filter(f) => f.label(),
        }
    }

    pub fn parse(code: &str) -> Option<ServiceTerm> {
        ServiceType::parse(code)
            .map(ServiceTerm::Type)
            .or_else(|| Filter::parse(code).map(ServiceTerm::Filter))
    }

    /// Every term of the taxonomy, types first.
    pub fn all() -> impl Iterator<Item = ServiceTerm> {
        ServiceType::ALL
            .iter()
            .map(|t| ServiceTerm::Type(*t))
            .chain(Filter::ALL.iter().map(|f| ServiceTerm::Filter(*f)))
    }
}

/// Whether a listing is shown at all. Inactive listings stay in the database (and exports) so a
/// coordinator can bring them back, but never reach a search result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Inactive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "active" => Some(Status::Active),
            "inactive" => Some(Status::Inactive),
            _ => None,
        }
    }
}

/// A point on the map, in degrees. Only ever a service's public location or a city centre: her
/// own position is reduced to a city by [`super::cities::Cities::nearest`] and not kept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Result<GeoPoint, String> {
        if !(-90.0..=90.0).contains(&lat) || !lat.is_finite() {
            return Err("latitude must be a number from -90 to 90".into());
        }
        if !(-180.0..=180.0).contains(&lon) || !lon.is_finite() {
            return Err("longitude must be a number from -180 to 180".into());
        }
        Ok(GeoPoint { lat, lon })
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Great-circle distance in kilometres.
    pub fn km_to(&self, other: &GeoPoint) -> f64 {
        const EARTH_RADIUS_KM: f64 = 6371.0;
        let (la1, la2) = (self.lat.to_radians(), other.lat.to_radians());
        let dla = la2 - la1;
        let dlo = (other.lon - self.lon).to_radians();
        let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }
}

/// An ISO 639 language code as HSDS `language.code` uses it: 2–3 lower-case letters, optionally
/// with a region or script (`sr-Latn`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LanguageCode(String);

impl LanguageCode {
    pub fn parse(s: &str) -> Result<LanguageCode, String> {
        let mut parts = s.split('-');
        let base = parts.next().unwrap_or_default();
        let base_ok = (2..=3).contains(&base.len()) && base.bytes().all(|b| b.is_ascii_lowercase());
        let rest_ok = parts
            .all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        if base_ok && rest_ok {
            Ok(LanguageCode(s.to_owned()))
        } else {
            Err("must be an ISO 639 code such as uk, ru, kk, sr-Latn".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: RecordId,
    pub name: Text,
    pub description: Text,
    pub website: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone {
    pub id: RecordId,
    pub number: PhoneNumber,
    /// What the number is for ("24/7 line", "SMS only").
    pub description: Option<String>,
}

/// Weekly opening hours, in the local time of the location's city. `closes` at or before `opens`
/// means the hours run past midnight (22:00–06:00); `closes` of 23:59 means until midnight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub id: RecordId,
    pub days: Vec<Weekday>,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Language {
    pub id: RecordId,
    pub code: LanguageCode,
    pub name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub id: RecordId,
    pub term: ServiceTerm,
}

/// Where a service is delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceAtLocation {
    pub id: RecordId,
    pub location_id: RecordId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub id: RecordId,
    pub organization_id: RecordId,
    pub name: Text,
    pub description: Text,
    pub status: Status,
    /// When a coordinator last checked the listing (HSDS `assured_date`); none means never.
    pub assured_date: Option<NaiveDate>,
    pub url: Option<String>,
    pub email: Option<String>,
    pub phones: Vec<Phone>,
    pub schedules: Vec<Schedule>,
    pub languages: Vec<Language>,
    pub attributes: Vec<Attribute>,
    pub at_locations: Vec<ServiceAtLocation>,
}

impl Service {
    pub fn types(&self) -> Set<ServiceType> {
        self.attributes
            .iter()
            .filter_map(|a| match a.term {
                ServiceTerm::Type(t) => Some(t),
                ServiceTerm::Filter(_) => None,
            })
            .collect()
    }

    pub fn filters(&self) -> Set<Filter> {
        self.attributes
            .iter()
            .filter_map(|a| match a.term {
                ServiceTerm::Filter(f) => Some(f),
                ServiceTerm::Type(_) => None,
            })
            .collect()
    }
}

/// A street address. Only public locations have one.
#[derive(Clone, Debug, PartialEq)]
pub struct Address {
    pub street: String,
    pub postal_code: Option<String>,
}

/// Whether a location may be shown. There is deliberately nothing to hide in the confidential
/// case: the directory never holds a confidential shelter's address or coordinates.
#[derive(Clone, Debug, PartialEq)]
pub enum Placement {
    Public {
        address: Option<Address>,
        point: Option<GeoPoint>,
    },
    /// Reached by phone only. Search places it at its city's centre.
    Confidential,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    pub id: RecordId,
    pub organization_id: Option<RecordId>,
    pub name: Option<String>,
    pub country: CountryCode,
    pub city: CityId,
    pub placement: Placement,
}

impl Location {
    pub fn is_confidential(&self) -> bool {
        matches!(self.placement, Placement::Confidential)
    }
}

/// A whole directory, or the part of one a file or an edit brings. Order is kept as given, so an
/// export lists records in a stable order (by id).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    pub organizations: Vec<Organization>,
    pub services: Vec<Service>,
    pub locations: Vec<Location>,
}

impl Catalog {
    /// Sorts every list by id: the order exports use and the database loads in.
    pub fn sorted(mut self) -> Catalog {
        self.organizations.sort_by(|a, b| a.id.cmp(&b.id));
        self.services.sort_by(|a, b| a.id.cmp(&b.id));
        self.locations.sort_by(|a, b| a.id.cmp(&b.id));
        self
    }
}

/// Weekday codes as RFC 5545 (and HSDS `byday`) writes them.
pub fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

pub fn parse_weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

/// Parses `HH:MM` or `HH:MM:SS` (HSDS `opens_at`/`closes_at`); a UTC offset or `Z` is refused,
/// since hours are local to the location's city.
pub fn parse_time(s: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .map_err(|_| {
            "must be a local time HH:MM (the timezone is the location's city's)".to_owned()
        })
}

/// Formats a time as `HH:MM` (seconds are not kept).
pub fn format_time(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_falls_back_through_the_locale_chain() {
        let mut text = Text::plain("Demo");
        assert_eq!(text.get(Locale::Kk), "Demo");
        text.translations.insert(Locale::Ru, "Демо".into());
        assert_eq!(text.get(Locale::Kk), "Демо");
        assert_eq!(
            text.get(Locale::Uk),
            "Demo",
            "Ukrainian does not fall back to Russian"
        );
    }

    #[test]
    fn text_rules_name_the_rule_not_the_text() {
        assert!(check_text("<b>ok</b>\u{202e}", 20, false).is_ok());
        let long = check_text(&"x".repeat(301), MAX_NAME, false).expect_err("too long");
        assert!(long.contains("301") && long.contains("300"), "{long}");
        assert!(check_text("a\u{0}b", 10, true).is_err());
        assert!(check_text("a\nb", 10, false).is_err());
        assert!(check_text("a\nb", 10, true).is_ok());
    }

    #[test]
    fn ids_and_codes_parse() {
        assert!(RecordId::parse("ac148810-d857-441c-9679-408f346de14b").is_ok());
        assert!(RecordId::parse("a b").is_err());
        assert!(RecordId::parse("").is_err());
        assert!(LanguageCode::parse("sr-Latn").is_ok());
        assert!(LanguageCode::parse("Ukrainian").is_err());
        assert!(GeoPoint::new(91.0, 0.0).is_err());
        assert!(GeoPoint::new(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn sets_hold_terms() {
        let set = Set::of([Filter::Free, Filter::WomenOnly]);
        assert!(set.contains_all(Set::of([Filter::Free])));
        assert!(!set.contains_all(Set::of([Filter::AcceptsOst])));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Filter::Free, Filter::WomenOnly]
        );
        assert_eq!(ServiceTerm::all().count(), 15);
    }

    #[test]
    fn distances_are_in_kilometres() {
        let kyiv = GeoPoint::new(50.4501, 30.5234).expect("point");
        let lviv = GeoPoint::new(49.8397, 24.0297).expect("point");
        let d = kyiv.km_to(&lviv);
        assert!((460.0..480.0).contains(&d), "{d}");
    }
}
