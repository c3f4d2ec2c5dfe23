//! The Central Asia scenario simulator.
//!
//! [`simulate`] builds a regional financial system — institutions of the seven
//! Northern Route countries and their partners, people named by each
//! country's conventions and recorded differently by each institution,
//! organisations, accounts — runs its legitimate background life day by day,
//! plants labelled typologies, and writes the interchange dataset, a
//! UN-format scenario list, goAML reports and an answer key (`scenario.json`).
//!
//! Same seed and parameters, same bytes: every random draw comes from
//! [`rng::Rng`] streams derived from the seed, and nothing iterates a hash map.

pub mod background;
pub mod lists;
pub mod names;
pub mod population;
pub mod reports;
pub mod rng;
pub mod screening_eval;
pub mod typologies;
pub mod world;

use background::{background_day, Rates, SimTx};
use nexus_formats::dataset::{DatasetError, StagedDir};
use nexus_formats::interchange::{
    write_accounts, write_institutions, write_labels, write_parties, TransactionWriter,
};
use nexus_formats::unlist::UnEntry;
use nexus_model::{AccountKind, Channel, Date, Label, Minor, Timestamp};
use population::NONE;
use rng::Rng;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use typologies::{Planter, DESIGNATED, NEXUS, SHAPES};

/// The version written into `scenario.json`; bump when output changes for the same seed.
pub const GENERATOR_VERSION: &str = "1.0.0";

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub persons: usize,
    pub days: u32,
    pub start: Date,
    /// Planted instances of each typology; `None` scales with the population.
    pub cases_per_typology: Option<usize>,
    /// Real UN list entries to plant as customers (from `--un-list`).
    pub real_designated: Vec<UnEntry>,
    /// Replace an existing output directory.
    pub replace: bool,
}

impl Config {
    pub fn new(seed: u64) -> Config {
        Config {
            seed,
            persons: 20_000,
            days: 90,
            start: Date::new(2026, 1, 1).unwrap_or(Date {
                year: 2026,
                month: 1,
                day: 1,
            }),
            cases_per_typology: None,
            real_designated: Vec::new(),
            replace: false,
        }
    }
}

/// Why a simulation did not run.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("--persons must be between 100 and 50,000,000, got {0}")]
    Persons(usize),
    #[error("--days must be between 7 and 3,660, got {0}")]
    Days(u32),
    #[error("--cases-per-typology must be between 1 and 10,000, got {0}")]
    Cases(usize),
    #[error("--start {0} is outside 1900..2200")]
    Start(Date),
    #[error(transparent)]
    Output(#[from] DatasetError),
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub out: PathBuf,
    pub transactions: u64,
    pub planted_transactions: usize,
    pub accounts: usize,
    pub parties: usize,
    pub cases: usize,
    pub reports: usize,
    pub list_entries: usize,
}

impl Config {
    fn validate(&self) -> Result<(), SimError> {
        if !(100..=50_000_000).contains(&self.persons) {
            return Err(SimError::Persons(self.persons));
        }
        if !(7..=3660).contains(&self.days) {
            return Err(SimError::Days(self.days));
        }
        if let Some(c) = self.cases_per_typology {
            if !(1..=10_000).contains(&c) {
                return Err(SimError::Cases(c));
            }
        }
        if !(1900..2200).contains(&self.start.year) {
            return Err(SimError::Start(self.start));
        }
        Ok(())
    }
}

/// Runs the simulation and writes the dataset to `out` (atomically).
pub fn simulate(config: &Config, out: &Path) -> Result<Summary, SimError> {
    config.validate()?;
    let staged = StagedDir::create(out, config.replace)?;
    let mut world = population::build(config.seed, config.persons);
    let per_typology = config
        .cases_per_typology
        .unwrap_or_else(|| (config.persons / 5000).clamp(2, 200));

    // Plant.
    let (planted, cases, designations) = {
        let mut p = Planter::new(&mut world, config.seed, config.start, config.days);
        for _ in 0..per_typology {
            for t in SHAPES {
                p.plant_shape(*t);
            }
            for t in NEXUS {
                p.plant_nexus(*t);
            }
        }
        for i in 0..per_typology {
            p.designated_customer(i % 2 == 0);
        }
        for (i, e) in config.real_designated.iter().enumerate() {
            p.real_designated_customer(e, i % 2 == 0);
        }
        (p.txs, p.cases, p.designations)
    };
    world.finalize();

    // Planted transactions by day.
    let start_ts = config.start.midnight().0;
    let day_of = |ts: i64| ((ts - start_ts).div_euclid(86_400)).max(0) as usize;
    let mut planted_by_day: Vec<Vec<usize>> = vec![Vec::new(); config.days as usize];
    let mut late: Vec<usize> = Vec::new();
    for (i, t) in planted.iter().enumerate() {
        let d = day_of(t.ts);
        if d < planted_by_day.len() {
            planted_by_day[d].push(i);
        } else {
            late.push(i);
        }
    }

    // Stream the transactions, day by day.
    let name = "transactions.csv";
    let mut writer = TransactionWriter::new(staged.create_file(name)?)
        .map_err(|e| staged.write_error(name, e))?;
    let mut planted_ids: Vec<String> = vec![String::new(); planted.len()];
    let mut reservoir: Vec<(String, SimTx)> = Vec::new();
    let mut reservoir_rng = Rng::derive(config.seed, "defensive-reports");
    let mut seen_candidates = 0u64;
    let rates = Rates::default();
    let mut day_buf: Vec<SimTx> = Vec::new();
    let mut next_id: u64 = 1;
    // Writes the part of `batch` before `cutoff`, in time order, and keeps
    // the rest (a cash-out tomorrow, a time zone ahead) for the next round.
    let mut write_batch = |batch: &mut Vec<SimTx>,
                           cutoff: i64,
                           writer: &mut TransactionWriter<_>,
                           planted_ids: &mut Vec<String>,
                           reservoir: &mut Vec<(String, SimTx)>|
     -> std::io::Result<()> {
        batch.sort_by_key(|t| (t.ts, t.case != NONE, t.seq));
        let ready = batch.partition_point(|t| t.ts < cutoff);
        let mut id = String::with_capacity(12);
        for t in batch[..ready].iter() {
            id.clear();
            use std::fmt::Write as _;
            let _ = write!(id, "T{next_id:010}");
            next_id += 1;
            let currency = world.currency(t.from);
            writer.write(
                &id,
                Timestamp(t.ts),
                &world.accounts[t.from as usize].id,
                &world.accounts[t.to as usize].id,
                Minor(t.amount),
                currency,
                t.channel,
            )?;
            if t.case != NONE {
                planted_ids[t.seq as usize] = id.clone();
            } else if is_defensive_candidate(&world, t) {
                // Reservoir sample of legitimate look-alikes for defensive reports.
                seen_candidates += 1;
                if reservoir.len() < 32 {
                    reservoir.push((id.clone(), *t));
                } else {
                    let j = reservoir_rng.below(seen_candidates as usize);
                    if j < 32 {
                        reservoir[j] = (id.clone(), *t);
                    }
                }
            }
        }
        batch.drain(..ready);
        Ok(())
    };
    for (d, planted_today) in planted_by_day.iter().enumerate() {
        let day = config.start.add_days(d as i64);
        let mut rng = Rng::derive(config.seed, &format!("day-{d}"));
        background_day(&world, &rates, &mut rng, day, &mut day_buf);
        // Background seq numbers are per day; planted ones carry their index.
        for &i in planted_today {
            day_buf.push(planted[i]);
        }
        // Tomorrow's earliest local midnight is at most 9 hours before UTC midnight.
        let cutoff = day.add_days(1).midnight().0 - 9 * 3600;
        write_batch(
            &mut day_buf,
            cutoff,
            &mut writer,
            &mut planted_ids,
            &mut reservoir,
        )
        .map_err(|e| staged.write_error(name, e))?;
    }
    for &i in &late {
        day_buf.push(planted[i]);
    }
    write_batch(
        &mut day_buf,
        i64::MAX,
        &mut writer,
        &mut planted_ids,
        &mut reservoir,
    )
    .map_err(|e| staged.write_error(name, e))?;
    let transactions = writer.rows();
    writer.finish().map_err(|e| staged.write_error(name, e))?;

    // Labels: one row per planted transaction and per case account.
    let mut labels = Vec::new();
    for c in &cases {
        for &(ti, stage) in &c.transactions {
            labels.push(Label {
                pattern_id: c.pattern_id.clone(),
                typology: c.typology.to_string(),
                transaction_id: planted_ids[ti].clone(),
                account_id: String::new(),
                role: stage.to_string(),
            });
        }
        for &(a, role) in &c.accounts {
            labels.push(Label {
                pattern_id: c.pattern_id.clone(),
                typology: c.typology.to_string(),
                transaction_id: String::new(),
                account_id: world.accounts[a as usize].id.clone(),
                role: role.to_string(),
            });
        }
    }

    // Reports.
    let mut report_rng = Rng::derive(config.seed, "reports");
    let mut case_reports: Vec<Vec<String>> = vec![Vec::new(); cases.len()];
    let mut report_files: Vec<(String, String)> = Vec::new();
    let mut defensive: Vec<serde_json::Value> = Vec::new();
    for (ci, c) in cases.iter().enumerate() {
        if !report_rng.chance(0.65) || c.transactions.is_empty() {
            continue;
        }
        let Some(reporter) = c
            .accounts
            .iter()
            .map(|&(a, _)| world.account_institution[a as usize])
            .find(|&i| {
                let code = world.institutions[i as usize].country.as_str();
                !matches!(code, "TR" | "AE" | "CN" | "DE")
            })
        else {
            continue;
        };
        let txs: Vec<(String, SimTx)> = c
            .transactions
            .iter()
            .map(|&(ti, _)| (planted_ids[ti].clone(), planted[ti]))
            .filter(|(_, t)| {
                world.account_institution[t.from as usize] == reporter
                    || world.account_institution[t.to as usize] == reporter
            })
            .take(30)
            .collect();
        if txs.is_empty() {
            continue;
        }
        let reference = format!(
            "STR-{}-{:04}",
            world.institutions[reporter as usize].id,
            report_files.len() + 1
        );
        let (reason, indicators) = reports::reason_for(c.typology);
        let report = reports::build_report(&world, reporter, &reference, &txs, reason, indicators);
        report_files.push((
            format!("reports/{reference}.xml"),
            nexus_formats::goaml::write_report(&report),
        ));
        case_reports[ci].push(reference);
    }
    let n_defensive = (report_files.len() / 5).max(2).min(reservoir.len());
    for (id, t) in reservoir.iter().take(n_defensive) {
        let reporter = world.account_institution[if world.accounts[t.from as usize].kind
            == AccountKind::Cash
        {
            t.to
        } else {
            t.from
        } as usize];
        let reference = format!(
            "STR-{}-{:04}",
            world.institutions[reporter as usize].id,
            report_files.len() + 1
        );
        let report = reports::build_report(
            &world,
            reporter,
            &reference,
            &[(id.clone(), *t)],
            "Unusual cash activity compared with the customer's profile.",
            &["CASH"],
        );
        report_files.push((
            format!("reports/{reference}.xml"),
            nexus_formats::goaml::write_report(&report),
        ));
        defensive.push(json!({"report": reference, "transaction_id": id, "answer": "legitimate look-alike: no laundering planted"}));
    }
    for (file, xml) in &report_files {
        let mut f = staged.create_file(file)?;
        f.write_all(xml.as_bytes())
            .and_then(|_| f.flush())
            .map_err(|e| staged.write_error(file, e))?;
    }

    // The scenario list.
    let end = config.start.add_days(i64::from(config.days));
    let list = lists::scenario_list(&world, &designations, config.seed, end);
    let list_name = "lists/scenario-list.xml";
    let mut f = staged.create_file(list_name)?;
    f.write_all(nexus_formats::unlist::write_un_list(&list).as_bytes())
        .and_then(|_| f.flush())
        .map_err(|e| staged.write_error(list_name, e))?;

    // The other interchange files.
    let write = |name: &str,
                 f: &dyn Fn(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>|
     -> Result<(), SimError> {
        let mut w = staged.create_file(name)?;
        f(&mut w)
            .and_then(|_| w.flush())
            .map_err(|e| staged.write_error(name, e))?;
        Ok(())
    };
    write("institutions.csv", &|w| {
        write_institutions(w, &world.institutions)
    })?;
    write("parties.csv", &|w| write_parties(w, &world.parties))?;
    write("accounts.csv", &|w| write_accounts(w, &world.accounts))?;
    write("labels.csv", &|w| write_labels(w, &labels))?;

    // The answer key.
    let case_json: Vec<serde_json::Value> = cases
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let times: Vec<i64> = c.transactions.iter().map(|&(t, _)| planted[t].ts).collect();
            let usd: f64 = c
                .transactions
                .iter()
                .map(|&(t, _)| {
                    let tx = &planted[t];
                    tx.amount as f64 / 100.0 / world.rate(world.currency(tx.from))
                })
                .sum();
            json!({
                "pattern_id": c.pattern_id,
                "typology": c.typology,
                "family": c.family,
                "predicate_offence": c.predicate_offence,
                "answer_key": c.description,
                "first_timestamp": times.iter().min().map(|t| Timestamp(*t).to_string()),
                "last_timestamp": times.iter().max().map(|t| Timestamp(*t).to_string()),
                "transactions": c.transactions.len(),
                "total_amount_usd": (usd * 100.0).round() / 100.0,
                "accounts": c.accounts.iter().map(|&(a, role)| {
                    let acct = &world.accounts[a as usize];
                    json!({"account_id": acct.id, "party_id": acct.party_id, "role": role,
                           "institution_id": acct.institution_id, "holder_name": acct.holder_name})
                }).collect::<Vec<_>>(),
                "list_refs": c.list_refs,
                "reports": case_reports[ci],
            })
        })
        .collect();
    let mut by_typology = serde_json::Map::new();
    for t in SHAPES
        .iter()
        .map(|s| s.as_str())
        .chain(NEXUS.iter().map(|n| n.as_str()))
        .chain(std::iter::once(DESIGNATED))
    {
        by_typology.insert(
            t.to_string(),
            json!(cases.iter().filter(|c| c.typology == t).count()),
        );
    }
    let scenario = json!({
        "generator": "nexus simulate",
        "generator_version": GENERATOR_VERSION,
        "seed": config.seed,
        "parameters": {
            "persons": config.persons,
            "days": config.days,
            "start": config.start.to_string(),
            "cases_per_typology": per_typology,
            "real_list_entries": config.real_designated.len(),
        },
        "counts": {
            "institutions": world.institutions.len(),
            "parties": world.parties.len(),
            "accounts": world.accounts.len(),
            "transactions": transactions,
            "planted_transactions": planted.len(),
            "labels": labels.len(),
            "cases": cases.len(),
            "cases_by_typology": by_typology,
            "reports": report_files.len(),
            "defensive_reports": defensive.len(),
            "scenario_list_entries": list.entries.len(),
        },
        "countries": world.countries.iter().map(|c| json!({
            "code": c.code.as_str(), "name": c.un_name, "currency": c.currency.as_str(),
            "usd_rate": c.per_usd, "cash_reporting_threshold": c.cash_threshold,
        })).collect::<Vec<_>>(),
        "reporting_entities": world.institutions.iter().enumerate().map(|(i, inst)| json!({
            "institution_id": inst.id, "rentity_id": reports::rentity_id(i as u32), "name": inst.name,
        })).collect::<Vec<_>>(),
        "goaml_transmode_codes": {"C": "cash", "E": "electronic transfer", "R": "remittance", "V": "virtual asset", "H": "informal value transfer (hawala)", "D": "card"},
        "cases": case_json,
        "defensive_reports": defensive,
    });
    let text = serde_json::to_string_pretty(&scenario).unwrap_or_default();
    write("scenario.json", &|w| w.write_all(text.as_bytes()))?;

    let summary = Summary {
        out: out.to_path_buf(),
        transactions,
        planted_transactions: planted.len(),
        accounts: world.accounts.len(),
        parties: world.parties.len(),
        cases: cases.len(),
        reports: report_files.len(),
        list_entries: list.entries.len(),
    };
    staged.commit()?;
    Ok(summary)
}

/// Legitimate transactions a cautious bank might report: remittance cash-outs
/// and large cash deposits.
fn is_defensive_candidate(w: &population::World, t: &SimTx) -> bool {
    match t.channel {
        Channel::CashWithdrawal => w.accounts[t.from as usize].kind == AccountKind::MoneyTransfer,
        Channel::CashDeposit => {
            let usd = t.amount as f64 / 100.0 / w.rate(w.currency(t.to));
            usd > 3000.0 && w.account_party[t.to as usize] != NONE
        }
        _ => false,
    }
}

/// Picks up to `n` individuals of the region (nationality or address in a
/// scenario country) from a real UN list, deterministically for a seed.
pub fn pick_real_entries(
    list: &nexus_formats::unlist::UnList,
    n: usize,
    seed: u64,
) -> Vec<UnEntry> {
    let region = [
        "Tajikistan",
        "Uzbekistan",
        "Kyrgyzstan",
        "Kazakhstan",
        "Turkmenistan",
        "Afghanistan",
        "Russian Federation",
    ];
    let mut pool: Vec<&UnEntry> = list
        .entries
        .iter()
        .filter(|e| e.kind == Some(nexus_model::PartyKind::Person))
        .filter(|e| {
            e.nationalities.iter().any(|n| region.contains(&n.as_str()))
                || e.addresses
                    .iter()
                    .any(|a| region.contains(&a.country.as_str()))
        })
        .collect();
    let mut rng = Rng::derive(seed, "real-list");
    rng.shuffle(&mut pool);
    pool.into_iter().take(n).cloned().collect()
}
