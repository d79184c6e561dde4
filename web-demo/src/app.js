// Entry point: loads ordo-wasm's storefront module once (the order module only when a staff page
// first needs it), then routes on the hash (#/, #/orders/<id>[?token=&choose=], #/staff,
// #/my-orders[?token=], #/staff/<id>, #/stock[/<sku>], #/purchasing[?sku=], #/reviews, #/messages,
// #/dashboard, #/unsubscribe?token=, #/supplier?token= for a dropship supplier).
import init, { avoidCodeGeneration } from "../../wasm/pkg/web/ordo_wasm.js";
import initOrders, { avoidCodeGeneration as avoidCodeGenerationInOrders } from "../../wasm/pkg/web/ordo_wasm_orders.js";
import { h, mount } from "./dom.js";
import { renderStorefront, showCount } from "./storefront.js";
import { renderTracking, leaveTracking } from "./tracking.js";
import { renderStaff } from "./staff.js";
import { renderDashboard } from "./dashboard.js";
import { renderStock, renderPurchasing } from "./inventory.js";
import { renderReviews } from "./reviews.js";
import { renderMessages } from "./messages.js";
import { renderMyOrders } from "./my-orders.js";
import { renderUnsubscribe } from "./unsubscribe.js";
import { renderSupplier } from "./supplier.js";

const app = document.getElementById("app");
/** The first path segment of the staff console's pages. */
const STAFF_PAGES = new Set(["staff", "stock", "purchasing", "reviews", "messages", "dashboard"]);
// The page's Content-Security-Policy forbids 'unsafe-eval': each module builds its results without
// generated code, and is told so before it tries.
const ready = init({ module_or_path: "/ordo_wasm_bg.wasm" }).then(avoidCodeGeneration);
let ordersReady;
/** The order module (allowedActions), fetched the first time a page needs it. */
function ordersModule() {
  return (ordersReady ??= initOrders({ module_or_path: "/ordo_wasm_orders_bg.wasm" }).then(avoidCodeGenerationInOrders));
}

// Each navigation renders into its own container: a page still loading when the shopper moves
// on (the catalog behind a click on "My orders") then fills a container no longer shown, instead
// of replacing the page they went to.
let current = null;

async function route() {
  const [path, query = ""] = (location.hash.replace(/^#/, "") || "/").split("?");
  leaveTracking();
  document.body.dataset.route = path.split("/")[1] || "shop";
  // Shoppers see the shop's links; the staff console's appear on its pages only.
  document.body.dataset.area = STAFF_PAGES.has(path.split("/")[1]) ? "staff" : "shop";
  const root = (current = h("div", { class: "view" }));
  app.replaceChildren(root);
  try {
    await ready;
    let m;
    if ((m = path.match(/^\/orders\/([^/]+)$/))) {
      const params = new URLSearchParams(query);
      await renderTracking(root, decodeURIComponent(m[1]), params.get("token"), params.get("choose"));
    }
    else if (path === "/my-orders") await renderMyOrders(root, new URLSearchParams(query).get("token"));
    else if ((m = path.match(/^\/staff(?:\/([^/]+))?$/))) {
      await ordersModule();
      await renderStaff(root, m[1] && decodeURIComponent(m[1]));
    }
    else if ((m = path.match(/^\/stock(?:\/([^/]+))?$/))) await renderStock(root, m[1] && decodeURIComponent(m[1]));
    else if (path === "/purchasing") await renderPurchasing(root, new URLSearchParams(query).get("sku"));
    else if (path === "/reviews") await renderReviews(root);
    else if (path === "/messages") await renderMessages(root);
    else if (path === "/dashboard") await renderDashboard(root);
    else if (path === "/unsubscribe") await renderUnsubscribe(root, new URLSearchParams(query).get("token"));
    else if (path === "/supplier") await renderSupplier(root);
    else await renderStorefront(root, path === "/cart");
  } catch (err) {
    console.error(err);
    mount(root, h("p", { class: "error" }, `Something went wrong: ${err.message}`));
  }
  if (root === current) app.dataset.ready = path;
}

window.addEventListener("hashchange", route);
showCount();
route();
