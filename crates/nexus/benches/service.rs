//! Benchmark of the FIU service on a national-scale database (bench/service.sh):
//! bulk payment data, goAML intake (in process and over HTTP), detection,
//! page latencies of the alert queue and entity pages, the screening
//! endpoint under concurrent load, and goAML validation side by side with
//! xmllint's XSD validation (what FIUs run on goAML uploads otherwise).
//!
//! `cargo bench -p nexus --bench service -- --scenario DIR --db FILE [--reports N]
//!  [--http-reports N] [--threads N] [--seconds N] [--un-list FILE] [--xsd FILE]`

#[path = "../tests/common/http.rs"]
#[allow(dead_code)]
mod http;
mod support;

use nexus_fiu::auth::{hash_password, random_token, sha256_hex, Principal, Role};
use nexus_fiu::detection::run_detection;
use nexus_fiu::intake::receive;
use nexus_fiu::processing::Screening;
use nexus_fiu::Limits;
use nexus_formats::goaml_intake::read_goaml_report;
use nexus_formats::interchange::TransactionReader;
use nexus_graph::DetectConfig;
use nexus_server::AppState;
use nexus_store::Store;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Args {
    scenario: PathBuf,
    /// A SQLite file (replaced) or an empty PostgreSQL database (postgres://…).
    db: String,
    reports: usize,
    http_reports: usize,
    threads: usize,
    seconds: u64,
    un_list: Option<PathBuf>,
    xsd: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        scenario: PathBuf::from("out/bench-service/scenario"),
        db: "out/bench-service/fiu.db".into(),
        reports: 100_000,
        http_reports: 5_000,
        threads: 4,
        seconds: 20,
        un_list: None,
        xsd: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--scenario" => a.scenario = value().into(),
            "--db" => a.db = value(),
            "--reports" => a.reports = value().parse().expect("--reports N"),
            "--http-reports" => a.http_reports = value().parse().expect("--http-reports N"),
            "--threads" => a.threads = value().parse().expect("--threads N"),
            "--seconds" => a.seconds = value().parse().expect("--seconds N"),
            "--un-list" => a.un_list = Some(value().into()),
            "--xsd" => a.xsd = Some(value().into()),
            "--bench" => {}
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

struct Party {
    name: String,
    birth: String,
    nationality: String,
    id_number: String,
    organisation: bool,
}

struct World {
    party_of_account: HashMap<String, String>,
    institution_of_account: HashMap<String, String>,
    parties: HashMap<String, Party>,
    rentity_of_institution: HashMap<String, i64>,
}

fn read_world(dir: &Path) -> World {
    let mut w = World {
        party_of_account: HashMap::new(),
        institution_of_account: HashMap::new(),
        parties: HashMap::new(),
        rentity_of_institution: HashMap::new(),
    };
    let mut r = csv::Reader::from_path(dir.join("accounts.csv")).unwrap();
    for row in r.records() {
        let row = row.unwrap();
        w.institution_of_account
            .insert(row[0].to_string(), row[1].to_string());
        if !row[2].is_empty() {
            w.party_of_account
                .insert(row[0].to_string(), row[2].to_string());
        }
    }
    let mut r = csv::Reader::from_path(dir.join("parties.csv")).unwrap();
    for row in r.records() {
        let row = row.unwrap();
        w.parties.insert(
            row[0].to_string(),
            Party {
                organisation: &row[1] == "organisation",
                name: row[2].to_string(),
                birth: row[6].to_string(),
                nationality: row[7].to_string(),
                id_number: row[9].to_string(),
            },
        );
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("scenario.json")).unwrap()).unwrap();
    for e in meta["reporting_entities"].as_array().unwrap() {
        w.rentity_of_institution.insert(
            e["institution_id"].as_str().unwrap().to_string(),
            e["rentity_id"].as_i64().unwrap(),
        );
    }
    w
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The party XML of one side.
fn party_xml(w: &World, account: &str, mine: bool) -> String {
    let inst = &w.institution_of_account[account];
    let holder = w
        .party_of_account
        .get(account)
        .and_then(|p| w.parties.get(p));
    let signatory = match holder {
        Some(p) if p.organisation => format!("<t_entity><name>{}</name><incorporation_number>{}</incorporation_number><incorporation_country_code>{}</incorporation_country_code></t_entity>", esc(&p.name), esc(&p.id_number), p.nationality),
        Some(p) => {
            let mut parts = p.name.rsplitn(2, ' ');
            let last = parts.next().unwrap_or("");
            let first = parts.next().unwrap_or(last);
            let birth = if p.birth.is_empty() { "1900-01-01".to_string() } else { p.birth.clone() };
            let nat = if p.nationality.is_empty() { "TJ" } else { &p.nationality };
            let detail = if mine { format!("<birthdate>{birth}T00:00:00</birthdate><id_number>{}</id_number><nationality1>{nat}</nationality1>", esc(&p.id_number)) } else { String::new() };
            format!("<signatory><is_primary>1</is_primary><t_person><first_name>{}</first_name><last_name>{}</last_name>{detail}</t_person></signatory>", esc(first), esc(last))
        }
        None => String::new(),
    };
    let signatory = if signatory.is_empty() && mine {
        "<signatory><is_primary>1</is_primary><t_person><first_name>Unknown</first_name><last_name>Holder</last_name><birthdate>1900-01-01T00:00:00</birthdate><nationality1>TJ</nationality1></t_person></signatory>".to_string()
    } else {
        signatory
    };
    format!("<swift>NX{inst}XX</swift><account>{account}</account>{signatory}")
}

/// goAML STRs over real scenario transfers, each filed by the receiving account's institution.
fn make_reports(w: &World, scenario: &Path, n: usize) -> Vec<(i64, String)> {
    // Every k-th transfer, so that reports spread over the whole period.
    let transfers: Vec<nexus_model::Transaction> =
        TransactionReader::open(&scenario.join("transactions.csv"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|t| {
                nexus_graph::graph::is_transfer(t.channel)
                    && w.institution_of_account.contains_key(&t.to_account)
                    && w.institution_of_account.contains_key(&t.from_account)
            })
            .collect();
    let step = (transfers.len() / (n * 2).max(1)).max(1);
    let picked: Vec<&nexus_model::Transaction> = transfers.iter().step_by(step).collect();
    let mut out = Vec::with_capacity(n);
    for (i, chunk) in picked.chunks(2).take(n).enumerate() {
        let to = &chunk[0].to_account;
        let inst = &w.institution_of_account[to];
        let rentity = w
            .rentity_of_institution
            .get(inst)
            .copied()
            .unwrap_or(100 + (i % 50) as i64);
        let mut txs = String::new();
        for t in chunk {
            txs.push_str(&format!(
                "<transaction><transactionnumber>{}</transactionnumber><transaction_location>HQ</transaction_location><transaction_description>{}</transaction_description>\
                 <date_transaction>{}</date_transaction><transmode_code>E</transmode_code><amount_local>{}</amount_local>\
                 <t_from><from_funds_code>E</from_funds_code><from_account>{}</from_account><from_country>TJ</from_country></t_from>\
                 <t_to_my_client><to_funds_code>E</to_funds_code><to_account>{}</to_account><to_country>TJ</to_country></t_to_my_client></transaction>",
                t.id,
                t.channel.as_str(),
                t.timestamp.to_string().trim_end_matches('Z'),
                t.amount,
                party_xml(w, &t.from_account, false),
                party_xml(w, &t.to_account, true),
            ));
        }
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<report><rentity_id>{rentity}</rentity_id><submission_code>E</submission_code><report_code>STR</report_code>\
             <entity_reference>BENCH-{i:06}</entity_reference><submission_date>2026-04-01T10:00:00</submission_date><currency_code_local>{}</currency_code_local>\
             <reason>Unusual transfers</reason>{txs}<report_indicators><indicator>UNUSUAL</indicator></report_indicators></report>",
            chunk[0].currency.as_str()
        );
        out.push((rentity, xml));
    }
    out
}

fn main() {
    let a = args();
    if !nexus_store::is_postgres(&a.db) {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", a.db));
        }
    }
    println!("## nexus FIU service benchmark\n");
    let store = Store::open_location(&a.db).unwrap();
    println!("database: {} ({})\n", store.kind(), store.location());
    let world = read_world(&a.scenario);

    // Lists.
    let mut list_files = vec![(
        a.scenario.join("lists/scenario-list.xml"),
        "Scenario national list",
    )];
    if let Some(un) = &a.un_list {
        list_files.push((un.clone(), "UN Consolidated List"));
    }
    for (path, name) in &list_files {
        let bytes = std::fs::read(path).unwrap();
        let l = nexus_formats::lists::parse_list(path, &bytes).unwrap();
        store
            .write(|d| {
                d.upsert_list(
                    name,
                    l.format.as_str(),
                    &l.generated,
                    l.entries.len() as i64,
                    &sha256_hex(&bytes),
                    &bytes,
                )
            })
            .unwrap();
    }
    let screening = Screening::from_store(&store).unwrap();
    println!("lists: {} entries", screening.entry_count());

    // Bulk payment data.
    let started = Instant::now();
    let key = |acct: &str| match world.institution_of_account.get(acct) {
        Some(inst) => format!("NX{inst}XX|{acct}"),
        None => acct.to_string(),
    };
    let reader = TransactionReader::open(&a.scenario.join("transactions.csv")).unwrap();
    let n = nexus_fiu::bulk::ingest_transactions(&store, reader, key, 50_000).unwrap();
    let bulk = started.elapsed().as_secs_f64();
    println!(
        "| bulk payment data | {n} transactions | {bulk:.1} s | {:.0} transactions/s |",
        n as f64 / bulk
    );

    // Reports.
    let reports = make_reports(&world, &a.scenario, a.reports + a.http_reports);
    let (in_process, over_http) = reports.split_at(a.reports.min(reports.len()));
    for r in &reports {
        store
            .write(|d| d.upsert_institution(r.0, &format!("Reporting entity {}", r.0), ""))
            .unwrap();
    }

    // Validation alone, nexus vs xmllint, on the same 2,000 reports.
    let sample: Vec<&(i64, String)> = in_process.iter().take(2000).collect();
    let started = Instant::now();
    let valid = sample
        .iter()
        .filter(|(_, x)| read_goaml_report("r.xml", x.as_bytes()).is_ok())
        .count();
    let nexus_validate = started.elapsed().as_secs_f64();
    println!("| goAML parse + validate (nexus, 1 thread) | {} reports ({valid} valid) | {nexus_validate:.2} s | {:.0} reports/s |", sample.len(), sample.len() as f64 / nexus_validate);
    if let Some(xsd) = &a.xsd {
        let dir = std::env::temp_dir().join(format!("nexus-bench-xml-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut files = Vec::new();
        for (i, (_, x)) in sample.iter().enumerate() {
            let p = dir.join(format!("r{i:05}.xml"));
            std::fs::write(&p, x).unwrap();
            files.push(p);
        }
        let started = Instant::now();
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(xsd)
            .args(&files)
            .output()
            .expect("xmllint");
        let t = started.elapsed().as_secs_f64();
        let validated = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.ends_with(" validates"))
            .count();
        println!("| goAML XSD validation (xmllint/libxml2, 1 process) | {} reports ({validated} valid against the generic 5.0.1 schema) | {t:.2} s | {:.0} reports/s | nexus {:.1}x |", files.len(), files.len() as f64 / t, t / nexus_validate);
        let _ = std::fs::remove_dir_all(&dir);
    }

    // Intake in process: parse, validate, store, resolve subjects, screen, join transactions; one transaction per report.
    let system = Principal {
        actor: "bench".into(),
        role: Role::ReportingEntity,
        user_id: None,
        username: "bench".into(),
        institution: None,
        csrf: None,
        session: None,
        purpose: None,
        language: String::new(),
    };
    let started = Instant::now();
    let mut processed = 0;
    for (i, (rentity, xml)) in in_process.iter().enumerate() {
        let out = receive(
            &store,
            &screening,
            &system,
            *rentity,
            vec![(format!("r{i}.xml"), xml.clone().into_bytes())],
            &Limits::default(),
        )
        .unwrap();
        processed += out
            .iter()
            .filter(|o| o.status == nexus_model::ReportStatus::Processed)
            .count();
    }
    let t = started.elapsed().as_secs_f64();
    println!("| goAML intake, in process, one report per transaction | {} reports ({processed} processed) | {t:.1} s | {:.0} reports/s |", in_process.len(), in_process.len() as f64 / t);
    store.write(|d| d.link_transactions_to_holders()).unwrap();

    let started = Instant::now();
    let run = run_detection(&store, &DetectConfig::default(), None).unwrap();
    let (transfers, raised) = (run.transactions, run.raised);
    println!(
        "| detection over the network | {transfers} transactions, {raised} alerts | {:.1} s | |",
        started.elapsed().as_secs_f64()
    );
    let counts = store.read(|d| d.counts()).unwrap();
    println!("\ndatabase: {} reports, {} entities, {} transactions, {} open alerts, {} audit records, {:.2} GiB",
        counts.reports, counts.entities, counts.transactions, counts.open_alerts, counts.audit_records,
        std::fs::metadata(&a.db).map(|m| m.len()).unwrap_or(0) as f64 / (1u64 << 30) as f64);
    if nexus_store::is_postgres(&a.db) {
        println!("(the size above is 0 for PostgreSQL: see pg_database_size)");
    }

    // The service over HTTP.
    let password = "bench-analyst-password";
    let case_ref = store
        .write(|d| {
            d.create_user(
                "analyst",
                &hash_password(password).unwrap(),
                Role::Analyst,
                None,
            )?;
            d.create_case("Benchmark case", "", 1, 2026)
        })
        .unwrap();
    // The entity pages read below are read under the case: they are put into it.
    let entity_count = store.read(|d| d.counts()).unwrap().entities;
    let pick = |i: usize| 1 + (i as i64 * 7919) % entity_count.max(1);
    store
        .write(|d| {
            for i in 0..1000 {
                d.add_case_entity(case_ref.id, pick(i), nexus_model::CaseRole::Subject)?;
            }
            Ok(())
        })
        .unwrap();
    let case_ref = case_ref.reference;
    let mut tokens = HashMap::new();
    for (rentity, _) in over_http {
        tokens.entry(*rentity).or_insert_with(|| {
            let t = random_token().unwrap();
            store
                .write(|d| {
                    d.create_api_token(
                        &sha256_hex(t.as_bytes()),
                        *rentity,
                        Role::ReportingEntity,
                        "bench",
                    )
                })
                .unwrap();
            t
        });
    }
    drop(store);
    let state = AppState::new(
        Store::open_location(&a.db).unwrap(),
        DetectConfig::default(),
        Limits::default(),
    )
    .unwrap();
    let addr = support::serve(state);

    // Intake over HTTP with concurrent reporting entities.
    let next = Arc::new(AtomicUsize::new(0));
    let over_http = Arc::new(over_http.to_vec());
    let tokens = Arc::new(tokens);
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..a.threads)
        .map(|_| {
            let (next, over_http, tokens, latencies, addr) = (
                next.clone(),
                over_http.clone(),
                tokens.clone(),
                latencies.clone(),
                addr.clone(),
            );
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((rentity, xml)) = over_http.get(i) else {
                    break;
                };
                let auth = format!("Bearer {}", tokens[rentity]);
                let t = Instant::now();
                let r = http::request(
                    &addr,
                    "POST",
                    "/api/v1/reports",
                    &[
                        ("Authorization", &auth),
                        ("Content-Type", "application/xml"),
                    ],
                    xml.as_bytes(),
                )
                .unwrap();
                assert!(r.status == 201 || r.status == 422, "{}", r.text());
                latencies.lock().unwrap().push(t.elapsed());
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let t = started.elapsed().as_secs_f64();
    let (p50, p99, max) = support::percentiles(std::mem::take(&mut latencies.lock().unwrap()));
    println!("\n| over HTTP ({} clients) | requests | throughput | p50 | p99 | max |\n|---|---|---|---|---|---|", a.threads);
    println!("| POST /api/v1/reports (goAML intake) | {} | {:.0}/s | {p50:.1} ms | {p99:.1} ms | {max:.1} ms |", over_http.len(), over_http.len() as f64 / t);

    // Pages: alert queue and entity pages, as an analyst.
    // Two sessions: one working the queue under TRIAGE, one the case.
    let session = http::login(&addr, "analyst", password);
    http::state_purpose(&addr, &session, "benchmark of page latency", "TRIAGE");
    let case_session = http::login(&addr, "analyst", password);
    http::state_purpose(&addr, &case_session, "benchmark of page latency", &case_ref);
    let triage_cookie = session.cookie.clone();
    let case_cookie = case_session.cookie.clone();
    let page_bench = |label: &str, path: &(dyn Fn(usize) -> String + Sync), cookie: &str| {
        let next = Arc::new(AtomicUsize::new(0));
        let lat = Arc::new(Mutex::new(Vec::new()));
        let total = 1000;
        let started = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..a.threads {
                let (next, lat, addr, csrf) = (next.clone(), lat.clone(), &addr, &session.csrf);
                s.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= total {
                        break;
                    }
                    let t = Instant::now();
                    let r = http::request(
                        addr,
                        "GET",
                        &path(i),
                        &[("Cookie", cookie), ("X-CSRF-Token", csrf)],
                        b"",
                    )
                    .unwrap();
                    assert_eq!(
                        r.status,
                        200,
                        "{}: {}",
                        path(i),
                        &r.text()[..r.text().len().min(300)]
                    );
                    lat.lock().unwrap().push(t.elapsed());
                });
            }
        });
        let t = started.elapsed().as_secs_f64();
        let (p50, p99, max) = support::percentiles(std::mem::take(&mut lat.lock().unwrap()));
        println!(
            "| {label} | {total} | {:.0}/s | {p50:.1} ms | {p99:.1} ms | {max:.1} ms |",
            total as f64 / t
        );
    };
    page_bench(
        "GET /alerts (UI queue, 100 highest-scored open alerts)",
        &|_| "/alerts".to_string(),
        &triage_cookie,
    );
    page_bench(
        "GET /alerts?status=open&offset=… (UI queue, deeper pages)",
        &|i| format!("/alerts?status=open&offset={}", (i % 20) * 100),
        &triage_cookie,
    );
    page_bench(
        "GET /api/v1/alerts?limit=50",
        &|_| "/api/v1/alerts?limit=50".to_string(),
        &triage_cookie,
    );
    page_bench(
        "GET /entities/{id} (UI entity page)",
        &|i| format!("/entities/{}", pick(i)),
        &case_cookie,
    );
    page_bench(
        "GET /api/v1/entities/{id}",
        &|i| format!("/api/v1/entities/{}", pick(i)),
        &case_cookie,
    );

    // The screening endpoint under concurrent load.
    let names: Vec<String> = world
        .parties
        .values()
        .take(20_000)
        .map(|p| p.name.clone())
        .collect();
    let token = tokens.values().next().unwrap().clone();
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let lat = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    std::thread::scope(|s| {
        for w in 0..a.threads {
            let (lat, names, token, addr) = (lat.clone(), &names, &token, &addr);
            s.spawn(move || {
                let auth = format!("Bearer {token}");
                let mut i = w;
                while Instant::now() < deadline {
                    let body = serde_json::json!({ "name": names[i % names.len()] }).to_string();
                    let t = Instant::now();
                    let r = http::request(
                        addr,
                        "POST",
                        "/api/v1/screen",
                        &[
                            ("Authorization", &auth),
                            ("Content-Type", "application/json"),
                        ],
                        body.as_bytes(),
                    )
                    .unwrap();
                    assert_eq!(r.status, 200);
                    lat.lock().unwrap().push(t.elapsed());
                    i += a.threads;
                }
            });
        }
    });
    let t = started.elapsed().as_secs_f64();
    let v = std::mem::take(&mut *lat.lock().unwrap());
    let n = v.len();
    let (p50, p99, max) = support::percentiles(v);
    println!("| POST /api/v1/screen (names of the scenario's customers, audited) | {n} | {:.0}/s | {p50:.1} ms | {p99:.1} ms | {max:.1} ms |", n as f64 / t);
}
