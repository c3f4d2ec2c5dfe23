//! Opening the FIU's database named by `--db`: a SQLite file, or a
//! PostgreSQL URL (`postgres://user@host:port/name`).

use anyhow::{bail, Context, Result};
use nexus_store::Store;
use std::path::Path;

/// Opens the database, creating a SQLite file (and its directory) when missing.
pub fn open(db: &str) -> Result<Store> {
    if !nexus_store::is_postgres(db) {
        if let Some(dir) = Path::new(db).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    Store::open_location(db).with_context(|| "opening the database".to_string())
}

/// Opens a database that must exist already (a SQLite file is not created).
pub fn open_existing(db: &str) -> Result<Store> {
    if !nexus_store::is_postgres(db) && !Path::new(db).exists() {
        bail!("{db}: no such database");
    }
    Store::open_location(db).with_context(|| "opening the database".to_string())
}
