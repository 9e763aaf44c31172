//! Integration tests: one binary, modules by subject. Every test runs the real server or the
//! real embedded PostgreSQL; see `support.rs` for the harness.

mod access;
mod agents;
mod app_assets;
mod auth;
mod circle_members;
mod circle_tasks;
mod circles;
mod dashboard;
mod embedded;
mod events;
mod fuzz;
mod hostile;
mod http;
mod knowledge;
mod lifecycle;
mod llm;
mod mcp;
mod memory;
mod migrations;
mod personas;
mod pipeline_examples;
mod pipeline_limits;
mod pipeline_node_events;
mod pipeline_runs;
mod pipeline_versions;
mod pipelines;
mod process;
mod schedules;
mod session;
mod setup;
mod support;
mod websocket;
