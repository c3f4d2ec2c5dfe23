//! Page latency of the FIU service while hostile clients attack it
//! (bench/hostile.sh): analysts' pages are measured alone, then again while
//! other clients send every hostile upload of the security review without
//! pause — deeply nested XML, millions of elements, zip bombs, zips that
//! unpack past the limit, junk to the unauthenticated inbox, bursts of
//! failed sign-ins — and hold half-sent requests open.
//!
//! `cargo bench -p nexus --bench hostile -- --db FILE [--seconds N] [--attackers N]`
//! (the database of `nexus demo --no-serve`; it is copied, not changed).

#[path = "../tests/common/http.rs"]
#[allow(dead_code)]
mod http;
mod support;

use std::io::Write;
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Args {
    db: PathBuf,
    seconds: u64,
    attackers: usize,
}

fn args() -> Args {
    let mut a = Args {
        db: PathBuf::new(),
        seconds: 20,
        attackers: 4,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--db" => a.db = it.next().expect("--db FILE").into(),
            "--seconds" => a.seconds = it.next().and_then(|v| v.parse().ok()).expect("--seconds N"),
            "--attackers" => {
                a.attackers = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--attackers N")
            }
            "--bench" => {}
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(
        a.db.is_file(),
        "--db: the database of `nexus demo --no-serve`"
    );
    a
}

fn zip_of(name: &str, data: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file(name, options).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap().into_inner()
}

/// The hostile requests, each as (label, content type, path, body).
fn payloads() -> Vec<(&'static str, &'static str, &'static str, Vec<u8>)> {
    let deep = |n: usize| format!("<report>{}{}</report>", "<a>".repeat(n), "</a>".repeat(n));
    let many = format!("<report>{}</report>", "<x/>".repeat(2_600_000));
    let unknown = format!("<report>{}</report>", "<unknown_element/>".repeat(100_000));
    let mut past_limit = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..8 {
        past_limit
            .start_file(
                format!("r{i}.xml"),
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated),
            )
            .unwrap();
        past_limit
            .write_all(format!("<report><!-- {i} -->{}</report>", " ".repeat(9 << 20)).as_bytes())
            .unwrap();
    }
    vec![
        (
            "report nested 50,000 deep",
            "application/xml",
            "/api/v1/reports",
            deep(50_000).into_bytes(),
        ),
        (
            "zip of a 40,000-deep report",
            "application/zip",
            "/api/v1/reports",
            zip_of("deep.xml", deep(40_000).as_bytes()),
        ),
        (
            "report of 2.6 M elements",
            "application/xml",
            "/api/v1/reports",
            many.clone().into_bytes(),
        ),
        (
            "zip of 2.6 M elements (ratio)",
            "application/zip",
            "/api/v1/reports",
            zip_of("many.xml", many.as_bytes()),
        ),
        (
            "report of 100,000 unknown elements",
            "application/xml",
            "/api/v1/reports",
            unknown.into_bytes(),
        ),
        (
            "zip unpacking to 72 MB",
            "application/zip",
            "/api/v1/reports",
            past_limit.finish().unwrap().into_inner(),
        ),
        (
            "junk to the inbox",
            "application/octet-stream",
            "/api/v1/exchange/inbox",
            b"NXE1 not an envelope".to_vec(),
        ),
    ]
}

fn main() {
    let a = args();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fiu.db");
    std::fs::copy(&a.db, &db).unwrap();
    for ext in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{ext}", a.db.display()));
        if side.exists() {
            std::fs::copy(&side, PathBuf::from(format!("{}{ext}", db.display()))).unwrap();
        }
    }
    let location = db.to_string_lossy().into_owned();
    let password = http::create_user(&location, "bench-analyst", "analyst", None);
    let bank_token = http::create_token(&location, 999_001);
    let (alert_id, entity_id): (i64, i64) = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT id, entity_id FROM alerts WHERE kind = 'screening' AND entity_id IS NOT NULL ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the demo database has a screening alert");
    let server = http::Server::start(&location);
    let addr = server.addr.clone();
    let session = http::login(&addr, "bench-analyst", &password);
    http::state_purpose(&addr, &session, "benchmark of page latency", "TRIAGE");
    let alert_ref = format!("ALERT-{alert_id}");
    let pages: Vec<(String, Vec<(String, String)>)> = vec![
        ("/alerts".into(), vec![]),
        (format!("/alerts/{alert_id}"), vec![]),
        (
            format!("/api/v1/entities/{entity_id}"),
            vec![
                ("X-Purpose".into(), "benchmark of page latency".into()),
                ("X-Case-Ref".into(), alert_ref.clone()),
            ],
        ),
        ("/reports".into(), vec![]),
    ];

    let measure = |label: &str, hostile: bool| {
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicUsize::new(0));
        let statuses = Arc::new(Mutex::new(std::collections::BTreeMap::<u16, usize>::new()));
        let mut attackers = Vec::new();
        let mut held: Vec<TcpStream> = Vec::new();
        if hostile {
            let payloads = Arc::new(payloads());
            for w in 0..a.attackers {
                let (stop, sent, statuses, payloads, addr, token) = (
                    stop.clone(),
                    sent.clone(),
                    statuses.clone(),
                    payloads.clone(),
                    addr.clone(),
                    bank_token.clone(),
                );
                attackers.push(std::thread::spawn(move || {
                    let mut i = w;
                    let auth = format!("Bearer {token}");
                    while !stop.load(Ordering::Relaxed) {
                        // Every fourth request is a failed sign-in, the rest hostile uploads.
                        let status = if i % 4 == 3 {
                            http::request(
                                &addr,
                                "POST",
                                "/login",
                                &[("Content-Type", "application/x-www-form-urlencoded")],
                                format!("username=guess{}&password=x", i % 50).as_bytes(),
                            )
                            .map(|r| r.status)
                            .unwrap_or(0)
                        } else {
                            let (_, ct, path, body) = &payloads[i % payloads.len()];
                            http::request(
                                &addr,
                                "POST",
                                path,
                                &[("Authorization", &auth), ("Content-Type", ct)],
                                body,
                            )
                            .map(|r| r.status)
                            .unwrap_or(0)
                        };
                        *statuses.lock().unwrap().entry(status).or_default() += 1;
                        sent.fetch_add(1, Ordering::Relaxed);
                        i += a.attackers;
                    }
                }));
            }
            // And half-sent requests held open (each closed by the header timeout, then renewed).
            for _ in 0..100 {
                if let Ok(mut s) = TcpStream::connect(&addr) {
                    let _ = s.write_all(b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\n");
                    held.push(s);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(500));
        let latencies = Arc::new(Mutex::new(Vec::new()));
        let deadline = Instant::now() + Duration::from_secs(a.seconds);
        let clients: Vec<_> = (0..2)
            .map(|c| {
                let (latencies, addr, pages, cookie, csrf) = (
                    latencies.clone(),
                    addr.clone(),
                    pages.clone(),
                    session.cookie.clone(),
                    session.csrf.clone(),
                );
                std::thread::spawn(move || {
                    let mut i = c;
                    while Instant::now() < deadline {
                        let (path, extra) = &pages[i % pages.len()];
                        let mut h: Vec<(&str, &str)> =
                            vec![("Cookie", &cookie), ("X-CSRF-Token", &csrf)];
                        h.extend(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                        let t = Instant::now();
                        let r = http::request(&addr, "GET", path, &h, b"").expect("page");
                        assert_eq!(
                            r.status,
                            200,
                            "{path}: {}",
                            &r.text()[..r.text().len().min(200)]
                        );
                        latencies.lock().unwrap().push(t.elapsed());
                        i += 2;
                    }
                })
            })
            .collect();
        for c in clients {
            c.join().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        for t in attackers {
            t.join().unwrap();
        }
        drop(held);
        let v = std::mem::take(&mut *latencies.lock().unwrap());
        let n = v.len();
        let (p50, p99, max) = support::percentiles(v);
        let statuses = statuses.lock().unwrap();
        let hostile_col = if hostile {
            format!(
                "{} hostile requests ({:.0}/s): {}",
                sent.load(Ordering::Relaxed),
                sent.load(Ordering::Relaxed) as f64 / a.seconds as f64,
                statuses
                    .iter()
                    .map(|(s, n)| format!("{n}× {s}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            "none".into()
        };
        println!("| {label} | {n} | {p50:.1} ms | {p99:.1} ms | {max:.1} ms | {hostile_col} |");
        (p99, statuses.clone())
    };
    println!("| analysts' pages (2 clients) | pages | p50 | p99 | max | hostile clients |\n|---|---|---|---|---|---|");
    let (quiet, _) = measure("alone", false);
    let (attacked, statuses) = measure(
        &format!(
            "under attack ({} attackers + 100 half-sent requests)",
            a.attackers
        ),
        true,
    );
    println!(
        "\np99 under attack / alone: {:.2}×",
        attacked / quiet.max(1e-9)
    );
    // 4xx, or 200 for a zip whose answer lists each report as failed: never
    // a report processed (201), a server error or a dropped connection.
    assert!(
        statuses.keys().all(|s| *s == 200 || (400..500).contains(s)),
        "every hostile request refused: {statuses:?}"
    );
    http::get(&addr, "/healthz", &[]);
    let peak = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .unwrap_or_default();
    println!("server {peak}");
}
