//! Language models and embedders behind two traits, whatever runs them: the local burn models
//! (`local/`), any OpenAI-compatible server (`openai/`) or Anthropic's Messages API
//! (`anthropic.rs`), with the HTTP plumbing both providers share (`retry.rs`: timeouts, retries
//! with backoff, Server-Sent Events). Start with the traits below, then a provider.
//!
//! This module knows models, not users: of the crate it may import `core` only. The registry
//! that maps the model names users see to a provider, a secret and a price, and the service that
//! routes calls and records their usage, are the top-level `models` module.
//!
//! A chat is a stream of [`Delta`]s. Dropping the stream cancels the generation: the local engine
//! stops decoding for that sequence at its next step, and an HTTP provider's connection is closed.

pub mod anthropic;
pub mod local;
pub mod openai;
pub mod retry;
pub mod settings;

use std::pin::Pin;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        }
    }
}

/// A tool call the model made: `arguments` is the JSON text the model produced (it may be
/// invalid JSON; the caller validates it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
    /// Calls an assistant message made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// The call a `tool` message answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }
    pub fn system(content: impl Into<String>) -> Self {
        Self::new(Role::System, content)
    }
    pub fn user(content: impl Into<String>) -> Self {
        Self::new(Role::User, content)
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::new(Role::Assistant, content)
    }
}

/// A tool the model may call: its parameters are a JSON Schema object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub parameters: serde_json::Value,
}

/// How to pick tokens. No `temperature`, or 0, is greedy (whatever `top_p` says).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    pub temperature: Option<f32>,
    pub top_p: Option<f32>,
    pub seed: Option<u64>,
    pub max_tokens: Option<u32>,
}

/// A chat request, provider-neutral. `model` is the provider's own model name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<Message>,
    pub tools: Vec<ToolSpec>,
    pub sampling: Sampling,
    pub stop: Vec<String>,
}

/// Tokens a call consumed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

/// Why generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    Stop,
    Length,
    ToolCalls,
}

impl FinishReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ToolCalls => "tool_calls",
        }
    }
}

/// One piece of a streamed answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Delta {
    Text(String),
    /// A fragment of tool call number `index`: the first fragment carries the id and name, later
    /// ones append to the arguments.
    ToolCall {
        index: usize,
        id: Option<String>,
        name: Option<String>,
        arguments: String,
    },
    Usage(Usage),
    Finish(FinishReason),
}

/// Errors of any model, mapped to HTTP answers by the API layer.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum LlmError {
    /// The request is wrong (unknown model, too long a prompt, bad parameters).
    #[error("{0}")]
    BadRequest(String),
    /// One field of the request is out of what the model takes (too many tokens of input).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The model or its provider cannot answer now (not loaded, connection refused, 5xx after
    /// retries). A fallback model may be tried.
    #[error("model unavailable: {0}")]
    Unavailable(String),
    /// The provider refused for rate; `retry_after` is what it asked for.
    #[error("provider rate limit{}", .retry_after.map(|d| format!(" (retry after {} s)", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    /// The provider answered with an error that retrying will not fix (401, 403, 400...).
    #[error("provider answered {status}: {message}")]
    Upstream { status: u16, message: String },
    #[error("the model did not answer within {0:?}")]
    Timeout(Duration),
}

impl LlmError {
    /// Whether another model (a fallback) could succeed where this one failed.
    pub fn is_provider_failure(&self) -> bool {
        match self {
            LlmError::Unavailable(_) | LlmError::RateLimited { .. } | LlmError::Timeout(_) => true,
            LlmError::Upstream { status, .. } => *status >= 500,
            LlmError::BadRequest(_) | LlmError::Invalid { .. } => false,
        }
    }
}

pub type DeltaStream = Pin<Box<dyn Stream<Item = Result<Delta, LlmError>> + Send>>;

/// A chat model. Dropping the returned stream cancels the generation.
#[async_trait::async_trait]
pub trait LanguageModel: Send + Sync {
    async fn chat(&self, request: ChatRequest) -> Result<DeltaStream, LlmError>;
}

/// A text embedding model.
#[async_trait::async_trait]
pub trait Embedder: Send + Sync {
    /// The length of every vector.
    fn dimension(&self) -> usize;
    /// One vector per text, in order. `model` is the provider's own model name.
    async fn embed(&self, model: &str, texts: Vec<String>) -> Result<Embeddings, LlmError>;
}

#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    pub vectors: Vec<Vec<f32>>,
    pub prompt_tokens: u32,
}

/// A whole answer, gathered from a stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completion {
    pub text: String,
    pub tool_calls: Vec<ToolCall>,
    pub usage: Usage,
    pub finish_reason: Option<FinishReason>,
}

impl Completion {
    /// Applies one delta.
    pub fn push(&mut self, delta: Delta) {
        match delta {
            Delta::Text(t) => self.text.push_str(&t),
            Delta::ToolCall {
                index,
                id,
                name,
                arguments,
            } => {
                while self.tool_calls.len() <= index {
                    self.tool_calls.push(ToolCall {
                        id: String::new(),
                        name: String::new(),
                        arguments: String::new(),
                    });
                }
                let call = &mut self.tool_calls[index];
                if let Some(id) = id {
                    call.id = id;
                }
                if let Some(name) = name {
                    call.name.push_str(&name);
                }
                call.arguments.push_str(&arguments);
            }
            Delta::Usage(u) => self.usage = u,
            Delta::Finish(f) => self.finish_reason = Some(f),
        }
    }

    /// Reads a stream to its end.
    pub async fn collect(mut stream: DeltaStream) -> Result<Self, LlmError> {
        let mut out = Self::default();
        while let Some(delta) = stream.next().await {
            out.push(delta?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn completion_joins_text_and_tool_call_fragments() {
        let deltas = vec![
            Ok(Delta::Text("Hel".into())),
            Ok(Delta::Text("lo".into())),
            Ok(Delta::ToolCall {
                index: 0,
                id: Some("call_1".into()),
                name: Some("calc".into()),
                arguments: "{\"a\":".into(),
            }),
            Ok(Delta::ToolCall {
                index: 0,
                id: None,
                name: None,
                arguments: "1}".into(),
            }),
            Ok(Delta::Usage(Usage {
                prompt_tokens: 3,
                completion_tokens: 2,
            })),
            Ok(Delta::Finish(FinishReason::ToolCalls)),
        ];
        let stream: DeltaStream = Box::pin(futures_util::stream::iter(deltas));
        let c = Completion::collect(stream).await.unwrap();
        assert_eq!(c.text, "Hello");
        assert_eq!(
            c.tool_calls,
            vec![ToolCall {
                id: "call_1".into(),
                name: "calc".into(),
                arguments: "{\"a\":1}".into()
            }]
        );
        assert_eq!(c.usage.completion_tokens, 2);
        assert_eq!(c.finish_reason, Some(FinishReason::ToolCalls));
    }
}
