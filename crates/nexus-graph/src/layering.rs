//! Bipartite and stack layering: several accounts paying the same several
//! accounts "across the board" within a short time, all of them new
//! counterparties — and, for a stack, those receivers passing the money on
//! across the board to a third layer. A lone fan or a scatter-gather needs
//! one hub; layering spreads the money so that no account looks like one.

use crate::graph::{is_transfer, TemporalGraph};
use crate::rules::{
    account_list, clusters, novelty, span, time_span, transfers, Alert, DetectConfig,
};
use nexus_model::explain::{Explanation, Phrase, PhraseKey as K, Value};
use nexus_model::Typology;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Share of sender–receiver pairs that must carry a payment.
const DENSITY_MIN: f64 = 0.5;

/// Largest to smallest payment of a layer: layering splits a sum into
/// similar parts; trade between businesses does not.
const AMOUNT_SPREAD_MAX: f64 = 1.6;

/// A receiver paid by more accounts than this within the window is a hub
/// (a merchant, a utility, an exchange), not a layering account; it is left
/// out before its payers are looked at, which keeps the rule linear at a
/// national scale.
const RECEIVER_PAYERS_MAX: usize = 32;

fn similar_amounts(g: &TemporalGraph, edges: &[u32]) -> bool {
    let (lo, hi) = edges.iter().fold((f64::MAX, 0.0f64), |(lo, hi), &e| {
        (lo.min(g.usd[e as usize]), hi.max(g.usd[e as usize]))
    });
    hi <= AMOUNT_SPREAD_MAX * lo
}

pub(crate) fn layering(g: &TemporalGraph, c: &DetectConfig) -> Vec<Alert> {
    let window = c.scatter_window;
    let mut alerts = Vec::new();
    for s in 0..g.account_count() as u32 {
        if g.out_edges(s).len() < 2 {
            continue;
        }
        let outs = transfers(g, g.out_edges(s));
        for run in clusters(g, &outs, window, 2, |e| g.dst[e as usize]) {
            let from = g.time[run[0] as usize] - window;
            let to = g.time[run[run.len() - 1] as usize] + window;
            let Some(layer) = bipartite(g, s, &run, from, to) else {
                continue;
            };
            // Found once, from its first sender.
            if layer.senders.first() != Some(&s) {
                continue;
            }
            if !new_relations(g, c, &layer, from, to) {
                continue;
            }
            let total: f64 = layer.edges.iter().map(|&e| g.usd[e as usize]).sum();
            if total < c.min_total_usd {
                continue;
            }
            let next = onward_layer(g, c, &layer, total, to + window);
            alerts.push(alert(g, c, &layer, total, next));
        }
    }
    // The second layer of a stack is itself bipartite: keep only the stack.
    let in_stacks: HashSet<u32> = alerts
        .iter()
        .filter(|a| a.typology == Typology::Stack)
        .flat_map(|a| a.edges.iter().copied())
        .collect();
    alerts.retain(|a| {
        a.typology == Typology::Stack || !a.edges.iter().all(|e| in_stacks.contains(e))
    });
    alerts
}

/// Senders, receivers and the transfers between them.
struct Layer {
    senders: Vec<u32>,
    receivers: Vec<u32>,
    edges: Vec<u32>,
    pairs: usize,
}

/// The bipartite block around `s`'s burst `run`: the senders paying at
/// least two of its receivers within `from..=to`, and the receivers paid by
/// at least two of those senders.
fn bipartite(g: &TemporalGraph, s: u32, run: &[u32], from: i64, to: i64) -> Option<Layer> {
    // s's own payments must already be of a similar size: keep the
    // receivers paid within the spread of the median payment.
    let mut amounts: Vec<f64> = run.iter().map(|&e| g.usd[e as usize]).collect();
    amounts.sort_by(f64::total_cmp);
    let median = amounts[amounts.len() / 2];
    let receivers: BTreeSet<u32> = run
        .iter()
        .filter(|&&e| {
            let a = g.usd[e as usize];
            a * AMOUNT_SPREAD_MAX >= median && a <= AMOUNT_SPREAD_MAX * median
        })
        .map(|&e| g.dst[e as usize])
        .filter(|&r| r != s)
        .collect();
    if receivers.len() < 2 {
        return None;
    }
    let mut paid_by: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for &r in &receivers {
        let incoming = g.in_within(r, from, to);
        if incoming.len() > 4 * RECEIVER_PAYERS_MAX {
            continue; // a hub by its volume alone
        }
        let payers: BTreeSet<u32> = incoming
            .iter()
            .filter(|&&e| is_transfer(g.channel[e as usize]))
            .map(|&e| g.src[e as usize])
            .filter(|&x| x != r)
            .collect();
        if payers.len() > RECEIVER_PAYERS_MAX {
            continue;
        }
        for x in payers {
            paid_by.entry(x).or_default().insert(r);
        }
    }
    let senders: Vec<u32> = paid_by
        .iter()
        .filter(|(_, rs)| rs.len() >= 2)
        .map(|(&x, _)| x)
        .collect();
    if senders.len() < 2 {
        return None;
    }
    let sender_set: HashSet<u32> = senders.iter().copied().collect();
    let receivers: Vec<u32> = receivers
        .into_iter()
        .filter(|r| !sender_set.contains(r))
        .filter(|&r| senders.iter().filter(|x| paid_by[x].contains(&r)).count() >= 2)
        .collect();
    if receivers.len() < 2 {
        return None;
    }
    block(g, senders, receivers, from, to)
}

/// The transfers from `senders` to `receivers` within `from..=to`, if they
/// cover enough of the pairs and are of similar size.
fn block(
    g: &TemporalGraph,
    senders: Vec<u32>,
    receivers: Vec<u32>,
    from: i64,
    to: i64,
) -> Option<Layer> {
    let receiver_set: HashSet<u32> = receivers.iter().copied().collect();
    let mut edges = Vec::new();
    let mut pairs = HashSet::new();
    for &x in &senders {
        for &e in g.out_within(x, from, to) {
            let r = g.dst[e as usize];
            if receiver_set.contains(&r) && is_transfer(g.channel[e as usize]) {
                edges.push(e);
                pairs.insert((x, r));
            }
        }
    }
    if (pairs.len() as f64) < DENSITY_MIN * (senders.len() * receivers.len()) as f64
        || !similar_amounts(g, &edges)
    {
        return None;
    }
    edges.sort_unstable();
    Some(Layer {
        senders,
        receivers,
        edges,
        pairs: pairs.len(),
    })
}

/// Every sender deals with its receivers only inside the window (a family
/// supporting the same relatives every month is not layering).
fn new_relations(g: &TemporalGraph, c: &DetectConfig, l: &Layer, from: i64, to: i64) -> bool {
    l.senders
        .iter()
        .all(|&x| novelty(g, x, &l.receivers, from, to) >= c.novelty_min)
}

/// The receivers passing the money on across the board to a third layer
/// within the window after they received it: the stack.
fn onward_layer(
    g: &TemporalGraph,
    c: &DetectConfig,
    l: &Layer,
    received: f64,
    until: i64,
) -> Option<(Layer, f64)> {
    let first_in = l.edges.iter().map(|&e| g.time[e as usize]).min()?;
    let earlier: HashSet<u32> = l.senders.iter().chain(&l.receivers).copied().collect();
    let mut paid_by: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
    for &m in &l.receivers {
        for &e in g.out_within(m, first_in, until) {
            let t = g.dst[e as usize];
            if !earlier.contains(&t) && is_transfer(g.channel[e as usize]) {
                paid_by.entry(t).or_default().insert(m);
            }
        }
    }
    // Targets the intermediaries deal with only now (not a shared landlord
    // or utility they pay every month).
    let targets: Vec<u32> = paid_by
        .iter()
        .filter(|(&t, ms)| {
            ms.iter()
                .filter(|&&m| only_inside(g, m, t, first_in, until))
                .count()
                >= 2
        })
        .map(|(&t, _)| t)
        .collect();
    if targets.len() < 2 {
        return None;
    }
    let layer = block(g, l.receivers.clone(), targets, first_in, until)?;
    let passed: f64 = layer.edges.iter().map(|&e| g.usd[e as usize]).sum();
    if passed < c.hop_ratio_min * received || passed > 1.05 * received {
        return None;
    }
    Some((layer, passed))
}

/// Whether `a` pays `b` only within `from..=to`.
fn only_inside(g: &TemporalGraph, a: u32, b: u32, from: i64, to: i64) -> bool {
    g.out_edges(a).iter().all(|&e| {
        let t = g.time[e as usize];
        g.dst[e as usize] != b || (from..=to).contains(&t)
    })
}

fn alert(
    g: &TemporalGraph,
    c: &DetectConfig,
    l: &Layer,
    total: f64,
    next: Option<(Layer, f64)>,
) -> Alert {
    let first = Phrase::new(K::Layer)
        .with("senders", Value::Accounts(account_list(g, &l.senders)))
        .with("sender_count", Value::count(l.senders.len()))
        .with("receivers", Value::Accounts(account_list(g, &l.receivers)))
        .with("receiver_count", Value::count(l.receivers.len()))
        .with("pairs", Value::count(l.pairs))
        .with(
            "possible",
            Value::count(l.senders.len() * l.receivers.len()),
        )
        .with("money", crate::rules::money(g, &l.edges))
        .with("count", Value::count(l.edges.len()))
        .with("span", span(time_span(g, &l.edges)));
    let rule = Phrase::new(K::LayerRule)
        .with("density", Value::percent(100.0 * DENSITY_MIN, 0))
        .with("spread", Value::number(AMOUNT_SPREAD_MAX, 1))
        .with("window", span(c.scatter_window));
    let mut accounts: Vec<u32> = l.senders.iter().chain(&l.receivers).copied().collect();
    match next {
        Some((second, passed)) => {
            accounts.extend(&second.receivers);
            let mut edges: Vec<u32> = l.edges.iter().chain(&second.edges).copied().collect();
            edges.sort_unstable();
            let then = Phrase::new(K::SecondLayer)
                .with("money", crate::rules::money(g, &second.edges))
                .with("share", Value::percent(100.0 * passed / total, 0))
                .with(
                    "receivers",
                    Value::Accounts(account_list(g, &second.receivers)),
                )
                .with("receiver_count", Value::count(second.receivers.len()))
                .with("pairs", Value::count(second.pairs))
                .with(
                    "possible",
                    Value::count(second.senders.len() * second.receivers.len()),
                );
            Alert {
                probability: None,
                typology: Typology::Stack,
                score: (0.7 + 0.03 * (accounts.len() - 6) as f64).min(1.0),
                accounts,
                edges,
                explanation: Explanation(vec![first, then, rule]),
            }
        }
        None => Alert {
            probability: None,
            typology: Typology::Bipartite,
            score: (0.6 + 0.03 * (accounts.len() - 4) as f64).min(1.0),
            accounts,
            edges: l.edges.clone(),
            explanation: Explanation(vec![first, rule]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::graph;
    use crate::rules::{detect, Flags};

    const HOUR: i64 = 3600;

    /// Senders s1, s2 pay r1, r2, r3 (similar amounts, hours apart); with
    /// `onward`, each r pays t1 and t2 afterwards.
    fn layers(amounts: [i64; 6], onward: bool) -> Vec<(&'static str, &'static str, i64, i64)> {
        let mut edges = Vec::new();
        let mut t = 10 * HOUR;
        let mut k = 0;
        for s in ["s1", "s2"] {
            for r in ["r1", "r2", "r3"] {
                edges.push((s, r, t, amounts[k]));
                k += 1;
                t += 5 * HOUR;
            }
        }
        if onward {
            for r in ["r1", "r2", "r3"] {
                for target in ["t1", "t2"] {
                    edges.push((r, target, t, 100_000 * 97 / 100));
                    t += 5 * HOUR;
                }
            }
        }
        // Unrelated background so that accounts exist beyond the pattern.
        edges.push(("x", "y", 5, 10_000));
        edges
    }

    fn typologies(edges: &[(&str, &str, i64, i64)]) -> Vec<(Typology, usize, usize)> {
        let g = graph(edges);
        detect(&g, &DetectConfig::default(), &Flags::default())
            .into_iter()
            .filter(|a| a.typology == Typology::Bipartite || a.typology == Typology::Stack)
            .map(|a| (a.typology, a.accounts.len(), a.edges.len()))
            .collect()
    }

    #[test]
    fn bipartite_layer_of_similar_amounts() {
        let found = typologies(&layers([100_000; 6], false));
        assert_eq!(found, [(Typology::Bipartite, 5, 6)]);
        let g = graph(&layers([100_000; 6], false));
        let a = &detect(&g, &DetectConfig::default(), &Flags::default())
            .into_iter()
            .find(|a| a.typology == Typology::Bipartite)
            .unwrap();
        assert!(
            a.explanation.to_string().contains("(2 senders)")
                && a.explanation.to_string().contains("6 of 6 possible"),
            "{}",
            a.explanation
        );
    }

    #[test]
    fn dissimilar_amounts_are_trade_not_layering() {
        let found = typologies(&layers(
            [100_000, 5_000, 700_000, 2_000, 60_000, 20_000],
            false,
        ));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn hubs_are_not_layering_receivers() {
        // r1..r3 are paid by 40 other accounts in the same days: shops, not mules.
        let mut edges = layers([100_000; 6], false);
        let payers: Vec<String> = (0..40).map(|i| format!("p{i}")).collect();
        for (i, p) in payers.iter().enumerate() {
            for r in ["r1", "r2", "r3"] {
                edges.push((p.as_str(), r, 12 * HOUR + i as i64 * 60, 50));
            }
        }
        assert!(typologies(&edges).is_empty());
    }

    #[test]
    fn two_layers_make_one_stack_alert() {
        let found = typologies(&layers([100_000; 6], true));
        assert_eq!(found, [(Typology::Stack, 7, 12)]);
    }

    #[test]
    fn standing_relations_are_not_layering() {
        // The same payments every month are a household's or a business's routine.
        let mut edges = Vec::new();
        for month in 0..4 {
            for e in layers([100_000; 6], false).into_iter().take(6) {
                edges.push((e.0, e.1, e.2 + month * 30 * 24 * HOUR, e.3));
            }
        }
        assert!(typologies(&edges).is_empty());
    }
}
