//! Who speaks next in a circle discussion: the modes, the participants, the transition graph,
//! and [`next`], a pure function of the discussion's [`Situation`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::mentions::{mentions, named, same_name};
use crate::core::error::DomainError;

/// How the next speaker is chosen.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Each participant in turn.
    #[default]
    RoundRobin,
    /// The first `@name` of the last message speaks next, else round robin.
    Mention,
    /// The mentioned participant, else any other, drawn from the discussion's seed.
    Free,
    /// The facilitator speaks after every other speaker and names who speaks after it.
    Facilitator,
    /// A model chooses from the allowed speakers; a bad choice falls back to round robin.
    Selector,
    /// A person picks each next speaker.
    Manual,
}

impl Mode {
    pub const ALL: [Mode; 6] = [
        Mode::RoundRobin,
        Mode::Mention,
        Mode::Free,
        Mode::Facilitator,
        Mode::Selector,
        Mode::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::RoundRobin => "round_robin",
            Mode::Mention => "mention",
            Mode::Free => "free",
            Mode::Facilitator => "facilitator",
            Mode::Selector => "selector",
            Mode::Manual => "manual",
        }
    }

    /// A mode by name, without case; `round-robin` is `round_robin`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let wanted = raw.trim().to_lowercase().replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == wanted)
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|m| m.as_str()).collect();
                DomainError::invalid(
                    "mode",
                    format!("unknown mode {raw:?}; one of: {}", all.join(", ")),
                )
            })
    }
}

/// An agent taking part in a discussion; a discussion's participants are in speaking order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub id: Uuid,
    pub name: String,
}

/// The participant `raw` names: its name (without case, `@` allowed) or its id.
pub fn find_participant<'p>(participants: &'p [Participant], raw: &str) -> Option<&'p Participant> {
    let raw = raw.trim();
    let id = Uuid::parse_str(raw).ok();
    participants
        .iter()
        .find(|p| Some(p.id) == id || same_name(&p.name, raw))
}

/// Who may follow whom: for a speaker with an entry, the participants allowed to speak right
/// after it; a speaker without an entry may be followed by anyone. Stored by agent ids
/// (`{"<agent id>": ["<agent id>", ...]}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Transitions(BTreeMap<Uuid, Vec<Uuid>>);

impl Transitions {
    /// The graph from participants' names (or ids), as a request gives it. Every name that is
    /// not a participant is reported at once.
    pub fn parse(
        graph: &BTreeMap<String, Vec<String>>,
        participants: &[Participant],
    ) -> Result<Self, DomainError> {
        let mut unknown: Vec<String> = Vec::new();
        let mut resolve = |raw: &str| match find_participant(participants, raw) {
            Some(p) => Some(p.id),
            None => {
                let raw = raw.trim();
                if !unknown.iter().any(|u| u == raw) {
                    unknown.push(raw.to_owned());
                }
                None
            }
        };
        let mut edges: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        for (from, next) in graph {
            let from = resolve(from);
            let next: Vec<Uuid> = next.iter().filter_map(|to| resolve(to)).collect();
            if let Some(from) = from {
                let entry = edges.entry(from).or_default();
                for to in next {
                    if !entry.contains(&to) {
                        entry.push(to);
                    }
                }
            }
        }
        if unknown.is_empty() {
            Ok(Self(edges))
        } else {
            Err(DomainError::invalid(
                "transitions",
                format!("not participants of the discussion: {}", unknown.join(", ")),
            ))
        }
    }

    /// Whether `to` may speak right after `from`.
    pub fn allows(&self, from: Uuid, to: Uuid) -> bool {
        self.0.get(&from).is_none_or(|next| next.contains(&to))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The graph by participants' names, for people to read (an id no participant has stays
    /// an id).
    pub fn by_name(&self, participants: &[Participant]) -> BTreeMap<String, Vec<String>> {
        let name = |id: &Uuid| {
            participants
                .iter()
                .find(|p| p.id == *id)
                .map_or_else(|| id.to_string(), |p| p.name.clone())
        };
        self.0
            .iter()
            .map(|(from, next)| (name(from), next.iter().map(name).collect()))
            .collect()
    }
}

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker<'a> {
    /// The discussion's opening prompt.
    Prompt,
    Agent(Uuid),
    /// A person, by handle.
    Person(&'a str),
}

/// A message: who said it and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Said<'a> {
    pub by: Speaker<'a>,
    pub text: &'a str,
}

/// What the choice of the next speaker depends on.
#[derive(Debug, Clone, Copy)]
pub struct Situation<'a> {
    /// The agents, in speaking order.
    pub participants: &'a [Participant],
    /// The agent that facilitates (mode facilitator), one of the participants.
    pub facilitator: Option<Uuid>,
    /// The last message of the discussion (the opening prompt when nothing was said yet).
    pub last: Said<'a>,
    /// The last agent that spoke; `None` before the first turn.
    pub last_agent: Option<Uuid>,
    /// The number of the turn to choose a speaker for: 1 for the first.
    pub turn: u32,
    pub seed: u64,
    pub transitions: Option<&'a Transitions>,
    /// The handles of the persons that may be addressed (`@handle`).
    pub people: &'a [String],
    /// The speaker a person chose (manual mode, or an override).
    pub chosen: Option<Uuid>,
}

impl<'a> Situation<'a> {
    /// The situation before the first turn: the prompt was said, nothing else.
    pub fn opening(participants: &'a [Participant], prompt: &'a str) -> Self {
        Self {
            participants,
            facilitator: None,
            last: Said {
                by: Speaker::Prompt,
                text: prompt,
            },
            last_agent: None,
            turn: 1,
            seed: 0,
            transitions: None,
            people: &[],
            chosen: None,
        }
    }

    fn name(&self, id: Uuid) -> &'a str {
        self.participants
            .iter()
            .find(|p| p.id == id)
            .map_or("?", |p| p.name.as_str())
    }
}

/// What happens next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// This agent speaks; `reason` says why ("round_robin", "mention", "free", "facilitator",
    /// "named by the facilitator", "chosen", "selector: <why>", "fallback: <why>").
    Agent { id: Uuid, reason: String },
    /// Ask the selector's model to choose among these (then [`super::selector::selector_pick`]).
    AskSelector { candidates: Vec<Uuid> },
    /// The last agent addressed this person: wait for their message.
    WaitForPerson { handle: String },
    /// Manual mode: wait for a person to choose the next speaker.
    WaitForChoice,
    /// Nobody may speak: the discussion ends (`no_speaker`).
    NoSpeaker,
}

/// The participants that may speak next, in speaking order: those the transition graph allows
/// after the last agent speaker, without that speaker (nobody speaks twice in a row) unless it
/// is the only participant.
pub fn candidates(sit: &Situation<'_>) -> Vec<Uuid> {
    let only_one = sit.participants.len() == 1;
    sit.participants
        .iter()
        .map(|p| p.id)
        .filter(|id| match sit.last_agent {
            None => true,
            Some(last) => {
                (only_one || *id != last) && sit.transitions.is_none_or(|t| t.allows(last, *id))
            }
        })
        .collect()
}

/// The next step of a discussion in `mode`. In every mode, in this order: no candidate ends
/// the discussion; a person's choice (`chosen`) that is a candidate speaks; an agent's message
/// whose first known `@mention` is a person waits for that person; then the mode decides. A
/// `chosen` that is not a candidate is ignored (see [`check_choice`] to refuse it up front).
pub fn next(mode: Mode, sit: &Situation<'_>) -> Choice {
    let candidates = candidates(sit);
    if candidates.is_empty() {
        return Choice::NoSpeaker;
    }
    if let Some(id) = sit.chosen.filter(|c| candidates.contains(c)) {
        return agent(id, "chosen");
    }
    if let Some(handle) = addressed_person(sit) {
        return Choice::WaitForPerson { handle };
    }
    match mode {
        Mode::RoundRobin => round_robin(sit, &candidates, "round_robin"),
        Mode::Mention => match mentioned(sit, &candidates) {
            Some(id) => agent(id, "mention"),
            None => round_robin(sit, &candidates, "round_robin"),
        },
        Mode::Free => match mentioned(sit, &candidates) {
            Some(id) => agent(id, "mention"),
            None => agent(drawn(sit, &candidates), "free"),
        },
        Mode::Facilitator => facilitated(sit, &candidates),
        Mode::Selector => match candidates.as_slice() {
            [only] => agent(*only, "selector: the only allowed speaker"),
            _ => Choice::AskSelector { candidates },
        },
        Mode::Manual => Choice::WaitForChoice,
    }
}

/// A person's choice of the next speaker (a participant's name or id), refused unless it may
/// speak now.
pub fn check_choice(sit: &Situation<'_>, raw: &str) -> Result<Uuid, DomainError> {
    let Some(p) = find_participant(sit.participants, raw) else {
        return Err(DomainError::invalid(
            "speaker",
            format!("{raw:?} is not a participant of the discussion"),
        ));
    };
    let candidates = candidates(sit);
    if candidates.contains(&p.id) {
        return Ok(p.id);
    }
    let allowed: Vec<&str> = candidates.iter().map(|id| sit.name(*id)).collect();
    let why = if sit.last_agent == Some(p.id) {
        "just spoke"
    } else {
        "may not follow the last speaker"
    };
    Err(DomainError::invalid(
        "speaker",
        format!(
            "{} {why}; who may speak now: {}",
            p.name,
            if allowed.is_empty() {
                "nobody".to_owned()
            } else {
                allowed.join(", ")
            }
        ),
    ))
}

/// That a discussion's setup can run: at least one participant, each once (by id and by
/// name), and in facilitator mode a facilitator among them.
pub fn check_setup(
    mode: Mode,
    participants: &[Participant],
    facilitator: Option<Uuid>,
) -> Result<(), DomainError> {
    if participants.is_empty() {
        return Err(DomainError::invalid("participants", "at least one agent"));
    }
    for (i, p) in participants.iter().enumerate() {
        let twice = participants[..i]
            .iter()
            .any(|q| q.id == p.id || same_name(&q.name, &p.name));
        if twice {
            return Err(DomainError::invalid(
                "participants",
                format!("{} is listed twice", p.name),
            ));
        }
    }
    let among = |id: Uuid| participants.iter().any(|p| p.id == id);
    match (mode, facilitator) {
        (Mode::Facilitator, None) => Err(DomainError::invalid(
            "facilitator",
            "mode facilitator needs a facilitator",
        )),
        (Mode::Facilitator, Some(f)) if !among(f) => Err(DomainError::invalid(
            "facilitator",
            "the facilitator must be one of the participants",
        )),
        _ => Ok(()),
    }
}

/// The candidate after the last agent speaker in speaking order, wrapping; the first
/// candidate before any agent spoke.
pub fn after_last(sit: &Situation<'_>, candidates: &[Uuid]) -> Option<Uuid> {
    let n = sit.participants.len();
    let start = sit
        .last_agent
        .and_then(|last| sit.participants.iter().position(|p| p.id == last))
        .map_or(0, |at| at + 1);
    (0..n)
        .map(|k| sit.participants[(start + k) % n].id)
        .find(|id| candidates.contains(id))
}

pub(super) fn round_robin(sit: &Situation<'_>, candidates: &[Uuid], reason: &str) -> Choice {
    match after_last(sit, candidates) {
        Some(id) => agent(id, reason),
        None => Choice::NoSpeaker,
    }
}

fn agent(id: Uuid, reason: &str) -> Choice {
    Choice::Agent {
        id,
        reason: reason.to_owned(),
    }
}

/// The handle of the person an agent's message addresses: its first `@mention` that is a
/// participant or a person, when that is a person.
fn addressed_person(sit: &Situation<'_>) -> Option<String> {
    let Speaker::Agent(_) = sit.last.by else {
        return None;
    };
    for m in mentions(sit.last.text) {
        if sit.participants.iter().any(|p| same_name(&p.name, &m)) {
            return None;
        }
        if let Some(handle) = sit.people.iter().find(|h| same_name(h, &m)) {
            return Some(handle.trim_start_matches('@').to_owned());
        }
    }
    None
}

/// The first `@name` of the last message that is a candidate.
fn mentioned(sit: &Situation<'_>, candidates: &[Uuid]) -> Option<Uuid> {
    mentions(sit.last.text).iter().find_map(|m| {
        sit.participants
            .iter()
            .find(|p| same_name(&p.name, m) && candidates.contains(&p.id))
            .map(|p| p.id)
    })
}

/// A candidate drawn from the seed and the turn number: the same for the same seed and history.
fn drawn(sit: &Situation<'_>, candidates: &[Uuid]) -> Uuid {
    let roll = splitmix64(sit.seed ^ splitmix64(u64::from(sit.turn)));
    // A `u64` remainder below `len` fits `usize`.
    candidates[(roll % candidates.len() as u64) as usize]
}

/// splitmix64 (Steele, Lea, Flood): one well-mixed 64-bit value from another.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Facilitator mode: after anyone else, the facilitator; after the facilitator, whom it named,
/// else the others in turn (by turn number, as the facilitator speaks every other turn).
fn facilitated(sit: &Situation<'_>, candidates: &[Uuid]) -> Choice {
    let Some(facilitator) = sit.facilitator else {
        return round_robin(sit, candidates, "round_robin");
    };
    if sit.last_agent != Some(facilitator) {
        return if candidates.contains(&facilitator) {
            agent(facilitator, "facilitator")
        } else {
            round_robin(sit, candidates, "round_robin")
        };
    }
    let others: Vec<&Participant> = sit
        .participants
        .iter()
        .filter(|p| p.id != facilitator && candidates.contains(&p.id))
        .collect();
    let names: Vec<&str> = others.iter().map(|p| p.name.as_str()).collect();
    if let Some(at) = named(sit.last.text, &names) {
        return agent(others[at].id, "named by the facilitator");
    }
    match others.as_slice() {
        [] => round_robin(sit, candidates, "round_robin"),
        _ => {
            let at = (sit.turn.saturating_sub(2) / 2) as usize % others.len();
            agent(others[at].id, "round_robin")
        }
    }
}

#[cfg(test)]
#[path = "turns_tests.rs"]
pub(super) mod tests;

#[cfg(test)]
#[path = "turns_props.rs"]
mod props;
