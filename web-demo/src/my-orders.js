// "Find my orders" (#/my-orders): a shopper asks for a sign-in link by e-mail (requestOrdersLink);
// the mailed link (#/my-orders?token=) lists the orders placed with that address, each opening
// its tracking page with the same token.
import { gql, session, SHOPPER_KEY } from "./api.js";
import { h, mount, field, fmtTime } from "./dom.js";

const LIST = `{ orders(first: 50) { edges { node {
  id reference placedAt grandTotal { formatted } statusView { headline tone } lines { name remaining }
} } } }`;

export async function renderMyOrders(root, linkToken) {
  if (linkToken) {
    session.set(SHOPPER_KEY, linkToken);
    history.replaceState(null, "", `${location.pathname}${location.search}#/my-orders`);
  }
  const token = session.get(SHOPPER_KEY);
  if (!token) return askForm(root);
  mount(root, h("p", {}, "Loading your orders…"));
  let orders;
  try {
    orders = (await gql(LIST, {}, token)).orders.edges.map((e) => e.node);
  } catch (err) {
    if (err.code !== "UNAUTHENTICATED") return mount(root, h("p", { class: "error" }, `Could not load your orders: ${err.message}`));
    session.del(SHOPPER_KEY);
    return askForm(root, "Your link has expired: ask for a new one.");
  }
  const signOut = h("button", { type: "button", class: "link", id: "my-orders-sign-out", onclick: () => { session.del(SHOPPER_KEY); askForm(root); } }, "Forget this link");
  mount(root,
    h("h2", {}, "Your orders"),
    orders.length
      ? h("ul", { class: "my-orders", id: "my-orders" }, orders.map((o) =>
          h("li", { class: "my-order", dataset: { id: o.id, tone: o.statusView.tone.toLowerCase() } },
            h("a", { href: `#/orders/${encodeURIComponent(o.id)}` }, h("strong", {}, o.reference)),
            ` · placed ${fmtTime(o.placedAt)} · ${o.grandTotal.formatted} · `,
            h("span", { class: "headline" }, o.statusView.headline),
            h("div", { class: "hint" }, o.lines.filter((l) => l.remaining > 0).map((l) => `${l.remaining} × ${l.name}`).join(", ")))))
      : h("p", {}, "No orders were placed with this address."),
    h("p", {}, signOut));
}

/** The form asking for a link. The answer is the same whether or not the address has orders. */
function askForm(root, note = null) {
  const email = field("E-mail address", { id: "find-email", type: "email", autocomplete: "email", required: true });
  const msg = h("p", { class: "action-msg", role: "status", id: "find-msg" });
  const button = h("button", { type: "submit", class: "primary", id: "find-submit" }, "Send me a link");
  const form = h("form", { id: "find-form", novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    button.disabled = true;
    msg.className = "action-msg";
    msg.textContent = "Sending…";
    try {
      await gql(`mutation($e: String!) { requestOrdersLink(email: $e) }`, { e: email.input.value });
      msg.textContent = `If orders were placed with ${email.input.value.trim()}, a link to them is on its way there. It works for 24 hours.`;
    } catch (err) {
      msg.className = "action-msg error";
      msg.textContent = err.code === "BAD_USER_INPUT" ? `That address does not look right: ${err.message}` : `Could not send the link: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  } }, email.wrap, button);
  mount(root,
    h("h2", {}, "Find my orders"),
    note ? h("p", { class: "action-msg error" }, note) : null,
    h("p", {}, "Enter the e-mail address you ordered with. We send a link there that lists your orders — no account or password needed."),
    form, msg);
}
