// Staff: survey answers to follow up (lowFeedback) and product reviews to moderate (#/reviews).
import { gql } from "./api.js";
import { h, mount, field, fmtTime } from "./dom.js";
import { staffToken, tokenForm } from "./staff.js";

export async function renderReviews(root) {
  const token = staffToken();
  if (!token) return tokenForm(root, () => renderReviews(root));
  mount(root, h("p", {}, "Loading feedback…"));
  const maxScore = field("Scores up to", { id: "fb-max", type: "number", min: "0", max: "10", value: "6" });
  const feedback = h("div", { id: "feedback" });
  const reviews = h("div", { id: "reviews" });
  const msg = h("p", { class: "action-msg", role: "status", id: "review-msg" });

  async function loadFeedback() {
    try {
      const d = await gql(`query($m: Int!) { lowFeedback(maxScore: $m, first: 50) { nodes { orderId customerId score comment createdAt } } }`, { m: Number(maxScore.input.value) || 0 }, token);
      const rows = d.lowFeedback.nodes;
      mount(feedback, rows.length
        ? h("ul", { class: "feedback-list" }, rows.map((f) => h("li", { class: "feedback", dataset: { order: f.orderId, score: f.score } },
            h("strong", {}, `${f.score}/10`), " · ", h("a", { href: `#/staff/${encodeURIComponent(f.orderId)}` }, f.orderId), ` · ${fmtTime(f.createdAt)}`,
            f.comment ? h("blockquote", {}, f.comment) : h("span", { class: "hint" }, " (no comment)"))))
        : h("p", {}, "No unhappy answers to follow up."));
    } catch (err) {
      mount(feedback, h("p", { class: "error" }, `Could not load feedback: ${err.message}`));
    }
  }

  // Products with reviews first (rating over the visible ones), then the reviews of one.
  const products = [];
  let after = null;
  do {
    const d = await gql(`query($after: String) { products(first: 50, after: $after) { nodes { sku name rating { average count } } pageInfo { hasNextPage endCursor } } }`, { after }, token);
    products.push(...d.products.nodes);
    after = d.products.pageInfo.hasNextPage ? d.products.pageInfo.endCursor : null;
  } while (after);
  products.sort((a, b) => b.rating.count - a.rating.count || a.sku.localeCompare(b.sku));
  const product = field("Product", { id: "rev-product" }, "select");
  product.input.append(...products.map((p) => h("option", { value: p.sku }, `${p.name} — ${p.rating.count ? `${p.rating.average}★ (${p.rating.count})` : "no reviews"}`)));

  async function loadReviews() {
    try {
      const d = await gql(`query($s: String!) { product(sku: $s) { rating { average count distribution { stars count } } reviews(first: 50) { nodes { id rating title body createdAt } } } }`, { s: product.input.value }, token);
      const p = d.product;
      mount(reviews,
        h("p", {}, p.rating.count ? `Average ${p.rating.average}★ over ${p.rating.count} review${p.rating.count === 1 ? "" : "s"}` : "No reviews yet."),
        h("ul", { class: "review-list" }, p.reviews.nodes.map((r) => {
          const reason = h("input", { "aria-label": `Reason to hide review ${r.id}`, value: "Off-topic", class: "hide-reason" });
          return h("li", { class: "review", dataset: { id: r.id, rating: r.rating } },
            h("strong", {}, `${"★".repeat(r.rating)}${"☆".repeat(5 - r.rating)} ${r.title}`), ` · ${fmtTime(r.createdAt)}`,
            r.body ? h("p", {}, r.body) : null,
            h("div", { class: "inline" }, reason, h("button", { type: "button", class: "danger hide-review", onclick: async () => {
              try {
                await gql(`mutation($id: String!, $r: String!) { hideReview(id: $id, reason: $r) { id hidden } }`, { id: r.id, r: reason.value || "Hidden by staff" }, token);
                await loadReviews();
                msg.className = "action-msg";
                mount(msg, `Review ${r.id} hidden. `, h("button", { type: "button", class: "link undo-hide", onclick: () => unhide(r.id) }, "Undo"));
              } catch (err) {
                msg.className = "action-msg error";
                msg.textContent = `Hide failed: ${err.message}`;
              }
            } }, "Hide")));
        })));
    } catch (err) {
      mount(reviews, h("p", { class: "error" }, `Could not load reviews: ${err.message}`));
    }
  }
  /** Shows a hidden review again (the Undo after hiding). */
  async function unhide(id) {
    try {
      await gql(`mutation($id: String!) { unhideReview(id: $id) { id hidden } }`, { id }, token);
      await loadReviews();
      msg.className = "action-msg";
      msg.textContent = `Review ${id} shown again.`;
    } catch (err) {
      msg.className = "action-msg error";
      msg.textContent = `Undo failed: ${err.message}`;
    }
  }
  maxScore.input.addEventListener("change", loadFeedback);
  product.input.addEventListener("change", loadReviews);
  mount(root, h("h2", {}, "Reviews and feedback"),
    h("section", { "aria-labelledby": "fb-h" }, h("h3", { id: "fb-h" }, "Survey answers to follow up"), h("div", { class: "filters" }, maxScore.wrap), feedback),
    h("section", { "aria-labelledby": "rv-h" }, h("h3", { id: "rv-h" }, "Product reviews"), h("div", { class: "filters" }, product.wrap), msg, reviews));
  await Promise.all([loadFeedback(), loadReviews()]);
}
