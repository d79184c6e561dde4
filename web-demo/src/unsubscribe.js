// The page an unsubscribe link opens (#/unsubscribe?token=): which messages the address may stop
// (requests for feedback; messages about its orders always go), and the choice, confirmed with a
// click — opening the link changes nothing, so a mail scanner that follows it unsubscribes no one.
import { gql } from "./api.js";
import { h, mount, fmtTime } from "./dom.js";

const READ = `query($t: String!) { emailPreferences(token: $t) { email feedbackRequests optedOutAt } }`;
const SET = `mutation($t: String!, $on: Boolean!) { setEmailPreferences(token: $t, feedbackRequests: $on) { email feedbackRequests optedOutAt } }`;

export async function renderUnsubscribe(root, linkToken) {
  // Kept in the page only: the address bar loses it, so it is not bookmarked or shared.
  const token = linkToken ?? "";
  if (linkToken) history.replaceState(null, "", `${location.pathname}${location.search}#/unsubscribe`);
  if (!token) return mount(root, h("h2", {}, "E-mail preferences"), h("p", { class: "error" }, "Open this page from the unsubscribe link in one of our e-mails."));
  mount(root, h("p", {}, "Loading your preferences…"));
  let prefs;
  try {
    prefs = (await gql(READ, { t: token })).emailPreferences;
  } catch (err) {
    const why = err.code === "UNAUTHENTICATED" ? "This link has expired or is not valid. The link in our latest e-mail works." : err.message;
    return mount(root, h("h2", {}, "E-mail preferences"), h("p", { class: "error", id: "prefs-error" }, why));
  }
  draw(prefs);

  function draw(p, said = "") {
    const msg = h("p", { class: "action-msg", role: "status", id: "prefs-msg" }, said);
    const set = async (on) => {
      button.disabled = true;
      try {
        const fresh = (await gql(SET, { t: token, on })).setEmailPreferences;
        draw(fresh, on ? "Done: we will ask for your feedback again." : "Done: you will not be asked for feedback again.");
      } catch (err) {
        button.disabled = false;
        msg.className = "action-msg error";
        msg.textContent = `Could not save your choice: ${err.message}`;
      }
    };
    const button = p.feedbackRequests
      ? h("button", { type: "button", class: "primary", id: "unsubscribe", onclick: () => set(false) }, "Unsubscribe from requests for feedback")
      : h("button", { type: "button", id: "resubscribe", onclick: () => set(true) }, "Ask me for feedback again");
    mount(root,
      h("h2", {}, "E-mail preferences"),
      h("p", {}, "For ", h("strong", { id: "prefs-email" }, p.email), "."),
      h("p", { id: "prefs-state", dataset: { subscribed: String(p.feedbackRequests) } }, p.feedbackRequests
        ? "After your orders arrive, we ask how we did."
        : `You unsubscribed from requests for feedback on ${fmtTime(p.optedOutAt)}.`),
      h("p", { class: "hint" }, "Messages about your orders (confirmation, shipping, refunds) are always sent."),
      h("div", { class: "actions" }, button),
      msg);
  }
}
