// Drives the built web demo (web-demo/dist) in Debian's headless Chromium against a real
// `ordo serve --db mem:// --seed-demo` on a free loopback port (its messages written as .eml files).
// Run: web-demo/build && node --test web-demo/test/
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { artifacts, bin, env, startGateway, launchChromium, watchPage } from "./harness.mjs";

// Where the gateway writes its messages to customers (.eml files: no --smtp).
const mailDir = join(artifacts, "mail");
const CARRIER_SECRET = "web-demo-carrier-secret";

let gateway, browser, base, staffToken;
let paidOrderId, customer; // shared between tests 2 and 3

before(async () => {
  rmSync(mailDir, { recursive: true, force: true });
  gateway = await startGateway("gateway", ["--carrier-secrets", `generic=${CARRIER_SECRET}`, "--mail-dir", mailDir]);
  ({ base, staffToken } = gateway);
  browser = await launchChromium();
  customer = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
});

after(async () => {
  await browser?.close().catch(() => {});
  gateway?.stop();
});

async function newPage(context) {
  return watchPage(await context.newPage());
}

const shot = (page, name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
const text = async (page, sel) => (await page.locator(sel).textContent()).trim();

async function addToCart(page, sku) {
  await page.locator(`.product[data-sku="${sku}"] button.add`).click();
  await page.locator(`.line[data-sku="${sku}"]`).waitFor();
}

test("1: the cart validates in the browser (no request), a new coupon code is looked up once and changes the totals", async () => {
  const page = customer;
  await page.goto(`${base}/`);
  await page.locator('.product[data-sku="TEE-BLK-M"]').waitFor();
  // Badges: a backorder promised against the open purchase order, a dropship supplier.
  const hoodie = page.locator('.product[data-sku="HOODIE-GRY-L"] .badge');
  assert.match(await hoodie.textContent(), /^Backorder — ships by /);
  assert.equal(await hoodie.getAttribute("data-source"), "purchase-order");
  assert.equal(await text(page, '.product[data-sku="CHAIR-ASH"] .badge'), "Ships from Northwood Furniture, our partner");
  await addToCart(page, "TEE-BLK-M");
  await addToCart(page, "MUG-STONE");
  await page.locator(".line").nth(1).waitFor();
  assert.equal(await text(page, "#t-subtotal"), "$38.50"); // 24.00 + 14.50

  const requests = [];
  page.on("request", (r) => requests.push({ url: r.url(), body: r.postData() ?? "" }));
  const graphql = () => requests.filter((r) => r.url.includes("/graphql"));
  const qty = page.locator('.line[data-sku="TEE-BLK-M"] input.qty');
  await qty.fill("12");
  const issue = page.locator('.line[data-sku="TEE-BLK-M"] [data-code="QTY_ABOVE_MAX"]');
  await issue.waitFor();
  assert.match(await issue.textContent(), /At most 10/);
  assert.deepEqual(requests.map((r) => r.url), [], "validation must not touch the network");
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

  // An unknown code is refused as it is entered, saying why; the cart keeps what it had.
  await page.fill("#coupon", "NOPE");
  await page.click("#apply-coupon");
  const refusal = page.locator("#coupon-msg:not([hidden])");
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /^NOPE: /);
  assert.deepEqual(await page.locator(".coupons .coupon > span").allTextContents(), ["WELCOME10"], "never a chip");
  assert.equal(await text(page, "#t-discount"), "−$6.25");
  // Coupons are secret until named: each new code was looked up once, nothing else was asked.
  assert.deepEqual(graphql().map((r) => JSON.parse(r.body).variables.c), [["WELCOME10"], ["WELCOME10", "NOPE"]]);
  assert.ok(graphql().every((r) => JSON.parse(r.body).query.includes("cartRules(coupons: $c)")));
  const rules = await page.evaluate(async () => {
    const res = await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ cartRules }" }) });
    return (await res.json()).data.cartRules;
  });
  assert.deepEqual(rules.coupons, [], "an anonymous caller who names no code sees none");
  assert.deepEqual(page.errors, []);
});

async function fillCheckout(page, token) {
  // The shipping options offered are ordo-core's for the country typed (ordo-wasm's shippingOptions).
  const options = () => page.locator("#shipping-option option").allTextContents();
  const us = ["Ground (3–5 days)", "Express (1–2 days)"];
  assert.deepEqual(await options(), us);
  await page.fill("#addr-country", "ca");
  assert.deepEqual(await options(), ["International"]);
  await page.fill("#addr-country", "J");
  assert.deepEqual(await options(), [], "a half-typed country is offered nothing");
  await page.fill("#addr-country", "JP");
  assert.deepEqual(await options(), [], "no zone serves JP");
  await page.fill("#addr-country", "US");
  assert.deepEqual(await options(), us);
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
  // The queue finds the orders placed with an address, in any case.
  await staff.fill("#queue-find", "ADA@example.com");
  await staff.press("#queue-find", "Enter");
  await staff.waitForFunction(() => {
    const rows = [...document.querySelectorAll("#queue tr[data-id]")];
    return rows.length > 0 && rows.every((tr) => tr.textContent.includes("ada@example.com"));
  });
  // The short number on the customer's page is the one in the queue, and it finds the order.
  const reference = await text(page, "#order-ref");
  assert.match(reference, /^#\d{4,}$/);
  assert.equal(await text(staff, `#queue tr[data-id="${paidOrderId}"] a`), reference);
  await staff.fill("#queue-find", reference);
  await staff.press("#queue-find", "Enter");
  await staff.waitForURL(new RegExp(`#/staff/${paidOrderId}$`));
  await staff.locator("#act-create-shipments").waitFor();
  assert.equal(await staff.locator(".act-ship").count(), 0);
  assert.match(await text(staff, "#ship-to"), /^Ship to: Ada Lovelace, 1 Main St, .* · by Ground \(3–5 days\)$/);

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
  // Carriers come from the shop's list, and a mistyped number is refused with the reason.
  const carriers = await staff.locator('select[id^="carrier-"]').first().locator("option").allTextContents();
  assert.ok(carriers.includes("UPS") && carriers.includes("DHL Express"), carriers.join());
  await staff.locator('input[id^="tracking-"]').first().fill("1Z999AA10123456785");
  await staff.locator(".act-ship").first().click();
  await staff.locator(".action-msg.error", { hasText: "wrong check digit" }).waitFor();
  await staff.locator('input[id^="tracking-"]').first().fill("1Z999AA10123456784");
  await shot(staff, "staff-order");
  await step("Ship", () => staff.locator(".act-ship").first().click(),
    () => page.locator(".shipments", { hasText: "1Z999AA10123456784" }).waitFor());
  await page.locator('.step[data-key="shipped"][data-state="done"]').waitFor();
  // Shipping is when the money is taken: the staff page shows the capture.
  await staff.locator("p", { hasText: /payment (partially )?captured \(\$[1-9][\d,]*\.\d\d captured\)/ }).first().waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), true, "the tracking page never reloaded");
  // Names, not internals: where the parcel leaves from, and who did what.
  assert.match(await page.locator(".shipments .shipment").first().textContent(), / from [A-Z][a-z]+ warehouse/);
  const by = await page.locator("#timeline .actor").allTextContents();
  assert.ok(by.includes(" · You") && by.includes(" · Ordo demo shop"), by.join("|"));
  assert.ok(!by.some((b) => /anonymous|customer|staff|system/.test(b)), by.join("|"));
  assert.ok((await events()) >= 6);
  await shot(page, "tracking-shipped");
  // The label opens from the order page in a new tab: a signed link, no bearer header needed.
  assert.match(await staff.locator(".parcel-items").first().textContent(), /^In the box: \d+ × /);
  const [tab] = await Promise.all([staff.context().waitForEvent("page"), staff.locator(".doc-label").first().click()]);
  await tab.waitForURL(/\/label\.pdf\?token=/);
  const pdf = await fetch(tab.url()); // without the staff's bearer token
  assert.equal(pdf.status, 200);
  assert.equal(pdf.headers.get("content-type"), "application/pdf");
  // The shopper opens the receipt from the tracking page the same way, with the shipped
  // parcel's capture on it.
  const [receiptTab] = await Promise.all([page.context().waitForEvent("page"), page.click("#open-receipt")]);
  await receiptTab.waitForURL(/\/receipt\.pdf\?token=/);
  // The tab's signed link, fetched again (it works for five minutes): what the tab shows. (The
  // browser's PDF viewer fetches it once more itself, so the tab's own responses vary.)
  const receipt = await fetch(receiptTab.url());
  assert.equal(receipt.status, 200);
  assert.equal(receipt.headers.get("content-type"), "application/pdf");
  const receiptText = Buffer.from(await receipt.arrayBuffer()).toString("latin1");
  assert.ok(receiptText.includes("(RECEIPT) Tj") && /\(Tax \d+(\.\d+)? % on \$/.test(receiptText), "a receipt with a tax line");
  await receiptTab.close();
  await staff.close();
});

/** Posts a carrier report as the `generic` carrier would: signed HMAC-SHA256 of "<ts>.<body>". */
async function carrierWebhook(events) {
  const raw = JSON.stringify({ events });
  const ts = Math.floor(Date.now() / 1000).toString();
  const sig = createHmac("sha256", CARRIER_SECRET).update(`${ts}.${raw}`).digest("hex");
  const res = await fetch(`${base}/webhooks/carriers/generic`, {
    method: "POST",
    headers: { "content-type": "application/json", "ordo-timestamp": ts, "ordo-signature": `v1=${sig}` },
    body: raw,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

test("4: a signed carrier webhook marks the parcel delivered; the open tracking page shows it live", async () => {
  assert.ok(paidOrderId, "test 3 shipped the order");
  const page = customer;
  await page.locator('.shipments[data-live="true"]').waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), true);

  // A forged signature is refused.
  const forged = await fetch(`${base}/webhooks/carriers/generic`, {
    method: "POST",
    headers: { "content-type": "application/json", "ordo-timestamp": String(Math.floor(Date.now() / 1000)), "ordo-signature": "v1=00" },
    body: "{}",
  });
  assert.equal(forged.status, 401);

  const at = (minutesAgo) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  let r = await carrierWebhook([{ trackingNumber: "1Z999AA10123456784", status: "in_transit", occurredAt: at(30), location: "Columbus, OH, US", description: "Departed facility" }]);
  assert.deepEqual(r, { status: 200, body: { accepted: 1, duplicates: 0 } });
  const transit = page.locator('.report[data-status="in_transit"]');
  await transit.waitFor();
  assert.match(await transit.textContent(), /In transit.*Columbus, OH, US.*Departed facility/);

  r = await carrierWebhook([{ trackingNumber: "1Z999AA10123456784", status: "delivered", occurredAt: at(1), location: "Springfield, IL, US", description: "Delivered, front door" }]);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await page.locator('.report[data-status="delivered"]', { hasText: "Delivered, front door" }).waitFor();
  await page.locator('.shipment[data-state="delivered"]').waitFor();
  await page.locator("#headline", { hasText: /Delivered/i }).waitFor();
  await page.locator('#timeline li[data-type="shipment_delivered"]').waitFor();
  assert.equal(await page.evaluate(() => window.__noReload), true, "the tracking page never reloaded");
  // Names, not internals: where the parcel leaves from, and who did what.
  assert.match(await page.locator(".shipments .shipment").first().textContent(), / from [A-Z][a-z]+ warehouse/);
  const by = await page.locator("#timeline .actor").allTextContents();
  assert.ok(by.includes(" · You") && by.includes(" · Ordo demo shop"), by.join("|"));
  assert.ok(!by.some((b) => /anonymous|customer|staff|system/.test(b)), by.join("|"));
  await shot(page, "tracking-delivered");
  assert.deepEqual(page.errors, []);
});

/** GraphQL from the test itself (setting up data the browser then works with); `token` null:
 * anonymous. */
async function api(query, variables, token = staffToken) {
  const headers = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(`${base}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  assert.equal(body.errors, undefined, `${query.slice(0, 60)}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

test("5: staff console: returns, stock adjustments, purchase orders filling a backorder, reviews", async () => {
  // A signed-in customer's order: one tee (delivered, then returned) and a backordered hoodie.
  const cust = execFileSync(bin, ["token", "--role", "customer", "--customer", "cus_webdemo"], { env, encoding: "utf8" }).trim();
  const address = { name: "Grace Hopper", line1: "2 Elm St", city: "Springfield", region: "IL", postalCode: "62701", country: "US" };
  const placed = await api(`mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { order { id } } }`,
    { i: { channel: "web", currency: "USD", email: "grace@example.com", lines: [{ sku: "TEE-BLK-S", quantity: 1 }, { sku: "HOODIE-GRY-L", quantity: 1 }], coupons: [], shippingOption: "ground", shippingAddress: address } }, cust);
  const id = placed.placeOrder.order.id;
  await api(`mutation($id: String!) { authorizePayment(orderId: $id, token: "tok_visa") { order { id } } }`, { id }, cust);
  const s = (await api(`mutation($id: String!) { createShipments(orderId: $id) { order { shipments { id } } } }`, { id })).createShipments.order.shipments[0].id;
  await api(`mutation($id: String!, $s: String!) { startPicking(orderId: $id, shipmentId: $s) { order { id } } }`, { id, s });
  await api(`mutation($id: String!, $s: String!) { packShipment(orderId: $id, shipmentId: $s, package: { lengthCm: 30, widthCm: 20, heightCm: 5, weightGrams: 300, material: "mailer" }) { order { id } } }`, { id, s });
  await api(`mutation($id: String!, $s: String!) { shipShipment(orderId: $id, shipmentId: $s, carrier: "UPS", trackingNumber: "1Z5R89390357567127") { order { id } } }`, { id, s });
  await api(`mutation($id: String!, $s: String!) { markDelivered(orderId: $id, shipmentId: $s) { order { id } } }`, { id, s });
  await api(`mutation($id: String!) { submitReview(orderId: $id, sku: "TEE-BLK-S", rating: 2, title: "Shrank in the wash", body: "One size smaller after a wash.") { id } }`, { id }, cust);
  await api(`mutation($id: String!) { submitFeedback(orderId: $id, score: 3, comment: "The hoodie is still not here.") { score } }`, { id }, cust);

  const staff = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  await staff.goto(`${base}/?token=${encodeURIComponent(staffToken)}#/staff/${id}`);
  const done = (label) => staff.locator("#action-msg", { hasText: `${label}: done.` }).waitFor();
  // Return actions appear only when allowedActions offers them.
  await staff.locator("#act-request-return").waitFor();
  assert.equal(await staff.locator(".act-approve").count(), 0);
  await staff.selectOption("#ret-line", "0");
  await staff.click("#act-request-return");
  await done("Request return");
  assert.equal(await staff.locator(".act-receive").count(), 0, "cannot receive before approval");
  await staff.click(".act-approve");
  await done("Approve return");
  const restock = staff.locator("select.restock").first();
  assert.deepEqual(await restock.locator("option").allTextContents(), ["east", "west", "Write off (damaged)"]);
  await restock.selectOption("west");
  await staff.click(".act-receive");
  await done("Receive return");
  // Shipping the tee captured its share (with the shipping); the hoodie's waits for its parcel.
  const paid = (await api(`query($id: ID!) { order(id: $id) { payment { status captured { amount } } } }`, { id })).order.payment;
  assert.equal(paid.status, "partially_captured");
  assert.ok(paid.captured.amount > 0, "captured when it shipped, so the refund moves money");
  await staff.click(".act-refund-return");
  await done("Refund return");
  const refunded = staff.locator('.return[data-state="refunded"]');
  await refunded.waitFor();
  assert.doesNotMatch(await refunded.textContent(), /refunded \$0\.00/);
  await shot(staff, "staff-returns");

  // Stock: the returned tee went back to west; adjust east by +5.
  await staff.goto(`${base}/#/stock`);
  await staff.fill("#stock-sku", "TEE-BLK-S");
  await staff.click('form[role="search"] button');
  const west = staff.locator('#stock-table tr[data-location="west"] .on-hand');
  assert.equal(await west.textContent(), "16"); // 15 seeded + 1 restocked
  const east = async () => Number(await staff.locator('#stock-table tr[data-location="east"] .on-hand').textContent());
  const before = await east();
  await staff.fill("#adj-location", "east");
  await staff.fill("#adj-delta", "5");
  await staff.click("#adj-submit");
  await staff.locator("#stock-msg", { hasText: "Adjusted" }).waitFor();
  assert.equal(await east(), before + 5);
  await shot(staff, "staff-stock");

  // Purchasing: a new purchase order for the hoodie, received: the waiting backorder gets it.
  await staff.goto(`${base}/#/purchasing`);
  await staff.locator("#po-list table").waitFor();
  const open = await staff.locator("#po-list tbody tr").count();
  // The hoodie's purchase order slips three days: the waiting order is promised the new date
  // (its customer told); moved back, it is promised the first date again.
  const demoPo = staff.locator('#po-list tr[data-skus~="HOODIE-GRY-L"]').first();
  const firstDate = await demoPo.locator(".po-date").inputValue();
  const later = new Date(Date.parse(firstDate) + 3 * 86400000).toISOString().slice(0, 10);
  await demoPo.locator(".po-date").fill(later);
  await demoPo.locator(".po-move").click();
  await staff.locator("#po-msg", { hasText: "New date told to" }).waitFor();
  assert.match(await staff.locator("#po-msg").textContent(), new RegExp(`${id} \\(`));
  await staff.locator("#po-msg").evaluate((e) => { e.textContent = ""; });
  await staff.locator('#po-list tr[data-skus~="HOODIE-GRY-L"]').first().locator(".po-date").fill(firstDate);
  await staff.locator('#po-list tr[data-skus~="HOODIE-GRY-L"]').first().locator(".po-move").click();
  await staff.locator("#po-msg", { hasText: `${id} (` }).waitFor();
  await staff.fill("#po-sku", "HOODIE-GRY-L");
  await staff.fill("#po-quantity", "3");
  await staff.click("#po-submit");
  await staff.locator("#po-msg", { hasText: "Created and sent purchase order" }).waitFor();
  assert.equal(await staff.locator("#po-list tbody tr").count(), open + 1);
  const poNumber = (await staff.locator("#po-msg").textContent()).match(/order (PO-\d+)\.$/)[1];
  const created = staff.locator(`#po-list tr[data-number="${poNumber}"]`);
  assert.equal(await created.getAttribute("data-status"), "SENT");
  assert.match(await created.locator(".po-lines").textContent(), /HOODIE-GRY-L 0 \/ 3 at \$18\.50/, "Harbor's cost");
  await created.locator(".po-receive").click();
  await staff.locator("#po-msg", { hasText: `Allocated to backorders: 1 → ${id}` }).waitFor();
  await shot(staff, "staff-purchasing");
  // Harbor, the supplier, finds its open purchase orders in its portal, each with its PDF.
  const harbor = execFileSync(bin, ["token", "--role", "supplier", "--supplier", "harbor"], { env, encoding: "utf8" }).trim();
  await staff.goto(`${base}/#/supplier?token=${encodeURIComponent(harbor)}`);
  const book = staff.locator("#supplier-pos tr", { hasText: "BOOK-DESIGN" });
  await book.waitFor();
  assert.match(await book.textContent(), /20 × BOOK-DESIGN at \$14\.20 \(0 received\)/);
  assert.match(await book.locator(".po-pdf").getAttribute("href"), /^\/purchase-orders\/po_\w+\/purchase-order\.pdf\?token=/);
  assert.equal(await staff.locator(`#supplier-pos tr[data-number="${poNumber}"]`).count(), 0, "received: no longer open");

  // Reviews and feedback: the unhappy answer is listed; hiding the review removes it.
  await staff.goto(`${base}/#/reviews`);
  await staff.locator(`.feedback[data-order="${id}"]`, { hasText: "hoodie is still not here" }).waitFor();
  await staff.selectOption("#rev-product", "TEE-BLK-S");
  await staff.locator(".review", { hasText: "Shrank in the wash" }).waitFor();
  await shot(staff, "staff-reviews");
  await staff.locator(".review .hide-review").first().click();
  await staff.locator("#review-msg", { hasText: "hidden" }).waitFor();
  assert.equal(await staff.locator(".review").count(), 0);
  // Undo shows it again (unhideReview); hidden once more for the tests that follow.
  await staff.locator("#review-msg .undo-hide").click();
  await staff.locator("#review-msg", { hasText: "shown again" }).waitFor();
  await staff.locator(".review", { hasText: "Shrank in the wash" }).waitFor();
  await staff.locator(".review .hide-review").first().click();
  await staff.locator("#review-msg", { hasText: "hidden" }).waitFor();
  assert.equal(await staff.locator(".review").count(), 0);
  assert.deepEqual(staff.errors, []);
  await staff.close();
});

test("6: the dashboard charts sales, channels, statuses, backorders and returns with the orders of the earlier tests", async () => {
  const staff = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  await staff.goto(`${base}/?token=${encodeURIComponent(staffToken)}#/dashboard`);
  await staff.locator("#chart-status svg").waitFor();(`${base}/#/dashboard`);
  const today = new Date().toISOString().slice(0, 10);
  const day = staff.locator(`#chart-sales-day rect[data-key="${today}"]`);
  assert.ok(Number(await day.getAttribute("data-value")) > 0, "today's sales include the orders of tests 2 and 5");
  assert.ok(Number(await staff.locator('#chart-channel rect[data-key="web"]').getAttribute("data-value")) > 0);
  const delivered = staff.locator('#chart-status rect[data-key="COMPLETED"], #chart-status rect[data-key="DELIVERED"]');
  assert.ok((await delivered.count()) >= 1);
  // Test 5's return counts; its hoodie backorder was filled by the purchase order.
  assert.equal(await staff.locator('#chart-returns rect[data-key="returned"]').getAttribute("data-value"), "1");
  assert.notEqual(await text(staff, "#kpi-return-rate strong"), "—");
  assert.equal(await staff.locator("#chart-backorders rect").count(), 0);
  assert.equal(await text(staff, "#kpi-backorders strong"), "0");
  await shot(staff, "dashboard");
  assert.deepEqual(staff.errors, []);
});

test("7: the confirmation e-mail's link opens the order in a browser that never saw the checkout; staff read it under Messages", async () => {
  assert.ok(paidOrderId, "test 2 placed an order");
  const file = join(mailDir, `${paidOrderId}.0000000003.0.eml`);
  const until = Date.now() + 30_000;
  while (!existsSync(file) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  // Parsed by nodemailer's mailparser, not by anything of ours.
  const mail = await simpleParser(readFileSync(file));
  // The subject names the order by its short number, as the order page does.
  const reference = mail.subject.match(/^Ordo demo shop: We received your order (#\d+)$/)?.[1];
  assert.ok(reference, mail.subject);
  assert.equal(mail.messageId, `<${paidOrderId}.0000000003.0@ordo.localhost>`);
  assert.match(mail.text, /Thank you for your order/);
  assert.match(mail.html, /<h1>Ordo demo shop<\/h1>/);
  const link = mail.text.match(/View your order: (\S+)/)[1];
  assert.ok(link.startsWith(`${base}/#/orders/${paidOrderId}?token=`), link);

  // The shopper closed the tab long ago: a fresh browser context opens the order from the mail.
  const stranger = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  await stranger.goto(link);
  await stranger.locator("#order-id").waitFor();
  assert.equal(await text(stranger, "#order-id"), paidOrderId);
  assert.equal(await text(stranger, "#order-ref"), reference);
  assert.ok(!stranger.url().includes("token="), "the token leaves the address bar");
  // The order's timeline tells that the confirmation went out.
  await stranger.locator('#timeline li[data-type="message_sent"]', { hasText: "E-mail sent" }).first().waitFor();
  await stranger.reload();
  await stranger.locator("#order-id").waitFor(); // kept for this tab
  await shot(stranger, "tracking-from-email");

  const staff = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  // The address gateway/run prints: the token after the route.
  await staff.goto(`${base}/#/messages?token=${encodeURIComponent(staffToken)}`);
  const row = staff.locator(`#messages tr[data-order="${paidOrderId}"][data-kind="order.confirmation"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute("data-state"), "SENT");
  await row.locator(".open-message").click();
  await staff.locator("#message-subject").waitFor();
  assert.equal(await text(staff, "#message-subject"), mail.subject);
  assert.match(await text(staff, "#message-text"), /View your order: /);
  // The HTML part, shown as a mail client would (sandboxed: no scripts).
  assert.equal(await staff.frameLocator("iframe.message-html").locator("h1").textContent(), "Ordo demo shop");
  assert.ok(!staff.url().includes("token="), "the token leaves the address bar");
  await shot(staff, "staff-messages");
  assert.deepEqual(stranger.errors, []);
  assert.deepEqual(staff.errors, []);
});

/** The first message in the mail folder whose subject matches `subject` (and, when given, of
 * `orderId`), parsed by mailparser; waits for it to be written. */
async function mailFor(subject, orderId = null, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    for (const name of existsSync(mailDir) ? readdirSync(mailDir).filter((f) => f.endsWith(".eml")).sort() : []) {
      if (orderId && !name.startsWith(`${orderId}.`)) continue;
      const mail = await simpleParser(readFileSync(join(mailDir, name)));
      if (subject.test(mail.subject)) return mail;
    }
    if (Date.now() > until) throw new Error(`no message matching ${subject} in ${mailDir}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("8: the declined-payment e-mail's link opens the order on its payment, and paying there confirms the order", async () => {
  // Test 2's second checkout was declined: the shopper hears of it by e-mail.
  const declined = await mailFor(/was declined/);
  assert.match(declined.subject, /order #\d+ was declined/);
  const link = declined.text.match(/Pay for your order: (\S+)/)[1];
  const orderId = link.match(/#\/orders\/(ord_[^?]+)\?/)[1];
  assert.ok(link.startsWith(`${base}/#/orders/${orderId}?token=`) && link.endsWith("&choose=pay"), link);
  assert.ok(declined.html.includes(">Pay for your order</a>"));

  const page = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  await page.goto(link);
  const choice = page.locator("#choices .pay-choice.chosen");
  await choice.waitFor();
  assert.match(await choice.textContent(), /Your last payment was declined/);
  assert.ok(!page.url().includes("choose="), "the choice leaves the address bar with the token");
  assert.ok(await page.locator("#cancel-order").isVisible(), "an unpaid order may still be cancelled");
  await shot(page, "tracking-pay-choice");
  await page.selectOption("#pay-token", "tok_mastercard");
  await page.click("#pay-button");
  await page.locator("#choice-msg", { hasText: "your payment is authorized" }).waitFor();
  await page.locator("#headline", { hasText: "Order confirmed" }).waitFor();
  // Nothing left to pay: the choice goes once the page has read the order again.
  await page.locator("#pay-button").waitFor({ state: "detached" });
  const confirmation = await mailFor(/We received your order/, orderId);
  assert.match(confirmation.text, /Paid with Mastercard ending in/);
  // The order page names the card in the message's words.
  await page.locator(".lines-summary", { hasText: /payment authorized \(Mastercard ending in \d{4}\)/ }).waitFor();
  assert.deepEqual(page.errors, []);
});

test("9: a backordered line's e-mail link offers keep waiting or cancel; cancelling takes only the waiting units off the order", async () => {
  const address = { name: "Alan Turing", line1: "3 Oak St", city: "Springfield", region: "IL", postalCode: "62701", country: "US" };
  const anonymous = async (query, variables, token) => {
    const headers = { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const body = await (await fetch(`${base}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) })).json();
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data;
  };
  // Two hoodies more than the shelves hold (earlier tests received some): those two wait.
  const onHand = (await anonymous(`{ product(sku: "HOODIE-GRY-L") { available } }`, {})).product.available;
  const placed = (await anonymous(`mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { accessToken order { id } } }`,
    { i: { channel: "web", currency: "USD", email: "alan@example.com", lines: [{ sku: "TEE-BLK-S", quantity: 1 }, { sku: "HOODIE-GRY-L", quantity: onHand + 2 }], coupons: [], shippingOption: "ground", shippingAddress: address } })).placeOrder;
  const orderId = placed.order.id;
  await anonymous(`mutation($id: String!) { authorizePayment(orderId: $id, token: "tok_visa") { order { id } } }`, { id: orderId }, placed.accessToken);

  const confirmation = await mailFor(/We received your order/, orderId);
  assert.match(confirmation.text, /Item HOODIE|Hoodie/i);
  const link = confirmation.text.match(/Cancel the backordered units: (\S+)/)[1];
  assert.ok(link.endsWith("&choose=cancel-line-1"), link);

  // A stranger's browser (the shopper on another device) opens the link: the hoodie's choice is
  // shown and marked, and nothing changed by opening it.
  const page = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  await page.goto(link);
  const choice = page.locator('#choices .backorder-choice.chosen[data-line="1"]');
  await choice.waitFor();
  assert.match(await choice.textContent(), /2 × .* are on backorder, expected to ship by/);
  assert.equal(await page.locator('#choices .backorder-choice[data-line="0"]').count(), 0, "the tee is not waiting");
  await page.click("#keep-waiting-1");
  assert.match(await text(page, "#choice-msg"), /We keep .* for you/);
  await shot(page, "tracking-backorder-choice");

  // Cancelling asks once more, then takes the two waiting hoodies off and leaves the tee.
  await page.click("#cancel-line-1");
  assert.match(await text(page, "#cancel-line-1"), /Yes, cancel 2 ×/);
  await page.click("#cancel-line-1");
  await page.locator("#choice-msg", { hasText: "Cancelled 2 ×" }).waitFor();
  await page.locator('#choices .backorder-choice[data-line="1"]').waitFor({ state: "detached" });
  await page.locator('#timeline li[data-type="lines_cancelled"]').first().waitFor();
  const order = (await anonymous(`query($id: String!) { order(id: $id) { state lines { index remaining cancelled } } }`, { id: orderId }, placed.accessToken)).order;
  assert.deepEqual(order.lines.map((l) => [l.index, l.remaining, l.cancelled]), [[0, 1, 0], [1, onHand, 2]]);
  assert.notEqual(order.state, "CANCELLED");
  const cancelled = await mailFor(/Items of order .* were cancelled/, orderId);
  assert.match(cancelled.text, /2 × .*/);
  assert.deepEqual(page.errors, []);
});

test("10: Find my orders: a shopper asks by e-mail, and the mailed link lists their orders and opens each", async () => {
  const page = await newPage(await browser.newContext({ viewport: { width: 390, height: 844 } }));
  await page.goto(`${base}/#/`);
  await page.click('nav a[href="#/my-orders"]');
  await page.locator("#find-form").waitFor();
  await page.fill("#find-email", "not an address");
  await page.click("#find-submit");
  await page.locator("#find-msg.error", { hasText: "does not look right" }).waitFor();
  // Test 9's shopper, typed in capitals: the same answer as for any address.
  await page.fill("#find-email", "ALAN@example.com");
  await page.click("#find-submit");
  await page.locator("#find-msg", { hasText: "a link to them is on its way" }).waitFor();
  await shot(page, "find-my-orders-asked");

  const mail = await mailFor(/Your orders$/);
  assert.equal(mail.to.text, "alan@example.com");
  const link = mail.text.match(/See your orders: (\S+)/)[1];
  assert.ok(link.startsWith(`${base}/#/my-orders?token=`), link);

  // Another device opens the link: the orders placed with that address, each one a link.
  const other = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  await other.goto(link);
  const rows = other.locator("#my-orders .my-order");
  await rows.first().waitFor();
  assert.ok(!other.url().includes("token="), "the token leaves the address bar");
  const ids = await rows.evaluateAll((lis) => lis.map((li) => li.dataset.id));
  assert.ok(ids.length >= 1 && ids.every((id) => id.startsWith("ord_")), ids.join());
  const alans = await api(`query($id: String!) { order(id: $id) { email } }`, { id: ids[0] });
  assert.equal(alans.order.email, "alan@example.com");
  await shot(other, "find-my-orders-list");
  await rows.first().locator("a").click();
  await other.locator("#order-id").waitFor();
  assert.equal(await text(other, "#order-id"), ids[0]);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
});

test("11: the payment choice survives cart changes, and the order that replaces a declined one cancels it", async () => {
  const page = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  await page.goto(`${base}/#/`);
  await page.locator('.product[data-sku="MUG-STONE"]').waitFor();
  await addToCart(page, "MUG-STONE");
  for (const [id, value] of [["#addr-name", "Joan Clarke"], ["#addr-line1", "8 Hut Lane"], ["#addr-city", "Springfield"],
    ["#addr-region", "IL"], ["#addr-postalCode", "62701"], ["#email", "joan@example.com"]]) await page.fill(id, value);
  await page.selectOption("#payment-token", "tok_declined");
  // Changing the cart redraws it: the chosen method stays.
  await addToCart(page, "CAP-NAVY");
  assert.equal(await page.locator("#payment-token").inputValue(), "tok_declined");
  await page.click("#place-order");
  const declined = page.locator('#checkout-msg[data-code="PAYMENT_DECLINED"]');
  await declined.waitFor();
  const first = (await declined.textContent()).match(/order (ord_\w+)/)[1];
  const held = (await api(`query($id: ID!) { order(id: $id) { reservations { quantity } } }`, { id: first })).order.reservations;
  assert.ok(held.length > 0, "the declined order holds its stock");
  assert.equal(await page.locator("#payment-token").inputValue(), "tok_declined", "still the shopper's choice");

  // The shopper changes the cart and pays with another card: a new order, and the first is cancelled.
  await page.locator('.line[data-sku="CAP-NAVY"] button.link').click();
  await page.locator('.line[data-sku="CAP-NAVY"]').waitFor({ state: "detached" });
  await page.selectOption("#payment-token", "tok_mastercard");
  await page.click("#place-order");
  await page.waitForURL(/#\/orders\/ord_/);
  const second = decodeURIComponent(page.url().split("#/orders/")[1]);
  assert.notEqual(second, first);
  const old = (await api(`query($id: ID!) { order(id: $id) { state reservations { quantity } timeline { type data } } }`, { id: first })).order;
  assert.equal(old.state, "cancelled");
  assert.deepEqual(old.reservations, [], "its stock is back on sale");
  const why = old.timeline.find((e) => e.type === "cancelled");
  assert.ok(JSON.stringify(why?.data).includes(`Replaced by order ${second}`), JSON.stringify(old.timeline));
  const paid = (await api(`query($id: ID!) { order(id: $id) { payment { method } } }`, { id: second })).order.payment;
  assert.equal(paid.method, "Mastercard ending in 4444", "charged on the card the shopper chose");
  assert.deepEqual(page.errors, []);
});

test("12: a backordered line shows one date, written one way, on the catalog, in the cart and on the order page", async () => {
  const page = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  await page.goto(`${base}/#/`);
  const badge = page.locator('.product[data-sku="HOODIE-GRY-L"] .badge');
  await badge.waitFor();
  const date = (await badge.textContent()).match(/ships by (.+)$/)[1];
  assert.match(date, /^\d{1,2} [A-Z][a-z]{2} \d{4}$/, "ordo-core's way of writing a date");
  const available = (await api(`{ product(sku: "HOODIE-GRY-L") { available } }`, {})).product.available;
  await addToCart(page, "HOODIE-GRY-L");
  await page.locator('.line[data-sku="HOODIE-GRY-L"] input.qty').fill(String(available + 1));
  const cartSays = page.locator('.line[data-sku="HOODIE-GRY-L"] [data-code="BACKORDERED"]');
  await cartSays.waitFor();
  assert.ok((await cartSays.textContent()).includes(`ship by ${date}`), await cartSays.textContent());
  for (const [id, value] of [["#addr-name", "Mary Somerville"], ["#addr-line1", "3 Kelp Rd"], ["#addr-city", "Springfield"],
    ["#addr-region", "IL"], ["#addr-postalCode", "62701"], ["#email", "mary@example.com"]]) await page.fill(id, value);
  await page.selectOption("#payment-token", "tok_visa");
  await page.click("#place-order");
  await page.waitForURL(/#\/orders\/ord_/);
  const summary = page.locator(".lines-summary");
  await summary.waitFor();
  assert.ok((await summary.textContent()).includes(`backordered by ${date}`), await summary.textContent());
  assert.deepEqual(page.errors, []);
});

test("13: a shopper sees the shop's links only, finds products by any words, and on a phone reaches the cart in one tap", async () => {
  const page = await newPage(await browser.newContext({ viewport: { width: 390, height: 844 } }));
  await page.goto(`${base}/#/`);
  await page.locator('.product[data-sku="MUG-STONE"]').waitFor();
  assert.equal(await page.locator("nav.staff-nav").isVisible(), false, "no staff links in the shop");
  assert.ok(await page.locator("#staff-entry").isVisible(), "the staff console has its own entry");
  // Words in any order, singular or plural.
  await page.fill("#search", "grey hoodies");
  await page.waitForFunction(() => [...document.querySelectorAll(".product")].every((p) => p.dataset.sku.startsWith("HOODIE-GRY")));
  assert.deepEqual(await page.locator(".product").evaluateAll((ps) => ps.map((p) => p.dataset.sku).sort()), ["HOODIE-GRY-L", "HOODIE-GRY-M"]);
  await page.fill("#search", "mugs stoneware");
  await page.locator('.product[data-sku="MUG-STONE"]').waitFor();
  // Adding says so, and the header counts it.
  const before = Number(await text(page, "#cart-count"));
  await page.locator('.product[data-sku="MUG-STONE"] button.add').click();
  await page.locator("#cart-note", { hasText: "Added Stoneware mug to your cart." }).waitFor();
  assert.equal(Number(await text(page, "#cart-count")), before + 1);
  // One tap from the header to the cart, however long the catalog.
  await page.fill("#search", "");
  await page.locator('.product[data-sku="TEE-BLK-M"]').waitFor();
  await page.click("#cart-link");
  await page.waitForFunction(() => document.getElementById("app").dataset.ready === "/cart");
  await page.waitForFunction(() => {
    const r = document.getElementById("cart-h")?.getBoundingClientRect();
    return r && r.top >= 0 && r.top < window.innerHeight;
  });
  assert.ok(await page.locator(".product").count() > 20, "the catalog is still all there above it");
  await shot(page, "storefront-phone-cart");
  // The staff console shows its own links.
  await page.goto(`${base}/#/staff`);
  await page.locator("nav.staff-nav").waitFor();
  assert.deepEqual(page.errors, []);
});

test("14: GraphiQL opens with the network cut off: its scripts come from the gateway, and it reads the schema", async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const outside = [];
  // Offline: anything not from the gateway is refused.
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1" || url.hostname === "localhost") return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  const page = await newPage(context);
  const schema = page.waitForResponse((r) => r.url().endsWith("/graphql") && r.request().method() === "POST"
    && (r.request().postData() ?? "").includes("__schema"));
  await page.goto(`${base}/graphql`);
  await page.locator(".graphiql-container").waitFor();
  assert.equal((await schema).status(), 200, "the introspection query ran");
  assert.deepEqual(outside, [], "nothing was asked of another origin");
  await shot(page, "graphiql");
  await context.close();
});

/** A guest order for `lines` shipped to `name` at `line1`, paid with tok_visa and planned into
 *  parcels by staff; then Northwood's portal opened with a supplier token. */
async function dropshipToPortal(name, line1, email, lines) {
  const address = { name, line1, city: "Springfield", region: "IL", postalCode: "62701", country: "US" };
  const placed = (await api(`mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { accessToken order { id } } }`,
    { i: { channel: "web", currency: "USD", email, lines, coupons: [], shippingOption: "ground", shippingAddress: address } }, null)).placeOrder;
  const id = placed.order.id;
  await api(`mutation($id: ID!) { authorizePayment(orderId: $id, token: "tok_visa") { replayed } }`, { id }, placed.accessToken);
  await api(`mutation($id: String!) { createShipments(orderId: $id) { order { id } } }`, { id }, staffToken);
  // Northwood opens its portal with the link the shop gave it (a supplier token).
  const supplierToken = execFileSync(bin, ["token", "--role", "supplier", "--supplier", "northwood"], { env, encoding: "utf8" }).trim();
  const portal = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  await portal.goto(`${base}/#/supplier?token=${encodeURIComponent(supplierToken)}`);
  const card = portal.locator(`.supplier-request[data-order="${id}"]`);
  await card.waitFor();
  return { id, portal, card };
}

test("15: a dropship order reaches its supplier's portal: accepted with a date, then shipped; the customer's mails say so, the last with the tracking link", async () => {
  const { id, portal, card } = await dropshipToPortal("Ada Dropship", "7 Elm St", "ada.dropship@example.com", [{ sku: "CHAIR-ASH", quantity: 1 }]);
  assert.ok(!portal.url().includes("token="), "the token leaves the address bar");
  assert.match(await card.locator(".items").textContent(), /1 × Ash dining chair \(CHAIR-ASH\)/);
  assert.match(await card.locator(".ship-to").textContent(), /Ada Dropship.*7 Elm St/);
  assert.ok(!(await portal.content()).includes("ada.dropship@example.com"), "never the customer's e-mail");
  // The portal's label link opens the parcel's label without a bearer header; the demo's
  // Northwood is its own parcels' sender, so the label names its return address.
  const label = await fetch(`${base}${await card.locator(".label-link").getAttribute("href")}`);
  assert.equal(label.status, 200);
  assert.equal(label.headers.get("content-type"), "application/pdf");
  const labelText = Buffer.from(await label.arrayBuffer()).toString("latin1");
  assert.ok(labelText.includes("4 Mill Road") && labelText.includes("Ada Dropship"), "the sender and the ship-to");

  // Accepted to ship four days on: the customer is told.
  const shipBy = new Date(Date.now() + 4 * 86400000).toISOString().slice(0, 10);
  await card.locator(".ship-by").fill(shipBy);
  await card.locator(".accept").click();
  await portal.locator("#supplier-msg", { hasText: "The customer was told" }).waitFor();
  await portal.locator(`.supplier-request[data-order="${id}"]`, { hasText: "you accepted to ship by" }).waitFor();
  const accepted = await mailFor(/Our partner will send part of order/, id);
  assert.match(accepted.text, /will send it by/);
  // Staff see the partner's day on the order, not warehouse buttons.
  const staff = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  await staff.goto(`${base}/#/staff/${id}?token=${encodeURIComponent(staffToken)}`);
  await staff.locator(".partner-parcel", { hasText: "accepted to ship it by" }).waitFor();

  // Shipped with UPS: the request leaves the list; the customer's mail has the tracking link.
  const again = portal.locator(`.supplier-request[data-order="${id}"]`);
  await again.locator("select.carrier").selectOption({ label: "UPS" });
  await again.locator("input.tracking").fill("1Z999AA10123456793");
  await again.locator(".ship").click();
  await portal.locator("#supplier-msg", { hasText: /^Ship/ }).waitFor();
  assert.match(await text(portal, "#supplier-msg"), /The customer has the tracking link/);
  await portal.locator(`.supplier-request[data-order="${id}"]`).waitFor({ state: "detached" });
  await shot(portal, "supplier-portal");
  const shipped = await mailFor(/is on its way/, id);
  assert.match(shipped.text, /1Z999AA10123456793/);
  assert.match(shipped.text, /https:\/\/\S*ups\S*1Z999AA10123456793/i);
  assert.deepEqual(portal.errors, []);
  assert.deepEqual(staff.errors, []);
});

test("16: a supplier that cannot send a parcel says why in its portal; those items are cancelled and the customer is told", async () => {
  const { id, portal, card } = await dropshipToPortal("Ida Reject", "9 Ash St", "ida.reject@example.com",
    [{ sku: "MUG-STONE", quantity: 1 }, { sku: "LAMP-DESK", quantity: 1 }]);
  await card.locator(".reject").click();
  await portal.locator("#supplier-msg", { hasText: "Say why" }).waitFor();
  await card.locator(".reject-reason").fill("No brass left");
  await card.locator(".reject").click();
  await portal.locator("#supplier-msg", { hasText: /^Rejected/ }).waitFor();
  await card.waitFor({ state: "detached" });
  const told = await mailFor(/Items of order #\d+ were cancelled/, id);
  assert.match(told.text, /Brass desk lamp/);
  const order = (await api(`query($id: ID!) { order(id: $id) { lines { sku remaining } } }`, { id }, staffToken)).order;
  assert.deepEqual(order.lines, [{ sku: "MUG-STONE", remaining: 1 }, { sku: "LAMP-DESK", remaining: 0 }]);
  assert.deepEqual(portal.errors, []);
});

test("17: staff hand units waiting for stock to a partner from the console; the parcel they make asks the partner", async () => {
  const address = { name: "Mary Hand", line1: "5 Birch St", city: "Springfield", region: "IL", postalCode: "62701", country: "US" };
  const onHand = (await api(`{ product(sku: "HOODIE-GRY-L") { available } }`, {}, null)).product.available;
  const placed = (await api(`mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { accessToken order { id } } }`,
    { i: { channel: "web", currency: "USD", email: "mary.hand@example.com", lines: [{ sku: "HOODIE-GRY-L", quantity: onHand + 1 }], coupons: [], shippingOption: "ground", shippingAddress: address } }, null)).placeOrder;
  const id = placed.order.id;
  await api(`mutation($id: ID!) { authorizePayment(orderId: $id, token: "tok_visa") { replayed } }`, { id }, placed.accessToken);
  const staff = await newPage(await browser.newContext({ viewport: { width: 1200, height: 900 } }));
  await staff.goto(`${base}/#/staff/${id}?token=${encodeURIComponent(staffToken)}`);
  // The waiting unit is the line's last part: it may go to a partner, or wait for another day.
  const waiting = staff.locator(".staff-lines .part-actions", { has: staff.locator(".act-dropship-line") });
  await waiting.waitFor();
  assert.equal(await waiting.count(), 1, "only the backordered part");
  await waiting.locator("select").selectOption({ label: "Harbor Supply Co." });
  await waiting.locator(".act-dropship-line").click();
  await staff.locator("#action-msg", { hasText: "Hand to partner: done." }).waitFor();
  assert.match(await text(staff, ".staff-lines"), /1 dropshipped by our partner/);
  await staff.locator("#act-create-shipments").click();
  await staff.locator("#action-msg", { hasText: "Create shipments: done." }).waitFor();
  await staff.locator(".staff-shipments .partner-parcel", { hasText: /Harbor Supply Co\..* picks, packs and ships this parcel/ }).waitFor();
  const order = (await api(`query($id: ID!) { order(id: $id) { shipments { source state } } }`, { id }, staffToken)).order;
  assert.ok(order.shipments.some((s) => s.source === "supplier:harbor" && s.state === "pending"), JSON.stringify(order.shipments));
  const told = await mailFor(/ships from our partner/, id);
  assert.match(told.text, /directly from our partner/);
  assert.deepEqual(staff.errors, []);
});
