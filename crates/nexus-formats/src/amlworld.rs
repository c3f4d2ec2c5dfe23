//! IBM AMLworld transactions CSV (the "IBM Transactions for Anti Money
//! Laundering" data sets HI/LI-Small/Medium/Large):
//!
//! `Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering`
//!
//! Accounts are identified by bank and account number together; nexus writes
//! them as `BANK-ACCOUNT`. The amount and currency kept are the paid side.

use crate::error::FormatError;
use crate::table::Table;
use nexus_model::{Channel, Currency, Date, Minor, Timestamp, Transaction};
use std::path::Path;

const EXPECTED: [&str; 11] = [
    "Timestamp",
    "From Bank",
    "Account",
    "To Bank",
    "Account",
    "Amount Received",
    "Receiving Currency",
    "Amount Paid",
    "Payment Currency",
    "Payment Format",
    "Is Laundering",
];

/// One AMLworld row on the nexus model.
#[derive(Debug, Clone, PartialEq)]
pub struct AmlworldRow {
    pub transaction: Transaction,
    pub from_bank: String,
    pub to_bank: String,
    pub is_laundering: bool,
}

/// Maps AMLworld's currency names to ISO 4217 (`XBT` for bitcoin).
pub fn currency_from_name(name: &str) -> Option<Currency> {
    let code = match name {
        "US Dollar" => "USD",
        "Euro" => "EUR",
        "Yuan" => "CNY",
        "Yen" => "JPY",
        "Rupee" => "INR",
        "Ruble" => "RUB",
        "UK Pound" => "GBP",
        "Canadian Dollar" => "CAD",
        "Australian Dollar" => "AUD",
        "Swiss Franc" => "CHF",
        "Mexican Peso" => "MXN",
        "Brazil Real" => "BRL",
        "Shekel" => "ILS",
        "Saudi Riyal" => "SAR",
        "Bitcoin" => "XBT",
        other => return Currency::parse(other),
    };
    Currency::parse(code)
}

fn channel_from_format(format: &str) -> Option<Channel> {
    Some(match format {
        "Wire" => Channel::Wire,
        "ACH" => Channel::Ach,
        "Cheque" => Channel::Cheque,
        "Credit Card" => Channel::Card,
        "Cash" => Channel::CashDeposit,
        "Bitcoin" => Channel::Crypto,
        "Reinvestment" => Channel::Reinvestment,
        _ => return None,
    })
}

/// Parses AMLworld's `YYYY/MM/DD HH:MM` timestamps.
fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    let bad = || format!("expected YYYY/MM/DD HH:MM, got {text:?}");
    let (date, time) = text.split_once(' ').ok_or_else(bad)?;
    let date = Date::parse(&date.replace('/', "-")).map_err(|_| bad())?;
    let mut hm = time.split(':');
    let h: i64 = hm.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    let m: i64 = hm.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    let s: i64 = match hm.next() {
        Some(v) => v.parse().map_err(|_| bad())?,
        None => 0,
    };
    if !(0..24).contains(&h) || !(0..60).contains(&m) || !(0..60).contains(&s) {
        return Err(bad());
    }
    Ok(Timestamp(date.midnight().0 + h * 3600 + m * 60 + s))
}

/// Streams an AMLworld CSV.
pub struct AmlworldReader {
    table: Table,
    row_number: u64,
}

impl AmlworldReader {
    pub fn open(path: &Path) -> Result<AmlworldReader, FormatError> {
        let table = Table::open(path)?;
        let header = table.header();
        let ok = header.len() == EXPECTED.len()
            && header
                .iter()
                .zip(EXPECTED)
                .all(|(h, e)| h == e || (e == "Account" && h.starts_with("Account")));
        if !ok {
            return Err(FormatError::Line {
                path: path.to_path_buf(),
                line: 1,
                message: format!(
                    "not an AMLworld header: expected `{}`, found `{}`",
                    EXPECTED.join(","),
                    header.join(",")
                ),
            });
        }
        Ok(AmlworldReader {
            table,
            row_number: 0,
        })
    }

    pub fn next_row(&mut self) -> Result<Option<AmlworldRow>, FormatError> {
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        self.row_number += 1;
        let timestamp = row.parse(0, parse_timestamp)?;
        let from_bank = row.required(1)?.to_string();
        let from = row.required(2)?;
        let to_bank = row.required(3)?.to_string();
        let to = row.required(4)?;
        let amount = row.parse(7, Minor::parse)?;
        if amount.0 <= 0 {
            return Err(row.error(7, format!("amount must be positive, got {amount}")));
        }
        let cur = row.get(8);
        let currency = currency_from_name(cur)
            .ok_or_else(|| row.error(8, format!("unknown currency {cur:?}")))?;
        let fmt = row.get(9);
        let channel = channel_from_format(fmt)
            .ok_or_else(|| row.error(9, format!("unknown payment format {fmt:?}")))?;
        let is_laundering = match row.get(10) {
            "0" => false,
            "1" => true,
            v => return Err(row.error(10, format!("expected 0 or 1, got {v:?}"))),
        };
        Ok(Some(AmlworldRow {
            transaction: Transaction {
                id: format!("AW{}", self.row_number),
                timestamp,
                from_account: format!("{from_bank}-{from}"),
                to_account: format!("{to_bank}-{to}"),
                amount,
                currency,
                channel,
            },
            from_bank,
            to_bank,
            is_laundering,
        }))
    }
}

impl Iterator for AmlworldReader {
    type Item = Result<AmlworldRow, FormatError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_rejects_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("HI-Small_Trans.csv");
        std::fs::write(
            &p,
            "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering\n\
             2022/09/01 00:20,010,8000EBD30,010,8000EBD30,3697.34,US Dollar,3697.34,US Dollar,Reinvestment,0\n\
             2022/09/01 00:22,3208,8000F4580,001,8000F5340,0.01,US Dollar,0.01,Bitcoin,Cheque,1\n",
        )
        .unwrap();
        let mut r = AmlworldReader::open(&p).unwrap();
        let a = r.next().unwrap().unwrap();
        assert_eq!(a.transaction.from_account, "010-8000EBD30");
        assert_eq!(a.transaction.timestamp.to_string(), "2022-09-01T00:20:00Z");
        assert_eq!(a.transaction.channel, Channel::Reinvestment);
        assert!(!a.is_laundering);
        let b = r.next().unwrap().unwrap();
        assert!(b.is_laundering);
        assert_eq!(b.transaction.currency.as_str(), "XBT");
        assert!(r.next().is_none());

        std::fs::write(&p, "a,b\n1,2\n").unwrap();
        assert!(AmlworldReader::open(&p)
            .err()
            .unwrap()
            .to_string()
            .contains("not an AMLworld header"));
    }
}
