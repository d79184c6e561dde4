// Ordo's GraphiQL: queries and mutations over POST /graphql, subscriptions over a WebSocket on
// the same path (graphql-transport-ws). Put a token in the Headers tab:
// { "Authorization": "Bearer <token from `ordo token --role staff`>" }.
const ws = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
const fetcher = GraphiQL.createFetcher({ url: `${location.origin}/graphql`, subscriptionUrl: ws });
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true, isHeadersEditorEnabled: true }),
);
