//! The scheduler: schedules (cron in an IANA time zone, interval, once, event) whose actions
//! fire exactly once per occurrence however many instances run. `model.rs` parses a request
//! into a [`Spec`] (every refusal names its field); `timing.rs` is the timetable and the
//! catch-up policies; `runner.rs` fires and executes on each instance (claims in Postgres: a
//! unique run per occurrence, a session advisory lock held for the whole execution, a lease);
//! `guard/` decides whether an event may fire a schedule (its owner may see it; its chain and
//! rate are within bounds, else the runaway is paused and reported); `actions.rs` does what an
//! occurrence does; `service.rs` is what the API holds; `store.rs`
//! has the SQL.

mod actions;
mod guard;
pub mod model;
pub mod runner;
pub mod service;
pub mod settings;
pub mod store;
pub mod timing;

pub use model::{ScheduleRequest, Spec};
pub use runner::Scheduler;
pub use service::{Schedule, Schedules};
pub use settings::SchedulerSettings;
