//! Orchestration: pipelines (JSON DAGs), the scheduler (cron, interval, once and event
//! schedules fired exactly once across instances), and `effects/`, the actions both run (an
//! agent's turn, an HTTP call). Neither the pipeline nor the scheduler imports the other's
//! internals: what they share is in `effects/`; the scheduler starts pipeline runs through
//! the pipeline service.

pub mod effects;
pub mod pipeline;
pub mod scheduler;
