//! From rule findings and model scores to the alerts an analyst receives.
//!
//! The rules find candidates and explain them; a model, when there is one,
//! ranks. This module makes the one list that both `nexus detect`'s alerts
//! file and the FIU's queue are made of, so that every figure reported on
//! detection is counted on what the user receives:
//!
//! 1. **Episodes**: pieces of one pattern on one account (a fan's windows,
//!    a mule's pass-throughs) at most [`DetectConfig::episode_gap`] apart
//!    become one alert, bounded by [`DetectConfig::episode_max_accounts`].
//! 2. **The model's verdict** on each alert: its transactions scored below
//!    half the model's threshold are set aside as ordinary; the alert's
//!    probability is the mean over those kept; an alert under the
//!    threshold is *suppressed* (kept apart, not raised). Alerts the law
//!    requires whatever a model says (activity of a designated account,
//!    paths to one) are never suppressed.
//! 3. **What only the model sees**: transactions over the threshold that no
//!    raised alert covers, grouped by the accounts they share within the
//!    episode gap, bounded in accounts, each group explained by its shape.

use crate::features::{FeatureComputer, FeatureConfig, FEATURE_COUNT};
use crate::gbdt::Model;
use crate::rules::{account, money, span, Alert, DetectConfig, Flags};
use crate::TemporalGraph;
use nexus_model::explain::{Explanation, Phrase, PhraseKey as K, Value};
use nexus_model::Typology;
use std::collections::HashMap;

/// The alerts of one detection run.
#[derive(Debug, Clone, Default)]
pub struct Triaged {
    /// Raised: the alerts file, the queue.
    pub alerts: Vec<Alert>,
    /// Under the model's threshold: written only on request (`--all`),
    /// below the fold in the queue.
    pub suppressed: Vec<Alert>,
}

/// Rules, episodes and (with a model) its verdict and its own groups: the
/// whole of detection over a graph. `scores` are the model's calibrated
/// probabilities per edge ([`score_edges`]).
pub fn detect_and_rank(
    g: &TemporalGraph,
    config: &DetectConfig,
    flags: &Flags,
    model: Option<(&Model, &[f32])>,
) -> Triaged {
    let found = episodes(g, crate::rules::detect(g, config, flags), config);
    let Some((model, scores)) = model else {
        return Triaged {
            alerts: found,
            suppressed: Vec::new(),
        };
    };
    let mut t = apply_model(g, found, scores, model.threshold);
    let mut covered = vec![false; g.edge_count()];
    for a in &t.alerts {
        for &e in &a.edges {
            covered[e as usize] = true;
        }
    }
    t.alerts
        .extend(model_groups(g, config, scores, model.threshold, &covered));
    sort_by_time(g, &mut t.alerts);
    sort_by_time(g, &mut t.suppressed);
    t
}

/// The model's calibrated probability for every edge, computing features
/// a million edges at a time (the full matrix of a hundred million rows
/// would not fit beside the graph).
/// `progress(done, total)` is called after each chunk.
pub fn score_edges(
    g: &TemporalGraph,
    model: &Model,
    threads: usize,
    progress: &dyn Fn(u64, u64),
) -> Vec<f32> {
    const CHUNK: u32 = 1 << 20;
    let computer = FeatureComputer::new(g, FeatureConfig::default());
    let n = g.edge_count() as u32;
    let mut scores = Vec::with_capacity(n as usize);
    let mut from = 0u32;
    while from < n {
        let to = n.min(from + CHUNK);
        let edges: Vec<u32> = (from..to).collect();
        let rows = computer.rows(&edges, threads);
        scores.extend(rows.chunks(FEATURE_COUNT).map(|row| model.predict(row)));
        from = to;
        progress(to as u64, n as u64);
    }
    scores
}

fn sort_by_time(g: &TemporalGraph, alerts: &mut [Alert]) {
    alerts.sort_by(|a, b| {
        let ta = a.edges.first().map(|&e| g.time[e as usize]);
        let tb = b.edges.first().map(|&e| g.time[e as usize]);
        ta.cmp(&tb).then(a.typology.cmp(&b.typology))
    });
}

/// What identifies "the same pattern" for a typology: its focal account
/// (the hub of a fan, the mule, the structurer, the designated account),
/// the set of accounts for a cycle, or nothing (every alert stands alone).
fn episode_key(a: &Alert) -> Option<Vec<u32>> {
    match a.typology {
        Typology::FanIn
        | Typology::FanOut
        | Typology::ScatterGather
        | Typology::GatherScatter
        | Typology::PassThrough
        | Typology::Structuring
        | Typology::DesignatedActivity => a.accounts.first().map(|&v| vec![v]),
        Typology::Cycle => {
            let mut k = a.accounts.clone();
            k.sort_unstable();
            Some(k)
        }
        _ => None,
    }
}

/// Merges alerts of one typology on one focal account whose time spans are
/// at most `config.episode_gap` apart into one alert per episode.
pub fn episodes(g: &TemporalGraph, alerts: Vec<Alert>, config: &DetectConfig) -> Vec<Alert> {
    let mut out: Vec<Alert> = Vec::with_capacity(alerts.len());
    let mut groups: HashMap<(Typology, Vec<u32>), Vec<Alert>> = HashMap::new();
    for a in alerts {
        match episode_key(&a) {
            Some(k) => groups.entry((a.typology, k)).or_default().push(a),
            None => out.push(a),
        }
    }
    let first = |a: &Alert| a.edges.iter().map(|&e| g.time[e as usize]).min();
    let last = |a: &Alert| a.edges.iter().map(|&e| g.time[e as usize]).max();
    for (_, mut list) in groups {
        list.sort_by_key(|a| first(a));
        let mut current: Vec<Alert> = Vec::new();
        for a in list {
            let continues = current.last().is_some_and(|prev| {
                let (Some(end), Some(start)) = (last(prev), first(&a)) else {
                    return false;
                };
                let accounts: std::collections::HashSet<u32> = current
                    .iter()
                    .flat_map(|c| c.accounts.iter().copied())
                    .chain(a.accounts.iter().copied())
                    .collect();
                start - end <= config.episode_gap && accounts.len() <= config.episode_max_accounts
            });
            if !continues && !current.is_empty() {
                out.push(merge(g, std::mem::take(&mut current)));
            }
            current.push(a);
        }
        if !current.is_empty() {
            out.push(merge(g, current));
        }
    }
    sort_by_time(g, &mut out);
    out
}

/// One alert from the windows of one episode: their transactions and
/// accounts (the focal account first), the strongest score, the first
/// window's explanation with the episode's extent after it.
fn merge(g: &TemporalGraph, mut parts: Vec<Alert>) -> Alert {
    if parts.len() == 1 {
        return parts.pop().expect("one part");
    }
    let windows = parts.len();
    let mut edges: Vec<u32> = parts.iter().flat_map(|a| a.edges.iter().copied()).collect();
    edges.sort_unstable_by_key(|&e| (g.time[e as usize], e));
    edges.dedup();
    let mut accounts: Vec<u32> = Vec::new();
    for a in &parts {
        for &v in &a.accounts {
            if !accounts.contains(&v) {
                accounts.push(v);
            }
        }
    }
    let score = parts.iter().map(|a| a.score).fold(0.0, f64::max);
    let (t0, t1) = (
        g.time[edges[0] as usize],
        g.time[edges[edges.len() - 1] as usize],
    );
    let first = parts.swap_remove(0);
    let mut explanation = first.explanation;
    explanation.push(
        Phrase::new(K::Episode)
            .with("windows", Value::count(windows))
            .with("span", span(t1 - t0))
            .with("count", Value::count(edges.len()))
            .with("accounts", Value::count(accounts.len()))
            .with("money", money(g, &edges)),
    );
    Alert {
        typology: first.typology,
        score,
        explanation,
        accounts,
        edges,
        probability: None,
    }
}

/// Alerts that stand whatever a model says: the law requires the FIU to
/// look at a designated account's activity and at paths that reach one,
/// and a terrorist-financing red flag (transfers from several senders into
/// a high-risk area) is too rare for a model trained on laundering to
/// rank.
pub fn mandatory(t: Typology) -> bool {
    matches!(
        t,
        Typology::DesignatedActivity
            | Typology::NexusPath
            | Typology::HighRiskArea
            | Typology::SanctionsMatch
    )
}

/// The model's verdict on each rule alert (see the module documentation).
pub fn apply_model(
    g: &TemporalGraph,
    alerts: Vec<Alert>,
    scores: &[f32],
    threshold: f32,
) -> Triaged {
    let floor = 0.5 * threshold;
    let mut out = Triaged::default();
    for mut a in alerts {
        let mean = |edges: &[u32]| -> f64 {
            if edges.is_empty() {
                return 0.0;
            }
            edges
                .iter()
                .map(|&e| scores[e as usize] as f64)
                .sum::<f64>()
                / edges.len() as f64
        };
        if mandatory(a.typology) {
            a.probability = Some(mean(&a.edges));
            out.alerts.push(a);
            continue;
        }
        let kept: Vec<u32> = a
            .edges
            .iter()
            .copied()
            .filter(|&e| scores[e as usize] >= floor)
            .collect();
        let p = mean(&kept);
        if kept.len() < 2 || p < threshold as f64 {
            a.probability = Some(mean(&a.edges));
            a.explanation.push(
                Phrase::new(K::ModelSuppressed)
                    .with(
                        "probability",
                        Value::number(a.probability.unwrap_or(0.0), 2),
                    )
                    .with("threshold", Value::number(threshold as f64, 2))
                    .with("kept", Value::count(kept.len()))
                    .with("count", Value::count(a.edges.len()))
                    .with("floor", Value::number(floor as f64, 2)),
            );
            out.suppressed.push(a);
            continue;
        }
        let set_aside = a.edges.len() - kept.len();
        if set_aside > 0 {
            // Accounts only the set-aside transactions touched go too; the
            // focal account stays first.
            let focal = a.accounts.first().copied();
            let mut touched: Vec<u32> = Vec::new();
            for &e in &kept {
                for v in [g.src[e as usize], g.dst[e as usize]] {
                    if !touched.contains(&v) {
                        touched.push(v);
                    }
                }
            }
            a.accounts
                .retain(|v| touched.contains(v) || Some(*v) == focal);
            a.edges = kept;
        }
        a.probability = Some(p);
        a.explanation.push(
            Phrase::new(K::ModelKept)
                .with("probability", Value::number(p, 2))
                .with("threshold", Value::number(threshold as f64, 2)),
        );
        if set_aside > 0 {
            a.explanation
                .push(Phrase::new(K::ModelSetAside).with("count", Value::count(set_aside)));
        }
        out.alerts.push(a);
    }
    out
}

/// Transactions over the threshold that no raised alert covers, grouped
/// into bounded alerts (see the module documentation).
pub fn model_groups(
    g: &TemporalGraph,
    config: &DetectConfig,
    scores: &[f32],
    threshold: f32,
    covered: &[bool],
) -> Vec<Alert> {
    let flagged: Vec<u32> = (0..g.edge_count() as u32)
        .filter(|&e| !covered[e as usize] && scores[e as usize] >= threshold)
        .collect();
    // Union-find over flagged edges (edge ids are in time order): an edge
    // joins the group of the last flagged edge of either of its accounts
    // when that one is within the episode gap and the union stays bounded.
    let mut parent: Vec<usize> = (0..flagged.len()).collect();
    let mut members: Vec<Vec<u32>> = flagged
        .iter()
        .map(|&e| {
            let (s, d) = (g.src[e as usize], g.dst[e as usize]);
            if s == d {
                vec![s]
            } else {
                vec![s, d]
            }
        })
        .collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut last_of: HashMap<u32, usize> = HashMap::new();
    for (i, &e) in flagged.iter().enumerate() {
        let t = g.time[e as usize];
        for v in [g.src[e as usize], g.dst[e as usize]] {
            if let Some(&j) = last_of.get(&v) {
                if t - g.time[flagged[j] as usize] <= config.episode_gap {
                    let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                    if ri != rj {
                        let mut union = members[ri].clone();
                        for &a in &members[rj] {
                            if !union.contains(&a) {
                                union.push(a);
                            }
                        }
                        if union.len() <= config.episode_max_accounts {
                            parent[rj] = ri;
                            members[ri] = union;
                            members[rj] = Vec::new();
                        }
                    }
                }
            }
            last_of.insert(v, i);
        }
    }
    let mut groups: HashMap<usize, Vec<u32>> = HashMap::new();
    for (i, &e) in flagged.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(e);
    }
    let mut out: Vec<Alert> = groups
        .into_values()
        .map(|edges| group_alert(g, scores, threshold, edges))
        .collect();
    out.sort_by_key(|a| a.edges[0]);
    out
}

/// A model group as an alert, explained by its shape: the account most
/// of its transactions pass through, what it received and sent.
fn group_alert(g: &TemporalGraph, scores: &[f32], threshold: f32, edges: Vec<u32>) -> Alert {
    let mut degree: HashMap<u32, (usize, usize, f64, f64)> = HashMap::new();
    let mut accounts: Vec<u32> = Vec::new();
    for &e in &edges {
        let (s, d, a) = (g.src[e as usize], g.dst[e as usize], g.usd[e as usize]);
        let out = degree.entry(s).or_default();
        out.1 += 1;
        out.3 += a;
        let inn = degree.entry(d).or_default();
        inn.0 += 1;
        inn.2 += a;
        for v in [s, d] {
            if !accounts.contains(&v) {
                accounts.push(v);
            }
        }
    }
    // The hub first: most transactions, then earliest seen.
    let hub = accounts
        .iter()
        .copied()
        .max_by_key(|v| {
            let d = degree[v];
            (
                d.0 + d.1,
                std::cmp::Reverse(accounts.iter().position(|x| x == v)),
            )
        })
        .expect("a group has accounts");
    accounts.retain(|&v| v != hub);
    accounts.insert(0, hub);
    let (ins, outs, _, _) = degree[&hub];
    let hub_in: Vec<u32> = edges
        .iter()
        .copied()
        .filter(|&e| g.dst[e as usize] == hub)
        .collect();
    let hub_out: Vec<u32> = edges
        .iter()
        .copied()
        .filter(|&e| g.src[e as usize] == hub)
        .collect();
    let (received, sent) = (money(g, &hub_in), money(g, &hub_out));
    let probs: Vec<f64> = edges.iter().map(|&e| scores[e as usize] as f64).collect();
    let mean = probs.iter().sum::<f64>() / probs.len() as f64;
    let best = probs.iter().copied().fold(0.0, f64::max);
    let (t0, t1) = (
        g.time[edges[0] as usize],
        g.time[edges[edges.len() - 1] as usize],
    );
    let shape = Phrase::new(match (ins, outs) {
        (0, _) => K::ModelGroupSent,
        (_, 0) => K::ModelGroupReceived,
        _ => K::ModelGroupBoth,
    })
    .with("account", account(g, hub))
    .with("received", received)
    .with("received_count", Value::count(ins))
    .with("sent", sent)
    .with("sent_count", Value::count(outs));
    Alert {
        typology: Typology::Model,
        score: best,
        explanation: Explanation(vec![
            Phrase::new(K::ModelGroup)
                .with("count", Value::count(edges.len()))
                .with("accounts", Value::count(accounts.len()))
                .with("span", span((t1 - t0).max(60)))
                .with("mean", Value::number(mean, 2))
                .with("best", Value::number(best, 2))
                .with("threshold", Value::number(threshold as f64, 2))
                .with("money", money(g, &edges)),
            shape,
        ]),
        accounts,
        edges,
        probability: Some(mean),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GraphBuilder;
    use nexus_model::{Channel, Currency, Minor, Timestamp, Transaction};

    const DAY: i64 = 86_400;

    fn graph(rows: &[(&str, &str, i64, i64)]) -> TemporalGraph {
        let mut b = GraphBuilder::new();
        for (i, &(from, to, t, amount)) in rows.iter().enumerate() {
            b.push(
                i as u64 + 2,
                &Transaction {
                    id: format!("t{i}"),
                    timestamp: Timestamp(t),
                    from_account: from.into(),
                    to_account: to.into(),
                    amount: Minor(amount * 100),
                    currency: Currency::USD,
                    channel: Channel::DomesticTransfer,
                },
            );
        }
        b.build(|_| 1.0).0
    }

    fn fan_in(g: &TemporalGraph, edges: Vec<u32>) -> Alert {
        let hub = g.dst[edges[0] as usize];
        let mut accounts = vec![hub];
        accounts.extend(edges.iter().map(|&e| g.src[e as usize]));
        Alert {
            typology: Typology::FanIn,
            score: 0.5,
            accounts,
            edges,
            explanation: Explanation::default(),
            probability: None,
        }
    }

    #[test]
    fn windows_of_one_pattern_make_one_episode_and_distant_ones_two() {
        let g = graph(&[
            ("a", "h", 0, 100),
            ("b", "h", DAY, 100),
            ("c", "h", 11 * DAY, 100),
            ("d", "h", 12 * DAY, 100),
            ("e", "h", 60 * DAY, 100),
            ("f", "h", 61 * DAY, 100),
        ]);
        let alerts = vec![
            fan_in(&g, vec![0, 1]),
            fan_in(&g, vec![2, 3]),
            fan_in(&g, vec![4, 5]),
        ];
        let merged = episodes(&g, alerts, &DetectConfig::default());
        assert_eq!(merged.len(), 2, "{merged:#?}");
        assert_eq!(merged[0].edges, vec![0, 1, 2, 3]);
        assert_eq!(g.accounts[merged[0].accounts[0] as usize], "h");
        assert!(merged[0].explanation.to_string().contains("2 windows"));
        assert_eq!(merged[1].edges, vec![4, 5]);
    }

    #[test]
    fn episodes_stop_growing_at_the_account_bound() {
        let g = graph(&[
            ("a", "h", 0, 1),
            ("b", "h", DAY, 1),
            ("c", "h", 2 * DAY, 1),
            ("d", "h", 3 * DAY, 1),
        ]);
        let config = DetectConfig {
            episode_max_accounts: 3,
            ..DetectConfig::default()
        };
        let merged = episodes(
            &g,
            vec![fan_in(&g, vec![0, 1]), fan_in(&g, vec![2, 3])],
            &config,
        );
        assert_eq!(merged.len(), 2);
        assert!(merged.iter().all(|a| a.accounts.len() <= 3));
    }

    #[test]
    fn the_model_trims_suppresses_and_keeps_mandatory_alerts() {
        let g = graph(&[
            ("a", "h", 0, 1),
            ("b", "h", 1, 1),
            ("c", "h", 2, 1),
            ("d", "x", 3, 1),
            ("e", "x", 4, 1),
        ]);
        let scores = [0.9, 0.8, 0.05, 0.1, 0.2];
        let mut designated = fan_in(&g, vec![3, 4]);
        designated.typology = Typology::DesignatedActivity;
        let t = apply_model(
            &g,
            vec![
                fan_in(&g, vec![0, 1, 2]),
                fan_in(&g, vec![3, 4]),
                designated,
            ],
            &scores,
            0.5,
        );
        assert_eq!(t.alerts.len(), 2);
        let kept = &t.alerts[0];
        assert_eq!(
            kept.edges,
            vec![0, 1],
            "the ordinary transaction is left out"
        );
        assert!(!kept.accounts.contains(&g.src[2]), "and so is its sender");
        assert!((kept.probability.unwrap() - 0.85).abs() < 1e-6);
        assert_eq!(t.alerts[1].typology, Typology::DesignatedActivity);
        assert_eq!(t.suppressed.len(), 1);
        assert!(t.suppressed[0]
            .explanation
            .to_string()
            .contains("suppressed"));
    }

    #[test]
    fn model_groups_are_bounded_and_split_by_time() {
        let mut rows = Vec::new();
        let names: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
        for (i, n) in names.iter().enumerate() {
            rows.push((n.as_str(), "hub", i as i64 * 60, 500));
        }
        rows.push(("late", "hub", 100 * DAY, 500));
        let g = graph(&rows);
        let scores = vec![0.9f32; g.edge_count()];
        let covered = vec![false; g.edge_count()];
        let config = DetectConfig {
            episode_max_accounts: 6,
            ..DetectConfig::default()
        };
        let groups = model_groups(&g, &config, &scores, 0.5, &covered);
        assert!(groups.iter().all(|a| a.accounts.len() <= 6), "{groups:#?}");
        assert_eq!(groups.iter().map(|a| a.edges.len()).sum::<usize>(), 11);
        let late = groups.iter().find(|a| a.edges.contains(&10)).unwrap();
        assert_eq!(
            late.edges,
            vec![10],
            "a hundred days later is another story"
        );
        assert_eq!(g.accounts[groups[0].accounts[0] as usize], "hub");
        assert!(groups[0]
            .explanation
            .to_string()
            .contains("account hub received"));
    }
}
