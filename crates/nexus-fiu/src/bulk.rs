//! Bulk loading of payment data (national payment-system extracts,
//! cash-transaction reports in batches) into the network, outside the HTTP
//! path: batches of one write transaction each.

use nexus_formats::FormatError;
use nexus_model::Transaction;
use nexus_store::{NewTransaction, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores transactions in batches of `batch`; `account_key` turns a file's
/// account id into the service's account key (`BIC|number`). Returns how
/// many were new. Afterwards, transactions of accounts whose holders are
/// known from reports are linked to those entities.
pub fn ingest_transactions(
    store: &Store,
    transactions: impl Iterator<Item = Result<Transaction, FormatError>>,
    account_key: impl Fn(&str) -> String,
    batch: usize,
) -> Result<usize, BulkError> {
    let mut pending = Vec::with_capacity(batch);
    let mut total = 0;
    let flush = |pending: &mut Vec<Transaction>| -> Result<usize, StoreError> {
        let keys: Vec<String> = pending
            .iter()
            .flat_map(|t| [account_key(&t.from_account), account_key(&t.to_account)])
            .collect();
        let n = store.write(|d| {
            let ids = d.account_ids(&keys.iter().map(String::as_str).collect::<Vec<_>>())?;
            let id = |k: &String| ids.get(k).copied();
            let rows: Vec<NewTransaction> = pending
                .iter()
                .zip(keys.chunks(2))
                .map(|(t, k)| NewTransaction {
                    report_id: None,
                    reference: &t.id,
                    at: t.timestamp.0,
                    amount_minor: t.amount.0,
                    currency: t.currency.as_str(),
                    from_account: id(&k[0]),
                    to_account: id(&k[1]),
                    from_entity: None,
                    to_entity: None,
                    channel: t.channel.as_str(),
                    description: "",
                    source_institution: None,
                })
                .collect();
            d.insert_transactions(&rows)
        })?;
        pending.clear();
        Ok(n)
    };
    for t in transactions {
        pending.push(t?);
        if pending.len() == batch {
            total += flush(&mut pending)?;
        }
    }
    total += flush(&mut pending)?;
    store.write(|d| d.link_transactions_to_holders())?;
    Ok(total)
}
