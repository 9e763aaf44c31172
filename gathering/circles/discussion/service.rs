//! The discussion calls people make, as methods of `Circles`: start one, read them and their
//! messages, post, pause, resume, stop, choose the next speaker, continue a finished one; and
//! [`Circles::wait_ended`] for the pipeline node and the scheduler. Access is membership
//! (`access::open`: reading needs `Need::Read`, everything else `Need::Participate`); every
//! change is audited as a `circle.*` event through `circles::changed` in its transaction, and
//! wakes the engine.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;
use serde_json::json;
use uuid::Uuid;

use super::ending::Limits;
use super::mentions::mentions;
use super::model::{
    Discussion, DiscussionMessage, DiscussionStatus, MAX_SEED, MessageKind, NewDiscussion,
    NewMessage, Record, check_text, check_topic,
};
use super::store::{discussions, messages};
use super::turns::{self, Mode, Participant, Transitions};
use crate::circles::access::{Need, Opened, open};
use crate::circles::model::{AgentRole, Circle, CircleSettings, Handle};
use crate::circles::store::{circles as circle_rows, members};
use crate::circles::{Circles, changed};
use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::events::bus::Delivery;
use crate::events::{EventType, Filter, TypePattern};

/// A page of a circle's discussions (newest first) or of a discussion's messages.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub after: Option<Uuid>,
    pub limit: i64,
}

pub(super) fn not_found(id: Uuid) -> DomainError {
    DomainError::NotFound(format!("discussion {id}"))
}

/// The conflict of two starts for one origin (the second finds the first's discussion).
const ORIGIN_TAKEN: &str = "a discussion of this origin exists";

impl Circles {
    /// Starts a discussion in circle `name`: stored `pending` with its prompt as message 1,
    /// announced (`circle.discussion_created`), and claimed by an engine.
    pub async fn start_discussion(
        &self,
        who: &Identity,
        name: &str,
        new: NewDiscussion,
    ) -> Result<Discussion, DomainError> {
        self.start(who, name, new, None).await
    }

    /// [`Circles::start_discussion`] once per `origin` (a pipeline node's or a schedule run's
    /// key): when a discussion of that origin exists, it is returned instead (a retry, or a run
    /// resumed by another instance, does not start a second one).
    pub async fn start_discussion_once(
        &self,
        who: &Identity,
        name: &str,
        new: NewDiscussion,
        origin: &str,
    ) -> Result<Discussion, DomainError> {
        if let Some(found) = self.by_origin(who, name, origin).await? {
            return Ok(found);
        }
        match self.start(who, name, new, Some(origin)).await {
            Err(DomainError::Conflict(m)) if m == ORIGIN_TAKEN => self
                .by_origin(who, name, origin)
                .await?
                .ok_or_else(|| DomainError::Conflict(m)),
            other => other,
        }
    }

    async fn by_origin(
        &self,
        who: &Identity,
        name: &str,
        origin: &str,
    ) -> Result<Option<Discussion>, DomainError> {
        let client = self.pool().get().await?;
        let opened = open(&client, who, name, Need::Read, false).await?;
        let Some(id) = discussions::by_origin(&client, opened.circle.id, origin).await? else {
            return Ok(None);
        };
        let record = discussions::get(&client, opened.circle.id, id, false)
            .await?
            .ok_or_else(|| not_found(id))?;
        Ok(Some(self.view(&client, record, &opened.circle.name).await?))
    }

    async fn start(
        &self,
        who: &Identity,
        name: &str,
        new: NewDiscussion,
        origin: Option<&str>,
    ) -> Result<Discussion, DomainError> {
        let user = who.acting_user()?;
        let topic = check_topic(&new.topic)?;
        let prompt = check_text("prompt", new.prompt.as_deref().unwrap_or(""), true)?;
        let prompt = if prompt.is_empty() {
            topic.clone()
        } else {
            prompt
        };
        if new.seed.is_some_and(|s| !(0..=MAX_SEED).contains(&s)) {
            return Err(DomainError::invalid("seed", "0 to 9007199254740991"));
        }
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let opened = open(&tx, who, name, Need::Participate, false).await?;
        opened.active()?;
        let circle = &opened.circle;
        let settings = &circle.settings;
        let mode = Mode::parse(new.mode.as_deref().unwrap_or(&settings.default_mode))?;
        let agents = members::agents(&tx, circle.id).await?;
        let everyone: Vec<Participant> = agents
            .iter()
            .map(|a| Participant {
                id: a.agent_id,
                name: a.name.clone(),
            })
            .collect();
        let speaking = |a: &&crate::circles::AgentMember| a.role != AgentRole::Observer;
        let participants: Vec<Participant> = match &new.participants {
            None => agents
                .iter()
                .filter(speaking)
                .map(|a| Participant {
                    id: a.agent_id,
                    name: a.name.clone(),
                })
                .collect(),
            Some(raw) => {
                let mut out = Vec::with_capacity(raw.len());
                for r in raw {
                    let p = turns::find_participant(&everyone, r).ok_or_else(|| {
                        DomainError::invalid(
                            "participants",
                            format!("{r:?} is not an agent of circle {}", circle.name),
                        )
                    })?;
                    if agents
                        .iter()
                        .any(|a| a.agent_id == p.id && a.role == AgentRole::Observer)
                    {
                        return Err(DomainError::invalid(
                            "participants",
                            format!("{} is an observer of the circle: it never speaks", p.name),
                        ));
                    }
                    out.push(p.clone());
                }
                out
            }
        };
        let member = |field: &str, raw: &str| {
            turns::find_participant(&everyone, raw)
                .map(|p| p.id)
                .ok_or_else(|| {
                    DomainError::invalid(
                        field,
                        format!("{raw:?} is not an agent of circle {}", circle.name),
                    )
                })
        };
        let facilitator = new
            .facilitator
            .as_deref()
            .map(|f| member("facilitator", f))
            .transpose()?;
        if mode == Mode::Selector && facilitator.is_none() {
            return Err(DomainError::invalid(
                "facilitator",
                "mode selector needs an agent whose model chooses the speakers",
            ));
        }
        turns::check_setup(mode, &participants, facilitator)?;
        let summary_agent = new
            .summary_agent
            .as_deref()
            .map(|a| member("summary_agent", a))
            .transpose()?;
        let transitions = new
            .transitions
            .as_ref()
            .map(|t| Transitions::parse(t, &participants))
            .transpose()?
            .filter(|t| !t.is_empty());
        let limits = limits(settings, new.limits.as_ref())?;
        let seed = new
            .seed
            .unwrap_or_else(|| (rand::random::<u64>() & MAX_SEED as u64) as i64);
        let record = Record {
            id: Uuid::now_v7(),
            circle_id: circle.id,
            topic,
            prompt: prompt.clone(),
            mode,
            participants: participants.iter().map(|p| p.id).collect(),
            facilitator_id: facilitator,
            transitions,
            limits,
            seed,
            summary_agent_id: summary_agent,
            save_summary: new.save_summary.unwrap_or(false),
            status: DiscussionStatus::Pending,
            waiting_for: None,
            next_speaker: None,
            end_reason: None,
            turns: 0,
            tokens: 0,
            cost: 0.0,
            summary: None,
            summary_memory_id: None,
            created_by: user,
            created_at: chrono::Utc::now(),
            started_at: None,
            ended_at: None,
            updated_at: chrono::Utc::now(),
            deadline: None,
        };
        discussions::insert(&tx, &record).await?;
        if let Some(origin) = origin {
            discussions::set_origin(&tx, record.id, origin)
                .await
                .map_err(|e| {
                    if crate::core::error::is_unique_violation(&e) {
                        DomainError::Conflict(ORIGIN_TAKEN.into())
                    } else {
                        e.into()
                    }
                })?;
        }
        let speaker = self.handle_of(&tx, circle, user).await?;
        messages::append(
            &tx,
            record.id,
            &NewMessage {
                kind: Some(MessageKind::Prompt),
                speaker,
                user_id: Some(user),
                mentions: mentions(&prompt),
                content: prompt,
                ..NewMessage::default()
            },
        )
        .await?;
        let names: Vec<&str> = participants.iter().map(|p| p.name.as_str()).collect();
        changed(
            &tx,
            who,
            EventType::CircleDiscussionCreated,
            circle,
            json!({"discussion_id": record.id, "topic": record.topic, "mode": mode,
                   "participants": names, "status": record.status}),
        )
        .await?;
        let stored = discussions::get(&tx, circle.id, record.id, false)
            .await?
            .ok_or_else(|| not_found(record.id))?;
        let view = self.view(&tx, stored, &circle.name).await?;
        tx.commit().await?;
        self.engine().wake();
        Ok(view)
    }

    /// A page of the circle's discussions, newest first.
    pub async fn list_discussions(
        &self,
        who: &Identity,
        name: &str,
        page: Paging,
    ) -> Result<Vec<Discussion>, DomainError> {
        let client = self.pool().get().await?;
        let opened = open(&client, who, name, Need::Read, false).await?;
        let rows = discussions::list(&client, opened.circle.id, page.after, page.limit).await?;
        let ids: Vec<Uuid> = rows.iter().flat_map(Record::agent_ids).collect();
        let names = discussions::agent_names(&client, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| Discussion::of(r, &opened.circle.name, &names))
            .collect())
    }

    pub async fn get_discussion(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
    ) -> Result<Discussion, DomainError> {
        let client = self.pool().get().await?;
        let opened = open(&client, who, name, Need::Read, false).await?;
        let record = discussions::get(&client, opened.circle.id, id, false)
            .await?
            .ok_or_else(|| not_found(id))?;
        self.view(&client, record, &opened.circle.name).await
    }

    /// The messages after seq `after`, in order.
    pub async fn messages(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
        after: i32,
        limit: i64,
    ) -> Result<Vec<DiscussionMessage>, DomainError> {
        let client = self.pool().get().await?;
        let opened = open(&client, who, name, Need::Read, false).await?;
        discussions::get(&client, opened.circle.id, id, false)
            .await?
            .ok_or_else(|| not_found(id))?;
        Ok(messages::after(&client, id, after, limit).await?)
    }

    /// Waits until the discussion `id` has ended and its summary is written; its final state.
    /// Listens for `circle.discussion_ended` and re-reads the row (subscribed first, so an end
    /// between the read and the wait is not missed; the poll interval bounds any other gap).
    pub async fn wait_ended(&self, id: Uuid) -> Result<Discussion, DomainError> {
        let filter = Filter {
            types: vec![TypePattern::Exact(EventType::CircleDiscussionEnded)],
            ..Filter::default()
        };
        let mut events = self.bus().subscribe("circle_discussion_wait", filter);
        loop {
            {
                let client = self.pool().get().await?;
                let record = discussions::by_id(&client, id)
                    .await?
                    .ok_or_else(|| not_found(id))?;
                if record.is_settled() {
                    let circle = circle_rows::by_id(&client, record.circle_id)
                        .await?
                        .ok_or_else(|| not_found(id))?;
                    return self.view(&client, record, &circle.name).await;
                }
            }
            tokio::select! {
                delivery = events.recv() => match delivery {
                    Some(Delivery::Event(_) | Delivery::Lagged { .. }) => {}
                    None => return Err(DomainError::Unexpected(anyhow::anyhow!("the bus closed"))),
                },
                () = tokio::time::sleep(self.settings().poll_interval) => {}
            }
        }
    }

    /// The circle (checked for `Participate`) and the discussion `id` in it, its row locked.
    pub(super) async fn open_discussion(
        &self,
        tx: &impl GenericClient,
        who: &Identity,
        name: &str,
        id: Uuid,
    ) -> Result<(Opened, Record), DomainError> {
        let opened = open(tx, who, name, Need::Participate, false).await?;
        let record = discussions::get(tx, opened.circle.id, id, true)
            .await?
            .ok_or_else(|| not_found(id))?;
        Ok((opened, record))
    }

    /// How the circle addresses `user`: their handle, or (an admin who is not a member) one
    /// made from their name.
    pub(super) async fn handle_of(
        &self,
        client: &impl GenericClient,
        circle: &Circle,
        user: Uuid,
    ) -> Result<String, DomainError> {
        let people = members::people(client, circle.id).await?;
        if let Some(p) = people.iter().find(|p| p.user_id == user) {
            return Ok(p.handle.clone());
        }
        let name = members::user_name(client, user).await?.unwrap_or_default();
        Ok(Handle::suggest(&name).as_str().to_owned())
    }

    pub(super) async fn view(
        &self,
        client: &impl GenericClient,
        record: Record,
        circle: &str,
    ) -> Result<Discussion, DomainError> {
        let names: HashMap<Uuid, String> =
            discussions::agent_names(client, &record.agent_ids()).await?;
        Ok(Discussion::of(record, circle, &names))
    }
}

/// The limits of a new discussion: the circle's `max_turns` and `turn_timeout_secs`, then the
/// defaults, under what the request gives.
fn limits(
    settings: &CircleSettings,
    given: Option<&serde_json::Value>,
) -> Result<Limits, DomainError> {
    let base = Limits {
        max_turns: settings.max_turns,
        turn_timeout_secs: settings.turn_timeout_secs,
        ..Limits::default()
    };
    let mut merged = serde_json::to_value(&base).map_err(|e| DomainError::Unexpected(e.into()))?;
    match given {
        None => {}
        Some(serde_json::Value::Object(fields)) => {
            for (k, v) in fields {
                merged[k] = v.clone();
            }
        }
        Some(_) => return Err(DomainError::invalid("limits", "an object")),
    }
    let limits: Limits = serde_json::from_value(merged)
        .map_err(|e| DomainError::invalid("limits", e.to_string()))?;
    limits.check()?;
    Ok(limits)
}

/// The data of a `circle.message` event.
pub(super) fn message_data(discussion: Uuid, m: &DiscussionMessage) -> serde_json::Value {
    json!({"discussion_id": discussion, "message_id": m.id, "seq": m.seq, "kind": m.kind,
           "speaker": m.speaker, "agent_id": m.agent_id, "user_id": m.user_id, "turn": m.turn,
           "status": m.status, "content": m.content})
}

/// Records `circle.discussion_changed` (a person's change).
pub(super) async fn status_changed(
    tx: &impl GenericClient,
    who: &Identity,
    circle: &Circle,
    id: Uuid,
    status: DiscussionStatus,
    next_speaker: Option<Uuid>,
) -> Result<(), DomainError> {
    let mut data = json!({"discussion_id": id, "status": status, "waiting_for": null});
    if let Some(agent) = next_speaker {
        data["next_speaker"] = json!(agent);
    }
    changed(tx, who, EventType::CircleDiscussionChanged, circle, data).await
}

#[cfg(test)]
mod tests {
    use super::super::mentions::same_name;
    use super::*;

    #[test]
    fn limits_come_from_the_circle_under_what_is_given() {
        let settings = CircleSettings {
            max_turns: 7,
            turn_timeout_secs: 30,
            ..CircleSettings::default()
        };
        let l = limits(&settings, None).unwrap();
        assert_eq!((l.max_turns, l.turn_timeout_secs), (7, 30));
        let l = limits(
            &settings,
            Some(&json!({"max_turns": 3, "on_timeout": "stop"})),
        )
        .unwrap();
        assert_eq!((l.max_turns, l.turn_timeout_secs), (3, 30));
        assert!(limits(&settings, Some(&json!({"max_turns": 0}))).is_err());
        assert!(limits(&settings, Some(&json!({"colour": 1}))).is_err());
        assert!(limits(&settings, Some(&json!([1]))).is_err());
        assert!(same_name("@Bob", "bob"));
    }
}
