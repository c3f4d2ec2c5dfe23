//! Detection at intake: transactions acknowledged to a reporting entity go,
//! in the order they were stored, through the streaming rules
//! (`nexus_graph::stream`: the past only, bounded memory), and what they
//! complete is raised within seconds — long before the periodic run over
//! the whole network.
//!
//! The periodic run stays the judge: it sees each account's whole history
//! and the model. An alert the stream raised is an episode like any other
//! (`typology:focal account`), so the periodic run extends it when it finds
//! the same pattern; a stream alert the periodic run does not confirm is put
//! below the fold ([`unconfirmed_stream_alerts_suppressed`]).
//!
//! One worker thread owns the detector; intake hands it batches through a
//! bounded queue and never waits for it: when the queue is full the batch
//! is left to the periodic run (and counted).

use nexus_graph::rules::DetectConfig;
use nexus_graph::stream::{StreamAlert, StreamDetector};
use nexus_model::explain::{Phrase, PhraseKey};
use nexus_model::{AlertKind, Channel, Currency, Minor, Timestamp, Transaction, Typology};
use nexus_store::{EpisodeOutcome, NewAlert, Store};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Batches waiting for the worker before intake stops handing them over.
const QUEUE: usize = 256;

/// Prefix of the dedup key of an alert the stream raised.
pub const STREAM_KEY: &str = "stream:";

/// Counters a metrics endpoint reads.
#[derive(Debug, Default)]
pub struct StreamStats {
    pub transactions: AtomicU64,
    pub alerts: AtomicU64,
    /// Batches left to the periodic run because the queue was full.
    pub skipped_batches: AtomicU64,
    /// The latest latencies (acknowledgement to stored alert), at most
    /// [`KEPT_LATENCIES`]: exact percentiles for a benchmark or a check.
    pub latencies: std::sync::Mutex<VecDeque<Duration>>,
    /// Set once the worker has replayed the recent past (at start-up it
    /// reads the last horizon's transactions, seconds on a national
    /// database) and takes new batches.
    pub warmed_up: std::sync::atomic::AtomicBool,
}

/// Latencies kept in [`StreamStats::latencies`].
pub const KEPT_LATENCIES: usize = 100_000;

impl StreamStats {
    /// The `q` quantile (0..=1) of the kept latencies.
    pub fn latency_quantile(&self, q: f64) -> Option<Duration> {
        let mut v: Vec<Duration> = self
            .latencies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .copied()
            .collect();
        if v.is_empty() {
            return None;
        }
        v.sort_unstable();
        Some(v[((v.len() as f64 * q) as usize).min(v.len() - 1)])
    }
}

/// Seconds from a transaction's acknowledgement to the alert it completed
/// being stored, for each alert raised.
pub type LatencyObserver = Box<dyn Fn(Duration) + Send>;

/// The handle intake uses; cloning shares the one worker.
#[derive(Clone)]
pub struct StreamIntake {
    queue: SyncSender<(Vec<Transaction>, Instant)>,
    pub stats: Arc<StreamStats>,
}

impl StreamIntake {
    /// Starts the worker. It first replays the stored transactions of the
    /// detection horizon (so that a restart does not forget a pattern half
    /// seen), then takes batches as intake hands them over.
    pub fn start(
        store: Arc<Store>,
        config: DetectConfig,
        observe: LatencyObserver,
    ) -> StreamIntake {
        let (tx, rx) = sync_channel(QUEUE);
        let stats = Arc::new(StreamStats::default());
        let s = stats.clone();
        std::thread::Builder::new()
            .name("stream-detection".into())
            .spawn(move || worker(store, config, rx, s, observe))
            .expect("spawn the streaming detection thread");
        StreamIntake { queue: tx, stats }
    }

    /// Hands stored transactions (store ids, account keys) to the worker;
    /// never blocks.
    pub fn submit(&self, transactions: Vec<Transaction>) {
        if transactions.is_empty() {
            return;
        }
        match self.queue.try_send((transactions, Instant::now())) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.stats.skipped_batches.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    "streaming detection is behind; this batch waits for the periodic run"
                );
            }
            Err(TrySendError::Disconnected(_)) => {
                tracing::error!("the streaming detection thread has stopped");
            }
        }
    }
}

fn worker(
    store: Arc<Store>,
    config: DetectConfig,
    rx: Receiver<(Vec<Transaction>, Instant)>,
    stats: Arc<StreamStats>,
    observe: LatencyObserver,
) {
    let mut d = StreamDetector::new(config.clone());
    if let Err(e) = warm_up(&store, &config, &mut d) {
        tracing::error!(error = %e, "streaming detection could not replay the recent past");
    }
    stats.warmed_up.store(true, Ordering::SeqCst);
    let mut account_ids: HashMap<String, i64> = HashMap::new();
    while let Ok((batch, acked)) = rx.recv() {
        // Take what else is waiting too: one write for all of it.
        let mut batches = vec![(batch, acked)];
        while let Ok(more) = rx.try_recv() {
            batches.push(more);
        }
        let mut found: Vec<(StreamAlert, Instant)> = Vec::new();
        for (batch, acked) in &batches {
            for t in batch {
                stats.transactions.fetch_add(1, Ordering::Relaxed);
                if let Ok(alerts) = d.push(t) {
                    found.extend(alerts.into_iter().map(|a| (a, *acked)));
                }
            }
        }
        if found.is_empty() {
            continue;
        }
        let stored = store.write(|db| {
            let mut keys: Vec<&str> = found
                .iter()
                .filter_map(|(a, _)| a.accounts.first().map(String::as_str))
                .filter(|k| !account_ids.contains_key(*k))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let ids = db.account_ids(&keys)?;
            let mut raised = 0u64;
            for (a, _) in &found {
                let focal = a
                    .accounts
                    .first()
                    .and_then(|k| account_ids.get(k).or_else(|| ids.get(k)).copied());
                let alert = stream_alert(a, focal);
                if let EpisodeOutcome::Raised(_) = db.upsert_episode_alert(&alert, true)? {
                    raised += 1;
                }
            }
            account_ids.extend(ids);
            Ok(raised)
        });
        match stored {
            Ok(raised) => {
                stats.alerts.fetch_add(raised, Ordering::Relaxed);
                let mut kept = stats.latencies.lock().unwrap_or_else(|e| e.into_inner());
                for (_, acked) in &found {
                    let d = acked.elapsed();
                    observe(d);
                    if kept.len() == KEPT_LATENCIES {
                        kept.pop_front();
                    }
                    kept.push_back(d);
                }
            }
            Err(e) => tracing::error!(error = %e, "streaming detection could not store its alerts"),
        }
        // Bounded: the key → id cache is a convenience, not a second index.
        if account_ids.len() > 1_000_000 {
            account_ids.clear();
        }
    }
}

/// Replays the stored transactions of the last horizon into the detector.
fn warm_up(
    store: &Store,
    config: &DetectConfig,
    d: &mut StreamDetector,
) -> nexus_store::Result<()> {
    let horizon = config.stream_horizon();
    let Some(latest) = store.read(|db| db.latest_transaction_time())? else {
        return Ok(());
    };
    let mut after = (latest - horizon, 0i64);
    loop {
        let page = store.read(|db| db.keyed_transfers_since(after.0, after.1, 50_000))?;
        let Some(last) = page.last() else { break };
        after = (last.at, last.id);
        for t in &page {
            let (Some(channel), Some(currency)) = (
                Channel::parse(&t.channel),
                std::str::from_utf8(&t.currency)
                    .ok()
                    .and_then(Currency::parse),
            ) else {
                continue;
            };
            // Alerts of the replayed past were raised (or not) already.
            let _ = d.push(&Transaction {
                id: t.id.to_string(),
                timestamp: Timestamp(t.at),
                from_account: t.from_key.clone(),
                to_account: t.to_key.clone(),
                amount: Minor(t.amount_minor),
                currency,
                channel,
            });
        }
    }
    Ok(())
}

/// The typologies the periodic run keeps one open alert of per account.
fn episode(a: &StreamAlert, focal: Option<i64>) -> Option<String> {
    let per_account = matches!(
        a.typology,
        Typology::FanIn
            | Typology::FanOut
            | Typology::ScatterGather
            | Typology::GatherScatter
            | Typology::PassThrough
            | Typology::Structuring
    );
    per_account
        .then(|| focal.map(|f| format!("{}:{f}", a.typology)))
        .flatten()
}

fn stream_alert(a: &StreamAlert, focal: Option<i64>) -> NewAlert {
    let mut txs: Vec<&str> = a.transactions.iter().map(String::as_str).collect();
    txs.sort_unstable();
    NewAlert {
        score: a.score,
        accounts: a.accounts.join(";"),
        transactions: txs.join(";"),
        first_at: Some(a.first_time),
        last_at: Some(a.last_time),
        total_minor: (a.total_usd * 100.0).round() as i64,
        explanation: {
            let mut e = a.explanation.clone();
            e.push(Phrase::new(PhraseKey::RaisedAtIntake));
            e
        },
        dedup_key: format!(
            "{STREAM_KEY}{}:{}",
            a.typology,
            &crate::auth::sha256_hex(txs.join(";").as_bytes())[..24]
        ),
        episode: episode(a, focal),
        ..NewAlert::new(AlertKind::Typology, a.typology)
    }
}

/// After a periodic run that started at `run_started`: stream alerts that
/// run did not extend (so did not confirm) and nobody took up go below the
/// fold. Returns how many.
pub fn unconfirmed_stream_alerts_suppressed(
    store: &Store,
    run_started: i64,
) -> nexus_store::Result<usize> {
    store.write(|db| db.suppress_unconfirmed(STREAM_KEY, run_started))
}
