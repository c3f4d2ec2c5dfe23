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

/// The live edges from one account to another, oldest first, in two
/// parallel vectors with a moving start (contiguous, so windows are found
/// by binary search on a plain slice).
#[derive(Default, Debug)]
pub struct Pair {
    pub src: u32,
    pub dst: u32,
    time_buf: Vec<i64>,
    /// Insertion numbers (see [`Window::edge`]), parallel to the times.
    seq_buf: Vec<u64>,
    head: usize,
}

impl Pair {
    pub fn times(&self) -> &[i64] {
        &self.time_buf[self.head..]
    }
    pub fn seqs(&self) -> &[u64] {
        &self.seq_buf[self.head..]
    }
    pub fn len(&self) -> usize {
        self.time_buf.len() - self.head
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Time of the newest live edge (the pair is never empty while listed).
    pub fn last_time(&self) -> i64 {
        *self.time_buf.last().expect("listed pairs are non-empty")
    }
    fn push(&mut self, time: i64, seq: u64) {
        self.time_buf.push(time);
        self.seq_buf.push(seq);
    }
    fn pop_front(&mut self) {
        self.head += 1;
        if self.head == self.time_buf.len() {
            self.time_buf.clear();
            self.seq_buf.clear();
            self.head = 0;
        } else if self.head >= 32 && self.head * 2 >= self.time_buf.len() {
            self.time_buf.drain(..self.head);
            self.seq_buf.drain(..self.head);
            self.head = 0;
        }
    }
}

#[derive(Default, Debug)]
pub struct Account {
    /// The caller's account id (GFP raw columns 1 and 2).
    pub id: u64,
    pub out: Vec<u32>,
    pub inc: Vec<u32>,
    /// Live edges to and from other accounts (self-transfers left out), in
    /// insertion order: `(time, insertion number, pair)`. Fan and degree
    /// slide windows over these instead of visiting every counterparty.
    pub out_edges: VecDeque<(i64, u64, u32)>,
    pub inc_edges: VecDeque<(i64, u64, u32)>,
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
}

impl Window {
    pub fn new() -> Window {
        Window {
            time_ordered: true,
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
        if slot.times().last().is_some_and(|&last| last > time)
            || self.max_time.is_some_and(|m| m > time)
        {
            self.time_ordered = false;
        }
        slot.push(time, seq);
        let edge = Edge {
            id,
            src: s,
            dst: d,
            time,
            amount,
            pair,
        };
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
            self.first_seq += 1;
            let p = &mut self.pairs[oldest.pair as usize];
            p.pop_front();
            if p.is_empty() {
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
pub fn range(times: &[i64], lo: i64, hi: i64) -> (usize, usize) {
    let a = times.partition_point(|&t| t < lo);
    let b = times.partition_point(|&t| t < hi);
    (a, b.max(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_keeps_the_boundary_and_frees_pairs() {
        let mut w = Window::new();
        w.insert(0, 10, 20, 0, 1.0);
        w.insert(1, 10, 20, 100, 1.0);
        w.insert(2, 10, 30, 200, 1.0);
        w.expire(100, 100);
        // 0 < 200 − 100 leaves; 100 stays (≥ boundary).
        assert_eq!(w.pair(0, 1).unwrap().times(), [100]);
        w.expire(50, 50);
        assert!(w.pair(0, 1).is_none());
        assert_eq!(w.accounts[0].out.len(), 1);
        assert_eq!(w.stats_from_seq, 2);
    }
}
