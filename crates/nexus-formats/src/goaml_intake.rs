//! Reading and validating goAML XML reports as an FIU receives them.
//!
//! The structure is goAML 5.x as in `../shared/reference/goaml/`: a `<report>`
//! root without namespace, header elements, then either `transaction`s (each
//! with a from side and a to side, `t_from`/`t_from_my_client` and
//! `t_to`/`t_to_my_client`, or `involved_parties`) or one `activity` with
//! `report_parties`, then `report_indicators`.
//!
//! Validation collects every problem (element path and line) instead of
//! stopping at the first, so that a reporting entity can fix a report in one
//! round. Deliberate differences from the FIU schemas:
//! - names in any script are accepted (several FIU schemas restrict names to
//!   Latin letters with .NET patterns; a Central Asian FIU receives Cyrillic
//!   and Arabic-script names), but control characters are not;
//! - the code lists (report codes, conduction, funds types) differ per FIU and
//!   are checked for shape, not membership.

use crate::xml::{parse_document_within, Node, XmlLimits};
use nexus_model::{Date, Minor, Timestamp};
use std::fmt;
use std::path::Path;

/// One problem found in a report: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportProblem {
    /// Element path such as `report/transaction[2]/t_from/from_person/last_name`.
    pub path: String,
    /// 1-based line of the element (or of its parent when it is missing).
    pub line: u64,
    pub message: String,
}

impl fmt::Display for ReportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.path, self.message)
    }
}

/// Whether a reported subject is a natural person or an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportedKind {
    Person,
    Entity,
}

impl ReportedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportedKind::Person => "person",
            ReportedKind::Entity => "entity",
        }
    }
}

/// A person or organisation named in a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedSubject {
    pub kind: ReportedKind,
    /// The full name as written (`first middle last`, or the entity's name).
    pub name: String,
    pub birth_date: Option<Date>,
    /// ISO 3166 alpha-2 codes as reported (nationalities, residence, incorporation).
    pub countries: Vec<String>,
    /// Identity documents: (`passport` | `id` | `ssn` | `incorporation` | identification type, number).
    pub identifiers: Vec<(String, String)>,
    /// What the subject is in the report: `from_person`, `signatory`, `director`, `report_party` …
    pub role: String,
    /// Account the subject holds or signs for, as `institution|account`, when known.
    pub account: Option<String>,
    /// Where the subject lives or is established, as its addresses give it
    /// (town, city, state and country; streets are not kept).
    pub places: Vec<ReportedPlace>,
    /// Whether the reporting entity says it is its own client (`_my_client`).
    pub my_client: bool,
    pub path: String,
    pub line: u64,
}

/// The place of one of a subject's addresses: what risk assessment reads
/// (an area named high-risk for terrorist financing is a town, a city or a
/// province), without the street.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReportedPlace {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub town: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub city: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state: String,
    /// ISO 3166 alpha-2, or empty when the address gives none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub country: String,
}

impl ReportedPlace {
    /// The place's names, most specific first, without empty ones or repeats.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for n in [&self.town, &self.city, &self.state] {
            let n = n.trim();
            if !n.is_empty() && !names.contains(&n) {
                names.push(n);
            }
        }
        names
    }

    /// `Kunduz, Kunduz Province, AF`: the names and the country.
    pub fn label(&self) -> String {
        let mut parts = self.names();
        if !self.country.is_empty() {
            parts.push(&self.country);
        }
        parts.join(", ")
    }
}

/// Addresses kept per subject: goAML allows any number, a risk assessment
/// needs the few a person really has.
pub const MAX_PLACES: usize = 10;

/// An account named on a transaction side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedAccount {
    /// SWIFT/BIC, or the institution's name when there is no code.
    pub institution: String,
    pub number: String,
    pub currency: String,
    pub name: String,
}

impl ReportedAccount {
    /// The key that identifies the account across reports: `institution|number`.
    pub fn key(&self) -> String {
        format!("{}|{}", self.institution, self.number)
    }
}

/// One side of a bi-party transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedSide {
    pub my_client: bool,
    pub funds_code: String,
    pub country: String,
    pub account: Option<ReportedAccount>,
    /// Index into [`ReceivedReport::subjects`] of the person or entity of this
    /// side (the account's primary signatory or owning entity for accounts).
    pub subject: Option<usize>,
}

/// A reported transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedTransaction {
    pub number: String,
    pub internal_ref: String,
    pub date: Timestamp,
    pub transmode_code: String,
    /// `amount_local`, in the report's local currency.
    pub amount: Minor,
    pub description: String,
    /// `None` for multi-party transactions (`involved_parties`).
    pub from: Option<ReportedSide>,
    pub to: Option<ReportedSide>,
    pub line: u64,
}

/// A report that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedReport {
    pub rentity_id: u32,
    pub rentity_branch: String,
    /// `E` electronic, `M` manual.
    pub submission_code: String,
    /// `STR`, `SAR`, `CTR`, `AIF`, `DPMSR` … (per FIU).
    pub report_code: String,
    /// The reporting entity's own reference; re-submitting it is idempotent.
    pub entity_reference: String,
    pub fiu_ref_number: String,
    pub submission_date: Timestamp,
    pub currency_code_local: String,
    pub reason: String,
    pub action: String,
    pub indicators: Vec<String>,
    pub transactions: Vec<ReportedTransaction>,
    pub subjects: Vec<ReportedSubject>,
}

const HEADER: &[&str] = &[
    "schema_version",
    "rentity_id",
    "rentity_branch",
    "submission_code",
    "report_code",
    "entity_reference",
    "fiu_ref_number",
    "prev_rejected_ref_number",
    "submission_date",
    "report_date",
    "currency_code_local",
    "reporting_person",
    "reporting_user_code",
    "location",
    "reason",
    "action",
    "transaction",
    "activity",
    "report_indicators",
    "additional_information",
];

/// Bounds on reading one report from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLimits {
    pub xml: XmlLimits,
    /// Problems listed one by one; beyond them, one closing problem counts the rest.
    pub max_problems: usize,
}

impl Default for ReportLimits {
    fn default() -> Self {
        ReportLimits {
            xml: XmlLimits {
                max_depth: 64,
                // A 10 MB report of a few thousand transactions has ~300,000.
                max_record_elements: 500_000,
            },
            max_problems: 200,
        }
    }
}

/// Parses and validates one goAML report. `source` names the upload in XML
/// syntax errors. Every problem is returned (up to the default limit), or the report.
pub fn read_goaml_report(source: &str, bytes: &[u8]) -> Result<ReceivedReport, Vec<ReportProblem>> {
    read_goaml_report_within(source, bytes, ReportLimits::default())
}

/// [`read_goaml_report`] within `limits`.
pub fn read_goaml_report_within(
    source: &str,
    bytes: &[u8],
    limits: ReportLimits,
) -> Result<ReceivedReport, Vec<ReportProblem>> {
    let root = match parse_document_within(Path::new(source), bytes, limits.xml) {
        Ok(root) => root,
        Err(e) => {
            let line = match &e {
                crate::FormatError::Xml { line, .. } => *line,
                _ => 0,
            };
            return Err(vec![ReportProblem {
                path: "report".into(),
                line,
                message: format!("not well-formed XML: {e}"),
            }]);
        }
    };
    let mut v = Validator {
        max_problems: limits.max_problems.max(1),
        ..Validator::default()
    };
    if root.name != "report" {
        v.problem(
            &root.name,
            root.line,
            "the root element must be <report>".into(),
        );
        return Err(v.problems);
    }
    let report = v.report(&root);
    if v.problems.is_empty() {
        Ok(report)
    } else {
        Err(v.into_problems())
    }
}

#[derive(Default)]
struct Validator {
    problems: Vec<ReportProblem>,
    /// Problems found beyond `max_problems`, counted only.
    more_problems: usize,
    max_problems: usize,
    subjects: Vec<ReportedSubject>,
    /// When the report says it was submitted: nobody is born after it.
    submitted: Option<Timestamp>,
}

fn join(path: &str, name: &str) -> String {
    format!("{path}/{name}")
}

impl Validator {
    fn problem(&mut self, path: &str, line: u64, message: String) {
        if self.problems.len() >= self.max_problems {
            self.more_problems += 1;
            return;
        }
        self.problems.push(ReportProblem {
            path: path.to_string(),
            line,
            message,
        });
    }

    /// Every problem found so far, listed or only counted.
    fn problem_count(&self) -> usize {
        self.problems.len() + self.more_problems
    }

    /// The listed problems and, when there were more, one that counts them.
    fn into_problems(mut self) -> Vec<ReportProblem> {
        if self.more_problems > 0 {
            let line = self.problems.last().map_or(0, |p| p.line);
            self.problems.push(ReportProblem {
                path: "report".into(),
                line,
                message: format!(
                    "… and {} more problems not listed; correct the ones above and submit again",
                    self.more_problems
                ),
            });
        }
        self.problems
    }

    /// The text of a required child; a problem when missing or empty.
    fn required<'a>(&mut self, node: &'a Node, path: &str, name: &str) -> &'a str {
        match node.child(name) {
            Some(c) if !c.text.is_empty() => {
                self.check_text(c, &join(path, name));
                c.text.as_str()
            }
            Some(c) => {
                self.problem(&join(path, name), c.line, "must not be empty".into());
                ""
            }
            None => {
                self.problem(
                    &join(path, name),
                    node.line,
                    "is required but missing".into(),
                );
                ""
            }
        }
    }

    /// The text of an optional child ("" when absent).
    fn optional<'a>(&mut self, node: &'a Node, path: &str, name: &str) -> &'a str {
        match node.child(name) {
            Some(c) => {
                self.check_text(c, &join(path, name));
                c.text.as_str()
            }
            None => "",
        }
    }

    fn check_text(&mut self, node: &Node, path: &str) {
        if node
            .text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            self.problem(path, node.line, "contains control characters".into());
        }
        if node.text.chars().count() > 4000 {
            self.problem(path, node.line, "is longer than 4000 characters".into());
        }
    }

    fn date_time(
        &mut self,
        node: &Node,
        path: &str,
        name: &str,
        required: bool,
    ) -> Option<Timestamp> {
        let text = if required {
            self.required(node, path, name)
        } else {
            self.optional(node, path, name)
        };
        if text.is_empty() {
            return None;
        }
        let line = node.child(name).map_or(node.line, |c| c.line);
        match parse_sql_date(text) {
            Some(t) if t.date().year >= 1753 => Some(t),
            Some(_) => {
                self.problem(
                    &join(path, name),
                    line,
                    format!("{text:?} is before 1753-01-01, the earliest date goAML accepts"),
                );
                None
            }
            None => {
                self.problem(
                    &join(path, name),
                    line,
                    format!("{text:?} is not a date-time such as 2026-05-24T14:30:00"),
                );
                None
            }
        }
    }

    fn country(&mut self, node: &Node, path: &str, name: &str, required: bool) -> String {
        let text = if required {
            self.required(node, path, name)
        } else {
            self.optional(node, path, name)
        };
        if !text.is_empty() && !nexus_model::codes::is_country_code(text) {
            let line = node.child(name).map_or(node.line, |c| c.line);
            let why = if is_upper_code(text, 2) {
                "is not on the ISO 3166 country code list"
            } else {
                "is not an ISO 3166 alpha-2 country code (two capital letters, e.g. TJ)"
            };
            self.problem(&join(path, name), line, format!("{text:?} {why}"));
        }
        text.to_string()
    }

    fn code(&mut self, node: &Node, path: &str, name: &str) -> String {
        let text = self.required(node, path, name);
        if !text.is_empty() && !is_code(text) {
            let line = node.child(name).map_or(node.line, |c| c.line);
            self.problem(
                &join(path, name),
                line,
                format!("{text:?} is not a code (letters and digits, at most 20)"),
            );
        }
        text.to_string()
    }

    fn report(&mut self, root: &Node) -> ReceivedReport {
        let p = "report";
        for child in &root.children {
            if !HEADER.contains(&child.name.as_str()) {
                self.problem(
                    &join(p, &child.name),
                    child.line,
                    "is not an element of a goAML report".into(),
                );
            }
        }
        let rentity_text = self.required(root, p, "rentity_id");
        let rentity_id = match rentity_text.parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ => {
                if !rentity_text.is_empty() {
                    let line = root.child("rentity_id").map_or(root.line, |c| c.line);
                    self.problem(
                        "report/rentity_id",
                        line,
                        format!("{rentity_text:?} is not a positive integer"),
                    );
                }
                0
            }
        };
        let submission_code = self.required(root, p, "submission_code").to_string();
        if !submission_code.is_empty() && submission_code != "E" && submission_code != "M" {
            let line = root.child("submission_code").map_or(root.line, |c| c.line);
            self.problem(
                "report/submission_code",
                line,
                format!("{submission_code:?} must be E (electronic) or M (manual)"),
            );
        }
        let report_code = self.code(root, p, "report_code");
        let entity_reference = self.required(root, p, "entity_reference").to_string();
        if entity_reference.chars().count() > 255 {
            self.problem(
                "report/entity_reference",
                root.line,
                "is longer than 255 characters".into(),
            );
        }
        let date_name =
            if root.child("report_date").is_some() && root.child("submission_date").is_none() {
                "report_date"
            } else {
                "submission_date"
            };
        let submitted = self.date_time(root, p, date_name, true);
        self.submitted = submitted;
        let submission_date = submitted.unwrap_or_default();
        let currency = self.required(root, p, "currency_code_local").to_string();
        if !currency.is_empty() && !nexus_model::codes::is_currency_code(&currency) {
            let line = root
                .child("currency_code_local")
                .map_or(root.line, |c| c.line);
            self.problem(
                "report/currency_code_local",
                line,
                format!("{currency:?} is not an ISO 4217 currency code"),
            );
        }
        if let Some(rp) = root.child("reporting_person") {
            self.required(rp, "report/reporting_person", "first_name");
            self.required(rp, "report/reporting_person", "last_name");
        }
        let transactions_nodes: Vec<&Node> = root.children_named("transaction").collect();
        let activity = root.child("activity");
        let mut transactions = Vec::new();
        match (transactions_nodes.is_empty(), activity) {
            (true, None) => self.problem(
                p,
                root.line,
                "a report needs at least one <transaction> or an <activity>".into(),
            ),
            (false, Some(a)) => self.problem(
                "report/activity",
                a.line,
                "a report has either transactions or an activity, not both".into(),
            ),
            _ => {}
        }
        for (i, t) in transactions_nodes.iter().enumerate() {
            let path = format!("report/transaction[{}]", i + 1);
            if let Some(t) = self.transaction(t, &path) {
                transactions.push(t);
            }
        }
        if let Some(a) = activity {
            let parties = a.child("report_parties");
            let list: Vec<&Node> = parties
                .map(|n| n.children_named("report_party").collect())
                .unwrap_or_default();
            if list.is_empty() {
                self.problem(
                    "report/activity/report_parties",
                    a.line,
                    "an activity needs at least one <report_party>".into(),
                );
            }
            for (i, rp) in list.iter().enumerate() {
                let path = format!("report/activity/report_parties/report_party[{}]", i + 1);
                self.party_choice(rp, &path, "", "report_party", None);
            }
        }
        let indicators = root
            .child("report_indicators")
            .map(|n| {
                n.children_named("indicator")
                    .map(|i| i.text.clone())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        ReceivedReport {
            rentity_id,
            rentity_branch: root.child_text("rentity_branch").to_string(),
            submission_code,
            report_code,
            entity_reference,
            fiu_ref_number: root.child_text("fiu_ref_number").to_string(),
            submission_date,
            currency_code_local: currency,
            reason: self.optional(root, p, "reason").to_string(),
            action: self.optional(root, p, "action").to_string(),
            indicators,
            transactions,
            subjects: std::mem::take(&mut self.subjects),
        }
    }

    fn transaction(&mut self, t: &Node, path: &str) -> Option<ReportedTransaction> {
        let before = self.problem_count();
        let number = self.required(t, path, "transactionnumber").to_string();
        let date = self.date_time(t, path, "date_transaction", true);
        let transmode_code = self.code(t, path, "transmode_code");
        let amount_text = self.required(t, path, "amount_local");
        let amount = match Minor::parse(amount_text) {
            Ok(m) if m.0 > 0 => m,
            Ok(_) => {
                self.problem(
                    &join(path, "amount_local"),
                    t.line,
                    format!("{amount_text:?} must be greater than zero"),
                );
                Minor(0)
            }
            Err(_) => {
                if !amount_text.is_empty() {
                    let line = t.child("amount_local").map_or(t.line, |c| c.line);
                    self.problem(
                        &join(path, "amount_local"),
                        line,
                        format!("{amount_text:?} is not a decimal amount such as 1250.50"),
                    );
                }
                Minor(0)
            }
        };
        let (from, to) = if let Some(parties) = t.child("involved_parties") {
            for (i, party) in parties.children_named("party").enumerate() {
                let pp = format!("{path}/involved_parties/party[{}]", i + 1);
                self.party_choice(party, &pp, "", "involved_party", None);
            }
            (None, None)
        } else {
            let from = self.side(t, path, "from");
            let to = self.side(t, path, "to");
            (from, to)
        };
        if self.problem_count() > before {
            return None;
        }
        Some(ReportedTransaction {
            number,
            internal_ref: t.child_text("internal_ref_number").to_string(),
            date: date?,
            transmode_code,
            amount,
            description: t.child_text("transaction_description").to_string(),
            from,
            to,
            line: t.line,
        })
    }

    /// `t_from` / `t_from_my_client` (or `to`).
    fn side(&mut self, t: &Node, path: &str, dir: &str) -> Option<ReportedSide> {
        let plain = format!("t_{dir}");
        let mine = format!("t_{dir}_my_client");
        let (node, my_client, name) = match (t.child(&plain), t.child(&mine)) {
            (Some(n), None) => (n, false, plain),
            (None, Some(n)) => (n, true, mine),
            (Some(_), Some(n)) => {
                self.problem(
                    &join(path, &mine),
                    n.line,
                    format!("a transaction has one {dir} side: <{plain}> or <{mine}>, not both"),
                );
                return None;
            }
            (None, None) => {
                self.problem(
                    &join(path, &plain),
                    t.line,
                    format!("is required but missing (or <{mine}>, or <involved_parties>)"),
                );
                return None;
            }
        };
        let sp = join(path, &name);
        let funds_code = self.code(node, &sp, &format!("{dir}_funds_code"));
        let country = self.country(node, &sp, &format!("{dir}_country"), true);
        let prefix = format!("{dir}_");
        let (subject, account) =
            self.party_choice(node, &sp, &prefix, &format!("{dir}_party"), Some(my_client));
        Some(ReportedSide {
            my_client,
            funds_code,
            country,
            account,
            subject,
        })
    }

    /// The choice of account, person or entity under `node`, with element
    /// names `{prefix}account` etc. (report parties use bare names and
    /// `_my_client` suffixes). Returns the subject index and the account.
    fn party_choice(
        &mut self,
        node: &Node,
        path: &str,
        prefix: &str,
        role: &str,
        side_my_client: Option<bool>,
    ) -> (Option<usize>, Option<ReportedAccount>) {
        let mut found: Vec<(&Node, &str, bool)> = Vec::new();
        for what in ["account", "person", "entity"] {
            let plain = format!("{prefix}{what}");
            if let Some(n) = node.child(&plain) {
                found.push((n, what, side_my_client.unwrap_or(false)));
            }
            if side_my_client.is_none() {
                if let Some(n) = node.child(&format!("{what}_my_client")) {
                    found.push((n, what, true));
                }
            }
        }
        if found.len() != 1 {
            let message = if found.is_empty() {
                format!("needs one of <{prefix}account>, <{prefix}person> or <{prefix}entity>")
            } else {
                "has more than one of account, person and entity".to_string()
            };
            self.problem(path, node.line, message);
            return (None, None);
        }
        let (n, what, my_client) = found[0];
        let p = join(path, &n.name);
        match what {
            "person" => (self.person(n, &p, role, my_client, None), None),
            "entity" => (self.entity(n, &p, role, my_client, None), None),
            _ => self.account(n, &p, my_client),
        }
    }

    fn account(
        &mut self,
        n: &Node,
        path: &str,
        my_client: bool,
    ) -> (Option<usize>, Option<ReportedAccount>) {
        let number = self.required(n, path, "account").to_string();
        let swift = self.optional(n, path, "swift");
        let institution_name = self.optional(n, path, "institution_name");
        let institution = if !swift.is_empty() {
            swift
        } else {
            institution_name
        };
        if institution.is_empty() {
            self.problem(
                path,
                n.line,
                "an account needs <institution_name> or <swift>".into(),
            );
        }
        let account = ReportedAccount {
            institution: institution.to_string(),
            number,
            currency: self.optional(n, path, "currency_code").to_string(),
            name: self.optional(n, path, "account_name").to_string(),
        };
        let key = account.key();
        let mut first_subject = None;
        if let Some(e) = n.child("t_entity") {
            let s = self.entity(
                e,
                &join(path, "t_entity"),
                "account owner",
                my_client,
                Some(&key),
            );
            first_subject = first_subject.or(s);
        }
        let signatories: Vec<&Node> = n.children_named("signatory").collect();
        if my_client && signatories.is_empty() && n.child("t_entity").is_none() {
            self.problem(
                path,
                n.line,
                "an own client's account needs a <signatory> or <t_entity>".into(),
            );
        }
        // The primary signatory stands for the side; others are recorded too.
        let mut primary = None;
        for (i, s) in signatories.iter().enumerate() {
            let sp = format!("{path}/signatory[{}]", i + 1);
            match s.child("t_person") {
                Some(person) => {
                    let idx = self.person(
                        person,
                        &join(&sp, "t_person"),
                        "signatory",
                        my_client,
                        Some(&key),
                    );
                    if primary.is_none()
                        || s.child_text("is_primary") == "1"
                        || s.child_text("is_primary") == "true"
                    {
                        primary = primary.or(idx);
                    }
                }
                None => self.problem(&sp, s.line, "a signatory needs a <t_person>".into()),
            }
        }
        (first_subject.or(primary), Some(account))
    }

    /// The places of a person's or entity's `addresses/address` (or of bare
    /// `address` children, as some FIUs' samples write them).
    fn places(&mut self, n: &Node, path: &str) -> Vec<ReportedPlace> {
        let (base, addresses) = match n.child("addresses") {
            Some(x) => (
                join(path, "addresses"),
                x.children_named("address").collect::<Vec<_>>(),
            ),
            None => (path.to_string(), n.children_named("address").collect()),
        };
        let mut places: Vec<ReportedPlace> = Vec::new();
        for (i, a) in addresses.iter().enumerate() {
            // A bare `address` holding only text is a street line, not a place.
            if a.children.is_empty() {
                continue;
            }
            let ap = format!("{base}/address[{}]", i + 1);
            let mut place = ReportedPlace {
                town: self.optional(a, &ap, "town").trim().to_string(),
                city: self.optional(a, &ap, "city").trim().to_string(),
                state: self.optional(a, &ap, "state").trim().to_string(),
                country: self.country(a, &ap, "country_code", false),
            };
            for (name, text) in [
                ("town", &mut place.town),
                ("city", &mut place.city),
                ("state", &mut place.state),
            ] {
                if text.chars().count() > 255 {
                    let line = a.child(name).map_or(a.line, |c| c.line);
                    self.problem(
                        &join(&ap, name),
                        line,
                        "is longer than 255 characters".into(),
                    );
                    text.clear();
                }
            }
            if (!place.names().is_empty() || !place.country.is_empty())
                && !places.contains(&place)
                && places.len() < MAX_PLACES
            {
                places.push(place);
            }
        }
        places
    }

    fn person(
        &mut self,
        n: &Node,
        path: &str,
        role: &str,
        my_client: bool,
        account: Option<&str>,
    ) -> Option<usize> {
        let first = self.required(n, path, "first_name");
        let middle = self.optional(n, path, "middle_name");
        let last = self.required(n, path, "last_name");
        for (name, text) in [
            ("first_name", first),
            ("middle_name", middle),
            ("last_name", last),
        ] {
            if text.chars().count() > 100 {
                self.problem(
                    &join(path, name),
                    n.line,
                    "is longer than 100 characters".into(),
                );
            }
        }
        let mut birth = self.date_time(n, path, "birthdate", my_client);
        if let (Some(b), Some(submitted)) = (birth, self.submitted) {
            if b > submitted {
                let line = n.child("birthdate").map_or(n.line, |c| c.line);
                self.problem(
                    &join(path, "birthdate"),
                    line,
                    format!("{b} is after the report's submission date {submitted}"),
                );
                birth = None;
            } else if b.date().year < 1900 {
                let line = n.child("birthdate").map_or(n.line, |c| c.line);
                self.problem(
                    &join(path, "birthdate"),
                    line,
                    format!("{b} is before 1900"),
                );
                birth = None;
            }
        }
        let mut countries = Vec::new();
        for name in ["nationality1", "nationality2", "nationality3", "residence"] {
            let required = my_client && name == "nationality1";
            let c = self.country(n, path, name, required);
            if !c.is_empty() && !countries.contains(&c) {
                countries.push(c);
            }
        }
        let mut identifiers = Vec::new();
        for (kind, name) in [
            ("passport", "passport_number"),
            ("id", "id_number"),
            ("ssn", "ssn"),
        ] {
            let v = self.optional(n, path, name);
            if !v.is_empty() && !identifiers.iter().any(|(_, x): &(String, String)| x == v) {
                identifiers.push((kind.to_string(), v.to_string()));
            }
        }
        let idents = n.child("identifications").map_or_else(
            || n.children_named("identification").collect::<Vec<_>>(),
            |x| x.children_named("identification").collect(),
        );
        for ident in idents {
            let number = ident.child_text("number");
            if !number.is_empty() && !identifiers.iter().any(|(_, x)| x == number) {
                identifiers.push((ident.child_text("type").to_lowercase(), number.to_string()));
            }
        }
        let places = self.places(n, path);
        if first.is_empty() && last.is_empty() {
            return None;
        }
        let name = [first, middle, last]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        self.subjects.push(ReportedSubject {
            kind: ReportedKind::Person,
            name,
            birth_date: birth
                .map(|t| t.date())
                .filter(|d| !(d.year == 1900 && d.month == 1 && d.day == 1)),
            countries,
            identifiers,
            role: role.to_string(),
            account: account.map(str::to_string),
            places,
            my_client,
            path: path.to_string(),
            line: n.line,
        });
        Some(self.subjects.len() - 1)
    }

    fn entity(
        &mut self,
        n: &Node,
        path: &str,
        role: &str,
        my_client: bool,
        account: Option<&str>,
    ) -> Option<usize> {
        let name = self.required(n, path, "name").to_string();
        if name.chars().count() > 255 {
            self.problem(
                &join(path, "name"),
                n.line,
                "is longer than 255 characters".into(),
            );
        }
        let mut countries = Vec::new();
        let c = self.country(n, path, "incorporation_country_code", my_client);
        if !c.is_empty() {
            countries.push(c);
        }
        let mut identifiers = Vec::new();
        let number = self.optional(n, path, "incorporation_number");
        if !number.is_empty() {
            identifiers.push(("incorporation".to_string(), number.to_string()));
        }
        let places = self.places(n, path);
        for (i, d) in n.children_named("director_id").enumerate() {
            self.person(
                d,
                &format!("{path}/director_id[{}]", i + 1),
                "director",
                false,
                account,
            );
        }
        if name.is_empty() {
            return None;
        }
        self.subjects.push(ReportedSubject {
            kind: ReportedKind::Entity,
            name,
            birth_date: None,
            countries,
            identifiers,
            role: role.to_string(),
            account: account.map(str::to_string),
            places,
            my_client,
            path: path.to_string(),
            line: n.line,
        });
        Some(self.subjects.len() - 1)
    }
}

fn is_upper_code(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_code(text: &str) -> bool {
    text.len() <= 20 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// goAML `sql_date`: `YYYY-MM-DDTHH:MM:SS` (optionally with fraction or zone),
/// or a bare `YYYY-MM-DD`.
pub fn parse_sql_date(text: &str) -> Option<Timestamp> {
    if text.len() == 10 {
        return Date::parse(text).ok().map(Date::midnight);
    }
    if let Ok(t) = Timestamp::parse_rfc3339(text) {
        return Some(t);
    }
    Timestamp::parse_rfc3339(&format!("{text}Z")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<report>
  <rentity_id>111</rentity_id>
  <submission_code>E</submission_code>
  <report_code>STR</report_code>
  <entity_reference>STR-1</entity_reference>
  <submission_date>2026-02-11T16:20:27</submission_date>
  <currency_code_local>KGS</currency_code_local>
  <transaction>
    <transactionnumber>T1</transactionnumber>
    <transaction_location>HQ</transaction_location>
    <transaction_description>transfer</transaction_description>
    <date_transaction>2026-01-30T12:45:52</date_transaction>
    <transmode_code>E</transmode_code>
    <amount_local>296636.39</amount_local>
    <t_from>
      <from_funds_code>E</from_funds_code>
      <from_person><first_name>Чынгыз</first_name><last_name>Бакыт уулу</last_name></from_person>
      <from_country>KG</from_country>
    </t_from>
    <t_to_my_client>
      <to_funds_code>E</to_funds_code>
      <to_account>
        <swift>NXKGB1XX</swift><account>A1</account>
        <signatory><is_primary>1</is_primary><t_person>
          <first_name>عبد الله</first_name><last_name>Rahimov</last_name>
          <birthdate>1984-04-26T00:00:00</birthdate><id_number>AC1</id_number>
          <nationality1>TJ</nationality1>
        </t_person></signatory>
      </to_account>
      <to_country>KG</to_country>
    </t_to_my_client>
  </transaction>
</report>"#;

    /// [`MINIMAL`] with the sender's name replaced and no Arabic script (for single-byte encodings).
    fn report_with_name(first: &str, last: &str) -> String {
        MINIMAL
            .replace("Чынгыз", first)
            .replace("Бакыт уулу", last)
            .replace("عبد الله", "Abdullah")
    }

    #[test]
    fn reads_a_bi_party_report_with_cyrillic_and_arabic_names() {
        let r = read_goaml_report("r.xml", MINIMAL.as_bytes()).unwrap();
        assert_eq!(r.entity_reference, "STR-1");
        assert_eq!(r.transactions.len(), 1);
        let t = &r.transactions[0];
        assert_eq!(t.amount, Minor(29_663_639));
        let from = &r.subjects[t.from.as_ref().unwrap().subject.unwrap()];
        assert_eq!(from.name, "Чынгыз Бакыт уулу");
        let to = t.to.as_ref().unwrap();
        assert!(to.my_client);
        assert_eq!(to.account.as_ref().unwrap().key(), "NXKGB1XX|A1");
        let holder = &r.subjects[to.subject.unwrap()];
        assert_eq!(holder.name, "عبد الله Rahimov");
        assert_eq!(holder.birth_date, Date::new(1984, 4, 26));
        assert_eq!(
            holder.identifiers,
            vec![("id".to_string(), "AC1".to_string())]
        );
    }

    #[test]
    fn keeps_the_places_of_addresses_but_not_the_street() {
        let xml = MINIMAL.replace(
            "<nationality1>TJ</nationality1>",
            "<nationality1>TJ</nationality1><addresses>\
             <address><address_type>PRIVT</address_type><address>Str. 5</address>\
             <city>قندوز</city><state>Kunduz Province</state><country_code>AF</country_code></address>\
             <address><address_type>PRIVT</address_type><address>x</address>\
             <city>Kunduz Province</city><country_code>XX</country_code></address>\
             </addresses>",
        );
        let problems = read_goaml_report("r.xml", xml.as_bytes()).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0]
            .path
            .ends_with("t_person/addresses/address[2]/country_code"));
        let r = read_goaml_report("r.xml", xml.replace("XX", "AF").as_bytes()).unwrap();
        let holder = r
            .subjects
            .iter()
            .find(|s| s.name.contains("Rahimov"))
            .unwrap();
        assert_eq!(holder.places.len(), 2);
        assert_eq!(holder.places[0].names(), vec!["قندوز", "Kunduz Province"]);
        assert_eq!(holder.places[0].country, "AF");
        assert!(r.subjects[0].places.is_empty());
    }

    #[test]
    fn lists_every_problem_with_path_and_line() {
        let bad = MINIMAL
            .replace("<rentity_id>111</rentity_id>", "<rentity_id>x</rentity_id>")
            .replace(
                "<amount_local>296636.39</amount_local>",
                "<amount_local>-5</amount_local>",
            )
            .replace(
                "<birthdate>1984-04-26T00:00:00</birthdate>",
                "<birthdate>26.04.1984</birthdate>",
            )
            .replace("<from_country>KG</from_country>", "");
        let problems = read_goaml_report("r.xml", bad.as_bytes()).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert!(paths.contains(&"report/rentity_id"), "{problems:?}");
        assert!(paths.contains(&"report/transaction[1]/amount_local"));
        assert!(paths.contains(
            &"report/transaction[1]/t_to_my_client/to_account/signatory[1]/t_person/birthdate"
        ));
        assert!(paths.contains(&"report/transaction[1]/t_from/from_country"));
        assert!(problems.iter().all(|p| p.line > 0));
    }

    #[test]
    fn malformed_xml_names_the_line() {
        let problems = read_goaml_report(
            "r.xml",
            b"<report>\n<rentity_id>1</rentity_id>\n<oops></report>",
        )
        .unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].line >= 3, "{problems:?}");
    }

    #[test]
    fn a_report_needs_transactions_or_an_activity() {
        let start = MINIMAL.find("<transaction>").unwrap();
        let end = MINIMAL.find("</report>").unwrap();
        let empty = format!("{}{}", &MINIMAL[..start], &MINIMAL[end..]);
        let problems = read_goaml_report("r.xml", empty.as_bytes()).unwrap_err();
        assert!(problems[0].message.contains("at least one <transaction>"));
    }

    #[test]
    fn problems_are_bounded_and_counted() {
        let mut xml = String::from("<report>");
        for _ in 0..5000 {
            xml.push_str("<unknown_element/>");
        }
        xml.push_str("</report>");
        let limits = ReportLimits {
            max_problems: 50,
            ..ReportLimits::default()
        };
        let problems = read_goaml_report_within("r.xml", xml.as_bytes(), limits).unwrap_err();
        assert_eq!(problems.len(), 51);
        let last = &problems[50].message;
        assert!(last.contains("more problems not listed"), "{last}");
    }

    #[test]
    fn deep_nesting_and_huge_reports_are_refused_not_crashing() {
        let depth = 200_000;
        let xml = format!(
            "<report>{}{}</report>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        );
        let problems = read_goaml_report("r.xml", xml.as_bytes()).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("nested deeper"),
            "{:?}",
            problems[0]
        );
        let many = format!("<report>{}</report>", "<x/>".repeat(600_000));
        let problems = read_goaml_report("r.xml", many.as_bytes()).unwrap_err();
        assert!(
            problems[0].message.contains("more than 500000 elements"),
            "{:?}",
            problems[0]
        );
    }

    #[test]
    fn reports_in_the_regions_encodings_are_read() {
        let utf8 = report_with_name("Джамшед", "Рахимов");
        let declared = utf8.replacen("encoding=\"UTF-8\"", "encoding=\"windows-1251\"", 1);
        let (cp1251, _, unmappable) = encoding_rs::WINDOWS_1251.encode(&declared);
        assert!(!unmappable);
        let r = read_goaml_report("r.xml", &cp1251).expect("windows-1251 report");
        assert!(
            r.subjects.iter().any(|s| s.name.contains("Рахимов")),
            "{:?}",
            r.subjects
        );
        // UTF-16 with a byte-order mark.
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in utf8.replacen("UTF-8", "UTF-16", 1).encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let r = read_goaml_report("r.xml", &utf16).expect("UTF-16 report");
        assert!(r.subjects.iter().any(|s| s.name.contains("Джамшед")));
        // ISO-8859-1 (Latin names with diacritics).
        let latin = report_with_name("José", "Müller").replacen("UTF-8", "ISO-8859-1", 1);
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&latin);
        let r = read_goaml_report("r.xml", &bytes).expect("ISO-8859-1 report");
        assert!(r.subjects.iter().any(|s| s.name.contains("Müller")));
        // A name the declaration does not know, or bytes invalid in it: a located problem.
        let unknown = utf8.replacen("UTF-8", "klingon-1", 1);
        let problems = read_goaml_report("r.xml", unknown.as_bytes()).unwrap_err();
        assert!(
            problems[0].message.contains("klingon-1"),
            "{:?}",
            problems[0]
        );
    }
}
