//! The environment layer: the one table of variables and the keys they set. Each variable
//! present is laid over the file's value tree before the whole is deserialised, so a setting
//! read from the environment goes through the same type, default and validation as one read
//! from the file. A value that does not fit is reported under the variable's name.

use super::{ConfigError, EnvSource};
use crate::core::settings::Invalid;

/// How a variable's text becomes a TOML value.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// As it is.
    Text,
    /// `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
    Bool,
    /// Comma-separated, each item trimmed, empty ones dropped.
    List,
}

/// Every variable that sets a setting, and the key (`section.name`) it sets.
const VARIABLES: &[(&str, &str, Kind)] = &[
    ("GATHERING_ADDR", "addr", Kind::Text),
    ("GATHERING_DATA_DIR", "data_dir", Kind::Text),
    ("GATHERING_PG_DIR", "pg_dir", Kind::Text),
    ("DATABASE_URL", "database_url", Kind::Text),
    ("GATHERING_ENV", "env", Kind::Text),
    ("RUST_LOG", "log", Kind::Text),
    ("GATHERING_MODELS_DIR", "models.dir", Kind::Text),
    ("GATHERING_DEVICE", "models.device", Kind::Text),
    ("GATHERING_PERSONAS_DIR", "agents.personas_dir", Kind::Text),
    (
        "GATHERING_EMBEDDING_MODEL",
        "memory.embedding_model",
        Kind::Text,
    ),
    (
        "GATHERING_HTTP_ALLOW_PRIVATE",
        "tools.http_allow_private",
        Kind::Bool,
    ),
    ("GATHERING_CORS_ORIGINS", "http.cors_origins", Kind::List),
    (
        "GATHERING_TRUSTED_PROXIES",
        "http.trusted_proxies",
        Kind::List,
    ),
    ("GATHERING_DASHBOARD_DIR", "http.dashboard_dir", Kind::Text),
    (
        "GATHERING_METRICS_PUBLIC",
        "http.metrics_public",
        Kind::Bool,
    ),
    (
        "GATHERING_SECURE_COOKIES",
        "auth.secure_cookies",
        Kind::Bool,
    ),
    (
        "GATHERING_SELF_REGISTRATION",
        "auth.self_registration",
        Kind::Bool,
    ),
    (
        "GATHERING_CONFIRM_OPEN_REGISTRATION",
        "auth.confirm_open_registration",
        Kind::Bool,
    ),
    ("GATHERING_JWT_SECRET", "auth.jwt_secret", Kind::Text),
];

/// One variable's value, ready to lay over the tree.
#[derive(Debug, Clone)]
pub(super) struct Assignment {
    variable: &'static str,
    key: &'static str,
    value: toml::Value,
}

/// The variables set in `env`, converted.
pub(super) fn read(env: &impl EnvSource) -> Result<Vec<Assignment>, ConfigError> {
    let mut assignments = Vec::new();
    for &(variable, key, kind) in VARIABLES {
        let Some(text) = env.var(variable) else {
            continue;
        };
        let value = match kind {
            Kind::Text => toml::Value::String(text),
            Kind::Bool => toml::Value::Boolean(parse_bool(variable, &text)?),
            Kind::List => toml::Value::Array(
                text.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| toml::Value::String(item.to_owned()))
                    .collect(),
            ),
        };
        assignments.push(Assignment {
            variable,
            key,
            value,
        });
    }
    Ok(assignments)
}

/// Deserialises `tree` with `assignments` laid over it; a value that does not fit is reported
/// under the name of the variable that gave it.
pub(super) fn deserialize<T: serde::de::DeserializeOwned>(
    tree: &toml::Table,
    assignments: &[Assignment],
) -> Result<T, ConfigError> {
    let merged = lay_over(tree.clone(), assignments);
    match toml::Value::Table(merged).try_into() {
        Ok(value) => Ok(value),
        Err(whole) => {
            // The file alone fits (it was checked when read): find the variable that does not.
            for assignment in assignments {
                let one = lay_over(tree.clone(), std::slice::from_ref(assignment));
                if let Err(e) = toml::Value::Table(one).try_into::<T>() {
                    return Err(Invalid::new(assignment.variable, e.message()).into());
                }
            }
            Err(Invalid::new("the environment", whole.message()).into())
        }
    }
}

fn lay_over(mut tree: toml::Table, assignments: &[Assignment]) -> toml::Table {
    for assignment in assignments {
        let mut table = &mut tree;
        let mut parts = assignment.key.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                table.insert(part.to_owned(), assignment.value.clone());
                break;
            }
            let entry = table
                .entry(part.to_owned())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            table = entry.as_table_mut().expect("made a table above");
        }
    }
    tree
}

fn parse_bool(variable: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        other => {
            Err(Invalid::new(variable, format!("expected true or false, got `{other}`")).into())
        }
    }
}
