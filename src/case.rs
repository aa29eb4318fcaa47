//! An after-sales case: what the customer asked for, the policy decision,
//! and the evidence, as opened at the end of intake.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::order::OrderNo;
use crate::policy::{Decision, Outcome, Verdict};
use crate::reason::Reason;
use crate::retention::{OfferKind, OfferMade, OfferResult};

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
