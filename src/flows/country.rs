//! Country data: emergency numbers and hotlines with their hours, source and last-verified date,
//! the locale most women there read, and the features the conversations switch on.

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::domain::{CountryCode, Locale, PhoneNumber};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountryFile {
    pub countries: Vec<CountryDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountryDef {
    pub code: Spanned<CountryCode>,
    /// Message id of the country's name.
    pub name: Spanned<String>,
    pub default_locale: Locale,
    /// Opioid substitution therapy is legal and available; where false, OST filters and OST plan
    /// items are hidden.
    pub ost_legal: bool,
    /// Message id of a note shown on harm-reduction content (e.g. legal risks in Russia).
    pub harm_reduction_note: Option<Spanned<String>>,
    pub lines: Vec<LineDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineDef {
    pub number: Spanned<PhoneNumber>,
    pub kind: LineKind,
    /// Message id naming the line.
    pub name: Spanned<String>,
    /// Message id of its hours.
    pub hours: Spanned<String>,
    pub free: bool,
    /// Message ids of privacy notes ("calls are recorded").
    #[serde(default)]
    pub notes: Vec<Spanned<String>>,
    pub source: Spanned<String>,
    pub verified: Spanned<String>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Emergency,
    Hotline,
}

/// A country, checked and ready to render.
#[derive(Debug, Clone)]
pub struct Country {
    pub code: CountryCode,
    pub name: String,
    pub default_locale: Locale,
    pub ost_legal: bool,
    pub harm_reduction_note: Option<String>,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone)]
pub struct Line {
    pub number: PhoneNumber,
    pub kind: LineKind,
    pub name: String,
    pub hours: String,
    pub free: bool,
    pub notes: Vec<String>,
    pub source: String,
    pub verified: NaiveDate,
}

impl Country {
    pub fn emergency(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.kind == LineKind::Emergency)
    }

    pub fn hotlines(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.kind == LineKind::Hotline)
    }
}
