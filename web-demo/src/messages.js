// Staff: messages to customers, like a developer mailbox (#/messages): each message's state and
// attempts, the e-mail as the customer gets it, and sending a dead letter again (retryMessage) —
// or a message that waits (a feedback request is due days after delivery) now.
import { gql } from "./api.js";
import { h, mount, field, fmtTime } from "./dom.js";
import { staffToken, tokenForm } from "./staff.js";

const LIST = `query($state: MessageState) { customerMessages(state: $state, first: 100) {
  id orderId kind recipient state due reason attempts createdAt sentAt tries { at ok error } } }`;
const ONE = `query($id: ID!) { customerMessage(id: $id) { id content { subject text html } } }`;

export async function renderMessages(root) {
  const token = staffToken();
  if (!token) return tokenForm(root, () => renderMessages(root));
  const state = field("State", { id: "msg-state" }, "select");
  state.input.append(...[["", "All"], ["PENDING", "Waiting"], ["SENT", "Sent"], ["DEAD", "Dead letters"], ["WITHHELD", "Withheld"]]
    .map(([value, label]) => h("option", { value }, label)));
  const list = h("div", { id: "messages" });
  const viewer = h("section", { id: "message-view", class: "message-view", "aria-live": "polite" });
  const msg = h("p", { class: "action-msg", role: "status", id: "messages-msg" });

  async function show(m) {
    try {
      const found = (await gql(ONE, { id: m.id }, token)).customerMessage;
      if (!found?.content) return mount(viewer, h("p", {}, "This gateway sends no messages, so it cannot show one."));
      const { subject, text, html } = found.content;
      mount(viewer,
        h("h3", { id: "message-subject" }, subject),
        h("p", { class: "hint" }, `To ${m.recipient} · ${m.kind}`),
        h("pre", { id: "message-text", class: "message-text" }, text),
        // The HTML part, as a mail client shows it: no scripts, no navigation.
        h("iframe", { title: "HTML part", class: "message-html", sandbox: "", srcdoc: html }));
    } catch (err) {
      mount(viewer, h("p", { class: "error" }, `Could not load the message: ${err.message}`));
    }
  }

  async function retry(m) {
    try {
      await gql(`mutation($id: ID!) { retryMessage(id: $id) { id state } }`, { id: m.id }, token);
      msg.className = "action-msg";
      msg.textContent = `Message to ${m.recipient} queued again.`;
      await load();
    } catch (err) {
      msg.className = "action-msg error";
      msg.textContent = `Retry failed: ${err.message}`;
    }
  }

  async function load() {
    try {
      const d = await gql(LIST, { state: state.input.value || null }, token);
      const rows = d.customerMessages;
      if (!rows.length) return mount(list, h("p", {}, "No messages yet."));
      mount(list, h("div", { class: "queue" }, h("table", {},
        h("thead", {}, h("tr", {}, ["Created", "Order", "Message", "To", "State", "Attempts", "Last error or reason", ""].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows.map((m) => {
          const last = m.tries.at(-1);
          return h("tr", { dataset: { id: m.id, order: m.orderId ?? "", kind: m.kind, state: m.state } },
            h("td", {}, fmtTime(m.createdAt)),
            // A "Find my orders" link is about an address, not an order.
            h("td", {}, m.orderId ? h("a", { href: `#/staff/${encodeURIComponent(m.orderId)}` }, m.orderId) : h("span", { class: "hint" }, "sign-in link")),
            h("td", {}, h("button", { type: "button", class: "link open-message", onclick: () => show(m) }, m.kind)),
            h("td", {}, m.recipient),
            h("td", { class: "state" }, m.state.toLowerCase(),
              m.state === "PENDING" && new Date(m.due) > new Date() ? h("span", { class: "hint due" }, ` · due ${fmtTime(m.due)}`) : null),
            h("td", {}, String(m.tries.length)),
            h("td", { class: "hint reason" }, m.state === "WITHHELD" ? m.reason ?? "" : last && !last.ok ? last.error : ""),
            h("td", {}, m.state === "SENT" ? "" : h("button", { type: "button", class: "retry-message", onclick: () => retry(m) }, "Send now")));
        })))));
    } catch (err) {
      mount(list, h("p", { class: "error" }, `Could not load messages: ${err.message}`));
    }
  }

  state.input.addEventListener("change", load);
  mount(root, h("h2", {}, "Messages to customers"),
    h("p", { class: "hint" }, "Every message the shop sends, with each delivery attempt. Without --smtp they are also written as .eml files under data/mail."),
    h("div", { class: "toolbar" }, state.wrap), msg, list, viewer);
  await load();
}
