//! The goAML intake reader on the real FIU samples in `../shared` and on
//! arbitrary input.

use nexus_formats::goaml_intake::{read_goaml_report, ReportedKind};
use proptest::prelude::*;
use std::path::PathBuf;

fn samples() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/goaml/uae-5.0.2/samples");
    dir.is_dir().then_some(dir)
}

#[test]
#[ignore = "needs ../shared"]
fn every_published_sample_is_accepted_with_its_subjects() {
    let Some(dir) = samples() else {
        assert!(
            std::env::var_os("NEXUS_REQUIRE_SHARED").is_none(),
            "../shared/reference/goaml is required (NEXUS_REQUIRE_SHARED is set)"
        );
        eprintln!("../shared absent: skipped");
        return;
    };
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let report = read_goaml_report(&path.display().to_string(), &bytes)
            .unwrap_or_else(|p| panic!("{}: {p:?}", path.display()));
        assert!(!report.subjects.is_empty(), "{}", path.display());
        read += 1;
    }
    assert_eq!(read, 10);
    let str_ = std::fs::read(dir.join("STR.xml")).unwrap();
    let r = read_goaml_report("STR.xml", &str_).unwrap();
    assert_eq!(r.report_code, "STR");
    assert_eq!(r.transactions.len(), 1);
    let t = &r.transactions[0];
    let from = &r.subjects[t.from.as_ref().unwrap().subject.unwrap()];
    assert_eq!(from.name, "Layla Hassan");
    assert!(from.my_client);
    assert_eq!(from.kind, ReportedKind::Person);
    assert_eq!(r.indicators, vec!["STRUC".to_string()]);
    let dpmsr = std::fs::read(dir.join("USG-dpmsr-activity.xml")).unwrap();
    let r = read_goaml_report("dpmsr.xml", &dpmsr).unwrap();
    assert!(r.transactions.is_empty());
    assert!(r
        .subjects
        .iter()
        .any(|s| s.kind == ReportedKind::Entity && s.name == "SAMPLE JEWELLERY L.L.C"));
    assert!(r.subjects.iter().any(|s| s.role == "director"));
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_goaml_report("x.xml", &bytes);
    }

    #[test]
    fn never_panics_on_arbitrary_element_text(text in "\\PC{0,40}") {
        let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
        let doc = format!("<report><rentity_id>{escaped}</rentity_id><submission_code>{escaped}</submission_code><report_code>STR</report_code><entity_reference>{escaped}</entity_reference><submission_date>{escaped}</submission_date><currency_code_local>{escaped}</currency_code_local><transaction><transactionnumber>1</transactionnumber><date_transaction>{escaped}</date_transaction><transmode_code>E</transmode_code><amount_local>{escaped}</amount_local></transaction></report>");
        let r = read_goaml_report("x.xml", doc.as_bytes());
        prop_assert!(r.is_err());
    }
}
