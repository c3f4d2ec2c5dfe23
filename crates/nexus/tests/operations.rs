//! Operating an FIU as its administrators do: check the deployment, back it
//! up while it serves, restore the backup, move the FIU to PostgreSQL and
//! back — and the audit chain verifies at every step.

mod common;

use common::db::TestDb;
use common::http::{create_token, get, post, Server};
use common::reports::{str_report, JAMSHED_CYR, OTHER};
use common::{nexus, stdout};

/// An FIU with two reports filed and its audit log checkpointed; the token.
fn fiu_with_reports(db: &str) -> String {
    let token = create_token(db, 101);
    let server = Server::start(db);
    for (i, amount) in ["1500.00", "2500.00"].iter().enumerate() {
        let xml = str_report(
            101,
            &format!("OPS-{i}"),
            &format!("O{i}"),
            amount,
            &OTHER,
            &JAMSHED_CYR,
        );
        let r = post(
            &server.addr,
            "/api/v1/reports",
            &[
                ("Authorization", &format!("Bearer {token}")),
                ("Content-Type", "application/xml"),
            ],
            xml.as_bytes(),
        );
        assert_eq!(r.status, 201, "{}", r.text());
    }
    drop(server);
    let out = nexus(&["audit", "checkpoint", "--db", db]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    token
}

fn reports_seen_by(db: &str, token: &str) -> usize {
    let server = Server::start(db);
    let r = get(
        &server.addr,
        "/api/v1/reports",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    r.json()["reports"].as_array().unwrap().len()
}

#[test]
fn doctor_reports_what_is_missing_and_fails_on_a_broken_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    create_token(&db, 101);
    let out = nexus(&["doctor", "--db", &db]);
    assert!(out.status.success(), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("ok    database"), "{text}");
    assert!(
        text.contains("warn  lists") && text.contains("no sanctions list"),
        "{text}"
    );
    db.execute("UPDATE audit_log SET detail = 'rewritten' WHERE seq = 1");
    let out = nexus(&["doctor", "--db", &db]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("FAIL  audit log"), "{}", stdout(&out));
    let missing = dir.path().join("missing/nowhere.db");
    let out = nexus(&["doctor", "--db", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("FAIL  database"), "{}", stdout(&out));
    assert!(!missing.exists(), "the doctor creates nothing");
}

#[test]
fn a_backup_taken_while_serving_restores_with_every_record_and_a_verified_chain() {
    if common::db::postgres() {
        return; // `nexus backup` is SQLite's online backup; PostgreSQL uses pg_dump
    }
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = fiu_with_reports(&db);
    let server = Server::start(&db);
    let backup = dir.path().join("backup.db");
    let out = nexus(&["backup", "--db", &db, "--out", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    drop(server);
    let again = nexus(&["backup", "--db", &db, "--out", backup.to_str().unwrap()]);
    assert!(!again.status.success(), "a backup never overwrites a file");

    let restored = dir.path().join("restored.db");
    let out = nexus(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--db",
        restored.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let restored = restored.to_string_lossy().into_owned();
    let verify = nexus(&["audit", "verify", "--db", &restored]);
    assert!(verify.status.success(), "{}", stdout(&verify));
    let text = stdout(&verify);
    assert!(
        text.contains("signed checkpoints hold") && !text.contains(" 0 signed"),
        "{text}"
    );
    assert_eq!(reports_seen_by(&restored, &token), 2);

    // A damaged backup is refused before anything is written.
    rusqlite::Connection::open(&backup)
        .unwrap()
        .execute(
            "UPDATE audit_log SET actor = 'someone else' WHERE seq = 2",
            [],
        )
        .unwrap();
    let target = dir.path().join("from-damaged.db");
    let out = nexus(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--db",
        target.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("does not verify"),
        "{}",
        common::stderr(&out)
    );
    assert!(!target.exists());
}

#[test]
#[ignore = "needs PostgreSQL (NEXUS_TEST_POSTGRES)"]
fn an_fiu_moves_to_postgresql_and_back_with_its_audit_chain() {
    let Ok(server_url) = std::env::var("NEXUS_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("NEXUS_REQUIRE_POSTGRES").is_none(),
            "NEXUS_TEST_POSTGRES must name the test PostgreSQL server (NEXUS_REQUIRE_POSTGRES is set)"
        );
        eprintln!("no PostgreSQL server (NEXUS_TEST_POSTGRES): skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("fiu.db").to_string_lossy().into_owned();
    let token = fiu_with_reports(&sqlite);
    let database = format!("moved_{}", std::process::id());
    postgres::Client::connect(&server_url, postgres::NoTls)
        .unwrap()
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .unwrap();
    let pg = format!("{}/{database}", server_url.rsplit_once('/').unwrap().0);

    let out = nexus(&["migrate", "--from", &sqlite, "--to", &pg]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(
        common::stderr(&out).contains("the audit log verifies there"),
        "{}",
        common::stderr(&out)
    );
    let verify = nexus(&["audit", "verify", "--db", &pg]);
    assert!(verify.status.success(), "{}", stdout(&verify));
    assert_eq!(
        reports_seen_by(&pg, &token),
        2,
        "the same token works on PostgreSQL"
    );

    // Into a database that holds data: refused.
    let out = nexus(&["migrate", "--from", &sqlite, "--to", &pg]);
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("already holds data"),
        "{}",
        common::stderr(&out)
    );

    // And back to a new SQLite file, after the PostgreSQL FIU worked on.
    let _ = Server::start(&pg); // starting and stopping writes a checkpoint
    let back = dir.path().join("back.db").to_string_lossy().into_owned();
    let out = nexus(&["migrate", "--from", &pg, "--to", &back]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(nexus(&["audit", "verify", "--db", &back]).status.success());
    assert_eq!(reports_seen_by(&back, &token), 2);
}

#[test]
fn the_service_exposes_metrics_and_answers_with_request_ids() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = create_token(&db, 101);
    let server = Server::start(&db);
    let xml = str_report(101, "M-1", "M1", "10.00", &OTHER, &JAMSHED_CYR);
    let auth = format!("Bearer {token}");
    let r = post(
        &server.addr,
        "/api/v1/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/xml"),
        ],
        xml.as_bytes(),
    );
    assert_eq!(r.status, 201);
    let id = r.header("x-request-id").expect("a request id").to_string();
    assert!(
        id.len() >= 8 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id}"
    );
    let r = get(
        &server.addr,
        "/healthz",
        &[("X-Request-Id", "proxy-abc-123")],
    );
    assert_eq!(
        r.header("x-request-id"),
        Some("proxy-abc-123"),
        "a proxy's id is kept"
    );
    let text = get(&server.addr, "/metrics", &[]).text();
    for line in [
        "nexus_intake_reports_total{status=\"processed\"} 1",
        "nexus_http_requests_total{method=\"POST\",route=\"/api/v1/reports\",status=\"201\"} 1",
        "nexus_http_request_duration_seconds_count{route=\"/api/v1/reports\"} 1",
        "nexus_store_writer_wait_seconds_count",
        "nexus_detection_lag_seconds",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    assert!(
        !text.contains("Рахимов") && !text.contains("M-1"),
        "no personal data, no references"
    );
}
