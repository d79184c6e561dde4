// The shop's cart rules (shipping zones, tax rates, limits, and the coupons the shopper named) in
// ordo-core's wire form, from the gateway's public `cartRules` query: the browser validates carts
// with exactly the rules the server applies at checkout. A coupon is secret until someone names
// it, so entering a new code costs one request; everything else is checked without the network.
import { shippingOptions as offeredTo } from "../../wasm/pkg/web/ordo_wasm.js";
import { gql } from "./api.js";

let rules = null;
let named = new Set(); // the codes (trimmed) the loaded rules were asked for

/** Loads the rules revealing the coupons `codes` name, unless the loaded ones were asked for all
 *  of them already (the gateway looks up at most 20 at once; it matches them as a cart's codes).
 *  True when the rules changed. */
export async function loadRules(codes = []) {
  const wanted = [...new Set(codes.map((c) => c.trim()).filter(Boolean))].slice(0, 20);
  if (rules && wanted.every((c) => named.has(c))) return false;
  rules = (await gql("query($c: [String!]) { cartRules(coupons: $c) }", { c: wanted })).cartRules;
  named = new Set(wanted);
  return true;
}

/** The loaded rules; call `loadRules` first. */
export function cartRules() {
  return rules;
}

/** The shipping options the loaded rules offer to a country (blank: the form's default, US), the
 *  default first: ordo-core's choice through ordo-wasm, the one validation and checkout make.
 *  None for a country that is not a code yet (while it is being typed). */
export function shippingOptions(country) {
  if (!rules) return [];
  try {
    return offeredTo(country || "US", rules);
  } catch (e) {
    if (e.code === "INVALID_INPUT" && e.message.startsWith("country: ")) return [];
    throw e;
  }
}
