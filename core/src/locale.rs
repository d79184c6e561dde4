//! Money written for people: separators, digit grouping and symbol placement per locale.
//!
//! The browser (ordo-wasm `formatMoney`) and server e-mails use this one function, so an
//! amount reads the same everywhere. The currency decides the symbol and the number of
//! decimals; the locale decides separators, grouping and where the symbol goes.

use crate::money::Money;

/// How a locale writes a number and places the currency symbol.
struct Style {
    group: &'static str,
    decimal: &'static str,
    /// Indian numbering: the first group has three digits, the others two (12,34,567).
    lakh: bool,
    placement: Placement,
}

enum Placement {
    /// `$1,234.56`, `-$1,234.56` (a space after code-like symbols: `CHF 1,234.56`).
    Before,
    /// `€ 1.234,56`, `€ -1.234,56`.
    BeforeSpaced,
    /// `1.234,56 €`, `-1.234,56 €`.
    After,
}

const NBSP: &str = "\u{a0}";

fn style(locale: &str) -> Style {
    let tag = locale.trim().replace('_', "-").to_ascii_lowercase();
    let (language, region) = tag.split_once('-').unwrap_or((tag.as_str(), ""));
    let english = Style { group: ",", decimal: ".", lakh: false, placement: Placement::Before };
    match (language, region) {
        ("en" | "hi", "in") => Style { lakh: true, ..english },
        ("de", "ch") => Style { group: "\u{2019}", decimal: ".", lakh: false, placement: Placement::Before },
        ("de" | "es" | "it" | "pt" | "da" | "id", _) => {
            Style { group: ".", decimal: ",", lakh: false, placement: Placement::After }
        }
        ("fr" | "sv" | "nb" | "no" | "fi" | "cs" | "pl", _) => {
            Style { group: "\u{202f}", decimal: ",", lakh: false, placement: Placement::After }
        }
        ("nl", _) => Style { group: ".", decimal: ",", lakh: false, placement: Placement::BeforeSpaced },
        _ => english,
    }
}

/// Formats `money` for `locale` (a BCP 47 tag such as `en-US`, `de-DE`, `fr-FR`, `en-IN`);
/// unknown locales are written the en-US way.
pub fn format_money(money: Money, locale: &str) -> String {
    let style = style(locale);
    let currency = money.currency();
    let exponent = u32::from(currency.exponent());
    let magnitude = money.amount().unsigned_abs();
    let scale = 10u64.pow(exponent);
    let whole = group_digits(&(magnitude / scale).to_string(), style.group, style.lakh);
    let number = if exponent == 0 {
        whole
    } else {
        let width = exponent as usize;
        format!("{whole}{}{:0width$}", style.decimal, magnitude % scale)
    };
    let sign = if money.amount() < 0 { "-" } else { "" };
    let symbol = currency.symbol();
    let code_like = symbol == currency.code();
    match style.placement {
        Placement::Before if code_like => format!("{sign}{symbol}{NBSP}{number}"),
        Placement::Before => format!("{sign}{symbol}{number}"),
        Placement::BeforeSpaced => format!("{symbol}{NBSP}{sign}{number}"),
        Placement::After => format!("{sign}{number}{NBSP}{symbol}"),
    }
}

fn group_digits(digits: &str, separator: &str, lakh: bool) -> String {
    let len = digits.len();
    if len <= 3 {
        return digits.to_owned();
    }
    let (head, last3) = digits.split_at(len - 3);
    let group = if lakh { 2 } else { 3 };
    let mut parts: Vec<&str> = Vec::new();
    let mut end = head.len();
    while end > 0 {
        let start = end.saturating_sub(group);
        parts.push(&head[start..end]);
        end = start;
    }
    parts.reverse();
    parts.push(last3);
    parts.join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn check(amount: i64, currency: Currency, locale: &str, expected: &str) {
        assert_eq!(format_money(Money::new(amount, currency), locale), expected, "{locale}");
    }

    #[test]
    fn english_puts_the_symbol_first_and_groups_by_thousands() {
        check(123_456_789, Currency::Usd, "en-US", "$1,234,567.89");
        check(-5, Currency::Usd, "en-US", "-$0.05");
        check(99_900, Currency::Gbp, "en-GB", "£999.00");
        check(1_234_567, Currency::Jpy, "en-US", "¥1,234,567");
        check(1_500, Currency::Kwd, "en", "KWD\u{a0}1.500");
        check(1_000, Currency::Cad, "en-CA", "CA$10.00");
    }

    #[test]
    fn german_french_and_dutch_use_comma_decimals_and_their_symbol_places() {
        check(123_456, Currency::Eur, "de-DE", "1.234,56\u{a0}€");
        check(-123_456, Currency::Eur, "de_DE", "-1.234,56\u{a0}€");
        check(123_456, Currency::Eur, "fr-FR", "1\u{202f}234,56\u{a0}€");
        check(123_456, Currency::Eur, "nl-NL", "€\u{a0}1.234,56");
        check(123_456, Currency::Chf, "de-CH", "CHF\u{a0}1\u{2019}234.56");
    }

    #[test]
    fn indian_english_groups_in_lakhs() {
        check(123_456_789, Currency::Inr, "en-IN", "₹12,34,567.89");
        check(99_999, Currency::Inr, "en-IN", "₹999.99");
        check(100_000, Currency::Inr, "en-IN", "₹1,000.00");
    }

    #[test]
    fn an_unknown_locale_falls_back_to_english() {
        check(123_456, Currency::Usd, "tlh-KX", "$1,234.56");
        check(123_456, Currency::Usd, "", "$1,234.56");
    }
}
