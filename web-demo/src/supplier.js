// The supplier portal (#/supplier?token=…, a supplier token): the dropship requests still to
// send — only the supplier's own lines and the ship-to address, with the parcel's label and
// packing slip to print and its purchase order — each accepted with a ship-by
// date (the customer is told) and shipped with a carrier and tracking number (the customer gets
// the tracking link, channels are told), or rejected with a reason (the shop's policy cancels and
// refunds its items or puts them on backorder, and the customer is told). Below them, the purchase orders the shop sent it to
// restock its shelves: number, status, lines with costs, and the PDF.
import { gql, session } from "./api.js";
import { h, mount, field, fmtDate } from "./dom.js";

const SUPPLIER_KEY = "ordo.supplier";

/** Takes `?token=` from the hash once (then removes it), else sessionStorage. */
function supplierToken() {
  const [route, query = ""] = location.hash.split("?");
  const params = new URLSearchParams(query);
  const fromUrl = params.get("token");
  if (fromUrl) {
    session.set(SUPPLIER_KEY, fromUrl);
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", `${location.pathname}${location.search}${route}${rest ? `?${rest}` : ""}`);
  }
  return session.get(SUPPLIER_KEY);
}

const REQUESTS = `{ dropshipRequests { id reference placedAt
  shippingAddress { name line1 line2 city region postalCode country phone }
  lines { index sku name quantity }
  shipments { id state shipBy units items { line sku name quantity } documents { label packingSlip purchaseOrder } } }
  carriers { code name formats } }`;

export async function renderSupplier(root) {
  const token = supplierToken();
  if (!token) {
    return mount(root, h("h2", {}, "Supplier portal"),
      h("p", {}, "Open the link your shop sent you (it carries your supplier token: ", h("code", {}, "ordo token --role supplier --supplier <code>"), ")."));
  }
  const msg = h("p", { class: "action-msg", role: "status", id: "supplier-msg" });
  const list = h("div", { id: "supplier-requests" });
  const say = (text, error = false) => { msg.className = error ? "action-msg error" : "action-msg"; msg.textContent = text; };

  async function load() {
    let data;
    try {
      data = await gql(REQUESTS, {}, token);
    } catch (err) {
      return mount(list, h("p", { class: "error" }, `Could not load your requests: ${err.message}`));
    }
    const { dropshipRequests: orders, carriers } = data;
    if (!orders.length) return mount(list, h("p", { id: "supplier-empty" }, "Nothing to send right now."));
    mount(list, ...orders.flatMap((order) => order.shipments
      .filter((s) => ["pending", "picking", "packed"].includes(s.state))
      .map((s) => parcel(order, s, carriers))));
  }

  function parcel(order, s, carriers) {
    const a = order.shippingAddress;
    const shipBy = h("input", { type: "date", class: "ship-by", "aria-label": `Ship ${s.id} by`,
      value: s.shipBy ?? new Date(Date.now() + 3 * 86400000).toISOString().slice(0, 10) });
    const accept = h("button", { type: "button", class: "accept", onclick: async () => {
      try {
        await gql(`mutation($o: String!, $s: String!, $d: NaiveDate!) { acceptShipment(orderId: $o, shipmentId: $s, shipBy: $d) { order { id } } }`,
          { o: order.id, s: s.id, d: shipBy.value }, token);
        await load();
        say(`Accepted ${s.id}: ships by ${fmtDate(shipBy.value)}. The customer was told.`);
      } catch (err) {
        say(`Accept failed: ${err.message}`, true);
      }
    } }, s.shipBy ? "Change date" : "Accept");
    const carrier = field("Carrier", { class: "carrier", "aria-label": `Carrier for ${s.id}` }, "select");
    carrier.input.append(...carriers.map((c) => h("option", { value: c.code }, c.name)));
    const tracking = field("Tracking number", { class: "tracking", autocomplete: "off", "aria-label": `Tracking number for ${s.id}` });
    const hint = () => { tracking.input.placeholder = carriers.find((c) => c.code === carrier.input.value)?.formats ?? ""; };
    carrier.input.addEventListener("change", hint);
    hint();
    const ship = h("button", { type: "button", class: "ship primary", onclick: async () => {
      try {
        await gql(`mutation($o: String!, $s: String!, $c: String!, $t: String!) { shipShipment(orderId: $o, shipmentId: $s, carrier: $c, trackingNumber: $t) { order { id } } }`,
          { o: order.id, s: s.id, c: carrier.input.value, t: tracking.input.value.trim() }, token);
        await load();
        say(`Shipped ${s.id}. The customer has the tracking link.`);
      } catch (err) {
        say(`Ship failed: ${err.message}`, true);
      }
    } }, "Mark shipped");
    const why = h("input", { class: "reject-reason", autocomplete: "off", placeholder: "Why (e.g. out of stock)", "aria-label": `Why ${s.id} cannot be sent` });
    const reject = h("button", { type: "button", class: "reject", onclick: async () => {
      if (!why.value.trim()) { say("Say why you cannot send it first.", true); why.focus(); return; }
      try {
        await gql(`mutation($o: String!, $s: String!, $r: String!) { rejectShipment(orderId: $o, shipmentId: $s, reason: $r) { order { id } } }`,
          { o: order.id, s: s.id, r: why.value.trim() }, token);
        await load();
        say(`Rejected ${s.id}. The shop takes it from here, and the customer was told.`);
      } catch (err) {
        say(`Reject failed: ${err.message}`, true);
      }
    } }, "Cannot send");
    return h("article", { class: "card supplier-request", dataset: { order: order.id, shipment: s.id } },
      h("h3", {}, `Order ${order.reference} · parcel ${s.id}`),
      h("p", { class: "muted" }, `Ordered ${fmtDate(order.placedAt)}`, s.shipBy ? ` · you accepted to ship by ${fmtDate(s.shipBy)}` : " · waiting for you to accept"),
      h("ul", { class: "items" }, s.items.map((i) => h("li", {}, `${i.quantity} × ${i.name} (${i.sku})`))),
      h("p", { class: "documents" },
        h("a", { href: s.documents.label, target: "_blank", rel: "noopener", class: "label-link" }, "Shipping label (PDF)"), " · ",
        h("a", { href: s.documents.packingSlip, target: "_blank", rel: "noopener" }, "Packing slip (PDF)"), " · ",
        h("a", { href: s.documents.purchaseOrder, target: "_blank", rel: "noopener", class: "po-link" }, "Purchase order (PDF)")),
      h("address", { class: "ship-to" }, [a.name, a.line1, a.line2, `${a.postalCode} ${a.city}${a.region ? `, ${a.region}` : ""}`, a.country, a.phone]
        .filter(Boolean).flatMap((l, n) => (n ? [h("br"), l] : [l]))),
      h("div", { class: "inline" }, shipBy, accept),
      h("div", { class: "inline" }, carrier.wrap, tracking.wrap, ship),
      h("div", { class: "inline" }, why, reject));
  }

  const orders = h("div", { id: "supplier-pos" });
  async function loadOrders() {
    let pos;
    try {
      pos = (await gql(`{ purchaseOrders { id number status location expectedOn document total { formatted }
        lines { sku quantity received unitCost { formatted } } } }`, {}, token)).purchaseOrders;
    } catch (err) {
      return mount(orders, h("p", { class: "error" }, `Could not load your purchase orders: ${err.message}`));
    }
    mount(orders, pos.length
      ? h("table", {}, h("thead", {}, h("tr", {}, ["Purchase order", "Status", "Deliver to", "By", "Lines", "Total"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, pos.map((po) => h("tr", { dataset: { number: po.number } },
            h("td", {}, h("a", { href: po.document, target: "_blank", rel: "noopener", class: "po-pdf" }, po.number)),
            h("td", {}, po.status.toLowerCase().replace("_", " ")), h("td", {}, po.location), h("td", {}, fmtDate(po.expectedOn)),
            h("td", {}, po.lines.map((l) => h("div", {}, `${l.quantity} × ${l.sku} at ${l.unitCost.formatted} (${l.received} received)`))),
            h("td", { class: "num" }, po.total.formatted)))))
      : h("p", {}, "No open purchase orders."));
  }
  mount(root, h("h2", {}, "Parcels to send"), msg, list, h("h2", {}, "Purchase orders"), orders);
  await loadOrders();
  await load();
}
