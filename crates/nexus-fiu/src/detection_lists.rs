//! The lists a supervisor keeps for detection — the high-risk areas of the
//! risk assessment ([`crate::areas`]) and the accounts law enforcement ties
//! to predicate offences ([`crate::predicate`]) — each stored as a setting
//! in the words the supervisor wrote, replaced whole, every change audited.
//! What each list means and how it reads is its own module's; how it is
//! kept is here, once.

use crate::auth::{Principal, Role};
use crate::error::{say, Say};
use crate::FiuError;
use nexus_store::{AuditRecord, Store};

/// One of the lists, its spellings declared once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectionList {
    HighRiskAreas,
    PredicateAccounts,
}

impl DetectionList {
    pub const ALL: [DetectionList; 2] = [
        DetectionList::HighRiskAreas,
        DetectionList::PredicateAccounts,
    ];

    /// The list's name in addresses: `/api/v1/detection/{slug}`, `/models/{slug}`.
    pub fn slug(self) -> &'static str {
        match self {
            DetectionList::HighRiskAreas => "areas",
            DetectionList::PredicateAccounts => "predicate-accounts",
        }
    }

    pub fn from_slug(slug: &str) -> Option<DetectionList> {
        Self::ALL.into_iter().find(|l| l.slug() == slug)
    }

    /// The setting that holds the list as written.
    pub fn setting(self) -> &'static str {
        match self {
            DetectionList::HighRiskAreas => crate::areas::SETTING,
            DetectionList::PredicateAccounts => crate::predicate::SETTING,
        }
    }

    /// What the list is, in the audit log.
    fn audited_as(self) -> (&'static str, &'static str) {
        match self {
            DetectionList::HighRiskAreas => ("areas.set", "high-risk areas"),
            DetectionList::PredicateAccounts => {
                ("predicate.set", "accounts tied to predicate offences")
            }
        }
    }

    fn refusals(self) -> (Say, Say) {
        match self {
            DetectionList::HighRiskAreas => (Say::SupervisorSetsAreas, Say::AreasLine),
            DetectionList::PredicateAccounts => (Say::SupervisorSetsPredicate, Say::PredicateLine),
        }
    }

    /// How many items `text` names, or the line that does not read.
    fn count(self, text: &str) -> Result<usize, (usize, String)> {
        match self {
            DetectionList::HighRiskAreas => crate::areas::HighRiskAreas::parse(text)
                .map(|a| a.len())
                .map_err(|e| (e.line, e.message)),
            DetectionList::PredicateAccounts => crate::predicate::parse(text)
                .map(|k| k.len())
                .map_err(|e| (e.line, e.message)),
        }
    }
}

/// The list as the supervisor last wrote it (empty when never set).
pub fn text(store: &Store, list: DetectionList) -> nexus_store::Result<String> {
    Ok(store
        .read(|db| db.setting(list.setting()))?
        .unwrap_or_default())
}

/// The list as written and how many items it names (none when it no
/// longer reads).
pub fn stored(store: &Store, list: DetectionList) -> nexus_store::Result<(String, usize)> {
    let text = text(store, list)?;
    let count = list.count(&text).unwrap_or(0);
    Ok((text, count))
}

/// Replaces a list: a supervisor's decision (or the operator's, `who`
/// `None`, actor "cli"), audited with the counts before and after. Returns
/// how many items the new list names.
pub fn set(
    store: &Store,
    who: Option<&Principal>,
    list: DetectionList,
    text: &str,
) -> Result<usize, FiuError> {
    let (forbidden, bad_line) = list.refusals();
    if who.is_some_and(|p| p.role != Role::Supervisor) {
        return Err(FiuError::Forbidden(say(forbidden)));
    }
    let actor = who.map_or_else(|| "cli".to_string(), |p| p.actor.clone());
    let now = list.count(text).map_err(|(line, problem)| {
        FiuError::Invalid(say(bad_line).with("line", line).with("problem", problem))
    })?;
    let (_, before) = stored(store, list)?;
    let (action, what) = list.audited_as();
    store.write(|db| {
        db.set_setting(list.setting(), text)?;
        db.audit(&AuditRecord {
            actor,
            action: action.into(),
            object: "settings".into(),
            detail: format!("{what}: {before} before, {now} now"),
            ..AuditRecord::default()
        })
    })?;
    Ok(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_is_named_once() {
        for l in DetectionList::ALL {
            assert_eq!(DetectionList::from_slug(l.slug()), Some(l));
        }
        assert_eq!(DetectionList::from_slug("models"), None);
    }
}
