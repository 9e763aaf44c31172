//! Agents on the OpenAI-compatible surface: `model: "agent:<name>"` on
//! `/v1/chat/completions` runs a turn of that agent (its persona, model, tools and
//! permissions), so any OpenAI client can talk to our agents. The client's earlier messages are
//! the history (its system messages are added to the persona's prompt); the last message must
//! be the user's. The exchange is stored as a conversation like any other chat; the agent's
//! tool calls happen inside the turn and are not returned to the client as `tool_calls`.

use std::convert::Infallible;

use axum::Json;
use axum::response::sse::Event as SseEvent;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{Value, json};
use uuid::Uuid;

use super::AppState;
use super::agents::{collect, tokio_stream_of};
use super::error::ApiError;
use super::extract::{Authed, Member};
use super::openai::{
    AssistantMessage, ChatChoice, ChatCompletion, ChatCompletionRequest, sse_response, usage_object,
};
use crate::agents::runtime::{TurnEvent, TurnInput};
use crate::llm::{ChatRequest, Role};

pub(super) async fn complete(
    state: AppState,
    authed: Authed<Member>,
    name: &str,
    body: &ChatCompletionRequest,
    request: ChatRequest,
) -> Result<Response, ApiError> {
    if !request.tools.is_empty() {
        return Err(ApiError::field(
            "tools",
            "an agent calls its own tools; send none",
        ));
    }
    let agent = state.agents.get_by_name(name).await?;
    let mut messages = request.messages;
    let last = messages.pop();
    let message = match last {
        Some(m) if m.role == Role::User => m.content,
        _ => {
            return Err(ApiError::field(
                "messages",
                "the last message must be the user's",
            ));
        }
    };
    let turn = state
        .agents
        .start_turn(TurnInput {
            agent,
            caller: authed.identity,
            conversation_id: None,
            message,
            history: Some(messages),
            max_tokens: request.sampling.max_tokens,
            temperature: request.sampling.temperature,
        })
        .await?;
    let id = format!("chatcmpl-{}", Uuid::now_v7().simple());
    let created = chrono::Utc::now().timestamp();
    let model = body.model.clone();
    if !body.stream {
        let reply = collect(turn).await?;
        return Ok(Json(ChatCompletion {
            id,
            object: "chat.completion",
            created,
            model,
            choices: vec![ChatChoice {
                index: 0,
                message: AssistantMessage {
                    role: "assistant",
                    content: Some(reply.content),
                    tool_calls: Vec::new(),
                },
                finish_reason: if reply.finish == "length" {
                    "length"
                } else {
                    "stop"
                },
                logprobs: None,
            }],
            usage: usage_object(reply.usage),
        })
        .into_response());
    }
    let include_usage = body
        .stream_options
        .as_ref()
        .is_some_and(|o| o.include_usage);
    let chunk = move |delta: Value, finish: Option<&str>| {
        json!({"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": null}]})
    };
    let first = chunk(json!({"role": "assistant", "content": ""}), None);
    let data = |v: &Value| SseEvent::default().data(v.to_string());
    let head = futures_util::stream::once({
        let first = data(&first);
        async move { Ok::<_, Infallible>(first) }
    });
    let body_events = tokio_stream_of(turn)
        .take_until(state.stopping.clone().cancelled_owned())
        .filter_map(move |event| {
            let out: Option<Vec<Value>> = match event {
                TurnEvent::Delta { text } => Some(vec![chunk(json!({"content": text}), None)]),
                TurnEvent::Completed { finish, usage, .. } => {
                    let reason = if finish == "length" { "length" } else { "stop" };
                    let mut events = vec![chunk(json!({}), Some(reason))];
                    if include_usage {
                        let mut u = chunk(json!({}), None);
                        u["choices"] = json!([]);
                        u["usage"] = json!(usage_object(usage));
                        events.push(u);
                    }
                    Some(events)
                }
                TurnEvent::Error { code, message } => {
                    Some(vec![json!({"error": {"code": code, "message": message}})])
                }
                _ => None,
            };
            futures_util::future::ready(out)
        })
        .flat_map(move |events| {
            futures_util::stream::iter(events.into_iter().map(move |e| Ok(data(&e))))
        });
    let done = futures_util::stream::once(async { Ok(SseEvent::default().data("[DONE]")) });
    Ok(sse_response(head.chain(body_events).chain(done)))
}
