//! A labelled evaluation for name screening, built from a real list.
//!
//! Positives are variants of listed names the way they reach a bank or an
//! FIU in Central Asia: parts reordered or dropped, Latin respellings,
//! typing slips, renderings in Tajik, Uzbek and Russian Cyrillic, the
//! original Arabic-script name with Persian letters or without the
//! article, respelt aliases, and entity names with their legal form
//! changed. Negatives are ordinary people and companies of the region
//! (from the simulator's name tables) and hard negatives: the given name
//! of one listed person with the family name of another.
//!
//! Each query knows the list entry it must find (`expected`, the UN
//! DATAID) or that it must find nothing.

use crate::lists::respell;
use crate::names::{company_name, person_name, typo};
use crate::rng::Rng;
use crate::world::Culture;
use nexus_formats::unlist::UnList;
use nexus_model::{Gender, PartyKind};
use nexus_names::{analyse, compare_parts, NamePart, PartRole, Scheme};
use std::collections::{HashMap, HashSet};

/// One query of the evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalQuery {
    pub id: String,
    pub name: String,
    pub category: &'static str,
    /// The list entry's id it must match; empty when it must match nothing.
    pub expected: String,
}

/// How many negatives of each kind to draw.
#[derive(Debug, Clone, Copy)]
pub struct EvalSize {
    pub ordinary_persons: usize,
    pub ordinary_companies: usize,
    pub hard_negatives: usize,
}

impl Default for EvalSize {
    fn default() -> EvalSize {
        EvalSize {
            ordinary_persons: 8_000,
            ordinary_companies: 2_000,
            hard_negatives: 1_500,
        }
    }
}

/// Cyrillic orthographies a Latin name is rendered into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cyrillic {
    Russian,
    Tajik,
    Uzbek,
}

/// Renders a Latin name in Cyrillic the way a clerk of each country would.
fn to_cyrillic(name: &str, style: Cyrillic) -> String {
    let lower = name.to_lowercase();
    let b: Vec<char> = lower.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let at_word_start = |i: usize| i == 0 || b[i - 1].is_whitespace() || b[i - 1] == '-';
    let at_word_end = |i: usize| i + 1 >= b.len() || !b[i + 1].is_alphabetic();
    while i < b.len() {
        let rest: String = b[i..b.len().min(i + 4)].iter().collect();
        let take = |s: &str| rest.starts_with(s);
        let (cyr, used): (&str, usize) = if take("shch") {
            ("щ", 4)
        } else if take("dzh") {
            (
                if style == Cyrillic::Tajik {
                    "ҷ"
                } else {
                    "дж"
                },
                3,
            )
        } else if take("kh") {
            ("х", 2)
        } else if take("zh") {
            ("ж", 2)
        } else if take("ch") {
            ("ч", 2)
        } else if take("sh") {
            ("ш", 2)
        } else if take("ts") {
            ("ц", 2)
        } else if take("gh") || take("g'") || take("gʻ") {
            (
                if style == Cyrillic::Russian {
                    "г"
                } else {
                    "ғ"
                },
                2,
            )
        } else if take("o'") || take("oʻ") {
            (if style == Cyrillic::Uzbek { "ў" } else { "у" }, 2)
        } else if take("ya") {
            ("я", 2)
        } else if take("yu") {
            ("ю", 2)
        } else if take("yo") {
            ("ё", 2)
        } else if take("ye") {
            ("е", 2)
        } else if take("ou") || take("oo") {
            ("у", 2)
        } else if take("ee") {
            ("и", 2)
        } else if take("th") {
            ("с", 2)
        } else if take("dh") {
            ("з", 2)
        } else if take("dj") {
            (
                if style == Cyrillic::Tajik {
                    "ҷ"
                } else {
                    "дж"
                },
                2,
            )
        } else {
            let c = b[i];
            let s = match c {
                'a' => "а",
                'b' => "б",
                'c' if matches!(b.get(i + 1), Some('e' | 'i' | 'y')) => "с",
                'c' => "к",
                'd' => "д",
                'e' if at_word_start(i) => "э",
                'e' => "е",
                'f' => "ф",
                'g' => "г",
                'h' => match style {
                    Cyrillic::Russian => "х",
                    _ => "ҳ",
                },
                'i' if style == Cyrillic::Tajik && at_word_end(i) => "ӣ",
                'i' => "и",
                'j' => match style {
                    Cyrillic::Russian => "дж",
                    Cyrillic::Tajik => "ҷ",
                    Cyrillic::Uzbek => "ж",
                },
                'k' => "к",
                'l' => "л",
                'm' => "м",
                'n' => "н",
                'o' => "о",
                'p' => "п",
                'q' => match style {
                    Cyrillic::Russian => "к",
                    _ => "қ",
                },
                'r' => "р",
                's' => "с",
                't' => "т",
                'u' => "у",
                'v' | 'w' => "в",
                'x' => match style {
                    Cyrillic::Uzbek => "х",
                    _ => "кс",
                },
                'y' => "й",
                'z' => "з",
                '\'' | 'ʻ' | '’' => "",
                _ => {
                    out.push(c);
                    i += 1;
                    continue;
                }
            };
            (s, 1)
        };
        let word_start = at_word_start(i);
        if word_start {
            let mut it = cyr.chars();
            if let Some(first) = it.next() {
                out.extend(first.to_uppercase());
                out.extend(it);
            }
        } else {
            out.push_str(cyr);
        }
        i += used;
    }
    out
}

/// More romanisation habits than the simulator's list respeller uses.
fn respell_more(name: &str, rng: &mut Rng) -> String {
    const RULES: &[(&str, &str)] = &[
        ("Muhammad", "Mukhammad"),
        ("Muhammad", "Magomed"),
        ("Mohammed", "Mokhammed"),
        ("MUHAMMAD", "MOHAMED"),
        ("MOHAMMED", "MUHAMMAD"),
        ("j", "dzh"),
        ("J", "Dzh"),
        ("sh", "ch"),
        ("u", "ou"),
        ("i", "ee"),
        ("k", "q"),
        ("K", "Q"),
        ("ah ", "a "),
        ("y", "j"),
        ("ei", "ey"),
        ("w", "v"),
        ("W", "V"),
        ("z", "dh"),
        ("Abd al-", "Abdul "),
        ("Abdul ", "Abd al-"),
        ("Al-", ""),
        ("al-", ""),
        ("AL-", ""),
    ];
    let applicable: Vec<&(&str, &str)> = RULES.iter().filter(|(a, _)| name.contains(a)).collect();
    if rng.chance(0.15) {
        // A plain h written kh (Russian habit), never inside sh, ch, gh, th.
        let chars: Vec<char> = name.chars().collect();
        let spots: Vec<usize> = (0..chars.len())
            .filter(|&i| {
                chars[i].eq_ignore_ascii_case(&'h')
                    && (i == 0 || "aeiouAEIOU ".contains(chars[i - 1]))
            })
            .collect();
        if !spots.is_empty() {
            let i = *rng.pick(&spots);
            let mut out: String = chars[..i].iter().collect();
            out.push_str(if chars[i] == 'H' { "KH" } else { "kh" });
            out.extend(&chars[i + 1..]);
            return out;
        }
    }
    if applicable.is_empty() || rng.chance(0.4) {
        return respell(name, rng);
    }
    let (from, to) = applicable[rng.below(applicable.len())];
    name.replacen(from, to, 1)
}

/// Arabic-script variation: Persian letters for Arabic ones, the article
/// dropped, or the parts reordered.
fn arabic_variant(name: &str, rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => name
            .replace('ي', "ی")
            .replace('ك', "ک")
            .replace('ة', "ه")
            .replace('ى', "ی"),
        1 => {
            let words: Vec<String> = name
                .split_whitespace()
                .map(|w| {
                    let stripped = w.strip_prefix("ال").unwrap_or(w);
                    if stripped.chars().count() >= 3 {
                        stripped.to_string()
                    } else {
                        w.to_string()
                    }
                })
                .collect();
            words.join(" ")
        }
        _ => {
            let mut u = units(name);
            u.rotate_right(1);
            u.join(" ")
        }
    }
}

fn words(name: &str) -> Vec<&str> {
    name.split_whitespace().collect()
}

/// The units of a name a person keeps together when reordering or
/// shortening it: a particle (al-, bin, ould, ag) or the first half of a
/// theophoric name (Abd, Abdul, عبد) stays with the word after it.
fn units(name: &str) -> Vec<String> {
    const BOUND: &[&str] = &[
        "al", "al-", "el", "el-", "bin", "ibn", "ben", "bint", "ould", "ag", "abd", "abd-al",
        "abdul", "abdel", "abu", "abou", "'abd", "‘abd", "ul", "ur", "ud", "عبد", "بن", "ابن",
        "ابو", "أبو", "da", "de", "van", "von", "mullah", "mawlawi", "haji", "hajji", "sheikh",
        "na",
    ];
    let mut out: Vec<String> = Vec::new();
    let mut pending = String::new();
    for w in name.split_whitespace() {
        if !pending.is_empty() {
            pending.push(' ');
        }
        pending.push_str(w);
        if !BOUND.contains(&w.to_lowercase().as_str()) {
            out.push(std::mem::take(&mut pending));
        }
    }
    if !pending.is_empty() {
        match out.last_mut() {
            Some(last) => {
                last.push(' ');
                last.push_str(&pending);
            }
            None => out.push(pending),
        }
    }
    out
}

/// Whether some listed name contains parts sounding like both `a` and `b`.
fn listed_together(names_keys: &[HashSet<String>], a: &str, b: &str) -> bool {
    let key = |s: &str| analyse(s).into_iter().map(|p| p.key).collect::<Vec<_>>();
    let (ka, kb) = (key(a), key(b));
    names_keys
        .iter()
        .any(|set| ka.iter().any(|k| set.contains(k)) && kb.iter().any(|k| set.contains(k)))
}

/// The parts of every listed name, reachable by consonant skeleton.
struct ListedParts {
    names: Vec<Vec<NamePart>>,
    by_skeleton: HashMap<String, Vec<u32>>,
}

/// Parts this similar sound like one name.
const SAME_PART: f32 = 0.88;

impl ListedParts {
    fn new(list: &UnList) -> ListedParts {
        let mut names = Vec::new();
        let mut by_skeleton: HashMap<String, Vec<u32>> = HashMap::new();
        for e in &list.entries {
            let texts = std::iter::once(e.primary_name())
                .chain(std::iter::once(e.name_original_script.clone()))
                .chain(alias_names(e));
            for t in texts {
                let parts = analyse(&t);
                if parts.is_empty() {
                    continue;
                }
                let id = names.len() as u32;
                for p in &parts {
                    by_skeleton.entry(p.skeleton.clone()).or_default().push(id);
                }
                names.push(parts);
            }
        }
        ListedParts { names, by_skeleton }
    }

    /// Whether every identifying part of `name` sounds like a distinct
    /// part of one listed name. Such a name cannot serve as a negative: it
    /// is what a listed name with a part dropped looks like, and screening
    /// must raise it.
    fn covered(&self, name: &str) -> bool {
        let parts: Vec<NamePart> = analyse(name)
            .into_iter()
            .filter(|p| p.role == PartRole::Name)
            .collect();
        let Some(first) = parts.first() else {
            return false;
        };
        let Some(candidates) = self.by_skeleton.get(&first.skeleton) else {
            return false;
        };
        candidates.iter().any(|&id| {
            let listed = &self.names[id as usize];
            let mut used = vec![false; listed.len()];
            parts.iter().all(|p| {
                let hit = listed
                    .iter()
                    .enumerate()
                    .find(|(j, l)| !used[*j] && compare_parts(p, l).0 >= SAME_PART);
                match hit {
                    Some((j, _)) => {
                        used[j] = true;
                        true
                    }
                    None => false,
                }
            })
        })
    }
}

/// Builds the evaluation from `list`. Deterministic for a seed.
pub fn screening_evaluation(list: &UnList, seed: u64, size: EvalSize) -> Vec<EvalQuery> {
    let mut rng = Rng::derive(seed, "screening-eval");
    let mut out: Vec<EvalQuery> = Vec::new();
    let push = |out: &mut Vec<EvalQuery>, name: String, category: &'static str, expected: &str| {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return;
        }
        out.push(EvalQuery {
            id: format!("q{}", out.len() + 1),
            name,
            category,
            expected: expected.to_string(),
        });
    };
    for e in &list.entries {
        let primary = e.primary_name();
        let id = e.data_id.as_str();
        if e.kind == Some(PartyKind::Organisation) {
            let variant = match rng.below(4) {
                0 => typo(&mut rng, &primary),
                1 => respell_more(&primary, &mut rng),
                2 => format!(
                    "{primary} {}",
                    rng.pick(&["LLC", "Ltd", "Foundation", "Trust"])
                ),
                _ => to_cyrillic(&primary, Cyrillic::Russian),
            };
            push(&mut out, variant, "entity", id);
            continue;
        }
        let name_units = units(&primary);
        if name_units.len() >= 2 {
            // The family name first, as registers of the region write it.
            let mut reordered = name_units.clone();
            reordered.rotate_right(1);
            push(&mut out, reordered.join(" "), "reorder", id);
        }
        if name_units.len() >= 3 {
            let mut dropped = name_units.clone();
            dropped.remove(1 + rng.below(name_units.len() - 1));
            push(&mut out, dropped.join(" "), "dropped", id);
        }
        push(&mut out, respell_more(&primary, &mut rng), "respelling", id);
        push(&mut out, typo(&mut rng, &primary), "typo", id);
        let style = *rng.pick(&[Cyrillic::Tajik, Cyrillic::Uzbek, Cyrillic::Russian]);
        let category = match style {
            Cyrillic::Tajik => "cyrillic_tajik",
            Cyrillic::Uzbek => "cyrillic_uzbek",
            Cyrillic::Russian => "cyrillic_russian",
        };
        push(&mut out, to_cyrillic(&primary, style), category, id);
        let original = e.name_original_script.trim();
        if nexus_names::detect_script(original) == nexus_model::Script::Arabic {
            push(
                &mut out,
                arabic_variant(original, &mut rng),
                "arabic_script",
                id,
            );
        }
        let good: Vec<&str> = e
            .aliases
            .iter()
            .filter(|a| a.quality.eq_ignore_ascii_case("good"))
            .flat_map(|a| a.name.split(';').map(str::trim))
            .filter(|a| words(a).len() >= 2)
            .collect();
        if !good.is_empty() {
            let alias = *rng.pick(&good);
            push(&mut out, respell_more(alias, &mut rng), "alias", id);
        }
    }
    // Negatives: names no listed name covers (see `ListedParts::covered`).
    let listed = ListedParts::new(list);
    // Ordinary people and companies of the region.
    const CULTURES: &[Culture] = &[
        Culture::Tajik,
        Culture::Uzbek,
        Culture::Kyrgyz,
        Culture::Kazakh,
        Culture::Turkmen,
        Culture::Russian,
        Culture::Afghan,
    ];
    const SCHEMES: &[&str] = &[
        "native",
        "passport",
        "russian_cyrillic",
        "icao_9303",
        "bgn_pcgn",
        "informal",
        "french",
        "german",
    ];
    for _ in 0..size.ordinary_persons {
        let culture = *rng.pick(CULTURES);
        let gender = if rng.chance(0.5) {
            Gender::Male
        } else {
            Gender::Female
        };
        let person = person_name(&mut rng, culture, gender);
        let scheme = *rng.pick(SCHEMES);
        let variant = rng.below(6);
        let name = person.record(scheme, variant).full;
        if listed.covered(&name) {
            continue;
        }
        push(&mut out, name, "ordinary_person", "");
    }
    const COUNTRIES: &[&str] = &["TJ", "UZ", "KG", "KZ", "TM", "RU", "AF", "TR", "AE", "CN"];
    for _ in 0..size.ordinary_companies {
        let country = *rng.pick(COUNTRIES);
        let c = company_name(&mut rng, country, Scheme::Icao);
        let name = if rng.chance(0.5) { c.latin } else { c.native };
        if listed.covered(&name) {
            continue;
        }
        push(&mut out, name, "ordinary_company", "");
    }
    // Hard negatives: given name of one listed person, family name of another.
    let individuals: Vec<Vec<&str>> = list
        .entries
        .iter()
        .filter(|e| e.kind == Some(PartyKind::Person))
        .map(|e| {
            e.name_parts
                .iter()
                .map(String::as_str)
                .filter(|p| !p.is_empty())
                .collect()
        })
        .filter(|p: &Vec<&str>| p.len() >= 2)
        .collect();
    let names_keys: Vec<HashSet<String>> = list
        .entries
        .iter()
        .flat_map(|e| {
            std::iter::once(e.primary_name())
                .chain(std::iter::once(e.name_original_script.clone()))
                .chain(alias_names(e))
        })
        .map(|n| analyse(&n).into_iter().map(|p| p.key).collect())
        .collect();
    let mut made = 0;
    let mut attempts = 0;
    while made < size.hard_negatives && attempts < size.hard_negatives * 50 && individuals.len() > 1
    {
        attempts += 1;
        let x = rng.pick(&individuals);
        let y = rng.pick(&individuals);
        let given = x[0];
        let family = y[y.len() - 1];
        let name = format!("{given} {family}");
        if listed_together(&names_keys, given, family) || listed.covered(&name) {
            continue;
        }
        push(&mut out, name, "hard_negative", "");
        made += 1;
    }
    out
}

/// Writes the evaluation as `queries.csv` (`id,name,birth_date,country`)
/// and `truth.csv` (`query_id,category,expected`) into `dir`.
pub fn write_evaluation(dir: &std::path::Path, queries: &[EvalQuery]) -> std::io::Result<()> {
    use nexus_formats::table::push_line;
    std::fs::create_dir_all(dir)?;
    let mut q = Vec::new();
    let mut t = Vec::new();
    push_line(&mut q, &["id", "name", "birth_date", "country"]);
    push_line(&mut t, &["query_id", "category", "expected"]);
    for e in queries {
        push_line(&mut q, &[&e.id, &e.name, "", ""]);
        push_line(&mut t, &[&e.id, e.category, &e.expected]);
    }
    std::fs::write(dir.join("queries.csv"), q)?;
    std::fs::write(dir.join("truth.csv"), t)
}

/// Writes a synthetic plain-CSV list of `entries` regional people and
/// companies with aliases, birth years and nationalities (for measuring
/// load and screening time at national-register scale).
pub fn write_synthetic_list(
    path: &std::path::Path,
    entries: usize,
    seed: u64,
) -> std::io::Result<()> {
    use nexus_formats::table::push_line;
    use std::io::Write;
    const CULTURES: &[(Culture, &str)] = &[
        (Culture::Tajik, "Tajikistan"),
        (Culture::Uzbek, "Uzbekistan"),
        (Culture::Kyrgyz, "Kyrgyzstan"),
        (Culture::Kazakh, "Kazakhstan"),
        (Culture::Turkmen, "Turkmenistan"),
        (Culture::Russian, "Russian Federation"),
        (Culture::Afghan, "Afghanistan"),
    ];
    let mut rng = Rng::derive(seed, "synthetic-list");
    let file = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::new(file);
    let mut line = Vec::with_capacity(256);
    push_line(
        &mut line,
        &[
            "id",
            "name",
            "aliases",
            "kind",
            "birth_date",
            "nationality",
            "reference",
        ],
    );
    w.write_all(&line)?;
    for i in 0..entries {
        line.clear();
        let id = format!("S{i}");
        if rng.chance(0.8) {
            let (culture, nationality) = *rng.pick(CULTURES);
            let gender = if rng.chance(0.8) {
                Gender::Male
            } else {
                Gender::Female
            };
            let p = person_name(&mut rng, culture, gender);
            let primary = p.record("passport", 0).full;
            let aliases = format!("{};{}", p.native(), p.record("russian_cyrillic", 1).full);
            let year = (1950 + rng.below(55)).to_string();
            push_line(
                &mut line,
                &[&id, &primary, &aliases, "person", &year, nationality, &id],
            );
        } else {
            let country = *rng.pick(&["TJ", "UZ", "KG", "KZ", "RU"]);
            let c = company_name(&mut rng, country, Scheme::Icao);
            push_line(
                &mut line,
                &[&id, &c.latin, &c.native, "organisation", "", "", &id],
            );
        }
        w.write_all(&line)?;
    }
    w.flush()
}

/// The names of an entry's aliases; several spellings in one alias field
/// ("A; B; C") are several names, as the list reader takes them.
fn alias_names(e: &nexus_formats::unlist::UnEntry) -> impl Iterator<Item = String> + '_ {
    e.aliases
        .iter()
        .flat_map(|a| a.name.split(';').map(|n| n.trim().to_string()))
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_keep_particles_with_their_word() {
        assert_eq!(
            units("ABD AL-RAHMAN OULD MUHAMMAD SALIM"),
            ["ABD AL-RAHMAN", "OULD MUHAMMAD", "SALIM"]
        );
        assert_eq!(units("IYAD AG GHALI"), ["IYAD", "AG GHALI"]);
        assert_eq!(units("X AL"), ["X AL"]);
    }

    #[test]
    fn cyrillic_renderings() {
        assert_eq!(
            to_cyrillic("Jamshed Rahimi", Cyrillic::Tajik),
            "Ҷамшед Раҳимӣ"
        );
        assert_eq!(
            to_cyrillic("Jamshed Rahimi", Cyrillic::Russian),
            "Джамшед Рахими"
        );
        assert_eq!(
            to_cyrillic("Qo'chqor G'ulomov", Cyrillic::Uzbek),
            "Қўчқор Ғуломов"
        );
        assert_eq!(
            to_cyrillic("ABDUL KHALIQ SHAH", Cyrillic::Russian),
            "Абдул Халик Шах"
        );
    }
}
