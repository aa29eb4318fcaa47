//! The English catalogue: every customer-facing text, in a patient shop assistant's words.

use chrono::NaiveDateTime;

use super::{CaseLine, DecisionText, Lang, Msg, clip, order_label};
use crate::case::{CaseId, CaseStatus};
use crate::money::Money;
use crate::order::OrderNo;
use crate::policy::{NextStep, Outcome, RuleId, ShippingPayer, Verdict};
use crate::reason::{EvidenceKind, Reason};

pub(super) fn text(msg: &Msg) -> String {
    match msg {
        Msg::Greeting { name, shop } => {
            let hello = match name.trim() {
                "" => "Hi!".to_owned(),
                name => format!("Hi {name}!"),
            };
            let shop = match shop.trim() {
                "" => "our shop's".to_owned(),
                shop => format!("{shop}'s"),
            };
            format!(
                "{hello} Welcome to {shop} after-sales desk. I can help you with returns, refunds, \
                 exchanges and reships, 24/7."
            )
        }
        Msg::MenuPrompt => "What can I do for you?".to_owned(),
        Msg::MenuNew => "Return, refund, exchange".to_owned(),
        Msg::MenuCases => "My cases".to_owned(),
        Msg::MenuAgent => "Talk to a person".to_owned(),
        Msg::MenuLanguage => "中文 / English".to_owned(),
        Msg::Help => {
            let mut reply = "Here is what I understand:".to_owned();
            for command in ["start", "new", "cases", "agent", "lang", "cancel", "help"] {
                reply.push_str(&format!("\n/{command} – {}", command_description(command)));
            }
            reply
        }
        Msg::CommandDescription { command } => command_description(command).to_owned(),
        Msg::AskOrderNo => format!(
            "Please send me your order number. Or tap “{}” below and pick from your orders.",
            text(&Msg::ShareContactButton)
        ),
        Msg::ShareContactButton => "📱 Share my phone number".to_owned(),
        Msg::OrderNoMalformed => "Hmm, that doesn't look like an order number: it has 6–32 letters, digits or \
                                  dashes. You'll find it on the order details page in the shop app."
            .to_owned(),
        Msg::OrderNotFound { order, tries_left } => {
            let mut reply = format!("Sorry, I couldn't find order {order}. Please check the number and try again.");
            if *tries_left == 0 {
                reply.push_str(&format!(" Still no luck? A person can help: tap “{}”.", agent_button()));
            }
            reply
        }
        Msg::OrderLocked { until } => format!(
            "For your security, this order is locked in this chat until {} after too many wrong answers. \
             You can enter another order number or tap “{}”.",
            time(until),
            agent_button()
        ),
        Msg::AskProof { order } => {
            format!("To protect your privacy: what are the last 4 digits of the phone number on order {order}?")
        }
        Msg::ProofMalformed => "Please send exactly 4 digits, for example 1234.".to_owned(),
        Msg::ProofWrong { tries_left } => match tries_left {
            0 => "Sorry, that doesn't match.".to_owned(),
            1 => "Sorry, that doesn't match. 1 try left.".to_owned(),
            n => format!("Sorry, that doesn't match. {n} tries left."),
        },
        Msg::ProofLockedNow { until } => format!(
            "Too many wrong answers, so this order is locked for this chat until {}. The attempt has been \
             logged. You can enter another order number or tap “{}”.",
            time(until),
            agent_button()
        ),
        Msg::ContactNotOwn => {
            "Please share your own phone number with the button below, not someone else's contact.".to_owned()
        }
        Msg::ContactNoOrders => "Thank you, your phone number is verified ✓ but I found no orders for it. \
                                 Please type the order number instead."
            .to_owned(),
        Msg::ContactVerified => "Thank you, your phone number is verified ✓".to_owned(),
        Msg::PickOrder => "Which order is it about?".to_owned(),
        Msg::OrderButton { order, first_item, lines, total } => order_button(order, first_item, *lines, *total),
        Msg::OrderUnpaid { order } => format!(
            "Order {order} hasn't been paid yet, so nothing was charged and there is nothing to refund. \
             You can simply cancel it in the shop app. For anything else, tap “{}”.",
            agent_button()
        ),
        Msg::PickLine { order } => format!("Which item of order {order} is it about?"),
        Msg::LineButton { item, quantity, unit_price } => format!("{} ×{quantity} · {unit_price}", clip(item, 22)),
        Msg::AskQuantity { item, max } => format!("How many of “{item}” is it about? (1–{max})"),
        Msg::Quantity(count) => count.to_string(),
        Msg::AskReason { item } => format!("What's the matter with “{item}”? Please pick a reason below."),
        Msg::ReasonLabel(reason) => reason_label(*reason).to_owned(),
        Msg::AskDetail => format!(
            "Would you like to tell us more in your own words? Just type it, or tap “{}”.",
            text(&Msg::SkipButton)
        ),
        Msg::SkipButton => "Skip".to_owned(),
        Msg::AskEvidence { kind, min, max, have } => ask_evidence(*kind, *min, *max, *have),
        Msg::EvidenceReceived { have, min, max } => {
            let received = format!("Received {}.", photos(*have));
            let more = usize::from(*min).saturating_sub(*have);
            if more > 0 {
                format!("{received} Please send at least {more} more.")
            } else {
                format!("{received} Tap “{}” when you're ready (up to {max} in all).", text(&Msg::DoneButton))
            }
        }
        Msg::EvidenceFull { max } => {
            format!("That's the maximum of {max}, thank you! Please tap “{}”.", text(&Msg::DoneButton))
        }
        Msg::DoneButton => "Done ✓".to_owned(),
        Msg::NotAPhoto => "Sorry, only photos or videos can be used as evidence here, not stickers, voice \
                           messages or other files. Please send a photo 📷"
            .to_owned(),
        Msg::AskOutcome => "What would you like us to do?".to_owned(),
        Msg::OutcomeLabel(outcome) => outcome_label(*outcome).to_owned(),
        Msg::Summary { order, item, quantity, reason, detail, photos: count, outcome } => {
            let reason = match detail.trim() {
                "" => reason_label(*reason).to_owned(),
                detail => format!("{} – “{detail}”", reason_label(*reason)),
            };
            let count = match count {
                0 => "none".to_owned(),
                n => n.to_string(),
            };
            format!(
                "Please check your request:\n\
                 Order: {order}\n\
                 Item: {item} ×{quantity}\n\
                 Reason: {reason}\n\
                 Photos: {count}\n\
                 You'd like: {}\n\
                 Tap “{}” to submit, or “{}” / “{}”.",
                outcome_label(*outcome),
                text(&Msg::ConfirmButton),
                text(&Msg::ChangeButton),
                text(&Msg::CancelButton)
            )
        }
        Msg::ConfirmButton => "✓ Confirm".to_owned(),
        Msg::ChangeButton => "✎ Change".to_owned(),
        Msg::CancelButton => "✖ Cancel".to_owned(),
        Msg::CaseOpened { id, decision } => case_opened(id, decision),
        Msg::Cancelled => {
            "OK, I've cancelled this request; nothing was submitted. Cases you already submitted are kept.".to_owned()
        }
        Msg::Cases(lines) if lines.is_empty() => text(&Msg::NoCases),
        Msg::Cases(lines) => {
            let mut reply = "Your cases:".to_owned();
            for line in lines {
                reply.push('\n');
                reply.push_str(&case_line(line));
            }
            reply
        }
        Msg::NoCases => format!("You have no cases yet. Tap “{}” to open one 📦", text(&Msg::MenuNew)),
        Msg::AgentQueued { case } => {
            let about = match case {
                Some(case) => format!(" about case {case}"),
                None => String::new(),
            };
            format!(
                "Got it: you'd like to talk to a person{about}. You're in the queue and a colleague will reply \
                 right here. Meanwhile you can keep using the bot."
            )
        }
        Msg::LanguagePrompt => "请选择语言 / Choose your language".to_owned(),
        Msg::LanguageName(lang) => language_name(*lang).to_owned(),
        Msg::LanguageSet => "OK, I'll speak English from now on.".to_owned(),
        Msg::StaleButton => "Sorry, that button is out of date.".to_owned(),
        Msg::TextTooLong { max } => {
            format!("Sorry, that message is too long. Please keep it under {max} characters.")
        }
        Msg::UseButtons => "Please choose one of the buttons below (or send /cancel to stop).".to_owned(),
        Msg::UnexpectedMedia => {
            "Thanks, but I wasn't expecting a photo or file just now. Please answer the question above.".to_owned()
        }
        Msg::Unsupported => "Sorry, I can't read stickers, voice messages or that kind of message here. \
                             Please type or use the buttons."
            .to_owned(),
        Msg::Chosen(inner) => {
            let label = text(inner);
            format!("✓ {}", label.strip_prefix("✓ ").unwrap_or(&label))
        }
    }
}

/// "23:59 on 9 March": a time within the next days.
fn time(at: &NaiveDateTime) -> String {
    at.format("%H:%M on %-d %B").to_string()
}

/// "9 March 2027": a deadline that may lie a year away (warranty).
fn date_with_year(at: &NaiveDateTime) -> String {
    at.format("%-d %B %Y").to_string()
}

fn photos(count: usize) -> String {
    match count {
        1 => "1 photo".to_owned(),
        n => format!("{n} photos"),
    }
}

/// One line for the client's command menu and for /help.
fn command_description(command: &str) -> &'static str {
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
fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "中文",
        Lang::En => "English",
    }
}

/// "DEMO-1004 · Wool coat +1 · ¥597.00", the item's name shortened to fit
/// 40 characters and left out when a long order number leaves no room.
fn order_button(order: &OrderNo, first_item: &str, lines: usize, total: Money) -> String {
    let more = match lines {
        0 | 1 => String::new(),
        n => format!(" +{}", n - 1),
    };
    order_label(order, first_item, &more, total, 4..=20).unwrap_or_else(|| format!("{order} · {total}"))
}

fn agent_button() -> String {
    text(&Msg::MenuAgent)
}

fn reason_label(reason: Reason) -> &'static str {
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
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::RefundOnly => "Refund only",
        Outcome::ReturnRefund => "Return and refund",
        Outcome::Exchange => "Exchange",
        Outcome::Reship => "Reship",
        Outcome::Repair => "Repair",
    }
}

fn ask_evidence(kind: EvidenceKind, min: u8, max: u8, have: usize) -> String {
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
    reply.push_str(" Videos are fine too, and you can send several at once as an album.");
    if have > 0 {
        reply.push_str(&format!(" Received so far: {}.", photos(have)));
    }
    let done = text(&Msg::DoneButton);
    if have >= usize::from(min) {
        reply.push_str(&format!(" Tap “{done}” when you're ready."));
    } else {
        reply.push_str(&format!(" A “{done}” button appears once you've sent {}.", photos(usize::from(min))));
    }
    reply
}

fn case_opened(id: &CaseId, decision: &DecisionText) -> String {
    let verdict = match decision.verdict {
        Verdict::Approved => "Approved ✓",
        Verdict::NeedsReview => "A person will check it.",
        Verdict::NotEligible => "We can't approve this automatically.",
    };
    let mut lines = vec![format!("Your case {id} is open. {verdict}"), rule_text(decision.rule, decision.deadline)];
    if let Some(payer) = decision.return_shipping {
        lines.push(shipping_text(payer, decision.freight_insurance));
    }
    if decision.verdict != Verdict::NotEligible
        && decision.refund_cap.minor > 0
        && let Some(refund) = refund_text(decision.rule, decision.refund_cap)
    {
        lines.push(refund);
    }
    lines.push(next_text(decision.next));
    lines.join("\n")
}

fn rule_text(rule: RuleId, deadline: Option<NaiveDateTime>) -> String {
    let ended = |what: &str, at: Option<String>| match at {
        Some(at) => format!("{what} ended {at}."),
        None => format!("{what} has ended."),
    };
    match rule {
        RuleId::OrderUnpaid => "This order hasn't been paid yet, so nothing was charged.".to_owned(),
        RuleId::RefundBeforeShipping => "Your order hasn't shipped yet, so we can refund it right away.".to_owned(),
        RuleId::RefundInTransit => {
            "Your parcel is already on its way, so we'll ask the carrier to intercept it.".to_owned()
        }
        RuleId::CarrierCheck => "Sorry for the trouble! We'll ask the carrier to check on your parcel.".to_owned(),
        RuleId::NoReasonReturn => match &deadline {
            Some(at) => format!(
                "No-reason return: you can send it back until {} (unused, with tags and original packaging).",
                time(at)
            ),
            None => "No-reason return: please send it back unused, with tags and original packaging.".to_owned(),
        },
        RuleId::NoReasonWindowPassed => {
            ended("The no-reason return period", deadline.as_ref().map(|at| format!("at {}", time(at))))
        }
        RuleId::ExcludedCategory => "This kind of product (e.g. underwear or custom-made items) has no no-reason \
                                     return, but quality problems are always covered."
            .to_owned(),
        RuleId::ExchangeInWindow => match &deadline {
            Some(at) => format!("Exchange: you can send it back until {}.", time(at)),
            None => "Exchange: you can send it back for another size or colour.".to_owned(),
        },
        RuleId::ExchangeWindowPassed => {
            ended("The exchange period", deadline.as_ref().map(|at| format!("at {}", time(at))))
        }
        RuleId::QualityClaim => match &deadline {
            Some(at) => format!("Sorry about the problem! Quality problems are covered until {}.", date_with_year(at)),
            None => "Sorry about the problem! Quality problems are covered.".to_owned(),
        },
        RuleId::QualityReportWindowPassed => match &deadline {
            Some(at) => format!(
                "For this product, quality problems have to be reported within a set time after delivery; \
                 for your order that ended at {}.",
                time(at)
            ),
            None => "For this product, quality problems have to be reported within a set time after delivery, \
                     and that time has passed."
                .to_owned(),
        },
        RuleId::WarrantyPassed => {
            ended("The warranty", deadline.as_ref().map(|at| format!("on {}", date_with_year(at))))
        }
        RuleId::LogisticsClaim => {
            "Sorry about the delivery trouble! Delivery problems are for us and the carrier to fix, not you.".to_owned()
        }
        RuleId::EvidenceMissing => "We need photos to check this kind of problem.".to_owned(),
        RuleId::OutcomeNotOffered => {
            "That option isn't available automatically for this reason at this stage of your order.".to_owned()
        }
    }
}

fn shipping_text(payer: ShippingPayer, freight_insurance: bool) -> String {
    match (payer, freight_insurance) {
        (ShippingPayer::Customer, true) => {
            "Return shipping is on you, but your freight insurance refunds it.".to_owned()
        }
        (ShippingPayer::Customer, false) => "Return shipping is on you.".to_owned(),
        (ShippingPayer::Shop, _) => {
            "We pay the return shipping: if you pay it upfront, we repay it once you send us the tracking number."
                .to_owned()
        }
        (ShippingPayer::Carrier, _) => "The carrier is responsible, so you pay nothing for shipping.".to_owned(),
    }
}

/// The refund line, for the rules whose request may end in money back.
fn refund_text(rule: RuleId, cap: Money) -> Option<String> {
    match rule {
        RuleId::RefundBeforeShipping | RuleId::RefundInTransit => {
            Some(format!("Refund of up to {cap}, back to your original payment method."))
        }
        RuleId::NoReasonReturn => Some(format!(
            "Refund of up to {cap}, back to your original payment method once the warehouse has checked the item."
        )),
        RuleId::CarrierCheck | RuleId::QualityClaim | RuleId::LogisticsClaim => {
            Some(format!("If it ends in a refund: up to {cap}, back to your original payment method."))
        }
        RuleId::OrderUnpaid
        | RuleId::NoReasonWindowPassed
        | RuleId::ExcludedCategory
        | RuleId::ExchangeInWindow
        | RuleId::ExchangeWindowPassed
        | RuleId::QualityReportWindowPassed
        | RuleId::WarrantyPassed
        | RuleId::EvidenceMissing
        | RuleId::OutcomeNotOffered => None,
    }
}

fn next_text(next: NextStep) -> String {
    match next {
        NextStep::CancelUnpaidOrder => "Next: you can simply cancel the order in the shop app.".to_owned(),
        NextStep::RefundToOriginalPayment => "Next: the money usually arrives within 3–5 working days.".to_owned(),
        NextStep::InterceptAndRefuseDelivery => {
            "Next: if the parcel still reaches you, please refuse the delivery. The refund follows once it's on \
             its way back to us."
                .to_owned()
        }
        NextStep::SendItemBack => {
            "Next: we'll send you the return address shortly. Please keep the return tracking number.".to_owned()
        }
        NextStep::ReviewWithinWorkingDay => "Next: a colleague will reply here within 1 working day.".to_owned(),
        NextStep::CarrierVerifies => {
            "Next: the carrier checks within 1–2 working days, and we'll let you know here.".to_owned()
        }
        NextStep::TalkToPerson => format!(
            "Next: tap “{}” (or send /agent) and a colleague will look at what's still possible, e.g. a repair.",
            agent_button()
        ),
        NextStep::AddPhotos => format!(
            "Next: please start again with the photos (tap “{}”), or tap “{}”.",
            text(&Msg::MenuNew),
            agent_button()
        ),
    }
}

fn status_label(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Approved => "Approved",
        CaseStatus::NeedsReview => "Under review",
        CaseStatus::NotEligible => "Not approved (a person can help)",
        CaseStatus::Closed => "Closed",
    }
}

fn case_line(line: &CaseLine) -> String {
    format!(
        "{} · {} · {} · {} · {}",
        line.id,
        clip(&line.item, 24),
        outcome_label(line.outcome),
        status_label(line.status),
        time(&line.opened)
    )
}
