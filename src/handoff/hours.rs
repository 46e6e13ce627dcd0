//! The team's working hours and holidays: during them every consultant counts as on shift
//! unless she said /offline; outside them only those who said /online. The time is always
//! passed in; nothing here reads a clock.
//!
//! Each team has its own (see [`super::teams`]): the text `Mon-Fri 09:00-18:00; Sat 10:00-14:00`
//! (windows separated by `;`, a window may cross midnight: `Fri 22:00-06:00`), a time zone
//! (`Europe/Kyiv`, default UTC) and holidays (`2026-12-25,2027-01-01`, whole days in the team's
//! time zone). `HELPLINE_WORKING_HOURS`, `HELPLINE_TEAM_TIMEZONE` and `HELPLINE_HOLIDAYS` seed
//! the default team at the first start.
//!
//! [`WorkingHours::next_change`] says when the team next starts or stops work: a /online or
//! /offline statement lapses then, so yesterday's /offline does not keep her off today.

use chrono::{
    DateTime, Datelike as _, NaiveDate, NaiveTime, TimeDelta, Timelike as _, Utc, Weekday,
};
use chrono_tz::Tz;

/// How far [`WorkingHours::next_change`] looks: two weeks.
pub const LOOKAHEAD: TimeDelta = TimeDelta::days(14);

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

    /// The windows as text, in the syntax [`WorkingHours::parse`] reads (`Mon,Tue 09:00-18:00`).
    pub fn hours_text(&self) -> String {
        let windows: Vec<String> = self
            .windows
            .iter()
            .map(|w| {
                let days: Vec<&str> = w
                    .days
                    .iter()
                    .filter_map(|d| DAYS.iter().find(|(_, x)| x == d).map(|(n, _)| *n))
                    .collect();
                format!(
                    "{} {}-{}",
                    days.join(","),
                    w.opens.format("%H:%M"),
                    w.closes.format("%H:%M")
                )
            })
            .collect();
        windows.join("; ")
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// The holidays as text (`2026-12-25,2027-01-01`).
    pub fn holidays_text(&self) -> String {
        let days: Vec<String> = self.holidays.iter().map(|d| d.to_string()).collect();
        days.join(",")
    }

    /// The first moment after `after` at which the team starts or stops work (a window opens
    /// or closes, a holiday begins or ends, a clock change moves a boundary), within
    /// [`LOOKAHEAD`]; `None` when nothing changes that long (holidays back to back).
    ///
    /// Boundaries fall on whole minutes in UTC (windows are `HH:MM`, every zone's offset is a
    /// whole number of minutes), so the minutes are walked: at most 20,160 cheap checks, and
    /// no special case for summer time, midnight-crossing windows or holidays can be missed.
    pub fn next_change(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let open = self.is_open(after);
        let start = after
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(after)
            + TimeDelta::minutes(1);
        let mut t = start;
        while t - start <= LOOKAHEAD {
            if self.is_open(t) != open {
                return Some(t);
            }
            t += TimeDelta::minutes(1);
        }
        None
    }

    /// Whether the team starts or stops work between `from` (excluded) and `to` (included).
    pub fn changes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        to > from && self.next_change(from).is_some_and(|c| c <= to)
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
    fn the_next_change_across_days_midnight_summer_time_and_holidays() {
        let kyiv = WorkingHours::parse(
            "Mon-Fri 09:00-18:00",
            Some("Europe/Kyiv"),
            Some("2026-12-25"),
        )
        .expect("hours");
        // Tuesday 2026-12-01, 12:00 Kyiv (10:00 UTC): the day ends at 18:00 (16:00 UTC).
        assert_eq!(
            kyiv.next_change(utc(2026, 12, 1, 10, 0)),
            Some(utc(2026, 12, 1, 16, 0))
        );
        // 18:00:30 local, just closed: the next opening is Wednesday 09:00.
        let closed = utc(2026, 12, 1, 16, 0) + TimeDelta::seconds(30);
        assert_eq!(kyiv.next_change(closed), Some(utc(2026, 12, 2, 7, 0)));
        // Friday evening: the next opening is Monday.
        assert_eq!(
            kyiv.next_change(utc(2026, 12, 4, 17, 0)),
            Some(utc(2026, 12, 7, 7, 0))
        );
        // Thursday 24th evening: Friday 25th is a holiday, so Monday 28th.
        assert_eq!(
            kyiv.next_change(utc(2026, 12, 24, 17, 0)),
            Some(utc(2026, 12, 28, 7, 0))
        );
        // Summer time: Friday 2026-03-27 18:00 is 16:00 UTC; the clocks go forward on
        // Sunday 29th, so Monday 09:00 is 06:00 UTC.
        assert_eq!(
            kyiv.next_change(utc(2026, 3, 27, 12, 0)),
            Some(utc(2026, 3, 27, 16, 0))
        );
        assert_eq!(
            kyiv.next_change(utc(2026, 3, 27, 16, 0)),
            Some(utc(2026, 3, 30, 6, 0))
        );
        assert!(kyiv.changes_between(utc(2026, 12, 1, 10, 0), utc(2026, 12, 1, 16, 0)));
        assert!(!kyiv.changes_between(utc(2026, 12, 1, 10, 0), utc(2026, 12, 1, 15, 59)));
        assert!(!kyiv.changes_between(utc(2026, 12, 1, 16, 0), utc(2026, 12, 1, 10, 0)));

        // A night shift crossing midnight, in a zone whose clocks go back in it: Sunday
        // 2026-10-25 at 04:00 Kyiv summer time becomes 03:00 (01:00 UTC).
        let night =
            WorkingHours::parse("Sat 22:00-06:00", Some("Europe/Kyiv"), None).expect("hours");
        // Saturday 22:00 summer time is 19:00 UTC; 06:00 winter time on Sunday is 04:00 UTC.
        assert_eq!(
            night.next_change(utc(2026, 10, 24, 12, 0)),
            Some(utc(2026, 10, 24, 19, 0))
        );
        assert_eq!(
            night.next_change(utc(2026, 10, 24, 19, 0)),
            Some(utc(2026, 10, 25, 4, 0)),
            "a night of nine hours when the clocks go back"
        );
        assert!(night.changes_between(utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 4, 0)));
        assert!(!night.changes_between(utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 3, 59)));

        // Holidays back to back for longer than the lookahead: nothing changes in sight.
        let holidays: Vec<String> = (1..=20).map(|d| format!("2026-08-{d:02}")).collect();
        let away = WorkingHours::parse("Mon-Sun 09:00-18:00", None, Some(&holidays.join(",")))
            .expect("hours");
        assert_eq!(away.next_change(utc(2026, 7, 31, 20, 0)), None);
    }

    #[test]
    fn hours_round_trip_as_text() {
        let hours = WorkingHours::parse(
            "Mon-Wed 09:00-18:00; Fri 22:00-06:00",
            Some("Asia/Almaty"),
            Some("2026-12-25,2027-01-01"),
        )
        .expect("hours");
        assert_eq!(
            hours.hours_text(),
            "mon,tue,wed 09:00-18:00; fri 22:00-06:00"
        );
        assert_eq!(hours.holidays_text(), "2026-12-25,2027-01-01");
        let again = WorkingHours::parse(
            &hours.hours_text(),
            Some(hours.timezone().name()),
            Some(&hours.holidays_text()),
        )
        .expect("again");
        assert_eq!(again, hours);
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
