//! Schema migrations: `schema/surreal/NNNN_name.surql`, applied in order at start, each recorded once.

use surrealdb::Surreal;
use surrealdb::engine::any::Any;

use super::{StoreError, TxOutcome, backoff, outcome};

/// Every migration, in order. `tests` checks this list against the files in `schema/surreal/`.
pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_catalog", include_str!("../../../schema/surreal/0001_catalog.surql")),
    ("0002_orders", include_str!("../../../schema/surreal/0002_orders.surql")),
    ("0003_backorders", include_str!("../../../schema/surreal/0003_backorders.surql")),
    ("0004_reviews", include_str!("../../../schema/surreal/0004_reviews.surql")),
    ("0005_fulfilment", include_str!("../../../schema/surreal/0005_fulfilment.surql")),
    ("0006_tracking", include_str!("../../../schema/surreal/0006_tracking.surql")),
    ("0007_event_reads", include_str!("../../../schema/surreal/0007_event_reads.surql")),
    ("0008_json_text", include_str!("../../../schema/surreal/0008_json_text.surql")),
    ("0009_scoped_replays", include_str!("../../../schema/surreal/0009_scoped_replays.surql")),
    ("0010_jobs", include_str!("../../../schema/surreal/0010_jobs.surql")),
    ("0011_tracking_claims", include_str!("../../../schema/surreal/0011_tracking_claims.surql")),
    ("0012_event_subjects", include_str!("../../../schema/surreal/0012_event_subjects.surql")),
    ("0013_messages", include_str!("../../../schema/surreal/0013_messages.surql")),
    ("0014_find_my_orders", include_str!("../../../schema/surreal/0014_find_my_orders.surql")),
    ("0015_opt_out", include_str!("../../../schema/surreal/0015_opt_out.surql")),
    ("0016_delivery_watch", include_str!("../../../schema/surreal/0016_delivery_watch.surql")),
    ("0017_authorization_watch", include_str!("../../../schema/surreal/0017_authorization_watch.surql")),
    ("0018_order_numbers", include_str!("../../../schema/surreal/0018_order_numbers.surql")),
    ("0019_order_names", include_str!("../../../schema/surreal/0019_order_names.surql")),
    ("0020_channels", include_str!("../../../schema/surreal/0020_channels.surql")),
    ("0021_inventory", include_str!("../../../schema/surreal/0021_inventory.surql")),
    ("0022_suppliers", include_str!("../../../schema/surreal/0022_suppliers.surql")),
    ("0023_supplier_sender", include_str!("../../../schema/surreal/0023_supplier_sender.surql")),
    ("0024_supplier_mail", include_str!("../../../schema/surreal/0024_supplier_mail.surql")),
    ("0025_channel_feed", include_str!("../../../schema/surreal/0025_channel_feed.surql")),
    ("0026_purchase_order_lines", include_str!("../../../schema/surreal/0026_purchase_order_lines.surql")),
    ("0027_backorder_by_order", include_str!("../../../schema/surreal/0027_backorder_by_order.surql")),
    ("0028_reference_version", include_str!("../../../schema/surreal/0028_reference_version.surql")),
    ("0029_no_outbox", include_str!("../../../schema/surreal/0029_no_outbox.surql")),
];

/// The first migration that bumps the reference data's version in its transaction; every later
/// one does too, since it may change rules, locations or channels that running gateways keep
/// (see `store::reference`).
const VERSIONED_FROM: &str = "0028_reference_version";

pub(super) async fn apply(db: &Surreal<Any>) -> Result<(), StoreError> {
    apply_list(db, MIGRATIONS).await
}

/// Applies `migrations` (a prefix of [`MIGRATIONS`]) that are not applied yet.
async fn apply_list(db: &Surreal<Any>, migrations: &[(&str, &str)]) -> Result<(), StoreError> {
    db.query(
        "DEFINE TABLE IF NOT EXISTS migration SCHEMAFULL;
         DEFINE FIELD IF NOT EXISTS applied_at ON migration TYPE datetime;",
    )
    .await?
    .check()?;
    for (index, &(name, sql)) in migrations.iter().enumerate() {
        let bump =
            MIGRATIONS.iter().position(|(n, _)| *n == VERSIONED_FROM).is_some_and(|from| index >= from);
        let bump = if bump { super::reference::BUMP } else { "" };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut found = db
                .query("SELECT VALUE record::id(id) FROM type::record('migration', $name)")
                .bind(("name", name))
                .await?;
            let applied: Vec<String> = found.take(0)?;
            if !applied.is_empty() {
                break;
            }
            // The migration and its record commit together: two gateways starting at once
            // conflict, and the loser sees the migration applied on its retry.
            let tx = format!(
                "BEGIN;\n{sql}\n{bump}\nCREATE type::record('migration', $name) SET applied_at = time::now();\nCOMMIT;"
            );
            match outcome(db.query(tx).bind(("name", name)).await?) {
                TxOutcome::Committed => {
                    tracing::info!(migration = name, "applied");
                    break;
                }
                TxOutcome::Conflict | TxOutcome::Duplicate(_) if attempt < 10 => backoff(attempt).await,
                other => {
                    return Err(StoreError::Migration { name: name.to_owned(), message: other.describe() });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{MIGRATIONS, apply_list};

    /// A store migrated up to (not including) `name`.
    async fn migrated_before(name: &str) -> surrealdb::Surreal<surrealdb::engine::any::Any> {
        let db = surrealdb::engine::any::connect("mem://").await.unwrap();
        db.use_ns("t").use_db("t").await.unwrap();
        let before = MIGRATIONS.iter().position(|(n, _)| *n == name).unwrap();
        apply_list(&db, &MIGRATIONS[..before]).await.unwrap();
        db
    }

    #[tokio::test]
    async fn migrating_keeps_channel_external_ids_and_drops_the_nameable_web_keys() {
        let db = migrated_before("0009_scoped_replays").await;
        let order = "channel = $channel, external_id = $ext, external_key = $key, email = 'a@example.com', \
                     currency = 'USD', grand_total = 100, summary = 'AWAITING_PAYMENT', last_seq = 1, \
                     placed_at = time::now(), updated_at = time::now()";
        for (id, channel, ext, key) in
            [("ord_a", "amazon", Some("A-1"), "amazon:A-1"), ("ord_b", "web", None, "web:#ord_b")]
        {
            db.query(format!("CREATE type::record('orders', $id) SET {order}"))
                .bind(("id", id))
                .bind(("channel", channel))
                .bind(("ext", ext))
                .bind(("key", key))
                .await
                .unwrap()
                .check()
                .unwrap();
        }
        apply_list(&db, MIGRATIONS).await.unwrap();
        let mut found = db
            .query("SELECT record::id(id) AS key, order_id, scope FROM external_order; SELECT VALUE external_key FROM orders")
            .await
            .unwrap();
        let kept: Vec<serde_json::Value> = found.take(0).unwrap();
        assert_eq!(
            kept,
            vec![serde_json::json!({ "key": "amazon:A-1", "order_id": "ord_a", "scope": "migrated" })]
        );
        let keys: Vec<Option<String>> = found.take(1).unwrap();
        assert!(keys.iter().all(Option::is_none), "{keys:?}");
    }

    #[tokio::test]
    async fn migrating_gives_shoppers_unpaid_orders_a_payment_hold_and_nobody_elses() {
        let db = migrated_before("0010_jobs").await;
        for (id, summary, placed_by) in [
            ("ord_guest", "AWAITING_PAYMENT", "anonymous"),
            ("ord_declined", "PAYMENT_FAILED", "customer"),
            ("ord_amazon", "AWAITING_PAYMENT", "channel"),
            ("ord_paid", "PROCESSING", "anonymous"),
        ] {
            db.query(
                "CREATE type::record('orders', $id) SET channel = 'web', email = 'a@example.com', currency = 'USD', \
                 grand_total = 100, summary = $summary, last_seq = 1, placed_at = time::now(), updated_at = time::now(), \
                 external_key = 'web:#' + $id;
                 CREATE type::record('event', $id + '#0000000001') SET order_id = $id, seq = 1, at = time::now(), \
                 type = 'placed', actor = $actor, entry_json = '{}';",
            )
            .bind(("id", id))
            .bind(("summary", summary))
            .bind(("actor", placed_by))
            .await
            .unwrap()
            .check()
            .unwrap();
        }
        apply_list(&db, MIGRATIONS).await.unwrap();
        let mut found = db
            .query("SELECT VALUE order_id FROM job WHERE kind = 'payment_timeout' ORDER BY order_id")
            .await
            .unwrap();
        let held: Vec<String> = found.take(0).unwrap();
        assert_eq!(held, vec!["ord_declined".to_owned(), "ord_guest".to_owned()]);
    }

    #[tokio::test]
    async fn migrating_claims_the_tracking_numbers_already_shipped() {
        let db = migrated_before("0011_tracking_claims").await;
        db.query(
            "CREATE shipment:⟨ord_a-S1⟩ SET order_id = 'ord_a', source = 'east', state = 'shipped', \
             carrier = 'UPS ', tracking_number = '1z 999', lines = [];
             CREATE shipment:⟨ord_b-S1⟩ SET order_id = 'ord_b', source = 'east', state = 'pending', lines = [];",
        )
        .await
        .unwrap()
        .check()
        .unwrap();
        apply_list(&db, MIGRATIONS).await.unwrap();
        let mut found = db.query("SELECT record::id(id) AS key, shipment FROM tracking_claim").await.unwrap();
        let claims: Vec<serde_json::Value> = found.take(0).unwrap();
        let key = ordo_core::tracking::tracking_key("UPS ", "1z 999");
        assert_eq!(claims, vec![serde_json::json!({ "key": key, "shipment": "ord_a-S1" })]);
    }

    #[tokio::test]
    async fn migrating_keys_existing_orders_by_their_address_in_lower_case() {
        let db = migrated_before("0014_find_my_orders").await;
        db.query(
            "CREATE orders:ord_a SET channel = 'web', email = 'Ada.L@example.com', currency = 'USD', \
             grand_total = 100, summary = 'PROCESSING', last_seq = 1, placed_at = time::now(), \
             updated_at = time::now(), external_key = 'web:#ord_a';
             CREATE message:⟨ord_a#0000000002#0⟩ SET order_id = 'ord_a', seq = 2, kind = 'order.confirmation', \
             notice_json = '\"confirmation\"', recipient = 'Ada.L@example.com', state = 'sent', due = time::now(), \
             created_at = time::now();",
        )
        .await
        .unwrap()
        .check()
        .unwrap();
        apply_list(&db, MIGRATIONS).await.unwrap();
        let mut found = db
            .query("SELECT VALUE record::id(id) FROM orders WHERE email_key = 'ada.l@example.com'; SELECT VALUE order_id FROM message")
            .await
            .unwrap();
        let keyed: Vec<String> = found.take(0).unwrap();
        assert_eq!(keyed, vec!["ord_a".to_owned()]);
        let about: Vec<Option<String>> = found.take(1).unwrap();
        assert_eq!(about, vec![Some("ord_a".to_owned())], "messages about orders keep their order");
    }

    /// A store migrated up to (not including) `migration`, holding orders with these list
    /// statuses, then migrated to the end: the orders `migration` gave a due `kind` job, by id.
    async fn watched_after(migration: &str, orders: &[(&str, &str)], kind: &str) -> Vec<String> {
        let db = migrated_before(migration).await;
        for (id, summary) in orders {
            db.query(
                "CREATE type::record('orders', $id) SET channel = 'web', email = 'a@example.com', currency = 'USD', \
                 grand_total = 100, summary = $summary, last_seq = 1, placed_at = time::now(), \
                 updated_at = time::now(), external_key = 'web:#' + $id;",
            )
            .bind(("id", id.to_string()))
            .bind(("summary", summary.to_string()))
            .await
            .unwrap()
            .check()
            .unwrap();
        }
        apply_list(&db, MIGRATIONS).await.unwrap();
        let mut found = db
            .query(
                "SELECT VALUE order_id FROM job WHERE kind = $kind AND due <= time::now() ORDER BY order_id",
            )
            .bind(("kind", kind.to_owned()))
            .await
            .unwrap();
        found.take(0).unwrap()
    }

    #[tokio::test]
    async fn migrating_watches_the_orders_with_parcels_on_their_way_and_only_them() {
        let orders = [
            ("ord_a", "SHIPPED"),
            ("ord_b", "PARTIALLY_SHIPPED"),
            ("ord_c", "DELIVERED"),
            ("ord_d", "PROCESSING"),
        ];
        let watched = watched_after("0016_delivery_watch", &orders, "delivery_watch").await;
        assert_eq!(watched, vec!["ord_a".to_owned(), "ord_b".to_owned()], "due at once");
    }

    #[tokio::test]
    async fn migrating_watches_the_authorizations_of_orders_under_way_and_only_them() {
        let orders = [
            ("ord_a", "PROCESSING"),
            ("ord_b", "SHIPPED"),
            ("ord_c", "AWAITING_PAYMENT"),
            ("ord_d", "COMPLETED"),
        ];
        let watched = watched_after("0017_authorization_watch", &orders, "authorization_watch").await;
        assert_eq!(watched, vec!["ord_a".to_owned(), "ord_b".to_owned()], "due at once");
    }

    #[test]
    fn every_migration_file_is_listed_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/surreal");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".surql"))
            .map(|n| n.trim_end_matches(".surql").to_owned())
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS.iter().map(|(name, _)| (*name).to_owned()).collect();
        assert_eq!(listed, files);
    }

    #[tokio::test]
    async fn migrating_turns_each_purchase_order_into_a_numbered_one_line_order_as_it_stood() {
        let db = migrated_before("0026_purchase_order_lines").await;
        db.query(
            "CREATE product:MUG SET sku = 'MUG', name = 'Mug', category = 'home', description = '', price = 1200,
                 currency = 'EUR', active = true, policy = 'deny', weight_grams = 300, tax_class = 'standard',
                 reorder_point = 0;
             CREATE purchase_order:po_a SET sku = 'MUG', location = 'east', quantity = 10, received = 4,
                 expected_on = '2026-12-20', open = true;
             CREATE purchase_order:po_b SET sku = 'MUG', location = 'east', quantity = 5, received = 0,
                 expected_on = '2026-12-24', open = false;",
        )
        .await
        .unwrap()
        .check()
        .unwrap();
        apply_list(&db, MIGRATIONS).await.unwrap();
        let mut found = db
            .query(
                "SELECT record::id(id) AS key, number, status, currency, sku FROM purchase_order ORDER BY key;
                 SELECT record::id(id) AS key, po, sku, quantity, received, unit_cost, open, expected_on
                     FROM purchase_order_line ORDER BY key;",
            )
            .await
            .unwrap();
        let heads: Vec<serde_json::Value> = found.take(0).unwrap();
        // The old one-line fields are gone from the head (`sku` reads as null).
        assert_eq!(
            heads,
            vec![
                serde_json::json!({ "key": "po_a", "number": "PO-5001", "status": "partially_received", "currency": "EUR", "sku": null }),
                serde_json::json!({ "key": "po_b", "number": "PO-5002", "status": "cancelled", "currency": "EUR", "sku": null }),
            ]
        );
        let lines: Vec<serde_json::Value> = found.take(1).unwrap();
        assert_eq!(
            lines[0],
            serde_json::json!({ "key": "po_a~0", "po": "po_a", "sku": "MUG", "quantity": 10,
            "received": 4, "unit_cost": 0, "open": true, "expected_on": "2026-12-20" })
        );
        assert_eq!(lines[1]["open"], false);
    }
}
