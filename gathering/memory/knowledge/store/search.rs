//! The two searches over chunks, both limited in SQL to the collections the reader may read
//! (and to the ones named, when some are): by vector (HNSW with pgvector's iterative scan, or
//! an exact scan) and by keywords (Postgres full text).

use deadpool_postgres::GenericClient;
use pgvector::Vector;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::memory::access::Reader;
use crate::memory::knowledge::model::KnowledgeHit;
use crate::memory::store::search::Scan;
use crate::memory::store::vectors::{Corpus, table};
use crate::memory::store::{Args, access};

/// The columns [`hit`] reads: a chunk `ch`, its document `d` and collection `c`.
const COLUMNS: &str = "ch.id, ch.document_id, d.name, c.id, c.name, ch.position, \
    ch.heading_path, ch.content";

/// A chunk with its citation, from a row of [`COLUMNS`] and a score column after them (the
/// ranks and the fused score are set by the caller).
fn hit(row: &Row) -> (KnowledgeHit, f32) {
    let score: f32 = row.get(8);
    (
        KnowledgeHit {
            chunk_id: row.get(0),
            document_id: row.get(1),
            document_name: row.get(2),
            collection_id: row.get(3),
            collection_name: row.get(4),
            position: row.get(5),
            heading_path: row.get(6),
            content: row.get(7),
            score,
            similarity: None,
            semantic_rank: None,
            keyword_rank: None,
        },
        score,
    )
}

/// `AND c.id = ANY(..)` when the search names collections.
fn only(args: &mut Args, collections: Option<&[Uuid]>) -> String {
    match collections {
        Some(ids) => format!(" AND c.id = ANY({})", args.push(ids.to_vec())),
        None => String::new(),
    }
}

/// What a semantic search compares.
pub struct Nearest<'a> {
    pub model: &'a str,
    pub dimension: usize,
    pub vector: &'a Vector,
}

/// The chunks nearest to the vector (cosine similarity), best first, with their similarity.
/// Run inside a transaction prepared by `memory::store::search::tune`.
pub async fn semantic(
    client: &impl GenericClient,
    reader: &Reader,
    collections: Option<&[Uuid]>,
    nearest: &Nearest<'_>,
    limit: usize,
    scan: Scan,
) -> Result<Vec<(KnowledgeHit, f32)>, tokio_postgres::Error> {
    let mut args = Args::default();
    let v = args.push(nearest.vector.clone());
    let m = args.push(nearest.model.to_owned());
    let only = only(&mut args, collections);
    let l = args.push(limit as i64);
    let order = match scan {
        Scan::Index => format!("v.embedding <=> {v}"),
        // Not the indexed expression: the planner cannot use the index.
        Scan::Exact => format!("(v.embedding <=> {v}) + 0"),
    };
    // The index scan's rows come out roughly in order (`relaxed_order`, see
    // `memory::store::search`): materialised, then sorted by their exact distance.
    let sql = format!(
        "WITH found AS MATERIALIZED (\
           SELECT v.chunk_id, v.embedding <=> {v} AS distance FROM {} v \
           JOIN memory.chunks ch ON ch.id = v.chunk_id \
           JOIN memory.documents d ON d.id = ch.document_id \
           JOIN memory.collections c ON c.id = d.collection_id \
           WHERE v.model = {m} AND {}{only} ORDER BY {order} LIMIT {l}) \
         SELECT {COLUMNS}, (1 - f.distance)::real FROM found f \
         JOIN memory.chunks ch ON ch.id = f.chunk_id \
         JOIN memory.documents d ON d.id = ch.document_id \
         JOIN memory.collections c ON c.id = d.collection_id \
         ORDER BY f.distance, ch.id",
        table(Corpus::Chunks, nearest.dimension),
        access::COLLECTION
    );
    let rows = client.query(&sql, &args.with(reader, false)).await?;
    Ok(rows.iter().map(hit).collect())
}

/// The chunks matching the words of `query` (web search syntax: quotes, `or`, `-`), best
/// first by `ts_rank_cd`.
pub async fn keyword(
    client: &impl GenericClient,
    reader: &Reader,
    collections: Option<&[Uuid]>,
    query: &str,
    limit: usize,
) -> Result<Vec<(KnowledgeHit, f32)>, tokio_postgres::Error> {
    let mut args = Args::default();
    let q = args.push(query.to_owned());
    let only = only(&mut args, collections);
    let l = args.push(limit as i64);
    let sql = format!(
        "SELECT {COLUMNS}, ts_rank_cd(ch.search, q)::real AS rank \
         FROM memory.chunks ch JOIN memory.documents d ON d.id = ch.document_id \
         JOIN memory.collections c ON c.id = d.collection_id, \
         websearch_to_tsquery('english', {q}) q \
         WHERE ch.search @@ q AND {}{only} ORDER BY rank DESC, ch.id LIMIT {l}",
        access::COLLECTION
    );
    let rows = client.query(&sql, &args.with(reader, false)).await?;
    Ok(rows.iter().map(hit).collect())
}
