//! Legitimate background activity, one day at a time: retail card payments,
//! cash in and out, family transfers, salaries, bills, seasonal labour-migrant
//! remittances (and the cash-out that follows them), business payments,
//! foreign trade, donations and small crypto purchases.
//!
//! Several of these are deliberate look-alikes of laundering shapes: payroll
//! is a fan-out, utility bills a fan-in, a family receiving from three
//! migrants and withdrawing the cash within a day resembles a pass-through,
//! and merchants deposit cash every day.

use crate::population::{OrgKind, World, NONE};
use crate::rng::Rng;
use crate::world::remittance_season;
use nexus_model::{Channel, Date};

/// A transaction before it has an id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimTx {
    pub ts: i64,
    pub from: u32,
    pub to: u32,
    /// Minor units of the sending account's currency.
    pub amount: i64,
    pub channel: Channel,
    /// Index of the planted case, or `NONE` for background.
    pub case: u32,
    /// Order of creation, to break timestamp ties deterministically.
    pub seq: u32,
}

const RETAIL_HOURS: [f64; 24] = [
    0.1, 0.05, 0.02, 0.02, 0.02, 0.05, 0.2, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 2.8, 2.5, 2.3, 2.3, 2.6,
    3.0, 2.8, 2.2, 1.5, 0.8, 0.3,
];
const OFFICE_HOURS: [f64; 24] = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.6, 1.5, 2.0, 2.0, 1.2, 1.6, 2.0, 1.9, 1.7, 1.2, 0.6,
    0.1, 0.0, 0.0, 0.0, 0.0,
];
const EVENING_HOURS: [f64; 24] = [
    0.05, 0.02, 0.01, 0.01, 0.01, 0.02, 0.1, 0.4, 0.8, 1.0, 1.0, 1.0, 1.2, 1.1, 1.0, 1.0, 1.1, 1.4,
    1.8, 2.0, 1.9, 1.5, 0.9, 0.3,
];

/// A UTC timestamp for a local time of day in a country.
pub fn local_ts(w: &World, country: usize, day: Date, hour: usize, rng: &mut Rng) -> i64 {
    let offset = (w.countries[country].utc_offset_hours * 3600.0) as i64;
    day.midnight().0 + hour as i64 * 3600 + rng.below(3600) as i64 - offset
}

fn hour(rng: &mut Rng, table: &[f64; 24]) -> usize {
    rng.weighted(table)
}

/// Rounds a local amount the way people handle cash: to a "nice" unit.
fn round_cash(minor: i64, per_usd: f64) -> i64 {
    // One unit of about a dollar or more.
    let unit = if per_usd > 1000.0 {
        1_000_000 // 10,000 UZS
    } else if per_usd > 50.0 {
        10_000 // 100 RUB, KGS, KZT, AFN
    } else {
        1_000 // 10 TJS, TRY …
    };
    ((minor + unit / 2) / unit * unit).max(unit)
}

/// How often background events happen per person per day.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub retail: f64,
    pub atm: f64,
    pub cash_deposit: f64,
    pub family: f64,
    pub remittance: f64,
    pub b2b_per_org: f64,
    pub donation: f64,
    pub crypto: f64,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            retail: 0.22,
            atm: 0.06,
            cash_deposit: 0.02,
            family: 0.02,
            remittance: 0.1,
            b2b_per_org: 0.3,
            donation: 0.003,
            crypto: 0.002,
        }
    }
}

/// Appends the background transactions of `day` (day index `day_index`) to `out`.
pub fn background_day(w: &World, rates: &Rates, rng: &mut Rng, day: Date, out: &mut Vec<SimTx>) {
    let n_persons = w.persons.len();
    if n_persons == 0 {
        return;
    }
    let weekday = day.weekday();
    let retail_factor = match weekday {
        5 => 1.15,
        6 => 0.7,
        _ => 1.0,
    };
    let workday = weekday < 5;
    let transfer_factor = if workday { 1.0 } else { 0.5 };
    let push =
        |out: &mut Vec<SimTx>, ts: i64, from: u32, to: u32, amount: i64, channel: Channel| {
            if from == NONE || to == NONE || from == to || amount <= 0 {
                return;
            }
            let seq = out.len() as u32;
            out.push(SimTx {
                ts,
                from,
                to,
                amount,
                channel,
                case: NONE,
                seq,
            });
        };

    // Retail card payments to merchants of the person's country.
    let n = rng.poisson(n_persons as f64 * rates.retail * retail_factor);
    for _ in 0..n {
        let p = &w.persons[rng.below(n_persons)];
        let from = if p.card != NONE { p.card } else { p.main };
        let merchants = w.org_cache(p.country, OrgKind::Merchant);
        if merchants.is_empty() {
            continue;
        }
        let m = &w.orgs[merchants[rng.below(merchants.len())] as usize];
        let usd = rng.lognormal(12.0, 0.9).min(5000.0);
        let ts = local_ts(w, p.country, day, hour(rng, &RETAIL_HOURS), rng);
        push(
            out,
            ts,
            from,
            m.main,
            w.usd_to_minor(from, usd),
            Channel::Card,
        );
    }

    // Cash withdrawals and deposits at the person's own bank.
    let n = rng.poisson(n_persons as f64 * rates.atm * retail_factor);
    for _ in 0..n {
        let p = &w.persons[rng.below(n_persons)];
        let desk = w.cash_desk[w.account_institution[p.main as usize] as usize];
        let usd = rng.lognormal(60.0, 0.8);
        let per_usd = w.rate(w.currency(p.main));
        let ts = local_ts(w, p.country, day, hour(rng, &EVENING_HOURS), rng);
        push(
            out,
            ts,
            p.main,
            desk,
            round_cash(w.usd_to_minor(p.main, usd), per_usd),
            Channel::CashWithdrawal,
        );
    }
    let n = rng.poisson(n_persons as f64 * rates.cash_deposit * transfer_factor);
    for _ in 0..n {
        let p = &w.persons[rng.below(n_persons)];
        let desk = w.cash_desk[w.account_institution[p.main as usize] as usize];
        let usd = rng.lognormal(150.0, 1.0);
        let per_usd = w.rate(w.currency(p.main));
        let ts = local_ts(w, p.country, day, hour(rng, &OFFICE_HOURS), rng);
        push(
            out,
            ts,
            desk,
            p.main,
            round_cash(w.usd_to_minor(p.main, usd), per_usd),
            Channel::CashDeposit,
        );
    }

    // Family transfers.
    let n = rng.poisson(n_persons as f64 * rates.family);
    for _ in 0..n {
        let p = &w.persons[rng.below(n_persons)];
        let r = &w.persons[p.relative as usize];
        let usd = rng.lognormal(40.0, 1.0);
        let ts = local_ts(w, p.country, day, hour(rng, &EVENING_HOURS), rng);
        let to = if r.second != NONE && rng.chance(0.3) {
            r.second
        } else {
            r.main
        };
        push(
            out,
            ts,
            p.main,
            to,
            w.usd_to_minor(p.main, usd),
            Channel::DomesticTransfer,
        );
    }

    // Salaries: the 5th (balance, 60%) and the 20th (advance, 40%), moved to
    // the Friday before when they fall on a weekend. Payroll is one batch.
    let pay_share = payday_share(day);
    if pay_share > 0.0 {
        for org in &w.orgs {
            if org.employees.is_empty() {
                continue;
            }
            let base = local_ts(w, org.country, day, 10, rng);
            for (k, &e) in org.employees.iter().enumerate() {
                let p = &w.persons[e as usize];
                let amount = (p.salary * pay_share * 100.0).round() as i64;
                push(
                    out,
                    base + k as i64 * 2,
                    org.main,
                    p.main,
                    amount,
                    Channel::DomesticTransfer,
                );
            }
        }
    }

    // Utility bills: each household pays on its own day of the month.
    let dom = u32::from(day.day);
    if dom <= 25 {
        // Persons whose bill day is today: a deterministic 1/25 slice.
        for (i, p) in w.persons.iter().enumerate() {
            if (i as u32 * 7 + 3) % 25 + 1 != dom || i % 10 >= 7 {
                continue;
            }
            let utilities = w.org_cache(p.country, OrgKind::Utility);
            if utilities.is_empty() {
                continue;
            }
            let u = &w.orgs[utilities[i % utilities.len()] as usize];
            let usd = rng.lognormal(25.0, 0.5);
            let ts = local_ts(w, p.country, day, hour(rng, &EVENING_HOURS), rng);
            push(
                out,
                ts,
                p.main,
                u.main,
                w.usd_to_minor(p.main, usd),
                Channel::DomesticTransfer,
            );
        }
    }

    // Labour-migrant remittances home, and the family's cash-out.
    let season = remittance_season(day.month);
    for &m in w.migrants() {
        let p = &w.persons[m as usize];
        if !rng.chance(rates.remittance * season * transfer_factor.max(0.8)) {
            continue;
        }
        let usd = rng.lognormal(250.0, 0.6).min(20_000.0);
        let ts = local_ts(w, p.country, day, hour(rng, &EVENING_HOURS), rng);
        let amount = w.usd_to_minor(p.migrant_mto, usd);
        push(
            out,
            ts,
            p.migrant_mto,
            p.home_recipient,
            amount,
            Channel::Remittance,
        );
        if rng.chance(0.6) {
            let recipient = p.home_recipient;
            let desk = w.cash_desk[w.account_institution[recipient as usize] as usize];
            let local = w.usd_to_minor(recipient, usd * rng.uniform(0.9, 1.0));
            let per_usd = w.rate(w.currency(recipient));
            let later = ts + 1800 + rng.below(40 * 3600) as i64;
            push(
                out,
                later,
                recipient,
                desk,
                round_cash(local, per_usd),
                Channel::CashWithdrawal,
            );
        }
    }

    // Business payments, merchants' cash takings, foreign trade, charities.
    if workday {
        let n_orgs = w.orgs.len();
        let n = rng.poisson(n_orgs as f64 * rates.b2b_per_org);
        for _ in 0..n {
            let a = &w.orgs[rng.below(n_orgs)];
            let peers = w.org_cache(a.country, OrgKind::Employer);
            if peers.is_empty() || a.kind == OrgKind::Charity {
                continue;
            }
            let b = &w.orgs[peers[rng.below(peers.len())] as usize];
            let usd = rng.lognormal(2500.0, 1.2).min(2_000_000.0);
            let ts = local_ts(w, a.country, day, hour(rng, &OFFICE_HOURS), rng);
            push(
                out,
                ts,
                a.main,
                b.main,
                w.usd_to_minor(a.main, usd),
                Channel::DomesticTransfer,
            );
        }
        for o in &w.orgs {
            match o.kind {
                OrgKind::Merchant if rng.chance(0.5) => {
                    let desk = w.cash_desk[w.account_institution[o.main as usize] as usize];
                    let usd = rng.lognormal(800.0, 0.7);
                    let per_usd = w.rate(w.currency(o.main));
                    let ts = local_ts(w, o.country, day, 18, rng);
                    push(
                        out,
                        ts,
                        desk,
                        o.main,
                        round_cash(w.usd_to_minor(o.main, usd), per_usd),
                        Channel::CashDeposit,
                    );
                }
                // Foreign trade, and charities' programme payments to partners abroad.
                OrgKind::Trader | OrgKind::Charity => {
                    let (chance, median) = if o.kind == OrgKind::Trader {
                        (0.07, 20_000.0)
                    } else {
                        (0.04, 4000.0)
                    };
                    let partners = w.foreign_partners();
                    if partners.is_empty() || !rng.chance(chance) {
                        continue;
                    }
                    let b = &w.orgs[partners[rng.below(partners.len())] as usize];
                    let usd =
                        rng.lognormal(median, if o.kind == OrgKind::Trader { 0.8 } else { 0.6 });
                    let ts = local_ts(w, o.country, day, hour(rng, &OFFICE_HOURS), rng);
                    push(
                        out,
                        ts,
                        o.usd,
                        b.usd,
                        w.usd_to_minor(o.usd, usd),
                        Channel::Wire,
                    );
                }
                OrgKind::Employer
                    if u32::from(day.day) == 25 && o.employees.len() > 5 && rng.chance(0.3) =>
                {
                    // Cash payroll for the informal part of the workforce.
                    let desk = w.cash_desk[w.account_institution[o.main as usize] as usize];
                    let usd = rng.lognormal(6000.0, 0.6);
                    let per_usd = w.rate(w.currency(o.main));
                    let ts = local_ts(w, o.country, day, 11, rng);
                    push(
                        out,
                        ts,
                        o.main,
                        desk,
                        round_cash(w.usd_to_minor(o.main, usd), per_usd),
                        Channel::CashWithdrawal,
                    );
                }
                _ => {}
            }
        }
    }
    let n = rng.poisson(n_persons as f64 * rates.donation);
    for _ in 0..n {
        let p = &w.persons[rng.below(n_persons)];
        let charities = w.org_cache(p.country, OrgKind::Charity);
        if charities.is_empty() {
            continue;
        }
        let c = &w.orgs[charities[0] as usize];
        let usd = rng.lognormal(15.0, 0.9);
        let ts = local_ts(w, p.country, day, hour(rng, &EVENING_HOURS), rng);
        push(
            out,
            ts,
            p.main,
            c.main,
            w.usd_to_minor(p.main, usd),
            Channel::DomesticTransfer,
        );
    }
    // Small crypto purchases by the few who hold an exchange account.
    let n = rng.poisson(n_persons as f64 * rates.crypto);
    for _ in 0..n {
        let p = &w.persons[rng.below(n_persons)];
        if p.casp == NONE {
            continue;
        }
        let usd = rng.lognormal(120.0, 0.9);
        let ts = local_ts(w, p.country, day, hour(rng, &EVENING_HOURS), rng);
        push(
            out,
            ts,
            p.main,
            p.casp,
            w.usd_to_minor(p.main, usd),
            Channel::DomesticTransfer,
        );
        let later = ts + 600 + rng.below(7200) as i64;
        push(
            out,
            later,
            p.casp,
            p.wallet,
            w.usd_to_minor(p.casp, usd * 0.99),
            Channel::Crypto,
        );
    }
}

/// Share of the monthly salary paid on `day`.
fn payday_share(day: Date) -> f64 {
    let is_payday = |d: u8| -> bool {
        let Some(target) = Date::new(day.year, day.month, d) else {
            return false;
        };
        // Paid on the Friday before when the day falls on a weekend.
        let shift = match target.weekday() {
            5 => 1,
            6 => 2,
            _ => 0,
        };
        target.add_days(-shift) == day
    };
    if is_payday(5) {
        0.6
    } else if is_payday(20) {
        0.4
    } else {
        0.0
    }
}
