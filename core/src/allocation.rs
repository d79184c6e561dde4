//! Stock allocation: which location serves which order line, with backorder and dropship fallback.
//!
//! # How a plan is chosen
//! 1. Only the locations the caller lists in `preference` are used, first = most preferred.
//! 2. Per SKU, the *coverable* demand is the order's demand for it (duplicate lines summed),
//!    capped at the stock available over all listed locations.
//! 3. The fewest locations whose combined stock meets every coverable demand are chosen. With at
//!    most [`EXACT_SEARCH_MAX_LOCATIONS`] useful locations (those holding some demanded SKU) every
//!    subset is tried, smallest first and, among equal sizes, the one whose locations come first
//!    in the preference order (so one location wins whenever one can serve everything). Beyond
//!    that a greedy set cover is used: repeatedly add the location covering the most missing
//!    units (ties: the preferred one), then drop picks that turned out redundant. Greedy may use
//!    more locations than the optimum.
//! 4. Lines are filled in order from the chosen locations: wholly from the first (in preference
//!    order) that still has enough, else split over them in preference order.
//! 5. What stock cannot cover goes to the item's [`OutOfStockPolicy`]: a backorder promised for
//!    [`CatalogItem::backorder_promise`], a dropship, or (Deny) an
//!    [`AllocationError::InsufficientStock`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::catalog::{Catalog, CatalogItem, OutOfStockPolicy};
use crate::values::{Quantity, Sku, string_value};

/// Up to this many useful locations the fewest-locations choice is exact; beyond it, greedy.
pub const EXACT_SEARCH_MAX_LOCATIONS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationIdError {
    #[error("location id is empty")]
    Empty,
    #[error("location id is longer than {max} characters", max = LocationId::MAX_LEN)]
    TooLong,
    #[error("location id may contain only letters, digits, '-', '_', '.' and ':'")]
    InvalidCharacter,
}

/// A stock location (warehouse, store) id: 1–64 ASCII letters, digits, `-`, `_`, `.` or `:`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(try_from = "String"))]
pub struct LocationId(String);

string_value!(LocationId, LocationIdError);

impl LocationId {
    pub const MAX_LEN: usize = 64;

    /// Parses a location id; surrounding whitespace is ignored, case is kept.
    pub fn parse(raw: &str) -> Result<LocationId, LocationIdError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(LocationIdError::Empty);
        }
        if s.len() > Self::MAX_LEN {
            return Err(LocationIdError::TooLong);
        }
        if !s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':')) {
            return Err(LocationIdError::InvalidCharacter);
        }
        Ok(LocationId(s.to_owned()))
    }
}

/// The stock of one SKU at one location.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct LocationStock {
    pub location: LocationId,
    pub sku: Sku,
    pub on_hand: u32,
    /// Units promised to earlier orders; more than `on_hand` simply means none available.
    pub reserved: u32,
}

impl LocationStock {
    /// On hand minus reserved, never below zero.
    pub fn available(&self) -> u32 {
        self.on_hand.saturating_sub(self.reserved)
    }
}

/// One order line to allocate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct LineRequest {
    pub sku: Sku,
    pub quantity: Quantity,
}

/// Where some units of a line come from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum LinePart {
    /// Reserved from stock at `location`.
    Allocate { location: LocationId, quantity: u32 },
    /// Accepted without stock; expected to ship by `promised`.
    Backorder {
        quantity: u32,
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
        #[cfg_attr(feature = "ts", ts(as = "NaiveDate"))]
        promised: NaiveDate,
    },
    /// Shipped by `supplier` directly to the customer.
    Dropship { quantity: u32, supplier: String },
}

impl LinePart {
    pub fn quantity(&self) -> u32 {
        match self {
            LinePart::Allocate { quantity, .. }
            | LinePart::Backorder { quantity, .. }
            | LinePart::Dropship { quantity, .. } => *quantity,
        }
    }
}

/// How one line is served. Its parts always add up to its quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct LinePlan {
    sku: Sku,
    quantity: Quantity,
    parts: Vec<LinePart>,
}

impl LinePlan {
    pub fn sku(&self) -> &Sku {
        &self.sku
    }
    pub fn quantity(&self) -> Quantity {
        self.quantity
    }
    /// Stock allocations first (in preference order), then at most one backorder or dropship part.
    pub fn parts(&self) -> &[LinePart] {
        &self.parts
    }
    /// Units reserved from stock.
    pub fn allocated(&self) -> u32 {
        self.parts.iter().filter(|p| matches!(p, LinePart::Allocate { .. })).map(LinePart::quantity).sum()
    }
    /// Whether every unit comes from stock (no backorder, no dropship).
    pub fn is_fully_allocated(&self) -> bool {
        self.allocated() == self.quantity.get()
    }
}

/// The result of [`allocate`]: one [`LinePlan`] per requested line, in request order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct AllocationPlan {
    lines: Vec<LinePlan>,
}

impl AllocationPlan {
    pub fn lines(&self) -> &[LinePlan] {
        &self.lines
    }

    /// The distinct locations the plan ships from, in order of first use.
    pub fn locations(&self) -> Vec<&LocationId> {
        let mut seen = Vec::new();
        for part in self.lines.iter().flat_map(|l| &l.parts) {
            if let LinePart::Allocate { location, .. } = part
                && !seen.contains(&location)
            {
                seen.push(location);
            }
        }
        seen
    }

    /// Units allocated per (location, SKU), summed over lines.
    pub fn allocations(&self) -> BTreeMap<(LocationId, Sku), u32> {
        let mut totals = BTreeMap::new();
        for line in &self.lines {
            for part in &line.parts {
                if let LinePart::Allocate { location, quantity } = part {
                    *totals.entry((location.clone(), line.sku.clone())).or_insert(0) += *quantity;
                }
            }
        }
        totals
    }
}

/// Why a line (or the stock list) cannot be allocated. `line` is the index in the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("line {line}: SKU {sku} is not in the catalog")]
    UnknownSku { line: usize, sku: Sku },
    #[error("line {line}: SKU {sku} is no longer sold")]
    Inactive { line: usize, sku: Sku },
    #[error("line {line}: only {available} of {requested} × {sku} can be supplied")]
    InsufficientStock { line: usize, sku: Sku, requested: u32, available: u32 },
    #[error("stock of {sku} at {location} is listed more than once")]
    DuplicateStock { location: LocationId, sku: Sku },
}

/// Plans where each line comes from; see the module docs for the rules.
///
/// Locations missing from `preference` are not used; a location listed twice counts at its first
/// position. Every problem is reported, not just the first.
pub fn allocate(
    lines: &[LineRequest],
    catalog: &Catalog,
    stock: &[LocationStock],
    preference: &[LocationId],
    today: NaiveDate,
) -> Result<AllocationPlan, Vec<AllocationError>> {
    let mut errors = Vec::new();

    // Lines that can be planned, with their catalog items.
    let mut items: Vec<Option<&CatalogItem>> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        items.push(match catalog.get(&line.sku) {
            None => {
                errors.push(AllocationError::UnknownSku { line: i, sku: line.sku.clone() });
                None
            }
            Some(item) if !item.active => {
                errors.push(AllocationError::Inactive { line: i, sku: line.sku.clone() });
                None
            }
            Some(item) => Some(item),
        });
    }

    // Index the demanded SKUs and the listed locations.
    let mut sku_index: BTreeMap<&Sku, usize> = BTreeMap::new();
    let mut demand: Vec<u64> = Vec::new();
    for (line, item) in lines.iter().zip(&items) {
        if item.is_some() {
            let next = sku_index.len();
            let s = *sku_index.entry(&line.sku).or_insert(next);
            if s == demand.len() {
                demand.push(0);
            }
            demand[s] += u64::from(line.quantity.get());
        }
    }
    let mut locations: Vec<&LocationId> = Vec::new();
    for location in preference {
        if !locations.contains(&location) {
            locations.push(location);
        }
    }

    // available[location][sku], duplicates reported and the later rows ignored.
    let mut available = vec![vec![0u64; demand.len()]; locations.len()];
    let mut seen = BTreeSet::new();
    for row in stock {
        if !seen.insert((&row.location, &row.sku)) {
            errors.push(AllocationError::DuplicateStock {
                location: row.location.clone(),
                sku: row.sku.clone(),
            });
            continue;
        }
        let location = locations.iter().position(|l| **l == row.location);
        if let (Some(l), Some(s)) = (location, sku_index.get(&row.sku)) {
            available[l][*s] = u64::from(row.available());
        }
    }

    // Choose among the locations that hold something useful.
    let useful: Vec<usize> = (0..locations.len()).filter(|l| available[*l].iter().any(|a| *a > 0)).collect();
    let useful_stock: Vec<Vec<u64>> = useful.iter().map(|l| available[*l].clone()).collect();
    let target: Vec<u64> =
        (0..demand.len()).map(|s| demand[s].min(useful_stock.iter().map(|a| a[s]).sum())).collect();
    let chosen: Vec<usize> =
        choose_locations(&useful_stock, &target).into_iter().map(|c| useful[c]).collect();

    // Fill lines from the chosen locations; the rest goes to the policy fallback.
    let mut left_at = available;
    let mut plans = Vec::with_capacity(lines.len());
    for (i, (line, item)) in lines.iter().zip(&items).enumerate() {
        let (Some(item), Some(s)) = (item, sku_index.get(&line.sku).copied()) else {
            continue;
        };
        let quantity = u64::from(line.quantity.get());
        let mut parts = Vec::new();
        let mut left = quantity;
        let whole = chosen.iter().copied().find(|l| left_at[*l][s] >= quantity);
        let sources: Vec<usize> = match whole {
            Some(l) => vec![l],
            None => chosen.clone(),
        };
        for l in sources {
            let take = left.min(left_at[l][s]);
            if take == 0 {
                continue;
            }
            left_at[l][s] -= take;
            left -= take;
            parts.push(LinePart::Allocate { location: locations[l].clone(), quantity: units(take) });
        }
        if left > 0 {
            match (&item.policy, item.backorder_promise(today, units(left))) {
                (_, Some(promised)) => parts.push(LinePart::Backorder { quantity: units(left), promised }),
                (OutOfStockPolicy::Dropship { supplier }, None) => {
                    parts.push(LinePart::Dropship { quantity: units(left), supplier: supplier.clone() })
                }
                _ => errors.push(AllocationError::InsufficientStock {
                    line: i,
                    sku: line.sku.clone(),
                    requested: line.quantity.get(),
                    available: units(quantity - left),
                }),
            }
        }
        plans.push(LinePlan { sku: line.sku.clone(), quantity: line.quantity, parts });
    }

    if errors.is_empty() { Ok(AllocationPlan { lines: plans }) } else { Err(errors) }
}

/// A part of one line's quantity, which is at most [`Quantity::MAX`] and so fits a `u32`.
fn units(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The fewest locations (indices into `stock`, ascending = preference order) whose combined
/// stock meets `target` per SKU. `target` never exceeds the stock of all locations together.
fn choose_locations(stock: &[Vec<u64>], target: &[u64]) -> Vec<usize> {
    let covers = |set: &[usize]| {
        target.iter().enumerate().all(|(s, t)| set.iter().map(|l| stock[*l][s]).sum::<u64>() >= *t)
    };
    let n = stock.len();
    if n <= EXACT_SEARCH_MAX_LOCATIONS {
        let mut subsets: Vec<Vec<usize>> =
            (0u32..1 << n).map(|mask| (0..n).filter(|l| mask & (1 << l) != 0).collect()).collect();
        subsets.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        return subsets.into_iter().find(|set| covers(set)).unwrap_or_else(|| (0..n).collect());
    }

    // Greedy set cover over units.
    let mut missing = target.to_vec();
    let mut chosen: Vec<usize> = Vec::new();
    while missing.iter().any(|m| *m > 0) {
        let gain = |l: usize| -> u64 { missing.iter().zip(&stock[l]).map(|(m, a)| *m.min(a)).sum() };
        let best = (0..n)
            .filter(|l| !chosen.contains(l))
            .map(|l| (gain(l), l))
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        match best {
            Some((g, l)) if g > 0 => {
                for (m, a) in missing.iter_mut().zip(&stock[l]) {
                    *m -= (*m).min(*a);
                }
                chosen.push(l);
            }
            _ => break,
        }
    }
    // Drop picks made redundant by later ones, latest first.
    for i in (0..chosen.len()).rev() {
        let mut without = chosen.clone();
        without.remove(i);
        if covers(&without) {
            chosen = without;
        }
    }
    chosen.sort_unstable();
    chosen
}

/// Why a plan could not be reserved against the given stock (it changed since planning).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReserveError {
    #[error("{requested} × {sku} planned at {location}, but only {available} available")]
    NotEnoughStock { location: LocationId, sku: Sku, requested: u32, available: u32 },
}

/// Applies a plan's allocations to `stock`: the same rows, in the same order, with `reserved`
/// raised by what the plan takes from each, ready to persist. Every shortfall is reported; a
/// (location, SKU) listed twice is charged to its first row.
pub fn reserve(
    stock: &[LocationStock],
    plan: &AllocationPlan,
) -> Result<Vec<LocationStock>, Vec<ReserveError>> {
    let mut updated = stock.to_vec();
    let mut errors = Vec::new();
    for ((location, sku), requested) in plan.allocations() {
        let row = updated.iter_mut().find(|r| r.location == location && r.sku == sku);
        match row {
            Some(row) if row.available() >= requested => row.reserved += requested,
            other => errors.push(ReserveError::NotEnoughStock {
                available: other.map_or(0, |r| r.available()),
                location,
                sku,
                requested,
            }),
        }
    }
    if errors.is_empty() { Ok(updated) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::TaxClass;
    use crate::money::{Currency, Money};
    use proptest::prelude::*;

    fn sku(s: &str) -> Sku {
        Sku::parse(s).unwrap()
    }

    fn loc(s: &str) -> LocationId {
        LocationId::parse(s).unwrap()
    }

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    fn item(code: &str, policy: OutOfStockPolicy) -> CatalogItem {
        CatalogItem {
            sku: sku(code),
            name: code.into(),
            unit_price: Money::new(1000, Currency::Eur),
            active: true,
            min_per_order: None,
            max_per_order: None,
            available: 0,
            policy,
            next_restock: None,
            restocks: None,
            weight_grams: 100,
            tax_class: TaxClass::Standard,
        }
    }

    fn deny_catalog(codes: &[&str]) -> Catalog {
        Catalog::new(codes.iter().map(|c| item(c, OutOfStockPolicy::Deny)))
    }

    fn line(code: &str, quantity: i64) -> LineRequest {
        LineRequest { sku: sku(code), quantity: Quantity::parse(quantity).unwrap() }
    }

    fn row(location: &str, code: &str, on_hand: u32, reserved: u32) -> LocationStock {
        LocationStock { location: loc(location), sku: sku(code), on_hand, reserved }
    }

    fn locs(names: &[&str]) -> Vec<LocationId> {
        names.iter().map(|n| loc(n)).collect()
    }

    fn alloc(location: &str, quantity: u32) -> LinePart {
        LinePart::Allocate { location: loc(location), quantity }
    }

    fn today() -> NaiveDate {
        day("2026-11-27")
    }

    #[test]
    fn location_ids_are_validated() {
        assert_eq!(loc(" WH-1:a ").as_str(), "WH-1:a");
        assert_eq!(LocationId::parse(""), Err(LocationIdError::Empty));
        assert_eq!(LocationId::parse("WH 1"), Err(LocationIdError::InvalidCharacter));
        assert_eq!(LocationId::parse(&"W".repeat(65)), Err(LocationIdError::TooLong));
    }

    #[test]
    fn the_preferred_location_serves_everything_when_it_can() {
        let catalog = deny_catalog(&["A", "B"]);
        let stock = [row("L1", "A", 5, 0), row("L1", "B", 5, 0), row("L2", "A", 5, 0), row("L2", "B", 5, 0)];
        let plan =
            allocate(&[line("A", 2), line("B", 3)], &catalog, &stock, &locs(&["L2", "L1"]), today()).unwrap();
        assert_eq!(plan.lines()[0].parts(), &[alloc("L2", 2)]);
        assert_eq!(plan.lines()[1].parts(), &[alloc("L2", 3)]);
        assert_eq!(plan.locations(), vec![&loc("L2")]);
    }

    #[test]
    fn a_single_location_that_can_serve_everything_beats_a_preferred_one_that_cannot() {
        let catalog = deny_catalog(&["A", "B"]);
        let stock = [row("L1", "A", 5, 0), row("L2", "A", 5, 0), row("L2", "B", 5, 0)];
        let plan =
            allocate(&[line("A", 2), line("B", 3)], &catalog, &stock, &locs(&["L1", "L2"]), today()).unwrap();
        assert_eq!(plan.locations(), vec![&loc("L2")]);
    }

    #[test]
    fn the_order_is_split_over_two_locations_when_no_single_one_can_serve_it() {
        let catalog = deny_catalog(&["A", "B"]);
        let stock = [row("L1", "A", 5, 0), row("L2", "B", 5, 0)];
        let plan =
            allocate(&[line("A", 2), line("B", 3)], &catalog, &stock, &locs(&["L1", "L2"]), today()).unwrap();
        assert_eq!(plan.lines()[0].parts(), &[alloc("L1", 2)]);
        assert_eq!(plan.lines()[1].parts(), &[alloc("L2", 3)]);
    }

    #[test]
    fn a_line_is_split_over_locations_only_when_no_single_one_has_enough() {
        let catalog = deny_catalog(&["A"]);
        let stock = [row("L1", "A", 3, 0), row("L2", "A", 4, 0)];
        let plan = allocate(&[line("A", 6)], &catalog, &stock, &locs(&["L1", "L2"]), today()).unwrap();
        assert_eq!(plan.lines()[0].parts(), &[alloc("L1", 3), alloc("L2", 3)]);
    }

    #[test]
    fn the_fewest_locations_are_chosen_over_the_preferred_ones() {
        // L1 and L2 each hold one SKU; L3 holds both, so two locations suffice only with L3.
        let catalog = deny_catalog(&["A", "B", "C"]);
        let stock = [
            row("L1", "A", 5, 0),
            row("L2", "B", 5, 0),
            row("L3", "A", 5, 0),
            row("L3", "B", 5, 0),
            row("L4", "C", 5, 0),
        ];
        let plan = allocate(
            &[line("A", 1), line("B", 1), line("C", 1)],
            &catalog,
            &stock,
            &locs(&["L1", "L2", "L3", "L4"]),
            today(),
        )
        .unwrap();
        assert_eq!(plan.locations(), vec![&loc("L3"), &loc("L4")]);
    }

    #[test]
    fn with_many_locations_a_greedy_cover_still_uses_few_of_them() {
        let catalog = deny_catalog(&["A", "B", "C"]);
        let mut stock: Vec<LocationStock> = (0..10).map(|i| row(&format!("S{i}"), "A", 1, 0)).collect();
        stock.push(row("BIG", "A", 10, 0));
        stock.push(row("BIG", "B", 10, 0));
        stock.push(row("C-ONLY", "C", 10, 0));
        let mut preference: Vec<LocationId> = (0..10).map(|i| loc(&format!("S{i}"))).collect();
        preference.push(loc("C-ONLY"));
        preference.push(loc("BIG"));
        let plan =
            allocate(&[line("A", 5), line("B", 5), line("C", 5)], &catalog, &stock, &preference, today())
                .unwrap();
        assert_eq!(plan.locations(), vec![&loc("BIG"), &loc("C-ONLY")]);
    }

    #[test]
    fn a_backorder_remainder_is_promised_for_the_purchase_order_arrival() {
        let mut mug = item("MUG", OutOfStockPolicy::Backorder { lead_time_days: 14 });
        mug.next_restock = Some(day("2026-12-03"));
        let plan = allocate(
            &[line("MUG", 5)],
            &Catalog::new([mug]),
            &[row("L1", "MUG", 2, 0)],
            &locs(&["L1"]),
            today(),
        )
        .unwrap();
        assert_eq!(
            plan.lines()[0].parts(),
            &[alloc("L1", 2), LinePart::Backorder { quantity: 3, promised: day("2026-12-03") }]
        );
        assert!(!plan.lines()[0].is_fully_allocated());
    }

    #[test]
    fn a_backorder_without_a_purchase_order_is_promised_after_the_lead_time() {
        let mug = item("MUG", OutOfStockPolicy::Backorder { lead_time_days: 14 });
        let plan = allocate(&[line("MUG", 1)], &Catalog::new([mug]), &[], &locs(&["L1"]), today()).unwrap();
        assert_eq!(
            plan.lines()[0].parts(),
            &[LinePart::Backorder { quantity: 1, promised: day("2026-12-11") }]
        );
    }

    #[test]
    fn a_dropship_remainder_names_the_supplier() {
        let tee = item("TEE", OutOfStockPolicy::Dropship { supplier: "acme".into() });
        let plan = allocate(
            &[line("TEE", 4)],
            &Catalog::new([tee]),
            &[row("L1", "TEE", 1, 0)],
            &locs(&["L1"]),
            today(),
        )
        .unwrap();
        assert_eq!(
            plan.lines()[0].parts(),
            &[alloc("L1", 1), LinePart::Dropship { quantity: 3, supplier: "acme".into() }]
        );
    }

    #[test]
    fn every_short_deny_line_is_reported() {
        let catalog = deny_catalog(&["A", "B", "C"]);
        let stock = [row("L1", "A", 1, 0), row("L2", "A", 1, 0), row("L1", "C", 9, 0)];
        let errors = allocate(
            &[line("A", 3), line("B", 2), line("C", 1)],
            &catalog,
            &stock,
            &locs(&["L1", "L2"]),
            today(),
        )
        .unwrap_err();
        assert_eq!(
            errors,
            vec![
                AllocationError::InsufficientStock { line: 0, sku: sku("A"), requested: 3, available: 2 },
                AllocationError::InsufficientStock { line: 1, sku: sku("B"), requested: 2, available: 0 },
            ]
        );
    }

    #[test]
    fn unknown_and_inactive_skus_are_reported_with_stock_problems() {
        let mut old = item("OLD", OutOfStockPolicy::Deny);
        old.active = false;
        let catalog = Catalog::new([old, item("A", OutOfStockPolicy::Deny)]);
        let errors = allocate(
            &[line("NEW", 1), line("OLD", 1), line("A", 2)],
            &catalog,
            &[row("L1", "A", 1, 0)],
            &locs(&["L1"]),
            today(),
        )
        .unwrap_err();
        assert_eq!(
            errors,
            vec![
                AllocationError::UnknownSku { line: 0, sku: sku("NEW") },
                AllocationError::Inactive { line: 1, sku: sku("OLD") },
                AllocationError::InsufficientStock { line: 2, sku: sku("A"), requested: 2, available: 1 },
            ]
        );
    }

    #[test]
    fn duplicate_sku_lines_share_the_stock() {
        let catalog = Catalog::new([item("A", OutOfStockPolicy::Backorder { lead_time_days: 7 })]);
        let plan = allocate(
            &[line("A", 3), line("A", 3)],
            &catalog,
            &[row("L1", "A", 4, 0)],
            &locs(&["L1"]),
            today(),
        )
        .unwrap();
        assert_eq!(plan.lines()[0].parts(), &[alloc("L1", 3)]);
        assert_eq!(
            plan.lines()[1].parts(),
            &[alloc("L1", 1), LinePart::Backorder { quantity: 2, promised: day("2026-12-04") }]
        );
        assert_eq!(plan.allocations()[&(loc("L1"), sku("A"))], 4);
    }

    #[test]
    fn reserved_beyond_on_hand_means_nothing_is_available() {
        let catalog = deny_catalog(&["A"]);
        let stock = [row("L1", "A", 2, 5), row("L2", "A", 3, 1)];
        assert_eq!(stock[0].available(), 0);
        let plan = allocate(&[line("A", 2)], &catalog, &stock, &locs(&["L1", "L2"]), today()).unwrap();
        assert_eq!(plan.lines()[0].parts(), &[alloc("L2", 2)]);
    }

    #[test]
    fn locations_not_in_the_preference_list_are_not_used() {
        let catalog = deny_catalog(&["A"]);
        let errors = allocate(&[line("A", 1)], &catalog, &[row("FAR", "A", 9, 0)], &locs(&["L1"]), today())
            .unwrap_err();
        assert!(matches!(errors[..], [AllocationError::InsufficientStock { available: 0, .. }]));
    }

    #[test]
    fn stock_listed_twice_is_refused() {
        let catalog = deny_catalog(&["A"]);
        let errors = allocate(
            &[line("A", 1)],
            &catalog,
            &[row("L1", "A", 9, 0), row("L1", "A", 9, 0)],
            &locs(&["L1"]),
            today(),
        )
        .unwrap_err();
        assert_eq!(errors, vec![AllocationError::DuplicateStock { location: loc("L1"), sku: sku("A") }]);
    }

    #[test]
    fn reserving_a_plan_raises_the_reserved_counts() {
        let catalog = deny_catalog(&["A", "B"]);
        let stock = [row("L1", "A", 3, 1), row("L2", "A", 5, 0), row("L2", "B", 5, 4)];
        let plan =
            allocate(&[line("A", 3), line("B", 1)], &catalog, &stock, &locs(&["L1", "L2"]), today()).unwrap();
        let reserved: Vec<u32> = reserve(&stock, &plan).unwrap().iter().map(|r| r.reserved).collect();
        assert_eq!(reserved, vec![1, 3, 5]);
    }

    #[test]
    fn reserving_against_stock_that_has_shrunk_is_refused() {
        let catalog = deny_catalog(&["A"]);
        let stock = [row("L1", "A", 3, 0)];
        let plan = allocate(&[line("A", 3)], &catalog, &stock, &locs(&["L1"]), today()).unwrap();
        let errors = reserve(&[row("L1", "A", 3, 1)], &plan).unwrap_err();
        assert_eq!(
            errors,
            vec![ReserveError::NotEnoughStock {
                location: loc("L1"),
                sku: sku("A"),
                requested: 3,
                available: 2
            }]
        );
        assert!(reserve(&[], &plan).is_err());
    }

    const SKUS: [&str; 4] = ["A", "B", "C", "D"];

    fn policy_strategy() -> impl Strategy<Value = OutOfStockPolicy> {
        prop_oneof![
            Just(OutOfStockPolicy::Deny),
            (0u16..30).prop_map(|lead_time_days| OutOfStockPolicy::Backorder { lead_time_days }),
            Just(OutOfStockPolicy::Dropship { supplier: "acme".into() }),
        ]
    }

    /// Random policies, stock at `L0..Ln` (n ≤ `max_locations`) and lines over [`SKUS`].
    fn scenario(
        max_locations: usize,
    ) -> impl Strategy<Value = (Vec<OutOfStockPolicy>, Vec<LocationStock>, Vec<LineRequest>, usize)> {
        let policies = proptest::collection::vec(policy_strategy(), SKUS.len());
        let cells = proptest::collection::vec((0u32..12, 0u32..6), 12 * SKUS.len());
        let lines = proptest::collection::vec((0..SKUS.len(), 1i64..25), 1..7);
        (policies, cells, lines, 1usize..=max_locations).prop_map(|(policies, cells, lines, n)| {
            let stock = cells
                .iter()
                .enumerate()
                .filter(|(i, _)| i / SKUS.len() < n)
                .map(|(i, (on_hand, reserved))| {
                    row(&format!("L{}", i / SKUS.len()), SKUS[i % SKUS.len()], *on_hand, *reserved)
                })
                .collect();
            let lines = lines.iter().map(|(s, q)| line(SKUS[*s], *q)).collect();
            (policies, stock, lines, n)
        })
    }

    proptest! {
        #[test]
        fn plans_respect_stock_and_cover_every_unit(
            (policies, stock, lines, n) in scenario(12)
        ) {
            let catalog = Catalog::new(
                SKUS.iter().zip(&policies).map(|(s, p)| item(s, p.clone())),
            );
            let preference: Vec<LocationId> = (0..n).rev().map(|i| loc(&format!("L{i}"))).collect();
            let available = |l: &LocationId, s: &Sku| -> u32 {
                stock.iter().find(|r| &r.location == l && &r.sku == s).map_or(0, LocationStock::available)
            };
            let demand = |s: &Sku| -> u32 {
                lines.iter().filter(|l| &l.sku == s).map(|l| l.quantity.get()).sum()
            };
            let supply = |s: &Sku| -> u32 { stock.iter().filter(|r| &r.sku == s).map(LocationStock::available).sum() };
            match allocate(&lines, &catalog, &stock, &preference, today()) {
                Ok(plan) => {
                    prop_assert_eq!(plan.lines().len(), lines.len());
                    for ((l, s), q) in plan.allocations() {
                        prop_assert!(q <= available(&l, &s), "{} {} over-allocated", l, s);
                    }
                    for (p, req) in plan.lines().iter().zip(&lines) {
                        prop_assert_eq!(p.sku(), &req.sku);
                        let total: u32 = p.parts().iter().map(LinePart::quantity).sum();
                        prop_assert_eq!(total, req.quantity.get());
                        prop_assert!(p.parts().iter().all(|part| part.quantity() > 0));
                        let policy = &catalog.get(&req.sku).unwrap().policy;
                        if *policy == OutOfStockPolicy::Deny {
                            prop_assert!(p.is_fully_allocated());
                        }
                        if supply(&req.sku) >= demand(&req.sku) {
                            prop_assert!(p.is_fully_allocated());
                        }
                    }
                    prop_assert!(reserve(&stock, &plan).is_ok());
                }
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    for e in errors {
                        let AllocationError::InsufficientStock { line, sku, requested, available } = e else {
                            return Err(TestCaseError::fail(format!("unexpected {e:?}")));
                        };
                        prop_assert_eq!(&catalog.get(&sku).unwrap().policy, &OutOfStockPolicy::Deny);
                        prop_assert_eq!(requested, lines[line].quantity.get());
                        prop_assert!(available < requested);
                        prop_assert!(supply(&sku) < demand(&sku));
                    }
                }
            }
        }

        #[test]
        fn exact_search_uses_no_more_locations_than_any_covering_subset(
            (_policies, stock, lines, n) in scenario(EXACT_SEARCH_MAX_LOCATIONS)
        ) {
            let catalog = Catalog::new(
                SKUS.iter().map(|s| item(s, OutOfStockPolicy::Backorder { lead_time_days: 1 })),
            );
            let preference: Vec<LocationId> = (0..n).map(|i| loc(&format!("L{i}"))).collect();
            let plan = allocate(&lines, &catalog, &stock, &preference, today()).unwrap();
            let allocated: u32 = plan.lines().iter().map(LinePlan::allocated).sum();
            // Brute force: the smallest subset of locations that can allocate as many units.
            let reachable = |mask: u32| -> u32 {
                SKUS.iter().map(|s| {
                    let s = sku(s);
                    let demand: u32 = lines.iter().filter(|l| l.sku == s).map(|l| l.quantity.get()).sum();
                    let supply: u32 = stock
                        .iter()
                        .filter(|r| r.sku == s && mask & (1 << r.location.as_str()[1..].parse::<u32>().unwrap()) != 0)
                        .map(LocationStock::available)
                        .sum();
                    demand.min(supply)
                }).sum()
            };
            prop_assert_eq!(allocated, reachable((1 << n) - 1));
            let fewest = (0u32..1 << n)
                .filter(|m| reachable(*m) == allocated)
                .map(u32::count_ones)
                .min()
                .unwrap();
            prop_assert_eq!(plan.locations().len(), fewest as usize);
        }
    }
}
