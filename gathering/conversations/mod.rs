//! Conversations: participants (users and agents), messages (role, author, content, tool calls
//! and results, tokens, latency) and an owner. Every change is stored and published
//! (`conversation.*`, scoped to the conversation, its owner and its agent); transcripts are read
//! in pages. Only the owner and admins see a conversation ([`may_access`], which says "not
//! found" to others). Start here (the service functions); SQL is in `store.rs`.

pub mod store;

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Pool};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::events::{EventType, NewEvent, Scope, outbox};
use crate::llm::{Role as MessageRole, ToolCall};

/// A stored conversation.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Conversation {
    pub id: Uuid,
    pub title: String,
    pub owner_id: Uuid,
    /// The agents taking part.
    pub agent_ids: Vec<Uuid>,
    /// The users taking part.
    pub user_ids: Vec<Uuid>,
    pub message_count: i64,
    /// A running summary of the older messages (empty until the transcript outgrows an
    /// agent's context).
    pub summary: String,
    /// The last message position the summary covers.
    pub summary_upto: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredMessage {
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// 1, 2, ... within the conversation.
    pub position: i64,
    #[schema(value_type = String)]
    pub role: MessageRole,
    pub author_user_id: Option<Uuid>,
    pub author_agent_id: Option<Uuid>,
    pub content: String,
    #[schema(value_type = Vec<Object>)]
    pub tool_calls: Vec<ToolCall>,
    pub tool_call_id: Option<String>,
    pub tool_name: Option<String>,
    pub tool_error: Option<bool>,
    pub model: Option<String>,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub latency_ms: Option<i32>,
    /// How an assistant message ended: stop, length, tool_calls, iteration_limit, cancelled,
    /// error.
    pub finish: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The memories the turn this user message started was given, best first (empty for
    /// other messages, and in the agent's own history).
    pub recalled: Vec<MessageRecall>,
}

/// A memory a turn was given, and its relevance score.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct MessageRecall {
    /// The memory's id (`GET /api/memories/{id}`, for those who may read it).
    pub id: Uuid,
    pub score: f32,
}

/// A message about to be stored.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    pub role: Option<MessageRole>,
    pub author_user_id: Option<Uuid>,
    pub author_agent_id: Option<Uuid>,
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
    pub tool_call_id: Option<String>,
    pub tool_name: Option<String>,
    pub tool_error: Option<bool>,
    pub model: Option<String>,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub latency_ms: Option<i32>,
    pub finish: Option<String>,
}

/// The scope of events about a conversation.
pub fn scope(c: &Conversation) -> Scope {
    Scope {
        conversation_id: Some(c.id),
        user_id: Some(c.owner_id),
        agent_id: c.agent_ids.first().copied(),
        ..Scope::default()
    }
}

/// Whether `who` may read and write `c`: its owner, or an admin.
pub fn may_access(c: &Conversation, who: &Identity) -> Result<(), DomainError> {
    if who.is_admin() || who.is(c.owner_id) {
        Ok(())
    } else {
        // Said as "not found": other people's conversations are not revealed.
        Err(DomainError::NotFound(format!("no conversation {}", c.id)))
    }
}

/// Starts a conversation between `owner` and `agent`.
pub async fn create(
    pool: &Pool,
    owner: Uuid,
    agent_id: Uuid,
    title: &str,
) -> Result<Conversation, DomainError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let id = store::insert(&tx, owner, title).await?;
    store::add_participant(&tx, id, Some(owner), None).await?;
    store::add_participant(&tx, id, None, Some(agent_id)).await?;
    let c = store::get(&tx, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("conversation {id} vanished in its own transaction"))?;
    outbox::append(
        &tx,
        &NewEvent::new(EventType::ConversationCreated, scope(&c), Some(owner)).data(
            json!({"conversation": {"id": c.id, "title": c.title, "agent_ids": c.agent_ids}}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

pub async fn get(pool: &Pool, id: Uuid) -> Result<Conversation, DomainError> {
    let client = pool.get().await?;
    store::get(&client, id)
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("no conversation {id}")))
}

/// Conversations filtered by owner (`None`: everyone's) and agent.
pub async fn list(
    pool: &Pool,
    owner: Option<Uuid>,
    agent: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Conversation>, DomainError> {
    let client = pool.get().await?;
    Ok(store::list(&client, owner, agent, after, limit).await?)
}

/// Stores a message and publishes `conversation.message`, in one transaction.
pub async fn append(
    pool: &Pool,
    c: &Conversation,
    actor: Option<Uuid>,
    message: NewMessage,
) -> Result<StoredMessage, DomainError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let stored = append_in(&tx, c, actor, message).await?;
    tx.commit().await?;
    Ok(stored)
}

async fn append_in(
    tx: &impl GenericClient,
    c: &Conversation,
    actor: Option<Uuid>,
    message: NewMessage,
) -> Result<StoredMessage, DomainError> {
    let stored = store::insert_message(tx, c.id, &message).await?;
    let mut data = json!({"message": stored});
    // The payload stays small: long tool results and answers are cut in the event (the
    // transcript has them whole).
    if let Some(content) = data["message"]["content"].as_str()
        && content.chars().nth(4000).is_some()
    {
        let cut: String = content.chars().take(4000).collect();
        data["message"]["content"] = json!(cut);
        data["message"]["truncated"] = json!(true);
    }
    outbox::append(
        tx,
        &NewEvent::new(EventType::ConversationMessage, scope(c), actor).data(data),
    )
    .await?;
    Ok(stored)
}

/// A page of the transcript, oldest first, after the message `after`.
pub async fn messages(
    pool: &Pool,
    id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<StoredMessage>, DomainError> {
    let client = pool.get().await?;
    Ok(store::messages(&client, id, after, limit).await?)
}

/// Publishes `conversation.turn_completed` for a finished turn.
pub async fn turn_completed(
    pool: &Pool,
    c: &Conversation,
    actor: Option<Uuid>,
    data: serde_json::Value,
) -> Result<(), DomainError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    outbox::append(
        &tx,
        &NewEvent::new(EventType::ConversationTurnCompleted, scope(c), actor).data(data),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete(pool: &Pool, c: &Conversation, who: &Identity) -> Result<(), DomainError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    store::delete(&tx, c.id).await?;
    outbox::append(
        &tx,
        &NewEvent::new(EventType::ConversationDeleted, scope(c), who.user_id)
            .data(json!({"conversation": {"id": c.id}})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
