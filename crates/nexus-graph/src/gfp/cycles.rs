//! Cycles closed by a batch edge `u → v` at time `t`.
//!
//! Both searches walk forward from `v` to `u` over simple paths and count
//! each distinct account cycle once per closing edge (snapml's "cycle
//! bundles"): every edge that takes part in at least one cycle along that
//! account sequence gets +1 in the bin of the cycle's number of accounts.
//!
//! - Temporal cycles: strictly increasing times, all within `[t − tw, t)`
//!   before the closing edge. A backward label pass first computes, for each
//!   account, the latest time one may leave it and still reach `u` before
//!   `t`; the forward search leaves each account as early as possible and
//!   never enters an account it could not leave in time, so it only walks
//!   paths that can still close.
//! - Length-constrained cycles: any time order, each hop with an edge in
//!   `[t − tw, t]`, at most `len` accounts. An edge at exactly `t` counts only
//!   when `v`'s index is not below the hop target's (snapml's tie rule, so
//!   that two edges at the same second close a cycle once). A breadth-first
//!   pass gives hop distances to `u` to cut paths that cannot close in time.

use super::window::{range, Pair, Window};
use super::{Batch, Counts, Histogram};
use std::collections::BinaryHeap;

/// Per-worker search state, reused across edges (dense arrays with a
/// generation stamp, so starting a search costs nothing).
#[derive(Default)]
pub struct Scratch {
    stamp: u32,
    seen: Vec<u32>,
    label: Vec<i64>,
    on_path: Vec<u32>,
    heap: BinaryHeap<(i64, u32)>,
    queue: Vec<u32>,
    frames: Vec<Frame>,
    /// Scatter-gather buffers.
    pub(super) legs: Vec<u32>,
    pub(super) matched: Vec<(u32, u32)>,
}

#[derive(Clone, Copy)]
struct Frame {
    account: u32,
    /// Time the path arrived (temporal) or path length (length-constrained).
    arrival: i64,
    next: usize,
    via: u32,
}

impl Scratch {
    fn begin(&mut self, accounts: usize) {
        if self.seen.len() < accounts {
            self.seen.resize(accounts, 0);
            self.label.resize(accounts, 0);
            self.on_path.resize(accounts, 0);
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.iter_mut().for_each(|s| *s = 0);
            self.on_path.iter_mut().for_each(|s| *s = 0);
            self.stamp = 1;
        }
        self.heap.clear();
        self.queue.clear();
        self.frames.clear();
    }
    fn label(&self, a: u32) -> Option<i64> {
        (self.seen[a as usize] == self.stamp).then(|| self.label[a as usize])
    }
    fn set_label(&mut self, a: u32, value: i64) {
        self.seen[a as usize] = self.stamp;
        self.label[a as usize] = value;
    }
    /// Starts a depth-first walk of simple paths from `v`, with `state`
    /// (arrival time or path length) at `v`.
    fn begin_walk(&mut self, v: u32, state: i64) {
        self.frames.push(Frame {
            account: v,
            arrival: state,
            next: 0,
            via: u32::MAX,
        });
        self.set_on_path(v, true);
    }
    /// The next hop of the walk from `v`: the state at the account it
    /// leaves, the pair, and the account it would enter — never `v` again, a
    /// self-transfer or an account already on the path. Exhausted accounts
    /// are left on the way; `None` when the walk is over.
    fn next_hop(&mut self, w: &Window, v: u32) -> Option<(i64, u32, u32)> {
        loop {
            let top = self.frames.last_mut()?;
            let x = top.account;
            let out = &w.accounts[x as usize].out;
            if top.next >= out.len() {
                self.set_on_path(x, false);
                self.frames.pop();
                continue;
            }
            let pi = out[top.next];
            top.next += 1;
            let state = top.arrival;
            let y = w.pairs[pi as usize].dst;
            if y != x && y != v && !self.on_path(y) {
                return Some((state, pi, y));
            }
        }
    }
    /// Extends the walk into `y` through `via`.
    fn enter(&mut self, y: u32, state: i64, via: u32) {
        self.set_on_path(y, true);
        self.frames.push(Frame {
            account: y,
            arrival: state,
            next: 0,
            via,
        });
    }
    fn on_path(&self, a: u32) -> bool {
        self.on_path[a as usize] == self.stamp
    }
    fn set_on_path(&mut self, a: u32, on: bool) {
        self.on_path[a as usize] = if on { self.stamp } else { 0 };
    }
}

impl Batch<'_> {
    pub(super) fn temporal_cycles(
        &self,
        seq: u64,
        h: &Histogram,
        col: usize,
        counts: &mut Counts,
        s: &mut Scratch,
    ) {
        let w = self.window;
        let e = *w.edge(seq);
        let (u, v, t) = (e.src, e.dst, e.time);
        if u == v {
            return;
        }
        let lo = t.saturating_sub(h.window);
        // A cycle leaves v and enters u inside [lo, t): most closing edges
        // of a heavy-tailed graph (a hub paying a one-off customer) fail
        // this at once, before a search that would walk the hub's whole
        // neighbourhood.
        let live = |pi: &u32, away_from: u32| {
            let pair = &w.pairs[*pi as usize];
            let other = if pair.src == away_from {
                pair.dst
            } else {
                pair.src
            };
            let (a, b) = range(pair.times(), lo, t);
            other != away_from && a < b
        };
        if !w.accounts[v as usize].out.iter().any(|pi| live(pi, v))
            || !w.accounts[u as usize].inc.iter().any(|pi| live(pi, u))
        {
            return;
        }
        s.begin(w.account_count());
        // Latest departure: label(x) = a path from x reaches u before t
        // when x is left by an edge earlier than label(x).
        s.set_label(u, t);
        s.heap.push((t, u));
        while let Some((bound, z)) = s.heap.pop() {
            if s.label(z) != Some(bound) {
                continue;
            }
            for &pi in &w.accounts[z as usize].inc {
                let pair = &w.pairs[pi as usize];
                if pair.src == z {
                    continue;
                }
                let (a, b) = range(pair.times(), lo, bound);
                if a == b {
                    continue;
                }
                let latest = pair.times()[b - 1];
                if s.label(pair.src).is_none_or(|l| latest > l) {
                    s.set_label(pair.src, latest);
                    s.heap.push((latest, pair.src));
                }
            }
        }
        if s.label(v).is_none() {
            return;
        }
        // Forward search from v, leaving each account as early as possible.
        s.begin_walk(v, lo - 1);
        while let Some((arrival, pi, y)) = s.next_hop(w, v) {
            let pair = &w.pairs[pi as usize];
            let Some(limit) = s.label(y) else { continue };
            let i = pair.times().partition_point(|&time| time <= arrival);
            let Some(&first) = pair.times().get(i) else {
                continue;
            };
            if first >= limit {
                continue;
            }
            if y == u {
                let hops = s.frames.len();
                self.credit_temporal(s, pi, seq, t, h, col, counts, hops);
            } else {
                s.enter(y, first, pi);
            }
        }
    }

    /// Credits one temporal cycle bundle: the path in `s.frames`, then
    /// `last` into `u`, then the closing edge.
    #[allow(clippy::too_many_arguments)]
    fn credit_temporal(
        &self,
        s: &Scratch,
        last: u32,
        closing: u64,
        t: i64,
        h: &Histogram,
        col: usize,
        counts: &mut Counts,
        hops: usize,
    ) {
        let Some(bin) = h.bin(hops + 1) else { return };
        let w = self.window;
        // Hop i (1-based) is frames[i].via, the last hop `last`; earliest
        // arrivals are the frames' arrivals; latest departures come backwards.
        let mut latest_next = t;
        for i in (1..=hops).rev() {
            let via = if i == hops { last } else { s.frames[i].via };
            let pair = &w.pairs[via as usize];
            let before = s.frames[i - 1].arrival;
            let (a, b) = range(pair.times(), before.saturating_add(1), latest_next);
            // Edges strictly between the earliest arrival before and the
            // latest departure after take part in some cycle of the bundle.
            counts.add_pair_range(pair, a, b, col + bin);
            latest_next = pair.times()[b - 1];
        }
        counts.add(closing, col + bin);
    }

    pub(super) fn lc_cycles(
        &self,
        seq: u64,
        h: &Histogram,
        max_len: usize,
        col: usize,
        counts: &mut Counts,
        s: &mut Scratch,
    ) {
        let w = self.window;
        let e = *w.edge(seq);
        let (u, v, t) = (e.src, e.dst, e.time);
        if u == v {
            return;
        }
        let lo = t.saturating_sub(h.window);
        // Edges of a hop into `head` count up to t inclusive only when v's
        // index is not below head's.
        let window_of = |head: u32| -> (i64, i64) {
            if v >= head {
                (lo, t.saturating_add(1))
            } else {
                (lo, t)
            }
        };
        let has_edge = |pair: &Pair| {
            let (a, b) = window_of(pair.dst);
            let (i, j) = range(pair.times(), a, b);
            i < j
        };
        // A cycle leaves v and enters u inside the window (see above).
        if !w.accounts[v as usize]
            .out
            .iter()
            .any(|&pi| w.pairs[pi as usize].dst != v && has_edge(&w.pairs[pi as usize]))
            || !w.accounts[u as usize]
                .inc
                .iter()
                .any(|&pi| w.pairs[pi as usize].src != u && has_edge(&w.pairs[pi as usize]))
        {
            return;
        }
        s.begin(w.account_count());
        // Hop distances to u (labels), breadth first, up to max_len − 1.
        s.set_label(u, 0);
        s.queue.push(u);
        let mut head = 0;
        while head < s.queue.len() {
            let z = s.queue[head];
            head += 1;
            let d = s.label(z).expect("queued accounts are labelled");
            if d as usize + 1 >= max_len {
                continue;
            }
            for &pi in &w.accounts[z as usize].inc {
                let pair = &w.pairs[pi as usize];
                if pair.src == z || s.label(pair.src).is_some() || !has_edge(pair) {
                    continue;
                }
                s.set_label(pair.src, d + 1);
                s.queue.push(pair.src);
            }
        }
        match s.label(v) {
            Some(d) if (d as usize) < max_len => {}
            _ => return,
        }
        s.begin_walk(v, 1);
        while let Some((length, pi, y)) = s.next_hop(w, v) {
            let length = length as usize;
            let pair = &w.pairs[pi as usize];
            let Some(d) = s.label(y) else { continue };
            if length + d as usize + 1 > max_len || !has_edge(pair) {
                continue;
            }
            if y == u {
                let Some(bin) = h.bin(length + 1) else {
                    continue;
                };
                let hops = s.frames[1..]
                    .iter()
                    .map(|f| f.via)
                    .chain(std::iter::once(pi));
                for hp in hops {
                    let pair = &w.pairs[hp as usize];
                    let (a, b) = window_of(pair.dst);
                    let (i, j) = range(pair.times(), a, b);
                    counts.add_pair_range(pair, i, j, col + bin);
                }
                counts.add(seq, col + bin);
            } else {
                s.enter(y, (length + 1) as i64, pi);
            }
        }
    }
}
