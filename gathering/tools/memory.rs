//! The memory tools of agents: `remember` (store a memory of the agent, of the conversation, or
//! of its owner when the owner is the one talking), `recall` (search what the agent may read)
//! and `forget` (soft-delete a memory the agent may write). Each acts through
//! `memory::Memories` as `Reader::agent` for the turn's caller, agent, owner and conversation,
//! so the scope rules, the audit log and the events are the memory service's own; what a tool
//! adds is the provenance (conversation, asking message, agent). They work only inside an
//! agent's turn.

use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{AgentCall, Risk, Tool, ToolContext, ToolDefinition, ToolError};
use crate::core::error::DomainError;
use crate::memory::model::{LinkKind, Memory, Provenance};
use crate::memory::{Filters, Memories, MemoryType, NewMemory, Reader, ScopeKind};
use crate::memory::{SearchMode, SearchRequest};

/// The longest memory a tool stores, in characters (the service allows more; a prompt line
/// should not).
const MAX_CONTENT_CHARS: usize = 2000;

fn definition(name: &str, description: &str, parameters: Value, risk: Risk) -> ToolDefinition {
    ToolDefinition {
        name: name.to_owned(),
        description: description.to_owned(),
        parameters,
        risk,
        timeout: Duration::from_secs(30),
        source: "builtin".to_owned(),
    }
}

/// The reader a call acts as, and its turn.
fn reader(ctx: &ToolContext) -> Result<(Reader, AgentCall), ToolError> {
    let turn = *ctx.agent()?;
    Ok((
        Reader::agent(
            &ctx.caller,
            turn.agent_id,
            turn.agent_owner,
            Some(turn.conversation_id),
        ),
        turn,
    ))
}

/// What the model reads when the memory (or knowledge) service says no.
pub(super) fn refusal(e: DomainError) -> ToolError {
    match e {
        DomainError::Invalid { field, message } => {
            ToolError::InvalidArguments(format!("{field}: {message}"))
        }
        DomainError::Forbidden(m) => ToolError::Refused(m),
        DomainError::Unexpected(e) => {
            tracing::error!(error = %e, "memory tool failed");
            ToolError::Failed("the memory store failed; try again later".into())
        }
        other => ToolError::Failed(other.to_string()),
    }
}

/// A memory as the model reads it.
fn view(m: &Memory) -> Value {
    json!({"id": m.id, "scope": m.scope.as_str(), "type": m.memory_type.as_str(),
           "content": m.content, "importance": m.importance, "tags": m.tags,
           "date": m.updated_at.format("%Y-%m-%d").to_string()})
}

/// `remember`.
pub struct Remember {
    definition: ToolDefinition,
    memories: Memories,
}

impl Remember {
    pub fn new(memories: Memories) -> Self {
        let types: Vec<&str> = MemoryType::ALL.iter().map(|t| t.as_str()).collect();
        Self {
            definition: definition(
                "remember",
                "Stores a memory for later conversations: one self-contained statement. By \
                 default it is yours (scope agent); scope user stores it for the person you \
                 work for (only when that person is the one talking to you); scope \
                 conversation keeps it to this conversation.",
                json!({
                    "type": "object",
                    "properties": {
                        "content": {"type": "string", "minLength": 1,
                                    "maxLength": MAX_CONTENT_CHARS,
                                    "description": "what to remember, one statement"},
                        "type": {"type": "string", "enum": types,
                                 "description": "default fact"},
                        "importance": {"type": "number", "minimum": 0, "maximum": 1,
                                       "description": "0 to 1, default 0.5"},
                        "tags": {"type": "array", "maxItems": 16,
                                 "items": {"type": "string", "minLength": 1, "maxLength": 64}},
                        "scope": {"type": "string", "enum": ["agent", "user", "conversation"],
                                  "description": "default agent"}
                    },
                    "required": ["content"],
                    "additionalProperties": false
                }),
                Risk::SideEffects,
            ),
            memories,
        }
    }
}

#[async_trait::async_trait]
impl Tool for Remember {
    fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    async fn call(&self, ctx: &ToolContext, arguments: Value) -> Result<Value, ToolError> {
        let (reader, turn) = reader(ctx)?;
        let content = arguments
            .get("content")
            .and_then(Value::as_str)
            .ok_or_else(|| ToolError::InvalidArguments("\"content\" must be a string".into()))?;
        if content.chars().count() > MAX_CONTENT_CHARS {
            return Err(ToolError::InvalidArguments(format!(
                "\"content\" is at most {MAX_CONTENT_CHARS} characters"
            )));
        }
        let scope = arguments
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or("agent");
        let (scope, scope_id) = match scope {
            "agent" => (ScopeKind::Agent, turn.agent_id),
            "conversation" => (ScopeKind::Conversation, turn.conversation_id),
            "user" if ctx.caller.user_id == Some(turn.agent_owner) => {
                (ScopeKind::User, turn.agent_owner)
            }
            "user" => {
                return Err(ToolError::Refused(
                    "user memories belong to the agent's owner, who is not the one talking: \
                     use scope agent or conversation"
                        .into(),
                ));
            }
            other => {
                return Err(ToolError::Refused(format!(
                    "an agent may not write {other:?} memories: only agent, user (its \
                     owner's) or conversation"
                )));
            }
        };
        let memory_type = match arguments.get("type").and_then(Value::as_str) {
            Some(t) => Some(MemoryType::parse(t).map_err(refusal)?),
            None => None,
        };
        let importance = arguments
            .get("importance")
            .and_then(Value::as_f64)
            .map(|x| x as f32);
        let tags: Vec<String> = arguments
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let new = NewMemory {
            scope,
            scope_id: Some(scope_id),
            memory_type,
            content: content.to_owned(),
            importance,
            tags,
            expires_at: None,
            source: Provenance {
                conversation_id: Some(turn.conversation_id),
                message_id: turn.message_id,
                agent_id: Some(turn.agent_id),
                ..Provenance::default()
            },
            supersedes: None,
        };
        let memory = self.memories.create(&reader, new).await.map_err(refusal)?;
        let mut answer = view(&memory);
        answer["stored"] = json!(true);
        if let Some(same) = memory
            .links
            .iter()
            .find(|l| l.memory_id == memory.id && l.kind == LinkKind::DuplicateOf)
        {
            answer["duplicate_of"] = json!(same.target_id);
        }
        Ok(answer)
    }
}

/// `recall`.
pub struct Recall {
    definition: ToolDefinition,
    memories: Memories,
}

impl Recall {
    pub fn new(memories: Memories) -> Self {
        Self {
            definition: definition(
                "recall",
                "Searches your memories (yours, this conversation's, shared ones, and those of \
                 the person you work for when they are the one talking) by meaning and by \
                 words; the most relevant first.",
                json!({
                    "type": "object",
                    "properties": {
                        "query": {"type": "string", "minLength": 1, "maxLength": 2048},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 20,
                                  "description": "default 5"}
                    },
                    "required": ["query"],
                    "additionalProperties": false
                }),
                Risk::ReadOnly,
            ),
            memories,
        }
    }
}

#[async_trait::async_trait]
impl Tool for Recall {
    fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    async fn call(&self, ctx: &ToolContext, arguments: Value) -> Result<Value, ToolError> {
        let (reader, _) = reader(ctx)?;
        let query = arguments
            .get("query")
            .and_then(Value::as_str)
            .ok_or_else(|| ToolError::InvalidArguments("\"query\" must be a string".into()))?;
        let limit = arguments
            .get("limit")
            .and_then(Value::as_u64)
            .unwrap_or(5)
            .clamp(1, 20) as usize;
        let request = SearchRequest {
            query: query.to_owned(),
            mode: SearchMode::Hybrid,
            limit,
            threshold: None,
            filters: Filters::default(),
            exact: false,
        };
        let found = self
            .memories
            .search(&reader, &request)
            .await
            .map_err(refusal)?;
        let items: Vec<Value> = found
            .items
            .iter()
            .map(|h| {
                let mut v = view(&h.memory);
                v["score"] = json!(h.score);
                v
            })
            .collect();
        Ok(json!({"memories": items}))
    }
}

/// `forget`.
pub struct Forget {
    definition: ToolDefinition,
    memories: Memories,
}

impl Forget {
    pub fn new(memories: Memories) -> Self {
        Self {
            definition: definition(
                "forget",
                "Forgets a memory you may change (by its id, as recall gives it): it is no \
                 longer recalled; its history stays for the people who manage it.",
                json!({
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "format": "uuid",
                               "description": "the memory's id"}
                    },
                    "required": ["id"],
                    "additionalProperties": false
                }),
                Risk::SideEffects,
            ),
            memories,
        }
    }
}

#[async_trait::async_trait]
impl Tool for Forget {
    fn definition(&self) -> &ToolDefinition {
        &self.definition
    }

    async fn call(&self, ctx: &ToolContext, arguments: Value) -> Result<Value, ToolError> {
        let (reader, _) = reader(ctx)?;
        let id = arguments
            .get("id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s.trim()).ok())
            .ok_or_else(|| {
                ToolError::InvalidArguments("\"id\" must be a memory's id (a UUID)".into())
            })?;
        self.memories.delete(&reader, id).await.map_err(refusal)?;
        Ok(json!({"id": id, "forgotten": true}))
    }
}
