//! Detection quality counted on the alerts themselves: a transaction counts
//! as flagged when a raised alert lists it, never on an internal score.

use crate::rules::Alert;
use std::collections::{BTreeMap, HashMap};

/// Precision, recall and F1 of flagged transactions, and the shape of
/// the alert list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    pub laundering: usize,
    pub flagged: usize,
    pub true_positives: usize,
    pub alerts: usize,
    /// Alerts at least half of whose transactions are laundering.
    pub alerts_mostly_laundering: usize,
    pub largest_alert_accounts: usize,
    /// Per labelled typology: (planted patterns, found) — found when at
    /// least half of a pattern's transactions are in raised alerts.
    pub typologies: BTreeMap<String, (usize, usize)>,
}

impl Evaluation {
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.flagged)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.laundering)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Counts `alerts` against labels: `pattern_of[edge]` is the planted
/// pattern (pattern id, typology) of a laundering edge. Only edges with
/// `in_scope[edge]` count, on both sides (a held-out period).
pub fn evaluate(
    alerts: &[Alert],
    pattern_of: &HashMap<u32, (String, String)>,
    in_scope: &[bool],
) -> Evaluation {
    let mut flagged = vec![false; in_scope.len()];
    let mut ev = Evaluation::default();
    for a in alerts {
        let edges: Vec<u32> = a
            .edges
            .iter()
            .copied()
            .filter(|&e| in_scope[e as usize])
            .collect();
        if edges.is_empty() {
            continue;
        }
        ev.alerts += 1;
        let hits = edges.iter().filter(|e| pattern_of.contains_key(e)).count();
        ev.alerts_mostly_laundering += usize::from(hits * 2 >= edges.len());
        ev.largest_alert_accounts = ev.largest_alert_accounts.max(a.accounts.len());
        for e in edges {
            flagged[e as usize] = true;
        }
    }
    ev.flagged = flagged.iter().filter(|&&f| f).count();
    let mut patterns: HashMap<&str, (&str, usize, usize)> = HashMap::new();
    for (&e, (pattern, typology)) in pattern_of {
        if !in_scope[e as usize] {
            continue;
        }
        ev.laundering += 1;
        ev.true_positives += usize::from(flagged[e as usize]);
        let p = patterns.entry(pattern).or_insert((typology, 0, 0));
        p.1 += 1;
        p.2 += usize::from(flagged[e as usize]);
    }
    for (typology, total, hit) in patterns.values() {
        let t = ev.typologies.entry(typology.to_string()).or_default();
        t.0 += 1;
        t.1 += usize::from(hit * 2 >= *total);
    }
    ev
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_model::Typology;

    #[test]
    fn counts_what_the_alerts_list() {
        let alert = |edges: Vec<u32>| Alert {
            typology: Typology::FanIn,
            score: 1.0,
            accounts: vec![0, 1],
            edges,
            explanation: Default::default(),
            probability: None,
        };
        let labels: HashMap<u32, (String, String)> = [0u32, 1, 2, 3]
            .iter()
            .map(|&e| (e, ("p1".to_string(), "fan_in".to_string())))
            .collect();
        let scope = vec![true; 10];
        let ev = evaluate(
            &[alert(vec![0, 1, 2]), alert(vec![5, 6, 7, 8])],
            &labels,
            &scope,
        );
        assert_eq!((ev.laundering, ev.flagged, ev.true_positives), (4, 7, 3));
        assert_eq!(ev.alerts_mostly_laundering, 1);
        assert_eq!(ev.typologies["fan_in"], (1, 1));
        assert!((ev.f1() - 2.0 * (3.0 / 7.0) * 0.75 / (3.0 / 7.0 + 0.75)).abs() < 1e-12);
    }
}
