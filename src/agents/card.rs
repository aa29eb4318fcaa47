//! The case card: the first post of a case's topic, pinned, and edited in
//! place whenever the case changes, so the topic's top always tells the
//! truth. Also the topic's name and the card's buttons.

use super::Escalation;
use crate::case::CaseId;
use crate::catalogue::Msg;
use crate::escalation::Status;
use crate::reason::Reason;

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
