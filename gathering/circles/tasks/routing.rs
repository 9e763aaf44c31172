//! The facilitator's choices, PURE: which agent a task is offered to and who reviews it.
//!
//! A task goes to the available agent with the best score, as the original's facilitator
//! scores: the share of the task's competencies the agent has (each matched exactly, else
//! case-insensitively; a task that needs none matches everyone fully) weighted high
//! ([`COMPETENCY_WEIGHT`]), minus its current load (its tasks claimed, in progress, in review
//! or with changes requested). Equal scores go to the agent whose name sorts first. Observers,
//! disabled agents and agents that refused the task are never candidates.
//!
//! A task's reviewers are the agents (not observers, never the author) whose `reviews` is
//! empty (anything) or names one of the task's competencies; members with the `reviewer` role
//! come first, then those that name a competency, then by name.

use std::cmp::Ordering;

use uuid::Uuid;

use crate::circles::model::AgentRole;

/// One point of competency match outweighs this many tasks of load.
pub const COMPETENCY_WEIGHT: f64 = 10.0;

/// An agent member as routing sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub agent_id: Uuid,
    pub name: String,
    pub role: AgentRole,
    pub competencies: Vec<String>,
    pub reviews: Vec<String>,
    /// Whether the agent is active (a disabled agent takes nothing).
    pub active: bool,
    /// Its tasks claimed, in progress, in review or with changes requested.
    pub load: i64,
}

/// A candidate's score for a task.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub agent_id: Uuid,
    pub name: String,
    /// Share of the required competencies matched, 0 to 1.
    pub matched: f64,
    pub load: i64,
    pub score: f64,
}

/// The share of `required` that `has` covers: exact matches first, then case-insensitive.
pub fn competency_match(required: &[String], has: &[String]) -> f64 {
    if required.is_empty() {
        return 1.0;
    }
    let hit = required
        .iter()
        .filter(|r| {
            has.iter().any(|h| h == *r) || has.iter().any(|h| h.to_lowercase() == r.to_lowercase())
        })
        .count();
    hit as f64 / required.len() as f64
}

/// Every candidate that may be offered the task, best first.
pub fn rank(required: &[String], refused: &[Uuid], members: &[Candidate]) -> Vec<Scored> {
    let mut scored: Vec<Scored> = members
        .iter()
        .filter(|m| m.active && m.role != AgentRole::Observer && !refused.contains(&m.agent_id))
        .map(|m| {
            let matched = competency_match(required, &m.competencies);
            Scored {
                agent_id: m.agent_id,
                name: m.name.clone(),
                matched,
                load: m.load,
                score: matched * COMPETENCY_WEIGHT - m.load as f64,
            }
        })
        .collect();
    scored.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.name.cmp(&b.name))
    });
    scored
}

/// The agent the task is offered to, if anyone is left.
pub fn best(required: &[String], refused: &[Uuid], members: &[Candidate]) -> Option<Scored> {
    rank(required, refused, members).into_iter().next()
}

/// The agents that may review a task authored by `author`, in order of preference.
pub fn reviewers<'a>(
    competencies: &[String],
    author: Option<Uuid>,
    members: &'a [Candidate],
) -> Vec<&'a Candidate> {
    let names_one = |m: &Candidate| {
        m.reviews.iter().any(|r| {
            competencies
                .iter()
                .any(|c| c.to_lowercase() == r.to_lowercase())
        })
    };
    let mut out: Vec<&Candidate> = members
        .iter()
        .filter(|m| m.active && m.role != AgentRole::Observer && Some(m.agent_id) != author)
        .filter(|m| m.reviews.is_empty() || names_one(m))
        .collect();
    out.sort_by_key(|m| (m.role != AgentRole::Reviewer, !names_one(m), m.name.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, competencies: &[&str], load: i64) -> Candidate {
        Candidate {
            agent_id: Uuid::now_v7(),
            name: name.into(),
            role: AgentRole::Member,
            competencies: competencies.iter().map(|c| c.to_string()).collect(),
            reviews: vec![],
            active: true,
            load,
        }
    }

    fn req(list: &[&str]) -> Vec<String> {
        list.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn competency_match_is_the_share_exact_then_case_insensitive() {
        let has = req(&["Rust", "sql"]);
        assert_eq!(competency_match(&req(&["Rust", "SQL"]), &has), 1.0);
        assert_eq!(competency_match(&req(&["rust", "go"]), &has), 0.5);
        assert_eq!(competency_match(&req(&["go"]), &has), 0.0);
        assert_eq!(competency_match(&[], &has), 1.0);
    }

    #[test]
    fn the_best_match_wins_then_the_least_loaded_then_the_name() {
        let members = vec![
            member("carol", &["python"], 0),
            member("bob", &["rust"], 1),
            member("alice", &["rust"], 2),
            member("dave", &["rust", "sql"], 0),
        ];
        // dave matches half of rust+go like bob and alice; loads decide.
        let best_of = |r: &[&str]| best(&req(r), &[], &members).unwrap().name;
        assert_eq!(best_of(&["rust", "go"]), "dave");
        // Full matches for bob, alice and dave: the least loaded.
        assert_eq!(best_of(&["rust"]), "dave");
        // Competency outweighs load: carol is the only python agent.
        assert_eq!(best_of(&["python"]), "carol");
        // Equal scores: by name.
        let tied = vec![member("zoe", &["x"], 0), member("ann", &["x"], 0)];
        assert_eq!(best(&req(&["x"]), &[], &tied).unwrap().name, "ann");
        // A heavily loaded expert still beats an idle agent that knows nothing of it.
        let busy = vec![member("idle", &[], 0), member("expert", &["ml"], 5)];
        assert_eq!(best(&req(&["ml"]), &[], &busy).unwrap().name, "expert");
    }

    #[test]
    fn observers_disabled_agents_and_refusers_are_never_offered() {
        let mut observer = member("aaron", &["rust"], 0);
        observer.role = AgentRole::Observer;
        let mut disabled = member("abel", &["rust"], 0);
        disabled.active = false;
        let refuser = member("adam", &["rust"], 0);
        let other = member("zed", &[], 3);
        let members = vec![observer, disabled, refuser.clone(), other];
        let ranked = rank(&req(&["rust"]), &[refuser.agent_id], &members);
        assert_eq!(
            ranked.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            vec!["zed"]
        );
        assert!(
            best(
                &req(&["rust"]),
                &[members[3].agent_id, refuser.agent_id],
                &members
            )
            .is_none()
        );
    }

    #[test]
    fn reviewers_never_include_the_author_and_review_what_they_may() {
        let mut author = member("author", &["rust"], 0);
        author.reviews = vec![];
        let mut any = member("zany", &[], 0);
        any.reviews = vec![];
        let mut rust = member("rusty", &[], 0);
        rust.reviews = vec!["RUST".into()];
        let mut docs = member("docs", &[], 0);
        docs.reviews = vec!["writing".into()];
        let mut lead = member("yves", &[], 0);
        lead.role = AgentRole::Reviewer;
        let members = vec![author.clone(), any, rust, docs, lead];
        let names: Vec<&str> = reviewers(&req(&["rust"]), Some(author.agent_id), &members)
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(names, vec!["yves", "rusty", "zany"]);
    }
}
