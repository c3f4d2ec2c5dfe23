//! Which writing system a name is in.

use nexus_model::Script;

/// The script of one character, if it is a letter of a script we tell apart.
pub fn char_script(c: char) -> Option<Script> {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Some(Script::Latin),
        0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => {
            Some(Script::Cyrillic)
        }
        0x600..=0x6FF | 0x750..=0x77F | 0x8A0..=0x8FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            if c.is_alphabetic() {
                Some(Script::Arabic)
            } else {
                None
            }
        }
        0x4E00..=0x9FFF | 0x3400..=0x4DBF => Some(Script::Han),
        _ if c.is_alphabetic() => Some(Script::Other),
        _ => None,
    }
}

/// The script of a whole name: the one script of its letters, `Mixed` when
/// letters of several scripts occur, `Other` when there are no letters.
pub fn detect_script(text: &str) -> Script {
    let mut found: Option<Script> = None;
    for c in text.chars() {
        if let Some(s) = char_script(c) {
            match found {
                None => found = Some(s),
                Some(f) if f == s => {}
                Some(_) => return Script::Mixed,
            }
        }
    }
    found.unwrap_or(Script::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects() {
        assert_eq!(detect_script("Ҷамшед Раҳимов"), Script::Cyrillic);
        assert_eq!(detect_script("Jamshed Rahimov"), Script::Latin);
        assert_eq!(detect_script("جاوید احمدزی"), Script::Arabic);
        assert_eq!(detect_script("乌鲁木齐"), Script::Han);
        assert_eq!(detect_script("Jamshed Раҳимов"), Script::Mixed);
        assert_eq!(detect_script("123 -"), Script::Other);
        assert_eq!(detect_script(""), Script::Other);
    }
}

/// A name written in two scripts at once — a list's `Abdelali Abou Dher
/// (عبد العالي ابو ذر)`, `Amir Khazmat (original script: Амир Хазмат)`, a
/// bank's `Agha Jan Alizai اغا جان عالیزی` — as one name per script, in the
/// order they first occur; `None` for a name in one script. A person's
/// name is written in one script: two scripts are two renderings of it,
/// each to be compared whole (half a name's parts would match otherwise).
pub fn script_runs(name: &str) -> Option<Vec<String>> {
    if detect_script(name) != Script::Mixed {
        return None;
    }
    // Segments at every change of the letters' script; marks and spaces
    // stay with the segment they follow.
    let mut segments: Vec<(Script, String)> = Vec::new();
    for c in name.chars() {
        match char_script(c) {
            Some(s) => match segments.last_mut() {
                Some((last, text)) if *last == s => text.push(c),
                _ => segments.push((s, c.to_string())),
            },
            None => {
                if let Some((_, text)) = segments.last_mut() {
                    text.push(c);
                }
            }
        }
    }
    // One name per script, its segments in order.
    let mut names: Vec<(Script, String)> = Vec::new();
    for (s, text) in segments {
        match names.iter_mut().find(|(n, _)| *n == s) {
            Some((_, t)) => {
                t.push(' ');
                t.push_str(&text);
            }
            None => names.push((s, text)),
        }
    }
    let names: Vec<String> = names
        .into_iter()
        .filter(|(s, _)| *s != Script::Other)
        .map(|(_, text)| clean_run(&text))
        .filter(|t| t.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .collect();
    // Two renderings, not one name half transliterated (Джамшед Rahimov):
    // one of them in brackets, or each of several words.
    let bracketed = name.contains(['(', ')']);
    let whole = names.iter().all(|n| n.split_whitespace().count() >= 2);
    (names.len() >= 2 && (bracketed || whole)).then_some(names)
}

/// A run without the words that only announce the other rendering
/// (`original script:`) and without brackets and punctuation at its ends.
fn clean_run(text: &str) -> String {
    let lower = text.to_lowercase();
    let text = match lower.find("original script") {
        Some(i) => format!("{}{}", &text[..i], &text[i + "original script".len()..]),
        None => text.to_string(),
    };
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod runs_tests {
    use super::*;

    #[test]
    fn a_name_in_two_scripts_is_two_names() {
        assert_eq!(
            script_runs("Abdelali Abou Dher (عبد العالي ابو ذر)").unwrap(),
            ["Abdelali Abou Dher", "عبد العالي ابو ذر"]
        );
        assert_eq!(
            script_runs("Amir Khazmat (original script: Амир Хазмат)").unwrap(),
            ["Amir Khazmat", "Амир Хазмат"]
        );
        assert_eq!(
            script_runs("حسن غول (Hassan Ghul").unwrap(),
            ["حسن غول", "Hassan Ghul"]
        );
        assert_eq!(
            script_runs("Hay’at Tahrir al-Sham (HTS) (هيئة تحرير الشام (original script").unwrap(),
            ["Hay’at Tahrir al-Sham HTS", "هيئة تحرير الشام"]
        );
        assert_eq!(
            script_runs("Agha Jan Alizai اغا جان عالیزی").unwrap(),
            ["Agha Jan Alizai", "اغا جان عالیزی"]
        );
        assert_eq!(script_runs("Jamshed Rahimov"), None);
        // Half transliterated, not two renderings.
        assert_eq!(script_runs("Джамшед Rahimov"), None);
        assert_eq!(script_runs("O'Neil"), None);
    }
}
