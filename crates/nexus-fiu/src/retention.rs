//! The retention purge: reports older than the period an administrator set
//! are deleted with what hangs on them, unless a case holds one of their
//! subjects. The period must lie within the limits; a stored value outside
//! them (by other means than the service) purges nothing.

use crate::limits::Limits;
use nexus_store::{AuditRecord, Store, StoreError};

/// The retention period (days) stored by the administrator, when it is a
/// number within `limits`; anything else is an error and purges nothing.
pub fn retention_days(stored: Option<&str>, limits: &Limits) -> Result<i64, StoreError> {
    let text = stored.unwrap_or("1825");
    match text.trim().parse::<i64>() {
        Ok(d) if (limits.min_retention_days..=limits.max_retention_days).contains(&d) => Ok(d),
        _ => Err(StoreError::Invalid(format!(
            "the stored retention period {text:?} is not a number of days from {} to {}; nothing was purged",
            limits.min_retention_days, limits.max_retention_days
        ))),
    }
}

/// Deletes reports older than the retention period (not in any case).
pub fn purge_expired(store: &Store, actor: &str, limits: &Limits) -> Result<usize, StoreError> {
    store.write(|db| {
        let days = retention_days(db.setting("retention_days")?.as_deref(), limits)?;
        // Within the bounds above this cannot overflow; checked all the same.
        let before = days
            .checked_mul(86_400)
            .and_then(|secs| nexus_store::now().checked_sub(secs))
            .ok_or_else(|| StoreError::Invalid(format!("retention of {days} days overflows")))?;
        let ids = db.purge_reports_before(before)?;
        if !ids.is_empty() {
            db.audit(&AuditRecord {
                actor: actor.into(),
                action: "retention.purge".into(),
                object: "reports".into(),
                detail: format!(
                    "{} reports older than {days} days deleted: {:?}",
                    ids.len(),
                    ids
                ),
                ..AuditRecord::default()
            })?;
        }
        Ok(ids.len())
    })
}
