//! Detection over the stored network: the same rules, episodes and model
//! as `nexus detect` (through `nexus_graph::triage`), on what the FIU holds
//! — channels, currencies and native amounts as they were reported — and
//! the detection models the FIU keeps: recorded when trained or loaded, in
//! force only when a supervisor (or the operator starting the service with
//! `--model`) activates one.

use crate::auth::{sha256_hex, Principal, Role};
use crate::error::{say, Phrase, Say};
use crate::FiuError;
use nexus_graph::gbdt::Model;
use nexus_graph::rules::{DetectConfig, Flags};
use nexus_graph::triage::{detect_and_rank, score_edges};
use nexus_graph::{Alert, GraphBuilder, TemporalGraph};
use nexus_model::{
    AlertKind, Channel, Currency, Explanation, Minor, Timestamp, Transaction, Typology,
};
use nexus_store::{AuditRecord, EpisodeOutcome, ModelRow, NewAlert, Result, Store};
use std::collections::{HashMap, HashSet};

/// A model in force: its record and the parsed trees.
#[derive(Debug, Clone)]
pub struct ActiveModel {
    pub id: i64,
    pub name: String,
    pub model: Model,
}

/// Parses a model file's text and checks it computes on this nexus's features.
pub fn parse_model(text: &str) -> std::result::Result<Model, String> {
    let m = Model::parse(text).map_err(|e| e.to_string())?;
    if m.feature_names != nexus_graph::features::FEATURE_NAMES {
        return Err(format!(
            "line 2: the model was trained on other features than this nexus computes ({} features in the model, {} here)",
            m.feature_names.len(),
            nexus_graph::features::FEATURE_NAMES.len()
        ));
    }
    Ok(m)
}

/// Records a model (not yet in force); its id. `metrics` and `trained_on`
/// describe it for the supervisor who decides.
pub fn record_model(
    store: &Store,
    by: &str,
    name: &str,
    text: &str,
    metrics: &str,
    trained_on: &str,
) -> std::result::Result<i64, FiuError> {
    parse_model(text).map_err(|e| FiuError::Invalid(Phrase::verbatim(format!("{name}: {e}"))))?;
    let hash = sha256_hex(text.as_bytes());
    Ok(store.write(|db| {
        let id = db.insert_model(name, text, &hash, metrics, trained_on, by)?;
        db.audit(&AuditRecord {
            actor: by.into(),
            action: "model.record".into(),
            object: format!("model:{id}"),
            detail: format!("{name} sha256 {}", &hash[..16]),
            ..AuditRecord::default()
        })?;
        Ok(id)
    })?)
}

/// Puts model `id` in force. A supervisor's decision (or the operator's,
/// `actor` "cli"); audited.
pub fn activate_model(
    store: &Store,
    who: Option<&Principal>,
    id: i64,
) -> std::result::Result<ActiveModel, FiuError> {
    if let Some(p) = who {
        if p.role != Role::Supervisor {
            return Err(FiuError::Forbidden(say(Say::SupervisorActivatesModel)));
        }
    }
    let actor = who.map_or_else(|| "cli".to_string(), |p| p.actor.clone());
    let body = store
        .read(|db| db.model_body(id))?
        .ok_or_else(|| FiuError::NotFound(say(Say::NoModel).with("id", id)))?;
    let model = parse_model(&body)
        .map_err(|e| FiuError::Invalid(Phrase::verbatim(format!("model {id}: {e}"))))?;
    let name = store.write(|db| {
        db.activate_model(id, &actor)?;
        db.audit(&AuditRecord {
            actor: actor.clone(),
            action: "model.activate".into(),
            object: format!("model:{id}"),
            ..AuditRecord::default()
        })?;
        Ok(db
            .models()?
            .into_iter()
            .find(|m| m.id == id)
            .map(|m| m.name)
            .unwrap_or_default())
    })?;
    Ok(ActiveModel { id, name, model })
}

/// The model in force, if any (a stored model that no longer parses is
/// reported and not used: the service keeps running on the rules).
pub fn active_model(store: &Store) -> std::result::Result<Option<ActiveModel>, FiuError> {
    let Some((row, body)) = store.read(|db| db.active_model())? else {
        return Ok(None);
    };
    let model = parse_model(&body)
        .map_err(|e| FiuError::Invalid(Phrase::verbatim(format!("model {}: {e}", row.id))))?;
    Ok(Some(ActiveModel {
        id: row.id,
        name: row.name,
        model,
    }))
}

/// Every recorded model, newest first.
pub fn models(store: &Store) -> Result<Vec<ModelRow>> {
    store.read(|db| db.models())
}

/// What one detection run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DetectionRun {
    pub transactions: usize,
    pub raised: usize,
    pub extended: usize,
    pub suppressed: usize,
}

/// The stored network as a graph whose accounts are labelled by their keys
/// (`institution|number`, as pages show them), with the store's id and
/// holder of each.
struct Network {
    graph: TemporalGraph,
    /// Store id of each graph account.
    account_id: Vec<i64>,
    holder: Vec<Option<i64>>,
    holder_name: Vec<String>,
}

fn load_network(store: &Store, config: &DetectConfig) -> Result<Option<Network>> {
    let mut labels: HashMap<i64, nexus_store::AccountLabel> = HashMap::new();
    let mut after = 0;
    loop {
        let page = store.read(|db| db.account_labels_after(after, 100_000))?;
        let Some(last) = page.last() else { break };
        after = last.id;
        labels.extend(page.into_iter().map(|a| (a.id, a)));
    }
    let key_of = |id: i64| -> String {
        labels
            .get(&id)
            .map_or_else(|| format!("account:{id}"), |a| a.key.clone())
    };
    let mut builder = GraphBuilder::new();
    let mut after = 0;
    let mut count = 0usize;
    loop {
        let page = store.read(|db| db.transfers_after(after, 100_000))?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for t in &page {
            // The store keeps channels in this vocabulary (intake maps each
            // FIU's transmode codes onto it); anything else is not read.
            let Some(channel) = Channel::parse(&t.channel) else {
                continue;
            };
            let currency = std::str::from_utf8(&t.currency)
                .ok()
                .and_then(Currency::parse)
                .unwrap_or(Currency::XXX);
            count += 1;
            builder.push(
                count as u64,
                &Transaction {
                    id: t.id.to_string(),
                    timestamp: Timestamp(t.at),
                    from_account: key_of(t.from_account),
                    to_account: key_of(t.to_account),
                    amount: Minor(t.amount_minor),
                    currency,
                    channel,
                },
            );
        }
    }
    if count == 0 {
        return Ok(None);
    }
    let (graph, _) = builder.build(|c| config.usd_per_unit(c));
    let by_key: HashMap<&str, &nexus_store::AccountLabel> =
        labels.values().map(|a| (a.key.as_str(), a)).collect();
    let mut account_id = Vec::with_capacity(graph.account_count());
    let mut holder = Vec::with_capacity(graph.account_count());
    let mut holder_name = Vec::with_capacity(graph.account_count());
    for key in &graph.accounts {
        let a = by_key.get(key.as_str());
        account_id.push(a.map_or(0, |a| a.id));
        holder.push(a.and_then(|a| a.holder));
        holder_name.push(a.map(|a| a.holder_name.clone()).unwrap_or_default());
    }
    Ok(Some(Network {
        graph,
        account_id,
        holder,
        holder_name,
    }))
}

/// What detection learns from: the stored network and which of its
/// transactions are laundering by the FIU's own decisions.
pub struct TrainingData {
    pub graph: TemporalGraph,
    /// Edge → (pattern, typology): the transactions of confirmed alerts
    /// (escalated or taken into a case), and of a cold start's labels.
    pub labels: HashMap<u32, (String, String)>,
    pub confirmed_alerts: usize,
    pub dismissed_alerts: usize,
    /// Labelled transactions that came from the cold-start labels.
    pub from_cold_start: usize,
    /// Cold-start references the store does not hold.
    pub unknown_references: usize,
}

/// The training data of this FIU. `cold_start` maps transaction
/// references (the bank feed's or a scenario's ids) to (pattern, typology)
/// for an FIU without enough decisions yet. A transaction an analyst
/// dismissed is never a positive, whatever the cold start says.
pub fn training_data(
    store: &Store,
    config: &DetectConfig,
    cold_start: &HashMap<String, (String, String)>,
) -> Result<Option<TrainingData>> {
    let Some(n) = load_network(store, config)? else {
        return Ok(None);
    };
    let g = n.graph;
    let edge_of: HashMap<i64, u32> = g
        .ids
        .iter()
        .enumerate()
        .filter_map(|(e, id)| id.parse::<i64>().ok().map(|id| (id, e as u32)))
        .collect();
    let mut labels: HashMap<u32, (String, String)> = HashMap::new();
    let mut dismissed: HashSet<u32> = HashSet::new();
    let decisions = store.read(|db| db.disposed_alerts())?;
    let (mut confirmed_alerts, mut dismissed_alerts) = (0, 0);
    for d in &decisions {
        let edges = d
            .transactions
            .split(';')
            .filter_map(|t| t.parse::<i64>().ok())
            .filter_map(|id| edge_of.get(&id).copied());
        if d.confirmed {
            confirmed_alerts += 1;
            for e in edges {
                labels.insert(e, (format!("ALERT-{}", d.alert_id), d.typology.to_string()));
            }
        } else {
            dismissed_alerts += 1;
            dismissed.extend(edges);
        }
    }
    let mut from_cold_start = 0;
    let mut unknown_references = 0;
    if !cold_start.is_empty() {
        let refs: Vec<&str> = cold_start.keys().map(String::as_str).collect();
        let ids = store.read(|db| db.transaction_ids_by_reference(&refs))?;
        for (reference, label) in cold_start {
            let Some(found) = ids.get(reference) else {
                unknown_references += 1;
                continue;
            };
            for id in found {
                if let Some(&e) = edge_of.get(id) {
                    if let std::collections::hash_map::Entry::Vacant(v) = labels.entry(e) {
                        v.insert(label.clone());
                        from_cold_start += 1;
                    }
                }
            }
        }
    }
    for e in &dismissed {
        if labels.get(e).is_some_and(|(p, _)| !p.starts_with("ALERT-")) {
            labels.remove(e);
            from_cold_start -= 1;
        }
    }
    Ok(Some(TrainingData {
        graph: g,
        labels,
        confirmed_alerts,
        dismissed_alerts,
        from_cold_start,
        unknown_references,
    }))
}

/// Typologies whose alerts are one story per focal account.
fn episode_typology(t: Typology) -> bool {
    matches!(
        t,
        Typology::FanIn
            | Typology::FanOut
            | Typology::ScatterGather
            | Typology::GatherScatter
            | Typology::PassThrough
            | Typology::Structuring
            | Typology::DesignatedActivity
            | Typology::HighRiskArea
            | Typology::Model
    )
}

/// The alert's subject: the holder of its focal account (the hub, the
/// mule, the structurer); for shapes without a focal account (cycles,
/// layering, paths) the first participant with a known holder. Never a
/// mere counterparty of a hub.
fn subject(n: &Network, a: &Alert) -> Option<i64> {
    let focal = a.accounts.first().and_then(|&v| n.holder[v as usize]);
    if focal.is_some() || episode_typology(a.typology) {
        return focal;
    }
    a.accounts.iter().find_map(|&v| n.holder[v as usize])
}

/// The alert's explanation with each account it names followed by its
/// holder's name ("account KEY (Holder Name)").
fn with_holders(n: &Network, a: &Alert) -> Explanation {
    let mut explanation = a.explanation.clone();
    let holders: HashMap<&str, &str> = a
        .accounts
        .iter()
        .map(|&v| {
            (
                n.graph.accounts[v as usize].as_str(),
                n.holder_name[v as usize].as_str(),
            )
        })
        .filter(|(_, name)| !name.is_empty())
        .collect();
    for account in explanation.accounts_mut() {
        if let Some(name) = holders.get(account.key.as_str()) {
            account.holder = Some(name.to_string());
        }
    }
    explanation
}

/// Entities whose reported addresses lie in one of the FIU's high-risk
/// areas, with the area (as the list writes it): their accounts are what
/// the rule `high_risk_area` watches.
fn entities_in_high_risk_areas(store: &Store) -> Result<HashMap<i64, String>> {
    let (_, areas) = crate::areas::stored(store)?;
    if areas.is_empty() {
        return Ok(HashMap::new());
    }
    let mut found = HashMap::new();
    // Many subjects give the same places (a town's customers): each
    // distinct set is decoded and matched once per run.
    let mut seen: HashMap<String, Option<String>> = HashMap::new();
    for (entity, places) in store.read(|db| db.entity_places())? {
        if found.contains_key(&entity) {
            continue;
        }
        let area = seen.entry(places).or_insert_with_key(|places| {
            crate::areas::decode_places(places)
                .iter()
                .find_map(|p| areas.area_of(p))
                .map(str::to_string)
        });
        if let Some(area) = area {
            found.insert(entity, area.clone());
        }
    }
    Ok(found)
}

/// Runs the rules (and the model in force) over every stored transaction,
/// raises new findings, extends the open alert of an episode that grew,
/// and keeps what the model puts under its threshold as suppressed.
pub fn run_detection(
    store: &Store,
    config: &DetectConfig,
    model: Option<&ActiveModel>,
) -> Result<DetectionRun> {
    let started = nexus_store::now();
    let Some(n) = load_network(store, config)? else {
        return Ok(DetectionRun::default());
    };
    let g = &n.graph;
    // Accounts of entities with open sanctions matches are the designated
    // end of nexus paths and their activity an alert of its own.
    let designated_entities: HashSet<i64> = store
        .read(|db| db.alerts("open", "screening", 100_000, 0))?
        .into_iter()
        .filter_map(|a| a.entity_id)
        .collect();
    let in_high_risk_area = entities_in_high_risk_areas(store)?;
    // Accounts law enforcement ties to predicate offences: where nexus
    // paths start.
    let (_, predicate) = crate::predicate::stored(store)?;
    let mut flags = Flags::default();
    for (v, key) in g.accounts.iter().enumerate() {
        if predicate.contains(key) {
            flags.predicate.insert(v as u32);
        }
    }
    for (v, h) in n.holder.iter().enumerate() {
        if h.is_some_and(|h| designated_entities.contains(&h)) {
            flags.designated.insert(v as u32);
        }
        if let Some(area) = h.and_then(|h| in_high_risk_area.get(&h)) {
            flags.high_risk_area.insert(v as u32);
            flags.area_of.insert(v as u32, area.clone());
        }
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let scores = model.map(|m| score_edges(g, &m.model, threads, &|_, _| {}));
    let triaged = detect_and_rank(
        g,
        config,
        &flags,
        model.map(|m| &m.model).zip(scores.as_deref()),
    );
    let mut run = DetectionRun {
        transactions: g.edge_count(),
        ..DetectionRun::default()
    };
    let candidates: Vec<(&Alert, bool)> = triaged
        .alerts
        .iter()
        .map(|a| (a, false))
        .chain(triaged.suppressed.iter().map(|a| (a, true)))
        .collect();
    // In chunks of one write transaction each, so that intake and page
    // views (which audit) never wait long for the writer.
    for chunk in candidates.chunks(500) {
        let (raised, extended, suppressed) = store.write(|db| {
            let (mut raised, mut extended, mut suppressed) = (0, 0, 0);
            for &(a, is_suppressed) in chunk {
                let alert = new_alert(&n, a, is_suppressed, model.map(|m| m.id));
                match db.upsert_episode_alert(&alert, false)? {
                    EpisodeOutcome::Raised(_) if is_suppressed => suppressed += 1,
                    EpisodeOutcome::Raised(_) => raised += 1,
                    EpisodeOutcome::Extended(_) => extended += 1,
                    EpisodeOutcome::Unchanged => {}
                }
            }
            Ok((raised, extended, suppressed))
        })?;
        run.raised += raised;
        run.extended += extended;
        run.suppressed += suppressed;
    }
    let unconfirmed = crate::streaming::unconfirmed_stream_alerts_suppressed(store, started)?;
    store.write(|db| {
        db.audit(&AuditRecord {
            actor: "system".into(),
            action: "detection.run".into(),
            object: "network".into(),
            detail: format!(
                "{} transactions, {} accounts of listed persons, {} in high-risk areas, {} tied to predicate offences, {} patterns raised, {} suppressed; {} new alerts, {} extended, {} newly suppressed, {unconfirmed} raised at intake not confirmed{}",
                run.transactions,
                flags.designated.len(),
                flags.high_risk_area.len(),
                flags.predicate.len(),
                triaged.alerts.len(),
                triaged.suppressed.len(),
                run.raised,
                run.extended,
                run.suppressed,
                model.map_or(String::new(), |m| format!("; model {} ({})", m.id, m.name))
            ),
            ..AuditRecord::default()
        })
    })?;
    Ok(run)
}

fn new_alert(n: &Network, a: &Alert, suppressed: bool, model_id: Option<i64>) -> NewAlert {
    let g = &n.graph;
    let mut txs: Vec<&str> = a
        .edges
        .iter()
        .map(|&e| g.ids[e as usize].as_str())
        .collect();
    txs.sort_unstable();
    let accounts: Vec<&str> = a
        .accounts
        .iter()
        .map(|&v| g.accounts[v as usize].as_str())
        .collect();
    let first = a.edges.iter().map(|&e| g.time[e as usize]).min();
    let last = a.edges.iter().map(|&e| g.time[e as usize]).max();
    let mandatory = nexus_graph::triage::mandatory(a.typology);
    // The queue's order: the model's probability where it ranked the
    // alert, the rule's strength otherwise and for what the law requires.
    let score = match a.probability {
        Some(p) if !mandatory => p,
        _ => a.score,
    };
    let focal = a.accounts.first().map(|&v| n.account_id[v as usize]);
    NewAlert {
        score,
        entity_id: subject(n, a),
        accounts: accounts.join(";"),
        transactions: txs.join(";"),
        first_at: first,
        last_at: last,
        total_minor: (a.total_usd(g) * 100.0).round() as i64,
        explanation: with_holders(n, a),
        dedup_key: format!(
            "typ:{}:{}",
            a.typology,
            &sha256_hex(txs.join(";").as_bytes())[..24]
        ),
        probability: a.probability,
        suppressed,
        episode: episode_typology(a.typology)
            .then(|| focal.map(|f| format!("{}:{f}", a.typology)))
            .flatten(),
        model_id,
        ..NewAlert::new(
            if a.typology == Typology::Model {
                AlertKind::Model
            } else {
                AlertKind::Typology
            },
            a.typology,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_model::AlertStatus;
    use nexus_store::NewTransaction;

    /// Three transactions between accounts; an alert an analyst escalated
    /// over the first, one dismissed over the second.
    fn fiu() -> (tempfile::TempDir, Store, Vec<i64>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("fiu.db")).unwrap();
        let ids = store
            .write(|d| {
                let a = d.upsert_account("NXTJB1XX|A", "", None)?;
                let b = d.upsert_account("NXTJB1XX|B", "", None)?;
                let mut ids = Vec::new();
                for (i, reference) in ["T1", "T2", "T3"].iter().enumerate() {
                    ids.push(
                        d.insert_transaction(&NewTransaction {
                            report_id: None,
                            reference,
                            at: 1_767_225_600 + i as i64 * 3600,
                            amount_minor: 100_000,
                            currency: "USD",
                            from_account: Some(a),
                            to_account: Some(b),
                            from_entity: None,
                            to_entity: None,
                            channel: "domestic_transfer",
                            description: "",
                            source_institution: None,
                        })?
                        .unwrap(),
                    );
                }
                for (n, (tx, status)) in [
                    (ids[0], AlertStatus::Escalated),
                    (ids[1], AlertStatus::Dismissed),
                ]
                .into_iter()
                .enumerate()
                {
                    let alert = d
                        .insert_alert(&NewAlert {
                            transactions: tx.to_string(),
                            dedup_key: format!("t{n}"),
                            ..NewAlert::new(AlertKind::Typology, Typology::FanIn)
                        })?
                        .unwrap();
                    d.update_alert(alert, status, None, "decided", None)?;
                }
                Ok(ids)
            })
            .unwrap();
        (dir, store, ids)
    }

    #[test]
    fn confirmed_alerts_are_positives_and_a_dismissal_outweighs_a_cold_start() {
        let (_dir, store, _) = fiu();
        let cold: HashMap<String, (String, String)> = ["T2", "T3", "T9"]
            .iter()
            .map(|r| (r.to_string(), ("P1".to_string(), "fan_in".to_string())))
            .collect();
        let data = training_data(&store, &DetectConfig::default(), &cold)
            .unwrap()
            .unwrap();
        assert_eq!((data.confirmed_alerts, data.dismissed_alerts), (1, 1));
        assert_eq!(data.unknown_references, 1, "T9 is not held here");
        let positive: HashSet<&str> = data
            .labels
            .keys()
            .map(|&e| data.graph.ids[e as usize].as_str())
            .collect();
        let t = |i: usize| data.graph.ids[i].as_str();
        // Edges are in time order: T1, T2, T3.
        assert!(positive.contains(t(0)), "the escalated alert's payment");
        assert!(
            !positive.contains(t(1)),
            "dismissed by an analyst, whatever the cold start says"
        );
        assert!(positive.contains(t(2)), "the cold start's");
        assert_eq!(data.from_cold_start, 1);
        assert!(data.labels[&0].0.starts_with("ALERT-"));
    }
}
