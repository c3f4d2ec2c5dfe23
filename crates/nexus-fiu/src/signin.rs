//! Limits on guessing passwords, and the threads that check them.
//!
//! Each failed sign-in is counted per user name and per client address over
//! a sliding window. Past `signin_user_failures` failures of one name, each
//! further attempt must wait, from one minute doubling to fifteen (a
//! back-off, not a lock: the real user is slowed, not shut out for good);
//! past `signin_address_failures` failures from one address, that address is
//! refused until the window has passed. Password checks (argon2id, 19 MiB
//! and tens of milliseconds each) run on `concurrent_password_checks`
//! threads of their own with a short queue: on the shared blocking pool,
//! each of up to 512 threads would keep its own 19 MiB in its allocator
//! arena, and a burst of sign-ins took over a gigabyte.
//!
//! The counters live in memory: they reset when the service restarts, which
//! an attacker cannot cause from outside. Hand-written because the rate
//! limiting crates count requests, not failures of one name.

use crate::limits::Limits;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::mpsc;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures of one key within the window.
#[derive(Debug, Clone)]
struct Failures {
    times: Vec<Instant>,
}

impl Failures {
    fn prune(&mut self, now: Instant, window: Duration) {
        self.times.retain(|t| now.duration_since(*t) < window);
    }
}

/// Why a sign-in may not be tried now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures for this user name: try again after this long.
    UserBackOff(Duration),
    /// Too many failures from this address: try again after this long.
    AddressBlocked(Duration),
    /// Every password check slot is busy.
    Busy,
}

/// A password to check against a hash, and where to say the result.
type Job = (String, String, mpsc::Sender<bool>);

/// The sign-in limits of one service.
pub struct SignInGuard {
    limits: Limits,
    users: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
    checks: mpsc::SyncSender<Job>,
}

/// Keys kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SignInGuard {
    pub fn new(limits: Limits) -> SignInGuard {
        let workers = limits.concurrent_password_checks.max(1);
        let (tx, rx) = mpsc::sync_channel::<Job>(workers * 4);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-check-{i}"))
                .spawn(move || loop {
                    let job = lock(&rx).recv();
                    let Ok((password, hash, reply)) = job else {
                        return; // the guard is gone
                    };
                    let _ = reply.send(crate::auth::verify_password(&password, &hash));
                });
            if spawned.is_err() {
                break; // fewer workers; with none, every check answers Busy
            }
        }
        SignInGuard {
            limits,
            users: Mutex::new(HashMap::new()),
            addresses: Mutex::new(HashMap::new()),
            checks: tx,
        }
    }

    /// Whether `user` may try to sign in from `address` now.
    pub fn check(&self, user: &str, address: Option<IpAddr>) -> Result<(), Refusal> {
        let now = Instant::now();
        let window = self.limits.signin_window;
        if let Some(ip) = address {
            let mut a = lock(&self.addresses);
            if let Some(f) = a.get_mut(&ip) {
                f.prune(now, window);
                if f.times.len() >= self.limits.signin_address_failures as usize {
                    let oldest = f.times[0];
                    return Err(Refusal::AddressBlocked(window - now.duration_since(oldest)));
                }
            }
        }
        let mut u = lock(&self.users);
        if let Some(f) = u.get_mut(user) {
            f.prune(now, window);
            let n = f.times.len();
            let allowed = self.limits.signin_user_failures as usize;
            if n >= allowed {
                let doublings = (n - allowed).min(4) as u32;
                let wait = Duration::from_secs(60 << doublings).min(Duration::from_secs(900));
                let last = *f.times.last().expect("n ≥ 1");
                let since = now.duration_since(last);
                if since < wait {
                    return Err(Refusal::UserBackOff(wait - since));
                }
            }
        }
        Ok(())
    }

    /// Counts a failed attempt.
    pub fn failed(&self, user: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        let window = self.limits.signin_window;
        {
            let mut u = lock(&self.users);
            if u.len() >= SWEEP_AT {
                u.retain(|_, f| {
                    f.prune(now, window);
                    !f.times.is_empty()
                });
            }
            let f = u
                .entry(user.to_string())
                .or_insert(Failures { times: Vec::new() });
            f.prune(now, window);
            // Bounded per key: only the count up to the back-off's ceiling matters.
            if f.times.len() < 64 {
                f.times.push(now);
            } else {
                f.times.remove(0);
                f.times.push(now);
            }
        }
        if let Some(ip) = address {
            let mut a = lock(&self.addresses);
            if a.len() >= SWEEP_AT {
                a.retain(|_, f| {
                    f.prune(now, window);
                    !f.times.is_empty()
                });
            }
            let f = a.entry(ip).or_insert(Failures { times: Vec::new() });
            f.prune(now, window);
            if f.times.len() < self.limits.signin_address_failures.max(1) as usize {
                f.times.push(now);
            }
        }
    }

    /// Forgets the failures of a user who signed in.
    pub fn succeeded(&self, user: &str) {
        lock(&self.users).remove(user);
    }

    /// Checks `password` against `hash` on the password threads, waiting
    /// here (call it off the async threads); `Busy` when their queue is full
    /// or the answer takes over ten seconds.
    pub fn verify(&self, password: String, hash: String) -> Result<bool, Refusal> {
        let (reply, answer) = mpsc::channel();
        self.checks
            .try_send((password, hash, reply))
            .map_err(|_| Refusal::Busy)?;
        answer
            .recv_timeout(Duration::from_secs(10))
            .map_err(|_| Refusal::Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> SignInGuard {
        SignInGuard::new(Limits {
            signin_user_failures: 3,
            signin_address_failures: 5,
            ..Limits::default()
        })
    }

    #[test]
    fn a_user_name_backs_off_after_its_failures_and_recovers_on_success() {
        let g = guard();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(g.check("alice", Some(ip)), Ok(()));
            g.failed("alice", Some(ip));
        }
        assert!(
            matches!(g.check("alice", Some(ip)), Err(Refusal::UserBackOff(w)) if w > Duration::from_secs(50))
        );
        // Another name from another address is not affected.
        assert_eq!(g.check("bob", Some("10.0.0.2".parse().unwrap())), Ok(()));
        g.succeeded("alice");
        assert_eq!(g.check("alice", Some(ip)), Ok(()));
    }

    #[test]
    fn an_address_trying_many_names_is_blocked() {
        let g = guard();
        let ip: IpAddr = "10.0.0.9".parse().unwrap();
        for i in 0..5 {
            g.failed(&format!("user{i}"), Some(ip));
        }
        assert!(matches!(
            g.check("someone-else", Some(ip)),
            Err(Refusal::AddressBlocked(_))
        ));
        assert_eq!(
            g.check("someone-else", Some("10.0.0.10".parse().unwrap())),
            Ok(())
        );
    }
}
