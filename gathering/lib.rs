//! gathering: a self-hosted multi-agent collaboration platform with DAG pipelines.
//!
//! Module map and dependency direction: see `docs/ARCHITECTURE.md`.

pub mod agents;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod circles;
pub mod cli;
pub mod config;
pub mod conversations;
pub mod core;
pub mod db;
pub mod events;
pub mod llm;
pub mod memory;
pub mod models;
pub mod orchestration;
pub mod overview;
pub mod personas;
pub mod telemetry;
pub mod tools;
