//! Order queries and mutations: placing orders, reading them with their timeline, payments.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use ordo_core::cart::{Cart, CartLine, CartStage};
use ordo_core::values::AddressInput;

use super::page_size;
use super::types::{
    self, Money, OrderLineView, OrderTotalsView, OrderView, PaymentView, ShipmentView, StatusViewObject,
    TimelineEvent,
};
use super::{actor, app, doer, idempotency, subject};
use crate::app::commands;
use crate::app::error::ApiError;
use crate::app::execute::{self, Request};
use crate::app::idempotency::Idempotency;
use crate::app::intake::{self, PlaceOrder};
use crate::app::{orders, reviews};
use crate::graphql::error::GqlResult;
use ordo_core::order::{Command, TimelineEntry};

/// A line to order.
#[derive(InputObject, Debug, Clone)]
pub struct OrderLineInput {
    pub sku: String,
    pub quantity: i32,
}

/// A shipping address.
#[derive(InputObject, Debug, Clone)]
#[graphql(name = "AddressInput")]
pub struct ShippingAddressInput {
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
    pub phone: Option<String>,
}

impl From<ShippingAddressInput> for AddressInput {
    fn from(a: ShippingAddressInput) -> AddressInput {
        AddressInput {
            name: a.name,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            region: a.region,
            postal_code: a.postal_code,
            country: a.country,
            phone: a.phone,
        }
    }
}

/// An order from any sales channel.
#[derive(InputObject, Debug, Clone)]
pub struct PlaceOrderInput {
    /// The sales channel: "web", "pos", "amazon", … (lower-case letters, digits, '-', '_').
    pub channel: String,
    /// The channel's own order id; one order per (channel, externalId).
    pub external_id: Option<String>,
    pub customer_id: Option<String>,
    /// ISO 4217 code the customer pays in.
    pub currency: String,
    pub lines: Vec<OrderLineInput>,
    #[graphql(default)]
    pub coupons: Vec<String>,
    pub shipping_address: ShippingAddressInput,
    pub shipping_option: Option<String>,
    pub email: String,
}

impl PlaceOrderInput {
    fn into_request(self) -> Result<PlaceOrder> {
        if self.lines.len() > 500 || self.coupons.len() > 20 {
            return Err(ApiError::bad_input("lines", "too many lines or coupons")).gql();
        }
        let a = self.shipping_address;
        Ok(PlaceOrder {
            channel: self.channel.trim().to_owned(),
            external_id: self.external_id,
            customer: self.customer_id,
            cart: Cart {
                currency: self.currency,
                lines: self
                    .lines
                    .into_iter()
                    .map(|l| CartLine { sku: l.sku, quantity: i64::from(l.quantity) })
                    .collect(),
                coupons: self.coupons,
                shipping_address: Some(a.into()),
                shipping_option: self.shipping_option,
                email: Some(self.email),
                stage: CartStage::Checkout,
            },
        })
    }
}

/// Which orders to list.
#[derive(InputObject, Debug, Clone, Default)]
pub struct OrderFilterInput {
    /// The list status, e.g. AWAITING_PAYMENT, PARTIALLY_SHIPPED.
    pub summary: Option<String>,
    pub channel: Option<String>,
    /// Orders of one customer (staff; a customer's own token always filters to them).
    pub customer_id: Option<String>,
    /// Placed at or after this instant.
    pub placed_from: Option<DateTime<Utc>>,
    /// Placed before this instant.
    pub placed_to: Option<DateTime<Utc>>,
    /// Placed with this e-mail address, in any case (staff; a malformed one is `BAD_USER_INPUT`).
    pub email: Option<String>,
    /// Shipped to a name containing this text, in any case (staff; "lovelace" finds Ada
    /// Lovelace's orders). Up to 100 characters.
    pub name: Option<String>,
}

/// A shipping option as chosen at checkout.
#[derive(SimpleObject, Debug, Clone)]
pub struct ShippingChoice {
    /// `ground`, `express`, …
    pub code: String,
    /// As the shop names it now (`Ground (3–5 days)`); null if it no longer offers it there.
    pub name: Option<String>,
}

/// The result of a mutation on an order.
#[derive(SimpleObject, Debug, Clone)]
pub struct OrderPayload {
    pub order: OrderView,
    /// True when this answer repeats an earlier one (same idempotency key or external id).
    pub replayed: bool,
    /// For guest checkout only: a bearer token for this order (pay for it, track it).
    pub access_token: Option<String>,
}

#[derive(Default, Debug)]
pub struct OrderQuery;

#[Object]
impl OrderQuery {
    /// One order with its lines, payment, shipments, timeline and status, or null. `id` is the
    /// order's id or its reference (`#1042`). Customers see only their own orders, guests only the order their token is for, channels
    /// only their channel's; anything else answers null, exactly like a missing order.
    async fn order(&self, ctx: &Context<'_>, id: String) -> Result<Option<OrderView>> {
        match orders::visible(app(ctx)?, actor(ctx), id.trim()).await {
            Ok(stored) => Ok(Some(OrderView::new(stored, actor(ctx)))),
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(other) => Err(other).gql(),
        }
    }

    /// Orders, newest first, filtered; `after` is the cursor of the last order seen. Customers
    /// see their own orders only, channels their channel's.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        #[graphql(default)] filter: OrderFilterInput,
    ) -> Result<Connection<String, OrderView>> {
        let limit = page_size(first)?;
        let before = match &after {
            None => None,
            Some(cursor) => Some(
                DateTime::parse_from_rfc3339(cursor)
                    .map_err(|_| ApiError::bad_input("after", "is not a cursor from this list"))
                    .gql()?
                    .with_timezone(&Utc),
            ),
        };
        let filter = orders::OrderFilter {
            summary: filter.summary,
            channel: filter.channel,
            customer: filter.customer_id,
            placed_from: filter.placed_from,
            placed_to: filter.placed_to,
            email: filter.email,
            name: filter.name,
        };
        let ids = orders::list(app(ctx)?, actor(ctx), &filter, before, limit + 1).await.gql()?;
        let mut connection = Connection::new(after.is_some(), ids.len() > limit);
        for (id, placed_at) in ids.into_iter().take(limit) {
            let order = view(ctx, &id).await.gql()?;
            connection
                .edges
                .push(Edge::new(placed_at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true), order));
        }
        Ok(connection)
    }
}

/// Order `id` as the caller sees it (no authorization: callers check visibility first).
pub(super) async fn view(ctx: &Context<'_>, id: &str) -> Result<OrderView, ApiError> {
    let app = app(ctx).map_err(|_| ApiError::NotFound("app"))?;
    Ok(OrderView::new(orders::read(app, id).await?, actor(ctx)))
}

#[derive(Default, Debug)]
pub struct OrderMutation;

#[Object]
impl OrderMutation {
    /// Places an order. The server re-validates the cart with the same rules as the browser;
    /// blocking issues reject it with `extensions.issues`. Same `idempotencyKey` and input from
    /// the same caller: the first answer again; same key, other input: `IDEMPOTENCY_MISMATCH`
    /// (keys are per caller: another caller's key is just a new key). `externalId` is for channel
    /// tokens (their own channel) and staff only; the same external id again from the same
    /// caller with the same input replays, anything else is `CONFLICT`.
    async fn place_order(
        &self,
        ctx: &Context<'_>,
        input: PlaceOrderInput,
        idempotency_key: Option<String>,
    ) -> Result<OrderPayload> {
        let request = input.into_request()?;
        let intake::Checkout { placed, access_token } =
            intake::checkout(app(ctx)?, actor(ctx), subject(ctx), request, idempotency_key.as_deref())
                .await
                .gql()?;
        // A new order is shown as it was written; a replay is read back.
        let order = match placed.fresh {
            Some(fresh) => {
                let (order, first) = *fresh;
                OrderView::placed(order, first, doer(ctx))
            }
            None => view(ctx, &placed.order_id).await.gql()?,
        };
        Ok(OrderPayload { order, replayed: placed.replayed, access_token })
    }

    /// Authorizes the order total with a payment token from the provider (never a card number).
    /// One authorization per order runs at a time; after 5 declines the order takes no more, and
    /// an address with too many declines in the last hour is refused too
    /// (`PAYMENT_ATTEMPTS_EXHAUSTED`).
    /// Test tokens: tok_visa, tok_mastercard, tok_amex, tok_wallet_applepay (approved);
    /// tok_declined, tok_insufficient_funds, tok_expired_card (declined); tok_processing_error.
    async fn authorize_payment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        token: String,
        idempotency_key: Option<String>,
    ) -> Result<OrderPayload> {
        let fingerprint = format!("{order_id}|{token}");
        let idem = idempotency(ctx, idempotency_key.as_deref(), "authorizePayment", &fingerprint)?;
        let address = ctx.data_opt::<crate::app::access::ClientIp>().copied();
        let ran = execute::authorize_payment(
            app(ctx)?,
            (actor(ctx), &doer(ctx), address),
            &order_id,
            token.trim(),
            idem.as_ref(),
        )
        .await
        .gql()?;
        payload(ctx, ran).await
    }

    /// Captures `amount` minor units (everything still authorized when absent).
    async fn capture_payment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        amount: Option<i64>,
        idempotency_key: Option<String>,
    ) -> Result<OrderPayload> {
        actor(ctx).require_staff().gql()?;
        let currency = orders::visible(app(ctx)?, actor(ctx), order_id.trim()).await.gql()?.order.currency();
        let amount = amount.map(|a| ordo_core::money::Money::new(a, currency));
        let fingerprint = format!("{order_id}|{amount:?}");
        let idem = idempotency(ctx, idempotency_key.as_deref(), "capturePayment", &fingerprint)?;
        execute(ctx, &order_id, Command::CapturePayment { amount }, idem.as_ref()).await
    }

    /// Releases whatever part of the authorization has not been captured.
    async fn void_payment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        idempotency_key: Option<String>,
    ) -> Result<OrderPayload> {
        let fingerprint = order_id.clone();
        let idem = idempotency(ctx, idempotency_key.as_deref(), "voidPayment", &fingerprint)?;
        execute(ctx, &order_id, Command::VoidPayment, idem.as_ref()).await
    }
}

/// Runs `request` on order `order_id` for the caller (the application's one path for a state
/// change) and answers the order after it.
pub(super) async fn execute(
    ctx: &Context<'_>,
    order_id: &str,
    request: impl Into<Request>,
    idempotency: Option<&Idempotency>,
) -> Result<OrderPayload> {
    let request = request.into();
    let ran = Box::pin(execute::execute(app(ctx)?, actor(ctx), &doer(ctx), order_id, &request, idempotency))
        .await
        .gql()?;
    payload(ctx, ran).await
}

pub(super) async fn payload(ctx: &Context<'_>, ran: commands::Ran) -> Result<OrderPayload> {
    let order = OrderView::written(ran.order, actor(ctx));
    Ok(OrderPayload { order, replayed: ran.replayed, access_token: None })
}

/// A command the caller may issue on an order now, and what it targets.
#[derive(SimpleObject, Debug)]
pub struct AllowedAction {
    /// The command's stable snake_case name (`capture_payment`, `mark_delivered`, `refund_return`).
    kind: &'static str,
    /// The parcel, for parcel actions.
    shipment: Option<String>,
    /// The return, for return actions.
    rma: Option<String>,
    /// The line (from 0), for backorder actions.
    line: Option<i32>,
    /// The line's part (from 0), for backorder actions.
    part: Option<i32>,
}

/// An order. A dropship supplier sees only what it needs to ship: the lines it ships (without
/// prices), its own parcels and the ship-to address; the customer's e-mail, totals and payment
/// are null and the other lists empty.
#[Object(name = "Order")]
impl OrderView {
    async fn id(&self) -> &str {
        self.order.id().as_str()
    }
    /// The shop's short number for the order (1042, shown as `#1042`); null for orders placed
    /// before the shop numbered them.
    async fn number(&self) -> Option<i64> {
        self.order.number().map(i64::from)
    }
    /// How people refer to the order in every screen, document and message: `#1042`, or the id
    /// of an order without a number.
    async fn reference(&self) -> String {
        self.order.reference()
    }
    /// The customer's receipt as PDF, with its tax lines: a link (valid five minutes) that opens
    /// in a browser for whoever asked. Null for a supplier.
    async fn receipt(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if self.full().is_none() {
            return Ok(None);
        }
        let path = format!("/documents/{}/receipt.pdf", self.order.id().as_str());
        let token = app(ctx)?
            .keys()
            .mint_document_link(actor(ctx), &path)
            .map_err(|_| ApiError::Unauthenticated)
            .gql()?;
        Ok(Some(format!("{path}?token={token}")))
    }
    /// The sales channel the order came from.
    async fn channel(&self) -> &str {
        self.order.channel()
    }
    /// Every channel that carries the order: the one it came from, then those staff listed it
    /// on (`listOrderOnChannel`; staff only). Its events are told to each that hears webhooks.
    async fn channels(&self, ctx: &Context<'_>) -> Vec<&str> {
        if self.full().is_none() {
            return Vec::new();
        }
        if actor(ctx).is_staff() { self.order.channels() } else { vec![self.order.channel()] }
    }
    /// How far behind each channel carrying the order is (staff): those that hear webhooks.
    async fn channel_sync(&self, ctx: &Context<'_>) -> Result<Vec<super::channels::ChannelSync>> {
        let rows = crate::app::channels::sync_of(app(ctx)?, actor(ctx), &self.order).await.gql()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
    async fn customer_id(&self) -> Option<&str> {
        self.full()?;
        self.order.customer().map(|c| c.as_str())
    }
    /// The customer's e-mail (null for a dropship supplier).
    async fn email(&self) -> Option<&str> {
        self.full()?;
        Some(self.order.email().as_str())
    }
    /// Where the order ships to.
    async fn shipping_address(&self) -> types::AddressView {
        types::address(&self.order)
    }
    /// The shipping option chosen at checkout: its code, and its name in the shop's rules.
    async fn shipping_option(&self, ctx: &Context<'_>) -> Result<Option<ShippingChoice>> {
        let Some(code) = self.order.placed().shipping_option.clone() else { return Ok(None) };
        let country = self.order.shipping_address().country();
        let name = crate::app::catalog::shipping_option_name(app(ctx)?, country, &code).await.gql()?;
        Ok(Some(ShippingChoice { code, name }))
    }
    async fn currency(&self) -> &str {
        self.order.currency().code()
    }
    async fn placed_at(&self) -> DateTime<Utc> {
        self.order.placed_at()
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.order.updated_at()
    }
    /// The order machine's state: placed, confirmed, completed or cancelled.
    async fn state(&self) -> &'static str {
        self.order.state().name()
    }
    /// What the order costs now: as placed, less cancelled lines (null for a dropship supplier).
    async fn totals(&self) -> Option<OrderTotalsView> {
        self.full()?;
        let t = self.order.totals();
        Some(OrderTotalsView {
            subtotal: t.subtotal.into(),
            discount: t.discount.into(),
            shipping: t.shipping.into(),
            tax: t.tax.into(),
            grand_total: t.grand_total.into(),
        })
    }
    async fn lines(&self) -> Vec<OrderLineView> {
        match &self.supplier {
            Some(supplier) => types::supplier_lines(&self.order, supplier),
            None => types::lines(&self.order),
        }
    }
    /// The payment (null for a dropship supplier).
    async fn payment(&self, ctx: &Context<'_>) -> Option<PaymentView> {
        self.full()?;
        let valid = app(ctx).ok()?.authorization_valid();
        let p = self.order.payment();
        let method = self.order.payment_method();
        Some(PaymentView {
            status: p.status().name().to_owned(),
            authorized: p.authorized().into(),
            captured: p.captured().into(),
            refunded: p.refunded().into(),
            brand: method.map(|m| {
                serde_json::to_value(m.brand)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
            last4: method.and_then(|m| m.last4.clone()),
            method: method.map(ordo_core::order::PaymentMethod::describe),
            failure_reason: p.failure_reason().map(str::to_owned),
            authorization_expires_at: self.order.authorization_expires_at(valid),
            authorization_expiring: self.order.authorization_expiring(),
            capture_failure: self.order.capture_failure().map(str::to_owned),
        })
    }
    /// The parcels (a dropship supplier: its own only).
    async fn shipments(&self, ctx: &Context<'_>) -> Result<Vec<ShipmentView>> {
        // The parcels' `events` come from this timeline, not from one store read per parcel; their
        // locations' names from one read, and only when asked for.
        let mut views = types::shipments(&self.order);
        let names = if ctx.look_ahead().field("sourceName").exists() {
            Some(std::sync::Arc::new(crate::app::catalog::locations(app(ctx)?).await.gql()?))
        } else {
            None
        };
        if let Some(supplier) = &self.supplier {
            let own: Vec<&str> = self
                .order
                .shipments()
                .iter()
                .filter(|s| ordo_core::order::is_sent_by(s.source(), supplier))
                .map(|s| s.id())
                .collect();
            views.retain(|v| own.contains(&v.id.as_str()));
        }
        let shared = self.shared(ctx).await?;
        for view in &mut views {
            view.timeline = Some(shared.clone());
            view.location_names.clone_from(&names);
        }
        Ok(views)
    }
    /// Returns (RMAs), oldest first.
    async fn returns(&self) -> Vec<types::ReturnView> {
        if self.full().is_none() {
            return Vec::new();
        }
        types::returns(&self.order)
    }
    /// Refunds, oldest first: each `payment_refunded` event (returns, goodwill, cancellations).
    async fn refunds(&self, ctx: &Context<'_>) -> Result<Vec<types::RefundView>> {
        if self.full().is_none() {
            return Ok(Vec::new());
        }
        Ok(types::refunds(&self.shared(ctx).await?.0))
    }
    /// Reviews of this order's lines, oldest first (hidden ones too, flagged).
    async fn reviews(&self, ctx: &Context<'_>) -> Result<Vec<super::reviews::Review>> {
        if self.full().is_none() {
            return Ok(Vec::new());
        }
        let (reviews, _) = reviews::of_order(app(ctx)?, &self.order).await.gql()?;
        Ok(reviews.iter().map(super::reviews::Review::from).collect())
    }
    /// The customer's answer to the post-delivery survey, if given.
    async fn feedback(&self, ctx: &Context<'_>) -> Result<Option<super::reviews::Feedback>> {
        if self.full().is_none() {
            return Ok(None);
        }
        let (_, feedback) = reviews::of_order(app(ctx)?, &self.order).await.gql()?;
        Ok(feedback.as_ref().map(super::reviews::Feedback::from))
    }
    /// Every event, oldest first (none for a dropship supplier: its parcels carry their own;
    /// only staff see where the order is listed and what its channels were told).
    async fn timeline(&self, ctx: &Context<'_>) -> Result<Vec<TimelineEvent>> {
        if self.full().is_none() {
            return Ok(Vec::new());
        }
        let staff = actor(ctx).is_staff();
        let id = self.order.id().as_str();
        let (timeline, actors) = self.shared(ctx).await?;
        Ok(timeline
            .iter()
            .zip(actors.iter())
            .filter(|(e, _)| staff || !e.event.staff_only())
            .map(|(e, actor)| TimelineEvent::from_entry(id, e, actor))
            .collect())
    }
    /// The timeline in ordo-core's wire form, for ordo-wasm's `orderStatusView` / `allowedActions`
    /// (for anyone but staff, the events only the shop sees keep their place but name nothing).
    async fn timeline_wire(&self, ctx: &Context<'_>) -> Result<async_graphql::Json<serde_json::Value>> {
        if self.full().is_none() {
            return Ok(async_graphql::Json(serde_json::Value::Array(Vec::new())));
        }
        let timeline = &self.shared(ctx).await?.0;
        if actor(ctx).is_staff() || !timeline.iter().any(|e| e.event.staff_only()) {
            return Ok(async_graphql::Json(serde_json::to_value(timeline).unwrap_or_default()));
        }
        let copy: Vec<TimelineEntry> =
            timeline.iter().map(|e| TimelineEntry { event: e.event.for_customer(), ..e.clone() }).collect();
        Ok(async_graphql::Json(serde_json::to_value(&copy).unwrap_or_default()))
    }
    /// Stock held for this order, per SKU and location.
    async fn reservations(&self, ctx: &Context<'_>) -> Result<Vec<types::Reservation>> {
        if self.full().is_none() {
            return Ok(Vec::new());
        }
        let rows = orders::reservations(app(ctx)?, &self.order).await.gql()?;
        Ok(rows
            .into_iter()
            .map(|r| types::Reservation { sku: r.sku, location: r.location, quantity: r.quantity })
            .collect())
    }
    /// The commands the caller may issue on this order now (`capture_payment`, `ship` on a
    /// parcel, …): each is tried through the same state machines the mutations run, so a UI
    /// enables exactly the buttons the server would accept. Staff bound to locations get no
    /// parcel action on parcels leaving other places.
    async fn allowed_actions(&self, ctx: &Context<'_>) -> Vec<AllowedAction> {
        let caller = actor(ctx);
        let here =
            |id: &str| self.order.shipment(id).is_none_or(|s| caller.may_handle_parcel_from(s.source()));
        ordo_core::order::allowed_actions(&self.order, &caller.role(), Utc::now())
            .into_iter()
            .filter(|a| a.shipment.as_deref().is_none_or(here))
            .map(|a| AllowedAction {
                kind: a.kind.name(),
                shipment: a.shipment,
                rma: a.rma,
                line: a.line.and_then(|l| i32::try_from(l).ok()),
                part: a.part.and_then(|p| i32::try_from(p).ok()),
            })
            .collect()
    }
    /// What the customer sees now (null for a dropship supplier: it tells of payment, refunds
    /// and cancellations).
    async fn status_view(&self) -> Option<StatusViewObject> {
        self.full()?;
        Some(ordo_core::status::status_view(&self.order, Utc::now()).into())
    }
    /// The grand total, for lists (null for a dropship supplier).
    async fn grand_total(&self) -> Option<Money> {
        self.full()?;
        Some(self.order.totals().grand_total.into())
    }
}

impl OrderView {
    /// `Some` when the caller sees the whole order (everyone who may see it but a supplier).
    fn full(&self) -> Option<()> {
        self.supplier.is_none().then_some(())
    }
}
