//! The English catalogue: every customer-facing text, in a patient shop assistant's words.

mod agents;
mod cases;
mod decision;
mod intake;

use chrono::{Duration, NaiveDateTime};

use self::agents::*;
use self::cases::*;
use self::decision::*;
use self::intake::*;
// The report table names reasons, outcomes and statuses as customers read them,
// responsibility codes as agents do.
pub(super) use self::agents::responsibility;
pub(super) use self::cases::status_label;
pub(super) use self::intake::{outcome_label, reason_label};
use super::format::{
    CARD_DETAIL_CHARS, COMMENT_CHARS, DETAIL_CHARS, NAME_CHARS, QUEUE_SHOWN, Wait, Words, agent_command_syntax,
    card_commands, case_and_item, clip, one_line, order_label, parcel, short_time, timeline,
};
use super::{CaseLine, CaseView, DecisionText, Described, Lang, Msg, QueueLine};
use crate::agent_command::AgentCommand;
use crate::case::{AgentDecision, CaseId, CaseNext, CaseStatus, Milestone, Waiting};
use crate::catalogue::card::CardView;
use crate::escalation::{Status, Why};
use crate::money::Money;
use crate::order::OrderNo;
use crate::parcel::ParcelStatus;
use crate::policy::{Fact, Length, NextStep, Outcome, Possible, RuleId, ShippingPayer, Stage, Verdict};
use crate::reason::{EvidenceKind, Reason};
use crate::retention::OfferKind;

/// English dates and the return address's words.
const WORDS: Words = Words {
    date: "%-d %B",
    time: "%H:%M on %-d %B",
    date_with_year: "%-d %B %Y",
    full_time: "%H:%M on %-d %B %Y",
    address_promised: "📮 A colleague will send you the return address here shortly.",
    address_heading: "📮 Please send it to:",
    address_labels: ["Recipient", "Phone", "Address"],
    colon: ": ",
};

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
        Msg::MenuPrompt => "What can I do for you? Tap a button below, or just send your order number.".to_owned(),
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
        Msg::TerminalCommands => {
            "In this terminal also: /photo PATH – send a photo (several paths make one album; words after \
             \" -- \" are its caption); /contact PHONE – share your phone number"
                .to_owned()
        }
        Msg::PhotoUnreadable { path } => {
            format!("I can't find or open the file {path}. Please check the path and send it again with /photo.")
        }
        Msg::PhotoTooLarge { path, max_mb } => {
            format!("The file {path} is larger than {max_mb} MB, so it can't be used. Please send a smaller one.")
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
            WORDS.time(until),
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
            WORDS.time(until),
            agent_button()
        ),
        Msg::ProofByContactOnly => "For your security, this order can now only be confirmed by sharing your phone \
                                    number with the button below; typed digits are no longer accepted. Or send \
                                    /agent and a person will help."
            .to_owned(),
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
        Msg::AskReason { item, shipped: true } => {
            format!("What's the matter with “{item}”? Please pick a reason below.")
        }
        Msg::AskReason { item, shipped: false } => {
            format!("Why would you like to cancel “{item}”? Please pick a reason below.")
        }
        Msg::ReasonLabel(reason) => reason_label(*reason).to_owned(),
        Msg::AskDetail => format!(
            "Would you like to tell us more in your own words? Just type it, or tap “{}”.",
            text(&Msg::SkipButton)
        ),
        Msg::SkipButton => "Skip".to_owned(),
        Msg::AskEvidence { kind, min, max } => ask_evidence(*kind, *min, *max),
        Msg::EvidenceReceived { have, min, max } => {
            let received = format!("Received {}.", photos(*have));
            let more = usize::from(*min).saturating_sub(*have);
            if more > 0 {
                format!("{received} Please send at least {more} more.")
            } else if *have < usize::from(*max) {
                format!("{received} Thank you! You can still add more later (up to {max} in all).")
            } else {
                format!("{received} Thank you!")
            }
        }
        Msg::EvidenceFull { max } => format!("That's the maximum of {max} photos, so this one wasn't added."),
        Msg::DetailNoted => "Thanks, I've noted that.".to_owned(),
        Msg::NotAPhoto => "Sorry, only photos or videos can be used as evidence here, not stickers, voice \
                           messages or other files. Please send a photo 📷"
            .to_owned(),
        Msg::NotEvidence => "That file is not a photo or a video, so it was not counted as evidence.".to_owned(),
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
        Msg::CaseButton { id, item } => format!("{id} · {}", clip(item, 24)),
        Msg::CaseDetail(view) => case_detail(view),
        Msg::NoSuchCase { id } => format!(
            "I can't find a case {id} among your requests. Please check the number, or tap “{}” to see yours.",
            text(&Msg::MenuCases)
        ),
        Msg::CaseNoLongerOpen { id } => format!(
            "{id} is settled now, so nothing more can be added to it. Here is where it stands; if something is still \
             wrong, tap “{}”.",
            agent_button()
        ),
        Msg::UnitsClaimed { item, of, cases } => {
            let all = if *of == 1 { format!("“{item}” is") } else { format!("All {of} of “{item}” are") };
            let mut reply = format!("{all} already in a request, and each unit can be claimed once:");
            for case in cases {
                reply.push_str(&format!(
                    "\n• {} · {} × {} · {}. Next: {}",
                    case.id,
                    case.quantity,
                    outcome_label(case.outcome),
                    status_label(case.status),
                    claim_next(case.status, case.outcome)
                ));
            }
            reply.push_str(match cases.iter().any(|case| case.own) {
                true => "\nYou can add a message or photos to your request, or talk to a person.",
                false => "\nThe request was made from another chat; a person can help you with it.",
            });
            reply
        }
        Msg::UnitsPartlyClaimed { item, left, of, cases } => {
            let cases = cases.iter().map(CaseId::as_str).collect::<Vec<_>>().join(", ");
            let claimed = of.saturating_sub(*left);
            format!("{claimed} of the {of} “{item}” are already in {cases}; {left} can still be claimed.")
        }
        Msg::AddToCaseButton { id } => format!("➕ Add to {id}"),
        Msg::FinishedAddingButton => "Done ✓".to_owned(),
        Msg::ExchangeInsteadButton => "🔄 Exchange instead".to_owned(),
        Msg::QualityClaimButton => "🛠 Report a quality problem".to_owned(),
        Msg::WhatNow => "What would you like to do?".to_owned(),
        Msg::OtherItemButton => "Another item".to_owned(),
        Msg::AskAddition { id } => format!(
            "Send what you'd like to add to {id}: a message, photos or a video. It goes onto the case for the \
             colleague handling it. Tap “{}” when you're finished.",
            text(&Msg::FinishedAddingButton)
        ),
        Msg::AddedToCase { id } => format!("Added to {id} ✓"),
        Msg::AdditionsDone { id } => format!("Thank you! Everything you sent is on {id}; we'll keep you posted here."),
        Msg::AgentQueued { case, wait_minutes } => {
            let what = match case {
                Some(case) => format!("your case {case}"),
                None => "this chat".to_owned(),
            };
            format!(
                "Got it: a colleague will take over {what}. The expected wait is about {}. Meanwhile, write here \
                 anything you want us to know; it all reaches us.",
                wait(*wait_minutes)
            )
        }
        Msg::ShopWillReply { case, contact } => {
            let noted = match case {
                Some(case) => format!("Noted on your case {case}: you'd like to talk to a person."),
                None => "Noted: you'd like to talk to a person.".to_owned(),
            };
            match contact.trim() {
                "" => format!(
                    "{noted} Someone from the shop will reply to you here in this chat. Meanwhile I'm still here \
                     to help with anything below."
                ),
                contact => format!(
                    "{noted} The shop's team will get back to you; you can also reach them directly:\n{contact}"
                ),
            }
        }
        Msg::LanguagePrompt => "请选择语言 / Choose your language".to_owned(),
        Msg::LanguageName(lang) => language_name(*lang).to_owned(),
        Msg::LanguageSet => "OK, I'll speak English from now on.".to_owned(),
        Msg::StaleButton => "Sorry, that button is out of date.".to_owned(),
        Msg::TextTooLong { max } => {
            format!("Sorry, that message is too long. Please keep it under {max} characters.")
        }
        Msg::UseButtons => "Please choose one of the buttons below (or send /cancel to stop).".to_owned(),
        Msg::NumberOutOfRange { max } => {
            format!("There is no choice with that number: type a number from 1 to {max}, or tap a button.")
        }
        Msg::UnexpectedMedia => {
            "Thanks, but I wasn't expecting a photo or file just now. Please answer the question above.".to_owned()
        }
        Msg::Unsupported => "Sorry, I can't read stickers, voice messages or that kind of message here. \
                             Please type or use the buttons."
            .to_owned(),
        Msg::EditNotRead => {
            "I only read new messages, so I did not see that edit. If something changed, please send it again."
                .to_owned()
        }
        Msg::Chosen(inner) => {
            let label = text(inner);
            format!("✓ {}", label.strip_prefix("✓ ").unwrap_or(&label))
        }
        Msg::WaitLonger => "We're sorry: this is taking longer than we promised. You're still in the queue and a \
                            colleague will reply here as soon as they can; nothing you wrote is lost."
            .to_owned(),
        Msg::AgentJoined { agent } => match agent.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => format!("{name} from our team is now looking after your case."),
            _ => "A colleague from our team is now looking after your case.".to_owned(),
        },
        Msg::AgentSays { agent, text } => format!("{agent}: {text}"),
        Msg::AgentDecided { case, outcome, amount, reason } => {
            let mut lines = vec![format!("Good news about case {case}: we've approved “{}”.", outcome_label(*outcome))];
            lines.extend(amount.map(|amount| format!("Amount: {amount}")));
            lines.extend(
                reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|reason| !reason.is_empty())
                    .map(|reason| format!("Reason: {reason}")),
            );
            lines.push(after_decision(*outcome).to_owned());
            lines.join("\n")
        }
        Msg::AgentRejected { case, reason } => {
            let reason = match reason.trim() {
                "" => String::new(),
                reason => format!("\nReason: {reason}"),
            };
            format!(
                "We're sorry, but we can't approve case {case}.{reason}\nIf you'd like to talk it over, just reply \
                 here, or send /new for another request."
            )
        }
        Msg::BackWithBot => {
            "Thank you for your patience! You're back with the assistant now; here's the menu.".to_owned()
        }
        Msg::CaseClosedByAgent { case } => {
            let what = case.as_ref().map_or_else(|| "This request".to_owned(), |case| format!("Case {case}"));
            format!("{what} is closed. Thank you! If anything else comes up, write here any time.")
        }
        Msg::WithAPerson => "A colleague is handling this chat now, so those buttons are paused. Just write your \
                             message here."
            .to_owned(),
        Msg::Card(view) => card(view),
        Msg::TopicName { case, reason, customer } => {
            let customer = one_line(customer, NAME_CHARS);
            let mut parts: Vec<String> = case.iter().map(CaseId::to_string).collect();
            parts.extend(reason.map(|reason| reason_label(reason).to_owned()));
            parts.push(customer);
            if case.is_none() {
                parts.push("request".to_owned());
            }
            parts.retain(|part| !part.is_empty());
            clip(&parts.join(" · "), 128)
        }
        Msg::TakeButton => "🙋 Take".to_owned(),
        Msg::ReleaseButton => "Release".to_owned(),
        Msg::ApproveButton => "✅ Approve".to_owned(),
        Msg::HandBackButton => "🤖 Hand back".to_owned(),
        Msg::CloseButton => "Close case".to_owned(),
        Msg::NotAnAgent => "Only the shop's agents can act on cases. This attempt was logged.".to_owned(),
        Msg::NoteSaved => "📝 Note saved (not sent to the customer).".to_owned(),
        Msg::TakenBy { agent } => format!("{agent} has this case."),
        Msg::AlreadyYours => "This case is already yours.".to_owned(),
        Msg::TookCase { agent } => format!("{agent} took the case."),
        Msg::Released { agent } => format!("{agent} released the case; it's back in the queue."),
        Msg::NotAssigned => "Nobody has taken this case yet.".to_owned(),
        Msg::HandedBack { agent } => format!("{agent} handed the chat back to the bot."),
        Msg::ClosedByAgent { agent } => format!("{agent} closed the case."),
        Msg::NoCaseToDecide => "There's no case to decide on here: this customer hasn't opened a request.".to_owned(),
        Msg::CaseAlreadyClosed { case } => format!("Case {case} is already closed."),
        Msg::ResponsibilitySet { code } => format!("Responsibility set: {}.", responsibility(*code)),
        Msg::AmountAboveCap { asked, cap } => {
            format!("{asked} is more than can be refunded on this case (at most {cap}).")
        }
        Msg::DecisionRecorded { agent, outcome, status, amount } => {
            let decided = match (status, amount) {
                (CaseStatus::NotEligible, _) => "rejected".to_owned(),
                (_, Some(amount)) => format!("{} {amount}", outcome_label(*outcome)),
                (_, None) => outcome_label(*outcome).to_owned(),
            };
            format!("{agent} decided: {decided} — the customer has been told.")
        }
        Msg::EscalationClosed => "This hand-over has ended, so nothing was changed.".to_owned(),
        Msg::CaseReopened => "The customer wrote again: case reopened.".to_owned(),
        Msg::SlaPing { case, why, waited_minutes, pings } => {
            let what = case.as_ref().map_or_else(|| "A request without a case".to_owned(), CaseId::to_string);
            format!(
                "⏰ {what} has waited {} for an agent (reminder {pings}). Why a person: {}. /take it?",
                wait(*waited_minutes),
                why_label(*why)
            )
        }
        Msg::Queue(lines) if lines.is_empty() => "No open cases. 🎉".to_owned(),
        Msg::Queue(lines) => {
            let mut reply = vec!["Open cases, oldest first:".to_owned()];
            reply.extend(lines.iter().take(QUEUE_SHOWN).map(queue_line));
            if lines.len() > QUEUE_SHOWN {
                reply.push(format!("… and {} more", lines.len() - QUEUE_SHOWN));
            }
            reply.join("\n")
        }
        Msg::ReportHeadline(top) => report_headline(top),
        Msg::CommandUsage(syntax) => format!("Usage: {syntax}"),
        Msg::CustomerSent(described) => match described {
            Described::Sticker { emoji: Some(emoji) } => format!("[The customer sent a sticker {emoji}]"),
            Described::Sticker { emoji: None } => "[The customer sent a sticker]".to_owned(),
            Described::Location => "[The customer sent a location]".to_owned(),
            Described::Poll => "[The customer sent a poll]".to_owned(),
            Described::Other => "[The customer sent a message the bot cannot show]".to_owned(),
        },
        Msg::CannotRelay => "Stickers and that kind of message can't be sent to the customer. Please write text \
                             or send a photo or file."
            .to_owned(),
        Msg::NotRelayed { status } => match status {
            Status::HandedBack | Status::Closed => {
                format!("Not sent: this case is {}; the customer is talking to the bot.", escalation_status(*status))
            }
            Status::Queued | Status::Taken => format!("Not sent: this case is {}.", escalation_status(*status)),
        },
        Msg::AgentsHelp => {
            let mut reply = "Commands in a case's topic:".to_owned();
            for name in AgentCommand::NAMES {
                reply.push_str(&format!("\n{} – {}", agent_command_syntax(name), agent_command_description(name)));
            }
            reply.push_str("\nAnything else you write in a case's topic goes to the customer.");
            reply
        }
        Msg::ReturnInstructions { case, outcome, address } => format!(
            "Here's how to send back the item for case {case} ({}).\n\n{}\n\n📦 Packing:\n\
             • The item unused, with its tags, accessories and original packaging.\n\
             • A note with your case number, {case}.\n\
             • Please prepay the postage rather than sending it cash on delivery; if we pay the shipping for your \
             case, we refund it to you.\n\
             • Keep the courier's receipt.\n\n\
             {}\nOnce it's on its way, please reply here with the return tracking number.",
            outcome_label(*outcome),
            WORDS.return_address(address),
            after_arrival(*outcome)
        ),
        Msg::ConfirmTracking { case, carrier_en, number, .. } => {
            format!("Is this your return tracking number?\n{} (case {case})", parcel(carrier_en, number))
        }
        Msg::TrackingRight => "✅ Yes, that's it".to_owned(),
        Msg::TrackingWrong => "✏️ No, retype".to_owned(),
        Msg::TrackingSaved { case, carrier_en, number, .. } => format!(
            "Thank you! We've saved {} for case {case}. We'll follow the parcel and tell you here when it moves.",
            parcel(carrier_en, number)
        ),
        Msg::AskTrackingAgain { case } => format!(
            "No problem. Please type the return tracking number for case {case} again; you'll find it on the \
             courier's receipt."
        ),
        Msg::WhichCaseForParcel { carrier_en, number, .. } => {
            format!("Which request is this parcel for?\n{}\nPlease pick the case below.", parcel(carrier_en, number))
        }
        Msg::ParcelCaseButton { case, item } => case_and_item(case, item, "Case"),
        Msg::ConfirmReplaceTracking { case, old, number } => format!(
            "Case {case} already has the return tracking number {}. Replace it with {}?",
            old.trim(),
            number.trim()
        ),
        Msg::ReplaceTrackingButton => "✅ Yes, replace it".to_owned(),
        Msg::KeepTrackingButton => "↩️ No, keep the saved one".to_owned(),
        Msg::TrackingReplaced { case, old, number } => format!(
            "Done! Case {case} now follows {} instead of {}. We'll tell you here when the parcel moves.",
            number.trim(),
            old.trim()
        ),
        Msg::TrackingKept { case, number } => {
            format!("OK, case {case} keeps the return tracking number {}.", number.trim())
        }
        Msg::TrackingAlreadySaved { case, number } => format!(
            "We already have {} as the return tracking number for case {case}, so there's nothing more to do. \
             We'll tell you here when the parcel moves.",
            number.trim()
        ),
        Msg::ParcelAlreadyArrived { case } => format!(
            "Your return parcel for case {case} has already arrived at our warehouse, so its tracking number can't \
             be changed any more. If something isn't right, a person can help: tap below."
        ),
        Msg::TrackingNudge { case } => format!(
            "A friendly reminder about case {case}: once you've sent the item back, please reply here with the \
             return tracking number so we can follow the parcel. Not sent yet? No rush, just reply when you have."
        ),
        Msg::ParcelUpdate { case, status, detail } => {
            let update = match status {
                ParcelStatus::PickedUp => format!("📦 Case {case}: the courier has picked up your return parcel."),
                ParcelStatus::InTransit => format!("🚚 Case {case}: your return parcel is on its way to us."),
                ParcelStatus::Delivered => format!(
                    "🏠 Case {case}: your return parcel has arrived at our warehouse. We'll inspect it and then go \
                     ahead with your refund or exchange, and tell you here."
                ),
                ParcelStatus::Exception => format!(
                    "⚠️ Case {case}: there's a problem with your return parcel. We're checking with the carrier; \
                     there's nothing you need to do, and we'll keep you posted here."
                ),
            };
            match detail.trim() {
                "" => update,
                detail => format!("{update}\nThe carrier says: “{}”", clip(detail, DETAIL_CHARS)),
            }
        }
        Msg::NoScanUpdate { case } => format!(
            "Case {case}: your return parcel hasn't had a tracking update for a while. We're checking with the \
             carrier; there's nothing you need to do, and we'll keep you posted here."
        ),
        Msg::InspectionFailed { case, reason } => {
            let reason = match reason.trim() {
                "" => String::new(),
                reason => format!("\nWhy: {}", clip(reason, DETAIL_CHARS)),
            };
            format!(
                "We've checked the item you sent back for case {case}, and we're sorry: it didn't pass our \
                 inspection.{reason}\nA colleague will contact you here to agree on the next step. If you have \
                 photos or questions, just reply here."
            )
        }
        Msg::ExchangeInspected { case } => format!(
            "Good news: the item you sent back for case {case} passed our inspection. We'll ship your replacement \
             soon and send you its tracking number here."
        ),
        Msg::RefundIssued { case, amount, arrive_by } => format!(
            "💰 Your refund of {amount} for case {case} is on its way back to your original payment method. It \
             should arrive by {}.",
            WORDS.date(arrive_by)
        ),
        Msg::Progress { case, waiting } => {
            let now = match waiting {
                Waiting::Review => "a colleague is still reviewing your request",
                Waiting::Inspection => "your return parcel is at our warehouse, waiting for inspection",
                Waiting::Refund => "your refund is being processed",
            };
            format!("Update on case {case}: {now}. We'll update you here every day until it's solved.")
        }
        Msg::SurveyAsk { case } => format!(
            "How satisfied are you with how we handled case {case}? Please tap a rating: 1 = very unhappy, \
             5 = very happy."
        ),
        Msg::SurveyReminder { case } => format!(
            "A gentle reminder, just this once: how satisfied are you with how we handled case {case}? \
             1 = very unhappy, 5 = very happy."
        ),
        Msg::RatingButton { score } => format!("⭐ {score}"),
        Msg::SurveyAskComment { score } => format!(
            "Thank you for the {score}! Is there anything you'd like to tell us? Just type it here, or tap “{}”.",
            text(&Msg::NoCommentButton)
        ),
        Msg::SurveySorry { score } => format!(
            "We're sorry we let you down (you gave us {score} out of 5). Please tell us what went wrong by typing it \
             here, or tap “{}” and someone from the shop will follow up with you.",
            text(&Msg::MenuAgent)
        ),
        Msg::NoCommentButton => "No comment".to_owned(),
        Msg::SurveyThanks => "Thank you for your feedback! It helps us do better. 😊".to_owned(),
        Msg::SurveyAlreadyAnswered => "Thank you, we already have your answer to this survey.".to_owned(),
        Msg::AlertNoScan { case, number, since } => {
            let since = since.as_ref().map_or_else(
                || "since the customer gave the number".to_owned(),
                |at| format!("since {}", WORDS.time(at)),
            );
            format!(
                "🚚 {case} · no tracking update{} {since}. Please check with the carrier; the customer knows \
                 we're on it.",
                parcel_of(number)
            )
        }
        Msg::AlertParcelException { case, number, detail } => {
            let detail = match detail.trim() {
                "" => String::new(),
                detail => format!(": “{}”", clip(detail, DETAIL_CHARS)),
            };
            format!(
                "⚠️ {case} · the carrier reports a problem{}{detail}. Please check with the carrier; the customer \
                 has been told we're on it.",
                parcel_of(number)
            )
        }
        Msg::AlertRefundOverdue { case, days } => format!(
            "⏰ {case} · the return is at the warehouse and not refunded within {}. Please record the inspection \
             (/inspect) or check the refund (/refunded once paid).",
            working_days(*days)
        ),
        Msg::AlertRefundRefused { case, why } => {
            let why = match why.trim() {
                "" => "no reason given".to_owned(),
                why => format!("“{}”", clip(why, DETAIL_CHARS)),
            };
            format!(
                "❌ {case} · the refund system refused the refund: {why}. Please handle it, then /refunded once paid."
            )
        }
        Msg::AlertManualRefund { case, amount } => {
            format!(
                "💰 {case} · inspection passed: please pay {amount} back to the customer, then confirm with /refunded."
            )
        }
        Msg::AlertShipReplacement { case } => {
            format!("📦 {case} · the exchange passed inspection: please ship the replacement, then /close.")
        }
        Msg::AlertLowScore { case, score } => {
            format!("⚠️ {case} · survey score {score}/5. Please follow up with the customer.")
        }
        Msg::AlertSurveyComment { case, comment } => {
            format!("💬 {case} · the customer's survey comment: “{}”", clip(comment.trim(), COMMENT_CHARS))
        }
        Msg::AlertProofContactOnly { order, wrong, chats, hours } => format!(
            "🔒 Order {order} · {wrong} wrong phone-digit answers from {chats} chats within {hours} h. \
             It now takes only a shared phone number; anyone else asking for it needs a person's check."
        ),
        Msg::AlertReplyUndelivered { customer, chat_id, hours, error } => format!(
            "📭 A reply to {} (chat {chat_id}) could not be delivered for {hours} h and was given up: {}. \
             Please reach the customer another way.",
            clip(customer, NAME_CHARS),
            clip(error, DETAIL_CHARS)
        ),
        Msg::AlertFollowupStopped { case } => {
            format!("🚫 {case} · the customer blocked the bot; follow-ups on this case stopped.")
        }
        Msg::InspectionRecorded { case, passed: true } => format!("✅ {case} · inspection recorded: passed."),
        Msg::InspectionRecorded { case, passed: false } => {
            format!("❌ {case} · inspection recorded: failed. The customer has been told why.")
        }
        Msg::RefundRecorded { case, amount } => {
            format!("💰 {case} · refund of {amount} recorded; the customer has been told.")
        }
        Msg::NoReturnAtStage { case } => {
            let what = case.as_ref().map_or_else(|| "This chat".to_owned(), CaseId::to_string);
            format!(
                "ℹ️ {what} has no return parcel waiting for that. /inspect works once the customer has sent the \
                 parcel, /refunded once the inspection passed."
            )
        }
    }
}

/// "about 30 minutes" without the "about": a wait, rounded up.
pub(super) fn wait(minutes: i64) -> String {
    match Wait::of(minutes) {
        Wait::Minutes(1) => "1 minute".to_owned(),
        Wait::Minutes(minutes) => format!("{minutes} minutes"),
        Wait::HalfHours(2) => "1 hour".to_owned(),
        Wait::HalfHours(halves) if halves.is_multiple_of(2) => format!("{} hours", halves / 2),
        Wait::HalfHours(halves) => format!("{}.5 hours", halves / 2),
        Wait::Days(days) => format!("{days} days"),
    }
}
