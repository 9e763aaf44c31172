//! `DomainError`: the failures of the domain modules (personas, agents, conversations, tools)
//! that a caller can act on, plus `Unexpected`. The API maps it to one HTTP answer each.

/// A failure of a domain operation.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0}")]
    NotFound(String),
    /// The change clashes with what exists (a taken name, a persona agents still use).
    #[error("{0}")]
    Conflict(String),
    /// Signed in with a strong enough role, but not allowed this one (not the owner).
    #[error("{0}")]
    Forbidden(String),
    /// One field is invalid; `field` names it.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Too much queued work for this resource; try again later.
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<tokio_postgres::Error> for DomainError {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Unexpected(e.into())
    }
}

impl From<deadpool_postgres::PoolError> for DomainError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Self::Unexpected(e.into())
    }
}

/// Whether a database error is a unique-constraint violation.
pub fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}
