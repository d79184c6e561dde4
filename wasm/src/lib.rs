//! ordo-wasm: the browser's view of Ordo's rules. Each export converts JS input, calls `ordo-core`, converts back.
//!
//! # Layout
//! - this file: the exported functions (camelCase in JS), one per core entry point.
//! - [`interop`]: all JS ↔ Rust conversion and the JS errors (each with a stable `code`).
//! - [`wire`]: the codec under `interop`: one compact string per crossing (`wire/codec.js` is its JS half).
//!
//! No business rule lives here: validation, totals, status wording and allowed actions all
//! come from `ordo-core`, so the browser and the server give identical answers.

mod interop;
mod wire;

use std::rc::Rc;

use ordo_core::card::check_card;
use ordo_core::cart::{self, Cart, Rules};
use ordo_core::catalog::Catalog;
use ordo_core::locale::format_money;
use ordo_core::money::{Currency, Money};
use ordo_core::order::{Order, Role, TimelineEntry, allowed_actions};
use ordo_core::status::status_view;
use ordo_core::values::AddressInput;
use wasm_bindgen::prelude::*;

use interop::{ErrorCode, from_js, from_js_memo, js_error, now_from, to_js};
use wire::Memo;

/// The TypeScript declarations of every wire type, generated from the Rust types
/// (`wasm/tests/types.rs` fails when this file is stale).
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("../types/ordo-core.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const RESULT_TYPES: &'static str = r#"
/** The result of `checkAddress`: the normalised address when valid, otherwise every issue. */
export type AddressCheck = { ok: boolean, address: PostalAddress | null, issues: Array<Issue> };
/** The result of `checkEmail`: the normalised address when valid, otherwise the issue. */
export type EmailCheck = { ok: boolean, email: string | null, issues: Array<Issue> };
/** A JS `Error` thrown by every function on bad input, with a stable machine code. */
export type OrdoError = Error & { code: "INVALID_INPUT" | "UNKNOWN_CURRENCY" | "INVALID_DATE" | "INVALID_TIMELINE" | "INVALID_AMOUNT" };
"#;

/// Validates a cart against a catalog snapshot and the shop's rules: totals and every issue.
/// `now` (ISO 8601 string or `Date`, default: the current time) decides coupon validity and
/// backorder dates. Throws an `OrdoError` when the input does not have the documented shape.
#[wasm_bindgen(js_name = validateCart, unchecked_return_type = "CartCheck")]
pub fn validate_cart(
    #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Catalog")] catalog: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Rules")] rules: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Date | undefined")] now: JsValue,
) -> Result<JsValue, JsValue> {
    let cart: Cart = from_js(&cart, "cart")?;
    let (catalog, rules) = shop(&catalog, &rules)?;
    to_js(&cart::validate(&cart, &catalog, &rules, now_from(now)?))
}

thread_local! {
    /// The last catalog `validateCart` and `cartTotals` read, kept so that the next call with the
    /// same content (the usual case: one shop, many carts) does not parse it again.
    static CATALOG: Memo<Catalog> = const { Memo::new(0) };
    /// The last rules read, likewise.
    static RULES: Memo<Rules> = const { Memo::new(1) };
}

/// The catalog and rules, parsed or, when their content is what the last call passed, remembered.
/// Compared by content, so a catalog changed in place is read again.
fn shop(catalog: &JsValue, rules: &JsValue) -> Result<(Rc<Catalog>, Rc<Rules>), JsValue> {
    let catalog = CATALOG.with(|memo| from_js_memo(memo, catalog, "catalog"))?;
    let rules = RULES.with(|memo| from_js_memo(memo, rules, "rules"))?;
    Ok((catalog, rules))
}

/// The totals of a cart (what `validateCart` returns as `totals`), for recomputing while the user types.
/// `null` when nothing can be priced (unknown currency).
#[wasm_bindgen(js_name = cartTotals, unchecked_return_type = "Totals | null")]
pub fn cart_totals(
    #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Catalog")] catalog: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Rules")] rules: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Date | undefined")] now: JsValue,
) -> Result<JsValue, JsValue> {
    let cart: Cart = from_js(&cart, "cart")?;
    let (catalog, rules) = shop(&catalog, &rules)?;
    to_js(&cart::validate(&cart, &catalog, &rules, now_from(now)?).totals)
}

/// A catalog and rules parsed once, for validating the same shop's carts again and again (on every
/// keystroke): only the cart crosses from JS on each call.
#[wasm_bindgen]
#[derive(Debug)]
pub struct CartValidator {
    /// The catalog snapshot, parsed.
    catalog: Catalog,
    /// The shop's rules, parsed.
    rules: Rules,
}

#[wasm_bindgen]
impl CartValidator {
    /// Parses `catalog` and `rules` (throws an `OrdoError` when they do not have the documented shape).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Catalog")] catalog: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Rules")] rules: JsValue,
    ) -> Result<CartValidator, JsValue> {
        Ok(CartValidator { catalog: from_js(&catalog, "catalog")?, rules: from_js(&rules, "rules")? })
    }

    /// `validateCart(cart, catalog, rules, now)` with this validator's catalog and rules.
    #[wasm_bindgen(unchecked_return_type = "CartCheck")]
    pub fn validate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Date | undefined")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let cart: Cart = from_js(&cart, "cart")?;
        to_js(&cart::validate(&cart, &self.catalog, &self.rules, now_from(now)?))
    }

    /// `cartTotals(cart, catalog, rules, now)` with this validator's catalog and rules.
    #[wasm_bindgen(unchecked_return_type = "Totals | null")]
    pub fn totals(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Date | undefined")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let cart: Cart = from_js(&cart, "cart")?;
        to_js(&cart::validate(&cart, &self.catalog, &self.rules, now_from(now)?).totals)
    }
}

/// What the customer sees about an order (headline, detail, steps, tone, expected date),
/// from its timeline as the API returns it. The same wording as Ordo's e-mails.
#[wasm_bindgen(js_name = orderStatusView, unchecked_return_type = "StatusView")]
pub fn order_status_view(
    #[wasm_bindgen(unchecked_param_type = "Array<TimelineEntry>")] timeline: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Date | undefined")] now: JsValue,
) -> Result<JsValue, JsValue> {
    let order = order_from(timeline)?;
    to_js(&status_view(&order, now_from(now)?))
}

/// The commands `role` may issue on the order now (a staff UI greys out the rest), computed by
/// the same state machines the server enforces.
#[wasm_bindgen(js_name = allowedActions, unchecked_return_type = "Array<Action>")]
pub fn allowed_actions_js(
    #[wasm_bindgen(unchecked_param_type = "Array<TimelineEntry>")] timeline: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Role")] role: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Date | undefined")] now: JsValue,
) -> Result<JsValue, JsValue> {
    let order = order_from(timeline)?;
    let role: Role = from_js(&role, "role")?;
    to_js(&allowed_actions(&order, &role, now_from(now)?))
}

fn order_from(timeline: JsValue) -> Result<Order, JsValue> {
    let entries: Vec<TimelineEntry> = from_js(&timeline, "timeline")?;
    Order::from_timeline(&entries).map_err(|e| js_error(ErrorCode::InvalidTimeline, &e.to_string()))
}

/// Checks a shipping address: required fields, country code, postcode format, phone.
#[wasm_bindgen(js_name = checkAddress, unchecked_return_type = "AddressCheck")]
pub fn check_address(
    #[wasm_bindgen(unchecked_param_type = "AddressInput")] address: JsValue,
) -> Result<JsValue, JsValue> {
    let input: AddressInput = from_js(&address, "address")?;
    to_js(&interop::AddressCheck::from(cart::check_address(&input, "")))
}

/// Checks an e-mail address.
#[wasm_bindgen(js_name = checkEmail, unchecked_return_type = "EmailCheck")]
pub fn check_email(email: &str) -> Result<JsValue, JsValue> {
    to_js(&interop::EmailCheck::from(cart::check_email(email, "email")))
}

/// A hint for a checkout form: Luhn check digit, card brand and expiry. The number is only
/// looked at here, in the browser; it must go to the payment provider, never to Ordo.
#[wasm_bindgen(js_name = checkCard, unchecked_return_type = "CardCheck")]
pub fn check_card_js(
    number: &str,
    #[wasm_bindgen(js_name = expMonth)] exp_month: u32,
    #[wasm_bindgen(js_name = expYear)] exp_year: u32,
    #[wasm_bindgen(unchecked_param_type = "string | Date | undefined")] now: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(&check_card(number, exp_month, exp_year, now_from(now)?.date_naive()))
}

/// Formats minor units of a currency for people: `formatMoney(123456, "EUR", "de-DE")` is `1.234,56 €`.
/// `locale` defaults to `en-US`.
#[wasm_bindgen(js_name = formatMoney)]
pub fn format_money_js(
    #[wasm_bindgen(unchecked_param_type = "number | bigint")] minor: JsValue,
    currency: &str,
    locale: Option<String>,
) -> Result<String, JsValue> {
    let amount = interop::minor_units(minor)?;
    let currency =
        Currency::parse(currency).map_err(|e| js_error(ErrorCode::UnknownCurrency, &e.to_string()))?;
    Ok(format_money(Money::new(amount, currency), locale.as_deref().unwrap_or("en-US")))
}
