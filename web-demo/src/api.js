// GraphQL over HTTP (POST JSON) and subscriptions over graphql-ws, same origin.
import { createClient } from "graphql-ws";

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
    this.code = errors[0]?.extensions?.code;
    this.issues = errors.flatMap((e) => e.extensions?.issues ?? []);
  }
}

export async function gql(query, variables = {}, token) {
  const headers = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  let body;
  try {
    body = await res.json();
  } catch {
    throw new GraphQLError([{ message: `The server answered ${res.status}.`, extensions: { code: "HTTP_" + res.status } }]);
  }
  if (body.errors?.length) throw new GraphQLError(body.errors);
  return body.data;
}

/** Subscribes; returns a function that unsubscribes and closes the socket. */
export function subscribe(query, variables, token, { next, error, connected }) {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const client = createClient({
    url,
    connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
    retryAttempts: 5,
    on: { connected: () => connected?.() },
  });
  const stop = client.subscribe(
    { query, variables },
    {
      next: (msg) => (msg.errors?.length ? error?.(new GraphQLError(msg.errors)) : next(msg.data)),
      error: (err) => error?.(err instanceof Error ? err : new Error(err?.reason || err?.message || "subscription failed")),
      complete: () => {},
    },
  );
  return () => {
    stop();
    client.dispose();
  };
}

export const session = {
  get: (k) => sessionStorage.getItem(k),
  set: (k, v) => sessionStorage.setItem(k, v),
  del: (k) => sessionStorage.removeItem(k),
};

export const guestTokenKey = (orderId) => `ordo.guest.${orderId}`;
export const STAFF_KEY = "ordo.staff";
/** The token of a "Find my orders" link: the orders placed with one e-mail address. */
export const SHOPPER_KEY = "ordo.shopper";

/** Opens order `orderId`'s receipt (PDF) in a new tab, with a link fetched now (links work five
 * minutes, so a page left open still opens a fresh one). */
export async function openReceipt(orderId, token) {
  const tab = window.open("", "_blank");
  try {
    const link = (await gql(`query($id: String!) { order(id: $id) { receipt } }`, { id: orderId }, token)).order?.receipt;
    if (tab && link) tab.location = link;
  } catch (err) {
    tab?.close();
    alert(`Could not open the receipt: ${err.message}`);
  }
}
