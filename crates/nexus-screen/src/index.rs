//! The list index: every name of every entry analysed once, its parts
//! deduplicated into a vocabulary with rarity weights, and the vocabulary
//! reachable by consonant skeleton, by skeleton with one consonant deleted
//! (typos, transpositions) and by surname stem.

use nexus_formats::lists::{ListedEntry, NameQuality};
use nexus_names::{analyse, consonant_classes, NamePart, PartRole};
/// The index's maps hash with foldhash: they are looked up for every part
/// of every screened name (SipHash, std's default, was a percent of a run).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// One distinct name part of the list.
#[derive(Debug)]
pub(crate) struct VocabPart {
    pub part: NamePart,
    /// In how many entries it occurs.
    pub df: u32,
    /// Rarity weight: high for a part few entries share.
    pub weight: f32,
}

/// One name of one entry.
#[derive(Debug)]
pub(crate) struct IndexedName {
    pub entry: u32,
    /// Position in the entry's `names`.
    pub name: u16,
    pub quality: NameQuality,
    pub parts: Vec<(u32, PartRole)>,
    /// Numbers the name carries (Fund II, Brigade 313); mostly none.
    pub numbers: Vec<u32>,
}

/// A searchable list (or several lists merged).
#[derive(Debug)]
pub struct ScreeningIndex {
    pub(crate) entries: Vec<ListedEntry>,
    pub(crate) names: Vec<IndexedName>,
    pub(crate) vocab: Vec<VocabPart>,
    by_folded: HashMap<Box<str>, u32>,
    by_skeleton: HashMap<Box<str>, Vec<u32>>,
    by_deletion: HashMap<Box<str>, Vec<u32>>,
    by_stem: HashMap<Box<str>, Vec<u32>>,
    by_class: HashMap<Box<str>, Vec<u32>>,
    /// The written form with one letter deleted (SymSpell's symmetric
    /// deletions): one typed letter wrong, missing, added or two swapped
    /// reach the part even where the slip changes the phonetic skeleton
    /// (MARHIEU for Mathieu, TCAM for Tcham, HSEKA for Sheka).
    by_letter_deletion: HashMap<Box<str>, Vec<u32>>,
    posting_start: Vec<u32>,
    postings: Vec<u32>,
    /// Parts in more entries than this do not retrieve candidates on their
    /// own: a common part alone never makes a match.
    pub(crate) common_df: u32,
    /// Weight of a part the list does not contain.
    pub(crate) unseen_weight: f32,
    /// A name's own spelling of a part, by (entry, name, part), where it is
    /// not the vocabulary's (which is the first entry's spelling of the
    /// folded form: a Cyrillic `С` for the Latin `S` of another entry).
    /// Explanations show what this entry's name writes.
    own_spellings: HashMap<(u32, u16, u16), Box<str>>,
    /// Names the index made from a name written in two scripts, by (entry,
    /// name), with the name they came from: held out with it.
    derived: HashMap<(u32, u16), u16>,
    /// How many initials each indexed name has, by name: read for most
    /// candidate names before they are passed over, so kept dense here
    /// rather than behind each name.
    initials: Vec<u8>,
    /// `Abd` compounds by the key of their second half (Abdul Rahman under
    /// `rahman`), which alone may stand for them.
    by_abd_rest: HashMap<Box<str>, Vec<u32>>,
    /// Every indexed name by a hash of its letters run together (spaces,
    /// hyphens and apostrophes gone, every letter kept), sorted: a name
    /// whose spaces fell elsewhere (Sai-Fal-Din / Saif-al-Din) is found by
    /// its letters whatever parts the analysis made of it. 16 bytes a name.
    by_letters: Vec<(u64, u32)>,
}

/// The hash the index keeps a name's letters by (foldhash with a fixed
/// seed: the index and the queries must agree).
fn letters_hash(letters: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x006e_6578_7573).hash_one(letters)
}

/// Skeletons shorter than this are not varied by deletion: one consonant
/// less of a two-consonant name is another name.
const MIN_DELETION_SKELETON: usize = 2;

pub(crate) fn deletions(skeleton: &str) -> impl Iterator<Item = String> + '_ {
    let b = skeleton.as_bytes();
    let n = if b.len() >= MIN_DELETION_SKELETON && skeleton.is_ascii() {
        b.len()
    } else {
        0
    };
    (0..n).filter_map(move |i| {
        // Deleting one of a repeated pair gives the same variant twice.
        if i > 0 && b[i] == b[i - 1] {
            return None;
        }
        let mut s = String::with_capacity(b.len() - 1);
        s.push_str(&skeleton[..i]);
        s.push_str(&skeleton[i + 1..]);
        Some(s)
    })
}

/// Written parts shorter than this are not varied letter by letter: one
/// letter of a three-letter name changes it into another name.
const MIN_LETTER_DELETION: usize = 5;

/// Parts this long are varied letter by letter however few consonants
/// they have (Rezaee, Mousavi's vowels carry the name).
const LONG_FEW_CONSONANTS: usize = 5;

/// A written (folded) part with one letter deleted, for parts long enough
/// — and, as for skeletons, not for a short name of two consonants (Amin
/// is not Amir); a long one is (Rezaee / Renaee).
fn letter_deletions(part: &NamePart) -> impl Iterator<Item = String> + '_ {
    deletions(if varies_by_letter(part) {
        &part.folded
    } else {
        ""
    })
}

/// Whether a part is varied letter by letter (see [`letter_deletions`]).
fn varies_by_letter(part: &NamePart) -> bool {
    (MIN_LETTER_DELETION..=20).contains(&part.folded.len())
        && (part.skeleton.len() > MIN_DELETION_SKELETON || part.folded.len() >= LONG_FEW_CONSONANTS)
}

/// Words an acronym leaves out (the Organization *of* …, Jama'at *al* …).
const ACRONYM_SKIPS: &[&str] = &[
    "of", "the", "and", "for", "in", "on", "de", "la", "du", "des", "et", "al", "el", "wa",
];

/// Shortest and longest acronym made: shorter ones (HUM, ISI) collide with
/// ordinary short names and words.
const ACRONYM_LETTERS: std::ops::RangeInclusive<usize> = 4..=8;

/// Adds to an organisation the initials of each of its names of four to
/// eight words (LIFG for "Libyan Islamic Fighting Group"), unless the list
/// gives them already: a query by acronym then finds the entry, as the
/// publishers' own acronym aliases do.
/// Adds each rendering of a name written in two scripts at once (a UN
/// entry's `Abdelali Abou Dher (عبد العالي ابو ذر)`) as a name of its own,
/// at the same quality: a query in either script then meets a whole name
/// rather than half of one. Returns (added name, the name it came from).
fn add_script_runs(entry: &mut ListedEntry) -> Vec<(u16, u16)> {
    let mut made: Vec<(String, NameQuality, usize)> = Vec::new();
    for (i, name) in entry.names.iter().enumerate() {
        for run in nexus_names::script_runs(&name.text).unwrap_or_default() {
            let known =
                entry.names.iter().any(|n| n.text == run) || made.iter().any(|(t, _, _)| *t == run);
            if !known {
                made.push((run, name.quality, i));
            }
        }
    }
    let mut derived = Vec::new();
    for (text, quality, source) in made {
        if entry.names.len() >= u16::MAX as usize {
            break;
        }
        derived.push((entry.names.len() as u16, source as u16));
        entry
            .names
            .push(nexus_formats::lists::ListedName { text, quality });
    }
    derived
}

fn add_acronyms(entry: &mut ListedEntry) {
    if entry.kind != nexus_formats::lists::SubjectKind::Organisation {
        return;
    }
    let mut made = Vec::new();
    for name in &entry.names {
        if matches!(name.quality, NameQuality::Weak | NameQuality::Acronym) {
            continue;
        }
        let initials: String = analyse(&name.text)
            .iter()
            .filter(|p| matches!(p.role, PartRole::Name | PartRole::Legal))
            .filter(|p| !ACRONYM_SKIPS.contains(&p.folded.as_str()))
            .filter_map(|p| p.folded.chars().next())
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if ACRONYM_LETTERS.contains(&initials.len()) {
            made.push(initials);
        }
        // Also with the article's letter, which the analysis drops as a
        // particle: AQAP for "Al-Qaida in the Arabian Peninsula".
        let tokens = nexus_names::fold_tokens(&name.text);
        if tokens
            .iter()
            .any(|t| matches!(t.folded.as_str(), "al" | "el"))
        {
            let with_article: String = tokens
                .iter()
                .filter(|t| {
                    let f = t.folded.as_str();
                    matches!(f, "al" | "el") || !ACRONYM_SKIPS.contains(&f)
                })
                .filter_map(|t| t.folded.chars().next())
                .filter(char::is_ascii_alphabetic)
                .map(|c| c.to_ascii_uppercase())
                .collect();
            if ACRONYM_LETTERS.contains(&with_article.len()) && !made.contains(&with_article) {
                made.push(with_article);
            }
        }
    }
    for acronym in made {
        let known = entry
            .names
            .iter()
            .any(|n| n.text.eq_ignore_ascii_case(&acronym));
        if !known {
            entry.names.push(nexus_formats::lists::ListedName {
                text: acronym,
                quality: NameQuality::Acronym,
            });
        }
    }
}

impl ScreeningIndex {
    /// Indexes every name of every entry.
    pub fn build(entries: Vec<ListedEntry>) -> ScreeningIndex {
        let all = vec![true; entries.len()];
        ScreeningIndex::build_subset(entries, &all)
    }

    /// Indexes the names of the entries marked in `indexed` only, with
    /// rarity weights computed over all entries: re-screening against what
    /// changed in a list weighs names as the whole list does.
    pub fn build_subset(mut entries: Vec<ListedEntry>, indexed: &[bool]) -> ScreeningIndex {
        let mut derived: HashMap<(u32, u16), u16> = HashMap::default();
        for (e, entry) in entries.iter_mut().enumerate() {
            for (name, source) in add_script_runs(entry) {
                derived.insert((e as u32, name), source);
            }
            add_acronyms(entry);
        }
        let mut vocab: Vec<VocabPart> = Vec::new();
        let mut by_folded: HashMap<Box<str>, u32> = HashMap::default();
        let mut names: Vec<IndexedName> = Vec::new();
        let mut seen_in_entry: Vec<u32> = Vec::new();
        let mut by_letters: Vec<(u64, u32)> = Vec::new();
        let mut own_spellings: HashMap<(u32, u16, u16), Box<str>> = HashMap::default();
        for (ei, entry) in entries.iter().enumerate() {
            let ei = ei as u32;
            for (ni, name) in entry.names.iter().enumerate().take(u16::MAX as usize) {
                let mut parts = Vec::new();
                let (analysed, letters) = nexus_names::analyse_with_letters(&name.text);
                for part in analysed {
                    let role = part.role;
                    let id = match by_folded.get(part.folded.as_str()) {
                        Some(&id) => {
                            if vocab[id as usize].part.original != part.original
                                && parts.len() < u16::MAX as usize
                            {
                                own_spellings.insert(
                                    (ei, ni as u16, parts.len() as u16),
                                    part.original.into_boxed_str(),
                                );
                            }
                            id
                        }
                        None => {
                            let id = vocab.len() as u32;
                            by_folded.insert(part.folded.clone().into_boxed_str(), id);
                            vocab.push(VocabPart {
                                part,
                                df: 0,
                                weight: 0.0,
                            });
                            seen_in_entry.push(u32::MAX);
                            id
                        }
                    };
                    if seen_in_entry[id as usize] != ei {
                        seen_in_entry[id as usize] = ei;
                        vocab[id as usize].df += 1;
                    }
                    parts.push((id, role));
                }
                if !parts.is_empty() && indexed.get(ei as usize).copied().unwrap_or(false) {
                    by_letters.push((letters_hash(&letters), names.len() as u32));
                    names.push(IndexedName {
                        entry: ei,
                        name: ni as u16,
                        quality: name.quality,
                        parts,
                        numbers: nexus_names::numbers_in(&name.text),
                    });
                }
            }
        }
        by_letters.sort_unstable();
        let initials: Vec<u8> = names
            .iter()
            .map(|name| {
                let count = name
                    .parts
                    .iter()
                    .filter(|p| p.1 == PartRole::Initial)
                    .count();
                count.min(u8::MAX as usize) as u8
            })
            .collect();
        let mut by_abd_rest: HashMap<Box<str>, Vec<u32>> = HashMap::default();
        for (id, v) in vocab.iter().enumerate() {
            if let Some(rest) = nexus_names::abd_compound_rest(&v.part) {
                by_abd_rest
                    .entry(rest.as_ref().into())
                    .or_default()
                    .push(id as u32);
            }
        }
        let n = entries.len().max(1) as f32;
        for v in &mut vocab {
            v.weight = (1.0 + n / v.df.max(1) as f32).ln();
        }
        // Postings: vocabulary part → indexed names (CSR).
        let mut counts = vec![0u32; vocab.len() + 1];
        for name in &names {
            for &(v, _) in &name.parts {
                counts[v as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut postings = vec![0u32; counts[vocab.len()] as usize];
        let mut fill = counts.clone();
        for (ni, name) in names.iter().enumerate() {
            for &(v, _) in &name.parts {
                let slot = &mut fill[v as usize];
                postings[*slot as usize] = ni as u32;
                *slot += 1;
            }
        }
        let mut by_skeleton: HashMap<Box<str>, Vec<u32>> = HashMap::default();
        let mut by_deletion: HashMap<Box<str>, Vec<u32>> = HashMap::default();
        let mut by_stem: HashMap<Box<str>, Vec<u32>> = HashMap::default();
        let mut by_class: HashMap<Box<str>, Vec<u32>> = HashMap::default();
        let mut by_letter_deletion: HashMap<Box<str>, Vec<u32>> = HashMap::default();
        for (id, v) in vocab.iter().enumerate() {
            if counts[id + 1] == counts[id] {
                continue; // only in names that are not indexed
            }
            let id = id as u32;
            let p = &v.part;
            by_skeleton
                .entry(p.skeleton.as_str().into())
                .or_default()
                .push(id);
            for d in deletions(&p.skeleton) {
                by_deletion.entry(d.into_boxed_str()).or_default().push(id);
            }
            if p.stem != p.key {
                by_stem.entry(p.stem.as_str().into()).or_default().push(id);
            }
            let class = consonant_classes(&p.skeleton);
            if class != p.skeleton {
                by_class.entry(class.into_boxed_str()).or_default().push(id);
            }
            for d in letter_deletions(p) {
                by_letter_deletion
                    .entry(d.into_boxed_str())
                    .or_default()
                    .push(id);
            }
        }
        let common_df = ((entries.len() as f64 * 0.02) as u32).max(40);
        let unseen_weight = (1.0 + n).ln();
        ScreeningIndex {
            entries,
            names,
            vocab,
            by_folded,
            by_skeleton,
            by_deletion,
            by_stem,
            by_class,
            by_letter_deletion,
            posting_start: counts,
            postings,
            common_df,
            unseen_weight,
            own_spellings,
            initials,
            by_abd_rest,
            by_letters,
            derived,
        }
    }

    /// Whether a name part with this phonetic key is a part of some listed
    /// name (any spelling with the same key).
    pub(crate) fn knows_key(&self, part: &NamePart) -> bool {
        self.by_skeleton
            .get(part.skeleton.as_str())
            .is_some_and(|ids| {
                ids.iter()
                    .any(|&id| self.vocab[id as usize].part.key == part.key)
            })
    }

    /// The entries of the list, in list order.
    /// Whether a folded word is a part of some listed name.
    pub(crate) fn is_word(&self, folded: &str) -> bool {
        self.by_folded.contains_key(folded)
    }

    pub fn entries(&self) -> &[ListedEntry] {
        &self.entries
    }

    /// How many names are indexed.
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// How many distinct name parts the list has.
    pub fn vocabulary_size(&self) -> usize {
        self.vocab.len()
    }

    /// The name that name `name` of entry `entry` was made from, where
    /// the index made it (one rendering of a name in two scripts).
    pub fn derived_from(&self, entry: usize, name: usize) -> Option<usize> {
        self.derived
            .get(&(entry as u32, name as u16))
            .map(|&s| s as usize)
    }

    /// Calls `each` with the indexed names whose letters run together are
    /// `letters`, or `letters` with one letter left out (possibly a name
    /// whose hash only collides: the caller compares the letters).
    pub(crate) fn names_by_letters(&self, letters: &str, mut each: impl FnMut(u32)) {
        let mut find = |hash: u64| {
            let start = self.by_letters.partition_point(|&(h, _)| h < hash);
            self.by_letters[start..]
                .iter()
                .take_while(|&&(h, _)| h == hash)
                .for_each(|&(_, n)| each(n));
        };
        find(letters_hash(letters));
        if letters.is_ascii() {
            let mut buf = String::with_capacity(letters.len());
            for i in 0..letters.len() {
                buf.clear();
                buf.push_str(&letters[..i]);
                buf.push_str(&letters[i + 1..]);
                find(letters_hash(&buf));
            }
        }
    }

    /// How many initials indexed name `n` has.
    pub(crate) fn initials_of(&self, n: usize) -> usize {
        self.initials[n] as usize
    }

    /// How name `name` of entry `entry` writes its part `part` (vocabulary
    /// `vocab`).
    pub(crate) fn spelling(&self, entry: u32, name: u16, part: usize, vocab: u32) -> &str {
        self.own_spellings
            .get(&(entry, name, part as u16))
            .map_or(self.vocab[vocab as usize].part.original.as_str(), |s| s)
    }

    /// The indexed names a vocabulary part occurs in.
    pub(crate) fn postings(&self, vocab: u32) -> &[u32] {
        let s = self.posting_start[vocab as usize] as usize;
        let e = self.posting_start[vocab as usize + 1] as usize;
        &self.postings[s..e]
    }

    /// Calls `each` with the `Abd` compounds whose second half `part` is
    /// (Abdul Rahman for Rahman), or, when `part` is such a compound, with
    /// the parts that are its second half alone — in the same script.
    pub(crate) fn halves(&self, part: &NamePart, mut each: impl FnMut(u32)) {
        let same_script = |id: &u32| self.vocab[*id as usize].part.vowelless == part.vowelless;
        match nexus_names::abd_compound_rest(part) {
            None => {
                if let Some(ids) = self.by_abd_rest.get(part.key.as_str()) {
                    ids.iter()
                        .filter(|id| same_script(id))
                        .for_each(|&id| each(id));
                }
            }
            Some(rest) => {
                if let Some(ids) = self.by_skeleton.get(nexus_names::skeleton(&rest).as_str()) {
                    ids.iter()
                        .filter(|id| same_script(id))
                        .filter(|&&id| {
                            let v = &self.vocab[id as usize].part;
                            v.key == *rest && nexus_names::abd_compound_rest(v).is_none()
                        })
                        .for_each(|&id| each(id));
                }
            }
        }
    }

    /// Calls `each` with every vocabulary part that may be a spelling of
    /// `part` (possibly more than once).
    pub(crate) fn retrieve(&self, part: &NamePart, mut each: impl FnMut(u32)) {
        if let Some(&id) = self.by_folded.get(part.folded.as_str()) {
            each(id);
        }
        let mut from = |map: &HashMap<Box<str>, Vec<u32>>, key: &str| {
            if let Some(ids) = map.get(key) {
                ids.iter().for_each(|&id| each(id));
            }
        };
        from(&self.by_skeleton, &part.skeleton);
        from(&self.by_deletion, &part.skeleton);
        // A consonant substituted (deletion on both sides) is only a likely
        // slip in longer names; in a two-consonant name it is another name.
        let substitutions = part.skeleton.len() > MIN_DELETION_SKELETON;
        for d in deletions(&part.skeleton) {
            from(&self.by_skeleton, &d);
            if substitutions {
                from(&self.by_deletion, &d);
            }
        }
        if part.stem != part.key {
            from(&self.by_stem, &part.stem);
        }
        // Only vocabulary whose skeleton differs from its class skeleton is
        // in `by_class`; the rest was reached by skeleton already when equal.
        let class = consonant_classes(&part.skeleton);
        from(&self.by_class, &class);
        if class != part.skeleton {
            from(&self.by_skeleton, &class);
        }
        // One typed letter: missing here, wrong or swapped, or added here.
        let mut added_here: Vec<u32> = Vec::new();
        if varies_by_letter(part) {
            from(&self.by_letter_deletion, &part.folded);
            for variant in letter_deletions(part) {
                from(&self.by_letter_deletion, &variant);
                if let Some(&id) = self.by_folded.get(variant.as_str()) {
                    added_here.push(id);
                }
            }
        }
        added_here.into_iter().for_each(each);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_formats::lists::SubjectKind;

    #[test]
    fn deletion_variants() {
        let d: Vec<String> = deletions("rhmv").collect();
        assert_eq!(d, ["hmv", "rmv", "rhv", "rhm"]);
        assert_eq!(deletions("m").count(), 0);
        assert_eq!(deletions("mm").collect::<Vec<_>>(), ["m"]);
        assert_eq!(deletions("bbc").collect::<Vec<_>>(), ["bc", "bb"]);
    }

    #[test]
    fn rarity_and_postings() {
        let mut entries = Vec::new();
        for (i, name) in ["Muhammad Rahimov", "Muhammad Karimov", "Muhammad Nazarov"]
            .iter()
            .enumerate()
        {
            let mut e = ListedEntry::new(i.to_string(), SubjectKind::Person);
            e.add_name(name, NameQuality::Primary);
            entries.push(e);
        }
        let index = ScreeningIndex::build(entries);
        let common = index.by_folded["muhammad"];
        let rare = index.by_folded["rahimov"];
        assert!(index.vocab[common as usize].weight < index.vocab[rare as usize].weight);
        assert_eq!(index.postings(common).len(), 3);
        assert_eq!(index.postings(rare).len(), 1);
    }
}
