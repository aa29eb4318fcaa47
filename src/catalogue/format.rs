//! Rendering helpers both languages share: clipping, waits, timelines, labels.

use chrono::NaiveDateTime;

use crate::agent_command::Usage;
use crate::case::CaseId;
use crate::catalogue::card::{CardView, TIMELINE_SHOWN, TimelineLine};
use crate::money::Money;
use crate::order::OrderNo;

/// A case to pick, as a button reads: "AS-1001 · 女士防风夹克", the item
/// clipped so that the label fits a button; "售后单 AS-1001" (`word` and
/// the case) without an item.
pub(super) fn case_and_item(case: &CaseId, item: &str, word: &str) -> String {
    let room = NAME_CHARS.saturating_sub(case.as_str().chars().count() + 3);
    match item.trim() {
        "" => format!("{word} {case}"),
        item => format!("{case} · {}", clip(item, room)),
    }
}

/// A name cut to `max_chars` characters, with "…" when it was longer.
pub(super) fn clip(name: &str, max_chars: usize) -> String {
    match name.char_indices().nth(max_chars) {
        Some(_) => format!("{}…", name.chars().take(max_chars.saturating_sub(1)).collect::<String>().trim_end()),
        None => name.to_owned(),
    }
}

/// A wait rounded up for texts: minutes under an hour, then whole or half
/// hours, and whole days from 48 hours on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Wait {
    Minutes(u64),
    HalfHours(u64),
    Days(u64),
}

impl Wait {
    pub(super) fn of(minutes: i64) -> Wait {
        let minutes = u64::try_from(minutes).unwrap_or(0).max(1);
        match minutes {
            0..60 => Wait::Minutes(minutes),
            60..2880 => Wait::HalfHours(minutes.div_ceil(30)),
            _ => Wait::Days(minutes.div_ceil(1440)),
        }
    }
}

/// The customer's own words on a card, at most this long.
pub(super) const CARD_DETAIL_CHARS: usize = 300;
/// A name (customer, agent) on a card or a queue line.
pub(super) const NAME_CHARS: usize = 40;
/// Lines of `/queue` shown; the rest are counted.
pub(super) const QUEUE_SHOWN: usize = 30;

/// "03-05 10:30": a time on a card, in the shop's zone.
pub(super) fn short_time(at: &NaiveDateTime) -> String {
    at.format("%m-%d %H:%M").to_string()
}

/// Free text on one line, cut to `max_chars`.
pub(super) fn one_line(text: &str, max_chars: usize) -> String {
    clip(&text.split_whitespace().collect::<Vec<_>>().join(" "), max_chars)
}

/// The card's latest timeline entries, "03-05 10:30 actor kind detail", and
/// how many earlier ones are left out.
pub(super) fn timeline(view: &CardView) -> (Vec<String>, usize) {
    let skipped = view.timeline.len().saturating_sub(TIMELINE_SHOWN);
    let lines = view.timeline[skipped..]
        .iter()
        .map(|line: &TimelineLine| {
            let text = format!(
                "{} {} {} {}",
                short_time(&line.at),
                one_line(&line.actor, 24),
                one_line(&line.kind, 24),
                one_line(&line.detail, 80)
            );
            text.trim_end().to_owned()
        })
        .collect();
    (lines, view.earlier + skipped)
}

/// The commands a card reminds agents of, by whether there is a case to decide.
pub(super) fn card_commands(has_case: bool) -> &'static str {
    match has_case {
        true => "/take /note /approve /reject … /handback /close",
        false => "/take /note /handback /close",
    }
}

/// An agents' command as typed, with its arguments ("/partial AMOUNT").
pub(super) fn agent_command_syntax(name: &str) -> String {
    let usage = match name {
        "note" => Some(Usage::Note),
        "reject" => Some(Usage::Reject),
        "partial" => Some(Usage::PartialRefund),
        "cashback" => Some(Usage::CashBack),
        "refund" => Some(Usage::Refund),
        "resp" => Some(Usage::Responsibility),
        _ => None,
    };
    usage.map_or_else(|| format!("/{name}"), |usage| usage.syntax().to_owned())
}

/// "<order> · <item><more> · <total>" within 40 characters, the item's name
/// clipped to the room left (at most the range's end); `None` when less than
/// the range's start is left, and the language shows its short form.
pub(super) fn order_label(
    order: &OrderNo,
    first_item: &str,
    more: &str,
    total: Money,
    item_chars: std::ops::RangeInclusive<usize>,
) -> Option<String> {
    let head = format!("{order} · ");
    let tail = format!("{more} · {total}");
    let room = 40usize.saturating_sub(head.chars().count() + tail.chars().count()).min(*item_chars.end());
    let item = first_item.trim();
    (!item.is_empty() && room >= *item_chars.start()).then(|| format!("{head}{}{tail}", clip(item, room)))
}
