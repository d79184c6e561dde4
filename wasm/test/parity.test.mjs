// Parity: every shared fixture gives, through the wasm package, exactly what ordo-core gives natively.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixtures, ordo, orders as orderModule, messages } from "./helpers.mjs";

const carts = fixtures("cart");
const orders = fixtures("order");

test("there are cart and order fixtures to compare", () => {
  assert.ok(carts.length >= 16, `only ${carts.length} cart fixtures`);
  assert.ok(orders.length >= 10, `only ${orders.length} order fixtures`);
});

for (const [name, f] of carts) {
  test(`cart fixture ${name} validates exactly as natively`, () => {
    const check = ordo.validateCart(f.cart, f.catalog, f.rules, f.now);
    assert.deepStrictEqual(check, f.expected);
    assert.deepStrictEqual(ordo.cartTotals(f.cart, f.catalog, f.rules, new Date(f.now)), f.expected.totals);
  });
}

for (const [name, f] of orders) {
  test(`order fixture ${name} shows the same status and actions as natively`, () => {
    assert.deepStrictEqual(orderModule.orderStatusView(f.timeline, f.now), f.expected.statusView);
    for (const { role, actions } of f.expected.allowedActions) {
      assert.deepStrictEqual(orderModule.allowedActions(f.timeline, role, f.now), actions, JSON.stringify(role));
    }
  });
}

test("the order fixtures carry messages of every kind the events call for", () => {
  const kinds = new Set(orders.flatMap(([, f]) => f.expected.messages.map((m) => (typeof m.notice === "string" ? m.notice : Object.keys(m.notice)[0]))));
  for (const kind of ["confirmation", "shipped", "delivered", "refunded", "returnApproved", "cancelled"]) assert.ok(kinds.has(kind), `${kind}: ${[...kinds]}`);
});

for (const [name, f] of orders) {
  test(`order fixture ${name}: renderMessage writes each message exactly as the server does`, () => {
    for (const m of f.expected.messages) {
      const upto = f.timeline.filter((e) => e.seq <= m.upto);
      const at = upto.at(-1).at;
      assert.deepStrictEqual(messages.renderMessage(upto, m.notice, f.expected.letterhead, at), m.message, JSON.stringify(m.notice));
    }
  });
}

for (const [name, f] of carts) {
  test(`a CartValidator gives the same answer as validateCart for ${name}`, () => {
    const validator = new ordo.CartValidator(f.catalog, f.rules);
    assert.deepStrictEqual(validator.validate(f.cart, f.now), f.expected);
    assert.deepStrictEqual(validator.totals(f.cart, f.now), f.expected.totals);
    validator.free();
  });
}
