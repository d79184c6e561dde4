//! ordo-wasm: the browser's view of Ordo's rules. Each export converts JS input, calls `ordo-core`, converts back.
//!
//! Built as three modules, so that a page loads only what it uses: the storefront module
//! (`ordo-wasm`, feature `cart`: carts, totals, shipping options, address / e-mail / card checks),
//! the order module (`ordo-wasm/orders`, feature `orders`: order status, allowed actions) and the
//! message module (`ordo-wasm/messages`, feature `messages`: message previews). Each formats
//! money. `wasm/build` builds each alone; the default features build all into one (tests).
//!
//! # Layout
//! - this file: the module docs, the TypeScript declarations and `formatMoney` (in both modules).
//! - [`cart`]: the storefront module's exports.
//! - [`orders`]: the order module's exports.
//! - [`messages`]: the message module's exports.
//! - [`interop`]: all JS ↔ Rust conversion and the JS errors (each with a stable `code`).
//! - [`results`]: the storefront's cart results written to the wire by hand (keystroke rate).
//!
//! The codec under `interop` is the `ordo-wire` crate (`wasm/wire/`, specified in `wasm/wire/FORMAT.md`).
//!
//! No business rule lives here: validation, totals, status wording and allowed actions all
//! come from `ordo-core`, so the browser and the server give identical answers.

#[cfg(feature = "cart")]
mod cart;
mod interop;
#[cfg(feature = "messages")]
mod messages;
#[cfg(feature = "orders")]
mod orders;
#[cfg(feature = "cart")]
mod results;
#[cfg(test)]
mod wire_tests;

use ordo_core::locale::format_money;
use ordo_core::money::{Currency, Money};
use wasm_bindgen::prelude::*;

use interop::{ErrorCode, js_error};

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

/// Writes a date (`YYYY-MM-DD`) the way every screen and message of the shop does:
/// `formatDate("2026-12-15")` is `15 Dec 2026`, and with `"short"` (near dates) `Tue 15 Dec`.
/// Throws an `OrdoError` (`INVALID_DATE`) when `date` is not a calendar date.
#[wasm_bindgen(js_name = formatDate)]
pub fn format_date_js(
    date: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "\"long\" | \"short\"")] style: Option<String>,
) -> Result<String, JsValue> {
    let day = ordo_core::rfc3339::parse_date(date.trim()).map_err(|e| {
        js_error(ErrorCode::InvalidDate, &format!("date: \"{date}\" is not YYYY-MM-DD ({e})"))
    })?;
    match style.as_deref() {
        None | Some("long") => Ok(ordo_core::text::date(day)),
        Some("short") => Ok(ordo_core::text::short_date(day)),
        Some(other) => {
            Err(js_error(ErrorCode::InvalidInput, &format!("style: \"{other}\" is not long or short")))
        }
    }
}

/// Builds results without generating code from now on. By default this module builds each kind of
/// result object with a small function made once by `new Function` (much faster); a page whose
/// Content-Security-Policy forbids `'unsafe-eval'` gets the same objects built property by
/// property, and calling this first (right after `init()`) spares it the refused attempt, which
/// browsers report as a console error.
#[wasm_bindgen(js_name = avoidCodeGeneration)]
pub fn avoid_code_generation() {
    ordo_wire::avoid_code_generation();
}
