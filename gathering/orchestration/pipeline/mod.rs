//! Pipelines: JSON DAGs validated at the edge and run, durably, by an engine on every
//! instance.
//!
//! What it owns: the pipeline documents and their versions, runs and their node states,
//! approvals' decisions and circuit breakers (the `pipeline` schema), and the
//! `pipeline.*`, `pipeline_run.*` and `pipeline_node.*` events.
//!
//! - Validating: `validate.rs` turns a document (a superset of the original GatheRing's
//!   format) into a checked [`Pipeline`] (`model.rs`) or reports its problems (the first 100,
//!   and a count of the rest), each with its node or edge id and a stable code, in time linear
//!   in the document (`bodies.rs` finds the fan-outs' bodies in one pass, `graph.rs` the
//!   order, `report.rs` bounds what is said, `sources.rs` the expression bytes compiled);
//!   `check.rs` runs it off the async workers under a time budget; `schemas.rs` holds the
//!   JSON Schema of each node type's `config`; `expr/` is the sandboxed expression language
//!   (CEL) of conditions, transforms and filters.
//! - Storing: `service/` is [`Pipelines`], the service the API holds: `definitions.rs`
//!   (create, update, delete, versions, diffs, the webhook secret) and `runs.rs` (start,
//!   webhook, cancel, decide, re-run); `store/` has the SQL, one file per record; `records.rs`
//!   the rows as the API shows them.
//! - Running: `engine.rs` claims runs on each instance; `context.rs` is what a run's nodes
//!   share (its creator's `Identity`, and named handles: the engine, the pool, the agents
//!   service, the tool registry); `executor.rs` schedules one run's nodes and `ending.rs`
//!   writes its end; `nodes.rs` runs one node (retries, timeouts, its breaker in
//!   `breaker.rs`), `effect_nodes.rs` the agent and action nodes (through
//!   `orchestration::effects`), `approval.rs` approvals, `fanout.rs` and `children.rs`
//!   fan-outs and sub-pipelines.
//!
//! Invariants: a document is validated before it is stored and again (as stored) before a
//! run executes it; a run is executed by the one instance that holds its claim, and every
//! write of an execution is fenced by that claim (an instance that lost a run writes nothing
//! more); every state change is written with its event in one transaction; only the owner or
//! an admin changes a pipeline, each change audited (`audit::record_change`).
//!
//! Start reading at `service/runs.rs` (how a run is asked for), then `engine.rs` and
//! `executor.rs`.

mod approval;
mod bodies;
pub mod breaker;
pub mod check;
mod children;
mod context;
pub mod diff;
mod effect_nodes;
mod ending;
pub mod engine;
mod executor;
pub mod expr;
mod fanout;
mod graph;
pub mod model;
mod nodes;
pub mod records;
mod report;
pub mod schemas;
pub mod service;
pub mod settings;
pub mod sources;
pub mod store;
pub mod validate;

pub use check::validate_off_thread;
pub use engine::Engine;
pub use model::{Pipeline, Problem, Problems};
pub use service::{PipelineError, Pipelines, Trigger};
pub use settings::EngineSettings;
pub use validate::validate;
