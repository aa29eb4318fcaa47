//! The shop's working days: weekends, public holidays and the weekend days
//! worked instead (调休). Deadlines promised "in N working days" (review,
//! refund after inspection) count on it, in the shop's time zone. Pure.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
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
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar { weekend: vec![Weekday::Sat, Weekday::Sun], holidays: BTreeSet::new(), workdays: BTreeSet::new() }
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
