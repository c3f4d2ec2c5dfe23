//! The web report form of a reporting entity without its own goAML
//! export: what the officer types is checked field by field (code lists for
//! countries and currencies, dates that can have happened, amounts), the
//! form comes back with every typed value and the problems named by the
//! field's label, and only a clean form becomes the goAML report that goes
//! through the same intake as a bank's system would send.

use super::i18n::Lang;
use super::{csrf_field, html_err, page};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use nexus_fiu::auth::{Principal, Role};
use nexus_model::codes::{country_codes, currency_codes};
use nexus_model::{Country, Date, Minor, Timestamp};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The region's countries and currencies, offered first.
const REGION_COUNTRIES: &[&str] = &["TJ", "UZ", "KZ", "KG", "TM", "AF", "RU", "CN", "TR", "AE"];
const REGION_CURRENCIES: &[&str] = &[
    "TJS", "UZS", "KZT", "KGS", "TMT", "AFN", "RUB", "USD", "EUR", "CNY",
];

/// What the officer typed (every field kept as text, to give it back).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct ReportFormData {
    csrf: String,
    reference: String,
    report_code: String,
    reason: String,
    action: String,
    first_name: String,
    last_name: String,
    birth_date: String,
    nationality: String,
    id_number: String,
    account: String,
    bic: String,
    currency: String,
    number: String,
    date: String,
    amount: String,
    direction: String,
    cp_first_name: String,
    cp_last_name: String,
    cp_account: String,
    cp_bic: String,
    cp_country: String,
}

/// Problems by field name.
type Problems = BTreeMap<&'static str, String>;

fn country_label(code: &str) -> String {
    match Country::parse(code).and_then(|c| c.name()) {
        Some(name) => format!("{name} ({code})"),
        None => code.to_string(),
    }
}

/// Checks the form as an officer would want it checked; the problems by field.
fn check(f: &ReportFormData, now: Timestamp) -> Problems {
    let mut p = Problems::new();
    let mut required = |name: &'static str, value: &str, max: usize| {
        let v = value.trim();
        if v.is_empty() {
            p.insert(name, "required".into());
        } else if v.chars().count() > max {
            p.insert(name, format!("at most {max} characters"));
        } else if v.chars().any(char::is_control) && name != "reason" {
            p.insert(name, "control characters are not allowed".into());
        }
    };
    required("reference", &f.reference, 255);
    required("reason", &f.reason, 4000);
    required("first_name", &f.first_name, 100);
    required("last_name", &f.last_name, 100);
    required("id_number", &f.id_number, 255);
    required("account", &f.account, 50);
    required("number", &f.number, 50);
    required("cp_first_name", &f.cp_first_name, 100);
    required("cp_last_name", &f.cp_last_name, 100);
    required("cp_account", &f.cp_account, 50);
    if !matches!(f.report_code.as_str(), "STR" | "SAR") {
        p.insert("report_code", "choose STR or SAR".into());
    }
    if !matches!(f.direction.as_str(), "in" | "out") {
        p.insert("direction", "choose a direction".into());
    }
    let today = now.date();
    match Date::parse(f.birth_date.trim()) {
        Err(_) => {
            p.insert("birth_date", "a date such as 1985-03-14".into());
        }
        Ok(d) if d > today => {
            p.insert("birth_date", format!("{d} is in the future"));
        }
        Ok(d) if d.year < 1900 => {
            p.insert("birth_date", format!("{d} is before 1900"));
        }
        Ok(_) => {}
    }
    for (name, code) in [
        ("nationality", &f.nationality),
        ("cp_country", &f.cp_country),
    ] {
        if !nexus_model::codes::is_country_code(code.trim()) {
            p.insert(name, "choose a country from the list".into());
        }
    }
    if !nexus_model::codes::is_currency_code(f.currency.trim()) {
        p.insert("currency", "choose a currency from the list".into());
    }
    let date = f.date.trim();
    let stamp = if date.len() == 16 {
        format!("{date}:00Z")
    } else {
        format!("{date}Z")
    };
    match Timestamp::parse_rfc3339(&stamp) {
        Err(_) => {
            p.insert("date", "a date and time such as 2026-02-27 09:15".into());
        }
        Ok(t) if t.0 > now.0 + 86_400 => {
            p.insert("date", "is in the future".into());
        }
        Ok(t) if t.date().year < 1990 => {
            p.insert("date", "is before 1990".into());
        }
        Ok(_) => {}
    }
    match Minor::parse(f.amount.trim().replace([',', ' '], "").as_str()) {
        Ok(m) if m.0 > 0 => {}
        Ok(_) => {
            p.insert("amount", "more than zero".into());
        }
        Err(_) => {
            p.insert("amount", "an amount such as 12500.00".into());
        }
    }
    for (name, bic) in [("bic", &f.bic), ("cp_bic", &f.cp_bic)] {
        let b = bic.trim();
        let optional = name == "bic";
        if b.is_empty() && optional {
            continue;
        }
        if !(b.len() == 8 || b.len() == 11) || !b.bytes().all(|c| c.is_ascii_alphanumeric()) {
            p.insert(
                name,
                "a BIC of 8 or 11 letters and digits, e.g. NXTJB1XX".into(),
            );
        }
    }
    p
}

fn field(
    f: &ReportFormData,
    problems: &Problems,
    name: &'static str,
    label: &str,
    kind: &str,
    value: &str,
) -> Markup {
    let _ = f;
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
    name: &'static str,
    label: &str,
    chosen: &str,
    first: &[&str],
    all: &mut dyn Iterator<Item = (String, String)>,
) -> Markup {
    let all: Vec<(String, String)> = all.collect();
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
                    @for (code, text) in &all {
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

fn render(p: &Principal, f: &ReportFormData, problems: &Problems) -> Markup {
    let lang = Lang::of(Some(p));
    let tr = |k| lang.t(k);
    let countries = || {
        let mut v: Vec<(String, String)> = country_codes()
            .map(|c| (c.to_string(), country_label(c)))
            .collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v.into_iter()
    };
    let currencies = || currency_codes().map(|c| (c.to_string(), c.to_string()));
    let t = |name: &'static str, label: &str, value: &str| {
        field(f, problems, name, label, "text", value)
    };
    html! {
        @if !problems.is_empty() {
            p.notice #form-problems { (problems.len()) " " (tr("form.problems")) }
        }
        form.stack method="post" action="/reports/new" {
            (csrf_field(p))
            h2 { (tr("form.report")) }
            (t("reference", tr("form.reference"), &f.reference))
            label { (tr("form.type")) " " select name="report_code" {
                option value="STR" selected[f.report_code == "STR"] { "STR — suspicious transaction report" }
                option value="SAR" selected[f.report_code == "SAR"] { "SAR — suspicious activity report" }
            } }
            label.invalid[problems.contains_key("reason")] { (tr("form.reason")) " "
                textarea name="reason" { (f.reason) }
                @if let Some(why) = problems.get("reason") { span.problem { (why) } } }
            (t("action", tr("form.action"), &f.action))
            h2 { (tr("form.customer")) }
            (t("first_name", tr("form.first_name"), &f.first_name))
            (t("last_name", tr("form.last_name"), &f.last_name))
            (field(f, problems, "birth_date", tr("form.birth_date"), "date", &f.birth_date))
            (select(lang, problems, "nationality", tr("form.nationality"), &f.nationality, REGION_COUNTRIES, &mut countries()))
            (t("id_number", tr("form.id_number"), &f.id_number))
            (t("account", tr("form.account"), &f.account))
            (t("bic", tr("form.bic"), &f.bic))
            h2 { (tr("form.transaction")) }
            (select(lang, problems, "currency", tr("form.currency"), &f.currency, REGION_CURRENCIES, &mut currencies()))
            (t("number", tr("form.number"), &f.number))
            (field(f, problems, "date", tr("form.date"), "datetime-local", &f.date))
            (t("amount", tr("form.amount"), &f.amount))
            label { (tr("form.direction")) " " select name="direction" {
                option value="in" selected[f.direction != "out"] { (tr("form.received")) }
                option value="out" selected[f.direction == "out"] { (tr("form.sent")) }
            } }
            h2 { (tr("form.counterparty")) }
            (t("cp_first_name", tr("form.cp_first_name"), &f.cp_first_name))
            (t("cp_last_name", tr("form.last_name"), &f.cp_last_name))
            (t("cp_account", tr("form.account"), &f.cp_account))
            (t("cp_bic", tr("form.cp_bic"), &f.cp_bic))
            (select(lang, problems, "cp_country", tr("form.cp_country"), &f.cp_country, REGION_COUNTRIES, &mut countries()))
            button { (tr("form.submit")) }
        }
    }
}

pub(super) async fn report_form(Caller(p): Caller) -> Result<Response, AppError> {
    p.require(&[Role::ReportingEntity], false)?;
    let blank = ReportFormData {
        report_code: "STR".into(),
        direction: "in".into(),
        ..ReportFormData::default()
    };
    let body = render(&p, &blank, &Problems::new());
    Ok(page(
        Some(&p),
        Lang::of(Some(&p)).t("form.title"),
        &body.into_string(),
    )
    .into_response())
}

/// Which form field an intake problem's element path is about, for the
/// rare problem the form's own checks did not catch.
fn field_of(path: &str, direction_out: bool) -> &'static str {
    let ours_from = direction_out;
    let side_is_ours = |side: &str| (side == "t_from") == ours_from;
    let last = path.rsplit('/').next().unwrap_or("");
    let side = if path.contains("/t_from") {
        "t_from"
    } else if path.contains("/t_to") {
        "t_to"
    } else {
        ""
    };
    let ours = side.is_empty() || side_is_ours(side);
    match (last, ours) {
        ("entity_reference", _) => "reference",
        ("reason", _) => "reason",
        ("currency_code_local", _) => "currency",
        ("transactionnumber", _) => "number",
        ("date_transaction", _) => "date",
        ("amount_local", _) => "amount",
        ("first_name", true) => "first_name",
        ("last_name", true) => "last_name",
        ("birthdate", _) => "birth_date",
        ("nationality1", _) => "nationality",
        ("id_number", _) => "id_number",
        ("account", true) => "account",
        ("swift", true) => "bic",
        ("first_name", false) => "cp_first_name",
        ("last_name", false) => "cp_last_name",
        ("account", false) => "cp_account",
        ("swift", false) => "cp_bic",
        (_, false) => "cp_country",
        _ => "reason",
    }
}

/// The web form becomes a goAML report (the same XML a bank's system would
/// send) and goes through the same intake.
pub(super) async fn file_report_form(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<ReportFormData>,
) -> Result<Response, AppError> {
    p.require(&[Role::ReportingEntity], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let institution = p.institution.ok_or_else(|| AppError::forbidden().html())?;
    let problems = check(&f, Timestamp(nexus_store::now()));
    if !problems.is_empty() {
        let body = render(&p, &f, &problems);
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(
                Some(&p),
                Lang::of(Some(&p)).t("form.title"),
                &body.into_string(),
            ),
        )
            .into_response());
    }
    let inst_name = state
        .blocking(move |s| Ok(s.store.read(|db| db.institution(institution))?))
        .await
        .map_err(html_err)?
        .map(|i| i.name)
        .unwrap_or_else(|| format!("Reporting entity {institution}"));
    let xml = to_goaml(&f, institution, &inst_name, &p.username);
    let principal = p.clone();
    let outcome = state
        .blocking(move |s| {
            let screening = s.screening();
            nexus_fiu::intake::receive(
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
            })
        })
        .await
        .map_err(html_err)?;
    let Some(first) = outcome.first() else {
        return Err(AppError::bad_request("nothing was filed").html());
    };
    if first.status == nexus_model::ReportStatus::Processed {
        state.network_changed();
        return Ok(Redirect::to(&format!("/reports/{}", first.report_id)).into_response());
    }
    // The intake found what the form did not: back to the form, in its terms.
    let mut problems = Problems::new();
    for problem in &first.problems {
        problems
            .entry(field_of(&problem.path, f.direction == "out"))
            .or_insert_with(|| problem.message.clone());
    }
    if problems.is_empty() {
        problems.insert("reason", first.message.clone());
    }
    let body = render(&p, &f, &problems);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page(
            Some(&p),
            Lang::of(Some(&p)).t("form.title"),
            &body.into_string(),
        ),
    )
        .into_response())
}

fn to_goaml(f: &ReportFormData, institution: i64, inst_name: &str, officer: &str) -> String {
    use nexus_formats::goaml::{
        write_report, GoamlAccount, GoamlParty, GoamlPerson, GoamlReport, GoamlSide,
        GoamlTransaction,
    };
    let date = f.date.trim();
    let date = if date.len() == 16 {
        format!("{date}:00")
    } else {
        date.to_string()
    };
    let ours = GoamlSide {
        my_client: true,
        funds_code: "E".into(),
        country: f.nationality.trim().to_string(),
        party: GoamlParty::Account(Box::new(GoamlAccount {
            institution_name: inst_name.to_string(),
            swift: f.bic.trim().to_uppercase(),
            account: f.account.trim().to_string(),
            currency_code: f.currency.trim().to_string(),
            signatory: Some(GoamlPerson {
                first_name: f.first_name.trim().to_string(),
                last_name: f.last_name.trim().to_string(),
                birthdate: format!("{}T00:00:00", f.birth_date.trim()),
                id_number: f.id_number.trim().to_string(),
                nationality1: f.nationality.trim().to_string(),
                ..GoamlPerson::default()
            }),
            ..GoamlAccount::default()
        })),
    };
    let theirs = GoamlSide {
        my_client: false,
        funds_code: "E".into(),
        country: f.cp_country.trim().to_string(),
        party: GoamlParty::Account(Box::new(GoamlAccount {
            institution_name: f.cp_bic.trim().to_uppercase(),
            swift: f.cp_bic.trim().to_uppercase(),
            account: f.cp_account.trim().to_string(),
            signatory: Some(GoamlPerson {
                first_name: f.cp_first_name.trim().to_string(),
                last_name: f.cp_last_name.trim().to_string(),
                ..GoamlPerson::default()
            }),
            ..GoamlAccount::default()
        })),
    };
    let (from, to) = if f.direction == "out" {
        (ours, theirs)
    } else {
        (theirs, ours)
    };
    let report = GoamlReport {
        rentity_id: u32::try_from(institution).unwrap_or(0),
        report_code: f.report_code.trim().to_string(),
        entity_reference: f.reference.trim().to_string(),
        submission_date: Timestamp(nexus_store::now())
            .to_string()
            .trim_end_matches('Z')
            .to_string(),
        currency_code_local: f.currency.trim().to_string(),
        reporting_person: GoamlPerson {
            first_name: officer.to_string(),
            last_name: "(web form)".into(),
            ..GoamlPerson::default()
        },
        reason: f.reason.trim().to_string(),
        action: f.action.trim().to_string(),
        transactions: vec![GoamlTransaction {
            transaction_number: f.number.trim().to_string(),
            transaction_location: "web form".into(),
            transaction_description: "filed with the web form".into(),
            date_transaction: date,
            transmode_code: "E".into(),
            amount_local: f.amount.trim().replace([',', ' '], ""),
            from,
            to,
            ..GoamlTransaction::default()
        }],
        ..GoamlReport::default()
    };
    write_report(&report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ReportFormData {
        ReportFormData {
            reference: "STR-1".into(),
            report_code: "STR".into(),
            reason: "cash".into(),
            first_name: "Джамшед".into(),
            last_name: "Раҳимов".into(),
            birth_date: "1985-03-14".into(),
            nationality: "TJ".into(),
            id_number: "A1".into(),
            account: "40817".into(),
            currency: "TJS".into(),
            number: "T1".into(),
            date: "2026-02-27T09:15".into(),
            amount: "12,500.00".into(),
            direction: "in".into(),
            cp_first_name: "Aibek".into(),
            cp_last_name: "Toktogulov".into(),
            cp_account: "1".into(),
            cp_bic: "KGBKKG22".into(),
            cp_country: "KG".into(),
            ..ReportFormData::default()
        }
    }

    #[test]
    fn made_up_codes_future_births_and_bad_amounts_are_named_by_field() {
        let now = Timestamp::parse_rfc3339("2026-11-30T12:00:00Z").unwrap();
        assert!(check(&good(), now).is_empty(), "{:?}", check(&good(), now));
        let bad = ReportFormData {
            nationality: "Tajikistan".into(),
            currency: "dollars".into(),
            cp_country: "Narnia".into(),
            birth_date: "2031-01-01".into(),
            amount: "-5".into(),
            cp_bic: "KG".into(),
            ..good()
        };
        let p = check(&bad, now);
        let fields: Vec<&str> = p.keys().copied().collect();
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
    }

    #[test]
    fn intake_paths_map_to_the_fields_the_officer_typed() {
        let path =
            "report/transaction[1]/t_to_my_client/to_account/signatory[1]/t_person/birthdate";
        assert_eq!(field_of(path, false), "birth_date");
        assert_eq!(
            field_of("report/transaction[1]/t_from/from_account/swift", false),
            "cp_bic"
        );
        assert_eq!(
            field_of(
                "report/transaction[1]/t_from_my_client/from_account/swift",
                true
            ),
            "bic"
        );
    }
}
