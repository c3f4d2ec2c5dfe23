//! Detection as transactions arrive: each transaction is checked against
//! the recent past of the two accounts it touches, alerts are emitted when
//! a pattern completes, and edges older than the longest window expire, so
//! memory stays bounded however long the stream runs.
//!
//! Streaming sees only the past: fans are counted without the one-off
//! counterparty test of batch detection (which needs an account's whole
//! history), and each account raises a given typology at most once per
//! window.

use crate::graph::is_transfer;
use crate::rules::DetectConfig;
use nexus_model::explain::{Explanation, Phrase, PhraseKey as K, Value};
use nexus_model::Typology;
use nexus_model::{Channel, Currency, Transaction};
use std::collections::{HashMap, HashSet, VecDeque};

#[derive(Debug, Clone)]
struct Recent {
    id: String,
    other: u32,
    time: i64,
    usd: f64,
    amount: f64,
    currency: Currency,
    channel: Channel,
}

/// Recent edges of an account. Only transfers are kept for the shape
/// rules, and only near-threshold amounts for structuring: a merchant's
/// card payments are never held.
#[derive(Debug, Default)]
struct Account {
    outs: VecDeque<Recent>,
    ins: VecDeque<Recent>,
    near_outs: VecDeque<Recent>,
    near_ins: VecDeque<Recent>,
    /// Last alert time per typology (cool-down).
    alerted: HashMap<Typology, i64>,
}

/// An alert raised by the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamAlert {
    pub typology: Typology,
    pub score: f64,
    pub accounts: Vec<String>,
    pub transactions: Vec<String>,
    pub first_time: i64,
    pub last_time: i64,
    pub total_usd: f64,
    pub explanation: Explanation,
}

/// A transaction the stream refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRejection {
    pub id: String,
    pub reason: String,
}

/// The streaming detector.
pub struct StreamDetector {
    config: DetectConfig,
    index: HashMap<String, u32>,
    names: Vec<String>,
    accounts: Vec<Account>,
    horizon: i64,
    now: i64,
    seen_ids: HashSet<String>,
    seen_order: VecDeque<(i64, String)>,
    pushed: u64,
}

/// Every this many transactions all accounts are swept of expired edges
/// (touched accounts are swept as they go).
const SWEEP_EVERY: u64 = 65_536;

impl StreamDetector {
    pub fn new(config: DetectConfig) -> StreamDetector {
        let horizon = config.stream_horizon();
        StreamDetector {
            config,
            index: HashMap::new(),
            names: Vec::new(),
            accounts: Vec::new(),
            horizon,
            now: i64::MIN,
            seen_ids: HashSet::new(),
            seen_order: VecDeque::new(),
            pushed: 0,
        }
    }

    /// Drops every expired edge of every account.
    pub fn sweep(&mut self) {
        for v in 0..self.accounts.len() as u32 {
            self.expire(v);
        }
    }

    fn account(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        self.accounts.push(Account::default());
        i
    }

    /// Edges held in memory (for bounded-memory checks).
    pub fn held_edges(&self) -> usize {
        self.accounts
            .iter()
            .map(|a| a.outs.len() + a.ins.len() + a.near_outs.len() + a.near_ins.len())
            .sum::<usize>()
            / 2
    }

    fn expire(&mut self, v: u32) {
        let cutoff = self.now - self.horizon;
        let a = &mut self.accounts[v as usize];
        for list in [&mut a.outs, &mut a.ins, &mut a.near_outs, &mut a.near_ins] {
            while list.front().is_some_and(|r| r.time < cutoff) {
                list.pop_front();
            }
        }
    }

    /// Takes one transaction; returns the alerts it completes.
    pub fn push(&mut self, t: &Transaction) -> Result<Vec<StreamAlert>, StreamRejection> {
        let reject = |reason: String| StreamRejection {
            id: t.id.clone(),
            reason,
        };
        if t.amount.0 <= 0 {
            return Err(reject(format!("amount {} is not positive", t.amount)));
        }
        if t.from_account.is_empty() || t.to_account.is_empty() {
            return Err(reject("empty account id".into()));
        }
        let time = t.timestamp.0;
        if self.now != i64::MIN && time < self.now - self.horizon {
            return Err(reject(format!(
                "{} s older than the latest transaction, beyond the {} s detection horizon",
                self.now - time,
                self.horizon
            )));
        }
        if self.seen_ids.contains(&t.id) {
            return Err(reject("duplicate transaction id".into()));
        }
        self.now = self.now.max(time);
        self.pushed += 1;
        if self.pushed.is_multiple_of(SWEEP_EVERY) {
            self.sweep();
        }
        // Ids are remembered for the horizon only: bounded memory.
        self.seen_ids.insert(t.id.clone());
        self.seen_order.push_back((time, t.id.clone()));
        while self
            .seen_order
            .front()
            .is_some_and(|(ts, _)| *ts < self.now - self.horizon)
        {
            if let Some((_, id)) = self.seen_order.pop_front() {
                self.seen_ids.remove(&id);
            }
        }
        let u = self.account(&t.from_account);
        let v = self.account(&t.to_account);
        self.expire(u);
        self.expire(v);
        let usd = t.amount.as_major_f64() * self.config.usd_per_unit(t.currency);
        let recent = |other: u32| Recent {
            id: t.id.clone(),
            other,
            time,
            usd,
            amount: t.amount.as_major_f64(),
            currency: t.currency,
            channel: t.channel,
        };
        // Keep the deques in time order even when a transaction is late.
        if is_transfer(t.channel) {
            insert_sorted(&mut self.accounts[u as usize].outs, recent(v));
            insert_sorted(&mut self.accounts[v as usize].ins, recent(u));
        }
        let near = self.config.thresholds.get(&t.currency).is_some_and(|&th| {
            let a = t.amount.as_major_f64();
            a >= self.config.structuring_band * th && a < th
        });
        if near {
            insert_sorted(&mut self.accounts[u as usize].near_outs, recent(v));
            insert_sorted(&mut self.accounts[v as usize].near_ins, recent(u));
        }
        let mut alerts = Vec::new();
        if u == v {
            return Ok(alerts);
        }
        alerts.extend(self.structuring(u, v, t));
        if is_transfer(t.channel) {
            alerts.extend(self.fan(u, true));
            alerts.extend(self.fan(v, false));
            alerts.extend(self.pass_through(u));
            alerts.extend(self.cycle(u, v, time, usd, &t.id));
        }
        Ok(alerts)
    }

    /// Whether `v` raised `typology` within the last `window` (no need to look again).
    fn cooling(&self, v: u32, typology: Typology, window: i64) -> bool {
        self.accounts[v as usize]
            .alerted
            .get(&typology)
            .is_some_and(|&last| self.now - last < window)
    }

    fn cooled(&mut self, v: u32, typology: Typology, window: i64) -> bool {
        let now = self.now;
        let a = &mut self.accounts[v as usize];
        match a.alerted.get(&typology) {
            Some(&last) if now - last < window => false,
            _ => {
                a.alerted.insert(typology, now);
                true
            }
        }
    }

    fn fan(&mut self, v: u32, outgoing: bool) -> Option<StreamAlert> {
        let typology = if outgoing {
            Typology::FanOut
        } else {
            Typology::FanIn
        };
        if self.cooling(v, typology, self.config.fan_window) {
            return None;
        }
        let c = &self.config;
        let a = &self.accounts[v as usize];
        let list = if outgoing { &a.outs } else { &a.ins };
        let from = self.now - c.fan_window;
        let edges: Vec<&Recent> = list
            .iter()
            .filter(|r| r.time >= from && is_transfer(r.channel) && r.other != v)
            .collect();
        let parties: HashSet<u32> = edges.iter().map(|r| r.other).collect();
        if parties.len() < c.fan_min {
            return None;
        }
        let total: f64 = edges.iter().map(|r| r.usd).sum();
        if total < c.min_total_usd {
            return None;
        }
        let window = c.fan_window;
        let fan_min = c.fan_min;
        let alert = self.alert(
            typology,
            (0.5 + 0.05 * (parties.len() - fan_min) as f64).min(1.0),
            v,
            &edges,
            Phrase::new(if outgoing {
                K::StreamFanOut
            } else {
                K::StreamFanIn
            })
            .with("account", Value::account(self.names[v as usize].as_str()))
            .with("money", in_usd(total))
            .with("parties", Value::count(parties.len()))
            .with("window", Value::Duration(window))
            .with("min", Value::count(fan_min)),
        );
        self.cooled(v, typology, window).then_some(alert)
    }

    fn pass_through(&mut self, m: u32) -> Option<StreamAlert> {
        let cool = self.config.pass_through_window.max(self.config.fan_window);
        if self.cooling(m, Typology::PassThrough, cool) {
            return None;
        }
        let c = &self.config;
        let a = &self.accounts[m as usize];
        let from = self.now - c.pass_through_window.max(c.fan_window);
        let mut used: HashSet<&str> = HashSet::new();
        let mut pairs: Vec<(&Recent, &Recent)> = Vec::new();
        for i in a
            .ins
            .iter()
            .filter(|r| r.time >= from && is_transfer(r.channel))
        {
            let hit = a.outs.iter().find(|o| {
                o.time >= i.time
                    && o.time <= i.time + c.pass_through_window
                    && !used.contains(o.id.as_str())
                    && o.other != i.other
                    && o.usd >= c.pass_through_ratio * i.usd
                    && o.usd <= i.usd
            });
            if let Some(o) = hit {
                used.insert(&o.id);
                pairs.push((i, o));
            }
        }
        if pairs.len() < c.pass_through_min {
            return None;
        }
        let total: f64 = pairs.iter().map(|p| p.0.usd).sum();
        if total < c.min_total_usd {
            return None;
        }
        let edges: Vec<&Recent> = pairs.iter().flat_map(|p| [p.0, p.1]).collect();
        let (n, window, min) = (pairs.len(), c.pass_through_window, c.pass_through_min);
        let alert = self.alert(
            Typology::PassThrough,
            (0.5 + 0.1 * (n - min) as f64).min(1.0),
            m,
            &edges,
            Phrase::new(K::StreamPassThrough)
                .with("account", Value::account(self.names[m as usize].as_str()))
                .with("count", Value::count(n))
                .with("window", Value::Duration(window))
                .with(
                    "ratio",
                    Value::percent(100.0 * self.config.pass_through_ratio, 0),
                )
                .with("money", in_usd(total)),
        );
        self.cooled(m, Typology::PassThrough, window.max(self.config.fan_window))
            .then_some(alert)
    }

    fn structuring(&mut self, u: u32, v: u32, t: &Transaction) -> Vec<StreamAlert> {
        let Some(&threshold) = self.config.thresholds.get(&t.currency) else {
            return Vec::new();
        };
        let a = t.amount.as_major_f64();
        if !(a >= self.config.structuring_band * threshold && a < threshold) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (acct, incoming) in [(v, true), (u, false)] {
            if self.cooling(acct, Typology::Structuring, self.config.structuring_window) {
                continue;
            }
            let c = &self.config;
            let acc = &self.accounts[acct as usize];
            let list = if incoming {
                &acc.near_ins
            } else {
                &acc.near_outs
            };
            let from = self.now - c.structuring_window;
            let near: Vec<&Recent> = list
                .iter()
                .filter(|r| {
                    r.time >= from
                        && r.currency == t.currency
                        && r.amount >= c.structuring_band * threshold
                        && r.amount < threshold
                })
                .collect();
            if near.len() < c.structuring_min {
                continue;
            }
            let (n, window) = (near.len(), c.structuring_window);
            let alert = self.alert(
                Typology::Structuring,
                (0.5 + 0.1 * (n - self.config.structuring_min) as f64).min(1.0),
                acct,
                &near,
                Phrase::new(if incoming {
                    K::StreamStructuringReceived
                } else {
                    K::StreamStructuringMade
                })
                .with(
                    "account",
                    Value::account(self.names[acct as usize].as_str()),
                )
                .with("count", Value::count(n))
                .with(
                    "threshold",
                    Value::Amount {
                        currency: t.currency.as_str().to_string(),
                        amount: threshold,
                    },
                )
                .with("window", Value::Duration(window)),
            );
            if self.cooled(acct, Typology::Structuring, window) {
                out.push(alert);
            }
        }
        out
    }

    /// Does u → v close a temporal cycle v → … → u within the window?
    fn cycle(&mut self, u: u32, v: u32, time: i64, usd: f64, id: &str) -> Option<StreamAlert> {
        if self.cooling(u, Typology::Cycle, self.config.cycle_window) {
            return None;
        }
        let c = &self.config;
        let from = time - c.cycle_window;
        let mut budget = 5_000usize;
        let mut path: Vec<(u32, i64, f64, String)> = Vec::new();
        let found = self.walk(
            v,
            u,
            from,
            time,
            c.cycle_max_len - 1,
            &mut path,
            &mut budget,
        );
        if !found || path.len() + 1 < c.cycle_min_len {
            return None;
        }
        let first = path.first().map_or(usd, |p| p.2);
        if usd < c.hop_ratio_min * first.min(usd) {
            return None;
        }
        let mut names = vec![self.names[v as usize].clone()];
        names.extend(path.iter().map(|p| self.names[p.0 as usize].clone()));
        let total: f64 = path.iter().map(|p| p.2).sum::<f64>() + usd;
        if total < c.min_total_usd {
            return None;
        }
        let mut transactions: Vec<String> = path.iter().map(|p| p.3.clone()).collect();
        transactions.push(id.to_string());
        let first_time = path.first().map_or(time, |p| p.1);
        let window = c.cycle_window;
        let mut round = Value::accounts(names.iter().map(String::as_str));
        round.push(round[0].clone());
        let alert = StreamAlert {
            typology: Typology::Cycle,
            score: 0.7,
            accounts: names.clone(),
            transactions,
            first_time,
            last_time: time,
            total_usd: total,
            explanation: Explanation::of(
                Phrase::new(K::StreamCycle)
                    .with("path", Value::Path(round))
                    .with("hops", Value::count(path.len() + 1))
                    .with("span", Value::Duration((time - first_time).max(60))),
            ),
        };
        self.cooled(u, Typology::Cycle, window).then_some(alert)
    }

    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        at: u32,
        target: u32,
        after: i64,
        before: i64,
        depth: usize,
        path: &mut Vec<(u32, i64, f64, String)>,
        budget: &mut usize,
    ) -> bool {
        if depth == 0 {
            return false;
        }
        for r in &self.accounts[at as usize].outs {
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            if r.time < after || r.time > before || !is_transfer(r.channel) {
                continue;
            }
            if let Some(prev) = path.last() {
                if r.usd < self.config.hop_ratio_min * prev.2 || r.usd > 1.05 * prev.2 {
                    continue;
                }
            }
            if path.iter().any(|p| p.0 == r.other) {
                continue;
            }
            path.push((r.other, r.time, r.usd, r.id.clone()));
            if r.other == target {
                return true;
            }
            if self.walk(r.other, target, r.time, before, depth - 1, path, budget) {
                return true;
            }
            path.pop();
        }
        false
    }

    fn alert(
        &self,
        typology: Typology,
        score: f64,
        account: u32,
        edges: &[&Recent],
        explanation: Phrase,
    ) -> StreamAlert {
        let mut accounts = vec![self.names[account as usize].clone()];
        for r in edges {
            let n = &self.names[r.other as usize];
            if !accounts.contains(n) {
                accounts.push(n.clone());
            }
        }
        StreamAlert {
            typology,
            score,
            accounts,
            transactions: edges.iter().map(|r| r.id.clone()).collect(),
            first_time: edges.iter().map(|r| r.time).min().unwrap_or(self.now),
            last_time: edges.iter().map(|r| r.time).max().unwrap_or(self.now),
            total_usd: edges.iter().map(|r| r.usd).sum(),
            explanation: Explanation::of(explanation),
        }
    }
}

/// An amount known only in US dollars.
fn in_usd(total: f64) -> Value {
    Value::Money {
        usd: total,
        native: vec![("USD".to_string(), total)],
    }
}

fn insert_sorted(list: &mut VecDeque<Recent>, r: Recent) {
    if list.back().is_none_or(|b| b.time <= r.time) {
        list.push_back(r);
    } else {
        let at = list.partition_point(|x| x.time <= r.time);
        list.insert(at, r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::tx;

    #[test]
    fn alerts_when_patterns_complete_and_memory_stays_bounded() {
        let mut d = StreamDetector::new(DetectConfig::default());
        let mut alerts = Vec::new();
        for (i, dst) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            alerts.extend(
                d.push(&tx(&format!("f{i}"), 1000 + i as i64, "hub", dst, 900))
                    .unwrap(),
            );
        }
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].typology, Typology::FanOut);
        assert_eq!(alerts[0].transactions.len(), 5);
        // A cycle closes.
        d.push(&tx("c1", 5000, "x", "y", 5000)).unwrap();
        d.push(&tx("c2", 6000, "y", "z", 4900)).unwrap();
        let got = d.push(&tx("c3", 7000, "z", "x", 4800)).unwrap();
        assert!(
            got.iter()
                .any(|a| a.typology == Typology::Cycle && a.transactions == ["c1", "c2", "c3"]),
            "{got:?}"
        );
        // Duplicates and stale transactions are refused.
        assert!(d.push(&tx("c3", 7001, "z", "x", 4800)).is_err());
        let year = 365 * 86_400;
        d.push(&tx("late", 7000 + year, "p", "q", 10)).unwrap();
        assert!(d.push(&tx("stale", 100, "p", "q", 10)).is_err());
        // Old edges expired: only the touched accounts' recent edges remain.
        for i in 0..1000 {
            d.push(&tx(&format!("s{i}"), 7000 + year + i, "p", "q", 10))
                .unwrap();
        }
        d.sweep();
        assert_eq!(d.held_edges(), 1001);
    }
}
