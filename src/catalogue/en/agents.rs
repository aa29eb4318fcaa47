//! English texts for the agents' group: the queue, the case card, escalations.

use super::*;
use crate::catalogue::report::Headline;

/// Why a case went to a person, in the agents' words.
pub(super) fn why_label(why: Why) -> &'static str {
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
pub(super) fn escalation_status(status: Status) -> &'static str {
    match status {
        Status::Queued => "queued",
        Status::Taken => "taken",
        Status::HandedBack => "handed back",
        Status::Closed => "closed",
    }
}

/// Where a case stands, in the agents' words.
pub(super) fn case_status(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Approved => "approved",
        CaseStatus::NeedsReview => "under review",
        CaseStatus::NotEligible => "not eligible",
        CaseStatus::Retained => "closed, customer kept it",
        CaseStatus::Closed => "closed",
    }
}

/// "6 transport": a responsibility code with its name.
pub(in crate::catalogue) fn responsibility(code: u8) -> String {
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
pub(super) fn spoken(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "Chinese",
        Lang::En => "English",
    }
}

pub(super) fn agent_command_description(name: &str) -> &'static str {
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
        "report" => "a month's report (its figures and a page with charts); without a month, the last full month",
        _ => "",
    }
}

/// "AS-1001 · <why> · <customer> · <waited> · <assignee>": one line of `/queue`.
pub(super) fn queue_line(line: &QueueLine) -> String {
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
pub(super) fn card(view: &CardView) -> String {
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

/// A month's report in the agents' group (/report and the monthly post):
/// the figures before the page.
pub(super) fn report_headline(top: &Headline) -> String {
    let rate = top.return_rate_pct.map_or_else(|| "–".to_owned(), |rate| format!("{rate:.2}%"));
    let csat = match top.csat_average {
        Some(average) => format!("{average:.2} ({} ratings)", top.csat_answered),
        None => "no ratings yet".to_owned(),
    };
    let reasons: Vec<String> =
        top.top_reasons.iter().map(|(reason, cases)| format!("{} {cases}", reason_label(*reason))).collect();
    let reasons = if reasons.is_empty() { "none".to_owned() } else { reasons.join(", ") };
    format!(
        "📊 After-sales report {} to {}\nOpened {}, closed {}, open at the end {}\nReturn rate: {rate}\n\
         Refunded: {}\nCSAT: {csat}\nTop reasons: {reasons}\nThe page with charts follows as a file.",
        top.first_day, top.last_day, top.opened, top.closed, top.open_at_end, top.refunded
    )
}
