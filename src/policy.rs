//! The shop's rules for after-sales requests (DOMAIN.md §1, §4): which
//! reasons and outcomes an order allows, how many photos a reason needs, and
//! the decision on a request with the rule that made it. Pure: the time of
//! the request is a parameter.

use chrono::{DateTime, Days, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::config::{PhotoRange, PolicyRules};
use crate::money::Money;
use crate::order::{Order, OrderLine, OrderStage};
use crate::reason::{EvidenceKind, Reason, ReasonClass};

/// What the customer asks for (DOMAIN.md §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    RefundOnly,
    ReturnRefund,
    Exchange,
    Reship,
    Repair,
}

impl Outcome {
    pub const ALL: [Outcome; 5] =
        [Outcome::RefundOnly, Outcome::ReturnRefund, Outcome::Exchange, Outcome::Reship, Outcome::Repair];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::RefundOnly => "refund_only",
            Outcome::ReturnRefund => "return_refund",
            Outcome::Exchange => "exchange",
            Outcome::Reship => "reship",
            Outcome::Repair => "repair",
        }
    }

    pub fn from_code(code: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|outcome| outcome.code() == code)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approved,
    NeedsReview,
    NotEligible,
}

/// The rule that decided, so the customer and the agents see why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    OrderUnpaid,
    RefundBeforeShipping,
    RefundInTransit,
    CarrierCheck,
    NoReasonReturn,
    NoReasonWindowPassed,
    ExcludedCategory,
    ExchangeInWindow,
    ExchangeWindowPassed,
    QualityClaim,
    QualityReportWindowPassed,
    WarrantyPassed,
    LogisticsClaim,
    EvidenceMissing,
    OutcomeNotOffered,
}

/// What happens next, in the customer's words once rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// Cancel the unpaid order in the shop; nothing was charged.
    CancelUnpaidOrder,
    /// Refund to the original payment route (原路退回).
    RefundToOriginalPayment,
    /// The carrier is asked to intercept; refuse the delivery.
    InterceptAndRefuseDelivery,
    /// Send the item back; the return address follows.
    SendItemBack,
    /// A person checks the photos and answers within one working day.
    ReviewWithinWorkingDay,
    /// The carrier verifies the parcel in 1–2 working days.
    CarrierVerifies,
    /// A person can look at what is still possible (repair, an exception).
    TalkToPerson,
    /// Add the photos the reason needs.
    AddPhotos,
}

/// Who pays the parcel back to the shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShippingPayer {
    Customer,
    Shop,
    Carrier,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    pub rule: RuleId,
    pub next: NextStep,
    /// The deadline the rule counts to, when one applies.
    pub deadline: Option<DateTime<Utc>>,
    /// Who pays the return parcel, when one is sent back.
    pub return_shipping: Option<ShippingPayer>,
    /// Freight insurance (运费险) refunds the customer's return shipping.
    pub freight_insurance: bool,
    /// The most that can be refunded: what was paid for the lines returned.
    pub refund_cap: Money,
}

/// One request, as the customer put it together.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub order: &'a Order,
    pub line: &'a OrderLine,
    pub quantity: u32,
    pub reason: Reason,
    pub outcome: Outcome,
    pub photos: usize,
    pub at: DateTime<Utc>,
}

/// The reasons that make sense at this order's stage, in the order offered.
pub fn reasons_for(stage: OrderStage) -> Vec<Reason> {
    use Reason::*;
    match stage {
        OrderStage::Unpaid => Vec::new(),
        OrderStage::PaidNotShipped => vec![ChangedMind, WrongSizeOrdered, NoLongerNeeded, FoundCheaper, OrderChanged],
        OrderStage::InTransit => {
            vec![
                ChangedMind,
                WrongSizeOrdered,
                NoLongerNeeded,
                FoundCheaper,
                OrderChanged,
                LostParcel,
                NoTrackingUpdate,
            ]
        }
        OrderStage::Delivered { .. } => vec![
            QualityDefect,
            NotAsDescribed,
            SizeProblem,
            DamagedInTransit,
            MissingItems,
            WrongItem,
            SignedNotReceived,
            ChangedMind,
            WrongSizeOrdered,
            NoLongerNeeded,
            FoundCheaper,
        ],
    }
}

/// The outcomes offered for a reason at this order's stage (DOMAIN.md §1).
pub fn outcomes_for(stage: OrderStage, reason: Reason) -> Vec<Outcome> {
    use Outcome::*;
    use Reason::*;
    match stage {
        OrderStage::Unpaid => Vec::new(),
        OrderStage::PaidNotShipped => vec![RefundOnly],
        OrderStage::InTransit => match reason {
            LostParcel | NoTrackingUpdate => vec![Reship, RefundOnly],
            _ => vec![RefundOnly],
        },
        OrderStage::Delivered { .. } => match reason {
            QualityDefect | NotAsDescribed => vec![ReturnRefund, Exchange, Repair],
            SizeProblem | WrongItem => vec![Exchange, ReturnRefund],
            // Broken goods that will not be reshipped may be refunded only.
            DamagedInTransit => vec![Reship, ReturnRefund, RefundOnly],
            MissingItems | SignedNotReceived => vec![Reship, RefundOnly],
            _ if reason.class() == ReasonClass::Subjective => vec![ReturnRefund, Exchange],
            _ => Vec::new(),
        },
    }
}

/// How many photos the reason needs, at least and at most; a minimum of 0
/// means photos are welcome but optional.
pub fn photos_needed(reason: Reason, rules: &PolicyRules) -> PhotoRange {
    match reason.evidence_kind() {
        Some(EvidenceKind::Defect) => rules.defect_photos,
        Some(_) => rules.other_photos,
        None => PhotoRange { min: 0, max: rules.other_photos.max },
    }
}

/// The end of the 7-day no-reason window: 00:00 (shop time) of the day after
/// sign-off, plus `days` × 24 hours.
pub fn no_reason_deadline(delivered_at: DateTime<Utc>, zone: Tz, days: u32) -> DateTime<Utc> {
    let next_day = delivered_at.with_timezone(&zone).date_naive() + Days::new(1);
    let midnight = next_day.and_time(NaiveTime::MIN);
    // A midnight skipped by a DST change falls back to the earliest valid instant.
    let start = zone
        .from_local_datetime(&midnight)
        .earliest()
        .map(|local| local.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight));
    start + Duration::hours(24 * i64::from(days))
}

/// Decides a request. Never a bare no: every verdict carries its rule and a
/// next step.
pub fn decide(request: &Request<'_>, rules: &PolicyRules, zone: Tz) -> Decision {
    let stage = request.order.stage();
    let refund_cap = request.line.unit_price.times(request.quantity.min(request.line.quantity));
    let decision = |verdict, rule, next| Decision {
        verdict,
        rule,
        next,
        deadline: None,
        return_shipping: None,
        freight_insurance: request.order.freight_insurance,
        refund_cap,
    };
    let delivered_at = match stage {
        OrderStage::Unpaid => {
            return decision(Verdict::NotEligible, RuleId::OrderUnpaid, NextStep::CancelUnpaidOrder);
        }
        _ if !outcomes_for(stage, request.reason).contains(&request.outcome) => {
            return decision(Verdict::NotEligible, RuleId::OutcomeNotOffered, NextStep::TalkToPerson);
        }
        _ if request.photos < usize::from(photos_needed(request.reason, rules).min) => {
            return decision(Verdict::NotEligible, RuleId::EvidenceMissing, NextStep::AddPhotos);
        }
        OrderStage::PaidNotShipped => {
            return decision(Verdict::Approved, RuleId::RefundBeforeShipping, NextStep::RefundToOriginalPayment);
        }
        OrderStage::InTransit => {
            return match request.reason.class() {
                ReasonClass::Logistics => {
                    decision(Verdict::NeedsReview, RuleId::CarrierCheck, NextStep::CarrierVerifies)
                }
                _ => decision(Verdict::Approved, RuleId::RefundInTransit, NextStep::InterceptAndRefuseDelivery),
            };
        }
        OrderStage::Delivered { at } => at,
    };
    let category = request.line.category.to_lowercase();
    let in_list = |list: &[String]| list.iter().any(|c| c.to_lowercase() == category);
    match request.reason.class() {
        ReasonClass::Subjective | ReasonClass::Other => {
            let returning = request.outcome == Outcome::ReturnRefund;
            if returning && in_list(&rules.excluded_categories) {
                return decision(Verdict::NotEligible, RuleId::ExcludedCategory, NextStep::TalkToPerson);
            }
            let days = if returning { rules.no_reason_return_days } else { rules.exchange_days };
            let deadline = no_reason_deadline(delivered_at, zone, days);
            let (verdict, rule, next) = match (request.at < deadline, returning) {
                (true, true) => (Verdict::Approved, RuleId::NoReasonReturn, NextStep::SendItemBack),
                (true, false) => (Verdict::Approved, RuleId::ExchangeInWindow, NextStep::SendItemBack),
                (false, true) => (Verdict::NotEligible, RuleId::NoReasonWindowPassed, NextStep::TalkToPerson),
                (false, false) => (Verdict::NotEligible, RuleId::ExchangeWindowPassed, NextStep::TalkToPerson),
            };
            Decision {
                deadline: Some(deadline),
                return_shipping: (verdict == Verdict::Approved).then_some(ShippingPayer::Customer),
                ..decision(verdict, rule, next)
            }
        }
        ReasonClass::Product => {
            let (deadline, late_rule) = if in_list(&rules.quality_report_categories) {
                (
                    delivered_at + Duration::hours(i64::from(rules.quality_report_hours)),
                    RuleId::QualityReportWindowPassed,
                )
            } else {
                (delivered_at + Duration::days(i64::from(rules.warranty_days)), RuleId::WarrantyPassed)
            };
            if request.at >= deadline {
                return Decision {
                    deadline: Some(deadline),
                    ..decision(Verdict::NotEligible, late_rule, NextStep::TalkToPerson)
                };
            }
            Decision {
                deadline: Some(deadline),
                return_shipping: Some(ShippingPayer::Shop),
                ..decision(Verdict::NeedsReview, RuleId::QualityClaim, NextStep::ReviewWithinWorkingDay)
            }
        }
        ReasonClass::Logistics => {
            let payer = match request.reason {
                Reason::DamagedInTransit | Reason::LostParcel | Reason::SignedNotReceived => ShippingPayer::Carrier,
                _ => ShippingPayer::Shop,
            };
            let sends_back = matches!(request.outcome, Outcome::ReturnRefund | Outcome::Exchange);
            Decision {
                return_shipping: sends_back.then_some(payer),
                ..decision(Verdict::NeedsReview, RuleId::LogisticsClaim, NextStep::ReviewWithinWorkingDay)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::order::{OrderNo, Phone};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).expect("test time")
    }

    fn order(category: &str, delivered: Option<&str>, insured: bool) -> Order {
        Order {
            no: OrderNo::from_trusted("T-000001"),
            phone: Phone::parse("13800138000").expect("phone"),
            customer_name: "王芳".into(),
            currency: Currency::CNY,
            lines: vec![OrderLine {
                sku: "SKU-1".into(),
                item_name: "外套".into(),
                category: category.into(),
                quantity: 2,
                unit_price: Money::new(19_900, Currency::CNY),
            }],
            paid_at: Some(at("2026-03-01T10:00:00+08:00")),
            shipped_at: Some(at("2026-03-01T18:00:00+08:00")),
            delivered_at: delivered.map(at),
            carrier: None,
            tracking_no: None,
            freight_insurance: insured,
        }
    }

    fn check(order: &Order, reason: Reason, outcome: Outcome, photos: usize, when: &str) -> Decision {
        let request = Request { order, line: &order.lines[0], quantity: 1, reason, outcome, photos, at: at(when) };
        decide(&request, &PolicyRules::default(), chrono_tz::Asia::Shanghai)
    }

    // Delivered (signed for) at 15:00 on 2 March, Shanghai time: the window
    // opens at 00:00 on 3 March and closes 168 hours later, 00:00 on 10 March.
    const SIGNED: &str = "2026-03-02T15:00:00+08:00";

    #[test]
    fn the_no_reason_window_is_counted_as_the_handbook_says() {
        let delivered = order("apparel", Some(SIGNED), false);
        let table = [
            ("2026-03-02T15:01:00+08:00", Verdict::Approved, RuleId::NoReasonReturn),
            ("2026-03-09T23:59:00+08:00", Verdict::Approved, RuleId::NoReasonReturn), // 167 h 59 m
            ("2026-03-10T00:00:00+08:00", Verdict::NotEligible, RuleId::NoReasonWindowPassed), // 168 h 00 m
            ("2026-03-12T12:00:00+08:00", Verdict::NotEligible, RuleId::NoReasonWindowPassed),
        ];
        for (when, verdict, rule) in table {
            let decision = check(&delivered, Reason::ChangedMind, Outcome::ReturnRefund, 0, when);
            assert_eq!((decision.verdict, decision.rule), (verdict, rule), "at {when}");
            assert_eq!(decision.deadline, Some(at("2026-03-10T00:00:00+08:00")));
        }
    }

    #[test]
    fn the_day_after_sign_off_is_the_shops_day_not_utcs() {
        // 23:30 UTC on 1 March is already 07:30 on 2 March in Shanghai.
        let deadline = no_reason_deadline(at("2026-03-01T23:30:00Z"), chrono_tz::Asia::Shanghai, 7);
        assert_eq!(deadline, at("2026-03-10T00:00:00+08:00"));
        // In New York, the spring DST change shortens nothing: still 168 h from midnight.
        let ny = no_reason_deadline(at("2026-03-07T15:00:00-05:00"), chrono_tz::America::New_York, 7);
        assert_eq!(ny, at("2026-03-08T00:00:00-05:00") + Duration::hours(168));
    }

    #[test]
    fn requests_are_decided_as_the_handbook_says() {
        use Outcome::*;
        use Reason::*;
        use Verdict::*;
        let apparel = order("apparel", Some(SIGNED), false);
        let underwear = order("underwear", Some(SIGNED), false);
        let furniture = order("furniture", Some(SIGNED), false);
        let mut not_shipped = order("apparel", None, false);
        not_shipped.shipped_at = None;
        let in_transit = order("apparel", None, false);
        let mut unpaid = not_shipped.clone();
        unpaid.paid_at = None;
        let day3 = "2026-03-05T10:00:00+08:00";
        let day12 = "2026-03-14T10:00:00+08:00";
        type Row<'a> = (&'a str, &'a Order, Reason, Outcome, usize, &'a str, Verdict, RuleId);
        let table: [Row; 14] = [
            (
                "unpaid orders have nothing to refund",
                &unpaid,
                ChangedMind,
                RefundOnly,
                0,
                day3,
                NotEligible,
                RuleId::OrderUnpaid,
            ),
            (
                "paid, not shipped: refund",
                &not_shipped,
                ChangedMind,
                RefundOnly,
                0,
                day3,
                Approved,
                RuleId::RefundBeforeShipping,
            ),
            (
                "in transit: intercept and refund",
                &in_transit,
                NoLongerNeeded,
                RefundOnly,
                0,
                day3,
                Approved,
                RuleId::RefundInTransit,
            ),
            (
                "in transit, lost: carrier checks",
                &in_transit,
                LostParcel,
                Reship,
                0,
                day3,
                NeedsReview,
                RuleId::CarrierCheck,
            ),
            (
                "delivered: refund only is not for a change of mind",
                &apparel,
                ChangedMind,
                RefundOnly,
                0,
                day3,
                NotEligible,
                RuleId::OutcomeNotOffered,
            ),
            (
                "no-reason return in window",
                &apparel,
                ChangedMind,
                ReturnRefund,
                0,
                day3,
                Approved,
                RuleId::NoReasonReturn,
            ),
            (
                "excluded category has no no-reason return",
                &underwear,
                ChangedMind,
                ReturnRefund,
                0,
                day3,
                NotEligible,
                RuleId::ExcludedCategory,
            ),
            (
                "exchange within 15 days",
                &apparel,
                WrongSizeOrdered,
                Exchange,
                0,
                day12,
                Approved,
                RuleId::ExchangeInWindow,
            ),
            (
                "return after 7 days is out of window",
                &apparel,
                WrongSizeOrdered,
                ReturnRefund,
                0,
                day12,
                NotEligible,
                RuleId::NoReasonWindowPassed,
            ),
            (
                "quality claim with 3 photos goes to review",
                &apparel,
                QualityDefect,
                ReturnRefund,
                3,
                day12,
                NeedsReview,
                RuleId::QualityClaim,
            ),
            (
                "quality claim without photos cannot be approved",
                &apparel,
                QualityDefect,
                ReturnRefund,
                2,
                day3,
                NotEligible,
                RuleId::EvidenceMissing,
            ),
            (
                "furniture quality within 48 h",
                &furniture,
                QualityDefect,
                Repair,
                3,
                "2026-03-04T14:59:00+08:00",
                NeedsReview,
                RuleId::QualityClaim,
            ),
            (
                "furniture quality after 48 h",
                &furniture,
                QualityDefect,
                Repair,
                3,
                "2026-03-04T15:00:00+08:00",
                NotEligible,
                RuleId::QualityReportWindowPassed,
            ),
            (
                "damaged in transit: the carrier pays",
                &apparel,
                DamagedInTransit,
                Reship,
                3,
                day12,
                NeedsReview,
                RuleId::LogisticsClaim,
            ),
        ];
        for (case, order, reason, outcome, photos, when, verdict, rule) in table {
            let decision = check(order, reason, outcome, photos, when);
            assert_eq!((decision.verdict, decision.rule), (verdict, rule), "{case}");
        }
    }

    #[test]
    fn who_pays_the_return_parcel() {
        let insured = order("apparel", Some(SIGNED), true);
        let day3 = "2026-03-05T10:00:00+08:00";
        let subjective = check(&insured, Reason::ChangedMind, Outcome::ReturnRefund, 0, day3);
        assert_eq!(subjective.return_shipping, Some(ShippingPayer::Customer));
        assert!(subjective.freight_insurance);
        let quality = check(&insured, Reason::QualityDefect, Outcome::ReturnRefund, 3, day3);
        assert_eq!(quality.return_shipping, Some(ShippingPayer::Shop));
        let transit = check(&insured, Reason::DamagedInTransit, Outcome::ReturnRefund, 3, day3);
        assert_eq!(transit.return_shipping, Some(ShippingPayer::Carrier));
    }

    #[test]
    fn the_refund_never_exceeds_what_was_paid_for_the_line() {
        let delivered = order("apparel", Some(SIGNED), false);
        let line = &delivered.lines[0];
        let request = Request {
            order: &delivered,
            line,
            quantity: 9,
            reason: Reason::ChangedMind,
            outcome: Outcome::ReturnRefund,
            photos: 0,
            at: at("2026-03-05T10:00:00+08:00"),
        };
        let decision = decide(&request, &PolicyRules::default(), chrono_tz::Asia::Shanghai);
        assert_eq!(decision.refund_cap, line.paid());
    }

    #[test]
    fn every_reason_offered_has_an_outcome() {
        let stages = [OrderStage::PaidNotShipped, OrderStage::InTransit, OrderStage::Delivered { at: at(SIGNED) }];
        for stage in stages {
            for reason in reasons_for(stage) {
                assert!(!outcomes_for(stage, reason).is_empty(), "{stage:?} {reason:?}");
            }
        }
    }
}
