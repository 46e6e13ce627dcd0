//! Teams: who answers which cases, and when (PRODUCT.md §3).
//!
//! A team has a name, working hours (the [`WorkingHours`] text, or none: then only /online
//! counts), a time zone, holidays, an urgent deadline, and the cases it serves: countries and/or
//! languages, empty meaning all. A case joins a team when it opens ([`route`]: the most specific
//! match of her country and locale, else the default team); its paging, its "nobody on shift",
//! its wait estimate and its urgent deadline are that team's. Staff belong to a team; a staff
//! member without one belongs to the default team, the one with the lowest id.
//!
//! The first start creates the default team from `HELPLINE_WORKING_HOURS`,
//! `HELPLINE_TEAM_TIMEZONE`, `HELPLINE_HOLIDAYS` and `HELPLINE_URGENT_DEADLINE_MIN` ([`Teams::seed`]);
//! after that the admin's Teams page is where teams change, and the variables are not read again.
//!
//! Settings are parsed when saved ([`TeamSettings::parse`]), each problem naming its field; a
//! row edited by hand into something unreadable is read as "no working hours" and logged.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

use super::WorkingHours;
use crate::db::{Db, millis, on_db};
use crate::domain::{CountryCode, Locale};

/// The default team's name when the first start creates it.
pub const DEFAULT_TEAM: &str = "Default";

/// A team, as read from the database.
#[derive(Clone, Debug, PartialEq)]
pub struct Team {
    /// 0 for the stand-in used while the teams table is still empty.
    pub id: i64,
    pub settings: TeamSettings,
}

impl Team {
    /// The stand-in for the default team before the first start has created it.
    pub fn stand_in(hours: Option<WorkingHours>, urgent_deadline: TimeDelta) -> Team {
        Team {
            id: 0,
            settings: TeamSettings {
                name: DEFAULT_TEAM.to_owned(),
                timezone: hours.as_ref().map(|h| h.timezone()).unwrap_or(Tz::UTC),
                holidays: Vec::new(),
                hours,
                urgent_deadline,
                countries: Vec::new(),
                languages: Vec::new(),
            },
        }
    }

    pub fn name(&self) -> &str {
        &self.settings.name
    }

    pub fn hours(&self) -> Option<&WorkingHours> {
        self.settings.hours.as_ref()
    }

    /// Whether the team is at work at `now` (never, without working hours).
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.hours().is_some_and(|h| h.is_open(now))
    }

    /// Whether a member of this team is on shift at `now`, given her statement in force
    /// (`Some(true)` after /online, `Some(false)` after /offline): during the working hours
    /// unless she said /offline, outside them only if she said /online.
    pub fn is_on(&self, said: Option<bool>, now: DateTime<Utc>) -> bool {
        if self.is_open(now) {
            said != Some(false)
        } else {
            said == Some(true)
        }
    }

    /// When a statement made at `now` lapses: the next start or end of the working hours;
    /// `None` (it holds until changed) without working hours or with none in sight.
    pub fn statement_lapses(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.hours().and_then(|h| h.next_change(now))
    }

    /// How specifically it serves a case from `country` in `locale`: `None` if it does not;
    /// a named country counts more than a named language, both more than "all".
    pub fn serves(&self, country: Option<CountryCode>, locale: Locale) -> Option<u8> {
        let s = &self.settings;
        let country_score = match (&s.countries[..], country) {
            ([], _) => 0,
            (list, Some(c)) if list.contains(&c) => 2,
            _ => return None,
        };
        let language_score = match &s.languages[..] {
            [] => 0,
            list if list.contains(&locale) => 1,
            _ => return None,
        };
        Some(country_score + language_score)
    }
}

/// The team a new case joins: the most specific of `teams` (which must be in id order) that
/// serves her country and locale, the lowest id on a tie; the default team (the first) if none
/// does. `None` only when there is no team at all.
pub fn route(teams: &[Team], country: Option<CountryCode>, locale: Locale) -> Option<&Team> {
    let mut best: Option<(&Team, u8)> = None;
    for team in teams {
        if let Some(score) = team.serves(country, locale)
            && best.is_none_or(|(_, b)| score > b)
        {
            best = Some((team, score));
        }
    }
    best.map(|(t, _)| t).or_else(|| teams.first())
}

/// What a team is, parsed from what a coordinator typed.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamSettings {
    pub name: String,
    /// `None`: no working hours; only /online counts.
    pub hours: Option<WorkingHours>,
    pub timezone: Tz,
    pub holidays: Vec<NaiveDate>,
    pub urgent_deadline: TimeDelta,
    /// Empty: every country.
    pub countries: Vec<CountryCode>,
    /// Empty: every language.
    pub languages: Vec<Locale>,
}

/// The fields of a team as typed (the admin's form, or a stored row).
#[derive(Clone, Debug, Default)]
pub struct TeamForm<'a> {
    pub name: &'a str,
    pub hours: &'a str,
    pub timezone: &'a str,
    pub holidays: &'a str,
    pub urgent_deadline_min: &'a str,
    pub countries: &'a str,
    pub languages: &'a str,
}

/// What is wrong with a team's settings, or with a change to the teams.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TeamError {
    #[error("Name: 1 to 40 characters, without control characters")]
    Name,
    #[error(
        "Working hours: like `Mon-Fri 09:00-18:00; Sat 10:00-14:00` (days, then opening and closing time), or empty for none"
    )]
    Hours,
    #[error("Time zone: a name such as Europe/Kyiv or UTC")]
    Timezone,
    #[error("Holidays: dates such as 2026-12-25, 2027-01-01")]
    Holidays,
    #[error("Urgent deadline: 1 to 120 minutes")]
    Deadline,
    #[error("Countries: two-letter codes such as UA, KZ (not {0:?})")]
    Countries(String),
    #[error("Languages: codes among en, uk, ru, kk, sr, mk, sq (not {0:?})")]
    Languages(String),
    #[error("Name: another team is already called that")]
    NameTaken,
    #[error("no such team")]
    NotFound,
    #[error("the team still has {0} member(s): move them to another team first")]
    HasMembers(i64),
    #[error("the team still has {0} open case(s): close them or wait until they are closed")]
    HasOpenCases(i64),
    #[error("database error while {doing}")]
    Database {
        doing: &'static str,
        #[source]
        source: DbError,
    },
}

impl crate::db::Transient for TeamError {
    fn is_transient(&self) -> bool {
        matches!(self, TeamError::Database { source, .. } if crate::db::is_transient(&source.0))
    }
}

/// A database error, compared by nothing (so [`TeamError`] stays comparable in tests).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct DbError(#[from] sqlx::Error);

impl PartialEq for DbError {
    fn eq(&self, _: &DbError) -> bool {
        false
    }
}
impl Eq for DbError {}

fn database(doing: &'static str) -> impl FnOnce(sqlx::Error) -> TeamError {
    move |source| TeamError::Database {
        doing,
        source: DbError(source),
    }
}

fn list<'a>(text: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    text.split([',', ' ', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Reads a list of codes, each once, in the order given; the first unreadable one (cut to 8
/// characters, for the error message) when any is.
fn codes<T: PartialEq>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for code in list(text) {
        match parse(code) {
            Some(c) if !out.contains(&c) => out.push(c),
            Some(_) => {}
            None => return Err(code.chars().take(8).collect()),
        }
    }
    Ok(out)
}

impl TeamSettings {
    /// Reads every field; all problems at once, each naming its field.
    pub fn parse(form: &TeamForm<'_>) -> Result<TeamSettings, Vec<TeamError>> {
        let mut problems = Vec::new();
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
            problems.push(TeamError::Name);
        }
        let timezone = match form.timezone.trim() {
            "" => Some(Tz::UTC),
            tz => tz.parse::<Tz>().ok(),
        };
        if timezone.is_none() {
            problems.push(TeamError::Timezone);
        }
        let mut holidays = Vec::new();
        for day in list(form.holidays) {
            match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
                Ok(d) => holidays.push(d),
                Err(_) => {
                    problems.push(TeamError::Holidays);
                    break;
                }
            }
        }
        let hours = match (form.hours.trim(), timezone) {
            ("", _) => None,
            (text, Some(tz)) => {
                let days: Vec<String> = holidays.iter().map(|d| d.to_string()).collect();
                match WorkingHours::parse(text, Some(tz.name()), Some(&days.join(","))) {
                    Ok(h) => Some(h),
                    Err(_) => {
                        problems.push(TeamError::Hours);
                        None
                    }
                }
            }
            (_, None) => None,
        };
        let deadline = match form.urgent_deadline_min.trim() {
            "" => Some(5),
            text => text.parse::<i64>().ok().filter(|m| (1..=120).contains(m)),
        };
        if deadline.is_none() {
            problems.push(TeamError::Deadline);
        }
        let countries = codes(form.countries, |c| {
            CountryCode::parse(&c.to_ascii_uppercase()).ok()
        })
        .map_err(|bad| problems.push(TeamError::Countries(bad)))
        .unwrap_or_default();
        let languages = codes(form.languages, |c| {
            Locale::parse(&c.to_ascii_lowercase()).ok()
        })
        .map_err(|bad| problems.push(TeamError::Languages(bad)))
        .unwrap_or_default();
        match (timezone, deadline) {
            (Some(timezone), Some(deadline)) if problems.is_empty() => Ok(TeamSettings {
                name: name.to_owned(),
                hours,
                timezone,
                holidays,
                urgent_deadline: TimeDelta::minutes(deadline),
                countries,
                languages,
            }),
            _ => Err(problems),
        }
    }

    /// The settings as they are stored and shown in the form.
    pub fn texts(&self) -> TeamTexts {
        TeamTexts {
            name: self.name.clone(),
            hours: self
                .hours
                .as_ref()
                .map(|h| h.hours_text())
                .unwrap_or_default(),
            timezone: self.timezone.name().to_owned(),
            holidays: self
                .holidays
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(","),
            urgent_deadline_min: self.urgent_deadline.num_minutes().to_string(),
            countries: self
                .countries
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(","),
            languages: self
                .languages
                .iter()
                .map(|l| l.code())
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// A team's settings as text: stored in the row, shown in the form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TeamTexts {
    pub name: String,
    pub hours: String,
    pub timezone: String,
    pub holidays: String,
    pub urgent_deadline_min: String,
    pub countries: String,
    pub languages: String,
}

impl TeamTexts {
    pub fn form(&self) -> TeamForm<'_> {
        TeamForm {
            name: &self.name,
            hours: &self.hours,
            timezone: &self.timezone,
            holidays: &self.holidays,
            urgent_deadline_min: &self.urgent_deadline_min,
            countries: &self.countries,
            languages: &self.languages,
        }
    }
}

type TeamRow = (i64, String, String, String, String, i64, String, String);

macro_rules! select_team {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, hours, timezone, holidays, urgent_deadline_min, countries, \
             languages FROM teams ",
            $tail
        )
    };
}

fn team(row: TeamRow) -> Team {
    let (id, name, hours, timezone, holidays, deadline, countries, languages) = row;
    let deadline = deadline.to_string();
    let form = TeamForm {
        name: &name,
        hours: &hours,
        timezone: &timezone,
        holidays: &holidays,
        urgent_deadline_min: &deadline,
        countries: &countries,
        languages: &languages,
    };
    let settings = TeamSettings::parse(&form).unwrap_or_else(|_| {
        // Only the admin and the seed write rows, both through `parse`; a row edited by hand
        // into something unreadable still serves its cases, with only /online counting.
        tracing::warn!("a team's stored settings are unreadable; it has no working hours until fixed in the admin");
        TeamSettings {
            name: name.clone(),
            hours: None,
            timezone: Tz::UTC,
            holidays: Vec::new(),
            urgent_deadline: TimeDelta::minutes(5),
            countries: Vec::new(),
            languages: Vec::new(),
        }
    });
    Team { id, settings }
}

/// The teams table.
#[derive(Clone, Debug)]
pub struct Teams {
    db: Db,
}

impl Teams {
    pub fn new(db: Db) -> Teams {
        Teams { db }
    }

    /// Every team, the default team (lowest id) first.
    pub async fn list(&self) -> Result<Vec<Team>, TeamError> {
        let rows: Vec<TeamRow> =
            on_db!(&self.db, pool => sqlx::query_as(select_team!("ORDER BY id"))
            .fetch_all(pool)
            .await)
            .map_err(database("listing teams"))?;
        Ok(rows.into_iter().map(team).collect())
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<Team>, TeamError> {
        let row: Option<TeamRow> =
            on_db!(&self.db, pool => sqlx::query_as(select_team!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await)
            .map_err(database("reading a team"))?;
        Ok(row.map(team))
    }

    /// The team called `name` (ignoring case).
    pub async fn by_name(&self, name: &str) -> Result<Option<Team>, TeamError> {
        let wanted = name.trim().to_lowercase();
        Ok(self
            .list()
            .await?
            .into_iter()
            .find(|t| t.name().to_lowercase() == wanted))
    }

    /// At the first start: the default team from the environment's settings, if there is no
    /// team yet. Two instances starting at once create one (the name is unique).
    pub async fn seed(
        &self,
        hours: Option<&WorkingHours>,
        urgent_deadline: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<bool, TeamError> {
        let (text, timezone, holidays) = match hours {
            Some(h) => (
                h.hours_text(),
                h.timezone().name().to_owned(),
                h.holidays_text(),
            ),
            None => (String::new(), "UTC".to_owned(), String::new()),
        };
        let done = on_db!(&self.db, pool => sqlx::query(
            "INSERT INTO teams (name, hours, timezone, holidays, urgent_deadline_min, countries, \
             languages, created_at) SELECT $1, $2, $3, $4, $5, '', '', $6 \
             WHERE NOT EXISTS (SELECT 1 FROM teams) ON CONFLICT (name) DO NOTHING")
            .bind(DEFAULT_TEAM)
            .bind(text)
            .bind(timezone)
            .bind(holidays)
            .bind(urgent_deadline.num_minutes())
            .bind(millis(now))
            .execute(pool)
            .await
            .map(|d| d.rows_affected()))
        .map_err(database("creating the default team"))?;
        Ok(done == 1)
    }

    pub async fn create(
        &self,
        settings: &TeamSettings,
        now: DateTime<Utc>,
    ) -> Result<Team, TeamError> {
        if self.by_name(&settings.name).await?.is_some() {
            return Err(TeamError::NameTaken);
        }
        let t = settings.texts();
        let row: Option<TeamRow> = on_db!(&self.db, pool => sqlx::query_as(
            "INSERT INTO teams (name, hours, timezone, holidays, urgent_deadline_min, countries, \
             languages, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (name) DO NOTHING RETURNING id, name, hours, timezone, holidays, \
             urgent_deadline_min, countries, languages")
            .bind(&t.name)
            .bind(&t.hours)
            .bind(&t.timezone)
            .bind(&t.holidays)
            .bind(settings.urgent_deadline.num_minutes())
            .bind(&t.countries)
            .bind(&t.languages)
            .bind(millis(now))
            .fetch_optional(pool)
            .await)
        .map_err(database("creating a team"))?;
        row.map(team).ok_or(TeamError::NameTaken)
    }

    pub async fn update(&self, id: i64, settings: &TeamSettings) -> Result<Team, TeamError> {
        if let Some(other) = self.by_name(&settings.name).await?
            && other.id != id
        {
            return Err(TeamError::NameTaken);
        }
        let t = settings.texts();
        let row: Option<TeamRow> = on_db!(&self.db, pool => sqlx::query_as(
            "UPDATE teams SET name = $1, hours = $2, timezone = $3, holidays = $4, \
             urgent_deadline_min = $5, countries = $6, languages = $7 WHERE id = $8 \
             RETURNING id, name, hours, timezone, holidays, urgent_deadline_min, countries, \
             languages")
            .bind(&t.name)
            .bind(&t.hours)
            .bind(&t.timezone)
            .bind(&t.holidays)
            .bind(settings.urgent_deadline.num_minutes())
            .bind(&t.countries)
            .bind(&t.languages)
            .bind(id)
            .fetch_optional(pool)
            .await)
        .map_err(database("changing a team"))?;
        row.map(team).ok_or(TeamError::NotFound)
    }

    /// How many staff and open cases a team has (for the default team, also those without a
    /// team).
    pub async fn load(&self, id: i64) -> Result<(i64, i64), TeamError> {
        let default = self.list().await?.first().map(|t| t.id) == Some(id);
        let members: i64 = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT count(*) FROM staff WHERE team_id = $1 OR ($2 = 1 AND team_id IS NULL)")
            .bind(id)
            .bind(i64::from(default))
            .fetch_one(pool)
            .await)
        .map_err(database("counting a team's members"))?;
        let cases: i64 = on_db!(&self.db, pool => sqlx::query_scalar(
            "SELECT count(*) FROM cases WHERE state <> 'closed' \
             AND (team_id = $1 OR ($2 = 1 AND team_id IS NULL))")
            .bind(id)
            .bind(i64::from(default))
            .fetch_one(pool)
            .await)
        .map_err(database("counting a team's cases"))?;
        Ok((members, cases))
    }

    /// Deletes a team without members or open cases; refused otherwise.
    pub async fn delete(&self, id: i64) -> Result<Team, TeamError> {
        let team = self.by_id(id).await?.ok_or(TeamError::NotFound)?;
        let (members, cases) = self.load(id).await?;
        if members > 0 {
            return Err(TeamError::HasMembers(members));
        }
        if cases > 0 {
            return Err(TeamError::HasOpenCases(cases));
        }
        // A member added between the count and here would make the foreign key refuse.
        on_db!(&self.db, pool => sqlx::query("DELETE FROM teams WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
        .map_err(database("deleting a team"))?;
        Ok(team)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(countries: &str, languages: &str) -> TeamSettings {
        TeamSettings::parse(&TeamForm {
            name: "t",
            countries,
            languages,
            ..TeamForm::default()
        })
        .expect("valid")
    }

    fn team(id: i64, countries: &str, languages: &str) -> Team {
        Team {
            id,
            settings: settings(countries, languages),
        }
    }

    #[test]
    fn a_case_goes_to_the_most_specific_team() {
        let ua = CountryCode::parse("UA").ok();
        let kz = CountryCode::parse("KZ").ok();
        let teams = [
            team(1, "", ""),
            team(2, "", "ru"),
            team(3, "UA", ""),
            team(4, "UA", "ru"),
        ];
        let id = |c, l| route(&teams, c, l).map(|t| t.id);
        assert_eq!(id(ua, Locale::Ru), Some(4), "country and language");
        assert_eq!(id(ua, Locale::Uk), Some(3), "the country beats all");
        assert_eq!(id(kz, Locale::Ru), Some(2), "the language beats all");
        assert_eq!(id(None, Locale::Ru), Some(2), "no country said");
        assert_eq!(id(kz, Locale::En), Some(1), "else the default");
        let picky = [team(7, "KZ", ""), team(8, "", "kk")];
        assert_eq!(
            route(&picky, ua, Locale::Uk).map(|t| t.id),
            Some(7),
            "nobody serves her: the default team (the first)"
        );
        assert!(route(&[], ua, Locale::Uk).is_none());
    }

    #[test]
    fn bad_settings_name_their_field() {
        let problems = TeamSettings::parse(&TeamForm {
            name: "",
            hours: "weekdays",
            timezone: "Mars/Olympus",
            holidays: "25.12.2026",
            urgent_deadline_min: "0",
            countries: "Ukraine",
            languages: "de",
        })
        .expect_err("all wrong");
        assert_eq!(
            problems,
            vec![
                TeamError::Name,
                TeamError::Timezone,
                TeamError::Holidays,
                TeamError::Deadline,
                TeamError::Countries("Ukraine".into()),
                TeamError::Languages("de".into()),
            ]
        );
        let hours = TeamSettings::parse(&TeamForm {
            name: "Day",
            hours: "weekdays",
            ..TeamForm::default()
        })
        .expect_err("bad hours");
        assert_eq!(hours, vec![TeamError::Hours]);
        assert!(TeamError::Timezone.to_string().starts_with("Time zone:"));
    }

    #[test]
    fn settings_round_trip_as_text() {
        let parsed = TeamSettings::parse(&TeamForm {
            name: " Almaty ",
            hours: "Mon-Fri 09:00-18:00",
            timezone: "Asia/Almaty",
            holidays: "2026-12-16, 2026-12-17",
            urgent_deadline_min: "7",
            countries: "kz",
            languages: "kk ru",
        })
        .expect("valid");
        assert_eq!(parsed.name, "Almaty");
        assert_eq!(parsed.urgent_deadline, TimeDelta::minutes(7));
        let texts = parsed.texts();
        assert_eq!(texts.countries, "KZ");
        assert_eq!(texts.languages, "kk,ru");
        assert_eq!(TeamSettings::parse(&texts.form()), Ok(parsed));
    }
}
