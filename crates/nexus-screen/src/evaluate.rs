//! Leave-one-name-out evaluation: the publishers' own variants of a name.
//!
//! A list entry with several names (the primary name, aliases, the name in
//! the subject's own script) is a set of variants that the list's
//! publisher, not this matcher, judged to be one person or organisation.
//! Each name in turn is left out of the index and screened: the entry must
//! be found through its other names. The matcher had no hand in making
//! these pairs. (The name left out still counts in the parts' rarity
//! weights: a small leak, the same for every name.)

use crate::index::ScreeningIndex;
use crate::matcher::Screener;
use crate::query::Query;
use nexus_formats::lists::NameQuality;
use nexus_model::Script;

/// One held-out name and what screening it found.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOut {
    pub entry: usize,
    pub name: usize,
    pub script: Script,
    pub quality: NameQuality,
    /// The entry was found through another of its names.
    pub found: bool,
    /// The best score of the entry, at or above the floor screened at.
    pub score: Option<f32>,
    /// Other entries matched at the threshold (family members and
    /// namesakes share names: not all of them are false).
    pub others: usize,
}

/// Screens every name of every entry with at least two names against the
/// index without that name, at `threshold`.
pub fn leave_one_name_out(index: &ScreeningIndex, threshold: f32) -> Vec<HeldOut> {
    let mut screener = Screener::new(index, threshold);
    let mut out = Vec::new();
    // Only the publishers' names are held out and counted: the acronyms and
    // the renderings of two-script names the index makes are its own (they
    // still find an entry, as they would in use; a held-out name's own
    // renderings are held out with it).
    for (e, entry) in index.entries().iter().enumerate() {
        let published = |n: usize| {
            entry.names[n].quality != NameQuality::Acronym && index.derived_from(e, n).is_none()
        };
        if (0..entry.names.len()).filter(|&n| published(n)).count() < 2 {
            continue;
        }
        for (n, name) in entry.names.iter().enumerate() {
            if !published(n) {
                continue;
            }
            let mut q = Query::new(format!("{}#{n}", entry.id), name.text.clone());
            q.kind = entry.kind;
            let found = screener.screen_without(&q, e, n);
            let own = found.iter().find(|m| m.entry == e);
            out.push(HeldOut {
                entry: e,
                name: n,
                script: nexus_names::detect_script(&name.text),
                quality: name.quality,
                found: own.is_some(),
                score: own.map(|m| m.score),
                others: found.iter().filter(|m| m.entry != e).count(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_formats::lists::{ListedEntry, SubjectKind};

    #[test]
    fn an_entry_is_found_through_its_other_names_only() {
        let mut a = ListedEntry::new("A", SubjectKind::Person);
        a.add_name("Jamshed Rahimov", NameQuality::Primary);
        a.add_name("Джамшед Рахимов", NameQuality::OriginalScript);
        a.add_name("Abu Bakr", NameQuality::Weak);
        let mut b = ListedEntry::new("B", SubjectKind::Person);
        b.add_name("Olga Petrova", NameQuality::Primary);
        let index = ScreeningIndex::build(vec![a, b]);
        let held = leave_one_name_out(&index, 0.8);
        assert_eq!(held.len(), 3, "entries of one name are not held out");
        assert!(held[0].found && held[1].found, "{held:?}");
        assert_eq!(held[1].script, Script::Cyrillic);
        assert!(!held[2].found, "a kunya shares nothing with the names");
    }

    #[test]
    fn a_name_in_two_scripts_is_held_out_with_its_renderings() {
        let mut a = ListedEntry::new("A", SubjectKind::Person);
        a.add_name(
            "Amir Khazmat (original script: Амир Хазмат)",
            NameQuality::Primary,
        );
        a.add_name("Abu Muhammad", NameQuality::Weak);
        let mut b = ListedEntry::new("B", SubjectKind::Person);
        b.add_name("Olga Petrova", NameQuality::Primary);
        let index = ScreeningIndex::build(vec![a, b]);
        // The index reads the two renderings as names of the entry...
        assert_eq!(index.entries()[0].names.len(), 4);
        assert_eq!(index.derived_from(0, 2), Some(0));
        let mut s = Screener::new(&index, 0.8);
        assert_eq!(s.screen(&Query::new("q", "Амир Хазмат")).len(), 1);
        // ...but holding the name out holds them out too: only the two
        // published names are queries, and neither finds the entry.
        let held = leave_one_name_out(&index, 0.8);
        assert_eq!(held.len(), 2, "{held:?}");
        assert!(held.iter().all(|h| !h.found), "{held:?}");
    }
}
