//! Per-transaction graph features: what the neighbourhood of a transaction
//! in time looks like, as numbers a model can learn from.
//!
//! The families follow IBM's Graph Feature Preprocessor (fan and degree in
//! and out, scatter-gather, cycles, vertex statistics) with definitions of
//! our own, computed over a window on both sides of the transaction (a
//! finished dataset is screened after the fact; `detect --follow` uses the
//! past only).

use crate::graph::{is_transfer, TemporalGraph};
use std::collections::HashSet;

/// Feature settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureConfig {
    /// Half-width of the window around each transaction (seconds).
    pub window: i64,
    /// Longest cycle searched through a transaction.
    pub cycle_len: usize,
    /// Work budget per transaction for cycle and scatter-gather search.
    pub budget: usize,
    /// At most this many of an account's transactions, the nearest in time,
    /// make up a window: a merchant's thousands of card payments a week
    /// saturate the features long before, and the cost stays linear.
    pub max_window_edges: usize,
}

impl Default for FeatureConfig {
    fn default() -> FeatureConfig {
        FeatureConfig {
            window: 7 * 86_400,
            cycle_len: 6,
            budget: 1_000,
            max_window_edges: 256,
        }
    }
}

/// Names of the features, in column order.
pub const FEATURE_NAMES: &[&str] = &[
    "amount_usd_log",
    "amount_round",
    "src_out_degree",
    "src_out_fan",
    "src_in_degree",
    "src_in_fan",
    "dst_in_degree",
    "dst_in_fan",
    "dst_out_degree",
    "dst_out_fan",
    "src_out_amount_mean_ratio",
    "src_out_amount_cv",
    "dst_in_amount_mean_ratio",
    "dst_in_amount_cv",
    "src_out_similar_amounts",
    "dst_in_similar_amounts",
    "dst_forwarded_count",
    "dst_forwarded_ratio",
    "src_funded_count",
    "src_funded_ratio",
    "pair_multiplicity",
    "scatter_gather_paths",
    "cycles_through",
    "src_history",
    "dst_history",
    "src_lifetime_fan",
    "dst_lifetime_fan",
];

/// Number of features per transaction.
pub const FEATURE_COUNT: usize = 27;

/// Features of every edge, row-major (`edge * FEATURE_COUNT + feature`),
/// computed on `threads` threads.
pub fn compute(g: &TemporalGraph, config: &FeatureConfig, threads: usize) -> Vec<f32> {
    compute_with_progress(g, config, threads, &|_, _| {})
}

/// [`compute`], a million edges at a time, calling `progress(done, total)`
/// after each.
pub fn compute_with_progress(
    g: &TemporalGraph,
    config: &FeatureConfig,
    threads: usize,
    progress: &dyn Fn(u64, u64),
) -> Vec<f32> {
    const CHUNK: u32 = 1 << 20;
    let computer = FeatureComputer::new(g, *config);
    let n = g.edge_count() as u32;
    let mut out = Vec::with_capacity(n as usize * FEATURE_COUNT);
    let mut from = 0u32;
    while from < n {
        let to = n.min(from + CHUNK);
        let edges: Vec<u32> = (from..to).collect();
        out.extend(computer.rows(&edges, threads));
        from = to;
        progress(to as u64, n as u64);
    }
    out
}

/// Computes features for any subset of edges, so that a large graph can be
/// scored in chunks instead of holding every row at once.
pub struct FeatureComputer<'g> {
    g: &'g TemporalGraph,
    config: FeatureConfig,
    lifetime_fan_out: Vec<u32>,
    lifetime_fan_in: Vec<u32>,
}

impl<'g> FeatureComputer<'g> {
    pub fn new(g: &'g TemporalGraph, config: FeatureConfig) -> FeatureComputer<'g> {
        FeatureComputer {
            lifetime_fan_out: (0..g.account_count() as u32)
                .map(|v| distinct(g.out_edges(v).iter().map(|&e| g.dst[e as usize])) as u32)
                .collect(),
            lifetime_fan_in: (0..g.account_count() as u32)
                .map(|v| distinct(g.in_edges(v).iter().map(|&e| g.src[e as usize])) as u32)
                .collect(),
            g,
            config,
        }
    }

    /// Row-major features of `edges`, in their order, on `threads` threads.
    pub fn rows(&self, edges: &[u32], threads: usize) -> Vec<f32> {
        let mut out = vec![0f32; edges.len() * FEATURE_COUNT];
        let threads = threads.clamp(1, 256);
        let chunk = edges.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            for (rows, part) in out
                .chunks_mut(chunk * FEATURE_COUNT)
                .zip(edges.chunks(chunk))
            {
                scope.spawn(move || {
                    let mut scratch = Scratch::default();
                    for (row, &e) in rows.chunks_mut(FEATURE_COUNT).zip(part) {
                        edge_features(
                            self.g,
                            &self.config,
                            e,
                            &self.lifetime_fan_out,
                            &self.lifetime_fan_in,
                            &mut scratch,
                            row,
                        );
                    }
                });
            }
        });
        out
    }
}

#[derive(Default)]
struct Scratch {
    set: HashSet<u32>,
    targets: HashSet<u32>,
    path: Vec<u32>,
}

/// The at most `cap` edges of a time-ordered window nearest to `t`.
fn nearest<'a>(g: &TemporalGraph, window: &'a [u32], t: i64, cap: usize) -> &'a [u32] {
    if window.len() <= cap {
        return window;
    }
    let at = window.partition_point(|&e| g.time[e as usize] < t);
    let start = at.saturating_sub(cap / 2).min(window.len() - cap);
    &window[start..start + cap]
}

fn distinct(it: impl Iterator<Item = u32>) -> usize {
    let mut v: Vec<u32> = it.collect();
    v.sort_unstable();
    v.dedup();
    v.len()
}

fn stats(g: &TemporalGraph, edges: &[u32]) -> (f64, f64) {
    if edges.is_empty() {
        return (0.0, 0.0);
    }
    let n = edges.len() as f64;
    let mean = edges.iter().map(|&e| g.usd[e as usize]).sum::<f64>() / n;
    let var = edges
        .iter()
        .map(|&e| (g.usd[e as usize] - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

fn edge_features(
    g: &TemporalGraph,
    c: &FeatureConfig,
    e: u32,
    lifetime_fan_out: &[u32],
    lifetime_fan_in: &[u32],
    s: &mut Scratch,
    row: &mut [f32],
) {
    let i = e as usize;
    let (u, v, t, a) = (g.src[i], g.dst[i], g.time[i], g.usd[i]);
    let (from, to) = (t - c.window, t + c.window);
    let cap = c.max_window_edges;
    let u_out = nearest(g, g.out_within(u, from, to), t, cap);
    let u_in = nearest(g, g.in_within(u, from, to), t, cap);
    let v_in = nearest(g, g.in_within(v, from, to), t, cap);
    let v_out = nearest(g, g.out_within(v, from, to), t, cap);
    let fan = |list: &[u32], other: &[u32]| distinct(list.iter().map(|&x| other[x as usize]));
    let (u_mean, u_sd) = stats(g, u_out);
    let (v_mean, v_sd) = stats(g, v_in);
    let similar = |list: &[u32]| {
        list.iter()
            .filter(|&&x| x != e && (g.usd[x as usize] - a).abs() <= 0.05 * a)
            .count()
    };
    // Money the receiver sent on afterwards, and money the sender got before.
    let forwarded: Vec<u32> = v_out
        .iter()
        .copied()
        .filter(|&x| g.time[x as usize] >= t && x != e)
        .collect();
    let funded: Vec<u32> = u_in
        .iter()
        .copied()
        .filter(|&x| g.time[x as usize] <= t && x != e)
        .collect();
    let sum = |l: &[u32]| l.iter().map(|&x| g.usd[x as usize]).sum::<f64>();
    let multiplicity = u_out.iter().filter(|&&x| g.dst[x as usize] == v).count();
    let history = |list: &[u32]| list.partition_point(|&x| g.time[x as usize] < t);

    row[0] = (1.0 + a).ln() as f32;
    row[1] = ((a.round() - a).abs() < 1e-6 && (a as i64) % 100 == 0) as u8 as f32;
    row[2] = u_out.len() as f32;
    row[3] = fan(u_out, &g.dst) as f32;
    row[4] = u_in.len() as f32;
    row[5] = fan(u_in, &g.src) as f32;
    row[6] = v_in.len() as f32;
    row[7] = fan(v_in, &g.src) as f32;
    row[8] = v_out.len() as f32;
    row[9] = fan(v_out, &g.dst) as f32;
    let ratio = |x: f64, of: f64| if of > 0.0 { (x / of) as f32 } else { 0.0 };
    row[10] = ratio(a, u_mean);
    row[11] = ratio(u_sd, u_mean);
    row[12] = ratio(a, v_mean);
    row[13] = ratio(v_sd, v_mean);
    row[14] = similar(u_out) as f32;
    row[15] = similar(v_in) as f32;
    row[16] = forwarded.len() as f32;
    row[17] = (sum(&forwarded) / a) as f32;
    row[18] = funded.len() as f32;
    row[19] = (sum(&funded) / a) as f32;
    row[20] = multiplicity as f32;
    let transfer = is_transfer(g.channel[i]);
    row[21] = if transfer {
        scatter_gather_paths(g, c, e, u_out, s) as f32
    } else {
        0.0
    };
    row[22] = if transfer {
        cycles_through(g, c, e, s) as f32
    } else {
        0.0
    };
    row[23] = (history(g.out_edges(u)) + history(g.in_edges(u))) as f32;
    row[24] = (history(g.out_edges(v)) + history(g.in_edges(v))) as f32;
    row[25] = lifetime_fan_out[u as usize] as f32;
    row[26] = lifetime_fan_in[v as usize] as f32;
}

/// Other intermediaries m (u → m) whose money reaches an account that the
/// receiver v also pays, within the window: scatter-gather around `e`.
fn scatter_gather_paths(
    g: &TemporalGraph,
    c: &FeatureConfig,
    e: u32,
    u_out: &[u32],
    s: &mut Scratch,
) -> usize {
    let i = e as usize;
    let (u, v, t) = (g.src[i], g.dst[i], g.time[i]);
    s.targets.clear();
    let later = g.out_within(v, t, t + c.window);
    for &x in &later[..later.len().min(c.max_window_edges)] {
        let w = g.dst[x as usize];
        if w != u && w != v && is_transfer(g.channel[x as usize]) {
            s.targets.insert(w);
        }
    }
    if s.targets.is_empty() {
        return 0;
    }
    s.set.clear();
    let mut budget = c.budget;
    for &x in u_out {
        let m = g.dst[x as usize];
        if m == v || m == u || s.set.contains(&m) {
            continue;
        }
        if !is_transfer(g.channel[x as usize]) {
            continue;
        }
        let tm = g.time[x as usize];
        for &y in g.out_within(m, tm, tm + c.window) {
            if budget == 0 {
                return s.set.len();
            }
            budget -= 1;
            if s.targets.contains(&g.dst[y as usize]) {
                s.set.insert(m);
                break;
            }
        }
    }
    s.set.len()
}

/// Simple cycles through `e` of at most `cycle_len` edges inside the
/// window, following edges in either time direction (a laundering cycle
/// is often not strictly increasing in time when steps share a day).
fn cycles_through(g: &TemporalGraph, c: &FeatureConfig, e: u32, s: &mut Scratch) -> usize {
    let i = e as usize;
    let (u, v, t) = (g.src[i], g.dst[i], g.time[i]);
    if u == v {
        return 0;
    }
    let (from, to) = (t - c.window, t + c.window);
    s.path.clear();
    s.path.push(u);
    s.path.push(v);
    let mut budget = c.budget;
    let mut found = 0;
    dfs(g, c, v, u, from, to, s, &mut budget, &mut found);
    found
}

#[allow(clippy::too_many_arguments)]
fn dfs(
    g: &TemporalGraph,
    c: &FeatureConfig,
    at: u32,
    target: u32,
    from: i64,
    to: i64,
    s: &mut Scratch,
    budget: &mut usize,
    found: &mut usize,
) {
    for &x in g.out_within(at, from, to) {
        if *budget == 0 || *found >= 64 {
            return;
        }
        *budget -= 1;
        if !is_transfer(g.channel[x as usize]) {
            continue;
        }
        let w = g.dst[x as usize];
        if w == target {
            *found += 1;
            continue;
        }
        if s.path.len() >= c.cycle_len || s.path.contains(&w) {
            continue;
        }
        s.path.push(w);
        dfs(g, c, w, target, from, to, s, budget, found);
        s.path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::graph;

    #[test]
    fn names_match_count() {
        assert_eq!(FEATURE_NAMES.len(), FEATURE_COUNT);
    }

    #[test]
    fn fan_cycle_and_scatter_gather() {
        let g = graph(&[
            ("s", "m1", 100, 1000),
            ("s", "m2", 110, 1000),
            ("s", "m3", 120, 1000),
            ("m1", "t", 200, 990),
            ("m2", "t", 210, 990),
            ("m3", "t", 220, 990),
            ("t", "s", 300, 2900),
        ]);
        let f = compute(&g, &FeatureConfig::default(), 2);
        let row = |e: usize| &f[e * FEATURE_COUNT..(e + 1) * FEATURE_COUNT];
        let col = |name: &str| FEATURE_NAMES.iter().position(|n| *n == name).unwrap();
        // Edge 0: s → m1.
        assert_eq!(row(0)[col("src_out_fan")], 3.0);
        assert_eq!(row(0)[col("scatter_gather_paths")], 2.0);
        assert_eq!(row(0)[col("cycles_through")], 1.0);
        assert_eq!(row(0)[col("src_out_similar_amounts")], 2.0);
        assert_eq!(row(6)[col("dst_out_fan")], 3.0);
        // Threads do not change the result, nor computing a subset.
        assert_eq!(f, compute(&g, &FeatureConfig::default(), 1));
        let some = FeatureComputer::new(&g, FeatureConfig::default()).rows(&[6, 0], 2);
        assert_eq!(&some[..FEATURE_COUNT], row(6));
        assert_eq!(&some[FEATURE_COUNT..], row(0));
    }
}
