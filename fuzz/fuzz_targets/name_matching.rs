#![no_main]
//! Name analysis and screening on arbitrary text: any script, controls,
//! enormous names. Never panics; similarities stay within 0..=1.
use libfuzzer_sys::fuzz_target;
use nexus_formats::lists::{ListedEntry, NameQuality, SubjectKind};
use nexus_screen::{Query, ScreeningIndex, Screener};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_at(text.char_indices().nth(text.chars().count() / 2).map_or(0, |c| c.0));
    for pa in nexus_names::analyse(a) {
        for pb in nexus_names::analyse(b) {
            let (s, _) = nexus_names::compare_parts(&pa, &pb);
            assert!((0.0..=1.0).contains(&s));
        }
    }
    let mut e = ListedEntry::new("1", SubjectKind::Person);
    e.add_name(a, NameQuality::Primary);
    let index = ScreeningIndex::build(vec![e]);
    let mut s = Screener::new(&index, 0.0);
    for m in s.screen(&Query::new("q", b)) {
        assert!((0.0..=1.0).contains(&m.score));
        let _ = m.explanation();
    }
});
