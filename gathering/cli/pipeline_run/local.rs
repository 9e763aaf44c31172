//! The server `pipeline run --local` starts in this process: no listener anyone is told of,
//! the same database, models and engine as `serve`, and the user it acts as (`--as`, or the
//! oldest active admin) as the command's [`Identity`].

use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{RunState, Stored};
use crate::app::{App, ShutdownReport, StartError};
use crate::auth::store as users;
use crate::config::Config;
use crate::core::identity::{Identity, RequestMeta, Role};
use crate::core::readiness::Phase;
use crate::events::bus::{Bus, Subscription};
use crate::events::{Filter, Scope, TypePattern};
use crate::orchestration::pipeline::{PipelineError, Pipelines, Trigger};

pub(super) struct LocalServer {
    pipelines: Pipelines,
    bus: Bus,
    identity: Identity,
    /// The user of `identity` (always one: a run needs a creator).
    shutdown: CancellationToken,
    handle: tokio::task::JoinHandle<Result<ShutdownReport, StartError>>,
}

impl LocalServer {
    /// Builds and starts the app on a loopback port, waits until it says it is ready, and
    /// finds the user to act as. Whatever started is stopped again if that fails.
    pub(super) async fn start(mut config: Config, user: Option<&str>) -> Result<Self, String> {
        config.addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        eprintln!(
            "starting the database, models and engine of {} ...",
            config.data_dir.display()
        );
        let app = App::build(config).await.map_err(|e| e.to_string())?;
        let pipelines = app.pipelines();
        let pool = app.pool().clone();
        let bus = app.bus();
        let readiness = app.readiness();
        let shutdown = app.shutdown_token();
        let mut handle = tokio::spawn(app.run());
        // Migrations run first; the services are usable once the server says it is ready.
        tokio::select! {
            () = readiness.reached(Phase::Ready) => {}
            ended = &mut handle => {
                return Err(match ended {
                    Ok(Err(e)) => e.to_string(),
                    _ => "the local server stopped while starting".to_owned(),
                });
            }
        }
        let identity = match acting_user(&pool, user).await {
            Ok(found) => found,
            Err(e) => {
                // Stop what started (an embedded cluster included) before saying why.
                shutdown.cancel();
                let _ = handle.await;
                return Err(e);
            }
        };
        Ok(Self {
            pipelines,
            bus,
            identity,
            shutdown,
            handle,
        })
    }

    pub(super) async fn store(&self, name: &str, doc: &Value) -> Result<Stored, String> {
        let existing = self
            .pipelines
            .by_name(name)
            .await
            .map_err(|e| e.to_string())?;
        let stored = match existing {
            Some(p) => {
                self.pipelines
                    .update(&self.identity, p.id, doc.clone())
                    .await
            }
            None => self.pipelines.create(&self.identity, doc.clone()).await,
        }
        .map_err(|e| pipeline_error(&e))?;
        Ok(Stored {
            id: stored.id,
            version: stored.version,
        })
    }

    pub(super) async fn start_run(&self, pipeline: Uuid, input: Value) -> Result<Uuid, String> {
        let run = self
            .pipelines
            .start_run(&self.identity, pipeline, input, Trigger::Manual)
            .await
            .map_err(|e| e.to_string())?;
        Ok(run.id)
    }

    /// The run as `GET /api/pipeline-runs/{id}` shows it.
    pub(super) async fn run(&self, id: Uuid) -> Result<RunState, String> {
        let run = self.pipelines.run(id).await.map_err(|e| e.to_string())?;
        serde_json::to_value(run)
            .and_then(serde_json::from_value)
            .map_err(|e| e.to_string())
    }

    /// The run and node events of the pipeline's runs, from now on.
    pub(super) fn subscribe(&self, pipeline: Uuid) -> Subscription {
        let types = ["pipeline_run.*", "pipeline_node.*"]
            .into_iter()
            .filter_map(|t| TypePattern::parse(t).ok())
            .collect();
        let scope = Scope {
            pipeline_id: Some(pipeline),
            ..Scope::default()
        };
        self.bus
            .subscribe("cli_pipeline_run", Filter { types, scope })
    }

    /// Shuts the server down as SIGTERM would (the engine gives back what it still holds).
    pub(super) async fn stop(self) {
        self.shutdown.cancel();
        match self.handle.await {
            Ok(Err(e)) => eprintln!("the local server stopped badly: {e}"),
            Err(e) => eprintln!("the local server stopped badly: {e}"),
            Ok(Ok(_)) => {}
        }
    }
}

/// The user `pipeline run --local` acts as: `email`, or the oldest active admin.
async fn acting_user(
    pool: &deadpool_postgres::Pool,
    email: Option<&str>,
) -> Result<Identity, String> {
    let client = pool.get().await.map_err(|e| e.to_string())?;
    let user = match email {
        Some(email) => users::find_active_by_email(&client, email)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("--as {email}: no such active user"))?,
        None => users::oldest_active_admin(&client)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("this database has no admin: create one with `gathering users create --role admin`, or name a user with --as")?,
    };
    if user.role < Role::Member {
        return Err("--as: a viewer may not run pipelines".into());
    }
    Ok(Identity::user(user.id, user.role, RequestMeta::default()))
}

/// A refused pipeline change as one message, with every validation problem.
fn pipeline_error(e: &PipelineError) -> String {
    match e {
        PipelineError::Invalid(problems) => {
            let mut text = e.to_string();
            for p in &problems.listed {
                text.push_str(&format!("\n  {}: {}", p.code, p.message));
            }
            if problems.omitted > 0 {
                text.push_str(&format!("\n  ... and {} more", problems.omitted));
            }
            text
        }
        PipelineError::OverBudget => e.to_string(),
        PipelineError::Domain(d) => d.to_string(),
    }
}
