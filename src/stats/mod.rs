//! Numbers for advocacy, counted only with her consent and published only through small-cell
//! suppression.
//!
//! - [`Counters`]: aggregate counters keyed by (country, region, quarter, dimension, value). No
//!   row is a person, nothing is finer than a quarter, and every `record_*` takes a [`Consent`]:
//!   without it nothing is written.
//! - [`doc`]: the short case-documentation form a consultant fills in with her consent, and its
//!   merged counts (`case_doc_counts`).
//! - [`suppress`]: primary (1–9) and complementary suppression, with the reasoning for why a
//!   hidden figure cannot be recomputed.
//! - [`report`]: counts into tables (one per dimension and place, quarters as columns), text and
//!   CSV output, SVG bar charts and an HTML page body for the admin.
//!
//! Where the rest of the bot calls in:
//! - after /check, the core's [`crate::conversation::Effect::CountCheck`] (she pressed "yes"):
//!   the Telegram adapter calls [`Counters::record_check`];
//! - a service search: when she picks a type in /services and her session says she agreed to be
//!   counted, the core's [`crate::conversation::Effect::CountServiceSearch`]; the Telegram
//!   adapter calls [`Counters::record_service_search`] with that type;
//! - a hand-off: [`Counters::record_handoff`] (urgent or not, how long she waited) when she
//!   consented at the end of a case;
//! - after /end, with her consent: the case topic shows [`doc::DocForm`]; its finished record is
//!   stored by [`Counters::record_doc`].

pub mod doc;
pub mod report;
pub mod suppress;

use chrono::{DateTime, Datelike, Utc};

use crate::db::{Db, on_db};
use crate::directory::model::ServiceType;
use crate::domain::{CountryCode, Form};

/// Proof, at the call site, of what she answered. `record_*` write nothing without `Given`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consent {
    Given,
    NotGiven,
}

impl Consent {
    /// Her standing answer, as her session keeps it (see
    /// [`crate::conversation::Session::consented`]).
    pub fn of(session: &crate::conversation::Session) -> Consent {
        if session.consented {
            Consent::Given
        } else {
            Consent::NotGiven
        }
    }
}

/// What a counter counts. Values are always taken from fixed lists (enums), never from text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// Forms of violence she described in /check.
    Form,
    /// Service types she searched for.
    ServiceAsked,
    /// Hand-offs to a consultant: `urgent` or `routine`.
    Handoff,
    /// How long she waited for a consultant, in bands.
    Wait,
    /// From case documentation: forms of violence.
    CaseForm,
    /// From case documentation: who did it.
    Perpetrator,
    /// From case documentation: why a service refused her.
    RefusalReason,
    /// From case documentation: which kind of service refused her.
    RefusalService,
}

impl Dimension {
    pub const ALL: [Dimension; 8] = [
        Dimension::Form,
        Dimension::ServiceAsked,
        Dimension::Handoff,
        Dimension::Wait,
        Dimension::CaseForm,
        Dimension::Perpetrator,
        Dimension::RefusalReason,
        Dimension::RefusalService,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Form => "form",
            Dimension::ServiceAsked => "service_asked",
            Dimension::Handoff => "handoff",
            Dimension::Wait => "wait",
            Dimension::CaseForm => "case_form",
            Dimension::Perpetrator => "perpetrator",
            Dimension::RefusalReason => "refusal_reason",
            Dimension::RefusalService => "refusal_service",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The heading of its tables and charts.
    pub fn title(self) -> &'static str {
        match self {
            Dimension::Form => "Forms of violence described in the self-check",
            Dimension::ServiceAsked => "Services asked for",
            Dimension::Handoff => "Hand-offs to a consultant",
            Dimension::Wait => "Waits for a consultant",
            Dimension::CaseForm => "Forms of violence documented in cases",
            Dimension::Perpetrator => "Who committed the violence (cases)",
            Dimension::RefusalReason => "Refusals by reason (cases)",
            Dimension::RefusalService => "Refusals by service type (cases)",
        }
    }
}

/// A calendar quarter, the finest time any count keeps: `2026-Q4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    pub quarter: u8,
}

impl Quarter {
    pub fn of(t: DateTime<Utc>) -> Quarter {
        Quarter {
            year: t.year(),
            quarter: u8::try_from(t.month0() / 3 + 1).unwrap_or(1),
        }
    }

    pub fn parse(s: &str) -> Option<Quarter> {
        let (y, q) = s.split_once("-Q")?;
        let quarter: u8 = q.parse().ok()?;
        (1..=4).contains(&quarter).then_some(())?;
        Some(Quarter {
            year: y.parse().ok()?,
            quarter,
        })
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.year, self.quarter)
    }
}

/// Where she is, as far as counts go: a country (or `None`: not said), and a region from a fixed
/// list (a city id of the directory) when known.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Place {
    pub country: Option<CountryCode>,
    pub region: Option<Region>,
}

impl Place {
    pub fn country(country: Option<CountryCode>) -> Place {
        Place {
            country,
            region: None,
        }
    }

    fn country_key(&self) -> String {
        self.country
            .map(|c| c.as_str().to_owned())
            .unwrap_or_else(|| "--".to_owned())
    }

    fn region_key(&self) -> &str {
        self.region.as_ref().map(|r| r.0.as_str()).unwrap_or("")
    }
}

/// A region or city id: lowercase ASCII letters, digits, `_` and `-`, at most 32 — an id from a
/// list, never words she typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region(String);

impl Region {
    pub fn parse(s: &str) -> Option<Region> {
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        ok.then(|| Region(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long she waited for a consultant, in bands wide enough to say nothing about one case.
pub fn wait_band(wait: std::time::Duration) -> &'static str {
    match wait.as_secs() {
        0..300 => "under_5_min",
        300..900 => "5_to_15_min",
        900..3600 => "15_to_60_min",
        3600..14400 => "1_to_4_hours",
        _ => "over_4_hours",
    }
}

/// One counter as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CounterRow {
    pub country: String,
    pub region: String,
    pub quarter: String,
    pub dimension: String,
    pub value: String,
    pub count: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error("the statistics database failed while {0}")]
    Database(&'static str),
}

fn database(doing: &'static str) -> impl FnOnce(sqlx::Error) -> StatsError {
    move |e| {
        tracing::error!(error = %e, doing, "statistics query failed");
        StatsError::Database(doing)
    }
}

/// The counters, on the store's database.
#[derive(Clone, Debug)]
pub struct Counters {
    db: Db,
}

impl Counters {
    pub fn new(db: Db) -> Counters {
        Counters { db }
    }

    /// Adds one to a counter. Private: every public entry point takes a [`Consent`].
    async fn bump(
        &self,
        place: &Place,
        quarter: Quarter,
        dimension: Dimension,
        value: &str,
    ) -> Result<(), StatsError> {
        let sql = "INSERT INTO stat_counters (country, region, quarter, dimension, value, count) \
                   VALUES ($1, $2, $3, $4, $5, 1) \
                   ON CONFLICT (country, region, quarter, dimension, value) \
                   DO UPDATE SET count = stat_counters.count + 1";
        on_db!(&self.db, pool => sqlx::query(sql)
            .bind(place.country_key())
            .bind(place.region_key())
            .bind(quarter.to_string())
            .bind(dimension.as_str())
            .bind(value)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("counting"))?;
        Ok(())
    }

    /// After /check, when she agreed: one count per form of violence she described.
    pub async fn record_check(
        &self,
        consent: Consent,
        place: &Place,
        forms: &[Form],
        now: DateTime<Utc>,
    ) -> Result<(), StatsError> {
        if consent != Consent::Given {
            return Ok(());
        }
        let quarter = Quarter::of(now);
        let mut forms = forms.to_vec();
        forms.sort();
        forms.dedup();
        for form in forms {
            self.bump(place, quarter, Dimension::Form, form.as_str())
                .await?;
        }
        Ok(())
    }

    /// A service search, when she agreed to be counted: the type she asked for.
    pub async fn record_service_search(
        &self,
        consent: Consent,
        place: &Place,
        service: ServiceType,
        now: DateTime<Utc>,
    ) -> Result<(), StatsError> {
        if consent != Consent::Given {
            return Ok(());
        }
        self.bump(
            place,
            Quarter::of(now),
            Dimension::ServiceAsked,
            service.code(),
        )
        .await
    }

    /// A hand-off, when she agreed: whether it was urgent and, if a consultant took it, how
    /// long she waited (in bands).
    pub async fn record_handoff(
        &self,
        consent: Consent,
        place: &Place,
        urgent: bool,
        waited: Option<std::time::Duration>,
        now: DateTime<Utc>,
    ) -> Result<(), StatsError> {
        if consent != Consent::Given {
            return Ok(());
        }
        let quarter = Quarter::of(now);
        let kind = if urgent { "urgent" } else { "routine" };
        self.bump(place, quarter, Dimension::Handoff, kind).await?;
        if let Some(w) = waited {
            self.bump(place, quarter, Dimension::Wait, wait_band(w))
                .await?;
        }
        Ok(())
    }

    /// A finished documentation form (she consented in the case). Stored as a merged count of
    /// identical records, and counted in the per-dimension counters the reports read.
    pub async fn record_doc(
        &self,
        consent: Consent,
        record: &doc::DocRecord,
        now: DateTime<Utc>,
    ) -> Result<(), StatsError> {
        if consent != Consent::Given {
            return Ok(());
        }
        let quarter = Quarter::of(now);
        let place = Place::country(record.country);
        let sql = "INSERT INTO case_doc_counts (country, quarter, forms, perpetrators, refusals, count) \
                   VALUES ($1, $2, $3, $4, $5, 1) \
                   ON CONFLICT (country, quarter, forms, perpetrators, refusals) \
                   DO UPDATE SET count = case_doc_counts.count + 1";
        on_db!(&self.db, pool => sqlx::query(sql)
            .bind(place.country_key())
            .bind(quarter.to_string())
            .bind(record.forms_key())
            .bind(record.perpetrators_key())
            .bind(record.refusals_key())
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("storing case documentation"))?;
        for form in &record.forms {
            self.bump(&place, quarter, Dimension::CaseForm, form.as_str())
                .await?;
        }
        for p in &record.perpetrators {
            self.bump(&place, quarter, Dimension::Perpetrator, p.as_str())
                .await?;
        }
        for (service, reason) in &record.refusals {
            self.bump(&place, quarter, Dimension::RefusalReason, reason.as_str())
                .await?;
            self.bump(&place, quarter, Dimension::RefusalService, service.code())
                .await?;
        }
        Ok(())
    }

    /// Every counter, in key order.
    pub async fn rows(&self) -> Result<Vec<CounterRow>, StatsError> {
        let sql = "SELECT country, region, quarter, dimension, value, count FROM stat_counters \
                   ORDER BY country, region, quarter, dimension, value";
        on_db!(&self.db, pool => sqlx::query_as::<_, CounterRow>(sql)
            .fetch_all(pool)
            .await)
        .map_err(database("reading counters"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_are_the_finest_time() {
        let t = DateTime::parse_from_rfc3339("2026-11-29T04:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let q = t.map(Quarter::of);
        assert_eq!(q.map(|q| q.to_string()).as_deref(), Some("2026-Q4"));
        assert_eq!(Quarter::parse("2026-Q4"), q);
        assert_eq!(Quarter::parse("2026-Q5"), None);
    }

    #[test]
    fn regions_are_ids_not_words() {
        assert!(Region::parse("kyiv").is_some());
        assert!(Region::parse("Kyiv street 5").is_none());
        assert!(Region::parse("").is_none());
    }

    #[test]
    fn waits_fall_into_wide_bands() {
        use std::time::Duration;
        assert_eq!(wait_band(Duration::from_secs(10)), "under_5_min");
        assert_eq!(wait_band(Duration::from_secs(1000)), "15_to_60_min");
        assert_eq!(wait_band(Duration::from_secs(86_400)), "over_4_hours");
    }
}
