//! Everything after payment over GraphQL: shipments (create, pick, pack, ship, deliver,
//! exceptions), cancellation, returns and refunds, pick lists. Every rule is ordo-core's; this
//! module checks who is asking, converts inputs and runs the commands.

use async_graphql::{Context, Enum, InputObject, Object, Result};
use ordo_core::allocation::LocationId;
use ordo_core::carrier::Carrier;
use ordo_core::lifecycle::ExceptionKind;
use ordo_core::money::Money;
use ordo_core::order::{
    Command, LineUnits, ReturnAction, ReturnDisposition, ReturnItem, ShipmentAction, ShipmentLine,
};
use ordo_core::values::{Package, free_text, limits};

use super::fulfilment_types::{CarrierView, PickGroup, TrackedShipment, TrackingEventView};
use super::orders::{OrderPayload, execute, payload};
use super::{actor, app, doer, idempotency};
use crate::app::error::ApiError;
use crate::app::execute::{Beside, Request, receive_return};
use crate::app::{dropship, fulfilment, orders};
use crate::graphql::error::GqlResult;

/// How a parcel was packed.
#[derive(InputObject, Debug, Clone)]
pub struct PackageInput {
    pub length_cm: i32,
    pub width_cm: i32,
    pub height_cm: i32,
    pub weight_grams: i32,
    /// e.g. "box", "mailer", "pallet".
    pub material: String,
}

/// A carrier's report of trouble with a parcel.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ShipmentExceptionKind {
    Damaged,
    Lost,
    AddressProblem,
    Delayed,
    Other,
}

impl From<ShipmentExceptionKind> for ExceptionKind {
    fn from(kind: ShipmentExceptionKind) -> Self {
        match kind {
            ShipmentExceptionKind::Damaged => ExceptionKind::Damaged,
            ShipmentExceptionKind::Lost => ExceptionKind::Lost,
            ShipmentExceptionKind::AddressProblem => ExceptionKind::AddressProblem,
            ShipmentExceptionKind::Delayed => ExceptionKind::Delayed,
            ShipmentExceptionKind::Other => ExceptionKind::Other,
        }
    }
}

/// Units of one order line to send back.
#[derive(InputObject, Debug, Clone)]
pub struct ReturnLineInput {
    /// The line's index in the order (0-based, as in `order.lines`).
    pub line: i32,
    pub quantity: i32,
    pub reason: String,
}

/// Some units of one order line (to cancel, or to move into another parcel).
#[derive(InputObject, Debug, Clone)]
pub struct LineQuantityInput {
    /// The line's index in the order (0-based, as in `order.lines`).
    pub line: i32,
    pub quantity: i32,
}

/// 1-100 (line, quantity ≥ 1) pairs, as ordo-core takes them.
fn line_units(lines: &[LineQuantityInput]) -> Result<Vec<LineUnits>> {
    if lines.is_empty() || lines.len() > 100 {
        return Err(ApiError::bad_input("lines", "give 1-100 lines")).gql();
    }
    lines
        .iter()
        .map(|l| {
            let quantity = u32::try_from(l.quantity)
                .ok()
                .filter(|q| *q > 0)
                .ok_or_else(|| ApiError::bad_input("lines.quantity", "must be 1 or more"))
                .gql()?;
            Ok(LineUnits { line: index(l.line, "lines.line")?, quantity })
        })
        .collect()
}

/// Where one received line goes.
#[derive(InputObject, Debug, Clone)]
pub struct ReceivedLineInput {
    pub line: i32,
    /// The location to restock; absent writes the units off (damaged).
    pub restock_to: Option<String>,
}

fn index(value: i32, field: &'static str) -> Result<usize> {
    usize::try_from(value).map_err(|_| ApiError::bad_input(field, "must be 0 or more")).gql()
}

/// Free text a person typed into `field`, by ordo-core's rule (trimmed, at most `max`
/// characters, no card number).
fn text(value: &str, field: &'static str, max: usize) -> Result<String> {
    free_text(value, max).map_err(|e| ApiError::bad_input(field, e.to_string())).gql()
}

/// Where returned units go back on the shelf: `None` (written off) when blank (`field` names the
/// argument in errors). Whether it exists and the caller works there is the application's check.
fn restock_location(value: Option<&str>, field: &str) -> Result<Option<LocationId>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(location) => Ok(Some(
            LocationId::parse(location).map_err(|e| ApiError::bad_input(field, e.to_string())).gql()?,
        )),
    }
}

/// A step of parcel `shipment_id`, with what the store records beside it.
async fn shipment_step(
    ctx: &Context<'_>,
    order_id: &str,
    shipment_id: &str,
    action: ShipmentAction,
    beside: Beside,
) -> Result<OrderPayload> {
    let command = Command::Shipment { shipment: shipment_id.trim().to_owned(), action };
    execute(ctx, order_id, Request { command, beside }, None).await
}

#[derive(Default, Debug)]
pub struct FulfilmentQuery;

#[Object]
impl FulfilmentQuery {
    /// What to pick at `location` (staff): lines of parcels waiting or being picked, grouped by
    /// order, oldest first, with bins.
    async fn pick_list(&self, ctx: &Context<'_>, location: String) -> Result<Vec<PickGroup>> {
        actor(ctx).require_staff().gql()?;
        let location = LocationId::parse(location.trim())
            .map_err(|e| ApiError::bad_input("location", e.to_string()))
            .gql()?;
        let groups = fulfilment::pick_list(app(ctx)?, actor(ctx), &location).await.gql()?;
        Ok(groups.into_iter().map(PickGroup::from).collect())
    }

    /// The carriers parcels ship with (anyone may read the list): `shipShipment` takes a code
    /// or name from it and checks the tracking number against the carrier's formats.
    async fn carriers(&self) -> Vec<CarrierView> {
        Carrier::ALL.into_iter().map(CarrierView::from).collect()
    }

    /// A parcel by tracking number, with every carrier report: for whoever may see its order (a
    /// supplier: its own parcels; anyone else gets the same answer as for an unknown number: null).
    async fn shipment(&self, ctx: &Context<'_>, tracking_number: String) -> Result<Option<TrackedShipment>> {
        let Some(found) = fulfilment::tracked(app(ctx)?, actor(ctx), tracking_number.trim()).await.gql()?
        else {
            return Ok(None);
        };
        let Some(view) = super::types::shipments(&found.order).into_iter().find(|v| v.id == found.parcel.id)
        else {
            return Ok(None);
        };
        let events = found.reports.iter().map(TrackingEventView::from).collect();
        Ok(Some(TrackedShipment { order_id: found.parcel.order_id, shipment: view, events }))
    }
}

/// A tracking status, as staff enter it by hand.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "TrackingStatus")]
pub enum TrackingStatusArg {
    LabelCreated,
    PickedUp,
    InTransit,
    OutForDelivery,
    Delivered,
    Exception,
}

#[derive(Default, Debug)]
pub struct FulfilmentMutation;

#[Object]
impl FulfilmentMutation {
    /// Groups allocated and dropshipped units not yet in a parcel into one shipment per
    /// location or supplier (staff). Backordered units get their own shipment once allocated.
    async fn create_shipments(&self, ctx: &Context<'_>, order_id: String) -> Result<OrderPayload> {
        execute(ctx, &order_id, Command::CreateShipments, None).await
    }

    /// The warehouse starts picking a parcel.
    async fn start_picking(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_id: String,
    ) -> Result<OrderPayload> {
        shipment_step(ctx, &order_id, &shipment_id, ShipmentAction::StartPicking, Beside::Nothing).await
    }

    /// A parcel is packed: its dimensions, weight and packing material are recorded.
    async fn pack_shipment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_id: String,
        package: PackageInput,
    ) -> Result<OrderPayload> {
        let sides = [package.length_cm, package.width_cm, package.height_cm].map(i64::from);
        let package = Package::parse(sides, i64::from(package.weight_grams), &package.material)
            .map_err(|e| ApiError::bad_input(e.field, e.message))
            .gql()?;
        let beside = Beside::Package { shipment: shipment_id.trim().to_owned(), package };
        shipment_step(ctx, &order_id, &shipment_id, ShipmentAction::Pack, beside).await
    }

    /// Hands a parcel to the carrier with its tracking number (staff, or the supplier for its own
    /// dropship parcels). Shipping from a location consumes the reservation: on hand and reserved
    /// both go down. The label and commercial invoice are then at `shipment.documents`.
    #[allow(clippy::too_many_arguments)] // one GraphQL argument each
    async fn ship_shipment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_id: String,
        carrier: String,
        service: Option<String>,
        tracking_number: String,
        tracking_url: Option<String>,
    ) -> Result<OrderPayload> {
        let service = service.map(|s| text(&s, "service", limits::SERVICE)).transpose()?;
        if let Some(url) = &tracking_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(ApiError::bad_input("trackingUrl", "must be an http(s) URL")).gql();
        }
        let action = ShipmentAction::Ship {
            carrier: text(&carrier, "carrier", limits::CARRIER)?,
            tracking_number: text(&tracking_number, "trackingNumber", limits::TRACKING_NUMBER)?,
            tracking_url: tracking_url.map(|u| u.trim().to_owned()),
        };
        let beside = service.map_or(Beside::Nothing, |service| Beside::Service {
            shipment: shipment_id.trim().to_owned(),
            service,
        });
        shipment_step(ctx, &order_id, &shipment_id, action, beside).await
    }

    /// A dropship supplier takes its parcel and says by when it ships (again, to move the day);
    /// the customer is told. Only a partner's parcel not picked yet; the day from today to a
    /// year ahead.
    async fn accept_shipment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_id: String,
        ship_by: chrono::NaiveDate,
    ) -> Result<OrderPayload> {
        shipment_step(ctx, &order_id, &shipment_id, ShipmentAction::Accept { ship_by }, Beside::Nothing).await
    }

    /// A dropship supplier cannot send its parcel; the customer is told. As the shop's policy
    /// says: the parcel's units are cancelled and what was paid for them refunded (the whole
    /// order when nothing else is left), or they go on backorder, promised after the supplier's
    /// lead time (or an open purchase order's day), and the customer may keep waiting or cancel
    /// them. Only a partner's parcel not handed to the carrier yet.
    async fn reject_shipment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_id: String,
        reason: String,
    ) -> Result<OrderPayload> {
        let caller = (actor(ctx), &doer(ctx));
        let ran = dropship::reject(app(ctx)?, caller, &order_id, &shipment_id, reason).await.gql()?;
        payload(ctx, ran).await
    }

    /// Puts units of a line on backorder for `promised` (staff): their stock was lost, or they
    /// get a new day. Reserved stock is released, the units wait for the next receipt, and the
    /// customer is told the day with the choice to keep waiting or cancel. Not once the units
    /// are in a parcel.
    async fn backorder_line(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        line: i32,
        part: i32,
        promised: chrono::NaiveDate,
    ) -> Result<OrderPayload> {
        let at = (index(line, "line")?, index(part, "part")?);
        let ran =
            dropship::backorder(app(ctx)?, (actor(ctx), &doer(ctx)), &order_id, at, promised).await.gql()?;
        payload(ctx, ran).await
    }

    /// Hands backordered units of a line to dropship supplier `supplier` (staff): they leave the
    /// backorder queue; `createShipments` then makes the supplier's parcel, which sends the
    /// supplier its request and tells the customer.
    async fn dropship_line(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        line: i32,
        part: i32,
        supplier: String,
    ) -> Result<OrderPayload> {
        let at = (index(line, "line")?, index(part, "part")?);
        let caller = (actor(ctx), &doer(ctx));
        let ran = dropship::hand_to_partner(app(ctx)?, caller, &order_id, at, &supplier).await.gql()?;
        payload(ctx, ran).await
    }

    /// The carrier delivered the parcel; the order completes once everything is delivered
    /// (and paid).
    async fn mark_delivered(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_id: String,
    ) -> Result<OrderPayload> {
        shipment_step(ctx, &order_id, &shipment_id, ShipmentAction::MarkDelivered, Beside::Nothing).await
    }

    /// Records trouble with a parcel in transit (damaged, lost, address problem, …).
    async fn report_shipment_exception(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_id: String,
        kind: ShipmentExceptionKind,
        note: String,
    ) -> Result<OrderPayload> {
        let action =
            ShipmentAction::ReportException { kind: kind.into(), note: text(&note, "note", limits::NOTE)? };
        shipment_step(ctx, &order_id, &shipment_id, action, Beside::Nothing).await
    }

    /// The exception is cleared; the parcel is moving again.
    async fn resolve_shipment_exception(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_id: String,
    ) -> Result<OrderPayload> {
        shipment_step(ctx, &order_id, &shipment_id, ShipmentAction::ResolveException, Beside::Nothing).await
    }

    /// The carrier is bringing the parcel back (undeliverable, refused): it will not reach the
    /// customer. After an exception; receive it with `receiveReturnedParcel` when it arrives.
    async fn return_shipment_to_sender(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_id: String,
    ) -> Result<OrderPayload> {
        shipment_step(ctx, &order_id, &shipment_id, ShipmentAction::ReturnToSender, Beside::Nothing).await
    }

    /// A parcel returned to the sender arrived back (staff at the parcel's location): its units go
    /// back on the shelf at `restockTo` (stock on hand rises), or are written off without it.
    /// Once per parcel.
    async fn receive_returned_parcel(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_id: String,
        restock_to: Option<String>,
    ) -> Result<OrderPayload> {
        let restock = restock_location(restock_to.as_deref(), "restockTo")?;
        let command = Command::ReceiveReturnedParcel { shipment: shipment_id.trim().to_owned(), restock };
        execute(ctx, &order_id, command, None).await
    }

    /// Records a carrier report by hand (staff; staff bound to locations only for parcels leaving
    /// theirs), as a webhook would: stored once, and applied to the parcel when newer than what
    /// it has.
    async fn record_tracking_event(
        &self,
        ctx: &Context<'_>,
        tracking_number: String,
        status: TrackingStatusArg,
        occurred_at: chrono::DateTime<chrono::Utc>,
        location: Option<String>,
        carrier_status: Option<String>,
    ) -> Result<bool> {
        use ordo_core::tracking::TrackingStatus as S;
        actor(ctx).require_staff().gql()?;
        let status = match status {
            TrackingStatusArg::LabelCreated => S::LabelCreated,
            TrackingStatusArg::PickedUp => S::PickedUp,
            TrackingStatusArg::InTransit => S::InTransit,
            TrackingStatusArg::OutForDelivery => S::OutForDelivery,
            TrackingStatusArg::Delivered => S::Delivered,
            TrackingStatusArg::Exception => S::Exception,
        };
        let report = crate::app::tracking::Report {
            tracking_number: text(&tracking_number, "trackingNumber", limits::TRACKING_NUMBER)?,
            status,
            occurred_at,
            location: location
                .map(|l| text(&l, "location", limits::LOCATION))
                .transpose()?
                .filter(|l| !l.is_empty()),
            carrier_status: text(
                carrier_status.as_deref().unwrap_or(status.name()),
                "carrierStatus",
                limits::CARRIER_STATUS,
            )?,
        };
        let done = crate::app::tracking::record_by_hand(app(ctx)?, actor(ctx), &super::doer(ctx), report)
            .await
            .gql()?;
        Ok(done.accepted == 1)
    }

    /// Cancels the order while nothing has shipped (the customer until picking starts, staff
    /// until shipping): reservations are released and an authorized payment voided or a
    /// captured one refunded through the provider. After shipping: `INVALID_TRANSITION`, use a return.
    async fn cancel_order(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        reason: String,
        idempotency_key: Option<String>,
    ) -> Result<OrderPayload> {
        let reason = text(&reason, "reason", limits::REASON)?;
        let fingerprint = format!("{order_id}|{reason}");
        let idem = idempotency(ctx, idempotency_key.as_deref(), "cancelOrder", &fingerprint)?;
        execute(ctx, &order_id, Command::Cancel { reason }, idem.as_ref()).await
    }

    /// Cancels some units of some lines while they are neither packed nor shipped (partial
    /// quantities allowed): backordered units go first, then units not yet in a parcel, then
    /// units in pending parcels (staff: also parcels being picked); a parcel left empty is
    /// cancelled. Their reservations are released and their backorders closed; the order's totals
    /// drop by the units' share (shipping stays while anything remains). Money: what was captured
    /// beyond the new total is refunded through the provider; an authorization is not cut (the
    /// provider voids only whole authorizations): the capture later takes only what is due and
    /// releases the rest. Cancelling every remaining unit cancels the order. Packed or shipped
    /// units: `INVALID_TRANSITION` (request a return); more than remains:
    /// `QUANTITY_EXCEEDS_REMAINING`. The order's customer, guest or channel, or staff.
    async fn cancel_order_lines(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        lines: Vec<LineQuantityInput>,
        reason: String,
        idempotency_key: Option<String>,
    ) -> Result<OrderPayload> {
        let reason = text(&reason, "reason", limits::REASON)?;
        let units = line_units(&lines)?;
        let listed: Vec<String> = units.iter().map(|u| format!("{}x{}", u.line, u.quantity)).collect();
        let fingerprint = format!("{order_id}|{}|{reason}", listed.join(","));
        let idem = idempotency(ctx, idempotency_key.as_deref(), "cancelOrderLines", &fingerprint)?;
        execute(ctx, &order_id, Command::CancelLines { lines: units, reason }, idem.as_ref()).await
    }

    /// Moves some units of a parcel that is pending or being picked into a new pending parcel at
    /// the same location (staff; staff bound to locations only there). At least one unit stays.
    /// Packed or later: `INVALID_TRANSITION`.
    async fn split_shipment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_id: String,
        lines: Vec<LineQuantityInput>,
    ) -> Result<OrderPayload> {
        let lines = line_units(&lines)?
            .into_iter()
            .map(|u| ShipmentLine { line: u.line, quantity: u.quantity })
            .collect();
        let command = Command::SplitShipment { shipment: shipment_id.trim().to_owned(), lines };
        execute(ctx, &order_id, command, None).await
    }

    /// Puts parcels of one order and one location that are pending or being picked together: the
    /// units of the others move into the first one named, and the others are cancelled (staff).
    async fn merge_shipments(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        shipment_ids: Vec<String>,
    ) -> Result<OrderPayload> {
        if shipment_ids.len() > 50 {
            return Err(ApiError::bad_input("shipmentIds", "give 2-50 shipments")).gql();
        }
        let shipments = shipment_ids.iter().map(|id| id.trim().to_owned()).collect();
        execute(ctx, &order_id, Command::MergeShipments { shipments }, None).await
    }

    /// Asks to send delivered units back, within the return window (the order's customer, or staff).
    async fn request_return(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        lines: Vec<ReturnLineInput>,
    ) -> Result<OrderPayload> {
        if lines.is_empty() || lines.len() > 100 {
            return Err(ApiError::bad_input("lines", "give 1-100 lines")).gql();
        }
        let mut items = Vec::with_capacity(lines.len());
        for l in lines {
            let quantity = u32::try_from(l.quantity)
                .ok()
                .filter(|q| *q > 0)
                .ok_or_else(|| ApiError::bad_input("lines.quantity", "must be 1 or more"))
                .gql()?;
            items.push(ReturnItem {
                line: index(l.line, "lines.line")?,
                quantity,
                reason: text(&l.reason, "lines.reason", limits::REASON)?,
            });
        }
        execute(ctx, &order_id, Command::RequestReturn { lines: items }, None).await
    }

    /// Approves a requested return (staff).
    async fn approve_return(&self, ctx: &Context<'_>, order_id: String, rma: String) -> Result<OrderPayload> {
        let command = Command::Return { rma: rma.trim().to_owned(), action: ReturnAction::Approve };
        execute(ctx, &order_id, command, None).await
    }

    /// Rejects a requested return with a reason the customer sees (staff).
    async fn reject_return(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        rma: String,
        reason: String,
    ) -> Result<OrderPayload> {
        let reason = text(&reason, "reason", limits::REASON)?;
        let command = Command::Return { rma: rma.trim().to_owned(), action: ReturnAction::Reject { reason } };
        execute(ctx, &order_id, command, None).await
    }

    /// The returned parcel arrived (staff): each line is restocked to a location or written
    /// off. With `refund: true` the return is refunded at once through the provider.
    async fn receive_return(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        rma: String,
        lines: Vec<ReceivedLineInput>,
        #[graphql(default = false)] refund: bool,
        idempotency_key: Option<String>,
    ) -> Result<OrderPayload> {
        let mut dispositions = Vec::with_capacity(lines.len());
        for l in &lines {
            let restock = restock_location(l.restock_to.as_deref(), "lines.restockTo")?;
            dispositions.push(ReturnDisposition { line: index(l.line, "lines.line")?, restock });
        }
        let rma = rma.trim();
        let received = execute(ctx, &order_id, receive_return(rma, dispositions), None).await?;
        if !refund {
            return Ok(received);
        }
        Box::pin(refund_return(ctx, &order_id, rma, idempotency_key.as_deref())).await
    }

    /// Refunds a received return's paid share (less the shop's restocking fee) through the provider (staff).
    async fn refund_return(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        rma: String,
        idempotency_key: Option<String>,
    ) -> Result<OrderPayload> {
        refund_return(ctx, &order_id, rma.trim(), idempotency_key.as_deref()).await
    }

    /// A goodwill or correction refund of `amount` minor units (staff): never more than captured
    /// minus refunded. The idempotency key is required, so a retried click refunds once.
    async fn refund_payment(
        &self,
        ctx: &Context<'_>,
        order_id: String,
        amount: i64,
        reason: String,
        idempotency_key: String,
    ) -> Result<OrderPayload> {
        actor(ctx).require_staff().gql()?;
        let currency = orders::visible(app(ctx)?, actor(ctx), order_id.trim()).await.gql()?.order.currency();
        let reason = text(&reason, "reason", limits::REASON)?;
        let fingerprint = format!("{order_id}|{amount}|{reason}");
        let idem = idempotency(ctx, Some(&idempotency_key), "refundPayment", &fingerprint)?;
        let command = Command::RefundPayment { amount: Money::new(amount, currency), reason };
        execute(ctx, &order_id, command, idem.as_ref()).await
    }
}

async fn refund_return(
    ctx: &Context<'_>,
    order_id: &str,
    rma: &str,
    key: Option<&str>,
) -> Result<OrderPayload> {
    let order_id = order_id.trim();
    let fingerprint = format!("{order_id}|{rma}");
    let idem = idempotency(ctx, key, "refundReturn", &fingerprint)?;
    let command = Command::Return { rma: rma.to_owned(), action: ReturnAction::Refund };
    execute(ctx, order_id, command, idem.as_ref()).await
}
