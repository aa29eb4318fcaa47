//! The handbook's rules as tables a shop owner can review: one row per rule
//! and boundary. The coat below was signed for at 15:00 on Monday 2 March
//! (Shanghai), so the 7-day window opens at 00:00 on 3 March and closes
//! 168 hours later, at 00:00 on 10 March.

use proptest::prelude::*;

use super::*;
use crate::order::fixtures::{self, PAID, SHIPPED, SIGNED, at};
use Outcome::*;
use Reason::*;
use Verdict::*;

/// Where the order stands.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stage {
    Unpaid,
    NotShipped,
    InTransit,
    Signed(&'static str),
}

/// The shop's rules and calendar, in Shanghai.
#[derive(Clone, Debug)]
pub(crate) struct Shop {
    rules: PolicyRules,
    calendar: Calendar,
}

impl Shop {
    pub(crate) fn new() -> Shop {
        Shop { rules: PolicyRules::default(), calendar: Calendar::default() }
    }

    fn policy(&self) -> Policy<'_> {
        Policy::new(&self.rules, &self.calendar, chrono_tz::Asia::Shanghai, "test")
    }

    fn order(&self, category: &str, stage: Stage, insured: bool) -> Order {
        let (paid, shipped, signed) = match stage {
            Stage::Unpaid => (None, None, None),
            Stage::NotShipped => (Some(PAID), None, None),
            Stage::InTransit => (Some(PAID), Some(SHIPPED), None),
            Stage::Signed(when) => (Some(PAID), Some(SHIPPED), Some(when)),
        };
        let line = fixtures::line("SKU-1", category, 2, 199);
        Order { freight_insurance: insured, ..fixtures::order(line, paid, shipped, signed) }
    }

    fn decide(&self, ask: &Ask) -> Decision {
        self.decide_under(ask, &self.policy())
    }

    fn decide_under(&self, ask: &Ask, policy: &Policy<'_>) -> Decision {
        let order = self.order(ask.category, ask.stage, ask.insured);
        let request = Request {
            order: &order,
            line: &order.lines[0],
            quantity: 1,
            reason: ask.reason,
            outcome: ask.outcome,
            photos: ask.photos,
            resale_intact: ask.resale_intact,
            history: &ask.history,
            at: at(ask.at),
        };
        decide(&request, policy)
    }
}

/// One request, as a row of a table.
#[derive(Clone, Debug)]
pub(crate) struct Ask {
    category: &'static str,
    stage: Stage,
    insured: bool,
    reason: Reason,
    outcome: Outcome,
    photos: usize,
    resale_intact: Option<bool>,
    history: LineHistory,
    at: &'static str,
}

/// A coat, signed for on 2 March, returned for a change of mind on 5 March.
/// The usual request of the tables, decided under `policy` (for the tests
/// of the config, which versions the rules).
pub(crate) fn decide_the_usual_ask(policy: &Policy<'_>) -> Decision {
    Shop::new().decide_under(&ask(), policy)
}

fn ask() -> Ask {
    Ask {
        category: "apparel",
        stage: Stage::Signed(SIGNED),
        insured: false,
        reason: ChangedMind,
        outcome: ReturnRefund,
        photos: 0,
        resale_intact: Some(true),
        history: LineHistory::default(),
        at: "2026-03-05T10:00:00+08:00",
    }
}

fn check(shop: &Shop, table: &[(&str, Ask, Verdict, RuleId)]) {
    for (case, ask, verdict, rule) in table {
        let decision = shop.decide(ask);
        assert_eq!((decision.verdict, decision.rule), (*verdict, *rule), "{case}");
    }
}

#[test]
fn each_order_stage_allows_what_the_handbook_says() {
    let damaged = Ask { reason: DamagedInTransit, photos: 3, ..ask() };
    check(
        &Shop::new(),
        &[
            ("unpaid: nothing was charged", Ask { stage: Stage::Unpaid, ..ask() }, NotEligible, RuleId::OrderUnpaid),
            (
                "paid, not shipped: refund",
                Ask { stage: Stage::NotShipped, outcome: RefundOnly, ..ask() },
                Approved,
                RuleId::RefundBeforeShipping,
            ),
            (
                "in transit: intercept, refuse delivery, refund",
                Ask { stage: Stage::InTransit, reason: NoLongerNeeded, outcome: RefundOnly, ..ask() },
                Approved,
                RuleId::RefundInTransit,
            ),
            (
                "in transit, parcel lost: the carrier checks",
                Ask { stage: Stage::InTransit, reason: LostParcel, outcome: Reship, ..ask() },
                NeedsReview,
                RuleId::CarrierCheck,
            ),
            (
                "in transit: an exchange is not a choice yet",
                Ask { stage: Stage::InTransit, outcome: Exchange, ..ask() },
                NotEligible,
                RuleId::OutcomeNotOffered,
            ),
            (
                "received, change of mind, refund only: steered to return and refund",
                Ask { outcome: RefundOnly, ..ask() },
                NotEligible,
                RuleId::RefundOnlyAfterReceipt,
            ),
            (
                "received, broken and not reshipped: refund only is possible",
                Ask { outcome: RefundOnly, ..damaged.clone() },
                NeedsReview,
                RuleId::LogisticsClaim,
            ),
            ("received, damaged: reship", Ask { outcome: Reship, ..damaged }, NeedsReview, RuleId::LogisticsClaim),
        ],
    );
}

#[test]
fn the_seven_day_return_counts_168_hours_from_the_midnight_after_sign_off() {
    check(
        &Shop::new(),
        &[
            (
                "a minute after sign-off",
                Ask { at: "2026-03-02T15:01:00+08:00", ..ask() },
                Approved,
                RuleId::NoReasonReturn,
            ),
            (
                "167 h 59 m after midnight",
                Ask { at: "2026-03-09T23:59:00+08:00", ..ask() },
                Approved,
                RuleId::NoReasonReturn,
            ),
            (
                "168 h 00 m after midnight",
                Ask { at: "2026-03-10T00:00:00+08:00", ..ask() },
                NotEligible,
                RuleId::NoReasonWindowPassed,
            ),
            (
                "signed 23:30 Shanghai (15:30 UTC): still the 2nd in the shop's zone",
                Ask { stage: Stage::Signed("2026-03-02T15:30:00Z"), at: "2026-03-09T15:59:00Z", ..ask() },
                Approved,
                RuleId::NoReasonReturn,
            ),
            (
                "…and its window closes at 16:00 UTC on the 9th",
                Ask { stage: Stage::Signed("2026-03-02T15:30:00Z"), at: "2026-03-09T16:00:00Z", ..ask() },
                NotEligible,
                RuleId::NoReasonWindowPassed,
            ),
            (
                "signed 00:30 Shanghai on the 3rd (16:30 UTC on the 2nd): counts from the 4th",
                Ask { stage: Stage::Signed("2026-03-02T16:30:00Z"), at: "2026-03-10T12:00:00+08:00", ..ask() },
                Approved,
                RuleId::NoReasonReturn,
            ),
            (
                "used or without tags: resale impaired",
                Ask { resale_intact: Some(false), ..ask() },
                NotEligible,
                RuleId::ResaleImpaired,
            ),
            (
                "underwear: no no-reason return",
                Ask { category: "underwear", ..ask() },
                NotEligible,
                RuleId::ExcludedCategory,
            ),
            (
                "custom-made: no no-reason exchange either",
                Ask { category: "Custom", outcome: Exchange, ..ask() },
                NotEligible,
                RuleId::ExcludedCategory,
            ),
            (
                "underwear with a defect is still covered",
                Ask { category: "underwear", reason: QualityDefect, photos: 3, ..ask() },
                NeedsReview,
                RuleId::QualityClaim,
            ),
        ],
    );
    let decision = Shop::new().decide(&ask());
    assert_eq!(decision.deadline, Some(at("2026-03-10T00:00:00+08:00")));
    assert_eq!(decision.window, Some(Length::Days(7)));
}

#[test]
fn an_exchange_is_offered_once_per_line_within_15_days() {
    let exchange = Ask { reason: WrongSizeOrdered, outcome: Exchange, ..ask() };
    let one_used = LineHistory { exchanges: 1, ..LineHistory::default() };
    let replaced = LineHistory {
        exchanges: 1,
        replacement_delivered_at: Some(at("2026-03-20T11:00:00+08:00")),
        ..LineHistory::default()
    };
    check(
        &Shop::new(),
        &[
            ("day 12", Ask { at: "2026-03-14T10:00:00+08:00", ..exchange.clone() }, Approved, RuleId::ExchangeInWindow),
            (
                "the last minute of day 15",
                Ask { at: "2026-03-17T23:59:00+08:00", ..exchange.clone() },
                Approved,
                RuleId::ExchangeInWindow,
            ),
            (
                "day 16",
                Ask { at: "2026-03-18T00:00:00+08:00", ..exchange.clone() },
                NotEligible,
                RuleId::ExchangeWindowPassed,
            ),
            (
                "a second exchange of the same line",
                Ask { history: one_used, ..exchange.clone() },
                NotEligible,
                RuleId::ExchangeAlreadyUsed,
            ),
            (
                "a return on day 12 is past the 7 days",
                Ask { at: "2026-03-14T10:00:00+08:00", ..ask() },
                NotEligible,
                RuleId::NoReasonWindowPassed,
            ),
            (
                "a return within 7 days of receiving the replacement",
                Ask { history: replaced.clone(), at: "2026-03-27T23:59:00+08:00", ..ask() },
                Approved,
                RuleId::ReturnAfterExchange,
            ),
            (
                "a return 7 days after the replacement's midnight",
                Ask { history: replaced, at: "2026-03-28T00:00:00+08:00", ..ask() },
                NotEligible,
                RuleId::ReturnAfterExchangeWindowPassed,
            ),
        ],
    );
}

#[test]
fn quality_problems_are_covered_by_the_report_window_or_the_warranty() {
    let defect = Ask { reason: QualityDefect, photos: 3, ..ask() };
    let sofa = Ask { category: "furniture", outcome: Repair, ..defect.clone() };
    check(
        &Shop::new(),
        &[
            (
                "3 photos: a person reviews",
                Ask { at: "2026-03-14T10:00:00+08:00", ..defect.clone() },
                NeedsReview,
                RuleId::QualityClaim,
            ),
            ("2 photos are not enough", Ask { photos: 2, ..defect.clone() }, NotEligible, RuleId::EvidenceMissing),
            (
                "keep it with a partial refund",
                Ask { outcome: PartialRefund, ..defect.clone() },
                NeedsReview,
                RuleId::QualityClaim,
            ),
            (
                "the warranty's last minute",
                Ask { at: "2027-03-02T14:59:00+08:00", ..defect.clone() },
                NeedsReview,
                RuleId::QualityClaim,
            ),
            (
                "a year after delivery",
                Ask { at: "2027-03-02T15:00:00+08:00", ..defect },
                NotEligible,
                RuleId::WarrantyPassed,
            ),
            (
                "furniture within 48 h",
                Ask { at: "2026-03-04T14:59:00+08:00", ..sofa.clone() },
                NeedsReview,
                RuleId::QualityClaim,
            ),
            (
                "furniture after 48 h",
                Ask { at: "2026-03-04T15:00:00+08:00", ..sofa },
                NotEligible,
                RuleId::QualityReportWindowPassed,
            ),
        ],
    );
}

#[test]
fn money_owed_is_checked_by_a_person_within_its_window() {
    let price = Ask { reason: PriceDropped, outcome: PriceProtection, ..ask() };
    let refunded = LineHistory { refunded_minor: 39_800, ..LineHistory::default() };
    check(
        &Shop::new(),
        &[
            (
                "price protection: 7 days after the day of purchase",
                Ask { at: "2026-03-08T23:59:00+08:00", ..price.clone() },
                NeedsReview,
                RuleId::PriceProtection,
            ),
            (
                "price protection: day 8",
                Ask { at: "2026-03-09T00:00:00+08:00", ..price },
                NotEligible,
                RuleId::PriceProtectionWindowPassed,
            ),
            (
                "shipping fee: a cash-back",
                Ask { reason: ShippingFee, outcome: CashBack, ..ask() },
                NeedsReview,
                RuleId::CashBack,
            ),
            (
                "a line already refunded in full",
                Ask { history: refunded, ..ask() },
                NotEligible,
                RuleId::NothingLeftToRefund,
            ),
        ],
    );
}

#[test]
fn who_pays_the_return_parcel() {
    let shop = Shop::new();
    let defect = Ask { reason: QualityDefect, photos: 3, ..ask() };
    let table = [
        ("change of mind, insured", Ask { insured: true, ..ask() }, Some(ShippingPayer::Customer), true, false),
        ("change of mind, not insured", ask(), Some(ShippingPayer::Customer), false, false),
        ("defect, insured", Ask { insured: true, ..defect.clone() }, Some(ShippingPayer::Shop), true, false),
        ("defect, not insured: advanced, repaid", defect.clone(), Some(ShippingPayer::Shop), false, true),
        ("defect kept at a discount: nothing sent", Ask { outcome: PartialRefund, ..defect }, None, false, false),
        (
            "damaged in transit: the carrier's",
            Ask { reason: DamagedInTransit, photos: 3, ..ask() },
            Some(ShippingPayer::Carrier),
            false,
            true,
        ),
    ];
    for (case, ask, payer, insured, cash_back) in table {
        let decision = shop.decide(&ask);
        assert_eq!(decision.return_shipping, payer, "{case}");
        assert_eq!((decision.freight_insurance, decision.shipping_cash_back), (insured, cash_back), "{case}");
    }
}

#[test]
fn a_review_is_promised_in_working_days() {
    let mut shop = Shop::new();
    // Friday 18:00: one working day later is Monday 18:00.
    let friday = Ask { reason: QualityDefect, photos: 3, at: "2026-03-06T18:00:00+08:00", ..ask() };
    assert_eq!(shop.decide(&friday).review_by, Some(at("2026-03-09T18:00:00+08:00")));
    shop.calendar.holidays.insert("2026-03-09".parse().expect("date"));
    assert_eq!(shop.decide(&friday).review_by, Some(at("2026-03-10T18:00:00+08:00")));
    assert_eq!(shop.decide(&ask()).review_by, None, "an approval needs no review");
}

#[test]
fn a_category_can_have_its_own_windows() {
    let mut shop = Shop::new();
    shop.rules.categories.insert(
        "electronics".into(),
        CategoryRules { no_reason_return_days: Some(15), exchange_days: Some(30), ..CategoryRules::default() },
    );
    let day12 = Ask { category: "Electronics", at: "2026-03-14T10:00:00+08:00", ..ask() };
    check(
        &shop,
        &[
            ("15-day return for electronics", day12.clone(), Approved, RuleId::NoReasonReturn),
            ("apparel keeps 7 days", Ask { category: "apparel", ..day12 }, NotEligible, RuleId::NoReasonWindowPassed),
        ],
    );
}

#[test]
fn the_explanation_lists_the_facts_the_rule_used() {
    let decision = Shop::new().decide(&Ask { at: "2026-03-12T12:00:00+08:00", ..ask() });
    assert!(decision.facts.contains(&Fact::DeliveredAt(at(SIGNED))));
    assert!(decision.facts.contains(&Fact::Window {
        from: at("2026-03-03T00:00:00+08:00"),
        length: Length::Days(7),
        ends: at("2026-03-10T00:00:00+08:00"),
    }));
    assert!(decision.facts.contains(&Fact::Category { name: "apparel".into(), no_reason_return: true }));
}

#[test]
fn a_unit_is_claimed_once_and_the_refusal_says_why() {
    // The line holds 2 units; the request asks about 1.
    let claimed = |units: u32| LineHistory { claimed_units: units, ..LineHistory::default() };
    let quality = Ask { reason: QualityDefect, photos: 3, ..ask() };
    check(
        &Shop::new(),
        &[
            (
                "1 of 2 claimed: the other may be returned",
                Ask { history: claimed(1), ..ask() },
                Approved,
                RuleId::NoReasonReturn,
            ),
            (
                "both claimed: no third claim",
                Ask { history: claimed(2), ..ask() },
                NotEligible,
                RuleId::UnitsAlreadyClaimed,
            ),
            (
                "both claimed: not even for a defect",
                Ask { history: claimed(2), outcome: Exchange, ..quality.clone() },
                NotEligible,
                RuleId::UnitsAlreadyClaimed,
            ),
            (
                "both claimed: price protection settles money, not units",
                Ask { history: claimed(2), reason: PriceDropped, outcome: PriceProtection, ..ask() },
                NeedsReview,
                RuleId::PriceProtection,
            ),
        ],
    );
    let refused = Shop::new().decide(&Ask { history: claimed(2), ..ask() });
    assert_eq!(refused.next, NextStep::SeeExistingCase);
    assert!(refused.facts.contains(&Fact::Units { asked: 1, claimed: 2, of: 2 }));
}

#[test]
fn only_reasons_that_fit_the_item_are_offered() {
    let shop = Shop::new();
    let rules = &shop.rules;
    let delivered = shop.order("apparel", Stage::Signed(SIGNED), false).stage();
    let in_transit = shop.order("apparel", Stage::InTransit, false).stage();
    let thermos = reasons_for(delivered, &rules.category("kitchen"));
    assert!(!thermos.contains(&WrongSizeOrdered) && !thermos.contains(&SizeProblem), "{thermos:?}");
    assert!(thermos.contains(&ChangedMind) && thermos.contains(&QualityDefect));
    let coat = reasons_for(delivered, &rules.category("Apparel"));
    assert!(coat.contains(&WrongSizeOrdered) && coat.contains(&SizeProblem), "{coat:?}");
    // Received underwear takes no subjective return, so none is offered; a defect is.
    let underwear = reasons_for(delivered, &rules.category("underwear"));
    assert!(underwear.iter().all(|reason| reason.class() != ReasonClass::Subjective), "{underwear:?}");
    assert!(underwear.contains(&QualityDefect) && underwear.contains(&SizeProblem), "{underwear:?}");
    // Not yet received, it may still be refunded for a change of mind.
    assert!(reasons_for(in_transit, &rules.category("underwear")).contains(&ChangedMind));
}

#[test]
fn a_refusal_names_what_is_still_possible_and_until_when() {
    let shop = Shop::new();
    // Day 12: the 7-day return has passed, the 15-day exchange has not.
    let late = Ask { reason: WrongSizeOrdered, resale_intact: None, at: "2026-03-12T12:00:00+08:00", ..ask() };
    let refused = shop.decide(&late);
    assert_eq!(refused.rule, RuleId::NoReasonWindowPassed);
    let exchange_ends = at("2026-03-18T00:00:00+08:00");
    let warranty_ends = at(SIGNED) + Duration::days(365);
    assert_eq!(
        refused.still_possible,
        vec![Possible::Exchange { until: exchange_ends }, Possible::QualityClaim { until: warranty_ends }]
    );
    // Day 20: only the warranty is left.
    let later = shop.decide(&Ask { at: "2026-03-20T12:00:00+08:00", ..late.clone() });
    assert_eq!(later.still_possible, vec![Possible::QualityClaim { until: warranty_ends }]);
    // An excluded category: no exchange either, but a defect is covered.
    let underwear = shop.decide(&Ask { category: "underwear", ..late.clone() });
    assert_eq!(underwear.rule, RuleId::ExcludedCategory);
    assert_eq!(underwear.still_possible, vec![Possible::QualityClaim { until: warranty_ends }]);
    // What is approved or reviewed needs no alternative.
    assert!(shop.decide(&ask()).still_possible.is_empty());
}

#[test]
fn every_reason_offered_has_an_outcome_and_an_exchange_is_offered_once() {
    let shop = Shop::new();
    let rules = &shop.rules;
    for stage in [Stage::NotShipped, Stage::InTransit, Stage::Signed(SIGNED)] {
        let order = shop.order("apparel", stage, false);
        for reason in reasons_for(order.stage(), &rules.category("apparel")) {
            assert!(!outcomes_for(&order, reason, &LineHistory::default(), rules).is_empty(), "{stage:?} {reason:?}");
        }
    }
    let order = shop.order("apparel", Stage::Signed(SIGNED), false);
    let used = LineHistory { exchanges: 1, ..LineHistory::default() };
    assert!(outcomes_for(&order, WrongSizeOrdered, &LineHistory::default(), rules).contains(&Exchange));
    assert!(!outcomes_for(&order, WrongSizeOrdered, &used, rules).contains(&Exchange));
}

// Properties, over requests of every kind at every time.

const CATEGORIES: [&str; 4] = ["apparel", "underwear", "furniture", "electronics"];
/// Rules whose "no" comes from a window that has closed.
const WINDOW_PASSED: [RuleId; 6] = [
    RuleId::NoReasonWindowPassed,
    RuleId::ExchangeWindowPassed,
    RuleId::ReturnAfterExchangeWindowPassed,
    RuleId::QualityReportWindowPassed,
    RuleId::WarrantyPassed,
    RuleId::PriceProtectionWindowPassed,
];

pub(crate) fn any_ask() -> impl Strategy<Value = (Ask, u32, i64)> {
    (
        (0..CATEGORIES.len(), 0..4usize, any::<bool>(), 0..Reason::ALL.len(), 0..Outcome::ALL.len()),
        (0..6usize, prop_oneof![Just(None), Just(Some(true)), Just(Some(false))], 0..3u32, 0..50_000i64),
        (1..=3u32, 0..(400 * 24 * 60i64)),
    )
        .prop_map(
            |((category, stage, insured, reason, outcome), (photos, resale, exchanges, refunded), (qty, minutes))| {
                let stage = [Stage::Unpaid, Stage::NotShipped, Stage::InTransit, Stage::Signed(SIGNED)][stage];
                let ask = Ask {
                    category: CATEGORIES[category],
                    stage,
                    insured,
                    reason: Reason::ALL[reason],
                    outcome: Outcome::ALL[outcome],
                    photos,
                    resale_intact: resale,
                    history: LineHistory {
                        exchanges,
                        replacement_delivered_at: (exchanges > 0).then(|| at("2026-03-20T11:00:00+08:00")),
                        refunded_minor: refunded,
                        claimed_units: 0,
                    },
                    at: "",
                };
                (ask, qty, minutes)
            },
        )
}

pub(crate) fn decide_at(shop: &Shop, ask: &Ask, quantity: u32, minutes: i64) -> (Order, Decision) {
    let order = shop.order(ask.category, ask.stage, ask.insured);
    let request = Request {
        order: &order,
        line: &order.lines[0],
        quantity,
        reason: ask.reason,
        outcome: ask.outcome,
        photos: ask.photos,
        resale_intact: ask.resale_intact,
        history: &ask.history,
        at: at(SIGNED) + Duration::minutes(minutes),
    };
    let decision = decide(&request, &shop.policy());
    (order, decision)
}

proptest! {
    #[test]
    fn no_decision_goes_without_an_explanation((ask, quantity, minutes) in any_ask()) {
        let shop = Shop::new();
        let (_, decision) = decide_at(&shop, &ask, quantity, minutes);
        prop_assert!(matches!(decision.facts.first(), Some(Fact::RequestedAt(_))));
        prop_assert!(decision.facts.iter().any(|fact| matches!(fact, Fact::Stage(_))));
        prop_assert!(!decision.rules_version.is_empty());
        if decision.verdict == NotEligible {
            prop_assert!(decision.next != NextStep::SendItemBack && decision.next != NextStep::RefundToOriginalPayment);
        }
    }

    #[test]
    fn no_refund_is_above_what_was_paid((ask, quantity, minutes) in any_ask()) {
        let (order, decision) = decide_at(&Shop::new(), &ask, quantity, minutes);
        let line = &order.lines[0];
        prop_assert!(decision.refund_cap.minor >= 0);
        prop_assert!(decision.refund_cap.minor <= line.unit_price.times(quantity).minor);
        prop_assert!(decision.refund_cap.minor <= (line.paid().minor - ask.history.refunded_minor).max(0));
        prop_assert_eq!(decision.refund_cap.currency, order.currency);
    }

    #[test]
    fn a_later_request_never_reopens_a_closed_window(
        (ask, quantity, minutes) in any_ask(),
        later in 0..(30 * 24 * 60i64),
    ) {
        let shop = Shop::new();
        let (_, early) = decide_at(&shop, &ask, quantity, minutes);
        if WINDOW_PASSED.contains(&early.rule) {
            let (_, late) = decide_at(&shop, &ask, quantity, minutes + later);
            prop_assert_eq!(late.verdict, NotEligible);
            prop_assert!(WINDOW_PASSED.contains(&late.rule), "{:?} became {:?}", early.rule, late.rule);
        }
    }
}
