//! The demo shop: 32 products in 4 categories, two warehouses, a dropship supplier, a supplier
//! that restocks the shelves with open purchase orders, coupons, shipping zones and tax rates
//! (`ordo serve --seed-demo`).

use chrono::{Days, Utc};
use ordo_core::cart::{
    Coupon, CouponDiscount, ReturnPolicy, Rules, ShippingOption, ShippingRate, ShippingZone, TaxRate,
    TaxRules, WeightBand,
};
use ordo_core::catalog::TaxClass;
use ordo_core::money::{Currency, Money};
use ordo_core::purchasing::{PoLine, PoStatus};
use ordo_core::supplier::RejectedDropship;
use ordo_core::values::CountryCode;

use crate::store::catalog::ProductRow;
use crate::store::channels::ChannelWrite;
use crate::store::stock::{NewPurchaseOrder, PoWrite};
use crate::store::suppliers::SupplierWrite;
use crate::store::{Store, StoreError};

/// (sku, name, category, price in cents, weight g, policy, stock east, stock west)
type Row = (&'static str, &'static str, &'static str, i64, i64, &'static str, i64, i64);

const PRODUCTS: [Row; 32] = [
    ("TEE-BLK-S", "Organic tee, black, S", "apparel", 2400, 180, "deny", 40, 15),
    ("TEE-BLK-M", "Organic tee, black, M", "apparel", 2400, 190, "deny", 60, 20),
    ("TEE-BLK-L", "Organic tee, black, L", "apparel", 2400, 200, "deny", 35, 0),
    ("TEE-WHT-M", "Organic tee, white, M", "apparel", 2400, 190, "deny", 3, 2),
    ("HOODIE-GRY-M", "Heavyweight hoodie, grey, M", "apparel", 6900, 750, "backorder", 4, 0),
    ("HOODIE-GRY-L", "Heavyweight hoodie, grey, L", "apparel", 6900, 800, "backorder", 0, 0),
    ("CAP-NAVY", "Six-panel cap, navy", "apparel", 2900, 120, "deny", 25, 25),
    ("SOCKS-3PK", "Merino socks, 3 pack", "apparel", 1900, 150, "deny", 80, 40),
    ("JACKET-RAIN", "Packable rain jacket", "apparel", 12900, 420, "backorder", 6, 2),
    ("SCARF-WOOL", "Lambswool scarf", "apparel", 4500, 200, "deny", 0, 12),
    ("MUG-STONE", "Stoneware mug", "home", 1450, 450, "deny", 30, 30),
    ("MUG-ENAMEL", "Enamel camp mug", "home", 1600, 220, "deny", 18, 0),
    ("CANDLE-CEDAR", "Cedar candle", "home", 2800, 380, "deny", 22, 10),
    ("BLANKET-WOOL", "Wool throw blanket", "home", 11900, 1600, "backorder", 2, 1),
    ("PLANTER-S", "Terracotta planter, small", "home", 1800, 900, "deny", 14, 14),
    ("PLANTER-L", "Terracotta planter, large", "home", 4200, 3200, "deny", 5, 0),
    ("LAMP-DESK", "Brass desk lamp", "home", 8900, 1400, "dropship", 0, 0),
    ("DESK-OAK", "Oak standing desk", "home", 64900, 32000, "dropship", 0, 0),
    ("CHAIR-ASH", "Ash dining chair", "home", 24900, 6500, "dropship", 0, 0),
    ("TOWEL-SET", "Linen towel set", "home", 5400, 1100, "deny", 9, 9),
    ("BOOK-RUST", "The Rust Book (print)", "books", 3995, 900, "deny", 25, 10),
    ("BOOK-SQL", "SQL for Shopkeepers", "books", 2995, 700, "deny", 12, 0),
    ("BOOK-DESIGN", "Designing Data Systems", "books", 4495, 1100, "backorder", 1, 0),
    ("BOOK-COOK", "One-Pan Dinners", "books", 2495, 850, "deny", 20, 20),
    ("NOTEBOOK-A5", "Dot-grid notebook, A5", "books", 1500, 300, "deny", 100, 60),
    ("PEN-SET", "Fineliner pen set", "books", 1200, 90, "deny", 70, 30),
    ("COFFEE-HOUSE", "House blend coffee, 500 g", "pantry", 1650, 520, "deny", 50, 50),
    ("COFFEE-DECAF", "Decaf coffee, 500 g", "pantry", 1750, 520, "deny", 8, 0),
    ("TEA-EARL", "Earl Grey tea, 100 g", "pantry", 1100, 120, "deny", 40, 25),
    ("HONEY-RAW", "Raw wildflower honey", "pantry", 1400, 480, "deny", 16, 16),
    ("CHOC-DARK", "Dark chocolate bar 70%", "pantry", 450, 100, "deny", 200, 100),
    ("GIFT-CARD-50", "Gift card, $50", "pantry", 5000, 0, "deny", 1000, 0),
];

/// Loads the demo shop unless the store already has products.
pub async fn seed_if_empty(store: &Store) -> Result<(), StoreError> {
    if !store.products(None, &[], None, 1).await?.is_empty() {
        return Ok(());
    }
    store.put_location("east", "East warehouse (Newark)", 1).await?;
    // The storefront (`web`) comes with every store; the demo also sells in its shop and on two
    // marketplaces (no webhooks: an admin gives each its URL).
    for (code, name, kind) in
        [("pos", "Shop counter", "pos"), ("amazon", "Amazon", "marketplace"), ("ebay", "eBay", "marketplace")]
    {
        let write = ChannelWrite {
            name: name.into(),
            kind,
            webhook_url: None,
            secret: None,
            active: true,
            inventory_sync: false,
            event_feed: false,
        };
        store.create_channel(code, &write).await?;
    }
    // The dropship partner the demo's dropship products name (no webhook: an admin gives it one).
    // Its parcels carry its own return address as the sender.
    let address = ordo_core::values::AddressInput {
        name: "Northwood Furniture".into(),
        line1: "4 Mill Road".into(),
        city: "Grand Rapids".into(),
        region: Some("MI".into()),
        postal_code: "49503".into(),
        country: "US".into(),
        ..Default::default()
    };
    let northwood = SupplierWrite {
        name: "Northwood Furniture".into(),
        email: Some("orders@northwood.example".into()),
        webhook_url: None,
        secret: None,
        lead_time_days: 10,
        active: true,
        address: ordo_core::values::PostalAddress::parse(&address).ok(),
        label_sender: ordo_core::supplier::LabelSender::Supplier,
    };
    store.create_supplier("northwood", &northwood).await?;
    store.put_location("west", "West warehouse (Reno)", 2).await?;
    for (index, (sku, name, category, price, weight, policy, east, west)) in PRODUCTS.into_iter().enumerate()
    {
        let product = ProductRow {
            sku: sku.into(),
            name: name.into(),
            category: category.into(),
            description: String::new(),
            price,
            currency: "USD".into(),
            active: true,
            min_per_order: None,
            max_per_order: Some(if category == "pantry" { 50 } else { 10 }),
            policy: policy.into(),
            lead_time_days: (policy == "backorder").then_some(21),
            supplier: (policy == "dropship").then(|| "northwood".to_owned()),
            weight_grams: weight,
            tax_class: if category == "books" { "reduced".into() } else { "standard".into() },
            reorder_point: 5,
        };
        store.put_product(&product).await?;
        if policy != "dropship" {
            store.put_stock(sku, "east", east, "seed").await?;
            store.put_stock(sku, "west", west, "seed").await?;
            // Aisle by category, shelf and bin by position: "B-04-2".
            let aisle =
                ["apparel", "home", "books", "pantry"].iter().position(|c| *c == category).unwrap_or(4);
            let bin = format!(
                "{}-{:02}-{}",
                char::from(b'A' + u8::try_from(aisle).unwrap_or(4)),
                index + 1,
                index % 3 + 1
            );
            store.put_bin(sku, "east", &bin).await?;
            store.put_bin(sku, "west", &bin).await?;
        }
    }
    let today = Utc::now().date_naive();
    let in_days = |d| today.checked_add_days(Days::new(d)).unwrap_or(today);
    // Harbor restocks the shelves: what it supplies at what cost, and three orders on their way.
    let harbor = SupplierWrite {
        name: "Harbor Supply Co.".into(),
        email: Some("orders@harbor.example".into()),
        webhook_url: None,
        secret: None,
        lead_time_days: 21,
        active: true,
        address: None,
        label_sender: ordo_core::supplier::LabelSender::Shop,
    };
    store.create_supplier("harbor", &harbor).await?;
    for (sku, theirs, cost) in [
        ("HOODIE-GRY-L", "HB-HD-GL", 1_850),
        ("HOODIE-GRY-M", "HB-HD-GM", 1_850),
        ("BOOK-DESIGN", "HB-BK-114", 1_420),
        ("BLANKET-WOOL", "HB-BW-02", 3_900),
    ] {
        store.put_supplier_item("harbor", sku, Some(theirs), cost).await?;
    }
    for (location, days, lines) in [
        ("east", 9, vec![("HOODIE-GRY-L", 40, 1_850), ("HOODIE-GRY-M", 30, 1_850)]),
        ("east", 5, vec![("BOOK-DESIGN", 20, 1_420)]),
        ("west", 14, vec![("BLANKET-WOOL", 10, 3_900)]),
    ] {
        let lines: Vec<PoLine> = lines
            .into_iter()
            .map(|(sku, quantity, unit_cost)| PoLine { sku: sku.into(), quantity, received: 0, unit_cost })
            .collect();
        let id = format!("po_{}", ulid::Ulid::new().to_string().to_lowercase());
        let number = ordo_core::purchasing::number(store.claim_po_number().await?);
        let head =
            NewPurchaseOrder { id: &id, number: &number, supplier: "harbor", location, currency: "USD" };
        let write = PoWrite {
            status: PoStatus::Sent,
            expected_on: in_days(days),
            lines: &lines,
            received: &[],
            webhooks: &[],
        };
        store.create_purchase_order(&head, &write).await?;
    }
    store.set_rules(&demo_rules()).await
}

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::Usd)
}

fn country(code: &str) -> Vec<CountryCode> {
    CountryCode::parse(code).into_iter().collect()
}

/// Coupons, shipping zones and tax rates of the demo shop.
pub fn demo_rules() -> Rules {
    let coupon = |code: &str, discount, min: Option<i64>, stackable| Coupon {
        code: code.into(),
        discount,
        min_subtotal: min.map(usd),
        valid_from: None,
        valid_until: None,
        stackable,
    };
    let rate = |c: &str, region: Option<&str>, class, bp| TaxRate {
        country: CountryCode::parse(c).unwrap_or_else(|_| country("US").remove(0)),
        region: region.map(str::to_owned),
        class,
        basis_points: bp,
    };
    Rules {
        coupons: vec![
            coupon("WELCOME10", CouponDiscount::Percent { basis_points: 1000 }, None, false),
            coupon("FIVEOFF", CouponDiscount::Fixed { amount: usd(500) }, Some(3000), true),
            coupon("FREESHIP", CouponDiscount::FreeShipping, None, true),
            coupon("BIGSPEND", CouponDiscount::Fixed { amount: usd(2500) }, Some(20000), false),
        ],
        allow_coupon_stacking: true,
        shipping: vec![
            ShippingZone {
                name: "United States".into(),
                countries: country("US"),
                options: vec![
                    ShippingOption {
                        code: "ground".into(),
                        name: "Ground (3–5 days)".into(),
                        rate: ShippingRate::WeightBands {
                            bands: vec![
                                WeightBand { up_to_grams: 1000, amount: usd(595) },
                                WeightBand { up_to_grams: 5000, amount: usd(995) },
                                WeightBand { up_to_grams: 40000, amount: usd(2495) },
                            ],
                        },
                        free_above: Some(usd(7500)),
                        transit_days: 4,
                    },
                    ShippingOption {
                        code: "express".into(),
                        name: "Express (1–2 days)".into(),
                        rate: ShippingRate::Flat { amount: usd(2400) },
                        free_above: None,
                        transit_days: 1,
                    },
                ],
            },
            ShippingZone {
                name: "Canada".into(),
                countries: country("CA"),
                options: vec![ShippingOption {
                    code: "intl".into(),
                    name: "International".into(),
                    rate: ShippingRate::Flat { amount: usd(2900) },
                    free_above: None,
                    transit_days: 7,
                }],
            },
        ],
        tax: TaxRules {
            prices_include_tax: false,
            rates: vec![
                rate("US", None, TaxClass::Standard, 600),
                rate("US", Some("CA"), TaxClass::Standard, 725),
                rate("US", Some("NY"), TaxClass::Standard, 888),
                rate("US", None, TaxClass::Reduced, 200),
                rate("CA", None, TaxClass::Standard, 500),
            ],
        },
        max_lines: 50,
        returns: ReturnPolicy { window_days: 30, restocking_fee_bp: 0 },
        confirm_on_capture: false,
        capture: ordo_core::order::CapturePolicy::OnShipment,
        ship_when_capture_fails: false,
        rejected_dropship: RejectedDropship::CancelAndRefund,
    }
}
