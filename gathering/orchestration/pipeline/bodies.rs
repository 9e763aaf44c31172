//! The body of each fan-out (a `parallel` node with `items`), found in one pass over the graph:
//! the edges' adjacency lists are built once, and each node joins at most one body, so the
//! work is linear in nodes + edges and the problems at most one per node and one per edge.

use std::collections::{HashMap, HashSet, VecDeque};

use super::model::NodeKind;
use super::report::{At, Report};

/// An edge read from the document, between node indices.
pub(super) struct RawEdge {
    pub id: String,
    pub from: usize,
    pub to: usize,
    /// The condition's source.
    pub condition: Option<String>,
    /// Its index in the document's `edges`.
    pub index: usize,
}

/// The edges out of and into each node (edge indices), built once.
pub(super) struct Adjacency {
    pub out: Vec<Vec<usize>>,
    pub into: Vec<Vec<usize>>,
}

impl Adjacency {
    pub(super) fn new(nodes: usize, edges: &[RawEdge]) -> Self {
        let mut out = vec![Vec::new(); nodes];
        let mut into = vec![Vec::new(); nodes];
        for (e, edge) in edges.iter().enumerate() {
            out[edge.from].push(e);
            into[edge.to].push(e);
        }
        Self { out, into }
    }
}

/// What the fan-out check reads of the graph.
pub(super) struct Graph<'a> {
    /// Each node's id (empty for an unusable node) and type.
    pub nodes: &'a [(String, Option<NodeKind>)],
    pub edges: &'a [RawEdge],
    pub adjacency: &'a Adjacency,
    /// Whether each node is a fan-out (a parallel node whose `items` compiled).
    pub fans_out: &'a [bool],
}

/// The body of each fan-out: every node reachable from it without passing through a `merge`
/// (a merge collects the items' results). Each body node's inputs must come from the fan-out
/// or the body itself, and a body holds no other fan-out (nest them through
/// `execute_pipeline`). Bodies are in topological order.
///
/// One pass: a node joins the first body that reaches it, and the search does not go past
/// another fan-out or a node already in a body. In a valid pipeline bodies are disjoint and
/// hold no fan-out, so this finds the same bodies as a search per fan-out; in an invalid one
/// a node two fan-outs reach has an input from outside the body it joined, and is reported.
pub(super) fn fan_out_bodies(report: &mut Report, graph: &Graph<'_>) -> Vec<Vec<usize>> {
    let n = graph.nodes.len();
    let id_of = |i: usize| graph.nodes[i].0.as_str();
    let mut owner: Vec<Option<usize>> = vec![None; n];
    let mut bodies = vec![Vec::new(); n];
    for p in (0..n).filter(|&p| graph.fans_out[p]) {
        let mut found = Vec::new();
        let mut queue = VecDeque::from([p]);
        while let Some(i) = queue.pop_front() {
            for &e in &graph.adjacency.out[i] {
                let j = graph.edges[e].to;
                if j == p || owner[j].is_some() || graph.nodes[j].1 == Some(NodeKind::Merge) {
                    continue;
                }
                owner[j] = Some(p);
                found.push(j);
                if !graph.fans_out[j] {
                    queue.push_back(j);
                }
            }
        }
        bodies[p] = found;
    }
    for (p, body) in bodies.iter_mut().enumerate() {
        if body.is_empty() {
            continue;
        }
        for &j in body.iter() {
            if graph.fans_out[j] {
                report
                    .add(
                        "fan_out",
                        format!(
                            "{:?} fans out inside the fan-out of {:?}; put the inner one in a \
                             sub-pipeline (action execute_pipeline), or close the outer one with a \
                             merge first",
                            id_of(j),
                            id_of(p)
                        ),
                    )
                    .node(id_of(j));
            }
            for &e in &graph.adjacency.into[j] {
                let edge = &graph.edges[e];
                if edge.from != p && owner[edge.from] != Some(p) {
                    report
                        .add(
                            "fan_out",
                            format!(
                                "{:?} runs once per item of {:?} but also takes input from \
                                 {:?}, outside that fan-out; join them after a merge",
                                id_of(j),
                                id_of(p),
                                id_of(edge.from)
                            ),
                        )
                        .node(id_of(j))
                        .edge(&edge.id);
                }
            }
        }
        *body = topological(body, |v| owner[v] == Some(p), graph);
    }
    bodies
}

/// `members` ordered so that every edge among them goes forward (Kahn's algorithm over the
/// adjacency lists; members left in a cycle come last, which validation reports anyway).
fn topological(members: &[usize], inside: impl Fn(usize) -> bool, graph: &Graph<'_>) -> Vec<usize> {
    let edges = graph.edges;
    let mut indegree: HashMap<usize, usize> = members
        .iter()
        .map(|&m| {
            let d = graph.adjacency.into[m]
                .iter()
                .filter(|&&e| inside(edges[e].from))
                .count();
            (m, d)
        })
        .collect();
    let mut ready: VecDeque<usize> = members
        .iter()
        .copied()
        .filter(|m| indegree[m] == 0)
        .collect();
    let mut order = Vec::with_capacity(members.len());
    let mut placed = HashSet::with_capacity(members.len());
    while let Some(m) = ready.pop_front() {
        order.push(m);
        placed.insert(m);
        for &e in &graph.adjacency.out[m] {
            let to = edges[e].to;
            if let Some(d) = indegree.get_mut(&to) {
                *d -= 1;
                if *d == 0 {
                    ready.push_back(to);
                }
            }
        }
    }
    order.extend(members.iter().copied().filter(|m| !placed.contains(m)));
    order
}
