//! The temporal multigraph.

use nexus_model::{Channel, Currency, Transaction};
use std::collections::HashMap;

/// Whether a channel moves money between accounts. Card payments and cash
/// at a counter do not make fans, cycles or layering, and are not followed
/// when searching them.
pub fn is_transfer(c: Channel) -> bool {
    matches!(
        c,
        Channel::Wire
            | Channel::DomesticTransfer
            | Channel::Remittance
            | Channel::Crypto
            | Channel::InformalValueTransfer
            | Channel::Cheque
            | Channel::Ach
    )
}

/// A transaction the builder did not take, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based position in the input (a line number when the caller passes one).
    pub line: u64,
    pub id: String,
    pub reason: String,
}

/// What happened while building: what was rejected and what was noted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildReport {
    pub rejected: Vec<Rejected>,
    /// Transactions from an account to itself: kept as edges, never part of
    /// a pattern (money does not move).
    pub self_loops: u64,
    /// Transactions that arrived earlier in the input than a later
    /// timestamp: accepted, the graph is ordered by time.
    pub out_of_order: u64,
}

/// Collects transactions, then builds the graph.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    accounts: Vec<String>,
    account_index: HashMap<String, u32>,
    /// Transaction id hash → first edge with it (ids are kept once, in `ids`).
    tx_ids: HashMap<u64, u32>,
    /// Ids whose hash collided with another id's: checked exactly.
    colliding: std::collections::HashSet<String>,
    ids: Vec<String>,
    src: Vec<u32>,
    dst: Vec<u32>,
    time: Vec<i64>,
    amount: Vec<f64>,
    currency: Vec<u16>,
    currencies: Vec<Currency>,
    channel: Vec<Channel>,
    report: BuildReport,
    last_time: i64,
}

impl GraphBuilder {
    pub fn new() -> GraphBuilder {
        GraphBuilder {
            last_time: i64::MIN,
            ..GraphBuilder::default()
        }
    }

    fn account(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.account_index.get(id) {
            return i;
        }
        let i = self.accounts.len() as u32;
        self.accounts.push(id.to_string());
        self.account_index.insert(id.to_string(), i);
        i
    }

    /// Records a rejected input row (for rows the reader could not parse).
    pub fn reject(&mut self, line: u64, id: &str, reason: impl Into<String>) {
        self.report.rejected.push(Rejected {
            line,
            id: id.to_string(),
            reason: reason.into(),
        });
    }

    /// Adds one transaction. Duplicate ids, empty accounts and amounts that
    /// are not positive are rejected (and reported), never dropped silently.
    pub fn push(&mut self, line: u64, t: &Transaction) -> bool {
        let (id, from, to) = (
            t.id.as_str(),
            t.from_account.as_str(),
            t.to_account.as_str(),
        );
        let (timestamp, amount, currency) = (t.timestamp, t.amount, t.currency);
        if from.is_empty() || to.is_empty() {
            self.reject(line, id, "empty account id");
            return false;
        }
        if amount.0 <= 0 {
            self.reject(line, id, format!("amount {amount} is not positive"));
            return false;
        }
        if self.is_duplicate(id) {
            self.reject(line, id, "duplicate transaction id (first occurrence kept)");
            return false;
        }
        if timestamp.0 < self.last_time {
            self.report.out_of_order += 1;
        }
        self.last_time = self.last_time.max(timestamp.0);
        if from == to {
            self.report.self_loops += 1;
        }
        let s = self.account(from);
        let d = self.account(to);
        let c = match self.currencies.iter().position(|&x| x == currency) {
            Some(i) => i as u16,
            None => {
                self.currencies.push(currency);
                (self.currencies.len() - 1) as u16
            }
        };
        self.ids.push(id.to_string());
        self.src.push(s);
        self.dst.push(d);
        self.time.push(timestamp.0);
        self.amount.push(amount.as_major_f64());
        self.currency.push(c);
        self.channel.push(t.channel);
        true
    }

    /// Records `id` and says whether it was seen before. Ids are hashed to
    /// 64 bits so that 100 million of them fit; a hash shared by two
    /// different ids is resolved by comparing the ids themselves.
    fn is_duplicate(&mut self, id: &str) -> bool {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut h);
        let key = h.finish();
        match self.tx_ids.get(&key) {
            None => {
                self.tx_ids.insert(key, self.ids.len() as u32);
                false
            }
            Some(&first) if self.ids[first as usize] == id => true,
            Some(_) => !self.colliding.insert(id.to_string()),
        }
    }

    /// Number of transactions accepted so far.
    pub fn len(&self) -> usize {
        self.src.len()
    }

    pub fn is_empty(&self) -> bool {
        self.src.is_empty()
    }

    /// Builds the graph. `usd_per_unit` gives the value of one unit of a
    /// currency in US dollars (1.0 when unknown).
    pub fn build(self, usd_per_unit: impl Fn(Currency) -> f64) -> (TemporalGraph, BuildReport) {
        // Each input column is permuted into time order and dropped at
        // once, so that building needs little more than the graph itself
        // (100 million transactions on one machine).
        let GraphBuilder {
            accounts,
            ids,
            src,
            dst,
            time,
            amount,
            currency,
            currencies,
            channel,
            report,
            ..
        } = self;
        let n = src.len();
        // Stable order by time: input order breaks ties.
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by_key(|&i| time[i as usize]);
        let src = permute(src, &order);
        let dst = permute(dst, &order);
        let time = permute(time, &order);
        let amount = permute(amount, &order);
        let currency = permute(currency, &order);
        let channel = permute(channel, &order);
        let rates: Vec<f64> = currencies.iter().map(|&c| usd_per_unit(c)).collect();
        let usd: Vec<f64> = amount
            .iter()
            .zip(&currency)
            .map(|(a, &c)| a * rates[c as usize])
            .collect();
        let mut ids = ids;
        let ids: Vec<String> = order
            .iter()
            .map(|&i| std::mem::take(&mut ids[i as usize]))
            .collect();
        drop(order);
        let account_count = accounts.len();
        let (out_start, out_edge) = csr(account_count, &src);
        let (in_start, in_edge) = csr(account_count, &dst);
        // Times beside the adjacency lists: window searches stay in cache.
        let out_time: Vec<i64> = out_edge.iter().map(|&e| time[e as usize]).collect();
        let in_time: Vec<i64> = in_edge.iter().map(|&e| time[e as usize]).collect();
        (
            TemporalGraph {
                accounts,
                ids,
                src,
                dst,
                time,
                amount,
                currency,
                currencies,
                channel,
                usd,
                out_start,
                out_edge,
                out_time,
                in_start,
                in_edge,
                in_time,
            },
            report,
        )
    }
}

/// `v` in the order given by `order` (consumes `v`).
fn permute<T: Copy>(v: Vec<T>, order: &[u32]) -> Vec<T> {
    order.iter().map(|&i| v[i as usize]).collect()
}

/// Per-vertex edge lists; edges keep their (time) order.
fn csr(vertices: usize, endpoint: &[u32]) -> (Vec<u64>, Vec<u32>) {
    let mut start = vec![0u64; vertices + 1];
    for &v in endpoint {
        start[v as usize + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut fill = start.clone();
    let mut edges = vec![0u32; endpoint.len()];
    for (e, &v) in endpoint.iter().enumerate() {
        let slot = &mut fill[v as usize];
        edges[*slot as usize] = e as u32;
        *slot += 1;
    }
    (start, edges)
}

fn window<'a>(edges: &'a [u32], times: &[i64], from: i64, to: i64) -> &'a [u32] {
    let a = times.partition_point(|&t| t < from);
    let b = times.partition_point(|&t| t <= to);
    &edges[a..b.max(a)]
}

/// Transactions as a directed multigraph in time order. Edge `e` is the
/// `e`-th transaction by time; vertices are accounts.
#[derive(Debug, Clone)]
pub struct TemporalGraph {
    pub accounts: Vec<String>,
    pub ids: Vec<String>,
    pub src: Vec<u32>,
    pub dst: Vec<u32>,
    /// Seconds since the Unix epoch.
    pub time: Vec<i64>,
    /// Amount in the transaction's currency (major units).
    pub amount: Vec<f64>,
    pub currency: Vec<u16>,
    pub currencies: Vec<Currency>,
    pub channel: Vec<Channel>,
    /// Amount in US dollars.
    pub usd: Vec<f64>,
    out_start: Vec<u64>,
    out_edge: Vec<u32>,
    out_time: Vec<i64>,
    in_start: Vec<u64>,
    in_edge: Vec<u32>,
    in_time: Vec<i64>,
}

impl TemporalGraph {
    pub fn edge_count(&self) -> usize {
        self.src.len()
    }

    pub fn account_count(&self) -> usize {
        self.accounts.len()
    }

    /// Outgoing edges of `v`, in time order.
    pub fn out_edges(&self, v: u32) -> &[u32] {
        let (s, e) = (self.out_start[v as usize], self.out_start[v as usize + 1]);
        &self.out_edge[s as usize..e as usize]
    }

    /// Incoming edges of `v`, in time order.
    pub fn in_edges(&self, v: u32) -> &[u32] {
        let (s, e) = (self.in_start[v as usize], self.in_start[v as usize + 1]);
        &self.in_edge[s as usize..e as usize]
    }

    /// Outgoing edges of `v` with time in `from..=to`.
    pub fn out_within(&self, v: u32, from: i64, to: i64) -> &[u32] {
        let (s, e) = (
            self.out_start[v as usize] as usize,
            self.out_start[v as usize + 1] as usize,
        );
        window(&self.out_edge[s..e], &self.out_time[s..e], from, to)
    }

    /// Incoming edges of `v` with time in `from..=to`.
    pub fn in_within(&self, v: u32, from: i64, to: i64) -> &[u32] {
        let (s, e) = (
            self.in_start[v as usize] as usize,
            self.in_start[v as usize + 1] as usize,
        );
        window(&self.in_edge[s..e], &self.in_time[s..e], from, to)
    }

    /// The edges of `list` (in time order) with time in `from..=to`.
    pub fn within<'a>(&self, list: &'a [u32], from: i64, to: i64) -> &'a [u32] {
        let a = list.partition_point(|&e| self.time[e as usize] < from);
        let b = list.partition_point(|&e| self.time[e as usize] <= to);
        &list[a..b.max(a)]
    }

    /// Bytes held by the graph's arrays (ids and account names counted by length).
    pub fn memory_bytes(&self) -> usize {
        let n = self.edge_count();
        n * (4 + 4 + 8 + 8 + 2 + 1 + 8 + 4 + 4 + 8 + 8)
            + (self.out_start.len() + self.in_start.len()) * 8
            + self.ids.iter().map(|s| s.len() + 24).sum::<usize>()
            + self.accounts.iter().map(|s| s.len() + 24).sum::<usize>()
    }
}

/// A small graph for tests: (from, to, time, whole dollars).
#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use nexus_model::{Minor, Timestamp};

    /// A wire transfer in whole US dollars.
    pub fn tx(id: &str, time: i64, from: &str, to: &str, dollars: i64) -> Transaction {
        Transaction {
            id: id.to_string(),
            timestamp: Timestamp(time),
            from_account: from.to_string(),
            to_account: to.to_string(),
            amount: Minor(dollars * 100),
            currency: Currency::USD,
            channel: Channel::Wire,
        }
    }

    pub fn graph(edges: &[(&str, &str, i64, i64)]) -> TemporalGraph {
        let mut b = GraphBuilder::new();
        for (i, &(s, d, t, a)) in edges.iter().enumerate() {
            b.push(i as u64 + 1, &tx(&format!("T{i}"), t, s, d, a));
        }
        b.build(|_| 1.0).0
    }

    #[test]
    fn builds_time_ordered_csr() {
        let g = graph(&[("a", "b", 30, 5), ("a", "c", 10, 5), ("c", "a", 20, 5)]);
        assert_eq!(g.time, [10, 20, 30]);
        let a = g.accounts.iter().position(|x| x == "a").unwrap() as u32;
        let outs: Vec<i64> = g.out_edges(a).iter().map(|&e| g.time[e as usize]).collect();
        assert_eq!(outs, [10, 30]);
        assert_eq!(g.in_edges(a).len(), 1);
        assert_eq!(g.within(g.out_edges(a), 15, 40).len(), 1);
        assert_eq!(g.ids[0], "T1");
    }

    #[test]
    fn rejects_and_reports() {
        let mut b = GraphBuilder::new();
        assert!(b.push(1, &tx("x", 100, "a", "b", 1)));
        assert!(!b.push(2, &tx("x", 100, "a", "b", 1)));
        assert!(!b.push(3, &tx("y", 100, "a", "b", 0)));
        assert!(!b.push(4, &tx("z", 100, "", "b", 5)));
        assert!(b.push(5, &tx("w", 50, "a", "a", 5)));
        let (g, r) = b.build(|_| 1.0);
        assert_eq!(g.edge_count(), 2);
        assert_eq!(r.rejected.len(), 3);
        assert_eq!(r.rejected[0].line, 2);
        assert_eq!(r.self_loops, 1);
        assert_eq!(r.out_of_order, 1);
    }
}
