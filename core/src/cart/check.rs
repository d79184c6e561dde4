//! The result of validating a cart: totals per line and for the cart, and every issue found.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::money::Money;
use crate::values::{Quantity, Sku};

/// The verdict on a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct CartCheck {
    /// True when no issue has [`Severity::Error`]: the cart may be checked out.
    pub ok: bool,
    /// Absent only when nothing can be added up (unknown currency, amounts out of range).
    pub totals: Option<Totals>,
    /// Every issue, in cart order: cart, lines, coupons, address, contact, shipping.
    pub issues: Vec<Issue>,
}

impl CartCheck {
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }
}

/// Whether an issue blocks checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum Severity {
    /// Blocks checkout until fixed.
    Error,
    /// Informs (a backordered line and its promised date); checkout may proceed.
    Warning,
}

/// One thing wrong with (or worth knowing about) a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct Issue {
    /// Stable machine code; never changes meaning once released.
    pub code: IssueCode,
    /// Where in the cart, in wire names: `lines[2].quantity`, `shippingAddress.postalCode`, `coupons[0]`.
    pub path: String,
    pub severity: Severity,
    /// An English sentence for the customer.
    pub message: String,
}

/// The stable codes of cart issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum IssueCode {
    CurrencyUnknown,
    CartEmpty,
    CartTooManyLines,
    InvalidSku,
    InvalidQuantity,
    DuplicateLine,
    UnknownSku,
    InactiveProduct,
    CurrencyMismatch,
    QtyBelowMin,
    QtyAboveMax,
    OutOfStock,
    Backordered,
    Dropshipped,
    CouponUnknown,
    CouponDuplicate,
    CouponNotYetValid,
    CouponExpired,
    CouponMinSubtotal,
    CouponNotStackable,
    CouponCurrencyMismatch,
    AddressRequired,
    AddressMissingField,
    AddressFieldTooLong,
    AddressInvalidCountry,
    AddressInvalidPostcode,
    PhoneInvalid,
    CardNumberInText,
    EmailRequired,
    EmailInvalid,
    ShippingUnavailable,
    ShippingOptionUnknown,
    ShippingWeightExceeded,
    ShippingCurrencyMismatch,
    TotalOutOfRange,
}

impl IssueCode {
    /// The code as it appears on the wire (`QTY_ABOVE_MAX`).
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::CurrencyUnknown => "CURRENCY_UNKNOWN",
            IssueCode::CartEmpty => "CART_EMPTY",
            IssueCode::CartTooManyLines => "CART_TOO_MANY_LINES",
            IssueCode::InvalidSku => "INVALID_SKU",
            IssueCode::InvalidQuantity => "INVALID_QUANTITY",
            IssueCode::DuplicateLine => "DUPLICATE_LINE",
            IssueCode::UnknownSku => "UNKNOWN_SKU",
            IssueCode::InactiveProduct => "INACTIVE_PRODUCT",
            IssueCode::CurrencyMismatch => "CURRENCY_MISMATCH",
            IssueCode::QtyBelowMin => "QTY_BELOW_MIN",
            IssueCode::QtyAboveMax => "QTY_ABOVE_MAX",
            IssueCode::OutOfStock => "OUT_OF_STOCK",
            IssueCode::Backordered => "BACKORDERED",
            IssueCode::Dropshipped => "DROPSHIPPED",
            IssueCode::CouponUnknown => "COUPON_UNKNOWN",
            IssueCode::CouponDuplicate => "COUPON_DUPLICATE",
            IssueCode::CouponNotYetValid => "COUPON_NOT_YET_VALID",
            IssueCode::CouponExpired => "COUPON_EXPIRED",
            IssueCode::CouponMinSubtotal => "COUPON_MIN_SUBTOTAL",
            IssueCode::CouponNotStackable => "COUPON_NOT_STACKABLE",
            IssueCode::CouponCurrencyMismatch => "COUPON_CURRENCY_MISMATCH",
            IssueCode::AddressRequired => "ADDRESS_REQUIRED",
            IssueCode::AddressMissingField => "ADDRESS_MISSING_FIELD",
            IssueCode::AddressFieldTooLong => "ADDRESS_FIELD_TOO_LONG",
            IssueCode::AddressInvalidCountry => "ADDRESS_INVALID_COUNTRY",
            IssueCode::AddressInvalidPostcode => "ADDRESS_INVALID_POSTCODE",
            IssueCode::PhoneInvalid => "PHONE_INVALID",
            IssueCode::CardNumberInText => "CARD_NUMBER_IN_TEXT",
            IssueCode::EmailRequired => "EMAIL_REQUIRED",
            IssueCode::EmailInvalid => "EMAIL_INVALID",
            IssueCode::ShippingUnavailable => "SHIPPING_UNAVAILABLE",
            IssueCode::ShippingOptionUnknown => "SHIPPING_OPTION_UNKNOWN",
            IssueCode::ShippingWeightExceeded => "SHIPPING_WEIGHT_EXCEEDED",
            IssueCode::ShippingCurrencyMismatch => "SHIPPING_CURRENCY_MISMATCH",
            IssueCode::TotalOutOfRange => "TOTAL_OUT_OF_RANGE",
        }
    }
}

/// What a cart costs. In tax-exclusive pricing `grand_total = subtotal − discount + shipping + tax`;
/// in tax-inclusive pricing `tax` is the part of the other amounts that is tax and
/// `grand_total = subtotal − discount + shipping`. Either way the line totals plus shipping
/// (plus shipping tax when exclusive) equal the grand total to the minor unit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct Totals {
    pub prices_include_tax: bool,
    pub subtotal: Money,
    /// Sum of all applied coupon discounts on goods, never more than the subtotal.
    pub discount: Money,
    pub shipping: Money,
    /// Tax on shipping (part of `tax`).
    pub shipping_tax: Money,
    /// The rate of `shipping_tax`, in basis points (825 = 8.25 %); 0 without a destination.
    pub shipping_tax_rate_bp: u32,
    /// All tax: lines and shipping.
    pub tax: Money,
    pub grand_total: Money,
    pub weight_grams: u64,
    /// Codes of the coupons that were applied, as configured in the rules.
    pub coupons: Vec<String>,
    /// The shipping option priced, when a destination is known.
    pub shipping_option: Option<String>,
    /// Priced lines (lines with an unknown SKU, a bad quantity or another currency are left out).
    pub lines: Vec<LineTotals>,
}

/// One priced line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct LineTotals {
    /// Position of the line in the cart.
    pub index: usize,
    pub sku: Sku,
    // The catalog item's name, shared with it rather than copied.
    pub name: Arc<str>,
    pub quantity: Quantity,
    pub unit_price: Money,
    /// `unit_price × quantity`.
    pub subtotal: Money,
    /// This line's share of the order discount (largest remainder by subtotal).
    pub discount: Money,
    pub tax: Money,
    /// The rate of `tax`, in basis points (825 = 8.25 %); 0 without a destination.
    pub tax_rate_bp: u32,
    /// `subtotal − discount (+ tax when prices exclude tax)`.
    pub total: Money,
    pub fulfilment: Fulfilment,
}

/// How a line will be served, as far as the catalog snapshot tells.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum Fulfilment {
    InStock,
    /// `quantity` units wait for stock that is promised for `promised`.
    Backorder {
        quantity: u32,
        #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::date"))]
        #[cfg_attr(feature = "ts", ts(as = "NaiveDate"))]
        promised: NaiveDate,
    },
    /// `quantity` units ship from `supplier`.
    Dropship {
        quantity: u32,
        supplier: String,
    },
    /// More than available under a deny policy; the line cannot be bought as is.
    Unavailable {
        available: u32,
    },
}
