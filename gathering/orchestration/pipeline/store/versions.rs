//! Pipeline versions: every change of a document is a new version, kept for runs and diffs.

use deadpool_postgres::GenericClient;
use serde_json::Value;
use tokio_postgres::Row;
use uuid::Uuid;

use super::Result;
use crate::orchestration::pipeline::records::Version;

pub(super) async fn insert_version(
    tx: &impl GenericClient,
    id: Uuid,
    version: i32,
    document: &Value,
    by: Uuid,
) -> Result<()> {
    tx.execute(
        "INSERT INTO pipeline.versions (pipeline_id, version, document, created_by)
         VALUES ($1, $2, $3, $4)",
        &[&id, &version, document, &by],
    )
    .await?;
    Ok(())
}

fn version_of(row: &Row) -> Version {
    Version {
        pipeline_id: row.get("pipeline_id"),
        version: row.get("version"),
        document: row.get("document"),
        created_by: row.get("created_by"),
        created_at: row.get("created_at"),
    }
}

pub async fn list_versions(client: &impl GenericClient, id: Uuid) -> Result<Vec<Version>> {
    Ok(client
        .query(
            "SELECT pipeline_id, version, document, created_by, created_at FROM pipeline.versions
             WHERE pipeline_id = $1 ORDER BY version DESC LIMIT 1000",
            &[&id],
        )
        .await?
        .iter()
        .map(version_of)
        .collect())
}

pub async fn get_version(
    client: &impl GenericClient,
    id: Uuid,
    version: i32,
) -> Result<Option<Version>> {
    Ok(client
        .query_opt(
            "SELECT pipeline_id, version, document, created_by, created_at FROM pipeline.versions
             WHERE pipeline_id = $1 AND version = $2",
            &[&id, &version],
        )
        .await?
        .map(|r| version_of(&r)))
}
