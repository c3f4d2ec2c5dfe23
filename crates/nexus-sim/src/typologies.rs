//! Planted typologies: every instance is a [`Case`] with its accounts, their
//! roles, its transactions and an answer key in words.

use crate::background::{local_ts, SimTx};
use crate::population::{add_org_with_account, OrgKind, World, NONE};
use crate::rng::Rng;
use nexus_model::{AccountKind, Channel, Currency, Date, Gender, InstitutionKind};

nexus_model::vocabulary! {
    /// The eight laundering shapes of AMLworld / AMLSim.
    Shape {
        FanOut => "fan_out",
        FanIn => "fan_in",
        GatherScatter => "gather_scatter",
        ScatterGather => "scatter_gather",
        Cycle => "cycle",
        Random => "random",
        Bipartite => "bipartite",
        Stack => "stack",
    }
}

nexus_model::vocabulary! {
    /// The crime–terror nexus typologies of the Northern Route.
    NexusTypology {
        Structuring => "structuring",
        MulePassThrough => "mule_pass_through",
        FtfSelfFunding => "ftf_self_funding",
        CharityDiversion => "charity_diversion",
        TradeBasedLayering => "trade_based_layering",
        CryptoCashout => "crypto_cashout",
        CashCourier => "cash_courier",
    }
}

/// Every shape, in planting order.
pub const SHAPES: &[Shape] = Shape::ALL;
/// Every nexus typology, in planting order.
pub const NEXUS: &[NexusTypology] = NexusTypology::ALL;

/// A designated person holding accounts under a name variant.
pub const DESIGNATED: &str = "designated_customer";

/// One planted case.
#[derive(Debug, Clone)]
pub struct Case {
    pub pattern_id: String,
    pub typology: &'static str,
    pub family: &'static str,
    pub description: String,
    pub predicate_offence: &'static str,
    /// (account index, role), in order of first appearance.
    pub accounts: Vec<(u32, &'static str)>,
    /// Indices into the planted transactions, with each one's stage.
    pub transactions: Vec<(usize, &'static str)>,
    /// Scenario-list (or real UN list) references of designated parties involved.
    pub list_refs: Vec<String>,
    /// Designated party indices (to write to the scenario list).
    pub designated_parties: Vec<u32>,
}

/// A party the scenario designates, with how the list describes it.
#[derive(Debug, Clone)]
pub struct Designation {
    pub party: u32,
    pub reference: String,
    pub regime: &'static str,
    /// Present in the real UN list (not written to the scenario list).
    pub real: bool,
}

/// Planting state: the world, the planted transactions and the cases.
pub struct Planter<'w> {
    pub w: &'w mut World,
    pub rng: Rng,
    pub start: Date,
    pub days: u32,
    pub txs: Vec<SimTx>,
    pub cases: Vec<Case>,
    pub designations: Vec<Designation>,
    next_ref: [u32; 3],
}

impl<'w> Planter<'w> {
    pub fn new(w: &'w mut World, seed: u64, start: Date, days: u32) -> Planter<'w> {
        Planter {
            w,
            rng: Rng::derive(seed, "typologies"),
            start,
            days,
            txs: Vec::new(),
            cases: Vec::new(),
            designations: Vec::new(),
            next_ref: [900, 900, 900],
        }
    }

    fn case(
        &mut self,
        typology: &'static str,
        family: &'static str,
        predicate: &'static str,
    ) -> usize {
        let n = self.cases.iter().filter(|c| c.typology == typology).count() + 1;
        self.cases.push(Case {
            pattern_id: format!("{}-{:03}", typology.to_uppercase().replace('_', "-"), n),
            typology,
            family,
            description: String::new(),
            predicate_offence: predicate,
            accounts: Vec::new(),
            transactions: Vec::new(),
            list_refs: Vec::new(),
            designated_parties: Vec::new(),
        });
        self.cases.len() - 1
    }

    fn role(&mut self, case: usize, account: u32, role: &'static str) {
        let c = &mut self.cases[case];
        if !c.accounts.iter().any(|(a, _)| *a == account) {
            c.accounts.push((account, role));
        }
    }

    /// Plants one transaction of `usd` dollars (converted to the sender's currency).
    #[allow(clippy::too_many_arguments)]
    fn tx(
        &mut self,
        case: usize,
        ts: i64,
        from: u32,
        to: u32,
        usd: f64,
        channel: Channel,
        stage: &'static str,
    ) -> i64 {
        let amount = self.w.usd_to_minor(from, usd);
        self.tx_minor(case, ts, from, to, amount, channel, stage);
        amount
    }

    #[allow(clippy::too_many_arguments)]
    fn tx_minor(
        &mut self,
        case: usize,
        ts: i64,
        from: u32,
        to: u32,
        amount: i64,
        channel: Channel,
        stage: &'static str,
    ) {
        if from == to || from == NONE || to == NONE {
            return;
        }
        let seq = self.txs.len() as u32;
        self.txs.push(SimTx {
            ts,
            from,
            to,
            amount: amount.max(1),
            channel,
            case: case as u32,
            seq,
        });
        self.cases[case]
            .transactions
            .push((self.txs.len() - 1, stage));
    }

    /// A start day leaving `span` days before the end of the scenario.
    fn start_day(&mut self, span: u32) -> Date {
        let room = self.days.saturating_sub(span + 1).max(1);
        self.start.add_days(self.rng.below(room as usize) as i64)
    }

    fn ts(&mut self, country: usize, day: Date, hour_lo: usize, hour_hi: usize) -> i64 {
        let h = hour_lo + self.rng.below(hour_hi - hour_lo + 1);
        let mut r = Rng::new(self.rng.next_u64());
        local_ts(self.w, country, day, h, &mut r)
    }

    fn pick_country(&mut self, codes: &[&str]) -> usize {
        let code = codes[self.rng.below(codes.len())];
        self.country(code)
    }

    fn country(&self, code: &str) -> usize {
        self.w.country_index(code).unwrap_or(0)
    }

    fn region(&mut self) -> usize {
        let c = *self.rng.pick(&["TJ", "UZ", "KG", "KZ", "TJ", "UZ", "RU"]);
        self.country(c)
    }

    /// A resident (person index) of a country.
    fn resident(&mut self, country: usize) -> u32 {
        let pool = &self.w.residents[country];
        if pool.is_empty() {
            let party = self.w.new_person(country, country, None);
            return self.person_with_account(party, country);
        }
        pool[self.rng.below(pool.len())]
    }

    /// Distinct residents.
    fn residents(&mut self, country: usize, n: usize) -> Vec<u32> {
        let mut out = Vec::new();
        let mut tries = 0;
        while out.len() < n && tries < n * 20 {
            let p = self.resident(country);
            if !out.contains(&p) {
                out.push(p);
            }
            tries += 1;
        }
        out
    }

    fn person_with_account(&mut self, party: u32, country: usize) -> u32 {
        let bank = self
            .w
            .pick_institution(country, InstitutionKind::Bank)
            .unwrap_or(0);
        let cur = self.w.countries[country].currency;
        let main = self.w.open_account(party, bank, AccountKind::Current, cur);
        let pi = self.w.persons.len() as u32;
        self.w.persons.push(crate::population::PersonInfo {
            party,
            country,
            town: 0,
            main,
            card: NONE,
            second: NONE,
            relative: pi,
            employer: NONE,
            salary: 0.0,
            migrant_mto: NONE,
            home_recipient: NONE,
            casp: NONE,
            wallet: NONE,
        });
        pi
    }

    fn main_of(&self, person: u32) -> u32 {
        self.w.persons[person as usize].main
    }

    fn org(&mut self, country: usize, kind: OrgKind) -> u32 {
        let pool = self.w.orgs_of(country, kind);
        if pool.is_empty() {
            return add_org_with_account(self.w, country, kind);
        }
        pool[self.rng.below(pool.len())]
    }

    fn foreign_partner(&mut self, codes: &[&str]) -> u32 {
        let code = *self.rng.pick(codes);
        let c = self.country(code);
        self.org(c, OrgKind::ForeignPartner)
    }

    /// Accounts of `n` regional people for laundering shapes (mixed countries).
    fn shape_accounts(&mut self, n: usize) -> Vec<u32> {
        let c = self.region();
        let people = self.residents(c, n);
        people.iter().map(|&p| self.main_of(p)).collect()
    }

    /// Designates a party on the scenario list.
    pub fn designate(&mut self, case: usize, party: u32, regime: &'static str) -> String {
        if let Some(d) = self.designations.iter().find(|d| d.party == party) {
            let r = d.reference.clone();
            self.cases[case].list_refs.push(r.clone());
            return r;
        }
        let is_person = self.w.person_names[party as usize].is_some();
        let (prefix, slot) = match (regime, is_person) {
            ("Taliban", true) => ("TAi", 0),
            ("Taliban", false) => ("TAe", 0),
            (_, true) => ("QDi", 1),
            (_, false) => ("QDe", 2),
        };
        self.next_ref[slot] += 1;
        let reference = format!("{prefix}.{:03}", self.next_ref[slot]);
        self.designations.push(Designation {
            party,
            reference: reference.clone(),
            regime,
            real: false,
        });
        self.cases[case].list_refs.push(reference.clone());
        self.cases[case].designated_parties.push(party);
        reference
    }

    /// A new person who will be designated: a foreign terrorist fighter or a
    /// financier, of Central Asian nationality, living in `residence`.
    fn new_designated_person(&mut self, residence: usize, town: Option<usize>) -> u32 {
        let nat = self.pick_country(&["TJ", "UZ", "KG", "TJ"]);
        let gender = Gender::Male;
        let culture = self.w.countries[nat].culture;
        let name = crate::names::person_name(self.w.rng(), culture, gender);
        let town = town.unwrap_or(0);
        self.w.add_person(nat, residence, town, name, gender)
    }

    // --- the eight shapes ------------------------------------------------------

    pub fn plant_shape(&mut self, shape: Shape) {
        let typology = shape.as_str();
        let case = self.case(typology, "laundering_shape", "unspecified");
        let span = 10 + self.rng.below(20) as u32;
        let day0 = self.start_day(span);
        let usd = self.rng.lognormal(9000.0, 0.5);
        let channel = if self.rng.chance(0.3) {
            Channel::Wire
        } else {
            Channel::DomesticTransfer
        };
        let mut t = self.ts(0, day0, 9, 12);
        let step = |rng: &mut Rng, t: &mut i64| {
            *t += 3600 * (2 + rng.below(40) as i64) + rng.below(3600) as i64;
        };
        let description;
        match shape {
            Shape::FanOut | Shape::FanIn => {
                let k = 5 + self.rng.below(6);
                let accts = self.shape_accounts(k + 1);
                let hub = accts[0];
                let (hub_role, other_role) = if shape == Shape::FanOut {
                    ("source", "destination")
                } else {
                    ("destination", "source")
                };
                self.role(case, hub, hub_role);
                for &a in &accts[1..] {
                    step(&mut self.rng, &mut t);
                    let part = usd / k as f64 * self.rng.uniform(0.8, 1.2);
                    self.role(case, a, other_role);
                    if shape == Shape::FanOut {
                        self.tx(case, t, hub, a, part, channel, "layering");
                    } else {
                        self.tx(case, t, a, hub, part, channel, "layering");
                    }
                }
                description = format!(
                    "{} one account {} {} accounts within {} days, about USD {:.0} in all.",
                    if shape == Shape::FanOut {
                        "Fan-out:"
                    } else {
                        "Fan-in:"
                    },
                    if shape == Shape::FanOut {
                        "pays out to"
                    } else {
                        "collects from"
                    },
                    accts.len() - 1,
                    span,
                    usd
                );
            }
            Shape::GatherScatter => {
                let k1 = 3 + self.rng.below(4);
                let k2 = 3 + self.rng.below(4);
                let accts = self.shape_accounts(k1 + k2 + 1);
                let hub = accts[0];
                self.role(case, hub, "hub");
                for &a in &accts[1..=k1] {
                    step(&mut self.rng, &mut t);
                    self.role(case, a, "source");
                    let f = self.rng.uniform(0.8, 1.2);
                    self.tx(case, t, a, hub, usd / k1 as f64 * f, channel, "placement");
                }
                for &a in &accts[k1 + 1..] {
                    step(&mut self.rng, &mut t);
                    self.role(case, a, "destination");
                    let f = self.rng.uniform(0.8, 1.2);
                    self.tx(
                        case,
                        t,
                        hub,
                        a,
                        usd * 0.97 / k2 as f64 * f,
                        channel,
                        "layering",
                    );
                }
                description = format!("Gather-scatter: {k1} accounts pay into one hub, which pays out to {k2} others (USD {usd:.0}).");
            }
            Shape::ScatterGather => {
                let k = 3 + self.rng.below(5);
                let accts = self.shape_accounts(k + 2);
                let (src, dst) = (accts[0], accts[k + 1]);
                self.role(case, src, "source");
                let mut legs = Vec::new();
                for &a in &accts[1..=k] {
                    step(&mut self.rng, &mut t);
                    self.role(case, a, "intermediary");
                    let part = usd / k as f64 * self.rng.uniform(0.85, 1.15);
                    self.tx(case, t, src, a, part, channel, "layering");
                    legs.push((a, part));
                }
                self.role(case, dst, "destination");
                for (a, part) in legs {
                    step(&mut self.rng, &mut t);
                    let f = self.rng.uniform(0.95, 0.99);
                    self.tx(case, t, a, dst, part * f, channel, "integration");
                }
                description = format!("Scatter-gather: one account splits USD {usd:.0} over {k} intermediaries that all pay one destination.");
            }
            Shape::Cycle => {
                let k = 3 + self.rng.below(5);
                let accts = self.shape_accounts(k);
                let mut amount = usd;
                for i in 0..k {
                    step(&mut self.rng, &mut t);
                    self.role(case, accts[i], "cycle_member");
                    self.tx(
                        case,
                        t,
                        accts[i],
                        accts[(i + 1) % k],
                        amount,
                        channel,
                        "layering",
                    );
                    amount *= self.rng.uniform(0.97, 0.995);
                }
                description = format!("Cycle: USD {usd:.0} travels through {k} accounts in time order and returns to where it started.");
            }
            Shape::Random => {
                let k = 4 + self.rng.below(4);
                let accts = self.shape_accounts(k);
                let mut cur = 0usize;
                let mut amount = usd;
                for _ in 0..k + 2 {
                    let mut next = self.rng.below(k);
                    if next == cur {
                        next = (next + 1) % k;
                    }
                    step(&mut self.rng, &mut t);
                    self.role(case, accts[cur], "member");
                    self.role(case, accts[next], "member");
                    self.tx(
                        case,
                        t,
                        accts[cur],
                        accts[next],
                        amount,
                        channel,
                        "layering",
                    );
                    amount *= self.rng.uniform(0.96, 0.995);
                    cur = next;
                }
                description = format!(
                    "Random: USD {usd:.0} wanders between {k} accounts with no fixed shape."
                );
            }
            Shape::Bipartite => {
                let k1 = 2 + self.rng.below(3);
                let k2 = 2 + self.rng.below(4);
                let accts = self.shape_accounts(k1 + k2);
                for i in 0..k1 {
                    self.role(case, accts[i], "sender");
                    let mut sent = false;
                    for j in 0..k2 {
                        if self.rng.chance(0.7) || (!sent && j == k2 - 1) {
                            step(&mut self.rng, &mut t);
                            self.role(case, accts[k1 + j], "receiver");
                            let f = self.rng.uniform(0.8, 1.2);
                            self.tx(
                                case,
                                t,
                                accts[i],
                                accts[k1 + j],
                                usd / (k1 * k2) as f64 * f,
                                channel,
                                "layering",
                            );
                            sent = true;
                        }
                    }
                }
                description =
                    format!("Bipartite: {k1} senders pay {k2} receivers across the board.");
            }
            Shape::Stack => {
                // stack: two bipartite layers
                let k1 = 2 + self.rng.below(2);
                let k2 = 2 + self.rng.below(3);
                let k3 = 2 + self.rng.below(2);
                let accts = self.shape_accounts(k1 + k2 + k3);
                for i in 0..k1 {
                    self.role(case, accts[i], "layer1");
                    for j in 0..k2 {
                        step(&mut self.rng, &mut t);
                        self.tx(
                            case,
                            t,
                            accts[i],
                            accts[k1 + j],
                            usd / (k1 * k2) as f64,
                            channel,
                            "layering",
                        );
                    }
                }
                for j in 0..k2 {
                    self.role(case, accts[k1 + j], "layer2");
                    for m in 0..k3 {
                        step(&mut self.rng, &mut t);
                        self.tx(
                            case,
                            t,
                            accts[k1 + j],
                            accts[k1 + k2 + m],
                            usd * 0.97 / (k2 * k3) as f64,
                            channel,
                            "layering",
                        );
                    }
                }
                for m in 0..k3 {
                    self.role(case, accts[k1 + k2 + m], "layer3");
                }
                description = format!("Stack: two bipartite layers, {k1} → {k2} → {k3} accounts.");
            }
        }
        self.cases[case].description = description;
    }

    // --- the nexus typologies ----------------------------------------------------

    pub fn plant_nexus(&mut self, typology: NexusTypology) {
        match typology {
            NexusTypology::Structuring => self.structuring(),
            NexusTypology::MulePassThrough => self.mules(),
            NexusTypology::FtfSelfFunding => self.ftf(),
            NexusTypology::CharityDiversion => self.charity(),
            NexusTypology::TradeBasedLayering => self.tbml(),
            NexusTypology::CryptoCashout => self.crypto(),
            NexusTypology::CashCourier => self.cash_courier(),
        }
    }

    fn border_country(&mut self) -> usize {
        let c = *self.rng.pick(&["TJ", "TJ", "UZ", "TM"]);
        self.country(c)
    }

    fn border_town(&mut self, country: usize) -> usize {
        let towns: Vec<usize> = self.w.countries[country]
            .towns
            .iter()
            .enumerate()
            .filter(|(_, t)| t.border)
            .map(|(i, _)| i)
            .collect();
        if towns.is_empty() {
            0
        } else {
            *self.rng.pick(&towns)
        }
    }

    /// Drug proceeds placed as cash just below the threshold by several
    /// people in border districts, consolidated in a front company, wired abroad.
    fn structuring(&mut self) {
        let case = self.case("structuring", "nexus", "drug_trafficking");
        let c = self.border_country();
        let town = self.border_town(c);
        let threshold = self.w.countries[c].cash_threshold;
        let k = 4 + self.rng.below(4);
        let front_org = self.org(c, OrgKind::Trader);
        let front = self.w.orgs[front_org as usize].main;
        let front_usd = self.w.orgs[front_org as usize].usd;
        let abroad_org = self.foreign_partner(&["AE", "TR"]);
        let abroad = self.w.orgs[abroad_org as usize].usd;
        let day0 = self.start_day(35);
        let mut total = 0i64;
        let mut last = 0i64;
        for _ in 0..k {
            let party = self.w.new_person(c, c, Some(town));
            let p = self.person_with_account(party, c);
            let acct = self.main_of(p);
            self.role(case, acct, "smurf");
            let desk = self.w.cash_desk[self.w.account_institution[acct as usize] as usize];
            let n_dep = 3 + self.rng.below(4);
            let mut deposited = 0i64;
            let mut day = day0.add_days(self.rng.below(4) as i64);
            for _ in 0..n_dep {
                let amount = ((threshold * self.rng.uniform(0.82, 0.985)) / 100.0).round() as i64
                    * 100
                    * 100;
                let t = self.ts(c, day, 9, 17);
                self.tx_minor(
                    case,
                    t,
                    desk,
                    acct,
                    amount,
                    Channel::CashDeposit,
                    "placement",
                );
                deposited += amount;
                last = last.max(t);
                day = day.add_days(1 + self.rng.below(4) as i64);
            }
            let t = self.ts(c, day.add_days(1), 9, 17);
            let moved = (deposited as f64 * self.rng.uniform(0.93, 0.98)) as i64;
            self.tx_minor(
                case,
                t,
                acct,
                front,
                moved,
                Channel::DomesticTransfer,
                "layering",
            );
            total += moved;
            last = last.max(t);
        }
        self.role(case, front, "front_company");
        // The front company converts and wires abroad in two or three parts.
        let parts = 2 + self.rng.below(2);
        let usd_total = total as f64 / 100.0 / self.w.countries[c].per_usd;
        let mut t = last + 86_400;
        self.tx(
            case,
            t - 3600,
            front,
            front_usd,
            usd_total * 0.99,
            Channel::DomesticTransfer,
            "layering",
        );
        for _ in 0..parts {
            t += 3600 * (5 + self.rng.below(48) as i64);
            self.tx(
                case,
                t,
                front_usd,
                abroad,
                usd_total * 0.98 / parts as f64,
                Channel::Wire,
                "integration",
            );
        }
        self.role(case, front_usd, "front_company");
        self.role(case, abroad, "foreign_beneficiary");
        let town_name = self.w.countries[c].towns[town].latin;
        self.cases[case].description = format!(
            "Structuring of drug proceeds: {k} people in {town_name} deposit cash just below the {} {} threshold, \
             pass it to a front company which wires about USD {usd_total:.0} abroad.",
            threshold,
            self.w.countries[c].currency
        );
    }

    /// Mule accounts that pass money on within hours at a similar amount.
    fn mules(&mut self) {
        let case = self.case("mule_pass_through", "nexus", "fraud");
        let c = self.region();
        let k = 2 + self.rng.below(3);
        let mules: Vec<u32> = {
            let people = self.residents(c, k);
            people.iter().map(|&p| self.main_of(p)).collect()
        };
        let ru = self.country("RU");
        let origin_person = self.resident(ru);
        let origin = self.main_of(origin_person);
        self.role(case, origin, "origin");
        let rounds = 2 + self.rng.below(3);
        let day0 = self.start_day(30);
        for r in 0..rounds {
            let day = day0.add_days(r as i64 * (3 + self.rng.below(6) as i64));
            let mut t = self.ts(c, day, 8, 14);
            let usd = self.rng.lognormal(3500.0, 0.4);
            let mut amount_usd = usd;
            self.tx(
                case,
                t,
                origin,
                mules[0],
                amount_usd,
                Channel::Wire,
                "placement",
            );
            for i in 0..k {
                self.role(case, mules[i], "mule");
                t += 1200 + self.rng.below(5 * 3600) as i64;
                amount_usd *= self.rng.uniform(0.96, 0.99);
                if i + 1 < k {
                    self.tx(
                        case,
                        t,
                        mules[i],
                        mules[i + 1],
                        amount_usd,
                        Channel::DomesticTransfer,
                        "layering",
                    );
                } else {
                    let desk =
                        self.w.cash_desk[self.w.account_institution[mules[i] as usize] as usize];
                    let amount = self.w.usd_to_minor(mules[i], amount_usd);
                    self.tx_minor(
                        case,
                        t,
                        mules[i],
                        desk,
                        amount,
                        Channel::CashWithdrawal,
                        "integration",
                    );
                }
            }
        }
        self.cases[case].description = format!(
            "Mule chain: {rounds} times, money arrives from Russia and passes through {k} accounts within hours \
             (each keeping 1–4%), then leaves in cash."
        );
    }

    /// Small self-funding transfers to a foreign terrorist fighter in a high-risk area.
    fn ftf(&mut self) {
        let case = self.case("ftf_self_funding", "nexus", "terrorist_financing");
        let (dest_code, informal) = if self.rng.chance(0.5) {
            ("TR", false)
        } else {
            ("AF", true)
        };
        let dest = self.country(dest_code);
        let risky: Vec<usize> = self.w.countries[dest]
            .towns
            .iter()
            .enumerate()
            .filter(|(_, t)| t.high_risk)
            .map(|(i, _)| i)
            .collect();
        let town = if risky.is_empty() {
            0
        } else {
            *self.rng.pick(&risky)
        };
        let fighter = self.new_designated_person(dest, Some(town));
        let mto = self
            .w
            .pick_institution(dest, InstitutionKind::MoneyTransferOperator)
            .unwrap_or(0);
        let cur = self.w.countries[dest].currency;
        let fighter_acct = self
            .w
            .open_account(fighter, mto, AccountKind::MoneyTransfer, cur);
        self.role(case, fighter_acct, "foreign_terrorist_fighter");
        if self.rng.chance(0.6) {
            self.designate(case, fighter, "Al-Qaida");
        }
        let k = 2 + self.rng.below(4);
        let day0 = self.start_day(80.min(self.days.saturating_sub(2)));
        let span = self.days.saturating_sub(2).clamp(5, 80) as usize;
        for _ in 0..k {
            // Senders: migrants in Russia or people at home.
            let from = if self.rng.chance(0.5) && !self.w.migrants().is_empty() {
                let m = self.w.migrants()[self.rng.below(self.w.migrants().len())];
                self.w.persons[m as usize].migrant_mto
            } else {
                let home = self.pick_country(&["TJ", "UZ", "KG"]);
                let p = self.resident(home);
                self.main_of(p)
            };
            self.role(case, from, "sender");
            for _ in 0..1 + self.rng.below(3) {
                let day = day0.add_days(self.rng.below(span) as i64);
                let c = self.w.account_country(from);
                let t = self.ts(c, day, 10, 21);
                let usd = self.rng.uniform(100.0, 600.0);
                let channel = if informal {
                    Channel::InformalValueTransfer
                } else {
                    Channel::Remittance
                };
                self.tx(case, t, from, fighter_acct, usd, channel, "funding");
            }
        }
        let town_name = self.w.countries[dest].towns[town].latin;
        self.cases[case].description = format!(
            "Self-funding of a foreign terrorist fighter: {k} senders make small transfers (USD 100–600) to one \
             recipient in {town_name} through {}.",
            if informal { "a hawala network" } else { "a money-transfer operator" }
        );
    }

    /// Donations through a charity diverted to a designated person.
    fn charity(&mut self) {
        let case = self.case("charity_diversion", "nexus", "terrorist_financing");
        let c = self.pick_country(&["TJ", "KG", "UZ"]);
        let charity_party = {
            let name = crate::names::CompanyName {
                native: format!("Фонди хайриявии «Ёрдам» №{}", 100 + self.cases.len()),
                latin: format!(
                    "Yordam Charitable Foundation No. {}",
                    100 + self.cases.len()
                ),
                legal_form: "",
            };
            self.w.add_org(c, name)
        };
        let bank = self
            .w
            .pick_institution(c, InstitutionKind::Bank)
            .unwrap_or(0);
        let cur = self.w.countries[c].currency;
        let charity = self
            .w
            .open_account(charity_party, bank, AccountKind::Current, cur);
        let charity_usd =
            self.w
                .open_account(charity_party, bank, AccountKind::Current, Currency::USD);
        self.role(case, charity, "charity");
        let n = 10 + self.rng.below(15);
        let donors = self.residents(c, n);
        let day0 = self.start_day(50);
        let mut collected = 0.0;
        for d in donors {
            let acct = self.main_of(d);
            self.role(case, acct, "donor");
            let day = day0.add_days(self.rng.below(30) as i64);
            let t = self.ts(c, day, 9, 21);
            let usd = self.rng.lognormal(40.0, 0.8);
            collected += usd;
            self.tx(
                case,
                t,
                acct,
                charity,
                usd,
                Channel::DomesticTransfer,
                "collection",
            );
        }
        // A front company makes a few large "donations".
        let front_org = self.org(c, OrgKind::Trader);
        let front = self.w.orgs[front_org as usize].main;
        self.role(case, front, "front_company");
        for _ in 0..2 {
            let day = day0.add_days(5 + self.rng.below(25) as i64);
            let t = self.ts(c, day, 10, 16);
            let usd = self.rng.uniform(4000.0, 9000.0);
            collected += usd;
            self.tx(
                case,
                t,
                front,
                charity,
                usd,
                Channel::DomesticTransfer,
                "collection",
            );
        }
        let t = self.ts(c, day0.add_days(33), 10, 12);
        self.tx(
            case,
            t,
            charity,
            charity_usd,
            collected * 0.9,
            Channel::DomesticTransfer,
            "layering",
        );
        self.role(case, charity_usd, "charity");
        // An intermediary abroad forwards to the designated person.
        let dest = self.pick_country(&["AF", "TR"]);
        let intermediary_org = self.org(dest, OrgKind::ForeignPartner);
        let intermediary = self.w.orgs[intermediary_org as usize].usd;
        self.role(case, intermediary, "intermediary");
        let person = self.new_designated_person(dest, None);
        let pbank = self
            .w
            .pick_institution(dest, InstitutionKind::Bank)
            .unwrap_or(0);
        let target = self
            .w
            .open_account(person, pbank, AccountKind::Current, Currency::USD);
        self.role(case, target, "designated_person");
        let regime = if self.w.countries[dest].code.as_str() == "AF" {
            "Taliban"
        } else {
            "Al-Qaida"
        };
        self.designate(case, person, regime);
        // The UN format needs at least one entity; the first case always lists one.
        let any_entity = self
            .designations
            .iter()
            .any(|d| self.w.person_names[d.party as usize].is_none() && !d.real);
        if self.rng.chance(0.5) || !any_entity {
            let org_party = self.w.orgs[intermediary_org as usize].party;
            self.designate(case, org_party, regime);
        }
        let t2 = t + 86_400 * (1 + self.rng.below(3) as i64);
        self.tx(
            case,
            t2,
            charity_usd,
            intermediary,
            collected * 0.7,
            Channel::Wire,
            "diversion",
        );
        let t3 = t2 + 3600 * (6 + self.rng.below(60) as i64);
        self.tx(
            case,
            t3,
            intermediary,
            target,
            collected * 0.62,
            Channel::Wire,
            "diversion",
        );
        self.cases[case].description = format!(
            "Charity diversion: a charity collects about USD {collected:.0} from {n} donors and a front company, \
             wires 70% to a partner abroad, which passes most of it to a designated person."
        );
    }

    /// Trade-based layering: round-sum invoices to a partner abroad, returned
    /// through a related company.
    fn tbml(&mut self) {
        let case = self.case("trade_based_layering", "nexus", "drug_trafficking");
        let c = self.pick_country(&["TJ", "UZ", "KZ", "KG"]);
        let importer_org = self.org(c, OrgKind::Trader);
        let importer = self.w.orgs[importer_org as usize].usd;
        let partner_org = self.foreign_partner(&["AE", "CN", "TR"]);
        let partner = self.w.orgs[partner_org as usize].usd;
        let c2 = self.pick_country(&["KZ", "KG", "RU"]);
        let related_org = self.org(c2, OrgKind::Trader);
        let related = self.w.orgs[related_org as usize].main;
        let owner_p = self.resident(c);
        let owner = self.main_of(owner_p);
        self.role(case, importer, "importer");
        self.role(case, partner, "foreign_counterparty");
        self.role(case, related, "related_company");
        self.role(case, owner, "beneficial_owner");
        let day0 = self.start_day(60);
        let n = 3 + self.rng.below(3);
        let mut total = 0.0;
        for i in 0..n {
            let day = day0.add_days(i as i64 * (8 + self.rng.below(8) as i64));
            let t = self.ts(c, day, 10, 16);
            let invoice = (self.rng.range(3, 15) * 10_000) as f64;
            total += invoice;
            self.tx(
                case,
                t,
                importer,
                partner,
                invoice,
                Channel::Wire,
                "layering",
            );
            let t2 = t + 86_400 * (2 + self.rng.below(6) as i64);
            let f = self.rng.uniform(0.8, 0.92);
            self.tx(
                case,
                t2,
                partner,
                related,
                invoice * f,
                Channel::Wire,
                "layering",
            );
            if i % 2 == 1 {
                let t3 = t2 + 86_400 * (1 + self.rng.below(4) as i64);
                self.tx(
                    case,
                    t3,
                    related,
                    owner,
                    invoice * 0.5,
                    Channel::Wire,
                    "integration",
                );
            }
        }
        self.cases[case].description = format!(
            "Trade-based layering: an importer pays {n} round-sum invoices (USD {total:.0}) to a partner abroad, \
             which returns 80–92% to a related company, which pays the owner."
        );
    }

    /// Fiat to crypto, out to a wallet of a designated person.
    fn crypto(&mut self) {
        let case = self.case("crypto_cashout", "nexus", "terrorist_financing");
        let c = self.pick_country(&["UZ", "KZ", "KG"]);
        let casp = self
            .w
            .pick_institution(c, InstitutionKind::CryptoAssetServiceProvider)
            .unwrap_or(0);
        let customer_p = self.resident(c);
        let customer = self.main_of(customer_p);
        let party = self.w.account_party[customer as usize];
        let cur = self.w.countries[c].currency;
        let fiat = self.w.open_account(party, casp, AccountKind::Current, cur);
        let wallet = self
            .w
            .open_account(party, casp, AccountKind::CryptoAddress, Currency::USD);
        // The designated person's own wallet, held at an exchange abroad.
        let ae = self.country("AE");
        let foreign_casp = self
            .w
            .pick_institution(ae, InstitutionKind::CryptoAssetServiceProvider)
            .unwrap_or(0);
        let dp = self.new_designated_person(self.country("AF"), None);
        let target =
            self.w
                .open_account(dp, foreign_casp, AccountKind::CryptoAddress, Currency::USD);
        self.designate(case, dp, "Al-Qaida");
        self.role(case, customer, "customer");
        self.role(case, fiat, "customer_exchange_account");
        self.role(case, wallet, "customer_wallet");
        self.role(case, target, "designated_wallet");
        let day0 = self.start_day(40);
        let n_funders = 3 + self.rng.below(4);
        let funders = self.residents(c, n_funders);
        let mut pooled = 0.0;
        for f in funders {
            let a = self.main_of(f);
            self.role(case, a, "funder");
            let day = day0.add_days(self.rng.below(10) as i64);
            let t = self.ts(c, day, 9, 21);
            let usd = self.rng.uniform(300.0, 1500.0);
            pooled += usd;
            self.tx(
                case,
                t,
                a,
                customer,
                usd,
                Channel::DomesticTransfer,
                "collection",
            );
        }
        let mut t = self.ts(c, day0.add_days(11), 10, 20);
        self.tx(
            case,
            t,
            customer,
            fiat,
            pooled * 0.98,
            Channel::DomesticTransfer,
            "conversion",
        );
        t += 1200 + self.rng.below(7200) as i64;
        self.tx(
            case,
            t,
            fiat,
            wallet,
            pooled * 0.97,
            Channel::Crypto,
            "conversion",
        );
        t += 600 + self.rng.below(3 * 3600) as i64;
        self.tx(
            case,
            t,
            wallet,
            target,
            pooled * 0.965,
            Channel::Crypto,
            "cash_out",
        );
        self.cases[case].description = format!(
            "Crypto cash-out: {n_funders} people pool about USD {pooled:.0} with one customer, who buys stablecoins at a \
             local exchange and sends them within hours to a wallet of a designated person."
        );
    }

    /// Large cash withdrawals near a border ahead of cross-border cash couriering.
    fn cash_courier(&mut self) {
        let case = self.case("cash_courier", "nexus", "drug_trafficking");
        let c = self.border_country();
        let town = self.border_town(c);
        let party = self.w.new_person(c, c, Some(town));
        let p = self.person_with_account(party, c);
        let acct = self.main_of(p);
        self.role(case, acct, "courier");
        let threshold = self.w.countries[c].cash_threshold;
        let per_usd = self.w.countries[c].per_usd;
        let day0 = self.start_day(20);
        let sender_org = self.foreign_partner(&["AE", "TR"]);
        let sender = self.w.orgs[sender_org as usize].usd;
        self.role(case, sender, "foreign_sender");
        let mut received = 0.0;
        for i in 0..2 + self.rng.below(2) {
            let t = self.ts(c, day0.add_days(i as i64), 10, 15);
            let usd = threshold / per_usd * self.rng.uniform(1.2, 2.0);
            received += usd;
            self.tx(case, t, sender, acct, usd, Channel::Wire, "placement");
        }
        let desk = self.w.cash_desk[self.w.account_institution[acct as usize] as usize];
        let n = 3 + self.rng.below(4);
        for i in 0..n {
            let day = day0.add_days(3 + i as i64 / 2);
            let t = self.ts(c, day, 9, 17);
            let usd = received * 0.97 / n as f64;
            self.tx(
                case,
                t,
                acct,
                desk,
                usd,
                Channel::CashWithdrawal,
                "cash_out",
            );
        }
        let town_name = self.w.countries[c].towns[town].latin;
        self.cases[case].description = format!(
            "Cash couriering: wires of about USD {received:.0} from abroad are withdrawn in {n} large cash amounts \
             within days at a branch in {town_name}, near the border."
        );
    }

    /// A designated person holding an account under a name variant; some transact.
    pub fn designated_customer(&mut self, transacting: bool) {
        let case = self.case(DESIGNATED, "designated", "terrorist_financing");
        let c = self.region();
        let person = self.new_designated_person(c, None);
        let bank = self
            .w
            .pick_institution(c, InstitutionKind::Bank)
            .unwrap_or(0);
        let cur = self.w.countries[c].currency;
        let acct = self.w.open_account(person, bank, AccountKind::Current, cur);
        self.role(case, acct, "designated_person");
        let regime = if self.rng.chance(0.3) {
            "Taliban"
        } else {
            "Al-Qaida"
        };
        self.designate(case, person, regime);
        self.designated_activity(case, acct, c, transacting);
    }

    fn designated_activity(&mut self, case: usize, acct: u32, c: usize, transacting: bool) {
        if transacting {
            let day0 = self.start_day(30);
            let desk = self.w.cash_desk[self.w.account_institution[acct as usize] as usize];
            for i in 0..3 + self.rng.below(4) {
                let t = self.ts(c, day0.add_days(i as i64 * 4), 9, 18);
                let usd = self.rng.lognormal(400.0, 0.6);
                self.tx(
                    case,
                    t,
                    desk,
                    acct,
                    usd,
                    Channel::CashDeposit,
                    "funds_of_designated",
                );
                let relative = self.resident(c);
                let r = self.main_of(relative);
                self.tx(
                    case,
                    t + 86_400,
                    acct,
                    r,
                    usd * 0.5,
                    Channel::DomesticTransfer,
                    "funds_of_designated",
                );
            }
        }
        let name = self.w.accounts[acct as usize].holder_name.clone();
        self.cases[case].description = format!(
            "Designated person banking as \"{name}\"{}",
            if transacting {
                ", depositing cash and paying relatives: funds must be frozen without delay."
            } else {
                "; no transactions, found only by screening the customer base."
            }
        );
    }

    /// A person from the real UN list banking under a variant of a listed name.
    pub fn real_designated_customer(
        &mut self,
        entry: &nexus_formats::unlist::UnEntry,
        transacting: bool,
    ) {
        let case = self.case(DESIGNATED, "designated", "terrorist_financing");
        let c = self.region();
        let nat = entry
            .nationalities
            .first()
            .and_then(|n| {
                self.w
                    .countries
                    .iter()
                    .position(|ci| ci.un_name.eq_ignore_ascii_case(n))
            })
            .unwrap_or(c);
        let latin = crate::lists::title_case(&entry.primary_name());
        let native = if entry.name_original_script.is_empty() {
            latin.clone()
        } else {
            entry.name_original_script.clone()
        };
        // The bank records a respelled Latin form, sometimes in the other order.
        let parts: Vec<&str> = latin.split_whitespace().collect();
        let mut recorded = crate::lists::respell(&latin, &mut self.rng);
        if parts.len() >= 2 && self.rng.chance(0.5) {
            let mut rev: Vec<String> = recorded.split_whitespace().map(str::to_string).collect();
            rev.rotate_left(1);
            recorded = rev.join(" ");
        }
        let party = {
            let idx = self.w.parties.len() as u32;
            let birth = entry.dates_of_birth.iter().find_map(|d| match d {
                nexus_formats::unlist::UnDateOfBirth::Exact(s) => Date::parse(s).ok(),
                _ => None,
            });
            self.w.parties.push(nexus_model::Party {
                id: format!("P{:07}", idx + 1),
                kind: nexus_model::PartyKind::Person,
                name_script: nexus_names::detect_script(&native),
                name: native,
                name_latin: latin,
                gender: Some(Gender::Male),
                birth_date: birth,
                nationality: Some(self.w.countries[nat].code),
                id_document: None,
                address: None,
            });
            // Known only by the list's spellings: no generated name parts.
            self.w.person_names.push(None);
            self.w.company_names.push(None);
            idx
        };
        let bank = self
            .w
            .pick_institution(c, InstitutionKind::Bank)
            .unwrap_or(0);
        let cur = self.w.countries[c].currency;
        let mut it = recorded.splitn(2, ' ');
        let rec = crate::names::Recorded {
            first: it.next().unwrap_or("").to_string(),
            middle: String::new(),
            last: it.next().unwrap_or("").to_string(),
            full: recorded.clone(),
        };
        let acct = self
            .w
            .push_account(party, bank, AccountKind::Current, cur, rec);
        self.role(case, acct, "designated_person");
        self.designations.push(Designation {
            party,
            reference: entry.reference_number.clone(),
            regime: "UN",
            real: true,
        });
        self.cases[case]
            .list_refs
            .push(entry.reference_number.clone());
        self.designated_activity(case, acct, c, transacting);
        let d = self.cases[case].description.clone();
        self.cases[case].description = format!(
            "{d} Listed in the real UN Consolidated List as {}.",
            entry.reference_number
        );
    }
}
