//! Orchestration: pipelines (JSON DAGs) and, later, the scheduler.

pub mod pipeline;
