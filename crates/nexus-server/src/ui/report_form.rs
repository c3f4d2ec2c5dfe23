//! The web report form of a reporting entity without its own goAML
//! export, as goAML Web users know it: the customer a person or an
//! organisation, several transactions each with its counterparty, the
//! report's indicators, a draft kept between sittings, a preview of what
//! will be sent, and a report that failed corrected from its draft.
//!
//! What the officer types is checked field by field (code lists for
//! countries and currencies, dates that can have happened, amounts); the
//! form comes back with every typed value and the problems named by the
//! field's label; only a clean form becomes the goAML report that goes
//! through the same intake as a bank's system would send.

use super::i18n::Lang;
use super::{csrf_field, html_err, page, when};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use nexus_fiu::auth::{Principal, Role};
use nexus_fiu::error::{say, Say};
use nexus_model::codes::{country_codes, currency_codes};
use nexus_model::{Country, Date, Minor, Timestamp};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The region's countries and currencies, offered first.
const REGION_COUNTRIES: &[&str] = &["TJ", "UZ", "KZ", "KG", "TM", "AF", "RU", "CN", "TR", "AE"];
const REGION_CURRENCIES: &[&str] = &[
    "TJS", "UZS", "KZT", "KGS", "TMT", "AFN", "RUB", "USD", "EUR", "CNY",
];

/// Most transactions one web report holds (a larger report is an XML upload).
pub const MAX_TRANSACTIONS: usize = 20;

/// The indicators an officer may tick (goAML `report_indicators`), with
/// their text keys: the red flags of the Dushanbe Declaration's typologies.
const INDICATORS: &[(&str, &str)] = &[
    ("STRUCT", "indicator.structuring"),
    ("CASH", "indicator.cash"),
    ("THIRD", "indicator.third_party"),
    ("RISKJUR", "indicator.high_risk"),
    ("PROFILE", "indicator.profile"),
    ("PASSTHRU", "indicator.pass_through"),
    ("TF", "indicator.terrorist_financing"),
    ("DRUGS", "indicator.drugs"),
    ("SANCTION", "indicator.sanctions"),
];

/// The per-transaction fields (the first transaction's names are bare,
/// the others' are prefixed `tx1_`, `tx2_` …).
const TX_FIELDS: &[&str] = &[
    "number",
    "date",
    "amount",
    "direction",
    "cp_kind",
    "cp_first_name",
    "cp_last_name",
    "cp_org_name",
    "cp_account",
    "cp_bic",
    "cp_country",
];

/// The report-level fields.
const REPORT_FIELDS: &[&str] = &[
    "reference",
    "report_code",
    "reason",
    "action",
    "customer_kind",
    "first_name",
    "last_name",
    "birth_date",
    "nationality",
    "id_number",
    "org_name",
    "org_number",
    "org_country",
    "account",
    "bic",
    "currency",
];

/// One transaction as typed.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(default)]
struct TxData {
    number: String,
    date: String,
    amount: String,
    direction: String,
    /// The counterparty: `person` (the default) or `organisation`.
    cp_kind: String,
    cp_first_name: String,
    cp_last_name: String,
    cp_org_name: String,
    cp_account: String,
    cp_bic: String,
    cp_country: String,
}

impl TxData {
    fn get(&self, name: &str) -> &str {
        match name {
            "number" => &self.number,
            "date" => &self.date,
            "amount" => &self.amount,
            "direction" => &self.direction,
            "cp_kind" => &self.cp_kind,
            "cp_first_name" => &self.cp_first_name,
            "cp_last_name" => &self.cp_last_name,
            "cp_org_name" => &self.cp_org_name,
            "cp_account" => &self.cp_account,
            "cp_bic" => &self.cp_bic,
            "cp_country" => &self.cp_country,
            _ => "",
        }
    }

    fn set(&mut self, name: &str, value: String) {
        match name {
            "number" => self.number = value,
            "date" => self.date = value,
            "amount" => self.amount = value,
            "direction" => self.direction = value,
            "cp_kind" => self.cp_kind = value,
            "cp_first_name" => self.cp_first_name = value,
            "cp_last_name" => self.cp_last_name = value,
            "cp_org_name" => self.cp_org_name = value,
            "cp_account" => self.cp_account = value,
            "cp_bic" => self.cp_bic = value,
            "cp_country" => self.cp_country = value,
            _ => {}
        }
    }

    fn is_blank(&self) -> bool {
        TX_FIELDS
            .iter()
            .filter(|f| !matches!(**f, "direction" | "cp_kind"))
            .all(|f| self.get(f).trim().is_empty())
    }

    /// Whether the counterparty is an organisation.
    fn counterparty_organisation(&self) -> bool {
        self.cp_kind == "organisation"
    }
}

/// What the officer typed (every field kept as text, to give it back).
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(default)]
pub(super) struct ReportFormData {
    fields: BTreeMap<String, String>,
    transactions: Vec<TxData>,
    indicators: Vec<String>,
}

impl ReportFormData {
    fn blank() -> ReportFormData {
        let mut f = ReportFormData::default();
        f.fields.insert("report_code".into(), "STR".into());
        f.fields.insert("customer_kind".into(), "person".into());
        f.transactions.push(TxData {
            direction: "in".into(),
            ..TxData::default()
        });
        f
    }

    fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    fn organisation(&self) -> bool {
        self.get("customer_kind") == "organisation"
    }

    /// The transactions the officer filled in, with their place in the
    /// form: the first always (a report has one), the others unless blank.
    fn filled_transactions(&self) -> impl Iterator<Item = (usize, &TxData)> {
        self.transactions
            .iter()
            .enumerate()
            .filter(|(i, t)| *i == 0 || !t.is_blank())
    }

    /// The form as posted: report fields, `tx{i}_…` transactions (the
    /// first bare), ticked indicators; the button pressed. Unknown names are
    /// ignored; values are bounded.
    fn from_pairs(pairs: Vec<(String, String)>) -> (ReportFormData, String, String) {
        let mut f = ReportFormData::default();
        let (mut csrf, mut op) = (String::new(), String::new());
        let mut txs: BTreeMap<usize, TxData> = BTreeMap::new();
        for (name, value) in pairs {
            let value: String = value.chars().take(4000).collect();
            match name.as_str() {
                "csrf" => csrf = value,
                "op" => op = value,
                "indicator" => {
                    if INDICATORS.iter().any(|(c, _)| *c == value) && !f.indicators.contains(&value)
                    {
                        f.indicators.push(value);
                    }
                }
                n if REPORT_FIELDS.contains(&n) => {
                    f.fields.insert(name, value);
                }
                n => {
                    let (i, base) = match n.strip_prefix("tx").and_then(|r| r.split_once('_')) {
                        Some((i, base)) => match i.parse::<usize>() {
                            Ok(i) if (1..MAX_TRANSACTIONS).contains(&i) => (i, base),
                            _ => continue,
                        },
                        None => (0, n),
                    };
                    if TX_FIELDS.contains(&base) {
                        txs.entry(i).or_default().set(base, value);
                    }
                }
            }
        }
        f.transactions = txs.into_values().collect();
        if f.transactions.is_empty() {
            f.transactions.push(TxData::default());
        }
        (f, csrf, op)
    }
}

/// The form name of a transaction's field.
fn tx_name(i: usize, base: &str) -> String {
    if i == 0 {
        base.to_string()
    } else {
        format!("tx{i}_{base}")
    }
}

/// Problems by field name.
type Problems = BTreeMap<String, String>;

fn country_label(code: &str) -> String {
    match Country::parse(code).and_then(|c| c.name()) {
        Some(name) => format!("{name} ({code})"),
        None => code.to_string(),
    }
}

/// Checks the form as an officer would want it checked; the problems by field.
/// The problems are written in the officer's language.
fn check(f: &ReportFormData, now: Timestamp, lang: Lang) -> Problems {
    let mut p = Problems::new();
    let said = |key: Say| say(key).render(&lang);
    let required = |p: &mut Problems, name: String, value: &str, max: usize| {
        let v = value.trim();
        if v.is_empty() {
            p.insert(name, said(Say::FieldRequired));
        } else if v.chars().count() > max {
            p.insert(name, say(Say::FieldTooLong).with("max", max).render(&lang));
        } else if v.chars().any(char::is_control) && name != "reason" {
            p.insert(name, said(Say::FieldControlCharacters));
        }
    };
    required(&mut p, "reference".into(), f.get("reference"), 255);
    required(&mut p, "reason".into(), f.get("reason"), 4000);
    required(&mut p, "account".into(), f.get("account"), 50);
    if f.organisation() {
        required(&mut p, "org_name".into(), f.get("org_name"), 255);
        required(&mut p, "org_number".into(), f.get("org_number"), 50);
        if !nexus_model::codes::is_country_code(f.get("org_country").trim()) {
            p.insert("org_country".into(), said(Say::ChooseCountry));
        }
    } else {
        required(&mut p, "first_name".into(), f.get("first_name"), 100);
        required(&mut p, "last_name".into(), f.get("last_name"), 100);
        required(&mut p, "id_number".into(), f.get("id_number"), 255);
        let today = now.date();
        match Date::parse(f.get("birth_date").trim()) {
            Err(_) => {
                p.insert("birth_date".into(), said(Say::BirthDateExample));
            }
            Ok(d) if d > today => {
                p.insert(
                    "birth_date".into(),
                    say(Say::DateInFuture)
                        .with("date", d.to_string())
                        .render(&lang),
                );
            }
            Ok(d) if d.year < 1900 => {
                p.insert(
                    "birth_date".into(),
                    say(Say::DateBefore)
                        .with("date", d.to_string())
                        .with("year", 1900usize)
                        .render(&lang),
                );
            }
            Ok(_) => {}
        }
        if !nexus_model::codes::is_country_code(f.get("nationality").trim()) {
            p.insert("nationality".into(), said(Say::ChooseCountry));
        }
    }
    if !matches!(f.get("report_code"), "STR" | "SAR") {
        p.insert("report_code".into(), said(Say::ChooseReportCode));
    }
    if !matches!(f.get("customer_kind"), "person" | "organisation") {
        p.insert("customer_kind".into(), said(Say::ChooseCustomerKind));
    }
    if !nexus_model::codes::is_currency_code(f.get("currency").trim()) {
        p.insert("currency".into(), said(Say::ChooseCurrency));
    }
    check_bic(&mut p, "bic".into(), f.get("bic"), true, lang);
    let mut numbers = std::collections::HashSet::new();
    for (i, t) in f.filled_transactions() {
        let name = |base: &str| tx_name(i, base);
        required(&mut p, name("number"), &t.number, 50);
        if t.counterparty_organisation() {
            required(&mut p, name("cp_org_name"), &t.cp_org_name, 255);
        } else {
            required(&mut p, name("cp_first_name"), &t.cp_first_name, 100);
            required(&mut p, name("cp_last_name"), &t.cp_last_name, 100);
        }
        if !matches!(t.cp_kind.as_str(), "" | "person" | "organisation") {
            p.insert(name("cp_kind"), said(Say::ChooseCustomerKind));
        }
        required(&mut p, name("cp_account"), &t.cp_account, 50);
        if !t.number.trim().is_empty() && !numbers.insert(t.number.trim()) {
            p.insert(name("number"), said(Say::SameTransactionNumber));
        }
        if !matches!(t.direction.as_str(), "in" | "out") {
            p.insert(name("direction"), said(Say::ChooseDirection));
        }
        if !nexus_model::codes::is_country_code(t.cp_country.trim()) {
            p.insert(name("cp_country"), said(Say::ChooseCountry));
        }
        match parse_local_time(&t.date) {
            None => {
                p.insert(name("date"), said(Say::DateTimeExample));
            }
            Some(at) if at.0 > now.0 + 86_400 => {
                p.insert(
                    name("date"),
                    say(Say::DateInFuture)
                        .with("date", t.date.trim())
                        .render(&lang),
                );
            }
            Some(at) if at.date().year < 1990 => {
                p.insert(
                    name("date"),
                    say(Say::DateBefore)
                        .with("date", t.date.trim())
                        .with("year", 1990usize)
                        .render(&lang),
                );
            }
            Some(_) => {}
        }
        match Minor::parse(t.amount.trim().replace([',', ' '], "").as_str()) {
            Ok(m) if m.0 > 0 => {}
            Ok(_) => {
                p.insert(name("amount"), said(Say::MoreThanZero));
            }
            Err(_) => {
                p.insert(name("amount"), said(Say::AmountExample));
            }
        }
        check_bic(&mut p, name("cp_bic"), &t.cp_bic, false, lang);
    }
    p
}

/// A `datetime-local` value (`2026-02-27T09:15`, seconds optional).
fn parse_local_time(text: &str) -> Option<Timestamp> {
    let date = text.trim();
    let stamp = if date.len() == 16 {
        format!("{date}:00Z")
    } else {
        format!("{date}Z")
    };
    Timestamp::parse_rfc3339(&stamp).ok()
}

fn check_bic(p: &mut Problems, name: String, bic: &str, optional: bool, lang: Lang) {
    let b = bic.trim();
    if b.is_empty() && optional {
        return;
    }
    if !(b.len() == 8 || b.len() == 11) || !b.bytes().all(|c| c.is_ascii_alphanumeric()) {
        p.insert(name, say(Say::BicFormat).render(&lang));
    }
}

fn field(problems: &Problems, name: &str, label: &str, kind: &str, value: &str) -> Markup {
    html! {
        label.invalid[problems.contains_key(name)] {
            (label) " "
            input name=(name) type=(kind) value=(value);
            @if let Some(why) = problems.get(name) { span.problem { (why) } }
        }
    }
}

fn select(
    lang: Lang,
    problems: &Problems,
    name: &str,
    label: &str,
    chosen: &str,
    first: &[&str],
    all: &[(String, String)],
) -> Markup {
    let tr = |k| lang.t(k);
    html! {
        label.invalid[problems.contains_key(name)] {
            (label) " "
            select name=(name) {
                option value="" selected[chosen.is_empty()] { (tr("form.choose")) }
                optgroup label=(tr("form.region")) {
                    @for code in first {
                        @if let Some((_, text)) = all.iter().find(|(c, _)| c == code) {
                            option value=(code) selected[chosen == *code] { (text) }
                        }
                    }
                }
                optgroup label=(tr("form.all")) {
                    @for (code, text) in all {
                        @if !first.contains(&code.as_str()) {
                            option value=(code) selected[chosen == code] { (text) }
                        }
                    }
                }
            }
            @if let Some(why) = problems.get(name) { span.problem { (why) } }
        }
    }
}

fn render(p: &Principal, f: &ReportFormData, problems: &Problems, preview: Option<&str>) -> Markup {
    let lang = Lang::of(Some(p));
    let tr = |k| lang.t(k);
    let mut countries: Vec<(String, String)> = country_codes()
        .map(|c| (c.to_string(), country_label(c)))
        .collect();
    countries.sort_by(|a, b| a.1.cmp(&b.1));
    let currencies: Vec<(String, String)> = currency_codes()
        .map(|c| (c.to_string(), c.to_string()))
        .collect();
    let t = |name: &str, label: &str| field(problems, name, label, "text", f.get(name));
    let organisation = f.organisation();
    html! {
        @if !problems.is_empty() {
            p.notice #form-problems { (problems.len()) " " (tr("form.problems")) }
        }
        @if let Some(xml) = preview {
            section #preview.print {
                h2 { (tr("form.preview")) }
                p.hint { (tr("form.preview_hint")) }
                pre { (xml) }
            }
        }
        form.stack method="post" action="/reports/new" {
            (csrf_field(p))
            h2 { (tr("form.report")) }
            (t("reference", tr("form.reference")))
            label { (tr("form.type")) " " select name="report_code" {
                option value="STR" selected[f.get("report_code") == "STR"] { (tr("form.str")) }
                option value="SAR" selected[f.get("report_code") == "SAR"] { (tr("form.sar")) }
            } }
            label.invalid[problems.contains_key("reason")] { (tr("form.reason")) " "
                textarea name="reason" { (f.get("reason")) }
                @if let Some(why) = problems.get("reason") { span.problem { (why) } } }
            (t("action", tr("form.action")))
            fieldset #indicators {
                legend { (tr("form.indicators")) }
                @for (code, key) in INDICATORS {
                    label.check { input type="checkbox" name="indicator" value=(code) checked[f.indicators.iter().any(|i| i == code)]; " " (tr(key)) }
                }
            }
            h2 { (tr("form.customer")) }
            label { (tr("form.customer_kind")) " " select name="customer_kind" {
                option value="person" selected[!organisation] { (tr("form.person")) }
                option value="organisation" selected[organisation] { (tr("form.organisation")) }
            } }
            @if organisation {
                (t("org_name", tr("form.org_name")))
                (t("org_number", tr("form.org_number")))
                (select(lang, problems, "org_country", tr("form.org_country"), f.get("org_country"), REGION_COUNTRIES, &countries))
            } @else {
                (t("first_name", tr("form.first_name")))
                (t("last_name", tr("form.last_name")))
                (field(problems, "birth_date", tr("form.birth_date"), "date", f.get("birth_date")))
                (select(lang, problems, "nationality", tr("form.nationality"), f.get("nationality"), REGION_COUNTRIES, &countries))
                (t("id_number", tr("form.id_number")))
            }
            (t("account", tr("form.account")))
            (t("bic", tr("form.bic")))
            (select(lang, problems, "currency", tr("form.currency"), f.get("currency"), REGION_CURRENCIES, &currencies))
            @for (i, x) in f.transactions.iter().enumerate() {
                fieldset.transaction {
                    legend { (tr("form.transaction")) " " (i + 1) }
                    (field(problems, &tx_name(i, "number"), tr("form.number"), "text", &x.number))
                    (field(problems, &tx_name(i, "date"), tr("form.date"), "datetime-local", &x.date))
                    (field(problems, &tx_name(i, "amount"), tr("form.amount"), "text", &x.amount))
                    label { (tr("form.direction")) " " select name=(tx_name(i, "direction")) {
                        option value="in" selected[x.direction != "out"] { (tr("form.received")) }
                        option value="out" selected[x.direction == "out"] { (tr("form.sent")) }
                    } }
                    h3 { (tr("form.counterparty")) }
                    label { (tr("form.customer_kind")) " " select name=(tx_name(i, "cp_kind")) {
                        option value="person" selected[!x.counterparty_organisation()] { (tr("form.person")) }
                        option value="organisation" selected[x.counterparty_organisation()] { (tr("form.organisation")) }
                    } }
                    (field(problems, &tx_name(i, "cp_first_name"), tr("form.cp_first_name"), "text", &x.cp_first_name))
                    (field(problems, &tx_name(i, "cp_last_name"), tr("form.cp_last_name"), "text", &x.cp_last_name))
                    (field(problems, &tx_name(i, "cp_org_name"), tr("form.cp_org_name"), "text", &x.cp_org_name))
                    (field(problems, &tx_name(i, "cp_account"), tr("form.cp_account"), "text", &x.cp_account))
                    (field(problems, &tx_name(i, "cp_bic"), tr("form.cp_bic"), "text", &x.cp_bic))
                    (select(lang, problems, &tx_name(i, "cp_country"), tr("form.cp_country"), &x.cp_country, REGION_COUNTRIES, &countries))
                }
            }
            div.actions {
                button name="op" value="submit" { (tr("form.submit")) }
                button name="op" value="preview" { (tr("form.preview_button")) }
                button name="op" value="draft" formnovalidate { (tr("form.save_draft")) }
                @if f.transactions.len() < MAX_TRANSACTIONS {
                    button name="op" value="add" formnovalidate { (tr("form.add_transaction")) }
                }
            }
        }
    }
}

fn form_page(
    p: &Principal,
    f: &ReportFormData,
    problems: &Problems,
    preview: Option<&str>,
    status: StatusCode,
) -> Response {
    let body = render(p, f, problems, preview);
    (
        status,
        page(
            Some(p),
            Lang::of(Some(p)).t("form.title"),
            &body.into_string(),
        ),
    )
        .into_response()
}

#[derive(Deserialize, Default)]
pub(super) struct FormQuery {
    /// A draft of this institution to continue.
    #[serde(default)]
    draft: Option<i64>,
}

/// The blank form, or a draft to continue (with the list of drafts).
pub(super) async fn report_form(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(q): Query<FormQuery>,
) -> Result<Response, AppError> {
    p.require(&[Role::ReportingEntity], false)?;
    let institution = p.institution.ok_or_else(|| AppError::forbidden().html())?;
    let (drafts, chosen) = state
        .blocking(move |s| {
            Ok(s.store.read(|db| {
                let chosen = match q.draft {
                    Some(id) => Some(db.draft(institution, id)?),
                    None => None,
                };
                Ok((db.drafts(institution)?, chosen))
            })?)
        })
        .await
        .map_err(html_err)?;
    let form = match chosen {
        None => ReportFormData::blank(),
        Some(None) => return Err(AppError::not_found().html()),
        Some(Some(d)) => {
            serde_json::from_str(&d.fields).unwrap_or_else(|_| ReportFormData::blank())
        }
    };
    let lang = Lang::of(Some(&p));
    let tr = |k| lang.t(k);
    let list = html! {
        @if !drafts.is_empty() {
            section #drafts {
                h2 { (tr("form.drafts")) }
                ul {
                    @for d in &drafts {
                        li { a href={ "/reports/new?draft=" (d.id) } { (d.reference) } " — " (d.updated_by) ", " (when(d.updated_at)) }
                    }
                }
            }
        }
    };
    let body = render(&p, &form, &Problems::new(), None);
    Ok(page(
        Some(&p),
        tr("form.title"),
        &format!("{}{}", list.into_string(), body.into_string()),
    )
    .into_response())
}

/// Which form field an intake problem's element path is about, for the
/// rare problem the form's own checks did not catch.
fn field_of(path: &str, f: &ReportFormData) -> String {
    // report/transaction[2]/… is the second transaction.
    let index = path
        .split('/')
        .find_map(|part| part.strip_prefix("transaction["))
        .and_then(|rest| rest.trim_end_matches(']').parse::<usize>().ok())
        .map_or(0, |n| n.saturating_sub(1));
    let direction_out = f
        .transactions
        .get(index)
        .is_some_and(|t| t.direction == "out");
    let side_is_ours = |side: &str| (side == "t_from") == direction_out;
    let last = path.rsplit('/').next().unwrap_or("");
    let side = if path.contains("/t_from") {
        "t_from"
    } else if path.contains("/t_to") {
        "t_to"
    } else {
        ""
    };
    let ours = side.is_empty() || side_is_ours(side);
    let tx = |base: &str| tx_name(index, base);
    match (last, ours) {
        ("entity_reference", _) => "reference".into(),
        ("reason", _) => "reason".into(),
        ("currency_code_local", _) => "currency".into(),
        ("transactionnumber", _) => tx("number"),
        ("date_transaction", _) => tx("date"),
        ("amount_local", _) => tx("amount"),
        ("first_name", true) => "first_name".into(),
        ("last_name", true) => "last_name".into(),
        ("birthdate", _) => "birth_date".into(),
        ("nationality1", _) => "nationality".into(),
        ("id_number", _) => "id_number".into(),
        ("name", true) => "org_name".into(),
        ("incorporation_number", _) => "org_number".into(),
        ("account", true) => "account".into(),
        ("swift", true) => "bic".into(),
        ("name", false) => tx("cp_org_name"),
        ("first_name", false) => tx("cp_first_name"),
        ("last_name", false) => tx("cp_last_name"),
        ("account", false) => tx("cp_account"),
        ("swift", false) => tx("cp_bic"),
        (_, false) => tx("cp_country"),
        _ => "reason".into(),
    }
}

/// The form's buttons: file the report, preview what would be sent, keep
/// a draft, or add a transaction.
pub(super) async fn file_report_form(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    p.require(&[Role::ReportingEntity], false)?;
    let (mut f, csrf, op) = ReportFormData::from_pairs(pairs);
    p.check_csrf(Some(&csrf), false)?;
    let institution = p.institution.ok_or_else(|| AppError::forbidden().html())?;
    match op.as_str() {
        "add" => {
            if f.transactions.len() < MAX_TRANSACTIONS {
                let direction = f
                    .transactions
                    .last()
                    .map(|t| t.direction.clone())
                    .unwrap_or_default();
                f.transactions.push(TxData {
                    direction,
                    ..TxData::default()
                });
            }
            return Ok(form_page(&p, &f, &Problems::new(), None, StatusCode::OK));
        }
        "draft" => {
            let reference = f.get("reference").trim().to_string();
            if reference.is_empty() || reference.chars().count() > 255 {
                let mut problems = Problems::new();
                problems.insert(
                    "reference".into(),
                    say(Say::DraftNeedsReference).render(&Lang::of(Some(&p))),
                );
                return Ok(form_page(
                    &p,
                    &f,
                    &problems,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ));
            }
            let fields = serde_json::to_string(&f).unwrap_or_default();
            let by = p.username.clone();
            let id = state
                .blocking(move |s| {
                    Ok(s.store
                        .write(|db| db.save_draft(institution, &reference, &fields, &by))?)
                })
                .await
                .map_err(html_err)?;
            return Ok(Redirect::to(&format!("/reports/new?draft={id}")).into_response());
        }
        _ => {}
    }
    let problems = check(&f, Timestamp(nexus_store::now()), Lang::of(Some(&p)));
    if !problems.is_empty() {
        return Ok(form_page(
            &p,
            &f,
            &problems,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    // Only the transactions the officer filled in.
    f.transactions = f.filled_transactions().map(|(_, t)| t.clone()).collect();
    let inst_name = state
        .blocking(move |s| Ok(s.store.read(|db| db.institution(institution))?))
        .await
        .map_err(html_err)?
        .map(|i| i.name)
        .unwrap_or_else(|| format!("Reporting entity {institution}"));
    let xml = to_goaml(&f, institution, &inst_name, &p.username);
    if op == "preview" {
        return Ok(form_page(&p, &f, &problems, Some(&xml), StatusCode::OK));
    }
    // The draft is kept until the report is processed: a report that fails
    // is corrected from it.
    let (reference, fields, by) = (
        f.get("reference").trim().to_string(),
        serde_json::to_string(&f).unwrap_or_default(),
        p.username.clone(),
    );
    let principal = p.clone();
    let outcome = state
        .blocking(move |s| {
            s.store
                .write(|db| db.save_draft(institution, &reference, &fields, &by))?;
            let screening = s.screening();
            let outcome = nexus_fiu::intake::receive(
                &s.store,
                &screening,
                &principal,
                institution,
                vec![("web-form.xml".to_string(), xml.into_bytes())],
                &s.limits,
            )
            .map_err(|e| match e {
                nexus_fiu::intake::UploadError::Conflict(m) => {
                    AppError::new(StatusCode::CONFLICT, m)
                }
                other => AppError::bad_request(other.to_string()),
            })?;
            if outcome
                .first()
                .is_some_and(|o| o.status == nexus_model::ReportStatus::Processed)
            {
                s.store
                    .write(|db| db.delete_draft(institution, &reference))?;
            }
            Ok(outcome)
        })
        .await
        .map_err(html_err)?;
    let Some(first) = outcome.first() else {
        return Err(AppError::invalid(say(Say::NothingFiled)).html());
    };
    if first.status == nexus_model::ReportStatus::Processed {
        state.network_changed();
        return Ok(Redirect::to(&format!("/reports/{}", first.report_id)).into_response());
    }
    // The intake found what the form did not: back to the form, in its terms.
    let mut problems = Problems::new();
    for problem in &first.problems {
        problems
            .entry(field_of(&problem.path, &f))
            .or_insert_with(|| problem.message.clone());
    }
    if problems.is_empty() {
        problems.insert("reason".into(), first.message.clone());
    }
    Ok(form_page(
        &p,
        &f,
        &problems,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}

fn to_goaml(f: &ReportFormData, institution: i64, inst_name: &str, officer: &str) -> String {
    use nexus_formats::goaml::{
        write_report, GoamlAccount, GoamlEntity, GoamlParty, GoamlPerson, GoamlReport, GoamlSide,
        GoamlTransaction,
    };
    let g = |name: &str| f.get(name).trim().to_string();
    let (signatory, entity, country) = if f.organisation() {
        (
            None,
            Some(GoamlEntity {
                name: g("org_name"),
                incorporation_number: g("org_number"),
                incorporation_country_code: g("org_country"),
                ..GoamlEntity::default()
            }),
            g("org_country"),
        )
    } else {
        (
            Some(GoamlPerson {
                first_name: g("first_name"),
                last_name: g("last_name"),
                birthdate: format!("{}T00:00:00", g("birth_date")),
                id_number: g("id_number"),
                nationality1: g("nationality"),
                ..GoamlPerson::default()
            }),
            None,
            g("nationality"),
        )
    };
    let transactions = f
        .transactions
        .iter()
        .map(|t| {
            let ours = GoamlSide {
                my_client: true,
                funds_code: "E".into(),
                country: country.clone(),
                party: GoamlParty::Account(Box::new(GoamlAccount {
                    institution_name: inst_name.to_string(),
                    swift: g("bic").to_uppercase(),
                    account: g("account"),
                    currency_code: g("currency"),
                    signatory: signatory.clone(),
                    entity: entity.clone(),
                    ..GoamlAccount::default()
                })),
            };
            let theirs = GoamlSide {
                my_client: false,
                funds_code: "E".into(),
                country: t.cp_country.trim().to_string(),
                party: GoamlParty::Account(Box::new(GoamlAccount {
                    institution_name: t.cp_bic.trim().to_uppercase(),
                    swift: t.cp_bic.trim().to_uppercase(),
                    account: t.cp_account.trim().to_string(),
                    signatory: (!t.counterparty_organisation()).then(|| GoamlPerson {
                        first_name: t.cp_first_name.trim().to_string(),
                        last_name: t.cp_last_name.trim().to_string(),
                        ..GoamlPerson::default()
                    }),
                    entity: t.counterparty_organisation().then(|| GoamlEntity {
                        name: t.cp_org_name.trim().to_string(),
                        incorporation_country_code: t.cp_country.trim().to_string(),
                        ..GoamlEntity::default()
                    }),
                    ..GoamlAccount::default()
                })),
            };
            let (from, to) = if t.direction == "out" {
                (ours, theirs)
            } else {
                (theirs, ours)
            };
            let date = t.date.trim();
            GoamlTransaction {
                transaction_number: t.number.trim().to_string(),
                transaction_location: "web form".into(),
                transaction_description: "filed with the web form".into(),
                date_transaction: if date.len() == 16 {
                    format!("{date}:00")
                } else {
                    date.to_string()
                },
                transmode_code: "E".into(),
                amount_local: t.amount.trim().replace([',', ' '], ""),
                from,
                to,
                ..GoamlTransaction::default()
            }
        })
        .collect();
    let report = GoamlReport {
        rentity_id: u32::try_from(institution).unwrap_or(0),
        report_code: g("report_code"),
        entity_reference: g("reference"),
        submission_date: Timestamp(nexus_store::now())
            .to_string()
            .trim_end_matches('Z')
            .to_string(),
        currency_code_local: g("currency"),
        reporting_person: GoamlPerson {
            first_name: officer.to_string(),
            last_name: "(web form)".into(),
            ..GoamlPerson::default()
        },
        reason: g("reason"),
        action: g("action"),
        transactions,
        indicators: f.indicators.clone(),
        ..GoamlReport::default()
    };
    write_report(&report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let base = [
            ("csrf", "c"),
            ("reference", "STR-1"),
            ("report_code", "STR"),
            ("reason", "cash"),
            ("customer_kind", "person"),
            ("first_name", "Джамшед"),
            ("last_name", "Раҳимов"),
            ("birth_date", "1985-03-14"),
            ("nationality", "TJ"),
            ("id_number", "A1"),
            ("account", "40817"),
            ("currency", "TJS"),
            ("number", "T1"),
            ("date", "2026-02-27T09:15"),
            ("amount", "12,500.00"),
            ("direction", "in"),
            ("cp_first_name", "Aibek"),
            ("cp_last_name", "Toktogulov"),
            ("cp_account", "1"),
            ("cp_bic", "KGBKKG22"),
            ("cp_country", "KG"),
        ];
        let mut v: Vec<(String, String)> = base
            .iter()
            .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        v.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        v
    }

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-30T12:00:00Z").unwrap()
    }

    #[test]
    fn made_up_codes_future_births_and_bad_amounts_are_named_by_field() {
        let (good, csrf, _) = ReportFormData::from_pairs(pairs(&[]));
        assert_eq!(csrf, "c");
        assert!(
            check(&good, now(), Lang::En).is_empty(),
            "{:?}",
            check(&good, now(), Lang::En)
        );
        let (bad, _, _) = ReportFormData::from_pairs(pairs(&[
            ("nationality", "Tajikistan"),
            ("currency", "dollars"),
            ("cp_country", "Narnia"),
            ("birth_date", "2031-01-01"),
            ("amount", "-5"),
            ("cp_bic", "KG"),
        ]));
        let p = check(&bad, now(), Lang::En);
        let fields: Vec<&str> = p.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "amount",
                "birth_date",
                "cp_bic",
                "cp_country",
                "currency",
                "nationality"
            ]
        );
        assert!(p["birth_date"].contains("future"));
        // The same problems in the officer's Russian.
        let ru = check(&bad, now(), Lang::Ru);
        assert_eq!(ru["cp_country"], "выберите страну из списка");
        assert!(ru["birth_date"].contains("дата в будущем"), "{ru:?}");
    }

    #[test]
    fn several_transactions_an_organisation_and_indicators_become_one_goaml_report() {
        let (f, _, op) = ReportFormData::from_pairs(pairs(&[
            ("op", "submit"),
            ("customer_kind", "organisation"),
            ("org_name", "Northern Trade LLC"),
            ("org_number", "0123456"),
            ("org_country", "KG"),
            ("indicator", "CASH"),
            ("indicator", "TF"),
            ("indicator", "MADE-UP"),
            ("tx1_number", "T2"),
            ("tx1_date", "2026-02-28T10:00"),
            ("tx1_amount", "9,900.00"),
            ("tx1_direction", "out"),
            ("tx1_cp_kind", "organisation"),
            ("tx1_cp_org_name", "Gulf Trading FZE"),
            ("tx1_cp_account", "AE01"),
            ("tx1_cp_bic", "NXAEB1XX"),
            ("tx1_cp_country", "AE"),
            ("tx2_number", ""),
            ("tx99_number", "ignored"),
        ]));
        assert_eq!(op, "submit");
        assert_eq!(f.indicators, ["CASH", "TF"], "only the offered indicators");
        assert_eq!(f.transactions.len(), 3, "{:?}", f.transactions);
        assert!(
            check(&f, now(), Lang::En).is_empty(),
            "{:?}",
            check(&f, now(), Lang::En)
        );
        let mut filed = f.clone();
        filed.transactions.retain(|t| !t.is_blank());
        let xml = to_goaml(&filed, 501, "Bank", "officer");
        let report = nexus_formats::goaml_intake::read_goaml_report("web.xml", xml.as_bytes())
            .unwrap_or_else(|p| panic!("the form's XML reads back: {p:?}\n{xml}"));
        assert_eq!(report.transactions.len(), 2);
        assert_eq!(report.indicators, ["CASH", "TF"]);
        assert!(xml.contains("<name>Northern Trade LLC</name>"), "{xml}");
        // The counterparty of the second transaction is an organisation.
        assert!(xml.contains("<name>Gulf Trading FZE</name>"), "{xml}");
        assert!(
            report.subjects.iter().any(|s| s.name == "Gulf Trading FZE"),
            "{:?}",
            report.subjects
        );
        let (dup, _, _) =
            ReportFormData::from_pairs(pairs(&[("tx1_number", "T1"), ("tx1_amount", "5")]));
        let p = check(&dup, now(), Lang::En);
        assert!(p["tx1_number"].contains("same number"), "{p:?}");
        assert!(
            p.contains_key("tx1_cp_account"),
            "a started transaction is checked whole: {p:?}"
        );
    }

    proptest::proptest! {
        /// Whatever a browser (or an attacker) posts, reading the form does
        /// not panic and stays bounded, and a form its checks accept always
        /// becomes a goAML report the intake reads without a problem.
        #[test]
        fn any_post_is_read_bounded_and_a_clean_form_is_a_valid_report(
            extra in proptest::collection::vec(
                (
                    proptest::sample::select(vec![
                        "reference", "reason", "first_name", "birth_date", "nationality", "amount",
                        "date", "number", "cp_country", "tx1_number", "tx1_amount", "tx1_date",
                        "tx19_cp_account", "tx20_number", "txx_number", "indicator", "customer_kind",
                        "org_name", "org_country", "currency", "bic", "cp_bic", "op",
                    ]),
                    "\\PC{0,30}",
                ),
                0..12,
            )
        ) {
            let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (f, _, _) = ReportFormData::from_pairs(pairs(&extra));
            proptest::prop_assert!(f.transactions.len() <= MAX_TRANSACTIONS);
            proptest::prop_assert!(f.fields.values().all(|v| v.chars().count() <= 4000));
            if check(&f, now(), Lang::En).is_empty() {
                let mut filed = f.clone();
                filed.transactions = f.filled_transactions().map(|(_, t)| t.clone()).collect();
                let xml = to_goaml(&filed, 501, "Bank", "officer");
                let read = nexus_formats::goaml_intake::read_goaml_report("web.xml", xml.as_bytes());
                proptest::prop_assert!(read.is_ok(), "{:?}\n{}", read.err(), xml);
            }
        }
    }

    #[test]
    fn intake_paths_map_to_the_fields_the_officer_typed() {
        let (f, _, _) =
            ReportFormData::from_pairs(pairs(&[("tx1_number", "T2"), ("tx1_direction", "out")]));
        let path =
            "report/transaction[1]/t_to_my_client/to_account/signatory[1]/t_person/birthdate";
        assert_eq!(field_of(path, &f), "birth_date");
        assert_eq!(
            field_of("report/transaction[1]/t_from/from_account/swift", &f),
            "cp_bic"
        );
        assert_eq!(
            field_of(
                "report/transaction[2]/t_from_my_client/from_account/swift",
                &f
            ),
            "bic"
        );
        assert_eq!(
            field_of("report/transaction[2]/amount_local", &f),
            "tx1_amount"
        );
    }
}
