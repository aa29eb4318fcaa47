//! 中文：客户提交售后申请时的文字（指令、订单、原因、处理方式、凭证）。

use super::*;

/// 指令菜单和 /help 里的一行说明。
pub(super) fn command_description(command: &str) -> &'static str {
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
pub(super) fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "中文",
        Lang::En => "English",
    }
}

/// 「DEMO-1004 · 羊毛外套等2件 · ¥597.00」：商品名截短到标签不超过40字，
/// 订单号太长时只显示订单号和合计。汉字占两格，所以商品名最多10个字。
pub(super) fn order_button(order: &OrderNo, first_item: &str, lines: usize, total: Money) -> String {
    let more = match lines {
        0 | 1 => String::new(),
        n => format!("等{n}件"),
    };
    order_label(order, first_item, &more, total, 3..=10).unwrap_or_else(|| format!("{order} · 合计{total}"))
}

pub(super) fn agent_button() -> String {
    text(&Msg::MenuAgent)
}

pub(in crate::catalogue) fn reason_label(reason: Reason) -> &'static str {
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

pub(in crate::catalogue) fn outcome_label(outcome: Outcome) -> &'static str {
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

pub(super) fn ask_evidence(kind: EvidenceKind, min: u8, max: u8) -> String {
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
