//! A checked pipeline's types ([`Pipeline`], [`Node`], [`Edge`], [`Settings`]) and the
//! [`Problem`]s validation reports, with the table of their codes.

use serde::Serialize;
use serde_json::Value;

use super::expr::{Condition, Expr};

/// One problem of a pipeline document.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A stable code from [`PROBLEM_CODES`].
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge_id: Option<String>,
    /// Where in the document (a JSON pointer), when it is one place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// For `cycle`: the node ids around the cycle, the first repeated at the end; at most 16
    /// (the message gives the cycle's length).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycle: Option<Vec<String>>,
}

/// Every problem code and what it means (`docs/pipelines.md` reproduces this table).
pub const PROBLEM_CODES: &[(&str, &str)] = &[
    ("invalid_document", "the document is not a JSON object"),
    (
        "unknown_field",
        "a key the format does not have (unknown keys are never dropped)",
    ),
    ("missing_field", "a required key is absent"),
    (
        "invalid_field",
        "a key has the wrong type or an invalid value",
    ),
    (
        "too_large",
        "more nodes or edges than a pipeline may have (the only problem then reported), or more \
         bytes of expressions",
    ),
    ("no_nodes", "the pipeline has no nodes"),
    ("duplicate_id", "two nodes, or two edges, share an id"),
    ("unknown_type", "a node type that does not exist"),
    (
        "invalid_config",
        "a node's config does not match its type's schema",
    ),
    ("invalid_settings", "the settings do not match their schema"),
    (
        "unknown_node",
        "an edge from or to a node that does not exist",
    ),
    ("self_loop", "an edge from a node to itself"),
    (
        "cycle",
        "edges that go round in a cycle (the path is given)",
    ),
    ("no_trigger", "no node of type trigger"),
    ("unreachable", "a node no path from a trigger reaches"),
    ("bad_expression", "an expression that does not compile"),
    (
        "fan_out",
        "a parallel node's per-item sub-graph takes input from outside it, or holds another fan-out",
    ),
];

/// The most nodes and edges a pipeline may have. With these, the costliest document validates
/// in time linear in its size (`docs/security.md` states the bound; `benches/validation.rs`
/// measures it).
pub const MAX_NODES: usize = 5_000;
pub const MAX_EDGES: usize = 20_000;

/// The most problems validation lists; the rest are only counted ([`Problems::omitted`]), so
/// that the answer stays small whatever the document.
pub const MAX_PROBLEMS: usize = 100;

/// The problems of a document that does not validate: the first [`MAX_PROBLEMS`] found, and
/// how many more there were.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problems {
    pub listed: Vec<Problem>,
    /// Problems found past [`MAX_PROBLEMS`], counted but not described.
    pub omitted: usize,
}

impl Problems {
    /// Every problem found, listed or not.
    pub fn total(&self) -> usize {
        self.listed.len() + self.omitted
    }
}

/// A node's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Trigger,
    Agent,
    Circle,
    Condition,
    Action,
    Transform,
    Filter,
    Merge,
    Parallel,
    Delay,
    Approval,
}

impl NodeKind {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "trigger" => Self::Trigger,
            "agent" => Self::Agent,
            "circle" => Self::Circle,
            "condition" => Self::Condition,
            "action" => Self::Action,
            "transform" => Self::Transform,
            "filter" => Self::Filter,
            "merge" => Self::Merge,
            "parallel" => Self::Parallel,
            "delay" => Self::Delay,
            "approval" => Self::Approval,
            _ => return None,
        })
    }
}

/// A checked node. Its expressions are compiled.
#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub name: String,
    pub config: Value,
    pub position: Option<Value>,
    /// A condition node's condition.
    pub condition: Option<Condition>,
    /// A transform's expression, or a filter's condition.
    pub expression: Option<Expr>,
    /// The list a filter or a parallel node works on.
    pub items: Option<Expr>,
    /// A parallel node with `items`: the nodes it runs once per item (its fan-out's body),
    /// in topological order. Empty otherwise.
    pub body: Vec<usize>,
}

/// A checked edge, between node indices.
#[derive(Debug, Clone)]
pub struct Edge {
    pub id: String,
    pub from: usize,
    pub to: usize,
    pub condition: Option<Condition>,
}

/// Run settings, defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub timeout_seconds: f64,
    pub max_retries_per_node: u32,
    pub retry_backoff_base: f64,
    pub retry_backoff_max: f64,
    pub max_parallel: usize,
    pub failure_threshold: u32,
    pub recovery_seconds: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            timeout_seconds: 3600.0,
            max_retries_per_node: 3,
            retry_backoff_base: 1.0,
            retry_backoff_max: 60.0,
            max_parallel: 10,
            failure_threshold: 5,
            recovery_seconds: 60.0,
        }
    }
}

/// A pipeline that passed every check.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub name: String,
    pub description: String,
    pub status: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub settings: Settings,
    /// Node indices in an order that respects every edge.
    pub order: Vec<usize>,
}

impl Pipeline {
    /// The indices of the nodes with an edge into `node`.
    pub fn predecessors(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        self.edges
            .iter()
            .filter(move |e| e.to == node)
            .map(|e| e.from)
    }

    /// The index of the fan-out whose body holds `node`, if any.
    pub fn fanned_by(&self, node: usize) -> Option<usize> {
        self.nodes.iter().position(|n| n.body.contains(&node))
    }

    /// The pipeline one item of fan-out `p` runs: `p` turned into the trigger (its output is
    /// the item's data) and its body, with the edges among them.
    pub fn fan_out_body(&self, p: usize) -> Pipeline {
        let mut keep = vec![p];
        keep.extend(self.nodes[p].body.iter().copied());
        // Old index -> new index, built once: linear in the pipeline, not body x edges.
        let mut renumbered = vec![None; self.nodes.len()];
        for (new, &old) in keep.iter().enumerate() {
            renumbered[old] = Some(new);
        }
        let new_index = |old: usize| renumbered[old];
        let mut nodes: Vec<Node> = keep.iter().map(|&i| self.nodes[i].clone()).collect();
        let head = &mut nodes[0];
        head.kind = NodeKind::Trigger;
        head.config = Value::Object(Default::default());
        head.items = None;
        head.body = Vec::new();
        let edges = self
            .edges
            .iter()
            .filter_map(|e| {
                Some(Edge {
                    id: e.id.clone(),
                    from: new_index(e.from)?,
                    to: new_index(e.to)?,
                    condition: e.condition.clone(),
                })
            })
            .collect();
        let order = self.order.iter().filter_map(|&i| new_index(i)).collect();
        Pipeline {
            name: self.name.clone(),
            description: self.description.clone(),
            status: self.status.clone(),
            nodes,
            edges,
            settings: self.settings.clone(),
            order,
        }
    }

    /// The indices of the nodes an edge from `node` leads to.
    pub fn successors(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        self.edges
            .iter()
            .filter(move |e| e.from == node)
            .map(|e| e.to)
    }
}
