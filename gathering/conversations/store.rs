//! SQL of `agents.conversations`, `agents.participants` and `agents.messages`.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{Conversation, NewMessage, StoredMessage};
use crate::llm::{Role, ToolCall};

const SELECT: &str = "SELECT c.id, c.title, c.owner_id, c.message_count, c.summary,
    c.summary_upto, c.created_at, c.updated_at,
    coalesce(array_agg(p.agent_id ORDER BY p.joined_at) FILTER (WHERE p.agent_id IS NOT NULL), '{}') AS agent_ids,
    coalesce(array_agg(p.user_id ORDER BY p.joined_at) FILTER (WHERE p.user_id IS NOT NULL), '{}') AS user_ids
    FROM agents.conversations c LEFT JOIN agents.participants p ON p.conversation_id = c.id";

fn conversation(row: &Row) -> Conversation {
    Conversation {
        id: row.get("id"),
        title: row.get("title"),
        owner_id: row.get("owner_id"),
        agent_ids: row.get("agent_ids"),
        user_ids: row.get("user_ids"),
        message_count: row.get("message_count"),
        summary: row.get("summary"),
        summary_upto: row.get("summary_upto"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

pub async fn insert(
    client: &impl GenericClient,
    owner: Uuid,
    title: &str,
) -> Result<Uuid, tokio_postgres::Error> {
    let id = Uuid::now_v7();
    client
        .execute(
            "INSERT INTO agents.conversations (id, owner_id, title) VALUES ($1, $2, $3)",
            &[&id, &owner, &title],
        )
        .await?;
    Ok(id)
}

pub async fn add_participant(
    client: &impl GenericClient,
    id: Uuid,
    user: Option<Uuid>,
    agent: Option<Uuid>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO agents.participants (conversation_id, user_id, agent_id)
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&id, &user, &agent],
        )
        .await?;
    Ok(())
}

pub async fn get(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Conversation>, tokio_postgres::Error> {
    let row = client
        .query_opt(&format!("{SELECT} WHERE c.id = $1 GROUP BY c.id"), &[&id])
        .await?;
    Ok(row.as_ref().map(conversation))
}

pub async fn list(
    client: &impl GenericClient,
    owner: Option<Uuid>,
    agent: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Conversation>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "{SELECT} WHERE ($1::uuid IS NULL OR c.owner_id = $1)
                   AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM agents.participants q
                        WHERE q.conversation_id = c.id AND q.agent_id = $2))
                   AND ($3::uuid IS NULL OR c.id > $3)
                 GROUP BY c.id ORDER BY c.id LIMIT $4"
            ),
            &[&owner, &agent, &after, &limit],
        )
        .await?;
    Ok(rows.iter().map(conversation).collect())
}

const MESSAGE_COLUMNS: &str = "id, conversation_id, position, role, author_user_id,
    author_agent_id, content, tool_calls, tool_call_id, tool_name, tool_error, model,
    prompt_tokens, completion_tokens, latency_ms, finish, created_at";

fn message(row: &Row) -> StoredMessage {
    let role: String = row.get("role");
    let calls: serde_json::Value = row.get("tool_calls");
    StoredMessage {
        id: row.get("id"),
        conversation_id: row.get("conversation_id"),
        position: row.get("position"),
        role: match role.as_str() {
            "assistant" => Role::Assistant,
            "tool" => Role::Tool,
            _ => Role::User,
        },
        author_user_id: row.get("author_user_id"),
        author_agent_id: row.get("author_agent_id"),
        content: row.get("content"),
        tool_calls: serde_json::from_value::<Vec<ToolCall>>(calls).unwrap_or_default(),
        tool_call_id: row.get("tool_call_id"),
        tool_name: row.get("tool_name"),
        tool_error: row.get("tool_error"),
        model: row.get("model"),
        prompt_tokens: row.get("prompt_tokens"),
        completion_tokens: row.get("completion_tokens"),
        latency_ms: row.get("latency_ms"),
        finish: row.get("finish"),
        created_at: row.get("created_at"),
        recalled: row
            .try_get::<_, serde_json::Value>("recalled")
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
    }
}

/// The memories recalled for a message (`memory.recalls`), as a JSON array `recalled`.
const RECALLED: &str = "(SELECT coalesce(json_agg(json_build_object('id', r.memory_id, \
    'score', r.score) ORDER BY r.rank), '[]'::json) FROM memory.recalls r \
    WHERE r.message_id = agents.messages.id) AS recalled";

/// Stores a message at the conversation's next position (the counter's row lock orders
/// concurrent writers).
pub async fn insert_message(
    client: &impl GenericClient,
    conversation: Uuid,
    m: &NewMessage,
) -> Result<StoredMessage, tokio_postgres::Error> {
    let position: i64 = client
        .query_one(
            "UPDATE agents.conversations SET message_count = message_count + 1,
                updated_at = now() WHERE id = $1 RETURNING message_count",
            &[&conversation],
        )
        .await?
        .get(0);
    let calls = serde_json::to_value(&m.tool_calls).unwrap_or_default();
    let row = client
        .query_one(
            &format!(
                "INSERT INTO agents.messages (id, conversation_id, position, role,
                    author_user_id, author_agent_id, content, tool_calls, tool_call_id,
                    tool_name, tool_error, model, prompt_tokens, completion_tokens, latency_ms,
                    finish)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 RETURNING {MESSAGE_COLUMNS}"
            ),
            &[
                &Uuid::now_v7(),
                &conversation,
                &position,
                &m.role.unwrap_or(Role::User).as_str(),
                &m.author_user_id,
                &m.author_agent_id,
                &m.content,
                &calls,
                &m.tool_call_id,
                &m.tool_name,
                &m.tool_error,
                &m.model,
                &m.prompt_tokens,
                &m.completion_tokens,
                &m.latency_ms,
                &m.finish,
            ],
        )
        .await?;
    Ok(message(&row))
}

pub async fn messages(
    client: &impl GenericClient,
    conversation: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<StoredMessage>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "SELECT {MESSAGE_COLUMNS}, {RECALLED} FROM agents.messages
                  WHERE conversation_id = $1
                    AND position > coalesce((SELECT position FROM agents.messages
                                             WHERE id = $2 AND conversation_id = $1), 0)
                  ORDER BY position LIMIT $3"
            ),
            &[&conversation, &after, &limit],
        )
        .await?;
    Ok(rows.iter().map(message).collect())
}

/// The newest `limit` messages, oldest first.
pub async fn recent(
    client: &impl GenericClient,
    conversation: Uuid,
    limit: i64,
) -> Result<Vec<StoredMessage>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "SELECT * FROM (SELECT {MESSAGE_COLUMNS} FROM agents.messages
                  WHERE conversation_id = $1 ORDER BY position DESC LIMIT $2) m
                  ORDER BY position"
            ),
            &[&conversation, &limit],
        )
        .await?;
    Ok(rows.iter().map(message).collect())
}

/// Messages with positions in `from..=to`, oldest first.
pub async fn range(
    client: &impl GenericClient,
    conversation: Uuid,
    from: i64,
    to: i64,
) -> Result<Vec<StoredMessage>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM agents.messages
                  WHERE conversation_id = $1 AND position BETWEEN $2 AND $3 ORDER BY position"
            ),
            &[&conversation, &from, &to],
        )
        .await?;
    Ok(rows.iter().map(message).collect())
}

pub async fn set_summary(
    client: &impl GenericClient,
    conversation: Uuid,
    summary: &str,
    upto: i64,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE agents.conversations SET summary = $2, summary_upto = $3
              WHERE id = $1 AND summary_upto < $3",
            &[&conversation, &summary, &upto],
        )
        .await?;
    Ok(())
}

pub async fn delete(client: &impl GenericClient, id: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute("DELETE FROM agents.conversations WHERE id = $1", &[&id])
        .await?;
    Ok(())
}
