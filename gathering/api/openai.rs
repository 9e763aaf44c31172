//! The OpenAI-compatible surface: `GET /v1/models`, `POST /v1/chat/completions` (streamed as
//! Server-Sent Events or whole) and `POST /v1/embeddings`, served by the registry's models and
//! authenticated with our API keys (`Authorization: Bearer gk_...`), so any OpenAI SDK works
//! against `http://HOST/v1` unchanged. Unknown request fields are ignored, as OpenAI's own server
//! ignores what it does not use; what we cannot honour (`n` > 1, token-array inputs) is refused.

use std::convert::Infallible;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{ApiJson, Authed, Member, Viewer};
use crate::llm::{
    ChatRequest, Completion, Delta, FinishReason, LlmError, Message, Role, Sampling, ToolCall,
    ToolSpec,
};
use crate::models::{Attribution, RegistryError, ServiceError};

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Registry(RegistryError::NotFound(m)) => {
                ApiError::new(ErrorCode::NotFound, m)
            }
            ServiceError::Registry(e) => e.into(),
            ServiceError::Model(e) => e.into(),
        }
    }
}

impl From<LlmError> for ApiError {
    fn from(e: LlmError) -> Self {
        let message = e.to_string();
        match e {
            LlmError::BadRequest(m) => ApiError::new(ErrorCode::BadRequest, m),
            LlmError::Invalid { field, message } => ApiError::field(&field, message),
            LlmError::Unavailable(_) => ApiError::new(ErrorCode::ModelUnavailable, message),
            LlmError::RateLimited { retry_after } => {
                let error = ApiError::new(ErrorCode::RateLimited, message);
                match retry_after {
                    Some(d) => error.with_retry_after(d.as_secs().max(1)),
                    None => error,
                }
            }
            LlmError::Upstream { .. } => ApiError::new(ErrorCode::UpstreamError, message),
            LlmError::Timeout(_) => ApiError::new(ErrorCode::UpstreamTimeout, message),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelObject {
    pub id: String,
    pub object: &'static str,
    pub created: i64,
    pub owned_by: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelList {
    pub object: &'static str,
    pub data: Vec<ModelObject>,
}

/// The enabled models and the active agents (`agent:<name>`), OpenAI's way.
#[utoipa::path(get, path = "/v1/models", tag = "openai", security(("bearer" = ["viewer"])),
    responses(
        (status = 200, description = "the enabled models", body = ModelList),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn models(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
) -> Result<Json<ModelList>, ApiError> {
    let models = crate::models::list_models(&state.pool).await?;
    let mut data: Vec<ModelObject> = models
        .into_iter()
        .filter(|m| m.enabled)
        .map(|m| ModelObject {
            id: m.name,
            object: "model",
            created: m.created_at.timestamp(),
            owned_by: m.provider,
        })
        .collect();
    // Agents answer as `agent:<name>` (the first 200 active ones).
    let agents = state.agents.list(None, None, None, 200).await?;
    data.extend(
        agents
            .into_iter()
            .filter(|a| a.status == crate::agents::AgentStatus::Active)
            .map(|a| ModelObject {
                id: format!("agent:{}", a.name),
                object: "model",
                created: a.created_at.timestamp(),
                owned_by: "gathering".into(),
            }),
    );
    Ok(Json(ModelList {
        object: "list",
        data,
    }))
}

/// A message as OpenAI clients send it; `content` may be a string, text parts or null.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WireMessage {
    pub role: String,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub content: Value,
    #[serde(default)]
    pub tool_calls: Vec<WireToolCall>,
    pub tool_call_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WireToolCall {
    pub id: String,
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    pub function: WireFunctionCall,
}

fn function_type() -> String {
    "function".into()
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WireFunctionCall {
    pub name: String,
    #[serde(default)]
    pub arguments: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WireTool {
    #[serde(rename = "type")]
    pub kind: String,
    pub function: WireFunction,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WireFunction {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub parameters: Option<Value>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct StreamOptions {
    #[serde(default)]
    pub include_usage: bool,
}

/// `POST /v1/chat/completions`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChatCompletionRequest {
    pub model: String,
    pub messages: Vec<WireMessage>,
    #[serde(default)]
    pub tools: Vec<WireTool>,
    pub temperature: Option<f32>,
    pub top_p: Option<f32>,
    pub seed: Option<u64>,
    pub max_tokens: Option<u32>,
    pub max_completion_tokens: Option<u32>,
    /// A string or a list of up to 4 strings.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub stop: Value,
    #[serde(default)]
    pub stream: bool,
    pub stream_options: Option<StreamOptions>,
    pub n: Option<u32>,
}

fn bad(field: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::field(field, message)
}

fn content_text(content: &Value, at: usize) -> Result<String, ApiError> {
    match content {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.clone()),
        Value::Array(parts) => {
            let mut text = String::new();
            for part in parts {
                match (
                    part.get("type").and_then(Value::as_str),
                    part.get("text").and_then(Value::as_str),
                ) {
                    (Some("text"), Some(t)) => text.push_str(t),
                    (kind, _) => {
                        return Err(bad(
                            &format!("messages[{at}].content"),
                            format!("only text parts are supported, not {}", kind.unwrap_or("?")),
                        ));
                    }
                }
            }
            Ok(text)
        }
        _ => Err(bad(
            &format!("messages[{at}].content"),
            "must be a string, text parts or null",
        )),
    }
}

impl ChatCompletionRequest {
    fn to_request(&self) -> Result<ChatRequest, ApiError> {
        if self.messages.is_empty() {
            return Err(bad("messages", "at least one message is needed"));
        }
        if self.n.is_some_and(|n| n != 1) {
            return Err(bad("n", "only n = 1 is supported"));
        }
        if self.temperature.is_some_and(|t| !(0.0..=2.0).contains(&t)) {
            return Err(bad("temperature", "must be between 0 and 2"));
        }
        if self.top_p.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
            return Err(bad("top_p", "must be between 0 and 1"));
        }
        let max_tokens = self.max_completion_tokens.or(self.max_tokens);
        if max_tokens == Some(0) {
            return Err(bad("max_tokens", "must be at least 1"));
        }
        let stop = match &self.stop {
            Value::Null => Vec::new(),
            Value::String(s) => vec![s.clone()],
            Value::Array(items) if items.len() <= 4 => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad("stop", "must be strings"))?,
            _ => return Err(bad("stop", "a string or up to 4 strings")),
        };
        let mut messages = Vec::with_capacity(self.messages.len());
        for (i, m) in self.messages.iter().enumerate() {
            let role = match m.role.as_str() {
                "system" | "developer" => Role::System,
                "user" => Role::User,
                "assistant" => Role::Assistant,
                "tool" => Role::Tool,
                other => {
                    return Err(bad(
                        &format!("messages[{i}].role"),
                        format!("unknown role {other:?}"),
                    ));
                }
            };
            if role == Role::Tool && m.tool_call_id.is_none() {
                return Err(bad(
                    &format!("messages[{i}].tool_call_id"),
                    "a tool message needs one",
                ));
            }
            messages.push(Message {
                role,
                content: content_text(&m.content, i)?,
                tool_calls: m
                    .tool_calls
                    .iter()
                    .map(|c| ToolCall {
                        id: c.id.clone(),
                        name: c.function.name.clone(),
                        arguments: c.function.arguments.clone(),
                    })
                    .collect(),
                tool_call_id: m.tool_call_id.clone(),
            });
        }
        let mut tools = Vec::with_capacity(self.tools.len());
        for (i, t) in self.tools.iter().enumerate() {
            if t.kind != "function" {
                return Err(bad(
                    &format!("tools[{i}].type"),
                    "only function tools are supported",
                ));
            }
            tools.push(ToolSpec {
                name: t.function.name.clone(),
                description: t.function.description.clone(),
                parameters: t
                    .function
                    .parameters
                    .clone()
                    .unwrap_or_else(|| json!({"type": "object"})),
            });
        }
        Ok(ChatRequest {
            model: self.model.clone(),
            messages,
            tools,
            sampling: Sampling {
                temperature: self.temperature,
                top_p: self.top_p,
                seed: self.seed,
                max_tokens,
            },
            stop,
        })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsageObject {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    pub total_tokens: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssistantMessage {
    pub role: &'static str,
    pub content: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<WireToolCall>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChatChoice {
    pub index: u32,
    pub message: AssistantMessage,
    pub finish_reason: &'static str,
    #[schema(value_type = Option<Object>)]
    pub logprobs: Option<Value>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChatCompletion {
    pub id: String,
    pub object: &'static str,
    pub created: i64,
    pub model: String,
    pub choices: Vec<ChatChoice>,
    pub usage: UsageObject,
}

pub(super) fn usage_object(u: crate::llm::Usage) -> UsageObject {
    UsageObject {
        prompt_tokens: u.prompt_tokens,
        completion_tokens: u.completion_tokens,
        total_tokens: u.prompt_tokens + u.completion_tokens,
    }
}

/// Chat with a model, whole or streamed (`stream: true`: Server-Sent Events of
/// `chat.completion.chunk` objects, ending with `data: [DONE]`).
#[utoipa::path(post, path = "/v1/chat/completions", tag = "openai", security(("bearer" = ["member"])),
    request_body = ChatCompletionRequest,
    responses(
        (status = 200, description = "the answer (or an SSE stream of chunks)", body = ChatCompletion),
        (status = 400, description = "a request the model cannot serve", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such model", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
        (status = 502, description = "the provider refused", body = ErrorBody),
        (status = 503, description = "the model is unavailable", body = ErrorBody),
    ))]
pub async fn chat_completions(
    State(state): State<AppState>,
    authed: Authed<Member>,
    ApiJson(body): ApiJson<ChatCompletionRequest>,
) -> Result<Response, ApiError> {
    let request = body.to_request()?;
    if let Some(name) = body.model.strip_prefix("agent:") {
        return super::openai_agents::complete(state, authed, name, &body, request).await;
    }
    let (model, stream) = state
        .llm
        .chat(
            &authed.identity,
            Attribution::default(),
            &body.model,
            request,
        )
        .await?;
    let id = format!("chatcmpl-{}", Uuid::now_v7().simple());
    let created = chrono::Utc::now().timestamp();
    if !body.stream {
        let done = Completion::collect(stream).await?;
        let tool_calls: Vec<WireToolCall> = done
            .tool_calls
            .iter()
            .map(|c| WireToolCall {
                id: c.id.clone(),
                kind: "function".into(),
                function: WireFunctionCall {
                    name: c.name.clone(),
                    arguments: c.arguments.clone(),
                },
            })
            .collect();
        let finish = done.finish_reason.unwrap_or(FinishReason::Stop);
        let content = if done.text.is_empty() && !tool_calls.is_empty() {
            None
        } else {
            Some(done.text)
        };
        return Ok(Json(ChatCompletion {
            id,
            object: "chat.completion",
            created,
            model: model.name,
            choices: vec![ChatChoice {
                index: 0,
                message: AssistantMessage {
                    role: "assistant",
                    content,
                    tool_calls,
                },
                finish_reason: finish.as_str(),
                logprobs: None,
            }],
            usage: usage_object(done.usage),
        })
        .into_response());
    }
    let include_usage = body
        .stream_options
        .as_ref()
        .is_some_and(|o| o.include_usage);
    let name = model.name;
    let chunk = move |delta: Value, finish: Option<&str>| {
        json!({"id": id, "object": "chat.completion.chunk", "created": created, "model": name,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": null}]})
    };
    let first = chunk(json!({"role": "assistant", "content": ""}), None);
    let usage_chunk = {
        let mut template = chunk(json!({}), None);
        move |u: crate::llm::Usage| {
            template["choices"] = json!([]);
            template["usage"] = json!(usage_object(u));
            template.clone()
        }
    };
    let stopping = state.stopping.clone();
    let events = async_stream_events(stream, first, chunk, usage_chunk, include_usage, stopping);
    Ok(sse_response(events))
}

/// A stream of Server-Sent Events as a response of generated output: kept alive, never cached.
pub(super) fn sse_response(
    events: impl futures_util::Stream<Item = Result<SseEvent, Infallible>> + Send + 'static,
) -> Response {
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    response
}

/// The SSE events of a streamed completion: the role chunk, one chunk per delta, the finish
/// chunk, the usage chunk when asked for, then `[DONE]`. An error mid-stream is sent as an
/// `error` object and ends the stream.
fn async_stream_events(
    stream: crate::llm::DeltaStream,
    first: Value,
    chunk: impl Fn(Value, Option<&str>) -> Value + Send + 'static,
    mut usage_chunk: impl FnMut(crate::llm::Usage) -> Value + Send + 'static,
    include_usage: bool,
    stopping: tokio_util::sync::CancellationToken,
) -> impl futures_util::Stream<Item = Result<SseEvent, Infallible>> + Send {
    let data = |v: &Value| SseEvent::default().data(v.to_string());
    let head = futures_util::stream::once(async move { Ok(data(&first)) });
    let mut usage = None;
    let body = stream
        .take_until(stopping.cancelled_owned())
        .scan(false, |failed, item| {
            let out = if *failed { None } else { Some(item) };
            if let Some(Err(_)) = &out {
                *failed = true;
            }
            futures_util::future::ready(out)
        })
        .filter_map(move |item| {
            let event = match item {
                Ok(Delta::Text(t)) => Some(chunk(json!({"content": t}), None)),
                Ok(Delta::ToolCall {
                    index,
                    id,
                    name,
                    arguments,
                }) => {
                    let mut call = json!({"index": index, "function": {"arguments": arguments}});
                    if let Some(id) = id {
                        call["id"] = json!(id);
                        call["type"] = json!("function");
                    }
                    if let Some(name) = name {
                        call["function"]["name"] = json!(name);
                    }
                    Some(chunk(json!({"tool_calls": [call]}), None))
                }
                Ok(Delta::Usage(u)) => {
                    usage = Some(u);
                    None
                }
                Ok(Delta::Finish(reason)) => {
                    let mut events = vec![chunk(json!({}), Some(reason.as_str()))];
                    if include_usage && let Some(u) = usage {
                        events.push(usage_chunk(u));
                    }
                    return futures_util::future::ready(Some(events));
                }
                Err(e) => {
                    let api: ApiError = e.into();
                    Some(json!({"error": {"code": api.code.as_str(), "message": api.message}}))
                }
            };
            futures_util::future::ready(event.map(|e| vec![e]))
        })
        .flat_map(move |events| {
            futures_util::stream::iter(events.into_iter().map(move |e| Ok(data(&e))))
        });
    let done = futures_util::stream::once(async { Ok(SseEvent::default().data("[DONE]")) });
    head.chain(body).chain(done)
}

/// `POST /v1/embeddings`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EmbeddingRequest {
    pub model: String,
    /// A string or a list of strings.
    #[schema(value_type = Object)]
    pub input: Value,
    /// `float` (default) or `base64` (little-endian f32).
    pub encoding_format: Option<String>,
    pub dimensions: Option<usize>,
}

/// Most texts one call may embed.
const MAX_EMBED_INPUTS: usize = 2048;

/// Embed texts.
#[utoipa::path(post, path = "/v1/embeddings", tag = "openai", security(("bearer" = ["member"])),
    request_body = EmbeddingRequest,
    responses(
        (status = 200, description = "one vector per input, in order", body = Object),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 404, description = "no such model", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
        (status = 503, description = "the model is unavailable", body = ErrorBody),
    ))]
pub async fn embeddings(
    State(state): State<AppState>,
    authed: Authed<Member>,
    ApiJson(body): ApiJson<EmbeddingRequest>,
) -> Result<Json<Value>, ApiError> {
    let texts: Vec<String> = match &body.input {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad("input", "must be strings (token arrays are not supported)"))?,
        _ => return Err(bad("input", "a string or a non-empty list of strings")),
    };
    if texts.len() > MAX_EMBED_INPUTS {
        return Err(bad(
            "input",
            format!("at most {MAX_EMBED_INPUTS} texts per call"),
        ));
    }
    let base64 = match body.encoding_format.as_deref() {
        None | Some("float") => false,
        Some("base64") => true,
        Some(other) => {
            return Err(bad(
                "encoding_format",
                format!("float or base64, not {other:?}"),
            ));
        }
    };
    let (model, out) = state
        .llm
        .embed(&authed.identity, Attribution::default(), &body.model, texts)
        .await?;
    if let Some(d) = body.dimensions
        && Some(d as i32) != model.dimension
    {
        return Err(bad(
            "dimensions",
            format!(
                "{} has {} dimensions",
                model.name,
                model.dimension.unwrap_or(0)
            ),
        ));
    }
    let data: Vec<Value> = out
        .vectors
        .iter()
        .enumerate()
        .map(|(index, v)| {
            let embedding = if base64 {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                json!(base64::engine::general_purpose::STANDARD.encode(bytes))
            } else {
                json!(v)
            };
            json!({"object": "embedding", "index": index, "embedding": embedding})
        })
        .collect();
    Ok(Json(json!({
        "object": "list",
        "data": data,
        "model": model.name,
        "usage": {"prompt_tokens": out.prompt_tokens, "total_tokens": out.prompt_tokens},
    })))
}
