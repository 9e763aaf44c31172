//! The outbox table: `append` in the transaction of a change (last, just before commit: it
//! takes the lock that orders commits), `page` to read history after a `seq`, `purge` for
//! retention. The readers take tokio-postgres clients (the relay's own connection, or a pool
//! client dereferenced); the writer takes the caller's transaction. Commit sends a `NOTIFY` carrying the seq, which every instance's relay hears.

use std::borrow::Cow;

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use super::{Event, EventType, NewEvent, Scope};
use crate::core::json;

/// The channel the relay listens on; the payload is the seq, never the event.
pub const CHANNEL: &str = "gathering_events";
/// Serialises outbox writers from seq assignment to commit (a transaction-level lock).
const ORDER_LOCK: i64 = 0x6761_7468_6576_0001;

/// Writes `event` to the outbox inside the caller's transaction; returns its seq.
pub async fn append(
    tx: &impl GenericClient,
    event: &NewEvent,
) -> Result<i64, tokio_postgres::Error> {
    // Prepared once per connection: every change runs these three statements.
    let lock = tx
        .prepare_cached("SELECT pg_advisory_xact_lock($1)")
        .await?;
    tx.execute(&lock, &[&ORDER_LOCK]).await?;
    let scope = serde_json::to_value(&event.scope).unwrap_or_default();
    let data = storable(&event.data);
    let insert = tx
        .prepare_cached(
            "INSERT INTO events.outbox (seq, id, type, scope, actor, data)
             VALUES (nextval('events.outbox_seq'), $1, $2, $3, $4, $5) RETURNING seq",
        )
        .await?;
    let row = tx
        .query_one(
            &insert,
            &[
                &Uuid::now_v7(),
                &event.event_type.as_str(),
                &scope,
                &event.actor,
                &*data,
            ],
        )
        .await?;
    let seq: i64 = row.get(0);
    let notify = tx.prepare_cached("SELECT pg_notify($1, $2)").await?;
    tx.execute(&notify, &[&CHANNEL, &seq.to_string()]).await?;
    Ok(seq)
}

/// Writes `events`, in order, to the outbox inside the caller's transaction in three round
/// trips whatever their number (one lock, one insert, one notify); returns their seqs.
pub async fn append_all(
    tx: &impl GenericClient,
    events: &[NewEvent],
) -> Result<Vec<i64>, tokio_postgres::Error> {
    match events {
        [] => return Ok(Vec::new()),
        [one] => return append(tx, one).await.map(|seq| vec![seq]),
        _ => {}
    }
    let lock = tx
        .prepare_cached("SELECT pg_advisory_xact_lock($1)")
        .await?;
    tx.execute(&lock, &[&ORDER_LOCK]).await?;
    let ids: Vec<Uuid> = events.iter().map(|_| Uuid::now_v7()).collect();
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    let scopes: Vec<serde_json::Value> = events
        .iter()
        .map(|e| serde_json::to_value(&e.scope).unwrap_or_default())
        .collect();
    let actors: Vec<Option<Uuid>> = events.iter().map(|e| e.actor).collect();
    let stored: Vec<Cow<'_, serde_json::Value>> =
        events.iter().map(|e| storable(&e.data)).collect();
    let data: Vec<&serde_json::Value> = stored.iter().map(|d| &**d).collect();
    // WITH ORDINALITY keeps the caller's order in the seqs.
    let rows = tx
        .query(
            "INSERT INTO events.outbox (seq, id, type, scope, actor, data)
             SELECT nextval('events.outbox_seq'), id, type, scope, actor, data
             FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::uuid[], $5::jsonb[])
                  WITH ORDINALITY AS e(id, type, scope, actor, data, n)
             ORDER BY n
             RETURNING seq",
            &[&ids, &types, &scopes, &actors, &data],
        )
        .await?;
    let mut seqs: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    seqs.sort_unstable();
    let last = seqs.last().copied().unwrap_or_default();
    let notify = tx.prepare_cached("SELECT pg_notify($1, $2)").await?;
    tx.execute(&notify, &[&CHANNEL, &last.to_string()]).await?;
    Ok(seqs)
}

/// `data` as it may be stored ([`json::storable`]). Values are checked where they enter, so a
/// clamp only ever catches a path that forgot to; it is counted and logged.
fn storable(data: &serde_json::Value) -> Cow<'_, serde_json::Value> {
    let stored = json::storable(data);
    if let Cow::Owned(_) = stored {
        metrics::counter!("events_clamped_total").increment(1);
        tracing::warn!(
            max_depth = json::STORED_MAX_DEPTH,
            "an event's data was nested too deep to store; its deepest parts were replaced"
        );
    }
    stored
}

/// A page of the outbox.
#[derive(Debug, Default)]
pub struct OutboxPage {
    pub events: Vec<Event>,
    /// The highest seq read, including rows of types this binary does not know (written by a
    /// newer one), which are skipped.
    pub last: Option<i64>,
    /// Rows read; fewer than the limit means the end was reached.
    pub rows: usize,
}

/// Up to `limit` events after `since`, in seq order.
pub async fn page(
    client: &impl tokio_postgres::GenericClient,
    since: i64,
    limit: i64,
) -> Result<OutboxPage, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT seq, id, type, ts, scope, actor, data FROM events.outbox
              WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&since, &limit],
        )
        .await?;
    let events = rows.iter().filter_map(decode).collect();
    Ok(OutboxPage {
        events,
        last: rows.last().map(|r| r.get(0)),
        rows: rows.len(),
    })
}

/// An outbox row as an event; `None` for a type this binary does not know (written by a newer
/// one) and for a row that cannot be decoded, which is logged and counted
/// (`events_unreadable_total`) and skipped: one bad row never stops a reader.
fn decode(row: &tokio_postgres::Row) -> Option<Event> {
    let seq: i64 = row.try_get(0).ok()?;
    let decoded = (|| {
        let event_type: String = row.try_get(2)?;
        let Ok(event_type) = event_type.parse::<EventType>() else {
            return Ok(None);
        };
        let scope: serde_json::Value = row.try_get(4)?;
        Ok::<_, tokio_postgres::Error>(Some(Event {
            seq: Some(seq),
            id: row.try_get(1)?,
            event_type,
            ts: row.try_get(3)?,
            scope: serde_json::from_value::<Scope>(scope).unwrap_or_default(),
            actor: row.try_get(5)?,
            data: row.try_get(6)?,
        }))
    })();
    decoded.unwrap_or_else(|error| {
        metrics::counter!("events_unreadable_total").increment(1);
        tracing::error!(
            seq,
            "skipping an outbox row that cannot be decoded: {error}"
        );
        None
    })
}

/// Starts listening on [`CHANNEL`] on a connection of its own (the relay's): PostgreSQL then
/// notifies it of every commit that appended an event.
pub async fn listen(client: &tokio_postgres::Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await
}

/// The highest seq written so far (0 when none).
pub async fn head(
    client: &impl tokio_postgres::GenericClient,
) -> Result<i64, tokio_postgres::Error> {
    let row = client
        .query_one("SELECT coalesce(max(seq), 0) FROM events.outbox", &[])
        .await?;
    Ok(row.get(0))
}

/// Deletes events older than `max_age` and all but the newest `keep` events.
pub async fn purge(
    client: &impl tokio_postgres::GenericClient,
    max_age: std::time::Duration,
    keep: i64,
) -> Result<u64, tokio_postgres::Error> {
    client
        .execute(
            "DELETE FROM events.outbox
              WHERE ts < now() - make_interval(secs => $1)
                 OR seq <= (SELECT coalesce(max(seq), 0) FROM events.outbox) - $2",
            &[&max_age.as_secs_f64(), &keep],
        )
        .await
}
