// Staff: stock per location with adjustments (#/stock), purchase orders (#/purchasing).
import { gql } from "./api.js";
import { h, mount, field, fmtDate } from "./dom.js";
import { staffToken, tokenForm } from "./staff.js";

const STOCK = `query($s: String!) { product(sku: $s) { sku name reorderPoint available } stock(sku: $s) { location onHand reserved available } }`;

async function skuList(token) {
  const skus = [];
  let after = null;
  do {
    const d = await gql(`query($after: String) { products(first: 50, after: $after) { nodes { sku name outOfStockPolicy } pageInfo { hasNextPage endCursor } } }`, { after }, token);
    skus.push(...d.products.nodes);
    after = d.products.pageInfo.hasNextPage ? d.products.pageInfo.endCursor : null;
  } while (after);
  return skus;
}

const datalist = (id, products) => h("datalist", { id }, products.map((p) => h("option", { value: p.sku }, p.name)));

export async function renderStock(root, initialSku) {
  const token = staffToken();
  if (!token) return tokenForm(root, () => renderStock(root, initialSku));
  const products = await skuList(token);
  const sku = field("SKU", { id: "stock-sku", list: "skus", autocomplete: "off", placeholder: "TEE-BLK-M", value: initialSku ?? "" });
  const out = h("div", { id: "stock-result", "aria-live": "polite" });
  const form = h("form", { class: "filters", role: "search" }, sku.wrap, datalist("skus", products), h("button", { type: "submit", class: "primary" }, "Show stock"));

  async function show(message) {
    const s = sku.input.value.trim().toUpperCase();
    if (!s) return;
    mount(out, h("p", {}, "Loading…"));
    let d;
    try {
      d = await gql(STOCK, { s }, token);
    } catch (err) {
      return mount(out, h("p", { class: "error" }, `Could not load stock: ${err.message}`));
    }
    if (!d.product) return mount(out, h("p", { class: "error" }, `No product ${s}.`));
    const msg = h("p", { class: "action-msg", role: "status", id: "stock-msg" }, message ?? "");
    const location = field("Location", { id: "adj-location", list: "locations", value: d.stock[0]?.location ?? "east" });
    const delta = field("Change (units, negative removes)", { id: "adj-delta", type: "number", value: "10" });
    const reason = field("Reason", { id: "adj-reason", value: "Cycle count" });
    const adjust = h("form", { class: "inline adjust", "aria-label": "Adjust stock" },
      location.wrap, h("datalist", { id: "locations" }, d.stock.map((x) => h("option", { value: x.location }))), delta.wrap, reason.wrap,
      h("button", { type: "submit", id: "adj-submit" }, "Adjust"));
    adjust.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const r = await gql(`mutation($s: String!, $l: String!, $d: Int!, $r: String!) { adjustStock(sku: $s, location: $l, delta: $d, reason: $r) { location onHand } }`,
          { s, l: location.input.value.trim(), d: Number.parseInt(delta.input.value, 10) || 0, r: reason.input.value.trim() || "Adjustment" }, token);
        await show(`Adjusted: ${r.adjustStock.location} now has ${r.adjustStock.onHand} on hand.`);
      } catch (err) {
        msg.className = "action-msg error";
        msg.textContent = `Adjust failed: ${err.message}`;
      }
    });
    mount(out,
      h("h3", {}, `${d.product.name} (${d.product.sku})`),
      h("p", {}, `Available to promise: ${d.product.available} · reorder point ${d.product.reorderPoint}`),
      d.stock.length
        ? h("table", { id: "stock-table" }, h("thead", {}, h("tr", {}, ["Location", "On hand", "Reserved", "Available"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, d.stock.map((x) => h("tr", { dataset: { location: x.location } }, h("td", {}, x.location),
              h("td", { class: "num on-hand" }, x.onHand), h("td", { class: "num" }, x.reserved), h("td", { class: "num" }, x.available)))))
        : h("p", {}, "Not stocked at any location (dropshipped)."),
      adjust, msg,
      h("p", {}, h("a", { href: `#/purchasing?sku=${encodeURIComponent(s)}` }, "Purchase orders for this SKU")));
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); show(); });
  mount(root, h("h2", {}, "Stock"), form, out);
  if (initialSku) await show();
}

const money = (m) => m.formatted ?? `${m.amount} ${m.currency}`;
const STATUS = { DRAFT: "draft", SENT: "sent", PARTIALLY_RECEIVED: "partly received", RECEIVED: "received", CANCELLED: "cancelled" };
const PO_FIELDS = "id number supplier location status open expectedOn document total { formatted amount currency } lines { sku quantity received outstanding unitCost { formatted amount currency } }";

export async function renderPurchasing(root, skuFilter) {
  const token = staffToken();
  if (!token) return tokenForm(root, () => renderPurchasing(root, skuFilter));
  const products = await skuList(token);
  let suppliers = [];
  try {
    suppliers = (await gql(`{ suppliers { code name active } }`, {}, token)).suppliers.filter((s) => s.active);
  } catch { /* staff without supplier access still see purchase orders */ }
  const closed = h("input", { type: "checkbox", id: "po-closed" });
  const list = h("div", { id: "po-list", class: "queue" });
  const msg = h("p", { class: "action-msg", role: "status", id: "po-msg" });
  const say = (text, error = false) => { msg.className = error ? "action-msg error" : "action-msg"; msg.textContent = text; };
  const told = (r) => r.repromised.length
    ? `New date told to ${r.repromised.length} waiting order${r.repromised.length === 1 ? "" : "s"}: ${r.repromised.map((x) => `${x.orderId} (${fmtDate(x.promisedOn)})`).join(", ")}.`
    : "No waiting order's date moved.";

  async function load() {
    let pos;
    try {
      pos = (await gql(`query($s: String, $c: Boolean!) { purchaseOrders(sku: $s, includeClosed: $c) { ${PO_FIELDS} } }`,
        { s: skuFilter || null, c: closed.checked }, token)).purchaseOrders;
    } catch (err) {
      return mount(list, h("p", { class: "error" }, `Could not load purchase orders: ${err.message}`));
    }
    mount(list, pos.length
      ? h("table", {}, h("thead", {}, h("tr", {}, ["PO", "Supplier", "To", "Status", "Lines (received / ordered, unit cost)", "Expected", ""].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, pos.map((po) => {
            const change = (what, query, variables) => async () => {
              try {
                const r = Object.values(await gql(query, variables, token))[0];
                await load();
                say(`${what} ${po.number}. ${told(r)}`);
              } catch (err) {
                say(`${what} failed: ${err.message}`, true);
              }
            };
            // One input per line still to come: what arrived now (by default, all of it).
            const inputs = po.lines.map((l) => h("input", { type: "number", min: "0", max: String(l.outstanding), value: String(l.outstanding),
              "aria-label": `Units of ${l.sku} received for ${po.number}`, class: "po-qty", dataset: { sku: l.sku } }));
            const lines = h("ul", { class: "po-lines" }, po.lines.map((l, i) => h("li", { dataset: { sku: l.sku } },
              h("a", { href: `#/stock/${encodeURIComponent(l.sku)}` }, l.sku), ` ${l.received} / ${l.quantity} at ${money(l.unitCost)}`,
              po.open && l.outstanding > 0 ? [" ", inputs[i]] : null)));
            const receive = h("button", { type: "button", class: "po-receive", onclick: async () => {
              const taken = inputs.map((input) => ({ sku: input.dataset.sku, quantity: Number.parseInt(input.value, 10) || 0 })).filter((l) => l.quantity > 0);
              try {
                const r = (await gql(`mutation($id: String!, $lines: [LineUnitsInput!]!) { receivePurchaseOrder(id: $id, lines: $lines) { purchaseOrder { number status } allocated { orderId sku quantity } } }`,
                  { id: po.id, lines: taken }, token)).receivePurchaseOrder;
                await load();
                say(`Received ${taken.map((l) => `${l.quantity} × ${l.sku}`).join(", ")} of ${r.purchaseOrder.number} (${STATUS[r.purchaseOrder.status]}).` +
                  (r.allocated.length ? ` Allocated to backorders: ${r.allocated.map((a) => `${a.quantity} → ${a.orderId}`).join(", ")}.` : " No backorder was waiting."));
              } catch (err) {
                say(`Receive failed: ${err.message}`, true);
              }
            } }, "Receive");
            // Moving the date or closing the order promises waiting backorders again; the
            // customers whose date moved are told (the gateway answers which orders), and the
            // supplier of a sent order is sent the change.
            const date = h("input", { type: "date", value: po.expectedOn, "aria-label": `Expected date of ${po.number}`, class: "po-date" });
            const move = h("button", { type: "button", class: "po-move", onclick: () => change("Moved",
              `mutation($id: String!, $d: NaiveDate) { updatePurchaseOrder(id: $id, expectedOn: $d) { repromised { orderId promisedOn } } }`,
              { id: po.id, d: date.value })() }, "Move date");
            const send = h("button", { type: "button", class: "po-send primary", onclick: () => change("Sent",
              `mutation($id: String!) { sendPurchaseOrder(id: $id) { repromised { orderId promisedOn } } }`, { id: po.id })() }, "Send to supplier");
            const close = h("button", { type: "button", class: "po-close", onclick: () => change("Closed",
              `mutation($id: String!) { closePurchaseOrder(id: $id) { repromised { orderId promisedOn } } }`, { id: po.id })() }, "Close");
            const active = po.status === "DRAFT" || po.open;
            return h("tr", { dataset: { id: po.id, number: po.number, skus: po.lines.map((l) => l.sku).join(" "), status: po.status } },
              h("td", {}, h("a", { href: po.document, target: "_blank", rel: "noopener", class: "po-pdf" }, po.number)),
              h("td", {}, po.supplier ?? "—"), h("td", {}, po.location),
              h("td", { class: "po-status" }, STATUS[po.status] ?? po.status),
              h("td", {}, lines, h("div", { class: "muted" }, `Total ${money(po.total)}`)),
              h("td", {}, active ? h("div", { class: "inline" }, date, move) : fmtDate(po.expectedOn)),
              h("td", {}, active ? h("div", { class: "inline" }, po.status === "DRAFT" ? send : receive, close) : "closed"));
          })))
      : h("p", {}, "No purchase orders."));
  }

  // A new purchase order: a supplier, where to, when, and one or more lines (unit cost: what the
  // supplier charges unless given).
  const supplier = field("Supplier", { id: "po-supplier", list: "po-suppliers", autocomplete: "off", value: suppliers.find((s) => s.code === "harbor")?.code ?? suppliers[0]?.code ?? "" });
  const loc = field("Deliver to", { id: "po-location", value: "east" });
  const due = field("Expected on", { id: "po-expected", type: "date", value: new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10) });
  const sku = field("SKU", { id: "po-sku", list: "po-skus", autocomplete: "off", value: skuFilter ?? "" });
  const qty = field("Quantity", { id: "po-quantity", type: "number", min: "1", value: "20" });
  const cost = field("Unit cost (cents, optional)", { id: "po-cost", type: "number", min: "0" });
  const draft = h("input", { type: "checkbox", id: "po-draft" });
  const pending = [];
  const pendingList = h("ul", { id: "po-pending" });
  const current = () => {
    const line = { sku: sku.input.value.trim().toUpperCase(), quantity: Number.parseInt(qty.input.value, 10) || 0 };
    if (cost.input.value !== "") line.unitCost = Number.parseInt(cost.input.value, 10);
    return line;
  };
  const showPending = () => mount(pendingList, pending.map((l) => h("li", {}, `${l.quantity} × ${l.sku}${l.unitCost !== undefined ? ` at ${l.unitCost}¢` : ""}`)));
  const addLine = h("button", { type: "button", id: "po-add-line", onclick: () => {
    if (!sku.input.value.trim()) return;
    pending.push(current());
    sku.input.value = ""; cost.input.value = "";
    showPending();
  } }, "Add line");
  const create = h("form", { class: "inline po-create", "aria-label": "New purchase order" },
    supplier.wrap, h("datalist", { id: "po-suppliers" }, suppliers.map((s) => h("option", { value: s.code }, s.name))), loc.wrap, due.wrap,
    sku.wrap, datalist("po-skus", products), qty.wrap, cost.wrap, addLine,
    h("label", { class: "check" }, draft, " Save as a draft"),
    h("button", { type: "submit", class: "primary", id: "po-submit" }, "Create purchase order"));
  create.addEventListener("submit", async (e) => {
    e.preventDefault();
    const lines = [...pending, ...(sku.input.value.trim() ? [current()] : [])];
    try {
      const po = (await gql(`mutation($sup: String!, $l: String!, $d: NaiveDate!, $lines: [PurchaseOrderLineInput!]!, $send: Boolean!) {
          createPurchaseOrder(supplier: $sup, location: $l, expectedOn: $d, lines: $lines, send: $send) { purchaseOrder { id number status } } }`,
        { sup: supplier.input.value.trim(), l: loc.input.value.trim(), d: due.input.value, lines, send: !draft.checked }, token)).createPurchaseOrder.purchaseOrder;
      pending.length = 0;
      showPending();
      await load();
      say(`${po.status === "DRAFT" ? "Drafted" : "Created and sent"} purchase order ${po.number}.`);
    } catch (err) {
      say(`Create failed: ${err.message}`, true);
    }
  });
  closed.addEventListener("change", load);
  mount(root, h("h2", {}, "Purchase orders", skuFilter ? ` for ${skuFilter}` : ""),
    skuFilter ? h("p", {}, h("a", { href: "#/purchasing" }, "All SKUs")) : null,
    h("h3", {}, "New purchase order"), create, pendingList, msg,
    h("label", { class: "check" }, closed, " Show received and cancelled ones too"), list);
  await load();
}
