//! Parcels running late: one in the carrier's hands that has not arrived some time after its
//! expected day began (the shop's `late_after`, two days by default) is flagged once for that day
//! (`ShipmentLate`), which tells the customer and staff; nobody has to notice it first.
//!
//! A carrier's own report of a delay is an exception (`ShipmentException`); this is the silence
//! case: no report, no delivery, the date gone by.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Order, OrderEvent, Shipment, TimelineEntry};

/// How long after its expected day begins a parcel that has not arrived counts as late, unless
/// the shop says otherwise: to the end of the day after.
pub const DEFAULT_LATE_AFTER_HOURS: i64 = 48;

/// When a parcel expected on `expected` counts as late.
fn late_at(expected: NaiveDate, late_after: Duration) -> Option<DateTime<Utc>> {
    expected.and_hms_opt(0, 0, 0)?.and_utc().checked_add_signed(late_after)
}

/// The parcel's expected day, while it is on its way (shipped, in transit, out for delivery) and
/// not yet flagged late for that day.
fn watched(s: &Shipment) -> Option<NaiveDate> {
    let expected = s.expected_delivery()?;
    (s.on_the_way() && s.late_for != Some(expected)).then_some(expected)
}

/// The entries that flag `order`'s parcels late at `now` (none when none is): the next entries of
/// its timeline, one per parcel.
pub fn late_entries(order: &Order, now: DateTime<Utc>, late_after: Duration) -> Vec<TimelineEntry> {
    order
        .shipments()
        .iter()
        .filter_map(|s| {
            let expected = watched(s)?;
            (now >= late_at(expected, late_after)?).then(|| (s.id().to_owned(), expected))
        })
        .zip(order.last_seq() + 1..)
        .map(|((shipment, expected), seq)| TimelineEntry {
            seq,
            at: now,
            event: OrderEvent::ShipmentLate { shipment, expected },
        })
        .collect()
}

/// When the next of `order`'s parcels on its way becomes late, if one may: the time to look again.
pub fn next_late_check(order: &Order, late_after: Duration) -> Option<DateTime<Utc>> {
    order.shipments().iter().filter_map(|s| late_at(watched(s)?, late_after)).min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::tests::Life;
    use crate::order::{Command, Role, ShipmentAction};

    fn hours(h: i64) -> Duration {
        Duration::hours(h)
    }

    #[test]
    fn a_parcel_on_its_way_is_late_once_its_grace_ran_out_and_flagged_once_for_that_day() {
        let mut life = Life::new(&[("TEE", 1)]);
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        assert_eq!(next_late_check(&life.order, hours(48)), None, "nothing on its way yet");
        life.ship("ord_1-S1");
        let expected = life.order.shipment("ord_1-S1").unwrap().expected_delivery().unwrap();
        let due = expected.and_hms_opt(0, 0, 0).unwrap().and_utc() + hours(48);
        assert_eq!(next_late_check(&life.order, hours(48)), Some(due));
        assert_eq!(late_entries(&life.order, due - Duration::seconds(1), hours(48)), vec![], "not yet");
        let entries = late_entries(&life.order, due, hours(48));
        assert_eq!(
            entries.iter().map(|e| &e.event).collect::<Vec<_>>(),
            vec![&OrderEvent::ShipmentLate { shipment: "ord_1-S1".into(), expected }]
        );
        assert_eq!(entries[0].seq, life.order.last_seq() + 1);
        for entry in &entries {
            life.order.apply(entry).unwrap();
        }
        assert!(life.order.shipment("ord_1-S1").unwrap().late());
        assert_eq!(late_entries(&life.order, due + hours(100), hours(48)), vec![], "flagged once");
        assert_eq!(next_late_check(&life.order, hours(48)), None, "nothing more to watch");
        life.deliver("ord_1-S1");
        assert!(!life.order.shipment("ord_1-S1").unwrap().late(), "it arrived after all");
    }

    #[test]
    fn delivered_held_up_or_unshipped_parcels_are_never_late() {
        let mut life = Life::new(&[("TEE", 2), ("MUG", 1)]);
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        life.ship("ord_1-S1");
        let far = life.now + Duration::days(60);
        life.deliver("ord_1-S1");
        assert_eq!(late_entries(&life.order, far, hours(48)), vec![], "one delivered, one not shipped");
        life.ship("ord_1-S2");
        let report = ShipmentAction::ReportException {
            kind: crate::lifecycle::ExceptionKind::Damaged,
            note: String::new(),
        };
        life.ok(&Role::Staff, Command::Shipment { shipment: "ord_1-S2".into(), action: report });
        assert_eq!(late_entries(&life.order, far, hours(48)), vec![], "a carrier's report says more");
    }

    #[test]
    fn a_late_flag_only_fits_a_parcel_on_its_way_and_replays() {
        let mut life = Life::new(&[("TEE", 1)]);
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        let early = TimelineEntry {
            seq: life.order.last_seq() + 1,
            at: life.now,
            event: OrderEvent::ShipmentLate { shipment: "ord_1-S1".into(), expected: life.now.date_naive() },
        };
        assert!(life.order.apply(&early).is_err(), "not shipped: cannot be late");
        life.ship("ord_1-S1");
        let late = late_entries(&life.order, life.now + Duration::days(30), hours(48));
        life.timeline.extend(late.iter().cloned());
        for entry in &late {
            life.order.apply(entry).unwrap();
        }
        assert_eq!(Order::from_timeline(&life.timeline).unwrap(), life.order);
    }
}
