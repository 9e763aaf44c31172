//! Discussions: insert, read (one, a circle's page, the names of their agents, a creator's
//! role) and the status changes people make (pause, resume, stop, waiting and back, a chosen
//! speaker, continuing a finished one).

use std::collections::HashMap;

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::circles::discussion::model::{DiscussionStatus, Record};
use crate::circles::discussion::turns::Mode;

pub(super) const COLUMNS: &str = "d.id, d.circle_id, d.topic, d.prompt, d.mode, d.participants,
    d.facilitator_id, d.transitions, d.limits, d.seed, d.summary_agent_id, d.save_summary,
    d.status, d.waiting_for, d.next_speaker, d.end_reason, d.turns, d.tokens, d.cost, d.summary,
    d.summary_memory_id, d.created_by, d.created_at, d.started_at, d.ended_at, d.updated_at,
    d.deadline";

pub(super) fn record(row: &Row) -> Record {
    let mode: String = row.get(4);
    let transitions: Option<serde_json::Value> = row.get(7);
    let limits: serde_json::Value = row.get(8);
    let status: String = row.get(12);
    Record {
        id: row.get(0),
        circle_id: row.get(1),
        topic: row.get(2),
        prompt: row.get(3),
        mode: Mode::parse(&mode).unwrap_or_default(),
        participants: row.get(5),
        facilitator_id: row.get(6),
        transitions: transitions.and_then(|t| serde_json::from_value(t).ok()),
        limits: serde_json::from_value(limits).unwrap_or_default(),
        seed: row.get(9),
        summary_agent_id: row.get(10),
        save_summary: row.get(11),
        status: DiscussionStatus::parse(&status),
        waiting_for: row.get(13),
        next_speaker: row.get(14),
        end_reason: row.get(15),
        turns: row.get(16),
        tokens: row.get(17),
        cost: row.get(18),
        summary: row.get(19),
        summary_memory_id: row.get(20),
        created_by: row.get(21),
        created_at: row.get(22),
        started_at: row.get(23),
        ended_at: row.get(24),
        updated_at: row.get(25),
        deadline: row.get(26),
    }
}

/// Stores a new discussion (`pending`).
/// Marks who started the discussion (`run:<run>:<node>`, `schedule:<run>`); unique.
pub async fn set_origin(
    client: &impl GenericClient,
    id: Uuid,
    origin: &str,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.discussions SET origin = $2 WHERE id = $1",
            &[&id, &origin],
        )
        .await?;
    Ok(())
}

/// The discussion of the circle started by `origin`, if any.
pub async fn by_origin(
    client: &impl GenericClient,
    circle: Uuid,
    origin: &str,
) -> Result<Option<Uuid>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT id FROM circles.discussions WHERE circle_id = $1 AND origin = $2",
            &[&circle, &origin],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

pub async fn insert(client: &impl GenericClient, r: &Record) -> Result<(), tokio_postgres::Error> {
    let transitions = r
        .transitions
        .as_ref()
        .map(|t| serde_json::to_value(t).unwrap_or_default());
    let limits = serde_json::to_value(&r.limits).unwrap_or_default();
    client
        .execute(
            "INSERT INTO circles.discussions
                (id, circle_id, topic, prompt, mode, participants, facilitator_id, transitions,
                 limits, seed, summary_agent_id, save_summary, status, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            &[
                &r.id,
                &r.circle_id,
                &r.topic,
                &r.prompt,
                &r.mode.as_str(),
                &r.participants,
                &r.facilitator_id,
                &transitions,
                &limits,
                &r.seed,
                &r.summary_agent_id,
                &r.save_summary,
                &r.status.as_str(),
                &r.created_by,
            ],
        )
        .await?;
    Ok(())
}

/// The discussion `id` of `circle`; `lock` holds its row until the transaction ends.
pub async fn get(
    client: &impl GenericClient,
    circle: Uuid,
    id: Uuid,
    lock: bool,
) -> Result<Option<Record>, tokio_postgres::Error> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql = format!(
        "SELECT {COLUMNS} FROM circles.discussions d WHERE d.id = $1 AND d.circle_id = $2{lock}"
    );
    Ok(client
        .query_opt(&sql, &[&id, &circle])
        .await?
        .as_ref()
        .map(record))
}

/// The discussion `id`, whatever its circle (the engine and `wait_ended`).
pub async fn by_id(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Record>, tokio_postgres::Error> {
    let sql = format!("SELECT {COLUMNS} FROM circles.discussions d WHERE d.id = $1");
    Ok(client.query_opt(&sql, &[&id]).await?.as_ref().map(record))
}

/// A page of a circle's discussions, newest first.
pub async fn list(
    client: &impl GenericClient,
    circle: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Record>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM circles.discussions d
          WHERE d.circle_id = $1 AND ($2::uuid IS NULL OR d.id < $2)
          ORDER BY d.id DESC LIMIT $3"
    );
    let rows = client.query(&sql, &[&circle, &before, &limit]).await?;
    Ok(rows.iter().map(record).collect())
}

/// The names of agents, by id (deleted ones are missing).
pub async fn agent_names(
    client: &impl GenericClient,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT id, name FROM agents.agents WHERE id = ANY($1)",
            &[&ids],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// A user's current platform role (`admin`, `member`, `viewer`), if the user exists.
pub async fn user_role(
    client: &impl GenericClient,
    user: Uuid,
) -> Result<Option<String>, tokio_postgres::Error> {
    let row = client
        .query_opt("SELECT role FROM auth.users WHERE id = $1", &[&user])
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// A status change a person asks for (pause, resume, waiting back to running).
pub async fn set_status(
    client: &impl GenericClient,
    id: Uuid,
    status: DiscussionStatus,
    waiting_for: Option<&str>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.discussions SET status = $2, waiting_for = $3, updated_at = now()
              WHERE id = $1",
            &[&id, &status.as_str(), &waiting_for],
        )
        .await?;
    Ok(())
}

/// Ends the discussion with `status` and `reason` (its summary is written next).
pub async fn end(
    client: &impl GenericClient,
    id: Uuid,
    status: DiscussionStatus,
    reason: &str,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.discussions
                SET status = $2, end_reason = $3, waiting_for = NULL, next_speaker = NULL,
                    ended_at = now(), updated_at = now()
              WHERE id = $1",
            &[&id, &status.as_str(), &reason],
        )
        .await?;
    Ok(())
}

/// The speaker a person chose for the next turn.
pub async fn set_next_speaker(
    client: &impl GenericClient,
    id: Uuid,
    agent: Uuid,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.discussions SET next_speaker = $2, updated_at = now() WHERE id = $1",
            &[&id, &agent],
        )
        .await?;
    Ok(())
}

/// A finished discussion goes on: pending again with more turns, its end and summary cleared
/// (a new one is written at its next end), its wall clock restarted.
pub async fn reopen(
    client: &impl GenericClient,
    id: Uuid,
    limits: &serde_json::Value,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.discussions
                SET status = 'pending', limits = $2, end_reason = NULL, ended_at = NULL,
                    summary = NULL, summary_memory_id = NULL, waiting_for = NULL,
                    next_speaker = NULL, started_at = NULL, deadline = NULL,
                    claimed_by = NULL, lease_until = NULL, updated_at = now()
              WHERE id = $1",
            &[&id, limits],
        )
        .await?;
    Ok(())
}
