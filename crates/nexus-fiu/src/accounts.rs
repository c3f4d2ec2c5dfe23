//! Creating users and reporting entities' API tokens: one place for the
//! rules, used by the administration page and the CLI alike.

use crate::auth::{
    canonical_username, hash_password, random_token, sha256_hex, Role, MIN_PASSWORD,
};
use crate::error::{say, Phrase, Say};
use nexus_store::{AuditRecord, Db, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(Phrase),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records the institution when it is new (or renames it when `name` is given).
fn ensure_institution(db: &Db, institution: i64, name: &str) -> Result<(), StoreError> {
    if !name.is_empty() {
        return db.upsert_institution(institution, name, "");
    }
    if db.institution(institution)?.is_none() {
        db.upsert_institution(institution, &format!("Reporting entity {institution}"), "")?;
    }
    Ok(())
}

/// Creates a user with an argon2id-hashed password; returns its id.
pub fn create_user(
    store: &Store,
    actor: &str,
    username: &str,
    password: &str,
    role: Role,
    institution: Option<i64>,
) -> Result<i64, AccountError> {
    let username =
        canonical_username(username).map_err(|e| AccountError::Invalid(Phrase::verbatim(e)))?;
    if password.chars().count() < MIN_PASSWORD {
        return Err(AccountError::Invalid(
            say(Say::PasswordLength).with("min", MIN_PASSWORD),
        ));
    }
    if (role == Role::ReportingEntity) != institution.is_some() {
        return Err(AccountError::Invalid(say(Say::InstitutionOnlyForBanks)));
    }
    let hash = hash_password(password).map_err(|e| AccountError::Invalid(Phrase::verbatim(e)))?;
    Ok(store.write(|db| {
        if let Some(i) = institution {
            ensure_institution(db, i, "")?;
        }
        let id = db.create_user(&username, &hash, role, institution)?;
        db.audit(&AuditRecord {
            actor: actor.into(),
            action: "user.create".into(),
            object: format!("user:{id}"),
            detail: format!("{username} as {role}"),
            ..AuditRecord::default()
        })?;
        Ok(id)
    })?)
}

/// The institution codes (BIC/SWIFT or national codes) of a reporting
/// entity, checked: 4 to 11 letters or digits each, upper case.
pub fn institution_codes(codes: &[String]) -> Result<Vec<String>, AccountError> {
    let mut out = Vec::new();
    for code in codes.iter().flat_map(|c| c.split([',', ';', ' '])) {
        let code = code.trim().to_ascii_uppercase();
        if code.is_empty() {
            continue;
        }
        if !(4..=11).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(AccountError::Invalid(
                say(Say::InstitutionCode).with("code", format!("{code:?}")),
            ));
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

/// Creates an API token for a reporting entity; returns the token, which is
/// stored only as its hash. `codes` (when given) replace the institution
/// codes whose accounts its transaction batches may name.
pub fn create_reporting_token(
    store: &Store,
    actor: &str,
    institution: i64,
    name: &str,
    label: &str,
    codes: &[String],
) -> Result<String, AccountError> {
    if institution < 1 {
        return Err(AccountError::Invalid(say(Say::InstitutionNumber)));
    }
    let codes = institution_codes(codes)?;
    let token = random_token().map_err(|e| AccountError::Invalid(Phrase::verbatim(e)))?;
    store.write(|db| {
        ensure_institution(db, institution, name)?;
        if !codes.is_empty() {
            db.set_institution_codes(institution, &codes)?;
        }
        let id = db.create_api_token(
            &sha256_hex(token.as_bytes()),
            institution,
            Role::ReportingEntity,
            label,
        )?;
        db.audit(&AuditRecord {
            actor: actor.into(),
            action: "token.create".into(),
            object: format!("token:{id}"),
            detail: format!("institution {institution}, codes {}", codes.join(";")),
            ..AuditRecord::default()
        })
    })?;
    Ok(token)
}

/// Revokes a reporting entity's API token (audited); refused when there
/// is no such live token.
pub fn revoke_token(store: &Store, actor: &str, id: i64) -> Result<(), AccountError> {
    store.write(|db| {
        if !db.revoke_api_token(id)? {
            return Ok(Err(AccountError::Invalid(
                say(Say::NoToken).with("id", format!("#{id}")),
            )));
        }
        db.audit(&AuditRecord {
            actor: actor.into(),
            action: "token.revoke".into(),
            object: format!("token:{id}"),
            ..AuditRecord::default()
        })?;
        Ok(Ok(()))
    })?
}

/// Disables a user (every session of theirs ends at once) or enables them
/// again; an administrator cannot disable themselves (someone must remain
/// to undo it).
pub fn set_disabled(
    store: &Store,
    actor: &str,
    actor_id: Option<i64>,
    user_id: i64,
    disabled: bool,
) -> Result<(), AccountError> {
    if disabled && actor_id == Some(user_id) {
        return Err(AccountError::Invalid(say(Say::CannotDisableSelf)));
    }
    store.write(|db| {
        if !db.set_user_disabled(user_id, disabled)? {
            return Ok(Err(AccountError::Invalid(
                say(Say::NoUser).with("id", format!("#{user_id}")),
            )));
        }
        db.audit(&AuditRecord {
            actor: actor.into(),
            action: if disabled {
                "user.disable"
            } else {
                "user.enable"
            }
            .into(),
            object: format!("user:{user_id}"),
            ..AuditRecord::default()
        })?;
        Ok(Ok(()))
    })?
}
