//! What agents are asked about a task and how their answers are read, PURE: the offer
//! (`ACCEPT` or `REFUSE: <reason>`), the work (its answer is the submission; after changes
//! were requested the prompt carries the reviewer's note) and the review (`APPROVE`,
//! `CHANGES: <note>` or `REJECT: <note>`).

use super::model::{Task, Verdict};

/// An agent's answer to an offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Refuse(String),
}

fn describe(task: &Task) -> String {
    let mut s = format!(
        "Task: {}\nPriority: {}\n",
        task.title,
        task.priority.as_str()
    );
    if !task.competencies.is_empty() {
        s.push_str(&format!("Competencies: {}\n", task.competencies.join(", ")));
    }
    if !task.resources.is_empty() {
        s.push_str(&format!("Resources: {}\n", task.resources.join(", ")));
    }
    if !task.description.trim().is_empty() {
        s.push_str(&format!("Description:\n{}\n", task.description.trim()));
    }
    s
}

/// The offer an agent decides on.
pub fn offer_prompt(circle: &str, task: &Task) -> String {
    format!(
        "The facilitator of circle {circle} offers you a task.\n{}\n\
         Answer ACCEPT or REFUSE: <reason>",
        describe(task)
    )
}

/// The work an agent does; its answer is the submission.
pub fn work_prompt(circle: &str, task: &Task) -> String {
    let mut s = format!(
        "You accepted a task in circle {circle}. Do it now and answer with the result \
         itself.\n{}",
        describe(task)
    );
    if task.iteration > 1 {
        s.push_str(&format!(
            "\nThis is iteration {}. Your previous submission:\n{}\n\nThe reviewer asked for \
             changes: {}\n",
            task.iteration,
            task.result.as_deref().unwrap_or_default(),
            task.review_note.as_deref().unwrap_or_default()
        ));
    }
    s
}

/// The review an agent does of another agent's submission.
pub fn review_prompt(circle: &str, task: &Task, author: &str) -> String {
    format!(
        "Review the work {author} submitted for a task in circle {circle}.\n{}\n\
         Submission (iteration {}):\n{}\n\n\
         Answer APPROVE, or CHANGES: <what to change>, or REJECT: <why>",
        describe(task),
        task.iteration,
        task.result.as_deref().unwrap_or_default()
    )
}

/// The text after the keyword: `REFUSE: too busy` → `too busy`.
fn after(answer: &str, at: usize, keyword: &str) -> String {
    answer[at + keyword.len()..]
        .trim_start_matches([':', ' ', '-', '—', '.', ','])
        .trim()
        .to_owned()
}

/// The first of `keywords` in `answer` (case-insensitive), with where it starts.
fn first_keyword<'k>(answer: &str, keywords: &[&'k str]) -> Option<(usize, &'k str)> {
    // ASCII upper-casing keeps every byte where it was: positions hold in `answer`.
    let upper = answer.to_ascii_uppercase();
    keywords
        .iter()
        .filter_map(|k| upper.find(k).map(|at| (at, *k)))
        .min_by_key(|(at, _)| *at)
}

/// Reads an offer's answer: the first of ACCEPT / REFUSE it says; neither is a refusal.
pub fn decision(answer: &str) -> Decision {
    match first_keyword(answer, &["ACCEPT", "REFUSE"]) {
        Some((_, "ACCEPT")) => Decision::Accept,
        Some((at, k)) => {
            let reason = after(answer, at, k);
            Decision::Refuse(if reason.is_empty() {
                "no reason given".into()
            } else {
                reason
            })
        }
        None => Decision::Refuse(format!(
            "no ACCEPT or REFUSE in the answer: {}",
            answer.trim()
        )),
    }
}

/// Reads a review: the first of APPROVE / CHANGES / REJECT it says, with its note. An answer
/// with none asks for changes, with the answer as the note.
pub fn verdict(answer: &str) -> (Verdict, String) {
    match first_keyword(answer, &["APPROVE", "CHANGES", "REJECT"]) {
        Some((at, "APPROVE")) => (Verdict::Approve, after(answer, at, "APPROVE")),
        Some((at, "REJECT")) => (Verdict::Reject, after(answer, at, "REJECT")),
        Some((at, k)) => (Verdict::Changes, after(answer, at, k)),
        None => (Verdict::Changes, answer.trim().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_are_read_from_the_first_keyword() {
        assert_eq!(decision("ACCEPT"), Decision::Accept);
        assert_eq!(decision("I accept this task."), Decision::Accept);
        assert_eq!(
            decision("REFUSE: not my field"),
            Decision::Refuse("not my field".into())
        );
        assert_eq!(
            decision("Refuse - busy. I would ACCEPT later"),
            Decision::Refuse("busy. I would ACCEPT later".into())
        );
        assert!(matches!(decision("maybe?"), Decision::Refuse(r) if r.contains("maybe?")));
        assert_eq!(
            decision("REFUSE"),
            Decision::Refuse("no reason given".into())
        );
    }

    #[test]
    fn verdicts_carry_their_note() {
        assert_eq!(verdict("APPROVE").0, Verdict::Approve);
        assert_eq!(
            verdict("CHANGES: add tests"),
            (Verdict::Changes, "add tests".into())
        );
        assert_eq!(
            verdict("reject: wrong approach"),
            (Verdict::Reject, "wrong approach".into())
        );
        assert_eq!(verdict("hmm"), (Verdict::Changes, "hmm".into()));
        assert_eq!(verdict("Ça va. APPROVE").0, Verdict::Approve);
    }
}
