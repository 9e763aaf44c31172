//! The memories a turn was given, recorded on the user's message that started it.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

/// Records `used` (memory, score) in rank order; a memory recalled twice keeps its first row.
pub async fn record(
    client: &impl GenericClient,
    message_id: Uuid,
    used: &[(Uuid, f32)],
) -> Result<(), tokio_postgres::Error> {
    let statement = client
        .prepare(
            "INSERT INTO memory.recalls (message_id, memory_id, score, rank) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .await?;
    for (rank, (memory_id, score)) in used.iter().enumerate() {
        let rank = rank as i32 + 1;
        client
            .execute(&statement, &[&message_id, memory_id, score, &rank])
            .await?;
    }
    Ok(())
}

/// The memories recalled for a message, by rank.
pub async fn of_message(
    client: &impl GenericClient,
    message_id: Uuid,
) -> Result<Vec<(Uuid, f32)>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT memory_id, score FROM memory.recalls WHERE message_id = $1 ORDER BY rank",
            &[&message_id],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
