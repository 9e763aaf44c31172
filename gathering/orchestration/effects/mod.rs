//! The actions that both the pipeline engine and the scheduler run: a turn of a stored agent
//! ([`turn::answer`]) and an HTTP request through the `http_request` tool
//! ([`http::http_call`]), each acting as an [`Identity`](crate::core::identity::Identity) and
//! ending in an output or a [`Failure`] that says whether a retry may help.
//!
//! Invariants: nothing here knows pipelines or schedules (their nodes and occurrences call in,
//! each with its own idempotency key and retry policy); outbound HTTP goes through the tool
//! registry, so the same address rules and limits apply as to agents. Start reading at
//! `failure.rs`, then `turn.rs` and `http.rs`.

pub mod discussion;
mod failure;
pub mod http;
pub mod turn;

pub use failure::Failure;
pub use http::http_call;
pub use turn::answer;

/// What pipeline nodes and scheduled occurrences act through (each cheap to clone).
#[derive(Clone)]
pub struct Services {
    /// Agents' turns (and the tools registry, for actions).
    pub agents: crate::agents::Agents,
    /// Circle discussions (the `circle` node, the `start_discussion` action).
    pub circles: crate::circles::Circles,
}
