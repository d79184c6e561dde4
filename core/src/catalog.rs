//! The catalog snapshot: what cart validation and allocation need to know about each SKU.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::money::Money;
use crate::promise::{Incoming, after_lead_time, promise_dates};
use crate::values::{Quantity, Sku};

/// What happens when a SKU is ordered beyond its available-to-promise quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum OutOfStockPolicy {
    /// Refuse the excess: the line cannot be ordered.
    Deny,
    /// Accept it and promise a date: the next purchase-order arrival, else today + lead time.
    Backorder { lead_time_days: u16 },
    /// A supplier ships the excess directly to the customer.
    Dropship { supplier: String },
}

/// The tax class a product belongs to; rates per class and destination live in the tax rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum TaxClass {
    Standard,
    Reduced,
    Zero,
}

/// One SKU as validation sees it at a moment in time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct CatalogItem {
    pub sku: Sku,
    /// Display name, used in messages.
    // Shared, not copied, by every priced line of this item.
    pub name: Arc<str>,
    /// Price of one unit; tax-inclusive or exclusive as the tax rules say.
    pub unit_price: Money,
    /// Inactive products cannot be bought.
    pub active: bool,
    /// Smallest quantity one order may hold (1 when absent).
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub min_per_order: Option<Quantity>,
    /// Largest quantity one order may hold (no limit but [`Quantity::MAX`] when absent).
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub max_per_order: Option<Quantity>,
    /// Available to promise: on hand minus reserved over all locations.
    pub available: u32,
    pub policy: OutOfStockPolicy,
    /// Earliest expected arrival of an open purchase order for this SKU, if any.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::option_date"))]
    #[cfg_attr(feature = "ts", ts(as = "Option<NaiveDate>"))]
    pub next_restock: Option<NaiveDate>,
    /// Units of open purchase orders not yet promised to waiting backorders, by day (what is left
    /// once they took theirs). When given, a backorder is promised the day its last unit arrives;
    /// when absent, the next restock is taken to bring enough.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub restocks: Option<Vec<Incoming>>,
    pub weight_grams: u32,
    pub tax_class: TaxClass,
}

impl CatalogItem {
    /// Whether promising `quantity` units of this item depends on its open purchase orders
    /// ([`CatalogItem::restocks`]): more is wanted than is available, and the policy backorders
    /// (see [`CatalogItem::backorder_promise`]). A store may leave restocks unread otherwise.
    pub fn promise_needs_restocks(&self, quantity: u32) -> bool {
        quantity > self.available && matches!(self.policy, OutOfStockPolicy::Backorder { .. })
    }

    /// When `quantity` backordered units of this item can be promised, counted from `today`:
    /// matched against [`CatalogItem::restocks`] when known, else the next restock, else the lead
    /// time. `None` when the policy is not backorder.
    pub fn backorder_promise(&self, today: NaiveDate, quantity: u32) -> Option<NaiveDate> {
        let OutOfStockPolicy::Backorder { lead_time_days } = self.policy else { return None };
        let beyond = after_lead_time(today, lead_time_days);
        Some(match &self.restocks {
            Some(restocks) => promise_dates(&[quantity], restocks, today, beyond)[0],
            None => self.next_restock.filter(|d| *d >= today).unwrap_or(beyond),
        })
    }
}

/// The SKUs validation may look up, keyed by SKU.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(as = "Vec<CatalogItem>"))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(from = "Vec<CatalogItem>", into = "Vec<CatalogItem>")
)]
pub struct Catalog {
    /// One item per SKU, in SKU order.
    items: Vec<CatalogItem>,
    /// Open addressing by a hash of the SKU: each slot holds a position in `items` plus one, or 0
    /// when empty. A power of two at least twice the items, so probes are short; a lookup is a
    /// hash and usually one comparison (a map ordered by SKU compares several strings).
    slots: Box<[u32]>,
}

impl Catalog {
    pub fn new(items: impl IntoIterator<Item = CatalogItem>) -> Catalog {
        // Inserting one by one (the last item of a SKU wins, as with `collect`) avoids the stable
        // sort that `collect` into a map instantiates for this item type.
        let mut map = BTreeMap::new();
        for item in items {
            map.insert(item.sku.clone(), item);
        }
        let items: Vec<CatalogItem> = map.into_values().collect();
        let mask = if items.is_empty() { 0 } else { (items.len() * 2).next_power_of_two() - 1 };
        let mut slots = vec![0u32; if items.is_empty() { 0 } else { mask + 1 }].into_boxed_slice();
        for (position, item) in items.iter().enumerate() {
            let mut slot = sku_hash(item.sku.as_str()) & mask;
            while slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            slots[slot] = position as u32 + 1;
        }
        Catalog { items, slots }
    }

    pub fn get(&self, sku: &Sku) -> Option<&CatalogItem> {
        self.find(sku.as_str())
    }

    /// The item whose SKU is `sku` (a SKU's text, as [`Sku::check`] gives it).
    pub fn find(&self, sku: &str) -> Option<&CatalogItem> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut slot = sku_hash(sku) & mask;
        loop {
            let item = self.items.get(self.slots[slot].checked_sub(1)? as usize)?;
            if item.sku.as_str() == sku {
                return Some(item);
            }
            slot = (slot + 1) & mask;
        }
    }

    pub fn items(&self) -> impl Iterator<Item = &CatalogItem> {
        self.items.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// FNV-1a of a SKU's bytes (no hasher crate, no random seed: the browser module has neither).
fn sku_hash(sku: &str) -> usize {
    sku.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
        as usize
}

impl From<Vec<CatalogItem>> for Catalog {
    fn from(items: Vec<CatalogItem>) -> Self {
        Catalog::new(items)
    }
}

impl From<Catalog> for Vec<CatalogItem> {
    fn from(catalog: Catalog) -> Self {
        catalog.items
    }
}

impl OutOfStockPolicy {
    /// Whether a product with this policy, `available` units to promise over all locations and
    /// a reorder point of `reorder_point` should be reordered: it is stocked by the shop (not
    /// dropshipped) and below the point.
    pub fn needs_reorder(&self, available: i64, reorder_point: i64) -> bool {
        !matches!(self, OutOfStockPolicy::Dropship { .. }) && available < reorder_point
    }
}

/// Most words one catalog search looks for.
pub const MAX_SEARCH_TERMS: usize = 8;

/// The words a shopper's search looks for: lower-cased, split at anything not a letter or digit,
/// each reduced to its singular (`hoodies` → `hoodie`, `glasses` → `glass`, `boxes` → `box`), at
/// most [`MAX_SEARCH_TERMS`], each once. A product matches when every term occurs in its name,
/// SKU or category, in any order ([`matches_search`]).
pub fn search_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in query.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let term = singular(&word.to_lowercase());
        if !term.is_empty() && !terms.contains(&term) {
            terms.push(term);
        }
        if terms.len() == MAX_SEARCH_TERMS {
            break;
        }
    }
    terms
}

/// Whether a product with this text (name, SKU, category) matches every search term.
pub fn matches_search(terms: &[String], text: &str) -> bool {
    let text = text.to_lowercase();
    terms.iter().all(|t| text.contains(t.as_str()))
}

/// English plural endings taken off: `-ies` → `-ie` (hoodies, ties), `-es` after s, x, z, ch, sh
/// (glasses, boxes), else a final `-s` (mugs), never from words of three letters or fewer.
fn singular(word: &str) -> String {
    if word.chars().count() <= 3 || word.ends_with("ss") {
        return word.to_owned();
    }
    for ending in ["sses", "xes", "zes", "ches", "shes"] {
        if let Some(stem) = word.strip_suffix(ending) {
            return format!("{stem}{}", &ending[..ending.len() - 2]);
        }
    }
    word.strip_suffix('s').unwrap_or(word).to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_search_finds_words_in_any_order_singular_or_plural() {
        assert_eq!(search_terms("Grey  hoodies!"), vec!["grey", "hoodie"]);
        assert_eq!(
            search_terms("glasses, boxes, mugs, tees, bus"),
            vec!["glass", "box", "mug", "tee", "bus"]
        );
        assert_eq!(search_terms("  "), Vec::<String>::new());
        assert_eq!(search_terms("a b c d e f g h i j").len(), MAX_SEARCH_TERMS);
        let hoodie = "Heavyweight hoodie, grey, L HOODIE-GRY-L apparel";
        for query in ["grey hoodie", "hoodie grey", "hoodies", "HOODIE-GRY", "apparel grey", ""] {
            assert!(matches_search(&search_terms(query), hoodie), "{query}");
        }
        for query in ["red hoodie", "mugs"] {
            assert!(!matches_search(&search_terms(query), hoodie), "{query}");
        }
    }

    #[test]
    fn a_stocked_product_below_its_reorder_point_needs_reordering_a_dropshipped_one_never() {
        assert!(OutOfStockPolicy::Deny.needs_reorder(4, 5));
        assert!(!OutOfStockPolicy::Deny.needs_reorder(5, 5));
        assert!(OutOfStockPolicy::Backorder { lead_time_days: 7 }.needs_reorder(-1, 0));
        assert!(!OutOfStockPolicy::Dropship { supplier: "northwood".into() }.needs_reorder(0, 5));
    }

    use super::*;
    use crate::money::Currency;

    fn item(policy: OutOfStockPolicy, next_restock: Option<NaiveDate>) -> CatalogItem {
        CatalogItem {
            sku: Sku::parse("MUG-01").unwrap(),
            name: "Mug".into(),
            unit_price: Money::new(1200, Currency::Eur),
            active: true,
            min_per_order: None,
            max_per_order: None,
            available: 0,
            policy,
            next_restock,
            restocks: None,
            weight_grams: 350,
            tax_class: TaxClass::Standard,
        }
    }

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    #[test]
    fn a_backorder_is_promised_for_the_next_purchase_order_arrival() {
        let i = item(OutOfStockPolicy::Backorder { lead_time_days: 14 }, Some(day("2026-12-03")));
        assert_eq!(i.backorder_promise(day("2026-11-27"), 1), Some(day("2026-12-03")));
    }

    #[test]
    fn without_a_purchase_order_a_backorder_is_promised_after_the_lead_time() {
        let i = item(OutOfStockPolicy::Backorder { lead_time_days: 14 }, None);
        assert_eq!(i.backorder_promise(day("2026-11-27"), 1), Some(day("2026-12-11")));
        let overdue = item(OutOfStockPolicy::Backorder { lead_time_days: 3 }, Some(day("2026-11-01")));
        assert_eq!(overdue.backorder_promise(day("2026-11-27"), 1), Some(day("2026-11-30")));
    }

    #[test]
    fn a_backorder_waits_for_the_purchase_order_that_brings_its_last_unit() {
        let mut i = item(OutOfStockPolicy::Backorder { lead_time_days: 14 }, Some(day("2026-12-03")));
        let po = |on: &str, units| Incoming { on: day(on), units };
        i.restocks = Some(vec![po("2026-12-03", 2), po("2026-12-09", 5)]);
        assert_eq!(i.backorder_promise(day("2026-11-27"), 2), Some(day("2026-12-03")));
        assert_eq!(i.backorder_promise(day("2026-11-27"), 3), Some(day("2026-12-09")));
        assert_eq!(i.backorder_promise(day("2026-11-27"), 8), Some(day("2026-12-11")), "beyond: lead time");
        i.restocks = Some(vec![po("2026-12-20", 0)]);
        assert_eq!(
            i.backorder_promise(day("2026-11-27"), 1),
            Some(day("2026-12-20")),
            "every unit promised: no earlier than the last purchase order"
        );
    }

    #[test]
    fn only_a_backordered_item_short_of_stock_needs_its_purchase_orders_to_promise() {
        let mut backordered = item(OutOfStockPolicy::Backorder { lead_time_days: 14 }, None);
        backordered.available = 3;
        assert!(!backordered.promise_needs_restocks(3), "in stock: nothing to promise");
        assert!(backordered.promise_needs_restocks(4));
        for policy in [OutOfStockPolicy::Deny, OutOfStockPolicy::Dropship { supplier: "acme".into() }] {
            assert!(!item(policy, None).promise_needs_restocks(4), "no backorder promise at all");
        }
    }

    #[test]
    fn deny_and_dropship_make_no_backorder_promise() {
        assert_eq!(item(OutOfStockPolicy::Deny, None).backorder_promise(day("2026-11-27"), 1), None);
        let dropship = item(OutOfStockPolicy::Dropship { supplier: "acme".into() }, None);
        assert_eq!(dropship.backorder_promise(day("2026-11-27"), 1), None);
    }

    proptest::proptest! {
        #[test]
        fn every_sku_finds_the_last_item_given_for_it_and_no_other_sku_finds_anything(
            given in proptest::collection::vec(("[A-D]{1,3}", 0u32..5), 0..60),
            absent in proptest::collection::vec("[A-E]{1,4}", 0..20),
        ) {
            let items = given.iter().map(|(sku, available)| CatalogItem {
                sku: Sku::parse(sku).unwrap(),
                available: *available,
                ..item(OutOfStockPolicy::Deny, None)
            });
            let catalog = Catalog::new(items);
            let last: BTreeMap<&str, u32> = given.iter().map(|(sku, available)| (sku.as_str(), *available)).collect();
            proptest::prop_assert_eq!(catalog.len(), last.len());
            let listed: Vec<(&str, u32)> = catalog.items().map(|i| (i.sku.as_str(), i.available)).collect();
            proptest::prop_assert_eq!(listed, last.iter().map(|(s, a)| (*s, *a)).collect::<Vec<_>>());
            for (sku, available) in &last {
                proptest::prop_assert_eq!(catalog.find(sku).map(|i| i.available), Some(*available));
            }
            for sku in absent.iter().filter(|s| !last.contains_key(s.as_str())) {
                proptest::prop_assert!(catalog.find(sku).is_none());
            }
        }
    }
}
