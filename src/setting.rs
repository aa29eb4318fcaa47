//! Values as they are written in the settings file: durations ("48h"),
//! calendar years ("3y"), patterns (regular expressions) and time zones
//! ("Asia/Shanghai"). Every module's settings are built from these.

use std::time::Duration;

use chrono_tz::Tz;
use regex::Regex;
use serde::Deserialize;

/// A regular expression from the config.
#[derive(Clone, Debug)]
pub struct Pattern(pub Regex);

impl Default for Pattern {
    fn default() -> Self {
        // A literal that is known to compile.
        Pattern(Regex::new("[A-Za-z0-9-]{6,32}").unwrap_or_else(|_| unreachable!()))
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Regex::new(&text).map(Pattern).map_err(serde::de::Error::custom)
    }
}

/// The shop's time zone, by IANA name ("Asia/Shanghai").
#[derive(Clone, Copy, Debug)]
pub struct TimeZone(pub Tz);

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse::<Tz>().map(TimeZone).map_err(|_| {
            serde::de::Error::custom(format!("unknown time zone {text:?}, expected a name like Asia/Shanghai"))
        })
    }
}

/// A duration written as in `"90s"`, `"48h"`, `"3d"`, `"1h30m"`, `"500ms"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span(pub Duration);

/// Units humantime reads as averages (a month as 30.44 days): refused, and
/// so is `"1M"`, which a reader takes for a minute.
const CALENDAR_UNITS: [&str; 6] = ["M", "month", "months", "y", "year", "years"];

impl Span {
    /// Parses with humantime, which is more lenient than a settings file
    /// should be: it reads `"1.5h"`, `"3 days"` and calendar units, so the
    /// text must first be digits and unit letters only, with no such unit.
    pub fn parse(text: &str) -> Result<Span, String> {
        let bad = || format!("{text:?} is not a duration such as \"90s\", \"48h\" or \"3d\"");
        let text = text.trim();
        let plain = text.chars().all(|c| c.is_ascii_alphanumeric());
        let calendar = text.split(|c: char| c.is_ascii_digit()).any(|unit| CALENDAR_UNITS.contains(&unit));
        if !plain || calendar {
            return Err(bad());
        }
        humantime::parse_duration(text).map(Span).map_err(|_| bad())
    }

    pub fn chrono(self) -> chrono::Duration {
        chrono::Duration::from_std(self.0).unwrap_or(chrono::Duration::MAX)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Span::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Whole calendar years, written `"3y"`: how long records are kept. Not a
/// [`Span`], whose units are fixed lengths; a year here ends on the same
/// date (29 February going to the 28th).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Years(pub u32);

impl Years {
    pub fn parse(text: &str) -> Result<Years, String> {
        let bad = || format!("{text:?} is not a number of years such as \"3y\"");
        let digits = text.trim().strip_suffix('y').ok_or_else(bad)?;
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        digits.parse().map(Years).map_err(|_| bad())
    }

    /// The instant `self` years before `at`.
    pub fn before(self, at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        at.checked_sub_months(chrono::Months::new(self.0.saturating_mul(12)))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
    }
}

impl std::fmt::Display for Years {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}y", self.0)
    }
}

impl<'de> Deserialize<'de> for Years {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Years::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_with_units() {
        let table = [("90s", 90), ("48h", 48 * 3600), ("3d", 3 * 86_400), ("1h30m", 5400), ("2min", 120)];
        for (text, secs) in table {
            assert_eq!(Span::parse(text), Ok(Span(Duration::from_secs(secs))), "{text}");
        }
        assert_eq!(Span::parse("500ms"), Ok(Span(Duration::from_millis(500))));
        for text in ["", "90", "h", "3 days", "-1s", "1.5h"] {
            assert!(Span::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn spaced_and_calendar_durations_are_refused_though_humantime_reads_them() {
        for text in ["1h 30m", "90 s", "1M", "2y", "3months", "1e3s"] {
            assert!(Span::parse(text).is_err(), "{text}");
        }
        assert_eq!(Span::parse(" 2w "), Ok(Span(Duration::from_secs(14 * 86_400))));
    }

    #[test]
    fn years_are_whole_and_end_on_the_same_date() {
        assert_eq!(Years::parse("3y"), Ok(Years(3)));
        assert_eq!(Years::parse(" 10y "), Ok(Years(10)));
        for text in ["", "y", "3", "3 y", "-3y", "2.5y", "3years", "1095d"] {
            assert!(Years::parse(text).is_err(), "{text}");
        }
        let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text).expect("time").to_utc();
        assert_eq!(Years(3).before(at("2029-12-07T09:00:00Z")), at("2026-12-07T09:00:00Z"));
        assert_eq!(Years(1).before(at("2028-02-29T12:00:00Z")), at("2027-02-28T12:00:00Z"));
    }
}
