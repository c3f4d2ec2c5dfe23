//! Typology rules: the shapes of laundering and terrorist financing, mined
//! within time windows, each alert explained in words.

use crate::graph::{is_transfer, TemporalGraph};
use nexus_model::explain::{AccountRef, Explanation, Phrase, PhraseKey as K, Value};
use nexus_model::Typology;
use nexus_model::{Channel, Currency};
use std::collections::{HashMap, HashSet};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// Windows and thresholds. The defaults suit the region's payment
/// systems; every value can be set in a configuration file
/// ([`DetectConfig::parse`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DetectConfig {
    /// Fan-in / fan-out: distinct counterparties within the window.
    pub fan_window: i64,
    pub fan_min: usize,
    /// Scatter-gather / gather-scatter: intermediaries (or sources and
    /// destinations) within the window.
    pub scatter_window: i64,
    pub scatter_min: usize,
    /// Temporal cycles: increasing timestamps, all within the window.
    pub cycle_window: i64,
    pub cycle_min_len: usize,
    pub cycle_max_len: usize,
    /// Rapid pass-through: out again within this time …
    pub pass_through_window: i64,
    /// … at this share of the amount received or more …
    pub pass_through_ratio: f64,
    /// … this many times.
    pub pass_through_min: usize,
    /// Structuring: amounts in `[band × threshold, threshold)` …
    pub structuring_band: f64,
    /// … this many within the window.
    pub structuring_min: usize,
    pub structuring_window: i64,
    /// Reporting threshold per currency (local units).
    pub thresholds: HashMap<Currency, f64>,
    /// US dollars per unit of each currency.
    pub usd_rates: HashMap<Currency, f64>,
    /// Nexus paths: hops and window from a predicate-offence account to a
    /// designated or high-risk one.
    pub nexus_hops: usize,
    pub nexus_window: i64,
    /// High-risk areas: cross-border transfers (remittance, informal value
    /// transfer) from at least this many senders within the window into an
    /// account held in a high-risk area.
    pub high_risk_senders: usize,
    pub high_risk_window: i64,
    /// Flows smaller than this (USD) are not worth an alert on their own.
    pub min_total_usd: f64,
    /// Fans, scatter-gather and gather-scatter: at least this share of the
    /// counterparties must be new to the account (a burst, not an
    /// employer's payroll or a landlord's tenants).
    pub novelty_min: f64,
    /// Each hop of a cycle or a scatter-gather passes on at least this
    /// share of what came in (and not much more).
    pub hop_ratio_min: f64,
    /// Pieces of one pattern (windows of a fan, pass-throughs of one
    /// account) at most this far apart make one episode, and one alert.
    pub episode_gap: i64,
    /// No episode or model group grows beyond this many accounts: what
    /// would join it beyond becomes an alert of its own.
    pub episode_max_accounts: usize,
}

impl Default for DetectConfig {
    fn default() -> DetectConfig {
        // Cash reporting thresholds and indicative rates of the region
        // (the simulator's world uses the same).
        let table: &[(Currency, f64, f64)] = &[
            (Currency::TJS, 70_000.0, 10.7),
            (Currency::UZS, 150_000_000.0, 12_700.0),
            (Currency::KGS, 1_000_000.0, 87.5),
            (Currency::KZT, 7_000_000.0, 505.0),
            (Currency::TMT, 50_000.0, 3.5),
            (Currency::AFN, 1_000_000.0, 70.0),
            (Currency::RUB, 600_000.0, 90.0),
            (Currency::TRY, 400_000.0, 40.0),
            (Currency::AED, 55_000.0, 3.67),
            (Currency::CNY, 50_000.0, 7.2),
            (Currency::EUR, 10_000.0, 0.92),
            (Currency::USD, 10_000.0, 1.0),
        ];
        let mut thresholds = HashMap::new();
        let mut usd_rates = HashMap::new();
        for &(c, threshold, per_usd) in table {
            thresholds.insert(c, threshold);
            usd_rates.insert(c, 1.0 / per_usd);
        }
        usd_rates.insert(Currency::XBT, 60_000.0);
        DetectConfig {
            fan_window: 10 * DAY,
            fan_min: 5,
            scatter_window: 10 * DAY,
            scatter_min: 3,
            cycle_window: 14 * DAY,
            cycle_min_len: 3,
            cycle_max_len: 6,
            pass_through_window: 24 * HOUR,
            pass_through_ratio: 0.8,
            pass_through_min: 2,
            structuring_band: 0.8,
            structuring_min: 3,
            structuring_window: 14 * DAY,
            thresholds,
            usd_rates,
            nexus_hops: 4,
            nexus_window: 30 * DAY,
            high_risk_senders: 2,
            high_risk_window: 90 * DAY,
            min_total_usd: 1_000.0,
            novelty_min: 0.75,
            hop_ratio_min: 0.5,
            episode_gap: 10 * DAY,
            episode_max_accounts: 60,
        }
    }
}

/// A problem in a configuration file.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("line {line}: {message}")]
pub struct ConfigError {
    pub line: usize,
    pub message: String,
}

impl DetectConfig {
    /// The longest window a streaming rule looks back over: what a
    /// streaming detector keeps, and how far back it is warmed up.
    pub fn stream_horizon(&self) -> i64 {
        [
            self.fan_window,
            self.scatter_window,
            self.cycle_window,
            self.pass_through_window,
            self.structuring_window,
        ]
        .into_iter()
        .max()
        .unwrap_or(86_400)
    }

    /// The value of one unit of `c` in US dollars (1 when unknown).
    pub fn usd_per_unit(&self, c: Currency) -> f64 {
        self.usd_rates.get(&c).copied().unwrap_or(1.0)
    }

    /// Reads `key = value` lines over the defaults. Durations take a unit
    /// (`72h`, `3d`, `90m`, `45s`); `threshold.TJS = 70000` and
    /// `usd_rate.TJS = 0.0935` set per-currency values; `#` starts a comment.
    pub fn parse(text: &str) -> Result<DetectConfig, ConfigError> {
        let mut c = DetectConfig::default();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let err = |message: String| ConfigError { line, message };
            let (key, value) = content
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| err(format!("expected `key = value`, got `{content}`")))?;
            let number = || -> Result<f64, ConfigError> {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| err(format!("`{key}`: `{value}` is not a non-negative number")))
            };
            let count = || -> Result<usize, ConfigError> {
                value
                    .parse::<usize>()
                    .ok()
                    .filter(|v| *v >= 1)
                    .ok_or_else(|| err(format!("`{key}`: `{value}` is not a whole number ≥ 1")))
            };
            let duration = || parse_duration(value).map_err(|m| err(format!("`{key}`: {m}")));
            if let Some(code) = key.strip_prefix("threshold.") {
                let cur = Currency::parse(code)
                    .ok_or_else(|| err(format!("`{code}` is not an ISO 4217 currency code")))?;
                c.thresholds.insert(cur, number()?);
                continue;
            }
            if let Some(code) = key.strip_prefix("usd_rate.") {
                let cur = Currency::parse(code)
                    .ok_or_else(|| err(format!("`{code}` is not an ISO 4217 currency code")))?;
                c.usd_rates.insert(cur, number()?);
                continue;
            }
            match key {
                "fan_window" => c.fan_window = duration()?,
                "fan_min" => c.fan_min = count()?,
                "scatter_window" => c.scatter_window = duration()?,
                "scatter_min" => c.scatter_min = count()?,
                "cycle_window" => c.cycle_window = duration()?,
                "cycle_min_len" => c.cycle_min_len = count()?,
                "cycle_max_len" => c.cycle_max_len = count()?,
                "pass_through_window" => c.pass_through_window = duration()?,
                "pass_through_ratio" => c.pass_through_ratio = number()?,
                "pass_through_min" => c.pass_through_min = count()?,
                "structuring_band" => c.structuring_band = number()?,
                "structuring_min" => c.structuring_min = count()?,
                "structuring_window" => c.structuring_window = duration()?,
                "nexus_hops" => c.nexus_hops = count()?,
                "nexus_window" => c.nexus_window = duration()?,
                "high_risk_senders" => c.high_risk_senders = count()?,
                "high_risk_window" => c.high_risk_window = duration()?,
                "min_total_usd" => c.min_total_usd = number()?,
                "novelty_min" => c.novelty_min = number()?,
                "hop_ratio_min" => c.hop_ratio_min = number()?,
                "episode_gap" => c.episode_gap = duration()?,
                "episode_max_accounts" => c.episode_max_accounts = count()?.max(2),
                _ => return Err(err(format!("unknown setting `{key}`"))),
            }
        }
        if c.cycle_min_len > c.cycle_max_len {
            return Err(ConfigError {
                line: 0,
                message: "cycle_min_len is greater than cycle_max_len".into(),
            });
        }
        Ok(c)
    }
}

fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (num, unit) = t.split_at(t.find(|c: char| c.is_alphabetic()).unwrap_or(t.len()));
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 72h or 3d"))?;
    let scale = match unit.trim() {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => return Err(format!("`{text}`: the unit must be s, m, h or d")),
    };
    if !(n.is_finite() && n > 0.0) {
        return Err(format!("`{text}` must be positive"));
    }
    Ok((n * scale) as i64)
}

/// One detected pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub typology: Typology,
    /// 0..1: how far beyond the rule's minimum the pattern goes (rules), or
    /// the model's probability.
    pub score: f64,
    pub accounts: Vec<u32>,
    /// Edges in time order.
    pub edges: Vec<u32>,
    /// What the pattern is, as phrases each reader gets in their language.
    pub explanation: Explanation,
    /// With a model: its calibrated probability that the alert is
    /// laundering (the mean over the transactions it keeps).
    pub probability: Option<f64>,
}

impl Alert {
    pub fn total_usd(&self, g: &TemporalGraph) -> f64 {
        self.edges.iter().map(|&e| g.usd[e as usize]).sum()
    }
}

/// A sum of money as an analyst reads it: in the currency the transfers
/// were made in, with US dollars in brackets for comparison (`TJS 95,400
/// (USD 8,916)`); several currencies are listed each, their total in US
/// dollars first.
pub fn money(g: &TemporalGraph, edges: &[u32]) -> Value {
    let mut by_currency: Vec<(Currency, f64)> = Vec::new();
    let mut total_usd = 0.0;
    for &e in edges {
        let c = g.currencies[g.currency[e as usize] as usize];
        total_usd += g.usd[e as usize];
        match by_currency.iter_mut().find(|(x, _)| *x == c) {
            Some((_, sum)) => *sum += g.amount[e as usize],
            None => by_currency.push((c, g.amount[e as usize])),
        }
    }
    Value::Money {
        usd: total_usd,
        native: by_currency
            .into_iter()
            .map(|(c, n)| (c.as_str().to_string(), n))
            .collect(),
    }
}

/// A duration as the explanations give it (minutes, hours or days).
pub fn span(seconds: i64) -> Value {
    Value::Duration(seconds)
}

/// An account of the graph as an explanation names it.
pub fn account(g: &TemporalGraph, v: u32) -> Value {
    Value::account(g.accounts[v as usize].as_str())
}

/// Accounts of the graph in order.
pub fn account_list(g: &TemporalGraph, vs: &[u32]) -> Vec<AccountRef> {
    Value::accounts(vs.iter().map(|&v| g.accounts[v as usize].as_str()))
}

pub(crate) fn time_span(g: &TemporalGraph, edges: &[u32]) -> i64 {
    let (a, b) = edges.iter().fold((i64::MAX, i64::MIN), |(a, b), &e| {
        (a.min(g.time[e as usize]), b.max(g.time[e as usize]))
    });
    b - a
}

/// The transfer edges of a list.
pub(crate) fn transfers(g: &TemporalGraph, list: &[u32]) -> Vec<u32> {
    list.iter()
        .copied()
        .filter(|&e| is_transfer(g.channel[e as usize]))
        .collect()
}

/// Share of `parties` the account `v` deals with only inside `from..=to`:
/// one-off counterparties. An employer pays the same staff every month and
/// a utility bills the same households; a laundering burst uses accounts
/// once.
pub(crate) fn novelty(g: &TemporalGraph, v: u32, parties: &[u32], from: i64, to: i64) -> f64 {
    if parties.is_empty() {
        return 0.0;
    }
    let mut known: HashSet<u32> = HashSet::new();
    for list in [g.out_edges(v), g.in_edges(v)] {
        for &e in list {
            let t = g.time[e as usize];
            if t < from || t > to {
                known.insert(g.src[e as usize]);
                known.insert(g.dst[e as usize]);
            }
        }
    }
    parties.iter().filter(|p| !known.contains(p)).count() as f64 / parties.len() as f64
}

/// Accounts flagged by the caller for nexus paths.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// Accounts tied to predicate offences (drug proceeds, organised crime).
    pub predicate: HashSet<u32>,
    /// Designated or high-risk accounts.
    pub designated: HashSet<u32>,
    /// Accounts held in a high-risk area for terrorist financing (a
    /// conflict zone or its edge, as the FIU's risk assessment lists them).
    pub high_risk_area: HashSet<u32>,
    /// The area each of those accounts is held in, where known: the
    /// explanation names it.
    pub area_of: HashMap<u32, String>,
}

/// Runs every rule over the graph.
pub fn detect(g: &TemporalGraph, config: &DetectConfig, flags: &Flags) -> Vec<Alert> {
    let mut alerts = Vec::new();
    alerts.extend(fans(g, config, true));
    alerts.extend(fans(g, config, false));
    alerts.extend(scatter_gather(g, config));
    alerts.extend(gather_scatter(g, config));
    alerts.extend(cycles(g, config));
    alerts.extend(crate::layering::layering(g, config));
    alerts.extend(pass_through(g, config));
    alerts.extend(structuring(g, config));
    alerts.extend(nexus_paths(g, config, flags));
    alerts.extend(designated_activity(g, flags));
    alerts.extend(high_risk_area(g, config, flags));
    alerts.sort_by(|a, b| {
        let ta = a.edges.first().map(|&e| g.time[e as usize]);
        let tb = b.edges.first().map(|&e| g.time[e as usize]);
        ta.cmp(&tb).then(a.typology.cmp(&b.typology))
    });
    alerts
}

/// Maximal runs of `list` (edges of one account, time order) within
/// `window` whose counterparties number at least `min`; runs do not overlap.
pub(crate) fn clusters(
    g: &TemporalGraph,
    list: &[u32],
    window: i64,
    min: usize,
    other: impl Fn(u32) -> u32,
) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < list.len() {
        let t0 = g.time[list[i] as usize];
        let mut j = i;
        let mut seen: HashSet<u32> = HashSet::new();
        while j < list.len() && g.time[list[j] as usize] - t0 <= window {
            let e = list[j];
            if g.src[e as usize] != g.dst[e as usize] {
                seen.insert(other(e));
            }
            j += 1;
        }
        if seen.len() >= min {
            out.push(list[i..j].to_vec());
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn fans(g: &TemporalGraph, c: &DetectConfig, outgoing: bool) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for v in 0..g.account_count() as u32 {
        let all = if outgoing {
            g.out_edges(v)
        } else {
            g.in_edges(v)
        };
        if all.len() < c.fan_min {
            continue;
        }
        let list = transfers(g, all);
        let list = list.as_slice();
        let other = |e: u32| {
            if outgoing {
                g.dst[e as usize]
            } else {
                g.src[e as usize]
            }
        };
        for run in clusters(g, list, c.fan_window, c.fan_min, other) {
            let total: f64 = run.iter().map(|&e| g.usd[e as usize]).sum();
            if total < c.min_total_usd {
                continue;
            }
            let mut parties: Vec<u32> = run.iter().map(|&e| other(e)).collect();
            parties.sort_unstable();
            parties.dedup();
            parties.retain(|&p| p != v);
            let new_share = novelty(
                g,
                v,
                &parties,
                g.time[run[0] as usize],
                g.time[run[run.len() - 1] as usize],
            );
            if new_share < c.novelty_min {
                continue;
            }
            let mut accounts = vec![v];
            accounts.extend(&parties);
            let (typology, key) = if outgoing {
                (Typology::FanOut, K::FanOut)
            } else {
                (Typology::FanIn, K::FanIn)
            };
            let explanation = Explanation::of(
                Phrase::new(key)
                    .with("account", account(g, v))
                    .with("money", money(g, &run))
                    .with("count", Value::count(run.len()))
                    .with("parties", Value::count(parties.len()))
                    .with("span", span(time_span(g, &run)))
                    .with("new_share", Value::percent(100.0 * new_share, 0))
                    .with("min", Value::count(c.fan_min))
                    .with("window", span(c.fan_window)),
            );
            alerts.push(Alert {
                probability: None,
                typology,
                score: (0.5 + 0.05 * (parties.len() - c.fan_min) as f64).min(1.0),
                accounts,
                edges: run,
                explanation,
            });
        }
    }
    alerts
}

fn scatter_gather(g: &TemporalGraph, c: &DetectConfig) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for s in 0..g.account_count() as u32 {
        if g.out_edges(s).len() < c.scatter_min {
            continue;
        }
        let outs = transfers(g, g.out_edges(s));
        for run in clusters(g, &outs, c.scatter_window, c.scatter_min, |e| {
            g.dst[e as usize]
        }) {
            // Where the intermediaries sent money on, after receiving it.
            let mut by_target: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
            for &e in &run {
                let m = g.dst[e as usize];
                if m == s {
                    continue;
                }
                let t = g.time[e as usize];
                let received = g.usd[e as usize];
                for &f in g.out_within(m, t, t + c.scatter_window) {
                    let target = g.dst[f as usize];
                    let passed = g.usd[f as usize];
                    if target != m
                        && target != s
                        && f > e
                        && is_transfer(g.channel[f as usize])
                        && passed >= c.hop_ratio_min * received
                        && passed <= 1.05 * received
                    {
                        by_target.entry(target).or_default().push((e, f));
                    }
                }
            }
            let mut targets: Vec<(&u32, &Vec<(u32, u32)>)> = by_target.iter().collect();
            targets.sort_by_key(|(t, _)| **t);
            for (&target, pairs) in targets {
                let mut mids: Vec<u32> = pairs.iter().map(|&(e, _)| g.dst[e as usize]).collect();
                mids.sort_unstable();
                mids.dedup();
                if mids.len() < c.scatter_min {
                    continue;
                }
                let mut edges: Vec<u32> = pairs.iter().flat_map(|&(e, f)| [e, f]).collect();
                edges.sort_unstable();
                edges.dedup();
                let total_in: f64 = pairs
                    .iter()
                    .map(|&(e, _)| e)
                    .collect::<HashSet<_>>()
                    .iter()
                    .map(|&e| g.usd[e as usize])
                    .sum();
                if total_in < c.min_total_usd {
                    continue;
                }
                let mut accounts = vec![s, target];
                accounts.extend(&mids);
                alerts.push(Alert {
                    probability: None,
                    typology: Typology::ScatterGather,
                    score: (0.6 + 0.05 * (mids.len() - c.scatter_min) as f64).min(1.0),
                    explanation: Explanation::of(
                        Phrase::new(K::ScatterGather)
                            .with("account", account(g, s))
                            .with(
                                "money",
                                money(
                                    g,
                                    &pairs
                                        .iter()
                                        .map(|&(e, _)| e)
                                        .collect::<HashSet<_>>()
                                        .into_iter()
                                        .collect::<Vec<_>>(),
                                ),
                            )
                            .with("count", Value::count(mids.len()))
                            .with("target", account(g, target))
                            .with("span", span(time_span(g, &edges)))
                            .with("min", Value::count(c.scatter_min))
                            .with("window", span(c.scatter_window)),
                    ),
                    accounts,
                    edges,
                });
            }
        }
    }
    alerts
}

fn gather_scatter(g: &TemporalGraph, c: &DetectConfig) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for h in 0..g.account_count() as u32 {
        if g.in_edges(h).len() < c.scatter_min || g.out_edges(h).len() < c.scatter_min {
            continue;
        }
        let ins = transfers(g, g.in_edges(h));
        let all_outs = transfers(g, g.out_edges(h));
        for run in clusters(g, &ins, c.scatter_window, c.scatter_min, |e| {
            g.src[e as usize]
        }) {
            let first = g.time[run[0] as usize];
            let last_in = g.time[run[run.len() - 1] as usize];
            let outs = g.within(&all_outs, first, last_in + c.scatter_window);
            let mut dests: Vec<u32> = outs
                .iter()
                .map(|&e| g.dst[e as usize])
                .filter(|&d| d != h)
                .collect();
            dests.sort_unstable();
            dests.dedup();
            if dests.len() < c.scatter_min {
                continue;
            }
            let mut sources: Vec<u32> = run.iter().map(|&e| g.src[e as usize]).collect();
            sources.sort_unstable();
            sources.dedup();
            let total_in: f64 = run.iter().map(|&e| g.usd[e as usize]).sum();
            let total_out: f64 = outs.iter().map(|&e| g.usd[e as usize]).sum();
            if total_in < c.min_total_usd
                || total_out < c.hop_ratio_min * total_in
                || total_out > 1.05 * total_in
            {
                continue;
            }
            let mut parties = sources.clone();
            parties.extend(&dests);
            let last = outs.last().map_or(last_in, |&e| g.time[e as usize]);
            if novelty(g, h, &parties, first, last) < c.novelty_min {
                continue;
            }
            let mut edges = run.clone();
            edges.extend(outs);
            edges.sort_unstable();
            edges.dedup();
            let mut accounts = vec![h];
            accounts.extend(&sources);
            accounts.extend(&dests);
            alerts.push(Alert {
                probability: None,
                typology: Typology::GatherScatter,
                score: (0.6 + 0.03 * (sources.len() + dests.len() - 2 * c.scatter_min) as f64)
                    .min(1.0),
                explanation: Explanation::of(
                    Phrase::new(K::GatherScatter)
                        .with("account", account(g, h))
                        .with("money_in", money(g, &run))
                        .with("sources", Value::count(sources.len()))
                        .with("money_out", money(g, outs))
                        .with("targets", Value::count(dests.len()))
                        .with("span", span(time_span(g, &edges)))
                        .with("min", Value::count(c.scatter_min))
                        .with("window", span(c.scatter_window)),
                ),
                accounts,
                edges,
            });
        }
    }
    alerts
}

/// Temporal cycles: from each edge, depth-first along later edges within
/// the window, back to the start; each cycle reported once.
fn cycles(g: &TemporalGraph, c: &DetectConfig) -> Vec<Alert> {
    const STEP_BUDGET: usize = 20_000;
    let mut alerts = Vec::new();
    let mut seen: HashSet<Vec<u32>> = HashSet::new();
    for e0 in 0..g.edge_count() as u32 {
        let (u, v) = (g.src[e0 as usize], g.dst[e0 as usize]);
        if u == v || !is_transfer(g.channel[e0 as usize]) {
            continue;
        }
        let t0 = g.time[e0 as usize];
        let end = t0 + c.cycle_window;
        let mut path = vec![e0];
        let mut budget = STEP_BUDGET;
        let mut found: Vec<Vec<u32>> = Vec::new();
        walk(g, u, v, end, c, &mut path, &mut budget, &mut found);
        for cyc in found {
            let mut key = cyc.clone();
            key.sort_unstable();
            if !seen.insert(key) {
                continue;
            }
            let accounts: Vec<u32> = cyc.iter().map(|&e| g.src[e as usize]).collect();
            let total: f64 = cyc.iter().map(|&e| g.usd[e as usize]).sum();
            if total < c.min_total_usd {
                continue;
            }
            let mut round = account_list(g, &accounts);
            round.push(round[0].clone());
            alerts.push(Alert {
                probability: None,
                typology: Typology::Cycle,
                score: 0.7,
                explanation: Explanation::of(
                    Phrase::new(K::Cycle)
                        .with("path", Value::Path(round))
                        .with("hops", Value::count(cyc.len()))
                        .with("span", span(time_span(g, &cyc)))
                        .with("first", money(g, &cyc[..1]))
                        .with("last", money(g, &cyc[cyc.len() - 1..]))
                        .with("min", Value::count(c.cycle_min_len))
                        .with("max", Value::count(c.cycle_max_len))
                        .with("window", span(c.cycle_window)),
                ),
                accounts,
                edges: cyc,
            });
        }
    }
    alerts
}

#[allow(clippy::too_many_arguments)]
fn walk(
    g: &TemporalGraph,
    start: u32,
    at: u32,
    end: i64,
    c: &DetectConfig,
    path: &mut Vec<u32>,
    budget: &mut usize,
    found: &mut Vec<Vec<u32>>,
) {
    let last = *path.last().unwrap_or(&0);
    let t = g.time[last as usize];
    for &e in g.out_within(at, t, end) {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        if e <= last {
            continue; // strictly later in time order
        }
        // The money passes on: a transfer of most of what came in.
        let (came, goes) = (g.usd[last as usize], g.usd[e as usize]);
        if !is_transfer(g.channel[e as usize])
            || goes < c.hop_ratio_min * came
            || goes > 1.05 * came
        {
            continue;
        }
        let next = g.dst[e as usize];
        if next == at {
            continue;
        }
        if next == start {
            if path.len() + 1 >= c.cycle_min_len {
                let mut cyc = path.clone();
                cyc.push(e);
                found.push(cyc);
            }
            continue;
        }
        if path.len() + 1 >= c.cycle_max_len {
            continue;
        }
        if path.iter().any(|&p| g.src[p as usize] == next) {
            continue; // simple cycles only
        }
        path.push(e);
        walk(g, start, next, end, c, path, budget, found);
        path.pop();
    }
}

/// Money in and out again within hours at a similar amount.
fn pass_through(g: &TemporalGraph, c: &DetectConfig) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for m in 0..g.account_count() as u32 {
        let ins = g.in_edges(m);
        let outs = g.out_edges(m);
        if ins.len() < c.pass_through_min || outs.len() < c.pass_through_min {
            continue;
        }
        let mut used: HashSet<u32> = HashSet::new();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for &e in ins {
            // Money arrives by transfer (a cash desk taking deposits is no mule).
            if !is_transfer(g.channel[e as usize]) {
                continue;
            }
            let t = g.time[e as usize];
            let a = g.usd[e as usize];
            let hit = g
                .within(outs, t, t + c.pass_through_window)
                .iter()
                .copied()
                .find(|&f| {
                    f > e
                        && !used.contains(&f)
                        && g.dst[f as usize] != g.src[e as usize]
                        && g.usd[f as usize] >= c.pass_through_ratio * a
                        && g.usd[f as usize] <= a
                });
            if let Some(f) = hit {
                used.insert(f);
                pairs.push((e, f));
            }
        }
        // One alert per episode: pass-throughs further apart than the
        // episode gap are separate stories (a salary account that forwards
        // rent twice a year is not a mule's run).
        let mut runs: Vec<Vec<(u32, u32)>> = Vec::new();
        for p in pairs {
            let starts_new = runs
                .last()
                .and_then(|r| r.last())
                .is_none_or(|&(_, f)| g.time[p.0 as usize] - g.time[f as usize] > c.episode_gap);
            if starts_new {
                runs.push(Vec::new());
            }
            runs.last_mut().expect("pushed").push(p);
        }
        for pairs in runs {
            if pairs.len() < c.pass_through_min {
                continue;
            }
            let total: f64 = pairs.iter().map(|&(e, _)| g.usd[e as usize]).sum();
            if total < c.min_total_usd {
                continue;
            }
            let kept: f64 = pairs
                .iter()
                .map(|&(e, f)| g.usd[e as usize] - g.usd[f as usize])
                .sum();
            let delays: Vec<i64> = pairs
                .iter()
                .map(|&(e, f)| g.time[f as usize] - g.time[e as usize])
                .collect();
            let max_delay = delays.iter().copied().max().unwrap_or(0);
            let mut edges: Vec<u32> = pairs.iter().flat_map(|&(e, f)| [e, f]).collect();
            edges.sort_unstable();
            let mut accounts = vec![m];
            for &e in &edges {
                for a in [g.src[e as usize], g.dst[e as usize]] {
                    if !accounts.contains(&a) {
                        accounts.push(a);
                    }
                }
            }
            alerts.push(Alert {
                probability: None,
                typology: Typology::PassThrough,
                score: (0.5 + 0.1 * (pairs.len() - c.pass_through_min) as f64).min(1.0),
                explanation: Explanation::of(
                    Phrase::new(K::PassThrough)
                        .with("account", account(g, m))
                        .with(
                            "passed",
                            money(g, &pairs.iter().map(|&(_, f)| f).collect::<Vec<_>>()),
                        )
                        .with(
                            "received",
                            money(g, &pairs.iter().map(|&(e, _)| e).collect::<Vec<_>>()),
                        )
                        .with("count", Value::count(pairs.len()))
                        .with("delay", span(max_delay.max(60)))
                        .with("kept", Value::percent(100.0 * kept / total, 1))
                        .with("min", Value::count(c.pass_through_min))
                        .with("window", span(c.pass_through_window))
                        .with("ratio", Value::percent(100.0 * c.pass_through_ratio, 0)),
                ),
                accounts,
                edges,
            });
        }
    }
    alerts
}

/// Repeated amounts just below the reporting threshold of their currency.
fn structuring(g: &TemporalGraph, c: &DetectConfig) -> Vec<Alert> {
    let mut alerts = Vec::new();
    let below = |e: u32| -> bool {
        let cur = g.currencies[g.currency[e as usize] as usize];
        match c.thresholds.get(&cur) {
            Some(&t) => {
                let a = g.amount[e as usize];
                a >= c.structuring_band * t && a < t
            }
            None => false,
        }
    };
    for v in 0..g.account_count() as u32 {
        for (list, incoming) in [(g.in_edges(v), true), (g.out_edges(v), false)] {
            let near: Vec<u32> = list.iter().copied().filter(|&e| below(e)).collect();
            if near.len() < c.structuring_min {
                continue;
            }
            for run in clusters(g, &near, c.structuring_window, 1, |e| e) {
                if run.len() < c.structuring_min {
                    continue;
                }
                let cur = g.currencies[g.currency[run[0] as usize] as usize];
                let threshold = c.thresholds.get(&cur).copied().unwrap_or(0.0);
                let local: f64 = run.iter().map(|&e| g.amount[e as usize]).sum();
                let cash = run
                    .iter()
                    .filter(|&&e| {
                        matches!(
                            g.channel[e as usize],
                            Channel::CashDeposit | Channel::CashWithdrawal
                        )
                    })
                    .count();
                let mut accounts = vec![v];
                for &e in &run {
                    let other = if incoming {
                        g.src[e as usize]
                    } else {
                        g.dst[e as usize]
                    };
                    if !accounts.contains(&other) {
                        accounts.push(other);
                    }
                }
                alerts.push(Alert {
                    probability: None,
                    typology: Typology::Structuring,
                    score: (0.5
                        + 0.1 * (run.len() - c.structuring_min) as f64
                        + if cash * 2 >= run.len() { 0.2 } else { 0.0 })
                    .min(1.0),
                    explanation: Explanation::of(
                        Phrase::new(if incoming {
                            K::StructuringReceived
                        } else {
                            K::StructuringMade
                        })
                        .with("account", account(g, v))
                        .with("count", Value::count(run.len()))
                        .with("band", Value::number(100.0 * c.structuring_band, 0))
                        .with(
                            "threshold",
                            Value::Amount {
                                currency: cur.as_str().to_string(),
                                amount: threshold,
                            },
                        )
                        .with("span", span(time_span(g, &run)))
                        .with(
                            "local",
                            Value::Amount {
                                currency: cur.as_str().to_string(),
                                amount: local,
                            },
                        )
                        .with("cash", Value::count(cash))
                        .with("min", Value::count(c.structuring_min))
                        .with("window", span(c.structuring_window)),
                    ),
                    accounts,
                    edges: run,
                });
            }
        }
    }
    alerts
}

/// Any movement on a designated account: under UNSCR 1267/1373 and FATF
/// Recommendation 6 its funds are frozen without delay, whatever the amount.
fn designated_activity(g: &TemporalGraph, flags: &Flags) -> Vec<Alert> {
    let mut designated: Vec<u32> = flags.designated.iter().copied().collect();
    designated.sort_unstable();
    let mut alerts = Vec::new();
    for v in designated {
        let mut edges: Vec<u32> = g
            .in_edges(v)
            .iter()
            .chain(g.out_edges(v))
            .copied()
            .collect();
        if edges.is_empty() {
            continue;
        }
        edges.sort_unstable();
        edges.dedup();
        let received = money(g, g.in_edges(v));
        let sent = money(g, g.out_edges(v));
        let mut accounts = vec![v];
        for &e in &edges {
            for a in [g.src[e as usize], g.dst[e as usize]] {
                if !accounts.contains(&a) {
                    accounts.push(a);
                }
            }
        }
        alerts.push(Alert {
            probability: None,
            typology: Typology::DesignatedActivity,
            score: 1.0,
            explanation: Explanation::of(
                Phrase::new(K::DesignatedActivity)
                    .with("account", account(g, v))
                    .with("count", Value::count(edges.len()))
                    .with("received", received)
                    .with("sent", sent)
                    .with("parties", Value::count(accounts.len() - 1)),
            ),
            accounts,
            edges,
        });
    }
    alerts
}

/// Cross-border transfers from several senders into an account held in a
/// high-risk area: the self-funding of a foreign terrorist fighter (FATF,
/// *Financing of Recruitment for Terrorist Purposes*, 2018: small transfers
/// by relatives and friends to a person near a conflict zone). Amounts are
/// small and ordinary; the place and the several senders are the signal.
fn high_risk_area(g: &TemporalGraph, c: &DetectConfig, flags: &Flags) -> Vec<Alert> {
    let mut areas: Vec<u32> = flags.high_risk_area.iter().copied().collect();
    areas.sort_unstable();
    let mut alerts = Vec::new();
    for v in areas {
        let incoming: Vec<u32> = g
            .in_edges(v)
            .iter()
            .copied()
            .filter(|&e| {
                matches!(
                    g.channel[e as usize],
                    Channel::Remittance | Channel::InformalValueTransfer
                ) && g.src[e as usize] != v
            })
            .collect();
        for run in clusters(g, &incoming, c.high_risk_window, c.high_risk_senders, |e| {
            g.src[e as usize]
        }) {
            let mut accounts = vec![v];
            for &e in &run {
                let s = g.src[e as usize];
                if !accounts.contains(&s) {
                    accounts.push(s);
                }
            }
            let senders = accounts.len() - 1;
            let phrase = match flags.area_of.get(&v) {
                Some(area) => Phrase::new(K::HighRiskAreaNamed).with("area", Value::text(area)),
                None => Phrase::new(K::HighRiskArea),
            };
            alerts.push(Alert {
                probability: None,
                typology: Typology::HighRiskArea,
                score: (0.6 + 0.1 * (senders - c.high_risk_senders) as f64).min(1.0),
                explanation: Explanation::of(
                    phrase
                        .with("account", account(g, v))
                        .with("money", money(g, &run))
                        .with("count", Value::count(run.len()))
                        .with("senders", Value::count(senders))
                        .with("span", span(time_span(g, &run).max(60)))
                        .with("min", Value::count(c.high_risk_senders))
                        .with("window", span(c.high_risk_window)),
                ),
                accounts,
                edges: run,
            });
        }
    }
    alerts
}

/// Flows from predicate-offence accounts to designated or high-risk ones,
/// within `nexus_hops` transactions in time order and `nexus_window`.
fn nexus_paths(g: &TemporalGraph, c: &DetectConfig, flags: &Flags) -> Vec<Alert> {
    let mut alerts = Vec::new();
    let mut sources: Vec<u32> = flags.predicate.iter().copied().collect();
    sources.sort_unstable();
    for s in sources {
        for &first in g.out_edges(s) {
            // Earliest-arrival search from this first transaction.
            let t0 = g.time[first as usize];
            let end = t0 + c.nexus_window;
            let mut arrival: HashMap<u32, (i64, Option<u32>, usize)> = HashMap::new();
            let mut frontier = vec![first];
            arrival.insert(g.dst[first as usize], (t0, Some(first), 1));
            let mut parent: HashMap<u32, u32> = HashMap::new();
            let mut hit: Option<u32> = None;
            'search: for hop in 1..=c.nexus_hops {
                let mut next = Vec::new();
                for &e in &frontier {
                    let v = g.dst[e as usize];
                    if flags.designated.contains(&v) && v != s {
                        hit = Some(e);
                        break 'search;
                    }
                    if hop == c.nexus_hops {
                        continue;
                    }
                    let t = g.time[e as usize];
                    for &f in g.out_within(v, t, end) {
                        if f <= e {
                            continue;
                        }
                        let w = g.dst[f as usize];
                        let tf = g.time[f as usize];
                        let better = arrival.get(&w).is_none_or(|a| tf < a.0);
                        if better && w != s {
                            arrival.insert(w, (tf, Some(f), hop + 1));
                            parent.insert(f, e);
                            next.push(f);
                        }
                    }
                }
                frontier = next;
                if frontier.is_empty() {
                    break;
                }
            }
            let Some(last) = hit else { continue };
            let mut path = vec![last];
            while let Some(&p) = parent.get(path.last().unwrap_or(&last)) {
                path.push(p);
            }
            path.reverse();
            let accounts: Vec<u32> = std::iter::once(s)
                .chain(path.iter().map(|&e| g.dst[e as usize]))
                .collect();
            alerts.push(Alert {
                probability: None,
                typology: Typology::NexusPath,
                score: 0.9,
                explanation: Explanation::of(
                    Phrase::new(K::NexusPath)
                        .with("source", account(g, accounts[0]))
                        .with("target", account(g, accounts[accounts.len() - 1]))
                        .with("hops", Value::count(path.len()))
                        .with("span", span(time_span(g, &path).max(60)))
                        .with("path", Value::Path(account_list(g, &accounts)))
                        .with("money", money(g, &path[..1]))
                        .with("max", Value::count(c.nexus_hops))
                        .with("window", span(c.nexus_window)),
                ),
                accounts,
                edges: path,
            });
            break; // one path per source account is enough to act on
        }
    }
    alerts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::graph;

    fn names(g: &TemporalGraph, a: &Alert) -> Vec<String> {
        a.accounts
            .iter()
            .map(|&x| g.accounts[x as usize].clone())
            .collect()
    }

    #[test]
    fn fan_out_and_in() {
        let mut edges = Vec::new();
        for i in 0..6 {
            edges.push((
                "hub",
                ["a", "b", "c", "d", "e", "f"][i],
                100 + i as i64 * 600,
                900,
            ));
        }
        edges.push(("x", "y", 50, 900));
        let g = graph(&edges);
        let alerts = detect(&g, &DetectConfig::default(), &Flags::default());
        let fan: Vec<&Alert> = alerts
            .iter()
            .filter(|a| a.typology == Typology::FanOut)
            .collect();
        assert_eq!(fan.len(), 1);
        assert_eq!(fan[0].edges.len(), 6);
        assert!(
            fan[0].explanation.to_string().contains("sent USD 5,400"),
            "{}",
            fan[0].explanation
        );
        assert!(alerts.iter().all(|a| a.typology != Typology::FanIn));
    }

    #[test]
    fn temporal_cycle_once() {
        let g = graph(&[
            ("a", "b", 100, 5000),
            ("b", "c", 200, 4900),
            ("c", "a", 300, 4800),
            ("c", "a", 50, 4800), // starts a second cycle: c → a → b → c
        ]);
        let alerts = detect(&g, &DetectConfig::default(), &Flags::default());
        let cyc: Vec<&Alert> = alerts
            .iter()
            .filter(|a| a.typology == Typology::Cycle)
            .collect();
        assert_eq!(cyc.len(), 2, "{alerts:?}");
        assert_eq!(names(&g, cyc[0]), ["c", "a", "b"]);
        assert_eq!(names(&g, cyc[1]), ["a", "b", "c"]);
        // Times decreasing along the loop: not a temporal cycle.
        let g = graph(&[
            ("a", "b", 300, 5000),
            ("b", "c", 200, 5000),
            ("c", "a", 100, 5000),
        ]);
        let alerts = detect(&g, &DetectConfig::default(), &Flags::default());
        assert!(alerts.iter().all(|a| a.typology != Typology::Cycle));
    }

    #[test]
    fn scatter_gather_and_pass_through() {
        let mut e = Vec::new();
        for (i, m) in ["m1", "m2", "m3"].iter().enumerate() {
            e.push(("src", *m, 1000 + i as i64, 3000));
            e.push((*m, "sink", 5000 + i as i64 * 100, 2900));
        }
        let g = graph(&e);
        let alerts = detect(&g, &DetectConfig::default(), &Flags::default());
        let sg: Vec<&Alert> = alerts
            .iter()
            .filter(|a| a.typology == Typology::ScatterGather)
            .collect();
        assert_eq!(sg.len(), 1);
        assert_eq!(sg[0].edges.len(), 6);
        let g = graph(&[
            ("a", "mule", 0, 3000),
            ("mule", "b", 3600, 2900),
            ("c", "mule", 90_000, 4000),
            ("mule", "d", 95_000, 3950),
        ]);
        let alerts = detect(&g, &DetectConfig::default(), &Flags::default());
        assert!(alerts.iter().any(|a| a.typology == Typology::PassThrough));
    }

    #[test]
    fn transfers_from_several_senders_into_a_high_risk_area() {
        use crate::graph::GraphBuilder;
        use nexus_model::{Minor, Timestamp, Transaction};
        let day = 86_400;
        let rows = [
            ("migrant1", "fighter", 1, Channel::Remittance, 300),
            ("migrant2", "fighter", 20, Channel::Remittance, 450),
            (
                "migrant1",
                "fighter",
                60,
                Channel::InformalValueTransfer,
                200,
            ),
            // A card payment in the area is no remittance; one sender alone
            // is family support.
            ("shop", "baker", 5, Channel::Card, 40),
            ("migrant3", "baker", 8, Channel::Remittance, 150),
        ];
        let mut b = GraphBuilder::new();
        for (i, &(from, to, d, channel, usd)) in rows.iter().enumerate() {
            b.push(
                i as u64 + 1,
                &Transaction {
                    id: format!("t{i}"),
                    timestamp: Timestamp(d * day),
                    from_account: from.into(),
                    to_account: to.into(),
                    amount: Minor(usd * 100),
                    currency: Currency::USD,
                    channel,
                },
            );
        }
        let (g, _) = b.build(|_| 1.0);
        let idx = |n: &str| g.accounts.iter().position(|a| a == n).unwrap() as u32;
        let flags = Flags {
            high_risk_area: [idx("fighter"), idx("baker")].into(),
            ..Flags::default()
        };
        let alerts: Vec<Alert> = detect(&g, &DetectConfig::default(), &flags)
            .into_iter()
            .filter(|a| a.typology == Typology::HighRiskArea)
            .collect();
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(names(&g, &alerts[0]), ["fighter", "migrant1", "migrant2"]);
        assert_eq!(alerts[0].edges.len(), 3);
        assert!(alerts[0]
            .explanation
            .to_string()
            .contains("received USD 950 in 3 cross-border transfers from 2 senders"));
        // Where the area is known, the explanation names it.
        let named = Flags {
            area_of: [(idx("fighter"), "Kunduz".to_string())].into(),
            ..flags.clone()
        };
        assert!(detect(&g, &DetectConfig::default(), &named)
            .iter()
            .any(|a| a
                .explanation
                .to_string()
                .contains("held in Kunduz (a high-risk area)")));
        // Without the area flag, the same payments raise nothing of the kind.
        assert!(detect(&g, &DetectConfig::default(), &Flags::default())
            .iter()
            .all(|a| a.typology != Typology::HighRiskArea));
    }

    #[test]
    fn nexus_path_found_within_hops() {
        let g = graph(&[
            ("drug", "front", 100, 20_000),
            ("front", "mto", 200, 19_000),
            ("mto", "ftf", 300, 18_000),
            ("other", "ftf", 50, 100),
        ]);
        let idx = |n: &str| g.accounts.iter().position(|a| a == n).unwrap() as u32;
        let flags = Flags {
            predicate: [idx("drug")].into(),
            designated: [idx("ftf")].into(),
            ..Flags::default()
        };
        let alerts = detect(&g, &DetectConfig::default(), &flags);
        let p: Vec<&Alert> = alerts
            .iter()
            .filter(|a| a.typology == Typology::NexusPath)
            .collect();
        assert_eq!(p.len(), 1);
        assert_eq!(names(&g, p[0]), ["drug", "front", "mto", "ftf"]);
        let c = DetectConfig {
            nexus_hops: 2,
            ..DetectConfig::default()
        };
        assert!(detect(&g, &c, &flags)
            .iter()
            .all(|a| a.typology != Typology::NexusPath));
    }

    #[test]
    fn money_reads_in_the_currency_paid_with_dollars_beside() {
        use crate::GraphBuilder;
        use nexus_model::{Minor, Timestamp, Transaction};
        let mut b = GraphBuilder::new();
        let rows = [
            ("a", "b", 9_540_000, Currency::TJS),
            ("a", "c", 100_000, Currency::USD),
            ("a", "d", 150_000_000, Currency::RUB),
        ];
        for (i, &(from, to, minor, currency)) in rows.iter().enumerate() {
            b.push(
                i as u64 + 2,
                &Transaction {
                    id: format!("t{i}"),
                    timestamp: Timestamp(i as i64),
                    from_account: from.into(),
                    to_account: to.into(),
                    amount: Minor(minor),
                    currency,
                    channel: Channel::Wire,
                },
            );
        }
        let config = DetectConfig::default();
        let (g, _) = b.build(|c| config.usd_per_unit(c));
        assert_eq!(money(&g, &[0]).to_string(), "TJS 95,400 (USD 8,916)");
        assert_eq!(money(&g, &[1]).to_string(), "USD 1,000");
        assert_eq!(
            money(&g, &[0, 2]).to_string(),
            "USD 26k (TJS 95,400 + RUB 1,500,000)"
        );
    }

    #[test]
    fn config_file() {
        let c = DetectConfig::parse("# region\nfan_window = 48h\nthreshold.TJS = 60000\n").unwrap();
        assert_eq!(c.fan_window, 48 * HOUR);
        assert_eq!(c.thresholds[&Currency::TJS], 60_000.0);
        let e = DetectConfig::parse("fan_min = 5\nfan_windw = 2d\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unknown setting"));
        assert!(DetectConfig::parse("fan_window = 3 weeks").is_err());
        assert!(DetectConfig::parse("fan_min = -1").is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn config_parsing_never_panics(text in "\\PC{0,200}") {
                if let Err(e) = DetectConfig::parse(&text) {
                    prop_assert!(e.line <= text.lines().count());
                }
            }

            /// Rules on any small graph: no panic, alerts refer to real
            /// edges in time order.
            #[test]
            fn rules_on_random_graphs(edges in proptest::collection::vec((0u8..6, 0u8..6, 0i64..2_000_000, 1i64..50_000), 0..60)) {
                let names = ["a", "b", "c", "d", "e", "f"];
                let list: Vec<(&str, &str, i64, i64)> = edges
                    .iter()
                    .map(|&(s, d, t, a)| (names[s as usize], names[d as usize], t, a))
                    .collect();
                let g = graph(&list);
                for alert in detect(&g, &DetectConfig::default(), &Flags::default()) {
                    prop_assert!(!alert.edges.is_empty());
                    prop_assert!(alert.edges.iter().all(|&e| (e as usize) < g.edge_count()));
                    prop_assert!((0.0..=1.0).contains(&alert.score));
                }
            }
        }
    }
}
