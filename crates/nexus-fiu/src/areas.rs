//! The FIU's high-risk areas (the list a supervisor keeps, see
//! [`nexus_screen::areas`] for how places are matched) and the places of
//! reported subjects as the store keeps them: detection flags the accounts
//! of entities whose reported addresses lie in a listed area, and the rule
//! `high_risk_area` looks at what those accounts receive.

use crate::detection_lists::{self, DetectionList};
pub use nexus_screen::areas::{HighRiskAreas, Place};
use nexus_store::Store;

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
/// logged: detection keeps running on everything else. It is set with
/// [`crate::detection_lists::set`].
pub fn stored(store: &Store) -> nexus_store::Result<(String, HighRiskAreas)> {
    let text = detection_lists::text(store, DetectionList::HighRiskAreas)?;
    let areas = HighRiskAreas::parse(&text).unwrap_or_else(|e| {
        tracing::warn!("the stored high-risk areas do not read ({e}); none are used");
        HighRiskAreas::default()
    });
    Ok((text, areas))
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
