//! Payment card checks for the browser: Luhn, brand and expiry. A hint before tokenising, never stored.
//!
//! Card numbers never reach Ordo's server; the payment provider turns them into tokens in the
//! browser. These checks only let a checkout form point at a typo before it asks for a token.

use chrono::{Datelike, NaiveDate};

/// Card networks recognised from the number's prefix (IIN ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    DinersClub,
    UnionPay,
    Maestro,
    Unknown,
}

impl CardBrand {
    /// The brand as customers know it (`American Express`); `card` when unknown.
    pub fn name(self) -> &'static str {
        match self {
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::Amex => "American Express",
            CardBrand::Discover => "Discover",
            CardBrand::Jcb => "JCB",
            CardBrand::DinersClub => "Diners Club",
            CardBrand::UnionPay => "UnionPay",
            CardBrand::Maestro => "Maestro",
            CardBrand::Unknown => "card",
        }
    }
}

/// What a card number and expiry look like; every problem is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct CardCheck {
    pub ok: bool,
    pub brand: CardBrand,
    /// The last four digits, safe to show and store.
    pub last4: Option<String>,
    pub problems: Vec<CardProblem>,
}

/// One thing wrong with what was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum CardProblem {
    #[error("The card number may contain only digits and spaces.")]
    NumberInvalidCharacters,
    #[error("The card number has the wrong number of digits.")]
    NumberLength,
    #[error("The card number is mistyped (its check digit does not match).")]
    NumberChecksum,
    #[error("The expiry month must be between 1 and 12.")]
    ExpiryMonthInvalid,
    #[error("The card has expired.")]
    Expired,
    #[error("The expiry date is too far in the future.")]
    ExpiryTooFar,
}

impl CardProblem {
    /// The stable code as on the wire (`NUMBER_CHECKSUM`).
    pub fn code(self) -> &'static str {
        match self {
            CardProblem::NumberInvalidCharacters => "NUMBER_INVALID_CHARACTERS",
            CardProblem::NumberLength => "NUMBER_LENGTH",
            CardProblem::NumberChecksum => "NUMBER_CHECKSUM",
            CardProblem::ExpiryMonthInvalid => "EXPIRY_MONTH_INVALID",
            CardProblem::Expired => "EXPIRED",
            CardProblem::ExpiryTooFar => "EXPIRY_TOO_FAR",
        }
    }
}

/// Checks a typed card number and expiry (`exp_year` with four digits, or two meaning 20xx)
/// on `today`. A card is valid through the last day of its expiry month.
pub fn check_card(number: &str, exp_month: u32, exp_year: u32, today: NaiveDate) -> CardCheck {
    let mut problems = Vec::new();
    let mut digits: Vec<u8> = Vec::with_capacity(19);
    let mut bad_char = false;
    for c in number.chars() {
        match c {
            '0'..='9' => digits.push(c as u8 - b'0'),
            ' ' | '-' => {}
            _ => bad_char = true,
        }
    }
    let brand = brand_of(&digits);
    if bad_char {
        problems.push(CardProblem::NumberInvalidCharacters);
    } else if !length_fits(brand, digits.len()) {
        problems.push(CardProblem::NumberLength);
    } else if !luhn(&digits) {
        problems.push(CardProblem::NumberChecksum);
    }
    let year = if exp_year < 100 { 2000 + exp_year } else { exp_year };
    if !(1..=12).contains(&exp_month) {
        problems.push(CardProblem::ExpiryMonthInvalid);
    } else {
        let (y, m) = (today.year(), today.month());
        let expiry = i64::from(year) * 12 + i64::from(exp_month);
        let now = i64::from(y) * 12 + i64::from(m);
        if expiry < now {
            problems.push(CardProblem::Expired);
        } else if expiry > now + 20 * 12 {
            problems.push(CardProblem::ExpiryTooFar);
        }
    }
    let last4 = (digits.len() >= 4 && !bad_char)
        .then(|| digits[digits.len() - 4..].iter().map(|d| char::from(b'0' + d)).collect());
    CardCheck { ok: problems.is_empty(), brand, last4, problems }
}

/// Whether free text holds something that looks like a payment card number: a run of 13 to 19
/// digits (spaces and dashes between them allowed) that passes the Luhn check. Such text is
/// refused wherever shoppers or staff type free text, so no card number is ever stored.
pub fn contains_card_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_digit() {
            start += 1;
            continue;
        }
        // One run: digits, with single spaces or dashes between them.
        let mut digits = Vec::new();
        let mut i = start;
        while i < bytes.len() {
            match bytes[i] {
                b @ b'0'..=b'9' => digits.push(b - b'0'),
                b' ' | b'-' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) && !digits.is_empty() => {}
                _ => break,
            }
            i += 1;
        }
        if (13..=19).contains(&digits.len()) && luhn(&digits) {
            return true;
        }
        start = i.max(start + 1);
    }
    false
}

/// The Luhn (mod 10) check digit test.
pub fn luhn(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if !i.is_multiple_of(2) {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn prefix(digits: &[u8], n: usize) -> u32 {
    digits.iter().take(n).fold(0, |acc, d| acc * 10 + u32::from(*d))
}

fn brand_of(digits: &[u8]) -> CardBrand {
    if digits.len() < 2 {
        return CardBrand::Unknown;
    }
    let p2 = prefix(digits, 2);
    let p3 = prefix(digits, 3);
    let p4 = prefix(digits, 4);
    let p6 = prefix(digits, 6);
    match () {
        _ if p2 == 34 || p2 == 37 => CardBrand::Amex,
        _ if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) => CardBrand::Mastercard,
        _ if p2 == 36 || p2 == 38 || p2 == 39 || (300..=305).contains(&p3) => CardBrand::DinersClub,
        _ if p4 == 6011 || p2 == 65 || (644..=649).contains(&p3) || (622126..=622925).contains(&p6) => {
            CardBrand::Discover
        }
        _ if (3528..=3589).contains(&p4) => CardBrand::Jcb,
        _ if p2 == 62 => CardBrand::UnionPay,
        _ if p2 == 50 || (56..=69).contains(&p2) => CardBrand::Maestro,
        _ if digits[0] == 4 => CardBrand::Visa,
        _ => CardBrand::Unknown,
    }
}

fn length_fits(brand: CardBrand, len: usize) -> bool {
    match brand {
        CardBrand::Amex => len == 15,
        CardBrand::DinersClub => (14..=19).contains(&len),
        CardBrand::Visa => matches!(len, 13 | 16 | 19),
        CardBrand::Mastercard => len == 16,
        CardBrand::Maestro => (12..=19).contains(&len),
        _ => (12..=19).contains(&len),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_are_found_in_free_text_however_they_are_spaced() {
        for text in [
            "4111111111111111",
            "card 4111 1111 1111 1111 thanks",
            "4111-1111-1111-1111",
            "Apt 5, 378282246310005",
            "ref:5555555555554444.",
        ] {
            assert!(contains_card_number(text), "{text}");
        }
        for text in [
            "1 Main St",
            "PO Box 12345",
            "4111 1111 1111 1112",
            "Phone +1 415 555 0100",
            "order ord_01J0000000000000000000000",
            "",
        ] {
            assert!(!contains_card_number(text), "{text}");
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn well_known_test_numbers_are_valid_and_branded() {
        let cases = [
            ("4242 4242 4242 4242", CardBrand::Visa),
            ("5555-5555-5555-4444", CardBrand::Mastercard),
            ("2223003122003222", CardBrand::Mastercard),
            ("378282246310005", CardBrand::Amex),
            ("6011111111111117", CardBrand::Discover),
            ("3566002020360505", CardBrand::Jcb),
            ("36227206271667", CardBrand::DinersClub),
            ("6200000000000005", CardBrand::UnionPay),
        ];
        for (number, brand) in cases {
            let check = check_card(number, 12, 2030, today());
            assert!(check.ok, "{number}: {:?}", check.problems);
            assert_eq!(check.brand, brand, "{number}");
        }
    }

    #[test]
    fn a_mistyped_digit_fails_the_checksum() {
        let check = check_card("4242424242424241", 12, 2030, today());
        assert_eq!(check.problems, vec![CardProblem::NumberChecksum]);
        assert_eq!(check.last4.as_deref(), Some("4241"));
    }

    #[test]
    fn wrong_lengths_and_letters_are_reported() {
        assert_eq!(check_card("4242 4242", 12, 2030, today()).problems, vec![CardProblem::NumberLength]);
        assert_eq!(check_card("37828224631000", 12, 2030, today()).problems, vec![CardProblem::NumberLength]);
        let check = check_card("4242x", 12, 2030, today());
        assert_eq!(check.problems, vec![CardProblem::NumberInvalidCharacters]);
        assert_eq!(check.last4, None);
    }

    #[test]
    fn a_card_is_valid_through_its_expiry_month() {
        assert!(check_card("4242424242424242", 11, 2026, today()).ok);
        assert!(check_card("4242424242424242", 11, 26, today()).ok);
        assert_eq!(check_card("4242424242424242", 10, 2026, today()).problems, vec![CardProblem::Expired]);
        assert_eq!(
            check_card("4242424242424242", 13, 2027, today()).problems,
            vec![CardProblem::ExpiryMonthInvalid]
        );
        assert_eq!(
            check_card("4242424242424242", 1, 2060, today()).problems,
            vec![CardProblem::ExpiryTooFar]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let check = check_card("1234", 0, 2020, today());
        assert_eq!(check.problems, vec![CardProblem::NumberLength, CardProblem::ExpiryMonthInvalid]);
        assert!(!check.ok);
    }
}
