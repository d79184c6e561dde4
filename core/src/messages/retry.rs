//! When a message whose delivery failed is tried again, and when it is given up.
//!
//! Twelve attempts in all: the first at once, then after 30 s, doubling up to six hours between
//! attempts, which spreads them over about 15 hours, so that a mail server down for the night is
//! still reached. A permanent refusal (an address the server rejects) is not retried.

use std::time::Duration;

/// Attempts before a message goes to the dead letters.
pub const MAX_ATTEMPTS: u32 = 12;

/// The first wait; each later one doubles it.
const FIRST_WAIT_SECONDS: u64 = 30;
/// The longest wait between two attempts.
const LONGEST_WAIT_SECONDS: u64 = 6 * 60 * 60;

/// How long to wait before the next attempt after `attempts` failed ones (1 after the first),
/// or `None` when the message is given up. `jitter` (0.0–1.0, from the caller's random source)
/// adds up to a fifth, so that messages failed together are not all retried in the same second.
pub fn retry_after(attempts: u32, jitter: f64) -> Option<Duration> {
    if attempts == 0 || attempts >= MAX_ATTEMPTS {
        return None;
    }
    let wait = FIRST_WAIT_SECONDS.saturating_mul(1 << (attempts - 1).min(20)).min(LONGEST_WAIT_SECONDS);
    let extra = (wait as f64 * jitter.clamp(0.0, 1.0) / 5.0) as u64;
    Some(Duration::from_secs(wait + extra))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn waits_double_from_thirty_seconds_up_to_six_hours() {
        let waits: Vec<u64> = (1..MAX_ATTEMPTS).map(|a| retry_after(a, 0.0).unwrap().as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600]);
        let total: u64 = waits.iter().sum();
        assert!((12 * 3600..24 * 3600).contains(&total), "{total} s from the first attempt to the last");
    }

    #[test]
    fn the_twelfth_failure_is_the_last() {
        assert!(retry_after(MAX_ATTEMPTS - 1, 0.5).is_some());
        assert_eq!(retry_after(MAX_ATTEMPTS, 0.5), None);
        assert_eq!(retry_after(0, 0.5), None);
    }

    proptest! {
        #[test]
        fn jitter_adds_at_most_a_fifth_and_never_shortens_a_wait(attempts in 1u32..MAX_ATTEMPTS, jitter in -1.0f64..2.0) {
            let plain = retry_after(attempts, 0.0).unwrap();
            let jittered = retry_after(attempts, jitter).unwrap();
            prop_assert!(jittered >= plain);
            prop_assert!(jittered.as_secs() <= plain.as_secs() + plain.as_secs() / 5);
        }
    }
}
