//! An after-sales case: what the customer asked for, the policy decision,
//! and the evidence, as opened at the end of intake.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::order::OrderNo;
use crate::parcel::ParcelStatus;
use crate::policy::{Decision, Outcome, Verdict};
use crate::reason::Reason;
use crate::retention::{OfferKind, OfferMade, OfferResult};

mod event;

pub use event::{Added, ByAgent, Event, Ruling};

/// A short, human-readable case id such as `AS-1001`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CaseId(String);

impl CaseId {
    pub fn from_seq(seq: i64) -> CaseId {
        CaseId(format!("AS-{seq}"))
    }

    pub fn from_trusted(text: &str) -> CaseId {
        CaseId(text.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number behind the id, for ordering.
    pub fn seq(&self) -> Option<i64> {
        self.0.strip_prefix("AS-")?.parse().ok()
    }

    /// A case id as customers type it, the whole text: "AS-1001", "as1001",
    /// "AS 1001", "AS#1001" (full-width "ＡＳ－１００１" once
    /// `typed::normalise`d).
    pub fn parse(text: &str) -> Option<CaseId> {
        let text = text.trim();
        let (id, found) = CaseId::first_in(text)?;
        (found.start == 0 && found.end == text.len()).then_some(id)
    }

    /// The first case id in a sentence ("what about AS-1001?", "AS1001怎么样了"),
    /// standing on its own: "CLASS 1001" or "AS-1001X" name none.
    pub fn find_in(text: &str) -> Option<CaseId> {
        CaseId::first_in(text).map(|(id, _)| id)
    }

    fn first_in(text: &str) -> Option<(CaseId, std::ops::Range<usize>)> {
        static TYPED: LazyLock<Regex> = LazyLock::new(|| {
            // ASCII word boundaries: a Chinese character next to the id separates it.
            Regex::new(r"(?i-u:\bAS)[ _#-]{0,2}([0-9]{1,12})(?-u:\b)").unwrap_or_else(|_| unreachable!())
        });
        let captures = TYPED.captures(text)?;
        let seq = captures.get(1)?.as_str().parse().ok()?;
        Some((CaseId::from_seq(seq), captures.get(0)?.range()))
    }
}

impl std::fmt::Display for CaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Approved,
    NeedsReview,
    NotEligible,
    /// The customer accepted a retention offer and keeps the goods: closed.
    Retained,
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 5] = [
        CaseStatus::Approved,
        CaseStatus::NeedsReview,
        CaseStatus::NotEligible,
        CaseStatus::Retained,
        CaseStatus::Closed,
    ];

    /// Whether the case is over.
    pub fn is_closed(self) -> bool {
        matches!(self, CaseStatus::Retained | CaseStatus::Closed)
    }

    pub fn after(verdict: Verdict) -> CaseStatus {
        match verdict {
            Verdict::Approved => CaseStatus::Approved,
            Verdict::NeedsReview => CaseStatus::NeedsReview,
            Verdict::NotEligible => CaseStatus::NotEligible,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Approved => "approved",
            CaseStatus::NeedsReview => "needs_review",
            CaseStatus::NotEligible => "not_eligible",
            CaseStatus::Retained => "retained",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|status| status.code() == code)
    }

    /// Whether the customer may still add messages and photos to the case:
    /// while it is reviewed or carried out.
    pub fn takes_additions(self) -> bool {
        matches!(self, CaseStatus::NeedsReview | CaseStatus::Approved)
    }
}

/// A photo, video or image file the customer sent as evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: MediaKind,
    pub file_id: String,
    pub file_unique_id: String,
    pub media_group_id: Option<String>,
    pub received_at: DateTime<Utc>,
    /// The copy in the media folder, checked to be a photo or video; `None`
    /// when Telegram could not give the bytes then (they are copied later).
    pub stored: Option<StoredFile>,
}

/// A file kept in the media folder under its content hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    pub sha256: String,
    pub path: String,
    pub size_bytes: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Photo,
    Video,
    /// A photo or video sent as a file (a Telegram document).
    ImageFile,
}

impl MediaKind {
    pub fn code(self) -> &'static str {
        match self {
            MediaKind::Photo => "photo",
            MediaKind::Video => "video",
            MediaKind::ImageFile => "image_file",
        }
    }

    pub fn from_code(code: &str) -> Option<MediaKind> {
        [MediaKind::Photo, MediaKind::Video, MediaKind::ImageFile].into_iter().find(|kind| kind.code() == code)
    }
}

/// A case as the customer confirmed it, ready to be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCase {
    pub id: CaseId,
    pub order_no: OrderNo,
    pub sku: String,
    pub quantity: u32,
    pub reason: Reason,
    pub detail: String,
    pub outcome: Outcome,
    pub decision: Decision,
    pub evidence: Vec<Evidence>,
    /// The customer's word that the goods are unused, with tags and
    /// packaging; `None` when the reason did not call for it.
    pub resale_intact: Option<bool>,
    /// Retention offers made before the case opened, with their results.
    pub offers: Vec<OfferMade>,
}

impl NewCase {
    /// Retained when the customer took an offer and keeps the goods; an
    /// exchange for another style is a request of its own.
    pub fn status(&self) -> CaseStatus {
        let retained = self
            .offers
            .iter()
            .any(|offer| offer.result == OfferResult::Accepted && offer.kind != OfferKind::OtherStyle);
        if retained { CaseStatus::Retained } else { CaseStatus::after(self.decision.verdict) }
    }
}

/// A case holding units of an order line (see `policy::LineHistory::claimed_units`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub id: CaseId,
    pub sku: String,
    pub quantity: u32,
    pub status: CaseStatus,
    pub outcome: Outcome,
    /// The case is this customer's (another chat's case is shown, not added to).
    pub own: bool,
}

/// One line of "my cases".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub order_no: OrderNo,
    pub item_name: String,
    pub reason: Reason,
    pub outcome: Outcome,
    pub status: CaseStatus,
    pub created_at: DateTime<Utc>,
}

/// One of the customer's cases as its detail view shows it: what was asked,
/// the decision, and what happened since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDetail {
    pub id: CaseId,
    pub order_no: OrderNo,
    pub item_name: String,
    pub quantity: u32,
    pub reason: Reason,
    pub outcome: Outcome,
    pub status: CaseStatus,
    pub created_at: DateTime<Utc>,
    /// The rules' decision when the case was opened.
    pub decision: Decision,
    /// What the customer is told happened, oldest first.
    pub history: Vec<(DateTime<Utc>, Milestone)>,
}

impl CaseDetail {
    /// The latest decision a person made on the case, if any.
    pub fn agent_decision(&self) -> Option<&AgentDecision> {
        self.history.iter().rev().find_map(|(_, milestone)| match milestone {
            Milestone::Decided(decision) => Some(decision),
            _ => None,
        })
    }

    /// What comes next for the customer, from where the case stands.
    pub fn next(&self) -> CaseNext {
        let happened = |wanted: fn(&Milestone) -> bool| self.history.iter().any(|(_, milestone)| wanted(milestone));
        match self.status {
            CaseStatus::Retained | CaseStatus::Closed => CaseNext::Settled,
            CaseStatus::NotEligible => CaseNext::PersonCanHelp,
            CaseStatus::NeedsReview => CaseNext::Review,
            CaseStatus::Approved if self.outcome.sends_item_back() => {
                if happened(|m| matches!(m, Milestone::InspectionPassed)) {
                    CaseNext::CarryingOut
                } else if happened(|m| matches!(m, Milestone::TrackingNumber { .. } | Milestone::Parcel(_))) {
                    CaseNext::ParcelOnItsWay
                } else {
                    CaseNext::SendBack
                }
            }
            CaseStatus::Approved => CaseNext::CarryingOut,
        }
    }
}

/// The customer's next step on a case, or the shop's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseNext {
    /// A person reviews it and replies in the chat.
    Review,
    /// Send the item to the return address, then its tracking number.
    SendBack,
    /// The return parcel is on its way; we say when it arrives.
    ParcelOnItsWay,
    /// The shop carries out what was decided.
    CarryingOut,
    /// Refused; a person can look at what is still possible.
    PersonCanHelp,
    /// Nothing left to do.
    Settled,
}

/// A decision a person made on a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentDecision {
    pub approved: bool,
    pub outcome: Outcome,
    /// Why, as the agent typed it (a refusal always has one).
    pub reason: Option<String>,
}

/// Something that happened on a case, as its customer hears of it. The
/// agents' own steps (notes, taking, releasing) are not among them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Milestone {
    Opened,
    /// The customer added a message or photos.
    Added,
    /// The case went to a person.
    WithAPerson,
    Decided(AgentDecision),
    ReturnInstructions,
    TrackingNumber {
        number: String,
    },
    Parcel(ParcelStatus),
    InspectionPassed,
    InspectionFailed,
    Refunded {
        amount: Money,
    },
    /// Closed as kept after a retention offer.
    Kept,
    Closed,
}

impl Milestone {
    /// The milestone a timeline event is, if the customer hears of it.
    pub fn from_event(event: &Event) -> Option<Milestone> {
        if let Some(ruling) = event.ruling() {
            let approved = !matches!(event, Event::Rejected(_));
            let reason = ruling.reason.clone().filter(|reason| !reason.trim().is_empty());
            return Some(Milestone::Decided(AgentDecision { approved, outcome: ruling.outcome, reason }));
        }
        match event {
            Event::Opened { .. } => Some(Milestone::Opened),
            Event::Added(_) => Some(Milestone::Added),
            Event::Escalated { .. } => Some(Milestone::WithAPerson),
            Event::ReturnInstructions { .. } => Some(Milestone::ReturnInstructions),
            Event::TrackingNumber(tracking) => Some(Milestone::TrackingNumber { number: tracking.number.clone() }),
            Event::ParcelScan(scan) => Some(Milestone::Parcel(scan.status)),
            Event::InspectionPassed {} => Some(Milestone::InspectionPassed),
            Event::InspectionFailed { .. } => Some(Milestone::InspectionFailed),
            Event::Refunded { amount_minor, currency, .. } => {
                Some(Milestone::Refunded { amount: Money::new(*amount_minor, *currency) })
            }
            Event::ClosedRetained {} => Some(Milestone::Kept),
            Event::Closed { .. } => Some(Milestone::Closed),
            _ => None,
        }
    }
}

/// What a case waits for, as the daily progress message says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Waiting {
    /// A person reviews the request.
    Review,
    /// The returned parcel is at the warehouse, to be checked.
    Inspection,
    /// The refund is being issued.
    Refund,
}

#[cfg(test)]
mod tests;
