//! An FIU's keys. The secret half stays in the FIU's database; the public
//! half (`nexus-fiu-1:<ed25519 hex>:<x25519 hex>`) is given to partners out
//! of band and checked by its fingerprint.

use crate::{random_bytes, ExchangeError};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, StaticSecret};

/// The secret keys of this FIU.
pub struct Identity {
    signing: SigningKey,
    exchange: StaticSecret,
}

/// A partner's (or our own) public keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicIdentity {
    pub verify: VerifyingKey,
    pub exchange: PublicKey,
}

const PREFIX: &str = "nexus-fiu-1";

impl Identity {
    pub fn generate() -> Result<Identity, ExchangeError> {
        Ok(Identity {
            signing: SigningKey::from_bytes(&random_bytes::<32>()?),
            exchange: StaticSecret::from(random_bytes::<32>()?),
        })
    }

    /// The secret keys as 128 hex characters (for the FIU's own database).
    pub fn to_secret_hex(&self) -> String {
        format!(
            "{}{}",
            hex::encode(self.signing.to_bytes()),
            hex::encode(self.exchange.to_bytes())
        )
    }

    pub fn from_secret_hex(text: &str) -> Result<Identity, ExchangeError> {
        let bytes = hex::decode(text.trim()).map_err(|e| ExchangeError::BadKey(e.to_string()))?;
        if bytes.len() != 64 {
            return Err(ExchangeError::BadKey(format!(
                "{} bytes, expected 64",
                bytes.len()
            )));
        }
        let mut s = [0u8; 32];
        s.copy_from_slice(&bytes[..32]);
        let mut x = [0u8; 32];
        x.copy_from_slice(&bytes[32..]);
        Ok(Identity {
            signing: SigningKey::from_bytes(&s),
            exchange: StaticSecret::from(x),
        })
    }

    pub fn public(&self) -> PublicIdentity {
        PublicIdentity {
            verify: self.signing.verifying_key(),
            exchange: PublicKey::from(&self.exchange),
        }
    }

    /// An Ed25519 signature of `message` (envelopes, audit checkpoints).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    pub(crate) fn exchange_secret(&self) -> &StaticSecret {
        &self.exchange
    }
}

impl PublicIdentity {
    /// `nexus-fiu-1:<ed25519 hex>:<x25519 hex>`.
    pub fn encode(&self) -> String {
        format!(
            "{PREFIX}:{}:{}",
            hex::encode(self.verify.as_bytes()),
            hex::encode(self.exchange.as_bytes())
        )
    }

    pub fn decode(text: &str) -> Result<PublicIdentity, ExchangeError> {
        let mut parts = text.trim().split(':');
        let (Some(PREFIX), Some(v), Some(x), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ExchangeError::BadKey(format!(
                "expected {PREFIX}:<64 hex>:<64 hex>"
            )));
        };
        let v: [u8; 32] = hex::decode(v)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                ExchangeError::BadKey("the signing key is not 32 bytes of hex".into())
            })?;
        let x: [u8; 32] = hex::decode(x)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                ExchangeError::BadKey("the encryption key is not 32 bytes of hex".into())
            })?;
        Ok(PublicIdentity {
            verify: VerifyingKey::from_bytes(&v)
                .map_err(|e| ExchangeError::BadKey(e.to_string()))?,
            exchange: PublicKey::from(x),
        })
    }

    /// A short fingerprint to compare over the phone: 16 hex characters of
    /// the SHA-256 of the encoded key.
    pub fn fingerprint(&self) -> String {
        // Checked by `is_fingerprint`: keep the two in step.
        hex::encode(Sha256::digest(self.encode().as_bytes()))[..16].to_string()
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.verify
            .verify(message, &Signature::from_bytes(signature))
            .is_ok()
    }
}

/// Whether `text` has the form of a key fingerprint (16 lower-case hex
/// characters): anything else cannot name a partner.
pub fn is_fingerprint(text: &str) -> bool {
    text.len() == 16 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_reject_garbage() {
        let id = Identity::generate().unwrap();
        let again = Identity::from_secret_hex(&id.to_secret_hex()).unwrap();
        assert_eq!(id.public(), again.public());
        let text = id.public().encode();
        assert_eq!(PublicIdentity::decode(&text).unwrap(), id.public());
        assert_eq!(id.public().fingerprint().len(), 16);
        for bad in [
            "",
            "nexus-fiu-1:00:11",
            "other:aa:bb",
            &text.replace("nexus-fiu-1", "nexus-fiu-2"),
            &format!("{text}:x"),
        ] {
            assert!(PublicIdentity::decode(bad).is_err(), "{bad}");
        }
        assert!(Identity::from_secret_hex("abcd").is_err());
    }
}
