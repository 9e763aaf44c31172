//! Anthropic's Messages API (`POST {base}/v1/messages`), always streamed.
//!
//! The neutral conversation is reshaped on the way: system messages go to the top-level
//! `system` field, an assistant's tool calls become `tool_use` blocks and tool answers become
//! `tool_result` blocks of a user turn (consecutive turns of one role are merged, as the API
//! wants them to alternate).

use std::collections::HashMap;

use eventsource_stream::Event;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};

use super::retry::{self, ClientOptions, SseDecoder};
use super::{
    ChatRequest, Delta, DeltaStream, FinishReason, LanguageModel, LlmError, Message, Role, Usage,
};

/// Where Anthropic's API answers.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
/// The API version every request names.
const API_VERSION: &str = "2023-06-01";
/// Anthropic requires `max_tokens`; this is sent when the request sets none.
const DEFAULT_MAX_TOKENS: u32 = 1024;

/// A client of Anthropic's Messages API.
#[derive(Debug, Clone)]
pub struct AnthropicClient {
    http: reqwest::Client,
    messages_url: String,
    /// The key, as a header value marked sensitive.
    api_key: HeaderValue,
    options: ClientOptions,
}

impl AnthropicClient {
    /// A client of the API at `base_url` ([`DEFAULT_BASE_URL`] when empty).
    pub fn new(
        base_url: &str,
        api_key: SecretString,
        options: ClientOptions,
    ) -> Result<Self, LlmError> {
        let base = if base_url.is_empty() {
            DEFAULT_BASE_URL
        } else {
            base_url
        };
        let mut api_key = HeaderValue::from_str(api_key.expose_secret()).map_err(|_| {
            LlmError::BadRequest("the Anthropic API key holds characters a header cannot".into())
        })?;
        api_key.set_sensitive(true);
        Ok(Self {
            http: retry::http_client(&options)?,
            messages_url: retry::join_url(base, "v1/messages")?,
            api_key,
            options,
        })
    }
}

#[async_trait::async_trait]
impl LanguageModel for AnthropicClient {
    async fn chat(&self, request: ChatRequest) -> Result<DeltaStream, LlmError> {
        let body = messages_body(&request)?;
        let response = retry::send_with_retry(&self.options, || {
            self.http
                .post(&self.messages_url)
                .header("x-api-key", self.api_key.clone())
                .header("anthropic-version", API_VERSION)
                .header(reqwest::header::ACCEPT, "text/event-stream")
                .json(&body)
        })
        .await?;
        Ok(retry::sse_stream(
            response,
            self.options.timeout,
            MessagesDecoder::default(),
        ))
    }
}

/// The body of a streamed Messages API request.
fn messages_body(request: &ChatRequest) -> Result<Value, LlmError> {
    if request.model.is_empty() {
        return Err(LlmError::BadRequest("no model named".into()));
    }
    let mut system = Vec::new();
    let mut turns: Vec<(&str, Vec<Value>)> = Vec::new();
    for message in &request.messages {
        let (role, blocks) = match message.role {
            Role::System => {
                system.push(message.content.as_str());
                continue;
            }
            Role::User => ("user", text_block(&message.content).into_iter().collect()),
            Role::Assistant => ("assistant", assistant_blocks(message)),
            Role::Tool => {
                let id = message.tool_call_id.as_deref().ok_or_else(|| {
                    LlmError::BadRequest("a tool message must name the call it answers".into())
                })?;
                let result =
                    json!({ "type": "tool_result", "tool_use_id": id, "content": message.content });
                ("user", vec![result])
            }
        };
        match turns.last_mut() {
            Some((last, existing)) if *last == role => existing.extend(blocks),
            _ if blocks.is_empty() => {}
            _ => turns.push((role, blocks)),
        }
    }
    let messages: Vec<Value> = turns
        .into_iter()
        .map(|(role, content)| json!({ "role": role, "content": content }))
        .collect();

    let mut body = Map::new();
    body.insert("model".into(), request.model.clone().into());
    body.insert(
        "max_tokens".into(),
        request
            .sampling
            .max_tokens
            .unwrap_or(DEFAULT_MAX_TOKENS)
            .into(),
    );
    body.insert("messages".into(), messages.into());
    body.insert("stream".into(), true.into());
    if !system.is_empty() {
        body.insert("system".into(), system.join("\n\n").into());
    }
    if !request.tools.is_empty() {
        let tools = request.tools.iter().map(|tool| {
            let mut spec = json!({ "name": tool.name, "input_schema": tool.parameters });
            if !tool.description.is_empty() {
                spec["description"] = tool.description.clone().into();
            }
            spec
        });
        body.insert("tools".into(), tools.collect::<Vec<_>>().into());
    }
    if let Some(t) = request.sampling.temperature {
        body.insert("temperature".into(), retry::json_f32(t));
    }
    if let Some(p) = request.sampling.top_p {
        body.insert("top_p".into(), retry::json_f32(p));
    }
    // The API has no seed.
    if !request.stop.is_empty() {
        body.insert("stop_sequences".into(), request.stop.clone().into());
    }
    Ok(body.into())
}

/// A text block; none for empty text, which the API refuses.
fn text_block(text: &str) -> Option<Value> {
    (!text.is_empty()).then(|| json!({ "type": "text", "text": text }))
}

/// An assistant's text and `tool_use` blocks. Arguments that are not a JSON object (the model
/// may have written invalid JSON) are sent as `{}`: the API accepts nothing else.
fn assistant_blocks(message: &Message) -> Vec<Value> {
    let calls = message.tool_calls.iter().map(|call| {
        let input = match serde_json::from_str::<Value>(&call.arguments) {
            Ok(input @ Value::Object(_)) => input,
            _ => json!({}),
        };
        json!({ "type": "tool_use", "id": call.id, "name": call.name, "input": input })
    });
    text_block(&message.content)
        .into_iter()
        .chain(calls)
        .collect()
}

/// Reads Messages API stream events; sends one `Usage` then the `Finish` at `message_stop`.
#[derive(Default)]
struct MessagesDecoder {
    input_tokens: u32,
    output_tokens: u32,
    stop: Option<FinishReason>,
    /// Tool call numbers (from 0) by content block index.
    tools: HashMap<u64, usize>,
}

fn tokens(value: &Value) -> Option<u32> {
    value.as_u64().map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

impl SseDecoder for MessagesDecoder {
    fn event(&mut self, event: &Event, out: &mut Vec<Delta>) -> Result<bool, LlmError> {
        if event.data.trim().is_empty() {
            return Ok(false);
        }
        let data: Value = serde_json::from_str(&event.data).map_err(|e| {
            LlmError::Unavailable(format!("the provider sent a malformed event: {e}"))
        })?;
        let kind = data
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or(&event.event);
        let block = data
            .get("index")
            .and_then(Value::as_u64)
            .unwrap_or_default();
        match kind {
            "message_start" => {
                let usage = &data["message"]["usage"];
                self.input_tokens = tokens(&usage["input_tokens"]).unwrap_or_default();
                self.output_tokens = tokens(&usage["output_tokens"]).unwrap_or_default();
            }
            "content_block_start" => {
                let content = &data["content_block"];
                match content["type"].as_str() {
                    Some("text") => {
                        let text = content["text"].as_str().unwrap_or_default();
                        if !text.is_empty() {
                            out.push(Delta::Text(text.to_owned()));
                        }
                    }
                    Some("tool_use") => {
                        let index = self.tools.len();
                        self.tools.insert(block, index);
                        out.push(Delta::ToolCall {
                            index,
                            id: content["id"].as_str().map(str::to_owned),
                            name: content["name"].as_str().map(str::to_owned),
                            arguments: String::new(),
                        });
                    }
                    _ => {}
                }
            }
            "content_block_delta" => {
                let delta = &data["delta"];
                match delta["type"].as_str() {
                    Some("text_delta") => {
                        let text = delta["text"].as_str().unwrap_or_default();
                        if !text.is_empty() {
                            out.push(Delta::Text(text.to_owned()));
                        }
                    }
                    Some("input_json_delta") => {
                        let fragment = delta["partial_json"].as_str().unwrap_or_default();
                        if let Some(&index) = self.tools.get(&block)
                            && !fragment.is_empty()
                        {
                            out.push(Delta::ToolCall {
                                index,
                                id: None,
                                name: None,
                                arguments: fragment.to_owned(),
                            });
                        }
                    }
                    _ => {}
                }
            }
            "message_delta" => {
                if let Some(reason) = data["delta"]["stop_reason"].as_str() {
                    self.stop = Some(match reason {
                        "max_tokens" => FinishReason::Length,
                        "tool_use" => FinishReason::ToolCalls,
                        _ => FinishReason::Stop,
                    });
                }
                let usage = &data["usage"];
                if let Some(output) = tokens(&usage["output_tokens"]) {
                    self.output_tokens = output;
                }
                if let Some(input) = tokens(&usage["input_tokens"]) {
                    self.input_tokens = input;
                }
            }
            "message_stop" => {
                out.push(Delta::Usage(Usage {
                    prompt_tokens: self.input_tokens,
                    completion_tokens: self.output_tokens,
                }));
                out.push(Delta::Finish(self.stop.unwrap_or(FinishReason::Stop)));
                return Ok(true);
            }
            "error" => return Err(retry::stream_error(&data["error"])),
            // ping, content_block_stop and event types added later.
            _ => {}
        }
        Ok(false)
    }

    fn end(&mut self, _out: &mut Vec<Delta>) -> Result<(), LlmError> {
        Err(LlmError::Unavailable(
            "the answer stream ended before the answer did".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Router;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::post;
    use futures_util::StreamExt;

    use super::*;
    use crate::llm::retry::testing::{Captured, options, serve, sse};
    use crate::llm::{Completion, Sampling, ToolCall, ToolSpec};

    fn client(base: &str) -> AnthropicClient {
        AnthropicClient::new(base, SecretString::from("sk-ant-test"), options()).unwrap()
    }

    fn request() -> ChatRequest {
        ChatRequest {
            model: "claude-test".into(),
            messages: vec![Message::user("hi")],
            ..ChatRequest::default()
        }
    }

    /// One server-sent event as Anthropic writes it: a name and its JSON.
    fn event(data: Value) -> String {
        format!(
            "event: {}\ndata: {data}\n\n",
            data["type"].as_str().unwrap()
        )
    }

    fn message_start(input_tokens: u32) -> String {
        event(json!({"type": "message_start", "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "content": [],
            "model": "claude-test", "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": input_tokens, "output_tokens": 1}}}))
    }

    fn message_end(stop_reason: &str, output_tokens: u32) -> String {
        event(json!({"type": "message_delta",
                     "delta": {"stop_reason": stop_reason, "stop_sequence": null},
                     "usage": {"output_tokens": output_tokens}}))
            + &event(json!({"type": "message_stop"}))
    }

    fn text_stream() -> String {
        [
            message_start(12),
            event(json!({"type": "content_block_start", "index": 0,
                         "content_block": {"type": "text", "text": ""}})),
            event(json!({"type": "ping"})),
            event(json!({"type": "content_block_delta", "index": 0,
                         "delta": {"type": "text_delta", "text": "Hel"}})),
            event(json!({"type": "content_block_delta", "index": 0,
                         "delta": {"type": "text_delta", "text": "lo"}})),
            event(json!({"type": "content_block_stop", "index": 0})),
            message_end("end_turn", 6),
        ]
        .concat()
    }

    /// A server that answers every request with the same stream, recording the last request.
    fn answering(body: String, captured: Captured) -> Router {
        Router::new().route(
            "/v1/messages",
            post(
                move |headers: HeaderMap, axum::Json(json): axum::Json<Value>| {
                    captured.set(headers, json);
                    let body = body.clone();
                    async move { sse(body) }
                },
            ),
        )
    }

    #[tokio::test]
    async fn streams_text_with_usage_before_finish() {
        let captured = Captured::default();
        let base = serve(answering(text_stream(), captured.clone())).await;
        let request = ChatRequest {
            messages: vec![Message::system("Be brief."), Message::user("hi")],
            stop: vec!["END".into()],
            sampling: Sampling {
                temperature: Some(0.5),
                seed: Some(3),
                ..Sampling::default()
            },
            ..request()
        };
        let stream = client(&base).chat(request).await.unwrap();
        let deltas: Vec<_> = stream.collect().await;
        assert_eq!(
            deltas,
            vec![
                Ok(Delta::Text("Hel".into())),
                Ok(Delta::Text("lo".into())),
                Ok(Delta::Usage(Usage {
                    prompt_tokens: 12,
                    completion_tokens: 6
                })),
                Ok(Delta::Finish(FinishReason::Stop)),
            ]
        );
        let (headers, body) = captured.get();
        assert_eq!(headers["x-api-key"], "sk-ant-test");
        assert_eq!(headers["anthropic-version"], "2023-06-01");
        assert!(!headers.contains_key("authorization"));
        assert_eq!(
            body,
            json!({
                "model": "claude-test",
                "max_tokens": 1024,
                "system": "Be brief.",
                "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
                "temperature": 0.5,
                "stop_sequences": ["END"],
                "stream": true,
            })
        );
    }

    #[tokio::test]
    async fn streams_tool_use_with_json_fragments() {
        let body = [
            message_start(40),
            event(json!({"type": "content_block_start", "index": 0,
                         "content_block": {"type": "text", "text": ""}})),
            event(json!({"type": "content_block_delta", "index": 0,
                         "delta": {"type": "text_delta", "text": "Checking."}})),
            event(json!({"type": "content_block_stop", "index": 0})),
            event(
                json!({"type": "content_block_start", "index": 1, "content_block": {
                "type": "tool_use", "id": "toolu_a", "name": "get_weather", "input": {}}}),
            ),
            event(json!({"type": "content_block_delta", "index": 1,
                         "delta": {"type": "input_json_delta", "partial_json": ""}})),
            event(json!({"type": "content_block_delta", "index": 1,
                         "delta": {"type": "input_json_delta", "partial_json": "{\"city\": "}})),
            event(json!({"type": "content_block_delta", "index": 1,
                         "delta": {"type": "input_json_delta", "partial_json": "\"Paris\"}"}})),
            event(json!({"type": "content_block_stop", "index": 1})),
            event(
                json!({"type": "content_block_start", "index": 2, "content_block": {
                "type": "tool_use", "id": "toolu_b", "name": "get_time", "input": {}}}),
            ),
            event(json!({"type": "content_block_delta", "index": 2, "delta": {
                "type": "input_json_delta", "partial_json": "{\"tz\": \"CET\"}"}})),
            event(json!({"type": "content_block_stop", "index": 2})),
            message_end("tool_use", 33),
        ]
        .concat();
        let base = serve(answering(body, Captured::default())).await;
        let mut stream = client(&base).chat(request()).await.unwrap();
        let mut deltas = Vec::new();
        while let Some(delta) = stream.next().await {
            deltas.push(delta.unwrap());
        }
        assert_eq!(
            deltas[1],
            Delta::ToolCall {
                index: 0,
                id: Some("toolu_a".into()),
                name: Some("get_weather".into()),
                arguments: String::new()
            }
        );
        let mut completion = Completion::default();
        deltas.into_iter().for_each(|d| completion.push(d));
        assert_eq!(completion.text, "Checking.");
        assert_eq!(
            completion.tool_calls,
            vec![
                ToolCall {
                    id: "toolu_a".into(),
                    name: "get_weather".into(),
                    arguments: "{\"city\": \"Paris\"}".into()
                },
                ToolCall {
                    id: "toolu_b".into(),
                    name: "get_time".into(),
                    arguments: "{\"tz\": \"CET\"}".into()
                },
            ]
        );
        assert_eq!(
            completion.usage,
            Usage {
                prompt_tokens: 40,
                completion_tokens: 33
            }
        );
        assert_eq!(completion.finish_reason, Some(FinishReason::ToolCalls));
    }

    #[tokio::test]
    async fn an_error_event_is_an_error() {
        let body = [
            message_start(5),
            event(json!({"type": "content_block_start", "index": 0,
                         "content_block": {"type": "text", "text": ""}})),
            event(json!({"type": "content_block_delta", "index": 0,
                         "delta": {"type": "text_delta", "text": "Hel"}})),
            event(json!({"type": "error",
                         "error": {"type": "overloaded_error", "message": "Overloaded"}})),
        ]
        .concat();
        let base = serve(answering(body, Captured::default())).await;
        let stream = client(&base).chat(request()).await.unwrap();
        let deltas: Vec<_> = stream.collect().await;
        assert_eq!(
            deltas,
            vec![
                Ok(Delta::Text("Hel".into())),
                Err(LlmError::Unavailable("Overloaded".into()))
            ]
        );
    }

    #[tokio::test]
    async fn overloaded_529_is_retried() {
        let hits = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            "/v1/messages",
            post({
                let hits = hits.clone();
                move || async move {
                    if hits.fetch_add(1, Ordering::SeqCst) == 0 {
                        let body = json!({"type": "error", "error": {
                            "type": "overloaded_error", "message": "Overloaded"}});
                        let status = StatusCode::from_u16(529).unwrap();
                        return (status, axum::Json(body)).into_response();
                    }
                    sse(text_stream())
                }
            }),
        );
        let base = serve(router).await;
        let stream = client(&base).chat(request()).await.unwrap();
        let completion = Completion::collect(stream).await.unwrap();
        assert_eq!(completion.text, "Hello");
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn authentication_errors_are_not_retried() {
        let hits = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            "/v1/messages",
            post({
                let hits = hits.clone();
                move || async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    let body = json!({"type": "error", "error": {
                        "type": "authentication_error", "message": "invalid x-api-key"}});
                    (StatusCode::UNAUTHORIZED, axum::Json(body))
                }
            }),
        );
        let base = serve(router).await;
        let error = client(&base).chat(request()).await.err().unwrap();
        assert_eq!(
            error,
            LlmError::Upstream {
                status: 401,
                message: "invalid x-api-key".into()
            }
        );
        assert!(!error.to_string().contains("sk-ant-test"));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn tool_calls_and_results_become_content_blocks() {
        let captured = Captured::default();
        let base = serve(answering(text_stream(), captured.clone())).await;
        let mut assistant = Message::assistant("Let me check.");
        assistant.tool_calls = vec![
            ToolCall {
                id: "toolu_a".into(),
                name: "get_weather".into(),
                arguments: "{\"city\":\"Paris\"}".into(),
            },
            ToolCall {
                id: "toolu_b".into(),
                name: "get_time".into(),
                arguments: String::new(),
            },
        ];
        let mut weather = Message::new(Role::Tool, "sunny");
        weather.tool_call_id = Some("toolu_a".into());
        let mut time = Message::new(Role::Tool, "12:00");
        time.tool_call_id = Some("toolu_b".into());
        let request = ChatRequest {
            model: "claude-test".into(),
            messages: vec![
                Message::system("Be brief."),
                Message::system("Use tools."),
                Message::user("Weather and time in Paris?"),
                assistant,
                weather,
                time,
            ],
            tools: vec![ToolSpec {
                name: "get_weather".into(),
                description: "The weather in a city".into(),
                parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
            }],
            sampling: Sampling {
                max_tokens: Some(300),
                top_p: Some(0.9),
                ..Sampling::default()
            },
            stop: Vec::new(),
        };
        let stream = client(&format!("{base}/")).chat(request).await.unwrap();
        Completion::collect(stream).await.unwrap();
        let (_, body) = captured.get();
        assert_eq!(
            body,
            json!({
                "model": "claude-test",
                "max_tokens": 300,
                "system": "Be brief.\n\nUse tools.",
                "messages": [
                    {"role": "user", "content": [
                        {"type": "text", "text": "Weather and time in Paris?"}]},
                    {"role": "assistant", "content": [
                        {"type": "text", "text": "Let me check."},
                        {"type": "tool_use", "id": "toolu_a", "name": "get_weather",
                         "input": {"city": "Paris"}},
                        {"type": "tool_use", "id": "toolu_b", "name": "get_time", "input": {}}]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "toolu_a", "content": "sunny"},
                        {"type": "tool_result", "tool_use_id": "toolu_b", "content": "12:00"}]},
                ],
                "tools": [{"name": "get_weather", "description": "The weather in a city",
                           "input_schema": {"type": "object",
                                            "properties": {"city": {"type": "string"}}}}],
                "top_p": 0.9,
                "stream": true,
            })
        );
    }

    #[test]
    fn stop_reasons_map_to_the_three_kinds() {
        for (reason, expected) in [
            ("end_turn", FinishReason::Stop),
            ("stop_sequence", FinishReason::Stop),
            ("max_tokens", FinishReason::Length),
            ("tool_use", FinishReason::ToolCalls),
        ] {
            let mut decoder = MessagesDecoder::default();
            let mut out = Vec::new();
            let mut done = false;
            for raw in message_end(reason, 2)
                .split("\n\n")
                .filter(|e| !e.is_empty())
            {
                let data = raw.split_once("data: ").unwrap().1;
                let event = Event {
                    data: data.into(),
                    ..Event::default()
                };
                done = decoder.event(&event, &mut out).unwrap();
            }
            assert!(done);
            assert_eq!(out.last(), Some(&Delta::Finish(expected)), "{reason}");
        }
    }

    #[test]
    fn the_default_base_url_is_anthropic() {
        let client =
            AnthropicClient::new("", SecretString::from("k"), ClientOptions::default()).unwrap();
        assert_eq!(client.messages_url, "https://api.anthropic.com/v1/messages");
    }
}
