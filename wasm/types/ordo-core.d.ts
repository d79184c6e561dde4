// Generated from ordo-core's Rust types by wasm/tests/types.rs. Do not edit by hand:
// run `ORDO_BLESS=1 cargo test -p ordo-wasm --test types`.

/**
 * A command that is possible right now, with what it targets.
 */
export type Action = { kind: ActionKind, 
/**
 * The shipment the action applies to, for shipment actions.
 */
shipment: string | null, 
/**
 * The return the action applies to, for return actions.
 */
rma: string | null, 
/**
 * The line and part, for backorder actions.
 */
line: number | null, part: number | null, };

/**
 * Every kind of command, as a UI names its buttons.
 */
export type ActionKind = "confirm" | "cancel" | "authorizePayment" | "failPayment" | "capturePayment" | "voidPayment" | "refundPayment" | "createShipments" | "startPicking" | "pack" | "ship" | "markInTransit" | "markOutForDelivery" | "markDelivered" | "reportException" | "resolveException" | "returnToSender" | "cancelShipment" | "acceptShipment" | "rejectShipment" | "allocateBackorder" | "backorder" | "dropship" | "requestReturn" | "approveReturn" | "rejectReturn" | "receiveReturn" | "refundReturn" | "cancelReturn" | "cancelLines" | "splitShipment" | "mergeShipments" | "receiveReturnedParcel";

/**
 * The unvalidated address as a form or an API client sends it.
 */
export type AddressInput = { name: string, line1: string, line2?: string | null, city: string, region?: string | null, postalCode: string, country: string, phone?: string | null, };

/**
 * Some units of one part of an order line, cancelled.
 */
export type CancelledUnits = { line: number, 
/**
 * The index of the part in the line's availability (see [`PlacedLine::parts`]).
 */
part: number, quantity: number, };

/**
 * When the money of an order is captured.
 */
export type CapturePolicy = "onAuthorization" | "onShipment" | "manual";

/**
 * Card networks recognised from the number's prefix (IIN ranges).
 */
export type CardBrand = "visa" | "mastercard" | "amex" | "discover" | "jcb" | "dinersClub" | "unionPay" | "maestro" | "unknown";

/**
 * What a card number and expiry look like; every problem is reported.
 */
export type CardCheck = { ok: boolean, brand: CardBrand, 
/**
 * The last four digits, safe to show and store.
 */
last4: string | null, problems: Array<CardProblem>, };

/**
 * One thing wrong with what was typed.
 */
export type CardProblem = "NUMBER_INVALID_CHARACTERS" | "NUMBER_LENGTH" | "NUMBER_CHECKSUM" | "EXPIRY_MONTH_INVALID" | "EXPIRED" | "EXPIRY_TOO_FAR";

/**
 * A cart as the customer built it: raw, unvalidated values straight from a form or an API.
 */
export type Cart = { 
/**
 * ISO 4217 code of the currency the customer pays in.
 */
currency: string, lines: Array<CartLine>, 
/**
 * Coupon codes in the order they were entered (matched case-insensitively).
 */
coupons?: Array<string>, shippingAddress?: AddressInput | null, 
/**
 * Code of the chosen shipping option; the zone's first option when absent.
 */
shippingOption?: string | null, email?: string | null, stage?: CartStage, };

/**
 * The verdict on a cart.
 */
export type CartCheck = { 
/**
 * True when no issue has [`Severity::Error`]: the cart may be checked out.
 */
ok: boolean, 
/**
 * Absent only when nothing can be added up (unknown currency, amounts out of range).
 */
totals: Totals | null, 
/**
 * Every issue, in cart order: cart, lines, coupons, address, contact, shipping.
 */
issues: Array<Issue>, };

/**
 * One line of a [`Cart`].
 */
export type CartLine = { sku: string, quantity: number, };

/**
 * How far the customer is: browsing tolerates a missing address and e-mail, checkout does not.
 */
export type CartStage = "browse" | "checkout";

/**
 * The SKUs validation may look up, keyed by SKU.
 */
export type Catalog = Array<{ sku: Sku, 
/**
 * Display name, used in messages.
 */
name: string, 
/**
 * Price of one unit; tax-inclusive or exclusive as the tax rules say.
 */
unitPrice: Money, 
/**
 * Inactive products cannot be bought.
 */
active: boolean, 
/**
 * Smallest quantity one order may hold (1 when absent).
 */
minPerOrder?: Quantity | null, 
/**
 * Largest quantity one order may hold (no limit but [`Quantity::MAX`] when absent).
 */
maxPerOrder?: Quantity | null, 
/**
 * Available to promise: on hand minus reserved over all locations.
 */
available: number, policy: OutOfStockPolicy, 
/**
 * Earliest expected arrival of an open purchase order for this SKU, if any.
 */
nextRestock?: string | null, 
/**
 * Units of open purchase orders not yet promised to waiting backorders, by day (what is left
 * once they took theirs). When given, a backorder is promised the day its last unit arrives;
 * when absent, the next restock is taken to bring enough.
 */
restocks?: Array<Incoming> | null, weightGrams: number, taxClass: TaxClass, }>;

/**
 * An ISO 3166-1 alpha-2 code, upper case (`US`, `DE`, `JP`).
 */
export type CountryCode = string;

/**
 * A coupon code and what it gives.
 */
export type Coupon = { 
/**
 * Matched case-insensitively against what the customer typed.
 */
code: string, discount: CouponDiscount, 
/**
 * The goods subtotal must reach this before the coupon applies.
 */
minSubtotal?: Money | null, 
/**
 * Valid from this instant (inclusive).
 */
validFrom?: string | null, 
/**
 * Valid until this instant (exclusive).
 */
validUntil?: string | null, 
/**
 * May combine with other stackable coupons when the rules allow stacking.
 */
stackable?: boolean, };

/**
 * What a coupon takes off.
 */
export type CouponDiscount = { "percent": { basisPoints: number, } } | { "fixed": { amount: Money, } } | "freeShipping";

/**
 * The ISO 4217 currencies Ordo prices in. Each knows its minor-unit exponent.
 */
export type Currency = "AUD" | "CAD" | "CHF" | "CNY" | "CZK" | "DKK" | "EUR" | "GBP" | "INR" | "JPY" | "KRW" | "KWD" | "NOK" | "NZD" | "PLN" | "SEK" | "USD";

/**
 * The opaque id of a customer account (e.g. `cus_01HX…`).
 */
export type CustomerId = string;

/**
 * An e-mail address: `local@domain.tld`, the domain lower-cased.
 */
export type Email = string;

/**
 * What went wrong in the carrier's hands.
 */
export type ExceptionKind = "damaged" | "lost" | "addressProblem" | "delayed" | "other";

/**
 * How a line will be served, as far as the catalog snapshot tells.
 */
export type Fulfilment = "inStock" | { "backorder": { quantity: number, promised: string, } } | { "dropship": { quantity: number, supplier: string, } } | { "unavailable": { available: number, } };

/**
 * Units of a SKU expected on a day: an open purchase order's units not yet received, or (in a
 * catalog) those not yet promised to a waiting backorder.
 */
export type Incoming = { on: string, units: number, };

/**
 * One thing wrong with (or worth knowing about) a cart.
 */
export type Issue = { 
/**
 * Stable machine code; never changes meaning once released.
 */
code: IssueCode, 
/**
 * Where in the cart, in wire names: `lines[2].quantity`, `shippingAddress.postalCode`, `coupons[0]`.
 */
path: string, severity: Severity, 
/**
 * An English sentence for the customer.
 */
message: string, };

/**
 * The stable codes of cart issues.
 */
export type IssueCode = "CURRENCY_UNKNOWN" | "CART_EMPTY" | "CART_TOO_MANY_LINES" | "INVALID_SKU" | "INVALID_QUANTITY" | "DUPLICATE_LINE" | "UNKNOWN_SKU" | "INACTIVE_PRODUCT" | "CURRENCY_MISMATCH" | "QTY_BELOW_MIN" | "QTY_ABOVE_MAX" | "OUT_OF_STOCK" | "BACKORDERED" | "DROPSHIPPED" | "COUPON_UNKNOWN" | "COUPON_DUPLICATE" | "COUPON_NOT_YET_VALID" | "COUPON_EXPIRED" | "COUPON_MIN_SUBTOTAL" | "COUPON_NOT_STACKABLE" | "COUPON_CURRENCY_MISMATCH" | "ADDRESS_REQUIRED" | "ADDRESS_MISSING_FIELD" | "ADDRESS_FIELD_TOO_LONG" | "ADDRESS_INVALID_COUNTRY" | "ADDRESS_INVALID_POSTCODE" | "PHONE_INVALID" | "CARD_NUMBER_IN_TEXT" | "EMAIL_REQUIRED" | "EMAIL_INVALID" | "SHIPPING_UNAVAILABLE" | "SHIPPING_OPTION_UNKNOWN" | "SHIPPING_WEIGHT_EXCEEDED" | "SHIPPING_CURRENCY_MISMATCH" | "TOTAL_OUT_OF_RANGE";

/**
 * Who is writing and where the customer goes from the message.
 */
export type Letterhead = { 
/**
 * The shop's name, as customers know it.
 */
shopName: string, 
/**
 * The order's page, with a signed link that opens it without signing in.
 */
orderLink: string, 
/**
 * Where the return policy is written out, when the shop has a page for it.
 */
returnsLink?: string | null, 
/**
 * The locale money is written in (`en-US`, `de-DE`, …).
 */
locale: string, 
/**
 * Where the recipient stops messages they may opt out of; every such message needs it.
 */
unsubscribe?: Unsubscribe | null, };

/**
 * How one order line will be served.
 */
export type LineAvailability = { "allocated": { location: string, } } | { "backordered": { promised: string, } } | { "dropshipped": { supplier: string, } };

/**
 * One priced line.
 */
export type LineTotals = { 
/**
 * Position of the line in the cart.
 */
index: number, sku: Sku, name: string, quantity: Quantity, unitPrice: Money, 
/**
 * `unit_price × quantity`.
 */
subtotal: Money, 
/**
 * This line's share of the order discount (largest remainder by subtotal).
 */
discount: Money, tax: Money, 
/**
 * The rate of `tax`, in basis points (825 = 8.25 %); 0 without a destination.
 */
taxRateBp: number, 
/**
 * `subtotal − discount (+ tax when prices exclude tax)`.
 */
total: Money, fulfilment: Fulfilment, };

/**
 * A stock location (warehouse, store) id: 1–64 ASCII letters, digits, `-`, `_`, `.` or `:`.
 */
export type LocationId = string;

/**
 * A message ready to send: one subject and two parts saying the same thing.
 */
export type Message = { subject: string, 
/**
 * `text/plain`.
 */
text: string, 
/**
 * `text/html`, every value escaped.
 */
html: string, 
/**
 * For a message the customer may opt out of: the one-click unsubscribe address for the
 * `List-Unsubscribe` header (sent with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`).
 */
listUnsubscribe?: string | null, };

/**
 * An amount of money: a whole number of minor units (cents, yen, fils) in one currency.
 */
export type Money = { 
/**
 * Minor units; negative only for deltas such as adjustments, never for prices.
 */
amount: number, 
/**
 * The currency the minor units are counted in.
 */
currency: Currency, };

/**
 * What a message is about: the kind of message and the specifics it needs (which parcel,
 * which line, how much), taken from the event that called for it.
 */
export type Notice = "confirmation" | { "paymentDeclined": { reason: string, } } | "expiredUnpaid" | { "backordered": { line: number, promised: string, previously?: string, 
/**
 * The units were to ship from a partner that cannot send them after all.
 */
partnerFailed?: boolean, } } | { "dropship": { shipment: string, } } | { "dropshipAccepted": { shipment: string, } } | { "shipped": { shipment: string, } } | { "outForDelivery": { shipment: string, } } | { "delivered": { shipment: string, } } | { "deliveryProblem": { shipment: string, } } | { "late": { shipment: string, } } | { "cancelled": { refunded: Money | null, } } | { "linesCancelled": { amount: Money, refunded: Money | null, } } | { "refunded": { amount: Money, } } | { "returnApproved": { rma: string, } } | { "returnReceived": { rma: string, } } | "feedbackRequest";

/**
 * Something that happened to an order. The order's state is the fold of its events.
 */
export type OrderEvent = { "placed": PlacedOrder } | "confirmed" | { "cancelled": { reason: string, } } | "completed" | { "paymentAuthorized": { amount: Money, method: PaymentMethod, } } | { "paymentFailed": { reason: string, } } | { "paymentCaptured": { amount: Money, } } | "paymentVoided" | { "paymentCaptureFailed": { amount: Money, reason: string, } } | { "paymentAuthorizationExpiring": { expiresAt: string, } } | { "paymentRefunded": { amount: Money, reason: string, } } | { "paymentReauthorized": { amount: Money, reference: string, } } | { "shipmentCreated": { shipment: string, source: ShipmentSource, lines: Array<ShipmentLine>, } } | { "shipmentPickingStarted": { shipment: string, } } | { "shipmentPacked": { shipment: string, } } | { "shipmentShipped": { shipment: string, carrier: string, trackingNumber: string, trackingUrl: string | null, expectedDelivery: string | null, } } | { "shipmentInTransit": { shipment: string, } } | { "shipmentOutForDelivery": { shipment: string, } } | { "shipmentDelivered": { shipment: string, } } | { "shipmentException": { shipment: string, kind: ExceptionKind, note: string, } } | { "shipmentExceptionResolved": { shipment: string, } } | { "shipmentLate": { shipment: string, expected: string, } } | { "shipmentReturnedToSender": { shipment: string, } } | { "parcelReceivedBack": { shipment: string, restock: LocationId | null, } } | { "shipmentCancelled": { shipment: string, } } | { "shipmentRejected": { shipment: string, reason: string, } } | { "shipmentAccepted": { shipment: string, shipBy: string, } } | { "shipmentUnitsRemoved": { shipment: string, lines: Array<ShipmentLine>, } } | { "shipmentSplit": { shipment: string, into: string, lines: Array<ShipmentLine>, } } | { "shipmentsMerged": { into: string, from: Array<string>, } } | { "linesCancelled": { units: Array<CancelledUnits>, amount: Money, reason: string, } } | { "lineAllocated": { line: number, part: number, location: LocationId, } } | { "lineBackordered": { line: number, part: number, promised: string, } } | { "lineDropshipped": { line: number, part: number, supplier: string, } } | { "returnRequested": { rma: string, lines: Array<ReturnItem>, } } | { "returnApproved": { rma: string, } } | { "returnRejected": { rma: string, reason: string, } } | { "returnReceived": { rma: string, } } | { "returnRefunded": { rma: string, amount: Money, } } | { "returnCancelled": { rma: string, } } | { "messageSent": { message: string, kind: string, attempt: number, } } | { "messageFailed": { message: string, kind: string, attempts: number, givenUp: boolean, } } | { "listedOnChannel": { channel: string, } } | { "channelAcknowledged": { channel: string, webhook: string, event: string, attempt: number, } } | { "channelGaveUp": { channel: string, webhook: string, event: string, attempts: number, } };

/**
 * The opaque id of an order (e.g. `ord_01HX…`).
 */
export type OrderId = string;

/**
 * Per-order settings fixed when it was placed.
 */
export type OrderPolicy = { 
/**
 * Days after delivery within which a return may be requested.
 */
returnWindowDays: number, 
/**
 * Business days a parcel takes from dispatch with the chosen shipping option.
 */
transitDays: number, 
/**
 * Restocking fee on returned goods, in basis points.
 */
restockingFeeBp: number, 
/**
 * Confirm the order when its payment is captured rather than authorized.
 */
confirmOnCapture?: boolean, 
/**
 * When its money is captured (orders placed before there was a policy: as parcels ship).
 */
capture?: CapturePolicy, 
/**
 * A parcel whose capture is refused ships anyway and the order is flagged for staff, instead
 * of not shipping.
 */
shipWhenCaptureFails?: boolean, 
/**
 * What happens to a dropship parcel's units when its supplier cannot send them (orders
 * placed before there was a choice: cancelled and refunded).
 */
rejectedDropship?: RejectedDropship, };

/**
 * The money of an order as placed.
 */
export type OrderTotals = { subtotal: Money, discount: Money, shipping: Money, tax: Money, grandTotal: Money, };

/**
 * What happens when a SKU is ordered beyond its available-to-promise quantity.
 */
export type OutOfStockPolicy = "deny" | { "backorder": { leadTimeDays: number, } } | { "dropship": { supplier: string, } };

/**
 * What paid: never a card number, only the provider's token reference and what is safe to show.
 */
export type PaymentMethod = { 
/**
 * The payment provider's reference for the authorization.
 */
reference: string, brand: CardBrand, last4: string | null, };

/**
 * A phone number normalised to E.164: `+` followed by 8–15 digits, the first not `0`.
 */
export type Phone = string;

/**
 * An order line as placed, with its paid amounts and where its units come from.
 */
export type PlacedLine = { sku: Sku, name: string, quantity: number, unitPrice: Money, discount: Money, tax: Money, 
/**
 * The rate of `tax` in basis points (825 = 8.25 %); orders placed before rates were kept
 * have none.
 */
taxRateBp?: number, 
/**
 * What the customer pays for the whole line (after discount, with tax when exclusive).
 */
total: Money, 
/**
 * Where the units come from; quantities add up to `quantity`.
 */
parts: Array<PlacedPart>, };

/**
 * Everything an order starts with: the first event of every timeline.
 */
export type PlacedOrder = { id: OrderId, 
/**
 * The shop's short, increasing number for the order (`#1042`), beside its id. Orders placed
 * before there were numbers have none.
 */
number?: number, 
/**
 * The sales channel the order came from (`web`, `pos`, `amazon`, …).
 */
channel: string, customer: CustomerId | null, email: Email, shippingAddress: PostalAddress, currency: Currency, lines: Array<PlacedLine>, totals: OrderTotals, 
/**
 * The rate of the tax on shipping in basis points; orders placed before rates were kept
 * have none.
 */
shippingTaxRateBp?: number, shippingOption: string | null, policy: OrderPolicy, };

/**
 * Some units of a line and their initial availability.
 */
export type PlacedPart = { quantity: number, availability: LineAvailability, };

/**
 * A validated shipping address. Postcodes are normalised to their national format.
 */
export type PostalAddress = { name: string, line1: string, line2: string | null, city: string, region: string | null, 
/**
 * Normalised (`SW1A 1AA`, `1234 AB`, `123-4567`); empty only where the country has none.
 */
postalCode: string, country: CountryCode, phone: Phone | null, };

/**
 * A line quantity in `1..=10_000`.
 */
export type Quantity = number;

/**
 * What happens to a dropship parcel's units when its supplier says it cannot send them (the
 * shop's choice, copied into each order when it is placed).
 */
export type RejectedDropship = "cancelAndRefund" | "backorder";

/**
 * Some units of one order line in a return, and why.
 */
export type ReturnItem = { line: number, quantity: number, reason: string, };

/**
 * The shop's return terms, copied into each order when it is placed.
 */
export type ReturnPolicy = { 
/**
 * Days after delivery within which a return may be requested.
 */
windowDays?: number, 
/**
 * Fee kept from refunded goods, in basis points (0 for none).
 */
restockingFeeBp?: number, };

/**
 * The role of whoever issues a command.
 */
export type Role = "customer" | "staff" | "admin" | "channel" | { "supplier": string };

/**
 * Everything besides the catalog that decides what a cart costs.
 */
export type Rules = { 
/**
 * Coupons a customer may enter.
 */
coupons?: Array<Coupon>, 
/**
 * Whether several coupons may apply to one cart (each must also be `stackable`).
 */
allowCouponStacking?: boolean, 
/**
 * Shipping zones, searched in order; a zone without countries serves the rest of the world.
 */
shipping?: Array<ShippingZone>, tax?: TaxRules, 
/**
 * Most lines one cart may hold.
 */
maxLines?: number, 
/**
 * How returns work for orders placed under these rules.
 */
returns?: ReturnPolicy, 
/**
 * Confirm orders when their payment is captured instead of when it is authorized.
 */
confirmOnCapture?: boolean, 
/**
 * When orders placed under these rules have their money captured.
 */
capture?: CapturePolicy, 
/**
 * Ship a parcel whose capture is refused and flag the order, rather than not ship it.
 */
shipWhenCaptureFails?: boolean, 
/**
 * What happens to a dropship parcel's units when its supplier cannot send them.
 */
rejectedDropship?: RejectedDropship, };

/**
 * Whether an issue blocks checkout.
 */
export type Severity = "error" | "warning";

/**
 * Some units of one order line in a shipment.
 */
export type ShipmentLine = { line: number, quantity: number, };

/**
 * Where a shipment leaves from.
 */
export type ShipmentSource = { "location": { location: LocationId, } } | { "supplier": { supplier: string, } };

/**
 * One way to ship into a zone.
 */
export type ShippingOption = { code: string, name: string, rate: ShippingRate, 
/**
 * Shipping is free when goods after discounts reach this amount.
 */
freeAbove?: Money | null, 
/**
 * Business days from dispatch to delivery, for expected dates.
 */
transitDays: number, };

/**
 * How an option is priced.
 */
export type ShippingRate = { "flat": { amount: Money, } } | { "weightBands": { bands: Array<WeightBand>, } };

/**
 * Where a set of shipping options applies.
 */
export type ShippingZone = { name: string, 
/**
 * Destination countries; empty means every country no earlier zone lists.
 */
countries: Array<CountryCode>, 
/**
 * The first option is the default.
 */
options: Array<ShippingOption>, };

/**
 * A SKU code: 1–64 ASCII letters, digits, `-`, `_` or `.`; case is kept (SKUs are case-sensitive).
 */
export type Sku = string;

/**
 * The customer-facing summary of an order.
 */
export type StatusView = { 
/**
 * One short line: "On its way", "Delivered", "Payment failed".
 */
headline: string, 
/**
 * One sentence with the specifics (dates, counts, what to do).
 */
detail: string, tone: Tone, 
/**
 * Placed, paid, packed, shipped, delivered: each done, current or upcoming.
 */
steps: Array<Step>, 
/**
 * When the last outstanding parcel should arrive, when known.
 */
expectedDelivery: string | null, 
/**
 * A compact status for lists and filters.
 */
summary: SummaryStatus, };

/**
 * One step of the progress bar.
 */
export type Step = { key: StepKey, label: string, state: StepState, };

export type StepKey = "placed" | "paid" | "packed" | "shipped" | "delivered";

export type StepState = "done" | "current" | "upcoming";

/**
 * The one-word status of an order for list views, derived from its state machines.
 */
export type SummaryStatus = "AWAITING_PAYMENT" | "PAYMENT_FAILED" | "PROCESSING" | "BACKORDERED" | "PARTIALLY_SHIPPED" | "SHIPPED" | "DELIVERY_EXCEPTION" | "DELIVERED" | "RETURN_IN_PROGRESS" | "REFUNDED" | "COMPLETED" | "CANCELLED";

/**
 * The tax class a product belongs to; rates per class and destination live in the tax rules.
 */
export type TaxClass = "standard" | "reduced" | "zero";

/**
 * The rate of one tax class in one country, optionally narrowed to a region (state, province).
 */
export type TaxRate = { country: CountryCode, region?: string | null, class: TaxClass, 
/**
 * 1 900 = 19 %.
 */
basisPoints: number, };

/**
 * Tax rates and whether catalog prices already include tax.
 */
export type TaxRules = { 
/**
 * True for tax-inclusive prices (typical in the EU and UK), false for US-style prices plus tax.
 */
pricesIncludeTax?: boolean, rates?: Array<TaxRate>, };

/**
 * One entry of an order's timeline. `seq` starts at 1 and increases by one per event.
 */
export type TimelineEntry = { seq: number, at: string, event: OrderEvent, };

/**
 * How the status should be coloured.
 */
export type Tone = "info" | "success" | "warning" | "danger";

/**
 * What a cart costs. In tax-exclusive pricing `grand_total = subtotal − discount + shipping + tax`;
 * in tax-inclusive pricing `tax` is the part of the other amounts that is tax and
 * `grand_total = subtotal − discount + shipping`. Either way the line totals plus shipping
 * (plus shipping tax when exclusive) equal the grand total to the minor unit.
 */
export type Totals = { pricesIncludeTax: boolean, subtotal: Money, 
/**
 * Sum of all applied coupon discounts on goods, never more than the subtotal.
 */
discount: Money, shipping: Money, 
/**
 * Tax on shipping (part of `tax`).
 */
shippingTax: Money, 
/**
 * The rate of `shipping_tax`, in basis points (825 = 8.25 %); 0 without a destination.
 */
shippingTaxRateBp: number, 
/**
 * All tax: lines and shipping.
 */
tax: Money, grandTotal: Money, weightGrams: number, 
/**
 * Codes of the coupons that were applied, as configured in the rules.
 */
coupons: Array<string>, 
/**
 * The shipping option priced, when a destination is known.
 */
shippingOption: string | null, 
/**
 * Priced lines (lines with an unknown SKU, a bad quantity or another currency are left out).
 */
lines: Array<LineTotals>, };

/**
 * The two ways out of messages a customer may opt out of, both signed for their address.
 */
export type Unsubscribe = { 
/**
 * A page that shows the choice and asks to confirm it (the link in the message's footer).
 */
page: string, 
/**
 * Where a mail client posts `List-Unsubscribe=One-Click` (RFC 8058): the
 * `List-Unsubscribe` header.
 */
oneClick: string, };

export type WeightBand = { upToGrams: number, amount: Money, };
