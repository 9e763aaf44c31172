//! Conflicts: another agent's live task (claimed, in progress or in review) on a resource a
//! task touches; recorded once per resource and pair of tasks, resolved when either ends.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use crate::circles::tasks::model::Conflict;

/// A live task of another agent sharing resources with the task.
pub struct Clash {
    pub task_id: Uuid,
    pub agent_id: Uuid,
    pub agent_name: String,
    pub shared: Vec<String>,
}

/// The live tasks of other agents in the circle that share one of `resources`.
pub async fn clashes(
    client: &impl GenericClient,
    circle: Uuid,
    task: Uuid,
    agent: Uuid,
    resources: &[String],
) -> Result<Vec<Clash>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT t.id, t.assignee_id,
                    ARRAY(SELECT r FROM unnest(t.resources) r WHERE r = ANY($4) ORDER BY r),
                    a.name
               FROM circles.tasks t JOIN agents.agents a ON a.id = t.assignee_id
              WHERE t.circle_id = $1 AND t.id <> $2 AND t.assignee_id <> $3
                AND t.status IN ('claimed', 'in_progress', 'review')
                AND t.resources && $4
              ORDER BY t.id",
            &[&circle, &task, &agent, &resources],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Clash {
            task_id: r.get(0),
            agent_id: r.get(1),
            shared: r.get(2),
            agent_name: r.get(3),
        })
        .collect())
}

/// Records a conflict unless the same one is recorded and unresolved; whether it is new.
pub async fn record(
    client: &impl GenericClient,
    circle: Uuid,
    resource: &str,
    tasks: &[Uuid],
    agents: &[Uuid],
) -> Result<bool, tokio_postgres::Error> {
    let n = client
        .execute(
            "INSERT INTO circles.conflicts (id, circle_id, resource, task_ids, agent_ids)
             SELECT $1, $2, $3, $4, $5
              WHERE NOT EXISTS (SELECT 1 FROM circles.conflicts
                                 WHERE circle_id = $2 AND resource = $3 AND resolved_at IS NULL
                                   AND task_ids @> $4 AND task_ids <@ $4)",
            &[&Uuid::now_v7(), &circle, &resource, &tasks, &agents],
        )
        .await?;
    Ok(n == 1)
}

/// Resolves the conflicts of a task that ended.
pub async fn resolve(client: &impl GenericClient, task: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE circles.conflicts SET resolved_at = now()
              WHERE $1 = ANY(task_ids) AND resolved_at IS NULL",
            &[&task],
        )
        .await?;
    Ok(())
}

/// The circle's conflicts, oldest first.
pub async fn list(
    client: &impl GenericClient,
    circle: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Conflict>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT id, circle_id, resource, task_ids, agent_ids, detected_at, resolved_at
               FROM circles.conflicts
              WHERE circle_id = $1 AND ($2::uuid IS NULL OR id > $2)
              ORDER BY id LIMIT $3",
            &[&circle, &after, &limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Conflict {
            id: r.get(0),
            circle_id: r.get(1),
            resource: r.get(2),
            task_ids: r.get(3),
            agent_ids: r.get(4),
            detected_at: r.get(5),
            resolved_at: r.get(6),
        })
        .collect())
}
