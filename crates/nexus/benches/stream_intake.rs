//! Detection at intake (issue 14): a bank sends the scenario's payments in
//! time order at a fixed rate as CSV batches over HTTP; streaming detection
//! raises alerts as the batches are acknowledged. Reported: the rate
//! achieved, the batches' acknowledgement latency, and the time from a
//! transaction's acknowledgement to the alert it completed being stored
//! (p50, p99, max), with the alerts raised.
//!
//! `cargo bench -p nexus --bench stream_intake -- --scenario DIR --db FILE
//!  [--rate 1000] [--seconds 60] [--batches-per-second 10]`

#[path = "../tests/common/http.rs"]
#[allow(dead_code)]
mod http;
mod support;

use nexus_fiu::auth::{random_token, sha256_hex, Role};
use nexus_fiu::Limits;
use nexus_formats::interchange::TransactionReader;
use nexus_graph::DetectConfig;
use nexus_server::AppState;
use nexus_store::Store;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn main() {
    let mut scenario = PathBuf::from("out/bench-stream/scenario");
    let mut db = "out/bench-stream/fiu.db".to_string();
    let (mut rate, mut seconds, mut per_second) = (1000usize, 60u64, 10usize);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--scenario" => scenario = value().into(),
            "--db" => db = value(),
            "--rate" => rate = value().parse().expect("--rate N"),
            "--seconds" => seconds = value().parse().expect("--seconds N"),
            "--batches-per-second" => per_second = value().parse().expect("N"),
            "--bench" => {}
            other => panic!("unknown flag {other}"),
        }
    }
    if !db.starts_with("postgres") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{db}{suffix}"));
        }
    }
    // Accounts keyed as the bank's feed names them: CODE|number.
    let mut institution_of = HashMap::new();
    let mut accounts = csv::Reader::from_path(scenario.join("accounts.csv")).unwrap();
    for row in accounts.records() {
        let row = row.unwrap();
        institution_of.insert(row[0].to_string(), row[1].to_string());
    }
    let key = |account: &str| match institution_of.get(account) {
        Some(inst) => format!("NX{inst}XX|{account}"),
        None => format!("NXCASHXX|{account}"),
    };
    let mut codes: Vec<String> = institution_of
        .values()
        .map(|i| format!("NX{i}XX"))
        .collect();
    codes.push("NXCASHXX".into());
    codes.sort();
    codes.dedup();
    let total = rate * seconds as usize;
    let mut reader = TransactionReader::open(&scenario.join("transactions.csv")).unwrap();
    let mut rows: Vec<String> = Vec::with_capacity(total);
    while rows.len() < total {
        let Some(t) = reader.next_transaction().unwrap() else {
            break;
        };
        rows.push(format!(
            "{},{},{},{},{},{},{}",
            t.id,
            t.timestamp,
            key(&t.from_account),
            key(&t.to_account),
            t.amount,
            t.currency,
            t.channel
        ));
    }
    let store = Store::open_location(&db).unwrap();
    let token = random_token().unwrap();
    store
        .write(|d| {
            d.upsert_institution(901, "Bench national payment switch", "TJ")?;
            d.set_institution_codes(901, &codes)?;
            d.create_api_token(
                &sha256_hex(token.as_bytes()),
                901,
                Role::ReportingEntity,
                "bench",
            )
        })
        .unwrap();
    drop(store);
    let state = AppState::new(
        Store::open_location(&db).unwrap(),
        DetectConfig::default(),
        Limits {
            max_batch_rows: rate.max(10_000),
            ..Limits::default()
        },
    )
    .unwrap();
    let stats = state.stream.stats.clone();
    let addr = support::serve(state);
    let auth = format!("Bearer {token}");
    let per_batch = (rate / per_second).max(1);
    let interval = Duration::from_secs_f64(1.0 / per_second as f64);
    let started = Instant::now();
    let mut acks = Vec::new();
    for (i, chunk) in rows.chunks(per_batch).enumerate() {
        // A steady rate: batch i leaves at i × interval.
        let due = started + interval * i as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let mut body =
            String::from("id,timestamp,from_account,to_account,amount,currency,channel\n");
        for r in chunk {
            body.push_str(r);
            body.push('\n');
        }
        let t = Instant::now();
        let r = http::request(
            &addr,
            "POST",
            "/api/v1/transactions",
            &[("Authorization", &auth), ("Content-Type", "text/csv")],
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        acks.push(t.elapsed());
    }
    let elapsed = started.elapsed().as_secs_f64();
    // Let the worker finish what it was handed.
    let sent = rows.len() as u64;
    let deadline = Instant::now() + Duration::from_secs(30);
    while stats.transactions.load(Ordering::SeqCst) < sent && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    acks.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let q = |q: f64| stats.latency_quantile(q).map_or(f64::NAN, ms);
    println!("## detection at intake\n");
    println!(
        "| transactions sent | rate achieved | batch ack p50 / p99 | streamed | alerts raised | alert latency p50 / p99 / max | batches left to the periodic run |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {} in batches of {per_batch} | {:.0}/s | {:.1} / {:.1} ms | {} | {} | {:.0} / {:.0} / {:.0} ms | {} |",
        rows.len(),
        rows.len() as f64 / elapsed,
        ms(acks[acks.len() / 2]),
        ms(acks[(acks.len() * 99 / 100).min(acks.len() - 1)]),
        stats.transactions.load(Ordering::SeqCst),
        stats.alerts.load(Ordering::SeqCst),
        q(0.5),
        q(0.99),
        q(1.0),
        stats.skipped_batches.load(Ordering::SeqCst)
    );
}
