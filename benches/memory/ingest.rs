//! Ingestion end to end: `POST /api/memories` by C clients, then the background worker embeds
//! them (through the cache, in batches, linking duplicates) until every memory has its vector,
//! seen through `GET /api/memories/embedding` as an admin; against the local model's raw
//! throughput on the same texts (batches of 64 straight to `LocalModels`, no HTTP, no database).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gathering::llm::local::LocalModels;
use gathering::memory::store::vectors::{self, Corpus};
use serde_json::{Value, json};

use super::corpus;
use super::search::Api;

/// What ingesting took.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub memories: usize,
    /// From the first POST to the last 201.
    pub post_seconds: f64,
    /// From the first POST to every memory embedded.
    pub searchable_seconds: f64,
    /// The poll interval (the resolution of `searchable_seconds`).
    pub poll_ms: u64,
}

async fn coverage(admin: &Api) -> (i64, i64) {
    let status: Value = admin
        .http
        .get(format!("http://{}/api/memories/embedding", admin.addr))
        .bearer_auth(&admin.token)
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON answer");
    let m = &status["memories"];
    (
        m["total"].as_i64().expect("a total (admins see it)"),
        m["embedded"].as_i64().expect("an embedded count"),
    )
}

/// Stores `texts` as the reader's memories with `clients` clients, then waits until every
/// memory is embedded.
pub async fn ingest(
    reader: &Api,
    admin: &Api,
    texts: Arc<Vec<String>>,
    clients: usize,
) -> Ingested {
    const POLL: Duration = Duration::from_millis(250);
    let (before, _) = coverage(admin).await;
    let next = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (api, texts, next) = (reader.clone(), texts.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(text) = texts.get(i) else { break };
                let response = api
                    .http
                    .post(format!("http://{}/api/memories", api.addr))
                    .bearer_auth(&api.token)
                    .json(&json!({"scope": "user", "content": text, "tags": ["ingested"]}))
                    .send()
                    .await
                    .expect("the server answers");
                assert_eq!(
                    response.status(),
                    201,
                    "{}",
                    response.text().await.unwrap_or_default()
                );
            }
        }));
    }
    for w in workers {
        w.await.expect("a client finished");
    }
    let post_seconds = began.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(3600);
    loop {
        let (total, embedded) = coverage(admin).await;
        assert_eq!(
            total,
            before + texts.len() as i64,
            "every memory was stored"
        );
        if embedded >= total {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{embedded} of {total} embedded after an hour"
        );
        tokio::time::sleep(POLL).await;
    }
    Ingested {
        memories: texts.len(),
        post_seconds,
        searchable_seconds: began.elapsed().as_secs_f64(),
        poll_ms: POLL.as_millis() as u64,
    }
}

/// Milliseconds the embedding worker's query for rows without vectors takes now (the store's
/// own `vectors::pending`, which the worker runs before every batch), median of 5.
pub async fn pending_ms(pool: &deadpool_postgres::Pool) -> f64 {
    let mut times = Vec::new();
    for _ in 0..5 {
        let mut client = pool.get().await.unwrap();
        let tx = client.transaction().await.unwrap();
        let began = Instant::now();
        vectors::pending(
            &tx,
            Corpus::Memories,
            corpus::DIMENSION,
            super::load::MODEL,
            64,
        )
        .await
        .unwrap();
        times.push(began.elapsed().as_secs_f64() * 1000.0);
        tx.rollback().await.unwrap();
    }
    times.sort_by(f64::total_cmp);
    times[2]
}

/// Texts per second of the local model on `texts`, in batches of [`corpus::BATCH`].
pub async fn raw(models: &LocalModels, texts: &[String]) -> f64 {
    // The first call loads the model; it is not counted.
    corpus::embed(models, &texts[..1], |_| {}).await;
    let began = Instant::now();
    corpus::embed(models, texts, |_| {}).await;
    texts.len() as f64 / began.elapsed().as_secs_f64()
}
