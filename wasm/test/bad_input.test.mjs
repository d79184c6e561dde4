// Bad input: every malformed call throws an Error with a stable code, never a panic or `unreachable`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixtures, ordo, orders, messages } from "./helpers.mjs";

const [, f] = fixtures("cart")[0];
const [, o] = fixtures("order")[1];
const item = f.catalog[0];
const now = "2026-11-27T12:00:00Z";

const cases = [
  ["cart is a string", () => ordo.validateCart("{}", f.catalog, f.rules, now), "INVALID_INPUT", /^cart: /],
  ["cart is null", () => ordo.validateCart(null, f.catalog, f.rules, now), "INVALID_INPUT"],
  ["cart is undefined", () => ordo.validateCart(undefined, f.catalog, f.rules, now), "INVALID_INPUT"],
  ["lines is an object", () => ordo.validateCart({ currency: "USD", lines: {} }, f.catalog, f.rules, now), "INVALID_INPUT", /^cart: /],
  ["quantity is a string", () => ordo.validateCart({ currency: "USD", lines: [{ sku: "A", quantity: "2" }] }, f.catalog, f.rules, now), "INVALID_INPUT", /^cart: invalid type/],
  ["quantity is fractional", () => ordo.validateCart({ currency: "USD", lines: [{ sku: "A", quantity: 1.5 }] }, f.catalog, f.rules, now), "INVALID_INPUT"],
  ["sku is a number", () => ordo.validateCart({ currency: "USD", lines: [{ sku: 7, quantity: 1 }] }, f.catalog, f.rules, now), "INVALID_INPUT"],
  ["currency is a number", () => ordo.validateCart({ currency: 840, lines: [] }, f.catalog, f.rules, now), "INVALID_INPUT"],
  ["stage is unknown", () => ordo.validateCart({ currency: "USD", lines: [], stage: "pay" }, f.catalog, f.rules, now), "INVALID_INPUT"],
  ["catalog is an object", () => ordo.validateCart(f.cart, {}, f.rules, now), "INVALID_INPUT", /^catalog/],
  ["catalog item lacks a price", () => ordo.validateCart(f.cart, [{ ...item, unitPrice: undefined }], f.rules, now), "INVALID_INPUT", /expected struct Money/],
  ["catalog price in an unknown currency", () => ordo.validateCart(f.cart, [{ ...item, unitPrice: { amount: 1, currency: "XYZ" } }], f.rules, now), "UNKNOWN_CURRENCY"],
  ["catalog price amount is a float", () => ordo.validateCart(f.cart, [{ ...item, unitPrice: { amount: 1.25, currency: "USD" } }], f.rules, now), "INVALID_INPUT"],
  ["catalog SKU is malformed", () => ordo.validateCart(f.cart, [{ ...item, sku: "no spaces please" }], f.rules, now), "INVALID_INPUT", /^catalog: .*SKU/],
  ["catalog policy is unknown", () => ordo.validateCart(f.cart, [{ ...item, policy: "pray" }], f.rules, now), "INVALID_INPUT"],
  ["catalog nextRestock is not a date", () => ordo.validateCart(f.cart, [{ ...item, nextRestock: "soon" }], f.rules, now), "INVALID_DATE", /^catalog: input contains invalid characters/],
  ["coupon validUntil is out of range", () => ordo.validateCart(f.cart, f.catalog, { coupons: [{ code: "X", discount: "freeShipping", validUntil: "2026-02-30T00:00:00Z" }] }, now), "INVALID_DATE", /^rules: input is out of range/],
  ["rules is a number", () => ordo.validateCart(f.cart, f.catalog, 3, now), "INVALID_INPUT", /^rules/],
  ["coupon discount is unknown", () => ordo.validateCart(f.cart, f.catalog, { coupons: [{ code: "X", discount: "bogus" }] }, now), "INVALID_INPUT"],
  ["now is not a date", () => ordo.validateCart(f.cart, f.catalog, f.rules, "yesterday"), "INVALID_DATE"],
  ["now is a number", () => ordo.validateCart(f.cart, f.catalog, f.rules, 12345), "INVALID_DATE"],
  ["now is an invalid Date", () => ordo.validateCart(f.cart, f.catalog, f.rules, new Date("nope")), "INVALID_DATE"],
  ["timeline is empty", () => orders.orderStatusView([], now), "INVALID_TIMELINE"],
  ["timeline is out of sequence", () => orders.orderStatusView([o.timeline[0], { ...o.timeline[1], seq: 5 }], now), "INVALID_TIMELINE"],
  ["timeline event is unknown", () => orders.orderStatusView([{ seq: 1, at: now, event: "teleported" }], now), "INVALID_INPUT"],
  ["timeline starts mid-way", () => orders.orderStatusView(o.timeline.slice(1), now), "INVALID_TIMELINE"],
  ["role is unknown", () => orders.allowedActions(o.timeline, "overlord", now), "INVALID_INPUT", /^role/],
  ["renderMessage notice is unknown", () => messages.renderMessage(o.timeline, "thankYouNote", o.expected.letterhead, now), "INVALID_INPUT", /^notice/],
  ["renderMessage letterhead lacks the order link", () => messages.renderMessage(o.timeline, "confirmation", { shopName: "X", locale: "en-US" }, now), "INVALID_INPUT", /^letterhead/],
  ["renderMessage names a parcel the order lacks", () => messages.renderMessage(o.timeline, { shipped: { shipment: "ord_x-S9" } }, o.expected.letterhead, now), "INVALID_INPUT", /^the order has no parcel ord_x-S9$/],
  ["address is a string", () => ordo.checkAddress("10 Downing St"), "INVALID_INPUT"],
  ["shippingOptions country is not a code", () => ordo.shippingOptions("UK", f.rules), "INVALID_INPUT", /^country: `UK` is not an ISO 3166-1 alpha-2 country code$/],
  ["shippingOptions country is a number", () => ordo.shippingOptions(840, f.rules), "INVALID_INPUT", /^country: invalid type: integer `840`, expected a string$/],
  ["shippingOptions country is missing", () => ordo.shippingOptions(undefined, f.rules), "INVALID_INPUT", /^country: /],
  ["shippingOptions rules is a string", () => ordo.shippingOptions("US", "{}"), "INVALID_INPUT", /^rules: /],
  ["shippingOptions rules are missing", () => ordo.shippingOptions("US"), "INVALID_INPUT", /^rules: /],
  ["shippingOptions zone lists no such country", () => ordo.shippingOptions("US", { shipping: [{ name: "X", countries: ["XX"], options: [] }] }), "INVALID_INPUT", /^rules: `XX` is not/],
  ["formatMoney currency is unknown", () => ordo.formatMoney(100, "ZZZ"), "UNKNOWN_CURRENCY"],
  ["formatMoney amount is fractional", () => ordo.formatMoney(1.5, "USD"), "INVALID_AMOUNT"],
  ["formatMoney amount is a string", () => ordo.formatMoney("100", "USD"), "INVALID_AMOUNT"],
  ["formatMoney amount is unsafe", () => ordo.formatMoney(2 ** 60, "USD"), "INVALID_AMOUNT"],
  ["formatMoney bigint out of range", () => ordo.formatMoney(2n ** 70n, "USD"), "INVALID_AMOUNT"],
];

test("the table has at least twenty malformed inputs", () => assert.ok(cases.length >= 20));

for (const [name, call, code, message] of cases) {
  test(`bad input: ${name} → ${code}`, () => {
    assert.throws(call, (e) => {
      assert.ok(e instanceof Error, "an Error object");
      assert.equal(e.code, code, e.message);
      assert.ok(e.message.length > 0);
      assert.doesNotMatch(e.message, /unreachable|panicked|RuntimeError/);
      if (message) assert.match(e.message, message);
      return true;
    });
  });
}

test("the module still works after every bad call", () => {
  assert.equal(ordo.validateCart(f.cart, f.catalog, f.rules, f.now).ok, f.expected.ok);
});
