//! Explanations as data. What an engine says about an alert or a match is
//! kept as phrases — a key from a closed list and the values it names —
//! not as a finished English sentence, so that each reader gets it in
//! their language: the command line and the API write English (`Display`),
//! the UI renders the same phrases with the wording of the user's locale
//! file (`say.<key>` for the sentences, `num.*`, `money.*` and `unit.*`
//! for numbers, amounts and durations).
//!
//! Hand-written rather than taken from a localisation library (Fluent,
//! gettext): the phrases are few, their values typed (an amount in several
//! currencies, a duration, an account with its holder), and the locale
//! files stay the UI's one plain `key = text` format translators already
//! edit.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Declares the phrase keys with their English text, once.
macro_rules! phrases {
    ($($variant:ident => $key:literal : $english:literal),+ $(,)?) => {
        vocabulary! {
            /// Every sentence nexus says to a user: the engines'
            /// explanations and the use cases' refusals. The spelling is
            /// the locale key's suffix (`say.fan_in`); `{name}` marks a value.
            PhraseKey { $($variant => $key),+ }
        }

        impl PhraseKey {
            /// The English text, with `{name}` where each value goes.
            pub fn english(self) -> &'static str {
                match self { $(PhraseKey::$variant => $english),+ }
            }
        }
    };
}

phrases! {
    FanIn => "fan_in": "account {account} received {money} in {count} transactions from {parties} distinct accounts within {span}, {new_share} of them one-off counterparties (rule: ≥ {min} counterparties within {window})",
    FanOut => "fan_out": "account {account} sent {money} in {count} transactions to {parties} distinct accounts within {span}, {new_share} of them one-off counterparties (rule: ≥ {min} counterparties within {window})",
    ScatterGather => "scatter_gather": "account {account} scattered {money} over {count} intermediaries that passed it on to account {target} within {span} (rule: ≥ {min} intermediaries within {window})",
    GatherScatter => "gather_scatter": "account {account} gathered {money_in} from {sources} accounts and sent {money_out} on to {targets} accounts within {span} (rule: ≥ {min} in and ≥ {min} out within {window})",
    Cycle => "cycle": "money went round {path} in {hops} hops within {span}: {first} left at the first hop, {last} came back at the last (rule: cycles of {min}–{max} accounts with increasing times within {window})",
    PassThrough => "pass_through": "account {account} passed on {passed} of {received} received, {count} times, each within {delay} (kept {kept}) (rule: ≥ {min} times out again within {window} at ≥ {ratio} of the amount)",
    StructuringReceived => "structuring_received": "account {account} received {count} transactions of {band}–100% of the {threshold} reporting threshold within {span} ({local} in all, {cash} in cash) (rule: ≥ {min} within {window})",
    StructuringMade => "structuring_made": "account {account} made {count} transactions of {band}–100% of the {threshold} reporting threshold within {span} ({local} in all, {cash} in cash) (rule: ≥ {min} within {window})",
    DesignatedActivity => "designated_activity": "designated account {account} moved money: {count} transactions, {received} received and {sent} sent, with {parties} counterparties (rule: any movement on a designated account; freeze without delay)",
    HighRiskArea => "high_risk_area": "account {account}, held in a high-risk area, received {money} in {count} cross-border transfers from {senders} senders within {span} (rule: ≥ {min} senders by remittance or informal value transfer within {window})",
    HighRiskAreaNamed => "high_risk_area_named": "account {account}, held in {area} (a high-risk area), received {money} in {count} cross-border transfers from {senders} senders within {span} (rule: ≥ {min} senders by remittance or informal value transfer within {window})",
    NexusPath => "nexus_path": "money from predicate-offence account {source} reached designated/high-risk account {target} in {hops} hops within {span} via {path} ({money} at its first hop) (rule: ≤ {max} hops within {window})",
    Layer => "layer": "accounts {senders} ({sender_count} senders) paid accounts {receivers} ({receiver_count} receivers) across the board: {pairs} of {possible} possible sender–receiver pairs, {money} in {count} transfers of similar size within {span}, all new counterparties",
    SecondLayer => "second_layer": "; they passed {money} ({share}) on across the board to accounts {receivers} ({receiver_count} receivers, {pairs} of {possible} pairs) — two layers",
    LayerRule => "layer_rule": " (rule: ≥ 2 senders each paying ≥ 2 shared receivers, ≥ {density} of the pairs, largest payment ≤ {spread}× the smallest, within {window})",
    Episode => "episode": "; the pattern went on: {windows} windows over {span}, {count} transactions with {accounts} accounts, {money} in all",
    ModelSuppressed => "model_suppressed": " — suppressed: the model gives it probability {probability} (threshold {threshold}; {kept} of {count} transactions at least {floor})",
    ModelKept => "model_kept": " — model: probability {probability} (threshold {threshold})",
    ModelSetAside => "model_set_aside": "; {count} of the window's transactions look ordinary to it and are left out",
    ModelGroup => "model_group": "the model scores {count} transactions among {accounts} accounts within {span} as laundering (probability {mean} on average, up to {best}; threshold {threshold}; {money} in all) although no rule's shape is complete: ",
    ModelGroupSent => "model_group_sent": "account {account} sent {sent} in {sent_count} transactions",
    ModelGroupReceived => "model_group_received": "account {account} received {received} in {received_count} transactions",
    ModelGroupBoth => "model_group_both": "account {account} received {received} in {received_count} transactions and sent {sent} in {sent_count}",
    StreamFanIn => "stream_fan_in": "account {account} received {money} from {parties} distinct accounts in the last {window} (rule: ≥ {min} counterparties within {window})",
    StreamFanOut => "stream_fan_out": "account {account} sent {money} to {parties} distinct accounts in the last {window} (rule: ≥ {min} counterparties within {window})",
    StreamPassThrough => "stream_pass_through": "account {account} passed money straight on {count} times, each within {window} at ≥ {ratio} of what came in ({money} received)",
    StreamStructuringReceived => "stream_structuring_received": "account {account} received {count} transactions just below the {threshold} reporting threshold in the last {window}",
    StreamStructuringMade => "stream_structuring_made": "account {account} made {count} transactions just below the {threshold} reporting threshold in the last {window}",
    StreamCycle => "stream_cycle": "money went round {path} in {hops} hops within {span}",
    NotConfirmed => "not_confirmed": " — not confirmed by the run over the whole network",
    RaisedAtIntake => "raised_at_intake": " — raised at intake from the recent past only; the next run over the whole network confirms it or puts it below the fold",
    ScreeningMatch => "screening_match": "\"{name}\" matches \"{listed}\" ({list} {entry} {reference}) with score {score}: ",
    MatchPart => "match_part": "{query}~{listed} {evidence} {similarity}",
    QueryOnly => "query_only": "query only: {parts}",
    ListOnly => "list_only": "list only: {parts}",
    Via => "via": "via {quality}",
    Adjustment => "adjustment": "{what} {delta}",
    ReadAs => "read_as": "read as \"{text}\"",
    SameLetters => "same_letters": "the names' letters agree, spaced otherwise",
    LettersOneApart => "letters_one_apart": "the names' letters agree but for one typed letter",
    BirthDates => "birth_dates": "birth {query} vs listed {listed}",
    Nationality => "nationality": "nationality {country}",
    CountryInAddresses => "country_in_addresses": "country {country} in addresses",
    CountryNotNationality => "country_not_nationality": "country {country} not listed nationality {listed}",
    DocumentMatches => "document_matches": "document {document} matches listed {kind}",
    PatronymicConflict => "patronymic_conflict": "patronymic {query} vs listed {listed}",
    NumberConflict => "number_conflict": "number {query} vs listed {listed}",
    GenderConflict => "gender_conflict": "surname {query} vs listed {listed} (the other gender's form)",
    Separator => "separator": "; ",

    // What the use cases answer when they refuse (nexus-fiu, the server).
    Verbatim => "verbatim": "{text}",
    NoAlert => "no_alert": "no alert {id}",
    NoCase => "no_case": "no case {id}",
    NoEntity => "no_entity": "no entity {id}",
    NoFreeze => "no_freeze": "no freeze {id}",
    NoClearance => "no_clearance": "no clearance request {id}",
    NoModel => "no_model": "no model {id}",
    NoUser => "no_user": "no user {id}",
    NoToken => "no_token": "no live API token {id}",
    NoAccount => "no_account": "no account {key}: give it as BIC|number, as the account pages show it",
    NotFound => "not_found": "not found",
    UnknownAlertAction => "unknown_alert_action": "unknown action {action}: use assign, escalate, dismiss or reopen",
    DismissNeedsReason => "dismiss_needs_reason": "dismissing an alert needs a reason of at least {min} characters",
    ListMatchNeedsClearance => "list_match_needs_clearance": "a list match is not dismissed by one person: request a clearance with its justification, and a supervisor decides",
    CaseTitleTooShort => "case_title_too_short": "a case title has at least {min} characters",
    CaseOrTitle => "case_or_title": "name an existing case reference or a title of at least {min} characters",
    CaseClosed => "case_closed": "{reference} is closed: a supervisor reopens it before anything is added",
    CaseNotClosed => "case_not_closed": "{reference} is not closed",
    NotAnInvestigator => "not_an_investigator": "{name} is not an analyst or supervisor of this FIU",
    AnalystTakesCases => "analyst_takes_cases": "an analyst takes an unassigned case for themselves; a supervisor assigns cases to others",
    SupervisorCloses => "supervisor_closes": "a supervisor closes a case",
    SupervisorReopens => "supervisor_reopens": "a supervisor reopens a case",
    ClosingReason => "closing_reason": "give the reason for closing (at least {min} characters)",
    ReopeningReason => "reopening_reason": "give the reason for reopening (at least {min} characters)",
    MeasuresOpen => "measures_open": "{count} provisional measure(s) still proposed or in force: decide, lift or record their outcome first",
    EmptyNote => "empty_note": "an empty note",
    FreezeExpiresAfterIssue => "freeze_expires_after_issue": "a freeze expires after it is issued",
    FreezeNamesAssets => "freeze_names_assets": "a freeze names the assets and its legal basis",
    EntityNotSubject => "entity_not_subject": "entity {id} is not a subject of this case; add it to the case first",
    AccountNotInCase => "account_not_in_case": "account {id} is not in this case; add it to the case first",
    AccountIsCounterparty => "account_is_counterparty": "account {key} is a counterparty of this case; make it a subject first",
    SupervisorDecidesFreeze => "supervisor_decides_freeze": "a freeze is approved or rejected by a supervisor",
    FreezeRejectionReason => "freeze_rejection_reason": "say why the freeze is rejected",
    FreezeNotProposed => "freeze_not_proposed": "freeze {id} is {status}, not proposed",
    FreezeFourEyes => "freeze_four_eyes": "the four-eyes rule: a freeze is decided by a supervisor other than the one who proposed it",
    SupervisorEndsFreeze => "supervisor_ends_freeze": "a freeze is lifted or its outcome recorded by a supervisor",
    FreezeEnd => "freeze_end": "a freeze in force ends lifted, expired or confiscated, not {status}",
    FreezeNotInForce => "freeze_not_in_force": "freeze {id} is {status}, not in force",
    SupervisorDisseminates => "supervisor_disseminates": "dissemination is decided by a supervisor",
    AgencyAndBasis => "agency_and_basis": "name the agency and the legal basis",
    DocumentBody => "document_body": "send the document as the body and its name in X-Filename",
    ClearanceJustification => "clearance_justification": "a clearance needs a justification of at least {min} characters",
    SupervisorDecidesClearance => "supervisor_decides_clearance": "clearances are decided by a supervisor",
    ApprovalSaysWhat => "approval_says_what": "an approval says what you compared (identifiers, birth date, nationality): at least {min} characters",
    RefusalReason => "refusal_reason": "say why the request is refused",
    ClearanceDecided => "clearance_decided": "clearance {id} was already {status}",
    ClearanceFourEyes => "clearance_four_eyes": "a clearance needs a second person's approval: you asked for this one",
    SupervisorActivatesModel => "supervisor_activates_model": "only a supervisor puts a detection model in force",
    SupervisorSetsAreas => "supervisor_sets_areas": "only a supervisor changes the high-risk areas",
    AreasLine => "areas_line": "high-risk areas, line {line}: {problem}",
    SupervisorSetsPredicate => "supervisor_sets_predicate": "only a supervisor changes the accounts tied to predicate offences",
    PredicateLine => "predicate_line": "accounts tied to predicate offences, line {line}: {problem}",
    ScreenNameLength => "screen_name_length": "`name` must have 1 to {max} characters",
    BirthDateFormat => "birth_date_format": "birth_date {value} is not YYYY-MM-DD",
    CountryCode => "country_code": "country {value} is not an ISO 3166 alpha-2 code",
    SubjectKindWord => "subject_kind_word": "kind {value}: use person or organisation",
    CandidatesForInvestigators => "candidates_for_investigators": "candidates below the threshold are for the FIU's analysts and supervisors",
    TooManyCandidates => "too_many_candidates": "top: at most {max} candidates below the threshold",
    TokenHasNoPassword => "token_has_no_password": "an API token has no password",
    PasswordLength => "password_length": "a password has at least {min} characters",
    PasswordUnchanged => "password_unchanged": "the new password is the current one",
    StatePurpose => "state_purpose": "state a purpose of 5 to 500 characters and a case reference",
    PurposeInSession => "purpose_in_session": "a purpose is stated in a signed-in session",
    InstitutionOnlyForBanks => "institution_only_for_banks": "reporting-entity users, and only they, belong to an institution",
    InstitutionCode => "institution_code": "institution code {code}: expected a BIC or national code of 4 to 11 letters and digits",
    InstitutionNumber => "institution_number": "the institution is the reporting entity's goAML rentity_id, a positive number",
    CannotDisableSelf => "cannot_disable_self": "you cannot disable yourself",
    RoleForbids => "role_forbids": "your role does not allow this",
    AuthenticationRequired => "authentication_required": "authentication required",
    InternalError => "internal_error": "internal error; the event was logged",
    ChooseDecision => "choose_decision": "decision: {choices}",
    MessageLength => "message_length": "a message has 1 to {max} characters",
    SubjectLength => "subject_length": "a subject has 1 to {max} characters",
    ChooseReportingEntity => "choose_reporting_entity": "choose the reporting entity written to",
    NoReportingEntity => "no_reporting_entity": "no such reporting entity",
    DateField => "date_field": "{field}: YYYY-MM-DD",
    LanguageChoice => "language_choice": "language: {choices}",
    NothingFiled => "nothing_filed": "nothing was filed",
    UnknownRole => "unknown_role": "unknown role",
    InstitutionIsNumber => "institution_is_number": "institution: a number",
    NameTheList => "name_the_list": "name the list (1 to 100 characters)",
    ExchangeKind => "exchange_kind": "kind: request, reply or dissemination",
    PurposeCaseFirst => "purpose_case_first": "state the case you work on as your purpose first",
    NoSuchCase => "no_such_case": "no such case",
    BackToStart => "back_to_start": "Back to the start page",
    PurposeNamesNothing => "purpose_names_nothing": "{reference} names no case or alert in this FIU; {what}.",
    PurposeDoesNotCover => "purpose_does_not_cover": "{reference} does not cover this record: {what}.",
    QueueReadUnder => "queue_read_under": "the alert queue is read under TRIAGE",
    AlertReadUnder => "alert_read_under": "alert #{id} is read under TRIAGE, ALERT-{id} or a case that holds it",
    EntityReadUnder => "entity_read_under": "person or organisation #{id} is read under an alert that names it (ALERT-<id>) or a case it was added to",
    ReportReadUnder => "report_read_under": "the subjects of report {id} are read under an alert or a case that holds one of them",
    CaseReadUnder => "case_read_under": "a case is read under its own reference",
    AccountReadUnder => "account_read_under": "an account is read under an alert that names it (ALERT-<id>) or a case that holds it or its holder",
    SearchReadUnder => "search_read_under": "searching the FIU's data is part of investigating an alert (ALERT-n) or a case",
    PartnerMessageReadUnder => "partner_message_read_under": "a partner FIU's message is read under the case it was linked to",
    NoPurposeYet => "no_purpose_yet": "No purpose stated yet in this session.",
    PurposeUnderCase => "purpose_under_case": "state a purpose under {reference} first (open the case page)",
    ChooseFreezeTarget => "choose_freeze_target": "on: choose a subject or a subject account of the case",
    RetentionDays => "retention_days": "keep reports for {min} to {max} days",
    WrongReportingEntity => "wrong_reporting_entity": "the report names reporting entity {named} but was sent with the credentials of reporting entity {sender}",
    ProblemsFound => "problems_found": "{count} problem(s) found; correct them and submit the report again under the same reference",
    ProcessedCounts => "processed_counts": "processed: {subjects} subjects, {transactions} transactions",
    TooManyAttachments => "too_many_attachments": "a message carries at most {max} attachments",
    FieldRequired => "field_required": "required",
    FieldTooLong => "field_too_long": "at most {max} characters",
    FieldControlCharacters => "field_control_characters": "control characters are not allowed",
    ChooseCountry => "choose_country": "choose a country from the list",
    BirthDateExample => "birth_date_example": "a date such as 1985-03-14",
    DateInFuture => "date_in_future": "{date} is in the future",
    DateBefore => "date_before": "{date} is before {year}",
    ChooseReportCode => "choose_report_code": "choose STR or SAR",
    ChooseCustomerKind => "choose_customer_kind": "choose a person or an organisation",
    ChooseCurrency => "choose_currency": "choose a currency from the list",
    SameTransactionNumber => "same_transaction_number": "the same number as an earlier transaction",
    ChooseDirection => "choose_direction": "choose a direction",
    DateTimeExample => "date_time_example": "a date and time such as 2026-02-27 09:15",
    MoreThanZero => "more_than_zero": "more than zero",
    AmountExample => "amount_example": "an amount such as 12500.00",
    BicFormat => "bic_format": "a BIC of 8 or 11 letters and digits, e.g. NXTJB1XX",
    DraftNeedsReference => "draft_needs_reference": "a draft is kept under your reference: type it first",
    CsrfMismatch => "csrf_mismatch": "missing or wrong CSRF token; reload the page and try again",
}

/// An account as an explanation names it: its key (`BIC|number`) and, once
/// the FIU knows it, its holder's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRef {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
}

/// A value a phrase names, typed so that each language writes it its way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    /// One account.
    Account(AccountRef),
    /// Accounts in order, joined by arrows (a path, a cycle).
    Path(Vec<AccountRef>),
    /// Accounts as a list, the first few shown and the rest counted.
    Accounts(Vec<AccountRef>),
    /// Money in its native currencies with its USD value: `USD 5,400`,
    /// `UZS 1,000,000 (USD 80)`.
    Money {
        usd: f64,
        native: Vec<(String, f64)>,
    },
    /// One amount in one currency, whole units: `UZS 10,000,000`.
    Amount { currency: String, amount: f64 },
    /// A whole count.
    Count(u64),
    /// A duration in seconds, in minutes, hours or days as it is long.
    Duration(i64),
    /// A percentage (already × 100) with this many decimals.
    Percent { value: f64, decimals: u8 },
    /// A number with this many decimals (a probability, a score).
    Number { value: f64, decimals: u8 },
    /// A signed number with this many decimals (a score's adjustment).
    Signed { value: f64, decimals: u8 },
    /// A term of a closed vocabulary (`evidence`, `phonetic`): the locale's
    /// `term.<vocabulary>.<spelling>`, in English the spelling itself.
    Term {
        vocabulary: String,
        spelling: String,
    },
    /// Verbatim: names, list references, codes.
    Text(String),
    /// A nested phrase (what an adjustment is about).
    Phrase(Box<Phrase>),
}

/// One sentence: its key and its values by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phrase {
    pub key: PhraseKey,
    #[serde(default)]
    pub args: BTreeMap<String, Value>,
}

impl Phrase {
    pub fn new(key: PhraseKey) -> Phrase {
        Phrase {
            key,
            args: BTreeMap::new(),
        }
    }

    /// The phrase with `name` set to `value`.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Phrase {
        self.args.insert(name.to_string(), value.into());
        self
    }

    /// A text nobody has translated (a parser's message, an operator's
    /// file path): shown as it is in every language.
    pub fn verbatim(text: impl Into<String>) -> Phrase {
        Phrase::new(PhraseKey::Verbatim).with("text", Value::Text(text.into()))
    }

    /// The phrase in the reader's wording.
    pub fn render(&self, w: &dyn Wording) -> String {
        let mut out = String::new();
        self.render_into(w, &mut out);
        out
    }

    fn render_into(&self, w: &dyn Wording, out: &mut String) {
        let template = w
            .text(&format!("say.{}", self.key.as_str()))
            .unwrap_or_else(|| self.key.english());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let name = &after[..close];
                    match self.args.get(name) {
                        Some(v) => v.render_into(w, out),
                        None => {
                            out.push('{');
                            out.push_str(name);
                            out.push('}');
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
    }
}

impl fmt::Display for Phrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&English))
    }
}

/// What an alert's explanation says: phrases read one after the other
/// (each carries its own joining punctuation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Explanation(pub Vec<Phrase>);

impl Explanation {
    pub fn of(phrase: Phrase) -> Explanation {
        Explanation(vec![phrase])
    }

    /// Adds a phrase after the others.
    pub fn push(&mut self, phrase: Phrase) {
        self.0.push(phrase);
    }

    /// The explanation in the reader's wording.
    pub fn render(&self, w: &dyn Wording) -> String {
        let mut out = String::new();
        for p in &self.0 {
            p.render_into(w, &mut out);
        }
        out
    }

    /// Every account the explanation names, to fill in holders.
    pub fn accounts_mut(&mut self) -> impl Iterator<Item = &mut AccountRef> {
        fn walk<'a>(v: &'a mut Value, out: &mut Vec<&'a mut AccountRef>) {
            match v {
                Value::Account(a) => out.push(a),
                Value::Path(list) | Value::Accounts(list) => out.extend(list.iter_mut()),
                Value::Phrase(p) => p.args.values_mut().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for p in &mut self.0 {
            for v in p.args.values_mut() {
                walk(v, &mut out);
            }
        }
        out.into_iter()
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(&English))
    }
}

/// A language's way of writing the phrases and their values: a text for
/// each key it has (`say.fan_in`, `num.group`, `unit.days`, …); what it
/// lacks is written in English.
pub trait Wording {
    fn text(&self, key: &str) -> Option<&str>;
}

/// English: the phrases' own texts and these number and unit forms.
pub struct English;

impl Wording for English {
    fn text(&self, key: &str) -> Option<&str> {
        english_form(key)
    }
}

/// The forms of numbers, amounts, durations and lists every language
/// writes its way (its locale file's keys), with their English.
pub const FORMS: &[(&str, &str)] = &[
    ("num.group", ","),
    ("num.decimal", "."),
    ("money.amount", "{currency} {amount}"),
    ("money.thousands", "{amount}k"),
    ("money.native", "{native} ({usd})"),
    ("money.several", "{usd} ({native})"),
    ("unit.minutes", "{n} minutes"),
    ("unit.hours", "{n} hours"),
    ("unit.days", "{n} days"),
    ("list.more", "{list} and {n} more"),
];

/// The English form of `key`.
fn english_form(key: &str) -> Option<&'static str> {
    FORMS.iter().find(|(k, _)| *k == key).map(|(_, text)| *text)
}

fn form<'a>(w: &'a dyn Wording, key: &str) -> &'a str {
    w.text(key).or_else(|| english_form(key)).unwrap_or("")
}

/// `{name}` in `template` replaced by `value`, for the forms' one value.
fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in pairs {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Whole units with the language's thousands separator.
fn grouped(w: &dyn Wording, v: f64) -> String {
    let whole = v.round().abs() as u64;
    let digits = whole.to_string();
    let sep = form(w, "num.group");
    let mut out = String::new();
    if v.round() < 0.0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(ch);
    }
    out
}

fn decimal(w: &dyn Wording, v: f64, decimals: u8) -> String {
    let text = format!("{:.*}", decimals as usize, v);
    text.replace('.', form(w, "num.decimal"))
}

fn amount(w: &dyn Wording, currency: &str, v: f64) -> String {
    fill(
        form(w, "money.amount"),
        &[("currency", currency), ("amount", &grouped(w, v))],
    )
}

/// USD as the engines summarise it: thousands shortened from 10,000 on,
/// never "USD -0".
fn usd(w: &dyn Wording, v: f64) -> String {
    let v = if v.abs() < 0.5 { 0.0 } else { v };
    if v >= 10_000.0 {
        let thousands = fill(
            form(w, "money.thousands"),
            &[("amount", &grouped(w, v / 1000.0))],
        );
        fill(
            form(w, "money.amount"),
            &[("currency", "USD"), ("amount", &thousands)],
        )
    } else {
        amount(w, "USD", v)
    }
}

impl Value {
    /// The value in the reader's wording (a score with its decimal comma).
    pub fn render(&self, w: &dyn Wording) -> String {
        let mut out = String::new();
        self.render_into(w, &mut out);
        out
    }

    fn render_into(&self, w: &dyn Wording, out: &mut String) {
        let account = |a: &AccountRef| match &a.holder {
            Some(h) if !h.is_empty() => format!("{} ({h})", a.key),
            _ => a.key.clone(),
        };
        match self {
            Value::Account(a) => out.push_str(&account(a)),
            Value::Path(list) => {
                let parts: Vec<String> = list.iter().map(account).collect();
                out.push_str(&parts.join(" → "));
            }
            Value::Accounts(list) => {
                let parts: Vec<String> = list.iter().take(6).map(account).collect();
                if list.len() > 6 {
                    let shown = parts[..5].join(", ");
                    out.push_str(&fill(
                        form(w, "list.more"),
                        &[("list", &shown), ("n", &(list.len() - 5).to_string())],
                    ));
                } else {
                    out.push_str(&parts.join(", "));
                }
            }
            Value::Money { usd: total, native } => match native.as_slice() {
                [] => out.push_str(&usd(w, 0.0)),
                [(c, _)] if c == "USD" => out.push_str(&usd(w, *total)),
                [(c, n)] => out.push_str(&fill(
                    form(w, "money.native"),
                    &[("native", &amount(w, c, *n)), ("usd", &usd(w, *total))],
                )),
                several => {
                    let parts: Vec<String> =
                        several.iter().map(|(c, n)| amount(w, c, *n)).collect();
                    out.push_str(&fill(
                        form(w, "money.several"),
                        &[("usd", &usd(w, *total)), ("native", &parts.join(" + "))],
                    ));
                }
            },
            Value::Amount {
                currency,
                amount: a,
            } => out.push_str(&amount(w, currency, *a)),
            Value::Count(n) => out.push_str(&n.to_string()),
            Value::Duration(seconds) => {
                const HOUR: i64 = 3600;
                const DAY: i64 = 86_400;
                let (key, n) = if *seconds < 2 * HOUR {
                    ("unit.minutes", (seconds / 60).max(1))
                } else if *seconds < 3 * DAY {
                    ("unit.hours", seconds / HOUR)
                } else {
                    ("unit.days", seconds / DAY)
                };
                out.push_str(&fill(form(w, key), &[("n", &n.to_string())]));
            }
            Value::Percent { value, decimals } => {
                out.push_str(&decimal(w, *value, *decimals));
                out.push('%');
            }
            Value::Number { value, decimals } => out.push_str(&decimal(w, *value, *decimals)),
            Value::Signed { value, decimals } => {
                if *value >= 0.0 {
                    out.push('+');
                }
                out.push_str(&decimal(w, *value, *decimals));
            }
            Value::Term {
                vocabulary,
                spelling,
            } => match w.text(&format!("term.{vocabulary}.{spelling}")) {
                Some(t) => out.push_str(t),
                None => out.push_str(spelling),
            },
            Value::Text(t) => out.push_str(t),
            Value::Phrase(p) => p.render_into(w, out),
        }
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Text(n.to_string())
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Value {
        Value::Count(n as u64)
    }
}

impl From<&str> for Value {
    fn from(t: &str) -> Value {
        Value::Text(t.to_string())
    }
}

impl From<String> for Value {
    fn from(t: String) -> Value {
        Value::Text(t)
    }
}

impl From<&String> for Value {
    fn from(t: &String) -> Value {
        Value::Text(t.clone())
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.render_into(&English, &mut out);
        f.write_str(&out)
    }
}

/// Shorthands for building phrases.
impl Value {
    pub fn account(key: impl Into<String>) -> Value {
        Value::Account(AccountRef {
            key: key.into(),
            holder: None,
        })
    }

    pub fn count(n: usize) -> Value {
        Value::Count(n as u64)
    }

    pub fn percent(value: f64, decimals: u8) -> Value {
        Value::Percent { value, decimals }
    }

    pub fn number(value: f64, decimals: u8) -> Value {
        Value::Number { value, decimals }
    }

    pub fn text(t: impl Into<String>) -> Value {
        Value::Text(t.into())
    }

    pub fn term(vocabulary: &str, spelling: &str) -> Value {
        Value::Term {
            vocabulary: vocabulary.to_string(),
            spelling: spelling.to_string(),
        }
    }

    /// Accounts from their keys.
    pub fn accounts<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<AccountRef> {
        keys.into_iter()
            .map(|k| AccountRef {
                key: k.to_string(),
                holder: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Russian;
    impl Wording for Russian {
        fn text(&self, key: &str) -> Option<&str> {
            Some(match key {
                "say.episode" => "; продолжение: окон {windows} за {span}, {money} всего",
                "num.group" => " ",
                "num.decimal" => ",",
                "money.amount" => "{amount} {currency}",
                "money.thousands" => "{amount} тыс.",
                "unit.days" => "{n} дн.",
                _ => return None,
            })
        }
    }

    fn money(usd: f64, native: &[(&str, f64)]) -> Value {
        Value::Money {
            usd,
            native: native.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
        }
    }

    #[test]
    fn english_reads_as_the_engines_always_wrote() {
        let p = Phrase::new(PhraseKey::Episode)
            .with("windows", Value::count(3))
            .with("span", Value::Duration(5 * 86_400))
            .with("count", Value::count(12))
            .with("accounts", Value::count(7))
            .with("money", money(80.0, &[("UZS", 1_000_000.0)]));
        assert_eq!(
            p.to_string(),
            "; the pattern went on: 3 windows over 5 days, 12 transactions with 7 accounts, UZS 1,000,000 (USD 80) in all"
        );
        assert_eq!(money(-0.3, &[("USD", -0.3)]).to_string(), "USD 0");
        assert_eq!(money(25_400.0, &[("USD", 25_400.0)]).to_string(), "USD 25k");
        assert_eq!(
            money(150.0, &[("EUR", 100.0), ("USD", 40.0)]).to_string(),
            "USD 150 (EUR 100 + USD 40)"
        );
    }

    #[test]
    fn another_language_writes_numbers_and_units_its_way() {
        let p = Phrase::new(PhraseKey::Episode)
            .with("windows", Value::count(3))
            .with("span", Value::Duration(5 * 86_400))
            .with("money", money(25_400.0, &[("USD", 25_400.0)]));
        assert_eq!(
            p.render(&Russian),
            "; продолжение: окон 3 за 5 дн., 25 тыс. USD всего"
        );
        // A phrase the language lacks falls back to English, in its numbers.
        let q = Phrase::new(PhraseKey::ModelKept)
            .with("probability", Value::number(0.853, 2))
            .with("threshold", Value::number(0.5, 2));
        assert_eq!(
            q.render(&Russian),
            " — model: probability 0,85 (threshold 0,50)"
        );
    }

    #[test]
    fn explanations_keep_their_phrases_through_json_and_fill_holders() {
        let mut e = Explanation::of(
            Phrase::new(PhraseKey::StreamCycle)
                .with("path", Value::Path(Value::accounts(["A|1", "B|2", "A|1"])))
                .with("hops", Value::count(2))
                .with("span", Value::Duration(7200)),
        );
        let json = serde_json::to_string(&e).unwrap();
        let back: Explanation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
        for a in e.accounts_mut() {
            if a.key == "A|1" {
                a.holder = Some("Karimov".into());
            }
        }
        assert_eq!(
            e.to_string(),
            "money went round A|1 (Karimov) → B|2 → A|1 (Karimov) in 2 hops within 2 hours"
        );
    }
}
