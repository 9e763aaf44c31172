//! Stored pipelines: the row that names a pipeline (its newest version, owner and webhook
//! secret's hash), read with its newest document.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use tokio_postgres::Row;
use uuid::Uuid;

use super::Result;
use super::versions::insert_version;
use crate::orchestration::pipeline::records::StoredPipeline;

const PIPELINE_COLUMNS: &str = "p.id, p.name, p.description, p.status, p.version, p.owner_id,
    p.webhook_secret_hash IS NOT NULL AS webhook_enabled, v.document, p.created_at, p.updated_at";

fn pipeline_of(row: &Row) -> StoredPipeline {
    StoredPipeline {
        id: row.get("id"),
        name: row.get("name"),
        description: row.get("description"),
        status: row.get("status"),
        version: row.get("version"),
        owner_id: row.get("owner_id"),
        webhook_enabled: row.get("webhook_enabled"),
        document: row.get("document"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

/// The columns of a new or changed pipeline.
#[derive(Debug)]
pub struct PipelineRow<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub status: &'a str,
    pub document: &'a Value,
}

pub async fn insert_pipeline(
    tx: &impl GenericClient,
    id: Uuid,
    owner: Uuid,
    row: &PipelineRow<'_>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO pipeline.pipelines (id, name, description, status, version, owner_id)
         VALUES ($1, $2, $3, $4, 1, $5)",
        &[&id, &row.name, &row.description, &row.status, &owner],
    )
    .await?;
    insert_version(tx, id, 1, row.document, owner).await
}

/// Writes version `version` and makes it the newest.
pub async fn update_pipeline(
    tx: &impl GenericClient,
    id: Uuid,
    version: i32,
    by: Uuid,
    row: &PipelineRow<'_>,
) -> Result<()> {
    insert_version(tx, id, version, row.document, by).await?;
    tx.execute(
        "UPDATE pipeline.pipelines SET name = $2, description = $3, status = $4, version = $5,
                updated_at = now() WHERE id = $1",
        &[&id, &row.name, &row.description, &row.status, &version],
    )
    .await?;
    Ok(())
}

/// Locks the pipeline row; its newest version and owner.
pub async fn lock_pipeline(tx: &impl GenericClient, id: Uuid) -> Result<Option<(i32, Uuid)>> {
    Ok(tx
        .query_opt(
            "SELECT version, owner_id FROM pipeline.pipelines WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        .map(|r| (r.get(0), r.get(1))))
}

pub async fn get_pipeline(client: &impl GenericClient, id: Uuid) -> Result<Option<StoredPipeline>> {
    let sql = format!(
        "SELECT {PIPELINE_COLUMNS} FROM pipeline.pipelines p
         JOIN pipeline.versions v ON v.pipeline_id = p.id AND v.version = p.version
         WHERE p.id = $1"
    );
    Ok(client
        .query_opt(&sql, &[&id])
        .await?
        .map(|r| pipeline_of(&r)))
}

pub async fn get_pipeline_by_name(
    client: &impl GenericClient,
    name: &str,
) -> Result<Option<StoredPipeline>> {
    let sql = format!(
        "SELECT {PIPELINE_COLUMNS} FROM pipeline.pipelines p
         JOIN pipeline.versions v ON v.pipeline_id = p.id AND v.version = p.version
         WHERE p.name = $1"
    );
    Ok(client
        .query_opt(&sql, &[&name])
        .await?
        .map(|r| pipeline_of(&r)))
}

pub async fn list_pipelines(
    client: &impl GenericClient,
    search: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<StoredPipeline>> {
    let sql = format!(
        "SELECT {PIPELINE_COLUMNS} FROM pipeline.pipelines p
         JOIN pipeline.versions v ON v.pipeline_id = p.id AND v.version = p.version
         WHERE ($1::uuid IS NULL OR p.id > $1)
           AND ($3::text IS NULL OR strpos(lower(p.name), lower($3)) > 0
                OR strpos(lower(p.description), lower($3)) > 0)
         ORDER BY p.id LIMIT $2"
    );
    Ok(client
        .query(&sql, &[&after, &limit, &search])
        .await?
        .iter()
        .map(pipeline_of)
        .collect())
}

pub async fn delete_pipeline(tx: &impl GenericClient, id: Uuid) -> Result<bool> {
    Ok(tx
        .execute("DELETE FROM pipeline.pipelines WHERE id = $1", &[&id])
        .await?
        == 1)
}

pub async fn set_webhook_hash(
    tx: &impl GenericClient,
    id: Uuid,
    hash: Option<&[u8]>,
) -> Result<()> {
    tx.execute(
        "UPDATE pipeline.pipelines SET webhook_secret_hash = $2, updated_at = now() WHERE id = $1",
        &[&id, &hash],
    )
    .await?;
    Ok(())
}

pub async fn webhook_hash(client: &impl GenericClient, id: Uuid) -> Result<Option<Vec<u8>>> {
    Ok(client
        .query_opt(
            "SELECT webhook_secret_hash FROM pipeline.pipelines WHERE id = $1",
            &[&id],
        )
        .await?
        .and_then(|r| r.get(0)))
}
