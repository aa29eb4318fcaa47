//! When follow-ups may reach a customer: never in the shop's quiet hours
//! (night), and progress once a day at a set local time (retries back off
//! with [`crate::backoff`]). Pure: every function takes the time it reasons
//! about.

use chrono::{DateTime, Days, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

/// A local time of day written "10:00".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime(pub NaiveTime);

impl LocalTime {
    pub fn parse(text: &str) -> Result<LocalTime, String> {
        NaiveTime::parse_from_str(text.trim(), "%H:%M")
            .map(LocalTime)
            .map_err(|_| format!("{text:?} is not a time of day such as \"10:00\""))
    }
}

impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        LocalTime::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Local hours when no follow-up is sent to customers, written
/// "21:00-09:00" (over midnight) or "" for none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours(pub Option<(NaiveTime, NaiveTime)>);

impl QuietHours {
    pub fn parse(text: &str) -> Result<QuietHours, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(QuietHours(None));
        }
        let bad = || format!("{text:?} is not a range of hours such as \"21:00-09:00\"");
        let (from, to) = text.split_once('-').ok_or_else(bad)?;
        let from = LocalTime::parse(from).map_err(|_| bad())?.0;
        let to = LocalTime::parse(to).map_err(|_| bad())?.0;
        if from == to {
            return Err(bad());
        }
        Ok(QuietHours(Some((from, to))))
    }

    /// Whether the local time `time` is quiet.
    pub fn contains(self, time: NaiveTime) -> bool {
        match self.0 {
            None => false,
            Some((from, to)) if from < to => from <= time && time < to,
            Some((from, to)) => time >= from || time < to,
        }
    }
}

impl<'de> Deserialize<'de> for QuietHours {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        QuietHours::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// `at`, or the end of the quiet hours it falls in.
pub fn outside_quiet(at: DateTime<Utc>, zone: Tz, quiet: QuietHours) -> DateTime<Utc> {
    let Some((_, to)) = quiet.0 else { return at };
    let local = at.with_timezone(&zone);
    if !quiet.contains(local.time()) {
        return at;
    }
    let day =
        if local.time() >= to { local.date_naive().checked_add_days(Days::new(1)) } else { Some(local.date_naive()) };
    day.and_then(|day| zone.from_local_datetime(&day.and_time(to)).earliest()).map_or(at, |end| end.with_timezone(&Utc))
}

/// The next daily progress message: the first `at` (local) at least
/// `MIN_GAP` from now, so that a case opened in the morning is not "updated"
/// an hour later; moved out of quiet hours if a shop set them over it.
pub fn next_progress(now: DateTime<Utc>, zone: Tz, at: LocalTime, quiet: QuietHours) -> DateTime<Utc> {
    const MIN_GAP: TimeDelta = TimeDelta::hours(12);
    let earliest = now + MIN_GAP;
    let start = earliest.with_timezone(&zone).date_naive();
    let slot = (0..3u64)
        .filter_map(|n| start.checked_add_days(Days::new(n)))
        .filter_map(|day| zone.from_local_datetime(&day.and_time(at.0)).earliest())
        .map(|slot| slot.with_timezone(&Utc))
        .find(|slot| *slot >= earliest)
        .unwrap_or(earliest);
    outside_quiet(slot, zone, quiet)
}

#[cfg(test)]
mod tests {
    use chrono_tz::Asia::Shanghai;

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("time").to_utc()
    }

    fn night() -> QuietHours {
        QuietHours::parse("21:00-09:00").expect("quiet hours")
    }

    #[test]
    fn nothing_goes_out_at_night() {
        let table = [
            ("2026-11-23T14:00:00+08:00", "2026-11-23T14:00:00+08:00"),
            ("2026-11-23T21:00:00+08:00", "2026-11-24T09:00:00+08:00"),
            ("2026-11-23T23:59:00+08:00", "2026-11-24T09:00:00+08:00"),
            ("2026-11-24T03:00:00+08:00", "2026-11-24T09:00:00+08:00"),
            ("2026-11-24T09:00:00+08:00", "2026-11-24T09:00:00+08:00"),
        ];
        for (due, sent) in table {
            assert_eq!(outside_quiet(at(due), Shanghai, night()), at(sent), "{due}");
        }
        let afternoon = QuietHours::parse("12:00-14:00").expect("quiet hours");
        assert_eq!(
            outside_quiet(at("2026-11-23T13:00:00+08:00"), Shanghai, afternoon),
            at("2026-11-23T14:00:00+08:00")
        );
        assert_eq!(
            outside_quiet(at("2026-11-23T03:00:00+08:00"), Shanghai, QuietHours(None)),
            at("2026-11-23T03:00:00+08:00")
        );
    }

    #[test]
    fn progress_comes_once_a_day_at_the_set_hour() {
        let ten = LocalTime::parse("10:00").expect("time");
        let table = [
            // Opened at 09:30: not an hour later, but the next morning.
            ("2026-11-23T09:30:00+08:00", "2026-11-24T10:00:00+08:00"),
            ("2026-11-23T10:00:00+08:00", "2026-11-24T10:00:00+08:00"),
            ("2026-11-23T21:30:00+08:00", "2026-11-24T10:00:00+08:00"),
            // Just after midnight: 10:00 the same day is under 12 hours away.
            ("2026-11-24T00:30:00+08:00", "2026-11-25T10:00:00+08:00"),
            ("2026-11-23T22:30:00+08:00", "2026-11-25T10:00:00+08:00"),
        ];
        for (now, due) in table {
            assert_eq!(next_progress(at(now), Shanghai, ten, night()), at(due), "{now}");
        }
        // A progress hour set inside the quiet hours moves to their end.
        let late = LocalTime::parse("22:00").expect("time");
        assert_eq!(
            next_progress(at("2026-11-23T08:00:00+08:00"), Shanghai, late, night()),
            at("2026-11-24T09:00:00+08:00")
        );
    }

    #[test]
    fn bad_times_are_named() {
        for text in ["25:00-09:00", "21:00", "21:00-21:00", "night"] {
            assert!(QuietHours::parse(text).is_err(), "{text}");
        }
        assert!(LocalTime::parse("7pm").is_err());
    }
}
