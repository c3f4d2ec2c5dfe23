//! Page latencies of the analyst's and the bank officer's daily pages on an
//! existing national-scale database (the one `bench/service.sh` builds):
//! the case file of a 1,000-party case, the cases list, account pages, the
//! message board, the reports list and a report, the case graph's data —
//! each page read under its purpose and audited, as in use.
//!
//! `cargo bench -p nexus --bench pages -- --db FILE [--threads N] [--requests N]`

#[path = "../tests/common/http.rs"]
#[allow(dead_code)]
mod http;
mod support;

use nexus_fiu::auth::{hash_password, Role};
use nexus_fiu::Limits;
use nexus_graph::DetectConfig;
use nexus_server::AppState;
use nexus_store::{CaseFilter, Store};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Creates the user or sets its password; the user's id.
fn user(store: &Store, name: &str, password: &str, role: Role, institution: Option<i64>) -> i64 {
    let hash = hash_password(password).unwrap();
    store
        .write(|d| match d.user_by_name(name)? {
            Some(u) => {
                d.set_password(u.id, &hash)?;
                Ok(u.id)
            }
            None => d.create_user(name, &hash, role, institution),
        })
        .unwrap()
}

fn main() {
    let (mut db, mut threads, mut requests) = (String::new(), 4usize, 1000usize);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--db" => db = value(),
            "--threads" => threads = value().parse().expect("--threads N"),
            "--requests" => requests = value().parse().expect("--requests N"),
            "--bench" => {}
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(
        !db.is_empty(),
        "--db FILE: a database built by bench/service.sh"
    );
    let store = Store::open_location(&db).unwrap();
    let counts = store.read(|d| d.counts()).unwrap();
    println!(
        "database: {} reports, {} entities, {} transactions, {} open alerts",
        counts.reports, counts.entities, counts.transactions, counts.open_alerts
    );
    // The largest case (bench/service.sh puts 1,000 parties into one).
    let cases = store
        .read(|d| d.cases_page(&CaseFilter::default(), 1000, 0))
        .unwrap()
        .0;
    let (case, parties) = cases
        .iter()
        .map(|c| (c, store.read(|d| d.case_parties(c.id)).unwrap()))
        .max_by_key(|(_, p)| p.len())
        .expect("a case in the database (run bench/service.sh first)");
    let (case_id, case_ref) = (case.id, case.reference.clone());
    // Accounts held by the case's parties, and reports naming them.
    let mut accounts = Vec::new();
    let mut reports = Vec::new();
    store
        .read(|d| {
            for (e, _) in parties.iter().take(300) {
                for t in d.entity_transactions(e.id, 3)? {
                    if t.from_entity == Some(e.id) {
                        accounts.extend(t.from_account.clone());
                    }
                }
                reports.extend(d.entity_subjects(e.id)?.iter().map(|s| s.report_id).take(1));
            }
            Ok(())
        })
        .unwrap();
    accounts.retain(|k| !k.starts_with(nexus_store::PARTY_ACCOUNT));
    accounts.dedup();
    assert!(
        !accounts.is_empty() && !reports.is_empty(),
        "the case's parties hold no accounts or reports"
    );
    let institution = store
        .read(|d| d.report(reports[0]))
        .unwrap()
        .unwrap()
        .institution;
    let password = "bench-pages-password";
    user(&store, "pages-analyst", password, Role::Analyst, None);
    user(
        &store,
        "pages-bank",
        password,
        Role::ReportingEntity,
        Some(institution),
    );
    println!(
        "case {case_ref}: {} parties; {} of their accounts and {} of their reports sampled",
        parties.len(),
        accounts.len(),
        reports.len()
    );
    drop(store);

    let state = AppState::new(
        Store::open_location(&db).unwrap(),
        DetectConfig::default(),
        Limits::default(),
    )
    .unwrap();
    // The pages alone: the detection run a starting service makes over the
    // whole network (measured by bench/service.sh) would share the cores.
    state
        .network_changed
        .store(false, std::sync::atomic::Ordering::SeqCst);
    // …and the streaming detector's replay of the recent past at start-up.
    let stream = state.stream.stats.clone();
    let addr = support::serve(state);
    let started = Instant::now();
    while !stream.warmed_up.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "streaming detection replayed the recent past in {:.1} s after start-up",
        started.elapsed().as_secs_f64()
    );
    let analyst = http::login(&addr, "pages-analyst", password);
    http::state_purpose(&addr, &analyst, "benchmark of page latency", &case_ref);
    let bank = http::login(&addr, "pages-bank", password);

    println!("\n| page ({threads} clients) | requests | throughput | p50 | p99 | max |\n|---|---|---|---|---|---|");
    // PAGES_ONLY=graph: only the pages whose label contains it (profiling).
    let only = std::env::var("PAGES_ONLY").unwrap_or_default();
    let bench = |label: &str, session: &http::Session, path: &(dyn Fn(usize) -> String + Sync)| {
        if !label.contains(only.as_str()) {
            return;
        }
        let next = Arc::new(AtomicUsize::new(0));
        let lat = Arc::new(Mutex::new(Vec::new()));
        let started = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                let (next, lat, addr) = (next.clone(), lat.clone(), &addr);
                s.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= requests {
                        break;
                    }
                    let t = Instant::now();
                    let r =
                        http::request(addr, "GET", &path(i), &[("Cookie", &session.cookie)], b"")
                            .unwrap();
                    let text = r.text();
                    assert_eq!(
                        r.status,
                        200,
                        "{}: {}",
                        path(i),
                        &text[..text.len().min(300)]
                    );
                    assert!(
                        !text.contains("State your purpose"),
                        "{}: the purpose form",
                        path(i)
                    );
                    lat.lock().unwrap().push(t.elapsed());
                });
            }
        });
        let t = started.elapsed().as_secs_f64();
        let (p50, p99, max) = support::percentiles(std::mem::take(&mut lat.lock().unwrap()));
        println!(
            "| {label} | {requests} | {:.0}/s | {p50:.1} ms | {p99:.1} ms | {max:.1} ms |",
            requests as f64 / t
        );
    };
    let key = |i: usize| http::form_value(&accounts[(i * 7919) % accounts.len()]);
    bench(
        "GET /cases/{id} (case file, 1,000 parties, first 500 payments)",
        &analyst,
        &|_| format!("/cases/{case_id}"),
    );
    bench(
        "GET /cases/{id}/graph.json (up to 1,000 payments)",
        &analyst,
        &|_| format!("/cases/{case_id}/graph.json"),
    );
    bench("GET /cases (the work in hand)", &analyst, &|_| {
        "/cases".into()
    });
    bench("GET /accounts?key=… (account page)", &analyst, &|i| {
        format!("/accounts?key={}", key(i))
    });
    bench(
        "GET /reports/{id} (a report naming a party of the case)",
        &analyst,
        &|i| format!("/reports/{}", reports[i % reports.len()]),
    );
    bench("GET /reports (FIU, newest 100)", &analyst, &|_| {
        "/reports".into()
    });
    bench("GET /messages (FIU message board)", &analyst, &|_| {
        "/messages".into()
    });
    bench("GET /reports (a bank's own, newest 100)", &bank, &|_| {
        "/reports".into()
    });
    bench(
        "GET /messages (a bank's board: receipts and messages)",
        &bank,
        &|_| "/messages".into(),
    );
    bench(
        "GET / (start page with counts and unread messages)",
        &analyst,
        &|_| "/".into(),
    );
}
