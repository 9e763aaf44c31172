//! Helpers of validation: a cycle's path inside a strongly connected component, and the
//! settings read with their defaults.

use std::collections::{HashMap, HashSet, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};
use serde_json::Value;

use super::model::Settings;
use super::report::{At, Report};
use super::schemas;

/// A cycle through `start` inside one strongly connected component, as vertices, the first
/// repeated at the end.
pub(super) fn cycle_path(
    graph: &DiGraph<usize, ()>,
    members: &HashSet<NodeIndex>,
    start: NodeIndex,
) -> Vec<NodeIndex> {
    // Breadth-first from start's successors back to start, within the component.
    let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = VecDeque::new();
    for next in graph.neighbors(start) {
        if members.contains(&next) && !parent.contains_key(&next) {
            parent.insert(next, start);
            queue.push_back(next);
        }
    }
    while let Some(v) = queue.pop_front() {
        if v == start {
            break;
        }
        for next in graph.neighbors(v) {
            if members.contains(&next) && !parent.contains_key(&next) {
                parent.insert(next, v);
                queue.push_back(next);
            }
        }
    }
    let mut path = vec![start];
    let mut at = start;
    while let Some(&p) = parent.get(&at) {
        path.push(p);
        if p == start || path.len() > members.len() + 1 {
            break;
        }
        at = p;
    }
    path.reverse();
    path
}

pub(super) fn settings(report: &mut Report, raw: Option<&Value>) -> Settings {
    let mut s = Settings::default();
    let Some(raw) = raw.filter(|v| !v.is_null()) else {
        return s;
    };
    if let Ok(validator) = jsonschema::validator_for(&schemas::settings_schema()) {
        let mut bad = false;
        for e in validator.iter_errors(raw) {
            bad = true;
            report
                .add("invalid_settings", format!("settings: {e}"))
                .at(format!("/settings{}", e.instance_path()));
        }
        if bad {
            return s;
        }
    }
    let num = |key: &str| raw.get(key).and_then(Value::as_f64);
    if let Some(v) = num("timeout_seconds") {
        s.timeout_seconds = v;
    }
    if let Some(v) = num("max_retries_per_node") {
        s.max_retries_per_node = v as u32;
    }
    if let Some(v) = num("retry_backoff_base") {
        s.retry_backoff_base = v;
    }
    if let Some(v) = num("retry_backoff_max") {
        s.retry_backoff_max = v;
    }
    if let Some(v) = num("max_parallel") {
        s.max_parallel = v as usize;
    }
    if let Some(v) = num("failure_threshold") {
        s.failure_threshold = v as u32;
    }
    if let Some(v) = num("recovery_seconds") {
        s.recovery_seconds = v;
    }
    s
}
