//! Circle discussion benchmarks (`scripts/bench circles`), printed as Markdown for
//! docs/benchmarks/circles.md: the turn overhead (everything but the model: choosing the
//! speaker, building the context, the agent turn's own bookkeeping, storing the turn fenced by
//! the claim, the outbox events and the stream) of a 2-agent, 50-turn round-robin discussion on
//! an instant scripted model, beside the same model through plain agent chat turns in the same
//! run; and 100 discussions of 10 turns started at once on one instance.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::response::IntoResponse;
use gathering::config::Config;
use gathering::events::bus::Delivery;
use gathering::events::{EventType, Filter, TypePattern};
use serde_json::{Value, json};

#[path = "support/server.rs"]
mod server;
use server::{Server, arg, server, token};

/// What the scripted model answers: short, no marker, no mention.
const ANSWER: &str = "A fair point; let me add one more consideration to the topic.";

/// One request the scripted model served: when it arrived and how long the handler took.
#[derive(Clone, Copy)]
struct Served {
    at: Instant,
    took: Duration,
}

type Log = Arc<Mutex<Vec<Served>>>;

/// An OpenAI-compatible server that answers every chat request at once with [`ANSWER`],
/// streamed in two chunks with usage, and logs each request.
async fn scripted_model() -> (String, Log) {
    let log: Log = Arc::default();
    let state = log.clone();
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move |_body: axum::body::Bytes| {
            let log = state.clone();
            async move {
                let at = Instant::now();
                let chunk = |delta: Value, finish: Value| {
                    json!({"id": "c", "object": "chat.completion.chunk", "created": 1,
                           "model": "script", "choices": [{"index": 0, "delta": delta,
                           "finish_reason": finish}]})
                };
                let usage = json!({"id": "c", "object": "chat.completion.chunk", "created": 1,
                    "model": "script", "choices": [],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 12, "total_tokens": 112}});
                let body = format!(
                    "data: {}\n\ndata: {}\n\ndata: {usage}\n\ndata: [DONE]\n\n",
                    chunk(json!({"role": "assistant", "content": ANSWER}), Value::Null),
                    chunk(json!({}), json!("stop")),
                );
                let response = ([("content-type", "text/event-stream")], body).into_response();
                let took = at.elapsed();
                log.lock().unwrap().push(Served { at, took });
                response
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), log)
}

/// A turn event heard on the bus, and when.
#[derive(Clone)]
struct Heard {
    at: Instant,
    kind: EventType,
    discussion: String,
    turn: i64,
}

/// Everything the bench hears on the bus, drained at once into a list (so the subscription
/// never lags), and the number of discussions ended so far.
struct Recorder {
    heard: Arc<Mutex<Vec<Heard>>>,
    ended: tokio::sync::watch::Receiver<usize>,
    lagged: Arc<Mutex<u64>>,
}

fn record(s: &Server) -> Recorder {
    let mut events = s.bus.subscribe(
        "bench",
        Filter {
            types: vec![
                TypePattern::Exact(EventType::CircleTurnStarted),
                TypePattern::Exact(EventType::CircleMessage),
                TypePattern::Exact(EventType::CircleDiscussionEnded),
            ],
            ..Filter::default()
        },
    );
    let heard: Arc<Mutex<Vec<Heard>>> = Arc::default();
    let lagged: Arc<Mutex<u64>> = Arc::default();
    let (tx, ended) = tokio::sync::watch::channel(0usize);
    let (h, l) = (heard.clone(), lagged.clone());
    tokio::spawn(async move {
        while let Some(delivery) = events.recv().await {
            match delivery {
                Delivery::Event(e) => {
                    let discussion = e.data["discussion_id"].as_str().unwrap_or("").to_owned();
                    h.lock().unwrap().push(Heard {
                        at: Instant::now(),
                        kind: e.event_type,
                        discussion,
                        turn: e.data["turn"].as_i64().unwrap_or(-1),
                    });
                    // Counted once it is in the list, which the waiter reads next.
                    if e.event_type == EventType::CircleDiscussionEnded {
                        tx.send_modify(|n| *n += 1);
                    }
                }
                Delivery::Lagged { missed, .. } => *l.lock().unwrap() += missed,
            }
        }
    });
    Recorder {
        heard,
        ended,
        lagged,
    }
}

impl Recorder {
    async fn until_ended(&mut self, n: usize) {
        tokio::time::timeout(Duration::from_secs(900), self.ended.wait_for(|e| *e >= n))
            .await
            .expect("the discussions end within 15 minutes")
            .unwrap();
    }

    /// Per discussion and turn: (turn_started, message) instants.
    fn turns(&self) -> HashMap<(String, i64), (Option<Instant>, Option<Instant>)> {
        let mut turns: HashMap<(String, i64), (Option<Instant>, Option<Instant>)> = HashMap::new();
        for h in self.heard.lock().unwrap().iter() {
            let slot = turns.entry((h.discussion.clone(), h.turn)).or_default();
            match h.kind {
                EventType::CircleTurnStarted => slot.0 = Some(h.at),
                EventType::CircleMessage if h.turn > 0 => slot.1 = Some(h.at),
                _ => {}
            }
        }
        turns.retain(|(_, turn), _| *turn > 0);
        turns
    }

    fn ended_at(&self, discussion: &str) -> Option<Instant> {
        self.heard
            .lock()
            .unwrap()
            .iter()
            .find(|h| h.kind == EventType::CircleDiscussionEnded && h.discussion == discussion)
            .map(|h| h.at)
    }
}

/// The API as one signed-in admin.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    addr: std::net::SocketAddr,
    token: String,
    /// The scripted model's name here (the bench cluster keeps earlier runs' models).
    model: String,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("http://{}{path}", self.addr))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status}: {body}");
        body
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// A circle named `circle` with `agents` as members (created on `persona`).
    async fn circle(&self, circle: &str, agents: &[String], persona: &str) {
        self.post("/api/circles", json!({"name": circle})).await;
        for name in agents {
            self.post(
                "/api/agents",
                json!({"name": name, "persona_id": persona, "model": self.model, "tools": [],
                       "memory_budget_tokens": 0}),
            )
            .await;
            self.send(
                reqwest::Method::PUT,
                &format!("/api/circles/{circle}/agents/{name}"),
                Some(json!({"role": "member"})),
            )
            .await;
        }
    }

    async fn discuss(&self, circle: &str, agents: &[String], turns: usize) -> String {
        let d = self
            .post(
                &format!("/api/circles/{circle}/discussions"),
                json!({"topic": "How should a small team plan its next release?",
                       "participants": agents, "mode": "round_robin",
                       "limits": {"max_turns": turns}}),
            )
            .await;
        d["id"].as_str().unwrap().to_owned()
    }

    /// The discussion's agent messages: (turn, created_at, latency_ms), in turn order.
    async fn turns(
        &self,
        circle: &str,
        id: &str,
    ) -> Vec<(i64, chrono::DateTime<chrono::Utc>, i64)> {
        let page = self
            .get(&format!(
                "/api/circles/{circle}/discussions/{id}/messages?limit=500"
            ))
            .await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "agent")
            .map(|m| {
                (
                    m["turn"].as_i64().unwrap_or(-1),
                    m["created_at"].as_str().unwrap().parse().unwrap(),
                    m["latency_ms"].as_i64().unwrap_or(-1),
                )
            })
            .collect()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// (median, mean, p99) of `v`.
fn stats(v: &[f64]) -> (f64, f64, f64) {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), v.iter().sum::<f64>() / v.len() as f64, at(0.99))
}

/// The requests `log` served from `from` on, in arrival order.
fn served_since(log: &Log, from: Instant) -> Vec<Served> {
    let mut v: Vec<Served> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.at >= from)
        .copied()
        .collect();
    v.sort_by_key(|s| s.at);
    v
}

/// Discussions run at once here, and agents' turns are not queued behind each other.
fn tune(config: &mut Config) {
    config.circles.max_concurrent_discussions = 128;
}

#[path = "circles/crowd.rs"]
mod crowd;
#[path = "circles/overhead.rs"]
mod overhead;

#[tokio::main]
async fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        eprintln!("benchmark skipped: run it with `scripts/bench circles`");
        return;
    }
    let turns = arg("TURNS", 50);
    let discussions = arg("DISCUSSIONS", 100);
    let crowd_turns = arg("CROWD_TURNS", 10);
    let stamp = chrono::Utc::now().timestamp_millis();
    let (base_url, log) = scripted_model().await;
    let s = server(None, tune).await;
    let http = reqwest::Client::new();
    let api = Api {
        token: token(&http, s.addr).await,
        http,
        addr: s.addr,
        model: format!("script-{stamp}"),
    };
    api.post(
        "/api/llm/providers",
        json!({"name": format!("scripted-{stamp}"), "kind": "openai", "base_url": base_url}),
    )
    .await;
    api.post(
        "/api/llm/models",
        json!({"name": api.model, "provider": format!("scripted-{stamp}"),
               "provider_model": "script", "kind": "chat", "context_window": 32000}),
    )
    .await;
    let persona = api
        .post(
            "/api/personas",
            json!({"name": format!("panelist-{stamp}"), "display_name": "Panelist",
                   "role": "panelist", "prompt": "You take part in discussions."}),
        )
        .await;
    let persona = persona["id"].as_str().unwrap().to_owned();

    println!("# Circle discussions\n");
    println!(
        "Measured by `scripts/bench circles` on {}, {} cores, {}, release build, embedded \
         PostgreSQL 18.6, load average before the run {} (the machine is shared: figures move \
         between runs). One server in the bench's process, through the real path: HTTP to \
         start, the discussion claimed by the engine, each turn a real agent turn (persona, \
         conversation, usage ledger) on a scripted OpenAI-compatible model served by the bench \
         over loopback HTTP, which answers at once with a short streamed text (\"{ANSWER}\", 12 \
         tokens), each turn stored fenced by the claim with its `circle.*` events in the \
         outbox, heard on the bus as a WebSocket client would (after the outbox relay). \
         Configuration: `[circles] max_concurrent_discussions = 128`, `[db] \
         max_connections = 32`, everything else the defaults.\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::env::consts::ARCH,
        load_average(),
    );
    let cycle = overhead::run(&s, &api, &log, &persona, stamp, turns).await;
    let shape = crowd::Shape {
        discussions,
        turns: crowd_turns,
        serial_cycle_ms: cycle,
    };
    crowd::run(&s, &api, &log, &persona, stamp, shape).await;
    println!(
        "## What to optimise first
"
    );
    println!("{}", include_str!("circles/optimise.md"));
    println!("Load average after the run: {}.", load_average());
    s.shutdown.cancel();
    let _ = s.handle.await;
}

/// `/proc/loadavg`'s three figures.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
