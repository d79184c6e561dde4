//! Ordo's domain: every business rule of the order management system, with no I/O.
//!
//! # Layout
//! - [`money`]: integer minor units + ISO 4217 currency, checked arithmetic, exact splits.
//! - [`values`]: parsed newtypes (`Sku`, `Quantity`, `Email`, `PostalAddress`, …).
//! - [`catalog`]: the per-SKU snapshot validation and allocation read.

pub mod catalog;
pub mod money;
pub mod values;

pub use money::{Currency, Money, MoneyError};
