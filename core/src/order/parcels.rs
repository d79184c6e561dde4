//! Splitting and merging parcels before they are packed: which parcels, which units.
//!
//! Only parcels that are pending or being picked change; a split moves some of a parcel's units
//! into a new pending parcel from the same location (or supplier), leaving at least one unit
//! behind; a merge moves every unit of the other parcels into the first one named, and the
//! others are cancelled. Packed parcels are sealed: `INVALID_TRANSITION`.

use super::{CommandError, Order, OrderEvent, Shipment, ShipmentLine};
use crate::lifecycle::{Machine, OrderState, ShipmentState, TransitionError};

fn bad(message: String) -> CommandError {
    CommandError::InvalidInput { field: "lines", message }
}

/// A parcel whose contents may still change: pending or being picked.
pub(super) fn open_parcel(shipment: &Shipment, command: &'static str) -> Result<(), CommandError> {
    match shipment.state {
        ShipmentState::Pending | ShipmentState::Picking => Ok(()),
        _ => Err(TransitionError::new(Machine::Shipment, shipment.state.name(), command).into()),
    }
}

impl Order {
    fn require_confirmed(&self, command: &'static str) -> Result<(), CommandError> {
        if self.state == OrderState::Confirmed {
            Ok(())
        } else {
            Err(TransitionError::new(Machine::Order, self.state.name(), command).into())
        }
    }

    pub(super) fn split_shipment(
        &self,
        id: &str,
        lines: &[ShipmentLine],
    ) -> Result<Vec<OrderEvent>, CommandError> {
        let shipment = self.shipment(id).ok_or_else(|| CommandError::UnknownShipment(id.to_owned()))?;
        self.require_confirmed("split_shipment")?;
        open_parcel(shipment, "split")?;
        if lines.is_empty() {
            return Err(bad("name at least one line to move".into()));
        }
        for (i, moved) in lines.iter().enumerate() {
            if lines[..i].iter().any(|l| l.line == moved.line) {
                return Err(bad(format!("line {} is listed more than once", moved.line)));
            }
            let held: u32 = shipment.lines.iter().filter(|l| l.line == moved.line).map(|l| l.quantity).sum();
            if held == 0 {
                return Err(bad(format!("line {} is not in shipment {id}", moved.line)));
            }
            if moved.quantity == 0 || moved.quantity > held {
                return Err(bad(format!(
                    "line {}: move 1 to {held} unit(s), not {}",
                    moved.line, moved.quantity
                )));
            }
        }
        let moved: u32 = lines.iter().map(|l| l.quantity).sum();
        if moved >= shipment.units() {
            return Err(bad(format!("leave at least one unit in shipment {id}")));
        }
        Ok(vec![OrderEvent::ShipmentSplit {
            shipment: shipment.id.clone(),
            into: format!("{}-S{}", self.placed.id, self.shipments.len() + 1),
            lines: lines.to_vec(),
        }])
    }

    pub(super) fn merge_shipments(&self, ids: &[String]) -> Result<Vec<OrderEvent>, CommandError> {
        let mut parcels: Vec<&Shipment> = Vec::with_capacity(ids.len());
        for id in ids {
            let shipment = self.shipment(id).ok_or_else(|| CommandError::UnknownShipment(id.clone()))?;
            if parcels.iter().any(|p| p.id == shipment.id) {
                return Err(CommandError::InvalidInput {
                    field: "shipments",
                    message: format!("shipment {id} is listed more than once"),
                });
            }
            parcels.push(shipment);
        }
        let [into, rest @ ..] = parcels.as_slice() else {
            return Err(CommandError::InvalidInput {
                field: "shipments",
                message: "name at least two shipments".into(),
            });
        };
        if rest.is_empty() {
            return Err(CommandError::InvalidInput {
                field: "shipments",
                message: "name at least two shipments".into(),
            });
        }
        self.require_confirmed("merge_shipments")?;
        for parcel in &parcels {
            open_parcel(parcel, "merge")?;
        }
        if let Some(other) = rest.iter().find(|p| p.source != into.source) {
            return Err(CommandError::InvalidInput {
                field: "shipments",
                message: format!("shipments {} and {} leave from different places", into.id, other.id),
            });
        }
        Ok(vec![OrderEvent::ShipmentsMerged {
            into: into.id.clone(),
            from: rest.iter().map(|p| p.id.clone()).collect(),
        }])
    }
}

/// `lines` with `more` added, one entry per order line, in line order.
pub(super) fn add_lines(lines: &[ShipmentLine], more: &[ShipmentLine]) -> Vec<ShipmentLine> {
    let mut sums: std::collections::BTreeMap<usize, u32> = std::collections::BTreeMap::new();
    for l in lines.iter().chain(more) {
        *sums.entry(l.line).or_default() += l.quantity;
    }
    sums.into_iter().map(|(line, quantity)| ShipmentLine { line, quantity }).collect()
}

/// `lines` with `less` taken out; `None` when some line does not hold that many units.
pub(super) fn remove_lines(lines: &[ShipmentLine], less: &[ShipmentLine]) -> Option<Vec<ShipmentLine>> {
    let mut sums: std::collections::BTreeMap<usize, u32> = std::collections::BTreeMap::new();
    for l in lines {
        *sums.entry(l.line).or_default() += l.quantity;
    }
    for l in less {
        let held = sums.get_mut(&l.line)?;
        *held = held.checked_sub(l.quantity)?;
    }
    Some(
        sums.into_iter()
            .filter(|(_, q)| *q > 0)
            .map(|(line, quantity)| ShipmentLine { line, quantity })
            .collect(),
    )
}
