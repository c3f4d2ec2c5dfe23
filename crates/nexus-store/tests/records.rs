//! The store's domain rules that the service relies on.

use nexus_store::{NewAlert, NewReport, NewTransaction, Store, StoreError, SubjectRow};

fn report<'a>(reference: &'a str, content: &'a [u8]) -> NewReport<'a> {
    NewReport {
        institution: 101,
        entity_reference: reference,
        report_code: "STR",
        status: "processed",
        message: "",
        submitted_at: None,
        reason: "",
        sha256: "h",
        content,
    }
}

/// Where the test's database is: a SQLite file, or — with
/// `NEXUS_TEST_BACKEND=postgres` — a fresh database on `NEXUS_TEST_POSTGRES`.
struct Location {
    _dir: tempfile::TempDir,
    location: String,
}

fn location() -> Location {
    let dir = tempfile::tempdir().unwrap();
    if std::env::var("NEXUS_TEST_BACKEND").as_deref() != Ok("postgres") {
        let location = dir.path().join("fiu.db").to_string_lossy().into_owned();
        return Location {
            _dir: dir,
            location,
        };
    }
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let server = std::env::var("NEXUS_TEST_POSTGRES").expect("NEXUS_TEST_POSTGRES");
    let name = format!(
        "store_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    postgres::Client::connect(&server, postgres::NoTls)
        .unwrap()
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let base = server.rsplit_once('/').unwrap().0;
    Location {
        _dir: dir,
        location: format!("{base}/{name}"),
    }
}

fn open() -> (Location, Store) {
    let dir = location();
    let store = Store::open_location(&dir.location).unwrap();
    store
        .write(|d| d.upsert_institution(101, "Bank", "TJ"))
        .unwrap();
    (dir, store)
}

#[test]
fn a_reference_is_unique_per_institution_and_reopening_keeps_everything() {
    let (dir, store) = open();
    store
        .write(|d| d.insert_report(&report("R-1", b"<report/>")))
        .unwrap();
    let again = store.write(|d| d.insert_report(&report("R-1", b"<report/>")));
    assert!(matches!(again, Err(StoreError::Unique(_))));
    drop(store);
    let store = Store::open_location(&dir.location).unwrap();
    assert!(store
        .read(|d| d.report_by_reference(101, "R-1"))
        .unwrap()
        .is_some());
    // A failed write leaves nothing behind.
    let failed: Result<(), StoreError> = store.write(|d| {
        d.insert_report(&report("R-2", b"x"))?;
        Err(StoreError::Invalid("stop".into()))
    });
    assert!(failed.is_err());
    assert!(store
        .read(|d| d.report_by_reference(101, "R-2"))
        .unwrap()
        .is_none());
}

#[test]
fn the_same_finding_is_raised_once() {
    let (_dir, store) = open();
    let alert = NewAlert {
        kind: "typology".into(),
        typology: "fan_out".into(),
        score: 0.7,
        explanation: "x".into(),
        dedup_key: "typ:fan_out:abc".into(),
        ..NewAlert::default()
    };
    assert!(store.write(|d| d.insert_alert(&alert)).unwrap().is_some());
    assert!(store.write(|d| d.insert_alert(&alert)).unwrap().is_none());
    assert_eq!(
        store.read(|d| d.alerts("open", "", 10, 0)).unwrap().len(),
        1
    );
}

#[test]
fn an_approved_clearance_applies_to_the_entry_version() {
    let (_dir, store) = open();
    let (alert_id, analyst, supervisor) = store
        .write(|d| {
            let analyst = d.create_user("a", "h", "analyst", None)?;
            let supervisor = d.create_user("s", "h", "supervisor", None)?;
            let e = d.create_entity("person", "Jamshed Rakhimov", Some("1985-03-14"), "TJ")?;
            let id = d
                .insert_alert(&NewAlert {
                    kind: "screening".into(),
                    typology: "sanctions_match".into(),
                    score: 0.85,
                    entity_id: Some(e),
                    explanation: "x".into(),
                    list_name: Some("UN".into()),
                    list_entry: Some("111".into()),
                    list_version: Some("v1".into()),
                    dedup_key: "scr:1".into(),
                    ..NewAlert::default()
                })?
                .unwrap();
            Ok((id, analyst, supervisor))
        })
        .unwrap();
    let alert = store.read(|d| d.alert(alert_id)).unwrap().unwrap();
    let c = store
        .write(|d| d.request_clearance(&alert, "different birth date", analyst))
        .unwrap();
    let _ = analyst; // who may decide is the application's rule (nexus_fiu::clearances)
    store
        .write(|d| {
            let row = d.clearance(c)?.unwrap();
            d.record_clearance_decision(&row, supervisor, true)
        })
        .unwrap();
    assert_eq!(
        store.read(|d| d.clearance(c)).unwrap().unwrap().status,
        "approved"
    );
    assert_eq!(
        store.read(|d| d.alert(alert_id)).unwrap().unwrap().status,
        "cleared"
    );
    let e = alert.entity_id.unwrap();
    assert!(store.read(|d| d.is_cleared(e, "UN", "111", "v1")).unwrap());
    assert!(
        !store.read(|d| d.is_cleared(e, "UN", "111", "v2")).unwrap(),
        "a changed entry is screened afresh"
    );
}

#[test]
fn the_retention_purge_removes_old_reports_but_not_what_a_case_holds() {
    let (_dir, store) = open();
    store
        .write(|d| {
            let user = d.create_user("a", "h", "analyst", None)?;
            for (reference, in_case) in [("OLD-1", false), ("OLD-2", true)] {
                let r = d.insert_report(&report(reference, b"<report/>"))?;
                let e = d.create_entity("person", reference, None, "")?;
                d.insert_subject(&SubjectRow {
                    report_id: r,
                    entity_id: e,
                    kind: "person".into(),
                    name: reference.into(),
                    role: "from_person".into(),
                    path: "report".into(),
                    ..SubjectRow::default()
                })?;
                let a = d.upsert_account(&format!("NX|{reference}"), "", Some(e))?;
                d.insert_transaction(&NewTransaction {
                    report_id: Some(r),
                    reference,
                    at: 0,
                    amount_minor: 100,
                    currency: "TJS",
                    from_account: Some(a),
                    to_account: Some(a),
                    from_entity: Some(e),
                    to_entity: None,
                    channel: "wire",
                    description: "",
                    source_institution: None,
                })?;
                if in_case {
                    let c = d.create_case("Kept case", "", user, 2026)?;
                    d.add_case_entity(c.id, e)?;
                }
            }
            Ok(())
        })
        .unwrap();
    let purged = store
        .write(|d| d.purge_reports_before(nexus_store::now() + 10))
        .unwrap();
    assert_eq!(purged.len(), 1);
    let counts = store.read(|d| d.counts()).unwrap();
    assert_eq!(
        (counts.reports, counts.entities, counts.transactions),
        (1, 1, 1)
    );
    assert!(store
        .read(|d| d.report_by_reference(101, "OLD-2"))
        .unwrap()
        .is_some());
}
