#![no_main]
//! Every list reader on arbitrary bytes: errors, never panics.
use libfuzzer_sys::fuzz_target;
use nexus_formats::lists::{parse_eu_list, parse_ftm_lines, parse_ofac_sdn, parse_plain_csv, BirthDate};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let p = Path::new("fuzz");
    let _ = parse_eu_list(p, data);
    let _ = parse_ftm_lines(p, data);
    let _ = parse_plain_csv(p, data);
    let _ = parse_ofac_sdn(p, data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = BirthDate::parse_loose(s);
        let _ = nexus_model::countries_in(s);
    }
});
