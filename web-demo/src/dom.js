// A tiny DOM helper: h("button", { class: "x", onclick }, "text", child, …).
import { formatDate } from "../../wasm/pkg/web/ordo_wasm.js";
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(root, ...children) {
  root.replaceChildren();
  append(root, children);
}

let uid = 0;
/** A labelled form field: returns { wrap, input }. */
export function field(label, inputAttrs = {}, tag = "input") {
  const id = inputAttrs.id ?? `f${++uid}`;
  const input = h(tag, { ...inputAttrs, id });
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label), input);
  return { wrap, input };
}

/** A calendar date (`YYYY-MM-DD`, or the date of a date-time) in the shop's one way of writing
 * dates, ordo-core's (`15 Dec 2026`): the same on every screen and in every message. */
export function fmtDate(iso) {
  if (!iso) return "";
  return formatDate(iso.slice(0, 10));
}

export function fmtTime(iso) {
  return new Date(iso).toLocaleString("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
