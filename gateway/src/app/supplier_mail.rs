//! Suppliers' e-mail (a `webhook` row with `via = 'mail'`, claimed by the dispatcher): a dropship
//! request for each parcel that became a supplier's to send, and each purchase order that
//! restocks the shop as it is sent, changed or cancelled; each with a link to the supplier's
//! portal and the purchase order as a PDF.

use ordo_core::messages::{render_dropship_request, render_purchase_order};
use ordo_core::purchasing::{PoNotice, PurchaseOrderData};
use ordo_core::supplier::{purchase_order_number, request_data};

use crate::app::App;
use crate::app::access::Actor;
use crate::app::error::ApiError;
use crate::app::mail::{Attachment, Mailer, SendError};
use crate::app::webhooks::Answer;
use crate::store::channels::WebhookRow;
use crate::store::suppliers::SupplierRow;

/// How long the portal link in a request mail lets the supplier in.
const PORTAL_LINK_DAYS: i64 = 14;

/// Sends supplier mail `row`: a purchase order's notice, or a dropship request.
pub(crate) async fn send_supplier_mail(app: &App, row: &WebhookRow) -> Answer {
    match PoNotice::from_event_type(&row.event_type) {
        Some(notice) => send_purchase_order_mail(app, row, notice).await,
        None => send_request_mail(app, row).await,
    }
}

/// The mailer, the supplier of mail `row` as it is set now, the address to write to and the
/// portal link (a supplier token valid [`PORTAL_LINK_DAYS`]); an [`Answer`] when it cannot be
/// written to.
async fn addressee<'a>(
    app: &'a App,
    row: &WebhookRow,
) -> Result<(&'a Mailer, SupplierRow, String, String), Answer> {
    let refused = |error: &str| Answer::Refused { error: error.to_owned() };
    let Some(mailer) = app.mailer() else {
        return Err(Answer::Failed { status: None, error: "this gateway sends no e-mail".into() });
    };
    let Some(code) = row.channel.strip_prefix("supplier:") else { return Err(refused("not a supplier's")) };
    let supplier = match app.store().supplier(code).await {
        Ok(Some(s)) if s.active => s,
        Ok(_) => return Err(refused("the supplier takes no requests now")),
        Err(e) => return Err(Answer::Failed { status: None, error: e.to_string() }),
    };
    let Some(to) = supplier.email.clone() else {
        return Err(refused("the supplier has no e-mail address now"));
    };
    let portal = match app.keys().mint(
        &Actor::Supplier { supplier: code.to_owned() },
        "supplier",
        chrono::Duration::days(PORTAL_LINK_DAYS),
    ) {
        Ok(token) => {
            format!("{}/#/supplier?token={token}", mailer.settings().public_url.trim_end_matches('/'))
        }
        Err(e) => return Err(Answer::Failed { status: None, error: e }),
    };
    Ok((mailer, supplier, to, portal))
}

/// Sends purchase order mail `row` to its supplier: the order as it was when the change was
/// written (the webhook's body), in ordo-core's words, with the PDF.
async fn send_purchase_order_mail(app: &App, row: &WebhookRow, notice: PoNotice) -> Answer {
    let (mailer, supplier, to, portal) = match addressee(app, row).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let po = serde_json::from_str::<serde_json::Value>(&row.payload_json)
        .ok()
        .and_then(|v| serde_json::from_value::<PurchaseOrderData>(v["data"].clone()).ok());
    let Some(po) = po else { return Answer::Refused { error: "not a purchase order".into() } };
    let settings = mailer.settings();
    let message =
        render_purchase_order(&settings.shop_name, &supplier.name, &po, notice, &settings.locale, &portal);
    let pdf = super::documents::restock_order(
        &po,
        &super::documents::supplier_lines(Some(&supplier), &supplier.code),
        notice.state_word(),
    );
    let attachment =
        Attachment { file_name: format!("{}.pdf", po.number), content_type: "application/pdf", bytes: pdf };
    match mailer.send_with(&row.key, &to, &message, Some(attachment)).await {
        Ok(()) => Answer::Acknowledged { status: 250 },
        Err(SendError::Transient(error)) => Answer::Failed { status: None, error },
        Err(SendError::Permanent(error)) => Answer::Refused { error },
    }
}

/// Sends request mail `row` to its supplier's e-mail address as the supplier is set now: the
/// parcel as the order stands (ordo-core's `request_data` and `render_dropship_request`), a
/// link to its portal with a supplier token, and the purchase order as a PDF. A supplier that
/// takes no mail now, or a parcel no longer its to send, fails it for good.
async fn send_request_mail(app: &App, row: &WebhookRow) -> Answer {
    let refused = |error: &str| Answer::Refused { error: error.to_owned() };
    let (mailer, supplier, to, portal) = match addressee(app, row).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let order = match crate::app::commands::load(app, row.order_id.as_deref().unwrap_or_default()).await {
        Ok(order) => order,
        Err(ApiError::NotFound(_)) => return refused("no such order"),
        Err(e) => return Answer::Failed { status: None, error: e.to_string() },
    };
    let shipment = serde_json::from_str::<serde_json::Value>(&row.payload_json)
        .ok()
        .and_then(|v| v["data"]["shipment"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let Some(data) = request_data(&order, &shipment) else {
        return refused("the parcel is no longer the supplier's to send");
    };
    let settings = mailer.settings();
    let message = render_dropship_request(&settings.shop_name, &supplier.name, &data, &portal);
    let po = purchase_order_number(&order.reference(), &shipment);
    let pdf = super::documents::purchase_order(&order, &data, &supplier);
    let attachment =
        Attachment { file_name: format!("{po}.pdf"), content_type: "application/pdf", bytes: pdf };
    match mailer.send_with(&row.key, &to, &message, Some(attachment)).await {
        Ok(()) => Answer::Acknowledged { status: 250 },
        Err(SendError::Transient(error)) => Answer::Failed { status: None, error },
        Err(SendError::Permanent(error)) => Answer::Refused { error },
    }
}
