//! Signed, encrypted messages between FIUs.
//!
//! Wire format (binary, big-endian lengths):
//! `"NXE1" | u32 header length | header JSON | u32 ciphertext length | ciphertext | 64-byte Ed25519 signature`.
//! The header names sender and recipient (key fingerprints), a random
//! message id, the sending time, the kind, the session, the sender's
//! ephemeral X25519 key and the nonce. The payload is encrypted with
//! ChaCha20-Poly1305 under a key derived from an ephemeral–static X25519
//! exchange with the recipient, the header as associated data; the
//! signature covers everything before it. A receiver rejects unknown
//! senders, bad signatures, messages for someone else, messages outside the
//! time window and (with its store) ids it has seen.

use crate::keys::{Identity, PublicIdentity};
use crate::{random_bytes, ExchangeError};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, StaticSecret};

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Blinded keys of the requester's subjects.
    MatchRequest,
    /// The requester's keys blinded again and the partner's blinded once.
    MatchResponse,
    /// A request for information about a matched subject, with purpose, legal basis and urgency.
    InformationRequest,
    /// The answer to a request for information.
    InformationReply,
    /// Intelligence sent without a request (spontaneous dissemination).
    Dissemination,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MatchRequest => "match-request",
            Kind::MatchResponse => "match-response",
            Kind::InformationRequest => "information-request",
            Kind::InformationReply => "information-reply",
            Kind::Dissemination => "dissemination",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    sender: String,
    recipient: String,
    id: String,
    sent_at: i64,
    kind: Kind,
    session: String,
    ephemeral: String,
    nonce: String,
}

/// A message ready for the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope(pub Vec<u8>);

/// A message that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The sender's key fingerprint.
    pub sender: String,
    pub id: String,
    pub sent_at: i64,
    pub kind: Kind,
    pub session: String,
    pub payload: Vec<u8>,
}

const MAGIC: &[u8; 4] = b"NXE1";
/// Largest envelope accepted (a match of a million keys is 32 MB).
pub const MAX_ENVELOPE: usize = 256 << 20;
/// Largest header (a few hundred bytes in practice).
const MAX_HEADER: usize = 16 << 10;

fn derive_key(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> Key {
    let mut h = Sha256::new();
    h.update(b"nexus-envelope-1");
    h.update(shared);
    h.update(ephemeral);
    h.update(recipient);
    let out = h.finalize();
    *Key::from_slice(&out)
}

impl Envelope {
    /// Seals `payload` from `me` to `to`.
    pub fn seal(
        me: &Identity,
        to: &PublicIdentity,
        kind: Kind,
        session: &str,
        sent_at: i64,
        payload: &[u8],
    ) -> Result<Envelope, ExchangeError> {
        let ephemeral = StaticSecret::from(random_bytes::<32>()?);
        let ephemeral_public = PublicKey::from(&ephemeral);
        let shared = ephemeral.diffie_hellman(&to.exchange);
        let nonce = random_bytes::<12>()?;
        let header = Header {
            sender: me.public().fingerprint(),
            recipient: to.fingerprint(),
            id: hex::encode(random_bytes::<16>()?),
            sent_at,
            kind,
            session: session.to_string(),
            ephemeral: hex::encode(ephemeral_public.as_bytes()),
            nonce: hex::encode(nonce),
        };
        let header_bytes =
            serde_json::to_vec(&header).map_err(|e| ExchangeError::Malformed(e.to_string()))?;
        let key = derive_key(
            shared.as_bytes(),
            ephemeral_public.as_bytes(),
            to.exchange.as_bytes(),
        );
        let ciphertext = ChaCha20Poly1305::new(&key)
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: payload,
                    aad: &header_bytes,
                },
            )
            .map_err(|_| ExchangeError::Malformed("encryption failed".into()))?;
        let mut out = Vec::with_capacity(header_bytes.len() + ciphertext.len() + 80);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(header_bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(&header_bytes);
        out.extend_from_slice(&(ciphertext.len() as u32).to_be_bytes());
        out.extend_from_slice(&ciphertext);
        let signature = me.sign(&out);
        out.extend_from_slice(&signature);
        Ok(Envelope(out))
    }

    /// The sender's fingerprint, read without any check (to find its key).
    pub fn sender(bytes: &[u8]) -> Result<String, ExchangeError> {
        Ok(parse(bytes)?.0.sender)
    }

    /// Checks and decrypts a message for `me` from `sender` (looked up by the
    /// caller from [`Envelope::sender`]); `window` seconds of clock skew.
    pub fn open(
        bytes: &[u8],
        me: &Identity,
        sender: &PublicIdentity,
        now: i64,
        window: i64,
    ) -> Result<Opened, ExchangeError> {
        let (header, header_bytes, ciphertext, signed, signature) = parse(bytes)?;
        if header.sender != sender.fingerprint() {
            return Err(ExchangeError::BadSignature(header.sender));
        }
        if !sender.verify(signed, signature) {
            return Err(ExchangeError::BadSignature(header.sender));
        }
        let mine = me.public().fingerprint();
        if header.recipient != mine {
            return Err(ExchangeError::WrongRecipient {
                expected: header.recipient,
                actual: mine,
            });
        }
        if (now - header.sent_at).abs() > window {
            return Err(ExchangeError::Stale {
                sent_at: header.sent_at,
                now,
            });
        }
        let ephemeral: [u8; 32] = hex::decode(&header.ephemeral)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ExchangeError::Malformed("ephemeral key".into()))?;
        let nonce: [u8; 12] = hex::decode(&header.nonce)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ExchangeError::Malformed("nonce".into()))?;
        let shared = me
            .exchange_secret()
            .diffie_hellman(&PublicKey::from(ephemeral));
        let key = derive_key(
            shared.as_bytes(),
            &ephemeral,
            me.public().exchange.as_bytes(),
        );
        let payload = ChaCha20Poly1305::new(&key)
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: ciphertext,
                    aad: header_bytes,
                },
            )
            .map_err(|_| ExchangeError::Undecryptable)?;
        Ok(Opened {
            sender: header.sender,
            id: header.id,
            sent_at: header.sent_at,
            kind: header.kind,
            session: header.session,
            payload,
        })
    }
}

type Parts<'a> = (Header, &'a [u8], &'a [u8], &'a [u8], &'a [u8; 64]);

fn parse(bytes: &[u8]) -> Result<Parts<'_>, ExchangeError> {
    let bad = |m: &str| ExchangeError::Malformed(m.to_string());
    if bytes.len() > MAX_ENVELOPE {
        return Err(bad("larger than the largest accepted message"));
    }
    if bytes.len() < 4 + 4 + 4 + 64 || &bytes[..4] != MAGIC {
        return Err(bad("not a nexus envelope (truncated or wrong magic)"));
    }
    let read_len = |at: usize| -> Result<usize, ExchangeError> {
        let b: [u8; 4] = bytes
            .get(at..at + 4)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| bad("truncated length"))?;
        Ok(u32::from_be_bytes(b) as usize)
    };
    let header_len = read_len(4)?;
    if header_len > MAX_HEADER {
        return Err(bad("header larger than any real envelope's"));
    }
    let header_end = 8usize
        .checked_add(header_len)
        .ok_or_else(|| bad("header length"))?;
    let header_bytes = bytes
        .get(8..header_end)
        .ok_or_else(|| bad("truncated header"))?;
    let cipher_len = read_len(header_end)?;
    let cipher_start = header_end + 4;
    let cipher_end = cipher_start
        .checked_add(cipher_len)
        .ok_or_else(|| bad("ciphertext length"))?;
    let ciphertext = bytes
        .get(cipher_start..cipher_end)
        .ok_or_else(|| bad("truncated ciphertext"))?;
    if bytes.len() != cipher_end + 64 {
        return Err(bad("truncated or trailing bytes after the ciphertext"));
    }
    let signature: &[u8; 64] = bytes[cipher_end..]
        .try_into()
        .map_err(|_| bad("signature"))?;
    let header: Header = serde_json::from_slice(header_bytes)
        .map_err(|e| ExchangeError::Malformed(format!("header: {e}")))?;
    // The sender is echoed in answers and written to the audit log: only a
    // fingerprint's 16 hex characters, never what a stranger chose to send.
    if !crate::keys::is_fingerprint(&header.sender)
        || !crate::keys::is_fingerprint(&header.recipient)
    {
        return Err(bad("the sender or recipient is not a key fingerprint"));
    }
    if header.id.len() > 64 || header.session.len() > 128 {
        return Err(bad("message id or session longer than any nexus writes"));
    }
    Ok((
        header,
        header_bytes,
        ciphertext,
        &bytes[..cipher_end],
        signature,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_message_opens_only_for_its_recipient_unaltered_and_in_time() {
        let a = Identity::generate().unwrap();
        let b = Identity::generate().unwrap();
        let c = Identity::generate().unwrap();
        let env = Envelope::seal(
            &a,
            &b.public(),
            Kind::InformationRequest,
            "s1",
            1000,
            b"who is he?",
        )
        .unwrap();
        assert_eq!(Envelope::sender(&env.0).unwrap(), a.public().fingerprint());
        let opened = Envelope::open(&env.0, &b, &a.public(), 1010, 300).unwrap();
        assert_eq!(
            (
                opened.kind,
                opened.session.as_str(),
                opened.payload.as_slice()
            ),
            (Kind::InformationRequest, "s1", &b"who is he?"[..])
        );
        assert!(
            !env.0.windows(10).any(|w| w == b"who is he?"),
            "the payload is encrypted"
        );

        assert!(matches!(
            Envelope::open(&env.0, &c, &a.public(), 1010, 300),
            Err(ExchangeError::WrongRecipient { .. })
        ));
        assert!(matches!(
            Envelope::open(&env.0, &b, &c.public(), 1010, 300),
            Err(ExchangeError::BadSignature(_))
        ));
        assert!(matches!(
            Envelope::open(&env.0, &b, &a.public(), 5000, 300),
            Err(ExchangeError::Stale { .. })
        ));
        for i in [5, 20, env.0.len() - 70, env.0.len() - 1] {
            let mut t = env.0.clone();
            t[i] ^= 1;
            assert!(
                Envelope::open(&t, &b, &a.public(), 1010, 300).is_err(),
                "byte {i} flipped"
            );
        }
        for n in [0, 3, 10, env.0.len() - 1] {
            assert!(matches!(
                Envelope::open(&env.0[..n], &b, &a.public(), 1010, 300),
                Err(ExchangeError::Malformed(_))
            ));
        }
        // Signed by the sender but encrypted to another key: undecryptable.
        let forged = Envelope::seal(&a, &c.public(), Kind::Dissemination, "s", 1000, b"x").unwrap();
        let mut bytes = forged.0.clone();
        let text = String::from_utf8_lossy(&bytes)
            .replace(&c.public().fingerprint(), &b.public().fingerprint());
        bytes = text.into_bytes();
        assert!(Envelope::open(&bytes, &b, &a.public(), 1000, 300).is_err());
    }
}
