//! Searching through the HTTP API (`POST /api/memories/search`) as the reader: recall@10 of the
//! index search against the exact scan (`"exact": true`), and queries per second with latency
//! percentiles of C clients searching at once.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};

/// One search of the benchmark: its mode, whether exact, its tag filter.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub mode: &'static str,
    pub exact: bool,
    pub tag: Option<&'static str>,
}

impl Kind {
    fn body(self, query: &str) -> Value {
        let mut body = json!({"query": query, "mode": self.mode, "limit": 10});
        if self.exact {
            body["exact"] = json!(true);
        }
        if let Some(tag) = self.tag {
            body["tags"] = json!([tag]);
        }
        body
    }
}

/// Whom to ask.
#[derive(Debug, Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub addr: SocketAddr,
    pub token: String,
}

impl Api {
    /// The ids of the hits, best first.
    pub async fn search(&self, kind: Kind, query: &str) -> Vec<String> {
        let response = self
            .http
            .post(format!("http://{}/api/memories/search", self.addr))
            .bearer_auth(&self.token)
            .json(&kind.body(query))
            .send()
            .await
            .expect("the server answers");
        let status = response.status();
        let out: Value = response.json().await.expect("a JSON answer");
        assert_eq!(status, 200, "search {kind:?} {query:?}: {out}");
        out["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|h| h["memory"]["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

/// Recall@10 of one filter over the queries.
#[derive(Debug, Clone)]
pub struct Recall {
    pub mean: f64,
    pub min: f64,
    /// Queries whose index search missed at least one of the exact top 10.
    pub imperfect: usize,
    /// Queries whose exact scan found fewer than 10 (the filter left too few rows).
    pub short: usize,
    pub queries: usize,
}

/// Recall@10 of the index search against the exact scan, `clients` queries at a time.
pub async fn recall(
    api: &Api,
    tag: Option<&'static str>,
    queries: &[String],
    clients: usize,
) -> Recall {
    let index = Kind {
        mode: "semantic",
        exact: false,
        tag,
    };
    let exact = Kind {
        exact: true,
        ..index
    };
    let each: Vec<(f64, bool)> = futures_util::stream::iter(queries.iter().cloned())
        .map(|q| {
            let api = api.clone();
            async move {
                let truth = api.search(exact, &q).await;
                let found: HashSet<String> = api.search(index, &q).await.into_iter().collect();
                let hit = truth.iter().filter(|id| found.contains(*id)).count();
                (hit as f64 / truth.len().max(1) as f64, truth.len() < 10)
            }
        })
        .buffer_unordered(clients)
        .collect()
        .await;
    Recall {
        mean: each.iter().map(|(r, _)| r).sum::<f64>() / each.len() as f64,
        min: each.iter().map(|(r, _)| *r).fold(1.0, f64::min),
        imperfect: each.iter().filter(|(r, _)| *r < 1.0).count(),
        short: each.iter().filter(|(_, s)| *s).count(),
        queries: each.len(),
    }
}

/// Queries per second and latency of C clients searching for `seconds`.
#[derive(Debug, Clone)]
pub struct Load {
    pub requests: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// `clients` clients search one after another through `queries` until `seconds` pass or the
/// queries run out (`once`: each query is asked once in all, so that none is in the embedding
/// cache; otherwise the clients go round the list).
pub async fn load(
    api: &Api,
    kind: Kind,
    queries: Arc<Vec<String>>,
    clients: usize,
    seconds: f64,
    once: bool,
) -> Load {
    let next = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let deadline = began + Duration::from_secs_f64(seconds);
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (api, queries, next) = (api.clone(), queries.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if once && i >= queries.len() {
                    break;
                }
                let q = &queries[i % queries.len()];
                let t = Instant::now();
                api.search(kind, q).await;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            times
        }));
    }
    let mut times = Vec::new();
    for w in workers {
        times.extend(w.await.expect("a client finished"));
    }
    let elapsed = began.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    Load {
        requests: times.len(),
        per_second: times.len() as f64 / elapsed,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
    }
}
