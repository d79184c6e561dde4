//! Cart validation: parse a raw cart against the catalog and the shop's rules into totals and issues.
//!
//! [`validate`] is the one function the browser (through ordo-wasm) and the gateway both call,
//! so they can never disagree about what a cart costs or why it cannot be checked out.

mod check;
mod contact;
mod rules;
mod validate;

pub use check::{CartCheck, Fulfilment, Issue, IssueCode, LineTotals, Severity, Totals};
pub use contact::{check_address, check_email};
pub use rules::{
    Coupon, CouponDiscount, ReturnPolicy, Rules, ShippingOption, ShippingRate, ShippingZone, TaxRate,
    TaxRules, WeightBand,
};
pub use validate::validate;

use crate::values::AddressInput;

/// A cart as the customer built it: raw, unvalidated values straight from a form or an API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", default)
)]
pub struct Cart {
    /// ISO 4217 code of the currency the customer pays in.
    pub currency: String,
    pub lines: Vec<CartLine>,
    /// Coupon codes in the order they were entered (matched case-insensitively).
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
    pub coupons: Vec<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub shipping_address: Option<AddressInput>,
    /// Code of the chosen shipping option; the zone's first option when absent.
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub shipping_option: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub email: Option<String>,
    #[cfg_attr(feature = "ts", ts(as = "Option<CartStage>", optional))]
    pub stage: CartStage,
}

/// One line of a [`Cart`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", default)
)]
pub struct CartLine {
    pub sku: String,
    pub quantity: i64,
}

/// How far the customer is: browsing tolerates a missing address and e-mail, checkout does not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum CartStage {
    #[default]
    Browse,
    Checkout,
}

#[cfg(test)]
mod tests;
