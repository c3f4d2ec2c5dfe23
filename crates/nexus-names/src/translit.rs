//! Romanisation schemes for the Cyrillic alphabets of Central Asia and Russia.
//!
//! The same person is spelled differently by every institution that records
//! them: a Tajik bank keeps the Tajik Cyrillic (Ҷамшед Раҳимов), a Russian
//! bank re-spells it with Russian letters (Джамшед Рахимов) and romanises it
//! as the Russian passport does (Dzhamshed Rakhimov), a Tajik passport or a
//! Dubai bank writes Jamshed Rahimov, a French or German correspondent
//! Djamched Rakhimov or Dschamsched Rachimow. Each [`Scheme`] reproduces one
//! of those habits so that the simulator can record names the way real
//! institutions do, and the screening engine can generate the same variants
//! as search keys.

use std::fmt;

/// A way of writing a Cyrillic name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// Keep the name as given.
    Native,
    /// Replace Tajik, Uzbek, Kazakh and Kyrgyz letters with Russian ones
    /// (ҷ → дж, ҳ → х, қ → к, ғ → г, ӯ/ў/ү/ұ → у, ӣ/і → и, ә → а, ө → о, ң → н),
    /// as a Russian or Kazakh bank's systems do.
    RussianCyrillic,
    /// ICAO Doc 9303 (Russian passports since 2013): х kh, ж zh, ц ts, й i, ю iu, я ia.
    Icao,
    /// BGN/PCGN Russian: й y, ю yu, я ya, initial е ye.
    BgnPcgn,
    /// Tajik national / BGN Tajik romanisation: ҷ j, ҳ h, қ q, ғ gh, ӯ u, ӣ i.
    TajikLatin,
    /// Uzbek official Latin (1995): ў oʻ, ғ gʻ, қ q, ҳ h, х x, ж j.
    UzbekLatin,
    /// Kazakh Latin (2021): ә ä, ғ ğ, қ q, ң ñ, ө ö, ұ ū, ү ü, ш ş, ч ç, і ı.
    KazakhLatin,
    /// Kyrgyz passport-style romanisation: ж j, ң ng, ө o, ү u.
    KyrgyzLatin,
    /// Turkmen Latin (1993): ж j, ш ş, ч ç, й ý, в w, ә ä, ө ö, ү ü, ң ň.
    TurkmenLatin,
    /// French habit: ш ch, ж j, ч tch, у ou, х kh, дж dj.
    French,
    /// German habit: ш sch, ж sh, ч tsch, х ch, в w, ц z, й j, ю ju, я ja.
    German,
    /// Ad-hoc English as typed by a clerk: ж/ҷ j, х/ҳ h, қ k, ғ g, ы i.
    Informal,
}

impl Scheme {
    pub const ALL: &'static [Scheme] = &[
        Scheme::Native,
        Scheme::RussianCyrillic,
        Scheme::Icao,
        Scheme::BgnPcgn,
        Scheme::TajikLatin,
        Scheme::UzbekLatin,
        Scheme::KazakhLatin,
        Scheme::KyrgyzLatin,
        Scheme::TurkmenLatin,
        Scheme::French,
        Scheme::German,
        Scheme::Informal,
    ];

    /// The identifier used in interchange files (`institutions.csv` `name_scheme`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Native => "native",
            Scheme::RussianCyrillic => "russian_cyrillic",
            Scheme::Icao => "icao_9303",
            Scheme::BgnPcgn => "bgn_pcgn",
            Scheme::TajikLatin => "tajik_latin",
            Scheme::UzbekLatin => "uzbek_latin",
            Scheme::KazakhLatin => "kazakh_latin",
            Scheme::KyrgyzLatin => "kyrgyz_latin",
            Scheme::TurkmenLatin => "turkmen_latin",
            Scheme::French => "french",
            Scheme::German => "german",
            Scheme::Informal => "informal",
        }
    }

    pub fn parse(text: &str) -> Option<Scheme> {
        Scheme::ALL.iter().copied().find(|s| s.as_str() == text)
    }

    /// Whether the scheme writes Latin letters (all but native and Russian Cyrillic).
    pub fn is_latin(self) -> bool {
        !matches!(self, Scheme::Native | Scheme::RussianCyrillic)
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The Russian letter a Central Asian Cyrillic letter is replaced with.
fn russify(c: char) -> Option<&'static str> {
    Some(match c {
        'ҷ' | 'җ' => "дж",
        'ҳ' | 'һ' => "х",
        'қ' => "к",
        'ғ' => "г",
        'ӣ' | 'і' => "и",
        'ӯ' | 'ў' | 'ү' | 'ұ' => "у",
        'ә' => "а",
        'ө' => "о",
        'ң' => "н",
        _ => return None,
    })
}

fn is_cyrillic_vowel(c: char) -> bool {
    matches!(
        c,
        'а' | 'е'
            | 'ё'
            | 'и'
            | 'о'
            | 'у'
            | 'ы'
            | 'э'
            | 'ю'
            | 'я'
            | 'ӣ'
            | 'ӯ'
            | 'ў'
            | 'ү'
            | 'ұ'
            | 'ә'
            | 'ө'
            | 'і'
            | 'ъ'
            | 'ь'
    )
}

/// Romanises one lower-case letter. `after_vowel_or_start` carries the
/// context that decides е → ye and similar.
fn latin(scheme: Scheme, c: char, after_vowel_or_start: bool) -> Option<&'static str> {
    use Scheme::*;
    // Letters every Latin scheme writes alike.
    let common = match c {
        'а' => Some("a"),
        'б' => Some("b"),
        'г' => Some("g"),
        'д' => Some("d"),
        'з' => Some("z"),
        'и' => Some("i"),
        'к' => Some("k"),
        'л' => Some("l"),
        'м' => Some("m"),
        'н' => Some("n"),
        'о' => Some("o"),
        'п' => Some("p"),
        'р' => Some("r"),
        'с' => Some("s"),
        'т' => Some("t"),
        'ф' => Some("f"),
        'ь' => Some(""),
        _ => None,
    };
    let specific = match scheme {
        Native | RussianCyrillic => return None,
        Icao => match c {
            'в' => "v",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'й' => "i",
            'у' => "u",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' => "ie",
            'ы' => "y",
            'ю' => "iu",
            'я' => "ia",
            _ => return common,
        },
        BgnPcgn => match c {
            'в' => "v",
            'е' if after_vowel_or_start => "ye",
            'е' | 'э' => "e",
            'ё' if after_vowel_or_start => "yo",
            'ё' => "e",
            'ж' => "zh",
            'й' | 'ы' => "y",
            'у' => "u",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' => "",
            'ю' => "yu",
            'я' => "ya",
            _ => return common,
        },
        TajikLatin => match c {
            'в' => "v",
            'е' if after_vowel_or_start => "ye",
            'е' | 'э' => "e",
            'ё' => "yo",
            'ж' => "zh",
            'й' | 'ы' => "y",
            'у' | 'ӯ' => "u",
            'ӣ' => "i",
            'х' => "kh",
            'ҳ' => "h",
            'ҷ' => "j",
            'қ' => "q",
            'ғ' => "gh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "sh",
            'ъ' => "",
            'ю' => "yu",
            'я' => "ya",
            _ => return common,
        },
        UzbekLatin => match c {
            'в' => "v",
            'е' if after_vowel_or_start => "ye",
            'е' | 'э' => "e",
            'ё' => "yo",
            'ж' => "j",
            'й' => "y",
            'ы' => "i",
            'у' => "u",
            'ў' => "o'",
            'х' => "x",
            'ҳ' => "h",
            'қ' => "q",
            'ғ' => "g'",
            'ц' => "ts",
            'ч' => "ch",
            'ш' | 'щ' => "sh",
            'ъ' => "'",
            'ю' => "yu",
            'я' => "ya",
            _ => return common,
        },
        KazakhLatin => match c {
            'в' => "v",
            'е' | 'э' => "e",
            'ё' => "io",
            'ә' => "ä",
            'ғ' => "ğ",
            'ж' => "j",
            'й' => "i",
            'қ' => "q",
            'ң' => "ñ",
            'ө' => "ö",
            'у' => "u",
            'ұ' => "ū",
            'ү' => "ü",
            'х' | 'һ' => "h",
            'ц' => "s",
            'ч' => "ç",
            'ш' | 'щ' => "ş",
            'ъ' => "",
            'ы' => "y",
            'і' => "ı",
            'ю' => "iu",
            'я' => "ia",
            _ => return common,
        },
        KyrgyzLatin => match c {
            'в' => "v",
            'е' | 'э' => "e",
            'ё' => "yo",
            'ж' => "j",
            'й' => "i",
            'ң' => "ng",
            'ө' => "o",
            'у' | 'ү' => "u",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' | 'щ' => "sh",
            'ъ' => "",
            'ы' => "y",
            'ю' => "iu",
            'я' => "ia",
            _ => return common,
        },
        TurkmenLatin => match c {
            'в' => "w",
            'е' if after_vowel_or_start => "ýe",
            'е' | 'э' => "e",
            'ё' => "ýo",
            'ж' | 'җ' => "j",
            'й' => "ý",
            'ң' => "ň",
            'ә' => "ä",
            'ө' => "ö",
            'у' => "u",
            'ү' => "ü",
            'х' => "h",
            'ц' => "s",
            'ч' => "ç",
            'ш' | 'щ' => "ş",
            'ъ' => "",
            'ы' => "y",
            'ю' => "ýu",
            'я' => "ýa",
            _ => return common,
        },
        French => match c {
            'в' => "v",
            'е' | 'э' | 'ё' => "e",
            'ж' => "j",
            'й' => "i",
            'у' => "ou",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "tch",
            'ш' => "ch",
            'щ' => "chtch",
            'ъ' => "",
            'ы' => "y",
            'ю' => "iou",
            'я' => "ia",
            _ => return common,
        },
        German => match c {
            'в' => "w",
            'е' if after_vowel_or_start => "je",
            'е' | 'э' => "e",
            'ё' => "jo",
            'ж' => "sh",
            'й' => "j",
            'у' => "u",
            'х' => "ch",
            'ц' => "z",
            'ч' => "tsch",
            'ш' => "sch",
            'щ' => "schtsch",
            'ъ' => "",
            'ы' => "y",
            'ю' => "ju",
            'я' => "ja",
            _ => return common,
        },
        Informal => match c {
            'в' => "v",
            'е' | 'э' | 'ё' => "e",
            'ж' | 'ҷ' | 'җ' => "j",
            'й' => "y",
            'у' | 'ӯ' | 'ў' | 'ү' | 'ұ' => "u",
            'ӣ' | 'і' => "i",
            'х' | 'ҳ' | 'һ' => "h",
            'қ' => "k",
            'ғ' => "g",
            'ә' => "a",
            'ө' => "o",
            'ң' => "n",
            'ц' => "ts",
            'ч' => "ch",
            'ш' | 'щ' => "sh",
            'ъ' => "",
            'ы' => "i",
            'ю' => "yu",
            'я' => "ya",
            _ => return common,
        },
    };
    Some(specific)
}

/// Whether a scheme keeps the national letters or goes through Russian first.
fn goes_through_russian(scheme: Scheme) -> bool {
    matches!(
        scheme,
        Scheme::RussianCyrillic | Scheme::Icao | Scheme::BgnPcgn | Scheme::French | Scheme::German
    )
}

/// Writes `name` in `scheme`. Characters that are not Cyrillic letters
/// (Latin, digits, punctuation, other scripts) pass through unchanged;
/// capitalisation follows the source letter by letter (`ЖУРАЕВ` → `ZHURAEV`).
pub fn transliterate(name: &str, scheme: Scheme) -> String {
    if scheme == Scheme::Native {
        return name.to_string();
    }
    // Pass 1: national letters to Russian where the scheme does so.
    let staged: String = if goes_through_russian(scheme) {
        let mut s = String::with_capacity(name.len() + 8);
        for c in name.chars() {
            let lower = lower_char(c);
            match russify(lower) {
                Some(r) if c != lower => {
                    let mut it = r.chars();
                    if let Some(first) = it.next() {
                        s.extend(first.to_uppercase());
                    }
                    s.extend(it);
                }
                Some(r) => s.push_str(r),
                None => s.push(c),
            }
        }
        s
    } else {
        name.to_string()
    };
    if scheme == Scheme::RussianCyrillic {
        return staged;
    }
    // Pass 2: romanise.
    let chars: Vec<char> = staged.chars().collect();
    let mut out = String::with_capacity(staged.len());
    let mut prev_lower: Option<char> = None;
    for (i, &c) in chars.iter().enumerate() {
        let lower = lower_char(c);
        let after = match prev_lower {
            None => true,
            Some(p) => is_cyrillic_vowel(p) || !p.is_alphabetic(),
        };
        match latin(scheme, lower, after) {
            Some(mapped) => {
                if c != lower && !mapped.is_empty() {
                    // Upper case: whole word upper if the next letter is upper too.
                    let next_upper = chars
                        .get(i + 1)
                        .is_some_and(|n| n.is_alphabetic() && n.is_uppercase());
                    let prev_upper = i > 0 && chars[i - 1].is_uppercase();
                    if next_upper || prev_upper {
                        out.extend(mapped.chars().flat_map(char::to_uppercase));
                    } else {
                        let mut it = mapped.chars();
                        if let Some(first) = it.next() {
                            out.extend(first.to_uppercase());
                        }
                        out.extend(it);
                    }
                } else {
                    out.push_str(mapped);
                }
            }
            None => out.push(c),
        }
        prev_lower = Some(lower);
    }
    if scheme == Scheme::KyrgyzLatin && out.contains("ngg") {
        // ң before г is written once: Чыңгыз → Chyngyz.
        out = out.replace("ngg", "ng").replace("NGG", "NG");
    }
    out
}

fn lower_char(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tajik_name_many_spellings() {
        let n = "Ҷамшед Раҳимов";
        assert_eq!(transliterate(n, Scheme::RussianCyrillic), "Джамшед Рахимов");
        assert_eq!(transliterate(n, Scheme::Icao), "Dzhamshed Rakhimov");
        assert_eq!(transliterate(n, Scheme::TajikLatin), "Jamshed Rahimov");
        assert_eq!(transliterate(n, Scheme::French), "Djamched Rakhimov");
        assert_eq!(transliterate(n, Scheme::German), "Dshamsched Rachimow");
        assert_eq!(transliterate(n, Scheme::Informal), "Jamshed Rahimov");
    }

    #[test]
    fn other_alphabets() {
        assert_eq!(
            transliterate("Шуҳрат Усмонов", Scheme::UzbekLatin),
            "Shuhrat Usmonov"
        );
        assert_eq!(
            transliterate("Ўткир Ғаниев", Scheme::UzbekLatin),
            "O'tkir G'aniyev"
        );
        assert_eq!(
            transliterate("Асқар Қасымов", Scheme::KazakhLatin),
            "Asqar Qasymov"
        );
        assert_eq!(
            transliterate("Чыңгыз Өмүров", Scheme::KyrgyzLatin),
            "Chyngyz Omurov"
        );
        assert_eq!(
            transliterate("Мердан Аннаев", Scheme::TurkmenLatin),
            "Merdan Annaýew"
        );
        assert_eq!(
            transliterate("Евгений Юрьев", Scheme::BgnPcgn),
            "Yevgeniy Yuryev"
        );
        assert_eq!(transliterate("ЖУРАЕВ", Scheme::Icao), "ZHURAEV");
        assert_eq!(
            transliterate("Mixed Ҷ 12", Scheme::TajikLatin),
            "Mixed J 12"
        );
    }

    #[test]
    fn scheme_names_roundtrip() {
        for s in Scheme::ALL {
            assert_eq!(Scheme::parse(s.as_str()), Some(*s));
        }
    }
}
