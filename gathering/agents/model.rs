//! Agent types: the stored agent, what creating and changing one takes, and the name rule.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::core::error::DomainError;
use crate::core::identity::Role;

/// `^[a-z0-9][a-z0-9-]{0,62}$`: what `agent:<name>` on `/v1` and the database accept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgentName(String);

impl AgentName {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let ok = !raw.is_empty()
            && raw.len() <= 63
            && raw
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::invalid(
                "name",
                "1 to 63 of lower-case letters, digits and -, starting with a letter or digit",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AgentStatus {
    /// Answers chats.
    Active,
    /// Kept, but refuses chats.
    Disabled,
}

impl AgentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStatus::Active => "active",
            AgentStatus::Disabled => "disabled",
        }
    }
}

/// A stored agent.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Agent {
    pub id: Uuid,
    pub name: String,
    pub persona_id: Uuid,
    pub persona_name: String,
    /// A chat model of the registry.
    pub model: String,
    /// Added to the persona's prompt.
    pub prompt_addition: String,
    /// Overrides the persona's temperature.
    pub temperature: Option<f32>,
    /// Overrides the server's default answer length.
    pub max_tokens: Option<i32>,
    /// Tools this agent may call.
    pub tools: Vec<String>,
    /// How many rounds of tool calls one turn may make.
    pub max_tool_iterations: i32,
    /// The most tokens of memories a turn's prompt holds (0: no memories in the prompt).
    pub memory_budget_tokens: i32,
    /// The least relevance (cosine similarity, 0 to 1) a memory needs to be given to a turn; a
    /// memory found by keywords only is given only at 0.
    pub memory_threshold: f32,
    /// Whether the agent's model extracts memories from each finished turn.
    pub extract_memories: bool,
    pub status: AgentStatus,
    pub owner_id: Uuid,
    /// The owner's role (dangerous tools need an admin-owned agent).
    #[serde(skip)]
    pub owner_role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Agent {
    /// How this agent uses memories.
    pub fn memory(&self) -> MemoryUse {
        MemoryUse {
            budget_tokens: self.memory_budget_tokens,
            threshold: self.memory_threshold,
            extract: self.extract_memories,
        }
    }
}

/// `POST /api/agents`: an agent from a persona; everything but the name and persona defaults
/// (the model to the persona's `default_model`, else the server's; the tools to the persona's
/// `allowed_skills`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub name: String,
    pub persona_id: Uuid,
    pub model: Option<String>,
    pub prompt_addition: Option<String>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<i32>,
    pub tools: Option<Vec<String>>,
    pub max_tool_iterations: Option<i32>,
    /// 0 to 8192; default 512.
    pub memory_budget_tokens: Option<i32>,
    /// 0 to 1; default 0.
    pub memory_threshold: Option<f32>,
    /// Default false.
    pub extract_memories: Option<bool>,
}

/// `PATCH /api/agents/{id}`: the fields to change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentPatch {
    pub name: Option<String>,
    pub persona_id: Option<Uuid>,
    pub model: Option<String>,
    pub prompt_addition: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f32>)]
    pub temperature: Option<Option<f32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub max_tokens: Option<Option<i32>>,
    pub tools: Option<Vec<String>>,
    pub max_tool_iterations: Option<i32>,
    pub memory_budget_tokens: Option<i32>,
    pub memory_threshold: Option<f32>,
    pub extract_memories: Option<bool>,
    pub status: Option<AgentStatus>,
}

/// A present field (`null` included) is `Some`: `Some(None)` clears it.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// How an agent uses memories.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryUse {
    pub budget_tokens: i32,
    pub threshold: f32,
    pub extract: bool,
}

impl Default for MemoryUse {
    fn default() -> Self {
        Self {
            budget_tokens: 512,
            threshold: 0.0,
            extract: false,
        }
    }
}

impl MemoryUse {
    /// The largest `memory_budget_tokens`.
    pub const MAX_BUDGET_TOKENS: i32 = 8192;

    /// Checks the bounds (what the database's checks would refuse, named for the caller).
    pub fn check(&self) -> Result<(), DomainError> {
        if !(0..=Self::MAX_BUDGET_TOKENS).contains(&self.budget_tokens) {
            return Err(DomainError::invalid(
                "memory_budget_tokens",
                "must be 0 (no memories in the prompt) to 8192",
            ));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(DomainError::invalid(
                "memory_threshold",
                "must be 0 to 1 (the least cosine similarity a memory needs)",
            ));
        }
        Ok(())
    }
}

/// Checks the numeric fields and the prompt addition of an agent about to be stored.
pub fn check_settings(
    temperature: Option<f32>,
    max_tokens: Option<i32>,
    max_tool_iterations: i32,
    prompt_addition: &str,
) -> Result<(), DomainError> {
    if let Some(t) = temperature
        && !(0.0..=2.0).contains(&t)
    {
        return Err(DomainError::invalid("temperature", "must be 0 to 2"));
    }
    if let Some(m) = max_tokens
        && !(1..=32768).contains(&m)
    {
        return Err(DomainError::invalid("max_tokens", "must be 1 to 32768"));
    }
    if !(0..=20).contains(&max_tool_iterations) {
        return Err(DomainError::invalid(
            "max_tool_iterations",
            "must be 0 to 20",
        ));
    }
    if prompt_addition.len() > 16384 {
        return Err(DomainError::invalid(
            "prompt_addition",
            "at most 16384 bytes",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rule() {
        for good in ["a", "reviewer-2", "0x"] {
            assert!(AgentName::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "-a", "A", "a b", "a_b", &"a".repeat(64)] {
            assert!(AgentName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn settings_are_bounded() {
        assert!(check_settings(Some(0.7), Some(100), 5, "").is_ok());
        assert!(check_settings(Some(2.5), None, 5, "").is_err());
        assert!(check_settings(None, Some(0), 5, "").is_err());
        assert!(check_settings(None, None, 21, "").is_err());
    }

    #[test]
    fn memory_settings_are_bounded() {
        assert!(MemoryUse::default().check().is_ok());
        let with = |budget_tokens, threshold| MemoryUse {
            budget_tokens,
            threshold,
            extract: false,
        };
        assert!(with(0, 0.0).check().is_ok());
        assert!(with(8192, 1.0).check().is_ok());
        for (bad, field) in [
            (with(-1, 0.0), "memory_budget_tokens"),
            (with(8193, 0.0), "memory_budget_tokens"),
            (with(512, -0.1), "memory_threshold"),
            (with(512, 1.5), "memory_threshold"),
            (with(512, f32::NAN), "memory_threshold"),
        ] {
            let e = bad.check().unwrap_err();
            assert!(
                matches!(&e, DomainError::Invalid { field: f, .. } if f == field),
                "{e:?}"
            );
        }
    }
}
