//! Stock effects of order events: what shipping, cancelling, receiving a parcel back from the
//! carrier and receiving a return do to the on-hand and reserved counts of each (SKU, location),
//! so the store writes them with the events.

use std::collections::BTreeMap;

use super::{CommandError, Order, OrderEvent, Shipment, ShipmentSource, TimelineEntry};
use crate::allocation::LocationId;
use crate::lifecycle::LineAvailability;
use crate::values::Sku;

/// Why stock moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StockReason {
    /// Units left the building: on hand and reserved both go down.
    Shipped,
    /// An order no longer needs units it had reserved.
    Released,
    /// Returned units (a return, or a parcel returned to the sender) went back on the shelf.
    Restocked,
}

impl StockReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StockReason::Shipped => "shipped",
            StockReason::Released => "reservation released",
            StockReason::Restocked => "return restocked",
        }
    }
}

/// A change to one stock record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockEffect {
    pub sku: Sku,
    pub location: LocationId,
    pub on_hand_delta: i64,
    pub reserved_delta: i64,
    pub reason: StockReason,
}

/// Each line of `parcel`: its order line's SKU and its units.
fn parcel_units<'a>(order: &'a Order, parcel: &'a Shipment) -> impl Iterator<Item = (&'a Sku, i64)> + 'a {
    parcel
        .lines()
        .iter()
        .filter_map(|line| Some((order.lines().get(line.line)?.sku(), i64::from(line.quantity))))
}

/// The stock effects of appending `entries` to `before`: shipped parcels from a location consume
/// their reservation; a parcel received back and restocked puts its units on hand where it was
/// restocked; a cancelled order releases what it still holds, cancelled lines the reservation of
/// their cancelled units, and allocated units put on backorder or handed to a partner theirs.
/// Supplier parcels and backordered units hold no stock of ours.
pub fn stock_effects(before: &Order, entries: &[TimelineEntry]) -> Vec<StockEffect> {
    let mut order = before.clone();
    // (reason, sku, location) → (on hand, reserved, sku, location)
    type Sums = BTreeMap<(StockReason, String, String), (i64, i64, Sku, LocationId)>;
    let mut sums = Sums::new();
    let mut add = |reason: StockReason, sku: &Sku, location: &LocationId, on_hand: i64, reserved: i64| {
        let key = (reason, sku.as_str().to_owned(), location.as_str().to_owned());
        let entry = sums.entry(key).or_insert_with(|| (0, 0, sku.clone(), location.clone()));
        entry.0 += on_hand;
        entry.1 += reserved;
    };
    for entry in entries {
        match &entry.event {
            OrderEvent::ShipmentShipped { shipment, .. } => {
                if let Some(s) = order.shipment(shipment)
                    && let ShipmentSource::Location { location } = s.source()
                {
                    for (sku, units) in parcel_units(&order, s) {
                        add(StockReason::Shipped, sku, location, -units, -units);
                    }
                }
            }
            OrderEvent::ParcelReceivedBack { shipment, restock: Some(location) } => {
                if let Some(s) = order.shipment(shipment) {
                    for (sku, units) in parcel_units(&order, s) {
                        add(StockReason::Restocked, sku, location, units, 0);
                    }
                }
            }
            OrderEvent::Cancelled { .. } => {
                for (sku, location, units) in held_reservations(&order) {
                    add(StockReason::Released, &sku, &location, 0, -units);
                }
            }
            // Cancelled units, and allocated units that lost their stock or went to a partner.
            OrderEvent::LinesCancelled { .. }
            | OrderEvent::LineBackordered { .. }
            | OrderEvent::LineDropshipped { .. } => {
                // What the order holds before and after: the difference is released.
                let mut next = order.clone();
                if next.apply(entry).is_ok() {
                    let after = held_reservations(&next);
                    for (sku, location, units) in held_reservations(&order) {
                        let kept = after
                            .iter()
                            .find(|(s, l, _)| *s == sku && *l == location)
                            .map_or(0, |(.., units)| *units);
                        if units > kept {
                            add(StockReason::Released, &sku, &location, 0, kept - units);
                        }
                    }
                }
            }
            _ => {}
        }
        // An entry that does not apply would have been refused by `decide`; stop counting then.
        if order.apply(entry).is_err() {
            break;
        }
    }
    sums.into_iter()
        .filter(|(_, (on_hand, reserved, ..))| *on_hand != 0 || *reserved != 0)
        .map(|((reason, ..), (on_hand_delta, reserved_delta, sku, location))| StockEffect {
            sku,
            location,
            on_hand_delta,
            reserved_delta,
            reason,
        })
        .collect()
}

/// Units still reserved for `order` per (SKU, location): allocated, not yet shipped (nor shipped
/// and returned to the sender), and nothing once the order is cancelled.
pub fn held_reservations(order: &Order) -> Vec<(Sku, LocationId, i64)> {
    let mut held = Vec::new();
    if order.state() == crate::lifecycle::OrderState::Cancelled {
        return held;
    }
    for line in order.lines() {
        let mut per_location: BTreeMap<&str, i64> = BTreeMap::new();
        for part in line.parts() {
            if let LineAvailability::Allocated { location } = part.availability() {
                *per_location.entry(location.as_str()).or_default() += i64::from(part.quantity());
            }
        }
        for shipment in order.shipments().iter().filter(|s| s.consumed_stock()) {
            if let ShipmentSource::Location { location } = shipment.source() {
                let shipped: u32 =
                    shipment.lines().iter().filter(|l| l.line == line.index()).map(|l| l.quantity).sum();
                if let Some(units) = per_location.get_mut(location.as_str()) {
                    *units -= i64::from(shipped);
                }
            }
        }
        for (location, units) in per_location {
            if units > 0
                && let Ok(location) = LocationId::parse(location)
            {
                held.push((line.sku().clone(), location, units));
            }
        }
    }
    held
}

/// Where one returned line goes once received: back on a shelf, or written off (damaged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnDisposition {
    pub line: usize,
    /// The location to restock; `None` writes the units off.
    pub restock: Option<LocationId>,
}

/// The stock effects of receiving return `rma`, with one disposition for each of its lines.
pub fn return_restock(
    order: &Order,
    rma: &str,
    dispositions: &[ReturnDisposition],
) -> Result<Vec<StockEffect>, CommandError> {
    // Whether the return may be received now is the return machine's call (`decide`).
    let case = order.return_case(rma).ok_or_else(|| CommandError::UnknownReturn(rma.to_owned()))?;
    let mut effects = Vec::new();
    for item in case.lines() {
        let matching: Vec<&ReturnDisposition> = dispositions.iter().filter(|d| d.line == item.line).collect();
        let [disposition] = matching.as_slice() else {
            return Err(CommandError::InvalidInput {
                field: "lines",
                message: format!("give exactly one disposition for line {} of the return", item.line),
            });
        };
        if let (Some(location), Some(line)) = (&disposition.restock, order.lines().get(item.line)) {
            effects.push(StockEffect {
                sku: line.sku().clone(),
                location: location.clone(),
                on_hand_delta: i64::from(item.quantity),
                reserved_delta: 0,
                reason: StockReason::Restocked,
            });
        }
    }
    if let Some(extra) = dispositions.iter().find(|d| !case.lines().iter().any(|i| i.line == d.line)) {
        return Err(CommandError::InvalidInput {
            field: "lines",
            message: format!("line {} is not part of this return", extra.line),
        });
    }
    Ok(effects)
}
