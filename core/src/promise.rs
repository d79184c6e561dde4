//! Dated promises: which purchase-order units each backordered part waits for, and so the day
//! it is promised for.
//!
//! Parts wait in queue order (oldest first, as received stock serves them); open purchase orders
//! bring units in date order. Each part takes the next units still unclaimed and is promised the
//! day its last unit arrives; parts beyond every open purchase order wait for the item's lead
//! time (never for an earlier day than the parts before them).

use chrono::{Days, NaiveDate};

/// Units of a SKU expected on a day: an open purchase order's units not yet received, or (in a
/// catalog) those not yet promised to a waiting backorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct Incoming {
    #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub on: NaiveDate,
    pub units: u32,
}

/// The day past every purchase order: `today` plus the lead time.
pub fn after_lead_time(today: NaiveDate, lead_time_days: u16) -> NaiveDate {
    today.checked_add_days(Days::new(u64::from(lead_time_days))).unwrap_or(NaiveDate::MAX)
}

/// Incoming units by day (earliest first), days in the past moved to `today` (an overdue purchase
/// order is expected any day now).
fn by_day(incoming: &[Incoming], today: NaiveDate) -> Vec<Incoming> {
    let mut days: Vec<Incoming> =
        incoming.iter().map(|i| Incoming { on: i.on.max(today), units: i.units }).collect();
    days.sort_by_key(|i| i.on);
    days
}

/// The day each waiting part (its units, in queue order) is promised for, against `incoming`
/// units: the day its last unit arrives; for units no open purchase order brings, `beyond` (see
/// [`after_lead_time`]) or the last purchase order's day when that is later, so a part never
/// waits less than one before it.
pub fn promise_dates(
    waiting: &[u32],
    incoming: &[Incoming],
    today: NaiveDate,
    beyond: NaiveDate,
) -> Vec<NaiveDate> {
    let days = by_day(incoming, today);
    let beyond = days.last().map_or(beyond, |last| beyond.max(last.on)).max(today);
    let mut slots = days.into_iter().filter(|d| d.units > 0);
    let mut current = slots.next();
    let mut latest = today;
    waiting
        .iter()
        .map(|&wanted| {
            let mut left = wanted;
            let mut day = latest;
            while left > 0 {
                let Some(slot) = current.as_mut() else { break };
                let take = left.min(slot.units);
                left -= take;
                slot.units -= take;
                day = slot.on;
                if slot.units == 0 {
                    current = slots.next();
                }
            }
            let promised = if left > 0 { beyond } else { day.max(latest) };
            latest = promised;
            promised
        })
        .collect()
}

/// The incoming units left once `waiting` units took theirs, by day: what a new backorder is
/// matched against with [`promise_dates`]. When the last day's units are all taken, that day
/// stays with none, so a newcomer still waits at least that long.
pub fn unpromised(waiting: u64, incoming: &[Incoming], today: NaiveDate) -> Vec<Incoming> {
    let days = by_day(incoming, today);
    let Some(last) = days.last().map(|d| d.on) else { return Vec::new() };
    let mut taken = waiting;
    let mut left: Vec<Incoming> = days
        .into_iter()
        .filter_map(|mut slot| {
            let take = taken.min(u64::from(slot.units));
            taken -= take;
            slot.units -= u32::try_from(take).unwrap_or(slot.units);
            (slot.units > 0).then_some(slot)
        })
        .collect();
    if left.last().is_none_or(|l| l.on < last) {
        left.push(Incoming { on: last, units: 0 });
    }
    left
}

/// The first day a unit nobody waits for yet arrives, of [`unpromised`]'s answer.
pub fn next_unpromised(restocks: &[Incoming]) -> Option<NaiveDate> {
    restocks.iter().find(|i| i.units > 0).map(|i| i.on)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn day(n: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() + Days::new(n)
    }

    fn po(on: u64, units: u32) -> Incoming {
        Incoming { on: day(on), units }
    }

    #[test]
    fn ten_waiting_units_split_six_and_four_over_two_purchase_orders() {
        let dates = promise_dates(&[1; 10], &[po(20, 10), po(10, 6)], day(0), day(14));
        assert_eq!(dates, [vec![day(10); 6], vec![day(20); 4]].concat());
    }

    #[test]
    fn a_part_waits_for_the_day_its_last_unit_arrives() {
        let dates = promise_dates(&[4, 3], &[po(5, 5), po(9, 5)], day(0), day(30));
        assert_eq!(dates, [day(5), day(9)]);
    }

    #[test]
    fn units_beyond_every_purchase_order_wait_for_the_lead_time_but_never_less_than_earlier_parts() {
        assert_eq!(promise_dates(&[2, 1], &[po(5, 2)], day(0), day(14)), [day(5), day(14)]);
        // The lead time would beat the purchase order: the later part still waits at least as long.
        assert_eq!(promise_dates(&[2, 1], &[po(20, 2)], day(0), day(14)), [day(20), day(20)]);
        assert_eq!(promise_dates(&[3], &[po(5, 2)], day(0), day(14)), [day(14)]);
    }

    #[test]
    fn an_overdue_purchase_order_is_expected_today_never_in_the_past() {
        assert_eq!(promise_dates(&[1], &[po(1, 1)], day(3), day(10)), [day(3)]);
    }

    #[test]
    fn a_new_backorder_sees_only_units_nobody_waits_for_yet() {
        assert_eq!(unpromised(7, &[po(20, 10), po(10, 6)], day(0)), [po(20, 9)]);
        assert_eq!(
            unpromised(1, &[po(10, 2), po(20, 0)], day(0)),
            [po(10, 1), po(20, 0)],
            "the last day stays"
        );
        assert_eq!(unpromised(0, &[po(10, 6)], day(0)), [po(10, 6)]);
        assert_eq!(unpromised(16, &[po(10, 6), po(20, 10)], day(0)), [po(20, 0)], "the last day stays");
        assert_eq!(unpromised(u64::MAX, &[po(10, 6)], day(0)), [po(10, 0)]);
        assert!(unpromised(3, &[], day(0)).is_empty());
        assert_eq!(next_unpromised(&unpromised(7, &[po(20, 10), po(10, 6)], day(0))), Some(day(20)));
        assert_eq!(next_unpromised(&unpromised(16, &[po(20, 10), po(10, 6)], day(0))), None);
    }

    fn incoming() -> impl Strategy<Value = Vec<Incoming>> {
        prop::collection::vec((0u64..40, 0u32..12).prop_map(|(d, u)| po(d, u)), 0..6)
    }

    proptest! {
        #[test]
        fn no_purchase_order_unit_is_promised_twice(
            waiting in prop::collection::vec(1u32..8, 0..20),
            incoming in incoming(),
            lead in 0u16..30,
        ) {
            let today = day(2);
            let dates = promise_dates(&waiting, &incoming, today, after_lead_time(today, lead));
            prop_assert_eq!(dates.len(), waiting.len());
            // The parts promised by a day D (other than the day past every purchase order) never
            // need more units than arrive by D.
            let last = incoming.iter().map(|i| i.on.max(today)).max();
            let beyond = last.map_or(after_lead_time(today, lead), |l| l.max(after_lead_time(today, lead)));
            for d in dates.iter().copied().filter(|d| *d != beyond) {
                let wanted: u64 = waiting.iter().zip(&dates).filter(|(_, p)| **p <= d).map(|(w, _)| u64::from(*w)).sum();
                let arriving: u64 = incoming.iter().filter(|i| i.on.max(today) <= d).map(|i| u64::from(i.units)).sum();
                prop_assert!(wanted <= arriving, "{} units promised by {} but {} arrive", wanted, d, arriving);
            }
            // What is left for newcomers plus what the waiting parts took is what comes in.
            let total_waiting: u64 = waiting.iter().map(|w| u64::from(*w)).sum();
            let total_in: u64 = incoming.iter().map(|i| u64::from(i.units)).sum();
            let left: u64 = unpromised(total_waiting, &incoming, today).iter().map(|i| u64::from(i.units)).sum();
            prop_assert_eq!(left, total_in.saturating_sub(total_waiting));
        }

        #[test]
        fn a_later_backorder_never_gets_an_earlier_day(
            waiting in prop::collection::vec(1u32..8, 0..20),
            incoming in incoming(),
            lead in 0u16..30,
        ) {
            let today = day(2);
            let dates = promise_dates(&waiting, &incoming, today, after_lead_time(today, lead));
            prop_assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{:?}", dates);
            prop_assert!(dates.iter().all(|d| *d >= today));
        }

        #[test]
        fn a_newcomer_gets_the_day_it_would_get_at_the_back_of_the_queue(
            waiting in prop::collection::vec(1u32..8, 0..20),
            incoming in incoming(),
            wanted in 1u32..8,
            lead in 0u64..60,
        ) {
            let today = day(2);
            let beyond = day(lead);
            let mut queue = waiting.clone();
            queue.push(wanted);
            let at_back = *promise_dates(&queue, &incoming, today, beyond).last().unwrap();
            let total: u64 = waiting.iter().map(|w| u64::from(*w)).sum();
            let alone = promise_dates(&[wanted], &unpromised(total, &incoming, today), today, beyond)[0];
            prop_assert_eq!(alone, at_back);
        }
    }
}
