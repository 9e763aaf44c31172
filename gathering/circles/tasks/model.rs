//! Circle task types: the stored task, its status and priority (the original's
//! `low/medium/high/critical`, any case), what creating and changing one takes, a review's
//! verdict, the history of its steps and the conflicts between tasks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use crate::core::error::DomainError;

/// How urgent a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CircleTaskPriority)]
pub enum Priority {
    Low,
    Medium,
    High,
    Critical,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// `low`, `medium`, `high` or `critical`, in any case (the original's spellings).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            "critical" => Some(Self::Critical),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown priority `{raw}`: one of low, medium, high, critical"
            ))
        })
    }
}

/// Where a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CircleTaskStatus)]
pub enum TaskStatus {
    /// Created, not routed yet.
    Open,
    /// Offered to an agent, which decides.
    Offered,
    /// Accepted by its agent.
    Claimed,
    /// Its agent works on it.
    InProgress,
    /// Submitted; a reviewer (an agent, or a person) decides.
    Review,
    /// The reviewer asked for changes: its agent works again (a new iteration).
    ChangesRequested,
    Done,
    /// Nobody would take it, it was rejected, or its steps kept failing: escalated to the
    /// circle's owners.
    Blocked,
}

impl TaskStatus {
    pub const ALL: [Self; 8] = [
        Self::Open,
        Self::Offered,
        Self::Claimed,
        Self::InProgress,
        Self::Review,
        Self::ChangesRequested,
        Self::Done,
        Self::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Offered => "offered",
            Self::Claimed => "claimed",
            Self::InProgress => "in_progress",
            Self::Review => "review",
            Self::ChangesRequested => "changes_requested",
            Self::Done => "done",
            Self::Blocked => "blocked",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                DomainError::invalid(
                    "status",
                    "one of open, offered, claimed, in_progress, review, changes_requested, \
                     done, blocked",
                )
            })
    }

    /// The statuses that count as an agent's load.
    pub const LOAD: [Self; 4] = [
        Self::Claimed,
        Self::InProgress,
        Self::Review,
        Self::ChangesRequested,
    ];
}

/// A stored circle task.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = CircleTask)]
pub struct Task {
    pub id: Uuid,
    pub circle_id: Uuid,
    pub title: String,
    pub description: String,
    pub competencies: Vec<String>,
    pub priority: Priority,
    pub status: TaskStatus,
    /// The agent doing the work (the author of the submission).
    pub assignee_id: Option<Uuid>,
    pub assignee_name: Option<String>,
    /// The agent it is offered to, while it decides.
    pub offered_to: Option<Uuid>,
    pub offered_to_name: Option<String>,
    /// Agents that refused it; it is never offered to them again.
    pub refused_by: Vec<Uuid>,
    /// The agent reviewing the submission; none in review: a person reviews.
    pub reviewer_id: Option<Uuid>,
    pub reviewer_name: Option<String>,
    /// 1, and one more each time changes are requested.
    pub iteration: i32,
    /// The submission: the answer of the agent's work turn.
    pub result: Option<String>,
    /// The reviewer's last note.
    pub review_note: Option<String>,
    /// Files or resources the task touches.
    pub resources: Vec<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One step of a task, as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = CircleTaskStep)]
pub struct HistoryEntry {
    pub id: Uuid,
    /// created, changed, offered, accepted, refused, started, submitted, reviewed, escalated.
    pub step: String,
    pub agent_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// A task with every step it went through.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = CircleTaskDetail)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: Task,
    pub history: Vec<HistoryEntry>,
}

/// Two agents' tasks on the same resource.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = CircleConflict)]
pub struct Conflict {
    pub id: Uuid,
    pub circle_id: Uuid,
    pub resource: String,
    pub task_ids: Vec<Uuid>,
    pub agent_ids: Vec<Uuid>,
    pub detected_at: DateTime<Utc>,
    /// Set when one of the tasks is done or blocked.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// `POST /api/circles/{name}/tasks`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewCircleTask)]
pub struct NewTask {
    /// 1 to 200 characters.
    pub title: String,
    /// At most 16 KiB.
    #[serde(default)]
    pub description: String,
    /// What the work needs; the facilitator routes by them.
    #[serde(default)]
    pub competencies: Vec<String>,
    /// low, medium (the default), high or critical, in any case.
    #[schema(value_type = Option<String>)]
    pub priority: Option<Priority>,
    /// Files or resources the task touches.
    #[serde(default)]
    pub resources: Vec<String>,
}

/// `PATCH /api/circles/{name}/tasks/{id}` (an open task): what is given changes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CircleTaskPatch)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    #[schema(value_type = Option<String>)]
    pub priority: Option<Priority>,
    pub competencies: Option<Vec<String>>,
    pub resources: Option<Vec<String>>,
}

/// What a reviewer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = CircleReviewVerdict)]
pub enum Verdict {
    /// Done.
    Approve,
    /// Back to its agent with the note: a new iteration.
    Changes,
    /// Blocked and escalated to the circle's owners.
    Reject,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Changes => "changes",
            Self::Reject => "reject",
        }
    }
}

/// `POST …/tasks/{id}/review`: a person's review.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CircleTaskReview)]
pub struct Review {
    pub verdict: Verdict,
    /// Why; what to change (at most 16 KiB).
    #[serde(default)]
    pub note: String,
}

/// The longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest description, result or note, in bytes.
pub const MAX_TEXT: usize = 16 * 1024;

pub fn check_title(raw: &str) -> Result<String, DomainError> {
    let title = raw.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE || title.chars().any(char::is_control)
    {
        return Err(DomainError::invalid(
            "title",
            format!("1 to {MAX_TITLE} printable characters"),
        ));
    }
    Ok(title.to_owned())
}

pub fn check_text(field: &str, raw: &str) -> Result<String, DomainError> {
    if raw.len() > MAX_TEXT || raw.contains('\0') {
        return Err(DomainError::invalid(
            field,
            format!("at most {MAX_TEXT} bytes, no NUL"),
        ));
    }
    Ok(raw.to_owned())
}

/// Resources: at most 64, each 1 to 500 characters, trimmed, without duplicates (their case
/// kept: paths are case-sensitive).
pub fn check_resources(raw: &[String]) -> Result<Vec<String>, DomainError> {
    if raw.len() > 64 {
        return Err(DomainError::invalid("resources", "at most 64"));
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for r in raw {
        let r = r.trim();
        if r.is_empty() || r.chars().count() > 500 || r.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                "resources",
                "each 1 to 500 printable characters",
            ));
        }
        if !out.iter().any(|o| o == r) {
            out.push(r.to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_are_read_in_any_case_and_nothing_else() {
        for (raw, p) in [
            ("low", Priority::Low),
            ("MEDIUM", Priority::Medium),
            ("High", Priority::High),
            ("critical", Priority::Critical),
        ] {
            let parsed: Priority = serde_json::from_value(serde_json::json!(raw)).unwrap();
            assert_eq!(parsed, p);
        }
        let err = serde_json::from_value::<Priority>(serde_json::json!("urgent")).unwrap_err();
        assert!(err.to_string().contains("low, medium, high, critical"));
    }

    #[test]
    fn fields_are_checked() {
        assert!(check_title("  ").is_err());
        assert!(check_title(&"x".repeat(201)).is_err());
        assert_eq!(check_title(" Fix it ").unwrap(), "Fix it");
        assert!(check_text("description", &"x".repeat(MAX_TEXT + 1)).is_err());
        assert_eq!(
            check_resources(&["src/a.rs".into(), " src/a.rs ".into()]).unwrap(),
            vec!["src/a.rs"]
        );
        assert!(TaskStatus::parse("in_progress").is_ok());
        assert!(TaskStatus::parse("nope").is_err());
    }
}
