//! English texts for a customer's intake: commands, orders, reasons, outcomes, evidence.

use super::*;

pub(super) fn photos(count: usize) -> String {
    match count {
        1 => "1 photo".to_owned(),
        n => format!("{n} photos"),
    }
}

/// One line for the client's command menu and for /help.
pub(super) fn command_description(command: &str) -> &'static str {
    match command.trim_start_matches('/') {
        "start" => "Start over and show the menu",
        "new" => "A return, refund, exchange or reship",
        "cases" => "Your cases and where they stand",
        "agent" => "Talk to a person",
        "lang" => "Switch language (Chinese / English)",
        "cancel" => "Cancel the request you are filling in",
        "help" => "What I can do for you",
        _ => "See /help",
    }
}

/// A language in its own words, the same in every catalogue.
pub(super) fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "中文",
        Lang::En => "English",
    }
}

/// "DEMO-1004 · Wool coat +1 · ¥597.00", the item's name shortened to fit
/// 40 characters and left out when a long order number leaves no room.
pub(super) fn order_button(order: &OrderNo, first_item: &str, lines: usize, total: Money) -> String {
    let more = match lines {
        0 | 1 => String::new(),
        n => format!(" +{}", n - 1),
    };
    order_label(order, first_item, &more, total, 4..=20).unwrap_or_else(|| format!("{order} · {total}"))
}

pub(super) fn agent_button() -> String {
    text(&Msg::MenuAgent)
}

pub(in crate::catalogue) fn reason_label(reason: Reason) -> &'static str {
    match reason {
        Reason::ChangedMind => "Changed my mind",
        Reason::WrongSizeOrdered => "Ordered wrong size",
        Reason::NoLongerNeeded => "No longer needed",
        Reason::FoundCheaper => "Found it cheaper",
        Reason::QualityDefect => "Quality problem",
        Reason::NotAsDescribed => "Not as described",
        Reason::SizeProblem => "Size doesn't fit",
        Reason::DamagedInTransit => "Damaged in transit",
        Reason::LostParcel => "Parcel lost",
        Reason::MissingItems => "Items missing",
        Reason::WrongItem => "Wrong item sent",
        Reason::NoTrackingUpdate => "No tracking update",
        Reason::SignedNotReceived => "Signed, not received",
        Reason::OrderChanged => "Order changed",
        Reason::ServiceComplaint => "Service complaint",
        Reason::PriceDropped => "Price dropped",
        Reason::ShippingFee => "Shipping fee",
        Reason::PromisedDiscount => "Promised discount",
    }
}

pub(in crate::catalogue) fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::RefundOnly => "Refund only",
        Outcome::ReturnRefund => "Return and refund",
        Outcome::Exchange => "Exchange",
        Outcome::Reship => "Reship",
        Outcome::PartialRefund => "Keep it, partial refund",
        Outcome::PriceProtection => "Price difference refund",
        Outcome::CashBack => "Cash-back transfer",
        Outcome::Repair => "Repair",
    }
}

pub(super) fn ask_evidence(kind: EvidenceKind, min: u8, max: u8) -> String {
    let subject = match kind {
        EvidenceKind::Defect => "clear photos of the damage or defect",
        EvidenceKind::SizeLabel => "photos of the size label, tag or care label",
        EvidenceKind::WhatArrived => "a photo of everything that arrived, with the parcel and its label",
        EvidenceKind::AsReceived => "photos of the item as you received it",
    };
    let mut reply = match (min, max) {
        (0, max) => format!("📷 Photos are optional here, but they help: {subject} (up to {max})."),
        (min, max) if min >= max => {
            format!("📷 Please send {subject} ({}).", photos(usize::from(min)))
        }
        (min, max) => format!("📷 Please send {subject} ({min}–{max} photos)."),
    };
    reply.push_str(
        " Videos are fine too, and you can send several at once as an album. \
         A caption (or a typed message) tells us what happened.",
    );
    if min > 0 {
        reply.push_str(&format!(" We'll go on by ourselves once we have {}.", photos(usize::from(min))));
    }
    reply
}
