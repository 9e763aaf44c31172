//! The end of a discussion: its summary, written by the summary agent (an agent turn asked to
//! summarise the transcript) or, when there is none or it fails, a plain digest (the first line
//! of each turn, by speaker); stored, published (`circle.summary`), optionally saved as a
//! circle memory, then `circle.discussion_ended`. A finished discussion without a summary is
//! claimable, so an instance that dies here leaves the summary to another.

use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::context::{first_line, line};
use super::model::{DiscussionMessage, MessageKind, MessageStatus, Record};
use super::runner::{Flow, Runner};
use super::speak::{Outcome, Voice};
use super::store::{claims, discussions, messages};
use crate::agents::runtime::TurnInput;
use crate::core::error::DomainError;
use crate::events::{EventType, outbox};
use crate::memory::model::Provenance;
use crate::memory::{MemoryType, NewMemory, Reader, ScopeKind};

/// The longest summary kept (a circle memory holds at most 16 KiB).
const MAX_SUMMARY_BYTES: usize = 16 * 1024;

/// A digest of the agents' turns: one line each, by speaker.
pub fn digest(record: &Record, transcript: &[DiscussionMessage]) -> String {
    let lines: Vec<String> = transcript
        .iter()
        .filter(|m| m.kind == MessageKind::Agent && m.status != MessageStatus::Failed)
        .map(|m| format!("- {}: {}", m.speaker, first_line(&m.content, 200)))
        .collect();
    if lines.is_empty() {
        return format!("Discussion \"{}\": no agent spoke.", record.topic);
    }
    format!(
        "Discussion \"{}\" ({} turns):\n{}",
        record.topic,
        record.turns,
        lines.join("\n")
    )
}

fn clip(mut text: String) -> String {
    if text.len() > MAX_SUMMARY_BYTES {
        let mut at = MAX_SUMMARY_BYTES - 3;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.truncate(at);
        text.push('…');
    }
    text
}

impl Runner<'_> {
    /// Writes the summary of a finished discussion, then announces its end.
    pub(super) async fn summarise(&self, record: &Record) -> Result<Flow, DomainError> {
        let transcript = {
            let client = self.circles.pool().get().await?;
            messages::all(&client, self.id).await?
        };
        let written = match record.summary_agent_id {
            Some(agent) => self.ask_summary(record, agent, &transcript).await,
            None => None,
        };
        let summary = clip(written.unwrap_or_else(|| digest(record, &transcript)));
        let memory = if record.save_summary {
            self.save(record, &summary).await
        } else {
            None
        };
        let mut client = self.circles.pool().get().await?;
        let tx = client.transaction().await?;
        let Some(current) = claims::fence(&tx, self.id, self.instance).await? else {
            return Ok(Flow::Lost);
        };
        if !current.status.is_finished() || current.summary.is_some() {
            // Continued meanwhile, or written by another: nothing to do here.
            return Ok(Flow::Next);
        }
        claims::set_summary(&tx, self.id, &summary, memory).await?;
        let ended = discussions::by_id(&tx, self.id)
            .await?
            .unwrap_or_else(|| current.clone());
        let events = [
            self.event(
                EventType::CircleSummary,
                json!({"discussion_id": self.id, "summary": summary, "memory_id": memory}),
            ),
            self.event(
                EventType::CircleDiscussionEnded,
                json!({"discussion_id": self.id, "status": ended.status,
                       "end_reason": ended.end_reason, "turns": ended.turns,
                       "tokens": ended.tokens, "cost": ended.cost}),
            ),
        ];
        outbox::append_all(&tx, &events).await?;
        tx.commit().await?;
        Ok(Flow::Leave)
    }

    /// The summary agent's summary of the transcript; `None` when it fails.
    async fn ask_summary(
        &self,
        record: &Record,
        agent: Uuid,
        transcript: &[DiscussionMessage],
    ) -> Option<String> {
        let a = self.circles.agents().get(agent).await.ok()?;
        let mut text: String = transcript.iter().map(line).collect::<Vec<_>>().join("\n");
        if text.len() > 48 * 1024 {
            let mut at = text.len() - 48 * 1024;
            while !text.is_char_boundary(at) {
                at += 1;
            }
            text = text.split_off(at);
        }
        let input = TurnInput {
            caller: self.creator(record).await.ok()?,
            message: format!(
                "Summarise this discussion of circle {} on \"{}\": the points made, what was \
                 decided and what is left open, in a few short paragraphs.\n\nTranscript:\n{text}",
                self.circle.name, record.topic
            ),
            agent: a,
            conversation_id: None,
            history: Some(Vec::new()),
            max_tokens: None,
            temperature: None,
        };
        let voice = Voice {
            turn: None,
            speaker: self.circles.agents().get(agent).await.ok()?.name,
            agent_id: agent,
        };
        let timeout = Duration::from_secs(record.limits.turn_timeout_secs);
        // A stop does not interrupt the summary: the discussion is already over.
        match self
            .speak(input, &voice, timeout, &CancellationToken::new())
            .await
        {
            Outcome::Answered(s) if !s.text.trim().is_empty() => Some(s.text.trim().to_owned()),
            _ => None,
        }
    }

    /// Saves the summary as a circle memory of the creator's; its id.
    async fn save(&self, record: &Record, summary: &str) -> Option<Uuid> {
        let who = self.creator(record).await.ok()?;
        let reader = Reader::person(&who).ok()?;
        let new = NewMemory {
            scope: ScopeKind::Circle,
            scope_id: Some(self.circle.id),
            memory_type: Some(MemoryType::Episode),
            content: summary.to_owned(),
            importance: Some(0.6),
            tags: vec!["discussion".into(), "summary".into()],
            expires_at: None,
            source: Provenance {
                user_id: Some(record.created_by),
                ..Provenance::default()
            },
            supersedes: None,
        };
        match self.circles.memories().create(&reader, new).await {
            Ok(memory) => Some(memory.id),
            Err(e) => {
                tracing::warn!("discussion {}: saving its summary failed: {e}", self.id);
                None
            }
        }
    }
}
