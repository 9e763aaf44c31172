//! The two searches of memories, both filtered by the reader in SQL: by vector (HNSW with
//! pgvector's iterative scan, so filters keep their recall; or an exact scan) and by keywords
//! (Postgres full text).

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
    /// The HNSW index, scanning on (`hnsw.iterative_scan = strict_order`) until `limit` rows
    /// pass the filters or `hnsw.max_scan_tuples` is reached.
    Index,
    /// Every vector (exact; for filters the index scan could not satisfy).
    Exact,
}

/// Prepares a transaction for an HNSW search returning `limit` rows.
pub async fn tune(client: &impl GenericClient, limit: usize) -> Result<(), tokio_postgres::Error> {
    let ef = (limit * 2).clamp(40, 1000);
    client
        .batch_execute(&format!(
            "SET LOCAL hnsw.iterative_scan = strict_order; SET LOCAL hnsw.ef_search = {ef}"
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
    let sql = format!(
        "SELECT {COLUMNS}, (1 - (v.embedding <=> {v}))::real FROM {} v \
         JOIN memory.memories m ON m.id = v.memory_id \
         WHERE v.model = {m} AND {}{filters} ORDER BY {order} LIMIT {l}",
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
