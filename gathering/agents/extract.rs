//! Memories an agent writes down itself: after a finished turn of an agent with
//! `extract_memories`, its own model (through `LlmService`, attributed to the agent and the
//! conversation) reads the exchange with a fixed prompt and lists the durable facts as JSON
//! lines; each becomes a memory of the agent's scope, with the conversation and the answer as
//! provenance, through `memory::Memories` (scope checks, audit, duplicates linked there).
//!
//! The answer is parsed leniently (bullets, code fences, an array instead of lines, numbers as
//! text, unknown types read as `fact`): a small model's near-misses still count, and a line
//! that is not a memory is skipped, never an error.

use serde_json::Value;
use uuid::Uuid;

use super::turn::TurnInput;
use super::{Agent, Agents};
use crate::conversations::StoredMessage;
use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::llm::{ChatRequest, Message, Sampling};
use crate::memory::model::{MAX_CONTENT_BYTES, Provenance};
use crate::memory::{MemoryType, NewMemory, Reader, ScopeKind};
use crate::models::{Attribution, ServiceError};

/// The most memories one turn's extraction stores.
const MAX_PER_TURN: usize = 10;
/// The longest exchange the model reads (bytes of each side).
const MAX_SIDE_BYTES: usize = 8 * 1024;
/// The tag every extracted memory carries.
pub const TAG: &str = "extracted";

/// The fixed instruction of the extraction call.
pub const PROMPT: &str = "You read one exchange between a user and an assistant and write down \
    what is worth remembering in later conversations: facts about the user or their work, their \
    preferences, decisions taken, names and relationships. Leave out greetings, questions, \
    guesses and anything true only for this moment. Answer with one JSON object per line and \
    nothing else, each like {\"type\": \"fact\", \"content\": \"one self-contained sentence\", \
    \"importance\": 0.5}, where type is one of fact, preference, decision, episode, skill, \
    relationship, context and importance is 0 to 1. Answer with nothing when nothing is worth \
    remembering.";

/// One memory the model listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    pub memory_type: MemoryType,
    pub content: String,
    pub importance: f32,
}

/// The memories in a model's answer, at most [`MAX_PER_TURN`], without repeats.
pub fn parse(answer: &str) -> Vec<Extracted> {
    let mut objects: Vec<Value> = Vec::new();
    let trimmed = answer.trim();
    let whole = trimmed
        .find('[')
        .zip(trimmed.rfind(']'))
        .and_then(|(a, b)| (a < b).then(|| &trimmed[a..=b]))
        .and_then(|s| serde_json::from_str::<Vec<Value>>(s).ok());
    match whole {
        Some(items) => objects.extend(items),
        None => {
            for line in trimmed.lines() {
                let (Some(a), Some(b)) = (line.find('{'), line.rfind('}')) else {
                    continue;
                };
                if a < b
                    && let Ok(v) = serde_json::from_str::<Value>(&line[a..=b])
                {
                    objects.push(v);
                }
            }
        }
    }
    let mut out: Vec<Extracted> = Vec::new();
    for v in objects {
        let Some(e) = one(&v) else { continue };
        if !out
            .iter()
            .any(|o| o.content.eq_ignore_ascii_case(&e.content))
        {
            out.push(e);
        }
        if out.len() == MAX_PER_TURN {
            break;
        }
    }
    out
}

fn one(v: &Value) -> Option<Extracted> {
    let content = v
        .get("content")
        .or_else(|| v.get("memory"))
        .or_else(|| v.get("fact"))?
        .as_str()?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if content.is_empty() || content.len() > MAX_CONTENT_BYTES || content.contains('\0') {
        return None;
    }
    let memory_type = v
        .get("type")
        .and_then(Value::as_str)
        .and_then(|t| MemoryType::parse(t).ok())
        .unwrap_or(MemoryType::Fact);
    let importance = match v.get("importance") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|x| x.is_finite())
    .map(|x| x.clamp(0.0, 1.0) as f32)
    .unwrap_or(0.5);
    Some(Extracted {
        memory_type,
        content,
        importance,
    })
}

/// What one extraction reads and where its memories come from.
struct Exchange<'a> {
    agent: &'a Agent,
    caller: &'a Identity,
    conversation_id: Uuid,
    /// The answer's stored message (the memories' provenance).
    answer_id: Uuid,
    question: &'a str,
    answer: &'a str,
}

/// Extracts the memories of a finished turn (`answer` is its stored answer); logs the outcome,
/// never fails.
pub(super) async fn after_turn(
    agents: &Agents,
    input: &TurnInput,
    conversation_id: Uuid,
    answer: &StoredMessage,
) {
    let exchange = Exchange {
        agent: &input.agent,
        caller: &input.caller,
        conversation_id,
        answer_id: answer.id,
        question: &input.message,
        answer: &answer.content,
    };
    match extract(agents, &exchange).await {
        Ok(stored) => tracing::info!(
            agent = %input.agent.name,
            %conversation_id,
            stored,
            "memories extracted from the turn"
        ),
        Err(e) => tracing::warn!(
            agent = %input.agent.name,
            %conversation_id,
            error = %e,
            "memories not extracted from the turn"
        ),
    }
}

/// Asks the agent's model for the exchange's memories and stores them; how many were stored.
#[tracing::instrument(skip_all, fields(agent = %x.agent.name, conversation = %x.conversation_id))]
async fn extract(agents: &Agents, x: &Exchange<'_>) -> Result<usize, DomainError> {
    let request = ChatRequest {
        model: String::new(),
        messages: vec![
            Message::system(PROMPT),
            Message::user(format!(
                "User: {}\n\nAssistant: {}",
                cut(x.question, MAX_SIDE_BYTES),
                cut(x.answer, MAX_SIDE_BYTES)
            )),
        ],
        tools: Vec::new(),
        sampling: Sampling {
            temperature: Some(0.0),
            top_p: None,
            seed: None,
            max_tokens: Some(400),
        },
        stop: Vec::new(),
    };
    let for_ = Attribution {
        agent_id: Some(x.agent.id),
        conversation_id: Some(x.conversation_id),
    };
    let failed = |e: ServiceError| DomainError::Unexpected(anyhow::anyhow!("extraction: {e}"));
    let (_, stream) = agents
        .inner
        .llm
        .chat(x.caller, for_, &x.agent.model, request)
        .await
        .map_err(failed)?;
    let done = crate::llm::Completion::collect(stream)
        .await
        .map_err(|e| failed(ServiceError::Model(e)))?;
    let found = parse(&done.text);
    let reader = Reader::agent(
        x.caller,
        x.agent.id,
        x.agent.owner_id,
        Some(x.conversation_id),
    );
    let mut stored = 0;
    for e in found {
        let new = NewMemory {
            scope: ScopeKind::Agent,
            scope_id: Some(x.agent.id),
            memory_type: Some(e.memory_type),
            content: e.content,
            importance: Some(e.importance),
            tags: vec![TAG.to_owned()],
            expires_at: None,
            source: Provenance {
                conversation_id: Some(x.conversation_id),
                message_id: Some(x.answer_id),
                agent_id: Some(x.agent.id),
                ..Provenance::default()
            },
            supersedes: None,
        };
        match agents.inner.memories.create(&reader, new).await {
            Ok(_) => stored += 1,
            Err(DomainError::Unexpected(e)) => return Err(DomainError::Unexpected(e)),
            Err(e) => tracing::warn!("an extracted memory was refused: {e}"),
        }
    }
    Ok(stored)
}

/// `text` cut to at most `max` bytes, at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut at = max;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_bullets_fences_and_arrays_are_read() {
        let answer = "Here you go:\n```json\n\
            {\"type\": \"preference\", \"content\": \"The user likes tea.\", \"importance\": 0.8}\n\
            - {\"type\": \"FACT\", \"content\": \"The user  lives in Lyon.\", \"importance\": \"0.6\"}\n\
            1. {\"type\": \"gossip\", \"content\": \"The user has a cat.\"}\n\
            {\"type\": \"fact\", \"content\": \"\"}\n\
            {not json}\n\
            {\"type\": \"fact\", \"content\": \"the user likes tea.\"}\n```";
        let found = parse(answer);
        assert_eq!(
            found,
            vec![
                Extracted {
                    memory_type: MemoryType::Preference,
                    content: "The user likes tea.".into(),
                    importance: 0.8
                },
                Extracted {
                    memory_type: MemoryType::Fact,
                    content: "The user lives in Lyon.".into(),
                    importance: 0.6
                },
                Extracted {
                    memory_type: MemoryType::Fact,
                    content: "The user has a cat.".into(),
                    importance: 0.5
                },
            ]
        );

        let array =
            "[{\"type\": \"decision\", \"content\": \"Ship on Friday.\", \"importance\": 7}]";
        assert_eq!(
            parse(array),
            vec![Extracted {
                memory_type: MemoryType::Decision,
                content: "Ship on Friday.".into(),
                importance: 1.0
            }]
        );
        assert!(parse("").is_empty());
        assert!(parse("Nothing worth remembering.").is_empty());
        let many: String = (0..30)
            .map(|i| format!("{{\"content\": \"fact {i}\"}}\n"))
            .collect();
        assert_eq!(parse(&many).len(), MAX_PER_TURN);
    }

    #[test]
    fn cut_keeps_characters_whole() {
        assert_eq!(cut("héllo", 2), "h");
        assert_eq!(cut("abc", 10), "abc");
    }
}
