//! The event cursor: the outbox seq up to which event schedules were handled, shared by the
//! instances (one row).

use deadpool_postgres::GenericClient;

use super::{exec, opt};

/// The outbox seq up to which event schedules were handled.
pub async fn event_cursor(
    client: &impl GenericClient,
) -> Result<Option<i64>, tokio_postgres::Error> {
    let row = opt(client, "SELECT seq FROM scheduler.event_cursor", &[]).await?;
    Ok(row.map(|r| r.get(0)))
}

/// Moves the event cursor forward (never back: instances save what they handled).
pub async fn save_event_cursor(
    client: &impl GenericClient,
    seq: i64,
) -> Result<(), tokio_postgres::Error> {
    exec(
        client,
        "INSERT INTO scheduler.event_cursor (seq) VALUES ($1)
         ON CONFLICT (id) DO UPDATE SET seq = greatest(scheduler.event_cursor.seq, EXCLUDED.seq)",
        &[&seq],
    )
    .await?;
    Ok(())
}
