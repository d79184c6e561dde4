//! GraphQL output types: plain views of ordo-core values, converted at the edge.

use std::sync::Arc;

use async_graphql::{Enum, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use ordo_core::lifecycle::LineAvailability;
use ordo_core::locale::format_money;
use ordo_core::order::{Order, TimelineEntry};
use ordo_core::status::{StatusView, StepState, Tone};

use crate::app::Doer;
use crate::app::catalog::{ProductRow, StockRow};
use crate::app::live::FeedEvent;

/// An amount of money in minor units (cents), with its currency.
#[derive(SimpleObject, Debug, Clone)]
pub struct Money {
    /// Minor units (e.g. cents); never a float.
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// Written for people (en-US), e.g. "$12.34".
    pub formatted: String,
}

impl From<ordo_core::money::Money> for Money {
    fn from(m: ordo_core::money::Money) -> Self {
        Money {
            amount: m.amount(),
            currency: m.currency().code().to_owned(),
            formatted: format_money(m, "en-US"),
        }
    }
}

/// A product in the catalog.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub price: Money,
    pub active: bool,
    pub min_per_order: Option<i64>,
    pub max_per_order: Option<i64>,
    /// "deny", "backorder" or "dropship": what happens when stock runs out.
    pub out_of_stock_policy: String,
    pub lead_time_days: Option<i64>,
    /// Who ships it when the policy is "dropship".
    pub supplier: Option<String>,
    pub weight_grams: i64,
    pub tax_class: String,
    pub reorder_point: i64,
}

impl Product {
    pub fn from_row(row: &ProductRow) -> Product {
        let currency =
            ordo_core::money::Currency::parse(&row.currency).unwrap_or(ordo_core::money::Currency::Usd);
        Product {
            sku: row.sku.clone(),
            name: row.name.clone(),
            category: row.category.clone(),
            description: row.description.clone(),
            price: ordo_core::money::Money::new(row.price, currency).into(),
            active: row.active,
            min_per_order: row.min_per_order,
            max_per_order: row.max_per_order,
            out_of_stock_policy: row.policy.clone(),
            lead_time_days: row.lead_time_days,
            supplier: row.supplier.clone(),
            weight_grams: row.weight_grams,
            tax_class: row.tax_class.clone(),
            reorder_point: row.reorder_point,
        }
    }
}

/// A stock location.
#[derive(SimpleObject, Debug, Clone)]
pub struct Location {
    pub id: String,
    pub name: String,
    /// Lower ranks are preferred when allocating.
    pub rank: i64,
}

/// Stock of one SKU at one location.
#[derive(SimpleObject, Debug, Clone)]
pub struct StockLevel {
    pub sku: String,
    pub location: String,
    pub on_hand: i64,
    pub reserved: i64,
    /// On hand minus reserved: what can still be promised.
    pub available: i64,
}

impl From<&StockRow> for StockLevel {
    fn from(r: &StockRow) -> Self {
        StockLevel {
            sku: r.sku.clone(),
            location: r.location.clone(),
            on_hand: r.on_hand,
            reserved: r.reserved,
            available: r.available(),
        }
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AvailabilityKind {
    Allocated,
    Backordered,
    Dropshipped,
}

/// Where some units of a line come from.
#[derive(SimpleObject, Debug, Clone)]
pub struct LineAvailabilityView {
    pub quantity: i64,
    pub kind: AvailabilityKind,
    pub location: Option<String>,
    pub supplier: Option<String>,
    pub promised_on: Option<NaiveDate>,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct OrderLineView {
    pub index: i64,
    pub sku: String,
    pub name: String,
    /// Units ordered, cancelled ones included.
    pub quantity: i64,
    /// Units cancelled before they were packed (`cancelOrderLines`).
    pub cancelled: i64,
    /// Units still ordered: quantity − cancelled.
    pub remaining: i64,
    /// Null for a dropship supplier (what the customer paid is not its business).
    pub unit_price: Option<Money>,
    /// What the customer pays for the line as placed (after discounts, with tax when prices
    /// exclude it); null for a dropship supplier.
    pub total: Option<Money>,
    /// What the customer pays for the units still ordered; null for a dropship supplier.
    pub remaining_total: Option<Money>,
    /// Where the units still ordered come from.
    pub availability: Vec<LineAvailabilityView>,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct OrderTotalsView {
    pub subtotal: Money,
    pub discount: Money,
    pub shipping: Money,
    pub tax: Money,
    pub grand_total: Money,
}

/// The payment: amounts, status, and only what is safe to show of the card.
#[derive(SimpleObject, Debug, Clone)]
pub struct PaymentView {
    /// pending, authorized, partially_captured, captured, partially_refunded, refunded, voided, failed
    pub status: String,
    pub authorized: Money,
    pub captured: Money,
    pub refunded: Money,
    pub brand: Option<String>,
    pub last4: Option<String>,
    /// What the customer paid with, in the words messages use: `Visa ending in 4242`.
    pub method: Option<String>,
    pub failure_reason: Option<String>,
    /// When the authorization lapses, while money is still to be captured from it.
    pub authorization_expires_at: Option<DateTime<Utc>>,
    /// Staff were told it lapses within a day with money still to capture: capture what is due,
    /// or ask the customer to pay again.
    pub authorization_expiring: bool,
    /// Why the provider refused to capture a shipped parcel's share, while that money is still
    /// not captured (a shop that ships rather than waits): staff should get it.
    pub capture_failure: Option<String>,
}

/// A parcel. Package, service and documents come from the shipment projection.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct ShipmentView {
    #[graphql(skip)]
    pub order_id: String,
    /// The order's timeline and actors when the parcel is shown as part of its order (no
    /// second read).
    #[graphql(skip)]
    pub timeline: Option<SharedTimeline>,
    /// The stock locations' names when the parcel is shown as part of its order (one read for
    /// all its parcels, not one each).
    #[graphql(skip)]
    pub location_names: Option<Arc<Vec<(String, String, i64)>>>,
    pub id: String,
    pub state: String,
    pub source: String,
    pub units: i64,
    /// What is in the parcel, per order line.
    pub items: Vec<ShipmentItem>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    /// When it should arrive, while it is on its way; null once delivered (see `deliveredAt`).
    pub expected_delivery: Option<NaiveDate>,
    /// The day its dropship partner accepted to send it by (null until accepted).
    pub ship_by: Option<NaiveDate>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Flagged late: its expected day went by without a delivery or a word from the carrier.
    pub late: bool,
    /// Returned to the sender and received back at the warehouse (restocked or written off).
    pub received_back: bool,
}

/// Units of one order line in a parcel.
#[derive(SimpleObject, Debug, Clone)]
pub struct ShipmentItem {
    /// The line's index in the order.
    pub line: i64,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
}

/// An order's timeline and who caused each event, shared between the views that show it.
pub use crate::app::orders::SharedTimeline;

/// One timeline event. A live event reaches every subscriber as this one shared value, so
/// building it per subscriber costs a pointer copy, and its `data` is serialised once per event,
/// when a query first asks for it.
#[derive(Debug, Clone)]
pub struct TimelineEvent(Arc<FeedEvent>);

/// One timeline event.
#[Object]
impl TimelineEvent {
    async fn seq(&self) -> i64 {
        i64::try_from(self.0.entry.seq).unwrap_or(i64::MAX)
    }

    async fn at(&self) -> DateTime<Utc> {
        self.0.entry.at
    }

    /// snake_case event type, e.g. "payment_authorized".
    #[graphql(name = "type")]
    async fn kind(&self) -> &str {
        self.0.entry.event.name()
    }

    /// Who caused it: customer, guest, staff, channel, payment-provider, purchasing, system, …
    async fn actor(&self) -> &str {
        &self.0.actor.kind
    }

    /// Who caused it, in the customer's words: `You`, the shop's name, `UPS`, `Our partner`.
    async fn by(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<String> {
        Ok(ordo_core::text::actor_label(&self.0.actor.kind, &super::app(ctx)?.shop_name()))
    }

    /// Who the caller's token was issued to (`alice@shop`), for staff only: the audit trail of
    /// people. Null for others, and for events the gateway or a signed webhook caused.
    async fn subject(&self, ctx: &async_graphql::Context<'_>) -> Option<&str> {
        if !super::actor(ctx).is_staff() {
            return None;
        }
        self.0.actor.subject.as_deref()
    }

    /// The event's data as ordo-core's wire JSON.
    async fn data(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(self.0.data().clone())
    }
}

impl TimelineEvent {
    pub fn from_entry(order_id: &str, entry: &TimelineEntry, actor: &Doer) -> TimelineEvent {
        TimelineEvent(Arc::new(FeedEvent::new(order_id.to_owned(), actor.clone(), entry.clone())))
    }

    /// A live event, shared with every other subscriber that receives it.
    pub fn shared(event: Arc<FeedEvent>) -> TimelineEvent {
        TimelineEvent(event)
    }
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusTone {
    Info,
    Success,
    Warning,
    Danger,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct StatusStep {
    pub key: String,
    pub label: String,
    /// done, current or upcoming
    pub state: String,
}

/// What the customer sees: the same words as the tracking page and the e-mails.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(name = "StatusView")]
pub struct StatusViewObject {
    pub headline: String,
    pub detail: String,
    pub tone: StatusTone,
    pub steps: Vec<StatusStep>,
    pub expected_delivery: Option<NaiveDate>,
    /// The list-view status, e.g. PARTIALLY_SHIPPED.
    pub summary: String,
}

impl From<StatusView> for StatusViewObject {
    fn from(v: StatusView) -> Self {
        StatusViewObject {
            headline: v.headline,
            detail: v.detail,
            tone: match v.tone {
                Tone::Info => StatusTone::Info,
                Tone::Success => StatusTone::Success,
                Tone::Warning => StatusTone::Warning,
                Tone::Danger => StatusTone::Danger,
            },
            steps: v
                .steps
                .into_iter()
                .map(|s| StatusStep {
                    key: wire_name(s.key),
                    label: s.label,
                    state: match s.state {
                        StepState::Done => "done",
                        StepState::Current => "current",
                        StepState::Upcoming => "upcoming",
                    }
                    .to_owned(),
                })
                .collect(),
            expected_delivery: v.expected_delivery,
            summary: wire_name(v.summary),
        }
    }
}

/// A unit enum's name on the wire (`"placed"`, `"PARTIALLY_SHIPPED"`).
pub fn wire_name<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// An order with its timeline and who caused each event.
#[derive(Debug, Clone)]
pub struct OrderView {
    pub order: Order,
    /// The timeline and who caused each entry (`actors[i]` caused `timeline[i]`), up to the
    /// order's last event: read only when a field asks for it (see [`OrderView::shared`]).
    shared: tokio::sync::OnceCell<SharedTimeline>,
    /// Set when a dropship supplier is looking: it sees the lines and parcels it ships and the
    /// ship-to address, never the customer's e-mail, other lines, prices, payment or history.
    pub supplier: Option<String>,
}

impl OrderView {
    /// `stored` as `caller` sees it (a supplier sees only what it ships).
    pub(crate) fn new(stored: crate::app::orders::StoredOrder, caller: &crate::app::Actor) -> OrderView {
        let view = OrderView::written(stored.order, caller);
        let _ = view.shared.set(stored.shared);
        view
    }

    /// `order` as a command just wrote it, as `caller` sees it; its timeline is read only if a
    /// field asks for it.
    pub(crate) fn written(order: Order, caller: &crate::app::Actor) -> OrderView {
        let supplier = match caller {
            crate::app::Actor::Supplier { supplier } => Some(supplier.clone()),
            _ => None,
        };
        OrderView { order, shared: tokio::sync::OnceCell::new(), supplier }
    }

    /// A new order as placed: its one event, caused by `doer`.
    pub(crate) fn placed(order: Order, first: TimelineEntry, doer: Doer) -> OrderView {
        let shared: SharedTimeline = (Arc::new([first]), Arc::new([doer]));
        OrderView { order, shared: tokio::sync::OnceCell::new_with(Some(shared)), supplier: None }
    }

    /// The timeline with who caused each entry, read from the store the first time a field
    /// asks, cut at the order's last event (a later append is not this view's).
    pub(crate) async fn shared(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<&SharedTimeline> {
        use crate::graphql::error::GqlResult;
        self.shared
            .get_or_try_init(|| async {
                let id = self.order.id().as_str();
                let (timeline, actors) = crate::app::orders::read(super::app(ctx)?, id).await.gql()?.shared;
                let upto = timeline.iter().take_while(|e| e.seq <= self.order.last_seq()).count();
                if upto == timeline.len() {
                    return Ok((timeline, actors));
                }
                Ok((Arc::from(&timeline[..upto]), Arc::from(&actors[..upto])))
            })
            .await
    }
}

/// A postal address.
#[derive(SimpleObject, Debug, Clone)]
pub struct AddressView {
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub phone: Option<String>,
}

/// Units of an order reserved at a location.
#[derive(SimpleObject, Debug, Clone)]
pub struct Reservation {
    pub sku: String,
    pub location: String,
    pub quantity: i64,
}

/// The lines a dropship supplier sees: those it ships, without what the customer paid.
pub fn supplier_lines(order: &Order, supplier: &str) -> Vec<OrderLineView> {
    let shipped = order.lines_shipped_by(supplier);
    lines(order)
        .into_iter()
        .filter(|l| usize::try_from(l.index).is_ok_and(|i| shipped.contains(&i)))
        .map(|l| OrderLineView { unit_price: None, total: None, remaining_total: None, ..l })
        .collect()
}

/// An order's ship-to address.
pub fn address(order: &Order) -> AddressView {
    address_view(&order.placed().shipping_address)
}

/// An address as answered.
pub fn address_view(a: &ordo_core::values::PostalAddress) -> AddressView {
    AddressView {
        name: a.name().to_owned(),
        line1: a.line1().to_owned(),
        line2: a.line2().map(str::to_owned),
        city: a.city().to_owned(),
        region: a.region().map(str::to_owned),
        postal_code: a.postal_code().to_owned(),
        country: a.country().as_str().to_owned(),
        phone: a.phone().map(|p| p.as_str().to_owned()),
    }
}

pub fn lines(order: &Order) -> Vec<OrderLineView> {
    order
        .lines()
        .iter()
        .map(|l| OrderLineView {
            index: i64::try_from(l.index()).unwrap_or(i64::MAX),
            sku: l.sku().as_str().to_owned(),
            name: l.name().to_owned(),
            quantity: i64::from(l.quantity()),
            cancelled: i64::from(l.cancelled()),
            remaining: i64::from(l.remaining()),
            unit_price: Some(l.unit_price().into()),
            total: Some(l.total().into()),
            remaining_total: Some(l.remaining_total().into()),
            availability: l
                .parts()
                .iter()
                .filter(|p| p.quantity() > 0)
                .map(|p| {
                    let (kind, location, supplier, promised_on) = match p.availability() {
                        LineAvailability::Allocated { location } => {
                            (AvailabilityKind::Allocated, Some(location.clone()), None, None)
                        }
                        LineAvailability::Backordered { promised } => {
                            (AvailabilityKind::Backordered, None, None, Some(*promised))
                        }
                        LineAvailability::Dropshipped { supplier } => {
                            (AvailabilityKind::Dropshipped, None, Some(supplier.clone()), None)
                        }
                    };
                    LineAvailabilityView {
                        quantity: i64::from(p.quantity()),
                        kind,
                        location,
                        supplier,
                        promised_on,
                    }
                })
                .collect(),
        })
        .collect()
}

pub fn shipments(order: &Order) -> Vec<ShipmentView> {
    order
        .shipments()
        .iter()
        .map(|s| ShipmentView {
            order_id: order.id().as_str().to_owned(),
            timeline: None,
            location_names: None,
            id: s.id().to_owned(),
            state: s.state().name().to_owned(),
            source: match s.source() {
                ordo_core::order::ShipmentSource::Location { location } => location.to_string(),
                ordo_core::order::ShipmentSource::Supplier { supplier } => format!("supplier:{supplier}"),
            },
            units: i64::from(s.units()),
            items: s
                .lines()
                .iter()
                .map(|l| {
                    let line = order.lines().get(l.line);
                    ShipmentItem {
                        line: i64::try_from(l.line).unwrap_or(i64::MAX),
                        sku: line.map(|ol| ol.sku().as_str().to_owned()).unwrap_or_default(),
                        name: line.map(|ol| ol.name().to_owned()).unwrap_or_default(),
                        quantity: i64::from(l.quantity),
                    }
                })
                .collect(),
            received_back: s.received_back(),
            ship_by: s.ship_by(),
            carrier: s.carrier().map(str::to_owned),
            tracking_number: s.tracking_number().map(str::to_owned),
            tracking_url: s.tracking_url().map(str::to_owned),
            expected_delivery: s.expected_delivery().filter(|_| s.delivered_at().is_none()),
            delivered_at: s.delivered_at(),
            late: s.late(),
        })
        .collect()
}

/// Units of one line in a return.
#[derive(SimpleObject, Debug, Clone)]
pub struct ReturnLineView {
    pub line: i64,
    pub quantity: i64,
    pub reason: String,
}

/// A return (RMA).
#[derive(SimpleObject, Debug, Clone)]
pub struct ReturnView {
    pub id: String,
    /// requested, approved, rejected, received, refunded, cancelled.
    pub state: String,
    pub rejection_reason: Option<String>,
    pub lines: Vec<ReturnLineView>,
    pub requested_at: chrono::DateTime<chrono::Utc>,
    pub refunded: Option<Money>,
}

pub fn returns(order: &Order) -> Vec<ReturnView> {
    order
        .returns()
        .iter()
        .map(|r| ReturnView {
            id: r.id().to_owned(),
            state: r.state().name().to_owned(),
            rejection_reason: match r.state() {
                ordo_core::lifecycle::ReturnState::Rejected { reason } => Some(reason.clone()),
                _ => None,
            },
            lines: r
                .lines()
                .iter()
                .map(|l| ReturnLineView {
                    line: i64::try_from(l.line).unwrap_or(i64::MAX),
                    quantity: i64::from(l.quantity),
                    reason: l.reason.clone(),
                })
                .collect(),
            requested_at: r.requested_at(),
            refunded: r.refunded().map(Money::from),
        })
        .collect()
}

/// Money given back to the customer through the payment provider.
#[derive(SimpleObject, Debug, Clone)]
pub struct RefundView {
    pub at: DateTime<Utc>,
    pub amount: Money,
    /// Why: "return ord_…-R1", "lines cancelled", "order cancelled", or staff's goodwill reason.
    pub reason: String,
}

/// Every refund in `timeline`, oldest first.
pub fn refunds(timeline: &[TimelineEntry]) -> Vec<RefundView> {
    timeline
        .iter()
        .filter_map(|e| match &e.event {
            ordo_core::order::OrderEvent::PaymentRefunded { amount, reason } => {
                Some(RefundView { at: e.at, amount: (*amount).into(), reason: reason.clone() })
            }
            _ => None,
        })
        .collect()
}

/// How a parcel was packed.
#[derive(SimpleObject, Debug, Clone)]
pub struct PackageView {
    pub length_cm: i64,
    pub width_cm: i64,
    pub height_cm: i64,
    pub weight_grams: i64,
    pub material: String,
}

/// Where a parcel's documents open: each link carries a signed token for the caller who asked,
/// valid five minutes, so a browser opens it without a bearer header (the plain path with the
/// same bearer token works too).
#[derive(SimpleObject, Debug, Clone)]
pub struct ShipmentDocuments {
    /// The shipping label (PDF).
    pub label: String,
    /// The commercial invoice (PDF), for customs.
    pub commercial_invoice: String,
    /// The packing slip that goes in the box (PDF).
    pub packing_slip: String,
    /// A partner's parcel: the purchase order its supplier was sent (PDF); null for ours.
    pub purchase_order: Option<String>,
}

#[async_graphql::ComplexObject]
impl ShipmentView {
    /// Dimensions, weight and material, once packed.
    async fn package(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Option<PackageView>> {
        use crate::graphql::error::GqlResult;
        let row = crate::app::fulfilment::parcel(super::app(ctx)?, &self.id).await.gql()?;
        Ok(row.and_then(|r| r.package).map(|p| PackageView {
            length_cm: p["length_cm"].as_i64().unwrap_or(0),
            width_cm: p["width_cm"].as_i64().unwrap_or(0),
            height_cm: p["height_cm"].as_i64().unwrap_or(0),
            weight_grams: p["weight_grams"].as_i64().unwrap_or(0),
            material: p["material"].as_str().unwrap_or("").to_owned(),
        }))
    }

    /// Where it leaves from, as a name: the stock location's (`East warehouse (Newark)`), or
    /// the partner's for a dropship parcel (`Northwood Furniture (our partner)`).
    async fn source_name(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<String> {
        use crate::graphql::error::GqlResult;
        if let Some(supplier) = self.source.strip_prefix("supplier:") {
            let name = crate::app::suppliers::display_name(super::app(ctx)?, supplier).await.gql()?;
            return Ok(format!("{name} (our partner)"));
        }
        let read;
        let locations = match &self.location_names {
            Some(names) => names.as_slice(),
            None => {
                read = crate::app::catalog::locations(super::app(ctx)?).await.gql()?;
                read.as_slice()
            }
        };
        Ok(locations
            .iter()
            .find(|(id, _, _)| *id == self.source)
            .map_or_else(|| ordo_core::text::title(&self.source), |(_, name, _)| name.clone()))
    }

    /// The carrier service it was booked with, once shipped.
    async fn service(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Option<String>> {
        use crate::graphql::error::GqlResult;
        Ok(crate::app::fulfilment::parcel(super::app(ctx)?, &self.id).await.gql()?.and_then(|r| r.service))
    }

    /// The order's timeline events about this parcel (created, picked, packed, shipped, split,
    /// merged, delivered, …), oldest first.
    async fn events(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Vec<TimelineEvent>> {
        use crate::graphql::error::GqlResult;
        let about_this = |entry: &TimelineEntry| entry.event.shipments().contains(&self.id.as_str());
        let (timeline, actors) = match &self.timeline {
            Some(shared) => shared.clone(),
            None => crate::app::orders::read(super::app(ctx)?, &self.order_id).await.gql()?.shared,
        };
        Ok(timeline
            .iter()
            .zip(actors.iter())
            .filter(|(entry, _)| about_this(entry))
            .map(|(entry, actor)| TimelineEvent::from_entry(&self.order_id, entry, actor))
            .collect())
    }

    /// The label, commercial invoice and packing slip.
    async fn documents(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<ShipmentDocuments> {
        let keys = super::app(ctx)?.keys();
        let caller = super::actor(ctx);
        // Only those who may open documents get signed links; others the plain path.
        let signs = caller.is_staff() || matches!(caller, crate::app::access::Actor::Supplier { .. });
        let link = |file: &str| {
            let path = format!("/documents/{}/{}/{file}", self.order_id, self.id);
            match keys.mint_document_link(caller, &path) {
                Ok(token) if signs => format!("{path}?token={token}"),
                _ => path,
            }
        };
        Ok(ShipmentDocuments {
            label: link("label.pdf"),
            commercial_invoice: link("commercial-invoice.pdf"),
            packing_slip: link("packing-slip.pdf"),
            purchase_order: self.source.starts_with("supplier:").then(|| link("purchase-order.pdf")),
        })
    }
}
