//! "Open now": weekly opening hours read in the local time of the service's city. The time is
//! always passed in; nothing here reads a clock.

use chrono::{DateTime, Datelike as _, NaiveDateTime, NaiveTime, Timelike as _, Utc};
use chrono_tz::Tz;

use super::model::Schedule;

/// Whether any of `schedules` is open at `now` in `timezone`. `None` when the listing has no
/// hours at all (the card then says nothing about opening times, rather than "closed").
pub fn open_now(schedules: &[Schedule], timezone: Tz, now: DateTime<Utc>) -> Option<bool> {
    if schedules.is_empty() {
        return None;
    }
    let local = now.with_timezone(&timezone).naive_local();
    Some(schedules.iter().any(|s| is_open(s, local)))
}

fn is_open(schedule: &Schedule, local: NaiveDateTime) -> bool {
    let day = local.weekday();
    let time = local.time();
    let on = |d| schedule.days.contains(&d);
    let until_midnight = schedule.closes == last_minute();
    if schedule.closes > schedule.opens {
        on(day) && time >= schedule.opens && (time < schedule.closes || until_midnight)
    } else {
        // Past midnight (22:00–06:00), or the whole day when opens == closes.
        (on(day) && time >= schedule.opens) || (on(day.pred()) && time < schedule.closes)
    }
}

/// 23:59, HSDS's conventional "until midnight".
fn last_minute() -> NaiveTime {
    NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default()
}

/// True when a schedule covers the whole day (00:00–23:59 or 00:00–00:00).
pub fn is_all_day(schedule: &Schedule) -> bool {
    schedule.opens.num_seconds_from_midnight() == 0
        && (schedule.closes == last_minute() || schedule.closes == schedule.opens)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone as _, Weekday};

    use super::*;
    use crate::directory::model::RecordId;

    fn schedule(days: &[Weekday], opens: &str, closes: &str) -> Schedule {
        Schedule {
            id: RecordId::parse("s").expect("id"),
            days: days.to_vec(),
            opens: NaiveTime::parse_from_str(opens, "%H:%M").expect("time"),
            closes: NaiveTime::parse_from_str(closes, "%H:%M").expect("time"),
            description: None,
        }
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn hours_are_read_in_the_city_timezone_with_summer_time() {
        let weekdays = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ];
        let hours = [schedule(&weekdays, "09:00", "18:00")];
        // Friday 1 May 2026, 06:30 UTC is 09:30 in Kyiv (UTC+3 in summer): open.
        assert_eq!(
            open_now(&hours, chrono_tz::Europe::Kyiv, utc(2026, 5, 1, 6, 30)),
            Some(true)
        );
        // The same instant is 08:30 in Belgrade (UTC+2): not yet open.
        assert_eq!(
            open_now(&hours, chrono_tz::Europe::Belgrade, utc(2026, 5, 1, 6, 30)),
            Some(false)
        );
        // In winter Kyiv is UTC+2: 06:30 UTC on Friday 4 December 2026 is 08:30.
        assert_eq!(
            open_now(&hours, chrono_tz::Europe::Kyiv, utc(2026, 12, 4, 6, 30)),
            Some(false)
        );
        // Saturday: closed all day.
        assert_eq!(
            open_now(&hours, chrono_tz::Europe::Kyiv, utc(2026, 5, 2, 9, 0)),
            Some(false)
        );
        assert_eq!(
            open_now(&[], chrono_tz::Europe::Kyiv, utc(2026, 5, 2, 9, 0)),
            None
        );
    }

    #[test]
    fn overnight_and_all_day_hours() {
        let night = [schedule(&[Weekday::Fri], "22:00", "06:00")];
        let tz = chrono_tz::Asia::Almaty; // UTC+5, no summer time
        assert_eq!(open_now(&night, tz, utc(2026, 5, 1, 17, 30)), Some(true)); // Fri 22:30
        assert_eq!(open_now(&night, tz, utc(2026, 5, 1, 23, 0)), Some(true)); // Sat 04:00
        assert_eq!(open_now(&night, tz, utc(2026, 5, 2, 1, 30)), Some(false)); // Sat 06:30
        let week = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        let always = [schedule(&week, "00:00", "23:59")];
        assert!(is_all_day(&always[0]));
        assert_eq!(open_now(&always, tz, utc(2026, 5, 2, 18, 59)), Some(true)); // 23:59 local
    }
}
