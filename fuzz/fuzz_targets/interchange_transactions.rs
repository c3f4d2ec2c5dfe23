#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nexus_formats::interchange::parse_transactions(std::path::Path::new("fuzz.csv"), data);
});
