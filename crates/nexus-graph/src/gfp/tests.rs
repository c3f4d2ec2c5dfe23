//! Small cases whose snapml output was established by experiment (see
//! docs/detection.md); the full equality check against snapml itself is
//! `bench/gfp_compare.py` and the golden file test in crates/nexus/tests.
use super::*;

fn bins(window: i64) -> Histogram {
    Histogram {
        window,
        bins: (2..=30).collect(),
    }
}

fn run(
    params: GfpParams,
    batch: usize,
    edges: &[(u64, u64, i64, f64)],
) -> (Vec<String>, Vec<Vec<f64>>) {
    let names = params.column_names();
    let mut p = Preprocessor::new(params, 1).unwrap();
    let all: Vec<GfpEdge> = edges
        .iter()
        .enumerate()
        .map(|(i, &(src, dst, time, amount))| GfpEdge {
            id: i as u64,
            src,
            dst,
            time,
            amount,
        })
        .collect();
    let mut rows = Vec::new();
    for chunk in all.chunks(batch) {
        let out = p.transform(chunk);
        rows.extend(out.chunks(p.width()).map(<[f64]>::to_vec));
    }
    (names, rows)
}

fn col(names: &[String], name: &str) -> usize {
    names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn fan_out_credits_every_edge_of_the_pattern_as_it_grows() {
    let params = GfpParams {
        fan: Some(bins(1000)),
        degree: Some(bins(1000)),
        ..GfpParams::default()
    };
    let edges = [
        (0, 1, 10, 100.0),
        (0, 2, 20, 200.0),
        (0, 3, 30, 300.0),
        (0, 1, 40, 400.0),
    ];
    let (names, rows) = run(params, 2048, &edges);
    let first = &rows[0];
    assert_eq!(first[col(&names, "fan_out_2")], 1.0);
    assert_eq!(first[col(&names, "fan_out_3")], 2.0);
    assert_eq!(first[col(&names, "degree_out_2")], 1.0);
    assert_eq!(first[col(&names, "degree_out_3")], 1.0);
    assert_eq!(first[col(&names, "degree_out_4")], 1.0);
}

#[test]
fn fan_window_is_open_at_its_start_and_batches_matter() {
    let params = |tw| GfpParams {
        fan: Some(bins(tw)),
        ..GfpParams::default()
    };
    let edges = [(0, 1, 0, 1.0), (0, 2, 100, 1.0)];
    let (names, rows) = run(params(100), 2048, &edges);
    assert_eq!(rows[1][col(&names, "fan_out_2")], 0.0);
    let (_, rows) = run(params(101), 2048, &edges);
    assert_eq!(
        (
            rows[0][col(&names, "fan_out_2")],
            rows[1][col(&names, "fan_out_2")]
        ),
        (1.0, 1.0)
    );
    let (_, rows) = run(params(101), 1, &edges);
    assert_eq!(
        (
            rows[0][col(&names, "fan_out_2")],
            rows[1][col(&names, "fan_out_2")]
        ),
        (0.0, 1.0)
    );
}

/// Temporal and length-constrained cycles, 1,000-second windows.
fn cycles_only() -> GfpParams {
    GfpParams {
        temporal_cycle: Some(bins(1000)),
        lc_cycle: Some(Histogram {
            window: 1000,
            bins: (2..=10).collect(),
        }),
        lc_cycle_len: 10,
        ..GfpParams::default()
    }
}

#[test]
fn cycles_count_once_per_account_cycle() {
    let params = cycles_only();
    // 0→1 twice, then 1→0: one 2-cycle, all three edges +1.
    let (names, rows) = run(
        params.clone(),
        2048,
        &[(0, 1, 10, 1.0), (0, 1, 40, 1.0), (1, 0, 50, 1.0)],
    );
    for r in &rows {
        assert_eq!(r[col(&names, "temp_cycle_2")], 1.0);
        assert_eq!(r[col(&names, "lc_cycle_2")], 1.0);
    }
    // 0→2→4→0 and 0→3→4→0 share 4→0.
    let edges = [
        (0, 2, 1, 1.0),
        (0, 3, 2, 1.0),
        (2, 4, 3, 1.0),
        (3, 4, 4, 1.0),
        (4, 0, 5, 1.0),
    ];
    let (names, rows) = run(params, 2048, &edges);
    let c = col(&names, "temp_cycle_3");
    assert_eq!(
        rows.iter().map(|r| r[c]).collect::<Vec<_>>(),
        [1.0, 1.0, 1.0, 1.0, 2.0]
    );
}

#[test]
fn temporal_cycles_need_increasing_times_but_lc_cycles_do_not() {
    let params = cycles_only();
    // 1→2 @10, 0→1 @20, 2→0 @30: a cycle 0→1→2→0 but times not increasing along it.
    let (names, rows) = run(
        params,
        2048,
        &[(1, 2, 10, 1.0), (0, 1, 20, 1.0), (2, 0, 30, 1.0)],
    );
    assert!(rows.iter().all(|r| r[col(&names, "temp_cycle_3")] == 0.0));
    assert!(rows.iter().all(|r| r[col(&names, "lc_cycle_3")] == 1.0));
}

#[test]
fn vertex_statistics_are_population_moments() {
    let params = GfpParams {
        vertex_stats: Some(VertexStats {
            window: 1000,
            columns: vec![4],
            stats: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
                .into_iter()
                .map(|c| VertexStat::from_code(c).unwrap())
                .collect(),
        }),
        fan: Some(bins(1000)),
        ..GfpParams::default()
    };
    let amounts = [100.0, 200.0, 300.0, 400.0, 500.0, 50.0];
    let edges: Vec<_> = amounts
        .iter()
        .enumerate()
        .map(|(i, &a)| (0, 1 + i as u64 % 5, i as i64, a))
        .collect();
    let (names, rows) = run(params, 2048, &edges);
    let r = &rows[0];
    let got: Vec<f64> = [
        "avg", "sum", "min", "max", "median", "var", "skew", "kurtosis",
    ]
    .iter()
    .map(|s| r[col(&names, &format!("src_out_amount_{s}"))])
    .collect();
    let want = [
        258.333333,
        1550.0,
        50.0,
        500.0,
        250.0,
        25347.222222,
        0.157746,
        1.644808,
    ];
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-5 * w.abs().max(1.0), "{got:?}");
    }
    assert_eq!(r[col(&names, "src_out_fan")], 5.0);
    assert_eq!(r[col(&names, "src_out_degree")], 6.0);
}

#[test]
fn parameters_are_checked() {
    let bad = GfpParams {
        fan: Some(Histogram {
            window: 0,
            bins: vec![2],
        }),
        ..GfpParams::default()
    };
    assert_eq!(
        Preprocessor::new(bad, 1).err(),
        Some(ParamsError::Window("fan"))
    );
    let bad = GfpParams {
        fan: Some(Histogram {
            window: 5,
            bins: vec![3, 2],
        }),
        ..GfpParams::default()
    };
    assert_eq!(
        Preprocessor::new(bad, 1).err(),
        Some(ParamsError::Bins("fan"))
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn paper() -> GfpParams {
        GfpParams {
            time_window: None,
            fan: Some(bins(400)),
            degree: Some(bins(300)),
            scatter_gather: Some(bins(200)),
            temporal_cycle: Some(bins(400)),
            lc_cycle: Some(Histogram {
                window: 400,
                bins: (2..=10).collect(),
            }),
            lc_cycle_len: 10,
            vertex_stats: Some(VertexStats {
                window: 400,
                columns: vec![3, 4],
                stats: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
                    .into_iter()
                    .map(|c| VertexStat::from_code(c).unwrap())
                    .collect(),
            }),
        }
    }

    fn edges() -> impl Strategy<Value = Vec<GfpEdge>> {
        prop::collection::vec((0u64..12, 0u64..12, 0i64..40, 1u32..1000), 1..160).prop_map(|raw| {
            let mut time = 0;
            raw.into_iter()
                .enumerate()
                .map(|(i, (src, dst, step, amount))| {
                    time += step;
                    GfpEdge {
                        id: i as u64,
                        src,
                        dst,
                        time,
                        amount: f64::from(amount),
                    }
                })
                .collect()
        })
    }

    fn features(edges: &[GfpEdge], batch: usize, threads: usize, scan_fans: bool) -> Vec<f64> {
        let mut p = Preprocessor::new(paper(), threads).unwrap();
        let mut out = Vec::new();
        for chunk in edges.chunks(batch) {
            if scan_fans {
                p.window.time_ordered = false;
            }
            out.extend(p.transform(chunk));
        }
        out
    }

    proptest! {
        /// Sliding fan/degree windows per account give what scanning every
        /// counterparty per edge gives (snapml's definition), and threads
        /// change nothing.
        #[test]
        fn fast_paths_and_threads_agree(edges in edges(), batch in 1usize..40) {
            let reference = features(&edges, batch, 1, true);
            prop_assert_eq!(&features(&edges, batch, 1, false), &reference);
            prop_assert_eq!(&features(&edges, batch, 3, false), &reference);
        }

        /// Rows are complete and finite whatever the input.
        #[test]
        fn rows_are_finite(edges in edges(), batch in 1usize..40) {
            let f = features(&edges, batch, 2, false);
            prop_assert_eq!(f.len(), edges.len() * paper().column_names().len());
            prop_assert!(f.iter().all(|v| v.is_finite()));
        }
    }
}
