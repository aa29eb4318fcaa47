//! Scripted retention (挽留, docs/domain.md §5): before a subjective return or a
//! refund before delivery goes ahead, the shop's offers are made in the
//! configured order. Quality and logistics problems are never "retained".
//! Declining costs nothing and takes one tap. Pure: the customer's history
//! is a parameter.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::money::{Currency, Money};
use crate::order::{Order, OrderStage};
use crate::policy::{Decision, Outcome, Verdict};
use crate::reason::{Reason, ReasonClass};

/// The script: `[retention]` in the config.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Script {
    pub enabled: bool,
    /// Offered in this order, each at most once per case.
    pub offers: Vec<Offer>,
}

impl Default for Script {
    /// Another size or style costs the shop nothing; money offers are the
    /// shop's to set, so none is made up here.
    fn default() -> Self {
        Script {
            enabled: true,
            offers: vec![Offer {
                id: "other_style".into(),
                kind: OfferKind::OtherStyle,
                text_zh: "可以为您换一个尺码或款式，免去退货退款的等待".into(),
                text_en: "We can swap it for another size or style instead, with no wait for a refund".into(),
                value: None,
                reasons: Vec::new(),
                categories: Vec::new(),
                min_order_value: None,
                max_past_cases: None,
                per_customer_per_month: 3,
            }],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// A short name, stored with every offer made.
    pub id: String,
    pub kind: OfferKind,
    pub text_zh: String,
    pub text_en: String,
    /// What the offer is worth, in the shop's currency ("10.00").
    #[serde(default)]
    pub value: Option<String>,
    /// Only for these reasons (codes); empty means every subjective reason.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Only for these product categories; empty means all.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Only for orders worth at least this much ("100.00").
    #[serde(default)]
    pub min_order_value: Option<String>,
    /// Only for customers with at most this many earlier cases.
    #[serde(default)]
    pub max_past_cases: Option<u32>,
    /// Accepted at most this many times per customer in 30 days.
    #[serde(default = "one")]
    pub per_customer_per_month: u32,
}

fn one() -> u32 {
    1
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    /// 优惠券: a coupon for a next order.
    Coupon,
    /// 赠品: a gift sent with the next order.
    Gift,
    /// 折价: part of the price back if the customer keeps the item.
    KeepDiscount,
    /// 推荐其他款式: another size or style — the return becomes an exchange.
    OtherStyle,
}

impl OfferKind {
    pub fn code(self) -> &'static str {
        match self {
            OfferKind::Coupon => "coupon",
            OfferKind::Gift => "gift",
            OfferKind::KeepDiscount => "keep_discount",
            OfferKind::OtherStyle => "other_style",
        }
    }
}

/// What became of an offer shown on a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferResult {
    Accepted,
    Declined,
}

impl OfferResult {
    pub fn code(self) -> &'static str {
        match self {
            OfferResult::Accepted => "accepted",
            OfferResult::Declined => "declined",
        }
    }
}

/// An offer as made on one case, for the case record and the reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferMade {
    pub offer_id: String,
    pub kind: OfferKind,
    pub value: Option<Money>,
    pub result: OfferResult,
}

/// The customer's history that offers are conditioned on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// Cases the customer opened before.
    pub past_cases: u32,
    /// Ids of offers the customer accepted in the last 30 days, one per acceptance.
    pub accepted_recently: Vec<String>,
}

impl Offer {
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.text_zh,
            Lang::En => &self.text_en,
        }
    }

    pub fn value_in(&self, currency: Currency) -> Option<Money> {
        self.value.as_deref().and_then(|value| Money::parse_major(value, currency).ok())
    }
}

impl Script {
    pub fn offer(&self, id: &str) -> Option<&Offer> {
        self.offers.iter().find(|offer| offer.id == id)
    }

    /// Problems with the script, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (index, offer) in self.offers.iter().enumerate() {
            let key = format!("retention.offers[{index}] ({})", offer.id);
            if offer.id.trim().is_empty() || offer.id.len() > 32 {
                problems.push(format!("retention.offers[{index}].id: 1 to 32 characters"));
            }
            if self.offers.iter().filter(|other| other.id == offer.id).count() > 1 {
                problems.push(format!("{key}.id: used twice"));
            }
            for (name, text) in [("text_zh", &offer.text_zh), ("text_en", &offer.text_en)] {
                if text.trim().is_empty() || text.chars().count() > 500 {
                    problems.push(format!("{key}.{name}: 1 to 500 characters"));
                }
            }
            for (name, amount) in [("value", &offer.value), ("min_order_value", &offer.min_order_value)] {
                if let Some(amount) = amount
                    && Money::parse_major(amount, Currency::CNY).is_err()
                {
                    problems.push(format!("{key}.{name}: {amount:?} is not an amount such as \"10.00\""));
                }
            }
            if offer.kind != OfferKind::OtherStyle && offer.value.is_none() {
                problems.push(format!("{key}.value: a {} needs a value", offer.kind.code()));
            }
            for code in &offer.reasons {
                if Reason::from_code(code).is_none_or(|reason| !reason.class().can_be_retained()) {
                    problems.push(format!("{key}.reasons: {code:?} is not a subjective reason code"));
                }
            }
        }
        problems
    }
}

impl ReasonClass {
    /// Only a change of heart is talked about; a problem is put right.
    fn can_be_retained(self) -> bool {
        matches!(self, ReasonClass::Subjective | ReasonClass::Other)
    }
}

/// Whether the script runs before this request goes ahead: an approved
/// return or refund for a subjective reason — after delivery within the
/// window, or before delivery for a refund only.
pub fn applies(order: &Order, reason: Reason, decision: &Decision) -> bool {
    let wants_money = matches!(decision.outcome, Outcome::ReturnRefund | Outcome::RefundOnly);
    let before_delivery = matches!(order.stage(), OrderStage::PaidNotShipped | OrderStage::InTransit);
    let subjective = match reason.class() {
        ReasonClass::Subjective => true,
        ReasonClass::Other => before_delivery,
        _ => false,
    };
    decision.verdict == Verdict::Approved && wants_money && subjective
}

/// The offers to make, in order, for this request and customer. An offer
/// that turns the return into an exchange is made only where an exchange
/// is possible.
pub fn offers_for<'s>(
    script: &'s Script,
    order: &Order,
    category: &str,
    reason: Reason,
    exchange_possible: bool,
    history: &History,
) -> Vec<&'s Offer> {
    if !script.enabled {
        return Vec::new();
    }
    let order_value = order.total();
    let category = category.trim().to_lowercase();
    script
        .offers
        .iter()
        .filter(|offer| offer.reasons.is_empty() || offer.reasons.iter().any(|code| code == reason.code()))
        .filter(|offer| offer.categories.is_empty() || offer.categories.iter().any(|c| c.to_lowercase() == category))
        .filter(|offer| {
            offer
                .min_order_value
                .as_deref()
                .and_then(|value| Money::parse_major(value, order.currency).ok())
                .is_none_or(|min| order_value.minor >= min.minor)
        })
        .filter(|offer| offer.max_past_cases.is_none_or(|max| history.past_cases <= max))
        .filter(|offer| {
            let used = history.accepted_recently.iter().filter(|id| **id == offer.id).count();
            used < usize::try_from(offer.per_customer_per_month).unwrap_or(usize::MAX)
        })
        .filter(|offer| offer.kind != OfferKind::OtherStyle || exchange_possible)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::fixtures::{self, PAID, SHIPPED, SIGNED, at};
    use crate::policy::{self, LineHistory, Request};

    fn order(yuan: i64, delivered: bool) -> Order {
        let line = fixtures::line("SKU-1", "apparel", 1, yuan);
        match delivered {
            true => fixtures::order(line, Some(PAID), Some(SHIPPED), Some(SIGNED)),
            false => fixtures::order(line, Some(PAID), None, None),
        }
    }

    fn offer(id: &str, kind: OfferKind) -> Offer {
        Offer {
            id: id.into(),
            kind,
            text_zh: "送您一张优惠券".into(),
            text_en: "A coupon for you".into(),
            value: (kind != OfferKind::OtherStyle).then(|| "10.00".into()),
            reasons: Vec::new(),
            categories: Vec::new(),
            min_order_value: None,
            max_past_cases: None,
            per_customer_per_month: 1,
        }
    }

    fn decision(order: &Order, reason: Reason, outcome: Outcome, at_text: &str) -> Decision {
        let request = Request {
            order,
            line: &order.lines[0],
            quantity: 1,
            reason,
            outcome,
            photos: 3,
            resale_intact: Some(true),
            history: &LineHistory::default(),
            at: at(at_text),
        };
        policy::decide_by_default(&request)
    }

    #[test]
    fn the_script_runs_only_before_an_approved_subjective_return_or_early_refund() {
        let delivered = order(399, true);
        let not_shipped = order(399, false);
        let day3 = "2026-03-05T10:00:00+08:00";
        let table = [
            ("change of mind, in the window", &delivered, Reason::ChangedMind, Outcome::ReturnRefund, day3, true),
            (
                "out of the window: nothing to retain",
                &delivered,
                Reason::ChangedMind,
                Outcome::ReturnRefund,
                "2026-03-20T10:00:00+08:00",
                false,
            ),
            (
                "an exchange already keeps the sale",
                &delivered,
                Reason::WrongSizeOrdered,
                Outcome::Exchange,
                day3,
                false,
            ),
            (
                "a defect is put right, not retained",
                &delivered,
                Reason::QualityDefect,
                Outcome::ReturnRefund,
                day3,
                false,
            ),
            (
                "damaged in transit: apology, not offers",
                &delivered,
                Reason::DamagedInTransit,
                Outcome::RefundOnly,
                day3,
                false,
            ),
            ("refund before shipping", &not_shipped, Reason::NoLongerNeeded, Outcome::RefundOnly, day3, true),
            ("order changed before shipping", &not_shipped, Reason::OrderChanged, Outcome::RefundOnly, day3, true),
        ];
        for (case, order, reason, outcome, when, expected) in table {
            assert_eq!(applies(order, reason, &decision(order, reason, outcome, when)), expected, "{case}");
        }
    }

    #[test]
    fn offers_are_made_in_order_and_only_where_their_conditions_hold() {
        let mut coupon = offer("coupon", OfferKind::Coupon);
        coupon.reasons = vec!["found_cheaper".into()];
        let mut big_orders = offer("big", OfferKind::Gift);
        big_orders.min_order_value = Some("500.00".into());
        let mut newcomers = offer("new", OfferKind::KeepDiscount);
        newcomers.max_past_cases = Some(0);
        let mut shoes = offer("shoes", OfferKind::Coupon);
        shoes.categories = vec!["Shoes".into()];
        let style = offer("style", OfferKind::OtherStyle);
        let script = Script { enabled: true, offers: vec![coupon, big_orders, newcomers, shoes, style] };
        let ids = |order: &Order, reason: Reason, exchange: bool, history: &History| {
            offers_for(&script, order, "apparel", reason, exchange, history)
                .iter()
                .map(|o| o.id.clone())
                .collect::<Vec<_>>()
        };
        let first_timer = History::default();
        let regular = History { past_cases: 2, accepted_recently: vec!["coupon".into()] };
        assert_eq!(ids(&order(399, true), Reason::FoundCheaper, true, &first_timer), ["coupon", "new", "style"]);
        assert_eq!(ids(&order(399, true), Reason::ChangedMind, true, &first_timer), ["new", "style"]);
        assert_eq!(ids(&order(599, true), Reason::FoundCheaper, false, &regular), ["big"]);
        let off = Script { enabled: false, ..script.clone() };
        assert!(offers_for(&off, &order(399, true), "apparel", Reason::FoundCheaper, true, &first_timer).is_empty());
    }

    #[test]
    fn a_script_that_cannot_work_is_refused_with_its_key() {
        let mut no_value = offer("coupon", OfferKind::Coupon);
        no_value.value = None;
        let mut quality = offer("q", OfferKind::Gift);
        quality.reasons = vec!["quality_defect".into()];
        let mut bad_amount = offer("b", OfferKind::Gift);
        bad_amount.value = Some("ten".into());
        let script =
            Script { enabled: true, offers: vec![no_value, quality, bad_amount, offer("q", OfferKind::OtherStyle)] };
        let problems = script.problems().join("\n");
        for expected in ["(coupon).value", "(q).reasons", "(b).value", "(q).id: used twice"] {
            assert!(problems.contains(expected), "{expected} not in:\n{problems}");
        }
        assert!(Script::default().problems().is_empty());
    }
}
