//! English texts for the rules' decision on a case: why, what is next, the refund, the explanation.

use super::*;

pub(super) fn case_opened(id: &CaseId, decision: &DecisionText) -> String {
    let verdict = verdict_said(decision.verdict);
    let mut lines = vec![format!("Your case {id} ({}) is open. {verdict}", outcome_label(decision.outcome))];
    lines.extend(decision_lines(decision, true));
    lines.join("\n")
}

/// The rules' verdict on a request, as the customer is told it.
pub(super) fn verdict_said(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approved => "Approved ✓",
        Verdict::NeedsReview => "A colleague reviews it and decides; this is not a refusal.",
        Verdict::NotEligible => "Under our rules we can't accept this request.",
    }
}

/// The rule, the shipping, the money, what is still possible and the next
/// step of a decision; `buttons` when the alternatives come with buttons.
pub(super) fn decision_lines(decision: &DecisionText, buttons: bool) -> Vec<String> {
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
pub(super) fn span(span: Length) -> String {
    match span {
        Length::Days(1) => "1 day".to_owned(),
        Length::Days(days) => format!("{days} days"),
        Length::Hours(1) => "1 hour".to_owned(),
        Length::Hours(hours) => format!("{hours} hours"),
    }
}

/// "7-day no-reason return", or just "no-reason return" without a window.
pub(super) fn with_span(window: Option<Length>, what: &str) -> String {
    match window {
        Some(Length::Days(days)) => format!("{days}-day {what}"),
        Some(Length::Hours(hours)) => format!("{hours}-hour {what}"),
        None => what.to_owned(),
    }
}

/// "within 7 days", or "within a set time" without a window.
pub(super) fn within(window: Option<Length>) -> String {
    match window {
        Some(window) => format!("within {}", span(window)),
        None => "within a set time".to_owned(),
    }
}

pub(super) fn working_days(days: u32) -> String {
    match days {
        1 => "1 working day".to_owned(),
        n => format!("{n} working days"),
    }
}

pub(super) fn rule_text(decision: &DecisionText) -> String {
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
pub(super) fn possible_text(possible: &Possible<NaiveDateTime>) -> String {
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

pub(super) fn shipping_text(payer: ShippingPayer, freight_insurance: bool, cash_back: bool) -> String {
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
pub(super) fn refund_text(decision: &DecisionText) -> Option<String> {
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

pub(super) fn next_text(decision: &DecisionText) -> String {
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
pub(super) fn explanation(decision: &DecisionText, facts: &[Fact<NaiveDateTime>]) -> String {
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

pub(super) fn fact_text(fact: &Fact<NaiveDateTime>) -> String {
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
pub(super) fn offer_line(offer: &str, kind: OfferKind, value: Option<Money>) -> String {
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

/// The automatic decision's verdict, for the explanation and the agents' card.
pub(super) fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approved => "approved",
        Verdict::NeedsReview => "a person reviews it (not a refusal)",
        Verdict::NotEligible => "not possible under the rules",
    }
}

/// What happens after an agent approved a case, by what was approved.
pub(super) fn after_decision(outcome: Outcome) -> &'static str {
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
