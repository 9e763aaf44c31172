//! How people steer a discussion once it is started: they post (the next thing every agent
//! sees), pause (the turn in flight finishes, then it holds), resume, stop (the turn in flight
//! is cancelled), choose the next speaker, and continue a finished discussion with its history.
//! Each is a checked state change in one transaction with its `circle.*` event.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::context::Scene;
use super::ending::Limits;
use super::mentions::mentions;
use super::model::{
    ContinueDiscussion, Discussion, DiscussionMessage, DiscussionStatus, MessageKind, NewMessage,
    NewPost, SpeakerChoice, check_text,
};
use super::service::{message_data, not_found, status_changed};
use super::store::{discussions, messages};
use super::turns;
use crate::circles::{Circles, changed};
use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::events::EventType;

impl Circles {
    /// A person's message: the next thing every agent sees. A discussion waiting for this
    /// person goes on.
    pub async fn post(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
        post: NewPost,
    ) -> Result<DiscussionMessage, DomainError> {
        let user = who.acting_user()?;
        let content = check_text("content", &post.content, false)?;
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let (opened, record) = self.open_discussion(&tx, who, name, id).await?;
        let circle = &opened.circle;
        if record.status.is_finished() {
            return Err(DomainError::Conflict(format!(
                "the discussion is {}: continue it to post",
                record.status.as_str()
            )));
        }
        let answered = record.status == DiscussionStatus::Waiting
            && record.waiting_for.as_deref() == Some(&format!("person:{user}"));
        if answered {
            discussions::set_status(&tx, id, DiscussionStatus::Running, None).await?;
        }
        let stored = self.says(&tx, who, circle, id, content).await?;
        if answered {
            status_changed(&tx, who, circle, id, DiscussionStatus::Running, None).await?;
        }
        tx.commit().await?;
        self.engine().wake();
        Ok(stored)
    }

    /// Holds the discussion: the turn in flight finishes, then nothing until resumed.
    pub async fn pause(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
    ) -> Result<Discussion, DomainError> {
        use DiscussionStatus::*;
        self.transition(who, name, id, &[Pending, Running, Waiting], Paused)
            .await
    }

    /// Goes on after a pause.
    pub async fn resume(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
    ) -> Result<Discussion, DomainError> {
        use DiscussionStatus::*;
        self.transition(who, name, id, &[Paused], Running).await
    }

    /// Ends the discussion now: the turn in flight is cancelled and not stored; the summary
    /// is written next.
    pub async fn stop(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
    ) -> Result<Discussion, DomainError> {
        use DiscussionStatus::*;
        self.transition(who, name, id, &[Pending, Running, Waiting, Paused], Stopped)
            .await
    }

    async fn transition(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
        from: &[DiscussionStatus],
        to: DiscussionStatus,
    ) -> Result<Discussion, DomainError> {
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let (opened, record) = self.open_discussion(&tx, who, name, id).await?;
        if !from.contains(&record.status) {
            return Err(DomainError::Conflict(format!(
                "the discussion is {}; it cannot become {}",
                record.status.as_str(),
                to.as_str()
            )));
        }
        if to == DiscussionStatus::Stopped {
            discussions::end(&tx, id, to, "stopped").await?;
        } else {
            discussions::set_status(&tx, id, to, None).await?;
        }
        status_changed(&tx, who, &opened.circle, id, to, None).await?;
        let record = discussions::get(&tx, opened.circle.id, id, false)
            .await?
            .ok_or_else(|| not_found(id))?;
        let view = self.view(&tx, record, &opened.circle.name).await?;
        tx.commit().await?;
        self.engine().wake();
        Ok(view)
    }

    /// Chooses the next speaker (manual mode, or an override in any mode): a participant who
    /// may speak now. A discussion waiting for a choice goes on.
    pub async fn choose_speaker(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
        choice: SpeakerChoice,
    ) -> Result<Discussion, DomainError> {
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let (opened, record) = self.open_discussion(&tx, who, name, id).await?;
        if record.status.is_finished() {
            return Err(DomainError::Conflict(format!(
                "the discussion is {}",
                record.status.as_str()
            )));
        }
        let names = discussions::agent_names(&tx, &record.agent_ids()).await?;
        let transcript = messages::all(&tx, id).await?;
        let scene = Scene::new(&record, &names, Vec::new(), &transcript);
        let agent = turns::check_choice(&scene.situation(&record), &choice.agent)?;
        discussions::set_next_speaker(&tx, id, agent).await?;
        let status = if record.waiting_for.as_deref() == Some("speaker") {
            discussions::set_status(&tx, id, DiscussionStatus::Running, None).await?;
            DiscussionStatus::Running
        } else {
            record.status
        };
        status_changed(&tx, who, &opened.circle, id, status, Some(agent)).await?;
        let record = discussions::get(&tx, opened.circle.id, id, false)
            .await?
            .ok_or_else(|| not_found(id))?;
        let view = self.view(&tx, record, &opened.circle.name).await?;
        tx.commit().await?;
        self.engine().wake();
        Ok(view)
    }

    /// A finished discussion goes on with its whole history: pending again, with `turns` more
    /// turns than it took (the circle's `max_turns` by default), after the new prompt if any.
    pub async fn continue_discussion(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
        more: ContinueDiscussion,
    ) -> Result<Discussion, DomainError> {
        who.acting_user()?;
        let prompt = more
            .prompt
            .as_deref()
            .map(|p| check_text("prompt", p, false))
            .transpose()?;
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let (opened, record) = self.open_discussion(&tx, who, name, id).await?;
        opened.active()?;
        let circle = &opened.circle;
        if !record.status.is_finished() {
            return Err(DomainError::Conflict(format!(
                "the discussion is {}: only a finished one is continued",
                record.status.as_str()
            )));
        }
        if record.summary.is_none() {
            return Err(DomainError::Conflict(
                "the discussion is being summarised; try again in a moment".into(),
            ));
        }
        let turns = more.turns.unwrap_or(circle.settings.max_turns);
        let max_turns = u32::try_from(record.turns).unwrap_or(0) + turns;
        if turns == 0 || max_turns > Limits::MAX_TURNS {
            return Err(DomainError::invalid(
                "turns",
                format!(
                    "1 to {} (the discussion took {} turns of at most {})",
                    Limits::MAX_TURNS.saturating_sub(record.turns as u32),
                    record.turns,
                    Limits::MAX_TURNS
                ),
            ));
        }
        let limits = Limits {
            max_turns,
            ..record.limits.clone()
        };
        let limits =
            serde_json::to_value(&limits).map_err(|e| DomainError::Unexpected(e.into()))?;
        discussions::reopen(&tx, id, &limits).await?;
        if let Some(content) = prompt {
            self.says(&tx, who, circle, id, content).await?;
        }
        status_changed(&tx, who, circle, id, DiscussionStatus::Pending, None).await?;
        let record = discussions::get(&tx, circle.id, id, false)
            .await?
            .ok_or_else(|| not_found(id))?;
        let view = self.view(&tx, record, &circle.name).await?;
        tx.commit().await?;
        self.engine().wake();
        Ok(view)
    }

    /// Stores what `who` says in the discussion (in order, with its mentions) and records its
    /// `circle.message` event.
    async fn says(
        &self,
        tx: &impl GenericClient,
        who: &Identity,
        circle: &crate::circles::Circle,
        id: Uuid,
        content: String,
    ) -> Result<DiscussionMessage, DomainError> {
        let user = who.acting_user()?;
        let speaker = self.handle_of(tx, circle, user).await?;
        let stored = messages::append(
            tx,
            id,
            &NewMessage {
                kind: Some(MessageKind::Person),
                speaker,
                user_id: Some(user),
                mentions: mentions(&content),
                content,
                ..NewMessage::default()
            },
        )
        .await?;
        let data = message_data(id, &stored);
        changed(tx, who, EventType::CircleMessage, circle, data).await?;
        Ok(stored)
    }
}
