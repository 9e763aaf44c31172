//! The `gathering` command line: `serve`, `migrate`, `db {start,stop,status,url}`,
//! `users create`, `personas import`, `pipeline {validate,run}`, `knowledge add`,
//! `models {check,bench}` and `openapi`. [`main`] parses the arguments (`args.rs`), loads the configuration, runs one
//! command (one file each) and turns any failure into one line on stderr and a non-zero exit.
//!
//! Invariants: a command prints its results on stdout and its progress and errors on stderr;
//! exit 0 is success, 1 a failure, and `db status` answers 3 for a cluster that does not run.
//! Commands that only need the database go through [`maintenance::Maintenance`] (no
//! listener, so they run beside a live server); `serve` and `pipeline run --local` build the
//! whole [`App`](crate::app::App). A command acts as a [`crate::core::identity::Identity`]:
//! the server itself for `users create` and `personas import`, a named user for
//! `pipeline run --local`.
//!
//! Start reading at [`main`], then the command's file; `pipeline_run/` is the largest (a typed
//! HTTP client, the run's events followed over the WebSocket or the in-process bus).

pub mod args;
pub mod db;
pub mod knowledge;
pub mod maintenance;
pub mod migrate;
pub mod models;
pub mod openapi;
pub mod personas;
pub mod pipeline_run;
pub mod pipeline_validate;
pub mod remote;
pub mod serve;
pub mod users;

use std::process::ExitCode;

use clap::Parser;

use crate::config::{Config, Overrides, ProcessEnv};
use args::{
    Cli, Command, DbCommand, KnowledgeCommand, ModelsCommand, PersonasCommand, PipelineCommand,
    UsersCommand,
};

/// What a command returns: its exit code, or an error printed as one `error:` line.
pub type CliResult = Result<ExitCode, Box<dyn std::error::Error>>;

/// Parses the process's arguments and runs the command they name.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let overrides = overrides(&cli);
    let config = match Config::load(&ProcessEnv, &overrides) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    // `pipeline run --local` shows its own progress; the engine's info lines would drown it.
    let quiet = matches!(&cli.command, Command::Pipeline(PipelineCommand::Run(args)) if args.local)
        && std::env::var_os("RUST_LOG").is_none();
    crate::telemetry::init(config.env, if quiet { "warn" } else { &config.log_filter });
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&e),
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(_) => serve::serve(config).await,
            Command::Migrate(_) => migrate::migrate(config).await,
            Command::Db(command) => db::db(command, &config).await,
            Command::Users(UsersCommand::Create(args)) => users::create(args, config).await,
            Command::Personas(PersonasCommand::Import(args)) => {
                personas::import(args, config).await
            }
            Command::Pipeline(PipelineCommand::Validate(args)) => {
                pipeline_validate::validate(&args)
            }
            Command::Pipeline(PipelineCommand::Run(args)) => pipeline_run::run(args, config).await,
            Command::Knowledge(KnowledgeCommand::Add(args)) => knowledge::add(args).await,
            Command::Models(ModelsCommand::Check) => models::check(config).await,
            Command::Models(ModelsCommand::Bench(args)) => models::bench(args, config).await,
            Command::Openapi => openapi::print(),
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => fail(e.as_ref()),
    }
}

/// The flags that override the configuration: `--config`, and each command's `--data-dir`
/// (`serve`'s `--addr` too).
fn overrides(cli: &Cli) -> Overrides {
    let mut overrides = Overrides {
        config_file: cli.config.clone(),
        ..Overrides::default()
    };
    match &cli.command {
        Command::Serve(args) => {
            overrides.addr = args.addr;
            overrides.data_dir.clone_from(&args.data_dir.data_dir);
        }
        Command::Migrate(arg) => overrides.data_dir.clone_from(&arg.data_dir),
        Command::Users(UsersCommand::Create(args)) => {
            overrides.data_dir.clone_from(&args.data_dir.data_dir);
        }
        Command::Personas(PersonasCommand::Import(args)) => {
            overrides.data_dir.clone_from(&args.data_dir.data_dir);
        }
        Command::Pipeline(PipelineCommand::Run(args)) => {
            overrides.data_dir.clone_from(&args.data_dir.data_dir);
        }
        Command::Models(_) | Command::Pipeline(_) | Command::Knowledge(_) | Command::Openapi => {}
        Command::Db(
            DbCommand::Start(arg)
            | DbCommand::Stop(arg)
            | DbCommand::Status(arg)
            | DbCommand::Url(arg),
        ) => overrides.data_dir.clone_from(&arg.data_dir),
    }
    overrides
}

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::FAILURE
}
