//! What happened on a case, as its timeline records it. Stored as a `kind`
//! (the variant's snake_case name) and a JSON `data` object (its fields),
//! the same text as when these were written by hand, so databases and the
//! SQL that filters timelines by kind read them unchanged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{MediaKind, NewCase};
use crate::escalation::Why;
use crate::money::{Currency, Money};
use crate::order::OrderNo;
use crate::parcel::{Scan, TrackingNo};
use crate::policy::{Decision, Outcome};
use crate::reason::Reason;
use crate::retention::{OfferMade, OfferResult};

/// One event on a case's timeline. Who did it is stored beside it (the
/// timeline's actor); the agents' steps also carry the agent in their data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Event {
    /// The customer confirmed the request.
    Opened {
        order_no: OrderNo,
        sku: String,
        quantity: u32,
        reason: Reason,
        outcome: Outcome,
        photos: usize,
    },
    /// The rules' decision when the case opened.
    Decided(Box<Decision>),
    /// A retention offer made before the case opened, by what became of it.
    OfferAccepted(OfferMade),
    OfferDeclined(OfferMade),
    /// Closed as kept after a retention offer.
    ClosedRetained {},
    /// The customer added a message or a photo.
    Added(Added),
    /// The case went to a person.
    Escalated {
        why: Why,
    },
    /// The customer wrote while with a person (relayed to the agents).
    CustomerMessage {
        text: String,
    },
    /// The customer edited a relayed message.
    Edited {
        text: String,
    },
    /// An agent wrote to the customer.
    AgentMessage {
        text: String,
        #[serde(flatten)]
        by: ByAgent,
    },
    Note {
        text: String,
        #[serde(flatten)]
        by: ByAgent,
    },
    Taken {
        #[serde(flatten)]
        by: ByAgent,
    },
    Released {
        #[serde(flatten)]
        by: ByAgent,
    },
    HandedBack {
        #[serde(flatten)]
        by: ByAgent,
    },
    /// The responsibility code (1–9) an agent set.
    Responsibility {
        code: u8,
        #[serde(flatten)]
        by: ByAgent,
    },
    /// An agent's decision, one kind per command.
    Approved(Ruling),
    Rejected(Ruling),
    Exchange(Ruling),
    Reship(Ruling),
    PartialRefund(Ruling),
    CashBack(Ruling),
    Refund(Ruling),
    /// The customer wrote again after the escalation closed.
    EscalationReopened {},
    /// The customer was told where to send the item.
    ReturnInstructions {
        outcome: Outcome,
    },
    /// The customer confirmed the return parcel's tracking number…
    TrackingNumber(TrackingNo),
    /// …or replaced it by another (flat, so that `cases show` prints it).
    TrackingCorrected {
        old: String,
        old_carrier: String,
        new: String,
        new_carrier: String,
    },
    TrackingNudged {},
    /// Still no tracking number after the nudge.
    TrackingMissing {},
    /// The parcel has had no scan since then (or none at all).
    NoScan {
        since: Option<DateTime<Utc>>,
    },
    ParcelScan(Scan),
    InspectionPassed {},
    InspectionFailed {
        reason: String,
    },
    /// The promised refund time passed.
    RefundOverdue {},
    Refunded {
        amount_minor: i64,
        currency: Currency,
        reference: Option<String>,
    },
    RefundRefused {
        why: String,
    },
    SurveySent {},
    SurveyRated {
        score: u8,
    },
    SurveyComment {
        comment: String,
    },
    /// The customer cannot be reached: follow-ups stopped.
    FollowupStopped {
        why: String,
    },
    /// Closed by the follow-ups (no agent) or by an agent.
    Closed {
        #[serde(flatten)]
        by: Option<ByAgent>,
    },
}

/// The agent behind a step, in the event's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByAgent {
    /// Their name as the group sees it.
    pub agent: String,
    /// Their Telegram user id.
    pub agent_id: i64,
}

/// What an agent decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ruling {
    pub outcome: Outcome,
    /// The amount agreed, in the case's currency.
    pub amount_minor: Option<i64>,
    /// Why, as typed (a refusal and a cash-back have one).
    pub reason: Option<String>,
    #[serde(flatten)]
    pub by: ByAgent,
}

/// What the customer added to their case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Added {
    Text { text: String },
    Evidence { evidence: MediaKind },
}

impl Event {
    /// The events a confirmed case opens with: what was asked, the rules'
    /// decision, the offers made on the way, and whether it closed kept.
    pub fn opening(case: &NewCase) -> Vec<Event> {
        let mut events = vec![
            Event::Opened {
                order_no: case.order_no.clone(),
                sku: case.sku.clone(),
                quantity: case.quantity,
                reason: case.reason,
                outcome: case.outcome,
                photos: case.evidence.len(),
            },
            Event::Decided(Box::new(case.decision.clone())),
        ];
        events.extend(case.offers.iter().map(|offer| match offer.result {
            OfferResult::Accepted => Event::OfferAccepted(offer.clone()),
            OfferResult::Declined => Event::OfferDeclined(offer.clone()),
        }));
        if case.status() == super::CaseStatus::Retained {
            events.push(Event::ClosedRetained {});
        }
        events
    }

    /// The new number replacing the old on a parcel on its way.
    pub fn tracking_corrected(old: &TrackingNo, new: &TrackingNo) -> Event {
        Event::TrackingCorrected {
            old: old.number.clone(),
            old_carrier: old.carrier.clone(),
            new: new.number.clone(),
            new_carrier: new.carrier.clone(),
        }
    }

    /// A refund the shop's system issued.
    pub fn refunded(amount: Money, reference: Option<String>) -> Event {
        Event::Refunded { amount_minor: amount.minor, currency: amount.currency, reference }
    }

    /// The `kind` column.
    pub fn kind(&self) -> &'static str {
        self.into()
    }

    /// The `data` column, as JSON.
    pub fn data(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut tagged)) => tagged.remove("data").unwrap_or_default(),
            _ => serde_json::Value::Null,
        }
    }

    /// An event as stored; an error for a kind or data this build does not know.
    pub fn read(kind: &str, data: serde_json::Value) -> Result<Event, serde_json::Error> {
        serde_json::from_value(serde_json::json!({ "kind": kind, "data": data }))
    }

    /// What an agent decided, if this is a decision.
    pub fn ruling(&self) -> Option<&Ruling> {
        match self {
            Event::Approved(ruling)
            | Event::Rejected(ruling)
            | Event::Exchange(ruling)
            | Event::Reship(ruling)
            | Event::PartialRefund(ruling)
            | Event::CashBack(ruling)
            | Event::Refund(ruling) => Some(ruling),
            _ => None,
        }
    }

    /// The agent who took this step, if an agent did.
    pub fn agent(&self) -> Option<&ByAgent> {
        match self {
            Event::AgentMessage { by, .. }
            | Event::Note { by, .. }
            | Event::Taken { by }
            | Event::Released { by }
            | Event::HandedBack { by }
            | Event::Responsibility { by, .. } => Some(by),
            Event::Closed { by } => by.as_ref(),
            _ => self.ruling().map(|ruling| &ruling.by),
        }
    }

    /// The few words the agents' card shows beside the kind: what was
    /// written, or why, or the outcome.
    pub fn detail(&self) -> &str {
        match self {
            Event::Added(Added::Text { text })
            | Event::CustomerMessage { text }
            | Event::Edited { text }
            | Event::AgentMessage { text, .. }
            | Event::Note { text, .. } => text,
            Event::Opened { reason, .. } => reason.code(),
            Event::Decided(decision) => decision.outcome.code(),
            Event::Escalated { why } => why.code(),
            Event::ReturnInstructions { outcome } => outcome.code(),
            Event::InspectionFailed { reason } => reason,
            Event::RefundRefused { why } | Event::FollowupStopped { why } => why,
            _ => self.ruling().map_or("", |ruling| ruling.reason.as_deref().unwrap_or(ruling.outcome.code())),
        }
    }
}
