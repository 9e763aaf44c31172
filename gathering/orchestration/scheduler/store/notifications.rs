//! In-app notifications (what `send_notification` and the runaway guard send).

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde::Serialize;
use uuid::Uuid;

use super::{all, one, opt};

/// An in-app notification.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub user_id: Uuid,
    pub title: String,
    pub message: String,
    /// `info`, `warning` or `error`.
    pub level: String,
    pub schedule_id: Option<Uuid>,
    pub run_id: Option<Uuid>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const NOTIFICATION_COLUMNS: &str =
    "id, user_id, title, message, level, schedule_id, run_id, read_at, created_at";

fn notification(row: &tokio_postgres::Row) -> Notification {
    Notification {
        id: row.get(0),
        user_id: row.get(1),
        title: row.get(2),
        message: row.get(3),
        level: row.get(4),
        schedule_id: row.get(5),
        run_id: row.get(6),
        read_at: row.get(7),
        created_at: row.get(8),
    }
}

/// A notification to send.
pub struct NewNotification<'a> {
    pub user_id: Uuid,
    pub title: &'a str,
    pub message: &'a str,
    /// `info`, `warning` or `error`.
    pub level: &'a str,
    pub schedule_id: Option<Uuid>,
    pub run_id: Option<Uuid>,
}

pub async fn insert_notification(
    tx: &impl GenericClient,
    n: &NewNotification<'_>,
) -> Result<Notification, tokio_postgres::Error> {
    let row = one(
        tx,
        &format!(
            "INSERT INTO scheduler.notifications
                   (id, user_id, title, message, level, schedule_id, run_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {NOTIFICATION_COLUMNS}"
        ),
        &[
            &Uuid::now_v7(),
            &n.user_id,
            &n.title,
            &n.message,
            &n.level,
            &n.schedule_id,
            &n.run_id,
        ],
    )
    .await?;
    Ok(notification(&row))
}

/// The notification a run already sent (an earlier attempt's).
pub async fn notification_of_run(
    client: &impl GenericClient,
    run_id: Uuid,
) -> Result<Option<Uuid>, tokio_postgres::Error> {
    let row = opt(
        client,
        "SELECT id FROM scheduler.notifications WHERE run_id = $1",
        &[&run_id],
    )
    .await?;
    Ok(row.map(|r| r.get(0)))
}

/// A page of a user's notifications, newest first.
pub async fn list_notifications(
    client: &impl GenericClient,
    user_id: Uuid,
    unread_only: bool,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Notification>, tokio_postgres::Error> {
    let rows = all(
        client,
        &format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM scheduler.notifications
                  WHERE user_id = $1 AND (NOT $2 OR read_at IS NULL)
                    AND ($3::uuid IS NULL OR id < $3)
                  ORDER BY id DESC LIMIT $4"
        ),
        &[&user_id, &unread_only, &before, &limit],
    )
    .await?;
    Ok(rows.iter().map(notification).collect())
}

/// Marks one of the user's notifications read; `None` when it is not theirs.
pub async fn mark_read(
    client: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<Notification>, tokio_postgres::Error> {
    let row = opt(
        client,
        &format!(
            "UPDATE scheduler.notifications SET read_at = coalesce(read_at, now())
                  WHERE id = $1 AND user_id = $2 RETURNING {NOTIFICATION_COLUMNS}"
        ),
        &[&id, &user_id],
    )
    .await?;
    Ok(row.as_ref().map(notification))
}
