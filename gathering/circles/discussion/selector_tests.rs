//! Tests of selector mode: the prompt, answers in every shape, and the fallbacks.

use super::*;
use crate::circles::discussion::turns::tests::{after, circle, graph, id};
use crate::circles::discussion::turns::{Mode, Transitions, candidates, next};

#[test]
fn selector_asks_with_the_candidates_and_a_json_prompt() {
    let ps = circle(&["ann", "bob", "cid"]);
    let sit = after(&ps, "ann", "");
    assert_eq!(
        next(Mode::Selector, &sit),
        Choice::AskSelector {
            candidates: vec![id(&ps, "bob"), id(&ps, "cid")]
        }
    );
    let prompt = selector_prompt("Pricing", &["bob", "cid"], "ann: we should raise prices\n");
    assert!(prompt.contains("Topic: Pricing"));
    assert!(
        prompt.contains("ann: we should raise prices\n\nChoose the next speaker among: bob, cid.")
    );
    assert!(prompt.contains(r#"{"speaker": "<one of: bob, cid>", "reason": "#));
    assert!(selector_prompt("t", &["bob"], " ").contains("(none yet)"));
}

#[test]
fn selector_answers_are_read_in_every_shape() {
    let ps = circle(&["ann", "bob", "cid"]);
    let sit = after(&ps, "ann", "");
    let cands = candidates(&sit);
    for (answer, who, reason) in [
        (
            r#"{"speaker": "cid", "reason": "knows costs"}"#,
            "cid",
            "selector: knows costs",
        ),
        (
            "Sure!\n```json\n{\"speaker\": \"Bob\", \"reason\": \"he\\nasked\"}\n```\nDone.",
            "bob",
            "selector: he asked",
        ),
        (r#"{"speaker": "@cid"}"#, "cid", "selector"),
        ("cid", "cid", "selector"),
        ("  \"Bob\".  ", "bob", "selector"),
        ("I think cid should speak next.", "cid", "selector"),
        (
            "{not json} then {\"speaker\": \"bob\", \"reason\": 3}",
            "bob",
            "selector: 3",
        ),
    ] {
        assert_eq!(
            selector_pick(answer, &sit, &cands),
            Choice::Agent {
                id: id(&ps, who),
                reason: reason.into()
            },
            "{answer}"
        );
    }
    let long = format!(r#"{{"speaker": "bob", "reason": "{}"}}"#, "x".repeat(500));
    let Choice::Agent { reason, .. } = selector_pick(&long, &sit, &cands) else {
        panic!("bob")
    };
    assert_eq!(reason.chars().count(), "selector: ".len() + 200 + 1);
}

#[test]
fn selector_falls_back_to_round_robin_and_says_why() {
    let ps = circle(&["ann", "bob", "cid"]);
    let t =
        Transitions::parse(&graph(&[("bob", &["ann", "cid"]), ("ann", &["cid"])]), &ps).unwrap();
    let sit = Situation {
        transitions: Some(&t),
        ..after(&ps, "ann", "")
    };
    let cands = candidates(&sit);
    assert_eq!(cands, [id(&ps, "cid")]);
    for (answer, why) in [
        (r#"{"speaker": "dan"}"#, "fallback: unknown speaker \"dan\""),
        ("dan", "fallback: unknown speaker \"dan\""),
        (
            r#"{"speaker": "ann", "reason": "again"}"#,
            "fallback: ann spoke last",
        ),
        ("ANN", "fallback: ann spoke last"),
        (r#"{"speaker": "bob"}"#, "fallback: bob may not speak now"),
        ("", "fallback: the answer names no speaker"),
        (
            "I cannot decide between bob and cid, sorry.",
            "fallback: the answer names no speaker",
        ),
        (
            r#"{"speaker": null}"#,
            "fallback: the answer names no speaker",
        ),
        (r#"{"speaker": 42}"#, "fallback: unknown speaker \"42\""),
    ] {
        assert_eq!(
            selector_pick(answer, &sit, &cands),
            Choice::Agent {
                id: id(&ps, "cid"),
                reason: why.into()
            },
            "{answer}"
        );
    }
    assert_eq!(selector_pick("cid", &sit, &[]), Choice::NoSpeaker);
}
