// Order tracking: statusView, shipments and a live timeline over the orderUpdated subscription.
import { gql, subscribe, session, guestTokenKey, openReceipt, STAFF_KEY, SHOPPER_KEY } from "./api.js";
import { h, mount, field, fmtDate, fmtTime } from "./dom.js";
import { TEST_TOKENS } from "./payment.js";

const ORDER_QUERY = `query($id: String!) { order(id: $id) {
  id reference email placedAt state
  statusView { headline detail tone expectedDelivery summary steps { key label state } }
  totals { subtotal { formatted } discount { amount formatted } shipping { formatted } tax { formatted } grandTotal { formatted } }
  lines { index sku name quantity remaining total { formatted } availability { quantity kind promisedOn } }
  payment { status method }
  feedback { score comment }
  allowedActions { kind line }
  shipments { id state source sourceName units carrier trackingNumber trackingUrl expectedDelivery deliveredAt late service }
  timeline { seq at type actor by }
} }`;

const UPDATES = `subscription($id: String!, $after: Int) { orderUpdated(orderId: $id, afterSeq: $after) {
  seq state event { seq at type actor by }
  statusView { headline detail tone expectedDelivery summary steps { key label state } }
} }`;

const TRACKING = `subscription($id: String!) { shipmentTracking(orderId: $id) {
  shipmentId trackingNumber carrier status occurredAt location carrierStatus
} }`;
const REPORTS = `query($t: String!) { shipment(trackingNumber: $t) { events { shipmentId trackingNumber carrier status occurredAt location carrierStatus } } }`;

const REPORT_WORDS = {
  label_created: "Label created",
  picked_up: "Picked up by the carrier",
  in_transit: "In transit",
  out_for_delivery: "Out for delivery",
  delivered: "Delivered",
  exception: "Delivery problem",
};
const reportWords = (status) => REPORT_WORDS[status] ?? status.replaceAll("_", " ");

const EVENT_WORDS = {
  placed: "Order placed",
  confirmed: "Order confirmed",
  completed: "Order completed",
  cancelled: "Order cancelled",
  payment_authorized: "Payment authorized",
  payment_failed: "Payment failed",
  payment_captured: "Payment captured",
  payment_voided: "Payment released",
  payment_refunded: "Refund issued",
  payment_reauthorized: "Payment authorization renewed",
  shipment_created: "Parcel planned",
  shipment_picking_started: "Picking started",
  shipment_packed: "Parcel packed",
  shipment_shipped: "Parcel handed to the carrier",
  shipment_in_transit: "Parcel in transit",
  shipment_out_for_delivery: "Parcel out for delivery",
  shipment_delivered: "Parcel delivered",
  shipment_exception: "Delivery problem",
  shipment_exception_resolved: "Delivery problem solved",
  shipment_late: "Parcel running late",
  shipment_returned_to_sender: "Parcel returned to us",
  shipment_cancelled: "Parcel cancelled",
  shipment_accepted: "Our partner accepted the parcel",
  line_allocated: "Items reserved",
  line_backordered: "Items backordered",
  return_requested: "Return requested",
  return_approved: "Return approved",
  return_rejected: "Return rejected",
  return_received: "Return received",
  return_refunded: "Return refunded",
  return_cancelled: "Return cancelled",
  message_sent: "E-mail sent",
  message_failed: "E-mail not delivered",
  listed_on_channel: "Listed on another channel",
  channel_acknowledged: "Channel told",
  channel_gave_up: "Channel not reached",
};
const words = (type) => EVENT_WORDS[type] ?? type.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());

let stopLive = [];
export function leaveTracking() {
  for (const stop of stopLive) stop();
  stopLive = [];
}

/** The tracking page of `orderId`; `linkToken` is the order's token from a message's link (kept in
 * this tab, then taken out of the address so it is not bookmarked or shared by accident), and
 * `choose` the choice a message's link opened the page on (`pay`, `cancel-line-N`): the page shows
 * it and waits for the customer to confirm — opening a link never changes the order. */
export async function renderTracking(root, orderId, linkToken, choose = null) {
  leaveTracking();
  if (linkToken || choose) {
    if (linkToken) session.set(guestTokenKey(orderId), linkToken);
    history.replaceState(null, "", `${location.pathname}${location.search}#/orders/${encodeURIComponent(orderId)}`);
  }
  const token = session.get(guestTokenKey(orderId)) ?? session.get(SHOPPER_KEY) ?? session.get(STAFF_KEY);
  // The survey is the customer's to answer, not staff's.
  const asCustomer = token !== session.get(STAFF_KEY);
  if (!token) {
    mount(root, h("h2", {}, "Order ", orderId), h("p", { class: "error" }, "This browser has no access token for this order. Open the link from your confirmation, or ",
      h("a", { href: "#/my-orders" }, "have a link to your orders sent to you"), "."));
    return;
  }
  mount(root, h("p", {}, "Loading your order…"));
  let order;
  try {
    order = (await gql(ORDER_QUERY, { id: orderId }, token)).order;
  } catch (err) {
    mount(root, h("p", { class: "error" }, `Could not load the order: ${err.message}`));
    return;
  }
  if (!order) {
    mount(root, h("h2", {}, "Order not found"), h("p", {}, "No order with this number, or this token may not see it."));
    return;
  }

  const status = h("section", { class: "status", "aria-live": "polite", id: "status" });
  const choices = h("section", { class: "choices", id: "choices", "aria-labelledby": "choices-h" });
  const summary = h("section", { class: "lines-summary", "aria-labelledby": "items-h" });
  /** The lines, their availability, the total and the payment (redrawn with every update). */
  function drawSummary(o) {
    mount(summary,
      h("h3", { id: "items-h" }, "Items"),
      h("ul", {}, o.lines.map((l) => h("li", {}, `${l.quantity} × ${l.name} — ${l.total.formatted}`,
        l.availability.some((a) => a.kind !== "ALLOCATED") ? h("span", { class: "hint" }, " (" + l.availability.map((a) => `${a.quantity} ${a.kind.toLowerCase()}${a.promisedOn ? ` by ${fmtDate(a.promisedOn)}` : ""}`).join(", ") + ")") : null))),
      h("p", {}, "Total ", h("strong", {}, o.totals.grandTotal.formatted), ` · payment ${o.payment.status}${o.payment.method ? ` (${o.payment.method})` : ""}`));
  }
  const shipments = h("section", { class: "shipments", "aria-labelledby": "ship-h" });
  const timeline = h("ol", { class: "timeline", id: "timeline", "aria-live": "polite" });
  const live = h("p", { class: "live", id: "live-state" }, "Connecting to live updates…");
  let lastSeq = 0;

  function drawStatus(view) {
    status.dataset.tone = view.tone.toLowerCase();
    status.dataset.summary = view.summary;
    mount(status, 
      h("h2", { id: "headline" }, view.headline),
      h("p", { id: "detail" }, view.detail),
      view.expectedDelivery ? h("p", { id: "expected" }, "Expected delivery: ", h("strong", {}, fmtDate(view.expectedDelivery))) : null,
      h("ol", { class: "steps", "aria-label": "Progress" },
        view.steps.map((s) => h("li", { class: `step ${s.state}`, dataset: { key: s.key, state: s.state }, "aria-current": s.state === "current" ? "step" : null }, s.label))),
    );
  }
  const reports = new Map(); // shipment id → carrier reports, oldest first
  let lastShipments = order.shipments;
  function addReport(r) {
    const list = reports.get(r.shipmentId) ?? [];
    if (list.some((x) => x.status === r.status && x.occurredAt === r.occurredAt)) return false;
    list.push(r);
    list.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    reports.set(r.shipmentId, list);
    return true;
  }
  const reportList = (s) => {
    const list = reports.get(s.id) ?? [];
    if (!list.length) return null;
    return h("ol", { class: "reports", "aria-label": `Carrier reports for parcel ${s.id}` },
      list.map((r) => h("li", { class: "report", dataset: { status: r.status } },
        h("time", { datetime: r.occurredAt }, fmtTime(r.occurredAt)), " ",
        h("strong", { class: "report-status" }, reportWords(r.status)),
        r.location ? ` · ${r.location}` : "",
        r.carrierStatus ? h("span", { class: "carrier-words" }, ` — ${r.carrier}: “${r.carrierStatus}”`) : null)));
  };
  function drawShipments(list = lastShipments) {
    lastShipments = list;
    mount(shipments, 
      h("h3", { id: "ship-h" }, "Shipments"),
      list.length
        ? h("ul", {}, list.map((s) =>
            h("li", { class: "shipment", dataset: { id: s.id, state: s.state } },
              h("strong", {}, `Parcel ${s.id}`), ` — ${s.units} item${s.units === 1 ? "" : "s"} from ${s.sourceName ?? s.source}, `,
              h("span", { class: "ship-state" }, s.state.replaceAll("_", " ")),
              s.carrier ? h("div", {}, `${s.carrier}${s.service ? ` (${s.service})` : ""}: `,
                s.trackingUrl ? h("a", { href: s.trackingUrl, rel: "noopener noreferrer", target: "_blank" }, s.trackingNumber) : h("span", { class: "tracking" }, s.trackingNumber ?? "")) : null,
              s.deliveredAt ? h("div", { class: "delivered-on" }, "Delivered ", fmtDate(s.deliveredAt))
                : s.expectedDelivery ? h("div", { class: s.late ? "expected late" : "expected" }, s.late ? "Running late: expected " : "Expected ", fmtDate(s.expectedDelivery)) : null,
              reportList(s))))
        : h("p", {}, "Your parcels will appear here once the warehouse plans them."),
    );
  }
  /** The carrier reports stored so far for every parcel with a tracking number. */
  async function loadReports(list) {
    await Promise.all(list.filter((s) => s.trackingNumber).map(async (s) => {
      try {
        const t = (await gql(REPORTS, { t: s.trackingNumber }, token)).shipment;
        for (const r of t?.events ?? []) addReport(r);
      } catch {}
    }));
  }
  function addEvent(e) {
    if (e.seq <= lastSeq) return;
    lastSeq = e.seq;
    timeline.append(h("li", { dataset: { seq: e.seq, type: e.type } }, h("time", { datetime: e.at }, fmtTime(e.at)), " ", words(e.type), h("span", { class: "actor" }, ` · ${e.by ?? e.actor}`)));
  }

  mount(
    root,
    h("p", { class: "crumb" }, "Order ", h("strong", { id: "order-ref" }, order.reference), " ", h("code", { id: "order-id", class: "muted" }, order.id), ` · placed ${fmtTime(order.placedAt)} · ${order.email} · `,
      h("button", { type: "button", class: "link", id: "open-receipt", onclick: () => openReceipt(order.id, token) }, "Receipt (PDF)")),
    status,
    summary,
    choices,
    shipments,
    h("section", { "aria-labelledby": "tl-h" }, h("h3", { id: "tl-h" }, "Timeline"), live, timeline),
  );
  drawSummary(order);
  // Reads of the order race each other (a live update's and an action's): only a read at least
  // as new as the newest one drawn is drawn, so a late stale answer never brings back a choice.
  let newest = 0;
  const accept = (o) => {
    const seq = o.timeline.at(-1)?.seq ?? 0;
    if (seq < newest) return false;
    newest = seq;
    return true;
  };
  accept(order);
  drawChoices(choices, order, token, choose, asCustomer, accept);
  drawStatus(order.statusView);
  await loadReports(order.shipments);
  drawShipments(order.shipments);
  order.timeline.forEach(addEvent);

  let refetch = null;
  const refreshShipments = () => {
    clearTimeout(refetch);
    refetch = setTimeout(async () => {
      try {
        const fresh = (await gql(ORDER_QUERY, { id: orderId }, token)).order;
        if (!fresh || !accept(fresh)) return;
        if (fresh.shipments.some((s) => s.trackingNumber && !reports.has(s.id))) await loadReports(fresh.shipments);
        drawShipments(fresh.shipments);
        drawSummary(fresh);
        drawChoices(choices, fresh, token, null, asCustomer, accept);
      } catch {}
    }, 100);
  };
  stopLive.push(subscribe(UPDATES, { id: orderId, after: lastSeq }, token, {
    connected: () => { live.textContent = "Live: updates appear here as they happen."; live.dataset.state = "live"; },
    next: (data) => {
      const u = data.orderUpdated;
      addEvent(u.event);
      drawStatus(u.statusView);
      refreshShipments();
    },
    error: (err) => { live.textContent = `Live updates stopped: ${err.message}. Reload to reconnect.`; live.dataset.state = "error"; },
  }));
  // Carrier reports (in transit, out for delivery, delivered, …) for this order's parcels.
  stopLive.push(subscribe(TRACKING, { id: orderId }, token, {
    connected: () => { shipments.dataset.live = "true"; },
    next: (data) => {
      if (addReport(data.shipmentTracking)) drawShipments();
      refreshShipments();
    },
    error: (err) => console.warn("carrier reports stopped:", err.message),
  }));
}

/** What the customer may still decide about the order — wait for or cancel backordered units,
 * pay after a declined payment, cancel the whole order, answer the survey once something arrived
 * — each offered only when the server's `allowedActions` for this caller includes it (the survey:
 * to the customer, while unanswered). `choose` is the choice a message's link opened the page on
 * (`feedback-7`: the survey with 7 picked): it is shown first and marked, and still needs the
 * customer's confirmation. The live updates redraw this section from the fresh order. */
function drawChoices(section, order, token, choose, asCustomer, accept) {
  const can = (kind, line = null) => order.allowedActions.some((a) => a.kind === kind && (line === null || a.line === line));
  const said = section.querySelector("#choice-msg");
  const msg = h("p", { class: "action-msg", role: "status", id: "choice-msg" }, said?.textContent ?? "");
  if (said?.classList.contains("error")) msg.classList.add("error");
  const run = async (label, query, variables, done) => {
    msg.className = "action-msg";
    msg.textContent = `${label}…`;
    section.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    try {
      await gql(query, { id: order.id, ...variables }, token);
      msg.textContent = done;
    } catch (err) {
      msg.className = "action-msg error";
      msg.textContent = `${label}: ${err.message}`;
    }
    try {
      const fresh = (await gql(ORDER_QUERY, { id: order.id }, token)).order;
      if (fresh && accept(fresh)) drawChoices(section, fresh, token, null, asCustomer, accept);
    } catch {}
  };
  /** A button that asks once more before it acts. */
  const confirmed = (label, confirmLabel, attrs, act) => {
    const button = h("button", { type: "button", ...attrs }, label);
    button.addEventListener("click", () => {
      if (button.dataset.armed) return act();
      button.dataset.armed = "true";
      button.textContent = confirmLabel;
      button.classList.add("danger");
    });
    return button;
  };
  const items = [];

  for (const line of order.lines) {
    const waiting = line.availability.filter((a) => a.kind === "BACKORDERED");
    const units = waiting.reduce((n, a) => n + a.quantity, 0);
    if (!units || !can("cancel_lines", line.index)) continue;
    const promised = waiting.map((a) => a.promisedOn).filter(Boolean).sort()[0];
    const chosen = choose === `cancel-line-${line.index}`;
    items.push(h("li", { class: `choice backorder-choice${chosen ? " chosen" : ""}`, dataset: { line: line.index } },
      h("p", {}, h("strong", {}, `${units} × ${line.name}`), ` ${units === 1 ? "is" : "are"} on backorder`,
        promised ? `, expected to ship by ${fmtDate(promised)}.` : ".",
        chosen ? " You opened this page to cancel them: confirm below, or keep waiting." : ""),
      h("div", { class: "actions" },
        h("button", { type: "button", id: `keep-waiting-${line.index}`, onclick: () => {
          msg.className = "action-msg";
          msg.textContent = `We keep ${line.name} for you and ship it as soon as it arrives.`;
        } }, "Keep waiting"),
        confirmed(`Cancel ${units === 1 ? "it" : `these ${units}`} for a refund`, `Yes, cancel ${units} × ${line.name}`,
          { id: `cancel-line-${line.index}` },
          () => run("Cancelling", `mutation($id: String!, $l: [LineQuantityInput!]!) { cancelOrderLines(orderId: $id, lines: $l, reason: "Customer chose not to wait for backordered units") { order { id } } }`,
            { l: [{ line: line.index, quantity: units }] }, `Cancelled ${units} × ${line.name}. You get their share of the total back.`)))));
  }

  if (can("authorize_payment")) {
    const method = field("Payment (test token)", { id: "pay-token" }, "select");
    method.input.append(...TEST_TOKENS.map(([v, l]) => h("option", { value: v }, `${l} (${v})`)));
    items.push(h("li", { class: `choice pay-choice${choose === "pay" ? " chosen" : ""}` },
      h("p", {}, order.payment.status === "failed" ? "Your last payment was declined." : "This order is not paid yet.", " Pay with another method to keep your items."),
      h("div", { class: "actions inline" }, method.wrap,
        h("button", { type: "button", id: "pay-button", onclick: () =>
          run("Paying", `mutation($id: String!, $tok: String!) { authorizePayment(orderId: $id, token: $tok) { order { id } } }`,
            { tok: method.input.value }, "Thank you: your payment is authorized.") }, "Pay"))));
  }

  if (can("cancel")) {
    items.push(h("li", { class: "choice cancel-choice" },
      h("p", {}, "Changed your mind? You can cancel the whole order until we start packing it."),
      h("div", { class: "actions" },
        confirmed("Cancel my order", "Yes, cancel the whole order", { id: "cancel-order" },
          () => run("Cancelling", `mutation($id: String!) { cancelOrder(orderId: $id, reason: "Cancelled by the customer") { order { id } } }`,
            {}, "Your order is cancelled. Anything you paid comes back to you.")))));
  }

  const arrived = order.shipments.some((s) => s.state === "delivered");
  if (asCustomer && arrived && !order.feedback) {
    const picked = choose?.match(/^feedback(?:-(\d+))?$/);
    const scores = h("div", { class: "scale", role: "radiogroup", "aria-label": "How likely are you to recommend us, from 0 to 10" },
      Array.from({ length: 11 }, (_, n) => h("label", { class: "score" },
        h("input", { type: "radio", name: "score", value: String(n), id: `score-${n}`, checked: picked?.[1] === String(n) }), String(n))));
    const comment = h("textarea", { id: "feedback-comment", rows: 3, maxlength: 2000, "aria-label": "Anything you want to tell us (optional)", placeholder: "Anything you want to tell us (optional)" });
    items.push(h("li", { class: `choice feedback-choice${picked ? " chosen" : ""}` },
      h("p", {}, h("strong", {}, "How did we do?"), " How likely are you to recommend us to a friend, from 0 (not at all) to 10 (very likely)?"),
      scores, comment,
      h("div", { class: "actions" },
        h("button", { type: "button", id: "send-feedback", onclick: () => {
          const score = scores.querySelector("input:checked")?.value;
          if (score === undefined) {
            msg.className = "action-msg error";
            msg.textContent = "Pick a number from 0 to 10 first.";
            return;
          }
          run("Sending", `mutation($id: String!, $s: Int!, $c: String) { submitFeedback(orderId: $id, score: $s, comment: $c) { score } }`,
            { s: Number(score), c: comment.value.trim() || null }, "Thank you for your feedback!");
        } }, "Send my answer"))));
  }

  const stale = choose && !items.some((li) => li.classList.contains("chosen"))
    ? h("p", { class: "action-msg", id: "choice-gone" }, "The choice your link offered is no longer open: the order has moved on. Here is where it stands.")
    : null;
  if (!items.length && !stale && !msg.textContent) {
    mount(section);
    section.hidden = true;
    return;
  }
  section.hidden = false;
  mount(section,
    h("h3", { id: "choices-h" }, "What you can do"),
    stale,
    items.length ? h("ul", { class: "choice-list" }, items) : null,
    msg);
  section.querySelector(".chosen input:checked, .chosen button.danger, .chosen button:not([id^=keep])")?.focus();
  if (choose) section.scrollIntoView({ block: "start" });
}
