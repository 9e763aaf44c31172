//! What an agent sees of a conversation: the newest messages that fit its model's context,
//! plus a running summary of the older ones, written by the agent's own model when the
//! transcript outgrows the window. Token counts are estimated (bytes / 3, which
//! over-counts English for BPE vocabularies, so the window errs on the short side).

use super::Agents;
use super::turn::TurnError;
use crate::conversations::{Conversation, StoredMessage, store as cstore};
use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::llm::{ChatRequest, Message, Role, Sampling};
use crate::models::{Attribution, ServiceError};

/// An estimate of the tokens `text` takes, on the high side.
pub fn estimate_tokens(text: &str) -> usize {
    text.len() / 3 + 4
}

fn message_tokens(m: &StoredMessage) -> usize {
    estimate_tokens(&m.content)
        + m.tool_calls
            .iter()
            .map(|c| estimate_tokens(&c.arguments) + estimate_tokens(&c.name))
            .sum::<usize>()
}

/// The index in `messages` (oldest first) of the first one to keep so that the kept ones fit
/// in `budget` tokens. The window never starts with a tool result whose call was cut.
pub fn fit(messages: &[StoredMessage], budget: usize) -> usize {
    let mut used = 0;
    let mut start = messages.len();
    for (i, m) in messages.iter().enumerate().rev() {
        used += message_tokens(m);
        if used > budget {
            break;
        }
        start = i;
    }
    while start < messages.len() && messages[start].role == Role::Tool {
        start += 1;
    }
    start
}

/// A stored message as the model sees it.
pub fn to_llm(m: &StoredMessage) -> Message {
    Message {
        role: m.role,
        content: m.content.clone(),
        tool_calls: m.tool_calls.clone(),
        tool_call_id: m.tool_call_id.clone(),
    }
}

/// The text a summariser reads for `messages`.
pub fn transcript(messages: &[StoredMessage]) -> String {
    let mut out = String::new();
    for m in messages {
        let who = match m.role {
            Role::User => "User",
            Role::Assistant => "Assistant",
            Role::Tool => "Tool result",
            Role::System => "System",
        };
        out.push_str(who);
        out.push_str(": ");
        out.push_str(m.content.trim());
        for c in &m.tool_calls {
            out.push_str(&format!(" [called {}({})]", c.name, c.arguments));
        }
        out.push('\n');
    }
    out
}

/// The history the model sees (oldest first) and the running summary, refreshed when the
/// transcript has outgrown the window.
pub(super) async fn history(
    agents: &Agents,
    conversation: &Conversation,
    just_stored: &StoredMessage,
    budget: usize,
    who: &Identity,
    for_: Attribution,
    model: &str,
) -> Result<(String, Vec<Message>), TurnError> {
    let pool = &agents.inner.pool;
    let recent = {
        let client = pool.get().await.map_err(DomainError::from)?;
        cstore::recent(&client, conversation.id, 200)
            .await
            .map_err(DomainError::from)?
    };
    let earlier: Vec<StoredMessage> = recent
        .into_iter()
        .filter(|m| m.position < just_stored.position)
        .collect();
    let start = fit(&earlier, budget * 3 / 4);
    let kept = &earlier[start..];
    let first_kept = kept
        .first()
        .map(|m| m.position)
        .unwrap_or(just_stored.position);
    let mut summary = conversation.summary.clone();
    let mut upto = conversation.summary_upto;
    // Messages older than the window that the summary does not cover yet.
    let summary_budget_bytes = (budget / 2).max(256) * 3;
    let mut passes = 0;
    while upto + 1 < first_kept && passes < 4 {
        passes += 1;
        let chunk = {
            let client = pool.get().await.map_err(DomainError::from)?;
            cstore::range(&client, conversation.id, upto + 1, first_kept - 1)
                .await
                .map_err(DomainError::from)?
        };
        let mut take = Vec::new();
        let mut bytes = 0;
        for m in chunk {
            bytes += m.content.len() + 32;
            if bytes > summary_budget_bytes && !take.is_empty() {
                break;
            }
            take.push(m);
        }
        let Some(last) = take.last().map(|m| m.position) else {
            break;
        };
        let text = transcript(&take);
        let request = ChatRequest {
            model: String::new(),
            messages: vec![
                Message::system(
                    "You keep a running summary of a conversation. Rewrite the summary so it \
                     also covers the new messages. Keep names, decisions, numbers and open \
                     questions. Answer with the summary only, at most 200 words.",
                ),
                Message::user(format!(
                    "Summary so far:\n{}\n\nNew messages:\n{text}",
                    if summary.is_empty() {
                        "(none)"
                    } else {
                        &summary
                    }
                )),
            ],
            tools: Vec::new(),
            sampling: Sampling {
                temperature: Some(0.0),
                top_p: None,
                seed: None,
                max_tokens: Some(320),
            },
            stop: Vec::new(),
        };
        let (_, stream) = agents.inner.llm.chat(who, for_, model, request).await?;
        let done = crate::llm::Completion::collect(stream)
            .await
            .map_err(ServiceError::Model)?;
        summary = done.text.trim().to_owned();
        upto = last;
        let client = pool.get().await.map_err(DomainError::from)?;
        cstore::set_summary(&client, conversation.id, &summary, upto)
            .await
            .map_err(DomainError::from)?;
    }
    Ok((summary, kept.iter().map(to_llm).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use uuid::Uuid;

    fn msg(position: i64, role: Role, content: &str) -> StoredMessage {
        StoredMessage {
            id: Uuid::now_v7(),
            conversation_id: Uuid::nil(),
            position,
            role,
            author_user_id: None,
            author_agent_id: None,
            content: content.into(),
            tool_calls: vec![],
            tool_call_id: None,
            tool_name: None,
            tool_error: None,
            model: None,
            prompt_tokens: None,
            completion_tokens: None,
            latency_ms: None,
            finish: None,
            created_at: Utc::now(),
            recalled: Vec::new(),
        }
    }

    #[test]
    fn keeps_the_newest_that_fit_and_never_starts_with_a_tool_result() {
        let long = "x".repeat(300); // ~104 tokens
        let messages = vec![
            msg(1, Role::User, &long),
            msg(2, Role::Assistant, &long),
            msg(3, Role::Tool, "42"),
            msg(4, Role::Assistant, "short"),
        ];
        assert_eq!(fit(&messages, 10_000), 0);
        // Room for the last two and a bit: the tool result would start the window, so it goes.
        assert_eq!(fit(&messages, 30), 3);
        assert_eq!(fit(&messages, 0), 4);
    }
}
