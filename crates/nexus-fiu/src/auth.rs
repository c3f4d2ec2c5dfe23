//! Authentication (argon2id passwords, session cookies, bearer tokens) and
//! the roles of least privilege.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

pub use nexus_model::Role;

/// Who is making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// For the audit log: `user:alice` or `token:3@111`.
    pub actor: String,
    pub role: Role,
    pub user_id: Option<i64>,
    pub username: String,
    pub institution: Option<i64>,
    /// The session's CSRF token (sessions only; bearer tokens need none).
    pub csrf: Option<String>,
    /// The SHA-256 of the session cookie (sessions only).
    pub session: Option<String>,
    /// The purpose stated in the session, when one was.
    pub purpose: Option<crate::purpose::Purpose>,
    /// The language the user chose for the UI ('' = the default).
    pub language: String,
}

impl Principal {
    /// Whether the role is one of `roles`.
    pub fn has_role(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }

    /// For a session: whether `presented` is its CSRF token. Bearer tokens
    /// need none (browsers do not send them on their own).
    pub fn csrf_matches(&self, presented: Option<&str>) -> bool {
        match &self.csrf {
            None => true,
            Some(expected) => presented.is_some_and(|p| constant_time_eq(p, expected)),
        }
    }

    /// The institution whose reports this principal may list: its own for
    /// a reporting entity (none at all when it has no institution), every
    /// institution's otherwise.
    pub fn report_scope(&self) -> Option<i64> {
        match self.role {
            Role::ReportingEntity => Some(self.institution.unwrap_or(-1)),
            _ => None,
        }
    }

    /// Whether this principal may read a report of `institution`.
    pub fn may_read_report(&self, institution: i64) -> bool {
        self.report_scope().is_none_or(|own| own == institution)
    }
}

/// Minimum length of a password set through the CLI or the UI.
pub const MIN_PASSWORD: usize = 12;

pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A fresh secret: 32 random bytes, hex.
pub fn random_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(hex::encode(bytes))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Compares secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The one spelling of a user name: lower-case ASCII letters, digits and
/// `. _ - @`, 2 to 64 characters. `Admin`, `admin\u{200B}` and `аdmin`
/// (Cyrillic а) are not other users beside `admin`: the first is the same
/// name, the others are refused.
pub fn canonical_username(name: &str) -> Result<String, String> {
    let name = name.trim().to_ascii_lowercase();
    let len = name.chars().count();
    if !(2..=64).contains(&len) {
        return Err("a user name has 2 to 64 characters".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')))
    {
        return Err(format!(
            "a user name has only letters a–z, digits and . _ - @ (not {:?})",
            c
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(h, hash_password("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn user_names_have_one_spelling() {
        assert_eq!(canonical_username(" Admin ").unwrap(), "admin");
        assert!(canonical_username("admin\u{200B}").is_err());
        assert!(canonical_username("\u{0430}dmin").is_err(), "Cyrillic а");
        assert!(canonical_username("a").is_err());
        assert_eq!(canonical_username("j.doe@fiu-tj").unwrap(), "j.doe@fiu-tj");
    }
}
