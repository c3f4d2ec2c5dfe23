//! Humanitarian exemptions (UNSCR 2664 (2022)): payments by or to listed
//! humanitarian organisations that incidentally benefit a designated
//! person are not blocked blindly; the hit goes to documented human review.
//!
//! The exemption list is a plain list CSV (`id,name,aliases,programme`),
//! the `programme` column giving the legal basis of each exemption.

use crate::index::ScreeningIndex;
use crate::matcher::Screener;
use crate::query::Query;
use nexus_formats::lists::{LoadedList, SubjectKind};

/// Counterparties are taken as exempt organisations from this score.
pub const EXEMPTION_THRESHOLD: f32 = 0.9;

/// Why a counterparty is exempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemption {
    /// The exempt organisation's listed name.
    pub organisation: String,
    /// The legal basis recorded for it.
    pub basis: String,
    pub score: f32,
}

/// The exempt humanitarian organisations.
pub struct Exemptions {
    index: ScreeningIndex,
}

impl Exemptions {
    pub fn new(list: LoadedList) -> Exemptions {
        Exemptions {
            index: ScreeningIndex::build(list.entries),
        }
    }

    pub fn len(&self) -> usize {
        self.index.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The exemption a counterparty falls under, if any.
    pub fn find(&self, counterparty: &str) -> Option<Exemption> {
        if counterparty.trim().is_empty() {
            return None;
        }
        let mut q = Query::new("counterparty", counterparty);
        q.kind = SubjectKind::Organisation;
        let mut s = Screener::new(&self.index, EXEMPTION_THRESHOLD);
        let m = s.screen(&q).into_iter().next()?;
        let e = &self.index.entries()[m.entry];
        let basis = if e.programmes.is_empty() {
            "UNSCR 2664 (2022)".to_string()
        } else {
            e.programmes.join(" ")
        };
        Some(Exemption {
            organisation: e.display_name().to_string(),
            basis,
            score: m.score,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_formats::lists::parse_plain_csv;
    use std::path::Path;

    #[test]
    fn finds_exempt_counterparties() {
        let csv = "id,name,aliases,programme\n\
                   H1,International Committee of the Red Cross,ICRC;CICR,UNSCR 2664 OP1\n\
                   H2,World Food Programme,WFP,UNSCR 2664 OP1\n";
        let ex = Exemptions::new(parse_plain_csv(Path::new("ex.csv"), csv.as_bytes()).unwrap());
        let hit = ex.find("International Committee of Red Cross").unwrap();
        assert_eq!(hit.basis, "UNSCR 2664 OP1");
        assert!(ex.find("WFP").is_some());
        assert!(ex.find("Northern Trade LLC").is_none());
        assert!(ex.find("").is_none());
    }
}
