//! Selector mode: the prompt that asks a model for the next speaker, and reading its answer,
//! with a deterministic fallback when the answer names nobody usable.

use serde::Deserialize;
use uuid::Uuid;

use super::mentions::same_name;
use super::turns::{Choice, Participant, Situation, find_participant, round_robin};

/// The longest reason kept from a model's answer, in characters.
const MAX_REASON_CHARS: usize = 200;

/// The prompt asking a model to choose the next speaker among `candidates` (names), given the
/// discussion's topic and its recent transcript.
pub fn selector_prompt(topic: &str, candidates: &[&str], transcript: &str) -> String {
    format!(
        "You choose who speaks next in a discussion.\n\n\
         Topic: {topic}\n\n\
         Recent messages:\n{transcript}\n\n\
         Choose the next speaker among: {names}.\n\
         Pick the one whose contribution the discussion needs most now.\n\
         Answer with JSON only, no other text: \
         {{\"speaker\": \"<one of: {names}>\", \"reason\": \"<why, in a few words>\"}}",
        transcript = if transcript.trim().is_empty() {
            "(none yet)"
        } else {
            transcript.trim_end()
        },
        names = candidates.join(", "),
    )
}

/// The speaker a selector's `answer` chose: JSON `{"speaker": "<name>", "reason": "..."}`
/// (also inside a code fence or with text around it), a bare name, or text naming exactly one
/// participant. An unknown, disallowed or repeated (the last speaker) choice, or an answer
/// naming nobody, falls back to round robin among `candidates`, with reason `fallback: <why>`.
/// `NoSpeaker` only when `candidates` is empty.
pub fn selector_pick(answer: &str, sit: &Situation<'_>, candidates: &[Uuid]) -> Choice {
    let read = read_answer(answer, sit.participants);
    let why = match read.speaker {
        Said::Participant(p) if candidates.contains(&p.id) => {
            let reason = read.reason.map(|r| shorten(&r)).unwrap_or_default();
            let reason = if reason.is_empty() {
                "selector".to_owned()
            } else {
                format!("selector: {reason}")
            };
            return Choice::Agent { id: p.id, reason };
        }
        Said::Participant(p) if sit.last_agent == Some(p.id) => format!("{} spoke last", p.name),
        Said::Participant(p) => format!("{} may not speak now", p.name),
        Said::Unknown(name) => format!("unknown speaker {:?}", shorten(&name)),
        Said::Nothing => "the answer names no speaker".to_owned(),
    };
    round_robin(sit, candidates, &format!("fallback: {why}"))
}

/// What an answer named.
enum Said<'p> {
    Participant(&'p Participant),
    Unknown(String),
    Nothing,
}

struct Read<'p> {
    speaker: Said<'p>,
    reason: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    speaker: serde_json::Value,
    #[serde(default)]
    reason: Option<serde_json::Value>,
}

fn read_answer<'p>(answer: &str, participants: &'p [Participant]) -> Read<'p> {
    if let Some(json) = json_answer(answer) {
        let reason = json.reason.map(|r| match r {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        });
        let speaker = match json.speaker {
            serde_json::Value::String(name) => match find_participant(participants, &name) {
                Some(p) => Said::Participant(p),
                None if name.trim().is_empty() => Said::Nothing,
                None => Said::Unknown(name.trim().to_owned()),
            },
            serde_json::Value::Null => Said::Nothing,
            other => Said::Unknown(other.to_string()),
        };
        return Read { speaker, reason };
    }
    let bare = answer
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | '*' | '.'));
    if let Some(p) = find_participant(participants, bare) {
        return Read {
            speaker: Said::Participant(p),
            reason: None,
        };
    }
    let named: Vec<&Participant> = participants
        .iter()
        .filter(|p| {
            answer
                .split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_')))
                .any(|w| same_name(w, &p.name))
        })
        .collect();
    let speaker = match named.as_slice() {
        [only] => Said::Participant(only),
        [] if is_single_word(bare) => Said::Unknown(bare.to_owned()),
        _ => Said::Nothing,
    };
    Read {
        speaker,
        reason: None,
    }
}

/// The first JSON object with a `speaker` in the text, wherever it is.
fn json_answer(answer: &str) -> Option<Answer> {
    answer.match_indices('{').find_map(|(at, _)| {
        serde_json::Deserializer::from_str(&answer[at..])
            .into_iter::<Answer>()
            .next()
            .and_then(Result::ok)
    })
}

fn is_single_word(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= 64
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'))
}

/// A model's text on one line, at most [`MAX_REASON_CHARS`] characters.
fn shorten(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(MAX_REASON_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

#[cfg(test)]
#[path = "selector_tests.rs"]
mod tests;
