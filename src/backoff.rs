//! Exponential backoff: the wait before a retry, doubling from a first
//! wait up to a cap, without jitter. A leaf (std only), so that the pure
//! core (follow-up retries, agents' pings) and the shell (the sender,
//! polling, committing an update) share one schedule.

use std::time::Duration;

/// The wait after `failures` failures in a row: `first` after the first
/// one (`failures == 0` is the wait before the first retry), doubling with
/// each further one, capped at `max`. Saturates instead of overflowing.
pub fn exponential(failures: u32, first: Duration, max: Duration) -> Duration {
    let factor = 1u32.checked_shl(failures).unwrap_or(u32::MAX);
    first.saturating_mul(factor).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn millis(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn doubles_from_the_first_wait_up_to_the_cap() {
        // (failures, first, max, wait): the schedules the callers use.
        let table = [
            // The sender: 1 s up to 2 s for a minute, then 4 s up to a minute.
            (0, secs(1), secs(2), secs(1)),
            (1, secs(1), secs(2), secs(2)),
            (29, secs(1), secs(2), secs(2)),
            (1, secs(2), secs(60), secs(4)),
            (5, secs(2), secs(60), secs(60)),
            // getUpdates: 250 ms up to a second, the cap reached exactly.
            (1, millis(250), secs(1), millis(500)),
            (2, millis(250), secs(1), secs(1)),
            (9, millis(250), secs(1), secs(1)),
            // Committing an update: 200 ms up to 30 s.
            (0, millis(200), secs(30), millis(200)),
            (7, millis(200), secs(30), millis(25_600)),
            (8, millis(200), secs(30), secs(30)),
            // Follow-up jobs (defaults): a minute up to an hour.
            (3, secs(60), secs(3600), secs(480)),
            (6, secs(60), secs(3600), secs(3600)),
            // Agents' pings: 30 minutes up to 4 hours.
            (1, secs(1800), secs(14_400), secs(3600)),
            (3, secs(1800), secs(14_400), secs(14_400)),
            // No overflow however long it has been failing.
            (31, secs(1), Duration::MAX, secs(1 << 31)),
            (32, secs(1), Duration::MAX, secs(u64::from(u32::MAX))),
            (u32::MAX, Duration::MAX, Duration::MAX, Duration::MAX),
            (u32::MAX, secs(1), secs(60), secs(60)),
            // A cap below the first wait wins.
            (0, secs(10), secs(5), secs(5)),
            (4, Duration::ZERO, secs(5), Duration::ZERO),
        ];
        for (failures, first, max, wait) in table {
            assert_eq!(exponential(failures, first, max), wait, "{failures} × {first:?} up to {max:?}");
        }
    }

    #[test]
    fn retries_back_off_to_a_cap() {
        let (first, max) = (Duration::from_secs(60), Duration::from_secs(3600));
        let waits: Vec<u64> = (0..9).map(|n| exponential(n, first, max).as_secs()).collect();
        assert_eq!(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(exponential(u32::MAX, first, max), max);
    }
}
