//! 中文：客服群里的文字（排队、售后卡片、转人工）。

use super::*;
use crate::catalogue::report::Headline;

/// 转人工的原因（客服用语）。
pub(super) fn why_label(why: Why) -> &'static str {
    match why {
        Why::CustomerAsked => "客户要求人工",
        Why::Review => "证据需人工审核",
        Why::HighValue => "高金额",
        Why::NotEligible => "超出规则",
        Why::ServiceComplaint => "服务投诉",
        Why::Threat => "投诉升级（法律/媒体）",
        Why::FailedInputs => "多次无法识别",
        Why::RetentionDeclined => "挽留未成功，待审批",
        Why::NoTrackingNumber => "提醒后仍未提供退货单号",
        Why::InspectionFailed => "退货验货未通过",
        Why::RefundRefused => "退款系统拒绝退款",
    }
}

/// 转人工的处理状态。
pub(super) fn escalation_status(status: Status) -> &'static str {
    match status {
        Status::Queued => "排队中",
        Status::Taken => "处理中",
        Status::HandedBack => "已交回机器人",
        Status::Closed => "已结案",
    }
}

/// 售后单状态（客服用语）。
pub(super) fn case_status(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Approved => "已同意",
        CaseStatus::NeedsReview => "审核中",
        CaseStatus::NotEligible => "未通过",
        CaseStatus::Retained => "已完结（客户保留商品）",
        CaseStatus::Closed => "已完结",
    }
}

/// 「6 运输」：责任归属代码和名称。
pub(in crate::catalogue) fn responsibility(code: u8) -> String {
    let name = match code {
        1 => "客户",
        2 => "供应商",
        3 => "制造",
        4 => "售后",
        5 => "物控",
        6 => "运输",
        7 => "设计",
        8 => "销售",
        9 => "其他",
        _ => "未知",
    };
    format!("{code} {name}")
}

/// 客户使用的语言（给客服看）。
pub(super) fn spoken(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "中文",
        Lang::En => "英文",
    }
}

pub(super) fn agent_command_description(name: &str) -> &'static str {
    match name {
        "take" => "接单",
        "release" => "释放，放回排队",
        "note" => "内部备注，客户看不到",
        "approve" => "按客户的申请同意",
        "reject" => "拒绝，并写明告诉客户的原因",
        "exchange" => "同意换货",
        "reship" => "同意补发",
        "partial" => "部分退款，客户保留商品",
        "cashback" => "返现转账",
        "refund" => "按此金额退款",
        "resp" => "设置责任归属",
        "handback" => "把对话交回机器人",
        "close" => "结案",
        "queue" => "待处理的售后单，等待最久的在前",
        "inspect" => "记录仓库对退货包裹的验货结果：/inspect pass 通过，/inspect fail REASON 未通过（写明原因）",
        "refunded" => "确认已手动退款",
        "report" => "某月的售后月报（要点和图表页面）；不写月份即上个完整月",
        _ => "",
    }
}

/// 「AS-1001 · 转人工原因 · 客户 · 已等时间 · 接单人」：/queue 的一行。
pub(super) fn queue_line(line: &QueueLine) -> String {
    let case = line.case.as_ref().map_or_else(|| "咨询".to_owned(), CaseId::to_string);
    let assignee = line.assignee.as_deref().map_or_else(|| "未接单".to_owned(), |name| one_line(name, 20));
    format!(
        "{case} · {} · {} · 已等{} · {assignee}",
        why_label(line.why),
        one_line(&line.customer, 20),
        wait(line.waited_minutes)
    )
}

/// 客服群里的售后卡片：客户、申请、目前的结论和时间线。
pub(super) fn card(view: &CardView) -> String {
    let mut lines = vec![match &view.case {
        Some(case) => format!("📋 售后单 {} · {}", case.id, reason_label(case.reason)),
        None => "📋 未建售后单的咨询".to_owned(),
    }];
    let assignee = view.assignee.as_ref().map_or_else(|| "未接单".to_owned(), |a| one_line(&a.name, NAME_CHARS));
    let case_status =
        view.case.as_ref().map(|case| format!(" · 售后单{}", case_status(case.status))).unwrap_or_default();
    lines.push(format!("状态：{} · {assignee}{case_status}", escalation_status(view.status)));
    lines.push(format!("转人工原因：{} · {}起", why_label(view.why), short_time(&view.opened)));
    let phone = view.phone.as_deref().map(|phone| format!(" · 手机 {}", one_line(phone, 20))).unwrap_or_default();
    lines.push(format!("客户：{}{phone} · 语言：{}", one_line(&view.customer, NAME_CHARS), spoken(view.customer_lang)));
    if let Some(case) = &view.case {
        let sku = match case.sku.trim() {
            "" => String::new(),
            sku => format!("（{}）", one_line(sku, 40)),
        };
        lines.push(format!(
            "订单 {} · {}{sku} ×{} · 单价{} · 实付{}",
            one_line(case.order.as_str(), 40),
            one_line(&case.item, 60),
            case.quantity,
            case.unit_price,
            case.paid
        ));
        lines.push(format!("处理方式：{}", outcome_label(case.outcome)));
        if !case.detail.trim().is_empty() {
            lines.push(format!("客户描述：「{}」", clip(case.detail.trim(), CARD_DETAIL_CHARS)));
        }
        let decision = &case.decision;
        lines.push(format!(
            "系统结论：{}（{}）— {}",
            verdict_label(decision.verdict),
            decision.rule.code(),
            next_text(decision)
        ));
        let agreed = case.agreed.map(|agreed| format!(" · 商定金额 {agreed}")).unwrap_or_default();
        lines.push(format!("可退上限：{}{agreed}", decision.refund_cap));
        let responsibility = case.responsibility.map_or_else(|| "未设置（/resp 1-9）".to_owned(), responsibility);
        lines.push(format!("责任归属：{responsibility}"));
        lines.push(match case.evidence {
            0 => "凭证：无".to_owned(),
            count => format!("凭证：{count}张照片（见下方相册）"),
        });
    }
    let (entries, earlier) = timeline(view);
    lines.push(if entries.is_empty() { "时间线：暂无".to_owned() } else { "时间线：".to_owned() });
    if earlier > 0 {
        lines.push(format!("（之前还有{earlier}条）"));
    }
    lines.extend(entries);
    lines.push(format!("指令：{}", card_commands(view.case.is_some())));
    lines.join("\n")
}

/// 售后月报的要点：/report 和每月推送时，图表页面之前的消息。
pub(super) fn report_headline(top: &Headline) -> String {
    let rate = top.return_rate_pct.map_or_else(|| "–".to_owned(), |rate| format!("{rate:.2}%"));
    let csat = match top.csat_average {
        Some(average) => format!("{average:.2}分（{}条评价）", top.csat_answered),
        None => "暂无评价".to_owned(),
    };
    let reasons: Vec<String> =
        top.top_reasons.iter().map(|(reason, cases)| format!("{} {cases}单", reason_label(*reason))).collect();
    let reasons = if reasons.is_empty() { "无".to_owned() } else { reasons.join("、") };
    format!(
        "📊 售后月报 {} 至 {}\n新建 {} 单，已结案 {} 单，期末未结 {} 单\n退货率：{rate}\n退款：{}\n满意度：{csat}\n\
         主要原因：{reasons}\n图表页面见下方文件。",
        top.first_day, top.last_day, top.opened, top.closed, top.open_at_end, top.refunded
    )
}
