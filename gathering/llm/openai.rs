//! Any server that speaks OpenAI's wire format: OpenAI itself, Ollama, vLLM, llama.cpp's
//! server, LM Studio. Chat goes to `{base}/chat/completions`, always streamed (with the usage
//! chunk asked for); embeddings to `{base}/embeddings`.

use std::collections::HashMap;

use eventsource_stream::Event;
use reqwest::RequestBuilder;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::retry::{self, ClientOptions, SseDecoder};
use super::{
    ChatRequest, Delta, DeltaStream, Embedder, Embeddings, FinishReason, LanguageModel, LlmError,
    Message, Role, Usage,
};

/// OpenAI's own API.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// A client of one OpenAI-compatible server.
#[derive(Debug, Clone)]
pub struct OpenAiClient {
    http: reqwest::Client,
    chat_url: String,
    embeddings_url: String,
    api_key: Option<SecretString>,
    options: ClientOptions,
    dimension: usize,
}

impl OpenAiClient {
    /// A client of the server at `base_url` (`https://api.openai.com/v1`,
    /// `http://127.0.0.1:11434/v1`...; [`DEFAULT_BASE_URL`] when empty), sending `api_key` as a
    /// bearer token when there is one.
    pub fn new(
        base_url: &str,
        api_key: Option<SecretString>,
        options: ClientOptions,
    ) -> Result<Self, LlmError> {
        let base_url = if base_url.is_empty() {
            DEFAULT_BASE_URL
        } else {
            base_url
        };
        Ok(Self {
            http: retry::http_client(&options)?,
            chat_url: retry::join_url(base_url, "chat/completions")?,
            embeddings_url: retry::join_url(base_url, "embeddings")?,
            api_key,
            options,
            dimension: 0,
        })
    }

    /// Declares the length of the embedding vectors (what [`Embedder::dimension`] reports);
    /// answers of another length are then refused. Without it, the dimension is 0: unknown and
    /// not checked.
    pub fn with_dimension(mut self, dimension: usize) -> Self {
        self.dimension = dimension;
        self
    }

    fn post(&self, url: &str, body: &Value) -> RequestBuilder {
        let request = self.http.post(url).json(body);
        match &self.api_key {
            Some(key) => request.bearer_auth(key.expose_secret()),
            None => request,
        }
    }
}

#[async_trait::async_trait]
impl LanguageModel for OpenAiClient {
    async fn chat(&self, request: ChatRequest) -> Result<DeltaStream, LlmError> {
        let body = chat_body(&request)?;
        let response = retry::send_with_retry(&self.options, || {
            self.post(&self.chat_url, &body)
                .header(reqwest::header::ACCEPT, "text/event-stream")
        })
        .await?;
        Ok(retry::sse_stream(
            response,
            self.options.timeout,
            ChatDecoder::default(),
        ))
    }
}

#[async_trait::async_trait]
impl Embedder for OpenAiClient {
    fn dimension(&self) -> usize {
        self.dimension
    }

    async fn embed(&self, model: &str, texts: Vec<String>) -> Result<Embeddings, LlmError> {
        if texts.is_empty() {
            return Ok(Embeddings {
                vectors: Vec::new(),
                prompt_tokens: 0,
            });
        }
        if model.is_empty() {
            return Err(LlmError::BadRequest("no embedding model named".into()));
        }
        let count = texts.len();
        let body = json!({ "model": model, "input": texts });
        let response =
            retry::send_with_retry(&self.options, || self.post(&self.embeddings_url, &body))
                .await?;
        let answer: EmbeddingAnswer = retry::read_json(response, self.options.timeout).await?;
        let vectors = in_input_order(answer.data, count)?;
        if self.dimension != 0
            && let Some(wrong) = vectors.iter().find(|v| v.len() != self.dimension)
        {
            return Err(LlmError::BadRequest(format!(
                "embedding model {model} answered vectors of {} dimensions, {} expected",
                wrong.len(),
                self.dimension
            )));
        }
        let prompt_tokens = answer.usage.map_or(0, |u| u.prompt_tokens);
        Ok(Embeddings {
            vectors,
            prompt_tokens,
        })
    }
}

/// The body of a streamed chat completion request.
fn chat_body(request: &ChatRequest) -> Result<Value, LlmError> {
    if request.model.is_empty() {
        return Err(LlmError::BadRequest("no model named".into()));
    }
    let messages = request
        .messages
        .iter()
        .map(message_json)
        .collect::<Result<Vec<_>, _>>()?;
    let mut body = Map::new();
    body.insert("model".into(), request.model.clone().into());
    body.insert("messages".into(), messages.into());
    body.insert("stream".into(), true.into());
    body.insert("stream_options".into(), json!({ "include_usage": true }));
    if !request.tools.is_empty() {
        let tools = request.tools.iter().map(|tool| {
            json!({
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": tool.parameters,
                },
            })
        });
        body.insert("tools".into(), tools.collect::<Vec<_>>().into());
    }
    let sampling = &request.sampling;
    if let Some(t) = sampling.temperature {
        body.insert("temperature".into(), retry::json_f32(t));
    }
    if let Some(p) = sampling.top_p {
        body.insert("top_p".into(), retry::json_f32(p));
    }
    if let Some(seed) = sampling.seed {
        body.insert("seed".into(), seed.into());
    }
    if let Some(max) = sampling.max_tokens {
        body.insert("max_tokens".into(), max.into());
    }
    if !request.stop.is_empty() {
        body.insert("stop".into(), request.stop.clone().into());
    }
    Ok(body.into())
}

fn message_json(message: &Message) -> Result<Value, LlmError> {
    Ok(match message.role {
        Role::System | Role::User => {
            json!({ "role": message.role.as_str(), "content": message.content })
        }
        Role::Assistant if message.tool_calls.is_empty() => {
            json!({ "role": "assistant", "content": message.content })
        }
        Role::Assistant => {
            let calls: Vec<Value> = message
                .tool_calls
                .iter()
                .map(|call| {
                    json!({
                        "id": call.id,
                        "type": "function",
                        "function": { "name": call.name, "arguments": call.arguments },
                    })
                })
                .collect();
            let content = if message.content.is_empty() {
                Value::Null
            } else {
                message.content.clone().into()
            };
            json!({ "role": "assistant", "content": content, "tool_calls": calls })
        }
        Role::Tool => {
            let id = message.tool_call_id.as_deref().ok_or_else(|| {
                LlmError::BadRequest("a tool message must name the call it answers".into())
            })?;
            json!({ "role": "tool", "content": message.content, "tool_call_id": id })
        }
    })
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Option<Vec<Choice>>,
    #[serde(default)]
    usage: Option<ChunkUsage>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Option<ChoiceDelta>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceDelta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallDelta>>,
}

#[derive(Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    /// A string, though some servers send the arguments as a JSON object.
    #[serde(default)]
    arguments: Option<Value>,
}

#[derive(Deserialize)]
struct ChunkUsage {
    #[serde(default)]
    prompt_tokens: u32,
    #[serde(default)]
    completion_tokens: u32,
}

/// Reads `chat.completion.chunk`s. The usage chunk comes after the one with the finish reason,
/// so both are held and sent last: `Usage`, then `Finish`.
#[derive(Default)]
struct ChatDecoder {
    finish: Option<FinishReason>,
    usage: Option<Usage>,
    /// Tool call indexes by id, for servers that send no index.
    indexes: HashMap<String, usize>,
    last_index: Option<usize>,
}

impl ChatDecoder {
    fn tool_index(&mut self, call: &ToolCallDelta) -> usize {
        let index = match (call.index, &call.id) {
            (Some(index), _) => index,
            (None, Some(id)) => {
                let next = self.indexes.len();
                *self.indexes.entry(id.clone()).or_insert(next)
            }
            (None, None) => self.last_index.unwrap_or(0),
        };
        self.last_index = Some(index);
        index
    }

    fn finish(&mut self, out: &mut Vec<Delta>) {
        out.extend(self.usage.take().map(Delta::Usage));
        out.extend(self.finish.take().map(Delta::Finish));
    }
}

impl SseDecoder for ChatDecoder {
    fn event(&mut self, event: &Event, out: &mut Vec<Delta>) -> Result<bool, LlmError> {
        let data = event.data.trim();
        if data == "[DONE]" {
            self.finish(out);
            return Ok(true);
        }
        if data.is_empty() {
            return Ok(false);
        }
        let chunk: Chunk = serde_json::from_str(data).map_err(|e| {
            LlmError::Unavailable(format!("the provider sent a malformed chunk: {e}"))
        })?;
        if let Some(error) = chunk.error {
            return Err(retry::stream_error(&error));
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(Usage {
                prompt_tokens: usage.prompt_tokens,
                completion_tokens: usage.completion_tokens,
            });
        }
        let Some(choice) = chunk.choices.and_then(|c| c.into_iter().next()) else {
            return Ok(false);
        };
        if let Some(delta) = choice.delta {
            if let Some(text) = delta.content.filter(|t| !t.is_empty()) {
                out.push(Delta::Text(text));
            }
            for call in delta.tool_calls.unwrap_or_default() {
                let index = self.tool_index(&call);
                let (name, arguments) = match call.function {
                    Some(f) => (f.name, f.arguments),
                    None => (None, None),
                };
                let arguments = match arguments {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s,
                    Some(other) => other.to_string(),
                };
                out.push(Delta::ToolCall {
                    index,
                    id: call.id,
                    name,
                    arguments,
                });
            }
        }
        if let Some(reason) = choice.finish_reason {
            self.finish = Some(match reason.as_str() {
                "length" => FinishReason::Length,
                "tool_calls" | "function_call" => FinishReason::ToolCalls,
                _ => FinishReason::Stop,
            });
        }
        Ok(false)
    }

    fn end(&mut self, out: &mut Vec<Delta>) -> Result<(), LlmError> {
        // Some servers close the stream without `[DONE]`; the answer is whole if it said why
        // it ended.
        if self.finish.is_none() {
            return Err(LlmError::Unavailable(
                "the answer stream ended before the answer did".into(),
            ));
        }
        self.finish(out);
        Ok(())
    }
}

#[derive(Deserialize)]
struct EmbeddingAnswer {
    data: Vec<EmbeddingItem>,
    #[serde(default)]
    usage: Option<EmbeddingUsage>,
}

#[derive(Deserialize)]
struct EmbeddingItem {
    #[serde(default)]
    index: Option<usize>,
    embedding: Vec<f32>,
}

#[derive(Deserialize)]
struct EmbeddingUsage {
    #[serde(default)]
    prompt_tokens: u32,
}

/// The vectors in the order of the inputs: by their `index` when the server gives one.
fn in_input_order(items: Vec<EmbeddingItem>, count: usize) -> Result<Vec<Vec<f32>>, LlmError> {
    let malformed =
        |what: &str| LlmError::Unavailable(format!("the embedding answer is malformed: {what}"));
    if items.len() != count {
        return Err(malformed(&format!(
            "{} vectors for {count} texts",
            items.len()
        )));
    }
    if items.iter().all(|item| item.index.is_none()) {
        return Ok(items.into_iter().map(|item| item.embedding).collect());
    }
    let mut slots: Vec<Option<Vec<f32>>> = vec![None; count];
    for item in items {
        let slot = item
            .index
            .and_then(|i| slots.get_mut(i))
            .ok_or_else(|| malformed("an index is missing or out of range"))?;
        if slot.replace(item.embedding).is_some() {
            return Err(malformed("an index appears twice"));
        }
    }
    Ok(slots.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use axum::Router;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::post;
    use futures_util::StreamExt;

    use super::*;
    use crate::llm::retry::testing::{Captured, channel_body, options, sse};
    use crate::llm::{Completion, ToolCall, ToolSpec};

    fn client(base: &str, options: ClientOptions) -> OpenAiClient {
        OpenAiClient::new(base, Some(SecretString::from("sk-test-key")), options).unwrap()
    }

    fn request() -> ChatRequest {
        ChatRequest {
            model: "gpt-test".into(),
            messages: vec![Message::user("hi")],
            ..ChatRequest::default()
        }
    }

    /// An OpenAI stream: one `data:` event per chunk, then `[DONE]`.
    fn stream_body(chunks: &[Value]) -> String {
        let mut body: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
        body.push_str("data: [DONE]\n\n");
        body
    }

    fn delta(delta: Value) -> Value {
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
               "choices": [{"index": 0, "delta": delta, "finish_reason": null}], "usage": null})
    }

    fn finish(reason: &str) -> Value {
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
               "choices": [{"index": 0, "delta": {}, "finish_reason": reason}], "usage": null})
    }

    fn usage(prompt: u32, completion: u32) -> Value {
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
               "choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                                        "total_tokens": prompt + completion}})
    }

    fn hello() -> String {
        stream_body(&[
            delta(json!({"role": "assistant", "content": ""})),
            delta(json!({"content": "Hel"})),
            delta(json!({"content": "lo"})),
            finish("stop"),
            usage(5, 2),
        ])
    }

    /// A server that answers every chat request with the same stream.
    fn answering(body: String) -> Router {
        Router::new().route(
            "/v1/chat/completions",
            post(move || {
                let body = body.clone();
                async move { sse(body) }
            }),
        )
    }

    /// Serves `router`; returns its base URL for this client.
    async fn serve(router: Router) -> String {
        format!("{}/v1", retry::testing::serve(router).await)
    }

    async fn all(stream: DeltaStream) -> Vec<Result<Delta, LlmError>> {
        stream.collect().await
    }

    #[tokio::test]
    async fn streams_text_then_usage_then_finish() {
        let base = serve(answering(hello())).await;
        let stream = client(&base, options()).chat(request()).await.unwrap();
        assert_eq!(
            all(stream).await,
            vec![
                Ok(Delta::Text("Hel".into())),
                Ok(Delta::Text("lo".into())),
                Ok(Delta::Usage(Usage {
                    prompt_tokens: 5,
                    completion_tokens: 2
                })),
                Ok(Delta::Finish(FinishReason::Stop)),
            ]
        );
    }

    #[tokio::test]
    async fn joins_two_parallel_tool_calls_split_over_chunks() {
        let call = |index: usize, id: Option<&str>, name: Option<&str>, args: &str| {
            let mut function = json!({"arguments": args});
            if let Some(name) = name {
                function["name"] = name.into();
            }
            let mut call = json!({"index": index, "function": function});
            if let Some(id) = id {
                call["id"] = id.into();
                call["type"] = "function".into();
            }
            delta(json!({"tool_calls": [call]}))
        };
        let body = stream_body(&[
            delta(json!({"role": "assistant", "content": null})),
            call(0, Some("call_a"), Some("get_weather"), ""),
            call(0, None, None, "{\"city\":"),
            call(1, Some("call_b"), Some("get_time"), ""),
            call(0, None, None, "\"Paris\"}"),
            call(1, None, None, "{\"tz\":"),
            call(1, None, None, "\"CET\"}"),
            finish("tool_calls"),
            usage(20, 30),
        ]);
        let base = serve(answering(body)).await;
        let stream = client(&base, options()).chat(request()).await.unwrap();
        let completion = Completion::collect(stream).await.unwrap();
        assert_eq!(
            completion.tool_calls,
            vec![
                ToolCall {
                    id: "call_a".into(),
                    name: "get_weather".into(),
                    arguments: "{\"city\":\"Paris\"}".into()
                },
                ToolCall {
                    id: "call_b".into(),
                    name: "get_time".into(),
                    arguments: "{\"tz\":\"CET\"}".into()
                },
            ]
        );
        assert_eq!(completion.text, "");
        assert_eq!(completion.finish_reason, Some(FinishReason::ToolCalls));
        assert_eq!(
            completion.usage,
            Usage {
                prompt_tokens: 20,
                completion_tokens: 30
            }
        );
    }

    #[tokio::test]
    async fn unauthorized_is_not_retried_and_surfaces_the_provider_message() {
        let hits = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            "/v1/chat/completions",
            post({
                let hits = hits.clone();
                move || async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    let body = json!({"error": {"message": "Incorrect API key provided.",
                                                "type": "invalid_request_error",
                                                "code": "invalid_api_key"}});
                    (StatusCode::UNAUTHORIZED, axum::Json(body))
                }
            }),
        );
        let base = serve(router).await;
        let error = client(&base, options())
            .chat(request())
            .await
            .err()
            .unwrap();
        assert_eq!(
            error,
            LlmError::Upstream {
                status: 401,
                message: "Incorrect API key provided.".into()
            }
        );
        assert!(!error.to_string().contains("sk-test-key"));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn rate_limit_waits_for_retry_after_then_succeeds() {
        let hits = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            "/v1/chat/completions",
            post({
                let hits = hits.clone();
                move || async move {
                    if hits.fetch_add(1, Ordering::SeqCst) == 0 {
                        let body = json!({"error": {"message": "Rate limit reached"}});
                        return (
                            StatusCode::TOO_MANY_REQUESTS,
                            [("retry-after", "1")],
                            axum::Json(body),
                        )
                            .into_response();
                    }
                    sse(hello())
                }
            }),
        );
        let base = serve(router).await;
        let options = ClientOptions {
            max_delay: Duration::from_secs(5),
            ..options()
        };
        let started = Instant::now();
        let stream = client(&base, options).chat(request()).await.unwrap();
        let completion = Completion::collect(stream).await.unwrap();
        assert_eq!(completion.text, "Hello");
        assert_eq!(hits.load(Ordering::SeqCst), 2);
        // The backoff alone would have waited milliseconds.
        assert!(
            started.elapsed() >= Duration::from_millis(950),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn rate_limit_that_persists_becomes_rate_limited() {
        let hits = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            "/v1/chat/completions",
            post({
                let hits = hits.clone();
                move || async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [("retry-after", "30")],
                        "slow down",
                    )
                }
            }),
        );
        let base = serve(router).await;
        let options = ClientOptions {
            max_retries: 1,
            ..options()
        };
        let error = client(&base, options).chat(request()).await.err().unwrap();
        // Retried after max_delay (20 ms), not after the 30 s asked for.
        assert_eq!(
            error,
            LlmError::RateLimited {
                retry_after: Some(Duration::from_secs(30))
            }
        );
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn server_errors_are_retried_until_success() {
        let hits = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            "/v1/chat/completions",
            post({
                let hits = hits.clone();
                move || async move {
                    if hits.fetch_add(1, Ordering::SeqCst) < 2 {
                        return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response();
                    }
                    sse(hello())
                }
            }),
        );
        let base = serve(router).await;
        let stream = client(&base, options()).chat(request()).await.unwrap();
        assert_eq!(Completion::collect(stream).await.unwrap().text, "Hello");
        assert_eq!(hits.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn server_errors_past_the_last_retry_are_returned() {
        let hits = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            "/v1/chat/completions",
            post({
                let hits = hits.clone();
                move || async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    let body = json!({"error": {"message": "The server is overloaded"}});
                    (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body))
                }
            }),
        );
        let base = serve(router).await;
        let options = ClientOptions {
            max_retries: 2,
            ..options()
        };
        let error = client(&base, options).chat(request()).await.err().unwrap();
        assert_eq!(
            error,
            LlmError::Upstream {
                status: 503,
                message: "The server is overloaded".into()
            }
        );
        assert!(error.is_provider_failure());
        assert_eq!(hits.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_server_that_never_answers_times_out() {
        let hits = Arc::new(AtomicUsize::new(0));
        let router = Router::new().route(
            "/v1/chat/completions",
            post({
                let hits = hits.clone();
                move || async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    std::future::pending::<()>().await;
                }
            }),
        );
        let base = serve(router).await;
        let options = ClientOptions {
            timeout: Duration::from_millis(200),
            max_retries: 1,
            ..options()
        };
        let error = client(&base, options).chat(request()).await.err().unwrap();
        assert_eq!(error, LlmError::Timeout(Duration::from_millis(200)));
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_closed_port_is_unavailable() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let options = ClientOptions {
            max_retries: 1,
            ..options()
        };
        let error = client(&format!("http://127.0.0.1:{port}/v1"), options)
            .chat(request())
            .await
            .err()
            .unwrap();
        assert!(
            matches!(&error, LlmError::Unavailable(m) if m.contains("connection")),
            "{error:?}"
        );
        assert!(!error.to_string().contains("127.0.0.1"), "{error}");
    }

    #[tokio::test]
    async fn dropping_the_stream_closes_the_connection() {
        let (client_gone_tx, client_gone) = tokio::sync::oneshot::channel::<()>();
        let dropped = Arc::new(tokio::sync::Notify::new());
        let client_gone_tx = Arc::new(Mutex::new(Some(client_gone_tx)));
        let router = Router::new().route(
            "/v1/chat/completions",
            post({
                let dropped = dropped.clone();
                move || async move {
                    let (tx, body) = channel_body();
                    tokio::spawn(async move {
                        let first = format!("data: {}\n\n", delta(json!({"content": "Hel"})));
                        tx.send(first.into()).await.unwrap();
                        dropped.notified().await;
                        // Keeps writing until the server finds the connection closed and drops
                        // the body.
                        while tx.send(": keep-alive\n\n".into()).await.is_ok() {}
                        if let Some(gone) = client_gone_tx.lock().unwrap().take() {
                            let _ = gone.send(());
                        }
                    });
                    ([("content-type", "text/event-stream")], body).into_response()
                }
            }),
        );
        let base = serve(router).await;
        let mut stream = client(&base, options()).chat(request()).await.unwrap();
        assert_eq!(stream.next().await, Some(Ok(Delta::Text("Hel".into()))));
        drop(stream);
        dropped.notify_one();
        tokio::time::timeout(Duration::from_secs(20), client_gone)
            .await
            .expect("the server never saw the client go away")
            .unwrap();
    }

    #[tokio::test]
    async fn an_error_inside_the_stream_is_an_error() {
        let body = format!(
            "data: {}\n\ndata: {}\n\n",
            delta(json!({"content": "Hel"})),
            json!({"error": {"message": "model crashed", "type": "server_error"}})
        );
        let base = serve(answering(body)).await;
        let stream = client(&base, options()).chat(request()).await.unwrap();
        assert_eq!(
            all(stream).await,
            vec![
                Ok(Delta::Text("Hel".into())),
                Err(LlmError::Unavailable("model crashed".into()))
            ]
        );
    }

    #[tokio::test]
    async fn a_stream_cut_before_the_end_is_an_error() {
        let body = format!("data: {}\n\n", delta(json!({"content": "Hel"})));
        let base = serve(answering(body)).await;
        let stream = client(&base, options()).chat(request()).await.unwrap();
        let deltas = all(stream).await;
        assert_eq!(deltas.len(), 2);
        assert!(
            matches!(deltas[1], Err(LlmError::Unavailable(_))),
            "{deltas:?}"
        );
    }

    #[tokio::test]
    async fn sends_the_documented_request_body_and_key() {
        let captured = Captured::default();
        let router = Router::new().route(
            "/v1/chat/completions",
            post({
                let captured = captured.clone();
                move |headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
                    captured.set(headers, body);
                    sse(hello())
                }
            }),
        );
        // A trailing slash on the base URL is fine.
        let base = format!("{}/", serve(router).await);
        let mut assistant = Message::assistant("");
        assistant.tool_calls = vec![ToolCall {
            id: "call_1".into(),
            name: "get_weather".into(),
            arguments: "{\"city\":\"Paris\"}".into(),
        }];
        let mut tool = Message::new(Role::Tool, "sunny");
        tool.tool_call_id = Some("call_1".into());
        let request = ChatRequest {
            model: "gpt-test".into(),
            messages: vec![
                Message::system("Be brief."),
                Message::user("Weather in Paris?"),
                assistant,
                tool,
            ],
            tools: vec![ToolSpec {
                name: "get_weather".into(),
                description: "The weather in a city".into(),
                parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
            }],
            sampling: crate::llm::Sampling {
                temperature: Some(0.7),
                top_p: Some(0.9),
                seed: Some(7),
                max_tokens: Some(64),
            },
            stop: vec!["END".into()],
        };
        let stream = client(&base, options()).chat(request).await.unwrap();
        Completion::collect(stream).await.unwrap();
        let (headers, body) = captured.get();
        assert_eq!(headers["authorization"], "Bearer sk-test-key");
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(
            body,
            json!({
                "model": "gpt-test",
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "Weather in Paris?"},
                    {"role": "assistant", "content": null, "tool_calls": [
                        {"id": "call_1", "type": "function",
                         "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
                    ]},
                    {"role": "tool", "content": "sunny", "tool_call_id": "call_1"},
                ],
                "tools": [{"type": "function", "function": {
                    "name": "get_weather",
                    "description": "The weather in a city",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                }}],
                "temperature": 0.7,
                "top_p": 0.9,
                "seed": 7,
                "max_tokens": 64,
                "stop": ["END"],
                "stream": true,
                "stream_options": {"include_usage": true},
            })
        );
    }

    #[tokio::test]
    async fn embeddings_come_back_in_input_order() {
        let captured = Captured::default();
        let router = Router::new().route(
            "/v1/embeddings",
            post({
                let captured = captured.clone();
                move |headers: HeaderMap, axum::Json(body): axum::Json<Value>| async move {
                    captured.set(headers, body);
                    axum::Json(json!({
                        "object": "list",
                        "data": [
                            {"object": "embedding", "index": 2, "embedding": [2.0, 2.5]},
                            {"object": "embedding", "index": 0, "embedding": [0.0, 0.5]},
                            {"object": "embedding", "index": 1, "embedding": [1.0, 1.5]},
                        ],
                        "model": "embed-test",
                        "usage": {"prompt_tokens": 9, "total_tokens": 9},
                    }))
                }
            }),
        );
        let base = serve(router).await;
        // Like Ollama: no key.
        let embedder = OpenAiClient::new(&base, None, options())
            .unwrap()
            .with_dimension(2);
        assert_eq!(embedder.dimension(), 2);
        let texts = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let embeddings = embedder.embed("embed-test", texts).await.unwrap();
        assert_eq!(
            embeddings.vectors,
            vec![vec![0.0, 0.5], vec![1.0, 1.5], vec![2.0, 2.5]]
        );
        assert_eq!(embeddings.prompt_tokens, 9);
        let (headers, body) = captured.get();
        assert!(!headers.contains_key("authorization"));
        assert_eq!(
            body,
            json!({"model": "embed-test", "input": ["a", "b", "c"]})
        );

        let wrong = OpenAiClient::new(&base, None, options())
            .unwrap()
            .with_dimension(3);
        let error = wrong
            .embed("embed-test", vec!["a".into(), "b".into(), "c".into()])
            .await;
        assert!(matches!(error, Err(LlmError::BadRequest(_))), "{error:?}");
    }

    #[test]
    fn urls_join_with_or_without_a_trailing_slash() {
        for base in ["http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1/"] {
            let client = OpenAiClient::new(base, None, ClientOptions::default()).unwrap();
            assert_eq!(
                client.chat_url,
                "http://127.0.0.1:11434/v1/chat/completions"
            );
            assert_eq!(
                client.embeddings_url,
                "http://127.0.0.1:11434/v1/embeddings"
            );
        }
        let default = OpenAiClient::new("", None, ClientOptions::default()).unwrap();
        assert_eq!(
            default.chat_url,
            "https://api.openai.com/v1/chat/completions"
        );
        let bad = OpenAiClient::new("ftp://example.com", None, ClientOptions::default());
        assert!(matches!(bad, Err(LlmError::BadRequest(_))));
    }

    #[test]
    fn finish_reasons_map_to_the_three_kinds() {
        for (reason, expected) in [
            ("stop", FinishReason::Stop),
            ("length", FinishReason::Length),
            ("tool_calls", FinishReason::ToolCalls),
            ("function_call", FinishReason::ToolCalls),
            ("content_filter", FinishReason::Stop),
        ] {
            let mut decoder = ChatDecoder::default();
            let mut out = Vec::new();
            let event = Event {
                data: finish(reason).to_string(),
                ..Event::default()
            };
            assert_eq!(decoder.event(&event, &mut out), Ok(false));
            let done = Event {
                data: "[DONE]".into(),
                ..Event::default()
            };
            assert_eq!(decoder.event(&done, &mut out), Ok(true));
            assert_eq!(out, vec![Delta::Finish(expected)], "{reason}");
        }
    }
}
