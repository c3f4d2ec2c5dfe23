//! Screening a name on request (a bank's check of a customer, an analyst's
//! search): checked fields, the matches with their explanation, the query
//! audited (the name as personal data: oversight sees it, administrators
//! do not).

use crate::auth::Principal;
use crate::error::FiuError;
use crate::error::{say, Say};
use crate::processing::{entry_version, Screening};
use nexus_formats::lists::{BirthDate, SubjectKind};
use nexus_model::{Country, Date};
use nexus_store::{AuditRecord, Store};
use serde::{Deserialize, Serialize};

/// A screening request (the API's JSON body).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ScreenRequest {
    pub name: String,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    /// `person` or `organisation`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Also return up to this many candidates below the threshold (scoring
    /// at least [`CANDIDATE_FLOOR`]), marked as such: for an FIU tuning its
    /// threshold, at most [`MAX_CANDIDATES`].
    #[serde(default)]
    pub top: Option<usize>,
}

/// Lowest score of a candidate below the threshold.
pub const CANDIDATE_FLOOR: f32 = 0.5;
/// Most candidates below the threshold one request returns.
pub const MAX_CANDIDATES: usize = 20;

/// One list entry a name matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenMatch {
    pub list: String,
    pub list_id: String,
    pub reference: String,
    pub matched_name: Option<String>,
    pub score: f32,
    pub explanation: String,
    pub entry_version: String,
    /// A candidate under the threshold (asked for with `top`), not a match.
    pub below_threshold: bool,
}

/// Longest name screened on request.
pub const MAX_NAME: usize = 300;

/// Screens `req` against the loaded lists and audits the query.
pub fn screen_name(
    store: &Store,
    screening: &Screening,
    principal: &Principal,
    req: &ScreenRequest,
) -> Result<Vec<ScreenMatch>, FiuError> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(FiuError::Invalid(
            say(Say::ScreenNameLength).with("max", MAX_NAME),
        ));
    }
    let mut q = nexus_screen::Query::new("q", name);
    if let Some(d) = req.birth_date.as_deref().filter(|d| !d.is_empty()) {
        q.birth_date = Some(BirthDate::Exact(Date::parse(d).map_err(|_| {
            FiuError::Invalid(say(Say::BirthDateFormat).with("value", format!("{d:?}")))
        })?));
    }
    if let Some(c) = req.country.as_deref().filter(|c| !c.is_empty()) {
        q.country = Some(Country::parse(c).ok_or_else(|| {
            FiuError::Invalid(say(Say::CountryCode).with("value", format!("{c:?}")))
        })?);
    }
    q.kind = match req.kind.as_deref() {
        None | Some("") => SubjectKind::Unknown,
        Some("person") => SubjectKind::Person,
        Some("organisation") => SubjectKind::Organisation,
        Some(k) => {
            return Err(FiuError::Invalid(
                say(Say::SubjectKindWord).with("value", format!("{k:?}")),
            ))
        }
    };
    let top = req.top.unwrap_or(0);
    if top > 0 && !principal.role.investigates() {
        return Err(FiuError::Forbidden(say(Say::CandidatesForInvestigators)));
    }
    if top > MAX_CANDIDATES {
        return Err(FiuError::Invalid(
            say(Say::TooManyCandidates).with("max", MAX_CANDIDATES),
        ));
    }
    let found = if top > 0 {
        screening.screen_at(&q, CANDIDATE_FLOOR)
    } else {
        screening.screen(&q)
    };
    let out: Vec<ScreenMatch> =
        nexus_screen::with_top_below(found, nexus_screen::DEFAULT_THRESHOLD, top)
            .into_iter()
            .map(|m| {
                let e = &screening.index.entries()[m.entry];
                ScreenMatch {
                    list: screening.list_of[m.entry].clone(),
                    list_id: e.id.clone(),
                    reference: e.reference.clone(),
                    matched_name: e.names.get(m.name).map(|n| n.text.clone()),
                    score: m.score,
                    explanation: m.explanation(),
                    entry_version: entry_version(e),
                    below_threshold: m.score < nexus_screen::DEFAULT_THRESHOLD,
                }
            })
            .collect();
    store.write(|db| {
        db.audit(&AuditRecord {
            actor: principal.actor.clone(),
            action: "screen.query".into(),
            object: "screening".into(),
            detail: format!(
                "{} matches, {} candidates below the threshold",
                out.iter().filter(|m| !m.below_threshold).count(),
                out.iter().filter(|m| m.below_threshold).count()
            ),
            personal: name.to_string(),
            ..AuditRecord::default()
        })
    })?;
    Ok(out)
}
