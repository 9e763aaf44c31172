//! The configuration file's shape (every field optional, unknown keys refused) and reading it,
//! with the line of a parse error.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use secrecy::SecretString;

use super::{ConfigError, Environment};

/// The TOML file's shape. Every field is optional; unknown keys are an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) addr: Option<String>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) pg_dir: Option<PathBuf>,
    pub(super) database_url: Option<SecretString>,
    pub(super) env: Option<Environment>,
    pub(super) log: Option<String>,
    #[serde(default)]
    pub(super) http: FileHttp,
    #[serde(default)]
    pub(super) db: FileDb,
    #[serde(default)]
    pub(super) auth: FileAuth,
    #[serde(default)]
    pub(super) rate_limits: FileRateLimits,
    #[serde(default)]
    pub(super) events: FileEvents,
    #[serde(default)]
    pub(super) models: FileModels,
    #[serde(default)]
    pub(super) agents: FileAgents,
    #[serde(default)]
    pub(super) tools: FileTools,
    #[serde(default)]
    pub(super) pipelines: FilePipelines,
    #[serde(default)]
    pub(super) scheduler: FileScheduler,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileScheduler {
    pub(super) enabled: Option<bool>,
    pub(super) lease_secs: Option<f64>,
    pub(super) poll_interval_ms: Option<u64>,
    pub(super) misfire_grace_secs: Option<f64>,
    pub(super) max_concurrent: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FilePipelines {
    pub(super) lease_secs: Option<f64>,
    pub(super) poll_interval_ms: Option<u64>,
    pub(super) max_concurrent_runs: Option<usize>,
    pub(super) cancel_grace_secs: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAgents {
    pub(super) personas_dir: Option<PathBuf>,
    pub(super) default_model: Option<String>,
    pub(super) max_concurrent_turns: Option<usize>,
    pub(super) max_queued_turns: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileTools {
    pub(super) http_allow_private: Option<bool>,
    pub(super) http_max_response_bytes: Option<usize>,
    pub(super) http_timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileModels {
    pub(super) dir: Option<PathBuf>,
    pub(super) device: Option<String>,
    pub(super) preload: Option<bool>,
    pub(super) max_batch: Option<usize>,
    pub(super) default_max_tokens: Option<usize>,
    pub(super) provider_timeout_secs: Option<u64>,
    pub(super) provider_retries: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileEvents {
    pub(super) queue_capacity: Option<usize>,
    pub(super) handler_concurrency: Option<usize>,
    pub(super) dedup_window_ms: Option<u64>,
    pub(super) retention_days: Option<u64>,
    pub(super) retention_max_events: Option<i64>,
    pub(super) ws_ping_interval_secs: Option<u64>,
    pub(super) ws_idle_timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRateLimits {
    pub(super) auth_per_minute: Option<u32>,
    pub(super) write_per_minute: Option<u32>,
    pub(super) read_per_minute: Option<u32>,
    pub(super) health_per_minute: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileAuth {
    pub(super) access_ttl_secs: Option<u64>,
    pub(super) refresh_ttl_secs: Option<u64>,
    pub(super) bcrypt_cost: Option<u32>,
    pub(super) jwt_secret: Option<SecretString>,
    pub(super) login_backoff_after: Option<u32>,
    pub(super) login_backoff_base_secs: Option<u64>,
    pub(super) login_backoff_max_secs: Option<u64>,
    pub(super) self_registration: Option<bool>,
    pub(super) self_registration_role: Option<String>,
    pub(super) confirm_open_registration: Option<bool>,
    pub(super) secure_cookies: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileHttp {
    pub(super) body_limit_bytes: Option<usize>,
    pub(super) request_timeout_secs: Option<u64>,
    pub(super) cors_origins: Option<Vec<String>>,
    pub(super) shutdown_grace_secs: Option<u64>,
    pub(super) trusted_proxies: Option<Vec<String>>,
    pub(super) metrics_public: Option<bool>,
    pub(super) dashboard_dir: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDb {
    pub(super) max_connections: Option<usize>,
    pub(super) connect_timeout_secs: Option<u64>,
}

pub(super) fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.message().to_owned() + &span_suffix(&text, e.span()),
    })
}

fn span_suffix(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!(" (line {line})")
        }
        None => String::new(),
    }
}
