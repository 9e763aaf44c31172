//! The SQL of circle tasks: `tasks.rs` (tasks, their state and history), `claims.rs` (the
//! steps the worker takes, claimed under a lease), `conflicts.rs` (two agents on one resource)
//! and `members.rs` (what routing and escalation read about the circle's members).

pub mod claims;
pub mod conflicts;
pub mod members;
pub mod tasks;
