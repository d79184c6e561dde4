//! Bearer tokens (JWT, HS256) carrying a role: minted for guests and by `ordo token`, verified
//! by the edge into an [`Actor`]. A bad or expired token is refused (`UNAUTHENTICATED`).

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::app::access::Actor;
use crate::app::error::ApiError;

/// The claims of an Ordo token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Subject: who the token was issued to.
    pub sub: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// For a shopper: the e-mail address (its key) whose orders the token reaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// For staff bound to stock locations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<String>>,
    /// For a document link: the role of the caller it was made for (`staff`, `admin`,
    /// `supplier`, …), whose rights it carries to that one document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acts: Option<String>,
    pub exp: i64,
    pub iat: i64,
}

impl Claims {
    /// Claims for `subject`, issued now and valid for `ttl`, with no role yet.
    fn new(subject: &str, ttl: Duration) -> Claims {
        let now = Utc::now().timestamp();
        Claims {
            sub: subject.to_owned(),
            role: String::new(),
            customer: None,
            channel: None,
            supplier: None,
            order: None,
            email: None,
            locations: None,
            acts: None,
            exp: now + ttl.num_seconds(),
            iat: now,
        }
    }

    /// The claims of a token for `actor` (see [`Keys::mint`]).
    fn of(actor: &Actor, subject: &str, ttl: Duration) -> Result<Claims, String> {
        let mut claims = Claims::new(subject, ttl);
        match actor {
            Actor::Anonymous => return Err("anonymous callers carry no token".into()),
            Actor::Guest { order_id } => {
                claims.role = "guest".into();
                claims.order = Some(order_id.clone());
            }
            Actor::Customer { id } => {
                claims.role = "customer".into();
                claims.customer = Some(id.clone());
            }
            Actor::Shopper { email } => {
                claims.role = "shopper".into();
                claims.email = Some(email.clone());
            }
            Actor::Staff => claims.role = "staff".into(),
            Actor::WarehouseStaff { locations } => {
                claims.role = "staff".into();
                claims.locations = Some(locations.clone());
            }
            Actor::Admin => claims.role = "admin".into(),
            Actor::Channel { channel } => {
                claims.role = "channel".into();
                claims.channel = Some(channel.clone());
            }
            Actor::Supplier { supplier } => {
                claims.role = "supplier".into();
                claims.supplier = Some(supplier.clone());
            }
        }
        Ok(claims)
    }
}

/// How long a guest's order token lasts.
pub const GUEST_TOKEN_DAYS: i64 = 90;

/// How long a "Find my orders" link works.
pub const SIGN_IN_HOURS: u32 = 24;

/// How long an unsubscribe link works (a message carries a fresh one each time it is sent).
pub const UNSUBSCRIBE_DAYS: i64 = 365;

/// The role of an unsubscribe token: it stands for no caller (the API refuses it as a bearer
/// token) and only says which address may opt out.
const UNSUBSCRIBE_ROLE: &str = "unsubscribe";

/// How long a document link works: long enough to open it, too short to be worth stealing.
pub const DOCUMENT_LINK_MINUTES: i64 = 5;

/// The role of a document link's token: it opens one document (its subject) for the caller it
/// was made for, and is refused as a bearer token.
const DOCUMENT_ROLE: &str = "document";

/// Signs and checks tokens with one shared secret.
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    /// Keys from a secret of at least 32 bytes.
    pub fn new(secret: &[u8]) -> Result<Keys, String> {
        if secret.len() < 32 {
            return Err("the token secret must be at least 32 bytes".into());
        }
        Ok(Keys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) })
    }

    /// A token for a guest's one order, valid for [`GUEST_TOKEN_DAYS`]: checkout answers with it,
    /// and messages to the customer link with it.
    pub fn mint_guest(&self, order_id: &str) -> Result<String, String> {
        let guest = Actor::Guest { order_id: order_id.to_owned() };
        self.mint(&guest, "guest", Duration::days(GUEST_TOKEN_DAYS))
    }

    /// A token for the orders placed with the address whose key is `email`, valid for
    /// [`SIGN_IN_HOURS`]: a "Find my orders" link carries it.
    pub fn mint_shopper(&self, email: &str) -> Result<String, String> {
        let shopper = Actor::Shopper { email: email.to_owned() };
        self.mint(&shopper, "shopper", Duration::hours(i64::from(SIGN_IN_HOURS)))
    }

    /// The token of the unsubscribe links in messages to the address whose key is `email`,
    /// valid for [`UNSUBSCRIBE_DAYS`]. It is not a bearer token: [`Keys::verify`] refuses it.
    pub fn mint_unsubscribe(&self, email: &str) -> Result<String, String> {
        let mut claims = Claims::new("messages", Duration::days(UNSUBSCRIBE_DAYS));
        claims.role = UNSUBSCRIBE_ROLE.into();
        claims.email = Some(email.to_owned());
        self.encode(&claims)
    }

    /// The address key an unsubscribe token was minted for; any problem (another kind of token
    /// too) is `UNAUTHENTICATED`.
    pub fn verify_unsubscribe(&self, token: &str) -> Result<String, ApiError> {
        let claims = self.decode(token)?;
        match claims.email {
            Some(email) if claims.role == UNSUBSCRIBE_ROLE && !email.trim().is_empty() => Ok(email),
            _ => Err(ApiError::Unauthenticated),
        }
    }

    /// The token of a link that opens the document at `path` (`/documents/ord/shipment/label.pdf`)
    /// for `actor`, valid [`DOCUMENT_LINK_MINUTES`]: a browser opens it without a bearer header.
    pub fn mint_document_link(&self, actor: &Actor, path: &str) -> Result<String, String> {
        let mut claims = Claims::of(actor, path, Duration::minutes(DOCUMENT_LINK_MINUTES))?;
        claims.acts = Some(std::mem::replace(&mut claims.role, DOCUMENT_ROLE.to_owned()));
        self.encode(&claims)
    }

    /// The caller a document link's token was made for, when it opens `path` and has not
    /// expired; any problem is `UNAUTHENTICATED`.
    pub fn verify_document_link(&self, token: &str, path: &str) -> Result<Actor, ApiError> {
        let mut claims = self.decode(token)?;
        if claims.role != DOCUMENT_ROLE || claims.sub != path {
            return Err(ApiError::Unauthenticated);
        }
        claims.role = claims.acts.take().ok_or(ApiError::Unauthenticated)?;
        actor_of(claims)
    }

    fn decode(&self, token: &str) -> Result<Claims, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        Ok(jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| ApiError::Unauthenticated)?
            .claims)
    }

    /// A token for `actor`, valid for `ttl`.
    pub fn mint(&self, actor: &Actor, subject: &str, ttl: Duration) -> Result<String, String> {
        self.encode(&Claims::of(actor, subject, ttl)?)
    }

    fn encode(&self, claims: &Claims) -> Result<String, String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| e.to_string())
    }

    /// The actor a bearer token stands for; any problem is `UNAUTHENTICATED`.
    pub fn verify(&self, token: &str) -> Result<Actor, ApiError> {
        self.verify_subject(token).map(|(actor, _)| actor)
    }

    /// The actor a bearer token stands for and the subject it was issued to (who acts, for the
    /// audit trail); any problem is `UNAUTHENTICATED`.
    pub fn verify_subject(&self, token: &str) -> Result<(Actor, String), ApiError> {
        let claims = self.decode(token)?;
        let subject = claims.sub.trim().to_owned();
        if subject.is_empty() || subject.len() > MAX_SUBJECT || subject.chars().any(char::is_control) {
            return Err(ApiError::Unauthenticated);
        }
        Ok((actor_of(claims)?, subject))
    }
}

/// The caller a token's claims stand for (by their role); `UNAUTHENTICATED` for any other role.
fn actor_of(claims: Claims) -> Result<Actor, ApiError> {
    let bound = |v: Option<String>| v.filter(|s| !s.trim().is_empty()).ok_or(ApiError::Unauthenticated);
    Ok(match claims.role.as_str() {
        "guest" => Actor::Guest { order_id: bound(claims.order)? },
        "customer" => Actor::Customer { id: bound(claims.customer)? },
        "shopper" => Actor::Shopper { email: bound(claims.email)? },
        "staff" => match claims.locations {
            None => Actor::Staff,
            Some(locations) if !locations.is_empty() && locations.iter().all(|l| !l.trim().is_empty()) => {
                Actor::WarehouseStaff { locations }
            }
            Some(_) => return Err(ApiError::Unauthenticated),
        },
        "admin" => Actor::Admin,
        "channel" => Actor::Channel { channel: bound(claims.channel)? },
        "supplier" => Actor::Supplier { supplier: bound(claims.supplier)? },
        _ => return Err(ApiError::Unauthenticated),
    })
}

/// The longest token subject accepted (an e-mail address or a service name).
const MAX_SUBJECT: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::new(b"0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn a_minted_token_verifies_to_the_same_actor() {
        let k = keys();
        for actor in [
            Actor::Customer { id: "cus_1".into() },
            Actor::Guest { order_id: "ord_1".into() },
            Actor::Staff,
            Actor::WarehouseStaff { locations: vec!["west".into()] },
            Actor::Admin,
            Actor::Channel { channel: "amazon".into() },
            Actor::Supplier { supplier: "northwood".into() },
        ] {
            let token = k.mint(&actor, "test", Duration::minutes(5)).unwrap();
            assert_eq!(k.verify(&token).unwrap(), actor);
        }
    }

    #[test]
    fn forged_expired_and_malformed_tokens_are_unauthenticated() {
        let k = keys();
        let other = Keys::new(b"another-secret-another-secret-xx").unwrap();
        let forged = other.mint(&Actor::Admin, "mallory", Duration::minutes(5)).unwrap();
        assert!(matches!(k.verify(&forged), Err(ApiError::Unauthenticated)));
        let expired = k.mint(&Actor::Staff, "old", Duration::minutes(-10)).unwrap();
        assert!(matches!(k.verify(&expired), Err(ApiError::Unauthenticated)));
        assert!(matches!(k.verify("not.a.token"), Err(ApiError::Unauthenticated)));
        assert!(matches!(k.verify(""), Err(ApiError::Unauthenticated)));
    }

    #[test]
    fn an_unsubscribe_token_names_its_address_and_is_no_bearer_token() {
        let k = keys();
        let token = k.mint_unsubscribe("ada@example.com").unwrap();
        assert_eq!(k.verify_unsubscribe(&token).unwrap(), "ada@example.com");
        assert!(matches!(k.verify(&token), Err(ApiError::Unauthenticated)), "it opens nothing else");
        let shopper = k.mint_shopper("ada@example.com").unwrap();
        assert!(matches!(k.verify_unsubscribe(&shopper), Err(ApiError::Unauthenticated)));
        let other = Keys::new(b"another-secret-another-secret-xx").unwrap();
        let forged = other.mint_unsubscribe("ada@example.com").unwrap();
        assert!(matches!(k.verify_unsubscribe(&forged), Err(ApiError::Unauthenticated)));
    }

    #[test]
    fn a_document_link_opens_its_one_document_for_its_caller_and_nothing_else() {
        let k = keys();
        let path = "/documents/ord_1/ord_1-S1/label.pdf";
        for actor in [
            Actor::Staff,
            Actor::WarehouseStaff { locations: vec!["west".into()] },
            Actor::Supplier { supplier: "northwood".into() },
        ] {
            let link = k.mint_document_link(&actor, path).unwrap();
            assert_eq!(k.verify_document_link(&link, path).unwrap(), actor);
            assert!(matches!(
                k.verify_document_link(&link, "/documents/ord_1/ord_1-S1/packing-slip.pdf"),
                Err(ApiError::Unauthenticated)
            ));
            assert!(matches!(k.verify(&link), Err(ApiError::Unauthenticated)), "not a bearer token");
        }
        let bearer = k.mint(&Actor::Staff, "alice", Duration::minutes(5)).unwrap();
        assert!(matches!(k.verify_document_link(&bearer, path), Err(ApiError::Unauthenticated)));
        let other = Keys::new(b"another-secret-another-secret-xx").unwrap();
        let forged = other.mint_document_link(&Actor::Staff, path).unwrap();
        assert!(matches!(k.verify_document_link(&forged, path), Err(ApiError::Unauthenticated)));
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert!(Keys::new(b"short").is_err());
    }
}
