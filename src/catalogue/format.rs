//! Rendering helpers both languages share: clipping, waits, timelines, labels.

use chrono::{NaiveDate, NaiveDateTime};

use crate::agent_command::Usage;
use crate::case::CaseId;
use crate::catalogue::card::{CardView, TIMELINE_SHOWN, TimelineLine};
use crate::money::Money;
use crate::order::OrderNo;
use crate::parcel::ReturnAddress;

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
        "report" => Some(Usage::Report),
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

/// The carrier's or someone's words in a follow-up, at most this long.
pub(super) const DETAIL_CHARS: usize = 300;
/// A survey comment, as the agents read it.
pub(super) const COMMENT_CHARS: usize = 1000;
/// A line of the return address, at most this long.
const ADDRESS_CHARS: usize = 200;

/// The words and date formats a language fills into the structure both
/// languages share (dates, the return address).
pub(super) struct Words {
    /// The day a refund should arrive ("12 March").
    pub(super) date: &'static str,
    /// A time within the next days ("23:59 on 9 March").
    pub(super) time: &'static str,
    /// A deadline that may lie a year away, such as a warranty's ("9 March 2027").
    pub(super) date_with_year: &'static str,
    /// A time in the explanation, which may span years ("23:59 on 9 March 2026").
    pub(super) full_time: &'static str,
    /// Said instead of an address the shop has not configured.
    pub(super) address_promised: &'static str,
    pub(super) address_heading: &'static str,
    /// Recipient, phone and address.
    pub(super) address_labels: [&'static str; 3],
    /// Between a label and its value (": " or "：").
    pub(super) colon: &'static str,
}

impl Words {
    pub(super) fn date(&self, day: &NaiveDate) -> String {
        day.format(self.date).to_string()
    }

    pub(super) fn time(&self, at: &NaiveDateTime) -> String {
        at.format(self.time).to_string()
    }

    pub(super) fn date_with_year(&self, at: &NaiveDateTime) -> String {
        at.format(self.date_with_year).to_string()
    }

    pub(super) fn full_time(&self, at: &NaiveDateTime) -> String {
        at.format(self.full_time).to_string()
    }

    /// Where to send a return: the lines the shop has configured, or the
    /// promise that a colleague sends the address.
    pub(super) fn return_address(&self, address: &ReturnAddress) -> String {
        if address.address.trim().is_empty() {
            return self.address_promised.to_owned();
        }
        let mut lines = vec![self.address_heading.to_owned()];
        for (label, value) in
            self.address_labels.into_iter().zip([&address.recipient, &address.phone, &address.address])
        {
            if !value.trim().is_empty() {
                lines.push(format!("{label}{}{}", self.colon, clip(value.trim(), ADDRESS_CHARS)));
            }
        }
        lines.join("\n")
    }
}

/// "SF Express SF1234567890123", or the number alone without a carrier name.
pub(super) fn parcel(carrier: &str, number: &str) -> String {
    match carrier.trim() {
        "" => number.trim().to_owned(),
        carrier => format!("{carrier} {}", number.trim()),
    }
}
