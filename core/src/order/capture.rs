//! When an order's money is captured: the shop's capture policy (copied into each order when it
//! is placed), and what shipping one parcel captures under it.
//!
//! - [`CapturePolicy::OnShipment`] (the default, for physical goods): each parcel captures its
//!   share as it ships. For each of its lines, the units after those cancelled and shipped before
//!   carry `⌊T·to/q⌋ − ⌊T·from/q⌋` of the line's total `T` (the telescoping rule of
//!   cancellations, so a line's parcels add up to what it costs); the first capture also takes the
//!   shipping charge; the parcel that leaves nothing unshipped takes everything still due, and the
//!   rest of the authorization is released. Never more than is due or still authorized.
//! - [`CapturePolicy::OnAuthorization`]: the whole total is captured with the authorization.
//! - [`CapturePolicy::Manual`]: staff capture (`CapturePayment`).

use chrono::{DateTime, Utc};

use super::cancel::line_share;
use super::{Command, CommandError, Order, OrderEvent, Role, ShipmentAction, TimelineEntry};
use crate::money::Money;

/// When the money of an order is captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum CapturePolicy {
    /// With the authorization: the customer is charged at checkout.
    OnAuthorization,
    /// Each parcel's share when it ships.
    #[default]
    OnShipment,
    /// When staff capture it.
    Manual,
}

impl Order {
    /// Why the provider refused a capture that shipping a parcel called for, while the money is
    /// still not captured (the shop ships rather than waits: staff should get it).
    pub fn capture_failure(&self) -> Option<&str> {
        self.capture_failure.as_deref()
    }

    /// Ships as `command` (shipping a parcel) would, but without the capture the provider refused
    /// for `reason`: the order is flagged instead (`PaymentCaptureFailed`). Only for a shop that
    /// ships rather than waits (`ship_when_capture_fails`); otherwise, or for another command, the
    /// refusal stands and this is an error.
    pub fn ship_despite_refused_capture(
        &self,
        command: &Command,
        role: &Role,
        now: DateTime<Utc>,
        reason: &str,
    ) -> Result<(Vec<TimelineEntry>, Order), CommandError> {
        let Command::Shipment { shipment, action: ShipmentAction::Ship { .. } } = command else {
            return Err(CommandError::Inconsistent("only shipping a parcel can go ahead unpaid".into()));
        };
        if !self.placed.policy.ship_when_capture_fails {
            return Err(CommandError::Inconsistent("this shop does not ship unpaid parcels".into()));
        }
        let amount = self.parcel_capture(shipment);
        let mut events = self.decide_with(command, role, now, false)?;
        if let Some(amount) = amount {
            events.push(OrderEvent::PaymentCaptureFailed { amount, reason: reason.to_owned() });
        }
        let mut order = self.clone();
        let mut entries = Vec::with_capacity(events.len());
        for event in events {
            let entry = TimelineEntry { seq: order.last_seq() + 1, at: now, event };
            order.apply(&entry).map_err(|e| CommandError::Inconsistent(e.to_string()))?;
            entries.push(entry);
        }
        Ok((entries, order))
    }

    /// What shipping parcel `shipment` captures under [`CapturePolicy::OnShipment`] (see the
    /// module docs); `None` when nothing is left to capture, or there is no such parcel.
    pub fn parcel_capture(&self, shipment: &str) -> Option<Money> {
        let payment = self.payment();
        let currency = payment.currency();
        let due = (self.totals().grand_total.amount() - payment.captured().amount()).max(0);
        let limit = due.min(payment.capturable().amount());
        let parcel = self.shipment(shipment)?;
        if limit <= 0 {
            return None;
        }
        let in_parcel = |line: usize| -> u32 {
            parcel.lines().iter().filter(|l| l.line == line).map(|l| l.quantity).sum()
        };
        let last = self
            .lines()
            .iter()
            .all(|l| self.units_shipped(l.index()) + in_parcel(l.index()) >= l.remaining());
        if last {
            return Some(Money::new(limit, currency));
        }
        let mut share: i64 = 0;
        for item in parcel.lines() {
            let Some(line) = self.lines().get(item.line) else { continue };
            let from = line.cancelled() + self.units_shipped(item.line);
            let to = (from + item.quantity).min(line.quantity());
            share =
                share.saturating_add(line_share(line.total(), line.quantity(), from.min(to), to).amount());
        }
        if payment.captured().amount() == 0 {
            // The shipping charge (with its tax): whatever of the placed total is not the lines'.
            let lines: i64 = self.lines().iter().map(|l| l.total().amount()).sum();
            share = share.saturating_add((self.placed_totals().grand_total.amount() - lines).max(0));
        }
        let amount = share.min(limit);
        (amount > 0).then(|| Money::new(amount, currency))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::order::tests::{Life, usd};
    use crate::order::{Command, OrderEvent, Role, ShipmentAction};

    fn captured_by(names: &[&str]) -> bool {
        names.contains(&"payment_captured")
    }

    #[test]
    fn each_parcel_captures_its_share_when_it_ships_and_the_last_one_the_rest() {
        // TEE ships from east, MUG from west: two parcels.
        let mut life = Life::new(&[("TEE", 2), ("MUG", 1)]);
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        let total = life.order.totals().grand_total;
        let tee = life.order.lines()[0].total();
        let shipping = life.order.placed_totals().grand_total.amount()
            - life.order.lines().iter().map(|l| l.total().amount()).sum::<i64>();
        assert_eq!(
            life.order.parcel_capture("ord_1-S1"),
            Some(Money::new(tee.amount() + shipping, tee.currency()))
        );
        life.ship("ord_1-S1");
        assert_eq!(life.order.payment().captured(), Money::new(tee.amount() + shipping, tee.currency()));
        life.ship("ord_1-S2");
        assert_eq!(life.order.payment().captured(), total, "the last parcel takes the rest");
        assert_eq!(life.order.payment().capturable().amount(), 0);
        life.deliver("ord_1-S1");
        assert_eq!(life.deliver("ord_1-S2"), vec!["shipment_delivered", "completed"], "paid and delivered");
    }

    #[test]
    fn under_a_manual_policy_shipping_captures_nothing_and_staff_capture() {
        let mut manual = Life::with_policy(&[("TEE", 1)], CapturePolicy::Manual);
        manual.pay();
        manual.ok(&Role::Staff, Command::CreateShipments);
        manual.ship("ord_1-S1");
        assert_eq!(manual.order.payment().captured(), usd(0), "staff capture");
        assert!(captured_by(&manual.ok(&Role::Staff, Command::CapturePayment { amount: None })));
        assert_eq!(manual.order.parcel_capture("ord_1-S1"), None, "nothing left to capture");
    }

    #[test]
    fn a_sale_captures_the_whole_total_with_the_authorization() {
        let mut life = Life::with_policy(&[("TEE", 1)], CapturePolicy::OnAuthorization);
        let amount = life.order.totals().grand_total;
        let method = crate::order::PaymentMethod {
            reference: "auth_1".into(),
            brand: crate::card::CardBrand::Visa,
            last4: Some("4242".into()),
        };
        let names = life.ok(&Role::Customer, Command::AuthorizePayment { amount, method });
        assert_eq!(names, vec!["payment_authorized", "confirmed", "payment_captured"]);
        assert_eq!(life.order.payment().captured(), amount);
        life.ok(&Role::Staff, Command::CreateShipments);
        life.ship("ord_1-S1");
        let captures =
            life.timeline.iter().filter(|e| matches!(e.event, OrderEvent::PaymentCaptured { .. })).count();
        assert_eq!(captures, 1, "shipping captures nothing more");
    }

    #[test]
    fn a_shop_that_ships_rather_than_waits_ships_a_refused_parcel_and_flags_the_order() {
        let ship = Command::Shipment {
            shipment: "ord_1-S1".into(),
            action: ShipmentAction::Ship {
                carrier: "UPS".into(),
                tracking_number: crate::carrier::example_for(crate::carrier::Carrier::Ups, "9"),
                tracking_url: None,
            },
        };
        let mut waits = Life::new(&[("TEE", 1)]);
        waits.pay();
        waits.ok(&Role::Staff, Command::CreateShipments);
        for action in [ShipmentAction::StartPicking, ShipmentAction::Pack] {
            waits.ok(&Role::Staff, Command::Shipment { shipment: "ord_1-S1".into(), action });
        }
        assert!(
            waits.order.ship_despite_refused_capture(&ship, &Role::Staff, waits.now, "expired").is_err(),
            "by default a refused capture stops the parcel"
        );

        let mut timeline = waits.timeline.clone();
        if let OrderEvent::Placed(p) = &mut timeline[0].event {
            p.policy.ship_when_capture_fails = true;
        }
        let order = Order::from_timeline(&timeline).unwrap();
        let (entries, after) =
            order.ship_despite_refused_capture(&ship, &Role::Staff, waits.now, "expired").unwrap();
        let names: Vec<_> = entries.iter().map(|e| e.event.name()).collect();
        assert_eq!(names, vec!["shipment_shipped", "payment_capture_failed"]);
        assert_eq!(after.payment().captured(), usd(0), "nothing was taken");
        assert_eq!(after.capture_failure(), Some("expired"));
        timeline.extend(entries);
        assert_eq!(Order::from_timeline(&timeline).unwrap(), after, "it replays");
        let (_, paid) =
            after.execute(&Command::CapturePayment { amount: None }, &Role::Staff, waits.now).unwrap();
        assert_eq!(paid.capture_failure(), None, "staff got the money");
    }

    proptest! {
        /// Whatever the basket, split into parcels shipped in any order, with some units cancelled
        /// first: captures never exceed the authorization nor what is due, and once every
        /// remaining unit shipped, they add up to exactly the order's total.
        #[test]
        fn parcel_captures_add_up_to_the_total_and_never_exceed_the_authorization(
            tees in 1i64..6,
            mugs in 1i64..4,
            cancel_tees in 0u32..3,
            reversed in any::<bool>(),
        ) {
            let mut life = Life::new(&[("TEE", tees), ("MUG", mugs)]);
            life.pay();
            let cancel = cancel_tees.min(u32::try_from(tees).unwrap() - 1);
            if cancel > 0 {
                life.ok(&Role::Staff, Command::CancelLines {
                    lines: vec![crate::order::LineUnits { line: 0, quantity: cancel }],
                    reason: "out".into(),
                });
            }
            life.ok(&Role::Staff, Command::CreateShipments);
            let mut parcels: Vec<String> = life.order.shipments().iter()
                .filter(|s| !s.has_shipped())
                .map(|s| s.id().to_owned()).collect();
            if reversed { parcels.reverse(); }
            for parcel in &parcels {
                life.ship(parcel);
                let p = life.order.payment();
                prop_assert!(p.captured().amount() <= p.authorized().amount());
                prop_assert!(p.captured().amount() <= life.order.totals().grand_total.amount());
            }
            prop_assert_eq!(life.order.payment().captured(), life.order.totals().grand_total);
            prop_assert_eq!(life.order.payment().capturable().amount(), 0);
        }
    }

    #[test]
    fn shipping_captures_as_a_money_movement() {
        let ship = Command::Shipment {
            shipment: "S".into(),
            action: ShipmentAction::Ship {
                carrier: "UPS".into(),
                tracking_number: crate::carrier::example_for(crate::carrier::Carrier::Ups, "any"),
                tracking_url: None,
            },
        };
        assert!(ship.may_move_money(), "the provider acts before the shipping is recorded");
    }
}
