//! Gradient-boosted decision trees for one rare class (laundering), small
//! and dependency-free: histogram splits on quantile bins, logistic loss,
//! second-order leaf values, negatives subsampled and re-weighted.

use std::fmt::Write as _;

/// Training settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    pub trees: usize,
    pub depth: usize,
    pub learning_rate: f32,
    /// Quantile bins per feature (at most 255).
    pub bins: usize,
    /// Smallest hessian sum a leaf may have.
    pub min_child_weight: f32,
    /// L2 regularisation of leaf values.
    pub lambda: f32,
    /// Share of negative rows kept per tree (positives are all kept).
    pub negative_sample: f32,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> TrainConfig {
        TrainConfig {
            trees: 200,
            depth: 6,
            learning_rate: 0.1,
            bins: 64,
            min_child_weight: 1.0,
            lambda: 1.0,
            negative_sample: 0.3,
            seed: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Split {
        feature: u16,
        threshold: f32,
        left: u32,
        right: u32,
    },
    Leaf(f32),
}

/// A trained model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub feature_names: Vec<String>,
    base: f32,
    trees: Vec<Vec<Node>>,
    /// Probability from which a transaction is called positive.
    pub threshold: f32,
    /// Isotonic calibration fitted on held-out rows: knots (raw score,
    /// observed share of positives), ascending in both; linear between
    /// knots, flat beyond. Empty: the raw score is used as it is.
    pub calibration: Vec<(f32, f32)>,
}

/// The value of the leaf `row` falls into.
fn leaf_value(tree: &[Node], row: &[f32]) -> f32 {
    let mut i = 0usize;
    loop {
        match tree[i] {
            Node::Leaf(v) => return v,
            Node::Split {
                feature,
                threshold,
                left,
                right,
            } => {
                let x = row.get(feature as usize).copied().unwrap_or(0.0);
                i = if x <= threshold { left } else { right } as usize;
            }
        }
    }
}

/// A model file that cannot be read.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("line {line}: {message}")]
pub struct ModelError {
    pub line: usize,
    pub message: String,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Model {
    /// The calibrated probability that a row (features in
    /// `feature_names` order) is positive.
    pub fn predict(&self, row: &[f32]) -> f32 {
        self.calibrate(self.raw(row))
    }

    /// The boosted trees' own score (logistic, before calibration).
    pub fn raw(&self, row: &[f32]) -> f32 {
        sigmoid(self.base + self.trees.iter().map(|t| leaf_value(t, row)).sum::<f32>())
    }

    /// Maps a raw score through the calibration.
    pub fn calibrate(&self, raw: f32) -> f32 {
        let k = &self.calibration;
        let Some(&(x0, y0)) = k.first() else {
            return raw;
        };
        if raw <= x0 {
            return y0;
        }
        let i = k.partition_point(|&(x, _)| x < raw);
        if i >= k.len() {
            return k[k.len() - 1].1;
        }
        let ((xa, ya), (xb, yb)) = (k[i - 1], k[i]);
        if xb <= xa {
            return yb;
        }
        ya + (yb - ya) * (raw - xa) / (xb - xa)
    }

    /// How often each feature is split on, by name (an importance a reader
    /// can check).
    pub fn split_counts(&self) -> Vec<(String, usize)> {
        let mut counts = vec![0usize; self.feature_names.len()];
        for t in &self.trees {
            for n in t {
                if let Node::Split { feature, .. } = n {
                    if let Some(c) = counts.get_mut(*feature as usize) {
                        *c += 1;
                    }
                }
            }
        }
        let mut out: Vec<(String, usize)> = self
            .feature_names
            .iter()
            .cloned()
            .zip(counts)
            .filter(|(_, c)| *c > 0)
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// The model as text (see [`Model::parse`]).
    pub fn write(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "nexus-gbdt 2");
        let _ = writeln!(s, "features {}", self.feature_names.join(","));
        let _ = writeln!(s, "base {}", self.base);
        let _ = writeln!(s, "threshold {}", self.threshold);
        let knots: Vec<String> = self
            .calibration
            .iter()
            .map(|(x, y)| format!("{x}:{y}"))
            .collect();
        let _ = writeln!(s, "calibration {}", knots.join(" "));
        for t in &self.trees {
            let _ = writeln!(s, "tree {}", t.len());
            for n in t {
                match n {
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    } => {
                        let _ = writeln!(s, "S {feature} {threshold} {left} {right}");
                    }
                    Node::Leaf(v) => {
                        let _ = writeln!(s, "L {v}");
                    }
                }
            }
        }
        s
    }

    /// Reads a model written by [`Model::write`]; errors name the line.
    pub fn parse(text: &str) -> Result<Model, ModelError> {
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
        let err = |line: usize, m: &str| ModelError {
            line,
            message: m.to_string(),
        };
        let mut next = |what: &str| -> Result<(usize, Vec<String>), ModelError> {
            let (n, l) = lines
                .next()
                .ok_or_else(|| err(0, &format!("file ends before {what}")))?;
            Ok((n, l.split_whitespace().map(str::to_string).collect()))
        };
        let (n, head) = next("the header")?;
        let version = match head.as_slice() {
            [magic, v] if magic == "nexus-gbdt" => match v.as_str() {
                "1" => 1,
                "2" => 2,
                other => {
                    return Err(err(
                        n,
                        &format!(
                        "a nexus-gbdt model of version {other}; this nexus reads versions 1 and 2"
                    ),
                    ))
                }
            },
            _ => {
                return Err(err(
                    n,
                    "not a nexus-gbdt model (the first line is not `nexus-gbdt VERSION`)",
                ))
            }
        };
        let (n, f) = next("the feature names")?;
        if f.len() != 2 || f[0] != "features" {
            return Err(err(n, "expected `features NAME,NAME,…`"));
        }
        let feature_names: Vec<String> = f[1].split(',').map(str::to_string).collect();
        let mut value = |key: &str| -> Result<f32, ModelError> {
            let (n, v) = next(key)?;
            if v.len() != 2 || v[0] != key {
                return Err(err(n, &format!("expected `{key} NUMBER`")));
            }
            v[1].parse::<f32>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| err(n, &format!("`{}` is not a number", v[1])))
        };
        let base = value("base")?;
        let threshold = value("threshold")?;
        let mut calibration = Vec::new();
        if version >= 2 {
            let (n, c) = next("the calibration")?;
            if c.first().map(String::as_str) != Some("calibration") {
                return Err(err(n, "expected `calibration RAW:PROBABILITY …`"));
            }
            for knot in &c[1..] {
                let parsed = knot.split_once(':').and_then(|(x, y)| {
                    let (x, y) = (x.parse::<f32>().ok()?, y.parse::<f32>().ok()?);
                    ((0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y)).then_some((x, y))
                });
                let Some((x, y)) = parsed else {
                    return Err(err(
                        n,
                        &format!("`{knot}` is not RAW:PROBABILITY with both in 0..1"),
                    ));
                };
                if calibration.last().is_some_and(|&(px, py)| x < px || y < py) {
                    return Err(err(n, "calibration knots must ascend"));
                }
                calibration.push((x, y));
            }
        }
        let mut trees = Vec::new();
        while let Some((n, l)) = lines.next() {
            if l.is_empty() {
                continue;
            }
            let count: usize = l
                .strip_prefix("tree ")
                .and_then(|c| c.parse().ok())
                .filter(|&c| c > 0 && c < 1 << 20)
                .ok_or_else(|| err(n, "expected `tree NODES`"))?;
            let mut nodes = Vec::with_capacity(count);
            for _ in 0..count {
                let (n, l) = lines
                    .next()
                    .ok_or_else(|| err(0, "file ends inside a tree"))?;
                let p: Vec<&str> = l.split_whitespace().collect();
                let num = |s: &str| -> Result<f32, ModelError> {
                    s.parse::<f32>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .ok_or_else(|| err(n, &format!("`{s}` is not a number")))
                };
                let index = |s: &str| -> Result<u32, ModelError> {
                    s.parse::<u32>()
                        .ok()
                        .filter(|&i| (i as usize) < count)
                        .ok_or_else(|| err(n, &format!("node index `{s}` out of range")))
                };
                nodes.push(match p.as_slice() {
                    ["L", v] => Node::Leaf(num(v)?),
                    ["S", f, t, l, r] => {
                        let feature: u16 = f
                            .parse()
                            .ok()
                            .filter(|&x: &u16| (x as usize) < feature_names.len())
                            .ok_or_else(|| err(n, &format!("feature `{f}` out of range")))?;
                        let (left, right) = (index(l)?, index(r)?);
                        if left as usize <= nodes.len() || right as usize <= nodes.len() {
                            return Err(err(n, "children must come after their parent"));
                        }
                        Node::Split {
                            feature,
                            threshold: num(t)?,
                            left,
                            right,
                        }
                    }
                    _ => {
                        return Err(err(
                            n,
                            "expected `S FEATURE THRESHOLD LEFT RIGHT` or `L VALUE`",
                        ))
                    }
                });
            }
            trees.push(nodes);
        }
        Ok(Model {
            feature_names,
            base,
            trees,
            threshold,
            calibration,
        })
    }
}

/// Quantile bin thresholds of one feature column.
fn bin_edges(values: &mut [f32], bins: usize) -> Vec<f32> {
    values.sort_by(|a, b| a.total_cmp(b));
    let mut edges = Vec::new();
    for k in 1..bins {
        let v = values[(k * values.len() / bins).min(values.len() - 1)];
        if edges.last().is_none_or(|&l| v > l) {
            edges.push(v);
        }
    }
    edges
}

struct Rng(u64);
impl Rng {
    fn next_f32(&mut self) -> f32 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// Fits a model on the rows `train` of a row-major feature matrix.
/// `validation` rows (may be empty) choose the decision threshold that
/// maximises F1; without them the training rows do.
pub fn train(
    features: &[f32],
    feature_names: &[&str],
    labels: &[bool],
    train_rows: &[usize],
    validation_rows: &[usize],
    config: &TrainConfig,
) -> Model {
    train_with_progress(
        features,
        feature_names,
        labels,
        train_rows,
        validation_rows,
        config,
        &|_| {},
    )
}

/// [`train`], calling `tree_done(trees so far)` after each tree.
pub fn train_with_progress(
    features: &[f32],
    feature_names: &[&str],
    labels: &[bool],
    train_rows: &[usize],
    validation_rows: &[usize],
    config: &TrainConfig,
    tree_done: &dyn Fn(usize),
) -> Model {
    let nf = feature_names.len();
    let bins = config.bins.clamp(2, 255);
    // Bins from (a sample of) the training rows.
    let step = (train_rows.len() / 200_000).max(1);
    let edges: Vec<Vec<f32>> = (0..nf)
        .map(|f| {
            let mut col: Vec<f32> = train_rows
                .iter()
                .step_by(step)
                .map(|&r| features[r * nf + f])
                .collect();
            if col.is_empty() {
                Vec::new()
            } else {
                bin_edges(&mut col, bins)
            }
        })
        .collect();
    let bin_of = |f: usize, x: f32| edges[f].partition_point(|&e| e < x) as u8;
    // Column-major binned training matrix.
    let n = train_rows.len();
    let mut binned = vec![0u8; n * nf];
    for f in 0..nf {
        for (k, &r) in train_rows.iter().enumerate() {
            binned[f * n + k] = bin_of(f, features[r * nf + f]);
        }
    }
    let y: Vec<f32> = train_rows.iter().map(|&r| labels[r] as u8 as f32).collect();
    let positives = y.iter().filter(|&&v| v > 0.5).count().max(1) as f32;
    let p0 = (positives / n.max(1) as f32).clamp(1e-6, 1.0 - 1e-6);
    let base = (p0 / (1.0 - p0)).ln();
    let mut score = vec![base; n];
    let mut rng = Rng(config.seed);
    let mut trees = Vec::with_capacity(config.trees);
    let mut grad = vec![0f32; n];
    let mut hess = vec![0f32; n];
    for _ in 0..config.trees {
        // Negatives subsampled per tree; kept ones weighted up.
        let weight = 1.0 / config.negative_sample.clamp(0.01, 1.0);
        let mut rows: Vec<u32> = Vec::with_capacity(n);
        for k in 0..n {
            let keep = y[k] > 0.5 || rng.next_f32() < config.negative_sample;
            if keep {
                let p = sigmoid(score[k]);
                let w = if y[k] > 0.5 { 1.0 } else { weight };
                grad[k] = w * (p - y[k]);
                hess[k] = (w * p * (1.0 - p)).max(1e-6);
                rows.push(k as u32);
            }
        }
        let mut nodes: Vec<Node> = Vec::new();
        grow(
            &binned, n, nf, &edges, &grad, &hess, rows, 0, config, &mut nodes,
        );
        // Thresholds are bin edges, so `x <= threshold` on the raw value
        // is the same test as the split's on the bin.
        for (s, &r) in score.iter_mut().zip(train_rows) {
            *s += leaf_value(&nodes, &features[r * nf..(r + 1) * nf]);
        }
        trees.push(nodes);
        tree_done(trees.len());
    }
    let mut model = Model {
        feature_names: feature_names.iter().map(|s| s.to_string()).collect(),
        base,
        trees,
        threshold: 0.5,
        calibration: Vec::new(),
    };
    let choose_on = if validation_rows.is_empty() {
        train_rows
    } else {
        validation_rows
    };
    let raw: Vec<(f32, bool)> = choose_on
        .iter()
        .map(|&r| (model.raw(&features[r * nf..(r + 1) * nf]), labels[r]))
        .collect();
    model.calibration = isotonic(raw);
    model.threshold = best_threshold(&model, features, nf, labels, choose_on);
    model
}

/// Isotonic regression of the label on the raw score (pool adjacent
/// violators over up to 1,000 equal-count bins), as calibration knots.
/// Fewer than 10 positives cannot calibrate anything: no knots.
fn isotonic(mut scored: Vec<(f32, bool)>) -> Vec<(f32, f32)> {
    if scored.iter().filter(|s| s.1).count() < 10 {
        return Vec::new();
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Blocks: (sum of raw, sum of labels, count).
    let per_bin = scored.len().div_ceil(1000).max(1);
    let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
    for chunk in scored.chunks(per_bin) {
        let raw: f64 = chunk.iter().map(|s| s.0 as f64).sum();
        let pos: f64 = chunk.iter().map(|s| s.1 as u8 as f64).sum();
        blocks.push((raw, pos, chunk.len() as f64));
        // Pool while the previous block's share is not below this one's.
        while blocks.len() >= 2 {
            let (b, a) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
            if a.1 / a.2 < b.1 / b.2 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
        }
    }
    let mut knots: Vec<(f32, f32)> = blocks
        .iter()
        .map(|&(raw, pos, n)| ((raw / n) as f32, (pos / n) as f32))
        .collect();
    // Raw means of pooled blocks ascend; keep them strictly so.
    knots.dedup_by(|b, a| b.0 <= a.0);
    knots
}

/// The threshold with the best F1 on `rows`.
fn best_threshold(
    model: &Model,
    features: &[f32],
    nf: usize,
    labels: &[bool],
    rows: &[usize],
) -> f32 {
    let mut scored: Vec<(f32, bool)> = rows
        .iter()
        .map(|&r| (model.predict(&features[r * nf..(r + 1) * nf]), labels[r]))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total_pos = scored.iter().filter(|s| s.1).count();
    if total_pos == 0 {
        return 0.5;
    }
    let (mut tp, mut best, mut best_t) = (0usize, 0f64, 0.5f32);
    for (k, &(p, pos)) in scored.iter().enumerate() {
        tp += pos as usize;
        let predicted = k + 1;
        let f1 = 2.0 * tp as f64 / (predicted + total_pos) as f64;
        let next_differs = scored.get(k + 1).is_none_or(|n| n.0 < p);
        if next_differs && f1 > best {
            best = f1;
            best_t = p;
        }
    }
    best_t
}

#[allow(clippy::too_many_arguments)]
fn grow(
    binned: &[u8],
    n: usize,
    nf: usize,
    edges: &[Vec<f32>],
    grad: &[f32],
    hess: &[f32],
    rows: Vec<u32>,
    depth: usize,
    c: &TrainConfig,
    nodes: &mut Vec<Node>,
) -> u32 {
    let id = nodes.len() as u32;
    let (g_sum, h_sum) = rows.iter().fold((0f64, 0f64), |(g, h), &r| {
        (g + grad[r as usize] as f64, h + hess[r as usize] as f64)
    });
    let leaf = (-g_sum / (h_sum + c.lambda as f64)) as f32 * c.learning_rate;
    nodes.push(Node::Leaf(leaf));
    if depth >= c.depth || rows.len() < 2 || h_sum < 2.0 * c.min_child_weight as f64 {
        return id;
    }
    let parent_gain = g_sum * g_sum / (h_sum + c.lambda as f64);
    let mut best: Option<(f64, usize, u8)> = None;
    let mut hist_g = [0f64; 256];
    let mut hist_h = [0f64; 256];
    for f in 0..nf {
        let nb = edges[f].len() + 1;
        if nb < 2 {
            continue;
        }
        hist_g[..nb].fill(0.0);
        hist_h[..nb].fill(0.0);
        let col = &binned[f * n..(f + 1) * n];
        for &r in &rows {
            let b = col[r as usize] as usize;
            hist_g[b] += grad[r as usize] as f64;
            hist_h[b] += hess[r as usize] as f64;
        }
        let (mut gl, mut hl) = (0f64, 0f64);
        for b in 0..nb - 1 {
            gl += hist_g[b];
            hl += hist_h[b];
            let (gr, hr) = (g_sum - gl, h_sum - hl);
            if hl < c.min_child_weight as f64 || hr < c.min_child_weight as f64 {
                continue;
            }
            let gain =
                gl * gl / (hl + c.lambda as f64) + gr * gr / (hr + c.lambda as f64) - parent_gain;
            if gain > 1e-9 && best.is_none_or(|(bg, _, _)| gain > bg) {
                best = Some((gain, f, b as u8));
            }
        }
    }
    let Some((_, f, b)) = best else { return id };
    let col = &binned[f * n..(f + 1) * n];
    let (left_rows, right_rows): (Vec<u32>, Vec<u32>) =
        rows.into_iter().partition(|&r| col[r as usize] <= b);
    let left = grow(
        binned,
        n,
        nf,
        edges,
        grad,
        hess,
        left_rows,
        depth + 1,
        c,
        nodes,
    );
    let right = grow(
        binned,
        n,
        nf,
        edges,
        grad,
        hess,
        right_rows,
        depth + 1,
        c,
        nodes,
    );
    nodes[id as usize] = Node::Split {
        feature: f as u16,
        threshold: edges[f][b as usize],
        left,
        right,
    };
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_rare_class_and_round_trips() {
        // Positive when x0 > 0.8 and x1 < 0.3: about 6% of rows.
        let mut rng = Rng(7);
        let n = 5000;
        let mut features = Vec::with_capacity(n * 3);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let (a, b, c) = (rng.next_f32(), rng.next_f32(), rng.next_f32());
            features.extend([a, b, c]);
            labels.push(a > 0.8 && b < 0.3);
        }
        let rows: Vec<usize> = (0..4000).collect();
        let test: Vec<usize> = (4000..n).collect();
        let model = train(
            &features,
            &["a", "b", "noise"],
            &labels,
            &rows,
            &[],
            &TrainConfig {
                trees: 40,
                ..TrainConfig::default()
            },
        );
        let (mut tp, mut fp, mut fneg) = (0, 0, 0);
        for &r in &test {
            let p = model.predict(&features[r * 3..r * 3 + 3]) >= model.threshold;
            match (p, labels[r]) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fneg += 1,
                _ => {}
            }
        }
        let f1 = 2.0 * tp as f64 / (2 * tp + fp + fneg) as f64;
        assert!(f1 > 0.9, "f1 {f1}");
        let counts = model.split_counts();
        let count = |n: &str| counts.iter().find(|c| c.0 == n).map_or(0, |c| c.1);
        assert!(
            count("noise") < count("a") && count("noise") < count("b"),
            "{counts:?}"
        );
        let text = model.write();
        assert_eq!(Model::parse(&text).unwrap(), model);
        let broken = text.replacen("S ", "S x", 1);
        assert!(Model::parse(&broken)
            .unwrap_err()
            .message
            .contains("feature"));
        assert!(Model::parse("nexus-gbdt 2").is_err());
    }
}
