//! Sanctions and watch lists in the service: loading (or replacing) a list
//! and re-screening every known entity against it.

use crate::auth::sha256_hex;
use crate::error::FiuError;
use crate::error::Phrase;
use crate::processing::{entity_query, raise_screening_alerts, Screening};
use nexus_formats::lists::{parse_list, SkippedListEntry};
use nexus_store::{AuditRecord, Store, StoreError};
use std::path::Path;

/// What loading a list did.
#[derive(Debug, Clone)]
pub struct ListLoaded {
    pub entries: usize,
    /// Entries that could not be used, with their line and reason.
    pub skipped: Vec<SkippedListEntry>,
    /// Alerts the re-screening raised.
    pub raised: usize,
}

/// Stores the list file `bytes` under `name` (replacing a list of that
/// name) and re-screens every entity against the lists as they now are.
/// `source` names the file in errors.
pub fn load_list(
    store: &Store,
    actor: &str,
    name: &str,
    source: &Path,
    bytes: &[u8],
) -> Result<ListLoaded, FiuError> {
    let parsed = parse_list(source, bytes)
        .map_err(|e| FiuError::Invalid(Phrase::verbatim(e.to_string())))?;
    if parsed.entries.is_empty() {
        return Err(FiuError::Invalid(Phrase::verbatim(format!(
            "{}: the list has no entries",
            source.display()
        ))));
    }
    let entries = parsed.entries.len();
    store.write(|d| {
        d.upsert_list(
            name,
            parsed.format.as_str(),
            &parsed.generated,
            entries as i64,
            &sha256_hex(bytes),
            bytes,
        )?;
        d.audit(&AuditRecord {
            actor: actor.into(),
            action: "list.load".into(),
            object: format!("list:{name}"),
            detail: format!("{entries} entries, generated {}", parsed.generated),
            ..AuditRecord::default()
        })?;
        Ok(())
    })?;
    let screening = Screening::from_store(store)?;
    let raised = rescreen_all(store, &screening)?;
    Ok(ListLoaded {
        entries,
        skipped: parsed.skipped,
        raised,
    })
}

/// Screens every entity's reported names against `screening`; returns the
/// alerts raised (matches cleared for the same entry version stay cleared).
pub fn rescreen_all(store: &Store, screening: &Screening) -> Result<usize, StoreError> {
    let mut after = 0;
    let mut raised = 0;
    loop {
        let page = store.read(|d| d.entities_after(after, 1000))?;
        let Some(last) = page.last() else { break };
        after = last.id;
        raised += store.write(|d| {
            let mut n = 0;
            for e in &page {
                let mut names: Vec<String> = d
                    .entity_subjects(e.id)?
                    .into_iter()
                    .map(|s| s.name)
                    .collect();
                names.sort();
                names.dedup();
                for name in names {
                    let matches = screening.screen(&entity_query(e, &name));
                    n += raise_screening_alerts(d, screening, e.id, &name, &matches)?;
                }
            }
            Ok(n)
        })?;
    }
    Ok(raised)
}
