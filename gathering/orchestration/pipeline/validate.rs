//! Pipeline documents in, checked [`Pipeline`]s out, or every problem at once. A document is a
//! superset of the original GatheRing's format (`nodes`, `edges` with `from`/`to` or
//! `from_node`/`to_node`, `settings`); each problem has a stable code, the node or edge id it is
//! about and a JSON pointer into the document. Checks: the document's shape and unknown keys,
//! node ids (present, well-formed, unique), node types, each type's `config` against its JSON
//! Schema (`schemas.rs`), edges (ids, endpoints that exist, no self-loops), cycles (with the
//! cycle's path), a trigger and reachability from it, and every expression compiled.
//!
//! Its cost is bounded by the document: every check is one pass (adjacency lists built once;
//! the fan-outs' bodies in `bodies.rs`), each expression is at most `expr::MAX_SOURCE_BYTES`,
//! and `sources.rs` caps their bytes per document; the node and edge counts are capped
//! ([`MAX_NODES`], [`MAX_EDGES`]), and what it says is capped too (`report.rs`:
//! [`MAX_PROBLEMS`] listed, each clipped, the rest counted).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::LazyLock;
use std::time::Instant;

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use serde_json::Value;

use super::bodies::{Adjacency, Graph, RawEdge, fan_out_bodies};
use super::expr::{Condition, Expr};
use super::graph::{cycle_path, settings};
pub use super::model::*;
use super::report::{At, Deadline, MAX_CYCLE_IDS, Place, Report, clip, unknown_keys};
use super::schemas;
use super::sources::{Sources, expr_problem};

const TOP_KEYS: &[&str] = &[
    "id",
    "name",
    "description",
    "status",
    "nodes",
    "edges",
    "settings",
    "version",
    "created_at",
    "updated_at",
    "created_by",
];
const NODE_KEYS: &[&str] = &[
    "id",
    "type",
    "name",
    "config",
    "position",
    "next",
    "description",
];
const EDGE_KEYS: &[&str] = &[
    "id",
    "from",
    "to",
    "from_node",
    "to_node",
    "condition",
    "label",
];

/// A node read from the document: id, type (when known), name, config, position.
type RawNode = (String, Option<NodeKind>, String, Value, Option<Value>);

/// Each node type's config schema, compiled once for the process.
static CONFIG_VALIDATORS: LazyLock<HashMap<&'static str, jsonschema::Validator>> =
    LazyLock::new(|| {
        schemas::NODE_TYPES
            .iter()
            .filter_map(|&kind| {
                let schema = schemas::config_schema(kind)?;
                Some((kind, jsonschema::validator_for(&schema).ok()?))
            })
            .collect()
    });

/// A validation that ran past its deadline: it stopped before checking everything.
#[derive(Debug, thiserror::Error)]
#[error("validating the pipeline took longer than its budget")]
pub struct OverBudget;

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c))
}

/// Whether a top-level text field must be there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    Required,
    Optional,
}

/// Checks `doc`; returns the pipeline, or the problems found (the first [`MAX_PROBLEMS`] and
/// a count of the rest). Linear in the document's size; no deadline.
pub fn validate(doc: &Value) -> Result<Pipeline, Problems> {
    check(doc, &mut Deadline::until(None))
}

/// [`validate`], stopped with [`OverBudget`] when it is still running at `deadline`.
pub fn validate_until(
    doc: &Value,
    deadline: Instant,
) -> Result<Result<Pipeline, Problems>, OverBudget> {
    let mut budget = Deadline::until(Some(deadline));
    let verdict = check(doc, &mut budget);
    if budget.spent {
        return Err(OverBudget);
    }
    Ok(verdict)
}

fn check(doc: &Value, budget: &mut Deadline) -> Result<Pipeline, Problems> {
    let mut report = Report::default();
    let Some(top) = doc.as_object() else {
        report.add("invalid_document", "a pipeline is a JSON object");
        return Err(report.into_problems());
    };
    unknown_keys(
        &mut report,
        top,
        TOP_KEYS,
        Place {
            base: "",
            node: None,
            edge: None,
        },
    );
    let text = |key: &str, report: &mut Report, presence: Presence, max: usize| -> String {
        match top.get(key) {
            None | Some(Value::Null) => {
                if presence == Presence::Required {
                    report
                        .add("missing_field", format!("{key} is required"))
                        .at(format!("/{key}"));
                }
                String::new()
            }
            Some(Value::String(s)) if s.chars().count() <= max => s.clone(),
            Some(_) => {
                report
                    .add(
                        "invalid_field",
                        format!("{key} must be a string of at most {max} characters"),
                    )
                    .at(format!("/{key}"));
                String::new()
            }
        }
    };
    let name = text("name", &mut report, Presence::Required, 200);
    if top.get("name").is_some_and(|n| n.as_str() == Some("")) {
        report
            .add("invalid_field", "name must not be empty")
            .at("/name".into());
    }
    let description = text("description", &mut report, Presence::Optional, 4000);
    let status = text("status", &mut report, Presence::Optional, 32);
    let settings = settings(&mut report, top.get("settings"));

    // Nodes.
    let raw_nodes: &[Value] = match top.get("nodes") {
        None => {
            report
                .add("missing_field", "nodes is required")
                .at("/nodes".into());
            &[]
        }
        Some(Value::Array(nodes)) => nodes,
        Some(_) => {
            report
                .add("invalid_field", "nodes must be a list")
                .at("/nodes".into());
            &[]
        }
    };
    if top.get("nodes").is_some_and(Value::is_array) && raw_nodes.is_empty() {
        report
            .add("no_nodes", "a pipeline needs at least one node")
            .at("/nodes".into());
    }
    if raw_nodes.len() > MAX_NODES {
        report
            .add(
                "too_large",
                format!("nodes: {} of them; at most {MAX_NODES}", raw_nodes.len()),
            )
            .at("/nodes".into());
        return Err(report.into_problems());
    }
    // (index in raw_nodes, id, kind) of the nodes whose id and type are usable.
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut nodes: Vec<Option<RawNode>> = Vec::with_capacity(raw_nodes.len());
    for (i, raw) in raw_nodes.iter().enumerate() {
        if budget.over() {
            return Err(report.into_problems());
        }
        let base = format!("/nodes/{i}");
        let Some(obj) = raw.as_object() else {
            report
                .add("invalid_field", "a node is a JSON object")
                .at(base);
            nodes.push(None);
            continue;
        };
        let id = match obj.get("id") {
            Some(Value::String(id)) if valid_id(id) => id.clone(),
            Some(Value::Number(n)) => n.to_string(),
            None => {
                report
                    .add("missing_field", format!("node {i} has no id"))
                    .at(format!("{base}/id"));
                nodes.push(None);
                continue;
            }
            Some(_) => {
                report
                    .add(
                        "invalid_field",
                        "a node id is 1 to 100 of letters, digits and _ - . :",
                    )
                    .at(format!("{base}/id"));
                nodes.push(None);
                continue;
            }
        };
        unknown_keys(
            &mut report,
            obj,
            NODE_KEYS,
            Place {
                base: &base,
                node: Some(&id),
                edge: None,
            },
        );
        if index_of.insert(id.clone(), i).is_some() {
            report
                .add("duplicate_id", format!("two nodes have the id {id:?}"))
                .node(&id)
                .at(format!("{base}/id"));
        }
        let kind = match obj.get("type").and_then(Value::as_str) {
            Some(t) => match NodeKind::parse(t) {
                Some(kind) => Some(kind),
                None => {
                    report
                        .add(
                            "unknown_type",
                            format!(
                                "unknown node type {:?} (one of {})",
                                clip(t.to_owned(), 100),
                                schemas::NODE_TYPES.join(", ")
                            ),
                        )
                        .node(&id)
                        .at(format!("{base}/type"));
                    None
                }
            },
            None => {
                report
                    .add("missing_field", "a node needs a type")
                    .node(&id)
                    .at(format!("{base}/type"));
                None
            }
        };
        let name = match obj.get("name") {
            Some(Value::String(n)) => n.clone(),
            None | Some(Value::Null) => id.clone(),
            Some(_) => {
                report
                    .add("invalid_field", "a node's name is a string")
                    .node(&id)
                    .at(format!("{base}/name"));
                id.clone()
            }
        };
        let config = match obj.get("config") {
            None | Some(Value::Null) => Value::Object(Default::default()),
            Some(c @ Value::Object(_)) => c.clone(),
            Some(_) => {
                report
                    .add("invalid_field", "a node's config is a JSON object")
                    .node(&id)
                    .at(format!("{base}/config"));
                Value::Object(Default::default())
            }
        };
        if let Some(kind_name) = obj.get("type").and_then(Value::as_str)
            && let Some(validator) = CONFIG_VALIDATORS.get(kind_name)
        {
            for e in validator.iter_errors(&config) {
                if report.is_full() {
                    // Counted, not described: describing quotes the value, which may be big.
                    report.add("invalid_config", String::new());
                    continue;
                }
                let at = e.instance_path().to_string();
                report
                    .add("invalid_config", format!("{kind_name} config: {e}"))
                    .node(&id)
                    .at(format!("{base}/config{at}"));
            }
        }
        nodes.push(Some((id, kind, name, config, obj.get("position").cloned())));
    }

    // Edges.
    let raw_edges: &[Value] = match top.get("edges") {
        None | Some(Value::Null) => &[],
        Some(Value::Array(edges)) => edges,
        Some(_) => {
            report
                .add("invalid_field", "edges must be a list")
                .at("/edges".into());
            &[]
        }
    };
    if raw_edges.len() > MAX_EDGES {
        report
            .add(
                "too_large",
                format!("edges: {} of them; at most {MAX_EDGES}", raw_edges.len()),
            )
            .at("/edges".into());
        return Err(report.into_problems());
    }
    let mut edge_ids = HashSet::new();
    // (id, from index, to index, condition source, path of the condition)
    let mut edges: Vec<RawEdge> = Vec::new();
    for (i, raw) in raw_edges.iter().enumerate() {
        if budget.over() {
            return Err(report.into_problems());
        }
        let base = format!("/edges/{i}");
        let Some(obj) = raw.as_object() else {
            report
                .add("invalid_field", "an edge is a JSON object")
                .at(base);
            continue;
        };
        let id = match obj.get("id") {
            Some(Value::String(id)) if valid_id(id) => id.clone(),
            Some(Value::Number(n)) => n.to_string(),
            None => format!("edge-{i}"),
            Some(_) => {
                report
                    .add(
                        "invalid_field",
                        "an edge id is 1 to 100 of letters, digits and _ - . :",
                    )
                    .at(format!("{base}/id"));
                continue;
            }
        };
        unknown_keys(
            &mut report,
            obj,
            EDGE_KEYS,
            Place {
                base: &base,
                node: None,
                edge: Some(&id),
            },
        );
        if !edge_ids.insert(id.clone()) {
            report
                .add("duplicate_id", format!("two edges have the id {id:?}"))
                .edge(&id)
                .at(format!("{base}/id"));
        }
        let endpoint = |report: &mut Report, key: &str, alt: &str| -> Option<usize> {
            let value = obj.get(key).or_else(|| obj.get(alt));
            let shown = match value {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                None => {
                    report
                        .add("missing_field", format!("an edge needs {key}"))
                        .edge(&id)
                        .at(format!("{base}/{key}"));
                    return None;
                }
                Some(_) => {
                    report
                        .add("invalid_field", format!("{key} is a node id"))
                        .edge(&id)
                        .at(format!("{base}/{key}"));
                    return None;
                }
            };
            match index_of.get(&shown) {
                Some(&i) => Some(i),
                None => {
                    report
                        .add(
                            "unknown_node",
                            format!("{key} names no node: {:?}", clip(shown, 100)),
                        )
                        .edge(&id)
                        .at(format!("{base}/{key}"));
                    None
                }
            }
        };
        let from = endpoint(&mut report, "from", "from_node");
        let to = endpoint(&mut report, "to", "to_node");
        let condition = match obj.get("condition") {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) => Some(c.clone()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            Some(_) => {
                report
                    .add("invalid_field", "an edge's condition is a string")
                    .edge(&id)
                    .at(format!("{base}/condition"));
                None
            }
        };
        if let (Some(from), Some(to)) = (from, to) {
            if from == to {
                let node = nodes[from]
                    .as_ref()
                    .map(|n| n.0.clone())
                    .unwrap_or_default();
                report
                    .add(
                        "self_loop",
                        format!("the edge goes from {node:?} to itself"),
                    )
                    .edge(&id)
                    .node(&node)
                    .at(base);
                continue;
            }
            edges.push(RawEdge {
                id,
                from,
                to,
                condition,
                index: i,
            });
        }
    }

    // The graph: cycles, triggers, reachability.
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let vertices: Vec<NodeIndex> = (0..nodes.len()).map(|i| graph.add_node(i)).collect();
    for e in &edges {
        graph.add_edge(vertices[e.from], vertices[e.to], ());
    }
    let adjacency = Adjacency::new(nodes.len(), &edges);
    let id_of = |i: usize| nodes[i].as_ref().map(|n| n.0.clone()).unwrap_or_default();
    for component in tarjan_scc(&graph) {
        if component.len() < 2 {
            continue;
        }
        if report.is_full() {
            report.add("cycle", String::new());
            continue;
        }
        let members: HashSet<NodeIndex> = component.iter().copied().collect();
        let path = cycle_path(&graph, &members, component[0]);
        let mut ids: Vec<String> = path.iter().map(|v| id_of(graph[*v])).collect();
        let length = ids.len().saturating_sub(1);
        ids.truncate(MAX_CYCLE_IDS);
        let problem = report.add(
            "cycle",
            format!("a cycle of {length} nodes: {}", ids.join(" -> ")),
        );
        problem.node_id = ids.first().cloned();
        problem.cycle = Some(ids);
    }
    let triggers: Vec<usize> = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n, Some((_, Some(NodeKind::Trigger), ..))))
        .map(|(i, _)| i)
        .collect();
    if triggers.is_empty() && !raw_nodes.is_empty() {
        report.add(
            "no_trigger",
            "a pipeline needs a node of type trigger to start from",
        );
    } else {
        let mut seen = vec![false; nodes.len()];
        let mut queue: VecDeque<usize> = triggers.iter().copied().collect();
        for &t in &triggers {
            seen[t] = true;
        }
        while let Some(i) = queue.pop_front() {
            for &e in &adjacency.out[i] {
                let j = edges[e].to;
                if !seen[j] {
                    seen[j] = true;
                    queue.push_back(j);
                }
            }
        }
        for (i, node) in nodes.iter().enumerate() {
            if let Some((id, ..)) = node
                && !seen[i]
            {
                report
                    .add(
                        "unreachable",
                        format!("no path from a trigger reaches {id:?}"),
                    )
                    .node(id)
                    .at(format!("/nodes/{i}"));
            }
        }
    }

    // Expressions: each bounded by expr/, all together by sources.rs.
    let mut sources = Sources::new();
    let mut compiled: Vec<(Option<Condition>, Option<Expr>, Option<Expr>)> =
        vec![(None, None, None); nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        if budget.over() {
            return Err(report.into_problems());
        }
        let Some((id, Some(kind), _, config, _)) = node else {
            continue;
        };
        let base = format!("/nodes/{i}/config");
        let source = |key: &str| config.get(key).and_then(Value::as_str);
        let expr = |key: &str, report: &mut Report, sources: &mut Sources| -> Option<Expr> {
            let src = source(key)?;
            if !sources.admit(report, src, &format!("{base}/{key}")) {
                return None;
            }
            match Expr::parse(src) {
                Ok(e) => Some(e),
                Err(e) => {
                    expr_problem(report, &e, format!("{base}/{key}")).node(id);
                    None
                }
            }
        };
        match kind {
            NodeKind::Condition => {
                if let Some(src) = source("condition")
                    && sources.admit(&mut report, src, &format!("{base}/condition"))
                {
                    let preds: Vec<String> = adjacency.into[i]
                        .iter()
                        .map(|&e| id_of(edges[e].from))
                        .collect();
                    let preds: Vec<&str> = preds.iter().map(String::as_str).collect();
                    match Condition::parse(src, &preds) {
                        Ok(c) => compiled[i].0 = Some(c),
                        Err(e) => {
                            expr_problem(&mut report, &e, format!("{base}/condition")).node(id);
                        }
                    }
                }
            }
            NodeKind::Transform => compiled[i].1 = expr("expression", &mut report, &mut sources),
            NodeKind::Filter => {
                compiled[i].1 = expr("condition", &mut report, &mut sources);
                compiled[i].2 = expr("items", &mut report, &mut sources);
            }
            NodeKind::Parallel => compiled[i].2 = expr("items", &mut report, &mut sources),
            _ => {}
        }
    }
    let mut edge_conditions = Vec::with_capacity(edges.len());
    for edge in &edges {
        if budget.over() {
            return Err(report.into_problems());
        }
        let at = format!("/edges/{}/condition", edge.index);
        let parsed = match &edge.condition {
            None => None,
            Some(src) if !sources.admit(&mut report, src, &at) => None,
            Some(src) => {
                let from_id = id_of(edge.from);
                match Condition::parse(src, &[from_id.as_str()]) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        expr_problem(&mut report, &e, at).edge(&edge.id);
                        None
                    }
                }
            }
        };
        edge_conditions.push(parsed);
    }

    let kinds: Vec<(String, Option<NodeKind>)> = nodes
        .iter()
        .map(|n| n.as_ref().map(|n| (n.0.clone(), n.1)).unwrap_or_default())
        .collect();
    let fans_out: Vec<bool> = (0..nodes.len())
        .map(|i| kinds[i].1 == Some(NodeKind::Parallel) && compiled[i].2.is_some())
        .collect();
    let bodies = fan_out_bodies(
        &mut report,
        &Graph {
            nodes: &kinds,
            edges: &edges,
            adjacency: &adjacency,
            fans_out: &fans_out,
        },
    );

    if !report.is_empty() {
        return Err(report.into_problems());
    }
    let order = toposort(&graph, None)
        .map_err(|_| {
            let mut report = Report::default();
            report.add("cycle", "the graph has a cycle");
            report.into_problems()
        })?
        .into_iter()
        .map(|v| graph[v])
        .collect();
    let nodes = nodes
        .into_iter()
        .zip(compiled)
        .zip(bodies)
        .filter_map(|((node, (condition, expression, items)), body)| {
            let (id, kind, name, config, position) = node?;
            Some(Node {
                id,
                kind: kind?,
                name,
                config,
                position,
                condition,
                expression,
                items,
                body,
            })
        })
        .collect();
    let edges = edges
        .into_iter()
        .zip(edge_conditions)
        .map(|(e, condition)| Edge {
            id: e.id,
            from: e.from,
            to: e.to,
            condition,
        })
        .collect();
    Ok(Pipeline {
        name,
        description,
        status: if status.is_empty() {
            "active".into()
        } else {
            status
        },
        nodes,
        edges,
        settings,
        order,
    })
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "validate_cost_tests.rs"]
mod cost_tests;
