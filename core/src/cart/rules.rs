//! The shop's pricing rules a cart is checked against: coupons, shipping zones, tax rates.

use chrono::{DateTime, Utc};

use crate::catalog::TaxClass;
use crate::money::Money;
use crate::order::CapturePolicy;
use crate::supplier::RejectedDropship;
use crate::values::CountryCode;

/// Everything besides the catalog that decides what a cart costs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", default)
)]
pub struct Rules {
    /// Coupons a customer may enter.
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<Coupon>>", optional))]
    pub coupons: Vec<Coupon>,
    /// Whether several coupons may apply to one cart (each must also be `stackable`).
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub allow_coupon_stacking: bool,
    /// Shipping zones, searched in order; a zone without countries serves the rest of the world.
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<ShippingZone>>", optional))]
    pub shipping: Vec<ShippingZone>,
    #[cfg_attr(feature = "ts", ts(as = "Option<TaxRules>", optional))]
    pub tax: TaxRules,
    /// Most lines one cart may hold.
    #[cfg_attr(feature = "ts", ts(as = "Option<u16>", optional))]
    pub max_lines: u16,
    /// How returns work for orders placed under these rules.
    #[cfg_attr(feature = "ts", ts(as = "Option<ReturnPolicy>", optional))]
    pub returns: ReturnPolicy,
    /// Confirm orders when their payment is captured instead of when it is authorized.
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub confirm_on_capture: bool,
    /// When orders placed under these rules have their money captured.
    #[cfg_attr(feature = "ts", ts(as = "Option<CapturePolicy>", optional))]
    pub capture: CapturePolicy,
    /// Ship a parcel whose capture is refused and flag the order, rather than not ship it.
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub ship_when_capture_fails: bool,
    /// What happens to a dropship parcel's units when its supplier cannot send them.
    #[cfg_attr(feature = "ts", ts(as = "Option<RejectedDropship>", optional))]
    pub rejected_dropship: RejectedDropship,
}

/// The shop's return terms, copied into each order when it is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", default)
)]
pub struct ReturnPolicy {
    /// Days after delivery within which a return may be requested.
    #[cfg_attr(feature = "ts", ts(as = "Option<u16>", optional))]
    pub window_days: u16,
    /// Fee kept from refunded goods, in basis points (0 for none).
    #[cfg_attr(feature = "ts", ts(as = "Option<u32>", optional))]
    pub restocking_fee_bp: u32,
}

impl Default for ReturnPolicy {
    fn default() -> Self {
        ReturnPolicy { window_days: 30, restocking_fee_bp: 0 }
    }
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            coupons: Vec::new(),
            allow_coupon_stacking: false,
            shipping: Vec::new(),
            tax: TaxRules::default(),
            max_lines: 100,
            returns: ReturnPolicy::default(),
            confirm_on_capture: false,
            capture: CapturePolicy::default(),
            ship_when_capture_fails: false,
            rejected_dropship: RejectedDropship::default(),
        }
    }
}

/// A coupon code and what it gives.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct Coupon {
    /// Matched case-insensitively against what the customer typed.
    pub code: String,
    pub discount: CouponDiscount,
    /// The goods subtotal must reach this before the coupon applies.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub min_subtotal: Option<Money>,
    /// Valid from this instant (inclusive).
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::option_datetime"))]
    #[cfg_attr(feature = "ts", ts(as = "Option<DateTime<Utc>>"))]
    pub valid_from: Option<DateTime<Utc>>,
    /// Valid until this instant (exclusive).
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    #[cfg_attr(feature = "serde", serde(with = "crate::rfc3339::serde_with::option_datetime"))]
    #[cfg_attr(feature = "ts", ts(as = "Option<DateTime<Utc>>"))]
    pub valid_until: Option<DateTime<Utc>>,
    /// May combine with other stackable coupons when the rules allow stacking.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub stackable: bool,
}

/// What a coupon takes off.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum CouponDiscount {
    /// A percentage of the goods subtotal, in basis points (1 000 = 10 %), capped at 100 %.
    Percent { basis_points: u32 },
    /// A fixed amount off the goods, never more than the goods cost.
    Fixed { amount: Money },
    /// Shipping costs nothing.
    FreeShipping,
}

/// Where a set of shipping options applies.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct ShippingZone {
    pub name: String,
    /// Destination countries; empty means every country no earlier zone lists.
    pub countries: Vec<CountryCode>,
    /// The first option is the default.
    pub options: Vec<ShippingOption>,
}

/// One way to ship into a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct ShippingOption {
    pub code: String,
    pub name: String,
    pub rate: ShippingRate,
    /// Shipping is free when goods after discounts reach this amount.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub free_above: Option<Money>,
    /// Business days from dispatch to delivery, for expected dates.
    pub transit_days: u16,
}

/// How an option is priced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", rename_all_fields = "camelCase")
)]
pub enum ShippingRate {
    Flat {
        amount: Money,
    },
    /// The first band whose `up_to_grams` covers the cart weight; heavier carts cannot ship.
    WeightBands {
        bands: Vec<WeightBand>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct WeightBand {
    pub up_to_grams: u32,
    pub amount: Money,
}

/// Tax rates and whether catalog prices already include tax.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", default)
)]
pub struct TaxRules {
    /// True for tax-inclusive prices (typical in the EU and UK), false for US-style prices plus tax.
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub prices_include_tax: bool,
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<TaxRate>>", optional))]
    pub rates: Vec<TaxRate>,
}

/// The rate of one tax class in one country, optionally narrowed to a region (state, province).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct TaxRate {
    pub country: CountryCode,
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub region: Option<String>,
    pub class: TaxClass,
    /// 1 900 = 19 %.
    pub basis_points: u32,
}

impl TaxRules {
    /// The rate for a class at a destination: a region-specific rate wins over the country's.
    /// No configured rate means the class is not taxed there.
    pub fn rate_for(&self, country: &CountryCode, region: Option<&str>, class: TaxClass) -> u32 {
        let in_country = || self.rates.iter().filter(|r| &r.country == country && r.class == class);
        let regional = region.and_then(|region| {
            in_country().find(|r| r.region.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(region.trim())))
        });
        regional.or_else(|| in_country().find(|r| r.region.is_none())).map_or(0, |r| r.basis_points)
    }
}

impl Rules {
    /// The shipping options offered to `country`, the default first: those of the first zone that
    /// lists the country, else those of the zone without countries (the rest of the world). Empty
    /// when no zone serves the country, or the zone that does has no options: the shop does not
    /// ship there. Validation, order placement and a checkout form's choices (ordo-wasm's
    /// `shippingOptions`) all read this.
    pub fn shipping_options(&self, country: &CountryCode) -> &[ShippingOption] {
        let zones = &self.shipping;
        zones
            .iter()
            .find(|z| z.countries.contains(country))
            .or_else(|| zones.iter().find(|z| z.countries.is_empty()))
            .map_or(&[], |z| z.options.as_slice())
    }

    /// The shipping option `code` (ASCII case-insensitively) as offered to `country`, if it is.
    pub fn shipping_option(&self, country: &CountryCode, code: &str) -> Option<&ShippingOption> {
        self.shipping_options(country).iter().find(|o| o.code.eq_ignore_ascii_case(code))
    }
}

impl Coupon {
    pub(crate) fn matches(&self, typed: &str) -> bool {
        self.code.trim().eq_ignore_ascii_case(typed.trim())
    }
}

impl Rules {
    /// These rules with only the coupons that `typed` codes name (matched as a cart's codes are:
    /// trimmed, ASCII case-insensitively): what a shopper who entered those codes may see. A cart
    /// with those codes is checked exactly as against all the rules, and no other code is revealed.
    pub fn for_entered_codes<S: AsRef<str>>(&self, typed: &[S]) -> Rules {
        Rules {
            coupons: self
                .coupons
                .iter()
                .filter(|c| typed.iter().any(|t| c.matches(t.as_ref())))
                .cloned()
                .collect(),
            shipping: self.shipping.clone(),
            tax: self.tax.clone(),
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(country: &str, region: Option<&str>, class: TaxClass, bp: u32) -> TaxRate {
        TaxRate {
            country: CountryCode::parse(country).unwrap(),
            region: region.map(Into::into),
            class,
            basis_points: bp,
        }
    }

    #[test]
    fn a_regional_tax_rate_wins_over_the_country_rate() {
        let rules = TaxRules {
            prices_include_tax: false,
            rates: vec![
                rate("US", None, TaxClass::Standard, 500),
                rate("US", Some("CA"), TaxClass::Standard, 725),
            ],
        };
        let us = CountryCode::parse("US").unwrap();
        assert_eq!(rules.rate_for(&us, Some("ca"), TaxClass::Standard), 725);
        assert_eq!(rules.rate_for(&us, Some("NY"), TaxClass::Standard), 500);
        assert_eq!(rules.rate_for(&us, None, TaxClass::Standard), 500);
        assert_eq!(rules.rate_for(&us, None, TaxClass::Reduced), 0);
    }

    /// A zone named `name` listing `countries` (none: the rest of the world) with options `codes`.
    fn zone(name: &str, countries: &[&str], codes: &[&str]) -> ShippingZone {
        ShippingZone {
            name: name.into(),
            countries: countries.iter().map(|c| CountryCode::parse(c).unwrap()).collect(),
            options: codes
                .iter()
                .map(|code| ShippingOption {
                    code: (*code).into(),
                    name: format!("{name} {code}"),
                    rate: ShippingRate::Flat { amount: Money::new(500, crate::money::Currency::Usd) },
                    free_above: None,
                    transit_days: 3,
                })
                .collect(),
        }
    }

    /// Checks the codes of the options `zones` offer to `country`, in order.
    fn check(zones: Vec<ShippingZone>, country: &str, expected: &[&str]) {
        let rules = Rules { shipping: zones, ..Rules::default() };
        let offered = rules.shipping_options(&CountryCode::parse(country).unwrap());
        let codes: Vec<&str> = offered.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(codes, expected, "options offered to {country}");
    }

    #[test]
    fn a_country_is_offered_the_options_of_the_first_zone_that_lists_it() {
        let zones = || {
            vec![
                zone("EU", &["DE", "FR"], &["dhl", "ups"]),
                zone("Germany", &["DE"], &["hermes"]),
                zone("World", &[], &["post"]),
            ]
        };
        check(zones(), "DE", &["dhl", "ups"]);
        check(zones(), "fr", &["dhl", "ups"]);
    }

    #[test]
    fn a_zone_without_countries_serves_the_rest_of_the_world_wherever_it_is_listed() {
        let zones = || vec![zone("World", &[], &["post"]), zone("EU", &["DE", "FR"], &["dhl"])];
        check(zones(), "FR", &["dhl"]);
        check(zones(), "JP", &["post"]);
    }

    #[test]
    fn a_country_no_zone_serves_is_offered_nothing() {
        check(vec![zone("EU", &["DE", "FR"], &["dhl"])], "JP", &[]);
        check(Vec::new(), "US", &[]);
    }

    #[test]
    fn a_zone_listing_a_country_without_options_offers_it_nothing_rather_than_the_rest_of_the_world() {
        check(vec![zone("Embargo", &["KP"], &[]), zone("World", &[], &["post"])], "KP", &[]);
    }

    #[test]
    fn a_shipping_option_is_found_by_code_only_among_those_offered_to_the_country() {
        let rules = Rules {
            shipping: vec![zone("US", &["US"], &["ground", "express"]), zone("World", &[], &["post"])],
            ..Rules::default()
        };
        let us = CountryCode::parse("US").unwrap();
        assert_eq!(rules.shipping_option(&us, "EXPRESS").map(|o| o.code.as_str()), Some("express"));
        assert!(rules.shipping_option(&us, "post").is_none());
        let jp = CountryCode::parse("JP").unwrap();
        assert_eq!(rules.shipping_option(&jp, "post").map(|o| o.code.as_str()), Some("post"));
    }
}
