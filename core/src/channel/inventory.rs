//! Available-to-sell told to channels: when a SKU's count is pushed (at most once a second per
//! SKU, the latest count only), what the webhook says, and which channels hear it.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The webhook's `type`.
pub const INVENTORY_UPDATED: &str = "inventory.updated";

/// The least time between two pushes of one SKU: changes in between are told together, as the
/// count after the last of them.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// What channels were last told of a SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pushed {
    pub available: i64,
    /// Counts pushes of the SKU: a channel applies a count only when its version is newer than
    /// the last it applied (a retried webhook may arrive after a later one).
    pub version: u64,
    pub at: DateTime<Utc>,
}

/// The webhook body, in the Standard Webhooks envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InventoryEvent {
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: &'static str,
    #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::datetime"))]
    pub timestamp: DateTime<Utc>,
    pub data: InventoryData,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "camelCase"))]
pub struct InventoryData {
    pub sku: String,
    /// Units that may still be sold: on hand minus reserved over every location, never below 0.
    pub available: i64,
    pub version: u64,
}

/// What to do now for a SKU whose stock changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InventoryPush {
    /// Tell channels `event` (and remember it as the SKU's last push).
    Push(InventoryEvent),
    /// Channels already know this count: nothing to tell.
    Unchanged,
    /// The SKU was pushed less than [`MIN_INTERVAL`] ago: decide again at this moment.
    Wait(DateTime<Utc>),
}

/// What to tell channels of `sku`, whose units on hand minus reserved now sum to `available`,
/// after `last` was pushed.
pub fn inventory_push(sku: &str, available: i64, last: Option<Pushed>, now: DateTime<Utc>) -> InventoryPush {
    let available = available.max(0);
    if let Some(last) = last {
        if last.available == available {
            return InventoryPush::Unchanged;
        }
        let next = last.at + chrono::Duration::from_std(MIN_INTERVAL).unwrap_or(chrono::Duration::seconds(1));
        if now < next {
            return InventoryPush::Wait(next);
        }
    }
    InventoryPush::Push(InventoryEvent {
        kind: INVENTORY_UPDATED,
        timestamp: now,
        data: InventoryData { sku: sku.to_owned(), available, version: last.map_or(1, |l| l.version + 1) },
    })
}

/// The `webhook-id` of push `version` of `sku` to `channel` (the same on every retry).
pub fn inventory_webhook_id(sku: &str, version: u64, channel: &str) -> String {
    format!("inventory#{sku}#{version}#{channel}")
}

/// Whether a channel hears available-to-sell: active, asked for it, and with a webhook.
pub fn hears_inventory(active: bool, inventory_sync: bool, has_webhook: bool) -> bool {
    active && inventory_sync && has_webhook
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_796_000_000_000 + ms).unwrap()
    }

    #[test]
    fn the_first_change_is_pushed_as_version_one_and_a_count_below_zero_as_zero() {
        let InventoryPush::Push(event) = inventory_push("MUG", -2, None, at(0)) else { panic!() };
        assert_eq!(event.kind, "inventory.updated");
        assert_eq!(event.data, InventoryData { sku: "MUG".into(), available: 0, version: 1 });
    }

    #[test]
    fn changes_within_a_second_wait_and_then_go_out_as_the_latest_count() {
        let last = Pushed { available: 9, version: 4, at: at(0) };
        assert_eq!(inventory_push("MUG", 7, Some(last), at(400)), InventoryPush::Wait(at(1000)));
        let InventoryPush::Push(event) = inventory_push("MUG", 6, Some(last), at(1000)) else { panic!() };
        assert_eq!(event.data.available, 6);
        assert_eq!(event.data.version, 5);
        assert_eq!(event.timestamp, at(1000));
    }

    #[test]
    fn a_count_channels_already_know_is_not_pushed_again() {
        let last = Pushed { available: 9, version: 4, at: at(0) };
        assert_eq!(inventory_push("MUG", 9, Some(last), at(5000)), InventoryPush::Unchanged);
        assert_eq!(inventory_push("MUG", 9, Some(last), at(10)), InventoryPush::Unchanged);
    }

    #[test]
    fn only_active_channels_that_asked_and_have_a_webhook_hear_inventory() {
        assert!(hears_inventory(true, true, true));
        assert!(!hears_inventory(false, true, true));
        assert!(!hears_inventory(true, false, true));
        assert!(!hears_inventory(true, true, false));
        assert_eq!(inventory_webhook_id("MUG", 3, "amazon"), "inventory#MUG#3#amazon");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn the_webhook_body_is_the_standard_envelope() {
        let InventoryPush::Push(event) = inventory_push("MUG", 3, None, at(0)) else { panic!() };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "type": "inventory.updated", "timestamp": "2026-11-30T00:53:20Z",
                                "data": { "sku": "MUG", "available": 3, "version": 1 } })
        );
    }
}
