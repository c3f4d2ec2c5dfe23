//! What a use case answers when it cannot do what it was asked: a phrase
//! (`nexus_model::explain`), so that the UI says it in the user's language
//! and the API and command line in English.

pub use nexus_model::explain::{Phrase, PhraseKey as Say};
use nexus_store::StoreError;

/// A sentence for the user: `say(Say::NoCase).with("id", id)`.
pub fn say(key: Say) -> Phrase {
    Phrase::new(key)
}

/// Why a use case refused or failed. The server maps each kind to an HTTP
/// status, the command line to a message.
#[derive(Debug, thiserror::Error)]
pub enum FiuError {
    /// The request itself is wrong (a missing reason, a bad date).
    #[error("{0}")]
    Invalid(Phrase),
    /// What it names does not exist.
    #[error("{0}")]
    NotFound(Phrase),
    /// It contradicts what is recorded (already decided, already linked).
    #[error("{0}")]
    Conflict(Phrase),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(Phrase),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for FiuError {
    fn from(e: StoreError) -> FiuError {
        match e {
            StoreError::Invalid(m) => FiuError::Invalid(Phrase::verbatim(m)),
            StoreError::NotFound(m) => FiuError::NotFound(Phrase::verbatim(m)),
            StoreError::Conflict(m) => FiuError::Conflict(Phrase::verbatim(m)),
            other => FiuError::Store(other),
        }
    }
}
