//! A notice's words: subject, plain text and HTML, from the order and its status view.
//!
//! One function writes both parts from the same pieces, so the HTML never says something the
//! text does not. The status lines are [`status_view`]'s, the words the tracking page shows.

use chrono::{DateTime, Utc};

use crate::lifecycle::{ExceptionKind, LineAvailability};
use crate::locale::format_money;
use crate::messages::notice::Notice;
use crate::money::Money;
use crate::order::{Order, PaymentMethod};
use crate::purchasing::{PoNotice, PurchaseOrderData};
use crate::status::status_view;
use crate::supplier::{RequestData, purchase_order_number};
use crate::text;

/// Who is writing and where the customer goes from the message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct Letterhead {
    /// The shop's name, as customers know it.
    pub shop_name: String,
    /// The order's page, with a signed link that opens it without signing in.
    pub order_link: String,
    /// Where the return policy is written out, when the shop has a page for it.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub returns_link: Option<String>,
    /// The locale money is written in (`en-US`, `de-DE`, …).
    pub locale: String,
    /// Where the recipient stops messages they may opt out of; every such message needs it.
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub unsubscribe: Option<Unsubscribe>,
}

/// The two ways out of messages a customer may opt out of, both signed for their address.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct Unsubscribe {
    /// A page that shows the choice and asks to confirm it (the link in the message's footer).
    pub page: String,
    /// Where a mail client posts `List-Unsubscribe=One-Click` (RFC 8058): the
    /// `List-Unsubscribe` header.
    pub one_click: String,
}

/// Why a notice cannot be written about an order: it names something the order does not have
/// (a stored notice of another order, a damaged row). Nothing is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("the order has no {what} {id}")]
    Missing { what: &'static str, id: String },
    #[error("a message the customer may opt out of needs an unsubscribe link")]
    NoWayOut,
}

/// A message ready to send: one subject and two parts saying the same thing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "camelCase"))]
pub struct Message {
    pub subject: String,
    /// `text/plain`.
    pub text: String,
    /// `text/html`, every value escaped.
    pub html: String,
    /// For a message the customer may opt out of: the one-click unsubscribe address for the
    /// `List-Unsubscribe` header (sent with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`).
    #[cfg_attr(feature = "serde", serde(default))]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub list_unsubscribe: Option<String>,
}

/// What `notice` tells the customer about `order` (the order as it was right after the event
/// that called for it), written at `now`; an error when the notice names a line, parcel or return
/// the order does not have, or when the customer may opt out of it and the letterhead has no
/// unsubscribe link.
pub fn render(
    order: &Order,
    notice: &Notice,
    letterhead: &Letterhead,
    now: DateTime<Utc>,
) -> Result<Message, RenderError> {
    check(order, notice)?;
    let way_out = if notice.kind().transactional() {
        None
    } else {
        Some(letterhead.unsubscribe.as_ref().ok_or(RenderError::NoWayOut)?)
    };
    // `#1042` when the shop numbers its orders, else the id.
    let reference = order.reference();
    let id = reference.as_str();
    let money = |m: Money| format_money(m, &letterhead.locale);
    let mut body = Body::default();
    let subject = match notice {
        Notice::Confirmation => {
            body.para(format!("Thank you for your order {id}. Here is what you ordered."));
            confirmation(order, &mut body, &money, letterhead);
            format!("We received your order {id}")
        }
        Notice::PaymentDeclined { reason } => {
            body.para(format!(
                "Your payment for order {id} was declined ({reason}). Your items are reserved for a \
                 little while: open your order to pay with another card."
            ));
            body.link("Pay for your order", &with_choice(&letterhead.order_link, "pay"));
            format!("Your payment for order {id} was declined")
        }
        Notice::ExpiredUnpaid => {
            body.para(format!(
                "We did not receive a payment for order {id}, so we cancelled it and released the \
                 items. Nothing was charged."
            ));
            format!("Order {id} was cancelled: no payment arrived")
        }
        Notice::Backordered { line, promised, previously, partner_failed } => {
            let name = order.lines().get(*line).map_or("An item", |l| l.name());
            body.para(match previously {
                None if *partner_failed => format!(
                    "Our partner cannot send {name} after all, so it is on backorder: we expect to \
                     ship it by {}. You can keep waiting, or cancel it for a refund.",
                    text::date(*promised)
                ),
                Some(was) => format!(
                    "The date for {name} moved: we now expect to ship it by {} (we said {} before). \
                     You can keep waiting, or cancel it for a refund.",
                    text::date(*promised),
                    text::date(*was)
                ),
                None => format!(
                    "{name} is on backorder: we expect to ship it by {}. You can keep waiting, or \
                     cancel it for a refund.",
                    text::date(*promised)
                ),
            });
            body.para("To keep waiting, do nothing: we ship it as soon as it arrives.".to_owned());
            body.para_with_link(
                "To cancel the units on backorder and get their money back, open your order and \
                 confirm."
                    .to_owned(),
                "Cancel the backordered units",
                &with_choice(&letterhead.order_link, &format!("cancel-line-{line}")),
            );
            match previously {
                Some(_) => format!("A new date for an item in order {id}"),
                None => format!("An item in order {id} is on backorder"),
            }
        }
        Notice::Dropship { shipment } => {
            let expected = order.shipment(shipment).and_then(|s| s.expected_delivery());
            body.para(match expected {
                Some(d) => format!(
                    "Part of your order ships directly from our partner, expected by {}.",
                    text::date(d)
                ),
                None => "Part of your order ships directly from our partner.".to_owned(),
            });
            parcel_lines(order, shipment, &mut body);
            format!("Part of order {id} ships from our partner")
        }
        Notice::DropshipAccepted { shipment } => {
            let ship_by = order.shipment(shipment).and_then(|s| s.ship_by());
            body.para(match ship_by {
                Some(d) => format!(
                    "Our partner has your order and will send it by {}. We will write again when it \
                     is on its way, with its tracking number.",
                    text::date(d)
                ),
                None => "Our partner has your order. We will write again when it is on its way.".to_owned(),
            });
            parcel_lines(order, shipment, &mut body);
            format!("Our partner will send part of order {id} soon")
        }
        Notice::Shipped { shipment } => {
            body.para("Good news: a parcel of your order is on its way.".to_owned());
            parcel(order, shipment, &mut body);
            format!("Order {id} is on its way")
        }
        Notice::OutForDelivery { shipment } => {
            body.para("A parcel of your order is out for delivery today.".to_owned());
            parcel(order, shipment, &mut body);
            format!("Order {id} is out for delivery")
        }
        Notice::Delivered { shipment } => {
            body.para(format!(
                "A parcel of your order was delivered. Something wrong? You can return items within \
                 {} days of delivery.",
                order.policy().return_window_days
            ));
            parcel_lines(order, shipment, &mut body);
            format!("Order {id} was delivered")
        }
        Notice::DeliveryProblem { shipment } => {
            let what = match order.shipment(shipment).and_then(|s| s.exception()) {
                Some((ExceptionKind::Delayed, _)) => "is delayed",
                Some((ExceptionKind::AddressProblem, _)) => "could not be delivered to the address given",
                Some((ExceptionKind::Damaged, _)) => "was reported damaged",
                Some((ExceptionKind::Lost, _)) => "was reported lost",
                _ => "has a delivery problem",
            };
            body.para(format!("A parcel of your order {what}. We are on it and will keep you posted."));
            parcel(order, shipment, &mut body);
            format!("A problem with the delivery of order {id}")
        }
        Notice::Late { shipment } => {
            let s = order.shipment(shipment);
            let carrier = s.and_then(|s| s.carrier()).unwrap_or("the carrier");
            let expected = s.and_then(|s| s.expected_delivery()).map(text::date);
            body.para(format!(
                "A parcel of your order was expected {} and has not arrived yet. We have asked {carrier} \
                 where it is and will write again as soon as we know; you do not need to do anything.",
                expected.map_or_else(|| "by now".to_owned(), |d| format!("on {d}"))
            ));
            parcel(order, shipment, &mut body);
            format!("A parcel of order {id} is running late")
        }
        Notice::Cancelled { refunded } => {
            body.para(match refunded {
                Some(refund) => {
                    format!("Order {id} was cancelled. {} is refunded to {}.", money(*refund), method(order))
                }
                None => format!("Order {id} was cancelled. Nothing was charged."),
            });
            format!("Order {id} was cancelled")
        }
        Notice::LinesCancelled { amount, refunded } => {
            body.para(match refunded {
                Some(refund) => format!(
                    "Some items of order {id} were cancelled; {} is refunded to {}.",
                    money(*refund),
                    method(order)
                ),
                None => format!(
                    "Some items of order {id} were cancelled; {} comes off your total.",
                    money(*amount)
                ),
            });
            let cancelled: Vec<_> = order
                .lines()
                .iter()
                .filter(|l| l.cancelled() > 0)
                .map(|l| format!("{} × {}", l.cancelled(), l.name()))
                .collect();
            body.list(cancelled);
            format!("Items of order {id} were cancelled")
        }
        Notice::Refunded { amount } => {
            body.para(format!(
                "We refunded {} to {}. Banks usually show it within 5 to 10 business days.",
                money(*amount),
                method(order)
            ));
            format!("Your refund for order {id}")
        }
        Notice::ReturnApproved { rma } => {
            body.para(format!(
                "Your return {rma} is approved. Pack the items securely, write {rma} on the parcel and \
                 send it back to us; we refund you once it arrives."
            ));
            return_lines(order, rma, &mut body);
            format!("Your return {rma} is approved")
        }
        Notice::ReturnReceived { rma } => {
            body.para(format!("We received your return {rma}. Your refund follows shortly."));
            return_lines(order, rma, &mut body);
            format!("We received your return {rma}")
        }
        Notice::FeedbackRequest => {
            let shop = &letterhead.shop_name;
            body.para(format!(
                "Your order {id} has arrived. How likely are you to recommend {shop} to a friend? \
                 Choose from 0 (not at all) to 10 (very likely): your order opens with your answer \
                 ready to send, and a comment if you like."
            ));
            body.scale(
                "Answer the survey",
                &with_choice(&letterhead.order_link, "feedback"),
                (0..=10u8).map(|n| with_choice(&letterhead.order_link, &format!("feedback-{n}"))).collect(),
            );
            format!("How was your order {id}?")
        }
    };
    let status = status_view(order, now);
    body.status(&status.headline, &status.detail);
    let footer =
        format!("Order {} · placed {}", order.reference(), text::date(order.placed_at().date_naive()));
    let link = ("View your order", letterhead.order_link.as_str());
    let subject = format!("{}: {subject}", letterhead.shop_name);
    let mut message =
        letter(&letterhead.shop_name, subject, body, link, &footer, way_out.map(|w| w.page.as_str()));
    message.list_unsubscribe = way_out.map(|w| w.one_click.clone());
    Ok(message)
}

/// The "Find my orders" message: a sign-in link to the orders placed with the address it is sent
/// to, valid for `valid_hours`. It says nothing of the orders themselves: the link lists them.
pub fn render_sign_in(shop_name: &str, link: &str, valid_hours: u32) -> Message {
    let mut body = Body::default();
    body.para(format!(
        "Someone, hopefully you, asked to see the orders placed at {shop_name} with this e-mail \
         address. The link below lists them; it works for {valid_hours} hours."
    ));
    body.para("If you did not ask, ignore this message: nobody can use the link without it.".to_owned());
    let subject = format!("{shop_name}: Your orders");
    let footer = format!("Sent by {shop_name} on request");
    letter(shop_name, subject, body, ("See your orders", link), &footer, None)
}

/// The e-mail asking supplier `supplier_name` to send parcel `request` straight to the customer:
/// what, to whom, by when, and where to answer (`portal_link`, its portal). The purchase order
/// (numbered by [`purchase_order_number`]) goes with it as a PDF; like the webhook, it never
/// names the customer's e-mail, prices or the order's other lines.
pub fn render_dropship_request(
    shop_name: &str,
    supplier_name: &str,
    request: &RequestData,
    portal_link: &str,
) -> Message {
    let reference = request.order_number.as_deref().unwrap_or(&request.order_id);
    let po = purchase_order_number(reference, &request.shipment);
    let units: u32 = request.lines.iter().map(|l| l.quantity).sum();
    let mut body = Body::default();
    body.para(format!(
        "Hello {supplier_name}, please send this parcel for our order {reference} straight to our \
         customer. Purchase order {po} is attached as a PDF."
    ));
    body.list(request.lines.iter().map(|l| format!("{} × {} ({})", l.quantity, l.name, l.sku)).collect());
    body.status("Ship to", &request.ship_to.printed_lines().join(", "));
    if let Some(day) = request.expected_delivery {
        body.status("Our customer expects it by", &text::date(day));
    }
    body.para(
        "In your portal, accept it with the day you will ship it by, print its label and mark it \
         shipped with the carrier's tracking number, or tell us you cannot send it."
            .to_owned(),
    );
    let subject =
        format!("{shop_name}: purchase order {po}, please send {}", text::count(units, "item", "items"));
    let footer = format!("Sent by {shop_name} to {supplier_name}");
    letter(shop_name, subject, body, ("Open your portal", portal_link), &footer, None)
}

/// The e-mail that tells supplier `supplier_name` of purchase order `po`: sent (here is what we
/// order), changed (its day or quantities moved) or cancelled (send nothing more of it). The
/// lines with their costs and what still comes; the order itself goes with it as a PDF.
/// `portal_link` opens the supplier's portal, where its purchase orders are listed.
pub fn render_purchase_order(
    shop_name: &str,
    supplier_name: &str,
    po: &PurchaseOrderData,
    notice: PoNotice,
    locale: &str,
    portal_link: &str,
) -> Message {
    let number = &po.number;
    let currency = crate::money::Currency::parse(&po.currency).ok();
    let money = |minor: i64| match currency {
        Some(c) => format_money(Money::new(minor, c), locale),
        None => format!("{minor} ({})", po.currency),
    };
    let mut body = Body::default();
    let (opening, subject) = match notice {
        PoNotice::Sent => (
            format!(
                "Hello {supplier_name}, please supply the items below. Purchase order {number} is attached as a PDF."
            ),
            format!("{shop_name}: purchase order {number}"),
        ),
        PoNotice::Changed => (
            format!(
                "Hello {supplier_name}, we changed purchase order {number}: it now reads as below. The                  attached PDF replaces the one we sent before."
            ),
            format!("{shop_name}: purchase order {number} changed"),
        ),
        PoNotice::Cancelled => (
            format!(
                "Hello {supplier_name}, we cancelled purchase order {number}: please send nothing more                  of it. What we received is listed below."
            ),
            format!("{shop_name}: purchase order {number} cancelled"),
        ),
    };
    body.para(opening);
    body.list(
        po.lines
            .iter()
            .map(|l| {
                let theirs = l.supplier_sku.as_deref().map(|s| format!(", your {s}")).unwrap_or_default();
                let got = match notice {
                    PoNotice::Cancelled => format!(", {} received", l.received),
                    _ if l.received > 0 => format!(", {} received so far", l.received),
                    _ => String::new(),
                };
                format!("{} × {} ({}{theirs}) at {}{got}", l.quantity, l.name, l.sku, money(l.unit_cost))
            })
            .collect(),
    );
    body.status("Total", &money(po.total));
    if notice != PoNotice::Cancelled {
        body.status("Deliver to", &po.deliver_to);
        body.status("Expected by", &text::date(po.expected_on));
    }
    let footer = format!("Sent by {shop_name} to {supplier_name}");
    letter(shop_name, subject, body, ("Open your portal", portal_link), &footer, None)
}

/// The line, parcel or return `notice` names exists on `order`.
fn check(order: &Order, notice: &Notice) -> Result<(), RenderError> {
    let missing = |what, id: &str| Err(RenderError::Missing { what, id: id.to_owned() });
    match notice {
        Notice::Backordered { line, .. } if order.lines().get(*line).is_none() => {
            missing("line", &line.to_string())
        }
        Notice::Dropship { shipment }
        | Notice::DropshipAccepted { shipment }
        | Notice::Shipped { shipment }
        | Notice::OutForDelivery { shipment }
        | Notice::Delivered { shipment }
        | Notice::DeliveryProblem { shipment }
        | Notice::Late { shipment }
            if order.shipment(shipment).is_none() =>
        {
            missing("parcel", shipment)
        }
        Notice::ReturnApproved { rma } | Notice::ReturnReceived { rma }
            if order.return_case(rma).is_none() =>
        {
            missing("return", rma)
        }
        _ => Ok(()),
    }
}

/// The lines with their expected dates, the totals, the payment and the return policy.
fn confirmation(order: &Order, body: &mut Body, money: &dyn Fn(Money) -> String, letterhead: &Letterhead) {
    let lines = order
        .lines()
        .iter()
        .map(|line| {
            let mut item = format!("{} × {} — {}", line.quantity(), line.name(), money(line.total()));
            let mut notes = Vec::new();
            if let Some(promised) = line.backorder_promise() {
                notes.push(format!("on backorder, expected to ship by {}", text::date(promised)));
            }
            if line.parts().iter().any(|p| matches!(p.availability(), LineAvailability::Dropshipped { .. })) {
                notes.push("ships directly from our partner".to_owned());
            }
            if !notes.is_empty() {
                item.push_str(&format!(" ({})", notes.join("; ")));
            }
            item
        })
        .collect();
    body.list(lines);
    for line in order.lines().iter().filter(|l| l.backorder_promise().is_some()) {
        body.para_with_link(
            format!(
                "{} is on backorder. To keep waiting, do nothing; if you would rather not wait, you \
                 can cancel the units on backorder for a refund.",
                line.name()
            ),
            "Cancel the backordered units",
            &with_choice(&letterhead.order_link, &format!("cancel-line-{}", line.index())),
        );
    }
    let totals = order.totals();
    let mut sums = vec![("Subtotal", totals.subtotal)];
    if totals.discount.amount() != 0 {
        sums.push(("Discount", totals.discount));
    }
    sums.extend([("Shipping", totals.shipping), ("Tax", totals.tax), ("Total", totals.grand_total)]);
    body.list(sums.into_iter().map(|(label, m)| format!("{label}: {}", money(m))).collect());
    if let Some(method) = order.payment_method() {
        body.para(format!("Paid with {}.", method.describe()));
    }
    let address = order.shipping_address();
    body.para(format!("Shipping to {}, {}, {}.", address.name(), address.line1(), address.city()));
    let policy =
        format!("You can return items within {} days of delivery.", order.policy().return_window_days);
    match &letterhead.returns_link {
        Some(link) => body.para_with_link(policy, "Our return policy", link),
        None => body.para(policy),
    }
}

/// A parcel's carrier, tracking number and link, and what is in it.
fn parcel(order: &Order, shipment: &str, body: &mut Body) {
    if let Some(s) = order.shipment(shipment) {
        let mut facts = Vec::new();
        if let (Some(carrier), Some(number)) = (s.carrier(), s.tracking_number()) {
            facts.push(format!("Carrier: {carrier}, tracking number {number}"));
        }
        if let Some(d) = s.expected_delivery() {
            facts.push(format!("Expected: {}", text::date(d)));
        }
        body.list(facts);
        if let Some(url) = s.tracking_url() {
            body.link("Track the parcel", url);
        }
    }
    parcel_lines(order, shipment, body);
}

fn parcel_lines(order: &Order, shipment: &str, body: &mut Body) {
    let Some(s) = order.shipment(shipment) else { return };
    let items = s
        .lines()
        .iter()
        .filter_map(|sl| order.lines().get(sl.line).map(|l| format!("{} × {}", sl.quantity, l.name())))
        .collect();
    body.list(items);
}

fn return_lines(order: &Order, rma: &str, body: &mut Body) {
    let Some(case) = order.return_case(rma) else { return };
    let items = case
        .lines()
        .iter()
        .filter_map(|item| order.lines().get(item.line).map(|l| format!("{} × {}", item.quantity, l.name())))
        .collect();
    body.list(items);
}

/// The order's link opening on one choice (`pay`, `cancel-line-0`): the page shows that choice
/// and asks to confirm it. The link only points; nothing happens on opening it, so a mail
/// scanner that follows links changes nothing.
fn with_choice(link: &str, choice: &str) -> String {
    let joint = if link.contains('?') { '&' } else { '?' };
    format!("{link}{joint}choose={choice}")
}

/// The card the order was paid with, or "your payment method".
fn method(order: &Order) -> String {
    order.payment_method().map(PaymentMethod::describe).unwrap_or_else(|| "your payment method".to_owned())
}

/// The pieces of a message's body, in order; each written to both parts.
#[derive(Debug, Default)]
struct Body {
    blocks: Vec<Block>,
}

#[derive(Debug)]
enum Block {
    Para(String),
    ParaWithLink {
        text: String,
        label: String,
        url: String,
    },
    List(Vec<String>),
    Link {
        label: String,
        url: String,
    },
    /// A 0–10 scale: in HTML one link per point, in text one link to the question.
    Scale {
        label: String,
        url: String,
        points: Vec<String>,
    },
    Status {
        headline: String,
        detail: String,
    },
}

impl Body {
    fn para(&mut self, text: String) {
        self.blocks.push(Block::Para(text));
    }

    fn para_with_link(&mut self, text: String, label: &str, url: &str) {
        self.blocks.push(Block::ParaWithLink { text, label: label.to_owned(), url: url.to_owned() });
    }

    fn list(&mut self, items: Vec<String>) {
        if !items.is_empty() {
            self.blocks.push(Block::List(items));
        }
    }

    fn link(&mut self, label: &str, url: &str) {
        self.blocks.push(Block::Link { label: label.to_owned(), url: url.to_owned() });
    }

    fn scale(&mut self, label: &str, url: &str, points: Vec<String>) {
        self.blocks.push(Block::Scale { label: label.to_owned(), url: url.to_owned(), points });
    }

    fn status(&mut self, headline: &str, detail: &str) {
        self.blocks.push(Block::Status { headline: headline.to_owned(), detail: detail.to_owned() });
    }
}

/// The whole message: the shop's name, the body, the order's link, a footer, and for a message
/// the customer may opt out of, the way out.
fn letter(
    shop: &str,
    subject: String,
    body: Body,
    link: (&str, &str),
    footer: &str,
    unsubscribe: Option<&str>,
) -> Message {
    let (link_label, link_url) = link;
    let mut plain = format!("{shop}\n\n");
    let e = text::escape_html;
    let mut html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body style=\"font-family:sans-serif;max-width:36em\"><h1>{}</h1>",
        e(&subject),
        e(shop)
    );
    for block in &body.blocks {
        match block {
            Block::Para(t) => {
                plain.push_str(&format!("{t}\n\n"));
                html.push_str(&format!("<p>{}</p>", e(t)));
            }
            Block::ParaWithLink { text, label, url } => {
                plain.push_str(&format!("{text} {label}: {url}\n\n"));
                html.push_str(&format!("<p>{} <a href=\"{}\">{}</a></p>", e(text), e(url), e(label)));
            }
            Block::List(items) => {
                html.push_str("<ul>");
                for item in items {
                    plain.push_str(&format!("- {item}\n"));
                    html.push_str(&format!("<li>{}</li>", e(item)));
                }
                plain.push('\n');
                html.push_str("</ul>");
            }
            Block::Link { label, url } => {
                plain.push_str(&format!("{label}: {url}\n\n"));
                html.push_str(&format!("<p><a href=\"{}\">{}</a></p>", e(url), e(label)));
            }
            Block::Scale { label, url, points } => {
                plain.push_str(&format!("{label}: {url}\n\n"));
                html.push_str("<p>");
                for (n, point) in points.iter().enumerate() {
                    html.push_str(&format!(
                        "<a href=\"{}\" style=\"display:inline-block;min-width:2em;text-align:center\">{n}</a> ",
                        e(point)
                    ));
                }
                html.push_str(&format!("</p><p><a href=\"{}\">{}</a></p>", e(url), e(label)));
            }
            Block::Status { headline, detail } => {
                plain.push_str(&format!("{headline}: {detail}\n\n"));
                html.push_str(&format!("<p><strong>{}</strong>: {}</p>", e(headline), e(detail)));
            }
        }
    }
    plain.push_str(&format!("{link_label}: {link_url}\n\n{footer}\n"));
    html.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p><p style=\"color:#666\">{}</p>",
        e(link_url),
        e(link_label),
        e(footer)
    ));
    if let Some(page) = unsubscribe {
        let why = format!("You get this because you ordered from {shop}. Rather not be asked?");
        plain.push_str(&format!("{why} Unsubscribe: {page}\n"));
        html.push_str(&format!(
            "<p style=\"color:#666\">{} <a href=\"{}\">Unsubscribe</a></p>",
            e(&why),
            e(page)
        ));
    }
    html.push_str("</body></html>");
    Message { subject, text: plain, html, list_unsubscribe: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::ExceptionKind;
    use crate::messages::notices;
    use crate::order::tests::{Life, usd};
    use crate::order::{
        Command, CommandError, LineUnits, PAYMENT_TIMEOUT_REASON, ReturnAction, ReturnItem, Role,
        ShipmentAction,
    };

    fn letterhead() -> Letterhead {
        Letterhead {
            shop_name: "Lumen & Co".into(),
            order_link: "https://shop.example/orders/ord_1?sig=abc".into(),
            returns_link: Some("https://shop.example/returns".into()),
            locale: "en-US".into(),
            unsubscribe: Some(Unsubscribe {
                page: "https://shop.example/#/unsubscribe?token=u".into(),
                one_click: "https://shop.example/unsubscribe?token=u".into(),
            }),
        }
    }

    /// Renders a notice for the order as it is now, and checks the law every message keeps: the
    /// HTML part says everything the text part says (links aside), every value escaped.
    fn say(life: &Life, notice: &Notice) -> Message {
        let message = render(&life.order, notice, &letterhead(), life.now).unwrap();
        let visible = strip_tags(&message.html);
        for line in message.text.lines().map(|l| l.trim_start_matches("- ")).filter(|l| !l.is_empty()) {
            if !line.contains("https://") {
                assert!(visible.contains(&text::escape_html(line)), "HTML lacks {line:?}:\n{}", message.html);
            }
        }
        assert!(message.text.contains(&letterhead().order_link), "{}", message.text);
        assert!(message.html.contains("href=\"https://shop.example/orders/ord_1?sig=abc\""));
        assert!(message.subject.starts_with("Lumen & Co: "), "{}", message.subject);
        assert!(message.html.contains("<h1>Lumen &amp; Co</h1>"), "the shop's name is escaped");
        message
    }

    fn strip_tags(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// Runs `command` and returns the notices its entries call for.
    fn tell(life: &mut Life, role: Role, command: Command) -> Vec<Notice> {
        let before = life.order.clone();
        let from = life.timeline.len();
        life.ok(&role, command);
        notices(Some(&before), &life.order, &life.timeline[from..])
    }

    fn step(shipment: &str, action: ShipmentAction) -> Command {
        Command::Shipment { shipment: shipment.into(), action }
    }

    #[test]
    fn confirming_an_order_calls_for_one_confirmation_with_lines_dates_totals_payment_and_return_policy() {
        let mut life = Life::new(&[("TEE", 2), ("HOODIE", 2), ("DESK", 1)]);
        assert_eq!(
            notices(None, &life.order, &life.timeline),
            vec![],
            "placing alone sends nothing: the payment may never come"
        );
        let from = life.timeline.len();
        life.pay();
        assert_eq!(
            notices(None, &life.order, &life.timeline[from..]),
            vec![Notice::Confirmation],
            "not a backorder or dropship notice too"
        );
        let hoodie = &life.order.lines()[1];
        let promised = hoodie.backorder_promise().expect("one hoodie waits for stock");
        let m = say(&life, &Notice::Confirmation);
        assert_eq!(m.subject, "Lumen & Co: We received your order #1042");
        for expected in [
            "Thank you for your order #1042.".to_owned(),
            "- 2 × Item TEE — $40.00\n".to_owned(),
            format!("2 × Item HOODIE — $100.00 (on backorder, expected to ship by {})", text::date(promised)),
            "1 × Item DESK — $300.00 (ships directly from our partner)".to_owned(),
            "- Subtotal: $440.00\n".to_owned(),
            format!("- Total: {}\n", format_money(life.order.totals().grand_total, "en-US")),
            "Paid with Visa ending in 4242.".to_owned(),
            "Shipping to Grace Hopper, 1 Navy Way, Arlington.".to_owned(),
            "You can return items within 30 days of delivery. Our return policy: https://shop.example/returns"
                .to_owned(),
            "Item HOODIE is on backorder. To keep waiting, do nothing; if you would rather not wait, you can \
             cancel the units on backorder for a refund. Cancel the backordered units: \
             https://shop.example/orders/ord_1?sig=abc&choose=cancel-line-1"
                .to_owned(),
        ] {
            assert!(m.text.contains(&expected), "missing {expected:?} in\n{}", m.text);
        }
        assert!(m.html.contains("<a href=\"https://shop.example/returns\">Our return policy</a>"));
        assert_eq!(m.text.matches("choose=cancel-line-").count(), 1, "a choice only for the line that waits");
        let status = status_view(&life.order, life.now);
        assert!(
            m.text.contains(&format!("{}: {}", status.headline, status.detail)),
            "the tracking page's words"
        );
    }

    #[test]
    fn a_parcel_is_told_when_it_ships_goes_out_and_arrives_and_quiet_steps_call_for_nothing() {
        let mut life = Life::new(&[("TEE", 1)]);
        let amount = life.order.totals().grand_total;
        let method = crate::order::PaymentMethod {
            reference: "auth_1".into(),
            brand: crate::card::CardBrand::Visa,
            last4: Some("4242".into()),
        };
        assert_eq!(
            tell(&mut life, Role::Customer, Command::AuthorizePayment { amount, method }),
            vec![Notice::Confirmation],
            "the authorization itself is not told; the confirmation it brings is"
        );
        assert_eq!(tell(&mut life, Role::Staff, Command::CreateShipments), vec![]);
        assert_eq!(tell(&mut life, Role::Staff, step("ord_1-S1", ShipmentAction::StartPicking)), vec![]);
        assert_eq!(tell(&mut life, Role::Staff, step("ord_1-S1", ShipmentAction::Pack)), vec![]);
        let ship = ShipmentAction::Ship {
            carrier: "UPS".into(),
            tracking_number: "1Z999AA10123456784".into(),
            tracking_url: Some("https://ups.example/track?n=1Z999AA10123456784&x=\"".into()),
        };
        let shipped = tell(&mut life, Role::Staff, step("ord_1-S1", ship));
        assert_eq!(shipped, vec![Notice::Shipped { shipment: "ord_1-S1".into() }]);
        let m = say(&life, &shipped[0]);
        assert_eq!(m.subject, "Lumen & Co: Order #1042 is on its way");
        assert!(m.text.contains("- Carrier: UPS, tracking number 1Z999AA10123456784\n"), "{}", m.text);
        assert!(m.text.contains("Track the parcel: https://ups.example/track?n=1Z999AA10123456784&x=\"\n"));
        assert!(m.text.contains("- 1 × Item TEE\n"));
        assert!(
            m.html.contains(
                "<a href=\"https://ups.example/track?n=1Z999AA10123456784&amp;x=&quot;\">Track the parcel</a>"
            ),
            "the link is escaped inside its attribute: {}",
            m.html
        );
        assert_eq!(tell(&mut life, Role::Staff, step("ord_1-S1", ShipmentAction::MarkInTransit)), vec![]);
        let out = tell(&mut life, Role::Staff, step("ord_1-S1", ShipmentAction::MarkOutForDelivery));
        assert_eq!(out, vec![Notice::OutForDelivery { shipment: "ord_1-S1".into() }]);
        assert!(say(&life, &out[0]).text.contains("out for delivery today"));
        let delivered = tell(&mut life, Role::Staff, step("ord_1-S1", ShipmentAction::MarkDelivered));
        assert_eq!(
            delivered,
            vec![Notice::Delivered { shipment: "ord_1-S1".into() }, Notice::FeedbackRequest],
            "everything arrived: the delivery, then (later) the survey"
        );
        let m = say(&life, &delivered[0]);
        assert_eq!(m.subject, "Lumen & Co: Order #1042 was delivered");
        assert!(m.text.contains("You can return items within 30 days of delivery."));
        assert_eq!(m.list_unsubscribe, None, "a transactional message has no way out");
        assert!(!m.text.contains("Unsubscribe"), "{}", m.text);
    }

    #[test]
    fn the_survey_is_asked_once_when_the_last_parcel_arrives_with_a_way_out() {
        let mut life = Life::new(&[("TEE", 2), ("MUG", 1)]);
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        life.ship("ord_1-S1");
        life.ship("ord_1-S2");
        let first = tell(&mut life, Role::Staff, step("ord_1-S1", ShipmentAction::MarkDelivered));
        assert_eq!(first, vec![Notice::Delivered { shipment: "ord_1-S1".into() }], "one parcel of two");
        let last = tell(&mut life, Role::Staff, step("ord_1-S2", ShipmentAction::MarkDelivered));
        assert_eq!(last, vec![Notice::Delivered { shipment: "ord_1-S2".into() }, Notice::FeedbackRequest]);
        let m = say(&life, &Notice::FeedbackRequest);
        assert_eq!(m.subject, "Lumen & Co: How was your order #1042?");
        assert!(m.text.contains("How likely are you to recommend Lumen & Co to a friend?"), "{}", m.text);
        assert!(
            m.text.contains("Answer the survey: https://shop.example/orders/ord_1?sig=abc&choose=feedback\n")
        );
        for n in 0..=10 {
            let point =
                format!("href=\"https://shop.example/orders/ord_1?sig=abc&amp;choose=feedback-{n}\" ");
            let label = format!(">{n}</a>");
            assert!(m.html.contains(&point) && m.html.contains(&label), "no link for {n}: {}", m.html);
        }
        assert_eq!(m.list_unsubscribe.as_deref(), Some("https://shop.example/unsubscribe?token=u"));
        assert!(m.text.contains("Unsubscribe: https://shop.example/#/unsubscribe?token=u\n"), "{}", m.text);
        assert!(m.html.contains("<a href=\"https://shop.example/#/unsubscribe?token=u\">Unsubscribe</a>"));
        let mut bare = letterhead();
        bare.unsubscribe = None;
        assert_eq!(
            render(&life.order, &Notice::FeedbackRequest, &bare, life.now),
            Err(RenderError::NoWayOut),
            "never a message the customer may opt out of without the way out"
        );
        assert!(render(&life.order, &Notice::Confirmation, &bare, life.now).is_ok());
    }

    #[test]
    fn cancelling_what_never_came_after_the_rest_arrived_asks_for_feedback_and_a_cancelled_order_never_does()
    {
        let mut life = Life::new(&[("TEE", 2)]);
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        let split = Command::SplitShipment {
            shipment: "ord_1-S1".into(),
            lines: vec![crate::order::ShipmentLine { line: 0, quantity: 1 }],
        };
        life.ok(&Role::Staff, split);
        life.ship("ord_1-S1");
        assert_eq!(
            tell(&mut life, Role::Staff, step("ord_1-S1", ShipmentAction::MarkDelivered)),
            vec![Notice::Delivered { shipment: "ord_1-S1".into() }]
        );
        let rest =
            Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 1 }], reason: "gone".into() };
        let told = tell(&mut life, Role::Staff, rest);
        assert_eq!(told.last(), Some(&Notice::FeedbackRequest), "{told:?}");

        let mut cancelled = Life::new(&[("TEE", 1)]);
        cancelled.pay();
        let told = tell(&mut cancelled, Role::Staff, Command::Cancel { reason: "fraud".into() });
        assert!(!told.contains(&Notice::FeedbackRequest), "{told:?}");
    }

    #[test]
    fn a_survey_not_yet_sent_is_withdrawn_once_answered_or_when_items_come_back() {
        let mut life = Life::new(&[("TEE", 2)]);
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        life.ship("ord_1-S1");
        life.deliver("ord_1-S1");
        let ask = Notice::FeedbackRequest;
        assert_eq!(ask.withdrawn(&life.order, false), None);
        assert_eq!(ask.withdrawn(&life.order, true), Some("the customer already answered the survey"));
        assert_eq!(Notice::Confirmation.withdrawn(&life.order, true), None, "only the survey waits");
        life.ok(
            &Role::Customer,
            Command::RequestReturn {
                lines: vec![ReturnItem { line: 0, quantity: 1, reason: "small".into() }],
            },
        );
        assert_eq!(ask.withdrawn(&life.order, false), Some("the customer is returning items"));
    }

    #[test]
    fn a_parcel_whose_day_went_by_unannounced_is_told_once_and_the_order_page_says_it_runs_late() {
        let mut life = Life::new(&[("TEE", 1)]);
        life.pay();
        life.ok(&Role::Staff, Command::CreateShipments);
        life.ship("ord_1-S1");
        let expected = life.order.shipment("ord_1-S1").unwrap().expected_delivery().unwrap();
        let later = life.now + chrono::Duration::days(10);
        let late = crate::order::late_entries(&life.order, later, chrono::Duration::hours(48));
        for entry in &late {
            life.order.apply(entry).unwrap();
        }
        assert_eq!(notices(None, &life.order, &late), vec![Notice::Late { shipment: "ord_1-S1".into() }]);
        life.now = later;
        let m = say(&life, &Notice::Late { shipment: "ord_1-S1".into() });
        assert_eq!(m.subject, "Lumen & Co: A parcel of order #1042 is running late");
        let told = format!(
            "A parcel of your order was expected on {} and has not arrived yet. We have asked UPS where it is",
            text::date(expected)
        );
        assert!(m.text.contains(&told), "{}", m.text);
        assert!(
            m.text.contains(&format!(
                "Carrier: UPS, tracking number {}",
                crate::carrier::example_for(crate::carrier::Carrier::Ups, "ord_1-S1")
            )),
            "{}",
            m.text
        );
        let view = status_view(&life.order, life.now);
        assert_eq!(view.headline, "Running late");
        assert_eq!(
            view.detail,
            format!(
                "A parcel expected on {} has not arrived yet. We are checking with UPS.",
                text::date(expected)
            )
        );
        life.deliver("ord_1-S1");
        assert_eq!(status_view(&life.order, life.now).headline, "Delivered", "it arrived after all");
    }

    #[test]
    fn a_delivery_problem_says_what_went_wrong() {
        for (kind, words) in
            [(ExceptionKind::Delayed, "is delayed"), (ExceptionKind::Lost, "was reported lost")]
        {
            let mut life = Life::new(&[("TEE", 1)]);
            life.pay();
            life.ok(&Role::Staff, Command::CreateShipments);
            life.ship("ord_1-S1");
            let report = ShipmentAction::ReportException { kind, note: String::new() };
            let problem = tell(&mut life, Role::Staff, step("ord_1-S1", report));
            assert_eq!(problem, vec![Notice::DeliveryProblem { shipment: "ord_1-S1".into() }]);
            let m = say(&life, &problem[0]);
            assert!(m.text.contains(&format!("A parcel of your order {words}.")), "{}", m.text);
        }
    }

    #[test]
    fn a_declined_payment_and_an_order_that_expired_unpaid_each_say_so() {
        let mut life = Life::new(&[("TEE", 1)]);
        let declined =
            tell(&mut life, Role::Customer, Command::FailPayment { reason: "insufficient funds".into() });
        assert_eq!(declined, vec![Notice::PaymentDeclined { reason: "insufficient funds".into() }]);
        let m = say(&life, &declined[0]);
        assert!(m.text.contains("was declined (insufficient funds)"), "{}", m.text);
        assert!(m.text.contains("Pay for your order: https://shop.example/orders/ord_1?sig=abc&choose=pay"));
        let expired = tell(&mut life, Role::Staff, Command::Cancel { reason: PAYMENT_TIMEOUT_REASON.into() });
        assert_eq!(expired, vec![Notice::ExpiredUnpaid], "not an ordinary cancellation too");
        let m = say(&life, &expired[0]);
        assert_eq!(m.subject, "Lumen & Co: Order #1042 was cancelled: no payment arrived");
        assert!(m.text.contains("Nothing was charged."));
    }

    #[test]
    fn a_cancellation_tells_its_refund_in_the_same_message_not_a_second_one() {
        let mut life = Life::new(&[("TEE", 1)]);
        life.pay();
        let cancelled = tell(&mut life, Role::Staff, Command::Cancel { reason: "customer asked".into() });
        assert_eq!(
            cancelled,
            vec![Notice::Cancelled { refunded: None }],
            "an authorization is voided, not refunded"
        );
        assert!(say(&life, &cancelled[0]).text.contains("Order #1042 was cancelled. Nothing was charged."));

        let mut life = Life::new(&[("TEE", 1)]);
        life.pay();
        life.ok(&Role::Staff, Command::CapturePayment { amount: None });
        let cancelled = tell(&mut life, Role::Staff, Command::Cancel { reason: "customer asked".into() });
        assert_eq!(cancelled, vec![Notice::Cancelled { refunded: Some(usd(2500)) }]);
        let m = say(&life, &cancelled[0]);
        assert!(m.text.contains("$25.00 is refunded to Visa ending in 4242."), "{}", m.text);
    }

    #[test]
    fn cancelled_units_are_listed_with_what_comes_off_or_back() {
        let mut life = Life::new(&[("TEE", 3), ("MUG", 1)]);
        life.pay();
        let one_tee =
            || Command::CancelLines { lines: vec![LineUnits { line: 0, quantity: 1 }], reason: "r".into() };
        let told = tell(&mut life, Role::Staff, one_tee());
        assert_eq!(told, vec![Notice::LinesCancelled { amount: usd(2000), refunded: None }]);
        let m = say(&life, &told[0]);
        assert!(m.text.contains("$20.00 comes off your total."), "{}", m.text);
        assert!(m.text.contains("- 1 × Item TEE\n"));
        life.ok(&Role::Staff, Command::CapturePayment { amount: None });
        let told = tell(&mut life, Role::Staff, one_tee());
        assert_eq!(told, vec![Notice::LinesCancelled { amount: usd(2000), refunded: Some(usd(2000)) }]);
        assert!(say(&life, &told[0]).text.contains("$20.00 is refunded to Visa ending in 4242."));
    }

    #[test]
    fn a_return_is_told_when_approved_received_and_refunded_once() {
        let mut life = Life::new(&[("TEE", 2)]);
        life.pay();
        life.ok(&Role::Staff, Command::CapturePayment { amount: None });
        life.ok(&Role::Staff, Command::CreateShipments);
        life.ship("ord_1-S1");
        life.deliver("ord_1-S1");
        let request = Command::RequestReturn {
            lines: vec![ReturnItem { line: 0, quantity: 1, reason: "small".into() }],
        };
        assert_eq!(
            tell(&mut life, Role::Customer, request),
            vec![],
            "the customer asked; the answer is the message"
        );
        let rma = "ord_1-R1".to_owned();
        let approved =
            tell(&mut life, Role::Staff, Command::Return { rma: rma.clone(), action: ReturnAction::Approve });
        assert_eq!(approved, vec![Notice::ReturnApproved { rma: rma.clone() }]);
        let m = say(&life, &approved[0]);
        assert!(m.text.contains("write ord_1-R1 on the parcel"), "{}", m.text);
        assert!(m.text.contains("- 1 × Item TEE\n"));
        let received =
            tell(&mut life, Role::Staff, Command::Return { rma: rma.clone(), action: ReturnAction::Receive });
        assert_eq!(received, vec![Notice::ReturnReceived { rma: rma.clone() }]);
        let refunded = tell(&mut life, Role::Staff, Command::Return { rma, action: ReturnAction::Refund });
        assert_eq!(
            refunded,
            vec![Notice::Refunded { amount: usd(2000) }],
            "one message for the return's refund"
        );
        let m = say(&life, &refunded[0]);
        assert!(m.text.contains("We refunded $20.00 to Visa ending in 4242."), "{}", m.text);
    }

    #[test]
    fn a_backorder_whose_date_moved_is_told_the_new_and_the_old_date_with_the_choice() {
        let mut life = Life::new(&[("TEE", 1)]);
        life.pay();
        let first = chrono::NaiveDate::from_ymd_opt(2027, 1, 8).unwrap();
        let later = chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        tell(&mut life, Role::Staff, Command::Backorder { line: 0, part: 0, promised: first });
        let told = tell(&mut life, Role::Staff, Command::Backorder { line: 0, part: 0, promised: later });
        assert_eq!(
            told,
            vec![Notice::Backordered {
                line: 0,
                promised: later,
                previously: Some(first),
                partner_failed: false
            }]
        );
        let m = say(&life, &told[0]);
        assert_eq!(m.subject, "Lumen & Co: A new date for an item in order #1042");
        assert!(
            m.text.contains("The date for Item TEE moved: we now expect to ship it by 15 Jan 2027 (we said 8 Jan 2027 before)."),
            "{}",
            m.text
        );
        assert!(m.html.contains("choose=cancel-line-0"), "the choice to cancel for a refund");
        let same = life.order.execute(
            &Command::Backorder { line: 0, part: 0, promised: later },
            &Role::Staff,
            life.now,
        );
        assert!(
            matches!(same, Err(CommandError::InvalidInput { field: "promised", .. })),
            "the same day again is no news: {same:?}"
        );
    }

    #[test]
    fn a_line_put_on_backorder_later_is_told_with_its_new_date() {
        let mut life = Life::new(&[("TEE", 1)]);
        life.pay();
        let promised = chrono::NaiveDate::from_ymd_opt(2027, 1, 8).unwrap();
        let told = tell(&mut life, Role::Staff, Command::Backorder { line: 0, part: 0, promised });
        assert_eq!(
            told,
            vec![Notice::Backordered { line: 0, promised, previously: None, partner_failed: false }]
        );
        let m = say(&life, &told[0]);
        assert!(
            m.text.contains("Item TEE is on backorder: we expect to ship it by 8 Jan 2027."),
            "{}",
            m.text
        );
        let choice = "https://shop.example/orders/ord_1?sig=abc&amp;choose=cancel-line-0";
        assert!(
            m.html.contains(&format!("<a href=\"{choice}\">Cancel the backordered units</a>")),
            "{}",
            m.html
        );
        assert!(m.text.contains(
            "Cancel the backordered units: https://shop.example/orders/ord_1?sig=abc&choose=cancel-line-0"
        ));
    }

    #[test]
    fn a_choice_link_joins_the_order_link_with_a_question_mark_or_an_ampersand() {
        assert_eq!(
            with_choice("https://s.example/#/orders/o1", "pay"),
            "https://s.example/#/orders/o1?choose=pay"
        );
        assert_eq!(
            with_choice("https://s.example/#/orders/o1?token=t", "cancel-line-2"),
            "https://s.example/#/orders/o1?token=t&choose=cancel-line-2"
        );
    }

    #[test]
    fn a_sign_in_message_carries_its_link_in_both_parts_and_names_no_order() {
        let m = render_sign_in("Lumen & Co", "https://shop.example/#/my-orders?token=t.k.n", 24);
        assert_eq!(m.subject, "Lumen & Co: Your orders");
        assert!(
            m.text.contains("See your orders: https://shop.example/#/my-orders?token=t.k.n"),
            "{}",
            m.text
        );
        assert!(m.text.contains("it works for 24 hours"));
        assert!(
            m.html.contains("<a href=\"https://shop.example/#/my-orders?token=t.k.n\">See your orders</a>")
        );
        assert!(m.html.contains("<h1>Lumen &amp; Co</h1>"));
        assert!(!m.text.contains("ord_"), "the message says nothing of the orders");
    }

    #[test]
    fn hostile_values_are_escaped_in_html_and_left_as_written_in_text() {
        let life = Life::new(&[("TEE", 1)]);
        let letterhead = Letterhead {
            shop_name: "<script>alert(1)</script>".into(),
            order_link: "https://x.example/\"><img src=x>".into(),
            returns_link: None,
            locale: "en-US".into(),
            unsubscribe: None,
        };
        let m = render(
            &life.order,
            &Notice::PaymentDeclined { reason: "<b>no</b>".into() },
            &letterhead,
            life.now,
        )
        .unwrap();
        assert!(
            !m.html.contains("<script>") && !m.html.contains("<b>") && !m.html.contains("<img"),
            "{}",
            m.html
        );
        assert!(m.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(m.html.contains("href=\"https://x.example/&quot;&gt;&lt;img src=x&gt;\""));
        assert!(m.text.contains("declined (<b>no</b>)"), "text is not HTML: {}", m.text);
    }

    #[test]
    fn a_notice_naming_what_the_order_lacks_is_an_error_not_half_a_message() {
        let life = Life::new(&[("TEE", 1)]);
        for (notice, error) in [
            (Notice::Shipped { shipment: "ord_9-S1".into() }, "the order has no parcel ord_9-S1"),
            (
                Notice::Backordered {
                    line: 7,
                    promised: life.now.date_naive(),
                    previously: None,
                    partner_failed: false,
                },
                "the order has no line 7",
            ),
            (Notice::ReturnApproved { rma: "ord_1-R9".into() }, "the order has no return ord_1-R9"),
        ] {
            let refused = render(&life.order, &notice, &letterhead(), life.now).unwrap_err();
            assert_eq!(refused.to_string(), error);
        }
    }
}
