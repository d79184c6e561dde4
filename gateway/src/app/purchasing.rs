//! Purchasing: stock adjustments, purchase orders from suppliers (drafted, sent, changed,
//! received, closed; the supplier told by e-mail and webhook), what suppliers supply at what
//! cost, and giving received stock to waiting backorders oldest first (each allocation a
//! timeline event on its order).

use chrono::{NaiveDate, Utc};
use ordo_core::allocation::LocationId;
use ordo_core::catalog::OutOfStockPolicy;
use ordo_core::lifecycle::LineAvailability;
use ordo_core::order::{Command, QueuePlace, Role, queue, serves};
use ordo_core::promise::{Incoming, after_lead_time, promise_dates};
use ordo_core::purchasing::{
    self as rules, LineError, PoEvent, PoLine, PoNotice, PoStatus, PoStep, PurchaseOrderData,
    PurchaseOrderDataLine, StockRequestError, po_mail_id, po_webhook_id,
};
use ordo_core::values::{limits, required_text};

use crate::app::App;
use crate::app::access::Actor;
use crate::app::error::ApiError;
use crate::app::orders::load_from;
pub use crate::store::catalog::{ProductRow, StockRow};
use crate::store::channels::{NewWebhook, Via};
use crate::store::stock::{BackorderRow, NewPurchaseOrder, PoFilter, PoWrite, StockChange};
pub use crate::store::stock::{PoLineRow, PurchaseOrderRow, SupplierItemRow};
use crate::store::suppliers::SupplierRow;
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
            StockChange::Conflict => backoff(attempt).await,
        }
    }
    Err(StoreError::Contended(MAX_ATTEMPTS).into())
}

/// A purchase order line as staff ask for it: the unit cost defaults to what the supplier
/// charges for the SKU.
#[derive(Debug, Clone)]
pub struct LineInput {
    pub sku: String,
    pub quantity: i64,
    pub unit_cost: Option<i64>,
}

/// A purchase order line refused by ordo-core, as the caller's bad input (`lines[1].quantity`).
fn line_refused(e: LineError) -> ApiError {
    let field = if e.error.field == "lines" {
        "lines".to_owned()
    } else {
        format!("lines[{}].{}", e.index, e.error.field)
    };
    ApiError::bad_input(field, e.error.message)
}

/// An active supplier, or why not.
async fn active_supplier(store: &Store, code: &str) -> Result<SupplierRow, ApiError> {
    match store.supplier(code).await? {
        Some(s) if s.active => Ok(s),
        Some(_) => Err(ApiError::bad_input("supplier", "is inactive")),
        None => Err(ApiError::NotFound("supplier")),
    }
}

/// Orders `lines` from `supplier` for `location`, expected on `expected_on` (staff who work
/// there): numbered `PO-5001`, each line costing what was asked or what the supplier charges.
/// `send`: sent to the supplier at once (by e-mail with its PDF and by webhook, as the supplier
/// takes them) and promised to waiting backorders; otherwise a draft, sent later.
pub async fn create_purchase_order(
    app: &App,
    caller: &Actor,
    supplier: &str,
    location: &str,
    expected_on: NaiveDate,
    lines: &[LineInput],
    send: bool,
) -> Result<Changed, ApiError> {
    caller.require_staff_at(location)?;
    let store = app.store();
    let expected_on = rules::expected_on(expected_on, Utc::now().date_naive()).map_err(refused)?;
    let supplier = active_supplier(store, supplier).await?;
    LocationId::parse(location).map_err(|e| ApiError::bad_input("location", e.to_string()))?;
    if !store.locations().await?.iter().any(|(code, _, _)| code == location) {
        return Err(ApiError::NotFound("location"));
    }
    let items = store.supplier_items(&supplier.code).await?;
    let mut asked = Vec::with_capacity(lines.len());
    let mut currency: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        let sku = line.sku.trim();
        let Some(product) = store.product(sku).await? else {
            return Err(ApiError::bad_input(format!("lines[{i}].sku"), "is not a product"));
        };
        if matches!(product.policy(), Ok(OutOfStockPolicy::Dropship { .. })) {
            return Err(ApiError::bad_input(format!("lines[{i}].sku"), "is dropshipped: nothing is stocked"));
        }
        if currency.get_or_insert_with(|| product.currency.clone()) != &product.currency {
            return Err(ApiError::bad_input(format!("lines[{i}].sku"), "is priced in another currency"));
        }
        let cost =
            match line.unit_cost.or_else(|| items.iter().find(|it| it.sku == sku).map(|it| it.unit_cost)) {
                Some(cost) => cost,
                None => {
                    return Err(ApiError::bad_input(
                        format!("lines[{i}].unitCost"),
                        "the supplier has no cost for this SKU: give one",
                    ));
                }
            };
        asked.push((sku.to_owned(), line.quantity, cost));
    }
    let lines = rules::order_lines(&asked).map_err(line_refused)?;
    let id = format!("po_{}", ulid::Ulid::new().to_string().to_lowercase());
    let number = rules::number(store.claim_po_number().await?);
    let currency = currency.unwrap_or_else(|| "USD".into());
    let status = if send { PoStatus::Sent } else { PoStatus::Draft };
    let head = NewPurchaseOrder {
        id: &id,
        number: &number,
        supplier: &supplier.code,
        location,
        currency: &currency,
    };
    let parts = PoParts { id: &id, number: &number, location, currency: &currency, expected_on };
    let notice = rules::notice(PoStep::Send, PoStatus::Draft, status);
    let webhooks = tell_supplier(app, &supplier, &parts, &lines, notice, 1).await?;
    let write = PoWrite { status, expected_on, lines: &lines, received: &[], webhooks: &webhooks };
    store.create_purchase_order(&head, &write).await?;
    let purchase_order = store.purchase_order(&id).await?.ok_or(ApiError::NotFound("purchase order"))?;
    let repromised = if send { repromise_all(app, &lines).await? } else { Vec::new() };
    Ok(Changed { purchase_order, repromised })
}

/// What the supplier is shown of a purchase order, besides its lines.
struct PoParts<'a> {
    id: &'a str,
    number: &'a str,
    location: &'a str,
    currency: &'a str,
    expected_on: NaiveDate,
}

/// The purchase order as its supplier is shown it: each line with the product's name and the
/// supplier's own number for it.
async fn shown(
    store: &Store,
    supplier: &str,
    parts: &PoParts<'_>,
    lines: &[PoLine],
) -> Result<PurchaseOrderData, ApiError> {
    let items = store.supplier_items(supplier).await?;
    let mut shown = Vec::with_capacity(lines.len());
    for l in lines {
        let name = store.product(&l.sku).await?.map_or_else(|| l.sku.clone(), |p| p.name);
        shown.push(PurchaseOrderDataLine {
            sku: l.sku.clone(),
            supplier_sku: items.iter().find(|it| it.sku == l.sku).and_then(|it| it.supplier_sku.clone()),
            name,
            quantity: l.quantity,
            received: l.received,
            unit_cost: l.unit_cost,
        });
    }
    Ok(PurchaseOrderData {
        id: parts.id.to_owned(),
        number: parts.number.to_owned(),
        supplier: supplier.to_owned(),
        deliver_to: store
            .locations()
            .await?
            .iter()
            .find(|(code, _, _)| code == parts.location)
            .map_or_else(|| parts.location.to_owned(), |(_, name, _)| name.clone()),
        expected_on: parts.expected_on,
        currency: parts.currency.to_owned(),
        lines: shown,
        total: rules::total(lines).unwrap_or(i64::MAX),
    })
}

/// The rows that tell `supplier` of version `version` of a purchase order (`notice`): a signed
/// webhook when it takes them, an e-mail with the PDF when it has an address and this gateway
/// sends mail. Both are written with the change and delivered by the dispatcher.
async fn tell_supplier(
    app: &App,
    supplier: &SupplierRow,
    parts: &PoParts<'_>,
    lines: &[PoLine],
    notice: Option<PoNotice>,
    version: i64,
) -> Result<Vec<NewWebhook>, ApiError> {
    let Some(notice) = notice else { return Ok(Vec::new()) };
    let mailed = supplier.active && supplier.email.is_some() && app.mailer().is_some();
    if !supplier.hears() && !mailed {
        return Ok(Vec::new());
    }
    let event = PoEvent {
        kind: notice.event_type(),
        timestamp: Utc::now(),
        data: shown(app.store(), &supplier.code, parts, lines).await?,
    };
    let payload_json = serde_json::to_string(&event).map_err(|e| StoreError::Decode(e.to_string()))?;
    let row = |key: String, via: Via| NewWebhook {
        key,
        channel: format!("supplier:{}", supplier.code),
        seq: 0,
        event_type: notice.event_type(),
        payload_json: payload_json.clone(),
        via,
    };
    let mut rows = Vec::new();
    if supplier.hears() {
        rows.push(row(po_webhook_id(parts.id, version, &supplier.code), Via::Http));
    }
    if mailed {
        rows.push(row(po_mail_id(parts.id, version, &supplier.code), Via::Mail));
    }
    Ok(rows)
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

/// How a step changes a purchase order: its status, day and lines after, and the units received.
struct Decided {
    status: PoStatus,
    expected_on: NaiveDate,
    lines: Vec<PoLine>,
    received: Vec<(String, i64)>,
    notice: Option<PoNotice>,
}

/// Takes `step` on purchase order `id` (staff who work at its location): reads it, lets `decide`
/// (ordo-core's rules) say what it becomes, and writes that with what tells the supplier over the
/// version it read, again from a fresh read when someone changed it meanwhile.
async fn step(
    app: &App,
    caller: &Actor,
    id: &str,
    step: PoStep,
    decide: impl Fn(&PurchaseOrderRow) -> Result<Decided, ApiError>,
) -> Result<(PurchaseOrderRow, Decided), ApiError> {
    let store = app.store();
    for attempt in 1..=MAX_ATTEMPTS {
        let po = staff_purchase_order(app, caller, id).await?;
        rules::allows(po.status(), step).map_err(refused)?;
        let decided = decide(&po)?;
        let supplier = match po.supplier.as_deref() {
            Some(code) => store.supplier(code).await?,
            None => None,
        };
        let parts = PoParts {
            id: &po.key,
            number: &po.number,
            location: &po.location,
            currency: &po.currency,
            expected_on: decided.expected_on,
        };
        let webhooks = match &supplier {
            Some(s) => tell_supplier(app, s, &parts, &decided.lines, decided.notice, po.version + 1).await?,
            None => Vec::new(),
        };
        let write = PoWrite {
            status: decided.status,
            expected_on: decided.expected_on,
            lines: &decided.lines,
            received: &decided.received,
            webhooks: &webhooks,
        };
        match store.save_purchase_order(&po, &write).await? {
            StockChange::Applied => {
                let after = store.purchase_order(id).await?.ok_or(ApiError::NotFound("purchase order"))?;
                return Ok((after, decided));
            }
            _ => backoff(attempt).await,
        }
    }
    Err(StoreError::Contended(MAX_ATTEMPTS).into())
}

/// Sends a draft purchase order to its supplier (staff who work at its location); its units are
/// promised to waiting backorders from now on.
pub async fn send_purchase_order(app: &App, caller: &Actor, id: &str) -> Result<Changed, ApiError> {
    let (purchase_order, decided) = step(app, caller, id, PoStep::Send, |po| {
        Ok(Decided {
            status: PoStatus::Sent,
            expected_on: po.expected().unwrap_or_else(|| Utc::now().date_naive()),
            lines: po.lines(),
            received: Vec::new(),
            notice: rules::notice(PoStep::Send, po.status(), PoStatus::Sent),
        })
    })
    .await?;
    let repromised = repromise_all(app, &decided.lines).await?;
    Ok(Changed { purchase_order, repromised })
}

/// Changes a purchase order's expected day and/or line quantities (staff who work at its
/// location); the supplier of a sent order gets it again as changed, and the backorders waiting
/// for its SKUs are promised again.
pub async fn change_purchase_order(
    app: &App,
    caller: &Actor,
    id: &str,
    expected_on: Option<NaiveDate>,
    quantities: &[(String, i64)],
) -> Result<Changed, ApiError> {
    if expected_on.is_none() && quantities.is_empty() {
        return Err(ApiError::bad_input("expectedOn", "give a new expected day or line quantities"));
    }
    let expected_on =
        expected_on.map(|d| rules::expected_on(d, Utc::now().date_naive())).transpose().map_err(refused)?;
    let quantities: Vec<(String, i64)> = quantities.iter().map(|(s, q)| (s.trim().to_owned(), *q)).collect();
    let (purchase_order, decided) = step(app, caller, id, PoStep::Change, |po| {
        let lines = rules::change_quantities(&po.lines(), &quantities).map_err(line_refused)?;
        let status = rules::settle(po.status(), &lines, false);
        Ok(Decided {
            status,
            expected_on: expected_on.or_else(|| po.expected()).unwrap_or_else(|| Utc::now().date_naive()),
            notice: rules::notice(PoStep::Change, po.status(), status),
            lines,
            received: Vec::new(),
        })
    })
    .await?;
    let repromised = repromise_all(app, &decided.lines).await?;
    Ok(Changed { purchase_order, repromised })
}

/// Closes a purchase order (staff who work at its location): what it did not bring will not
/// come. Cancelled when nothing came, received when something did; the supplier of a sent order
/// is told to send nothing more, and the backorders waiting for its SKUs are promised again.
pub async fn close_purchase_order(app: &App, caller: &Actor, id: &str) -> Result<Changed, ApiError> {
    let (purchase_order, decided) = step(app, caller, id, PoStep::Close, |po| {
        let lines = po.lines();
        let status = rules::settle(po.status(), &lines, true);
        Ok(Decided {
            status,
            expected_on: po.expected().unwrap_or_else(|| Utc::now().date_naive()),
            notice: rules::notice(PoStep::Close, po.status(), status),
            lines,
            received: Vec::new(),
        })
    })
    .await?;
    let repromised = repromise_all(app, &decided.lines).await?;
    Ok(Changed { purchase_order, repromised })
}

/// The purchase order `id`, for staff who work at its location.
async fn staff_purchase_order(app: &App, caller: &Actor, id: &str) -> Result<PurchaseOrderRow, ApiError> {
    caller.require_staff()?;
    let po = app.store().purchase_order(id).await?.ok_or(ApiError::NotFound("purchase order"))?;
    caller.require_staff_at(&po.location)?;
    Ok(po)
}

/// Promises again the backorders waiting for each SKU of `lines`.
async fn repromise_all(app: &App, lines: &[PoLine]) -> Result<Vec<Repromised>, ApiError> {
    let mut moved = Vec::new();
    for line in lines {
        moved.extend(repromise(app, &line.sku).await?);
    }
    Ok(moved)
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
        .incoming(sku)
        .await?
        .iter()
        .filter_map(|(on, units)| Some(Incoming { on: on.parse().ok()?, units: u32::try_from(*units).ok()? }))
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
    /// Backordered units allocated, oldest first per SKU: (order, SKU, units).
    pub allocated: Vec<(String, String, i64)>,
    /// Backorders still waiting whose day moved (a short receipt that closed the order).
    pub repromised: Vec<Repromised>,
}

/// Receives units of a purchase order's lines (staff who work at its location; partial
/// receipts allowed, never more than is still to come), then allocates the location's free
/// stock of each SKU to its waiting backorders, oldest first, stopping at the first that does
/// not fit. `close`: the rest will not come (a short receipt), so the order closes, its supplier
/// is told to send nothing more, and the backorders still waiting are promised again.
pub async fn receive(
    app: &App,
    caller: &Actor,
    id: &str,
    taken: &[(String, i64)],
    close: bool,
) -> Result<Receipt, ApiError> {
    let taken: Vec<(String, i64)> = taken.iter().map(|(s, q)| (s.trim().to_owned(), *q)).collect();
    let (purchase_order, decided) = step(app, caller, id, PoStep::Receive, |po| {
        let lines = rules::receive(&po.lines(), &taken).map_err(line_refused)?;
        let complete = rules::settle(po.status(), &lines, false);
        // Closing short tells the supplier to send nothing more; a receipt of everything does not.
        let short = close && complete != PoStatus::Received;
        let status = if short { rules::settle(po.status(), &lines, true) } else { complete };
        Ok(Decided {
            status,
            expected_on: po.expected().unwrap_or_else(|| Utc::now().date_naive()),
            notice: if short { rules::notice(PoStep::Close, po.status(), status) } else { None },
            lines,
            received: taken.clone(),
        })
    })
    .await?;
    let store = app.store();
    let mut allocated = Vec::new();
    for (sku, _) in &decided.received {
        for (order, units) in allocate_waiting(store, sku, &purchase_order.location).await? {
            allocated.push((order, sku.clone(), units));
        }
    }
    let repromised = repromise_all(app, &decided.lines).await?;
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

/// Purchase orders by expected date, those not closed unless `include_closed`: staff see every
/// one, drafts too; a supplier sees its own that were sent, and nothing of anyone else's.
pub async fn purchase_orders(
    app: &App,
    caller: &Actor,
    sku: Option<&str>,
    include_closed: bool,
) -> Result<Vec<PurchaseOrderRow>, ApiError> {
    let filter = match caller {
        Actor::Supplier { supplier } => {
            PoFilter { sku, supplier: Some(supplier), open_only: !include_closed, drafts: false }
        }
        _ => {
            caller.require_staff()?;
            PoFilter { sku, supplier: None, open_only: !include_closed, drafts: true }
        }
    };
    Ok(app.store().purchase_orders(&filter).await?)
}

/// Purchase order `id` for staff, or for its supplier once it was sent (`NOT_FOUND` for anyone
/// else, as for a missing one).
pub async fn purchase_order(app: &App, caller: &Actor, id: &str) -> Result<PurchaseOrderRow, ApiError> {
    let supplier = match caller {
        Actor::Supplier { supplier } => Some(supplier.as_str()),
        _ => {
            caller.require_staff()?;
            None
        }
    };
    let po = app.store().purchase_order(id).await?.ok_or(ApiError::NotFound("purchase order"))?;
    match supplier {
        Some(code) if po.supplier.as_deref() != Some(code) || po.status() == PoStatus::Draft => {
            Err(ApiError::NotFound("purchase order"))
        }
        _ => Ok(po),
    }
}

/// Purchase order `id` as stored and as its supplier is shown it (the PDF's content), for
/// whoever may see it.
pub async fn purchase_order_data(
    app: &App,
    caller: &Actor,
    id: &str,
) -> Result<(PurchaseOrderRow, PurchaseOrderData), ApiError> {
    let po = purchase_order(app, caller, id).await?;
    let parts = PoParts {
        id: &po.key,
        number: &po.number,
        location: &po.location,
        currency: &po.currency,
        expected_on: po.expected().unwrap_or_else(|| Utc::now().date_naive()),
    };
    let data = shown(app.store(), po.supplier.as_deref().unwrap_or_default(), &parts, &po.lines()).await?;
    Ok((po, data))
}

/// What supplier `code` supplies, by SKU (staff).
pub async fn supplier_items(app: &App, caller: &Actor, code: &str) -> Result<Vec<SupplierItemRow>, ApiError> {
    caller.require_staff()?;
    app.store().supplier(code).await?.ok_or(ApiError::NotFound("supplier"))?;
    Ok(app.store().supplier_items(code).await?)
}

/// Sets what supplier `code` charges for `sku` and its own number for it (admins).
pub async fn set_supplier_item(
    app: &App,
    caller: &Actor,
    code: &str,
    sku: &str,
    supplier_sku: Option<&str>,
    unit_cost: i64,
) -> Result<SupplierItemRow, ApiError> {
    caller.require_admin()?;
    let store = app.store();
    store.supplier(code).await?.ok_or(ApiError::NotFound("supplier"))?;
    if store.product(sku).await?.is_none() {
        return Err(ApiError::bad_input("sku", "is not a product"));
    }
    let unit_cost = rules::unit_cost(unit_cost).map_err(refused)?;
    let theirs = supplier_sku
        .map(|s| {
            required_text(s, limits::SUPPLIER_SKU)
                .map_err(|e| ApiError::bad_input("supplierSku", e.to_string()))
        })
        .transpose()?;
    Ok(store.put_supplier_item(code, sku, theirs.as_deref(), unit_cost).await?)
}

/// Forgets what supplier `code` charges for `sku` (admins).
pub async fn remove_supplier_item(
    app: &App,
    caller: &Actor,
    code: &str,
    sku: &str,
) -> Result<bool, ApiError> {
    caller.require_admin()?;
    app.store().supplier(code).await?.ok_or(ApiError::NotFound("supplier"))?;
    Ok(app.store().remove_supplier_item(code, sku).await?)
}
