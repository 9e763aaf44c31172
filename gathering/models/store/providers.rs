//! SQL of `llm.providers`.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::models::providers::{NewProvider, Provider, ProviderKind};

const COLUMNS: &str = "id, name, kind, base_url, secret_ref, created_at, updated_at";

fn provider(row: &Row) -> Provider {
    Provider {
        id: row.get("id"),
        name: row.get("name"),
        kind: ProviderKind::parse(row.get("kind")),
        base_url: row.get("base_url"),
        secret_ref: row.get("secret_ref"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

pub async fn list(client: &impl GenericClient) -> Result<Vec<Provider>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!("SELECT {COLUMNS} FROM llm.providers ORDER BY name"),
            &[],
        )
        .await?;
    Ok(rows.iter().map(provider).collect())
}

/// The provider `id`, locked until the transaction ends.
pub async fn lock(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Provider>, tokio_postgres::Error> {
    Ok(client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM llm.providers WHERE id = $1 FOR UPDATE"),
            &[&id],
        )
        .await?
        .map(|r| provider(&r)))
}

pub async fn id_by_name(
    client: &impl GenericClient,
    name: &str,
) -> Result<Option<Uuid>, tokio_postgres::Error> {
    Ok(client
        .query_opt("SELECT id FROM llm.providers WHERE name = $1", &[&name])
        .await?
        .map(|r| r.get(0)))
}

pub async fn insert(
    client: &impl GenericClient,
    new: &NewProvider,
) -> Result<Provider, tokio_postgres::Error> {
    let row = client
        .query_one(
            &format!(
                "INSERT INTO llm.providers (id, name, kind, base_url, secret_ref)
                 VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
            ),
            &[
                &Uuid::now_v7(),
                &new.name,
                &new.kind.as_str(),
                &new.base_url,
                &new.secret_ref,
            ],
        )
        .await?;
    Ok(provider(&row))
}

pub async fn update(
    client: &impl GenericClient,
    id: Uuid,
    base_url: &Option<String>,
    secret_ref: &Option<String>,
) -> Result<Provider, tokio_postgres::Error> {
    let row = client
        .query_one(
            &format!(
                "UPDATE llm.providers SET base_url = $2, secret_ref = $3, updated_at = now()
                 WHERE id = $1 RETURNING {COLUMNS}"
            ),
            &[&id, base_url, secret_ref],
        )
        .await?;
    Ok(provider(&row))
}

/// How many models run at provider `id`.
pub async fn models_using(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<i64, tokio_postgres::Error> {
    Ok(client
        .query_one(
            "SELECT count(*) FROM llm.models WHERE provider_id = $1",
            &[&id],
        )
        .await?
        .get(0))
}

pub async fn delete(client: &impl GenericClient, id: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute("DELETE FROM llm.providers WHERE id = $1", &[&id])
        .await?;
    Ok(())
}
