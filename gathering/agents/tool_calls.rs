//! One tool call of a turn: whether it is granted and allowed for this caller (refusals audited
//! and published as `tool.refused`), its arguments parsed and checked against the tool's JSON
//! Schema (what is wrong goes back to the model, so it can correct itself), then the call under
//! the tool's timeout; calls of dangerous tools are audited as `tool.called`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use uuid::Uuid;

use super::Agents;
use super::turn::TurnInput;
use crate::audit::{self, Outcome};
use crate::conversations::Conversation;
use crate::core::error::DomainError;
use crate::core::identity::Role;
use crate::events::{EventType, NewEvent, Scope, outbox};
use crate::llm::ToolCall;
use crate::tools::{AgentCall, Risk, Tool, ToolContext};

/// The most a tool result the model reads may hold.
const MAX_TOOL_RESULT_BYTES: usize = 16 * 1024;

/// What the calls of one round share.
pub(super) struct RoundCalls<'a> {
    pub input: &'a TurnInput,
    pub conversation: &'a Conversation,
    pub tools: &'a HashMap<String, Arc<dyn Tool>>,
    /// The assistant message that asked for the calls.
    pub message_id: Uuid,
}

/// Runs one tool call: permission, arguments, the call under its timeout. Returns whether it
/// succeeded and what the model reads.
pub(super) async fn execute(
    agents: &Agents,
    round: &RoundCalls<'_>,
    call: &ToolCall,
) -> (bool, String) {
    let RoundCalls {
        input,
        conversation,
        tools,
        message_id,
    } = *round;
    let agent = &input.agent;
    if !agent.tools.contains(&call.name) {
        let reason = format!("tool {} is not granted to this agent", call.name);
        refuse(agents, input, conversation, call, &reason).await;
        return (false, format!("refused: {reason}"));
    }
    let Some(tool) = tools.get(&call.name) else {
        return (
            false,
            format!("unavailable: tool {} cannot be reached now", call.name),
        );
    };
    let definition = tool.definition();
    let allowed = match definition.risk {
        Risk::ReadOnly => true,
        Risk::SideEffects => input.caller.role >= Role::Member,
        Risk::Dangerous => agent.owner_role == Role::Admin && input.caller.role == Role::Admin,
    };
    if !allowed {
        let reason = format!(
            "tool {} is {}: {}",
            call.name,
            definition.risk.as_str(),
            if definition.risk == Risk::Dangerous {
                "only an admin may run it, through an agent an admin owns"
            } else {
                "your role may not run it"
            }
        );
        refuse(agents, input, conversation, call, &reason).await;
        return (false, format!("refused: {reason}"));
    }
    let raw = if call.arguments.trim().is_empty() {
        "{}"
    } else {
        call.arguments.as_str()
    };
    let arguments: serde_json::Value = match serde_json::from_str(raw) {
        Ok(v) => v,
        Err(e) => return (false, format!("invalid arguments: not JSON ({e})")),
    };
    if let Err(e) = crate::core::json::check_depth(&arguments) {
        return (false, format!("invalid arguments: {e}"));
    }
    match jsonschema::validator_for(&definition.parameters) {
        Ok(validator) => {
            let errors: Vec<String> = validator
                .iter_errors(&arguments)
                .take(10)
                .map(|e| {
                    let at = e.instance_path().to_string();
                    if at.is_empty() {
                        e.to_string()
                    } else {
                        format!("{at}: {e}")
                    }
                })
                .collect();
            if !errors.is_empty() {
                return (
                    false,
                    format!(
                        "invalid arguments: {}. Parameters schema: {}",
                        errors.join("; "),
                        definition.parameters
                    ),
                );
            }
        }
        Err(e) => {
            return (
                false,
                format!("unavailable: the tool's parameter schema is invalid ({e})"),
            );
        }
    }
    let timeout = definition.timeout.max(Duration::from_millis(1));
    let started = Instant::now();
    let ctx = ToolContext::for_agent(
        input.caller.clone(),
        AgentCall {
            agent_id: agent.id,
            agent_owner: agent.owner_id,
            conversation_id: conversation.id,
            message_id: Some(message_id),
        },
    );
    let result = tokio::time::timeout(timeout, tool.call(&ctx, arguments.clone())).await;
    let (ok, content) = match result {
        Ok(Ok(value)) => {
            let mut text = match value {
                serde_json::Value::String(s) => s,
                v => v.to_string(),
            };
            if text.len() > MAX_TOOL_RESULT_BYTES {
                let mut cut = MAX_TOOL_RESULT_BYTES;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push_str(" [truncated]");
            }
            (true, text)
        }
        Ok(Err(e)) => (false, e.to_string()),
        Err(_) => (
            false,
            format!(
                "timed out: {} did not answer within {:.1} s",
                call.name,
                timeout.as_secs_f64()
            ),
        ),
    };
    if definition.risk == Risk::Dangerous {
        record(
            agents,
            input,
            conversation,
            EventType::ToolCalled,
            if ok {
                Outcome::Success
            } else {
                Outcome::Failure
            },
            json!({"tool": call.name, "call_id": call.id, "agent_id": agent.id,
                   "conversation_id": conversation.id, "ok": ok,
                   "latency_ms": started.elapsed().as_millis() as u64}),
        )
        .await;
    }
    (ok, content)
}

async fn refuse(
    agents: &Agents,
    input: &TurnInput,
    conversation: &Conversation,
    call: &ToolCall,
    reason: &str,
) {
    tracing::warn!(agent = %input.agent.name, tool = %call.name, "tool call refused: {reason}");
    record(
        agents,
        input,
        conversation,
        EventType::ToolRefused,
        Outcome::Failure,
        json!({"tool": call.name, "call_id": call.id, "agent_id": input.agent.id,
               "conversation_id": conversation.id, "reason": reason}),
    )
    .await;
}

/// An audit row and a durable event, in one transaction; a failure is logged (the turn goes
/// on: the refusal itself has already happened).
async fn record(
    agents: &Agents,
    input: &TurnInput,
    conversation: &Conversation,
    event_type: EventType,
    outcome: Outcome,
    details: serde_json::Value,
) {
    let result: Result<(), DomainError> = async {
        let mut client = agents.inner.pool.get().await?;
        let tx = client.transaction().await?;
        audit::store::record(
            &tx,
            &audit::Entry {
                actor_id: input.caller.user_id,
                action: event_type.as_str(),
                outcome,
                meta: &input.caller.meta,
                details: details.clone(),
            },
        )
        .await?;
        let scope = Scope {
            agent_id: Some(input.agent.id),
            conversation_id: Some(conversation.id),
            user_id: input.caller.user_id,
            ..Scope::default()
        };
        outbox::append(
            &tx,
            &NewEvent::new(event_type, scope, input.caller.user_id).data(details),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "tool audit not recorded");
    }
}
