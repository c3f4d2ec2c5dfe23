//! What a use case answers when it cannot do what it was asked.

use nexus_store::StoreError;

/// Why a use case refused or failed. The server maps each kind to an HTTP
/// status, the command line to a message.
#[derive(Debug, thiserror::Error)]
pub enum FiuError {
    /// The request itself is wrong (a missing reason, a bad date).
    #[error("{0}")]
    Invalid(String),
    /// What it names does not exist.
    #[error("{0}")]
    NotFound(String),
    /// It contradicts what is recorded (already decided, already linked).
    #[error("{0}")]
    Conflict(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for FiuError {
    fn from(e: StoreError) -> FiuError {
        match e {
            StoreError::Invalid(m) => FiuError::Invalid(m),
            StoreError::NotFound(m) => FiuError::NotFound(m),
            StoreError::Conflict(m) => FiuError::Conflict(m),
            other => FiuError::Store(other),
        }
    }
}
