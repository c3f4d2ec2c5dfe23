//! `nexus exchange`: this FIU's identity, the partner directory, private
//! matching, messages and the regional picture.

use anyhow::{bail, Result};
use nexus_exchange::Kind;
use nexus_fiu::exchange::{
    add_partner, identity, init_identity, own_country, run_match, send_message, MessageBody,
};
use std::collections::BTreeSet;

#[derive(clap::Subcommand)]
pub enum ExchangeCommand {
    /// Create this FIU's signing and encryption keys (once); prints the public key to give partners.
    Init {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
        /// This FIU's country (ISO 3166 alpha-2), for the regional picture.
        #[arg(long)]
        country: String,
    },
    /// Print this FIU's public key and its fingerprint.
    Identity {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
    },
    /// The partner directory.
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Find which of our subjects a partner FIU also holds, without either side disclosing its data.
    Match {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
        #[arg(long)]
        partner: String,
        #[arg(long)]
        purpose: String,
        #[arg(long)]
        legal_basis: String,
        /// Only these entities (comma-separated ids); default: all.
        #[arg(long, value_delimiter = ',')]
        entities: Vec<i64>,
    },
    /// Send a request for information, a reply or a spontaneous dissemination.
    Send {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
        #[arg(long)]
        partner: String,
        /// request, reply or dissemination.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        text: String,
        #[arg(long, default_value = "")]
        subject: String,
        #[arg(long, default_value = "")]
        purpose: String,
        #[arg(long, default_value = "")]
        legal_basis: String,
        /// routine, urgent or immediate.
        #[arg(long, default_value = "routine")]
        urgency: String,
        /// The match session the message is about.
        #[arg(long, default_value = "")]
        session: String,
        /// For a reply: the message id it answers.
        #[arg(long, default_value = "")]
        in_reply_to: String,
    },
    /// Matches per corridor and typology, without personal data.
    Picture {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
    },
}

#[derive(clap::Subcommand)]
pub enum PartnerCommand {
    /// Add a partner FIU: its name, country, public key (from its `nexus exchange identity`) and address.
    Add {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        country: String,
        #[arg(long)]
        key: String,
        /// http://host:port of the partner's nexus.
        #[arg(long)]
        address: String,
    },
    /// List the partner directory.
    List {
        /// The FIU's database: a SQLite file, or postgres://user@host:port/name.
        #[arg(long)]
        db: String,
    },
}

use crate::db::open_existing as open;

pub fn run(c: ExchangeCommand) -> Result<()> {
    match c {
        ExchangeCommand::Init { db, country } => {
            if !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase())) {
                bail!("--country {country:?}: an ISO 3166 alpha-2 code such as TJ");
            }
            let store = crate::db::open(&db)?;
            let public = init_identity(&store, &country)?;
            println!("{}", public.encode());
            eprintln!(
                "nexus: fingerprint {} (read it to partners to confirm the key)",
                public.fingerprint()
            );
        }
        ExchangeCommand::Identity { db } => {
            let public = identity(&open(&db)?)?.public();
            println!("{}", public.encode());
            eprintln!("nexus: fingerprint {}", public.fingerprint());
        }
        ExchangeCommand::Partner(PartnerCommand::Add {
            db,
            name,
            country,
            key,
            address,
        }) => {
            let fingerprint = add_partner(&open(&db)?, "cli", &name, &country, &key, &address)?;
            eprintln!("nexus: partner {name} added (fingerprint {fingerprint})");
        }
        ExchangeCommand::Partner(PartnerCommand::List { db }) => {
            for p in open(&db)?.read(|d| d.partners())? {
                println!(
                    "{}\t{}\t{}\t{}",
                    p.name, p.country, p.fingerprint, p.address
                );
            }
        }
        ExchangeCommand::Match {
            db,
            partner,
            purpose,
            legal_basis,
            entities,
        } => {
            let store = open(&db)?;
            let only: Option<BTreeSet<i64>> =
                (!entities.is_empty()).then(|| entities.into_iter().collect());
            let out = run_match(
                &store,
                "cli",
                &partner,
                &purpose,
                &legal_basis,
                only.as_ref(),
            )?;
            println!("session {}", out.session);
            for (entity, basis) in &out.matched {
                let name = store
                    .read(|d| d.entity(*entity))?
                    .map(|e| e.name)
                    .unwrap_or_default();
                println!("match\tentity {entity}\t{name}\t{basis}");
            }
            eprintln!(
                "nexus: {} subjects ({} keys) asked; {} keys at {}; {} matched; {} bytes sent, {} received, {:.1} s",
                out.subjects_asked,
                out.keys_asked,
                out.partner_keys,
                out.partner,
                out.matched.len(),
                out.bytes_sent,
                out.bytes_received,
                out.seconds
            );
        }
        ExchangeCommand::Send {
            db,
            partner,
            kind,
            text,
            subject,
            purpose,
            legal_basis,
            urgency,
            session,
            in_reply_to,
        } => {
            let kind = match kind.as_str() {
                "request" => Kind::InformationRequest,
                "reply" => Kind::InformationReply,
                "dissemination" => Kind::Dissemination,
                other => bail!("--kind {other:?}: request, reply or dissemination"),
            };
            if !["routine", "urgent", "immediate"].contains(&urgency.as_str()) {
                bail!("--urgency {urgency:?}: routine, urgent or immediate");
            }
            let body = MessageBody {
                in_reply_to,
                subject,
                purpose,
                legal_basis,
                urgency,
                text,
            };
            send_message(&open(&db)?, "cli", &partner, kind, &session, &body, None)?;
            eprintln!("nexus: {} sent to {partner}", kind.as_str());
        }
        ExchangeCommand::Picture { db } => {
            let store = open(&db)?;
            let country = own_country(&store)?;
            println!("from,to,typology,matches");
            for r in store.read(|d| d.regional_picture(&country))? {
                println!(
                    "{},{},{},{}",
                    r.from_country, r.to_country, r.typology, r.matches
                );
            }
        }
    }
    Ok(())
}
