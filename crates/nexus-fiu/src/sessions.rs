//! Signing in and out, and stating a purpose in a session.
//!
//! A sign-in passes the guard (back-off per user name and address), checks
//! the password on the password threads (against a dummy hash for an
//! unknown name, so timing does not tell), and is audited — the user's id
//! and address, never the text typed (it may be a password). The purpose
//! stated in a session lives in the session's row and ends with it.

use crate::auth::{canonical_username, random_token, sha256_hex, Principal};
use crate::error::FiuError;
use crate::error::{say, Phrase, Say};
use crate::purpose::Purpose;
use crate::signin::{Refusal, SignInGuard};
use nexus_store::{AuditRecord, Store};
use std::net::IpAddr;
use std::time::Duration;

/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 8 * 3600;

/// What a sign-in came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// A new session: the cookie's value (stored only as its hash).
    Session(String),
    /// Wrong user name or password.
    Refused,
    /// Too many failures: try again after this long.
    Throttled(Duration),
    /// Every password check is busy.
    Busy,
}

/// A hash that no password matches quickly, to check unknown names against.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2kCqkHaxEBH4XUi3H5ZTmFd26/4OEYPi9BE2yaiJwBo";

fn audit_sign_in(
    store: &Store,
    action: &str,
    actor: String,
    object: String,
    address: &str,
) -> Result<(), FiuError> {
    store.write(|db| {
        db.audit(&AuditRecord {
            actor,
            action: action.into(),
            object,
            detail: format!("from {address}"),
            ..AuditRecord::default()
        })
    })?;
    Ok(())
}

/// Signs a user in (blocking: run it off the async threads).
pub fn sign_in(
    store: &Store,
    guard: &SignInGuard,
    username: &str,
    password: String,
    address: Option<IpAddr>,
) -> Result<SignIn, FiuError> {
    // A name that cannot be a user name is checked (and counted) like an
    // unknown one; the text typed is never stored — it may be a password.
    let name = canonical_username(username)
        .unwrap_or_else(|_| format!("invalid:{}", &sha256_hex(username.as_bytes())[..16]));
    let ip = address.map(|a| a.to_string()).unwrap_or_default();
    let user = store.read(|db| db.user_by_name(&name))?;
    let object = user
        .as_ref()
        .map_or("unknown user".to_string(), |u| format!("user:{}", u.id));
    match guard.check(&name, address) {
        Ok(()) => {}
        Err(Refusal::UserBackOff(wait)) | Err(Refusal::AddressBlocked(wait)) => {
            audit_sign_in(
                store,
                "session.login-throttled",
                "anonymous".into(),
                object,
                &ip,
            )?;
            return Ok(SignIn::Throttled(wait));
        }
        Err(Refusal::Busy) => return Ok(SignIn::Busy),
    }
    let hash = user
        .as_ref()
        .map_or(DUMMY_HASH.to_string(), |u| u.password_hash.clone());
    let Ok(ok) = guard.verify(password, hash) else {
        return Ok(SignIn::Busy);
    };
    match user {
        Some(u) if ok && !u.disabled => {
            let token = random_token().map_err(|e| FiuError::Invalid(Phrase::verbatim(e)))?;
            let csrf = random_token().map_err(|e| FiuError::Invalid(Phrase::verbatim(e)))?;
            store.write(|db| {
                db.create_session(
                    &sha256_hex(token.as_bytes()),
                    u.id,
                    &csrf,
                    nexus_store::now() + SESSION_SECONDS,
                )?;
                db.audit(&AuditRecord {
                    actor: format!("user:{}", u.username),
                    action: "session.login".into(),
                    object: format!("user:{}", u.id),
                    detail: format!("from {ip}"),
                    ..AuditRecord::default()
                })
            })?;
            guard.succeeded(&name);
            Ok(SignIn::Session(token))
        }
        _ => {
            audit_sign_in(
                store,
                "session.login-failed",
                "anonymous".into(),
                object,
                &ip,
            )?;
            guard.failed(&name, address);
            Ok(SignIn::Refused)
        }
    }
}

/// Why a password was not changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordChange {
    Changed,
    /// The current password given is wrong (counted like a failed sign-in).
    WrongCurrent,
    /// Too many failures: try again after this long.
    Throttled(std::time::Duration),
    Busy,
}

/// A signed-in user changes their own password: the current one is checked
/// (through the sign-in guard, so that a stolen session cannot be used to
/// guess it), the new one must be long enough and different, and every
/// other session of the user ends. `token` is this session's cookie.
pub fn change_password(
    store: &Store,
    guard: &SignInGuard,
    p: &Principal,
    token: &str,
    current: String,
    new: &str,
) -> Result<PasswordChange, FiuError> {
    let Some(user_id) = p.user_id else {
        return Err(FiuError::Forbidden(say(Say::TokenHasNoPassword)));
    };
    if new.chars().count() < crate::auth::MIN_PASSWORD {
        return Err(FiuError::Invalid(
            say(Say::PasswordLength).with("min", crate::auth::MIN_PASSWORD),
        ));
    }
    if new == current {
        return Err(FiuError::Invalid(say(Say::PasswordUnchanged)));
    }
    let user = store
        .read(|db| db.user(user_id))?
        .ok_or_else(|| FiuError::NotFound(say(Say::NotFound)))?;
    match guard.check(&user.username, None) {
        Ok(()) => {}
        Err(Refusal::UserBackOff(wait)) | Err(Refusal::AddressBlocked(wait)) => {
            return Ok(PasswordChange::Throttled(wait))
        }
        Err(Refusal::Busy) => return Ok(PasswordChange::Busy),
    }
    let Ok(ok) = guard.verify(current, user.password_hash.clone()) else {
        return Ok(PasswordChange::Busy);
    };
    if !ok {
        guard.failed(&user.username, None);
        store.write(|db| {
            db.audit(&AuditRecord {
                actor: p.actor.clone(),
                action: "user.password-refused".into(),
                object: format!("user:{user_id}"),
                ..AuditRecord::default()
            })
        })?;
        return Ok(PasswordChange::WrongCurrent);
    }
    guard.succeeded(&user.username);
    let hash =
        crate::auth::hash_password(new).map_err(|e| FiuError::Invalid(Phrase::verbatim(e)))?;
    store.write(|db| {
        db.set_password(user_id, &hash)?;
        let ended = db.delete_other_sessions(user_id, &sha256_hex(token.as_bytes()))?;
        db.audit(&AuditRecord {
            actor: p.actor.clone(),
            action: "user.password".into(),
            object: format!("user:{user_id}"),
            detail: format!("{ended} other session(s) ended"),
            ..AuditRecord::default()
        })
    })?;
    Ok(PasswordChange::Changed)
}

/// Ends the session whose cookie is `token` (its stated purpose with it).
pub fn sign_out(store: &Store, token: &str) -> Result<(), FiuError> {
    store.write(|db| db.delete_session(&sha256_hex(token.as_bytes())))?;
    Ok(())
}

/// States a purpose in the principal's session (audited).
pub fn state_purpose(
    store: &Store,
    p: &Principal,
    purpose: &str,
    case_ref: &str,
) -> Result<(), FiuError> {
    let Some(purpose) = Purpose::stated(purpose, case_ref) else {
        return Err(FiuError::Invalid(say(Say::StatePurpose)));
    };
    let Some(session) = p.session.as_deref() else {
        return Err(FiuError::Invalid(say(Say::PurposeInSession)));
    };
    store.write(|db| {
        db.set_session_purpose(session, &purpose.purpose, &purpose.case_ref)?;
        db.audit(&AuditRecord {
            actor: p.actor.clone(),
            action: "purpose.state".into(),
            object: "session".into(),
            purpose: purpose.purpose.clone(),
            case_ref: purpose.case_ref.clone(),
            ..AuditRecord::default()
        })
    })?;
    Ok(())
}
