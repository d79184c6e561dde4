//! One path for every state change of a stored order: admit the caller with one policy, let
//! ordo-core decide, have the payment provider move money first when the command does, append
//! the events with what they change in the store, and answer the order after it.

use ordo_core::allocation::LocationId;
use ordo_core::order::{Command, Order, ReturnAction, ReturnDisposition, return_restock};
use ordo_core::values::Package;

use crate::app::App;
use std::time::Instant;

use crate::app::access::{Actor, ClientIp};
use crate::app::commands::{self, Ran};
use crate::app::error::ApiError;
use crate::app::idempotency::Idempotency;
use crate::store::Doer;
use crate::store::orders::Effects;

/// What the store records beside a command's events.
#[derive(Debug, Clone, Default)]
pub enum Beside {
    #[default]
    Nothing,
    /// How a parcel was packed (dimensions, weight, material).
    Package { shipment: String, package: Package },
    /// The carrier service a parcel was booked with.
    Service { shipment: String, service: String },
    /// Where each line of a received return goes back on the shelf (or is written off).
    Restock { rma: String, dispositions: Vec<ReturnDisposition> },
}

/// A state change asked of an order.
#[derive(Debug, Clone)]
pub struct Request {
    pub command: Command,
    pub beside: Beside,
}

impl From<Command> for Request {
    fn from(command: Command) -> Request {
        Request { command, beside: Beside::Nothing }
    }
}

/// Who may ask for a command, before ordo-core checks the role against the order's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asker {
    /// Whoever may see the order (its customer, guest, channel; staff).
    Viewer,
    /// Staff, or a supplier for its own parcels.
    Shipper,
    Staff,
}

fn asker(command: &Command) -> Asker {
    match command {
        Command::Cancel { .. }
        | Command::CancelLines { .. }
        | Command::RequestReturn { .. }
        | Command::AuthorizePayment { .. } => Asker::Viewer,
        Command::Shipment { .. } => Asker::Shipper,
        _ => Asker::Staff,
    }
}

/// The parcels a command works on (staff bound to locations may touch only parcels leaving one
/// of theirs).
fn parcels(command: &Command) -> Vec<&str> {
    match command {
        Command::Shipment { shipment, .. }
        | Command::SplitShipment { shipment, .. }
        | Command::ReceiveReturnedParcel { shipment, .. } => vec![shipment.as_str()],
        Command::MergeShipments { shipments } => shipments.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Where a command puts units back on the shelf, with the argument that named each.
fn restock_locations(request: &Request) -> Vec<(&'static str, &LocationId)> {
    match (&request.command, &request.beside) {
        (Command::ReceiveReturnedParcel { restock, .. }, _) => {
            restock.iter().map(|l| ("restockTo", l)).collect()
        }
        (_, Beside::Restock { dispositions, .. }) => {
            dispositions.iter().filter_map(|d| d.restock.as_ref()).map(|l| ("lines.restockTo", l)).collect()
        }
        _ => Vec::new(),
    }
}

/// Runs `request` on order `order_id` for `caller` (recorded as `doer`), once per idempotency key.
pub async fn execute(
    app: &App,
    caller: &Actor,
    doer: &Doer,
    order_id: &str,
    request: &Request,
    idempotency: Option<&Idempotency>,
) -> Result<Ran, ApiError> {
    let order_id = order_id.trim();
    admit(app, caller, order_id, request).await?;
    let command = &request.command;
    let role = caller.role();
    let beside = |order: &Order| effects(order, &request.beside);
    if command.may_move_money() {
        // Boxed: these futures are large and resolvers nest them.
        Box::pin(commands::run_paid(app, order_id, &role, doer, command, idempotency, beside)).await
    } else {
        Box::pin(commands::run_with(app, order_id, &role, doer, command, idempotency, beside)).await
    }
}

/// Authorizes the order's total with a payment `token` for `caller` (recorded as `doer`, asking
/// from `address`): whoever may see the order; an address with too many declines in the last
/// hour is refused (card testing spread over many orders), and each decline counts against it.
pub async fn authorize_payment(
    app: &App,
    (caller, doer, address): (&Actor, &Doer, Option<ClientIp>),
    order_id: &str,
    token: &str,
    idempotency: Option<&Idempotency>,
) -> Result<Ran, ApiError> {
    let order_id = order_id.trim();
    let seen = crate::app::orders::visible(app, caller, order_id).await?.order;
    let order_id = seen.id().as_str().to_owned();
    if let Some(ip) = address
        && let Err(wait) = app.declines().allows(ip, Instant::now())
    {
        return Err(ApiError::DeclinesFromAddress { retry_minutes: wait.as_secs() / 60 + 1 });
    }
    let ran =
        commands::authorize_seen(app, &order_id, token, (&caller.role(), doer), idempotency, Some(seen))
            .await;
    if let (Some(ip), Err(ApiError::PaymentDeclined(_))) = (address, &ran) {
        app.declines().record(ip, Instant::now());
    }
    ran
}

/// The one policy: `UNAUTHENTICATED` without a token; `FORBIDDEN` for a role that may never ask
/// this; the same `NOT_FOUND` for a missing order and one the caller may not see; `FORBIDDEN` for
/// staff bound to other locations than the parcels' or the restock location's. What the role may
/// do in the order's state is ordo-core's to decide.
pub(crate) async fn admit(
    app: &App,
    caller: &Actor,
    order_id: &str,
    request: &Request,
) -> Result<(), ApiError> {
    let command = &request.command;
    match (asker(command), caller) {
        (_, Actor::Anonymous) => return Err(ApiError::Unauthenticated),
        (Asker::Viewer, _) => {}
        (Asker::Shipper, Actor::Supplier { .. }) => {}
        (_, caller) => caller.require_staff()?,
    }
    for (field, location) in restock_locations(request) {
        caller.require_staff_at(location.as_str())?;
        if !app.store().location_exists(location.as_str()).await? {
            return Err(ApiError::bad_input(field, format!("no location \"{location}\"")));
        }
    }
    let staff_sees_everything = caller.is_staff() && !matches!(caller, Actor::WarehouseStaff { .. });
    if staff_sees_everything {
        return Ok(());
    }
    let order = commands::load(app, order_id).await?;
    if !caller.can_see(&order) {
        return Err(ApiError::NotFound("order"));
    }
    // Unknown parcels are the core's `NOT_FOUND`.
    let here = parcels(command).into_iter().all(|id| {
        order.shipment(id.trim()).is_none_or(|parcel| caller.may_handle_parcel_from(parcel.source()))
    });
    if here { Ok(()) } else { Err(ApiError::Forbidden) }
}

/// What the store records beside the events of a command on `order` (as it was before).
fn effects(order: &Order, beside: &Beside) -> Result<Effects, ApiError> {
    Ok(match beside {
        Beside::Nothing => Effects::default(),
        Beside::Package { shipment, package } => {
            let [length_cm, width_cm, height_cm] = package.sides_cm();
            let package = serde_json::json!({
                "length_cm": length_cm, "width_cm": width_cm, "height_cm": height_cm,
                "weight_grams": package.weight_grams(), "material": package.material(),
            });
            Effects { package: Some((shipment.clone(), package)), ..Effects::default() }
        }
        Beside::Service { shipment, service } => {
            Effects { service: Some((shipment.clone(), service.clone())), ..Effects::default() }
        }
        Beside::Restock { rma, dispositions } => {
            Effects { stock: return_restock(order, rma, dispositions)?, ..Effects::default() }
        }
    })
}

/// A received return's request: the return is received and each line restocked as told.
pub fn receive_return(rma: &str, dispositions: Vec<ReturnDisposition>) -> Request {
    Request {
        command: Command::Return { rma: rma.to_owned(), action: ReturnAction::Receive },
        beside: Beside::Restock { rma: rma.to_owned(), dispositions },
    }
}

#[cfg(test)]
mod tests {
    use ordo_core::order::{LineUnits, ShipmentAction};

    use super::*;

    #[test]
    fn who_may_ask_follows_the_command() {
        let viewer = [
            Command::Cancel { reason: "r".into() },
            Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 1 }], reason: "r".into() },
            Command::RequestReturn { lines: vec![] },
        ];
        for command in &viewer {
            assert_eq!(asker(command), Asker::Viewer, "{command:?}");
        }
        let ship = Command::Shipment { shipment: "S1".into(), action: ShipmentAction::StartPicking };
        assert_eq!(asker(&ship), Asker::Shipper);
        let staff = [
            Command::CreateShipments,
            Command::VoidPayment,
            Command::CapturePayment { amount: None },
            Command::MergeShipments { shipments: vec!["S1".into()] },
            Command::Return { rma: "R1".into(), action: ReturnAction::Approve },
            Command::ReceiveReturnedParcel { shipment: "S1".into(), restock: None },
        ];
        for command in &staff {
            assert_eq!(asker(command), Asker::Staff, "{command:?}");
        }
    }

    #[test]
    fn a_command_names_every_parcel_it_works_on_and_every_shelf_it_restocks() {
        let merge = Command::MergeShipments { shipments: vec!["S1".into(), "S2".into()] };
        assert_eq!(parcels(&merge), ["S1", "S2"]);
        assert!(parcels(&Command::CreateShipments).is_empty());
        let west = LocationId::parse("west").unwrap();
        let parcel: Request =
            Command::ReceiveReturnedParcel { shipment: "S1".into(), restock: Some(west.clone()) }.into();
        assert_eq!(restock_locations(&parcel), [("restockTo", &west)]);
        let dispositions = vec![
            ReturnDisposition { line: 0, restock: Some(west.clone()) },
            ReturnDisposition { line: 1, restock: None },
        ];
        let received = receive_return("R1", dispositions);
        assert_eq!(restock_locations(&received), [("lines.restockTo", &west)]);
    }
}
