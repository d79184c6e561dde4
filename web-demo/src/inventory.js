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

export async function renderPurchasing(root, skuFilter) {
  const token = staffToken();
  if (!token) return tokenForm(root, () => renderPurchasing(root, skuFilter));
  const products = await skuList(token);
  const closed = h("input", { type: "checkbox", id: "po-closed" });
  const list = h("div", { id: "po-list", class: "queue" });
  const msg = h("p", { class: "action-msg", role: "status", id: "po-msg" });

  async function load() {
    let pos;
    try {
      pos = (await gql(`query($s: String, $c: Boolean!) { purchaseOrders(sku: $s, includeClosed: $c) { id sku location quantity received expectedOn open } }`,
        { s: skuFilter || null, c: closed.checked }, token)).purchaseOrders;
    } catch (err) {
      return mount(list, h("p", { class: "error" }, `Could not load purchase orders: ${err.message}`));
    }
    mount(list, pos.length
      ? h("table", {}, h("thead", {}, h("tr", {}, ["PO", "SKU", "Location", "Received", "Expected", "Receive"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, pos.map((po) => {
            const qty = h("input", { type: "number", min: "1", value: String(po.quantity - po.received), "aria-label": `Units to receive for ${po.id}`, class: "po-qty" });
            const receive = h("button", { type: "button", class: "po-receive", disabled: !po.open, onclick: async () => {
              try {
                const r = (await gql(`mutation($id: String!, $q: Int!) { receivePurchaseOrder(id: $id, quantity: $q) { purchaseOrder { id received quantity } allocated { orderId quantity } } }`,
                  { id: po.id, q: Number.parseInt(qty.value, 10) || 0 }, token)).receivePurchaseOrder;
                await load();
                msg.className = "action-msg";
                msg.textContent = `Received: ${r.purchaseOrder.received}/${r.purchaseOrder.quantity} of ${po.id}.` +
                  (r.allocated.length ? ` Allocated to backorders: ${r.allocated.map((a) => `${a.quantity} → ${a.orderId}`).join(", ")}.` : " No backorder was waiting.");
              } catch (err) {
                msg.className = "action-msg error";
                msg.textContent = `Receive failed: ${err.message}`;
              }
            } }, "Receive");
            // Moving the date or closing the order promises waiting backorders again; the
            // customers whose date moved are told (the gateway answers which orders).
            const date = h("input", { type: "date", value: po.expectedOn, "aria-label": `Expected date of ${po.id}`, class: "po-date" });
            const change = (what, query, variables) => async () => {
              try {
                const r = Object.values(await gql(query, variables, token))[0];
                await load();
                msg.className = "action-msg";
                msg.textContent = `${what} ${po.id}. ` + (r.repromised.length
                  ? `New date told to ${r.repromised.length} waiting order${r.repromised.length === 1 ? "" : "s"}: ${r.repromised.map((x) => `${x.orderId} (${fmtDate(x.promisedOn)})`).join(", ")}.`
                  : "No waiting order's date moved.");
              } catch (err) {
                msg.className = "action-msg error";
                msg.textContent = `${what} failed: ${err.message}`;
              }
            };
            const move = h("button", { type: "button", class: "po-move", onclick: () => change("Moved",
              `mutation($id: String!, $d: NaiveDate) { updatePurchaseOrder(id: $id, expectedOn: $d) { repromised { orderId promisedOn } } }`,
              { id: po.id, d: date.value })() }, "Move date");
            const close = h("button", { type: "button", class: "po-close", onclick: () => change("Closed",
              `mutation($id: String!) { closePurchaseOrder(id: $id) { repromised { orderId promisedOn } } }`, { id: po.id })() }, "Close");
            return h("tr", { dataset: { id: po.id, sku: po.sku, open: po.open } },
              h("td", {}, h("code", {}, po.id)), h("td", {}, h("a", { href: `#/stock/${encodeURIComponent(po.sku)}` }, po.sku)), h("td", {}, po.location),
              h("td", { class: "num received" }, `${po.received} / ${po.quantity}`),
              h("td", {}, po.open ? h("div", { class: "inline" }, date, move) : fmtDate(po.expectedOn)),
              h("td", {}, po.open ? h("div", { class: "inline" }, qty, receive, close) : "closed"));
          })))
      : h("p", {}, "No purchase orders."));
  }

  const sku = field("SKU", { id: "po-sku", list: "po-skus", autocomplete: "off", value: skuFilter ?? "" });
  const loc = field("Location", { id: "po-location", value: "east" });
  const qty = field("Quantity", { id: "po-quantity", type: "number", min: "1", value: "20" });
  const due = field("Expected on", { id: "po-expected", type: "date", value: new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10) });
  const create = h("form", { class: "inline po-create", "aria-label": "New purchase order" }, sku.wrap, datalist("po-skus", products), loc.wrap, qty.wrap, due.wrap,
    h("button", { type: "submit", class: "primary", id: "po-submit" }, "Create purchase order"));
  create.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const po = (await gql(`mutation($s: String!, $l: String!, $q: Int!, $d: NaiveDate!) { createPurchaseOrder(sku: $s, location: $l, quantity: $q, expectedOn: $d) { purchaseOrder { id } } }`,
        { s: sku.input.value.trim().toUpperCase(), l: loc.input.value.trim(), q: Number.parseInt(qty.input.value, 10) || 0, d: due.input.value }, token)).createPurchaseOrder.purchaseOrder;
      await load();
      msg.className = "action-msg";
      msg.textContent = `Created purchase order ${po.id}.`;
    } catch (err) {
      msg.className = "action-msg error";
      msg.textContent = `Create failed: ${err.message}`;
    }
  });
  closed.addEventListener("change", load);
  mount(root, h("h2", {}, "Purchase orders", skuFilter ? ` for ${skuFilter}` : ""),
    skuFilter ? h("p", {}, h("a", { href: "#/purchasing" }, "All SKUs")) : null,
    h("h3", {}, "New purchase order"), create, msg,
    h("label", { class: "check" }, closed, " Show received (closed) ones too"), list);
  await load();
}
