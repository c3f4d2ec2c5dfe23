//! What the store keeps of cooperation with partner FIUs.

use crate::sql::{params, OptionalExtension, Row};
use crate::{Db, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRow {
    pub id: i64,
    pub name: String,
    pub country: String,
    pub public_key: String,
    pub fingerprint: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub session: String,
    pub partner: String,
    pub direction: String,
    pub purpose: String,
    pub legal_basis: String,
    pub asked: i64,
    pub partner_keys: i64,
    pub matched: i64,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeMatchRow {
    pub id: i64,
    pub session: String,
    pub partner: String,
    pub entity_id: i64,
    pub entity_name: String,
    pub basis: String,
    pub typologies: String,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeMessageRow {
    pub id: i64,
    pub partner: String,
    pub direction: String,
    pub kind: String,
    pub session: String,
    pub message_id: String,
    pub body: String,
    pub status: String,
    pub at: i64,
    /// The case the message was linked to (its content is read under that case).
    pub case_id: Option<i64>,
}

/// An entity as private matching needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchableEntity {
    pub id: i64,
    pub organisation: bool,
    pub name: String,
    pub birth_date: Option<String>,
    /// `;`-separated ISO codes.
    pub countries: String,
    /// `kind:number` pairs separated by `;`.
    pub identifiers: String,
}

/// Matches per corridor and typology: no personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureRow {
    pub from_country: String,
    pub to_country: String,
    pub typology: String,
    pub matches: i64,
}

fn partner_from_row(r: &Row) -> crate::Result<PartnerRow> {
    Ok(PartnerRow {
        id: r.get(0)?,
        name: r.get(1)?,
        country: r.get(2)?,
        public_key: r.get(3)?,
        fingerprint: r.get(4)?,
        address: r.get(5)?,
    })
}

const PARTNER_COLUMNS: &str = "id, name, country, public_key, fingerprint, address";

impl Db<'_> {
    pub fn add_partner(
        &self,
        name: &str,
        country: &str,
        public_key: &str,
        fingerprint: &str,
        address: &str,
    ) -> Result<i64> {
        match self.conn.insert(
            "INSERT INTO exchange_partners(name, country, public_key, fingerprint, address, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![name, country, public_key, fingerprint, address, crate::now()],
        ) {
            Ok(id) => Ok(id),
            Err(StoreError::Unique(_)) => {
                Err(StoreError::Conflict(format!("a partner with the name {name:?} or this key is already in the directory")))
            }
            Err(e) => Err(e),
        }
    }

    pub fn partners(&self) -> Result<Vec<PartnerRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {PARTNER_COLUMNS} FROM exchange_partners ORDER BY name"
        ))?;
        let rows = s.query_map(params![], partner_from_row)?;
        rows.collect::<crate::Result<_>>()
    }

    pub fn partner_by_name(&self, name: &str) -> Result<Option<PartnerRow>> {
        self.conn
            .query_row(
                &format!("SELECT {PARTNER_COLUMNS} FROM exchange_partners WHERE name = ?1"),
                [name],
                partner_from_row,
            )
            .optional()
    }

    pub fn partner_by_fingerprint(&self, fingerprint: &str) -> Result<Option<PartnerRow>> {
        self.conn
            .query_row(
                &format!("SELECT {PARTNER_COLUMNS} FROM exchange_partners WHERE fingerprint = ?1"),
                [fingerprint],
                partner_from_row,
            )
            .optional()
    }

    /// Records a message id; `false` when it was seen before (a replay).
    pub fn first_sight(&self, sender: &str, message_id: &str) -> Result<bool> {
        let n = self.conn.execute(
            "INSERT INTO exchange_seen(sender, message_id, at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![sender, message_id, crate::now()],
        )?;
        Ok(n == 1)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn record_session(
        &self,
        session: &str,
        partner_id: i64,
        direction: &str,
        purpose: &str,
        legal_basis: &str,
        asked: i64,
        partner_keys: i64,
        matched: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO exchange_sessions(session, partner_id, direction, purpose, legal_basis, asked, partner_keys, matched, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![session, partner_id, direction, purpose, legal_basis, asked, partner_keys, matched, crate::now()],
        )?;
        Ok(())
    }

    pub fn sessions(&self) -> Result<Vec<SessionRow>> {
        let mut s = self.conn.prepare_cached(
            "SELECT s.session, p.name, s.direction, s.purpose, s.legal_basis, s.asked, s.partner_keys, s.matched, s.at
             FROM exchange_sessions s JOIN exchange_partners p ON p.id = s.partner_id ORDER BY s.at DESC LIMIT 200",
        )?;
        let rows = s.query_map(params![], |r| {
            Ok(SessionRow {
                session: r.get(0)?,
                partner: r.get(1)?,
                direction: r.get(2)?,
                purpose: r.get(3)?,
                legal_basis: r.get(4)?,
                asked: r.get(5)?,
                partner_keys: r.get(6)?,
                matched: r.get(7)?,
                at: r.get(8)?,
            })
        })?;
        rows.collect::<crate::Result<_>>()
    }

    pub fn add_exchange_match(
        &self,
        session: &str,
        partner_id: i64,
        entity_id: i64,
        basis: &str,
        typologies: &str,
    ) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO exchange_matches(session, partner_id, entity_id, basis, typologies, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![session, partner_id, entity_id, basis, typologies, crate::now()],
        )
    }

    pub fn exchange_matches(&self, session: Option<&str>) -> Result<Vec<ExchangeMatchRow>> {
        let mut s = self.conn.prepare_cached(
            "SELECT m.id, m.session, p.name, m.entity_id, e.name, m.basis, m.typologies, m.at
             FROM exchange_matches m JOIN exchange_partners p ON p.id = m.partner_id JOIN entities e ON e.id = m.entity_id
             WHERE CAST(?1 AS TEXT) IS NULL OR m.session = ?1 ORDER BY m.id DESC LIMIT 1000",
        )?;
        let rows = s.query_map([session], |r| {
            Ok(ExchangeMatchRow {
                id: r.get(0)?,
                session: r.get(1)?,
                partner: r.get(2)?,
                entity_id: r.get(3)?,
                entity_name: r.get(4)?,
                basis: r.get(5)?,
                typologies: r.get(6)?,
                at: r.get(7)?,
            })
        })?;
        rows.collect::<crate::Result<_>>()
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_exchange_message(
        &self,
        partner_id: i64,
        direction: &str,
        kind: &str,
        session: &str,
        message_id: &str,
        body: &str,
    ) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO exchange_messages(partner_id, direction, kind, session, message_id, body, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![partner_id, direction, kind, session, message_id, body, crate::now()],
        )
    }

    pub fn set_exchange_message_status(&self, id: i64, status: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE exchange_messages SET status = ?2 WHERE id = ?1",
            params![id, status],
        )?;
        Ok(())
    }

    pub fn exchange_messages(&self) -> Result<Vec<ExchangeMessageRow>> {
        let mut s = self.conn.prepare_cached(
            "SELECT m.id, p.name, m.direction, m.kind, m.session, m.message_id, m.body, m.status, m.at, m.case_id
             FROM exchange_messages m JOIN exchange_partners p ON p.id = m.partner_id ORDER BY m.id DESC LIMIT 500",
        )?;
        let rows = s.query_map(params![], |r| {
            Ok(ExchangeMessageRow {
                id: r.get(0)?,
                partner: r.get(1)?,
                direction: r.get(2)?,
                kind: r.get(3)?,
                session: r.get(4)?,
                message_id: r.get(5)?,
                body: r.get(6)?,
                status: r.get(7)?,
                at: r.get(8)?,
                case_id: r.get(9)?,
            })
        })?;
        rows.collect::<crate::Result<_>>()
    }

    /// Links a partner's message to a case (under which its content is read).
    pub fn link_exchange_message(&self, id: i64, case_id: i64) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE exchange_messages SET case_id = ?2 WHERE id = ?1",
            params![id, case_id],
        )? == 1)
    }

    /// Matches per corridor (this FIU's country → the partner's) and per
    /// typology of the matched entities' alerts (`none` without).
    pub fn regional_picture(&self, own_country: &str) -> Result<Vec<PictureRow>> {
        let mut s = self.conn.prepare(
            "SELECT p.country, m.typologies FROM exchange_matches m JOIN exchange_partners p ON p.id = m.partner_id",
        )?;
        let mut counts: std::collections::BTreeMap<(String, String), i64> =
            std::collections::BTreeMap::new();
        let rows = s.query_map(params![], |r| {
            Ok((r.get::<String>(0)?, r.get::<String>(1)?))
        })?;
        for row in rows {
            let (country, typologies) = row?;
            let list: Vec<&str> = typologies.split(';').filter(|t| !t.is_empty()).collect();
            for t in if list.is_empty() { vec!["none"] } else { list } {
                *counts.entry((country.clone(), t.to_string())).or_default() += 1;
            }
        }
        Ok(counts
            .into_iter()
            .map(|((to, typology), matches)| PictureRow {
                from_country: own_country.to_string(),
                to_country: to,
                typology,
                matches,
            })
            .collect())
    }

    /// What this FIU can match: each entity with its reported documents.
    pub fn matchable_entities(&self, after: i64, limit: i64) -> Result<Vec<MatchableEntity>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT e.id, e.kind, e.name, e.birth_date, e.countries,
                    COALESCE((SELECT {}(identifiers, ';') FROM subjects WHERE entity_id = e.id AND identifiers != ''), '')
             FROM entities e WHERE e.id > ?1 ORDER BY e.id LIMIT ?2",
            self.conn.dialect().group_concat()
        ))?;
        let rows = s.query_map(params![after, limit], |r| {
            Ok(MatchableEntity {
                id: r.get(0)?,
                organisation: r.get::<String>(1)? == "entity",
                name: r.get(2)?,
                birth_date: r.get(3)?,
                countries: r.get(4)?,
                identifiers: r.get(5)?,
            })
        })?;
        rows.collect::<crate::Result<_>>()
    }
}
