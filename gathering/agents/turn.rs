//! The types of a chat turn: what it needs (`TurnInput`), what clients see of it
//! (`TurnEvent`, the same over SSE, WebSocket and the bus), and how it fails (`TurnError`,
//! mapped to API error codes).

use serde::Serialize;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::Agent;
use crate::conversations::Conversation;
use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::llm::{LlmError, Message, Usage};
use crate::models::{RegistryError, ServiceError};

/// What a turn needs.
#[derive(Debug, Clone)]
pub struct TurnInput {
    pub agent: Agent,
    /// Who asked for the turn: a user (the server itself cannot chat), possibly through an
    /// API key, which usage is attributed to.
    pub caller: Identity,
    /// Continue this conversation; `None` starts one.
    pub conversation_id: Option<Uuid>,
    pub message: String,
    /// Messages a client sent before `message` (the OpenAI-compatible surface): when set, they
    /// are the history instead of the stored transcript.
    pub history: Option<Vec<Message>>,
    /// Overrides of the agent's answer length and temperature for this turn.
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
}

/// One step of a turn, as clients see it (SSE `event:` names are the `type`s).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TurnEvent {
    /// The agent is busy: `ahead` turns will run before this one.
    Queued { ahead: usize },
    /// The user's message is stored; generation begins.
    Started {
        conversation_id: Uuid,
        message_id: Uuid,
    },
    /// The memories the turn's prompt was given (most relevant first), before generation.
    /// Sent only when there were some.
    Recalled { memories: Vec<RecalledMemory> },
    /// Text of the answer.
    Delta { text: String },
    /// The model asked for a tool.
    ToolCall {
        id: String,
        name: String,
        arguments: String,
    },
    /// A tool's result (or why it did not run), as the model will read it.
    ToolResult {
        id: String,
        name: String,
        ok: bool,
        content: String,
    },
    /// The answer is stored.
    Completed {
        conversation_id: Uuid,
        message_id: Uuid,
        content: String,
        /// stop, length or iteration_limit.
        finish: String,
        model: String,
        #[schema(value_type = Object)]
        usage: Usage,
        /// Rounds of tool calls made.
        tool_rounds: u32,
        latency_ms: u64,
    },
    /// The turn failed; `code` is an API error code.
    Error { code: String, message: String },
}

/// A memory a turn was given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RecalledMemory {
    pub id: Uuid,
    /// Its search score (reciprocal-rank fusion of the semantic and keyword ranks: higher is
    /// more relevant; comparable within one turn only).
    pub score: f32,
}

/// A started turn: its conversation, and its steps as they happen.
#[derive(Debug)]
pub struct Turn {
    pub conversation: Conversation,
    pub events: mpsc::Receiver<TurnEvent>,
}

/// How a turn can fail once running.
#[derive(Debug, thiserror::Error)]
pub(super) enum TurnError {
    #[error("the client left")]
    Cancelled,
    #[error(transparent)]
    Model(#[from] ServiceError),
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl TurnError {
    pub(super) fn code(&self) -> (&'static str, String) {
        match self {
            TurnError::Cancelled => ("bad_request", self.to_string()),
            TurnError::Model(ServiceError::Model(e)) => (llm_code(e), e.to_string()),
            TurnError::Model(ServiceError::Registry(RegistryError::NotFound(m))) => {
                ("model_unavailable", m.clone())
            }
            TurnError::Model(ServiceError::Registry(e)) => ("model_unavailable", e.to_string()),
            TurnError::Domain(DomainError::Unexpected(e)) => {
                tracing::error!(error = %e, "agent turn failed");
                (
                    "internal_error",
                    "the turn failed; the server log says why".into(),
                )
            }
            TurnError::Domain(e) => ("bad_request", e.to_string()),
        }
    }
}

fn llm_code(e: &LlmError) -> &'static str {
    match e {
        LlmError::BadRequest(_) => "bad_request",
        LlmError::Invalid { .. } => "validation_failed",
        LlmError::Unavailable(_) => "model_unavailable",
        LlmError::RateLimited { .. } => "rate_limited",
        LlmError::Upstream { .. } => "upstream_error",
        LlmError::Timeout(_) => "upstream_timeout",
    }
}
