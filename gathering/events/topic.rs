//! Topics a live client subscribes to (WebSocket and SSE), what each one matches, and who may
//! subscribe. Per-event visibility ([`super::Event::visible_to`]) is applied on top, so a topic
//! never shows more than `/api/events` would.

use std::fmt;

use uuid::Uuid;

use super::{Event, Viewer};
use crate::core::identity::Role;

/// One subscription target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// `events`: every event the subscriber may see.
    Everything,
    /// `users/{id}`: events about one user (themselves, or anyone for an admin).
    User(Uuid),
    /// `circles/{name}`.
    Circle(String),
    /// `agents/{id}`.
    Agent(Uuid),
    /// `workspace/{id}`.
    Workspace(Uuid),
    /// `pipelines/{id}`.
    Pipeline(Uuid),
}

/// Why a subscription was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopicError {
    #[error(
        "`{0}` is not a topic (events, users/ID, circles/NAME, agents/ID, workspace/ID, pipelines/ID)"
    )]
    Invalid(String),
    #[error("you may not subscribe to `{0}`")]
    Forbidden(String),
}

impl Topic {
    pub fn parse(raw: &str) -> Result<Self, TopicError> {
        let invalid = || TopicError::Invalid(raw.chars().take(100).collect());
        let raw = raw.trim();
        if raw == "events" {
            return Ok(Self::Everything);
        }
        let (kind, rest) = raw.split_once('/').ok_or_else(invalid)?;
        let id = || Uuid::parse_str(rest).map_err(|_| invalid());
        match kind {
            "users" => Ok(Self::User(id()?)),
            "agents" => Ok(Self::Agent(id()?)),
            "workspace" => Ok(Self::Workspace(id()?)),
            "pipelines" => Ok(Self::Pipeline(id()?)),
            "circles"
                if !rest.is_empty()
                    && rest.len() <= 100
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) =>
            {
                Ok(Self::Circle(rest.to_owned()))
            }
            _ => Err(invalid()),
        }
    }

    /// Whether `event` belongs to this topic, as `viewer` sees it (a circle's events are those
    /// naming it, and those scoped to its id when the viewer knows the circle).
    pub fn matches(&self, event: &Event, viewer: &Viewer) -> bool {
        let scope = &event.scope;
        match self {
            Self::Everything => true,
            Self::User(id) => scope.user_id == Some(*id),
            Self::Agent(id) => scope.agent_id == Some(*id),
            Self::Workspace(id) => scope.workspace_id == Some(*id),
            Self::Pipeline(id) => scope.pipeline_id == Some(*id),
            Self::Circle(name) => {
                event.data.get("circle").and_then(|c| c.as_str()) == Some(name)
                    || viewer
                        .circle(name)
                        .is_some_and(|c| scope.circle_id == Some(c.id))
            }
        }
    }

    /// Whether `viewer` may subscribe. A circle's topic is its members' (and admins'); a
    /// workspace has no owners or members yet (it arrives with its issue), so until then only
    /// admins may subscribe to one: the check fails closed rather than open.
    pub fn authorize(&self, viewer: &Viewer) -> Result<(), TopicError> {
        let (user_id, role) = (viewer.user_id, viewer.role);
        let allowed = match self {
            Self::Everything => true,
            Self::User(id) => *id == user_id || role == Role::Admin,
            // Anyone may watch an agent: what they see is what `Event::visible_to` lets
            // through, i.e. the turns they started themselves (admins see all).
            Self::Agent(_) => true,
            // Anyone may watch a pipeline: its events are scoped to the pipeline's owner, so
            // `Event::visible_to` shows them to the owner and to admins.
            Self::Pipeline(_) => true,
            Self::Circle(name) => role == Role::Admin || viewer.circle(name).is_some(),
            Self::Workspace(_) => role == Role::Admin,
        };
        if allowed {
            Ok(())
        } else {
            Err(TopicError::Forbidden(self.to_string()))
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Everything => f.write_str("events"),
            Self::User(id) => write!(f, "users/{id}"),
            Self::Circle(name) => write!(f, "circles/{name}"),
            Self::Agent(id) => write!(f, "agents/{id}"),
            Self::Workspace(id) => write!(f, "workspace/{id}"),
            Self::Pipeline(id) => write!(f, "pipelines/{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Viewer {
        Viewer::new(Uuid::now_v7(), role)
    }

    #[test]
    fn topics_parse_and_print_back() {
        let id = Uuid::now_v7();
        for raw in [
            "events".to_owned(),
            format!("users/{id}"),
            "circles/design-review".to_owned(),
            format!("agents/{id}"),
            format!("workspace/{id}"),
            format!("pipelines/{id}"),
        ] {
            assert_eq!(Topic::parse(&raw).unwrap().to_string(), raw);
        }
        for bad in [
            "",
            "users",
            "users/x",
            "circles/",
            "circles/a b",
            "nope/1",
            "events/",
        ] {
            assert!(Topic::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn users_see_their_own_topic_and_admins_any() {
        let m = principal(Role::Member);
        let a = principal(Role::Admin);
        assert!(Topic::User(m.user_id).authorize(&m).is_ok());
        assert!(Topic::User(a.user_id).authorize(&m).is_err());
        assert!(Topic::User(m.user_id).authorize(&a).is_ok());
        assert!(Topic::Circle("x".into()).authorize(&m).is_err());
        assert!(Topic::Circle("x".into()).authorize(&a).is_ok());
        assert!(Topic::Everything.authorize(&m).is_ok());
    }

    #[test]
    fn circle_members_subscribe_and_see_the_circle_events_others_do_not() {
        let id = Uuid::now_v7();
        let mut member = principal(Role::Member);
        member.circles.push(super::super::CircleRef {
            id,
            name: "design".into(),
        });
        let outsider = principal(Role::Member);
        let topic = Topic::Circle("design".into());
        assert!(topic.authorize(&member).is_ok());
        assert!(topic.authorize(&outsider).is_err());
        let event = crate::events::NewEvent::new(
            crate::events::EventType::CircleMessage,
            crate::events::Scope {
                circle_id: Some(id),
                ..Default::default()
            },
            None,
        )
        .ephemeral();
        // Scoped by id only (a circle memory's event): matched through the member's circles.
        assert!(topic.matches(&event, &member) && event.visible_to(&member));
        assert!(!event.visible_to(&outsider));
        // An event about another user inside the circle stays that user's.
        let mut private = event.clone();
        private.scope.user_id = Some(Uuid::now_v7());
        assert!(!private.visible_to(&member));
    }
}
