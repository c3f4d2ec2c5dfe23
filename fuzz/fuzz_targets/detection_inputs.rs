#![no_main]
//! Detection settings files, model files and transaction CSV: errors with
//! a line, never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = nexus_graph::DetectConfig::parse(text);
        let _ = nexus_graph::gbdt::Model::parse(text);
    }
    let path = std::path::Path::new("fuzz.csv");
    if let Ok(mut r) = nexus_formats::interchange::TransactionReader::from_reader(path, data) {
        let mut b = nexus_graph::GraphBuilder::new();
        let mut line = 1;
        while let Ok(Some(t)) = r.next_transaction() {
            line += 1;
            b.push(line, &t);
        }
        let (g, _) = b.build(|_| 1.0);
        let _ = nexus_graph::detect(&g, &nexus_graph::DetectConfig::default(), &Default::default());
    }
});
