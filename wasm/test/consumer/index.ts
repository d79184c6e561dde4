// A TypeScript consumer of the packed ordo-wasm package: the README's calls as an app would write
// them, through both entry points, type-checked (never run) by wasm/test/typescript.test.mjs with
// `tsc --strict`. Each `@ts-expect-error` line is a wrong use the declarations must refuse: should a
// declared type loosen so that one is accepted, tsc reports the unused directive and the test fails.
import init, {
  CartValidator,
  avoidCodeGeneration,
  cartTotals,
  checkAddress,
  checkCard,
  checkEmail,
  formatMoney,
  shippingOptions,
  validateCart,
} from "ordo-wasm";
import type {
  AddressCheck,
  Cart,
  CartCheck,
  Catalog,
  EmailCheck,
  IssueCode,
  OrdoError,
  Rules,
  ShippingOption,
  Totals,
} from "ordo-wasm";
import initOrders, { allowedActions, formatMoney as formatMoneyInOrders, orderStatusView } from "ordo-wasm/orders";
import * as orders from "ordo-wasm/orders";
import type { Action, Role, StatusView, TimelineEntry } from "ordo-wasm/orders";
import initMessages, { renderMessage } from "ordo-wasm/messages";
import type { Letterhead, Message } from "ordo-wasm/messages";

await init();
await initOrders();
avoidCodeGeneration();
orders.avoidCodeGeneration();

// The storefront module (`ordo-wasm`), as the README's API table lists it.
const catalog: Catalog = [
  { sku: "TEE", name: "Organic tee", unitPrice: { amount: 2400, currency: "USD" }, active: true, available: 3,
    policy: "deny", weightGrams: 200, taxClass: "standard" },
  { sku: "MUG", name: "Mug", unitPrice: { amount: 1200, currency: "USD" }, active: true, available: 0,
    policy: { backorder: { leadTimeDays: 21 } }, weightGrams: 350, taxClass: "reduced", maxPerOrder: 4 },
];
const rules: Rules = {
  coupons: [{ code: "WELCOME10", discount: { percent: { basisPoints: 1000 } } }],
  shipping: [{ name: "US", countries: ["US"], options: [
    { code: "ground", name: "Ground", rate: { flat: { amount: { amount: 500, currency: "USD" } } }, transitDays: 5 },
  ] }],
};
const cart: Cart = { currency: "USD", lines: [{ sku: "TEE", quantity: 5 }], coupons: ["welcome10"] };

const check: CartCheck = validateCart(cart, catalog, rules);
validateCart(cart, catalog, rules, "2026-11-27T12:00:00Z");
validateCart(cart, catalog, rules, new Date());
validateCart(cart, catalog, rules, undefined);
validateCart(cart, catalog, {});
const code: IssueCode | undefined = check.issues[0]?.code;
const message: string | undefined = check.issues[0]?.message;
const totals: Totals | null = cartTotals(cart, catalog, rules);
cartTotals(cart, catalog, rules, new Date());
if (totals) console.log(formatMoney(totals.grandTotal.amount, totals.grandTotal.currency), code, message);

{
  using validator = new CartValidator(catalog, rules);
  const again: CartCheck = validator.validate(cart);
  validator.validate(cart, "2026-11-27T12:00:00Z");
  const fast: Totals | null = validator.totals(cart);
  validator.totals(cart, new Date());
  console.log(again.ok, fast?.grandTotal.amount);
}
const validator = new CartValidator(catalog, rules);
validator.free();

const address: AddressCheck = checkAddress({ name: "Ada", line1: "10 Downing St", city: "London", postalCode: "sw1a2aa", country: "gb" });
const email: EmailCheck = checkEmail("Ada@Example.COM");
const card = checkCard("4242 4242 4242 4242", 12, 2030);
checkCard("4242 4242 4242 4242", 12, 2030, "2026-11-27T00:00:00Z");
console.log(address.address?.postalCode, email.email, card.brand, card.last4);

const offered: Array<ShippingOption> = shippingOptions("us", rules);
const cartWithOption: Cart = { ...cart, shippingOption: offered[0]?.code ?? null };
console.log(offered.map((o) => [o.code, o.name, o.transitDays, o.freeAbove?.amount]), cartWithOption);

const dollars: string = formatMoney(123456, "USD");
formatMoney(123456n, "EUR", "de-DE");
formatMoney(123456, "EUR", undefined);

// The order module (`ordo-wasm/orders`), with a timeline as the API returns it.
declare const timeline: Array<TimelineEntry>;
const view: StatusView = orderStatusView(timeline);
orderStatusView(timeline, new Date());
const roles: Array<Role> = ["customer", "staff", "admin", "channel", { supplier: "acme" }];
const actions: Array<Action> = allowedActions(timeline, roles[0]);
allowedActions(timeline, { supplier: "acme" }, "2026-11-27T12:00:00Z");
console.log(view.headline, actions.map((a) => a.kind), dollars, formatMoneyInOrders(500, "USD"));

// The message module (`ordo-wasm/messages`): the e-mail the gateway would send.
await initMessages();
const letterhead: Letterhead = { shopName: "Lumen", orderLink: "https://lumen.example/#/orders/o1", locale: "en-US" };
const mail: Message = renderMessage(timeline, "confirmation", letterhead);
renderMessage(timeline, { shipped: { shipment: "o1-S1" } }, letterhead, new Date());
console.log(mail.subject, mail.text.length, mail.html.length);
// @ts-expect-error: a notice is one of Notice's kinds.
renderMessage(timeline, "thankYouNote", letterhead);
// @ts-expect-error: the letterhead needs the order's link.
renderMessage(timeline, "confirmation", { shopName: "Lumen", locale: "en-US" });

try {
  validateCart(cart, catalog, rules);
} catch (e) {
  const error = e as OrdoError;
  if (error.code === "INVALID_INPUT") console.log(error.message);
  // @ts-expect-error: OrdoError's code is one of the documented codes.
  if (error.code === "NOT_A_CODE") console.log(error.message);
}

// Wrong uses the declarations must refuse.
// @ts-expect-error: `now` is an ISO 8601 string or a Date, not a number.
validateCart(cart, catalog, rules, 1_700_000_000_000);
// @ts-expect-error: the rules are not optional.
validateCart(cart, catalog);
// @ts-expect-error: a quantity is a number.
validateCart({ currency: "USD", lines: [{ sku: "TEE", quantity: "5" }] }, catalog, rules);
// @ts-expect-error: a currency is an ISO 4217 code the package knows.
validateCart(cart, [{ ...catalog[0]!, unitPrice: { amount: 1, currency: "XYZ" } }], rules);
// @ts-expect-error: the out-of-stock policy is "deny", { backorder } or { dropship }.
validateCart(cart, [{ ...catalog[0]!, policy: "pray" }], rules);
// @ts-expect-error: cartTotals is null when nothing can be priced.
const sure: Totals = cartTotals(cart, catalog, rules);
// @ts-expect-error: an issue's code is one of IssueCode.
if (check.issues[0]?.code === "NOT_A_CODE") console.log(sure);
// @ts-expect-error: a CartValidator needs the rules too.
new CartValidator(catalog);
// @ts-expect-error: CartValidator.validate takes the cart first.
validator.validate("2026-11-27T12:00:00Z");
// @ts-expect-error: the expiry year is required.
checkCard("4242 4242 4242 4242", 12);
// @ts-expect-error: a country is an ISO 3166-1 code as a string.
shippingOptions(840, rules);
// @ts-expect-error: shippingOptions needs the rules.
shippingOptions("US");
// @ts-expect-error: the country comes first.
shippingOptions(rules, "US");
// @ts-expect-error: an option's rate is an object, not an amount.
const rate: number = offered[0]!.rate;
// @ts-expect-error: minor units are a number or a bigint, not a string.
formatMoney("100", "USD");
// @ts-expect-error: the role is required.
allowedActions(timeline);
// @ts-expect-error: the role is one of the documented roles.
allowedActions(timeline, "overlord");
// @ts-expect-error: a headline is text.
const headline: number = view.headline;
// @ts-expect-error: the order module does not validate carts.
orders.validateCart(cart, catalog, rules);
console.log(headline, rate);
