//! The task calls of [`Circles`]: create, list, read with history, change an open task, route
//! it (the facilitator offers it to the best-scoring agent), accept or refuse an offer for
//! its agent, review a submission, and list the circle's conflicts. Reading needs
//! `Need::Read`; every change needs `Need::Participate` in an active circle. A task of
//! another circle is a 404, a step the task's status does not allow a 409.

use deadpool_postgres::GenericClient;
use serde_json::json;
use uuid::Uuid;

use super::model::{
    self, Conflict, NewTask, Priority, Review, Task, TaskDetail, TaskPatch, TaskStatus,
};
use super::steps::{self, Actor};
use super::store;
use crate::circles::access::{self, Need, Opened};
use crate::circles::{Circles, model::check_labels};
use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::events::EventType;

/// A page of a circle's tasks.
#[derive(Debug, Clone, Default)]
pub struct ListTasks {
    pub status: Option<TaskStatus>,
    /// The assignee's name or id.
    pub assignee: Option<String>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

fn missing(id: Uuid) -> DomainError {
    DomainError::NotFound(format!("task {id}"))
}

fn wrong_status(task: &Task, step: &str) -> DomainError {
    DomainError::Conflict(format!(
        "task {} is {}: it cannot be {step}",
        task.id,
        task.status.as_str()
    ))
}

/// Opens the circle for a change and locks the task.
async fn open_task(
    tx: &impl GenericClient,
    who: &Identity,
    name: &str,
    id: Uuid,
) -> Result<(Opened, Task), DomainError> {
    let opened = access::open(tx, who, name, Need::Participate, false).await?;
    opened.active()?;
    let task = store::tasks::get(tx, opened.circle.id, id, true)
        .await?
        .ok_or_else(|| missing(id))?;
    Ok((opened, task))
}

/// Whether `agent` (a name or an id) is `id`/`name`.
fn names(agent: &str, id: Option<Uuid>, name: Option<&str>) -> bool {
    id.is_some_and(|id| id.to_string() == agent) || name == Some(agent)
}

impl Circles {
    /// Creates an open task (participants).
    pub async fn create_task(
        &self,
        who: &Identity,
        name: &str,
        new: NewTask,
    ) -> Result<Task, DomainError> {
        let user = who.acting_user()?;
        let title = model::check_title(&new.title)?;
        let description = model::check_text("description", &new.description)?;
        let competencies = check_labels("competencies", &new.competencies)?;
        let resources = model::check_resources(&new.resources)?;
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let opened = access::open(&tx, who, name, Need::Participate, false).await?;
        opened.active()?;
        let id = Uuid::now_v7();
        let row = store::tasks::NewRow {
            id,
            circle_id: opened.circle.id,
            title: &title,
            description: &description,
            competencies: &competencies,
            priority: new.priority.unwrap_or(Priority::Medium),
            resources: &resources,
            created_by: user,
        };
        store::tasks::insert(&tx, &row).await?;
        let task = store::tasks::reread(&tx, id).await?;
        let actor = Actor { who, agent: None };
        let detail = json!({"priority": task.priority, "competencies": task.competencies,
                            "resources": task.resources});
        let task = steps::record(
            &tx,
            &actor,
            &opened.circle,
            &task,
            EventType::CircleTaskCreated,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    /// The circle's tasks, oldest first.
    pub async fn list_tasks(
        &self,
        who: &Identity,
        name: &str,
        q: ListTasks,
    ) -> Result<Vec<Task>, DomainError> {
        let client = self.pool().get().await?;
        let opened = access::open(&client, who, name, Need::Read, false).await?;
        let query = store::tasks::ListQuery {
            circle: opened.circle.id,
            status: q.status,
            assignee: q.assignee.as_deref(),
            after: q.after,
            limit: q.limit,
        };
        Ok(store::tasks::list(&client, &query).await?)
    }

    /// A task with its history.
    pub async fn task(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
    ) -> Result<TaskDetail, DomainError> {
        let client = self.pool().get().await?;
        let opened = access::open(&client, who, name, Need::Read, false).await?;
        let task = store::tasks::get(&client, opened.circle.id, id, false)
            .await?
            .ok_or_else(|| missing(id))?;
        let history = store::tasks::history(&client, id).await?;
        Ok(TaskDetail { task, history })
    }

    /// Changes an open task's title, description, priority, competencies or resources.
    pub async fn patch_task(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
        patch: TaskPatch,
    ) -> Result<Task, DomainError> {
        let title = patch.title.as_deref().map(model::check_title).transpose()?;
        let description = patch
            .description
            .as_deref()
            .map(|d| model::check_text("description", d))
            .transpose()?;
        let competencies = patch
            .competencies
            .as_deref()
            .map(|c| check_labels("competencies", c))
            .transpose()?;
        let resources = patch
            .resources
            .as_deref()
            .map(model::check_resources)
            .transpose()?;
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let (opened, mut task) = open_task(&tx, who, name, id).await?;
        if task.status != TaskStatus::Open {
            return Err(wrong_status(&task, "changed"));
        }
        task.title = title.unwrap_or(task.title);
        task.description = description.unwrap_or(task.description);
        task.priority = patch.priority.unwrap_or(task.priority);
        task.competencies = competencies.unwrap_or(task.competencies);
        task.resources = resources.unwrap_or(task.resources);
        let actor = Actor { who, agent: None };
        let detail = json!({"priority": task.priority, "competencies": task.competencies,
                            "resources": task.resources});
        let task = steps::record(
            &tx,
            &actor,
            &opened.circle,
            &task,
            EventType::CircleTaskChanged,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    /// The facilitator offers an open (or blocked) task to the best-scoring agent; blocked and
    /// escalated when nobody may take it.
    pub async fn route_task(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
    ) -> Result<Task, DomainError> {
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let (opened, task) = open_task(&tx, who, name, id).await?;
        if !matches!(task.status, TaskStatus::Open | TaskStatus::Blocked) {
            return Err(wrong_status(&task, "routed"));
        }
        let task = steps::offer(&tx, who, &opened.circle, task).await?;
        tx.commit().await?;
        Ok(task)
    }

    /// The agent the task is offered to (`agent`: its name or id) accepts it, by a person's
    /// decision.
    pub async fn accept_task(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
        agent: &str,
    ) -> Result<Task, DomainError> {
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let (opened, task) = open_task(&tx, who, name, id).await?;
        check_offered(&task, agent, "accepted")?;
        let task = steps::accept(&tx, who, &opened.circle, task).await?;
        tx.commit().await?;
        Ok(task)
    }

    /// The agent the task is offered to refuses it, by a person's decision: the next best
    /// agent is offered it.
    pub async fn refuse_task(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
        agent: &str,
        reason: &str,
    ) -> Result<Task, DomainError> {
        let reason = model::check_text("reason", reason)?;
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let (opened, task) = open_task(&tx, who, name, id).await?;
        check_offered(&task, agent, "refused")?;
        let task = steps::refuse(&tx, who, &opened.circle, task, &reason).await?;
        tx.commit().await?;
        Ok(task)
    }

    /// A person reviews a submission (whether or not a reviewer agent was given it).
    pub async fn review_task(
        &self,
        who: &Identity,
        name: &str,
        id: Uuid,
        review: Review,
    ) -> Result<Task, DomainError> {
        let note = model::check_text("note", &review.note)?;
        let mut client = self.pool().get().await?;
        let tx = client.transaction().await?;
        let (opened, task) = open_task(&tx, who, name, id).await?;
        if task.status != TaskStatus::Review {
            return Err(wrong_status(&task, "reviewed"));
        }
        let actor = Actor { who, agent: None };
        let task = steps::review(&tx, actor, &opened.circle, task, (review.verdict, &note)).await?;
        tx.commit().await?;
        Ok(task)
    }

    /// The circle's conflicts, oldest first.
    pub async fn conflicts(
        &self,
        who: &Identity,
        name: &str,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<Conflict>, DomainError> {
        let client = self.pool().get().await?;
        let opened = access::open(&client, who, name, Need::Read, false).await?;
        Ok(store::conflicts::list(&client, opened.circle.id, after, limit).await?)
    }
}

fn check_offered(task: &Task, agent: &str, step: &str) -> Result<(), DomainError> {
    if task.status != TaskStatus::Offered {
        return Err(wrong_status(task, step));
    }
    if !names(agent, task.offered_to, task.offered_to_name.as_deref()) {
        return Err(DomainError::Conflict(format!(
            "task {} is offered to {}, not {agent}",
            task.id,
            task.offered_to_name.as_deref().unwrap_or("nobody")
        )));
    }
    Ok(())
}
