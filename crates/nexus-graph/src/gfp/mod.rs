//! Graph features column for column equal to IBM's Graph Feature
//! Preprocessor (PyPI `snapml`, `GraphFeaturePreprocessor.transform`), so
//! that a model trained on one can be fed by the other.
//!
//! Transactions arrive in batches, as with snapml's streaming `transform`:
//! each batch is sorted by time and inserted into a sliding-window graph
//! ([`window`]); then every pattern that an edge of the batch completes is
//! counted, and each edge *of the batch* taking part in it gets +1 in the
//! histogram bin of the pattern's size; finally old edges expire. So the
//! features of an edge depend on the batch size, exactly as snapml's do,
//! and an equivalent run must use the same batches (snapml's peer script
//! uses 2048).
//!
//! Patterns ([`patterns`], [`cycles`]): fan-in/out and degree-in/out within
//! `(t − tw, t]`; scatter-gather (a source, ≥ 2 intermediaries, one target,
//! within `[t − tw, t]`); temporal cycles (strictly increasing times within
//! `[t − tw, t]`, closed by the batch edge); length-constrained simple cycles
//! (any order, at most `len` accounts). Vertex statistics ([`stats`]) describe
//! source and destination: fan, degree, their ratio and moments of chosen raw
//! columns. docs/detection.md lists every rule with the experiment behind it.

mod cycles;
mod params_json;
mod patterns;
mod stats;
pub mod window;

pub use params_json::JsonError;

use std::sync::atomic::{AtomicUsize, Ordering};
use window::{FxMap, Window};

/// Histogram bins: bin `i` holds sizes in `[bins[i], bins[i+1])`, the last
/// bin everything from its value up.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    pub window: i64,
    pub bins: Vec<u32>,
}

impl Histogram {
    fn bin(&self, size: usize) -> Option<usize> {
        let size = size as u64;
        let i = self.bins.partition_point(|&b| u64::from(b) <= size);
        i.checked_sub(1)
    }
}

/// A vertex statistic (snapml's `vertex_stats_feats` numbering).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VertexStat {
    Fan = 0,
    Degree = 1,
    Ratio = 2,
    Average = 3,
    Sum = 4,
    Minimum = 5,
    Maximum = 6,
    Median = 7,
    Variance = 8,
    Skewness = 9,
    Kurtosis = 10,
}

impl VertexStat {
    pub fn from_code(code: i64) -> Option<VertexStat> {
        use VertexStat::*;
        [
            Fan, Degree, Ratio, Average, Sum, Minimum, Maximum, Median, Variance, Skewness,
            Kurtosis,
        ]
        .get(usize::try_from(code).ok()?)
        .copied()
    }
    fn name(self) -> &'static str {
        use VertexStat::*;
        match self {
            Fan => "fan",
            Degree => "degree",
            Ratio => "ratio",
            Average => "avg",
            Sum => "sum",
            Minimum => "min",
            Maximum => "max",
            Median => "median",
            Variance => "var",
            Skewness => "skew",
            Kurtosis => "kurtosis",
        }
    }
    fn is_structural(self) -> bool {
        self <= VertexStat::Ratio
    }
}

/// Vertex statistics settings.
#[derive(Clone, Debug, PartialEq)]
pub struct VertexStats {
    pub window: i64,
    /// Raw columns: 0 edge id, 1 source id, 2 destination id, 3 time, 4 amount.
    pub columns: Vec<usize>,
    pub stats: Vec<VertexStat>,
}

/// Which features, with which windows and bins — snapml's `set_params`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct GfpParams {
    /// Graph window in seconds; `None` (snapml's −1) = the longest pattern window.
    pub time_window: Option<i64>,
    pub fan: Option<Histogram>,
    pub degree: Option<Histogram>,
    pub scatter_gather: Option<Histogram>,
    pub temporal_cycle: Option<Histogram>,
    pub lc_cycle: Option<Histogram>,
    /// Most accounts in a length-constrained cycle.
    pub lc_cycle_len: usize,
    pub vertex_stats: Option<VertexStats>,
}

/// Why parameters were refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParamsError {
    #[error("{0}: time window must be greater than zero")]
    Window(&'static str),
    #[error("{0}: bins must be increasing and start at 1 or more")]
    Bins(&'static str),
    #[error(
        "vertex_stats_cols: column {0} does not exist (0 id, 1 source, 2 target, 3 time, 4 amount)"
    )]
    Column(usize),
    #[error("lc-cycle_len must be at least 2")]
    CycleLength,
}

impl GfpParams {
    /// Checks windows, bins and columns, as snapml does on `set_params`.
    pub fn validate(&self) -> Result<(), ParamsError> {
        for (name, h) in self.histograms() {
            if let Some(h) = h {
                if h.window <= 0 {
                    return Err(ParamsError::Window(name));
                }
                if h.bins.is_empty() || h.bins[0] == 0 || h.bins.windows(2).any(|w| w[0] >= w[1]) {
                    return Err(ParamsError::Bins(name));
                }
            }
        }
        if let Some(vs) = &self.vertex_stats {
            if vs.window <= 0 {
                return Err(ParamsError::Window("vertex_stats"));
            }
            if let Some(&c) = vs.columns.iter().find(|&&c| c > 4) {
                return Err(ParamsError::Column(c));
            }
        }
        if self.lc_cycle.is_some() && self.lc_cycle_len < 2 {
            return Err(ParamsError::CycleLength);
        }
        Ok(())
    }

    fn histograms(&self) -> [(&'static str, &Option<Histogram>); 5] {
        [
            ("fan", &self.fan),
            ("degree", &self.degree),
            ("scatter-gather", &self.scatter_gather),
            ("temp-cycle", &self.temporal_cycle),
            ("lc-cycle", &self.lc_cycle),
        ]
    }

    /// The graph window actually used.
    pub fn graph_window(&self) -> i64 {
        self.time_window.unwrap_or_else(|| {
            self.histograms()
                .iter()
                .filter_map(|(_, h)| h.as_ref().map(|h| h.window))
                .max()
                .unwrap_or(0)
        })
    }

    /// Column names, in snapml's output order.
    pub fn column_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut histogram = |prefix: &str, h: &Option<Histogram>| {
            if let Some(h) = h {
                for (i, b) in h.bins.iter().enumerate() {
                    let last = i + 1 == h.bins.len();
                    names.push(format!("{prefix}_{b}{}", if last { "_plus" } else { "" }));
                }
            }
        };
        histogram("fan_in", &self.fan);
        histogram("fan_out", &self.fan);
        histogram("degree_in", &self.degree);
        histogram("degree_out", &self.degree);
        histogram("scatter_gather", &self.scatter_gather);
        histogram("temp_cycle", &self.temporal_cycle);
        histogram("lc_cycle", &self.lc_cycle);
        if let Some(vs) = &self.vertex_stats {
            for side in ["src_out", "src_in", "dst_out", "dst_in"] {
                for s in vs.stats.iter().filter(|s| s.is_structural()) {
                    names.push(format!("{side}_{}", s.name()));
                }
                for &c in &vs.columns {
                    let col = ["id", "src", "dst", "time", "amount"][c];
                    for s in vs.stats.iter().filter(|s| !s.is_structural()) {
                        names.push(format!("{side}_{col}_{}", s.name()));
                    }
                }
            }
        }
        names
    }

    /// Where each histogram starts in a row.
    fn layout(&self) -> Layout {
        let mut at = 0;
        let mut take = |h: &Option<Histogram>| {
            let start = at;
            at += h.as_ref().map_or(0, |h| h.bins.len());
            start
        };
        let fan_in = take(&self.fan);
        let fan_out = take(&self.fan);
        let degree_in = take(&self.degree);
        let degree_out = take(&self.degree);
        let scatter_gather = take(&self.scatter_gather);
        let temporal_cycle = take(&self.temporal_cycle);
        let lc_cycle = take(&self.lc_cycle);
        let patterns = at;
        let per_side = self.vertex_stats.as_ref().map_or(0, |vs| {
            let structural = vs.stats.iter().filter(|s| s.is_structural()).count();
            structural + vs.columns.len() * (vs.stats.len() - structural)
        });
        Layout {
            fan_in,
            fan_out,
            degree_in,
            degree_out,
            scatter_gather,
            temporal_cycle,
            lc_cycle,
            patterns,
            per_side,
            width: patterns + 4 * per_side,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Layout {
    fan_in: usize,
    fan_out: usize,
    degree_in: usize,
    degree_out: usize,
    scatter_gather: usize,
    temporal_cycle: usize,
    lc_cycle: usize,
    patterns: usize,
    per_side: usize,
    width: usize,
}

/// One transaction for the preprocessor (snapml's `[id, source, target, time, amount]`).
/// Ids are the caller's and must be unique (`nexus features --gfp` uses the row number);
/// accounts are any numbers, indexed internally in order of first appearance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GfpEdge {
    pub id: u64,
    pub src: u64,
    pub dst: u64,
    pub time: i64,
    pub amount: f64,
}

/// Pattern counts of the edges of the batch being computed, one row per
/// batch edge (in insertion order), `layout.patterns` columns.
pub(crate) struct Counts<'a> {
    rows: &'a mut [u32],
    width: usize,
    first_seq: u64,
    end_seq: u64,
}

impl Counts<'_> {
    /// +1 in column `col` for edge `seq`, if it belongs to the batch.
    #[inline]
    pub(crate) fn add(&mut self, seq: u64, col: usize) {
        self.add_n(seq, col, 1);
    }
    /// +n in column `col` for edge `seq`, if it belongs to the batch.
    #[inline]
    pub(crate) fn add_n(&mut self, seq: u64, col: usize, n: u32) {
        if seq >= self.first_seq && seq < self.end_seq {
            self.rows[(seq - self.first_seq) as usize * self.width + col] += n;
        }
    }
    /// +1 in column `col` for the batch's edges among `pair`'s edges at
    /// indices `from..to` (the batch's edges are a pair's newest).
    pub(crate) fn add_pair_range(
        &mut self,
        pair: &window::Pair,
        from: usize,
        to: usize,
        col: usize,
    ) {
        for &seq in pair.seqs()[from..to].iter().rev() {
            if !self.in_batch(seq) {
                break;
            }
            self.add(seq, col);
        }
    }
    #[inline]
    pub(crate) fn in_batch(&self, seq: u64) -> bool {
        seq >= self.first_seq
    }
}

/// Read-only context of one batch computation.
pub(crate) struct Batch<'a> {
    pub(crate) window: &'a Window,
    pub(crate) params: &'a GfpParams,
    layout: Layout,
    pub(crate) first_seq: u64,
}

/// snapml's GraphFeaturePreprocessor, streaming mode.
pub struct Preprocessor {
    params: GfpParams,
    layout: Layout,
    window: Window,
    threads: usize,
}

impl Preprocessor {
    /// An empty window for `params` (checked as snapml checks them), computing
    /// each batch on `threads` workers — the result does not depend on it.
    pub fn new(params: GfpParams, threads: usize) -> Result<Preprocessor, ParamsError> {
        params.validate()?;
        Ok(Preprocessor {
            layout: params.layout(),
            params,
            window: Window::new(),
            threads: threads.max(1),
        })
    }

    /// Number of engineered columns per transaction.
    pub fn width(&self) -> usize {
        self.layout.width
    }

    /// Adds a batch and returns its features: `width()` values per input
    /// edge, in input order.
    pub fn transform(&mut self, batch: &[GfpEdge]) -> Vec<f64> {
        let width = self.layout.width;
        let mut out = vec![0.0; batch.len() * width];
        if batch.is_empty() {
            return out;
        }
        // Insert in time order (stable), as snapml does.
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by_key(|&i| batch[i].time);
        let first_seq = self.window.next_seq();
        for &i in &order {
            let e = &batch[i];
            self.window.insert(e.id, e.src, e.dst, e.time, e.amount);
        }
        let ctx = Batch {
            window: &self.window,
            params: &self.params,
            layout: self.layout,
            first_seq,
        };
        let counts = ctx.count_patterns(self.threads);
        let vertex = ctx.vertex_statistics(self.threads);
        for (pos, &i) in order.iter().enumerate() {
            let row = &mut out[i * width..(i + 1) * width];
            let p = self.layout.patterns;
            for (dst, &c) in row[..p].iter_mut().zip(&counts[pos * p..(pos + 1) * p]) {
                *dst = f64::from(c);
            }
            if let Some(vertex) = &vertex {
                let e = self.window.edge(first_seq + pos as u64);
                let s = self.layout.per_side * 2;
                row[p..p + s].copy_from_slice(vertex.row(e.src));
                row[p + s..p + 2 * s].copy_from_slice(vertex.row(e.dst));
            }
        }
        let stats_window = self
            .params
            .vertex_stats
            .as_ref()
            .map_or(i64::MAX, |v| v.window);
        self.window.expire(self.params.graph_window(), stats_window);
        out
    }
}

impl Batch<'_> {
    /// Pattern histograms of the batch's edges, counted by `threads` workers
    /// taking edges from a shared cursor (cycle searches vary a lot in cost).
    fn count_patterns(&self, threads: usize) -> Vec<u32> {
        let n = (self.window.next_seq() - self.first_seq) as usize;
        let width = self.layout.patterns;
        if width == 0 {
            return Vec::new();
        }
        // Fan and degree by account when the input is in time order (one
        // window slide per account and side), else edge by edge.
        let by_account =
            self.window.time_ordered && (self.params.fan.is_some() || self.params.degree.is_some());
        let groups = if by_account {
            self.account_groups()
        } else {
            Vec::new()
        };
        let edge_cursor = AtomicUsize::new(0);
        let group_cursor = AtomicUsize::new(0);
        let work = |rows: &mut Vec<u32>| {
            let mut counts = Counts {
                rows,
                width,
                first_seq: self.first_seq,
                end_seq: self.first_seq + n as u64,
            };
            let mut scratch = cycles::Scratch::default();
            loop {
                let start = edge_cursor.fetch_add(8, Ordering::Relaxed);
                if start >= n {
                    break;
                }
                for i in start..(start + 8).min(n) {
                    let seq = self.first_seq + i as u64;
                    self.edge_patterns(seq, !by_account, &mut counts, &mut scratch);
                }
            }
            let mut fan = patterns::FanScratch::default();
            loop {
                let g = group_cursor.fetch_add(1, Ordering::Relaxed);
                let Some((account, side, queries)) = groups.get(g) else {
                    break;
                };
                self.fan_degree_of_account(*account, *side, queries, &mut counts, &mut fan);
            }
        };
        let threads = threads.min(n.div_ceil(64)).max(1);
        if threads == 1 {
            let mut rows = vec![0u32; n * width];
            work(&mut rows);
            return rows;
        }
        let parts: Vec<Vec<u32>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut rows = vec![0u32; n * width];
                        work(&mut rows);
                        rows
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("feature worker panicked"))
                .collect()
        });
        let mut total = vec![0u32; n * width];
        for part in parts {
            for (t, p) in total.iter_mut().zip(part) {
                *t += p;
            }
        }
        total
    }

    /// Batch edges grouped by source (outgoing side) and by target
    /// (incoming side), each group in time order.
    fn account_groups(&self) -> Vec<(u32, patterns::Side, Vec<u64>)> {
        let w = self.window;
        let mut out: FxMap<u32, Vec<u64>> = FxMap::default();
        let mut inc: FxMap<u32, Vec<u64>> = FxMap::default();
        for seq in self.first_seq..w.next_seq() {
            let e = w.edge(seq);
            out.entry(e.src).or_default().push(seq);
            inc.entry(e.dst).or_default().push(seq);
        }
        let mut groups: Vec<_> = out
            .into_iter()
            .map(|(a, q)| (a, patterns::Side::Out, q))
            .chain(inc.into_iter().map(|(a, q)| (a, patterns::Side::In, q)))
            .collect();
        // Largest first, so that no worker is left with a hub at the end.
        groups.sort_by_key(|g| std::cmp::Reverse(g.2.len()));
        groups
    }

    fn edge_patterns(
        &self,
        seq: u64,
        fan_by_edge: bool,
        counts: &mut Counts,
        scratch: &mut cycles::Scratch,
    ) {
        let p = self.params;
        let l = &self.layout;
        if fan_by_edge && (p.fan.is_some() || p.degree.is_some()) {
            self.fan_degree(seq, counts, l);
        }
        if let Some(h) = &p.scatter_gather {
            let (mut legs, mut matched) = (
                std::mem::take(&mut scratch.legs),
                std::mem::take(&mut scratch.matched),
            );
            self.scatter_gather(seq, h, l.scatter_gather, counts, &mut legs, &mut matched);
            scratch.legs = legs;
            scratch.matched = matched;
        }
        if let Some(h) = &p.temporal_cycle {
            self.temporal_cycles(seq, h, l.temporal_cycle, counts, scratch);
        }
        if let Some(h) = &p.lc_cycle {
            self.lc_cycles(seq, h, p.lc_cycle_len, l.lc_cycle, counts, scratch);
        }
    }
}

#[cfg(test)]
mod tests;
