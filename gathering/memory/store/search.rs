//! The two searches of memories, both filtered by the reader in SQL: by vector (HNSW with
//! pgvector's iterative scan, so filters keep their recall; or an exact scan) and by keywords
//! (Postgres full text).
//!
//! Why the index search is tuned as it is (measured by `scripts/bench memory` on 100,000
//! MiniLM vectors of clustered sentences, docs/benchmarks/memory.md): with pgvector's default
//! `hnsw.ef_search` of 40 a query's candidate list sometimes settles in the wrong cluster
//! (recall@10 0.97 on average, some queries 0.1), so the list is at least 100 long (0.99).
//! With a filter, the first list holds few matching rows and the scan resumes for the rest;
//! in `strict_order` pgvector then drops every row it finds closer than the last one it
//! returned (`hnswgettuple`), which cost a 10% filter its recall (0.93). In `relaxed_order`
//! those rows are kept and the query sorts the rows it found by their exact distance
//! (pgvector's documented pattern: a materialised CTE, sorted again).

use deadpool_postgres::GenericClient;
use pgvector::Vector;

use super::memories::filter_sql;
use super::vectors::{Corpus, table};
use super::{Args, COLUMNS, access, memory};
use crate::memory::access::Reader;
use crate::memory::model::{Filters, Memory};

/// How the vectors are scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// The HNSW index, scanning on (`hnsw.iterative_scan = relaxed_order`) until `limit` rows
    /// pass the filters or `hnsw.max_scan_tuples` is reached; the rows found are then sorted by
    /// their exact distance.
    Index,
    /// Every vector (exact; for filters the index scan could not satisfy).
    Exact,
}

/// The HNSW candidate list of a search returning `limit` rows (see the module's doc).
pub fn ef_search(limit: usize) -> usize {
    (limit * 2).clamp(100, 1000)
}

/// Prepares a transaction for an HNSW search returning `limit` rows.
pub async fn tune(client: &impl GenericClient, limit: usize) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute(&format!(
            "SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = {}",
            ef_search(limit)
        ))
        .await
}

/// The nearest memories to `vector` (cosine similarity), best first. Run inside a transaction
/// prepared by [`tune`].
#[allow(clippy::too_many_arguments)] // reason: one query's inputs; grouping them would only rename them
pub async fn semantic(
    client: &impl GenericClient,
    reader: &Reader,
    filters: &Filters,
    dimension: usize,
    model: &str,
    vector: &Vector,
    limit: usize,
    scan: Scan,
) -> Result<Vec<(Memory, f32)>, tokio_postgres::Error> {
    let mut args = Args::default();
    let v = args.push(vector.clone());
    let m = args.push(model.to_owned());
    let filters = filter_sql(&mut args, filters);
    let l = args.push(limit as i64);
    let order = match scan {
        Scan::Index => format!("v.embedding <=> {v}"),
        // Not the indexed expression: the planner cannot use the index.
        Scan::Exact => format!("(v.embedding <=> {v}) + 0"),
    };
    // The scan's rows come out roughly in order (`relaxed_order`): materialised, then sorted.
    let sql = format!(
        "WITH found AS MATERIALIZED (\
           SELECT v.memory_id, v.embedding <=> {v} AS distance FROM {} v \
           JOIN memory.memories m ON m.id = v.memory_id \
           WHERE v.model = {m} AND {}{filters} ORDER BY {order} LIMIT {l}) \
         SELECT {COLUMNS}, (1 - f.distance)::real FROM found f \
         JOIN memory.memories m ON m.id = f.memory_id ORDER BY f.distance, m.id",
        table(Corpus::Memories, dimension),
        access::MEMORY
    );
    let rows = client.query(&sql, &args.with(reader, false)).await?;
    Ok(rows.iter().map(|r| (memory(r), r.get(15))).collect())
}

/// The memories matching the words of `query` (web search syntax: quotes, `or`, `-`), best
/// first by `ts_rank_cd`.
pub async fn keyword(
    client: &impl GenericClient,
    reader: &Reader,
    filters: &Filters,
    query: &str,
    limit: usize,
) -> Result<Vec<(Memory, f32)>, tokio_postgres::Error> {
    let mut args = Args::default();
    let q = args.push(query.to_owned());
    let filters = filter_sql(&mut args, filters);
    let l = args.push(limit as i64);
    let sql = format!(
        "SELECT {COLUMNS}, ts_rank_cd(m.search, q)::real AS rank \
         FROM memory.memories m, websearch_to_tsquery('english', {q}) q \
         WHERE m.search @@ q AND {}{filters} ORDER BY rank DESC, m.id DESC LIMIT {l}",
        access::MEMORY
    );
    let rows = client.query(&sql, &args.with(reader, false)).await?;
    Ok(rows.iter().map(|r| (memory(r), r.get(15))).collect())
}
