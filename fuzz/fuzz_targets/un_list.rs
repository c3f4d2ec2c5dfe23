#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nexus_formats::unlist::parse_un_list(std::path::Path::new("fuzz.xml"), data);
});
