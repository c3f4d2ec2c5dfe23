//! End-to-end tests of the FIU service: a real `nexus serve` process on an
//! embedded database, driven over HTTP like a bank's system and a browser.

mod common;

use common::db::{literal, TestDb};
use common::http::{
    create_token, create_user, form_value, get, login, post, state_purpose, Server,
};
use common::nexus;
use common::reports::{str_report, JAMSHED_CYR, JAMSHED_LAT, OTHER};
use std::path::Path;

fn xml_headers(token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Authorization", format!("Bearer {token}")),
        ("Content-Type", "application/xml".into()),
    ]
}

fn post_report(addr: &str, token: &str, xml: &str) -> common::http::Resp {
    let h = xml_headers(token);
    let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post(addr, "/api/v1/reports", &h, xml.as_bytes())
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[test]
fn intake_validates_stores_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = create_token(&db, 101);
    let other_token = create_token(&db, 102);
    let server = Server::start(&db);
    let addr = &server.addr;

    let xml = str_report(101, "STR-101-1", "T1", "15000.00", &OTHER, &JAMSHED_CYR);
    let first = post_report(addr, &token, &xml);
    assert_eq!(first.status, 201, "{}", first.text());
    let v = first.json();
    assert_eq!(v["status"], "processed");
    assert!(v["message"].as_str().unwrap().contains("2 subjects"), "{v}");
    let id = v["report_id"].as_i64().unwrap();

    // The same report again: the same answer, nothing new.
    let again = post_report(addr, &token, &xml);
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["report_id"].as_i64(), Some(id));
    assert_eq!(again.json()["duplicate"], true);

    // Different content under a processed reference: refused, nothing stored.
    let changed = post_report(addr, &token, &xml.replace("15000.00", "15001.00"));
    assert_eq!(changed.status, 409, "{}", changed.text());

    // An invalid report: 422 with every problem, stored as failed validation, visible to the reporter.
    let bad = xml
        .replace("STR-101-1", "STR-101-2")
        .replace("<amount_local>15000.00", "<amount_local>15 000")
        .replace("<from_country>TJ</from_country>", "")
        .replace(
            "<birthdate>1985-03-14T00:00:00</birthdate>",
            "<birthdate>14.03.1985</birthdate>",
        );
    let r = post_report(addr, &token, &bad);
    assert_eq!(r.status, 422, "{}", r.text());
    let v = r.json();
    assert_eq!(v["status"], "failed-validation");
    let problems = v["problems"].as_array().unwrap();
    let paths: Vec<&str> = problems
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"report/transaction[1]/amount_local"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"report/transaction[1]/t_from/from_country"),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p.ends_with("t_person/birthdate")),
        "{paths:?}"
    );
    assert!(problems.iter().all(|p| p["line"].as_u64().unwrap() > 0));
    let bad_id = v["report_id"].as_i64().unwrap();
    let seen = get(
        addr,
        &format!("/api/v1/reports/{bad_id}"),
        &[("Authorization", &bearer(&token))],
    );
    assert_eq!(seen.json()["status"], "failed-validation");
    assert_eq!(
        seen.json()["problems"].as_array().unwrap().len(),
        problems.len()
    );

    // The corrected report under the same reference replaces it.
    let fixed = xml
        .replace("STR-101-1", "STR-101-2")
        .replace("<transactionnumber>T1<", "<transactionnumber>T2<");
    let r = post_report(addr, &token, &fixed);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["report_id"].as_i64(), Some(bad_id));
    let seen = get(
        addr,
        &format!("/api/v1/reports/{bad_id}"),
        &[("Authorization", &bearer(&token))],
    );
    assert_eq!(seen.json()["status"], "processed");
    assert!(seen.json()["problems"].as_array().unwrap().is_empty());

    // A report naming another reporting entity is stored as rejected, with the reason.
    let r = post_report(
        addr,
        &token,
        &str_report(999, "STR-999-1", "T3", "10.00", &OTHER, &JAMSHED_CYR),
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["status"], "rejected");
    assert!(r.json()["message"].as_str().unwrap().contains("999"));

    // Another institution sees neither this report nor whether it exists.
    let foreign = get(
        addr,
        &format!("/api/v1/reports/{id}"),
        &[("Authorization", &bearer(&other_token))],
    );
    let missing = get(
        addr,
        "/api/v1/reports/999999",
        &[("Authorization", &bearer(&other_token))],
    );
    assert_eq!((foreign.status, missing.status), (404, 404));
    assert_eq!(foreign.text(), missing.text());
    let listed = get(
        addr,
        "/api/v1/reports",
        &[("Authorization", &bearer(&other_token))],
    );
    assert!(listed.json()["reports"].as_array().unwrap().is_empty());
}

#[test]
fn bad_uploads_get_4xx_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = create_token(&db, 101);
    let server = Server::start(&db);
    let addr = &server.addr;
    let auth = bearer(&token);
    let count = || {
        get(addr, "/api/v1/reports", &[("Authorization", &auth)]).json()["reports"]
            .as_array()
            .unwrap()
            .len()
    };

    assert_eq!(
        post(
            addr,
            "/api/v1/reports",
            &[("Content-Type", "application/xml")],
            b"<report/>"
        )
        .status,
        401
    );
    assert_eq!(
        post(
            addr,
            "/api/v1/reports",
            &[
                ("Authorization", "Bearer nonsense"),
                ("Content-Type", "application/xml")
            ],
            b"<report/>"
        )
        .status,
        401
    );
    let r = post(
        addr,
        "/api/v1/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        b"{}",
    );
    assert_eq!(r.status, 415);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("application/xml"));
    assert_eq!(
        post(
            addr,
            "/api/v1/reports",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/xml")
            ],
            b""
        )
        .status,
        400
    );
    let r = post(
        addr,
        "/api/v1/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/zip"),
        ],
        b"PK\x03\x04 not really a zip",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.json()["error"].as_str().unwrap().contains("zip"));
    let huge = vec![b'x'; 21 << 20];
    let r = post(
        addr,
        "/api/v1/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/xml"),
        ],
        &huge,
    );
    assert_eq!(r.status, 413);
    // Not XML at all: a problem with a line, stored as failed validation under a content reference.
    let r = post(
        addr,
        "/api/v1/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/xml"),
        ],
        b"\x00\x01garbage",
    );
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(count(), 1);

    // A zip of two good reports and one that is not XML: one transaction, statuses per report.
    let zip_path = dir.path().join("batch.zip");
    let good1 = str_report(101, "Z-1", "ZT1", "100.00", &OTHER, &JAMSHED_CYR);
    let good2 = str_report(101, "Z-2", "ZT2", "200.00", &OTHER, &JAMSHED_CYR);
    write_zip(
        &zip_path,
        &[
            ("z1.xml", good1.as_bytes()),
            ("z2.xml", good2.as_bytes()),
            ("z3.xml", b"<report><rentity_id>"),
        ],
    );
    let bytes = std::fs::read(&zip_path).unwrap();
    let r = post(
        addr,
        "/api/v1/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/zip"),
        ],
        &bytes,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let statuses: Vec<String> = r.json()["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(statuses, ["processed", "processed", "failed-validation"]);
    assert_eq!(count(), 4);

    // A zip holding something other than reports is refused whole.
    write_zip(
        &zip_path,
        &[
            ("z4.xml", good1.replace("Z-1", "Z-4").as_bytes()),
            ("notes.txt", b"hello"),
        ],
    );
    let bytes = std::fs::read(&zip_path).unwrap();
    let r = post(
        addr,
        "/api/v1/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/zip"),
        ],
        &bytes,
    );
    assert_eq!(r.status, 400);
    assert_eq!(count(), 4, "nothing of a refused zip is stored");
}

fn write_zip(path: &Path, files: &[(&str, &[u8])]) {
    // Stored entries (no compression): enough for the reader and needs no zip writer here.
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let crc = crc32(data);
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&20u16.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(&0u32.to_le_bytes());
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            if central {
                h.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
                h.extend_from_slice(&0u32.to_le_bytes());
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x04034b50, false));
        out.extend_from_slice(data);
        central.extend(header(0x02014b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x06054b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    std::fs::write(path, out).unwrap();
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn the_same_person_reported_by_two_banks_becomes_one_entity_and_reading_him_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let bank1 = create_token(&db, 101);
    let bank2 = create_token(&db, 102);
    let password = create_user(&db, "alice", "analyst", None);
    let oversight_password = create_user(&db, "olga", "oversight", None);
    let server = Server::start(&db);
    let addr = &server.addr;

    let r1 = post_report(
        addr,
        &bank1,
        &str_report(101, "B1-1", "X1", "5000.00", &OTHER, &JAMSHED_CYR),
    );
    assert_eq!(r1.status, 201, "{}", r1.text());
    let r2 = post_report(
        addr,
        &bank2,
        &str_report(102, "B2-1", "X2", "7000.00", &OTHER, &JAMSHED_LAT),
    );
    assert_eq!(r2.status, 201, "{}", r2.text());

    let alice = login(addr, "alice", &password);
    let triage = [
        ("X-Purpose", "triage of incoming STRs"),
        ("X-Case-Ref", "TRIAGE"),
    ];
    // Triage works the alert queue; it does not open the persons in reports.
    let report_path = format!("/api/v1/reports/{}", r1.json()["report_id"]);
    let r = get(addr, &report_path, &alice.headers(&triage));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json().get("subjects").is_none(), "{}", r.text());

    // Entity resolution (seen in the database, as the test's own view): one
    // person across the two banks, with the evidence that joined them.
    let entity_of = |name: &str| -> i64 {
        db.count(&format!(
            "SELECT entity_id FROM subjects WHERE name = {}",
            literal(name)
        ))
    };
    let entity = entity_of("Джамшед Рахимов");
    assert_eq!(entity, entity_of("Jamshed Rakhimov"), "one entity");
    let evidence = db.one("SELECT evidence FROM subjects WHERE name = 'Jamshed Rakhimov'");
    assert!(
        evidence.contains("same birth date 1985-03-14"),
        "{evidence}"
    );
    let farrukh =
        db.count("SELECT COUNT(DISTINCT entity_id) FROM subjects WHERE name = 'Farrukh Nazarov'");
    assert_eq!(farrukh, 1, "same account, same name");

    // Personal data needs a purpose and a reference that covers the person.
    let path = format!("/api/v1/entities/{entity}");
    assert_eq!(get(addr, &path, &alice.headers(&[])).status, 428);
    let r = get(
        addr,
        &path,
        &alice.headers(&[("X-Purpose", "curiosity"), ("X-Case-Ref", "CASE-1999-0001")]),
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("names no case"), "{}", r.text());
    let purpose = [
        ("X-Purpose", "check of a sanctions alert"),
        ("X-Case-Ref", "TRIAGE"),
    ];
    assert_eq!(
        get(addr, &path, &alice.headers(&purpose)).status,
        403,
        "TRIAGE does not open an entity"
    );

    // Open a case through the UI form, put the person into it, read him under it.
    let case_id = common::http::open_case(addr, &alice, "Rakhimov transfers");
    let case_page = get(
        addr,
        &format!("/cases/{case_id}"),
        &[("Cookie", &alice.cookie)],
    )
    .text();
    let reference = case_page
        .split("value=\"CASE-")
        .nth(1)
        .map(|s| format!("CASE-{}", s.split('"').next().unwrap()))
        .expect("case reference suggested");
    let purpose = [
        ("X-Purpose", "analysis of the Rakhimov transfers"),
        ("X-Case-Ref", reference.as_str()),
    ];
    assert_eq!(
        get(addr, &path, &alice.headers(&purpose)).status,
        403,
        "a case opens only the persons put into it"
    );
    let r = post(
        addr,
        &format!("/cases/{case_id}/entities"),
        &[
            ("Cookie", &alice.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={}&entity_id={entity}", alice.csrf).as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let r = get(addr, &path, &alice.headers(&purpose));
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["subjects"].as_array().unwrap().len(), 2);
    assert_eq!(v["transactions"].as_array().unwrap().len(), 2);
    // The reports naming him are read under the case too.
    let r = get(addr, &report_path, &alice.headers(&purpose));
    assert_eq!(
        r.json()["subjects"].as_array().map(Vec::len),
        Some(2),
        "{}",
        r.text()
    );

    // The oversight body sees who looked at whom, why, under which case; analysts cannot.
    let olga = login(addr, "olga", &oversight_password);
    let page = get(
        addr,
        &format!("/oversight?filter=entity%3A{entity}"),
        &[("Cookie", &olga.cookie)],
    );
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(
        text.contains("user:alice")
            && text.contains("entity.view")
            && text.contains("analysis of the Rakhimov transfers")
            && text.contains(&reference),
        "{text}"
    );
    assert!(text.contains("Audit chain intact"));
    assert_eq!(
        get(addr, "/oversight", &[("Cookie", &alice.cookie)]).status,
        403
    );
    assert_eq!(
        get(addr, &path, &olga.headers(&purpose)).status,
        403,
        "oversight reads the trail, not the files"
    );
    assert_eq!(
        get(
            addr,
            "/api/v1/alerts",
            &[("Authorization", &bearer(&bank1))]
        )
        .status,
        403
    );
    assert_eq!(
        get(addr, "/admin", &[("Cookie", &alice.cookie)]).status,
        403
    );
    assert_eq!(
        get(addr, "/alerts", &[]).status,
        303,
        "the UI sends strangers to sign in"
    );
    assert_eq!(get(addr, "/api/v1/alerts", &[]).status, 401);

    // Sessions end.
    let form = format!("csrf={}", alice.csrf);
    let r = post(
        addr,
        "/logout",
        &[
            ("Cookie", &alice.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        form.as_bytes(),
    );
    assert_eq!(r.status, 303);
    assert_eq!(get(addr, &path, &alice.headers(&purpose)).status, 401);
    // A form without the CSRF token is refused.
    let olga_form = post(
        addr,
        "/logout",
        &[
            ("Cookie", &olga.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        b"csrf=wrong",
    );
    assert_eq!(olga_form.status, 403);
    drop(server);

    let verify = nexus(&["audit", "verify", "--db", &db]);
    assert!(verify.status.success(), "{}", common::stdout(&verify));
}

#[test]
fn audit_verify_names_the_first_tampered_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    for i in 0..4 {
        create_token(&db, 100 + i);
    }
    let ok = nexus(&["audit", "verify", "--db", &db]);
    assert!(ok.status.success());
    assert!(
        common::stdout(&ok).contains("intact: 4 records"),
        "{}",
        common::stdout(&ok)
    );
    db.execute("UPDATE audit_log SET detail = 'institution 666' WHERE seq = 3");
    let bad = nexus(&["audit", "verify", "--db", &db]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        common::stdout(&bad).contains("broken: record 3"),
        "{}",
        common::stdout(&bad)
    );
}

#[test]
fn acknowledged_reports_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let token = create_token(&db, 101);
    let server = Server::start(&db);
    let addr = server.addr.clone();
    let uploader = {
        let token = token.clone();
        std::thread::spawn(move || {
            let mut acknowledged = Vec::new();
            for i in 0.. {
                let xml = str_report(
                    101,
                    &format!("K-{i}"),
                    &format!("KT{i}"),
                    "123.45",
                    &OTHER,
                    &JAMSHED_CYR,
                );
                match common::http::request(
                    &addr,
                    "POST",
                    "/api/v1/reports",
                    &[
                        ("Authorization", &bearer(&token)),
                        ("Content-Type", "application/xml"),
                    ],
                    xml.as_bytes(),
                ) {
                    Ok(r) if r.status == 201 => {
                        acknowledged.push(r.json()["report_id"].as_i64().unwrap())
                    }
                    Ok(r) => panic!("unexpected {}: {}", r.status, r.text()),
                    Err(_) => break, // the server died under us
                }
            }
            acknowledged
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(1500));
    server.kill();
    let acknowledged = uploader.join().unwrap();
    assert!(
        acknowledged.len() > 5,
        "only {} uploads before the kill",
        acknowledged.len()
    );

    let server = Server::start(&db);
    for id in &acknowledged {
        let r = get(
            &server.addr,
            &format!("/api/v1/reports/{id}"),
            &[("Authorization", &bearer(&token))],
        );
        assert_eq!(r.status, 200, "acknowledged report {id} lost");
        assert_eq!(r.json()["status"], "processed");
    }
    drop(server);
    let verify = nexus(&["audit", "verify", "--db", &db]);
    assert!(verify.status.success(), "{}", common::stdout(&verify));
    eprintln!(
        "{} acknowledged reports survived SIGKILL",
        acknowledged.len()
    );
}

#[test]
fn a_cleared_false_positive_is_not_raised_again_for_the_same_list_entry() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    // A national list naming a Jamshed Rakhimov born in 1982 (not our customer, born 1985).
    let list = dir.path().join("national.csv");
    std::fs::write(&list, "id,name,birth_date,nationality,kind,reference\nTJ-77,Jamshed Rakhimov,1982,TJ,person,TJ/2020/77\n").unwrap();
    let out = nexus(&[
        "lists",
        "load",
        "--db",
        &db,
        list.to_str().unwrap(),
        "--name",
        "National list",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let token = create_token(&db, 101);
    let analyst = create_user(&db, "alice", "analyst", None);
    let supervisor = create_user(&db, "sam", "supervisor", None);
    let server = Server::start(&db);
    let addr = &server.addr;

    let r = post_report(
        addr,
        &token,
        &str_report(101, "FP-1", "F1", "300.00", &OTHER, &JAMSHED_CYR),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    // The bank is not told that its customer is on a list (tipping-off).
    let message = r.json()["message"].as_str().unwrap().to_string();
    assert_eq!(message, "processed: 2 subjects, 1 transactions");

    let alice = login(addr, "alice", &analyst);
    let triage = [
        ("X-Purpose", "triage of sanctions alerts"),
        ("X-Case-Ref", "TRIAGE"),
    ];
    let alerts = get(addr, "/api/v1/alerts?status=open", &alice.headers(&triage)).json();
    let alert = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "screening")
        .expect("a screening alert")
        .clone();
    let explanation = alert["explanation"].as_str().unwrap();
    assert!(
        explanation.contains("TJ-77") && explanation.contains("birth"),
        "{explanation}"
    );
    let id = alert["alert_id"].as_i64().unwrap();

    let form = format!(
        "csrf={}&justification={}",
        alice.csrf,
        form_value("born 1985, the listed person 1982; other father, other passport")
    );
    let r = post(
        addr,
        &format!("/alerts/{id}/clearance"),
        &[
            ("Cookie", &alice.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        form.as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    // The requester cannot approve it; a supervisor can.
    let sam = login(addr, "sam", &supervisor);
    let r = post(
        addr,
        "/clearances/1",
        &[
            ("Cookie", &alice.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={}&decision=approve", alice.csrf).as_bytes(),
    );
    assert_eq!(r.status, 403);
    let r = post(
        addr,
        "/clearances/1",
        &[
            ("Cookie", &sam.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={}&decision=approve", sam.csrf).as_bytes(),
    );
    assert_eq!(r.status, 400, "an approval in one click, without reasons");
    // The redress page shows the supervisor whom and why, with the match.
    state_purpose(addr, &sam, "decision on redress requests", "TRIAGE");
    let page = get(addr, "/clearances", &[("Cookie", &sam.cookie)]).text();
    assert!(
        page.contains("born 1985, the listed person 1982")
            && page.contains("TJ-77")
            && page.contains(">Approve</button>"),
        "{page}"
    );
    let r = post(
        addr,
        "/clearances/1",
        &[
            ("Cookie", &sam.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        format!(
            "csrf={}&decision=approve&comment={}",
            sam.csrf,
            form_value("compared birth dates 1985 vs 1982 and passports")
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = get(addr, "/clearances", &[("Cookie", &sam.cookie)]).text();
    assert!(
        page.contains("compared birth dates 1985 vs 1982") && page.contains("approved"),
        "the decision with its reasons: {page}"
    );
    let cleared = get(
        addr,
        "/api/v1/alerts?status=cleared",
        &alice.headers(&triage),
    )
    .json();
    assert_eq!(cleared["alerts"].as_array().unwrap().len(), 1);

    // The same customer reported again: no new alert for the same version of the entry.
    let r = post_report(
        addr,
        &token,
        &str_report(101, "FP-2", "F2", "400.00", &OTHER, &JAMSHED_CYR),
    );
    assert_eq!(r.status, 201);
    let open = get(addr, "/api/v1/alerts?status=open", &alice.headers(&triage)).json();
    assert!(open["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["kind"] != "screening"));
}

#[test]
#[ignore = "needs ../shared"]
fn the_screening_endpoint_explains_matches_and_rejects_bad_fields() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::in_dir(dir.path());
    let un = common::shared().join("data/lists/un/consolidated-2026-02-27.xml");
    if !common::require_shared(&un) {
        return;
    }
    let out = nexus(&[
        "lists",
        "load",
        "--db",
        &db,
        un.to_str().unwrap(),
        "--name",
        "UN",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let token = create_token(&db, 101);
    let server = Server::start(&db);
    let h = [
        ("Authorization", bearer(&token)),
        ("Content-Type", "application/json".to_string()),
    ];
    let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = post(
        &server.addr,
        "/api/v1/screen",
        &h,
        "{\"name\": \"Айман аз-Завахири\"}".as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let m = &r.json()["matches"][0];
    assert_eq!(m["reference"], "QDi.006");
    assert!(
        m["explanation"].as_str().unwrap().contains("Zawahiri")
            || m["explanation"].as_str().unwrap().contains("ZAWAHIRI"),
        "{m}"
    );
    for bad in [
        "{\"name\": \"\"}",
        "{\"name\": \"x\", \"birth_date\": \"1.1.1950\"}",
        "{\"name\": \"x\", \"country\": \"Narnia\"}",
        "not json",
    ] {
        let r = post(&server.addr, "/api/v1/screen", &h, bad.as_bytes());
        assert!((400..500).contains(&r.status), "{bad}: {}", r.status);
    }
}
