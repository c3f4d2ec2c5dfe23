//! Anchoring the audit chain: signed checkpoints of its head.
//!
//! A hash chain alone detects an edited record, but not the removal of the
//! newest records, nor a rewrite that recomputes every hash after a deleted
//! record. A checkpoint — (sequence, hash) of the head, signed with the FIU's
//! Ed25519 key — pins the chain: verification fails when a checkpointed
//! record is gone or no longer has the signed hash. The service writes one
//! every minute the log grew and at shutdown, into the database and, when
//! configured, appended to a file elsewhere (`--audit-anchor`); `nexus audit
//! checkpoint` exports one on demand. Checkpoints kept outside the database
//! are what defeat someone who can rewrite the database itself, key
//! included: they were signed by the key the FIU had then.

use crate::exchange::{identity_or_init, ExchangeServiceError};
use nexus_exchange::PublicIdentity;
use nexus_store::{AuditCheckpoint, AuditRecord, Store, StoreError};
use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Identity(#[from] ExchangeServiceError),
    #[error("{0}")]
    File(String),
}

/// Signs the chain's current head and stores the checkpoint; `None` when the
/// log is empty or its head is already checkpointed.
pub fn checkpoint(store: &Store) -> Result<Option<AuditCheckpoint>, AnchorError> {
    let me = identity_or_init(store)?;
    let public = me.public().encode();
    Ok(store.write(|db| {
        let Some((seq, hash)) = db.audit_head()? else {
            return Ok(None);
        };
        if db.audit_checkpoints()?.last().is_some_and(|c| c.seq == seq) {
            return Ok(None);
        }
        let at = nexus_store::now();
        let signature = hex::encode(me.sign(&AuditCheckpoint::signed_message(seq, &hash, at)));
        let c = AuditCheckpoint {
            seq,
            hash,
            at,
            public_key: public.clone(),
            signature,
        };
        db.insert_audit_checkpoint(&c)?;
        Ok(Some(c))
    })?)
}

/// The newest checkpoint, creating one when the head has none yet.
pub fn current_checkpoint(store: &Store) -> Result<Option<AuditCheckpoint>, AnchorError> {
    checkpoint(store)?;
    Ok(store.read(|db| db.audit_checkpoints())?.pop())
}

/// Appends checkpoints to an anchor file as JSON lines.
pub fn append_to_file(path: &Path, checkpoints: &[AuditCheckpoint]) -> Result<(), AnchorError> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| AnchorError::File(format!("{}: {e}", path.display())))?;
    for c in checkpoints {
        let line = serde_json::to_string(c).map_err(|e| AnchorError::File(e.to_string()))?;
        writeln!(f, "{line}").map_err(|e| AnchorError::File(format!("{}: {e}", path.display())))?;
    }
    f.sync_all()
        .map_err(|e| AnchorError::File(format!("{}: {e}", path.display())))
}

/// Reads an anchor file (JSON lines); errors name the line.
pub fn read_file(path: &Path) -> Result<Vec<AuditCheckpoint>, AnchorError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| AnchorError::File(format!("{}: {e}", path.display())))?;
    if meta.len() > 256 << 20 {
        return Err(AnchorError::File(format!(
            "{}: larger than any anchor file",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| AnchorError::File(format!("{}: {e}", path.display())))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                AnchorError::File(format!(
                    "{}: line {}: not a checkpoint: {e}",
                    path.display(),
                    i + 1
                ))
            })
        })
        .collect()
}

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Records walked.
    pub records: i64,
    /// Checkpoints checked (stored and given).
    pub checkpoints: usize,
    /// The first problem, when there is one.
    pub failure: Option<String>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.failure.is_none()
    }
}

/// Walks the chain and checks every stored checkpoint and every one in
/// `external` against it: signature by the key it names (stored ones and,
/// unless it is the key the FIU has now, external ones are refused when
/// signed by another), the record at its sequence present, with its hash.
pub fn verify(store: &Store, external: &[AuditCheckpoint]) -> Result<Verification, AnchorError> {
    let (walk, stored, head) = store.read(|db| {
        Ok((
            db.verify_audit()?,
            db.audit_checkpoints()?,
            db.audit_head()?,
        ))
    })?;
    let records = match walk {
        Ok(n) => n,
        Err(f) => {
            return Ok(Verification {
                records: f.seq - 1,
                checkpoints: 0,
                failure: Some(format!("record {}: {}", f.seq, f.reason)),
            })
        }
    };
    let own_key = crate::exchange::identity(store)
        .ok()
        .map(|i| i.public().encode());
    let head_seq = head.as_ref().map_or(0, |h| h.0);
    let mut checked = 0;
    for (c, from_file) in stored
        .iter()
        .map(|c| (c, false))
        .chain(external.iter().map(|c| (c, true)))
    {
        let source = if from_file {
            "an exported checkpoint"
        } else {
            "a stored checkpoint"
        };
        let fail = |m: String| {
            Ok(Verification {
                records,
                checkpoints: checked,
                failure: Some(m),
            })
        };
        let Ok(key) = PublicIdentity::decode(&c.public_key) else {
            return fail(format!("{source} of record {} names no valid key", c.seq));
        };
        let signature: Option<[u8; 64]> = hex::decode(&c.signature)
            .ok()
            .and_then(|b| b.try_into().ok());
        let signed = AuditCheckpoint::signed_message(c.seq, &c.hash, c.at);
        if !signature.is_some_and(|s| key.verify(&signed, &s)) {
            return fail(format!(
                "{source} of record {} has no valid signature (it was forged or altered)",
                c.seq
            ));
        }
        if own_key.as_deref() != Some(c.public_key.as_str()) {
            return fail(format!(
                "{source} of record {} was signed by key {} — not the FIU's key (was the key replaced?)",
                c.seq,
                key.fingerprint()
            ));
        }
        if c.seq > head_seq {
            return fail(format!(
                "the log ends at record {head_seq}, but record {} was signed on {}: records were removed",
                c.seq,
                nexus_model::Timestamp(c.at)
            ));
        }
        let hash = store.read(|db| db.audit_hash_at(c.seq))?;
        if hash.as_deref() != Some(c.hash.as_str()) {
            return fail(format!(
                "record {} is not the record signed on {}: the log was rewritten",
                c.seq,
                nexus_model::Timestamp(c.at)
            ));
        }
        checked += 1;
    }
    Ok(Verification {
        records,
        checkpoints: checked,
        failure: None,
    })
}

/// Records a verification in the audit log (who checked, what was found).
pub fn audit_verification(store: &Store, actor: &str, v: &Verification) -> Result<(), StoreError> {
    store.write(|db| {
        db.audit(&AuditRecord {
            actor: actor.into(),
            action: "audit.verify".into(),
            object: "audit_log".into(),
            detail: match &v.failure {
                None => format!(
                    "intact: {} records, {} checkpoints",
                    v.records, v.checkpoints
                ),
                Some(f) => format!("BROKEN: {f}"),
            },
            ..AuditRecord::default()
        })?;
        Ok(())
    })
}
