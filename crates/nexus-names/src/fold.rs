//! Folding names from any script to lower-case ASCII, token by token.
//!
//! Matching compares names written in Latin (with any diacritics), in the
//! Cyrillic alphabets of Russia and Central Asia, and in Arabic script
//! (Arabic, Dari, Pashto, Urdu). Folding brings every token to one alphabet
//! first; the phonetic layer ([`crate::phonetic`]) then removes the
//! differences between romanisation habits.
//!
//! Arabic script does not write short vowels, so a token folded from it is
//! marked `vowelless`: it can be compared on its consonants only.

use nexus_model::Script;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::script::char_script;

/// One token of a name, folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedToken {
    /// The token as written (apostrophes inside the word kept).
    pub original: String,
    /// Lower-case ASCII letters and digits.
    pub folded: String,
    /// The script of the token's letters.
    pub script: Script,
    /// Folded from a script that leaves short vowels unwritten.
    pub vowelless: bool,
}

/// Characters that join the parts of one word rather than separate words
/// (Uzbek oʻgʻli, O'Neil, Arabic ʿayn written as an apostrophe).
fn is_word_joiner(c: char) -> bool {
    matches!(
        c,
        '\'' | '`' | '\u{2019}' | '\u{2018}' | '\u{02BB}' | '\u{02BC}' | '\u{02BF}' | '\u{02BE}'
    )
}

/// Characters that are not seen: zero-width spaces and joiners, the
/// byte-order mark, soft hyphens, direction marks and variation selectors.
/// They are dropped without separating anything, so that `ER\u{200B}IC`
/// reads as `ERIC` (a zero-width space must not hide a listed name, and the
/// Persian zero-width non-joiner sits inside words).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c as u32,
        0xAD | 0x34F
            | 0x61C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xE0000..=0xE0FFF
    )
}

/// Arabic diacritics and the tatweel: written or not at the writer's whim.
fn is_arabic_decoration(c: char) -> bool {
    matches!(c as u32, 0x610..=0x61A | 0x640 | 0x64B..=0x65F | 0x670 | 0x6D6..=0x6ED)
}

/// Splits a name into tokens and folds each. Never fails: characters it
/// cannot fold are kept (lower-cased) so that names in other scripts still
/// match themselves; control characters and punctuation separate tokens.
pub fn fold_tokens(name: &str) -> Vec<FoldedToken> {
    let mut tokens = Vec::new();
    let mut original = String::new();
    for c in name.chars() {
        if is_invisible(c) {
            continue;
        }
        // Cyrillic and Arabic letters first: the general Unicode tables are slow.
        let letter = matches!(c as u32, 0x410..=0x4FF | 0x621..=0x64A | 0x671..=0x6D3)
            || c.is_alphanumeric();
        if letter || is_word_joiner(c) || is_arabic_decoration(c) || is_combining_mark(c) {
            original.push(c);
        } else if !original.is_empty() {
            push_token(&mut tokens, std::mem::take(&mut original));
        }
    }
    if !original.is_empty() {
        push_token(&mut tokens, original);
    }
    tokens
}

fn push_token(tokens: &mut Vec<FoldedToken>, original: String) {
    let mut folded = String::with_capacity(original.len());
    let mut script: Option<Script> = None;
    let mut previous: Option<char> = None;
    for c in original.chars() {
        // Waw is the consonant w at the start of a word and after alef
        // (ولی Wali, نوا Nawa), elsewhere the vowel u (یوسف Yusuf).
        if c == 'و' && matches!(previous, None | Some('ا' | 'أ' | 'آ')) {
            folded.push('w');
            previous = Some(c);
            script = script.or(Some(Script::Arabic));
            continue;
        }
        if !is_arabic_decoration(c) {
            previous = Some(c);
        }
        // The feminine ending, written ة or ه, is the vowel a (حمزة / حمزه Hamza).
        if c == 'ه' && is_last_letter(&original, c) {
            folded.push('a');
            script = script.or(Some(Script::Arabic));
            continue;
        }
        if let Some(s) = char_script(c) {
            script = match script {
                None => Some(s),
                Some(prev) if prev == s => Some(prev),
                Some(_) => Some(Script::Mixed),
            };
        }
        fold_char(c, &mut folded);
    }
    if folded.is_empty() {
        return;
    }
    let script = script.unwrap_or(Script::Other);
    tokens.push(FoldedToken {
        vowelless: script == Script::Arabic,
        original,
        folded,
        script,
    });
}

/// Whether `c` is the last letter of `token` (decorations ignored).
fn is_last_letter(token: &str, c: char) -> bool {
    token.chars().rev().find(|&x| !is_arabic_decoration(x)) == Some(c)
}

/// Appends the folded form of one character.
fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
        return;
    }
    if is_word_joiner(c) || is_arabic_decoration(c) || is_combining_mark(c) {
        return;
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    if let Some(s) = cyrillic(lower)
        .or_else(|| arabic(lower))
        .or_else(|| latin_special(lower))
    {
        out.push_str(s);
        return;
    }
    // Latin letters with diacritics, ligatures, full-width forms:
    // compatibility decomposition, then drop the marks.
    let mut pushed = false;
    decompose_compatible(lower, |d| {
        if d.is_ascii_alphanumeric() {
            out.push(d.to_ascii_lowercase());
            pushed = true;
        } else if !d.is_ascii() && !is_combining_mark(d) {
            if let Some(s) = latin_special(d) {
                out.push_str(s);
                pushed = true;
            }
        }
    });
    if !pushed && lower.is_alphanumeric() {
        // A letter of a script we do not romanise (Han, Hangul, Greek …):
        // keep it, so that the name still matches itself.
        out.push(lower);
    }
}

/// Latin letters that compatibility decomposition leaves alone.
fn latin_special(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'đ' | 'ð' => "d",
        'ł' => "l",
        'ı' => "i",
        'þ' => "th",
        'ŋ' => "ng",
        'ə' | 'ǝ' => "a",
        'ħ' => "h",
        _ => return None,
    })
}

/// Cyrillic letters (Russian and the Central Asian additions) in a neutral
/// English-like romanisation; the phonetic layer folds the rest.
fn cyrillic(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ґ' | 'ғ' => "g",
        'д' => "d",
        'е' | 'э' | 'є' => "e",
        'ё' => "io",
        'ж' | 'ҷ' | 'җ' => "j",
        'з' => "z",
        'и' | 'й' | 'ы' | 'ӣ' | 'і' | 'ї' => "i",
        'к' | 'қ' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'ң' => "ng",
        'о' | 'ө' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ӯ' | 'ў' | 'ү' | 'ұ' => "u",
        'ф' => "f",
        'х' | 'ҳ' | 'һ' => "h",
        'ц' => "ts",
        'ч' | 'ҹ' => "ch",
        'ш' | 'щ' => "sh",
        'ъ' | 'ь' => "",
        'ю' => "iu",
        'я' => "ia",
        'ә' => "a",
        _ => return None,
    })
}

/// Arabic-script letters (Arabic, Persian/Dari, Pashto, Urdu) to the
/// consonant they stand for; long-vowel letters to their vowel.
fn arabic(c: char) -> Option<&'static str> {
    Some(match c {
        'ا' | 'أ' | 'آ' | 'ٱ' | 'ى' => "a",
        'إ' => "i",
        'ب' => "b",
        'پ' => "p",
        'ت' | 'ط' | 'ټ' | 'ٹ' => "t",
        'ث' | 'س' | 'ص' | 'څ' => "s",
        'ج' => "j",
        'چ' => "ch",
        'ح' | 'خ' | 'ه' | 'ھ' | 'ۀ' | 'ہ' => "h",
        'د' | 'ډ' | 'ڈ' => "d",
        'ذ' | 'ز' | 'ض' | 'ظ' | 'ځ' => "z",
        'ر' | 'ړ' | 'ڑ' => "r",
        'ژ' | 'ږ' => "zh",
        'ش' | 'ښ' => "sh",
        'ع' | 'ء' => "",
        'غ' => "gh",
        'ف' => "f",
        'ق' | 'ک' | 'ك' => "k",
        'گ' | 'ګ' => "g",
        'ل' => "l",
        'م' => "m",
        'ن' | 'ڼ' | 'ں' => "n",
        'ة' => "a",
        'و' | 'ؤ' => "u",
        'ي' | 'ی' | 'ئ' | 'ۍ' => "i",
        'ې' | 'ے' | 'ۓ' => "e",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(name: &str) -> Vec<String> {
        fold_tokens(name).into_iter().map(|t| t.folded).collect()
    }

    #[test]
    fn invisible_characters_neither_split_nor_hide_a_name() {
        for hidden in [
            "\u{200B}", "\u{FEFF}", "\u{200C}", "\u{200D}", "\u{00AD}", "\u{2060}", "\u{202E}",
        ] {
            let name = format!("ER{hidden}IC BAD{hidden}EGE");
            assert_eq!(folded(&name), ["eric", "badege"], "{hidden:?}");
        }
        // The Persian zero-width non-joiner inside a word.
        assert_eq!(folded("عبد\u{200C}الله").len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn invisible_characters_change_nothing(name in "[A-Za-zА-Яа-я ]{1,30}", at in 0usize..30, c in proptest::sample::select(vec!['\u{200B}', '\u{FEFF}', '\u{200C}', '\u{2060}', '\u{00AD}'])) {
            let chars: Vec<char> = name.chars().collect();
            let at = at.min(chars.len());
            let mut with: String = chars[..at].iter().collect();
            with.push(c);
            with.extend(&chars[at..]);
            proptest::prop_assert_eq!(folded(&with), folded(&name));
        }
    }

    #[test]
    fn latin_diacritics_and_punctuation() {
        assert_eq!(folded("Dshamsched Rachimow"), ["dshamsched", "rachimow"]);
        assert_eq!(
            folded("Müller-Lüdenscheidt, José"),
            ["muller", "ludenscheidt", "jose"]
        );
        assert_eq!(folded("Rustam oʻgʻli"), ["rustam", "ogli"]);
        assert_eq!(folded("Qaşqar Ğani"), ["qasqar", "gani"]);
        assert_eq!(folded("ＡＢＣ Straße"), ["abc", "strasse"]);
    }

    #[test]
    fn cyrillic_with_central_asian_letters() {
        assert_eq!(folded("Раҳимов Ҷамшед"), ["rahimov", "jamshed"]);
        assert_eq!(folded("Қурбонов Ғайрат"), ["kurbonov", "gairat"]);
        assert_eq!(folded("Өмүрбеков Ұлан"), ["omurbekov", "ulan"]);
    }

    #[test]
    fn arabic_script_is_vowelless() {
        let t = fold_tokens("مُحَمَّد عمر");
        assert_eq!(t[0].folded, "mhmd");
        assert!(t[0].vowelless);
        assert_eq!(t[1].folded, "mr");
    }

    #[test]
    fn controls_and_empty() {
        assert!(fold_tokens("").is_empty());
        assert!(fold_tokens("\u{0}\u{7}  -- ").is_empty());
        assert_eq!(folded("a\u{0}b"), ["a", "b"]);
        assert_eq!(folded("王 伟"), ["王", "伟"]);
    }
}
