//! 中文：售后单提交之后的文字（我的售后单、进展、退货包裹）。

use super::*;

/// 「 SF1234567890123 」，没有单号时为空。
pub(super) fn parcel_no(number: &str) -> String {
    match number.trim() {
        "" => String::new(),
        number => format!(" {number} "),
    }
}

/// 退货包裹到仓库之后怎么办，按商定的处理方式。
pub(super) fn after_arrival(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Exchange => "包裹到仓库验货通过后，我们会为您寄出新商品。",
        Outcome::Repair => "包裹到仓库后，我们会为您维修并寄回。",
        _ => "包裹到仓库验货通过后，款项原路退回。",
    }
}

/// 一张售后单的详情：申请内容、决定及其理由、同事后来的决定、下一步和最近的进展。
pub(super) fn case_detail(view: &CaseView) -> String {
    let mut lines = vec![
        format!("售后单 {} · {} × {}", view.id, view.item, view.quantity),
        format!("订单 {} · {}提交", view.order, WORDS.time(&view.opened)),
        format!("申请：{} · {}", outcome_label(view.outcome), reason_label(view.reason)),
        format!("状态：{}", status_label(view.status)),
        format!("结论：{}", verdict_said(view.decision.verdict)),
        format!("原因：{}", rule_text(&view.decision)),
    ];
    if let Some(AgentDecision { approved, outcome, reason }) = &view.agent_decision {
        let decided = match approved {
            true => format!("客服已同意「{}」。", outcome_label(*outcome)),
            false => "客服审核后没能通过。".to_owned(),
        };
        lines.push(match reason {
            Some(reason) => format!("{decided}原因：{}", one_line(reason, 200)),
            None => decided,
        });
    }
    lines.push(format!("接下来：{}", case_next(view.next, &view.decision)));
    if !view.latest.is_empty() {
        lines.push(match view.earlier {
            0 => "进展：".to_owned(),
            earlier => format!("最近进展（更早的{earlier}条未显示）："),
        });
        lines.extend(
            view.latest.iter().map(|(at, milestone)| format!("• {} {}", WORDS.time(at), milestone_text(milestone))),
        );
    }
    lines.join("\n")
}

/// 售后单接下来会怎样，接在「接下来：」后面。
pub(super) fn case_next(next: CaseNext, decision: &DecisionText) -> String {
    match next {
        CaseNext::Review => match &decision.review_by {
            Some(by) => format!("客服正在审核，会在{}前在这里回复您。", WORDS.time(by)),
            None => "客服正在审核，会在这里回复您。".to_owned(),
        },
        CaseNext::SendBack => "请按发给您的退货地址寄回，并把退货快递单号发到这里。".to_owned(),
        CaseNext::ParcelOnItsWay => "您的退货包裹正在寄回途中，到仓后我们会在这里告诉您后续安排。".to_owned(),
        CaseNext::CarryingOut => "我们正在办理，完成后会在这里通知您。".to_owned(),
        CaseNext::PersonCanHelp => format!("如果想再沟通，请点击「{}」。", agent_button()),
        CaseNext::Settled => "已处理完毕，您不需要再做什么。".to_owned(),
    }
}

pub(super) fn milestone_text(milestone: &Milestone) -> String {
    match milestone {
        Milestone::Opened => "您提交了申请".to_owned(),
        Milestone::Added => "您补充了内容".to_owned(),
        Milestone::WithAPerson => "已转给客服".to_owned(),
        Milestone::Decided(AgentDecision { approved: true, outcome, .. }) => {
            format!("客服同意了「{}」", outcome_label(*outcome))
        }
        Milestone::Decided(AgentDecision { approved: false, .. }) => "客服审核后没能通过".to_owned(),
        Milestone::ReturnInstructions => "我们发给您退货地址".to_owned(),
        Milestone::TrackingNumber { number } => format!("您提供了退货快递单号 {number}"),
        Milestone::Parcel(ParcelStatus::PickedUp) => "快递已揽收您的退货包裹".to_owned(),
        Milestone::Parcel(ParcelStatus::InTransit) => "退货包裹正在寄回途中".to_owned(),
        Milestone::Parcel(ParcelStatus::Delivered) => "退货包裹已送达仓库".to_owned(),
        Milestone::Parcel(ParcelStatus::Exception) => "退货包裹出现异常，我们正在核实".to_owned(),
        Milestone::InspectionPassed => "退回的商品验货通过".to_owned(),
        Milestone::InspectionFailed => "仓库验货发现问题".to_owned(),
        Milestone::Refunded { amount } => format!("已退款{amount}"),
        Milestone::Kept => "已完结：您保留了商品".to_owned(),
        Milestone::Closed => "已完结".to_owned(),
    }
}

pub(in crate::catalogue) fn status_label(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Approved => "已同意",
        CaseStatus::NeedsReview => "审核中",
        CaseStatus::NotEligible => "未通过(可转人工)",
        CaseStatus::Retained => "已完结（保留商品）",
        CaseStatus::Closed => "已完结",
    }
}

/// 占用这件商品的申请接下来会怎样。
pub(super) fn claim_next(status: CaseStatus, outcome: Outcome) -> &'static str {
    match status {
        CaseStatus::NeedsReview => "客服正在审核，会在这里回复您。",
        CaseStatus::Approved if outcome.sends_item_back() => "请按发给您的退货地址寄回，并把退货快递单号发给我们。",
        CaseStatus::Approved => "我们正在办理，完成后会在这里通知您。",
        CaseStatus::NotEligible | CaseStatus::Retained | CaseStatus::Closed => "已处理完毕。",
    }
}

pub(super) fn case_line(line: &CaseLine) -> String {
    format!(
        "{} · {} · {} · {} · {}",
        line.id,
        clip(&line.item, 12),
        outcome_label(line.outcome),
        status_label(line.status),
        WORDS.time(&line.opened)
    )
}
