use super::*;
use crate::money::Currency;
use crate::parcel::{Scan, TrackingNo};
use crate::typed::normalise;
use strum::VariantNames;

#[test]
fn case_ids_are_read_as_customers_type_them() {
    let id = Some(CaseId::from_seq(1001));
    for typed in ["AS-1001", "as1001", "AS 1001", "As#1001", " AS-1001 "] {
        assert_eq!(CaseId::parse(typed), id, "{typed:?}");
    }
    assert_eq!(CaseId::parse(&normalise("ＡＳ－１００１")), id);
    assert_eq!(CaseId::parse("what about AS-1001?"), None, "a sentence is not an id");
    for sentence in ["what about AS-1001?", "AS1001怎么样了", "我的as 1001呢？"] {
        assert_eq!(CaseId::find_in(sentence), id, "{sentence:?}");
    }
    for none in ["CLASS 1001", "AS-1001X", "ASAP 1001", "AS-", "1001"] {
        assert_eq!(CaseId::find_in(none), None, "{none:?}");
    }
}

fn detail(status: CaseStatus, outcome: Outcome, history: Vec<Milestone>) -> CaseDetail {
    let at = DateTime::<Utc>::UNIX_EPOCH;
    CaseDetail {
        id: CaseId::from_seq(1001),
        order_no: OrderNo::from_trusted("DEMO-1004"),
        item_name: "Jacket".into(),
        quantity: 1,
        reason: Reason::ChangedMind,
        outcome,
        status,
        created_at: at,
        decision: sample_decision(outcome),
        history: history.into_iter().map(|milestone| (at, milestone)).collect(),
    }
}

/// The rules' decision on a fresh return of a jacket.
fn sample_decision(outcome: Outcome) -> Decision {
    let order = crate::order::Order {
        no: OrderNo::from_trusted("DEMO-1004"),
        phone: crate::order::Phone::parse("13800138000").unwrap_or_else(|| unreachable!()),
        customer_name: String::new(),
        currency: Currency::CNY,
        lines: vec![crate::order::OrderLine {
            sku: "JK".into(),
            item_name: "Jacket".into(),
            category: "apparel".into(),
            quantity: 1,
            unit_price: Money::new(39_900, Currency::CNY),
        }],
        paid_at: Some(DateTime::<Utc>::UNIX_EPOCH),
        shipped_at: Some(DateTime::<Utc>::UNIX_EPOCH),
        delivered_at: Some(DateTime::<Utc>::UNIX_EPOCH),
        carrier: None,
        tracking_no: None,
        freight_insurance: false,
    };
    let request = crate::policy::Request {
        order: &order,
        line: &order.lines[0],
        quantity: 1,
        reason: Reason::ChangedMind,
        outcome,
        photos: 0,
        resale_intact: Some(true),
        history: &crate::policy::LineHistory::default(),
        at: DateTime::<Utc>::UNIX_EPOCH,
    };
    crate::policy::decide_by_default(&request)
}

#[test]
fn the_next_step_follows_the_status_and_the_return_parcel() {
    let next = |status, outcome, history| detail(status, outcome, history).next();
    assert_eq!(next(CaseStatus::NeedsReview, Outcome::Reship, vec![]), CaseNext::Review);
    assert_eq!(next(CaseStatus::Approved, Outcome::ReturnRefund, vec![Milestone::Opened]), CaseNext::SendBack);
    let sent = vec![Milestone::ReturnInstructions, Milestone::TrackingNumber { number: "SF1".into() }];
    assert_eq!(next(CaseStatus::Approved, Outcome::ReturnRefund, sent), CaseNext::ParcelOnItsWay);
    let checked = vec![Milestone::Parcel(ParcelStatus::Delivered), Milestone::InspectionPassed];
    assert_eq!(next(CaseStatus::Approved, Outcome::Exchange, checked), CaseNext::CarryingOut);
    assert_eq!(next(CaseStatus::Approved, Outcome::Reship, vec![]), CaseNext::CarryingOut);
    assert_eq!(next(CaseStatus::NotEligible, Outcome::ReturnRefund, vec![]), CaseNext::PersonCanHelp);
    assert_eq!(next(CaseStatus::Closed, Outcome::ReturnRefund, vec![]), CaseNext::Settled);
    assert_eq!(next(CaseStatus::Retained, Outcome::ReturnRefund, vec![]), CaseNext::Settled);
}

/// The milestone of an event as stored.
fn milestone(kind: &str, data: serde_json::Value) -> Option<Milestone> {
    Milestone::from_event(&Event::read(kind, data).expect("a stored event"))
}

#[test]
fn timeline_events_become_what_the_customer_hears_and_agents_steps_stay_out() {
    let rejected = serde_json::json!({ "outcome": "return_refund", "reason": "worn", "agent": "Li", "agent_id": 11, "amount_minor": null });
    let decided = milestone("rejected", rejected);
    let expected = AgentDecision { approved: false, outcome: Outcome::ReturnRefund, reason: Some("worn".into()) };
    assert_eq!(decided, Some(Milestone::Decided(expected.clone())));
    let refunded = serde_json::json!({ "amount_minor": 39_900, "currency": "CNY", "reference": "r" });
    assert_eq!(
        milestone("refunded", refunded),
        Some(Milestone::Refunded { amount: Money::new(39_900, Currency::CNY) })
    );
    let scan = serde_json::json!({ "status": "picked_up", "at": "2025-03-01T10:00:00Z", "detail": "" });
    assert_eq!(milestone("parcel_scan", scan), Some(Milestone::Parcel(ParcelStatus::PickedUp)));
    for internal in ["note", "taken", "released", "responsibility", "decided", "agent_message", "no_scan"] {
        let (event, _) = stored().into_iter().find(|(event, _)| event.kind() == internal).expect("a sample");
        assert_eq!(Milestone::from_event(&event), None, "{internal}");
    }
    let mut case = detail(CaseStatus::NotEligible, Outcome::ReturnRefund, vec![Milestone::Opened]);
    case.history.push((case.created_at, decided.unwrap_or(Milestone::Closed)));
    assert_eq!(case.agent_decision(), Some(&expected));
}

fn li() -> ByAgent {
    ByAgent { agent: "Li".into(), agent_id: 11 }
}

/// Every kind of event with its data as the timeline stores it (the text
/// written before events were typed, keys in order).
fn stored() -> Vec<(Event, String)> {
    let at = DateTime::parse_from_rfc3339("2025-03-01T10:00:00Z").expect("time").to_utc();
    let offer = |result| OfferMade {
        offer_id: "coupon".into(),
        kind: OfferKind::Coupon,
        value: Some(Money::new(1_000, Currency::CNY)),
        result,
    };
    let offer_json = |result: &str| {
        format!(
            r#"{{"kind":"coupon","offer_id":"coupon","result":"{result}","value":{{"currency":"CNY","minor":1000}}}}"#
        )
    };
    let ruling = |outcome, amount_minor, reason: Option<&str>| Ruling {
        outcome,
        amount_minor,
        reason: reason.map(str::to_owned),
        by: li(),
    };
    let decision = sample_decision(Outcome::ReturnRefund);
    let text = |text: &str| text.to_owned();
    let mut table = vec![
        (
            Event::Opened {
                order_no: OrderNo::from_trusted("DEMO-1004"),
                sku: "JK".into(),
                quantity: 1,
                reason: Reason::ChangedMind,
                outcome: Outcome::ReturnRefund,
                photos: 2,
            },
            r#"{"order_no":"DEMO-1004","outcome":"return_refund","photos":2,"quantity":1,"reason":"changed_mind","sku":"JK"}"#.into(),
        ),
        // The decision as it serialises (its own test pins its fields).
        (Event::Decided(Box::new(decision.clone())), serde_json::to_value(&decision).expect("json").to_string()),
        (Event::OfferAccepted(offer(OfferResult::Accepted)), offer_json("accepted")),
        (Event::OfferDeclined(offer(OfferResult::Declined)), offer_json("declined")),
        (Event::ClosedRetained {}, "{}".into()),
        (Event::Added(Added::Text { text: text("也有划痕") }), r#"{"text":"也有划痕"}"#.into()),
        (Event::Added(Added::Evidence { evidence: MediaKind::ImageFile }), r#"{"evidence":"image_file"}"#.into()),
        (Event::Escalated { why: crate::escalation::Why::NoTrackingNumber }, r#"{"why":"no_tracking_number"}"#.into()),
        (Event::CustomerMessage { text: text("[sticker 👍]") }, r#"{"text":"[sticker 👍]"}"#.into()),
        (Event::Edited { text: text("hello") }, r#"{"text":"hello"}"#.into()),
        (Event::AgentMessage { text: text("[media]"), by: li() }, r#"{"agent":"Li","agent_id":11,"text":"[media]"}"#.into()),
        (Event::Note { text: text("angry"), by: li() }, r#"{"agent":"Li","agent_id":11,"text":"angry"}"#.into()),
        (Event::Taken { by: li() }, r#"{"agent":"Li","agent_id":11}"#.into()),
        (Event::Released { by: li() }, r#"{"agent":"Li","agent_id":11}"#.into()),
        (Event::HandedBack { by: li() }, r#"{"agent":"Li","agent_id":11}"#.into()),
        (Event::Responsibility { code: 3, by: li() }, r#"{"agent":"Li","agent_id":11,"code":3}"#.into()),
        (
            Event::Approved(ruling(Outcome::ReturnRefund, None, None)),
            r#"{"agent":"Li","agent_id":11,"amount_minor":null,"outcome":"return_refund","reason":null}"#.into(),
        ),
        (
            Event::Rejected(ruling(Outcome::ReturnRefund, None, Some("worn"))),
            r#"{"agent":"Li","agent_id":11,"amount_minor":null,"outcome":"return_refund","reason":"worn"}"#.into(),
        ),
        (
            Event::Exchange(ruling(Outcome::Exchange, None, None)),
            r#"{"agent":"Li","agent_id":11,"amount_minor":null,"outcome":"exchange","reason":null}"#.into(),
        ),
        (
            Event::Reship(ruling(Outcome::Reship, None, None)),
            r#"{"agent":"Li","agent_id":11,"amount_minor":null,"outcome":"reship","reason":null}"#.into(),
        ),
        (
            Event::PartialRefund(ruling(Outcome::PartialRefund, Some(5_000), None)),
            r#"{"agent":"Li","agent_id":11,"amount_minor":5000,"outcome":"partial_refund","reason":null}"#.into(),
        ),
        (
            Event::CashBack(ruling(Outcome::CashBack, Some(800), Some("运费"))),
            r#"{"agent":"Li","agent_id":11,"amount_minor":800,"outcome":"cash_back","reason":"运费"}"#.into(),
        ),
        (
            Event::Refund(ruling(Outcome::RefundOnly, Some(19_900), None)),
            r#"{"agent":"Li","agent_id":11,"amount_minor":19900,"outcome":"refund_only","reason":null}"#.into(),
        ),
        (Event::EscalationReopened {}, "{}".into()),
        (Event::ReturnInstructions { outcome: Outcome::Exchange }, r#"{"outcome":"exchange"}"#.into()),
        (
            Event::TrackingNumber(TrackingNo { carrier: "sf".into(), number: "SF1234567890123".into() }),
            r#"{"carrier":"sf","number":"SF1234567890123"}"#.into(),
        ),
        (
            Event::tracking_corrected(
                &TrackingNo { carrier: "sf".into(), number: "SF1".into() },
                &TrackingNo { carrier: "yto".into(), number: "YT2".into() },
            ),
            r#"{"new":"YT2","new_carrier":"yto","old":"SF1","old_carrier":"sf"}"#.into(),
        ),
        (Event::TrackingNudged {}, "{}".into()),
        (Event::TrackingMissing {}, "{}".into()),
        (Event::NoScan { since: Some(at) }, r#"{"since":"2025-03-01T10:00:00Z"}"#.into()),
        (Event::NoScan { since: None }, r#"{"since":null}"#.into()),
        (
            Event::ParcelScan(Scan { status: ParcelStatus::InTransit, at, detail: "深圳".into() }),
            r#"{"at":"2025-03-01T10:00:00Z","detail":"深圳","status":"in_transit"}"#.into(),
        ),
        (Event::InspectionPassed {}, "{}".into()),
        (Event::InspectionFailed { reason: text("worn") }, r#"{"reason":"worn"}"#.into()),
        (Event::RefundOverdue {}, "{}".into()),
        (
            Event::refunded(Money::new(39_900, Currency::CNY), Some("R-1".into())),
            r#"{"amount_minor":39900,"currency":"CNY","reference":"R-1"}"#.into(),
        ),
        (
            Event::refunded(Money::new(39_900, Currency::CNY), None),
            r#"{"amount_minor":39900,"currency":"CNY","reference":null}"#.into(),
        ),
        (Event::RefundRefused { why: text("closed") }, r#"{"why":"closed"}"#.into()),
        (Event::SurveySent {}, "{}".into()),
        (Event::SurveyRated { score: 4 }, r#"{"score":4}"#.into()),
        (Event::SurveyComment { comment: text("fast") }, r#"{"comment":"fast"}"#.into()),
        (Event::FollowupStopped { why: text("blocked") }, r#"{"why":"blocked"}"#.into()),
        (Event::Closed { by: None }, "{}".into()),
        (Event::Closed { by: Some(li()) }, r#"{"agent":"Li","agent_id":11}"#.into()),
    ];
    table.sort_by_key(|(event, _)| event.kind());
    table
}

#[test]
fn events_are_stored_as_before_and_read_back_as_themselves() {
    let kinds = [
        "added",
        "agent_message",
        "approved",
        "cash_back",
        "closed",
        "closed_retained",
        "customer_message",
        "decided",
        "edited",
        "escalated",
        "escalation_reopened",
        "exchange",
        "followup_stopped",
        "handed_back",
        "inspection_failed",
        "inspection_passed",
        "no_scan",
        "note",
        "offer_accepted",
        "offer_declined",
        "opened",
        "parcel_scan",
        "partial_refund",
        "refund",
        "refund_overdue",
        "refund_refused",
        "refunded",
        "rejected",
        "released",
        "reship",
        "responsibility",
        "return_instructions",
        "survey_comment",
        "survey_rated",
        "survey_sent",
        "taken",
        "tracking_corrected",
        "tracking_missing",
        "tracking_nudged",
        "tracking_number",
    ];
    let table = stored();
    let mut seen: Vec<&str> = table.iter().map(|(event, _)| event.kind()).collect();
    seen.dedup();
    assert_eq!(seen, kinds, "every kind, each pinned");
    assert_eq!(seen.len(), Event::VARIANTS.len(), "every variant");
    for (event, data) in &table {
        assert_eq!(event.data().to_string(), *data, "{}", event.kind());
        let read = Event::read(event.kind(), serde_json::from_str(data).expect("json")).expect("read back");
        assert_eq!(read, *event, "{}", event.kind());
    }
}

#[test]
fn codes_in_event_data_are_the_codes_of_the_columns() {
    let code = |event: Event, key: &str| event.data()[key].as_str().map(str::to_owned);
    for why in crate::escalation::Why::ALL {
        assert_eq!(code(Event::Escalated { why }, "why").as_deref(), Some(why.code()));
    }
    for outcome in Outcome::ALL {
        assert_eq!(code(Event::ReturnInstructions { outcome }, "outcome").as_deref(), Some(outcome.code()));
    }
    for reason in Reason::ALL {
        let opened = Event::Opened {
            order_no: OrderNo::from_trusted("A"),
            sku: String::new(),
            quantity: 1,
            reason,
            outcome: Outcome::Exchange,
            photos: 0,
        };
        assert_eq!(code(opened, "reason").as_deref(), Some(reason.code()));
    }
    for status in ParcelStatus::ALL {
        let scan = Scan { status, at: DateTime::<Utc>::UNIX_EPOCH, detail: String::new() };
        assert_eq!(code(Event::ParcelScan(scan), "status").as_deref(), Some(status.code()));
    }
    for kind in [MediaKind::Photo, MediaKind::Video, MediaKind::ImageFile] {
        assert_eq!(code(Event::Added(Added::Evidence { evidence: kind }), "evidence").as_deref(), Some(kind.code()));
    }
}

#[test]
fn an_unknown_kind_or_data_is_an_error_not_a_panic() {
    assert!(Event::read("teleported", serde_json::json!({})).is_err());
    assert!(Event::read("note", serde_json::json!({ "text": "no agent" })).is_err());
    assert!(Event::read("parcel_scan", serde_json::json!({ "status": "lost", "at": "x", "detail": "" })).is_err());
    assert!(Event::read("taken", serde_json::Value::Null).is_err());
}

#[test]
fn the_card_shows_the_agent_and_the_words_the_data_holds() {
    // What the card showed when it read the data: the agent's name, and the
    // first of text, reason, why, outcome that is a string.
    for (event, data) in stored() {
        let data: serde_json::Value = serde_json::from_str(&data).expect("json");
        let agent = data["agent"].as_str();
        assert_eq!(event.agent().map(|by| by.agent.as_str()), agent, "{}", event.kind());
        let detail = ["text", "reason", "why", "outcome"].into_iter().find_map(|key| data[key].as_str());
        assert_eq!(event.detail(), detail.unwrap_or_default(), "{}", event.kind());
    }
}

#[test]
fn a_case_opens_with_what_was_asked_the_decision_the_offers_and_kept() {
    let offer = OfferMade {
        offer_id: "keep".into(),
        kind: OfferKind::KeepDiscount,
        value: Some(Money::new(2_000, Currency::CNY)),
        result: OfferResult::Accepted,
    };
    let decision = sample_decision(Outcome::ReturnRefund);
    let case = NewCase {
        id: CaseId::from_seq(1001),
        order_no: OrderNo::from_trusted("DEMO-1004"),
        sku: "JK".into(),
        quantity: 1,
        reason: Reason::ChangedMind,
        detail: String::new(),
        outcome: Outcome::ReturnRefund,
        decision,
        evidence: Vec::new(),
        resale_intact: Some(true),
        offers: vec![OfferMade { result: OfferResult::Declined, ..offer.clone() }, offer],
    };
    let kinds: Vec<&str> = Event::opening(&case).iter().map(Event::kind).collect();
    assert_eq!(kinds, ["opened", "decided", "offer_declined", "offer_accepted", "closed_retained"]);
}
