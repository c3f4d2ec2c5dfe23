//! Screening gives the same matches however it is run — at the threshold
//! or screened down to nothing and filtered, one query at a time or in a
//! batch, on one thread or two — for names mistyped, cut, joined and
//! reordered at random from a list of the region's kinds of names. The
//! candidate bound that passes over names before they are scored must
//! count everything a rule can add (initials, short slips, compound
//! halves, letters run together); this is where a rule that forgot to
//! would show.

use nexus_formats::lists::{ListedEntry, NameQuality, SubjectKind};
use nexus_screen::{screen_all, Query, Screener, ScreeningIndex, DEFAULT_THRESHOLD};
use proptest::prelude::*;

const LISTED: &[&str] = &[
    "Abdul Ghani Agha",
    "Hafiz Abdul Salam Bhuttavi",
    "Saif-al-Din Fulayyih Hassan Taha al-Rawi",
    "Kim Yong Chol",
    "Omar Ali Hussain",
    "Jamshed Rahimov",
    "Rustam Ibrahimovich Karimov",
    "Muhammad Jibril Abdul Rahman",
    "Abdul Rahman Yasin",
    "Sirajuddin Haqqani",
    "عبد الواحد شفيق",
    "Vladimir Vladimirovich Putin",
];

fn index() -> ScreeningIndex {
    let entries = LISTED
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut e = ListedEntry::new(format!("E{i}"), SubjectKind::Person);
            e.add_name(name, NameQuality::Primary);
            e
        })
        .collect();
    ScreeningIndex::build(entries)
}

/// A listed name changed as clerks and other lists change names: a word
/// dropped, two words swapped, a letter typed wrong, dropped or doubled,
/// a space taken out or put in.
fn variant() -> impl Strategy<Value = String> {
    (0..LISTED.len(), 0usize..6, any::<u16>(), any::<u16>()).prop_map(|(n, edit, a, b)| {
        let mut words: Vec<String> = LISTED[n].split(' ').map(str::to_string).collect();
        let w = a as usize % words.len();
        match edit {
            0 if words.len() > 1 => {
                words.remove(w);
            }
            1 if words.len() > 1 => {
                let v = b as usize % words.len();
                words.swap(w, v);
            }
            2..=4 => {
                let chars: Vec<char> = words[w].chars().collect();
                let i = b as usize % chars.len().max(1);
                let mut c = chars.clone();
                match edit {
                    2 => c[i] = 'x',
                    3 => {
                        c.remove(i);
                    }
                    _ => c.insert(i, chars[i]),
                }
                words[w] = c.into_iter().collect();
            }
            _ if words.len() > 1 && w + 1 < words.len() => {
                let next = words.remove(w + 1);
                words[w].push_str(&next);
            }
            _ => {}
        }
        words.join(" ")
    })
}

fn summary(found: &[nexus_screen::Match]) -> Vec<(usize, u32)> {
    found.iter().map(|m| (m.entry, m.score.to_bits())).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn screening_is_the_same_however_it_is_run(names in prop::collection::vec(variant(), 1..6)) {
        let index = index();
        let queries: Vec<Query> = names
            .iter()
            .enumerate()
            .map(|(i, n)| Query::new(format!("q{i}"), n.as_str()))
            .collect();
        let mut at_threshold = Screener::new(&index, DEFAULT_THRESHOLD);
        let mut everything = Screener::new(&index, 0.0);
        let one = screen_all(&index, &queries, DEFAULT_THRESHOLD, 1);
        let two = screen_all(&index, &queries, DEFAULT_THRESHOLD, 2);
        for (i, q) in queries.iter().enumerate() {
            let alone = at_threshold.screen(q);
            let filtered: Vec<_> = everything
                .screen(q)
                .into_iter()
                .filter(|m| m.score >= DEFAULT_THRESHOLD)
                .collect();
            prop_assert_eq!(summary(&alone), summary(&filtered), "bound: {}", q.name);
            prop_assert_eq!(summary(&alone), summary(&one[i]), "batch: {}", q.name);
            prop_assert_eq!(summary(&one[i]), summary(&two[i]), "threads: {}", q.name);
        }
    }
}
