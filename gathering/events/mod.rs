//! The one event bus. An [`Event`] has a closed [`EventType`] (dotted names), the ids it is
//! about ([`Scope`]), the actor and a JSON payload. Events that describe a state change are
//! written to the outbox (`outbox.rs`) in the transaction of the change, numbered by a gap-free
//! commit-ordered `seq`, and published after commit by the relay (`relay.rs`) on every
//! instance; the in-process [`bus::Bus`] fans them out to subscribers that never block a
//! publisher and are told when they lag.
//!
//! Below `auth` in the layering: who may see an event ([`Event::visible_to`]) or subscribe to a
//! topic (`topic.rs`) is decided from a user id and a `core::identity::Role`. Start with
//! [`EventType`] and [`NewEvent`], then `outbox.rs` and `relay.rs`.

pub mod bus;
pub mod causation;
pub mod outbox;
pub mod relay;
pub mod settings;
pub mod topic;

pub use settings::Settings;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Every event type there is. Adding one is fine; renaming one breaks subscribers.
/// `docs/events.md` lists each with its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    UserCreated,
    UserRegistered,
    UserUpdated,
    ApiKeyCreated,
    ApiKeyRevoked,
    LlmProviderCreated,
    LlmProviderUpdated,
    LlmProviderDeleted,
    LlmModelCreated,
    LlmModelUpdated,
    LlmModelDeleted,
    PersonaCreated,
    PersonaUpdated,
    PersonaDeleted,
    AgentCreated,
    AgentUpdated,
    AgentDeleted,
    AgentStream,
    ConversationCreated,
    ConversationMessage,
    ConversationTurnCompleted,
    ConversationDeleted,
    ToolCalled,
    ToolRefused,
    McpServerCreated,
    McpServerUpdated,
    McpServerDeleted,
    PipelineCreated,
    PipelineUpdated,
    PipelineDeleted,
    PipelineRunCreated,
    PipelineRunStarted,
    PipelineRunResumed,
    PipelineRunWaiting,
    PipelineRunRunning,
    PipelineRunCompleted,
    PipelineRunFailed,
    PipelineRunCancelled,
    PipelineRunTimeout,
    PipelineRunCancelRequested,
    PipelineNodeStarted,
    PipelineNodeCompleted,
    PipelineNodeFailed,
    PipelineNodeSkipped,
    PipelineNodeRetrying,
    PipelineNodeWaiting,
    PipelineNodeDecided,
    PipelineNodeCancelled,
    PipelineBreakerChanged,
    ScheduleCreated,
    ScheduleUpdated,
    ScheduleDeleted,
    SchedulePaused,
    ScheduleResumed,
    ScheduleTriggered,
    ScheduleFired,
    ScheduleSkipped,
    ScheduleMissed,
    ScheduleStarted,
    ScheduleRetrying,
    ScheduleCompleted,
    ScheduleFailed,
    NotificationCreated,
    MemoryCreated,
    MemoryUpdated,
    MemoryDeleted,
    MemoryPurged,
    MemoryLinked,
    MemoryEmbeddingChanged,
    MemoryEmbeddingProgress,
    KnowledgeCollectionCreated,
    KnowledgeCollectionUpdated,
    KnowledgeCollectionDeleted,
    KnowledgeDocumentIngested,
    KnowledgeDocumentDeleted,
    CircleCreated,
    CircleUpdated,
    CircleArchived,
    CircleMemberAdded,
    CircleMemberUpdated,
    CircleMemberRemoved,
    CircleDiscussionCreated,
    CircleDiscussionStarted,
    CircleDiscussionChanged,
    CircleTurnStarted,
    CircleMessage,
    CircleStream,
    CircleDiscussionEnded,
    CircleSummary,
    CircleTaskCreated,
    CircleTaskOffered,
    CircleTaskAccepted,
    CircleTaskRefused,
    CircleTaskStarted,
    CircleTaskSubmitted,
    CircleTaskReviewed,
    CircleTaskChanged,
    CircleTaskEscalated,
    CircleConflictDetected,
}

/// The wire name of each type.
const EVENT_TYPES: &[(EventType, &str)] = &[
    (EventType::UserCreated, "user.created"),
    (EventType::UserRegistered, "user.registered"),
    (EventType::UserUpdated, "user.updated"),
    (EventType::ApiKeyCreated, "api_key.created"),
    (EventType::ApiKeyRevoked, "api_key.revoked"),
    (EventType::LlmProviderCreated, "llm_provider.created"),
    (EventType::LlmProviderUpdated, "llm_provider.updated"),
    (EventType::LlmProviderDeleted, "llm_provider.deleted"),
    (EventType::LlmModelCreated, "llm_model.created"),
    (EventType::LlmModelUpdated, "llm_model.updated"),
    (EventType::LlmModelDeleted, "llm_model.deleted"),
    (EventType::PersonaCreated, "persona.created"),
    (EventType::PersonaUpdated, "persona.updated"),
    (EventType::PersonaDeleted, "persona.deleted"),
    (EventType::AgentCreated, "agent.created"),
    (EventType::AgentUpdated, "agent.updated"),
    (EventType::AgentDeleted, "agent.deleted"),
    (EventType::AgentStream, "agent.stream"),
    (EventType::ConversationCreated, "conversation.created"),
    (EventType::ConversationMessage, "conversation.message"),
    (
        EventType::ConversationTurnCompleted,
        "conversation.turn_completed",
    ),
    (EventType::ConversationDeleted, "conversation.deleted"),
    (EventType::ToolCalled, "tool.called"),
    (EventType::ToolRefused, "tool.refused"),
    (EventType::McpServerCreated, "mcp_server.created"),
    (EventType::McpServerUpdated, "mcp_server.updated"),
    (EventType::McpServerDeleted, "mcp_server.deleted"),
    (EventType::PipelineCreated, "pipeline.created"),
    (EventType::PipelineUpdated, "pipeline.updated"),
    (EventType::PipelineDeleted, "pipeline.deleted"),
    (EventType::PipelineRunCreated, "pipeline_run.created"),
    (EventType::PipelineRunStarted, "pipeline_run.started"),
    (EventType::PipelineRunResumed, "pipeline_run.resumed"),
    (EventType::PipelineRunWaiting, "pipeline_run.waiting"),
    (EventType::PipelineRunRunning, "pipeline_run.running"),
    (EventType::PipelineRunCompleted, "pipeline_run.completed"),
    (EventType::PipelineRunFailed, "pipeline_run.failed"),
    (EventType::PipelineRunCancelled, "pipeline_run.cancelled"),
    (EventType::PipelineRunTimeout, "pipeline_run.timeout"),
    (
        EventType::PipelineRunCancelRequested,
        "pipeline_run.cancel_requested",
    ),
    (EventType::PipelineNodeStarted, "pipeline_node.started"),
    (EventType::PipelineNodeCompleted, "pipeline_node.completed"),
    (EventType::PipelineNodeFailed, "pipeline_node.failed"),
    (EventType::PipelineNodeSkipped, "pipeline_node.skipped"),
    (EventType::PipelineNodeRetrying, "pipeline_node.retrying"),
    (EventType::PipelineNodeWaiting, "pipeline_node.waiting"),
    (EventType::PipelineNodeDecided, "pipeline_node.decided"),
    (EventType::PipelineNodeCancelled, "pipeline_node.cancelled"),
    (
        EventType::PipelineBreakerChanged,
        "pipeline_breaker.changed",
    ),
    (EventType::ScheduleCreated, "schedule.created"),
    (EventType::ScheduleUpdated, "schedule.updated"),
    (EventType::ScheduleDeleted, "schedule.deleted"),
    (EventType::SchedulePaused, "schedule.paused"),
    (EventType::ScheduleResumed, "schedule.resumed"),
    (EventType::ScheduleTriggered, "schedule.triggered"),
    (EventType::ScheduleFired, "schedule.fired"),
    (EventType::ScheduleSkipped, "schedule.skipped"),
    (EventType::ScheduleMissed, "schedule.missed"),
    (EventType::ScheduleStarted, "schedule.started"),
    (EventType::ScheduleRetrying, "schedule.retrying"),
    (EventType::ScheduleCompleted, "schedule.completed"),
    (EventType::ScheduleFailed, "schedule.failed"),
    (EventType::NotificationCreated, "notification.created"),
    (EventType::MemoryCreated, "memory.created"),
    (EventType::MemoryUpdated, "memory.updated"),
    (EventType::MemoryDeleted, "memory.deleted"),
    (EventType::MemoryPurged, "memory.purged"),
    (EventType::MemoryLinked, "memory.linked"),
    (
        EventType::MemoryEmbeddingChanged,
        "memory.embedding_changed",
    ),
    (
        EventType::MemoryEmbeddingProgress,
        "memory.embedding_progress",
    ),
    (
        EventType::KnowledgeCollectionCreated,
        "knowledge.collection_created",
    ),
    (
        EventType::KnowledgeCollectionUpdated,
        "knowledge.collection_updated",
    ),
    (
        EventType::KnowledgeCollectionDeleted,
        "knowledge.collection_deleted",
    ),
    (
        EventType::KnowledgeDocumentIngested,
        "knowledge.document_ingested",
    ),
    (
        EventType::KnowledgeDocumentDeleted,
        "knowledge.document_deleted",
    ),
    (EventType::CircleCreated, "circle.created"),
    (EventType::CircleUpdated, "circle.updated"),
    (EventType::CircleArchived, "circle.archived"),
    (EventType::CircleMemberAdded, "circle.member_added"),
    (EventType::CircleMemberUpdated, "circle.member_updated"),
    (EventType::CircleMemberRemoved, "circle.member_removed"),
    (
        EventType::CircleDiscussionCreated,
        "circle.discussion_created",
    ),
    (
        EventType::CircleDiscussionStarted,
        "circle.discussion_started",
    ),
    (
        EventType::CircleDiscussionChanged,
        "circle.discussion_changed",
    ),
    (EventType::CircleTurnStarted, "circle.turn_started"),
    (EventType::CircleMessage, "circle.message"),
    (EventType::CircleStream, "circle.stream"),
    (EventType::CircleDiscussionEnded, "circle.discussion_ended"),
    (EventType::CircleSummary, "circle.summary"),
    (EventType::CircleTaskCreated, "circle.task_created"),
    (EventType::CircleTaskOffered, "circle.task_offered"),
    (EventType::CircleTaskAccepted, "circle.task_accepted"),
    (EventType::CircleTaskRefused, "circle.task_refused"),
    (EventType::CircleTaskStarted, "circle.task_started"),
    (EventType::CircleTaskSubmitted, "circle.task_submitted"),
    (EventType::CircleTaskReviewed, "circle.task_reviewed"),
    (EventType::CircleTaskChanged, "circle.task_changed"),
    (EventType::CircleTaskEscalated, "circle.task_escalated"),
    (
        EventType::CircleConflictDetected,
        "circle.conflict_detected",
    ),
];

impl EventType {
    pub fn as_str(self) -> &'static str {
        EVENT_TYPES
            .iter()
            .find(|(t, _)| *t == self)
            .map(|(_, name)| *name)
            .expect("every EventType has a name")
    }

    pub fn all() -> impl Iterator<Item = EventType> {
        EVENT_TYPES.iter().map(|(t, _)| *t)
    }
}

impl std::str::FromStr for EventType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EVENT_TYPES
            .iter()
            .find(|(_, name)| *name == s)
            .map(|(t, _)| *t)
            .ok_or_else(|| format!("unknown event type `{s}`"))
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// The ids an event is about; subscribers filter on them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub circle_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<Uuid>,
}

impl Scope {
    /// The scope of an event about one user.
    pub fn user(user_id: Uuid) -> Self {
        Self {
            user_id: Some(user_id),
            ..Self::default()
        }
    }

    /// Whether every id set in `wanted` is the same here.
    pub fn matches(&self, wanted: &Scope) -> bool {
        let same = |want: Option<Uuid>, have: Option<Uuid>| want.is_none() || want == have;
        same(wanted.user_id, self.user_id)
            && same(wanted.circle_id, self.circle_id)
            && same(wanted.agent_id, self.agent_id)
            && same(wanted.conversation_id, self.conversation_id)
            && same(wanted.pipeline_id, self.pipeline_id)
            && same(wanted.run_id, self.run_id)
            && same(wanted.workspace_id, self.workspace_id)
            && same(wanted.schedule_id, self.schedule_id)
    }
}

/// An event as subscribers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the outbox: commit order, for resuming. `None` for ephemeral events, which
    /// are never stored and cannot be replayed.
    pub seq: Option<i64>,
    pub id: Uuid,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub ts: DateTime<Utc>,
    pub scope: Scope,
    /// Who caused it; `None` for the system.
    pub actor: Option<Uuid>,
    pub data: serde_json::Value,
}

/// A circle the viewer belongs to (or, for an admin, any circle): its events are visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircleRef {
    pub id: Uuid,
    pub name: String,
}

/// Who is looking at events: a user, their role, and the circles they are a member of
/// (loaded by `circles::Circles::viewer`; empty until then, which only hides circle events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: Uuid,
    pub role: crate::core::identity::Role,
    pub circles: Vec<CircleRef>,
}

impl Viewer {
    /// A viewer who belongs to no circle.
    pub fn new(user_id: Uuid, role: crate::core::identity::Role) -> Self {
        Self {
            user_id,
            role,
            circles: Vec::new(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == crate::core::identity::Role::Admin
    }

    /// The circle named `name`, when the viewer belongs to it.
    pub fn circle(&self, name: &str) -> Option<&CircleRef> {
        self.circles.iter().find(|c| c.name == name)
    }

    fn in_circle(&self, id: Uuid) -> bool {
        self.circles.iter().any(|c| c.id == id)
    }
}

impl Event {
    /// Whether `viewer` may see this event: admins see everything; others see events about
    /// themselves (`scope.user_id`) and the events of the circles they belong to (a
    /// `scope.circle_id` without a `user_id`).
    pub fn visible_to(&self, viewer: &Viewer) -> bool {
        viewer.is_admin()
            || self.scope.user_id == Some(viewer.user_id)
            || (self.scope.user_id.is_none()
                && self.scope.circle_id.is_some_and(|c| viewer.in_circle(c)))
    }
}

/// An event about to be written or published.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_type: EventType,
    pub scope: Scope,
    pub actor: Option<Uuid>,
    pub data: serde_json::Value,
}

impl NewEvent {
    pub fn new(event_type: EventType, scope: Scope, actor: Option<Uuid>) -> Self {
        Self {
            event_type,
            scope,
            actor,
            data: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn data(mut self, data: serde_json::Value) -> Self {
        self.data = data;
        self
    }

    /// This event as published without the outbox (no `seq`).
    pub fn ephemeral(self) -> Event {
        Event {
            seq: None,
            id: Uuid::now_v7(),
            event_type: self.event_type,
            ts: Utc::now(),
            scope: self.scope,
            actor: self.actor,
            data: self.data,
        }
    }
}

/// A subscription pattern over type names: `*` (everything), `pipeline_run.*` (a family) or
/// an exact name. Parsed once; unknown names and families are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypePattern {
    All,
    Family(String),
    Exact(EventType),
}

impl TypePattern {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw == "*" {
            return Ok(Self::All);
        }
        if let Some(family) = raw.strip_suffix(".*") {
            let prefix = format!("{family}.");
            if EventType::all().any(|t| t.as_str().starts_with(&prefix)) {
                return Ok(Self::Family(prefix));
            }
            return Err(format!("no event types match `{raw}`"));
        }
        raw.parse().map(Self::Exact)
    }

    pub fn matches(&self, event_type: EventType) -> bool {
        match self {
            Self::All => true,
            Self::Family(prefix) => event_type.as_str().starts_with(prefix.as_str()),
            Self::Exact(t) => *t == event_type,
        }
    }
}

/// What a subscriber wants: any of the type patterns (all types when empty), within a scope.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub types: Vec<TypePattern>,
    pub scope: Scope,
}

impl Filter {
    pub fn matches(&self, event: &Event) -> bool {
        (self.types.is_empty() || self.types.iter().any(|p| p.matches(event.event_type)))
            && event.scope.matches(&self.scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_unique_dotted_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for t in EventType::all() {
            let name = t.as_str();
            assert!(seen.insert(name), "duplicate {name}");
            assert!(
                name.contains('.')
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{name}"
            );
            assert_eq!(name.parse::<EventType>().unwrap(), t);
        }
    }

    #[test]
    fn patterns_match_families_and_exact_names_and_refuse_unknowns() {
        let family = TypePattern::parse("user.*").unwrap();
        assert!(family.matches(EventType::UserCreated));
        assert!(!family.matches(EventType::ApiKeyCreated));
        assert!(
            TypePattern::parse("*")
                .unwrap()
                .matches(EventType::ApiKeyRevoked)
        );
        assert_eq!(
            TypePattern::parse("api_key.created").unwrap(),
            TypePattern::Exact(EventType::ApiKeyCreated)
        );
        assert!(TypePattern::parse("nope.*").is_err());
        assert!(TypePattern::parse("user.deleted").is_err());
    }

    #[test]
    fn scopes_match_when_every_wanted_id_is_equal() {
        let a = Uuid::now_v7();
        let event = Scope {
            user_id: Some(a),
            ..Scope::default()
        };
        assert!(event.matches(&Scope::default()));
        assert!(event.matches(&Scope {
            user_id: Some(a),
            ..Scope::default()
        }));
        assert!(!event.matches(&Scope {
            user_id: Some(Uuid::now_v7()),
            ..Scope::default()
        }));
        assert!(!event.matches(&Scope {
            circle_id: Some(a),
            ..Scope::default()
        }));
    }
}
