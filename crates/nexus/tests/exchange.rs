//! Three nexus FIUs on loopback, each with its own database: private
//! matching, requests for information and replies, and hostile messages.

mod common;

use common::db::TestDb;

use common::http::{create_token, create_user, get, login, post, request, Server};
use common::{nexus, stderr, stdout};
use nexus_exchange::{Envelope, Identity, Kind, PublicIdentity};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

struct Fiu {
    db: TestDb,
    server: Server,
    public_key: String,
}

fn report(
    rentity: i64,
    reference: &str,
    number: &str,
    first: &str,
    last: &str,
    birth: &str,
    passport: &str,
) -> String {
    let passport = if passport.is_empty() {
        String::new()
    } else {
        format!(
            "<passport_number>{passport}</passport_number><passport_country>TJ</passport_country>"
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<report><rentity_id>{rentity}</rentity_id><submission_code>E</submission_code><report_code>STR</report_code>
<entity_reference>{reference}</entity_reference><submission_date>2026-03-02T10:00:00</submission_date><currency_code_local>USD</currency_code_local>
<transaction><transactionnumber>{number}</transactionnumber><transaction_location>HQ</transaction_location><transaction_description>transfer</transaction_description>
<date_transaction>2026-02-27T09:15:00</date_transaction><transmode_code>E</transmode_code><amount_local>9000.00</amount_local>
<t_from><from_funds_code>E</from_funds_code><from_person><first_name>Farrukh</first_name><last_name>Nazarov</last_name></from_person><from_country>TJ</from_country></t_from>
<t_to_my_client><to_funds_code>E</to_funds_code><to_account><swift>NXBANKXX</swift><account>{number}</account>
<signatory><is_primary>1</is_primary><t_person><first_name>{first}</first_name><last_name>{last}</last_name><birthdate>{birth}T00:00:00</birthdate>{passport}<nationality1>TJ</nationality1></t_person></signatory>
</to_account><to_country>TJ</to_country></t_to_my_client></transaction></report>"#
    )
}

fn fiu(
    dir: &Path,
    name: &str,
    country: &str,
    rentity: i64,
    subjects: &[(&str, &str, &str, &str)],
) -> Fiu {
    let db = TestDb::named(dir, name);
    let out = nexus(&["exchange", "init", "--db", &db, "--country", country]);
    assert!(out.status.success(), "{}", stderr(&out));
    let public_key = stdout(&out).trim().to_string();
    let token = create_token(&db, rentity);
    let server = Server::start(&db);
    for (i, (first, last, birth, passport)) in subjects.iter().enumerate() {
        let xml = report(
            rentity,
            &format!("{name}-{i}"),
            &format!("{name}T{i}"),
            first,
            last,
            birth,
            passport,
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
    Fiu {
        db,
        server,
        public_key,
    }
}

fn add_partner(fiu: &Fiu, name: &str, country: &str, key: &str, address: &str) {
    let out = nexus(&[
        "exchange",
        "partner",
        "add",
        "--db",
        &fiu.db,
        "--name",
        name,
        "--country",
        country,
        "--key",
        key,
        "--address",
        address,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A TCP relay that records every byte in both directions.
fn recording_relay(target: String) -> (String, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let wire = Arc::new(Mutex::new(Vec::new()));
    let w = wire.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            let mut upstream = TcpStream::connect(&target).unwrap();
            let mut request = Vec::new();
            // Read the request head and body (Content-Length), forward, then relay the answer.
            let mut buf = [0u8; 65536];
            let mut expected = None;
            loop {
                let n = client.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                if expected.is_none() {
                    if let Some(end) = request.windows(4).position(|x| x == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&request[..end]).to_lowercase();
                        let len: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map(|v| v.trim().parse().unwrap())
                            .unwrap_or(0);
                        expected = Some(end + 4 + len);
                    }
                }
                if expected.is_some_and(|e| request.len() >= e) {
                    break;
                }
            }
            upstream.write_all(&request).unwrap();
            let mut answer = Vec::new();
            upstream.read_to_end(&mut answer).unwrap();
            client.write_all(&answer).unwrap();
            let mut w = w.lock().unwrap();
            w.extend_from_slice(&request);
            w.extend_from_slice(&answer);
        }
    });
    (addr, wire)
}

/// Whether `number` occurs on its own (not inside a longer run of letters or digits) outside a
/// `Content-Length` header.
fn contains_number(haystack: &[u8], number: &str) -> bool {
    let needle = number.as_bytes();
    haystack.windows(needle.len()).enumerate().any(|(at, w)| {
        if w != needle {
            return false;
        }
        let before = at.checked_sub(1).map(|i| haystack[i]);
        let after = haystack.get(at + needle.len()).copied();
        let alone = !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
            && !after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
        let prefix = b"content-length: ";
        let header =
            at >= prefix.len() && haystack[at - prefix.len()..at].eq_ignore_ascii_case(prefix);
        alone && !header
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn secret_identity(db: &TestDb) -> Identity {
    let hex = db.one("SELECT value FROM settings WHERE key = 'exchange_identity'");
    Identity::from_secret_hex(&hex).unwrap()
}

fn count(db: &TestDb, sql: &str) -> i64 {
    db.count(sql)
}

fn inbox(fiu: &Fiu, bytes: &[u8]) -> common::http::Resp {
    request(
        &fiu.server.addr,
        "POST",
        "/api/v1/exchange/inbox",
        &[("Content-Type", "application/octet-stream")],
        bytes,
    )
    .unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn two_fius_find_their_common_subjects_without_sharing_their_lists() {
    let dir = tempfile::tempdir().unwrap();
    let a = fiu(
        dir.path(),
        "tajikistan",
        "TJ",
        101,
        &[
            ("Джамшед", "Рахимов", "1985-03-14", ""),
            ("Зарина", "Каримова", "1990-07-01", "AB1234567"),
            ("Бахтиёр", "Саидов", "1977-11-02", ""),
        ],
    );
    let b = fiu(
        dir.path(),
        "kazakhstan",
        "KZ",
        201,
        &[
            ("Jamshed", "Rakhimov", "1985-03-14", ""),
            ("Zarina", "Karimova", "1991-01-01", "AB 1234567"),
            ("Aibek", "Toktogulov", "1979-05-05", ""),
            ("Bakhtiyor", "Saidov", "1977-11-03", ""),
        ],
    );
    let c = fiu(
        dir.path(),
        "kyrgyzstan",
        "KG",
        301,
        &[("Jamshed", "Rakhimov", "1985-03-14", "")],
    );
    let (relay, wire) = recording_relay(b.server.addr.clone());
    add_partner(
        &a,
        "FIU Kazakhstan",
        "KZ",
        &b.public_key,
        &format!("http://{relay}"),
    );
    add_partner(
        &b,
        "FIU Tajikistan",
        "TJ",
        &a.public_key,
        &format!("http://{}", a.server.addr),
    );
    add_partner(
        &c,
        "FIU Kazakhstan",
        "KZ",
        &b.public_key,
        &format!("http://{}", b.server.addr),
    );

    let out = nexus(&[
        "exchange",
        "match",
        "--db",
        &a.db,
        "--partner",
        "FIU Kazakhstan",
        "--purpose",
        "terrorist financing network analysis",
        "--legal-basis",
        "FATF R.40; bilateral MoU 2024",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let matches: Vec<&str> = text.lines().filter(|l| l.starts_with("match")).collect();
    assert_eq!(matches.len(), 2, "{text}");
    assert!(
        matches
            .iter()
            .any(|m| m.contains("Джамшед Рахимов") && m.contains("name and birth date")),
        "{text}"
    );
    assert!(
        matches
            .iter()
            .any(|m| m.contains("Зарина Каримова") && m.contains("document number")),
        "{text}"
    );
    assert!(
        !text.contains("Саидов"),
        "a different birth date is no match: {text}"
    );
    let session = text
        .lines()
        .next()
        .unwrap()
        .strip_prefix("session ")
        .unwrap()
        .to_string();

    // What crossed the wire: no name in any script, no birth date, no document, no hash of a key.
    let wire = wire.lock().unwrap().clone();
    assert!(wire.len() > 5 * 32, "the relay saw the exchange");
    for name in [
        "Джамшед",
        "Рахимов",
        "Jamshed",
        "Rakhimov",
        "jamshed",
        "rahim",
        "Зарина",
        "Karimova",
        "karim",
        "Toktogulov",
        "Aibek",
        "1985-03-14",
        "AB1234567",
    ] {
        assert!(!contains(&wire, name.as_bytes()), "{name} on the wire");
    }
    // Bare numbers only as numbers: "1985" occurs by chance inside hex and base64 encodings
    // of random group elements (about once in 65,000 hex positions) and in a Content-Length.
    for number in ["1985", "1234567"] {
        assert!(!contains_number(&wire, number), "{number} on the wire");
    }
    for key in [
        "person|jamshed rahim|1985-03-14",
        "doc|AB1234567",
        "person|jamshed rahimov|1985-03-14",
    ] {
        use sha2::Digest;
        for digest in [
            sha2::Sha256::digest(key.as_bytes()).to_vec(),
            sha2::Sha512::digest(key.as_bytes()).to_vec(),
        ] {
            assert!(
                !contains(&wire, &digest[..16]),
                "a hash of {key} on the wire"
            );
            assert!(
                !contains(&wire, hex::encode(&digest[..16]).as_bytes()),
                "a hex hash of {key} on the wire"
            );
        }
    }

    // The partner recorded the session: how many keys were asked (3 subjects: name and birth date, and one passport), not what matched.
    let sessions = count(&b.db, "SELECT COUNT(*) FROM exchange_sessions WHERE direction = 'in' AND asked = 4 AND matched = 0");
    assert_eq!(sessions, 1);

    // A request for information about a hit, answered by the partner's analyst.
    let out = nexus(&[
        "exchange",
        "send",
        "--db",
        &a.db,
        "--partner",
        "FIU Kazakhstan",
        "--kind",
        "request",
        "--subject",
        "Rakhimov Jamshed, born 1985-03-14",
        "--purpose",
        "identify the beneficiary of transfers",
        "--legal-basis",
        "FATF R.40",
        "--urgency",
        "urgent",
        "--session",
        &session,
        "--text",
        "Please share accounts and counterparties.",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let password = create_user(&b.db, "kaz-analyst", "analyst", None);
    let analyst = login(&b.server.addr, "kaz-analyst", &password);
    let cookie = analyst.cookie.clone();
    // Under triage, the partner's request is listed but not readable.
    common::http::state_purpose(
        &b.server.addr,
        &analyst,
        "answer partner requests",
        "TRIAGE",
    );
    let page = get(&b.server.addr, "/exchange", &[("Cookie", &cookie)]).text();
    assert!(!page.contains("Rakhimov Jamshed"), "{page}");
    assert!(page.contains("state a case as your purpose"), "{page}");
    // The analyst opens a case for the request, works under it, links the message and reads it.
    let case_id = common::http::open_case(
        &b.server.addr,
        &analyst,
        "Request of FIU Tajikistan on R. J.",
    );
    let case_ref =
        b.db.one(&format!("SELECT reference FROM cases WHERE id = {case_id}"));
    common::http::state_purpose(
        &b.server.addr,
        &analyst,
        "answer the partner's request",
        &case_ref,
    );
    let incoming: i64 = count(
        &b.db,
        "SELECT id FROM exchange_messages WHERE direction = 'in'",
    );
    let r = post(
        &b.server.addr,
        &format!("/exchange/messages/{incoming}/case"),
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={}", analyst.csrf).as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = get(&b.server.addr, "/exchange", &[("Cookie", &cookie)]).text();
    assert!(
        page.contains("Rakhimov Jamshed, born 1985-03-14")
            && page.contains("urgent")
            && page.contains("FATF R.40"),
        "{page}"
    );
    assert!(page.contains("they asked"), "{page}");
    let message_id =
        b.db.one("SELECT message_id FROM exchange_messages WHERE direction = 'in'");
    let form = format!(
        "csrf={}&partner={}&kind=reply&in_reply_to={message_id}&session={session}&text={}",
        analyst.csrf,
        common::http::form_value("FIU Tajikistan"),
        common::http::form_value("Two accounts at Halyk, counterparties attached.")
    );
    let r = post(
        &b.server.addr,
        "/exchange/messages",
        &[
            ("Cookie", &analyst.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        form.as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(count(&a.db, "SELECT COUNT(*) FROM exchange_messages WHERE direction = 'in' AND kind = 'information-reply'"), 1);

    // Hostile and broken messages to B: rejected, audited, nothing stored.
    let stored_before = count(&b.db, "SELECT COUNT(*) FROM exchange_messages");
    let audit_before = count(
        &b.db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'exchange.reject'",
    );
    let a_id = secret_identity(&a.db);
    let b_pub = PublicIdentity::decode(&b.public_key).unwrap();
    let c_pub = PublicIdentity::decode(&c.public_key).unwrap();
    let body = br#"{"subject":"x","purpose":"testing","legal_basis":"none","urgency":"routine","text":"hello"}"#;
    let good = Envelope::seal(&a_id, &b_pub, Kind::Dissemination, "s", now(), body).unwrap();
    assert_eq!(inbox(&b, &good.0).status, 202);
    assert_eq!(inbox(&b, &good.0).status, 409, "a replay");
    let mut tampered = Envelope::seal(&a_id, &b_pub, Kind::Dissemination, "s", now(), body)
        .unwrap()
        .0;
    let len = tampered.len();
    tampered[len - 100] ^= 0x40;
    assert_eq!(inbox(&b, &tampered).status, 401, "tampered");
    let stale =
        Envelope::seal(&a_id, &b_pub, Kind::Dissemination, "s", now() - 3600, body).unwrap();
    assert_eq!(inbox(&b, &stale.0).status, 400, "stale");
    let elsewhere = Envelope::seal(&a_id, &c_pub, Kind::Dissemination, "s", now(), body).unwrap();
    assert_eq!(inbox(&b, &elsewhere.0).status, 400, "for another FIU");
    let truncated = &Envelope::seal(&a_id, &b_pub, Kind::Dissemination, "s", now(), body)
        .unwrap()
        .0[..60];
    assert_eq!(inbox(&b, truncated).status, 400, "truncated");
    let out_of_order =
        Envelope::seal(&a_id, &b_pub, Kind::MatchResponse, "s", now(), b"{}\n").unwrap();
    assert_eq!(
        inbox(&b, &out_of_order.0).status,
        409,
        "a response nobody asked for"
    );
    // C is not in B's directory; and a message signed by C claiming to be A fails its signature.
    let c_id = secret_identity(&c.db);
    let unknown = Envelope::seal(&c_id, &b_pub, Kind::Dissemination, "s", now(), body).unwrap();
    assert_eq!(inbox(&b, &unknown.0).status, 403, "unknown partner");
    let forged = String::from_utf8_lossy(&unknown.0).into_owned();
    let c_fp = PublicIdentity::decode(&c.public_key).unwrap().fingerprint();
    let a_fp = PublicIdentity::decode(&a.public_key).unwrap().fingerprint();
    let mut forged_bytes = unknown.0.clone();
    let at = forged.find(&c_fp).unwrap();
    forged_bytes[at..at + 16].copy_from_slice(a_fp.as_bytes());
    assert_eq!(inbox(&b, &forged_bytes).status, 401, "wrongly signed");
    // C asking B to match: refused, since B does not know C.
    let out = nexus(&[
        "exchange",
        "match",
        "--db",
        &c.db,
        "--partner",
        "FIU Kazakhstan",
        "--purpose",
        "terrorist financing",
        "--legal-basis",
        "none",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("403"), "{}", stderr(&out));

    assert_eq!(
        count(&b.db, "SELECT COUNT(*) FROM exchange_messages"),
        stored_before + 1,
        "only the one good dissemination was stored"
    );
    assert_eq!(
        count(
            &b.db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'exchange.reject'"
        ),
        audit_before + 9
    );

    // The regional picture: counts only.
    let out = nexus(&["exchange", "picture", "--db", &a.db]);
    assert!(stdout(&out).contains("TJ,KZ,none,2"), "{}", stdout(&out));
    for db in [&a.db, &b.db, &c.db] {
        let v = nexus(&["audit", "verify", "--db", db]);
        assert!(v.status.success(), "{}", stdout(&v));
    }
}
