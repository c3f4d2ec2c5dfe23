//! Accounts tied to predicate offences — drug trafficking, organised crime
//! — as law enforcement names them to the FIU (the drug control agency's
//! seizures, a prosecutor's request): a list a supervisor keeps, one
//! account per line as reports key it (`BIC|number`). Detection starts its
//! nexus paths there: money moving from these accounts to a designated
//! person's (the crime–terror nexus the Dushanbe Declaration targets).

use std::collections::HashSet;

use crate::detection_lists::{self, DetectionList};
use nexus_store::Store;

/// The setting that holds the list, as the supervisor wrote it.
pub const SETTING: &str = "predicate_accounts";

/// Bounds on the list.
pub const MAX_ACCOUNTS: usize = 100_000;
pub const MAX_KEY_CHARS: usize = 100;

/// A line of the list that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ListError {
    pub line: usize,
    pub message: String,
}

/// Reads the list: one account key `institution|number` per line, `#`
/// starts a comment.
pub fn parse(text: &str) -> Result<HashSet<String>, ListError> {
    let mut keys = HashSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let key = raw.split('#').next().unwrap_or("").trim();
        if key.is_empty() {
            continue;
        }
        let fail = |message: String| ListError { line, message };
        if key.chars().count() > MAX_KEY_CHARS || key.chars().any(char::is_control) {
            return Err(fail(format!(
                "an account key is at most {MAX_KEY_CHARS} printable characters"
            )));
        }
        match key.split_once('|') {
            Some((institution, number))
                if !institution.trim().is_empty()
                    && !number.trim().is_empty()
                    && !number.contains('|') => {}
            _ => {
                return Err(fail(format!(
                    "{key:?} is not an account key institution|number (e.g. NXTJB1XX|40817810)"
                )))
            }
        }
        keys.insert(key.to_string());
        if keys.len() > MAX_ACCOUNTS {
            return Err(fail(format!(
                "the list holds at most {MAX_ACCOUNTS} accounts"
            )));
        }
    }
    Ok(keys)
}

/// The list in force as written, and its keys (a stored list that no
/// longer reads counts as empty and is logged). It is set with
/// [`crate::detection_lists::set`].
pub fn stored(store: &Store) -> nexus_store::Result<(String, HashSet<String>)> {
    let text = detection_lists::text(store, DetectionList::PredicateAccounts)?;
    let keys = parse(&text).unwrap_or_else(|e| {
        tracing::warn!("the stored predicate-offence accounts do not read ({e}); none are used");
        HashSet::new()
    });
    Ok((text, keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_account_keys_reads_or_names_its_bad_line() {
        let keys =
            parse("# drug control agency, 2026-03\nNXTJB1XX|40817810\n\nNXKGB1XX|A-7 # seized\n")
                .unwrap();
        assert_eq!(keys.len(), 2);
        assert!(keys.contains("NXKGB1XX|A-7"));
        let e = parse("NXTJB1XX|1\nJamshed Rahimov\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("institution|number"), "{e}");
        assert_eq!(parse("|123").unwrap_err().line, 1);
        assert_eq!(parse("A|B|C").unwrap_err().line, 1);
    }
}
