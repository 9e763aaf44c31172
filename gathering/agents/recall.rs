//! What an agent remembers in a turn: before the first round, a hybrid search of the memories
//! the agent may read (`memory::Reader::agent`: its own, the conversation's, global ones, its
//! circles', and its owner's when the owner is the one talking), with the user's message as the
//! query; the most relevant that pass the agent's `memory_threshold` and fit in its
//! `memory_budget_tokens` go into the system prompt as a marked section, one line each with
//! its type and date. The turn records which memories it was given (`memory.recalls`, on the
//! user's message) and tells its caller (`TurnEvent::Recalled`).
//!
//! Relevance: a hit found by the vectors carries its cosine similarity, which must reach the
//! threshold; a hit found by keywords only (no vector yet, or no embedding model) has none, and
//! is given only when the threshold is 0. Recall never fails a turn: a failing search is logged
//! and the turn goes on without memories.

use uuid::Uuid;

use super::turn::{RecalledMemory, TurnInput};
use crate::memory::model::MAX_QUERY_BYTES;
use crate::memory::{Filters, Hit, Memories, Reader, SearchMode, SearchRequest};

/// The heading of the memories' section of the system prompt.
pub const HEADING: &str = "Things you remember (memories; they may be outdated):";

/// What a turn was given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recall {
    /// The section to add to the system prompt; `None` when no memory was given.
    pub section: Option<String>,
    pub memories: Vec<RecalledMemory>,
}

/// How many hits to ask for, for a budget of `budget` tokens (a line is rarely under 16).
fn limit_for(budget: usize) -> usize {
    (budget / 16).clamp(1, 50)
}

/// One memory's line in the prompt: its type, its date, its text on one line.
pub fn line(hit: &Hit) -> String {
    let m = &hit.memory;
    let text: Vec<&str> = m.content.split_whitespace().collect();
    format!(
        "- {} ({}): {}",
        m.memory_type.as_str(),
        m.updated_at.format("%Y-%m-%d"),
        text.join(" ")
    )
}

/// The hits given to the turn, best first: those relevant enough (see the module's doc), one
/// per text, as many as fit in `budget` tokens with the heading.
pub fn select(hits: &[Hit], budget: usize, threshold: f32) -> Vec<(&Hit, String)> {
    let mut used = super::window::estimate_tokens(HEADING);
    let mut out: Vec<(&Hit, String)> = Vec::new();
    for hit in hits {
        let relevant = match hit.similarity {
            Some(s) => s >= threshold,
            None => threshold <= 0.0,
        };
        if !relevant
            || out
                .iter()
                .any(|(h, _)| h.memory.content.trim() == hit.memory.content.trim())
        {
            continue;
        }
        let text = line(hit);
        let cost = super::window::estimate_tokens(&text);
        if used + cost > budget {
            continue;
        }
        used += cost;
        out.push((hit, text));
    }
    out
}

/// The section of the prompt for the selected lines.
pub fn section(lines: &[String]) -> String {
    let mut s = String::from(HEADING);
    for l in lines {
        s.push('\n');
        s.push_str(l);
    }
    s
}

/// `message` as a search query: at most [`MAX_QUERY_BYTES`], without NUL.
fn query_of(message: &str) -> String {
    let clean = message.replace('\0', " ");
    let mut at = clean.len().min(MAX_QUERY_BYTES);
    while !clean.is_char_boundary(at) {
        at -= 1;
    }
    clean[..at].to_owned()
}

/// Finds, selects and records the memories of a turn. Never fails: what went wrong is logged.
/// `message_id` is the stored user's message (`input.message`).
#[tracing::instrument(skip_all, fields(agent = %input.agent.name))]
pub(super) async fn recall(
    memories: &Memories,
    input: &TurnInput,
    conversation_id: Uuid,
    message_id: Uuid,
) -> Recall {
    let (agent, caller, text) = (&input.agent, &input.caller, input.message.as_str());
    let use_ = agent.memory();
    if use_.budget_tokens <= 0 || text.trim().is_empty() {
        return Recall::default();
    }
    let budget = use_.budget_tokens as usize;
    let reader = Reader::agent(caller, agent.id, agent.owner_id, Some(conversation_id));
    // A cheap look first: an agent with nothing to remember costs no query embedding.
    match memories.list(&reader, &Filters::default(), None, 1).await {
        Ok(any) if any.is_empty() => return Recall::default(),
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, "memories not read; the turn goes on without them");
            return Recall::default();
        }
    }
    let request = SearchRequest {
        query: query_of(text),
        mode: SearchMode::Hybrid,
        limit: limit_for(budget),
        threshold: None,
        filters: Filters::default(),
        exact: false,
    };
    let hits = match memories.search(&reader, &request).await {
        Ok(found) => found.items,
        Err(e) => {
            tracing::warn!(error = %e, "memory search failed; the turn goes on without memories");
            return Recall::default();
        }
    };
    let chosen = select(&hits, budget, use_.threshold);
    if chosen.is_empty() {
        return Recall::default();
    }
    let used: Vec<(Uuid, f32)> = chosen.iter().map(|(h, _)| (h.memory.id, h.score)).collect();
    if let Err(e) = memories.record_recalls(message_id, &used).await {
        tracing::warn!(error = %e, "the turn's recalls were not recorded");
    }
    let lines: Vec<String> = chosen.into_iter().map(|(_, l)| l).collect();
    Recall {
        section: Some(section(&lines)),
        memories: used
            .into_iter()
            .map(|(id, score)| RecalledMemory { id, score })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::model::{Memory, MemoryType, Provenance, ScopeKind};
    use chrono::{TimeZone, Utc};

    fn hit(content: &str, score: f32, similarity: Option<f32>) -> Hit {
        let at = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
        Hit {
            memory: Memory {
                id: Uuid::now_v7(),
                scope: ScopeKind::Agent,
                scope_id: Some(Uuid::nil()),
                memory_type: MemoryType::Fact,
                content: content.into(),
                importance: 0.5,
                tags: vec![],
                expires_at: None,
                version: 1,
                source: Provenance::default(),
                created_by: None,
                created_by_agent: None,
                created_at: at,
                updated_at: at,
                deleted_at: None,
                embedded: similarity.is_some(),
                links: vec![],
            },
            score,
            similarity,
            semantic_rank: None,
            keyword_rank: None,
        }
    }

    #[test]
    fn lines_have_type_date_and_one_line_of_text() {
        let h = hit("The code word\nis PELICAN.", 0.03, Some(0.8));
        assert_eq!(line(&h), "- fact (2026-05-01): The code word is PELICAN.");
        assert_eq!(
            section(&[line(&h)]),
            format!("{HEADING}\n- fact (2026-05-01): The code word is PELICAN.")
        );
    }

    #[test]
    fn the_threshold_applies_to_similarity_and_keyword_hits_need_zero() {
        let hits = [
            hit("close", 0.03, Some(0.7)),
            hit("far", 0.02, Some(0.1)),
            hit("words only", 0.01, None),
        ];
        let texts = |chosen: Vec<(&Hit, String)>| -> Vec<String> {
            chosen
                .into_iter()
                .map(|(h, _)| h.memory.content.clone())
                .collect()
        };
        assert_eq!(
            texts(select(&hits, 1000, 0.0)),
            ["close", "far", "words only"]
        );
        assert_eq!(texts(select(&hits, 1000, 0.5)), ["close"]);
        assert_eq!(texts(select(&hits, 1000, 0.05)), ["close", "far"]);
    }

    #[test]
    fn the_budget_keeps_the_best_that_fit_and_repeats_go() {
        let long = "x".repeat(300); // about 100 tokens
        let hits = [
            hit("first", 0.05, Some(0.9)),
            hit(&long, 0.04, Some(0.8)),
            hit("first", 0.035, Some(0.8)),
            hit("third", 0.03, Some(0.7)),
        ];
        let chosen = select(&hits, 50, 0.0);
        let texts: Vec<&str> = chosen
            .iter()
            .map(|(h, _)| h.memory.content.as_str())
            .collect();
        assert_eq!(texts, ["first", "third"]);
        assert!(select(&hits, 5, 0.0).is_empty());
    }

    #[test]
    fn queries_are_bounded() {
        let q = query_of(&"é".repeat(MAX_QUERY_BYTES));
        assert!(q.len() <= MAX_QUERY_BYTES);
        assert_eq!(query_of("a\0b"), "a b");
        assert_eq!(limit_for(0), 1);
        assert_eq!(limit_for(512), 32);
        assert_eq!(limit_for(8192), 50);
    }
}
