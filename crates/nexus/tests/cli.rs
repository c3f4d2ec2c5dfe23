//! The command line as a user meets it: good runs, and bad input that gets a
//! clear error, a nonzero exit and no half-written output.

mod common;
use common::*;

use std::path::Path;

#[test]
fn simulate_writes_a_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    let o = nexus(&[
        "simulate",
        "--seed",
        "3",
        "--persons",
        "500",
        "--days",
        "14",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "institutions.csv",
        "parties.csv",
        "accounts.csv",
        "transactions.csv",
        "labels.csv",
        "scenario.json",
        "lists/scenario-list.xml",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    assert!(stderr(&o).contains("transactions"));
}

#[test]
fn bad_flags_and_sizes_are_refused() {
    let o = nexus(&["simulate", "--out", "/tmp/x", "--bogus"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--bogus"), "{}", stderr(&o));

    let o = nexus(&["simulate", "--out", "/tmp/x", "--persons", "-3"]);
    assert!(!o.status.success());

    let o = nexus(&["simulate", "--out", "/tmp/nexus-never", "--persons", "1"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--persons must be between"),
        "{}",
        stderr(&o)
    );
    assert!(!Path::new("/tmp/nexus-never").exists());

    let o = nexus(&["simulate", "--out", "/tmp/x", "--start", "2026-02-30"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("2026-02-30"), "{}", stderr(&o));
}

#[test]
fn unwritable_output_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = file.join("sub");
    let o = nexus(&[
        "simulate",
        "--persons",
        "200",
        "--days",
        "7",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("output directory"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn malformed_convert_input_names_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("trans.csv");
    std::fs::write(
        &input,
        "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering\n\
         2022/09/01 00:20,010,A,010,B,1.00,US Dollar,1.00,US Dollar,Wire,0\n\
         2022/09/01 00:20,010,A,010,B,1.00,US Dollar,one,US Dollar,Wire,0\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = nexus(&[
        "convert",
        "--from",
        "amlworld",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("trans.csv") && e.contains("line 3, column 8") && e.contains("Amount Paid"),
        "{e}"
    );
    assert!(!out.exists(), "no half-written dataset");

    let o = nexus(&[
        "convert",
        "--from",
        "amlsim",
        tmp.path().join("missing").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("missing"), "{}", stderr(&o));
}

#[test]
#[ignore = "needs ../shared"]
fn converts_real_amlsim_output() {
    let input = shared().join("data/amlsim/seed8-10k-accounts");
    if !common::require_shared(&input) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("amlsim");
    let o = nexus(&[
        "convert",
        "--from",
        "amlsim",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let labels = std::fs::read_to_string(out.join("labels.csv")).unwrap();
    let tx_labels = labels
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(2).is_some_and(|t| !t.is_empty()))
        .count();
    assert_eq!(
        tx_labels, 704,
        "the 704 laundering transactions of the real data"
    );
    assert!(
        labels.contains(",fan_in,")
            && labels.contains(",cycle,")
            && labels.contains(",scatter_gather,")
    );
    let txs = std::fs::read_to_string(out.join("transactions.csv")).unwrap();
    assert_eq!(
        txs.lines().count(),
        200_397,
        "header plus every transaction"
    );
    let parties = std::fs::read_to_string(out.join("parties.csv")).unwrap();
    assert!(parties.lines().count() > 10_000);
}
