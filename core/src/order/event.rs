//! Timeline events: every change to an order is one of these, appended with a sequence number.

use chrono::{DateTime, NaiveDate, Utc};

use super::CapturePolicy;
use crate::allocation::LocationId;
use crate::card::CardBrand;
use crate::lifecycle::ExceptionKind;
use crate::money::{Currency, Money};
use crate::values::{CustomerId, Email, OrderId, PostalAddress, Sku};

/// One entry of an order's timeline. `seq` starts at 1 and increases by one per event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct TimelineEntry {
    pub seq: u64,
    #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::datetime"))]
    #[cfg_attr(feature = "ts", ts(as = "DateTime<Utc>"))]
    pub at: DateTime<Utc>,
    pub event: OrderEvent,
}

/// Something that happened to an order. The order's state is the fold of its events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum OrderEvent {
    Placed(Box<PlacedOrder>),
    Confirmed,
    Cancelled {
        reason: String,
    },
    Completed,
    PaymentAuthorized {
        amount: Money,
        method: PaymentMethod,
    },
    PaymentFailed {
        reason: String,
    },
    PaymentCaptured {
        amount: Money,
    },
    PaymentVoided,
    /// A parcel shipped although the provider refused to capture its share (`reason`): the
    /// order waits for staff to get the money (a shop that ships rather than waits).
    PaymentCaptureFailed {
        amount: Money,
        reason: String,
    },
    /// The authorization lapses at `expires_at` with money still to capture: staff should capture
    /// what is due or ask the customer to pay again (see `authorization_entries`).
    PaymentAuthorizationExpiring {
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::datetime"))]
        #[cfg_attr(feature = "ts", ts(as = "DateTime<Utc>"))]
        expires_at: DateTime<Utc>,
    },
    PaymentRefunded {
        amount: Money,
        reason: String,
    },
    /// The authorization about to lapse was renewed on the card it was made with: `amount` (what
    /// was still to capture) is held again under the provider's new `reference` (see
    /// `authorization_step`).
    PaymentReauthorized {
        amount: Money,
        reference: String,
    },
    ShipmentCreated {
        shipment: String,
        source: ShipmentSource,
        lines: Vec<ShipmentLine>,
    },
    ShipmentPickingStarted {
        shipment: String,
    },
    ShipmentPacked {
        shipment: String,
    },
    ShipmentShipped {
        shipment: String,
        carrier: String,
        tracking_number: String,
        tracking_url: Option<String>,
        #[cfg_attr(feature = "serde", serde(default, with = "crate::rfc3339::serde_with::option_date"))]
        #[cfg_attr(feature = "ts", ts(as = "Option<NaiveDate>"))]
        expected_delivery: Option<NaiveDate>,
    },
    ShipmentInTransit {
        shipment: String,
    },
    ShipmentOutForDelivery {
        shipment: String,
    },
    ShipmentDelivered {
        shipment: String,
    },
    ShipmentException {
        shipment: String,
        kind: ExceptionKind,
        note: String,
    },
    ShipmentExceptionResolved {
        shipment: String,
    },
    /// A parcel on its way had not arrived some time after its expected day (`expected`), and no
    /// carrier said why (see `late_entries`).
    ShipmentLate {
        shipment: String,
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
        #[cfg_attr(feature = "ts", ts(as = "NaiveDate"))]
        expected: NaiveDate,
    },
    ShipmentReturnedToSender {
        shipment: String,
    },
    /// A parcel returned to the sender arrived back: restocked at `restock`, or written off.
    ParcelReceivedBack {
        shipment: String,
        restock: Option<LocationId>,
    },
    ShipmentCancelled {
        shipment: String,
    },
    /// The partner of a dropship parcel cannot send it (`reason`): the parcel is cancelled, and
    /// its units go on backorder (the events that follow say which).
    ShipmentRejected {
        shipment: String,
        reason: String,
    },
    /// The supplier of a dropship parcel took it, to ship by `ship_by`.
    ShipmentAccepted {
        shipment: String,
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
        #[cfg_attr(feature = "ts", ts(as = "NaiveDate"))]
        ship_by: NaiveDate,
    },
    /// Units left a parcel that was not packed yet because they were cancelled.
    ShipmentUnitsRemoved {
        shipment: String,
        lines: Vec<ShipmentLine>,
    },
    /// Units moved out of `shipment` into a new pending parcel `into` from the same source.
    ShipmentSplit {
        shipment: String,
        into: String,
        lines: Vec<ShipmentLine>,
    },
    /// The units of the parcels `from` moved into `into` (same source); `from` are cancelled.
    ShipmentsMerged {
        into: String,
        from: Vec<String>,
    },
    /// Units of order lines cancelled before they were packed. `amount` is their share of the
    /// grand total (goods after discount, with their tax); shipping stays with the order.
    LinesCancelled {
        units: Vec<CancelledUnits>,
        amount: Money,
        reason: String,
    },
    /// Backordered units of a line got stock at `location`.
    LineAllocated {
        line: usize,
        part: usize,
        location: LocationId,
    },
    /// Units of a line now wait for stock, promised for `promised`.
    LineBackordered {
        line: usize,
        part: usize,
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
        #[cfg_attr(feature = "ts", ts(as = "NaiveDate"))]
        promised: NaiveDate,
    },
    /// Backordered units of a line were handed to dropship partner `supplier`.
    LineDropshipped {
        line: usize,
        part: usize,
        supplier: String,
    },
    ReturnRequested {
        rma: String,
        lines: Vec<ReturnItem>,
    },
    ReturnApproved {
        rma: String,
    },
    ReturnRejected {
        rma: String,
        reason: String,
    },
    ReturnReceived {
        rma: String,
    },
    ReturnRefunded {
        rma: String,
        amount: Money,
    },
    ReturnCancelled {
        rma: String,
    },
    /// A message to the customer left for its recipient (`message` is its id, `kind` its
    /// [`MessageKind`](crate::messages::MessageKind) key), at its `attempt`th try.
    MessageSent {
        message: String,
        kind: String,
        attempt: u32,
    },
    /// An attempt to send a message failed; `givenUp` when it was the last (a dead letter staff
    /// may queue again). Why it failed stays with the message, for staff.
    MessageFailed {
        message: String,
        kind: String,
        attempts: u32,
        given_up: bool,
    },
    /// The shop listed the order on another sales channel: its events are told there too.
    ListedOnChannel {
        channel: String,
    },
    /// A channel acknowledged (2xx) webhook `webhook`, telling of an `event`
    /// (`shipment.shipped`), at its `attempt`th try.
    ChannelAcknowledged {
        channel: String,
        webhook: String,
        event: String,
        attempt: u32,
    },
    /// A webhook to a channel was given up after `attempts` failed tries (a dead letter staff may
    /// send again). Why it failed stays with the webhook, for staff.
    ChannelGaveUp {
        channel: String,
        webhook: String,
        event: String,
        attempts: u32,
    },
}

impl OrderEvent {
    /// Stable snake_case name of the event type (`shipment_shipped`), for feeds and filters.
    pub fn name(&self) -> &'static str {
        match self {
            OrderEvent::Placed(_) => "placed",
            OrderEvent::Confirmed => "confirmed",
            OrderEvent::Cancelled { .. } => "cancelled",
            OrderEvent::Completed => "completed",
            OrderEvent::PaymentAuthorized { .. } => "payment_authorized",
            OrderEvent::PaymentFailed { .. } => "payment_failed",
            OrderEvent::PaymentCaptured { .. } => "payment_captured",
            OrderEvent::PaymentVoided => "payment_voided",
            OrderEvent::PaymentCaptureFailed { .. } => "payment_capture_failed",
            OrderEvent::PaymentAuthorizationExpiring { .. } => "payment_authorization_expiring",
            OrderEvent::PaymentReauthorized { .. } => "payment_reauthorized",
            OrderEvent::PaymentRefunded { .. } => "payment_refunded",
            OrderEvent::ShipmentCreated { .. } => "shipment_created",
            OrderEvent::ShipmentPickingStarted { .. } => "shipment_picking_started",
            OrderEvent::ShipmentPacked { .. } => "shipment_packed",
            OrderEvent::ShipmentShipped { .. } => "shipment_shipped",
            OrderEvent::ShipmentInTransit { .. } => "shipment_in_transit",
            OrderEvent::ShipmentOutForDelivery { .. } => "shipment_out_for_delivery",
            OrderEvent::ShipmentDelivered { .. } => "shipment_delivered",
            OrderEvent::ShipmentException { .. } => "shipment_exception",
            OrderEvent::ShipmentExceptionResolved { .. } => "shipment_exception_resolved",
            OrderEvent::ShipmentLate { .. } => "shipment_late",
            OrderEvent::ShipmentReturnedToSender { .. } => "shipment_returned_to_sender",
            OrderEvent::ParcelReceivedBack { .. } => "parcel_received_back",
            OrderEvent::ShipmentCancelled { .. } => "shipment_cancelled",
            OrderEvent::ShipmentRejected { .. } => "shipment_rejected",
            OrderEvent::ShipmentAccepted { .. } => "shipment_accepted",
            OrderEvent::ShipmentUnitsRemoved { .. } => "shipment_units_removed",
            OrderEvent::ShipmentSplit { .. } => "shipment_split",
            OrderEvent::ShipmentsMerged { .. } => "shipments_merged",
            OrderEvent::LinesCancelled { .. } => "lines_cancelled",
            OrderEvent::LineAllocated { .. } => "line_allocated",
            OrderEvent::LineBackordered { .. } => "line_backordered",
            OrderEvent::LineDropshipped { .. } => "line_dropshipped",
            OrderEvent::ReturnRequested { .. } => "return_requested",
            OrderEvent::ReturnApproved { .. } => "return_approved",
            OrderEvent::ReturnRejected { .. } => "return_rejected",
            OrderEvent::ReturnReceived { .. } => "return_received",
            OrderEvent::ReturnRefunded { .. } => "return_refunded",
            OrderEvent::ReturnCancelled { .. } => "return_cancelled",
            OrderEvent::MessageSent { .. } => "message_sent",
            OrderEvent::MessageFailed { .. } => "message_failed",
            OrderEvent::ListedOnChannel { .. } => "listed_on_channel",
            OrderEvent::ChannelAcknowledged { .. } => "channel_acknowledged",
            OrderEvent::ChannelGaveUp { .. } => "channel_gave_up",
        }
    }

    /// Whether only the shop sees the event in an order's history: where the order is listed and
    /// what its channels were told are the shop's business, not the customer's.
    pub fn staff_only(&self) -> bool {
        matches!(
            self,
            OrderEvent::ListedOnChannel { .. }
                | OrderEvent::ChannelAcknowledged { .. }
                | OrderEvent::ChannelGaveUp { .. }
        )
    }

    /// The event as a customer's copy of the timeline carries it: a staff-only event keeps its
    /// place (a timeline folds only without gaps) as an acknowledgement that names nothing — no
    /// channel, webhook or event — and changes nothing when folded.
    pub fn for_customer(&self) -> OrderEvent {
        if self.staff_only() {
            OrderEvent::ChannelAcknowledged {
                channel: String::new(),
                webhook: String::new(),
                event: String::new(),
                attempt: 0,
            }
        } else {
            self.clone()
        }
    }

    /// The shipment an event concerns, if any.
    pub fn shipment(&self) -> Option<&str> {
        match self {
            OrderEvent::ShipmentCreated { shipment, .. }
            | OrderEvent::ShipmentPickingStarted { shipment }
            | OrderEvent::ShipmentPacked { shipment }
            | OrderEvent::ShipmentShipped { shipment, .. }
            | OrderEvent::ShipmentInTransit { shipment }
            | OrderEvent::ShipmentOutForDelivery { shipment }
            | OrderEvent::ShipmentDelivered { shipment }
            | OrderEvent::ShipmentException { shipment, .. }
            | OrderEvent::ShipmentExceptionResolved { shipment }
            | OrderEvent::ShipmentLate { shipment, .. }
            | OrderEvent::ShipmentReturnedToSender { shipment }
            | OrderEvent::ParcelReceivedBack { shipment, .. }
            | OrderEvent::ShipmentCancelled { shipment }
            | OrderEvent::ShipmentRejected { shipment, .. }
            | OrderEvent::ShipmentAccepted { shipment, .. }
            | OrderEvent::ShipmentUnitsRemoved { shipment, .. }
            | OrderEvent::ShipmentSplit { shipment, .. } => Some(shipment),
            OrderEvent::ShipmentsMerged { into, .. } => Some(into),
            _ => None,
        }
    }

    /// Every shipment an event changes: [`OrderEvent::shipment`], plus the new parcel of a split
    /// and the parcels a merge empties.
    pub fn shipments(&self) -> Vec<&str> {
        match self {
            OrderEvent::ShipmentSplit { shipment, into, .. } => vec![shipment, into],
            OrderEvent::ShipmentsMerged { into, from } => {
                std::iter::once(into.as_str()).chain(from.iter().map(String::as_str)).collect()
            }
            other => other.shipment().into_iter().collect(),
        }
    }
}

/// Everything an order starts with: the first event of every timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct PlacedOrder {
    pub id: OrderId,
    /// The shop's short, increasing number for the order (`#1042`), beside its id. Orders placed
    /// before there were numbers have none.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub number: Option<u32>,
    /// The sales channel the order came from (`web`, `pos`, `amazon`, …).
    pub channel: String,
    pub customer: Option<CustomerId>,
    pub email: Email,
    pub shipping_address: PostalAddress,
    pub currency: Currency,
    pub lines: Vec<PlacedLine>,
    pub totals: OrderTotals,
    /// The rate of the tax on shipping in basis points; orders placed before rates were kept
    /// have none.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub shipping_tax_rate_bp: Option<u32>,
    pub shipping_option: Option<String>,
    pub policy: OrderPolicy,
}

/// An order line as placed, with its paid amounts and where its units come from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct PlacedLine {
    pub sku: Sku,
    pub name: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub discount: Money,
    pub tax: Money,
    /// The rate of `tax` in basis points (825 = 8.25 %); orders placed before rates were kept
    /// have none.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tax_rate_bp: Option<u32>,
    /// What the customer pays for the whole line (after discount, with tax when exclusive).
    pub total: Money,
    /// Where the units come from; quantities add up to `quantity`.
    pub parts: Vec<PlacedPart>,
}

/// Some units of a line and their initial availability.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct PlacedPart {
    pub quantity: u32,
    pub availability: crate::lifecycle::LineAvailability,
}

/// The money of an order as placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct OrderTotals {
    pub subtotal: Money,
    pub discount: Money,
    pub shipping: Money,
    pub tax: Money,
    pub grand_total: Money,
}

/// Per-order settings fixed when it was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct OrderPolicy {
    /// Days after delivery within which a return may be requested.
    pub return_window_days: u16,
    /// Business days a parcel takes from dispatch with the chosen shipping option.
    pub transit_days: u16,
    /// Restocking fee on returned goods, in basis points.
    pub restocking_fee_bp: u32,
    /// Confirm the order when its payment is captured rather than authorized.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub confirm_on_capture: bool,
    /// When its money is captured (orders placed before there was a policy: as parcels ship).
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(as = "Option<CapturePolicy>", optional))]
    pub capture: CapturePolicy,
    /// A parcel whose capture is refused ships anyway and the order is flagged for staff, instead
    /// of not shipping.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub ship_when_capture_fails: bool,
    /// What happens to a dropship parcel's units when its supplier cannot send them (orders
    /// placed before there was a choice: cancelled and refunded).
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(as = "Option<crate::supplier::RejectedDropship>", optional))]
    pub rejected_dropship: crate::supplier::RejectedDropship,
}

/// What paid: never a card number, only the provider's token reference and what is safe to show.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct PaymentMethod {
    /// The payment provider's reference for the authorization.
    pub reference: String,
    pub brand: CardBrand,
    pub last4: Option<String>,
}

impl PaymentMethod {
    /// How the customer is told what they paid with, on every screen and in every message:
    /// `Visa ending in 4242`, or the brand alone (a wallet, no last digits).
    pub fn describe(&self) -> String {
        let brand = self.brand.name();
        match &self.last4 {
            Some(last4) => format!("{brand} ending in {last4}"),
            None => brand.to_owned(),
        }
    }
}

/// Where a shipment leaves from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum ShipmentSource {
    Location { location: LocationId },
    Supplier { supplier: String },
}

/// Some units of one order line in a shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct ShipmentLine {
    pub line: usize,
    pub quantity: u32,
}

/// Some units of one part of an order line, cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct CancelledUnits {
    pub line: usize,
    /// The index of the part in the line's availability (see [`PlacedLine::parts`]).
    pub part: usize,
    pub quantity: u32,
}

/// Some units of one order line, as a command names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct LineUnits {
    pub line: usize,
    pub quantity: u32,
}

/// Some units of one order line in a return, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct ReturnItem {
    pub line: usize,
    pub quantity: u32,
    pub reason: String,
}
