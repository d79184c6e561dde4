// Benchmark (not a test): validateCart and CartValidator throughput on 3- and 50-line carts in Node,
// and package sizes. Run: npm run bench (after ./build).
//
//   npm run bench                         this package
//   npm run bench -- --against <dir>      this package and another build of it (a directory holding
//                                         its nodejs target, e.g. a copy of pkg/node made earlier),
//                                         timed alternately in one process
//   npm run bench -- --only <text>        only the cases whose name contains <text>
//
// Each case runs in rounds of 150 ms, the packages taking turns; the fastest round and the median
// are printed. This machine is shared and noisy: compare packages within one run, and trust the
// minimum more than the median.
import { existsSync, readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const require = createRequire(import.meta.url);
const against = process.argv.indexOf("--against");
const dirs = [["this", join(here, "pkg/node")]];
if (against > 0) dirs.push(["other", resolve(process.argv[against + 1] ?? "")]);
const packages = dirs.map(([label, dir]) => {
  const entry = join(dir, "ordo_wasm.js");
  if (!existsSync(entry)) throw new Error(`no nodejs build of ordo-wasm in ${dir}`);
  return { label, ordo: require(entry) };
});

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
const now = "2026-11-27T12:00:00Z";
const small = cart(3);
const large = cart(50);

const cases = [
  ["validateCart, 3 lines", (o) => () => o.validateCart(small, catalog, rules, now)],
  ["validateCart, 50 lines", (o) => () => o.validateCart(large, catalog, rules, now)],
  ["cartTotals, 50 lines", (o) => () => o.cartTotals(large, catalog, rules, now)],
  ["CartValidator, 3 lines", (o, v) => () => v.validate(small, now)],
  ["CartValidator, 50 lines", (o, v) => () => v.validate(large, now)],
  ["CartValidator totals, 50", (o, v) => () => v.totals(large, now)],
];

/** µs per call over one round of `ms` milliseconds. */
function round(fn, ms = 150) {
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms * 1e6);
  while (process.hrtime.bigint() < end) {
    fn();
    n++;
  }
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}

const expected = JSON.stringify(packages[0].ordo.validateCart(large, catalog, rules, now));
for (const { label, ordo } of packages) {
  const check = ordo.validateCart(large, catalog, rules, now);
  if (!check.ok) throw new Error("the 50-line benchmark cart should be valid");
  if (JSON.stringify(check) !== expected) console.log(`note: ${label} gives a different result`);
}
const validators = packages.map(({ ordo }) => new ordo.CartValidator(catalog, rules));
const only = process.argv.indexOf("--only");
const rounds = 12;
for (const [name, make] of cases.filter(([name]) => only < 0 || name.includes(process.argv[only + 1]))) {
  const fns = packages.map(({ ordo }, i) => make(ordo, validators[i]));
  for (const fn of fns) for (let i = 0; i < 3000; i++) fn(); // warm up (lets V8 tier the wasm up)
  const times = packages.map(() => []);
  for (let r = 0; r < rounds; r++) fns.forEach((fn, i) => times[i].push(round(fn)));
  for (const [i, { label }] of packages.entries()) {
    const sorted = times[i].sort((a, b) => a - b);
    const tag = packages.length > 1 ? ` (${label})` : "";
    console.log(`${(name + tag).padEnd(34)} min ${sorted[0].toFixed(1).padStart(7)} µs  median ${sorted[rounds >> 1].toFixed(1).padStart(7)} µs  ${(1e6 / sorted[0]).toFixed(0).padStart(7)} ops/s`);
  }
}

for (const file of ["ordo_wasm_bg.wasm", "ordo_wasm.js", "ordo_wasm_orders_bg.wasm", "ordo_wasm_orders.js"]) {
  const path = join(here, "pkg/web", file);
  const gz = gzipSync(readFileSync(path), { level: 9 }).length;
  console.log(`${file.padEnd(25)} ${statSync(path).size} bytes raw, ${gz} bytes gzipped`);
}
