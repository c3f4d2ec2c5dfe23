//! Triage of alerts: assign, escalate, dismiss, reopen — and what no one
//! may do alone (a list match is cleared through the two-person redress,
//! [`crate::clearances`]).

use crate::auth::Principal;
use crate::error::FiuError;
use crate::error::{say, Say};
use nexus_model::{AlertKind, AlertStatus};
use nexus_store::{AlertRow, AuditRecord, Store};

/// What an analyst does with an alert; the spelling is the API's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAction {
    Assign,
    Escalate,
    Dismiss,
    Reopen,
}

impl AlertAction {
    pub const ALL: [AlertAction; 4] = [
        AlertAction::Assign,
        AlertAction::Escalate,
        AlertAction::Dismiss,
        AlertAction::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertAction::Assign => "assign",
            AlertAction::Escalate => "escalate",
            AlertAction::Dismiss => "dismiss",
            AlertAction::Reopen => "reopen",
        }
    }

    pub fn parse(text: &str) -> Result<AlertAction, FiuError> {
        AlertAction::ALL
            .into_iter()
            .find(|a| a.as_str() == text)
            .ok_or_else(|| {
                FiuError::Invalid(say(Say::UnknownAlertAction).with("action", format!("{text:?}")))
            })
    }
}

/// Applies `action` to alert `id`, audited; the alert as it is afterwards.
pub fn act(
    store: &Store,
    principal: &Principal,
    id: i64,
    action: AlertAction,
    reason: &str,
) -> Result<AlertRow, FiuError> {
    let reason = reason.trim();
    let (status, assignee) = match action {
        AlertAction::Assign => (AlertStatus::Assigned, principal.user_id),
        AlertAction::Escalate => (AlertStatus::Escalated, None),
        AlertAction::Dismiss => {
            if reason.chars().count() < 10 {
                return Err(FiuError::Invalid(
                    say(Say::DismissNeedsReason).with("min", 10usize),
                ));
            }
            (AlertStatus::Dismissed, None)
        }
        AlertAction::Reopen => (AlertStatus::New, None),
    };
    let done = store.write(|db| {
        let Some(a) = db.alert(id)? else {
            return Ok(Err(FiuError::NotFound(say(Say::NoAlert).with("id", id))));
        };
        // A sanctions match is closed only by the two-person clearance, which
        // also keeps it from being raised again for the same list entry.
        if action == AlertAction::Dismiss && a.kind == AlertKind::Screening {
            return Ok(Err(FiuError::Conflict(say(Say::ListMatchNeedsClearance))));
        }
        db.update_alert(id, status, assignee, reason, None)?;
        db.audit(&AuditRecord {
            actor: principal.actor.clone(),
            action: format!("alert.{}", action.as_str()),
            object: format!("alert:{id}"),
            case_ref: a.case_id.map(|c| format!("case:{c}")).unwrap_or_default(),
            personal: reason.to_string(),
            ..AuditRecord::default()
        })?;
        Ok(db
            .alert(id)?
            .ok_or_else(|| FiuError::NotFound(say(Say::NoAlert).with("id", id))))
    })?;
    done
}
