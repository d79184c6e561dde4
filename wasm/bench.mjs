// Benchmark (not a test): validateCart throughput on 3- and 50-line carts in Node, and package sizes.
// Run: npm run bench (after ./build). Numbers vary with the machine; compare ratios within one run.
import { readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const ordo = await import(join(here, "pkg/node/index.mjs"));

const catalog = Array.from({ length: 60 }, (_, i) => ({
  sku: `SKU-${i}`, name: `Product ${i}`, unitPrice: { amount: 999 + i * 37, currency: "USD" }, active: true,
  maxPerOrder: 20, available: 100, policy: i % 10 === 0 ? { backorder: { leadTimeDays: 7 } } : "deny",
  weightGrams: 150 + i, taxClass: i % 3 === 0 ? "reduced" : "standard",
}));
const rules = {
  coupons: [{ code: "TEN", discount: { percent: { basisPoints: 1000 } } }],
  shipping: [{ name: "US", countries: ["US"], options: [{ code: "ground", name: "Ground",
    rate: { weightBands: { bands: [{ upToGrams: 5000, amount: { amount: 895, currency: "USD" } },
      { upToGrams: 100000, amount: { amount: 2995, currency: "USD" } }] } }, transitDays: 4 }] }],
  tax: { rates: [{ country: "US", class: "standard", basisPoints: 600 }, { country: "US", class: "reduced", basisPoints: 200 }] },
};
const cart = (n) => ({
  currency: "USD", coupons: ["TEN"], stage: "checkout", email: "ada@example.com",
  lines: Array.from({ length: n }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 + (i % 4) })),
  shippingAddress: { name: "Ada", line1: "1 Main St", city: "Springfield", region: "IL", postalCode: "62701", country: "US" },
});

function bench(label, fn, seconds = 2) {
  for (let i = 0; i < 3000; i++) fn(); // warm up (lets V8 tier the wasm up)
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(seconds * 1e9);
  while (process.hrtime.bigint() < end) { fn(); n++; }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(28)} ${(n / elapsed).toFixed(0).padStart(8)} ops/s ${((elapsed / n) * 1e6).toFixed(1).padStart(8)} µs/op`);
}

const now = "2026-11-27T12:00:00Z";
const small = cart(3);
const large = cart(50);
if (!ordo.validateCart(large, catalog, rules, now).ok) throw new Error("the 50-line benchmark cart should be valid");
bench("validateCart, 3 lines", () => ordo.validateCart(small, catalog, rules, now));
bench("validateCart, 50 lines", () => ordo.validateCart(large, catalog, rules, now));
bench("cartTotals, 50 lines", () => ordo.cartTotals(large, catalog, rules, now));
const validator = new ordo.CartValidator(catalog, rules);
bench("CartValidator, 3 lines", () => validator.validate(small, now));
bench("CartValidator, 50 lines", () => validator.validate(large, now));
bench("CartValidator totals, 50", () => validator.totals(large, now));

for (const file of ["ordo_wasm_bg.wasm", "ordo_wasm.js", "ordo_wasm_orders_bg.wasm", "ordo_wasm_orders.js"]) {
  const path = join(here, "pkg/web", file);
  const gz = gzipSync(readFileSync(path), { level: 9 }).length;
  console.log(`${file.padEnd(25)} ${statSync(path).size} bytes raw, ${gz} bytes gzipped`);
}
