//! The SQL of pipelines, one file per record: `pipelines.rs` (the named pipeline, its webhook
//! secret's hash) and `versions.rs` (every document it had); `runs.rs` (a run and its trigger),
//! `nodes.rs` (a run's node states), `trees.rs` (sub-pipeline and fan-out children and the
//! budget of a run's tree); `claims.rs` (which instance executes a run, under a lease) and
//! `endings.rs` (a run's end, or a request to end it); `approvals.rs` (an approval's decision);
//! `breakers.rs` (a pipeline's circuit breakers).
//!
//! Invariants: every write of an executing instance is fenced by its claim (`claimed_by`), so
//! an instance that lost a run cannot write to it; functions take `&impl GenericClient` and
//! never open transactions of their own (the service or executor holds them). Start at
//! `runs.rs` and `claims.rs`.

mod approvals;
mod breakers;
mod claims;
mod endings;
mod nodes;
mod pipelines;
mod runs;
mod trees;
mod versions;

pub use approvals::*;
pub use breakers::*;
pub use claims::*;
pub use endings::*;
pub use nodes::*;
pub use pipelines::*;
pub use runs::*;
pub use trees::*;
pub use versions::*;

type Result<T> = std::result::Result<T, tokio_postgres::Error>;
