//! The storefront module's exports (`ordo-wasm`): carts, their totals, and the checkout form's checks and choices.

use std::rc::Rc;

use ordo_core::card::check_card;
use ordo_core::cart::{self, Cart, CartCheck, Issue, Rules};
use ordo_core::catalog::Catalog;
use ordo_core::values::{AddressInput, CountryCode, Email, PostalAddress};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::interop::{from_js, from_js_memo, now_from, to_js, to_js_direct};
use ordo_wire::Memo;

/// Validates a cart against a catalog snapshot and the shop's rules: totals and every issue.
/// `now` (ISO 8601 string or `Date`, default: the current time) decides coupon validity and
/// backorder dates. Throws an `OrdoError` when the input does not have the documented shape.
#[wasm_bindgen(js_name = validateCart, unchecked_return_type = "CartCheck")]
pub fn validate_cart(
    #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Catalog")] catalog: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Rules")] rules: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | Date")] now: JsValue,
) -> Result<JsValue, JsValue> {
    let (catalog, rules) = shop(&catalog, &rules)?;
    to_js_direct(&check(&cart, &catalog, &rules, now)?)
}

/// `cart` read from JS and checked by ordo-core against `catalog` and `rules` at `now`.
fn check(cart: &JsValue, catalog: &Catalog, rules: &Rules, now: JsValue) -> Result<CartCheck, JsValue> {
    let cart: Cart = from_js(cart, "cart")?;
    Ok(cart::validate(&cart, catalog, rules, now_from(now)?))
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
    #[wasm_bindgen(unchecked_optional_param_type = "string | Date")] now: JsValue,
) -> Result<JsValue, JsValue> {
    let (catalog, rules) = shop(&catalog, &rules)?;
    to_js_direct(&check(&cart, &catalog, &rules, now)?.totals)
}

/// The shipping options the shop's `rules` offer to `country` (an ISO 3166-1 alpha-2 code, any case),
/// the default first: a checkout form's choices. Empty when the shop does not ship there. Throws an
/// `OrdoError` when `country` is not an assigned code or `rules` do not have the documented shape.
/// The rules are remembered as `validateCart` remembers them.
#[wasm_bindgen(js_name = shippingOptions, unchecked_return_type = "Array<ShippingOption>")]
pub fn shipping_options(
    #[wasm_bindgen(unchecked_param_type = "string")] country: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Rules")] rules: JsValue,
) -> Result<JsValue, JsValue> {
    let country: CountryCode = from_js(&country, "country")?;
    let rules = RULES.with(|memo| from_js_memo(memo, &rules, "rules"))?;
    to_js(rules.shipping_options(&country))
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
        #[wasm_bindgen(unchecked_optional_param_type = "string | Date")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        to_js_direct(&check(&cart, &self.catalog, &self.rules, now)?)
    }

    /// The date `quantity` (1 when absent) backordered units of `sku` are promised for when
    /// ordered at `now` (the day the open purchase order bringing the last of them arrives, else
    /// the lead time), as `YYYY-MM-DD`; `null` when the SKU is unknown or not sold on backorder.
    /// The same date the cart and the order then show.
    #[wasm_bindgen(js_name = backorderPromise, unchecked_return_type = "string | null")]
    pub fn backorder_promise(
        &self,
        sku: &str,
        #[wasm_bindgen(unchecked_optional_param_type = "string | Date")] now: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] quantity: JsValue,
    ) -> Result<JsValue, JsValue> {
        let today = now_from(now)?.date_naive();
        let quantity: u32 = if quantity.is_undefined() || quantity.is_null() {
            1
        } else {
            from_js::<u32>(&quantity, "quantity")?.max(1)
        };
        let promised = self.catalog.find(sku.trim()).and_then(|item| item.backorder_promise(today, quantity));
        Ok(promised.map_or(JsValue::NULL, |d| JsValue::from_str(&ordo_core::rfc3339::format_date(d))))
    }

    /// `cartTotals(cart, catalog, rules, now)` with this validator's catalog and rules.
    #[wasm_bindgen(unchecked_return_type = "Totals | null")]
    pub fn totals(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Cart")] cart: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | Date")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        to_js_direct(&check(&cart, &self.catalog, &self.rules, now)?.totals)
    }
}

/// Checks a shipping address: required fields, country code, postcode format, phone.
#[wasm_bindgen(js_name = checkAddress, unchecked_return_type = "AddressCheck")]
pub fn check_address(
    #[wasm_bindgen(unchecked_param_type = "AddressInput")] address: JsValue,
) -> Result<JsValue, JsValue> {
    let input: AddressInput = from_js(&address, "address")?;
    to_js(&AddressCheck::from(cart::check_address(&input, "")))
}

/// Checks an e-mail address.
#[wasm_bindgen(js_name = checkEmail, unchecked_return_type = "EmailCheck")]
pub fn check_email(email: &str) -> Result<JsValue, JsValue> {
    to_js(&EmailCheck::from(cart::check_email(email, "email")))
}

/// A hint for a checkout form: Luhn check digit, card brand and expiry. The number is only
/// looked at here, in the browser; it must go to the payment provider, never to Ordo.
#[wasm_bindgen(js_name = checkCard, unchecked_return_type = "CardCheck")]
pub fn check_card_js(
    number: &str,
    #[wasm_bindgen(js_name = expMonth)] exp_month: u32,
    #[wasm_bindgen(js_name = expYear)] exp_year: u32,
    #[wasm_bindgen(unchecked_optional_param_type = "string | Date")] now: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(&check_card(number, exp_month, exp_year, now_from(now)?.date_naive()))
}

/// What `checkAddress` returns.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AddressCheck {
    ok: bool,
    address: Option<PostalAddress>,
    issues: Vec<Issue>,
}

impl From<Result<PostalAddress, Vec<Issue>>> for AddressCheck {
    fn from(result: Result<PostalAddress, Vec<Issue>>) -> Self {
        match result {
            Ok(address) => AddressCheck { ok: true, address: Some(address), issues: Vec::new() },
            Err(issues) => AddressCheck { ok: false, address: None, issues },
        }
    }
}

/// What `checkEmail` returns.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EmailCheck {
    ok: bool,
    email: Option<Email>,
    issues: Vec<Issue>,
}

impl From<Result<Email, Issue>> for EmailCheck {
    fn from(result: Result<Email, Issue>) -> Self {
        match result {
            Ok(email) => EmailCheck { ok: true, email: Some(email), issues: Vec::new() },
            Err(issue) => EmailCheck { ok: false, email: None, issues: vec![issue] },
        }
    }
}
