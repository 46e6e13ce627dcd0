//! The team's working hours and holidays: during them every consultant counts as on shift
//! unless she said /offline; outside them only those who said /online. The time is always
//! passed in; nothing here reads a clock.
//!
//! Configured by `HELPLINE_WORKING_HOURS` (`Mon-Fri 09:00-18:00`, windows separated by `;`),
//! `HELPLINE_TEAM_TIMEZONE` (`Europe/Kyiv`, default UTC) and `HELPLINE_HOLIDAYS`
//! (`2026-12-25,2027-01-01`, whole days in the team's time zone).

use chrono::{DateTime, Datelike as _, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

#[derive(Clone, Debug, PartialEq)]
pub struct WorkingHours {
    windows: Vec<Window>,
    timezone: Tz,
    holidays: Vec<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq)]
struct Window {
    days: Vec<Weekday>,
    opens: NaiveTime,
    closes: NaiveTime,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HoursError {
    #[error(
        "HELPLINE_WORKING_HOURS must look like `Mon-Fri 09:00-18:00; Sat 10:00-14:00` (days, then opening and closing time)"
    )]
    Hours,
    #[error("HELPLINE_TEAM_TIMEZONE must be a time zone name such as Europe/Kyiv")]
    Timezone,
    #[error("HELPLINE_HOLIDAYS must be dates such as 2026-12-25,2027-01-01")]
    Holidays,
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn day(text: &str) -> Option<Weekday> {
    let text = text.trim().to_ascii_lowercase();
    DAYS.iter()
        .find(|(name, _)| text.starts_with(name))
        .map(|(_, d)| *d)
}

fn days(text: &str) -> Option<Vec<Weekday>> {
    let mut out = Vec::new();
    for part in text.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (mut d, to) = (day(from)?, day(to)?);
                loop {
                    out.push(d);
                    if d == to {
                        break;
                    }
                    d = d.succ();
                }
            }
            None => out.push(day(part)?),
        }
    }
    Some(out)
}

impl WorkingHours {
    pub fn parse(
        hours: &str,
        timezone: Option<&str>,
        holidays: Option<&str>,
    ) -> Result<WorkingHours, HoursError> {
        let mut windows = Vec::new();
        for window in hours.split(';').map(str::trim).filter(|w| !w.is_empty()) {
            let (day_part, time_part) = window.split_once(' ').ok_or(HoursError::Hours)?;
            let (opens, closes) = time_part.trim().split_once('-').ok_or(HoursError::Hours)?;
            let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
            windows.push(Window {
                days: days(day_part).ok_or(HoursError::Hours)?,
                opens: time(opens).ok_or(HoursError::Hours)?,
                closes: time(closes).ok_or(HoursError::Hours)?,
            });
        }
        if windows.is_empty() {
            return Err(HoursError::Hours);
        }
        let timezone = match timezone {
            Some(name) => name
                .trim()
                .parse::<Tz>()
                .map_err(|_| HoursError::Timezone)?,
            None => Tz::UTC,
        };
        let holidays = match holidays {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| HoursError::Holidays))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        Ok(WorkingHours {
            windows,
            timezone,
            holidays,
        })
    }

    /// Whether the team is at work at `now`: inside a window (closing time excluded), and not
    /// on a holiday.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&self.timezone).naive_local();
        if self.holidays.contains(&local.date()) {
            return false;
        }
        let (weekday, time) = (local.weekday(), local.time());
        self.windows.iter().any(|w| {
            if w.opens < w.closes {
                w.days.contains(&weekday) && time >= w.opens && time < w.closes
            } else {
                // Past midnight (22:00-06:00).
                (w.days.contains(&weekday) && time >= w.opens)
                    || (w.days.contains(&weekday.pred()) && time < w.closes)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("a time")
    }

    #[test]
    fn working_hours_boundaries_in_the_team_time_zone() {
        // Kyiv is UTC+2 in winter. 2026-12-01 is a Tuesday.
        let hours = WorkingHours::parse(
            "Mon-Fri 09:00-18:00; Sat 10:00-14:00",
            Some("Europe/Kyiv"),
            Some("2026-12-25"),
        )
        .expect("hours");
        assert!(
            !hours.is_open(utc(2026, 12, 1, 6, 59)),
            "08:59 local: closed"
        );
        assert!(hours.is_open(utc(2026, 12, 1, 7, 0)), "09:00 local: open");
        assert!(hours.is_open(utc(2026, 12, 1, 15, 59)), "17:59 local: open");
        assert!(
            !hours.is_open(utc(2026, 12, 1, 16, 0)),
            "18:00 local: closed"
        );
        assert!(hours.is_open(utc(2026, 12, 5, 8, 0)), "Saturday 10:00");
        assert!(!hours.is_open(utc(2026, 12, 6, 8, 0)), "Sunday");
        assert!(!hours.is_open(utc(2026, 12, 25, 10, 0)), "a holiday");
        // Summer time moves the boundary by an hour in UTC.
        assert!(
            hours.is_open(utc(2026, 7, 1, 6, 0)),
            "09:00 Kyiv summer time"
        );
        assert!(!hours.is_open(utc(2026, 7, 1, 5, 59)));
    }

    #[test]
    fn night_shifts_cross_midnight() {
        let hours = WorkingHours::parse("Fri 22:00-06:00", None, None).expect("hours");
        assert!(hours.is_open(utc(2026, 12, 4, 23, 0)), "Friday night");
        assert!(hours.is_open(utc(2026, 12, 5, 5, 59)), "early Saturday");
        assert!(!hours.is_open(utc(2026, 12, 5, 6, 0)));
    }

    #[test]
    fn bad_hours_say_what_is_wrong() {
        assert_eq!(
            WorkingHours::parse("weekdays", None, None),
            Err(HoursError::Hours)
        );
        assert_eq!(
            WorkingHours::parse("Mon 09:00-18:00", Some("Mars/Olympus"), None),
            Err(HoursError::Timezone)
        );
        assert_eq!(
            WorkingHours::parse("Mon 09:00-18:00", None, Some("25.12.2026")),
            Err(HoursError::Holidays)
        );
    }
}
