//! End-to-end checks of a simulated scenario: determinism, referential
//! integrity, the structure of each planted typology against its definition,
//! the structure of the list and reports, and the shape of the background.

use nexus_formats::interchange::{
    read_accounts, read_institutions, read_labels, read_parties, TransactionReader,
};
use nexus_formats::unlist::read_un_list;
use nexus_formats::xml::parse_document;
use nexus_model::{Account, AccountKind, Channel, Transaction};
use nexus_sim::{simulate, Config};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

struct Scenario {
    dir: PathBuf,
    _tmp: tempfile::TempDir,
}

fn config(seed: u64) -> Config {
    let mut c = Config::new(seed);
    c.persons = 3000;
    c.days = 60;
    c.cases_per_typology = Some(3);
    let un = shared().join("data/lists/un/consolidated-2026-02-27.xml");
    if un.exists() {
        let (list, _) = read_un_list(&un).unwrap();
        c.real_designated = nexus_sim::pick_real_entries(&list, 4, seed);
    }
    c
}

fn scenario() -> &'static Scenario {
    static S: OnceLock<Scenario> = OnceLock::new();
    S.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("scenario");
        simulate(&config(42), &dir).unwrap();
        Scenario { dir, _tmp: tmp }
    })
}

struct Loaded {
    accounts: HashMap<String, Account>,
    txs: Vec<Transaction>,
    by_id: HashMap<String, usize>,
    json: serde_json::Value,
    thresholds: HashMap<String, f64>,
    rates: HashMap<String, f64>,
    institution_country: HashMap<String, String>,
}

fn loaded() -> &'static Loaded {
    static L: OnceLock<Loaded> = OnceLock::new();
    L.get_or_init(|| {
        let d = &scenario().dir;
        let accounts: HashMap<String, Account> = read_accounts(&d.join("accounts.csv"))
            .unwrap()
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect();
        let txs: Vec<Transaction> = TransactionReader::open(&d.join("transactions.csv"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let by_id = txs
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("scenario.json")).unwrap())
                .unwrap();
        let mut thresholds = HashMap::new();
        let mut rates = HashMap::new();
        for c in json["countries"].as_array().unwrap() {
            thresholds.insert(
                c["currency"].as_str().unwrap().to_string(),
                c["cash_reporting_threshold"].as_f64().unwrap(),
            );
            rates.insert(
                c["currency"].as_str().unwrap().to_string(),
                c["usd_rate"].as_f64().unwrap(),
            );
        }
        rates.insert("USD".into(), 1.0);
        let institution_country = read_institutions(&d.join("institutions.csv"))
            .unwrap()
            .into_iter()
            .map(|i| (i.id, i.country.to_string()))
            .collect();
        Loaded {
            accounts,
            txs,
            by_id,
            json,
            thresholds,
            rates,
            institution_country,
        }
    })
}

fn usd(l: &Loaded, t: &Transaction) -> f64 {
    t.amount.as_major_f64() / l.rates[t.currency.as_str()]
}

/// The transactions of each case, in file (time) order.
fn case_transactions(l: &Loaded) -> BTreeMap<String, (String, Vec<&Transaction>)> {
    let labels = read_labels(&scenario().dir.join("labels.csv")).unwrap();
    let mut out: BTreeMap<String, (String, Vec<&Transaction>)> = BTreeMap::new();
    for lab in labels.iter().filter(|l| !l.transaction_id.is_empty()) {
        let e = out
            .entry(lab.pattern_id.clone())
            .or_insert_with(|| (lab.typology.clone(), Vec::new()));
        e.1.push(&l.txs[l.by_id[&lab.transaction_id]]);
    }
    for (_, v) in out.values_mut() {
        v.sort_by_key(|t| (t.timestamp, t.id.clone()));
    }
    out
}

/// The digest of every file of a tiny scenario, in a fixed order.
fn digest_of(dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.strip_prefix(dir).unwrap().to_string_lossy().as_bytes());
        h.update(std::fs::read(&f).unwrap());
    }
    hex::encode(h.finalize())
}

/// A golden digest of a tiny scenario (no real list): the same bytes on
/// every machine and build, not only between two runs of one build. A
/// deliberate change to the simulator changes it here, with the reason in
/// the commit.
#[test]
fn a_tiny_scenario_has_its_golden_digest() {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = Config::new(11);
    c.persons = 300;
    c.days = 10;
    c.cases_per_typology = Some(1);
    let out = tmp.path().join("s");
    simulate(&c, &out).unwrap();
    assert_eq!(digest_of(&out), GOLDEN_TINY_SCENARIO);
}

const GOLDEN_TINY_SCENARIO: &str =
    "7d015da81c4985bc5271da45c0b313165cc9d724cba9ab3596183c94be73b3e0";

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = config(5);
    c.persons = 400;
    c.days = 20;
    c.cases_per_typology = Some(1);
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    simulate(&c, &a).unwrap();
    simulate(&c, &b).unwrap();
    let files = [
        "institutions.csv",
        "parties.csv",
        "accounts.csv",
        "transactions.csv",
        "labels.csv",
        "scenario.json",
        "lists/scenario-list.xml",
    ];
    for f in files {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
    let ra: BTreeSet<_> = std::fs::read_dir(a.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let rb: BTreeSet<_> = std::fs::read_dir(b.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(ra, rb);
    c.seed = 6;
    let d = tmp.path().join("d");
    simulate(&c, &d).unwrap();
    assert_ne!(
        std::fs::read(a.join("transactions.csv")).unwrap(),
        std::fs::read(d.join("transactions.csv")).unwrap()
    );
}

#[test]
fn every_reference_resolves() {
    let l = loaded();
    let d = &scenario().dir;
    let parties: BTreeSet<String> = read_parties(&d.join("parties.csv"))
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    for a in l.accounts.values() {
        assert!(
            l.institution_country.contains_key(&a.institution_id),
            "{}",
            a.id
        );
        assert!(
            a.party_id.is_empty() || parties.contains(&a.party_id),
            "{}",
            a.id
        );
        if a.kind != AccountKind::Cash {
            assert!(
                !a.party_id.is_empty() && !a.holder_name.is_empty(),
                "{}",
                a.id
            );
        }
    }
    let mut ids = BTreeSet::new();
    let mut last = i64::MIN;
    for t in &l.txs {
        assert!(l.accounts.contains_key(&t.from_account), "{}", t.id);
        assert!(l.accounts.contains_key(&t.to_account), "{}", t.id);
        assert_ne!(t.from_account, t.to_account);
        assert!(t.amount.0 > 0);
        assert_eq!(
            l.accounts[&t.from_account].currency, t.currency,
            "amounts are in the sender's currency"
        );
        assert!(ids.insert(t.id.clone()), "duplicate id {}", t.id);
        assert!(t.timestamp.0 >= last, "file is in time order");
        last = t.timestamp.0;
    }
    let labels = read_labels(&d.join("labels.csv")).unwrap();
    assert!(!labels.is_empty());
    for lab in &labels {
        if !lab.transaction_id.is_empty() {
            assert!(l.by_id.contains_key(&lab.transaction_id), "{lab:?}");
        } else {
            assert!(l.accounts.contains_key(&lab.account_id), "{lab:?}");
        }
    }
    // The inventory agrees with the labels.
    let cases = l.json["cases"].as_array().unwrap();
    let labelled: BTreeSet<&str> = labels.iter().map(|x| x.pattern_id.as_str()).collect();
    for c in cases {
        assert!(labelled.contains(c["pattern_id"].as_str().unwrap()));
    }
    assert_eq!(
        l.json["counts"]["transactions"].as_u64().unwrap() as usize,
        l.txs.len()
    );
}

#[test]
fn every_typology_is_planted() {
    let l = loaded();
    let by = &l.json["counts"]["cases_by_typology"];
    for t in nexus_sim::typologies::SHAPES
        .iter()
        .map(|s| s.as_str())
        .chain(nexus_sim::typologies::NEXUS.iter().map(|n| n.as_str()))
    {
        assert_eq!(by[t].as_u64(), Some(3), "{t}");
    }
    assert!(by["designated_customer"].as_u64().unwrap() >= 3);
}

fn distinct<'a>(it: impl Iterator<Item = &'a str>) -> BTreeSet<&'a str> {
    it.collect()
}

#[test]
fn laundering_shapes_match_their_definitions() {
    let l = loaded();
    for (pid, (typology, txs)) in case_transactions(l) {
        let froms = distinct(txs.iter().map(|t| t.from_account.as_str()));
        let tos = distinct(txs.iter().map(|t| t.to_account.as_str()));
        match typology.as_str() {
            "fan_out" => {
                assert_eq!(froms.len(), 1, "{pid}");
                assert!(tos.len() >= 5, "{pid}");
            }
            "fan_in" => {
                assert_eq!(tos.len(), 1, "{pid}");
                assert!(froms.len() >= 5, "{pid}");
            }
            "cycle" => {
                // Each transaction starts where the previous ended, in time order, and returns.
                for w in txs.windows(2) {
                    assert_eq!(w[0].to_account, w[1].from_account, "{pid}");
                    assert!(w[0].timestamp < w[1].timestamp, "{pid}");
                }
                assert_eq!(
                    txs.first().unwrap().from_account,
                    txs.last().unwrap().to_account,
                    "{pid}"
                );
                assert!(txs.len() >= 3);
            }
            "scatter_gather" => {
                let src = txs[0].from_account.as_str();
                let dst = txs.last().unwrap().to_account.as_str();
                let mids: BTreeSet<&str> = txs
                    .iter()
                    .filter(|t| t.from_account == src)
                    .map(|t| t.to_account.as_str())
                    .collect();
                assert!(mids.len() >= 3, "{pid}");
                for m in &mids {
                    assert!(
                        txs.iter()
                            .any(|t| t.from_account == *m && t.to_account == dst),
                        "{pid}: {m} must pay {dst}"
                    );
                }
            }
            "gather_scatter" => {
                let hub = txs[0].to_account.as_str();
                let ins = txs.iter().filter(|t| t.to_account == hub).count();
                let outs = txs.iter().filter(|t| t.from_account == hub).count();
                assert!(ins >= 3 && outs >= 3 && ins + outs == txs.len(), "{pid}");
                let last_in = txs
                    .iter()
                    .filter(|t| t.to_account == hub)
                    .map(|t| t.timestamp)
                    .max();
                let first_out = txs
                    .iter()
                    .filter(|t| t.from_account == hub)
                    .map(|t| t.timestamp)
                    .min();
                assert!(last_in < first_out, "{pid}: gather before scatter");
            }
            "bipartite" => {
                assert!(froms.is_disjoint(&tos), "{pid}: two sides");
                assert!(froms.len() >= 2 && tos.len() >= 2, "{pid}");
            }
            "stack" => {
                let middle: BTreeSet<&str> = froms.intersection(&tos).copied().collect();
                assert!(middle.len() >= 2, "{pid}: a middle layer");
                let first: BTreeSet<&str> = froms.difference(&tos).copied().collect();
                let last: BTreeSet<&str> = tos.difference(&froms).copied().collect();
                assert!(first.len() >= 2 && last.len() >= 2, "{pid}");
            }
            "random" => {
                for w in txs.windows(2) {
                    assert_eq!(w[0].to_account, w[1].from_account, "{pid}: a walk");
                }
            }
            _ => {}
        }
    }
}

#[test]
fn nexus_typologies_match_their_definitions() {
    let l = loaded();
    for (pid, (typology, txs)) in case_transactions(l) {
        match typology.as_str() {
            "structuring" => {
                let deposits: Vec<_> = txs
                    .iter()
                    .filter(|t| t.channel == Channel::CashDeposit)
                    .collect();
                assert!(deposits.len() >= 12, "{pid}: many deposits");
                for d in &deposits {
                    let th = l.thresholds[d.to_currency(l).as_str()];
                    let v = d.amount.as_major_f64();
                    assert!(v < th && v >= 0.8 * th, "{pid}: {v} just below {th}");
                }
                assert!(
                    txs.iter().any(|t| t.channel == Channel::Wire),
                    "{pid}: wired abroad"
                );
                let smurfs = distinct(deposits.iter().map(|t| t.to_account.as_str()));
                assert!(smurfs.len() >= 4, "{pid}");
            }
            "mule_pass_through" => {
                // Every mule passes on what it received within six hours, keeping at most 5%.
                for t in txs.iter().filter(|t| t.channel != Channel::Wire) {
                    let inbound = txs
                        .iter()
                        .filter(|i| i.to_account == t.from_account && i.timestamp <= t.timestamp)
                        .max_by_key(|i| i.timestamp)
                        .unwrap_or_else(|| panic!("{pid}: {} has no inbound", t.id));
                    let dt = t.timestamp.0 - inbound.timestamp.0;
                    assert!(dt <= 6 * 3600, "{pid}: {dt}s");
                    let ratio = usd(l, t) / usd(l, inbound);
                    assert!((0.94..=1.0).contains(&ratio), "{pid}: ratio {ratio}");
                }
            }
            "ftf_self_funding" => {
                let tos = distinct(txs.iter().map(|t| t.to_account.as_str()));
                assert_eq!(tos.len(), 1, "{pid}: one recipient");
                let dest = &l.accounts[*tos.iter().next().unwrap()];
                assert!(
                    matches!(
                        l.institution_country[&dest.institution_id].as_str(),
                        "TR" | "AF"
                    ),
                    "{pid}"
                );
                for t in &txs {
                    let v = usd(l, t);
                    assert!((95.0..=605.0).contains(&v), "{pid}: small amounts, got {v}");
                    assert!(matches!(
                        t.channel,
                        Channel::Remittance | Channel::InformalValueTransfer
                    ));
                }
            }
            "crypto_cashout" => {
                let last = txs.last().unwrap();
                assert_eq!(last.channel, Channel::Crypto, "{pid}");
                assert_eq!(
                    l.accounts[&last.to_account].kind,
                    AccountKind::CryptoAddress
                );
                let buy = txs.iter().find(|t| t.channel == Channel::Crypto).unwrap();
                assert!(
                    last.timestamp.0 - buy.timestamp.0 <= 4 * 3600,
                    "{pid}: out within hours"
                );
            }
            "cash_courier" => {
                let cash: f64 = txs
                    .iter()
                    .filter(|t| t.channel == Channel::CashWithdrawal)
                    .map(|t| t.amount.as_major_f64())
                    .sum();
                let th = l.thresholds[txs[txs.len() - 1].currency.as_str()];
                assert!(cash > 2.0 * th, "{pid}: large cash");
            }
            "charity_diversion" => {
                let donors = txs
                    .iter()
                    .filter(|t| t.channel == Channel::DomesticTransfer)
                    .count();
                assert!(donors >= 10, "{pid}");
                assert!(
                    txs.iter().filter(|t| t.channel == Channel::Wire).count() >= 2,
                    "{pid}: wired on"
                );
            }
            "trade_based_layering" => {
                let invoices: Vec<_> = txs
                    .iter()
                    .filter(|t| t.currency.as_str() == "USD" && t.amount.0 % 1_000_000 == 0)
                    .collect();
                assert!(invoices.len() >= 3, "{pid}: round-sum invoices");
            }
            _ => {}
        }
    }
}

trait ToCurrency {
    fn to_currency(&self, l: &Loaded) -> nexus_model::Currency;
}

impl ToCurrency for Transaction {
    fn to_currency(&self, l: &Loaded) -> nexus_model::Currency {
        l.accounts[&self.to_account].currency
    }
}

#[test]
fn designated_people_bank_under_name_variants() {
    let l = loaded();
    let d = &scenario().dir;
    let (list, skipped) = read_un_list(&d.join("lists/scenario-list.xml")).unwrap();
    assert!(skipped.is_empty());
    assert!(list.entries.len() >= 3);
    let refs: BTreeSet<&str> = list
        .entries
        .iter()
        .map(|e| e.reference_number.as_str())
        .collect();
    let mut variants = 0;
    for c in l.json["cases"].as_array().unwrap() {
        for r in c["list_refs"].as_array().unwrap() {
            let r = r.as_str().unwrap();
            let real = !r.starts_with("QDi.9")
                && !r.starts_with("TAi.9")
                && !r.starts_with("QDe.9")
                && !r.starts_with("TAe.9");
            assert!(real || refs.contains(r), "{r} must be on the scenario list");
        }
        if c["typology"] == "designated_customer" {
            let holder = c["accounts"][0]["holder_name"].as_str().unwrap();
            let entry = list.entries.iter().find(|e| {
                c["list_refs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r == e.reference_number.as_str())
            });
            if let Some(e) = entry {
                let listed: Vec<String> = std::iter::once(e.primary_name())
                    .chain(std::iter::once(e.name_original_script.clone()))
                    .chain(e.aliases.iter().map(|a| a.name.clone()))
                    .collect();
                if !listed.iter().any(|n| n == holder) {
                    variants += 1;
                }
            }
        }
    }
    assert!(
        variants >= 1,
        "at least one designated customer banks under a spelling the list does not carry"
    );
    // Original scripts and the list's date forms occur.
    assert!(list
        .entries
        .iter()
        .any(|e| !e.name_original_script.is_empty()));
    assert!(list
        .entries
        .iter()
        .any(|e| e.aliases.iter().any(|a| a.quality == "Low")));
}

#[test]
fn one_person_is_spelled_differently_by_different_institutions() {
    let l = loaded();
    let mut by_party: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for a in l.accounts.values().filter(|a| !a.party_id.is_empty()) {
        by_party
            .entry(&a.party_id)
            .or_default()
            .insert(a.holder_name.as_str());
    }
    let multi = by_party.values().filter(|s| s.len() >= 2).count();
    assert!(
        multi > 100,
        "{multi} parties recorded under two or more spellings"
    );
    let cyrillic = l
        .accounts
        .values()
        .filter(|a| a.holder_name_script == nexus_model::Script::Cyrillic)
        .count();
    let arabic = l
        .accounts
        .values()
        .filter(|a| a.holder_name_script == nexus_model::Script::Arabic)
        .count();
    let latin = l
        .accounts
        .values()
        .filter(|a| a.holder_name_script == nexus_model::Script::Latin)
        .count();
    assert!(
        cyrillic > 500 && arabic > 50 && latin > 500,
        "{cyrillic} {arabic} {latin}"
    );
    // Central Asian letters occur in recorded names.
    assert!(l
        .accounts
        .values()
        .any(|a| a.holder_name.contains('ҷ') || a.holder_name.contains('Ҷ')));
    assert!(l
        .accounts
        .values()
        .any(|a| a.holder_name.contains('ў') || a.holder_name.contains('Ў')));
    assert!(l
        .accounts
        .values()
        .any(|a| a.holder_name.contains('қ') || a.holder_name.contains('ә')));
}

#[test]
fn background_has_the_shape_of_the_region() {
    let l = loaded();
    let country = |acct: &str| l.institution_country[&l.accounts[acct].institution_id].as_str();
    // Remittance corridors: from Russia and Kazakhstan to Tajikistan, Uzbekistan, Kyrgyzstan.
    let remits: Vec<_> = l
        .txs
        .iter()
        .filter(|t| t.channel == Channel::Remittance)
        .collect();
    assert!(remits.len() > 500);
    let corridor = remits
        .iter()
        .filter(|t| {
            matches!(country(&t.from_account), "RU" | "KZ")
                && matches!(country(&t.to_account), "TJ" | "UZ" | "KG")
        })
        .count();
    assert!(
        corridor as f64 / remits.len() as f64 > 0.9,
        "{corridor}/{}",
        remits.len()
    );
    // A cash-heavy economy.
    let cash = l
        .txs
        .iter()
        .filter(|t| matches!(t.channel, Channel::CashDeposit | Channel::CashWithdrawal))
        .count();
    assert!(cash as f64 / l.txs.len() as f64 > 0.15);
    // Heavy-tailed amounts.
    let mut amounts: Vec<f64> = l.txs.iter().map(|t| usd(l, t)).collect();
    amounts.sort_by(f64::total_cmp);
    let q = |p: f64| amounts[((amounts.len() - 1) as f64 * p) as usize];
    assert!(q(0.99) / q(0.5) > 10.0, "p99 {} p50 {}", q(0.99), q(0.5));
    // Daily rhythm: little at night (local time is UTC+3..+6 for most).
    let card: Vec<_> = l
        .txs
        .iter()
        .filter(|t| t.channel == Channel::Card)
        .collect();
    let night = card
        .iter()
        .filter(|t| (t.timestamp.second_of_day() / 3600 + 5) % 24 < 6)
        .count();
    assert!(
        (night as f64) < 0.08 * card.len() as f64,
        "{night}/{}",
        card.len()
    );
    // Weekly rhythm: fewer card payments on Sundays than on Saturdays.
    let by_weekday = |wd: u8| {
        card.iter()
            .filter(|t| t.timestamp.date().weekday() == wd)
            .count()
    };
    assert!(by_weekday(6) < by_weekday(5));
    // Payroll fan-outs exist as legitimate look-alikes.
    let mut payroll: HashMap<(&str, i64), usize> = HashMap::new();
    for t in l
        .txs
        .iter()
        .filter(|t| t.channel == Channel::DomesticTransfer)
    {
        *payroll
            .entry((t.from_account.as_str(), t.timestamp.0 / 600))
            .or_default() += 1;
    }
    assert!(payroll.values().any(|&n| n >= 10), "a payroll batch");
}

#[test]
#[ignore = "needs ../shared"]
fn the_scenario_list_uses_only_elements_of_the_real_un_list() {
    let d = &scenario().dir;
    let list_xml = std::fs::read_to_string(d.join("lists/scenario-list.xml")).unwrap();
    let real = shared().join("data/lists/un/consolidated-2026-02-27.xml");
    if !real.exists() {
        assert!(
            std::env::var_os("NEXUS_REQUIRE_SHARED").is_none(),
            "{} is required (NEXUS_REQUIRE_SHARED is set)",
            real.display()
        );
        eprintln!("../shared absent: skipped");
        return;
    }
    let real_text = std::fs::read_to_string(&real).unwrap();
    let tags = |s: &str| -> BTreeSet<String> {
        s.split('<')
            .skip(1)
            .filter(|t| !t.starts_with('/') && !t.starts_with('?'))
            .map(|t| t.split(['>', ' ', '/']).next().unwrap_or("").to_string())
            .collect()
    };
    let ours = tags(&list_xml);
    let theirs = tags(&real_text);
    let unknown: Vec<_> = ours.difference(&theirs).collect();
    assert!(
        unknown.is_empty(),
        "elements not in the real list: {unknown:?}"
    );
}

#[test]
fn reports_have_the_structure_of_goaml() {
    let d = &scenario().dir;
    let reports: Vec<PathBuf> = std::fs::read_dir(d.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(reports.len() >= 10);
    let mut my_client = 0;
    let mut cyrillic = 0;
    for r in &reports {
        let bytes = std::fs::read(r).unwrap();
        let root = parse_document(r, &bytes).unwrap();
        assert_eq!(root.name, "report");
        for k in [
            "rentity_id",
            "submission_code",
            "report_code",
            "entity_reference",
            "submission_date",
            "currency_code_local",
        ] {
            assert!(!root.child_text(k).is_empty(), "{}: {k}", r.display());
        }
        let txs: Vec<_> = root.children_named("transaction").collect();
        assert!(!txs.is_empty());
        for t in txs {
            let from = t
                .child("t_from_my_client")
                .or_else(|| t.child("t_from"))
                .expect("a from side");
            let to = t
                .child("t_to_my_client")
                .or_else(|| t.child("t_to"))
                .expect("a to side");
            my_client += usize::from(
                t.child("t_from_my_client").is_some() || t.child("t_to_my_client").is_some(),
            );
            assert!(
                !from.child_text("from_country").is_empty()
                    && !to.child_text("to_country").is_empty()
            );
        }
        cyrillic += usize::from(
            String::from_utf8_lossy(&bytes)
                .chars()
                .any(|c| ('\u{400}'..='\u{4FF}').contains(&c)),
        );
    }
    assert!(my_client > 0 && cyrillic > 0);
}

#[test]
fn bad_parameters_are_refused_and_leave_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    let mut c = Config::new(1);
    c.persons = 5;
    assert!(simulate(&c, &out)
        .unwrap_err()
        .to_string()
        .contains("--persons"));
    c.persons = 200;
    c.days = 0;
    assert!(simulate(&c, &out)
        .unwrap_err()
        .to_string()
        .contains("--days"));
    assert!(!out.exists());
    // An existing non-empty directory is not overwritten without replace.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    c.days = 10;
    let e = simulate(&c, &out).unwrap_err().to_string();
    assert!(e.contains("already exists"), "{e}");
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "mine"
    );
}
