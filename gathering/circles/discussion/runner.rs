//! The loop of one claimed discussion: reload it from Postgres, check its limits, choose the
//! next speaker (`turns::next`; the selector's model when asked), wait for a person (the claim
//! is given back), or run the agent's turn (`speak.rs`) and store it, fenced by the claim; at
//! the end the summary (`summary.rs`). Every write is in a transaction that first checks the
//! claim is still this instance's, with its events in the outbox.

use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::context::{self, Scene};
use super::ending::{self, EndReason, OnTimeout, Progress};
use super::mentions::mentions;
use super::model::{DiscussionStatus, MessageKind, MessageStatus, NewMessage, Record};
use super::selector::{selector_pick, selector_prompt};
use super::service::message_data;
use super::speak::{Outcome, Spoken, Voice};
use super::store::{claims, discussions, messages};
use super::turns::{self, Choice};
use crate::agents::runtime::TurnInput;
use crate::circles::model::Circle;
use crate::circles::store::{circles as circle_rows, members};
use crate::circles::{Circles, scope};
use crate::core::error::{DomainError, is_unique_violation};
use crate::core::identity::{Identity, RequestMeta, Role};
use crate::events::{EventType, NewEvent, outbox};
use crate::llm::{ChatRequest, Message, Sampling};
use crate::models::{Attribution, ModelKind};

/// What the loop does after a step.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Flow {
    /// Reload and take the next step.
    Next,
    /// Done here (ended and summarised, waiting, paused, given back).
    Leave,
    /// Another instance holds the discussion now: stop without another write.
    Lost,
}

/// One discussion running on this instance.
pub(super) struct Runner<'a> {
    pub circles: &'a Circles,
    pub id: Uuid,
    pub circle: Circle,
    pub instance: Uuid,
    /// A person stopped the discussion: the turn in flight is dropped.
    pub stop: CancellationToken,
    /// The heartbeat found the claim gone.
    pub lost: CancellationToken,
    pub shutdown: CancellationToken,
}

/// Runs a claimed discussion until it waits, pauses, ends, is lost or the instance stops.
#[tracing::instrument(skip_all, fields(discussion_id = %claimed.record.id))]
pub(super) async fn run(circles: &Circles, claimed: claims::Claimed, stop: CancellationToken) {
    let id = claimed.record.id;
    let circle = match circles.pool().get().await {
        Ok(client) => circle_rows::by_id(&client, claimed.record.circle_id).await,
        Err(e) => {
            tracing::warn!("discussion {id}: no database connection: {e}");
            return;
        }
    };
    let Ok(Some(circle)) = circle else {
        tracing::warn!("discussion {id}: its circle cannot be read");
        return;
    };
    let runner = Runner {
        circles,
        id,
        circle,
        instance: circles.engine().instance(),
        stop,
        lost: CancellationToken::new(),
        shutdown: circles.engine().shutdown(),
    };
    let beat_done = CancellationToken::new();
    let heartbeat = tokio::spawn(heartbeat(
        circles.clone(),
        id,
        runner.stop.clone(),
        runner.lost.clone(),
        beat_done.clone(),
    ));
    if !claimed.record.status.is_finished() {
        let data = json!({"discussion_id": id, "resumed": claimed.resumed,
                          "instance": runner.instance});
        let _ = runner
            .write_events(&[runner.event(EventType::CircleDiscussionStarted, data)])
            .await;
    }
    loop {
        if runner.shutdown.is_cancelled() {
            runner.release().await;
            break;
        }
        match runner.step().await {
            Ok(Flow::Next) => {}
            Ok(Flow::Leave) => break,
            Ok(Flow::Lost) => {
                tracing::warn!("discussion {id} lost its claim; another instance has it");
                break;
            }
            Err(e) => {
                tracing::warn!("discussion {id}: a step failed, giving it back: {e}");
                runner.release().await;
                break;
            }
        }
    }
    beat_done.cancel();
    let _ = heartbeat.await;
}

/// Renews the claim every third of the lease; cancels `lost` when it is gone and `stop` when
/// a person stopped the discussion (heard here too if the bus event was missed).
async fn heartbeat(
    circles: Circles,
    id: Uuid,
    stop: CancellationToken,
    lost: CancellationToken,
    done: CancellationToken,
) {
    let lease = circles.settings().lease;
    let instance = circles.engine().instance();
    loop {
        tokio::select! {
            () = tokio::time::sleep(lease / 3) => {}
            () = done.cancelled() => return,
        }
        let beat = match circles.pool().get().await {
            Ok(client) => claims::heartbeat(&client, id, instance, lease)
                .await
                .map_err(anyhow::Error::from),
            Err(e) => Err(e.into()),
        };
        match beat {
            Ok(Some(DiscussionStatus::Stopped)) => stop.cancel(),
            Ok(Some(_)) => {}
            Ok(None) => {
                lost.cancel();
                return;
            }
            Err(e) => tracing::warn!("discussion {id}: heartbeat failed: {e}"),
        }
    }
}

impl Runner<'_> {
    async fn step(&self) -> Result<Flow, DomainError> {
        let client = self.circles.pool().get().await?;
        let Some(record) = discussions::by_id(&client, self.id).await? else {
            return Ok(Flow::Leave);
        };
        match record.status {
            s if s.is_finished() => return self.summarise(&record).await,
            DiscussionStatus::Paused | DiscussionStatus::Waiting => {
                self.release().await;
                return Ok(Flow::Leave);
            }
            _ => {}
        }
        let elapsed = record
            .started_at
            .map_or(0, |t| (chrono::Utc::now() - t).num_seconds().max(0) as u64);
        let progress = Progress {
            turns: u32::try_from(record.turns).unwrap_or(0),
            tokens: u64::try_from(record.tokens).unwrap_or(0),
            cost: record.cost,
            elapsed_secs: elapsed,
        };
        if let Some(reason) = ending::limit_reached(&record.limits, &progress) {
            return self.end(reason).await;
        }
        let names = discussions::agent_names(&client, &record.agent_ids()).await?;
        let people = members::people(&client, self.circle.id).await?;
        let handles: Vec<String> = people.iter().map(|p| p.handle.clone()).collect();
        let transcript = messages::all(&client, self.id).await?;
        drop(client);
        let scene = Scene::new(&record, &names, handles, &transcript);
        let choice = match turns::next(record.mode, &scene.situation(&record)) {
            Choice::AskSelector { candidates } => {
                self.select(&record, &scene, &transcript, &candidates).await
            }
            other => other,
        };
        match choice {
            Choice::Agent { id, reason } => {
                self.turn(&record, &scene, &transcript, id, &reason).await
            }
            Choice::WaitForPerson { handle } => {
                let user = people
                    .iter()
                    .find(|p| p.handle == handle)
                    .map(|p| p.user_id);
                match user {
                    Some(user) => self.wait(&format!("person:{user}")).await,
                    None => self.wait("speaker").await,
                }
            }
            Choice::WaitForChoice => self.wait("speaker").await,
            Choice::NoSpeaker | Choice::AskSelector { .. } => self.end(EndReason::NoSpeaker).await,
        }
    }

    /// Asks the facilitator agent's model to choose among `candidates` (one call, nothing
    /// stored: the reason goes in `circle.turn_started`).
    async fn select(
        &self,
        record: &Record,
        scene: &Scene,
        transcript: &[super::model::DiscussionMessage],
        candidates: &[Uuid],
    ) -> Choice {
        let sit = scene.situation(record);
        let names: Vec<String> = candidates.iter().map(|id| scene.name(*id)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let prompt = selector_prompt(&record.topic, &names, &context::recent(transcript, 12));
        let answer = async {
            let selector = record
                .facilitator_id
                .ok_or_else(|| DomainError::invalid("facilitator", "none"))?;
            let agent = self.circles.agents().get(selector).await?;
            let caller = self.creator(record).await?;
            let request = ChatRequest {
                model: String::new(),
                messages: vec![Message::user(prompt)],
                tools: Vec::new(),
                sampling: Sampling {
                    temperature: Some(0.0),
                    top_p: None,
                    seed: None,
                    max_tokens: Some(200),
                },
                stop: Vec::new(),
            };
            let for_ = Attribution {
                agent_id: Some(selector),
                conversation_id: None,
            };
            let (_, stream) = self
                .circles
                .llm()
                .chat(&caller, for_, &agent.model, request)
                .await
                .map_err(|e| DomainError::Unexpected(anyhow::anyhow!("{e}")))?;
            let done = crate::llm::Completion::collect(stream)
                .await
                .map_err(|e| DomainError::Unexpected(e.into()))?;
            Ok::<_, DomainError>(done.text)
        };
        let timeout = Duration::from_secs(record.limits.turn_timeout_secs);
        let answer = match tokio::time::timeout(timeout, answer).await {
            Ok(Ok(text)) => text,
            Ok(Err(e)) => {
                tracing::warn!("discussion {}: the selector failed: {e}", self.id);
                String::new()
            }
            Err(_) => String::new(),
        };
        selector_pick(&answer, &sit, candidates)
    }

    /// The turn of `agent`: announced, run, stored if the claim is still ours.
    async fn turn(
        &self,
        record: &Record,
        scene: &Scene,
        transcript: &[super::model::DiscussionMessage],
        agent: Uuid,
        reason: &str,
    ) -> Result<Flow, DomainError> {
        let turn = record.turns + 1;
        let speaker = scene.name(agent);
        let data = json!({"discussion_id": self.id, "turn": turn, "speaker": speaker,
                          "agent_id": agent, "reason": reason});
        if !self
            .write_events(&[self.event(EventType::CircleTurnStarted, data)])
            .await?
        {
            return Ok(Flow::Lost);
        }
        let voice = Voice {
            turn: Some(turn),
            speaker: speaker.clone(),
            agent_id: agent,
        };
        let outcome = match self.circles.agents().get(agent).await {
            Err(e) => Outcome::Failed(e.to_string(), None),
            Ok(a) => {
                let input = TurnInput {
                    agent: a,
                    caller: self.creator(record).await?,
                    conversation_id: transcript
                        .iter()
                        .rev()
                        .filter(|m| m.agent_id == Some(agent))
                        .find_map(|m| m.conversation_id),
                    message: context::turn_message(&self.circle.name, record, scene, &speaker),
                    history: Some(context::window(
                        transcript,
                        agent,
                        self.circles.settings().window_tokens,
                    )),
                    max_tokens: None,
                    temperature: None,
                };
                let timeout = Duration::from_secs(record.limits.turn_timeout_secs);
                self.speak(input, &voice, timeout, &self.stop).await
            }
        };
        let (status, spoken) = match outcome {
            Outcome::Interrupted if self.lost.is_cancelled() => return Ok(Flow::Lost),
            // Stopped or shutting down: the next step sees which.
            Outcome::Interrupted => return Ok(Flow::Next),
            Outcome::Answered(s) => (MessageStatus::Ok, s),
            Outcome::TimedOut(s) => (MessageStatus::TimedOut, s),
            Outcome::Failed(why, conversation_id) => {
                tracing::warn!("discussion {}: turn {turn} failed: {why}", self.id);
                let spoken = Spoken {
                    conversation_id,
                    ..Spoken::default()
                };
                (MessageStatus::Failed, spoken)
            }
        };
        match self.store_turn(turn, &voice, status, &spoken).await? {
            Flow::Next => {}
            other => return Ok(other),
        }
        let failed_before = transcript
            .iter()
            .rev()
            .find(|m| m.kind == MessageKind::Agent)
            .is_some_and(|m| m.status == MessageStatus::Failed);
        let end = match status {
            MessageStatus::Ok => ending::marker(&spoken.text).map(|_| EndReason::Marker),
            MessageStatus::TimedOut => {
                (record.limits.on_timeout == OnTimeout::Stop).then_some(EndReason::Timeout)
            }
            // Two failed turns in a row end the discussion.
            MessageStatus::Failed => failed_before.then_some(EndReason::Error),
        };
        match end {
            Some(reason) => self.end(reason).await,
            None => Ok(Flow::Next),
        }
    }

    /// Stores a turn, only while this instance holds the claim and the discussion goes on
    /// (running, or paused after the turn began); the unique turn index keeps a turn once.
    async fn store_turn(
        &self,
        turn: i32,
        voice: &Voice,
        status: MessageStatus,
        spoken: &Spoken,
    ) -> Result<Flow, DomainError> {
        let cost = match &spoken.model {
            Some(name) => match self.circles.llm().resolve(name, ModelKind::Chat).await {
                Ok(model) => model.cost(spoken.prompt_tokens, spoken.completion_tokens),
                Err(_) => 0.0,
            },
            None => 0.0,
        };
        let mut client = self.circles.pool().get().await?;
        let tx = client.transaction().await?;
        let Some(current) = claims::fence(&tx, self.id, self.instance).await? else {
            return Ok(Flow::Lost);
        };
        if !matches!(
            current.status,
            DiscussionStatus::Running | DiscussionStatus::Paused
        ) {
            return Ok(Flow::Next);
        }
        let new = NewMessage {
            kind: Some(MessageKind::Agent),
            speaker: voice.speaker.clone(),
            agent_id: Some(voice.agent_id),
            content: spoken.text.clone(),
            mentions: mentions(&spoken.text),
            status: Some(status),
            turn: Some(turn),
            prompt_tokens: spoken.prompt_tokens as i32,
            completion_tokens: spoken.completion_tokens as i32,
            cost,
            model: spoken.model.clone(),
            latency_ms: Some(spoken.latency_ms.min(i32::MAX as u64) as i32),
            conversation_id: spoken.conversation_id,
            ..NewMessage::default()
        };
        let stored = match messages::append(&tx, self.id, &new).await {
            Ok(stored) => stored,
            Err(e) if is_unique_violation(&e) => return Ok(Flow::Lost),
            Err(e) => return Err(e.into()),
        };
        let tokens = i64::from(spoken.prompt_tokens) + i64::from(spoken.completion_tokens);
        claims::count_turn(&tx, self.id, turn, tokens, cost).await?;
        let event = self.event(EventType::CircleMessage, message_data(self.id, &stored));
        outbox::append(&tx, &event).await?;
        tx.commit().await?;
        Ok(Flow::Next)
    }

    /// The discussion waits for a person; the claim is given back.
    async fn wait(&self, waiting_for: &str) -> Result<Flow, DomainError> {
        let mut client = self.circles.pool().get().await?;
        let tx = client.transaction().await?;
        if claims::fence(&tx, self.id, self.instance).await?.is_none() {
            return Ok(Flow::Lost);
        }
        claims::wait(&tx, self.id, waiting_for).await?;
        let data = json!({"discussion_id": self.id, "status": DiscussionStatus::Waiting,
                          "waiting_for": waiting_for});
        outbox::append(&tx, &self.event(EventType::CircleDiscussionChanged, data)).await?;
        tx.commit().await?;
        Ok(Flow::Leave)
    }

    /// Ends the discussion for `reason`; the next step writes its summary.
    pub(super) async fn end(&self, reason: EndReason) -> Result<Flow, DomainError> {
        let mut client = self.circles.pool().get().await?;
        let tx = client.transaction().await?;
        let Some(current) = claims::fence(&tx, self.id, self.instance).await? else {
            return Ok(Flow::Lost);
        };
        if !current.status.is_finished() {
            let status = DiscussionStatus::ended_by(reason);
            discussions::end(&tx, self.id, status, reason.as_str()).await?;
        }
        tx.commit().await?;
        Ok(Flow::Next)
    }

    /// Gives the claim back.
    pub(super) async fn release(&self) {
        if let Ok(client) = self.circles.pool().get().await
            && let Err(e) = claims::release(&client, self.id, self.instance).await
        {
            tracing::warn!("giving back discussion {} failed: {e}", self.id);
        }
    }

    /// Writes `events` if the claim is still ours; false when it is not.
    pub(super) async fn write_events(&self, events: &[NewEvent]) -> Result<bool, DomainError> {
        let mut client = self.circles.pool().get().await?;
        let tx = client.transaction().await?;
        if claims::fence(&tx, self.id, self.instance).await?.is_none() {
            return Ok(false);
        }
        outbox::append_all(&tx, events).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A `circle.*` event of the runner (no person acting), naming the circle.
    pub(super) fn event(&self, event_type: EventType, mut data: serde_json::Value) -> NewEvent {
        data["circle"] = json!(self.circle.name);
        data["circle_id"] = json!(self.circle.id);
        NewEvent::new(event_type, scope(&self.circle), None).data(data)
    }

    /// Who the agents' turns run for: the discussion's creator, with their current role.
    pub(super) async fn creator(&self, record: &Record) -> Result<Identity, DomainError> {
        let client = self.circles.pool().get().await?;
        let role = discussions::user_role(&client, record.created_by)
            .await?
            .and_then(|r| r.parse::<Role>().ok())
            .unwrap_or(Role::Viewer);
        Ok(Identity::user(
            record.created_by,
            role,
            RequestMeta::default(),
        ))
    }
}
