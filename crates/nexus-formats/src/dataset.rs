//! Writing a whole interchange dataset safely, and converting the public AML
//! formats into one.
//!
//! A dataset is written into a hidden sibling directory and renamed into
//! place only when every file is complete, so that a crash or an error never
//! leaves a directory that looks like a finished dataset.

use crate::error::FormatError;
use crate::interchange::{
    write_accounts, write_institutions, write_labels, write_parties, TransactionWriter,
};
use crate::{amlsim, amlworld};
use nexus_model::{
    Account, AccountKind, Address, Country, Currency, Institution, InstitutionKind, Label, Party,
    PartyKind, Script,
};
use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

/// A directory being written: files go to `.<name>.partial-<pid>` beside the
/// target and are renamed to the target by [`StagedDir::commit`]. Dropped
/// without commit, the partial directory is removed.
pub struct StagedDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

/// Why a dataset could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("output directory {}: {reason}", path.display())]
    Output { path: PathBuf, reason: String },
    #[error(transparent)]
    Format(#[from] FormatError),
}

impl DatasetError {
    fn output(path: &Path, reason: impl Into<String>) -> DatasetError {
        DatasetError::Output {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

impl StagedDir {
    /// Prepares to write `target`. Fails when `target` exists and is not an
    /// empty directory, unless `replace` is set.
    pub fn create(target: &Path, replace: bool) -> Result<StagedDir, DatasetError> {
        // Never replace a file, device or link target with a directory (`--out /dev/null`).
        if let Ok(meta) = fs::symlink_metadata(target) {
            if !meta.is_dir() {
                return Err(DatasetError::output(
                    target,
                    "exists and is not a directory; a dataset is written into a directory",
                ));
            }
        }
        if target.exists() {
            let empty = target.is_dir()
                && fs::read_dir(target)
                    .map_err(|e| DatasetError::output(target, e.to_string()))?
                    .next()
                    .is_none();
            if !empty && !replace {
                return Err(DatasetError::output(
                    target,
                    "already exists and is not empty (use --force to replace it)",
                ));
            }
        }
        let name = target
            .file_name()
            .ok_or_else(|| DatasetError::output(target, "has no directory name"))?
            .to_string_lossy()
            .into_owned();
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            fs::create_dir_all(&parent)
                .map_err(|e| DatasetError::output(target, format!("cannot create parent: {e}")))?;
        }
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            let _ = fs::remove_dir_all(&staging);
        }
        fs::create_dir_all(&staging)
            .map_err(|e| DatasetError::output(target, format!("cannot write here: {e}")))?;
        Ok(StagedDir {
            target: target.to_path_buf(),
            staging,
            committed: false,
        })
    }

    /// Where to write file `name` (may contain a subdirectory, created).
    pub fn file(&self, name: &str) -> Result<PathBuf, DatasetError> {
        let p = self.staging.join(name);
        if let Some(dir) = p.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| DatasetError::output(&self.target, e.to_string()))?;
        }
        Ok(p)
    }

    /// Creates file `name` for buffered writing.
    pub fn create_file(&self, name: &str) -> Result<BufWriter<File>, DatasetError> {
        let p = self.file(name)?;
        let f = File::create(&p)
            .map_err(|e| DatasetError::output(&self.target, format!("{name}: {e}")))?;
        Ok(BufWriter::with_capacity(1 << 20, f))
    }

    /// An I/O error while writing file `name`.
    pub fn write_error(&self, name: &str, e: io::Error) -> DatasetError {
        DatasetError::output(&self.target, format!("writing {name}: {e}"))
    }

    /// Moves the finished dataset into place (replacing an old one).
    pub fn commit(mut self) -> Result<PathBuf, DatasetError> {
        if self.target.exists() {
            fs::remove_dir_all(&self.target)
                .map_err(|e| DatasetError::output(&self.target, format!("cannot replace: {e}")))?;
        }
        fs::rename(&self.staging, &self.target).map_err(|e| {
            DatasetError::output(&self.target, format!("cannot move into place: {e}"))
        })?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// What a conversion wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConvertSummary {
    pub transactions: u64,
    pub accounts: usize,
    pub institutions: usize,
    pub parties: usize,
    pub labels: usize,
}

/// The accounts a conversion has seen, with the currency first seen for each.
#[derive(Default)]
struct SeenAccounts {
    accounts: BTreeMap<String, (String, Currency)>,
}

impl SeenAccounts {
    fn note(&mut self, id: &str, institution: &str, currency: Currency) {
        if !self.accounts.contains_key(id) {
            self.accounts
                .insert(id.to_string(), (institution.to_string(), currency));
        }
    }
}

/// Converts an AMLworld CSV into an interchange dataset in `out`.
pub fn convert_amlworld(
    input: &Path,
    out: &Path,
    replace: bool,
) -> Result<ConvertSummary, DatasetError> {
    let mut reader = amlworld::AmlworldReader::open(input)?;
    let staged = StagedDir::create(out, replace)?;
    let name = "transactions.csv";
    let mut tx = TransactionWriter::new(staged.create_file(name)?)
        .map_err(|e| staged.write_error(name, e))?;
    let mut seen = SeenAccounts::default();
    let mut labels = Vec::new();
    while let Some(row) = reader.next_row()? {
        let t = &row.transaction;
        seen.note(&t.from_account, &row.from_bank, t.currency);
        seen.note(&t.to_account, &row.to_bank, t.currency);
        tx.write_transaction(t)
            .map_err(|e| staged.write_error(name, e))?;
        if row.is_laundering {
            labels.push(Label {
                pattern_id: "amlworld-laundering".into(),
                typology: "laundering".into(),
                transaction_id: t.id.clone(),
                account_id: String::new(),
                role: "laundering".into(),
            });
        }
    }
    let transactions = tx.rows();
    tx.finish().map_err(|e| staged.write_error(name, e))?;
    let banks: BTreeMap<&str, ()> = seen
        .accounts
        .values()
        .map(|(b, _)| (b.as_str(), ()))
        .collect();
    let institutions: Vec<Institution> = banks
        .keys()
        .map(|b| Institution {
            id: format!("BANK-{b}"),
            name: format!("AMLworld bank {b}"),
            kind: InstitutionKind::Bank,
            country: Country::from_code(b"US"),
            name_scheme: "native".into(),
        })
        .collect();
    let accounts: Vec<Account> = seen
        .accounts
        .iter()
        .map(|(id, (bank, currency))| Account {
            id: id.clone(),
            institution_id: format!("BANK-{bank}"),
            party_id: String::new(),
            holder_name: String::new(),
            holder_name_script: Script::Other,
            currency: *currency,
            kind: AccountKind::Current,
            opened: None,
        })
        .collect();
    finish_dataset(staged, &institutions, &[], &accounts, &labels, transactions)
}

/// Converts an AMLSim output directory into an interchange dataset in `out`.
pub fn convert_amlsim(
    input: &Path,
    out: &Path,
    replace: bool,
) -> Result<ConvertSummary, DatasetError> {
    let tx_path = amlsim::locate(input);
    let dir = tx_path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut reader = amlsim::AmlsimReader::open(&tx_path)?;
    let alert_tx = dir.join("alert_transactions.csv");
    let alert_types = if alert_tx.exists() {
        amlsim::read_alert_types(&alert_tx)?
    } else {
        HashMap::new()
    };
    let holders = {
        let p = dir.join("accounts.csv");
        if p.exists() {
            amlsim::read_accounts(&p)?
        } else {
            Vec::new()
        }
    };
    let staged = StagedDir::create(out, replace)?;
    let name = "transactions.csv";
    let mut tx = TransactionWriter::new(staged.create_file(name)?)
        .map_err(|e| staged.write_error(name, e))?;
    let mut seen = SeenAccounts::default();
    let mut labels = Vec::new();
    let typology_of = |alert: Option<i64>| -> String {
        alert
            .and_then(|a| alert_types.get(&a).cloned())
            .unwrap_or_else(|| "laundering".to_string())
    };
    while let Some(row) = reader.next_row()? {
        let t = &row.transaction;
        seen.note(&t.from_account, "bank", t.currency);
        seen.note(&t.to_account, "bank", t.currency);
        tx.write_transaction(t)
            .map_err(|e| staged.write_error(name, e))?;
        if row.is_sar {
            labels.push(Label {
                pattern_id: row
                    .alert_id
                    .map_or("amlsim-sar".to_string(), |a| format!("amlsim-alert-{a}")),
                typology: typology_of(row.alert_id),
                transaction_id: t.id.clone(),
                account_id: String::new(),
                role: "laundering".into(),
            });
        }
    }
    let alert_accounts = dir.join("alert_accounts.csv");
    if alert_accounts.exists() {
        for (alert, acct) in amlsim::read_alert_accounts(&alert_accounts)? {
            labels.push(Label {
                pattern_id: format!("amlsim-alert-{alert}"),
                typology: typology_of(Some(alert)),
                transaction_id: String::new(),
                account_id: acct,
                role: "member".into(),
            });
        }
    }
    let transactions = tx.rows();
    tx.finish().map_err(|e| staged.write_error(name, e))?;
    // Accounts that never transacted are still customers: keep them.
    for h in &holders {
        seen.note(&h.id, "bank", Currency::USD);
    }
    let by_id: HashMap<&str, &amlsim::AmlsimAccount> =
        holders.iter().map(|h| (h.id.as_str(), h)).collect();
    let mut parties = Vec::new();
    let mut banks: BTreeMap<String, ()> = BTreeMap::new();
    let accounts: Vec<Account> = seen
        .accounts
        .iter()
        .map(|(id, (_, currency))| {
            let holder = by_id.get(id.as_str());
            let bank = holder.map_or("bank".to_string(), |h| {
                if h.bank_id.is_empty() {
                    "bank".to_string()
                } else {
                    h.bank_id.clone()
                }
            });
            banks.insert(bank.clone(), ());
            let (party_id, holder_name) = match holder {
                Some(h) => {
                    let name = format!("{} {}", h.first_name, h.last_name)
                        .trim()
                        .to_string();
                    let country = Country::parse(&h.country);
                    parties.push(Party {
                        id: format!("P{id}"),
                        kind: PartyKind::Person,
                        name: name.clone(),
                        name_script: Script::Latin,
                        name_latin: name.clone(),
                        gender: h.gender,
                        birth_date: h.birth_date,
                        nationality: country,
                        id_document: None,
                        address: country.map(|c| Address {
                            country: c,
                            city: h.city.clone(),
                            line: h.street.clone(),
                        }),
                    });
                    (format!("P{id}"), name)
                }
                None => (String::new(), String::new()),
            };
            Account {
                id: id.clone(),
                institution_id: format!("BANK-{bank}"),
                party_id,
                holder_name_script: if holder_name.is_empty() {
                    Script::Other
                } else {
                    Script::Latin
                },
                holder_name,
                currency: *currency,
                kind: AccountKind::Current,
                opened: None,
            }
        })
        .collect();
    let institutions: Vec<Institution> = banks
        .keys()
        .map(|b| Institution {
            id: format!("BANK-{b}"),
            name: format!("AMLSim {b}"),
            kind: InstitutionKind::Bank,
            country: Country::from_code(b"US"),
            name_scheme: "native".into(),
        })
        .collect();
    finish_dataset(
        staged,
        &institutions,
        &parties,
        &accounts,
        &labels,
        transactions,
    )
}

fn finish_dataset(
    staged: StagedDir,
    institutions: &[Institution],
    parties: &[Party],
    accounts: &[Account],
    labels: &[Label],
    transactions: u64,
) -> Result<ConvertSummary, DatasetError> {
    let write = |name: &str,
                 f: &dyn Fn(&mut BufWriter<File>) -> io::Result<()>|
     -> Result<(), DatasetError> {
        let mut w = staged.create_file(name)?;
        f(&mut w)
            .and_then(|_| io::Write::flush(&mut w))
            .map_err(|e| staged.write_error(name, e))
    };
    write("institutions.csv", &|w| write_institutions(w, institutions))?;
    write("parties.csv", &|w| write_parties(w, parties))?;
    write("accounts.csv", &|w| write_accounts(w, accounts))?;
    write("labels.csv", &|w| write_labels(w, labels))?;
    staged.commit()?;
    Ok(ConvertSummary {
        transactions,
        accounts: accounts.len(),
        institutions: institutions.len(),
        parties: parties.len(),
        labels: labels.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_conversion_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(
            &input,
            "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering\n\
             2022/09/01 00:20,010,A,010,B,1.00,US Dollar,1.00,US Dollar,Wire,0\n\
             2022/09/01 00:20,010,A,010,B,1.00,US Dollar,1.00,US Dollar,Wire,maybe\n",
        )
        .unwrap();
        let out = dir.path().join("out");
        let e = convert_amlworld(&input, &out, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("Is Laundering"), "{e}");
        assert!(!out.exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the input remains");
    }
}
