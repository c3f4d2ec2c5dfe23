//! IBM AMLSim output: `transactions.csv`
//! (`tran_id,orig_acct,bene_acct,tx_type,base_amt,tran_timestamp,is_sar,alert_id`),
//! `alert_transactions.csv` (which alert each laundering transaction belongs to
//! and its type: fan_in, fan_out, cycle, scatter_gather, gather_scatter, …),
//! and optionally `accounts.csv` with the account holders.

use crate::error::FormatError;
use crate::table::Table;
use nexus_model::{Channel, Currency, Date, Gender, Minor, Timestamp, Transaction};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One AMLSim transaction on the nexus model.
#[derive(Debug, Clone, PartialEq)]
pub struct AmlsimRow {
    pub transaction: Transaction,
    pub is_sar: bool,
    /// `-1` in AMLSim for normal transactions; `None` here.
    pub alert_id: Option<i64>,
}

/// An AMLSim account holder from `accounts.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct AmlsimAccount {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: Option<Gender>,
    pub birth_date: Option<Date>,
    pub country: String,
    pub city: String,
    pub street: String,
    pub bank_id: String,
}

/// Where the files of one AMLSim output directory are. `input` may be the
/// directory or its `transactions.csv`.
pub fn locate(input: &Path) -> PathBuf {
    if input.is_dir() {
        input.join("transactions.csv")
    } else {
        input.to_path_buf()
    }
}

fn channel_from_type(t: &str) -> Option<Channel> {
    Some(match t.to_ascii_uppercase().as_str() {
        "TRANSFER" => Channel::DomesticTransfer,
        "WIRE" => Channel::Wire,
        "CASH-IN" | "DEPOSIT" | "CASH_IN" => Channel::CashDeposit,
        "CASH-OUT" | "WITHDRAWAL" | "CASH_OUT" => Channel::CashWithdrawal,
        "CHECK" | "CHEQUE" => Channel::Cheque,
        "CREDIT" | "CARD" => Channel::Card,
        _ => return None,
    })
}

/// Streams AMLSim `transactions.csv`.
pub struct AmlsimReader {
    table: Table,
    cols: [usize; 8],
}

impl AmlsimReader {
    pub fn open(path: &Path) -> Result<AmlsimReader, FormatError> {
        let table = Table::open(path)?;
        let names = [
            "tran_id",
            "orig_acct",
            "bene_acct",
            "tx_type",
            "base_amt",
            "tran_timestamp",
            "is_sar",
            "alert_id",
        ];
        let mut cols = [0usize; 8];
        for (i, n) in names.iter().enumerate() {
            cols[i] = table.column(n)?;
        }
        Ok(AmlsimReader { table, cols })
    }

    pub fn next_row(&mut self) -> Result<Option<AmlsimRow>, FormatError> {
        let c = self.cols;
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        let tx_type = row.get(c[3]);
        let channel = channel_from_type(tx_type)
            .ok_or_else(|| row.error(c[3], format!("unknown transaction type {tx_type:?}")))?;
        let amount = row.parse(c[4], Minor::parse)?;
        if amount.0 <= 0 {
            return Err(row.error(c[4], format!("amount must be positive, got {amount}")));
        }
        let is_sar = match row.get(c[6]) {
            "True" | "true" | "1" => true,
            "False" | "false" | "0" => false,
            v => return Err(row.error(c[6], format!("expected True or False, got {v:?}"))),
        };
        let alert: i64 = row.parse(c[7], |v| v.parse::<i64>())?;
        Ok(Some(AmlsimRow {
            transaction: Transaction {
                id: row.required(c[0])?.to_string(),
                timestamp: row.parse(c[5], Timestamp::parse_rfc3339)?,
                from_account: row.required(c[1])?.to_string(),
                to_account: row.required(c[2])?.to_string(),
                amount,
                currency: Currency::USD,
                channel,
            },
            is_sar,
            alert_id: (alert >= 0).then_some(alert),
        }))
    }
}

impl Iterator for AmlsimReader {
    type Item = Result<AmlsimRow, FormatError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}

/// Alert id → alert type (`fan_in`, `cycle`, …) from `alert_transactions.csv`
/// or `alert_accounts.csv`.
pub fn read_alert_types(path: &Path) -> Result<HashMap<i64, String>, FormatError> {
    let mut t = Table::open(path)?;
    let id = t.column("alert_id")?;
    let ty = t.column("alert_type")?;
    let mut out = HashMap::new();
    while let Some(row) = t.next_row()? {
        let a: i64 = row.parse(id, |v| v.parse::<i64>())?;
        out.insert(a, row.required(ty)?.to_string());
    }
    Ok(out)
}

/// Alert id and account id pairs from `alert_accounts.csv`.
pub fn read_alert_accounts(path: &Path) -> Result<Vec<(i64, String)>, FormatError> {
    let mut t = Table::open(path)?;
    let id = t.column("alert_id")?;
    let acct = t.column("acct_id")?;
    let mut out = Vec::new();
    while let Some(row) = t.next_row()? {
        let a: i64 = row.parse(id, |v| v.parse::<i64>())?;
        out.push((a, row.required(acct)?.to_string()));
    }
    Ok(out)
}

/// Reads AMLSim `accounts.csv`.
pub fn read_accounts(path: &Path) -> Result<Vec<AmlsimAccount>, FormatError> {
    let mut t = Table::open(path)?;
    let id = t.column("acct_id")?;
    let first = t.optional_column("first_name");
    let last = t.optional_column("last_name");
    let gender = t.optional_column("gender");
    let birth = t.optional_column("birth_date");
    let country = t.optional_column("country");
    let city = t.optional_column("city");
    let street = t.optional_column("street_addr");
    let bank = t.optional_column("bank_id");
    let mut out = Vec::new();
    while let Some(row) = t.next_row()? {
        let birth_date = match row.get_opt(birth) {
            "" => None,
            v => Some(Date::parse(v).map_err(|e| row.error(birth.unwrap_or(0), e.to_string()))?),
        };
        out.push(AmlsimAccount {
            id: row.required(id)?.to_string(),
            first_name: row.get_opt(first).to_string(),
            last_name: row.get_opt(last).to_string(),
            gender: match row.get_opt(gender) {
                "Male" | "M" => Some(Gender::Male),
                "Female" | "F" => Some(Gender::Female),
                _ => None,
            },
            birth_date,
            country: row.get_opt(country).to_string(),
            city: row.get_opt(city).to_string(),
            street: row.get_opt(street).to_string(),
            bank_id: row.get_opt(bank).to_string(),
        });
    }
    Ok(out)
}
