//! `nexus screen` as a compliance officer uses it: against the scenario's own
//! list (no outside data), against the real UN and OFAC lists in shared,
//! across list versions, with humanitarian exemptions, and with bad input.

mod common;
use common::*;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

fn un_2026() -> PathBuf {
    shared().join("data/lists/un/consolidated-2026-02-27.xml")
}

fn un_2018() -> PathBuf {
    shared().join("data/lists/un/consolidated-2018-10-29.xml")
}

fn write(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn finds_the_scenarios_designated_customers_without_outside_data() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("scenario");
    let o = nexus(&[
        "simulate",
        "--seed",
        "5",
        "--persons",
        "3000",
        "--days",
        "20",
        "--out",
        scenario.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Every customer of the scenario, screened as a bank would.
    let customers = tmp.path().join("customers.csv");
    let party_count = customers_from_parties(&scenario, &customers);
    let q = customers.to_str().unwrap().to_string();
    let out = tmp.path().join("matches.csv");
    let list = scenario.join("lists/scenario-list.xml");
    let o = nexus(&[
        "screen",
        "--list",
        list.to_str().unwrap(),
        "--names",
        &q,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let matches = read_csv(&out);
    let found: HashSet<(String, String)> = matches
        .iter()
        .map(|m| (m["query_id"].clone(), m["list_ref"].clone()))
        .collect();
    let key: serde_json::Value =
        serde_json::from_slice(&std::fs::read(scenario.join("scenario.json")).unwrap()).unwrap();
    let mut designated = 0;
    for case in key["cases"].as_array().unwrap() {
        if case["typology"] != "designated_customer" {
            continue;
        }
        let reference = case["list_refs"][0].as_str().unwrap().to_string();
        for account in case["accounts"].as_array().unwrap() {
            let party = account["party_id"].as_str().unwrap().to_string();
            designated += 1;
            assert!(
                found.contains(&(party.clone(), reference.clone())),
                "designated customer {party} ({}) not matched to {reference}",
                account["holder_name"]
            );
        }
    }
    assert!(designated > 0);
    // Alerts stay few: ordinary customers do not drown the analyst.
    let alerted: HashSet<&String> = matches.iter().map(|m| &m["query_id"]).collect();
    assert!(
        alerted.len() * 100 < party_count,
        "{} of {} customers alerted",
        alerted.len(),
        party_count
    );
    // Every match explains itself.
    assert!(matches.iter().all(|m| m["explanation"].contains('~')));
}

/// The labelled evaluation from the real UN list, at the default threshold:
/// the targets of the screening issue. Held-out seed (tuning used seed 1).
#[test]
#[ignore = "needs ../shared"]
fn real_un_list_evaluation_meets_targets() {
    if !common::require_shared(&un_2026()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let eval = tmp.path().join("eval");
    let o = nexus(&[
        "screen",
        "evaluation",
        "--un-list",
        un_2026().to_str().unwrap(),
        "--out",
        eval.to_str().unwrap(),
        "--seed",
        "7",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("m.csv");
    let o = nexus(&[
        "screen",
        "--list",
        un_2026().to_str().unwrap(),
        "--names",
        eval.join("queries.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut hits: HashMap<String, HashSet<String>> = HashMap::new();
    for m in read_csv(&out) {
        hits.entry(m["query_id"].clone())
            .or_default()
            .insert(m["list_id"].clone());
    }
    let (mut pos, mut tp, mut ord, mut ord_fp, mut hard, mut hard_fp) = (0, 0, 0, 0, 0, 0);
    for t in read_csv(&eval.join("truth.csv")) {
        let h = hits.get(&t["query_id"]);
        if !t["expected"].is_empty() {
            pos += 1;
            tp += h.is_some_and(|h| h.contains(&t["expected"])) as usize;
        } else if t["category"] == "hard_negative" {
            hard += 1;
            hard_fp += h.is_some() as usize;
        } else {
            ord += 1;
            ord_fp += h.is_some() as usize;
        }
    }
    let recall = tp as f64 / pos as f64;
    let ordinary = ord_fp as f64 / ord as f64;
    let hard_rate = hard_fp as f64 / hard as f64;
    eprintln!("recall {recall:.4} ordinary {ordinary:.4} hard {hard_rate:.4}");
    assert!(pos > 4000 && ord > 9000 && hard > 1000);
    assert!(recall >= 0.98, "recall {recall}");
    assert!(ordinary <= 0.001, "ordinary alert rate {ordinary}");
    assert!(hard_rate <= 0.03, "hard-negative alert rate {hard_rate}");
}

#[test]
#[ignore = "needs ../shared"]
fn screens_against_un_and_ofac_together() {
    if !common::require_shared(&un_2026()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let q = write(
        &tmp.path().join("q.csv"),
        "id,name,birth_date,country\n\
         z1,Айман аз-Завахири,1951-06-19,Egypt\n\
         z2,AYMAN ZAWAHRI,,\n\
         n1,Rustam Nazarov,1984,Tajikistan\n",
    );
    let out = tmp.path().join("m.csv");
    let ofac = shared().join("data/lists/ofac/sdn-2021-07");
    let o = nexus(&[
        "screen",
        "--list",
        un_2026().to_str().unwrap(),
        "--list",
        ofac.to_str().unwrap(),
        "--names",
        &q,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("1003 entries"), "{err}");
    assert!(err.contains("OFAC SDN CSV"), "{err}");
    let m = read_csv(&out);
    let of = |q: &str| -> HashSet<String> {
        m.iter()
            .filter(|r| r["query_id"] == q)
            .map(|r| r["list_ref"].clone())
            .collect()
    };
    assert!(of("z1").contains("QDi.006"), "{m:?}");
    assert!(of("z1").contains("SDGT"), "OFAC entry missing: {m:?}");
    assert!(of("z2").contains("QDi.006"));
    assert!(of("n1").is_empty());
    let z1 = m
        .iter()
        .find(|r| r["query_id"] == "z1" && r["list_ref"] == "QDi.006")
        .unwrap();
    assert!(z1["explanation"].contains("birth 1951-06-19"), "{z1:?}");
}

#[test]
#[ignore = "needs ../shared"]
fn diff_and_rescreen_the_real_un_versions() {
    if !common::require_shared(&un_2026()) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let diff = tmp.path().join("diff.csv");
    let o = nexus(&[
        "screen",
        "diff",
        un_2018().to_str().unwrap(),
        un_2026().to_str().unwrap(),
        "--out",
        diff.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&diff);
    let count = |c: &str| rows.iter().filter(|r| r["change"] == c).count();
    let (added, removed, changed) = (count("added"), count("removed"), count("changed"));
    let summary = String::from_utf8_lossy(&o.stdout);
    let unchanged: usize = summary
        .lines()
        .next()
        .and_then(|l| l.split(", ").last())
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    // Every entry of both versions is accounted for.
    assert_eq!(added + changed + unchanged, 1003);
    assert_eq!(removed + changed + unchanged, 1093);
    assert!(added > 0 && removed > 0 && changed > 0);
    // One customer named like an entry added since 2018, one like an entry
    // removed since, one like an unchanged entry (not re-reported).
    let added_name = rows.iter().find(|r| r["change"] == "added").unwrap()["name"].clone();
    let removed_row = rows.iter().find(|r| r["change"] == "removed").unwrap();
    let q = write(
        &tmp.path().join("customers.csv"),
        &format!(
            "id,name\nc-new,\"{}\"\nc-gone,\"{}\"\nc-plain,Jamshed Rahimov\n",
            added_name, removed_row["name"]
        ),
    );
    let out = tmp.path().join("rescreen.csv");
    let o = nexus(&[
        "screen",
        "rescreen",
        "--old",
        un_2018().to_str().unwrap(),
        "--new",
        un_2026().to_str().unwrap(),
        "--names",
        &q,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = read_csv(&out);
    assert!(
        r.iter()
            .any(|x| x["query_id"] == "c-new" && x["status"] == "now_matches"),
        "{r:?}"
    );
    assert!(
        r.iter().any(|x| x["query_id"] == "c-gone"
            && x["status"] == "no_longer_matches"
            && x["list_id"] == removed_row["list_id"]),
        "{r:?}"
    );
    assert!(r.iter().all(|x| x["query_id"] != "c-plain"));
}

#[test]
fn humanitarian_counterparty_goes_to_review_not_block() {
    let tmp = tempfile::tempdir().unwrap();
    let list = write(
        &tmp.path().join("national.csv"),
        "id,name,aliases,kind,birth_date,nationality,reference\n\
         N-1,Ministry of Public Health (de facto),MoPH,organisation,,Afghanistan,TAe.900\n\
         N-2,Jamshed Rahimov,Джамшед Рахимов,person,1984,Tajikistan,NAT.001\n",
    );
    let exempt = write(
        &tmp.path().join("exempt.csv"),
        "id,name,aliases,programme\n\
         H-1,World Food Programme,WFP,UNSCR 2664 (2022) OP1\n",
    );
    let q = write(
        &tmp.path().join("payments.csv"),
        "id,name,counterparty\n\
         pay-1,Ministry of Public Health,World Food Programme\n\
         pay-2,Ministry of Public Health,Northern Trade LLC\n\
         pay-3,Рахимов Джамшед,\n",
    );
    let out = tmp.path().join("m.csv");
    let o = nexus(&[
        "screen",
        "--list",
        &list,
        "--names",
        &q,
        "--out",
        out.to_str().unwrap(),
        "--exempt",
        &exempt,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m = read_csv(&out);
    let action = |q: &str| {
        m.iter()
            .find(|r| r["query_id"] == q)
            .map(|r| r["action"].clone())
    };
    assert_eq!(action("pay-1").as_deref(), Some("humanitarian_review"));
    assert_eq!(action("pay-2").as_deref(), Some("block"));
    assert_eq!(action("pay-3").as_deref(), Some("block"));
    let pay1 = m.iter().find(|r| r["query_id"] == "pay-1").unwrap();
    assert!(pay1["explanation"].contains("UNSCR 2664"), "{pay1:?}");
}

#[test]
fn bad_input_is_named_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let good_list = write(&tmp.path().join("l.csv"), "id,name\n1,Jamshed Rahimov\n");
    let good_q = write(&tmp.path().join("q.csv"), "id,name\n1,Jamshed Rahimov\n");
    let out = tmp.path().join("m.csv");
    let out_s = out.to_str().unwrap();

    // Malformed list XML: file, line and reason.
    let bad_xml = write(
        &tmp.path().join("bad.xml"),
        "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><DATAID>1</DATAID>\n</INDIVIDUALS>\n",
    );
    let o = nexus(&[
        "screen", "--list", &bad_xml, "--names", &good_q, "--out", out_s,
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("bad.xml") && e.contains("line 4"), "{e}");
    assert!(!out.exists());

    // Queries without a name column.
    let no_name = write(&tmp.path().join("nn.csv"), "id,fullname\n1,x\n");
    let o = nexus(&[
        "screen", "--list", &good_list, "--names", &no_name, "--out", out_s,
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("missing column `name`"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    // An empty list file.
    let empty = write(&tmp.path().join("empty.csv"), "");
    let o = nexus(&[
        "screen", "--list", &empty, "--names", &good_q, "--out", out_s,
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("empty"), "{}", stderr(&o));

    // A threshold outside 0..1.
    let o = nexus(&[
        "screen",
        "--list",
        &good_list,
        "--names",
        &good_q,
        "--out",
        out_s,
        "--threshold",
        "7",
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("outside 0..1"), "{}", stderr(&o));

    // Hostile names: empty, control characters, enormous, mixed scripts.
    let long = "Muhammad ".repeat(20_000);
    let hostile = write(
        &tmp.path().join("hostile.csv"),
        &format!(
            "id,name,birth_date\n1,,\n2,\"\u{1}\u{7}\u{1b}\",\n3,\"{long}\",\n4,Jamshed Раҳимов محمد 王,1984-13-45\n5,Jamshed Rahimov,\n"
        ),
    );
    let o = nexus(&[
        "screen", "--list", &good_list, "--names", &hostile, "--out", out_s,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("line 2") && e.contains("empty name"), "{e}");
    assert!(e.contains("birth_date `1984-13-45`"), "{e}");
    assert!(e.contains("1 rows rejected"), "{e}");
    let m = read_csv(&out);
    assert!(m.iter().any(|r| r["query_id"] == "5"));

    // A list entry with a problem is reported with its id, the rest loaded.
    let partly = write(
        &tmp.path().join("partly.csv"),
        "id,name,kind\nA,Jamshed Rahimov,person\nB,,person\nC,Robot,android\n",
    );
    let o = nexus(&[
        "screen", "--list", &partly, "--names", &good_q, "--out", out_s,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("1 entries") && e.contains("2 skipped"), "{e}");
    assert!(e.contains("id `C`") && e.contains("android"), "{e}");
}

/// An FIU tuning its threshold asks for the best candidates below it: they
/// come after the matches, marked `below_threshold`, at most `--top` per
/// name and never under 0.5; without `--top` nothing below the threshold.
#[test]
fn top_candidates_below_the_threshold_are_marked_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let list = write(
        &dir.path().join("list.csv"),
        "id,name,aliases,programme\nL1,Mohamed Hassan,,TEST\nL2,Ramzi Mohamed Abdellah Omar Hassan Alassiri,,TEST\nL3,Mohammad Omar Hassan,,TEST\nL4,Olga Petrova,,TEST\n",
    );
    let names = write(
        &dir.path().join("names.csv"),
        "id,name\nq1,Mohammad Omar Hassan\n",
    );
    let out = dir.path().join("out.csv");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "screen",
            "--list",
            &list,
            "--names",
            &names,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = nexus(&args);
        assert!(o.status.success(), "{}", common::stderr(&o));
        let text = std::fs::read_to_string(&out).unwrap();
        text.lines()
            .skip(1)
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                (
                    cells[1].to_string(),
                    cells[3].parse::<f32>().unwrap(),
                    cells.last().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let plain = run(&[]);
    assert_eq!(plain.len(), 1, "{plain:?}");
    assert_eq!((plain[0].0.as_str(), plain[0].2.as_str()), ("L3", "block"));
    let tuned = run(&["--top", "1"]);
    assert_eq!(tuned.len(), 2, "the match and one candidate: {tuned:?}");
    assert_eq!(tuned[0], plain[0]);
    assert_eq!(tuned[1].2, "below_threshold");
    assert!(tuned[1].1 < 0.8 && tuned[1].1 >= 0.5, "{tuned:?}");
    assert!(
        run(&["--top", "5"]).iter().all(|r| r.0 != "L4"),
        "never under 0.5"
    );
}
