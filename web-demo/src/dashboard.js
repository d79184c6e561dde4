// Dashboard: orders by status as an SVG bar chart, plus low stock (staff token).
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

export function barChart(title, data) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const rowH = 26, labelW = 150, width = 520, barW = width - labelW - 50;
  const svg = s("svg", { viewBox: `0 0 ${width} ${data.length * rowH + 10}`, role: "img", "aria-label": title, class: "chart" });
  svg.append(s("title", {}, title));
  data.forEach((d, i) => {
    const y = i * rowH + 5;
    const w = Math.round((d.value / max) * barW);
    svg.append(
      s("text", { x: labelW - 8, y: y + 16, "text-anchor": "end", class: "label" }, d.label),
      s("rect", { x: labelW, y, width: Math.max(w, 1), height: rowH - 8, rx: 3, class: "bar", "data-key": d.key, "data-value": d.value }),
      s("text", { x: labelW + w + 6, y: y + 16, class: "value" }, String(d.value)),
    );
  });
  return svg;
}

export async function renderDashboard(root) {
  const token = staffToken();
  if (!token) return tokenForm(root, () => renderDashboard(root));
  mount(root, h("p", {}, "Loading figures…"));
  try {
    const orders = [];
    let after = null;
    do {
      const data = await gql(`query($after: String) { orders(first: 50, after: $after) { nodes { id statusView { summary } grandTotal { amount } } pageInfo { hasNextPage endCursor } } }`, { after }, token);
      orders.push(...data.orders.nodes);
      after = data.orders.pageInfo.hasNextPage && orders.length < 1000 ? data.orders.pageInfo.endCursor : null;
    } while (after);
    const low = (await gql(`{ lowStock { available reorderPoint product { sku name } } }`, {}, token)).lowStock;
    const counts = SUMMARIES.map((k) => ({ key: k, label: k.replaceAll("_", " ").toLowerCase(), value: orders.filter((o) => o.statusView.summary === k).length }));
    mount(root,
      h("h2", {}, "Dashboard"),
      h("p", { id: "order-count" }, `${orders.length} orders in total.`),
      h("figure", { id: "chart-status" }, h("figcaption", {}, "Orders by status"), barChart("Orders by status", counts.filter((c) => c.value > 0 || ["PROCESSING", "SHIPPED", "DELIVERED"].includes(c.key)))),
      h("figure", { id: "chart-low" }, h("figcaption", {}, "Low stock (available units)"),
        low.length ? barChart("Low stock", low.map((l) => ({ key: l.product.sku, label: l.product.sku, value: l.available }))) : h("p", {}, "Nothing below its reorder point.")),
    );
  } catch (err) {
    mount(root, h("p", { class: "error" }, `Could not load the dashboard: ${err.message}`));
  }
}
