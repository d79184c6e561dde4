// Drives the built web demo (web-demo/dist) in Debian's headless Chromium against a real
// `ordo serve --db mem:// --seed-demo` on a free loopback port.
// Run: web-demo/build && node --test web-demo/test/
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const demo = join(dirname(fileURLToPath(import.meta.url)), "..");
const repo = join(demo, "..");
const bin = process.env.ORDO_BIN ?? join(repo, "target/debug/ordo");
const artifacts = join(demo, "test-artifacts");
const env = { ...process.env, ORDO_JWT_SECRET: "web-demo-test-secret-0123456789abcdefghi", ORDO_RATE_LIMIT: "0" };
assert.equal(env.ORDO_JWT_SECRET.length, 40);

let gateway, browser, base, staffToken;
let paidOrderId, customer; // shared between tests 2 and 3

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(url, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (gateway.exitCode !== null) throw new Error(`gateway exited with ${gateway.exitCode}; see ${artifacts}/gateway.log`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${ms} ms`);
}

function stopGateway() {
  if (gateway && gateway.exitCode === null) {
    gateway.kill("SIGTERM");
    const g = gateway;
    setTimeout(() => g.exitCode === null && g.kill("SIGKILL"), 3000).unref();
  }
}
process.on("exit", stopGateway);

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  assert.ok(existsSync(bin), `${bin} missing: cargo build -p ordo-gateway --bin ordo`);
  if (!existsSync(join(demo, "dist/index.html"))) execFileSync(join(demo, "build"), { stdio: "inherit" });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const log = openSync(join(artifacts, "gateway.log"), "w");
  gateway = spawn(bin, ["serve", "--db", "mem://", "--seed-demo", "--listen", `127.0.0.1:${port}`, "--web", join(demo, "dist")], {
    env,
    stdio: ["ignore", log, log],
  });
  await waitReady(`${base}/readyz`);
  staffToken = execFileSync(bin, ["token", "--role", "staff"], { env, encoding: "utf8" }).trim();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  customer = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
});

after(async () => {
  await browser?.close().catch(() => {});
  stopGateway();
});

async function newPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  // A declined payment is an HTTP 400 (application/graphql-response+json), which Chromium logs.
  page.on("console", (m) => m.type() === "error" && !/status of 400/.test(m.text()) && page.errors.push(m.text()));
  return page;
}

const shot = (page, name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
const text = async (page, sel) => (await page.locator(sel).textContent()).trim();

async function addToCart(page, sku) {
  await page.locator(`.product[data-sku="${sku}"] button.add`).click();
  await page.locator(`.line[data-sku="${sku}"]`).waitFor();
}

test("1: the cart validates in the browser (no request), coupons change the totals", async () => {
  const page = customer;
  await page.goto(`${base}/`);
  await page.locator('.product[data-sku="TEE-BLK-M"]').waitFor();
  await addToCart(page, "TEE-BLK-M");
  await addToCart(page, "MUG-STONE");
  await page.locator(".line").nth(1).waitFor();
  assert.equal(await text(page, "#t-subtotal"), "$38.50"); // 24.00 + 14.50

  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const qty = page.locator('.line[data-sku="TEE-BLK-M"] input.qty');
  await qty.fill("12");
  const issue = page.locator('.line[data-sku="TEE-BLK-M"] [data-code="QTY_ABOVE_MAX"]');
  await issue.waitFor();
  assert.match(await issue.textContent(), /At most 10/);
  assert.deepEqual(requests, [], "validation must not touch the network");
  assert.equal(await text(page, "#t-subtotal"), "$302.50"); // totals update at once too
  await shot(page, "storefront-qty-above-max");

  await qty.fill("2");
  await issue.waitFor({ state: "detached" });
  assert.equal(await text(page, "#t-subtotal"), "$62.50");
  const before = await text(page, "#t-grand");
  assert.equal(await text(page, "#t-discount"), "$0.00");

  await page.fill("#coupon", "WELCOME10");
  await page.click("#apply-coupon");
  await page.waitForFunction(() => document.querySelector("#t-discount")?.textContent.includes("6.25"));
  assert.equal(await text(page, "#t-discount"), "−$6.25");
  assert.notEqual(await text(page, "#t-grand"), before);

  await page.fill("#coupon", "NOPE");
  await page.click("#apply-coupon");
  await page.locator('[data-code="COUPON_UNKNOWN"]').waitFor();
  await page.locator(".coupon", { hasText: "NOPE" }).getByRole("button").click();
  await page.locator('[data-code="COUPON_UNKNOWN"]').waitFor({ state: "detached" });
  assert.deepEqual(requests.filter((u) => u.includes("/graphql")), [], "no GraphQL request while editing the cart");
  assert.deepEqual(page.errors, []);
});

async function fillCheckout(page, token) {
  await page.fill("#addr-name", "Ada Lovelace");
  await page.fill("#addr-line1", "1 Main St");
  await page.fill("#addr-city", "Springfield");
  await page.fill("#addr-region", "IL");
  await page.fill("#addr-postalCode", "6270"); // bad on purpose
  await page.locator('[data-code="ADDRESS_INVALID_POSTCODE"]').waitFor();
  await page.fill("#addr-postalCode", "62701");
  await page.locator('[data-code="ADDRESS_INVALID_POSTCODE"]').waitFor({ state: "detached" });
  await page.fill("#email", "ada@example.com");
  await page.selectOption("#payment-token", token);
}

test("2: checkout with tok_visa opens the order page; tok_declined shows a payment error", async () => {
  const page = customer;
  await fillCheckout(page, "tok_visa");
  const browserTotal = await text(page, "#t-grand");
  await shot(page, "storefront-checkout");
  await page.click("#place-order");
  await page.waitForURL(/#\/orders\/ord_/);
  await page.locator("#headline").waitFor();
  paidOrderId = decodeURIComponent(page.url().split("#/orders/")[1]);
  assert.equal(await text(page, "#headline"), "Order confirmed");
  assert.equal(await text(page, "#order-id"), paidOrderId);
  assert.ok((await page.locator(".lines-summary").textContent()).includes(browserTotal), `server total equals the browser's ${browserTotal}`);
  await shot(page, "tracking-confirmed");

  // A second order paid with a declined token.
  await page.goto(`${base}/#/`);
  await page.locator('.product[data-sku="CAP-NAVY"]').waitFor();
  await addToCart(page, "CAP-NAVY");
  await page.selectOption("#payment-token", "tok_declined");
  await page.click("#place-order");
  const msg = page.locator('#checkout-msg[data-code="PAYMENT_DECLINED"]');
  await msg.waitFor();
  assert.match(await msg.textContent(), /Payment declined/);
  assert.match(page.url(), /#\/$/);
  await shot(page, "storefront-payment-declined");
  assert.deepEqual(page.errors, []);
});

test("3: staff create shipments, pick, pack and ship; the open tracking page follows live", async () => {
  assert.ok(paidOrderId, "test 2 placed an order");
  const page = customer;
  await page.goto(`${base}/#/orders/${paidOrderId}`);
  await page.locator('#live-state[data-state="live"]').waitFor();
  await page.evaluate(() => (window.__noReload = true));
  const events = () => page.locator("#timeline li").count();

  const staff = await newPage(await browser.newContext({ viewport: { width: 390, height: 844 } })); // phone width
  await staff.goto(`${base}/?token=${encodeURIComponent(staffToken)}#/staff`);
  await staff.locator(`#queue tr[data-id="${paidOrderId}"]`).waitFor();
  assert.ok(!staff.url().includes("token="), "the token leaves the address bar");
  await shot(staff, "staff-queue");
  await staff.click(`#queue tr[data-id="${paidOrderId}"] a`);
  await staff.locator("#act-create-shipments").waitFor();
  assert.equal(await staff.locator(".act-ship").count(), 0);

  const step = async (label, act, check) => {
    const n = await events();
    await act();
    await staff.locator("#action-msg", { hasText: `${label}: done.` }).waitFor();
    await page.waitForFunction((k) => document.querySelectorAll("#timeline li").length > k, n);
    if (check) await check();
  };
  assert.equal(await staff.locator("#act-create-shipments").isEnabled(), true);
  await step("Create shipments", () => staff.click("#act-create-shipments"), () => page.locator(".shipments .shipment").first().waitFor());
  const pick = staff.locator(".act-pick").first();
  assert.equal(await staff.locator(".act-ship").first().isDisabled(), true, "cannot ship before packing");
  await step("Start picking", () => pick.click(), () => page.locator('.shipment[data-state="picking"]').first().waitFor());
  await step("Pack", () => staff.locator(".act-pack").first().click(),
    () => page.locator('.step[data-key="packed"][data-state="done"]').waitFor());
  await staff.locator('input[id^="tracking-"]').first().fill("1ZDEMO0001");
  await shot(staff, "staff-order");
  await step("Ship", () => staff.locator(".act-ship").first().click(),
    () => page.locator(".shipments", { hasText: "1ZDEMO0001" }).waitFor());
  await page.locator('.step[data-key="shipped"][data-state="done"]').waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), true, "the tracking page never reloaded");
  assert.ok((await events()) >= 6);
  await shot(page, "tracking-shipped");

  await staff.goto(`${base}/#/dashboard`);
  await staff.locator('#chart-status rect[data-key="SHIPPED"]').waitFor();
  assert.equal(await staff.locator('#chart-status rect[data-key="SHIPPED"]').getAttribute("data-value"), "1");
  await shot(staff, "dashboard");
  assert.deepEqual(page.errors, []);
  assert.deepEqual(staff.errors, []);
});
