//! Address and e-mail checks as cart issues, for the checkout form and for cart validation.

use super::check::{Issue, IssueCode, Severity};
use crate::values::{AddressField, AddressInput, AddressProblemKind, Email, PostalAddress};

/// Parses an address; every problem becomes an issue at `{prefix}.{field}` (or `{field}` when
/// `prefix` is empty).
pub fn check_address(input: &AddressInput, prefix: &str) -> Result<PostalAddress, Vec<Issue>> {
    PostalAddress::parse(input).map_err(|problems| {
        problems
            .into_iter()
            .map(|problem| {
                let field = problem.field.wire_name();
                let path = if prefix.is_empty() { field.to_owned() } else { format!("{prefix}.{field}") };
                let label = field_label(problem.field);
                let (code, message) = match &problem.kind {
                    AddressProblemKind::Missing => {
                        (IssueCode::AddressMissingField, format!("Enter the {label}."))
                    }
                    AddressProblemKind::TooLong { max } => (
                        IssueCode::AddressFieldTooLong,
                        format!("The {label} is too long (at most {max} characters)."),
                    ),
                    AddressProblemKind::UnknownCountry => (
                        IssueCode::AddressInvalidCountry,
                        format!(
                            "\"{}\" is not a country code we know (use two letters, e.g. US, GB, DE).",
                            input.country.trim()
                        ),
                    ),
                    AddressProblemKind::InvalidPostcode { country, example } => (
                        IssueCode::AddressInvalidPostcode,
                        format!(
                            "\"{}\" is not a valid postcode for {country} (e.g. {example}).",
                            input.postal_code.trim()
                        ),
                    ),
                    AddressProblemKind::CardNumber => (
                        IssueCode::CardNumberInText,
                        format!(
                            "The {label} looks like a payment card number. Never type card details here; \
                             pay at the payment step."
                        ),
                    ),
                    AddressProblemKind::InvalidPhone(e) => {
                        (IssueCode::PhoneInvalid, format!("{}.", capitalise(&e.to_string())))
                    }
                };
                Issue { code, path, severity: Severity::Error, message }
            })
            .collect()
    })
}

/// Parses an e-mail address; a problem becomes an `EMAIL_INVALID` issue at `path`.
pub fn check_email(raw: &str, path: &str) -> Result<Email, Issue> {
    Email::parse(raw).map_err(|e| Issue {
        code: IssueCode::EmailInvalid,
        path: path.to_owned(),
        severity: Severity::Error,
        message: format!("\"{}\" is not a valid e-mail address: {e}.", raw.trim()),
    })
}

fn field_label(field: AddressField) -> &'static str {
    match field {
        AddressField::Name => "recipient's name",
        AddressField::Line1 => "street address",
        AddressField::Line2 => "second address line",
        AddressField::City => "city",
        AddressField::Region => "region",
        AddressField::PostalCode => "postcode",
        AddressField::Country => "country",
        AddressField::Phone => "phone number",
    }
}

/// The first letter in upper case. The messages capitalised here are English ASCII, so ASCII
/// case suffices (`char::to_uppercase` would link Unicode's case tables into the browser package).
fn capitalise(s: &str) -> String {
    let mut out = s.to_owned();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_issues_are_placed_under_the_given_prefix() {
        let input =
            AddressInput { country: "DE".into(), postal_code: "123".into(), ..AddressInput::default() };
        let issues = check_address(&input, "").unwrap_err();
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, vec!["name", "line1", "city", "postalCode"]);
        assert_eq!(issues[3].message, "\"123\" is not a valid postcode for DE (e.g. 10115).");
        let issues = check_address(&input, "billing").unwrap_err();
        assert_eq!(issues[0].path, "billing.name");
    }

    #[test]
    fn a_card_number_typed_into_an_address_line_is_refused() {
        let input = AddressInput {
            name: "Ada".into(),
            line1: "1 Main St".into(),
            line2: Some("visa 4111 1111 1111 1111".into()),
            city: "Springfield".into(),
            postal_code: "62701".into(),
            country: "US".into(),
            ..AddressInput::default()
        };
        let issues = check_address(&input, "shippingAddress").unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, IssueCode::CardNumberInText);
        assert_eq!(issues[0].path, "shippingAddress.line2");
        assert!(issues[0].message.starts_with("The second address line looks like a payment card number."));
    }

    #[test]
    fn a_bad_email_is_one_issue_with_the_reason() {
        let issue = check_email(" ada@", "email").unwrap_err();
        assert_eq!(issue.code, IssueCode::EmailInvalid);
        assert_eq!(
            issue.message,
            "\"ada@\" is not a valid e-mail address: the domain after '@' is not valid."
        );
        assert_eq!(check_email("Ada@Example.com", "email").unwrap().as_str(), "Ada@example.com");
    }
}
