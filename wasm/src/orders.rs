//! The order module's exports (`ordo-wasm/orders`): what a tracking page and a staff screen show of an order.

use ordo_core::messages::{Letterhead, Notice, render};
use ordo_core::order::{Order, Role, TimelineEntry, allowed_actions};
use ordo_core::status::status_view;
use wasm_bindgen::prelude::*;

use crate::interop::{ErrorCode, from_js, js_error, now_from, to_js};

/// What the customer sees about an order (headline, detail, steps, tone, expected date),
/// from its timeline as the API returns it. The same wording as Ordo's e-mails.
#[wasm_bindgen(js_name = orderStatusView, unchecked_return_type = "StatusView")]
pub fn order_status_view(
    #[wasm_bindgen(unchecked_param_type = "Array<TimelineEntry>")] timeline: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | Date")] now: JsValue,
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
    #[wasm_bindgen(unchecked_optional_param_type = "string | Date")] now: JsValue,
) -> Result<JsValue, JsValue> {
    let order = order_from(timeline)?;
    let role: Role = from_js(&role, "role")?;
    to_js(&allowed_actions(&order, &role, now_from(now)?))
}

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

fn order_from(timeline: JsValue) -> Result<Order, JsValue> {
    let entries: Vec<TimelineEntry> = from_js(&timeline, "timeline")?;
    Order::from_timeline(&entries).map_err(|e| js_error(ErrorCode::InvalidTimeline, &e.to_string()))
}
