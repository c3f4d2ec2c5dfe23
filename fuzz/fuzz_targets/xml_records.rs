#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nexus_formats::xml::parse_document(std::path::Path::new("fuzz.xml"), data);
});
