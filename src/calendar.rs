//! The shop's working days: weekends, public holidays and the weekend days
//! worked instead (调休), and its working hours. Deadlines promised "in N
//! working days" (review, refund after inspection) count on it, and the
//! report's response times in working hours, in the shop's time zone. Pure.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Calendar {
    /// Days of the week the shop does not work ("sat", "sun").
    #[serde(with = "weekdays")]
    pub weekend: Vec<Weekday>,
    /// Days off on top of the weekend.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days worked to make up for a holiday.
    pub workdays: BTreeSet<NaiveDate>,
    /// The hours worked on a working day, shop time ("09:00-18:00"). They
    /// decide no deadline, so they stay out of the rules' version.
    #[serde(skip_serializing)]
    pub hours: WorkingHours,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            weekend: vec![Weekday::Sat, Weekday::Sun],
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
            hours: WorkingHours::default(),
        }
    }
}

/// From `start` to `end` of a working day, shop time; `start` before `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkingHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Default for WorkingHours {
    fn default() -> Self {
        let at = |hour| NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default();
        WorkingHours { start: at(9), end: at(18) }
    }
}

impl WorkingHours {
    /// "09:00-18:00".
    pub fn parse(text: &str) -> Result<WorkingHours, String> {
        let wrong = || format!("{text:?}: write working hours as \"09:00-18:00\", the start before the end");
        let (start, end) = text.split_once('-').ok_or_else(wrong)?;
        let time = |text: &str| NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| wrong());
        let (start, end) = (time(start)?, time(end)?);
        if start >= end {
            return Err(wrong());
        }
        Ok(WorkingHours { start, end })
    }
}

impl<'de> Deserialize<'de> for WorkingHours {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        WorkingHours::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl Calendar {
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.workdays.contains(&date) {
            return true;
        }
        !self.holidays.contains(&date) && !self.weekend.contains(&date.weekday())
    }

    /// The moment `days` working days after `from`, in the shop's zone. A
    /// request made on a day off counts from the start of the next working
    /// day: Friday 18:00 + 1 is Monday 18:00; Saturday 10:00 + 1 is the end
    /// of Monday. A calendar with no working day at all counts plain days.
    pub fn add_working_days(&self, from: DateTime<Utc>, days: u32, zone: Tz) -> DateTime<Utc> {
        let local = from.with_timezone(&zone).naive_local();
        let (mut date, mut time) = (local.date(), local.time());
        let has_working_days = self.weekend.len() < 7 || !self.workdays.is_empty();
        // Ten years of search is far beyond any holiday list.
        let next_working = |date: NaiveDate| {
            (1..=3660u64).filter_map(|n| date.checked_add_days(Days::new(n))).find(|d| self.is_working_day(*d))
        };
        if has_working_days && !self.is_working_day(date) {
            match next_working(date) {
                Some(next) => (date, time) = (next, NaiveTime::MIN),
                None => return from,
            }
        }
        for _ in 0..days {
            let next = if has_working_days { next_working(date) } else { date.checked_add_days(Days::new(1)) };
            match next {
                Some(next) => date = next,
                None => return from,
            }
        }
        let target = date.and_time(time);
        zone.from_local_datetime(&target)
            .earliest()
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&target))
    }

    /// The working time from `from` to `to`: the part of it within the
    /// working hours of working days, in the shop's zone (none if `to` is
    /// not after `from`).
    pub fn working_time(&self, from: DateTime<Utc>, to: DateTime<Utc>, zone: Tz) -> TimeDelta {
        if to <= from {
            return TimeDelta::zero();
        }
        let local = |day: NaiveDate, time: NaiveTime| {
            zone.from_local_datetime(&day.and_time(time)).earliest().map(|at| at.with_timezone(&Utc))
        };
        let last = to.with_timezone(&zone).date_naive();
        from.with_timezone(&zone)
            .date_naive()
            .iter_days()
            .take_while(|day| *day <= last)
            .filter(|day| self.is_working_day(*day))
            .filter_map(|day| {
                let start = local(day, self.hours.start)?.max(from);
                let end = local(day, self.hours.end)?.min(to);
                (end > start).then(|| end - start)
            })
            .fold(TimeDelta::zero(), |sum, worked| sum + worked)
    }
}

/// Weekdays written as "mon" … "sun" in the config.
mod weekdays {
    use chrono::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    const NAMES: [(&str, Weekday); 7] = [
        ("mon", Weekday::Mon),
        ("tue", Weekday::Tue),
        ("wed", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("fri", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("sun", Weekday::Sun),
    ];

    pub fn serialize<S: Serializer>(days: &[Weekday], serializer: S) -> Result<S::Ok, S::Error> {
        let names = days.iter().map(|day| NAMES.iter().find(|(_, d)| d == day).map_or("?", |(name, _)| *name));
        serializer.collect_seq(names)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Weekday>, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        names
            .iter()
            .map(|name| {
                let lower = name.to_ascii_lowercase();
                NAMES.iter().find(|(short, _)| lower.starts_with(short)).map(|(_, day)| *day).ok_or_else(|| {
                    serde::de::Error::custom(format!("{name:?} is not a weekday; write \"sat\", \"sun\" …"))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).expect("test time")
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("test date")
    }

    /// October 2026 in China: 1–7 October off, Saturday 10 October worked.
    fn national_day() -> Calendar {
        Calendar {
            holidays: (1..=7).map(|day| date(&format!("2026-10-0{day}"))).collect(),
            workdays: [date("2026-10-10")].into(),
            ..Calendar::default()
        }
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let plain = Calendar::default();
        let table = [
            ("Monday 10:00 + 1", &plain, "2026-11-23T10:00:00+08:00", 1, "2026-11-24T10:00:00+08:00"),
            ("Friday 18:00 + 1", &plain, "2026-11-27T18:00:00+08:00", 1, "2026-11-30T18:00:00+08:00"),
            ("Saturday + 1 ends with Monday", &plain, "2026-11-28T10:00:00+08:00", 1, "2026-12-01T00:00:00+08:00"),
            ("Friday + 3", &plain, "2026-11-27T09:00:00+08:00", 3, "2026-12-02T09:00:00+08:00"),
            ("zero days on a day off", &plain, "2026-11-28T10:00:00+08:00", 0, "2026-11-30T00:00:00+08:00"),
            ("into the holiday", &national_day(), "2026-09-30T15:00:00+08:00", 1, "2026-10-08T15:00:00+08:00"),
            ("the worked Saturday", &national_day(), "2026-10-09T15:00:00+08:00", 1, "2026-10-10T15:00:00+08:00"),
        ];
        for (case, calendar, from, days, expected) in table {
            assert_eq!(calendar.add_working_days(at(from), days, shanghai), at(expected), "{case}");
        }
    }

    #[test]
    fn working_time_counts_the_working_hours_of_working_days() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let plain = Calendar::default();
        let early = Calendar { hours: WorkingHours::parse("08:30-17:30").expect("hours"), ..Calendar::default() };
        let table = [
            ("within a morning", &plain, "2026-11-23T10:00:00+08:00", "2026-11-23T12:00:00+08:00", 120),
            ("over the night", &plain, "2026-11-23T17:00:00+08:00", "2026-11-24T10:00:00+08:00", 120),
            ("over the weekend", &plain, "2026-11-27T17:30:00+08:00", "2026-11-30T09:30:00+08:00", 60),
            ("before opening", &plain, "2026-11-23T07:00:00+08:00", "2026-11-23T09:30:00+08:00", 30),
            ("after closing", &plain, "2026-11-23T18:30:00+08:00", "2026-11-23T23:00:00+08:00", 0),
            ("on a Saturday", &plain, "2026-11-28T10:00:00+08:00", "2026-11-28T15:00:00+08:00", 0),
            ("backwards", &plain, "2026-11-23T12:00:00+08:00", "2026-11-23T10:00:00+08:00", 0),
            ("into the holiday", &national_day(), "2026-09-30T17:00:00+08:00", "2026-10-08T10:00:00+08:00", 120),
            ("the worked Saturday", &national_day(), "2026-10-10T00:00:00+08:00", "2026-10-11T00:00:00+08:00", 540),
            ("other hours", &early, "2026-11-23T08:00:00+08:00", "2026-11-23T18:00:00+08:00", 540),
        ];
        for (case, calendar, from, to, minutes) in table {
            assert_eq!(calendar.working_time(at(from), at(to), shanghai), TimeDelta::minutes(minutes), "{case}");
        }
    }

    #[test]
    fn working_hours_are_written_start_to_end() {
        let calendar: Calendar = toml::from_str("hours = \"08:30-17:30\"").expect("calendar");
        assert_eq!(calendar.hours.start, NaiveTime::from_hms_opt(8, 30, 0).expect("a time"));
        for wrong in ["hours = \"18:00-09:00\"", "hours = \"9-18\"", "hours = \"09:00\""] {
            assert!(toml::from_str::<Calendar>(wrong).is_err(), "{wrong}");
        }
        // The hours decide no deadline: the rules' version does not see them.
        let json = serde_json::to_value(&calendar).expect("json");
        assert!(json.get("hours").is_none(), "{json}");
    }

    #[test]
    fn the_day_is_the_shops_day() {
        // 17:00 UTC on Friday is already 01:00 on Saturday in Shanghai.
        let deadline = Calendar::default().add_working_days(at("2026-11-27T17:00:00Z"), 1, chrono_tz::Asia::Shanghai);
        assert_eq!(deadline, at("2026-12-01T00:00:00+08:00"));
    }

    #[test]
    fn weekdays_are_written_as_names() {
        let calendar: Calendar =
            toml::from_str("weekend = [\"fri\", \"Saturday\"]\nholidays = [\"2026-10-01\"]").expect("calendar");
        assert_eq!(calendar.weekend, vec![Weekday::Fri, Weekday::Sat]);
        assert!(!calendar.is_working_day(date("2026-10-01")));
        assert!(toml::from_str::<Calendar>("weekend = [\"someday\"]").is_err());
    }
}
