//! Pipeline validation at the limits (`scripts/bench validation`), printed as Markdown for
//! docs/benchmarks/validation.md: the costliest documents a request may bring (the most nodes
//! and edges, the longest expressions, a body at `http.body_limit_bytes`), each parsed from its
//! bytes and validated as the server does, with the time (median of a few runs) and the peak
//! memory it added (measured in a fresh process per document, so freed memory is not reused).

use std::time::Instant;

use gathering::orchestration::pipeline::model::{MAX_EDGES, MAX_NODES};
use gathering::orchestration::pipeline::validate;
use serde_json::{Value, json};

/// The default `http.body_limit_bytes`.
const BODY_LIMIT: usize = 2 * 1024 * 1024;
const RUNS: usize = 5;

/// The document at the node limit: every node a fan-out nested in the one before.
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

/// A valid document at the node and edge limits: a trigger, one fan-out whose body holds every
/// other node but a closing merge, and the edges filled up to the limit between body nodes
/// (from a lower to a higher index, so no cycle). Every transform has an expression.
fn widest_valid() -> Value {
    let n = MAX_NODES;
    let mut nodes = vec![
        json!({"id": "t", "type": "trigger"}),
        json!({"id": "f", "type": "parallel", "config": {"items": "trigger.xs"}}),
    ];
    let mut edges = vec![json!({"from": "t", "to": "f"})];
    let body = n - 3;
    for i in 0..body {
        nodes.push(json!({"id": format!("b{i}"), "type": "transform",
                          "config": {"expression": "{'v': input.item, 'n': size(inputs)}"}}));
        edges.push(json!({"from": "f", "to": format!("b{i}")}));
        edges.push(json!({"from": format!("b{i}"), "to": "m"}));
    }
    nodes.push(json!({"id": "m", "type": "merge"}));
    let mut k = 1;
    while edges.len() < MAX_EDGES {
        let a = k % body;
        let b = (k * 7 + 1) % body;
        if a < b {
            edges.push(json!({"from": format!("b{a}"), "to": format!("b{b}")}));
        }
        k += 1;
    }
    json!({"name": "widest", "nodes": nodes, "edges": edges})
}

/// A chain of transforms filling the body limit, each with an expression of as many operators
/// as its share of the bytes allows (up to the expression limits).
fn longest_expressions() -> Value {
    let n = 4_000;
    let per_node = (BODY_LIMIT - 64 * 1024) / n - 120;
    let mut expression = "input.a".to_owned();
    while expression.len() + 4 < per_node.min(1_000) {
        expression.push_str(" + 1");
    }
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
    json!({"name": "long", "nodes": nodes, "edges": edges})
}

/// Transforms filling the body limit, each expression at the operator and nesting limits.
fn deepest_expressions() -> Value {
    let mut expression = "(".repeat(60) + "input.a";
    for _ in 0..250 {
        expression.push_str(" + 1");
    }
    expression.push_str(&")".repeat(60));
    let n = (BODY_LIMIT - 64 * 1024) / (expression.len() + 120);
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
    json!({"name": "deep", "nodes": nodes, "edges": edges})
}

/// Unknown keys and a bad config on every node: the most problems a document can give.
fn every_node_wrong() -> Value {
    let nodes: Vec<Value> = (0..MAX_NODES)
        .map(|i| {
            let mut node = json!({"id": format!("n{i}"), "type": "delay",
                                  "config": {"seconds": "soon", "extra": true}});
            for k in 0..6 {
                node[format!("unknown_key_number_{k}_of_this_node")] = json!(k);
            }
            node
        })
        .collect();
    json!({"name": "wrong", "nodes": nodes})
}

fn kib(line: &str) -> Option<u64> {
    line.split_whitespace().nth(1)?.parse().ok()
}

/// (VmRSS, VmHWM) in KiB.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(kib)
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Time (ms, median of RUNS) to parse and validate `bytes`; the problems found.
fn measure(bytes: &[u8]) -> (f64, usize, usize) {
    let mut times = Vec::new();
    let mut found = (0, 0);
    for _ in 0..RUNS {
        let began = Instant::now();
        let doc: Value = serde_json::from_slice(bytes).unwrap();
        let verdict = validate(&doc);
        times.push(began.elapsed().as_secs_f64() * 1000.0);
        found = match &verdict {
            Ok(_) => (0, 0),
            Err(p) => (p.listed.len(), p.total()),
        };
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (times[times.len() / 2], found.0, found.1)
}

/// In a process of its own (so that no memory freed earlier is reused): reads the document
/// from `path`, parses and validates it once, and prints how much the peak resident size grew
/// (KiB).
fn peak_child(path: &str) {
    let bytes = std::fs::read(path).unwrap();
    let (before, _) = memory();
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    let verdict = validate(&doc);
    let (_, peak) = memory();
    drop(verdict);
    println!("{}", peak.saturating_sub(before));
}

/// The peak memory (MiB) parsing and validating `bytes` adds, measured in a child process.
fn peak_added(bytes: &[u8]) -> f64 {
    let dir =
        std::env::temp_dir().join(format!("gathering-bench-validation-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.json");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--peak-of")
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let kib: f64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--peak-of") {
        peak_child(&args[at + 1]);
        return;
    }
    let cases: [(&str, Value); 5] = [
        (
            "the issue's chain, at the node limit: 5,000 nested fan-outs",
            chain_of_fan_outs(MAX_NODES - 1),
        ),
        (
            "valid, at the node and edge limits: one fan-out over 4,997 transforms, 20,000 edges",
            widest_valid(),
        ),
        (
            "4,000 transforms in a chain, each with the longest expression its share of 2 MiB allows (compiled up to the 256 KiB of expressions)",
            longest_expressions(),
        ),
        (
            "transforms filling 2 MiB, each expression with 250 operators 60 parentheses deep (compiled up to the 256 KiB of expressions)",
            deepest_expressions(),
        ),
        (
            "5,000 nodes, each with a bad config and 6 unknown keys",
            every_node_wrong(),
        ),
    ];
    println!("# Pipeline validation\n");
    println!(
        "Measured by `scripts/bench validation` (benches/validation.rs, release build) on {}, {} cores, {}. \
         Each document is parsed from its bytes and validated as `POST /api/pipelines/validate` does \
         (on the blocking pool; the budget is 5 s). Time: median of {RUNS} runs. Memory: how much the \
         peak resident size of a fresh process holding the body grew while parsing and validating it \
         once.\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::consts::ARCH,
    );
    println!(
        "Limits: {MAX_NODES} nodes, {MAX_EDGES} edges, expressions of 4,096 bytes and 256 operators, \
         256 KiB of expressions per pipeline, bodies of 2 MiB, 100 problems listed. Before these (issue 19), a chain of 3,000 fan-outs \
         (362 kB) took 56 s on an async worker, peaked at 4.3 GB resident and answered 923 MB \
         (4.5 M problems).\n"
    );
    println!(
        "| document | body, KiB | time, ms | peak memory added, MiB | problems listed / found |"
    );
    println!("|---|---|---|---|---|");
    for (name, doc) in cases {
        let bytes = serde_json::to_vec(&doc).unwrap();
        assert!(bytes.len() <= BODY_LIMIT, "{name}: {} bytes", bytes.len());
        drop(doc);
        let (ms, listed, total) = measure(&bytes);
        let mib = peak_added(&bytes);
        println!(
            "| {name} | {} | {ms:.1} | {mib:.1} | {listed} / {total} |",
            bytes.len() / 1024
        );
    }
}
