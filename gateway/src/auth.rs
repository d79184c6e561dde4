//! Authentication and authorization: bearer tokens (JWT, HS256) carrying a role, and the
//! rules for who may see and do what.
//!
//! Roles: `customer` (bound to one customer id), `guest` (bound to one order, minted at guest
//! checkout), `staff`, `admin`, `channel` (bound to one sales channel), `supplier` (bound to one
//! supplier). A request without a token is anonymous: it may browse the catalog and check out
//! as a guest on the `web` channel. A bad or expired token is refused (`UNAUTHENTICATED`).

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ordo_core::order::{Order, Role};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    Guest {
        order_id: String,
    },
    Customer {
        id: String,
    },
    Staff,
    /// Staff bound to stock locations: warehouse work (stock, purchase orders, picking,
    /// packing, shipping, receiving returns) only there; everything else like staff.
    WarehouseStaff {
        locations: Vec<String>,
    },
    Admin,
    Channel {
        channel: String,
    },
    Supplier {
        supplier: String,
    },
}

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
    /// For staff bound to stock locations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<String>>,
    pub exp: i64,
    pub iat: i64,
}

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

    /// A token for `actor`, valid for `ttl`.
    pub fn mint(&self, actor: &Actor, subject: &str, ttl: Duration) -> Result<String, String> {
        let now = Utc::now().timestamp();
        let mut claims = Claims {
            sub: subject.to_owned(),
            role: String::new(),
            customer: None,
            channel: None,
            supplier: None,
            order: None,
            locations: None,
            exp: now + ttl.num_seconds(),
            iat: now,
        };
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
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| e.to_string())
    }

    /// The actor a bearer token stands for; any problem is `UNAUTHENTICATED`.
    pub fn verify(&self, token: &str) -> Result<Actor, ApiError> {
        self.verify_subject(token).map(|(actor, _)| actor)
    }

    /// The actor a bearer token stands for and the subject it was issued to (who acts, for the
    /// audit trail); any problem is `UNAUTHENTICATED`.
    pub fn verify_subject(&self, token: &str) -> Result<(Actor, String), ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| ApiError::Unauthenticated)?
            .claims;
        let bound = |v: Option<String>| v.filter(|s| !s.trim().is_empty()).ok_or(ApiError::Unauthenticated);
        let subject = claims.sub.trim().to_owned();
        if subject.is_empty() || subject.len() > MAX_SUBJECT || subject.chars().any(char::is_control) {
            return Err(ApiError::Unauthenticated);
        }
        let actor = match claims.role.as_str() {
            "guest" => Actor::Guest { order_id: bound(claims.order)? },
            "customer" => Actor::Customer { id: bound(claims.customer)? },
            "staff" => match claims.locations {
                None => Actor::Staff,
                Some(locations)
                    if !locations.is_empty() && locations.iter().all(|l| !l.trim().is_empty()) =>
                {
                    Actor::WarehouseStaff { locations }
                }
                Some(_) => return Err(ApiError::Unauthenticated),
            },
            "admin" => Actor::Admin,
            "channel" => Actor::Channel { channel: bound(claims.channel)? },
            "supplier" => Actor::Supplier { supplier: bound(claims.supplier)? },
            _ => return Err(ApiError::Unauthenticated),
        };
        Ok((actor, subject))
    }
}

/// The longest token subject accepted (an e-mail address or a service name).
const MAX_SUBJECT: usize = 200;

/// Who a token was issued to (`alice@shop`, `ordo-cli`), as the edge verified it; `anonymous`
/// without a token. Recorded with every event the caller causes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(pub String);

impl Actor {
    pub fn name(&self) -> &'static str {
        match self {
            Actor::Anonymous => "anonymous",
            Actor::Guest { .. } => "guest",
            Actor::Customer { .. } => "customer",
            Actor::Staff | Actor::WarehouseStaff { .. } => "staff",
            Actor::Admin => "admin",
            Actor::Channel { .. } => "channel",
            Actor::Supplier { .. } => "supplier",
        }
    }

    /// The role ordo-core checks commands against.
    pub fn role(&self) -> Role {
        match self {
            Actor::Anonymous | Actor::Guest { .. } | Actor::Customer { .. } => Role::Customer,
            Actor::Staff | Actor::WarehouseStaff { .. } => Role::Staff,
            Actor::Admin => Role::Admin,
            Actor::Channel { .. } => Role::Channel,
            Actor::Supplier { supplier } => Role::Supplier(supplier.clone()),
        }
    }

    /// The scope idempotency keys and external-id replays belong to: the party the token is
    /// bound to (a customer, an order, a channel, a supplier) or, for staff, the person. A
    /// replay answers only a caller of the same scope; anonymous callers share one scope.
    pub fn scope(&self, subject: &str) -> String {
        match self {
            Actor::Anonymous => "anonymous".into(),
            Actor::Guest { order_id } => format!("guest:{order_id}"),
            Actor::Customer { id } => format!("customer:{id}"),
            Actor::Staff | Actor::WarehouseStaff { .. } => format!("staff:{subject}"),
            Actor::Admin => format!("admin:{subject}"),
            Actor::Channel { channel } => format!("channel:{channel}"),
            Actor::Supplier { supplier } => format!("supplier:{supplier}"),
        }
    }

    pub fn is_staff(&self) -> bool {
        matches!(self, Actor::Staff | Actor::WarehouseStaff { .. } | Actor::Admin)
    }

    /// Whether this caller may do warehouse work at `location` (staff bound to other
    /// locations may not).
    pub fn may_work_at(&self, location: &str) -> bool {
        match self {
            Actor::Staff | Actor::Admin => true,
            Actor::WarehouseStaff { locations } => locations.iter().any(|l| l == location),
            _ => false,
        }
    }

    /// Whether this caller's locations allow work on a parcel from `source`: staff bound to
    /// locations only on parcels leaving one of theirs, never a supplier's; everyone else as
    /// their role allows (checked elsewhere).
    pub fn may_handle_parcel_from(&self, source: &ordo_core::order::ShipmentSource) -> bool {
        use ordo_core::order::ShipmentSource;
        match (self, source) {
            (Actor::WarehouseStaff { .. }, ShipmentSource::Location { location }) => {
                self.may_work_at(location.as_str())
            }
            (Actor::WarehouseStaff { .. }, ShipmentSource::Supplier { .. }) => false,
            _ => true,
        }
    }

    /// Staff who may work at `location`: `FORBIDDEN` for staff bound elsewhere.
    pub fn require_staff_at(&self, location: &str) -> Result<(), ApiError> {
        self.require_staff()?;
        if self.may_work_at(location) { Ok(()) } else { Err(ApiError::Forbidden) }
    }

    /// Staff or admin only: `UNAUTHENTICATED` without a token, `FORBIDDEN` with another role.
    pub fn require_staff(&self) -> Result<(), ApiError> {
        match self {
            Actor::Anonymous => Err(ApiError::Unauthenticated),
            a if a.is_staff() => Ok(()),
            _ => Err(ApiError::Forbidden),
        }
    }

    /// Whether this caller may see a parcel from `source` of `order`: whoever may see the order,
    /// but a supplier only the parcels it sends.
    pub fn can_see_parcel(&self, order: &Order, source: &ordo_core::order::ShipmentSource) -> bool {
        match self {
            Actor::Supplier { supplier } => {
                self.can_see(order) && ordo_core::order::is_sent_by(source, supplier)
            }
            _ => self.can_see(order),
        }
    }

    /// Whether this caller may see `order`. Callers who may not get the same answer as for a
    /// missing order, so ids cannot be probed.
    pub fn can_see(&self, order: &Order) -> bool {
        match self {
            Actor::Staff | Actor::WarehouseStaff { .. } | Actor::Admin => true,
            Actor::Customer { id } => order.customer().is_some_and(|c| c.as_str() == id),
            Actor::Guest { order_id } => order.id().as_str() == order_id,
            Actor::Channel { channel } => order.channel() == channel,
            // A supplier sees the orders it has a parcel to send for (only its lines and parcels:
            // see the Order type), once the shop has put them in parcels.
            Actor::Supplier { supplier } => {
                order.shipments().iter().any(|s| ordo_core::order::is_sent_by(s.source(), supplier))
            }
            Actor::Anonymous => false,
        }
    }
}

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
    fn a_short_secret_is_refused() {
        assert!(Keys::new(b"short").is_err());
    }
}
