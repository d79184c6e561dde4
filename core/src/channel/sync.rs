//! How far behind a channel is on one order, from its webhook deliveries; and when a failed
//! delivery is tried again (Standard Webhooks' usual schedule), and when it is given up.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Where one webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its first or next attempt.
    Pending,
    /// The channel answered 2xx.
    Acknowledged,
    /// Given up after the last attempt (a dead letter staff may send again).
    Dead,
}

/// One webhook delivery to a channel about an order, as far as its sync state goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySummary {
    /// The order's timeline entry it tells of.
    pub seq: u64,
    pub state: DeliveryState,
    /// Attempts since it was (re)queued.
    pub attempts: u32,
    pub last_error: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// How far behind a channel is on one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// Every event was acknowledged (or there was none to tell).
    Synced,
    /// Events wait for their first attempt.
    Pending,
    /// An attempt failed; it will be tried again.
    Retrying,
    /// A delivery was given up: the channel missed an event until staff send it again.
    Failed,
}

impl SyncState {
    pub fn key(self) -> &'static str {
        match self {
            SyncState::Synced => "synced",
            SyncState::Pending => "pending",
            SyncState::Retrying => "retrying",
            SyncState::Failed => "failed",
        }
    }

    /// Whether the channel has not heard everything yet.
    pub fn behind(self) -> bool {
        self != SyncState::Synced
    }
}

/// One channel's sync state on an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSync {
    pub state: SyncState,
    /// Attempts of the delivery that holds the channel back (0 when synced).
    pub attempts: u32,
    /// Why that delivery last failed.
    pub last_error: Option<String>,
    /// When the channel last acknowledged an event of the order.
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// A channel's sync state from its deliveries about one order: the worst delivery decides (a dead
/// one, then a failing one, then one waiting), and the oldest of those is the one reported.
pub fn sync_state(deliveries: &[DeliverySummary]) -> ChannelSync {
    let acknowledged_at = deliveries.iter().filter_map(|d| d.acknowledged_at).max();
    let rank = |d: &DeliverySummary| match d.state {
        DeliveryState::Dead => Some((0, SyncState::Failed)),
        DeliveryState::Pending if d.attempts > 0 => Some((1, SyncState::Retrying)),
        DeliveryState::Pending => Some((2, SyncState::Pending)),
        DeliveryState::Acknowledged => None,
    };
    let holding =
        deliveries.iter().filter_map(|d| rank(d).map(|r| (r, d))).min_by_key(|((r, _), d)| (*r, d.seq));
    match holding {
        Some(((_, state), d)) => {
            ChannelSync { state, attempts: d.attempts, last_error: d.last_error.clone(), acknowledged_at }
        }
        None => ChannelSync { state: SyncState::Synced, attempts: 0, last_error: None, acknowledged_at },
    }
}

/// Attempts before a webhook is given up.
pub const MAX_ATTEMPTS: u32 = 8;

/// Seconds to wait after the 1st, 2nd, … failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
/// (the schedule Standard Webhooks' reference service uses): about a day and a half in all.
const WAITS: [u64; 7] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/// How long to wait before the next attempt after `attempts` failed ones, or `None` when the
/// webhook is given up. `jitter` (0.0–1.0) adds up to a tenth.
pub fn retry_after(attempts: u32, jitter: f64) -> Option<Duration> {
    if attempts == 0 || attempts >= MAX_ATTEMPTS {
        return None;
    }
    let wait = WAITS[usize::try_from(attempts - 1).ok()?.min(WAITS.len() - 1)];
    let extra = (wait as f64 * jitter.clamp(0.0, 1.0) / 10.0) as u64;
    Some(Duration::from_secs(wait + extra))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(seq: u64, state: DeliveryState, attempts: u32) -> DeliverySummary {
        let acknowledged_at = (state == DeliveryState::Acknowledged)
            .then(|| DateTime::from_timestamp(1_800_000_000 + i64::try_from(seq).unwrap(), 0).unwrap());
        let last_error =
            (attempts > 0 && state != DeliveryState::Acknowledged).then(|| format!("error {seq}"));
        DeliverySummary { seq, state, attempts, last_error, acknowledged_at }
    }

    #[test]
    fn a_channel_that_acknowledged_everything_is_synced() {
        let all = [delivery(1, DeliveryState::Acknowledged, 1), delivery(4, DeliveryState::Acknowledged, 2)];
        let sync = sync_state(&all);
        assert_eq!((sync.state, sync.attempts), (SyncState::Synced, 0));
        assert_eq!(sync.acknowledged_at, all[1].acknowledged_at);
        assert_eq!(sync_state(&[]).state, SyncState::Synced);
        assert!(!SyncState::Synced.behind());
    }

    #[test]
    fn the_worst_delivery_holds_a_channel_back() {
        let waiting = delivery(5, DeliveryState::Pending, 0);
        let failing = delivery(3, DeliveryState::Pending, 2);
        let dead = delivery(4, DeliveryState::Dead, 8);
        let done = delivery(1, DeliveryState::Acknowledged, 1);
        assert_eq!(sync_state(&[done.clone(), waiting.clone()]).state, SyncState::Pending);
        let retrying = sync_state(&[done.clone(), waiting.clone(), failing.clone()]);
        assert_eq!(
            (retrying.state, retrying.attempts, retrying.last_error.as_deref()),
            (SyncState::Retrying, 2, Some("error 3"))
        );
        let failed = sync_state(&[done, waiting, failing, dead]);
        assert_eq!((failed.state, failed.attempts), (SyncState::Failed, 8));
        assert!(failed.state.behind());
    }

    #[test]
    fn failed_webhooks_are_tried_again_for_about_a_day_and_a_half_then_given_up() {
        let waits: Vec<u64> = (1..MAX_ATTEMPTS).map(|a| retry_after(a, 0.0).unwrap().as_secs()).collect();
        assert_eq!(waits, WAITS);
        assert_eq!(retry_after(MAX_ATTEMPTS, 0.0), None);
        assert_eq!(retry_after(0, 0.0), None);
        assert_eq!(retry_after(1, 1.0).unwrap().as_millis(), 5_000, "a tenth of 5 s rounds down");
        assert_eq!(retry_after(2, 1.0).unwrap().as_secs(), 330);
    }
}
