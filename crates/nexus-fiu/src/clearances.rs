//! False-positive redress: an analyst asks for a list match to be cleared,
//! with a justification; a second person decides. An approved clearance
//! closes the match and keeps it from being raised again for the same
//! version of the list entry.

use crate::auth::{Principal, Role};
use crate::error::FiuError;
use crate::error::{say, Say};
use nexus_store::{AuditRecord, ClearanceRow, Store};

/// Shortest justification of a clearance request.
pub const MIN_JUSTIFICATION: usize = 20;

/// Asks for the match of screening alert `alert_id` to be cleared; the
/// request's id.
pub fn request(
    store: &Store,
    p: &Principal,
    alert_id: i64,
    justification: &str,
) -> Result<i64, FiuError> {
    let justification = justification.trim();
    if justification.chars().count() < MIN_JUSTIFICATION {
        return Err(FiuError::Invalid(
            say(Say::ClearanceJustification).with("min", MIN_JUSTIFICATION),
        ));
    }
    store.write(|db| {
        let Some(a) = db.alert(alert_id)? else {
            return Ok(Err(FiuError::NotFound(
                say(Say::NoAlert).with("id", alert_id),
            )));
        };
        let id = db.request_clearance(&a, justification, p.user_id.unwrap_or(0))?;
        db.audit(&AuditRecord {
            actor: p.actor.clone(),
            action: "clearance.request".into(),
            object: format!("alert:{alert_id}"),
            detail: format!("clearance {id}"),
            personal: justification.to_string(),
            ..AuditRecord::default()
        })?;
        Ok(Ok(id))
    })?
}

/// A supervisor's decision on request `id`: never one's own request, only
/// once, and with the decider's own reasons (an approval says what was
/// compared — at least [`MIN_JUSTIFICATION`] characters — a refusal why).
pub fn decide(
    store: &Store,
    p: &Principal,
    id: i64,
    approve: bool,
    comment: &str,
) -> Result<ClearanceRow, FiuError> {
    if p.role != Role::Supervisor {
        return Err(FiuError::Forbidden(say(Say::SupervisorDecidesClearance)));
    }
    let comment = comment.trim();
    if approve && comment.chars().count() < MIN_JUSTIFICATION {
        return Err(FiuError::Invalid(
            say(Say::ApprovalSaysWhat).with("min", MIN_JUSTIFICATION),
        ));
    }
    if !approve && comment.is_empty() {
        return Err(FiuError::Invalid(say(Say::RefusalReason)));
    }
    let approver = p.user_id.unwrap_or(0);
    store.write(|db| {
        let Some(c) = db.clearance(id)? else {
            return Ok(Err(FiuError::NotFound(
                say(Say::NoClearance).with("id", id),
            )));
        };
        if c.status != nexus_model::ClearanceStatus::Requested {
            return Ok(Err(FiuError::Conflict(
                say(Say::ClearanceDecided)
                    .with("id", id)
                    .with("status", c.status.as_str()),
            )));
        }
        if c.requested_by == approver {
            return Ok(Err(FiuError::Forbidden(say(Say::ClearanceFourEyes))));
        }
        db.record_clearance_decision(&c, approver, approve, comment)?;
        db.audit(&AuditRecord {
            actor: p.actor.clone(),
            action: if approve {
                "clearance.approve"
            } else {
                "clearance.refuse"
            }
            .into(),
            object: format!("entity:{}", c.entity_id),
            detail: format!(
                "clearance {id}: {} {} version {}",
                c.list_name, c.list_entry, c.list_version
            ),
            personal: comment.to_string(),
            ..AuditRecord::default()
        })?;
        Ok(db
            .clearance(id)?
            .ok_or_else(|| FiuError::NotFound(say(Say::NoClearance).with("id", id))))
    })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use nexus_store::NewAlert;

    fn principal(id: i64, role: Role) -> Principal {
        Principal {
            actor: format!("user:{id}"),
            role,
            user_id: Some(id),
            username: format!("u{id}"),
            institution: None,
            csrf: None,
            session: None,
            purpose: None,
            language: String::new(),
        }
    }

    #[test]
    fn a_clearance_needs_a_second_person_a_supervisor_and_is_decided_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("fiu.db")).unwrap();
        let (alert, analyst, supervisor) = store
            .write(|d| {
                let analyst = d.create_user("a", "h", Role::Analyst, None)?;
                let supervisor = d.create_user("s", "h", Role::Supervisor, None)?;
                let e = d.create_entity(
                    nexus_model::EntityKind::Person,
                    "Jamshed Rakhimov",
                    Some("1985-03-14"),
                    "TJ",
                )?;
                let alert = d
                    .insert_alert(&NewAlert {
                        score: 0.85,
                        entity_id: Some(e),
                        explanation: Default::default(),
                        list_name: Some("UN".into()),
                        list_entry: Some("111".into()),
                        list_version: Some("v1".into()),
                        dedup_key: "scr:1".into(),
                        ..NewAlert::new(
                            nexus_model::AlertKind::Screening,
                            nexus_model::Typology::SanctionsMatch,
                        )
                    })?
                    .unwrap();
                d.insert_alert(&NewAlert {
                    score: 1.0,
                    entity_id: Some(e),
                    explanation: Default::default(),
                    dedup_key: "des:1".into(),
                    ..NewAlert::new(
                        nexus_model::AlertKind::Typology,
                        nexus_model::Typology::DesignatedActivity,
                    )
                })?;
                Ok((alert, analyst, supervisor))
            })
            .unwrap();
        let sam = principal(supervisor, Role::Supervisor);
        let alice = principal(analyst, Role::Analyst);
        assert!(matches!(
            request(&store, &alice, alert, "too short"),
            Err(FiuError::Invalid(_))
        ));
        let c = request(&store, &sam, alert, "different birth date and nationality").unwrap();
        assert!(
            matches!(
                decide(&store, &alice, c, true, "birth dates and passports differ"),
                Err(FiuError::Forbidden(_))
            ),
            "an analyst"
        );
        assert!(
            matches!(
                decide(&store, &sam, c, true, "birth dates and passports differ"),
                Err(FiuError::Forbidden(_))
            ),
            "one's own request"
        );
        let other = principal(
            store
                .write(|d| d.create_user("t", "h", Role::Supervisor, None))
                .unwrap(),
            Role::Supervisor,
        );
        assert!(
            matches!(
                decide(&store, &other, c, true, "ok"),
                Err(FiuError::Invalid(_))
            ),
            "an approval in one click"
        );
        assert_eq!(
            decide(
                &store,
                &other,
                c,
                true,
                "birth 1985 vs listed 1962; passports differ"
            )
            .unwrap()
            .status,
            nexus_model::ClearanceStatus::Approved
        );
        assert!(matches!(
            decide(&store, &other, c, false, "changed my mind"),
            Err(FiuError::Conflict(_))
        ));
        assert_eq!(
            store.read(|d| d.alert(alert)).unwrap().unwrap().status,
            nexus_model::AlertStatus::Cleared
        );
        let rested = store.read(|d| d.alerts("", "typology", 10, 0)).unwrap();
        assert!(
            rested
                .iter()
                .all(|a| a.status == nexus_model::AlertStatus::Cleared),
            "the designated-activity alert rested on the cleared match: {rested:?}"
        );
    }
}
