//! `nexus features`, `nexus train`, `nexus detect`: typology detection in
//! the transaction graph.

use anyhow::{bail, Context, Result};
use nexus_formats::table::push_line;
use nexus_formats::FormatError;
use nexus_graph::evaluate::{evaluate, Evaluation};
use nexus_graph::features::{self, FeatureConfig, FEATURE_COUNT, FEATURE_NAMES};
use nexus_graph::gbdt::Model;
use nexus_graph::rules::{ConfigError, Flags};
use nexus_graph::triage::{detect_and_rank, score_edges};
use nexus_graph::{Alert, DetectConfig, GraphBuilder, TemporalGraph};
use nexus_model::{Date, Timestamp};
use std::collections::HashMap;
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
    /// Transactions to analyse (`nexus train --db` reads the FIU's instead).
    #[arg(long)]
    transactions: Option<PathBuf>,
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

impl Input {
    fn transactions(&self) -> Result<&Path> {
        self.transactions
            .as_deref()
            .context("--transactions FILE is required")
    }
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
    /// Labels CSV (interchange labels.csv): labelled transactions are the
    /// positive class. With --db: a cold start, matched on the stored
    /// transactions' references.
    #[arg(long)]
    labels: Option<PathBuf>,
    /// Learn from an FIU's own decisions instead of files: its stored
    /// network, the transactions of alerts its analysts confirmed
    /// (escalated or taken into a case) as laundering, dismissed ones never.
    /// The model is recorded in the FIU (not in force: a supervisor decides)
    /// and written to --out.
    #[arg(long, conflicts_with = "transactions")]
    db: Option<String>,
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
    /// Accounts of interest: CSV `account_id,flag` with flag `predicate` (drug
    /// proceeds, organised crime), `designated` (listed or high-risk) or
    /// `high_risk_area` (held in a high-risk area for terrorist financing;
    /// an optional `area` column names it in the explanation).
    #[arg(long)]
    flagged: Option<PathBuf>,
    /// Labels CSV: also print per-typology recall and transaction-level precision, recall, F1.
    #[arg(long)]
    labels: Option<PathBuf>,
    /// With --labels: evaluate only transactions at or after this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    evaluate_from: Option<String>,
    /// Also write the alerts the model suppresses (under its threshold)
    /// to `OUT.suppressed.csv` beside --out, marked `suppressed`.
    #[arg(long)]
    all: bool,
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
    let path = input.transactions()?;
    // Every reader yields transactions row by row; a bad row is reported
    // and reading goes on.
    let mut drain = |next: &mut dyn FnMut() -> Result<
        Option<nexus_model::Transaction>,
        FormatError,
    >|
     -> Result<()> {
        let mut line = 1u64;
        let progress = crate::progress::Progress::new("reading transactions", None);
        loop {
            line += 1;
            if line.is_multiple_of(100_000) {
                progress.set(line - 1, 0);
            }
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
    let progress = crate::progress::Progress::new("features", Some(g.edge_count() as u64));
    let f = features::compute_with_progress(g, &FeatureConfig::default(), n_threads, &|d, n| {
        progress.set(d, n)
    });
    progress.finish();
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
            a.input.transactions()?,
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

/// Labelled transactions: edge → (pattern, typology). A label naming a
/// transaction the input does not hold is an error naming its line (the
/// labels belong to other data); account labels are not transaction labels.
fn read_labels(path: &Path, g: &TemporalGraph) -> Result<HashMap<u32, (String, String)>> {
    let labels = nexus_formats::interchange::read_labels_with_lines(path)
        .with_context(|| format!("reading labels {}", path.display()))?;
    let index: HashMap<&str, u32> = g
        .ids
        .iter()
        .enumerate()
        .map(|(e, id)| (id.as_str(), e as u32))
        .collect();
    let mut out = HashMap::new();
    for (line, l) in labels {
        if l.transaction_id.is_empty() {
            continue;
        }
        let Some(&e) = index.get(l.transaction_id.as_str()) else {
            bail!(
                "{}: line {line}: transaction `{}` is not in {} (are these the labels of other data?)",
                path.display(),
                l.transaction_id,
                "the transactions analysed"
            );
        };
        out.insert(e, (l.pattern_id, l.typology));
    }
    Ok(out)
}

fn print_evaluation(label: &str, ev: &Evaluation) {
    println!(
        "{label}: alerts file precision {:.3} recall {:.3} F1 {:.3} ({} laundering transactions, {} in {} alerts, {} of them laundering; {} alerts mostly laundering; largest {} accounts)",
        ev.precision(),
        ev.recall(),
        ev.f1(),
        ev.laundering,
        ev.flagged,
        ev.alerts,
        ev.true_positives,
        ev.alerts_mostly_laundering,
        ev.largest_alert_accounts
    );
    for (t, (n, found)) in &ev.typologies {
        println!(
            "{label}: typology {t:24} {found:4}/{n:4} planted patterns found ({:.2})",
            *found as f64 / *n as f64
        );
    }
}

pub fn run_train(a: TrainArgs) -> Result<()> {
    if !(0.0..0.95).contains(&a.holdout) {
        bail!("--holdout must be in 0..0.95, got {}", a.holdout);
    }
    let config = load_config(a.input.config.as_deref())?;
    if let Some(db) = &a.db {
        return train_on_fiu(&a, db, &config);
    }
    let labels_path = a.labels.as_deref().context("--labels FILE is required")?;
    let g = load(&a.input, &config)?;
    let labels = read_labels(labels_path, &g)?;
    let trained = train_and_report(
        &g,
        &config,
        &labels,
        a.holdout,
        a.trees,
        threads(a.input.threads),
    );
    write_atomically(&a.out, trained.model.write().as_bytes())?;
    eprintln!("nexus: wrote {}", a.out.display());
    Ok(())
}

/// Fewer labelled transactions than this make no model worth a supervisor's time.
const MIN_LABELLED: usize = 30;

/// `nexus train --db`: learning from the FIU's decisions.
fn train_on_fiu(a: &TrainArgs, db: &str, config: &DetectConfig) -> Result<()> {
    let store = crate::db::open_existing(db)?;
    let mut cold_start = HashMap::new();
    if let Some(path) = &a.labels {
        for (line, l) in nexus_formats::interchange::read_labels_with_lines(path)
            .with_context(|| format!("reading labels {}", path.display()))?
        {
            if l.transaction_id.is_empty() {
                continue;
            }
            if cold_start
                .insert(l.transaction_id.clone(), (l.pattern_id, l.typology))
                .is_some()
            {
                bail!(
                    "{}: line {line}: transaction `{}` is labelled twice",
                    path.display(),
                    l.transaction_id
                );
            }
        }
    }
    let data = nexus_fiu::detection::training_data(&store, config, &cold_start)?
        .context("the FIU holds no transactions between accounts yet: nothing to learn from")?;
    eprintln!(
        "nexus: {} transactions; {} confirmed and {} dismissed alerts; {} labelled transactions ({} from the cold start; {} of its references unknown here)",
        data.graph.edge_count(),
        data.confirmed_alerts,
        data.dismissed_alerts,
        data.labels.len(),
        data.from_cold_start,
        data.unknown_references
    );
    if data.labels.len() < MIN_LABELLED {
        bail!(
            "only {} labelled transactions (at least {MIN_LABELLED} are needed): confirm more alerts, or give a cold start with --labels",
            data.labels.len()
        );
    }
    let trained = train_and_report(
        &data.graph,
        config,
        &data.labels,
        a.holdout,
        a.trees,
        threads(a.input.threads),
    );
    let body = trained.model.write();
    write_atomically(&a.out, body.as_bytes())?;
    let id = nexus_fiu::detection::record_model(
        &store,
        "cli",
        &format!("trained {}", nexus_model::Timestamp(nexus_store::now())),
        &body,
        &trained.metrics_json(),
        &format!(
            "{} transactions of this FIU; {} confirmed and {} dismissed alerts; {} cold-start labels",
            data.graph.edge_count(),
            data.confirmed_alerts,
            data.dismissed_alerts,
            data.from_cold_start
        ),
    )?;
    eprintln!(
        "nexus: wrote {} and recorded it as model {id}: not in force until a supervisor puts it in force (page Detection models)",
        a.out.display()
    );
    Ok(())
}

/// Trains on an interchange transactions file and its labels (the demo's
/// cold start on a scenario of its own seed).
pub fn train_from_files(
    transactions: &Path,
    labels: &Path,
    holdout: f64,
    trees: usize,
) -> Result<nexus_graph::training::Trained> {
    let input = Input {
        transactions: Some(transactions.to_path_buf()),
        from: InputFormat::Interchange,
        config: None,
        threads: None,
    };
    let config = DetectConfig::default();
    let g = load(&input, &config)?;
    let labels = read_labels(labels, &g)?;
    Ok(train_and_report(
        &g,
        &config,
        &labels,
        holdout,
        trees,
        threads(None),
    ))
}

/// Trains (see `nexus_graph::training`) and prints what a user needs to
/// judge the model: data, time, features used, the holdout's figures.
pub fn train_and_report(
    g: &TemporalGraph,
    config: &DetectConfig,
    labels: &HashMap<u32, (String, String)>,
    holdout: f64,
    trees: usize,
    n_threads: usize,
) -> nexus_graph::training::Trained {
    let started = Instant::now();
    let features = crate::progress::Progress::new("features", Some(g.edge_count() as u64));
    let boosting = std::cell::OnceCell::new();
    let t = nexus_graph::training::train_with_holdout(
        g,
        config,
        labels,
        holdout,
        trees,
        n_threads,
        &|stage, done, total| match stage {
            "features" => features.set(done, total),
            _ => {
                features.finish();
                boosting
                    .get_or_init(|| crate::progress::Progress::new("boosting", Some(total)))
                    .set(done, total)
            }
        },
    );
    features.finish();
    if let Some(b) = boosting.get() {
        b.finish();
    }
    eprintln!(
        "nexus: trained {} trees on {} transactions ({} laundering) in {:.1} s; calibrated ({} knots) and threshold {:.3} chosen on {} later transactions",
        trees,
        t.train_transactions,
        t.train_laundering,
        started.elapsed().as_secs_f64(),
        t.model.calibration.len(),
        t.model.threshold,
        t.validation_transactions
    );
    let top: Vec<String> = t
        .model
        .split_counts()
        .iter()
        .take(6)
        .map(|(n, c)| format!("{n} ({c})"))
        .collect();
    eprintln!("nexus: most used features: {}", top.join(", "));
    if let Some(h) = &t.holdout {
        let since = Timestamp(h.from);
        print_evaluation(&format!("holdout from {since}, rules"), &h.rules);
        print_evaluation(&format!("holdout from {since}, rules+model"), &h.ranked);
    }
    t
}

fn read_flags(path: &Path, g: &TemporalGraph) -> Result<Flags> {
    let mut t = nexus_formats::table::Table::open(path)?;
    let account = t.column("account_id")?;
    let flag = t.column("flag")?;
    let area = t.optional_column("area");
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
            "high_risk_area" => {
                flags.high_risk_area.insert(v);
                let named = row.get_opt(area).trim();
                if !named.is_empty() {
                    flags.area_of.insert(v, named.to_string());
                }
            }
            other => {
                return Err(row
                    .error(
                        flag,
                        format!("flag `{other}` is not predicate, designated or high_risk_area"),
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
        if a.model.is_some() || a.labels.is_some() || a.flagged.is_some() || a.all {
            bail!("--follow runs the rules only; --model, --labels, --flagged and --all work on a file");
        }
        return follow(config, a.input.transactions()?, &a.out);
    }
    let model = a.model.as_deref().map(read_model).transpose()?;
    let evaluate_from = a.evaluate_from.as_deref().map(timestamp_arg).transpose()?;
    let g = load(&a.input, &config)?;
    let labels = a
        .labels
        .as_deref()
        .map(|p| read_labels(p, &g))
        .transpose()?;
    let flags = match &a.flagged {
        Some(p) => read_flags(p, &g)?,
        None => Flags::default(),
    };
    let n_threads = threads(a.input.threads);
    let scores = model.as_ref().map(|m| {
        let started = Instant::now();
        let progress = crate::progress::Progress::new("scoring", Some(g.edge_count() as u64));
        let scores = score_edges(&g, m, n_threads, &|d, n| progress.set(d, n));
        progress.finish();
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
    });
    let started = Instant::now();
    let triaged = detect_and_rank(&g, &config, &flags, model.as_ref().zip(scores.as_deref()));
    eprintln!(
        "nexus: {} alerts raised{} in {:.2} s",
        triaged.alerts.len(),
        if model.is_some() {
            format!(
                ", {} suppressed under the model's threshold",
                triaged.suppressed.len()
            )
        } else {
            String::new()
        },
        started.elapsed().as_secs_f64()
    );
    write_alerts(&a.out, &g, &triaged.alerts, "raised")?;
    eprintln!(
        "nexus: wrote {} alerts to {}",
        triaged.alerts.len(),
        a.out.display()
    );
    if a.all {
        let path = suppressed_path(&a.out);
        write_alerts(&path, &g, &triaged.suppressed, "suppressed")?;
        eprintln!(
            "nexus: wrote {} suppressed alerts to {}",
            triaged.suppressed.len(),
            path.display()
        );
    }
    if let Some(labels) = &labels {
        let from = evaluate_from.map_or(i64::MIN, |t| t.0);
        let in_scope: Vec<bool> = (0..g.edge_count()).map(|e| g.time[e] >= from).collect();
        print_evaluation("evaluation", &evaluate(&triaged.alerts, labels, &in_scope));
    }
    Ok(())
}

/// `alerts.csv` → `alerts.suppressed.csv`, beside it.
fn suppressed_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "alerts".into());
    out.with_file_name(format!("{stem}.suppressed.csv"))
}

/// A model file, checked against the features this nexus computes.
fn read_model(p: &Path) -> Result<Model> {
    let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
    let m = Model::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
    if m.feature_names != FEATURE_NAMES {
        let missing: Vec<&str> = FEATURE_NAMES
            .iter()
            .copied()
            .filter(|n| !m.feature_names.iter().any(|x| x == n))
            .collect();
        bail!(
            "{}: line 2: the model was trained on other features than this nexus computes ({} features in the model, {} here{})",
            p.display(),
            m.feature_names.len(),
            FEATURE_NAMES.len(),
            if missing.is_empty() {
                String::new()
            } else {
                format!("; missing: {}", missing.join(", "))
            }
        );
    }
    Ok(m)
}

/// Columns of the alerts CSV (batch and streaming alike).
const ALERT_HEADER: [&str; 11] = [
    "alert_id",
    "typology",
    "score",
    "probability",
    "decision",
    "accounts",
    "transactions",
    "first_timestamp",
    "last_timestamp",
    "total_amount",
    "explanation",
];

fn write_alerts(path: &Path, g: &TemporalGraph, alerts: &[Alert], decision: &str) -> Result<()> {
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
        let probability = a.probability.map(|p| format!("{p:.3}")).unwrap_or_default();
        let total = format!("{:.2}", a.total_usd(g));
        push_line(
            &mut csv,
            &[
                &id,
                a.typology.as_str(),
                &score,
                &probability,
                decision,
                &accounts.join(";"),
                &txs.join(";"),
                &Timestamp(first).to_string(),
                &Timestamp(last).to_string(),
                &total,
                &a.explanation.to_string(),
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
                            "",
                            "raised",
                            &a.accounts.join(";"),
                            &a.transactions.join(";"),
                            &Timestamp(a.first_time).to_string(),
                            &Timestamp(a.last_time).to_string(),
                            &total,
                            &a.explanation.to_string(),
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
