//! The FIU's high-risk areas (the list a supervisor keeps, see
//! [`nexus_screen::areas`] for how places are matched) and the places of
//! reported subjects as the store keeps them: detection flags the accounts
//! of entities whose reported addresses lie in a listed area, and the rule
//! `high_risk_area` looks at what those accounts receive.

use crate::auth::{Principal, Role};
use crate::error::{say, Say};
use crate::FiuError;
pub use nexus_screen::areas::{HighRiskAreas, Place};
use nexus_store::{AuditRecord, Store};

/// The setting that holds the list, as the supervisor wrote it.
pub const SETTING: &str = "high_risk_areas";

/// A subject's places as the store keeps them (JSON; empty for none).
pub fn encode_places(places: &[Place]) -> String {
    if places.is_empty() {
        return String::new();
    }
    serde_json::to_string(places).unwrap_or_default()
}

/// The places [`encode_places`] wrote; nothing for anything else.
pub fn decode_places(stored: &str) -> Vec<Place> {
    if stored.is_empty() {
        return Vec::new();
    }
    serde_json::from_str(stored).unwrap_or_default()
}

/// The list in force, as the supervisor wrote it, and read. A stored list
/// that no longer reads (it was checked when set) counts as empty and is
/// logged: detection keeps running on everything else.
pub fn stored(store: &Store) -> nexus_store::Result<(String, HighRiskAreas)> {
    let text = store.read(|db| db.setting(SETTING))?.unwrap_or_default();
    let areas = HighRiskAreas::parse(&text).unwrap_or_else(|e| {
        tracing::warn!("the stored high-risk areas do not read ({e}); none are used");
        HighRiskAreas::default()
    });
    Ok((text, areas))
}

/// Replaces the list: a supervisor's decision (or the operator's, `who`
/// `None`, actor "cli"), audited with the number of areas before and
/// after. Returns how many areas the new list names.
pub fn set(store: &Store, who: Option<&Principal>, text: &str) -> Result<usize, FiuError> {
    if who.is_some_and(|p| p.role != Role::Supervisor) {
        return Err(FiuError::Forbidden(say(Say::SupervisorSetsAreas)));
    }
    let actor = who.map_or_else(|| "cli".to_string(), |p| p.actor.clone());
    let areas = HighRiskAreas::parse(text).map_err(|e| {
        FiuError::Invalid(
            say(Say::AreasLine)
                .with("line", e.line)
                .with("problem", e.message),
        )
    })?;
    let (before, _) = stored(store)?;
    let was = HighRiskAreas::parse(&before).map_or(0, |a| a.len());
    store.write(|db| {
        db.set_setting(SETTING, text)?;
        db.audit(&AuditRecord {
            actor,
            action: "areas.set".into(),
            object: "settings".into(),
            detail: format!("high-risk areas: {was} before, {} now", areas.len()),
            ..AuditRecord::default()
        })
    })?;
    Ok(areas.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_survive_the_store() {
        let reported = vec![Place {
            city: "قندوز".into(),
            state: "Kunduz".into(),
            country: "AF".into(),
            ..Place::default()
        }];
        let stored = encode_places(&reported);
        let back = decode_places(&stored);
        assert_eq!(back, reported);
        assert_eq!(back[0].label(), "قندوز, Kunduz, AF");
        assert!(decode_places("").is_empty());
        assert!(decode_places("not json").is_empty());
    }
}
