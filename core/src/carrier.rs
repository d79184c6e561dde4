//! The carriers a shop ships with, and their tracking numbers: which formats each carrier
//! issues, their check digits, and the page where a customer follows a parcel.
//!
//! The check-digit algorithms are the carriers' published ones (UPS mod 10 over `1Z` numbers,
//! FedEx's 3-1-7 weights, USPS and GS1 mod 10, DHL Express mod 7, the UPU S10 weights used by
//! Royal Mail and the postal services, DPD's ISO 7064 mod 37/36). A carrier without a check
//! digit (a local courier) still gets a sane pattern: letters and digits with at least one digit.

/// A carrier from the shop's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Carrier {
    Ups,
    Usps,
    FedEx,
    DhlExpress,
    RoyalMail,
    Dpd,
    /// The shop's own van or a local courier: no check digit, no public tracking page.
    LocalCourier,
}

/// Why a tracking number or carrier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CarrierError {
    #[error(
        "\"{0}\" is not one of the shop's carriers (UPS, USPS, FedEx, DHL Express, Royal Mail, DPD, Local courier)"
    )]
    UnknownCarrier(String),
    #[error("this is not a {carrier} tracking number ({formats})")]
    Format { carrier: &'static str, formats: &'static str },
    #[error("this {carrier} tracking number has a wrong check digit: a character is mistyped")]
    CheckDigit { carrier: &'static str },
}

impl Carrier {
    pub const ALL: [Carrier; 7] = [
        Carrier::Ups,
        Carrier::Usps,
        Carrier::FedEx,
        Carrier::DhlExpress,
        Carrier::RoyalMail,
        Carrier::Dpd,
        Carrier::LocalCourier,
    ];

    /// Stable lowercase code: `ups`, `usps`, `fedex`, `dhl`, `royal-mail`, `dpd`, `local`. Carrier
    /// webhooks are addressed by it (`/webhooks/carriers/ups`).
    pub fn code(self) -> &'static str {
        match self {
            Carrier::Ups => "ups",
            Carrier::Usps => "usps",
            Carrier::FedEx => "fedex",
            Carrier::DhlExpress => "dhl",
            Carrier::RoyalMail => "royal-mail",
            Carrier::Dpd => "dpd",
            Carrier::LocalCourier => "local",
        }
    }

    /// The name people read: on labels, the tracking page and messages.
    pub fn name(self) -> &'static str {
        match self {
            Carrier::Ups => "UPS",
            Carrier::Usps => "USPS",
            Carrier::FedEx => "FedEx",
            Carrier::DhlExpress => "DHL Express",
            Carrier::RoyalMail => "Royal Mail",
            Carrier::Dpd => "DPD",
            Carrier::LocalCourier => "Local courier",
        }
    }

    /// The formats this carrier's numbers take, in words (for an error and a form's hint).
    pub fn formats(self) -> &'static str {
        match self {
            Carrier::Ups => "1Z followed by 16 letters and digits",
            Carrier::Usps => "20 or 22 digits, or 13 characters like EA123456785US",
            Carrier::FedEx => "12, 15 or 22 digits",
            Carrier::DhlExpress => "10 digits",
            Carrier::RoyalMail => "13 characters like AB123456785GB",
            Carrier::Dpd => "14 digits and a check character",
            Carrier::LocalCourier => "6 to 30 letters and digits, at least one digit",
        }
    }

    /// The carrier by its code or its name, case and surrounding spaces aside.
    pub fn parse(text: &str) -> Result<Carrier, CarrierError> {
        let t = text.trim();
        Carrier::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(t) || c.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| CarrierError::UnknownCarrier(t.chars().take(40).collect()))
    }

    /// `number` as this carrier prints it (upper case, without spaces or dashes), when it is one
    /// of the carrier's formats with a right check digit.
    pub fn check(self, number: &str) -> Result<String, CarrierError> {
        let n: String = number
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let format = CarrierError::Format { carrier: self.name(), formats: self.formats() };
        if !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format);
        }
        let ok = match self {
            Carrier::Ups => {
                if n.len() != 18 || !n.starts_with("1Z") || !n.as_bytes()[17].is_ascii_digit() {
                    return Err(format);
                }
                mod10(&n[2..17], 1, 2) == digit(n.as_bytes()[17])
            }
            Carrier::Usps => match n.len() {
                13 if s10_shape(&n) => s10_ok(&n),
                20 if all_digits(&n) => mod10(&n[..19], 3, 1) == digit(n.as_bytes()[19]),
                22 if all_digits(&n) && n.starts_with('9') => {
                    let serial: String = n[..21].chars().rev().collect();
                    mod10(&serial, 3, 1) == digit(n.as_bytes()[21])
                }
                _ => return Err(format),
            },
            Carrier::FedEx => match n.len() {
                12 if all_digits(&n) => fedex12_check(&n[..11]) == digit(n.as_bytes()[11]),
                15 if all_digits(&n) => mod10(&n[..14], 1, 3) == digit(n.as_bytes()[14]),
                22 if all_digits(&n) && n.starts_with("96") => {
                    mod10(&n[7..21], 1, 3) == digit(n.as_bytes()[21])
                }
                _ => return Err(format),
            },
            Carrier::DhlExpress => {
                if n.len() != 10 || !all_digits(&n) {
                    return Err(format);
                }
                let serial = n.bytes().take(9).fold(0u64, |acc, b| acc * 10 + u64::from(digit(b)));
                serial % 7 == u64::from(digit(n.as_bytes()[9]))
            }
            Carrier::RoyalMail => {
                if n.len() != 13 || !s10_shape(&n) {
                    return Err(format);
                }
                s10_ok(&n)
            }
            Carrier::Dpd => {
                if n.len() != 15 || !all_digits(&n[..14]) {
                    return Err(format);
                }
                mod37_36(&n[..14]) == n.as_bytes()[14]
            }
            Carrier::LocalCourier => {
                if !(6..=30).contains(&n.len()) || !n.bytes().any(|b| b.is_ascii_digit()) {
                    return Err(format);
                }
                true
            }
        };
        if ok { Ok(n) } else { Err(CarrierError::CheckDigit { carrier: self.name() }) }
    }

    /// The page where anyone follows parcel `number` (already checked), if the carrier has one.
    pub fn tracking_url(self, number: &str) -> Option<String> {
        let base = match self {
            Carrier::Ups => "https://www.ups.com/track?tracknum=",
            Carrier::Usps => "https://tools.usps.com/go/TrackConfirmAction?tLabels=",
            Carrier::FedEx => "https://www.fedex.com/fedextrack/?trknbr=",
            Carrier::DhlExpress => "https://www.dhl.com/global-en/home/tracking.html?tracking-id=",
            Carrier::RoyalMail => "https://www.royalmail.com/track-your-item#/tracking-results/",
            Carrier::Dpd => "https://tracking.dpd.de/status/en_US/parcel/",
            Carrier::LocalCourier => return None,
        };
        Some(format!("{base}{number}"))
    }
}

/// The key a carrier's parcels are found by: its code when it is one of the list, else the name
/// in lower case (parcels shipped before the list existed).
pub fn carrier_key(carrier: &str) -> String {
    Carrier::parse(carrier).map(|c| c.code().to_owned()).unwrap_or_else(|_| carrier.trim().to_lowercase())
}

fn digit(b: u8) -> u32 {
    u32::from(b.wrapping_sub(b'0'))
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// A character's value in UPS-style mod 10: digits as themselves, letters as (code − 3) mod 10.
fn value(b: u8) -> u32 {
    if b.is_ascii_digit() { digit(b) } else { (u32::from(b) - 3) % 10 }
}

/// The mod 10 check digit of `serial` with `even`/`odd` weights by 0-based position.
fn mod10(serial: &str, even: u32, odd: u32) -> u32 {
    let sum: u32 =
        serial.bytes().enumerate().map(|(i, b)| value(b) * if i % 2 == 0 { even } else { odd }).sum();
    (10 - sum % 10) % 10
}

/// The check digit of a 12-digit FedEx Express number's first eleven digits (weights 3, 1, 7).
fn fedex12_check(serial: &str) -> u32 {
    let weights = [3u32, 1, 7];
    let sum: u32 = serial.bytes().enumerate().map(|(i, b)| digit(b) * weights[i % 3]).sum();
    sum % 11 % 10
}

/// Two letters, eight digits, a check digit, two letters (UPU S10).
fn s10_shape(n: &str) -> bool {
    let b = n.as_bytes();
    b.len() == 13
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..11].iter().all(u8::is_ascii_digit)
        && b[11..].iter().all(u8::is_ascii_uppercase)
}

fn s10_ok(n: &str) -> bool {
    s10_check(&n[2..10]) == digit(n.as_bytes()[10])
}

/// The UPU S10 check digit of eight serial digits.
fn s10_check(serial: &str) -> u32 {
    let weights = [8u32, 6, 4, 2, 3, 5, 9, 7];
    let sum: u32 = serial.bytes().zip(weights).map(|(b, w)| digit(b) * w).sum();
    match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c,
    }
}

/// ISO 7064 mod 37/36 over digits, as DPD prints it (0–9 then A–Z).
fn mod37_36(serial: &str) -> u8 {
    let m = 36u32;
    let mut cd = m;
    for b in serial.bytes() {
        cd += digit(b);
        if cd > m {
            cd -= m;
        }
        cd *= 2;
        if cd > m {
            cd -= m + 1;
        }
    }
    let cd = match (m + 1) - cd {
        36 => 0,
        c => c,
    };
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[cd as usize]
}

/// A valid tracking number for `carrier` built from `seed` (tests, demo data and examples need
/// numbers that pass the check; real ones come from the carrier).
pub fn example_number(carrier: Carrier, seed: u64) -> String {
    let serial = |width: usize| format!("{:0width$}", seed % 10u64.pow(width as u32));
    match carrier {
        Carrier::Ups => {
            let body = format!("999AA1{}", serial(9));
            format!("1Z{body}{}", mod10(&body, 1, 2))
        }
        Carrier::Usps => {
            let body = format!("9400{}", serial(17));
            let rev: String = body.chars().rev().collect();
            format!("{body}{}", mod10(&rev, 3, 1))
        }
        Carrier::FedEx => {
            let body = serial(11);
            format!("{body}{}", fedex12_check(&body))
        }
        Carrier::DhlExpress => {
            let body = serial(9);
            format!("{body}{}", seed % 1_000_000_000 % 7)
        }
        Carrier::RoyalMail => {
            let body = serial(8);
            format!("AB{body}{}GB", s10_check(&body))
        }
        Carrier::Dpd => {
            let body = serial(14);
            format!("{body}{}", char::from(mod37_36(&body)))
        }
        Carrier::LocalCourier => format!("LC{}", serial(8)),
    }
}

/// [`example_number`] seeded by a label (FNV-1a), so a test names its parcels and still gets
/// numbers that pass: `example_for(Carrier::Ups, "east parcel")`.
pub fn example_for(carrier: Carrier, label: &str) -> String {
    let seed =
        label.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    example_number(carrier, seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_tracking_numbers_pass_their_carriers_check() {
        let valid = [
            (Carrier::Ups, "1Z5R89390357567127"),
            (Carrier::Ups, "1Z879E930346834440"),
            (Carrier::Ups, "1ZXX3150YW44070023"),
            (Carrier::Ups, " 1 Z 8 V 9 2 A 7 0 3 6 7 2 0 3 0 2 4 "),
            (Carrier::Ups, "1z999aa10123456784"),
            (Carrier::FedEx, "986578788855"),
            (Carrier::FedEx, "477179081230"),
            (Carrier::FedEx, "0414 4176 0228 964"),
            (Carrier::FedEx, "9611020987654312345672"),
            (Carrier::Usps, "0307 1790 0005 2348 3741"),
            (Carrier::Usps, "7112 3456 7891 2345 6787"),
            (Carrier::Usps, "9400111206206406260787"),
            (Carrier::Usps, "9400 1112 0108 0805 4830 16"),
            (Carrier::Usps, "RB123456785US"),
            (Carrier::DhlExpress, "3318810025"),
            (Carrier::DhlExpress, "8487135506"),
            (Carrier::RoyalMail, "RB123456785GB"),
            (Carrier::Dpd, "09 9800 0002 0033 F"),
            (Carrier::Dpd, "0998 0000 0200 34D"),
            (Carrier::LocalCourier, "van-42-0017"),
        ];
        for (carrier, number) in valid {
            assert!(carrier.check(number).is_ok(), "{carrier:?} {number}: {:?}", carrier.check(number));
        }
        assert_eq!(Carrier::Ups.check(" 1z5r8939 0357567127").unwrap(), "1Z5R89390357567127");
    }

    #[test]
    fn a_mistyped_character_fails_the_check_digit() {
        let mistyped = [
            (Carrier::Ups, "1Z5R89390357567128"),
            (Carrier::Ups, "1Z1111111111111111"),
            (Carrier::FedEx, "986578788856"),
            (Carrier::Usps, "0307 1790 0005 2348 3742"),
            (Carrier::Usps, "RB123456784US"),
            (Carrier::DhlExpress, "3318810026"),
            (Carrier::RoyalMail, "RB123456786GB"),
            (Carrier::Dpd, "09 9800 0002 0033 G"),
        ];
        for (carrier, number) in mistyped {
            assert!(
                matches!(carrier.check(number), Err(CarrierError::CheckDigit { .. })),
                "{carrier:?} {number}: {:?}",
                carrier.check(number)
            );
        }
    }

    #[test]
    fn words_and_wrong_shapes_are_not_tracking_numbers_for_any_carrier() {
        for carrier in Carrier::ALL {
            for junk in ["hello world", "", "1Z", "<script>", "ÅÄÖ123456", "12345"] {
                assert!(
                    matches!(carrier.check(junk), Err(CarrierError::Format { .. })),
                    "{carrier:?} {junk:?}: {:?}",
                    carrier.check(junk)
                );
            }
        }
        assert!(matches!(Carrier::Ups.check("2Z5R89390357567127"), Err(CarrierError::Format { .. })));
    }

    #[test]
    fn carriers_are_found_by_code_or_name_and_nothing_else() {
        for c in Carrier::ALL {
            assert_eq!(Carrier::parse(c.code()), Ok(c));
            assert_eq!(Carrier::parse(&format!(" {} ", c.name().to_uppercase())), Ok(c));
        }
        assert!(matches!(Carrier::parse("Pony Express"), Err(CarrierError::UnknownCarrier(_))));
        // The refusal lists the whole list (written out: Debug and joins cost the wasm modules).
        let refusal = Carrier::parse("Pony Express").unwrap_err().to_string();
        assert!(Carrier::ALL.iter().all(|c| refusal.contains(c.name())), "{refusal}");
        assert_eq!(carrier_key("DHL Express"), "dhl");
        assert_eq!(carrier_key("Freight Co"), "freight co");
    }

    #[test]
    fn every_carrier_with_a_page_links_to_it_by_number() {
        for c in Carrier::ALL {
            let n = example_number(c, 7);
            match c.tracking_url(&n) {
                Some(url) => assert!(url.starts_with("https://") && url.ends_with(&n), "{url}"),
                None => assert_eq!(c, Carrier::LocalCourier),
            }
        }
    }

    proptest! {
        #[test]
        fn example_numbers_pass_and_a_changed_check_digit_fails(seed in any::<u64>(), by in 1u8..10) {
            for carrier in Carrier::ALL {
                let n = example_number(carrier, seed);
                prop_assert_eq!(carrier.check(&n), Ok(n.clone()), "{:?}", carrier);
                let at = match carrier {
                    Carrier::LocalCourier => continue,
                    Carrier::Usps | Carrier::RoyalMail if n.len() == 13 => 10,
                    _ => n.len() - 1,
                };
                let mut changed = n.clone().into_bytes();
                changed[at] = if changed[at].is_ascii_digit() {
                    b'0' + (changed[at] - b'0' + by) % 10
                } else {
                    b'A' + (changed[at] - b'A' + by) % 26
                };
                let changed = String::from_utf8(changed).unwrap();
                prop_assert!(carrier.check(&changed).is_err(), "{:?} {} → {} passed", carrier, n, changed);
            }
        }
    }
}
