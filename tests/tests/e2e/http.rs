//! The HTTP edge of the gateway: methods, media types, batches, body limits, health probes, SDL.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use ordo_tests::{TestApp, error_code, workspace_root};
use serde_json::{Value, json};

#[tokio::test]
async fn queries_work_over_get_but_mutations_need_post() {
    let app = TestApp::spawn().await;
    let ok: Value = app
        .client
        .get(app.url("/graphql?query=%7Bproduct(sku:%22MUG-STONE%22)%7Bname%7D%7D"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["data"]["product"]["name"], "Stoneware mug");
    let refused = app
        .client
        .get(app.url("/graphql?query=mutation%7BvoidPayment(orderId:%22x%22)%7Breplayed%7D%7D"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 405);
    // A mutation hidden behind a query in the same document is refused too.
    let hidden = "/graphql?operationName=B&query=query%20A%7B__typename%7D%20mutation%20B%7BvoidPayment(orderId:%22x%22)%7Breplayed%7D%7D";
    assert_eq!(app.client.get(app.url(hidden)).send().await.unwrap().status(), 405);
}

#[tokio::test]
async fn malformed_requests_get_clear_errors() {
    let app = TestApp::spawn().await;
    let post = |body: &'static str, content_type: &'static str| {
        app.client.post(app.url("/graphql")).header("content-type", content_type).body(body).send()
    };
    let r = post("{not json", "application/json").await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(error_code(&r.json().await.unwrap()), Some("BAD_REQUEST"));
    let r = post(r#"[{"query":"{__typename}"},{"query":"{__typename}"}]"#, "application/json").await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(error_code(&r.json().await.unwrap()), Some("BATCH_NOT_SUPPORTED"));
    let r = post(r#"{"query":"{__typename}"}"#, "text/plain").await.unwrap();
    assert_eq!(r.status(), 415);
    let body: Value = app.gql("{ products(first: 1000) { edges { cursor } } }", json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let body: Value = app.gql("{ nope }", json!({})).await;
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("nope")));
}

#[tokio::test]
async fn with_the_graphql_response_media_type_a_request_that_never_ran_has_no_data_entry() {
    let app = TestApp::spawn().await;
    let post = |query: &'static str| {
        app.client
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .body(json!({ "query": query }).to_string())
            .send()
    };
    // It does not parse, or does not validate: 400, errors only.
    for (query, code) in [("{ products(", "GRAPHQL_PARSE_FAILED"), ("{ nope }", "GRAPHQL_VALIDATION_FAILED")]
    {
        let r = post(query).await.unwrap();
        assert_eq!(r.status(), 400, "{query}");
        assert_eq!(r.headers()["content-type"], "application/graphql-response+json");
        let body: Value = r.json().await.unwrap();
        assert!(body.as_object().unwrap().get("data").is_none(), "no data entry: {body}");
        assert_eq!(error_code(&body), Some(code), "{body}");
    }
    // It ran and a field failed: 200 with `data` present (null here: the field is non-null).
    let r = post(r#"mutation { voidPayment(orderId: "ord_missing") { replayed } }"#).await.unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert!(body.as_object().unwrap().contains_key("data"), "data entry kept: {body}");
    assert_eq!(body["data"], Value::Null);
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn an_oversized_body_is_refused_without_reading_it_all() {
    let app = TestApp::spawn().await;
    let big =
        format!(r#"{{"query":"{{__typename}}","variables":{{"pad":"{}"}}}}"#, "x".repeat(10 * 1024 * 1024));
    let r = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let still: Value = app.gql("{ __typename }", json!({})).await;
    assert_eq!(still["data"]["__typename"], "QueryRoot");
}

#[tokio::test]
async fn a_connection_is_priced_per_item_so_wide_pages_of_deep_selections_are_refused() {
    let app = TestApp::spawn().await;
    let selection = "edges { node { id channel email currency state placedAt updatedAt
        lines { sku name quantity unitPrice { amount currency formatted } total { amount currency formatted }
                availability { kind location supplier promisedOn quantity } }
        timeline { seq at type actor } payment { status brand last4 } } }";
    let wide: Value = app.gql(&format!("{{ orders(first: 100) {{ {selection} }} }}"), json!({})).await;
    assert!(wide["errors"][0]["message"].as_str().is_some_and(|m| m.contains("too complex")), "{wide}");
    let narrow: Value = app.gql(&format!("{{ orders(first: 5) {{ {selection} }} }}"), json!({})).await;
    assert!(narrow["errors"].is_null(), "{narrow}");
}

#[tokio::test]
async fn health_and_readiness_probes_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().text().await.unwrap(), "ok");
    assert_eq!(app.client.get(app.url("/readyz")).send().await.unwrap().status(), 200);
}

#[test]
fn the_committed_sdl_matches_the_code() {
    let committed = std::fs::read_to_string(workspace_root().join("schema/ordo.graphql")).unwrap();
    assert!(
        committed == ordo_gateway::graphql::sdl(),
        "schema/ordo.graphql is stale: run `ordo schema > schema/ordo.graphql`"
    );
}

#[tokio::test]
async fn graphiql_loads_from_the_binary_with_nothing_from_elsewhere_and_only_in_development() {
    let app = TestApp::spawn().await;
    let page = app.client.get(app.url("/graphql")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "start.js",
    ] {
        assert!(html.contains(&format!("\"/graphiql/{asset}\"")), "{asset} in {html}");
        let r = app.client.get(app.url(&format!("/graphiql/{asset}"))).send().await.unwrap();
        assert_eq!(r.status(), 200, "{asset}");
        let gzipped = r.headers().get("content-encoding").is_some_and(|v| v == "gzip");
        let body = r.bytes().await.unwrap();
        assert_eq!(gzipped, body.starts_with(&[0x1f, 0x8b]), "{asset}: gzip bytes exactly when it says so");
        assert!(body.len() > 500, "{asset}");
    }
    assert!(!html.contains("//"), "nothing loads from another origin: {html}");
    assert_eq!(app.client.get(app.url("/graphiql/evil.js")).send().await.unwrap().status(), 404);

    let production = TestApp::serve_with(
        ordo_gateway::store::Store::open("mem://").await.unwrap(),
        ordo_gateway::Config { production: true, ..ordo_gateway::Config::default() },
    )
    .await;
    let page = production.client.get(production.url("/graphql")).send().await.unwrap();
    assert_eq!(page.status(), 400, "no GraphiQL in production");
    let r = production.client.get(production.url("/graphiql/graphiql.min.js")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}
