//! Logging: JSON lines in production (with the request span's fields, so every line carries
//! the request id), readable lines otherwise. Installed once, by `cli::main`, with the filter
//! and format the configuration chose (`config::Environment` converts into a [`LogFormat`]).

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Compact, readable lines (development).
    Text,
    /// One JSON object a line, with the current span's fields (production).
    Json,
}

/// Installs the global subscriber. `filter` was validated with the configuration.
pub fn init(format: impl Into<LogFormat>, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_span_events(FmtSpan::NONE);
    let _ = match format.into() {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.compact().try_init(),
    };
}
