//! A channel's settings, parsed at the edge: its code (what orders carry), name, kind, webhook URL
//! and signing secret (Standard Webhooks' `whsec_` + base64 form).

use crate::values::required_text;

/// Why a channel's setting was refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ChannelError {
    pub field: &'static str,
    pub message: &'static str,
}

fn refuse(field: &'static str, message: &'static str) -> ChannelError {
    ChannelError { field, message }
}

/// What sort of channel sells the orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub enum ChannelKind {
    /// The shop's own storefront.
    Web,
    /// A marketplace (Amazon, eBay, Etsy, …).
    Marketplace,
    /// A point of sale in a shop.
    Pos,
    /// A social network's shop.
    Social,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 4] =
        [ChannelKind::Web, ChannelKind::Marketplace, ChannelKind::Pos, ChannelKind::Social];

    /// Stable key, as stored.
    pub fn key(self) -> &'static str {
        match self {
            ChannelKind::Web => "web",
            ChannelKind::Marketplace => "marketplace",
            ChannelKind::Pos => "pos",
            ChannelKind::Social => "social",
        }
    }

    pub fn parse(key: &str) -> Result<ChannelKind, ChannelError> {
        ChannelKind::ALL
            .into_iter()
            .find(|k| k.key() == key)
            .ok_or_else(|| refuse("kind", "must be web, marketplace, pos or social"))
    }
}

/// The longest channel code.
pub const MAX_CODE_CHARS: usize = 40;

/// A channel's code: what its orders carry (`web`, `amazon-eu`), 1–40 lowercase letters, digits,
/// `-` or `_`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChannelCode(String);

impl ChannelCode {
    pub fn parse(raw: &str) -> Result<ChannelCode, ChannelError> {
        let code = raw.trim();
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        let starts_well = code.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit());
        if code.is_empty() || code.len() > MAX_CODE_CHARS || !starts_well || !code.chars().all(allowed) {
            return Err(refuse(
                "code",
                "must be 1 to 40 lowercase letters, digits, '-' or '_', starting with a letter or digit",
            ));
        }
        Ok(ChannelCode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The longest channel name.
pub const MAX_NAME_CHARS: usize = 80;

/// A channel's name as staff see it (`Amazon EU`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelName(String);

impl ChannelName {
    pub fn parse(raw: &str) -> Result<ChannelName, ChannelError> {
        required_text(raw, MAX_NAME_CHARS)
            .map(ChannelName)
            .map_err(|_| refuse("name", "must be 1 to 80 characters of text"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The longest webhook URL.
pub const MAX_URL_CHARS: usize = 2000;

/// Where a channel's webhooks are sent: an absolute `http` or `https` URL with a host, no
/// credentials in it (the signature proves who sent it), no fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub fn parse(raw: &str) -> Result<WebhookUrl, ChannelError> {
        let url = raw.trim();
        let not_http = || refuse("webhookUrl", "must be an http:// or https:// URL with a host");
        if url.len() > MAX_URL_CHARS {
            return Err(refuse("webhookUrl", "must be at most 2000 characters"));
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse("webhookUrl", "must not contain spaces or control characters"));
        }
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &url[8..]
        } else if lower.starts_with("http://") {
            &url[7..]
        } else {
            return Err(not_http());
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(refuse("webhookUrl", "must not carry a user name or password"));
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6.split_once(']').unwrap_or(("", ""));
                (host, after.strip_prefix(':'))
            }
            None => match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        if host.is_empty() {
            return Err(not_http());
        }
        if port.is_some_and(|port| port.parse::<u16>().is_err()) {
            return Err(refuse("webhookUrl", "has a port that is not a number up to 65535"));
        }
        if url.contains('#') {
            return Err(refuse("webhookUrl", "must not have a #fragment"));
        }
        Ok(WebhookUrl(url.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The fewest bytes of a signing secret: shorter ones are guessable.
pub const MIN_SECRET_BYTES: usize = 24;
/// The most bytes of a signing secret (as Standard Webhooks allows).
pub const MAX_SECRET_BYTES: usize = 64;

/// A webhook signing secret: 24 to 64 random bytes, written `whsec_` + base64 (Standard
/// Webhooks' form; the prefix may be left out when it is given).
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(Vec<u8>);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(..)")
    }
}

impl SigningSecret {
    /// A secret in its written form (`whsec_…`).
    pub fn parse(raw: &str) -> Result<SigningSecret, ChannelError> {
        let text = raw.trim();
        let text = text.strip_prefix("whsec_").unwrap_or(text);
        let bytes = base64_decode(text)
            .ok_or_else(|| refuse("signingSecret", "must be whsec_ followed by base64"))?;
        SigningSecret::from_bytes(bytes)
    }

    /// A secret of these bytes (the gateway's own random ones).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<SigningSecret, ChannelError> {
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(refuse("signingSecret", "must be at least 24 bytes (32 random bytes are best)"));
        }
        if bytes.len() > MAX_SECRET_BYTES {
            return Err(refuse("signingSecret", "must be at most 64 bytes"));
        }
        Ok(SigningSecret(bytes))
    }

    /// The key the signatures are made with.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The written form: `whsec_` + base64.
    pub fn written(&self) -> String {
        format!("whsec_{}", base64_encode(&self.0))
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64, padded or not; `None` when it is not base64.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)?;
        acc = (acc << 6) | u32::try_from(v).ok()?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_channel_code_is_a_short_lowercase_slug() {
        assert_eq!(ChannelCode::parse(" amazon-eu ").unwrap().as_str(), "amazon-eu");
        for bad in ["", "Amazon", "-web", "web shop", "ébay", &"a".repeat(41)] {
            assert_eq!(ChannelCode::parse(bad).unwrap_err().field, "code", "{bad:?}");
        }
    }

    #[test]
    fn a_channel_kind_is_one_of_four() {
        for kind in ChannelKind::ALL {
            assert_eq!(ChannelKind::parse(kind.key()), Ok(kind));
        }
        assert_eq!(ChannelKind::parse("fax").unwrap_err().field, "kind");
    }

    #[test]
    fn a_webhook_url_is_http_or_https_with_a_host() {
        for good in [
            "https://hooks.example.com/ordo",
            "http://127.0.0.1:8080/hook?shop=1",
            "HTTPS://example.com",
            "http://[::1]:9000/x",
        ] {
            assert!(WebhookUrl::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "ftp://example.com/x",
            "javascript:alert(1)",
            "example.com/hook",
            "https://",
            "https:///path",
            "https://user:pw@example.com/",
            "https://example.com/a b",
            "https://example.com:99999/",
            "https://example.com/#top",
            "",
        ] {
            assert_eq!(WebhookUrl::parse(bad).unwrap_err().field, "webhookUrl", "{bad:?}");
        }
    }

    #[test]
    fn a_signing_secret_has_24_to_64_bytes_in_its_written_form() {
        let written = SigningSecret::from_bytes(vec![7; 32]).unwrap().written();
        assert!(written.starts_with("whsec_"), "{written}");
        assert_eq!(SigningSecret::parse(&written).unwrap().bytes(), &[7; 32]);
        assert_eq!(
            SigningSecret::parse(&written[6..]).unwrap().bytes(),
            &[7; 32],
            "the prefix may be left out"
        );
        assert_eq!(SigningSecret::from_bytes(vec![1; 23]).unwrap_err().field, "signingSecret");
    }

    #[test]
    fn a_short_or_malformed_secret_is_refused() {
        let short = format!("whsec_{}", base64_encode(&[1; 23]));
        assert_eq!(
            SigningSecret::parse(&short).unwrap_err().message,
            "must be at least 24 bytes (32 random bytes are best)"
        );
        assert!(SigningSecret::parse("whsec_not base64!").is_err());
        assert!(SigningSecret::parse(&format!("whsec_{}", base64_encode(&[1; 65]))).is_err());
        assert_eq!(format!("{:?}", SigningSecret::from_bytes(vec![9; 24]).unwrap()), "SigningSecret(..)");
    }

    #[test]
    fn base64_matches_the_rfc_4648_test_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
            assert_eq!(base64_decode(encoded).unwrap(), plain.as_bytes());
        }
    }

    proptest! {
        #[test]
        fn any_bytes_survive_base64(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            prop_assert_eq!(base64_decode(&base64_encode(&bytes)).unwrap(), bytes);
        }
    }
}
