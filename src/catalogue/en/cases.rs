//! English texts for a case after it opened: "my cases", its milestones, the return parcel.

use super::*;

/// " on return parcel SF1234567890123", or nothing without a number.
pub(super) fn parcel_of(number: &str) -> String {
    match number.trim() {
        "" => String::new(),
        number => format!(" on return parcel {number}"),
    }
}

/// What happens once a returned parcel arrives, by what was agreed.
pub(super) fn after_arrival(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Exchange => "Once it arrives and passes our inspection, we ship your replacement.",
        Outcome::Repair => "Once it arrives, we repair it and send it back to you.",
        _ => "Once it arrives and passes our inspection, we refund you to your original payment method.",
    }
}

/// "18:00 on Tuesday 24 November": when a person answers.
pub(super) fn day_time(at: &NaiveDateTime) -> String {
    at.format("%H:%M on %A %-d %B").to_string()
}

/// One case in full: the request, the decision and its reason, a person's
/// later decision, the next step and the latest of what happened.
pub(super) fn case_detail(view: &CaseView) -> String {
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
pub(super) fn case_next(next: CaseNext, decision: &DecisionText) -> String {
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

pub(super) fn milestone_text(milestone: &Milestone) -> String {
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

pub(in crate::catalogue) fn status_label(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Approved => "Approved",
        CaseStatus::NeedsReview => "Under review",
        CaseStatus::NotEligible => "Not approved (a person can help)",
        CaseStatus::Retained => "Closed – you kept it",
        CaseStatus::Closed => "Closed",
    }
}

/// Where a request holding the customer's units goes next.
pub(super) fn claim_next(status: CaseStatus, outcome: Outcome) -> &'static str {
    match status {
        CaseStatus::NeedsReview => "a colleague is reviewing it and replies here.",
        CaseStatus::Approved if outcome.sends_item_back() => {
            "send the item to the return address we sent you, then send us the return tracking number."
        }
        CaseStatus::Approved => "we're carrying it out and will tell you here when it's done.",
        CaseStatus::NotEligible | CaseStatus::Retained | CaseStatus::Closed => "nothing to do, it's settled.",
    }
}

pub(super) fn case_line(line: &CaseLine) -> String {
    format!(
        "{} · {} · {} · {} · {}",
        line.id,
        clip(&line.item, 24),
        outcome_label(line.outcome),
        status_label(line.status),
        WORDS.time(&line.opened)
    )
}
