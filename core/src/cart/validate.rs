//! The cart validation algorithm: lines, coupons, address, contact, shipping, tax, totals.

use chrono::{DateTime, Utc};

use super::check::{CartCheck, Fulfilment, Issue, IssueCode, LineTotals, Severity, Totals};
use super::rules::{Coupon, CouponDiscount, Rules, ShippingRate};
use super::{Cart, CartStage, contact};
use crate::catalog::{Catalog, CatalogItem, OutOfStockPolicy, TaxClass};
use crate::money::{Currency, Money, MoneyError};
use crate::text;
use crate::values::{PostalAddress, Quantity, QuantityError, Sku, SkuError};

/// Checks a cart against a catalog snapshot and the shop's rules at instant `now`.
///
/// Reports every issue (not only the first) and prices whatever can be priced.
/// Rounding: percentages and tax are rounded half away from zero per line; a cart-level
/// discount is spread over lines by largest remainder, so line amounts always add up to
/// the cart amounts exactly.
pub fn validate(cart: &Cart, catalog: &Catalog, rules: &Rules, now: DateTime<Utc>) -> CartCheck {
    let mut issues = Issues::default();
    let currency = match Currency::parse(&cart.currency) {
        Ok(c) => Some(c),
        Err(_) => {
            issues.error(
                IssueCode::CurrencyUnknown,
                "currency",
                format!("\"{}\" is not a currency we accept.", cart.currency.trim()),
            );
            None
        }
    };

    let lines = check_lines(cart, catalog, rules, currency, now, &mut issues);
    let address = check_address(cart, &mut issues);
    check_email(cart, &mut issues);

    let totals = currency.and_then(|currency| {
        match price(cart, rules, currency, &lines, address.as_ref(), now, &mut issues) {
            Ok(totals) => Some(totals),
            Err(_) => {
                issues.error(
                    IssueCode::TotalOutOfRange,
                    "lines",
                    "The cart's amounts are too large to add up.".to_owned(),
                );
                None
            }
        }
    });

    let issues = issues.0;
    CartCheck { ok: !issues.iter().any(|i| i.severity == Severity::Error), totals, issues }
}

#[derive(Default)]
struct Issues(Vec<Issue>);

impl Issues {
    fn push(&mut self, code: IssueCode, severity: Severity, path: impl Into<String>, message: String) {
        self.0.push(Issue { code, path: path.into(), severity, message });
    }
    fn error(&mut self, code: IssueCode, path: impl Into<String>, message: String) {
        self.push(code, Severity::Error, path, message);
    }
    fn warning(&mut self, code: IssueCode, path: impl Into<String>, message: String) {
        self.push(code, Severity::Warning, path, message);
    }
}

/// A line that can be priced.
struct PricedLine<'a> {
    index: usize,
    item: &'a CatalogItem,
    quantity: Quantity,
    fulfilment: Fulfilment,
}

fn check_lines<'a>(
    cart: &Cart,
    catalog: &'a Catalog,
    rules: &Rules,
    currency: Option<Currency>,
    now: DateTime<Utc>,
    issues: &mut Issues,
) -> Vec<PricedLine<'a>> {
    if cart.lines.is_empty() {
        issues.error(IssueCode::CartEmpty, "lines", "Your cart is empty.".to_owned());
    }
    if cart.lines.len() > usize::from(rules.max_lines) {
        issues.error(
            IssueCode::CartTooManyLines,
            "lines",
            format!("A cart may hold at most {} lines.", rules.max_lines),
        );
    }
    let skus: Vec<Result<&str, SkuError>> = cart.lines.iter().map(|line| Sku::check(&line.sku)).collect();
    let items: Vec<Option<&CatalogItem>> =
        skus.iter().map(|sku| sku.as_ref().ok().and_then(|sku| catalog.find(sku))).collect();
    let first_lines = first_lines(&skus, &items);
    let mut priced = Vec::with_capacity(cart.lines.len());
    for (index, line) in cart.lines.iter().enumerate() {
        let sku_path = || format!("lines[{index}].sku");
        let qty_path = || format!("lines[{index}].quantity");
        let sku = match &skus[index] {
            Ok(sku) => Some(sku),
            Err(e) => {
                issues.error(
                    IssueCode::InvalidSku,
                    sku_path(),
                    format!("\"{}\" is not a valid SKU: {e}.", line.sku),
                );
                None
            }
        };
        let quantity = match Quantity::parse(line.quantity) {
            Ok(q) => Some(q),
            Err(e) => {
                let message = match e {
                    QuantityError::TooSmall => "Quantity must be at least 1.".to_owned(),
                    QuantityError::TooLarge => {
                        format!("Quantity must be at most {}.", Quantity::MAX)
                    }
                };
                issues.error(IssueCode::InvalidQuantity, qty_path(), message);
                None
            }
        };
        let Some(sku) = sku else { continue };
        if let Some(first) = first_lines[index] {
            issues.error(
                IssueCode::DuplicateLine,
                sku_path(),
                format!(
                    "{sku} is already in the cart on line {}; change the quantity there instead.",
                    first + 1
                ),
            );
            continue;
        }
        let Some(item) = items[index] else {
            issues.error(IssueCode::UnknownSku, sku_path(), format!("We have no product with SKU {sku}."));
            continue;
        };
        let name = &item.name;
        if !item.active {
            issues.error(IssueCode::InactiveProduct, sku_path(), format!("\"{name}\" is no longer sold."));
        }
        if let Some(currency) = currency
            && item.unit_price.currency() != currency
        {
            issues.error(
                IssueCode::CurrencyMismatch,
                sku_path(),
                format!("\"{name}\" is priced in {}, not {currency}.", item.unit_price.currency()),
            );
            continue;
        }
        let Some(quantity) = quantity else { continue };
        let q = quantity.get();
        if let Some(min) = item.min_per_order
            && q < min.get()
        {
            issues.error(
                IssueCode::QtyBelowMin,
                qty_path(),
                format!("\"{name}\" is sold in quantities of at least {min}."),
            );
        }
        if let Some(max) = item.max_per_order
            && q > max.get()
        {
            issues.error(
                IssueCode::QtyAboveMax,
                qty_path(),
                format!("At most {max} of \"{name}\" can be ordered at once."),
            );
        }
        let fulfilment = fulfilment(item, q, now);
        match &fulfilment {
            Fulfilment::InStock => {}
            Fulfilment::Unavailable { available: 0 } => {
                issues.error(IssueCode::OutOfStock, qty_path(), format!("\"{name}\" is out of stock."));
            }
            Fulfilment::Unavailable { available } => issues.error(
                IssueCode::OutOfStock,
                qty_path(),
                format!(
                    "Only {available} of \"{name}\" {} in stock.",
                    if *available == 1 { "is" } else { "are" }
                ),
            ),
            Fulfilment::Backorder { quantity, promised } => {
                let what = match *quantity {
                    n if n == q => format!("\"{name}\" is"),
                    1 => format!("1 of \"{name}\" is"),
                    n => format!("{n} of \"{name}\" are"),
                };
                issues.warning(
                    IssueCode::Backordered,
                    qty_path(),
                    format!("{what} on backorder and will ship by {}.", text::date(*promised)),
                );
            }
            Fulfilment::Dropship { quantity, .. } => {
                let what = match *quantity {
                    n if n == q => format!("\"{name}\" ships"),
                    1 => format!("1 of \"{name}\" ships"),
                    n => format!("{n} of \"{name}\" ship"),
                };
                issues.warning(
                    IssueCode::Dropshipped,
                    qty_path(),
                    format!("{what} separately, directly from our supplier."),
                );
            }
        }
        priced.push(PricedLine { index, item, quantity, fulfilment });
    }
    priced
}

/// For each line, the first earlier line with the same valid SKU, if any (that line is a duplicate).
/// Lines of the same catalog item have the same SKU, so they are found by the items' addresses
/// (numbers, not strings) in a small open-addressing table; only the SKUs the catalog lacks are
/// sorted as text. No hasher in the browser module.
fn first_lines(skus: &[Result<&str, SkuError>], items: &[Option<&CatalogItem>]) -> Vec<Option<usize>> {
    let mut first = vec![None; skus.len()];
    // At least twice as many slots as lines, so probes are short. A slot holds (address, line);
    // no item is at address 0.
    let mask = (skus.len() * 2).next_power_of_two() - 1;
    let mut seen: Vec<(usize, usize)> = vec![(0, 0); mask + 1];
    let mut unknown: Vec<(&str, usize)> = Vec::new();
    for (line, (sku, item)) in skus.iter().zip(items).enumerate() {
        match (sku, item) {
            (_, Some(item)) => {
                let address = std::ptr::from_ref::<CatalogItem>(item) as usize;
                let mut slot = ((address as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & mask;
                loop {
                    match seen[slot] {
                        (0, _) => {
                            seen[slot] = (address, line);
                            break;
                        }
                        (at, earlier) if at == address => {
                            first[line] = Some(earlier);
                            break;
                        }
                        _ => slot = (slot + 1) & mask,
                    }
                }
            }
            (Ok(sku), None) => unknown.push((sku, line)),
            (Err(_), None) => {}
        }
    }
    unknown.sort_unstable();
    for run in unknown.chunk_by(|a, b| a.0 == b.0) {
        for &(_, line) in &run[1..] {
            first[line] = Some(run[0].1);
        }
    }
    first
}

fn fulfilment(item: &CatalogItem, quantity: u32, now: DateTime<Utc>) -> Fulfilment {
    if quantity <= item.available {
        return Fulfilment::InStock;
    }
    let short = quantity - item.available;
    match &item.policy {
        OutOfStockPolicy::Deny => Fulfilment::Unavailable { available: item.available },
        OutOfStockPolicy::Backorder { .. } => {
            match item.backorder_promise(now.date_naive(), quantity - item.available) {
                Some(promised) => Fulfilment::Backorder { quantity: short, promised },
                None => Fulfilment::Unavailable { available: item.available },
            }
        }
        OutOfStockPolicy::Dropship { supplier } => {
            Fulfilment::Dropship { quantity: short, supplier: supplier.clone() }
        }
    }
}

fn check_address(cart: &Cart, issues: &mut Issues) -> Option<PostalAddress> {
    let Some(input) = &cart.shipping_address else {
        if cart.stage == CartStage::Checkout {
            issues.error(
                IssueCode::AddressRequired,
                "shippingAddress",
                "Enter a shipping address.".to_owned(),
            );
        }
        return None;
    };
    match contact::check_address(input, "shippingAddress") {
        Ok(address) => Some(address),
        Err(found) => {
            issues.0.extend(found);
            None
        }
    }
}

fn check_email(cart: &Cart, issues: &mut Issues) {
    match cart.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None if cart.stage == CartStage::Checkout => {
            issues.error(
                IssueCode::EmailRequired,
                "email",
                "Enter an e-mail address for the order confirmation.".to_owned(),
            );
        }
        None => {}
        Some(raw) => {
            if let Err(issue) = contact::check_email(raw, "email") {
                issues.0.push(issue);
            }
        }
    }
}

/// Coupons that passed every check, in the order entered.
fn check_coupons<'r>(
    cart: &Cart,
    rules: &'r Rules,
    currency: Currency,
    subtotal: Money,
    now: DateTime<Utc>,
    issues: &mut Issues,
) -> Vec<&'r Coupon> {
    let mut applied: Vec<&Coupon> = Vec::new();
    let mut entered: Vec<&Coupon> = Vec::new();
    for (index, typed) in cart.coupons.iter().enumerate() {
        let path = format!("coupons[{index}]");
        let shown = typed.trim();
        let Some(coupon) = rules.coupons.iter().find(|c| c.matches(typed)) else {
            issues.error(IssueCode::CouponUnknown, path, format!("Coupon \"{shown}\" does not exist."));
            continue;
        };
        if entered.iter().any(|c| std::ptr::eq(*c, coupon)) {
            issues.error(IssueCode::CouponDuplicate, path, format!("Coupon \"{shown}\" is already applied."));
            continue;
        }
        entered.push(coupon);
        let code = &coupon.code;
        if coupon.valid_from.is_some_and(|from| now < from) {
            issues.error(IssueCode::CouponNotYetValid, path, format!("Coupon {code} is not valid yet."));
            continue;
        }
        if coupon.valid_until.is_some_and(|until| now >= until) {
            issues.error(IssueCode::CouponExpired, path, format!("Coupon {code} has expired."));
            continue;
        }
        let fixed_currency = match &coupon.discount {
            CouponDiscount::Fixed { amount } => Some(amount.currency()),
            _ => None,
        };
        let foreign =
            fixed_currency.into_iter().chain(coupon.min_subtotal.map(Money::currency)).any(|c| c != currency);
        if foreign {
            issues.error(
                IssueCode::CouponCurrencyMismatch,
                path,
                format!("Coupon {code} cannot be used when paying in {currency}."),
            );
            continue;
        }
        if let Some(min) = coupon.min_subtotal
            && subtotal.amount() < min.amount()
        {
            issues.error(
                IssueCode::CouponMinSubtotal,
                path,
                format!("Coupon {code} needs an order of at least {}.", min.display()),
            );
            continue;
        }
        if let Some(first) = applied.first() {
            let stacks =
                rules.allow_coupon_stacking && coupon.stackable && applied.iter().all(|c| c.stackable);
            if !stacks {
                issues.error(
                    IssueCode::CouponNotStackable,
                    path,
                    format!("Coupon {code} cannot be combined with coupon {}.", first.code),
                );
                continue;
            }
        }
        applied.push(coupon);
    }
    applied
}

fn price(
    cart: &Cart,
    rules: &Rules,
    currency: Currency,
    lines: &[PricedLine<'_>],
    address: Option<&PostalAddress>,
    now: DateTime<Utc>,
    issues: &mut Issues,
) -> Result<Totals, MoneyError> {
    let mut line_subtotals = Vec::with_capacity(lines.len()); // (collecting `Result`s grows it step by step)
    for line in lines {
        line_subtotals.push(line.item.unit_price.checked_mul(i64::from(line.quantity.get()))?);
    }
    let subtotal = Money::sum(currency, line_subtotals.iter().copied())?;
    let weight_grams: u64 =
        lines.iter().map(|l| u64::from(l.item.weight_grams) * u64::from(l.quantity.get())).sum();

    // Coupons: percentages of the goods subtotal and fixed amounts add up, capped at the subtotal.
    let coupons = check_coupons(cart, rules, currency, subtotal, now, issues);
    let mut discount = Money::zero(currency);
    let mut free_shipping = false;
    for coupon in &coupons {
        match &coupon.discount {
            CouponDiscount::Percent { basis_points } => {
                discount = discount.checked_add(subtotal.percent_bp((*basis_points).min(10_000))?)?;
            }
            CouponDiscount::Fixed { amount } => discount = discount.checked_add(*amount)?,
            CouponDiscount::FreeShipping => free_shipping = true,
        }
    }
    let discount = discount.min(subtotal)?;
    let weights: Vec<u64> = line_subtotals.iter().map(|m| m.amount().max(0) as u64).collect();
    let line_discounts = if lines.is_empty() { Vec::new() } else { discount.split(&weights)? };
    let goods = subtotal.checked_sub(discount)?;

    // Shipping and tax need a destination.
    let mut shipping = Money::zero(currency);
    let mut shipping_tax = Money::zero(currency);
    let mut shipping_option = None;
    let mut line_taxes = vec![Money::zero(currency); lines.len()];
    let mut line_rates = vec![0u32; lines.len()];
    let mut shipping_tax_rate_bp = 0;
    let include = rules.tax.prices_include_tax;
    if let Some(address) = address {
        let country = address.country();
        // No options (no zone serves the country, or its zone has none): the shop does not ship there.
        let options = rules.shipping_options(country);
        let chosen = cart.shipping_option.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let option = match chosen {
            _ if options.is_empty() => {
                issues.error(
                    IssueCode::ShippingUnavailable,
                    "shippingAddress.country",
                    format!("We do not ship to {country}."),
                );
                None
            }
            None => options.first(),
            Some(code) => {
                let found = rules.shipping_option(country, code);
                if found.is_none() {
                    issues.error(
                        IssueCode::ShippingOptionUnknown,
                        "shippingOption",
                        format!("Shipping option \"{code}\" is not available to {country}."),
                    );
                }
                found
            }
        };
        if let Some(option) = option {
            shipping_option = Some(option.code.clone());
            let rate = match &option.rate {
                ShippingRate::Flat { amount } => Some(*amount),
                ShippingRate::WeightBands { bands } => {
                    let band = bands.iter().find(|b| u64::from(b.up_to_grams) >= weight_grams);
                    if band.is_none() {
                        let heaviest = bands.iter().map(|b| b.up_to_grams).max().unwrap_or(0);
                        issues.error(
                            IssueCode::ShippingWeightExceeded,
                            "shippingOption",
                            format!(
                                "{} cannot ship parcels over {} kg; this order weighs {} kg.",
                                option.name,
                                kg(u64::from(heaviest)),
                                kg(weight_grams)
                            ),
                        );
                    }
                    band.map(|b| b.amount)
                }
            };
            let free_by_threshold =
                option.free_above.is_some_and(|t| t.currency() == currency && goods.amount() >= t.amount());
            match rate {
                Some(rate) if rate.currency() != currency => issues.error(
                    IssueCode::ShippingCurrencyMismatch,
                    "shippingOption",
                    format!("{} is not available when paying in {currency}.", option.name),
                ),
                Some(rate) if !free_shipping && !free_by_threshold && !lines.is_empty() => {
                    shipping = rate;
                }
                _ => {}
            }
        }
        let region = address.region();
        // One lookup per class, not per line.
        let [standard, reduced, zero] = [TaxClass::Standard, TaxClass::Reduced, TaxClass::Zero]
            .map(|class| rules.tax.rate_for(country, region, class));
        let rate = |class| match class {
            TaxClass::Standard => standard,
            TaxClass::Reduced => reduced,
            TaxClass::Zero => zero,
        };
        for (i, line) in lines.iter().enumerate() {
            let bp = rate(line.item.tax_class);
            line_rates[i] = bp;
            let taxable = line_subtotals[i].checked_sub(line_discounts[i])?;
            line_taxes[i] = if include { taxable.included_tax_bp(bp)? } else { taxable.percent_bp(bp)? };
        }
        let bp = standard;
        shipping_tax_rate_bp = bp;
        shipping_tax = if include { shipping.included_tax_bp(bp)? } else { shipping.percent_bp(bp)? };
    }

    let mut priced_lines = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let net = line_subtotals[i].checked_sub(line_discounts[i])?;
        let total = if include { net } else { net.checked_add(line_taxes[i])? };
        priced_lines.push(LineTotals {
            index: line.index,
            sku: line.item.sku.clone(),
            name: line.item.name.clone(),
            quantity: line.quantity,
            unit_price: line.item.unit_price,
            subtotal: line_subtotals[i],
            discount: line_discounts[i],
            tax: line_taxes[i],
            tax_rate_bp: line_rates[i],
            total,
            fulfilment: line.fulfilment.clone(),
        });
    }
    let tax = Money::sum(currency, line_taxes.iter().copied())?.checked_add(shipping_tax)?;
    let mut grand_total = goods.checked_add(shipping)?;
    if !include {
        grand_total = grand_total.checked_add(tax)?;
    }
    Ok(Totals {
        prices_include_tax: include,
        subtotal,
        discount,
        shipping,
        shipping_tax,
        shipping_tax_rate_bp,
        tax,
        grand_total,
        weight_grams,
        coupons: coupons.iter().map(|c| c.code.clone()).collect(),
        shipping_option,
        lines: priced_lines,
    })
}

/// Grams as kilograms with up to three decimals: `2.5`, `30`.
fn kg(grams: u64) -> String {
    let whole = grams / 1000;
    let rest = grams % 1000;
    if rest == 0 { whole.to_string() } else { format!("{whole}.{rest:03}").trim_end_matches('0').to_owned() }
}
