//! Money: integer minor units tagged with an ISO 4217 currency, checked arithmetic and exact splitting.

use std::fmt;

/// Why a money operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency code `{0}` (expected an ISO 4217 code such as USD)")]
    UnknownCurrency(String),
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("amount out of range")]
    Overflow,
    #[error("cannot split over weights that sum to zero")]
    ZeroWeights,
    #[error("amount must not be negative")]
    Negative,
}

/// The ISO 4217 currencies Ordo prices in. Each knows its minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(
        type = "\"AUD\" | \"CAD\" | \"CHF\" | \"CNY\" | \"CZK\" | \"DKK\" | \"EUR\" | \"GBP\" | \"INR\" | \"JPY\" | \"KRW\" | \"KWD\" | \"NOK\" | \"NZD\" | \"PLN\" | \"SEK\" | \"USD\""
    )
)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(try_from = "String"))]
pub enum Currency {
    Aud,
    Cad,
    Chf,
    Cny,
    Czk,
    Dkk,
    Eur,
    Gbp,
    Inr,
    Jpy,
    Krw,
    Kwd,
    Nok,
    Nzd,
    Pln,
    Sek,
    Usd,
}

/// Written as its code, by reference (serde's `into = "String"` allocated a copy per amount).
#[cfg(feature = "serde")]
impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// `amount` split over `weights` (summing to `total`, not zero) by the largest-remainder method, see [`Money::split`].
fn largest_remainder<T>(amount: T, weights: impl ExactSizeIterator<Item = T>, total: T) -> Vec<T>
where
    T: Copy
        + Ord
        + From<u8>
        + std::ops::Mul<Output = T>
        + std::ops::Div<Output = T>
        + std::ops::Rem<Output = T>,
    T: std::ops::AddAssign + std::ops::Sub<Output = T> + std::iter::Sum + TryInto<usize>,
{
    let mut parts: Vec<T> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(T, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.enumerate() {
        let exact = amount * w;
        parts.push(exact / total);
        remainders.push((exact % total, i));
    }
    let assigned: T = parts.iter().copied().sum();
    // Fewer units are left than there are parts.
    let left: usize = (amount - assigned).try_into().unwrap_or(usize::MAX);
    if left > 0 {
        // The `left` largest remainders, ties to the earlier part. Indexes are distinct, so the
        // order is total and the selection is the same whatever the algorithm.
        let by_remainder = |a: &(T, usize), b: &(T, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        let chosen = if left < remainders.len() {
            remainders.select_nth_unstable_by(left, by_remainder).0
        } else {
            &mut remainders[..]
        };
        for &mut (_, i) in chosen {
            parts[i] += T::from(1);
        }
    }
    parts
}

/// [`largest_remainder`] for the usual sizes (`total` below 2^48, at most 2^16 weights, every
/// product within 64 bits): each remainder and its index packed in one `u64` that orders as the
/// selection needs, so it compares integers instead of pairs through a closure (the selection was
/// two fifths of a split over a 50-line cart).
fn largest_remainder_packed(amount: u64, weights: &[u64], total: u64) -> Vec<u64> {
    let mut parts = Vec::with_capacity(weights.len());
    let mut keys = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = amount * w;
        parts.push(exact / total);
        // Ascending keys: the larger remainder first, then the earlier part.
        keys.push((total - 1 - exact % total) << 16 | i as u64);
    }
    let left = (amount - parts.iter().sum::<u64>()) as usize;
    if left > 0 {
        let chosen = if left < keys.len() { keys.select_nth_unstable(left).0 } else { &mut keys[..] };
        for key in chosen {
            parts[(*key & 0xffff) as usize] += 1;
        }
    }
    parts
}

impl Currency {
    /// Every supported currency, in code order.
    pub const ALL: [Currency; 17] = [
        Currency::Aud,
        Currency::Cad,
        Currency::Chf,
        Currency::Cny,
        Currency::Czk,
        Currency::Dkk,
        Currency::Eur,
        Currency::Gbp,
        Currency::Inr,
        Currency::Jpy,
        Currency::Krw,
        Currency::Kwd,
        Currency::Nok,
        Currency::Nzd,
        Currency::Pln,
        Currency::Sek,
        Currency::Usd,
    ];

    /// Parses an ISO 4217 alphabetic code; case-insensitive, surrounding spaces ignored.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let wanted = code.trim();
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))
    }

    /// The three-letter ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Aud => "AUD",
            Currency::Cad => "CAD",
            Currency::Chf => "CHF",
            Currency::Cny => "CNY",
            Currency::Czk => "CZK",
            Currency::Dkk => "DKK",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Inr => "INR",
            Currency::Jpy => "JPY",
            Currency::Krw => "KRW",
            Currency::Kwd => "KWD",
            Currency::Nok => "NOK",
            Currency::Nzd => "NZD",
            Currency::Pln => "PLN",
            Currency::Sek => "SEK",
            Currency::Usd => "USD",
        }
    }

    /// Number of decimal digits of the minor unit (2 for USD, 0 for JPY, 3 for KWD).
    pub fn exponent(self) -> u8 {
        match self {
            Currency::Jpy | Currency::Krw => 0,
            Currency::Kwd => 3,
            _ => 2,
        }
    }

    /// The symbol used by [`Money::display`]; the code itself when there is no common one.
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Usd => "$",
            Currency::Aud => "A$",
            Currency::Cad => "CA$",
            Currency::Nzd => "NZ$",
            Currency::Eur => "€",
            Currency::Gbp => "£",
            Currency::Jpy => "¥",
            Currency::Cny => "CN¥",
            Currency::Inr => "₹",
            Currency::Krw => "₩",
            _ => self.code(),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code().to_owned()
    }
}

/// An amount of money: a whole number of minor units (cents, yen, fils) in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Money {
    /// Minor units; negative only for deltas such as adjustments, never for prices.
    amount: i64,
    /// The currency the minor units are counted in.
    currency: Currency,
}

impl Money {
    pub const fn new(amount: i64, currency: Currency) -> Self {
        Money { amount, currency }
    }

    pub const fn zero(currency: Currency) -> Self {
        Money::new(0, currency)
    }

    /// Minor units.
    pub const fn amount(self) -> i64 {
        self.amount
    }

    pub const fn currency(self) -> Currency {
        self.currency
    }

    pub const fn is_zero(self) -> bool {
        self.amount == 0
    }

    pub const fn is_negative(self) -> bool {
        self.amount < 0
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch { left: self.currency, right: other.currency })
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self.amount.checked_add(other.amount).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self.amount.checked_sub(other.amount).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// Multiplies by a whole factor (a quantity).
    pub fn checked_mul(self, factor: i64) -> Result<Money, MoneyError> {
        let amount = mul_i64(self.amount, factor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// Sums amounts that must all be in `currency`.
    pub fn sum<I: IntoIterator<Item = Money>>(currency: Currency, items: I) -> Result<Money, MoneyError> {
        items.into_iter().try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }

    /// `self × rate / 10 000`, rounded half away from zero: a percentage given in basis points.
    pub fn percent_bp(self, basis_points: u32) -> Result<Money, MoneyError> {
        Ok(Money::new(ratio(self.amount, basis_points, 10_000)?, self.currency))
    }

    /// The tax contained in a tax-inclusive amount at `basis_points`:
    /// `self × rate / (10 000 + rate)`, rounded half away from zero.
    pub fn included_tax_bp(self, basis_points: u32) -> Result<Money, MoneyError> {
        let divisor = u64::from(basis_points) + 10_000;
        Ok(Money::new(ratio(self.amount, basis_points, divisor)?, self.currency))
    }

    fn from_i128(amount: i128, currency: Currency) -> Result<Money, MoneyError> {
        let amount = i64::try_from(amount).map_err(|_| MoneyError::Overflow)?;
        Ok(Money::new(amount, currency))
    }

    /// Splits a non-negative amount over `weights` by the largest-remainder method:
    /// each part is `amount × weight / Σweights` rounded down, and the minor units left over
    /// go one each to the parts with the largest remainders (ties: the earlier part).
    /// The parts always sum to exactly `self`.
    pub fn split(self, weights: &[u64]) -> Result<Vec<Money>, MoneyError> {
        if self.amount < 0 {
            return Err(MoneyError::Negative);
        }
        let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
        if total == 0 {
            return if self.amount == 0 {
                Ok(vec![Money::zero(self.currency); weights.len()])
            } else {
                Err(MoneyError::ZeroWeights)
            };
        }
        let amount = self.amount as u64;
        let money = |part: i128| Money::from_i128(part, self.currency);
        match (u64::try_from(total), weights.iter().max().and_then(|w| mul_u64(amount, *w))) {
            // The usual case: every product fits 64 bits (no 128-bit division, which wasm does in software).
            (Ok(total), Some(_)) if total < 1 << 48 && weights.len() <= 1 << 16 => {
                largest_remainder_packed(amount, weights, total)
                    .into_iter()
                    .map(|part| money(part.into()))
                    .collect()
            }
            (Ok(total), Some(_)) => largest_remainder(amount, weights.iter().copied(), total)
                .into_iter()
                .map(|part| money(part.into()))
                .collect(),
            _ => largest_remainder(u128::from(amount), weights.iter().map(|w| u128::from(*w)), total)
                .into_iter()
                .map(|part| money(part as i128))
                .collect(),
        }
    }

    /// The smaller of two amounts in the same currency.
    pub fn min(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(if other.amount < self.amount { other } else { self })
    }

    /// A plain, locale-free rendering used in messages: `$12.34`, `¥1200`, `KWD 1.500`.
    pub fn display(self) -> String {
        let symbol = self.currency.symbol();
        let number = self.decimal_string();
        if symbol == self.currency.code() {
            format!("{symbol} {number}")
        } else if let Some(unsigned) = number.strip_prefix('-') {
            format!("-{symbol}{unsigned}")
        } else {
            format!("{symbol}{number}")
        }
    }

    /// The amount as a decimal string in major units without grouping: `12.34`, `-0.05`, `1200`.
    pub fn decimal_string(self) -> String {
        let exponent = u32::from(self.currency.exponent());
        let sign = if self.amount < 0 { "-" } else { "" };
        let magnitude = self.amount.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{magnitude}");
        }
        let scale = 10u64.pow(exponent);
        let width = exponent as usize;
        format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal_string(), self.currency.code())
    }
}

/// `amount × factor / divisor` rounded half away from zero; `Overflow` when that is beyond `i64`.
fn ratio(amount: i64, factor: u32, divisor: u64) -> Result<i64, MoneyError> {
    // The usual case fits 64 bits (wasm divides 128-bit numbers in software).
    if let Some(scaled) = mul_i64(amount, i64::from(factor))
        && let Some(rounded) = scaled.unsigned_abs().checked_add(divisor / 2)
        && let Ok(quotient) = i64::try_from(rounded / divisor)
    {
        return Ok(if scaled < 0 { -quotient } else { quotient });
    }
    let exact = div_round_half_away(i128::from(amount) * i128::from(factor), i128::from(divisor));
    i64::try_from(exact).map_err(|_| MoneyError::Overflow)
}

/// `a × b`, `None` beyond `i64`. `checked_mul` detects overflow with a 128-bit product, which wasm
/// computes in software; factors below 2^31 (amounts up to ~21 million major units, quantities,
/// basis points) cannot overflow and skip it.
#[inline]
fn mul_i64(a: i64, b: i64) -> Option<i64> {
    const SMALL: u64 = 1 << 31;
    if a.unsigned_abs() < SMALL && b.unsigned_abs() < SMALL { Some(a * b) } else { a.checked_mul(b) }
}

/// [`mul_i64`] for `u64`: factors below 2^32 cannot overflow.
#[inline]
fn mul_u64(a: u64, b: u64) -> Option<u64> {
    if (a | b) >> 32 == 0 { Some(a * b) } else { a.checked_mul(b) }
}

/// Integer division rounding half away from zero; `divisor` must be positive.
fn div_round_half_away(numerator: i128, divisor: i128) -> i128 {
    let half = divisor / 2;
    if numerator >= 0 { (numerator + half) / divisor } else { -((-numerator + half) / divisor) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::Usd)
    }

    #[test]
    fn currencies_know_their_exponent() {
        assert_eq!(Currency::Usd.exponent(), 2);
        assert_eq!(Currency::Eur.exponent(), 2);
        assert_eq!(Currency::Gbp.exponent(), 2);
        assert_eq!(Currency::Inr.exponent(), 2);
        assert_eq!(Currency::Chf.exponent(), 2);
        assert_eq!(Currency::Jpy.exponent(), 0);
        assert_eq!(Currency::Kwd.exponent(), 3);
    }

    #[test]
    fn currency_codes_parse_case_insensitively_and_unknown_ones_are_refused() {
        assert_eq!(Currency::parse("usd"), Ok(Currency::Usd));
        assert_eq!(Currency::parse(" KWD "), Ok(Currency::Kwd));
        assert_eq!(Currency::parse("XYZ"), Err(MoneyError::UnknownCurrency("XYZ".into())));
        assert!(Currency::parse("").is_err());
        for c in Currency::ALL {
            assert_eq!(Currency::parse(c.code()), Ok(c));
        }
    }

    #[test]
    fn adding_different_currencies_is_an_error() {
        let err = usd(1).checked_add(Money::new(1, Currency::Eur)).unwrap_err();
        assert_eq!(err, MoneyError::CurrencyMismatch { left: Currency::Usd, right: Currency::Eur });
        assert!(usd(1).checked_sub(Money::new(1, Currency::Eur)).is_err());
    }

    #[test]
    fn arithmetic_overflow_is_an_error_not_a_wrap() {
        assert_eq!(usd(i64::MAX).checked_add(usd(1)), Err(MoneyError::Overflow));
        assert_eq!(usd(i64::MIN).checked_sub(usd(1)), Err(MoneyError::Overflow));
        assert_eq!(usd(i64::MAX / 2 + 1).checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(usd(250).checked_mul(3), Ok(usd(750)));
    }

    #[test]
    fn percentages_round_half_away_from_zero() {
        assert_eq!(usd(1005).percent_bp(1000), Ok(usd(101))); // 100.5 -> 101
        assert_eq!(usd(1004).percent_bp(1000), Ok(usd(100)));
        assert_eq!(usd(-1005).percent_bp(1000), Ok(usd(-101)));
        assert_eq!(usd(1190).included_tax_bp(1900), Ok(usd(190)));
    }

    #[test]
    fn splitting_gives_leftover_cents_to_the_largest_remainders() {
        let parts = usd(100).split(&[1, 1, 1]).unwrap();
        assert_eq!(parts, vec![usd(34), usd(33), usd(33)]);
        let parts = usd(10).split(&[3, 7]).unwrap();
        assert_eq!(parts, vec![usd(3), usd(7)]);
        let parts = usd(5).split(&[1, 2, 0]).unwrap();
        assert_eq!(parts, vec![usd(2), usd(3), usd(0)]);
    }

    #[test]
    fn splitting_over_nothing_is_refused_unless_there_is_nothing_to_split() {
        assert_eq!(usd(5).split(&[0, 0]), Err(MoneyError::ZeroWeights));
        assert_eq!(usd(0).split(&[0, 0]), Ok(vec![usd(0), usd(0)]));
        assert_eq!(usd(-5).split(&[1]), Err(MoneyError::Negative));
    }

    #[test]
    fn display_uses_the_currency_exponent() {
        assert_eq!(usd(1234).display(), "$12.34");
        assert_eq!(usd(-5).display(), "-$0.05");
        assert_eq!(Money::new(1200, Currency::Jpy).display(), "¥1200");
        assert_eq!(Money::new(1500, Currency::Kwd).display(), "KWD 1.500");
        assert_eq!(Money::new(1500, Currency::Kwd).to_string(), "1.500 KWD");
        assert_eq!(Money::new(990, Currency::Chf).display(), "CHF 9.90");
    }

    proptest! {
        #[test]
        fn split_parts_always_sum_to_the_whole(
            amount in 0i64..1_000_000_000_000,
            weights in proptest::collection::vec(0u64..1_000_000, 1..40),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let parts = usd(amount).split(&weights).unwrap();
            prop_assert_eq!(parts.len(), weights.len());
            let total: i64 = parts.iter().map(|p| p.amount()).sum();
            prop_assert_eq!(total, amount);
            // Each part is within one minor unit of its exact share.
            let wsum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
            for (p, w) in parts.iter().zip(&weights) {
                let exact_floor = (amount as u128 * u128::from(*w)) / wsum;
                let got = p.amount() as u128;
                prop_assert!(got == exact_floor || got == exact_floor + 1);
            }
        }

        #[test]
        fn split_gives_the_leftover_units_to_the_largest_remainders_at_any_magnitude(
            amount in prop_oneof![0i64..10_000, 0i64..=i64::MAX],
            weights in proptest::collection::vec(prop_oneof![0u64..100, 0u64..=u64::MAX], 1..40),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            // The definition, in 128 bits and with a full sort.
            let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
            let exact: Vec<u128> = weights.iter().map(|w| amount as u128 * u128::from(*w)).collect();
            let mut expected: Vec<u128> = exact.iter().map(|e| e / total).collect();
            let mut order: Vec<usize> = (0..weights.len()).collect();
            order.sort_by(|a, b| (exact[*b] % total).cmp(&(exact[*a] % total)).then(a.cmp(b)));
            let left = amount as u128 - expected.iter().sum::<u128>();
            for i in order.into_iter().take(left as usize) {
                expected[i] += 1;
            }
            let parts: Vec<u128> = usd(amount).split(&weights).unwrap().iter().map(|p| p.amount() as u128).collect();
            prop_assert_eq!(parts, expected);
        }

        #[test]
        fn percentages_and_included_tax_round_as_128_bit_arithmetic_does(
            amount in prop_oneof![-1_000_000i64..1_000_000, any::<i64>()],
            basis_points in prop_oneof![0u32..20_000, any::<u32>()],
        ) {
            let exact = |divisor: i128| {
                let q = div_round_half_away(i128::from(amount) * i128::from(basis_points), divisor);
                i64::try_from(q).map(usd).map_err(|_| MoneyError::Overflow)
            };
            prop_assert_eq!(usd(amount).percent_bp(basis_points), exact(10_000));
            prop_assert_eq!(usd(amount).included_tax_bp(basis_points), exact(10_000 + i128::from(basis_points)));
        }

        #[test]
        fn checked_mul_is_the_exact_product_or_overflow(
            amount in prop_oneof![-(1i64 << 31)..(1i64 << 31), any::<i64>()],
            factor in prop_oneof![-(1i64 << 31)..(1i64 << 31), any::<i64>()],
        ) {
            let exact = i128::from(amount) * i128::from(factor);
            match i64::try_from(exact) {
                Ok(product) => prop_assert_eq!(usd(amount).checked_mul(factor), Ok(usd(product))),
                Err(_) => prop_assert_eq!(usd(amount).checked_mul(factor), Err(MoneyError::Overflow)),
            }
        }

        #[test]
        fn checked_add_and_sub_are_inverse(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            prop_assert_eq!(usd(a).checked_add(usd(b)).unwrap().checked_sub(usd(b)).unwrap(), usd(a));
        }
    }
}
