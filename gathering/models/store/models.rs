//! SQL of `llm.models`, read joined with the model's provider and fallback.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::models::catalog::{Model, ModelKind, ModelPatch, NewModel};
use crate::models::providers::ProviderKind;

const SELECT: &str = "SELECT m.id, m.name, p.name AS provider, p.kind AS provider_kind,
    p.base_url, p.secret_ref, m.provider_model, m.kind, m.context_window, m.dimension,
    m.capabilities, m.input_price_per_mtok::float8 AS input_price,
    m.output_price_per_mtok::float8 AS output_price, f.name AS fallback, m.enabled,
    m.created_at, m.updated_at
    FROM llm.models m JOIN llm.providers p ON p.id = m.provider_id
    LEFT JOIN llm.models f ON f.id = m.fallback_id";

fn model(row: &Row) -> Model {
    Model {
        id: row.get("id"),
        name: row.get("name"),
        provider: row.get("provider"),
        provider_kind: ProviderKind::parse(row.get("provider_kind")),
        provider_model: row.get("provider_model"),
        kind: if row.get::<_, &str>("kind") == "embedding" {
            ModelKind::Embedding
        } else {
            ModelKind::Chat
        },
        context_window: row.get("context_window"),
        dimension: row.get("dimension"),
        capabilities: row.get("capabilities"),
        input_price_per_mtok: row.get("input_price"),
        output_price_per_mtok: row.get("output_price"),
        fallback: row.get("fallback"),
        enabled: row.get("enabled"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
        base_url: row.get("base_url"),
        secret_ref: row.get("secret_ref"),
    }
}

pub async fn list(client: &impl GenericClient) -> Result<Vec<Model>, tokio_postgres::Error> {
    let rows = client
        .query(&format!("{SELECT} ORDER BY m.name"), &[])
        .await?;
    Ok(rows.iter().map(model).collect())
}

pub async fn by_name(
    client: &impl GenericClient,
    name: &str,
) -> Result<Option<Model>, tokio_postgres::Error> {
    Ok(client
        .query_opt(&format!("{SELECT} WHERE m.name = $1"), &[&name])
        .await?
        .map(|r| model(&r)))
}

pub async fn by_id(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Model>, tokio_postgres::Error> {
    Ok(client
        .query_opt(&format!("{SELECT} WHERE m.id = $1"), &[&id])
        .await?
        .map(|r| model(&r)))
}

/// Locks the model `id` until the transaction ends.
pub async fn lock(client: &impl GenericClient, id: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute("SELECT 1 FROM llm.models WHERE id = $1 FOR UPDATE", &[&id])
        .await?;
    Ok(())
}

/// The id and kind (`chat`, `embedding`) of the model called `name`.
pub async fn id_and_kind(
    client: &impl GenericClient,
    name: &str,
) -> Result<Option<(Uuid, String)>, tokio_postgres::Error> {
    Ok(client
        .query_opt("SELECT id, kind FROM llm.models WHERE name = $1", &[&name])
        .await?
        .map(|r| (r.get(0), r.get(1))))
}

/// The fallback of the model `id`.
pub async fn fallback_of(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Uuid>, tokio_postgres::Error> {
    Ok(client
        .query_one("SELECT fallback_id FROM llm.models WHERE id = $1", &[&id])
        .await?
        .get(0))
}

pub async fn insert(
    client: &impl GenericClient,
    id: Uuid,
    provider_id: Uuid,
    fallback_id: Option<Uuid>,
    new: &NewModel,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO llm.models (id, name, provider_id, provider_model, kind, context_window,
                dimension, capabilities, input_price_per_mtok, output_price_per_mtok, fallback_id,
                enabled)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::float8::numeric, $10::float8::numeric,
                $11, $12)",
            &[
                &id,
                &new.name,
                &provider_id,
                &new.provider_model,
                &new.kind.as_str(),
                &new.context_window,
                &new.dimension,
                &new.capabilities,
                &new.input_price_per_mtok,
                &new.output_price_per_mtok,
                &fallback_id,
                &new.enabled,
            ],
        )
        .await?;
    Ok(())
}

/// Applies `patch`; `fallback` is `None` to keep the fallback, `Some(None)` to remove it.
pub async fn update(
    client: &impl GenericClient,
    id: Uuid,
    patch: &ModelPatch,
    fallback: Option<Option<Uuid>>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE llm.models SET
                provider_model = coalesce($2, provider_model),
                context_window = coalesce($3, context_window),
                capabilities = coalesce($4, capabilities),
                input_price_per_mtok = coalesce($5::float8::numeric, input_price_per_mtok),
                output_price_per_mtok = coalesce($6::float8::numeric, output_price_per_mtok),
                fallback_id = CASE WHEN $7 THEN $8 ELSE fallback_id END,
                enabled = coalesce($9, enabled),
                updated_at = now()
             WHERE id = $1",
            &[
                &id,
                &patch.provider_model,
                &patch.context_window,
                &patch.capabilities,
                &patch.input_price_per_mtok,
                &patch.output_price_per_mtok,
                &fallback.is_some(),
                &fallback.flatten(),
                &patch.enabled,
            ],
        )
        .await?;
    Ok(())
}

pub async fn delete(client: &impl GenericClient, id: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute("DELETE FROM llm.models WHERE id = $1", &[&id])
        .await?;
    Ok(())
}
