//! Hole 4: parser errors name the position and the limit, never echo the document back.

#![allow(clippy::unwrap_used)] // a test: a panic is the failure report

use ordo_tests::{TestApp, error_code};
use serde_json::json;

#[tokio::test]
async fn a_syntax_error_says_where_and_never_repeats_the_document() {
    let app = TestApp::spawn().await;
    let secret = format!("SECRET-{}", "s".repeat(4_000));
    let body = app.gql(&format!("{{ product(sku: \"{secret}\") {{ name "), json!({})).await;
    assert_eq!(error_code(&body), Some("GRAPHQL_PARSE_FAILED"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("SECRET"), "{message}");
    assert!(message.contains("line 1"), "{message}");
    assert!(body.to_string().len() < 600, "{body}");
}

#[tokio::test]
async fn thirty_thousand_levels_get_the_limit_and_no_echo() {
    let app = TestApp::spawn().await;
    let deep = format!("{}{}", "{ a ".repeat(30_000), "}".repeat(30_000));
    let body = app.gql(&deep, json!({})).await;
    assert_eq!(
        error_code(&body),
        Some("GRAPHQL_PARSE_FAILED"),
        "{}",
        &body.to_string()[..300.min(body.to_string().len())]
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.len() < 200, "{message}");
    assert!(!message.contains("{ a { a"), "{message}");
    // The server lives on.
    assert_eq!(app.gql("{ __typename }", json!({})).await["data"]["__typename"], "QueryRoot");
}

#[tokio::test]
async fn validation_errors_quote_at_most_a_few_dozen_characters_of_a_name() {
    let app = TestApp::spawn().await;
    let body = app.gql(&format!("{{ {} }}", "q".repeat(3_000)), json!({})).await;
    assert_eq!(error_code(&body), Some("GRAPHQL_VALIDATION_FAILED"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().len() < 200, "{body}");
}
