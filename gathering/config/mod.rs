//! Configuration: defaults in code, overridden in turn by an optional TOML file, environment
//! variables and command-line flags. Invalid values fail at start with a message naming the
//! setting; secrets (the database URL) are wrapped so they never print.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

mod file;
use file::{FileConfig, read_file};

/// Where the process runs; decides the log format and a few defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

impl std::str::FromStr for Environment {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => Ok(Self::Development),
            "production" | "prod" => Ok(Self::Production),
            other => Err(format!(
                "expected `development` or `production`, got `{other}`"
            )),
        }
    }
}

/// The whole, validated configuration of one server process.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP server binds (`GATHERING_ADDR`, `--addr`).
    pub addr: SocketAddr,
    /// Directory of the embedded PostgreSQL cluster (`GATHERING_DATA_DIR`, `--data-dir`).
    pub data_dir: PathBuf,
    /// Directory holding the unpacked PostgreSQL binaries (`GATHERING_PG_DIR`).
    pub pg_dir: PathBuf,
    /// External database; when `None` the embedded cluster is used (`DATABASE_URL`).
    pub database_url: Option<SecretString>,
    pub env: Environment,
    /// `tracing` filter directives (`RUST_LOG`).
    pub log_filter: String,
    pub http: HttpConfig,
    pub db: DbConfig,
    pub auth: AuthConfig,
    pub rate_limits: RateLimitConfig,
    pub events: EventsConfig,
    pub models: ModelsConfig,
    pub agents: AgentsConfig,
    pub tools: ToolsConfig,
    pub pipelines: PipelinesConfig,
    pub scheduler: SchedulerConfig,
}

/// The scheduler (`[scheduler]`).
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// Whether this instance fires and executes schedules (the API works either way).
    pub enabled: bool,
    /// How long a claim on an execution holds without a heartbeat (renewed every third of it);
    /// an execution whose instance died is taken over this long after its last heartbeat.
    pub lease: Duration,
    /// The longest an idle scheduler sleeps before looking at the database again.
    pub poll_interval: Duration,
    /// How late an occurrence may fire and still be on time; older ones were missed.
    pub misfire_grace: Duration,
    /// Executions at once on this instance (each holds a database connection throughout).
    pub max_concurrent: usize,
}

/// The pipeline engine (`[pipelines]`).
#[derive(Debug, Clone)]
pub struct PipelinesConfig {
    /// How long a claim on a run holds without a heartbeat; an instance that stops is replaced
    /// this long after its last heartbeat (renewed every third of it).
    pub lease: Duration,
    /// How often an idle engine looks for runs to take (other instances' runs, expired claims);
    /// runs created anywhere wake it at once through the event relay.
    pub poll_interval: Duration,
    /// Runs one instance executes at once.
    pub max_concurrent_runs: usize,
    /// How long a cancelled node may take to stop on its own before it is aborted.
    pub cancel_grace: Duration,
}

/// Agents and personas (`[agents]`).
#[derive(Debug, Clone)]
pub struct AgentsConfig {
    /// Persona files imported at first start (`GATHERING_PERSONAS_DIR`).
    pub personas_dir: PathBuf,
    /// The chat model of agents whose persona names none.
    pub default_model: String,
    /// Turns one agent runs at once on this instance; more wait in its queue.
    pub max_concurrent_turns: usize,
    /// Turns that may wait for one agent; past this, 429 `agent_busy`.
    pub max_queued_turns: usize,
}

/// The built-in tools (`[tools]`).
#[derive(Debug, Clone)]
pub struct ToolsConfig {
    /// Whether the HTTP tool may reach private and loopback addresses
    /// (`GATHERING_HTTP_ALLOW_PRIVATE`).
    pub http_allow_private: bool,
    /// The most bytes of a response body the HTTP tool reads.
    pub http_max_response_bytes: usize,
    /// Per-request limit of the HTTP tool.
    pub http_timeout: Duration,
}

/// Language models (`[models]`): the local ones and the clients of hosted providers.
#[derive(Debug, Clone)]
pub struct ModelsConfig {
    /// Where the bootstrap unpacked the local models (`GATHERING_MODELS_DIR`).
    pub dir: PathBuf,
    /// `auto` (CUDA when built for it and present, else CPU), `cpu` or `cuda`
    /// (`GATHERING_DEVICE`).
    pub device: String,
    /// Load the local models at start instead of on first use.
    pub preload: bool,
    /// Conversations the local chat model decodes together in one forward pass.
    pub max_batch: usize,
    /// Tokens a local answer may have when the request sets no `max_tokens`.
    pub default_max_tokens: usize,
    /// Per attempt, until a hosted provider's response headers arrive.
    pub provider_timeout: Duration,
    /// Retries of a hosted call on 429, 5xx and connection errors.
    pub provider_retries: usize,
}

/// The event bus and its outbox (`[events]`).
#[derive(Debug, Clone, Copy)]
pub struct EventsConfig {
    /// Events one subscriber may have queued before it is told it lagged.
    pub queue_capacity: usize,
    /// Event handlers running at once.
    pub handler_concurrency: usize,
    /// Identical ephemeral events within this window are published once (`dedup_window_ms`,
    /// 0 = off).
    pub dedup_window: Option<Duration>,
    /// Outbox events older than this are deleted (`retention_days`).
    pub retention: Duration,
    /// At most this many outbox events are kept (`retention_max_events`).
    pub retention_max_events: i64,
    /// How often a WebSocket is pinged and its credential checked again
    /// (`ws_ping_interval_secs`).
    pub ws_ping_interval: Duration,
    /// A WebSocket silent this long is closed (`ws_idle_timeout_secs`).
    pub ws_idle_timeout: Duration,
}

/// Requests per minute allowed per client in each tier (`[rate_limits]`); 0 turns a tier off.
/// A client is its user when signed in (or its API key) and its address otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Sign-in, refresh and registration, plus requests whose credentials fail, per address.
    pub auth_per_minute: u32,
    /// Requests that change something (POST, PUT, PATCH, DELETE).
    pub write_per_minute: u32,
    /// Reads (GET, HEAD).
    pub read_per_minute: u32,
    /// `/health/*` and `/metrics`.
    pub health_per_minute: u32,
}

/// Identity settings.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// bcrypt work factor (4..=31; 12 by default).
    pub bcrypt_cost: u32,
    /// Token-signing secret (`GATHERING_JWT_SECRET`, at least 32 bytes); generated and kept in
    /// the database when unset.
    pub jwt_secret: Option<SecretString>,
    /// First admin, created once on a database without one (`GATHERING_ADMIN_EMAIL`).
    pub admin_email: Option<String>,
    /// `GATHERING_ADMIN_PASSWORD`.
    pub admin_password: Option<SecretString>,
    /// Failed logins for one email allowed before the backoff starts.
    pub login_backoff_after: u32,
    /// The first backoff delay; it doubles with each further failure.
    pub login_backoff_base: Duration,
    /// The longest backoff delay.
    pub login_backoff_max: Duration,
    /// Whether anyone may create an account (`POST /api/auth/register`); off by default.
    pub self_registration: bool,
    /// The role self-registered users get.
    pub self_registration_role: crate::auth::model::Role,
    /// Production refuses open registration unless this confirms it.
    pub confirm_open_registration: bool,
    /// Browser-session cookies always carry `Secure` (`GATHERING_SECURE_COOKIES`); otherwise
    /// only when the request came over HTTPS (its scheme, or a trusted proxy's
    /// `X-Forwarded-Proto`).
    pub secure_cookies: bool,
}

/// HTTP-layer limits.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    /// Origins allowed by CORS; empty means same-origin only (no CORS headers), `*` any
    /// origin (refused in production).
    pub cors_origins: Vec<String>,
    /// How long shutdown waits for in-flight requests before cutting them off.
    pub shutdown_grace: Duration,
    /// Proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is believed when finding a
    /// client's address.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Whether `/metrics` answers without credentials (for a scraper on a private network).
    pub metrics_public: bool,
    /// Serve the dashboard from this directory (a Vite `dist/`) instead of the copy embedded
    /// in the binary (`GATHERING_DASHBOARD_DIR`): for dashboard development and tests.
    pub dashboard_dir: Option<PathBuf>,
}

/// Connection-pool settings.
#[derive(Debug, Clone)]
pub struct DbConfig {
    pub max_connections: usize,
    pub connect_timeout: Duration,
}

/// A configuration problem; the message always names the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid {setting}: {message}")]
    Invalid { setting: String, message: String },
    #[error("refusing to start in production: {0}")]
    Production(String),
}

fn invalid(setting: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting: setting.to_owned(),
        message: message.into(),
    }
}

/// Command-line overrides, the strongest layer.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub addr: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
}

/// The environment variables read, as a lookup so tests can pass their own.
pub trait EnvSource {
    fn var(&self, key: &str) -> Option<String>;
}

/// The real process environment.
#[derive(Debug, Clone, Copy)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, key: &str) -> Option<String> {
        std::env::var(key).ok().filter(|v| !v.is_empty())
    }
}

impl<const N: usize> EnvSource for [(&str, &str); N] {
    fn var(&self, key: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    }
}

/// The file read when neither `--config` nor `GATHERING_CONFIG` names one, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "gathering.toml";

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            data_dir: PathBuf::from(".gathering/data"),
            pg_dir: PathBuf::from(".gathering/pginstall"),
            database_url: None,
            env: Environment::Development,
            log_filter: "info,tokio_postgres=warn".to_owned(),
            http: HttpConfig {
                body_limit_bytes: 2 * 1024 * 1024,
                request_timeout: Duration::from_secs(30),
                cors_origins: Vec::new(),
                shutdown_grace: Duration::from_secs(5),
                trusted_proxies: Vec::new(),
                metrics_public: true,
                dashboard_dir: None,
            },
            db: DbConfig {
                max_connections: 16,
                connect_timeout: Duration::from_secs(5),
            },
            auth: AuthConfig {
                access_ttl: Duration::from_secs(15 * 60),
                refresh_ttl: Duration::from_secs(30 * 24 * 3600),
                bcrypt_cost: 12,
                jwt_secret: None,
                admin_email: None,
                admin_password: None,
                login_backoff_after: 5,
                login_backoff_base: Duration::from_secs(1),
                login_backoff_max: Duration::from_secs(15 * 60),
                self_registration: false,
                self_registration_role: crate::auth::model::Role::Viewer,
                confirm_open_registration: false,
                secure_cookies: false,
            },
            rate_limits: RateLimitConfig {
                auth_per_minute: 30,
                write_per_minute: 300,
                read_per_minute: 1200,
                health_per_minute: 1200,
            },
            events: EventsConfig {
                queue_capacity: 1024,
                handler_concurrency: 16,
                dedup_window: None,
                retention: Duration::from_secs(7 * 24 * 3600),
                retention_max_events: 1_000_000,
                ws_ping_interval: Duration::from_secs(20),
                ws_idle_timeout: Duration::from_secs(60),
            },
            models: ModelsConfig {
                dir: PathBuf::from(".gathering/models"),
                device: "auto".into(),
                preload: false,
                max_batch: 8,
                default_max_tokens: 512,
                provider_timeout: Duration::from_secs(120),
                provider_retries: 3,
            },
            agents: AgentsConfig {
                personas_dir: PathBuf::from("personas"),
                default_model: "smollm2-135m-instruct".into(),
                max_concurrent_turns: 4,
                max_queued_turns: 32,
            },
            tools: ToolsConfig {
                http_allow_private: false,
                http_max_response_bytes: 256 * 1024,
                http_timeout: Duration::from_secs(20),
            },
            pipelines: PipelinesConfig {
                lease: Duration::from_secs(30),
                poll_interval: Duration::from_millis(1000),
                max_concurrent_runs: 64,
                cancel_grace: Duration::from_secs(5),
            },
            scheduler: SchedulerConfig {
                enabled: true,
                lease: Duration::from_secs(30),
                poll_interval: Duration::from_millis(1000),
                misfire_grace: Duration::from_secs(5),
                max_concurrent: 8,
            },
        }
    }
}

impl Config {
    /// Loads the configuration from all layers: defaults < file < environment < flags.
    pub fn load(env: &impl EnvSource, overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        let file = match (&overrides.config_file, env.var("GATHERING_CONFIG")) {
            (Some(path), _) => Some(read_file(path)?),
            (None, Some(path)) => Some(read_file(Path::new(&path))?),
            (None, None) if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                Some(read_file(Path::new(DEFAULT_CONFIG_FILE))?)
            }
            (None, None) => None,
        };
        if let Some(file) = file {
            config.apply_file(file)?;
        }
        config.apply_env(env)?;
        if let Some(addr) = overrides.addr {
            config.addr = addr;
        }
        if let Some(dir) = &overrides.data_dir {
            config.data_dir = dir.clone();
        }
        config.validate()?;
        Ok(config)
    }

    fn apply_file(&mut self, file: FileConfig) -> Result<(), ConfigError> {
        if let Some(addr) = file.addr {
            self.addr = parse_addr("addr", &addr)?;
        }
        set(&mut self.data_dir, file.data_dir);
        set(&mut self.pg_dir, file.pg_dir);
        if file.database_url.is_some() {
            self.database_url = file.database_url;
        }
        set(&mut self.env, file.env);
        set(&mut self.log_filter, file.log);
        set(&mut self.http.body_limit_bytes, file.http.body_limit_bytes);
        set(
            &mut self.http.request_timeout,
            file.http.request_timeout_secs.map(Duration::from_secs),
        );
        set(&mut self.http.cors_origins, file.http.cors_origins);
        set(
            &mut self.http.shutdown_grace,
            file.http.shutdown_grace_secs.map(Duration::from_secs),
        );
        if let Some(proxies) = file.http.trusted_proxies {
            self.http.trusted_proxies = proxies
                .iter()
                .map(|p| parse_proxy("http.trusted_proxies", p))
                .collect::<Result<_, _>>()?;
        }
        set(&mut self.http.metrics_public, file.http.metrics_public);
        if file.http.dashboard_dir.is_some() {
            self.http.dashboard_dir = file.http.dashboard_dir;
        }
        let limits = &mut self.rate_limits;
        set(
            &mut limits.auth_per_minute,
            file.rate_limits.auth_per_minute,
        );
        set(
            &mut limits.write_per_minute,
            file.rate_limits.write_per_minute,
        );
        set(
            &mut limits.read_per_minute,
            file.rate_limits.read_per_minute,
        );
        set(
            &mut limits.health_per_minute,
            file.rate_limits.health_per_minute,
        );
        let events = &mut self.events;
        set(&mut events.queue_capacity, file.events.queue_capacity);
        set(
            &mut events.handler_concurrency,
            file.events.handler_concurrency,
        );
        if let Some(ms) = file.events.dedup_window_ms {
            events.dedup_window = (ms > 0).then(|| Duration::from_millis(ms));
        }
        set(
            &mut events.retention,
            file.events
                .retention_days
                .map(|d| Duration::from_secs(d * 24 * 3600)),
        );
        set(
            &mut events.retention_max_events,
            file.events.retention_max_events,
        );
        set(
            &mut events.ws_ping_interval,
            file.events.ws_ping_interval_secs.map(Duration::from_secs),
        );
        set(
            &mut events.ws_idle_timeout,
            file.events.ws_idle_timeout_secs.map(Duration::from_secs),
        );
        let models = &mut self.models;
        set(&mut models.dir, file.models.dir);
        set(&mut models.device, file.models.device);
        set(&mut models.preload, file.models.preload);
        set(&mut models.max_batch, file.models.max_batch);
        set(
            &mut models.default_max_tokens,
            file.models.default_max_tokens,
        );
        set(
            &mut models.provider_timeout,
            file.models.provider_timeout_secs.map(Duration::from_secs),
        );
        set(&mut models.provider_retries, file.models.provider_retries);
        let agents = &mut self.agents;
        set(&mut agents.personas_dir, file.agents.personas_dir);
        set(&mut agents.default_model, file.agents.default_model);
        set(
            &mut agents.max_concurrent_turns,
            file.agents.max_concurrent_turns,
        );
        set(&mut agents.max_queued_turns, file.agents.max_queued_turns);
        let pipelines = &mut self.pipelines;
        set(
            &mut pipelines.lease,
            file.pipelines
                .lease_secs
                .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
                .map(Duration::from_secs_f64),
        );
        if file
            .pipelines
            .lease_secs
            .is_some_and(|s| !(s > 0.0 && s <= 3600.0))
        {
            invalid_err(
                "pipelines.lease_secs",
                "must be more than 0 and at most 3600",
            )?;
        }
        set(
            &mut pipelines.poll_interval,
            file.pipelines.poll_interval_ms.map(Duration::from_millis),
        );
        set(
            &mut pipelines.max_concurrent_runs,
            file.pipelines.max_concurrent_runs,
        );
        if file
            .pipelines
            .cancel_grace_secs
            .is_some_and(|s| !(0.0..=600.0).contains(&s))
        {
            invalid_err("pipelines.cancel_grace_secs", "must be 0 to 600")?;
        }
        set(
            &mut pipelines.cancel_grace,
            file.pipelines
                .cancel_grace_secs
                .map(Duration::from_secs_f64),
        );
        let scheduler = &mut self.scheduler;
        let f = &file.scheduler;
        set(&mut scheduler.enabled, f.enabled);
        if f.lease_secs.is_some_and(|s| !(s > 0.0 && s <= 3600.0)) {
            invalid_err(
                "scheduler.lease_secs",
                "must be more than 0 and at most 3600",
            )?;
        }
        set(
            &mut scheduler.lease,
            f.lease_secs.map(Duration::from_secs_f64),
        );
        set(
            &mut scheduler.poll_interval,
            f.poll_interval_ms.map(Duration::from_millis),
        );
        if f.misfire_grace_secs
            .is_some_and(|s| !(0.0..=86_400.0).contains(&s))
        {
            invalid_err("scheduler.misfire_grace_secs", "must be 0 to 86400")?;
        }
        set(
            &mut scheduler.misfire_grace,
            f.misfire_grace_secs.map(Duration::from_secs_f64),
        );
        set(&mut scheduler.max_concurrent, f.max_concurrent);
        let tools = &mut self.tools;
        set(&mut tools.http_allow_private, file.tools.http_allow_private);
        set(
            &mut tools.http_max_response_bytes,
            file.tools.http_max_response_bytes,
        );
        set(
            &mut tools.http_timeout,
            file.tools.http_timeout_secs.map(Duration::from_secs),
        );
        let auth = &mut self.auth;
        set(&mut auth.login_backoff_after, file.auth.login_backoff_after);
        set(
            &mut auth.login_backoff_base,
            file.auth.login_backoff_base_secs.map(Duration::from_secs),
        );
        set(
            &mut auth.login_backoff_max,
            file.auth.login_backoff_max_secs.map(Duration::from_secs),
        );
        set(&mut auth.self_registration, file.auth.self_registration);
        if let Some(role) = file.auth.self_registration_role {
            auth.self_registration_role = role
                .parse()
                .map_err(|e| invalid("auth.self_registration_role", e))?;
        }
        set(
            &mut auth.confirm_open_registration,
            file.auth.confirm_open_registration,
        );
        set(&mut auth.secure_cookies, file.auth.secure_cookies);
        set(
            &mut self.auth.access_ttl,
            file.auth.access_ttl_secs.map(Duration::from_secs),
        );
        set(
            &mut self.auth.refresh_ttl,
            file.auth.refresh_ttl_secs.map(Duration::from_secs),
        );
        set(&mut self.auth.bcrypt_cost, file.auth.bcrypt_cost);
        if file.auth.jwt_secret.is_some() {
            self.auth.jwt_secret = file.auth.jwt_secret;
        }
        set(&mut self.db.max_connections, file.db.max_connections);
        set(
            &mut self.db.connect_timeout,
            file.db.connect_timeout_secs.map(Duration::from_secs),
        );
        Ok(())
    }

    fn apply_env(&mut self, env: &impl EnvSource) -> Result<(), ConfigError> {
        if let Some(addr) = env.var("GATHERING_ADDR") {
            self.addr = parse_addr("GATHERING_ADDR", &addr)?;
        }
        if let Some(dir) = env.var("GATHERING_DATA_DIR") {
            self.data_dir = PathBuf::from(dir);
        }
        if let Some(dir) = env.var("GATHERING_PG_DIR") {
            self.pg_dir = PathBuf::from(dir);
        }
        if let Some(dir) = env.var("GATHERING_MODELS_DIR") {
            self.models.dir = PathBuf::from(dir);
        }
        if let Some(device) = env.var("GATHERING_DEVICE") {
            self.models.device = device;
        }
        if let Some(dir) = env.var("GATHERING_PERSONAS_DIR") {
            self.agents.personas_dir = PathBuf::from(dir);
        }
        if let Some(value) = env.var("GATHERING_HTTP_ALLOW_PRIVATE") {
            self.tools.http_allow_private = parse_bool("GATHERING_HTTP_ALLOW_PRIVATE", &value)?;
        }
        if let Some(url) = env.var("DATABASE_URL") {
            self.database_url = Some(SecretString::from(url));
        }
        if let Some(value) = env.var("GATHERING_ENV") {
            self.env = value.parse().map_err(|e| invalid("GATHERING_ENV", e))?;
        }
        if let Some(filter) = env.var("RUST_LOG") {
            self.log_filter = filter;
        }
        if let Some(origins) = env.var("GATHERING_CORS_ORIGINS") {
            self.http.cors_origins = origins
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(proxies) = env.var("GATHERING_TRUSTED_PROXIES") {
            self.http.trusted_proxies = proxies
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| parse_proxy("GATHERING_TRUSTED_PROXIES", p))
                .collect::<Result<_, _>>()?;
        }
        if let Some(dir) = env.var("GATHERING_DASHBOARD_DIR") {
            self.http.dashboard_dir = Some(PathBuf::from(dir));
        }
        if let Some(value) = env.var("GATHERING_SECURE_COOKIES") {
            self.auth.secure_cookies = parse_bool("GATHERING_SECURE_COOKIES", &value)?;
        }
        if let Some(value) = env.var("GATHERING_METRICS_PUBLIC") {
            self.http.metrics_public = parse_bool("GATHERING_METRICS_PUBLIC", &value)?;
        }
        if let Some(value) = env.var("GATHERING_SELF_REGISTRATION") {
            self.auth.self_registration = parse_bool("GATHERING_SELF_REGISTRATION", &value)?;
        }
        if let Some(value) = env.var("GATHERING_CONFIRM_OPEN_REGISTRATION") {
            self.auth.confirm_open_registration =
                parse_bool("GATHERING_CONFIRM_OPEN_REGISTRATION", &value)?;
        }
        if let Some(secret) = env.var("GATHERING_JWT_SECRET") {
            self.auth.jwt_secret = Some(SecretString::from(secret));
        }
        self.auth.admin_email = env.var("GATHERING_ADMIN_EMAIL");
        self.auth.admin_password = env.var("GATHERING_ADMIN_PASSWORD").map(SecretString::from);
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !["auto", "cpu", "cuda"].contains(&self.models.device.as_str()) {
            invalid_err("models.device", "must be auto, cpu or cuda")?;
        }
        if !(1..=64).contains(&self.models.max_batch) {
            invalid_err("models.max_batch", "must be between 1 and 64")?;
        }
        if self.models.default_max_tokens == 0 {
            invalid_err("models.default_max_tokens", "must be greater than 0")?;
        }
        if !(1..=256).contains(&self.agents.max_concurrent_turns) {
            invalid_err("agents.max_concurrent_turns", "must be between 1 and 256")?;
        }
        if self.agents.max_queued_turns > 10_000 {
            invalid_err("agents.max_queued_turns", "must be at most 10000")?;
        }
        if !(1..=10_000).contains(&self.pipelines.max_concurrent_runs) {
            invalid_err(
                "pipelines.max_concurrent_runs",
                "must be between 1 and 10000",
            )?;
        }
        if !(10..=600_000).contains(&(self.pipelines.poll_interval.as_millis() as u64)) {
            invalid_err(
                "pipelines.poll_interval_ms",
                "must be between 10 and 600000",
            )?;
        }
        if !(1..=1000).contains(&self.scheduler.max_concurrent) {
            invalid_err("scheduler.max_concurrent", "must be between 1 and 1000")?;
        }
        if !(10..=600_000).contains(&(self.scheduler.poll_interval.as_millis() as u64)) {
            invalid_err(
                "scheduler.poll_interval_ms",
                "must be between 10 and 600000",
            )?;
        }
        if self.tools.http_timeout.is_zero() {
            invalid_err("tools.http_timeout_secs", "must be greater than 0")?;
        }
        if self.tools.http_max_response_bytes == 0 {
            invalid_err("tools.http_max_response_bytes", "must be greater than 0")?;
        }
        if self.models.provider_timeout.is_zero() {
            invalid_err("models.provider_timeout_secs", "must be greater than 0")?;
        }
        if let Some(url) = &self.database_url {
            url.expose_secret()
                .parse::<tokio_postgres::Config>()
                .map_err(|e| {
                    invalid(
                        "DATABASE_URL",
                        format!("not a PostgreSQL connection string ({e})"),
                    )
                })?;
        }
        tracing_subscriber::EnvFilter::try_new(&self.log_filter)
            .map_err(|e| invalid("RUST_LOG", e.to_string()))?;
        if self.http.body_limit_bytes == 0 {
            invalid_err("http.body_limit_bytes", "must be greater than 0")?;
        }
        if let Some(dir) = &self.http.dashboard_dir
            && !dir.is_dir()
        {
            invalid_err(
                "http.dashboard_dir",
                format!("{} is not a directory", dir.display()),
            )?;
        }
        if self.http.request_timeout.is_zero() {
            invalid_err("http.request_timeout_secs", "must be greater than 0")?;
        }
        if !(4..=31).contains(&self.auth.bcrypt_cost) {
            invalid_err("auth.bcrypt_cost", "must be between 4 and 31")?;
        }
        if self.auth.access_ttl.is_zero() || self.auth.refresh_ttl <= self.auth.access_ttl {
            invalid_err(
                "auth.refresh_ttl_secs",
                "token lifetimes must be positive, the refresh one longer than the access one",
            )?;
        }
        if let Some(secret) = &self.auth.jwt_secret
            && secret.expose_secret().len() < crate::auth::tokens::MIN_SECRET_BYTES
        {
            invalid_err(
                "GATHERING_JWT_SECRET",
                format!(
                    "must be at least {} bytes",
                    crate::auth::tokens::MIN_SECRET_BYTES
                ),
            )?;
        }
        if self.auth.admin_email.is_some() != self.auth.admin_password.is_some() {
            invalid_err(
                "GATHERING_ADMIN_EMAIL",
                "GATHERING_ADMIN_EMAIL and GATHERING_ADMIN_PASSWORD go together",
            )?;
        }
        if self.db.max_connections == 0 {
            invalid_err("db.max_connections", "must be greater than 0")?;
        }
        if self.db.connect_timeout.is_zero() {
            invalid_err("db.connect_timeout_secs", "must be greater than 0")?;
        }
        if self.auth.login_backoff_base.is_zero()
            || self.auth.login_backoff_max < self.auth.login_backoff_base
        {
            invalid_err(
                "auth.login_backoff_max_secs",
                "backoff delays must be positive, the maximum at least the base",
            )?;
        }
        if self.events.queue_capacity == 0 || self.events.handler_concurrency == 0 {
            invalid_err(
                "events.queue_capacity",
                "events.queue_capacity and events.handler_concurrency must be greater than 0",
            )?;
        }
        if self.events.ws_ping_interval.is_zero()
            || self.events.ws_idle_timeout <= self.events.ws_ping_interval
        {
            invalid_err(
                "events.ws_idle_timeout_secs",
                "the WebSocket ping interval must be positive and the idle timeout longer",
            )?;
        }
        if self.events.retention.is_zero() || self.events.retention_max_events < 1 {
            invalid_err(
                "events.retention_days",
                "events.retention_days and events.retention_max_events must be at least 1",
            )?;
        }
        if self.http.cors_origins.iter().any(|o| o == "*") && self.http.cors_origins.len() > 1 {
            invalid_err(
                "http.cors_origins",
                "`*` allows every origin; list it alone or not at all",
            )?;
        }
        for origin in self.http.cors_origins.iter().filter(|o| *o != "*") {
            let parsed = url::Url::parse(origin).map_err(|e| {
                invalid(
                    "http.cors_origins",
                    format!("`{origin}` is not a URL ({e})"),
                )
            })?;
            // An origin is exactly scheme://host[:port]: a path or trailing slash never
            // matches a browser's Origin header.
            if !matches!(parsed.scheme(), "http" | "https")
                || parsed.origin().ascii_serialization() != *origin
            {
                invalid_err(
                    "http.cors_origins",
                    format!("`{origin}` must be an origin like https://app.example.com (no path)"),
                )?;
            }
        }
        Ok(())
    }
}

impl Config {
    /// The production start-up gate: with `GATHERING_ENV=production` the server refuses to
    /// start with a signing secret it would have to generate, with open registration that is
    /// not explicitly confirmed, or with CORS open to every origin. Each problem is one line.
    pub fn check_production(&self) -> Result<(), ConfigError> {
        if self.env != Environment::Production {
            return Ok(());
        }
        let mut problems = Vec::new();
        if self.auth.jwt_secret.is_none() {
            problems.push(format!(
                "GATHERING_JWT_SECRET is not set: production needs a secret of at least {} random \
                 bytes from the environment (e.g. `openssl rand -base64 48`), not one generated into \
                 the database",
                crate::auth::tokens::MIN_SECRET_BYTES
            ));
        }
        if self.auth.self_registration && !self.auth.confirm_open_registration {
            problems.push(
                "auth.self_registration is on: anyone could create an account; confirm it with \
                 auth.confirm_open_registration = true (GATHERING_CONFIRM_OPEN_REGISTRATION=true) \
                 or turn it off"
                    .to_owned(),
            );
        }
        if self.http.cors_origins.iter().any(|o| o == "*") {
            problems.push(
                "http.cors_origins is `*`: list the exact origins of your dashboards".to_owned(),
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Production(problems.join("; ")))
        }
    }
}

fn parse_proxy(setting: &str, value: &str) -> Result<ipnet::IpNet, ConfigError> {
    let value = value.trim();
    value
        .parse::<ipnet::IpNet>()
        .or_else(|_| value.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            invalid(
                setting,
                format!("`{value}` is not an IP address or CIDR range"),
            )
        })
}

fn parse_bool(setting: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        other => Err(invalid(
            setting,
            format!("expected true or false, got `{other}`"),
        )),
    }
}

fn invalid_err(setting: &str, message: impl Into<String>) -> Result<(), ConfigError> {
    Err(invalid(setting, message))
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

fn parse_addr(setting: &str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.trim().parse().map_err(|_| {
        invalid(
            setting,
            format!("`{value}` is not an address like 127.0.0.1:8000"),
        )
    })
}

#[cfg(test)]
mod tests;
