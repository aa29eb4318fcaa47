//! What an agent types in a case's topic (or presses on its card), parsed.
//! Anything that is not a command is a message for the customer.

use crate::case::CaseId;
use crate::money::{Currency, Money};
use crate::month::Month;
use crate::parcel::Inspection;

/// A command from the agents' group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentCommand {
    Take,
    Release,
    /// An internal note: kept on the timeline, never relayed.
    Note(String),
    Approve,
    /// Refuse, with the reason the customer is told.
    Reject(String),
    Exchange,
    Reship,
    /// Refund part of the price; the customer keeps the goods.
    PartialRefund(Money),
    CashBack(Money, String),
    Refund(Money),
    /// Responsibility code 1–9 (docs/domain.md §3).
    Responsibility(u8),
    HandBack,
    Close,
    /// Open cases by age.
    Queue,
    /// The warehouse's inspection of a returned parcel, on the named case
    /// or the topic's.
    Inspect {
        case: Option<CaseId>,
        inspection: Inspection,
    },
    /// A refund paid by hand is confirmed.
    Refunded {
        case: Option<CaseId>,
    },
    /// The month's report (the last full month without one), anywhere in the group.
    Report(Option<Month>),
}

/// Why a command could not be read; the agent is shown its usage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    Note,
    Reject,
    PartialRefund,
    CashBack,
    Refund,
    Responsibility,
    Inspect,
    Report,
}

impl Usage {
    /// The command's syntax, as shown to agents (not translated: commands are English words).
    pub fn syntax(self) -> &'static str {
        match self {
            Usage::Note => "/note TEXT",
            Usage::Reject => "/reject REASON",
            Usage::PartialRefund => "/partial AMOUNT",
            Usage::CashBack => "/cashback AMOUNT REASON",
            Usage::Refund => "/refund AMOUNT",
            Usage::Responsibility => "/resp 1-9",
            Usage::Inspect => "/inspect [CASE] pass | /inspect [CASE] fail REASON",
            Usage::Report => "/report YYYY-MM",
        }
    }
}

impl AgentCommand {
    /// The command names agents can type, for the help text.
    pub const NAMES: [&'static str; 17] = [
        "take", "release", "note", "approve", "reject", "exchange", "reship", "partial", "cashback", "refund", "resp",
        "handback", "close", "queue", "inspect", "refunded", "report",
    ];

    /// `Ok(None)`: not a command (text for the customer), or a command of
    /// someone else's bot (`/take@other_bot`). `Err`: a known command used wrongly.
    pub fn parse(text: &str, bot_username: &str, currency: Currency) -> Result<Option<AgentCommand>, Usage> {
        let Some(rest) = text.trim().strip_prefix('/') else { return Ok(None) };
        let (word, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let (name, addressee) = word.split_once('@').unwrap_or((word, ""));
        if !addressee.is_empty() && !addressee.eq_ignore_ascii_case(bot_username) {
            return Ok(None);
        }
        let args = args.trim();
        let amount = |usage: Usage| {
            let first = args.split_whitespace().next().ok_or(usage)?;
            match Money::parse_major(first, currency) {
                Ok(money) if money.minor > 0 => Ok(money),
                _ => Err(usage),
            }
        };
        let text_arg = |usage: Usage| if args.is_empty() { Err(usage) } else { Ok(args.to_owned()) };
        let command = match name.to_ascii_lowercase().as_str() {
            "take" => AgentCommand::Take,
            "release" => AgentCommand::Release,
            "note" => AgentCommand::Note(text_arg(Usage::Note)?),
            "approve" => AgentCommand::Approve,
            "reject" => AgentCommand::Reject(text_arg(Usage::Reject)?),
            "exchange" => AgentCommand::Exchange,
            "reship" => AgentCommand::Reship,
            "partial" => AgentCommand::PartialRefund(amount(Usage::PartialRefund)?),
            "cashback" => {
                let money = amount(Usage::CashBack)?;
                let reason = args.split_once(char::is_whitespace).map(|(_, reason)| reason.trim()).unwrap_or("");
                if reason.is_empty() {
                    return Err(Usage::CashBack);
                }
                AgentCommand::CashBack(money, reason.to_owned())
            }
            "refund" => AgentCommand::Refund(amount(Usage::Refund)?),
            "resp" => match args.parse::<u8>() {
                Ok(code @ 1..=9) => AgentCommand::Responsibility(code),
                _ => return Err(Usage::Responsibility),
            },
            "handback" => AgentCommand::HandBack,
            "close" => AgentCommand::Close,
            "queue" => AgentCommand::Queue,
            "inspect" => inspect(args).ok_or(Usage::Inspect)?,
            "refunded" => AgentCommand::Refunded { case: case_id(args.split_whitespace().next().unwrap_or("")) },
            "report" if args.is_empty() => AgentCommand::Report(None),
            "report" => AgentCommand::Report(Some(Month::parse(args).ok_or(Usage::Report)?)),
            _ => return Ok(None),
        };
        Ok(Some(command))
    }
}

/// A case id as agents type it ("AS-1001", any case).
fn case_id(word: &str) -> Option<CaseId> {
    let upper = word.to_ascii_uppercase();
    let seq = upper.strip_prefix("AS-")?;
    (!seq.is_empty() && seq.chars().all(|c| c.is_ascii_digit())).then(|| CaseId::from_trusted(&upper))
}

/// `[CASE] pass` or `[CASE] fail REASON`.
fn inspect(args: &str) -> Option<AgentCommand> {
    let mut rest = args.trim();
    let first = rest.split_whitespace().next()?;
    let case = case_id(first);
    if case.is_some() {
        rest = rest[first.len()..].trim_start();
    }
    let (verdict, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let inspection = match (verdict.to_ascii_lowercase().as_str(), reason.trim()) {
        ("pass" | "passed" | "ok", "") => Inspection::Passed,
        ("fail" | "failed", reason) if !reason.is_empty() => Inspection::Failed(reason.to_owned()),
        _ => return None,
    };
    Some(AgentCommand::Inspect { case, inspection })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Option<AgentCommand>, Usage> {
        AgentCommand::parse(text, "shop_bot", Currency::CNY)
    }

    fn yuan(minor: i64) -> Money {
        Money::new(minor, Currency::CNY)
    }

    #[test]
    fn commands_read_as_agents_type_them() {
        let table = [
            ("/take", AgentCommand::Take),
            ("/TAKE@shop_bot", AgentCommand::Take),
            ("/release", AgentCommand::Release),
            ("/note 客户很着急", AgentCommand::Note("客户很着急".into())),
            ("/approve", AgentCommand::Approve),
            ("/reject 已超过质保期", AgentCommand::Reject("已超过质保期".into())),
            ("/exchange", AgentCommand::Exchange),
            ("/reship", AgentCommand::Reship),
            ("/partial 12.5", AgentCommand::PartialRefund(yuan(1250))),
            ("/cashback 8 运费补偿", AgentCommand::CashBack(yuan(800), "运费补偿".into())),
            ("/refund 199.00", AgentCommand::Refund(yuan(19900))),
            ("/resp 6", AgentCommand::Responsibility(6)),
            ("/handback", AgentCommand::HandBack),
            ("/close", AgentCommand::Close),
            ("/queue", AgentCommand::Queue),
            ("/inspect pass", AgentCommand::Inspect { case: None, inspection: Inspection::Passed }),
            (
                "/inspect as-1001 fail 吊牌已剪",
                AgentCommand::Inspect {
                    case: Some(CaseId::from_trusted("AS-1001")),
                    inspection: Inspection::Failed("吊牌已剪".into()),
                },
            ),
            ("/refunded", AgentCommand::Refunded { case: None }),
            ("/refunded AS-1002", AgentCommand::Refunded { case: Some(CaseId::from_trusted("AS-1002")) }),
            ("/report", AgentCommand::Report(None)),
            ("/report 2026-11", AgentCommand::Report(Month::parse("2026-11"))),
        ];
        for (text, command) in table {
            assert_eq!(parse(text), Ok(Some(command)), "{text}");
        }
    }

    #[test]
    fn text_and_other_bots_commands_are_not_ours() {
        for text in ["hello", "我们马上处理", "/take@other_bot", "/weather", ""] {
            assert_eq!(parse(text), Ok(None), "{text}");
        }
    }

    #[test]
    fn a_command_used_wrongly_shows_its_usage() {
        let table = [
            ("/note", Usage::Note),
            ("/reject   ", Usage::Reject),
            ("/partial", Usage::PartialRefund),
            ("/partial ten", Usage::PartialRefund),
            ("/refund 0", Usage::Refund),
            ("/refund -5", Usage::Refund),
            ("/cashback 5", Usage::CashBack),
            ("/resp 0", Usage::Responsibility),
            ("/resp 10", Usage::Responsibility),
            ("/inspect", Usage::Inspect),
            ("/inspect fail", Usage::Inspect),
            ("/inspect AS-1001 maybe", Usage::Inspect),
            ("/inspect pass but scratched", Usage::Inspect),
            ("/report November", Usage::Report),
            ("/report 2026-13", Usage::Report),
        ];
        for (text, usage) in table {
            assert_eq!(parse(text), Err(usage), "{text}");
        }
    }
}
