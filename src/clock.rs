//! The time the shell works with. In production it is the system clock; a
//! test (or a rehearsal) can move it forward with a file holding an offset
//! in seconds (`AFTERSALES_CLOCK_FILE`), so that follow-ups due in days run
//! now, without sleeping and without touching the machine's clock.

use std::path::PathBuf;

use chrono::{DateTime, TimeDelta, Utc};

/// Where the offset file is named.
pub const CLOCK_FILE_ENV: &str = "AFTERSALES_CLOCK_FILE";

#[derive(Clone, Debug, Default)]
pub enum Clock {
    #[default]
    System,
    /// The system time plus the seconds written in this file (0 when it is
    /// missing or unreadable).
    Offset(PathBuf),
}

impl Clock {
    pub fn from_env() -> Clock {
        match std::env::var_os(CLOCK_FILE_ENV) {
            Some(path) if !path.is_empty() => Clock::Offset(path.into()),
            _ => Clock::System,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Offset(path) => {
                let seconds =
                    std::fs::read_to_string(path).ok().and_then(|text| text.trim().parse::<i64>().ok()).unwrap_or(0);
                Utc::now() + TimeDelta::try_seconds(seconds).unwrap_or_default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_file_moves_the_clock() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("clock");
        let clock = Clock::Offset(path.clone());
        let drift = |clock: &Clock, expected: i64| {
            (clock.now() - Utc::now() - TimeDelta::seconds(expected)).num_seconds().abs()
        };
        assert!(drift(&clock, 0) <= 1, "a missing file means no offset");
        std::fs::write(&path, "86400\n").expect("write");
        assert!(drift(&clock, 86_400) <= 1);
        std::fs::write(&path, "soon").expect("write");
        assert!(drift(&clock, 0) <= 1, "an unreadable offset is ignored");
        assert!(drift(&Clock::System, 0) <= 1);
    }
}
