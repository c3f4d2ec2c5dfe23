//! Operating an FIU's deployment: checking it (`nexus doctor`), backing it
//! up and restoring it (`nexus backup`, `nexus restore`), moving it between
//! databases (`nexus migrate`).

use crate::error::FiuError;
use crate::error::Phrase;
use nexus_store::{copy_database, CopyReport, Store};
use std::path::Path;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Ok,
    Warn,
    Fail,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Warn => "warn",
            Health::Fail => "FAIL",
        }
    }
}

/// One check of `nexus doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub health: Health,
    pub detail: String,
}

/// Lists older than this many days are stale: the UN and OFAC lists change weekly.
pub const STALE_LIST_DAYS: i64 = 14;
/// Less free space than this on the database's disk is a warning.
pub const LOW_DISK_BYTES: u64 = 2 << 30;

/// Checks a deployment: the database reachable and at this nexus's schema,
/// lists loaded and fresh, the audit log intact against its checkpoints
/// (and the anchor file, when given), free disk, the exchange identity.
pub fn doctor(location: &str, anchor_file: Option<&Path>) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut push = |name, health, detail: String| {
        checks.push(Check {
            name,
            health,
            detail,
        })
    };
    if !nexus_store::is_postgres(location) && !Path::new(location).is_file() {
        push(
            "database",
            Health::Fail,
            format!("{location}: no such database"),
        );
        return checks;
    }
    let store = match Store::open_location(location) {
        Ok(s) => s,
        Err(e) => {
            push("database", Health::Fail, e.to_string());
            return checks;
        }
    };
    match store.schema_version() {
        Ok((found, known)) if found == known => push(
            "database",
            Health::Ok,
            format!(
                "{} {} reachable, schema version {found}",
                store.kind(),
                store.location()
            ),
        ),
        Ok((found, known)) => push(
            "database",
            Health::Fail,
            format!("schema version {found}, this nexus knows {known}"),
        ),
        Err(e) => push("database", Health::Fail, e.to_string()),
    }
    match store.read(|db| db.lists()) {
        Ok(lists) if lists.is_empty() => push(
            "lists",
            Health::Warn,
            "no sanctions list loaded: nothing is screened (nexus lists load)".into(),
        ),
        Ok(lists) => {
            let now = nexus_store::now();
            let stale: Vec<String> = lists
                .iter()
                .filter(|l| now - l.loaded_at > STALE_LIST_DAYS * 86_400)
                .map(|l| {
                    format!(
                        "{} (loaded {} days ago)",
                        l.name,
                        (now - l.loaded_at) / 86_400
                    )
                })
                .collect();
            if stale.is_empty() {
                push(
                    "lists",
                    Health::Ok,
                    format!(
                        "{} lists, all loaded within {STALE_LIST_DAYS} days",
                        lists.len()
                    ),
                );
            } else {
                push(
                    "lists",
                    Health::Warn,
                    format!(
                        "stale: {}; fetch them again (scripts/fetch-lists.sh)",
                        stale.join(", ")
                    ),
                );
            }
        }
        Err(e) => push("lists", Health::Fail, e.to_string()),
    }
    let external = match anchor_file.map(crate::anchor::read_file).transpose() {
        Ok(c) => c.unwrap_or_default(),
        Err(e) => {
            push("audit anchor", Health::Fail, e.to_string());
            Vec::new()
        }
    };
    match crate::anchor::verify(&store, &external) {
        Ok(v) if v.intact() && v.checkpoints == 0 => push(
            "audit log",
            Health::Warn,
            format!(
                "{} records intact, but no signed checkpoint yet (nexus audit checkpoint)",
                v.records
            ),
        ),
        Ok(v) if v.intact() => push(
            "audit log",
            Health::Ok,
            format!(
                "{} records intact, {} signed checkpoints hold",
                v.records, v.checkpoints
            ),
        ),
        Ok(v) => push("audit log", Health::Fail, v.failure.unwrap_or_default()),
        Err(e) => push("audit log", Health::Fail, e.to_string()),
    }
    match store.path().map(free_space) {
        Some(Some(free)) if free < LOW_DISK_BYTES => push(
            "disk",
            Health::Warn,
            format!(
                "{:.1} GiB free beside the database",
                free as f64 / (1u64 << 30) as f64
            ),
        ),
        Some(Some(free)) => push(
            "disk",
            Health::Ok,
            format!(
                "{:.1} GiB free beside the database",
                free as f64 / (1u64 << 30) as f64
            ),
        ),
        Some(None) => push("disk", Health::Warn, "free space unknown".into()),
        None => push(
            "disk",
            Health::Ok,
            "PostgreSQL: watch the server's own disk".into(),
        ),
    }
    match crate::exchange::identity(&store) {
        Ok(id) => push(
            "exchange identity",
            Health::Ok,
            format!("key fingerprint {}", id.public().fingerprint()),
        ),
        Err(_) => push(
            "exchange identity",
            Health::Warn,
            "none yet: partner FIUs cannot be reached (nexus exchange init)".into(),
        ),
    }
    checks
}

/// Free bytes on the filesystem holding `path` (`df`, so that no platform
/// binding is needed for one number).
fn free_space(path: &Path) -> Option<u64> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let out = std::process::Command::new("df")
        .args(["-Pk"])
        .arg(dir)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kib: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Backs up a SQLite database into the file `target` (online: the service
/// may keep running), then checks the copy: it opens, its audit log verifies.
pub fn backup(store: &Store, target: &Path) -> Result<crate::anchor::Verification, FiuError> {
    if target.exists() {
        return Err(FiuError::Conflict(Phrase::verbatim(format!(
            "{} exists; back up into a new file",
            target.display()
        ))));
    }
    store.backup(target)?;
    let copy = Store::open(target)?;
    let v = crate::anchor::verify(&copy, &[])
        .map_err(|e| FiuError::Invalid(Phrase::verbatim(e.to_string())))?;
    if let Some(f) = &v.failure {
        return Err(FiuError::Invalid(Phrase::verbatim(format!(
            "the backup does not verify: {f}"
        ))));
    }
    Ok(v)
}

/// Restores a backup file into `target` (a SQLite path that must not exist,
/// or an empty PostgreSQL database), after checking that its audit log
/// verifies; the restored database is verified again.
pub fn restore(backup: &Path, target: &str) -> Result<crate::anchor::Verification, FiuError> {
    if !backup.is_file() {
        return Err(FiuError::NotFound(Phrase::verbatim(format!(
            "{}: no such backup",
            backup.display()
        ))));
    }
    let source = Store::open(backup)?;
    let v = crate::anchor::verify(&source, &[])
        .map_err(|e| FiuError::Invalid(Phrase::verbatim(e.to_string())))?;
    if let Some(f) = &v.failure {
        return Err(FiuError::Invalid(Phrase::verbatim(format!(
            "the backup does not verify: {f}"
        ))));
    }
    if !nexus_store::is_postgres(target) && Path::new(target).exists() {
        return Err(FiuError::Conflict(Phrase::verbatim(format!(
            "{target} exists; restore into a new database (move the old one aside first)"
        ))));
    }
    let to = Store::open_location(target)?;
    copy_database(&source, &to, |_, _| {})?;
    let restored = crate::anchor::verify(&to, &[])
        .map_err(|e| FiuError::Invalid(Phrase::verbatim(e.to_string())))?;
    match &restored.failure {
        None => Ok(restored),
        Some(f) => Err(FiuError::Invalid(Phrase::verbatim(format!(
            "the restored database does not verify: {f}"
        )))),
    }
}

/// Moves an FIU into a new, empty database; the audit log must verify on
/// the target as on the source.
pub fn migrate(
    from: &Store,
    to: &Store,
    progress: impl FnMut(&str, u64),
) -> Result<(CopyReport, crate::anchor::Verification), FiuError> {
    let before = crate::anchor::verify(from, &[])
        .map_err(|e| FiuError::Invalid(Phrase::verbatim(e.to_string())))?;
    if let Some(f) = &before.failure {
        return Err(FiuError::Invalid(Phrase::verbatim(format!(
            "the source's audit log does not verify ({f}); nothing was copied"
        ))));
    }
    let report = copy_database(from, to, progress)?;
    let after = crate::anchor::verify(to, &[])
        .map_err(|e| FiuError::Invalid(Phrase::verbatim(e.to_string())))?;
    match &after.failure {
        None if after.records == before.records => Ok((report, after)),
        None => Err(FiuError::Invalid(Phrase::verbatim(format!(
            "the target holds {} audit records, the source {}",
            after.records, before.records
        )))),
        Some(f) => Err(FiuError::Invalid(Phrase::verbatim(format!(
            "the target's audit log does not verify: {f}"
        )))),
    }
}
