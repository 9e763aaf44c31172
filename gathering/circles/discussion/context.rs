//! What a turn sees: the [`Scene`] the turn-taking rules read (built from the stored
//! discussion and its transcript), the message that hands an agent its turn, and the history
//! window (the latest messages that fit `window_tokens`, the agent's own as assistant messages,
//! everyone else's as `speaker: text`, older ones in one digest line).

use std::collections::HashMap;

use uuid::Uuid;

use super::model::{DiscussionMessage, MessageKind, MessageStatus, Record};
use super::turns::{Participant, Said, Situation, Speaker};
use crate::agents::window::estimate_tokens;
use crate::llm::Message;

/// Everything the choice of the next speaker reads, owned (a [`Situation`] borrows it).
#[derive(Debug, Clone)]
pub struct Scene {
    pub participants: Vec<Participant>,
    /// The handles of the circle's people.
    pub people: Vec<String>,
    pub last_kind: MessageKind,
    pub last_agent_said: Option<Uuid>,
    pub last_handle: String,
    pub last_text: String,
    /// The last agent that spoke.
    pub last_agent: Option<Uuid>,
    pub turn: u32,
}

impl Scene {
    pub fn new(
        record: &Record,
        names: &HashMap<Uuid, String>,
        people: Vec<String>,
        transcript: &[DiscussionMessage],
    ) -> Self {
        let last = transcript.last();
        Self {
            participants: record.named(names),
            people,
            last_kind: last.map_or(MessageKind::Prompt, |m| m.kind),
            last_agent_said: last.and_then(|m| m.agent_id),
            last_handle: last.map(|m| m.speaker.clone()).unwrap_or_default(),
            last_text: last.map_or_else(|| record.prompt.clone(), |m| m.content.clone()),
            last_agent: transcript
                .iter()
                .rev()
                .find(|m| m.kind == MessageKind::Agent)
                .and_then(|m| m.agent_id),
            turn: u32::try_from(record.turns).unwrap_or(0) + 1,
        }
    }

    /// The situation of `record` for [`super::turns::next`].
    pub fn situation<'a>(&'a self, record: &'a Record) -> Situation<'a> {
        let by = match (self.last_kind, self.last_agent_said) {
            (MessageKind::Agent, Some(id)) => Speaker::Agent(id),
            (MessageKind::Person, _) => Speaker::Person(&self.last_handle),
            _ => Speaker::Prompt,
        };
        Situation {
            participants: &self.participants,
            facilitator: record.facilitator_id,
            last: Said {
                by,
                text: &self.last_text,
            },
            last_agent: self.last_agent,
            turn: self.turn,
            seed: record.seed as u64,
            transitions: record.transitions.as_ref(),
            people: &self.people,
            chosen: record.next_speaker,
        }
    }

    pub fn name(&self, id: Uuid) -> String {
        self.participants
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_string(), |p| p.name.clone())
    }
}

/// The message that hands `speaker` its turn.
pub fn turn_message(circle: &str, record: &Record, scene: &Scene, speaker: &str) -> String {
    let names: Vec<&str> = scene.participants.iter().map(|p| p.name.as_str()).collect();
    let people = if scene.people.is_empty() {
        String::new()
    } else {
        format!(
            " People in the circle: {}.",
            scene
                .people
                .iter()
                .map(|h| format!("@{h}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "Circle {circle} discussion. Topic: {topic}\nParticipants: {names}.{people}\n\
         It is your turn, {speaker}: reply to the discussion (mention @name to address someone; \
         write [DONE] when the discussion is complete).",
        topic = record.topic,
        names = names.join(", "),
    )
}

/// One line of a message for a transcript: `speaker: text`.
pub fn line(m: &DiscussionMessage) -> String {
    let text = match m.status {
        MessageStatus::Ok => m.content.clone(),
        MessageStatus::TimedOut => format!("{} (timed out)", m.content),
        MessageStatus::Failed => "(no answer: the turn failed)".to_owned(),
    };
    format!("{}: {}", m.speaker, text)
}

/// The first line of a text, at most `chars` characters.
pub fn first_line(text: &str, chars: usize) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let line = line.trim();
    match line.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    }
}

/// The history `agent` sees: the latest messages that fit `budget` tokens (its own as assistant
/// messages, others' as user messages `speaker: text`), older ones as one digest line.
pub fn window(transcript: &[DiscussionMessage], agent: Uuid, budget: usize) -> Vec<Message> {
    let mut used = 0usize;
    let mut kept: Vec<Message> = Vec::new();
    let mut cut = 0usize;
    for (i, m) in transcript.iter().enumerate().rev() {
        let own = m.kind == MessageKind::Agent && m.agent_id == Some(agent);
        let message = if own {
            Message::assistant(m.content.clone())
        } else {
            Message::user(line(m))
        };
        let cost = estimate_tokens(&message.content) + 4;
        if used + cost > budget && !kept.is_empty() {
            cut = i + 1;
            break;
        }
        used += cost;
        kept.push(message);
    }
    kept.reverse();
    if cut > 0 {
        let digest: Vec<String> = transcript[..cut]
            .iter()
            .map(|m| format!("{}: {}", m.speaker, first_line(&m.content, 80)))
            .collect();
        let mut text = format!(
            "Earlier in the discussion ({cut} messages, shortened): {}",
            digest.join(" | ")
        );
        if let Some((at, _)) = text.char_indices().nth(2000) {
            text.truncate(at);
            text.push('…');
        }
        kept.insert(0, Message::user(text));
    }
    kept
}

/// The recent transcript for the selector's prompt.
pub fn recent(transcript: &[DiscussionMessage], count: usize) -> String {
    let from = transcript.len().saturating_sub(count);
    transcript[from..]
        .iter()
        .map(|m| format!("{}: {}", m.speaker, first_line(&m.content, 300)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn msg(seq: i32, speaker: &str, agent: Option<Uuid>, content: &str) -> DiscussionMessage {
        DiscussionMessage {
            id: Uuid::now_v7(),
            seq,
            kind: if agent.is_some() {
                MessageKind::Agent
            } else {
                MessageKind::Person
            },
            speaker: speaker.into(),
            agent_id: agent,
            user_id: None,
            content: content.into(),
            mentions: vec![],
            status: MessageStatus::Ok,
            turn: None,
            prompt_tokens: 0,
            completion_tokens: 0,
            cost: 0.0,
            model: None,
            latency_ms: None,
            conversation_id: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn the_window_keeps_the_latest_and_digests_the_rest() {
        let me = Uuid::now_v7();
        let other = Uuid::now_v7();
        let long = "word ".repeat(200);
        let transcript = vec![
            msg(1, "ana", None, &long),
            msg(2, "alice", Some(me), "mine"),
            msg(3, "bob", Some(other), "theirs"),
        ];
        let all = window(&transcript, me, 10_000);
        assert_eq!(all.len(), 3);
        assert_eq!(all[1], Message::assistant("mine"));
        assert_eq!(all[2], Message::user("bob: theirs"));
        let small = window(&transcript, me, 20);
        assert_eq!(small.len(), 3);
        assert!(
            small[0]
                .content
                .starts_with("Earlier in the discussion (1 messages")
        );
        assert_eq!(first_line("\n  hello\nworld", 3), "hel…");
    }
}
