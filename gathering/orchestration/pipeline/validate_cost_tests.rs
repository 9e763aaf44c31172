//! Tests that validation's work and output stay bounded whatever the document: problems capped
//! with a count of the rest, each problem small, fan-out problems at most one per node and one
//! per edge, and the one-pass fan-out check agreeing with the search-per-fan-out definition.
//! No timing: the bounds are on what is produced.

use std::collections::{HashSet, VecDeque};

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::orchestration::pipeline::report::{MAX_CYCLE_IDS, MAX_MESSAGE_CHARS};

/// The most bytes one problem serialises to: a clipped message and path (each character at
/// most 6 bytes escaped), ids of at most 100 characters, at most 16 cycle ids.
const MAX_PROBLEM_BYTES: usize = 8 * 1024;

/// A trigger then `n` parallel nodes in a chain, each fanning out over `input.items` (the
/// issue's request).
fn chain_of_fan_outs(n: usize) -> Value {
    let mut nodes = vec![json!({"id": "t", "type": "trigger"})];
    let mut edges = Vec::new();
    for i in 0..n {
        nodes.push(json!({"id": format!("p{i}"), "type": "parallel",
                          "config": {"items": "input.items"}}));
        let from = if i == 0 {
            "t".to_owned()
        } else {
            format!("p{}", i - 1)
        };
        edges.push(json!({"id": format!("e{i}"), "from": from, "to": format!("p{i}")}));
    }
    json!({"name": "chain", "nodes": nodes, "edges": edges})
}

fn serialised_len(problems: &Problems) -> usize {
    serde_json::to_vec(&problems.listed).unwrap().len()
}

/// Fails on the code before this change: a chain of n fan-outs gave n(n-1)/2 problems (each
/// fan-out reported inside every earlier one: 44,850 for 300, 4.5 M for 3,000), all listed.
#[test]
fn a_chain_of_fan_outs_gives_one_problem_per_nested_fan_out_and_lists_at_most_the_cap() {
    let problems = validate(&chain_of_fan_outs(300)).unwrap_err();
    assert_eq!(problems.listed.len(), MAX_PROBLEMS);
    assert_eq!(
        problems.total(),
        299,
        "each fan-out but the first is nested once"
    );
    assert!(problems.listed.iter().all(|p| p.code == "fan_out"));
    assert!(serialised_len(&problems) <= MAX_PROBLEMS * MAX_PROBLEM_BYTES);
}

/// The request: 3,000 chained fan-outs. Counting, not timing: 2,999 problems found,
/// 100 listed.
#[test]
fn the_three_thousand_fan_out_chain_is_answered_with_capped_problems() {
    let problems = validate(&chain_of_fan_outs(3_000)).unwrap_err();
    assert_eq!(problems.listed.len(), MAX_PROBLEMS);
    assert_eq!(problems.omitted, 2_999 - MAX_PROBLEMS);
}

#[test]
fn past_the_node_limit_only_the_limit_is_reported() {
    let problems = validate(&chain_of_fan_outs(MAX_NODES)).unwrap_err();
    assert_eq!(problems.total(), 1);
    let p = &problems.listed[0];
    assert_eq!(p.code, "too_large");
    assert_eq!(p.path.as_deref(), Some("/nodes"));
    assert!(p.message.contains("nodes"), "{}", p.message);
}

/// Fails on the code before this change: one problem quoted the whole unknown key and the
/// whole cycle, so one request's answer could be many times its size.
#[test]
fn huge_keys_long_cycles_and_many_bad_configs_give_a_small_answer() {
    let key = "k".repeat(100_000);
    let mut nodes = vec![json!({"id": "t", "type": "trigger", key.clone(): 1})];
    let mut edges = vec![json!({"id": "in", "from": "t", "to": "m0"})];
    for i in 0..1_000 {
        nodes.push(json!({"id": format!("m{i}"), "type": "merge"}));
        edges.push(json!({"id": format!("c{i}"), "from": format!("m{i}"),
                          "to": format!("m{}", (i + 1) % 1_000)}));
    }
    // Each unreachable with a bad config: 100 problems, the cycle listed between them.
    for i in 0..50 {
        nodes.push(json!({"id": format!("d{i}"), "type": "delay",
                          "config": {"seconds": "x".repeat(1_000)}}));
    }
    let problems = validate(&json!({"name": "big", "nodes": nodes, "edges": edges})).unwrap_err();
    assert!(problems.total() > MAX_PROBLEMS, "{}", problems.total());
    assert_eq!(problems.listed.len(), MAX_PROBLEMS);
    for p in &problems.listed {
        assert!(p.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
        assert!(p.cycle.as_ref().is_none_or(|c| c.len() <= MAX_CYCLE_IDS));
    }
    let cycle = problems.listed.iter().find(|p| p.code == "cycle").unwrap();
    assert!(cycle.message.contains("1000 nodes"), "{}", cycle.message);
    assert!(serialised_len(&problems) <= MAX_PROBLEMS * MAX_PROBLEM_BYTES);
}

/// A small random graph: node kinds (a fan-out is a parallel node with items), edges by index.
#[derive(Debug, Clone)]
struct Shape {
    kinds: Vec<u8>,
    edges: Vec<(usize, usize)>,
}

fn shapes() -> impl Strategy<Value = Shape> {
    (2usize..14)
        .prop_flat_map(|n| {
            (
                proptest::collection::vec(0u8..4, n),
                proptest::collection::vec((0..n, 0..n), 0..3 * n),
            )
        })
        .prop_map(|(mut kinds, edges)| {
            kinds[0] = 0;
            Shape { kinds, edges }
        })
}

/// 0: trigger (only node 0), 1: a fan-out, 2: merge, 3: transform.
fn document(shape: &Shape) -> Value {
    let nodes: Vec<Value> = shape
        .kinds
        .iter()
        .enumerate()
        .map(|(i, k)| match (i, k) {
            (0, _) => json!({"id": "n0", "type": "trigger"}),
            (_, 1) => json!({"id": format!("n{i}"), "type": "parallel",
                             "config": {"items": "input.items"}}),
            (_, 2) => json!({"id": format!("n{i}"), "type": "merge"}),
            _ => json!({"id": format!("n{i}"), "type": "transform",
                        "config": {"expression": "input"}}),
        })
        .collect();
    let edges: Vec<Value> = shape
        .edges
        .iter()
        .enumerate()
        .map(|(k, (a, b))| json!({"id": format!("e{k}"), "from": format!("n{a}"), "to": format!("n{b}")}))
        .collect();
    json!({"name": "random", "nodes": nodes, "edges": edges})
}

/// The definition, one search per fan-out (the code before this change): each fan-out's body,
/// and whether any body holds a fan-out or takes input from outside.
fn bodies_by_definition(shape: &Shape) -> (Vec<HashSet<usize>>, bool) {
    let n = shape.kinds.len();
    let edges: Vec<(usize, usize)> = shape
        .edges
        .iter()
        .copied()
        .filter(|(a, b)| a != b)
        .collect();
    let fans_out = |i: usize| i != 0 && shape.kinds[i] == 1;
    let mut bodies = vec![HashSet::new(); n];
    let mut bad = false;
    for p in (0..n).filter(|&p| fans_out(p)) {
        let mut inside = HashSet::new();
        let mut queue = VecDeque::from([p]);
        while let Some(i) = queue.pop_front() {
            for &(_, j) in edges.iter().filter(|e| e.0 == i) {
                if j == p || inside.contains(&j) || (j != 0 && shape.kinds[j] == 2) {
                    continue;
                }
                inside.insert(j);
                queue.push_back(j);
            }
        }
        for &j in &inside {
            bad |= fans_out(j);
            bad |= edges
                .iter()
                .any(|&(a, b)| b == j && a != p && !inside.contains(&a));
        }
        bodies[p] = inside;
    }
    (bodies, bad)
}

proptest! {
    /// The one-pass check reports a fan-out problem exactly when the definition finds one, and
    /// otherwise finds the same bodies; it never reports more fan-out problems than nodes and
    /// edges together.
    #[test]
    fn the_one_pass_fan_out_check_agrees_with_the_definition(shape in shapes()) {
        let doc = document(&shape);
        let (expected, bad) = bodies_by_definition(&shape);
        match validate(&doc) {
            Ok(p) => {
                prop_assert!(!bad);
                for (i, node) in p.nodes.iter().enumerate() {
                    let body: HashSet<usize> = node.body.iter().copied().collect();
                    prop_assert_eq!(&body, &expected[i]);
                }
            }
            Err(problems) => {
                let fan_out = problems.listed.iter().filter(|p| p.code == "fan_out").count();
                prop_assert_eq!(fan_out > 0, bad, "{:?}", problems);
                prop_assert!(fan_out <= shape.kinds.len() + shape.edges.len());
            }
        }
    }

    /// Any document of up to a few hundred nodes and edges of any kinds: at most the cap
    /// listed, each problem small, and problems found at most linear in the document.
    #[test]
    fn problems_and_output_stay_bounded(
        kinds in proptest::collection::vec(0u8..4, 1..300),
        picks in proptest::collection::vec((0usize..300, 0usize..300), 0..900),
    ) {
        let n = kinds.len();
        let edges: Vec<(usize, usize)> = picks.iter().map(|(a, b)| (a % n, b % n)).collect();
        let shape = Shape { kinds, edges };
        if let Err(problems) = validate(&document(&shape)) {
            prop_assert!(problems.listed.len() <= MAX_PROBLEMS);
            prop_assert!(serialised_len(&problems) <= MAX_PROBLEMS * MAX_PROBLEM_BYTES);
            // Per node: unreachable, a nested fan-out, a cycle (at most n / 2); per edge: a
            // self-loop, a fan-out input from outside.
            prop_assert!(problems.total() <= 3 * n + 2 * shape.edges.len());
        }
    }
}

/// Fails on the code before this change: 2 MiB of expressions were all compiled (4.3 s in a
/// release build for 1,600 expressions at the operator and nesting limits).
#[test]
fn expressions_past_the_documents_byte_budget_are_not_compiled() {
    let expression = format!("{}input.a{}", "(".repeat(60), " + 1".repeat(200)) + &")".repeat(60);
    let n = crate::orchestration::pipeline::sources::MAX_EXPRESSION_BYTES / expression.len() + 10;
    let mut nodes = vec![json!({"id": "t", "type": "trigger"})];
    let mut edges = Vec::new();
    for i in 0..n {
        nodes.push(json!({"id": format!("x{i}"), "type": "transform",
                          "config": {"expression": expression}}));
        let from = if i == 0 {
            "t".to_owned()
        } else {
            format!("x{}", i - 1)
        };
        edges.push(json!({"from": from, "to": format!("x{i}")}));
    }
    let problems = validate(&json!({"name": "long", "nodes": nodes, "edges": edges})).unwrap_err();
    assert_eq!(problems.total(), 1, "{problems:?}");
    let p = &problems.listed[0];
    assert_eq!(p.code, "too_large");
    let first_refused = n - 10;
    assert_eq!(
        p.path.as_deref(),
        Some(format!("/nodes/{}/config/expression", first_refused + 1).as_str())
    );
}
