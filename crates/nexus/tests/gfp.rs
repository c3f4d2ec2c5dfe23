//! `nexus features --gfp` against snapml's GraphFeaturePreprocessor.
//!
//! `tests/data/gfp/` holds 1,200 random transactions (ties, self-transfers,
//! dense enough for scatter-gather and cycles), the GFP paper's parameters,
//! and what snapml 1.x computed for them in batches of 128 (its non-zero
//! values; written by `bench/gfp_golden.py`). Every one of the 282,000
//! values must come out equal. `bench/gfp_compare.py` does the same on
//! the one- and five-million transaction inputs with snapml itself.

mod common;

use common::{nexus, stderr};
use std::collections::HashMap;
use std::path::Path;

fn data() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gfp"))
}

#[test]
fn gfp_features_equal_snapml_on_every_value() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("features.csv");
    let o = nexus(&[
        "features",
        "--transactions",
        data().join("transactions.csv").to_str().unwrap(),
        "--gfp",
        data().join("params.json").to_str().unwrap(),
        "--batch",
        "128",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    let mut expected: HashMap<(usize, String), f64> = HashMap::new();
    let mut golden = csv::Reader::from_path(data().join("snapml.csv")).unwrap();
    for rec in golden.records() {
        let rec = rec.unwrap();
        expected.insert(
            (rec[0].parse().unwrap(), rec[1].to_string()),
            rec[2].parse().unwrap(),
        );
    }

    let mut ours = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = ours.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header.len(),
        1 + 235,
        "transaction_id and GFP's 235 columns"
    );
    let (mut rows, mut compared, mut nonzero) = (0, 0, 0);
    let mut wrong = Vec::new();
    for (row, rec) in ours.records().enumerate() {
        let rec = rec.unwrap();
        assert_eq!(&rec[0], &format!("T{row:09}"), "rows stay in input order");
        for (name, cell) in header.iter().zip(rec.iter()).skip(1) {
            let got: f64 = cell.parse().unwrap();
            let want = expected.get(&(row, name.clone())).copied().unwrap_or(0.0);
            nonzero += usize::from(want != 0.0);
            compared += 1;
            if (got - want).abs() > 1e-6 * want.abs().max(1.0) {
                wrong.push(format!("row {row} {name}: nexus {got}, snapml {want}"));
            }
        }
        rows += 1;
    }
    assert_eq!(rows, 1200);
    assert_eq!(compared, 1200 * 235);
    assert_eq!(nonzero, expected.len(), "every golden value was compared");
    assert!(
        wrong.is_empty(),
        "{} values differ, first: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );
    // The patterns are really there (the test would be hollow otherwise).
    for family in [
        "scatter_gather_",
        "temp_cycle_",
        "lc_cycle_",
        "fan_in_",
        "degree_out_",
    ] {
        let n = expected
            .keys()
            .filter(|(_, c)| c.starts_with(family))
            .count();
        assert!(
            n > 20,
            "{family}: only {n} non-zero values in the golden file"
        );
    }
}

/// `nexus features --gfp PARAMS` on the golden transactions.
fn features_with(params: &Path, out: &Path) -> std::process::Output {
    nexus(&[
        "features",
        "--transactions",
        data().join("transactions.csv").to_str().unwrap(),
        "--gfp",
        params.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn gfp_parameters_errors_name_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let params = tmp.path().join("p.json");
    std::fs::write(
        &params,
        r#"{"fan": true, "fan_tw": 3600, "fan_bins": [2, "x"]}"#,
    )
    .unwrap();
    let o = features_with(&params, &tmp.path().join("f.csv"));
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("fan_bins") && err.contains("\"x\""), "{err}");

    std::fs::write(&params, r#"{"fan": true, "fan_tw": 0, "fan_bins": [2, 3]}"#).unwrap();
    let o = features_with(&params, &tmp.path().join("f.csv"));
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("time window must be greater than zero"),
        "{}",
        stderr(&o)
    );
    assert!(
        !tmp.path().join("f.csv").exists(),
        "nothing written on bad parameters"
    );
}
