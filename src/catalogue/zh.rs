//! 中文话术：客户看到的每一句话，用售后客服的日常说法。

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
                "" => "您好！".to_owned(),
                name => format!("{name}，您好！"),
            };
            let shop = match shop.trim() {
                "" => "本店",
                shop => shop,
            };
            format!("{hello}欢迎来到{shop}售后服务。我可以帮您办理退货、退款、换货和补发，7×24小时在线。")
        }
        Msg::MenuPrompt => "请问有什么可以帮您？".to_owned(),
        Msg::MenuNew => "退货 / 退款 / 换货".to_owned(),
        Msg::MenuCases => "我的售后单".to_owned(),
        Msg::MenuAgent => "转人工客服".to_owned(),
        Msg::MenuLanguage => "中文 / English".to_owned(),
        Msg::Help => {
            let mut reply = "可用的指令：".to_owned();
            for command in ["start", "new", "cases", "agent", "lang", "cancel", "help"] {
                reply.push_str(&format!("\n/{command} – {}", command_description(command)));
            }
            reply
        }
        Msg::CommandDescription { command } => command_description(command).to_owned(),
        Msg::AskOrderNo => {
            format!("请发送您的订单号。也可以点击下方「{}」，从您的订单里直接选择。", text(&Msg::ShareContactButton))
        }
        Msg::ShareContactButton => "📱 分享我的手机号".to_owned(),
        Msg::OrderNoMalformed => {
            "这好像不是订单号哦：订单号由6–32位字母、数字或短横线组成，可以在App的订单详情页找到。".to_owned()
        }
        Msg::OrderNotFound { order, tries_left } => {
            let mut reply = format!("抱歉，没有找到订单 {order}，请核对后再发一次。");
            if *tries_left == 0 {
                reply.push_str(&format!("还是找不到的话，可以点击「{}」，同事来帮您查。", agent_button()));
            }
            reply
        }
        Msg::OrderLocked { until } => format!(
            "为了您的账户安全，由于多次验证未通过，这个订单在本对话中已锁定至{}。您可以输入其他订单号，或点击「{}」。",
            time(until),
            agent_button()
        ),
        Msg::AskProof { order } => {
            format!("为保护您的隐私，请发送订单 {order} 收货手机号的后4位。")
        }
        Msg::ProofMalformed => "请发送4位数字，例如 1234。".to_owned(),
        Msg::ProofWrong { tries_left } => match tries_left {
            0 => "抱歉，号码不一致。".to_owned(),
            n => format!("抱歉，号码不一致，还可以再试{n}次。"),
        },
        Msg::ProofLockedNow { until } => format!(
            "验证错误次数过多，这个订单在本对话中已锁定至{}，本次尝试已记录。您可以输入其他订单号，或点击「{}」。",
            time(until),
            agent_button()
        ),
        Msg::ContactNotOwn => "请用下方按钮分享您本人的手机号，不要发送别人的名片哦。".to_owned(),
        Msg::ContactNoOrders => "谢谢，手机号已验证 ✓ 但没有查到这个号码的订单，请直接输入订单号。".to_owned(),
        Msg::ContactVerified => "谢谢，手机号已验证 ✓".to_owned(),
        Msg::PickOrder => "请问是哪个订单？".to_owned(),
        Msg::OrderButton { order, first_item, lines, total } => order_button(order, first_item, *lines, *total),
        Msg::OrderUnpaid { order } => format!(
            "订单 {order} 还没有付款，没有产生扣款，所以不需要退款。您可以直接在店铺App里取消订单；如有其他问题，请点击「{}」。",
            agent_button()
        ),
        Msg::PickLine { order } => format!("请问是订单 {order} 里的哪件商品？"),
        Msg::LineButton { item, quantity, unit_price } => format!("{} ×{quantity} · {unit_price}", clip(item, 14)),
        Msg::AskQuantity { item, max } => {
            format!("「{item}」要办理几件？（1–{max}件）")
        }
        Msg::Quantity(count) => format!("{count}件"),
        Msg::AskReason { item } => format!("「{item}」遇到了什么问题？请选择原因："),
        Msg::ReasonLabel(reason) => reason_label(*reason).to_owned(),
        Msg::AskDetail => {
            format!("可以简单描述一下具体情况吗？直接输入文字即可，也可以点「{}」。", text(&Msg::SkipButton))
        }
        Msg::SkipButton => "跳过".to_owned(),
        Msg::AskEvidence { kind, min, max, have } => ask_evidence(*kind, *min, *max, *have),
        Msg::EvidenceReceived { have, min, max } => {
            let more = usize::from(*min).saturating_sub(*have);
            if more > 0 {
                format!("已收到{have}张，请再发至少{more}张。")
            } else {
                format!("已收到{have}张。发完请点「{}」（最多{max}张）。", text(&Msg::DoneButton))
            }
        }
        Msg::EvidenceFull { max } => format!("已经收到{max}张，达到上限啦，谢谢！请点「{}」。", text(&Msg::DoneButton)),
        Msg::DoneButton => "完成 ✓".to_owned(),
        Msg::NotAPhoto => "抱歉，这里只能用照片或视频作为凭证（表情、语音和其他文件都不行），请发送照片 📷".to_owned(),
        Msg::AskOutcome => "您希望我们怎么处理？".to_owned(),
        Msg::OutcomeLabel(outcome) => outcome_label(*outcome).to_owned(),
        Msg::Summary { order, item, quantity, reason, detail, photos, outcome } => {
            let reason = match detail.trim() {
                "" => reason_label(*reason).to_owned(),
                detail => format!("{}（{detail}）", reason_label(*reason)),
            };
            let photos = match photos {
                0 => "无".to_owned(),
                n => format!("{n}张"),
            };
            format!(
                "请核对您的申请：\n\
                 订单：{order}\n\
                 商品：{item} ×{quantity}\n\
                 原因：{reason}\n\
                 照片：{photos}\n\
                 您希望：{}\n\
                 确认无误请点「{}」，也可以「{}」或「{}」。",
                outcome_label(*outcome),
                text(&Msg::ConfirmButton),
                text(&Msg::ChangeButton),
                text(&Msg::CancelButton)
            )
        }
        Msg::ConfirmButton => "✓ 确认提交".to_owned(),
        Msg::ChangeButton => "✎ 修改".to_owned(),
        Msg::CancelButton => "✖ 取消".to_owned(),
        Msg::CaseOpened { id, decision } => case_opened(id, decision),
        Msg::Cancelled => "好的，这次申请已取消，没有提交任何内容。之前已提交的售后单都会保留。".to_owned(),
        Msg::Cases(lines) if lines.is_empty() => text(&Msg::NoCases),
        Msg::Cases(lines) => {
            let mut reply = "您的售后单：".to_owned();
            for line in lines {
                reply.push('\n');
                reply.push_str(&case_line(line));
            }
            reply
        }
        Msg::NoCases => format!("您还没有售后单。点击「{}」即可发起 📦", text(&Msg::MenuNew)),
        Msg::AgentQueued { case } => {
            let about = match case {
                Some(case) => format!("（售后单 {case}）"),
                None => String::new(),
            };
            format!("已为您登记转人工{about}，正在排队，同事会在这里回复您。在此期间您可以继续使用机器人。")
        }
        Msg::LanguagePrompt => "请选择语言 / Choose your language".to_owned(),
        Msg::LanguageName(lang) => language_name(*lang).to_owned(),
        Msg::LanguageSet => "好的，以后用中文和您交流。".to_owned(),
        Msg::StaleButton => "抱歉，这个按钮已过期。".to_owned(),
        Msg::TextTooLong { max } => format!("抱歉，这条消息太长了，请控制在{max}字以内。"),
        Msg::UseButtons => "请点击下方按钮选择（或发送 /cancel 取消）。".to_owned(),
        Msg::UnexpectedMedia => "谢谢，不过现在还不需要照片或文件哦，请先回答上面的问题。".to_owned(),
        Msg::Unsupported => "抱歉，这里暂时看不了表情、语音这类消息，请打字或点击按钮。".to_owned(),
        Msg::Chosen(inner) => {
            let label = text(inner);
            format!("✓ {}", label.strip_prefix("✓ ").unwrap_or(&label))
        }
    }
}

/// 「3月9日 23:59」：近几天内的时间。
fn time(at: &NaiveDateTime) -> String {
    at.format("%-m月%-d日 %H:%M").to_string()
}

/// 「2027年3月9日」：可能在一年之后的期限（保修）。
fn date_with_year(at: &NaiveDateTime) -> String {
    at.format("%Y年%-m月%-d日").to_string()
}

/// 指令菜单和 /help 里的一行说明。
fn command_description(command: &str) -> &'static str {
    match command.trim_start_matches('/') {
        "start" => "重新开始，显示菜单",
        "new" => "申请退货、退款、换货或补发",
        "cases" => "查看我的售后单和进度",
        "agent" => "转人工客服",
        "lang" => "切换语言（中文 / English）",
        "cancel" => "取消正在填写的申请",
        "help" => "我能为您做什么",
        _ => "详见 /help",
    }
}

/// 语言按钮上用各语言自己的名称，中英文话术里都一样。
fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "中文",
        Lang::En => "English",
    }
}

/// 「DEMO-1004 · 羊毛外套等2件 · ¥597.00」：商品名截短到标签不超过40字，
/// 订单号太长时只显示订单号和合计。汉字占两格，所以商品名最多10个字。
fn order_button(order: &OrderNo, first_item: &str, lines: usize, total: Money) -> String {
    let more = match lines {
        0 | 1 => String::new(),
        n => format!("等{n}件"),
    };
    order_label(order, first_item, &more, total, 3..=10).unwrap_or_else(|| format!("{order} · 合计{total}"))
}

fn agent_button() -> String {
    text(&Msg::MenuAgent)
}

fn reason_label(reason: Reason) -> &'static str {
    match reason {
        Reason::ChangedMind => "不想要了/拍错了",
        Reason::WrongSizeOrdered => "尺码拍错",
        Reason::NoLongerNeeded => "不需要了",
        Reason::FoundCheaper => "找到更便宜的",
        Reason::QualityDefect => "质量问题",
        Reason::NotAsDescribed => "与描述不符",
        Reason::SizeProblem => "尺码不合适",
        Reason::DamagedInTransit => "运输破损",
        Reason::LostParcel => "丢件",
        Reason::MissingItems => "漏发/少发",
        Reason::WrongItem => "发错货",
        Reason::NoTrackingUpdate => "物流长时间未更新",
        Reason::SignedNotReceived => "显示签收但没收到",
        Reason::OrderChanged => "订单有变/取消",
        Reason::ServiceComplaint => "服务投诉",
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::RefundOnly => "仅退款",
        Outcome::ReturnRefund => "退货退款",
        Outcome::Exchange => "换货",
        Outcome::Reship => "补发",
        Outcome::Repair => "维修",
    }
}

fn ask_evidence(kind: EvidenceKind, min: u8, max: u8, have: usize) -> String {
    let subject = match kind {
        EvidenceKind::Defect => "清晰的破损或瑕疵照片",
        EvidenceKind::SizeLabel => "尺码标、吊牌或洗水标的照片",
        EvidenceKind::WhatArrived => "收到的全部物品的照片（连同包裹和快递面单）",
        EvidenceKind::AsReceived => "收到时商品的照片",
    };
    let mut reply = match (min, max) {
        (0, max) => format!("📷 照片可以不传，但有照片处理更快：{subject}，最多{max}张。"),
        (min, max) if min >= max => format!("📷 请上传{subject}，{min}张。"),
        (min, max) => format!("📷 请上传{subject}，{min}–{max}张。"),
    };
    reply.push_str("视频也可以，可以一次发多张（相册）。");
    if have > 0 {
        reply.push_str(&format!("已收到{have}张。"));
    }
    let done = text(&Msg::DoneButton);
    if have >= usize::from(min) {
        reply.push_str(&format!("发完请点「{done}」。"));
    } else {
        reply.push_str(&format!("收到{min}张后会出现「{done}」按钮。"));
    }
    reply
}

fn case_opened(id: &CaseId, decision: &DecisionText) -> String {
    let verdict = match decision.verdict {
        Verdict::Approved => "已同意 ✓",
        Verdict::NeedsReview => "需要同事人工审核。",
        Verdict::NotEligible => "暂时无法自动通过。",
    };
    let mut lines = vec![format!("您的售后单 {id} 已创建，{verdict}"), rule_text(decision.rule, decision.deadline)];
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
    let at = deadline.as_ref().map(time);
    match rule {
        RuleId::OrderUnpaid => "这个订单还没有付款，没有产生扣款。".to_owned(),
        RuleId::RefundBeforeShipping => "订单还没发货，可以直接为您退款。".to_owned(),
        RuleId::RefundInTransit => "包裹已在运输途中，我们会联系快递拦截。".to_owned(),
        RuleId::CarrierCheck => "给您添麻烦了！我们会请快递公司核查包裹情况。".to_owned(),
        RuleId::NoReasonReturn => match at {
            Some(at) => format!("符合无理由退货：请在{at}前寄回（商品未使用，吊牌和原包装完好）。"),
            None => "符合无理由退货：请保持商品未使用，吊牌和原包装完好。".to_owned(),
        },
        RuleId::NoReasonWindowPassed => match at {
            Some(at) => format!("无理由退货期已于{at}结束。"),
            None => "无理由退货期已经结束。".to_owned(),
        },
        RuleId::ExcludedCategory => {
            "这类商品（如内衣、定制商品）不支持无理由退货，但质量问题随时可以为您处理。".to_owned()
        }
        RuleId::ExchangeInWindow => match at {
            Some(at) => format!("在换货期内：请在{at}前寄回。"),
            None => "在换货期内，可以为您换其他尺码或颜色。".to_owned(),
        },
        RuleId::ExchangeWindowPassed => match at {
            Some(at) => format!("换货期已于{at}结束。"),
            None => "换货期已经结束。".to_owned(),
        },
        RuleId::QualityClaim => match &deadline {
            Some(at) => format!("给您添麻烦了！质量问题在{}前都在保障范围内。", date_with_year(at)),
            None => "给您添麻烦了！质量问题在保障范围内。".to_owned(),
        },
        RuleId::QualityReportWindowPassed => match at {
            Some(at) => {
                format!("这类商品的质量问题需要在签收后规定时间内反馈，您的订单已于{at}到期。")
            }
            None => "这类商品的质量问题需要在签收后规定时间内反馈，现在已经过了这个时间。".to_owned(),
        },
        RuleId::WarrantyPassed => match &deadline {
            Some(at) => format!("保修期已于{}结束。", date_with_year(at)),
            None => "保修期已经结束。".to_owned(),
        },
        RuleId::LogisticsClaim => "给您添麻烦了！物流问题由我们和快递方负责处理，不需要您承担。".to_owned(),
        RuleId::EvidenceMissing => "这类问题需要照片才能核实。".to_owned(),
        RuleId::OutcomeNotOffered => "订单目前的状态下，这个原因暂时不能自动办理您选的处理方式。".to_owned(),
    }
}

fn shipping_text(payer: ShippingPayer, freight_insurance: bool) -> String {
    match (payer, freight_insurance) {
        (ShippingPayer::Customer, true) => "退货运费由您承担，您的订单有运费险，运费会由运费险赔付。".to_owned(),
        (ShippingPayer::Customer, false) => "退货运费由您承担。".to_owned(),
        (ShippingPayer::Shop, _) => "退货运费由我们承担：如需您先垫付，提供退货快递单号后我们会返还。".to_owned(),
        (ShippingPayer::Carrier, _) => "这是快递方的责任，运费不用您出。".to_owned(),
    }
}

/// 退款说明：只对可能以退款结束的规则显示。
fn refund_text(rule: RuleId, cap: Money) -> Option<String> {
    match rule {
        RuleId::RefundBeforeShipping | RuleId::RefundInTransit => Some(format!("退款金额最多{cap}，原路退回。")),
        RuleId::NoReasonReturn => Some(format!("仓库验货后退款，最多{cap}，原路退回。")),
        RuleId::CarrierCheck | RuleId::QualityClaim | RuleId::LogisticsClaim => {
            Some(format!("如最终退款，最多{cap}，原路退回。"))
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
        NextStep::CancelUnpaidOrder => "接下来：您可以直接在店铺App里取消订单。".to_owned(),
        NextStep::RefundToOriginalPayment => "接下来：款项一般3–5个工作日到账。".to_owned(),
        NextStep::InterceptAndRefuseDelivery => {
            "接下来：如果快递仍然送到，请直接拒收；包裹退回途中就为您退款。".to_owned()
        }
        NextStep::SendItemBack => "接下来：我们稍后把退货地址发给您，寄出后请保留退货快递单号。".to_owned(),
        NextStep::ReviewWithinWorkingDay => "接下来：同事会在1个工作日内在这里回复您。".to_owned(),
        NextStep::CarrierVerifies => "接下来：快递公司一般1–2个工作日内核实完毕，我们会在这里通知您。".to_owned(),
        NextStep::TalkToPerson => {
            format!("接下来：点击「{}」（或发送 /agent），同事会帮您看看还能怎么处理，比如维修。", agent_button())
        }
        NextStep::AddPhotos => {
            format!("接下来：请点击「{}」重新申请并附上照片，或点击「{}」。", text(&Msg::MenuNew), agent_button())
        }
    }
}

fn status_label(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Approved => "已同意",
        CaseStatus::NeedsReview => "审核中",
        CaseStatus::NotEligible => "未通过(可转人工)",
        CaseStatus::Closed => "已完结",
    }
}

fn case_line(line: &CaseLine) -> String {
    format!(
        "{} · {} · {} · {} · {}",
        line.id,
        clip(&line.item, 12),
        outcome_label(line.outcome),
        status_label(line.status),
        time(&line.opened)
    )
}
