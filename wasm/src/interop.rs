//! All conversion between JS values and Rust types, and the JS errors (with a stable `code`) for bad input.

#[cfg(feature = "cart")]
use std::rc::Rc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use ordo_wire as wire;

/// The `code` of every error the package throws.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ErrorCode {
    /// The value does not have the documented shape (wrong type, missing field, bad SKU…).
    InvalidInput,
    UnknownCurrency,
    InvalidDate,
    /// The timeline does not replay (out of sequence, impossible transition).
    #[cfg_attr(not(feature = "orders"), allow(dead_code))]
    InvalidTimeline,
    /// A money amount that is not a safe whole number.
    InvalidAmount,
}

impl ErrorCode {
    fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::UnknownCurrency => "UNKNOWN_CURRENCY",
            ErrorCode::InvalidDate => "INVALID_DATE",
            ErrorCode::InvalidTimeline => "INVALID_TIMELINE",
            ErrorCode::InvalidAmount => "INVALID_AMOUNT",
        }
    }
}

/// A JS `Error` with `message` and a `code` property.
pub(crate) fn js_error(code: ErrorCode, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("OrdoError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code.as_str()));
    error.into()
}

/// Reads a plain JS object into `T`; the error names the argument and what was wrong.
/// (It does not name the path inside the argument: tracking paths doubled the size of every
/// deserializer, which the .wasm size budget cannot afford.)
pub(crate) fn from_js<T: DeserializeOwned>(value: &JsValue, argument: &str) -> Result<T, JsValue> {
    wire::from_js(value).map_err(|e| read_error(&e, argument))
}

/// [`from_js`] through a [`wire::Memo`]: the same content as last time is not parsed again.
#[cfg(feature = "cart")]
pub(crate) fn from_js_memo<T: DeserializeOwned>(
    memo: &wire::Memo<T>,
    value: &JsValue,
    argument: &str,
) -> Result<Rc<T>, JsValue> {
    memo.read(value).map_err(|e| read_error(&e, argument))
}

/// The JS error for a value that could not be read, with the code its message implies.
fn read_error(e: &wire::Error, argument: &str) -> JsValue {
    let inner = e.to_string();
    let code = if inner.starts_with("unknown currency code") {
        ErrorCode::UnknownCurrency
    } else if matches!(
        inner.as_str(),
        // ordo_core::rfc3339::DateParseError's messages.
        "input contains invalid characters"
            | "premature end of input"
            | "input is out of range"
            | "trailing input"
    ) {
        ErrorCode::InvalidDate
    } else {
        ErrorCode::InvalidInput
    };
    js_error(code, &format!("{argument}: {inner}"))
}

/// Writes `value` as plain JS objects; `None` becomes `null` (as in JSON), 64-bit integers numbers.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    wire::to_js(value).map_err(|e| js_error(ErrorCode::InvalidInput, &e.to_string()))
}

/// [`to_js`] for a cart result, written by hand (`crate::results`).
#[cfg(feature = "cart")]
pub(crate) fn to_js_direct<T: crate::results::Direct + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    wire::to_js_written(|w| value.write(w)).map_err(|e| js_error(ErrorCode::InvalidInput, &e.to_string()))
}

/// `undefined`/`null` → now; a `Date` → its instant; a string → RFC 3339 (`2026-11-27T12:00:00Z`).
pub(crate) fn now_from(value: JsValue) -> Result<DateTime<Utc>, JsValue> {
    let millis = if value.is_undefined() || value.is_null() {
        js_sys::Date::now()
    } else if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        date.get_time()
    } else if let Some(text) = value.as_string() {
        return ordo_core::rfc3339::parse_datetime(text.trim()).map_err(|e| {
            js_error(ErrorCode::InvalidDate, &format!("now: \"{text}\" is not an RFC 3339 date-time ({e})"))
        });
    } else {
        return Err(js_error(
            ErrorCode::InvalidDate,
            "now: expected an ISO 8601 string, a Date or undefined",
        ));
    };
    if !millis.is_finite() {
        return Err(js_error(ErrorCode::InvalidDate, "now: the Date is invalid"));
    }
    DateTime::from_timestamp_millis(millis as i64)
        .ok_or_else(|| js_error(ErrorCode::InvalidDate, "now: the Date is out of range"))
}

/// Minor units from a JS number (a safe integer) or a bigint.
pub(crate) fn minor_units(value: JsValue) -> Result<i64, JsValue> {
    if let Some(n) = value.as_f64() {
        const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
        if n.fract() == 0.0 && n.abs() <= MAX_SAFE {
            return Ok(n as i64);
        }
        return Err(js_error(ErrorCode::InvalidAmount, "minor: expected a whole number of minor units"));
    }
    if value.is_bigint() {
        return i64::try_from(value)
            .map_err(|_| js_error(ErrorCode::InvalidAmount, "minor: the bigint is out of range"));
    }
    Err(js_error(ErrorCode::InvalidAmount, "minor: expected a number or a bigint"))
}

/// The order a timeline (as the API returns it) replays to; a timeline that does not replay is
/// `INVALID_TIMELINE`.
#[cfg(any(feature = "orders", feature = "messages"))]
pub(crate) fn order_from(timeline: JsValue) -> Result<ordo_core::order::Order, JsValue> {
    let entries: Vec<ordo_core::order::TimelineEntry> = from_js(&timeline, "timeline")?;
    ordo_core::order::Order::from_timeline(&entries)
        .map_err(|e| js_error(ErrorCode::InvalidTimeline, &e.to_string()))
}
