//! SQL of the audit log.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::{Entry, Event, Filter};

/// Appends one row.
pub async fn record(
    client: &impl GenericClient,
    entry: &Entry<'_>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO audit.events (id, actor_id, action, outcome, ip, request_id, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &Uuid::now_v7(),
                &entry.actor_id,
                &entry.action,
                &entry.outcome.as_str(),
                &entry.meta.ip,
                &entry.meta.request_id,
                &entry.details,
            ],
        )
        .await?;
    Ok(())
}

/// The newest rows first, filtered.
pub async fn list(
    client: &impl GenericClient,
    filter: &Filter,
) -> Result<Vec<Event>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT id, ts, actor_id, action, outcome, ip, request_id, details
               FROM audit.events
              WHERE ($1::text IS NULL OR action = $1
                     OR (right($1, 1) = '.' AND starts_with(action, $1)))
                AND ($2::uuid IS NULL OR actor_id = $2)
                AND ($3::text IS NULL OR outcome = $3)
                AND ($4::timestamptz IS NULL OR ts >= $4)
                AND ($5::timestamptz IS NULL OR ts < $5)
                AND ($6::uuid IS NULL OR id < $6)
              ORDER BY id DESC
              LIMIT $7",
            &[
                &filter.action,
                &filter.actor_id,
                &filter.outcome.map(super::Outcome::as_str),
                &filter.since,
                &filter.until,
                &filter.before,
                &filter.limit,
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Event {
            id: r.get(0),
            ts: r.get(1),
            actor_id: r.get(2),
            action: r.get(3),
            outcome: r.get(4),
            ip: r.get(5),
            request_id: r.get(6),
            details: r.get(7),
        })
        .collect())
}
