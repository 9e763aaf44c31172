//! Circle types: the stored circle, its settings, its members (agents and people) and their
//! roles, what creating and changing them takes, and the name rules.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::core::error::DomainError;

/// `^[a-z0-9][a-z0-9-]{0,62}$`: a circle's name, unique and URL-safe (`/ws/circles/{name}`);
/// it never changes, so topics and links stay valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CircleName(String);

impl CircleName {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if slug(raw, false) {
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

/// `^[a-z0-9][a-z0-9-_.]{0,62}$`: how a circle addresses a person (`@handle`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Handle(String);

impl Handle {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if slug(raw, true) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::invalid(
                "handle",
                "1 to 63 of lower-case letters, digits, -, _ and ., starting with a letter or digit",
            ))
        }
    }

    /// A handle made from a display name or an email: lower-cased, other characters dropped.
    pub fn suggest(from: &str) -> Self {
        let local = from.split('@').next().unwrap_or_default();
        let mut s: String = local
            .to_lowercase()
            .chars()
            .map(|c| if c.is_whitespace() { '-' } else { c })
            .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(*c))
            .skip_while(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
            .take(40)
            .collect();
        if s.is_empty() {
            s.push_str("person");
        }
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn slug(raw: &str, dots: bool) -> bool {
    let extra = if dots { "-_." } else { "-" };
    !raw.is_empty()
        && raw.len() <= 63
        && raw
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(c))
}

/// What an agent does in a circle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentRole {
    Lead,
    Member,
    Specialist,
    Reviewer,
    /// Listens (reads the circle's memories) but is never given a turn or a task.
    Observer,
}

impl AgentRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Member => "member",
            Self::Specialist => "specialist",
            Self::Reviewer => "reviewer",
            Self::Observer => "observer",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(|_| {
            DomainError::invalid(
                "role",
                "one of lead, member, specialist, reviewer, observer",
            )
        })
    }
}

/// What a person is in a circle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// Manages the circle and its members; takes part.
    Owner,
    /// Starts and steers discussions, posts, creates tasks.
    Participant,
    /// Reads everything, changes nothing.
    Observer,
}

impl PersonRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Participant => "participant",
            Self::Observer => "observer",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned()))
            .map_err(|_| DomainError::invalid("role", "one of owner, participant, observer"))
    }
}

/// A circle's settings: the defaults of its discussions and its task policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CircleSettings {
    /// The mode a discussion takes when it names none: round_robin, mention, free,
    /// facilitator, selector or manual.
    pub default_mode: String,
    /// The turns a discussion takes at most when it sets no limit (1 to 500).
    pub max_turns: u32,
    /// Seconds one agent turn may take before it is recorded as timed out (1 to 3600).
    pub turn_timeout_secs: u64,
    /// Whether submitted task results go to a reviewer agent before they are done.
    pub review_required: bool,
}

impl Default for CircleSettings {
    fn default() -> Self {
        Self {
            default_mode: "round_robin".into(),
            max_turns: 12,
            turn_timeout_secs: 120,
            review_required: true,
        }
    }
}

/// The names of the discussion modes (the discussion module owns their meaning).
pub const MODES: &[&str] = &[
    "round_robin",
    "mention",
    "free",
    "facilitator",
    "selector",
    "manual",
];

impl CircleSettings {
    pub fn check(&self) -> Result<(), DomainError> {
        if !MODES.contains(&self.default_mode.as_str()) {
            return Err(DomainError::invalid(
                "settings.default_mode",
                format!("one of {}", MODES.join(", ")),
            ));
        }
        if !(1..=500).contains(&self.max_turns) {
            return Err(DomainError::invalid(
                "settings.max_turns",
                "between 1 and 500",
            ));
        }
        if !(1..=3600).contains(&self.turn_timeout_secs) {
            return Err(DomainError::invalid(
                "settings.turn_timeout_secs",
                "between 1 and 3600",
            ));
        }
        Ok(())
    }
}

/// A stored circle.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Circle {
    pub id: Uuid,
    pub name: String,
    pub purpose: String,
    pub owner_id: Uuid,
    pub settings: CircleSettings,
    /// Set when archived: the history stays, nothing new starts.
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An agent in a circle.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AgentMember {
    pub agent_id: Uuid,
    /// The agent's name: how it is addressed (`@name`).
    pub name: String,
    pub role: AgentRole,
    pub competencies: Vec<String>,
    /// What it may review; empty: anything.
    pub reviews: Vec<String>,
    pub owner_id: Uuid,
    pub added_at: DateTime<Utc>,
}

/// A person in a circle.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PersonMember {
    pub user_id: Uuid,
    pub handle: String,
    pub display_name: String,
    pub role: PersonRole,
    pub added_at: DateTime<Utc>,
}

/// A circle with its members, and what the caller is in it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CircleDetail {
    #[serde(flatten)]
    pub circle: Circle,
    pub agents: Vec<AgentMember>,
    pub people: Vec<PersonMember>,
    /// The caller's role in the circle; none for an admin who is not a member.
    pub my_role: Option<PersonRole>,
}

/// `POST /api/circles`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCircle {
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub settings: Option<CircleSettings>,
}

/// `PATCH /api/circles/{name}`: what is given changes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CirclePatch {
    pub purpose: Option<String>,
    pub settings: Option<CircleSettings>,
}

/// `PUT /api/circles/{name}/agents/{agent}`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentMembership {
    pub role: AgentRole,
    #[serde(default)]
    pub competencies: Vec<String>,
    #[serde(default)]
    pub reviews: Vec<String>,
}

/// `PUT /api/circles/{name}/people/{user_id}`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonMembership {
    pub role: PersonRole,
    /// How the circle addresses them; made from their display name when left out.
    pub handle: Option<String>,
}

/// The longest purpose.
pub const MAX_PURPOSE: usize = 4000;

pub fn check_purpose(raw: &str) -> Result<String, DomainError> {
    let purpose = raw.trim();
    if purpose.chars().count() > MAX_PURPOSE || purpose.contains('\0') {
        return Err(DomainError::invalid(
            "purpose",
            format!("at most {MAX_PURPOSE} characters, no NUL"),
        ));
    }
    Ok(purpose.to_owned())
}

/// Competencies and review subjects: at most 32, each 1 to 64 characters, trimmed, lower-cased,
/// without duplicates.
pub fn check_labels(field: &str, raw: &[String]) -> Result<Vec<String>, DomainError> {
    if raw.len() > 32 {
        return Err(DomainError::invalid(field, "at most 32"));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for label in raw {
        let label = label.trim().to_lowercase();
        if label.is_empty() || label.chars().count() > 64 || label.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                field,
                "each 1 to 64 printable characters",
            ));
        }
        if !out.contains(&label) {
            out.push(label);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_handles_and_labels_are_checked() {
        assert!(CircleName::parse("design-review").is_ok());
        for bad in ["", "-x", "Design", "a b", "a_b", &"x".repeat(64)] {
            assert!(CircleName::parse(bad).is_err(), "{bad}");
        }
        assert!(Handle::parse("ana.b_c").is_ok());
        assert_eq!(Handle::suggest("Ana Lopez").as_str(), "ana-lopez");
        assert_eq!(Handle::suggest("bob@example.org").as_str(), "bob");
        assert_eq!(Handle::suggest("!!!").as_str(), "person");
        assert!(Handle::parse(Handle::suggest("  Élodie ").as_str()).is_ok());
        assert_eq!(
            check_labels("c", &[" Rust ".into(), "rust".into()]).unwrap(),
            vec!["rust"]
        );
        assert!(check_labels("c", &["".into()]).is_err());
        assert!(CircleSettings::default().check().is_ok());
        let bad = CircleSettings {
            default_mode: "chaos".into(),
            ..CircleSettings::default()
        };
        assert!(bad.check().is_err());
    }
}
