//! The English catalogue: every customer-facing text, in a patient shop assistant's words.

use chrono::{Duration, NaiveDateTime};

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

/// " on return parcel SF1234567890123", or nothing without a number.
fn parcel_of(number: &str) -> String {
    match number.trim() {
        "" => String::new(),
        number => format!(" on return parcel {number}"),
    }
}

/// What happens once a returned parcel arrives, by what was agreed.
fn after_arrival(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Exchange => "Once it arrives and passes our inspection, we ship your replacement.",
        Outcome::Repair => "Once it arrives, we repair it and send it back to you.",
        _ => "Once it arrives and passes our inspection, we refund you to your original payment method.",
    }
}

/// "18:00 on Tuesday 24 November": when a person answers.
fn day_time(at: &NaiveDateTime) -> String {
    at.format("%H:%M on %A %-d %B").to_string()
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

fn ask_evidence(kind: EvidenceKind, min: u8, max: u8) -> String {
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

fn case_opened(id: &CaseId, decision: &DecisionText) -> String {
    let verdict = verdict_said(decision.verdict);
    let mut lines = vec![format!("Your case {id} ({}) is open. {verdict}", outcome_label(decision.outcome))];
    lines.extend(decision_lines(decision, true));
    lines.join("\n")
}

/// The rules' verdict on a request, as the customer is told it.
fn verdict_said(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approved => "Approved ✓",
        Verdict::NeedsReview => "A colleague reviews it and decides; this is not a refusal.",
        Verdict::NotEligible => "Under our rules we can't accept this request.",
    }
}

/// One case in full: the request, the decision and its reason, a person's
/// later decision, the next step and the latest of what happened.
fn case_detail(view: &CaseView) -> String {
    let mut lines = vec![
        format!("Case {} · {} × {}", view.id, view.item, view.quantity),
        format!("Order {} · opened at {}", view.order, WORDS.time(&view.opened)),
        format!("Request: {} · {}", outcome_label(view.outcome), reason_label(view.reason)),
        format!("Status: {}", status_label(view.status)),
        format!("Decision: {}", verdict_said(view.decision.verdict)),
        format!("Why: {}", rule_text(&view.decision)),
    ];
    if let Some(AgentDecision { approved, outcome, reason }) = &view.agent_decision {
        let decided = match approved {
            true => format!("A colleague approved “{}”.", outcome_label(*outcome)),
            false => "A colleague could not approve it.".to_owned(),
        };
        lines.push(match reason {
            Some(reason) => format!("{decided} Reason: {}", one_line(reason, 200)),
            None => decided,
        });
    }
    lines.push(format!("Next: {}", case_next(view.next, &view.decision)));
    if !view.latest.is_empty() {
        lines.push(match view.earlier {
            0 => "What happened:".to_owned(),
            earlier => format!("Latest ({earlier} earlier not shown):"),
        });
        lines.extend(
            view.latest.iter().map(|(at, milestone)| format!("• {}: {}", WORDS.time(at), milestone_text(milestone))),
        );
    }
    lines.join("\n")
}

/// What comes next on a case, after "Next: ".
fn case_next(next: CaseNext, decision: &DecisionText) -> String {
    match next {
        CaseNext::Review => match &decision.review_by {
            Some(by) => format!("a colleague is reviewing it and replies here by {}.", day_time(by)),
            None => "a colleague is reviewing it and replies here.".to_owned(),
        },
        CaseNext::SendBack => {
            "send the item to the return address we sent you, then send us the return tracking number here.".to_owned()
        }
        CaseNext::ParcelOnItsWay => {
            "your return parcel is on its way; we'll tell you here when it arrives and what happens then.".to_owned()
        }
        CaseNext::CarryingOut => "we're carrying it out and will tell you here when it's done.".to_owned(),
        CaseNext::PersonCanHelp => format!("if you'd like to talk it over, tap “{}”.", agent_button()),
        CaseNext::Settled => "nothing to do, it's settled.".to_owned(),
    }
}

fn milestone_text(milestone: &Milestone) -> String {
    match milestone {
        Milestone::Opened => "you opened the case".to_owned(),
        Milestone::Added => "you added to the case".to_owned(),
        Milestone::WithAPerson => "passed to a colleague".to_owned(),
        Milestone::Decided(AgentDecision { approved: true, outcome, .. }) => {
            format!("a colleague approved “{}”", outcome_label(*outcome))
        }
        Milestone::Decided(AgentDecision { approved: false, .. }) => "a colleague could not approve it".to_owned(),
        Milestone::ReturnInstructions => "we sent you the return address".to_owned(),
        Milestone::TrackingNumber { number } => format!("you sent the return tracking number {number}"),
        Milestone::Parcel(ParcelStatus::PickedUp) => "the carrier picked up your return parcel".to_owned(),
        Milestone::Parcel(ParcelStatus::InTransit) => "your return parcel is on its way to us".to_owned(),
        Milestone::Parcel(ParcelStatus::Delivered) => "your return parcel reached our warehouse".to_owned(),
        Milestone::Parcel(ParcelStatus::Exception) => {
            "the carrier reported a problem with your parcel; we're checking".to_owned()
        }
        Milestone::InspectionPassed => "the returned item passed our check".to_owned(),
        Milestone::InspectionFailed => "the warehouse found a problem with the returned item".to_owned(),
        Milestone::Refunded { amount } => format!("{amount} refunded"),
        Milestone::Kept => "closed: you kept the item".to_owned(),
        Milestone::Closed => "closed".to_owned(),
    }
}

/// The rule, the shipping, the money, what is still possible and the next
/// step of a decision; `buttons` when the alternatives come with buttons.
fn decision_lines(decision: &DecisionText, buttons: bool) -> Vec<String> {
    let mut lines = vec![rule_text(decision)];
    if let Some(payer) = decision.return_shipping {
        lines.push(shipping_text(payer, decision.freight_insurance, decision.shipping_cash_back));
    }
    if decision.verdict != Verdict::NotEligible
        && let Some(refund) = refund_text(decision)
    {
        lines.push(refund);
    }
    lines.extend(decision.still_possible.iter().map(possible_text));
    // Under the alternatives' buttons, the next step is to choose one.
    match decision.still_possible.is_empty() || !buttons {
        true => lines.push(next_text(decision)),
        false => lines.push(format!("Next: choose below, or tap “{}”.", agent_button())),
    }
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
    let until = decision.deadline.as_ref().map(|at| WORDS.time(at));
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
                WORDS.time(at)
            ),
            (_, Some(at)) => {
                format!("Sorry about the problem! Quality problems are covered until {}.", WORDS.date_with_year(at))
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
                Some(at) => format!("The warranty{length} ended on {}.", WORDS.date_with_year(at)),
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
        RuleId::UnitsAlreadyClaimed => "Every unit of this item is already in another request (open, approved, \
                                        refunded or exchanged), and each unit can be claimed once."
            .to_owned(),
        RuleId::EvidenceMissing => "We need photos to check this kind of problem.".to_owned(),
        RuleId::OutcomeNotOffered => {
            "That option isn't available automatically for this reason at this stage of your order.".to_owned()
        }
    }
}

/// What a refused customer can still ask for, each with its date and button.
fn possible_text(possible: &Possible<NaiveDateTime>) -> String {
    match possible {
        Possible::Exchange { until } => format!(
            "You can still exchange it for another size or colour until {}: tap “{}”.",
            WORDS.time(until),
            text(&Msg::ExchangeInsteadButton)
        ),
        Possible::QualityClaim { until } => format!(
            "If something is wrong with it, quality problems are covered until {}: tap “{}”.",
            WORDS.date_with_year(until),
            text(&Msg::QualityClaimButton)
        ),
    }
}

fn shipping_text(payer: ShippingPayer, freight_insurance: bool, cash_back: bool) -> String {
    let repaid = "please advance it to the courier, and we repay you as a cash-back once you send us the return tracking number.";
    match payer {
        ShippingPayer::Customer if freight_insurance => {
            "Please pay the courier for the return; your order has freight insurance, which refunds it to you."
                .to_owned()
        }
        ShippingPayer::Customer => {
            "As this is a return for a personal reason, the return shipping is yours to pay, we're afraid.".to_owned()
        }
        ShippingPayer::Shop if cash_back => format!("We pay the return shipping: {repaid}"),
        ShippingPayer::Shop if freight_insurance => {
            "We pay the return shipping: your order's freight insurance refunds what you pay the courier.".to_owned()
        }
        ShippingPayer::Shop => "We pay the return shipping.".to_owned(),
        // The rule's own line already says whose fault it is.
        ShippingPayer::Carrier if cash_back => format!("You pay nothing for shipping: {repaid}"),
        ShippingPayer::Carrier => "You pay nothing for shipping.".to_owned(),
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
            money.then(|| format!("Refund of {cap}, back to your original payment method."))
        }
        RuleId::NoReasonReturn | RuleId::ReturnAfterExchange => {
            money.then(|| format!("Refund of {cap} to your original payment method, {after_inspection}."))
        }
        RuleId::CarrierCheck | RuleId::QualityClaim | RuleId::LogisticsClaim => money.then(|| match decision.outcome {
            Outcome::PartialRefund => format!(
                "You keep the item, and a colleague agrees the partial refund with you: up to {cap}, back to \
                     your original payment method."
            ),
            Outcome::ReturnRefund => format!("If it ends in a refund: {cap}, {after_inspection}."),
            _ => format!("If it ends in a refund: {cap}, back to your original payment method."),
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
        | RuleId::UnitsAlreadyClaimed
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
        NextStep::SeeExistingCase => format!(
            "Next: the earlier request goes on. Pick this item again under “{}” to add a message or photos to it, \
             or tap “{}”.",
            text(&Msg::MenuNew),
            agent_button()
        ),
    }
}

/// The full explanation of a decision: verdict, rule, what the customer
/// reads, and every fact the rule used.
fn explanation(decision: &DecisionText, facts: &[Fact<NaiveDateTime>]) -> String {
    let mut lines = vec![
        format!("Decision: {}", verdict_label(decision.verdict)),
        format!("Request: {}", outcome_label(decision.outcome)),
        format!("Rule: {}", decision.rule.code()),
    ];
    lines.extend(decision_lines(decision, false));
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
        Fact::RequestedAt(at) => format!("Requested at {}", WORDS.full_time(at)),
        Fact::Stage(stage) => format!(
            "Order stage: {}",
            match stage {
                Stage::Unpaid => "not paid",
                Stage::PaidNotShipped => "paid, not shipped",
                Stage::InTransit => "in transit",
                Stage::Delivered => "delivered",
            }
        ),
        Fact::PaidAt(at) => format!("Paid at {}", WORDS.full_time(at)),
        Fact::DeliveredAt(at) => format!("Delivered (signed for) at {}", WORDS.full_time(at)),
        Fact::Window { from, length, ends } => format!(
            "Window: {} from {}, last minute that counts {}",
            span(*length),
            WORDS.full_time(from),
            WORDS.full_time(&(*ends - Duration::minutes(1)))
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
        Fact::Units { asked, claimed, of } => {
            format!("Units: {asked} asked for, {claimed} of {of} already in other requests")
        }
        Fact::ReplacementDeliveredAt(at) => format!("Replacement delivered at {}", WORDS.full_time(at)),
        Fact::Paid(money) => format!("Paid for this quantity: {money}"),
        Fact::AlreadyRefunded(money) => format!("Already refunded on this item: {money}"),
        Fact::FreightInsurance(insured) => format!("Freight insurance: {}", yes_no(*insured)),
        Fact::ReviewBy { working_days: days, by } => {
            format!("Review within {}: by {}", working_days(*days), WORDS.full_time(by))
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

/// Where a request holding the customer's units goes next.
fn claim_next(status: CaseStatus, outcome: Outcome) -> &'static str {
    match status {
        CaseStatus::NeedsReview => "a colleague is reviewing it and replies here.",
        CaseStatus::Approved if outcome.sends_item_back() => {
            "send the item to the return address we sent you, then send us the return tracking number."
        }
        CaseStatus::Approved => "we're carrying it out and will tell you here when it's done.",
        CaseStatus::NotEligible | CaseStatus::Retained | CaseStatus::Closed => "nothing to do, it's settled.",
    }
}

fn case_line(line: &CaseLine) -> String {
    format!(
        "{} · {} · {} · {} · {}",
        line.id,
        clip(&line.item, 24),
        outcome_label(line.outcome),
        status_label(line.status),
        WORDS.time(&line.opened)
    )
}

/// The automatic decision's verdict, for the explanation and the agents' card.
fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approved => "approved",
        Verdict::NeedsReview => "a person reviews it (not a refusal)",
        Verdict::NotEligible => "not possible under the rules",
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

/// What happens after an agent approved a case, by what was approved.
fn after_decision(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::RefundOnly | Outcome::PartialRefund | Outcome::PriceProtection => {
            "The money goes back to your original payment method, usually within 3–5 working days."
        }
        Outcome::ReturnRefund => {
            "Please send the item back (we'll send you the return address); once it passes the warehouse \
             inspection, the money goes back to your original payment method."
        }
        Outcome::CashBack => "We pay it to you by transfer, usually the same working day.",
        Outcome::Exchange => {
            "Please send the item back (we'll send you the return address); we send the replacement and tell you \
             its tracking number here."
        }
        Outcome::Reship => "We send the replacement and tell you its tracking number here.",
        Outcome::Repair => {
            "Please send the item back for repair (we'll send you the return address); we send it back repaired \
             and tell you its tracking number here."
        }
    }
}

/// Why a case went to a person, in the agents' words.
fn why_label(why: Why) -> &'static str {
    match why {
        Why::CustomerAsked => "customer asked for a person",
        Why::Review => "evidence needs a person's review",
        Why::HighValue => "high value",
        Why::NotEligible => "outside the rules",
        Why::ServiceComplaint => "service complaint",
        Why::Threat => "legal or media threat",
        Why::FailedInputs => "bot could not understand",
        Why::RetentionDeclined => "retention declined, needs approval",
        Why::NoTrackingNumber => "no return tracking number after a reminder",
        Why::InspectionFailed => "return failed the inspection",
        Why::RefundRefused => "refund system refused the refund",
    }
}

/// Where a hand-over to the agents stands.
fn escalation_status(status: Status) -> &'static str {
    match status {
        Status::Queued => "queued",
        Status::Taken => "taken",
        Status::HandedBack => "handed back",
        Status::Closed => "closed",
    }
}

/// Where a case stands, in the agents' words.
fn case_status(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Approved => "approved",
        CaseStatus::NeedsReview => "under review",
        CaseStatus::NotEligible => "not eligible",
        CaseStatus::Retained => "closed, customer kept it",
        CaseStatus::Closed => "closed",
    }
}

/// "6 transport": a responsibility code with its name.
fn responsibility(code: u8) -> String {
    let name = match code {
        1 => "customer",
        2 => "supplier",
        3 => "manufacturing",
        4 => "after-sales",
        5 => "material control",
        6 => "transport",
        7 => "design",
        8 => "sales",
        9 => "other",
        _ => "unknown",
    };
    format!("{code} {name}")
}

/// The language a customer speaks, for the agents.
fn spoken(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "Chinese",
        Lang::En => "English",
    }
}

fn agent_command_description(name: &str) -> &'static str {
    match name {
        "take" => "take the case",
        "release" => "put it back in the queue",
        "note" => "internal note, not sent to the customer",
        "approve" => "approve what the customer asked for",
        "reject" => "refuse, with the reason the customer is told",
        "exchange" => "approve an exchange",
        "reship" => "approve a reship",
        "partial" => "partial refund, the customer keeps the item",
        "cashback" => "cash-back transfer",
        "refund" => "refund this amount",
        "resp" => "responsibility code",
        "handback" => "hand the chat back to the bot",
        "close" => "close the case",
        "queue" => "open cases, oldest first",
        "inspect" => "record the warehouse's inspection of the returned parcel: /inspect pass, or /inspect fail REASON",
        "refunded" => "confirm a refund paid by hand",
        _ => "",
    }
}

/// "AS-1001 · <why> · <customer> · <waited> · <assignee>": one line of `/queue`.
fn queue_line(line: &QueueLine) -> String {
    let case = line.case.as_ref().map_or_else(|| "request".to_owned(), CaseId::to_string);
    let assignee = line.assignee.as_deref().map_or_else(|| "unassigned".to_owned(), |name| one_line(name, 20));
    format!(
        "{case} · {} · {} · {} · {assignee}",
        why_label(line.why),
        one_line(&line.customer, 20),
        wait(line.waited_minutes)
    )
}

/// The case card in the agents' group: who, what, the decision so far, and the timeline.
fn card(view: &CardView) -> String {
    let mut lines = vec![match &view.case {
        Some(case) => format!("📋 Case {} · {}", case.id, reason_label(case.reason)),
        None => "📋 Request without a case".to_owned(),
    }];
    let assignee = view.assignee.as_ref().map_or_else(|| "unassigned".to_owned(), |a| one_line(&a.name, NAME_CHARS));
    let case_status =
        view.case.as_ref().map(|case| format!(" · case {}", case_status(case.status))).unwrap_or_default();
    lines.push(format!("Status: {} · {assignee}{case_status}", escalation_status(view.status)));
    lines.push(format!("Why a person: {} · since {}", why_label(view.why), short_time(&view.opened)));
    let phone = view.phone.as_deref().map(|phone| format!(" · phone {}", one_line(phone, 20))).unwrap_or_default();
    lines.push(format!(
        "Customer: {}{phone} · speaks {}",
        one_line(&view.customer, NAME_CHARS),
        spoken(view.customer_lang)
    ));
    if let Some(case) = &view.case {
        let sku = match case.sku.trim() {
            "" => String::new(),
            sku => format!(" ({})", one_line(sku, 40)),
        };
        lines.push(format!(
            "Order {} · {}{sku} ×{} · {} each · paid {}",
            one_line(case.order.as_str(), 40),
            one_line(&case.item, 60),
            case.quantity,
            case.unit_price,
            case.paid
        ));
        lines.push(format!("Outcome: {}", outcome_label(case.outcome)));
        if !case.detail.trim().is_empty() {
            lines.push(format!("Customer wrote: “{}”", clip(case.detail.trim(), CARD_DETAIL_CHARS)));
        }
        let decision = &case.decision;
        lines.push(format!(
            "Decision: {} ({}) — {}",
            verdict_label(decision.verdict),
            decision.rule.code(),
            next_text(decision)
        ));
        let agreed = case.agreed.map(|agreed| format!(" · agreed {agreed}")).unwrap_or_default();
        lines.push(format!("Refund cap: {}{agreed}", decision.refund_cap));
        let responsibility = case.responsibility.map_or_else(|| "not set (/resp 1-9)".to_owned(), responsibility);
        lines.push(format!("Responsibility: {responsibility}"));
        lines.push(match case.evidence {
            0 => "Evidence: none".to_owned(),
            count => format!("Evidence: {} (album below)", photos(count)),
        });
    }
    let (entries, earlier) = timeline(view);
    lines.push(if entries.is_empty() { "Timeline: nothing yet".to_owned() } else { "Timeline:".to_owned() });
    if earlier > 0 {
        lines.push(format!("(+{earlier} earlier)"));
    }
    lines.extend(entries);
    lines.push(format!("Commands: {}", card_commands(view.case.is_some())));
    lines.join("\n")
}
