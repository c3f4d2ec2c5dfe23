//! Helpers shared by the end-to-end tests: run the binary, read its output.
// Each test file uses a different subset.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `nexus` with `args`.
pub fn nexus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nexus"))
        .args(args)
        .output()
        .expect("run nexus")
}

/// Writes `csv` (a plain-CSV list) beside the database and loads it with
/// `nexus lists load` under `name`, as an administrator does.
pub fn load_list(db: &str, dir: &Path, name: &str, csv: &str) {
    let path = dir.join(format!("{}.csv", name.replace(' ', "-")));
    std::fs::write(&path, csv).unwrap();
    let out = nexus(&[
        "lists",
        "load",
        "--db",
        db,
        path.to_str().unwrap(),
        "--name",
        name,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `../shared` beside the project root.
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// Whether a test that needs `path` from `../shared` can run. Such tests
/// are `#[ignore = "needs ../shared"]` (counted as skipped by a plain
/// `cargo test`); the test script runs them with `--include-ignored` and
/// `NEXUS_REQUIRE_SHARED=1` where `../shared` exists, and then a missing
/// file fails the test instead of skipping it.
pub fn require_shared(path: &Path) -> bool {
    if path.exists() {
        return true;
    }
    assert!(
        std::env::var_os("NEXUS_REQUIRE_SHARED").is_none(),
        "{} is required (NEXUS_REQUIRE_SHARED is set)",
        path.display()
    );
    eprintln!("{} absent: skipped", path.display());
    false
}

/// Rows of a CSV file as maps from column to value.
pub fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// Writes a scenario's parties as a screening queries CSV (`id,name,
/// birth_date,country,kind`), as a bank screens its customers; returns how
/// many customers it wrote.
pub fn customers_from_parties(scenario: &Path, out: &Path) -> usize {
    let mut queries = String::from("id,name,birth_date,country,kind\n");
    let parties = read_csv(&scenario.join("parties.csv"));
    for p in &parties {
        let field = |k: &str| p[k].replace('"', "");
        queries.push_str(&format!(
            "{},\"{}\",{},{},{}\n",
            field("id"),
            field("name"),
            field("birth_date"),
            field("nationality"),
            field("kind")
        ));
    }
    std::fs::write(out, queries).unwrap();
    parties.len()
}
pub mod db;
pub mod http;
pub mod reports;
