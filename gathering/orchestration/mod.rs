//! Orchestration: pipelines (JSON DAGs) and the scheduler (cron, interval, once and event
//! schedules fired exactly once across instances).

pub mod effects;
pub mod pipeline;
pub mod scheduler;
