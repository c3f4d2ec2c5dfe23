//! The people, organisations, institutions and accounts of the scenario.

use crate::names::{self, company_name, person_name, CompanyName, PersonName, Recorded};
use crate::rng::Rng;
use crate::world::{countries, is_migrant_origin, CountryInfo};
use nexus_model::{
    Account, AccountKind, Address, Country, Currency, Date, Gender, IdDocument, Institution,
    InstitutionKind, Party, PartyKind, Script,
};
use nexus_names::detect_script;

/// No index (for optional `u32` links).
pub const NONE: u32 = u32::MAX;

/// What an organisation does, which decides its background activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgKind {
    Employer,
    Merchant,
    Utility,
    Trader,
    Charity,
    /// A company abroad that trades with the region.
    ForeignPartner,
}

/// A person and the accounts their background life uses.
#[derive(Debug, Clone)]
pub struct PersonInfo {
    pub party: u32,
    pub country: usize,
    pub town: usize,
    pub main: u32,
    pub card: u32,
    pub second: u32,
    pub relative: u32,
    pub employer: u32,
    /// Monthly salary in local currency.
    pub salary: f64,
    /// For labour migrants: their money-transfer account abroad and the
    /// home account of the family they send to.
    pub migrant_mto: u32,
    pub home_recipient: u32,
    /// Fiat account at a crypto-asset service provider and an own wallet.
    pub casp: u32,
    pub wallet: u32,
}

/// An organisation and its accounts.
#[derive(Debug, Clone)]
pub struct OrgInfo {
    pub party: u32,
    pub country: usize,
    pub kind: OrgKind,
    pub main: u32,
    /// A US dollar account for foreign trade (traders only).
    pub usd: u32,
    pub employees: Vec<u32>,
}

/// Everything but the transactions.
pub struct World {
    pub countries: Vec<CountryInfo>,
    pub institutions: Vec<Institution>,
    pub institution_country: Vec<usize>,
    pub parties: Vec<Party>,
    /// Person names (for re-recording at other institutions); `None` for organisations.
    pub person_names: Vec<Option<PersonName>>,
    pub company_names: Vec<Option<CompanyName>>,
    pub accounts: Vec<Account>,
    pub account_institution: Vec<u32>,
    pub account_party: Vec<u32>,
    /// The recorded name split for goAML (first / middle / last).
    pub recorded: Vec<Recorded>,
    /// Cash desk account of each institution.
    pub cash_desk: Vec<u32>,
    pub persons: Vec<PersonInfo>,
    pub orgs: Vec<OrgInfo>,
    /// Person indices by country of residence.
    pub residents: Vec<Vec<u32>>,
    /// Organisation indices by country and kind.
    org_index: Vec<Vec<(OrgKind, u32)>>,
    /// Per country, organisations by kind (index `OrgKind as usize`), built by `finalize`.
    org_cache: Vec<[Vec<u32>; 6]>,
    migrant_list: Vec<u32>,
    partner_list: Vec<u32>,
    rng: Rng,
    next_wallet: u64,
}

impl World {
    pub fn country_code(&self, c: usize) -> Country {
        self.countries[c].code
    }

    pub fn country_index(&self, code: &str) -> Option<usize> {
        self.countries.iter().position(|c| c.code.as_str() == code)
    }

    /// Institutions of a country, optionally of one kind.
    pub fn institutions_of(&self, country: usize, kind: Option<InstitutionKind>) -> Vec<u32> {
        (0..self.institutions.len() as u32)
            .filter(|&i| {
                self.institution_country[i as usize] == country
                    && kind.is_none_or(|k| self.institutions[i as usize].kind == k)
            })
            .collect()
    }

    pub fn orgs_of(&self, country: usize, kind: OrgKind) -> Vec<u32> {
        self.org_index[country]
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, o)| *o)
            .collect()
    }

    /// Currency of an account.
    pub fn currency(&self, account: u32) -> Currency {
        self.accounts[account as usize].currency
    }

    /// Country of an account's institution.
    pub fn account_country(&self, account: u32) -> usize {
        self.institution_country[self.account_institution[account as usize] as usize]
    }

    /// US dollars to minor units of the account's currency.
    pub fn usd_to_minor(&self, account: u32, usd: f64) -> i64 {
        let rate = self.rate(self.currency(account));
        ((usd * rate * 100.0).round() as i64).max(1)
    }

    /// Local units per US dollar.
    pub fn rate(&self, currency: Currency) -> f64 {
        if currency == Currency::USD {
            return 1.0;
        }
        self.countries
            .iter()
            .find(|c| c.currency == currency)
            .map_or(1.0, |c| c.per_usd)
    }

    /// Opens an account for `party` at `institution`, recording the holder's
    /// name the way that institution does.
    pub fn open_account(
        &mut self,
        party: u32,
        institution: u32,
        kind: AccountKind,
        currency: Currency,
    ) -> u32 {
        let scheme = self.institutions[institution as usize].name_scheme.clone();
        let variant = self.rng.below(6);
        let mut recorded = match (
            &self.person_names[party as usize],
            &self.company_names[party as usize],
        ) {
            (Some(n), _) => n.record(&scheme, variant),
            (None, Some(c)) => {
                let text = if scheme == "native" || scheme == "russian_cyrillic" {
                    c.native.clone()
                } else {
                    c.latin.clone()
                };
                Recorded {
                    full: text.clone(),
                    first: String::new(),
                    middle: String::new(),
                    last: text,
                }
            }
            (None, None) => {
                let p = &self.parties[party as usize];
                Recorded {
                    full: p.name.clone(),
                    first: String::new(),
                    middle: String::new(),
                    last: p.name.clone(),
                }
            }
        };
        // About one record in fifty carries a clerk's slip.
        if self.person_names[party as usize].is_some() && self.rng.chance(0.02) {
            recorded.last = names::typo(&mut self.rng, &recorded.last);
            recorded.full =
                if recorded.middle.is_empty() && !recorded.full.starts_with(&recorded.last) {
                    format!("{} {}", recorded.first, recorded.last)
                } else {
                    [
                        recorded.last.as_str(),
                        recorded.first.as_str(),
                        recorded.middle.as_str(),
                    ]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ")
                };
        }
        self.push_account(party, institution, kind, currency, recorded)
    }

    /// Opens an account whose holder name is already decided (`recorded`).
    pub fn push_account(
        &mut self,
        party: u32,
        institution: u32,
        kind: AccountKind,
        currency: Currency,
        recorded: Recorded,
    ) -> u32 {
        let idx = self.accounts.len() as u32;
        let id = if kind == AccountKind::CryptoAddress {
            self.wallet_address()
        } else {
            format!("A{:07}", idx + 1)
        };
        let opened = Date::new(
            2010 + self.rng.below(15) as i32,
            1 + self.rng.below(12) as u8,
            1 + self.rng.below(28) as u8,
        );
        self.accounts.push(Account {
            id,
            institution_id: self.institutions[institution as usize].id.clone(),
            party_id: self.parties[party as usize].id.clone(),
            holder_name_script: detect_script(&recorded.full),
            holder_name: recorded.full.clone(),
            currency,
            kind,
            opened,
        });
        self.account_institution.push(institution);
        self.account_party.push(party);
        self.recorded.push(recorded);
        idx
    }

    /// A TRON-style address (`T` + 33 base58 characters), unique and deterministic.
    fn wallet_address(&mut self) -> String {
        const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        self.next_wallet += 1;
        let mut s = String::from("T");
        let mut x = self.rng.next_u64() ^ self.next_wallet.rotate_left(32);
        let mut y = self.rng.next_u64();
        for i in 0..33 {
            if i == 11 {
                x = y;
                y = self.next_wallet.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            }
            if i == 22 {
                x = y ^ self.rng.next_u64();
            }
            s.push(B58[(x % 58) as usize] as char);
            x /= 58;
        }
        s
    }

    /// Adds a person party. `nationality` and `residence` are country indices.
    pub fn add_person(
        &mut self,
        nationality: usize,
        residence: usize,
        town: usize,
        name: PersonName,
        gender: Gender,
    ) -> u32 {
        let idx = self.parties.len() as u32;
        let native = name.native();
        let latin = name.latin();
        let year = 1955 + self.rng.below(50) as i32;
        let birth = Date::new(
            year,
            1 + self.rng.below(12) as u8,
            1 + self.rng.below(28) as u8,
        );
        let code = self.countries[nationality].code;
        let doc_number = match code.as_str() {
            "TJ" => format!("4{:08}", self.rng.below(100_000_000)),
            "UZ" => format!("AD{:07}", self.rng.below(10_000_000)),
            "KG" => format!("AC{:07}", self.rng.below(10_000_000)),
            "KZ" => format!("N{:08}", self.rng.below(100_000_000)),
            "RU" => format!(
                "{:02} {:02} {:06}",
                self.rng.below(100),
                self.rng.below(100),
                self.rng.below(1_000_000)
            ),
            "AF" => format!("P{:08}", self.rng.below(100_000_000)),
            _ => format!("{}{:07}", code.as_str(), self.rng.below(10_000_000)),
        };
        let t = self.countries[residence].towns[town];
        let res_code = self.countries[residence].code;
        self.parties.push(Party {
            id: format!("P{:07}", idx + 1),
            kind: PartyKind::Person,
            name_script: detect_script(&native),
            name: native,
            name_latin: latin,
            gender: Some(gender),
            birth_date: birth,
            nationality: Some(code),
            id_document: Some(IdDocument {
                kind: if code.as_str() == "RU" {
                    "national_id".into()
                } else {
                    "passport".into()
                },
                number: doc_number,
                country: code,
            }),
            address: Some(Address {
                country: res_code,
                city: t.native.to_string(),
                line: format!("{} {}", t.latin, 1 + self.rng.below(120)),
            }),
        });
        self.person_names.push(Some(name));
        self.company_names.push(None);
        idx
    }

    /// Adds an organisation party registered in `country`.
    pub fn add_org(&mut self, country: usize, name: CompanyName) -> u32 {
        let idx = self.parties.len() as u32;
        let code = self.countries[country].code;
        let town = *self.rng.pick(self.countries[country].towns);
        self.parties.push(Party {
            id: format!("P{:07}", idx + 1),
            kind: PartyKind::Organisation,
            name_script: detect_script(&name.native),
            name: name.native.clone(),
            name_latin: name.latin.clone(),
            gender: None,
            birth_date: None,
            nationality: Some(code),
            id_document: Some(IdDocument {
                kind: "registration".into(),
                number: format!("{}{:09}", code.as_str(), self.rng.below(1_000_000_000)),
                country: code,
            }),
            address: Some(Address {
                country: code,
                city: town.native.to_string(),
                line: format!("{} business centre {}", town.latin, 1 + self.rng.below(60)),
            }),
        });
        self.person_names.push(None);
        self.company_names.push(Some(name));
        idx
    }

    /// Draws a fresh person of `culture` living in `residence`.
    pub fn new_person(&mut self, nationality: usize, residence: usize, town: Option<usize>) -> u32 {
        let gender = if self.rng.chance(0.55) {
            Gender::Male
        } else {
            Gender::Female
        };
        let name = person_name(&mut self.rng, self.countries[nationality].culture, gender);
        let town = town.unwrap_or_else(|| self.pick_town(residence));
        self.add_person(nationality, residence, town, name, gender)
    }

    /// Towns are drawn with the capital most likely.
    pub fn pick_town(&mut self, country: usize) -> usize {
        let n = self.countries[country].towns.len();
        let weights: Vec<f64> = (0..n).map(|i| if i == 0 { 3.0 } else { 1.0 }).collect();
        self.rng.weighted(&weights)
    }

    /// Builds the lookup tables the background generator uses; call after
    /// the population (and any planted additions) is complete.
    pub fn finalize(&mut self) {
        self.org_cache = (0..self.countries.len())
            .map(|c| {
                let mut by_kind: [Vec<u32>; 6] = Default::default();
                for (k, o) in &self.org_index[c] {
                    by_kind[*k as usize].push(*o);
                }
                by_kind
            })
            .collect();
        self.migrant_list = (0..self.persons.len() as u32)
            .filter(|&p| {
                self.persons[p as usize].migrant_mto != NONE
                    && self.persons[p as usize].home_recipient != NONE
            })
            .collect();
        self.partner_list = (0..self.orgs.len() as u32)
            .filter(|&o| self.orgs[o as usize].kind == OrgKind::ForeignPartner)
            .collect();
    }

    pub fn org_cache(&self, country: usize, kind: OrgKind) -> &[u32] {
        self.org_cache
            .get(country)
            .map_or(&[], |k| k[kind as usize].as_slice())
    }

    pub fn migrants(&self) -> &[u32] {
        &self.migrant_list
    }

    pub fn foreign_partners(&self) -> &[u32] {
        &self.partner_list
    }

    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// A random bank of a country.
    pub fn pick_institution(&mut self, country: usize, kind: InstitutionKind) -> Option<u32> {
        let options = self.institutions_of(country, Some(kind));
        if options.is_empty() {
            None
        } else {
            Some(*self.rng.pick(&options))
        }
    }
}

/// Builds the population: institutions, `persons` people and their
/// organisations, with the accounts their background life needs.
pub fn build(seed: u64, persons: usize) -> World {
    let countries = countries();
    let mut rng = Rng::derive(seed, "population");
    let mut institutions = Vec::new();
    let mut institution_country = Vec::new();
    for (ci, c) in countries.iter().enumerate() {
        let mut counters = [0u32; 3];
        for (name, kind, scheme) in c.institutions {
            let k = match kind {
                InstitutionKind::Bank => 0,
                InstitutionKind::MoneyTransferOperator => 1,
                InstitutionKind::CryptoAssetServiceProvider => 2,
            };
            counters[k] += 1;
            let letter = ["B", "M", "C"][k];
            institutions.push(Institution {
                id: format!("{}{}{}", c.code.as_str(), letter, counters[k]),
                name: (*name).to_string(),
                kind: *kind,
                country: c.code,
                name_scheme: (*scheme).to_string(),
            });
            institution_country.push(ci);
        }
    }
    let n_countries = countries.len();
    let mut w = World {
        countries,
        institutions,
        institution_country,
        parties: Vec::new(),
        person_names: Vec::new(),
        company_names: Vec::new(),
        accounts: Vec::new(),
        account_institution: Vec::new(),
        account_party: Vec::new(),
        recorded: Vec::new(),
        cash_desk: Vec::new(),
        persons: Vec::new(),
        orgs: Vec::new(),
        residents: vec![Vec::new(); n_countries],
        org_index: vec![Vec::new(); n_countries],
        org_cache: Vec::new(),
        migrant_list: Vec::new(),
        partner_list: Vec::new(),
        rng: Rng::derive(seed, "population-accounts"),
        next_wallet: 0,
    };
    // Cash desks: the counterparty of every cash deposit and withdrawal.
    for i in 0..w.institutions.len() {
        let inst = &w.institutions[i];
        let currency = w.countries[w.institution_country[i]].currency;
        w.cash_desk.push(w.accounts.len() as u32);
        w.accounts.push(Account {
            id: format!("CASH-{}", inst.id),
            institution_id: inst.id.clone(),
            party_id: String::new(),
            holder_name: format!("{} cash desk", inst.name),
            holder_name_script: Script::Latin,
            currency,
            kind: AccountKind::Cash,
            opened: None,
        });
        w.account_institution.push(i as u32);
        w.account_party.push(NONE);
        w.recorded.push(Recorded {
            full: String::new(),
            first: String::new(),
            middle: String::new(),
            last: String::new(),
        });
    }

    // Organisations first, so that people can be employed.
    let n_orgs = (persons / 25).max(40);
    let shares: Vec<f64> = w.countries.iter().map(|c| c.population_share).collect();
    for ci in 0..n_countries {
        // Two utilities and one humanitarian charity per country of the region.
        let code = w.countries[ci].code.as_str().to_string();
        let regional = !matches!(code.as_str(), "TR" | "AE" | "CN" | "DE");
        for _ in 0..2 {
            add_org_with_account(&mut w, ci, OrgKind::Utility);
        }
        if regional {
            add_org_with_account(&mut w, ci, OrgKind::Charity);
        } else {
            for _ in 0..3 {
                add_org_with_account(&mut w, ci, OrgKind::ForeignPartner);
            }
        }
    }
    for _ in 0..n_orgs {
        let ci = rng.weighted(&shares);
        let regional = !matches!(w.countries[ci].code.as_str(), "TR" | "AE" | "CN" | "DE");
        let kind = if !regional {
            if rng.chance(0.5) {
                OrgKind::ForeignPartner
            } else {
                OrgKind::Employer
            }
        } else {
            match rng.weighted(&[0.4, 0.42, 0.18]) {
                0 => OrgKind::Employer,
                1 => OrgKind::Merchant,
                _ => OrgKind::Trader,
            }
        };
        add_org_with_account(&mut w, ci, kind);
    }

    // People.
    let ru = w.country_index("RU").unwrap_or(0);
    let kz = w.country_index("KZ").unwrap_or(0);
    // Labour migrants come from TJ, UZ, KG (in that order, for the weights below).
    let origins: Vec<usize> = (0..n_countries)
        .filter(|&c| is_migrant_origin(w.countries[c].code))
        .collect();
    let mut migrants = Vec::new();
    for _ in 0..persons {
        let residence = rng.weighted(&shares);
        let migrant_share = if residence == ru {
            0.4
        } else if residence == kz {
            0.15
        } else {
            0.0
        };
        let is_migrant = rng.chance(migrant_share);
        let nationality = if is_migrant {
            origins[rng.weighted(&[0.45, 0.4, 0.15])]
        } else {
            residence
        };
        let party = w.new_person(nationality, residence, None);
        let town = w.parties[party as usize]
            .address
            .as_ref()
            .and_then(|a| {
                w.countries[residence]
                    .towns
                    .iter()
                    .position(|t| t.native == a.city)
            })
            .unwrap_or(0);
        let pi = add_person_accounts(&mut w, party, residence, town);
        w.residents[residence].push(pi);
        if is_migrant {
            migrants.push(pi);
        }
    }
    // Families: each person has a relative in the same country; migrants a
    // recipient at home who keeps a money-transfer account.
    for pi in 0..w.persons.len() {
        let c = w.persons[pi].country;
        let pool = &w.residents[c];
        if pool.len() > 1 {
            let r = pool[w.rng.below(pool.len())];
            w.persons[pi].relative = r;
        }
    }
    for &mi in &migrants {
        let party = w.persons[mi as usize].party;
        let nat = w.parties[party as usize]
            .nationality
            .and_then(|n| w.country_index(n.as_str()))
            .unwrap_or(0);
        let residence = w.persons[mi as usize].country;
        let Some(mto) = w.pick_institution(residence, InstitutionKind::MoneyTransferOperator)
        else {
            continue;
        };
        let cur = w.countries[residence].currency;
        let mto_acct = w.open_account(party, mto, AccountKind::MoneyTransfer, cur);
        // Home recipient: often shared by several migrants of one family.
        let home = &w.residents[nat];
        if home.is_empty() {
            continue;
        }
        let family = home[w.rng.below(home.len().min(1 + persons / 12))];
        let recipient = ensure_home_mto(&mut w, family, nat);
        let pm = &mut w.persons[mi as usize];
        pm.migrant_mto = mto_acct;
        pm.home_recipient = recipient;
    }
    // Employment: residents of the region work for employers of their country.
    for ci in 0..n_countries {
        let employers = w.orgs_of(ci, OrgKind::Employer);
        if employers.is_empty() {
            continue;
        }
        let residents = w.residents[ci].clone();
        for pi in residents {
            if w.persons[pi as usize].migrant_mto != NONE || w.rng.chance(0.45) {
                // Migrants are paid in cash on building sites; others are self-employed.
                continue;
            }
            let e = employers[w.rng.below(employers.len())];
            let salary_usd = w.rng.lognormal(w.countries[ci].salary_usd, 0.45);
            let p = &mut w.persons[pi as usize];
            p.employer = e;
            p.salary = salary_usd * w.countries[ci].per_usd;
            w.orgs[e as usize].employees.push(pi);
        }
    }
    w.finalize();
    w
}

/// Adds an organisation of `kind` in country `ci` with its bank account(s).
pub fn add_org_with_account(w: &mut World, ci: usize, kind: OrgKind) -> u32 {
    let code = w.countries[ci].code.as_str().to_string();
    let scheme = crate::names::passport_scheme(w.countries[ci].culture);
    let mut name = if kind == OrgKind::Charity {
        charity_name(w, &code)
    } else {
        company_name(&mut w.rng, &code, scheme)
    };
    if kind == OrgKind::Utility {
        let (n, l) = utility_name(&code, w.orgs_of(ci, OrgKind::Utility).len());
        name = CompanyName {
            native: n,
            latin: l,
            legal_form: "",
        };
    }
    let party = w.add_org(ci, name);
    let bank = w.pick_institution(ci, InstitutionKind::Bank).unwrap_or(0);
    let cur = w.countries[ci].currency;
    let main = w.open_account(party, bank, AccountKind::Current, cur);
    let usd = if matches!(
        kind,
        OrgKind::Trader | OrgKind::ForeignPartner | OrgKind::Charity
    ) {
        w.open_account(party, bank, AccountKind::Current, Currency::USD)
    } else {
        NONE
    };
    let oi = w.orgs.len() as u32;
    w.orgs.push(OrgInfo {
        party,
        country: ci,
        kind,
        main,
        usd,
        employees: Vec::new(),
    });
    w.org_index[ci].push((kind, oi));
    oi
}

fn utility_name(code: &str, n: usize) -> (String, String) {
    let (native, latin) = match (code, n % 2) {
        ("TJ", 0) => ("ҶСШК «Барқи Тоҷик»", "Barqi Tojik Utility"),
        ("TJ", _) => ("КВД «Обу канализатсия»", "Dushanbe Water Utility"),
        ("UZ", 0) => (
            "«Ҳудудий электр тармоқлари» АЖ",
            "Regional Electric Networks JSC",
        ),
        ("UZ", _) => ("«Сувоқова» ДУК", "Suvokova Water Utility"),
        ("KG", 0) => ("ОАО «Северэлектро»", "Severelectro OJSC"),
        ("KG", _) => ("МП «Бишкекводоканал»", "Bishkek Water Utility"),
        ("KZ", 0) => ("АО «Алатау Жарық»", "Alatau Zharyk JSC"),
        ("KZ", _) => ("ТОО «Су Арнасы»", "Su Arnasy LLP"),
        ("RU", 0) => ("ПАО «Мосэнергосбыт»", "Mosenergosbyt PJSC"),
        ("RU", _) => ("АО «Мосводоканал»", "Mosvodokanal JSC"),
        (_, 0) => ("National Power Utility", "National Power Utility"),
        _ => ("City Water Utility", "City Water Utility"),
    };
    (native.to_string(), format!("{latin} ({code})"))
}

fn charity_name(w: &mut World, code: &str) -> CompanyName {
    let (native, latin) = match code {
        "TJ" => ("Фонди хайриявии «Меҳр»", "Mehr Charitable Foundation"),
        "UZ" => ("«Саховат» хайрия жамғармаси", "Sakhovat Charity Foundation"),
        "KG" => ("ОФ «Мээрим Булагы»", "Meerim Bulagy Public Foundation"),
        "KZ" => ("«Ақ Жүрек» қайырымдылық қоры", "Ak Zhurek Charity Fund"),
        "TM" => ("Хайриятчылык гаразнамасы «Рехим»", "Rehim Charity Fund"),
        "AF" => ("موسسه خیریه امید", "Omid Humanitarian Organization"),
        _ => ("Благотворительный фонд «Добро»", "Dobro Charity Foundation"),
    };
    let n = w.rng.below(90) + 10;
    CompanyName {
        native: format!("{native} №{n}"),
        latin: format!("{latin} No. {n}"),
        legal_form: "",
    }
}

/// Gives a home-country person a money-transfer account (if they lack one) and returns it.
fn ensure_home_mto(w: &mut World, person: u32, country: usize) -> u32 {
    let p = w.persons[person as usize].clone();
    if p.second != NONE && w.accounts[p.second as usize].kind == AccountKind::MoneyTransfer {
        return p.second;
    }
    let Some(mto) = w.pick_institution(country, InstitutionKind::MoneyTransferOperator) else {
        return p.main;
    };
    let cur = w.countries[country].currency;
    let acct = w.open_account(p.party, mto, AccountKind::MoneyTransfer, cur);
    w.persons[person as usize].second = acct;
    acct
}

fn add_person_accounts(w: &mut World, party: u32, residence: usize, town: usize) -> u32 {
    let cur = w.countries[residence].currency;
    let bank = w
        .pick_institution(residence, InstitutionKind::Bank)
        .unwrap_or(0);
    let main = w.open_account(party, bank, AccountKind::Current, cur);
    let card_share = match w.countries[residence].code.as_str() {
        "AF" | "TM" => 0.3,
        "TJ" | "KG" => 0.55,
        _ => 0.8,
    };
    let card = if w.rng.chance(card_share) {
        w.open_account(party, bank, AccountKind::Card, cur)
    } else {
        NONE
    };
    // A quarter bank twice, so that one person is recorded twice, differently.
    let second = if w.rng.chance(0.25) {
        let banks = w.institutions_of(residence, Some(InstitutionKind::Bank));
        let other: Vec<u32> = banks.into_iter().filter(|&b| b != bank).collect();
        if other.is_empty() {
            NONE
        } else {
            let b = other[w.rng.below(other.len())];
            let kind = if w.rng.chance(0.3) {
                AccountKind::MobileWallet
            } else {
                AccountKind::Current
            };
            w.open_account(party, b, kind, cur)
        }
    } else {
        NONE
    };
    let (casp, wallet) =
        match w.pick_institution(residence, InstitutionKind::CryptoAssetServiceProvider) {
            Some(c) if w.rng.chance(0.04) => {
                let fiat = w.open_account(party, c, AccountKind::Current, cur);
                let wallet = w.open_account(party, c, AccountKind::CryptoAddress, Currency::USD);
                (fiat, wallet)
            }
            _ => (NONE, NONE),
        };
    let pi = w.persons.len() as u32;
    w.persons.push(PersonInfo {
        party,
        country: residence,
        town,
        main,
        card,
        second,
        relative: pi,
        employer: NONE,
        salary: 0.0,
        migrant_mto: NONE,
        home_recipient: NONE,
        casp,
        wallet,
    });
    pi
}
