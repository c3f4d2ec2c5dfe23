//! The regression file of name-pair classes (`tests/data/name_pairs.csv`):
//! every class the issues found, with the outcome a screening officer
//! expects. Rows marked `holds` must hold; rows marked `gap` are known
//! weaknesses, reported (and counted) but not failed on — when one starts
//! to hold, the test says so, and the row is promoted.

use nexus_formats::lists::{BirthDate, ListedEntry, NameQuality, SubjectKind};
use nexus_screen::{Query, Screener, ScreeningIndex, DEFAULT_THRESHOLD};

struct Row {
    class: String,
    query: String,
    query_birth: String,
    listed: String,
    listed_birth: String,
    kind: SubjectKind,
    expected_match: bool,
    holds: bool,
}

fn rows() -> Vec<Row> {
    let mut r = csv::Reader::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/name_pairs.csv"
    ))
    .expect("the regression file");
    r.records()
        .map(|rec| {
            let rec = rec.expect("a well-formed row");
            Row {
                class: rec[0].to_string(),
                query: rec[1].to_string(),
                query_birth: rec[2].to_string(),
                listed: rec[3].to_string(),
                listed_birth: rec[4].to_string(),
                kind: if &rec[5] == "person" {
                    SubjectKind::Person
                } else {
                    SubjectKind::Organisation
                },
                expected_match: &rec[6] == "match",
                holds: &rec[7] == "holds",
            }
        })
        .collect()
}

fn birth(text: &str) -> Option<BirthDate> {
    if text.is_empty() {
        None
    } else {
        BirthDate::parse_loose(text)
    }
}

#[test]
fn every_class_of_the_regression_file_has_its_expected_outcome() {
    let rows = rows();
    // One list of every listed name: weights come from a list, not one entry.
    let entries: Vec<ListedEntry> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut e = ListedEntry::new(format!("E{i}"), r.kind);
            e.add_name(&r.listed, NameQuality::Primary);
            e.birth_dates.extend(birth(&r.listed_birth));
            e
        })
        .collect();
    let index = ScreeningIndex::build(entries);
    let mut screener = Screener::new(&index, DEFAULT_THRESHOLD);
    // What the pair scored when under the threshold, to say by how much.
    let mut everything = Screener::new(&index, 0.0);
    let (mut failures, mut gaps, mut closed) = (Vec::new(), Vec::new(), Vec::new());
    for (i, r) in rows.iter().enumerate() {
        let mut q = Query::new(format!("q{i}"), r.query.clone());
        q.birth_date = birth(&r.query_birth);
        q.kind = r.kind;
        let found = screener.screen(&q);
        let hit = found
            .iter()
            .find(|m| index.entries()[m.entry].id == format!("E{i}"));
        let outcome = hit.is_some() == r.expected_match;
        let line = format!(
            "{}: {:?} vs {:?} expected {} got {}",
            r.class,
            r.query,
            r.listed,
            if r.expected_match {
                "match"
            } else {
                "no match"
            },
            match hit {
                Some(m) => format!("{:.3} ({})", m.score, m.explanation()),
                None => everything
                    .screen(&q)
                    .iter()
                    .find(|m| index.entries()[m.entry].id == format!("E{i}"))
                    .map_or("no match (not retrieved)".to_string(), |m| {
                        format!("no match: {:.3} ({})", m.score, m.explanation())
                    }),
            }
        );
        match (r.holds, outcome) {
            (true, false) => failures.push(line),
            (false, false) => gaps.push(line),
            (false, true) => closed.push(line),
            (true, true) => {}
        }
    }
    for g in &gaps {
        eprintln!("known gap: {g}");
    }
    for c in &closed {
        eprintln!("a known gap now holds, promote it: {c}");
    }
    eprintln!(
        "{} rows: {} hold, {} known gaps",
        rows.len(),
        rows.len() - failures.len() - gaps.len(),
        gaps.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
