//! Fan, degree and scatter-gather patterns of one batch edge.

use super::window::{range, Pair};
use super::{Batch, Counts, Histogram, Layout};

impl Batch<'_> {
    /// Fan-out/degree-out of the source and fan-in/degree-in of the target
    /// within `(t − tw, t]`: a pattern of size ≥ 2 credits each of its edges
    /// in the bin of its size (distinct counterparties for fan, edges for degree).
    pub(super) fn fan_degree(&self, seq: u64, counts: &mut Counts, l: &Layout) {
        let w = self.window;
        let e = *w.edge(seq);
        let p = self.params;
        let side =
            |pairs: &[u32], own: u32, fan_col: usize, deg_col: usize, counts: &mut Counts| {
                let fan_lo = p.fan.as_ref().map(|h| e.time.saturating_sub(h.window));
                let deg_lo = p.degree.as_ref().map(|h| e.time.saturating_sub(h.window));
                let (mut fan, mut degree) = (0usize, 0usize);
                for &pi in pairs {
                    let pair = &w.pairs[pi as usize];
                    let other = if pair.src == own { pair.dst } else { pair.src };
                    if other == own {
                        continue; // self-loops make no fan
                    }
                    if let Some(lo) = fan_lo {
                        fan += usize::from(count_in(pair, lo, e.time, w.time_ordered) > 0);
                    }
                    if let Some(lo) = deg_lo {
                        degree += count_in(pair, lo, e.time, w.time_ordered);
                    }
                }
                let targets = [
                    (p.fan.as_ref(), fan_lo, fan, fan_col),
                    (p.degree.as_ref(), deg_lo, degree, deg_col),
                ];
                for (h, lo, size, col) in targets {
                    let (Some(h), Some(lo)) = (h, lo) else {
                        continue;
                    };
                    if size < 2 {
                        continue;
                    }
                    let Some(bin) = h.bin(size) else { continue };
                    for &pi in pairs {
                        let pair = &w.pairs[pi as usize];
                        if pair.src == pair.dst {
                            continue;
                        }
                        credit_batch_edges(pair, lo, e.time, counts, col + bin);
                    }
                }
            };
        side(
            &w.accounts[e.src as usize].out,
            e.src,
            l.fan_out,
            l.degree_out,
            counts,
        );
        side(
            &w.accounts[e.dst as usize].inc,
            e.dst,
            l.fan_in,
            l.degree_in,
            counts,
        );
    }

    /// Scatter-gather completed by this edge, as snapml finds it: forward
    /// (the edge's source scatters, its target is one intermediary, each
    /// target `x` the intermediaries pay is a candidate) and backward (the
    /// edge's target gathers, its source is one intermediary). Edges within
    /// `[t − tw, t]`; a pattern in which any intermediary leg is newer than
    /// `t` is left to that newer edge, so each is counted once.
    pub(super) fn scatter_gather(&self, seq: u64, h: &Histogram, col: usize, counts: &mut Counts) {
        let w = self.window;
        let e = *w.edge(seq);
        let lo = e.time.saturating_sub(h.window);
        let live = |pi: &u32| w.pairs[*pi as usize].last_time() >= lo;
        // Forward: source e.src, intermediaries among its payees, target x paid by e.dst.
        let first: Vec<&Pair> = w.accounts[e.src as usize]
            .out
            .iter()
            .filter(|pi| live(pi))
            .map(|&pi| &w.pairs[pi as usize])
            .filter(|p| p.dst != e.src)
            .collect();
        if !first.is_empty() {
            for pi in w.accounts[e.dst as usize].out.iter().filter(|pi| live(pi)) {
                let x = w.pairs[*pi as usize].dst;
                if x == e.dst || x == e.src {
                    continue;
                }
                self.gather_into(
                    &first,
                    |mid| w.pair(mid, x),
                    lo,
                    e.time,
                    h,
                    col,
                    counts,
                    true,
                );
            }
        }
        // Backward: target e.dst, intermediaries among its payers, source x paying e.src.
        let last: Vec<&Pair> = w.accounts[e.dst as usize]
            .inc
            .iter()
            .filter(|pi| live(pi))
            .map(|&pi| &w.pairs[pi as usize])
            .filter(|p| p.src != e.dst)
            .collect();
        if !last.is_empty() {
            for pi in w.accounts[e.src as usize].inc.iter().filter(|pi| live(pi)) {
                let x = w.pairs[*pi as usize].src;
                if x == e.dst || x == e.src {
                    continue;
                }
                self.gather_into(
                    &last,
                    |mid| w.pair(x, mid),
                    lo,
                    e.time,
                    h,
                    col,
                    counts,
                    false,
                );
            }
        }
    }

    /// One scatter-gather candidate: `legs` are the pairs between the fixed
    /// end and each possible intermediary, `other_leg(mid)` the pair between
    /// that intermediary and the candidate end.
    #[allow(clippy::too_many_arguments)]
    fn gather_into<'p>(
        &self,
        legs: &[&'p Pair],
        other_leg: impl Fn(u32) -> Option<&'p Pair>,
        lo: i64,
        t: i64,
        h: &Histogram,
        col: usize,
        counts: &mut Counts,
        forward: bool,
    ) {
        let mut matched: Vec<(&Pair, &Pair)> = Vec::new();
        let mut size = 0usize;
        for leg in legs {
            let mid = if forward { leg.dst } else { leg.src };
            let Some(other) = other_leg(mid) else {
                continue;
            };
            if leg.last_time() > t || other.last_time() > t {
                return; // a newer edge completes this pattern
            }
            if other.last_time() >= lo {
                size += 1;
                matched.push((leg, other));
            }
        }
        if size < 2 {
            return;
        }
        let Some(bin) = h.bin(size) else { return };
        for (leg, other) in matched {
            credit_batch_edges(other, lo, i64::MAX, counts, col + bin);
            credit_batch_edges(leg, lo, i64::MAX, counts, col + bin);
        }
    }
}

/// Edges of `pair` with `lo < t ≤ hi` (fan windows are open at the start).
fn count_in(pair: &Pair, lo: i64, hi: i64, ordered: bool) -> usize {
    if ordered {
        let (a, b) = range(&pair.times, lo.saturating_add(1), hi.saturating_add(1));
        b - a
    } else {
        pair.times.iter().filter(|&&t| t > lo && t <= hi).count()
    }
}

/// +1 in `col` for every edge of the batch in `pair` with `lo < t ≤ hi`
/// (`lo` inclusive when `hi` is `i64::MAX`: scatter-gather's `[t − tw, …]`).
fn credit_batch_edges(pair: &Pair, lo: i64, hi: i64, counts: &mut Counts, col: usize) {
    let inclusive = hi == i64::MAX;
    for (i, &seq) in pair.seqs.iter().enumerate().rev() {
        if !counts.in_batch(seq) {
            break;
        }
        let t = pair.times[i];
        let inside = if inclusive {
            t >= lo
        } else {
            t > lo && t <= hi
        };
        if inside {
            counts.add(seq, col);
        }
    }
}
