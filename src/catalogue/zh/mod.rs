//! 中文话术：客户看到的每一句话，用售后客服的日常说法。

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

/// 中文的日期格式和退货地址用语。
const WORDS: Words = Words {
    date: "%-m月%-d日",
    time: "%-m月%-d日 %H:%M",
    date_with_year: "%Y年%-m月%-d日",
    full_time: "%Y年%-m月%-d日 %H:%M",
    address_promised: "📮 客服会在这里发给您退货地址，请稍候。",
    address_heading: "📮 退货地址：",
    address_labels: ["收件人", "电话", "地址"],
    colon: "：",
};

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
        Msg::MenuPrompt => "请问有什么可以帮您？请点击下方按钮，或直接发送订单号。".to_owned(),
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
        Msg::TerminalCommands => {
            "在终端里还可以用：/photo 文件路径 – 发送照片（多个路径为一组相册，“ -- ”后面的文字是照片说明）；\
             /contact 手机号 – 分享手机号"
                .to_owned()
        }
        Msg::PhotoUnreadable { path } => format!("找不到或打不开文件 {path}，请检查路径后再用 /photo 发送。"),
        Msg::PhotoTooLarge { path, max_mb } => format!("文件 {path} 超过{max_mb} MB，无法使用，请发送小一点的文件。"),
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
            WORDS.time(until),
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
            WORDS.time(until),
            agent_button()
        ),
        Msg::ProofByContactOnly => {
            "为了订单安全，这个订单现在只能用下方按钮分享手机号来验证，不再接受输入的数字。也可以发送「人工」，由同事为您核实。"
                .to_owned()
        }
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
        Msg::AskReason { item, shipped: true } => format!("「{item}」遇到了什么问题？请选择原因："),
        Msg::AskReason { item, shipped: false } => format!("请问您为什么想取消「{item}」？请选择原因："),
        Msg::ReasonLabel(reason) => reason_label(*reason).to_owned(),
        Msg::AskDetail => {
            format!("可以简单描述一下具体情况吗？直接输入文字即可，也可以点「{}」。", text(&Msg::SkipButton))
        }
        Msg::SkipButton => "跳过".to_owned(),
        Msg::AskEvidence { kind, min, max } => ask_evidence(*kind, *min, *max),
        Msg::EvidenceReceived { have, min, max } => {
            let more = usize::from(*min).saturating_sub(*have);
            if more > 0 {
                format!("已收到{have}张，请再发至少{more}张。")
            } else if *have < usize::from(*max) {
                format!("已收到{have}张照片，谢谢！之后还可以继续补充（最多{max}张）。")
            } else {
                format!("已收到{have}张照片，谢谢！")
            }
        }
        Msg::EvidenceFull { max } => format!("已经收到{max}张，达到上限了，这张没有加上。"),
        Msg::DetailNoted => "好的，已记下您的说明。".to_owned(),
        Msg::NotEvidence => "这个文件不是照片或视频，没有算作凭证。".to_owned(),
        Msg::NotAPhoto => "抱歉，这里只能用照片或视频作为凭证（表情、语音和其他文件都不行），请发送照片 📷".to_owned(),
        Msg::AskOutcome => "您希望我们怎么处理？".to_owned(),
        Msg::OutcomeLabel(outcome) => outcome_label(*outcome).to_owned(),
        Msg::Summary { order, item, quantity, reason, detail, photos, outcome, resale_intact } => {
            let reason = match detail.trim() {
                "" => reason_label(*reason).to_owned(),
                detail => format!("{}（{detail}）", reason_label(*reason)),
            };
            let photos = match photos {
                0 => "无".to_owned(),
                n => format!("{n}张"),
            };
            let condition = match resale_intact {
                Some(true) => "\n商品状态：未使用，吊牌和原包装完好（您的声明）",
                Some(false) => "\n商品状态：已使用，或吊牌、包装不全（您的声明）",
                None => "",
            };
            format!(
                "请核对您的申请：\n\
                 订单：{order}\n\
                 商品：{item} ×{quantity}\n\
                 原因：{reason}\n\
                 照片：{photos}{condition}\n\
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
        Msg::AskCondition { item } => format!(
            "想跟您确认一下「{item}」的状态：商品是否未使用、未洗涤，吊牌和原包装都完好？\
             您的回答会作为您的声明记录在售后单上，商品寄回后仓库会验货。"
        ),
        Msg::ConditionIntactButton => "是的，未使用，吊牌包装完好".to_owned(),
        Msg::ConditionUsedButton => "已经使用过或穿过".to_owned(),
        Msg::RetentionOffer { text: offer, kind, value, first } => {
            let offer = offer_line(offer, *kind, *value);
            let decline = text(&Msg::DeclineOfferButton);
            if *first {
                format!(
                    "在为您办理之前想问一下：有什么能让您更愿意留下它吗？我们可以为您提供：\n{offer}\n\
                     如果您还是想继续申请，完全没问题，点一下「{decline}」就可以。"
                )
            } else {
                format!("还有一个方案：\n{offer}\n或者点一下「{decline}」，继续办理您的申请。")
            }
        }
        Msg::AcceptOfferButton { kind } => match kind {
            OfferKind::Coupon => "好的，我要优惠券",
            OfferKind::Gift => "好的，我要赠品",
            OfferKind::KeepDiscount => "保留商品，接受折价",
            OfferKind::OtherStyle => "好的，帮我换货",
        }
        .to_owned(),
        Msg::AnotherOfferButton => "还有别的方案吗？".to_owned(),
        Msg::DeclineOfferButton => "不用了，继续申请".to_owned(),
        Msg::OfferDeclined => "没问题，我们继续为您办理申请，不影响您的任何权益。".to_owned(),
        Msg::OtherStyleChosen => "好的，为您改为换货（换其他尺码或款式），请在下方核对并确认。".to_owned(),
        Msg::Retained { id, text: offer, kind, value } => {
            let offer = offer_line(offer, *kind, *value);
            let follow_up = match kind {
                OfferKind::Coupon => "同事会在1个工作日内把优惠券发到您的店铺账户。",
                OfferKind::Gift => "同事会在1个工作日内安排赠品，随您的下一个订单寄出。",
                OfferKind::KeepDiscount => "同事会在1个工作日内安排把这笔款项原路退回给您。",
                OfferKind::OtherStyle => "同事会在1个工作日内在这里跟进。",
            };
            format!("谢谢您的理解和支持！😊 售后单 {id} 已按保留商品完结，优惠已记录在售后单上：\n{offer}\n{follow_up}")
        }
        Msg::Explanation { decision, facts } => explanation(decision, facts),
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
        Msg::CaseButton { id, item } => format!("{id} · {}", clip(item, 12)),
        Msg::CaseDetail(view) => case_detail(view),
        Msg::NoSuchCase { id } => {
            format!("您的售后单里没有 {id}。请核对一下单号，或点击「{}」查看您的售后单。", text(&Msg::MenuCases))
        }
        Msg::CaseNoLongerOpen { id } => format!(
            "售后单 {id} 已经处理完毕，不能再补充内容了。下面是它的情况；如果还有问题，请点击「{}」。",
            agent_button()
        ),
        Msg::UnitsClaimed { item, of, cases } => {
            let all = if *of == 1 { format!("「{item}」已经") } else { format!("「{item}」共{of}件，已经全部") };
            let mut reply = format!("{all}在售后申请里了，同一件商品只能申请一次：");
            for case in cases {
                reply.push_str(&format!(
                    "\n• {} · {}件 · {} · {}。接下来：{}",
                    case.id,
                    case.quantity,
                    outcome_label(case.outcome),
                    status_label(case.status),
                    claim_next(case.status, case.outcome)
                ));
            }
            reply.push_str(match cases.iter().any(|case| case.own) {
                true => "\n您可以给原来的申请补充说明或照片，也可以转人工。",
                false => "\n这个申请是在其他聊天里提交的，可以转人工由同事帮您处理。",
            });
            reply
        }
        Msg::UnitsPartlyClaimed { item, left, of, cases } => {
            let cases = cases.iter().map(CaseId::as_str).collect::<Vec<_>>().join("、");
            let claimed = of.saturating_sub(*left);
            format!("「{item}」共{of}件，其中{claimed}件已在{cases}里，还可以申请{left}件。")
        }
        Msg::AddToCaseButton { id } => format!("➕ 补充到{id}"),
        Msg::FinishedAddingButton => "完成 ✓".to_owned(),
        Msg::ExchangeInsteadButton => "🔄 改为换货".to_owned(),
        Msg::QualityClaimButton => "🛠 反馈质量问题".to_owned(),
        Msg::WhatNow => "您想怎么处理？".to_owned(),
        Msg::OtherItemButton => "选其他商品".to_owned(),
        Msg::AskAddition { id } => format!(
            "请发送要补充到{id}的内容：文字、照片或视频都可以，会记在售后单上，处理的同事都能看到。发完请点击「{}」。",
            text(&Msg::FinishedAddingButton)
        ),
        Msg::AddedToCase { id } => format!("已补充到{id} ✓"),
        Msg::AdditionsDone { id } => format!("谢谢！您发的内容都已记在{id}上，有进展会在这里通知您。"),
        Msg::AgentQueued { case, wait_minutes } => {
            let about = match case {
                Some(case) => format!("（售后单 {case}）"),
                None => String::new(),
            };
            format!(
                "好的，已为您转接人工客服{about}，预计等待约{}。在此期间，您有什么想告诉我们的，直接在这里留言就可以，\
                 我们都能看到。",
                wait(*wait_minutes)
            )
        }
        Msg::ShopWillReply { case, contact } => {
            let noted = match case {
                Some(case) => format!("已在售后单 {case} 上记下您想找人工客服。"),
                None => "已记下您想找人工客服。".to_owned(),
            };
            match contact.trim() {
                "" => format!("{noted}店铺的工作人员会在这里回复您。在此期间，下面的功能我也可以继续帮您办理。"),
                contact => format!("{noted}店铺的工作人员会尽快联系您，您也可以直接联系我们：\n{contact}"),
            }
        }
        Msg::LanguagePrompt => "请选择语言 / Choose your language".to_owned(),
        Msg::LanguageName(lang) => language_name(*lang).to_owned(),
        Msg::LanguageSet => "好的，以后用中文和您交流。".to_owned(),
        Msg::StaleButton => "抱歉，这个按钮已过期。".to_owned(),
        Msg::TextTooLong { max } => format!("抱歉，这条消息太长了，请控制在{max}字以内。"),
        Msg::UseButtons => "请点击下方按钮选择（或发送 /cancel 取消）。".to_owned(),
        Msg::NumberOutOfRange { max } => format!("没有这个序号的选项：请输入 1 到 {max} 之间的数字，或点击按钮。"),
        Msg::UnexpectedMedia => "谢谢，不过现在还不需要照片或文件哦，请先回答上面的问题。".to_owned(),
        Msg::Unsupported => "抱歉，这里暂时看不了表情、语音这类消息，请打字或点击按钮。".to_owned(),
        Msg::EditNotRead => "我只能读取新消息，看不到修改过的内容。如有变动，请重新发送一条。".to_owned(),
        Msg::Chosen(inner) => {
            let label = text(inner);
            format!("✓ {}", label.strip_prefix("✓ ").unwrap_or(&label))
        }
        Msg::WaitLonger => "非常抱歉让您久等了，这次等待比承诺的时间长。您仍在排队中，同事会尽快在这里回复您，\
                            您发的消息都不会丢失。"
            .to_owned(),
        Msg::AgentJoined { agent } => match agent.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => format!("客服{name}正在为您处理，有什么问题直接在这里说就可以。"),
            _ => "客服同事正在为您处理，有什么问题直接在这里说就可以。".to_owned(),
        },
        Msg::AgentSays { agent, text } => format!("{agent}（客服）：{text}"),
        Msg::AgentDecided { case, outcome, amount, reason } => {
            let mut lines = vec![format!("售后单 {case} 有结果了：已为您同意「{}」。", outcome_label(*outcome))];
            lines.extend(amount.map(|amount| format!("金额：{amount}")));
            lines.extend(
                reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|reason| !reason.is_empty())
                    .map(|reason| format!("原因：{reason}")),
            );
            lines.push(after_decision(*outcome).to_owned());
            lines.join("\n")
        }
        Msg::AgentRejected { case, reason } => {
            let reason = match reason.trim() {
                "" => String::new(),
                reason => format!("\n原因：{reason}"),
            };
            format!(
                "很抱歉，售后单 {case} 这次没能为您通过。{reason}\n如果您想再沟通，直接在这里回复就可以；\
                 也可以发送 /new 提交其他申请。"
            )
        }
        Msg::BackWithBot => "感谢您的耐心！现在由智能助手继续为您服务，菜单如下。".to_owned(),
        Msg::CaseClosedByAgent { case } => {
            let what = case.as_ref().map_or_else(|| "本次咨询".to_owned(), |case| format!("售后单 {case} "));
            format!("{what}已关闭，感谢您的耐心与支持！之后有任何问题，随时在这里留言就可以。")
        }
        Msg::WithAPerson => "人工客服正在处理您的问题，这些按钮暂时停用，请直接在这里留言。".to_owned(),
        Msg::Card(view) => card(view),
        Msg::TopicName { case, reason, customer } => {
            let customer = one_line(customer, NAME_CHARS);
            let mut parts: Vec<String> = case.iter().map(CaseId::to_string).collect();
            parts.extend(reason.map(|reason| reason_label(reason).to_owned()));
            parts.push(customer);
            if case.is_none() {
                parts.push("咨询".to_owned());
            }
            parts.retain(|part| !part.is_empty());
            clip(&parts.join(" · "), 128)
        }
        Msg::TakeButton => "🙋 接单".to_owned(),
        Msg::ReleaseButton => "释放".to_owned(),
        Msg::ApproveButton => "✅ 同意".to_owned(),
        Msg::HandBackButton => "🤖 交回机器人".to_owned(),
        Msg::CloseButton => "结案".to_owned(),
        Msg::NotAnAgent => "只有本店客服可以处理售后单，此操作已记录。".to_owned(),
        Msg::NoteSaved => "📝 备注已保存（客户看不到）。".to_owned(),
        Msg::TakenBy { agent } => format!("此单已由 {agent} 接手。"),
        Msg::AlreadyYours => "此单已经是您在处理了。".to_owned(),
        Msg::TookCase { agent } => format!("{agent} 已接单。"),
        Msg::Released { agent } => format!("{agent} 已释放此单，重新排队。"),
        Msg::NotAssigned => "此单还没有人接手。".to_owned(),
        Msg::HandedBack { agent } => format!("{agent} 已把对话交回机器人。"),
        Msg::ClosedByAgent { agent } => format!("{agent} 已结案。"),
        Msg::NoCaseToDecide => "这里没有可处理的售后单：客户还没有提交申请。".to_owned(),
        Msg::CaseAlreadyClosed { case } => format!("售后单 {case} 已经结案。"),
        Msg::ResponsibilitySet { code } => format!("责任归属已设为：{}。", responsibility(*code)),
        Msg::AmountAboveCap { asked, cap } => format!("金额 {asked} 超过本单可退上限 {cap}。"),
        Msg::DecisionRecorded { agent, outcome, status, amount } => {
            let decided = match (status, amount) {
                (CaseStatus::NotEligible, _) => "拒绝".to_owned(),
                (_, Some(amount)) => format!("{} {amount}", outcome_label(*outcome)),
                (_, None) => outcome_label(*outcome).to_owned(),
            };
            format!("{agent} 已处理：{decided}，已通知客户。")
        }
        Msg::EscalationClosed => "此次转人工已经结束，未做任何更改。".to_owned(),
        Msg::CaseReopened => "客户再次来信，已重新打开。".to_owned(),
        Msg::SlaPing { case, why, waited_minutes, pings } => {
            let what = case.as_ref().map_or_else(|| "一个未建单的咨询".to_owned(), |case| format!("售后单 {case} "));
            format!(
                "⏰ {what}已等待{}，还没有客服接单（第{pings}次提醒）。转人工原因：{}。/take 接单？",
                wait(*waited_minutes),
                why_label(*why)
            )
        }
        Msg::Queue(lines) if lines.is_empty() => "没有待处理的售后单。🎉".to_owned(),
        Msg::Queue(lines) => {
            let mut reply = vec!["待处理的售后单（等待最久的在前）：".to_owned()];
            reply.extend(lines.iter().take(QUEUE_SHOWN).map(queue_line));
            if lines.len() > QUEUE_SHOWN {
                reply.push(format!("……还有{}条", lines.len() - QUEUE_SHOWN));
            }
            reply.join("\n")
        }
        Msg::ReportHeadline(top) => report_headline(top),
        Msg::CommandUsage(syntax) => format!("用法：{syntax}"),
        Msg::CustomerSent(described) => match described {
            Described::Sticker { emoji: Some(emoji) } => format!("【客户发来一个表情 {emoji}】"),
            Described::Sticker { emoji: None } => "【客户发来一个表情】".to_owned(),
            Described::Location => "【客户发来一个位置】".to_owned(),
            Described::Poll => "【客户发来一个投票】".to_owned(),
            Described::Other => "【客户发来一条机器人无法显示的消息】".to_owned(),
        },
        Msg::CannotRelay => "表情这类消息无法发给客户，请发送文字、照片或文件。".to_owned(),
        Msg::NotRelayed { status } => match status {
            Status::HandedBack | Status::Closed => {
                format!("未发送：此单{}，客户正在和机器人对话。", escalation_status(*status))
            }
            Status::Queued | Status::Taken => format!("未发送：此单{}。", escalation_status(*status)),
        },
        Msg::AgentsHelp => {
            let mut reply = "售后单话题里可用的指令：".to_owned();
            for name in AgentCommand::NAMES {
                reply.push_str(&format!("\n{} – {}", agent_command_syntax(name), agent_command_description(name)));
            }
            reply.push_str("\n在售后单话题里直接发的其他消息，都会转发给客户。");
            reply
        }
        Msg::ReturnInstructions { case, outcome, address } => format!(
            "售后单 {case}（{}）的寄回方式如下：\n\n{}\n\n📦 打包要求：\n\
             • 商品保持未使用，吊牌、配件和原包装齐全；\n\
             • 包裹里放一张写有售后单号 {case} 的纸条；\n\
             • 请先付邮费寄出，不要选择到付；如本单运费由我们承担，会返还给您；\n\
             • 请保留快递寄件凭证。\n\n\
             {}\n寄出后，请在这里回复退货快递单号。",
            outcome_label(*outcome),
            WORDS.return_address(address),
            after_arrival(*outcome)
        ),
        Msg::ConfirmTracking { case, carrier_zh, number, .. } => {
            format!("这是您的退货快递单号吗？\n{}（售后单 {case}）", parcel(carrier_zh, number))
        }
        Msg::TrackingRight => "✅ 是的，没错".to_owned(),
        Msg::TrackingWrong => "✏️ 不对，重新输入".to_owned(),
        Msg::TrackingSaved { case, carrier_zh, number, .. } => format!(
            "谢谢！售后单 {case} 的退货快递 {} 已记录。我们会跟踪包裹，有新进展会在这里告诉您。",
            parcel(carrier_zh, number)
        ),
        Msg::AskTrackingAgain { case } => {
            format!("好的，请重新输入售后单 {case} 的退货快递单号，可以在快递寄件凭证上找到。")
        }
        Msg::WhichCaseForParcel { carrier_zh, number, .. } => {
            format!("这个包裹是寄回哪个售后单的？\n{}\n请在下方选择售后单。", parcel(carrier_zh, number))
        }
        Msg::ParcelCaseButton { case, item } => case_and_item(case, item, "售后单"),
        Msg::ConfirmReplaceTracking { case, old, number } => {
            format!("售后单 {case} 已记录退货快递单号 {}。要改为 {} 吗？", old.trim(), number.trim())
        }
        Msg::ReplaceTrackingButton => "✅ 是的，改为新单号".to_owned(),
        Msg::KeepTrackingButton => "↩️ 不用，保留原单号".to_owned(),
        Msg::TrackingReplaced { case, old, number } => format!(
            "已更新！售后单 {case} 的退货快递单号已改为 {}，不再跟踪 {}。包裹有新进展会在这里告诉您。",
            number.trim(),
            old.trim()
        ),
        Msg::TrackingKept { case, number } => {
            format!("好的，售后单 {case} 继续使用退货快递单号 {}。", number.trim())
        }
        Msg::TrackingAlreadySaved { case, number } => format!(
            "售后单 {case} 已经记录了这个退货快递单号（{}），不需要再做什么。包裹有新进展会在这里告诉您。",
            number.trim()
        ),
        Msg::ParcelAlreadyArrived { case } => format!(
            "售后单 {case} 的退货包裹已经送达我们的仓库，快递单号不能再修改了。如有问题，可以点下方按钮联系人工客服。"
        ),
        Msg::TrackingNudge { case } => format!(
            "温馨提醒：售后单 {case} 的商品寄出后，请在这里回复退货快递单号，方便我们跟踪包裹。\
             如果还没寄出也不着急，寄出后再回复就可以。"
        ),
        Msg::ParcelUpdate { case, status, detail } => {
            let update = match status {
                ParcelStatus::PickedUp => format!("📦 售后单 {case}：快递已揽收您的退货包裹。"),
                ParcelStatus::InTransit => format!("🚚 售后单 {case}：您的退货包裹正在寄回途中。"),
                ParcelStatus::Delivered => format!(
                    "🏠 售后单 {case}：您的退货包裹已送达我们的仓库。验货后会为您办理退款或换货，并在这里告诉您。"
                ),
                ParcelStatus::Exception => format!(
                    "⚠️ 售后单 {case}：您的退货包裹出现了异常，我们正在和快递公司核实，您不需要做什么，\
                     有进展会在这里告诉您。"
                ),
            };
            match detail.trim() {
                "" => update,
                detail => format!("{update}\n快递信息：{}", clip(detail, DETAIL_CHARS)),
            }
        }
        Msg::NoScanUpdate { case } => format!(
            "售后单 {case}：您的退货包裹有一段时间没有物流更新了，我们正在和快递公司核实，您不需要做什么，\
             有进展会在这里告诉您。"
        ),
        Msg::InspectionFailed { case, reason } => {
            let reason = match reason.trim() {
                "" => String::new(),
                reason => format!("\n原因：{}", clip(reason, DETAIL_CHARS)),
            };
            format!(
                "售后单 {case} 的退回商品已经验货，很抱歉，这次验货没有通过。{reason}\n\
                 客服同事会在这里联系您，和您商量接下来怎么处理。如果您有照片或疑问，直接在这里回复就可以。"
            )
        }
        Msg::ExchangeInspected { case } => {
            format!("好消息：售后单 {case} 的退回商品已验货通过，我们会尽快为您寄出新商品，并在这里告诉您快递单号。")
        }
        Msg::RefundIssued { case, amount, arrive_by } => {
            format!("💰 售后单 {case} 的退款 {amount} 已原路退回，预计{}前到账。", WORDS.date(arrive_by))
        }
        Msg::Progress { case, waiting } => {
            let now = match waiting {
                Waiting::Review => "客服同事还在审核您的申请",
                Waiting::Inspection => "您的退货包裹已到仓库，正在等待验货",
                Waiting::Refund => "退款正在处理中",
            };
            format!("售后单 {case} 进度更新：{now}。在处理完毕之前，我们每天都会在这里告诉您最新进度。")
        }
        Msg::SurveyAsk { case } => {
            format!("您对售后单 {case} 的处理满意吗？请点击评分：1 = 非常不满意，5 = 非常满意。")
        }
        Msg::SurveyReminder { case } => format!(
            "打扰一下，只提醒这一次：您对售后单 {case} 的处理满意吗？方便的话请点击评分：1 = 非常不满意，5 = 非常满意。"
        ),
        Msg::RatingButton { score } => format!("⭐ {score}分"),
        Msg::SurveyAskComment { score } => format!(
            "感谢您的{score}分评价！还有什么想对我们说的吗？直接在这里输入就可以，也可以点「{}」。",
            text(&Msg::NoCommentButton)
        ),
        Msg::SurveySorry { score } => format!(
            "很抱歉这次没能让您满意（您打了{score}分）。您可以直接在这里告诉我们哪里做得不好，也可以点「{}」，\
             我们会安排专人跟进。",
            text(&Msg::MenuAgent)
        ),
        Msg::NoCommentButton => "不用了".to_owned(),
        Msg::SurveyThanks => "感谢您的反馈！我们会继续努力做得更好。😊".to_owned(),
        Msg::SurveyAlreadyAnswered => "谢谢，您已经评价过了。".to_owned(),
        Msg::AlertNoScan { case, number, since } => {
            let since =
                since.as_ref().map_or_else(|| "自客户提供单号以来".to_owned(), |at| format!("自{}起", WORDS.time(at)));
            format!(
                "🚚 {case} · 退货包裹{}{since}没有物流更新，请联系快递核实；已告知客户我们在跟进。",
                parcel_no(number)
            )
        }
        Msg::AlertParcelException { case, number, detail } => {
            let detail = match detail.trim() {
                "" => String::new(),
                detail => format!("：{}", clip(detail, DETAIL_CHARS)),
            };
            format!("⚠️ {case} · 退货包裹{}物流异常{detail}。请联系快递核实；已告知客户我们在跟进。", parcel_no(number))
        }
        Msg::AlertRefundOverdue { case, days } => format!(
            "⏰ {case} · 退货已到仓库，{days}个工作日内仍未退款。请记录验货结果（/inspect），或核实退款（付款后 /refunded）。"
        ),
        Msg::AlertRefundRefused { case, why } => {
            let why = match why.trim() {
                "" => "未说明原因".to_owned(),
                why => format!("「{}」", clip(why, DETAIL_CHARS)),
            };
            format!("❌ {case} · 退款系统拒绝了这笔退款：{why}。请处理后付款，再用 /refunded 确认。")
        }
        Msg::AlertManualRefund { case, amount } => {
            format!("💰 {case} · 验货已通过：请退款 {amount} 给客户，然后用 /refunded 确认。")
        }
        Msg::AlertShipReplacement { case } => {
            format!("📦 {case} · 换货的退回商品已验货通过：请寄出新商品，然后 /close 结案。")
        }
        Msg::AlertLowScore { case, score } => format!("⚠️ {case} · 满意度评分 {score}/5，请跟进客户。"),
        Msg::AlertSurveyComment { case, comment } => {
            format!("💬 {case} · 客户的评价留言：「{}」", clip(comment.trim(), COMMENT_CHARS))
        }
        Msg::AlertProofContactOnly { order, wrong, chats, hours } => format!(
            "🔒 订单 {order} · {hours}小时内有{chats}个对话共答错手机号后4位{wrong}次，现在只接受分享手机号验证，其他人来问请人工核实。"
        ),
        Msg::AlertReplyUndelivered { customer, chat_id, hours, error } => format!(
            "📭 发给{}（对话 {chat_id}）的回复{hours}小时内一直未能送达，已放弃：{}。请通过其他方式联系客户。",
            clip(customer, NAME_CHARS),
            clip(error, DETAIL_CHARS)
        ),
        Msg::AlertFollowupStopped { case } => format!("🚫 {case} · 客户已屏蔽机器人，此单的自动跟进已停止。"),
        Msg::InspectionRecorded { case, passed: true } => format!("✅ {case} · 已记录验货结果：通过。"),
        Msg::InspectionRecorded { case, passed: false } => {
            format!("❌ {case} · 已记录验货结果：未通过，已告知客户原因。")
        }
        Msg::RefundRecorded { case, amount } => format!("💰 {case} · 已记录退款 {amount}，已通知客户。"),
        Msg::NoReturnAtStage { case } => {
            let what = case.as_ref().map_or_else(|| "这里".to_owned(), |case| format!("{case} "));
            format!("ℹ️ {what}没有处于这一步的退货包裹：客户寄出包裹后才能用 /inspect，验货通过后才能用 /refunded。")
        }
    }
}

/// 「30分钟」「2小时」「1个半小时」「3天」：向上取整的等待时间（不含「约」）。
pub(super) fn wait(minutes: i64) -> String {
    match Wait::of(minutes) {
        Wait::Minutes(minutes) => format!("{minutes}分钟"),
        Wait::HalfHours(halves) if halves.is_multiple_of(2) => format!("{}小时", halves / 2),
        Wait::HalfHours(halves) => format!("{}个半小时", halves / 2),
        Wait::Days(days) => format!("{days}天"),
    }
}
