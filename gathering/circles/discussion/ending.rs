//! When a circle discussion ends: the termination markers and phrases of a message, the limits
//! (turns, tokens, cost, time) and why a discussion ended. Pure: progress is an argument.

use serde::{Deserialize, Serialize};

use crate::core::error::DomainError;

/// The original's markers, canonical spelling; found anywhere in a message, without case,
/// with or without the accent (`[termine]`) and with spaces inside the brackets.
const MARKERS: &[&str] = &["[DONE]", "[TERMINÉ]", "[FIN]", "[COMPLETE]"];

/// Phrases that end a discussion when one is a whole sentence of a message (without case,
/// accents or markup), so that "we are done here." ends it and "we are done here once X is
/// fixed" does not. A sentence ends at `.`, `!`, `?`, `;`, `:`, `…` or a line break.
pub const PHRASES: &[&str] = &[
    "discussion complete",
    "discussion completed",
    "discussion is complete",
    "the discussion is complete",
    "this discussion is complete",
    "discussion over",
    "the discussion is over",
    "end of discussion",
    "end of the discussion",
    "this concludes the discussion",
    "this concludes our discussion",
    "we are done here",
    "we're done here",
    "nothing more to add",
    "i have nothing more to add",
    "i have nothing further to add",
    "discussion terminée",
    "la discussion est terminée",
    "fin de la discussion",
    "nous avons terminé",
    "rien à ajouter",
    "je n'ai rien à ajouter",
    "je n'ai rien de plus à ajouter",
];

/// The termination marker or phrase a message holds, if any (its canonical spelling).
pub fn marker(text: &str) -> Option<&'static str> {
    let folded = fold(text);
    let compact: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(m) = MARKERS.iter().find(|m| compact.contains(&fold(m))) {
        return Some(m);
    }
    folded
        .split(['.', '!', '?', ';', ':', '…', '\n'])
        .map(|s| {
            s.trim_matches(|c: char| {
                c.is_whitespace() || matches!(c, '*' | '_' | '"' | '\'' | '`' | '>' | '-' | '#')
            })
        })
        .find_map(|sentence| {
            PHRASES
                .iter()
                .find(|p| fold(p) == sentence.split_whitespace().collect::<Vec<_>>().join(" "))
                .copied()
        })
}

/// Lower case, the common Latin accents removed, typographic apostrophes and quotes plain.
fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            '’' | '‘' => '\'',
            '“' | '”' | '«' | '»' => '"',
            other => other,
        })
        .collect()
}

/// What happens when an agent's turn runs past `turn_timeout_secs`: the turn is recorded as
/// timed out, then the discussion goes on or stops (`end_reason` timeout).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OnTimeout {
    #[default]
    Continue,
    Stop,
}

/// A discussion's limits; every field is optional in JSON (defaults below), unknown ones are
/// refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Agent turns, 1 to 500; default 12.
    pub max_turns: u32,
    /// Prompt and completion tokens of all turns, 1 to 10^12; none by default.
    pub max_tokens: Option<u64>,
    /// Cost of all turns (the model registry's unit), above 0; none by default.
    pub max_cost: Option<f64>,
    /// Wall-clock seconds from the start, 1 to 2,592,000 (30 days); none by default.
    pub max_seconds: Option<u64>,
    /// Seconds one agent turn may take, 1 to 3600; default 120.
    pub turn_timeout_secs: u64,
    /// After a timed-out turn: `continue` (default) or `stop`.
    pub on_timeout: OnTimeout,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_turns: 12,
            max_tokens: None,
            max_cost: None,
            max_seconds: None,
            turn_timeout_secs: 120,
            on_timeout: OnTimeout::Continue,
        }
    }
}

impl Limits {
    pub const MAX_TURNS: u32 = 500;
    pub const MAX_TOKENS: u64 = 1_000_000_000_000;
    pub const MAX_SECONDS: u64 = 30 * 24 * 3600;
    pub const MAX_TURN_TIMEOUT_SECS: u64 = 3600;

    /// That every limit is in its range; the error names the field (`limits.max_turns`).
    pub fn check(&self) -> Result<(), DomainError> {
        let bad = |field: &str, message: &str| {
            Err(DomainError::invalid(format!("limits.{field}"), message))
        };
        if !(1..=Self::MAX_TURNS).contains(&self.max_turns) {
            return bad("max_turns", "1 to 500");
        }
        if self
            .max_tokens
            .is_some_and(|t| !(1..=Self::MAX_TOKENS).contains(&t))
        {
            return bad("max_tokens", "1 to 1000000000000");
        }
        if self.max_cost.is_some_and(|c| !(c.is_finite() && c > 0.0)) {
            return bad("max_cost", "a number above 0");
        }
        if self
            .max_seconds
            .is_some_and(|s| !(1..=Self::MAX_SECONDS).contains(&s))
        {
            return bad("max_seconds", "1 to 2592000 (30 days)");
        }
        if !(1..=Self::MAX_TURN_TIMEOUT_SECS).contains(&self.turn_timeout_secs) {
            return bad("turn_timeout_secs", "1 to 3600");
        }
        Ok(())
    }
}

/// How far a discussion has gone.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    /// Agent turns taken (timed-out and failed ones included).
    pub turns: u32,
    pub tokens: u64,
    pub cost: f64,
    pub elapsed_secs: u64,
}

/// Why a discussion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// An agent said a termination marker or phrase.
    Marker,
    MaxTurns,
    MaxTokens,
    MaxCost,
    MaxSeconds,
    /// A person stopped it.
    Stopped,
    /// A turn timed out with `on_timeout: stop`.
    Timeout,
    Error,
    /// The transition graph left nobody to speak.
    NoSpeaker,
}

impl EndReason {
    pub const ALL: [EndReason; 9] = [
        EndReason::Marker,
        EndReason::MaxTurns,
        EndReason::MaxTokens,
        EndReason::MaxCost,
        EndReason::MaxSeconds,
        EndReason::Stopped,
        EndReason::Timeout,
        EndReason::Error,
        EndReason::NoSpeaker,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Marker => "marker",
            EndReason::MaxTurns => "max_turns",
            EndReason::MaxTokens => "max_tokens",
            EndReason::MaxCost => "max_cost",
            EndReason::MaxSeconds => "max_seconds",
            EndReason::Stopped => "stopped",
            EndReason::Timeout => "timeout",
            EndReason::Error => "error",
            EndReason::NoSpeaker => "no_speaker",
        }
    }

    /// The reason stored as `raw` (`as_str`), if it is one.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// The first limit the progress reached (turns, then tokens, cost, time), if any.
pub fn limit_reached(limits: &Limits, progress: &Progress) -> Option<EndReason> {
    if progress.turns >= limits.max_turns {
        Some(EndReason::MaxTurns)
    } else if limits.max_tokens.is_some_and(|t| progress.tokens >= t) {
        Some(EndReason::MaxTokens)
    } else if limits.max_cost.is_some_and(|c| progress.cost >= c) {
        Some(EndReason::MaxCost)
    } else if limits
        .max_seconds
        .is_some_and(|s| progress.elapsed_secs >= s)
    {
        Some(EndReason::MaxSeconds)
    } else {
        None
    }
}

/// Whether the discussion ends after an agent's turn that said `text`: a marker first, then
/// the limits.
pub fn after_turn(limits: &Limits, progress: &Progress, text: &str) -> Option<EndReason> {
    marker(text)
        .map(|_| EndReason::Marker)
        .or_else(|| limit_reached(limits, progress))
}

#[cfg(test)]
#[path = "ending_tests.rs"]
mod tests;
