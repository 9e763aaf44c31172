//! Logging: JSON lines in production (with the request span's fields, so every line carries
//! the request id), readable lines otherwise. Installed once, by `main.rs`.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::Environment;

/// Installs the global subscriber. `filter` was validated with the configuration.
pub fn init(env: Environment, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_span_events(FmtSpan::NONE);
    let _ = match env {
        Environment::Production => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        Environment::Development => builder.compact().try_init(),
    };
}
