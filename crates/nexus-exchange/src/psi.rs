//! Private set intersection by commutative blinding on Ristretto255
//! (the Diffie–Hellman PSI of Meadows 1986 / Huberman et al. 1999, as used
//! by Google's private join-and-compute).
//!
//! Requester A with keys X and partner B with keys Y, each with a secret
//! scalar drawn for the session (`a`, `b`):
//! 1. A sends `H(x)·a` for each x, in A's order.
//! 2. B answers `(H(x)·a)·b` in the same order, and `H(y)·b` for each y,
//!    sorted by value (a random order, since `b` is secret).
//! 3. A computes `(H(y)·b)·a` and finds which of its `H(x)·a·b` are among
//!    them: those x are in Y. A learns nothing else about Y but its size;
//!    B learns |X| and nothing about which matched.
//!
//! `H` hashes to the group with the session id in the input (domain
//! separation), so points of two sessions cannot be linked. Without the
//! secret scalars the points are unrelated to the keys: no dictionary of
//! names can be tested against them. What PSI cannot prevent is a
//! requester putting guesses in X — which is why requests state a purpose,
//! are bounded in size and are audited on both sides.

use crate::{random_bytes, ExchangeError};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use sha2::Sha512;
use std::collections::HashSet;

/// Size of one encoded group element.
pub const POINT: usize = 32;

/// Encoded group elements.
pub type Points = Vec<[u8; POINT]>;

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

/// The indices of `mine_double` (A's keys blinded by both) found among
/// `theirs_double` (B's keys blinded by both).
pub fn intersect(mine_double: &[[u8; POINT]], theirs_double: &[[u8; POINT]]) -> Vec<usize> {
    let set: HashSet<&[u8; POINT]> = theirs_double.iter().collect();
    mine_double
        .iter()
        .enumerate()
        .filter(|(_, p)| set.contains(p))
        .map(|(i, _)| i)
        .collect()
}

/// Points as one byte string (the wire form).
pub fn pack(points: &[[u8; POINT]]) -> Vec<u8> {
    points.iter().flat_map(|p| p.iter().copied()).collect()
}

pub fn unpack(bytes: &[u8]) -> Result<Vec<[u8; POINT]>, ExchangeError> {
    if !bytes.len().is_multiple_of(POINT) {
        return Err(ExchangeError::Malformed(format!(
            "{} bytes is not a whole number of points",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(POINT)
        .map(|c| c.try_into().expect("32 bytes"))
        .collect())
}

/// The partner's side of one session: answers a request with the
/// requester's points blinded again and its own keys blinded once, sorted.
pub fn answer(
    session: &str,
    requested: &[[u8; POINT]],
    own_keys: &[String],
) -> Result<(Points, Points), ExchangeError> {
    let b = Blinding::random()?;
    let doubled = b.reblind(requested)?;
    let mut own = b.blind_keys(session, own_keys);
    own.sort_unstable();
    own.dedup();
    Ok((doubled, own))
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
        let (doubled, their_points) = answer("s1", &sent, &theirs).unwrap();
        let their_double = a.reblind(&their_points).unwrap();
        assert_eq!(intersect(&doubled, &their_double), vec![0, 1]);
        // Another session cannot be linked: the same key gives unrelated points.
        assert_ne!(a.blind_keys("s2", &mine)[0], sent[0]);
    }

    #[test]
    fn bad_points_and_lengths_are_errors() {
        let b = Blinding::random().unwrap();
        assert!(b.reblind(&[[0xff; POINT]]).is_err());
        assert!(unpack(&[0u8; 33]).is_err());
        let p = b.blind_keys("s", &keys(&["x", "y"]));
        assert_eq!(unpack(&pack(&p)).unwrap(), p);
    }
}
