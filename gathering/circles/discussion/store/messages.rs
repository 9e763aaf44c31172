//! Discussion messages: append (the next seq, under the discussion's row lock the caller
//! holds; an agent turn's number is unique, so a turn is stored once), read a page after a seq,
//! the whole transcript, and an agent's conversation in the discussion.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::circles::discussion::model::{
    DiscussionMessage, MessageKind, MessageStatus, NewMessage,
};

const COLUMNS: &str = "id, seq, kind, speaker, agent_id, user_id, content, mentions, status, turn,
    prompt_tokens, completion_tokens, cost, model, latency_ms, conversation_id, created_at";

fn message(row: &Row) -> DiscussionMessage {
    let kind: String = row.get(2);
    let status: String = row.get(8);
    DiscussionMessage {
        id: row.get(0),
        seq: row.get(1),
        kind: MessageKind::parse(&kind),
        speaker: row.get(3),
        agent_id: row.get(4),
        user_id: row.get(5),
        content: row.get(6),
        mentions: row.get(7),
        status: MessageStatus::parse(&status),
        turn: row.get(9),
        prompt_tokens: row.get(10),
        completion_tokens: row.get(11),
        cost: row.get(12),
        model: row.get(13),
        latency_ms: row.get(14),
        conversation_id: row.get(15),
        created_at: row.get(16),
    }
}

/// Appends a message with the next seq. The caller holds the discussion's row lock, so two
/// appends never take the same seq; a second store of the same turn fails on the unique
/// `(discussion_id, turn)` index.
pub async fn append(
    client: &impl GenericClient,
    discussion: Uuid,
    m: &NewMessage,
) -> Result<DiscussionMessage, tokio_postgres::Error> {
    let sql = format!(
        "INSERT INTO circles.discussion_messages
            (id, discussion_id, seq, kind, speaker, agent_id, user_id, content, mentions, status,
             turn, prompt_tokens, completion_tokens, cost, model, latency_ms, conversation_id)
         VALUES ($1, $2,
                 (SELECT coalesce(max(seq), 0) + 1 FROM circles.discussion_messages
                   WHERE discussion_id = $2),
                 $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         RETURNING {COLUMNS}"
    );
    let kind = m.kind.unwrap_or(MessageKind::System).as_str();
    let status = m.status.unwrap_or(MessageStatus::Ok).as_str();
    let row = client
        .query_one(
            &sql,
            &[
                &uuid::Uuid::now_v7(),
                &discussion,
                &kind,
                &m.speaker,
                &m.agent_id,
                &m.user_id,
                &m.content,
                &m.mentions,
                &status,
                &m.turn,
                &m.prompt_tokens,
                &m.completion_tokens,
                &m.cost,
                &m.model,
                &m.latency_ms,
                &m.conversation_id,
            ],
        )
        .await?;
    Ok(message(&row))
}

/// Messages after `after` (a seq), in order, at most `limit`.
pub async fn after(
    client: &impl GenericClient,
    discussion: Uuid,
    after: i32,
    limit: i64,
) -> Result<Vec<DiscussionMessage>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM circles.discussion_messages
          WHERE discussion_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
    );
    let rows = client.query(&sql, &[&discussion, &after, &limit]).await?;
    Ok(rows.iter().map(message).collect())
}

/// The whole transcript, in order.
pub async fn all(
    client: &impl GenericClient,
    discussion: Uuid,
) -> Result<Vec<DiscussionMessage>, tokio_postgres::Error> {
    after(client, discussion, 0, i64::MAX).await
}
