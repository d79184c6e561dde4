//! `PostalAddress`: a shipping address with required fields and per-country postcode formats.

use super::{CountryCode, Phone};

/// The unvalidated address as a form or an API client sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", default)
)]
pub struct AddressInput {
    pub name: String,
    pub line1: String,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub line2: Option<String>,
    pub city: String,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub phone: Option<String>,
}

/// A field of [`AddressInput`], named as on the wire (camelCase).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressField {
    Name,
    Line1,
    Line2,
    City,
    Region,
    PostalCode,
    Country,
    Phone,
}

impl AddressField {
    pub fn wire_name(self) -> &'static str {
        match self {
            AddressField::Name => "name",
            AddressField::Line1 => "line1",
            AddressField::Line2 => "line2",
            AddressField::City => "city",
            AddressField::Region => "region",
            AddressField::PostalCode => "postalCode",
            AddressField::Country => "country",
            AddressField::Phone => "phone",
        }
    }
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressProblemKind {
    #[error("is required")]
    Missing,
    #[error("is longer than {max} characters")]
    TooLong { max: usize },
    #[error("is not an ISO 3166-1 alpha-2 country code")]
    UnknownCountry,
    #[error("is not a valid postcode for {country} (expected e.g. {example})")]
    InvalidPostcode { country: String, example: &'static str },
    #[error("{0}")]
    InvalidPhone(#[from] super::PhoneError),
    #[error("looks like a payment card number")]
    CardNumber,
}

/// One problem with one field of an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} {kind}", field.wire_name())]
pub struct AddressProblem {
    pub field: AddressField,
    pub kind: AddressProblemKind,
}

/// A validated shipping address. Postcodes are normalised to their national format.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", try_from = "AddressInput")
)]
pub struct PostalAddress {
    name: String,
    line1: String,
    line2: Option<String>,
    city: String,
    region: Option<String>,
    /// Normalised (`SW1A 1AA`, `1234 AB`, `123-4567`); empty only where the country has none.
    postal_code: String,
    country: CountryCode,
    phone: Option<Phone>,
}

/// Longest postcode accepted for countries without a known format.
const MAX_POSTCODE_LEN: usize = 12;

/// Countries whose addresses commonly have no postcode.
const NO_POSTCODE: [&str; 10] = ["AE", "AG", "BS", "BZ", "FJ", "GH", "HK", "IE", "JM", "QA"];

impl PostalAddress {
    pub const MAX_FIELD_LEN: usize = 200;

    /// Validates every field and reports *all* problems, not just the first.
    pub fn parse(input: &AddressInput) -> Result<PostalAddress, Vec<AddressProblem>> {
        let mut problems = Vec::new();
        let mut required = |field: AddressField, value: &str| -> String {
            let v = value.trim();
            if v.is_empty() {
                problems.push(AddressProblem { field, kind: AddressProblemKind::Missing });
            } else if v.chars().count() > Self::MAX_FIELD_LEN {
                problems.push(AddressProblem {
                    field,
                    kind: AddressProblemKind::TooLong { max: Self::MAX_FIELD_LEN },
                });
            } else if crate::card::contains_card_number(v) {
                problems.push(AddressProblem { field, kind: AddressProblemKind::CardNumber });
            }
            v.to_owned()
        };
        let name = required(AddressField::Name, &input.name);
        let line1 = required(AddressField::Line1, &input.line1);
        let city = required(AddressField::City, &input.city);
        let optional = |field: AddressField, value: &Option<String>, problems: &mut Vec<AddressProblem>| {
            let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
            if v.chars().count() > Self::MAX_FIELD_LEN {
                problems.push(AddressProblem {
                    field,
                    kind: AddressProblemKind::TooLong { max: Self::MAX_FIELD_LEN },
                });
            } else if crate::card::contains_card_number(v) {
                problems.push(AddressProblem { field, kind: AddressProblemKind::CardNumber });
            }
            Some(v.to_owned())
        };
        let line2 = optional(AddressField::Line2, &input.line2, &mut problems);
        let region = optional(AddressField::Region, &input.region, &mut problems);

        let country = if input.country.trim().is_empty() {
            problems.push(AddressProblem { field: AddressField::Country, kind: AddressProblemKind::Missing });
            None
        } else {
            match CountryCode::parse(&input.country) {
                Ok(c) => Some(c),
                Err(_) => {
                    problems.push(AddressProblem {
                        field: AddressField::Country,
                        kind: AddressProblemKind::UnknownCountry,
                    });
                    None
                }
            }
        };

        let mut postal_code = input.postal_code.trim().to_owned();
        if let Some(country) = &country {
            match normalise_postcode(country.as_str(), &postal_code) {
                Ok(normalised) => postal_code = normalised,
                Err(kind) => problems.push(AddressProblem { field: AddressField::PostalCode, kind }),
            }
        }

        let phone = match input.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(raw) => match Phone::parse(raw) {
                Ok(p) => Some(p),
                Err(e) => {
                    problems.push(AddressProblem { field: AddressField::Phone, kind: e.into() });
                    None
                }
            },
        };

        match country {
            Some(country) if problems.is_empty() => {
                Ok(PostalAddress { name, line1, line2, city, region, postal_code, country, phone })
            }
            _ => Err(problems),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn line1(&self) -> &str {
        &self.line1
    }
    pub fn line2(&self) -> Option<&str> {
        self.line2.as_deref()
    }
    pub fn city(&self) -> &str {
        &self.city
    }
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
    pub fn postal_code(&self) -> &str {
        &self.postal_code
    }
    pub fn country(&self) -> &CountryCode {
        &self.country
    }
    pub fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }

    /// The address as printed on a label or a document, a line each: name, street, the second
    /// street line if any, city with region and postcode, country code.
    pub fn printed_lines(&self) -> Vec<String> {
        let mut lines = vec![self.name.clone(), self.line1.clone()];
        lines.extend(self.line2.clone());
        let region = self.region.as_deref().map(|r| format!(" {r}")).unwrap_or_default();
        lines.push(format!("{}{region} {}", self.city, self.postal_code));
        lines.push(self.country.as_str().to_owned());
        lines
    }
}

/// Reading an address from the wire goes through [`PostalAddress::parse`], so it is never unchecked.
impl TryFrom<AddressInput> for PostalAddress {
    type Error = String;
    fn try_from(input: AddressInput) -> Result<Self, Self::Error> {
        PostalAddress::parse(&input)
            .map_err(|problems| problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
    }
}

/// A postcode pattern over the compact form (upper case, no spaces or dashes):
/// `A` a letter, `9` a digit, `?` a letter or digit. `split` inserts the separator
/// at that position of the compact form when formatting (0 = none).
struct Format {
    shapes: &'static [&'static str],
    separator: &'static str,
    split_from_end: usize,
    example: &'static str,
    first_digit_nonzero: bool,
}

fn format_for(country: &str) -> Option<Format> {
    let f = |shapes, separator, split_from_end, example| Format {
        shapes,
        separator,
        split_from_end,
        example,
        first_digit_nonzero: false,
    };
    Some(match country {
        "US" => f(&["99999", "999999999"], "-", 4, "94103 or 94103-1234"),
        "CA" => f(&["A9A9A9"], " ", 3, "K1A 0B1"),
        "GB" => f(&["A99AA", "A999AA", "AA99AA", "AA999AA", "A9A9AA", "AA9A9AA"], " ", 3, "SW1A 1AA"),
        "NL" => f(&["9999AA"], " ", 2, "1012 AB"),
        "JP" => f(&["9999999"], "-", 4, "100-0001"),
        "IN" => Format { first_digit_nonzero: true, ..f(&["999999"], "", 0, "110001") },
        "DE" | "FR" | "ES" | "IT" | "FI" | "MX" => f(&["99999"], "", 0, "10115"),
        "AT" | "AU" | "BE" | "CH" | "DK" | "NO" | "NZ" | "ZA" => f(&["9999"], "", 0, "8001"),
        "SE" => f(&["99999"], " ", 2, "114 55"),
        "PL" => f(&["99999"], "-", 3, "00-950"),
        "PT" => f(&["9999999"], "-", 3, "1000-001"),
        _ => return None,
    })
}

fn normalise_postcode(country: &str, raw: &str) -> Result<String, AddressProblemKind> {
    let invalid = |example| AddressProblemKind::InvalidPostcode { country: country.to_owned(), example };
    let Some(format) = format_for(country) else {
        if raw.is_empty() && !NO_POSTCODE.contains(&country) {
            return Err(AddressProblemKind::Missing);
        }
        if raw.chars().count() > MAX_POSTCODE_LEN {
            return Err(AddressProblemKind::TooLong { max: MAX_POSTCODE_LEN });
        }
        return Ok(raw.to_owned());
    };
    if raw.is_empty() {
        return Err(AddressProblemKind::Missing);
    }
    let compact: String =
        raw.chars().filter(|c| !matches!(c, ' ' | '-')).map(|c| c.to_ascii_uppercase()).collect();
    let fits = |shape: &&str| {
        shape.len() == compact.len()
            && shape.bytes().zip(compact.bytes()).all(|(s, c)| match s {
                b'A' => c.is_ascii_uppercase(),
                b'9' => c.is_ascii_digit(),
                _ => c.is_ascii_alphanumeric(),
            })
    };
    if !compact.is_ascii() || !format.shapes.iter().any(fits) {
        return Err(invalid(format.example));
    }
    if format.first_digit_nonzero && compact.starts_with('0') {
        return Err(invalid(format.example));
    }
    // US ZIP+4 only splits when the +4 is present.
    let split = format.split_from_end;
    if split == 0 || (country == "US" && compact.len() == 5) {
        return Ok(compact);
    }
    let (head, tail) = compact.split_at(compact.len() - split);
    Ok(format!("{head}{}{tail}", format.separator))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(country: &str, postal_code: &str) -> AddressInput {
        AddressInput {
            name: "Ada Lovelace".into(),
            line1: "12 St James's Square".into(),
            city: "London".into(),
            postal_code: postal_code.into(),
            country: country.into(),
            ..AddressInput::default()
        }
    }

    #[test]
    fn postcodes_are_checked_and_normalised_per_country() {
        let good = [
            ("US", "94103", "94103"),
            ("US", "94103-1234", "94103-1234"),
            ("CA", "k1a0b1", "K1A 0B1"),
            ("GB", "sw1a1aa", "SW1A 1AA"),
            ("GB", "M1 1AE", "M1 1AE"),
            ("GB", "EC1A 1BB", "EC1A 1BB"),
            ("DE", "10115", "10115"),
            ("FR", "75008", "75008"),
            ("NL", "1012ab", "1012 AB"),
            ("IN", "110001", "110001"),
            ("JP", "1000001", "100-0001"),
            ("JP", "100-0001", "100-0001"),
            ("BR", "01310-100", "01310-100"),
            ("HK", "", ""),
        ];
        for (country, raw, expected) in good {
            let parsed = PostalAddress::parse(&address(country, raw));
            assert_eq!(
                parsed.map(|a| a.postal_code().to_owned()),
                Ok(expected.to_owned()),
                "{country} {raw}"
            );
        }
    }

    #[test]
    fn malformed_postcodes_are_rejected_with_an_example() {
        let bad = [
            ("US", "9410"),
            ("US", "ABCDE"),
            ("CA", "123 456"),
            ("GB", "12345"),
            ("DE", "1011"),
            ("FR", "7500A"),
            ("NL", "12345"),
            ("IN", "011001"),
            ("JP", "100-001"),
        ];
        for (country, raw) in bad {
            let problems = PostalAddress::parse(&address(country, raw)).unwrap_err();
            assert_eq!(problems.len(), 1, "{country} {raw}");
            assert_eq!(problems[0].field, AddressField::PostalCode);
            assert!(matches!(problems[0].kind, AddressProblemKind::InvalidPostcode { .. }));
        }
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let input =
            AddressInput { phone: Some("555-0100".into()), country: "UK".into(), ..AddressInput::default() };
        let problems = PostalAddress::parse(&input).unwrap_err();
        let fields: Vec<AddressField> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            vec![
                AddressField::Name,
                AddressField::Line1,
                AddressField::City,
                AddressField::Country,
                AddressField::Phone
            ]
        );
        assert_eq!(problems[3].to_string(), "country is not an ISO 3166-1 alpha-2 country code");
    }

    #[test]
    fn other_countries_need_a_non_empty_postcode() {
        let problems = PostalAddress::parse(&address("BR", "")).unwrap_err();
        assert_eq!(problems[0].field, AddressField::PostalCode);
        assert_eq!(problems[0].kind, AddressProblemKind::Missing);
    }

    #[test]
    fn overlong_fields_are_rejected() {
        let mut input = address("DE", "10115");
        input.city = "x".repeat(201);
        let problems = PostalAddress::parse(&input).unwrap_err();
        assert_eq!(problems[0].field, AddressField::City);
        assert_eq!(problems[0].kind, AddressProblemKind::TooLong { max: 200 });
    }

    #[test]
    fn a_valid_phone_is_kept_in_e164_form() {
        let mut input = address("US", "94103");
        input.phone = Some("+1 415 555 0123".into());
        assert_eq!(PostalAddress::parse(&input).unwrap().phone().unwrap().as_str(), "+14155550123");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn an_address_read_from_the_wire_goes_through_parse() {
        let bad = serde_json::from_str::<PostalAddress>(
            r#"{"name":"Emmy","line1":"Bunsenstr. 3","city":"Göttingen","postalCode":"123","country":"DE"}"#,
        );
        assert!(bad.unwrap_err().to_string().contains("postalCode is not a valid postcode for DE"));
        let good: PostalAddress = serde_json::from_str(
            r#"{"name":"Emmy","line1":"Bunsenstr. 3","city":"Göttingen","postalCode":"37073","country":"de"}"#,
        )
        .unwrap();
        assert_eq!(good.country().as_str(), "DE");
    }
}
