//! The customer's receipt (invoice) of an order as it stands: the lines still on it with their
//! discount and tax, shipping, one tax line per rate, the total, and what was paid and refunded.
//! Cancelled units are off the receipt exactly as [`remaining_totals`] takes them off the order,
//! so the receipt always adds up to the order's total.

use std::collections::BTreeMap;

use super::{Order, OrderTotals, PlacedOrder, line_share};
use crate::money::Money;

/// One line of the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    pub sku: String,
    pub name: String,
    /// Units still on the order.
    pub quantity: u32,
    pub unit_price: Money,
    /// This line's share of the order's discounts.
    pub discount: Money,
    pub tax: Money,
    /// `None` for orders placed before rates were kept.
    pub tax_rate_bp: Option<u32>,
    /// What the line costs: after discount, with tax when prices exclude it.
    pub total: Money,
}

/// Tax at one rate: on what, and how much.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxLine {
    /// `None`: the rate was not kept (orders placed before rates were).
    pub rate_bp: Option<u32>,
    /// The amount taxed at this rate (net of tax).
    pub taxable: Money,
    pub tax: Money,
}

impl TaxLine {
    /// "Tax 8.25 %" or "Tax".
    pub fn label(&self) -> String {
        match self.rate_bp {
            Some(bp) => format!("Tax {} %", percent(bp)),
            None => "Tax".to_owned(),
        }
    }
}

/// A rate in basis points as a percentage without needless zeros: 825 → "8.25", 1900 → "19".
pub fn percent(bp: u32) -> String {
    let (whole, rest) = (bp / 100, bp % 100);
    match rest {
        0 => whole.to_string(),
        r if r % 10 == 0 => format!("{whole}.{}", r / 10),
        r => format!("{whole}.{r:02}"),
    }
}

/// The receipt of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub lines: Vec<ReceiptLine>,
    /// Units cancelled before they shipped (off the receipt).
    pub cancelled_units: u32,
    pub prices_include_tax: bool,
    pub subtotal: Money,
    pub discount: Money,
    pub shipping: Money,
    /// One line per rate, lowest first; the shipping's tax counts at its rate.
    pub tax_lines: Vec<TaxLine>,
    pub tax: Money,
    pub total: Money,
    /// Money taken so far, and given back.
    pub paid: Money,
    pub refunded: Money,
}

/// The receipt of `order` as it stands now.
pub fn receipt(order: &Order) -> Receipt {
    let cancelled: Vec<u32> = order.lines().iter().map(|l| l.cancelled()).collect();
    let payment = order.payment();
    build(order.placed(), &cancelled, order.totals(), payment.captured(), payment.refunded())
}

/// The receipt of `placed` with `cancelled[i]` units of line `i` cancelled, whose totals are now
/// `totals` (as [`super::remaining_totals`] computes them).
fn build(
    placed: &PlacedOrder,
    cancelled: &[u32],
    totals: &OrderTotals,
    paid: Money,
    refunded: Money,
) -> Receipt {
    let currency = placed.currency;
    let money = |amount: i64| Money::new(amount, currency);
    let t = &placed.totals;
    // Prices exclude tax when the tax was added on top of goods and shipping.
    let prices_include_tax = t.tax.amount() == 0
        || t.grand_total.amount()
            != t.subtotal.amount() - t.discount.amount() + t.shipping.amount() + t.tax.amount();
    let mut lines = Vec::new();
    let mut cancelled_units = 0;
    let mut by_rate: BTreeMap<Option<u32>, (i64, i64)> = BTreeMap::new();
    let mut placed_line_tax = 0i64;
    for (i, placed_line) in placed.lines.iter().enumerate() {
        let gone = cancelled.get(i).copied().unwrap_or(0).min(placed_line.quantity);
        cancelled_units += gone;
        placed_line_tax += placed_line.tax.amount();
        let left = placed_line.quantity - gone;
        if left == 0 {
            continue;
        }
        // What stays of the line, as `remaining_totals` counts it.
        let tax =
            placed_line.tax.amount() - line_share(placed_line.tax, placed_line.quantity, 0, gone).amount();
        let total = placed_line.total.amount()
            - line_share(placed_line.total, placed_line.quantity, 0, gone).amount();
        let gross = placed_line.unit_price.amount().saturating_mul(i64::from(left));
        let net = if prices_include_tax { total } else { total - tax };
        let entry = by_rate.entry(placed_line.tax_rate_bp).or_default();
        entry.0 += if prices_include_tax { net - tax } else { net };
        entry.1 += tax;
        lines.push(ReceiptLine {
            sku: placed_line.sku.as_str().to_owned(),
            name: placed_line.name.clone(),
            quantity: left,
            unit_price: placed_line.unit_price,
            discount: money(gross - net),
            tax: money(tax),
            tax_rate_bp: placed_line.tax_rate_bp,
            total: money(total),
        });
    }
    // The shipping's tax: whatever of the order's tax the lines did not carry when placed.
    let shipping_tax = t.tax.amount() - placed_line_tax;
    if shipping_tax != 0 {
        let entry = by_rate.entry(placed.shipping_tax_rate_bp).or_default();
        entry.0 += if prices_include_tax { t.shipping.amount() - shipping_tax } else { t.shipping.amount() };
        entry.1 += shipping_tax;
    }
    let tax_lines = by_rate
        .into_iter()
        .filter(|(_, (_, tax))| *tax != 0)
        .map(|(rate_bp, (taxable, tax))| TaxLine { rate_bp, taxable: money(taxable), tax: money(tax) })
        .collect();
    Receipt {
        lines,
        cancelled_units,
        prices_include_tax,
        subtotal: totals.subtotal,
        discount: totals.discount,
        shipping: totals.shipping,
        tax_lines,
        tax: totals.tax,
        total: totals.grand_total,
        paid,
        refunded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::remaining_totals;

    use crate::money::Currency;
    use proptest::prelude::*;

    /// An order with `lines` as (unit price, quantity, discount bp, tax bp), prices excluding tax
    /// when `exclusive`, with `shipping` taxed at `shipping_bp`: cancellation's test order with
    /// the rates kept.
    fn placed(
        lines: &[(i64, u32, u32, u32)],
        exclusive: bool,
        shipping: i64,
        shipping_bp: u32,
    ) -> PlacedOrder {
        let tax_of = |net: i64, bp: u32| {
            let bp = i64::from(bp);
            if exclusive { net * bp / 10_000 } else { net * bp / (10_000 + bp) }
        };
        let amounts: Vec<(i64, u32, i64, i64)> = lines
            .iter()
            .map(|&(price, quantity, disc_bp, tax_bp)| {
                let sub = price * i64::from(quantity);
                let discount = sub * i64::from(disc_bp) / 10_000;
                (price, quantity, discount, tax_of(sub - discount, tax_bp))
            })
            .collect();
        let mut order =
            crate::order::cancel::tests::placed(&amounts, exclusive, shipping, tax_of(shipping, shipping_bp));
        for (line, &(.., tax_bp)) in order.lines.iter_mut().zip(lines) {
            line.tax_rate_bp = Some(tax_bp);
        }
        order.shipping_tax_rate_bp = Some(shipping_bp);
        order
    }

    proptest! {
        #[test]
        fn a_receipt_adds_up_to_the_order_total_and_its_tax_lines_to_the_tax(
            lines in proptest::collection::vec((1i64..20_000, 1u32..6, 0u32..3_000, prop_oneof![Just(0u32), Just(700), Just(825), Just(1900)]), 1..6),
            exclusive: bool,
            shipping in 0i64..2_000,
            cancel in proptest::collection::vec(0u32..6, 6),
        ) {
            let placed = placed(&lines, exclusive, shipping, 825);
            let cancelled: Vec<u32> = placed.lines.iter().zip(&cancel).map(|(l, c)| (*c).min(l.quantity)).collect();
            let totals = remaining_totals(&placed, &cancelled);
            let zero = Money::zero(Currency::Usd);
            let r = build(&placed, &cancelled, &totals, zero, zero);
            let lines_total: i64 = r.lines.iter().map(|l| l.total.amount()).sum();
            let shipping_part = placed.totals.grand_total.amount() - placed.lines.iter().map(|l| l.total.amount()).sum::<i64>();
            prop_assert_eq!(lines_total + shipping_part, r.total.amount());
            prop_assert_eq!(r.tax_lines.iter().map(|t| t.tax.amount()).sum::<i64>(), r.tax.amount());
            // Each line: quantity × price − discount (+ tax on top) = its total.
            for l in &r.lines {
                let net = l.unit_price.amount() * i64::from(l.quantity) - l.discount.amount();
                prop_assert_eq!(net + if r.prices_include_tax { 0 } else { l.tax.amount() }, l.total.amount());
            }
            prop_assert_eq!(r.cancelled_units, cancelled.iter().sum::<u32>());
            // Rates are listed once each, lowest first.
            let rates: Vec<_> = r.tax_lines.iter().map(|t| t.rate_bp).collect();
            prop_assert!(rates.windows(2).all(|w| w[0] < w[1]), "{:?}", rates);
        }
    }

    #[test]
    fn rates_print_as_people_write_them() {
        assert_eq!(percent(825), "8.25");
        assert_eq!(percent(1900), "19");
        assert_eq!(percent(550), "5.5");
        assert_eq!(percent(5), "0.05");
        assert_eq!(percent(0), "0");
    }
}
