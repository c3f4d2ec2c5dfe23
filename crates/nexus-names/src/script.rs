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
