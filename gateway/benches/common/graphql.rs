//! One GraphQL operation over HTTP as the harnesses count it: the body, or the error code.

use serde_json::{Value, json};

/// POSTs one operation to `url`; `Err` carries the error code (the first `extensions.code`,
/// `HTTP_<status>`, `TRANSPORT` or `TIMEOUT`).
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Result<Value, String> {
    let mut request = client.post(url).json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .map_err(|e| if e.is_timeout() { "TIMEOUT".to_owned() } else { "TRANSPORT".to_owned() })?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|_| "TRANSPORT".to_owned())?;
    let body: Value = serde_json::from_slice(&bytes).map_err(|_| format!("HTTP_{}", status.as_u16()))?;
    if let Some(first) = body.get("errors").and_then(Value::as_array).and_then(|e| e.first()) {
        return Err(first["extensions"]["code"].as_str().unwrap_or("NO_CODE").to_owned());
    }
    if !status.is_success() {
        return Err(format!("HTTP_{}", status.as_u16()));
    }
    Ok(body)
}
