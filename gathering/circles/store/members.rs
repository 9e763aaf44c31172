//! Members: the agents and people of a circle (with the names they are addressed by), adding,
//! changing and removing them, and the circles a user belongs to.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::circles::model::{AgentMember, AgentRole, PersonMember, PersonRole};
use crate::events::CircleRef;

fn agent_member(row: &Row) -> AgentMember {
    let role: String = row.get(2);
    AgentMember {
        agent_id: row.get(0),
        name: row.get(1),
        role: AgentRole::parse(&role).unwrap_or(AgentRole::Observer),
        competencies: row.get(3),
        reviews: row.get(4),
        owner_id: row.get(5),
        added_at: row.get(6),
    }
}

fn person_member(row: &Row) -> PersonMember {
    let role: String = row.get(3);
    PersonMember {
        user_id: row.get(0),
        handle: row.get(1),
        display_name: row.get(2),
        role: PersonRole::parse(&role).unwrap_or(PersonRole::Observer),
        added_at: row.get(4),
    }
}

/// The circle's agents, in the order they were added.
pub async fn agents(
    client: &impl GenericClient,
    circle: Uuid,
) -> Result<Vec<AgentMember>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT m.agent_id, a.name, m.role, m.competencies, m.reviews, a.owner_id, m.added_at
               FROM circles.agent_members m JOIN agents.agents a ON a.id = m.agent_id
              WHERE m.circle_id = $1 ORDER BY m.added_at, a.name",
            &[&circle],
        )
        .await?;
    Ok(rows.iter().map(agent_member).collect())
}

/// The circle's people, in the order they joined.
pub async fn people(
    client: &impl GenericClient,
    circle: Uuid,
) -> Result<Vec<PersonMember>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT m.user_id, m.handle, u.display_name, m.role, m.added_at
               FROM circles.person_members m JOIN auth.users u ON u.id = m.user_id
              WHERE m.circle_id = $1 ORDER BY m.added_at, m.handle",
            &[&circle],
        )
        .await?;
    Ok(rows.iter().map(person_member).collect())
}

/// What `user` is in `circle`, if anything.
pub async fn person_role(
    client: &impl GenericClient,
    circle: Uuid,
    user: Uuid,
) -> Result<Option<PersonRole>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT role FROM circles.person_members WHERE circle_id = $1 AND user_id = $2",
            &[&circle, &user],
        )
        .await?;
    Ok(row.and_then(|r| PersonRole::parse(r.get::<_, &str>(0)).ok()))
}

/// Adds or changes an agent member.
pub async fn put_agent(
    client: &impl GenericClient,
    circle: Uuid,
    agent: Uuid,
    role: AgentRole,
    competencies: &[String],
    reviews: &[String],
) -> Result<bool, tokio_postgres::Error> {
    let row = client
        .query_one(
            "INSERT INTO circles.agent_members (circle_id, agent_id, role, competencies, reviews)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (circle_id, agent_id) DO UPDATE
                SET role = EXCLUDED.role, competencies = EXCLUDED.competencies,
                    reviews = EXCLUDED.reviews
             RETURNING (xmax = 0)",
            &[&circle, &agent, &role.as_str(), &competencies, &reviews],
        )
        .await?;
    Ok(row.get(0))
}

/// Removes an agent member; whether there was one.
pub async fn remove_agent(
    client: &impl GenericClient,
    circle: Uuid,
    agent: Uuid,
) -> Result<bool, tokio_postgres::Error> {
    let n = client
        .execute(
            "DELETE FROM circles.agent_members WHERE circle_id = $1 AND agent_id = $2",
            &[&circle, &agent],
        )
        .await?;
    Ok(n == 1)
}

/// Adds or changes a person member; true when added.
pub async fn put_person(
    client: &impl GenericClient,
    circle: Uuid,
    user: Uuid,
    role: PersonRole,
    handle: &str,
) -> Result<bool, tokio_postgres::Error> {
    let row = client
        .query_one(
            "INSERT INTO circles.person_members (circle_id, user_id, role, handle)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (circle_id, user_id) DO UPDATE
                SET role = EXCLUDED.role, handle = EXCLUDED.handle
             RETURNING (xmax = 0)",
            &[&circle, &user, &role.as_str(), &handle],
        )
        .await?;
    Ok(row.get(0))
}

pub async fn remove_person(
    client: &impl GenericClient,
    circle: Uuid,
    user: Uuid,
) -> Result<bool, tokio_postgres::Error> {
    let n = client
        .execute(
            "DELETE FROM circles.person_members WHERE circle_id = $1 AND user_id = $2",
            &[&circle, &user],
        )
        .await?;
    Ok(n == 1)
}

/// How many owners the circle has.
pub async fn owners(
    client: &impl GenericClient,
    circle: Uuid,
) -> Result<i64, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT count(*) FROM circles.person_members WHERE circle_id = $1 AND role = 'owner'",
            &[&circle],
        )
        .await?;
    Ok(row.get(0))
}

/// Whether `name` is taken in the circle by an agent member or by another person's handle.
pub async fn name_taken(
    client: &impl GenericClient,
    circle: Uuid,
    name: &str,
    except_user: Option<Uuid>,
    except_agent: Option<Uuid>,
) -> Result<bool, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM circles.person_members
                             WHERE circle_id = $1 AND handle = $2
                               AND user_id IS DISTINCT FROM $3)
                 OR EXISTS (SELECT 1 FROM circles.agent_members m
                              JOIN agents.agents a ON a.id = m.agent_id
                             WHERE m.circle_id = $1 AND a.name = $2
                               AND m.agent_id IS DISTINCT FROM $4)",
            &[&circle, &name, &except_user, &except_agent],
        )
        .await?;
    Ok(row.get(0))
}

/// The circles `user` is a person member of; every circle when `all` (an admin).
pub async fn memberships(
    client: &impl GenericClient,
    user: Uuid,
    all: bool,
) -> Result<Vec<CircleRef>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT c.id, c.name FROM circles.circles c
              WHERE $2 OR c.id IN (SELECT p.circle_id FROM circles.person_members p
                                    WHERE p.user_id = $1)
              ORDER BY c.name",
            &[&user, &all],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| CircleRef {
            id: r.get(0),
            name: r.get(1),
        })
        .collect())
}

/// The display name of an existing user.
pub async fn user_name(
    client: &impl GenericClient,
    user: Uuid,
) -> Result<Option<String>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT display_name FROM auth.users WHERE id = $1",
            &[&user],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}
