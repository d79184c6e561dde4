//! Reading orders: one order with its timeline and who caused each event, a filtered list, and
//! what an order holds (reservations). Who may see which order is [`Actor::can_see`]'s rule.

use chrono::{DateTime, Utc};
use ordo_core::order::{Order, TimelineEntry};

use crate::app::access::Actor;
use crate::app::error::ApiError;
use crate::app::{App, Doer};
pub use crate::store::SharedTimeline;
use crate::store::orders::OrderSelection;
pub use crate::store::orders::ReservationRow;
use crate::store::{Store, StoreError};

/// An order as stored: the state its timeline folds to, the timeline, and who caused each
/// entry (shared with every view that shows it, never copied).
#[derive(Debug, Clone)]
pub struct StoredOrder {
    pub order: Order,
    pub shared: SharedTimeline,
}

/// Order `id` as stored (`NOT_FOUND` when there is none). Authorizes nothing: see [`visible`].
pub async fn read(app: &App, id: &str) -> Result<StoredOrder, ApiError> {
    let shared = app.store().shared_timeline(id).await?;
    if shared.0.is_empty() {
        return Err(ApiError::NotFound("order"));
    }
    let order =
        Order::from_timeline(shared.0.iter()).map_err(|e| ApiError::internal("folding a timeline", &e))?;
    Ok(StoredOrder { order, shared })
}

/// Order `id` (or its reference, `#1042`) for `caller`: `UNAUTHENTICATED` without a token, and
/// the same `NOT_FOUND` for a missing order and one the caller may not see (ids and numbers
/// cannot be probed).
pub async fn visible(app: &App, caller: &Actor, id: &str) -> Result<StoredOrder, ApiError> {
    if *caller == Actor::Anonymous {
        return Err(ApiError::Unauthenticated);
    }
    let by_number = id.strip_prefix('#').and_then(|n| n.trim().parse::<u32>().ok());
    let found;
    let id = match by_number {
        Some(number) => {
            found = app.store().order_id_by_number(number).await?.ok_or(ApiError::NotFound("order"))?;
            found.as_str()
        }
        None => id,
    };
    let stored = read(app, id).await?;
    if caller.can_see(&stored.order) { Ok(stored) } else { Err(ApiError::NotFound("order")) }
}

/// Which orders to list.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// The list status, e.g. `AWAITING_PAYMENT`.
    pub summary: Option<String>,
    pub channel: Option<String>,
    pub customer: Option<String>,
    /// Placed at or after.
    pub placed_from: Option<DateTime<Utc>>,
    /// Placed before.
    pub placed_to: Option<DateTime<Utc>>,
    /// Placed with this e-mail address (any case; staff).
    pub email: Option<String>,
    /// Shipped to a name containing this, in any case (staff).
    pub name: Option<String>,
}

/// Ids and placing times of the orders `caller` may list, newest first, placed before `before`;
/// `limit` at most. Staff list any; a channel only its own channel's, a customer only their own
/// and a shopper only those placed with their address (whatever the filter asks); guests and
/// suppliers may not list.
pub async fn list(
    app: &App,
    caller: &Actor,
    filter: &OrderFilter,
    before: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<Vec<(String, DateTime<Utc>)>, ApiError> {
    let (channel, customer, email, name) = match caller {
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        Actor::Staff | Actor::WarehouseStaff { .. } | Actor::Admin => {
            let email = filter
                .email
                .as_deref()
                .map(|e| ordo_core::values::Email::parse(e).map(|e| e.key()))
                .transpose()
                .map_err(|e| ApiError::bad_input("filter.email", e.to_string()))?;
            let name = filter.name.as_deref().map(ordo_core::text::search_key).filter(|n| !n.is_empty());
            if name.as_ref().is_some_and(|n| n.chars().count() > 100) {
                return Err(ApiError::bad_input("filter.name", "must be at most 100 characters"));
            }
            (filter.channel.clone(), filter.customer.clone(), email, name)
        }
        Actor::Channel { channel: own } => (Some(own.clone()), None, None, None),
        Actor::Customer { id } => (filter.channel.clone(), Some(id.clone()), None, None),
        Actor::Shopper { email } => (filter.channel.clone(), None, Some(email.clone()), None),
        Actor::Guest { .. } | Actor::Supplier { .. } => return Err(ApiError::Forbidden),
    };
    Ok(app
        .store()
        .order_ids(
            &OrderSelection {
                summary: filter.summary.as_deref(),
                channel: channel.as_deref(),
                customer: customer.as_deref(),
                email_key: email.as_deref(),
                name: name.as_deref(),
                placed: (filter.placed_from, filter.placed_to),
                before,
            },
            limit,
        )
        .await?)
}

/// Every entry of order `id`'s timeline with who caused it, oldest first, read from the store
/// (not a kept copy): what a subscription catches up from.
pub async fn history(app: &App, id: &str) -> Result<Vec<(TimelineEntry, Doer)>, ApiError> {
    Ok(app.store().timeline_with_actors(id).await?)
}

/// The sales channel of order `id`, if there is such an order.
pub async fn channel_of(app: &App, id: &str) -> Result<Option<String>, ApiError> {
    Ok(app.store().order_channel(id).await?)
}

/// Stock held for `order`, per SKU and location.
pub async fn reservations(app: &App, order: &Order) -> Result<Vec<ReservationRow>, ApiError> {
    Ok(app.store().reservations(order.id().as_str()).await?)
}

/// Loads an order from `store` by folding its timeline (`NOT_FOUND` when it does not exist).
pub(crate) async fn load_from(store: &Store, order_id: &str) -> Result<Order, ApiError> {
    let timeline = store.timeline(order_id).await?;
    if timeline.is_empty() {
        return Err(ApiError::NotFound("order"));
    }
    Order::from_timeline(&timeline).map_err(|e| StoreError::Decode(e.to_string()).into())
}
