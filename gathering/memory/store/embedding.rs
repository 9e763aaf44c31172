//! The embedding cache by (model, sha256 of the text), and the embedding state: which model
//! search serves from and which one new vectors are made with.

use deadpool_postgres::GenericClient;
use pgvector::Vector;
use uuid::Uuid;

/// Cached vectors of `model` for these hashes (counted as hits).
pub async fn cached(
    client: &impl GenericClient,
    model: &str,
    shas: &[Vec<u8>],
) -> Result<Vec<(Vec<u8>, Vector)>, tokio_postgres::Error> {
    let rows = client
        .query(
            "UPDATE memory.embedding_cache SET hits = hits + 1 \
             WHERE model = $1 AND sha256 = ANY($2) RETURNING sha256, embedding",
            &[&model, &shas],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Remembers vectors of `model`.
pub async fn remember(
    client: &impl GenericClient,
    model: &str,
    entries: &[(Vec<u8>, Vector)],
) -> Result<(), tokio_postgres::Error> {
    let statement = client
        .prepare(
            "INSERT INTO memory.embedding_cache (model, sha256, embedding) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .await?;
    for (sha, vector) in entries {
        client.execute(&statement, &[&model, sha, vector]).await?;
    }
    Ok(())
}

/// A model and the length of its vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRef {
    pub name: String,
    pub dimension: usize,
}

/// The serving and target models (none before the first start chose one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct State {
    pub serving: Option<ModelRef>,
    pub target: Option<ModelRef>,
}

fn model_ref(name: Option<String>, dimension: Option<i32>) -> Option<ModelRef> {
    Some(ModelRef {
        name: name?,
        dimension: usize::try_from(dimension?).ok()?,
    })
}

pub async fn state(client: &impl GenericClient) -> Result<State, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT serving_model, serving_dimension, target_model, target_dimension \
             FROM memory.embedding_state",
            &[],
        )
        .await?;
    Ok(State {
        serving: model_ref(row.get(0), row.get(1)),
        target: model_ref(row.get(2), row.get(3)),
    })
}

/// Sets both models when none is set yet; true when it did.
pub async fn initialise(
    client: &impl GenericClient,
    model: &ModelRef,
) -> Result<bool, tokio_postgres::Error> {
    let dim = model.dimension as i32;
    let n = client
        .execute(
            "UPDATE memory.embedding_state SET serving_model = $1, serving_dimension = $2, \
             target_model = $1, target_dimension = $2, changed_at = now() \
             WHERE serving_model IS NULL",
            &[&model.name, &dim],
        )
        .await?;
    Ok(n == 1)
}

/// Makes `model` the target: vectors of it are made for everything, then it serves.
pub async fn set_target(
    client: &impl GenericClient,
    model: &ModelRef,
    by: Option<Uuid>,
) -> Result<(), tokio_postgres::Error> {
    let dim = model.dimension as i32;
    client
        .execute(
            "UPDATE memory.embedding_state SET target_model = $1, target_dimension = $2, \
             changed_at = now(), changed_by = $3",
            &[&model.name, &dim, &by],
        )
        .await?;
    Ok(())
}

/// Makes the target serve, if it is still `model`; true when it switched.
pub async fn promote(
    client: &impl GenericClient,
    model: &str,
) -> Result<bool, tokio_postgres::Error> {
    let n = client
        .execute(
            "UPDATE memory.embedding_state SET serving_model = target_model, \
             serving_dimension = target_dimension, changed_at = now() \
             WHERE target_model = $1 AND serving_model IS DISTINCT FROM target_model",
            &[&model],
        )
        .await?;
    Ok(n == 1)
}
