#![no_main]
use libfuzzer_sys::fuzz_target;

// The intake path of the FIU service: any upload must give a report or a list
// of problems, never a panic.
fuzz_target!(|data: &[u8]| {
    let _ = nexus_formats::goaml_intake::read_goaml_report("fuzz.xml", data);
});
