//! Specifications of the follow-ups: the return parcel from approval to
//! refund, the jobs that keep it moving, and the satisfaction survey.

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Asia::Shanghai;
use proptest::prelude::*;

use super::*;
use crate::calendar::Calendar;
use crate::money::Currency;
use crate::order::fixtures::at;
use crate::parcel::{Inspection, ParcelStatus, Scan, TrackingNo};
use crate::policy::Outcome;

static SETTINGS: LazyLock<Settings> = LazyLock::new(Settings::default);
static CALENDAR: LazyLock<Calendar> = LazyLock::new(Calendar::default);

/// Friday 27 November 2026, 10:00 in Shanghai: a weekend lies ahead.
fn now() -> DateTime<Utc> {
    at("2026-11-27T10:00:00+08:00")
}

fn hours(count: i64) -> DateTime<Utc> {
    now() + TimeDelta::hours(count)
}

/// The default settings, a Saturday-and-Sunday weekend, refunds within 3 working days.
fn cx() -> Context<'static> {
    Context { settings: &SETTINGS, calendar: &CALENDAR, zone: Shanghai, refund_working_days: 3, now: now() }
}

fn cx_at(now: DateTime<Utc>) -> Context<'static> {
    Context { now, ..cx() }
}

fn case() -> CaseId {
    CaseId::from_trusted("AS-1001")
}

fn paid() -> Money {
    Money::new(26_800, Currency::CNY)
}

const SF_TEXT: &str = "单号：SF1234567890123，谢谢";

fn sf_parcel() -> TrackingNo {
    TrackingNo { carrier: "sf".into(), number: "SF1234567890123".into() }
}

fn scan(status: ParcelStatus, at: DateTime<Utc>) -> Scan {
    Scan { status, at, detail: status.code().to_owned() }
}

// The return at each stage, reached through the core itself.

fn approved(outcome: Outcome) -> Return {
    let refund = (outcome != Outcome::Exchange).then_some(paid());
    start(case(), outcome, refund, &cx()).0
}

fn proposed(outcome: Outcome) -> Return {
    tracking_text(&approved(outcome), SF_TEXT, &cx()).expect("a tracking number").0
}

fn on_the_way(outcome: Outcome) -> Return {
    confirm(&proposed(outcome), true, false, &cx()).expect("confirmed").0
}

fn at_warehouse(outcome: Outcome) -> Return {
    on_scans(&on_the_way(outcome), &[scan(ParcelStatus::Delivered, now())], &cx()).0
}

fn refunding() -> Return {
    inspected(&at_warehouse(Outcome::ReturnRefund), &Inspection::Passed, &cx()).expect("inspected").0
}

fn sent() -> Survey {
    survey_job(&case(), &Survey::default(), Job::Survey, &cx()).0
}

fn rated(score: u8) -> Survey {
    rate(&case(), &sent(), score, &cx()).expect("rated").0
}

// What the effects mean.

fn told(effects: &[Effect]) -> Vec<&Msg> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Tell(msg, _) => Some(msg),
            _ => None,
        })
        .collect()
}

fn buttons(effects: &[Effect]) -> Vec<&Button> {
    effects
        .iter()
        .flat_map(|effect| match effect {
            Effect::Tell(_, buttons) => buttons.as_slice(),
            _ => &[],
        })
        .collect()
}

/// What the buttons do when pressed, checked to fit Telegram's 64-byte callback data.
fn presses(effects: &[Effect]) -> Vec<Press> {
    buttons(effects)
        .into_iter()
        .map(|button| {
            assert!(button.data.len() <= 64, "callback data over 64 bytes: {:?}", button.data);
            Press::parse(&button.data).unwrap_or_else(|| panic!("{:?} does not parse back", button.data))
        })
        .collect()
}

fn alerted(effects: &[Effect]) -> Vec<&Msg> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Alert(msg) => Some(msg),
            _ => None,
        })
        .collect()
}

fn escalated(effects: &[Effect]) -> Vec<Why> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Escalate(why) => Some(*why),
            _ => None,
        })
        .collect()
}

fn events(effects: &[Effect]) -> Vec<&'static str> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Event(event) => Some(event.kind()),
            _ => None,
        })
        .collect()
}

/// When `job` is to run, if the effects schedule it.
fn scheduled(effects: &[Effect], job: Job) -> Option<DateTime<Utc>> {
    effects.iter().rev().find_map(|effect| match effect {
        Effect::Schedule(scheduled, at) if *scheduled == job => Some(*at),
        _ => None,
    })
}

fn cancelled(effects: &[Effect], job: Job) -> bool {
    effects.contains(&Effect::Cancel(job))
}

fn refunds_issued(effects: &[Effect]) -> Vec<Money> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::IssueRefund(amount) => Some(*amount),
            _ => None,
        })
        .collect()
}

fn closed(effects: &[Effect]) -> Vec<Option<Money>> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Close { refunded } => Some(*refunded),
            _ => None,
        })
        .collect()
}

/// The parcel statuses the effects tell the customer, in order.
fn statuses_told(effects: &[Effect]) -> Vec<ParcelStatus> {
    told(effects)
        .into_iter()
        .filter_map(|msg| match msg {
            Msg::ParcelUpdate { status, .. } => Some(*status),
            _ => None,
        })
        .collect()
}

// Approval and the tracking number.

#[test]
fn an_approved_return_tells_where_to_send_it_and_nudges_after_the_tracking_wait() {
    let (ret, effects) = start(case(), Outcome::ReturnRefund, Some(paid()), &cx());
    assert_eq!((ret.stage, ret.refund), (Stage::AwaitingParcel, Some(paid())));
    let instructions =
        Msg::ReturnInstructions { case: case(), outcome: Outcome::ReturnRefund, address: SETTINGS.address() };
    assert_eq!(told(&effects), [&instructions]);
    assert_eq!(events(&effects), ["return_instructions"]);
    // 48 hours by default.
    assert_eq!(scheduled(&effects, Job::TrackingNudge), Some(at("2026-11-29T10:00:00+08:00")));
    assert_eq!(ret.waiting(), None, "the shop waits on the customer, not the other way round");
}

#[test]
fn an_exchange_never_issues_a_refund_even_with_an_amount_attached() {
    for refund in [None, Some(paid())] {
        let (ret, _) = start(case(), Outcome::Exchange, refund, &cx());
        let ret = confirm(&tracking_text(&ret, SF_TEXT, &cx()).expect("proposed").0, true, false, &cx())
            .expect("confirmed")
            .0;
        let (ret, _) = on_scans(&ret, &[scan(ParcelStatus::Delivered, now())], &cx());
        let (after, effects) = inspected(&ret, &Inspection::Passed, &cx()).expect("inspected");
        assert_eq!(refunds_issued(&effects), [], "{refund:?}");
        assert_eq!(after.stage, Stage::Done, "{refund:?}");
    }
}

#[test]
fn a_text_with_a_tracking_number_is_proposed_with_yes_and_no_buttons() {
    let (next, effects) = tracking_text(&approved(Outcome::ReturnRefund), SF_TEXT, &cx()).expect("a number");
    assert_eq!(next.proposed, Some(sf_parcel()));
    assert_eq!((next.stage, next.parcel), (Stage::AwaitingParcel, None), "nothing is saved before the yes");
    let ask = Msg::ConfirmTracking {
        case: case(),
        carrier_zh: "顺丰速运".into(),
        carrier_en: "SF Express".into(),
        number: "SF1234567890123".into(),
    };
    assert_eq!(told(&effects), [&ask]);
    let labels: Vec<&Msg> = buttons(&effects).into_iter().map(|button| &button.label).collect();
    assert_eq!(labels, [&Msg::TrackingRight, &Msg::TrackingWrong]);
    assert_eq!(
        presses(&effects),
        [Press::Tracking { case: case(), right: true }, Press::Tracking { case: case(), right: false }]
    );
}

#[test]
fn chatter_proposes_nothing() {
    let ret = approved(Outcome::ReturnRefund);
    for text in ["", "hello", "好的谢谢", "我明天寄", "DEMO-1004", "12345"] {
        assert_eq!(tracking_text(&ret, text, &cx()), None, "{text:?}");
    }
}

// Several returns, and a corrected number.

const YT: &str = "YT1234567890123";

fn yt_parcel() -> TrackingNo {
    TrackingNo { carrier: "yto".into(), number: YT.into() }
}

fn vase_case() -> CaseId {
    CaseId::from_trusted("AS-1002")
}

/// The customer's returns as the shell brings them: with their items.
fn held(returns: &[Return]) -> Vec<(Return, String)> {
    returns.iter().map(|ret| (ret.clone(), format!("item of {}", ret.case))).collect()
}

fn one(answer: Option<ParcelText>) -> (Return, Vec<Effect>) {
    match answer {
        Some(ParcelText::One(next, effects)) => (next, effects),
        other => panic!("expected one return's answer, got {other:?}"),
    }
}

fn which(answer: Option<ParcelText>) -> (Msg, Vec<Button>) {
    match answer {
        Some(ParcelText::Which(Effect::Choose(ask, buttons))) => (ask, buttons),
        other => panic!("expected the which-case question, got {other:?}"),
    }
}

fn proposed_replacement() -> Return {
    one(parcel_text(&held(&[on_the_way(Outcome::ReturnRefund)]), YT, &cx())).0
}

#[test]
fn two_returns_waiting_for_a_parcel_ask_which_case_it_is_for() {
    let vase = Return { case: vase_case(), ..approved(Outcome::Exchange) };
    let (ask, buttons) = which(parcel_text(&held(&[approved(Outcome::ReturnRefund), vase]), SF_TEXT, &cx()));
    assert_eq!(
        ask,
        Msg::WhichCaseForParcel {
            carrier_zh: "顺丰速运".into(),
            carrier_en: "SF Express".into(),
            number: "SF1234567890123".into()
        }
    );
    let labels: Vec<&Msg> = buttons.iter().map(|button| &button.label).collect();
    assert_eq!(
        labels,
        [
            &Msg::ParcelCaseButton { case: case(), item: "item of AS-1001".into() },
            &Msg::ParcelCaseButton { case: vase_case(), item: "item of AS-1002".into() }
        ],
        "one button a case, oldest first"
    );
    let pressed: Vec<Press> = buttons.iter().filter_map(|button| Press::parse(&button.data)).collect();
    let number = "SF1234567890123".to_owned();
    assert_eq!(
        pressed,
        [Press::ForCase { case: case(), number: number.clone() }, Press::ForCase { case: vase_case(), number }]
    );
}

#[test]
fn the_picked_case_gets_the_number_proposed_as_with_one_return() {
    let vase = Return { case: vase_case(), ..approved(Outcome::Exchange) };
    let (next, effects) = tracking_text(&vase, "SF1234567890123", &cx()).expect("a number");
    assert_eq!((&next.case, &next.proposed, next.stage), (&vase_case(), &Some(sf_parcel()), Stage::AwaitingParcel));
    assert!(matches!(told(&effects)[..], [Msg::ConfirmTracking { case, .. }] if *case == vase_case()));
    let (saved, _) = confirm(&next, true, false, &cx()).expect("confirmed");
    assert_eq!((saved.stage, saved.parcel), (Stage::OnTheWay, Some(sf_parcel())));
}

#[test]
fn one_return_waiting_takes_the_number_without_a_question() {
    let returns =
        held(&[Return { case: vase_case(), ..at_warehouse(Outcome::Exchange) }, approved(Outcome::ReturnRefund)]);
    let (next, effects) = one(parcel_text(&returns, SF_TEXT, &cx()));
    assert_eq!((next.case, next.proposed), (case(), Some(sf_parcel())));
    assert!(matches!(told(&effects)[..], [Msg::ConfirmTracking { .. }]));
}

#[test]
fn a_waiting_return_and_one_on_its_way_ask_which_even_for_the_saved_number() {
    // The same parcel may carry both items back.
    let waiting = Return { case: vase_case(), ..approved(Outcome::Exchange) };
    let returns = held(&[on_the_way(Outcome::ReturnRefund), waiting]);
    for text in [SF_TEXT, YT] {
        assert_eq!(which(parcel_text(&returns, text, &cx())).1.len(), 2, "{text}");
    }
}

#[test]
fn chatter_is_no_parcel_text() {
    let returns = held(&[approved(Outcome::ReturnRefund), on_the_way(Outcome::ReturnRefund)]);
    for text in ["", "hello", "好的谢谢", "我明天寄", "DEMO-1004", "12345"] {
        assert_eq!(parcel_text(&returns, text, &cx()), None, "{text:?}");
    }
    assert_eq!(parcel_text(&[], SF_TEXT, &cx()), None, "no returns, nothing to say");
}

#[test]
fn a_stale_pick_is_answered_by_the_case_as_it_is_now() {
    // The case got this very number meanwhile.
    let saved = on_the_way(Outcome::ReturnRefund);
    let (next, effects) = tracking_text(&saved, "SF1234567890123", &cx()).expect("a number");
    assert_eq!(next, saved, "nothing changes");
    assert_eq!(told(&effects), [&Msg::TrackingAlreadySaved { case: case(), number: "SF1234567890123".into() }]);
    assert!(buttons(&effects).is_empty());
    // The parcel arrived meanwhile.
    let (next, effects) = tracking_text(&at_warehouse(Outcome::ReturnRefund), YT, &cx()).expect("a number");
    assert_eq!(next, at_warehouse(Outcome::ReturnRefund));
    assert_eq!(told(&effects), [&Msg::ParcelAlreadyArrived { case: case() }]);
    assert_eq!(presses(&effects), [Press::Person { case: case() }]);
}

#[test]
fn another_number_for_a_parcel_on_its_way_is_proposed_as_a_replacement() {
    let (next, effects) =
        one(parcel_text(&held(&[on_the_way(Outcome::ReturnRefund)]), "改一下单号 YT1234567890123", &cx()));
    assert_eq!((next.stage, &next.parcel, &next.proposed), (Stage::OnTheWay, &Some(sf_parcel()), &Some(yt_parcel())));
    let ask = Msg::ConfirmReplaceTracking { case: case(), old: "SF1234567890123".into(), number: YT.into() };
    assert_eq!(told(&effects), [&ask]);
    assert_eq!(
        presses(&effects),
        [Press::Replace { case: case(), right: true }, Press::Replace { case: case(), right: false }]
    );
    assert_eq!(scheduled(&effects, Job::Poll), None, "nothing changes before the yes");
    // The "is this your number?" buttons of the first number do not take it.
    assert_eq!(confirm(&next, true, true, &cx()), None);
}

#[test]
fn a_replaced_number_is_followed_as_a_new_parcel() {
    let picked_up = on_scans(&on_the_way(Outcome::ReturnRefund), &[scan(ParcelStatus::PickedUp, hours(-1))], &cx()).0;
    let silent = on_job(&picked_up, Job::NoScan, &cx_at(hours(30))).0;
    assert!(silent.no_scan_told && silent.last_scan.is_some());
    let proposed = tracking_text(&silent, YT, &cx_at(hours(31))).expect("a number").0;
    for polling in [false, true] {
        let (next, effects) = replace(&proposed, true, polling, &cx_at(hours(31))).expect("replaced");
        assert_eq!((next.stage, &next.parcel, &next.proposed), (Stage::OnTheWay, &Some(yt_parcel()), &None));
        assert_eq!((next.told.as_slice(), next.last_scan, next.no_scan_told), (&[][..], None, false), "another parcel");
        let replaced = Msg::TrackingReplaced { case: case(), old: "SF1234567890123".into(), number: YT.into() };
        assert_eq!(told(&effects), [&replaced]);
        let corrected = effects.iter().find_map(|effect| match effect {
            Effect::Event(event) if event.kind() == "tracking_corrected" => Some(event.data()),
            _ => None,
        });
        assert_eq!(
            corrected,
            Some(serde_json::json!({
                "old": "SF1234567890123", "old_carrier": "sf", "new": YT, "new_carrier": "yto",
            }))
        );
        assert_eq!(scheduled(&effects, Job::NoScan), Some(hours(31 + 24)), "silence is timed afresh");
        assert_eq!(scheduled(&effects, Job::Poll), polling.then_some(hours(31)), "the new number is asked for at once");
        // The new parcel's pick-up is news.
        let (_, effects) = on_scans(&next, &[scan(ParcelStatus::PickedUp, hours(32))], &cx_at(hours(32)));
        assert_eq!(statuses_told(&effects), [ParcelStatus::PickedUp]);
    }
}

#[test]
fn keeping_the_saved_number_only_answers() {
    let (next, effects) = replace(&proposed_replacement(), false, true, &cx()).expect("answered");
    assert_eq!(next, on_the_way(Outcome::ReturnRefund), "as before the question");
    assert_eq!(told(&effects), [&Msg::TrackingKept { case: case(), number: "SF1234567890123".into() }]);
    assert_eq!(effects.len(), 1);
}

#[test]
fn a_stale_replacement_changes_nothing() {
    let kept = replace(&proposed_replacement(), false, true, &cx()).expect("answered").0;
    let arrived = on_scans(&proposed_replacement(), &[scan(ParcelStatus::Delivered, now())], &cx()).0;
    assert_eq!(arrived.proposed, Some(yt_parcel()));
    for ret in [kept, arrived, proposed(Outcome::ReturnRefund), on_the_way(Outcome::ReturnRefund)] {
        for right in [true, false] {
            assert_eq!(replace(&ret, right, true, &cx()), None, "{:?} {right}", ret.stage);
        }
    }
}

#[test]
fn the_saved_number_typed_again_is_said_to_be_saved() {
    let returns =
        held(&[on_the_way(Outcome::ReturnRefund), Return { case: vase_case(), ..on_the_way(Outcome::Exchange) }]);
    let (next, effects) = one(parcel_text(&returns, SF_TEXT, &cx()));
    assert_eq!(next, on_the_way(Outcome::ReturnRefund));
    assert_eq!(told(&effects), [&Msg::TrackingAlreadySaved { case: case(), number: "SF1234567890123".into() }]);
}

#[test]
fn after_arrival_a_number_is_answered_with_a_person_not_a_change() {
    for ret in [at_warehouse(Outcome::ReturnRefund), refunding()] {
        let (next, effects) = one(parcel_text(&held(std::slice::from_ref(&ret)), YT, &cx()));
        assert_eq!(next, ret, "{:?}", ret.stage);
        assert_eq!(told(&effects), [&Msg::ParcelAlreadyArrived { case: case() }]);
        assert_eq!(presses(&effects), [Press::Person { case: case() }]);
    }
}

#[test]
fn confirming_the_number_puts_the_parcel_on_its_way_and_stops_the_reminders() {
    for polling in [false, true] {
        let (next, effects) = confirm(&proposed(Outcome::ReturnRefund), true, polling, &cx()).expect("confirmed");
        assert_eq!(next.stage, Stage::OnTheWay);
        assert_eq!((next.parcel, next.proposed), (Some(sf_parcel()), None));
        let saved = Msg::TrackingSaved {
            case: case(),
            carrier_zh: "顺丰速运".into(),
            carrier_en: "SF Express".into(),
            number: "SF1234567890123".into(),
        };
        assert_eq!(told(&effects), [&saved]);
        assert_eq!(events(&effects), ["tracking_number"]);
        assert!(cancelled(&effects, Job::TrackingNudge) && cancelled(&effects, Job::TrackingEscalate));
        assert_eq!(scheduled(&effects, Job::NoScan), Some(hours(24)));
        assert_eq!(scheduled(&effects, Job::Poll), polling.then_some(now()), "a poll now only when polling");
    }
}

#[test]
fn a_wrong_number_is_asked_for_again() {
    let (next, effects) = confirm(&proposed(Outcome::ReturnRefund), false, false, &cx()).expect("answered");
    assert_eq!((next.stage, &next.proposed, &next.parcel), (Stage::AwaitingParcel, &None, &None));
    assert_eq!(told(&effects), [&Msg::AskTrackingAgain { case: case() }]);
    assert_eq!(scheduled(&effects, Job::NoScan), None);
    assert!(!cancelled(&effects, Job::TrackingNudge), "the reminder still stands");
    // The next text is read as a number again.
    assert!(tracking_text(&next, "YT1234567890123", &cx()).is_some());
}

#[test]
fn a_stale_confirmation_changes_nothing() {
    let declined = confirm(&proposed(Outcome::ReturnRefund), false, false, &cx()).expect("answered").0;
    let stale = [approved(Outcome::ReturnRefund), declined, on_the_way(Outcome::ReturnRefund)];
    for ret in stale {
        for right in [true, false] {
            assert_eq!(confirm(&ret, right, true, &cx()), None, "{:?} {right}", ret.stage);
        }
    }
}

#[test]
fn press_data_parses_back_and_fits_telegrams_limit() {
    let table = [
        Press::Tracking { case: case(), right: true },
        Press::Tracking { case: case(), right: false },
        Press::Rating { case: case(), score: 1 },
        Press::Rating { case: case(), score: 5 },
        Press::NoComment { case: case() },
        Press::Replace { case: case(), right: true },
        Press::Replace { case: case(), right: false },
        Press::ForCase { case: case(), number: "SF1234567890123".into() },
        // The longest case id with the longest number the generic pattern takes.
        Press::ForCase { case: CaseId::from_seq(i64::MAX), number: "9".repeat(30) },
    ];
    for press in table {
        let data = press.encode();
        assert!(data.len() <= 64, "{data}");
        assert_eq!(Press::parse(&data).as_ref(), Some(&press), "{data}");
        assert!(data.contains(press.case().as_str()), "{data}");
    }
}

#[test]
fn other_button_data_is_not_a_follow_up_press() {
    let table = [
        "",
        "f:",
        "c:take:7",
        "f:t:AS-1001",
        "f:t:AS-1001:2",
        "f:r:AS-1001:0",
        "f:r:AS-1001:6",
        "f:r:AS-1001:x",
        "f:c:AS-1001:1",
        "f:x:AS-1001:1",
        "f:s:AS-1001",
        "f:s:AS-1001:2",
        "f:n:AS-1001",
        "f:n:AS-1001:",
        "f:n:AS-1001:SF 123",
    ];
    for data in table {
        assert_eq!(Press::parse(data), None, "{data:?}");
    }
}

// The nudge and the escalation.

#[test]
fn the_nudge_comes_once_then_the_case_goes_to_a_person() {
    let nudge_at = hours(48);
    let (nudged, effects) = on_job(&approved(Outcome::ReturnRefund), Job::TrackingNudge, &cx_at(nudge_at));
    assert!(nudged.nudged);
    assert_eq!(told(&effects), [&Msg::TrackingNudge { case: case() }]);
    assert_eq!(escalated(&effects), []);
    // 24 hours after the nudge by default.
    assert_eq!(scheduled(&effects, Job::TrackingEscalate), Some(hours(72)));

    let (again, effects) = on_job(&nudged, Job::TrackingNudge, &cx_at(hours(60)));
    assert_eq!((again, effects), (nudged.clone(), vec![]), "never nudged twice");

    let (_, effects) = on_job(&nudged, Job::TrackingEscalate, &cx_at(hours(72)));
    assert_eq!(escalated(&effects), [Why::NoTrackingNumber]);
    assert_eq!(told(&effects), Vec::<&Msg>::new());
}

#[test]
fn neither_nudge_nor_escalation_does_anything_once_the_number_is_in() {
    for ret in [on_the_way(Outcome::ReturnRefund), at_warehouse(Outcome::Exchange), refunding()] {
        for job in [Job::TrackingNudge, Job::TrackingEscalate] {
            let (next, effects) = on_job(&ret, job, &cx_at(hours(72)));
            assert_eq!((&next, effects), (&ret, vec![]), "{job:?} at {:?}", ret.stage);
        }
    }
}

// Scans.

/// Batches of scans as (status, hour after `now`).
type Batches = &'static [&'static [(ParcelStatus, i64)]];

#[test]
fn each_parcel_status_is_told_once_in_whatever_order_the_scans_come() {
    use ParcelStatus::{Delivered as D, Exception as E, InTransit as T, PickedUp as P};
    // Batches of (status, hour of the scan), as the provider or the push endpoint delivers them.
    let table: [(&str, Batches, &[ParcelStatus]); 9] = [
        ("one by one", &[&[(P, 1)], &[(T, 2)], &[(D, 3)]], &[P, T, D]),
        ("one batch out of order", &[&[(D, 3), (P, 1), (T, 2)]], &[P, T, D]),
        ("the whole history every poll", &[&[(P, 1), (T, 2)], &[(P, 1), (T, 2), (D, 3)]], &[P, T, D]),
        ("redelivered", &[&[(P, 1)], &[(P, 1)], &[(T, 2)], &[(T, 2)]], &[P, T]),
        ("a late picked-up after in transit", &[&[(T, 2)], &[(P, 1)]], &[T]),
        ("late scans after delivery", &[&[(D, 3)], &[(T, 2)], &[(P, 1)]], &[D]),
        ("moving again after an exception", &[&[(P, 1)], &[(E, 2)], &[(T, 3)]], &[P, E, T]),
        ("a second exception", &[&[(T, 1)], &[(E, 2)], &[(E, 3)]], &[T, E]),
        ("an exception after delivery", &[&[(D, 3)], &[(E, 4)]], &[D, E]),
    ];
    for (name, batches, expected) in table {
        let mut ret = on_the_way(Outcome::ReturnRefund);
        let mut all_told = Vec::new();
        for batch in batches {
            let scans: Vec<Scan> = batch.iter().map(|(status, hour)| scan(*status, hours(*hour))).collect();
            let (next, effects) = on_scans(&ret, &scans, &cx_at(hours(5)));
            all_told.extend(statuses_told(&effects));
            ret = next;
        }
        assert_eq!(all_told, expected, "{name}");
        assert_eq!(ret.told, expected, "{name}: the return remembers what it told");
    }
}

#[test]
fn every_new_scan_rearms_the_no_scan_check_never_in_the_past() {
    let ret = on_the_way(Outcome::ReturnRefund);
    // A scan two hours ago: 24 hours from the scan.
    let (ret, effects) = on_scans(&ret, &[scan(ParcelStatus::PickedUp, hours(-2))], &cx());
    assert_eq!(ret.last_scan, Some(hours(-2)));
    assert_eq!(scheduled(&effects, Job::NoScan), Some(hours(22)));

    // The same scan again is not new.
    let (same, effects) = on_scans(&ret, &[scan(ParcelStatus::PickedUp, hours(-2))], &cx_at(hours(1)));
    assert_eq!(same, ret);
    assert_eq!(effects, []);

    // A newer scan of a status already told still shows the parcel moves.
    let (ret, effects) = on_scans(&ret, &[scan(ParcelStatus::PickedUp, hours(3))], &cx_at(hours(4)));
    assert_eq!(statuses_told(&effects), []);
    assert_eq!(scheduled(&effects, Job::NoScan), Some(hours(27)));

    // Scans found long after they happened: the check runs now, not in the past.
    let (_, effects) = on_scans(&ret, &[scan(ParcelStatus::InTransit, hours(4))], &cx_at(hours(40)));
    assert_eq!(scheduled(&effects, Job::NoScan), Some(hours(40)));
}

#[test]
fn delivery_moves_the_parcel_to_the_warehouse_and_counts_the_refund_in_working_days() {
    let (ret, effects) = on_scans(&on_the_way(Outcome::ReturnRefund), &[scan(ParcelStatus::Delivered, now())], &cx());
    assert_eq!(ret.stage, Stage::AtWarehouse);
    assert_eq!(ret.waiting(), Some(Waiting::Inspection));
    assert_eq!(statuses_told(&effects), [ParcelStatus::Delivered]);
    assert!(cancelled(&effects, Job::NoScan) && cancelled(&effects, Job::Poll));
    assert_eq!(scheduled(&effects, Job::NoScan), None);
    // Friday + 3 working days is Wednesday, not Monday.
    assert_eq!(scheduled(&effects, Job::RefundDue), Some(at("2026-12-02T10:00:00+08:00")));
    // The daily progress: the next 10:00 at least 12 hours away.
    assert_eq!(scheduled(&effects, Job::Progress), Some(at("2026-11-28T10:00:00+08:00")));
}

#[test]

fn the_refund_is_due_counted_from_the_parcels_arrival_not_from_when_the_scan_is_heard_of() {
    // Delivered on Friday, reported by the carrier only on Monday.
    let monday = at("2026-11-30T10:00:00+08:00");
    let delivered = scan(ParcelStatus::Delivered, now());
    let (_, effects) = on_scans(&on_the_way(Outcome::ReturnRefund), &[delivered], &cx_at(monday));
    // Friday + 3 working days, as `Context::refund_working_days` and `Job::RefundDue` promise.
    assert_eq!(scheduled(&effects, Job::RefundDue), Some(at("2026-12-02T10:00:00+08:00")));
}

#[test]
fn a_parcel_exception_alerts_the_agents() {
    let exception = Scan { detail: "收件人拒收".into(), ..scan(ParcelStatus::Exception, hours(-1)) };
    let (ret, effects) = on_scans(&on_the_way(Outcome::ReturnRefund), &[exception], &cx());
    assert_eq!(ret.stage, Stage::OnTheWay);
    assert_eq!(statuses_told(&effects), [ParcelStatus::Exception]);
    let alert =
        Msg::AlertParcelException { case: case(), number: "SF1234567890123".into(), detail: "收件人拒收".into() };
    assert_eq!(alerted(&effects), [&alert]);
}

#[test]
fn scans_before_the_number_is_confirmed_or_after_inspection_change_nothing() {
    let scans = [scan(ParcelStatus::PickedUp, hours(-1)), scan(ParcelStatus::Delivered, now())];
    for ret in [approved(Outcome::ReturnRefund), proposed(Outcome::ReturnRefund), refunding()] {
        let (next, effects) = on_scans(&ret, &scans, &cx());
        assert_eq!((&next, effects), (&ret, vec![]), "{:?}", ret.stage);
    }
}

proptest! {
    #[test]
    fn no_status_is_told_twice_and_the_told_list_never_shrinks(
        batches in prop::collection::vec(prop::collection::vec((0..4usize, -600..600i64), 0..6), 0..10),
    ) {
        let mut ret = on_the_way(Outcome::ReturnRefund);
        let mut all_told = Vec::new();
        for (round, batch) in (0i64..).zip(&batches) {
            let cx = cx_at(now() + TimeDelta::minutes(round * 60));
            let scans: Vec<Scan> = batch
                .iter()
                .map(|(status, minute)| scan(ParcelStatus::ALL[*status], now() + TimeDelta::minutes(*minute)))
                .collect();
            let (next, effects) = on_scans(&ret, &scans, &cx);
            prop_assert!(next.told.starts_with(&ret.told), "{:?} then {:?}", ret.told, next.told);
            let told_now = statuses_told(&effects);
            prop_assert_eq!(&next.told[ret.told.len()..], told_now.as_slice());
            all_told.extend(told_now);
            if let Some(at) = scheduled(&effects, Job::NoScan) {
                prop_assert!(at >= cx.now, "no-scan check in the past: {}", at);
            }
            prop_assert_eq!(
                next.stage == Stage::AtWarehouse,
                next.told.contains(&ParcelStatus::Delivered),
                "at the warehouse exactly when delivered"
            );
            ret = next;
        }
        let distinct: HashSet<&ParcelStatus> = all_told.iter().collect();
        prop_assert_eq!(distinct.len(), all_told.len(), "told twice: {:?}", all_told);
        prop_assert_eq!(&ret.told, &all_told);
    }
}

// The jobs on a parcel.

#[test]
fn a_silent_parcel_alerts_the_agents_each_time_and_the_customer_once() {
    let ret = on_the_way(Outcome::ReturnRefund);
    let (ret, _) = on_scans(&ret, &[scan(ParcelStatus::PickedUp, hours(-2))], &cx());

    let (ret, first) = on_job(&ret, Job::NoScan, &cx_at(hours(22)));
    assert!(ret.no_scan_told);
    assert_eq!(told(&first), [&Msg::NoScanUpdate { case: case() }]);
    let since = NaiveDate::from_ymd_opt(2026, 11, 27).and_then(|day| day.and_hms_opt(8, 0, 0));
    let alert = Msg::AlertNoScan { case: case(), number: "SF1234567890123".into(), since };
    assert_eq!(alerted(&first), [&alert], "the last scan in the shop's time");
    assert_eq!(scheduled(&first, Job::NoScan), Some(hours(46)));

    let (ret, second) = on_job(&ret, Job::NoScan, &cx_at(hours(46)));
    assert_eq!(told(&second), Vec::<&Msg>::new(), "the customer heard it already");
    assert_eq!(alerted(&second), [&alert]);
    assert_eq!(scheduled(&second, Job::NoScan), Some(hours(70)));
    assert!(ret.no_scan_told);
}

#[test]
fn the_no_scan_check_is_over_once_the_parcel_arrived() {
    for ret in [approved(Outcome::ReturnRefund), at_warehouse(Outcome::ReturnRefund), refunding()] {
        let (next, effects) = on_job(&ret, Job::NoScan, &cx_at(hours(30)));
        assert_eq!((&next, effects), (&ret, vec![]), "{:?}", ret.stage);
    }
}

#[test]
fn an_overdue_refund_alerts_the_agents_until_it_is_issued() {
    let issued = refunded(&refunding(), &Refund::Issued { amount: paid(), reference: None }, &cx()).expect("issued").0;
    let table = [
        (at_warehouse(Outcome::ReturnRefund), true),
        (refunding(), true),
        (on_the_way(Outcome::ReturnRefund), false),
        (issued, false),
    ];
    for (ret, alerts) in table {
        let (_, effects) = on_job(&ret, Job::RefundDue, &cx_at(hours(120)));
        let overdue = Msg::AlertRefundOverdue { case: case(), days: 3 };
        let expected = if alerts { vec![&overdue] } else { vec![] };
        assert_eq!(alerted(&effects), expected, "{:?}", ret.stage);
        assert_eq!(told(&effects), Vec::<&Msg>::new(), "{:?}", ret.stage);
    }
}

// Inspection.

#[test]
fn a_return_that_passes_inspection_is_refunded() {
    for ret in [at_warehouse(Outcome::ReturnRefund), on_the_way(Outcome::ReturnRefund)] {
        let (next, effects) = inspected(&ret, &Inspection::Passed, &cx()).expect("inspected");
        assert_eq!(next.stage, Stage::Refunding, "from {:?}", ret.stage);
        assert_eq!(next.waiting(), Some(Waiting::Refund));
        assert_eq!(refunds_issued(&effects), [paid()]);
        assert_eq!(events(&effects), ["inspection_passed"]);
        assert!(cancelled(&effects, Job::NoScan) && cancelled(&effects, Job::Poll));
        assert!(!cancelled(&effects, Job::RefundDue), "the promise stands until the money goes out");
        assert_eq!(scheduled(&effects, Job::Progress), Some(at("2026-11-28T10:00:00+08:00")));
    }
}

#[test]
fn an_exchange_that_passes_inspection_tells_the_customer_and_the_agents_ship() {
    let (next, effects) = inspected(&at_warehouse(Outcome::Exchange), &Inspection::Passed, &cx()).expect("inspected");
    assert_eq!(next.stage, Stage::Done);
    assert_eq!(next.waiting(), None);
    assert_eq!(told(&effects), [&Msg::ExchangeInspected { case: case() }]);
    assert_eq!(alerted(&effects), [&Msg::AlertShipReplacement { case: case() }]);
    assert_eq!(refunds_issued(&effects), []);
    assert!(cancelled(&effects, Job::RefundDue));
}

#[test]
fn a_failed_inspection_tells_the_customer_why_and_goes_to_a_person() {
    for outcome in [Outcome::ReturnRefund, Outcome::Exchange] {
        let failed = Inspection::Failed("吊牌已剪".into());
        let (next, effects) = inspected(&at_warehouse(outcome), &failed, &cx()).expect("inspected");
        assert_eq!(next.stage, Stage::Failed, "{outcome:?}");
        assert_eq!(told(&effects), [&Msg::InspectionFailed { case: case(), reason: "吊牌已剪".into() }]);
        assert_eq!(escalated(&effects), [Why::InspectionFailed]);
        assert!(cancelled(&effects, Job::RefundDue));
        assert_eq!(refunds_issued(&effects), []);
        assert_eq!(events(&effects), ["inspection_failed"]);
    }
}

#[test]
fn an_inspection_counts_once_and_only_for_a_parcel_that_was_sent() {
    let failed =
        inspected(&at_warehouse(Outcome::ReturnRefund), &Inspection::Failed("x".into()), &cx()).expect("inspected").0;
    let exchanged = inspected(&at_warehouse(Outcome::Exchange), &Inspection::Passed, &cx()).expect("inspected").0;
    let table = [approved(Outcome::ReturnRefund), proposed(Outcome::ReturnRefund), refunding(), failed, exchanged];
    for ret in table {
        for inspection in [Inspection::Passed, Inspection::Failed("again".into())] {
            assert_eq!(inspected(&ret, &inspection, &cx()), None, "{:?} {inspection:?}", ret.stage);
        }
    }
}

// The refund.

#[test]
fn an_issued_refund_tells_the_amount_and_arrival_and_closes_the_case() {
    let issued = Refund::Issued { amount: paid(), reference: Some("RF-88".into()) };
    let (next, effects) = refunded(&refunding(), &issued, &cx()).expect("refunded");
    assert_eq!(next.stage, Stage::Done);
    assert_eq!(next.waiting(), None);
    // Friday + 5 working days is the next Friday, not Wednesday.
    let arrive_by = NaiveDate::from_ymd_opt(2026, 12, 4).expect("date");
    assert_eq!(told(&effects), [&Msg::RefundIssued { case: case(), amount: paid(), arrive_by }]);
    assert_eq!(closed(&effects), [Some(paid())]);
    assert!(cancelled(&effects, Job::RefundDue) && cancelled(&effects, Job::Progress));
    assert_eq!(events(&effects), ["refunded"]);
}

#[test]
fn a_refused_refund_goes_to_a_person_who_can_still_finish_it() {
    let ret = refunding();
    let (next, effects) = refunded(&ret, &Refund::Refused("余额不足".into()), &cx()).expect("answered");
    assert_eq!(next.stage, Stage::Refunding, "unchanged");
    assert_eq!(alerted(&effects), [&Msg::AlertRefundRefused { case: case(), why: "余额不足".into() }]);
    assert_eq!(escalated(&effects), [Why::RefundRefused]);
    assert_eq!(told(&effects), Vec::<&Msg>::new(), "the customer hears the result, not the hiccup");
    assert_eq!(closed(&effects), []);

    // The agent pays by hand and confirms with /refunded.
    let by_hand = Refund::Issued { amount: paid(), reference: None };
    let (done, effects) = refunded(&next, &by_hand, &cx()).expect("refunded");
    assert_eq!(done.stage, Stage::Done);
    assert_eq!(closed(&effects), [Some(paid())]);
}

#[test]
fn a_refund_is_answered_once_and_only_while_issuing() {
    let issued = Refund::Issued { amount: paid(), reference: None };
    let done = refunded(&refunding(), &issued, &cx()).expect("refunded").0;
    let table =
        [approved(Outcome::ReturnRefund), on_the_way(Outcome::ReturnRefund), at_warehouse(Outcome::ReturnRefund), done];
    for ret in table {
        for answer in [issued.clone(), Refund::Refused("late".into())] {
            assert_eq!(refunded(&ret, &answer, &cx()), None, "{:?} {answer:?}", ret.stage);
        }
    }
}

// The survey.

#[test]
fn cases_closed_with_money_or_goods_get_a_survey() {
    let table = [
        (Outcome::RefundOnly, true),
        (Outcome::ReturnRefund, true),
        (Outcome::Exchange, true),
        (Outcome::Reship, true),
        (Outcome::PartialRefund, true),
        (Outcome::PriceProtection, true),
        (Outcome::CashBack, true),
        (Outcome::Repair, false),
    ];
    let listed: HashSet<Outcome> = table.iter().map(|(outcome, _)| *outcome).collect();
    assert!(Outcome::ALL.iter().all(|outcome| listed.contains(outcome)), "every outcome is in the table");
    for (outcome, survey) in table {
        assert_eq!(wants_survey(outcome), survey, "{outcome:?}");
    }
}

#[test]
fn the_survey_asks_for_a_rating_once_and_plans_one_reminder() {
    let (survey, effects) = survey_job(&case(), &Survey::default(), Job::Survey, &cx());
    assert_eq!(survey.sent_at, Some(now()));
    assert_eq!(told(&effects), [&Msg::SurveyAsk { case: case() }]);
    let ratings: Vec<Press> = (1..=5).map(|score| Press::Rating { case: case(), score }).collect();
    assert_eq!(presses(&effects), ratings);
    assert_eq!(scheduled(&effects, Job::SurveyReminder), Some(hours(24)));

    let (again, effects) = survey_job(&case(), &survey, Job::Survey, &cx_at(hours(1)));
    assert_eq!((again, effects), (survey, vec![]), "never sent twice");
}

#[test]
fn the_reminder_comes_once_and_not_after_a_rating() {
    let (reminded, effects) = survey_job(&case(), &sent(), Job::SurveyReminder, &cx_at(hours(24)));
    assert!(reminded.reminded);
    assert_eq!(told(&effects), [&Msg::SurveyReminder { case: case() }]);
    let ratings: Vec<Press> = (1..=5).map(|score| Press::Rating { case: case(), score }).collect();
    assert_eq!(presses(&effects), ratings);

    for survey in [reminded, rated(4), Survey::default()] {
        let (next, effects) = survey_job(&case(), &survey, Job::SurveyReminder, &cx_at(hours(48)));
        assert_eq!((&next, effects), (&survey, vec![]), "{survey:?}");
    }
}

#[test]
fn a_rating_is_stored_and_a_comment_invited_with_a_way_to_skip() {
    let (survey, effects) = rate(&case(), &sent(), 4, &cx_at(hours(2))).expect("rated");
    assert_eq!((survey.score, survey.rated_at, survey.finished), (Some(4), Some(hours(2)), false));
    assert_eq!(told(&effects), [&Msg::SurveyAskComment { score: 4 }]);
    let labels: Vec<&Msg> = buttons(&effects).into_iter().map(|button| &button.label).collect();
    assert_eq!(labels, [&Msg::NoCommentButton]);
    assert_eq!(presses(&effects), [Press::NoComment { case: case() }]);
    assert!(cancelled(&effects, Job::SurveyReminder));
    assert_eq!(events(&effects), ["survey_rated"]);
}

#[test]
fn a_low_rating_is_apologised_for_with_a_person_on_offer() {
    for score in [1, 2] {
        let (_, effects) = rate(&case(), &sent(), score, &cx()).expect("rated");
        assert_eq!(told(&effects), [&Msg::SurveySorry { score }]);
        assert_eq!(presses(&effects), [Press::Person { case: case() }, Press::NoComment { case: case() }]);
    }
    assert_eq!(Press::parse(&Press::Person { case: case() }.encode()), Some(Press::Person { case: case() }));
}

#[test]
fn low_scores_alert_the_agents() {
    // low_score is 2 by default.
    let table = [(1, true), (2, true), (3, false), (4, false), (5, false)];
    for (score, alerts) in table {
        let (_, effects) = rate(&case(), &sent(), score, &cx()).expect("rated");
        let low = Msg::AlertLowScore { case: case(), score };
        let expected = if alerts { vec![&low] } else { vec![] };
        assert_eq!(alerted(&effects), expected, "{score}");
    }
}

#[test]
fn a_survey_is_rated_once_with_one_to_five() {
    for score in [1, 5] {
        assert_eq!(rate(&case(), &rated(3), score, &cx()), None, "rated already");
        assert_eq!(rate(&case(), &Survey::default(), score, &cx()), None, "never sent");
    }
    for score in [0, 6, u8::MAX] {
        assert_eq!(rate(&case(), &sent(), score, &cx()), None, "{score}");
    }
}

#[test]
fn a_comment_is_taken_within_the_window_and_not_after() {
    let survey = rated(4);
    // 24 hours by default, counted from the rating.
    let (done, effects) = comment(&case(), &survey, Some("  包装很好  "), &cx_at(hours(24))).expect("taken");
    assert_eq!((done.comment.as_deref(), done.finished), (Some("包装很好"), true));
    assert_eq!(told(&effects), [&Msg::SurveyThanks]);
    assert_eq!(events(&effects), ["survey_comment"]);
    assert_eq!(alerted(&effects), Vec::<&Msg>::new(), "a good score's comment stays on the case");

    let late = cx_at(hours(24) + TimeDelta::seconds(1));
    assert!(!survey.wants_comment(&late));
    assert_eq!(comment(&case(), &survey, Some("包装很好"), &late), None);
}

#[test]
fn no_comment_finishes_the_survey() {
    let (done, effects) = comment(&case(), &rated(5), None, &cx_at(hours(1))).expect("declined");
    assert_eq!((done.comment, done.finished, done.score), (None, true, Some(5)));
    assert_eq!(told(&effects), [&Msg::SurveyThanks]);
    assert_eq!(events(&effects), Vec::<&str>::new());
}

#[test]
fn nothing_is_taken_as_a_comment_after_the_survey_is_finished_or_before_the_rating() {
    let finished = comment(&case(), &rated(5), None, &cx_at(hours(1))).expect("declined").0;
    for survey in [finished, sent(), Survey::default()] {
        assert_eq!(comment(&case(), &survey, Some("还有一件事"), &cx_at(hours(2))), None, "{survey:?}");
        assert_eq!(comment(&case(), &survey, None, &cx_at(hours(2))), None, "{survey:?}");
    }
}

#[test]
fn a_low_scores_comment_goes_to_the_agents() {
    let (_, effects) = comment(&case(), &rated(1), Some("客服态度差"), &cx_at(hours(1))).expect("taken");
    assert_eq!(alerted(&effects), [&Msg::AlertSurveyComment { case: case(), comment: "客服态度差".into() }]);
}

// Jobs and their timing.

#[test]
fn job_kinds_round_trip_and_keys_are_unique_per_case() {
    for job in Job::ALL {
        assert_eq!(Job::from_kind(job.kind()), Some(job), "{job:?}");
    }
    assert_eq!(Job::from_kind("sla_ping"), None);
    let keys: HashSet<String> = Job::ALL.iter().map(|job| job.key(&case())).collect();
    assert_eq!(keys.len(), Job::ALL.len());
    let other = CaseId::from_trusted("AS-1002");
    assert!(Job::ALL.iter().all(|job| !keys.contains(&job.key(&other))), "another case's jobs never replace these");
}

#[test]
fn jobs_that_message_the_customer_wait_for_the_morning_and_the_others_do_not() {
    let night = at("2026-11-27T23:00:00+08:00");
    let morning = at("2026-11-28T09:00:00+08:00");
    let afternoon = at("2026-11-27T15:00:00+08:00");
    let cx = cx();
    for job in [Job::TrackingNudge, Job::Progress, Job::Survey, Job::SurveyReminder] {
        assert_eq!(cx.when(job, night), morning, "{job:?}");
        assert_eq!(cx.when(job, afternoon), afternoon, "{job:?}");
    }
    for job in [Job::TrackingEscalate, Job::Poll, Job::RefundDue, Job::IssueRefund] {
        assert_eq!(cx.when(job, night), night, "{job:?}");
    }
}

/// Whether running `job` on a case in any stage tells the customer something.
fn job_tells_customer(job: Job) -> bool {
    let effects: Vec<Effect> = match job {
        Job::Survey => survey_job(&case(), &Survey::default(), job, &cx()).1,
        Job::SurveyReminder => survey_job(&case(), &sent(), job, &cx()).1,
        Job::Progress => progress(&case(), Some(Waiting::Review)).into_iter().collect(),
        _ => {
            let stages = [
                approved(Outcome::ReturnRefund),
                on_the_way(Outcome::ReturnRefund),
                at_warehouse(Outcome::ReturnRefund),
                refunding(),
            ];
            stages.iter().flat_map(|ret| on_job(ret, job, &cx_at(hours(48))).1).collect()
        }
    };
    !told(&effects).is_empty()
}

#[test]

fn every_job_that_tells_the_customer_waits_out_the_quiet_hours() {
    let night = at("2026-11-27T23:00:00+08:00");
    let morning = at("2026-11-28T09:00:00+08:00");
    for job in Job::ALL {
        if job_tells_customer(job) {
            assert_eq!(cx().when(job, night), morning, "{job:?} tells the customer");
        }
    }
}

// Settings and progress.

#[test]
fn the_default_settings_have_no_problems() {
    assert_eq!(Settings::default().problems(), Vec::<String>::new());
}

#[test]
fn bad_followup_settings_are_named() {
    let with_carriers = |change: fn(&mut Vec<Carrier>)| {
        let mut carriers = carrier::defaults();
        change(&mut carriers);
        Settings { carriers, ..Settings::default() }
    };
    let table = [
        ("low score 0", Settings { low_score: 0, ..Settings::default() }, "followup.low_score"),
        ("low score 6", Settings { low_score: 6, ..Settings::default() }, "followup.low_score"),
        (
            "no first retry",
            Settings { retry_first: Span(Duration::ZERO), ..Settings::default() },
            "followup.retry_first",
        ),
        ("a duplicate carrier code", with_carriers(|carriers| carriers.push(carriers[0].clone())), "followup.carriers"),
        (
            "a carrier coded other",
            with_carriers(|carriers| carriers[0].code = carrier::OTHER.into()),
            "followup.carriers",
        ),
    ];
    for (name, settings, key) in table {
        let problems = settings.problems();
        assert_eq!(problems.len(), 1, "{name}: {problems:?}");
        assert!(problems[0].starts_with(key), "{name}: {problems:?}");
    }
}

#[test]
fn progress_is_told_while_the_case_waits_on_the_shop_and_stops_after() {
    for waiting in [Waiting::Review, Waiting::Inspection, Waiting::Refund] {
        assert_eq!(
            progress(&case(), Some(waiting)),
            Some(Effect::Tell(Msg::Progress { case: case(), waiting }, vec![]))
        );
    }
    assert_eq!(progress(&case(), None), None);
}

#[test]
fn a_return_waits_on_the_shop_only_at_the_warehouse_and_while_refunding() {
    let failed =
        inspected(&at_warehouse(Outcome::ReturnRefund), &Inspection::Failed("x".into()), &cx()).expect("inspected").0;
    let table = [
        (approved(Outcome::ReturnRefund), None),
        (on_the_way(Outcome::ReturnRefund), None),
        (at_warehouse(Outcome::ReturnRefund), Some(Waiting::Inspection)),
        (refunding(), Some(Waiting::Refund)),
        (failed, None),
    ];
    for (ret, waiting) in table {
        assert_eq!(ret.waiting(), waiting, "{:?}", ret.stage);
    }
}

proptest! {
    #[test]
    fn any_press_parses_back_from_its_data(seq in 1..=999_999_999i64, what in 0..3u8, score in 1..=5u8, right: bool) {
        let case = CaseId::from_seq(seq);
        let press = match what {
            0 => Press::Tracking { case, right },
            1 => Press::Rating { case, score },
            _ => Press::NoComment { case },
        };
        let data = press.encode();
        prop_assert!(data.len() <= 64, "{}", data);
        prop_assert_eq!(Press::parse(&data), Some(press));
    }
}
