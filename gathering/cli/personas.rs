//! `gathering personas import DIR`: imports persona files; a malformed one is reported while
//! the others still import.

use std::process::ExitCode;

use super::CliResult;
use super::args::ImportArgs;
use super::maintenance::Maintenance;
use crate::config::Config;

/// `personas import DIR`.
pub async fn import(args: ImportArgs, config: Config) -> CliResult {
    if !args.dir.is_dir() {
        return Err(format!("{}: not a directory", args.dir.display()).into());
    }
    let maintenance = Maintenance::open(&config).await?;
    let result = maintenance.import_personas(&args.dir).await;
    maintenance.close().await;
    let report = result?;
    for (label, names) in [
        ("created", &report.created),
        ("updated", &report.updated),
        ("unchanged", &report.unchanged),
    ] {
        for name in names {
            println!("{label:9} {name}");
        }
    }
    for failure in &report.failed {
        eprintln!("failed    {failure}");
    }
    println!(
        "{} created, {} updated, {} unchanged, {} failed",
        report.created.len(),
        report.updated.len(),
        report.unchanged.len(),
        report.failed.len()
    );
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
