//! Tests of pipeline validation: the original's format, every problem kind reported together,
//! cycles with their path, and (property) that the order respects every edge.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn original() -> Value {
    json!({"name": "example", "description": "", "status": "active",
     "nodes": [
       {"id": "t1", "type": "trigger", "name": "Start", "config": {"trigger_type": "manual"},
        "position": {"x": 50, "y": 100}},
       {"id": "c1", "type": "condition", "name": "Has PR?", "config": {"condition": "input.pr"}},
       {"id": "a1", "type": "agent", "name": "Review", "config": {"agent_id": 1, "task": "Review the PR"}},
       {"id": "d1", "type": "delay", "name": "Wait", "config": {"delay_seconds": 5}},
       {"id": "x1", "type": "action", "name": "Notify",
        "config": {"action": "call_api", "url": "https://example.invalid/hook", "tool_name": "http_post"}}],
     "edges": [{"id": "e1", "from": "t1", "to": "c1"}, {"id": "e2", "from": "c1", "to": "a1"},
               {"id": "e3", "from_node": "a1", "to_node": "d1"}, {"id": "e4", "from": "d1", "to": "x1"}]})
}

fn codes(problems: &[Problem]) -> Vec<&str> {
    let mut codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

#[test]
fn the_originals_format_loads_and_means_the_same() {
    let p = validate(&original()).unwrap();
    assert_eq!(p.nodes.len(), 5);
    assert_eq!(p.edges.len(), 4);
    let ids: Vec<&str> = p.order.iter().map(|&i| p.nodes[i].id.as_str()).collect();
    assert_eq!(ids, ["t1", "c1", "a1", "d1", "x1"]);
    assert!(matches!(
        p.nodes[1].condition,
        Some(Condition::InputKey(ref k)) if k == "pr"
    ));
    assert_eq!(p.settings, Settings::default());
    assert_eq!(p.status, "active");
}

#[test]
fn every_problem_is_reported_at_once_with_its_node_or_edge() {
    let doc = json!({"name": "broken", "colour": "red",
      "nodes": [
        {"id": "t", "type": "trigger"},
        {"id": "a", "type": "agent", "config": {"agent": "reviewer"}},
        {"id": "a", "type": "delay", "config": {"seconds": 1}},
        {"id": "x", "type": "teleport"},
        {"id": "d", "type": "delay", "config": {"secs": 3}},
        {"id": "c", "type": "condition", "config": {"condition": "input.n >"}},
        {"id": "p", "type": "transform", "config": {"expression": "1 +"}},
        {"id": "q", "type": "transform", "config": {"expression": "input"}},
        {"id": "lonely", "type": "merge"}],
      "edges": [
        {"id": "e1", "from": "t", "to": "a"},
        {"id": "e2", "from": "a", "to": "ghost"},
        {"id": "e3", "from": "d", "to": "d"},
        {"id": "e4", "from": "t", "to": "c"},
        {"id": "e5", "from": "c", "to": "p"},
        {"id": "e6", "from": "p", "to": "q"},
        {"id": "e7", "from": "q", "to": "p"},
        {"id": "e7", "from": "t", "to": "x", "condition": "true"}],
      "settings": {"max_parallel": 0}});
    let problems = validate(&doc).unwrap_err().listed;
    assert_eq!(
        codes(&problems),
        [
            "bad_expression",
            "cycle",
            "duplicate_id",
            "invalid_config",
            "invalid_settings",
            "self_loop",
            "unknown_field",
            "unknown_node",
            "unknown_type",
            "unreachable"
        ],
        "{problems:#?}"
    );
    let find = |code: &'static str| problems.iter().filter(move |p| p.code == code);
    assert!(find("invalid_config").any(|p| p.node_id.as_deref() == Some("a")));
    assert!(find("invalid_config").any(|p| p.node_id.as_deref() == Some("d")));
    assert!(find("unknown_node").any(|p| p.edge_id.as_deref() == Some("e2")));
    assert!(find("self_loop").any(|p| p.edge_id.as_deref() == Some("e3")));
    assert!(find("unreachable").any(|p| p.node_id.as_deref() == Some("lonely")));
    assert!(find("unknown_type").any(|p| p.node_id.as_deref() == Some("x")));
    assert!(find("bad_expression").any(|p| p.node_id.as_deref() == Some("c")));
    assert!(find("bad_expression").any(|p| p.node_id.as_deref() == Some("p")));
    assert!(find("duplicate_id").any(|p| p.node_id.as_deref() == Some("a")));
    assert!(find("duplicate_id").any(|p| p.edge_id.as_deref() == Some("e7")));
    let cycle = find("cycle").next().unwrap().cycle.clone().unwrap();
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 3, "{cycle:?}");
    assert!(cycle.contains(&"p".to_owned()) && cycle.contains(&"q".to_owned()));
    assert_eq!(
        find("unknown_field").next().unwrap().path.as_deref(),
        Some("/colour")
    );
}

#[test]
fn empty_triggerless_and_shapeless_documents_are_refused() {
    assert_eq!(
        codes(&validate(&json!([])).unwrap_err().listed),
        ["invalid_document"]
    );
    assert_eq!(
        codes(
            &validate(&json!({"name": "n", "nodes": []}))
                .unwrap_err()
                .listed
        ),
        ["no_nodes"]
    );
    let no_trigger = json!({"name": "n", "nodes": [{"id": "m", "type": "merge"}]});
    assert_eq!(
        codes(&validate(&no_trigger).unwrap_err().listed),
        ["no_trigger"]
    );
    assert_eq!(
        codes(
            &validate(&json!({"nodes": [{"id": "t", "type": "trigger"}]}))
                .unwrap_err()
                .listed
        ),
        ["missing_field"]
    );
}

#[test]
fn a_longer_cycle_is_reported_with_its_path() {
    let doc = json!({"name": "loop", "nodes": [
        {"id": "t", "type": "trigger"}, {"id": "a", "type": "merge"},
        {"id": "b", "type": "merge"}, {"id": "c", "type": "merge"}],
      "edges": [{"id": "1", "from": "t", "to": "a"}, {"id": "2", "from": "a", "to": "b"},
                {"id": "3", "from": "b", "to": "c"}, {"id": "4", "from": "c", "to": "a"}]});
    let problems = validate(&doc).unwrap_err().listed;
    assert_eq!(codes(&problems), ["cycle"]);
    let cycle = problems[0].cycle.clone().unwrap();
    assert_eq!(cycle.len(), 4, "{cycle:?}");
    assert_eq!(cycle.first(), cycle.last());
    for pair in cycle.windows(2) {
        let next = match pair[0].as_str() {
            "a" => "b",
            "b" => "c",
            _ => "a",
        };
        assert_eq!(pair[1], next, "{cycle:?} follows the edges");
    }
}

proptest! {
    /// Any DAG (edges only from a lower to a higher index) validates, and its order puts every
    /// edge's source before its target.
    #[test]
    fn the_order_respects_every_edge(n in 2usize..40, picks in proptest::collection::vec((0usize..40, 0usize..40), 0..120)) {
        let mut nodes = vec![json!({"id": "n0", "type": "trigger"})];
        for i in 1..n {
            nodes.push(json!({"id": format!("n{i}"), "type": "merge"}));
        }
        let mut edges: Vec<Value> = (1..n)
            .map(|i| json!({"id": format!("chain{i}"), "from": format!("n{}", i - 1), "to": format!("n{i}")}))
            .collect();
        for (k, (a, b)) in picks.iter().enumerate() {
            let (a, b) = (a % n, b % n);
            if a < b {
                edges.push(json!({"id": format!("x{k}"), "from": format!("n{a}"), "to": format!("n{b}")}));
            }
        }
        let p = validate(&json!({"name": "dag", "nodes": nodes, "edges": edges})).unwrap();
        let mut position = vec![0; p.nodes.len()];
        for (at, &node) in p.order.iter().enumerate() {
            position[node] = at;
        }
        for e in &p.edges {
            prop_assert!(position[e.from] < position[e.to]);
        }
    }
}

#[test]
fn the_documented_examples_validate() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/pipelines");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if let Err(problems) = validate(&doc) {
                panic!("{}: {problems:#?}", path.display());
            }
            count += 1;
        }
    }
    assert!(count >= 5, "{count} examples");
}

#[test]
fn a_fan_outs_body_runs_up_to_a_merge_and_takes_input_only_from_inside() {
    let doc = json!({"name": "fan", "nodes": [
        {"id": "t", "type": "trigger"},
        {"id": "each", "type": "parallel", "config": {"items": "trigger.xs"}},
        {"id": "a", "type": "transform", "config": {"expression": "input.item"}},
        {"id": "b", "type": "transform", "config": {"expression": "input"}},
        {"id": "m", "type": "merge"},
        {"id": "after", "type": "transform", "config": {"expression": "input"}}],
      "edges": [
        {"id": "e1", "from": "t", "to": "each"}, {"id": "e2", "from": "each", "to": "a"},
        {"id": "e3", "from": "a", "to": "b"}, {"id": "e4", "from": "b", "to": "m"},
        {"id": "e5", "from": "m", "to": "after"}]});
    let p = validate(&doc).unwrap();
    let body: Vec<&str> = p.nodes[1]
        .body
        .iter()
        .map(|&i| p.nodes[i].id.as_str())
        .collect();
    assert_eq!(body, ["a", "b"]);
    assert_eq!(p.fanned_by(3), Some(1));
    assert_eq!(p.fanned_by(4), None);
    let item = p.fan_out_body(1);
    let ids: Vec<&str> = item.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["each", "a", "b"]);
    assert_eq!(item.nodes[0].kind, NodeKind::Trigger);
    assert_eq!(item.edges.len(), 2);
    assert_eq!(item.order, [0, 1, 2]);

    // A body node fed from outside, and a fan-out inside another: both reported, together.
    let doc = json!({"name": "fan", "nodes": [
        {"id": "t", "type": "trigger"},
        {"id": "each", "type": "parallel", "config": {"items": "trigger.xs"}},
        {"id": "a", "type": "transform", "config": {"expression": "input.item"}},
        {"id": "side", "type": "transform", "config": {"expression": "1"}},
        {"id": "inner", "type": "parallel", "config": {"items": "input.ys"}},
        {"id": "z", "type": "delay", "config": {"seconds": "soon"}}],
      "edges": [
        {"id": "e1", "from": "t", "to": "each"}, {"id": "e2", "from": "each", "to": "a"},
        {"id": "e3", "from": "t", "to": "side"}, {"id": "e4", "from": "side", "to": "a"},
        {"id": "e5", "from": "a", "to": "inner"}, {"id": "e6", "from": "t", "to": "z"}]});
    let problems = validate(&doc).unwrap_err().listed;
    assert_eq!(codes(&problems), ["fan_out", "invalid_config"]);
    let fan: Vec<(&str, Option<&str>)> = problems
        .iter()
        .filter(|p| p.code == "fan_out")
        .map(|p| (p.node_id.as_deref().unwrap(), p.edge_id.as_deref()))
        .collect();
    assert!(fan.contains(&("a", Some("e4"))), "{problems:?}");
    assert!(fan.contains(&("inner", None)), "{problems:?}");
}
