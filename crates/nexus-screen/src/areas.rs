//! High-risk areas: the towns and provinces a risk assessment names as
//! high-risk for terrorist financing (conflict zones and their edges, the
//! transit routes of foreign terrorist fighters), and whether a reported
//! place lies in one of them.
//!
//! The list is one area per line, in any script, as addresses write it,
//! optionally `, CC` to hold it to one country. Place names are compared
//! word by word on their sound, not their spelling, with the name layer of
//! screening ([`nexus_names`]): `Kunduz`, `Kondoz`, `Кундуз` and `قندوز` are
//! one town; `Sanliurfa` and `Şanlıurfa` one province. An area matches a
//! place whose words contain the area's words in a row (`Kunduz` matches
//! `Kunduz Province`), after the words that only say what kind of place it
//! is (province, oblast, ولایت …) are left out on both sides. Hand-written
//! because no crate compares place names across the region's scripts.

use std::collections::HashMap;

pub use nexus_formats::goaml_intake::ReportedPlace as Place;
use nexus_names::{consonant_classes, fold_tokens, key_similarity, phonetic_key, skeleton};

/// Bounds on the list: a national risk assessment names tens of areas.
pub const MAX_AREAS: usize = 1_000;
pub const MAX_AREA_CHARS: usize = 100;

/// A line of the list that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct AreaError {
    pub line: usize,
    pub message: String,
}

/// One word of a place name, compared on its sound.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    /// The word folded to lower-case ASCII.
    folded: String,
    /// The phonetic key, for words written with their vowels.
    key: String,
    /// The consonants in confusable classes: what a spelling in Arabic
    /// script (short vowels unwritten) shares with a Latin one.
    consonants: String,
    vowelless: bool,
}

impl Word {
    /// The same consonants (in confusable classes), and for two words
    /// written with vowels, keys close enough that only vowels or one
    /// letter differ (`Kunduz`/`Kondoz`, not `Kunduz`/`Kunda`).
    fn same(&self, other: &Word) -> bool {
        self.consonants == other.consonants
            && (self.vowelless
                || other.vowelless
                || self.key == other.key
                || key_similarity(&self.key, &other.key) >= 0.75)
    }
}

/// Words that say what kind of place a name is, not which one (Latin
/// spellings folded, Cyrillic and Arabic script as written, lower case).
const KIND_WORDS: &[&str] = &[
    "province",
    "provinsi",
    "district",
    "region",
    "city",
    "town",
    "village",
    "governorate",
    "oblast",
    "oblys",
    "oblasti",
    "viloyat",
    "viloyati",
    "wilayat",
    "velayat",
    "rayon",
    "raioni",
    "tumani",
    "shahri",
    "il",
    "ili",
    "muhafazat",
    "область",
    "облысы",
    "вилояти",
    "вилоят",
    "район",
    "город",
    "шаҳри",
    "ноҳияи",
    "ولایت",
    "ولسوالی",
    "شهر",
    "محافظة",
];

fn words(name: &str) -> Vec<Word> {
    fold_tokens(name)
        .into_iter()
        .filter(|t| {
            let lower = t.original.to_lowercase();
            !KIND_WORDS.contains(&lower.as_str()) && !KIND_WORDS.contains(&t.folded.as_str())
        })
        .map(|t| word(t.folded, t.vowelless))
        .filter(|w| !w.key.is_empty())
        .collect()
}

fn word(folded: String, vowelless: bool) -> Word {
    let key = phonetic_key(&folded);
    Word {
        consonants: consonant_classes(&skeleton(&key)),
        key,
        folded,
        vowelless,
    }
}

/// Words run together as one (`Jalal-Abad` as `Jalalabad`, `Mazar-i-Sharif`
/// as `Mazari Sharif`): place names are split and joined at will.
fn joined(words: &[Word]) -> Word {
    word(
        words.iter().map(|w| w.folded.as_str()).collect(),
        words.iter().any(|w| w.vowelless),
    )
}

/// Most words of a place name run together in a comparison.
const MAX_JOINED: usize = 4;

#[derive(Debug, Clone)]
struct Area {
    written: String,
    words: Vec<Word>,
    /// The words run together.
    joined: Word,
    country: Option<String>,
}

/// The FIU's list of high-risk areas, ready to match places.
#[derive(Debug, Clone, Default)]
pub struct HighRiskAreas {
    areas: Vec<Area>,
    /// Areas by the consonants of their first word.
    by_first: HashMap<String, Vec<usize>>,
    /// Areas by the consonants of their words run together.
    by_joined: HashMap<String, Vec<usize>>,
}

impl HighRiskAreas {
    /// Reads the list: one area per line, `#` starts a comment, an optional
    /// `, CC` (ISO 3166 alpha-2) holds the area to one country
    /// (`Jalalabad, AF` is not Jalal-Abad in Kyrgyzstan).
    pub fn parse(text: &str) -> Result<HighRiskAreas, AreaError> {
        let mut areas = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let fail = |message: String| AreaError { line, message };
            if content.chars().count() > MAX_AREA_CHARS {
                return Err(fail(format!(
                    "an area is at most {MAX_AREA_CHARS} characters"
                )));
            }
            let (name, country) = match content.rsplit_once(',') {
                Some((name, code)) if code.trim().len() == 2 => {
                    let code = code.trim().to_ascii_uppercase();
                    if !nexus_model::codes::is_country_code(&code) {
                        return Err(fail(format!(
                            "{code:?} is not an ISO 3166 alpha-2 country code"
                        )));
                    }
                    (name.trim(), Some(code))
                }
                _ => (content, None),
            };
            let words = words(name);
            if words.is_empty() {
                return Err(fail(format!(
                    "{name:?} names no place (only words such as \"province\")"
                )));
            }
            areas.push(Area {
                written: content.to_string(),
                joined: joined(&words),
                words,
                country,
            });
            if areas.len() > MAX_AREAS {
                return Err(fail(format!("the list holds at most {MAX_AREAS} areas")));
            }
        }
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_joined: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in areas.iter().enumerate() {
            by_first
                .entry(a.words[0].consonants.clone())
                .or_default()
                .push(i);
            by_joined
                .entry(a.joined.consonants.clone())
                .or_default()
                .push(i);
        }
        Ok(HighRiskAreas {
            areas,
            by_first,
            by_joined,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    /// The area (as the list writes it) that `place` lies in, if any.
    pub fn area_of(&self, place: &Place) -> Option<&str> {
        if self.areas.is_empty() {
            return None;
        }
        for name in place.names() {
            let ws = words(name);
            for start in 0..ws.len() {
                let Some(candidates) = self.by_first.get(&ws[start].consonants) else {
                    continue;
                };
                for &i in candidates {
                    let a = &self.areas[i];
                    let rest = &ws[start..];
                    if a.words.len() <= rest.len()
                        && a.words.iter().zip(rest).all(|(x, y)| x.same(y))
                        && a.country.as_ref().is_none_or(|c| *c == place.country)
                    {
                        return Some(&a.written);
                    }
                }
            }
            // The same words split or joined otherwise (Jalal-Abad / Jalalabad).
            for start in 0..ws.len() {
                for end in start + 1..=ws.len().min(start + MAX_JOINED) {
                    let run = joined(&ws[start..end]);
                    let Some(candidates) = self.by_joined.get(&run.consonants) else {
                        continue;
                    };
                    for &i in candidates {
                        let a = &self.areas[i];
                        if a.joined.same(&run)
                            && a.country.as_ref().is_none_or(|c| *c == place.country)
                        {
                            return Some(&a.written);
                        }
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(city: &str, country: &str) -> Place {
        Place {
            city: city.into(),
            country: country.into(),
            ..Place::default()
        }
    }

    #[test]
    fn an_area_matches_its_spellings_in_the_regions_scripts() {
        let areas = HighRiskAreas::parse("# conflict zones\nKunduz\nSanliurfa\nIdlib\n").unwrap();
        assert_eq!(areas.len(), 3);
        for city in [
            "Kunduz",
            "KUNDUZ",
            "Kondoz",
            "Кундуз",
            "قندوز",
            "Kunduz Province",
            "ولایت قندوز",
        ] {
            assert_eq!(areas.area_of(&place(city, "AF")), Some("Kunduz"), "{city}");
        }
        assert_eq!(areas.area_of(&place("Şanlıurfa", "TR")), Some("Sanliurfa"));
        assert_eq!(areas.area_of(&place("Kabul", "AF")), None);
        assert_eq!(areas.area_of(&place("Kunda", "EE")), None);
        assert_eq!(areas.area_of(&place("Dushanbe", "TJ")), None);
    }

    #[test]
    fn an_area_held_to_a_country_matches_only_there() {
        let areas = HighRiskAreas::parse("Jalalabad, AF").unwrap();
        assert_eq!(
            areas.area_of(&place("Jalalabad", "AF")),
            Some("Jalalabad, AF")
        );
        assert_eq!(areas.area_of(&place("Jalalabad", "KG")), None);
        // The state names the area when the city does not.
        let p = Place {
            city: "Behsud".into(),
            state: "Jalalabad".into(),
            country: "AF".into(),
            ..Place::default()
        };
        assert_eq!(areas.area_of(&p), Some("Jalalabad, AF"));
    }

    #[test]
    fn words_split_or_joined_otherwise_are_one_place() {
        let areas = HighRiskAreas::parse("Mazar-i-Sharif, AF\nJalalabad, AF\n").unwrap();
        assert_eq!(
            areas.area_of(&place("Mazari Sharif", "AF")),
            Some("Mazar-i-Sharif, AF")
        );
        assert_eq!(
            areas.area_of(&place("Jalal-Abad", "AF")),
            Some("Jalalabad, AF")
        );
        // Held to Afghanistan: Kyrgyzstan's Jalal-Abad is not meant.
        assert_eq!(areas.area_of(&place("Jalal-Abad", "KG")), None);
        assert_eq!(areas.area_of(&place("Sharif Town", "AF")), None);
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = HighRiskAreas::parse("Kunduz\nIdlib, QQ\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("QQ"), "{e}");
        let e = HighRiskAreas::parse("Kunduz\n\nProvince\n").unwrap_err();
        assert_eq!(e.line, 3);
        let long = "x".repeat(MAX_AREA_CHARS + 1);
        assert_eq!(HighRiskAreas::parse(&long).unwrap_err().line, 1);
        let many = "Kunduz\n".repeat(MAX_AREAS + 1);
        assert_eq!(HighRiskAreas::parse(&many).unwrap_err().line, MAX_AREAS + 1);
    }

    proptest::proptest! {
        /// Any text is a list or an error naming a line within it; never a panic.
        #[test]
        fn any_text_reads_or_names_a_line(text in "(?s).{0,400}") {
            if let Err(e) = HighRiskAreas::parse(&text) {
                proptest::prop_assert!(e.line >= 1 && e.line <= text.lines().count().max(1));
            }
        }

        /// A listed area is found in an address that writes it, whatever
        /// comes before or after it.
        #[test]
        fn a_listed_area_lies_in_a_place_that_names_it(
            area in "[A-Z][a-z]{3,9}",
            before in "([A-Z][a-z]{2,8} )?",
        ) {
            let areas = HighRiskAreas::parse(&area).unwrap();
            let p = place(&format!("{before}{area} Province"), "AF");
            proptest::prop_assert_eq!(areas.area_of(&p), Some(area.as_str()));
        }
    }
}
