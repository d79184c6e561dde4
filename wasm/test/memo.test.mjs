// validateCart and cartTotals remember the catalog and rules they last parsed: whatever changed since,
// in place or in a new object, must be read again (and a bad value must throw every time). Also run
// with code generation forbidden (wire.test.mjs), where the comparisons are not generated.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ordo } from "./helpers.mjs";

const now = "2026-11-27T12:00:00Z";
const item = (sku, more = {}) => ({ sku, name: sku, unitPrice: { amount: 1000, currency: "EUR" }, active: true,
  available: 5, policy: "deny", weightGrams: 100, taxClass: "standard", ...more });
const cart = (sku, quantity = 1) => ({ currency: "EUR", lines: [{ sku, quantity }] });

test("validateCart sees a catalog or rules changed in place since the last call", () => {
  const now = "2026-11-27T12:00:00Z";
  const catalog = [{ sku: "A", name: "A", unitPrice: { amount: 1000, currency: "EUR" }, active: true, available: 5,
    policy: "deny", weightGrams: 100, taxClass: "standard" }];
  const rules = {};
  const cart = { currency: "EUR", lines: [{ sku: "A", quantity: 2 }] };
  assert.equal(ordo.validateCart(cart, catalog, rules, now).totals.subtotal.amount, 2000);
  catalog[0].unitPrice.amount = 1500;
  assert.equal(ordo.validateCart(cart, catalog, rules, now).totals.subtotal.amount, 3000);
  catalog[0].active = false;
  assert.equal(ordo.validateCart(cart, catalog, rules, now).issues[0].code, "INACTIVE_PRODUCT");
  rules.coupons = [{ code: "HALF", discount: { percent: { basisPoints: 5000 } } }];
  const discounted = ordo.validateCart({ ...cart, coupons: ["HALF"] }, catalog, rules, now);
  assert.equal(discounted.totals.discount.amount, 1500);
  assert.equal(ordo.cartTotals(cart, catalog, {}, now).discount.amount, 0);
});

test("validateCart sees keys added to or removed from a catalog item, also one that is a class instance", () => {
  const now = "2026-11-27T12:00:00Z";
  const fields = { sku: "A", name: "A", unitPrice: { amount: 1000, currency: "EUR" }, active: true, available: 5,
    policy: "deny", weightGrams: 100, taxClass: "standard" };
  const cart = { currency: "EUR", lines: [{ sku: "A", quantity: 2 }] };
  const codes = (catalog) => ordo.validateCart(cart, catalog, {}, now).issues.map((i) => i.code);
  class Item {
    constructor(values) {
      Object.assign(this, values);
    }
  }
  for (const catalog of [[{ ...fields }], [new Item(fields)]]) {
    assert.deepEqual(codes(catalog), []);
    catalog[0].minPerOrder = 3;
    assert.deepEqual(codes(catalog), ["QTY_BELOW_MIN"], "a key added");
    delete catalog[0].minPerOrder;
    assert.deepEqual(codes(catalog), [], "a key removed");
    catalog[0].maxPerOrder = 1;
    assert.deepEqual(codes(catalog), ["QTY_ABOVE_MAX"]);
    catalog[0] = { ...fields };
    assert.deepEqual(codes(catalog), [], "the same content in a new object");
  }
});

test("validateCart throws for a bad catalog after a good one, every time, and then takes the good one back", () => {
  const now = "2026-11-27T12:00:00Z";
  const good = [{ sku: "A", name: "A", unitPrice: { amount: 1000, currency: "EUR" }, active: true, available: 5,
    policy: "deny", weightGrams: 100, taxClass: "standard" }];
  const cart = { currency: "EUR", lines: [{ sku: "A", quantity: 1 }] };
  assert.equal(ordo.validateCart(cart, good, {}, now).ok, true);
  const bad = structuredClone(good);
  bad[0].unitPrice.currency = "XXX";
  for (let i = 0; i < 2; i++) {
    assert.throws(() => ordo.validateCart(cart, bad, {}, now), { code: "UNKNOWN_CURRENCY" });
  }
  assert.equal(ordo.validateCart(cart, good, {}, now).totals.grandTotal.amount, 1000);
  good[0].available = 0;
  assert.equal(ordo.validateCart(cart, good, {}, now).issues[0].code, "OUT_OF_STOCK");
  good.push({ ...good[0], sku: "B" });
  assert.equal(ordo.validateCart({ currency: "EUR", lines: [{ sku: "B", quantity: 1 }] }, good, {}, now).issues[0].code,
    "OUT_OF_STOCK");
});

test("validateCart reads again a catalog item whose key now comes from its prototype, not from itself", () => {
  const catalog = [item("A", { minPerOrder: 3 })];
  assert.deepEqual(ordo.validateCart(cart("A"), catalog, {}, now).issues.map((i) => i.code), ["QTY_BELOW_MIN"]);
  // The same keys in the same order as seen through for…in, but `minPerOrder` is inherited: not part of the item.
  const { minPerOrder, ...own } = catalog[0];
  const inherited = Object.assign(Object.create({ minPerOrder }), own);
  assert.deepEqual(ordo.validateCart(cart("A"), [inherited], {}, now).issues, []);
  // As many own keys as before, one of them renamed, while the old name still reads the old value
  // (inherited): the keys differ, so the item is read again.
  assert.deepEqual(ordo.validateCart(cart("A"), catalog, {}, now).issues.map((i) => i.code), ["QTY_BELOW_MIN"]);
  const renamed = Object.assign(Object.create({ minPerOrder }), own, { maxPerOrder: 3 });
  assert.deepEqual(ordo.validateCart(cart("A"), [renamed], {}, now).issues, []);
  // An own key that for…in does not list (not enumerable) is not part of it either.
  const hidden = Object.defineProperty({ ...own }, "minPerOrder", { value: 3, enumerable: false });
  assert.deepEqual(ordo.validateCart(cart("A"), [hidden], {}, now).issues, []);
});

test("validateCart does not take an object with index keys for the array it remembers, nor the reverse", () => {
  const catalog = [item("A")];
  assert.equal(ordo.validateCart(cart("A"), catalog, {}, now).ok, true);
  assert.throws(() => ordo.validateCart(cart("A"), { 0: catalog[0] }, {}, now), { code: "INVALID_INPUT" });
  const rules = { coupons: [{ code: "HALF", discount: { percent: { basisPoints: 5000 } } }] };
  const half = { ...cart("A"), coupons: ["HALF"] };
  assert.equal(ordo.validateCart(half, catalog, rules, now).totals.discount.amount, 500);
  assert.throws(() => ordo.validateCart(half, catalog, { coupons: { 0: rules.coupons[0] } }, now), { code: "INVALID_INPUT" });
  assert.equal(ordo.validateCart(half, catalog, rules, now).totals.discount.amount, 500);
  // An item with a key "0" (ignored by the parser), then an array with the same keys for…in lists.
  const keyed = { 0: 1, ...item("A") };
  assert.equal(ordo.validateCart(cart("A"), [keyed], {}, now).ok, true);
  const array = Object.assign([1], item("A"));
  assert.deepEqual(Object.keys(array), Object.keys(keyed));
  assert.throws(() => ordo.validateCart(cart("A"), [array], {}, now), { code: "INVALID_INPUT" });
});

test("validateCart keeps telling changes apart across hundreds of differently keyed catalogs", () => {
  // Each catalog's items have their own extra key (ignored by the parser), so each has its own list
  // of keys: past the comparisons kept per list, the others must be exactly as right.
  for (let i = 0; i < 300; i++) {
    const catalog = [item("A", { [`note${i}`]: i, unitPrice: { amount: 100 + i, currency: "EUR" } })];
    assert.equal(ordo.validateCart(cart("A"), catalog, {}, now).totals.subtotal.amount, 100 + i);
    assert.equal(ordo.cartTotals(cart("A", 2), catalog, {}, now).subtotal.amount, 2 * (100 + i));
    catalog[0].unitPrice.amount += 1;
    assert.equal(ordo.validateCart(cart("A"), catalog, {}, now).totals.subtotal.amount, 101 + i);
    catalog[0][`note${i}`] = "changed";
    catalog[0].available = 0;
    assert.equal(ordo.validateCart(cart("A"), catalog, {}, now).issues[0].code, "OUT_OF_STOCK");
  }
});
