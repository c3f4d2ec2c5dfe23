//! Fan, degree and scatter-gather patterns of one batch edge.

use super::window::Pair;
use super::{Batch, Counts, Histogram, Layout};
use std::ops::Bound::{Excluded, Included};
use std::ops::RangeBounds;

impl Batch<'_> {
    /// Fan-out/degree-out of the source and fan-in/degree-in of the target
    /// within `(t − tw, t]`: a pattern of size ≥ 2 credits each of its edges
    /// in the bin of its size (distinct counterparties for fan, edges for
    /// degree). snapml's definition edge by edge, used for input out of time
    /// order; [`Self::fan_degree_of_account`] is the fast path.
    pub(super) fn fan_degree(&self, seq: u64, counts: &mut Counts, l: &Layout) {
        let w = self.window;
        let e = *w.edge(seq);
        let p = self.params;
        let side = |pairs: &[u32],
                    own: u32,
                    fan_col: usize,
                    deg_col: usize,
                    counts: &mut Counts| {
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
                    fan += usize::from(count_in(pair, lo, e.time) > 0);
                }
                if let Some(lo) = deg_lo {
                    degree += count_in(pair, lo, e.time);
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
                    credit_batch_edges(pair, (Excluded(lo), Included(e.time)), counts, col + bin);
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
    #[allow(clippy::too_many_arguments)]
    pub(super) fn scatter_gather(
        &self,
        seq: u64,
        h: &Histogram,
        col: usize,
        counts: &mut Counts,
        legs: &mut Vec<u32>,
        matched: &mut Vec<(u32, u32)>,
    ) {
        let w = self.window;
        let e = *w.edge(seq);
        let lo = e.time.saturating_sub(h.window);
        let live = |pi: &u32| w.pairs[*pi as usize].last_time() >= lo;
        // Forward: e.src scatters to intermediaries among its payees, the
        // targets are the accounts e.dst pays. Backward: e.dst gathers from
        // intermediaries among its payers, the sources pay e.src.
        for forward in [true, false] {
            let (hub, other_end) = if forward {
                (e.src, e.dst)
            } else {
                (e.dst, e.src)
            };
            let side = |a: u32| {
                let acct = &w.accounts[a as usize];
                if forward {
                    &acct.out
                } else {
                    &acct.inc
                }
            };
            // The far end of a pair seen from the account it is listed under.
            let far = |pi: u32| {
                let p = &w.pairs[pi as usize];
                if forward {
                    p.dst
                } else {
                    p.src
                }
            };
            legs.clear();
            legs.extend(side(hub).iter().filter(|&&pi| live(&pi) && far(pi) != hub));
            if legs.is_empty() {
                continue;
            }
            for &pi in side(other_end).iter().filter(|pi| live(pi)) {
                let x = far(pi);
                if x == e.dst || x == e.src {
                    continue;
                }
                let other = |mid| {
                    if forward {
                        w.pair_id(mid, x)
                    } else {
                        w.pair_id(x, mid)
                    }
                };
                self.gather_into(legs, matched, other, lo, e.time, h, col, counts, forward);
            }
        }
    }

    /// One scatter-gather candidate: `legs` are the pairs between the fixed
    /// end and each possible intermediary, `other_leg(mid)` the pair between
    /// that intermediary and the candidate end.
    #[allow(clippy::too_many_arguments)]
    fn gather_into(
        &self,
        legs: &[u32],
        matched: &mut Vec<(u32, u32)>,
        other_leg: impl Fn(u32) -> Option<u32>,
        lo: i64,
        t: i64,
        h: &Histogram,
        col: usize,
        counts: &mut Counts,
        forward: bool,
    ) {
        let pairs = &self.window.pairs;
        matched.clear();
        for &leg_id in legs {
            let leg = &pairs[leg_id as usize];
            let mid = if forward { leg.dst } else { leg.src };
            let Some(other_id) = other_leg(mid) else {
                continue;
            };
            let other = &pairs[other_id as usize];
            if leg.last_time() > t || other.last_time() > t {
                return; // a newer edge completes this pattern
            }
            if other.last_time() >= lo {
                matched.push((leg_id, other_id));
            }
        }
        if matched.len() < 2 {
            return;
        }
        let Some(bin) = h.bin(matched.len()) else {
            return;
        };
        for &(leg, other) in matched.iter() {
            credit_batch_edges(&pairs[other as usize], lo.., counts, col + bin);
            credit_batch_edges(&pairs[leg as usize], lo.., counts, col + bin);
        }
    }
}

/// Edges of `pair` with `lo < t ≤ hi` (fan windows are open at the start),
/// counted one by one: this path serves input out of time order.
fn count_in(pair: &Pair, lo: i64, hi: i64) -> usize {
    pair.times().iter().filter(|&&t| t > lo && t <= hi).count()
}

/// +1 in `col` for every edge of the batch in `pair` with time in
/// `window` (fan windows `(t − tw, t]`, scatter-gather legs `[t − tw, ∞)`).
fn credit_batch_edges(pair: &Pair, window: impl RangeBounds<i64>, counts: &mut Counts, col: usize) {
    for (&seq, time) in pair.seqs().iter().zip(pair.times()).rev() {
        if !counts.in_batch(seq) {
            break; // the batch's edges are the pair's newest
        }
        if window.contains(time) {
            counts.add(seq, col);
        }
    }
}

/// Which side of an account a fan/degree group looks at.
#[derive(Clone, Copy)]
pub(super) enum Side {
    Out,
    In,
}

/// Reusable state of the sliding fan/degree windows.
#[derive(Default)]
pub(super) struct FanScratch {
    /// Live edges per pair inside the current window (indexed by pair).
    per_pair: Vec<u32>,
    /// Credit ranges over the account's batch edges: (start, end, bin).
    ranges: Vec<(usize, usize, usize)>,
    active: Vec<i64>,
}

impl Batch<'_> {
    /// Fan and degree of one account's side for all of its batch edges at
    /// once (time-ordered input): windows slide over the account's edge list,
    /// so a hub costs its window once per batch rather than once per edge.
    /// `queries` are the batch edges with this account on that side, in
    /// time order (self-transfers included: they ask, but are never counted).
    pub(super) fn fan_degree_of_account(
        &self,
        account: u32,
        side: Side,
        queries: &[u64],
        counts: &mut Counts,
        s: &mut FanScratch,
    ) {
        let w = self.window;
        let l = &self.layout;
        let acct = &w.accounts[account as usize];
        let (list, fan_col, deg_col) = match side {
            Side::Out => (&acct.out_edges, l.fan_out, l.degree_out),
            Side::In => (&acct.inc_edges, l.fan_in, l.degree_in),
        };
        // The account's batch edges are the tail of its list.
        let tail = list.partition_point(|&(_, seq, _)| seq < self.first_seq);
        let p = self.params;
        for (h, col, distinct) in [(&p.fan, fan_col, true), (&p.degree, deg_col, false)] {
            let Some(h) = h else { continue };
            if s.per_pair.len() < w.pairs.len() {
                s.per_pair.resize(w.pairs.len(), 0);
            }
            s.ranges.clear();
            let first_lo = w.edge(queries[0]).time.saturating_sub(h.window);
            let mut lo = list.partition_point(|&(t, _, _)| t <= first_lo);
            let (mut hi, mut size) = (lo, 0usize);
            for &q in queries {
                let t = w.edge(q).time;
                let start = t.saturating_sub(h.window);
                while hi < list.len() && list[hi].0 <= t {
                    if distinct {
                        let c = &mut s.per_pair[list[hi].2 as usize];
                        *c += 1;
                        size += usize::from(*c == 1);
                    } else {
                        size += 1;
                    }
                    hi += 1;
                }
                while lo < hi && list[lo].0 <= start {
                    if distinct {
                        let c = &mut s.per_pair[list[lo].2 as usize];
                        *c -= 1;
                        size -= usize::from(*c == 0);
                    } else {
                        size -= 1;
                    }
                    lo += 1;
                }
                if size >= 2 {
                    if let Some(bin) = h.bin(size) {
                        let from = lo.max(tail);
                        if from < hi {
                            s.ranges.push((from - tail, hi - tail, bin));
                        }
                    }
                }
            }
            if distinct {
                for &(_, _, pair) in list.range(lo..hi) {
                    s.per_pair[pair as usize] = 0;
                }
            }
            // Sweep the credit ranges (starts and ends both non-decreasing).
            if s.ranges.is_empty() {
                continue;
            }
            s.active.clear();
            s.active.resize(h.bins.len(), 0);
            let (mut next_start, mut next_end) = (0usize, 0usize);
            for pos in 0..list.len() - tail {
                while next_start < s.ranges.len() && s.ranges[next_start].0 <= pos {
                    s.active[s.ranges[next_start].2] += 1;
                    next_start += 1;
                }
                while next_end < s.ranges.len() && s.ranges[next_end].1 <= pos {
                    s.active[s.ranges[next_end].2] -= 1;
                    next_end += 1;
                }
                let seq = list[tail + pos].1;
                for (bin, &n) in s.active.iter().enumerate() {
                    if n > 0 {
                        counts.add_n(seq, col + bin, n as u32);
                    }
                }
            }
        }
    }
}
