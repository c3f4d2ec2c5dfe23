//! The sliding-window multigraph that GFP-compatible features are computed on.
//!
//! Edges are kept per ordered account pair ([`Pair`]): the times and
//! insertion numbers of the live edges from one account to another, oldest
//! first. Every account lists its live outgoing and incoming pairs, and a
//! hash map finds the pair of two accounts in O(1) (scatter-gather asks
//! "does this intermediary pay that target?" millions of times).
//!
//! Expiry follows snapml's dynamic graph: after a batch, edges leave in
//! insertion order while older than the newest time seen minus the window,
//! so a batch is always computed over the previous batches' window plus the
//! whole batch itself.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// Multiply-rotate hasher (the one rustc uses): the keys are small integers
/// we produced ourselves, so flooding resistance buys nothing here and SipHash
/// would cost a third of the scatter-gather time.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
}

pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// One edge as the window holds it.
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    /// The caller's edge id (GFP raw column 0).
    pub id: u64,
    /// Internal account indices (first appearance order).
    pub src: u32,
    pub dst: u32,
    pub time: i64,
    pub amount: f64,
    pub pair: u32,
}

/// The live edges from one account to another, oldest first.
#[derive(Default, Debug)]
pub struct Pair {
    pub src: u32,
    pub dst: u32,
    pub times: VecDeque<i64>,
    /// Insertion numbers (see [`Window::edge`]), parallel to `times`.
    pub seqs: VecDeque<u64>,
}

impl Pair {
    /// Time of the newest live edge (the pair is never empty while listed).
    pub fn last_time(&self) -> i64 {
        *self.times.back().expect("listed pairs are non-empty")
    }
}

#[derive(Default, Debug)]
pub struct Account {
    /// The caller's account id (GFP raw columns 1 and 2).
    pub id: u64,
    pub out: Vec<u32>,
    pub inc: Vec<u32>,
    /// Running moments of the statistics columns over outgoing and incoming
    /// edges inside the statistics window.
    pub out_moments: Vec<Moments>,
    pub inc_moments: Vec<Moments>,
    /// Live edges to and from other accounts (self-transfers left out), in
    /// insertion order: `(time, insertion number, pair)`. Fan and degree
    /// slide windows over these instead of visiting every counterparty.
    pub out_edges: VecDeque<(i64, u64, u32)>,
    pub inc_edges: VecDeque<(i64, u64, u32)>,
}

/// Running sum and central moment sums, updated edge by edge as edges
/// enter and leave the statistics window (Terriberry's online update and
/// its inverse). snapml keeps its vertex statistics this way, and the
/// rounding of this order of operations is part of its output: a two-pass
/// computation differs in the last digits, and after many removals by more.
#[derive(Default, Debug, Clone, Copy)]
pub struct Moments {
    pub n: f64,
    pub sum: f64,
    pub mean: f64,
    pub m2: f64,
    pub m3: f64,
    pub m4: f64,
}

impl Moments {
    pub fn insert(&mut self, x: f64) {
        let n1 = self.n;
        self.n += 1.0;
        let n = self.n;
        let delta = x - self.mean;
        let delta_n = delta / n;
        let delta_n2 = delta_n * delta_n;
        let term1 = delta * delta_n * n1;
        self.mean += delta_n;
        self.m4 += term1 * delta_n2 * (n * n - 3.0 * n + 3.0) + 6.0 * delta_n2 * self.m2
            - 4.0 * delta_n * self.m3;
        self.m3 += term1 * delta_n * (n - 2.0) - 3.0 * delta_n * self.m2;
        self.m2 += term1;
        self.sum += x;
    }

    pub fn remove(&mut self, x: f64) {
        if self.n <= 1.0 {
            *self = Moments::default();
            return;
        }
        let n1 = self.n;
        self.n -= 1.0;
        let n = self.n;
        let delta = x - self.mean;
        let delta_n = delta / n;
        let delta_n2 = delta_n * delta_n;
        let term1 = delta * delta_n * n1;
        self.mean -= delta_n;
        self.m2 -= term1;
        self.m3 -= term1 * delta_n * (n1 - 2.0) - 3.0 * delta_n * self.m2;
        self.m4 -= term1 * delta_n2 * (n1 * n1 - 3.0 * n1 + 3.0) + 6.0 * delta_n2 * self.m2
            - 4.0 * delta_n * self.m3;
        self.sum -= x;
    }
}

/// The window graph.
#[derive(Default)]
pub struct Window {
    pub accounts: Vec<Account>,
    account_index: FxMap<u64, u32>,
    pub pairs: Vec<Pair>,
    free_pairs: Vec<u32>,
    pair_index: FxMap<(u32, u32), u32>,
    /// Live edges in insertion order; `edges[i]` has insertion number `first_seq + i`.
    edges: VecDeque<Edge>,
    first_seq: u64,
    /// Newest time inserted so far.
    pub max_time: Option<i64>,
    /// Insertion number of the first edge the vertex statistics still count.
    pub stats_from_seq: u64,
    /// False once an edge arrived older than an edge of an earlier batch:
    /// then per-account edge lists are no longer sorted by time, and fan and
    /// degree are computed by scanning counterparties instead.
    pub time_ordered: bool,
    /// Raw columns the running moments follow (0 id, 1 source, 2 target, 3 time, 4 amount).
    stats_columns: Vec<usize>,
}

impl Window {
    pub fn new(stats_columns: Vec<usize>) -> Window {
        Window {
            time_ordered: true,
            stats_columns,
            ..Window::default()
        }
    }

    /// Value of raw column `column` of an edge.
    pub fn raw(&self, e: &Edge, column: usize) -> f64 {
        match column {
            0 => e.id as f64,
            1 => self.accounts[e.src as usize].id as f64,
            2 => self.accounts[e.dst as usize].id as f64,
            3 => e.time as f64,
            _ => e.amount,
        }
    }

    fn update_moments(&mut self, e: &Edge, enter: bool) {
        for k in 0..self.stats_columns.len() {
            let x = self.raw(e, self.stats_columns[k]);
            let apply = |m: &mut Moments| if enter { m.insert(x) } else { m.remove(x) };
            apply(&mut self.accounts[e.src as usize].out_moments[k]);
            apply(&mut self.accounts[e.dst as usize].inc_moments[k]);
        }
    }

    /// Insertion number the next edge will get.
    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.edges.len() as u64
    }

    /// The live edge with insertion number `seq`.
    pub fn edge(&self, seq: u64) -> &Edge {
        &self.edges[(seq - self.first_seq) as usize]
    }

    pub fn account_count(&self) -> usize {
        self.accounts.len()
    }

    fn account(&mut self, id: u64) -> u32 {
        if let Some(&i) = self.account_index.get(&id) {
            return i;
        }
        let i = self.accounts.len() as u32;
        self.accounts.push(Account {
            id,
            out_moments: vec![Moments::default(); self.stats_columns.len()],
            inc_moments: vec![Moments::default(); self.stats_columns.len()],
            ..Account::default()
        });
        self.account_index.insert(id, i);
        i
    }

    /// The pair `src → dst`, if it has live edges.
    pub fn pair(&self, src: u32, dst: u32) -> Option<&Pair> {
        self.pair_index
            .get(&(src, dst))
            .map(|&p| &self.pairs[p as usize])
    }

    /// Index of the pair `src → dst`, if it has live edges.
    pub fn pair_id(&self, src: u32, dst: u32) -> Option<u32> {
        self.pair_index.get(&(src, dst)).copied()
    }

    /// Inserts an edge; returns its insertion number.
    pub fn insert(&mut self, id: u64, src: u64, dst: u64, time: i64, amount: f64) -> u64 {
        let s = self.account(src);
        let d = self.account(dst);
        let seq = self.next_seq();
        let pair = match self.pair_index.get(&(s, d)) {
            Some(&p) => p,
            None => {
                let p = match self.free_pairs.pop() {
                    Some(p) => p,
                    None => {
                        self.pairs.push(Pair::default());
                        (self.pairs.len() - 1) as u32
                    }
                };
                let slot = &mut self.pairs[p as usize];
                slot.src = s;
                slot.dst = d;
                self.pair_index.insert((s, d), p);
                self.accounts[s as usize].out.push(p);
                self.accounts[d as usize].inc.push(p);
                p
            }
        };
        let slot = &mut self.pairs[pair as usize];
        if slot.times.back().is_some_and(|&last| last > time)
            || self.max_time.is_some_and(|m| m > time)
        {
            self.time_ordered = false;
        }
        slot.times.push_back(time);
        slot.seqs.push_back(seq);
        let edge = Edge {
            id,
            src: s,
            dst: d,
            time,
            amount,
            pair,
        };
        self.update_moments(&edge, true);
        if s != d {
            self.accounts[s as usize]
                .out_edges
                .push_back((time, seq, pair));
            self.accounts[d as usize]
                .inc_edges
                .push_back((time, seq, pair));
        }
        self.edges.push_back(edge);
        self.max_time = Some(self.max_time.map_or(time, |m| m.max(time)));
        seq
    }

    /// Drops edges older than `max_time − window` (graph) and moves the
    /// statistics' start past edges older than `max_time − stats_window`.
    pub fn expire(&mut self, window: i64, stats_window: i64) {
        let Some(max_time) = self.max_time else {
            return;
        };
        while let Some(oldest) = self.edges.front().copied() {
            if oldest.time >= max_time.saturating_sub(window) {
                break;
            }
            self.edges.pop_front();
            if oldest.src != oldest.dst {
                self.accounts[oldest.src as usize].out_edges.pop_front();
                self.accounts[oldest.dst as usize].inc_edges.pop_front();
            }
            if self.first_seq >= self.stats_from_seq {
                // Still counted by the statistics: it leaves them with the graph.
                self.update_moments(&oldest, false);
                self.stats_from_seq = self.first_seq + 1;
            }
            self.first_seq += 1;
            let p = &mut self.pairs[oldest.pair as usize];
            p.times.pop_front();
            p.seqs.pop_front();
            if p.times.is_empty() {
                self.pair_index.remove(&(oldest.src, oldest.dst));
                remove_item(&mut self.accounts[oldest.src as usize].out, oldest.pair);
                remove_item(&mut self.accounts[oldest.dst as usize].inc, oldest.pair);
                self.free_pairs.push(oldest.pair);
            }
        }
        self.stats_from_seq = self.stats_from_seq.max(self.first_seq);
        while self.stats_from_seq < self.next_seq() {
            let e = *self.edge(self.stats_from_seq);
            if e.time >= max_time.saturating_sub(stats_window) {
                break;
            }
            self.update_moments(&e, false);
            self.stats_from_seq += 1;
        }
    }
}

fn remove_item(list: &mut Vec<u32>, item: u32) {
    if let Some(i) = list.iter().position(|&x| x == item) {
        list.swap_remove(i);
    }
}

/// Index range of `times` (sorted oldest first) with `lo ≤ t < hi`.
pub fn range(times: &VecDeque<i64>, lo: i64, hi: i64) -> (usize, usize) {
    let a = times.partition_point(|&t| t < lo);
    let b = times.partition_point(|&t| t < hi);
    (a, b.max(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_keeps_the_boundary_and_frees_pairs() {
        let mut w = Window::new(vec![4]);
        w.insert(0, 10, 20, 0, 1.0);
        w.insert(1, 10, 20, 100, 1.0);
        w.insert(2, 10, 30, 200, 1.0);
        w.expire(100, 100);
        // 0 < 200 − 100 leaves; 100 stays (≥ boundary).
        assert_eq!(w.pair(0, 1).unwrap().times, [100]);
        w.expire(50, 50);
        assert!(w.pair(0, 1).is_none());
        assert_eq!(w.accounts[0].out.len(), 1);
        assert_eq!(w.stats_from_seq, 2);
    }
}
