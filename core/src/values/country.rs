//! `CountryCode`: an assigned ISO 3166-1 alpha-2 country code.

use super::string_value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountryError {
    #[error("`{0}` is not an ISO 3166-1 alpha-2 country code")]
    Unknown(String),
}

/// Every officially assigned ISO 3166-1 alpha-2 code, sorted, space separated.
const ASSIGNED: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET \
FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR \
IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN \
MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR \
TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// An ISO 3166-1 alpha-2 code, upper case (`US`, `DE`, `JP`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(try_from = "String"))]
pub struct CountryCode(String);

string_value!(CountryCode, CountryError);

impl CountryCode {
    /// Parses a code case-insensitively; only assigned codes are accepted (`UK` is not one: use `GB`).
    pub fn parse(raw: &str) -> Result<CountryCode, CountryError> {
        let code = raw.trim().to_ascii_uppercase();
        let known = match code.as_bytes() {
            &[a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => assigned([a, b]),
            _ => false,
        };
        if known { Ok(CountryCode(code)) } else { Err(CountryError::Unknown(raw.to_owned())) }
    }
}

/// Whether `code` is in [`ASSIGNED`]: codes sit every three bytes, in order, so it is bisected in place.
fn assigned(code: [u8; 2]) -> bool {
    let table = ASSIGNED.as_bytes();
    let (mut low, mut high) = (0, table.len().div_ceil(3));
    while low < high {
        let middle = (low + high) / 2;
        match [table[3 * middle], table[3 * middle + 1]].cmp(&code) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_all_249_assigned_codes_in_order() {
        let codes: Vec<&str> = ASSIGNED.split(' ').collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn every_code_of_the_table_and_no_other_pair_of_letters_is_assigned() {
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let text = String::from_utf8(vec![a, b]).unwrap();
                assert_eq!(assigned([a, b]), ASSIGNED.split(' ').any(|c| c == text), "{text}");
            }
        }
    }

    #[test]
    fn codes_parse_case_insensitively() {
        assert_eq!(CountryCode::parse("de").unwrap().as_str(), "DE");
        assert_eq!(CountryCode::parse(" jp ").unwrap().as_str(), "JP");
    }

    #[test]
    fn unassigned_or_malformed_codes_are_rejected() {
        for bad in ["UK", "XX", "USA", "", "1A", "É"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad}");
        }
    }
}
