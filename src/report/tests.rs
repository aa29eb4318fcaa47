//! November 2026 in Shanghai over a fixed set of cases, with every figure
//! worked out by hand.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use std::sync::LazyLock;

use super::table::{fit, width};
use super::*;
use crate::calendar::Calendar;
use crate::lang::Lang;

/// A time in the shop's zone (Shanghai), as stored: UTC.
fn at(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Shanghai.with_ymd_and_hms(2026, month, day, hour, 0, 0).single().expect("a time").with_timezone(&Utc)
}

fn november() -> Period {
    Period { from: at(11, 1, 0), to: at(12, 1, 0) }
}

fn case(id: &str, opened: DateTime<Utc>, reason: Reason, outcome: Outcome, status: CaseStatus) -> CaseRow {
    CaseRow {
        id: id.to_owned(),
        opened_at: opened,
        closed_at: None,
        reason,
        outcome,
        status,
        category: "clothing".to_owned(),
        sku: "JKT-1".to_owned(),
        refunded_minor: 0,
        agreed_minor: None,
        refund_cap_minor: 0,
        rule: RuleId::NoReasonReturn,
        verdict: Verdict::Approved,
        rules_version: "v2".to_owned(),
        survey_sent_at: None,
        survey_score: None,
        survey_comment: None,
        responsibility: None,
        outbound_carrier: None,
        agent: None,
    }
}

fn rows() -> Rows {
    use CaseStatus::*;
    use Outcome::*;
    use Reason::*;
    let vase = |row: CaseRow| CaseRow { category: "home".to_owned(), sku: "VASE-1".to_owned(), ..row };
    let cases = vec![
        CaseRow {
            closed_at: Some(at(11, 10, 12)),
            refunded_minor: 39_900,
            refund_cap_minor: 39_900,
            rules_version: "v1".to_owned(),
            survey_sent_at: Some(at(11, 10, 13)),
            survey_score: Some(5),
            responsibility: Some(1),
            agent: li(),
            ..case("AS-1001", at(11, 3, 9), ChangedMind, ReturnRefund, Closed)
        },
        CaseRow {
            closed_at: Some(at(11, 5, 10)),
            sku: "TEE-1".to_owned(),
            refund_cap_minor: 7_900,
            rules_version: "v1".to_owned(),
            survey_sent_at: Some(at(11, 6, 10)),
            ..case("AS-1002", at(11, 5, 10), ChangedMind, ReturnRefund, Retained)
        },
        vase(CaseRow {
            refund_cap_minor: 26_800,
            rule: RuleId::QualityClaim,
            ..case("AS-1003", at(11, 12, 8), QualityDefect, ReturnRefund, Approved)
        }),
        vase(CaseRow {
            closed_at: Some(at(11, 25, 18)),
            agreed_minor: Some(5_000),
            refund_cap_minor: 26_800,
            rule: RuleId::QualityClaim,
            verdict: Verdict::NeedsReview,
            survey_sent_at: Some(at(11, 25, 19)),
            survey_score: Some(2),
            survey_comment: Some("too   slow".to_owned()),
            responsibility: Some(3),
            agent: li(),
            ..case("AS-1004", at(11, 20, 8), QualityDefect, PartialRefund, Closed)
        }),
        // A refusal is over when it is decided.
        CaseRow {
            closed_at: Some(at(11, 28, 23)),
            rule: RuleId::NoReasonWindowPassed,
            verdict: Verdict::NotEligible,
            ..case("AS-1005", at(11, 28, 23), ChangedMind, ReturnRefund, NotEligible)
        },
        CaseRow {
            closed_at: Some(at(11, 16, 9)),
            category: "electronics".to_owned(),
            sku: "EAR-1".to_owned(),
            agreed_minor: Some(1_500),
            refund_cap_minor: 1_500,
            rule: RuleId::CashBack,
            survey_sent_at: Some(at(11, 16, 10)),
            survey_score: Some(4),
            responsibility: Some(6),
            agent: zhao(),
            ..case("AS-1007", at(11, 15, 9), PriceDropped, CashBack, Closed)
        },
        // Opened in October: counts where it closed, and its survey.
        vase(CaseRow {
            closed_at: Some(at(11, 2, 0)),
            refunded_minor: 26_800,
            rule: RuleId::LogisticsClaim,
            rules_version: "v1".to_owned(),
            survey_sent_at: Some(at(11, 2, 1)),
            survey_score: Some(1),
            responsibility: Some(6),
            agent: zhao(),
            ..case("AS-0999", at(10, 25, 9), DamagedInTransit, RefundOnly, Closed)
        }),
        // Opened in October and still open: open at the end, paid nothing yet.
        CaseRow {
            agreed_minor: Some(2_000),
            responsibility: Some(2),
            ..case("AS-0998", at(10, 20, 9), PriceDropped, CashBack, NeedsReview)
        },
        // Opened at the first instant of December: not November's.
        case("AS-1006", at(12, 1, 0), ChangedMind, ReturnRefund, Approved),
    ];
    let line = |category: &str, sku: &str| DeliveredLine { category: category.to_owned(), sku: sku.to_owned() };
    let delivered = vec![
        line("clothing", "JKT-1"),
        line("clothing", "JKT-1"),
        line("clothing", "TEE-1"),
        line("home", "VASE-1"),
        line("home", "VASE-1"),
        line("home", "VASE-1"),
        line("electronics", "EAR-1"),
        line("kitchen", "CUP-1"),
    ];
    let offer = |id: &str, kind, value: Option<i64>, result| OfferRow {
        offer_id: id.to_owned(),
        kind,
        value_minor: value,
        result,
    };
    let offers = vec![
        offer("coupon10", OfferKind::Coupon, Some(1_000), OfferResult::Declined),
        offer("other_style", OfferKind::OtherStyle, None, OfferResult::Declined),
        offer("coupon10", OfferKind::Coupon, Some(1_000), OfferResult::Accepted),
    ];
    Rows { cases, delivered, offers, returns: returns(), escalations: escalations() }
}

/// A parcel approved a day before its tracking number (or at the end of
/// November, without one), not arrived yet.
fn parcel(case: &str, payer: ShippingPayer, tracking_at: Option<DateTime<Utc>>) -> ReturnRow {
    ReturnRow {
        case: case.to_owned(),
        carrier: tracking_at.map(|_| "sf".to_owned()),
        approved_at: tracking_at.map_or(at(11, 29, 0), |at| at - chrono::TimeDelta::days(1)),
        payer: Some(payer),
        freight_insurance: false,
        shipping_cash_back: false,
        tracking_at,
        arrived_at: None,
        no_scans: vec![],
        exceptions: vec![],
    }
}

/// Return parcels: three sent in November, one in October that arrived in
/// November, one sent in December, one without a tracking number yet.
fn returns() -> Vec<ReturnRow> {
    use ShippingPayer::*;
    let yto = |row: ReturnRow| ReturnRow { carrier: Some("yto".to_owned()), ..row };
    vec![
        // Sent a day after approval, two and a half days on the way.
        ReturnRow {
            freight_insurance: true,
            arrived_at: Some(at(11, 6, 22)),
            ..parcel("AS-1001", Customer, Some(at(11, 4, 10)))
        },
        // A day and an hour to the number; silent twice since.
        ReturnRow {
            shipping_cash_back: true,
            approved_at: at(11, 12, 8),
            no_scans: vec![at(11, 15, 9), at(11, 16, 9)],
            ..parcel("AS-1003", Shop, Some(at(11, 13, 9)))
        },
        // Insured, but the carrier pays: the insurance is not counted.
        yto(ReturnRow {
            freight_insurance: true,
            approved_at: at(10, 27, 0),
            arrived_at: Some(at(11, 3, 12)),
            exceptions: vec![at(11, 2, 8)],
            ..parcel("AS-0997", Carrier, Some(at(11, 1, 0)))
        }),
        // Sent in October, arrived in November: only its transit counts.
        ReturnRow {
            carrier: Some("zto".to_owned()),
            arrived_at: Some(at(11, 1, 12)),
            no_scans: vec![at(10, 20, 0)],
            ..parcel("AS-0990", Customer, Some(at(10, 12, 0)))
        },
        parcel("AS-1009", Customer, Some(at(12, 1, 0))),
        parcel("AS-1008", Carrier, None),
    ]
}

static CALENDAR: LazyLock<Calendar> = LazyLock::new(Calendar::default);
static SETTINGS: LazyLock<Settings> = LazyLock::new(Settings::default);

/// Shanghai, yuan, weekends off and 09:00–18:00 worked, five ratings for the most satisfying agent.
fn setup() -> Setup<'static> {
    Setup { zone: Shanghai, currency: Currency::CNY, calendar: &CALENDAR, settings: &SETTINGS }
}

fn li() -> Option<AgentId> {
    Some(AgentId { name: "Li".to_owned(), id: 901 })
}

fn zhao() -> Option<AgentId> {
    Some(AgentId { name: "Zhao".to_owned(), id: 902 })
}

fn escalation(topic: &str, agent: Option<AgentId>, opened_at: DateTime<Utc>, pings: u32) -> EscalationRow {
    EscalationRow { topic: topic.to_owned(), agent, opened_at, responded_at: None, resolved_at: None, pings }
}

/// Hand-overs (Monday 2 November is a working day; 6 November a Friday).
fn escalations() -> Vec<EscalationRow> {
    let minutes = chrono::TimeDelta::minutes;
    vec![
        // Answered in half an hour, resolved in six hours, all in working hours.
        EscalationRow {
            responded_at: Some(at(11, 2, 10) + minutes(30)),
            resolved_at: Some(at(11, 2, 16)),
            ..escalation("case:AS-1003", li(), at(11, 2, 10), 0)
        },
        // Friday 17:00 to Monday 10:00 (65 h, 2 working hours), resolved at 12:00 (67 h, 4).
        EscalationRow {
            responded_at: Some(at(11, 9, 10)),
            resolved_at: Some(at(11, 9, 12)),
            ..escalation("case:AS-1004", li(), at(11, 6, 17), 3)
        },
        // Answered in two hours, still open.
        EscalationRow { responded_at: Some(at(11, 10, 11)), ..escalation("case:AS-1007", zhao(), at(11, 10, 9), 1) },
        // Nobody took it yet.
        escalation("customer:7", None, at(11, 20, 12), 4),
        // From October: answered then, resolved on Monday 2 November at 09:00 (71 h, 8 working hours).
        EscalationRow {
            responded_at: Some(at(10, 30, 10) + minutes(20)),
            resolved_at: Some(at(11, 2, 9)),
            ..escalation("case:AS-0999", zhao(), at(10, 30, 10), 2)
        },
        // Handed over on the last night, answered in December.
        EscalationRow { responded_at: Some(at(12, 1, 8)), ..escalation("case:AS-1006", li(), at(11, 30, 23), 1) },
    ]
}

fn report() -> Report {
    build(november(), &setup(), &rows())
}

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::CNY)
}

#[test]
fn volume_counts_opened_closed_and_open_at_the_end() {
    let volume = report().volume;
    assert_eq!((volume.opened, volume.closed, volume.open_at_end), (6, 6, 2));
    assert_eq!(
        volume.by_outcome,
        vec![(Outcome::ReturnRefund, 4), (Outcome::PartialRefund, 1), (Outcome::CashBack, 1)]
    );
    assert_eq!(
        volume.by_status,
        vec![
            (CaseStatus::Approved, 1),
            (CaseStatus::NotEligible, 1),
            (CaseStatus::Retained, 1),
            (CaseStatus::Closed, 3)
        ]
    );
}

#[test]
fn return_rate_divides_cases_by_lines_delivered() {
    let rate = report().return_rate;
    let line = |key: &str, cases, delivered, rate_pct: Option<f64>| RateLine {
        key: key.to_owned(),
        cases,
        delivered,
        rate_pct,
    };
    assert_eq!(rate.overall, line("", 6, 8, Some(75.0)));
    assert_eq!(
        rate.by_category,
        vec![
            line("clothing", 3, 3, Some(100.0)),
            line("home", 2, 3, Some(66.67)),
            line("electronics", 1, 1, Some(100.0)),
            line("kitchen", 0, 1, Some(0.0)),
        ]
    );
    assert_eq!(
        rate.top_skus,
        vec![
            line("JKT-1", 2, 2, Some(100.0)),
            line("VASE-1", 2, 3, Some(66.67)),
            line("EAR-1", 1, 1, Some(100.0)),
            line("TEE-1", 1, 1, Some(100.0)),
        ]
    );
}

#[test]
fn top_skus_stop_at_ten_and_a_period_without_deliveries_has_no_rate() {
    let cases: Vec<CaseRow> = (0..12)
        .map(|n| CaseRow {
            sku: format!("SKU-{n:02}"),
            ..case(
                &format!("AS-{}", 2000 + n),
                at(11, 2, 0),
                Reason::ChangedMind,
                Outcome::ReturnRefund,
                CaseStatus::Approved,
            )
        })
        .collect();
    let report = build(
        november(),
        &setup(),
        &Rows { cases, delivered: vec![], offers: vec![], returns: vec![], escalations: vec![] },
    );
    assert_eq!(report.return_rate.top_skus.len(), 10);
    assert_eq!(report.return_rate.top_skus[0].key, "SKU-00");
    assert_eq!(report.return_rate.overall.rate_pct, None);
}

#[test]
fn reasons_have_cases_share_and_money_refunded() {
    let reasons = report().reasons;
    let line = |reason, cases, share_pct, refunded| ReasonLine { reason, cases, share_pct, refunded: cny(refunded) };
    assert_eq!(
        reasons,
        vec![
            line(Reason::ChangedMind, 3, 50.0, 39_900),
            line(Reason::QualityDefect, 2, 33.33, 5_000),
            line(Reason::PriceDropped, 1, 16.67, 0),
        ]
    );
}

#[test]
fn reasons_by_category_count_each_categorys_cases_per_reason() {
    use Reason::*;
    let opened = |n: u32, category: &str, reason| CaseRow {
        category: category.to_owned(),
        ..case(&format!("AS-{}", 3000 + n), at(11, 2, 0), reason, Outcome::ReturnRefund, CaseStatus::Approved)
    };
    let cases = vec![
        opened(1, "clothing", ChangedMind),
        opened(2, "home", DamagedInTransit),
        opened(3, "clothing", SizeProblem),
        opened(4, "electronics", WrongItem),
        opened(5, "home", QualityDefect),
        opened(6, "clothing", ChangedMind),
        opened(7, "electronics", WrongItem),
        // Opened in October: not counted.
        CaseRow { opened_at: at(10, 31, 23), ..opened(8, "kitchen", ChangedMind) },
    ];
    let report = build(
        november(),
        &setup(),
        &Rows { cases, delivered: vec![], offers: vec![], returns: vec![], escalations: vec![] },
    );
    let reason = |reason, cases, share_pct| CategoryReason { reason, cases, share_pct };
    let category = |name: &str, cases, reasons| CategoryReasons { category: name.to_owned(), cases, reasons };
    assert_eq!(
        report.reasons_by_category,
        vec![
            category("clothing", 3, vec![reason(ChangedMind, 2, 66.67), reason(SizeProblem, 1, 33.33)]),
            // Ties: categories by name, reasons in the taxonomy's order.
            category("electronics", 2, vec![reason(WrongItem, 2, 100.0)]),
            category("home", 2, vec![reason(QualityDefect, 1, 50.0), reason(DamagedInTransit, 1, 50.0)]),
        ]
    );
}

#[test]
fn logistics_follow_return_parcels_per_carrier() {
    let logistics = report().logistics;
    let days = |measured, average: Option<f64>, median: Option<f64>| Days { measured, average, median };
    let none = days(0, None, None);
    let line = |carrier: &str, sent, to_tracking, in_transit, no_scan_alerts, exceptions| CarrierLine {
        carrier: carrier.to_owned(),
        sent,
        to_tracking,
        in_transit,
        no_scan_alerts,
        exceptions,
    };
    // To the number: 1 day, 25 hours (1.04 days) and 5 days; in transit:
    // 2.5, 2.5 and 20.5 days (the October parcel that arrived in November).
    assert_eq!(logistics.overall, line("", 3, days(3, Some(2.35), Some(1.04)), days(3, Some(8.5), Some(2.5)), 2, 1));
    assert_eq!(
        logistics.carriers,
        vec![
            line("sf", 2, days(2, Some(1.02), Some(1.02)), days(1, Some(2.5), Some(2.5)), 2, 0),
            line("yto", 1, days(1, Some(5.0), Some(5.0)), days(1, Some(2.5), Some(2.5)), 0, 1),
            line("zto", 0, none.clone(), days(1, Some(20.5), Some(20.5)), 0, 0),
        ]
    );
}

#[test]
fn delivery_problems_are_counted_per_outbound_carrier() {
    use Reason::*;
    let opened = |n: u32, carrier: Option<&str>, reason| CaseRow {
        outbound_carrier: carrier.map(str::to_owned),
        ..case(&format!("AS-{}", 4000 + n), at(11, 2, 0), reason, Outcome::RefundOnly, CaseStatus::Approved)
    };
    let cases = vec![
        opened(1, Some("顺丰速运"), DamagedInTransit),
        opened(2, Some("中通快递"), LostParcel),
        opened(3, Some("顺丰速运"), WrongItem),
        opened(4, None, SignedNotReceived),
        opened(5, Some("顺丰速运"), DamagedInTransit),
        // Not a delivery problem.
        opened(6, Some("顺丰速运"), ChangedMind),
        // Opened in October.
        CaseRow { opened_at: at(10, 30, 0), ..opened(7, Some("中通快递"), MissingItems) },
    ];
    let report = build(
        november(),
        &setup(),
        &Rows { cases, delivered: vec![], offers: vec![], returns: vec![], escalations: vec![] },
    );
    let line = |carrier: &str, counts: [u32; 5]| ProblemLine {
        carrier: carrier.to_owned(),
        cases: counts.iter().sum(),
        by_reason: DELIVERY_PROBLEMS.into_iter().zip(counts).collect(),
    };
    assert_eq!(
        report.logistics.delivery_problems,
        // Ties by name: an order without a carrier first.
        vec![line("顺丰速运", [2, 0, 0, 1, 0]), line("", [0, 0, 0, 0, 1]), line("中通快递", [0, 1, 0, 0, 0])]
    );
    assert_eq!(report.logistics.carriers, vec![]);
    assert_eq!(report.logistics.overall.to_tracking, Days { measured: 0, average: None, median: None });
}

#[test]
fn responsibility_counts_cases_closed_in_the_period_per_code_with_what_they_paid() {
    let responsibility = report().responsibility;
    let paid =
        |code: u8| responsibility.codes.iter().find(|line| line.code == code).map(|line| (line.cases, line.paid));
    assert_eq!(responsibility.codes.len(), 9);
    assert_eq!(paid(1), Some((1, cny(39_900))));
    // AS-0998 has code 2 but is still open.
    assert_eq!(paid(2), Some((0, cny(0))));
    assert_eq!(paid(3), Some((1, cny(5_000))));
    assert_eq!(paid(6), Some((2, cny(26_800 + 1_500))));
    assert_eq!(paid(9), Some((0, cny(0))));
    // AS-1002 (kept) and AS-1005 (refused) closed without one.
    assert_eq!(responsibility.unset, 2);
}

#[test]
fn the_median_of_an_even_number_is_the_mean_of_the_middle_two() {
    assert_eq!(median(&[]), None);
    assert_eq!(median(&[1.0, 2.0, 10.0]), Some(2.0));
    assert_eq!(median(&[1.0, 2.0, 4.0, 10.0]), Some(3.0));
}

fn durations(measured: u32, average: f64, median: f64, p90: f64, buckets: [u32; 5]) -> Durations {
    Durations { measured, average_hours: Some(average), median_hours: Some(median), p90_hours: Some(p90), buckets }
}

#[test]
fn agents_overall_count_every_hand_over_answered_or_resolved_in_the_period() {
    let overall = report().agents.overall;
    assert_eq!((overall.agent, overall.cases_handled), (None, 4));
    // Answered: 0.5, 65 and 2 hours (0.5, 2 and 2 working hours).
    assert_eq!(overall.first_response.wall_clock, durations(3, 22.5, 2.0, 65.0, [1, 1, 0, 0, 1]));
    assert_eq!(overall.first_response.working_hours, durations(3, 1.5, 2.0, 2.0, [1, 2, 0, 0, 0]));
    // Resolved: 6, 67 and 71 hours (6, 4 and 8 working hours).
    assert_eq!(overall.resolution.wall_clock, durations(3, 48.0, 67.0, 71.0, [0, 0, 1, 0, 2]));
    assert_eq!(overall.resolution.working_hours, durations(3, 6.0, 6.0, 8.0, [0, 0, 2, 1, 0]));
    // Pings on the hand-overs opened in November, the untaken one's too.
    assert_eq!(overall.sla_pings, 3 + 1 + 4 + 1);
    assert_eq!((overall.csat_average, overall.csat_count), (Some(3.0), 4));
}

#[test]
fn agents_have_their_own_times_pings_and_csat() {
    let agents = report().agents;
    let [li_line, zhao_line] = agents.agents.as_slice() else { panic!("two agents: {:?}", agents.agents) };
    assert_eq!((&li_line.agent, li_line.cases_handled, li_line.sla_pings), (&li(), 2, 3 + 1));
    assert_eq!(li_line.first_response.wall_clock, durations(2, 32.75, 32.75, 65.0, [1, 0, 0, 0, 1]));
    assert_eq!(li_line.first_response.working_hours, durations(2, 1.25, 1.25, 2.0, [1, 1, 0, 0, 0]));
    assert_eq!(li_line.resolution.wall_clock, durations(2, 36.5, 36.5, 67.0, [0, 0, 1, 0, 1]));
    assert_eq!(li_line.resolution.working_hours, durations(2, 5.0, 5.0, 6.0, [0, 0, 2, 0, 0]));
    assert_eq!((li_line.csat_average, li_line.csat_count), (Some(3.5), 2));
    assert_eq!((&zhao_line.agent, zhao_line.cases_handled, zhao_line.sla_pings), (&zhao(), 2, 1));
    assert_eq!(zhao_line.first_response.wall_clock, durations(1, 2.0, 2.0, 2.0, [0, 1, 0, 0, 0]));
    assert_eq!(zhao_line.resolution.wall_clock, durations(1, 71.0, 71.0, 71.0, [0, 0, 0, 0, 1]));
    assert_eq!(zhao_line.resolution.working_hours, durations(1, 8.0, 8.0, 8.0, [0, 0, 0, 1, 0]));
    assert_eq!((zhao_line.csat_average, zhao_line.csat_count), (Some(2.5), 2));
    // Two ratings each, five needed.
    assert_eq!((agents.most_satisfying, agents.min_ratings), (None, 5));
}

#[test]
fn the_most_satisfying_agent_has_the_best_average_with_enough_ratings() {
    let two = Settings { min_ratings: 2, ..Settings::default() };
    let report = build(november(), &Setup { settings: &two, ..setup() }, &rows());
    let star = Star { agent: AgentId { name: "Li".to_owned(), id: 901 }, csat_average: 3.5, csat_count: 2 };
    assert_eq!(report.agents.most_satisfying, Some(star));
    // An equal average goes to the agent with more ratings: Zhao's 4, 1, 5 and 4 make 3.5 too.
    let mut rows = rows();
    for (id, score) in [("AS-1010", 5), ("AS-1011", 4)] {
        rows.cases.push(CaseRow {
            survey_sent_at: Some(at(11, 20, 9)),
            survey_score: Some(score),
            agent: zhao(),
            ..case(id, at(11, 19, 9), Reason::ChangedMind, Outcome::ReturnRefund, CaseStatus::Closed)
        });
    }
    let star = Star { agent: AgentId { name: "Zhao".to_owned(), id: 902 }, csat_average: 3.5, csat_count: 4 };
    assert_eq!(build(november(), &Setup { settings: &two, ..setup() }, &rows).agents.most_satisfying, Some(star));
}

#[test]
fn p90_is_the_nearest_rank() {
    let hours = |list: &[i64]| durations_of(list).p90_hours;
    assert_eq!(hours(&[]), None);
    assert_eq!(hours(&[3]), Some(3.0));
    assert_eq!(hours(&(1..=10).collect::<Vec<_>>()), Some(9.0));
    assert_eq!(hours(&(1..=11).collect::<Vec<_>>()), Some(10.0));
    assert_eq!(durations_of(&[1]).buckets, [0, 1, 0, 0, 0], "an hour is in 1–4 h");
}

fn durations_of(hours: &[i64]) -> Durations {
    agents::durations(hours.iter().map(|h| chrono::TimeDelta::hours(*h)))
}

#[test]
fn money_is_what_cases_closed_in_the_period_paid_and_coupons_given() {
    let money = report().money;
    assert_eq!(
        money,
        MoneySection {
            refunded: cny(39_900 + 26_800),
            partial_refunds: cny(5_000),
            cash_back: cny(1_500),
            retention_coupons: cny(1_000),
            return_shipping: vec![
                ShippingLine { payer: ShippingPayer::Customer, parcels: 1, freight_insurance: 1, cash_back: 0 },
                ShippingLine { payer: ShippingPayer::Shop, parcels: 1, freight_insurance: 0, cash_back: 1 },
                ShippingLine { payer: ShippingPayer::Carrier, parcels: 1, freight_insurance: 0, cash_back: 0 },
            ],
        }
    );
}

#[test]
fn policy_lists_the_rules_that_refuse_most_first_and_the_versions() {
    let policy = report().policy;
    let line = |rule, approved, needs_review, not_eligible| RuleLine { rule, approved, needs_review, not_eligible };
    assert_eq!(
        policy.rules,
        vec![
            line(RuleId::NoReasonWindowPassed, 0, 0, 1),
            line(RuleId::QualityClaim, 1, 1, 0),
            line(RuleId::NoReasonReturn, 2, 0, 0),
            line(RuleId::CashBack, 1, 0, 0),
        ]
    );
    assert_eq!(policy.rules_versions, vec![("v2".to_owned(), 4), ("v1".to_owned(), 2)]);
}

#[test]
fn retention_counts_offers_per_id_and_the_cases_kept() {
    let retention = report().retention;
    let line = |id: &str, made, accepted, declined| OfferLine { offer_id: id.to_owned(), made, accepted, declined };
    assert_eq!(retention.offers, vec![line("coupon10", 2, 1, 1), line("other_style", 1, 0, 1)]);
    assert_eq!((retention.cases_kept, retention.not_refunded), (1, cny(7_900)));
}

#[test]
fn satisfaction_has_the_rate_the_average_the_distribution_and_low_scores() {
    let survey = report().satisfaction;
    assert_eq!((survey.sent, survey.answered, survey.answer_rate_pct), (5, 4, Some(80.0)));
    assert_eq!(survey.average, Some(3.0));
    assert_eq!(survey.distribution, [1, 1, 0, 1, 1]);
    assert_eq!(
        survey.low_scores,
        vec![
            LowScore { case: "AS-0999".to_owned(), score: 1, comment: None },
            LowScore { case: "AS-1004".to_owned(), score: 2, comment: Some("too   slow".to_owned()) },
        ]
    );
}

#[test]
fn json_has_one_key_per_section() {
    let json = serde_json::to_value(report()).expect("json");
    let keys: Vec<&str> = json.as_object().expect("an object").keys().map(String::as_str).collect();
    let sections =
        ["volume", "return_rate", "reasons", "reasons_by_category", "money", "policy", "retention", "satisfaction"];
    for section in sections {
        assert!(keys.contains(&section), "{keys:?}");
    }
    assert_eq!(json["volume"]["by_outcome"]["return_refund"], 4);
    assert_eq!(json["money"]["refunded"]["minor"], 66_700);
    assert_eq!(json["policy"]["rules_versions"]["v2"], 4);
    assert_eq!(json["reasons_by_category"][0]["reasons"][0]["reason"], "changed_mind");
    assert_eq!(json["money"]["return_shipping"][1]["payer"], "shop");
    assert_eq!(json["money"]["return_shipping"][1]["cash_back"], 1);
    assert_eq!(json["logistics"]["overall"]["to_tracking"]["median"], 1.04);
    assert_eq!(json["logistics"]["carriers"][0]["carrier"], "sf");
    assert_eq!(json["responsibility"]["codes"][5]["code"], 6);
    assert_eq!(json["responsibility"]["codes"][5]["paid"]["minor"], 28_300);
    let li = &json["agents"]["agents"][0];
    assert_eq!(
        (&li["agent"]["name"], &li["agent"]["id"], &li["cases_handled"]),
        (&"Li".into(), &901.into(), &2.into())
    );
    assert_eq!(li["first_response"]["working_hours"]["buckets"], serde_json::json!([1, 1, 0, 0, 0]));
    assert_eq!(json["agents"]["overall"]["resolution"]["wall_clock"]["p90_hours"], 71.0);
    assert_eq!(
        (&json["agents"]["most_satisfying"], &json["agents"]["min_ratings"]),
        (&serde_json::Value::Null, &5.into())
    );
}

#[test]
fn the_table_fits_100_columns_in_both_languages() {
    for lang in [Lang::Zh, Lang::En] {
        let text = table(&report(), lang, Shanghai);
        for line in text.lines() {
            assert!(width(line) <= WIDTH, "{line:?} is {} columns", width(line));
        }
    }
    let en = table(&report(), Lang::En, Shanghai);
    assert!(en.starts_with("After-sales report · Period 2026-11-01 – 2026-11-30\n"), "{en}");
    assert!(en.contains("== Return rate =="), "{en}");
    assert!(en.contains("\n  home                                                 2\n    Quality problem  "), "{en}");
    assert!(en.contains("\nReturn shipping by who paid:\n"), "{en}");
    assert!(
        en.contains("\n  Overall                                              3     2.35 / 1.04     8.50 / 2.50\n"),
        "{en}"
    );
    assert!(
        en.contains("\n  zto                                                  0               –   20.50 / 20.50\n"),
        "{en}"
    );
    assert!(en.contains("\n  6 transport                                          2         ¥283.00\n"), "{en}");
    assert!(en.contains("\nDelivery problems reported (by outbound carrier):\n  none\n"), "{en}");
    assert!(
        en.contains("\n  Li                                                   2               4        3.50 (2)\n"),
        "{en}"
    );
    assert!(en.contains("\n  Li                                       32.75 / 65.00     1.25 / 2.00\n"), "{en}");
    assert!(en.contains("\n  Overall                                      0/0/1/0/2       0/0/2/1/0\n"), "{en}");
    assert!(
        en.contains("\nMost satisfying agent:\n  none\n  Ratings needed                                       5\n"),
        "{en}"
    );
    assert!(
        en.contains("\n  shop                                                 1               0               1\n"),
        "{en}"
    );
    let zh = table(&report(), Lang::Zh, Shanghai);
    assert!(zh.contains("== 满意度 =="), "{zh}");
    assert!(
        zh.contains("\n                                                  已寄出      审批到单号        运输天数\n"),
        "{zh}"
    );
    assert!(zh.contains("\n  未设置                                               2\n"), "{zh}");
    assert!(zh.contains("\n== 客服 ==\n") && zh.contains("\n客户最满意的客服:\n  无\n"), "{zh}");
    assert!(
        zh.contains("\n  快递公司                                             1               0               0\n"),
        "{zh}"
    );
}

#[test]
fn cjk_characters_take_two_columns() {
    assert_eq!(width("退货率 ab"), 9);
    assert_eq!(fit("退货率", 5), "退货");
}

#[test]
fn csv_has_a_table_per_section_with_an_english_snake_case_header() {
    let sheets = csv::sheets(&report());
    let headers: Vec<(&str, String)> = sheets
        .iter()
        .map(|sheet| {
            let text = sheet.to_csv().expect("csv");
            (sheet.name, text.lines().next().unwrap_or_default().to_owned())
        })
        .collect();
    let expected = [
        ("volume", "figure,key,cases"),
        ("return_rate", "figure,key,cases,delivered,rate_pct"),
        ("reasons", "reason,cases,share_pct,refunded,currency"),
        ("reasons_by_category", "category,reason,cases,share_pct"),
        ("money", "figure,amount,currency"),
        ("return_shipping", "payer,parcels,freight_insurance,cash_back"),
        ("policy", "figure,key,approved,needs_review,not_eligible,cases"),
        ("retention", "figure,key,count,not_refunded,currency"),
        (
            "logistics",
            "figure,carrier,sent,to_tracking_measured,to_tracking_average_days,to_tracking_median_days,\
             in_transit_measured,in_transit_average_days,in_transit_median_days,no_scan_alerts,exceptions",
        ),
        (
            "delivery_problems",
            "carrier,damaged_in_transit,lost_parcel,missing_items,wrong_item,signed_not_received,cases",
        ),
        ("responsibility", "code,cases,paid,currency"),
        ("agents", "agent,agent_id,cases_handled,sla_pings,csat_average,csat_count,most_satisfying"),
        (
            "agent_times",
            "agent,agent_id,measure,clock,measured,average_hours,median_hours,p90_hours,h0_1,h1_4,h4_8,h8_24,h24_plus",
        ),
        ("satisfaction", "figure,key,value,comment"),
    ];
    assert_eq!(headers, expected.map(|(name, header)| (name, header.to_owned())));
    let problems: Vec<&str> = DELIVERY_PROBLEMS.iter().map(|reason| reason.code()).collect();
    assert_eq!(problems.join(","), "damaged_in_transit,lost_parcel,missing_items,wrong_item,signed_not_received");
}

#[test]
fn csv_values_are_the_json_codes_and_money_in_major_units() {
    let sheets = csv::sheets(&report());
    let text = |name: &str| sheets.iter().find(|sheet| sheet.name == name).expect(name).to_csv().expect("csv");
    assert!(text("volume").contains("\nby_outcome,return_refund,4\n"), "{}", text("volume"));
    assert!(text("volume").contains("\nopened_on,2026-11-02,0\nopened_on,2026-11-03,1\n"), "{}", text("volume"));
    assert!(text("reasons").contains("\nquality_defect,2,33.33,50.00,CNY\n"), "{}", text("reasons"));
    assert!(text("reasons").contains("\nchanged_mind,3,50.0,399.00,CNY\n"), "{}", text("reasons"));
    assert!(text("money").contains("\nrefunded,667.00,CNY\n"), "{}", text("money"));
    assert!(text("reasons_by_category").contains("\nhome,quality_defect,2,100.0\n"), "{}", text("reasons_by_category"));
    assert_eq!(
        text("return_shipping"),
        "payer,parcels,freight_insurance,cash_back\ncustomer,1,1,0\nshop,1,0,1\ncarrier,1,0,0\n"
    );
    assert!(text("policy").contains("\nrule,quality_claim,1,1,0,2\n"), "{}", text("policy"));
    assert!(text("policy").contains("\nrules_version,v2,,,,4\n"), "{}", text("policy"));
    assert!(text("retention").contains("\noffers_declined,other_style,1,,\n"), "{}", text("retention"));
    assert!(text("retention").ends_with("\ncases_kept,,1,79.00,CNY\n"), "{}", text("retention"));
    // A comment is one cell however it is written.
    assert!(text("satisfaction").contains("\nlow_score,AS-1004,2,too   slow\n"), "{}", text("satisfaction"));
}

#[test]
fn cases_opened_are_counted_per_shop_day_with_the_empty_days() {
    let days = report().volume.opened_per_day;
    assert_eq!(days.len(), 30);
    assert_eq!(days[0].day, NaiveDate::from_ymd_opt(2026, 11, 1).expect("a day"));
    let busy: Vec<(u32, u32)> = days.iter().filter(|day| day.cases > 0).map(|day| (day.day.day(), day.cases)).collect();
    assert_eq!(busy, vec![(3, 1), (5, 1), (12, 1), (15, 1), (20, 1), (28, 1)]);
    // In UTC the month starts at 16:00 on 31 October: 31 days, one more.
    assert_eq!(build(november(), &Setup { zone: chrono_tz::UTC, ..setup() }, &rows()).volume.opened_per_day.len(), 31);
}

#[test]
fn months_and_days_make_periods_in_the_shops_zone() {
    let month = Month::parse("2026-11").expect("a month");
    assert_eq!(Period::month(Shanghai, month), Ok(november()));
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).expect("a day");
    assert_eq!(Period::days(Shanghai, day(1), day(30)), Ok(november()));
    assert_eq!(Period::days(Shanghai, day(2), day(1)), Err(PeriodError::Reversed { first: day(2), last: day(1) }));
    assert_eq!(november().first_and_last_day(Shanghai), (day(1), day(30)));
}

#[test]
fn the_headline_has_the_leading_figures_and_the_top_reasons() {
    let top = headline(&report(), Shanghai);
    assert_eq!((top.opened, top.closed, top.open_at_end), (6, 6, 2));
    assert_eq!(top.return_rate_pct, Some(75.0));
    assert_eq!(top.refunded, cny(66_700));
    assert_eq!((top.csat_average, top.csat_answered), (Some(3.0), 4));
    assert_eq!(top.top_reasons, vec![(Reason::ChangedMind, 3), (Reason::QualityDefect, 2), (Reason::PriceDropped, 1)]);
}

/// The `name="…"` attributes of the elements of `class` in `svg`, as numbers.
fn attributes(svg: &str, class: &str, name: &str) -> Vec<f64> {
    svg.split(&format!("class=\"{class}\""))
        .skip(1)
        .map(|element| {
            let element = &element[..element.find('>').expect("an element's end")];
            let value = element.split(&format!(" {name}=\"")).nth(1).expect(name);
            value[..value.find('"').expect("a quote")].parse().expect("a number")
        })
        .collect()
}

#[test]
fn the_reasons_chart_has_a_bar_per_reason_as_long_as_its_count() {
    let page = html::page(&report(), Lang::En, Shanghai);
    let start = page.find("<section id=\"reasons\">").expect("the reasons section");
    let section = &page[start..start + page[start..].find("</section>").expect("its end")];
    let widths = attributes(section, "bar", "width");
    assert_eq!(widths.len(), 3, "{section}");
    // 3, 2 and 1 cases.
    assert!((widths[0] / widths[1] - 1.5).abs() < 0.01 && (widths[0] / widths[2] - 3.0).abs() < 0.01, "{widths:?}");
    assert!(section.contains(&format!("fill=\"{}\"", html::REASONS_COLOUR)));
    assert!(section.contains(">Changed my mind<"), "{section}");
}

#[test]
fn the_page_has_the_headline_a_line_per_day_and_five_score_columns() {
    let page = html::page(&report(), Lang::Zh, Shanghai);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"), "{page}");
    assert!(page.contains("name=\"viewport\""));
    // Nothing is fetched: the only address is the SVG namespace.
    assert_eq!(page.matches("http").count(), page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count());
    assert!(!page.contains("https://") && !page.contains("<script") && !page.contains("<link"), "self-contained");
    assert!(page.contains("<span class=\"value\">75.00%</span><span class=\"name\">退货率</span>"), "{page}");
    assert_eq!(attributes(&page, "dot", "cy").len(), 30);
    let heights = attributes(page_section(&page, "csat"), "column", "height");
    // Scores 1, 2, 4 and 5 once each; no 3.
    assert_eq!(heights.len(), 5);
    assert!(heights[2] == 0.0 && heights.iter().filter(|h| **h > 0.0).count() == 4, "{heights:?}");
}

#[test]
fn text_from_data_is_escaped() {
    let mut report = report();
    report.satisfaction.low_scores[0].comment = Some("<script>alert('x') & \"y\"</script>".to_owned());
    let page = html::page(&report, Lang::En, Shanghai);
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"), "{page}");
    let bar = html::Bar { label: "a<b".to_owned(), value: 1, shown: "1 & more".to_owned() };
    let svg = html::bars(&[bar], html::REASONS_COLOUR);
    assert!(svg.contains(">a&lt;b<") && svg.contains(">1 &amp; more<"), "{svg}");
}

#[test]
fn the_monthly_post_is_due_on_the_first_at_the_set_time_in_the_shops_zone() {
    let settings = Settings::default();
    let month = |text: &str| Month::parse(text).expect("a month");
    assert_eq!(settings.monthly_post_at(month("2026-11"), Shanghai), Some(at(12, 1, 9)));
    let december =
        Some((month("2026-12"), Shanghai.with_ymd_and_hms(2027, 1, 1, 9, 0, 0).single().expect("a time").to_utc()));
    // Before 09:00 on the 1st, November's post is next; from then on, December's.
    assert_eq!(settings.next_monthly_post(at(12, 1, 8), Shanghai), Some((month("2026-11"), at(12, 1, 9))));
    assert_eq!(settings.next_monthly_post(at(12, 1, 9), Shanghai), Some((month("2026-11"), at(12, 1, 9))));
    assert_eq!(settings.next_monthly_post(at(12, 1, 10), Shanghai), december);
    assert_eq!(settings.next_monthly_post(at(12, 31, 23), Shanghai), december);
}

/// The text of the page's section `id`.
fn page_section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!("<section id=\"{id}\">")).expect(id);
    &page[start..start + page[start..].find("</section>").expect("its end")]
}

#[test]
fn the_page_draws_delivery_problems_per_carrier_and_the_responsibility_codes() {
    let opened = |n: u32, carrier: Option<&str>, reason| CaseRow {
        outbound_carrier: carrier.map(str::to_owned),
        ..case(&format!("AS-{}", 4000 + n), at(11, 2, 0), reason, Outcome::RefundOnly, CaseStatus::Approved)
    };
    let cases = vec![
        opened(1, Some("顺丰<速运>"), Reason::DamagedInTransit),
        opened(2, Some("顺丰<速运>"), Reason::WrongItem),
        opened(3, None, Reason::LostParcel),
    ];
    let rows = Rows { cases, delivered: vec![], offers: vec![], returns: vec![], escalations: vec![] };
    let page = html::page(&build(november(), &setup(), &rows), Lang::En, Shanghai);
    let logistics = page_section(&page, "logistics");
    let widths = attributes(logistics, "bar", "width");
    assert!(widths.len() == 2 && (widths[0] / widths[1] - 2.0).abs() < 0.01, "{widths:?}");
    assert!(logistics.contains(&format!("fill=\"{}\"", html::PROBLEMS_COLOUR)));
    assert!(logistics.contains(">顺丰&lt;速运&gt;<") && !logistics.contains("<速运>"), "{logistics}");
    assert!(logistics.contains("<td>顺丰&lt;速运&gt;</td><td class=\"n\">Wrong item"), "{logistics}");

    let page = html::page(&report(), Lang::En, Shanghai);
    let logistics = page_section(&page, "logistics");
    assert!(logistics.contains("<td>sf</td><td class=\"n\">2</td>"), "{logistics}");
    // A header cell over each column: the carrier's, then five figures.
    assert!(logistics.contains("<tr><th></th><th class=\"n\">Sent</th>"), "{logistics}");
    let codes = page_section(&page, "responsibility");
    // Codes 1, 3 and 6 were set on cases closed in November; two closed without one.
    assert_eq!(codes.matches("<tr>").count(), 5, "{codes}");
    assert!(codes.contains("<td class=\"n\">2</td><td class=\"n\">¥283.00</td>"), "{codes}");
}

#[test]
fn the_page_draws_the_response_time_distributions_and_a_row_per_agent() {
    let page = html::page(&report(), Lang::En, Shanghai);
    let agents = page_section(&page, "agents");
    let times = &agents[agents.find("<div id=\"response-times\">").expect("the charts")..];
    let heights = attributes(times, "column", "height");
    // First response 1, 1, 0, 0, 1 and resolution 0, 0, 1, 0, 2 (wall clock).
    assert_eq!(heights.len(), 10, "{times}");
    assert!(heights[0] == heights[1] && heights[0] == heights[4] && heights[2] == 0.0, "{heights:?}");
    assert!(heights[5] == 0.0 && (heights[9] / heights[7] - 2.0).abs() < 0.01, "{heights:?}");
    assert!(times.contains(html::FIRST_RESPONSE_COLOUR) && times.contains(html::RESOLUTION_COLOUR));
    // A header, the overall line, Li and Zhao.
    assert_eq!(agents.matches("<tr>").count(), 4, "{agents}");
    assert!(agents.contains("<td>Li</td><td class=\"n\">2</td><td class=\"n\">32.75 / 65.00</td>"), "{agents}");
    assert!(agents.contains("<h3>Most satisfying agent</h3><p>none</p>"), "{agents}");
}
