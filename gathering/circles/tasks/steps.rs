//! The steps of a task, each in the caller's transaction on a locked task: offer it (the
//! facilitator's routing), accept, refuse (offered to the next, or blocked when nobody is
//! left), start, submit (to a reviewer agent, a person, or done), review and escalate. The API
//! (a person) and the worker (an agent's turn) take the same steps; every step writes a
//! history row and an audited `circle.task_*` event through [`crate::circles::changed`].

use deadpool_postgres::GenericClient;
use serde_json::{Value, json};
use uuid::Uuid;

use super::model::{Task, TaskStatus, Verdict};
use super::routing;
use super::store;
use crate::circles::{Circle, changed};
use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::events::EventType;

/// Changes requested this many times block the task (and escalate it): never an endless loop.
pub const MAX_ITERATIONS: i32 = 5;

/// Who took a step: the person through the API, and the agent it concerns.
pub struct Actor<'a> {
    pub who: &'a Identity,
    pub agent: Option<(Uuid, String)>,
}

/// Writes `task` (its new state: any step in flight ends) and records the step: a history row
/// and the event.
pub async fn record(
    tx: &impl GenericClient,
    actor: &Actor<'_>,
    circle: &Circle,
    task: &Task,
    event: EventType,
    detail: Value,
) -> Result<Task, DomainError> {
    store::tasks::save(tx, task).await?;
    let saved = store::tasks::reread(tx, task.id).await?;
    note(tx, actor, circle, &saved, event, detail).await?;
    Ok(saved)
}

/// Records a step of `task` as it is stored: a history row and the audited event (its data:
/// `task_id, title, status, iteration, assignee`, the agent it concerns, and `detail`).
pub async fn note(
    tx: &impl GenericClient,
    actor: &Actor<'_>,
    circle: &Circle,
    task: &Task,
    event: EventType,
    mut detail: Value,
) -> Result<(), DomainError> {
    let step = event
        .as_str()
        .trim_start_matches("circle.task_")
        .trim_start_matches("circle.");
    if let Some((id, name)) = &actor.agent {
        detail["agent_id"] = json!(id);
        detail["agent"] = json!(name);
    }
    store::tasks::add_history(
        tx,
        &store::tasks::Step {
            task: task.id,
            step,
            agent: actor.agent.as_ref().map(|a| a.0),
            user: actor.who.user_id,
            detail: &detail,
        },
    )
    .await?;
    let mut data = detail;
    data["task_id"] = json!(task.id);
    data["title"] = json!(task.title);
    data["status"] = json!(task.status);
    data["iteration"] = json!(task.iteration);
    data["assignee"] = json!(task.assignee_name);
    changed(tx, actor.who, event, circle, data).await?;
    Ok(())
}

/// Offers the task to the best-scoring agent that has not refused it; blocks and escalates it
/// when nobody is left.
pub async fn offer(
    tx: &impl GenericClient,
    who: &Identity,
    circle: &Circle,
    mut task: Task,
) -> Result<Task, DomainError> {
    let members = store::members::candidates(tx, circle.id).await?;
    let Some(best) = routing::best(&task.competencies, &task.refused_by, &members) else {
        return escalate(
            tx,
            who,
            circle,
            task,
            "no agent of the circle is left to take it",
        )
        .await;
    };
    task.status = TaskStatus::Offered;
    task.offered_to = Some(best.agent_id);
    task.assignee_id = None;
    let actor = Actor {
        who,
        agent: Some((best.agent_id, best.name.clone())),
    };
    let detail = json!({"score": best.score, "matched": best.matched, "load": best.load});
    record(
        tx,
        &actor,
        circle,
        &task,
        EventType::CircleTaskOffered,
        detail,
    )
    .await
}

/// The offered agent takes the task: it is claimed, and conflicts on its resources are found.
pub async fn accept(
    tx: &impl GenericClient,
    who: &Identity,
    circle: &Circle,
    mut task: Task,
) -> Result<Task, DomainError> {
    let agent = task
        .offered_to
        .ok_or_else(|| DomainError::Conflict("the task is offered to nobody".into()))?;
    let name = task.offered_to_name.clone().unwrap_or_default();
    task.status = TaskStatus::Claimed;
    task.assignee_id = Some(agent);
    task.offered_to = None;
    let actor = Actor {
        who,
        agent: Some((agent, name)),
    };
    let saved = record(
        tx,
        &actor,
        circle,
        &task,
        EventType::CircleTaskAccepted,
        json!({}),
    )
    .await?;
    detect_conflicts(tx, who, circle, &saved).await?;
    Ok(saved)
}

/// The offered agent refuses: it is never offered the task again; the next best is.
pub async fn refuse(
    tx: &impl GenericClient,
    who: &Identity,
    circle: &Circle,
    mut task: Task,
    reason: &str,
) -> Result<Task, DomainError> {
    let agent = task
        .offered_to
        .ok_or_else(|| DomainError::Conflict("the task is offered to nobody".into()))?;
    let name = task.offered_to_name.clone().unwrap_or_default();
    if !task.refused_by.contains(&agent) {
        task.refused_by.push(agent);
    }
    task.status = TaskStatus::Open;
    task.offered_to = None;
    let actor = Actor {
        who,
        agent: Some((agent, name)),
    };
    let detail = json!({"reason": reason});
    let task = record(
        tx,
        &actor,
        circle,
        &task,
        EventType::CircleTaskRefused,
        detail,
    )
    .await?;
    offer(tx, who, circle, task).await
}

/// The agent's work is its submission: to a reviewer when the circle requires reviews (an
/// agent other than the author, or a person when no agent may review it), else done.
pub async fn submit(
    tx: &impl GenericClient,
    who: &Identity,
    circle: &Circle,
    mut task: Task,
    result: &str,
) -> Result<Task, DomainError> {
    task.result = Some(result.to_owned());
    task.reviewer_id = None;
    if circle.settings.review_required {
        let members = store::members::candidates(tx, circle.id).await?;
        let reviewers = routing::reviewers(&task.competencies, task.assignee_id, &members);
        task.reviewer_id = reviewers.first().map(|m| m.agent_id);
        task.status = TaskStatus::Review;
    } else {
        task.status = TaskStatus::Done;
        store::conflicts::resolve(tx, task.id).await?;
    }
    let actor = Actor {
        who,
        agent: author(&task),
    };
    let detail = json!({"result": result});
    let saved = record(
        tx,
        &actor,
        circle,
        &task,
        EventType::CircleTaskSubmitted,
        detail,
    )
    .await?;
    Ok(saved)
}

fn author(task: &Task) -> Option<(Uuid, String)> {
    task.assignee_id
        .map(|id| (id, task.assignee_name.clone().unwrap_or_default()))
}

/// A review: by `reviewer` (an agent), or by the person in `who` when `None`.
pub async fn review(
    tx: &impl GenericClient,
    actor: Actor<'_>,
    circle: &Circle,
    mut task: Task,
    (verdict, note): (Verdict, &str),
) -> Result<Task, DomainError> {
    let who = actor.who;
    let reviewer = actor.agent;
    task.review_note = Some(note.to_owned());
    task.status = match verdict {
        Verdict::Approve => TaskStatus::Done,
        Verdict::Changes => TaskStatus::ChangesRequested,
        Verdict::Reject => TaskStatus::Blocked,
    };
    if verdict == Verdict::Changes {
        task.iteration += 1;
    }
    if task.status == TaskStatus::Done {
        store::conflicts::resolve(tx, task.id).await?;
    }
    let detail = json!({"verdict": verdict.as_str(), "note": note,
                        "reviewer": reviewer.as_ref().map(|r| r.1.clone()),
                        "author": task.assignee_name});
    let actor = Actor {
        who,
        agent: reviewer,
    };
    let saved = record(
        tx,
        &actor,
        circle,
        &task,
        EventType::CircleTaskReviewed,
        detail,
    )
    .await?;
    match verdict {
        Verdict::Reject => escalate(tx, who, circle, saved, &format!("rejected: {note}")).await,
        Verdict::Changes if saved.iteration > MAX_ITERATIONS => {
            let why = format!("changes were requested {MAX_ITERATIONS} times");
            escalate(tx, who, circle, saved, &why).await
        }
        _ => Ok(saved),
    }
}

/// Blocks the task and escalates it to the circle's owners (named in the event).
pub async fn escalate(
    tx: &impl GenericClient,
    who: &Identity,
    circle: &Circle,
    mut task: Task,
    reason: &str,
) -> Result<Task, DomainError> {
    task.status = TaskStatus::Blocked;
    task.offered_to = None;
    task.reviewer_id = None;
    store::conflicts::resolve(tx, task.id).await?;
    let owners = store::members::owners(tx, circle.id).await?;
    let actor = Actor {
        who,
        agent: author(&task),
    };
    let detail = json!({"reason": reason, "owners": owners});
    record(
        tx,
        &actor,
        circle,
        &task,
        EventType::CircleTaskEscalated,
        detail,
    )
    .await
}

/// Records a conflict for each resource the task shares with another agent's live task.
async fn detect_conflicts(
    tx: &impl GenericClient,
    who: &Identity,
    circle: &Circle,
    task: &Task,
) -> Result<(), DomainError> {
    let Some(agent) = task.assignee_id else {
        return Ok(());
    };
    if task.resources.is_empty() {
        return Ok(());
    }
    let clashes = store::conflicts::clashes(tx, circle.id, task.id, agent, &task.resources).await?;
    for clash in clashes {
        let tasks = [clash.task_id, task.id];
        let agents = [clash.agent_id, agent];
        for resource in &clash.shared {
            if store::conflicts::record(tx, circle.id, resource, &tasks, &agents).await? {
                let names = [
                    clash.agent_name.clone(),
                    task.assignee_name.clone().unwrap_or_default(),
                ];
                let data = json!({"resource": resource, "tasks": tasks, "agents": agents,
                                  "agent_names": names, "task_id": task.id,
                                  "title": task.title});
                changed(tx, who, EventType::CircleConflictDetected, circle, data).await?;
            }
        }
    }
    Ok(())
}
