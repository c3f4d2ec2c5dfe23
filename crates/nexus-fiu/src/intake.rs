//! Report intake: one goAML XML report, or a zip of several, from a
//! reporting entity. Reports are unpacked, parsed, validated and screened
//! before the writer is taken ([`prepare`]); then one write transaction
//! stores every report of the upload with its status (processed, failed
//! validation, rejected) and its problems, or — when the upload itself is
//! unusable — nothing is ([`store_prepared`]). The writer is held only to
//! store, so a hostile upload never makes other users wait.
//!
//! What the answer tells a reporting entity is limited to its own report:
//! its status, its problems, how many subjects and transactions it named.
//! Whether they were known to the FIU, or on a list, is not its business.

use crate::auth::{sha256_hex, Principal};
use crate::error::{say, Phrase, Say};
use crate::limits::Limits;
use crate::processing::{process_report, Screening, SubjectMatches};
use nexus_formats::goaml_intake::{read_goaml_report_within, ReceivedReport, ReportProblem};
use nexus_model::ReportStatus;
use nexus_store::{AuditRecord, Db, NewReport, Store, StoreError};
use serde::Serialize;
use std::io::Read;

/// A problem as the API reports it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProblemJson {
    pub path: String,
    pub line: u64,
    pub message: String,
}

impl From<&nexus_formats::goaml_intake::ReportProblem> for ProblemJson {
    fn from(p: &nexus_formats::goaml_intake::ReportProblem) -> ProblemJson {
        ProblemJson {
            path: p.path.clone(),
            line: p.line,
            message: p.message.clone(),
        }
    }
}

impl From<nexus_store::ProblemRow> for ProblemJson {
    fn from(p: nexus_store::ProblemRow) -> ProblemJson {
        ProblemJson {
            path: p.path,
            line: p.line as u64,
            message: p.message,
        }
    }
}

/// The answer for one report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReportOutcome {
    pub report_id: i64,
    pub file: String,
    pub entity_reference: String,
    /// `processed`, `failed-validation` or `rejected`.
    pub status: ReportStatus,
    /// The FIU's answer, in English.
    pub message: String,
    /// The same in a signed-in user's language (the UI's upload page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_text: Option<String>,
    /// The answer as a phrase, for [`ReportOutcome::message_text`].
    #[serde(skip)]
    pub said: Option<Phrase>,
    pub problems: Vec<ProblemJson>,
    /// The same content under the same reference was already received.
    pub duplicate: bool,
}

/// Why an upload as a whole was refused (nothing stored).
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("{0}")]
    Unusable(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Takes the reports out of a zip, with limits against zip bombs: entries,
/// each entry's size and compression ratio, and the total unpacked.
pub fn unzip_reports(bytes: &[u8], limits: &Limits) -> Result<Vec<(String, Vec<u8>)>, UploadError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| UploadError::Unusable(format!("not a readable zip archive: {e}")))?;
    let mut out = Vec::new();
    let mut total = 0usize;
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| UploadError::Unusable(format!("zip entry {i}: {e}")))?;
        if file.is_dir() {
            continue;
        }
        let name: String = file
            .name()
            .map_or_else(|_| format!("entry {i}"), |n| n.to_string())
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        if !name.to_ascii_lowercase().ends_with(".xml") {
            return Err(UploadError::Unusable(format!(
                "zip entry {name:?} is not an .xml report"
            )));
        }
        if out.len() == limits.max_reports_per_zip {
            return Err(UploadError::TooLarge(format!(
                "more than {} reports in one zip",
                limits.max_reports_per_zip
            )));
        }
        let compressed = file.compressed_size().max(1);
        // What the entry may still unpack to: its own limit and the upload's.
        let room = limits
            .max_report
            .min(limits.max_unzipped.saturating_sub(total));
        let mut content = Vec::new();
        (&mut file)
            .take(room as u64 + 1)
            .read_to_end(&mut content)
            .map_err(|e| UploadError::Unusable(format!("zip entry {name:?}: {e}")))?;
        if content.len() > limits.max_report {
            return Err(UploadError::TooLarge(format!(
                "zip entry {name:?} is larger than {} bytes",
                limits.max_report
            )));
        }
        if content.len() > room {
            return Err(UploadError::TooLarge(format!(
                "the reports of this zip unpack to more than {} bytes",
                limits.max_unzipped
            )));
        }
        if content.len() > 1 << 20 && content.len() as u64 / compressed > limits.max_zip_ratio {
            return Err(UploadError::TooLarge(format!(
                "zip entry {name:?} unpacks {}-fold; more than {}-fold is not a report but a zip bomb",
                content.len() as u64 / compressed,
                limits.max_zip_ratio
            )));
        }
        total += content.len();
        out.push((name, content));
    }
    if out.is_empty() {
        return Err(UploadError::Unusable(
            "the zip archive holds no .xml report".into(),
        ));
    }
    Ok(out)
}

/// The `entity_reference` of a report that failed to parse, found textually
/// so that a corrected version replaces it.
fn raw_reference(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 << 10)]);
    let start = text.find("<entity_reference>")? + "<entity_reference>".len();
    let end = text[start..].find("</entity_reference>")? + start;
    let r = text[start..end].trim();
    (!r.is_empty() && r.len() <= 255 && !r.contains('<')).then(|| r.to_string())
}

/// One report of an upload, read and screened, ready to store.
pub struct Prepared {
    pub name: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub parsed: Result<ReceivedReport, Vec<ReportProblem>>,
    /// Screening matches of each subject of a valid report.
    pub matches: SubjectMatches,
}

/// Parses, validates and screens every file of an upload: the expensive
/// part, done without the writer.
pub fn prepare(
    files: Vec<(String, Vec<u8>)>,
    screening: &Screening,
    limits: &Limits,
) -> Vec<Prepared> {
    files
        .into_iter()
        .map(|(name, bytes)| {
            let parsed = read_goaml_report_within(&name, &bytes, limits.report());
            let matches = match &parsed {
                Ok(r) => screening.screen_subjects(r),
                Err(_) => SubjectMatches::default(),
            };
            Prepared {
                sha256: sha256_hex(&bytes),
                name,
                bytes,
                parsed,
                matches,
            }
        })
        .collect()
}

/// Receives reports for `institution`: prepared, then stored in one transaction.
pub fn receive(
    store: &Store,
    screening: &Screening,
    principal: &Principal,
    institution: i64,
    files: Vec<(String, Vec<u8>)>,
    limits: &Limits,
) -> Result<Vec<ReportOutcome>, UploadError> {
    let prepared = prepare(files, screening, limits);
    store_prepared(store, screening, principal, institution, &prepared)
}

/// Stores prepared reports in one write transaction.
pub fn store_prepared(
    store: &Store,
    screening: &Screening,
    principal: &Principal,
    institution: i64,
    prepared: &[Prepared],
) -> Result<Vec<ReportOutcome>, UploadError> {
    let out = store.write(|db| {
        let mut outcomes = Vec::with_capacity(prepared.len());
        for p in prepared {
            outcomes.push(receive_one(db, screening, principal, institution, p)?);
        }
        Ok(outcomes)
    });
    match out {
        Err(StoreError::Conflict(m)) => Err(UploadError::Conflict(m)),
        other => Ok(other?),
    }
}

fn receive_one(
    db: &Db,
    screening: &Screening,
    principal: &Principal,
    institution: i64,
    p: &Prepared,
) -> Result<ReportOutcome, StoreError> {
    let (name, bytes, sha, parsed) = (&p.name, &p.bytes, &p.sha256, &p.parsed);
    let reference = match parsed {
        Ok(r) => r.entity_reference.clone(),
        Err(_) => raw_reference(bytes).unwrap_or_else(|| format!("upload-{}", &sha[..16])),
    };
    let (status, message, problems) = match parsed {
        Ok(r) if i64::from(r.rentity_id) != institution => (
            ReportStatus::Rejected,
            Some(
                say(Say::WrongReportingEntity)
                    .with("named", i64::from(r.rentity_id))
                    .with("sender", institution),
            ),
            Vec::new(),
        ),
        Ok(_) => (ReportStatus::Processed, None, Vec::new()),
        Err(p) => (
            ReportStatus::FailedValidation,
            Some(say(Say::ProblemsFound).with("count", p.len())),
            p.iter().map(ProblemJson::from).collect(),
        ),
    };
    let existing = db.report_by_reference(institution, &reference)?;
    if let Some(e) = &existing {
        if &e.sha256 == sha {
            let problems = db
                .report_problems(e.id)?
                .into_iter()
                .map(ProblemJson::from)
                .collect();
            return Ok(ReportOutcome {
                report_id: e.id,
                file: name.to_string(),
                entity_reference: reference,
                status: e.status,
                message: e.message.clone(),
                message_text: None,
                said: e.message_phrase.clone(),
                problems,
                duplicate: true,
            });
        }
        if e.status == ReportStatus::Processed {
            return Err(StoreError::Conflict(format!(
                "report {reference:?} was already received and processed with different content; send a correction under a new reference"
            )));
        }
    }
    let (report_code, submitted_at, reason) = match parsed {
        Ok(r) => (
            r.report_code.as_str(),
            Some(r.submission_date.0),
            r.reason.as_str(),
        ),
        Err(_) => ("", None, ""),
    };
    let new = NewReport {
        institution,
        entity_reference: &reference,
        report_code,
        status: ReportStatus::Uploaded,
        message: "",
        submitted_at,
        reason,
        sha256: sha,
        content: bytes,
    };
    let id = match &existing {
        Some(e) => {
            db.replace_report(e.id, &new)?;
            e.id
        }
        None => db.insert_report(&new)?,
    };
    for p in &problems {
        db.add_problem(id, &p.path, p.line as i64, &p.message)?;
    }
    let mut message = message;
    // What the FIU learned stays with the FIU: the audit detail has it, the
    // reporting entity's answer does not.
    let mut internal = String::new();
    if let (Ok(r), ReportStatus::Processed) = (parsed, status) {
        let done = process_report(db, screening, id, r, &p.matches)?;
        message = Some(
            say(Say::ProcessedCounts)
                .with("subjects", done.subjects)
                .with("transactions", r.transactions.len()),
        );
        internal = format!(
            " ({} new entities, {} new transactions, {} list matches)",
            done.new_entities, done.transactions, done.screening_alerts
        );
    }
    db.set_report_status(id, status, message.as_ref())?;
    let english = message.as_ref().map(Phrase::to_string).unwrap_or_default();
    db.audit(&AuditRecord {
        actor: principal.actor.clone(),
        action: if existing.is_some() {
            "report.resubmit"
        } else {
            "report.submit"
        }
        .into(),
        object: format!("report:{id}"),
        detail: format!("{reference}: {status}; {english}{internal}"),
        ..AuditRecord::default()
    })?;
    Ok(ReportOutcome {
        report_id: id,
        file: name.to_string(),
        entity_reference: reference,
        status,
        message: english,
        message_text: None,
        said: message,
        problems,
        duplicate: false,
    })
}
