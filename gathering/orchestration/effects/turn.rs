//! One turn of a stored agent, run to its end through the same runtime as chat: a pipeline's
//! `agent` node and a schedule's `run_task` both use it.

use serde_json::{Value, json};

use super::Failure;
use crate::agents::Agents;
use crate::agents::model::Agent;
use crate::agents::runtime::{TurnEvent, TurnInput};
use crate::core::error::DomainError;
use crate::core::identity::Identity;

/// The turn's codes that a retry may help with.
const RETRYABLE: [&str; 6] = [
    "model_unavailable",
    "upstream_error",
    "upstream_timeout",
    "rate_limited",
    "agent_busy",
    "internal_error",
];

/// One turn of `agent` as `who`, to its end: its answer (with the conversation, model and
/// usage), or why it failed and whether a retry may help.
pub async fn answer(
    agents: &Agents,
    agent: Agent,
    who: &Identity,
    message: String,
    max_tokens: Option<u32>,
) -> Result<Value, Failure> {
    // A turn needs a user to act for: the server itself cannot chat.
    who.acting_user()
        .map_err(|e| Failure::fatal("agent", e.to_string()))?;
    let input = TurnInput {
        agent: agent.clone(),
        caller: who.clone(),
        conversation_id: None,
        message,
        history: None,
        max_tokens,
        temperature: None,
    };
    let mut turn = agents.start_turn(input).await.map_err(|e| match e {
        DomainError::Busy(m) => Failure::retryable("agent_busy", m),
        DomainError::Unexpected(e) => Failure::retryable("agent", format!("{e:#}")),
        other => Failure::fatal("agent", other.to_string()),
    })?;
    while let Some(event) = turn.events.recv().await {
        match event {
            TurnEvent::Completed {
                conversation_id,
                content,
                model,
                usage,
                finish,
                ..
            } => {
                return Ok(
                    json!({"result": content, "agent_id": agent.id, "agent": agent.name,
                    "conversation_id": conversation_id, "model": model, "usage": usage,
                    "finish": finish}),
                );
            }
            TurnEvent::Error { code, message } => {
                return Err(Failure {
                    message: format!("{code}: {message}"),
                    code: "agent",
                    retryable: RETRYABLE.contains(&code.as_str()),
                });
            }
            _ => {}
        }
    }
    Err(Failure::retryable(
        "agent",
        "the turn ended without an answer",
    ))
}
