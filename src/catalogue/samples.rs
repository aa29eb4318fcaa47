//! Sample messages, one (at least) of every variant in both languages' typical shop data,
//! for the catalogue's tests.

use chrono::NaiveDate;

use super::*;
use crate::agent_command::Usage;
use crate::catalogue::card::TIMELINE_SHOWN;
use crate::money::Currency;
use crate::policy::Stage;
use crate::reason::EvidenceKind;
/// Shop data as a customer of each language would typically see it.
pub(super) struct Data {
    pub(super) name: &'static str,
    pub(super) shop: &'static str,
    pub(super) item: &'static str,
    pub(super) long_item: &'static str,
    pub(super) detail: &'static str,
    /// A retention offer, in the shop's own words.
    pub(super) offer: &'static str,
    pub(super) agent: &'static str,
    /// Why an agent refused a case, as they typed it.
    pub(super) refusal: &'static str,
    /// Why an agent pays a cash-back, as they typed it.
    pub(super) cash_back: &'static str,
    /// The shop's configured return address and recipient.
    pub(super) address: &'static str,
    pub(super) recipient: &'static str,
    /// A carrier's words on a scan.
    pub(super) scan: &'static str,
    /// Why the warehouse failed a returned parcel, as an agent typed it.
    pub(super) inspection: &'static str,
    /// The refund system's answer when it refuses a refund.
    pub(super) refund_error: &'static str,
    /// A customer's survey comment.
    pub(super) comment: &'static str,
}

pub(super) const ZH_DATA: Data = Data {
    name: "王芳",
    shop: "暖暖家居",
    item: "羊毛外套",
    long_item: "加厚双面羊绒大衣女中长款秋冬新款高级感",
    detail: "袖口开线了",
    offer: "送您一张10元无门槛优惠券，下次购物直接抵扣",
    agent: "李伟",
    refusal: "商品已超过质保期，且有明显使用痕迹",
    cash_back: "运费补偿",
    address: "广东省深圳市南山区科苑路88号 暖暖家居售后仓",
    recipient: "暖暖家居售后部",
    scan: "已揽收 深圳南山",
    inspection: "吊牌已剪，外套有明显穿着痕迹",
    refund_error: "商户余额不足",
    comment: "客服很耐心，就是退款有点慢",
};
pub(super) const EN_DATA: Data = Data {
    name: "Fang",
    shop: "Cosy Home",
    item: "Wool coat",
    long_item: "Double-faced cashmere long winter coat, premium edition",
    detail: "the cuff seam came open",
    offer: "A coupon for your next order, no minimum spend",
    agent: "Wei",
    refusal: "the warranty ended on 9 March and the coat shows clear signs of wear",
    cash_back: "return shipping you advanced",
    address: "Cosy Home returns, 88 Keyuan Road, Nanshan, Shenzhen",
    recipient: "Cosy Home after-sales",
    scan: "Picked up in Shenzhen Nanshan",
    inspection: "the tags were cut off and the coat shows clear signs of wear",
    refund_error: "insufficient merchant balance",
    comment: "Friendly staff, but the refund took a while",
};

pub(super) fn at(month: u32, day: u32, hour: u32, minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, month, day)
        .and_then(|date| date.and_hms_opt(hour, minute, 0))
        .expect("a valid test time")
}

pub(super) fn yuan(major: i64) -> Money {
    Money::new(major * 100, Currency::CNY)
}

pub(super) fn order() -> OrderNo {
    OrderNo::from_trusted("DEMO-1004")
}

/// A decision on a return and refund, its window ending with 9 March.
pub(super) fn decision(verdict: Verdict, rule: RuleId, next: NextStep) -> DecisionText {
    DecisionText {
        verdict,
        rule,
        next,
        outcome: Outcome::ReturnRefund,
        deadline: Some(at(3, 9, 23, 59)),
        window: Some(Length::Days(7)),
        review_by: None,
        return_shipping: None,
        freight_insurance: false,
        shipping_cash_back: false,
        refund_cap: yuan(199),
        refund_working_days: 3,
        still_possible: Vec::new(),
    }
}

pub(super) fn opened(decision: DecisionText) -> Msg {
    Msg::CaseOpened { id: CaseId::from_seq(1001), decision }
}

/// One fact of every kind, as `aftersales policy explain` shows them.
pub(super) fn all_facts() -> Vec<Fact<NaiveDateTime>> {
    vec![
        Fact::RequestedAt(at(3, 5, 10, 30)),
        Fact::Stage(Stage::Delivered),
        Fact::PaidAt(at(2, 26, 20, 15)),
        Fact::DeliveredAt(at(3, 2, 14, 5)),
        Fact::Window { from: at(3, 3, 0, 0), length: Length::Days(7), ends: at(3, 10, 0, 0) },
        Fact::Category { name: "apparel".into(), no_reason_return: true },
        Fact::Photos { have: 2, need: 3 },
        Fact::ResaleIntact(true),
        Fact::ExchangesUsed { used: 1, allowed: 1 },
        Fact::Units { asked: 1, claimed: 2, of: 3 },
        Fact::ReplacementDeliveredAt(at(3, 1, 9, 0)),
        Fact::Paid(yuan(199)),
        Fact::AlreadyRefunded(yuan(50)),
        Fact::FreightInsurance(true),
        Fact::ReviewBy { working_days: 1, by: at(3, 10, 18, 0) },
    ]
}

/// The bot's commands, as `conversation::Command::name` spells them.
pub(super) const COMMANDS: [&str; 7] = ["start", "new", "cases", "agent", "lang", "cancel", "help"];

pub(super) const VERDICTS: [Verdict; 3] = [Verdict::Approved, Verdict::NeedsReview, Verdict::NotEligible];
pub(super) const RULES: [RuleId; 25] = [
    RuleId::OrderUnpaid,
    RuleId::RefundBeforeShipping,
    RuleId::RefundInTransit,
    RuleId::CarrierCheck,
    RuleId::RefundOnlyAfterReceipt,
    RuleId::NoReasonReturn,
    RuleId::NoReasonWindowPassed,
    RuleId::ExcludedCategory,
    RuleId::ResaleImpaired,
    RuleId::ExchangeInWindow,
    RuleId::ExchangeWindowPassed,
    RuleId::ExchangeAlreadyUsed,
    RuleId::ReturnAfterExchange,
    RuleId::ReturnAfterExchangeWindowPassed,
    RuleId::QualityClaim,
    RuleId::QualityReportWindowPassed,
    RuleId::WarrantyPassed,
    RuleId::LogisticsClaim,
    RuleId::PriceProtection,
    RuleId::PriceProtectionWindowPassed,
    RuleId::CashBack,
    RuleId::NothingLeftToRefund,
    RuleId::UnitsAlreadyClaimed,
    RuleId::EvidenceMissing,
    RuleId::OutcomeNotOffered,
];
pub(super) const NEXT_STEPS: [NextStep; 12] = [
    NextStep::CancelUnpaidOrder,
    NextStep::RefundToOriginalPayment,
    NextStep::InterceptAndRefuseDelivery,
    NextStep::SendItemBack,
    NextStep::Review,
    NextStep::CarrierVerifies,
    NextStep::ChooseReturnInstead,
    NextStep::QualityClaimOrPerson,
    NextStep::TalkToPerson,
    NextStep::AddPhotos,
    NextStep::CashBackAfterReview,
    NextStep::SeeExistingCase,
];
pub(super) const PAYERS: [Option<ShippingPayer>; 4] =
    [None, Some(ShippingPayer::Customer), Some(ShippingPayer::Shop), Some(ShippingPayer::Carrier)];
pub(super) const WINDOWS: [Option<Length>; 4] =
    [Some(Length::Days(7)), Some(Length::Hours(48)), Some(Length::Days(365)), None];
pub(super) const STATUSES: [CaseStatus; 5] = CaseStatus::ALL;
pub(super) const OFFER_KINDS: [OfferKind; 4] =
    [OfferKind::Coupon, OfferKind::Gift, OfferKind::KeepDiscount, OfferKind::OtherStyle];
pub(super) const KINDS: [EvidenceKind; 4] =
    [EvidenceKind::Defect, EvidenceKind::SizeLabel, EvidenceKind::WhatArrived, EvidenceKind::AsReceived];

/// Who pays the return parcel, freight insurance and cash-back: every combination.
pub(super) fn shipping(turn: usize) -> (Option<ShippingPayer>, bool, bool) {
    (PAYERS[turn % 4], (turn / 4) % 2 == 1, (turn / 8) % 2 == 1)
}

/// Every verdict, rule, next step and outcome (the rest of the decision
/// taking turns), and every window, deadline, review time and shipping
/// for a few typical decisions: bounded, but each text is seen.
pub(super) fn case_opened_samples() -> Vec<Msg> {
    let mut samples = Vec::new();
    let mut turn = 0usize;
    for verdict in VERDICTS {
        for rule in RULES {
            for next in NEXT_STEPS {
                for outcome in Outcome::ALL {
                    let (return_shipping, freight_insurance, shipping_cash_back) = shipping(turn / 8);
                    samples.push(opened(DecisionText {
                        outcome,
                        deadline: (turn % 5 != 4).then(|| at(3, 9, 23, 59)),
                        window: WINDOWS[(turn / 3) % WINDOWS.len()],
                        review_by: (turn % 3 != 2).then(|| at(3, 10, 18, 0)),
                        return_shipping,
                        freight_insurance,
                        shipping_cash_back,
                        // Only a refusal names alternatives.
                        still_possible: match turn % 4 {
                            _ if verdict != Verdict::NotEligible => Vec::new(),
                            0 => Vec::new(),
                            1 => vec![Possible::Exchange { until: at(3, 17, 23, 59) }],
                            2 => vec![Possible::QualityClaim { until: at(3, 2, 23, 59) }],
                            _ => vec![
                                Possible::Exchange { until: at(3, 17, 23, 59) },
                                Possible::QualityClaim { until: at(3, 2, 23, 59) },
                            ],
                        },
                        ..decision(verdict, rule, next)
                    }));
                    turn += 1;
                }
            }
        }
    }
    let typical = [
        (Verdict::Approved, RuleId::NoReasonReturn, NextStep::SendItemBack),
        (Verdict::Approved, RuleId::ReturnAfterExchange, NextStep::SendItemBack),
        (Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review),
        (Verdict::NeedsReview, RuleId::CashBack, NextStep::CashBackAfterReview),
        (Verdict::NotEligible, RuleId::ResaleImpaired, NextStep::QualityClaimOrPerson),
    ];
    for (verdict, rule, next) in typical {
        for window in WINDOWS {
            for deadline in [Some(at(3, 9, 23, 59)), None] {
                for review_by in [Some(at(3, 10, 18, 0)), None] {
                    for (return_shipping, freight_insurance, shipping_cash_back) in (0..16).map(shipping) {
                        samples.push(opened(DecisionText {
                            window,
                            deadline,
                            review_by,
                            return_shipping,
                            freight_insurance,
                            shipping_cash_back,
                            ..decision(verdict, rule, next)
                        }));
                    }
                }
            }
        }
    }
    samples
}

/// One sample (at least) of every variant, with every label it can carry.
pub(super) fn samples(data: &Data) -> Vec<Msg> {
    let mut samples = vec![
        Msg::Greeting { name: data.name.into(), shop: data.shop.into() },
        Msg::Greeting { name: String::new(), shop: String::new() },
        Msg::Greeting { name: " ".into(), shop: data.shop.into() },
        Msg::MenuPrompt,
        Msg::Help,
        Msg::TerminalCommands,
        Msg::PhotoUnreadable { path: "/home/lin/notes/crack.jpg".into() },
        Msg::PhotoTooLarge { path: "crack.mov".into(), max_mb: 20 },
        Msg::CommandDescription { command: "unknown".into() },
        Msg::AskOrderNo,
        Msg::OrderNoMalformed,
        Msg::OrderNotFound { order: "TB-123456".into(), tries_left: 2 },
        Msg::OrderNotFound { order: "TB-123456".into(), tries_left: 0 },
        Msg::OrderLocked { until: at(3, 9, 23, 59) },
        Msg::AskProof { order: order() },
        Msg::ProofMalformed,
        Msg::ProofLockedNow { until: at(3, 9, 23, 59) },
        Msg::ProofByContactOnly,
        Msg::ContactNotOwn,
        Msg::ContactNoOrders,
        Msg::ContactVerified,
        Msg::PickOrder,
        Msg::OrderUnpaid { order: order() },
        Msg::PickLine { order: order() },
        Msg::AskQuantity { item: data.item.into(), max: 3 },
        Msg::AskReason { item: data.item.into(), shipped: true },
        Msg::AskReason { item: data.item.into(), shipped: false },
        Msg::AskDetail,
        Msg::EvidenceFull { max: 5 },
        Msg::DetailNoted,
        Msg::NotAPhoto,
        Msg::NotEvidence,
        Msg::AskOutcome,
        Msg::Cancelled,
        Msg::Cases(Vec::new()),
        Msg::NoCases,
        Msg::NoSuchCase { id: CaseId::from_seq(1001) },
        Msg::CaseNoLongerOpen { id: CaseId::from_seq(1001) },
        Msg::UnitsClaimed {
            item: data.item.into(),
            of: 1,
            // The statuses a case holding units can have.
            cases: [
                (CaseStatus::Approved, Outcome::ReturnRefund),
                (CaseStatus::Approved, Outcome::Reship),
                (CaseStatus::NeedsReview, Outcome::Exchange),
                (CaseStatus::Closed, Outcome::PartialRefund),
            ]
            .into_iter()
            .zip(1001..)
            .map(|((status, outcome), seq)| ClaimLine {
                id: CaseId::from_seq(seq),
                own: seq % 2 == 1,
                quantity: 1,
                outcome,
                status,
            })
            .collect(),
        },
        Msg::UnitsClaimed {
            item: data.item.into(),
            of: 2,
            cases: vec![ClaimLine {
                id: CaseId::from_seq(1009),
                own: false,
                quantity: 2,
                outcome: Outcome::Exchange,
                status: CaseStatus::NeedsReview,
            }],
        },
        Msg::UnitsPartlyClaimed {
            item: data.item.into(),
            left: 1,
            of: 3,
            cases: vec![CaseId::from_seq(1001), CaseId::from_seq(1002)],
        },
        Msg::AskAddition { id: CaseId::from_seq(1001) },
        Msg::AddedToCase { id: CaseId::from_seq(1001) },
        Msg::WhatNow,
        Msg::AdditionsDone { id: CaseId::from_seq(1001) },
        Msg::AgentQueued { case: Some(CaseId::from_seq(1001)), wait_minutes: 30 },
        Msg::AgentQueued { case: None, wait_minutes: 120 },
        Msg::ShopWillReply {
            case: Some(CaseId::from_seq(1001)), contact: "Mon–Fri 9:00–18:00, 400-800-1234".into()
        },
        Msg::ShopWillReply { case: None, contact: String::new() },
        Msg::LanguagePrompt,
        Msg::LanguageSet,
        Msg::StaleButton,
        Msg::TextTooLong { max: 1000 },
        Msg::UseButtons,
        Msg::NumberOutOfRange { max: 7 },
        Msg::UnexpectedMedia,
        Msg::Unsupported,
        Msg::EditNotRead,
        Msg::AskCondition { item: data.item.into() },
        Msg::OfferDeclined,
        Msg::OtherStyleChosen,
        Msg::Explanation {
            decision: DecisionText {
                verdict: Verdict::NeedsReview,
                rule: RuleId::QualityClaim,
                next: NextStep::Review,
                window: Some(Length::Hours(48)),
                review_by: Some(at(3, 10, 18, 0)),
                return_shipping: Some(ShippingPayer::Shop),
                shipping_cash_back: true,
                ..decision(Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review)
            },
            facts: all_facts(),
        },
        Msg::Explanation {
            decision: decision(Verdict::NotEligible, RuleId::OrderUnpaid, NextStep::CancelUnpaidOrder),
            facts: Vec::new(),
        },
    ];
    for kind in OFFER_KINDS {
        for value in [Some(yuan(10)), None] {
            for first in [true, false] {
                samples.push(Msg::RetentionOffer { text: data.offer.into(), kind, value, first });
            }
            samples.push(Msg::Retained { id: CaseId::from_seq(1001), text: data.offer.into(), kind, value });
        }
    }
    samples.extend(COMMANDS.map(|command| Msg::CommandDescription { command: command.into() }));
    samples.extend((0..=3).map(|tries_left| Msg::ProofWrong { tries_left }));
    samples.extend(KINDS.into_iter().flat_map(|kind| {
        [(3, 5), (1, 5), (0, 5), (2, 2)].into_iter().map(move |(min, max)| Msg::AskEvidence { kind, min, max })
    }));
    samples.extend(
        [(3, 5), (0, 5), (1, 1)]
            .into_iter()
            .flat_map(|(min, max)| (0..=5).map(move |have| Msg::EvidenceReceived { have, min, max })),
    );
    samples.extend(Reason::ALL.into_iter().zip(Outcome::ALL.into_iter().cycle()).flat_map(|(reason, outcome)| {
        [(data.detail, 3), ("", 0)].map(|(detail, photos)| Msg::Summary {
            order: order(),
            item: data.item.into(),
            quantity: 2,
            reason,
            detail: detail.into(),
            photos,
            outcome,
            resale_intact: None,
        })
    }));
    samples.extend([Some(true), Some(false)].map(|resale_intact| Msg::Summary {
        order: order(),
        item: data.item.into(),
        quantity: 1,
        reason: Reason::ChangedMind,
        detail: String::new(),
        photos: 0,
        outcome: Outcome::ReturnRefund,
        resale_intact,
    }));
    samples.push(Msg::Cases(
        STATUSES
            .into_iter()
            .zip(Outcome::ALL)
            .enumerate()
            .map(|(seq, (status, outcome))| CaseLine {
                id: CaseId::from_seq(1001 + seq as i64),
                item: if seq == 0 { data.long_item.into() } else { data.item.into() },
                outcome,
                status,
                opened: at(3, 2, 15, 0),
            })
            .collect(),
    ));
    samples.extend(case_detail_samples(data));
    samples.extend(case_opened_samples());
    samples.extend(agent_samples(data));
    samples.extend(followup_samples(data));
    let buttons = buttons(data);
    samples.extend(buttons.iter().cloned().map(|button| Msg::Chosen(Box::new(button))));
    samples.extend(buttons);
    samples
}

/// A card with `entries` timeline lines and `earlier` left out; with a case
/// when `decision` is given.
pub(super) fn card(data: &Data, decision: Option<DecisionText>, entries: usize, earlier: usize) -> CardView {
    use crate::catalogue::card::CardCase;
    use crate::catalogue::card::TimelineLine;
    use crate::escalation::Assignee;
    let case = decision.map(|decision| CardCase {
        id: CaseId::from_seq(1001),
        order: order(),
        item: data.item.into(),
        sku: "WC-2026-BLK-M".into(),
        quantity: 2,
        unit_price: yuan(199),
        paid: yuan(398),
        reason: Reason::QualityDefect,
        detail: [data.detail; 40].join(" "),
        outcome: Outcome::ReturnRefund,
        status: CaseStatus::NeedsReview,
        decision,
        agreed: Some(yuan(100)),
        responsibility: Some(2),
        evidence: 3,
    });
    let kinds = ["case_opened", "escalated", "taken", "note", "customer_message", "agent_message"];
    CardView {
        case,
        customer: data.name.into(),
        phone: Some("138****5678".into()),
        customer_lang: Lang::Zh,
        why: Why::Review,
        status: Status::Taken,
        assignee: Some(Assignee { user_id: 7, name: data.agent.into() }),
        opened: at(3, 5, 10, 30),
        timeline: (0..entries)
            .map(|entry| TimelineLine {
                at: at(3, 5, 10, entry as u32),
                actor: if entry.is_multiple_of(2) { data.name.into() } else { data.agent.into() },
                kind: kinds[entry % kinds.len()].into(),
                detail: data.detail.repeat(entry + 1),
            })
            .collect(),
        earlier,
    }
}

pub(super) fn queue_line(data: &Data, why: Why, seq: usize) -> QueueLine {
    QueueLine {
        case: (seq % 3 != 2).then(|| CaseId::from_seq(1001 + seq as i64)),
        customer: data.name.into(),
        why,
        status: if seq.is_multiple_of(2) { Status::Queued } else { Status::Taken },
        assignee: (seq % 2 == 1).then(|| data.agent.into()),
        waited_minutes: 25 * seq as i64,
    }
}

/// One sample (at least) of every text of the human-agents feature.
pub(super) fn agent_samples(data: &Data) -> Vec<Msg> {
    let case = || CaseId::from_seq(1001);
    let review = decision(Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review);
    let mut samples = vec![
        Msg::WaitLonger,
        Msg::AgentJoined { agent: Some(data.agent.into()) },
        Msg::AgentJoined { agent: Some(" ".into()) },
        Msg::AgentJoined { agent: None },
        Msg::AgentSays { agent: data.agent.into(), text: data.detail.into() },
        Msg::AgentRejected { case: case(), reason: data.refusal.into() },
        Msg::AgentRejected { case: case(), reason: String::new() },
        Msg::BackWithBot,
        Msg::CaseClosedByAgent { case: Some(case()) },
        Msg::CaseClosedByAgent { case: None },
        Msg::WithAPerson,
        Msg::Card(Box::new(card(data, Some(review.clone()), TIMELINE_SHOWN, 5))),
        Msg::Card(Box::new(card(data, None, 3, 0))),
        Msg::Card(Box::new(CardView {
            phone: None,
            assignee: None,
            customer_lang: Lang::En,
            status: Status::Queued,
            ..card(data, Some(review), 0, 0)
        })),
        Msg::TopicName { case: Some(case()), reason: Some(Reason::QualityDefect), customer: data.name.into() },
        Msg::TopicName { case: Some(case()), reason: None, customer: data.name.into() },
        Msg::TopicName { case: None, reason: None, customer: data.name.into() },
        Msg::TopicName {
            case: Some(case()),
            reason: Some(Reason::SignedNotReceived),
            customer: data.long_item.repeat(9),
        },
        Msg::NotAnAgent,
        Msg::NoteSaved,
        Msg::TakenBy { agent: data.agent.into() },
        Msg::AlreadyYours,
        Msg::TookCase { agent: data.agent.into() },
        Msg::Released { agent: data.agent.into() },
        Msg::NotAssigned,
        Msg::HandedBack { agent: data.agent.into() },
        Msg::ClosedByAgent { agent: data.agent.into() },
        Msg::NoCaseToDecide,
        Msg::CaseAlreadyClosed { case: case() },
        Msg::AmountAboveCap { asked: yuan(500), cap: yuan(398) },
        Msg::EscalationClosed,
        Msg::CaseReopened,
        Msg::Queue(Vec::new()),
        Msg::Queue(Why::ALL.into_iter().enumerate().map(|(seq, why)| queue_line(data, why, seq)).collect()),
        Msg::Queue((0..45).map(|seq| queue_line(data, Why::CustomerAsked, seq)).collect()),
        Msg::CustomerSent(Described::Sticker { emoji: Some("😀".into()) }),
        Msg::CustomerSent(Described::Sticker { emoji: None }),
        Msg::CustomerSent(Described::Location),
        Msg::CustomerSent(Described::Poll),
        Msg::CustomerSent(Described::Other),
        Msg::CannotRelay,
        Msg::AgentsHelp,
        Msg::ReportHeadline(headline(
            Some(33.33),
            Some(4.5),
            vec![(Reason::ChangedMind, 2), (Reason::QualityDefect, 1)],
        )),
        Msg::ReportHeadline(headline(None, None, Vec::new())),
    ];
    samples.extend(agent_buttons());
    samples.extend(
        [0, 1, 45, 59, 60, 61, 90, 120, 2879, 2880, 10_000, i64::MAX]
            .into_iter()
            .flat_map(|wait_minutes| [Some(case()), None].map(|case| Msg::AgentQueued { case, wait_minutes })),
    );
    for (seq, outcome) in Outcome::ALL.into_iter().enumerate() {
        let amount = seq.is_multiple_of(2).then(|| yuan(50));
        let reason = (outcome == Outcome::CashBack).then(|| data.cash_back.into());
        samples.push(Msg::AgentDecided { case: case(), outcome, amount, reason });
        for status in [CaseStatus::Approved, CaseStatus::NotEligible] {
            samples.push(Msg::DecisionRecorded { agent: data.agent.into(), outcome, status, amount });
        }
    }
    samples.extend((0..=10).map(|code| Msg::ResponsibilitySet { code }));
    for (seq, why) in Why::ALL.into_iter().enumerate() {
        let case = seq.is_multiple_of(2).then(case);
        samples.push(Msg::SlaPing { case, why, waited_minutes: 30 << seq, pings: seq as u32 + 1 });
    }
    samples.extend(
        [
            Usage::Note,
            Usage::Reject,
            Usage::PartialRefund,
            Usage::CashBack,
            Usage::Refund,
            Usage::Responsibility,
            Usage::Report,
        ]
        .map(|usage| Msg::CommandUsage(usage.syntax().into())),
    );
    samples.extend(Status::ALL.map(|status| Msg::NotRelayed { status }));
    samples
}

/// A return tracking number as the customer types it.
pub(super) const TRACKING: &str = "SF1234567890123";
pub(super) const WAITINGS: [Waiting; 3] = [Waiting::Review, Waiting::Inspection, Waiting::Refund];

pub(super) fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).expect("a valid test day")
}

pub(super) fn return_address(data: &Data) -> ReturnAddress {
    ReturnAddress { address: data.address.into(), recipient: data.recipient.into(), phone: "0755-8888-6666".into() }
}

pub(super) fn no_address() -> ReturnAddress {
    ReturnAddress { address: String::new(), recipient: String::new(), phone: String::new() }
}

pub(super) fn confirm_tracking(carrier_zh: &str, carrier_en: &str) -> Msg {
    Msg::ConfirmTracking {
        case: CaseId::from_seq(1001),
        carrier_zh: carrier_zh.into(),
        carrier_en: carrier_en.into(),
        number: TRACKING.into(),
    }
}

pub(super) fn followup_buttons() -> Vec<Msg> {
    let mut buttons = vec![
        Msg::TrackingRight,
        Msg::TrackingWrong,
        Msg::ReplaceTrackingButton,
        Msg::KeepTrackingButton,
        Msg::NoCommentButton,
    ];
    buttons.extend((1..=5).map(|score| Msg::RatingButton { score }));
    buttons
}

/// One sample (at least) of every text of the follow-ups feature.
pub(super) fn followup_samples(data: &Data) -> Vec<Msg> {
    let case = || CaseId::from_seq(1001);
    let mut samples = vec![
        confirm_tracking("顺丰速运", "SF Express"),
        confirm_tracking("", ""),
        Msg::TrackingSaved {
            case: case(),
            carrier_zh: "顺丰速运".into(),
            carrier_en: "SF Express".into(),
            number: TRACKING.into(),
        },
        Msg::AskTrackingAgain { case: case() },
        Msg::WhichCaseForParcel {
            carrier_zh: "顺丰速运".into(),
            carrier_en: "SF Express".into(),
            number: TRACKING.into(),
        },
        Msg::WhichCaseForParcel { carrier_zh: String::new(), carrier_en: String::new(), number: TRACKING.into() },
        Msg::ConfirmReplaceTracking { case: case(), old: TRACKING.into(), number: "YT1234567890123".into() },
        Msg::TrackingReplaced { case: case(), old: TRACKING.into(), number: "YT1234567890123".into() },
        Msg::TrackingKept { case: case(), number: TRACKING.into() },
        Msg::TrackingAlreadySaved { case: case(), number: TRACKING.into() },
        Msg::ParcelAlreadyArrived { case: case() },
        Msg::TrackingNudge { case: case() },
        Msg::NoScanUpdate { case: case() },
        Msg::InspectionFailed { case: case(), reason: data.inspection.into() },
        Msg::InspectionFailed { case: case(), reason: " ".into() },
        Msg::ExchangeInspected { case: case() },
        Msg::RefundIssued { case: case(), amount: yuan(268), arrive_by: day(3, 12) },
        Msg::SurveyAsk { case: case() },
        Msg::SurveyReminder { case: case() },
        Msg::SurveyThanks,
        Msg::SurveyAlreadyAnswered,
        Msg::AlertNoScan { case: case(), number: TRACKING.into(), since: Some(at(3, 5, 10, 30)) },
        Msg::AlertNoScan { case: case(), number: TRACKING.into(), since: None },
        Msg::AlertNoScan { case: case(), number: String::new(), since: None },
        Msg::AlertParcelException { case: case(), number: TRACKING.into(), detail: data.scan.into() },
        Msg::AlertParcelException { case: case(), number: String::new(), detail: String::new() },
        Msg::AlertRefundOverdue { case: case(), days: 3 },
        Msg::AlertRefundOverdue { case: case(), days: 1 },
        Msg::AlertRefundRefused { case: case(), why: data.refund_error.into() },
        Msg::AlertRefundRefused { case: case(), why: String::new() },
        Msg::AlertManualRefund { case: case(), amount: yuan(268) },
        Msg::AlertShipReplacement { case: case() },
        Msg::AlertSurveyComment { case: case(), comment: data.comment.into() },
        Msg::AlertFollowupStopped { case: case() },
        Msg::AlertProofContactOnly { order: order(), wrong: 10, chats: 5, hours: 24 },
        Msg::AlertReplyUndelivered {
            customer: data.name.into(),
            chat_id: 601,
            hours: 6,
            error: "A Telegram's error: Internal Server Error (may have been delivered)".into(),
        },
        Msg::InspectionRecorded { case: case(), passed: true },
        Msg::InspectionRecorded { case: case(), passed: false },
        Msg::RefundRecorded { case: case(), amount: yuan(268) },
        Msg::NoReturnAtStage { case: Some(case()) },
        Msg::NoReturnAtStage { case: None },
    ];
    for outcome in Outcome::ALL {
        samples.push(Msg::ReturnInstructions { case: case(), outcome, address: return_address(data) });
    }
    let partial = ReturnAddress { recipient: String::new(), phone: " ".into(), ..return_address(data) };
    for address in [no_address(), partial] {
        samples.push(Msg::ReturnInstructions { case: case(), outcome: Outcome::ReturnRefund, address });
    }
    for item in [data.item, data.long_item, ""] {
        samples.push(Msg::ParcelCaseButton { case: case(), item: item.into() });
        samples.push(Msg::ParcelCaseButton { case: CaseId::from_seq(i64::MAX), item: item.into() });
    }
    for status in ParcelStatus::ALL {
        for detail in [data.scan, ""] {
            samples.push(Msg::ParcelUpdate { case: case(), status, detail: detail.into() });
        }
    }
    samples.extend(WAITINGS.map(|waiting| Msg::Progress { case: case(), waiting }));
    for score in 1..=5 {
        samples.push(Msg::SurveyAskComment { score });
        samples.push(Msg::SurveySorry { score });
        samples.push(Msg::AlertLowScore { case: case(), score });
    }
    let buttons = followup_buttons();
    samples.extend(buttons.iter().cloned().map(|button| Msg::Chosen(Box::new(button))));
    samples.extend(buttons);
    samples
}

/// A case in full at every next step, with what can happen on it.
pub(super) fn case_detail_samples(data: &Data) -> Vec<Msg> {
    let approved = |outcome| AgentDecision { approved: true, outcome, reason: None };
    let milestones = vec![
        Milestone::Opened,
        Milestone::Added,
        Milestone::WithAPerson,
        Milestone::Decided(approved(Outcome::Exchange)),
        Milestone::Decided(AgentDecision {
            approved: false,
            outcome: Outcome::ReturnRefund,
            reason: Some(data.refusal.into()),
        }),
        Milestone::ReturnInstructions,
        Milestone::TrackingNumber { number: "SF1234567890".into() },
        Milestone::InspectionPassed,
        Milestone::InspectionFailed,
        Milestone::Refunded { amount: yuan(399) },
        Milestone::Kept,
        Milestone::Closed,
    ]
    .into_iter()
    .chain(ParcelStatus::ALL.map(Milestone::Parcel));
    let latest: Vec<(NaiveDateTime, Milestone)> = milestones.map(|milestone| (at(3, 2, 15, 0), milestone)).collect();
    let nexts = [
        CaseNext::Review,
        CaseNext::SendBack,
        CaseNext::ParcelOnItsWay,
        CaseNext::CarryingOut,
        CaseNext::PersonCanHelp,
        CaseNext::Settled,
    ];
    let mut samples: Vec<Msg> = nexts
        .into_iter()
        .zip(STATUSES.into_iter().cycle())
        .enumerate()
        .map(|(index, (next, status))| {
            let (verdict, rule, step) = match index % 3 {
                0 => (Verdict::NeedsReview, RuleId::QualityClaim, NextStep::Review),
                1 => (Verdict::Approved, RuleId::NoReasonReturn, NextStep::SendItemBack),
                _ => (Verdict::NotEligible, RuleId::NoReasonWindowPassed, NextStep::TalkToPerson),
            };
            let decision = DecisionText { review_by: Some(at(3, 3, 18, 0)), ..decision(verdict, rule, step) };
            Msg::CaseDetail(Box::new(CaseView {
                id: CaseId::from_seq(1001),
                order: order(),
                item: if index == 0 { data.long_item.into() } else { data.item.into() },
                quantity: 1,
                reason: Reason::ALL[index % Reason::ALL.len()],
                outcome: Outcome::ALL[index % Outcome::ALL.len()],
                status,
                opened: at(3, 2, 15, 0),
                decision,
                agent_decision: (index % 2 == 1).then(|| approved(Outcome::Exchange)),
                next,
                latest: if index == 0 { latest.clone() } else { latest[..1].to_vec() },
                earlier: index,
            }))
        })
        .collect();
    samples.extend(
        [data.item, data.long_item].map(|item| Msg::CaseButton { id: CaseId::from_seq(1001), item: item.into() }),
    );
    samples
}

pub(super) fn agent_buttons() -> [Msg; 5] {
    [Msg::TakeButton, Msg::ReleaseButton, Msg::ApproveButton, Msg::HandBackButton, Msg::CloseButton]
}

pub(super) fn buttons(data: &Data) -> Vec<Msg> {
    let mut buttons = vec![
        Msg::MenuNew,
        Msg::MenuCases,
        Msg::MenuAgent,
        Msg::MenuLanguage,
        Msg::ShareContactButton,
        Msg::SkipButton,
        Msg::ConfirmButton,
        Msg::ChangeButton,
        Msg::CancelButton,
        Msg::AddToCaseButton { id: CaseId::from_seq(1001) },
        Msg::OtherItemButton,
        Msg::FinishedAddingButton,
        Msg::ExchangeInsteadButton,
        Msg::QualityClaimButton,
        Msg::Quantity(1),
        Msg::Quantity(12),
        Msg::LanguageName(Lang::Zh),
        Msg::LanguageName(Lang::En),
        Msg::ConditionIntactButton,
        Msg::ConditionUsedButton,
        Msg::AnotherOfferButton,
        Msg::DeclineOfferButton,
    ];
    buttons.extend(OFFER_KINDS.map(|kind| Msg::AcceptOfferButton { kind }));
    for (item, lines) in [(data.item, 1), (data.item, 2), (data.long_item, 12), ("", 3), (data.item, 0)] {
        buttons.push(Msg::OrderButton { order: order(), first_item: item.into(), lines, total: yuan(597) });
    }
    let long_order = OrderNo::from_trusted("TB-2026-0301-0000-0000-000001");
    buttons.push(Msg::OrderButton {
        order: long_order,
        first_item: data.long_item.into(),
        lines: 3,
        total: yuan(12_999),
    });
    for item in [data.item, data.long_item] {
        buttons.push(Msg::LineButton { item: item.into(), quantity: 1, unit_price: yuan(399) });
    }
    buttons.extend(Reason::ALL.map(Msg::ReasonLabel));
    buttons.extend(Outcome::ALL.map(Msg::OutcomeLabel));
    buttons
}

/// A month's headline: November 2026, with or without deliveries and ratings.
fn headline(rate: Option<f64>, csat: Option<f64>, top_reasons: Vec<(Reason, u32)>) -> report::Headline {
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("a day");
    report::Headline {
        first_day: day(1),
        last_day: day(30),
        opened: 3,
        closed: 1,
        open_at_end: 2,
        return_rate_pct: rate,
        refunded: Money::new(39_900, Currency::CNY),
        csat_average: csat,
        csat_answered: u32::from(csat.is_some()) * 2,
        top_reasons,
    }
}
