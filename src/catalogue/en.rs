//! The English catalogue: every customer-facing text, in a patient shop assistant's words.

use chrono::{Duration, NaiveDateTime};

use super::{CaseLine, DecisionText, Lang, Msg, clip, order_label};
use crate::case::{CaseId, CaseStatus};
use crate::money::Money;
use crate::order::OrderNo;
use crate::policy::{Fact, Length, NextStep, Outcome, RuleId, ShippingPayer, Stage, Verdict};
use crate::reason::{EvidenceKind, Reason};
use crate::retention::OfferKind;

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
        Msg::Summary { order, item, quantity, reason, detail, photos: count, outcome, resale_intact } => {
            let reason = match detail.trim() {
                "" => reason_label(*reason).to_owned(),
                detail => format!("{} – “{detail}”", reason_label(*reason)),
            };
            let count = match count {
                0 => "none".to_owned(),
                n => n.to_string(),
            };
            let condition = match resale_intact {
                Some(true) => "\nCondition: unused, with tags and original packaging (your declaration)",
                Some(false) => "\nCondition: used, or tags or packaging missing (your declaration)",
                None => "",
            };
            format!(
                "Please check your request:\n\
                 Order: {order}\n\
                 Item: {item} ×{quantity}\n\
                 Reason: {reason}\n\
                 Photos: {count}{condition}\n\
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
        Msg::AskCondition { item } => format!(
            "One quick question about “{item}”: is it unused and unwashed, with its tags and original packaging? \
             Your answer is recorded on the case as your declaration, and the warehouse checks the item when it \
             arrives."
        ),
        Msg::ConditionIntactButton => "Yes, unused, tags and packaging on".to_owned(),
        Msg::ConditionUsedButton => "It has been used or worn".to_owned(),
        Msg::RetentionOffer { text: offer, kind, value, first } => {
            let offer = offer_line(offer, *kind, *value);
            let decline = text(&Msg::DeclineOfferButton);
            if *first {
                format!(
                    "Before we go ahead: is there anything that would make you happier to keep it? Here's what we \
                     can offer:\n{offer}\nWould you rather continue with your request? That's fine, it takes one \
                     tap: “{decline}”."
                )
            } else {
                format!("Here's another idea:\n{offer}\nOr tap “{decline}” to continue with your request.")
            }
        }
        Msg::AcceptOfferButton { kind } => match kind {
            OfferKind::Coupon => "Yes, I'll take the coupon",
            OfferKind::Gift => "Yes, I'll take the gift",
            OfferKind::KeepDiscount => "Keep it with the discount",
            OfferKind::OtherStyle => "Yes, exchange it",
        }
        .to_owned(),
        Msg::AnotherOfferButton => "Any other option?".to_owned(),
        Msg::DeclineOfferButton => "No thanks, continue".to_owned(),
        Msg::OfferDeclined => {
            "No problem at all! We'll continue with your request as before; saying no costs you nothing.".to_owned()
        }
        Msg::OtherStyleChosen => {
            "Great, we'll turn your request into an exchange for another size or style. Please check and confirm \
             below."
                .to_owned()
        }
        Msg::Retained { id, text: offer, kind, value } => {
            let offer = offer_line(offer, *kind, *value);
            let follow_up = match kind {
                OfferKind::Coupon => "A colleague will send the coupon to your shop account within 1 working day.",
                OfferKind::Gift => {
                    "A colleague will arrange the gift within 1 working day; it comes with your next order."
                }
                OfferKind::KeepDiscount => {
                    "A colleague will arrange the refund of that amount to your original payment method within 1 \
                     working day."
                }
                OfferKind::OtherStyle => "A colleague will follow up here within 1 working day.",
            };
            format!(
                "Thank you for keeping your order! 😊 Case {id} is closed as kept, and the offer is recorded on it:\n\
                 {offer}\n{follow_up}"
            )
        }
        Msg::Explanation { decision, facts } => explanation(decision, facts),
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

/// "18:00 on Tuesday 24 November": when a person answers.
fn day_time(at: &NaiveDateTime) -> String {
    at.format("%H:%M on %A %-d %B").to_string()
}

/// "23:59 on 9 March 2026": a time in the explanation, which may span years.
fn full_time(at: &NaiveDateTime) -> String {
    at.format("%H:%M on %-d %B %Y").to_string()
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
        Reason::PriceDropped => "Price dropped",
        Reason::ShippingFee => "Shipping fee",
        Reason::PromisedDiscount => "Promised discount",
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
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
    let mut lines = vec![format!("Your case {id} ({}) is open. {verdict}", outcome_label(decision.outcome))];
    lines.extend(decision_lines(decision));
    lines.join("\n")
}

/// The rule, the shipping, the money and the next step of a decision.
fn decision_lines(decision: &DecisionText) -> Vec<String> {
    let mut lines = vec![rule_text(decision)];
    if let Some(payer) = decision.return_shipping {
        lines.push(shipping_text(payer, decision.freight_insurance, decision.shipping_cash_back));
    }
    if decision.verdict != Verdict::NotEligible
        && let Some(refund) = refund_text(decision)
    {
        lines.push(refund);
    }
    lines.push(next_text(decision));
    lines
}

/// "7 days", "48 hours".
fn span(span: Length) -> String {
    match span {
        Length::Days(1) => "1 day".to_owned(),
        Length::Days(days) => format!("{days} days"),
        Length::Hours(1) => "1 hour".to_owned(),
        Length::Hours(hours) => format!("{hours} hours"),
    }
}

/// "7-day no-reason return", or just "no-reason return" without a window.
fn with_span(window: Option<Length>, what: &str) -> String {
    match window {
        Some(Length::Days(days)) => format!("{days}-day {what}"),
        Some(Length::Hours(hours)) => format!("{hours}-hour {what}"),
        None => what.to_owned(),
    }
}

/// "within 7 days", or "within a set time" without a window.
fn within(window: Option<Length>) -> String {
    match window {
        Some(window) => format!("within {}", span(window)),
        None => "within a set time".to_owned(),
    }
}

fn working_days(days: u32) -> String {
    match days {
        1 => "1 working day".to_owned(),
        n => format!("{n} working days"),
    }
}

fn rule_text(decision: &DecisionText) -> String {
    let window = decision.window;
    let until = decision.deadline.as_ref().map(time);
    let ended = |what: String| match &until {
        Some(at) => format!("The {what} ended at {at}."),
        None => format!("The {what} has ended."),
    };
    match decision.rule {
        RuleId::OrderUnpaid => "This order hasn't been paid yet, so nothing was charged.".to_owned(),
        RuleId::RefundBeforeShipping => "Your order hasn't shipped yet, so we can refund it right away.".to_owned(),
        RuleId::RefundInTransit => {
            "Your parcel is already on its way, so we'll ask the carrier to intercept it.".to_owned()
        }
        RuleId::CarrierCheck => "Sorry for the trouble! We'll ask the carrier to check on your parcel.".to_owned(),
        RuleId::RefundOnlyAfterReceipt => "Your order has already been delivered, so for a change of mind the \
                                           refund comes with a return: we refund once the item is back with us."
            .to_owned(),
        RuleId::NoReasonReturn => match &until {
            Some(at) => format!(
                "This qualifies for our {}: please send it back by {at}, unused and unwashed, with tags and \
                 original packaging.",
                with_span(window, "no-reason return")
            ),
            None => format!(
                "This qualifies for our {}: please send it back unused and unwashed, with tags and original \
                 packaging.",
                with_span(window, "no-reason return")
            ),
        },
        RuleId::NoReasonWindowPassed => ended(with_span(window, "no-reason return period")),
        RuleId::ExcludedCategory => "This kind of product (e.g. underwear or custom-made items) has no no-reason \
                                     return, but quality problems are always covered."
            .to_owned(),
        RuleId::ResaleImpaired => "Thank you for telling us. A no-reason return is for items that are unused and \
                                   unwashed, with tags and original packaging, so this one can't go back that way."
            .to_owned(),
        RuleId::ExchangeInWindow => match &until {
            Some(at) => {
                format!("This is within our {}: please send it back by {at}.", with_span(window, "exchange period"))
            }
            None => format!(
                "This is within our {}: you can swap it for another size or colour.",
                with_span(window, "exchange period")
            ),
        },
        RuleId::ExchangeWindowPassed => ended(with_span(window, "exchange period")),
        RuleId::ExchangeAlreadyUsed => {
            "This item has already been exchanged once, and each item can be exchanged one time.".to_owned()
        }
        RuleId::ReturnAfterExchange => {
            let by = until.as_ref().map(|at| format!(" by {at}")).unwrap_or_default();
            format!(
                "After an exchange you can still return the replacement {} of receiving it: please send it \
                 back{by}, unused, with tags and original packaging.",
                within(window)
            )
        }
        RuleId::ReturnAfterExchangeWindowPassed => ended(with_span(window, "return period after your exchange")),
        RuleId::QualityClaim => match (window, &decision.deadline) {
            (Some(Length::Hours(hours)), Some(at)) => format!(
                "Sorry about the problem! For this product, quality problems are covered when reported within \
                 {hours} hours of delivery, so until {}.",
                time(at)
            ),
            (_, Some(at)) => {
                format!("Sorry about the problem! Quality problems are covered until {}.", date_with_year(at))
            }
            (Some(window), None) => {
                format!("Sorry about the problem! Quality problems are covered for {} after delivery.", span(window))
            }
            (None, None) => "Sorry about the problem! Quality problems are covered.".to_owned(),
        },
        RuleId::QualityReportWindowPassed => match &until {
            Some(at) => format!(
                "For this product, quality problems have to be reported {} of delivery; for your order that \
                 time ended at {at}.",
                within(window)
            ),
            None => format!(
                "For this product, quality problems have to be reported {} of delivery, and that time has passed.",
                within(window)
            ),
        },
        RuleId::WarrantyPassed => {
            let length = window.map(|window| format!(" ({})", span(window))).unwrap_or_default();
            match &decision.deadline {
                Some(at) => format!("The warranty{length} ended on {}.", date_with_year(at)),
                None => format!("The warranty{length} has ended."),
            }
        }
        RuleId::LogisticsClaim => {
            "Sorry about the delivery trouble! Delivery problems are for us and the carrier to fix, not you.".to_owned()
        }
        RuleId::PriceProtection => {
            let until = until.as_ref().map(|at| format!("; for your order that's until {at}")).unwrap_or_default();
            format!(
                "Price protection: if the price drops {} of purchase, we refund the difference{until}.",
                within(window)
            )
        }
        RuleId::PriceProtectionWindowPassed => match &until {
            Some(at) => format!(
                "Price protection covers price drops {} of purchase; for your order that ended at {at}.",
                within(window)
            ),
            None => {
                format!("Price protection covers price drops {} of purchase, and that time has passed.", within(window))
            }
        },
        RuleId::CashBack => "Money we owe you that the order itself can't refund, such as a shipping fee or a \
                             promised discount, is paid as a cash-back transfer."
            .to_owned(),
        RuleId::NothingLeftToRefund => {
            "This item has already been refunded in full, so there is no amount left to refund.".to_owned()
        }
        RuleId::EvidenceMissing => "We need photos to check this kind of problem.".to_owned(),
        RuleId::OutcomeNotOffered => {
            "That option isn't available automatically for this reason at this stage of your order.".to_owned()
        }
    }
}

fn shipping_text(payer: ShippingPayer, freight_insurance: bool, cash_back: bool) -> String {
    let repaid = "please advance it, and we repay it as a cash-back once you send us the return tracking number.";
    match payer {
        ShippingPayer::Customer if freight_insurance => {
            "Return shipping is on you, but your freight insurance refunds it.".to_owned()
        }
        ShippingPayer::Customer => "Return shipping is on you.".to_owned(),
        ShippingPayer::Shop if cash_back => format!("We pay the return shipping: {repaid}"),
        ShippingPayer::Shop if freight_insurance => {
            "We pay the return shipping: your freight insurance refunds what you pay the courier.".to_owned()
        }
        ShippingPayer::Shop => "We pay the return shipping.".to_owned(),
        ShippingPayer::Carrier if cash_back => format!("The carrier is responsible, not you: {repaid}"),
        ShippingPayer::Carrier => "The carrier is responsible, so you pay nothing for shipping.".to_owned(),
    }
}

/// The money line, for the rules whose request may end in money back; none
/// for an exchange, a reship or a repair.
fn refund_text(decision: &DecisionText) -> Option<String> {
    let cap = decision.refund_cap;
    let money = decision.outcome.refunds() && cap.minor > 0;
    let after_inspection =
        format!("within {} after the warehouse inspection passes", working_days(decision.refund_working_days));
    match decision.rule {
        RuleId::RefundBeforeShipping | RuleId::RefundInTransit => {
            money.then(|| format!("Refund of up to {cap}, back to your original payment method."))
        }
        RuleId::NoReasonReturn | RuleId::ReturnAfterExchange => {
            money.then(|| format!("Refund of up to {cap} to your original payment method, {after_inspection}."))
        }
        RuleId::CarrierCheck | RuleId::QualityClaim | RuleId::LogisticsClaim => money.then(|| match decision.outcome {
            Outcome::PartialRefund => format!(
                "You keep the item, and a colleague agrees the partial refund with you: up to {cap}, back to \
                     your original payment method."
            ),
            Outcome::ReturnRefund => format!("If it ends in a refund: up to {cap}, {after_inspection}."),
            _ => format!("If it ends in a refund: up to {cap}, back to your original payment method."),
        }),
        RuleId::PriceProtection => (decision.outcome == Outcome::PriceProtection).then(|| {
            "Once a colleague has compared the prices, the difference goes back to your original payment method."
                .to_owned()
        }),
        RuleId::CashBack => Some(
            "A colleague confirms the amount; it is paid by transfer, separate from any refund of the order."
                .to_owned(),
        ),
        RuleId::OrderUnpaid
        | RuleId::RefundOnlyAfterReceipt
        | RuleId::NoReasonWindowPassed
        | RuleId::ExcludedCategory
        | RuleId::ResaleImpaired
        | RuleId::ExchangeInWindow
        | RuleId::ExchangeWindowPassed
        | RuleId::ExchangeAlreadyUsed
        | RuleId::ReturnAfterExchangeWindowPassed
        | RuleId::QualityReportWindowPassed
        | RuleId::WarrantyPassed
        | RuleId::PriceProtectionWindowPassed
        | RuleId::NothingLeftToRefund
        | RuleId::EvidenceMissing
        | RuleId::OutcomeNotOffered => None,
    }
}

fn next_text(decision: &DecisionText) -> String {
    match decision.next {
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
        NextStep::Review => match &decision.review_by {
            Some(by) => format!("Next: a colleague will reply here by {}.", day_time(by)),
            None => "Next: a colleague will check your request and reply here.".to_owned(),
        },
        NextStep::CarrierVerifies => {
            "Next: the carrier checks within 1–2 working days, and we'll let you know here.".to_owned()
        }
        NextStep::ChooseReturnInstead => format!(
            "Next: if you'd like to send it back for a refund, tap “{}” to start a new request and choose “{}”.",
            text(&Msg::MenuNew),
            outcome_label(Outcome::ReturnRefund)
        ),
        NextStep::QualityClaimOrPerson => format!(
            "Next: if the item is faulty, a quality claim is still covered by the warranty: tap “{}” and choose \
             “{}”. Or tap “{}”.",
            text(&Msg::MenuNew),
            reason_label(Reason::QualityDefect),
            agent_button()
        ),
        NextStep::TalkToPerson => format!(
            "Next: tap “{}” (or send /agent) and a colleague will look at what's still possible, e.g. a repair.",
            agent_button()
        ),
        NextStep::AddPhotos => format!(
            "Next: please start again with the photos (tap “{}”), or tap “{}”.",
            text(&Msg::MenuNew),
            agent_button()
        ),
        NextStep::CashBackAfterReview => {
            let by = match &decision.review_by {
                Some(by) => format!("by {}", day_time(by)),
                None => "first".to_owned(),
            };
            format!(
                "Next: a colleague checks it {by}; once approved, the transfer is paid the same day before the end \
                 of business."
            )
        }
    }
}

/// The full explanation of a decision: verdict, rule, what the customer
/// reads, and every fact the rule used.
fn explanation(decision: &DecisionText, facts: &[Fact<NaiveDateTime>]) -> String {
    let verdict = match decision.verdict {
        Verdict::Approved => "approved",
        Verdict::NeedsReview => "a person reviews it",
        Verdict::NotEligible => "not approved automatically",
    };
    let mut lines = vec![
        format!("Decision: {verdict}"),
        format!("Request: {}", outcome_label(decision.outcome)),
        format!("Rule: {}", decision.rule.code()),
    ];
    lines.extend(decision_lines(decision));
    lines.push("Facts used:".to_owned());
    if facts.is_empty() {
        lines.push("• none recorded".to_owned());
    }
    lines.extend(facts.iter().map(|fact| format!("• {}", fact_text(fact))));
    lines.join("\n")
}

fn fact_text(fact: &Fact<NaiveDateTime>) -> String {
    let yes_no = |yes: bool| if yes { "yes" } else { "no" };
    match fact {
        Fact::RequestedAt(at) => format!("Requested at {}", full_time(at)),
        Fact::Stage(stage) => format!(
            "Order stage: {}",
            match stage {
                Stage::Unpaid => "not paid",
                Stage::PaidNotShipped => "paid, not shipped",
                Stage::InTransit => "in transit",
                Stage::Delivered => "delivered",
            }
        ),
        Fact::PaidAt(at) => format!("Paid at {}", full_time(at)),
        Fact::DeliveredAt(at) => format!("Delivered (signed for) at {}", full_time(at)),
        Fact::Window { from, length, ends } => format!(
            "Window: {} from {}, last minute that counts {}",
            span(*length),
            full_time(from),
            full_time(&(*ends - Duration::minutes(1)))
        ),
        Fact::Category { name, no_reason_return } => format!(
            "Category: {name} (no-reason return: {})",
            if *no_reason_return { "offered" } else { "not offered" }
        ),
        Fact::Photos { have, need } => format!("Photos: {have} sent, {need} needed"),
        Fact::ResaleIntact(true) => {
            "Condition, as the customer declared: unused, with tags and original packaging".to_owned()
        }
        Fact::ResaleIntact(false) => {
            "Condition, as the customer declared: used, or tags or packaging missing".to_owned()
        }
        Fact::ExchangesUsed { used, allowed } => format!("Exchanges used on this item: {used} of {allowed}"),
        Fact::ReplacementDeliveredAt(at) => format!("Replacement delivered at {}", full_time(at)),
        Fact::Paid(money) => format!("Paid for this quantity: {money}"),
        Fact::AlreadyRefunded(money) => format!("Already refunded on this item: {money}"),
        Fact::FreightInsurance(insured) => format!("Freight insurance: {}", yes_no(*insured)),
        Fact::ReviewBy { working_days: days, by } => {
            format!("Review within {}: by {}", working_days(*days), full_time(by))
        }
    }
}

/// "🎁 A ¥10 coupon (worth ¥10.00)": a retention offer in the shop's words.
fn offer_line(offer: &str, kind: OfferKind, value: Option<Money>) -> String {
    let offer = offer.trim();
    let icon = match kind {
        OfferKind::Coupon | OfferKind::Gift => "🎁",
        OfferKind::KeepDiscount => "💰",
        OfferKind::OtherStyle => "🔄",
    };
    match value {
        Some(value) if kind == OfferKind::KeepDiscount => format!("{icon} {offer} ({value} back to you)"),
        Some(value) => format!("{icon} {offer} (worth {value})"),
        None => format!("{icon} {offer}"),
    }
}

fn status_label(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Approved => "Approved",
        CaseStatus::NeedsReview => "Under review",
        CaseStatus::NotEligible => "Not approved (a person can help)",
        CaseStatus::Retained => "Closed – you kept it",
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
