//! goAML suspicious-transaction reports filed by the scenario's reporting
//! entities about part of the planted activity (and a few defensive reports
//! about legitimate look-alikes, as real reporting entities file them).

use crate::background::SimTx;
use crate::population::{World, NONE};
use nexus_formats::goaml::{
    GoamlAccount, GoamlAddress, GoamlEntity, GoamlParty, GoamlPerson, GoamlReport, GoamlSide,
    GoamlTransaction,
};
use nexus_model::{AccountKind, Channel, Gender, Minor, PartyKind, Timestamp};

/// The goAML reporting-entity id of an institution.
pub fn rentity_id(institution: u32) -> u32 {
    101 + institution
}

fn date_time(ts: i64) -> String {
    let s = Timestamp(ts).to_string();
    s.trim_end_matches('Z').to_string()
}

/// goAML conduction code for a channel (the scenario FIU's code list).
pub fn transmode(channel: Channel) -> &'static str {
    match channel {
        Channel::CashDeposit | Channel::CashWithdrawal => "C",
        Channel::Remittance => "R",
        Channel::Crypto => "V",
        Channel::InformalValueTransfer => "H",
        Channel::Card => "D",
        _ => "E",
    }
}

fn person_of(w: &World, account: u32, my_client: bool) -> GoamlPerson {
    let party = &w.parties[w.account_party[account as usize] as usize];
    let rec = &w.recorded[account as usize];
    let country = party.nationality.map(|c| c.to_string()).unwrap_or_default();
    // Where no address is known, the country of the account stands for residence.
    let residence = party.address.as_ref().map_or_else(
        || {
            w.institutions[w.account_institution[account as usize] as usize]
                .country
                .to_string()
        },
        |a| a.country.to_string(),
    );
    GoamlPerson {
        gender: match party.gender {
            Some(Gender::Female) => "F".into(),
            Some(Gender::Male) => "M".into(),
            None => String::new(),
        },
        first_name: if rec.first.is_empty() {
            rec.full.clone()
        } else {
            rec.first.clone()
        },
        middle_name: rec.middle.clone(),
        last_name: if rec.last.is_empty() {
            rec.full.clone()
        } else {
            rec.last.clone()
        },
        birthdate: if my_client {
            party.birth_date.map_or_else(
                || "1900-01-01T00:00:00".to_string(),
                |d| format!("{d}T00:00:00"),
            )
        } else {
            String::new()
        },
        id_number: if my_client {
            party
                .id_document
                .as_ref()
                .map(|d| d.number.clone())
                .unwrap_or_default()
        } else {
            String::new()
        },
        phone: if my_client {
            phone_of(&party.id, &residence)
        } else {
            String::new()
        },
        nationality1: country,
        residence,
        // A client's full address from the institution's records; of a
        // counterparty, the town and country the payment message carries
        // (a wire's beneficiary, a remittance's payout location).
        address: party.address.as_ref().map(|a| GoamlAddress {
            address_type: "PRIVT".into(),
            address: if my_client {
                a.line.clone()
            } else {
                a.city.clone()
            },
            city: a.city.clone(),
            country_code: a.country.to_string(),
            state: a.city.clone(),
        }),
        ..Default::default()
    }
}

/// A stable mobile number for a customer, with the country's calling code.
fn phone_of(party_id: &str, country: &str) -> String {
    let prefix = match country {
        "TJ" => "+992 9",
        "UZ" => "+998 9",
        "KG" => "+996 5",
        "KZ" => "+7 70",
        "RU" => "+7 9",
        "TM" => "+993 6",
        "AF" => "+93 7",
        _ => "+90 5",
    };
    let digits: u64 = party_id
        .bytes()
        .fold(17u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!("{prefix}{:08}", digits % 100_000_000)
}

/// The director named in reports about an own corporate client: the model
/// keeps no company officers, so a resident of the company's country is
/// chosen deterministically from the account id.
fn director_of(w: &World, account: u32) -> Option<GoamlPerson> {
    let country = w.account_country(account);
    let pool = &w.residents[country];
    if pool.is_empty() {
        return None;
    }
    let h = w.accounts[account as usize]
        .id
        .bytes()
        .fold(7usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
    let person = &w.persons[pool[h % pool.len()] as usize];
    Some(person_of(w, person.main, false))
}

fn entity_of(w: &World, account: u32) -> GoamlEntity {
    let party = &w.parties[w.account_party[account as usize] as usize];
    GoamlEntity {
        name: w.accounts[account as usize].holder_name.clone(),
        incorporation_number: party
            .id_document
            .as_ref()
            .map(|d| d.number.clone())
            .unwrap_or_default(),
        incorporation_country_code: party.nationality.map(|c| c.to_string()).unwrap_or_default(),
        incorporation_legal_form: "L".into(),
        phone: phone_of(
            &party.id,
            &party.nationality.map(|c| c.to_string()).unwrap_or_default(),
        ),
        business: "Trade and services".into(),
        address: party.address.as_ref().map(|a| GoamlAddress {
            address_type: "BU".into(),
            address: a.line.clone(),
            city: a.city.clone(),
            country_code: a.country.to_string(),
            state: a.city.clone(),
        }),
        ..Default::default()
    }
}

/// One side of a transaction as the reporting institution `reporter` sees it.
fn side(w: &World, account: u32, reporter: u32, dir: &str, channel: Channel) -> GoamlSide {
    let inst = w.account_institution[account as usize];
    let acct = &w.accounts[account as usize];
    // A cash desk is the reporter's own till, not a client.
    let my_client = inst == reporter && acct.kind != AccountKind::Cash;
    let country = w.institutions[inst as usize].country.to_string();
    let funds_code = match (dir, channel) {
        ("from", Channel::CashDeposit) | ("to", Channel::CashWithdrawal) => "K",
        _ => "E",
    };
    let party = if acct.kind == AccountKind::Cash || w.account_party[account as usize] == NONE {
        // Cash: the counterparty is the depositor / payee in person.
        GoamlParty::Entity(GoamlEntity {
            name: acct.holder_name.clone(),
            ..Default::default()
        })
    } else {
        let party_kind = w.parties[w.account_party[account as usize] as usize].kind;
        let (signatory, entity) = match party_kind {
            PartyKind::Person => (Some(person_of(w, account, my_client)), None),
            PartyKind::Organisation if my_client => {
                // The model has no signatories for companies: own corporate
                // clients are reported as entities, with their account number.
                let mut e = entity_of(w, account);
                e.director = director_of(w, account);
                e.incorporation_date = acct
                    .opened
                    .map(|d| format!("{d}T00:00:00"))
                    .unwrap_or_default();
                e.incorporation_number =
                    format!("{} (account {})", e.incorporation_number, acct.id);
                return GoamlSide {
                    my_client,
                    funds_code: funds_code.into(),
                    party: GoamlParty::Entity(e),
                    country,
                };
            }
            PartyKind::Organisation => (None, Some(entity_of(w, account))),
        };
        GoamlParty::Account(Box::new(GoamlAccount {
            institution_name: w.institutions[inst as usize].name.clone(),
            swift: format!("NX{}XX", w.institutions[inst as usize].id),
            branch: String::new(),
            account: acct.id.clone(),
            currency_code: acct.currency.to_string(),
            account_name: acct.holder_name.clone(),
            client_number: if my_client {
                acct.party_id.clone()
            } else {
                String::new()
            },
            personal_account_type: if my_client { "A".into() } else { String::new() },
            signatory,
            entity,
            opened: if my_client {
                acct.opened
                    .map(|d| format!("{d}T00:00:00"))
                    .unwrap_or_default()
            } else {
                String::new()
            },
            status_code: if my_client { "A".into() } else { String::new() },
        }))
    };
    GoamlSide {
        my_client,
        funds_code: funds_code.into(),
        party,
        country,
    }
}

/// Builds a report by `reporter` about `txs` (with their assigned ids).
pub fn build_report(
    w: &World,
    reporter: u32,
    reference: &str,
    txs: &[(String, SimTx)],
    reason: &str,
    indicators: &[&str],
) -> GoamlReport {
    let inst = &w.institutions[reporter as usize];
    let country = &w.countries[w.institution_country[reporter as usize]];
    let last = txs.iter().map(|(_, t)| t.ts).max().unwrap_or(0);
    let town = country.towns[0];
    GoamlReport {
        rentity_id: rentity_id(reporter),
        rentity_branch: format!("{}-HQ", inst.id),
        report_code: "STR".into(),
        entity_reference: reference.to_string(),
        submission_date: date_time(last + 86_400 * 3),
        currency_code_local: country.currency.to_string(),
        reporting_person: GoamlPerson {
            first_name: "Compliance".into(),
            last_name: "Officer".into(),
            occupation: "MLRO".into(),
            ..Default::default()
        },
        location: GoamlAddress {
            address_type: "BU".into(),
            address: format!("{} head office", inst.name),
            city: town.latin.into(),
            country_code: country.code.to_string(),
            state: town.latin.into(),
        },
        reason: reason.to_string(),
        action: "Customer placed under enhanced monitoring; relationship under review.".into(),
        transactions: txs
            .iter()
            .map(|(id, t)| GoamlTransaction {
                transaction_number: id.clone(),
                internal_ref_number: format!("{}-{}", inst.id, id),
                transaction_location: inst.name.clone(),
                transaction_description: format!(
                    "{} of {} {}",
                    t.channel,
                    Minor(t.amount),
                    w.currency(t.from)
                ),
                date_transaction: date_time(t.ts),
                transmode_code: transmode(t.channel).into(),
                amount_local: Minor(
                    (t.amount as f64 * country.per_usd / w.rate(w.currency(t.from))) as i64,
                )
                .to_string(),
                from: side(w, t.from, reporter, "from", t.channel),
                to: side(w, t.to, reporter, "to", t.channel),
            })
            .collect(),
        indicators: indicators.iter().map(|s| s.to_string()).collect(),
    }
}

/// The reason a reporting entity gives for a typology, and its indicators.
pub fn reason_for(typology: &str) -> (&'static str, &'static [&'static str]) {
    match typology {
        "structuring" => (
            "Repeated cash deposits just below the reporting threshold by customers from a border district, \
             followed by transfers to one company.",
            &["STRUC", "CASH"],
        ),
        "mule_pass_through" => (
            "Funds received from abroad and moved on or withdrawn within hours; account behaviour inconsistent \
             with customer profile.",
            &["MULE", "RAPID"],
        ),
        "ftf_self_funding" => (
            "Small transfers to a recipient in a high-risk area known for foreign terrorist fighters.",
            &["TF", "HRJ"],
        ),
        "charity_diversion" => (
            "Charity receives donations and wires most of them abroad to a partner with no visible programme.",
            &["NPO", "TF"],
        ),
        "trade_based_layering" => (
            "Round-sum payments for goods inconsistent with the customer's trade; funds return through a related company.",
            &["TBML"],
        ),
        "crypto_cashout" => (
            "Pooled funds converted to virtual assets and sent out within hours of purchase.",
            &["VA", "TF"],
        ),
        "cash_courier" => (
            "Large cash withdrawals at a border branch right after incoming wires from abroad.",
            &["CASH", "BORDER"],
        ),
        "designated_customer" => (
            "Customer name resembles an entry of the UN Security Council Consolidated List.",
            &["SANCT"],
        ),
        _ => (
            "Unusual pattern of transfers between customers with no apparent economic purpose.",
            &["UNUSUAL"],
        ),
    }
}
