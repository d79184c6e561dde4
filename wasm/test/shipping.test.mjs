// shippingOptions: the options a country is offered, exactly as ordo-core answers natively (the cart
// fixtures record that answer), the default first, and what validateCart then ships with.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixtures, ordo } from "./helpers.mjs";

const recorded = fixtures("cart").filter(([, f]) => f.expectedShippingOptions);

test("cart fixtures record the options natively offered to their country", () => {
  assert.ok(recorded.length >= 5, `only ${recorded.length} fixtures record shipping options`);
});

for (const [name, f] of recorded) {
  test(`shippingOptions for ${name}'s country is exactly the native answer`, () => {
    assert.deepStrictEqual(ordo.shippingOptions(f.cart.shippingAddress.country, f.rules), f.expectedShippingOptions);
  });
}

test("validateCart ships with the option chosen among those offered, else the first", () => {
  for (const [name, f] of recorded) {
    const codes = ordo.shippingOptions(f.cart.shippingAddress.country, f.rules).map((o) => o.code);
    const shipped = f.expected.totals?.shippingOption;
    if (codes.length === 0) {
      assert.ok(f.expected.issues.some((i) => i.code === "SHIPPING_UNAVAILABLE"), name);
    } else if (shipped) {
      assert.equal(shipped, f.cart.shippingOption ?? codes[0], name);
    }
  }
});

const option = (code) => ({ code, name: code, rate: { flat: { amount: { amount: 500, currency: "EUR" } } }, transitDays: 3 });
const rules = {
  shipping: [
    { name: "World", countries: [], options: [option("post")] },
    { name: "EU", countries: ["DE", "FR"], options: [option("dhl"), option("ups")] },
    { name: "Embargo", countries: ["KP"], options: [] },
  ],
};
const codes = (country, r = rules) => ordo.shippingOptions(country, r).map((o) => o.code);

test("a country gets its zone's options in order, any case; the rest of the world the catch-all's", () => {
  assert.deepEqual(codes("DE"), ["dhl", "ups"]);
  assert.deepEqual(codes(" fr "), ["dhl", "ups"]);
  assert.deepEqual(codes("JP"), ["post"]);
  assert.deepEqual(codes("KP"), []);
  assert.deepEqual(codes("US", {}), []);
});

test("an option comes back whole, in the wire form validateCart's rules take", () => {
  const priced = { ...option("dhl"), freeAbove: { amount: 5000, currency: "EUR" } };
  const banded = { ...option("post"), rate: { weightBands: { bands: [{ upToGrams: 1000, amount: { amount: 900, currency: "EUR" } }] } } };
  const r = { shipping: [{ name: "EU", countries: ["DE"], options: [priced] }, { name: "World", countries: [], options: [banded] }] };
  assert.deepStrictEqual(ordo.shippingOptions("DE", r), [priced]);
  assert.deepStrictEqual(ordo.shippingOptions("JP", r), [{ ...banded, freeAbove: null }]);
});

test("the rules remembered between calls are always the rules passed", () => {
  const other = { shipping: [{ name: "World", countries: [], options: [option("courier")] }] };
  assert.deepEqual(codes("JP"), ["post"]);
  ordo.validateCart({ currency: "EUR", lines: [] }, [], other);
  assert.deepEqual(codes("JP", other), ["courier"]);
  assert.deepEqual(codes("JP"), ["post"]);
  const changed = structuredClone(rules);
  changed.shipping[0].options.push(option("courier"));
  assert.deepEqual(codes("JP", changed), ["post", "courier"]);
});
