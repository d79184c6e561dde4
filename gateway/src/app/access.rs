//! Who is calling and what each role may see and do.
//!
//! Roles: `customer` (bound to one customer id), `guest` (bound to one order, minted at guest
//! checkout), `shopper` (bound to one e-mail address, minted for a "Find my orders" link), `staff`, `admin`, `channel` (bound to one sales channel), `supplier` (bound to one
//! supplier). A request without a token is anonymous: it may browse the catalog and check out
//! as a guest on the `web` channel.

use std::net::IpAddr;

use ordo_core::order::{Order, Role};

use crate::app::error::ApiError;

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
    /// Whoever opened a "Find my orders" link: the orders placed with one e-mail address
    /// (`email` is its key, `Email::key`), as their guest would.
    Shopper {
        email: String,
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

/// Who a token was issued to (`alice@shop`, `ordo-cli`), as the edge verified it; `anonymous`
/// without a token. Recorded with every event the caller causes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(pub String);

/// The address a request came from (behind trusted proxies, the client's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The address a per-address limit counts: an IPv4 address, or an IPv6 address's /64
    /// network (one subscriber gets a whole /64, so single IPv6 addresses would be free for the
    /// asking).
    pub fn network(self) -> IpAddr {
        match self.0.to_canonical() {
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::from(octets)
            }
            v4 => v4,
        }
    }
}

impl Actor {
    pub fn name(&self) -> &'static str {
        match self {
            Actor::Anonymous => "anonymous",
            Actor::Guest { .. } => "guest",
            Actor::Customer { .. } => "customer",
            Actor::Shopper { .. } => "shopper",
            Actor::Staff | Actor::WarehouseStaff { .. } => "staff",
            Actor::Admin => "admin",
            Actor::Channel { .. } => "channel",
            Actor::Supplier { .. } => "supplier",
        }
    }

    /// The role ordo-core checks commands against.
    pub fn role(&self) -> Role {
        match self {
            Actor::Anonymous | Actor::Guest { .. } | Actor::Customer { .. } | Actor::Shopper { .. } => {
                Role::Customer
            }
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
            Actor::Shopper { email } => format!("shopper:{email}"),
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

    /// Admins only: `UNAUTHENTICATED` without a token, `FORBIDDEN` with another role.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self {
            Actor::Admin => Ok(()),
            Actor::Anonymous => Err(ApiError::Unauthenticated),
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
            Actor::Shopper { email } => order.email().key() == *email,
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
