//! Catalog reads and writes: products, stock per location, purchase orders and the shop's rules.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use ordo_core::allocation::{LocationId, LocationStock};
use ordo_core::cart::Rules;
use ordo_core::catalog::{Catalog, CatalogItem, OutOfStockPolicy, TaxClass};
use ordo_core::money::{Currency, Money};
use ordo_core::promise::{Incoming, next_unpromised, unpromised};
use ordo_core::values::{Quantity, Sku};
use serde::{Deserialize, Serialize};

use super::reference::{Begin, Shop, guarded};
use super::{Store, StoreError, decode, rows, stock_key, without_nulls};

/// A product as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductRow {
    pub sku: String,
    pub name: String,
    pub category: String,
    #[serde(default)]
    pub description: String,
    pub price: i64,
    pub currency: String,
    pub active: bool,
    pub min_per_order: Option<i64>,
    pub max_per_order: Option<i64>,
    pub policy: String,
    pub lead_time_days: Option<i64>,
    pub supplier: Option<String>,
    pub weight_grams: i64,
    pub tax_class: String,
    #[serde(default)]
    pub reorder_point: i64,
}

/// Stock of one SKU at one location, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StockRow {
    pub sku: String,
    pub location: String,
    pub on_hand: i64,
    pub reserved: i64,
}

impl StockRow {
    pub fn available(&self) -> i64 {
        (self.on_hand - self.reserved).max(0)
    }
}

/// What one intake attempt reads, in one round trip.
#[derive(Debug)]
pub(crate) struct IntakeReads {
    /// What the idempotency key already stands for.
    pub idempotency: Option<super::orders::IdempotencyRecord>,
    /// The order already imported under the channel's external id.
    pub existing: Option<super::orders::ExternalRecord>,
    pub snapshot: Snapshot,
    /// Every channel, as current as the snapshot.
    pub channels: std::sync::Arc<Vec<super::channels::ChannelRow>>,
}

/// What validating and allocating a cart needs.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pub catalog: Catalog,
    pub rules: Rules,
    pub stock: Vec<LocationStock>,
    /// Locations in preference order (lowest rank first).
    pub locations: Vec<LocationId>,
}

impl ProductRow {
    /// What the shop does when stock runs out (`Deny` unless the row says otherwise).
    pub fn policy(&self) -> Result<OutOfStockPolicy, std::num::TryFromIntError> {
        Ok(match self.policy.as_str() {
            "backorder" => OutOfStockPolicy::Backorder {
                lead_time_days: u16::try_from(self.lead_time_days.unwrap_or(14))?,
            },
            "dropship" => OutOfStockPolicy::Dropship { supplier: self.supplier.clone().unwrap_or_default() },
            _ => OutOfStockPolicy::Deny,
        })
    }

    /// The core's view of this product, with `available` to promise.
    /// `restocks`: its open purchase orders' units not yet promised (`None` when it has none).
    pub fn to_item(
        &self,
        available: i64,
        restocks: Option<&Vec<Incoming>>,
    ) -> Result<CatalogItem, StoreError> {
        let bad = |what: &str| StoreError::Decode(format!("product {}: {what}", self.sku));
        let quantity =
            |q: Option<i64>| q.map(Quantity::parse).transpose().map_err(|_| bad("bad quantity limit"));
        let policy = self.policy().map_err(|_| bad("lead time"))?;
        let tax_class = match self.tax_class.as_str() {
            "reduced" => TaxClass::Reduced,
            "zero" => TaxClass::Zero,
            _ => TaxClass::Standard,
        };
        Ok(CatalogItem {
            sku: Sku::parse(&self.sku).map_err(|_| bad("bad sku"))?,
            name: self.name.as_str().into(),
            unit_price: Money::new(self.price, Currency::parse(&self.currency).map_err(|_| bad("currency"))?),
            active: self.active,
            min_per_order: quantity(self.min_per_order)?,
            max_per_order: quantity(self.max_per_order)?,
            available: u32::try_from(available.max(0)).unwrap_or(u32::MAX),
            policy,
            next_restock: restocks.and_then(|r| next_unpromised(r)),
            restocks: restocks.cloned(),
            weight_grams: u32::try_from(self.weight_grams.max(0)).unwrap_or(u32::MAX),
            tax_class,
        })
    }
}

/// The shop's rules (one row, `[]` before any are set).
const RULES: &str = "SELECT VALUE rules FROM shop:rules";

/// Every stock location's key and rank (sorted by the gateway: `ORDER BY` cost a third more than
/// the whole read).
const LOCATIONS: &str = "SELECT record::id(id) AS key, rank FROM location";

/// Open purchase order lines of the SKUs `$skus`, each with the units of its SKU's waiting
/// backorders.
const ARRIVALS: &str = "SELECT sku, expected_on, quantity - received AS units,
    (SELECT VALUE quantity FROM backorder WHERE sku = $parent.sku AND open = true) AS waiting
    FROM purchase_order_line WHERE open = true AND sku IN $skus";

/// An open purchase order line with the units of its SKU's waiting backorders (the same on every
/// row of a SKU).
#[derive(Deserialize)]
struct Arrival {
    sku: String,
    expected_on: String,
    units: i64,
    waiting: Vec<i64>,
}

/// Per SKU with an open purchase order, what a new backorder can still be promised against:
/// ordo-core matches the waiting units first (overdue days are moved to today when promising,
/// not here).
fn restocks(arrivals: &[Arrival]) -> BTreeMap<&str, Vec<Incoming>> {
    let mut incoming: BTreeMap<&str, (u64, Vec<Incoming>)> = BTreeMap::new();
    for a in arrivals {
        let Ok(on) = a.expected_on.parse::<NaiveDate>() else { continue };
        let slot = incoming
            .entry(a.sku.as_str())
            .or_insert_with(|| (a.waiting.iter().map(|q| u64::try_from(*q).unwrap_or(0)).sum(), Vec::new()));
        slot.1.push(Incoming { on, units: u32::try_from(a.units.max(0)).unwrap_or(u32::MAX) });
    }
    incoming
        .into_iter()
        .map(|(sku, (waiting, arriving))| (sku, unpromised(waiting, &arriving, NaiveDate::MIN)))
        .collect()
}

/// Units available to promise per SKU of `stock`, over every location.
fn available_by_sku(stock: &[StockRow]) -> BTreeMap<&str, i64> {
    let mut available: BTreeMap<&str, i64> = BTreeMap::new();
    for row in stock {
        *available.entry(row.sku.as_str()).or_default() += row.available();
    }
    available
}

/// The SKUs of `products` whose promise of the units `wanted` depends on open purchase orders,
/// as ordo-core says (`CatalogItem::promise_needs_restocks`).
fn needing_restocks(
    products: &[ProductRow],
    stock: &[StockRow],
    wanted: &BTreeMap<String, u64>,
) -> Result<Vec<String>, StoreError> {
    let available = available_by_sku(stock);
    let mut needing = Vec::new();
    for product in products {
        let item = product.to_item(available.get(product.sku.as_str()).copied().unwrap_or(0), None)?;
        let quantity = wanted.get(&product.sku).map_or(0, |w| u32::try_from(*w).unwrap_or(u32::MAX));
        if item.promise_needs_restocks(quantity) {
            needing.push(product.sku.clone());
        }
    }
    Ok(needing)
}

impl Store {
    /// What a new backorder of `sku` can be promised against (`None`: no open purchase order).
    pub(crate) async fn restocks(&self, sku: &str) -> Result<Option<Vec<Incoming>>, StoreError> {
        let mut results = self.db().query(ARRIVALS).bind(("skus", vec![sku.to_owned()])).await?;
        let arrivals: Vec<Arrival> = decode(rows(&mut results, 0)?)?;
        Ok(restocks(&arrivals).remove(sku))
    }

    /// Products, optionally of one category and holding every one of `terms` (lower-case, see
    /// ordo-core's `search_terms`) in their name, SKU or category, ordered by SKU, from `after`
    /// (exclusive), at most `limit`.
    pub(crate) async fn products(
        &self,
        category: Option<&str>,
        terms: &[String],
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ProductRow>, StoreError> {
        let matching: String = (0..terms.len())
            .map(|i| format!(" AND string::lowercase(name + ' ' + sku + ' ' + category) CONTAINS $term{i}"))
            .collect();
        let mut query = self
            .db()
            .query(format!(
                "SELECT * FROM product
                 WHERE ($category = NONE OR category = $category){matching}
                   AND ($after = NONE OR sku > $after)
                 ORDER BY sku LIMIT $limit"
            ))
            .bind(("category", category.map(str::to_owned)))
            .bind(("after", after.map(str::to_owned)))
            .bind(("limit", i64::try_from(limit).unwrap_or(i64::MAX)));
        for (i, term) in terms.iter().enumerate() {
            query = query.bind((format!("term{i}"), term.clone()));
        }
        let mut results = query.await?;
        decode(rows(&mut results, 0)?)
    }

    pub(crate) async fn product(&self, sku: &str) -> Result<Option<ProductRow>, StoreError> {
        let mut results = self
            .db()
            .query("SELECT * FROM type::record('product', $sku)")
            .bind(("sku", sku.to_owned()))
            .await?;
        Ok(decode(rows(&mut results, 0)?)?.into_iter().next())
    }

    pub async fn stock_of(&self, sku: &str) -> Result<Vec<StockRow>, StoreError> {
        let mut results = self
            .db()
            .query("SELECT sku, location, on_hand, reserved FROM stock WHERE sku = $sku ORDER BY location")
            .bind(("sku", sku.to_owned()))
            .await?;
        decode(rows(&mut results, 0)?)
    }

    /// What validating and allocating a cart of `skus` needs, read in one query.
    pub(crate) async fn snapshot(&self, skus: &[String]) -> Result<Snapshot, StoreError> {
        Ok(self.intake_snapshot(skus, None, None, None).await?.snapshot)
    }

    /// One round trip for everything an intake attempt reads: what `idempotency_key` and
    /// `external_key` already stand for (when given), the snapshot of `skus` and the channels.
    /// Products are fetched by record id (their SKU), not through an index. The rules, locations
    /// and channels come from memory when this process keeps them, or are asked for only when
    /// their version moved (see [`super::reference`]). Given the units `wanted` of each SKU, the
    /// open purchase orders are read (in a second round trip) only for the SKUs whose promise
    /// depends on them (ordo-core's `CatalogItem::promise_needs_restocks`).
    pub(crate) async fn intake_snapshot(
        &self,
        skus: &[String],
        wanted: Option<&BTreeMap<String, u64>>,
        idempotency_key: Option<&str>,
        external_key: Option<&str>,
    ) -> Result<IntakeReads, StoreError> {
        let ids: Vec<surrealdb::types::RecordId> =
            skus.iter().map(|sku| surrealdb::types::RecordId::new("product", sku.as_str())).collect();
        let (shop_read, channels_read) = (self.shop.begin(), self.channels.begin());
        let mut statements = vec![
            "SELECT * FROM $ids".to_owned(),
            "SELECT sku, location, on_hand, reserved FROM stock WHERE sku IN $skus".to_owned(),
        ];
        let mut push = |statement: String| {
            statements.push(statement);
            statements.len() - 1
        };
        let arrivals_at = wanted.is_none().then(|| push(ARRIVALS.to_owned()));
        let idempotency_at = idempotency_key.map(|_| {
            push("SELECT operation, fingerprint, order_id FROM type::record('idempotency', $idem)".to_owned())
        });
        let external_at = external_key.map(|_| {
            push(
                "SELECT order_id, scope, fingerprint FROM type::record('external_order', $external)"
                    .to_owned(),
            )
        });
        // The reference data asked for, in one guarded block: the version's LET comes first.
        let every_channel = super::channels::every_channel();
        let mut reads: Vec<(&str, &str)> = Vec::new();
        let (mut known_shop, mut known_channels) = (-1, -1);
        if let Begin::Ask(ask) = &shop_read {
            reads.extend([(RULES, "known_shop"), (LOCATIONS, "known_shop")]);
            known_shop = ask.known();
        }
        if let Begin::Ask(ask) = &channels_read {
            reads.push((every_channel.as_str(), "known_channels"));
            known_channels = ask.known();
        }
        let guard_at = statements.len();
        let mut sql = statements.join(";\n") + ";\n";
        if !reads.is_empty() {
            sql.push_str(&guarded(&reads));
        }
        let mut results = self
            .db()
            .query(sql)
            .bind(("ids", ids))
            .bind(("skus", skus.to_vec()))
            .bind(("idem", idempotency_key.map(str::to_owned)))
            .bind(("external", external_key.map(str::to_owned)))
            .bind(("known_shop", known_shop))
            .bind(("known_channels", known_channels))
            .await?;
        let mut take = |at: Option<usize>| -> Result<Vec<serde_json::Value>, StoreError> {
            at.map_or(Ok(Vec::new()), |at| rows(&mut results, at))
        };
        let idempotency = decode(take(idempotency_at)?)?.into_iter().next();
        let existing = decode(take(external_at)?)?.into_iter().next();
        let arrivals: Option<Vec<Arrival>> =
            arrivals_at.map(|at| take(Some(at))).transpose()?.map(decode).transpose()?;
        let products: Vec<ProductRow> = decode(rows(&mut results, 0)?)?;
        let stock: Vec<StockRow> = decode(rows(&mut results, 1)?)?;
        // The guarded block's results: the LET, each read, then the version.
        let version: i64 = if reads.is_empty() {
            0
        } else {
            results.take::<Option<i64>>(guard_at + 1 + reads.len())?.unwrap_or(0)
        };
        let mut next_read = guard_at + 1;
        let shop = match shop_read {
            Begin::Kept(shop) => shop,
            Begin::Ask(ask) => {
                let at = next_read;
                next_read += 2;
                self.shop
                    .answer(ask, version, || Ok(std::sync::Arc::new(Self::read_shop(&mut results, at)?)))?
            }
        };
        let channels = match channels_read {
            Begin::Kept(channels) => channels,
            Begin::Ask(ask) => self
                .channels
                .answer(ask, version, || Ok(std::sync::Arc::new(decode(rows(&mut results, next_read)?)?)))?,
        };
        let arrivals = match (arrivals, wanted) {
            (Some(arrivals), _) => arrivals,
            (None, Some(wanted)) => {
                let needing = needing_restocks(&products, &stock, wanted)?;
                if needing.is_empty() {
                    Vec::new()
                } else {
                    let mut results = self.db().query(ARRIVALS).bind(("skus", needing)).await?;
                    decode(rows(&mut results, 0)?)?
                }
            }
            (None, None) => Vec::new(),
        };
        let snapshot = Self::read_snapshot(&products, &stock, &arrivals, &shop)?;
        Ok(IntakeReads { idempotency, existing, snapshot, channels })
    }

    /// The rules and locations, results `at` and `at + 1` of a query.
    fn read_shop(results: &mut surrealdb::IndexedResults, at: usize) -> Result<Shop, StoreError> {
        let rules: Vec<serde_json::Value> = rows(results, at)?;
        let rules = match rules.into_iter().next() {
            Some(json) => {
                serde_json::from_value(json).map_err(|e| StoreError::Decode(format!("rules: {e}")))?
            }
            None => Rules::default(),
        };
        #[derive(Deserialize)]
        struct LocationRow {
            key: String,
            rank: i64,
        }
        let mut locations: Vec<LocationRow> = decode(rows(results, at + 1)?)?;
        // Sorted here: `ORDER BY` in the query cost a third more than the whole read.
        locations.sort_by(|a, b| (a.rank, &a.key).cmp(&(b.rank, &b.key)));
        let locations = locations.iter().filter_map(|l| LocationId::parse(&l.key).ok()).collect();
        Ok(Shop { rules, locations })
    }

    /// Products, stock rows and open purchase order lines with the shop's rules and locations,
    /// as ordo-core's types.
    fn read_snapshot(
        products: &[ProductRow],
        stock: &[StockRow],
        arrivals: &[Arrival],
        shop: &Shop,
    ) -> Result<Snapshot, StoreError> {
        let available = available_by_sku(stock);
        let restocks = restocks(arrivals);
        let items = products
            .iter()
            .map(|p| {
                p.to_item(available.get(p.sku.as_str()).copied().unwrap_or(0), restocks.get(p.sku.as_str()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let location_stock = stock
            .iter()
            .filter_map(|row| {
                Some(LocationStock {
                    location: LocationId::parse(&row.location).ok()?,
                    sku: Sku::parse(&row.sku).ok()?,
                    on_hand: u32::try_from(row.on_hand.max(0)).ok()?,
                    reserved: u32::try_from(row.reserved.max(0)).ok()?,
                })
            })
            .collect();
        Ok(Snapshot {
            catalog: Catalog::new(items),
            rules: shop.rules.clone(),
            stock: location_stock,
            locations: shop.locations.clone(),
        })
    }

    pub async fn rules(&self) -> Result<Rules, StoreError> {
        let mut results = self.db().query(RULES).await?;
        match rows(&mut results, 0)?.into_iter().next() {
            Some(json) => serde_json::from_value(json).map_err(|e| StoreError::Decode(format!("rules: {e}"))),
            None => Ok(Rules::default()),
        }
    }

    /// Replaces the shop's rules.
    pub async fn set_rules(&self, rules: &Rules) -> Result<(), StoreError> {
        let json = serde_json::to_value(rules).map_err(|e| StoreError::Decode(e.to_string()))?;
        self.write_reference(
            "UPSERT shop:rules SET rules = $rules;",
            serde_json::json!({ "rules": json }),
            || self.shop.forget(),
        )
        .await?;
        Ok(())
    }

    /// Creates or replaces a product.
    pub async fn put_product(&self, product: &ProductRow) -> Result<(), StoreError> {
        let json =
            without_nulls(serde_json::to_value(product).map_err(|e| StoreError::Decode(e.to_string()))?);
        self.db()
            .query("UPSERT type::record('product', $sku) CONTENT $product")
            .bind(("sku", product.sku.clone()))
            .bind(("product", json))
            .await?
            .check()?;
        Ok(())
    }

    /// Every stock location as (id, name, rank), preferred first.
    pub async fn locations(&self) -> Result<Vec<(String, String, i64)>, StoreError> {
        let mut result =
            self.db().query("SELECT record::id(id) AS id, name, rank FROM location ORDER BY rank").await?;
        Ok(rows(&mut result, 0)?
            .into_iter()
            .filter_map(|r| {
                Some((r["id"].as_str()?.to_owned(), r["name"].as_str()?.to_owned(), r["rank"].as_i64()?))
            })
            .collect())
    }

    /// Records where `sku` sits in `location` (aisle-shelf-bin), for pick lists.
    pub async fn put_bin(&self, sku: &str, location: &str, bin: &str) -> Result<(), StoreError> {
        self.db()
            .query("UPDATE type::record('stock', $key) SET bin = $bin")
            .bind(("key", stock_key(sku, location)))
            .bind(("bin", bin.to_owned()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn put_location(&self, key: &str, name: &str, rank: i64) -> Result<(), StoreError> {
        self.write_reference(
            "UPSERT type::record('location', $key) SET name = $name, rank = $rank;",
            serde_json::json!({ "key": key, "name": name, "rank": rank }),
            || self.shop.forget(),
        )
        .await?;
        Ok(())
    }

    /// Sets on-hand stock (a receipt or a count), recording the movement.
    pub async fn put_stock(
        &self,
        sku: &str,
        location: &str,
        on_hand: i64,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.db()
            .query(
                "BEGIN;
                 LET $before = (SELECT VALUE on_hand FROM type::record('stock', $key))[0] ?? 0;
                 UPSERT type::record('stock', $key) SET sku = $sku, location = $location, on_hand = $on_hand,
                     reserved = reserved ?? 0;
                 CREATE stock_movement SET sku = $sku, location = $location, on_hand_delta = $on_hand - $before,
                     reserved_delta = 0, reason = $reason, at = time::now();
                 COMMIT;",
            )
            .bind(("key", stock_key(sku, location)))
            .bind(("sku", sku.to_owned()))
            .bind(("location", location.to_owned()))
            .bind(("on_hand", on_hand))
            .bind(("reason", reason.to_owned()))
            .await?
            .check()?;
        Ok(())
    }
}
