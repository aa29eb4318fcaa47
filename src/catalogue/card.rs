//! What an agents' case card shows, as data: the card is rendered from this
//! in the agents' language and edited in place whenever the case changes.

use chrono::NaiveDateTime;

use super::DecisionText;
use crate::case::{CaseId, CaseStatus};
use crate::escalation::{Assignee, Status, Why};
use crate::lang::Lang;
use crate::money::Money;
use crate::order::OrderNo;
use crate::policy::Outcome;
use crate::reason::Reason;

/// Everything the card shows. Times are in the shop's zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardView {
    pub case: Option<CardCase>,
    pub customer: String,
    /// The customer's phone, masked (138****5678).
    pub phone: Option<String>,
    pub customer_lang: Lang,
    pub why: Why,
    pub status: Status,
    pub assignee: Option<Assignee>,
    pub opened: NaiveDateTime,
    /// The latest timeline entries, oldest first.
    pub timeline: Vec<TimelineLine>,
    /// Timeline entries left out for length.
    pub earlier: usize,
}

/// The case part of a card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardCase {
    pub id: CaseId,
    pub order: OrderNo,
    pub item: String,
    pub sku: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub paid: Money,
    pub reason: Reason,
    pub detail: String,
    pub outcome: Outcome,
    pub status: CaseStatus,
    pub decision: DecisionText,
    pub agreed: Option<Money>,
    pub responsibility: Option<u8>,
    pub evidence: usize,
}

/// One timeline entry: when, who, what (the event's kind and a short detail).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineLine {
    pub at: NaiveDateTime,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

/// Timeline entries a card shows at most; it must stay within one message.
pub const TIMELINE_SHOWN: usize = 12;
