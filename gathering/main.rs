//! The `gathering` command line: `serve`, `migrate`, `db {start,stop,status,url}`,
//! `users create` and `models {check,bench}`. Parses
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
    /// Import persona files (Markdown with YAML front matter).
    #[command(subcommand)]
    Personas(PersonasCommand),
    /// Pipelines: JSON DAGs.
    #[command(subcommand)]
    Pipeline(PipelineCommand),
    /// Check and benchmark the local models (installed by `scripts/bootstrap models`).
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Print the OpenAPI document (the one served at /api/openapi.json) as JSON; the
    /// dashboard's API types are generated from it.
    Openapi,
}

#[derive(Subcommand)]
enum ModelsCommand {
    /// Load both local models as the server does, run known inputs, print pass/fail with
    /// timings; exits non-zero when a check fails.
    Check,
    /// Print throughput: embedding sentences/s (batch 1 and 32), chat prompt and decode
    /// tokens/s, batched decode tokens/s, peak memory. Threads: RAYON_NUM_THREADS.
    Bench(BenchArgs),
}

#[derive(Args)]
struct BenchArgs {
    /// Which model: embeddings, chat or all.
    #[arg(long, default_value = "all", value_parser = ["all", "embeddings", "chat"])]
    which: String,
    /// Sentences to embed, one per line (default: 64 built-in sentences).
    #[arg(long, value_name = "FILE")]
    sentences: Option<PathBuf>,
    /// The chat prompt's user message (default: a built-in one of about 128 tokens in ChatML).
    #[arg(long, value_name = "FILE")]
    prompt: Option<PathBuf>,
    /// Tokens to generate.
    #[arg(long, default_value_t = 64)]
    decode: usize,
    /// Conversations sharing each decode step for the batched figure.
    #[arg(long, default_value_t = 4)]
    batch: usize,
    /// Timed passes per figure (the median is reported).
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum PipelineCommand {
    /// Check a pipeline file (JSON) without a server: prints every problem with its code, node
    /// or edge id and place in the file; exits 1 when there is any.
    Validate(ValidateArgs),
    /// Run a pipeline file on a server (or, with --local, in this process): stores it (a new
    /// version when a pipeline of that name exists), starts a run with INPUT as its trigger
    /// data, and shows each node's progress until the run ends; exits 0 when it completed, 1
    /// otherwise.
    Run(RunArgs),
}

#[derive(Args)]
struct RunArgs {
    /// The pipeline file (docs/pipelines.md describes the format).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The trigger data, a JSON object.
    #[arg(long, value_name = "JSON", default_value = "{}")]
    input: String,
    /// The server's base URL.
    #[arg(
        long,
        env = "GATHERING_SERVER",
        default_value = "http://127.0.0.1:8000"
    )]
    server: String,
    /// An access token or API key of a member (never printed); not needed with --local.
    #[arg(
        long,
        env = "GATHERING_TOKEN",
        hide_env_values = true,
        required_unless_present = "local"
    )]
    token: Option<String>,
    /// Run without a server: start the data dir's embedded database (or DATABASE_URL's), the
    /// local models and the engine in this process, run the pipeline there, then stop. The
    /// pipeline and its run are stored as with a server.
    #[arg(long)]
    local: bool,
    /// With --local, the user the run acts as and the pipeline belongs to (an email); by
    /// default the oldest admin.
    #[arg(long = "as", value_name = "EMAIL", requires = "local")]
    as_user: Option<String>,
    #[command(flatten)]
    data_dir: DataDirArg,
}

#[derive(Args)]
struct ValidateArgs {
    /// The pipeline file (docs/pipelines.md describes the format).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Subcommand)]
enum PersonasCommand {
    /// Import every `*.md` file of DIR: a persona of the same name is updated (when it
    /// changed), never duplicated; a malformed file is reported with its path and line while the
    /// others still import. Exits non-zero when any file failed.
    Import(ImportArgs),
}

#[derive(Args)]
struct ImportArgs {
    /// The directory of persona files (the shipped ones are in `personas/`).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    #[command(flatten)]
    data_dir: DataDirArg,
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
        Command::Personas(PersonasCommand::Import(args)) => {
            overrides.data_dir.clone_from(&args.data_dir.data_dir);
        }
        Command::Pipeline(PipelineCommand::Run(args)) => {
            overrides.data_dir.clone_from(&args.data_dir.data_dir);
        }
        Command::Models(_) | Command::Pipeline(_) | Command::Openapi => {}
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
    // `pipeline run --local` shows its own progress; the engine's info lines would drown it.
    let quiet = matches!(&cli.command, Command::Pipeline(PipelineCommand::Run(args)) if args.local)
        && std::env::var_os("RUST_LOG").is_none();
    gathering::telemetry::init(config.env, if quiet { "warn" } else { &config.log_filter });
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
            Command::Personas(PersonasCommand::Import(args)) => import_personas(args, config).await,
            Command::Pipeline(PipelineCommand::Validate(args)) => validate_pipeline(&args),
            Command::Pipeline(PipelineCommand::Run(args)) => run_pipeline(args, config).await,
            Command::Models(ModelsCommand::Check) => models_check(config).await,
            Command::Models(ModelsCommand::Bench(args)) => models_bench(args, config).await,
            Command::Openapi => print_openapi(),
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
    let mut app = App::build(config).await?;
    app.print_setup_link();
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

/// `pipeline run FILE`: store, start, follow.
async fn run_pipeline(args: RunArgs, config: Config) -> CliResult {
    use serde_json::Value;
    let text =
        std::fs::read_to_string(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not JSON: {e}",
            args.file.display(),
            e.line(),
            e.column()
        )
    })?;
    if let Err(problems) = gathering::orchestration::pipeline::validate(&doc) {
        for p in &problems.listed {
            eprintln!("{}: {}", p.code, p.message);
        }
        return Err(format!("{}: {} problem(s)", args.file.display(), problems.total()).into());
    }
    let input: Value =
        serde_json::from_str(&args.input).map_err(|e| format!("--input: not JSON: {e}"))?;
    if !input.is_object() {
        return Err("--input: must be a JSON object".into());
    }
    let local = if args.local {
        Some(LocalServer::start(config, args.as_user.as_deref()).await?)
    } else {
        None
    };
    let target = match &local {
        Some(server) => RunTarget::Local(server),
        None => RunTarget::Remote {
            http: reqwest::Client::new(),
            base: args.server.trim_end_matches('/').to_owned(),
            token: args.token.clone().unwrap_or_default(),
        },
    };
    let outcome = follow_run(&target, &doc, input).await;
    if let Some(server) = local {
        server.stop().await;
    }
    outcome
}

/// Stores `doc`, starts a run, and shows its nodes' progress on stderr until it ends.
async fn follow_run(
    target: &RunTarget<'_>,
    doc: &serde_json::Value,
    input: serde_json::Value,
) -> CliResult {
    use serde_json::Value;
    let name = doc.get("name").and_then(Value::as_str).unwrap_or_default();
    let stored = target.store(name, doc).await?;
    let id = stored["id"].as_str().unwrap_or_default().to_owned();
    eprintln!("pipeline {name} ({id}), version {}", stored["version"]);
    let run = target.start(&id, input).await?;
    let run_id = run["id"].as_str().unwrap_or_default().to_owned();
    eprintln!("run {run_id} started");
    let started = std::time::Instant::now();
    let mut seen: std::collections::HashMap<String, (String, i64)> = Default::default();
    loop {
        let run = target.run(&run_id).await?;
        for n in run["nodes"].as_array().into_iter().flatten() {
            let node = n["node_id"].as_str().unwrap_or_default().to_owned();
            let status = n["status"].as_str().unwrap_or_default().to_owned();
            let attempts = n["attempts"].as_i64().unwrap_or(0);
            if status == "pending" || seen.get(&node) == Some(&(status.clone(), attempts)) {
                continue;
            }
            let mut line = format!(
                "{:>7.2}s  {node:<24} {status}",
                started.elapsed().as_secs_f64()
            );
            if attempts > 1 {
                line.push_str(&format!(" (attempt {attempts})"));
            }
            if let Some(error) = n["error"].as_str() {
                line.push_str(&format!(": {error}"));
            }
            eprintln!("{line}");
            seen.insert(node, (status, attempts));
        }
        let status = run["status"].as_str().unwrap_or_default();
        if ["completed", "failed", "cancelled", "timeout"].contains(&status) {
            eprintln!(
                "run {run_id} {status} in {:.2}s",
                started.elapsed().as_secs_f64()
            );
            if let Some(error) = run["error"].as_str() {
                eprintln!("error: {error}");
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&run["output"]).unwrap_or_default()
            );
            return Ok(if status == "completed" {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Where `pipeline run` runs: a server over HTTP, or one started in this process.
enum RunTarget<'a> {
    Remote {
        http: reqwest::Client,
        base: String,
        token: String,
    },
    Local(&'a LocalServer),
}

impl RunTarget<'_> {
    /// Stores `doc` as a new pipeline, or as a new version of the one named `name`.
    async fn store(
        &self,
        name: &str,
        doc: &serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        match self {
            Self::Remote { http, base, .. } => {
                let mut existing = None;
                let mut cursor: Option<String> = None;
                loop {
                    let mut url = format!("{base}/api/pipelines?limit=200");
                    if let Some(c) = &cursor {
                        url.push_str(&format!("&cursor={c}"));
                    }
                    let page = self.call(http.get(url)).await?;
                    if let Some(found) = page["items"]
                        .as_array()
                        .and_then(|items| items.iter().find(|p| p["name"] == name))
                    {
                        existing = found["id"].as_str().map(str::to_owned);
                        break;
                    }
                    match page["next_cursor"].as_str() {
                        Some(next) => cursor = Some(next.to_owned()),
                        None => break,
                    }
                }
                match existing {
                    Some(id) => {
                        self.call(http.put(format!("{base}/api/pipelines/{id}")).json(doc))
                            .await
                    }
                    None => {
                        self.call(http.post(format!("{base}/api/pipelines")).json(doc))
                            .await
                    }
                }
            }
            Self::Local(server) => {
                let who = server.identity();
                let existing = server
                    .pipelines
                    .by_name(name)
                    .await
                    .map_err(|e| e.to_string())?;
                let stored = match existing {
                    Some(p) => server.pipelines.update(&who, p.id, doc.clone()).await,
                    None => server.pipelines.create(&who, doc.clone()).await,
                }
                .map_err(|e| pipeline_error(&e))?;
                serde_json::to_value(stored).map_err(|e| e.to_string())
            }
        }
    }

    async fn start(&self, id: &str, input: serde_json::Value) -> Result<serde_json::Value, String> {
        match self {
            Self::Remote { http, base, .. } => {
                self.call(
                    http.post(format!("{base}/api/pipelines/{id}/runs"))
                        .json(&serde_json::json!({"trigger_data": input})),
                )
                .await
            }
            Self::Local(server) => {
                let id = uuid::Uuid::parse_str(id).map_err(|e| e.to_string())?;
                let run = server
                    .pipelines
                    .start_run(
                        &server.identity(),
                        id,
                        input,
                        gathering::orchestration::pipeline::Trigger::Manual,
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                serde_json::to_value(run).map_err(|e| e.to_string())
            }
        }
    }

    async fn run(&self, id: &str) -> Result<serde_json::Value, String> {
        match self {
            Self::Remote { http, base, .. } => {
                self.call(http.get(format!("{base}/api/pipeline-runs/{id}")))
                    .await
            }
            Self::Local(server) => {
                let id = uuid::Uuid::parse_str(id).map_err(|e| e.to_string())?;
                let run = server.pipelines.run(id).await.map_err(|e| e.to_string())?;
                serde_json::to_value(run).map_err(|e| e.to_string())
            }
        }
    }

    /// Sends `request` with the token; the body, or the server's error with its details.
    async fn call(&self, request: reqwest::RequestBuilder) -> Result<serde_json::Value, String> {
        use serde_json::Value;
        let Self::Remote { base, token, .. } = self else {
            unreachable!("only a remote target calls over HTTP")
        };
        let response = request
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("{base}: {}", e.without_url()))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let message = body
                .pointer("/error/message")
                .and_then(Value::as_str)
                .unwrap_or("no details");
            let mut text = format!("the server answered {status}: {message}");
            if let Some(errors) = body
                .pointer("/error/details/errors")
                .and_then(Value::as_array)
            {
                for e in errors {
                    text.push_str(&format!("\n  {}: {}", e["code"], e["message"]));
                }
            }
            return Err(text);
        }
        Ok(body)
    }
}

/// A refused pipeline change as one message, with every validation problem.
fn pipeline_error(e: &gathering::orchestration::pipeline::PipelineError) -> String {
    use gathering::orchestration::pipeline::PipelineError;
    match e {
        PipelineError::Invalid(problems) => {
            let mut text = e.to_string();
            for p in &problems.listed {
                text.push_str(&format!("\n  {}: {}", p.code, p.message));
            }
            if problems.omitted > 0 {
                text.push_str(&format!("\n  ... and {} more", problems.omitted));
            }
            text
        }
        PipelineError::OverBudget => e.to_string(),
        PipelineError::Domain(d) => d.to_string(),
    }
}

/// The server `pipeline run --local` starts in this process: no listener anyone is told of,
/// the same database, models and engine as `serve`.
struct LocalServer {
    pipelines: gathering::orchestration::pipeline::Pipelines,
    user_id: uuid::Uuid,
    role: gathering::auth::model::Role,
    meta: gathering::audit::RequestMeta,
    shutdown: tokio_util::sync::CancellationToken,
    handle:
        tokio::task::JoinHandle<Result<gathering::app::ShutdownReport, gathering::app::StartError>>,
}

impl LocalServer {
    async fn start(mut config: Config, user: Option<&str>) -> Result<Self, String> {
        use gathering::core::readiness::Phase;
        config.addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        eprintln!(
            "starting the database, models and engine of {} ...",
            config.data_dir.display()
        );
        let app = App::build(config).await.map_err(|e| e.to_string())?;
        let pipelines = app.pipelines();
        let pool = app.pool().clone();
        let readiness = app.readiness();
        let shutdown = app.shutdown_token();
        let mut handle = tokio::spawn(app.run());
        // Migrations run first; the services are usable once the server says it is ready.
        loop {
            if readiness.get().0 == Phase::Ready {
                break;
            }
            tokio::select! {
                ended = &mut handle => {
                    return Err(match ended {
                        Ok(Err(e)) => e.to_string(),
                        _ => "the local server stopped while starting".to_owned(),
                    });
                }
                () = tokio::time::sleep(std::time::Duration::from_millis(50)) => {}
            }
        }
        let (user_id, role) = match acting_user(&pool, user).await {
            Ok(found) => found,
            Err(e) => {
                // Stop what started (an embedded cluster included) before saying why.
                shutdown.cancel();
                let _ = handle.await;
                return Err(e);
            }
        };
        Ok(Self {
            pipelines,
            user_id,
            role,
            meta: gathering::audit::RequestMeta::default(),
            shutdown,
            handle,
        })
    }

    fn identity(&self) -> gathering::core::identity::Identity {
        gathering::core::identity::Identity::user(self.user_id, self.role, self.meta.clone())
    }

    /// Shuts the server down as SIGTERM would (the engine gives back what it still holds).
    async fn stop(self) {
        self.shutdown.cancel();
        match self.handle.await {
            Ok(Err(e)) => eprintln!("the local server stopped badly: {e}"),
            Err(e) => eprintln!("the local server stopped badly: {e}"),
            Ok(Ok(_)) => {}
        }
    }
}

/// The user `pipeline run --local` acts as: `email`, or the oldest active admin.
async fn acting_user(
    pool: &deadpool_postgres::Pool,
    user: Option<&str>,
) -> Result<(uuid::Uuid, gathering::auth::model::Role), String> {
    let client = pool.get().await.map_err(|e| e.to_string())?;
    let row = match user {
            Some(email) => client
                .query_opt(
                    "SELECT id, role FROM auth.users WHERE lower(email) = lower($1) AND NOT disabled",
                    &[&email],
                )
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("--as {email}: no such active user"))?,
            None => client
                .query_opt(
                    "SELECT id, role FROM auth.users WHERE role = 'admin' AND NOT disabled
                     ORDER BY created_at LIMIT 1",
                    &[],
                )
                .await
                .map_err(|e| e.to_string())?
                .ok_or("this database has no admin: create one with `gathering users create --role admin`, or name a user with --as")?,
        };
    let role: String = row.get(1);
    let role: gathering::auth::model::Role =
        role.parse().map_err(|_| format!("unknown role {role}"))?;
    if role < gathering::auth::model::Role::Member {
        return Err("--as: a viewer may not run pipelines".into());
    }
    Ok((row.get(0), role))
}

/// `pipeline validate FILE`.
fn validate_pipeline(args: &ValidateArgs) -> CliResult {
    let text =
        std::fs::read_to_string(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let doc: serde_json::Value = match serde_json::from_str(&text) {
        Ok(doc) => doc,
        Err(e) => {
            eprintln!(
                "{}:{}:{}: not JSON: {e}",
                args.file.display(),
                e.line(),
                e.column()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    match gathering::orchestration::pipeline::validate(&doc) {
        Ok(p) => {
            println!(
                "{}: valid ({} nodes, {} edges)",
                args.file.display(),
                p.nodes.len(),
                p.edges.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            for p in &problems.listed {
                let mut place = Vec::new();
                if let Some(node) = &p.node_id {
                    place.push(format!("node {node}"));
                }
                if let Some(edge) = &p.edge_id {
                    place.push(format!("edge {edge}"));
                }
                if let Some(path) = &p.path {
                    place.push(path.clone());
                }
                println!("{:17} {}: {}", p.code, place.join(" "), p.message);
            }
            if problems.omitted > 0 {
                println!("... and {} more", problems.omitted);
            }
            eprintln!("{}: {} problem(s)", args.file.display(), problems.total());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `personas import DIR`.
async fn import_personas(args: ImportArgs, config: Config) -> CliResult {
    if !args.dir.is_dir() {
        return Err(format!("{}: not a directory", args.dir.display()).into());
    }
    let maintenance = gathering::maintenance::Maintenance::open(&config).await?;
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

/// `models check`: the local models, loaded through the server's engines, on known inputs.
async fn models_check(config: Config) -> CliResult {
    use gathering::llm::local::{Device, LocalModels, LocalSettings, check};
    let (device, why) = Device::choose(&config.models.device);
    println!(
        "local models in {} on {} ({why})",
        config.models.dir.display(),
        device.describe()
    );
    let models = LocalModels::new(LocalSettings {
        dir: config.models.dir.clone(),
        device,
        max_batch: config.models.max_batch,
        default_max_tokens: config.models.default_max_tokens,
    });
    let results = check::check(&models).await;
    for r in &results {
        let mark = if r.passed { "PASS" } else { "FAIL" };
        println!("{mark}  {:<50} {:>7} ms  {}", r.name, r.millis, r.detail);
    }
    let failed = results.iter().filter(|r| !r.passed).count();
    if failed == 0 {
        println!("all {} checks passed", results.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{failed} of {} checks failed", results.len());
        Ok(ExitCode::FAILURE)
    }
}

/// The default benchmark sentences: 64 varied, deterministic ones.
fn bench_sentences() -> Vec<String> {
    let subjects = [
        "The engineer",
        "A small team",
        "Our scheduler",
        "The new agent",
        "Every pipeline",
        "The reviewer",
        "A curious student",
        "The database",
    ];
    let verbs = [
        "quietly rewrote",
        "carefully measured",
        "reported on",
        "was asked about",
        "spent the morning on",
        "could not explain",
    ];
    let objects = [
        "the failing test in the payment service",
        "a cron job that fired twice after midnight",
        "the latency of vector search under load",
        "why the cache grew without bound",
        "a design for multi-agent conversations",
        "the cost of running local models on a laptop",
        "an outage caused by an expired certificate",
        "how embeddings capture the meaning of sentences",
    ];
    (0..64)
        .map(|i| {
            format!(
                "{} {} {}.",
                subjects[i % 8],
                verbs[(i / 8 + i) % 6],
                objects[(i * 5 + 3) % 8]
            )
        })
        .collect()
}

const BENCH_PROMPT: &str = "You are reviewing a pull request that changes how a scheduler claims jobs \
    across several server instances. The old code released its database lock before running the \
    job, so two instances could run the same occurrence. The new code holds an advisory lock for \
    the whole execution and records each run with a unique key on the schedule and the time it \
    was due. Explain, in a few short paragraphs, what could still go wrong, how you would test \
    it, and which metrics you would watch after deploying it.";

/// `models bench`: throughput of the local models on the CPU backend.
async fn models_bench(args: BenchArgs, config: Config) -> CliResult {
    let sentences = match &args.sentences {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("--sentences {}: {e}", path.display()))?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        None => bench_sentences(),
    };
    let prompt = match &args.prompt {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("--prompt {}: {e}", path.display()))?,
        None => BENCH_PROMPT.to_owned(),
    };
    if sentences.is_empty() {
        return Err("--sentences: the file has no sentences".into());
    }
    let dir = config.models.dir.clone();
    let which = args.which.clone();
    let report = tokio::task::spawn_blocking(move || {
        gathering::llm::local::check::bench(
            &dir,
            &sentences,
            prompt.trim(),
            args.decode,
            args.batch,
            &which,
            args.repeats,
        )
    })
    .await??;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("device: {} ({} threads)", report.device, report.threads);
    if args.which != "chat" {
        println!(
            "embeddings (all-minilm-l6-v2): loaded in {} ms",
            report.embed_load_ms
        );
        println!("  batch 1:  {:>8.1} sentences/s", report.embed_batch1_per_s);
        println!(
            "  batch 32: {:>8.1} sentences/s",
            report.embed_batch32_per_s
        );
    }
    if args.which != "embeddings" {
        println!(
            "chat (smollm2-135m-instruct): loaded in {} ms",
            report.chat_load_ms
        );
        println!(
            "  prompt:   {:>8.1} tokens/s ({} tokens)",
            report.prompt_tokens_per_s, report.prompt_tokens
        );
        println!(
            "  decode:   {:>8.1} tokens/s ({} tokens, one conversation)",
            report.decode_tokens_per_s, report.decode_tokens
        );
        if report.batched_sequences > 1 {
            println!(
                "  decode:   {:>8.1} tokens/s ({} conversations sharing each step)",
                report.batched_decode_tokens_per_s, report.batched_sequences
            );
        }
    }
    println!("peak memory: {:.0} MiB", report.peak_rss_mib);
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

fn print_openapi() -> CliResult {
    let document = gathering::api::openapi::document();
    println!("{}", serde_json::to_string_pretty(&document)?);
    Ok(ExitCode::SUCCESS)
}
