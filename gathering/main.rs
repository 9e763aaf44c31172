//! The `gathering` command line: `serve`, `migrate`, `db {start,stop,status,url}` and
//! `users create`. Parses
//! arguments, loads the configuration, runs one command, and turns any failure into one line
//! on stderr and a non-zero exit.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use secrecy::ExposeSecret;

use gathering::app::App;
use gathering::config::{Config, Overrides, ProcessEnv};
use gathering::db::embedded::{EmbeddedPostgres, Lifetime, Status};

#[derive(Parser)]
#[command(
    name = "gathering",
    version,
    about = "Self-hosted multi-agent collaboration platform with DAG pipelines",
    long_about = "Self-hosted multi-agent collaboration platform with DAG pipelines.\n\n\
        With no configuration, `gathering serve` starts an embedded PostgreSQL in \
        .gathering/data and serves http://127.0.0.1:8000. Settings come from defaults, then \
        an optional TOML file (--config, GATHERING_CONFIG or ./gathering.toml), then the \
        environment (GATHERING_ADDR, GATHERING_DATA_DIR, GATHERING_PG_DIR, DATABASE_URL, \
        GATHERING_ENV, RUST_LOG, GATHERING_CORS_ORIGINS, GATHERING_TRUSTED_PROXIES, \
        GATHERING_JWT_SECRET, GATHERING_ADMIN_EMAIL, GATHERING_ADMIN_PASSWORD), then flags."
)]
struct Cli {
    /// TOML configuration file (default: ./gathering.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server until SIGTERM or Ctrl-C (applies pending migrations first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DataDirArg),
    /// Manage the embedded PostgreSQL cluster.
    #[command(subcommand)]
    Db(DbCommand),
    /// Manage users.
    #[command(subcommand)]
    Users(UsersCommand),
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create a user; the password is read from standard input (one line, 12+ characters).
    Create(CreateUserArgs),
}

#[derive(Args)]
struct CreateUserArgs {
    #[arg(long)]
    email: String,
    /// admin, member or viewer.
    #[arg(long, default_value = "member")]
    role: String,
    /// Display name (default: the part of the email before `@`).
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    data_dir: DataDirArg,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8000 (env GATHERING_ADDR).
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<std::net::SocketAddr>,
    #[command(flatten)]
    data_dir: DataDirArg,
}

#[derive(Args)]
struct DataDirArg {
    /// Directory of the embedded PostgreSQL cluster (env GATHERING_DATA_DIR; default .gathering/data).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum DbCommand {
    /// Initialise the cluster if needed and start it in the background.
    Start(DataDirArg),
    /// Stop the cluster if it runs.
    Stop(DataDirArg),
    /// Print whether the cluster runs (exit 0) or not (exit 3).
    Status(DataDirArg),
    /// Print a connection string another instance can use as DATABASE_URL.
    Url(DataDirArg),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut overrides = Overrides {
        config_file: cli.config,
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
        Command::Db(
            DbCommand::Start(arg)
            | DbCommand::Stop(arg)
            | DbCommand::Status(arg)
            | DbCommand::Url(arg),
        ) => overrides.data_dir.clone_from(&arg.data_dir),
    }
    let config = match Config::load(&ProcessEnv, &overrides) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    gathering::telemetry::init(config.env, &config.log_filter);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&e),
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(_) => serve(config).await,
            Command::Migrate(_) => migrate(config).await,
            Command::Db(command) => db(command, &config).await,
            Command::Users(UsersCommand::Create(args)) => create_user(args, config).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => fail(e.as_ref()),
    }
}

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::FAILURE
}

type CliResult = Result<ExitCode, Box<dyn std::error::Error>>;

async fn serve(config: Config) -> CliResult {
    let app = App::build(config).await?;
    eprintln!("gathering listening on http://{}", app.local_addr());
    let token = app.shutdown_token();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("signal received");
        token.cancel();
    });
    app.run().await?;
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler installs");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler installs");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

/// `migrate`: like the start of `serve`, without listening; stops the embedded cluster after
/// if it started it.
async fn migrate(config: Config) -> CliResult {
    let maintenance = gathering::maintenance::Maintenance::open(&config).await?;
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

/// `users create`: parses everything before touching the database, then creates the user
/// through the same domain call as `POST /api/users` (audited, actor: the command line).
async fn create_user(args: CreateUserArgs, config: Config) -> CliResult {
    use gathering::auth::model::{Email, Password};
    let email = Email::parse(&args.email).map_err(|e| format!("--email: {e}"))?;
    let role = args.role.parse().map_err(|e| format!("--role: {e}"))?;
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("reading the password from stdin: {e}"))?;
    let password = Password::parse(line.trim_end_matches(['\r', '\n']))
        .map_err(|e| format!("password (stdin): {e}"))?;
    let name = args.name.unwrap_or_else(|| {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or("user")
            .to_owned()
    });
    let maintenance = gathering::maintenance::Maintenance::open(&config).await?;
    let result = maintenance.create_user(email, name, password, role).await;
    maintenance.close().await;
    let user = result?;
    println!("created {} ({}, {})", user.email, user.role, user.id);
    Ok(ExitCode::SUCCESS)
}

async fn db(command: DbCommand, config: &Config) -> CliResult {
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
