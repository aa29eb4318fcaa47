//! 中文话术：客户看到的每一句话，用售后客服的日常说法。

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

/// 「 SF1234567890123 」，没有单号时为空。
fn parcel_no(number: &str) -> String {
    match number.trim() {
        "" => String::new(),
        number => format!(" {number} "),
    }
}

/// 退货包裹到仓库之后怎么办，按商定的处理方式。
fn after_arrival(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Exchange => "包裹到仓库验货通过后，我们会为您寄出新商品。",
        Outcome::Repair => "包裹到仓库后，我们会为您维修并寄回。",
        _ => "包裹到仓库验货通过后，款项原路退回。",
    }
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
        Reason::PriceDropped => "降价了（申请价保）",
        Reason::ShippingFee => "运费问题",
        Reason::PromisedDiscount => "承诺的优惠未兑现",
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::RefundOnly => "仅退款",
        Outcome::ReturnRefund => "退货退款",
        Outcome::Exchange => "换货",
        Outcome::Reship => "补发",
        Outcome::PartialRefund => "部分退款，保留商品",
        Outcome::PriceProtection => "价保退差价",
        Outcome::CashBack => "返现",
        Outcome::Repair => "维修",
    }
}

fn ask_evidence(kind: EvidenceKind, min: u8, max: u8) -> String {
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
    reply.push_str("视频也可以，可以一次发多张（相册）。给照片加一句说明（或直接打字），告诉我们具体情况。");
    if min > 0 {
        reply.push_str(&format!("收到{min}张后会自动进入下一步。"));
    }
    reply
}

fn case_opened(id: &CaseId, decision: &DecisionText) -> String {
    let verdict = verdict_said(decision.verdict);
    let mut lines = vec![format!("您的售后单 {id}（{}）已创建，{verdict}", outcome_label(decision.outcome))];
    lines.extend(decision_lines(decision, true));
    lines.join("\n")
}

/// 规则给出的结论，客户看到的说法。
fn verdict_said(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approved => "已同意 ✓",
        Verdict::NeedsReview => "需要同事审核后决定，这不是拒绝。",
        Verdict::NotEligible => "按店铺规则，这个申请无法受理。",
    }
}

/// 一张售后单的详情：申请内容、决定及其理由、同事后来的决定、下一步和最近的进展。
fn case_detail(view: &CaseView) -> String {
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
fn case_next(next: CaseNext, decision: &DecisionText) -> String {
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

fn milestone_text(milestone: &Milestone) -> String {
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

/// 决定的规则、运费、款项、仍可办理的和下一步；`buttons`：仍可办理的附带按钮。
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
        false => lines.push(format!("接下来：请在下面选择，或点击「{}」。", agent_button())),
    }
    lines
}

/// 「7天」「48小时」。
fn span(span: Length) -> String {
    match span {
        Length::Days(days) => format!("{days}天"),
        Length::Hours(hours) => format!("{hours}小时"),
    }
}

/// 「7天」，没有期限时为空。
fn span_or_empty(window: Option<Length>) -> String {
    window.map(span).unwrap_or_default()
}

/// 「签收后48小时内」，没有期限时为「签收后规定时间内」。
fn within(window: Option<Length>) -> String {
    match window {
        Some(window) => format!("{}内", span(window)),
        None => "规定时间内".to_owned(),
    }
}

fn rule_text(decision: &DecisionText) -> String {
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
fn possible_text(possible: &Possible<NaiveDateTime>) -> String {
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

fn shipping_text(payer: ShippingPayer, freight_insurance: bool, cash_back: bool) -> String {
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
fn refund_text(decision: &DecisionText) -> Option<String> {
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

fn next_text(decision: &DecisionText) -> String {
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
fn explanation(decision: &DecisionText, facts: &[Fact<NaiveDateTime>]) -> String {
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

fn fact_text(fact: &Fact<NaiveDateTime>) -> String {
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
fn offer_line(offer: &str, kind: OfferKind, value: Option<Money>) -> String {
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

fn status_label(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Approved => "已同意",
        CaseStatus::NeedsReview => "审核中",
        CaseStatus::NotEligible => "未通过(可转人工)",
        CaseStatus::Retained => "已完结（保留商品）",
        CaseStatus::Closed => "已完结",
    }
}

/// 占用这件商品的申请接下来会怎样。
fn claim_next(status: CaseStatus, outcome: Outcome) -> &'static str {
    match status {
        CaseStatus::NeedsReview => "客服正在审核，会在这里回复您。",
        CaseStatus::Approved if outcome.sends_item_back() => "请按发给您的退货地址寄回，并把退货快递单号发给我们。",
        CaseStatus::Approved => "我们正在办理，完成后会在这里通知您。",
        CaseStatus::NotEligible | CaseStatus::Retained | CaseStatus::Closed => "已处理完毕。",
    }
}

fn case_line(line: &CaseLine) -> String {
    format!(
        "{} · {} · {} · {} · {}",
        line.id,
        clip(&line.item, 12),
        outcome_label(line.outcome),
        status_label(line.status),
        WORDS.time(&line.opened)
    )
}

/// 系统自动结论，用于决定说明和客服群的售后卡片。
fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approved => "已同意",
        Verdict::NeedsReview => "需人工审核（不是拒绝）",
        Verdict::NotEligible => "按规则无法受理",
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

/// 客服同意后接下来怎么办，按同意的处理方式。
fn after_decision(outcome: Outcome) -> &'static str {
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

/// 转人工的原因（客服用语）。
fn why_label(why: Why) -> &'static str {
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
fn escalation_status(status: Status) -> &'static str {
    match status {
        Status::Queued => "排队中",
        Status::Taken => "处理中",
        Status::HandedBack => "已交回机器人",
        Status::Closed => "已结案",
    }
}

/// 售后单状态（客服用语）。
fn case_status(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Approved => "已同意",
        CaseStatus::NeedsReview => "审核中",
        CaseStatus::NotEligible => "未通过",
        CaseStatus::Retained => "已完结（客户保留商品）",
        CaseStatus::Closed => "已完结",
    }
}

/// 「6 运输」：责任归属代码和名称。
fn responsibility(code: u8) -> String {
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
fn spoken(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "中文",
        Lang::En => "英文",
    }
}

fn agent_command_description(name: &str) -> &'static str {
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
        _ => "",
    }
}

/// 「AS-1001 · 转人工原因 · 客户 · 已等时间 · 接单人」：/queue 的一行。
fn queue_line(line: &QueueLine) -> String {
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
fn card(view: &CardView) -> String {
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
