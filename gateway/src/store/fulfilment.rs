//! Fulfilment reads over the shipment projection: pick lists per location, parcels by
//! tracking number, and location checks.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Store, StoreError, decode, rows};

/// A row of the `shipment` projection.
#[derive(Debug, Clone, Deserialize)]
pub struct ShipmentRow {
    pub id: String,
    pub order_id: String,
    pub state: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub supplier: Option<String>,
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub tracking_number: Option<String>,
    #[serde(default)]
    pub package: Option<serde_json::Value>,
    pub lines: Vec<ShipmentRowLine>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ShipmentRowLine {
    pub line: usize,
    pub sku: String,
    pub quantity: i64,
}

const SHIPMENT_FIELDS: &str = "record::id(id) AS id, order_id, state, location, supplier, carrier, service, \
     tracking_number, package, lines, updated_at";

/// One line to pick.
#[derive(Debug, Clone)]
pub struct PickLine {
    pub shipment_id: String,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    /// Where it sits in the location, when known.
    pub bin: Option<String>,
}

/// What to pick for one order at one location.
#[derive(Debug, Clone)]
pub struct PickGroup {
    pub order_id: String,
    pub lines: Vec<PickLine>,
}

impl Store {
    /// Whether stock location `id` exists.
    pub async fn location_exists(&self, id: &str) -> Result<bool, StoreError> {
        let mut result = self
            .db()
            .query("SELECT VALUE record::id(id) FROM type::record('location', $id)")
            .bind(("id", id.to_owned()))
            .await?;
        let found: Vec<String> = result.take(0)?;
        Ok(!found.is_empty())
    }

    /// Parcels `supplier` sends, oldest change first: not yet handed to the carrier when `open`,
    /// else all of them (at most `limit`).
    pub async fn supplier_parcels(
        &self,
        supplier: &str,
        open: bool,
        limit: usize,
    ) -> Result<Vec<ShipmentRow>, StoreError> {
        let mut result = self
            .db()
            .query(format!(
                "SELECT {SHIPMENT_FIELDS} FROM shipment WHERE supplier = $supplier
                 AND ($open = false OR state IN ['pending', 'picking', 'packed'])
                 ORDER BY updated_at LIMIT $limit"
            ))
            .bind(("supplier", supplier.to_owned()))
            .bind(("open", open))
            .bind(("limit", i64::try_from(limit).unwrap_or(100)))
            .await?;
        decode(rows(&mut result, 0)?)
    }

    /// One parcel of the projection.
    pub async fn shipment_row(&self, id: &str) -> Result<Option<ShipmentRow>, StoreError> {
        let mut result = self
            .db()
            .query(format!("SELECT {SHIPMENT_FIELDS} FROM type::record('shipment', $id)"))
            .bind(("id", id.to_owned()))
            .await?;
        Ok(decode(rows(&mut result, 0)?)?.into_iter().next())
    }

    /// Parcels with `tracking_number` (normally one).
    pub async fn shipments_by_tracking(&self, tracking_number: &str) -> Result<Vec<ShipmentRow>, StoreError> {
        let mut result = self
            .db()
            .query(format!("SELECT {SHIPMENT_FIELDS} FROM shipment WHERE tracking_number = $t"))
            .bind(("t", tracking_number.to_owned()))
            .await?;
        decode(rows(&mut result, 0)?)
    }

    /// What to pick at `location`: lines of parcels pending or being picked, by order, oldest
    /// first, with product names and bins (two queries, however many parcels).
    pub(crate) async fn pick_list(&self, location: &str) -> Result<Vec<PickGroup>, StoreError> {
        let mut result = self
            .db()
            .query(format!(
                "SELECT {SHIPMENT_FIELDS} FROM shipment WHERE location = $loc AND state IN ['pending', 'picking'] \
                 ORDER BY updated_at"
            ))
            .bind(("loc", location.to_owned()))
            .await?;
        let parcels: Vec<ShipmentRow> = decode(rows(&mut result, 0)?)?;
        let skus: Vec<String> = parcels.iter().flat_map(|p| p.lines.iter().map(|l| l.sku.clone())).collect();
        let mut result = self
            .db()
            .query(
                "SELECT sku, name FROM product WHERE sku IN $skus;
                 SELECT sku, bin FROM stock WHERE location = $loc AND sku IN $skus;",
            )
            .bind(("skus", skus))
            .bind(("loc", location.to_owned()))
            .await?;
        let names: BTreeMap<String, String> = rows(&mut result, 0)?
            .into_iter()
            .filter_map(|r| Some((r["sku"].as_str()?.to_owned(), r["name"].as_str()?.to_owned())))
            .collect();
        let bins: BTreeMap<String, String> = rows(&mut result, 1)?
            .into_iter()
            .filter_map(|r| Some((r["sku"].as_str()?.to_owned(), r["bin"].as_str()?.to_owned())))
            .collect();
        let mut groups: Vec<PickGroup> = Vec::new();
        for parcel in parcels {
            let lines = parcel.lines.iter().map(|l| PickLine {
                shipment_id: parcel.id.clone(),
                sku: l.sku.clone(),
                name: names.get(&l.sku).cloned().unwrap_or_default(),
                quantity: l.quantity,
                bin: bins.get(&l.sku).cloned(),
            });
            match groups.iter_mut().find(|g| g.order_id == parcel.order_id) {
                Some(group) => group.lines.extend(lines),
                None => groups.push(PickGroup { order_id: parcel.order_id.clone(), lines: lines.collect() }),
            }
        }
        Ok(groups)
    }
}
