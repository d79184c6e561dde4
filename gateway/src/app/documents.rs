//! Documents as PDF: per parcel the shipping label (4×6 in, with the tracking number as a Code
//! 128 barcode), the commercial invoice and the packing slip (A4); per order the customer's
//! receipt with its tax lines (A4). Written with a small PDF 1.4 writer (Helvetica text, every
//! line fitted to the page, and filled rectangles for bars).

use ordo_core::locale::format_money;
use ordo_core::order::{Order, Shipment, ShipmentSource};
use ordo_core::purchasing::PurchaseOrderData;
use ordo_core::supplier::{RequestData, parcel_sender, purchase_order_number, request_data};

use crate::app::App;
use crate::app::access::Actor;
use crate::app::error::ApiError;
use crate::store::fulfilment::ShipmentRow;
use crate::store::suppliers::SupplierRow;

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Label,
    CommercialInvoice,
    PackingSlip,
    /// A partner's parcel only: what the supplier is asked to send.
    PurchaseOrder,
}

impl Document {
    pub fn from_file_name(name: &str) -> Option<Document> {
        match name {
            "label.pdf" => Some(Document::Label),
            "commercial-invoice.pdf" => Some(Document::CommercialInvoice),
            "packing-slip.pdf" => Some(Document::PackingSlip),
            "purchase-order.pdf" => Some(Document::PurchaseOrder),
            _ => None,
        }
    }
}

/// The shop's sender address, printed on every document but a partner's parcel's label and
/// commercial invoice when the supplier is set to be their sender.
const SHOP: [&str; 4] = ["Ordo Demo Shop", "100 Commerce Way", "Columbus OH 43004", "US"];

fn shop_lines() -> Vec<String> {
    SHOP.map(str::to_owned).to_vec()
}

/// `document` for parcel `shipment_id` of `order_id`, for staff or the supplier that ships the
/// parcel. Anyone else gets `NOT_FOUND`, exactly as for a missing parcel.
pub async fn for_parcel(
    app: &App,
    actor: &Actor,
    order_id: &str,
    shipment_id: &str,
    document: Document,
) -> Result<Vec<u8>, ApiError> {
    let order = crate::app::commands::load(app, order_id).await?;
    let shipment = order.shipment(shipment_id).ok_or(ApiError::NotFound("document"))?;
    let allowed = match (actor, shipment.source()) {
        (a, _) if a.is_staff() => true,
        (Actor::Supplier { supplier }, ShipmentSource::Supplier { supplier: own }) => supplier == own,
        _ => false,
    };
    if !allowed {
        return Err(ApiError::NotFound("document"));
    }
    if document == Document::PurchaseOrder {
        let ShipmentSource::Supplier { supplier } = shipment.source() else {
            return Err(ApiError::NotFound("document"));
        };
        let row = app.store().supplier(supplier).await?.ok_or(ApiError::NotFound("document"))?;
        let data = request_data(&order, shipment_id).ok_or(ApiError::NotFound("document"))?;
        return Ok(purchase_order(&order, &data, &row));
    }
    let row = app.store().shipment_row(shipment_id).await.ok().flatten();
    // A partner's parcel is sent by the partner: its label and customs papers may name it as
    // the sender (the supplier's setting); the packing slip inside is always the shop's.
    let sender = match (shipment.source(), document) {
        (ShipmentSource::Supplier { supplier }, Document::Label | Document::CommercialInvoice) => {
            let row = app.store().supplier(supplier).await?;
            row.and_then(|s| parcel_sender(s.sender(), s.address.as_ref()).map(|a| a.printed_lines()))
        }
        _ => None,
    };
    Ok(render(document, &order, shipment, row.as_ref(), &sender.unwrap_or_else(shop_lines)))
}

/// The receipt of order `order_id` (its id or `#1042`) for whoever may see the whole order:
/// the customer, their guest or e-mail token, staff. A supplier, or anyone else, gets
/// `NOT_FOUND`, exactly as for a missing order.
pub async fn receipt_for(app: &App, actor: &Actor, order_id: &str) -> Result<Vec<u8>, ApiError> {
    if matches!(actor, Actor::Supplier { .. }) {
        return Err(ApiError::NotFound("document"));
    }
    let stored = crate::app::orders::visible(app, actor, order_id).await?;
    Ok(pdf(595.0, 842.0, &Page { texts: receipt(&stored.order, &shop_lines()), bars: Vec::new() }))
}

fn receipt(order: &Order, from: &[String]) -> Vec<Text> {
    let r = ordo_core::order::receipt(order);
    let money = |m: ordo_core::money::Money| format_money(m, "en-US");
    let mut t: Vec<Text> = Vec::new();
    t.push((50.0, 790.0, 18.0, "RECEIPT".into()));
    t.push((
        50.0,
        770.0,
        10.0,
        format!("Order {}   Placed {}", order_names(order), order.placed_at().format("%Y-%m-%d")),
    ));
    let mut to = order.shipping_address().printed_lines();
    to.push(order.email().as_str().to_owned());
    let mut y = addresses(&mut t, ("FROM", from), ("TO", &to));
    for (x, head) in [
        (50.0, "ITEM"),
        (290.0, "QTY"),
        (325.0, "UNIT"),
        (390.0, "DISCOUNT"),
        (455.0, "TAX"),
        (510.0, "TOTAL"),
    ] {
        t.push((x, y, 9.0, head.into()));
    }
    for line in &r.lines {
        y -= 15.0;
        t.push((50.0, y, 10.0, format!("{} ({})", line.name, line.sku)));
        t.push((290.0, y, 10.0, line.quantity.to_string()));
        t.push((325.0, y, 10.0, money(line.unit_price)));
        t.push((390.0, y, 10.0, if line.discount.is_zero() { "-".into() } else { money(line.discount) }));
        let rate =
            line.tax_rate_bp.map(|bp| format!(" ({} %)", ordo_core::order::percent(bp))).unwrap_or_default();
        t.push((455.0, y, 10.0, format!("{}{rate}", money(line.tax))));
        t.push((510.0, y, 10.0, money(line.total)));
    }
    if r.cancelled_units > 0 {
        y -= 15.0;
        let units = ordo_core::text::count(r.cancelled_units, "unit", "units");
        t.push((50.0, y, 9.0, format!("Cancelled before shipping, not charged: {units}.")));
    }
    y -= 28.0;
    let mut total_line = |y: &mut f32, label: String, amount: String, size: f32| {
        t.push((330.0, *y, size, label));
        t.push((510.0, *y, size, amount));
        *y -= size + 6.0;
    };
    total_line(&mut y, "Subtotal".into(), money(r.subtotal), 10.0);
    if !r.discount.is_zero() {
        total_line(&mut y, "Discount".into(), format!("-{}", money(r.discount)), 10.0);
    }
    total_line(&mut y, "Shipping".into(), money(r.shipping), 10.0);
    for tax in &r.tax_lines {
        let label = format!(
            "{} on {}{}",
            tax.label(),
            money(tax.taxable),
            if r.prices_include_tax { " (included)" } else { "" }
        );
        total_line(&mut y, label, money(tax.tax), 10.0);
    }
    if r.tax_lines.is_empty() {
        total_line(&mut y, "Tax".into(), money(r.tax), 10.0);
    }
    total_line(&mut y, "Total".into(), money(r.total), 12.0);
    let method = order.payment_method().map(|m| format!(" ({})", m.describe())).unwrap_or_default();
    total_line(&mut y, format!("Paid{method}"), money(r.paid), 10.0);
    if !r.refunded.is_zero() {
        total_line(&mut y, "Refunded".into(), format!("-{}", money(r.refunded)), 10.0);
    }
    y -= 10.0;
    t.push((
        50.0,
        y,
        9.0,
        "Thank you for your order. Keep this receipt for your records and returns.".into(),
    ));
    t
}

/// One piece of text on a page: x, y (points from the bottom left), size, text.
type Text = (f32, f32, f32, String);

/// A filled rectangle: x, y (bottom left), width, height, in points.
type Bar = (f32, f32, f32, f32);

/// What goes on one page.
#[derive(Default)]
struct Page {
    texts: Vec<Text>,
    bars: Vec<Bar>,
}

/// Renders `document` for `shipment` of `order`; the sender's address is `from`.
fn render(
    document: Document,
    order: &Order,
    shipment: &Shipment,
    row: Option<&ShipmentRow>,
    from: &[String],
) -> Vec<u8> {
    match document {
        Document::Label => pdf(288.0, 432.0, &label(order, shipment, row, from)),
        Document::CommercialInvoice => {
            pdf(595.0, 842.0, &Page { texts: invoice(order, shipment, from, true), bars: Vec::new() })
        }
        // (A purchase order is written by `purchase_order`, before it would get here.)
        Document::PackingSlip | Document::PurchaseOrder => {
            pdf(595.0, 842.0, &Page { texts: invoice(order, shipment, from, false), bars: Vec::new() })
        }
    }
}

/// The order as a document names it: its reference and, beside a number, its id (`#1042
/// (ord_…)`), so a warehouse and a system both find it.
fn order_names(order: &Order) -> String {
    match order.number() {
        Some(_) => format!("{} ({})", order.reference(), order.id().as_str()),
        None => order.id().as_str().to_owned(),
    }
}

/// Two addresses side by side under their headings, from the top of an A4 page; answers where
/// the next block starts.
fn addresses(t: &mut Vec<Text>, left: (&str, &[String]), right: (&str, &[String])) -> f32 {
    let mut y = 740.0;
    t.push((50.0, y, 9.0, left.0.into()));
    t.push((320.0, y, 9.0, right.0.into()));
    for i in 0..left.1.len().max(right.1.len()) {
        y -= 13.0;
        if let Some(line) = left.1.get(i) {
            t.push((50.0, y, 10.0, line.clone()));
        }
        if let Some(line) = right.1.get(i) {
            t.push((320.0, y, 10.0, line.clone()));
        }
    }
    y - 30.0
}

/// The label's width in points, and the margin kept clear on each side.
const LABEL_WIDTH: f32 = 288.0;
const MARGIN: f32 = 14.0;

fn label(order: &Order, shipment: &Shipment, row: Option<&ShipmentRow>, from: &[String]) -> Page {
    let mut t: Vec<Text> = Vec::new();
    let mut bars: Vec<Bar> = Vec::new();
    let mut y = 410.0;
    t.push((14.0, y, 8.0, "FROM".into()));
    for line in from {
        y -= 10.0;
        t.push((14.0, y, 8.0, line.clone()));
    }
    y -= 24.0;
    t.push((14.0, y, 9.0, "SHIP TO".into()));
    for line in order.shipping_address().printed_lines() {
        y -= 15.0;
        t.push((14.0, y, 13.0, line));
    }
    y -= 34.0;
    let carrier = shipment.carrier().unwrap_or("-");
    let service = row.and_then(|r| r.service.as_deref()).unwrap_or("");
    t.push((14.0, y, 16.0, format!("{carrier} {service}").trim().to_owned()));
    y -= 20.0;
    t.push((14.0, y, 9.0, "TRACKING NUMBER".into()));
    match shipment.tracking_number().map(|n| (n, ordo_core::barcode::code128(n))) {
        Some((number, Ok(widths))) => {
            // Bars as wide as fits between the margins (with ten-module quiet zones), centred.
            let modules: u32 = widths.iter().map(|w| u32::from(*w)).sum();
            let module = ((LABEL_WIDTH - 2.0 * MARGIN) / (modules + 20) as f32).min(1.5);
            let mut x = (LABEL_WIDTH - modules as f32 * module) / 2.0;
            let (height, bottom) = (56.0, y - 64.0);
            for (i, w) in widths.iter().enumerate() {
                let width = f32::from(*w) * module;
                if i % 2 == 0 {
                    bars.push((x, bottom, width, height));
                }
                x += width;
            }
            y = bottom - 16.0;
            t.push((14.0, y, 14.0, number.to_owned()));
        }
        Some((number, Err(_))) => {
            y -= 20.0;
            t.push((14.0, y, 18.0, number.to_owned()));
        }
        None => {
            y -= 20.0;
            t.push((14.0, y, 18.0, "(not shipped yet)".to_owned()));
        }
    }
    y -= 24.0;
    if let Some(p) = row.and_then(|r| r.package.as_ref()) {
        t.push((
            14.0,
            y,
            9.0,
            format!(
                "{} x {} x {} cm, {:.2} kg, {}",
                p["length_cm"],
                p["width_cm"],
                p["height_cm"],
                p["weight_grams"].as_f64().unwrap_or(0.0) / 1000.0,
                p["material"].as_str().unwrap_or("")
            ),
        ));
        y -= 14.0;
    }
    t.push((14.0, y, 9.0, format!("Order {}", order_names(order))));
    y -= 12.0;
    t.push((14.0, y, 9.0, format!("Parcel {}  Units {}", shipment.id(), shipment.units())));
    Page { texts: t, bars }
}

fn invoice(order: &Order, shipment: &Shipment, from: &[String], customs: bool) -> Vec<Text> {
    let mut t: Vec<Text> = Vec::new();
    let title = if customs { "COMMERCIAL INVOICE" } else { "PACKING SLIP" };
    t.push((50.0, 790.0, 18.0, title.into()));
    t.push((
        50.0,
        770.0,
        10.0,
        format!(
            "Order {}   Parcel {}   Placed {}",
            order_names(order),
            shipment.id(),
            order.placed_at().format("%Y-%m-%d")
        ),
    ));
    let mut y = addresses(&mut t, ("SENDER", from), ("RECIPIENT", &order.shipping_address().printed_lines()));
    t.push((50.0, y, 9.0, "SKU".into()));
    t.push((170.0, y, 9.0, "DESCRIPTION".into()));
    t.push((400.0, y, 9.0, "QTY".into()));
    if customs {
        t.push((440.0, y, 9.0, "UNIT".into()));
        t.push((510.0, y, 9.0, "VALUE".into()));
    }
    let mut value = 0i64;
    for line in shipment.lines() {
        let Some(l) = order.lines().get(line.line) else { continue };
        y -= 15.0;
        t.push((50.0, y, 10.0, l.sku().as_str().to_owned()));
        t.push((170.0, y, 10.0, l.name().chars().take(40).collect()));
        t.push((400.0, y, 10.0, line.quantity.to_string()));
        if customs {
            let total = l.unit_price().amount().saturating_mul(i64::from(line.quantity));
            value = value.saturating_add(total);
            t.push((440.0, y, 10.0, format_money(l.unit_price(), "en-US")));
            t.push((
                510.0,
                y,
                10.0,
                format_money(ordo_core::money::Money::new(total, l.unit_price().currency()), "en-US"),
            ));
        }
    }
    y -= 25.0;
    if customs {
        t.push((
            400.0,
            y,
            11.0,
            format!(
                "Total value: {}",
                format_money(ordo_core::money::Money::new(value, order.currency()), "en-US")
            ),
        ));
        y -= 20.0;
        t.push((
            50.0,
            y,
            9.0,
            "Reason for export: sale. I declare the information above is true and correct.".into(),
        ));
    } else {
        t.push((50.0, y, 10.0, "Thank you for your order. Returns: see your order page.".into()));
    }
    t
}

/// The purchase order asking `supplier` to send parcel `data` of `order` straight to the
/// customer (A4): its number, the shop as buyer, the supplier, the ship-to address, the lines and
/// quantities, the day the customer expects it and whose name the label carries. No prices: what
/// the customer paid is not the supplier's business.
pub(crate) fn purchase_order(order: &Order, data: &RequestData, supplier: &SupplierRow) -> Vec<u8> {
    let mut t: Vec<Text> = Vec::new();
    t.push((50.0, 790.0, 18.0, "PURCHASE ORDER".into()));
    let number = purchase_order_number(&order.reference(), &data.shipment);
    let placed = order.placed_at().format("%Y-%m-%d");
    t.push((50.0, 770.0, 10.0, format!("{number}   Order {}   Placed {placed}", order_names(order))));
    let to = supplier_lines(Some(supplier), &supplier.code);
    let mut y = addresses(&mut t, ("BUYER", &shop_lines()), ("SUPPLIER", &to));
    t.push((50.0, y, 9.0, "SHIP TO (straight to our customer)".into()));
    for line in data.ship_to.printed_lines() {
        y -= 13.0;
        t.push((50.0, y, 10.0, line));
    }
    y -= 30.0;
    t.push((50.0, y, 9.0, "SKU".into()));
    t.push((170.0, y, 9.0, "DESCRIPTION".into()));
    t.push((470.0, y, 9.0, "QTY".into()));
    for line in &data.lines {
        y -= 15.0;
        t.push((50.0, y, 10.0, line.sku.clone()));
        t.push((170.0, y, 10.0, line.name.clone()));
        t.push((470.0, y, 10.0, line.quantity.to_string()));
    }
    y -= 25.0;
    let units: u32 = data.lines.iter().map(|l| l.quantity).sum();
    t.push((50.0, y, 10.0, format!("Total: {}", ordo_core::text::count(units, "unit", "units"))));
    if let Some(day) = data.expected_delivery {
        y -= 15.0;
        t.push((50.0, y, 10.0, format!("Our customer expects it by {}.", ordo_core::text::date(day))));
    }
    y -= 15.0;
    let sender = match parcel_sender(supplier.sender(), supplier.address.as_ref()) {
        Some(_) => "The label names you as the sender.".to_owned(),
        None => format!("The label names {} as the sender: put nothing of yours in the parcel.", SHOP[0]),
    };
    t.push((50.0, y, 10.0, sender));
    y -= 15.0;
    t.push((50.0, y, 10.0, "Put no prices or invoices in the parcel.".into()));
    y -= 15.0;
    t.push((
        50.0,
        y,
        10.0,
        "Print the label from your portal, and mark the parcel shipped there with its tracking number."
            .into(),
    ));
    pdf(595.0, 842.0, &Page { texts: t, bars: Vec::new() })
}

/// Escapes text for a PDF string literal; characters outside printable ASCII become '?'.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

/// Helvetica's advance widths (thousandths of the font size) for ' ' to '~'.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
    500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
    556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
    278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// How wide `text` prints in Helvetica at `size` points (after [`escape`]'s replacements).
fn text_width(text: &str, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| match c {
            ' '..='~' => u32::from(HELVETICA[c as usize - 32]),
            _ => 556, // printed as '?'
        })
        .sum();
    units as f32 * size / 1000.0
}

/// `text` at `size`, fitted into `room` points: smaller type down to 70 %, then cut with "...".
fn fit(text: &str, size: f32, room: f32) -> (f32, String) {
    if text_width(text, size) <= room {
        return (size, text.to_owned());
    }
    let smaller = (size * room / text_width(text, size)).max(size * 0.7);
    if text_width(text, smaller) <= room {
        return (smaller, text.to_owned());
    }
    let mut cut: String = text.to_owned();
    while !cut.is_empty() && text_width(&format!("{cut}..."), smaller) > room {
        cut.pop();
    }
    (smaller, format!("{}...", cut.trim_end()))
}

/// A one-page PDF of `width`×`height` points with the page's texts in Helvetica, each fitted
/// between its x and the right margin, and its bars filled black.
fn pdf(width: f32, height: f32, page: &Page) -> Vec<u8> {
    pdf_pages(width, height, std::slice::from_ref(page))
}

/// A PDF of `pages`, each `width` × `height` points.
fn pdf_pages(width: f32, height: f32, pages: &[Page]) -> Vec<u8> {
    // 1 catalog, 2 page tree, 3 font, then each page and its content stream.
    let kids: Vec<String> = (0..pages.len()).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    for (i, page) in pages.iter().enumerate() {
        let mut content = String::new();
        for (x, y, size, text) in &page.texts {
            let (size, text) = fit(text, *size, width - x - MARGIN);
            content.push_str(&format!("BT /F1 {size:.2} Tf {x} {y} Td ({}) Tj ET\n", escape(&text)));
        }
        for (x, y, w, h) in &page.bars {
            content.push_str(&format!("{x:.3} {y:.3} {w:.3} {h:.3} re f\n"));
        }
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    out
}

/// Purchase order `id` as PDF, for staff or its supplier once it was sent (anyone else gets
/// `NOT_FOUND`, as for a missing one).
pub async fn restock_order_for(app: &App, actor: &Actor, id: &str) -> Result<Vec<u8>, ApiError> {
    let (po, data) = crate::app::purchasing::purchase_order_data(app, actor, id).await?;
    let supplier = match po.supplier.as_deref() {
        Some(code) => app.store().supplier(code).await?,
        None => None,
    };
    Ok(restock_order(&data, &supplier_lines(supplier.as_ref(), &data.supplier), &po.status.replace('_', " ")))
}

/// How a document addresses a supplier: its name, return address and e-mail (its code alone
/// when it is gone).
pub(crate) fn supplier_lines(supplier: Option<&SupplierRow>, code: &str) -> Vec<String> {
    let Some(supplier) = supplier else { return vec![code.to_owned()] };
    let mut to = vec![supplier.name.clone()];
    if let Some(address) = &supplier.address {
        to.extend(address.printed_lines().into_iter().skip_while(|line| *line == supplier.name));
    }
    to.extend(supplier.email.clone());
    to
}

/// A purchase order that restocks the shop (A4, as many pages as its lines need): its number and
/// status, the shop as buyer, the supplier, where and by when to deliver, each line with the
/// supplier's number, units, unit cost and amount, and the total.
pub(crate) fn restock_order(po: &PurchaseOrderData, supplier: &[String], status: &str) -> Vec<u8> {
    let currency = ordo_core::money::Currency::parse(&po.currency).ok();
    let money = |minor: i64| match currency {
        Some(c) => format_money(ordo_core::money::Money::new(minor, c), "en-US"),
        None => format!("{minor} {}", po.currency),
    };
    let mut pages = Vec::new();
    let mut t: Vec<Text> = Vec::new();
    t.push((50.0, 790.0, 18.0, "PURCHASE ORDER".into()));
    t.push((50.0, 770.0, 10.0, format!("{}   Status: {status}", po.number)));
    let mut y = addresses(&mut t, ("BUYER", &shop_lines()), ("SUPPLIER", supplier));
    t.push((50.0, y, 10.0, format!("Deliver to: {}", po.deliver_to)));
    y -= 15.0;
    t.push((50.0, y, 10.0, format!("Expected by: {}", ordo_core::text::date(po.expected_on))));
    y -= 30.0;
    let header = |t: &mut Vec<Text>, y: f32| {
        for (x, title) in [
            (50.0, "SKU"),
            (140.0, "YOUR NO."),
            (230.0, "DESCRIPTION"),
            (400.0, "QTY"),
            (440.0, "RECEIVED"),
            (500.0, "UNIT COST"),
        ] {
            t.push((x, y, 8.0, title.into()));
        }
    };
    header(&mut t, y);
    for line in &po.lines {
        if y < 80.0 {
            pages.push(Page { texts: std::mem::take(&mut t), bars: Vec::new() });
            t.push((50.0, 800.0, 10.0, format!("{} (continued)", po.number)));
            y = 775.0;
            header(&mut t, y);
        }
        y -= 15.0;
        t.push((50.0, y, 9.0, line.sku.clone()));
        t.push((140.0, y, 9.0, line.supplier_sku.clone().unwrap_or_default()));
        t.push((230.0, y, 9.0, line.name.chars().take(30).collect()));
        t.push((400.0, y, 9.0, line.quantity.to_string()));
        t.push((440.0, y, 9.0, line.received.to_string()));
        t.push((500.0, y, 9.0, money(line.unit_cost)));
    }
    y -= 25.0;
    t.push((400.0, y.max(40.0), 10.0, format!("Total: {}", money(po.total))));
    pages.push(Page { texts: t, bars: Vec::new() });
    pdf_pages(595.0, 842.0, &pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_has_a_valid_cross_reference_table() {
        let page = Page { texts: vec![(10.0, 10.0, 12.0, "Hello (world) \\ é".into())], bars: vec![] };
        let bytes = pdf(200.0, 100.0, &page);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        assert!(text.contains("(Hello \\(world\\) \\\\ ?) Tj"));
        // Every xref offset points at its object.
        let xref_at: usize =
            text.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        let table = &text[xref_at..];
        for (i, line) in table.lines().skip(3).take(5).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(text[offset..].starts_with(&format!("{} 0 obj", i + 1)), "object {}", i + 1);
        }
    }

    #[test]
    fn text_too_long_for_the_page_is_set_smaller_then_cut_never_past_the_margin() {
        let fits = fit("Grace Hopper", 13.0, 260.0);
        assert_eq!(fits, (13.0, "Grace Hopper".to_owned()));
        let long = "Apartment 1234, Building of the Very Long Street Names Association";
        let (size, text) = fit(long, 13.0, 260.0);
        assert!((13.0 * 0.7..13.0).contains(&size));
        assert!(text.ends_with("...") && text_width(&text, size) <= 260.0, "{text} at {size}");
        // Helvetica's widths: "MW" is wider than "il" at the same size.
        assert!(text_width("MW", 10.0) > 3.0 * text_width("il", 10.0));
    }
}
