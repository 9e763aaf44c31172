//! Pipeline engine benchmarks (`scripts/bench pipelines`), printed as Markdown for
//! docs/benchmarks/pipelines.md: the engine's overhead per node, end to end through the real
//! path (HTTP, the stored run, the claim, every node state and event written to Postgres),
//! for a 10-node sequential pipeline and a 1,000-node wide DAG of no-op nodes; and the
//! throughput of a 5-node pipeline with one and with two instances on one database.

use std::time::{Duration, Instant};

use gathering::config::Config;
use gathering::events::bus::Delivery;
use gathering::events::{EventType, Filter, TypePattern};
use serde_json::{Value, json};

#[path = "support/server.rs"]
mod server;
use server::{Server, arg, server, token};

async fn create(
    http: &reqwest::Client,
    addr: std::net::SocketAddr,
    token: &str,
    doc: Value,
) -> String {
    let created: Value = http
        .post(format!("http://{addr}/api/pipelines"))
        .bearer_auth(token)
        .json(&doc)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned()
}

async fn start(
    http: &reqwest::Client,
    addr: std::net::SocketAddr,
    token: &str,
    pipeline: &str,
) -> String {
    let run: Value = http
        .post(format!("http://{addr}/api/pipelines/{pipeline}/runs"))
        .bearer_auth(token)
        .json(&json!({"trigger_data": {"n": 1}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    run["id"].as_str().unwrap().to_owned()
}

fn noop(id: &str) -> Value {
    json!({"id": id, "type": "transform", "config": {"expression": "input"}})
}

fn sequential(name: &str, n: usize) -> Value {
    let mut nodes = vec![json!({"id": "t", "type": "trigger"})];
    let mut edges = Vec::new();
    let mut prev = "t".to_owned();
    for i in 1..n {
        let id = format!("n{i}");
        nodes.push(noop(&id));
        edges.push(json!({"from": prev, "to": id}));
        prev = id;
    }
    json!({"name": name, "nodes": nodes, "edges": edges})
}

fn wide(name: &str, n: usize, parallel: usize) -> Value {
    let mut nodes = vec![json!({"id": "t", "type": "trigger"})];
    let mut edges = Vec::new();
    for i in 1..n - 1 {
        let id = format!("n{i}");
        nodes.push(noop(&id));
        edges.push(json!({"from": "t", "to": id}));
        edges.push(json!({"from": id, "to": "join"}));
    }
    nodes.push(json!({"id": "join", "type": "merge", "config": {"strategy": "first"}}));
    json!({"name": name, "nodes": nodes, "edges": edges, "settings": {"max_parallel": parallel}})
}

/// Runs `runs` runs of `pipeline` one after another; per-run wall times in ms, from the POST
/// to the `pipeline_run.completed` event.
async fn one_by_one(
    s: &Server,
    http: &reqwest::Client,
    token: &str,
    pipeline: &str,
    runs: usize,
) -> Vec<f64> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let mut done = s.bus.subscribe(
            "bench",
            Filter {
                types: vec![TypePattern::Exact(EventType::PipelineRunCompleted)],
                ..Filter::default()
            },
        );
        let began = Instant::now();
        let run = start(http, s.addr, token, pipeline).await;
        loop {
            match done.recv().await {
                Some(Delivery::Event(e))
                    if e.scope.run_id.map(|r| r.to_string()) == Some(run.clone()) =>
                {
                    break;
                }
                Some(_) => {}
                None => panic!("bus closed"),
            }
        }
        times.push(began.elapsed().as_secs_f64() * 1000.0);
    }
    times
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Starts `runs` runs at once (through any of `servers`); completed runs per second.
async fn throughput(
    servers: &[&Server],
    http: &reqwest::Client,
    token: &str,
    pipeline: &str,
    runs: usize,
) -> f64 {
    let mut done = servers[0].bus.subscribe(
        "bench",
        Filter {
            types: vec![TypePattern::Exact(EventType::PipelineRunCompleted)],
            ..Filter::default()
        },
    );
    let began = Instant::now();
    let mut starts = Vec::new();
    for i in 0..runs {
        let addr = servers[i % servers.len()].addr;
        let (http, token, pipeline) = (http.clone(), token.to_owned(), pipeline.to_owned());
        starts.push(tokio::spawn(async move {
            start(&http, addr, &token, &pipeline).await
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for s in starts {
        ids.insert(s.await.unwrap());
    }
    let mut completed = 0;
    while completed < runs {
        if let Some(Delivery::Event(e)) = done.recv().await
            && e.scope.run_id.is_some_and(|r| ids.contains(&r.to_string()))
        {
            completed += 1;
        }
    }
    runs as f64 / began.elapsed().as_secs_f64()
}

/// The engine looks for runs often.
fn tune(config: &mut Config) {
    config.pipelines.poll_interval = Duration::from_millis(50);
}

#[tokio::main]
async fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        eprintln!("benchmark skipped: run it with `scripts/bench pipelines`");
        return;
    }
    let runs = arg("PIPELINE_RUNS", 20);
    let wide_nodes = arg("WIDE_NODES", 1000);
    let throughput_runs = arg("THROUGHPUT_RUNS", 200);
    let stamp = Instant::now().elapsed().as_nanos();
    let one = server(None, tune).await;
    let http = reqwest::Client::new();
    let token = token(&http, one.addr).await;

    println!("# Pipelines\n");
    println!(
        "Measured by `scripts/bench pipelines` on {}, {} cores, {}, release build, embedded \
         PostgreSQL 18.6, through the real path: `POST /api/pipelines/{{id}}/runs`, the stored \
         run claimed by the engine, every node's state and its events written to Postgres as \
         they happen, until the `pipeline_run.completed` event. No-op nodes are `transform` \
         nodes with the expression `input` (CEL evaluated off the async workers).\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::env::consts::ARCH
    );
    println!(
        "The baselines are published figures, not run here (Windmill and Airflow need \
         services this machine cannot run): Windmill about 12 ms per step with a dedicated \
         worker and about 50 ms standard; Airflow seconds per task. Ratios are Windmill's \
         figure over ours (above 1: faster than Windmill). Figures move between runs on a \
         shared machine.\n"
    );

    let seq = create(
        &http,
        one.addr,
        &token,
        sequential(&format!("seq-{stamp}"), 10),
    )
    .await;
    let mut times = one_by_one(&one, &http, &token, &seq, runs).await;
    let seq_ms = median(&mut times);
    let wide_id = create(
        &http,
        one.addr,
        &token,
        wide(&format!("wide-{stamp}"), wide_nodes, 100),
    )
    .await;
    let mut wide_times = one_by_one(&one, &http, &token, &wide_id, 3).await;
    let wide_ms = median(&mut wide_times);
    println!("## Overhead per node\n");
    println!(
        "| pipeline | runs | median run, ms | ms per node | Windmill dedicated (12 ms) / ours | Windmill standard (50 ms) / ours |"
    );
    println!("|---|---|---|---|---|---|");
    let per = seq_ms / 10.0;
    println!(
        "| 10 nodes in sequence | {runs} | {seq_ms:.1} | {per:.2} | {:.1} | {:.1} |",
        12.0 / per,
        50.0 / per
    );
    let per = wide_ms / wide_nodes as f64;
    println!(
        "| {wide_nodes} nodes wide (trigger, {} in parallel up to 100 at once, a merge) | 3 | {wide_ms:.1} | {per:.2} | {:.1} | {:.1} |",
        wide_nodes - 2,
        12.0 / per,
        50.0 / per
    );
    println!();

    let five = create(
        &http,
        one.addr,
        &token,
        sequential(&format!("five-{stamp}"), 5),
    )
    .await;
    let single = throughput(&[&one], &http, &token, &five, throughput_runs).await;
    let url = server::cluster_url().await;
    let two = server(Some(url), tune).await;
    let double = throughput(&[&one, &two], &http, &token, &five, throughput_runs).await;
    println!("## Throughput\n");
    println!(
        "{throughput_runs} runs of a 5-node sequential pipeline started at once (spread over the \
         instances' HTTP endpoints); completed runs per second until the last one completed. \
         Both instances are in this process, on this machine's cores, sharing one database.\n"
    );
    println!("| instances | completed runs/s | ratio to one instance |");
    println!("|---|---|---|");
    println!("| 1 | {single:.1} | 1.00 |");
    println!("| 2 | {double:.1} | {:.2} |", double / single);
    println!();
    two.shutdown.cancel();
    let _ = two.handle.await;
    one.shutdown.cancel();
    let _ = one.handle.await;
}
