//! The store's domain rules that the service relies on.

use nexus_model::{
    AlertKind, AlertStatus, ClearanceStatus, EntityKind, ReportStatus, Role, Typology,
};
use nexus_store::{NewAlert, NewReport, NewTransaction, Store, StoreError, SubjectRow};

fn report<'a>(reference: &'a str, content: &'a [u8]) -> NewReport<'a> {
    NewReport {
        institution: 101,
        entity_reference: reference,
        report_code: "STR",
        status: ReportStatus::Processed,
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

/// A raw statement straight to the database, bypassing the store (to show
/// what the database itself refuses).
fn raw(location: &str, sql: &str) -> Result<(), String> {
    if location.starts_with("postgres") {
        postgres::Client::connect(location, postgres::NoTls)
            .unwrap()
            .batch_execute(sql)
            .map_err(|e| e.to_string())
    } else {
        rusqlite::Connection::open(location)
            .unwrap()
            .execute_batch(sql)
            .map_err(|e| e.to_string())
    }
}

#[test]
fn the_database_accepts_exactly_the_declared_vocabularies() {
    let (dir, store) = open();
    let (alert, entity) = store
        .write(|d| {
            for (i, r) in Role::ALL.iter().enumerate() {
                d.create_user(&format!("u{i}"), "h", *r, None)?;
            }
            let mut entity = 0;
            for k in EntityKind::ALL {
                entity = d.create_entity(*k, "N", None, "")?;
            }
            let alert = d
                .insert_alert(&NewAlert {
                    dedup_key: "v".into(),
                    ..NewAlert::new(AlertKind::Model, Typology::Model)
                })?
                .unwrap();
            for s in AlertStatus::ALL {
                d.update_alert(alert, *s, None, "", None)?;
            }
            Ok((alert, entity))
        })
        .unwrap();
    let _ = entity;
    assert!(raw(
        &dir.location,
        &format!("UPDATE alerts SET status = 'closed' WHERE id = {alert}")
    )
    .is_err());
    assert!(raw(&dir.location, "UPDATE users SET role = 'root'").is_err());
    assert!(raw(&dir.location, "UPDATE entities SET kind = 'company'").is_err());
    assert!(raw(
        &dir.location,
        &format!("UPDATE alerts SET status = 'escalated' WHERE id = {alert}")
    )
    .is_ok());
}

#[test]
fn the_same_finding_is_raised_once() {
    let (_dir, store) = open();
    let alert = NewAlert {
        score: 0.7,
        explanation: Default::default(),
        dedup_key: "typ:fan_out:abc".into(),
        ..NewAlert::new(AlertKind::Typology, Typology::FanOut)
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
            let analyst = d.create_user("a", "h", Role::Analyst, None)?;
            let supervisor = d.create_user("s", "h", Role::Supervisor, None)?;
            let e = d.create_entity(
                EntityKind::Person,
                "Jamshed Rakhimov",
                Some("1985-03-14"),
                "TJ",
            )?;
            let id = d
                .insert_alert(&NewAlert {
                    score: 0.85,
                    entity_id: Some(e),
                    explanation: Default::default(),
                    list_name: Some("UN".into()),
                    list_entry: Some("111".into()),
                    list_version: Some("v1".into()),
                    dedup_key: "scr:1".into(),
                    ..NewAlert::new(AlertKind::Screening, Typology::SanctionsMatch)
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
            d.record_clearance_decision(&row, supervisor, true, "different birth date")
        })
        .unwrap();
    assert_eq!(
        store.read(|d| d.clearance(c)).unwrap().unwrap().status,
        ClearanceStatus::Approved
    );
    assert_eq!(
        store.read(|d| d.alert(alert_id)).unwrap().unwrap().status,
        AlertStatus::Cleared
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
            let user = d.create_user("a", "h", Role::Analyst, None)?;
            for (reference, in_case) in [("OLD-1", false), ("OLD-2", true)] {
                let r = d.insert_report(&report(reference, b"<report/>"))?;
                let e = d.create_entity(EntityKind::Person, reference, None, "")?;
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
                    d.add_case_entity(c.id, e, nexus_model::CaseRole::Subject)?;
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

#[test]
fn batches_of_transactions_skip_what_is_there_and_share_accounts() {
    let (_dir, store) = open();
    let row = |reference: &'static str, from: i64, to: i64| NewTransaction {
        report_id: None,
        reference,
        at: 1,
        amount_minor: 100,
        currency: "TJS",
        from_account: Some(from),
        to_account: Some(to),
        from_entity: None,
        to_entity: None,
        channel: "wire",
        description: "",
        source_institution: None,
    };
    let (first, again, accounts) = store
        .write(|d| {
            let ids = d.account_ids(&["NX|A", "NX|B", "NX|A"])?;
            let (a, b) = (ids["NX|A"], ids["NX|B"]);
            let first = d.insert_transactions(&[row("T1", a, b), row("T2", b, a)])?;
            let again = d.insert_transactions(&[row("T2", b, a), row("T3", a, b)])?;
            let same = d.account_ids(&["NX|B"])?;
            assert_eq!(same["NX|B"], b, "an existing account keeps its id");
            Ok((first, again, ids.len()))
        })
        .unwrap();
    assert_eq!((first, again, accounts), (2, 1, 2));
}

/// A bank reports a payment in a goAML report naming only the sender (no
/// account: the report's stand-in `entity:N`) and sends the same payment in
/// its feed with both accounts: one transaction, with the report, the
/// concrete account, the sender known as the account's holder. A payment
/// with another reference, or from another account, is another payment.
#[test]
fn the_same_payment_from_a_report_and_a_feed_is_stored_once() {
    let (_dir, store) = open();
    let (count, row, holder, other) = store
        .write(|d| {
            let r = d.insert_report(&report("STR-7", b"<report/>"))?;
            let e = d.create_entity(EntityKind::Person, "Jamshed Rahimov", None, "TJ")?;
            let stand_in = d.upsert_account(&format!("entity:{e}"), "", Some(e))?;
            let ids = d.account_ids(&["NXTJB1XX|A1", "NXTJB1XX|A2", "NXTJB1XX|HUB"])?;
            let (a1, a2, hub) = (ids["NXTJB1XX|A1"], ids["NXTJB1XX|A2"], ids["NXTJB1XX|HUB"]);
            let payment = |report_id, from, from_entity, source, reference, at| NewTransaction {
                report_id,
                reference,
                at,
                amount_minor: 980_000,
                currency: "TJS",
                from_account: Some(from),
                to_account: Some(hub),
                from_entity,
                to_entity: None,
                channel: "wire",
                description: "",
                source_institution: source,
            };
            let t0 = 1_767_600_000;
            let first =
                d.insert_transaction(&payment(Some(r), stand_in, Some(e), None, "TX-1", t0))?;
            assert!(first.is_some());
            // The feed: the same payment, stamped a few hours later.
            let again =
                d.insert_transaction(&payment(None, a1, None, Some(101), "TX-1", t0 + 3_600))?;
            assert_eq!(again, None, "the same payment");
            // Another payment: another reference, or the same reference from another account.
            let other = d.insert_transaction(&payment(None, a1, None, Some(101), "TX-2", t0))?;
            let later = d.insert_transaction(&payment(None, a2, None, Some(101), "TX-1", t0))?;
            let rows = d.transactions_by_ids(&[first.unwrap()])?;
            Ok((
                d.counts()?.transactions,
                rows[0].clone(),
                d.account_holder(a1)?,
                other.is_some() && later.is_some(),
            ))
        })
        .unwrap();
    assert_eq!(count, 3);
    assert!(other, "other payments are stored");
    assert_eq!(row.from_account.as_deref(), Some("NXTJB1XX|A1"));
    assert_eq!(
        row.report_id.map(|_| ()),
        Some(()),
        "the report stays linked"
    );
    assert_eq!(
        row.source_institution,
        Some(101),
        "the feed's sender recorded"
    );
    assert!(holder.is_some(), "the report told whose account it is");
}
