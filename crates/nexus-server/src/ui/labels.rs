//! How the UI names the closed vocabularies (stored spellings such as
//! `fan_in` are for machines). One exhaustive match per vocabulary, so a
//! new value is a compile error until it has a label.

use nexus_model::{AlertKind, AlertStatus, Typology};

/// The typology as an analyst says it.
pub fn typology(t: Typology) -> &'static str {
    match t {
        Typology::FanIn => "Fan-in",
        Typology::FanOut => "Fan-out",
        Typology::ScatterGather => "Scatter-gather",
        Typology::GatherScatter => "Gather-scatter",
        Typology::Cycle => "Cycle",
        Typology::Bipartite => "Bipartite layering",
        Typology::Stack => "Stacked layering",
        Typology::PassThrough => "Rapid pass-through",
        Typology::Structuring => "Structuring",
        Typology::DesignatedActivity => "Activity of a designated person",
        Typology::NexusPath => "Crime–terror nexus path",
        Typology::Model => "Model (unusual pattern)",
        Typology::SanctionsMatch => "Sanctions list match",
    }
}

/// Where an alert comes from.
pub fn kind(k: AlertKind) -> &'static str {
    match k {
        AlertKind::Screening => "Screening",
        AlertKind::Typology => "Rule",
        AlertKind::Model => "Model",
    }
}

/// Where an alert stands.
pub fn status(s: AlertStatus) -> &'static str {
    match s {
        AlertStatus::New => "new",
        AlertStatus::Assigned => "assigned",
        AlertStatus::Escalated => "escalated",
        AlertStatus::Dismissed => "dismissed",
        AlertStatus::Cleared => "cleared",
    }
}

/// `text` cut to at most `max` characters at a word boundary, with an
/// ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut.rfind(char::is_whitespace).filter(|&i| i > max / 2);
    let head = at.map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", head.trim_end_matches([',', ';', ':', ' ']))
}

/// A count with grouped digits: 693,116.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_end_at_a_word_and_counts_are_grouped() {
        let text = "7 one-off senders paid NXTJB1XX|HUB (Jamshed Rahimov) TJS 63,470 (USD 5,932) within 9 hours";
        let e = excerpt(text, 40);
        assert!(e.ends_with('…') && e.chars().count() <= 41, "{e}");
        assert!(text.starts_with(e.trim_end_matches('…')), "{e}");
        assert_eq!(excerpt("short", 40), "short");
        assert_eq!(count(693_116), "693,116");
        assert_eq!(count(0), "0");
        assert_eq!(count(-1_000), "-1,000");
    }
}
