//! What a party outside the shop may see of an order: a dropship supplier sees only the lines it
//! ships (and the parcels it sends), never the customer's other lines, totals or payment.

use super::{Order, ShipmentSource};
use crate::lifecycle::LineAvailability;

impl Order {
    /// The lines (by index, ascending) `supplier` ships units of: units dropshipped by it, or
    /// in a parcel it sends.
    pub fn lines_shipped_by(&self, supplier: &str) -> Vec<usize> {
        let mut lines: Vec<usize> = self
            .lines()
            .iter()
            .filter(|line| {
                line.parts().iter().any(|part| {
                    matches!(part.availability(), LineAvailability::Dropshipped { supplier: own } if own == supplier)
                })
            })
            .map(|line| line.index())
            .chain(
                self.shipments()
                    .iter()
                    .filter(|s| is_sent_by(s.source(), supplier))
                    .flat_map(|s| s.lines().iter().map(|l| l.line)),
            )
            .collect();
        lines.sort_unstable();
        lines.dedup();
        lines
    }
}

/// Whether a parcel from `source` is sent by `supplier`.
pub fn is_sent_by(source: &ShipmentSource, supplier: &str) -> bool {
    matches!(source, ShipmentSource::Supplier { supplier: own } if own == supplier)
}

#[cfg(test)]
mod tests {
    use crate::order::tests::placed_order_with;

    #[test]
    fn a_supplier_ships_only_its_dropshipped_lines() {
        let order = placed_order_with(&[("TEE", 1), ("DESK", 1), ("MUG", 2)]);
        assert_eq!(order.lines_shipped_by("northwood"), vec![1]);
        assert!(order.lines_shipped_by("acme").is_empty());
    }
}
