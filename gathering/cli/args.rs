//! The command line's grammar: every command, flag and `--help` text, as clap derives them.
//! `cli::main` parses with [`Cli`] and hands each command its own args struct.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
pub struct Cli {
    /// TOML configuration file (default: ./gathering.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// The knowledge base: documents searched by agents and people.
    #[command(subcommand)]
    Knowledge(KnowledgeCommand),
    /// Check and benchmark the local models (installed by `scripts/bootstrap models`).
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Print the OpenAPI document (the one served at /api/openapi.json) as JSON; the
    /// dashboard's API types are generated from it.
    Openapi,
}

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Load both local models as the server does, run known inputs, print pass/fail with
    /// timings; exits non-zero when a check fails.
    Check,
    /// Print throughput: embedding sentences/s (batch 1 and 32), chat prompt and decode
    /// tokens/s, batched decode tokens/s, peak memory. Threads: RAYON_NUM_THREADS.
    Bench(BenchArgs),
}

#[derive(Args)]
pub struct BenchArgs {
    /// Which model: embeddings, chat or all.
    #[arg(long, default_value = "all", value_parser = ["all", "embeddings", "chat"])]
    pub which: String,
    /// Sentences to embed, one per line (default: 64 built-in sentences).
    #[arg(long, value_name = "FILE")]
    pub sentences: Option<PathBuf>,
    /// The chat prompt's user message (default: a built-in one of about 128 tokens in ChatML).
    #[arg(long, value_name = "FILE")]
    pub prompt: Option<PathBuf>,
    /// Tokens to generate.
    #[arg(long, default_value_t = 64)]
    pub decode: usize,
    /// Conversations sharing each decode step for the batched figure.
    #[arg(long, default_value_t = 4)]
    pub batch: usize,
    /// Timed passes per figure (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum KnowledgeCommand {
    /// Upload documents to a collection on a server: each FILE, and every .md, .markdown,
    /// .txt, .html, .htm, .pdf and .csv file under each DIR (hidden ones left out), one request
    /// per file. A file already there with the same bytes is left unchanged; one of the same
    /// name with other bytes is replaced. Prints each file's outcome and a summary (ingested,
    /// replaced, unchanged, failed with the reason); exits 1 when any file failed.
    Add(KnowledgeAddArgs),
}

#[derive(Args)]
pub struct KnowledgeAddArgs {
    /// Files and directories to upload.
    #[arg(value_name = "DIR|FILE", required = true)]
    pub paths: Vec<PathBuf>,
    /// The collection (its name or id).
    #[arg(long, value_name = "NAME")]
    pub collection: String,
    /// Create the collection (yours, shared with nobody) when it does not exist.
    #[arg(long)]
    pub create: bool,
    /// The server's base URL.
    #[arg(
        long,
        env = "GATHERING_SERVER",
        default_value = "http://127.0.0.1:8000"
    )]
    pub server: String,
    /// An access token or API key of a member (never printed).
    #[arg(long, env = "GATHERING_TOKEN", hide_env_values = true)]
    pub token: String,
}

#[derive(Subcommand)]
pub enum PipelineCommand {
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
pub struct RunArgs {
    /// The pipeline file (docs/pipelines.md describes the format).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The trigger data, a JSON object.
    #[arg(long, value_name = "JSON", default_value = "{}")]
    pub input: String,
    /// The server's base URL.
    #[arg(
        long,
        env = "GATHERING_SERVER",
        default_value = "http://127.0.0.1:8000"
    )]
    pub server: String,
    /// An access token or API key of a member (never printed); not needed with --local.
    #[arg(
        long,
        env = "GATHERING_TOKEN",
        hide_env_values = true,
        required_unless_present = "local"
    )]
    pub token: Option<String>,
    /// Run without a server: start the data dir's embedded database (or DATABASE_URL's), the
    /// local models and the engine in this process, run the pipeline there, then stop. The
    /// pipeline and its run are stored as with a server.
    #[arg(long)]
    pub local: bool,
    /// With --local, the user the run acts as and the pipeline belongs to (an email); by
    /// default the oldest admin.
    #[arg(long = "as", value_name = "EMAIL", requires = "local")]
    pub as_user: Option<String>,
    #[command(flatten)]
    pub data_dir: DataDirArg,
}

#[derive(Args)]
pub struct ValidateArgs {
    /// The pipeline file (docs/pipelines.md describes the format).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Subcommand)]
pub enum PersonasCommand {
    /// Import every `*.md` file of DIR: a persona of the same name is updated (when it
    /// changed), never duplicated; a malformed file is reported with its path and line while the
    /// others still import. Exits non-zero when any file failed.
    Import(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// The directory of persona files (the shipped ones are in `personas/`).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub data_dir: DataDirArg,
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Create a user; the password is read from standard input (one line, 12+ characters).
    Create(CreateUserArgs),
}

#[derive(Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    pub email: String,
    /// admin, member or viewer.
    #[arg(long, default_value = "member")]
    pub role: String,
    /// Display name (default: the part of the email before `@`).
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub data_dir: DataDirArg,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8000 (env GATHERING_ADDR).
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<std::net::SocketAddr>,
    #[command(flatten)]
    pub data_dir: DataDirArg,
}

#[derive(Args)]
pub struct DataDirArg {
    /// Directory of the embedded PostgreSQL cluster (env GATHERING_DATA_DIR; default .gathering/data).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum DbCommand {
    /// Initialise the cluster if needed and start it in the background.
    Start(DataDirArg),
    /// Stop the cluster if it runs.
    Stop(DataDirArg),
    /// Print whether the cluster runs (exit 0) or not (exit 3).
    Status(DataDirArg),
    /// Print a connection string another instance can use as DATABASE_URL.
    Url(DataDirArg),
}
