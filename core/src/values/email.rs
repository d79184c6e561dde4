//! `Email`: a deliverable-looking e-mail address (syntax only; delivery is the mailer's job).

use super::string_value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("e-mail address is empty")]
    Empty,
    #[error("e-mail address is longer than 254 characters")]
    TooLong,
    #[error("e-mail address needs exactly one '@'")]
    MissingAt,
    #[error("the part before '@' is not valid")]
    InvalidLocalPart,
    #[error("the domain after '@' is not valid")]
    InvalidDomain,
}

/// An e-mail address: `local@domain.tld`, the domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(try_from = "String"))]
pub struct Email(String);

string_value!(Email, EmailError);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let mut parts = s.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(EmailError::MissingAt);
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
        if !local_ok {
            return Err(EmailError::InvalidLocalPart);
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
        if !domain_ok {
            return Err(EmailError::InvalidDomain);
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address as orders are found by it ("Find my orders"): all lower-cased, since mail
    /// providers treat `Ada@` and `ada@` as one mailbox and a shopper types either.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_differing_only_in_case_share_one_key() {
        let a = Email::parse("Ada.Lovelace@Example.com").unwrap();
        let b = Email::parse("ada.lovelace@example.COM").unwrap();
        assert_ne!(a, b, "the address itself keeps its local part as written");
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key(), "ada.lovelace@example.com");
    }

    #[test]
    fn a_normal_address_parses_with_its_domain_lowercased() {
        assert_eq!(
            Email::parse(" Ada.Lovelace+shop@Example.CO.uk ").unwrap().as_str(),
            "Ada.Lovelace+shop@example.co.uk"
        );
    }

    #[test]
    fn malformed_addresses_are_rejected_with_the_reason() {
        let cases = [
            ("", EmailError::Empty),
            ("ada.example.com", EmailError::MissingAt),
            ("ada@@example.com", EmailError::MissingAt),
            ("@example.com", EmailError::InvalidLocalPart),
            ("a..b@example.com", EmailError::InvalidLocalPart),
            ("ada lovelace@example.com", EmailError::InvalidLocalPart),
            ("ada@localhost", EmailError::InvalidDomain),
            ("ada@-example.com", EmailError::InvalidDomain),
            ("ada@example.c0m", EmailError::InvalidDomain),
            ("ada@exa mple.com", EmailError::InvalidDomain),
        ];
        for (input, expected) in cases {
            assert_eq!(Email::parse(input), Err(expected), "{input}");
        }
        assert_eq!(Email::parse(&format!("{}@example.com", "a".repeat(250))), Err(EmailError::TooLong));
    }
}
