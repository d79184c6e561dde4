// Staff console: a token, the order queue with a filter, an order's detail with only the
// actions ordo-wasm's allowedActions(timeline, "staff") permits.
import { allowedActions } from "../../wasm/pkg/web/ordo_wasm_orders.js";
import { gql, openReceipt, session, STAFF_KEY } from "./api.js";
import { h, mount, field, fmtDate, fmtTime } from "./dom.js";

export const SUMMARIES = ["AWAITING_PAYMENT", "PAYMENT_FAILED", "PROCESSING", "BACKORDERED", "PARTIALLY_SHIPPED", "SHIPPED",
  "DELIVERY_EXCEPTION", "DELIVERED", "RETURN_IN_PROGRESS", "REFUNDED", "COMPLETED", "CANCELLED"];

/** Takes `?token=` from the address (`/?token=…#/staff` or `#/staff?token=…`) once, then removes
 * it; else sessionStorage. */
export function staffToken() {
  const params = new URLSearchParams(location.search);
  const [route, query = ""] = location.hash.split("?");
  const hashParams = new URLSearchParams(query);
  const fromUrl = params.get("token") ?? hashParams.get("token");
  if (fromUrl) {
    session.set(STAFF_KEY, fromUrl);
    params.delete("token");
    hashParams.delete("token");
    const rest = params.toString();
    const hashRest = hashParams.toString();
    history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}${route}${hashRest ? `?${hashRest}` : ""}`);
  }
  return session.get(STAFF_KEY);
}

export function tokenForm(root, onDone) {
  const tok = field("Staff token", { id: "staff-token", autocomplete: "off", placeholder: "eyJ…" }, "textarea");
  const form = h("form", { class: "token-form" },
    h("h2", {}, "Staff sign-in"),
    h("p", {}, "Paste a staff token (", h("code", {}, "ordo token --role staff"), "). It is kept in this tab only."),
    tok.wrap, h("button", { type: "submit", class: "primary" }, "Use token"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const v = tok.input.value.trim();
    if (!v) return;
    session.set(STAFF_KEY, v);
    onDone();
  });
  mount(root, form);
}

export async function renderStaff(root, orderId) {
  const token = staffToken();
  if (!token) return tokenForm(root, () => renderStaff(root, orderId));
  const signOut = h("button", { type: "button", class: "link", onclick: () => { session.del(STAFF_KEY); renderStaff(root, orderId); } }, "Forget token");
  if (orderId) return renderDetail(root, orderId, token, signOut);

  const filter = field("Status", { id: "queue-filter" }, "select");
  filter.input.append(h("option", { value: "" }, "All orders"), ...SUMMARIES.map((s) => h("option", { value: s }, s.replaceAll("_", " ").toLowerCase())));
  filter.input.value = session.get("ordo.staff.filter") ?? "";
  const table = h("div", { class: "queue", id: "queue" });
  // An order number opens that order; an e-mail address lists the orders placed with it, other
  // words the orders shipped to a name containing them.
  const searchFor = (q) => (!q || /^(ord_|#?\d+$)/i.test(q) ? {} : q.includes("@") ? { email: q } : { name: q });
  const find = field("Find (order number, e-mail or name)", { id: "queue-find", type: "search", placeholder: "#1042, ada@example.com or Lovelace" });
  find.input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const q = find.input.value.trim();
    if (/^ord_/i.test(q)) location.hash = `#/staff/${encodeURIComponent(q.toLowerCase())}`;
    else if (/^#?\d+$/.test(q)) location.hash = `#/staff/${encodeURIComponent(`#${q.replace("#", "")}`)}`;
    else load();
  });
  async function load() {
    session.set("ordo.staff.filter", filter.input.value);
    mount(table, h("p", {}, "Loading…"));
    try {
      const data = await gql(
        `query($f: OrderFilterInput!) { orders(first: 50, filter: $f) { nodes { id reference email channel placedAt grandTotal { formatted } statusView { summary headline } } } }`,
        { f: { summary: filter.input.value || null, ...searchFor(find.input.value.trim()) } }, token);
      const rows = data.orders.nodes;
      mount(table, rows.length
        ? h("table", {}, h("thead", {}, h("tr", {}, ["Order", "Placed", "Customer", "Status", "Total"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, rows.map((o) => h("tr", { dataset: { id: o.id } },
              h("td", {}, h("a", { href: `#/staff/${o.id}` }, o.reference)), h("td", {}, fmtTime(o.placedAt)), h("td", {}, o.email),
              h("td", {}, h("span", { class: `badge s-${o.statusView.summary.toLowerCase()}` }, o.statusView.summary.replaceAll("_", " ").toLowerCase())),
              h("td", { class: "num" }, o.grandTotal.formatted)))))
        : h("p", {}, "No orders."));
    } catch (err) {
      mount(table, h("p", { class: "error" }, `Could not load orders: ${err.message}`));
    }
  }
  filter.input.addEventListener("change", load);
  mount(root, h("div", { class: "staff-head" }, h("h2", {}, "Order queue"), signOut),
    h("div", { class: "filters" }, filter.wrap, find.wrap, h("button", { type: "button", onclick: load }, "Refresh")), table);
  await load();
}

const DETAIL = `query($id: String!) { order(id: $id) {
  id reference email state channel placedAt timelineWire
  statusView { headline detail summary }
  grandTotal { formatted } payment { status captured { formatted } authorizationExpiresAt authorizationExpiring captureFailure }
  shippingAddress { name line1 line2 city region postalCode country } shippingOption { code name }
  shippingLines: lines { index sku name quantity remaining availability { kind quantity promisedOn } }
  shipments { id state source sourceName units carrier trackingNumber shipBy items { sku name quantity } }
  returns { id state rejectionReason requestedAt refunded { formatted } lines { line quantity reason } }
  channels channelSync { channel state behind attempts lastError acknowledgedAt }
}
carriers { code name formats }
channels { code name active }
suppliers { code name active } }`;

/** Opens a parcel's document in a new tab, with a link fetched now (links work five minutes). */
async function openDocument(orderId, shipmentId, key, token) {
  const tab = window.open("", "_blank");
  try {
    const d = await gql(`query($id: String!) { order(id: $id) { shipments { id documents { label packingSlip commercialInvoice purchaseOrder } } } }`, { id: orderId }, token);
    const link = d.order.shipments.find((s) => s.id === shipmentId)?.documents[key];
    if (tab && link) tab.location = link;
  } catch (err) {
    tab?.close();
    alert(`Could not open the document: ${err.message}`);
  }
}

async function renderDetail(root, orderId, token, signOut) {
  mount(root, h("p", {}, "Loading…"));
  let order, carriers, channels, suppliers;
  try {
    ({ order, carriers, channels, suppliers } = await gql(DETAIL, { id: orderId }, token));
  } catch (err) {
    mount(root, h("p", { class: "error" }, `Could not load the order: ${err.message}`), signOut);
    return;
  }
  if (!order) return mount(root, h("p", {}, "No such order."), h("a", { href: "#/staff" }, "Back to the queue"));
  // Opened by its number (#1042): continue at its id, which every action names.
  if (order.id !== orderId) return location.replace(`#/staff/${encodeURIComponent(order.id)}`);

  const actions = allowedActions(order.timelineWire, "staff");
  const can = (kind, shipment = null) => actions.some((a) => a.kind === kind && (shipment === null || a.shipment === shipment));
  const canRma = (kind, rma) => actions.some((a) => a.kind === kind && a.rma === rma);
  const msg = h("div", { class: "action-msg", role: "status", id: "action-msg" });

  async function run(label, query, variables) {
    msg.textContent = `${label}…`;
    msg.className = "action-msg";
    try {
      await gql(query, { id: orderId, ...variables }, token);
      await renderDetail(root, orderId, token, signOut);
      root.querySelector("#action-msg").textContent = `${label}: done.`;
    } catch (err) {
      msg.className = "action-msg error";
      msg.textContent = `${label} failed: ${err.message}`;
    }
  }
  const btn = (label, enabled, onclick, extra = {}) => h("button", { type: "button", disabled: !enabled, onclick, ...extra }, label);

  // Units waiting for stock may go to a partner; units not in a parcel yet may wait for a new day.
  const canPart = (kind, line, part) => actions.some((a) => a.kind === kind && a.line === line && a.part === part);
  function partControls(line, part) {
    const id = `${line.index}-${part}`;
    const controls = [];
    const partners = suppliers.filter((x) => x.active);
    if (canPart("dropship", line.index, part) && partners.length) {
      const pick = field("Partner", { id: `dropship-to-${id}` }, "select");
      pick.input.append(...partners.map((x) => h("option", { value: x.code }, x.name)));
      controls.push(h("div", { class: "inline" }, pick.wrap,
        btn("Hand to partner", true, () => run("Hand to partner", `mutation($id: String!, $l: Int!, $p: Int!, $s: String!) { dropshipLine(orderId: $id, line: $l, part: $p, supplier: $s) { order { id } } }`,
          { l: line.index, p: part, s: pick.input.value }), { class: "act-dropship-line" })));
    }
    if (canPart("backorder", line.index, part)) {
      const day = field("Promise for", { id: `backorder-on-${id}`, type: "date", min: new Date().toISOString().slice(0, 10) });
      controls.push(h("div", { class: "inline" }, day.wrap,
        btn("Backorder", true, () => {
          if (!day.input.value) { msg.className = "action-msg error"; msg.textContent = "Choose the day first."; day.input.focus(); return; }
          run("Backorder", `mutation($id: String!, $l: Int!, $p: Int!, $d: NaiveDate!) { backorderLine(orderId: $id, line: $l, part: $p, promised: $d) { order { id } } }`,
            { l: line.index, p: part, d: day.input.value });
        }, { class: "act-backorder-line" })));
    }
    return controls.length ? h("div", { class: "part-actions", dataset: { part } }, controls) : null;
  }

  const cancelReason = field("Cancel reason", { id: "cancel-reason", value: "Customer asked to cancel" });
  const orderActions = h("div", { class: "actions" },
    btn("Create shipments", can("createShipments"), () => run("Create shipments", `mutation($id: String!) { createShipments(orderId: $id) { order { id } } }`), { id: "act-create-shipments" }),
    btn("Capture payment", can("capturePayment"), () => run("Capture payment", `mutation($id: String!) { capturePayment(orderId: $id) { order { id } } }`), { id: "act-capture" }),
    h("div", { class: "inline" }, cancelReason.wrap,
      btn("Cancel order", can("cancel"), () => run("Cancel order", `mutation($id: String!, $r: String!) { cancelOrder(orderId: $id, reason: $r) { order { id } } }`, { r: cancelReason.input.value || "Cancelled by staff" }), { id: "act-cancel", class: "danger" })),
  );

  const shipmentRows = order.shipments.map((s) => {
    // The carrier from the shop's list; the number's hint follows the carrier's formats.
    const carrier = field("Carrier", { id: `carrier-${s.id}` }, "select");
    carrier.input.append(...carriers.map((c) => h("option", { value: c.code }, c.name)));
    const tracking = field("Tracking number", { id: `tracking-${s.id}`, autocomplete: "off" });
    const hint = () => { tracking.input.placeholder = carriers.find((c) => c.code === carrier.input.value)?.formats ?? ""; };
    carrier.input.addEventListener("change", hint);
    hint();
    const dims = field("Package (L×W×H cm, grams)", { id: `pkg-${s.id}`, value: "30x20x10, 800" });
    const pkg = () => {
      const [l, w, hh, g] = dims.input.value.split(/[^0-9]+/).filter(Boolean).map(Number);
      return { lengthCm: l || 30, widthCm: w || 20, heightCm: hh || 10, weightGrams: g || 800, material: "box" };
    };
    return h("li", { class: "shipment", dataset: { id: s.id, state: s.state } },
      h("p", {}, h("strong", {}, s.id), ` — ${s.units} unit${s.units === 1 ? "" : "s"} from ${s.source}: `, h("span", { class: "ship-state" }, s.state.replaceAll("_", " ")),
        s.trackingNumber ? ` · ${s.carrier} ${s.trackingNumber}` : ""),
      h("p", { class: "parcel-items" }, "In the box: ", s.items.map((i) => `${i.quantity} × ${i.name}`).join(", ")),
      h("div", { class: "documents" }, "Documents: ",
        ...[["label", "Label"], ["packingSlip", "Packing slip"], ["commercialInvoice", "Commercial invoice"],
          ...(s.source.startsWith("supplier:") ? [["purchaseOrder", "Purchase order"]] : [])].map(([key, label]) =>
          h("button", { type: "button", class: `link doc-${key}`, onclick: () => openDocument(order.id, s.id, key, token) }, label))),
      // A partner's parcel is picked, packed and shipped by the partner: its state, not our buttons.
      s.source.startsWith("supplier:")
        ? h("p", { class: "partner-parcel" }, `${s.sourceName} picks, packs and ships this parcel; `,
            s.state !== "pending" ? `it is ${s.state.replaceAll("_", " ")}.`
              : s.shipBy ? `they accepted to ship it by ${fmtDate(s.shipBy)}.` : "waiting for them to accept it.")
        : null,
      s.source.startsWith("supplier:") ? null : h("div", { class: "actions" },
        btn("Start picking", can("startPicking", s.id), () => run("Start picking", `mutation($id: String!, $s: String!) { startPicking(orderId: $id, shipmentId: $s) { order { id } } }`, { s: s.id }), { class: "act-pick" }),
        h("div", { class: "inline" }, dims.wrap,
          btn("Pack", can("pack", s.id), () => run("Pack", `mutation($id: String!, $s: String!, $p: PackageInput!) { packShipment(orderId: $id, shipmentId: $s, package: $p) { order { id } } }`, { s: s.id, p: pkg() }), { class: "act-pack" })),
        h("div", { class: "inline" }, carrier.wrap, tracking.wrap,
          btn("Ship", can("ship", s.id), () => {
            if (!tracking.input.value.trim()) { msg.className = "action-msg error"; msg.textContent = "Enter the tracking number first."; tracking.input.focus(); return; }
            run("Ship", `mutation($id: String!, $s: String!, $c: String!, $t: String!) { shipShipment(orderId: $id, shipmentId: $s, carrier: $c, trackingNumber: $t) { order { id } } }`,
              { s: s.id, c: carrier.input.value, t: tracking.input.value.trim() });
          }, { class: "act-ship" })),
        btn("Mark delivered", can("markDelivered", s.id), () => run("Mark delivered", `mutation($id: String!, $s: String!) { markDelivered(orderId: $id, shipmentId: $s) { order { id } } }`, { s: s.id }), { class: "act-deliver" }),
        // A parcel the carrier brought back: its units go back on the shelf where it left from.
        btn(`Received back: restock at ${s.source}`, can("receiveReturnedParcel", s.id), () => run("Receive back", `mutation($id: String!, $s: String!, $to: String) { receiveReturnedParcel(orderId: $id, shipmentId: $s, restockTo: $to) { order { id } } }`, { s: s.id, to: s.source }), { class: "act-receive-back" }),
      ));
  });

  const returns = await returnsSection(order, token, canRma, can, run);
  const channelSection = channelsSection(order, channels, run, btn);

  mount(root,
    h("div", { class: "staff-head" }, h("a", { href: "#/staff" }, "← Order queue"), signOut),
    h("h2", {}, "Order ", order.reference, " ", h("code", { class: "muted" }, order.id)),
    h("p", {}, h("button", { type: "button", class: "link", id: "open-receipt", onclick: () => openReceipt(order.id, token) }, "Customer's receipt (PDF)")),
    h("p", { id: "staff-status", dataset: { summary: order.statusView.summary } }, h("strong", {}, order.statusView.headline), " — ", order.statusView.detail),
    h("p", {}, `${order.email} · ${order.channel} · ${order.grandTotal.formatted} · payment ${order.payment.status.replaceAll("_", " ")} (${order.payment.captured.formatted} captured) · state ${order.state}`),
    order.payment.captureFailure
      ? h("p", { class: "msg warning", id: "capture-failed", role: "alert" },
          `A parcel shipped but its payment could not be captured (${order.payment.captureFailure}): capture it, or ask the customer to pay again.`)
      : null,
    order.payment.authorizationExpiring
      ? h("p", { class: "msg warning", id: "authorization-expiring", role: "alert" },
          `The payment authorization lapses on ${fmtTime(order.payment.authorizationExpiresAt)} with money still to capture: ship or capture what is due before then, or ask the customer to pay again.`)
      : null,
    h("p", { id: "ship-to" }, "Ship to: ", [order.shippingAddress.name, order.shippingAddress.line1, order.shippingAddress.line2,
      `${order.shippingAddress.postalCode} ${order.shippingAddress.city}`, order.shippingAddress.region, order.shippingAddress.country].filter(Boolean).join(", "),
      order.shippingOption ? ` · by ${order.shippingOption.name ?? order.shippingOption.code}` : ""),
    h("ul", { class: "staff-lines" }, order.shippingLines.map((l) => h("li", { dataset: { line: l.index } }, `${l.remaining} × ${l.name} (${l.sku}) — `,
      h("span", { class: "availability" }, l.availability.map((a) => a.kind === "BACKORDERED"
        ? `${a.quantity} backordered${a.promisedOn ? `, expected ${fmtDate(a.promisedOn)}` : ""}`
        : a.kind === "DROPSHIPPED" ? `${a.quantity} dropshipped by our partner` : `${a.quantity} in stock`).join("; ")),
      l.availability.map((_, part) => partControls(l, part))))),
    h("h3", {}, "Actions"),
    h("p", { class: "hint" }, "Buttons are enabled for what can be done with this order now."),
    orderActions,
    msg,
    h("h3", {}, "Shipments"),
    order.shipments.length ? h("ul", { class: "staff-shipments" }, shipmentRows) : h("p", {}, "No shipments yet."),
    returns,
    channelSection,
    h("p", {}, h("a", { href: `#/orders/${order.id}` }, "Open the customer's tracking view")),
  );
}

/** The sales channels that carry the order: whether each heard every event (a channel behind is
 * flagged with why), and listing the order on another active channel. */
function channelsSection(order, channels, run, btn) {
  const name = (code) => channels.find((c) => c.code === code)?.name ?? code;
  const sync = (code) => order.channelSync.find((s) => s.channel === code);
  const rows = order.channels.map((code) => {
    const s = sync(code);
    const state = !s ? "takes no webhooks"
      : s.state === "SYNCED" ? `up to date${s.acknowledgedAt ? ` (last told ${fmtTime(s.acknowledgedAt)})` : ""}`
      : s.state === "PENDING" ? "behind: being told now"
      : s.state === "RETRYING" ? `behind: trying again after ${s.attempts} failed attempt${s.attempts === 1 ? "" : "s"}${s.lastError ? ` (${s.lastError})` : ""}`
      : `behind: gave up${s.lastError ? ` (${s.lastError})` : ""}; send it again from the webhooks list`;
    return h("li", { dataset: { channel: code, state: s?.state ?? "NONE" }, class: s?.behind ? "behind" : "" },
      h("strong", {}, name(code)), code === order.channel ? " (where it was placed)" : "", ": ", state);
  });
  const choices = channels.filter((c) => c.active && !order.channels.includes(c.code));
  const pick = field("List on", { id: "list-channel" }, "select");
  pick.input.append(...choices.map((c) => h("option", { value: c.code }, c.name)));
  const behind = order.channelSync.filter((s) => s.behind).length;
  return h("section", { id: "order-channels" },
    h("h3", {}, "Channels"),
    behind ? h("p", { class: "msg warning", id: "channels-behind", role: "alert" }, `${behind} channel${behind === 1 ? " has" : "s have"} not heard everything yet.`) : null,
    h("ul", { class: "staff-channels" }, rows),
    choices.length ? h("div", { class: "inline" }, pick.wrap,
      btn("List on channel", order.state !== "CANCELLED", () => run("List on channel",
        `mutation($id: ID!, $c: String!) { listOrderOnChannel(orderId: $id, channel: $c) { id } }`, { c: pick.input.value }), { id: "act-list-channel" })) : null);
}

/** Returns (RMAs) of an order: request on the customer's behalf, approve, reject, receive
 * (each line restocked to a location or written off), refund, and a goodwill refund — each
 * button only when allowedActions offers it for that RMA. */
async function returnsSection(order, token, canRma, can, run) {
  const lineOf = (i) => order.shippingLines.find((l) => l.index === i);
  // The locations a line can be restocked to: wherever its SKU is stocked.
  const skus = [...new Set(order.returns.flatMap((r) => r.lines.map((l) => lineOf(l.line)?.sku)).filter(Boolean))];
  const locations = new Map();
  await Promise.all(skus.map(async (sku) => {
    try {
      locations.set(sku, (await gql(`query($s: String!) { stock(sku: $s) { location } }`, { s: sku }, token)).stock.map((x) => x.location));
    } catch { locations.set(sku, []); }
  }));

  const rows = order.returns.map((r) => {
    const reject = field("Rejection reason", { id: `reject-${r.id}`, value: "Outside the return policy" });
    const refundNow = h("input", { type: "checkbox", id: `refund-now-${r.id}` });
    const restock = r.lines.map((l) => {
      const sku = lineOf(l.line)?.sku;
      const sel = field(`Line ${l.line + 1} (${l.quantity} × ${sku ?? "?"}): restock to`, { id: `restock-${r.id}-${l.line}`, class: "restock", dataset: { line: l.line } }, "select");
      sel.input.append(...(locations.get(sku) ?? []).map((loc) => h("option", { value: loc }, loc)), h("option", { value: "" }, "Write off (damaged)"));
      return sel;
    });
    const vars = { rma: r.id };
    return h("li", { class: "return", dataset: { rma: r.id, state: r.state } },
      h("p", {}, h("strong", {}, r.id), ` — ${r.state}`, r.refunded ? ` · refunded ${r.refunded.formatted}` : "", r.rejectionReason ? ` · “${r.rejectionReason}”` : "",
        ` · requested ${fmtTime(r.requestedAt)}`),
      h("ul", {}, r.lines.map((l) => h("li", {}, `${l.quantity} × ${lineOf(l.line)?.name ?? `line ${l.line}`}: ${l.reason}`))),
      h("div", { class: "actions" },
        canRma("approveReturn", r.id) ? h("button", { type: "button", class: "act-approve", onclick: () => run("Approve return", `mutation($id: String!, $rma: String!) { approveReturn(orderId: $id, rma: $rma) { order { id } } }`, vars) }, "Approve") : null,
        canRma("rejectReturn", r.id) ? h("div", { class: "inline" }, reject.wrap, h("button", { type: "button", class: "act-reject danger", onclick: () => run("Reject return", `mutation($id: String!, $rma: String!, $r: String!) { rejectReturn(orderId: $id, rma: $rma, reason: $r) { order { id } } }`, { ...vars, r: reject.input.value || "Rejected" }) }, "Reject")) : null,
        canRma("receiveReturn", r.id) ? h("div", { class: "inline" }, restock.map((f) => f.wrap),
          h("label", { class: "check" }, refundNow, " Refund at once"),
          h("button", { type: "button", class: "act-receive", onclick: () => run("Receive return", `mutation($id: String!, $rma: String!, $lines: [ReceivedLineInput!]!, $refund: Boolean!, $key: String) { receiveReturn(orderId: $id, rma: $rma, lines: $lines, refund: $refund, idempotencyKey: $key) { order { id } } }`,
            { ...vars, refund: refundNow.checked, key: `web-${crypto.randomUUID()}`, lines: restock.map((f) => ({ line: Number(f.input.dataset.line), restockTo: f.input.value || null })) }) }, "Receive")) : null,
        canRma("refundReturn", r.id) ? h("button", { type: "button", class: "act-refund-return", onclick: () => run("Refund return", `mutation($id: String!, $rma: String!, $key: String) { refundReturn(orderId: $id, rma: $rma, idempotencyKey: $key) { order { id } } }`, { ...vars, key: `web-${crypto.randomUUID()}` }) }, "Refund") : null,
      ));
  });

  // Request a return on the customer's behalf (e.g. a phone call).
  let request = null;
  if (can("requestReturn")) {
    const line = field("Line", { id: "ret-line" }, "select");
    line.input.append(...order.shippingLines.map((l) => h("option", { value: l.index }, `${l.name} (${l.quantity})`)));
    const qty = field("Quantity", { id: "ret-qty", type: "number", min: "1", value: "1" });
    const reason = field("Reason", { id: "ret-reason", value: "Does not fit" });
    request = h("div", { class: "inline" }, line.wrap, qty.wrap, reason.wrap,
      h("button", { type: "button", id: "act-request-return", onclick: () => run("Request return", `mutation($id: String!, $lines: [ReturnLineInput!]!) { requestReturn(orderId: $id, lines: $lines) { order { id } } }`,
        { lines: [{ line: Number(line.input.value), quantity: Number(qty.input.value) || 1, reason: reason.input.value || "Return" }] }) }, "Request return"));
  }
  let goodwill = null;
  if (can("refundPayment")) {
    const amount = field("Refund (cents)", { id: "refund-amount", type: "number", min: "1", value: "500" });
    const reason = field("Refund reason", { id: "refund-reason", value: "Goodwill" });
    goodwill = h("div", { class: "inline" }, amount.wrap, reason.wrap,
      h("button", { type: "button", id: "act-refund-payment", onclick: () => run("Refund payment", `mutation($id: String!, $a: Int!, $r: String!, $key: String!) { refundPayment(orderId: $id, amount: $a, reason: $r, idempotencyKey: $key) { order { id } } }`,
        { a: Number(amount.input.value) || 0, r: reason.input.value || "Goodwill", key: `web-${crypto.randomUUID()}` }) }, "Refund payment"));
  }
  if (!rows.length && !request && !goodwill) return null;
  return h("section", { class: "returns", "aria-labelledby": "ret-h" },
    h("h3", { id: "ret-h" }, "Returns and refunds"),
    rows.length ? h("ul", { class: "staff-returns" }, rows) : h("p", {}, "No returns."),
    request, goodwill);
}
