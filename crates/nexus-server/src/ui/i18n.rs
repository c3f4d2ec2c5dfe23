//! The UI's languages. Every text lives in `locales/<code>.txt` (`key =
//! text`, one per line, `#` for comments, a text in double quotes keeps its
//! edge spaces): translators edit those files,
//! not code. A key missing from a language shows its English text; a key
//! the code asks for that English lacks is a bug the tests catch.
//!
//! Each user chooses a language (stored with the user); the default is
//! English. Adding Tajik, Uzbek, Kazakh or Kyrgyz is a file and one line in
//! [`Lang`].

use nexus_fiu::auth::Principal;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A language the UI is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
}

/// Each language: its code, its own name, its texts.
const CATALOGS: &[(Lang, &str, &str, &str)] = &[
    (
        Lang::En,
        "en",
        "English",
        include_str!("../../locales/en.txt"),
    ),
    (
        Lang::Ru,
        "ru",
        "Русский",
        include_str!("../../locales/ru.txt"),
    ),
];

type Texts = HashMap<&'static str, &'static str>;

/// `key = text` lines; a text in double quotes keeps its leading and
/// trailing spaces (the joints of explanation phrases: `" — model: …"`).
fn parse(text: &'static str) -> Texts {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once(" = ")
                .map(|(k, v)| (k.trim(), unquote(v.trim())))
        })
        .collect()
}

fn unquote(v: &str) -> &str {
    match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => inner,
        None => v,
    }
}

fn catalogs() -> &'static Vec<(Lang, Texts)> {
    static CELL: OnceLock<Vec<(Lang, Texts)>> = OnceLock::new();
    CELL.get_or_init(|| CATALOGS.iter().map(|(l, _, _, t)| (*l, parse(t))).collect())
}

impl Lang {
    /// Every language, in the order the selector offers them.
    pub fn all() -> impl Iterator<Item = Lang> {
        CATALOGS.iter().map(|c| c.0)
    }

    /// `en`, `ru`: how a user's choice is stored.
    pub fn code(self) -> &'static str {
        CATALOGS.iter().find(|c| c.0 == self).map_or("en", |c| c.1)
    }

    /// The language's name in itself (for the selector).
    pub fn own_name(self) -> &'static str {
        CATALOGS.iter().find(|c| c.0 == self).map_or("", |c| c.2)
    }

    /// The language a stored code names.
    pub fn parse(code: &str) -> Option<Lang> {
        CATALOGS.iter().find(|c| c.1 == code).map(|c| c.0)
    }

    /// The language of a signed-in user (English when none was chosen).
    pub fn of(p: Option<&Principal>) -> Lang {
        p.and_then(|p| Lang::parse(&p.language)).unwrap_or(Lang::En)
    }

    /// Before sign-in: the first language of the browser's
    /// `Accept-Language` the UI has, Russian for the region's languages
    /// it does not have yet (Tajik, Uzbek, Kazakh, Kyrgyz readers read
    /// Russian), else English.
    pub fn of_browser(headers: &axum::http::HeaderMap) -> Lang {
        let accepted = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        for tag in accepted.split(',') {
            let primary = tag
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .split('-')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if let Some(l) = Lang::parse(&primary) {
                return l;
            }
            if matches!(primary.as_str(), "tg" | "uz" | "kk" | "ky") {
                return Lang::Ru;
            }
        }
        Lang::En
    }

    /// The page scripts' texts in this language, as JSON for the page's
    /// `data-texts` attribute (the scripts are the same file for every
    /// language): the `js.*` texts, and the report statuses an upload
    /// answers with as `status_<stored spelling>`.
    pub fn script_texts(self) -> String {
        let english = &catalogs()
            .iter()
            .find(|c| c.0 == Lang::En)
            .expect("English")
            .1;
        let mut texts: std::collections::BTreeMap<String, &str> = english
            .keys()
            .filter_map(|k| {
                k.strip_prefix("js.")
                    .map(|short| (short.to_string(), self.t(k)))
            })
            .collect();
        for s in nexus_model::ReportStatus::ALL {
            let key = super::labels::report_status_key(*s);
            texts.insert(format!("status_{}", s.as_str()), self.t(key));
        }
        serde_json::to_string(&texts).unwrap_or_default()
    }

    /// The text of `key` in this language, else in English, else the key.
    pub fn t(self, key: &'static str) -> &'static str {
        let find = |lang: Lang| {
            catalogs()
                .iter()
                .find(|c| c.0 == lang)
                .and_then(|c| c.1.get(key).copied())
        };
        find(self).or_else(|| find(Lang::En)).unwrap_or(key)
    }
}

/// The engines' phrases (alert explanations) in this language: its own
/// `say.*`, `num.*`, `money.*`, `unit.*` and `term.*` texts; English
/// ones come from the phrases themselves (`nexus_model::explain`).
impl nexus_model::Wording for Lang {
    fn text(&self, key: &str) -> Option<&str> {
        catalogs()
            .iter()
            .find(|c| c.0 == *self)
            .and_then(|c| c.1.get(key).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the pages ask for (`t("…")`, and the keys the label
    /// functions return) has an English text.
    #[test]
    fn every_key_the_code_asks_for_exists_in_english() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
        let english = &catalogs().iter().find(|c| c.0 == Lang::En).unwrap().1;
        let mut asked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            for (marker, end) in [("t(\"", "\")"), ("=> \"", "\",")] {
                for piece in source.split(marker).skip(1) {
                    let Some(key) = piece.split(end).next() else {
                        continue;
                    };
                    let looks_like_key = key.contains('.')
                        && key.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)
                        });
                    if !looks_like_key || (marker.starts_with("=>") && !key.contains('.')) {
                        continue;
                    }
                    asked += 1;
                    assert!(
                        english.contains_key(key),
                        "{}: no English text for {key:?}",
                        path.display()
                    );
                }
            }
        }
        assert!(asked > 300, "only {asked} keys found: the scan is broken");
        let js: serde_json::Value = serde_json::from_str(&Lang::Ru.script_texts()).unwrap();
        assert_eq!(js["graph_empty"], "В деле пока нет операций.");
        assert_eq!(js["status_failed-validation"], "не прошло проверку");
    }

    /// Keys of the engines' phrases, whose English is in the code.
    fn is_engine_wording(key: &str) -> bool {
        ["say.", "num.", "money.", "unit.", "list.", "term."]
            .iter()
            .any(|p| key.starts_with(p))
    }

    /// The `{name}`s of a text, sorted.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut out: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Every other language writes every phrase the engines say, with the
    /// same values; its engine keys are all known; every evidence and name
    /// quality a match names has its term.
    #[test]
    fn every_language_writes_every_explanation_phrase() {
        use nexus_model::explain::PhraseKey;
        use nexus_model::Wording;
        let known: std::collections::HashSet<String> = PhraseKey::ALL
            .iter()
            .map(|k| format!("say.{}", k.as_str()))
            .chain(
                nexus_names::Evidence::ALL
                    .iter()
                    .map(|e| format!("term.evidence.{}", e.as_str())),
            )
            .chain(
                nexus_formats::lists::NameQuality::ALL
                    .iter()
                    .map(|q| format!("term.quality.{}", q.as_str())),
            )
            .chain(
                nexus_model::explain::FORMS
                    .iter()
                    .map(|(key, _)| key.to_string()),
            )
            .collect();
        for lang in Lang::all().filter(|l| *l != Lang::En) {
            for k in PhraseKey::ALL {
                let text = lang
                    .text(&format!("say.{}", k.as_str()))
                    .unwrap_or_else(|| panic!("{lang:?} lacks say.{}", k.as_str()));
                assert_eq!(
                    placeholders(text),
                    placeholders(k.english()),
                    "{lang:?} say.{}",
                    k.as_str()
                );
            }
            for key in &known {
                assert!(lang.text(key).is_some(), "{lang:?} lacks {key}");
            }
            let texts = &catalogs().iter().find(|c| c.0 == lang).unwrap().1;
            for key in texts.keys().filter(|k| is_engine_wording(k)) {
                assert!(known.contains(*key), "{lang:?}: {key} is no engine wording");
            }
        }
        // A phrase with its values, in Russian.
        let p = nexus_model::Phrase::new(PhraseKey::Episode)
            .with("windows", nexus_model::Value::count(2))
            .with("span", nexus_model::Value::Duration(4 * 86_400))
            .with("count", nexus_model::Value::count(9))
            .with("accounts", nexus_model::Value::count(5))
            .with(
                "money",
                nexus_model::Value::Money {
                    usd: 1234.0,
                    native: vec![("TJS".into(), 13_500.0)],
                },
            );
        assert_eq!(
            p.render(&Lang::Ru),
            "; схема продолжалась: окон 2 за 4 дн., операций 9 с участием 5 счетов, всего 13\u{a0}500 TJS (1\u{a0}234 USD)"
        );
    }

    #[test]
    fn every_language_has_every_english_key_and_no_other() {
        let all = catalogs();
        let english = &all.iter().find(|c| c.0 == Lang::En).unwrap().1;
        for (lang, texts) in all {
            let missing: Vec<_> = english.keys().filter(|k| !texts.contains_key(*k)).collect();
            let unknown: Vec<_> = texts
                .keys()
                .filter(|k| !english.contains_key(*k) && !is_engine_wording(k))
                .collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
            assert!(
                unknown.is_empty(),
                "{lang:?} has keys English lacks: {unknown:?}"
            );
            assert!(
                texts.values().all(|v| !v.is_empty()),
                "{lang:?} has an empty text"
            );
        }
        assert_eq!(Lang::Ru.t("nav.alerts"), "Оповещения");
        assert_eq!(Lang::parse("ru"), Some(Lang::Ru));
        assert_eq!(Lang::of(None), Lang::En);
        let browser = |v: &str| {
            let mut h = axum::http::HeaderMap::new();
            h.insert(axum::http::header::ACCEPT_LANGUAGE, v.parse().unwrap());
            Lang::of_browser(&h)
        };
        assert_eq!(browser("ru-RU,ru;q=0.9,en;q=0.8"), Lang::Ru);
        assert_eq!(
            browser("tg-TJ,en;q=0.5"),
            Lang::Ru,
            "Tajik readers read Russian"
        );
        assert_eq!(browser("de-DE,en;q=0.5"), Lang::En);
    }
}
