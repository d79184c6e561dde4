//! Putting an order on another sales channel, and what became of a webhook to a channel, as the
//! order's timeline records them.

use chrono::{DateTime, Utc};

use super::setup::ChannelCode;
use crate::lifecycle::OrderState;
use crate::order::{Order, OrderEvent, TimelineEntry};

/// Why an order cannot be listed on a channel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListingError {
    #[error("the order is already on channel {0}")]
    AlreadyListed(String),
    #[error("a cancelled order is not listed anywhere")]
    Cancelled,
}

impl Order {
    /// The channels that carry the order: the one it came from, then those the shop listed it on.
    pub fn channels(&self) -> Vec<&str> {
        std::iter::once(self.channel()).chain(self.listed_on().iter().map(String::as_str)).collect()
    }
}

/// The entry that lists `order` on `channel` at `at` too (its events are told there from then
/// on): refused when the order is already there or cancelled.
pub fn listing_entry(
    order: &Order,
    channel: &ChannelCode,
    at: DateTime<Utc>,
) -> Result<TimelineEntry, ListingError> {
    if order.channels().contains(&channel.as_str()) {
        return Err(ListingError::AlreadyListed(channel.as_str().to_owned()));
    }
    if order.state() == OrderState::Cancelled {
        return Err(ListingError::Cancelled);
    }
    let event = OrderEvent::ListedOnChannel { channel: channel.as_str().to_owned() };
    Ok(TimelineEntry { seq: order.last_seq() + 1, at, event })
}

/// What became of a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notified {
    /// The channel answered 2xx to attempt `attempt`.
    Acknowledged { attempt: u32 },
    /// The last of `attempts` attempts failed: no further one follows.
    GaveUp { attempts: u32 },
}

/// The entry that records what became of webhook `webhook` (telling of `event`, e.g.
/// `shipment.shipped` or `dropship.requested`) to `channel` (`supplier:⟨code⟩` for a supplier): the
/// next entry of `order`'s timeline.
pub fn notified_entry(
    order: &Order,
    channel: &str,
    webhook: &str,
    event: &str,
    notified: Notified,
    at: DateTime<Utc>,
) -> TimelineEntry {
    let (channel, webhook, event) = (channel.to_owned(), webhook.to_owned(), event.to_owned());
    let event = match notified {
        Notified::Acknowledged { attempt } => {
            OrderEvent::ChannelAcknowledged { channel, webhook, event, attempt }
        }
        Notified::GaveUp { attempts } => OrderEvent::ChannelGaveUp { channel, webhook, event, attempts },
    };
    TimelineEntry { seq: order.last_seq() + 1, at, event }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::{ChannelEventType, channel_events};
    use crate::order::tests::Life;
    use crate::order::{Command, Role};

    #[test]
    fn an_order_is_listed_on_a_channel_once_and_then_carried_there() {
        let life = Life::new(&[("TEE", 1)]);
        let ebay = ChannelCode::parse("ebay").unwrap();
        let entry = listing_entry(&life.order, &ebay, life.now).unwrap();
        assert_eq!(entry.event.name(), "listed_on_channel");
        let mut timeline = life.timeline.clone();
        timeline.push(entry);
        let listed = Order::from_timeline(&timeline).unwrap();
        assert_eq!(listed.channels(), [life.order.channel(), "ebay"]);
        assert_eq!(listing_entry(&listed, &ebay, life.now), Err(ListingError::AlreadyListed("ebay".into())));
        let origin = ChannelCode::parse(life.order.channel()).unwrap();
        assert!(listing_entry(&listed, &origin, life.now).is_err(), "its own channel carries it already");
        assert!(channel_events(Some(&life.order), &listed, &timeline[1..]).is_empty(), "listing is not news");
    }

    #[test]
    fn a_cancelled_order_is_not_listed() {
        let mut life = Life::new(&[("TEE", 1)]);
        life.ok(&Role::Staff, Command::Cancel { reason: "r".into() });
        let pos = ChannelCode::parse("pos").unwrap();
        assert_eq!(listing_entry(&life.order, &pos, life.now), Err(ListingError::Cancelled));
    }

    #[test]
    fn a_webhook_acknowledged_or_given_up_is_the_next_entry_and_changes_nothing_else() {
        let life = Life::new(&[("TEE", 1)]);
        let kind = ChannelEventType::OrderPlaced.name();
        let acked =
            notified_entry(&life.order, "web", "w1", kind, Notified::Acknowledged { attempt: 2 }, life.now);
        assert_eq!(acked.seq, life.order.last_seq() + 1);
        let mut timeline = life.timeline.clone();
        timeline.push(acked);
        let after = Order::from_timeline(&timeline).unwrap();
        assert_eq!((after.state(), after.lines()), (life.order.state(), life.order.lines()));
        let gave_up = notified_entry(&after, "web", "w2", kind, Notified::GaveUp { attempts: 8 }, life.now);
        assert_eq!(gave_up.event.name(), "channel_gave_up");
    }

    #[test]
    fn a_customers_copy_keeps_every_place_but_names_no_channel_and_still_folds() {
        let life = Life::new(&[("TEE", 1)]);
        let ebay = ChannelCode::parse("ebay").unwrap();
        let mut timeline = life.timeline.clone();
        timeline.push(listing_entry(&life.order, &ebay, life.now).unwrap());
        let listed = Order::from_timeline(&timeline).unwrap();
        let kind = ChannelEventType::OrderPlaced.name();
        timeline.push(notified_entry(
            &listed,
            "ebay",
            "w1",
            kind,
            Notified::Acknowledged { attempt: 1 },
            life.now,
        ));
        let copy: Vec<_> = timeline
            .iter()
            .map(|e| crate::order::TimelineEntry { event: e.event.for_customer(), ..e.clone() })
            .collect();
        assert_eq!(copy.len(), timeline.len());
        assert!(copy.iter().all(|e| !format!("{:?}", e.event).contains("ebay")), "{copy:?}");
        assert_eq!(copy[0], timeline[0], "the customer's own events stay as they are");
        let folded = Order::from_timeline(&copy).unwrap();
        assert_eq!((folded.state(), folded.lines()), (listed.state(), listed.lines()));
    }
}
