#![no_main]
//! The screening queries CSV reader on arbitrary bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nexus_screen::parse_queries(std::path::Path::new("fuzz.csv"), data);
});
