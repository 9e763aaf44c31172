//! `gathering pipeline run FILE`: validates the file, stores it (a new version when a pipeline
//! of that name exists), starts a run with `--input` as its trigger data, shows each node's
//! progress on stderr until the run ends, prints the run's output on stdout, and exits 0 when
//! it completed, 1 otherwise.
//!
//! Two targets, one flow ([`Target`]): a server over HTTP (`client.rs`, typed requests and
//! answers, errors from the API's error shape), or with `--local` a server started in this
//! process (`local.rs`: the same database, models and engine as `serve`, acting as one user).
//! Progress comes from the run's events, never from polling the database: over the server's
//! `/ws` (`socket.rs`) or the in-process bus, subscribed to before the run starts so no event
//! is missed (`follow.rs`). The final state is read once when the run's end event comes.
//!
//! Start reading at [`run`], then `follow.rs`.

mod client;
mod follow;
mod local;
mod socket;

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::CliResult;
use super::args::RunArgs;
use crate::config::Config;
use crate::orchestration::pipeline::records::RunStatus;
use client::Client;
use local::LocalServer;

/// `pipeline run FILE`: store, start, follow.
pub async fn run(args: RunArgs, config: Config) -> CliResult {
    let text =
        std::fs::read_to_string(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not JSON: {e}",
            args.file.display(),
            e.line(),
            e.column()
        )
    })?;
    let pipeline = match crate::orchestration::pipeline::validate(&doc) {
        Ok(pipeline) => pipeline,
        Err(problems) => {
            for p in &problems.listed {
                eprintln!("{}: {}", p.code, p.message);
            }
            return Err(format!("{}: {} problem(s)", args.file.display(), problems.total()).into());
        }
    };
    let input: Value =
        serde_json::from_str(&args.input).map_err(|e| format!("--input: not JSON: {e}"))?;
    if !input.is_object() {
        return Err("--input: must be a JSON object".into());
    }
    let target = if args.local {
        Target::Local(LocalServer::start(config, args.as_user.as_deref()).await?)
    } else {
        Target::Remote(Client::new(
            &args.server,
            args.token.clone().unwrap_or_default(),
        ))
    };
    let outcome = store_start_follow(&target, &pipeline.name, &doc, input).await;
    if let Target::Local(server) = target {
        server.stop().await;
    }
    outcome
}

/// Stores `doc`, starts a run, and shows its nodes' progress on stderr until it ends.
async fn store_start_follow(target: &Target, name: &str, doc: &Value, input: Value) -> CliResult {
    let stored = target.store(name, doc).await?;
    eprintln!(
        "pipeline {name} ({}), version {}",
        stored.id, stored.version
    );
    // Subscribed before the run exists, so its first event cannot be missed.
    let feed = target.subscribe(stored.id).await;
    let run_id = target.start(stored.id, input).await?;
    eprintln!("run {run_id} started");
    let mut progress = follow::Progress::new();
    let run = follow::follow(target, feed, run_id, &mut progress).await?;
    Ok(progress.finish(&run))
}

/// Where `pipeline run` runs.
enum Target {
    /// A server over HTTP.
    Remote(Client),
    /// A server started in this process (`--local`).
    Local(LocalServer),
}

impl Target {
    /// Stores `doc` as a new pipeline, or as a new version of the one named `name`.
    async fn store(&self, name: &str, doc: &Value) -> Result<Stored, String> {
        match self {
            Self::Remote(client) => client.store(name, doc).await.map_err(|e| e.to_string()),
            Self::Local(server) => server.store(name, doc).await,
        }
    }

    /// Starts a run of the pipeline's newest version; its id.
    async fn start(&self, pipeline: Uuid, input: Value) -> Result<Uuid, String> {
        match self {
            Self::Remote(client) => client
                .start(pipeline, input)
                .await
                .map_err(|e| e.to_string()),
            Self::Local(server) => server.start_run(pipeline, input).await,
        }
    }

    /// The run as it is now.
    async fn run(&self, id: Uuid) -> Result<RunState, String> {
        match self {
            Self::Remote(client) => client.run(id).await.map_err(|e| e.to_string()),
            Self::Local(server) => server.run(id).await,
        }
    }

    /// The events of the pipeline's runs from now on; `None` (with a note on stderr) when they
    /// cannot be followed, and the run's state is then read until it ends.
    async fn subscribe(&self, pipeline: Uuid) -> Option<follow::Feed> {
        match self {
            Self::Remote(client) => match socket::Socket::open(client, pipeline).await {
                Ok(socket) => Some(follow::Feed::Socket(Box::new(socket))),
                Err(e) => {
                    eprintln!(
                        "note: cannot follow the run's events ({e}); reading its state instead"
                    );
                    None
                }
            },
            Self::Local(server) => Some(follow::Feed::Bus(server.subscribe(pipeline))),
        }
    }
}

/// A stored pipeline, as far as this command needs it.
#[derive(Debug, Deserialize)]
struct Stored {
    id: Uuid,
    version: i32,
}

/// A run, as far as this command needs it (`GET /api/pipeline-runs/{id}`).
#[derive(Debug, Deserialize)]
struct RunState {
    id: Uuid,
    status: RunStatus,
    error: Option<String>,
    output: Option<Value>,
    #[serde(default)]
    nodes: Vec<NodeState>,
}

/// One node of a run.
#[derive(Debug, Deserialize)]
struct NodeState {
    node_id: String,
    /// `pending`, `running`, `waiting`, `completed`, `failed`, `skipped` or `cancelled`.
    status: String,
    attempts: i64,
    error: Option<String>,
}
