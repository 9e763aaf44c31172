//! Tools an agent may call: each has a JSON Schema for its parameters, a description, a risk
//! level and a timeout. Built-in tools (`calculator/`, `http/`, `clock.rs`, `memory.rs`,
//! `knowledge.rs`) live here; tools of registered MCP servers (`mcp/`, registered through
//! `servers.rs`, SQL in `store.rs`) join them at run time. The agent loop (`agents::runtime`)
//! validates arguments against the schema, checks permissions, and runs calls concurrently,
//! each under its timeout.
//!
//! Invariants: a tool never reaches a non-public address unless allowed (`address.rs`); MCP
//! secrets (env values, URL credentials) never reach logs, errors, events or the API; changes to
//! the server list are admin-only and audited (`audit::record_change`). Start at
//! `registry.rs` (`ToolRegistry`, what agents hold).

pub mod address;
pub mod calculator;
pub mod clock;
pub mod http;
pub mod knowledge;
pub mod mcp;
pub mod memory;
pub mod registry;
pub mod servers;
pub mod settings;
pub mod store;

pub use settings::ToolSettings;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::core::identity::Identity;

/// How much harm a call can do; decides who may run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Reads only (the clock, a calculation, a GET).
    ReadOnly,
    /// Changes something outside (an HTTP POST, most MCP tools).
    SideEffects,
    /// Can do real damage: only agents owned by an admin, called by an admin; audited.
    Dangerous,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::ReadOnly => "read_only",
            Risk::SideEffects => "side_effects",
            Risk::Dangerous => "dangerous",
        }
    }
}

/// What a tool is, as the registry lists it and the model sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolDefinition {
    /// Unique, `^[a-zA-Z0-9_-]{1,64}$` (what OpenAI-style function names allow). MCP tools are
    /// `<server>__<tool>`.
    pub name: String,
    pub description: String,
    /// A JSON Schema (an object schema) for the arguments.
    pub parameters: serde_json::Value,
    pub risk: Risk,
    #[serde(serialize_with = "as_secs")]
    pub timeout: Duration,
    /// `builtin`, or `mcp:<server>`.
    pub source: String,
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// Why a call failed. Every variant's text goes back to the model as the tool's result, so it
/// must be something the model can act on and must never contain a secret.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ToolError {
    /// The arguments are wrong (beyond what the schema catches): the model should correct them.
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
    /// The call was refused by policy (a private address, a method not allowed...).
    #[error("refused: {0}")]
    Refused(String),
    /// The call ran and failed.
    #[error("failed: {0}")]
    Failed(String),
}

/// Who makes a call: tools that act on someone's behalf (memories) decide with it what the call
/// may read and write; the others ignore it.
#[derive(Debug, Clone)]
pub struct ToolContext {
    /// Who asked: the user chatting with the agent, a pipeline run's creator, a schedule's owner.
    pub caller: Identity,
    /// The agent turn the call is made in; `None` outside agents (a pipeline's `run_tool`
    /// action, a schedule's webhook), where tools that need an agent refuse.
    pub agent: Option<AgentCall>,
}

/// The agent turn a call is made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentCall {
    pub agent_id: Uuid,
    /// The agent's owner (the agent acts for them).
    pub agent_owner: Uuid,
    pub conversation_id: Uuid,
    /// The assistant message that asked for the call, when it is stored.
    pub message_id: Option<Uuid>,
}

impl ToolContext {
    /// A call outside any agent turn, made by `caller`.
    pub fn outside_agents(caller: Identity) -> Self {
        Self {
            caller,
            agent: None,
        }
    }

    /// A call the agent of `turn` makes for `caller`.
    pub fn for_agent(caller: Identity, turn: AgentCall) -> Self {
        Self {
            caller,
            agent: Some(turn),
        }
    }

    /// The agent turn, or the refusal a tool that needs one gives.
    pub fn agent(&self) -> Result<&AgentCall, ToolError> {
        self.agent.as_ref().ok_or_else(|| {
            ToolError::Refused("this tool works only inside an agent's turn".to_string())
        })
    }
}

/// A tool that can be called. Arguments arrive already validated against
/// `definition().parameters`; the result is JSON given back to the model.
#[async_trait::async_trait]
pub trait Tool: Send + Sync {
    fn definition(&self) -> &ToolDefinition;
    async fn call(
        &self,
        ctx: &ToolContext,
        arguments: serde_json::Value,
    ) -> Result<serde_json::Value, ToolError>;
}
