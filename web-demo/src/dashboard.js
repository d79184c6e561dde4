// Dashboard (staff token): money collected (captured minus refunded) per day and per channel,
// money still only authorized, orders by status, backorders waiting, return rate and low stock,
// drawn as SVG charts. Figures are aggregated in the
// browser from the `orders` connection (pages of 50) — there is no aggregate query.
import { formatMoney } from "../../wasm/pkg/web/ordo_wasm.js";
import { gql } from "./api.js";
import { h, mount } from "./dom.js";
import { staffToken, tokenForm, SUMMARIES } from "./staff.js";

const SVG = "http://www.w3.org/2000/svg";
const s = (tag, attrs = {}, ...kids) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...kids);
  return el;
};

/** Horizontal bars: data = [{ key, label, value }], `format` for the value labels. */
export function barChart(title, data, format = String) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const rowH = 26, labelW = 150, width = 520, barW = width - labelW - 80;
  const svg = s("svg", { viewBox: `0 0 ${width} ${data.length * rowH + 10}`, role: "img", "aria-label": title, class: "chart" });
  svg.append(s("title", {}, title));
  data.forEach((d, i) => {
    const y = i * rowH + 5;
    const w = Math.round((d.value / max) * barW);
    svg.append(
      s("text", { x: labelW - 8, y: y + 16, "text-anchor": "end", class: "label" }, d.label),
      s("rect", { x: labelW, y, width: Math.max(w, 1), height: rowH - 8, rx: 3, class: "bar", "data-key": d.key, "data-value": d.value }),
      s("text", { x: labelW + w + 6, y: y + 16, class: "value" }, format(d.value)),
    );
  });
  return svg;
}

/** Vertical columns over time: data = [{ key: "YYYY-MM-DD", value }]. */
export function columnChart(title, data, format = String) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const width = 520, height = 200, top = 18, bottom = 30, left = 8;
  const colW = (width - left * 2) / data.length;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, class: "chart" });
  svg.append(s("title", {}, title), s("line", { x1: left, x2: width - left, y1: height - bottom, y2: height - bottom, class: "axis" }));
  data.forEach((d, i) => {
    const hgt = Math.round((d.value / max) * (height - top - bottom));
    const x = left + i * colW;
    const col = s("rect", { x: x + 2, y: height - bottom - hgt, width: Math.max(colW - 4, 1), height: Math.max(hgt, d.value ? 1 : 0), rx: 2, class: "col", "data-key": d.key, "data-value": d.value });
    col.append(s("title", {}, `${d.key}: ${format(d.value)}`));
    svg.append(col);
    if (d.value) svg.append(s("text", { x: x + colW / 2, y: height - bottom - hgt - 4, "text-anchor": "middle", class: "tick" }, format(d.value)));
    if (i % Math.ceil(data.length / 7) === 0 || i === data.length - 1)
      svg.append(s("text", { x: x + colW / 2, y: height - 10, "text-anchor": "middle", class: "tick" }, d.key.slice(5)));
  });
  return svg;
}

const DAYS = 14;
const UNPAID = new Set(["AWAITING_PAYMENT", "PAYMENT_FAILED", "CANCELLED"]);
const DELIVERED = new Set(["DELIVERED", "COMPLETED", "RETURN_IN_PROGRESS", "REFUNDED"]);

async function allOrders(token) {
  const orders = [];
  let after = null;
  do {
    const data = await gql(`query($after: String) { orders(first: 50, after: $after) { nodes {
        id channel placedAt currency grandTotal { amount currency } statusView { summary }
        payment { status authorized { amount } captured { amount } refunded { amount } authorizationExpiring }
        lines { sku availability { kind quantity } } returns { state } }
      pageInfo { hasNextPage endCursor } } }`, { after }, token);
    orders.push(...data.orders.nodes);
    after = data.orders.pageInfo.hasNextPage && orders.length < 2000 ? data.orders.pageInfo.endCursor : null;
  } while (after);
  return orders;
}

export async function renderDashboard(root) {
  const token = staffToken();
  if (!token) return tokenForm(root, () => renderDashboard(root));
  mount(root, h("p", {}, "Loading figures…"));
  try {
    const [orders, low] = await Promise.all([allOrders(token), gql(`{ lowStock { available reorderPoint product { sku name } } }`, {}, token).then((d) => d.lowStock)]);
    const currency = orders.find((o) => o.grandTotal.currency)?.grandTotal.currency ?? "USD";
    const money = (minor) => formatMoney(Math.round(minor), currency);
    // Sales are money collected: captured minus refunded. Authorized money is not yet the shop's.
    const mine = orders.filter((o) => o.grandTotal.currency === currency);
    const net = (o) => o.payment.captured.amount - o.payment.refunded.amount;
    const paid = mine.filter((o) => o.payment.captured.amount > 0);
    const held = mine
      .filter((o) => ["authorized", "partially_captured"].includes(o.payment.status) && !UNPAID.has(o.statusView.summary))
      .reduce((sum, o) => sum + o.payment.authorized.amount - o.payment.captured.amount, 0);

    // Money collected per day of order, the last DAYS days, UTC dates.
    const today = new Date();
    const days = Array.from({ length: DAYS }, (_, i) => new Date(today.getTime() - (DAYS - 1 - i) * 86400000).toISOString().slice(0, 10));
    const perDay = new Map(days.map((d) => [d, 0]));
    for (const o of paid) {
      const d = o.placedAt.slice(0, 10);
      if (perDay.has(d)) perDay.set(d, perDay.get(d) + net(o));
    }
    const perChannel = new Map();
    for (const o of paid) perChannel.set(o.channel, (perChannel.get(o.channel) ?? 0) + net(o));

    const counts = SUMMARIES.map((k) => ({ key: k, label: k.replaceAll("_", " ").toLowerCase(), value: orders.filter((o) => o.statusView.summary === k).length }));

    // Units still waiting for stock, per SKU, on orders that are not cancelled.
    const waiting = new Map();
    let waitingOrders = 0;
    for (const o of orders) {
      if (o.statusView.summary === "CANCELLED") continue;
      let any = false;
      for (const l of o.lines) for (const a of l.availability) if (a.kind === "BACKORDERED" && a.quantity > 0) {
        waiting.set(l.sku, (waiting.get(l.sku) ?? 0) + a.quantity);
        any = true;
      }
      if (any) waitingOrders += 1;
    }

    // Return rate: delivered orders with a return that was not rejected or cancelled.
    const delivered = orders.filter((o) => DELIVERED.has(o.statusView.summary));
    const returned = delivered.filter((o) => o.returns.some((r) => !["rejected", "cancelled"].includes(r.state)));
    const rate = delivered.length ? returned.length / delivered.length : 0;
    const pct = (x) => `${(x * 100).toFixed(1)}%`;

    const revenue = paid.reduce((sum, o) => sum + net(o), 0);
    const kpi = (id, label, value) => h("div", { class: "kpi", id }, h("span", {}, label), h("strong", {}, value));
    mount(root,
      h("h2", {}, "Dashboard"),
      h("p", { id: "order-count" }, `${orders.length} orders in total.`),
      h("div", { class: "kpis" },
        kpi("kpi-revenue", "Collected (captured − refunded)", money(revenue)),
        kpi("kpi-held", "Authorized, not yet captured", money(held)),
        kpi("kpi-lapsing", "Authorizations lapsing within a day", String(orders.filter((o) => o.payment.authorizationExpiring).length)),
        kpi("kpi-orders", "Orders with money collected", String(paid.length)),
        kpi("kpi-backorders", "Orders waiting for stock", String(waitingOrders)),
        kpi("kpi-return-rate", "Return rate", delivered.length ? pct(rate) : "—")),
      h("div", { class: "charts" },
        h("figure", { id: "chart-sales-day" }, h("figcaption", {}, `Sales per day (last ${DAYS} days, UTC)`),
          columnChart("Sales per day", days.map((d) => ({ key: d, value: perDay.get(d) })), money)),
        h("figure", { id: "chart-channel" }, h("figcaption", {}, "Sales per channel"),
          perChannel.size ? barChart("Sales per channel", [...perChannel].sort((a, b) => b[1] - a[1]).map(([c, v]) => ({ key: c, label: c, value: v })), money) : h("p", {}, "No paid orders yet.")),
        h("figure", { id: "chart-status" }, h("figcaption", {}, "Orders by status"),
          barChart("Orders by status", counts.filter((c) => c.value > 0 || ["PROCESSING", "SHIPPED", "DELIVERED"].includes(c.key)))),
        h("figure", { id: "chart-backorders" }, h("figcaption", {}, "Backordered units waiting, per SKU"),
          waiting.size ? barChart("Backorders waiting", [...waiting].sort((a, b) => b[1] - a[1]).map(([k, v]) => ({ key: k, label: k, value: v }))) : h("p", {}, "No backorders waiting.")),
        h("figure", { id: "chart-returns" }, h("figcaption", {}, `Return rate: ${delivered.length ? pct(rate) : "no deliveries yet"}`),
          barChart("Delivered orders returned or kept", [
            { key: "returned", label: "returned", value: returned.length },
            { key: "kept", label: "kept", value: delivered.length - returned.length },
          ])),
        h("figure", { id: "chart-low" }, h("figcaption", {}, "Low stock (available units)"),
          low.length ? barChart("Low stock", low.map((l) => ({ key: l.product.sku, label: l.product.sku, value: l.available }))) : h("p", {}, "Nothing below its reorder point."))),
    );
  } catch (err) {
    mount(root, h("p", { class: "error" }, `Could not load the dashboard: ${err.message}`));
  }
}
