//! Dropship suppliers as records (migration 0022): who a dropship parcel goes to, where its
//! requests are sent, how long it takes.

use chrono::{DateTime, Utc};
use ordo_core::supplier::LabelSender;
use ordo_core::values::PostalAddress;
use serde::Deserialize;

use super::{Store, StoreError, decode, rows};

/// A supplier as stored. `secret` is the signing secret's written form (never answered).
#[derive(Debug, Clone, Deserialize)]
pub struct SupplierRow {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub webhook_url: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    pub lead_time_days: i64,
    pub active: bool,
    /// Its return address.
    #[serde(default)]
    pub address: Option<PostalAddress>,
    /// `shop` or `supplier`: whose sender its parcels print.
    #[serde(default)]
    pub label_sender: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SupplierRow {
    /// Whether requests go to it by webhook: active, with a URL and a secret.
    pub(crate) fn hears(&self) -> bool {
        self.active && self.webhook_url.is_some() && self.secret.is_some()
    }

    /// Whose sender its parcels print (the shop's for a row that says nothing it understands).
    pub(crate) fn sender(&self) -> LabelSender {
        self.label_sender.as_deref().and_then(|s| LabelSender::parse(s).ok()).unwrap_or_default()
    }
}

/// A supplier's settings to write (every value parsed by ordo-core first).
#[derive(Debug, Clone)]
pub(crate) struct SupplierWrite {
    pub name: String,
    pub email: Option<String>,
    pub webhook_url: Option<String>,
    pub secret: Option<String>,
    pub lead_time_days: u16,
    pub active: bool,
    pub address: Option<PostalAddress>,
    pub label_sender: LabelSender,
}

impl SupplierWrite {
    fn binds(&self, code: &str) -> serde_json::Value {
        serde_json::json!({
            "code": code,
            "name": self.name,
            "email": self.email,
            "url": self.webhook_url,
            "secret": self.secret,
            "lead": self.lead_time_days,
            "active": self.active,
            "address": self.address,
            "sender": self.label_sender.as_str(),
        })
    }
}

const FIELDS: &str = "record::id(id) AS code, name, email, webhook_url, secret, lead_time_days, active, address, label_sender, created_at, updated_at";
const SET: &str = "name = $name, email = $email ?? NONE, webhook_url = $url ?? NONE, secret = $secret ?? NONE, \
                   lead_time_days = $lead, active = $active, address = $address ?? NONE, \
                   label_sender = $sender, updated_at = time::now()";

impl Store {
    /// Every supplier, by code.
    pub(crate) async fn suppliers(&self) -> Result<Vec<SupplierRow>, StoreError> {
        let mut results = self.db().query(format!("SELECT {FIELDS} FROM supplier ORDER BY code")).await?;
        decode(rows(&mut results, 0)?)
    }

    /// Supplier `code`.
    pub(crate) async fn supplier(&self, code: &str) -> Result<Option<SupplierRow>, StoreError> {
        let mut results = self
            .db()
            .query(format!("SELECT {FIELDS} FROM type::record('supplier', $code)"))
            .bind(("code", code.to_owned()))
            .await?;
        Ok(decode(rows(&mut results, 0)?)?.into_iter().next())
    }

    /// Creates supplier `code`; `None` when one exists.
    pub(crate) async fn create_supplier(
        &self,
        code: &str,
        write: &SupplierWrite,
    ) -> Result<Option<SupplierRow>, StoreError> {
        let mut result = self
            .db()
            .query(format!(
                "CREATE type::record('supplier', $code) SET {SET}, created_at = time::now() RETURN {FIELDS}"
            ))
            .bind(write.binds(code))
            .await?;
        match result.take_errors().into_values().next() {
            Some(e) if e.to_string().contains("already exists") => Ok(None),
            Some(e) => Err(e.into()),
            None => Ok(decode::<SupplierRow>(rows(&mut result, 0)?)?.into_iter().next()),
        }
    }

    /// Writes supplier `code`'s settings; `None` when there is no such supplier.
    pub(crate) async fn update_supplier(
        &self,
        code: &str,
        write: &SupplierWrite,
    ) -> Result<Option<SupplierRow>, StoreError> {
        let mut result = self
            .db()
            .query(format!(
                "UPDATE type::record('supplier', $code) SET {SET} WHERE created_at != NONE RETURN {FIELDS}"
            ))
            .bind(write.binds(code))
            .await?
            .check()?;
        Ok(decode::<SupplierRow>(rows(&mut result, 0)?)?.into_iter().next())
    }
}
