//! The FIU service as its adversaries meet it — a threat model you can run.
//!
//! Who attacks, and with what:
//! - a **reporting entity** holding an API token: careless, compromised or
//!   hostile (uploads built to crash, exhaust or fill the service; batches
//!   that write into other banks' data; answers that tip off a customer);
//! - an **analyst** reading beyond the purpose stated, or silencing a match;
//! - an **administrator** who runs the service but must not read whom it is about;
//! - a **stranger on the network**: the unauthenticated inbox, sign-in
//!   guessing, slow clients, cross-site forms;
//! - whoever can **edit the database**: the audit log must tell.
//!
//! Each test reproduces one finding of the security review against a real
//! `nexus serve` process and checks that it is closed (docs/security.md).

mod common;

use common::db::{literal, TestDb};
use common::http::{
    create_token, create_token_with_codes, create_user, form_value, get, login, open_case, post,
    request, state_purpose, Server, Session,
};
use common::nexus;
use common::reports::{str_report, Holder, JAMSHED_CYR, OTHER};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn post_as(addr: &str, token: &str, content_type: &str, body: &[u8]) -> common::http::Resp {
    let auth = bearer(token);
    post(
        addr,
        "/api/v1/reports",
        &[("Authorization", &auth), ("Content-Type", content_type)],
        body,
    )
}

fn count(db: &TestDb, sql: &str) -> i64 {
    db.count(sql)
}

/// A zip (deflate) of `files`.
fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for (name, data) in files {
        w.start_file(name.as_str(), options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn form(addr: &str, s: &Session, path: &str, body: &str) -> common::http::Resp {
    post(
        addr,
        path,
        &[
            ("Cookie", &s.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    )
}

fn alive(server: &Server) {
    assert_eq!(
        get(&server.addr, "/healthz", &[]).status,
        200,
        "the server is still up"
    );
}

// ------------------------------------------------------------ reporting entities

/// Finding 1: a report nested 50,000 deep (or a tiny zip of one) overflowed
/// the stack and killed the process.
#[test]
fn a_bank_cannot_crash_the_server_with_deeply_nested_xml() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = create_token(&db, 101);
    let server = Server::start(&db);
    let deep = |n: usize| format!("<report>{}{}</report>", "<a>".repeat(n), "</a>".repeat(n));

    let r = post_as(
        &server.addr,
        &token,
        "application/xml",
        deep(50_000).as_bytes(),
    );
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.text().contains("nested deeper than 64 levels"),
        "{}",
        r.text()
    );
    alive(&server);

    let bomb = zip_of(&[("deep.xml".into(), deep(40_000).into_bytes())]);
    assert!(bomb.len() < 4096, "a few bytes of zip: {}", bomb.len());
    let r = post_as(&server.addr, &token, "application/zip", &bomb);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["reports"][0]["status"], "failed-validation");
    alive(&server);
}

/// Finding 3: one small zip unpacked to 408 MB of stored reports, or to
/// 2.6 million problem rows and a 202 MB answer, holding the writer for 22 s.
#[test]
fn uploads_cannot_amplify_into_storage_memory_or_answers() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = create_token(&db, 101);
    let server = Server::start(&db);
    let reports = || count(&db, "SELECT COUNT(*) FROM reports");

    // Distinct entries that each pass the per-report limit but together
    // unpack beyond the upload's limit (64 MiB): refused whole.
    let entries: Vec<(String, Vec<u8>)> = (0..8)
        .map(|i| {
            let body = format!("<report><!-- {i} -->{}</report>", " ".repeat(9 << 20));
            (format!("r{i}.xml"), body.into_bytes())
        })
        .collect();
    let zipped = zip_of(&entries);
    assert!(zipped.len() < 1 << 20);
    let r = post_as(&server.addr, &token, "application/zip", &zipped);
    assert_eq!(r.status, 413, "{}", r.text());
    assert_eq!(reports(), 0, "nothing of a refused zip is stored");

    // A compression ratio no report has: refused as a zip bomb.
    let r = post_as(
        &server.addr,
        &token,
        "application/zip",
        &zip_of(&[("z.xml".into(), vec![b' '; 5 << 20])]),
    );
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("zip bomb"), "{}", r.text());

    // Millions of unknown elements in a few kilobytes of zip: refused for its
    // ratio; sent plainly, refused at the element limit with one problem.
    let many = format!("<report>{}</report>", "<x/>".repeat(2_600_000));
    let r = post_as(
        &server.addr,
        &token,
        "application/zip",
        &zip_of(&[("many.xml".into(), many.clone().into_bytes())]),
    );
    assert_eq!(r.status, 413, "{}", r.text());
    let started = Instant::now();
    let r = post_as(&server.addr, &token, "application/xml", many.as_bytes());
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.body.len() < 10_000, "answer of {} bytes", r.body.len());
    assert!(
        r.text().contains("more than 500000 elements"),
        "{}",
        r.text()
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM report_problems"), 1);
    eprintln!("2.6 M elements refused in {:?}", started.elapsed());

    // Below the element limit, the problems are listed up to 200 and counted beyond.
    let unknown = format!("<report>{}</report>", "<unknown_element/>".repeat(100_000));
    let r = post_as(&server.addr, &token, "application/xml", unknown.as_bytes());
    assert_eq!(r.status, 422);
    let problems = r.json()["problems"].as_array().unwrap().len();
    assert_eq!(problems, 201, "200 listed and one that counts the rest");
    assert!(r.body.len() < 100_000, "answer of {} bytes", r.body.len());
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM report_problems"),
        1 + 201,
        "no row per unknown element"
    );
    alive(&server);
}

/// Finding 8: a bank's batch could name any account — another bank's
/// customers, the FIU's internal `entity:7` keys — unrecorded; and answers
/// told banks what the FIU already knew.
#[test]
fn banks_write_only_their_own_customers_payments_and_learn_nothing_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let bank = create_token_with_codes(&db, 101, &["NXTJB1XX"]);
    let other_bank = create_token_with_codes(&db, 102, &["NXTJB2XX"]);
    let no_codes = create_token(&db, 103);
    let server = Server::start(&db);
    let batch = |token: &str, rows: &str| {
        let auth = bearer(token);
        post(
            &server.addr,
            "/api/v1/transactions",
            &[("Authorization", &auth), ("Content-Type", "text/csv")],
            format!("id,timestamp,from_account,to_account,amount,currency,channel\n{rows}")
                .as_bytes(),
        )
    };
    let foreign = batch(
        &bank,
        "T1,2026-03-01T10:00:00Z,NXTJB2XX|A1,NXTJB9XX|B2,100.00,TJS,domestic_transfer\n",
    );
    assert_eq!(foreign.status, 422, "{}", foreign.text());
    assert!(
        foreign
            .text()
            .contains("neither account is held at this reporting entity"),
        "{}",
        foreign.text()
    );
    let internal = batch(
        &bank,
        "T2,2026-03-01T10:00:00Z,NXTJB1XX|A1,entity:7,100.00,TJS,domestic_transfer\n",
    );
    assert_eq!(internal.status, 422, "{}", internal.text());
    assert_eq!(count(&db, "SELECT COUNT(*) FROM transactions"), 0);
    assert_eq!(
        batch(
            &no_codes,
            "T3,2026-03-01T10:00:00Z,NXTJB1XX|A1,NXTJB2XX|B1,1.00,TJS,domestic_transfer\n"
        )
        .status,
        403
    );

    let row = "T4,2026-03-01T10:00:00Z,NXTJB1XX|A1,NXTJB2XX|B1,250.00,TJS,domestic_transfer\n";
    let first = batch(&bank, row);
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.json(), serde_json::json!({"rows": 1, "accepted": 1}));
    // The receiving bank sends the same payment: the answer does not tell it
    // that the FIU had it already.
    let second = batch(&other_bank, row);
    assert_eq!(second.json(), serde_json::json!({"rows": 1, "accepted": 1}));
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM transactions WHERE source_institution = 101"
        ),
        1,
        "the sender is recorded"
    );

    // A report's answer names what the report held, not what the FIU made of it.
    let r = post_as(
        &server.addr,
        &bank,
        "application/xml",
        str_report(101, "TIP-1", "T9", "10.00", &OTHER, &JAMSHED_CYR).as_bytes(),
    );
    assert_eq!(r.status, 201);
    let message = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        !message.contains("entities") && !message.contains("list"),
        "{message}"
    );
}

/// Finding 13: reports in windows-1251, ISO-8859-1 or UTF-16 were refused.
#[test]
fn reports_in_the_regions_encodings_are_received() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = create_token(&db, 101);
    let server = Server::start(&db);
    let xml = str_report(101, "CP-1", "C1", "10.00", &OTHER, &JAMSHED_CYR).replacen(
        "encoding=\"UTF-8\"",
        "encoding=\"windows-1251\"",
        1,
    );
    let cp1251: Vec<u8> = xml
        .chars()
        .map(|c| match c {
            'А'..='я' => (c as u32 - 'А' as u32 + 0xC0) as u8,
            c if c.is_ascii() => c as u8,
            c => panic!("{c:?} is not in this test's windows-1251"),
        })
        .collect();
    let r = post_as(&server.addr, &token, "application/xml", &cp1251);
    assert_eq!(r.status, 201, "{}", r.text());
    let name = db.one("SELECT name FROM subjects WHERE name LIKE 'Джамшед%'");
    assert_eq!(name, "Джамшед Рахимов");
}

// ------------------------------------------------------------ analysts and purposes

/// A list naming ERIC BADEGE, a bank that reports him (alert 1) and a
/// stranger to him (not on any alert), an analyst and a supervisor.
struct Fiu {
    _dir: tempfile::TempDir,
    db: TestDb,
    server: Server,
    bank: String,
    analyst: Session,
    listed_entity: i64,
    other_entity: i64,
}

const ERIC: Holder = Holder {
    first: "Eric",
    last: "Badege",
    birth: "1971-01-01",
    id_number: "",
    account: "A7",
    bic: "NXTJB1XX",
};

fn fiu_with_a_listed_customer() -> Fiu {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let list = dir.path().join("list.csv");
    std::fs::write(
        &list,
        "id,name,kind,reference\nCDi.001,ERIC BADEGE,person,CDi.001\n",
    )
    .unwrap();
    let out = nexus(&[
        "lists",
        "load",
        "--db",
        &db,
        list.to_str().unwrap(),
        "--name",
        "UN",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let bank = create_token(&db, 101);
    let password = create_user(&db, "alice", "analyst", None);
    let server = Server::start(&db);
    // The name arrives with zero-width spaces in it (finding 9).
    let hidden = Holder {
        first: "ER\u{200B}IC",
        last: "BAD\u{200B}EGE",
        ..ERIC
    };
    let r = post_as(
        &server.addr,
        &bank,
        "application/xml",
        str_report(101, "E-1", "E1", "900.00", &OTHER, &hidden).as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let analyst = login(&server.addr, "alice", &password);
    let listed = db.column("SELECT entity_id FROM alerts WHERE kind = 'screening'");
    let listed_entity: i64 = listed
        .first()
        .expect("a screening alert despite the zero-width spaces")
        .parse()
        .unwrap();
    let other_entity = db.count("SELECT entity_id FROM subjects WHERE name = 'Farrukh Nazarov'");
    // Farrukh sent Eric the money: he is on the alert's report but not its subject.
    Fiu {
        _dir: dir,
        db,
        server,
        bank,
        analyst,
        listed_entity,
        other_entity,
    }
}

/// Finding 9: zero-width characters hid a listed person from screening.
#[test]
fn invisible_characters_do_not_hide_a_listed_person() {
    let f = fiu_with_a_listed_customer();
    let explanation =
        f.db.one("SELECT explanation FROM alerts WHERE kind = 'screening'");
    assert!(explanation.contains("ERIC BADEGE"), "{explanation}");
    let auth = bearer(&f.bank);
    let r = post(
        &f.server.addr,
        "/api/v1/screen",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        "{\"name\": \"ER\u{FEFF}IC BAD\u{200C}EGE\"}".as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["matches"][0]["list_id"], "CDi.001", "{}", r.text());
}

/// Finding 6: any reference unlocked any record; TRIAGE opened reports and
/// messages; the queue needed no purpose; the purpose outlived sign-out.
#[test]
fn a_purpose_opens_only_the_records_it_covers() {
    let f = fiu_with_a_listed_customer();
    let addr = &f.server.addr;
    let a = &f.analyst;
    let entity = |id: i64, purpose: &str, case_ref: &str| {
        get(
            addr,
            &format!("/api/v1/entities/{id}"),
            &a.headers(&[("X-Purpose", purpose), ("X-Case-Ref", case_ref)]),
        )
        .status
    };
    let alert_id = count(&f.db, "SELECT id FROM alerts WHERE kind = 'screening'");
    let alert_ref = format!("ALERT-{alert_id}");
    assert_eq!(
        entity(f.listed_entity, "check of the sanctions alert", &alert_ref),
        200
    );
    assert_eq!(
        entity(f.other_entity, "check of the sanctions alert", &alert_ref),
        403,
        "an alert opens what it names, not another person"
    );
    assert_eq!(
        entity(f.listed_entity, "triage of the queue", "TRIAGE"),
        403
    );
    // An empty case opened for the purpose opens nobody.
    let case_id = open_case(addr, a, "A pretext");
    let reference =
        f.db.one(&format!("SELECT reference FROM cases WHERE id = {case_id}"));
    assert_eq!(entity(f.other_entity, "analysis", &reference), 403);

    // Reports: TRIAGE shows no subjects.
    let report = get(
        addr,
        "/api/v1/reports/1",
        &a.headers(&[
            ("X-Purpose", "triage of the queue"),
            ("X-Case-Ref", "TRIAGE"),
        ]),
    );
    assert!(report.json().get("subjects").is_none(), "{}", report.text());

    // The queue names persons: no purpose, no queue; and it is read under TRIAGE.
    assert_eq!(get(addr, "/api/v1/alerts", &a.headers(&[])).status, 428);
    assert_eq!(
        get(
            addr,
            "/api/v1/alerts",
            &a.headers(&[("X-Purpose", "analysis"), ("X-Case-Ref", &reference)])
        )
        .status,
        403
    );
    let q = get(
        addr,
        "/api/v1/alerts",
        &a.headers(&[
            ("X-Purpose", "triage of the queue"),
            ("X-Case-Ref", "TRIAGE"),
        ]),
    );
    assert_eq!(q.status, 200);
    let audited =
        f.db.one("SELECT purpose FROM audit_log WHERE action = 'alerts.list' ORDER BY seq DESC");
    assert_eq!(
        audited, "triage of the queue",
        "audited with the purpose stated"
    );

    // The purpose stated in a session ends with it: the next user of the browser starts without.
    state_purpose(addr, a, "triage of the queue", "TRIAGE");
    let page = get(addr, "/alerts", &[("Cookie", &a.cookie)]).text();
    assert!(page.contains("id=\"queue\""), "{page}");
    assert_eq!(
        form(addr, a, "/logout", &format!("csrf={}", a.csrf)).status,
        303
    );
    let password = create_user(&f.db, "bob", "analyst", None);
    let bob = login(addr, "bob", &password);
    let page = get(addr, "/alerts", &[("Cookie", &bob.cookie)]).text();
    assert!(
        page.contains("State your purpose") && !page.contains("id=\"queue\""),
        "{page}"
    );
}

/// Finding 10: one analyst's "dismiss" closed a sanctions match for good.
#[test]
fn one_analyst_cannot_silence_a_sanctions_match() {
    let f = fiu_with_a_listed_customer();
    let alert_id = count(&f.db, "SELECT id FROM alerts WHERE kind = 'screening'");
    let r = post(
        &f.server.addr,
        &format!("/api/v1/alerts/{alert_id}"),
        &f.analyst.headers(&[("Content-Type", "application/json")]),
        br#"{"action": "dismiss", "reason": "looks like a different person to me"}"#,
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("clearance"), "{}", r.text());
    assert_eq!(
        count(
            &f.db,
            &format!("SELECT COUNT(*) FROM alerts WHERE id = {alert_id} AND status = 'new'")
        ),
        1
    );
}

/// Finding 7: the administrator read entity names, screened names and
/// failed sign-ins' raw user names (sometimes a password) in the audit trail.
#[test]
fn administrators_do_not_read_personal_data_in_the_audit_trail() {
    let f = fiu_with_a_listed_customer();
    let addr = &f.server.addr;
    let alert_id = count(&f.db, "SELECT id FROM alerts WHERE kind = 'screening'");
    let r = get(
        addr,
        &format!("/api/v1/entities/{}", f.listed_entity),
        &f.analyst.headers(&[
            ("X-Purpose", "check of the sanctions alert"),
            ("X-Case-Ref", &format!("ALERT-{alert_id}")),
        ]),
    );
    assert_eq!(r.status, 200);
    let r = post(
        addr,
        "/api/v1/screen",
        &f.analyst.headers(&[("Content-Type", "application/json")]),
        br#"{"name": "Zarina Tokhtasinova"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // Someone types a password into the user-name field.
    let typed = "Sup3r-Secret-Pa55";
    let r = post(
        addr,
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("username={typed}&password=x").as_bytes(),
    );
    assert_eq!(r.status, 401);
    let stored: i64 = count(&f.db, &format!("SELECT COUNT(*) FROM audit_log WHERE actor || action || object || detail || personal LIKE '%{typed}%'"));
    assert_eq!(stored, 0, "a mistyped password is never stored");

    let admin_pw = create_user(&f.db, "root", "administrator", None);
    let admin = login(addr, "root", &admin_pw);
    let page = get(addr, "/oversight", &[("Cookie", &admin.cookie)]).text();
    assert!(
        page.contains("entity.view") && page.contains("screen.query"),
        "{page}"
    );
    for secret in ["Badege", "BADEGE", "Tokhtasinova"] {
        assert!(!page.contains(secret), "the administrator reads {secret}");
    }
    assert!(page.contains("withheld"));
    // Searching the trail for a name tells the administrator nothing either.
    let page = get(
        addr,
        "/oversight?filter=Tokhtasinova",
        &[("Cookie", &admin.cookie)],
    )
    .text();
    assert!(!page.contains("screen.query"), "{page}");

    let oversight_pw = create_user(&f.db, "olga", "oversight", None);
    let olga = login(addr, "olga", &oversight_pw);
    let page = get(
        addr,
        "/oversight?filter=Tokhtasinova",
        &[("Cookie", &olga.cookie)],
    )
    .text();
    assert!(
        page.contains("screen.query") && page.contains("Zarina Tokhtasinova"),
        "oversight sees whom: {page}"
    );
}

// ------------------------------------------------------------ administrators

/// Finding 2: a retention of 9223372036854775807 days wrapped around and
/// purged every report, at every start.
#[test]
fn retention_cannot_overflow_into_a_purge() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = create_token(&db, 101);
    let admin_pw = create_user(&db, "root", "administrator", None);
    let server = Server::start(&db);
    let r = post_as(
        &server.addr,
        &token,
        "application/xml",
        str_report(101, "KEEP-1", "K1", "10.00", &OTHER, &JAMSHED_CYR).as_bytes(),
    );
    assert_eq!(r.status, 201);
    let admin = login(&server.addr, "root", &admin_pw);
    for days in ["9223372036854775807", "-5", "0", "36501"] {
        let r = form(
            &server.addr,
            &admin,
            "/admin/retention",
            &format!("csrf={}&days={days}&purge=yes", admin.csrf),
        );
        assert!(r.status >= 400 && r.status < 500, "{days}: {}", r.status);
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM reports"), 1);
    drop(server);
    // A value stored by other means is refused at the next start, not obeyed.
    db.execute("UPDATE settings SET value = '9223372036854775807' WHERE key = 'retention_days'");
    let server = Server::start(&db);
    std::thread::sleep(Duration::from_millis(500));
    alive(&server);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM reports"),
        1,
        "nothing purged"
    );
}

/// Finding 5: deleting the newest records, or deleting one and recomputing
/// every hash after it, verified as intact.
#[test]
fn truncating_or_rewriting_the_audit_log_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    // Two FIUs with the same history: one is truncated, the other rewritten.
    let fius: Vec<(TestDb, std::path::PathBuf)> = ["truncated", "rewritten"]
        .iter()
        .map(|name| {
            let db = TestDb::named(dir.path(), name);
            for i in 0..6 {
                create_token(&db, 100 + i);
            }
            let anchor = dir.path().join(format!("{name}-anchor.jsonl"));
            let out = nexus(&[
                "audit",
                "checkpoint",
                "--db",
                &db,
                "--append",
                anchor.to_str().unwrap(),
            ]);
            assert!(out.status.success(), "{}", common::stderr(&out));
            let intact = nexus(&["audit", "verify", "--db", &db]);
            assert!(intact.status.success(), "{}", common::stdout(&intact));
            (db, anchor)
        })
        .collect();
    let verify = |db: &TestDb, extra: &[&str]| {
        let mut args = vec!["audit", "verify", "--db", db];
        args.extend_from_slice(extra);
        nexus(&args)
    };

    // Truncation: the newest records removed.
    let (db, _) = &fius[0];
    db.execute("DELETE FROM audit_log WHERE seq >= 5");
    let out = verify(db, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stdout(&out).contains("records were removed"),
        "{}",
        common::stdout(&out)
    );

    // Rewrite: record 2 deleted, every later record renumbered and rehashed,
    // and the stored checkpoints deleted too — the exported one still tells.
    let (db, anchor) = &fius[1];
    rehash_without(db, 2);
    db.execute("DELETE FROM audit_checkpoints");
    assert!(
        verify(db, &[]).status.success(),
        "the chain alone cannot tell"
    );
    let out = verify(db, &["--checkpoint", anchor.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = common::stdout(&out);
    assert!(
        text.contains("rewritten") || text.contains("removed"),
        "{text}"
    );
}

/// Deletes audit record `gone` and recomputes the chain after it, as an
/// attacker with the database and the code would.
fn rehash_without(db: &TestDb, gone: i64) {
    use sha2::{Digest, Sha256};
    db.execute(&format!("DELETE FROM audit_log WHERE seq = {gone}"));
    let rows = db.rows("SELECT seq, at, actor, action, object, purpose, case_ref, detail, personal FROM audit_log ORDER BY seq");
    db.execute("DELETE FROM audit_log");
    let mut prev = "0".repeat(64);
    for (i, r) in rows.iter().enumerate() {
        let seq = i as i64 + 1;
        let at = &r[1];
        let f = &r[2..];
        let mut h = Sha256::new();
        let mut field = |b: &[u8]| {
            h.update((b.len() as u64).to_le_bytes());
            h.update(b);
        };
        field(prev.as_bytes());
        field(seq.to_string().as_bytes());
        field(at.as_bytes());
        for x in &f[..6] {
            field(x.as_bytes());
        }
        if !f[6].is_empty() {
            field(f[6].as_bytes());
        }
        let hash = hex::encode(h.finalize());
        let texts: Vec<String> = f.iter().map(|x| literal(x)).collect();
        db.execute(&format!(
            "INSERT INTO audit_log(seq, at, actor, action, object, purpose, case_ref, detail, personal, prev_hash, hash) VALUES ({seq}, {at}, {}, '{prev}', '{hash}')",
            texts.join(", ")
        ));
        prev = hash;
    }
}

/// Finding 12 (accounts): `Admin` and `admin\u200b` were accepted beside `admin`.
#[test]
fn user_names_cannot_impersonate_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    create_user(&db, "admin", "administrator", None);
    for other in ["Admin", "admin\u{200B}", "\u{0430}dmin"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_nexus"))
            .args([
                "user",
                "create",
                "--db",
                &db,
                "--username",
                other,
                "--role",
                "analyst",
            ])
            .env("NEXUS_PASSWORD", "a-long-enough-password")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{other:?} was accepted beside admin");
    }
}

// ------------------------------------------------------------ strangers on the network

/// Finding 4: the unauthenticated inbox took 256 MiB bodies and wrote a
/// stranger's 20 MiB "fingerprint" into the audit log, and every rejection.
#[test]
fn the_inbox_bounds_what_strangers_send() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let out = nexus(&["exchange", "init", "--db", &db, "--country", "TJ"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let server = Server::start(&db);
    let inbox = |body: &[u8]| {
        request(
            &server.addr,
            "POST",
            "/api/v1/exchange/inbox",
            &[("Content-Type", "application/octet-stream")],
            body,
        )
        .unwrap()
    };

    let r = inbox(&vec![0u8; 70 << 20]);
    assert_eq!(r.status, 413, "{}", r.text());

    // An envelope whose header claims a 20 MiB sender.
    let header = format!("{{\"sender\":\"{}\"}}", "f".repeat(20 << 20));
    let mut env = b"NXE1".to_vec();
    env.extend_from_slice(&(header.len() as u32).to_be_bytes());
    env.extend_from_slice(header.as_bytes());
    env.extend_from_slice(&0u32.to_be_bytes());
    env.extend_from_slice(&[0u8; 64]);
    let r = inbox(&env);
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.body.len() < 1000,
        "the answer echoes {} bytes",
        r.body.len()
    );
    let longest: i64 = count(
        &db,
        "SELECT MAX(LENGTH(actor) + LENGTH(detail)) FROM audit_log",
    );
    assert!(longest < 1000, "an audit record of {longest} bytes");

    // A flood of rejections is recorded within a budget, the rest counted.
    for _ in 0..150 {
        assert_eq!(inbox(b"NXE1 garbage").status, 400);
    }
    let recorded = count(
        &db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'exchange.reject'",
    );
    assert!(recorded <= 70, "{recorded} rejections recorded one by one");
    alive(&server);
}

/// Finding 11: no limit on sign-in attempts (64 parallel failures took 1.3 GB).
#[test]
fn sign_in_guessing_is_slowed_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let password = create_user(&db, "alice", "analyst", None);
    let bob_pw = create_user(&db, "bob", "analyst", None);
    let server = Server::start(&db);
    let try_login = |user: &str, pw: &str, ip_hint: Option<&str>| {
        let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
        if let Some(ip) = ip_hint {
            h.push(("X-Forwarded-For", ip)); // not trusted: changes nothing
        }
        post(
            &server.addr,
            "/login",
            &h,
            format!("username={user}&password={}", form_value(pw)).as_bytes(),
        )
        .status
    };
    for _ in 0..5 {
        assert_eq!(try_login("alice", "wrong-guess-123", None), 401);
    }
    assert_eq!(
        try_login("alice", &password, Some("10.9.9.9")),
        429,
        "backed off, even with the right password"
    );
    assert_eq!(
        try_login("bob", &bob_pw, None),
        303,
        "another user is not affected"
    );

    // 64 guesses at once: every one answered, memory bounded.
    let addr = server.addr.clone();
    let threads: Vec<_> = (0..64)
        .map(|i| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                post(
                    &addr,
                    "/login",
                    &[("Content-Type", "application/x-www-form-urlencoded")],
                    format!("username=user{i}&password=guess").as_bytes(),
                )
                .status
            })
        })
        .collect();
    for t in threads {
        let status = t.join().unwrap();
        assert!([401, 429, 503].contains(&status), "{status}");
    }
    let peak_kib = peak_memory_kib(server.child.id());
    assert!(peak_kib < 400 << 10, "peak memory {} MiB", peak_kib >> 10);
    alive(&server);
}

fn peak_memory_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Finding 11: half-sent requests were held open forever.
#[test]
fn slow_clients_are_timed_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let limits = dir.path().join("limits.conf");
    std::fs::write(
        &limits,
        "header_timeout = 1\nbody_timeout = 2\nmax_connections_per_address = 50\n",
    )
    .unwrap();
    let server = Server::start_with(&db, &["--limits", limits.to_str().unwrap()]);

    // Half-sent headers: closed after the header timeout.
    let mut held: Vec<TcpStream> = (0..40)
        .filter_map(|_| {
            let mut s = TcpStream::connect(&server.addr).ok()?;
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").ok()?;
            Some(s)
        })
        .collect();
    alive(&server);
    std::thread::sleep(Duration::from_millis(2500));
    for s in held.iter_mut() {
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut buf = [0u8; 256];
        // Closed: end of stream (or a reset, or an error answer, then the end).
        let n = s.read(&mut buf).unwrap_or(0);
        if n > 0 {
            assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 4"));
        }
    }
    // A body shorter than announced: 408 after the body timeout, not forever.
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.write_all(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=a").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let started = Instant::now();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(6));
    alive(&server);

    // One address holds at most 50 connections; the rest are closed at once.
    let flood: Vec<TcpStream> = (0..80)
        .filter_map(|_| TcpStream::connect(&server.addr).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let closed = flood
        .iter()
        .filter(|s| {
            let mut s = *s;
            s.set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            match s.read(&mut [0u8; 1]) {
                Ok(0) => true,
                Ok(_) => false,
                // Still open: nothing to read yet.
                Err(e) => !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
            }
        })
        .count();
    assert!(closed >= 30, "{closed} of 80 refused");
    drop(flood);
}

/// Finding 12 (web): a foreign Origin could sign in, `/api/v1/screen` took a
/// session without CSRF, pages were cached and framable, `next` could leave the site.
#[test]
fn browsers_get_the_protections_of_a_careful_site() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let password = create_user(&db, "alice", "analyst", None);
    let server = Server::start(&db);
    let addr = &server.addr;
    let r = post(
        addr,
        "/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Origin", "https://evil.example"),
        ],
        format!("username=alice&password={password}").as_bytes(),
    );
    assert_eq!(r.status, 403, "sign-in from another site");
    let alice = login(addr, "alice", &password);
    let r = post(
        addr,
        "/api/v1/screen",
        &[
            ("Cookie", &alice.cookie),
            ("Content-Type", "application/json"),
        ],
        br#"{"name": "x y"}"#,
    );
    assert_eq!(r.status, 403, "a session without its CSRF token");
    let page = get(addr, "/cases", &[("Cookie", &alice.cookie)]);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(page.header("referrer-policy"), Some("same-origin"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    for next in [
        "/\\evil.example/x",
        "//evil.example",
        "https://evil.example",
        "/ok\r\nSet-Cookie: x=1",
    ] {
        let r = form(
            addr,
            &alice,
            "/purpose",
            &format!(
                "csrf={}&purpose={}&case_ref=TRIAGE&next={}",
                alice.csrf,
                form_value("triage of alerts"),
                form_value(next)
            ),
        );
        assert_eq!(r.header("location"), Some("/"), "{next:?}");
    }
}

/// Finding 12 (cases): a freeze on a missing entity answered 500, and a
/// freeze on an entity outside the case was recorded.
#[test]
fn freezes_name_a_subject_of_their_case() {
    let f = fiu_with_a_listed_customer();
    let addr = &f.server.addr;
    let a = &f.analyst;
    let case_id = open_case(addr, a, "Badege network");
    let order = |entity: i64| {
        form(
            addr,
            a,
            &format!("/cases/{case_id}/freezes"),
            &format!(
                "csrf={}&entity_id={entity}&assets=account&legal_basis=UNSCR+1373&issued_on=2026-03-01&expires_on=2026-09-01",
                a.csrf
            ),
        )
        .status
    };
    assert_eq!(order(999_999), 404);
    assert_eq!(order(f.other_entity), 400, "not a subject of the case");
    assert_eq!(count(&f.db, "SELECT COUNT(*) FROM freezes"), 0);
    let r = form(
        addr,
        a,
        &format!("/cases/{case_id}/entities"),
        &format!("csrf={}&entity_id={}", a.csrf, f.listed_entity),
    );
    assert_eq!(r.status, 303);
    assert_eq!(order(f.listed_entity), 303);
}

// ------------------------------------------------------------ the command line

/// Finding 14: `--out /dev/null` replaced the device with a regular file.
#[test]
fn outputs_never_replace_devices_fifos_or_links() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.csv");
    std::fs::write(&list, "id,name\nL1,Eric Badege\n").unwrap();
    let names = dir.path().join("names.csv");
    std::fs::write(&names, "id,name\nq1,Erik Badege\n").unwrap();
    let screen = |out: &str| {
        nexus(&[
            "screen",
            "--list",
            list.to_str().unwrap(),
            "--names",
            names.to_str().unwrap(),
            "--out",
            out,
        ])
    };

    let o = screen("-");
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(
        common::stdout(&o).contains("L1"),
        "matches on standard output"
    );

    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = screen(fifo.to_str().unwrap());
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(reader.join().unwrap().contains("L1"));
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "still a FIFO"
    );

    let target = dir.path().join("real.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert!(screen(link.to_str().unwrap()).status.success());
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&target).unwrap().contains("L1"));

    assert!(screen("/dev/null").status.success());
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
}

/// Candidates below the threshold are for the FIU's tuning: an analyst gets
/// them marked `below_threshold`, a bank's token asking for them is refused,
/// and asking for more than 20 is an error.
#[test]
fn candidates_below_the_threshold_are_for_the_fiu() {
    let f = fiu_with_a_listed_customer();
    let addr = &f.server.addr;
    let r = post(
        addr,
        "/api/v1/screen",
        &f.analyst.headers(&[("Content-Type", "application/json")]),
        br#"{"name": "Eric Badeg Mutombo", "top": 5}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let found = r.json()["matches"].as_array().unwrap().clone();
    assert!(
        found.iter().any(|m| m["below_threshold"] == true),
        "a candidate under the threshold: {found:?}"
    );
    assert!(
        found
            .iter()
            .all(|m| m["below_threshold"] == (m["score"].as_f64().unwrap() < 0.8)),
        "{found:?}"
    );
    let bearer = format!("Bearer {}", f.bank);
    let r = post(
        addr,
        "/api/v1/screen",
        &[
            ("Authorization", bearer.as_str()),
            ("Content-Type", "application/json"),
        ],
        br#"{"name": "Eric Badege", "top": 5}"#,
    );
    assert_eq!(r.status, 403, "{}", r.text());
    let r = post(
        addr,
        "/api/v1/screen",
        &f.analyst.headers(&[("Content-Type", "application/json")]),
        br#"{"name": "Eric Badege", "top": 500}"#,
    );
    assert_eq!(r.status, 400, "{}", r.text());
}
