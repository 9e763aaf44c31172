//! One agent turn of a discussion, as the runner drives it: start the agent's turn (an agent
//! busy with other turns is retried with backoff, not a failure), forward each step as an
//! ephemeral `circle.stream` event, and stop at its end, its timeout (what it said so far is
//! kept), a stop, a lost claim or shutdown (the agent's turn is cancelled by dropping its
//! receiver).

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use serde_json::json;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::runner::Runner;
use crate::agents::runtime::{TurnEvent, TurnInput};
use crate::core::error::DomainError;
use crate::events::{EventType, NewEvent};

/// What a turn said.
#[derive(Debug, Clone, Default)]
pub struct Spoken {
    pub text: String,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    pub model: Option<String>,
    pub latency_ms: u64,
    pub conversation_id: Option<Uuid>,
}

/// How a turn ended.
#[derive(Debug)]
pub enum Outcome {
    Answered(Spoken),
    /// It ran past its timeout; what it said until then.
    TimedOut(Spoken),
    /// The turn failed (its error message); nothing to keep but the reason.
    Failed(String, Option<Uuid>),
    /// Stopped, the claim lost, or shutting down: nothing is stored.
    Interrupted,
}

/// Who is speaking, for the stream events.
#[derive(Debug, Clone)]
pub struct Voice {
    pub turn: Option<i32>,
    pub speaker: String,
    pub agent_id: Uuid,
}

impl Runner<'_> {
    /// Runs `input` as the turn of `voice`, within `timeout`; `stop` interrupts it.
    pub(super) async fn speak(
        &self,
        input: TurnInput,
        voice: &Voice,
        timeout: Duration,
        stop: &CancellationToken,
    ) -> Outcome {
        // The timeout counts from here: waiting for a busy agent is part of the turn.
        let deadline = tokio::time::Instant::now() + timeout;
        let agents = self.circles.agents().clone();
        let start = (|| {
            let agents = agents.clone();
            let input = input.clone();
            async move { agents.start_turn(input).await }
        })
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(100))
                .with_max_delay(Duration::from_secs(5))
                .with_max_times(30),
        )
        .when(|e| matches!(e, DomainError::Busy(_)));
        let started = tokio::select! {
            started = start => started,
            () = tokio::time::sleep_until(deadline) => return Outcome::TimedOut(Spoken::default()),
            () = self.interrupted(stop) => return Outcome::Interrupted,
        };
        let mut turn = match started {
            Ok(turn) => turn,
            Err(e) => return Outcome::Failed(e.to_string(), None),
        };
        let mut spoken = Spoken {
            conversation_id: Some(turn.conversation.id),
            ..Spoken::default()
        };
        let mut n = 0u64;
        loop {
            let event = tokio::select! {
                event = turn.events.recv() => event,
                () = tokio::time::sleep_until(deadline) => return Outcome::TimedOut(spoken),
                () = self.interrupted(stop) => return Outcome::Interrupted,
            };
            let Some(event) = event else {
                return Outcome::Failed(
                    "the turn ended without an answer".into(),
                    spoken.conversation_id,
                );
            };
            match &event {
                TurnEvent::Delta { text } => spoken.text.push_str(text),
                TurnEvent::Completed {
                    content,
                    model,
                    usage,
                    latency_ms,
                    conversation_id,
                    ..
                } => {
                    return Outcome::Answered(Spoken {
                        text: content.clone(),
                        prompt_tokens: usage.prompt_tokens,
                        completion_tokens: usage.completion_tokens,
                        model: Some(model.clone()),
                        latency_ms: *latency_ms,
                        conversation_id: Some(*conversation_id),
                    });
                }
                TurnEvent::Error { message, .. } => {
                    return Outcome::Failed(message.clone(), spoken.conversation_id);
                }
                _ => {}
            }
            if matches!(
                event,
                TurnEvent::Delta { .. }
                    | TurnEvent::ToolCall { .. }
                    | TurnEvent::ToolResult { .. }
                    | TurnEvent::Recalled { .. }
            ) {
                n += 1;
                self.stream(voice, n, &event);
            }
        }
    }

    /// Resolves when the turn must stop without being stored.
    async fn interrupted(&self, stop: &CancellationToken) {
        tokio::select! {
            () = stop.cancelled() => {}
            () = self.lost.cancelled() => {}
            () = self.shutdown.cancelled() => {}
        }
    }

    /// Publishes one step of a turn as `circle.stream` (ephemeral: what members watch live).
    fn stream(&self, voice: &Voice, n: u64, step: &TurnEvent) {
        let data = json!({
            "circle": self.circle.name, "circle_id": self.circle.id,
            "discussion_id": self.id, "turn": voice.turn, "speaker": voice.speaker,
            "agent_id": voice.agent_id, "n": n,
            "step": serde_json::to_value(step).unwrap_or_default(),
        });
        self.circles.bus().publish(
            NewEvent::new(
                EventType::CircleStream,
                crate::circles::scope(&self.circle),
                None,
            )
            .data(data)
            .ephemeral(),
        );
    }
}
