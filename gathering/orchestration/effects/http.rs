//! One HTTP request through the `http_request` tool (so the same address rules and limits
//! apply as to agents), with an idempotency key: a pipeline's `call_api` and
//! `send_notification` actions, and a schedule's `call_api` and notification webhooks.

use serde_json::{Value, json};

use super::Failure;
use crate::core::identity::Identity;
use crate::tools::ToolContext;
use crate::tools::registry::ToolRegistry;

/// What to send.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// Who sends it (a run's creator, a schedule's owner).
    pub caller: &'a Identity,
    /// Sent as the `Idempotency-Key` header, the same on every attempt.
    pub key: &'a str,
    pub url: &'a str,
    pub method: &'a str,
    /// A JSON object of header names to values.
    pub headers: Value,
    /// A string is sent as it is; any other JSON value as JSON.
    pub body: Option<Value>,
}

/// Sends `request`: the status, parsed body (when it is JSON) and headers; 429 and 5xx answers
/// may be retried, other 4xx not.
pub async fn http_call(tools: &ToolRegistry, request: Request<'_>) -> Result<Value, Failure> {
    let Request {
        caller,
        key,
        url,
        method,
        headers,
        body,
    } = request;
    let http = tools
        .load(&["http_request".to_owned()])
        .await
        .remove("http_request")
        .ok_or_else(|| Failure::fatal("unknown_tool", "no tool named \"http_request\""))?;
    let mut headers = headers.as_object().cloned().unwrap_or_default();
    headers.insert("Idempotency-Key".into(), Value::String(key.to_owned()));
    let mut arguments = json!({"url": url, "method": method});
    match body {
        None => {}
        Some(Value::String(text)) => arguments["body"] = Value::String(text),
        Some(other) => {
            headers
                .entry("Content-Type")
                .or_insert(Value::String("application/json".into()));
            arguments["body"] = Value::String(other.to_string());
        }
    }
    arguments["headers"] = Value::Object(headers);
    let ctx = ToolContext::outside_agents(caller.clone());
    let answer = http.call(&ctx, arguments).await?;
    let status = answer.get("status").and_then(Value::as_u64).unwrap_or(0);
    let text = answer.get("body").and_then(Value::as_str).unwrap_or("");
    let body = serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.into()));
    let cut: String = text.chars().take(300).collect();
    if status == 429 || status >= 500 {
        return Err(Failure::retryable(
            "http_status",
            format!("{url} answered {status}: {cut}"),
        ));
    }
    if status >= 400 {
        return Err(Failure::fatal(
            "http_status",
            format!("{url} answered {status}: {cut}"),
        ));
    }
    Ok(json!({"status": status, "body": body, "headers": answer.get("headers")}))
}
