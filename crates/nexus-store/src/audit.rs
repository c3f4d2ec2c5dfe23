//! The tamper-evident audit log: every access to personal data and every
//! change is appended in the same transaction as what it records, chained by
//! SHA-256 so that editing, deleting or reordering any record breaks the
//! chain from that record on.

use crate::sql::{params, OptionalExtension, Row};
use crate::{Db, Result};
use sha2::{Digest, Sha256};

/// What happened, by whom, to what, why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditRecord {
    /// `user:alice`, `token:7 (institution 111)`, `system`.
    pub actor: String,
    /// `report.submit`, `entity.view`, `alert.dismiss`, `case.create` …
    pub action: String,
    /// `report:12`, `entity:40`, `case:3` …
    pub object: String,
    /// The stated purpose for reading personal data.
    pub purpose: String,
    /// The case reference the access is made under.
    pub case_ref: String,
    pub detail: String,
    /// Personal data the record must name (the name screened, the person
    /// viewed): shown to oversight, withheld from administrators.
    pub personal: String,
}

/// A signed statement that the chain had `hash` at `seq`: kept in the
/// database and, exported, outside it, so that truncating the log or
/// rewriting it with recomputed hashes is detected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditCheckpoint {
    pub seq: i64,
    pub hash: String,
    pub at: i64,
    /// The signer's public identity (`nexus-fiu-1:…`).
    pub public_key: String,
    /// Ed25519 signature of [`AuditCheckpoint::signed_message`], hex.
    pub signature: String,
}

impl AuditCheckpoint {
    /// The bytes a checkpoint's signature covers.
    pub fn signed_message(seq: i64, hash: &str, at: i64) -> Vec<u8> {
        format!("nexus-audit-checkpoint-1\n{seq}\n{hash}\n{at}").into_bytes()
    }
}

/// A stored record with its position and hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub record: AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

/// The first record at which the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFailure {
    pub seq: i64,
    pub reason: String,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn chain_hash(prev: &str, seq: i64, at: i64, r: &AuditRecord) -> String {
    let mut h = Sha256::new();
    // Length-prefixed fields: no two different records encode the same.
    for field in [
        prev.as_bytes(),
        seq.to_string().as_bytes(),
        at.to_string().as_bytes(),
        r.actor.as_bytes(),
        r.action.as_bytes(),
        r.object.as_bytes(),
        r.purpose.as_bytes(),
        r.case_ref.as_bytes(),
        r.detail.as_bytes(),
    ] {
        h.update((field.len() as u64).to_le_bytes());
        h.update(field);
    }
    // Added in schema 5; absent from the hash when empty, so older records verify unchanged.
    if !r.personal.is_empty() {
        h.update((r.personal.len() as u64).to_le_bytes());
        h.update(r.personal.as_bytes());
    }
    hex::encode(h.finalize())
}

impl Db<'_> {
    /// Appends a record; part of the caller's transaction.
    pub fn audit(&self, r: &AuditRecord) -> Result<i64> {
        let last: Option<(i64, String)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                params![],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let (seq, prev) = match last {
            Some((s, h)) => (s + 1, h),
            None => (1, GENESIS.to_string()),
        };
        let at = crate::now();
        let hash = chain_hash(&prev, seq, at, r);
        self.conn.execute(
            "INSERT INTO audit_log(seq, at, actor, action, object, purpose, case_ref, detail, prev_hash, hash, personal)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![seq, at, r.actor, r.action, r.object, r.purpose, r.case_ref, r.detail, prev, hash, r.personal],
        )?;
        Ok(seq)
    }

    /// The newest record's sequence number and hash (none in an empty log).
    pub fn audit_head(&self) -> Result<Option<(i64, String)>> {
        self.conn
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                params![],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
    }

    /// The hash of record `seq`, when it exists.
    pub fn audit_hash_at(&self, seq: i64) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| {
                r.get(0)
            })
            .optional()
    }

    /// Stores a signed checkpoint (one per sequence number).
    pub fn insert_audit_checkpoint(&self, c: &AuditCheckpoint) -> Result<()> {
        self.conn.execute(
            "INSERT INTO audit_checkpoints(seq, hash, at, public_key, signature) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(seq) DO UPDATE SET hash = excluded.hash, at = excluded.at, public_key = excluded.public_key, signature = excluded.signature",
            params![c.seq, c.hash, c.at, c.public_key, c.signature],
        )?;
        Ok(())
    }

    /// Every stored checkpoint, oldest first.
    pub fn audit_checkpoints(&self) -> Result<Vec<AuditCheckpoint>> {
        let mut s = self.conn.prepare_cached(
            "SELECT seq, hash, at, public_key, signature FROM audit_checkpoints ORDER BY seq",
        )?;
        let rows = s.query_map(params![], |r| {
            Ok(AuditCheckpoint {
                seq: r.get(0)?,
                hash: r.get(1)?,
                at: r.get(2)?,
                public_key: r.get(3)?,
                signature: r.get(4)?,
            })
        })?;
        rows.collect::<std::result::Result<_, _>>()
    }

    /// Records, newest first, optionally only those whose actor, action,
    /// object or detail contains `filter` — or, when `search_personal` (oversight, never
    /// an administrator), whose personal data does.
    pub fn audit_entries(
        &self,
        filter: &str,
        search_personal: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditEntry>> {
        let like = format!("%{filter}%");
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, actor, action, object, purpose, case_ref, detail, prev_hash, hash, personal FROM audit_log
             WHERE ?1 = '%%' OR lower(actor) LIKE lower(?1) OR lower(object) LIKE lower(?1) OR lower(action) LIKE lower(?1)
                OR lower(detail) LIKE lower(?1)
                OR (?4 = 1 AND lower(personal) LIKE lower(?1))
             ORDER BY seq DESC LIMIT ?2 OFFSET ?3",
        )?;
        let rows = stmt.query_map(
            params![like, limit, offset, search_personal],
            entry_from_row,
        )?;
        rows.collect::<std::result::Result<_, _>>()
    }

    /// Walks the whole chain; `Ok(count)` when intact.
    pub fn verify_audit(&self) -> Result<std::result::Result<i64, AuditFailure>> {
        // Streamed: the log may hold tens of millions of records.
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut count = 0;
        let mut failure: Option<AuditFailure> = None;
        self.conn.exec.query(
            "SELECT seq, at, actor, action, object, purpose, case_ref, detail, prev_hash, hash, personal FROM audit_log ORDER BY seq",
            &[],
            &mut |row| {
                let e = entry_from_row(row)?;
                let reason = if e.seq != expected_seq {
                    Some(format!("record {expected_seq} is missing (next is {})", e.seq))
                } else if e.prev_hash != prev {
                    Some("its link to the previous record does not match (a record before it was changed or removed)".into())
                } else if chain_hash(&e.prev_hash, e.seq, e.at, &e.record) != e.hash {
                    Some("its content does not match its hash (the record was changed)".into())
                } else {
                    None
                };
                if let Some(reason) = reason {
                    failure = Some(AuditFailure { seq: e.seq, reason });
                    return Ok(false);
                }
                prev = e.hash;
                expected_seq += 1;
                count += 1;
                Ok(true)
            },
        )?;
        Ok(match failure {
            Some(f) => Err(f),
            None => Ok(count),
        })
    }
}

fn entry_from_row(row: &Row) -> crate::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.get(0)?,
        at: row.get(1)?,
        record: AuditRecord {
            actor: row.get(2)?,
            action: row.get(3)?,
            object: row.get(4)?,
            purpose: row.get(5)?,
            case_ref: row.get(6)?,
            detail: row.get(7)?,
            personal: row.get(10)?,
        },
        prev_hash: row.get(8)?,
        hash: row.get(9)?,
    })
}

#[cfg(test)]
mod tests {
    use crate::{AuditRecord, Store};

    fn record(i: usize) -> AuditRecord {
        AuditRecord {
            actor: "user:alice".into(),
            action: "entity.view".into(),
            object: format!("entity:{i}"),
            purpose: "analysis".into(),
            case_ref: "CASE-2026-0001".into(),
            detail: String::new(),
            personal: if i.is_multiple_of(2) {
                format!("Person {i}")
            } else {
                String::new()
            },
        }
    }

    #[test]
    fn an_intact_chain_verifies_and_any_edit_names_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("fiu.db")).unwrap();
        store
            .write(|db| {
                for i in 0..5 {
                    db.audit(&record(i))?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(store.read(|db| db.verify_audit()).unwrap(), Ok(5));
        let raw = rusqlite::Connection::open(store.path().unwrap()).unwrap();
        raw.execute(
            "UPDATE audit_log SET purpose = 'curiosity' WHERE seq = 3",
            [],
        )
        .unwrap();
        let failure = store.read(|db| db.verify_audit()).unwrap().unwrap_err();
        assert_eq!(failure.seq, 3);
        raw.execute(
            "UPDATE audit_log SET purpose = 'analysis' WHERE seq = 3",
            [],
        )
        .unwrap();
        raw.execute("DELETE FROM audit_log WHERE seq = 2", [])
            .unwrap();
        assert_eq!(
            store.read(|db| db.verify_audit()).unwrap().unwrap_err().seq,
            3
        );
    }
}
