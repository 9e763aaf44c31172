//! `gathering migrate`: applies pending migrations and exits.

use std::process::ExitCode;

use super::CliResult;
use super::maintenance::Maintenance;
use crate::config::Config;

/// `migrate`: like the start of `serve`, without listening; stops the embedded cluster after
/// if it started it.
pub async fn migrate(config: Config) -> CliResult {
    let maintenance = Maintenance::open(&config).await?;
    let report = maintenance.migrations.clone();
    maintenance.close().await;
    println!(
        "applied {} migration(s) {:?}; {} already applied",
        report.applied.len(),
        report.applied,
        report.already_applied
    );
    Ok(ExitCode::SUCCESS)
}
