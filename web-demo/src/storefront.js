// The storefront: catalog from GraphQL, a cart validated by ordo-wasm on every change (no
// network), checkout → placeOrder → authorizePayment → the tracking page.
import { CartValidator, formatMoney } from "../../wasm/pkg/web/ordo_wasm.js";
import { gql, session, guestTokenKey } from "./api.js";
import { h, mount, field, fmtDate } from "./dom.js";
import { loadRules, cartRules, shippingOptions } from "./rules.js";
import { TEST_TOKENS } from "./payment.js";

const PRODUCT_FIELDS = `sku name category description price { amount currency formatted } active
  minPerOrder maxPerOrder outOfStockPolicy leadTimeDays supplier supplierName nextRestock restocks { on units } weightGrams taxClass available`;

const ADDRESS_FIELDS = [
  ["name", "Full name", "name"],
  ["line1", "Address line 1", "address-line1"],
  ["line2", "Address line 2 (optional)", "address-line2"],
  ["city", "City", "address-level2"],
  ["region", "State / province", "address-level1"],
  ["postalCode", "ZIP / postal code", "postal-code"],
  ["country", "Country code (US or CA)", "country"],
];

const CART_KEY = "ordo.cart";
const products = new Map(); // sku → product (GraphQL shape), every product seen
let validator = null;
let cart = loadCart();
let stage = "browse";
let pending = null; // { orderId, token } of an order placed but not yet paid
let chosenPayment = null; // the payment token the shopper picked, kept across redraws
let couponRefusal = null; // why the last code entered was not applied

function loadCart() {
  try {
    const saved = JSON.parse(session.get(CART_KEY));
    if (saved && Array.isArray(saved.lines)) return saved;
  } catch {}
  return { currency: "USD", lines: [], coupons: [], shippingOption: "ground", email: "", shippingAddress: { country: "US" } };
}
const saveCart = () => {
  session.set(CART_KEY, JSON.stringify(cart));
  showCount();
};

/** The header's cart count. */
export function showCount() {
  const count = document.getElementById("cart-count");
  if (count) count.textContent = String(cart.lines.reduce((n, l) => n + (Number(l.quantity) || 0), 0));
}

/** A GraphQL product as an ordo-core catalog item. */
function catalogItem(p) {
  const policy =
    p.outOfStockPolicy === "backorder"
      ? { backorder: { leadTimeDays: p.leadTimeDays ?? 0 } }
      : p.outOfStockPolicy === "dropship"
        ? { dropship: { supplier: p.supplier ?? "supplier" } }
        : "deny";
  return {
    sku: p.sku,
    name: p.name,
    unitPrice: { amount: p.price.amount, currency: p.price.currency },
    active: p.active,
    minPerOrder: p.minPerOrder,
    maxPerOrder: p.maxPerOrder,
    available: p.available,
    nextRestock: p.nextRestock ?? null,
    restocks: p.restocks ?? null,
    policy,
    weightGrams: p.weightGrams,
    taxClass: p.taxClass,
  };
}

async function loadCatalog() {
  if (validator) return;
  let after = null;
  do {
    const data = await gql(
      `query($after: String) { products(first: 50, after: $after) { nodes { ${PRODUCT_FIELDS} } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    for (const p of data.products.nodes) products.set(p.sku, p);
    after = data.products.pageInfo.hasNextPage ? data.products.pageInfo.endCursor : null;
  } while (after);
  await loadRules(cart.coupons);
  validator = new CartValidator([...products.values()].map(catalogItem), cartRules());
}

/** After a coupon code is entered: the rules that reveal it, and a validator with them. */
async function revealCoupons() {
  try {
    if (!(await loadRules(cart.coupons))) return;
  } catch (e) {
    console.warn("could not look up the coupon codes", e); // the cart then shows them as unknown
    return;
  }
  validator.free();
  validator = new CartValidator([...products.values()].map(catalogItem), cartRules());
}

function stockBadge(p) {
  if (!p.active) return h("span", { class: "badge muted" }, "Unavailable");
  if (p.available > 0) return h("span", { class: "badge ok" }, `In stock (${p.available})`);
  if (p.outOfStockPolicy === "backorder") {
    // ordo-core's promise (the next open purchase order, else the lead time): the date the cart
    // and the order then show.
    const d = validator.backorderPromise(p.sku);
    return h("span", { class: "badge warn", dataset: { promise: d, source: p.nextRestock ? "purchase-order" : "lead-time" } }, `Backorder — ships by ${fmtDate(d)}`);
  }
  if (p.outOfStockPolicy === "dropship") return h("span", { class: "badge info", dataset: { supplier: p.supplier ?? "" } }, p.supplierName ? `Ships from ${p.supplierName}, our partner` : "Ships from our partner");
  return h("span", { class: "badge bad" }, "Out of stock");
}

/** The cart ordo-wasm sees: the address only once the shopper started typing one. */
function wireCart() {
  const a = cart.shippingAddress ?? {};
  const started = ["name", "line1", "city", "postalCode"].some((k) => a[k]);
  return {
    currency: cart.currency,
    lines: cart.lines,
    coupons: cart.coupons,
    shippingAddress: started || stage === "checkout" ? { ...a, country: a.country || "US" } : null,
    shippingOption: cart.shippingOption || null,
    email: cart.email || null,
    stage,
  };
}

/** The shop; `showCart` scrolls to the cart (the header's cart link, one tap on a phone). */
export async function renderStorefront(root, showCart = false) {
  mount(root, h("p", {}, "Loading the catalog…"));
  await loadCatalog();

  const list = h("ul", { class: "products", "aria-label": "Products" });
  const search = field("Search", { type: "search", id: "search", placeholder: "tee, mug, coffee…" });
  const categories = [...new Set([...products.values()].map((p) => p.category))].sort();
  const category = field("Category", { id: "category" }, "select");
  category.input.append(h("option", { value: "" }, "All"), ...categories.map((c) => h("option", { value: c }, c)));

  let seq = 0;
  async function refreshList() {
    const mine = ++seq;
    const data = await gql(
      `query($search: String, $category: String) { products(first: 50, search: $search, category: $category) { nodes { ${PRODUCT_FIELDS} } } }`,
      { search: search.input.value.trim() || null, category: category.input.value || null },
    );
    if (mine !== seq) return;
    mount(list, 
      ...data.products.nodes.map((p) =>
        h(
          "li",
          { class: "product", dataset: { sku: p.sku } },
          h("h3", {}, p.name),
          h("p", { class: "sku" }, p.sku, " · ", p.category),
          h("p", { class: "price" }, p.price.formatted),
          stockBadge(p),
          h("button", { type: "button", class: "add", "aria-label": `Add ${p.name} to cart`, onclick: () => addToCart(p.sku) }, "Add to cart"),
        ),
      ),
    );
    if (!data.products.nodes.length) list.append(h("li", { class: "empty" }, "No products match."));
  }
  let timer;
  search.input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refreshList, 250);
  });
  category.input.addEventListener("change", refreshList);

  const cartBox = h("section", { class: "cart", "aria-labelledby": "cart-h" });
  mount(
    root,
    h(
      "div",
      { class: "shop" },
      h("section", { class: "catalog", "aria-labelledby": "cat-h" }, h("h2", { id: "cat-h" }, "Catalog"), h("div", { class: "filters" }, search.wrap, category.wrap), list),
      cartBox,
    ),
  );
  buildCart(cartBox);
  await refreshList();
  if (showCart) cartBox.scrollIntoView({ block: "start" });

  function addToCart(sku) {
    const line = cart.lines.find((l) => l.sku === sku);
    if (line) line.quantity += 1;
    else cart.lines.push({ sku, quantity: 1 });
    saveCart();
    buildCart(cartBox);
    const note = document.getElementById("cart-note");
    if (note) note.textContent = `Added ${products.get(sku)?.name ?? sku} to your cart.`;
  }
}

/** Builds the cart and checkout form; later changes only update issues and totals. */
function buildCart(box) {
  const issuesBy = new Map(); // path → element showing that path's issues
  const slot = (path) => {
    const el = h("p", { class: "issue", role: "alert", dataset: { path } });
    issuesBy.set(path, el);
    return el;
  };

  const lines = cart.lines.map((line, i) => {
    const p = products.get(line.sku);
    const qty = h("input", {
      type: "number",
      inputmode: "numeric",
      min: "1",
      value: line.quantity,
      id: `qty-${i}`,
      class: "qty",
      "aria-describedby": `issue-line-${i}`,
      dataset: { sku: line.sku },
    });
    qty.addEventListener("input", () => {
      const n = Number.parseInt(qty.value, 10);
      line.quantity = Number.isFinite(n) ? n : 0;
      saveCart();
      update();
    });
    const issue = slot(`lines[${i}]`);
    issue.id = `issue-line-${i}`;
    return h(
      "li",
      { class: "line", dataset: { sku: line.sku } },
      h("div", { class: "line-main" }, h("span", { class: "line-name" }, p?.name ?? line.sku), h("span", { class: "line-total", dataset: { lineTotal: i } })),
      h(
        "div",
        { class: "line-controls" },
        h("label", { for: `qty-${i}` }, "Quantity"),
        qty,
        h("button", { type: "button", class: "link", "aria-label": `Remove ${p?.name ?? line.sku}`, onclick: () => { cart.lines.splice(i, 1); saveCart(); buildCart(box); } }, "Remove"),
      ),
      issue,
    );
  });

  const coupon = field("Coupon code", { id: "coupon", autocomplete: "off", placeholder: "WELCOME10" });
  const couponMsg = h("p", { class: "msg error", id: "coupon-msg", role: "alert", hidden: !couponRefusal }, couponRefusal ?? "");
  /** Applies the code only when ordo-wasm accepts it in this cart; otherwise says why and leaves
   * the cart as it was (an unknown or non-combinable code never sits in the cart). */
  const applyCoupon = async () => {
    const code = coupon.input.value.trim();
    if (!code) return;
    couponRefusal = null;
    if (cart.coupons.some((c) => c.toUpperCase() === code.toUpperCase())) {
      couponRefusal = `${code.toUpperCase()} is already applied.`;
      return buildCart(box);
    }
    cart.coupons.push(code);
    await revealCoupons();
    const at = `coupons[${cart.coupons.length - 1}]`;
    const refused = validator.validate(wireCart()).issues.find((i) => i.severity === "error" && i.path.startsWith(at));
    if (refused) {
      cart.coupons.pop();
      couponRefusal = `${code.toUpperCase()}: ${refused.message}`;
    }
    saveCart();
    buildCart(box);
  };
  coupon.input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); applyCoupon(); } });
  const coupons = cart.coupons.map((code, k) =>
    h("li", { class: "coupon" }, h("span", {}, code.toUpperCase()), " ",
      h("button", { type: "button", class: "link", "aria-label": `Remove coupon ${code}`, onclick: () => { cart.coupons.splice(k, 1); saveCart(); buildCart(box); } }, "Remove"),
      slot(`coupons[${k}]`)),
  );

  // Checkout form.
  const addr = cart.shippingAddress ?? (cart.shippingAddress = { country: "US" });
  const addrFields = ADDRESS_FIELDS.map(([key, label, autocomplete]) => {
    const f = field(label, { id: `addr-${key}`, autocomplete, value: addr[key] ?? "" });
    f.input.addEventListener("input", () => {
      addr[key] = f.input.value;
      if (key === "country") fillOptions();
      saveCart();
      update();
    });
    f.wrap.append(slot(`shippingAddress.${key}`));
    return f.wrap;
  });
  const email = field("E-mail", { id: "email", type: "email", autocomplete: "email", value: cart.email ?? "" });
  email.input.addEventListener("input", () => { cart.email = email.input.value; saveCart(); update(); });
  email.wrap.append(slot("email"));
  const option = field("Shipping option", { id: "shipping-option" }, "select");
  function fillOptions() {
    const opts = shippingOptions(addr.country);
    mount(option.input, ...opts.map((o) => h("option", { value: o.code }, o.name)));
    if (!opts.some((o) => o.code === cart.shippingOption)) cart.shippingOption = opts[0]?.code ?? null;
    option.input.value = cart.shippingOption ?? "";
  }
  fillOptions();
  option.input.addEventListener("change", () => { cart.shippingOption = option.input.value; saveCart(); update(); });
  option.wrap.append(slot("shippingOption"));
  const payment = field("Payment (test token)", { id: "payment-token" }, "select");
  payment.input.append(...TEST_TOKENS.map(([v, l]) => h("option", { value: v }, `${l} (${v})`)));
  // The shopper's choice stays while the cart changes around it (the cart is redrawn often).
  if (chosenPayment) payment.input.value = chosenPayment;
  payment.input.addEventListener("change", () => { chosenPayment = payment.input.value; });
  const placeBtn = h("button", { type: "submit", class: "primary", id: "place-order" }, "Place order and pay");
  const checkoutMsg = h("div", { class: "checkout-msg", role: "alert", id: "checkout-msg" });
  const form = h(
    "form",
    { class: "checkout", "aria-labelledby": "checkout-h", novalidate: true },
    h("h3", { id: "checkout-h" }, "Checkout"),
    h("fieldset", {}, h("legend", {}, "Shipping address"), addrFields),
    email.wrap,
    option.wrap,
    payment.wrap,
    h("p", { class: "hint" }, "This demo takes no card numbers: pick a test payment token. tok_visa, tok_mastercard, tok_amex and tok_wallet_applepay are approved; tok_declined, tok_insufficient_funds and tok_expired_card are declined; tok_processing_error is a provider failure."),
    checkoutMsg,
    placeBtn,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    checkout(payment.input.value, placeBtn, checkoutMsg, update);
  });

  const totals = h("dl", { class: "totals", "aria-live": "polite" });
  mount(box, 
    h("h2", { id: "cart-h" }, "Your cart"),
    cart.lines.length ? h("ul", { class: "lines" }, lines) : h("p", { class: "empty" }, "Your cart is empty."),
    slot("lines"),
    slot("general"),
    h("div", { class: "coupon-form" }, coupon.wrap, h("button", { type: "button", id: "apply-coupon", onclick: applyCoupon }, "Apply")),
    couponMsg,
    // One of the demo data's coupons (gateway/src/seed.rs); a real shop's codes reach shoppers otherwise.
    h("p", { class: "hint" }, "Demo shop: try the coupon WELCOME10."),
    cart.coupons.length ? h("ul", { class: "coupons", "aria-label": "Applied coupons" }, coupons) : null,
    totals,
    form,
  );
  update();

  /** Re-validates with ordo-wasm and shows every issue where it belongs: no network. */
  function update() {
    const wire = wireCart();
    const check = validator.validate(wire);
    const later = (text) => (wire.shippingAddress ? text : "with your address");
    for (const el of issuesBy.values()) mount(el);
    for (const issue of check.issues) {
      const path = issue.path;
      const target =
        issuesBy.get(path) ??
        issuesBy.get(path.replace(/^(lines\[\d+\]).*$/, "$1")) ??
        issuesBy.get(path.replace(/^(coupons\[\d+\]).*$/, "$1")) ??
        (path.startsWith("shippingAddress") ? issuesBy.get("shippingAddress.line1") : null) ??
        issuesBy.get("general");
      target.append(h("span", { class: `msg ${issue.severity}`, dataset: { code: issue.code } }, issue.message));
    }
    for (const el of issuesBy.values()) el.hidden = !el.childNodes.length;
    const t = check.totals;
    const money = (m) => formatMoney(m.amount, m.currency);
    if (t) {
      for (const lt of t.lines) {
        const cell = box.querySelector(`[data-line-total="${lt.index}"]`);
        if (cell) cell.textContent = money(lt.total);
      }
      mount(totals, 
        h("dt", {}, "Subtotal"), h("dd", { id: "t-subtotal" }, money(t.subtotal)),
        h("dt", {}, "Discount"), h("dd", { id: "t-discount" }, t.discount.amount ? `−${money(t.discount)}` : money(t.discount)),
        h("dt", {}, "Shipping"), h("dd", { id: "t-shipping" }, later(money(t.shipping))),
        h("dt", {}, "Tax"), h("dd", { id: "t-tax" }, later(money(t.tax))),
        h("dt", { class: "grand" }, "Total"), h("dd", { class: "grand", id: "t-grand" }, money(t.grandTotal)),
      );
    } else mount(totals);
    box.dataset.ok = String(check.ok);
    return check;
  }
}

async function checkout(token, button, msg, update) {
  mount(msg);
  msg.className = "checkout-msg";
  stage = "checkout";
  const check = update();
  if (!check.ok) {
    msg.classList.add("error");
    msg.append("Please fix the highlighted problems first.");
    document.querySelector(".issue:not([hidden])")?.scrollIntoView({ block: "center" });
    return;
  }
  button.disabled = true;
  const sig = JSON.stringify([cart.lines, cart.coupons, cart.shippingAddress, cart.shippingOption, cart.email]);
  // The cart changed since a declined attempt: a new order replaces that one, which is then
  // cancelled so its stock goes back on sale (its payment hold would release it only later).
  const replaced = pending && pending.sig !== sig ? pending : null;
  if (replaced) pending = null;
  try {
    if (!pending) {
      const a = cart.shippingAddress;
      const input = {
        channel: "web",
        currency: cart.currency,
        email: cart.email.trim(),
        lines: cart.lines,
        coupons: cart.coupons,
        shippingOption: cart.shippingOption,
        shippingAddress: {
          name: a.name, line1: a.line1, line2: a.line2 || null, city: a.city,
          region: a.region || null, postalCode: a.postalCode, country: (a.country || "US").toUpperCase(),
        },
      };
      const key = `web-${crypto.randomUUID()}`;
      const data = await gql(
        `mutation($input: PlaceOrderInput!, $key: String) { placeOrder(input: $input, idempotencyKey: $key) { accessToken order { id grandTotal { amount formatted } } } }`,
        { input, key },
      );
      pending = { orderId: data.placeOrder.order.id, token: data.placeOrder.accessToken, sig };
      session.set(guestTokenKey(pending.orderId), pending.token);
      if (replaced) {
        await gql(`mutation($id: String!, $r: String!) { cancelOrder(orderId: $id, reason: $r) { order { id } } }`,
          { id: replaced.orderId, r: `Replaced by order ${pending.orderId}` }, replaced.token)
          .catch((e) => console.warn("could not cancel the replaced order", replaced.orderId, e.message));
      }
      if (data.placeOrder.order.grandTotal.amount !== check.totals.grandTotal.amount) {
        console.warn("server total differs from the browser's", data.placeOrder.order.grandTotal, check.totals.grandTotal);
      }
    }
    await gql(
      `mutation($id: String!, $tok: String!) { authorizePayment(orderId: $id, token: $tok) { order { id state } } }`,
      { id: pending.orderId, tok: token },
      pending.token,
    );
    const id = pending.orderId;
    pending = null;
    cart = { ...loadCartDefaults(), shippingAddress: cart.shippingAddress, email: cart.email };
    stage = "browse";
    saveCart();
    location.hash = `#/orders/${id}`;
  } catch (err) {
    msg.classList.add("error");
    if (err.code === "PAYMENT_DECLINED" || err.code === "PAYMENT_FAILED" || /payment/i.test(err.code ?? "")) {
      msg.append(
        h("strong", {}, "Payment declined. "),
        `${err.message}. Your order ${pending?.orderId ?? ""} is saved: choose another payment method and try again.`,
      );
      msg.dataset.code = "PAYMENT_DECLINED";
    } else if (err.issues?.length) {
      msg.append("The shop could not accept the order: ", err.issues.map((i) => i.message).join(" "));
      msg.dataset.code = err.code;
    } else {
      msg.append(`Something went wrong: ${err.message}`);
      msg.dataset.code = err.code ?? "ERROR";
    }
  } finally {
    button.disabled = false;
  }
}

function loadCartDefaults() {
  return { currency: "USD", lines: [], coupons: [], shippingOption: "ground", email: "", shippingAddress: { country: "US" } };
}
