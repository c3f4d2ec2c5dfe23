//! Wade–Giles syllables read as Hanyu Pinyin.
//!
//! Older lists, press and records romanise Chinese names in Wade–Giles
//! (Mao Tse-tung, Teng Hsiao-p'ing, Ch'en Shui-pien); lists today write
//! Pinyin (Mao Zedong, Deng Xiaoping, Chen Shuibian). The two differ in
//! whole letters (ts/z, hs/x, ch/zh or j, -ung/-ong) that no spelling
//! distance forgives, so a syllable is converted by the scheme's rules:
//! the initial, then the final. The apostrophe that marks aspiration is
//! mostly dropped in practice; without it the unaspirated reading (t → d,
//! k → g, p → b, ch → zh/j, ts → z) is taken, and the phonetic layer
//! treats d/t, g/k and b/p as near anyway. Hand-written: no crate converts
//! Wade–Giles.

/// Initials, longest first: (Wade–Giles, Pinyin before i/ü, Pinyin elsewhere).
const INITIALS: &[(&str, &str, &str)] = &[
    ("ch'", "q", "ch"),
    ("ts'", "c", "c"),
    ("tz'", "c", "c"),
    ("hs", "x", "x"),
    ("ch", "j", "zh"),
    ("sh", "sh", "sh"),
    ("ts", "z", "z"),
    ("tz", "z", "z"),
    ("ss", "s", "s"),
    ("sz", "s", "s"),
    ("k'", "k", "k"),
    ("p'", "p", "p"),
    ("t'", "t", "t"),
    ("k", "g", "g"),
    ("p", "b", "b"),
    ("t", "d", "d"),
    ("j", "r", "r"),
    ("m", "m", "m"),
    ("f", "f", "f"),
    ("n", "n", "n"),
    ("l", "l", "l"),
    ("h", "h", "h"),
    ("s", "s", "s"),
    ("w", "w", "w"),
    ("y", "y", "y"),
    ("", "", ""),
];

/// Finals: (Wade–Giles, Pinyin), `ü` written `v` as ASCII Pinyin does.
/// Only these make a syllable.
const FINALS: &[(&str, &str)] = &[
    ("a", "a"),
    ("ai", "ai"),
    ("an", "an"),
    ("ang", "ang"),
    ("ao", "ao"),
    ("e", "e"),
    ("ei", "ei"),
    ("en", "en"),
    ("eng", "eng"),
    ("erh", "er"),
    ("i", "i"),
    ("ia", "ia"),
    ("iang", "iang"),
    ("iao", "iao"),
    ("ieh", "ie"),
    ("ien", "ian"),
    ("ih", "i"),
    ("in", "in"),
    ("ing", "ing"),
    ("iu", "iu"),
    ("iung", "iong"),
    ("o", "o"),
    ("ou", "ou"),
    ("u", "u"),
    ("ua", "ua"),
    ("uai", "uai"),
    ("uan", "uan"),
    ("uang", "uang"),
    ("ueh", "ue"),
    ("ui", "ui"),
    ("un", "un"),
    ("ung", "ong"),
    ("uo", "uo"),
    ("v", "v"),
    ("van", "uan"),
    ("veh", "ue"),
    ("vn", "un"),
];

/// The Pinyin of one Wade–Giles syllable (lower case, apostrophe and
/// umlaut as written or left out), or `None` when it is not one. Most
/// words are refused before anything is allocated: this runs on the
/// unknown words of every screened name.
pub fn to_pinyin(syllable: &str) -> Option<String> {
    // Lower-case ASCII on the stack: letters, `'` for any apostrophe, `v` for ü.
    let mut buf = [0u8; 8];
    let mut len = 0;
    for c in syllable.chars() {
        let b = match c {
            'a'..='z' | 'A'..='Z' => c.to_ascii_lowercase() as u8,
            '\'' | '`' | '\u{2019}' | '\u{2018}' | '\u{02BB}' | '\u{02BC}' => b'\'',
            'ü' | 'Ü' => b'v',
            _ => return None,
        };
        *buf.get_mut(len)? = b;
        len += 1;
    }
    let s = std::str::from_utf8(&buf[..len]).ok()?;
    if s.is_empty() {
        return None;
    }
    for &(wg, before_i, elsewhere) in INITIALS {
        let Some(rest) = s.strip_prefix(wg) else {
            continue;
        };
        // `ssu`, `szu`, `tzu`, `tz'u`: the buzzing vowel written u, Pinyin i.
        let rest = if matches!(wg, "ss" | "sz" | "tz" | "tz'") && rest == "u" {
            "ih"
        } else {
            rest
        };
        let Some(&(_, final_)) = FINALS.iter().find(|(f, _)| *f == rest) else {
            continue;
        };
        let front = final_.starts_with('i') || final_.starts_with('v');
        let initial = if front { before_i } else { elsewhere };
        let final_ = match (initial, final_) {
            // `ko`, `ho`, `k'o`: the final Pinyin writes e after velars.
            ("g" | "k" | "h", "o") => "e",
            // `yu` is you.
            ("y", "u") => "ou",
            _ => final_,
        };
        let mut out = format!("{initial}{final_}");
        // ü after j, q, x, y is written u in Pinyin; elsewhere (lü, nü) v.
        if matches!(initial, "j" | "q" | "x" | "y") {
            out = out.replace('v', "u");
        }
        return Some(out);
    }
    None
}

/// Every Pinyin reading of a syllable: with its apostrophe dropped, an
/// unaspirated initial may have been aspirated (`ping` for p'ing: bing or
/// ping), so both are given, the unaspirated first.
pub fn readings(syllable: &str) -> Vec<String> {
    let Some(first) = to_pinyin(syllable) else {
        return Vec::new();
    };
    let mut out = vec![first];
    let lower = syllable.to_lowercase();
    if !lower.contains(['\'', '\u{2019}', '\u{2018}', '`', '\u{02BB}', '\u{02BC}']) {
        for wg in ["ch", "ts", "tz", "k", "p", "t"] {
            if lower.starts_with(wg)
                && !lower.starts_with("sh")
                && !(wg == "t" && lower.starts_with("ts"))
            {
                let aspirated = format!("{wg}'{}", &lower[wg.len()..]);
                if let Some(py) = to_pinyin(&aspirated).filter(|py| !out.contains(py)) {
                    out.push(py);
                }
                break;
            }
        }
    }
    out
}

/// A word made of Wade–Giles syllables joined by hyphens or written as
/// separate words (`Tse-tung`, `Hsiao-p'ing`), in Pinyin as one word, each
/// reading (`zedong`, `zetong` …) until `accept` takes one; `None` unless
/// every piece is a syllable and some reading is accepted.
pub fn joined_to_pinyin<'a>(
    syllables: impl IntoIterator<Item = &'a str>,
    accept: impl Fn(&str) -> bool,
) -> Option<String> {
    let mut words: Vec<String> = vec![String::new()];
    for s in syllables {
        let r = readings(s);
        if r.is_empty() {
            return None;
        }
        words = words
            .iter()
            .flat_map(|w| r.iter().map(move |x| format!("{w}{x}")))
            .collect();
        if words.len() > 16 {
            return None;
        }
    }
    words.into_iter().find(|w| !w.is_empty() && accept(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_read_as_pinyin() {
        for (wg, py) in [
            ("tse", "ze"),
            ("tung", "dong"),
            ("t'ung", "tong"),
            ("hsiao", "xiao"),
            ("p'ing", "ping"),
            ("ping", "bing"),
            ("teng", "deng"),
            ("ch'en", "chen"),
            ("chiang", "jiang"),
            ("chou", "zhou"),
            ("ko", "ge"),
            ("szu", "si"),
            ("tzu", "zi"),
            ("jen", "ren"),
            ("yung", "yong"),
            ("hsüeh", "xue"),
            ("lü", "lv"),
            ("mao", "mao"),
            ("erh", "er"),
        ] {
            assert_eq!(to_pinyin(wg).as_deref(), Some(py), "{wg}");
        }
        let any = |_: &str| true;
        assert_eq!(
            joined_to_pinyin(["Tse", "tung"], any).as_deref(),
            Some("zedong")
        );
        assert_eq!(
            joined_to_pinyin(["Hsiao", "p’ing"], any).as_deref(),
            Some("xiaoping")
        );
        // Without the apostrophe, the aspirated reading is tried too.
        assert_eq!(readings("ping"), ["bing", "ping"]);
        assert_eq!(readings("p'ing"), ["ping"]);
        assert_eq!(readings("shan"), ["shan"]);
        assert_eq!(
            joined_to_pinyin(["Hsiao", "ping"], |w| w == "xiaoping").as_deref(),
            Some("xiaoping")
        );
    }

    #[test]
    fn other_words_are_not_syllables() {
        for word in ["Rahimov", "Jamshed", "str", "xyz", "kh", "abd", ""] {
            assert_eq!(to_pinyin(word), None, "{word}");
        }
        assert_eq!(joined_to_pinyin(["Mao", "Rahimov"], |_| true), None);
    }

    proptest::proptest! {
        /// Any word is read or refused, never a panic; a reading is ASCII.
        #[test]
        fn any_word_is_read_or_refused(word in "\\PC{0,12}") {
            for r in readings(&word) {
                proptest::prop_assert!(r.is_ascii(), "{r}");
            }
        }
    }
}
