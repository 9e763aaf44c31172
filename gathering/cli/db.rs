//! `gathering db {start,stop,status,url}`: the embedded PostgreSQL cluster, run in the
//! background for other instances or tools.

use std::process::ExitCode;

use secrecy::ExposeSecret;

use super::CliResult;
use super::args::DbCommand;
use crate::config::Config;
use crate::db::embedded::{EmbeddedPostgres, Lifetime, Status};

/// `db start|stop|status|url`: the embedded cluster of the data dir.
pub async fn db(command: DbCommand, config: &Config) -> CliResult {
    let manager = EmbeddedPostgres::new(&config.pg_dir, &config.data_dir)?;
    match command {
        DbCommand::Start(_) => {
            let started = manager.start(Lifetime::Detached).await?;
            let verb = if started.started_here {
                "started"
            } else {
                "already running"
            };
            println!(
                "PostgreSQL {verb} on 127.0.0.1:{} (data dir {}); `gathering db url` prints its connection string",
                started.port,
                manager.data_dir().display()
            );
        }
        DbCommand::Stop(_) => {
            let was_running = tokio::task::spawn_blocking(move || manager.stop()).await??;
            println!(
                "{}",
                if was_running {
                    "stopped"
                } else {
                    "not running"
                }
            );
        }
        DbCommand::Status(_) => {
            let status = manager.status()?;
            match status {
                Status::Running { pid, port } => println!("running (pid {pid}, port {port})"),
                Status::Stopped => {
                    println!("stopped");
                    return Ok(ExitCode::from(3));
                }
                Status::NotInitialised => {
                    println!("not initialised");
                    return Ok(ExitCode::from(3));
                }
            }
        }
        DbCommand::Url(_) => println!("{}", manager.url()?.expose_secret()),
    }
    Ok(ExitCode::SUCCESS)
}
