//! Name-part analysis: which tokens of a name carry identity, which are
//! particles, patronymics or legal forms, and how two parts compare.
//!
//! Arabic names split and join their parts freely (Abd al-Rahman,
//! Abdul Rahman, Abdurrahman; Siraj al-Din, Sirajuddin); particles (al, bin,
//! ibn, ul) are written or left out; Central Asian names carry patronymics
//! (-ovich, -ovna, o'g'li, qizi, uulu, kyzy) that one institution records and
//! the next does not, and surnames change suffix (-ov, -ova, -zoda, -zade).
//! The analysis brings those to one form so that comparison can align the
//! parts that carry identity.

use crate::fold::fold_tokens;
use crate::phonetic::{
    abjad_similarity_at_least, is_vowel, key_similarity_at_least, phonetic_key, skeleton,
};
use std::borrow::Cow;

/// What a part contributes to identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartRole {
    /// A given name, family name or other identifying part.
    Name,
    /// A patronymic or the marker of one: recorded inconsistently.
    Patronymic,
    /// A legal form (short or long: AG, Aktiengesellschaft, ООО), a title
    /// (Dr, Mr, Mullah, Haji) or a filler word of an organisation's name.
    Legal,
    /// A single letter: an initial.
    Initial,
}

/// One analysed part of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePart {
    /// As written (several tokens when they were joined).
    pub original: String,
    /// Folded to lower-case ASCII.
    pub folded: String,
    /// Phonetic key of the folded form.
    pub key: String,
    /// Consonants of the key.
    pub skeleton: String,
    /// The key without a surname or patronymic suffix (-ov, -ova, -zoda …);
    /// equal to `key` when there is none.
    pub stem: String,
    /// Folded from Arabic script: short vowels unknown.
    pub vowelless: bool,
    pub role: PartRole,
}

/// How two parts were found to be the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Evidence {
    /// Identical once folded (case, diacritics, script letters).
    Exact,
    /// Different spellings of the same sounds (dzh/j, kh/h, q/k, w/v …).
    Phonetic,
    /// Close spellings: vowel changes, confusable consonants.
    Spelling,
    /// One letter dropped, added or two letters swapped: a typing slip.
    Slip,
    /// Same consonants, one side written without vowels (Arabic script).
    Consonants,
    /// Same stem with another surname suffix (Rahimov / Rahimzoda).
    Stem,
    /// An initial standing for a name that starts with it (V. / Vladimir).
    Initial,
    /// The second half of an `Abd` compound standing for the compound
    /// (Rahman / Abdul Rahman): how such names are shortened.
    Half,
}

impl Evidence {
    /// Every kind of evidence, in declaration order.
    pub const ALL: &'static [Evidence] = &[
        Evidence::Exact,
        Evidence::Phonetic,
        Evidence::Spelling,
        Evidence::Slip,
        Evidence::Consonants,
        Evidence::Stem,
        Evidence::Initial,
        Evidence::Half,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Exact => "exact",
            Evidence::Phonetic => "phonetic",
            Evidence::Spelling => "spelling",
            Evidence::Slip => "slip",
            Evidence::Consonants => "consonants",
            Evidence::Stem => "stem",
            Evidence::Initial => "initial",
            Evidence::Half => "half",
        }
    }
}

/// Particles that are written or left out at will.
const PARTICLES: &[&str] = &[
    "al", "el", "ul", "ad", "ar", "as", "at", "az", "ash", "an", "bin", "ibn", "bn", "abn", "ben",
    "bint", "binti", "van", "von", "der", "de", "la", "le", "da", "du", "del", "ould", "uld",
    "wuld",
];

/// Words that mark the preceding name as the father's (Uzbek, Kyrgyz, Kazakh).
const PATRONYMIC_MARKERS: &[&str] = &[
    "ogli", "ugli", "oglu", "ogly", "kizi", "qizi", "kyzy", "gizi", "uulu", "uly", "ulu",
];

/// Legal forms and filler words of organisation names (folded forms).
const LEGAL_WORDS: &[&str] = &[
    "ltd",
    "llc",
    "inc",
    "corp",
    "corporation",
    "co",
    "company",
    "limited",
    "gmbh",
    "ag",
    "sa",
    "sarl",
    "plc",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "ooo",
    "too",
    "ao",
    "pao",
    "zao",
    "oao",
    "llp",
    "lp",
    "fze",
    "fzco",
    "fzc",
    "fz",
    "est",
    "establishment",
    "trading",
    "group",
    "holding",
    "holdings",
    "the",
    "of",
    "and",
    "for",
    "et",
    "und",
    "i",
    "va",
    "ve",
    "wa",
    "enterprise",
    "enterprises",
    "international",
    "general",
    "private",
    "pvt",
    "bv",
    "nv",
    "srl",
    "spa",
    "kft",
    "ou",
    "sp",
    "zoo",
    "tov",
    "mchj",
    "xk",
    "ik",
    "ip",
    "ko",
    "kompaniia",
    "korporatsiia",
    "trust",
    "foundation",
    "fund",
    "branch",
    "office",
    // Long forms of legal forms, whose short forms are above (Aktiengesellschaft
    // / AG, Open Joint Stock Company / OAO, Incorporated / Inc, Société anonyme
    // / SA, общество с ограниченной ответственностью / ООО) and the region's
    // short forms (ЖШС, МЧЖ, ҶДММ, ОсОО, ЧП).
    "incorporated",
    "aktiengesellschaft",
    "gesellschaft",
    "mit",
    "beschrankter",
    "haftung",
    "open",
    "closed",
    "joint",
    "stock",
    "public",
    "societe",
    "anonyme",
    "obshchestvo",
    "ogranichennoi",
    "ogranichennoy",
    "otvetstvennostiu",
    "otvetstvennostyu",
    "aktsionernoe",
    "otkrytoe",
    "zakrytoe",
    "publichnoe",
    "tovarishchestvo",
    "jshs",
    "zhshs",
    "mchzh",
    "jdmm",
    "dzhdmm",
    "osoo",
    "chp",
    "gosudarstvennoe",
    "unitarnoe",
    "predpriiatie",
    // Titles and honorifics: how a name is addressed, not whose it is.
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "sir",
    "mullah",
    "mulla",
    "mullo",
    "maulvi",
    "maulavi",
    "mawlawi",
    "maulana",
    "haji",
    "hajji",
    "hadji",
    "qari",
    "praesident",
    "prasident",
    "president",
    "gospodin",
];

/// Keys of the first half of a split theophoric name (Abd … / Abdul …).
const ABD_FORMS: &[&str] = &[
    "abd", "abdu", "abdul", "abdel", "abdal", "abdol", "abdur", "abdus", "abdun", "abdi", "bd",
];

/// Keys of a second half that belongs to the previous part (…ullah, …uddin).
const JOINED_ENDINGS: &[&str] = &["ulah", "ula", "ulo", "udin", "idin", "adin", "edin", "din"];

/// Surname and patronymic suffixes of keys, longest first.
const SUFFIXES: &[&str] = &[
    "ovic", "evic", "ovna", "evna", "zoda", "zade", "zada", "ieva", "ova", "eva", "iev", "zod",
    "ov", "ev",
];

/// The numbers a name carries — digits, ordinals (1st, 2nd), number words
/// up to twelve (one, first) and Roman numerals of two letters or more
/// (II, IV; a lone I or V is a word or an initial) — sorted, without repeats.
/// Two names whose numbers differ name different things (Fund I / Fund II,
/// Brigade 313 / Brigade 314).
pub fn numbers_in(name: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let tokens = fold_tokens(name);
    let last = tokens.len().saturating_sub(1);
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        // A lone I closing a name of several words is a numeral (Fund I).
        if t.folded == "i" && i == last && i >= 2 {
            out.push(1);
        } else if let Some(n) = tokens
            .get(i + 1)
            .and_then(|next| compound_number(&t.folded, &next.folded))
        {
            out.push(n);
            i += 1;
        } else {
            out.extend(token_number(&t.folded));
        }
        i += 1;
    }
    out.sort_unstable();
    out.dedup();
    out
}

const TENS: &[&str] = &[
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const TENS_ORDINALS: &[&str] = &[
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
];

/// A number written as two words, tens and units (Forty-Four, twenty
/// first): one number, as the digits write it (44, 21).
fn compound_number(tens: &str, unit: &str) -> Option<u32> {
    let t = TENS.iter().position(|w| *w == tens)?;
    let u = token_number(unit).filter(|u| (1..=9).contains(u))?;
    unit.bytes()
        .all(|b| b.is_ascii_alphabetic())
        .then_some(20 + 10 * t as u32 + u)
}

/// The number a folded token writes, in any of the forms [`numbers_in`] reads.
fn token_number(f: &str) -> Option<u32> {
    const WORDS: &[&str] = &[
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const ORDINALS: &[&str] = &[
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
    ];
    if let Some(i) = TENS.iter().position(|w| *w == f) {
        return Some(20 + 10 * i as u32);
    }
    if let Some(i) = TENS_ORDINALS.iter().position(|w| *w == f) {
        return Some(20 + 10 * i as u32);
    }
    const ROMAN: &[&str] = &[
        "ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii", "xiii", "xiv", "xv",
    ];
    const ROMAN_VALUES: &[u32] = &[2, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14, 15];
    let digits = f.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &f[digits.len()..];
    if !digits.is_empty()
        && digits.len() <= 9
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(suffix, "" | "st" | "nd" | "rd" | "th")
    {
        return digits.parse().ok();
    }
    if let Some(i) = WORDS.iter().position(|w| *w == f) {
        return Some(i as u32 + 1);
    }
    if let Some(i) = ORDINALS.iter().position(|w| *w == f) {
        return Some(i as u32 + 1);
    }
    ROMAN.iter().position(|w| *w == f).map(|i| ROMAN_VALUES[i])
}

impl NamePart {
    /// A word that only marks the previous part as a patronymic (o'g'li,
    /// qizi, uulu), not a patronymic itself.
    pub fn is_patronymic_marker(&self) -> bool {
        PATRONYMIC_MARKERS.contains(&self.folded.as_str())
            || PATRONYMIC_MARKERS.contains(&self.key.as_str())
    }
}

/// Legal forms written with a dot after each letter (S.A., S.p.A., B.V.,
/// L.L.C.) at the end of a name: read as the legal word, not as initials.
/// Only these, and only last: dotted letters that are a person's initials
/// (J.P. Morgan, A.B. Ivanov, S.A. Khan) stay initials.
const DOTTED_LEGAL_FORMS: &[&str] = &[
    "sa", "ag", "bv", "nv", "spa", "srl", "sarl", "llc", "plc", "llp", "pjsc", "ojsc", "cjsc",
    "jsc", "fze", "fzco",
];

/// `name` with its dotted legal forms written as words (`Alpha S.A.` →
/// `Alpha SA`); `None` when it has none (most names: no allocation).
fn undot_legal_forms(name: &str) -> Option<String> {
    if !name.contains('.') {
        return None;
    }
    let chars: Vec<char> = name.chars().collect();
    let word_start = |i: usize| i == 0 || !chars[i - 1].is_alphanumeric();
    let word_end = |j: usize| j >= chars.len() || !chars[j].is_alphanumeric();
    let mut out = String::with_capacity(name.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        if word_start(i) && chars[i].is_ascii_alphabetic() {
            // Letters each followed by a dot; the last one's dot may be missing.
            let mut letters = String::new();
            let mut j = i;
            while j < chars.len()
                && chars[j].is_ascii_alphabetic()
                && letters.len() < 4
                && (chars.get(j + 1) == Some(&'.') || (!letters.is_empty() && word_end(j + 1)))
            {
                letters.push(chars[j].to_ascii_lowercase());
                j += if chars.get(j + 1) == Some(&'.') { 2 } else { 1 };
                // S. A.: one space after a dot, before the next letter.
                if chars.get(j) == Some(&' ')
                    && chars.get(j + 1).is_some_and(char::is_ascii_alphabetic)
                    && word_end(j + 2)
                {
                    j += 1;
                }
            }
            let last = chars[j..].iter().all(|c| !c.is_alphanumeric());
            if letters.len() >= 2 && last && DOTTED_LEGAL_FORMS.contains(&letters.as_str()) {
                out.push_str(&letters.to_ascii_uppercase());
                changed = true;
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    changed.then_some(out)
}

/// Analyses a name into parts. Never fails; an empty or symbol-only name
/// yields no parts.
pub fn analyse(name: &str) -> Vec<NamePart> {
    let undotted = undot_legal_forms(name);
    analyse_tokens(fold_tokens(undotted.as_deref().unwrap_or(name)))
}

/// [`analyse`], and the name's letters folded and run together (spaces,
/// hyphens and apostrophes gone, particles kept): what is left of a name
/// when the parts are put aside. One folding for both.
pub fn analyse_with_letters(name: &str) -> (Vec<NamePart>, String) {
    let undotted = undot_legal_forms(name);
    let tokens = fold_tokens(undotted.as_deref().unwrap_or(name));
    let letters = tokens.iter().map(|t| t.folded.as_str()).collect();
    (analyse_tokens(tokens), letters)
}

/// A name's letters folded and run together, as [`analyse_with_letters`]
/// gives them.
pub fn letters_of(name: &str) -> String {
    let undotted = undot_legal_forms(name);
    fold_tokens(undotted.as_deref().unwrap_or(name))
        .into_iter()
        .map(|t| t.folded)
        .collect()
}

fn analyse_tokens(tokens: Vec<crate::fold::FoldedToken>) -> Vec<NamePart> {
    // Pass 1: keys, particles dropped (also the Arabic article glued to a word).
    let mut raw: Vec<NamePart> = Vec::with_capacity(tokens.len());
    let mut tokens = tokens.into_iter().peekable();
    while let Some(t) = tokens.next() {
        let mut folded = t.folded;
        if t.vowelless && folded.len() > 4 && folded.starts_with("al") {
            folded.drain(..2);
        }
        // A number is one token whatever its form (First, 1st, II,
        // Forty-Four): it identifies as a name part does (Fund II is not
        // Fund III), and numbers that disagree are evidence against (see
        // `numbers_in`).
        let compound = tokens
            .peek()
            .and_then(|next| compound_number(&folded, &next.folded));
        let (number, original) = match compound {
            Some(n) => {
                let next = tokens.next().map(|n| n.original).unwrap_or_default();
                (Some(n), format!("{}-{next}", t.original))
            }
            None => (token_number(&folded), t.original),
        };
        if let Some(n) = number {
            let digits = n.to_string();
            let mut part = make_part(original, digits.clone(), digits, t.vowelless);
            part.role = PartRole::Name;
            raw.push(part);
            continue;
        }
        let key = phonetic_key(&folded);
        if PARTICLES.contains(&key.as_str()) || PARTICLES.contains(&folded.as_str()) {
            continue;
        }
        raw.push(make_part(original, folded, key, t.vowelless));
    }
    // Pass 2: join split names.
    let mut joined: Vec<NamePart> = Vec::with_capacity(raw.len());
    let mut iter = raw.into_iter();
    while let Some(mut part) = iter.next() {
        if is_abd_form(&part) {
            if !part.vowelless && !ABD_FORMS.contains(&part.key.as_str()) {
                // A slip of the keyboard (Adbul): join as the word it was
                // meant to be — all of it, key too, also when it stands
                // alone (what is retrieved for a part follows its folded
                // form).
                let folded = "abdul".to_string();
                let key = phonetic_key(&folded);
                part = make_part(part.original, folded, key, false);
            }
            if let Some(next) = iter.next() {
                part = merge(part, next);
            }
        }
        let ends_previous = JOINED_ENDINGS.contains(&part.key.as_str())
            && joined.last().is_some_and(|p| p.role == PartRole::Name);
        if ends_previous {
            if let Some(prev) = joined.pop() {
                part = merge(prev, part);
            }
        }
        joined.push(part);
    }
    // Pass 3: roles. An `Abd` left alone (its second half dropped, or
    // moved away by reordering) says only how a compound begins: an
    // initial of it.
    for part in joined.iter_mut() {
        if is_lone_abd(part) {
            part.role = PartRole::Initial;
        }
    }
    for i in 0..joined.len() {
        if PATRONYMIC_MARKERS.contains(&joined[i].folded.as_str())
            || PATRONYMIC_MARKERS.contains(&joined[i].key.as_str())
        {
            joined[i].role = PartRole::Patronymic;
            if i > 0 {
                joined[i - 1].role = PartRole::Patronymic;
            }
        }
    }
    joined
}

/// An `Abd`/`Abdul` part standing alone, not joined with a second part
/// (it came last, or was separated from its name by reordering).
pub fn is_lone_abd(part: &NamePart) -> bool {
    is_abd_form(part) && !part.original.contains(' ')
}

/// The two written halves of an `Abd` compound the analysis joined
/// ("Abdul Qader", "عبد الغفور"); `None` for any other part.
pub fn abd_halves(part: &NamePart) -> Option<(&str, &str)> {
    // (The folded form says it first, without analysing the head.)
    let head = if part.vowelless { "bd" } else { "abd" };
    if !part.folded.starts_with(head) {
        return None;
    }
    let (head, rest) = part.original.split_once(' ')?;
    let head_part = analyse(head);
    (head_part.len() == 1 && is_lone_abd(&head_part[0])).then_some((head, rest))
}

/// Whether a part is an `Abd` compound (Abdul Ghani, Abdurrahman, عبد
/// الباقي): written with `Abd` first (`عبد`, not بدران's `bd`) and more
/// than an `Abd` alone.
pub fn is_abd_compound(part: &NamePart) -> bool {
    let written = if part.vowelless {
        part.original.starts_with("عبد")
    } else {
        part.folded.starts_with("abd")
    };
    written && !is_abd_form(part)
}

/// The key of the name an `Abd` compound is made with (`rahman` of Abdul
/// Rahman, Abdurrahman, عبد الرحمن's `rhmn`); `None` for any other part.
pub fn abd_compound_rest(part: &NamePart) -> Option<Cow<'_, str>> {
    if !is_abd_compound(part) {
        return None;
    }
    let head = if part.vowelless { "bd" } else { "abd" };
    // The key keeps `abd` unless the sounds merged across the join (عبد
    // شفيق: d + sh read as j); the rest is then keyed alone.
    let rest: Cow<str> = match part.key.strip_prefix(head) {
        Some(rest) => Cow::Borrowed(rest),
        None => {
            let whole = canonical_abd(
                &format!("{head}{}", phonetic_key(part.folded.strip_prefix(head)?)),
                part.vowelless,
            );
            Cow::Owned(whole[head.len()..].to_string())
        }
    };
    // Abdullah's `Allah` is no one's name alone.
    (rest.len() >= 3 && !JOINED_ENDINGS.contains(&rest.as_ref())).then_some(rest)
}

/// An ending of a compound name (`-uddin`, `-ullah`: "al-Din", "الله")
/// standing alone: first in the name, so joined with nothing.
pub fn is_lone_ending(part: &NamePart) -> bool {
    JOINED_ENDINGS.contains(&part.key.as_str()) && !part.original.contains(' ')
}

/// The two written halves of a compound the analysis joined with its
/// ending ("Saif al-Din", "سيف الدين"): the name and the ending; `None`
/// for any other part.
pub fn ending_halves(part: &NamePart) -> Option<(&str, &str)> {
    // (The key says it first, without analysing the tail.)
    if !JOINED_ENDINGS.iter().any(|e| part.key.ends_with(e)) {
        return None;
    }
    let (rest, tail) = part.original.rsplit_once(' ')?;
    let tail_part = analyse(tail);
    (tail_part.len() == 1 && is_lone_ending(&tail_part[0])).then_some((rest, tail))
}

/// The first half of a split theophoric name, also with two letters
/// swapped by a typing slip (Adbul, Abdlu).
fn is_abd_form(part: &NamePart) -> bool {
    let key = part.key.as_str();
    if key == "bd" {
        return part.vowelless;
    }
    if ABD_FORMS.contains(&key) {
        return true;
    }
    let folded = part.folded.as_str();
    // (Sorted on the stack: this runs for every part of every name.)
    let sorted = |s: &str| {
        let mut b = [0u8; 5];
        b.copy_from_slice(s.as_bytes());
        b.sort_unstable();
        b
    };
    if folded.len() == 5
        && folded.starts_with('a')
        && ["abdul", "abdel", "abdal"]
            .iter()
            .any(|f| sorted(f) == sorted(folded))
    {
        return true;
    }
    !part.vowelless && is_abd_slip(folded)
}

/// Whether a Latin word is `abdul`, `abdel` or `abdal` with one letter
/// typed wrong, added or swapped with its neighbour (Abdyl, Asbdul, Badul,
/// Abdrel, Abdoul), or `abdul` with one left out (Abdl, Adul). Not a
/// wrong last letter (Abdun, Abduh are other words); no letter left
/// out of `abdel` or `abdal`, which makes Adel, Abel or Abal; and not
/// `Abul` (Abu al-, a name of its own).
fn is_abd_slip(folded: &str) -> bool {
    // Cheap refusals first: this runs for every Latin part of every name
    // (a slip of `abd…` starts with `a`, or with `b` when the first two
    // letters were swapped).
    if !(4..=6).contains(&folded.len())
        || !matches!(folded.as_bytes()[0], b'a' | b'b')
        || folded == "abul"
        || !folded.is_ascii()
    {
        return false;
    }
    ["abdul", "abdel", "abdal"].iter().any(|base| {
        let (a, b) = (folded.as_bytes(), base.as_bytes());
        match a.len() as isize - b.len() as isize {
            1 => is_slip(folded, base),
            0 => {
                single_difference(folded, base).is_some_and(|i| i > 0 && i < a.len() - 1)
                    || is_slip(folded, base)
            }
            -1 => *base == "abdul" && is_slip(folded, base),
            _ => false,
        }
    })
}

fn make_part(original: String, folded: String, key: String, vowelless: bool) -> NamePart {
    let key = canonical_abd(&key, vowelless);
    let role = if LEGAL_WORDS.contains(&folded.as_str()) {
        PartRole::Legal
    } else if folded.chars().count() == 1 {
        PartRole::Initial
    } else if key.ends_with("ovic")
        || key.ends_with("evic")
        || key.ends_with("ovna")
        || key.ends_with("evna")
    {
        PartRole::Patronymic
    } else {
        PartRole::Name
    };
    NamePart {
        skeleton: skeleton(&key),
        stem: stem(&key),
        original,
        folded,
        key,
        vowelless,
        role,
    }
}

fn merge(first: NamePart, second: NamePart) -> NamePart {
    let original = format!("{} {}", first.original, second.original);
    let folded = format!("{}{}", first.folded, second.folded);
    let key = phonetic_key(&folded);
    make_part(original, folded, key, first.vowelless || second.vowelless)
}

/// Abdul-Rahman, Abdurrahman, Abd al-Rahman, عبدالرحمن: one key. The
/// linking vowel and article after `abd` are dropped when a name follows.
fn canonical_abd(key: &str, vowelless: bool) -> String {
    let prefix = if key.starts_with("abd") {
        3
    } else if vowelless && key.starts_with("bd") {
        2
    } else {
        return key.to_string();
    };
    let rest = &key.as_bytes()[prefix..];
    if rest.len() < 3 {
        return key.to_string();
    }
    let mut r = rest;
    // What follows must still be a name: three letters with a consonant
    // (Abdul-aziz → aziz, but Abdoulaye stays whole).
    let is_name = |s: &[u8]| s.len() >= 3 && s.iter().any(|&c| !is_vowel(c));
    if is_vowel(r[0]) && is_name(&r[1..]) {
        r = &r[1..];
        if r.first() == Some(&b'l') && is_name(&r[1..]) {
            r = &r[1..];
        }
    }
    let mut out = String::with_capacity(key.len());
    out.push_str(&key[..prefix]);
    out.push_str(std::str::from_utf8(r).unwrap_or(""));
    out
}

fn stem(key: &str) -> String {
    for s in SUFFIXES {
        if key.len() >= s.len() + 3 && key.ends_with(s) {
            return key[..key.len() - s.len()].to_string();
        }
    }
    key.to_string()
}

/// Compares two parts: a similarity in 0..=1 and the evidence for it.
pub fn compare_parts(a: &NamePart, b: &NamePart) -> (f32, Evidence) {
    compare_parts_at_least(a, b, 0.0).unwrap_or((0.0, Evidence::Spelling))
}

/// [`compare_parts`] when the similarity is at least `min`; cheaper, as
/// hopeless pairs are abandoned early.
pub fn compare_parts_at_least(a: &NamePart, b: &NamePart, min: f32) -> Option<(f32, Evidence)> {
    if a.folded == b.folded {
        return Some((1.0, Evidence::Exact));
    }
    if a.key == b.key {
        return Some((0.98, Evidence::Phonetic));
    }
    if a.vowelless != b.vowelless {
        let (abjad, latin) = if a.vowelless { (a, b) } else { (b, a) };
        let s = abjad_similarity_at_least(&abjad.key, &latin.key, min / 0.97)? * 0.97;
        let s = s - LONG_VOWEL_UNWRITTEN * unwritten_long_vowels(&abjad.key, &latin.folded) as f32;
        return (s >= min).then_some((s, Evidence::Consonants));
    }
    let spelling = key_similarity_at_least(&a.key, &b.key, min);
    // Both must carry a suffix: the given name Rahim is not the surname Rahimov.
    if a.stem != a.key && b.stem != b.key {
        if let Some(by_stem) = key_similarity_at_least(&a.stem, &b.stem, min / 0.92) {
            let by_stem = by_stem * 0.92;
            if by_stem > spelling.unwrap_or(0.0) && by_stem >= min {
                return Some((by_stem, Evidence::Stem));
            }
        }
    }
    if is_slip(&a.folded, &b.folded) {
        let s = spelling.unwrap_or(0.0).max(SLIP_SIMILARITY);
        return (s >= min).then_some((s, Evidence::Slip));
    }
    if let Some(s) = substitution_similarity(&a.folded, &b.folded) {
        let s = spelling.unwrap_or(0.0).max(s);
        return (s >= min).then_some((s, Evidence::Spelling));
    }
    spelling.map(|s| (s, Evidence::Spelling))
}

/// What a long vowel the Latin spelling marks (Mahmoud's `ou`) costs when
/// the Arabic-script name has no letter for it: Arabic writes long vowels,
/// so محمد (Muhammad) is not محمود (Mahmoud), though their consonants agree.
const LONG_VOWEL_UNWRITTEN: f32 = 0.15;

/// How many more long vowels the Latin spelling marks with a doubled or
/// two-letter vowel (`ou`, `oo`, `ee`, `aa`, `ii`, `uu`) than the Arabic
/// script writes.
fn unwritten_long_vowels(abjad_key: &str, latin_folded: &str) -> usize {
    let b = latin_folded.as_bytes();
    let mut marked: usize = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if matches!(&b[i..i + 2], b"ou" | b"oo" | b"ee" | b"aa" | b"ii" | b"uu") {
            marked += 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    let written = abjad_key.bytes().filter(|&c| is_vowel(c)).count();
    marked.saturating_sub(written)
}

/// Shortest part in which one substituted letter is read as a spelling of
/// the same name: in shorter ones it is another name (Omar / Amar, Amin /
/// Amir).
const SUBSTITUTION_MIN_LEN: usize = 5;

/// Parts shorter than this are read as one name with one letter typed
/// wrong only inside the word: a last letter changed makes another name
/// (Karim / Karin, Rahim / Rahil).
const SUBSTITUTION_ANY_END_LEN: usize = 6;

/// The similarity of two parts of one length that differ in exactly one
/// letter, not the first (Steinbaum / Sheinbaum, Sechin / Sechen, Money /
/// Mohey): one letter in `n` costs 1.2 / n — a bounded amount in long
/// parts, more in short ones. `None` for anything else.
fn substitution_similarity(a: &str, b: &str) -> Option<f32> {
    if a.len() < SUBSTITUTION_MIN_LEN {
        return None;
    }
    let at = single_difference(a, b).filter(|&i| i > 0)?;
    if a.len() < SUBSTITUTION_ANY_END_LEN && at == a.len() - 1 {
        return None;
    }
    Some(1.0 - 1.2 / a.len() as f32)
}

/// Where two words of one length differ, when they differ in exactly one
/// letter (byte); `None` otherwise.
fn single_difference(a: &str, b: &str) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return None;
    }
    let mut diff = (0..a.len()).filter(|&i| a[i] != b[i]);
    match (diff.next(), diff.next()) {
        (Some(i), None) => Some(i),
        _ => None,
    }
}

/// Whether two folded parts are one typed letter apart: dropped, added or
/// swapped with its neighbour inside the word (see [`is_slip`]), or typed
/// wrong anywhere but first (Chol / Col, Omar / Ooar). Alone this says
/// little of short parts (Amin / Amir); the matcher reads it as a slip only
/// where the rest of the name agrees.
pub fn one_letter_apart(a: &str, b: &str) -> bool {
    is_slip(a, b) || a.len() >= 3 && single_difference(a, b).is_some_and(|i| i > 0)
}

/// Similarity given to a typing slip in a part of at least two letters.
const SLIP_SIMILARITY: f32 = 0.85;

/// Whether two folded parts differ by one letter dropped or added, or by
/// two neighbouring letters swapped, inside the word (Rashidi/Rashii,
/// Yong/Yogn). Not at its ends: a first letter is rarely mistyped, and a
/// last one added or dropped is often another name (Hakim/Hakimi,
/// Omar/Omari, Ali/Wali).
fn is_slip(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() < 3 {
        return false;
    }
    if long.len() == short.len() + 1 {
        let i = short.iter().zip(long).take_while(|(x, y)| x == y).count();
        return i > 0 && i + 1 < long.len() && short[i..] == long[i + 1..];
    }
    if long.len() == short.len() {
        let mut diff = (0..a.len()).filter(|&i| a[i] != b[i]);
        return match (diff.next(), diff.next(), diff.next()) {
            (Some(i), Some(j), None) => j == i + 1 && a[i] == b[j] && a[j] == b[i],
            _ => false,
        };
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(name: &str) -> Vec<String> {
        analyse(name).into_iter().map(|p| p.key).collect()
    }

    #[test]
    fn compounds_split_into_their_written_halves() {
        let p = analyse("Saif al-Din Taha");
        assert_eq!(ending_halves(&p[0]), Some(("Saif", "Din")));
        assert_eq!(ending_halves(&p[1]), None);
        let q = analyse("Abdul Qader Hazem Abdul");
        assert_eq!(abd_halves(&q[0]), Some(("Abdul", "Qader")));
        assert!(is_lone_abd(&q[2]) && !is_lone_abd(&q[0]));
        let r = analyse("al-Din Taha");
        assert!(is_lone_ending(&r[0]), "{r:?}");
    }

    #[test]
    fn theophoric_names_join() {
        let k = keys("Abdul Rahman");
        assert_eq!(k, keys("Abd al-Rahman"));
        assert_eq!(k, keys("ABDURRAHMAN"));
        assert_eq!(k, keys("Abdel-Rahman"));
        assert_eq!(keys("Siraj al-Din").len(), 1);
        assert_eq!(keys("Adbul Rahman"), k);
        assert_eq!(keys("Abdullah Amir").len(), 2);
        assert_eq!(keys("Abdoulaye"), keys("Abdulaye"));
        let arabic = analyse("عبد الرحمن");
        assert_eq!(arabic.len(), 1);
        assert_eq!(arabic[0].skeleton, analyse("Abdurrahman")[0].skeleton);
    }

    #[test]
    fn one_typed_letter_apart() {
        for (a, b) in [
            ("col", "chol"),
            ("hcol", "chol"),
            ("ooar", "omar"),
            ("doku", "dowu"),
        ] {
            assert!(one_letter_apart(a, b), "{a} / {b}");
        }
        for (a, b) in [
            ("amar", "omar"),
            ("chol", "choll"),
            ("omar", "amir"),
            ("ab", "ac"),
        ] {
            assert!(!one_letter_apart(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn an_abd_compound_knows_its_second_half() {
        let rest = |name: &str| {
            let parts = analyse(name);
            abd_compound_rest(&parts[0]).map(|r| r.into_owned())
        };
        assert_eq!(rest("Abdul Rahman"), Some(analyse("Rahman")[0].key.clone()));
        assert_eq!(rest("Abdurrahman"), rest("Abd al-Rahman"));
        assert_eq!(rest("عبد الرحمن"), Some(analyse("الرحمن")[0].key.clone()));
        for other in ["Rahman", "Abdullah", "بدران", "Abdi"] {
            assert_eq!(rest(other), None, "{other}");
        }
    }

    #[test]
    fn a_mistyped_abd_still_joins_its_name() {
        let k = keys("Abdul Aziz");
        for slip in [
            "Abdyl Aziz",
            "Abdl Aziz",
            "Asbdul Aziz",
            "Badul Aziz",
            "Abdrel Aziz",
        ] {
            assert_eq!(keys(slip), k, "{slip}");
        }
        // Names of their own one letter away stay themselves.
        for name in ["Adel Aziz", "Abel Aziz", "Abul Aziz"] {
            assert_eq!(keys(name).len(), 2, "{name}");
        }
    }

    #[test]
    fn particles_and_patronymics() {
        assert_eq!(keys("Abu Bakr al-Baghdadi"), keys("Abu Bakr Baghdadi"));
        let p = analyse("Rustam Bahodir o'g'li Karimov");
        let roles: Vec<PartRole> = p.iter().map(|p| p.role).collect();
        assert_eq!(
            roles,
            [
                PartRole::Name,
                PartRole::Patronymic,
                PartRole::Patronymic,
                PartRole::Name
            ]
        );
        assert_eq!(analyse("Ikromovich")[0].role, PartRole::Patronymic);
        assert_eq!(analyse("Ltd")[0].role, PartRole::Legal);
    }

    #[test]
    fn compares_across_habits() {
        let cmp = |a: &str, b: &str| compare_parts(&analyse(a)[0], &analyse(b)[0]);
        assert_eq!(cmp("JAMSHED", "Jamshed").1, Evidence::Exact);
        assert_eq!(cmp("Dzhamshed", "Jamshed").1, Evidence::Phonetic);
        assert!(cmp("Rahimov", "Rahimzoda").0 > 0.85);
        assert_eq!(cmp("Rahimov", "Rahimzoda").1, Evidence::Stem);
        let (s, e) = cmp("محمد", "Muhammad");
        assert_eq!(e, Evidence::Consonants);
        assert!(s > 0.85);
        assert!(cmp("Karimov", "Nazarov").0 < 0.7);
        assert_eq!(cmp("Rashidi", "Rashii").1, Evidence::Slip);
        assert_eq!(cmp("Yong", "Yogn").1, Evidence::Slip);
        assert_ne!(cmp("Hakim", "Hakimi").1, Evidence::Slip);
        assert_ne!(cmp("Ali", "Wali").1, Evidence::Slip);
        assert_ne!(cmp("Hakimi", "Hashimi").1, Evidence::Slip);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any text analyses without panicking; keys are never empty;
        /// a part compared with itself is exact; similarity stays in 0..=1
        /// and does not depend on the order of the arguments.
        #[test]
        fn analysis_and_comparison_are_total(a in "\\PC{0,40}", b in "\\PC{0,40}") {
            let pa = analyse(&a);
            let pb = analyse(&b);
            for p in pa.iter().chain(&pb) {
                prop_assert!(!p.folded.is_empty());
                prop_assert_eq!(compare_parts(p, p), (1.0, Evidence::Exact));
            }
            for x in &pa {
                for y in &pb {
                    let (s, _) = compare_parts(x, y);
                    let (t, _) = compare_parts(y, x);
                    prop_assert!((0.0..=1.0).contains(&s));
                    prop_assert!((s - t).abs() < 1e-5, "{} vs {}: {} {}", x.folded, y.folded, s, t);
                }
            }
        }

        /// Case and the writer's choice of Latin diacritics do not change
        /// the analysis.
        #[test]
        fn case_does_not_matter(a in "[A-Za-z ]{0,30}") {
            let lower: Vec<String> = analyse(&a.to_lowercase()).into_iter().map(|p| p.key).collect();
            let upper: Vec<String> = analyse(&a.to_uppercase()).into_iter().map(|p| p.key).collect();
            prop_assert_eq!(lower, upper);
        }
    }
}

#[cfg(test)]
mod evidence_tests {
    use super::*;

    #[test]
    fn one_substituted_letter_costs_less_in_long_parts() {
        let long = substitution_similarity("steinbaum", "sheinbaum").unwrap();
        let short = substitution_similarity("sechin", "sechen").unwrap();
        assert!(long > short && short >= 0.79, "{long} {short}");
        assert_eq!(substitution_similarity("omar", "amar"), None, "too short");
        assert_eq!(
            substitution_similarity("karimov", "barimov"),
            None,
            "not the first letter"
        );
        assert_eq!(substitution_similarity("karimov", "karimav2"), None);
        let five = substitution_similarity("money", "mohey").unwrap();
        assert!(five < short, "five letters cost more than six");
        assert_eq!(
            substitution_similarity("karim", "karin"),
            None,
            "a short name's last letter makes another name"
        );
    }

    #[test]
    fn numbers_are_read_in_every_common_form() {
        assert_eq!(numbers_in("Al-Rashid Trust Fund II"), vec![2]);
        assert_eq!(
            numbers_in("Shura Fund I"),
            vec![1],
            "closing a name of several words"
        );
        assert_eq!(
            numbers_in("I Love"),
            Vec::<u32>::new(),
            "a lone I is a word elsewhere"
        );
        assert_eq!(numbers_in("Brigade 313"), vec![313]);
        assert_eq!(numbers_in("1st Battalion"), numbers_in("First Battalion"));
        assert_eq!(numbers_in("Jamshed Rahimov"), Vec::<u32>::new());
    }

    #[test]
    fn numbers_written_in_two_words_are_one_number() {
        assert_eq!(numbers_in("Forty-Four Holdings"), vec![44]);
        assert_eq!(numbers_in("44 Holdings"), vec![44]);
        assert_eq!(numbers_in("Twenty First Century Fund"), vec![21]);
        assert_eq!(numbers_in("Brigade Thirteen"), vec![13]);
        assert_eq!(numbers_in("Forty Holdings"), vec![40]);
        let p = analyse("Forty-Four Holdings");
        assert_eq!(p[0].folded, "44");
        assert_eq!(p[0].original, "Forty-Four");
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn dotted_legal_forms_are_legal_forms_not_initials() {
        let roles = |n: &str| analyse(n).iter().map(|p| p.role).collect::<Vec<_>>();
        for name in [
            "Alpha Holding S.A.",
            "Alpha Holding S.A",
            "Alpha Holding S. A.",
            "Beta S.p.A.",
            "Gamma B.V.",
            "Delta L.L.C.",
        ] {
            let r = roles(name);
            assert_eq!(*r.last().unwrap(), PartRole::Legal, "{name}: {r:?}");
            assert!(!r.contains(&PartRole::Initial), "{name}: {r:?}");
        }
        assert_eq!(analyse("Alpha S.A.").last().unwrap().original, "SA");
        // A person's initials stay initials.
        assert_eq!(
            roles("J.P. Morgan")[..2],
            [PartRole::Initial, PartRole::Initial]
        );
        assert_eq!(
            roles("A.B. Ivanov")[..2],
            [PartRole::Initial, PartRole::Initial]
        );
        assert_eq!(roles("Ivanov S.A.")[1..], [PartRole::Legal]);
        assert_eq!(
            roles("S.A. Khan")[..2],
            [PartRole::Initial, PartRole::Initial]
        );
        assert_eq!(undot_legal_forms("Mr. Smith"), None);
        assert_eq!(undot_legal_forms("Sa.Bank"), None);
    }

    #[test]
    fn titles_and_long_legal_forms_weigh_like_short_ones() {
        let roles =
            |name: &str| -> Vec<PartRole> { analyse(name).iter().map(|p| p.role).collect() };
        assert_eq!(roles("Dr. Ayman Zawahiri")[0], PartRole::Legal);
        assert_eq!(roles("Mullah Omar")[0], PartRole::Legal);
        assert!(roles("Siemens Aktiengesellschaft")[1] == PartRole::Legal);
        assert!(roles("Rosneft Open Joint Stock Company")[1..]
            .iter()
            .all(|r| *r == PartRole::Legal));
        assert!(roles("ТОО Алтын Жол")[0] == PartRole::Legal);
        assert!(roles("ЖШС Алтын Жол")[0] == PartRole::Legal);
        assert!(analyse("Karimov Rustam o'g'li")
            .iter()
            .any(|p| p.is_patronymic_marker()));
    }
}
