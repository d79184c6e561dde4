//! Dropship suppliers: admins create and change them (contact, webhook URL, signing secret shown
//! once, lead time); staff list them; a supplier reads its own record.

use async_graphql::{Context, Enum, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use ordo_core::values::AddressInput;

use super::orders::ShippingAddressInput;
use super::types::{AddressView, OrderView, address_view};
use super::{actor, app};
use crate::app::suppliers::{self, SupplierRow, SupplierSettings, Written};
use crate::graphql::error::GqlResult;

/// A dropship supplier. Its signing secret is shown only when it is set (`SupplierWritten`).
#[derive(SimpleObject, Debug, Clone)]
pub struct Supplier {
    /// What dropship products name (`northwood`).
    pub code: String,
    pub name: String,
    /// Where it is written to.
    pub email: Option<String>,
    /// Where its `dropship.requested` webhooks go; null: it gets none.
    pub webhook_url: Option<String>,
    pub lead_time_days: i32,
    /// An inactive supplier is told nothing.
    pub active: bool,
    /// Its return address.
    pub address: Option<AddressView>,
    /// Whose name and address its parcels' label and commercial invoice print as the sender.
    pub label_sender: LabelSender,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Whose name and address a supplier's parcels print as their sender.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelSender {
    /// The shop's (a blind dropship: the customer sees one shop).
    Shop,
    /// The supplier's own return address.
    Supplier,
}

impl From<ordo_core::supplier::LabelSender> for LabelSender {
    fn from(sender: ordo_core::supplier::LabelSender) -> LabelSender {
        match sender {
            ordo_core::supplier::LabelSender::Shop => LabelSender::Shop,
            ordo_core::supplier::LabelSender::Supplier => LabelSender::Supplier,
        }
    }
}

impl From<LabelSender> for ordo_core::supplier::LabelSender {
    fn from(sender: LabelSender) -> ordo_core::supplier::LabelSender {
        match sender {
            LabelSender::Shop => ordo_core::supplier::LabelSender::Shop,
            LabelSender::Supplier => ordo_core::supplier::LabelSender::Supplier,
        }
    }
}

impl From<SupplierRow> for Supplier {
    fn from(row: SupplierRow) -> Supplier {
        let label_sender = row.sender().into();
        Supplier {
            code: row.code,
            name: row.name,
            email: row.email,
            webhook_url: row.webhook_url,
            lead_time_days: i32::try_from(row.lead_time_days).unwrap_or(i32::MAX),
            active: row.active,
            address: row.address.as_ref().map(address_view),
            label_sender,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A supplier as written, with its signing secret when this write set one: shown this once, in
/// Standard Webhooks' form (`whsec_` + base64), for the supplier to verify signatures with.
#[derive(SimpleObject, Debug, Clone)]
pub struct SupplierWritten {
    pub supplier: Supplier,
    pub signing_secret: Option<String>,
}

impl From<Written> for SupplierWritten {
    fn from(w: Written) -> SupplierWritten {
        SupplierWritten { supplier: w.supplier.into(), signing_secret: w.signing_secret }
    }
}

/// A new supplier.
#[derive(InputObject, Debug)]
pub struct CreateSupplierInput {
    /// 1–40 lowercase letters, digits, `-` or `_`: what dropship products name.
    pub code: String,
    pub name: String,
    pub email: Option<String>,
    /// An `http://` or `https://` URL; none: no webhooks.
    pub webhook_url: Option<String>,
    /// `whsec_` + base64 of 24–64 bytes; none: a fresh random one (answered once).
    pub signing_secret: Option<String>,
    /// 0–365 days (14 when left out).
    pub lead_time_days: Option<i32>,
    /// Its return address, checked like a shipping address.
    pub address: Option<ShippingAddressInput>,
    /// SHOP when left out; SUPPLIER needs the address.
    pub label_sender: Option<LabelSender>,
}

/// Changes to a supplier: fields left out stay as they are.
#[derive(InputObject, Debug)]
pub struct UpdateSupplierInput {
    pub name: Option<String>,
    /// null removes it.
    pub email: MaybeUndefined<String>,
    /// null removes the webhook.
    pub webhook_url: MaybeUndefined<String>,
    /// A new secret; null makes a fresh random one (answered once).
    pub signing_secret: MaybeUndefined<String>,
    pub lead_time_days: Option<i32>,
    pub active: Option<bool>,
    /// null removes it (refused while the supplier is its parcels' sender).
    pub address: MaybeUndefined<ShippingAddressInput>,
    pub label_sender: Option<LabelSender>,
}

fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[derive(Default, Debug)]
pub struct SupplierQuery;

#[Object]
impl SupplierQuery {
    /// Every dropship supplier (staff).
    async fn suppliers(&self, ctx: &Context<'_>) -> Result<Vec<Supplier>> {
        let rows = suppliers::list(app(ctx)?, actor(ctx)).await.gql()?;
        Ok(rows.into_iter().map(Supplier::from).collect())
    }

    /// Orders with parcels a supplier is asked to send, oldest first: the caller's own (a supplier)
    /// or `supplier`'s (staff); open ones (not handed to the carrier yet) unless `open` is false.
    /// A supplier sees only its lines, its parcels and the ship-to address.
    async fn dropship_requests(
        &self,
        ctx: &Context<'_>,
        supplier: Option<String>,
        #[graphql(default = true)] open: bool,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<OrderView>> {
        let first = super::page_size(first)?;
        let caller = actor(ctx);
        let found = suppliers::requests(app(ctx)?, caller, supplier.as_deref(), open, first).await.gql()?;
        Ok(found.into_iter().map(|stored| OrderView::new(stored, caller)).collect())
    }

    /// One supplier (staff, or the supplier itself).
    async fn supplier(&self, ctx: &Context<'_>, code: String) -> Result<Option<Supplier>> {
        Ok(suppliers::one(app(ctx)?, actor(ctx), &code).await.gql()?.map(Supplier::from))
    }
}

#[derive(Default, Debug)]
pub struct SupplierMutation;

#[Object]
impl SupplierMutation {
    /// Creates a dropship supplier (admins). Without a signing secret a fresh one is made; either
    /// way it is answered this once.
    async fn create_supplier(
        &self,
        ctx: &Context<'_>,
        input: CreateSupplierInput,
    ) -> Result<SupplierWritten> {
        let settings = SupplierSettings {
            name: Some(input.name),
            email: input.email.map(Some),
            webhook_url: Some(input.webhook_url),
            signing_secret: Some(input.signing_secret),
            lead_time_days: input.lead_time_days.map(i64::from),
            active: Some(true),
            address: input.address.map(|a| Some(a.into())),
            label_sender: input.label_sender.map(Into::into),
        };
        Ok(suppliers::create(app(ctx)?, actor(ctx), &input.code, &settings).await.gql()?.into())
    }

    /// Changes a dropship supplier (admins).
    async fn update_supplier(
        &self,
        ctx: &Context<'_>,
        code: String,
        input: UpdateSupplierInput,
    ) -> Result<SupplierWritten> {
        let settings = SupplierSettings {
            name: input.name,
            email: maybe(input.email),
            webhook_url: maybe(input.webhook_url),
            signing_secret: maybe(input.signing_secret),
            lead_time_days: input.lead_time_days.map(i64::from),
            active: input.active,
            address: maybe(input.address).map(|a| a.map(AddressInput::from)),
            label_sender: input.label_sender.map(Into::into),
        };
        Ok(suppliers::update(app(ctx)?, actor(ctx), &code, &settings).await.gql()?.into())
    }
}
