//! Training a model on labelled transactions, split by time: the earliest
//! part trains the trees, the next calibrates them and chooses the
//! threshold, the latest (the holdout) is where the model is judged —
//! counted on the alerts detection would raise with it, rules alone beside.

use crate::evaluate::{evaluate, Evaluation};
use crate::features::{self, FeatureConfig, FEATURE_COUNT, FEATURE_NAMES};
use crate::gbdt::{self, Model, TrainConfig};
use crate::rules::{DetectConfig, Flags};
use crate::triage::detect_and_rank;
use crate::TemporalGraph;
use std::collections::HashMap;

/// A trained model and how it fared.
#[derive(Debug, Clone)]
pub struct Trained {
    pub model: Model,
    pub train_transactions: usize,
    pub train_laundering: usize,
    pub validation_transactions: usize,
    /// With a holdout: its start, and the alerts of rules alone and of
    /// rules ranked by the model, counted against the labels.
    pub holdout: Option<Holdout>,
}

#[derive(Debug, Clone)]
pub struct Holdout {
    pub from: i64,
    pub rules: Evaluation,
    pub ranked: Evaluation,
}

/// Trains on `g` with `labels` (edge → pattern, typology); the last
/// `holdout` share of the time span (0..0.95) is kept for judging.
/// `progress(stage, done, total)` reports the stages `features` and `trees`.
pub fn train_with_holdout(
    g: &TemporalGraph,
    config: &DetectConfig,
    labels: &HashMap<u32, (String, String)>,
    holdout: f64,
    trees: usize,
    threads: usize,
    progress: &dyn Fn(&str, u64, u64),
) -> Trained {
    let truth: Vec<bool> = (0..g.edge_count() as u32)
        .map(|e| labels.contains_key(&e))
        .collect();
    let f = features::compute_with_progress(g, &FeatureConfig::default(), threads, &|d, n| {
        progress("features", d, n)
    });
    let holdout = holdout.clamp(0.0, 0.95);
    let (t0, t1) = (g.time[0], g.time[g.edge_count() - 1]);
    let cut = t1 - ((t1 - t0) as f64 * holdout) as i64;
    let train_end = t0 + ((cut - t0) as f64 * 0.8) as i64;
    let rows = |lo: i64, hi: i64| -> Vec<usize> {
        (0..g.edge_count())
            .filter(|&e| g.time[e] >= lo && g.time[e] < hi)
            .collect()
    };
    let (train_rows, valid_rows) = if holdout > 0.0 {
        (rows(i64::MIN, train_end), rows(train_end, cut))
    } else {
        (rows(i64::MIN, train_end), rows(train_end, i64::MAX))
    };
    let model = gbdt::train_with_progress(
        &f,
        FEATURE_NAMES,
        &truth,
        &train_rows,
        &valid_rows,
        &TrainConfig {
            trees,
            ..TrainConfig::default()
        },
        &|t| progress("trees", t as u64, trees as u64),
    );
    let held = (holdout > 0.0).then(|| {
        let scores: Vec<f32> = (0..g.edge_count())
            .map(|e| model.predict(&f[e * FEATURE_COUNT..(e + 1) * FEATURE_COUNT]))
            .collect();
        let in_scope: Vec<bool> = (0..g.edge_count()).map(|e| g.time[e] >= cut).collect();
        let rules_only = detect_and_rank(g, config, &Flags::default(), None);
        let ranked = detect_and_rank(g, config, &Flags::default(), Some((&model, &scores)));
        Holdout {
            from: cut,
            rules: evaluate(&rules_only.alerts, labels, &in_scope),
            ranked: evaluate(&ranked.alerts, labels, &in_scope),
        }
    });
    Trained {
        train_transactions: train_rows.len(),
        train_laundering: train_rows.iter().filter(|&&r| truth[r]).count(),
        validation_transactions: valid_rows.len(),
        model,
        holdout: held,
    }
}

impl Trained {
    /// The figures a supervisor reads before putting the model in force.
    pub fn metrics_json(&self) -> String {
        let ev = |e: &Evaluation| {
            serde_json::json!({
                "precision": e.precision(), "recall": e.recall(), "f1": e.f1(),
                "alerts": e.alerts, "laundering": e.laundering, "flagged": e.flagged,
            })
        };
        serde_json::json!({
            "train_transactions": self.train_transactions,
            "train_laundering": self.train_laundering,
            "validation_transactions": self.validation_transactions,
            "threshold": self.model.threshold,
            "holdout": self.holdout.as_ref().map(|h| serde_json::json!({
                "from": h.from, "rules": ev(&h.rules), "rules_and_model": ev(&h.ranked),
            })),
        })
        .to_string()
    }
}
