//! Persistence of the FIU service.
//!
//! The embedded default is SQLite in WAL mode with `synchronous = FULL`: a
//! write that [`Store::write`] returned from is on disk and survives a crash
//! of the process or the machine. Writes go through one connection (SQLite
//! has one writer anyway) inside `BEGIN IMMEDIATE` transactions, so that
//! every change and its audit record commit together or not at all; reads
//! use a small pool of read-only connections and never wait for a writer.
//!
//! The service talks to the store only through [`Db`]'s domain methods (no
//! SQL outside this crate), which is the seam where a PostgreSQL backend
//! will slot in for the scale-out.

mod audit;
mod exchange;
mod records;
mod schema;

pub use audit::{AuditCheckpoint, AuditEntry, AuditFailure, AuditRecord};
pub use exchange::{
    ExchangeMatchRow, ExchangeMessageRow, MatchableEntity, PartnerRow, PictureRow, SessionRow,
};
pub use records::*;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// A record named by the caller does not exist.
    #[error("{0}")]
    NotFound(String),
    #[error(
        "the database is at schema version {found}, newer than this nexus ({known}); upgrade nexus"
    )]
    TooNew { found: u32, known: u32 },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The database of one FIU.
pub struct Store {
    path: PathBuf,
    // Declared (so dropped) before the writer: the writer closes last, and
    // the last connection to close folds the write-ahead log into the
    // database file, so that a closed database is one file.
    readers: Mutex<Vec<Connection>>,
    writer: Mutex<Connection>,
}

/// A connection inside a transaction (writes) or a read-only one (reads),
/// with the domain methods of [`records`].
pub struct Db<'c> {
    conn: &'c Connection,
}

const READERS: usize = 4;

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // 64 MiB of page cache per connection: indexes of millions of rows stay warm.
    conn.pragma_update(None, "cache_size", -65536)?;
    Ok(())
}

impl Store {
    /// Opens (creating when needed) the database at `path` and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut writer = Connection::open(path).map_err(open_err)?;
        writer
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        configure(&writer).map_err(open_err)?;
        migrate(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )
            .map_err(open_err)?;
            configure(&r).map_err(open_err)?;
            readers.push(r);
        }
        Ok(Store {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(readers),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one write transaction; commits when it returns `Ok`.
    pub fn write<T>(&self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        let mut conn = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&Db { conn: &tx })?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a read-only connection (a consistent snapshot).
    pub fn read<T>(&self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        let conn = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match conn {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&c)?;
                c
            }
        };
        let out = {
            let tx = conn.unchecked_transaction()?;
            let out = f(&Db { conn: &tx });
            drop(tx);
            out
        };
        let mut pool = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < READERS {
            pool.push(conn);
        }
        out
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = schema::MIGRATIONS.len() as u32;
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
    for sql in &schema::MIGRATIONS[version as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
