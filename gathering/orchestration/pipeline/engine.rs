//! The engine: each instance runs one [`Engine::run`] loop (spawned by `app.rs`) that claims
//! runs from Postgres (`FOR UPDATE SKIP LOCKED`, under a lease its heartbeat renews), executes
//! each as its own task (`executor.rs`), and hears on the bus what concerns them: new runs,
//! cancellations and approval decisions, from any instance. A run whose instance stops (its
//! lease expires) is taken over by another, which resumes it from its settled nodes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use deadpool_postgres::Pool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use super::context::{Control, Handles, RunCtx, Stop};
use super::records::Run;
use super::settings::EngineSettings;
use super::store;
use super::{ending, executor};
use crate::agents::Agents;
use crate::events::bus::{Bus, Delivery};
use crate::events::{EventType, Filter, TypePattern};

/// What stops or wakes one run this instance executes.
#[derive(Debug, Clone)]
pub(super) struct RunHandle {
    /// A user asked for the run to stop.
    pub cancel: CancellationToken,
    /// Woken when an approval of the run is decided.
    pub decided: Arc<Notify>,
}

/// The engine; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub pool: Pool,
    pub bus: Bus,
    pub agents: Agents,
    pub circles: crate::circles::Circles,
    /// This instance's id in claims (new at every start).
    pub instance: Uuid,
    pub settings: EngineSettings,
    /// Poked when this instance creates a run, so the loop claims it at once.
    pub wake: Notify,
    /// The runs executing here. A std mutex: held only to insert, remove or look up, never
    /// across an `.await`.
    pub active: Mutex<HashMap<Uuid, RunHandle>>,
    /// Cancelled when the engine stops (shutdown): executions give their runs back.
    pub shutdown: CancellationToken,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("instance", &self.inner.instance)
            .field("settings", &self.inner.settings)
            .finish()
    }
}

impl Engine {
    pub fn new(
        pool: Pool,
        bus: Bus,
        services: crate::orchestration::effects::Services,
        settings: EngineSettings,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                pool,
                bus,
                agents: services.agents,
                circles: services.circles,
                instance: Uuid::now_v7(),
                settings,
                wake: Notify::new(),
                active: Mutex::new(HashMap::new()),
                shutdown: CancellationToken::new(),
            }),
        }
    }

    pub fn instance(&self) -> Uuid {
        self.inner.instance
    }

    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    pub(super) fn agents(&self) -> &Agents {
        &self.inner.agents
    }

    pub(super) fn circles(&self) -> &crate::circles::Circles {
        &self.inner.circles
    }

    pub(super) fn settings(&self) -> &EngineSettings {
        &self.inner.settings
    }

    /// Cancelled when this instance shuts down: every execution gives its run back.
    pub(super) fn shutdown(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    /// Asks the loop to look for runs now.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    fn active_count(&self) -> usize {
        self.lock_active().len()
    }

    pub(super) fn lock_active(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, RunHandle>> {
        self.inner.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn handle(&self, run: Uuid) -> Option<RunHandle> {
        self.lock_active().get(&run).cloned()
    }

    /// Registers a run executing here; the handle to stop and wake it.
    pub(super) fn register(&self, run: Uuid) -> RunHandle {
        self.register_with(run, CancellationToken::new())
    }

    /// [`Engine::register`] with the token that cancels it (a sub-run's: a child of its node's).
    pub(super) fn register_with(&self, run: Uuid, cancel: CancellationToken) -> RunHandle {
        let handle = RunHandle {
            cancel,
            decided: Arc::new(Notify::new()),
        };
        self.lock_active().insert(run, handle.clone());
        handle
    }

    pub(super) fn unregister(&self, run: Uuid) {
        self.lock_active().remove(&run);
    }

    /// Claims and executes runs until `cancel`; then stops every execution, giving its run
    /// back so another instance can resume it at once.
    pub async fn run(self, cancel: CancellationToken) {
        let filter = Filter {
            types: vec![
                TypePattern::Exact(EventType::PipelineRunCreated),
                TypePattern::Exact(EventType::PipelineRunCancelRequested),
                TypePattern::Exact(EventType::PipelineNodeDecided),
            ],
            ..Filter::default()
        };
        let mut events = self.inner.bus.subscribe("pipeline_engine", filter);
        let executions = TaskTracker::new();
        loop {
            self.claim_while_room(&executions).await;
            tokio::select! {
                () = tokio::time::sleep(self.inner.settings.poll_interval) => {}
                () = self.inner.wake.notified() => {}
                delivery = events.recv() => match delivery {
                    Some(Delivery::Event(event)) => self.heard(&event),
                    Some(Delivery::Lagged { .. }) => {
                        // Missed some: wake every waiting approval (they re-read their
                        // decisions); cancellations are also seen by each run's heartbeat.
                        for handle in self.lock_active().values() {
                            handle.decided.notify_waiters();
                        }
                    }
                    None => {}
                },
                () = cancel.cancelled() => break,
            }
        }
        self.inner.shutdown.cancel();
        executions.close();
        executions.wait().await;
    }

    fn heard(&self, event: &crate::events::Event) {
        let Some(run) = event.scope.run_id else {
            return;
        };
        match event.event_type {
            EventType::PipelineRunCreated => self.wake(),
            EventType::PipelineRunCancelRequested => {
                if let Some(handle) = self.handle(run) {
                    handle.cancel.cancel();
                }
            }
            EventType::PipelineNodeDecided => {
                if let Some(handle) = self.handle(run) {
                    handle.decided.notify_waiters();
                }
            }
            _ => {}
        }
    }

    async fn claim_while_room(&self, executions: &TaskTracker) {
        while self.active_count() < self.inner.settings.max_concurrent_runs
            && !self.inner.shutdown.is_cancelled()
        {
            let claimed = match self.inner.pool.get().await {
                Ok(client) => {
                    store::claim_run(&client, self.inner.instance, self.inner.settings.lease).await
                }
                Err(e) => {
                    tracing::warn!("pipeline engine: no database connection: {e}");
                    return;
                }
            };
            match claimed {
                Ok(Some(run)) => {
                    let handle = self.register(run.id);
                    let engine = self.clone();
                    executions.spawn(async move {
                        let id = run.id;
                        engine.execute_claimed(run, handle).await;
                        engine.unregister(id);
                        // A slot is free: look for more at once.
                        engine.wake();
                    });
                }
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!("pipeline engine: claiming a run failed: {e}");
                    return;
                }
            }
        }
    }

    #[tracing::instrument(skip_all, fields(run_id = %run.id, pipeline_id = %run.pipeline_id))]
    async fn execute_claimed(&self, run: Run, handle: RunHandle) {
        let id = run.id;
        let ctx = match RunCtx::load(Handles::of(self), run, handle.decided.clone(), 0).await {
            Ok(ctx) => ctx,
            Err(e) => {
                tracing::error!("pipeline run cannot start: {e:#}");
                ending::fail_unloadable(self, id, &format!("{e:#}")).await;
                return;
            }
        };
        let control = Control {
            cancel: handle.cancel.clone(),
            shutdown: self.inner.shutdown.clone(),
        };
        match executor::execute(Arc::new(ctx), control).await {
            Ok(status) => tracing::info!(status = status.as_str(), "pipeline run ended"),
            Err(Stop::Shutdown) => {
                if let Ok(client) = self.inner.pool.get().await
                    && let Err(e) = store::release(&client, id, self.inner.instance).await
                {
                    tracing::warn!("giving back run {id} failed: {e}");
                }
                tracing::info!("pipeline run given back at shutdown");
            }
            Err(Stop::Lost) => {
                tracing::warn!("pipeline run lost its claim; another instance has it");
            }
        }
    }
}
