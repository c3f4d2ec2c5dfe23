//! How the UI names the closed vocabularies (stored spellings such as
//! `fan_in` are for machines). One exhaustive match per vocabulary onto a
//! text key (`locales/*.txt`), so a new value is a compile error until it
//! has a label.

use super::i18n::Lang;
use nexus_model::{
    AlertKind, AlertStatus, CaseRole, CaseStatus, EntityKind, FreezeStatus, ReportStatus, Typology,
};

/// An alert's explanation in the UI's language (stored English for alerts
/// kept before explanations were stored as phrases).
pub fn explanation(lang: Lang, a: &nexus_store::AlertRow) -> String {
    match &a.phrases {
        Some(p) => p.render(&lang),
        None => a.explanation.clone(),
    }
}

/// A score or probability with two decimals, as the UI's language writes
/// it (0.85, 0,85).
pub fn decimal(lang: Lang, v: f64) -> String {
    nexus_model::Value::number(v, 2).render(&lang)
}

/// The FIU's answer to a report in the UI's language.
pub fn report_message(lang: Lang, r: &nexus_store::ReportRow) -> String {
    match &r.message_phrase {
        Some(p) => p.render(&lang),
        None => r.message.clone(),
    }
}

/// The typology as an analyst says it, in the UI's language.
pub fn typology(lang: Lang, t: Typology) -> &'static str {
    lang.t(match t {
        Typology::FanIn => "typology.fan_in",
        Typology::FanOut => "typology.fan_out",
        Typology::ScatterGather => "typology.scatter_gather",
        Typology::GatherScatter => "typology.gather_scatter",
        Typology::Cycle => "typology.cycle",
        Typology::Bipartite => "typology.bipartite",
        Typology::Stack => "typology.stack",
        Typology::PassThrough => "typology.pass_through",
        Typology::Structuring => "typology.structuring",
        Typology::DesignatedActivity => "typology.designated_activity",
        Typology::NexusPath => "typology.nexus_path",
        Typology::HighRiskArea => "typology.high_risk_area",
        Typology::Model => "typology.model",
        Typology::SanctionsMatch => "typology.sanctions_match",
    })
}

/// Where an alert comes from.
pub fn kind(lang: Lang, k: AlertKind) -> &'static str {
    lang.t(match k {
        AlertKind::Screening => "kind.screening",
        AlertKind::Typology => "kind.typology",
        AlertKind::Model => "kind.model",
    })
}

/// Where an alert stands.
pub fn status(lang: Lang, s: AlertStatus) -> &'static str {
    lang.t(match s {
        AlertStatus::New => "status.new",
        AlertStatus::Assigned => "status.assigned",
        AlertStatus::Escalated => "status.escalated",
        AlertStatus::Dismissed => "status.dismissed",
        AlertStatus::Cleared => "status.cleared",
    })
}

/// The text key of an entity's kind.
pub fn entity_kind_key(k: EntityKind) -> &'static str {
    match k {
        EntityKind::Person => "entity.kind.person",
        EntityKind::Organisation => "entity.kind.organisation",
    }
}

/// The text key of a role (its CSS class is its stored spelling).
pub fn role_key(role: CaseRole) -> &'static str {
    match role {
        CaseRole::Subject => "case.subject",
        CaseRole::Counterparty => "case.counterparty",
    }
}

/// The text key of a case status.
pub fn case_status_key(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Open => "case.status.open",
        CaseStatus::Disseminated => "case.status.disseminated",
        CaseStatus::Closed => "case.status.closed",
    }
}

/// The text key of a freeze status.
pub fn freeze_status_key(status: FreezeStatus) -> &'static str {
    match status {
        FreezeStatus::Proposed => "freeze.status.proposed",
        FreezeStatus::Rejected => "freeze.status.rejected",
        FreezeStatus::InForce => "freeze.status.in-force",
        FreezeStatus::Lifted => "freeze.status.lifted",
        FreezeStatus::Expired => "freeze.status.expired",
        FreezeStatus::Confiscated => "freeze.status.confiscated",
    }
}

/// The text key of a report's status.
pub fn report_status_key(s: ReportStatus) -> &'static str {
    match s {
        ReportStatus::Uploaded => "report.status.uploaded",
        ReportStatus::Processed => "report.status.processed",
        ReportStatus::FailedValidation => "report.status.failed-validation",
        ReportStatus::Rejected => "report.status.rejected",
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
        assert_eq!(typology(Lang::En, Typology::FanIn), "Fan-in");
        for t in Typology::ALL {
            assert_ne!(
                typology(Lang::Ru, *t),
                typology(Lang::En, *t),
                "{t} in Russian"
            );
        }
    }
}
