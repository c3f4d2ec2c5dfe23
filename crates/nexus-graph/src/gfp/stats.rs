//! Vertex statistics of the source and destination of each batch edge.
//!
//! Per account and direction: fan (live counterparties), degree (live
//! edges), their ratio — over the graph window — and, per chosen raw column,
//! moments over the edges still inside `vertex_stats_tw` (population
//! moments; skewness `√n·m3/m2^1.5`, kurtosis `n·m4/m2²`, not excess), and
//! minimum, maximum and median over the graph window. As in snapml, the
//! moments are reported as 0 when the variance is below 10⁻⁵ of the squared
//! mean — which, for epoch timestamps, is always.

use super::window::FxMap;
use super::{Batch, VertexStat};

/// snapml's threshold under which the variance counts as rounding noise.
const RELATIVE_VARIANCE_FLOOR: f64 = 1e-5;

/// Statistics rows of the batch's accounts.
pub struct VertexTable {
    index: FxMap<u32, usize>,
    values: Vec<f64>,
    width: usize,
}

impl VertexTable {
    /// Outgoing then incoming statistics of account `a`.
    pub fn row(&self, a: u32) -> &[f64] {
        let i = self.index[&a];
        &self.values[i * self.width..(i + 1) * self.width]
    }
}

impl Batch<'_> {
    pub(super) fn vertex_statistics(&self, threads: usize) -> Option<VertexTable> {
        let vs = self.params.vertex_stats.as_ref()?;
        let w = self.window;
        let mut accounts = Vec::new();
        let mut index = FxMap::default();
        for seq in self.first_seq..w.next_seq() {
            let e = w.edge(seq);
            for a in [e.src, e.dst] {
                if let std::collections::hash_map::Entry::Vacant(slot) = index.entry(a) {
                    slot.insert(accounts.len());
                    accounts.push(a);
                }
            }
        }
        let width = self.layout.per_side * 2;
        let mut values = vec![0.0; accounts.len() * width];
        let chunk = accounts.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|scope| {
            for (rows, accts) in values.chunks_mut(chunk * width).zip(accounts.chunks(chunk)) {
                scope.spawn(move || {
                    let mut column = Vec::new();
                    for (row, &a) in rows.chunks_mut(width).zip(accts) {
                        let acct = &w.accounts[a as usize];
                        let half = width / 2;
                        self.side(&acct.out, vs, &mut row[..half], &mut column);
                        self.side(&acct.inc, vs, &mut row[half..], &mut column);
                    }
                });
            }
        });
        Some(VertexTable {
            index,
            values,
            width,
        })
    }

    fn side(&self, pairs: &[u32], vs: &super::VertexStats, row: &mut [f64], column: &mut Vec<f64>) {
        let w = self.window;
        let live = || pairs.iter().map(|&p| &w.pairs[p as usize]);
        let fan = pairs.len();
        let degree: usize = live().map(|p| p.len()).sum();
        let mut at = 0;
        for s in vs.stats.iter().filter(|s| s.is_structural()) {
            row[at] = match s {
                VertexStat::Fan => fan as f64,
                VertexStat::Degree => degree as f64,
                _ if degree == 0 => 0.0,
                _ => degree as f64 / fan as f64,
            };
            at += 1;
        }
        for &c in &vs.columns {
            // Moments over the statistics window, two passes (exact; see
            // docs/detection.md on snapml's running moments).
            column.clear();
            for p in live() {
                let seqs = p.seqs();
                let from = seqs.partition_point(|&s| s < w.stats_from_seq);
                column.extend(seqs[from..].iter().map(|&s| w.raw(w.edge(s), c)));
            }
            let m = Summary::of(column);
            // Order statistics over the graph window.
            let needs_order = vs.stats.iter().any(|s| {
                matches!(
                    s,
                    VertexStat::Minimum | VertexStat::Maximum | VertexStat::Median
                )
            });
            let all = &mut *column;
            all.clear();
            if needs_order {
                for p in live() {
                    for &seq in p.seqs() {
                        all.push(w.raw(w.edge(seq), c));
                    }
                }
                all.sort_by(f64::total_cmp);
            }
            for s in vs.stats.iter().filter(|s| !s.is_structural()) {
                row[at] = match s {
                    VertexStat::Average => m.mean,
                    VertexStat::Sum => m.sum,
                    VertexStat::Variance => m.variance(),
                    VertexStat::Skewness => m.skewness(),
                    VertexStat::Kurtosis => m.kurtosis(),
                    VertexStat::Minimum => all.first().copied().unwrap_or(0.0),
                    VertexStat::Maximum => all.last().copied().unwrap_or(0.0),
                    VertexStat::Median => median(all),
                    _ => unreachable!("structural statistics come first"),
                };
                at += 1;
            }
        }
    }
}
/// Sum, mean and central moment sums of a sample.
struct Summary {
    n: f64,
    sum: f64,
    mean: f64,
    m2: f64,
    m3: f64,
    m4: f64,
}

impl Summary {
    fn of(xs: &[f64]) -> Summary {
        let n = xs.len() as f64;
        let sum: f64 = xs.iter().sum();
        let mean = if xs.is_empty() { 0.0 } else { sum / n };
        let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
        for &x in xs {
            let d = x - mean;
            let d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
        }
        Summary {
            n,
            sum,
            mean,
            m2,
            m3,
            m4,
        }
    }

    /// snapml zeroes variance, skewness and kurtosis below the noise floor.
    fn negligible(&self) -> bool {
        self.n == 0.0
            || (self.m2 / (self.n * self.mean * self.mean)).abs() < RELATIVE_VARIANCE_FLOOR
    }
    fn variance(&self) -> f64 {
        if self.negligible() {
            0.0
        } else {
            self.m2 / self.n
        }
    }
    fn skewness(&self) -> f64 {
        if self.negligible() {
            0.0
        } else {
            finite(self.n.sqrt() * self.m3 / self.m2.powf(1.5))
        }
    }
    fn kurtosis(&self) -> f64 {
        if self.negligible() {
            0.0
        } else {
            finite(self.n * self.m4 / (self.m2 * self.m2))
        }
    }
}

/// snapml's `removeInf`: ±∞ to the extreme finite values, NaN to 0.
fn finite(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else if x == f64::INFINITY {
        f64::MAX
    } else if x == f64::NEG_INFINITY {
        -f64::MIN_POSITIVE
    } else {
        x
    }
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}
