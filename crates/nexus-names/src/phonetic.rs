//! Phonetic keys and a confusable-aware similarity for folded name tokens.
//!
//! Romanisation habits differ in predictable ways: the Russian passport
//! writes `dzh`, `kh`, `zh` where an English speaker writes `j`, `h`, `j`;
//! Uzbek writes `x` for `kh` and `q` where Russian writes `k`; German `sch`
//! and `w` (and `ch` for the sound of `kh`), French `ou` and `dj`. The key removes those differences; the
//! similarity then charges little for what remains uncertain between
//! spellings of one name (vowels, g/h as in Magomed/Muhammad, k/q/g, s/z,
//! t/d) and the full price for anything else.

/// Letter groups that spell one sound, longest first, with the key letter
/// they become (`c` stands for ch, `x` for sh).
const SPELLINGS: &[(&[u8], u8)] = &[
    (b"dsch", b'j'),
    (b"tsch", b'c'),
    (b"dzh", b'j'),
    (b"dsh", b'j'),
    (b"tch", b'c'),
    (b"sch", b'x'),
    (b"dj", b'j'),
    (b"zh", b'j'),
    (b"sh", b'x'),
    (b"ch", b'c'),
    (b"kh", b'h'),
    (b"gh", b'g'),
    (b"ph", b'f'),
    (b"th", b't'),
    (b"dh", b'd'),
    (b"ck", b'k'),
    (b"ou", b'u'),
    (b"oo", b'u'),
    (b"ee", b'i'),
];

/// The phonetic key of a folded token (lower-case ASCII): one letter per
/// sound class, doubled letters collapsed, a trailing `h` after a vowel
/// dropped (Abdullah/Abdulla). `x` in the key stands for the sound of `sh`.
pub fn phonetic_key(folded: &str) -> String {
    let b = folded.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let digraph = SPELLINGS
            .iter()
            .find(|(spelling, _)| b[i..].starts_with(spelling));
        let (sound, used): (u8, usize) = if let Some(&(spelling, sound)) = digraph {
            (sound, spelling.len())
        } else {
            let c = b[i];
            let between_vowels =
                i > 0 && is_vowel(b[i - 1]) && b.get(i + 1).is_some_and(|&n| is_vowel(n));
            if c == b'x' && between_vowels {
                // Alexander, Maxim: ks.
                for s in [b'k', b's'] {
                    if out.last() != Some(&s) {
                        out.push(s);
                    }
                }
                i += 1;
                continue;
            }
            let mapped = match c {
                // Latin c: s before e, i, y (Cecil), k elsewhere (Eric, Carlos).
                // The key's own c is the sound of ch.
                b'c' if matches!(b.get(i + 1), Some(b'e' | b'i' | b'y')) => b's',
                b'c' => b'k',
                b'q' => b'k',
                // Uzbek Latin x is the kh sound (Xolmatov, Baxtiyor).
                b'x' => b'h',
                b'w' => b'v',
                b'y' => b'i',
                _ => c,
            };
            (mapped, 1)
        };
        if out.last() != Some(&sound) {
            out.push(sound);
        }
        i += used;
    }
    if out.len() > 2 && out[out.len() - 1] == b'h' && is_vowel(out[out.len() - 2]) {
        out.pop();
    }
    // The ending -ий/-ый as German and Ukrainian write it (Selenskyj,
    // Jurij, Sergij) is the -i, -y of other spellings (Zelensky, Yuri).
    if out.len() > 3 && out.ends_with(b"ij") {
        out.pop();
    }
    // Only ASCII bytes were pushed, except for non-ASCII letters kept by
    // folding, which are copied through whole.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Whether a key byte is a vowel.
pub fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The consonants of a key: what an Arabic-script spelling and a Latin one
/// of the same name have in common.
pub fn skeleton(key: &str) -> String {
    key.bytes()
        .filter(|&c| !is_vowel(c))
        .map(char::from)
        .collect::<String>()
}

/// Substitution cost between two key bytes.
fn substitution(a: u8, b: u8) -> f32 {
    if a == b {
        return 0.0;
    }
    if is_vowel(a) && is_vowel(b) {
        return 0.35;
    }
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    match (x, y) {
        (b'g', b'h')
        | (b'g', b'k')
        | (b'h', b'k')
        | (b'c', b'k')
        // German writes х as ch (Michail, Chodorkowski): the key's ch
        // sound against the kh of other spellings.
        | (b'c', b'h')
        | (b'c', b's')
        | (b'c', b'j')
        | (b'c', b'x')
        | (b's', b'x')
        | (b'i', b'j')
        | (b'g', b'j')
        | (b'j', b'z')
        | (b's', b'z')
        | (b'd', b't')
        | (b'd', b'z')
        | (b's', b't')
        | (b'b', b'p')
        | (b'f', b'v')
        | (b'b', b'v')
        | (b'u', b'v')
        | (b'i', b'e') => 0.4,
        _ => 1.0,
    }
}

/// Insertion or deletion cost of one key byte: vowels and the weak
/// consonants h and v come and go between spellings.
fn indel(c: u8) -> f32 {
    if is_vowel(c) || c == b'h' || c == b'v' {
        0.5
    } else {
        1.0
    }
}

/// Weighted Damerau–Levenshtein distance between two keys.
pub fn weighted_distance(a: &[u8], b: &[u8]) -> f32 {
    weighted_distance_within(a, b, f32::INFINITY).unwrap_or(f32::INFINITY)
}

/// The weighted distance if it is at most `max`; `None` as soon as every
/// alignment is known to cost more (most pairs of a candidate list are
/// rejected after a few rows).
pub fn weighted_distance_within(a: &[u8], b: &[u8], max: f32) -> Option<f32> {
    const MAX: usize = 48;
    if a.len() > MAX || b.len() > MAX {
        // Long tokens are rare (run-together company names); compare them
        // plainly rather than allocating.
        let d = if a == b {
            0.0
        } else {
            a.len().max(b.len()) as f32
        };
        return (d <= max).then_some(d);
    }
    // Every length difference costs at least the cheapest indel.
    if a.len().abs_diff(b.len()) as f32 * 0.5 > max {
        return None;
    }
    let m = b.len();
    // Three rows in one buffer, rotated by index: no copying.
    let mut rows = [[0f32; MAX + 1]; 3];
    for j in 1..=m {
        rows[1][j] = rows[1][j - 1] + indel(b[j - 1]);
    }
    let (mut r2, mut r1, mut r0) = (0usize, 1usize, 2usize);
    for i in 1..=a.len() {
        let ai = a[i - 1];
        rows[r0][0] = rows[r1][0] + indel(ai);
        let mut row_min = rows[r0][0];
        for j in 1..=m {
            let bj = b[j - 1];
            let mut best = rows[r1][j - 1] + substitution(ai, bj);
            best = best.min(rows[r1][j] + indel(ai));
            best = best.min(rows[r0][j - 1] + indel(bj));
            if i > 1 && j > 1 && ai == b[j - 2] && a[i - 2] == bj {
                best = best.min(rows[r2][j - 2] + 0.6);
            }
            rows[r0][j] = best;
            row_min = row_min.min(best);
        }
        if row_min > max {
            return None;
        }
        (r2, r1, r0) = (r1, r0, r2);
    }
    let d = rows[r1][m];
    (d <= max).then_some(d)
}

/// Similarity of two keys in 0..=1: one minus the weighted distance over
/// the longer length.
pub fn key_similarity(a: &str, b: &str) -> f32 {
    key_similarity_at_least(a, b, 0.0).unwrap_or(0.0)
}

/// [`key_similarity`] when it is at least `min`, computed only as far as
/// needed to know.
pub fn key_similarity_at_least(a: &str, b: &str, min: f32) -> Option<f32> {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return None;
    }
    if a == b {
        return Some(1.0);
    }
    // A single slip scores at least 0.8 (below), so never cut under 1.0.
    let budget = ((1.0 - min) * longest as f32).max(1.0);
    let distance = weighted_distance_within(a.as_bytes(), b.as_bytes(), budget)?;
    let similarity = (1.0 - distance / longest as f32).max(0.0);
    // One slip (a letter dropped, doubled or mistyped) in a short name
    // costs as much as in a long one.
    let similarity = if distance <= 1.0 && a.len().min(b.len()) >= 2 && longest >= 3 {
        similarity.max(0.8)
    } else {
        similarity
    };
    (similarity >= min).then_some(similarity)
}

/// The consonants of a key with confusable ones merged into one class
/// (g/h/k, c/j/s/x/z, d/t, b/p/f/v): retrieves spellings whose consonants
/// differ by confusion rather than by typo.
pub fn consonant_classes(skeleton: &str) -> String {
    let mut out = String::with_capacity(skeleton.len());
    for c in skeleton.chars() {
        let class = match c {
            'g' | 'h' | 'k' => 'k',
            'c' | 'j' | 's' | 'x' | 'z' => 's',
            'd' | 't' => 't',
            'b' | 'p' | 'f' | 'v' => 'b',
            other => other,
        };
        if !out.ends_with(class) {
            out.push(class);
        }
    }
    out
}

/// Distance from a key folded from Arabic script (consonants and long
/// vowels only) to a Latin key (all vowels written). The Latin side's extra
/// vowels are the unwritten short vowels and cost little; a long vowel the
/// Latin side lacks, or a consonant either side lacks, costs more.
pub fn abjad_distance(abjad: &[u8], latin: &[u8]) -> f32 {
    abjad_distance_within(abjad, latin, f32::INFINITY).unwrap_or(f32::INFINITY)
}

/// [`abjad_distance`] if it is at most `max`, abandoned early otherwise.
pub fn abjad_distance_within(abjad: &[u8], latin: &[u8], max: f32) -> Option<f32> {
    const MAX: usize = 48;
    if abjad.len() > MAX || latin.len() > MAX {
        let d = abjad.len().max(latin.len()) as f32;
        return (d <= max).then_some(d);
    }
    let latin_extra = |c: u8| {
        if is_vowel(c) {
            0.1
        } else {
            indel(c)
        }
    };
    let m = latin.len();
    let mut prev = [0f32; MAX + 1];
    let mut cur = [0f32; MAX + 1];
    for j in 1..=m {
        prev[j] = prev[j - 1] + latin_extra(latin[j - 1]);
    }
    for i in 1..=abjad.len() {
        let a = abjad[i - 1];
        cur[0] = prev[0] + indel(a);
        for j in 1..=m {
            let b = latin[j - 1];
            let sub = if is_vowel(a) && is_vowel(b) && a != b {
                0.2
            } else {
                substitution(a, b)
            };
            cur[j] = (prev[j - 1] + sub)
                .min(prev[j] + indel(a))
                .min(cur[j - 1] + latin_extra(b));
        }
        if cur[..=m].iter().fold(f32::INFINITY, |x, &y| x.min(y)) > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[m] <= max).then_some(prev[m])
}

/// Similarity of an Arabic-script key and a Latin key, over the length of
/// the Arabic-script key.
pub fn abjad_similarity(abjad: &str, latin: &str) -> f32 {
    abjad_similarity_at_least(abjad, latin, 0.0).unwrap_or(0.0)
}

/// [`abjad_similarity`] when it is at least `min`.
pub fn abjad_similarity_at_least(abjad: &str, latin: &str, min: f32) -> Option<f32> {
    if abjad.is_empty() || latin.is_empty() {
        return None;
    }
    let budget = (1.0 - min) * abjad.len() as f32;
    let d = abjad_distance_within(abjad.as_bytes(), latin.as_bytes(), budget)?;
    let s = (1.0 - d / abjad.len() as f32).max(0.0);
    (s >= min).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        phonetic_key(s)
    }

    #[test]
    fn romanisation_habits_share_a_key() {
        assert_eq!(key("dzhuraev"), key("juraev"));
        assert_eq!(key("dshamsched"), key("jamshed"));
        assert_eq!(key("rakhimov"), key("rahimov"));
        assert_eq!(key("xolmatov"), key("kholmatov"));
        assert_eq!(key("qurbonov"), key("kurbonov"));
        assert_eq!(key("abdullah"), key("abdulla"));
        assert_eq!(key("yusuf"), key("iusuf"));
        assert_eq!(key("mohammed"), "mohamed");
    }

    #[test]
    fn similarity_charges_little_for_uncertain_sounds() {
        assert!(key_similarity(&key("usmon"), &key("osman")) > 0.8);
        assert!(key_similarity(&key("kurbonov"), &key("qurbanov")) > 0.9);
        assert!(key_similarity(&key("magomed"), &key("muhammad")) > 0.75);
        assert!(key_similarity(&key("djamched"), &key("jamshed")) > 0.9);
        assert!(key_similarity(&key("rakhimvo"), &key("rakhimov")) > 0.85);
        assert!(key_similarity(&key("karimov"), &key("rahimov")) < 0.75);
        assert!(key_similarity(&key("smith"), &key("jones")) < 0.4);
        assert_eq!(key_similarity("", ""), 0.0);
    }

    #[test]
    fn abjad_against_latin() {
        assert!(abjad_similarity("mhmd", &key("muhammad")) > 0.9);
        assert!(abjad_similarity("iusf", &key("yusuf")) > 0.9);
        assert!(abjad_similarity("iusf", &key("saifi")) < 0.75);
        assert!(abjad_similarity(&key("wli"), &key("wali")) > 0.9);
        assert_eq!(abjad_similarity("", "a"), 0.0);
    }

    #[test]
    fn skeleton_keeps_consonants() {
        assert_eq!(skeleton(&key("muhammad")), "mhmd");
        assert_eq!(skeleton("mhmd"), "mhmd");
    }
}
