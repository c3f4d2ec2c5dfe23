//! Cooperation between FIUs without handing over their data.
//!
//! - [`keys`]: an FIU's identity — an Ed25519 signing key and an X25519 key
//!   for encryption — and the public half that partners hold in their
//!   directory.
//! - [`subject_keys`]: transliteration-invariant keys of a subject (name
//!   stems with the birth date, or a document number), so that Джамшед
//!   Рахимов at one FIU and Jamshed Rakhimov at the other give the same key.
//! - [`psi`]: private set intersection by commutative blinding on
//!   Ristretto255 (ECDH-PSI): the requester learns which of its keys the
//!   partner also holds; the partner learns how many were asked. Only
//!   blinded group elements cross the wire — never a name, nor a hash of
//!   one, which a dictionary could reverse.
//! - [`envelope`]: every message signed by its sender, encrypted to its
//!   recipient (ephemeral X25519, ChaCha20-Poly1305), with a fresh id and a
//!   time for replay protection; a compact binary wire format.

pub mod envelope;
pub mod keys;
pub mod psi;
mod subject;

pub use envelope::{Envelope, Kind, Opened};
pub use keys::{Identity, PublicIdentity};
pub use subject::{subject_keys, SubjectFacts, KEY_KINDS};

/// Everything that can go wrong with a partner's message or key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    #[error("malformed message: {0}")]
    Malformed(String),
    #[error("the signature does not verify: the message was altered or not sent by {0}")]
    BadSignature(String),
    #[error("the message is for {expected}, not for this FIU ({actual})")]
    WrongRecipient { expected: String, actual: String },
    #[error("the message cannot be decrypted with this FIU's key")]
    Undecryptable,
    #[error("the message was sent at {sent_at}, outside the accepted window around {now}")]
    Stale { sent_at: i64, now: i64 },
    #[error("malformed key: {0}")]
    BadKey(String),
    #[error("no randomness available: {0}")]
    Randomness(String),
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], ExchangeError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| ExchangeError::Randomness(e.to_string()))?;
    Ok(b)
}
