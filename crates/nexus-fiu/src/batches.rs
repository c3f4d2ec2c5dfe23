//! Transaction batches from reporting entities (`POST /api/v1/transactions`):
//! CSV in the interchange columns, every row naming at least one account at
//! one of the sender's own institution codes (a bank reports its customers'
//! payments, not other banks'), none of the FIU's own keys. A batch is
//! stored whole or not at all, each row with its sender.

use crate::auth::Principal;
use crate::intake::ProblemJson;
use nexus_formats::interchange::TransactionReader;
use nexus_model::Transaction;
use nexus_store::{AuditRecord, NewTransaction, Store, StoreError};

/// Why a batch was refused (nothing of it is stored).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("no institution code (BIC) is registered for this reporting entity; ask the FIU to register yours before sending transactions")]
    NoCodes,
    #[error("a batch has at most {0} rows; split it")]
    TooLarge(usize),
    #[error("{0}")]
    Unreadable(String),
    #[error("the batch has invalid rows; nothing was stored")]
    Invalid(Vec<ProblemJson>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Problems listed before the reading stops.
const MAX_PROBLEMS: usize = 100;

/// What a stored batch brought.
#[derive(Debug, Clone, Default)]
pub struct BatchReceipt {
    /// Rows accepted (what the sender is told).
    pub rows: usize,
    /// The transactions new to the FIU, as stored (ids are the store's,
    /// accounts their keys): what streaming detection takes next.
    pub new: Vec<Transaction>,
}

/// Reads, checks and stores a batch for `institution`. How many of its rows
/// the FIU had already is recorded in the audit log, not told to the sender.
pub fn receive_batch(
    store: &Store,
    principal: &Principal,
    institution: i64,
    csv: &[u8],
    max_rows: usize,
) -> Result<BatchReceipt, BatchError> {
    let codes = store
        .read(|db| db.institution(institution))?
        .map(|i| i.codes)
        .unwrap_or_default();
    if codes.is_empty() {
        return Err(BatchError::NoCodes);
    }
    let mut reader = TransactionReader::from_reader(std::path::Path::new("batch.csv"), csv)
        .map_err(|e| BatchError::Unreadable(e.to_string()))?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut line = 1u64;
    loop {
        line += 1;
        let problem = |message: String| ProblemJson {
            path: "batch.csv".into(),
            line,
            message,
        };
        match reader.next_transaction() {
            Ok(Some(t)) => match check_row(&t, &codes) {
                Ok(()) => rows.push(t),
                Err(m) => problems.push(problem(m)),
            },
            Ok(None) => break,
            Err(e) => problems.push(problem(e.to_string())),
        }
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
        if rows.len() > max_rows {
            return Err(BatchError::TooLarge(max_rows));
        }
    }
    if !problems.is_empty() {
        return Err(BatchError::Invalid(problems));
    }
    let total = rows.len();
    let new = store.write(|db| {
        let mut new = Vec::new();
        for t in &rows {
            let from = db.upsert_account(&t.from_account, "", None)?;
            let to = db.upsert_account(&t.to_account, "", None)?;
            let inserted = db.insert_transaction(&NewTransaction {
                report_id: None,
                reference: &t.id,
                at: t.timestamp.0,
                amount_minor: t.amount.0,
                currency: t.currency.as_str(),
                from_account: Some(from),
                to_account: Some(to),
                from_entity: db.account_holder(from)?,
                to_entity: db.account_holder(to)?,
                channel: t.channel.as_str(),
                description: "",
                source_institution: Some(institution),
            })?;
            if let Some(id) = inserted {
                new.push(Transaction {
                    id: id.to_string(),
                    ..t.clone()
                });
            }
        }
        db.audit(&AuditRecord {
            actor: principal.actor.clone(),
            action: "transactions.submit".into(),
            object: format!("institution:{institution}"),
            detail: format!("{total} rows, {} new", new.len()),
            ..AuditRecord::default()
        })?;
        Ok(new)
    })?;
    Ok(BatchReceipt { rows: total, new })
}

/// Whether a batch row names accounts a reporting entity may report.
fn check_row(t: &Transaction, own_codes: &[String]) -> Result<(), String> {
    let code_of = |key: &str| -> Result<String, String> {
        let (code, number) = key.split_once('|').ok_or_else(|| {
            format!("account {key:?}: write accounts as CODE|number (e.g. NXTJB1XX|40817810)")
        })?;
        let code = code.trim();
        if code.is_empty()
            || number.trim().is_empty()
            || number.contains('|')
            || !code.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(format!(
                "account {key:?}: write accounts as CODE|number, the code in letters and digits"
            ));
        }
        Ok(code.to_ascii_uppercase())
    };
    let from = code_of(&t.from_account)?;
    let to = code_of(&t.to_account)?;
    if !own_codes.contains(&from) && !own_codes.contains(&to) {
        return Err(format!(
            "neither account is held at this reporting entity ({}); report your own customers' payments",
            own_codes.join(", ")
        ));
    }
    Ok(())
}
