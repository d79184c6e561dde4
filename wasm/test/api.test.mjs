// The other exports: checks, formatting, dates, and the README example run as a consumer would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ordo, orders, wasmDir } from "./helpers.mjs";

test("checkAddress normalises a valid address and lists every problem of a bad one", () => {
  const good = ordo.checkAddress({ name: "Ada", line1: "10 Downing St", city: "London", postalCode: "sw1a2aa", country: "gb" });
  assert.equal(good.ok, true);
  assert.equal(good.address.postalCode, "SW1A 2AA");
  assert.equal(good.address.country, "GB");
  const bad = ordo.checkAddress({ country: "US", postalCode: "123", phone: "555" });
  assert.equal(bad.ok, false);
  assert.equal(bad.address, null);
  assert.deepEqual(
    bad.issues.map((i) => [i.code, i.path]),
    [
      ["ADDRESS_MISSING_FIELD", "name"],
      ["ADDRESS_MISSING_FIELD", "line1"],
      ["ADDRESS_MISSING_FIELD", "city"],
      ["ADDRESS_INVALID_POSTCODE", "postalCode"],
      ["PHONE_INVALID", "phone"],
    ],
  );
});

test("checkEmail returns the normalised address or one issue", () => {
  assert.deepEqual(ordo.checkEmail("Ada@Example.COM"), { ok: true, email: "Ada@example.com", issues: [] });
  const bad = ordo.checkEmail("ada@");
  assert.equal(bad.ok, false);
  assert.equal(bad.issues[0].code, "EMAIL_INVALID");
});

test("checkCard recognises brands, the check digit and expiry", () => {
  const now = "2026-11-27T00:00:00Z";
  assert.deepEqual(ordo.checkCard("4242 4242 4242 4242", 12, 2030, now), { ok: true, brand: "visa", last4: "4242", problems: [] });
  assert.deepEqual(ordo.checkCard("4242424242424241", 12, 2030, now).problems, ["NUMBER_CHECKSUM"]);
  assert.deepEqual(ordo.checkCard("378282246310005", 10, 2026, now).problems, ["EXPIRED"]);
  assert.equal(ordo.checkCard("378282246310005", 11, 26, now).brand, "amex");
});

test("formatMoney writes amounts per locale and currency exponent", () => {
  assert.equal(ordo.formatMoney(123456, "USD"), "$1,234.56");
  assert.equal(ordo.formatMoney(123456n, "EUR", "de-DE"), "1.234,56\u00a0€");
  assert.equal(ordo.formatMoney(1500, "KWD", "en"), "KWD\u00a01.500");
  assert.equal(ordo.formatMoney(1234567, "JPY", "ja-JP"), "¥1,234,567");
  assert.equal(ordo.formatMoney(12345678, "INR", "en-IN"), "₹1,23,456.78");
  assert.equal(ordo.formatMoney(-5, "USD"), "-$0.05");
});

test("formatDate writes dates as every screen and message does, and refuses what is not a date", () => {
  assert.equal(ordo.formatDate("2026-12-15"), "15 Dec 2026");
  assert.equal(ordo.formatDate("2026-12-15", "short"), "Tue 15 Dec");
  assert.equal(orders.formatDate("2026-12-15"), "15 Dec 2026", "the order module writes them the same");
  assert.throws(() => ordo.formatDate("15/12/2026"), (e) => e.code === "INVALID_DATE");
  assert.throws(() => ordo.formatDate("2026-12-15", "tiny"), (e) => e.code === "INVALID_INPUT");
});

test("a validator's backorder promise is the date the cart then shows: the purchase order's, else the lead time", () => {
  const item = (sku, nextRestock) => ({ sku, name: sku, unitPrice: { amount: 100, currency: "USD" }, active: true, available: 0,
    policy: { backorder: { leadTimeDays: 14 } }, nextRestock, weightGrams: 1, taxClass: "standard" });
  const validator = new ordo.CartValidator([item("PO", "2026-12-15"), item("LEAD", null), { ...item("DENY", null), policy: "deny" }], {});
  const now = "2026-12-07T10:00:00Z";
  assert.equal(validator.backorderPromise("PO", now), "2026-12-15");
  assert.equal(validator.backorderPromise("LEAD", now), "2026-12-21");
  assert.equal(validator.backorderPromise("DENY", now), null);
  assert.equal(validator.backorderPromise("NOPE", now), null);
  const promised = validator.validate({ currency: "USD", lines: [{ sku: "PO", quantity: 1 }] }, now).totals.lines[0].fulfilment.backorder.promised;
  assert.equal(promised, validator.backorderPromise("PO", now), "one promise, one date");
  validator.free();
});

test("now defaults to the current time and accepts a Date", () => {
  const cart = { currency: "USD", lines: [{ sku: "A", quantity: 1 }] };
  const catalog = [{ sku: "A", name: "A", unitPrice: { amount: 100, currency: "USD" }, active: true, available: 0,
    policy: { backorder: { leadTimeDays: 2 } }, weightGrams: 1, taxClass: "standard" }];
  const promised = (now) => ordo.validateCart(cart, catalog, {}, now).totals.lines[0].fulfilment.backorder.promised;
  assert.equal(promised("2026-11-27T12:00:00Z"), "2026-11-29");
  assert.equal(promised(new Date("2026-01-01T00:00:00Z")), "2026-01-03");
  const today = new Date();
  const expected = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 2));
  assert.equal(promised(undefined), expected.toISOString().slice(0, 10));
});

test("the README example works pasted into a Node ES module", () => {
  const readme = readFileSync(join(wasmDir, "npm/README.md"), "utf8");
  const code = readme.match(/```js\n([\s\S]*?)```/)[1];
  const dir = mkdtempSync(join(tmpdir(), "ordo-readme-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(wasmDir, "pkg"), join(dir, "node_modules/ordo-wasm"), "dir");
  writeFileSync(join(dir, "example.mjs"), code);
  const out = execFileSync(process.execPath, ["example.mjs"], { cwd: dir, encoding: "utf8" })
    .replaceAll("\u00a0", " ") // formatMoney uses no-break spaces; the README shows plain ones
    .trim()
    .split("\n");
  const promised = code.split("\n").filter((l) => l.includes("console.log")).map((l) => l.split("// ")[1]);
  assert.deepEqual(out, promised);
});

test("the order functions come from ordo-wasm/orders, the cart functions from ordo-wasm", () => {
  assert.equal(typeof orders.orderStatusView, "function");
  assert.equal(typeof orders.allowedActions, "function");
  assert.equal(typeof orders.formatMoney, "function");
  assert.equal(ordo.orderStatusView, undefined, "the storefront module does not carry the order code");
  assert.equal(ordo.allowedActions, undefined);
  assert.equal(orders.validateCart, undefined, "the order module does not carry the cart code");
  // Both modules in one page: each has its own codec state, so interleaved calls stay right.
  assert.equal(ordo.formatMoney(123456, "EUR", "de-DE"), orders.formatMoney(123456, "EUR", "de-DE"));
});

test("a consumer imports ordo-wasm/orders through the package's exports", () => {
  const dir = mkdtempSync(join(tmpdir(), "ordo-wasm-orders-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(wasmDir, "pkg"), join(dir, "node_modules/ordo-wasm"), "dir");
  writeFileSync(
    join(dir, "main.mjs"),
    `import init, { orderStatusView, allowedActions } from "ordo-wasm/orders";
     import { validateCart } from "ordo-wasm";
     await init();
     console.log(typeof orderStatusView, typeof allowedActions, typeof validateCart);`,
  );
  const out = execFileSync(process.execPath, [join(dir, "main.mjs")], { encoding: "utf8" });
  assert.equal(out.trim(), "function function function");
});
