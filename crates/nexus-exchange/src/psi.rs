//! Private set intersection by commutative blinding on Ristretto255
//! (the Diffie–Hellman PSI of Meadows 1986 / Huberman et al. 1999, in the
//! form of Google's and OpenMined's PSI libraries).
//!
//! Requester A with keys X and partner B with keys Y, each with a secret
//! scalar drawn for the session (`a`, `b`):
//! 1. A sends `H(x)·a` for each x, in A's order.
//! 2. B answers `(H(x)·a)·b` in the same order, and for each y a 12-byte
//!    tag of `H(y)·b` (a truncated SHA-512), sorted (a random order, since
//!    `b` is secret).
//! 3. A removes its own blinding — `(H(x)·a·b)·a⁻¹ = H(x)·b` — and finds
//!    which tags of those are among B's: those x are in Y. A learns nothing
//!    else about Y but its size; B learns |X| and nothing about which
//!    matched. A multiplies only its own points twice; B's million keys
//!    cost A a hash lookup each.
//!
//! `H` hashes to the group with the session id in the input (domain
//! separation), so points of two sessions cannot be linked. Without the
//! secret scalars the points and tags are unrelated to the keys: no
//! dictionary of names can be tested against them. What PSI cannot
//! prevent is a requester putting guesses in X — which is why requests
//! state a purpose, are bounded in size and are audited on both sides.
//! Tags of 96 bits make a false match among 10⁵ × 10⁶ pairs a 10⁻¹⁸ event.

use crate::{random_bytes, ExchangeError};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};
use std::collections::HashSet;

/// Size of one encoded group element.
pub const POINT: usize = 32;
/// Size of the tag of a partner's blinded key.
pub const TAG: usize = 12;

/// The tag under which a partner's blinded key is compared.
pub fn tag(point: &[u8; POINT]) -> [u8; TAG] {
    let digest = Sha512::digest([&b"nexus-psi-tag-1"[..], &point[..]].concat());
    digest[..TAG].try_into().expect("12 bytes")
}

/// Encoded group elements.
pub type Points = Vec<[u8; POINT]>;
/// Tags of blinded keys.
pub type Tags = Vec<[u8; TAG]>;

/// A session's secret scalar.
pub struct Blinding(Scalar);

fn hash_to_group(session: &str, key: &str) -> RistrettoPoint {
    let mut input = Vec::with_capacity(session.len() + key.len() + 16);
    input.extend_from_slice(b"nexus-psi-1|");
    input.extend_from_slice(session.as_bytes());
    input.push(b'|');
    input.extend_from_slice(key.as_bytes());
    RistrettoPoint::hash_from_bytes::<Sha512>(&input)
}

/// Runs `f` over chunks of `items` on all cores, keeping order.
fn parallel<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if items.len() < 256 || threads == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    })
}

impl Blinding {
    pub fn random() -> Result<Blinding, ExchangeError> {
        Ok(Blinding(Scalar::from_bytes_mod_order_wide(
            &random_bytes::<64>()?,
        )))
    }

    /// First pass: `H(key)·s` for each key, in order.
    pub fn blind_keys(&self, session: &str, keys: &[String]) -> Vec<[u8; POINT]> {
        parallel(keys, |k| {
            (hash_to_group(session, k) * self.0).compress().to_bytes()
        })
    }

    /// Removes this blinding: `p·s⁻¹` for each point, in order.
    pub fn unblind(&self, points: &[[u8; POINT]]) -> Result<Vec<[u8; POINT]>, ExchangeError> {
        Blinding(self.0.invert()).reblind(points)
    }

    /// Second pass: `p·s` for each received point, in order. Points that
    /// are not valid group elements are an error (a broken or hostile peer).
    pub fn reblind(&self, points: &[[u8; POINT]]) -> Result<Vec<[u8; POINT]>, ExchangeError> {
        let out = parallel(points, |p| {
            CompressedRistretto(*p)
                .decompress()
                .map(|q| (q * self.0).compress().to_bytes())
        });
        out.into_iter()
            .enumerate()
            .map(|(i, p)| {
                p.ok_or_else(|| {
                    ExchangeError::Malformed(format!("point {i} is not a Ristretto255 element"))
                })
            })
            .collect()
    }
}

/// The indices of A's keys (blinded by B alone, after [`Blinding::unblind`])
/// whose tags are among B's tags.
pub fn intersect(mine: &[[u8; POINT]], their_tags: &[[u8; TAG]]) -> Vec<usize> {
    let set: HashSet<&[u8; TAG]> = their_tags.iter().collect();
    let tags = parallel(mine, tag);
    tags.iter()
        .enumerate()
        .filter(|(_, t)| set.contains(t))
        .map(|(i, _)| i)
        .collect()
}

/// Fixed-size items as one byte string (the wire form).
pub fn pack<const N: usize>(items: &[[u8; N]]) -> Vec<u8> {
    items.iter().flat_map(|p| p.iter().copied()).collect()
}

/// The inverse of [`pack`]; `N` is [`POINT`] or [`TAG`].
pub fn unpack<const N: usize>(bytes: &[u8]) -> Result<Vec<[u8; N]>, ExchangeError> {
    if !bytes.len().is_multiple_of(N) {
        return Err(ExchangeError::Malformed(format!(
            "{} bytes is not a whole number of {N}-byte items",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(N)
        .map(|c| c.try_into().expect("N bytes"))
        .collect())
}

/// The partner's side of one session: answers a request with the
/// requester's points blinded again and the tags of its own keys blinded
/// once, sorted.
pub fn answer(
    session: &str,
    requested: &[[u8; POINT]],
    own_keys: &[String],
) -> Result<(Points, Tags), ExchangeError> {
    let b = Blinding::random()?;
    let doubled = b.reblind(requested)?;
    let own = b.blind_keys(session, own_keys);
    let mut tags = parallel(&own, tag);
    tags.sort_unstable();
    tags.dedup();
    Ok((doubled, tags))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_requester_learns_exactly_the_common_keys() {
        let mine = keys(&[
            "person|jamshed rahim|1985-03-14",
            "doc|AB1234567",
            "person|farruh nazar|1970-01-01",
        ]);
        let theirs = keys(&[
            "doc|ZZ9999999",
            "person|jamshed rahim|1985-03-14",
            "org|silk road|AE",
            "doc|AB1234567",
        ]);
        let a = Blinding::random().unwrap();
        let sent = a.blind_keys("s1", &mine);
        let (doubled, their_tags) = answer("s1", &sent, &theirs).unwrap();
        assert_ne!(doubled, sent);
        let mine_by_b = a.unblind(&doubled).unwrap();
        assert_eq!(intersect(&mine_by_b, &their_tags), vec![0, 1]);
        assert!(
            intersect(&doubled, &their_tags).is_empty(),
            "without removing a, nothing matches"
        );
        // Another session cannot be linked: the same key gives unrelated points.
        assert_ne!(a.blind_keys("s2", &mine)[0], sent[0]);
    }

    #[test]
    fn bad_points_and_lengths_are_errors() {
        let b = Blinding::random().unwrap();
        assert!(b.reblind(&[[0xff; POINT]]).is_err());
        assert!(unpack::<POINT>(&[0u8; 33]).is_err());
        assert!(unpack::<TAG>(&[0u8; 13]).is_err());
        let p = b.blind_keys("s", &keys(&["x", "y"]));
        assert_eq!(unpack(&pack(&p)).unwrap(), p);
    }
}
