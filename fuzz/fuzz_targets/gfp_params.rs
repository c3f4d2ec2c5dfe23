#![no_main]
//! snapml GFP parameters (JSON) and the preprocessor they configure: any
//! document either fails with an error or yields parameters that run on a
//! few edges without panicking.
use libfuzzer_sys::fuzz_target;
use nexus_graph::gfp::{GfpEdge, GfpParams, Preprocessor};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let Ok(text) = std::str::from_utf8(&data[..split]) else {
        return;
    };
    let Ok(params) = GfpParams::from_json(text, None) else {
        return;
    };
    let Ok(mut pre) = Preprocessor::new(params, 1) else {
        return;
    };
    let edges: Vec<GfpEdge> = data[split..]
        .chunks(4)
        .enumerate()
        .map(|(i, c)| GfpEdge {
            id: i as u64,
            src: u64::from(c[0] % 8),
            dst: u64::from(*c.get(1).unwrap_or(&0) % 8),
            time: i64::from(*c.get(2).unwrap_or(&0)) * 10,
            amount: f64::from(*c.get(3).unwrap_or(&1)),
        })
        .collect();
    for batch in edges.chunks(5) {
        let out = pre.transform(batch);
        assert_eq!(out.len(), batch.len() * pre.width());
    }
});
