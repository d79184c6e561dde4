//! The order module's exports (`ordo-wasm/orders`): what a tracking page and a staff screen show of an order.

use ordo_core::order::{Role, allowed_actions};
use ordo_core::status::status_view;
use wasm_bindgen::prelude::*;

use crate::interop::{from_js, now_from, order_from, to_js};

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
