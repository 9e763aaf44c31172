//! Pipelines: JSON DAGs validated at the edge and run by the engine. `validate.rs` turns a
//! pipeline document (a superset of the original GatheRing's format) into a checked [`Pipeline`],
//! or reports its problems (the first 100, and a count of the rest), each with its node or edge
//! id and a stable code, in time linear in the document (`bodies.rs` finds the fan-outs' bodies
//! in one pass, `report.rs` bounds what is said, `sources.rs` the expression bytes compiled);
//! `check.rs` runs it off the async workers under a time budget; `schemas.rs` holds the JSON Schema of each node type's `config`; `expr.rs` is the sandboxed
//! expression language (CEL) of conditions, transforms and filters. `service.rs` stores
//! pipelines (versioned) and runs, `children.rs` the runs of sub-pipelines and fan-out items
//! (and the budget of a run's tree); `engine.rs` claims runs on each instance and `executor.rs`
//! executes one, its nodes in `nodes.rs`, `effects.rs` and `approval.rs`, its breakers in
//! `breaker.rs`; `store.rs` has the SQL.

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
pub mod sources;
pub mod store;
pub mod validate;

pub use check::validate_off_thread;
pub use engine::{Engine, EngineSettings};
pub use model::{Pipeline, Problem, Problems};
pub use service::{PipelineError, Pipelines, Trigger};
pub use validate::validate;
