//! `nexus features`, `nexus train`, `nexus detect`: typology detection in
//! the transaction graph.

use anyhow::{bail, Context, Result};
use nexus_formats::table::push_line;
use nexus_formats::FormatError;
use nexus_graph::features::{self, FeatureConfig, FEATURE_COUNT, FEATURE_NAMES};
use nexus_graph::gbdt::{self, Model, TrainConfig};
use nexus_graph::rules::{ConfigError, Flags};
use nexus_graph::{detect, Alert, DetectConfig, GraphBuilder, TemporalGraph};
use nexus_model::{Date, Timestamp};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum InputFormat {
    /// The nexus interchange transactions.csv.
    Interchange,
    /// An AMLSim output directory (or its transactions.csv).
    Amlsim,
    /// An AMLworld CSV (HI-Small_Trans.csv and the like).
    Amlworld,
}

#[derive(clap::Args)]
pub struct Input {
    /// Transactions to analyse.
    #[arg(long)]
    transactions: PathBuf,
    /// Their format.
    #[arg(long, value_enum, default_value = "interchange")]
    from: InputFormat,
    /// Detection settings (`key = value` lines; see docs/detection.md).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(clap::Args)]
pub struct FeaturesArgs {
    #[command(flatten)]
    input: Input,
    /// Features CSV to write: transaction_id then one column per feature
    /// (with --gfp, a `.npy` name writes a NumPy float64 matrix instead).
    #[arg(long)]
    out: PathBuf,
    /// snapml GraphFeaturePreprocessor parameters (its `set_params` JSON):
    /// write features column for column equal to snapml's instead of nexus's own.
    #[arg(long)]
    gfp: Option<PathBuf>,
    /// Which configuration of a --gfp file holding several (e.g. `paper`).
    #[arg(long, requires = "gfp")]
    gfp_config: Option<String>,
    /// Transactions per batch with --gfp (snapml's features depend on it).
    #[arg(long, default_value_t = 2048, requires = "gfp")]
    batch: usize,
    /// Output encoding with --gfp (default: npy for a `.npy` name, else csv).
    #[arg(long, value_enum, requires = "gfp")]
    format: Option<crate::gfp::Encoding>,
}

#[derive(clap::Args)]
pub struct TrainArgs {
    #[command(flatten)]
    input: Input,
    /// Labels CSV (interchange labels.csv): labelled transactions are the positive class.
    #[arg(long)]
    labels: PathBuf,
    /// Model file to write.
    #[arg(long)]
    out: PathBuf,
    /// Share of the time span, at its end, held out for evaluation (0 uses all for training).
    #[arg(long, default_value_t = 0.4)]
    holdout: f64,
    /// Boosting rounds.
    #[arg(long, default_value_t = 200)]
    trees: usize,
}

#[derive(clap::Args)]
pub struct DetectArgs {
    #[command(flatten)]
    input: Input,
    /// Alerts CSV to write.
    #[arg(long)]
    out: PathBuf,
    /// A model from `nexus train`, combined with the rules.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Accounts of interest for nexus paths: CSV `account_id,flag` with flag
    /// `predicate` (drug proceeds, organised crime) or `designated` (listed or high-risk).
    #[arg(long)]
    flagged: Option<PathBuf>,
    /// Labels CSV: also print per-typology recall and transaction-level precision, recall, F1.
    #[arg(long)]
    labels: Option<PathBuf>,
    /// With --labels: evaluate only transactions at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    evaluate_from: Option<String>,
    /// Read transactions from standard input as they arrive (`--transactions -`) and
    /// append alerts to --out as patterns complete; memory stays bounded.
    #[arg(long)]
    follow: bool,
}

use crate::output::{threads, write_atomically};

fn load_config(path: Option<&Path>) -> Result<DetectConfig> {
    match path {
        None => Ok(DetectConfig::default()),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            DetectConfig::parse(&text).map_err(|ConfigError { line, message }| {
                anyhow::anyhow!("{}: line {line}: {message}", p.display())
            })
        }
    }
}

/// Reads transactions into a graph, reporting what was rejected.
fn load(input: &Input, config: &DetectConfig) -> Result<TemporalGraph> {
    let started = Instant::now();
    let mut b = GraphBuilder::new();
    let row_error = |b: &mut GraphBuilder, e: FormatError| -> Result<()> {
        match e {
            FormatError::Io { .. } | FormatError::MissingColumn { .. } => Err(e.into()),
            other => {
                b.reject(other.line().unwrap_or(0), "", other.to_string());
                Ok(())
            }
        }
    };
    let path = &input.transactions;
    // Every reader yields transactions row by row; a bad row is reported
    // and reading goes on.
    let mut drain = |next: &mut dyn FnMut() -> Result<
        Option<nexus_model::Transaction>,
        FormatError,
    >|
     -> Result<()> {
        let mut line = 1u64;
        loop {
            line += 1;
            match next() {
                Ok(None) => return Ok(()),
                Ok(Some(t)) => {
                    b.push(line, &t);
                }
                Err(e) => row_error(&mut b, e)?,
            }
        }
    };
    match input.from {
        InputFormat::Interchange => {
            let mut r = nexus_formats::interchange::TransactionReader::open(path)?;
            drain(&mut || r.next_transaction())?;
        }
        InputFormat::Amlsim => {
            let file = nexus_formats::amlsim::locate(path);
            let mut r = nexus_formats::amlsim::AmlsimReader::open(&file)?;
            drain(&mut || Ok(r.next_row()?.map(|row| row.transaction)))?;
        }
        InputFormat::Amlworld => {
            let mut r = nexus_formats::amlworld::AmlworldReader::open(path)?;
            drain(&mut || Ok(r.next_row()?.map(|row| row.transaction)))?;
        }
    }
    let (g, report) = b.build(|c| config.usd_per_unit(c));
    for r in report.rejected.iter().take(20) {
        eprintln!(
            "nexus: {}: line {}{}: rejected: {}",
            path.display(),
            r.line,
            if r.id.is_empty() {
                String::new()
            } else {
                format!(" (transaction `{}`)", r.id)
            },
            r.reason
        );
    }
    if report.rejected.len() > 20 {
        eprintln!("nexus: … and {} more rejected", report.rejected.len() - 20);
    }
    eprintln!(
        "nexus: {}: {} transactions among {} accounts loaded in {:.2} s ({} rejected, {} self-transfers kept outside patterns, {} out of time order sorted in; graph {:.0} MiB)",
        path.display(),
        g.edge_count(),
        g.account_count(),
        started.elapsed().as_secs_f64(),
        report.rejected.len(),
        report.self_loops,
        report.out_of_order,
        g.memory_bytes() as f64 / (1 << 20) as f64
    );
    if g.edge_count() == 0 {
        bail!("{}: no transactions to analyse", path.display());
    }
    Ok(g)
}

fn compute_features(g: &TemporalGraph, n_threads: usize) -> Vec<f32> {
    let started = Instant::now();
    let f = features::compute(g, &FeatureConfig::default(), n_threads);
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "nexus: {} features of {} transactions in {:.2} s ({:.0} transactions/s, {} threads)",
        FEATURE_COUNT,
        g.edge_count(),
        secs,
        g.edge_count() as f64 / secs.max(1e-9),
        n_threads
    );
    f
}

pub fn run_features(a: FeaturesArgs) -> Result<()> {
    if let Some(params) = &a.gfp {
        if !matches!(a.input.from, InputFormat::Interchange) {
            bail!(
                "--gfp reads the interchange format (convert other formats with `nexus convert`)"
            );
        }
        let params = crate::gfp::read_params(params, a.gfp_config.as_deref())?;
        return crate::gfp::run(
            &a.input.transactions,
            params,
            a.batch,
            threads(a.input.threads),
            &a.out,
            a.format,
        );
    }
    let config = load_config(a.input.config.as_deref())?;
    let g = load(&a.input, &config)?;
    let f = compute_features(&g, threads(a.input.threads));
    let mut csv = Vec::with_capacity(g.edge_count() * FEATURE_COUNT * 6);
    let mut header = vec!["transaction_id"];
    header.extend(FEATURE_NAMES);
    push_line(&mut csv, &header);
    let mut cells: Vec<String> = Vec::with_capacity(FEATURE_COUNT + 1);
    for e in 0..g.edge_count() {
        cells.clear();
        cells.push(g.ids[e].clone());
        for v in &f[e * FEATURE_COUNT..(e + 1) * FEATURE_COUNT] {
            cells.push(format!("{v}"));
        }
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        push_line(&mut csv, &refs);
    }
    write_atomically(&a.out, &csv)?;
    eprintln!("nexus: wrote {}", a.out.display());
    Ok(())
}

/// Labelled transactions: id → (pattern, typology).
fn read_labels(path: &Path) -> Result<HashMap<String, (String, String)>> {
    let labels = nexus_formats::interchange::read_labels(path)
        .with_context(|| format!("reading labels {}", path.display()))?;
    Ok(labels
        .into_iter()
        .filter(|l| !l.transaction_id.is_empty())
        .map(|l| (l.transaction_id, (l.pattern_id, l.typology)))
        .collect())
}

/// Precision, recall and F1 of predicted positives among `rows`.
fn prf(predicted: &[bool], truth: &[bool], rows: &[usize]) -> (f64, f64, f64, usize, usize) {
    let (mut tp, mut fp, mut fneg) = (0usize, 0usize, 0usize);
    for &r in rows {
        match (predicted[r], truth[r]) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fneg += 1,
            _ => {}
        }
    }
    let p = if tp + fp > 0 {
        tp as f64 / (tp + fp) as f64
    } else {
        0.0
    };
    let r = if tp + fneg > 0 {
        tp as f64 / (tp + fneg) as f64
    } else {
        0.0
    };
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f1, tp + fneg, tp + fp)
}

fn in_any_alert(g: &TemporalGraph, alerts: &[Alert]) -> Vec<bool> {
    let mut v = vec![false; g.edge_count()];
    for a in alerts {
        for &e in &a.edges {
            v[e as usize] = true;
        }
    }
    v
}

pub fn run_train(a: TrainArgs) -> Result<()> {
    if !(0.0..0.95).contains(&a.holdout) {
        bail!("--holdout must be in 0..0.95, got {}", a.holdout);
    }
    let config = load_config(a.input.config.as_deref())?;
    let g = load(&a.input, &config)?;
    let labels = read_labels(&a.labels)?;
    let truth: Vec<bool> = g.ids.iter().map(|id| labels.contains_key(id)).collect();
    let unmatched = labels.len() - truth.iter().filter(|&&t| t).count();
    if unmatched > 0 {
        eprintln!("nexus: {unmatched} labelled transactions are not in the transactions file");
    }
    let n_threads = threads(a.input.threads);
    let f = compute_features(&g, n_threads);
    // Split by time: training, then validation (threshold), then holdout.
    let (t0, t1) = (g.time[0], g.time[g.edge_count() - 1]);
    let cut = t1 - ((t1 - t0) as f64 * a.holdout) as i64;
    let train_end = t0 + ((cut - t0) as f64 * 0.8) as i64;
    let rows = |lo: i64, hi: i64| -> Vec<usize> {
        (0..g.edge_count())
            .filter(|&e| g.time[e] >= lo && g.time[e] < hi)
            .collect()
    };
    let (train_rows, valid_rows, test_rows) = if a.holdout > 0.0 {
        (
            rows(i64::MIN, train_end),
            rows(train_end, cut),
            rows(cut, i64::MAX),
        )
    } else {
        (
            rows(i64::MIN, train_end),
            rows(train_end, i64::MAX),
            Vec::new(),
        )
    };
    let started = Instant::now();
    let model = gbdt::train(
        &f,
        FEATURE_NAMES,
        &truth,
        &train_rows,
        &valid_rows,
        &TrainConfig {
            trees: a.trees,
            ..TrainConfig::default()
        },
    );
    eprintln!(
        "nexus: trained {} trees on {} transactions ({} laundering) in {:.1} s; threshold {:.3} chosen on {} later transactions",
        a.trees,
        train_rows.len(),
        train_rows.iter().filter(|&&r| truth[r]).count(),
        started.elapsed().as_secs_f64(),
        model.threshold,
        valid_rows.len()
    );
    write_atomically(&a.out, model.write().as_bytes())?;
    let top: Vec<String> = model
        .split_counts()
        .iter()
        .take(6)
        .map(|(n, c)| format!("{n} ({c})"))
        .collect();
    eprintln!(
        "nexus: wrote {}; most used features: {}",
        a.out.display(),
        top.join(", ")
    );
    if !test_rows.is_empty() {
        let scores = score_all(&model, &f, g.edge_count());
        let model_positive: Vec<bool> = scores.iter().map(|&p| p >= model.threshold).collect();
        let alerts = detect(&g, &config, &Flags::default());
        let rule_positive = in_any_alert(&g, &alerts);
        let combined = combine(&rule_positive, &scores, model.threshold);
        let since = Timestamp(cut);
        for (name, pred) in [
            ("rules", &rule_positive),
            ("model", &model_positive),
            ("rules+model", &combined),
        ] {
            let (p, r, f1, pos, predicted) = prf(pred, &truth, &test_rows);
            println!(
                "holdout from {}: {:11} precision {:.3} recall {:.3} F1 {:.3} ({} laundering transactions, {} flagged)",
                since,
                name,
                p,
                r,
                f1,
                pos,
                predicted
            );
        }
    }
    Ok(())
}

fn score_all(model: &Model, f: &[f32], n: usize) -> Vec<f32> {
    (0..n)
        .map(|e| model.predict(&f[e * FEATURE_COUNT..(e + 1) * FEATURE_COUNT]))
        .collect()
}

/// Rules plus model: a transaction is flagged when the model says so, or
/// when a rule caught it and the model gives it at least half its threshold.
fn combine(rule: &[bool], scores: &[f32], threshold: f32) -> Vec<bool> {
    rule.iter()
        .zip(scores)
        .map(|(&r, &p)| p >= threshold || (r && p >= 0.5 * threshold))
        .collect()
}

fn read_flags(path: &Path, g: &TemporalGraph) -> Result<Flags> {
    let mut t = nexus_formats::table::Table::open(path)?;
    let account = t.column("account_id")?;
    let flag = t.column("flag")?;
    let index: HashMap<&str, u32> = g
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i as u32))
        .collect();
    let mut flags = Flags::default();
    let mut unknown = 0;
    while let Some(row) = t.next_row()? {
        let Some(&v) = index.get(row.get(account).trim()) else {
            unknown += 1;
            continue;
        };
        match row.get(flag).trim() {
            "predicate" | "drug_proceeds" | "organised_crime" => {
                flags.predicate.insert(v);
            }
            "designated" | "high_risk" => {
                flags.designated.insert(v);
            }
            other => {
                return Err(row
                    .error(
                        flag,
                        format!("flag `{other}` is not predicate or designated"),
                    )
                    .into())
            }
        }
    }
    if unknown > 0 {
        eprintln!(
            "nexus: {}: {unknown} flagged accounts do not occur in the transactions (ignored)",
            path.display()
        );
    }
    Ok(flags)
}

fn timestamp_arg(text: &str) -> Result<Timestamp> {
    Timestamp::parse_rfc3339(text)
        .or_else(|_| Date::parse(text).map(Date::midnight))
        .map_err(|e| anyhow::anyhow!("--evaluate-from: {e}"))
}

pub fn run_detect(a: DetectArgs) -> Result<()> {
    let config = load_config(a.input.config.as_deref())?;
    if a.follow {
        if a.model.is_some() || a.labels.is_some() || a.flagged.is_some() {
            bail!("--follow runs the rules only; --model, --labels and --flagged work on a file");
        }
        return follow(config, &a.input.transactions, &a.out);
    }
    let model = match &a.model {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            let m = Model::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            if m.feature_names != FEATURE_NAMES {
                bail!(
                    "{}: the model was trained on other features than this nexus computes",
                    p.display()
                );
            }
            Some(m)
        }
        None => None,
    };
    let evaluate_from = a.evaluate_from.as_deref().map(timestamp_arg).transpose()?;
    let g = load(&a.input, &config)?;
    let flags = match &a.flagged {
        Some(p) => read_flags(p, &g)?,
        None => Flags::default(),
    };
    let started = Instant::now();
    let mut alerts = detect(&g, &config, &flags);
    let rules_secs = started.elapsed().as_secs_f64();
    eprintln!(
        "nexus: rules found {} alerts in {:.2} s",
        alerts.len(),
        rules_secs
    );
    let rule_positive = in_any_alert(&g, &alerts);
    let mut flagged = rule_positive.clone();
    if let Some(m) = &model {
        let scores = score_in_chunks(&g, m, threads(a.input.threads));
        flagged = combine(&rule_positive, &scores, m.threshold);
        let model_alerts = model_alerts(&g, m, &scores, threads(a.input.threads));
        eprintln!("nexus: the model adds {} alerts", model_alerts.len());
        alerts.extend(model_alerts);
    }
    write_alerts(&a.out, &g, &alerts)?;
    eprintln!(
        "nexus: wrote {} alerts to {}",
        alerts.len(),
        a.out.display()
    );
    if let Some(path) = &a.labels {
        let labels = read_labels(path)?;
        let truth: Vec<bool> = g.ids.iter().map(|id| labels.contains_key(id)).collect();
        let from = evaluate_from.map_or(i64::MIN, |t| t.0);
        let rows: Vec<usize> = (0..g.edge_count()).filter(|&e| g.time[e] >= from).collect();
        report_evaluation(
            &g,
            &labels,
            &truth,
            &rule_positive,
            &flagged,
            &rows,
            model.is_some(),
        );
    }
    Ok(())
}

fn report_evaluation(
    g: &TemporalGraph,
    labels: &HashMap<String, (String, String)>,
    truth: &[bool],
    rules: &[bool],
    combined: &[bool],
    rows: &[usize],
    with_model: bool,
) {
    // Per typology: a planted case is found when at least half of its
    // transactions are flagged.
    let mut cases: HashMap<&str, (String, usize, usize)> = HashMap::new();
    let in_rows: HashSet<usize> = rows.iter().copied().collect();
    for (e, id) in g.ids.iter().enumerate() {
        if !in_rows.contains(&e) {
            continue;
        }
        if let Some((pattern, typology)) = labels.get(id) {
            let c = cases
                .entry(pattern.as_str())
                .or_insert((typology.clone(), 0, 0));
            c.1 += 1;
            c.2 += combined[e] as usize;
        }
    }
    let mut by_typology: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for (typology, total, hit) in cases.values() {
        let t = by_typology.entry(typology.clone()).or_default();
        t.0 += 1;
        t.1 += (*hit * 2 >= *total) as usize;
    }
    for (t, (n, found)) in &by_typology {
        println!(
            "typology {t:24} {found:4}/{n:4} cases found ({:.2})",
            *found as f64 / *n as f64
        );
    }
    let show = |name: &str, pred: &[bool]| {
        let (p, r, f1, pos, predicted) = prf(pred, truth, rows);
        println!(
            "transactions {name:11} precision {p:.3} recall {r:.3} F1 {f1:.3} ({pos} laundering, {predicted} flagged)"
        );
    };
    show("rules", rules);
    if with_model {
        show("rules+model", combined);
    }
}

/// The model's probability for every transaction, computing features a
/// million transactions at a time (the full matrix of 100 million rows
/// would not fit beside the graph).
fn score_in_chunks(g: &TemporalGraph, m: &Model, n_threads: usize) -> Vec<f32> {
    const CHUNK: u32 = 1 << 20;
    let started = Instant::now();
    let computer = features::FeatureComputer::new(g, FeatureConfig::default());
    let n = g.edge_count() as u32;
    let mut scores = Vec::with_capacity(n as usize);
    let mut from = 0u32;
    while from < n {
        let to = n.min(from + CHUNK);
        let edges: Vec<u32> = (from..to).collect();
        let rows = computer.rows(&edges, n_threads);
        scores.extend(rows.chunks(FEATURE_COUNT).map(|row| m.predict(row)));
        from = to;
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "nexus: {} features of {} transactions computed and scored in {:.2} s ({:.0} transactions/s, {} threads)",
        FEATURE_COUNT,
        g.edge_count(),
        secs,
        g.edge_count() as f64 / secs.max(1e-9),
        n_threads
    );
    scores
}

/// Transactions the model flags, grouped by the accounts they connect.
fn model_alerts(g: &TemporalGraph, m: &Model, scores: &[f32], n_threads: usize) -> Vec<Alert> {
    let flagged: Vec<u32> = (0..g.edge_count() as u32)
        .filter(|&e| scores[e as usize] >= m.threshold)
        .collect();
    // Features again for the flagged transactions only, for the explanation.
    let rows =
        features::FeatureComputer::new(g, FeatureConfig::default()).rows(&flagged, n_threads);
    let row_of: HashMap<u32, usize> = flagged.iter().enumerate().map(|(i, &e)| (e, i)).collect();
    // Union-find over accounts joined by flagged transactions.
    let mut parent: HashMap<u32, u32> = HashMap::new();
    fn find(p: &mut HashMap<u32, u32>, x: u32) -> u32 {
        let mut r = x;
        while let Some(&q) = p.get(&r) {
            if q == r {
                break;
            }
            r = q;
        }
        p.insert(x, r);
        r
    }
    for &e in &flagged {
        let (a, b) = (g.src[e as usize], g.dst[e as usize]);
        parent.entry(a).or_insert(a);
        parent.entry(b).or_insert(b);
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent.insert(ra, rb);
        }
    }
    let mut groups: HashMap<u32, Vec<u32>> = HashMap::new();
    for &e in &flagged {
        let root = find(&mut parent, g.src[e as usize]);
        groups.entry(root).or_default().push(e);
    }
    let top: Vec<(usize, String)> = m
        .split_counts()
        .into_iter()
        .take(3)
        .filter_map(|(n, _)| FEATURE_NAMES.iter().position(|x| *x == n).map(|i| (i, n)))
        .collect();
    let mut out: Vec<Alert> = groups
        .into_values()
        .map(|mut edges| {
            edges.sort_unstable();
            let mut accounts: Vec<u32> = edges
                .iter()
                .flat_map(|&e| [g.src[e as usize], g.dst[e as usize]])
                .collect();
            accounts.sort_unstable();
            accounts.dedup();
            let best = edges
                .iter()
                .map(|&e| scores[e as usize])
                .fold(0f32, f32::max);
            let total: f64 = edges.iter().map(|&e| g.usd[e as usize]).sum();
            let means: Vec<String> = top
                .iter()
                .map(|(i, n)| {
                    let mean = edges
                        .iter()
                        .map(|&e| rows[row_of[&e] * FEATURE_COUNT + i] as f64)
                        .sum::<f64>()
                        / edges.len() as f64;
                    format!("{n} {mean:.2}")
                })
                .collect();
            Alert {
                typology: nexus_model::Typology::Model,
                score: best as f64,
                explanation: format!(
                    "the gradient-boosted model scores {} transactions among {} accounts as laundering (probability up to {:.2}, threshold {:.2}; USD {:.0} in all); its most used features average here: {}",
                    edges.len(),
                    accounts.len(),
                    best,
                    m.threshold,
                    total,
                    means.join(", ")
                ),
                accounts,
                edges,
            }
        })
        .collect();
    out.sort_by_key(|a| a.edges[0]);
    out
}

/// Columns of the alerts CSV (batch and streaming alike).
const ALERT_HEADER: [&str; 9] = [
    "alert_id",
    "typology",
    "score",
    "accounts",
    "transactions",
    "first_timestamp",
    "last_timestamp",
    "total_amount",
    "explanation",
];

fn write_alerts(path: &Path, g: &TemporalGraph, alerts: &[Alert]) -> Result<()> {
    let mut csv = Vec::new();
    push_line(&mut csv, &ALERT_HEADER);
    for (i, a) in alerts.iter().enumerate() {
        let id = format!("ALERT-{:06}", i + 1);
        let accounts: Vec<&str> = a
            .accounts
            .iter()
            .map(|&v| g.accounts[v as usize].as_str())
            .collect();
        let txs: Vec<&str> = a
            .edges
            .iter()
            .map(|&e| g.ids[e as usize].as_str())
            .collect();
        let first = a
            .edges
            .iter()
            .map(|&e| g.time[e as usize])
            .min()
            .unwrap_or(0);
        let last = a
            .edges
            .iter()
            .map(|&e| g.time[e as usize])
            .max()
            .unwrap_or(0);
        let score = format!("{:.3}", a.score);
        let total = format!("{:.2}", a.total_usd(g));
        push_line(
            &mut csv,
            &[
                &id,
                a.typology.as_str(),
                &score,
                &accounts.join(";"),
                &txs.join(";"),
                &Timestamp(first).to_string(),
                &Timestamp(last).to_string(),
                &total,
                &a.explanation,
            ],
        );
    }
    write_atomically(path, &csv)
}

/// `detect --follow`: transactions from standard input, alerts appended as
/// they complete, latency per transaction reported at the end.
fn follow(config: DetectConfig, source: &Path, out: &Path) -> Result<()> {
    use nexus_graph::stream::StreamDetector;
    use std::io::Write;
    if source != Path::new("-") {
        bail!("--follow reads standard input: pass --transactions -");
    }
    let stdin = std::io::stdin();
    let mut reader = nexus_formats::interchange::TransactionReader::from_reader(
        Path::new("<stdin>"),
        stdin.lock(),
    )?;
    let mut sink: Box<dyn Write> = if out == Path::new("-") {
        Box::new(std::io::stdout())
    } else {
        Box::new(std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?)
    };
    let mut head = Vec::new();
    push_line(&mut head, &ALERT_HEADER);
    sink.write_all(&head)?;
    sink.flush()?;
    let mut d = StreamDetector::new(config);
    // Latency histogram: 1 µs buckets up to 100 ms.
    let mut buckets = vec![0u64; 100_001];
    let (mut n, mut alerts, mut rejected) = (0u64, 0u64, 0u64);
    let mut line = 1u64;
    loop {
        line += 1;
        let t = match reader.next_transaction() {
            Ok(None) => break,
            Ok(Some(t)) => t,
            Err(FormatError::Io { .. }) => bail!("reading standard input failed"),
            Err(e) => {
                rejected += 1;
                eprintln!("nexus: {e}");
                continue;
            }
        };
        let started = Instant::now();
        let result = d.push(&t);
        let micros = started.elapsed().as_micros().min(100_000) as usize;
        buckets[micros] += 1;
        n += 1;
        match result {
            Err(r) => {
                rejected += 1;
                eprintln!(
                    "nexus: <stdin>: line {line} (transaction `{}`): rejected: {}",
                    r.id, r.reason
                );
            }
            Ok(found) => {
                for a in found {
                    alerts += 1;
                    let mut row = Vec::new();
                    let id = format!("ALERT-{alerts:06}");
                    let score = format!("{:.3}", a.score);
                    let total = format!("{:.2}", a.total_usd);
                    push_line(
                        &mut row,
                        &[
                            &id,
                            a.typology.as_str(),
                            &score,
                            &a.accounts.join(";"),
                            &a.transactions.join(";"),
                            &Timestamp(a.first_time).to_string(),
                            &Timestamp(a.last_time).to_string(),
                            &total,
                            &a.explanation,
                        ],
                    );
                    sink.write_all(&row)?;
                    sink.flush()?;
                }
            }
        }
    }
    let percentile = |q: f64| -> usize {
        let target = (n as f64 * q).ceil() as u64;
        let mut seen = 0u64;
        for (us, &c) in buckets.iter().enumerate() {
            seen += c;
            if seen >= target.max(1) {
                return us;
            }
        }
        buckets.len() - 1
    };
    eprintln!(
        "nexus: followed {n} transactions ({rejected} rejected), {alerts} alerts; latency per transaction p50 {} µs, p99 {} µs, max bucket {} µs; {} edges held at the end",
        percentile(0.5),
        percentile(0.99),
        buckets.iter().rposition(|&c| c > 0).unwrap_or(0),
        d.held_edges()
    );
    Ok(())
}
