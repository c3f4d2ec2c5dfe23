//! Moving an FIU between databases (`nexus migrate`): every table copied
//! row for row, ids and hashes included, so that the audit chain verifies
//! on the target as it did on the source. Works in either direction
//! (SQLite → PostgreSQL for the scale-out, back for an offline copy).

use crate::sql::{Row, Value};
use crate::{Result, Store, StoreError};

/// Every table, parents before children, with the columns both schemas
/// share (no generated columns; `report_problems` has no id on SQLite).
const TABLES: &[(&str, &str)] = &[
    ("institutions", "id, name, country, codes"),
    ("users", "id, username, password_hash, role, institution, created_at, disabled, language"),
    ("sessions", "token_hash, user_id, csrf, created_at, expires_at, purpose, case_ref"),
    ("api_tokens", "id, token_hash, institution, role, label, created_at, revoked"),
    ("reports", "id, institution, entity_reference, report_code, status, message, received_at, submitted_at, reason, sha256, size, content, message_phrase"),
    ("report_problems", "report_id, path, line, message"),
    ("report_messages", "id, report_id, author, at, body"),
    ("entities", "id, kind, name, birth_date, countries, created_at"),
    ("entity_keys", "key, entity_id"),
    ("subjects", "id, report_id, entity_id, kind, name, birth_date, countries, identifiers, role, account, my_client, evidence, path, line, places"),
    ("accounts", "id, key, name, entity_id"),
    ("transactions", "id, report_id, reference, at, amount_minor, currency, from_account, to_account, from_entity, to_entity, channel, description, source_institution"),
    ("lists", "id, name, format, generated, loaded_at, entries, sha256, content"),
    ("cases", "id, reference, title, status, created_by, created_at, summary, assignee, closed_at, closing"),
    ("detection_models", "id, name, body, sha256, metrics, trained_on, created_at, created_by, activated_at, activated_by"),
    ("alerts", "id, kind, typology, score, entity_id, accounts, transactions, first_at, last_at, total_minor, explanation, list_name, list_entry, list_version, status, assignee, reason, case_id, dedup_key, created_at, probability, suppressed, episode, updated_at, model_id, explanation_phrases"),
    ("clearances", "id, entity_id, list_name, list_entry, list_version, justification, requested_by, approved_by, status, at, alert_id, decided_at, comment"),
    ("case_entities", "case_id, entity_id, role"),
    ("case_accounts", "case_id, account_id, role"),
    ("case_transactions", "case_id, transaction_id"),
    ("case_notes", "id, case_id, author, at, body"),
    ("freezes", "id, case_id, entity_id, account_id, assets, legal_basis, issued_on, expires_on, status, outcome, created_by, created_at, decided_by, decided_at, decision"),
    ("disseminations", "id, case_id, agency, legal_basis, package, created_by, created_at"),
    ("case_documents", "id, case_id, filename, content_type, size, sha256, content, uploaded_by, at"),
    ("audit_log", "seq, at, actor, action, object, purpose, case_ref, detail, prev_hash, hash, personal"),
    ("audit_checkpoints", "seq, hash, at, public_key, signature"),
    ("settings", "key, value"),
    ("message_marks", "user_id, seen_at"),
    ("report_drafts", "id, institution, reference, fields, updated_by, updated_at"),
    ("board_messages", "id, institution, author, at, subject, body"),
    ("board_attachments", "id, message_id, name, content_type, size, sha256, content"),
    ("board_archive", "user_id, kind, item, at"),
    ("exchange_partners", "id, name, country, public_key, fingerprint, address, added_at"),
    ("exchange_seen", "sender, message_id, at"),
    ("exchange_sessions", "session, partner_id, direction, purpose, legal_basis, asked, partner_keys, matched, at"),
    ("exchange_matches", "id, session, partner_id, entity_id, basis, typologies, at"),
    ("exchange_messages", "id, partner_id, direction, kind, session, message_id, body, status, at, case_id"),
];

/// Rows per INSERT statement.
const BATCH: usize = 200;

/// How many rows of each table were copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(&'static str, u64)>,
}

impl CopyReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Copies every table of `from` into `to`, which must be empty (a new
/// database: no users, institutions, reports or audit records). `progress`
/// hears each table's name and rows as they are copied.
pub fn copy_database(
    from: &Store,
    to: &Store,
    mut progress: impl FnMut(&str, u64),
) -> Result<CopyReport> {
    let (found, known) = from.schema_version()?;
    let (target_found, _) = to.schema_version()?;
    if found != known || target_found != known {
        return Err(StoreError::Invalid(format!(
            "both databases must be at schema version {known} (source {found}, target {target_found}); open each with this nexus first"
        )));
    }
    let occupied = to.read(|db| {
        let mut n = 0;
        for table in [
            "users",
            "institutions",
            "reports",
            "audit_log",
            "entities",
            "transactions",
        ] {
            n += db.conn.query_row(
                &format!("SELECT COUNT(*) FROM {table}"),
                crate::sql::params![],
                |r| r.get::<i64>(0),
            )?;
        }
        Ok(n)
    })?;
    if occupied > 0 {
        return Err(StoreError::Invalid(format!(
            "the target {} already holds data; migrate into a new, empty database",
            to.location()
        )));
    }
    to.write(|db| db.conn.execute_batch("DELETE FROM settings"))?;
    let mut report = CopyReport::default();
    for (table, columns) in TABLES {
        let width = columns.split(',').count();
        let order = match *table {
            "report_problems" => from.read(|db| Ok(db.conn.dialect().insertion_order()))?,
            _ => columns.split(',').next().unwrap_or("1").trim(),
        };
        let select = format!("SELECT {columns} FROM {table} ORDER BY {order}");
        let mut pending: Vec<Row> = Vec::with_capacity(BATCH);
        let mut copied = 0u64;
        let flush = |rows: &mut Vec<Row>| -> Result<()> {
            if rows.is_empty() {
                return Ok(());
            }
            let placeholders: Vec<String> = (0..rows.len())
                .map(|r| {
                    let cells: Vec<String> =
                        (1..=width).map(|c| format!("?{}", r * width + c)).collect();
                    format!("({})", cells.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO {table}({columns}) VALUES {}",
                placeholders.join(", ")
            );
            let values: Vec<Value> = rows.drain(..).flat_map(|r| r.values).collect();
            to.write(|db| db.conn.execute(&sql, values))?;
            Ok(())
        };
        from.read(|db| {
            db.conn.query_each(&select, crate::sql::params![], |row| {
                pending.push(row.clone());
                copied += 1;
                if pending.len() == BATCH {
                    flush(&mut pending)?;
                }
                Ok(())
            })
        })?;
        flush(&mut pending)?;
        progress(table, copied);
        report.tables.push((table, copied));
    }
    // PostgreSQL hands out identity values from sequences that explicit ids
    // did not advance.
    to.write(|db| {
        if db.conn.dialect() == crate::sql::Dialect::Postgres {
            for (table, columns) in TABLES {
                if columns.starts_with("id,") && *table != "institutions" {
                    db.conn.execute_batch(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
                    ))?;
                }
            }
        }
        Ok(())
    })?;
    Ok(report)
}
