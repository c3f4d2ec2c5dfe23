//! What the service benchmarks share: the service started in process on a
//! free port, and latency percentiles.

#![allow(dead_code)]

use std::time::Duration;

/// p50, p99 and the maximum of latencies, in milliseconds.
pub fn percentiles(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)].as_secs_f64() * 1e3;
    (at(0.5), at(0.99), at(1.0))
}

/// Serves `state` on a free loopback port from a thread of its own; the
/// address once it listens.
pub fn serve(state: nexus_server::AppState) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(nexus_server::serve(
            state,
            "127.0.0.1:0".parse().unwrap(),
            move |addr| tx.send(addr).unwrap(),
        ))
        .unwrap();
    });
    rx.recv().unwrap().to_string()
}
