//! Persistence of the FIU service, on two databases.
//!
//! The embedded default is SQLite in WAL mode with `synchronous = FULL`
//! ([`sqlite`]); PostgreSQL ([`pg`]) is the scale-out, chosen by giving a
//! `postgres://` URL instead of a file. Either way a write that
//! [`Store::write`] returned from is durable, every change and its audit
//! record commit together or not at all (one transaction, writers
//! serialised), and reads see a consistent snapshot without waiting for a
//! writer.
//!
//! The service talks to the store only through [`Db`]'s domain methods (no
//! SQL outside this crate). They are written once, in the SQL both databases
//! share, against the [`sql`] seam; each backend implements its
//! [`sql::Executor`] and keeps its own migrations ([`schema`],
//! [`pg_schema`]), numbered alike so that a database moves between them
//! (`nexus migrate`).

mod audit;
mod copy;
mod exchange;
mod pg;
mod pg_schema;
mod records;
mod schema;
pub mod sql;
mod sqlite;

pub use audit::{AuditCheckpoint, AuditEntry, AuditFailure, AuditRecord};
pub use copy::{copy_database, CopyReport};
pub use exchange::{
    ExchangeMatchRow, ExchangeMessageRow, MatchableEntity, PartnerRow, PictureRow, SessionRow,
};
pub use records::*;

use std::path::Path;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {location}: {reason}")]
    Open { location: String, reason: String },
    #[error("database: {0}")]
    Database(String),
    /// A unique constraint refused a row.
    #[error("database: {0}")]
    Unique(String),
    /// A query that must return a row returned none.
    #[error("database: no row")]
    NoRows,
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

/// Which database a store is on.
enum Backend {
    Sqlite(sqlite::SqliteStore),
    Postgres(Box<pg::PgStore>),
}

/// Hears how long each write waited before its transaction began.
pub type WriterWaitObserver = Box<dyn Fn(std::time::Duration) + Send + Sync>;

/// The database of one FIU.
pub struct Store {
    backend: Backend,
    writer_wait: std::sync::OnceLock<WriterWaitObserver>,
}

/// A connection inside a transaction (writes) or a read-only snapshot
/// (reads), with the domain methods of [`records`], [`audit`] and [`exchange`].
pub struct Db<'c> {
    conn: sql::Conn<'c>,
}

impl Store {
    /// Opens (creating when needed) the SQLite database at `path` and brings
    /// its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        Ok(Store {
            backend: Backend::Sqlite(sqlite::SqliteStore::open(path)?),
            writer_wait: std::sync::OnceLock::new(),
        })
    }

    /// Opens a database named as the command line names it: a
    /// `postgres://user@host:port/name` URL, or a SQLite file's path.
    pub fn open_location(location: &str) -> Result<Store> {
        if is_postgres(location) {
            Ok(Store {
                backend: Backend::Postgres(Box::new(pg::PgStore::open(location)?)),
                writer_wait: std::sync::OnceLock::new(),
            })
        } else {
            Store::open(Path::new(location))
        }
    }

    /// The SQLite file, when the store is one.
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sqlite(s) => Some(&s.path),
            Backend::Postgres(_) => None,
        }
    }

    /// Where the database is, for messages (a URL without its password).
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Sqlite(s) => s.path.display().to_string(),
            Backend::Postgres(p) => p.location(),
        }
    }

    /// `sqlite` or `postgres`.
    pub fn kind(&self) -> &'static str {
        match &self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Sets what hears each write's wait for the writer (once; later calls are ignored).
    pub fn observe_writer_wait(&self, observer: WriterWaitObserver) {
        let _ = self.writer_wait.set(observer);
    }

    /// Runs `f` in one write transaction; commits when it returns `Ok`.
    pub fn write<T>(&self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        let asked = std::time::Instant::now();
        let run = |exec: &dyn sql::Executor| {
            if let Some(observe) = self.writer_wait.get() {
                observe(asked.elapsed());
            }
            f(&Db {
                conn: sql::Conn { exec },
            })
        };
        match &self.backend {
            Backend::Sqlite(s) => s.write(run),
            Backend::Postgres(p) => p.write(run),
        }
    }

    /// Runs `f` on a consistent read-only snapshot.
    pub fn read<T>(&self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        let run = |exec: &dyn sql::Executor| {
            f(&Db {
                conn: sql::Conn { exec },
            })
        };
        match &self.backend {
            Backend::Sqlite(s) => s.read(run),
            Backend::Postgres(p) => p.read(run),
        }
    }

    /// The schema version the database is at, and the newest this nexus knows.
    pub fn schema_version(&self) -> Result<(u32, u32)> {
        match &self.backend {
            Backend::Sqlite(s) => Ok((s.schema_version()?, schema::migrations().len() as u32)),
            Backend::Postgres(p) => Ok((p.schema_version()?, pg_schema::migrations().len() as u32)),
        }
    }

    /// A consistent copy of a SQLite database into the file `target` (the
    /// online backup API: the service keeps running). PostgreSQL databases
    /// are backed up with `pg_dump` (docs/operations.md).
    pub fn backup(&self, target: &Path) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(s) => s.backup(target),
            Backend::Postgres(p) => Err(StoreError::Invalid(format!(
                "{} is a PostgreSQL database: back it up with pg_dump (docs/operations.md)",
                p.location()
            ))),
        }
    }
}

/// Whether a `--db` value names a PostgreSQL database.
pub fn is_postgres(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// Seconds since the Unix epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
