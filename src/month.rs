//! A calendar month, as people write it (`2026-11`): the report CLI's
//! `--month`, agents' `/report 2026-11`, and the monthly post's month.

use chrono::{Datelike, Months, NaiveDate};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    /// `2026-11`, surrounding spaces allowed; none for anything else.
    pub fn parse(text: &str) -> Option<Month> {
        let text = text.trim();
        // Exactly YYYY-MM: chrono alone would also take "2026-1" or "+2026-11".
        let shaped = text.len() == 7 && text.as_bytes()[4] == b'-';
        let first = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok().filter(|_| shaped)?;
        Some(Month { first })
    }

    /// The month holding `day`.
    pub fn of(day: NaiveDate) -> Option<Month> {
        Some(Month { first: day.with_day(1)? })
    }

    /// The last full month before `today`'s.
    pub fn before(today: NaiveDate) -> Option<Month> {
        Month::of(today)?.previous()
    }

    pub fn previous(self) -> Option<Month> {
        Some(Month { first: self.first.checked_sub_months(Months::new(1))? })
    }

    pub fn next(self) -> Option<Month> {
        Some(Month { first: self.first.checked_add_months(Months::new(1))? })
    }

    pub fn first(self) -> NaiveDate {
        self.first
    }

    /// Its last day; none for the month at the end of the calendar.
    pub fn last(self) -> Option<NaiveDate> {
        self.next()?.first.pred_opt()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a day")
    }

    #[test]
    fn months_read_as_written_and_step_across_years() {
        let november = Month::parse(" 2026-11 ").expect("a month");
        assert_eq!((november.first(), november.last()), (day(2026, 11, 1), Some(day(2026, 11, 30))));
        assert_eq!(november.to_string(), "2026-11");
        for text in ["2026-13", "November", "2026-11-01", "2026-1", "+2026-11", ""] {
            assert_eq!(Month::parse(text), None, "{text}");
        }
        assert_eq!(Month::before(day(2026, 1, 1)), Month::parse("2025-12"));
        assert_eq!(Month::of(day(2026, 12, 31)).and_then(Month::next), Month::parse("2027-01"));
        assert_eq!(Month::parse("2028-02").and_then(Month::last), Some(day(2028, 2, 29)));
    }
}
