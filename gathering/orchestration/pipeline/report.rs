//! What validation says, bounded: the [`Report`] that collects problems (the first
//! [`MAX_PROBLEMS`], each clipped to a few hundred characters; the rest only counted), the
//! problems of unknown keys, and the
//! [`Deadline`], the deadline that stops a validation running past its time.

use std::time::Instant;

use serde_json::Value;

use super::model::{MAX_PROBLEMS, Problem, Problems};

/// The most characters of a problem's message, and of its path.
pub const MAX_MESSAGE_CHARS: usize = 500;
pub const MAX_PATH_CHARS: usize = 200;
/// The most node ids a `cycle` problem lists (its message gives the cycle's length).
pub const MAX_CYCLE_IDS: usize = 16;

/// Collects problems: keeps the first [`MAX_PROBLEMS`] and counts the others.
pub(super) struct Report {
    problems: Problems,
    /// Where a problem past the cap is written (and forgotten), so that callers chain
    /// `.node(..).at(..)` the same way whether or not it is kept.
    discarded: Problem,
}

impl Default for Report {
    fn default() -> Self {
        Self {
            problems: Problems::default(),
            discarded: blank("", String::new()),
        }
    }
}

fn blank(code: &str, message: String) -> Problem {
    Problem {
        code: code.to_owned(),
        message,
        node_id: None,
        edge_id: None,
        path: None,
        cycle: None,
    }
}

impl Report {
    pub(super) fn add(&mut self, code: &str, message: impl Into<String>) -> &mut Problem {
        if self.problems.listed.len() >= MAX_PROBLEMS {
            self.problems.omitted += 1;
            self.discarded = blank(code, String::new());
            return &mut self.discarded;
        }
        let message = clip(message.into(), MAX_MESSAGE_CHARS);
        self.problems.listed.push(blank(code, message));
        self.problems.listed.last_mut().expect("just pushed")
    }

    /// Whether problems are now only counted.
    pub(super) fn is_full(&self) -> bool {
        self.problems.listed.len() >= MAX_PROBLEMS
    }

    pub(super) fn is_empty(&self) -> bool {
        self.problems.total() == 0
    }

    pub(super) fn into_problems(self) -> Problems {
        self.problems
    }
}

/// `text` cut to `max` characters, with `…` where it was cut.
pub(super) fn clip(mut text: String, max: usize) -> String {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
        text.push('…');
    }
    text
}

/// Where the keys being checked are, for the problems about them.
pub(super) struct Place<'a> {
    pub base: &'a str,
    pub node: Option<&'a str>,
    pub edge: Option<&'a str>,
}

pub(super) fn unknown_keys(
    report: &mut Report,
    object: &serde_json::Map<String, Value>,
    allowed: &[&str],
    place: Place<'_>,
) {
    for key in object.keys() {
        if !allowed.contains(&key.as_str()) {
            let problem = report
                .add(
                    "unknown_field",
                    format!(
                        "unknown key {:?} (allowed: {})",
                        clip(key.clone(), 100),
                        allowed.join(", ")
                    ),
                )
                .at(format!(
                    "{}/{}",
                    place.base,
                    escape(&clip(key.clone(), 100))
                ));
            if let Some(node) = place.node {
                problem.node(node);
            }
            if let Some(edge) = place.edge {
                problem.edge(edge);
            }
        }
    }
}

/// A JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

pub(super) trait At {
    fn node(&mut self, id: &str) -> &mut Self;
    fn edge(&mut self, id: &str) -> &mut Self;
    fn at(&mut self, path: String) -> &mut Self;
}

impl At for Problem {
    fn node(&mut self, id: &str) -> &mut Self {
        self.node_id = Some(id.to_owned());
        self
    }
    fn edge(&mut self, id: &str) -> &mut Self {
        self.edge_id = Some(id.to_owned());
        self
    }
    fn at(&mut self, path: String) -> &mut Self {
        self.path = Some(clip(path, MAX_PATH_CHARS));
        self
    }
}

/// A validation's deadline. Checked between units of work (a node, an edge, a fan-out), each
/// of bounded cost, so a validation stops soon after it.
pub(super) struct Deadline {
    deadline: Option<Instant>,
    pub(super) spent: bool,
}

impl Deadline {
    pub(super) fn until(deadline: Option<Instant>) -> Self {
        Self {
            deadline,
            spent: false,
        }
    }

    /// Whether the deadline has passed (and remembers it).
    pub(super) fn over(&mut self) -> bool {
        if !self.spent && self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.spent = true;
        }
        self.spent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_cap_problems_are_counted_not_kept() {
        let mut report = Report::default();
        for i in 0..MAX_PROBLEMS + 7 {
            report.add("x", format!("problem {i}")).node("n");
        }
        let problems = report.into_problems();
        assert_eq!(problems.listed.len(), MAX_PROBLEMS);
        assert_eq!(problems.omitted, 7);
        assert_eq!(problems.total(), MAX_PROBLEMS + 7);
    }

    #[test]
    fn long_messages_and_paths_are_clipped_on_a_character_boundary() {
        let mut report = Report::default();
        report
            .add("x", "é".repeat(10_000))
            .at(format!("/{}", "ü".repeat(10_000)));
        let problems = report.into_problems();
        let p = &problems.listed[0];
        assert_eq!(p.message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(p.message.ends_with('…'));
        assert_eq!(p.path.as_ref().unwrap().chars().count(), MAX_PATH_CHARS + 1);
        assert_eq!(clip("short".into(), 10), "short");
    }

    #[test]
    fn a_budget_without_a_deadline_never_runs_out_and_a_past_one_has() {
        assert!(!Deadline::until(None).over());
        let mut past = Deadline::until(Some(Instant::now()));
        assert!(past.over());
        assert!(past.spent);
    }
}
