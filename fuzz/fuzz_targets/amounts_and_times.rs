#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = nexus_model::Minor::parse(s);
        let _ = nexus_model::Timestamp::parse_rfc3339(s);
        let _ = nexus_model::Date::parse(s);
    }
});
