//! List updates: what changed between two versions of a list, and which
//! customers now match or no longer match, found by screening against
//! only the entries that changed.

use crate::index::ScreeningIndex;
use crate::matcher::{Match, Screener};
use crate::query::Query;
use nexus_formats::lists::ListedEntry;
use std::collections::{BTreeSet, HashMap};

/// The difference between two versions of a list, by entry id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListDiff {
    /// Indices into the new list.
    pub added: Vec<usize>,
    /// Indices into the old list.
    pub removed: Vec<usize>,
    /// (old index, new index, what changed).
    pub changed: Vec<(usize, usize, Vec<String>)>,
    /// Entries present and identical in both.
    pub unchanged: usize,
}

fn set<T: Ord + Clone>(items: impl Iterator<Item = T>) -> BTreeSet<T> {
    items.collect()
}

/// Describes how `new` differs from `old` (same id), field by field.
fn changes(old: &ListedEntry, new: &ListedEntry) -> Vec<String> {
    let mut out = Vec::new();
    let old_names = set(old.names.iter().map(|n| n.text.clone()));
    let new_names = set(new.names.iter().map(|n| n.text.clone()));
    for n in new_names.difference(&old_names) {
        out.push(format!("name added: {n}"));
    }
    for n in old_names.difference(&new_names) {
        out.push(format!("name removed: {n}"));
    }
    let fmt_dates = |e: &ListedEntry| set(e.birth_dates.iter().map(|d| format!("{d:?}")));
    if fmt_dates(old) != fmt_dates(new) {
        out.push("birth dates changed".into());
    }
    let codes = |v: &[nexus_model::Country]| set(v.iter().map(|c| c.as_str().to_string()));
    if codes(&old.nationalities) != codes(&new.nationalities) {
        out.push(format!(
            "nationality {:?} -> {:?}",
            codes(&old.nationalities),
            codes(&new.nationalities)
        ));
    }
    let docs = |e: &ListedEntry| set(e.documents.iter().map(|d| d.number.clone()));
    if docs(old) != docs(new) {
        out.push("documents changed".into());
    }
    if old.reference != new.reference {
        out.push(format!("reference {} -> {}", old.reference, new.reference));
    }
    if old.kind != new.kind {
        out.push(format!(
            "kind {} -> {}",
            old.kind.as_str(),
            new.kind.as_str()
        ));
    }
    if set(old.crypto_addresses.iter().cloned()) != set(new.crypto_addresses.iter().cloned()) {
        out.push("digital-currency addresses changed".into());
    }
    out
}

/// Compares two versions of a list by entry id.
pub fn diff_lists(old: &[ListedEntry], new: &[ListedEntry]) -> ListDiff {
    let old_ids: HashMap<&str, usize> = old
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let new_ids: HashMap<&str, usize> = new
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let mut diff = ListDiff::default();
    for (ni, e) in new.iter().enumerate() {
        match old_ids.get(e.id.as_str()) {
            None => diff.added.push(ni),
            Some(&oi) => {
                let c = changes(&old[oi], e);
                if c.is_empty() {
                    diff.unchanged += 1;
                } else {
                    diff.changed.push((oi, ni, c));
                }
            }
        }
    }
    for (oi, e) in old.iter().enumerate() {
        if !new_ids.contains_key(e.id.as_str()) {
            diff.removed.push(oi);
        }
    }
    diff
}

/// How a customer's standing changed with the list update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RescreenStatus {
    NowMatches,
    NoLongerMatches,
    StillMatches,
}

impl RescreenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RescreenStatus::NowMatches => "now_matches",
            RescreenStatus::NoLongerMatches => "no_longer_matches",
            RescreenStatus::StillMatches => "still_matches",
        }
    }
}

/// One customer × changed entry.
#[derive(Debug, Clone, PartialEq)]
pub struct RescreenRow {
    /// Index into the queries.
    pub query: usize,
    pub entry_id: String,
    pub reference: String,
    pub status: RescreenStatus,
    /// What happened to the entry: added, removed or changed.
    pub change: &'static str,
    pub before: Option<f32>,
    pub after: Option<f32>,
    pub matched_name: String,
    pub explanation: String,
}

/// Re-screens `queries` after a list update. Only entries that were
/// added, removed or changed are indexed (with rarity weights of their
/// whole list), so the cost follows the size of the update, not the list.
pub fn rescreen(
    old: &[ListedEntry],
    new: &[ListedEntry],
    queries: &[Query],
    threshold: f32,
) -> (ListDiff, Vec<RescreenRow>) {
    let diff = diff_lists(old, new);
    let mut old_marked = vec![false; old.len()];
    let mut new_marked = vec![false; new.len()];
    for &i in &diff.removed {
        old_marked[i] = true;
    }
    for &i in &diff.added {
        new_marked[i] = true;
    }
    for (oi, ni, _) in &diff.changed {
        old_marked[*oi] = true;
        new_marked[*ni] = true;
    }
    let before_index = ScreeningIndex::build_subset(old.to_vec(), &old_marked);
    let after_index = ScreeningIndex::build_subset(new.to_vec(), &new_marked);
    let mut before = Screener::new(&before_index, threshold);
    let mut after = Screener::new(&after_index, threshold);
    let mut changes: HashMap<&str, &'static str> = HashMap::new();
    changes.extend(diff.added.iter().map(|&i| (new[i].id.as_str(), "added")));
    changes.extend(
        diff.removed
            .iter()
            .map(|&i| (old[i].id.as_str(), "removed")),
    );
    let change_of = |id: &str| changes.get(id).copied().unwrap_or("changed");
    let mut rows = Vec::new();
    for (qi, q) in queries.iter().enumerate() {
        let was: Vec<Match> = before.screen(q);
        let now: Vec<Match> = after.screen(q);
        for m in &now {
            let e = &after_index.entries()[m.entry];
            let prior = was
                .iter()
                .find(|w| before_index.entries()[w.entry].id == e.id)
                .map(|w| w.score);
            rows.push(RescreenRow {
                query: qi,
                entry_id: e.id.clone(),
                reference: e.reference.clone(),
                status: if prior.is_some() {
                    RescreenStatus::StillMatches
                } else {
                    RescreenStatus::NowMatches
                },
                change: change_of(&e.id),
                before: prior,
                after: Some(m.score),
                matched_name: e.names[m.name].text.clone(),
                explanation: m.explanation(),
            });
        }
        for w in &was {
            let e = &before_index.entries()[w.entry];
            if now
                .iter()
                .any(|m| after_index.entries()[m.entry].id == e.id)
            {
                continue;
            }
            rows.push(RescreenRow {
                query: qi,
                entry_id: e.id.clone(),
                reference: e.reference.clone(),
                status: RescreenStatus::NoLongerMatches,
                change: change_of(&e.id),
                before: Some(w.score),
                after: None,
                matched_name: e.names[w.name].text.clone(),
                explanation: w.explanation(),
            });
        }
    }
    (diff, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::DEFAULT_THRESHOLD;
    use nexus_formats::lists::{NameQuality, SubjectKind};

    fn entry(id: &str, names: &[&str]) -> ListedEntry {
        let mut e = ListedEntry::new(id, SubjectKind::Person);
        for n in names {
            e.add_name(n, NameQuality::Primary);
        }
        e
    }

    #[test]
    fn diff_and_rescreen() {
        let old = vec![
            entry("1", &["Jamshed Juraev"]),
            entry("2", &["Osman Qurbanov"]),
            entry("3", &["Sirajuddin Haqqani"]),
        ];
        let new = vec![
            entry("1", &["Jamshed Juraev"]),
            entry("3", &["Sirajuddin Haqqani", "Khalifa Sahib"]),
            entry("4", &["Rustam Nazarov"]),
        ];
        let d = diff_lists(&old, &new);
        assert_eq!(d.added, [2]);
        assert_eq!(d.removed, [1]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].2, ["name added: Khalifa Sahib"]);
        assert_eq!(d.unchanged, 1);
        let queries = vec![
            Query::new("a", "Rustam Nazarov"),
            Query::new("b", "Usmon Kurbonov"),
            Query::new("c", "Jamshed Juraev"),
            Query::new("d", "Khalifa Sahib"),
        ];
        let (_, rows) = rescreen(&old, &new, &queries, DEFAULT_THRESHOLD);
        let got: Vec<(usize, &str, &str)> = rows
            .iter()
            .map(|r| (r.query, r.entry_id.as_str(), r.status.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (0, "4", "now_matches"),
                (1, "2", "no_longer_matches"),
                (3, "3", "now_matches")
            ]
        );
    }
}
