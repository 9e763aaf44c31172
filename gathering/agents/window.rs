//! What an agent sees of a conversation: the newest messages that fit its model's context,
//! plus a running summary of the older ones. Token counts are estimated (bytes / 3, which
//! over-counts English for BPE vocabularies, so the window errs on the short side).

use crate::conversations::StoredMessage;
use crate::llm::{Message, Role};

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
