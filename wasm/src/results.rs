//! The storefront module's results written straight to the wire, value by value as their serde derives would.
//!
//! `validateCart` and `cartTotals` run on every keystroke; their results (a 50-line cart's has
//! 300 objects) took serde's generic calls per field, each also checking the struct's guessed
//! shape. Here each type writes its fixed shape and its values. The tests below write
//! every type and variant both ways and require the same values and shapes, so a renamed or
//! added field in ordo-core fails them instead of drifting.

use ordo_core::cart::{CartCheck, Fulfilment, Issue, LineTotals, Severity, Totals};
use ordo_core::money::Money;
use ordo_core::rfc3339::format_date;

use ordo_wire::{Error, FixedShape, Writer};

type Result = std::result::Result<(), Error>;

/// A value written straight to a [`Writer`], for results returned at keystroke rate: the same
/// values and shapes as its `Serialize` writes (tested for every result type and variant), without
/// serde's calls per field and the per-field check of a guessed shape.
pub(crate) trait Direct {
    fn write(&self, w: &mut Writer<'_>) -> Result;
}

/// One shape per struct (and per variant: `{ backorder: {…} }` is two objects).
const CART_CHECK: FixedShape = FixedShape { slot: 0, names: &["ok", "totals", "issues"] };
const TOTALS: FixedShape = FixedShape {
    slot: 1,
    names: &[
        "pricesIncludeTax",
        "subtotal",
        "discount",
        "shipping",
        "shippingTax",
        "shippingTaxRateBp",
        "tax",
        "grandTotal",
        "weightGrams",
        "coupons",
        "shippingOption",
        "lines",
    ],
};
const LINE_TOTALS: FixedShape = FixedShape {
    slot: 2,
    names: &[
        "index",
        "sku",
        "name",
        "quantity",
        "unitPrice",
        "subtotal",
        "discount",
        "tax",
        "taxRateBp",
        "total",
        "fulfilment",
    ],
};
const MONEY: FixedShape = FixedShape { slot: 3, names: &["amount", "currency"] };
const ISSUE: FixedShape = FixedShape { slot: 4, names: &["code", "path", "severity", "message"] };
const BACKORDER: FixedShape = FixedShape { slot: 5, names: &["backorder"] };
const BACKORDER_FIELDS: FixedShape = FixedShape { slot: 6, names: &["quantity", "promised"] };
const DROPSHIP: FixedShape = FixedShape { slot: 7, names: &["dropship"] };
const DROPSHIP_FIELDS: FixedShape = FixedShape { slot: 8, names: &["quantity", "supplier"] };
const UNAVAILABLE: FixedShape = FixedShape { slot: 9, names: &["unavailable"] };
const UNAVAILABLE_FIELDS: FixedShape = FixedShape { slot: 10, names: &["available"] };

impl Direct for CartCheck {
    fn write(&self, w: &mut Writer<'_>) -> Result {
        w.object_of(&CART_CHECK, |w| {
            w.bool(self.ok);
            self.totals.write(w)?;
            w.array(self.issues.len())?;
            self.issues.iter().try_for_each(|issue| issue.write(w))
        })
    }
}

impl Direct for Option<Totals> {
    fn write(&self, w: &mut Writer<'_>) -> Result {
        match self {
            Some(totals) => totals.write(w),
            None => {
                w.null();
                Ok(())
            }
        }
    }
}

impl Direct for Totals {
    fn write(&self, w: &mut Writer<'_>) -> Result {
        w.object_of(&TOTALS, |w| {
            w.bool(self.prices_include_tax);
            for money in [self.subtotal, self.discount, self.shipping, self.shipping_tax] {
                money.write(w)?;
            }
            w.unsigned(self.shipping_tax_rate_bp.into())?;
            for money in [self.tax, self.grand_total] {
                money.write(w)?;
            }
            w.unsigned(self.weight_grams)?;
            w.array(self.coupons.len())?;
            for code in &self.coupons {
                w.string(code)?;
            }
            match &self.shipping_option {
                Some(code) => w.string(code)?,
                None => w.null(),
            }
            w.array(self.lines.len())?;
            self.lines.iter().try_for_each(|line| line.write(w))
        })
    }
}

impl Direct for LineTotals {
    fn write(&self, w: &mut Writer<'_>) -> Result {
        w.object_of(&LINE_TOTALS, |w| {
            w.unsigned(self.index as u64)?;
            w.string(self.sku.as_str())?;
            w.string(&self.name)?;
            w.unsigned(self.quantity.get().into())?;
            for money in [self.unit_price, self.subtotal, self.discount, self.tax] {
                money.write(w)?;
            }
            w.unsigned(self.tax_rate_bp.into())?;
            self.total.write(w)?;
            self.fulfilment.write(w)
        })
    }
}

impl Direct for Money {
    fn write(&self, w: &mut Writer<'_>) -> Result {
        w.amount_and_code(&MONEY, self.amount(), self.currency().code())
    }
}

impl Direct for Fulfilment {
    fn write(&self, w: &mut Writer<'_>) -> Result {
        match self {
            Fulfilment::InStock => w.static_string("inStock"),
            Fulfilment::Backorder { quantity, promised } => w.object_of(&BACKORDER, |w| {
                w.object_of(&BACKORDER_FIELDS, |w| {
                    w.unsigned((*quantity).into())?;
                    w.string(&format_date(*promised))
                })
            }),
            Fulfilment::Dropship { quantity, supplier } => w.object_of(&DROPSHIP, |w| {
                w.object_of(&DROPSHIP_FIELDS, |w| {
                    w.unsigned((*quantity).into())?;
                    w.string(supplier)
                })
            }),
            Fulfilment::Unavailable { available } => w.object_of(&UNAVAILABLE, |w| {
                w.object_of(&UNAVAILABLE_FIELDS, |w| w.unsigned((*available).into()))
            }),
        }
    }
}

impl Direct for Issue {
    fn write(&self, w: &mut Writer<'_>) -> Result {
        w.object_of(&ISSUE, |w| {
            w.static_string(self.code.as_str())?;
            w.string(&self.path)?;
            w.static_string(match self.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            })?;
            w.string(&self.message)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::NaiveDate;
    use ordo_core::cart::IssueCode;
    use ordo_core::money::Currency;
    use ordo_core::values::{Quantity, Sku};

    use ordo_wire::reference::Decoder;
    use ordo_wire::{forget_shapes, to_parts, to_parts_written};

    use super::*;

    fn to_parts_direct<T: Direct>(value: &T) -> std::result::Result<(Vec<u32>, String), Error> {
        to_parts_written(|w| value.write(w))
    }

    /// `value` written by serde, then directly, each from a module that has sent no shape yet, then
    /// both again with every shape known: the same values, objects and field names each time.
    /// (Which repeated short strings are sent by number may differ: the table that finds them
    /// is keyed by address, and temporaries land at different ones.)
    fn both_ways<T: Direct + serde::Serialize>(value: &T) {
        forget_shapes();
        let (mut serde_side, mut direct_side) = (Decoder::default(), Decoder::default());
        let by_serde = serde_side.decode(&to_parts(value).unwrap());
        let again_by_serde = serde_side.decode(&to_parts(value).unwrap());
        forget_shapes();
        let direct = direct_side.decode(&to_parts_direct(value).unwrap());
        let again_direct = direct_side.decode(&to_parts_direct(value).unwrap());
        assert_eq!(direct, by_serde, "first output");
        assert_eq!(again_direct, again_by_serde, "with the shapes known");
        assert_eq!(direct_side.shapes, serde_side.shapes, "shapes numbered in the same order");
    }

    fn money(amount: i64) -> Money {
        Money::new(amount, Currency::parse("EUR").unwrap())
    }

    fn line(index: usize, fulfilment: Fulfilment) -> LineTotals {
        LineTotals {
            index,
            sku: Sku::parse("SKU-1").unwrap(),
            name: Arc::from("Crème brûlée ☕"),
            quantity: Quantity::parse(3).unwrap(),
            unit_price: money(1250),
            subtotal: money(3750),
            discount: money(-375),
            tax: money(1 << 40),
            tax_rate_bp: 1900,
            total: money(3375),
            fulfilment,
        }
    }

    fn issue(code: IssueCode, severity: Severity) -> Issue {
        Issue { code, path: "lines[0].quantity".to_owned(), severity, message: "Only 2 in stock.".to_owned() }
    }

    #[test]
    fn every_result_type_and_variant_is_written_as_its_serde_derive_writes_it() {
        let promised = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let totals = Totals {
            prices_include_tax: true,
            subtotal: money(3750),
            discount: money(375),
            shipping: money(0),
            shipping_tax: money(0),
            shipping_tax_rate_bp: 700,
            tax: money(599),
            grand_total: money(3375),
            weight_grams: 450,
            coupons: vec!["TEN".to_owned(), "SHIP".to_owned()],
            shipping_option: Some("ground".to_owned()),
            lines: vec![
                line(0, Fulfilment::InStock),
                line(1, Fulfilment::Backorder { quantity: 2, promised }),
                line(2, Fulfilment::Dropship { quantity: 1, supplier: "Acme".to_owned() }),
                line(4, Fulfilment::Unavailable { available: 0 }),
            ],
        };
        both_ways(&CartCheck {
            ok: false,
            totals: Some(totals.clone()),
            issues: vec![
                issue(IssueCode::OutOfStock, Severity::Error),
                issue(IssueCode::Backordered, Severity::Warning),
            ],
        });
        both_ways(&CartCheck { ok: true, totals: None, issues: Vec::new() });
        both_ways(&Some(Totals { shipping_option: None, coupons: Vec::new(), ..totals }));
        both_ways(&None::<Totals>);
    }

    #[test]
    fn an_amount_beyond_2_pow_53_is_refused_as_by_serde() {
        let check = CartCheck {
            ok: true,
            totals: Some(Totals {
                prices_include_tax: false,
                subtotal: money(1 << 53),
                discount: money(0),
                shipping: money(0),
                shipping_tax: money(0),
                shipping_tax_rate_bp: 0,
                tax: money(0),
                grand_total: money(0),
                weight_grams: 0,
                coupons: Vec::new(),
                shipping_option: None,
                lines: Vec::new(),
            }),
            issues: Vec::new(),
        };
        assert_eq!(
            to_parts_direct(&check).unwrap_err().to_string(),
            to_parts(&check).unwrap_err().to_string()
        );
    }
}
