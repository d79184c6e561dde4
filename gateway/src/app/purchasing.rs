//! Purchasing: stock adjustments, purchase orders, receipts, and giving received stock to
//! waiting backorders oldest first (each allocation a timeline event on its order).

use chrono::{NaiveDate, Utc};
use ordo_core::allocation::LocationId;
use ordo_core::catalog::OutOfStockPolicy;
use ordo_core::lifecycle::LineAvailability;
use ordo_core::order::{Command, QueuePlace, Role, queue, serves};
use ordo_core::promise::{Incoming, after_lead_time, promise_dates};
use ordo_core::purchasing::{self as rules, StockRequestError};
use ordo_core::values::{limits, required_text};

use crate::app::App;
use crate::app::access::Actor;
use crate::app::error::ApiError;
use crate::app::orders::load_from;
pub use crate::store::catalog::{ProductRow, StockRow};
pub use crate::store::stock::PurchaseOrderRow;
use crate::store::stock::{BackorderRow, StockChange};
use crate::store::{Doer, Store, StoreError, backoff};

const MAX_ATTEMPTS: u32 = 16;

/// A stock request ordo-core refused, as the caller's bad input.
fn refused(e: StockRequestError) -> ApiError {
    ApiError::bad_input(e.field, e.message)
}

async fn known_location(store: &Store, sku: &str, location: &str) -> Result<(), ApiError> {
    if store.product(sku).await?.is_none() {
        return Err(ApiError::NotFound("product"));
    }
    LocationId::parse(location).map_err(|e| ApiError::bad_input("location", e.to_string()))?;
    let snapshot = store.snapshot(&[sku.to_owned()]).await?;
    if !snapshot.locations.iter().any(|l| l.as_str() == location) {
        return Err(ApiError::NotFound("location"));
    }
    Ok(())
}

/// Adds `delta` units (negative to remove) at a location, with a reason for the ledger (staff
/// who work there); answers the location's stock after.
pub async fn adjust_stock(
    app: &App,
    caller: &Actor,
    sku: &str,
    location: &str,
    delta: i64,
    reason: &str,
) -> Result<StockRow, ApiError> {
    caller.require_staff_at(location)?;
    let store = app.store();
    let reason = required_text(reason, limits::STOCK_REASON)
        .map_err(|e| ApiError::bad_input("reason", e.to_string()))?;
    let delta = rules::adjustment(delta).map_err(refused)?;
    known_location(store, sku, location).await?;
    for attempt in 1..=MAX_ATTEMPTS {
        match store.adjust_stock(sku, location, delta, &reason).await? {
            StockChange::Applied => {
                return store.stock_row(sku, location).await?.ok_or(ApiError::NotFound("stock"));
            }
            StockChange::BelowReserved => {
                return Err(ApiError::bad_input(
                    "delta",
                    "on hand cannot drop below what is reserved for orders",
                ));
            }
            StockChange::Conflict | StockChange::NotReceivable => backoff(attempt).await,
        }
    }
    Err(StoreError::Contended(MAX_ATTEMPTS).into())
}

/// Orders `quantity` units of `sku` for `location`, expected on `expected_on` (staff who work
/// there).
pub async fn create_purchase_order(
    app: &App,
    caller: &Actor,
    sku: &str,
    location: &str,
    quantity: i64,
    expected_on: NaiveDate,
) -> Result<Changed, ApiError> {
    caller.require_staff_at(location)?;
    let quantity = rules::units(quantity).map_err(refused)?;
    let expected_on = rules::expected_on(expected_on, Utc::now().date_naive()).map_err(refused)?;
    known_location(app.store(), sku, location).await?;
    let po = app.store().create_purchase_order(sku, location, quantity, expected_on).await?;
    let repromised = repromise(app, sku).await?;
    Ok(Changed { purchase_order: po, repromised })
}

/// A purchase order after a change, and the waiting backorders whose day moved with it (each
/// customer told).
#[derive(Debug, Clone)]
pub struct Changed {
    pub purchase_order: PurchaseOrderRow,
    pub repromised: Vec<Repromised>,
}

/// A waiting backorder promised for another day.
#[derive(Debug, Clone)]
pub struct Repromised {
    pub order_id: String,
    pub line: usize,
    pub part: usize,
    pub promised: NaiveDate,
    pub previously: NaiveDate,
}

/// Changes an open purchase order's expected day and/or quantity (staff who work at its
/// location); the backorders waiting for the SKU are promised again.
pub async fn change_purchase_order(
    app: &App,
    caller: &Actor,
    id: &str,
    expected_on: Option<NaiveDate>,
    quantity: Option<i64>,
) -> Result<Changed, ApiError> {
    let po = staff_purchase_order(app, caller, id).await?;
    if expected_on.is_none() && quantity.is_none() {
        return Err(ApiError::bad_input("expectedOn", "give a new expected day or quantity"));
    }
    let quantity = quantity.map(rules::units).transpose().map_err(refused)?;
    let expected_on =
        expected_on.map(|d| rules::expected_on(d, Utc::now().date_naive())).transpose().map_err(refused)?;
    if quantity.is_some_and(|q| q < po.received) {
        return Err(ApiError::bad_input("quantity", "must not be below what was already received"));
    }
    let store = app.store();
    for attempt in 1..=MAX_ATTEMPTS {
        match store.change_purchase_order(id, expected_on, quantity).await? {
            StockChange::Applied => {
                let purchase_order =
                    store.purchase_order(id).await?.ok_or(ApiError::NotFound("purchase order"))?;
                let repromised = repromise(app, &po.sku).await?;
                return Ok(Changed { purchase_order, repromised });
            }
            StockChange::NotReceivable | StockChange::BelowReserved => {
                return Err(ApiError::bad_input(
                    "id",
                    "the purchase order is closed, or already received beyond that quantity",
                ));
            }
            StockChange::Conflict => backoff(attempt).await,
        }
    }
    Err(StoreError::Contended(MAX_ATTEMPTS).into())
}

/// Closes an open purchase order (staff who work at its location): what it did not bring will
/// not come, so the backorders waiting for the SKU are promised again.
pub async fn close_purchase_order(app: &App, caller: &Actor, id: &str) -> Result<Changed, ApiError> {
    let po = staff_purchase_order(app, caller, id).await?;
    if let StockChange::NotReceivable = app.store().close_purchase_order(id).await? {
        return Err(ApiError::bad_input("id", "the purchase order is already closed"));
    }
    let purchase_order = app.store().purchase_order(id).await?.ok_or(ApiError::NotFound("purchase order"))?;
    let repromised = repromise(app, &po.sku).await?;
    Ok(Changed { purchase_order, repromised })
}

/// The purchase order `id`, for staff who work at its location.
async fn staff_purchase_order(app: &App, caller: &Actor, id: &str) -> Result<PurchaseOrderRow, ApiError> {
    caller.require_staff()?;
    let po = app.store().purchase_order(id).await?.ok_or(ApiError::NotFound("purchase order"))?;
    caller.require_staff_at(&po.location)?;
    Ok(po)
}

/// Promises every backorder waiting for `sku` again against the open purchase orders (ordo-core's
/// `promise_dates`: oldest first, each the day its last unit arrives, the rest after the lead
/// time), and records a new day on each order whose day moved — which tells its customer, with
/// the choice to keep waiting or cancel, and its channels.
pub async fn repromise(app: &App, sku: &str) -> Result<Vec<Repromised>, ApiError> {
    let store = app.store();
    let Some(product) = store.product(sku).await? else { return Ok(Vec::new()) };
    let Ok(OutOfStockPolicy::Backorder { lead_time_days }) = product.policy() else { return Ok(Vec::new()) };
    let waiting = queued(store, sku).await?;
    let incoming: Vec<Incoming> = store
        .purchase_orders(Some(sku), true)
        .await?
        .iter()
        .filter_map(|po| {
            Some(Incoming {
                on: po.expected_on.parse().ok()?,
                units: u32::try_from((po.quantity - po.received).max(0)).ok()?,
            })
        })
        .collect();
    let today = Utc::now().date_naive();
    // Units on the shelf that no backorder could take whole yet count as arriving today.
    let mut incoming = incoming;
    let free: i64 = store.stock_of(sku).await?.iter().map(StockRow::available).sum();
    if let Ok(units @ 1..) = u32::try_from(free) {
        incoming.push(Incoming { on: today, units });
    }
    let units: Vec<u32> =
        waiting.iter().map(|b| u32::try_from(b.quantity.max(0)).unwrap_or(u32::MAX)).collect();
    let dates = promise_dates(&units, &incoming, today, after_lead_time(today, lead_time_days));
    let by = Doer::system("purchasing");
    let mut moved = Vec::new();
    for (backorder, promised) in waiting.iter().zip(dates) {
        let (line, part) = (
            usize::try_from(backorder.line).unwrap_or(usize::MAX),
            usize::try_from(backorder.part).unwrap_or(usize::MAX),
        );
        let order = load_from(store, &backorder.order_id).await?;
        let Some(LineAvailability::Backordered { promised: previously }) =
            order.lines().get(line).and_then(|l| l.parts().get(part)).map(|p| p.availability().clone())
        else {
            continue;
        };
        if previously == promised {
            continue;
        }
        let command = Command::Backorder { line, part, promised };
        match super::commands::run(app, &backorder.order_id, &Role::Staff, &by, &command, None).await {
            Ok(_) => moved.push(Repromised {
                order_id: backorder.order_id.clone(),
                line,
                part,
                promised,
                previously,
            }),
            // Cancelled, allocated or promised that day meanwhile: nothing to tell.
            Err(ApiError::Command(e)) => {
                tracing::info!(order = %backorder.order_id, error = %e, "backorder no longer waiting");
            }
            Err(e) => {
                tracing::warn!(order = %backorder.order_id, error = %e, "could not promise a backorder again");
            }
        }
    }
    Ok(moved)
}

/// What a receipt did.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub purchase_order: PurchaseOrderRow,
    /// Orders whose backordered units were allocated, oldest first, with the units.
    pub allocated: Vec<(String, i64)>,
    /// Backorders still waiting whose day moved (a short receipt that closed the order).
    pub repromised: Vec<Repromised>,
}

/// Receives units of a purchase order (staff who work at its location), then allocates the
/// location's free stock to waiting backorders of the SKU, oldest first, stopping at the first
/// that does not fit. `close`: the rest will not come (a short receipt), so the order closes and
/// the backorders still waiting are promised again.
pub async fn receive(
    app: &App,
    caller: &Actor,
    id: &str,
    quantity: i64,
    close: bool,
) -> Result<Receipt, ApiError> {
    caller.require_staff()?;
    let store = app.store();
    if let Some(po) = store.purchase_order(id).await? {
        caller.require_staff_at(&po.location)?;
    }
    let quantity = rules::units(quantity).map_err(refused)?;
    let po = store.purchase_order(id).await?.ok_or(ApiError::NotFound("purchase order"))?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match store.receive_purchase_order(id, quantity).await? {
            StockChange::Applied => break,
            StockChange::NotReceivable => {
                return Err(ApiError::bad_input(
                    "quantity",
                    "the purchase order is closed or would be over-received",
                ));
            }
            _ if attempt >= MAX_ATTEMPTS => return Err(StoreError::Contended(attempt).into()),
            _ => backoff(attempt).await,
        }
    }
    if close {
        store.close_purchase_order(id).await?;
    }
    let allocated = allocate_waiting(store, &po.sku, &po.location).await?;
    let repromised = repromise(app, &po.sku).await?;
    let purchase_order = store.purchase_order(id).await?.ok_or(ApiError::NotFound("purchase order"))?;
    Ok(Receipt { purchase_order, allocated, repromised })
}

/// The backorders waiting for `sku`, in the order received stock serves them (ordo-core's
/// `queue`: oldest first).
async fn queued(store: &Store, sku: &str) -> Result<Vec<BackorderRow>, ApiError> {
    let mut waiting = store.waiting_backorders(sku).await?;
    queue(&mut waiting, |b| QueuePlace {
        placed_at: b.placed_at,
        order_id: &b.order_id,
        line: usize::try_from(b.line).unwrap_or(usize::MAX),
        part: usize::try_from(b.part).unwrap_or(usize::MAX),
    });
    Ok(waiting)
}

/// Gives free stock at `location` to open backorders of `sku`, oldest first.
pub async fn allocate_waiting(
    store: &Store,
    sku: &str,
    location: &str,
) -> Result<Vec<(String, i64)>, ApiError> {
    let location_id =
        LocationId::parse(location).map_err(|e| ApiError::bad_input("location", e.to_string()))?;
    let mut allocated = Vec::new();
    let waiting = queued(store, sku).await?;
    for backorder in waiting {
        let mut attempt = 0;
        let placed = loop {
            attempt += 1;
            let free = store.stock_row(sku, location).await?.map_or(0, |s| s.available());
            if !serves(free, backorder.quantity) {
                break false;
            }
            let order = load_from(store, &backorder.order_id).await?;
            let command = Command::AllocateBackorder {
                line: usize::try_from(backorder.line).unwrap_or(usize::MAX),
                part: usize::try_from(backorder.part).unwrap_or(usize::MAX),
                location: location_id.clone(),
            };
            let (entries, after) = match order.execute(&command, &Role::Staff, Utc::now()) {
                Ok(done) => done,
                // The order was cancelled or the part changed meanwhile: skip it.
                Err(e) => {
                    tracing::info!(order = %backorder.order_id, error = %e, "backorder no longer waiting");
                    break true;
                }
            };
            match store.allocate_backorder(&after, order.last_seq(), &entries, &backorder, location).await? {
                StockChange::Applied => {
                    allocated.push((backorder.order_id.clone(), backorder.quantity));
                    break true;
                }
                StockChange::BelowReserved => break false,
                _ if attempt >= MAX_ATTEMPTS => return Err(StoreError::Contended(attempt).into()),
                _ => backoff(attempt).await,
            }
        };
        if !placed {
            break; // strictly oldest first: a younger order does not jump the queue
        }
    }
    Ok(allocated)
}

/// A product whose available stock is below its reorder point.
#[derive(Debug, Clone)]
pub struct LowStock {
    pub product: ProductRow,
    pub available: i64,
}

/// Products that need reordering (ordo-core's `needs_reorder`: stocked, below their reorder
/// point over all locations), for staff.
pub async fn low_stock(app: &App, caller: &Actor) -> Result<Vec<LowStock>, ApiError> {
    caller.require_staff()?;
    let store = app.store();
    let mut low = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.products(None, &[], after.as_deref(), 200).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.sku.clone());
        for p in page {
            let policy = p.policy().unwrap_or(OutOfStockPolicy::Deny);
            if matches!(policy, OutOfStockPolicy::Dropship { .. }) {
                continue; // nothing to count: no stock read
            }
            let available: i64 = store.stock_of(&p.sku).await?.iter().map(StockRow::available).sum();
            if policy.needs_reorder(available, p.reorder_point) {
                low.push(LowStock { product: p, available });
            }
        }
    }
    Ok(low)
}

/// Purchase orders by expected date, of one SKU or all, open ones only unless `include_closed`
/// (staff).
pub async fn purchase_orders(
    app: &App,
    caller: &Actor,
    sku: Option<&str>,
    include_closed: bool,
) -> Result<Vec<PurchaseOrderRow>, ApiError> {
    caller.require_staff()?;
    Ok(app.store().purchase_orders(sku, !include_closed).await?)
}
