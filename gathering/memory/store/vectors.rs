//! Vectors, one table per corpus and dimension (`memory.memory_vectors_384`,
//! `memory.chunk_vectors_1536`, ...) so that models of different dimensions coexist, each table
//! with its HNSW index (cosine). A table is created the first time a model of its dimension is
//! used. Vectors travel in pgvector's binary format (`pgvector::Vector`).

use deadpool_postgres::{GenericClient, Pool};
use pgvector::Vector;
use uuid::Uuid;

/// What is embedded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Corpus {
    /// `memory.memories`.
    Memories,
    /// `memory.chunks` of knowledge documents.
    Chunks,
}

impl Corpus {
    pub const ALL: [Corpus; 2] = [Corpus::Memories, Corpus::Chunks];

    fn prefix(self) -> &'static str {
        match self {
            Self::Memories => "memory_vectors",
            Self::Chunks => "chunk_vectors",
        }
    }

    /// The id column of its vector table.
    pub fn id_column(self) -> &'static str {
        match self {
            Self::Memories => "memory_id",
            Self::Chunks => "chunk_id",
        }
    }

    /// The table of its texts.
    pub fn source(self) -> &'static str {
        match self {
            Self::Memories => "memory.memories",
            Self::Chunks => "memory.chunks",
        }
    }

    /// Rows of the source that need no vector (soft-deleted memories).
    fn live(self) -> &'static str {
        match self {
            Self::Memories => "s.deleted_at IS NULL",
            Self::Chunks => "true",
        }
    }
}

/// HNSW indexes vectors of at most this many dimensions (pgvector's limit); wider ones are
/// searched by exact scan.
pub const MAX_INDEXED_DIMENSION: usize = 2000;
/// The widest vector pgvector stores.
pub const MAX_DIMENSION: usize = 16000;

/// `memory.memory_vectors_384`. The dimension is a number we checked, never user text.
pub fn table(corpus: Corpus, dimension: usize) -> String {
    format!("memory.{}_{dimension}", corpus.prefix())
}

/// Creates the table (and its index) of `corpus` for `dimension` unless it exists. Safe to race
/// from several instances (an advisory lock serialises the creation).
pub async fn ensure(pool: &Pool, corpus: Corpus, dimension: usize) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=MAX_DIMENSION).contains(&dimension),
        "vectors of {dimension} dimensions cannot be stored (1 to {MAX_DIMENSION})"
    );
    let name = table(corpus, dimension);
    let id = corpus.id_column();
    let source = corpus.source();
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('memory.vectors'))",
        &[],
    )
    .await?;
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {name} (
            {id} uuid NOT NULL REFERENCES {source} (id) ON DELETE CASCADE,
            model text NOT NULL,
            embedding vector({dimension}) NOT NULL,
            PRIMARY KEY (model, {id})
        )"
    ))
    .await?;
    if dimension <= MAX_INDEXED_DIMENSION {
        let index = format!("{}_{dimension}_hnsw", corpus.prefix());
        tx.batch_execute(&format!(
            "CREATE INDEX IF NOT EXISTS {index} ON {name} USING hnsw (embedding vector_cosine_ops)"
        ))
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A text waiting for its vector.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: Uuid,
    pub content: String,
    pub sha: Vec<u8>,
}

/// Up to `limit` rows without a vector of `model`, locked (others skip them) until the
/// transaction ends.
pub async fn pending(
    client: &impl GenericClient,
    corpus: Corpus,
    dimension: usize,
    model: &str,
    limit: i64,
) -> Result<Vec<Pending>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT s.id, s.content, s.content_sha FROM {} s WHERE {} AND NOT EXISTS \
         (SELECT 1 FROM {} v WHERE v.{} = s.id AND v.model = $1) \
         ORDER BY s.id LIMIT $2 FOR UPDATE OF s SKIP LOCKED",
        corpus.source(),
        corpus.live(),
        table(corpus, dimension),
        corpus.id_column()
    );
    let rows = client.query(&sql, &[&model, &limit]).await?;
    Ok(rows
        .iter()
        .map(|r| Pending {
            id: r.get(0),
            content: r.get(1),
            sha: r.get(2),
        })
        .collect())
}

/// Writes vectors of `model`.
pub async fn insert(
    client: &impl GenericClient,
    corpus: Corpus,
    dimension: usize,
    model: &str,
    rows: &[(Uuid, Vector)],
) -> Result<(), tokio_postgres::Error> {
    let sql = format!(
        "INSERT INTO {} ({}, model, embedding) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        table(corpus, dimension),
        corpus.id_column()
    );
    let statement = client.prepare(&sql).await?;
    for (id, vector) in rows {
        client.execute(&statement, &[id, &model, vector]).await?;
    }
    Ok(())
}

/// Which of `ids` have a vector of `model`.
pub async fn embedded(
    client: &impl GenericClient,
    corpus: Corpus,
    dimension: usize,
    model: &str,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT {id} FROM {} WHERE model = $1 AND {id} = ANY($2)",
        table(corpus, dimension),
        id = corpus.id_column()
    );
    let rows = client.query(&sql, &[&model, &ids]).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// How many live rows there are, and how many have a vector of `model`.
pub async fn coverage(
    client: &impl GenericClient,
    corpus: Corpus,
    dimension: usize,
    model: &str,
) -> Result<(i64, i64), tokio_postgres::Error> {
    let sql = format!(
        "SELECT (SELECT count(*) FROM {src} s WHERE {live}), \
                (SELECT count(*) FROM {src} s JOIN {vt} v ON v.{id} = s.id \
                 WHERE v.model = $1 AND {live})",
        src = corpus.source(),
        live = corpus.live(),
        vt = table(corpus, dimension),
        id = corpus.id_column()
    );
    let row = client.query_one(&sql, &[&model]).await?;
    Ok((row.get(0), row.get(1)))
}

/// The nearest older live memory of the same scope as `id`, with its cosine similarity.
pub async fn nearest_older_memory(
    client: &impl GenericClient,
    dimension: usize,
    model: &str,
    id: Uuid,
    vector: &Vector,
) -> Result<Option<(Uuid, f32)>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT o.id, (1 - (v.embedding <=> $3))::real FROM memory.memories n \
         JOIN memory.memories o ON o.scope = n.scope \
              AND o.scope_id IS NOT DISTINCT FROM n.scope_id AND o.id < n.id \
              AND o.deleted_at IS NULL \
         JOIN {} v ON v.memory_id = o.id AND v.model = $2 \
         WHERE n.id = $1 ORDER BY v.embedding <=> $3 LIMIT 1",
        table(Corpus::Memories, dimension)
    );
    Ok(client
        .query_opt(&sql, &[&id, &model, vector])
        .await?
        .map(|r| (r.get(0), r.get(1))))
}

/// Drops the vectors of one row (its text changed).
pub async fn forget(
    client: &impl GenericClient,
    corpus: Corpus,
    dimension: usize,
    id: Uuid,
) -> Result<(), tokio_postgres::Error> {
    let sql = format!(
        "DELETE FROM {} WHERE {} = $1",
        table(corpus, dimension),
        corpus.id_column()
    );
    client.execute(&sql, &[&id]).await?;
    Ok(())
}
