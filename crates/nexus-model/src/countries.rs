//! Country names as lists and reports write them, to ISO 3166-1 codes.
//!
//! Sanctions lists give nationality as free text: "Iran (Islamic Republic
//! of)", "Syrian Arab Republic", "Afghan", "Possibly Ethiopian",
//! "Sudan/South Sudan", "United States. Also believed to hold Syrian
//! nationality". [`countries_in`] finds every country such a text names.

use crate::Country;
use std::collections::HashMap;
use std::sync::OnceLock;

/// `CODE|Name|Other name|Demonym` per line.
const TABLE: &str = include_str!("countries.txt");

struct Names {
    by_name: HashMap<String, Country>,
    /// (lower-case name, code), longest first, for searching inside text.
    longest_first: Vec<(String, Country)>,
    first_name: HashMap<Country, &'static str>,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut by_name = HashMap::new();
        let mut first_name = HashMap::new();
        for line in TABLE.lines() {
            let mut fields = line.split('|');
            let Some(code) = fields.next().and_then(Country::parse) else {
                continue;
            };
            for (i, name) in fields.enumerate() {
                if i == 0 {
                    first_name.insert(code, name);
                }
                by_name.insert(simplify(name), code);
            }
        }
        let mut longest_first: Vec<(String, Country)> =
            by_name.iter().map(|(n, c)| (n.clone(), *c)).collect();
        longest_first.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Names {
            by_name,
            longest_first,
            first_name,
        }
    })
}

/// Lower case, apostrophes unified, runs of spaces collapsed.
fn simplify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '\u{2019}' | '`' => out.push('\''),
                'ü' | 'Ü' => out.push('u'),
                'ô' => out.push('o'),
                _ => out.extend(c.to_lowercase()),
            }
        }
    }
    out
}

impl Country {
    /// The country a name, demonym or two-letter code denotes exactly.
    pub fn from_name(text: &str) -> Option<Country> {
        let t = text.trim().trim_end_matches('.');
        // Codes only in capitals: lists write "na" for "not available".
        if t.len() == 2 && t.bytes().all(|b| b.is_ascii_uppercase()) {
            return Country::parse(t);
        }
        names().by_name.get(&simplify(t)).copied()
    }

    /// The English short name, when the table knows the code.
    pub fn name(self) -> Option<&'static str> {
        names().first_name.get(&self).copied()
    }
}

/// Every country a free-text nationality or address names, in order of
/// appearance, without repeats. Unknown text yields nothing.
pub fn countries_in(text: &str) -> Vec<Country> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    if let Some(c) = Country::from_name(text) {
        return vec![c];
    }
    let lower = simplify(text);
    let bytes = lower.as_bytes();
    let mut taken = vec![false; bytes.len()];
    let mut found: Vec<(usize, Country)> = Vec::new();
    for (name, code) in &names().longest_first {
        if name.len() < 4 {
            // Short names (UK, USA, DRC) only count as the whole text.
            continue;
        }
        let mut from = 0;
        while let Some(pos) = lower[from..].find(name.as_str()) {
            let start = from + pos;
            let end = start + name.len();
            let before_ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
            let after_ok = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
            if before_ok && after_ok && !taken[start..end].iter().any(|&t| t) {
                taken[start..end].iter_mut().for_each(|t| *t = true);
                found.push((start, *code));
            }
            from = end;
        }
    }
    found.sort_by_key(|f| f.0);
    let mut out: Vec<Country> = Vec::new();
    for (_, c) in found {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<String> {
        countries_in(text)
            .into_iter()
            .map(|c| c.as_str().to_string())
            .collect()
    }

    #[test]
    fn list_nationalities() {
        assert_eq!(codes("Iran (Islamic Republic of)"), ["IR"]);
        assert_eq!(codes("Afghan"), ["AF"]);
        assert_eq!(codes("Possibly Ethiopian"), ["ET"]);
        assert_eq!(codes("Sudan/South Sudan"), ["SD", "SS"]);
        assert_eq!(
            codes("United States. Also believed to hold Syrian nationality"),
            ["US", "SY"]
        );
        assert_eq!(codes("Democratic People's Republic of Korea "), ["KP"]);
        assert_eq!(codes("Türkiye"), ["TR"]);
        assert_eq!(codes("Nigeria"), ["NG"]);
        assert_eq!(codes("Guinea-Bissau"), ["GW"]);
        assert_eq!(codes("TJ"), ["TJ"]);
        assert!(codes("na").is_empty());
        assert!(codes(" na").is_empty());
        assert!(codes("unknown").is_empty());
        assert_eq!(
            Country::parse("TJ").and_then(Country::name),
            Some("Tajikistan")
        );
    }
}
