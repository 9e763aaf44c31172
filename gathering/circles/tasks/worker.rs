//! The steps agents take, durable and shared by instances. Each instance runs one
//! [`TaskWorker::run`] loop (spawned by `app`): it claims a task with a step to take
//! (`FOR UPDATE SKIP LOCKED`, under a lease its heartbeat renews) and takes it as its own
//! task, with an agent turn acting for the person who created the task:
//!
//! - **offered**: the offered agent decides (`ACCEPT` or `REFUSE: <reason>`): claimed, or
//!   refused and offered to the next best agent (blocked and escalated when none is left);
//! - **claimed / changes requested**: its agent works (in progress); the answer is the
//!   submission: in review (a reviewer agent, or a person) when the circle requires reviews,
//!   else done;
//! - **review** with a reviewer agent: it answers `APPROVE`, `CHANGES: <note>` (a new
//!   iteration, whose prompt carries the note) or `REJECT: <note>` (blocked, escalated).
//!
//! A step's answer is written only while the instance holds the claim and the task is still
//! where the step found it (a person may have decided meanwhile). A step whose instance stops
//! is taken again when its lease runs out; a step that fails 3 times (a model error, a
//! timeout) blocks the task and escalates it. The loop wakes on `circle.task_*` events (from
//! any instance, through the bus) and polls otherwise.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use deadpool_postgres::GenericClient;
use serde_json::json;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use super::answers::{self, Decision};
use super::model::{Task, TaskStatus};
use super::steps::{self, Actor};
use super::store;
use crate::agents::runtime::{TurnEvent, TurnInput};
use crate::circles::{Circle, Circles};
use crate::core::identity::{Identity, RequestMeta};
use crate::events::{EventType, Filter, TypePattern};

/// A step failing this many times blocks its task.
const MAX_ATTEMPTS: i32 = 3;

/// Runs the agents' steps of circle tasks; cheap to clone.
#[derive(Clone)]
pub struct TaskWorker {
    inner: Arc<Inner>,
}

struct Inner {
    circles: Circles,
    /// This instance's id in claims (new at every start).
    instance: Uuid,
    /// Poked when a step ends here, so the loop looks for the next at once.
    wake: Notify,
    /// Steps running here; an atomic: read by the loop, changed by the steps.
    active: AtomicUsize,
    /// Cancelled when the loop stops: steps give their tasks back.
    shutdown: CancellationToken,
}

/// Why a step did not write its answer.
enum Halt {
    /// Another instance or a person took over: nothing to do.
    Lost,
    /// The instance stops: the step is given back.
    Shutdown,
    /// The step failed (counted; blocked after [`MAX_ATTEMPTS`]).
    Failed(String),
}

impl From<crate::core::error::DomainError> for Halt {
    fn from(e: crate::core::error::DomainError) -> Self {
        Self::Failed(e.to_string())
    }
}

impl From<tokio_postgres::Error> for Halt {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Failed(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for Halt {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Self::Failed(e.to_string())
    }
}

impl TaskWorker {
    pub fn new(circles: Circles) -> Self {
        Self {
            inner: Arc::new(Inner {
                circles,
                instance: Uuid::now_v7(),
                wake: Notify::new(),
                active: AtomicUsize::new(0),
                shutdown: CancellationToken::new(),
            }),
        }
    }

    fn circles(&self) -> &Circles {
        &self.inner.circles
    }

    /// Claims and takes steps until `cancel`; then stops them, giving their tasks back.
    pub async fn run(self, cancel: CancellationToken) {
        let types = [
            EventType::CircleTaskOffered,
            EventType::CircleTaskAccepted,
            EventType::CircleTaskSubmitted,
            EventType::CircleTaskReviewed,
        ];
        let filter = Filter {
            types: types.into_iter().map(TypePattern::Exact).collect(),
            ..Filter::default()
        };
        let mut events = self.circles().bus().subscribe("circle_tasks", filter);
        let steps = TaskTracker::new();
        let poll = self.circles().settings().poll_interval;
        loop {
            self.claim_while_room(&steps).await;
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                () = self.inner.wake.notified() => {}
                // An event (or having missed some): look for steps at once. A closed bus: poll.
                delivery = events.recv() => {
                    if delivery.is_none() {
                        tokio::time::sleep(poll).await;
                    }
                }
                () = cancel.cancelled() => break,
            }
        }
        self.inner.shutdown.cancel();
        steps.close();
        steps.wait().await;
    }

    async fn claim_while_room(&self, steps: &TaskTracker) {
        let max = self.circles().settings().max_concurrent_discussions;
        while self.inner.active.load(Ordering::Relaxed) < max && !self.inner.shutdown.is_cancelled()
        {
            let lease = self.circles().settings().lease;
            let claimed = match self.circles().pool().get().await {
                Ok(client) => store::claims::claim(&client, self.inner.instance, lease).await,
                Err(e) => {
                    tracing::warn!("circle tasks: no database connection: {e}");
                    return;
                }
            };
            match claimed {
                Ok(Some(task)) => {
                    self.inner.active.fetch_add(1, Ordering::Relaxed);
                    let worker = self.clone();
                    steps.spawn(async move {
                        worker.take(task).await;
                        worker.inner.active.fetch_sub(1, Ordering::Relaxed);
                        worker.inner.wake.notify_one();
                    });
                }
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!("circle tasks: claiming a step failed: {e}");
                    return;
                }
            }
        }
    }

    /// Takes one claimed step, renewing the claim while it runs.
    #[tracing::instrument(skip_all, fields(task_id = %task.id, status = task.status.as_str()))]
    async fn take(&self, task: Task) {
        let (id, status, iteration) = (task.id, task.status, task.iteration);
        let lease = self.circles().settings().lease;
        let outcome = tokio::select! {
            outcome = self.step(task) => outcome,
            () = self.keep_claim(id, lease) => Err(Halt::Lost),
            () = self.inner.shutdown.cancelled() => Err(Halt::Shutdown),
        };
        let (failed, why) = match outcome {
            Ok(()) | Err(Halt::Lost) => return,
            Err(Halt::Shutdown) => (false, String::new()),
            Err(Halt::Failed(why)) => (true, why),
        };
        if failed {
            tracing::warn!("circle task step failed: {why}");
        }
        let Ok(client) = self.circles().pool().get().await else {
            return;
        };
        let poll = self.circles().settings().poll_interval;
        match store::claims::release(&client, id, self.inner.instance, failed, poll).await {
            Ok(attempts) if failed && attempts >= MAX_ATTEMPTS => {
                drop(client);
                if let Err(e) = self.give_up(id, status, iteration, &why).await {
                    tracing::warn!("circle task could not be escalated: {e}");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("circle task could not be given back: {e}"),
        }
    }

    /// Renews the claim every third of the lease; returns when it is lost.
    async fn keep_claim(&self, id: Uuid, lease: Duration) {
        loop {
            tokio::time::sleep(lease / 3).await;
            let Ok(client) = self.circles().pool().get().await else {
                continue;
            };
            match store::claims::heartbeat(&client, id, self.inner.instance, lease).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!("circle task heartbeat failed: {e}"),
            }
        }
    }

    async fn step(&self, task: Task) -> Result<(), Halt> {
        let client = self.circles().pool().get().await?;
        let circle = crate::circles::store::circles::by_id(&client, task.circle_id)
            .await?
            .ok_or(Halt::Lost)?;
        let role = store::members::user_role(&client, task.created_by)
            .await?
            .ok_or_else(|| Halt::Failed("the task's creator can no longer act".into()))?;
        drop(client);
        let caller = Identity::user(task.created_by, role, RequestMeta::default());
        match task.status {
            TaskStatus::Offered => self.decide(&circle, task, caller).await,
            TaskStatus::Claimed | TaskStatus::ChangesRequested | TaskStatus::InProgress => {
                self.work(&circle, task, caller).await
            }
            TaskStatus::Review => self.review(&circle, task, caller).await,
            _ => Ok(()),
        }
    }

    /// The offered agent accepts or refuses.
    async fn decide(&self, circle: &Circle, task: Task, caller: Identity) -> Result<(), Halt> {
        let decision = match task.offered_to {
            Some(agent) => {
                let prompt = answers::offer_prompt(&circle.name, &task);
                Some(answers::decision(
                    &self.ask(circle, agent, caller, prompt).await?,
                ))
            }
            // Its agent is gone: offered to the next.
            None => None,
        };
        let mut client = self.circles().pool().get().await?;
        let tx = client.transaction().await?;
        let held = self.held(&tx, &task, TaskStatus::Offered).await?;
        let who = Identity::system();
        match decision {
            Some(Decision::Accept) => steps::accept(&tx, &who, circle, held).await?,
            Some(Decision::Refuse(why)) => steps::refuse(&tx, &who, circle, held, &why).await?,
            None => steps::offer(&tx, &who, circle, held).await?,
        };
        tx.commit().await?;
        Ok(())
    }

    /// The assignee works; its answer is the submission.
    async fn work(&self, circle: &Circle, task: Task, caller: Identity) -> Result<(), Halt> {
        let agent = task
            .assignee_id
            .ok_or_else(|| Halt::Failed("the task's agent is gone".into()))?;
        if task.status != TaskStatus::InProgress {
            self.start(circle, &task).await?;
        }
        let prompt = answers::work_prompt(&circle.name, &task);
        let result = self.ask(circle, agent, caller, prompt).await?;
        let result = crate::circles::tasks::model::check_text("result", &result)
            .unwrap_or_else(|_| result.chars().take(4000).collect());
        let mut client = self.circles().pool().get().await?;
        let tx = client.transaction().await?;
        let held = self.held(&tx, &task, TaskStatus::InProgress).await?;
        steps::submit(&tx, &Identity::system(), circle, held, &result).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves the claimed task to in progress, keeping the claim.
    async fn start(&self, circle: &Circle, task: &Task) -> Result<(), Halt> {
        let mut client = self.circles().pool().get().await?;
        let tx = client.transaction().await?;
        if !store::claims::set_in_progress(&tx, task.id, self.inner.instance).await? {
            return Err(Halt::Lost);
        }
        let started = store::tasks::reread(&tx, task.id).await?;
        let who = Identity::system();
        let actor = Actor {
            who: &who,
            agent: task
                .assignee_id
                .map(|id| (id, task.assignee_name.clone().unwrap_or_default())),
        };
        let detail = json!({"review_note": task.review_note});
        steps::note(
            &tx,
            &actor,
            circle,
            &started,
            EventType::CircleTaskStarted,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The reviewer agent reviews the submission.
    async fn review(&self, circle: &Circle, task: Task, caller: Identity) -> Result<(), Halt> {
        let Some(reviewer) = task.reviewer_id else {
            return Ok(());
        };
        let reviewer_name = task.reviewer_name.clone().unwrap_or_default();
        let author = task.assignee_name.clone().unwrap_or_default();
        let prompt = answers::review_prompt(&circle.name, &task, &author);
        let answer = self.ask(circle, reviewer, caller, prompt).await?;
        let (verdict, note) = answers::verdict(&answer);
        let note: String = note.chars().take(4000).collect();
        let mut client = self.circles().pool().get().await?;
        let tx = client.transaction().await?;
        let held = self.held(&tx, &task, TaskStatus::Review).await?;
        let who = Identity::system();
        let actor = Actor {
            who: &who,
            agent: Some((reviewer, reviewer_name)),
        };
        steps::review(&tx, actor, circle, held, (verdict, &note)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The task as the step found it, locked, if this instance still holds its claim.
    async fn held(
        &self,
        tx: &impl GenericClient,
        task: &Task,
        status: TaskStatus,
    ) -> Result<Task, Halt> {
        store::claims::hold(tx, task.id, self.inner.instance, status, task.iteration)
            .await?
            .ok_or(Halt::Lost)
    }

    /// One agent turn acting for `caller`; its answer.
    async fn ask(
        &self,
        circle: &Circle,
        agent: Uuid,
        caller: Identity,
        message: String,
    ) -> Result<String, Halt> {
        let agent = self.circles().agents().get(agent).await?;
        let input = TurnInput {
            agent,
            caller,
            conversation_id: None,
            message,
            history: Some(vec![]),
            max_tokens: None,
            temperature: None,
        };
        let mut turn = self.circles().agents().start_turn(input).await?;
        let answer = async {
            while let Some(event) = turn.events.recv().await {
                match event {
                    TurnEvent::Completed { content, .. } => return Ok(content),
                    TurnEvent::Error { code, message } => {
                        return Err(Halt::Failed(format!("{code}: {message}")));
                    }
                    _ => {}
                }
            }
            Err(Halt::Failed("the turn ended without an answer".into()))
        };
        let limit = Duration::from_secs(circle.settings.turn_timeout_secs);
        tokio::time::timeout(limit, answer)
            .await
            .unwrap_or_else(|_| Err(Halt::Failed("the agent's turn timed out".into())))
    }

    /// Blocks and escalates a task whose step kept failing, if nobody moved it meanwhile.
    async fn give_up(
        &self,
        id: Uuid,
        status: TaskStatus,
        iteration: i32,
        why: &str,
    ) -> Result<(), crate::core::error::DomainError> {
        let mut client = self.circles().pool().get().await?;
        let tx = client.transaction().await?;
        let Some(circle_id) = store::claims::circle_of(&tx, id).await? else {
            return Ok(());
        };
        let task = store::tasks::get(&tx, circle_id, id, true).await?;
        let circle = crate::circles::store::circles::by_id(&tx, circle_id).await?;
        let (Some(task), Some(circle)) = (task, circle) else {
            return Ok(());
        };
        if task.status != status || task.iteration != iteration {
            return Ok(());
        }
        let reason = format!("its step failed {MAX_ATTEMPTS} times: {why}");
        steps::escalate(&tx, &Identity::system(), &circle, task, &reason).await?;
        tx.commit().await?;
        Ok(())
    }
}
