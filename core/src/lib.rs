//! Ordo's domain: every business rule of the order management system, with no I/O.
//!
//! # Layout
//! - [`money`]: integer minor units + ISO 4217 currency, checked arithmetic, exact splits.
//! - [`values`]: parsed newtypes (`Sku`, `Quantity`, `Email`, `PostalAddress`, …).
//! - [`catalog`]: the per-SKU snapshot validation and allocation read.
//! - [`cart`]: cart validation and totals (coupons, shipping, tax).
//! - [`lifecycle`]: the order, payment, shipment, line-availability and return state machines.
//! - [`allocation`]: which stock location serves which line, with backorder/dropship fallback.
//! - [`refund`]: return eligibility and refund amounts.
//! - [`purchasing`]: stock adjustments and purchase orders by hand: how many units, when expected.
//! - [`carrier`]: the shop's carriers, their tracking-number formats, check digits and tracking pages.
//! - [`channel`]: sales channels: their settings, what each is told of an order (webhook payloads), how far behind one is.
//! - [`barcode`]: Code 128 barcodes for labels.
//! - [`tracking`]: carrier tracking statuses and the parcel transition the newest report implies.
//! - [`review`]: who may review an order line or answer the feedback survey; ratings, scores and text limits.
//! - [`order`]: the order aggregate: commands checked into timeline events, events folded into state.
//! - [`calendar`]: business-day arithmetic for promised and expected dates.
//! - [`card`]: card number hints for checkout forms (Luhn, brand, expiry); never stored.
//! - [`locale`]: money formatted per locale for people.
//! - [`status`]: the customer-facing status view and list summary, derived from the machines.
//! - [`messages`]: what the customer is told and when: notices from events, their words, retries.
//! - [`text`]: English wording helpers (dates, counts) shared by messages.
//! - [`rfc3339`]: dates and date-times as wire text (RFC 3339), without chrono's format machinery.

pub mod allocation;
pub mod barcode;
pub mod calendar;
pub mod card;
pub mod carrier;
pub mod cart;
pub mod catalog;
pub mod channel;
pub mod lifecycle;
pub mod locale;
pub mod messages;
pub mod money;
pub mod order;
pub mod promise;
pub mod purchasing;
pub mod refund;
pub mod review;
pub mod rfc3339;
pub mod status;
pub mod supplier;
pub mod text;
pub mod tracking;
pub mod values;

pub use money::{Currency, Money, MoneyError};
