// The shop's cart rules (coupons, shipping zones, tax rates) in ordo-core's wire form, fetched
// once from the gateway's public `cartRules` query: the browser validates carts with exactly
// the rules the server applies at checkout.
import { gql } from "./api.js";

let rules = null;

/** Loads the rules (once). */
export async function loadRules() {
  if (!rules) rules = (await gql("{ cartRules }")).cartRules;
  return rules;
}

/** The loaded rules; call `loadRules` first. */
export function cartRules() {
  return rules;
}

/** A line naming the shop's coupon codes, from the rules. */
export function couponHints() {
  const codes = (rules?.coupons ?? []).map((c) => c.code);
  return codes.length ? `Coupons in this demo shop: ${codes.join(", ")}.` : "";
}

/** The shipping options for a country, from the rules (first zone that lists it, else the catch-all). */
export function shippingOptions(country) {
  const c = (country || "US").toUpperCase();
  const zones = rules?.shipping ?? [];
  const zone = zones.find((z) => z.countries.includes(c)) ?? zones.find((z) => z.countries.length === 0);
  return zone ? zone.options : [];
}
