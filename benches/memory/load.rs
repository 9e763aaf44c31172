//! Loading the corpus into the bench database the way the service stores memories: rows of
//! `memory.memories` with their first version in `memory.versions` (the columns of
//! `memory::store::memories::insert` and `add_version`), vectors of all-MiniLM-L6-v2 in
//! `memory.memory_vectors_384` in pgvector's binary format, the embedding state set with
//! `memory::store::embedding`. Bulk loading uses `COPY ... (FORMAT binary)`, raw SQL of this
//! benchmark: inserting 100,000 memories one request at a time would measure the API, not
//! search. Then the HNSW index is built by the service's own `vectors::ensure`, timed.

use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use futures_util::pin_mut;
use gathering::memory::embed::sha256;
use gathering::memory::store::embedding::{self as state, ModelRef};
use gathering::memory::store::vectors::{self, Corpus};
use pgvector::Vector;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use uuid::Uuid;

use super::corpus::{DIMENSION, Rng};

pub const MODEL: &str = "all-minilm-l6-v2";
const TYPES: [&str; 7] = [
    "fact",
    "preference",
    "decision",
    "episode",
    "skill",
    "relationship",
    "context",
];

/// Whose user scope each memory is in: the reader (the person who searches) holds 90%, three
/// other people the rest, so the scope predicate filters for real.
#[derive(Debug, Clone)]
pub struct Owners {
    pub reader: Uuid,
    pub others: Vec<Uuid>,
}

/// One memory's scope and tags. `p10` marks 1 row in 9 of every owner (so 10% of all rows are
/// the reader's and tagged), `p1` 1 in 90 (1%); every row has `bench`.
#[derive(Debug, Clone)]
pub struct Layout {
    pub owner: Uuid,
    pub tags: Vec<String>,
    pub memory_type: &'static str,
    pub importance: f32,
}

pub fn layout(seed: u64, n: usize, owners: &Owners) -> Vec<Layout> {
    let mut rng = Rng::new(seed ^ 0x5C0_9E5);
    (0..n)
        .map(|_| {
            let owner = if rng.unit() < 0.9 {
                owners.reader
            } else {
                owners.others[rng.below(owners.others.len())]
            };
            let mut tags = vec!["bench".to_owned()];
            if rng.unit() < 1.0 / 9.0 {
                tags.push("p10".to_owned());
            }
            if rng.unit() < 1.0 / 90.0 {
                tags.push("p1".to_owned());
            }
            Layout {
                owner,
                tags,
                memory_type: TYPES[rng.below(TYPES.len())],
                importance: (rng.below(21) as f32) * 0.05,
            }
        })
        .collect()
}

/// What loading took.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub copy_seconds: f64,
    pub analyze_seconds: f64,
}

/// Empties the memories (and the embedding cache, so ingestion embeds for real), sets the
/// embedding state to MiniLM/384 and loads every row without the HNSW index.
pub async fn load(pool: &Pool, texts: &[String], vecs: &[Vec<f32>], rows: &[Layout]) -> Loaded {
    let mut client = pool.get().await.unwrap();
    client
        .batch_execute("TRUNCATE memory.memories CASCADE; DELETE FROM memory.embedding_cache")
        .await
        .unwrap();
    let minilm = ModelRef {
        name: MODEL.to_owned(),
        dimension: DIMENSION,
    };
    state::initialise(&client, &minilm).await.unwrap();
    state::set_target(&client, &minilm, None).await.unwrap();
    state::promote(&client, MODEL).await.unwrap();
    vectors::ensure(pool, Corpus::Memories, DIMENSION)
        .await
        .unwrap();
    client
        .batch_execute(&format!("DROP INDEX IF EXISTS {}", index_name()))
        .await
        .unwrap();

    let began = Instant::now();
    let ids: Vec<Uuid> = texts.iter().map(|_| Uuid::now_v7()).collect();
    // One transaction: the embedding worker never sees rows without their vectors.
    let tx = client.transaction().await.unwrap();
    let sink = tx
        .copy_in(
            "COPY memory.memories (id, scope, scope_id, memory_type, content, content_sha, \
             importance, tags, expires_at, source, created_by, created_by_agent) \
             FROM STDIN (FORMAT binary)",
        )
        .await
        .unwrap();
    let types = [
        Type::UUID,
        Type::TEXT,
        Type::UUID,
        Type::TEXT,
        Type::TEXT,
        Type::BYTEA,
        Type::FLOAT4,
        Type::TEXT_ARRAY,
        Type::TIMESTAMPTZ,
        Type::JSONB,
        Type::UUID,
        Type::UUID,
    ];
    let writer = BinaryCopyInWriter::new(sink, &types);
    pin_mut!(writer);
    let none_time: Option<chrono::DateTime<chrono::Utc>> = None;
    let none_agent: Option<Uuid> = None;
    for ((id, text), row) in ids.iter().zip(texts).zip(rows) {
        let source = serde_json::json!({"user_id": row.owner});
        let sha = sha256(text);
        let owner = Some(row.owner);
        let values: [&(dyn ToSql + Sync); 12] = [
            id,
            &"user",
            &owner,
            &row.memory_type,
            text,
            &sha,
            &row.importance,
            &row.tags,
            &none_time,
            &source,
            &owner,
            &none_agent,
        ];
        writer.as_mut().write(&values).await.unwrap();
    }
    writer.finish().await.unwrap();
    tx.execute(
        "INSERT INTO memory.versions (memory_id, version, memory_type, content, importance, \
             tags, expires_at, changed_by, changed_by_agent) \
             SELECT id, version, memory_type, content, importance, tags, expires_at, \
             created_by, created_by_agent FROM memory.memories",
        &[],
    )
    .await
    .unwrap();
    let vector_type = tx.prepare("SELECT $1::vector").await.unwrap().params()[0].clone();
    let sink = tx
        .copy_in(&format!(
            "COPY {} (memory_id, model, embedding) FROM STDIN (FORMAT binary)",
            vectors::table(Corpus::Memories, DIMENSION)
        ))
        .await
        .unwrap();
    let writer = BinaryCopyInWriter::new(sink, &[Type::UUID, Type::TEXT, vector_type]);
    pin_mut!(writer);
    for (id, v) in ids.iter().zip(vecs) {
        let v = Vector::from(v.clone());
        writer.as_mut().write(&[id, &MODEL, &v]).await.unwrap();
    }
    writer.finish().await.unwrap();
    tx.commit().await.unwrap();
    let copy_seconds = began.elapsed().as_secs_f64();
    let began = Instant::now();
    let vector_table = vectors::table(Corpus::Memories, DIMENSION);
    for table in ["memory.memories", "memory.versions", &vector_table] {
        // One statement each: VACUUM refuses to run in the implicit transaction of several.
        client
            .batch_execute(&format!("VACUUM ANALYZE {table}"))
            .await
            .unwrap();
    }
    Loaded {
        copy_seconds,
        analyze_seconds: began.elapsed().as_secs_f64(),
    }
}

fn index_name() -> String {
    format!("memory.memory_vectors_{DIMENSION}_hnsw")
}

/// The HNSW index: its build time (the service's `CREATE INDEX` with pgvector's defaults,
/// m = 16 and ef_construction = 64) and sizes.
#[derive(Debug, Clone)]
pub struct Index {
    pub build_seconds: f64,
    pub index_bytes: i64,
    pub vectors_bytes: i64,
    pub memories_bytes: i64,
    /// The server settings that decide the build: pgvector's version,
    /// `maintenance_work_mem`, `max_parallel_maintenance_workers`, `shared_buffers`.
    pub settings: Vec<(String, String)>,
}

pub async fn build_index(pool: &Pool) -> Index {
    let began = Instant::now();
    vectors::ensure(pool, Corpus::Memories, DIMENSION)
        .await
        .unwrap();
    let build_seconds = began.elapsed().as_secs_f64();
    let client = pool.get().await.unwrap();
    let row = client
        .query_one(
            &format!(
                "SELECT pg_relation_size('{}'), pg_relation_size('{table}'), \
                 pg_total_relation_size('memory.memories')",
                index_name(),
                table = vectors::table(Corpus::Memories, DIMENSION)
            ),
            &[],
        )
        .await
        .unwrap();
    let mut settings = Vec::new();
    let version: String = client
        .query_one(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    settings.push(("pgvector".to_owned(), version));
    for name in [
        "maintenance_work_mem",
        "max_parallel_maintenance_workers",
        "shared_buffers",
        "work_mem",
    ] {
        let value: String = client
            .query_one(&format!("SHOW {name}"), &[])
            .await
            .unwrap()
            .get(0);
        settings.push((name.to_owned(), value));
    }
    Index {
        build_seconds,
        index_bytes: row.get(0),
        vectors_bytes: row.get(1),
        memories_bytes: row.get(2),
        settings,
    }
}

/// How many scans of the HNSW index the server has counted (`pg_stat_user_indexes`), once the
/// backends have reported theirs: an idle backend flushes its counts within 10 s.
pub async fn hnsw_scans(pool: &Pool) -> i64 {
    tokio::time::sleep(Duration::from_secs(11)).await;
    let client = pool.get().await.unwrap();
    client
        .query_one(
            "SELECT coalesce(sum(idx_scan), 0)::bigint FROM pg_stat_user_indexes \
             WHERE schemaname = 'memory' AND indexrelname = $1",
            &[&format!("memory_vectors_{DIMENSION}_hnsw")],
        )
        .await
        .unwrap()
        .get(0)
}
