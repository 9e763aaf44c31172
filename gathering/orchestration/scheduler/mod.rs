//! The scheduler: schedules (cron in an IANA time zone, interval, once, event) whose actions
//! fire exactly once per occurrence however many instances run.
//!
//! - `model/` parses a request into a [`Spec`] (every refusal names its field; the action in
//!   `model/action.rs`); `timing.rs` is the timetable and the catch-up policies (pure).
//! - `service.rs` is [`Schedules`], what the API holds: changes take the acting
//!   [`Identity`](crate::core::identity::Identity) and are recorded with
//!   `audit::record_change`; only the owner or an admin sees or changes a schedule.
//! - `runner/` is [`Scheduler`], one per instance: `fire.rs` fires what is due, `execute.rs`
//!   executes runs, `listen.rs` hears the event feed for event schedules. Start at
//!   [`Scheduler::run`].
//! - `guard/` decides whether an event may fire a schedule (its owner may see it; its chain and
//!   rate are within bounds, else the runaway is paused and reported); `actions.rs` does what
//!   an occurrence does; `store/` has the SQL, one file per record.
//!
//! Invariants: one run per occurrence (unique per (schedule, time) or (schedule, event)),
//! inserted in the transaction that fires it; one instance executes a run, holding its session
//! advisory lock for the whole execution beside a renewed lease; what decides by the time reads
//! the scheduler's clock (`core::clock`), so tests move time instead of waiting for it.

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
