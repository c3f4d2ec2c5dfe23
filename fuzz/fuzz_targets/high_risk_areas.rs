#![no_main]
//! A supervisor's list of high-risk areas and the places of reported
//! addresses: a list or an error with its line, a match or none; never a
//! panic.
use libfuzzer_sys::fuzz_target;
use nexus_screen::areas::{HighRiskAreas, Place};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first line is a place, the rest the list.
    let (city, list) = text.split_once('\n').unwrap_or((text, text));
    if let Ok(areas) = HighRiskAreas::parse(list) {
        let place = Place {
            city: city.to_string(),
            country: "AF".into(),
            ..Place::default()
        };
        let _ = areas.area_of(&place);
    }
});
