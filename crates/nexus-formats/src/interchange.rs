//! The nexus interchange format: five CSV files with a header row
//! (`institutions.csv`, `parties.csv`, `accounts.csv`, `transactions.csv`,
//! `labels.csv`), documented in `docs/formats.md`.

use crate::error::FormatError;
use crate::table::{push_line, Row, Table};
use nexus_model::{
    Account, AccountKind, Address, Channel, Country, Currency, Date, Gender, IdDocument,
    Institution, InstitutionKind, Label, Minor, Party, PartyKind, Script, Timestamp, Transaction,
};
use std::io::{self, Write};
use std::path::Path;

pub const INSTITUTIONS_HEADER: &[&str] = &["id", "name", "kind", "country", "name_scheme"];
pub const PARTIES_HEADER: &[&str] = &[
    "id",
    "kind",
    "name",
    "name_script",
    "name_latin",
    "gender",
    "birth_date",
    "nationality",
    "id_type",
    "id_number",
    "id_country",
    "country",
    "city",
    "address",
];
pub const ACCOUNTS_HEADER: &[&str] = &[
    "id",
    "institution_id",
    "party_id",
    "holder_name",
    "holder_name_script",
    "currency",
    "kind",
    "opened",
];
pub const TRANSACTIONS_HEADER: &[&str] = &[
    "id",
    "timestamp",
    "from_account",
    "to_account",
    "amount",
    "currency",
    "channel",
];
pub const LABELS_HEADER: &[&str] = &[
    "pattern_id",
    "typology",
    "transaction_id",
    "account_id",
    "role",
];

fn opt_str<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// Writes `institutions.csv` content.
pub fn write_institutions<W: Write>(w: &mut W, rows: &[Institution]) -> io::Result<()> {
    let mut buf = Vec::new();
    push_line(&mut buf, INSTITUTIONS_HEADER);
    for r in rows {
        push_line(
            &mut buf,
            &[
                &r.id,
                &r.name,
                r.kind.as_str(),
                r.country.as_str(),
                &r.name_scheme,
            ],
        );
    }
    w.write_all(&buf)
}

/// Writes `parties.csv` content.
pub fn write_parties<W: Write>(w: &mut W, rows: &[Party]) -> io::Result<()> {
    let mut buf = Vec::with_capacity(rows.len() * 160);
    push_line(&mut buf, PARTIES_HEADER);
    for p in rows {
        let (id_type, id_number, id_country) = match &p.id_document {
            Some(d) => (d.kind.as_str(), d.number.as_str(), d.country.to_string()),
            None => ("", "", String::new()),
        };
        let (country, city, line) = match &p.address {
            Some(a) => (a.country.to_string(), a.city.as_str(), a.line.as_str()),
            None => (String::new(), "", ""),
        };
        push_line(
            &mut buf,
            &[
                &p.id,
                p.kind.as_str(),
                &p.name,
                p.name_script.as_str(),
                &p.name_latin,
                p.gender.map_or("", Gender::as_str),
                &opt_str(p.birth_date),
                &opt_str(p.nationality),
                id_type,
                id_number,
                &id_country,
                &country,
                city,
                line,
            ],
        );
        if buf.len() > 1 << 20 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)
}

/// Writes `accounts.csv` content.
pub fn write_accounts<W: Write>(w: &mut W, rows: &[Account]) -> io::Result<()> {
    let mut buf = Vec::with_capacity(rows.len() * 100);
    push_line(&mut buf, ACCOUNTS_HEADER);
    for a in rows {
        push_line(
            &mut buf,
            &[
                &a.id,
                &a.institution_id,
                &a.party_id,
                &a.holder_name,
                a.holder_name_script.as_str(),
                a.currency.as_str(),
                a.kind.as_str(),
                &opt_str(a.opened),
            ],
        );
        if buf.len() > 1 << 20 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)
}

/// Writes `labels.csv` content.
pub fn write_labels<W: Write>(w: &mut W, rows: &[Label]) -> io::Result<()> {
    let mut buf = Vec::with_capacity(rows.len() * 60);
    push_line(&mut buf, LABELS_HEADER);
    for l in rows {
        push_line(
            &mut buf,
            &[
                &l.pattern_id,
                &l.typology,
                &l.transaction_id,
                &l.account_id,
                &l.role,
            ],
        );
    }
    w.write_all(&buf)
}

/// Streams `transactions.csv`: ten million rows must not allocate per row.
pub struct TransactionWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
    rows: u64,
}

impl<W: Write> TransactionWriter<W> {
    /// Writes the header row.
    pub fn new(inner: W) -> io::Result<TransactionWriter<W>> {
        let mut buf = Vec::with_capacity(1 << 20);
        push_line(&mut buf, TRANSACTIONS_HEADER);
        Ok(TransactionWriter {
            inner,
            buf,
            rows: 0,
        })
    }

    /// Appends one row. Ids must not contain `,`, `"` or line breaks
    /// (all ids nexus makes are plain ASCII; foreign ids are quoted).
    #[allow(clippy::too_many_arguments)] // one argument per column, on the hot path
    pub fn write(
        &mut self,
        id: &str,
        timestamp: Timestamp,
        from: &str,
        to: &str,
        amount: Minor,
        currency: Currency,
        channel: Channel,
    ) -> io::Result<()> {
        let b = &mut self.buf;
        crate::table::push_field(b, id);
        b.push(b',');
        timestamp.write_rfc3339(b);
        b.push(b',');
        crate::table::push_field(b, from);
        b.push(b',');
        crate::table::push_field(b, to);
        b.push(b',');
        amount.write_decimal(b);
        b.push(b',');
        b.extend_from_slice(currency.as_str().as_bytes());
        b.push(b',');
        b.extend_from_slice(channel.as_str().as_bytes());
        b.push(b'\n');
        self.rows += 1;
        if self.buf.len() >= 1 << 20 {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    pub fn write_transaction(&mut self, t: &Transaction) -> io::Result<()> {
        self.write(
            &t.id,
            t.timestamp,
            &t.from_account,
            &t.to_account,
            t.amount,
            t.currency,
            t.channel,
        )
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.inner.write_all(&self.buf)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

fn vocab<T>(
    row: &Row<'_>,
    index: usize,
    what: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, FormatError> {
    let v = row.get(index);
    parse(v).ok_or_else(|| row.error(index, format!("unknown {what} {v:?}")))
}

fn opt_date(row: &Row<'_>, index: usize) -> Result<Option<Date>, FormatError> {
    match row.get(index) {
        "" => Ok(None),
        v => Date::parse(v)
            .map(Some)
            .map_err(|e| row.error(index, e.to_string())),
    }
}

fn opt_country(row: &Row<'_>, index: usize) -> Result<Option<Country>, FormatError> {
    match row.get(index) {
        "" => Ok(None),
        v => Country::parse(v).map(Some).ok_or_else(|| {
            row.error(
                index,
                format!("expected an ISO 3166 alpha-2 code, got {v:?}"),
            )
        }),
    }
}

/// Reads `institutions.csv`.
pub fn read_institutions(path: &Path) -> Result<Vec<Institution>, FormatError> {
    let mut t = Table::open(path)?;
    let c: Vec<usize> = INSTITUTIONS_HEADER
        .iter()
        .map(|h| t.column(h))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    while let Some(row) = t.next_row()? {
        out.push(Institution {
            id: row.required(c[0])?.to_string(),
            name: row.get(c[1]).to_string(),
            kind: vocab(&row, c[2], "institution kind", InstitutionKind::parse)?,
            country: opt_country(&row, c[3])?.ok_or_else(|| row.error(c[3], "is empty"))?,
            name_scheme: row.get(c[4]).to_string(),
        });
    }
    Ok(out)
}

/// Reads `parties.csv`.
pub fn read_parties(path: &Path) -> Result<Vec<Party>, FormatError> {
    let mut t = Table::open(path)?;
    let c: Vec<usize> = PARTIES_HEADER
        .iter()
        .map(|h| t.column(h))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    while let Some(row) = t.next_row()? {
        let id_document = match row.get(c[9]) {
            "" => None,
            number => Some(IdDocument {
                kind: row.get(c[8]).to_string(),
                number: number.to_string(),
                country: opt_country(&row, c[10])?
                    .ok_or_else(|| row.error(c[10], "is empty but id_number is set"))?,
            }),
        };
        let address = opt_country(&row, c[11])?.map(|country| Address {
            country,
            city: row.get(c[12]).to_string(),
            line: row.get(c[13]).to_string(),
        });
        out.push(Party {
            id: row.required(c[0])?.to_string(),
            kind: vocab(&row, c[1], "party kind", PartyKind::parse)?,
            name: row.required(c[2])?.to_string(),
            name_script: vocab(&row, c[3], "script", Script::parse)?,
            name_latin: row.get(c[4]).to_string(),
            gender: match row.get(c[5]) {
                "" => None,
                _ => Some(vocab(&row, c[5], "gender", Gender::parse)?),
            },
            birth_date: opt_date(&row, c[6])?,
            nationality: opt_country(&row, c[7])?,
            id_document,
            address,
        });
    }
    Ok(out)
}

/// Reads `accounts.csv`.
pub fn read_accounts(path: &Path) -> Result<Vec<Account>, FormatError> {
    let mut t = Table::open(path)?;
    let c: Vec<usize> = ACCOUNTS_HEADER
        .iter()
        .map(|h| t.column(h))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    while let Some(row) = t.next_row()? {
        out.push(Account {
            id: row.required(c[0])?.to_string(),
            institution_id: row.get(c[1]).to_string(),
            party_id: row.get(c[2]).to_string(),
            holder_name: row.get(c[3]).to_string(),
            holder_name_script: match row.get(c[4]) {
                "" => Script::Other,
                _ => vocab(&row, c[4], "script", Script::parse)?,
            },
            currency: vocab(&row, c[5], "currency", Currency::parse)?,
            kind: vocab(&row, c[6], "account kind", AccountKind::parse)?,
            opened: opt_date(&row, c[7])?,
        });
    }
    Ok(out)
}

/// Reads `labels.csv`.
pub fn read_labels(path: &Path) -> Result<Vec<Label>, FormatError> {
    Ok(read_labels_with_lines(path)?
        .into_iter()
        .map(|(_, l)| l)
        .collect())
}

/// `labels.csv` rows with the line each came from. A row labels a
/// transaction, an account, or a transaction together with its account's
/// role in it; a row naming neither is refused.
pub fn read_labels_with_lines(path: &Path) -> Result<Vec<(u64, Label)>, FormatError> {
    let mut t = Table::open(path)?;
    let c: Vec<usize> = LABELS_HEADER
        .iter()
        .map(|h| t.column(h))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    while let Some(row) = t.next_row()? {
        let label = Label {
            pattern_id: row.required(c[0])?.to_string(),
            typology: row.required(c[1])?.to_string(),
            transaction_id: row.get(c[2]).trim().to_string(),
            account_id: row.get(c[3]).trim().to_string(),
            role: row.get(c[4]).to_string(),
        };
        if label.transaction_id.is_empty() && label.account_id.is_empty() {
            return Err(row.error(
                c[2],
                "a label names a transaction_id, an account_id or both",
            ));
        }
        out.push((row.line(), label));
    }
    Ok(out)
}

/// Parses transactions CSV held in memory (all rows, or the first error).
pub fn parse_transactions(path: &Path, bytes: &[u8]) -> Result<Vec<Transaction>, FormatError> {
    let table = Table::from_reader(path, bytes)?;
    let mut cols = [0usize; 7];
    for (i, h) in TRANSACTIONS_HEADER.iter().enumerate() {
        cols[i] = table.column(h)?;
    }
    let mut reader = TransactionReader { table, cols };
    let mut out = Vec::new();
    while let Some(t) = reader.next_transaction()? {
        out.push(t);
    }
    Ok(out)
}

/// Streams `transactions.csv` row by row.
pub struct TransactionReader<R: std::io::Read = std::io::BufReader<std::fs::File>> {
    table: Table<R>,
    cols: [usize; 7],
}

impl TransactionReader {
    pub fn open(path: &Path) -> Result<TransactionReader, FormatError> {
        let table = Table::open(path)?;
        let mut cols = [0usize; 7];
        for (i, h) in TRANSACTIONS_HEADER.iter().enumerate() {
            cols[i] = table.column(h)?;
        }
        Ok(TransactionReader { table, cols })
    }
}

impl<R: std::io::Read> TransactionReader<R> {
    /// Reads from any reader (standard input for a stream); `path` is what
    /// errors name.
    pub fn from_reader(path: &Path, inner: R) -> Result<TransactionReader<R>, FormatError> {
        let table = Table::from_reader(path, inner)?;
        let mut cols = [0usize; 7];
        for (i, h) in TRANSACTIONS_HEADER.iter().enumerate() {
            cols[i] = table.column(h)?;
        }
        Ok(TransactionReader { table, cols })
    }

    /// The next transaction; amounts must be positive and accounts non-empty.
    pub fn next_transaction(&mut self) -> Result<Option<Transaction>, FormatError> {
        let c = self.cols;
        let Some(row) = self.table.next_row()? else {
            return Ok(None);
        };
        let amount = row.parse(c[4], Minor::parse)?;
        if amount.0 <= 0 {
            return Err(row.error(c[4], format!("amount must be positive, got {amount}")));
        }
        Ok(Some(Transaction {
            id: row.required(c[0])?.to_string(),
            timestamp: row.parse(c[1], Timestamp::parse_rfc3339)?,
            from_account: row.required(c[2])?.to_string(),
            to_account: row.required(c[3])?.to_string(),
            amount,
            currency: vocab(&row, c[5], "currency", Currency::parse)?,
            channel: vocab(&row, c[6], "channel", Channel::parse)?,
        }))
    }
}

impl Iterator for TransactionReader {
    type Item = Result<Transaction, FormatError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_transaction().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_file(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_csv_never_panics(text in "(id,timestamp,from_account,to_account,amount,currency,channel\n)?[ -~\n\"ҷ,]{0,300}") {
            let _ = parse_transactions(Path::new("p.csv"), text.as_bytes());
        }

        #[test]
        fn rows_roundtrip(amount in 1i64..1_000_000_000_000, secs in 0i64..4_000_000_000, from in "[A-Za-z0-9,\" ҷ-]{1,12}") {
            let mut w = TransactionWriter::new(Vec::new()).unwrap();
            let t = Transaction {
                id: "T1".into(),
                timestamp: Timestamp(secs),
                from_account: from.trim().to_string(),
                to_account: "B".into(),
                amount: Minor(amount),
                currency: Currency::USD,
                channel: Channel::Wire,
            };
            proptest::prop_assume!(!t.from_account.is_empty());
            w.write_transaction(&t).unwrap();
            let bytes = w.finish().unwrap();
            let back = parse_transactions(Path::new("p.csv"), &bytes).unwrap();
            proptest::prop_assert_eq!(back, vec![t]);
        }
    }

    #[test]
    fn transactions_roundtrip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("transactions.csv");
        let mut w = TransactionWriter::new(std::fs::File::create(&p).unwrap()).unwrap();
        let t = Transaction {
            id: "T1".into(),
            timestamp: Timestamp::parse_rfc3339("2026-03-01T09:15:00Z").unwrap(),
            from_account: "A,1".into(),
            to_account: "A2".into(),
            amount: Minor(123_456),
            currency: Currency::TJS,
            channel: Channel::CashDeposit,
        };
        w.write_transaction(&t).unwrap();
        w.finish().unwrap();
        let back: Vec<_> = TransactionReader::open(&p)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(back, vec![t]);
    }

    #[test]
    fn errors_name_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = write_file(
            dir.path(),
            "transactions.csv",
            "id,timestamp,from_account,to_account,amount,currency,channel\n\
             T1,2026-03-01T09:15:00Z,A,B,10.00,TJS,wire\n\
             T2,2026-03-01T09:15:00Z,A,B,ten,TJS,wire\n",
        );
        let mut r = TransactionReader::open(&p).unwrap();
        assert!(r.next().unwrap().is_ok());
        let e = r.next().unwrap().unwrap_err().to_string();
        assert!(e.contains("line 3, column 5 (`amount`)"), "{e}");

        let p = write_file(dir.path(), "t2.csv", "id,timestamp,from_account,amount\n");
        let e = TransactionReader::open(&p).err().unwrap().to_string();
        assert!(e.contains("missing column `to_account`"), "{e}");

        let p = write_file(
            dir.path(),
            "t3.csv",
            "id,timestamp,from_account,to_account,amount,currency,channel\nT1,2026-03-01T09:15:00Z,A,B,10.00,TJS,teleport\n",
        );
        let e = TransactionReader::open(&p)
            .unwrap()
            .next()
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown channel \"teleport\""), "{e}");
    }
}
