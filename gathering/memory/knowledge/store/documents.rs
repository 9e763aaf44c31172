//! Documents and their chunks. A document is found through the reader's predicate on its
//! collection; an upload writes the document row and replaces its chunks in the caller's
//! transaction.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::memory::access::Reader;
use crate::memory::knowledge::model::{ChunkView, Document};
use crate::memory::store::vectors::{Corpus, table};
use crate::memory::store::{Args, access};

/// Chunks written by one statement.
const CHUNK_BATCH: usize = 1000;

/// The columns [`document`] reads, of `memory.documents d`.
const COLUMNS: &str = "d.id, d.collection_id, d.name, d.content_type, d.bytes, d.sha256, \
    d.chunk_count, d.uploaded_by, d.created_at, d.updated_at";

/// A document from a row of [`COLUMNS`] (its `embedded_chunks` filled by the caller).
fn document(row: &Row) -> Document {
    let sha: Vec<u8> = row.get(5);
    Document {
        id: row.get(0),
        collection_id: row.get(1),
        name: row.get(2),
        content_type: row.get(3),
        bytes: row.get(4),
        sha256: hex::encode(sha),
        chunk_count: row.get(6),
        embedded_chunks: 0,
        uploaded_by: row.get(7),
        created_at: row.get(8),
        updated_at: row.get(9),
    }
}

/// The documents of a collection, by name.
pub async fn list(
    client: &impl GenericClient,
    collection_id: Uuid,
) -> Result<Vec<Document>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM memory.documents d WHERE d.collection_id = $1 \
                 ORDER BY d.name"
            ),
            &[&collection_id],
        )
        .await?;
    Ok(rows.iter().map(document).collect())
}

/// The documents of `ids` (ids the caller found through the reader's predicate).
pub async fn by_ids(
    client: &impl GenericClient,
    ids: &[Uuid],
) -> Result<Vec<Document>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!("SELECT {COLUMNS} FROM memory.documents d WHERE d.id = ANY($1)"),
            &[&ids],
        )
        .await?;
    Ok(rows.iter().map(document).collect())
}

/// Document `id` if the reader may read (`writing` false) or change (true) its collection.
pub async fn find(
    client: &impl GenericClient,
    reader: &Reader,
    id: Uuid,
    writing: bool,
) -> Result<Option<Document>, tokio_postgres::Error> {
    let mut args = Args::default();
    let id = args.push(id);
    let sql = format!(
        "SELECT {COLUMNS} FROM memory.documents d \
         JOIN memory.collections c ON c.id = d.collection_id WHERE d.id = {id} AND {}",
        access::COLLECTION
    );
    let row = client.query_opt(&sql, &args.with(reader, writing)).await?;
    Ok(row.as_ref().map(document))
}

/// The sha256 of each named document of a collection that exists (`lock`: row locks until
/// the transaction ends).
pub async fn shas(
    client: &impl GenericClient,
    collection_id: Uuid,
    names: &[String],
    lock: bool,
) -> Result<Vec<(String, Uuid, Vec<u8>)>, tokio_postgres::Error> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let rows = client
        .query(
            &format!(
                "SELECT name, id, sha256 FROM memory.documents \
                 WHERE collection_id = $1 AND name = ANY($2){lock}"
            ),
            &[&collection_id, &names],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// A document's row as an upload writes it.
pub struct DocumentRow<'a> {
    pub id: Uuid,
    pub collection_id: Uuid,
    pub name: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a [u8],
    pub bytes: i64,
    pub chunk_count: i32,
    pub uploaded_by: Option<Uuid>,
}

/// Writes a document: a new row, or the new content of the row with its id.
pub async fn upsert(
    client: &impl GenericClient,
    row: &DocumentRow<'_>,
) -> Result<Document, tokio_postgres::Error> {
    let sql = format!(
        "INSERT INTO memory.documents AS d (id, collection_id, name, content_type, sha256, bytes, \
             chunk_count, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (id) DO UPDATE SET content_type = EXCLUDED.content_type, \
             sha256 = EXCLUDED.sha256, bytes = EXCLUDED.bytes, \
             chunk_count = EXCLUDED.chunk_count, uploaded_by = EXCLUDED.uploaded_by, \
             updated_at = now() \
         RETURNING {COLUMNS}"
    );
    let row = client
        .query_one(
            &sql,
            &[
                &row.id,
                &row.collection_id,
                &row.name,
                &row.content_type,
                &row.sha256,
                &row.bytes,
                &row.chunk_count,
                &row.uploaded_by,
            ],
        )
        .await?;
    Ok(document(&row))
}

/// A chunk as an upload writes it.
pub struct ChunkRow {
    pub id: Uuid,
    pub position: i32,
    pub heading_path: Vec<String>,
    pub content: String,
    pub content_sha: Vec<u8>,
    pub tokens: i32,
}

/// Replaces every chunk of document `id` with `chunks` (their vectors go with them).
pub async fn replace_chunks(
    client: &impl GenericClient,
    id: Uuid,
    chunks: &[ChunkRow],
) -> Result<(), tokio_postgres::Error> {
    client
        .execute("DELETE FROM memory.chunks WHERE document_id = $1", &[&id])
        .await?;
    let statement = client
        .prepare(
            "INSERT INTO memory.chunks \
                 (id, document_id, position, heading_path, content, content_sha, tokens) \
             SELECT u.id, $1, u.position, \
                 ARRAY(SELECT h FROM jsonb_array_elements_text(u.path) WITH ORDINALITY AS t(h, n) \
                       ORDER BY t.n), \
                 u.content, u.sha, u.tokens \
             FROM unnest($2::uuid[], $3::int[], $4::jsonb[], $5::text[], $6::bytea[], $7::int[]) \
                 AS u(id, position, path, content, sha, tokens)",
        )
        .await?;
    for batch in chunks.chunks(CHUNK_BATCH) {
        let ids: Vec<Uuid> = batch.iter().map(|c| c.id).collect();
        let positions: Vec<i32> = batch.iter().map(|c| c.position).collect();
        let paths: Vec<serde_json::Value> = batch
            .iter()
            .map(|c| serde_json::json!(c.heading_path))
            .collect();
        let contents: Vec<&str> = batch.iter().map(|c| c.content.as_str()).collect();
        let shas: Vec<&[u8]> = batch.iter().map(|c| c.content_sha.as_slice()).collect();
        let tokens: Vec<i32> = batch.iter().map(|c| c.tokens).collect();
        client
            .execute(
                &statement,
                &[&id, &ids, &positions, &paths, &contents, &shas, &tokens],
            )
            .await?;
    }
    Ok(())
}

/// The chunks of document `id`, in order.
pub async fn chunks(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Vec<ChunkView>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT id, position, heading_path, content, tokens FROM memory.chunks \
             WHERE document_id = $1 ORDER BY position",
            &[&id],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| ChunkView {
            id: r.get(0),
            position: r.get(1),
            heading_path: r.get(2),
            content: r.get(3),
            tokens: r.get(4),
        })
        .collect())
}

/// How many chunks of each of `ids` have a vector of `model` (`dimension` wide); documents
/// without any are left out.
pub async fn embedded_chunks(
    client: &impl GenericClient,
    ids: &[Uuid],
    model: &str,
    dimension: usize,
) -> Result<Vec<(Uuid, i64)>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT ch.document_id, count(*) FROM memory.chunks ch \
         JOIN {} v ON v.chunk_id = ch.id AND v.model = $2 \
         WHERE ch.document_id = ANY($1) GROUP BY ch.document_id",
        table(Corpus::Chunks, dimension)
    );
    let rows = client.query(&sql, &[&ids, &model]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

pub async fn delete(client: &impl GenericClient, id: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute("DELETE FROM memory.documents WHERE id = $1", &[&id])
        .await?;
    Ok(())
}
