// A whole order life told by e-mail over real SMTP (nodemailer's smtp-server, started here): place
// with a backordered line → ship → deliver → return → refund. Every message arrives once, to the
// shopper, as text and HTML; every link in them, opened in a fresh Chromium context, shows that
// order (the backorder link on its choice).
// Run: web-demo/build && node --test web-demo/test/
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import { artifacts, startGateway, launchChromium, freshPage, graphql } from "./harness.mjs";

const received = [];
let smtp, gateway, browser;

before(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, done) {
      simpleParser(stream).then((mail) => {
        received.push({ mail, rcptTo: session.envelope.rcptTo.map((r) => r.address) });
        done();
      }, done);
    },
  });
  await new Promise((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  gateway = await startGateway("gateway-smtp", ["--smtp", `smtp://127.0.0.1:${smtp.server.address().port}`]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  gateway?.stop();
  await new Promise((resolve) => smtp?.close(resolve));
});

/** Waits for the message of `orderId` whose subject matches `subject`. */
async function message(orderId, subject) {
  const until = Date.now() + 30_000;
  for (;;) {
    const found = received.filter((r) => r.mail.messageId.startsWith(`<${orderId}.`) && subject.test(r.mail.subject));
    if (found.length) return found;
    if (Date.now() > until) throw new Error(`no ${subject} for ${orderId}; got ${received.map((r) => r.mail.subject).join(" | ")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("every message of an order's life arrives once by SMTP, and each of its links opens that order", async () => {
  const { base, staffToken } = gateway;
  const staff = (q, v) => graphql(base, q, v, staffToken);
  const email = "lin@example.com";
  const address = { name: "Lin Wong", line1: "4 Pine St", city: "Springfield", region: "IL", postalCode: "62701", country: "US" };
  const onHand = (await graphql(base, `{ product(sku: "HOODIE-GRY-L") { available } }`, {})).product.available;
  const placed = (await graphql(base, `mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { accessToken order { id } } }`,
    { i: { channel: "web", currency: "USD", email, lines: [{ sku: "TEE-BLK-S", quantity: 1 }, { sku: "HOODIE-GRY-L", quantity: onHand + 1 }], coupons: [], shippingOption: "ground", shippingAddress: address } })).placeOrder;
  const id = placed.order.id;
  const guest = placed.accessToken;
  await graphql(base, `mutation($id: String!) { authorizePayment(orderId: $id, token: "tok_visa") { order { id } } }`, { id }, guest);

  // The tee ships and arrives; the hoodie waits for stock.
  const shipment = (await staff(`mutation($id: String!) { createShipments(orderId: $id) { order { shipments { id items { line } } } } }`, { id }))
    .createShipments.order.shipments.find((s) => s.items.some((l) => l.line === 0)).id;
  const on = { id, s: shipment };
  await staff(`mutation($id: String!, $s: String!) { startPicking(orderId: $id, shipmentId: $s) { order { id } } }`, on);
  await staff(`mutation($id: String!, $s: String!) { packShipment(orderId: $id, shipmentId: $s, package: { lengthCm: 30, widthCm: 20, heightCm: 5, weightGrams: 300, material: "mailer" }) { order { id } } }`, on);
  await staff(`mutation($id: String!, $s: String!) { shipShipment(orderId: $id, shipmentId: $s, carrier: "UPS", trackingNumber: "1Z879E930346834440") { order { id } } }`, on);
  await staff(`mutation($id: String!, $s: String!) { markDelivered(orderId: $id, shipmentId: $s) { order { id } } }`, on);
  // Shipping the tee captured its share (and the shipping); the hoodie's waits for its parcel.
  const payment = (await staff(`query($id: ID!) { order(id: $id) { payment { status } } }`, { id })).order.payment;
  assert.equal(payment.status, "partially_captured");
  // The shopper sends the tee back; staff approve, receive it and refund.
  const rma = (await graphql(base, `mutation($id: String!) { requestReturn(orderId: $id, lines: [{ line: 0, quantity: 1, reason: "too small" }]) { order { returns { id } } } }`, { id }, guest))
    .requestReturn.order.returns[0].id;
  await staff(`mutation($id: String!, $r: String!) { approveReturn(orderId: $id, rma: $r) { order { id } } }`, { id, r: rma });
  await staff(`mutation($id: String!, $r: String!) { receiveReturn(orderId: $id, rma: $r, lines: [{ line: 0, restockTo: "east" }], refund: true) { order { id } } }`, { id, r: rma });

  const life = [
    [/We received your order/, /on backorder/],
    [/is on its way/, /1Z879E930346834440/],
    [/was delivered|has arrived/, /Organic tee/],
    [new RegExp(`return ${rma} is approved`), new RegExp(`write ${rma} on the parcel`)],
    [new RegExp(`received your return ${rma}`), /refund/i],
    [/Your refund/, /We refunded \$/],
  ];
  const mails = [];
  for (const [subject, words] of life) {
    const found = await message(id, subject);
    assert.equal(found.length, 1, `${subject}: once, got ${found.length}`);
    const { mail, rcptTo } = found[0];
    assert.deepEqual(rcptTo, [email]);
    assert.ok(mail.subject.startsWith("Ordo demo shop: "), mail.subject);
    assert.match(mail.text, words, `${subject} in text`);
    assert.ok(mail.html.includes("<h1>Ordo demo shop</h1>"), "an HTML part");
    assert.match(mail.messageId, new RegExp(`^<${id}\\.\\d{10}\\.\\d@`), "a stable Message-ID");
    mails.push(mail);
  }
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(received.filter((r) => r.mail.messageId.startsWith(`<${id}.`)).length, life.length, received.map((r) => r.mail.subject).join(" | "));

  // Every link, in a fresh browser (no storage), opens this order.
  const links = [...new Set(mails.flatMap((m) => [...m.text.matchAll(/https?:\/\/\S+/g)].map((x) => x[0])))]
    .filter((l) => l.startsWith(base));
  assert.ok(links.some((l) => l.includes("choose=cancel-line-1")), `the backorder choice: ${links.join(" ")}`);
  for (const link of links) {
    const page = await freshPage(browser);
    await page.goto(link);
    await page.locator("#order-id").waitFor();
    assert.equal((await page.locator("#order-id").textContent()).trim(), id, link);
    await page.locator("#headline").waitFor();
    if (link.includes("choose=cancel-line-1")) await page.locator('#choices .backorder-choice.chosen[data-line="1"]').waitFor();
    assert.deepEqual(page.errors, [], link);
    await page.context().close();
  }
  const page = await freshPage(browser);
  await page.goto(links[0]);
  await page.locator('#timeline li[data-type="message_sent"]').first().waitFor();
  await page.screenshot({ path: join(artifacts, "full-life-tracking.png"), fullPage: true });
});

test("the feedback request's score link opens the survey with that score picked, and its unsubscribe link and one-click header stop the next ones", async () => {
  const { base, staffToken } = gateway;
  const staff = (q, v) => graphql(base, q, v, staffToken);
  const email = "mo@example.com";
  const address = { name: "Mo Reyes", line1: "9 Elm St", city: "Springfield", region: "IL", postalCode: "62701", country: "US" };
  const placed = (await graphql(base, `mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { accessToken order { id } } }`,
    { i: { channel: "web", currency: "USD", email, lines: [{ sku: "MUG-STONE", quantity: 1 }], coupons: [], shippingOption: "ground", shippingAddress: address } })).placeOrder;
  const id = placed.order.id;
  await graphql(base, `mutation($id: String!) { authorizePayment(orderId: $id, token: "tok_visa") { order { id } } }`, { id }, placed.accessToken);
  const shipment = (await staff(`mutation($id: String!) { createShipments(orderId: $id) { order { shipments { id } } } }`, { id })).createShipments.order.shipments[0].id;
  const on = { id, s: shipment };
  await staff(`mutation($id: String!, $s: String!) { startPicking(orderId: $id, shipmentId: $s) { order { id } } }`, on);
  await staff(`mutation($id: String!, $s: String!) { packShipment(orderId: $id, shipmentId: $s, package: { lengthCm: 20, widthCm: 20, heightCm: 15, weightGrams: 600, material: "box" }) { order { id } } }`, on);
  await staff(`mutation($id: String!, $s: String!) { shipShipment(orderId: $id, shipmentId: $s, carrier: "UPS", trackingNumber: "1Z410E7W0392751591") { order { id } } }`, on);
  await staff(`mutation($id: String!, $s: String!) { markDelivered(orderId: $id, shipmentId: $s) { order { id } } }`, on);

  // The request waits days; staff send it now, as the Messages page's "Send now" does.
  const waiting = (await staff(`query($o: ID!) { customerMessages(orderId: $o) { id kind state due } }`, { o: id }))
    .customerMessages.find((m) => m.kind === "order.feedback_request");
  assert.equal(waiting.state, "PENDING");
  assert.ok(new Date(waiting.due) - Date.now() > 2 * 86_400_000, `due ${waiting.due}`);
  await staff(`mutation($m: ID!) { retryMessage(id: $m) { id } }`, { m: waiting.id });
  const [{ mail, rcptTo }] = await message(id, /How was your order/);
  assert.deepEqual(rcptTo, [email]);
  const header = (name) => mail.headerLines.find((l) => l.key === name)?.line.replace(/^[^:]+:\s*/, "").replace(/\r?\n\s+/g, "");
  assert.equal(header("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
  const oneClick = header("list-unsubscribe").match(/^<(.+)>$/)[1];
  assert.ok(oneClick.startsWith(`${base}/unsubscribe?token=`), oneClick);

  // A score in the HTML part opens the survey with it picked; sending records it.
  const seven = [...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replaceAll("&amp;", "&")).find((l) => l.endsWith("choose=feedback-7"));
  assert.ok(seven, "a link per score");
  const page = await freshPage(browser);
  await page.goto(seven);
  await page.locator(".feedback-choice.chosen #score-7:checked").waitFor();
  await page.locator("#feedback-comment").fill("Sturdy mug, quick delivery.");
  await page.locator("#send-feedback").click();
  await page.locator("#choice-msg", { hasText: "Thank you for your feedback!" }).waitFor();
  await page.locator(".feedback-choice").waitFor({ state: "detached" });
  assert.deepEqual(page.errors, []);
  await page.context().close();
  const answer = (await staff(`query($id: String!) { order(id: $id) { feedback { score comment } } }`, { id })).order.feedback;
  assert.deepEqual(answer, { score: 7, comment: "Sturdy mug, quick delivery." });

  // The unsubscribe link's page asks first, then stops the requests (and can start them again).
  const unsubscribe = mail.text.match(/Unsubscribe: (\S+)/)[1];
  const prefs = await freshPage(browser);
  await prefs.goto(unsubscribe);
  await prefs.locator('#prefs-state[data-subscribed="true"]').waitFor();
  assert.equal(await prefs.locator("#prefs-email").textContent(), email);
  assert.ok(!prefs.url().includes("token="), "the token leaves the address bar");
  await prefs.locator("#unsubscribe").click();
  await prefs.locator('#prefs-state[data-subscribed="false"]').waitFor();
  await prefs.locator("#prefs-msg", { hasText: "you will not be asked for feedback again" }).waitFor();
  const token = new URL(unsubscribe.replace("#/", "")).searchParams.get("token");
  const read = async () => (await graphql(base, `query($t: String!) { emailPreferences(token: $t) { feedbackRequests } }`, { t: token })).emailPreferences.feedbackRequests;
  assert.equal(await read(), false);
  await prefs.screenshot({ path: join(artifacts, "unsubscribe.png"), fullPage: true });
  await prefs.locator("#resubscribe").click();
  await prefs.locator('#prefs-state[data-subscribed="true"]').waitFor();
  assert.equal(await read(), true);
  assert.deepEqual(prefs.errors, []);
  await prefs.context().close();

  // The mail client's one-click button: a POST to the header's address (RFC 8058).
  const posted = await fetch(oneClick, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
  assert.equal(posted.status, 200);
  assert.equal(await read(), false);
});
