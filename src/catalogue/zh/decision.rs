//! 中文：规则对售后单的结论（原因、下一步、退款、说明）。

use super::*;

pub(super) fn case_opened(id: &CaseId, decision: &DecisionText) -> String {
    let verdict = verdict_said(decision.verdict);
    let mut lines = vec![format!("您的售后单 {id}（{}）已创建，{verdict}", outcome_label(decision.outcome))];
    lines.extend(decision_lines(decision, true));
    lines.join("\n")
}

/// 规则给出的结论，客户看到的说法。
pub(super) fn verdict_said(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approved => "已同意 ✓",
        Verdict::NeedsReview => "需要同事审核后决定，这不是拒绝。",
        Verdict::NotEligible => "按店铺规则，这个申请无法受理。",
    }
}

/// 决定的规则、运费、款项、仍可办理的和下一步；`buttons`：仍可办理的附带按钮。
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
        false => lines.push(format!("接下来：请在下面选择，或点击「{}」。", agent_button())),
    }
    lines
}

/// 「7天」「48小时」。
pub(super) fn span(span: Length) -> String {
    match span {
        Length::Days(days) => format!("{days}天"),
        Length::Hours(hours) => format!("{hours}小时"),
    }
}

/// 「7天」，没有期限时为空。
pub(super) fn span_or_empty(window: Option<Length>) -> String {
    window.map(span).unwrap_or_default()
}

/// 「签收后48小时内」，没有期限时为「签收后规定时间内」。
pub(super) fn within(window: Option<Length>) -> String {
    match window {
        Some(window) => format!("{}内", span(window)),
        None => "规定时间内".to_owned(),
    }
}

pub(super) fn rule_text(decision: &DecisionText) -> String {
    let window = decision.window;
    let length = span_or_empty(window);
    let at = decision.deadline.as_ref().map(|at| WORDS.time(at));
    let ended = |what: String| match &at {
        Some(at) => format!("{what}已于{at}结束。"),
        None => format!("{what}已经结束。"),
    };
    match decision.rule {
        RuleId::OrderUnpaid => "这个订单还没有付款，没有产生扣款。".to_owned(),
        RuleId::RefundBeforeShipping => "订单还没发货，可以直接为您退款。".to_owned(),
        RuleId::RefundInTransit => "包裹已在运输途中，我们会联系快递拦截。".to_owned(),
        RuleId::CarrierCheck => "给您添麻烦了！我们会请快递公司核查包裹情况。".to_owned(),
        RuleId::RefundOnlyAfterReceipt => {
            "您的订单已经签收，个人原因的退款需要走退货退款：商品寄回仓库后为您退款。".to_owned()
        }
        RuleId::NoReasonReturn => match &at {
            Some(at) => format!("符合{length}无理由退货：请在{at}前寄回（商品未使用、未洗涤，吊牌和原包装完好）。"),
            None => format!("符合{length}无理由退货：请保持商品未使用、未洗涤，吊牌和原包装完好。"),
        },
        RuleId::NoReasonWindowPassed => ended(format!("{length}无理由退货期")),
        RuleId::ExcludedCategory => {
            "这类商品（如内衣、定制商品）不支持无理由退货，但质量问题随时可以为您处理。".to_owned()
        }
        RuleId::ResaleImpaired => "感谢您如实告知。无理由退货需要商品未使用、未洗涤，吊牌和原包装完好，\
                                   这件商品暂时无法按无理由退货办理。"
            .to_owned(),
        RuleId::ExchangeInWindow => match &at {
            Some(at) => format!("在{length}换货期内：请在{at}前寄回。"),
            None => format!("在{length}换货期内，可以为您换其他尺码或颜色。"),
        },
        RuleId::ExchangeWindowPassed => ended(format!("{length}换货期")),
        RuleId::ExchangeAlreadyUsed => "这件商品已经换过一次货了，每件商品可以换货一次。".to_owned(),
        RuleId::ReturnAfterExchange => {
            let by = at.as_ref().map(|at| format!("请在{at}前寄回，")).unwrap_or_default();
            format!("换货后收到新商品{}仍可退货：{by}商品需未使用，吊牌和原包装完好。", within(window))
        }
        RuleId::ReturnAfterExchangeWindowPassed => ended(format!("换货后的{length}退货期")),
        RuleId::QualityClaim => match (window, &decision.deadline) {
            (Some(Length::Hours(hours)), Some(at)) => {
                format!(
                    "给您添麻烦了！这类商品的质量问题需在签收后{hours}小时内反馈，您在{}前反馈都有效。",
                    WORDS.time(at)
                )
            }
            (_, Some(at)) => format!("给您添麻烦了！质量问题保障截至{}。", WORDS.date_with_year(at)),
            (Some(window), None) => format!("给您添麻烦了！签收后{}内的质量问题都在保障范围内。", span(window)),
            (None, None) => "给您添麻烦了！质量问题在保障范围内。".to_owned(),
        },
        RuleId::QualityReportWindowPassed => match &at {
            Some(at) => format!("这类商品的质量问题需要在签收后{}反馈，您的订单已于{at}到期。", within(window)),
            None => format!("这类商品的质量问题需要在签收后{}反馈，现在已经过了这个时间。", within(window)),
        },
        RuleId::WarrantyPassed => {
            let length = window.map(|window| format!("（{}）", span(window))).unwrap_or_default();
            match &decision.deadline {
                Some(at) => format!("保修期{length}已于{}结束。", WORDS.date_with_year(at)),
                None => format!("保修期{length}已经结束。"),
            }
        }
        RuleId::LogisticsClaim => "给您添麻烦了！运输途中的问题由我们和快递公司处理，不需要您承担。".to_owned(),
        RuleId::PriceProtection => {
            let until = at.as_ref().map(|at| format!("（您的订单价保截至{at}）")).unwrap_or_default();
            format!("价保：购买后{}降价的，可以为您退差价{until}。", within(window))
        }
        RuleId::PriceProtectionWindowPassed => {
            let period = window.map(|window| format!("（购买后{}）", span(window))).unwrap_or_default();
            ended(format!("价保期{period}"))
        }
        RuleId::CashBack => "订单里无法直接退回的款项（如运费、承诺的优惠），会以返现的方式转账给您。".to_owned(),
        RuleId::NothingLeftToRefund => "这件商品的款项已经全额退过了，没有剩余可退的金额。".to_owned(),
        RuleId::UnitsAlreadyClaimed => {
            "这件商品的数量已经全部在其他申请里（处理中、已同意、已退款或已换货），同一件商品不能重复申请。".to_owned()
        }
        RuleId::EvidenceMissing => "这类问题需要照片才能核实。".to_owned(),
        RuleId::OutcomeNotOffered => "订单目前的状态下，这个原因暂时不能自动办理您选的处理方式。".to_owned(),
    }
}

/// 被拒后仍然可以办理的，带期限和按钮。
pub(super) fn possible_text(possible: &Possible<NaiveDateTime>) -> String {
    match possible {
        Possible::Exchange { until } => {
            format!("仍可以换尺码或颜色，截至{}：请点击「{}」。", WORDS.time(until), text(&Msg::ExchangeInsteadButton))
        }
        Possible::QualityClaim { until } => format!(
            "如果商品有质量问题，保障截至{}：请点击「{}」。",
            WORDS.date_with_year(until),
            text(&Msg::QualityClaimButton)
        ),
    }
}

pub(super) fn shipping_text(payer: ShippingPayer, freight_insurance: bool, cash_back: bool) -> String {
    let repaid = "请您先垫付运费，提供退货快递单号后，我们以返现方式还给您。";
    match payer {
        ShippingPayer::Customer if freight_insurance => {
            "寄回的运费需要您先支付；您的订单买了运费险，这笔运费会由运费险理赔给您。".to_owned()
        }
        ShippingPayer::Customer => "因为是个人原因退货，寄回的运费需要您承担，还请谅解。".to_owned(),
        ShippingPayer::Shop if cash_back => format!("寄回的运费由我们承担：{repaid}"),
        ShippingPayer::Shop if freight_insurance => {
            "寄回的运费由我们承担；您的订单买了运费险，寄件时付的运费会由运费险理赔给您。".to_owned()
        }
        ShippingPayer::Shop => "寄回的运费由我们承担。".to_owned(),
        // The rule's own line already says whose fault it is.
        ShippingPayer::Carrier if cash_back => format!("运费不用您出：{repaid}"),
        ShippingPayer::Carrier => "运费不用您出。".to_owned(),
    }
}

/// 款项说明：只对可能以退款结束的规则显示；换货、补发、维修不承诺金额。
pub(super) fn refund_text(decision: &DecisionText) -> Option<String> {
    let cap = decision.refund_cap;
    let money = decision.outcome.refunds() && cap.minor > 0;
    let days = decision.refund_working_days;
    match decision.rule {
        RuleId::RefundBeforeShipping | RuleId::RefundInTransit => money.then(|| format!("退款{cap}，原路退回。")),
        RuleId::NoReasonReturn | RuleId::ReturnAfterExchange => {
            money.then(|| format!("仓库验货通过后{days}个工作日内退款{cap}，原路退回。"))
        }
        RuleId::CarrierCheck | RuleId::QualityClaim | RuleId::LogisticsClaim => money.then(|| match decision.outcome {
            Outcome::PartialRefund => {
                format!("商品由您保留，部分退款金额由同事和您商定，最多{cap}，原路退回。")
            }
            Outcome::ReturnRefund => {
                format!("如最终退款：仓库验货通过后{days}个工作日内退款{cap}，原路退回。")
            }
            _ => format!("如最终退款，退款{cap}，原路退回。"),
        }),
        RuleId::PriceProtection => {
            (decision.outcome == Outcome::PriceProtection).then(|| "同事核对价格后，差价原路退回。".to_owned())
        }
        RuleId::CashBack => Some("金额由同事核实确认，通过转账支付，和订单退款分开处理。".to_owned()),
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
        NextStep::CancelUnpaidOrder => "接下来：您可以直接在店铺App里取消订单。".to_owned(),
        NextStep::RefundToOriginalPayment => "接下来：款项一般3–5个工作日到账。".to_owned(),
        NextStep::InterceptAndRefuseDelivery => {
            "接下来：如果快递仍然送到，请直接拒收；包裹退回途中就为您退款。".to_owned()
        }
        NextStep::SendItemBack => "接下来：我们稍后把退货地址发给您，寄出后请保留退货快递单号。".to_owned(),
        NextStep::Review => match &decision.review_by {
            Some(by) => format!("接下来：客服将在{}前在这里回复您。", WORDS.time(by)),
            None => "接下来：客服会尽快审核，并在这里回复您。".to_owned(),
        },
        NextStep::CarrierVerifies => "接下来：快递公司一般1–2个工作日内核实完毕，我们会在这里通知您。".to_owned(),
        NextStep::ChooseReturnInstead => format!(
            "接下来：如需寄回退款，请点击「{}」开始新的申请，并选择「{}」。",
            text(&Msg::MenuNew),
            outcome_label(Outcome::ReturnRefund)
        ),
        NextStep::QualityClaimOrPerson => format!(
            "接下来：如果商品有质量问题，仍在保修范围内，请点击「{}」重新申请，原因选「{}」；也可以点击「{}」。",
            text(&Msg::MenuNew),
            reason_label(Reason::QualityDefect),
            agent_button()
        ),
        NextStep::TalkToPerson => {
            format!("接下来：点击「{}」（或发送 /agent），同事会帮您看看还能怎么处理，比如维修。", agent_button())
        }
        NextStep::AddPhotos => {
            format!("接下来：请点击「{}」重新申请并附上照片，或点击「{}」。", text(&Msg::MenuNew), agent_button())
        }
        NextStep::CashBackAfterReview => {
            let by = decision.review_by.as_ref().map(|by| format!("在{}前", WORDS.time(by))).unwrap_or_default();
            format!("接下来：客服会{by}核实，审核通过后当天下班前转账返现。")
        }
        NextStep::SeeExistingCase => format!(
            "接下来：原来的申请会继续处理。在「{}」里再次选择这件商品，就可以给它补充说明或照片；也可以点击「{}」。",
            text(&Msg::MenuNew),
            agent_button()
        ),
    }
}

/// 决定的完整说明：结论、规则、客户看到的内容，以及规则用到的每一项事实。
pub(super) fn explanation(decision: &DecisionText, facts: &[Fact<NaiveDateTime>]) -> String {
    let mut lines = vec![
        format!("结论：{}", verdict_label(decision.verdict)),
        format!("申请：{}", outcome_label(decision.outcome)),
        format!("规则：{}", decision.rule.code()),
    ];
    lines.extend(decision_lines(decision, false));
    lines.push("依据的事实：".to_owned());
    if facts.is_empty() {
        lines.push("• 无记录".to_owned());
    }
    lines.extend(facts.iter().map(|fact| format!("• {}", fact_text(fact))));
    lines.join("\n")
}

pub(super) fn fact_text(fact: &Fact<NaiveDateTime>) -> String {
    let yes_no = |yes: bool| if yes { "有" } else { "无" };
    match fact {
        Fact::RequestedAt(at) => format!("申请时间：{}", WORDS.full_time(at)),
        Fact::Stage(stage) => format!(
            "订单状态：{}",
            match stage {
                Stage::Unpaid => "未付款",
                Stage::PaidNotShipped => "已付款，未发货",
                Stage::InTransit => "运输中",
                Stage::Delivered => "已签收",
            }
        ),
        Fact::PaidAt(at) => format!("付款时间：{}", WORDS.full_time(at)),
        Fact::DeliveredAt(at) => format!("签收时间：{}", WORDS.full_time(at)),
        Fact::Window { from, length, ends } => format!(
            "期限：{}，从{}起算，最后有效时间{}",
            span(*length),
            WORDS.full_time(from),
            WORDS.full_time(&(*ends - Duration::minutes(1)))
        ),
        Fact::Category { name, no_reason_return } => {
            format!("商品类目：{name}（{}）", if *no_reason_return { "支持无理由退货" } else { "不支持无理由退货" })
        }
        Fact::Photos { have, need } => format!("照片：已传{have}张，至少需要{need}张"),
        Fact::ResaleIntact(true) => "商品状态（客户声明）：未使用，吊牌和原包装完好".to_owned(),
        Fact::ResaleIntact(false) => "商品状态（客户声明）：已使用，或吊牌、包装不全".to_owned(),
        Fact::ExchangesUsed { used, allowed } => format!("已换货次数：{used}次（最多{allowed}次）"),
        Fact::Units { asked, claimed, of } => {
            format!("数量：本次申请{asked}件，其他申请已占{claimed}件，共{of}件")
        }
        Fact::ReplacementDeliveredAt(at) => format!("换货新品签收时间：{}", WORDS.full_time(at)),
        Fact::Paid(money) => format!("该数量实付金额：{money}"),
        Fact::AlreadyRefunded(money) => format!("该商品已退金额：{money}"),
        Fact::FreightInsurance(insured) => format!("运费险：{}", yes_no(*insured)),
        Fact::ReviewBy { working_days, by } => {
            format!("审核时限：{working_days}个工作日，{}前", WORDS.full_time(by))
        }
    }
}

/// 「🎁 10元优惠券（价值¥10.00）」：店铺自己写的挽留方案。
pub(super) fn offer_line(offer: &str, kind: OfferKind, value: Option<Money>) -> String {
    let offer = offer.trim();
    let icon = match kind {
        OfferKind::Coupon | OfferKind::Gift => "🎁",
        OfferKind::KeepDiscount => "💰",
        OfferKind::OtherStyle => "🔄",
    };
    match value {
        Some(value) if kind == OfferKind::KeepDiscount => format!("{icon} {offer}（退您{value}）"),
        Some(value) => format!("{icon} {offer}（价值{value}）"),
        None => format!("{icon} {offer}"),
    }
}

/// 系统自动结论，用于决定说明和客服群的售后卡片。
pub(super) fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approved => "已同意",
        Verdict::NeedsReview => "需人工审核（不是拒绝）",
        Verdict::NotEligible => "按规则无法受理",
    }
}

/// 客服同意后接下来怎么办，按同意的处理方式。
pub(super) fn after_decision(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::RefundOnly | Outcome::PartialRefund | Outcome::PriceProtection => {
            "款项会原路退回，一般3–5个工作日到账。"
        }
        Outcome::ReturnRefund => "请把商品寄回（退货地址稍后发给您），仓库验货通过后款项原路退回。",
        Outcome::CashBack => "我们会把返现转账给您，一般当天完成。",
        Outcome::Exchange => "请把商品寄回（退货地址稍后发给您），我们会给您寄出新商品，并在这里告诉您快递单号。",
        Outcome::Reship => "我们会尽快为您补发，并在这里告诉您快递单号。",
        Outcome::Repair => "请把商品寄回维修（地址稍后发给您），修好后寄回给您，并在这里告诉您快递单号。",
    }
}
