//! The embedded backend: SQLite through rusqlite (bundled), in WAL mode with
//! `synchronous = FULL`. One writer connection takes `BEGIN IMMEDIATE`
//! transactions; a small pool of read-only connections serves reads, each in
//! a transaction of its own (a consistent snapshot) that never waits for the
//! writer.

use crate::sql::{Dialect, Executor, Row, Value};
use crate::{schema, Result, StoreError};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const READERS: usize = 4;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        match &e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NoRows,
            rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                StoreError::Unique(e.to_string())
            }
            _ => StoreError::Database(e.to_string()),
        }
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn value_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// A rusqlite connection (or a transaction on one) as an [`Executor`].
pub(crate) struct SqliteExec<'c>(pub(crate) &'c Connection);

impl Executor for SqliteExec<'_> {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize> {
        let mut s = self.0.prepare_cached(sql)?;
        Ok(s.execute(rusqlite::params_from_iter(params.iter()))?)
    }

    fn query(
        &self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&Row) -> Result<bool>,
    ) -> Result<()> {
        let mut s = self.0.prepare_cached(sql)?;
        let columns = s.column_count();
        let mut rows = s.query(rusqlite::params_from_iter(params.iter()))?;
        while let Some(r) = rows.next()? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(value_of(r.get_ref(i)?));
            }
            if !each(&Row { values })? {
                break;
            }
        }
        Ok(())
    }

    fn execute_batch(&self, sql: &str) -> Result<()> {
        Ok(self.0.execute_batch(sql)?)
    }

    fn last_insert_id(&self) -> Result<i64> {
        Ok(self.0.last_insert_rowid())
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
}

/// The SQLite database of one FIU.
pub(crate) struct SqliteStore {
    pub(crate) path: PathBuf,
    // Declared (so dropped) before the writer: the writer closes last, and
    // the last connection to close folds the write-ahead log into the
    // database file, so that a closed database is one file.
    readers: Mutex<Vec<Connection>>,
    writer: Mutex<Connection>,
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // 64 MiB of page cache per connection: indexes of millions of rows stay warm.
    conn.pragma_update(None, "cache_size", -65536)?;
    Ok(())
}

impl SqliteStore {
    pub(crate) fn open(path: &Path) -> Result<SqliteStore> {
        let open_err = |source: rusqlite::Error| StoreError::Open {
            location: path.display().to_string(),
            reason: source.to_string(),
        };
        let mut writer = Connection::open(path).map_err(open_err)?;
        writer
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        configure(&writer).map_err(open_err)?;
        migrate(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(reader(path).map_err(open_err)?);
        }
        Ok(SqliteStore {
            path: path.to_path_buf(),
            readers: Mutex::new(readers),
            writer: Mutex::new(writer),
        })
    }

    pub(crate) fn write<T>(&self, f: impl FnOnce(&dyn Executor) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&SqliteExec(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&dyn Executor) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => reader(&self.path)?,
        };
        let out = {
            let tx = conn.unchecked_transaction()?;
            let out = f(&SqliteExec(&tx));
            drop(tx);
            out
        };
        let mut pool = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < READERS {
            pool.push(conn);
        }
        out
    }

    /// A consistent copy of the database into `target` (SQLite's online backup).
    pub(crate) fn backup(&self, target: &Path) -> Result<()> {
        let conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut dst = Connection::open(target)?;
        let backup = rusqlite::backup::Backup::new(&conn, &mut dst)?;
        backup.run_to_completion(1024, std::time::Duration::from_millis(0), None)?;
        Ok(())
    }

    pub(crate) fn schema_version(&self) -> Result<u32> {
        let conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}

fn reader(path: &Path) -> rusqlite::Result<Connection> {
    let r = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    configure(&r)?;
    Ok(r)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = schema::migrations().len() as u32;
    if version > known {
        return Err(StoreError::TooNew {
            found: version,
            known,
        });
    }
    if version == known {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    for sql in &schema::migrations()[version as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}
