//! The case card: the first post of a case's topic, pinned, and edited in
//! place whenever the case changes, so the topic's top always tells the
//! truth. Also the topic's name and the card's buttons.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::{Assignee, Escalation, Status, Why};
use crate::case::{CaseId, CaseStatus};
use crate::catalogue::{DecisionText, Lang, Msg};
use crate::money::Money;
use crate::order::OrderNo;
use crate::policy::Outcome;
use crate::reason::Reason;

/// Everything the card shows. Times are in the shop's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineLine {
    pub at: NaiveDateTime,
    pub actor: String,
    pub kind: String,
    pub detail: String,
}

/// Timeline entries a card shows at most; it must stay within one message.
pub const TIMELINE_SHOWN: usize = 12;

/// A card button's action, encoded in its callback data as `ag:<action>:<escalation id>`
/// (well under Telegram's 64 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardAction {
    Take,
    Release,
    Approve,
    HandBack,
    Close,
}

impl CardAction {
    const ALL: [CardAction; 5] =
        [CardAction::Take, CardAction::Release, CardAction::Approve, CardAction::HandBack, CardAction::Close];

    fn code(self) -> &'static str {
        match self {
            CardAction::Take => "take",
            CardAction::Release => "release",
            CardAction::Approve => "approve",
            CardAction::HandBack => "handback",
            CardAction::Close => "close",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            CardAction::Take => Msg::TakeButton,
            CardAction::Release => Msg::ReleaseButton,
            CardAction::Approve => Msg::ApproveButton,
            CardAction::HandBack => Msg::HandBackButton,
            CardAction::Close => Msg::CloseButton,
        }
    }

    pub fn data(self, escalation: i64) -> String {
        format!("ag:{}:{escalation}", self.code())
    }

    /// Reads a card button's data: the action and the escalation id.
    pub fn parse(data: &str) -> Option<(CardAction, i64)> {
        let mut parts = data.strip_prefix("ag:")?.splitn(2, ':');
        let code = parts.next()?;
        let id = parts.next()?.parse().ok()?;
        let action = CardAction::ALL.into_iter().find(|action| action.code() == code)?;
        Some((action, id))
    }

    /// The command the button stands for.
    pub fn command(self) -> super::AgentCommand {
        match self {
            CardAction::Take => super::AgentCommand::Take,
            CardAction::Release => super::AgentCommand::Release,
            CardAction::Approve => super::AgentCommand::Approve,
            CardAction::HandBack => super::AgentCommand::HandBack,
            CardAction::Close => super::AgentCommand::Close,
        }
    }
}

/// The buttons a card offers in its escalation's state, in rows.
pub fn actions(escalation: &Escalation, has_case: bool) -> Vec<Vec<CardAction>> {
    match escalation.status {
        Status::Queued => {
            let mut row = vec![CardAction::Take];
            if has_case {
                row.push(CardAction::Approve);
            }
            vec![row, vec![CardAction::Close]]
        }
        Status::Taken => {
            let mut row = vec![CardAction::Release];
            if has_case {
                row.push(CardAction::Approve);
            }
            vec![row, vec![CardAction::HandBack, CardAction::Close]]
        }
        Status::HandedBack => vec![vec![CardAction::Close]],
        Status::Closed => Vec::new(),
    }
}

/// The topic's name: case id, reason and the customer's first name, within
/// Telegram's 128 characters.
pub fn topic_name(case: Option<(&CaseId, Reason)>, first_name: &str) -> Msg {
    Msg::TopicName {
        case: case.map(|(id, _)| id.clone()),
        reason: case.map(|(_, reason)| reason),
        customer: first_name.chars().take(40).collect(),
    }
}

/// A phone number as agents see it: 138****5678. Agents call customers
/// back through the shop's systems, not from the card.
pub fn mask_phone(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    match chars.len() {
        0..=4 => "*".repeat(chars.len()),
        len @ 5..=8 => format!("{}{}", "*".repeat(len - 4), chars[len - 4..].iter().collect::<String>()),
        len => format!("{}****{}", chars[..3].iter().collect::<String>(), chars[len - 4..].iter().collect::<String>()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("12345678"), "****5678");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn button_data_round_trips_and_fits() {
        for action in CardAction::ALL {
            let data = action.data(i64::MAX);
            assert!(data.len() <= 64, "{data}");
            assert_eq!(CardAction::parse(&data), Some((action, i64::MAX)));
        }
        for data in ["", "ag:", "ag:take", "ag:take:x", "ag:dance:1", "q1:r:damaged"] {
            assert_eq!(CardAction::parse(data), None, "{data}");
        }
    }
}
