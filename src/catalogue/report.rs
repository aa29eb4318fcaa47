//! The words of `aftersales report`'s table and page: section titles and
//! row labels, in Chinese and English. The figures and their layout are
//! `report`'s.

use chrono::NaiveDate;

use crate::case::CaseStatus;
use crate::lang::Lang;
use crate::money::Money;
use crate::policy::{Outcome, ShippingPayer, Verdict};
use crate::reason::Reason;

/// The figures a report leads with: the page's first cards, and the
/// message agents get with the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub opened: u32,
    pub closed: u32,
    pub open_at_end: u32,
    pub return_rate_pct: Option<f64>,
    pub refunded: Money,
    pub csat_average: Option<f64>,
    pub csat_answered: u32,
    /// The reasons with the most cases, most first.
    pub top_reasons: Vec<(Reason, u32)>,
}

/// A title or a row label of the report table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Title,
    Period,
    Volume,
    ReturnRate,
    Reasons,
    Money,
    Policy,
    Retention,
    Satisfaction,
    Opened,
    Closed,
    OpenAtEnd,
    ByOutcome,
    ByStatus,
    Overall,
    ByCategory,
    TopSkus,
    Delivered,
    Cases,
    Rate,
    Share,
    Refunded,
    PartialRefunds,
    CashBack,
    Coupons,
    ReturnShipping,
    Parcels,
    FreightInsurance,
    ShippingCashBack,
    Rule,
    RulesVersions,
    Offer,
    Made,
    Accepted,
    Declined,
    CasesKept,
    KeptValue,
    Sent,
    Answered,
    AnswerRate,
    Average,
    Distribution,
    LowScores,
    Nothing,
    /// The line chart of cases opened each day.
    PerDay,
    /// The average satisfaction score (the page's headline card).
    Csat,
    Verdict(Verdict),
    Payer(ShippingPayer),
    Reason(Reason),
    Outcome(Outcome),
    Status(CaseStatus),
}

/// The label in `lang`.
pub fn label(lang: Lang, label: Label) -> String {
    match lang {
        Lang::Zh => zh(label),
        Lang::En => en(label),
    }
}

fn zh(label: Label) -> String {
    let text = match label {
        Label::Title => "售后月报",
        Label::Period => "统计期间",
        Label::Volume => "售后量",
        Label::ReturnRate => "退货率",
        Label::Reasons => "售后原因",
        Label::Money => "金额",
        Label::Policy => "规则判定",
        Label::Retention => "挽留",
        Label::Satisfaction => "满意度",
        Label::Opened => "新建",
        Label::Closed => "已结案",
        Label::OpenAtEnd => "期末未结",
        Label::ByOutcome => "按处理方式",
        Label::ByStatus => "按状态",
        Label::Overall => "总体",
        Label::ByCategory => "按类目",
        Label::TopSkus => "按SKU（前10）",
        Label::Delivered => "签收商品行",
        Label::Cases => "售后单",
        Label::Rate => "比率",
        Label::Share => "占比",
        Label::Refunded => "退款",
        Label::PartialRefunds => "部分退款",
        Label::CashBack => "返现",
        Label::Coupons => "挽留优惠券",
        Label::ReturnShipping => "退货运费（按承担方）",
        Label::Parcels => "包裹",
        Label::FreightInsurance => "运费险",
        Label::ShippingCashBack => "垫付返现",
        Label::Rule => "规则",
        Label::RulesVersions => "规则版本",
        Label::Offer => "挽留方案",
        Label::Made => "提出",
        Label::Accepted => "接受",
        Label::Declined => "拒绝",
        Label::CasesKept => "挽留成功（保留商品）",
        Label::KeptValue => "未退款金额",
        Label::Sent => "已发送",
        Label::Answered => "已评价",
        Label::AnswerRate => "评价率",
        Label::Average => "平均分",
        Label::Distribution => "分布（1–5分）",
        Label::LowScores => "低分",
        Label::Nothing => "无",
        Label::PerDay => "每日新建售后单",
        Label::Csat => "满意度均分",
        Label::Verdict(Verdict::Approved) => "同意",
        Label::Verdict(Verdict::NeedsReview) => "人工审核",
        Label::Verdict(Verdict::NotEligible) => "不受理",
        Label::Payer(ShippingPayer::Customer) => "客户",
        Label::Payer(ShippingPayer::Shop) => "商家",
        Label::Payer(ShippingPayer::Carrier) => "快递公司",
        Label::Reason(reason) => super::zh::reason_label(reason),
        Label::Outcome(outcome) => super::zh::outcome_label(outcome),
        Label::Status(status) => super::zh::status_label(status),
    };
    text.to_owned()
}

fn en(label: Label) -> String {
    let text = match label {
        Label::Title => "After-sales report",
        Label::Period => "Period",
        Label::Volume => "Volume",
        Label::ReturnRate => "Return rate",
        Label::Reasons => "Reasons",
        Label::Money => "Money",
        Label::Policy => "Policy",
        Label::Retention => "Retention",
        Label::Satisfaction => "Satisfaction",
        Label::Opened => "Opened",
        Label::Closed => "Closed",
        Label::OpenAtEnd => "Open at the end",
        Label::ByOutcome => "By outcome",
        Label::ByStatus => "By status",
        Label::Overall => "Overall",
        Label::ByCategory => "By category",
        Label::TopSkus => "By SKU (top 10)",
        Label::Delivered => "Lines delivered",
        Label::Cases => "Cases",
        Label::Rate => "Rate",
        Label::Share => "Share",
        Label::Refunded => "Refunded",
        Label::PartialRefunds => "Partial refunds",
        Label::CashBack => "Cash-back",
        Label::Coupons => "Retention coupons",
        Label::ReturnShipping => "Return shipping by who paid",
        Label::Parcels => "Parcels",
        Label::FreightInsurance => "Insured",
        Label::ShippingCashBack => "Repaid",
        Label::Rule => "Rule",
        Label::RulesVersions => "Rules versions",
        Label::Offer => "Offer",
        Label::Made => "Made",
        Label::Accepted => "Accepted",
        Label::Declined => "Declined",
        Label::CasesKept => "Cases kept",
        Label::KeptValue => "Not refunded",
        Label::Sent => "Sent",
        Label::Answered => "Answered",
        Label::AnswerRate => "Answer rate",
        Label::Average => "Average",
        Label::Distribution => "Distribution (1–5)",
        Label::LowScores => "Low scores",
        Label::Nothing => "none",
        Label::PerDay => "Cases opened per day",
        Label::Csat => "CSAT",
        Label::Verdict(Verdict::Approved) => "approved",
        Label::Verdict(Verdict::NeedsReview) => "review",
        Label::Verdict(Verdict::NotEligible) => "refused",
        Label::Payer(ShippingPayer::Customer) => "customer",
        Label::Payer(ShippingPayer::Shop) => "shop",
        Label::Payer(ShippingPayer::Carrier) => "carrier",
        Label::Reason(reason) => super::en::reason_label(reason),
        Label::Outcome(outcome) => super::en::outcome_label(outcome),
        Label::Status(status) => super::en::status_label(status),
    };
    text.to_owned()
}
