//! The message module's exports (`ordo-wasm/messages`): the e-mails Ordo sends, previewed in the
//! browser. Its own module, so that pages showing orders do not load every message's words.

use ordo_core::messages::{Letterhead, Notice, render};
use wasm_bindgen::prelude::*;

use crate::interop::{ErrorCode, from_js, js_error, now_from, order_from, to_js};

/// The e-mail Ordo sends for `notice` about the order at the end of `timeline` (subject, plain
/// text and HTML), written at `now`: what a shop previews before it sends. The same function the
/// gateway's dispatcher renders with.
#[wasm_bindgen(js_name = renderMessage, unchecked_return_type = "Message")]
pub fn render_message(
    #[wasm_bindgen(unchecked_param_type = "Array<TimelineEntry>")] timeline: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Notice")] notice: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Letterhead")] letterhead: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | Date")] now: JsValue,
) -> Result<JsValue, JsValue> {
    let order = order_from(timeline)?;
    let notice: Notice = from_js(&notice, "notice")?;
    let letterhead: Letterhead = from_js(&letterhead, "letterhead")?;
    let message = render(&order, &notice, &letterhead, now_from(now)?)
        .map_err(|e| js_error(ErrorCode::InvalidInput, &e.to_string()))?;
    to_js(&message)
}
