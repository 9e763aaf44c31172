//! Discussion types: the stored discussion (`Record`, ids only) and the view people read
//! (`Discussion`, with names), its status, what starting, continuing and posting take, and the
//! stored messages. Requests are checked at the edge (`service.rs` resolves the names).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ending::{EndReason, Limits};
use super::turns::{Mode, Participant, Transitions};
use crate::core::error::DomainError;

/// Where a discussion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiscussionStatus {
    /// Stored, waiting for an instance to claim it.
    Pending,
    /// Claimed by an instance (or about to be, after a wait).
    Running,
    /// Waiting for a person's message or speaker choice; no instance holds it.
    Waiting,
    /// Held by a person; the turn in flight, if any, finished first.
    Paused,
    Completed,
    Stopped,
    Failed,
}

impl DiscussionStatus {
    pub const ALL: [Self; 7] = [
        Self::Pending,
        Self::Running,
        Self::Waiting,
        Self::Paused,
        Self::Completed,
        Self::Stopped,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Waiting => "waiting",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::Stopped => "stopped",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .unwrap_or(Self::Failed)
    }

    /// Completed, stopped or failed: nothing more happens unless it is continued.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Stopped | Self::Failed)
    }

    /// The status a discussion ends with for `reason`.
    pub fn ended_by(reason: EndReason) -> Self {
        match reason {
            EndReason::Stopped | EndReason::Timeout => Self::Stopped,
            EndReason::Error => Self::Failed,
            _ => Self::Completed,
        }
    }
}

/// A stored discussion, as its row has it (agents by id).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: Uuid,
    pub circle_id: Uuid,
    pub topic: String,
    pub prompt: String,
    pub mode: Mode,
    pub participants: Vec<Uuid>,
    pub facilitator_id: Option<Uuid>,
    pub transitions: Option<Transitions>,
    pub limits: Limits,
    pub seed: i64,
    pub summary_agent_id: Option<Uuid>,
    pub save_summary: bool,
    pub status: DiscussionStatus,
    pub waiting_for: Option<String>,
    pub next_speaker: Option<Uuid>,
    pub end_reason: Option<String>,
    pub turns: i32,
    pub tokens: i64,
    pub cost: f64,
    pub summary: Option<String>,
    pub summary_memory_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub deadline: Option<DateTime<Utc>>,
}

impl Record {
    /// The participants with their names (`names` from the agents table; a deleted agent keeps
    /// its id as its name).
    pub fn named(&self, names: &HashMap<Uuid, String>) -> Vec<Participant> {
        self.participants
            .iter()
            .map(|id| Participant {
                id: *id,
                name: names.get(id).cloned().unwrap_or_else(|| id.to_string()),
            })
            .collect()
    }

    /// Every agent the discussion names (for one lookup of their names).
    pub fn agent_ids(&self) -> Vec<Uuid> {
        let mut ids = self.participants.clone();
        ids.extend(self.facilitator_id);
        ids.extend(self.summary_agent_id);
        ids
    }

    /// Whether the discussion ended and its summary is written.
    pub fn is_settled(&self) -> bool {
        self.status.is_finished() && self.summary.is_some()
    }
}

/// An agent of a discussion.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DiscussionAgent {
    pub agent_id: Uuid,
    pub name: String,
}

/// A discussion, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Discussion {
    pub id: Uuid,
    /// The circle's name.
    pub circle: String,
    pub circle_id: Uuid,
    pub topic: String,
    pub prompt: String,
    pub mode: Mode,
    /// In speaking order.
    pub participants: Vec<DiscussionAgent>,
    /// Facilitator mode: the facilitating participant; selector mode: the agent whose model
    /// chooses the speakers.
    pub facilitator: Option<DiscussionAgent>,
    /// Who may speak right after whom, by name; none: anyone.
    pub transitions: Option<BTreeMap<String, Vec<String>>>,
    pub limits: Limits,
    /// What `free` mode draws from: the same seed gives the same speakers.
    pub seed: i64,
    pub summary_agent: Option<DiscussionAgent>,
    pub save_summary: bool,
    pub status: DiscussionStatus,
    /// A waiting discussion waits for `speaker` (a person's choice) or `person:<user id>`.
    pub waiting_for: Option<String>,
    /// The speaker a person chose for the next turn.
    pub next_speaker: Option<DiscussionAgent>,
    /// marker, max_turns, max_tokens, max_cost, max_seconds, stopped, timeout, error or
    /// no_speaker.
    pub end_reason: Option<String>,
    /// Agent turns taken (timed-out and failed ones included).
    pub turns: i32,
    pub tokens: i64,
    pub cost: f64,
    /// Written when it ends (by the summary agent, or a digest of the turns).
    pub summary: Option<String>,
    /// The circle memory the summary was saved as.
    pub summary_memory_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl Discussion {
    pub fn of(record: Record, circle: &str, names: &HashMap<Uuid, String>) -> Self {
        let agent = |id: Uuid| DiscussionAgent {
            agent_id: id,
            name: names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
        };
        let named = record.named(names);
        Self {
            id: record.id,
            circle: circle.to_owned(),
            circle_id: record.circle_id,
            participants: record.participants.iter().map(|id| agent(*id)).collect(),
            facilitator: record.facilitator_id.map(agent),
            transitions: record.transitions.as_ref().map(|t| t.by_name(&named)),
            summary_agent: record.summary_agent_id.map(agent),
            next_speaker: record.next_speaker.map(agent),
            topic: record.topic,
            prompt: record.prompt,
            mode: record.mode,
            limits: record.limits,
            seed: record.seed,
            save_summary: record.save_summary,
            status: record.status,
            waiting_for: record.waiting_for,
            end_reason: record.end_reason,
            turns: record.turns,
            tokens: record.tokens,
            cost: record.cost,
            summary: record.summary,
            summary_memory_id: record.summary_memory_id,
            created_by: record.created_by,
            created_at: record.created_at,
            started_at: record.started_at,
            ended_at: record.ended_at,
            updated_at: record.updated_at,
        }
    }
}

/// `POST /api/circles/{name}/discussions`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDiscussion {
    /// 1 to 2000 characters.
    pub topic: String,
    /// The opening message (at most 16 KiB); the topic when left out.
    #[serde(default)]
    pub prompt: Option<String>,
    /// Agents by name or id, in speaking order; every non-observer agent member when left out.
    #[serde(default)]
    pub participants: Option<Vec<String>>,
    /// The circle's `default_mode` when left out.
    #[serde(default)]
    pub mode: Option<String>,
    /// Needed by `facilitator` (one of the participants) and `selector` (any agent member).
    #[serde(default)]
    pub facilitator: Option<String>,
    /// `{name: [names that may speak right after it]}`.
    #[serde(default)]
    pub transitions: Option<BTreeMap<String, Vec<String>>>,
    /// Any of the limits; the others from the circle's settings (`max_turns`,
    /// `turn_timeout_secs`) and the defaults.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub limits: Option<serde_json::Value>,
    /// 0 to 2^53 - 1; random when left out.
    #[serde(default)]
    pub seed: Option<i64>,
    /// The agent (a member of the circle) that writes the summary; a digest when left out.
    #[serde(default)]
    pub summary_agent: Option<String>,
    /// Save the summary as a circle memory.
    #[serde(default)]
    pub save_summary: Option<bool>,
}

impl NewDiscussion {
    /// The checks that need no circle: topic, prompt, mode, seed and limits (each refusal
    /// names its field). The circle's members are checked when the discussion starts.
    pub fn check_fields(&self) -> Result<(), DomainError> {
        check_topic(&self.topic)?;
        check_text("prompt", self.prompt.as_deref().unwrap_or(""), true)?;
        if let Some(mode) = &self.mode {
            crate::circles::discussion::turns::Mode::parse(mode)?;
        }
        if self.seed.is_some_and(|s| !(0..=MAX_SEED).contains(&s)) {
            return Err(DomainError::invalid("seed", "0 to 9007199254740991"));
        }
        if let Some(limits) = &self.limits {
            let limits: crate::circles::discussion::ending::Limits =
                serde_json::from_value(limits.clone())
                    .map_err(|e| DomainError::invalid("limits", e.to_string()))?;
            limits.check()?;
        }
        Ok(())
    }
}

/// The longest topic, in characters.
pub const MAX_TOPIC_CHARS: usize = 2000;
/// The longest prompt or posted message, in bytes.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;
/// The largest seed: JSON numbers stay exact in every client.
pub const MAX_SEED: i64 = (1 << 53) - 1;

pub fn check_topic(raw: &str) -> Result<String, DomainError> {
    let topic = raw.trim();
    if topic.is_empty() || topic.chars().count() > MAX_TOPIC_CHARS || topic.contains('\0') {
        return Err(DomainError::invalid(
            "topic",
            format!("1 to {MAX_TOPIC_CHARS} characters, no NUL"),
        ));
    }
    Ok(topic.to_owned())
}

/// A prompt or a posted message: trimmed, not empty (unless `may_be_empty`), at most 16 KiB.
pub fn check_text(field: &str, raw: &str, may_be_empty: bool) -> Result<String, DomainError> {
    let text = raw.trim();
    if (text.is_empty() && !may_be_empty) || text.len() > MAX_TEXT_BYTES || text.contains('\0') {
        return Err(DomainError::invalid(
            field,
            format!("1 to {MAX_TEXT_BYTES} bytes, no NUL"),
        ));
    }
    Ok(text.to_owned())
}

/// `POST …/discussions/{id}/messages`: a person's message.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    /// 1 byte to 16 KiB; `@name` addresses an agent or a person.
    pub content: String,
}

/// `POST …/discussions/{id}/speaker`: who speaks next.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakerChoice {
    /// A participant's name or id.
    pub agent: String,
}

/// `POST …/discussions/{id}/continue`: a finished discussion goes on with its history.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContinueDiscussion {
    /// More agent turns (1 to 500; the circle's `max_turns` when left out).
    #[serde(default)]
    pub turns: Option<u32>,
    /// A new message, posted as yours.
    #[serde(default)]
    pub prompt: Option<String>,
}

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Prompt,
    Agent,
    Person,
    System,
    Summary,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prompt => "prompt",
            Self::Agent => "agent",
            Self::Person => "person",
            Self::System => "system",
            Self::Summary => "summary",
        }
    }

    pub fn parse(raw: &str) -> Self {
        [
            Self::Prompt,
            Self::Agent,
            Self::Person,
            Self::System,
            Self::Summary,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
        .unwrap_or(Self::System)
    }
}

/// How an agent's turn went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Ok,
    /// The turn ran past `turn_timeout_secs`; the content is what it said until then.
    TimedOut,
    Failed,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::TimedOut => "timed_out",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Self {
        match raw {
            "ok" => Self::Ok,
            "timed_out" => Self::TimedOut,
            _ => Self::Failed,
        }
    }
}

/// A message of a discussion.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DiscussionMessage {
    pub id: Uuid,
    /// 1, 2, … in the discussion.
    pub seq: i32,
    pub kind: MessageKind,
    /// The agent's name or the person's handle.
    pub speaker: String,
    pub agent_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub content: String,
    /// The `@names` it mentions, in order.
    pub mentions: Vec<String>,
    pub status: MessageStatus,
    /// The agent turn number (agent messages).
    pub turn: Option<i32>,
    pub prompt_tokens: i32,
    pub completion_tokens: i32,
    pub cost: f64,
    pub model: Option<String>,
    pub latency_ms: Option<i32>,
    /// The agent's own conversation in this discussion.
    pub conversation_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A message about to be stored (its seq is assigned under the discussion's row lock).
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    pub kind: Option<MessageKind>,
    pub speaker: String,
    pub agent_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub content: String,
    pub mentions: Vec<String>,
    pub status: Option<MessageStatus>,
    pub turn: Option<i32>,
    pub prompt_tokens: i32,
    pub completion_tokens: i32,
    pub cost: f64,
    pub model: Option<String>,
    pub latency_ms: Option<i32>,
    pub conversation_id: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_fields_are_checked() {
        for s in DiscussionStatus::ALL {
            assert_eq!(DiscussionStatus::parse(s.as_str()), s);
        }
        assert!(DiscussionStatus::Stopped.is_finished());
        assert!(!DiscussionStatus::Waiting.is_finished());
        assert_eq!(
            DiscussionStatus::ended_by(EndReason::Marker),
            DiscussionStatus::Completed
        );
        assert_eq!(
            DiscussionStatus::ended_by(EndReason::Error),
            DiscussionStatus::Failed
        );
        assert!(check_topic("  ").is_err());
        assert!(check_topic(&"x".repeat(2001)).is_err());
        assert_eq!(check_topic(" plan ").unwrap(), "plan");
        assert!(check_text("prompt", "", true).is_ok());
        assert!(check_text("content", "", false).is_err());
        assert!(check_text("content", &"x".repeat(16 * 1024 + 1), false).is_err());
    }
}
