//! The GraphQL schema: query and mutation roots assembled from one object per area.
//!
//! - [`catalog`]: products and stock.
//! - [`orders`]: intake, order reads, payments.
//! - [`fulfilment`]: shipments, cancellation, returns, refunds, pick lists.
//! - [`stock`]: adjustments, low stock, purchase orders and receipts.
//! - [`reviews`]: product reviews and ratings, hiding reviews, post-delivery feedback.
//! - [`messages`]: messages to customers for staff (attempts, content, retrying dead letters).
//! - [`channels`]: sales channels (admins), listing an order on more, webhooks and their dead letters.
//! - [`suppliers`]: dropship suppliers (admins): contact, webhook, lead time.
//! - [`live`]: subscriptions (`orderUpdated`, `orderEvents`) over the live feed.
//! - [`types`]: output types converted from ordo-core at the edge.

mod catalog;
mod channels;
pub mod error;
mod fulfilment;
pub(crate) mod fulfilment_types;
mod live;
mod messages;
mod orders;
mod reviews;
mod stock;
mod suppliers;
pub(crate) mod types;

use std::sync::Arc;

use async_graphql::{Context, MergedObject, Schema};

use crate::app::access::{Actor, Subject};
use crate::app::live::Feed;
use crate::app::{App, Doer};

/// Largest page a connection returns.
pub const MAX_PAGE: i32 = 100;

/// The caller, as the HTTP edge authenticated it (anonymous without a token).
pub(crate) fn actor<'a>(ctx: &Context<'a>) -> &'a Actor {
    const ANONYMOUS: &Actor = &Actor::Anonymous;
    ctx.data_opt::<Actor>().unwrap_or(ANONYMOUS)
}

/// Who the caller's token was issued to (`anonymous` without one).
pub(crate) fn subject<'a>(ctx: &Context<'a>) -> &'a str {
    ctx.data_opt::<Subject>().map_or("anonymous", |s| s.0.as_str())
}

/// Who the caller is, as the timeline records it: the kind and the token's subject.
pub(crate) fn doer(ctx: &Context<'_>) -> Doer {
    let caller = actor(ctx);
    let subject = (*caller != Actor::Anonymous).then(|| subject(ctx).to_owned());
    Doer { kind: caller.name().to_owned(), subject }
}

/// The caller's idempotency scope (see [`Actor::scope`]).
pub(crate) fn scope(ctx: &Context<'_>) -> String {
    actor(ctx).scope(subject(ctx))
}

/// An idempotency key sent with a mutation, scoped to the caller, fingerprinting `request`.
pub(crate) fn idempotency(
    ctx: &Context<'_>,
    key: Option<&str>,
    operation: &'static str,
    request: &str,
) -> async_graphql::Result<Option<crate::app::idempotency::Idempotency>> {
    use crate::graphql::error::GqlResult;
    key.map(|key| {
        crate::app::idempotency::Idempotency::new(&scope(ctx), key.trim(), operation, request.as_bytes())
    })
    .transpose()
    .gql()
}

/// The application the resolvers call.
pub(crate) fn app<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a App> {
    ctx.data::<App>()
}

/// The live event feed subscriptions read.
pub(crate) fn feed<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Arc<Feed>> {
    ctx.data::<Arc<Feed>>()
}

#[derive(MergedObject, Default, Debug)]
pub struct QueryRoot(
    catalog::CatalogQuery,
    orders::OrderQuery,
    stock::StockQuery,
    reviews::ReviewQuery,
    fulfilment::FulfilmentQuery,
    messages::MessageQuery,
    channels::ChannelQuery,
    suppliers::SupplierQuery,
);

#[derive(MergedObject, Default, Debug)]
pub struct MutationRoot(
    orders::OrderMutation,
    stock::StockMutation,
    reviews::ReviewMutation,
    fulfilment::FulfilmentMutation,
    messages::MessageMutation,
    channels::ChannelMutation,
    suppliers::SupplierMutation,
);

pub type OrdoSchema = Schema<QueryRoot, MutationRoot, live::SubscriptionRoot>;

/// The complexity of a connection field: each of the `first` items costs what its selection
/// costs, so asking for many items with many fields is priced as such.
pub(crate) fn page_cost(first: i32, child_complexity: usize) -> usize {
    usize::try_from(first.clamp(1, MAX_PAGE)).unwrap_or(1).saturating_mul(child_complexity).saturating_add(1)
}

/// A page size asked for as `first`: 1 to [`MAX_PAGE`].
pub(crate) fn page_size(first: i32) -> async_graphql::Result<usize> {
    use crate::graphql::error::GqlResult;
    if !(1..=MAX_PAGE).contains(&first) {
        let message = format!("must be between 1 and {MAX_PAGE}");
        return Err(crate::app::error::ApiError::bad_input("first", message)).gql();
    }
    Ok(usize::try_from(first).unwrap_or(1))
}

/// Limits that keep one request from taking the gateway down.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
    /// Introspection and field suggestions off (production).
    pub locked_down: bool,
}

impl Default for Limits {
    fn default() -> Self {
        // Depth 16 leaves room for GraphiQL's introspection query (about 13 levels).
        Limits { depth: 16, complexity: 2_000, locked_down: false }
    }
}

/// The schema; resolvers run against `app` and subscriptions read `feed` (none for the SDL).
pub fn build(services: Option<(App, Arc<Feed>)>, limits: Limits) -> OrdoSchema {
    let mut builder = Schema::build(QueryRoot::default(), MutationRoot::default(), live::SubscriptionRoot)
        .limit_depth(limits.depth)
        .limit_complexity(limits.complexity);
    if limits.locked_down {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Some((app, feed)) = services {
        builder = builder.data(app).data(feed);
    }
    builder.finish()
}

/// The SDL of the schema (what `schema/ordo.graphql` holds).
pub fn sdl() -> String {
    build(None, Limits::default()).sdl()
}
