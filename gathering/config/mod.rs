//! Configuration: defaults in code, overridden in turn by an optional TOML file, environment
//! variables and command-line flags. Invalid values fail at start with a message naming the
//! setting; secrets (the database URL) are wrapped so they never print.
//!
//! Each module owns its settings: a type with its defaults, its keys (unknown ones refused) and
//! its `validate()` (`events::Settings`, `orchestration::pipeline::EngineSettings`, ...). This
//! module only lays the layers over each other: it reads the file (`file.rs`, a mistake is
//! reported with its line), lays the environment over it through the one table of variables in
//! `env.rs`, deserialises [`Config`] (one field per section, typed as the module's settings),
//! applies the flags, validates each section and hands each module its part. A new setting is a
//! field (doc, default, range) in its module's settings type; nothing here changes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, de::Error as _};

use crate::agents::AgentSettings;
use crate::api::{HttpSettings, RateLimitSettings};
use crate::core::settings::{self as de, Invalid};
use crate::orchestration::pipeline::EngineSettings;
use crate::orchestration::scheduler::SchedulerSettings;
use crate::telemetry::LogFormat;
use crate::tools::ToolSettings;

mod env;
mod file;

/// Where the process runs; decides the log format and a few defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Production logs JSON lines; development readable ones.
impl From<Environment> for LogFormat {
    fn from(env: Environment) -> Self {
        match env {
            Environment::Production => Self::Json,
            Environment::Development => Self::Text,
        }
    }
}

/// The whole, validated configuration of one server process: the process's own settings, then
/// one section per module, typed as that module's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server binds (`GATHERING_ADDR`, `--addr`).
    #[serde(deserialize_with = "socket_addr")]
    pub addr: SocketAddr,
    /// Directory of the embedded PostgreSQL cluster (`GATHERING_DATA_DIR`, `--data-dir`).
    pub data_dir: PathBuf,
    /// Directory holding the unpacked PostgreSQL binaries (`GATHERING_PG_DIR`).
    pub pg_dir: PathBuf,
    /// External database; when `None` the embedded cluster is used (`DATABASE_URL`).
    pub database_url: Option<SecretString>,
    /// `GATHERING_ENV`.
    #[serde(deserialize_with = "de::from_str")]
    pub env: Environment,
    /// `tracing` filter directives (`log` in the file, `RUST_LOG`).
    #[serde(rename = "log")]
    pub log_filter: String,
    pub http: HttpSettings,
    pub db: crate::db::Settings,
    pub auth: crate::auth::Settings,
    pub rate_limits: RateLimitSettings,
    pub events: crate::events::Settings,
    pub models: crate::llm::settings::Settings,
    pub agents: AgentSettings,
    pub tools: ToolSettings,
    pub pipelines: EngineSettings,
    pub scheduler: SchedulerSettings,
    pub memory: crate::memory::MemorySettings,
    pub circles: crate::circles::CirclesSettings,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            data_dir: PathBuf::from(".gathering/data"),
            pg_dir: PathBuf::from(".gathering/pginstall"),
            database_url: None,
            env: Environment::Development,
            log_filter: "info,tokio_postgres=warn".to_owned(),
            http: HttpSettings::default(),
            db: crate::db::Settings::default(),
            auth: crate::auth::Settings::default(),
            rate_limits: RateLimitSettings::default(),
            events: crate::events::Settings::default(),
            models: crate::llm::settings::Settings::default(),
            agents: AgentSettings::default(),
            tools: ToolSettings::default(),
            pipelines: EngineSettings::default(),
            scheduler: SchedulerSettings::default(),
            memory: crate::memory::MemorySettings::default(),
            circles: crate::circles::CirclesSettings::default(),
        }
    }
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

impl From<Invalid> for ConfigError {
    fn from(e: Invalid) -> Self {
        Self::Invalid {
            setting: e.setting,
            message: e.message,
        }
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

impl Config {
    /// Loads the configuration from all layers: defaults < file < environment < flags.
    pub fn load(env: &impl EnvSource, overrides: &Overrides) -> Result<Self, ConfigError> {
        let tree = match (&overrides.config_file, env.var("GATHERING_CONFIG")) {
            (Some(path), _) => file::read(path)?,
            (None, Some(path)) => file::read(Path::new(&path))?,
            (None, None) if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                file::read(Path::new(DEFAULT_CONFIG_FILE))?
            }
            (None, None) => toml::Table::new(),
        };
        let mut config: Self = env::deserialize(&tree, &env::read(env)?)?;
        // The first admin comes from the environment only, never from a file.
        config.auth.admin_email = env.var("GATHERING_ADMIN_EMAIL");
        config.auth.admin_password = env.var("GATHERING_ADMIN_PASSWORD").map(SecretString::from);
        if let Some(addr) = overrides.addr {
            config.addr = addr;
        }
        if let Some(dir) = &overrides.data_dir {
            config.data_dir = dir.clone();
        }
        config.validate()?;
        Ok(config)
    }

    /// The process's own settings, then each module's.
    fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.database_url {
            url.expose_secret()
                .parse::<tokio_postgres::Config>()
                .map_err(|e| {
                    Invalid::new(
                        "DATABASE_URL",
                        format!("not a PostgreSQL connection string ({e})"),
                    )
                })?;
        }
        tracing_subscriber::EnvFilter::try_new(&self.log_filter)
            .map_err(|e| Invalid::new("RUST_LOG", e.to_string()))?;
        self.models.validate()?;
        self.agents.validate()?;
        self.pipelines.validate()?;
        self.scheduler.validate()?;
        self.tools.validate()?;
        self.http.validate()?;
        self.auth.validate()?;
        self.db.validate()?;
        self.events.validate()?;
        self.memory.validate()?;
        self.circles.validate()?;
        Ok(())
    }

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

/// `addr`: an address like 127.0.0.1:8000.
fn socket_addr<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let value = String::deserialize(d)?;
    value
        .trim()
        .parse()
        .map_err(|_| D::Error::custom(format!("`{value}` is not an address like 127.0.0.1:8000")))
}

#[cfg(test)]
mod tests;
