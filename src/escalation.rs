//! Facts about a hand-over to the agents: why a case went to a person,
//! where the hand-over stands, and who has it. Shared by the agents' state
//! machine, the follow-ups that escalate, and the texts that show them.

/// Why a case went to a person (its code in the timeline's data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    CustomerAsked,
    Review,
    HighValue,
    NotEligible,
    ServiceComplaint,
    Threat,
    FailedInputs,
    RetentionDeclined,
    /// No return tracking number even after a reminder.
    NoTrackingNumber,
    /// The returned goods failed the warehouse's inspection.
    InspectionFailed,
    /// The shop's refund system refused the refund.
    RefundRefused,
}

impl Why {
    pub const ALL: [Why; 11] = [
        Why::CustomerAsked,
        Why::Review,
        Why::HighValue,
        Why::NotEligible,
        Why::ServiceComplaint,
        Why::Threat,
        Why::FailedInputs,
        Why::RetentionDeclined,
        Why::NoTrackingNumber,
        Why::InspectionFailed,
        Why::RefundRefused,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Why::CustomerAsked => "customer_asked",
            Why::Review => "review",
            Why::HighValue => "high_value",
            Why::NotEligible => "not_eligible",
            Why::ServiceComplaint => "service_complaint",
            Why::Threat => "threat",
            Why::FailedInputs => "failed_inputs",
            Why::RetentionDeclined => "retention_declined",
            Why::NoTrackingNumber => "no_tracking_number",
            Why::InspectionFailed => "inspection_failed",
            Why::RefundRefused => "refund_refused",
        }
    }

    pub fn from_code(code: &str) -> Option<Why> {
        Why::ALL.into_iter().find(|why| why.code() == code)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Waiting for an agent.
    Queued,
    Taken,
    /// The bot answers the customer again; the case stays as decided.
    HandedBack,
    Closed,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Queued, Status::Taken, Status::HandedBack, Status::Closed];

    pub fn code(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Taken => "taken",
            Status::HandedBack => "handed_back",
            Status::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|status| status.code() == code)
    }

    /// Whether the customer is talking to people (not the bot).
    pub fn is_active(self) -> bool {
        matches!(self, Status::Queued | Status::Taken)
    }
}

/// The agent a case is assigned to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignee {
    pub user_id: i64,
    pub name: String,
}
