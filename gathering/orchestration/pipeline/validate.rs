//! Pipeline documents in, checked [`Pipeline`]s out, or every problem at once. A document is a
//! superset of the original GatheRing's format (`nodes`, `edges` with `from`/`to` or
//! `from_node`/`to_node`, `settings`); each problem has a stable code, the node or edge id it is
//! about and a JSON pointer into the document. Checks: the document's shape and unknown keys,
//! node ids (present, well-formed, unique), node types, each type's `config` against its JSON
//! Schema (`schemas.rs`), edges (ids, endpoints that exist, no self-loops), cycles (with the
//! cycle's path), a trigger and reachability from it, and every expression compiled.

use std::collections::{HashMap, HashSet, VecDeque};

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use serde_json::Value;

use super::expr::{Condition, Expr, ExprError};
use super::graph::{cycle_path, settings};
pub use super::model::*;
use super::schemas;

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

/// Collects problems.
#[derive(Default)]
pub(super) struct Report(Vec<Problem>);

impl Report {
    pub(super) fn add(&mut self, code: &str, message: impl Into<String>) -> &mut Problem {
        self.0.push(Problem {
            code: code.to_owned(),
            message: message.into(),
            node_id: None,
            edge_id: None,
            path: None,
            cycle: None,
        });
        self.0.last_mut().expect("just pushed")
    }
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
        self.path = Some(path);
        self
    }
}

fn unknown_keys(
    report: &mut Report,
    object: &serde_json::Map<String, Value>,
    allowed: &[&str],
    base: &str,
) -> Vec<String> {
    let mut unknown = Vec::new();
    for key in object.keys() {
        if !allowed.contains(&key.as_str()) {
            report
                .add(
                    "unknown_field",
                    format!("unknown key {key:?} (allowed: {})", allowed.join(", ")),
                )
                .at(format!("{base}/{}", escape(key)));
            unknown.push(key.clone());
        }
    }
    unknown
}

/// A JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c))
}

fn expr_problem<'a>(report: &'a mut Report, e: &ExprError, path: String) -> &'a mut Problem {
    let message = match e.column {
        Some(column) => format!("{} (column {column})", e.message),
        None => e.message.clone(),
    };
    report.add("bad_expression", message).at(path)
}

/// Checks `doc`; returns the pipeline, or every problem found.
pub fn validate(doc: &Value) -> Result<Pipeline, Vec<Problem>> {
    let mut report = Report::default();
    let Some(top) = doc.as_object() else {
        report.add("invalid_document", "a pipeline is a JSON object");
        return Err(report.0);
    };
    unknown_keys(&mut report, top, TOP_KEYS, "");
    let text = |key: &str, report: &mut Report, required: bool, max: usize| -> String {
        match top.get(key) {
            None | Some(Value::Null) => {
                if required {
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
    let name = text("name", &mut report, true, 200);
    if top.get("name").is_some_and(|n| n.as_str() == Some("")) {
        report
            .add("invalid_field", "name must not be empty")
            .at("/name".into());
    }
    let description = text("description", &mut report, false, 4000);
    let status = text("status", &mut report, false, 32);
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
                format!("{} nodes; at most {MAX_NODES}", raw_nodes.len()),
            )
            .at("/nodes".into());
        return Err(report.0);
    }
    // (index in raw_nodes, id, kind) of the nodes whose id and type are usable.
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut nodes: Vec<Option<RawNode>> = Vec::with_capacity(raw_nodes.len());
    for (i, raw) in raw_nodes.iter().enumerate() {
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
        unknown_keys(&mut report, obj, NODE_KEYS, &base)
            .iter()
            .for_each(|_| {
                if let Some(last) = report.0.last_mut() {
                    last.node(&id);
                }
            });
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
                                "unknown node type {t:?} (one of {})",
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
            && let Some(schema) = schemas::config_schema(kind_name)
            && let Ok(validator) = jsonschema::validator_for(&schema)
        {
            for e in validator.iter_errors(&config) {
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
                format!("{} edges; at most {MAX_EDGES}", raw_edges.len()),
            )
            .at("/edges".into());
        return Err(report.0);
    }
    let mut edge_ids = HashSet::new();
    // (id, from index, to index, condition source, path of the condition)
    let mut edges: Vec<(String, usize, usize, Option<String>)> = Vec::new();
    for (i, raw) in raw_edges.iter().enumerate() {
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
        for _ in unknown_keys(&mut report, obj, EDGE_KEYS, &base) {
            if let Some(last) = report.0.last_mut() {
                last.edge(&id);
            }
        }
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
                        .add("unknown_node", format!("{key} names no node: {shown:?}"))
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
            edges.push((id, from, to, condition));
        }
    }

    // The graph: cycles, triggers, reachability.
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let vertices: Vec<NodeIndex> = (0..nodes.len()).map(|i| graph.add_node(i)).collect();
    for (_, from, to, _) in &edges {
        graph.add_edge(vertices[*from], vertices[*to], ());
    }
    let id_of = |i: usize| nodes[i].as_ref().map(|n| n.0.clone()).unwrap_or_default();
    for component in tarjan_scc(&graph) {
        if component.len() < 2 {
            continue;
        }
        let members: HashSet<NodeIndex> = component.iter().copied().collect();
        let path = cycle_path(&graph, &members, component[0]);
        let ids: Vec<String> = path.iter().map(|v| id_of(graph[*v])).collect();
        let problem = report.add("cycle", format!("a cycle: {}", ids.join(" -> ")));
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
            for next in graph.neighbors(vertices[i]) {
                let j = graph[next];
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

    // Expressions.
    let mut compiled: Vec<(Option<Condition>, Option<Expr>, Option<Expr>)> =
        vec![(None, None, None); nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        let Some((id, Some(kind), _, config, _)) = node else {
            continue;
        };
        let base = format!("/nodes/{i}/config");
        let source = |key: &str| config.get(key).and_then(Value::as_str);
        let expr = |key: &str, report: &mut Report| -> Option<Expr> {
            let src = source(key)?;
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
                if let Some(src) = source("condition") {
                    let preds: Vec<String> = edges
                        .iter()
                        .filter(|e| e.2 == i)
                        .map(|e| id_of(e.1))
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
            NodeKind::Transform => compiled[i].1 = expr("expression", &mut report),
            NodeKind::Filter => {
                compiled[i].1 = expr("condition", &mut report);
                compiled[i].2 = expr("items", &mut report);
            }
            NodeKind::Parallel => compiled[i].2 = expr("items", &mut report),
            _ => {}
        }
    }
    let mut edge_conditions = Vec::with_capacity(edges.len());
    for (id, from, _, condition) in &edges {
        let parsed = match condition {
            None => None,
            Some(src) => {
                let from_id = id_of(*from);
                match Condition::parse(src, &[from_id.as_str()]) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        let at = raw_edges
                            .iter()
                            .position(|r| r.get("id").and_then(Value::as_str) == Some(id))
                            .map(|p| format!("/edges/{p}/condition"))
                            .unwrap_or_default();
                        expr_problem(&mut report, &e, at).edge(id);
                        None
                    }
                }
            }
        };
        edge_conditions.push(parsed);
    }

    let bodies = fan_out_bodies(&mut report, &nodes, &edges, &compiled);

    if !report.0.is_empty() {
        return Err(report.0);
    }
    let order = toposort(&graph, None)
        .map_err(|_| {
            vec![Problem {
                code: "cycle".into(),
                message: "the graph has a cycle".into(),
                node_id: None,
                edge_id: None,
                path: None,
                cycle: None,
            }]
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
        .map(|((id, from, to, _), condition)| Edge {
            id,
            from,
            to,
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

/// The body of each fan-out (a parallel node with `items`): every node reachable from it
/// without passing through a `merge` (a merge collects the items' results). Each body node's
/// inputs must come from the fan-out or the body itself, and a body holds no other fan-out
/// (nest them through `execute_pipeline`). Bodies are in topological order.
fn fan_out_bodies(
    report: &mut Report,
    nodes: &[Option<RawNode>],
    edges: &[(String, usize, usize, Option<String>)],
    compiled: &[(Option<Condition>, Option<Expr>, Option<Expr>)],
) -> Vec<Vec<usize>> {
    let kind = |i: usize| nodes[i].as_ref().and_then(|n| n.1);
    let id_of = |i: usize| nodes[i].as_ref().map(|n| n.0.clone()).unwrap_or_default();
    let fans_out = |i: usize| kind(i) == Some(NodeKind::Parallel) && compiled[i].2.is_some();
    let mut bodies = vec![Vec::new(); nodes.len()];
    for p in (0..nodes.len()).filter(|&p| fans_out(p)) {
        let mut inside = vec![false; nodes.len()];
        let mut found = Vec::new();
        let mut queue: VecDeque<usize> = VecDeque::from([p]);
        while let Some(i) = queue.pop_front() {
            for e in edges.iter().filter(|e| e.1 == i) {
                let j = e.2;
                if j == p || inside[j] || kind(j) == Some(NodeKind::Merge) {
                    continue;
                }
                inside[j] = true;
                found.push(j);
                queue.push_back(j);
            }
        }
        let p_id = id_of(p);
        for &j in &found {
            if fans_out(j) {
                report
                    .add(
                        "fan_out",
                        format!(
                            "{:?} fans out inside the fan-out of {p_id:?}; put the inner one in a \
                             sub-pipeline (action execute_pipeline), or close the outer one with a \
                             merge first",
                            id_of(j)
                        ),
                    )
                    .node(&id_of(j));
            }
            for e in edges.iter().filter(|e| e.2 == j) {
                if e.1 != p && !inside[e.1] {
                    report
                        .add(
                            "fan_out",
                            format!(
                                "{:?} runs once per item of {p_id:?} but also takes input from \
                                 {:?}, outside that fan-out; join them after a merge",
                                id_of(j),
                                id_of(e.1)
                            ),
                        )
                        .node(&id_of(j))
                        .edge(&e.0);
                }
            }
        }
        bodies[p] = topological(&found, edges);
    }
    bodies
}

/// `members` ordered so that every edge among them goes forward (Kahn's algorithm; members
/// left in a cycle come last, which validation reports anyway).
fn topological(members: &[usize], edges: &[(String, usize, usize, Option<String>)]) -> Vec<usize> {
    let set: HashSet<usize> = members.iter().copied().collect();
    let mut indegree: HashMap<usize, usize> = members.iter().map(|&m| (m, 0)).collect();
    for e in edges
        .iter()
        .filter(|e| set.contains(&e.1) && set.contains(&e.2))
    {
        *indegree.entry(e.2).or_default() += 1;
    }
    let mut ready: VecDeque<usize> = members
        .iter()
        .copied()
        .filter(|m| indegree[m] == 0)
        .collect();
    let mut order = Vec::with_capacity(members.len());
    while let Some(m) = ready.pop_front() {
        order.push(m);
        for e in edges.iter().filter(|e| e.1 == m && set.contains(&e.2)) {
            let d = indegree.get_mut(&e.2).expect("a member");
            *d -= 1;
            if *d == 0 {
                ready.push_back(e.2);
            }
        }
    }
    for &m in members {
        if !order.contains(&m) {
            order.push(m);
        }
    }
    order
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
