//! Why an action failed, with a stable code and whether a retry may help.

use crate::tools::ToolError;

/// Why an action failed.
#[derive(Debug, Clone)]
pub struct Failure {
    pub message: String,
    /// `timeout`, `breaker_open`, `http_status`, `tool_failed`, `expression`, ...
    pub code: &'static str,
    pub retryable: bool,
}

impl Failure {
    pub fn fatal(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code,
            retryable: false,
        }
    }

    pub fn retryable(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code,
            retryable: true,
        }
    }
}

impl std::fmt::Display for Failure {
    /// `code: message`, as schedule runs store it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<ToolError> for Failure {
    /// A tool's own failure may be retried; a refusal or bad arguments may not.
    fn from(e: ToolError) -> Self {
        match e {
            ToolError::Failed(m) => Self::retryable("tool_failed", m),
            ToolError::Refused(m) => Self::fatal("refused", m),
            ToolError::InvalidArguments(m) => Self::fatal("invalid_arguments", m),
        }
    }
}
