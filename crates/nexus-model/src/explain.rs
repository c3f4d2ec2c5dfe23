//! Explanations as data. What an engine says about an alert or a match is
//! kept as phrases — a key from a closed list and the values it names —
//! not as a finished English sentence, so that each reader gets it in
//! their language: the command line and the API write English (`Display`),
//! the UI renders the same phrases with the wording of the user's locale
//! file (`expl.<key>` for the sentences, `num.*`, `money.*` and `unit.*`
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
            /// Every sentence the engines say. The spelling is the locale
            /// key's suffix (`expl.fan_in`); `{name}` marks a value.
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
    BirthDates => "birth_dates": "birth {query} vs listed {listed}",
    Nationality => "nationality": "nationality {country}",
    CountryInAddresses => "country_in_addresses": "country {country} in addresses",
    CountryNotNationality => "country_not_nationality": "country {country} not listed nationality {listed}",
    DocumentMatches => "document_matches": "document {document} matches listed {kind}",
    PatronymicConflict => "patronymic_conflict": "patronymic {query} vs listed {listed}",
    NumberConflict => "number_conflict": "number {query} vs listed {listed}",
    Separator => "separator": "; ",
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
    pub fn with(mut self, name: &str, value: Value) -> Phrase {
        self.args.insert(name.to_string(), value);
        self
    }

    /// The phrase in the reader's wording.
    pub fn render(&self, w: &dyn Wording) -> String {
        let mut out = String::new();
        self.render_into(w, &mut out);
        out
    }

    fn render_into(&self, w: &dyn Wording, out: &mut String) {
        let template = w
            .text(&format!("expl.{}", self.key.as_str()))
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
/// each key it has (`expl.fan_in`, `num.group`, `unit.days`, …); what it
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

/// The English forms of numbers, amounts and durations.
fn english_form(key: &str) -> Option<&'static str> {
    Some(match key {
        "num.group" => ",",
        "num.decimal" => ".",
        "money.amount" => "{currency} {amount}",
        "money.thousands" => "{amount}k",
        "money.native" => "{native} ({usd})",
        "money.several" => "{usd} ({native})",
        "unit.minutes" => "{n} minutes",
        "unit.hours" => "{n} hours",
        "unit.days" => "{n} days",
        "list.more" => "{list} and {n} more",
        _ => return None,
    })
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
                "expl.episode" => "; продолжение: окон {windows} за {span}, {money} всего",
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
