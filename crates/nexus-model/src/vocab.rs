//! The closed vocabularies of the FIU service and of detection, each with
//! its stored spelling declared once: the store's `CHECK` constraints are
//! generated from `ALL`, rows are read into these types (an unknown spelling
//! is an error, not a string passed along), and a typo is a compile error.

vocabulary! {
    /// Where a received report stands.
    ReportStatus {
        Uploaded => "uploaded",
        Processed => "processed",
        FailedValidation => "failed-validation",
        Rejected => "rejected",
    }
}

vocabulary! {
    /// What an entity of the service is: a natural person or an organisation.
    EntityKind {
        Person => "person",
        Organisation => "entity",
    }
}

vocabulary! {
    /// Where an alert comes from.
    AlertKind {
        Screening => "screening",
        Typology => "typology",
        Model => "model",
    }
}

vocabulary! {
    /// Where an alert stands in the analyst's work.
    AlertStatus {
        New => "new",
        Assigned => "assigned",
        Escalated => "escalated",
        Dismissed => "dismissed",
        Cleared => "cleared",
    }
}

impl AlertStatus {
    /// Still to be worked: new, assigned or escalated.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            AlertStatus::New | AlertStatus::Assigned | AlertStatus::Escalated
        )
    }
}

vocabulary! {
    /// Where a false-positive clearance request stands.
    ClearanceStatus {
        Requested => "requested",
        Approved => "approved",
        Refused => "refused",
    }
}

vocabulary! {
    /// Where a case stands.
    CaseStatus {
        Open => "open",
        Disseminated => "disseminated",
        Closed => "closed",
    }
}

vocabulary! {
    /// Where a provisional measure stands. An order is proposed by one
    /// person and in force only once a supervisor other than its author
    /// approves it (four eyes); only a supervisor lifts it or records its
    /// outcome.
    FreezeStatus {
        Proposed => "proposed",
        Rejected => "rejected",
        InForce => "in-force",
        Lifted => "lifted",
        Expired => "expired",
        Confiscated => "confiscated",
    }
}

vocabulary! {
    /// What a party or account is to a case: a subject the case is about, or
    /// a counterparty that dealt with a subject (shown and disseminated as
    /// such, never as a suspect).
    CaseRole {
        Subject => "subject",
        Counterparty => "counterparty",
    }
}

vocabulary! {
    /// What a person or token may do in the service. Each role gets only
    /// what its work needs: reporting entities file and follow their own
    /// reports; analysts triage, investigate and build cases; supervisors
    /// also decide clearances and disseminate; oversight reads the audit
    /// trail and the redress record; administrators manage users, tokens,
    /// lists and retention but read no personal data.
    Role {
        ReportingEntity => "reporting-entity",
        Analyst => "analyst",
        Supervisor => "supervisor",
        Oversight => "oversight",
        Administrator => "administrator",
    }
}

impl Role {
    /// Analysts and supervisors: the roles that work on intelligence.
    pub fn investigates(self) -> bool {
        matches!(self, Role::Analyst | Role::Supervisor)
    }
}

vocabulary! {
    /// What an alert says was found.
    Typology {
        FanIn => "fan_in",
        FanOut => "fan_out",
        ScatterGather => "scatter_gather",
        GatherScatter => "gather_scatter",
        Cycle => "cycle",
        Bipartite => "bipartite",
        Stack => "stack",
        PassThrough => "pass_through",
        Structuring => "structuring",
        DesignatedActivity => "designated_activity",
        NexusPath => "nexus_path",
        HighRiskArea => "high_risk_area",
        Model => "model",
        SanctionsMatch => "sanctions_match",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_reads_back_and_nothing_else_does() {
        for s in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(s.as_str()), Some(*s));
        }
        for t in Typology::ALL {
            assert_eq!(Typology::parse(t.as_str()), Some(*t));
            assert_eq!(t.to_string(), t.as_str());
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(AlertStatus::parse("New"), None);
        assert!(AlertStatus::Escalated.is_open() && !AlertStatus::Cleared.is_open());
    }
}
