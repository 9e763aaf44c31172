//! Circle tasks: stored, routed by the facilitator to the best-scoring agent (`routing.rs`,
//! pure), which accepts or refuses; its work is an agent turn whose answer is the submission,
//! reviewed by another agent (or a person) that approves, asks for changes (a new iteration)
//! or rejects (blocked, escalated to the circle's owners). Two agents on one resource is a
//! recorded conflict.
//!
//! - `model.rs`: the types; `routing.rs`: who is offered a task and who reviews it;
//!   `answers.rs`: what agents are asked and how their answers are read (both pure).
//! - `steps.rs`: each step in a transaction, with its history row and `circle.task_*` event.
//! - `service.rs`: the calls people make (the API's); `worker.rs`: the steps agents take,
//!   durable and shared by instances (claimed in Postgres under a lease).
//! - `store/`: the SQL.

pub mod answers;
pub mod model;
pub mod routing;
pub mod service;
pub mod steps;
pub mod store;
pub mod worker;

pub use model::{
    Conflict, HistoryEntry, NewTask, Priority, Review, Task, TaskDetail, TaskPatch, TaskStatus,
    Verdict,
};
pub use service::ListTasks;
pub use worker::TaskWorker;
