//! Memory benchmarks (`scripts/bench memory`), printed as Markdown for docs/benchmarks/memory.md:
//! on N memories (MEMORIES, default 100,000) of real all-MiniLM-L6-v2 vectors of generated
//! sentences, the HNSW index's build time and size, recall@10 of the API's semantic search
//! against its exact scan (unfiltered, and with filters keeping 10% and 1% of the rows),
//! queries per second and latency of semantic, hybrid and exact search through the HTTP API
//! with C clients (CLIENTS, default 4), and ingestion end to end (HTTP → embedded →
//! searchable) of M new memories (INGEST, default 2,000) against the local model's raw
//! embedding throughput on the same texts.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gathering::config::Config;
use serde_json::{Value, json};
use uuid::Uuid;

#[path = "support/server.rs"]
mod server;
use server::{arg, server, token};

#[path = "memory/corpus.rs"]
mod corpus;
#[path = "memory/ingest.rs"]
mod ingest;
#[path = "memory/load.rs"]
mod load;
#[path = "memory/search.rs"]
mod search;

use search::{Api, Kind};

/// The bench server: the local models of this checkout, tokens that outlive the run.
fn tune(config: &mut Config) {
    config.models.dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".gathering/models");
    config.auth.access_ttl = Duration::from_secs(6 * 3600);
}

const PASSWORD: &str = "bench password long enough";

/// A person of `role` (created by the admin unless there), signed in.
async fn person(admin: &Api, email: &str, role: &str) -> (Api, Uuid) {
    let created = admin
        .http
        .post(format!("http://{}/api/users", admin.addr))
        .bearer_auth(&admin.token)
        .json(&json!({"email": email, "display_name": email, "password": PASSWORD, "role": role}))
        .send()
        .await
        .unwrap();
    assert!(
        created.status() == 201 || created.status() == 409,
        "creating {email}: {}",
        created.text().await.unwrap_or_default()
    );
    let login: Value = admin
        .http
        .post(format!("http://{}/api/auth/login", admin.addr))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let api = Api {
        http: admin.http.clone(),
        addr: admin.addr,
        token: login["access_token"]
            .as_str()
            .expect("signed in")
            .to_owned(),
    };
    (api.clone(), me(&api).await)
}

async fn me(api: &Api) -> Uuid {
    let me: Value = api
        .http
        .get(format!("http://{}/api/auth/me", api.addr))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Uuid::parse_str(me["id"].as_str().expect("an id")).unwrap()
}

fn cpu() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn mib(bytes: i64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::main]
async fn main() {
    if !std::env::args().any(|arg| arg == "--bench") {
        eprintln!("benchmark skipped: run it with `scripts/bench memory`");
        return;
    }
    let n = arg("MEMORIES", 100_000);
    let m = arg("INGEST", 2_000);
    let clients = arg("CLIENTS", 4);
    let query_count = arg("QUERIES", 200);
    let seconds = arg("SEARCH_SECS", 15) as f64;
    let seed = arg("SEED", 22) as u64;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let load_before = load_average();
    let began = Instant::now();

    let models = corpus::local_models(root);
    let (texts, vecs, made) = corpus::corpus(root, &models, seed, n).await;
    eprintln!("corpus of {n} ready in {:.0} s", made.seconds);

    let s = server(None, tune).await;
    let http = reqwest::Client::new();
    let admin = Api {
        token: token(&http, s.addr).await,
        http,
        addr: s.addr,
    };
    let (reader, reader_id) = person(&admin, "bench-reader@example.org", "member").await;
    let mut others = Vec::new();
    for i in 0..3 {
        others.push(
            person(&admin, &format!("bench-other-{i}@example.org"), "member")
                .await
                .1,
        );
    }
    let owners = load::Owners {
        reader: reader_id,
        others,
    };
    let rows = load::layout(seed, n, &owners);
    let visible = |tag: Option<&str>| {
        rows.iter()
            .filter(|r| r.owner == reader_id && tag.is_none_or(|t| r.tags.iter().any(|x| x == t)))
            .count()
    };
    let (all_visible, p10, p1) = (visible(None), visible(Some("p10")), visible(Some("p1")));
    eprintln!("loading {n} memories");
    let loaded = load::load(&s.pool, &texts, &vecs, &rows).await;
    drop(vecs);
    eprintln!("building the HNSW index");
    let index = load::build_index(&s.pool).await;

    let avoid: HashSet<&str> = texts.iter().map(String::as_str).collect();
    let queries = corpus::fresh(seed + 1, query_count, &avoid);
    eprintln!("recall@10 over {query_count} queries");
    let mut recalls = Vec::new();
    let mut scans = load::hnsw_scans(&s.pool).await;
    for tag in [None, Some("p10"), Some("p1")] {
        let r = search::recall(&reader, tag, &queries, clients).await;
        let now = load::hnsw_scans(&s.pool).await;
        recalls.push((tag, r, now - scans));
        scans = now;
    }

    eprintln!("throughput, {clients} clients, {seconds} s per search");
    let cached = Arc::new(queries.clone());
    let kinds = [
        ("semantic (HNSW, iterative scan)", "semantic", false, None),
        ("hybrid (HNSW + full text, fused)", "hybrid", false, None),
        ("exact scan (`\"exact\": true`)", "semantic", true, None),
        ("semantic, tag `p10` (10%)", "semantic", false, Some("p10")),
        ("semantic, tag `p1` (1%)", "semantic", false, Some("p1")),
    ];
    let mut loads = Vec::new();
    for (label, mode, exact, tag) in kinds {
        let kind = Kind { mode, exact, tag };
        let l = search::load(&reader, kind, cached.clone(), clients, seconds, false).await;
        loads.push((label, l));
    }
    let mut avoid_more = avoid.clone();
    avoid_more.extend(queries.iter().map(String::as_str));
    let uncached = Arc::new(corpus::fresh(seed + 2, 20_000, &avoid_more));
    let semantic = Kind {
        mode: "semantic",
        exact: false,
        tag: None,
    };
    let l = search::load(&reader, semantic, uncached.clone(), clients, seconds, true).await;
    loads.push(("semantic, every query embedded (not in the cache)", l));

    avoid_more.extend(uncached.iter().map(String::as_str));
    let fresh = Arc::new(corpus::fresh(seed + 3, m, &avoid_more));
    eprintln!("ingesting {m} memories");
    let ingested = ingest::ingest(&reader, &admin, fresh.clone(), clients).await;
    eprintln!("raw embedding of the same {m} texts");
    let pending_ms = ingest::pending_ms(&s.pool).await;
    let raw = ingest::raw(&models, &fresh).await;
    let total = began.elapsed().as_secs_f64();

    println!("# Memory\n");
    println!(
        "Measured by `scripts/bench memory` on {}, {} ({} cores), load average {load_before} \
         before and {} after (the machine is shared: figures move between runs), release build, \
         embedded PostgreSQL 18.6 with pgvector {}, all-MiniLM-L6-v2 on the CPU (burn). \
         **N = {} memories** of 384 dimensions; the whole run took {:.0} s.\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        cpu(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load_average(),
        index.settings[0].1,
        thousands(n),
        total
    );
    println!("## Data\n");
    println!(
        "Sentences from a small grammar (times, people, verbs, things, places, reasons; seed \
         {seed}), so texts vary and many share words, embedded once by the local model and \
         cached in `{}` (not committed): {} texts in {:.0} s ({:.1} texts/s) over the runs \
         that filled the cache; this run embedded {} ({:.0} s). They are loaded \
         straight into the bench database the way the service stores memories (rows of \
         `memory.memories` with their first version in `memory.versions`, vectors in \
         `memory.memory_vectors_384` in pgvector's binary format, the embedding state set to \
         all-minilm-l6-v2/384 by `memory::store::embedding`), by `COPY ... (FORMAT binary)`: \
         raw SQL of the benchmark, not the API. Searches are made by a member, `bench-reader`, \
         whose user scope holds 90% of the memories; three other people hold the rest, so the \
         scope predicate filters for real (an admin would read every scope). The filters are \
         tags: `p10` on 1 memory in 9 of every person, `p1` on 1 in 90.\n",
        made.path.strip_prefix(root).unwrap_or(&made.path).display(),
        thousands(made.ledger.0),
        made.ledger.1,
        made.ledger.0 as f64 / made.ledger.1.max(f64::MIN_POSITIVE),
        thousands(made.embedded),
        made.seconds
    );
    println!(
        "| memories | the reader may see | with `p10` (% of N) | with `p1` (% of N) | COPY of rows, versions, vectors | VACUUM ANALYZE |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| {} | {} | {} ({:.1}%) | {} ({:.2}%) | {:.1} s | {:.1} s |\n",
        thousands(n),
        thousands(all_visible),
        thousands(p10),
        p10 as f64 * 100.0 / n as f64,
        thousands(p1),
        p1 as f64 * 100.0 / n as f64,
        loaded.copy_seconds,
        loaded.analyze_seconds
    );

    println!("## Index\n");
    println!(
        "`memory.memory_vectors_384_hnsw` (cosine) dropped and built again by the service's own \
         `CREATE INDEX` (`memory::store::vectors::ensure`), pgvector's defaults m = 16, \
         ef_construction = 64. Server settings: {}.\n",
        index
            .settings
            .iter()
            .skip(1)
            .map(|(k, v)| format!("`{k}` = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("| HNSW build | index size | vector table | memories (with indexes, TOAST) |");
    println!("|---|---|---|---|");
    println!(
        "| {:.1} s | {} | {} | {} |\n",
        index.build_seconds,
        mib(index.index_bytes),
        mib(index.vectors_bytes),
        mib(index.memories_bytes)
    );

    println!("## Recall@10\n");
    println!(
        "{query_count} new sentences of the same grammar, embedded by the server; for each, \
         `POST /api/memories/search` with `mode: semantic, limit: 10` (the HNSW index with \
         iterative scans) against the same search with `\"exact\": true` (every vector \
         compared). Recall@10 is the share of the exact top 10 the index search returned. \
         Goal: at least 0.95 in every case.\n"
    );
    println!(
        "| filter | rows the reader may search | mean recall@10 | worst query | queries below 1.0 | HNSW index scans | goal ≥ 0.95 |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (tag, r, scans) in &recalls {
        let (label, rows) = match tag {
            None => ("none".to_owned(), all_visible),
            Some("p10") => ("tag `p10` (10%)".to_owned(), p10),
            Some(t) => (format!("tag `{t}` (1%)"), p1),
        };
        assert_eq!(r.short, 0, "an exact search found fewer than 10");
        println!(
            "| {label} | {} | {:.3} | {:.1} | {} of {} | {scans} | {} |",
            thousands(rows),
            r.mean,
            r.min,
            r.imperfect,
            r.queries,
            if r.mean >= 0.95 { "met" } else { "**missed**" }
        );
    }
    println!(
        "\nHNSW index scans: how many of the {query_count} index searches of the case the \
         planner ran on the HNSW index (`pg_stat_user_indexes`); for the others it chose the \
         exact path itself (the rows matching the filter through the tags' GIN index, then \
         their vectors sorted), which is exact by construction.\n"
    );

    println!("## Search through the HTTP API\n");
    println!(
        "{clients} clients searching at once for {seconds:.0} s each, limit 10, as the \
         reader, round the {query_count} queries above, whose vectors are then in the \
         embedding cache (the query's embedding is a cache lookup); the last row asks new \
         queries, each embedded by the local model on the request path. Unfiltered unless a \
         tag is named. Latency is per \
         request, HTTP included.\n"
    );
    println!("| search | requests | queries/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    for (label, l) in &loads {
        println!(
            "| {label} | {} | {:.1} | {:.1} | {:.1} |",
            l.requests, l.per_second, l.p50_ms, l.p99_ms
        );
    }
    println!();

    println!("## Ingestion\n");
    let end_to_end = ingested.memories as f64 / ingested.searchable_seconds;
    println!(
        "{} new sentences stored by `POST /api/memories` ({clients} clients) into an index of \
         {} memories, until `GET /api/memories/embedding` (as an admin, every {} ms) counts \
         every memory embedded: the background worker took them in batches of 64, through the \
         embedding cache, wrote their vectors into the HNSW index and looked for duplicates. \
         The raw figure embeds the same texts in batches of 64 straight through the local \
         model (`LocalModels`, no HTTP, no database), in the same process after ingestion.\n",
        thousands(ingested.memories),
        thousands(n),
        ingested.poll_ms
    );
    println!(
        "| memories | all stored (201) | all searchable | end to end, memories/s | raw embedding, texts/s | end to end / raw |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| {} | {:.1} s | {:.1} s | {:.1} | {:.1} | {:.2} |",
        thousands(ingested.memories),
        ingested.post_seconds,
        ingested.searchable_seconds,
        end_to_end,
        raw,
        end_to_end / raw
    );
    println!(
        "\nWhere the difference goes, in part: before every batch the worker asks for rows \
         without a vector (`memory::store::vectors::pending`), which takes {pending_ms:.0} ms at \
         this size (median of 5, nothing pending) against {:.0} ms to embed a batch of 64 at \
         the raw rate; each new memory is also compared with its nearest older one for the \
         duplicate link, and its vector written into the HNSW index.",
        64_000.0 / raw
    );
    s.shutdown.cancel();
    let _ = s.handle.await;
}
