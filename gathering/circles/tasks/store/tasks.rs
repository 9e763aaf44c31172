//! Tasks: insert, read (with the names of their agents), list, change their fields or their
//! state (which ends any step in flight), and their history.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::circles::tasks::model::{HistoryEntry, Priority, Task, TaskStatus};

pub(super) const COLUMNS: &str = "t.id, t.circle_id, t.title, t.description, t.competencies,
    t.priority, t.status, t.assignee_id, aa.name, t.offered_to, ao.name, t.refused_by,
    t.reviewer_id, ar.name, t.iteration, t.result, t.review_note, t.resources, t.created_by,
    t.created_at, t.updated_at";

pub(super) const FROM: &str = "circles.tasks t
    LEFT JOIN agents.agents aa ON aa.id = t.assignee_id
    LEFT JOIN agents.agents ao ON ao.id = t.offered_to
    LEFT JOIN agents.agents ar ON ar.id = t.reviewer_id";

pub(super) fn task(row: &Row) -> Task {
    let priority: &str = row.get(5);
    let status: &str = row.get(6);
    Task {
        id: row.get(0),
        circle_id: row.get(1),
        title: row.get(2),
        description: row.get(3),
        competencies: row.get(4),
        priority: Priority::parse(priority).unwrap_or(Priority::Medium),
        status: TaskStatus::parse(status).unwrap_or(TaskStatus::Blocked),
        assignee_id: row.get(7),
        assignee_name: row.get(8),
        offered_to: row.get(9),
        offered_to_name: row.get(10),
        refused_by: row.get(11),
        reviewer_id: row.get(12),
        reviewer_name: row.get(13),
        iteration: row.get(14),
        result: row.get(15),
        review_note: row.get(16),
        resources: row.get(17),
        created_by: row.get(18),
        created_at: row.get(19),
        updated_at: row.get(20),
    }
}

/// A new task's fields.
pub struct NewRow<'a> {
    pub id: Uuid,
    pub circle_id: Uuid,
    pub title: &'a str,
    pub description: &'a str,
    pub competencies: &'a [String],
    pub priority: Priority,
    pub resources: &'a [String],
    pub created_by: Uuid,
}

pub async fn insert(
    client: &impl GenericClient,
    row: &NewRow<'_>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO circles.tasks
                    (id, circle_id, title, description, competencies, priority, resources,
                     created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &row.id,
                &row.circle_id,
                &row.title,
                &row.description,
                &row.competencies,
                &row.priority.as_str(),
                &row.resources,
                &row.created_by,
            ],
        )
        .await?;
    Ok(())
}

/// The task `id` of `circle`; `lock` holds its row until the transaction ends.
pub async fn get(
    client: &impl GenericClient,
    circle: Uuid,
    id: Uuid,
    lock: bool,
) -> Result<Option<Task>, tokio_postgres::Error> {
    let lock = if lock { " FOR UPDATE OF t" } else { "" };
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE t.circle_id = $1 AND t.id = $2{lock}");
    Ok(client
        .query_opt(&sql, &[&circle, &id])
        .await?
        .as_ref()
        .map(task))
}

/// What a list shows.
pub struct ListQuery<'a> {
    pub circle: Uuid,
    pub status: Option<TaskStatus>,
    /// The assignee's name or id.
    pub assignee: Option<&'a str>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

pub async fn list(
    client: &impl GenericClient,
    q: &ListQuery<'_>,
) -> Result<Vec<Task>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM}
          WHERE t.circle_id = $1
            AND ($2::text IS NULL OR t.status = $2)
            AND ($3::text IS NULL OR aa.name = $3 OR t.assignee_id::text = $3)
            AND ($4::uuid IS NULL OR t.id > $4)
          ORDER BY t.id LIMIT $5"
    );
    let status = q.status.map(TaskStatus::as_str);
    let rows = client
        .query(&sql, &[&q.circle, &status, &q.assignee, &q.after, &q.limit])
        .await?;
    Ok(rows.iter().map(task).collect())
}

/// Writes the task's fields and state as `task` has them. Any step in flight ends (its
/// instance's answer is then refused: it no longer holds the claim), and so do its failures.
pub async fn save(client: &impl GenericClient, task: &Task) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.tasks
                SET title = $2, description = $3, competencies = $4, priority = $5,
                    status = $6, assignee_id = $7, offered_to = $8, refused_by = $9,
                    reviewer_id = $10, iteration = $11, result = $12, review_note = $13,
                    resources = $14, updated_at = now(),
                    claimed_by = NULL, lease_until = NULL, attempts = 0
              WHERE id = $1",
            &[
                &task.id,
                &task.title,
                &task.description,
                &task.competencies,
                &task.priority.as_str(),
                &task.status.as_str(),
                &task.assignee_id,
                &task.offered_to,
                &task.refused_by,
                &task.reviewer_id,
                &task.iteration,
                &task.result,
                &task.review_note,
                &task.resources,
            ],
        )
        .await?;
    Ok(())
}

/// The task as it is now, with its agents' names (after [`save`]).
pub async fn reread(client: &impl GenericClient, id: Uuid) -> Result<Task, tokio_postgres::Error> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE t.id = $1");
    Ok(task(&client.query_one(&sql, &[&id]).await?))
}

/// A step of the task's history.
pub struct Step<'a> {
    pub task: Uuid,
    pub step: &'a str,
    pub agent: Option<Uuid>,
    pub user: Option<Uuid>,
    pub detail: &'a serde_json::Value,
}

pub async fn add_history(
    client: &impl GenericClient,
    step: &Step<'_>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "INSERT INTO circles.task_history (id, task_id, step, agent_id, user_id, detail)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &Uuid::now_v7(),
                &step.task,
                &step.step,
                &step.agent,
                &step.user,
                step.detail,
            ],
        )
        .await?;
    Ok(())
}

/// Every step of the task, oldest first.
pub async fn history(
    client: &impl GenericClient,
    task: Uuid,
) -> Result<Vec<HistoryEntry>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT id, step, agent_id, user_id, detail, created_at FROM circles.task_history
              WHERE task_id = $1 ORDER BY id",
            &[&task],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| HistoryEntry {
            id: r.get(0),
            step: r.get(1),
            agent_id: r.get(2),
            user_id: r.get(3),
            detail: r.get(4),
            created_at: r.get(5),
        })
        .collect())
}
