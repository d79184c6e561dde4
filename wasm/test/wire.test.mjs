// The wire codec (ordo-wire, wasm/wire/): values that stress the encoding cross both ways unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ordo, wasmDir } from "./helpers.mjs";

const now = "2026-11-27T12:00:00Z";
const item = (sku, name) => ({ sku, name, unitPrice: { amount: 1250, currency: "EUR" }, active: true, available: 5,
  policy: "deny", weightGrams: 100, taxClass: "standard" });

test("names with accents, CJK and emoji come back exactly as sent", () => {
  const names = ["Crème brûlée ☕", "抹茶ラテ", "Gift 🎁 box 👨‍👩‍👧", "tab\tand \"quotes\" and \\ and ;s3;"];
  const catalog = names.map((name, i) => item(`SKU-${i}`, name));
  const cart = { currency: "EUR", lines: names.map((_, i) => ({ sku: `SKU-${i}`, quantity: 1 })) };
  const check = ordo.validateCart(cart, catalog, {}, now);
  assert.deepEqual(check.totals.lines.map((l) => l.name), names);
  const inactive = ordo.validateCart({ currency: "EUR", lines: [{ sku: "SKU-2", quantity: 1 }] },
    [{ ...catalog[2], active: false }], {}, now);
  assert.equal(inactive.issues[0].message, `"${names[2]}" is no longer sold.`);
});

test("a bigint quantity is read like a number", () => {
  const catalog = [item("A", "A")];
  const check = ordo.validateCart({ currency: "EUR", lines: [{ sku: "A", quantity: 2n }] }, catalog, {}, now);
  assert.equal(check.totals.lines[0].quantity, 2);
  assert.deepEqual(check.totals.subtotal, { amount: 2500, currency: "EUR" });
});

test("unknown fields are ignored and a non-ASCII unknown key does not upset the reader", () => {
  const catalog = [{ ...item("A", "A"), "größe": "XL", extra: { nested: [1, 2.5, null, "ü"] } }];
  const check = ordo.validateCart({ currency: "EUR", lines: [{ sku: "A", quantity: 1, "注記": "x" }] }, catalog, {}, now);
  assert.equal(check.ok, true);
  assert.equal(check.totals.grandTotal.amount, 1250);
});

test("only own enumerable properties are read, whatever the prototypes hold", () => {
  const fields = item("A", "A");
  const cart = { currency: "EUR", lines: [{ sku: "A", quantity: 2 }] };
  Object.defineProperty(Object.prototype, "minPerOrder", { value: 5, enumerable: true, configurable: true });
  try {
    assert.deepEqual(ordo.validateCart(cart, [{ ...fields }], {}, now).issues, []);
  } finally {
    delete Object.prototype.minPerOrder;
  }
  const { active, ...rest } = fields;
  const inherited = Object.assign(Object.create({ active }), rest);
  assert.throws(() => ordo.validateCart(cart, [inherited], {}, now), (e) => e.code === "INVALID_INPUT" && /missing field `active`/.test(e.message));
  const hidden = Object.defineProperty({ ...fields }, "minPerOrder", { value: 5, enumerable: false });
  assert.deepEqual(ordo.validateCart(cart, [hidden], {}, now).issues, []);
});

test("a float, a function or a value nested too deeply is an INVALID_INPUT error", () => {
  const catalog = [item("A", "A")];
  const deep = {};
  let at = deep;
  for (let i = 0; i < 200; i++) at = at.next = {};
  for (const cart of [
    { currency: "EUR", lines: [{ sku: "A", quantity: 0.5 }] },
    { currency: "EUR", lines: [{ sku: "A", quantity: () => 1 }] },
    { currency: "EUR", lines: [], deep },
  ]) {
    assert.throws(() => ordo.validateCart(cart, catalog, {}, now), (e) => e.code === "INVALID_INPUT" && /^cart: /.test(e.message));
  }
  assert.throws(() => ordo.validateCart({ currency: "EUR", lines: [{ sku: "A", quantity: 0.5 }] }, catalog, {}, now),
    /invalid type: floating point number, expected i64/);
});

test("results built after a failed call still carry the right field names", () => {
  const catalog = [item("A", "A")];
  assert.throws(() => ordo.validateCart({ currency: "EUR", lines: [{ sku: "A", quantity: "1" }] }, catalog, {}, now));
  const check = ordo.validateCart({ currency: "EUR", lines: [{ sku: "A", quantity: 1 }] }, catalog, {}, now);
  assert.deepEqual(Object.keys(check), ["ok", "totals", "issues"]);
  assert.deepEqual(check.totals.lines[0].unitPrice, { amount: 1250, currency: "EUR" });
});

test("a getter that validates another cart while its own cart is read gets both answers right", () => {
  const catalog = [item("A", "A"), item("B", "B")];
  let inner;
  const line = { sku: "B", get quantity() { inner = ordo.validateCart({ currency: "EUR", lines: [{ sku: "A", quantity: 3 }] }, catalog, {}, now); return 2; } };
  const outer = ordo.validateCart({ currency: "EUR", lines: [line] }, catalog, {}, now);
  assert.equal(inner.totals.subtotal.amount, 3750);
  assert.deepEqual(outer.totals.lines.map((l) => [l.sku, l.quantity]), [["B", 2]]);
});

test("strings of every length and script, and integers up to 2^53, are read exactly", () => {
  const lengths = [0, 1, 42, 85, 86, 255, 256, 70000];
  const names = lengths.flatMap((n) => ["x".repeat(n), "é".repeat(n), "🎁".repeat(n >> 1)]).filter((s) => s.length > 0);
  const catalog = names.map((name, i) => ({ ...item(`SKU-${i}`, name), unitPrice: { amount: 2 ** 53 - 1 - i, currency: "EUR" } }));
  const check = ordo.validateCart({ currency: "EUR", lines: [{ sku: "SKU-3", quantity: 1 }] }, catalog, {}, now);
  assert.equal(check.totals.lines[0].name, names[3]);
  for (const [i, name] of names.entries()) {
    const one = ordo.validateCart({ currency: "EUR", lines: [{ sku: `SKU-${i}`, quantity: 1 }] }, catalog, {}, now);
    assert.equal(one.totals.lines[0].name, name);
    assert.equal(one.totals.lines[0].unitPrice.amount, 2 ** 53 - 1 - i);
  }
});

test("where code generation from strings is forbidden (a strict Content-Security-Policy), results are the same", () => {
  const flag = "--disallow-code-generation-from-strings";
  const blocked = spawnSync(process.execPath, [flag, "-e", "new Function('return 1')"], { encoding: "utf8" });
  assert.notEqual(blocked.status, 0, "the flag should forbid new Function");
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // a run of its own, reporting as usual
  // The parity fixtures (objects built field by field) and the memo tests (comparisons not generated).
  for (const file of ["parity.test.mjs", "memo.test.mjs"]) {
    const run = spawnSync(process.execPath, [flag, "--test", "--test-reporter=tap", join(wasmDir, "test", file)],
      { encoding: "utf8", env });
    assert.equal(run.status, 0, file + run.stdout + run.stderr);
    assert.match(run.stdout, /# fail 0/);
    assert.match(run.stdout, /# pass [1-9]/);
  }
});

test("objects whose fields change kind after their shape's first object are still built right", () => {
  // The first result of each shape decides what its generated builder expects per field (a small
  // number, a string, an object of one shape); later values of any other kind must still come out.
  const catalog = [item("A", "A"), { ...item("B", "B"), available: 0, policy: { backorder: { leadTimeDays: 3 } } },
    { ...item("C", "C"), unitPrice: { amount: 2 ** 40, currency: "EUR" } }];
  const cart = (lines) => ({ currency: "EUR", lines });
  for (let i = 0; i < 3; i++) {
    const plain = ordo.validateCart(cart([{ sku: "A", quantity: 1 }]), catalog, {}, now);
    assert.equal(plain.totals.lines[0].fulfilment, "inStock");
    assert.equal(plain.totals.shippingOption, null);
    const mixed = ordo.validateCart(cart([{ sku: "B", quantity: 2 }, { sku: "C", quantity: 3 }, { sku: "A", quantity: 1 }]), catalog, {}, now);
    assert.deepEqual(mixed.totals.lines.map((l) => [l.sku, l.fulfilment, l.unitPrice, l.subtotal.amount]), [
      ["B", { backorder: { quantity: 2, promised: "2026-11-30" } }, { amount: 1250, currency: "EUR" }, 2500],
      ["C", "inStock", { amount: 2 ** 40, currency: "EUR" }, 3 * 2 ** 40],
      ["A", "inStock", { amount: 1250, currency: "EUR" }, 1250],
    ]);
    assert.equal(mixed.issues[0].severity, "warning");
  }
});

test("a lone surrogate becomes U+FFFD, also when the next string starts with the other half", () => {
  const { sku, name, ...rest } = item("A", "A");
  const catalog = [{ sku, name: "Bad \ud83c", "\udf81 next": "\udf81", ...rest }];
  const check = ordo.validateCart({ currency: "EUR", lines: [{ sku: "A", quantity: 1 }] }, catalog, {}, now);
  assert.equal(check.totals.lines[0].name, "Bad \ufffd");
});

test("after avoidCodeGeneration() no function is generated and results are the same", () => {
  const script = `
    import { ordo, orders, fixtures } from ${JSON.stringify(join(wasmDir, "test/helpers.mjs"))};
    import assert from "node:assert/strict";
    ordo.avoidCodeGeneration();
    orders.avoidCodeGeneration();
    let generated = 0;
    globalThis.Function = function () { generated++; throw new Error("no code generation here"); };
    for (const [name, f] of fixtures("cart")) assert.deepStrictEqual(ordo.validateCart(f.cart, f.catalog, f.rules, f.now), f.expected, name);
    for (const [name, f] of fixtures("order")) assert.deepStrictEqual(orders.orderStatusView(f.timeline, f.now), f.expected.statusView, name);
    assert.equal(generated, 0, "new Function was called");
    console.log("same");
  `;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), "same");
});
