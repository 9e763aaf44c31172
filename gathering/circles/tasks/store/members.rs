//! What routing and escalation read about a circle's members: its agents with their load, its
//! owners, and the platform role of the user a task's turns act for.

use deadpool_postgres::GenericClient;
use uuid::Uuid;

use crate::circles::model::AgentRole;
use crate::circles::tasks::routing::Candidate;
use crate::core::identity::Role;

/// The circle's agents as routing sees them; load counts their tasks in every circle.
pub async fn candidates(
    client: &impl GenericClient,
    circle: Uuid,
) -> Result<Vec<Candidate>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT m.agent_id, a.name, m.role, m.competencies, m.reviews,
                    a.status = 'active',
                    (SELECT count(*) FROM circles.tasks t
                      WHERE t.assignee_id = m.agent_id
                        AND t.status IN ('claimed', 'in_progress', 'review',
                                         'changes_requested'))
               FROM circles.agent_members m JOIN agents.agents a ON a.id = m.agent_id
              WHERE m.circle_id = $1 ORDER BY a.name",
            &[&circle],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Candidate {
            agent_id: r.get(0),
            name: r.get(1),
            role: AgentRole::parse(r.get::<_, &str>(2)).unwrap_or(AgentRole::Observer),
            competencies: r.get(3),
            reviews: r.get(4),
            active: r.get(5),
            load: r.get(6),
        })
        .collect())
}

/// An owner of a circle, as an escalation names them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Owner {
    pub user_id: Uuid,
    pub handle: String,
}

pub async fn owners(
    client: &impl GenericClient,
    circle: Uuid,
) -> Result<Vec<Owner>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT user_id, handle FROM circles.person_members
              WHERE circle_id = $1 AND role = 'owner' ORDER BY handle",
            &[&circle],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Owner {
            user_id: r.get(0),
            handle: r.get(1),
        })
        .collect())
}

/// The platform role of `user` (a task's agent turns act for the person who created it).
pub async fn user_role(
    client: &impl GenericClient,
    user: Uuid,
) -> Result<Option<Role>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT role FROM auth.users WHERE id = $1 AND NOT disabled",
            &[&user],
        )
        .await?;
    Ok(row.and_then(|r| r.get::<_, &str>(0).parse().ok()))
}
