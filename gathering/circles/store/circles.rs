//! Circles: insert, find by name or id, list (an admin sees all; others the circles they are a
//! person member of), update and archive.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::circles::model::{Circle, CircleSettings};

const COLUMNS: &str =
    "c.id, c.name, c.purpose, c.owner_id, c.settings, c.archived_at, c.created_at, c.updated_at";

fn circle(row: &Row) -> Circle {
    let settings: serde_json::Value = row.get(4);
    Circle {
        id: row.get(0),
        name: row.get(1),
        purpose: row.get(2),
        owner_id: row.get(3),
        settings: serde_json::from_value(settings).unwrap_or_default(),
        archived_at: row.get(5),
        created_at: row.get(6),
        updated_at: row.get(7),
    }
}

pub struct NewRow<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub purpose: &'a str,
    pub owner_id: Uuid,
    pub settings: &'a CircleSettings,
}

pub async fn insert(
    client: &impl GenericClient,
    row: &NewRow<'_>,
) -> Result<(), tokio_postgres::Error> {
    let settings = serde_json::to_value(row.settings).unwrap_or_default();
    client
        .execute(
            "INSERT INTO circles.circles (id, name, purpose, owner_id, settings)
             VALUES ($1, $2, $3, $4, $5)",
            &[&row.id, &row.name, &row.purpose, &row.owner_id, &settings],
        )
        .await?;
    Ok(())
}

/// The circle named `name`; `lock` holds its row until the transaction ends.
pub async fn by_name(
    client: &impl GenericClient,
    name: &str,
    lock: bool,
) -> Result<Option<Circle>, tokio_postgres::Error> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {COLUMNS} FROM circles.circles c WHERE c.name = $1{lock}");
    Ok(client.query_opt(&sql, &[&name]).await?.as_ref().map(circle))
}

pub async fn by_id(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Circle>, tokio_postgres::Error> {
    let sql = format!("SELECT {COLUMNS} FROM circles.circles c WHERE c.id = $1");
    Ok(client.query_opt(&sql, &[&id]).await?.as_ref().map(circle))
}

/// What a list shows.
pub struct ListQuery {
    /// `None`: every circle (an admin).
    pub member: Option<Uuid>,
    pub archived: bool,
    pub after: Option<Uuid>,
    pub limit: i64,
}

pub async fn list(
    client: &impl GenericClient,
    q: &ListQuery,
) -> Result<Vec<Circle>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM circles.circles c
          WHERE ($1::uuid IS NULL OR c.id IN
                  (SELECT p.circle_id FROM circles.person_members p WHERE p.user_id = $1))
            AND ((c.archived_at IS NOT NULL) = $2)
            AND ($3::uuid IS NULL OR c.id > $3)
          ORDER BY c.id LIMIT $4"
    );
    let rows = client
        .query(&sql, &[&q.member, &q.archived, &q.after, &q.limit])
        .await?;
    Ok(rows.iter().map(circle).collect())
}

pub async fn update(
    client: &impl GenericClient,
    id: Uuid,
    purpose: &str,
    settings: &CircleSettings,
) -> Result<(), tokio_postgres::Error> {
    let settings = serde_json::to_value(settings).unwrap_or_default();
    client
        .execute(
            "UPDATE circles.circles SET purpose = $2, settings = $3, updated_at = now()
              WHERE id = $1",
            &[&id, &purpose, &settings],
        )
        .await?;
    Ok(())
}

pub async fn archive(client: &impl GenericClient, id: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.circles SET archived_at = coalesce(archived_at, now()),
                    updated_at = now() WHERE id = $1",
            &[&id],
        )
        .await?;
    Ok(())
}
