//! The domain methods of [`Db`]: users and credentials, reports, entities and
//! subjects, accounts and transactions, lists, alerts, clearances, cases,
//! freezes and disseminations. Every method is one or a few statements; the
//! caller's transaction decides what commits together.

use crate::sql::{params, OptionalExtension, Row};
use crate::{Db, Result, StoreError};
use nexus_model::explain::{Explanation, Phrase, PhraseKey};
use nexus_model::{
    AlertKind, AlertStatus, CaseRole, CaseStatus, ClearanceStatus, EntityKind, FreezeStatus,
    ReportStatus, Role, Typology,
};

/// A person who signs in to the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub institution: Option<i64>,
    pub disabled: bool,
    /// The language the user chose for the UI (`en`, `ru`; '' = the default).
    pub language: String,
}

/// An API token as the administrator sees it (its secret is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRow {
    pub id: i64,
    pub institution: i64,
    pub role: Role,
    pub label: String,
    pub created_at: i64,
    pub revoked: bool,
}

/// Who a bearer token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPrincipal {
    pub token_id: i64,
    pub institution: i64,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Institution {
    pub id: i64,
    pub name: String,
    pub country: String,
    /// The institution codes (BIC/SWIFT) whose accounts this reporting
    /// entity holds: the first part of its account keys (`BIC|number`).
    pub codes: Vec<String>,
}

/// A signed-in session: who, its CSRF token, and the purpose stated in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSession {
    pub user: User,
    pub csrf: String,
    /// The purpose stated for reading personal data ("" until stated).
    pub purpose: String,
    pub case_ref: String,
}

/// A report as received.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub id: i64,
    pub institution: i64,
    pub entity_reference: String,
    pub report_code: String,
    pub status: ReportStatus,
    /// The FIU's answer in English (the API's).
    pub message: String,
    /// The same as a phrase, for the UI's languages (`None` before
    /// answers were kept as phrases).
    pub message_phrase: Option<Phrase>,
    pub received_at: i64,
    pub submitted_at: Option<i64>,
    pub reason: String,
    pub sha256: String,
    pub size: i64,
}

/// A new report to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport<'a> {
    pub institution: i64,
    pub entity_reference: &'a str,
    pub report_code: &'a str,
    pub status: ReportStatus,
    pub message: &'a str,
    pub submitted_at: Option<i64>,
    pub reason: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemRow {
    pub path: String,
    pub line: i64,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub id: i64,
    pub author: String,
    pub at: i64,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRow {
    pub id: i64,
    pub kind: EntityKind,
    pub name: String,
    pub birth_date: Option<String>,
    pub countries: String,
    pub created_at: i64,
}

/// A subject as one report names it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubjectRow {
    pub id: i64,
    pub report_id: i64,
    pub entity_id: i64,
    pub kind: String,
    pub name: String,
    pub birth_date: Option<String>,
    pub countries: String,
    /// `kind:number` pairs separated by `;`.
    pub identifiers: String,
    pub role: String,
    pub account: Option<String>,
    pub my_client: bool,
    /// Why this subject was attached to its entity.
    pub evidence: String,
    pub path: String,
    pub line: i64,
    /// The places of the subject's addresses as JSON (see
    /// `nexus_fiu::areas`), or empty.
    pub places: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRow {
    pub id: i64,
    pub report_id: Option<i64>,
    pub reference: String,
    pub at: i64,
    pub amount_minor: i64,
    pub currency: String,
    pub from_account: Option<String>,
    pub to_account: Option<String>,
    pub from_entity: Option<i64>,
    pub to_entity: Option<i64>,
    pub channel: String,
    pub description: String,
    /// The reporting entity whose batch carried it.
    pub source_institution: Option<i64>,
}

/// The prefix of the account key that stands for a party when a report
/// named no account (`entity:7`).
pub const PARTY_ACCOUNT: &str = "entity:";

/// A side of a stored payment that names no real account: none, or a
/// party's stand-in.
fn stands_in(side: &(Option<i64>, Option<String>)) -> bool {
    side.0.is_none()
        || side
            .1
            .as_deref()
            .is_some_and(|k| k.starts_with(PARTY_ACCOUNT))
}

/// A stored transaction as [`Db::same_payment`] compares it.
struct StoredPayment {
    id: i64,
    /// Account id and key of each side.
    from: (Option<i64>, Option<String>),
    to: (Option<i64>, Option<String>),
    from_entity: Option<i64>,
    to_entity: Option<i64>,
    report_id: Option<i64>,
    source_institution: Option<i64>,
}

/// A new transaction; accounts by key (`institution|number`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransaction<'a> {
    pub report_id: Option<i64>,
    pub reference: &'a str,
    pub at: i64,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub from_account: Option<i64>,
    pub to_account: Option<i64>,
    pub from_entity: Option<i64>,
    pub to_entity: Option<i64>,
    pub channel: &'a str,
    pub description: &'a str,
    /// The reporting entity whose batch carried it (none for reports, whose
    /// `report_id` says where they came from, and for bulk loads by the FIU).
    pub source_institution: Option<i64>,
}

/// A transfer between two known accounts, for the detection engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: i64,
    pub at: i64,
    pub amount_minor: i64,
    /// ISO 4217 letters.
    pub currency: [u8; 3],
    pub from_account: i64,
    pub to_account: i64,
    /// As stored (the graph decides which channels are transfers).
    pub channel: String,
}

/// An analyst's decision on a typology or model alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Disposition {
    pub alert_id: i64,
    pub typology: Typology,
    /// Escalated or taken into a case (true), dismissed (false).
    pub confirmed: bool,
    /// Store ids, `;`-separated.
    pub transactions: String,
}

/// A transaction with its accounts' keys (streaming detection's replay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedTransfer {
    pub id: i64,
    pub at: i64,
    pub amount_minor: i64,
    pub currency: [u8; 3],
    pub channel: String,
    pub from_key: String,
    pub to_key: String,
}

/// An account as detection labels it: its key, its holder's entity and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLabel {
    pub id: i64,
    pub key: String,
    pub holder: Option<i64>,
    pub holder_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub id: i64,
    pub name: String,
    pub format: String,
    pub generated: String,
    pub loaded_at: i64,
    pub entries: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    pub id: i64,
    pub kind: AlertKind,
    pub typology: Typology,
    pub score: f64,
    pub entity_id: Option<i64>,
    pub entity_name: Option<String>,
    pub accounts: String,
    pub transactions: String,
    pub first_at: Option<i64>,
    pub last_at: Option<i64>,
    pub total_minor: i64,
    /// The explanation in English (the API's, the command line's).
    pub explanation: String,
    /// The same as phrases, for the UI to write in the reader's language
    /// (`None` for alerts stored before phrases were kept).
    pub phrases: Option<Explanation>,
    pub list_name: Option<String>,
    pub list_entry: Option<String>,
    pub list_version: Option<String>,
    pub status: AlertStatus,
    pub assignee: Option<i64>,
    pub reason: String,
    pub case_id: Option<i64>,
    pub created_at: i64,
    /// The detection model's probability, when a model ranked the alert.
    pub probability: Option<f64>,
    /// Under the model's threshold: kept below the fold, not in the open queue.
    pub suppressed: bool,
    /// When detection last extended the alert (its episode grew).
    pub updated_at: Option<i64>,
}

/// What [`Db::upsert_episode_alert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpisodeOutcome {
    Raised(i64),
    Extended(i64),
    Unchanged,
}

/// A detection model kept by the service.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRow {
    pub id: i64,
    pub name: String,
    pub sha256: String,
    pub metrics: String,
    pub trained_on: String,
    pub created_at: i64,
    pub created_by: String,
    pub activated_at: Option<i64>,
    pub activated_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub kind: AlertKind,
    pub typology: Typology,
    pub score: f64,
    pub entity_id: Option<i64>,
    pub accounts: String,
    pub transactions: String,
    pub first_at: Option<i64>,
    pub last_at: Option<i64>,
    pub total_minor: i64,
    /// What the alert is, as phrases (stored in English and as phrases).
    pub explanation: Explanation,
    pub list_name: Option<String>,
    pub list_entry: Option<String>,
    pub list_version: Option<String>,
    /// Raising the same finding twice is a no-op.
    pub dedup_key: String,
    pub probability: Option<f64>,
    pub suppressed: bool,
    /// `typology:focal account`: one open alert per episode, which
    /// [`Db::upsert_episode_alert`] extends as the pattern grows.
    pub episode: Option<String>,
    pub model_id: Option<i64>,
}

impl NewAlert {
    /// An alert of `kind` and `typology`, the rest to fill in.
    pub fn new(kind: AlertKind, typology: Typology) -> NewAlert {
        NewAlert {
            kind,
            typology,
            score: 0.0,
            entity_id: None,
            accounts: String::new(),
            transactions: String::new(),
            first_at: None,
            last_at: None,
            total_minor: 0,
            explanation: Explanation::default(),
            list_name: None,
            list_entry: None,
            list_version: None,
            dedup_key: String::new(),
            probability: None,
            suppressed: false,
            episode: None,
            model_id: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearanceRow {
    pub id: i64,
    pub entity_id: i64,
    pub list_name: String,
    pub list_entry: String,
    pub list_version: String,
    pub justification: String,
    pub requested_by: i64,
    pub approved_by: Option<i64>,
    pub status: ClearanceStatus,
    pub at: i64,
    /// The screening alert the request was made on.
    pub alert_id: Option<i64>,
    /// When a supervisor decided, and the reasons given.
    pub decided_at: Option<i64>,
    pub comment: String,
    /// Names, for the redress page: the entity, the requester, the decider.
    pub entity_name: String,
    pub requested_by_name: String,
    pub approved_by_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub status: CaseStatus,
    pub created_by: i64,
    pub created_at: i64,
    pub summary: String,
    /// The analyst the case is assigned to, and their user name.
    pub assignee: Option<i64>,
    pub assignee_name: Option<String>,
    /// When the case was closed, and the supervisor's reason.
    pub closed_at: Option<i64>,
    pub closing: String,
}

/// What the message board lists: a report's receipt (the FIU's automatic
/// answer on intake), a message written on a report, or a free message
/// between the FIU and a reporting entity.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardItem {
    /// The report it is about (none for a free message).
    pub report_id: Option<i64>,
    /// The report's reference, or the free message's subject.
    pub reference: String,
    pub institution: i64,
    pub kind: BoardKind,
    /// The item's id within its kind (report, report message, free message).
    pub item: i64,
    /// '' for a receipt.
    pub author: String,
    pub at: i64,
    /// The receipt's status, or '' for a message.
    pub status: String,
    pub body: String,
    /// A receipt's answer as a phrase (the UI's languages).
    pub phrase: Option<Phrase>,
    /// A free message's attachments.
    pub attachments: Vec<AttachmentRow>,
}

/// What a message board item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardKind {
    Receipt,
    OnReport,
    Free,
}

impl BoardKind {
    pub const ALL: &'static [BoardKind] =
        &[BoardKind::Receipt, BoardKind::OnReport, BoardKind::Free];

    /// The stored spelling (the archive's `kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            BoardKind::Receipt => "receipt",
            BoardKind::OnReport => "report",
            BoardKind::Free => "free",
        }
    }

    pub fn parse(text: &str) -> Option<BoardKind> {
        BoardKind::ALL.iter().copied().find(|k| k.as_str() == text)
    }
}

/// Which of a user's board items: the inbox, or what they archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardFolder {
    Inbox,
    Archive,
}

/// A file attached to a free message (without its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    pub id: i64,
    pub message_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// A web report not yet filed (or filed and failed): the form's fields as
/// JSON, by the bank's reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRow {
    pub id: i64,
    pub institution: i64,
    pub reference: String,
    pub fields: String,
    pub updated_by: String,
    pub updated_at: i64,
}

/// Which cases a list shows.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only cases in this status.
    pub status: Option<CaseStatus>,
    /// Leave closed cases out (the default list: the work in hand).
    pub hide_closed: bool,
    /// Only cases assigned to this user.
    pub assignee: Option<i64>,
    /// Reference or title contains (case-insensitive).
    pub text: String,
}

/// A document in a case file (its content is read separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: i64,
    pub case_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub at: i64,
}

/// An account put into a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAccountRow {
    pub id: i64,
    /// `BIC|number`, as the UI shows it.
    pub key: String,
    /// The holder's name as the bank gave it ('' when it gave none).
    pub name: String,
    /// The holder, when resolved to an entity.
    pub entity_id: Option<i64>,
    pub entity_name: Option<String>,
    pub role: CaseRole,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeRow {
    pub id: i64,
    pub case_id: i64,
    /// The party frozen, when known; else the account.
    pub entity_id: Option<i64>,
    pub account_id: Option<i64>,
    /// The party's name, or the account's key with its holder's name.
    pub entity_name: String,
    pub assets: String,
    pub legal_basis: String,
    pub issued_on: String,
    pub expires_on: String,
    pub status: FreezeStatus,
    pub outcome: String,
    /// Who ordered (proposed) it: user id and name.
    pub created_by_id: i64,
    pub created_by: String,
    pub created_at: i64,
    /// The supervisor who approved or rejected it, when, and why.
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisseminationRow {
    pub id: i64,
    pub case_id: i64,
    pub agency: String,
    pub legal_basis: String,
    pub package: String,
    pub created_by: i64,
    pub created_at: i64,
}

/// Counts for the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub reports: i64,
    pub entities: i64,
    pub transactions: i64,
    pub open_alerts: i64,
    pub open_cases: i64,
    pub audit_records: i64,
}

fn institution_from_row(r: &Row) -> crate::Result<Institution> {
    let codes: String = r.get(3)?;
    Ok(Institution {
        id: r.get(0)?,
        name: r.get(1)?,
        country: r.get(2)?,
        codes: codes
            .split(';')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

fn user_from_row(r: &Row) -> crate::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        password_hash: r.get(2)?,
        role: r.get(3)?,
        institution: r.get(4)?,
        disabled: r.get::<i64>(5)? != 0,
        language: r.get(6)?,
    })
}

const USER_COLUMNS: &str = "id, username, password_hash, role, institution, disabled, language";
const REPORT_COLUMNS: &str =
    "id, institution, entity_reference, report_code, status, message, received_at, submitted_at, reason, sha256, size, message_phrase";
const SUBJECT_COLUMNS: &str =
    "id, report_id, entity_id, kind, name, birth_date, countries, identifiers, role, account, my_client, evidence, path, line, places";
const TRANSACTION_COLUMNS: &str = "t.id, t.report_id, t.reference, t.at, t.amount_minor, t.currency, fa.key, ta.key, t.from_entity, t.to_entity, t.channel, t.description, t.source_institution";
/// A stored currency as its three code letters (`X` for what is missing).
fn currency_code(text: &str) -> [u8; 3] {
    let b = text.as_bytes();
    [
        *b.first().unwrap_or(&b'X'),
        *b.get(1).unwrap_or(&b'X'),
        *b.get(2).unwrap_or(&b'X'),
    ]
}

/// The condition of the queue's status filter (`?1` is the status).
fn alert_filter(status: &str) -> &'static str {
    match status {
        "open" => "a.is_open = 1",
        "all" => "1 = 1",
        "suppressed" => "a.suppressed = 1 AND a.status = 'new'",
        _ => "a.status = ?1 AND a.suppressed = 0",
    }
}

const ALERT_COLUMNS: &str = "a.id, a.kind, a.typology, a.score, a.entity_id, e.name, a.accounts, a.transactions, a.first_at, a.last_at, a.total_minor, a.explanation, a.list_name, a.list_entry, a.list_version, a.status, a.assignee, a.reason, a.case_id, a.created_at, a.probability, a.suppressed, a.updated_at, a.explanation_phrases";

fn report_from_row(r: &Row) -> crate::Result<ReportRow> {
    Ok(ReportRow {
        id: r.get(0)?,
        institution: r.get(1)?,
        entity_reference: r.get(2)?,
        report_code: r.get(3)?,
        status: r.get(4)?,
        message: r.get(5)?,
        received_at: r.get(6)?,
        submitted_at: r.get(7)?,
        reason: r.get(8)?,
        sha256: r.get(9)?,
        size: r.get(10)?,
        message_phrase: r
            .get::<Option<String>>(11)?
            .and_then(|json| serde_json::from_str(&json).ok()),
    })
}

fn subject_from_row(r: &Row) -> crate::Result<SubjectRow> {
    Ok(SubjectRow {
        id: r.get(0)?,
        report_id: r.get(1)?,
        entity_id: r.get(2)?,
        kind: r.get(3)?,
        name: r.get(4)?,
        birth_date: r.get(5)?,
        countries: r.get(6)?,
        identifiers: r.get(7)?,
        role: r.get(8)?,
        account: r.get(9)?,
        my_client: r.get::<i64>(10)? != 0,
        evidence: r.get(11)?,
        path: r.get(12)?,
        line: r.get(13)?,
        places: r.get(14)?,
    })
}

fn transaction_from_row(r: &Row) -> crate::Result<TransactionRow> {
    Ok(TransactionRow {
        id: r.get(0)?,
        report_id: r.get(1)?,
        reference: r.get(2)?,
        at: r.get(3)?,
        amount_minor: r.get(4)?,
        currency: r.get(5)?,
        from_account: r.get(6)?,
        to_account: r.get(7)?,
        from_entity: r.get(8)?,
        to_entity: r.get(9)?,
        channel: r.get(10)?,
        description: r.get(11)?,
        source_institution: r.get(12)?,
    })
}

/// An explanation as the alerts table keeps it: in English, and as
/// phrases in JSON for the UI's other languages.
fn explanation_columns(e: &Explanation) -> (String, Option<String>) {
    (e.to_string(), serde_json::to_string(e).ok())
}

fn alert_from_row(r: &Row) -> crate::Result<AlertRow> {
    Ok(AlertRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        typology: r.get(2)?,
        score: r.get(3)?,
        entity_id: r.get(4)?,
        entity_name: r.get(5)?,
        accounts: r.get(6)?,
        transactions: r.get(7)?,
        first_at: r.get(8)?,
        last_at: r.get(9)?,
        total_minor: r.get(10)?,
        explanation: r.get(11)?,
        list_name: r.get(12)?,
        list_entry: r.get(13)?,
        list_version: r.get(14)?,
        status: r.get(15)?,
        assignee: r.get(16)?,
        reason: r.get(17)?,
        case_id: r.get(18)?,
        created_at: r.get(19)?,
        probability: r.get(20)?,
        suppressed: r.get::<i64>(21)? != 0,
        updated_at: r.get(22)?,
        phrases: r
            .get::<Option<String>>(23)?
            .and_then(|json| serde_json::from_str(&json).ok()),
    })
}

fn message_from_row(r: &Row) -> crate::Result<MessageRow> {
    Ok(MessageRow {
        id: r.get(0)?,
        author: r.get(1)?,
        at: r.get(2)?,
        body: r.get(3)?,
    })
}

/// The columns [`case_from_row`] reads, from [`CASE_FROM`].
const CASE_COLUMNS: &str =
    "c.id, c.reference, c.title, c.status, c.created_by, c.created_at, c.summary, \
     c.assignee, u.username, c.closed_at, c.closing";
/// `cases c` joined to its assignee `u`.
const CASE_FROM: &str = "cases c LEFT JOIN users u ON u.id = c.assignee";

fn case_from_row(r: &Row) -> crate::Result<CaseRow> {
    Ok(CaseRow {
        id: r.get(0)?,
        reference: r.get(1)?,
        title: r.get(2)?,
        status: r.get(3)?,
        created_by: r.get(4)?,
        created_at: r.get(5)?,
        summary: r.get(6)?,
        assignee: r.get(7)?,
        assignee_name: r.get(8)?,
        closed_at: r.get(9)?,
        closing: r.get(10)?,
    })
}

/// The columns [`draft_from_row`] reads.
const DRAFT_COLUMNS: &str = "id, institution, reference, fields, updated_by, updated_at";

fn draft_from_row(r: &Row) -> crate::Result<DraftRow> {
    Ok(DraftRow {
        id: r.get(0)?,
        institution: r.get(1)?,
        reference: r.get(2)?,
        fields: r.get(3)?,
        updated_by: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

fn collect<T>(rows: impl Iterator<Item = crate::Result<T>>) -> Result<Vec<T>> {
    rows.collect::<crate::Result<Vec<T>>>()
}

fn is_unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Unique(_))
}

impl Db<'_> {
    // ---- institutions, users, sessions, tokens ----

    pub fn upsert_institution(&self, id: i64, name: &str, country: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO institutions(id, name, country) VALUES (?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, country = excluded.country",
            params![id, name, country],
        )?;
        Ok(())
    }

    /// Replaces the institution codes (BIC) of a reporting entity.
    pub fn set_institution_codes(&self, id: i64, codes: &[String]) -> Result<()> {
        self.conn.execute(
            "UPDATE institutions SET codes = ?2 WHERE id = ?1",
            params![id, codes.join(";")],
        )?;
        Ok(())
    }

    pub fn institution(&self, id: i64) -> Result<Option<Institution>> {
        self.conn
            .query_row(
                "SELECT id, name, country, codes FROM institutions WHERE id = ?1",
                [id],
                institution_from_row,
            )
            .optional()
    }

    pub fn institutions(&self) -> Result<Vec<Institution>> {
        let mut s = self
            .conn
            .prepare_cached("SELECT id, name, country, codes FROM institutions ORDER BY id")?;
        let rows = s.query_map(params![], institution_from_row)?;
        collect(rows)
    }

    pub fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        institution: Option<i64>,
    ) -> Result<i64> {
        // One user per name regardless of case: `Admin` is not a second `admin`.
        if self.user_by_name(username)?.is_some() {
            return Err(StoreError::Conflict(format!("user {username:?} exists")));
        }
        match self.conn.insert(
            "INSERT INTO users(username, password_hash, role, institution, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![username, password_hash, role, institution, crate::now()],
        ) {
            Ok(id) => Ok(id),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict(format!("user {username:?} exists"))),
            Err(e) => Err(e),
        }
    }

    pub fn set_password(&self, user_id: i64, password_hash: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            params![user_id, password_hash],
        )?;
        Ok(())
    }

    pub fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        self.conn
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE lower(username) = lower(?1)"),
                [username],
                user_from_row,
            )
            .optional()
    }

    /// Disables a user (their sessions end) or enables them again.
    pub fn set_user_disabled(&self, id: i64, disabled: bool) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE users SET disabled = ?2 WHERE id = ?1",
            params![id, i64::from(disabled)],
        )? > 0;
        if disabled {
            self.conn
                .execute("DELETE FROM sessions WHERE user_id = ?1", params![id])?;
        }
        Ok(changed)
    }

    /// Sets the language a user reads the UI in.
    pub fn set_user_language(&self, id: i64, language: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE users SET language = ?2 WHERE id = ?1",
            params![id, language],
        )?;
        Ok(())
    }

    pub fn user(&self, id: i64) -> Result<Option<User>> {
        self.conn
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
                [id],
                user_from_row,
            )
            .optional()
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let mut s = self
            .conn
            .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))?;
        let rows = s.query_map(params![], user_from_row)?;
        collect(rows)
    }

    pub fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        expires_at: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, user_id, csrf, crate::now(), expires_at],
        )?;
        Ok(())
    }

    /// A live session: its user, CSRF token and stated purpose.
    pub fn session(&self, token_hash: &str, now: i64) -> Result<Option<LoginSession>> {
        let cols = USER_COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        self
            .conn
            .query_row(
                &format!(
                    "SELECT {cols}, s.csrf, s.purpose, s.case_ref FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0"
                ),
                params![token_hash, now],
                |r| {
                    Ok(LoginSession {
                        user: user_from_row(r)?,
                        csrf: r.get(7)?,
                        purpose: r.get(8)?,
                        case_ref: r.get(9)?,
                    })
                },
            )
            .optional()
    }

    /// Records the purpose stated in a session (until sign-out or a new one).
    pub fn set_session_purpose(
        &self,
        token_hash: &str,
        purpose: &str,
        case_ref: &str,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE sessions SET purpose = ?2, case_ref = ?3 WHERE token_hash = ?1",
            params![token_hash, purpose, case_ref],
        )?;
        Ok(())
    }

    /// Ends every session of a user but one; how many ended.
    pub fn delete_other_sessions(&self, user_id: i64, keep_token_hash: &str) -> Result<usize> {
        self.conn.execute(
            "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2",
            params![user_id, keep_token_hash],
        )
    }

    pub fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }

    pub fn create_api_token(
        &self,
        token_hash: &str,
        institution: i64,
        role: Role,
        label: &str,
    ) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO api_tokens(token_hash, institution, role, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, institution, role, label, crate::now()],
        )
    }

    /// Every API token (never its secret: only its hash is stored), newest first.
    pub fn api_tokens(&self) -> Result<Vec<ApiTokenRow>> {
        let mut s = self.conn.prepare_cached(
            "SELECT id, institution, role, label, created_at, revoked FROM api_tokens ORDER BY id DESC",
        )?;
        let rows = s.query_map(params![], |r| {
            Ok(ApiTokenRow {
                id: r.get(0)?,
                institution: r.get(1)?,
                role: r.get(2)?,
                label: r.get(3)?,
                created_at: r.get(4)?,
                revoked: r.get::<i64>(5)? != 0,
            })
        })?;
        collect(rows)
    }

    /// Revokes an API token; whether there was such a live token.
    pub fn revoke_api_token(&self, id: i64) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE api_tokens SET revoked = 1 WHERE id = ?1 AND revoked = 0",
            params![id],
        )? > 0)
    }

    pub fn api_token(&self, token_hash: &str) -> Result<Option<TokenPrincipal>> {
        self
            .conn
            .query_row(
                "SELECT id, institution, role FROM api_tokens WHERE token_hash = ?1 AND revoked = 0",
                [token_hash],
                |r| {
                    Ok(TokenPrincipal {
                        token_id: r.get(0)?,
                        institution: r.get(1)?,
                        role: r.get(2)?,
                    })
                },
            )
            .optional()
    }

    // ---- reports ----

    pub fn report_by_reference(
        &self,
        institution: i64,
        entity_reference: &str,
    ) -> Result<Option<ReportRow>> {
        self
            .conn
            .query_row(
                &format!("SELECT {REPORT_COLUMNS} FROM reports WHERE institution = ?1 AND entity_reference = ?2"),
                params![institution, entity_reference],
                report_from_row,
            )
            .optional()
    }

    pub fn report(&self, id: i64) -> Result<Option<ReportRow>> {
        self.conn
            .query_row(
                &format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = ?1"),
                [id],
                report_from_row,
            )
            .optional()
    }

    pub fn report_content(&self, id: i64) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row("SELECT content FROM reports WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
    }

    /// Reports, newest first; only one institution's when given.
    /// Reports of one institution (or all), newest first, filtered by
    /// status (`""` for any) and by a part of the reporting entity's
    /// reference (`""` for any); with the total the filters match.
    pub fn find_reports(
        &self,
        institution: Option<i64>,
        status: &str,
        reference: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<ReportRow>, i64)> {
        // Only the filters asked for are in the statement, so that the
        // count and the page read indexes, never the reports' content.
        let like = format!("%{reference}%");
        let mut conditions = vec!["CAST(?1 AS BIGINT) IS NOT NULL OR ?1 IS NULL".to_string()];
        if institution.is_some() {
            conditions.push("institution = ?1".into());
        }
        if !status.is_empty() {
            conditions.push("status = ?2".into());
        } else {
            conditions.push("?2 = ''".into());
        }
        if !reference.is_empty() {
            conditions.push("lower(entity_reference) LIKE lower(?3)".into());
        } else {
            conditions.push("?3 = '%%'".into());
        }
        let filter = conditions
            .iter()
            .map(|c| format!("({c})"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let total = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM reports WHERE {filter}"),
            params![institution, status, like],
            |r| r.get(0),
        )?;
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {REPORT_COLUMNS} FROM reports WHERE {filter} ORDER BY id DESC LIMIT ?4 OFFSET ?5"
        ))?;
        let rows = s.query_map(
            params![institution, status, like, limit, offset],
            report_from_row,
        )?;
        Ok((collect(rows)?, total))
    }

    pub fn reports(
        &self,
        institution: Option<i64>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ReportRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {REPORT_COLUMNS} FROM reports WHERE CAST(?1 AS BIGINT) IS NULL OR institution = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3"
        ))?;
        let rows = s.query_map(params![institution, limit, offset], report_from_row)?;
        collect(rows)
    }

    pub fn insert_report(&self, r: &NewReport) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO reports(institution, entity_reference, report_code, status, message, received_at, submitted_at, reason, sha256, size, content)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                r.institution,
                r.entity_reference,
                r.report_code,
                r.status,
                r.message,
                crate::now(),
                r.submitted_at,
                r.reason,
                r.sha256,
                r.content.len() as i64,
                r.content
            ],
        )
    }

    /// Replaces a report that failed validation or was rejected by a new
    /// version under the same reference (problems and messages are kept).
    pub fn replace_report(&self, id: i64, r: &NewReport) -> Result<()> {
        self.conn.execute(
            "UPDATE reports SET report_code = ?2, status = ?3, message = ?4, received_at = ?5, submitted_at = ?6, reason = ?7, sha256 = ?8, size = ?9, content = ?10 WHERE id = ?1",
            params![id, r.report_code, r.status, r.message, crate::now(), r.submitted_at, r.reason, r.sha256, r.content.len() as i64, r.content],
        )?;
        self.conn
            .execute("DELETE FROM report_problems WHERE report_id = ?1", [id])?;
        Ok(())
    }

    /// A report's status and the FIU's answer (in English and as a phrase).
    pub fn set_report_status(
        &self,
        id: i64,
        status: ReportStatus,
        message: Option<&Phrase>,
    ) -> Result<()> {
        let english = message.map(Phrase::to_string).unwrap_or_default();
        let phrase = message.and_then(|m| serde_json::to_string(m).ok());
        self.conn.execute(
            "UPDATE reports SET status = ?2, message = ?3, message_phrase = ?4 WHERE id = ?1",
            params![id, status, english, phrase],
        )?;
        Ok(())
    }

    pub fn add_problem(&self, report_id: i64, path: &str, line: i64, message: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO report_problems(report_id, path, line, message) VALUES (?1, ?2, ?3, ?4)",
            params![report_id, path, line, message],
        )?;
        Ok(())
    }

    pub fn report_problems(&self, report_id: i64) -> Result<Vec<ProblemRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT path, line, message FROM report_problems WHERE report_id = ?1 ORDER BY {}",
            self.conn.dialect().insertion_order()
        ))?;
        let rows = s.query_map([report_id], |r| {
            Ok(ProblemRow {
                path: r.get(0)?,
                line: r.get(1)?,
                message: r.get(2)?,
            })
        })?;
        collect(rows)
    }

    /// Saves a web report draft under its reference (replacing the earlier
    /// draft of that reference); its id.
    pub fn save_draft(
        &self,
        institution: i64,
        reference: &str,
        fields: &str,
        by: &str,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO report_drafts(institution, reference, fields, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (institution, reference) DO UPDATE SET fields = excluded.fields, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            params![institution, reference, fields, by, crate::now()],
        )?;
        self.conn.query_row(
            "SELECT id FROM report_drafts WHERE institution = ?1 AND reference = ?2",
            params![institution, reference],
            |r| r.get(0),
        )
    }

    /// An institution's drafts, latest first.
    pub fn drafts(&self, institution: i64) -> Result<Vec<DraftRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {DRAFT_COLUMNS} FROM report_drafts \
             WHERE institution = ?1 ORDER BY updated_at DESC, id DESC LIMIT 200"
        ))?;
        let rows = s.query_map([institution], draft_from_row)?;
        collect(rows)
    }

    /// One of an institution's drafts (another's answers like a missing one).
    pub fn draft(&self, institution: i64, id: i64) -> Result<Option<DraftRow>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {DRAFT_COLUMNS} FROM report_drafts \
                 WHERE institution = ?1 AND id = ?2"
                ),
                params![institution, id],
                draft_from_row,
            )
            .optional()
    }

    /// The draft an institution keeps for a reference.
    pub fn draft_by_reference(
        &self,
        institution: i64,
        reference: &str,
    ) -> Result<Option<DraftRow>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {DRAFT_COLUMNS} FROM report_drafts \
                 WHERE institution = ?1 AND reference = ?2"
                ),
                params![institution, reference],
                draft_from_row,
            )
            .optional()
    }

    /// Drops the draft of a reference (its report was filed and processed).
    pub fn delete_draft(&self, institution: i64, reference: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM report_drafts WHERE institution = ?1 AND reference = ?2",
            params![institution, reference],
        )?;
        Ok(())
    }

    /// One page of the message board, newest first, and how many items it
    /// holds: for a reporting entity (`institution`) its reports' receipts,
    /// the messages on its reports and the free messages between it and the
    /// FIU; for the FIU (`None`) the messages on every report and every free
    /// message. `text` filters by the body, the report's reference or the
    /// subject.
    #[allow(clippy::too_many_arguments)]
    pub fn message_board(
        &self,
        institution: Option<i64>,
        user_id: i64,
        folder: BoardFolder,
        text: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<BoardItem>, i64)> {
        let like = format!("%{}%", text.to_lowercase());
        let receipts = "SELECT r.id AS report_id, r.entity_reference AS reference, r.institution AS institution, \
             'receipt' AS kind, r.id AS item, '' AS author, r.received_at AS at, r.status AS status, r.message AS body, \
             r.message_phrase AS phrase FROM reports r WHERE r.institution = ?1";
        let on_reports = "SELECT r.id AS report_id, r.entity_reference AS reference, r.institution AS institution, \
             'report' AS kind, m.id AS item, m.author AS author, m.at AS at, '' AS status, m.body AS body, \
             CAST(NULL AS TEXT) AS phrase FROM report_messages m JOIN reports r ON r.id = m.report_id";
        let free = "SELECT CAST(NULL AS BIGINT) AS report_id, f.subject AS reference, f.institution AS institution, \
             'free' AS kind, f.id AS item, f.author AS author, f.at AS at, '' AS status, f.body AS body, \
             CAST(NULL AS TEXT) AS phrase FROM board_messages f";
        let union = if institution.is_some() {
            format!("{receipts} UNION ALL {on_reports} WHERE r.institution = ?1 UNION ALL {free} WHERE f.institution = ?1")
        } else {
            format!("{on_reports} WHERE CAST(?1 AS BIGINT) IS NULL UNION ALL {free}")
        };
        let archived = "EXISTS (SELECT 1 FROM board_archive x WHERE x.user_id = ?5 AND x.kind = b.kind AND x.item = b.item)";
        let filter = format!(
            "(?2 = '%%' OR lower(b.body) LIKE ?2 OR lower(b.reference) LIKE ?2) AND {}{archived}",
            match folder {
                BoardFolder::Inbox => "NOT ",
                BoardFolder::Archive => "",
            }
        );
        // The count binds the page's parameters too (one parameter list);
        // PostgreSQL needs a type for each, hence the casts.
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM ({union}) b WHERE {filter} AND CAST(?3 AS BIGINT) IS NOT NULL AND CAST(?4 AS BIGINT) IS NOT NULL"),
            params![institution, like, limit, offset, user_id],
            |r| r.get(0),
        )?;
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT b.report_id, b.reference, b.institution, b.kind, b.author, b.at, b.status, b.body, b.item, b.phrase \
             FROM ({union}) b WHERE {filter} ORDER BY b.at DESC, b.item DESC LIMIT ?3 OFFSET ?4"
        ))?;
        let rows = s.query_map(params![institution, like, limit, offset, user_id], |r| {
            let kind: String = r.get(3)?;
            Ok(BoardItem {
                report_id: r.get(0)?,
                reference: r.get(1)?,
                institution: r.get(2)?,
                kind: BoardKind::parse(&kind).unwrap_or(BoardKind::Free),
                author: r.get(4)?,
                at: r.get(5)?,
                status: r.get(6)?,
                body: r.get(7)?,
                item: r.get(8)?,
                phrase: r
                    .get::<Option<String>>(9)?
                    .and_then(|json| serde_json::from_str(&json).ok()),
                attachments: Vec::new(),
            })
        })?;
        let mut items = collect(rows)?;
        let free: Vec<i64> = items
            .iter()
            .filter(|i| i.kind == BoardKind::Free)
            .map(|i| i.item)
            .collect();
        if !free.is_empty() {
            let mut attachments = self.board_attachments(&free)?;
            for item in items.iter_mut().filter(|i| i.kind == BoardKind::Free) {
                item.attachments = attachments.remove(&item.item).unwrap_or_default();
            }
        }
        Ok((items, total))
    }

    /// Moves a board item into the user's archive (`true`) or back to the
    /// inbox.
    pub fn archive_board_item(
        &self,
        user_id: i64,
        kind: BoardKind,
        item: i64,
        archived: bool,
    ) -> Result<()> {
        if archived {
            self.conn.execute(
                "INSERT INTO board_archive(user_id, kind, item, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                params![user_id, kind.as_str(), item, crate::now()],
            )?;
        } else {
            self.conn.execute(
                "DELETE FROM board_archive WHERE user_id = ?1 AND kind = ?2 AND item = ?3",
                params![user_id, kind.as_str(), item],
            )?;
        }
        Ok(())
    }

    /// The attachments of free messages, by message.
    pub fn board_attachments(
        &self,
        messages: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<AttachmentRow>>> {
        let mut out: std::collections::HashMap<i64, Vec<AttachmentRow>> =
            std::collections::HashMap::new();
        let mut s = self.conn.prepare_cached(
            "SELECT id, message_id, name, content_type, size, sha256 FROM board_attachments WHERE message_id = ?1 ORDER BY id",
        )?;
        for &m in messages {
            let rows = s.query_map([m], |r| {
                Ok(AttachmentRow {
                    id: r.get(0)?,
                    message_id: r.get(1)?,
                    name: r.get(2)?,
                    content_type: r.get(3)?,
                    size: r.get(4)?,
                    sha256: r.get(5)?,
                })
            })?;
            out.insert(m, collect(rows)?);
        }
        Ok(out)
    }

    /// Attaches a file to a free message; its id.
    pub fn add_board_attachment(
        &self,
        message_id: i64,
        name: &str,
        content_type: &str,
        sha256: &str,
        content: &[u8],
    ) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO board_attachments(message_id, name, content_type, size, sha256, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![message_id, name, content_type, content.len() as i64, sha256, content],
        )
    }

    /// An attachment with its content, and the institution of the message
    /// it belongs to (who may read it).
    pub fn board_attachment(&self, id: i64) -> Result<Option<(AttachmentRow, i64, Vec<u8>)>> {
        self.conn
            .query_row(
                "SELECT a.id, a.message_id, a.name, a.content_type, a.size, a.sha256, m.institution, a.content
                 FROM board_attachments a JOIN board_messages m ON m.id = a.message_id WHERE a.id = ?1",
                [id],
                |r| {
                    Ok((
                        AttachmentRow {
                            id: r.get(0)?,
                            message_id: r.get(1)?,
                            name: r.get(2)?,
                            content_type: r.get(3)?,
                            size: r.get(4)?,
                            sha256: r.get(5)?,
                        },
                        r.get(6)?,
                        r.get(7)?,
                    ))
                },
            )
            .optional()
    }

    /// Writes a free message between the FIU and a reporting entity; its id.
    pub fn add_board_message(
        &self,
        institution: i64,
        author: &str,
        subject: &str,
        body: &str,
    ) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO board_messages(institution, author, at, subject, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![institution, author, crate::now(), subject, body],
        )
    }

    /// When a user last read the message board (0: never).
    pub fn message_seen_at(&self, user_id: i64) -> Result<i64> {
        Ok(self
            .conn
            .query_row(
                "SELECT seen_at FROM message_marks WHERE user_id = ?1",
                [user_id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// How many board items newer than the user's last visit were written
    /// by the other side (`from_fiu`: messages by the FIU and receipts, for
    /// a reporting entity; else messages by reporting entities).
    pub fn unread_messages(&self, user_id: i64, institution: Option<i64>) -> Result<i64> {
        let seen = self.message_seen_at(user_id)?;
        match institution {
            Some(i) => {
                let receipts: i64 = self.conn.query_row(
                    "SELECT COUNT(*) FROM reports WHERE institution = ?1 AND received_at > ?2",
                    params![i, seen],
                    |r| r.get(0),
                )?;
                let messages: i64 = self.conn.query_row(
                    "SELECT COUNT(*) FROM report_messages m JOIN reports r ON r.id = m.report_id \
                     WHERE r.institution = ?1 AND m.at > ?2 AND m.author LIKE '%(FIU)'",
                    params![i, seen],
                    |r| r.get(0),
                )?;
                let free: i64 = self.conn.query_row(
                    "SELECT COUNT(*) FROM board_messages WHERE institution = ?1 AND at > ?2 AND author LIKE '%(FIU)'",
                    params![i, seen],
                    |r| r.get(0),
                )?;
                Ok(receipts + messages + free)
            }
            None => {
                let on_reports: i64 = self.conn.query_row(
                    "SELECT COUNT(*) FROM report_messages WHERE at > ?1 AND author NOT LIKE '%(FIU)'",
                    params![seen],
                    |r| r.get(0),
                )?;
                let free: i64 = self.conn.query_row(
                    "SELECT COUNT(*) FROM board_messages WHERE at > ?1 AND author NOT LIKE '%(FIU)'",
                    params![seen],
                    |r| r.get(0),
                )?;
                Ok(on_reports + free)
            }
        }
    }

    /// Records that a user has read the board up to now.
    pub fn mark_messages_seen(&self, user_id: i64, at: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO message_marks(user_id, seen_at) VALUES (?1, ?2) \
             ON CONFLICT (user_id) DO UPDATE SET seen_at = excluded.seen_at",
            params![user_id, at],
        )?;
        Ok(())
    }

    pub fn add_report_message(&self, report_id: i64, author: &str, body: &str) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO report_messages(report_id, author, at, body) VALUES (?1, ?2, ?3, ?4)",
            params![report_id, author, crate::now(), body],
        )
    }

    pub fn report_messages(&self, report_id: i64) -> Result<Vec<MessageRow>> {
        let mut s = self.conn.prepare_cached(
            "SELECT id, author, at, body FROM report_messages WHERE report_id = ?1 ORDER BY id",
        )?;
        let rows = s.query_map([report_id], message_from_row)?;
        collect(rows)
    }

    // ---- entities, subjects, accounts, transactions ----

    /// Entities filed under any of `keys`.
    pub fn entities_with_keys(&self, keys: &[String]) -> Result<Vec<i64>> {
        let mut s = self
            .conn
            .prepare_cached("SELECT entity_id FROM entity_keys WHERE key = ?1 LIMIT 200")?;
        let mut out = Vec::new();
        for k in keys {
            for id in s.query_map([k], |r| r.get::<i64>(0))? {
                out.push(id?);
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    pub fn create_entity(
        &self,
        kind: EntityKind,
        name: &str,
        birth_date: Option<&str>,
        countries: &str,
    ) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO entities(kind, name, birth_date, countries, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![kind, name, birth_date, countries, crate::now()],
        )
    }

    /// Fills in what an entity lacked (a birth date, more countries).
    pub fn enrich_entity(&self, id: i64, birth_date: Option<&str>, countries: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE entities SET birth_date = COALESCE(birth_date, ?2),
                 countries = CASE WHEN countries = '' THEN ?3 ELSE countries END WHERE id = ?1",
            params![id, birth_date, countries],
        )?;
        Ok(())
    }

    pub fn add_entity_keys(&self, entity_id: i64, keys: &[String]) -> Result<()> {
        let mut s = self.conn.prepare_cached(
            "INSERT INTO entity_keys(key, entity_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        )?;
        for k in keys {
            s.execute(params![k, entity_id])?;
        }
        Ok(())
    }

    pub fn entity(&self, id: i64) -> Result<Option<EntityRow>> {
        self
            .conn
            .query_row(
                "SELECT id, kind, name, birth_date, countries, created_at FROM entities WHERE id = ?1",
                [id],
                entity_from_row,
            )
            .optional()
    }

    /// Entities whose name or any reported name contains `text` (case-insensitive for ASCII).
    pub fn search_entities(&self, text: &str, limit: i64) -> Result<Vec<EntityRow>> {
        let like = format!("%{text}%");
        let mut s = self.conn.prepare_cached(
            "SELECT id, kind, name, birth_date, countries, created_at FROM entities WHERE id IN (
               SELECT id FROM entities WHERE lower(name) LIKE lower(?1) UNION SELECT entity_id FROM subjects WHERE lower(name) LIKE lower(?1))
             ORDER BY id LIMIT ?2",
        )?;
        let rows = s.query_map(params![like, limit], entity_from_row)?;
        collect(rows)
    }

    /// Accounts whose key (`BIC|number`) or holder name as reported
    /// contains `text`, with their resolved holders.
    pub fn search_accounts(&self, text: &str, limit: i64) -> Result<Vec<CaseAccountRow>> {
        let like = format!("%{text}%");
        let mut s = self.conn.prepare_cached(
            "SELECT a.id, a.key, a.name, a.entity_id, e.name FROM accounts a LEFT JOIN entities e ON e.id = a.entity_id
             WHERE a.key NOT LIKE 'entity:%' AND (lower(a.key) LIKE lower(?1) OR lower(a.name) LIKE lower(?1)) ORDER BY a.key LIMIT ?2",
        )?;
        let rows = s.query_map(params![like, limit], |r| {
            Ok(CaseAccountRow {
                id: r.get(0)?,
                key: r.get(1)?,
                name: r.get(2)?,
                entity_id: r.get(3)?,
                entity_name: r.get(4)?,
                role: CaseRole::Counterparty,
            })
        })?;
        collect(rows)
    }

    /// Reports whose reporting entity's reference contains `text`.
    pub fn search_reports(&self, text: &str, limit: i64) -> Result<Vec<ReportRow>> {
        let like = format!("%{text}%");
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {REPORT_COLUMNS} FROM reports WHERE lower(entity_reference) LIKE lower(?1) ORDER BY received_at DESC LIMIT ?2"
        ))?;
        let rows = s.query_map(params![like, limit], report_from_row)?;
        collect(rows)
    }

    /// The transactions of one account (either side), newest first.
    pub fn account_transactions(&self, key: &str, limit: i64) -> Result<Vec<TransactionRow>> {
        let Some(id) = self.account_id_by_key(key)? else {
            return Ok(Vec::new());
        };
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {TRANSACTION_COLUMNS} FROM transactions t
             LEFT JOIN accounts fa ON fa.id = t.from_account LEFT JOIN accounts ta ON ta.id = t.to_account
             WHERE t.id IN (SELECT id FROM transactions WHERE from_account = ?1 UNION SELECT id FROM transactions WHERE to_account = ?1)
             ORDER BY t.at DESC LIMIT ?2"
        ))?;
        let rows = s.query_map(params![id, limit], transaction_from_row)?;
        collect(rows)
    }

    /// Transactions with exactly this reference (a bank's transaction number).
    pub fn transactions_by_reference(
        &self,
        reference: &str,
        limit: i64,
    ) -> Result<Vec<TransactionRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {TRANSACTION_COLUMNS} FROM transactions t
             LEFT JOIN accounts fa ON fa.id = t.from_account LEFT JOIN accounts ta ON ta.id = t.to_account
             WHERE t.reference = ?1 ORDER BY t.at LIMIT ?2"
        ))?;
        let rows = s.query_map(params![reference, limit], transaction_from_row)?;
        collect(rows)
    }

    /// Entities with ids after `after`, in id order (for re-screening).
    pub fn entities_after(&self, after: i64, limit: i64) -> Result<Vec<EntityRow>> {
        let mut s = self
            .conn
            .prepare_cached("SELECT id, kind, name, birth_date, countries, created_at FROM entities WHERE id > ?1 ORDER BY id LIMIT ?2")?;
        let rows = s.query_map(params![after, limit], entity_from_row)?;
        collect(rows)
    }

    pub fn insert_subject(&self, s: &SubjectRow) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO subjects(report_id, entity_id, kind, name, birth_date, countries, identifiers, role, account, my_client, evidence, path, line, places)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                s.report_id,
                s.entity_id,
                s.kind,
                s.name,
                s.birth_date,
                s.countries,
                s.identifiers,
                s.role,
                s.account,
                s.my_client as i64,
                s.evidence,
                s.path,
                s.line,
                s.places
            ],
        )
    }

    /// Every entity with the places its subjects' addresses give (one row
    /// per subject with places), in entity order: what detection reads to
    /// find accounts held in high-risk areas.
    pub fn entity_places(&self) -> Result<Vec<(i64, String)>> {
        let mut s = self.conn.prepare_cached(
            "SELECT entity_id, places FROM subjects WHERE places <> '' ORDER BY entity_id, id",
        )?;
        let rows = s.query_map(params![], |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?)))?;
        collect(rows)
    }

    pub fn entity_subjects(&self, entity_id: i64) -> Result<Vec<SubjectRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {SUBJECT_COLUMNS} FROM subjects WHERE entity_id = ?1 ORDER BY id LIMIT 500"
        ))?;
        let rows = s.query_map([entity_id], subject_from_row)?;
        collect(rows)
    }

    pub fn report_subjects(&self, report_id: i64) -> Result<Vec<SubjectRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {SUBJECT_COLUMNS} FROM subjects WHERE report_id = ?1 ORDER BY id"
        ))?;
        let rows = s.query_map([report_id], subject_from_row)?;
        collect(rows)
    }

    /// The account's id, created on first sight; its holder is set once known.
    pub fn upsert_account(&self, key: &str, name: &str, entity_id: Option<i64>) -> Result<i64> {
        // One round trip: an upsert that updates returns the row's id too.
        self.conn.insert(
            "INSERT INTO accounts(key, name, entity_id) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET entity_id = COALESCE(accounts.entity_id, excluded.entity_id),
                 name = CASE WHEN accounts.name = '' THEN excluded.name ELSE accounts.name END",
            params![key, name, entity_id],
        )
    }

    /// The ids of many accounts by key, created when new (holder and name
    /// untouched): one statement per few hundred keys.
    pub fn account_ids(&self, keys: &[&str]) -> Result<std::collections::HashMap<String, i64>> {
        let mut unique: Vec<&str> = keys.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let mut out = std::collections::HashMap::with_capacity(unique.len());
        for chunk in unique.chunks(500) {
            let values: Vec<String> = (1..=chunk.len()).map(|i| format!("(?{i}, '')")).collect();
            let sql = format!(
                "INSERT INTO accounts(key, name) VALUES {} ON CONFLICT(key) DO UPDATE SET key = excluded.key RETURNING id, key",
                values.join(", ")
            );
            let params: Vec<crate::sql::Value> =
                chunk.iter().map(crate::sql::ToValue::to_value).collect();
            for (id, key) in self.conn.query_all(&sql, params, |r| {
                Ok((r.get::<i64>(0)?, r.get::<String>(1)?))
            })? {
                out.insert(key, id);
            }
        }
        Ok(out)
    }

    /// Stores many transactions; how many were new (the same reference and
    /// accounts already there are skipped, as [`Db::insert_transaction`] does).
    pub fn insert_transactions(&self, rows: &[NewTransaction]) -> Result<usize> {
        const COLUMNS: usize = 12;
        let mut inserted = 0;
        for chunk in rows.chunks(400) {
            let values: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let cells: Vec<String> = (1..=COLUMNS)
                        .map(|c| format!("?{}", r * COLUMNS + c))
                        .collect();
                    format!("({})", cells.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO transactions(report_id, reference, at, amount_minor, currency, from_account, to_account, from_entity, to_entity, channel, description, source_institution)
                 VALUES {} ON CONFLICT DO NOTHING",
                values.join(", ")
            );
            let mut params = Vec::with_capacity(chunk.len() * COLUMNS);
            for t in chunk {
                params.extend(params![
                    t.report_id,
                    t.reference,
                    t.at,
                    t.amount_minor,
                    t.currency,
                    t.from_account,
                    t.to_account,
                    t.from_entity,
                    t.to_entity,
                    t.channel,
                    t.description,
                    t.source_institution
                ]);
            }
            inserted += self.conn.execute(&sql, params)?;
        }
        Ok(inserted)
    }

    pub fn account_key(&self, id: i64) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT key FROM accounts WHERE id = ?1", [id], |r| r.get(0))
            .optional()
    }

    /// Stores a transaction; `None` when the same one (reference and
    /// accounts) is already there, as when two banks report both sides.
    /// Stores a transaction unless it is one already stored — the same
    /// payment seen twice, typically in a bank's goAML report and in its
    /// feed (see [`Db::same_payment`]); then what the new sighting adds (a
    /// concrete account where the report named only the party, the report,
    /// the batch's sender) is merged into the stored one and `None` is
    /// returned, as for an exact duplicate.
    pub fn insert_transaction(&self, t: &NewTransaction) -> Result<Option<i64>> {
        if let Some(existing) = self.same_payment(t)? {
            self.merge_payment(&existing, t)?;
            return Ok(None);
        }
        self.conn.insert_id(
            "INSERT INTO transactions(report_id, reference, at, amount_minor, currency, from_account, to_account, from_entity, to_entity, channel, description, source_institution)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING",
            params![
                t.report_id,
                t.reference,
                t.at,
                t.amount_minor,
                t.currency,
                t.from_account,
                t.to_account,
                t.from_entity,
                t.to_entity,
                t.channel,
                t.description,
                t.source_institution
            ],
        )
    }

    /// The stored transaction that is the same payment as `t`, if any: the
    /// same reference, amount and currency within a day, the same account
    /// on at least one side, and on the other side the same account or one
    /// that stands in for a party (`entity:N`, a report that named no
    /// account) or none.
    fn same_payment(&self, t: &NewTransaction) -> Result<Option<StoredPayment>> {
        let mut s = self.conn.prepare_cached(
            "SELECT t.id, t.from_account, t.to_account, fa.key, ta.key, t.from_entity, t.to_entity, t.report_id, t.source_institution
             FROM transactions t LEFT JOIN accounts fa ON fa.id = t.from_account LEFT JOIN accounts ta ON ta.id = t.to_account
             WHERE t.reference = ?1 AND t.amount_minor = ?2 AND t.currency = ?3 AND t.at BETWEEN ?4 AND ?5 LIMIT 20",
        )?;
        let day = 86_400;
        let candidates = collect(s.query_map(
            params![
                t.reference,
                t.amount_minor,
                t.currency,
                t.at - day,
                t.at + day
            ],
            |r| {
                Ok(StoredPayment {
                    id: r.get(0)?,
                    from: (r.get(1)?, r.get::<Option<String>>(3)?),
                    to: (r.get(2)?, r.get::<Option<String>>(4)?),
                    from_entity: r.get(5)?,
                    to_entity: r.get(6)?,
                    report_id: r.get(7)?,
                    source_institution: r.get(8)?,
                })
            },
        )?)?;
        if candidates.is_empty() {
            return Ok(None);
        }
        let key = |id: Option<i64>| -> Result<(Option<i64>, Option<String>)> {
            Ok((
                id,
                match id {
                    Some(id) => self.account_key(id)?,
                    None => None,
                },
            ))
        };
        let (from, to) = (key(t.from_account)?, key(t.to_account)?);
        Ok(candidates.into_iter().find(|c| {
            let same = |a: &(Option<i64>, Option<String>), b: &(Option<i64>, Option<String>)| {
                a.0.is_some() && a.0 == b.0
            };
            let compatible = |a: &(Option<i64>, Option<String>),
                              b: &(Option<i64>, Option<String>)| {
                same(a, b) || stands_in(a) || stands_in(b)
            };
            (same(&c.from, &from) && compatible(&c.to, &to))
                || (same(&c.to, &to) && compatible(&c.from, &from))
        }))
    }

    /// Completes a stored payment with what another sighting of it adds.
    fn merge_payment(&self, c: &StoredPayment, t: &NewTransaction) -> Result<()> {
        for (stored, new, entity, column, entity_column) in [
            (
                &c.from,
                t.from_account,
                c.from_entity.or(t.from_entity),
                "from_account",
                "from_entity",
            ),
            (
                &c.to,
                t.to_account,
                c.to_entity.or(t.to_entity),
                "to_account",
                "to_entity",
            ),
        ] {
            let Some(new) = new else { continue };
            let new_is_concrete = !self
                .account_key(new)?
                .is_some_and(|k| k.starts_with(PARTY_ACCOUNT));
            if stands_in(stored) && new_is_concrete && stored.0 != Some(new) {
                self.conn.execute(
                    &format!("UPDATE transactions SET {column} = ?2 WHERE id = ?1"),
                    params![c.id, new],
                )?;
                // The report told whose account it is.
                if let Some(e) = entity {
                    self.conn.execute(
                        "UPDATE accounts SET entity_id = ?2 WHERE id = ?1 AND entity_id IS NULL",
                        params![new, e],
                    )?;
                }
            }
            if let Some(e) = entity {
                self.conn.execute(
                    &format!("UPDATE transactions SET {entity_column} = ?2 WHERE id = ?1 AND {entity_column} IS NULL"),
                    params![c.id, e],
                )?;
            }
        }
        // The report that described it (not onto the FIU's own bulk data,
        // which retention must not delete with a report), and the batch's sender.
        if c.report_id.is_none() && c.source_institution.is_some() && t.report_id.is_some() {
            self.conn.execute(
                "UPDATE transactions SET report_id = ?2 WHERE id = ?1",
                params![c.id, t.report_id],
            )?;
        }
        if c.source_institution.is_none() && t.source_institution.is_some() {
            self.conn.execute(
                "UPDATE transactions SET source_institution = ?2 WHERE id = ?1",
                params![c.id, t.source_institution],
            )?;
        }
        Ok(())
    }

    pub fn entity_transactions(&self, entity_id: i64, limit: i64) -> Result<Vec<TransactionRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {TRANSACTION_COLUMNS} FROM transactions t
             LEFT JOIN accounts fa ON fa.id = t.from_account LEFT JOIN accounts ta ON ta.id = t.to_account
             WHERE t.id IN (SELECT id FROM transactions WHERE from_entity = ?1 UNION SELECT id FROM transactions WHERE to_entity = ?1)
             ORDER BY t.at LIMIT ?2"
        ))?;
        let rows = s.query_map(params![entity_id, limit], transaction_from_row)?;
        collect(rows)
    }

    /// The transactions of `ids`, in time order (as an alert tells them).
    pub fn transactions_by_ids(&self, ids: &[i64]) -> Result<Vec<TransactionRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {TRANSACTION_COLUMNS} FROM transactions t
             LEFT JOIN accounts fa ON fa.id = t.from_account LEFT JOIN accounts ta ON ta.id = t.to_account WHERE t.id = ?1"
        ))?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(t) = s.query_row([id], transaction_from_row).optional()? {
                out.push(t);
            }
        }
        out.sort_by_key(|t| (t.at, t.id));
        Ok(out)
    }

    /// Transfers between two known accounts with ids after `after`, in id order.
    pub fn transfers_after(&self, after: i64, limit: i64) -> Result<Vec<Transfer>> {
        let mut s = self.conn.prepare_cached(
            "SELECT id, at, amount_minor, currency, from_account, to_account, channel FROM transactions
             WHERE id > ?1 AND from_account IS NOT NULL AND to_account IS NOT NULL
             ORDER BY id LIMIT ?2",
        )?;
        let rows = s.query_map(params![after, limit], |r| {
            let c: String = r.get(3)?;
            Ok(Transfer {
                id: r.get(0)?,
                at: r.get(1)?,
                amount_minor: r.get(2)?,
                currency: currency_code(&c),
                from_account: r.get(4)?,
                to_account: r.get(5)?,
                channel: r.get(6)?,
            })
        })?;
        collect(rows)
    }

    /// Accounts `after` an id, in id order, with their holders' names.
    pub fn account_labels_after(&self, after: i64, limit: i64) -> Result<Vec<AccountLabel>> {
        let mut s = self.conn.prepare_cached(
            "SELECT a.id, a.key, a.entity_id, COALESCE(e.name, a.name, '') FROM accounts a
             LEFT JOIN entities e ON e.id = a.entity_id
             WHERE a.id > ?1 ORDER BY a.id LIMIT ?2",
        )?;
        let rows = s.query_map(params![after, limit], |r| {
            Ok(AccountLabel {
                id: r.get(0)?,
                key: r.get(1)?,
                holder: r.get(2)?,
                holder_name: r.get(3)?,
            })
        })?;
        collect(rows)
    }

    /// Sets the entities of transactions whose accounts' holders became
    /// known (from reports) after the transactions arrived (in batches).
    pub fn link_transactions_to_holders(&self) -> Result<()> {
        self.conn.execute_batch(
            "UPDATE transactions SET from_entity = (SELECT entity_id FROM accounts WHERE accounts.id = transactions.from_account)
               WHERE from_entity IS NULL AND from_account IN (SELECT id FROM accounts WHERE entity_id IS NOT NULL);
             UPDATE transactions SET to_entity = (SELECT entity_id FROM accounts WHERE accounts.id = transactions.to_account)
               WHERE to_entity IS NULL AND to_account IN (SELECT id FROM accounts WHERE entity_id IS NOT NULL);",
        )?;
        Ok(())
    }

    /// The entity holding an account, when known.
    pub fn account_holder(&self, account_id: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT entity_id FROM accounts WHERE id = ?1",
                [account_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    // ---- lists ----

    #[allow(clippy::too_many_arguments)]
    pub fn upsert_list(
        &self,
        name: &str,
        format: &str,
        generated: &str,
        entries: i64,
        sha256: &str,
        content: &[u8],
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO lists(name, format, generated, loaded_at, entries, sha256, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(name) DO UPDATE SET format = excluded.format, generated = excluded.generated, loaded_at = excluded.loaded_at,
               entries = excluded.entries, sha256 = excluded.sha256, content = excluded.content",
            params![name, format, generated, crate::now(), entries, sha256, content],
        )?;
        self.conn
            .query_row("SELECT id FROM lists WHERE name = ?1", [name], |r| r.get(0))
    }

    pub fn lists(&self) -> Result<Vec<ListRow>> {
        let mut s = self
            .conn
            .prepare_cached("SELECT id, name, format, generated, loaded_at, entries, sha256 FROM lists ORDER BY name")?;
        let rows = s.query_map(params![], |r| {
            Ok(ListRow {
                id: r.get(0)?,
                name: r.get(1)?,
                format: r.get(2)?,
                generated: r.get(3)?,
                loaded_at: r.get(4)?,
                entries: r.get(5)?,
                sha256: r.get(6)?,
            })
        })?;
        collect(rows)
    }

    pub fn list_content(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row("SELECT content FROM lists WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
    }

    // ---- alerts and clearances ----

    /// Raises an alert; `None` when the same finding (dedup key) exists.
    pub fn insert_alert(&self, a: &NewAlert) -> Result<Option<i64>> {
        let (english, phrases) = explanation_columns(&a.explanation);
        self.conn.insert_id(
            "INSERT INTO alerts(kind, typology, score, entity_id, accounts, transactions, first_at, last_at, total_minor, explanation,
                 list_name, list_entry, list_version, dedup_key, created_at, probability, suppressed, episode, model_id,
                 explanation_phrases)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) ON CONFLICT DO NOTHING",
            params![
                a.kind,
                a.typology,
                a.score,
                a.entity_id,
                a.accounts,
                a.transactions,
                a.first_at,
                a.last_at,
                a.total_minor,
                english,
                a.list_name,
                a.list_entry,
                a.list_version,
                a.dedup_key,
                crate::now(),
                a.probability,
                a.suppressed as i64,
                a.episode,
                a.model_id,
                phrases
            ],
        )
    }

    /// Raises `a`, or — when an open alert of the same episode exists —
    /// extends that one with what the pattern has become (its transactions,
    /// accounts, span, total, explanation, score and probability). An
    /// alert an analyst already took up (assigned, escalated) stays raised
    /// even when the model now puts the episode under its threshold.
    ///
    /// Streaming detection (`from_stream`) raises new episodes only: an
    /// open one is left to the periodic run, which sees the whole history.
    /// A periodic run that finds an episode unchanged marks it confirmed
    /// (`updated_at`).
    pub fn upsert_episode_alert(&self, a: &NewAlert, from_stream: bool) -> Result<EpisodeOutcome> {
        let Some(episode) = &a.episode else {
            return Ok(match self.insert_alert(a)? {
                Some(id) => EpisodeOutcome::Raised(id),
                None => EpisodeOutcome::Unchanged,
            });
        };
        let open: Option<(i64, String, String)> = self
            .conn
            .query_row(
                "SELECT id, transactions, status FROM alerts WHERE episode = ?1 AND status IN ('new','assigned','escalated')",
                params![episode],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((id, transactions, status)) = open else {
            return Ok(match self.insert_alert(a)? {
                Some(id) => EpisodeOutcome::Raised(id),
                None => EpisodeOutcome::Unchanged,
            });
        };
        if from_stream {
            return Ok(EpisodeOutcome::Unchanged);
        }
        let suppressed = a.suppressed && status == "new";
        let (english, phrases) = explanation_columns(&a.explanation);
        if transactions == a.transactions {
            // The same pattern: confirmed, with this run's verdict on it.
            self.conn.execute(
                "UPDATE alerts SET score = ?2, probability = ?3, suppressed = ?4, model_id = ?5, updated_at = ?6,
                     explanation = ?7, explanation_phrases = ?8 WHERE id = ?1",
                params![
                    id,
                    a.score,
                    a.probability,
                    suppressed as i64,
                    a.model_id,
                    crate::now(),
                    english,
                    phrases
                ],
            )?;
            return Ok(EpisodeOutcome::Unchanged);
        }
        self.conn.execute(
            "UPDATE alerts SET score = ?2, entity_id = COALESCE(?3, entity_id), accounts = ?4, transactions = ?5,
                 first_at = ?6, last_at = ?7, total_minor = ?8, explanation = ?9, probability = ?10,
                 suppressed = ?11, model_id = ?12, updated_at = ?13, explanation_phrases = ?14
             WHERE id = ?1",
            params![
                id,
                a.score,
                a.entity_id,
                a.accounts,
                a.transactions,
                a.first_at,
                a.last_at,
                a.total_minor,
                english,
                a.probability,
                suppressed as i64,
                a.model_id,
                crate::now(),
                phrases
            ],
        )?;
        Ok(EpisodeOutcome::Extended(id))
    }

    /// Alerts raised at intake (dedup key `prefix…`) before a periodic run
    /// started at `run_started` that the run neither extended nor found
    /// unchanged, and nobody took up: below the fold, with the reason.
    pub fn suppress_unconfirmed(&self, prefix: &str, run_started: i64) -> Result<usize> {
        let mut s = self.conn.prepare_cached(
            "SELECT id, explanation, explanation_phrases FROM alerts
             WHERE dedup_key LIKE ?1 AND status = 'new' AND suppressed = 0 AND created_at < ?2
               AND (updated_at IS NULL OR updated_at < ?2)",
        )?;
        let rows = s
            .query_map(params![format!("{prefix}%"), run_started], |r| {
                Ok((
                    r.get::<i64>(0)?,
                    r.get::<String>(1)?,
                    r.get::<Option<String>>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>>>()?;
        let not_confirmed = Phrase::new(PhraseKey::NotConfirmed);
        for (id, english, phrases) in &rows {
            let phrases = phrases.as_deref().and_then(|json| {
                let mut e: Explanation = serde_json::from_str(json).ok()?;
                e.push(not_confirmed.clone());
                serde_json::to_string(&e).ok()
            });
            self.conn.execute(
                "UPDATE alerts SET suppressed = 1, explanation = ?2, explanation_phrases = ?3 WHERE id = ?1",
                params![id, format!("{english}{not_confirmed}"), phrases],
            )?;
        }
        Ok(rows.len())
    }

    /// The time of the latest stored transaction.
    pub fn latest_transaction_time(&self) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT MAX(at) FROM transactions", params![], |r| r.get(0))
    }

    /// Transactions between two accounts from `(at, id)` on, in time
    /// order, with the accounts' keys: the recent past streaming detection
    /// replays at start.
    pub fn keyed_transfers_since(
        &self,
        at: i64,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<KeyedTransfer>> {
        let mut s = self.conn.prepare_cached(
            "SELECT t.id, t.at, t.amount_minor, t.currency, t.channel, f.key, o.key FROM transactions t
             JOIN accounts f ON f.id = t.from_account JOIN accounts o ON o.id = t.to_account
             WHERE (t.at > ?1 OR (t.at = ?1 AND t.id > ?2))
             ORDER BY t.at, t.id LIMIT ?3",
        )?;
        let rows = s.query_map(params![at, after_id, limit], |r| {
            let c: String = r.get(3)?;
            Ok(KeyedTransfer {
                id: r.get(0)?,
                at: r.get(1)?,
                amount_minor: r.get(2)?,
                currency: currency_code(&c),
                channel: r.get(4)?,
                from_key: r.get(5)?,
                to_key: r.get(6)?,
            })
        })?;
        collect(rows)
    }

    /// Typology and model alerts an analyst decided on: confirmed
    /// (escalated, or taken into a case) or dismissed. Learning from
    /// analysts starts here.
    pub fn disposed_alerts(&self) -> Result<Vec<Disposition>> {
        let mut s = self.conn.prepare_cached(
            "SELECT id, typology, status, case_id, transactions FROM alerts
             WHERE kind IN ('typology','model') AND (status IN ('escalated','dismissed') OR case_id IS NOT NULL)
             ORDER BY id",
        )?;
        let rows = s.query_map(params![], |r| {
            let status: String = r.get(2)?;
            let case_id: Option<i64> = r.get(3)?;
            Ok(Disposition {
                alert_id: r.get(0)?,
                typology: r.get(1)?,
                confirmed: status != "dismissed" || case_id.is_some(),
                transactions: r.get(4)?,
            })
        })?;
        collect(rows)
    }

    /// Store ids of the transactions with these references (the ids of
    /// the bank's feed or of a scenario).
    pub fn transaction_ids_by_reference(
        &self,
        references: &[&str],
    ) -> Result<std::collections::HashMap<String, Vec<i64>>> {
        let mut out: std::collections::HashMap<String, Vec<i64>> = Default::default();
        for chunk in references.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
            let mut s = self.conn.prepare(&format!(
                "SELECT reference, id FROM transactions WHERE reference IN ({})",
                marks.join(",")
            ))?;
            let values: Vec<crate::sql::Value> = chunk
                .iter()
                .map(|r| crate::sql::Value::Text(r.to_string()))
                .collect();
            let rows = s.query_map(values, |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)))?;
            for row in rows {
                let (reference, id) = row?;
                out.entry(reference).or_default().push(id);
            }
        }
        Ok(out)
    }

    /// Alerts kept under the model's threshold, not yet taken up.
    pub fn count_suppressed_alerts(&self) -> Result<i64> {
        self.conn.query_row(
            "SELECT COUNT(*) FROM alerts WHERE suppressed = 1 AND status = 'new'",
            params![],
            |r| r.get(0),
        )
    }

    /// How many alerts [`Db::alerts`] would list without a limit.
    pub fn count_alerts(&self, status: &str, kind: &str) -> Result<i64> {
        let filter = alert_filter(status);
        self.conn.query_row(
            &format!(
                "SELECT COUNT(*) FROM alerts a WHERE {filter} AND (?2 = '' OR a.kind = ?2) AND CAST(?1 AS TEXT) IS NOT NULL"
            ),
            params![status, kind],
            |r| r.get(0),
        )
    }

    /// The queue: alerts in `status` (all open ones for `"open"`, every
    /// alert for `"all"`), highest score first. Each form is one index scan.
    pub fn alerts(
        &self,
        status: &str,
        kind: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AlertRow>> {
        let filter = alert_filter(status);
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN entities e ON e.id = a.entity_id
             WHERE {filter} AND (?2 = '' OR a.kind = ?2) AND CAST(?1 AS TEXT) IS NOT NULL
             ORDER BY a.score DESC, a.id LIMIT ?3 OFFSET ?4"
        ))?;
        let rows = s.query_map(params![status, kind, limit, offset], alert_from_row)?;
        collect(rows)
    }

    pub fn alert(&self, id: i64) -> Result<Option<AlertRow>> {
        self
            .conn
            .query_row(
                &format!("SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN entities e ON e.id = a.entity_id WHERE a.id = ?1"),
                [id],
                alert_from_row,
            )
            .optional()
    }

    pub fn entity_alerts(&self, entity_id: i64) -> Result<Vec<AlertRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN entities e ON e.id = a.entity_id WHERE a.entity_id = ?1 ORDER BY a.id"
        ))?;
        let rows = s.query_map([entity_id], alert_from_row)?;
        collect(rows)
    }

    pub fn update_alert(
        &self,
        id: i64,
        status: AlertStatus,
        assignee: Option<i64>,
        reason: &str,
        case_id: Option<i64>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE alerts SET status = ?2, assignee = COALESCE(?3, assignee), reason = ?4, case_id = COALESCE(?5, case_id), suppressed = 0 WHERE id = ?1",
            params![id, status, assignee, reason, case_id],
        )?;
        Ok(())
    }

    /// Whether a match of this entity to this version of the entry was cleared.
    pub fn is_cleared(
        &self,
        entity_id: i64,
        list_name: &str,
        list_entry: &str,
        list_version: &str,
    ) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM clearances WHERE entity_id = ?1 AND list_name = ?2 AND list_entry = ?3 AND list_version = ?4 AND status = 'approved'",
                params![entity_id, list_name, list_entry, list_version],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    pub fn request_clearance(
        &self,
        alert: &AlertRow,
        justification: &str,
        requested_by: i64,
    ) -> Result<i64> {
        let (Some(entity), Some(list), Some(entry), Some(version)) = (
            alert.entity_id,
            &alert.list_name,
            &alert.list_entry,
            &alert.list_version,
        ) else {
            return Err(StoreError::Invalid(
                "only screening alerts can be cleared as false positives".into(),
            ));
        };
        self.conn.insert(
            "INSERT INTO clearances(entity_id, list_name, list_entry, list_version, justification, requested_by, status, at, alert_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'requested', ?7, ?8)",
            params![entity, list, entry, version, justification, requested_by, crate::now(), alert.id],
        )
    }

    /// Records the decision on a clearance request; an approval clears the
    /// entity's open alerts on that version of the list entry. (Who may
    /// decide is the application's rule: `nexus_fiu::clearances`.)
    pub fn record_clearance_decision(
        &self,
        c: &ClearanceRow,
        approver: i64,
        approve: bool,
        comment: &str,
    ) -> Result<()> {
        let status = if approve { "approved" } else { "refused" };
        self.conn.execute(
            "UPDATE clearances SET status = ?2, approved_by = ?3, decided_at = ?4, comment = ?5 WHERE id = ?1",
            params![c.id, status, approver, crate::now(), comment],
        )?;
        if approve {
            self.conn.execute(
                "UPDATE alerts SET status = 'cleared', reason = 'false positive: ' || ?5
                 WHERE kind = 'screening' AND entity_id = ?1 AND list_name = ?2 AND list_entry = ?3 AND list_version = ?4",
                params![c.entity_id, c.list_name, c.list_entry, c.list_version, c.justification],
            )?;
            // Without another open list match the entity is no longer
            // designated: the alerts that rested on it close too.
            self.conn.execute(
                "UPDATE alerts SET status = 'cleared', reason = 'the list match it rested on was cleared as a false positive (clearance ' || ?2 || ')'
                 WHERE entity_id = ?1 AND typology IN ('designated_activity', 'nexus_path') AND status IN ('new', 'assigned', 'escalated')
                   AND NOT EXISTS (SELECT 1 FROM alerts s WHERE s.entity_id = ?1 AND s.kind = 'screening' AND s.status IN ('new', 'assigned', 'escalated'))",
                params![c.entity_id, c.id.to_string()],
            )?;
        }
        Ok(())
    }

    pub fn clearance(&self, id: i64) -> Result<Option<ClearanceRow>> {
        self.conn
            .query_row(
                &format!("SELECT {CLEARANCE_COLUMNS} WHERE c.id = ?1"),
                [id],
                clearance_from_row,
            )
            .optional()
    }

    pub fn clearances(&self, status: &str) -> Result<Vec<ClearanceRow>> {
        let mut s = self.conn.prepare_cached(
            &format!("SELECT {CLEARANCE_COLUMNS} WHERE ?1 = '' OR c.status = ?1 ORDER BY c.id DESC LIMIT 500"),
        )?;
        let rows = s.query_map([status], clearance_from_row)?;
        collect(rows)
    }

    // ---- cases ----

    pub fn create_case(
        &self,
        title: &str,
        summary: &str,
        created_by: i64,
        year: i32,
    ) -> Result<CaseRow> {
        let next: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM cases",
            params![],
            |r| r.get(0),
        )?;
        let reference = format!("CASE-{year}-{next:04}");
        let id = self.conn.insert(
            "INSERT INTO cases(reference, title, created_by, created_at, summary) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![reference, title, created_by, crate::now(), summary],
        )?;
        Ok(self.case(id)?.expect("just inserted"))
    }

    pub fn case(&self, id: i64) -> Result<Option<CaseRow>> {
        self.conn
            .query_row(
                &format!("SELECT {CASE_COLUMNS} FROM {CASE_FROM} WHERE c.id = ?1"),
                [id],
                case_from_row,
            )
            .optional()
    }

    pub fn case_by_reference(&self, reference: &str) -> Result<Option<CaseRow>> {
        self.conn
            .query_row(
                &format!("SELECT {CASE_COLUMNS} FROM {CASE_FROM} WHERE c.reference = ?1"),
                [reference],
                case_from_row,
            )
            .optional()
    }

    /// The latest cases (the CLI's and the API's short list).
    pub fn cases(&self) -> Result<Vec<CaseRow>> {
        Ok(self.cases_page(&CaseFilter::default(), 500, 0)?.0)
    }

    /// One page of the cases a filter selects, newest first, and how many
    /// it selects in all.
    pub fn cases_page(
        &self,
        filter: &CaseFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<CaseRow>, i64)> {
        let status = filter.status.map(|s| s.as_str()).unwrap_or("");
        let assignee = filter.assignee.unwrap_or(0);
        let text = format!("%{}%", filter.text.to_lowercase());
        let hide_closed = if filter.hide_closed { "closed" } else { "" };
        let condition =
            "(?1 = '' OR c.status = ?1) AND (CAST(?2 AS BIGINT) = 0 OR c.assignee = ?2) \
             AND (lower(c.reference) LIKE ?3 OR lower(c.title) LIKE ?3) AND c.status <> ?4";
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM cases c WHERE {condition}"),
            params![status, assignee, text, hide_closed],
            |r| r.get(0),
        )?;
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM {CASE_FROM} WHERE {condition} ORDER BY c.id DESC LIMIT ?5 OFFSET ?6"
        ))?;
        let rows = s.query_map(
            params![status, assignee, text, hide_closed, limit, offset],
            case_from_row,
        )?;
        Ok((collect(rows)?, total))
    }

    /// Assigns a case to a user (None: unassigned).
    pub fn set_case_assignee(&self, id: i64, assignee: Option<i64>) -> Result<()> {
        self.conn.execute(
            "UPDATE cases SET assignee = ?2 WHERE id = ?1",
            params![id, assignee],
        )?;
        Ok(())
    }

    /// Closes a case with the reason, or reopens it (`closing` None).
    pub fn set_case_closed(&self, id: i64, closing: Option<&str>) -> Result<()> {
        match closing {
            Some(reason) => self.conn.execute(
                "UPDATE cases SET status = 'closed', closed_at = ?2, closing = ?3 WHERE id = ?1",
                params![id, crate::now(), reason],
            )?,
            None => self.conn.execute(
                "UPDATE cases SET status = 'open', closed_at = NULL WHERE id = ?1",
                params![id],
            )?,
        };
        Ok(())
    }

    pub fn set_case_status(&self, id: i64, status: CaseStatus) -> Result<()> {
        self.conn.execute(
            "UPDATE cases SET status = ?2 WHERE id = ?1",
            params![id, status],
        )?;
        Ok(())
    }

    /// Puts a party into a case with a role; a subject stays a subject (a
    /// counterparty may later be made one, never the reverse by this call).
    pub fn add_case_entity(&self, case_id: i64, entity_id: i64, role: CaseRole) -> Result<()> {
        self.conn.execute(
            "INSERT INTO case_entities(case_id, entity_id, role) VALUES (?1, ?2, ?3)
             ON CONFLICT (case_id, entity_id) DO UPDATE SET role = CASE WHEN excluded.role = 'subject' THEN 'subject' ELSE case_entities.role END",
            params![case_id, entity_id, role],
        )?;
        Ok(())
    }

    /// The parties of a case with their roles, subjects first.
    pub fn case_parties(&self, case_id: i64) -> Result<Vec<(EntityRow, CaseRole)>> {
        let mut s = self.conn.prepare_cached(
            "SELECT e.id, e.kind, e.name, e.birth_date, e.countries, e.created_at, c.role FROM case_entities c JOIN entities e ON e.id = c.entity_id
             WHERE c.case_id = ?1 ORDER BY c.role DESC, e.id",
        )?;
        let rows = s.query_map([case_id], |r| Ok((entity_from_row(r)?, r.get(6)?)))?;
        collect(rows)
    }

    /// Every party of a case, whatever its role.
    pub fn case_entities(&self, case_id: i64) -> Result<Vec<EntityRow>> {
        Ok(self
            .case_parties(case_id)?
            .into_iter()
            .map(|(e, _)| e)
            .collect())
    }

    /// Puts an account into a case with a role (a subject stays a subject).
    pub fn add_case_account(&self, case_id: i64, account_id: i64, role: CaseRole) -> Result<()> {
        self.conn.execute(
            "INSERT INTO case_accounts(case_id, account_id, role) VALUES (?1, ?2, ?3)
             ON CONFLICT (case_id, account_id) DO UPDATE SET role = CASE WHEN excluded.role = 'subject' THEN 'subject' ELSE case_accounts.role END",
            params![case_id, account_id, role],
        )?;
        Ok(())
    }

    /// The accounts of a case: id, key, holder name as the bank gave it, the
    /// resolved holder, and the role.
    pub fn case_accounts(&self, case_id: i64) -> Result<Vec<CaseAccountRow>> {
        let mut s = self.conn.prepare_cached(
            "SELECT a.id, a.key, a.name, a.entity_id, e.name, c.role FROM case_accounts c JOIN accounts a ON a.id = c.account_id
             LEFT JOIN entities e ON e.id = a.entity_id WHERE c.case_id = ?1 ORDER BY c.role DESC, a.key",
        )?;
        let rows = s.query_map([case_id], |r| {
            Ok(CaseAccountRow {
                id: r.get(0)?,
                key: r.get(1)?,
                name: r.get(2)?,
                entity_id: r.get(3)?,
                entity_name: r.get(4)?,
                role: r.get(5)?,
            })
        })?;
        collect(rows)
    }

    /// Puts a transaction into a case.
    pub fn add_case_transaction(&self, case_id: i64, transaction_id: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO case_transactions(case_id, transaction_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![case_id, transaction_id],
        )?;
        Ok(())
    }

    /// An account by its key, with its holder (the role is meaningless
    /// outside a case: counterparty).
    pub fn account_by_key(&self, key: &str) -> Result<Option<CaseAccountRow>> {
        self.conn
            .query_row(
                "SELECT a.id, a.key, a.name, a.entity_id, e.name FROM accounts a LEFT JOIN entities e ON e.id = a.entity_id WHERE a.key = ?1",
                [key],
                |r| {
                    Ok(CaseAccountRow {
                        id: r.get(0)?,
                        key: r.get(1)?,
                        name: r.get(2)?,
                        entity_id: r.get(3)?,
                        entity_name: r.get(4)?,
                        role: CaseRole::Counterparty,
                    })
                },
            )
            .optional()
    }

    /// Cases holding an account (in their accounts list), with its role there.
    pub fn account_cases(&self, account_id: i64) -> Result<Vec<(CaseRow, CaseRole)>> {
        // The role follows the case's own columns (`case_from_row` reads 0–10).
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {CASE_COLUMNS}, ca.role FROM {CASE_FROM} JOIN case_accounts ca ON ca.case_id = c.id \
             WHERE ca.account_id = ?1 ORDER BY c.id"
        ))?;
        let rows = s.query_map([account_id], |r| Ok((case_from_row(r)?, r.get(11)?)))?;
        collect(rows)
    }

    /// Whether one of a case's transactions moved money from or to an account.
    pub fn case_touches_account(&self, case_id: i64, account_id: i64) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM case_transactions ct JOIN transactions t ON t.id = ct.transaction_id \
                 WHERE ct.case_id = ?1 AND (t.from_account = ?2 OR t.to_account = ?2) LIMIT 1",
                params![case_id, account_id],
                |r| r.get::<i64>(0),
            )
            .optional()?
            .is_some())
    }

    /// The latest alerts about an account: those whose focal account it is
    /// (the account a pattern is about) and those about its holder.
    pub fn account_alerts(
        &self,
        key: &str,
        holder: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AlertRow>> {
        let focal = self.conn.dialect().focal_account();
        let mut alerts = Vec::new();
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN entities e ON e.id = a.entity_id \
             WHERE {focal} = ?1 ORDER BY a.id DESC LIMIT ?2"
        ))?;
        alerts.extend(collect(s.query_map(params![key, limit], alert_from_row)?)?);
        if let Some(holder) = holder {
            let mut s = self.conn.prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts a LEFT JOIN entities e ON e.id = a.entity_id \
                 WHERE a.entity_id = ?1 ORDER BY a.id DESC LIMIT ?2"
            ))?;
            alerts.extend(collect(
                s.query_map(params![holder, limit], alert_from_row)?,
            )?);
        }
        alerts.sort_by_key(|a| std::cmp::Reverse(a.id));
        alerts.dedup_by_key(|a| a.id);
        alerts.truncate(limit.max(0) as usize);
        Ok(alerts)
    }

    /// An account by its key.
    pub fn account_id_by_key(&self, key: &str) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT id FROM accounts WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
    }

    /// Cases an entity belongs to.
    pub fn entity_cases(&self, entity_id: i64) -> Result<Vec<CaseRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM {CASE_FROM} JOIN case_entities ce ON ce.case_id = c.id WHERE ce.entity_id = ?1 ORDER BY c.id"
        ))?;
        let rows = s.query_map([entity_id], case_from_row)?;
        collect(rows)
    }

    pub fn add_case_note(&self, case_id: i64, author: i64, body: &str) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO case_notes(case_id, author, at, body) VALUES (?1, ?2, ?3, ?4)",
            params![case_id, author, crate::now(), body],
        )
    }

    /// Notes of a case (authored posts, like report messages).
    pub fn case_notes(&self, case_id: i64) -> Result<Vec<MessageRow>> {
        let mut s = self.conn.prepare_cached(
            "SELECT n.id, u.username, n.at, n.body FROM case_notes n JOIN users u ON u.id = n.author WHERE n.case_id = ?1 ORDER BY n.id",
        )?;
        let rows = s.query_map([case_id], message_from_row)?;
        collect(rows)
    }

    /// Transactions with a case entity on at least one side, in time order.
    /// Whether an entity was put into a case.
    pub fn case_has_entity(&self, case_id: i64, entity_id: i64) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM case_entities WHERE case_id = ?1 AND entity_id = ?2",
                params![case_id, entity_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    pub fn case_transactions(&self, case_id: i64, limit: i64) -> Result<Vec<TransactionRow>> {
        // The first `limit` (time, id) pairs from the indexes alone — a
        // case of a thousand parties reaches a hundred thousand payments —
        // then only those rows. `UNION ALL` keeps the sort to the first
        // 5 × `limit` pairs (a payment appears at most once per branch,
        // so those hold the first `limit` distinct ones).
        let mut s = self.conn.prepare_cached(&format!(
            "WITH sighted AS (
               SELECT t1.at, t1.id FROM case_transactions ct JOIN transactions t1 ON t1.id = ct.transaction_id WHERE ct.case_id = ?1
               UNION ALL SELECT t2.at, t2.id FROM transactions t2 JOIN case_entities c ON c.entity_id = t2.from_entity WHERE c.case_id = ?1 AND c.role = 'subject'
               UNION ALL SELECT t3.at, t3.id FROM transactions t3 JOIN case_entities c ON c.entity_id = t3.to_entity WHERE c.case_id = ?1 AND c.role = 'subject'
               UNION ALL SELECT t4.at, t4.id FROM transactions t4 JOIN case_accounts c ON c.account_id = t4.from_account WHERE c.case_id = ?1 AND c.role = 'subject'
               UNION ALL SELECT t5.at, t5.id FROM transactions t5 JOIN case_accounts c ON c.account_id = t5.to_account WHERE c.case_id = ?1 AND c.role = 'subject'
               ORDER BY 1, 2 LIMIT ?3),
             chosen AS (SELECT DISTINCT at, id FROM sighted ORDER BY at, id LIMIT ?2)
             SELECT {TRANSACTION_COLUMNS} FROM chosen JOIN transactions t ON t.id = chosen.id
             LEFT JOIN accounts fa ON fa.id = t.from_account LEFT JOIN accounts ta ON ta.id = t.to_account
             ORDER BY t.at, t.id"
        ))?;
        let rows = s.query_map(
            params![case_id, limit, limit.saturating_mul(5)],
            transaction_from_row,
        )?;
        collect(rows)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_case_document(
        &self,
        case_id: i64,
        filename: &str,
        content_type: &str,
        sha256: &str,
        content: &[u8],
        uploaded_by: i64,
    ) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO case_documents(case_id, filename, content_type, size, sha256, content, uploaded_by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![case_id, filename, content_type, content.len() as i64, sha256, content, uploaded_by, crate::now()],
        )
    }

    pub fn case_documents(&self, case_id: i64) -> Result<Vec<DocumentRow>> {
        let mut s = self.conn.prepare_cached(
            "SELECT d.id, d.case_id, d.filename, d.content_type, d.size, d.sha256, u.username, d.at
             FROM case_documents d JOIN users u ON u.id = d.uploaded_by WHERE d.case_id = ?1 ORDER BY d.id",
        )?;
        let rows = s.query_map([case_id], |r| {
            Ok(DocumentRow {
                id: r.get(0)?,
                case_id: r.get(1)?,
                filename: r.get(2)?,
                content_type: r.get(3)?,
                size: r.get(4)?,
                sha256: r.get(5)?,
                uploaded_by: r.get(6)?,
                at: r.get(7)?,
            })
        })?;
        collect(rows)
    }

    /// A document's metadata and content, when it belongs to the case.
    pub fn case_document(&self, case_id: i64, id: i64) -> Result<Option<(DocumentRow, Vec<u8>)>> {
        let Some(meta) = self
            .case_documents(case_id)?
            .into_iter()
            .find(|d| d.id == id)
        else {
            return Ok(None);
        };
        let content: Vec<u8> = self.conn.query_row(
            "SELECT content FROM case_documents WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        Ok(Some((meta, content)))
    }

    #[allow(clippy::too_many_arguments)]
    /// Records a proposed freeze of a party or an account (at least one).
    #[allow(clippy::too_many_arguments)]
    pub fn insert_freeze(
        &self,
        case_id: i64,
        entity_id: Option<i64>,
        account_id: Option<i64>,
        assets: &str,
        legal_basis: &str,
        issued_on: &str,
        expires_on: &str,
        created_by: i64,
    ) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO freezes(case_id, entity_id, account_id, assets, legal_basis, issued_on, expires_on, status, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![case_id, entity_id, account_id, assets, legal_basis, issued_on, expires_on, FreezeStatus::Proposed, created_by, crate::now()],
        )
    }

    pub fn update_freeze(&self, id: i64, status: FreezeStatus, outcome: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE freezes SET status = ?2, outcome = ?3 WHERE id = ?1",
            params![id, status, outcome],
        )?;
        Ok(())
    }

    /// Records a supervisor's decision on a proposed freeze.
    pub fn decide_freeze(
        &self,
        id: i64,
        status: FreezeStatus,
        decided_by: i64,
        decision: &str,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE freezes SET status = ?2, decided_by = ?3, decided_at = ?4, decision = ?5 WHERE id = ?1",
            params![id, status, decided_by, crate::now(), decision],
        )?;
        Ok(())
    }

    /// One freeze.
    pub fn freeze(&self, id: i64) -> Result<Option<FreezeRow>> {
        Ok(self.freezes_where("f.id = ?1", id)?.into_iter().next())
    }

    /// The freezes of a case, or every freeze (`None`).
    pub fn freezes(&self, case_id: Option<i64>) -> Result<Vec<FreezeRow>> {
        match case_id {
            Some(id) => self.freezes_where("f.case_id = ?1", id),
            None => self.freezes_where("f.id >= ?1", 0),
        }
    }

    fn freezes_where(&self, condition: &str, value: i64) -> Result<Vec<FreezeRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT f.id, f.case_id, f.entity_id, f.account_id,
                    COALESCE(e.name, a.key || CASE WHEN a.name <> '' THEN ' (' || a.name || ')' ELSE '' END, ''),
                    f.assets, f.legal_basis, f.issued_on, f.expires_on, f.status, f.outcome,
                    cu.username, f.created_at, du.username, f.decided_at, f.decision, f.created_by
             FROM freezes f LEFT JOIN entities e ON e.id = f.entity_id LEFT JOIN accounts a ON a.id = f.account_id
             JOIN users cu ON cu.id = f.created_by LEFT JOIN users du ON du.id = f.decided_by
             WHERE {condition} ORDER BY f.id"
        ))?;
        let rows = s.query_map([value], |r| {
            Ok(FreezeRow {
                id: r.get(0)?,
                case_id: r.get(1)?,
                entity_id: r.get(2)?,
                account_id: r.get(3)?,
                entity_name: r.get(4)?,
                assets: r.get(5)?,
                legal_basis: r.get(6)?,
                issued_on: r.get(7)?,
                expires_on: r.get(8)?,
                status: r.get(9)?,
                outcome: r.get(10)?,
                created_by: r.get(11)?,
                created_at: r.get(12)?,
                decided_by: r.get(13)?,
                decided_at: r.get(14)?,
                decision: r.get(15)?,
                created_by_id: r.get(16)?,
            })
        })?;
        collect(rows)
    }

    pub fn insert_dissemination(
        &self,
        case_id: i64,
        agency: &str,
        legal_basis: &str,
        package: &str,
        created_by: i64,
    ) -> Result<i64> {
        self.conn.insert(
            "INSERT INTO disseminations(case_id, agency, legal_basis, package, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![case_id, agency, legal_basis, package, created_by, crate::now()],
        )
    }

    pub fn disseminations(&self, case_id: i64) -> Result<Vec<DisseminationRow>> {
        let mut s = self.conn.prepare_cached(
            "SELECT id, case_id, agency, legal_basis, package, created_by, created_at FROM disseminations WHERE case_id = ?1 ORDER BY id",
        )?;
        let rows = s.query_map([case_id], |r| {
            Ok(DisseminationRow {
                id: r.get(0)?,
                case_id: r.get(1)?,
                agency: r.get(2)?,
                legal_basis: r.get(3)?,
                package: r.get(4)?,
                created_by: r.get(5)?,
                created_at: r.get(6)?,
            })
        })?;
        collect(rows)
    }

    // ---- retention, settings, counts ----

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Deletes reports received before `before` whose subjects belong to no
    /// case, with their subjects, problems, messages and transactions;
    /// entities left without any subject go too. Returns the report ids.
    pub fn purge_reports_before(&self, before: i64) -> Result<Vec<i64>> {
        let mut s = self.conn.prepare(
            "SELECT r.id FROM reports r WHERE r.received_at < ?1 AND NOT EXISTS (
               SELECT 1 FROM subjects s JOIN case_entities c ON c.entity_id = s.entity_id WHERE s.report_id = r.id)
               AND NOT EXISTS (SELECT 1 FROM transactions t JOIN case_transactions ct ON ct.transaction_id = t.id WHERE t.report_id = r.id)",
        )?;
        let ids: Vec<i64> = collect(s.query_map([before], |r| r.get(0))?)?;
        for id in &ids {
            // A payment a bank's feed also carried stays, without the report.
            self.conn.execute(
                "UPDATE transactions SET report_id = NULL WHERE report_id = ?1 AND source_institution IS NOT NULL",
                [id],
            )?;
            self.conn
                .execute("DELETE FROM transactions WHERE report_id = ?1", [id])?;
            self.conn
                .execute("DELETE FROM reports WHERE id = ?1", [id])?;
        }
        if !ids.is_empty() {
            self.conn.execute_batch(
                "DELETE FROM alerts WHERE entity_id IS NOT NULL AND case_id IS NULL AND entity_id NOT IN (SELECT entity_id FROM subjects);
                 DELETE FROM clearances WHERE entity_id NOT IN (SELECT entity_id FROM subjects);
                 UPDATE accounts SET entity_id = NULL WHERE entity_id NOT IN (SELECT entity_id FROM subjects);
                 UPDATE transactions SET from_entity = NULL WHERE from_entity NOT IN (SELECT entity_id FROM subjects);
                 UPDATE transactions SET to_entity = NULL WHERE to_entity NOT IN (SELECT entity_id FROM subjects);
                 DELETE FROM entities WHERE id NOT IN (SELECT entity_id FROM subjects) AND id NOT IN (SELECT entity_id FROM case_entities)
                   AND id NOT IN (SELECT entity_id FROM freezes WHERE entity_id IS NOT NULL) AND id NOT IN (SELECT entity_id FROM alerts WHERE entity_id IS NOT NULL);",
            )?;
        }
        Ok(ids)
    }

    /// Open alerts (new, assigned, escalated) per kind.
    pub fn open_alerts_by_kind(&self) -> Result<Vec<(String, i64)>> {
        self.conn.query_all(
            "SELECT kind, COUNT(*) FROM alerts WHERE is_open = 1 GROUP BY kind ORDER BY kind",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    pub fn counts(&self) -> Result<Counts> {
        let one = |sql: &str| -> Result<i64> { self.conn.query_row(sql, params![], |r| r.get(0)) };
        Ok(Counts {
            reports: one("SELECT COUNT(*) FROM reports")?,
            entities: one("SELECT COUNT(*) FROM entities")?,
            transactions: one("SELECT COUNT(*) FROM transactions")?,
            open_alerts: one(
                "SELECT COUNT(*) FROM alerts WHERE status IN ('new','assigned','escalated')",
            )?,
            open_cases: one("SELECT COUNT(*) FROM cases WHERE status = 'open'")?,
            audit_records: one("SELECT COUNT(*) FROM audit_log")?,
        })
    }
}

fn entity_from_row(r: &Row) -> crate::Result<EntityRow> {
    Ok(EntityRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        name: r.get(2)?,
        birth_date: r.get(3)?,
        countries: r.get(4)?,
        created_at: r.get(5)?,
    })
}

const CLEARANCE_COLUMNS: &str = "c.id, c.entity_id, c.list_name, c.list_entry, c.list_version, c.justification, c.requested_by,
    c.approved_by, c.status, c.at, c.alert_id, c.decided_at, c.comment, e.name, ru.username, au.username
    FROM clearances c JOIN entities e ON e.id = c.entity_id JOIN users ru ON ru.id = c.requested_by
    LEFT JOIN users au ON au.id = c.approved_by";

fn clearance_from_row(r: &Row) -> crate::Result<ClearanceRow> {
    Ok(ClearanceRow {
        id: r.get(0)?,
        entity_id: r.get(1)?,
        list_name: r.get(2)?,
        list_entry: r.get(3)?,
        list_version: r.get(4)?,
        justification: r.get(5)?,
        requested_by: r.get(6)?,
        approved_by: r.get(7)?,
        status: r.get(8)?,
        at: r.get(9)?,
        alert_id: r.get(10)?,
        decided_at: r.get(11)?,
        comment: r.get(12)?,
        entity_name: r.get(13)?,
        requested_by_name: r.get(14)?,
        approved_by_name: r.get(15)?,
    })
}

const MODEL_COLUMNS: &str =
    "id, name, sha256, metrics, trained_on, created_at, created_by, activated_at, activated_by";

fn model_from_row(r: &Row) -> crate::Result<ModelRow> {
    Ok(ModelRow {
        id: r.get(0)?,
        name: r.get(1)?,
        sha256: r.get(2)?,
        metrics: r.get(3)?,
        trained_on: r.get(4)?,
        created_at: r.get(5)?,
        created_by: r.get(6)?,
        activated_at: r.get(7)?,
        activated_by: r.get(8)?,
    })
}

/// Detection models: recorded when trained or loaded, in force only once
/// activated; the latest activation is the model in force.
impl Db<'_> {
    /// Records a model (the same body twice is one record); its id.
    pub fn insert_model(
        &self,
        name: &str,
        body: &str,
        sha256: &str,
        metrics: &str,
        trained_on: &str,
        created_by: &str,
    ) -> Result<i64> {
        if let Some(id) = self
            .conn
            .query_row(
                "SELECT id FROM detection_models WHERE sha256 = ?1",
                params![sha256],
                |r| r.get(0),
            )
            .optional()?
        {
            return Ok(id);
        }
        self.conn.insert(
            "INSERT INTO detection_models(name, body, sha256, metrics, trained_on, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![name, body, sha256, metrics, trained_on, crate::now(), created_by],
        )
    }

    pub fn models(&self) -> Result<Vec<ModelRow>> {
        let mut s = self.conn.prepare_cached(&format!(
            "SELECT {MODEL_COLUMNS} FROM detection_models ORDER BY id DESC"
        ))?;
        let rows = s.query_map(params![], model_from_row)?;
        collect(rows)
    }

    /// The model in force and its body.
    pub fn active_model(&self) -> Result<Option<(ModelRow, String)>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {MODEL_COLUMNS}, body FROM detection_models WHERE activated_at IS NOT NULL
                     ORDER BY activated_at DESC, id DESC LIMIT 1"
                ),
                params![],
                |r| Ok((model_from_row(r)?, r.get(9)?)),
            )
            .optional()
    }

    /// The body of model `id`.
    pub fn model_body(&self, id: i64) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT body FROM detection_models WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
    }

    /// Puts model `id` in force.
    pub fn activate_model(&self, id: i64, by: &str) -> Result<bool> {
        // Activations order strictly, even two in one second.
        let latest: Option<i64> = self.conn.query_row(
            "SELECT MAX(activated_at) FROM detection_models",
            params![],
            |r| r.get(0),
        )?;
        let at = crate::now().max(latest.unwrap_or(0) + 1);
        Ok(self.conn.execute(
            "UPDATE detection_models SET activated_at = ?2, activated_by = ?3 WHERE id = ?1",
            params![id, at, by],
        )? == 1)
    }
}
