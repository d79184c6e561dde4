//! Dropship suppliers: admins keep their records (contact, webhook, lead time); every parcel that
//! becomes a supplier's to send writes a signed `dropship.requested` webhook to it in the append
//! that made the parcel (ordo-core's `dropship_requests` says what it is told).

use ordo_core::channel::{ChannelCode, ChannelError, ChannelName};
use ordo_core::order::{Order, TimelineEntry};
use ordo_core::supplier::{
    LabelSender, dropship_requests, lead_time, request_mail_id, request_webhook_id, return_address,
    sender_setting,
};
use ordo_core::values::{AddressInput, Email};

use crate::app::App;
use crate::app::access::Actor;
use crate::app::error::ApiError;
use crate::app::orders::StoredOrder;
use crate::store::StoreError;
use crate::store::channels::{NewWebhook, Via};
pub use crate::store::suppliers::SupplierRow;
use crate::store::suppliers::SupplierWrite;

fn refused(e: ChannelError) -> ApiError {
    ApiError::bad_input(e.field, e.message)
}

/// What an admin asks of a supplier; `None` leaves a setting as it is (on create: no e-mail, no
/// webhook, a fresh secret, 14 days, active).
#[derive(Debug, Clone, Default)]
pub struct SupplierSettings {
    pub name: Option<String>,
    /// `Some(None)` removes it.
    pub email: Option<Option<String>>,
    /// `Some(None)` removes the webhook.
    pub webhook_url: Option<Option<String>>,
    /// A secret in its written form (`whsec_…`); `Some(None)` makes a fresh one.
    pub signing_secret: Option<Option<String>>,
    pub lead_time_days: Option<i64>,
    pub active: Option<bool>,
    /// Its return address; `Some(None)` removes it.
    pub address: Option<Option<AddressInput>>,
    /// Whose sender its parcels print.
    pub label_sender: Option<LabelSender>,
}

/// A supplier as written, and its signing secret when this write set one (shown once).
#[derive(Debug, Clone)]
pub struct Written {
    pub supplier: SupplierRow,
    pub signing_secret: Option<String>,
}

fn settle(
    current: Option<&SupplierRow>,
    asked: &SupplierSettings,
) -> Result<(SupplierWrite, Option<String>), ApiError> {
    let name = match (&asked.name, current) {
        (Some(name), _) => ChannelName::parse(name).map_err(refused)?.as_str().to_owned(),
        (None, Some(s)) => s.name.clone(),
        (None, None) => return Err(ApiError::bad_input("name", "a new supplier needs a name")),
    };
    let email = match &asked.email {
        Some(Some(email)) => Some(
            Email::parse(email).map_err(|e| ApiError::bad_input("email", e.to_string()))?.as_str().to_owned(),
        ),
        Some(None) => None,
        None => current.and_then(|s| s.email.clone()),
    };
    let endpoint = super::webhooks::settle_endpoint(
        &asked.webhook_url,
        &asked.signing_secret,
        current.and_then(|s| s.webhook_url.as_deref()),
        current.and_then(|s| s.secret.as_deref()),
    )?;
    let lead_time_days = match (asked.lead_time_days, current) {
        (Some(days), _) => lead_time(days).map_err(|e| ApiError::bad_input(e.field, e.message))?,
        (None, Some(s)) => u16::try_from(s.lead_time_days).unwrap_or(14),
        (None, None) => 14,
    };
    let active = asked.active.or(current.map(|s| s.active)).unwrap_or(true);
    let address = match &asked.address {
        Some(Some(input)) => {
            Some(return_address(input).map_err(|(field, message)| ApiError::bad_input(field, message))?)
        }
        Some(None) => None,
        None => current.and_then(|s| s.address.clone()),
    };
    let label_sender = asked.label_sender.or(current.map(SupplierRow::sender)).unwrap_or_default();
    sender_setting(label_sender, address.as_ref()).map_err(|e| ApiError::bad_input(e.field, e.message))?;
    let write = SupplierWrite {
        name,
        email,
        webhook_url: endpoint.url,
        secret: Some(endpoint.secret),
        lead_time_days,
        active,
        address,
        label_sender,
    };
    Ok((write, endpoint.new_secret))
}

/// How customers and staff see supplier `code` named: its record's name, or the code as a title
/// when it has no record.
pub async fn display_name(app: &App, code: &str) -> Result<String, ApiError> {
    Ok(app.store().supplier(code).await?.map_or_else(|| ordo_core::text::title(code), |s| s.name))
}

/// Every supplier (staff).
pub async fn list(app: &App, caller: &Actor) -> Result<Vec<SupplierRow>, ApiError> {
    caller.require_staff()?;
    Ok(app.store().suppliers().await?)
}

/// Supplier `code` (staff), or the caller's own record.
pub async fn one(app: &App, caller: &Actor, code: &str) -> Result<Option<SupplierRow>, ApiError> {
    match caller {
        Actor::Supplier { supplier } if supplier == code => {}
        _ => caller.require_staff()?,
    }
    Ok(app.store().supplier(code).await?)
}

/// Creates supplier `code` (admins): `CONFLICT` when the code is taken.
pub async fn create(
    app: &App,
    caller: &Actor,
    code: &str,
    asked: &SupplierSettings,
) -> Result<Written, ApiError> {
    caller.require_admin()?;
    let code = ChannelCode::parse(code).map_err(refused)?;
    let (write, signing_secret) = settle(None, asked)?;
    match app.store().create_supplier(code.as_str(), &write).await? {
        Some(supplier) => Ok(Written { supplier, signing_secret }),
        None => Err(ApiError::Taken("supplier")),
    }
}

/// Changes supplier `code`'s settings (admins).
pub async fn update(
    app: &App,
    caller: &Actor,
    code: &str,
    asked: &SupplierSettings,
) -> Result<Written, ApiError> {
    caller.require_admin()?;
    let store = app.store();
    let current = store.supplier(code).await?.ok_or(ApiError::NotFound("supplier"))?;
    let (write, signing_secret) = settle(Some(&current), asked)?;
    let supplier = store.update_supplier(code, &write).await?.ok_or(ApiError::NotFound("supplier"))?;
    Ok(Written { supplier, signing_secret })
}

/// The orders with parcels `supplier` is asked to send (a supplier: its own; staff name one),
/// oldest first: open ones (not handed to the carrier yet) unless `open` is false; at most
/// `limit`. Each is shown to the caller as it may see it (a supplier: its lines, its parcels and
/// the ship-to address only).
pub async fn requests(
    app: &App,
    caller: &Actor,
    supplier: Option<&str>,
    open: bool,
    limit: usize,
) -> Result<Vec<StoredOrder>, ApiError> {
    let code = match caller {
        Actor::Supplier { supplier: own } if supplier.is_none_or(|s| s == own) => own.clone(),
        Actor::Supplier { .. } => return Err(ApiError::Forbidden),
        _ => {
            caller.require_staff()?;
            supplier.ok_or_else(|| ApiError::bad_input("supplier", "name the supplier"))?.to_owned()
        }
    };
    let parcels = app.store().supplier_parcels(&code, open, limit).await?;
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    for parcel in parcels {
        if seen.insert(parcel.order_id.clone()) {
            found.push(super::orders::read(app, &parcel.order_id).await?);
        }
    }
    Ok(found)
}

/// The `dropship.requested` webhooks `entries` (which made the order `after`) write: one per
/// parcel that became a supplier's to send, when that supplier takes webhooks.
pub(crate) async fn webhooks_for(
    app: &App,
    after: &Order,
    entries: &[TimelineEntry],
) -> Result<Vec<NewWebhook>, ApiError> {
    let requests = dropship_requests(after, entries);
    let mut webhooks = Vec::with_capacity(requests.len());
    for request in requests {
        let Some(supplier) = app.store().supplier(&request.supplier).await? else { continue };
        // By webhook when it takes them; by e-mail, with the purchase order, when it has an
        // address and some gateway sends mail (this one does: the others are configured alike).
        let mailed = supplier.active && supplier.email.is_some() && app.mailer().is_some();
        if !supplier.hears() && !mailed {
            continue;
        }
        let payload_json =
            serde_json::to_string(&request.event).map_err(|e| StoreError::Decode(e.to_string()))?;
        let order = after.id().as_str();
        let row = |key: String, via: Via| NewWebhook {
            key,
            channel: format!("supplier:{}", request.supplier),
            seq: request.seq,
            event_type: request.event.kind,
            payload_json: payload_json.clone(),
            via,
        };
        if supplier.hears() {
            webhooks.push(row(request_webhook_id(order, request.seq, &request.supplier), Via::Http));
        }
        if mailed {
            webhooks.push(row(request_mail_id(order, request.seq, &request.supplier), Via::Mail));
        }
    }
    Ok(webhooks)
}
