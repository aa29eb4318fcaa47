//! The return parcel of an approved return or exchange: instructions, the
//! tracking number, the carrier's scans, the warehouse's inspection and the
//! refund. One `Return` per case, stored whole; every function takes it and
//! gives back the next one with what to do.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Context, Effect, Job, Press, carrier, timing};
use crate::case::Waiting;
use crate::case::{CaseId, Event};
use crate::catalogue::Button;
use crate::catalogue::Msg;
use crate::escalation::Why;
use crate::money::Money;
use crate::parcel::{Inspection, ParcelStatus, Scan, TrackingNo};
use crate::policy::Outcome;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Return {
    pub case: CaseId,
    /// Return and refund, or exchange.
    pub outcome: Outcome,
    /// Paid back once the parcel passes inspection (none for an exchange).
    pub refund: Option<Money>,
    pub stage: Stage,
    /// The confirmed tracking number.
    pub parcel: Option<TrackingNo>,
    /// A number read from the customer's text, waiting for their "yes".
    pub proposed: Option<TrackingNo>,
    /// Statuses already told to the customer (each once).
    pub told: Vec<ParcelStatus>,
    pub last_scan: Option<DateTime<Utc>>,
    pub nudged: bool,
    /// The customer was told once that the parcel has not moved.
    pub no_scan_told: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for the customer's tracking number.
    AwaitingParcel,
    OnTheWay,
    /// Delivered to the warehouse, not inspected yet.
    AtWarehouse,
    /// Passed inspection; the refund is being issued.
    Refunding,
    Done,
    /// Failed inspection: a person handles the rest.
    Failed,
}

impl Stage {
    /// The stage as the store's `returns.stage` column holds it.
    pub fn code(self) -> &'static str {
        match self {
            Stage::AwaitingParcel => "awaiting_parcel",
            Stage::OnTheWay => "on_the_way",
            Stage::AtWarehouse => "at_warehouse",
            Stage::Refunding => "refunding",
            Stage::Done => "done",
            Stage::Failed => "failed",
        }
    }
}

impl Return {
    /// What the case waits on the shop for, if anything.
    pub fn waiting(&self) -> Option<Waiting> {
        match self.stage {
            Stage::AtWarehouse => Some(Waiting::Inspection),
            Stage::Refunding => Some(Waiting::Refund),
            Stage::AwaitingParcel | Stage::OnTheWay | Stage::Done | Stage::Failed => None,
        }
    }
}

/// The refund system's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refund {
    Issued { amount: Money, reference: Option<String> },
    Refused(String),
}

/// An approved return or exchange: the customer gets the address and how
/// to pack, and is asked for the tracking number.
pub fn start(case: CaseId, outcome: Outcome, refund: Option<Money>, cx: &Context<'_>) -> (Return, Vec<Effect>) {
    let effects = vec![
        Effect::Tell(Msg::ReturnInstructions { case: case.clone(), outcome, address: cx.settings.address() }, vec![]),
        Effect::Event(Event::ReturnInstructions { outcome }),
        Effect::Schedule(Job::TrackingNudge, cx.now + cx.settings.tracking_wait.chrono()),
    ];
    let ret = Return {
        case,
        outcome,
        refund,
        stage: Stage::AwaitingParcel,
        parcel: None,
        proposed: None,
        told: Vec::new(),
        last_scan: None,
        nudged: false,
        no_scan_told: false,
    };
    (ret, effects)
}

/// What a text holding a tracking number means for a customer's returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParcelText {
    /// It is about this return: its next state and what to do.
    One(Return, Vec<Effect>),
    /// Several returns could take it: the customer is asked which (the
    /// effect asks, one button a case).
    Which(Effect),
}

/// A text at rest from a customer with returns in progress (oldest first,
/// each with its item's name); `None` unless it holds a tracking number.
/// With one return waiting for a parcel or on its way, the number is for
/// it; with several, the customer picks the case (never the newest by
/// guess); a number already saved on a parcel on its way is said to be
/// saved; with none, the newest return that arrived answers.
pub fn parcel_text(returns: &[(Return, String)], text: &str, cx: &Context<'_>) -> Option<ParcelText> {
    let found = carrier::recognise(text, &cx.settings.carriers)?;
    let open: Vec<&(Return, String)> =
        returns.iter().filter(|(ret, _)| matches!(ret.stage, Stage::AwaitingParcel | Stage::OnTheWay)).collect();
    let awaiting = open.iter().any(|(ret, _)| ret.stage == Stage::AwaitingParcel);
    let saved = open.iter().find(|(ret, _)| ret.parcel.as_ref().is_some_and(|parcel| parcel.number == found.number));
    let one = match (saved, open.as_slice()) {
        // Typed again: nothing to ask, unless another case may take the same parcel.
        (Some((ret, _)), _) if !awaiting => ret,
        (_, []) => &returns.last()?.0,
        (_, [(ret, _)]) => ret,
        (_, many) => {
            let (carrier_zh, carrier_en) = carrier::names(&found.carrier, &cx.settings.carriers);
            let buttons = many
                .iter()
                .map(|(ret, item)| Button {
                    label: Msg::ParcelCaseButton { case: ret.case.clone(), item: item.clone() },
                    data: Press::ForCase { case: ret.case.clone(), number: found.number.clone() }.encode(),
                })
                .collect();
            let ask = Msg::WhichCaseForParcel { carrier_zh, carrier_en, number: found.number };
            return Some(ParcelText::Which(Effect::Choose(ask, buttons)));
        }
    };
    let (next, effects) = number_for(one, found, cx);
    Some(ParcelText::One(next, effects))
}

/// A text (or a picked case's number) for this return: `None` unless it
/// holds a tracking number.
pub fn tracking_text(ret: &Return, text: &str, cx: &Context<'_>) -> Option<(Return, Vec<Effect>)> {
    carrier::recognise(text, &cx.settings.carriers).map(|found| number_for(ret, found, cx))
}

/// A tracking number for this return. Waiting for one: proposed for
/// confirmation. On its way with another number: replacing it is proposed
/// (a corrected number). The saved one again: it is saved. Arrived: too
/// late to change, a person can help.
fn number_for(ret: &Return, found: TrackingNo, cx: &Context<'_>) -> (Return, Vec<Effect>) {
    let case = ret.case.clone();
    let (carrier_zh, carrier_en) = carrier::names(&found.carrier, &cx.settings.carriers);
    let yes_no = |press: fn(CaseId, bool) -> Press, yes: Msg, no: Msg| {
        [(yes, true), (no, false)].map(|(label, right)| Button { label, data: press(case.clone(), right).encode() })
    };
    let (ask, buttons) = match (&ret.parcel, ret.stage) {
        (Some(parcel), _) if parcel.number == found.number => {
            let saved = Msg::TrackingAlreadySaved { case: case.clone(), number: found.number };
            return (ret.clone(), vec![Effect::Tell(saved, vec![])]);
        }
        (_, Stage::AwaitingParcel) => (
            Msg::ConfirmTracking { case: case.clone(), carrier_zh, carrier_en, number: found.number.clone() },
            yes_no(|case, right| Press::Tracking { case, right }, Msg::TrackingRight, Msg::TrackingWrong),
        ),
        (Some(parcel), Stage::OnTheWay) => (
            Msg::ConfirmReplaceTracking {
                case: case.clone(),
                old: parcel.number.clone(),
                number: found.number.clone(),
            },
            yes_no(|case, right| Press::Replace { case, right }, Msg::ReplaceTrackingButton, Msg::KeepTrackingButton),
        ),
        _ => {
            let person = Button { label: Msg::MenuAgent, data: Press::Person { case: case.clone() }.encode() };
            return (ret.clone(), vec![Effect::Tell(Msg::ParcelAlreadyArrived { case }, vec![person])]);
        }
    };
    (Return { proposed: Some(found), ..ret.clone() }, vec![Effect::Tell(ask, buttons.to_vec())])
}

/// The customer's answer to "is this your tracking number?"; `None` for a
/// stale button (nothing proposed any more).
pub fn confirm(ret: &Return, right: bool, polling: bool, cx: &Context<'_>) -> Option<(Return, Vec<Effect>)> {
    let proposed = ret.proposed.clone().filter(|_| ret.stage == Stage::AwaitingParcel)?;
    let mut next = Return { proposed: None, ..ret.clone() };
    if !right {
        return Some((next, vec![Effect::Tell(Msg::AskTrackingAgain { case: ret.case.clone() }, vec![])]));
    }
    let (carrier_zh, carrier_en) = carrier::names(&proposed.carrier, &cx.settings.carriers);
    let mut effects = vec![
        Effect::Tell(
            Msg::TrackingSaved { case: ret.case.clone(), carrier_zh, carrier_en, number: proposed.number.clone() },
            vec![],
        ),
        Effect::Event(Event::TrackingNumber(proposed.clone())),
        Effect::Cancel(Job::TrackingNudge),
        Effect::Cancel(Job::TrackingEscalate),
    ];
    effects.extend(follow_parcel(polling, cx));
    next.stage = Stage::OnTheWay;
    next.parcel = Some(proposed);
    Some((next, effects))
}

/// The customer's answer to "replace the saved number with this one?";
/// `None` for a stale button (nothing proposed, or the parcel arrived).
/// The new number is another parcel: what was told of the old one's scans
/// is forgotten, so the new one's are told, and its silence is timed afresh.
pub fn replace(ret: &Return, right: bool, polling: bool, cx: &Context<'_>) -> Option<(Return, Vec<Effect>)> {
    let old = ret.parcel.clone().filter(|_| ret.stage == Stage::OnTheWay)?;
    let proposed = ret.proposed.clone()?;
    let case = ret.case.clone();
    if !right {
        let next = Return { proposed: None, ..ret.clone() };
        return Some((next, vec![Effect::Tell(Msg::TrackingKept { case, number: old.number }, vec![])]));
    }
    let mut effects = vec![
        Effect::Tell(Msg::TrackingReplaced { case, old: old.number.clone(), number: proposed.number.clone() }, vec![]),
        Effect::Event(Event::tracking_corrected(&old, &proposed)),
    ];
    effects.extend(follow_parcel(polling, cx));
    let next = Return {
        parcel: Some(proposed),
        proposed: None,
        told: Vec::new(),
        last_scan: None,
        no_scan_told: false,
        ..ret.clone()
    };
    Some((next, effects))
}

/// Following a newly saved parcel: a silent one is noticed, and the
/// tracking provider (if any) is asked at once.
fn follow_parcel(polling: bool, cx: &Context<'_>) -> Vec<Effect> {
    let mut effects = vec![Effect::Schedule(Job::NoScan, cx.now + cx.settings.no_scan.chrono())];
    if polling {
        effects.push(Effect::Schedule(Job::Poll, cx.now));
    }
    effects
}

/// A due job on the return.
pub fn on_job(ret: &Return, job: Job, cx: &Context<'_>) -> (Return, Vec<Effect>) {
    let mut next = ret.clone();
    let case = ret.case.clone();
    let effects = match (job, ret.stage) {
        (Job::TrackingNudge, Stage::AwaitingParcel) if !ret.nudged => {
            next.nudged = true;
            vec![
                Effect::Tell(Msg::TrackingNudge { case }, vec![]),
                Effect::Event(Event::TrackingNudged {}),
                Effect::Schedule(Job::TrackingEscalate, cx.now + cx.settings.tracking_escalate.chrono()),
            ]
        }
        (Job::TrackingEscalate, Stage::AwaitingParcel) => {
            vec![Effect::Event(Event::TrackingMissing {}), Effect::Escalate(Why::NoTrackingNumber)]
        }
        (Job::NoScan, Stage::OnTheWay) => {
            let number = ret.parcel.as_ref().map(|parcel| parcel.number.clone()).unwrap_or_default();
            let since = ret.last_scan.map(|at| at.with_timezone(&cx.zone).naive_local());
            let mut effects = vec![
                Effect::Event(Event::NoScan { since: ret.last_scan }),
                Effect::Alert(Msg::AlertNoScan { case: case.clone(), number, since }),
                Effect::Schedule(Job::NoScan, cx.now + cx.settings.no_scan.chrono()),
            ];
            if !ret.no_scan_told {
                next.no_scan_told = true;
                effects.insert(0, Effect::Tell(Msg::NoScanUpdate { case }, vec![]));
            }
            effects
        }
        (Job::RefundDue, Stage::AtWarehouse | Stage::Refunding) => vec![
            Effect::Event(Event::RefundOverdue {}),
            Effect::Alert(Msg::AlertRefundOverdue { case, days: cx.refund_working_days }),
        ],
        _ => Vec::new(),
    };
    (next, effects)
}

/// Scans from the tracking provider or the push endpoint. Each status is
/// told once, and not after a later one (a late "picked up" after "in
/// transit" says nothing new).
pub fn on_scans(ret: &Return, scans: &[Scan], cx: &Context<'_>) -> (Return, Vec<Effect>) {
    let mut next = ret.clone();
    let mut effects = Vec::new();
    if !matches!(ret.stage, Stage::OnTheWay | Stage::AtWarehouse) {
        return (next, effects);
    }
    let mut scans = scans.to_vec();
    scans.sort_by_key(|scan| scan.at);
    for scan in &scans {
        if next.last_scan.is_none_or(|last| scan.at > last) {
            next.last_scan = Some(scan.at);
        }
        let superseded = scan.status != ParcelStatus::Exception
            && next.told.iter().any(|told| *told != ParcelStatus::Exception && *told > scan.status);
        if next.told.contains(&scan.status) || superseded {
            continue;
        }
        next.told.push(scan.status);
        effects.push(Effect::Tell(
            Msg::ParcelUpdate { case: ret.case.clone(), status: scan.status, detail: scan.detail.clone() },
            vec![],
        ));
        effects.push(Effect::Event(Event::ParcelScan(scan.clone())));
        match scan.status {
            ParcelStatus::Delivered if next.stage == Stage::OnTheWay => {
                next.stage = Stage::AtWarehouse;
                // Promised from the parcel's arrival, however late its scan is heard of.
                let due = cx.calendar.add_working_days(scan.at.min(cx.now), cx.refund_working_days, cx.zone);
                effects.extend([
                    Effect::Cancel(Job::NoScan),
                    Effect::Cancel(Job::Poll),
                    Effect::Schedule(Job::RefundDue, due),
                    Effect::Schedule(
                        Job::Progress,
                        timing::next_progress(cx.now, cx.zone, cx.settings.progress_at, cx.settings.quiet_hours),
                    ),
                ]);
            }
            ParcelStatus::Exception => {
                let number = ret.parcel.as_ref().map(|parcel| parcel.number.clone()).unwrap_or_default();
                effects.push(Effect::Alert(Msg::AlertParcelException {
                    case: ret.case.clone(),
                    number,
                    detail: scan.detail.clone(),
                }));
            }
            _ => {}
        }
    }
    if next.stage == Stage::OnTheWay
        && let Some(last) = next.last_scan
        && next.last_scan != ret.last_scan
    {
        effects.push(Effect::Schedule(Job::NoScan, (last + cx.settings.no_scan.chrono()).max(cx.now)));
    }
    (next, effects)
}

/// The warehouse's inspection; `None` when the return is past it (or not
/// sent yet), so a repeated result changes nothing.
pub fn inspected(ret: &Return, inspection: &Inspection, cx: &Context<'_>) -> Option<(Return, Vec<Effect>)> {
    if !matches!(ret.stage, Stage::OnTheWay | Stage::AtWarehouse) {
        return None;
    }
    let mut next = ret.clone();
    let case = ret.case.clone();
    let mut effects = vec![Effect::Cancel(Job::NoScan), Effect::Cancel(Job::Poll)];
    match inspection {
        Inspection::Passed => {
            effects.push(Effect::Event(Event::InspectionPassed {}));
            match ret.refund {
                Some(amount) if ret.outcome != Outcome::Exchange => {
                    next.stage = Stage::Refunding;
                    effects.push(Effect::IssueRefund(amount));
                    effects.push(Effect::Schedule(
                        Job::Progress,
                        timing::next_progress(cx.now, cx.zone, cx.settings.progress_at, cx.settings.quiet_hours),
                    ));
                }
                _ => {
                    next.stage = Stage::Done;
                    effects.push(Effect::Cancel(Job::RefundDue));
                    effects.push(Effect::Tell(Msg::ExchangeInspected { case: case.clone() }, vec![]));
                    effects.push(Effect::Alert(Msg::AlertShipReplacement { case }));
                }
            }
        }
        Inspection::Failed(reason) => {
            next.stage = Stage::Failed;
            effects.extend([
                Effect::Cancel(Job::RefundDue),
                Effect::Event(Event::InspectionFailed { reason: reason.clone() }),
                Effect::Tell(Msg::InspectionFailed { case, reason: reason.clone() }, vec![]),
                Effect::Escalate(Why::InspectionFailed),
            ]);
        }
    }
    Some((next, effects))
}

/// The refund system's answer (or an agent's confirmation); `None` when no
/// refund is being issued on this return.
pub fn refunded(ret: &Return, refund: &Refund, cx: &Context<'_>) -> Option<(Return, Vec<Effect>)> {
    if ret.stage != Stage::Refunding {
        return None;
    }
    let mut next = ret.clone();
    let case = ret.case.clone();
    let effects = match refund {
        Refund::Issued { amount, reference } => {
            next.stage = Stage::Done;
            let arrive_by = cx
                .calendar
                .add_working_days(cx.now, cx.settings.refund_arrival_working_days, cx.zone)
                .with_timezone(&cx.zone)
                .date_naive();
            vec![
                Effect::Cancel(Job::RefundDue),
                Effect::Cancel(Job::Progress),
                Effect::Event(Event::refunded(*amount, reference.clone())),
                Effect::Tell(Msg::RefundIssued { case, amount: *amount, arrive_by }, vec![]),
                Effect::Close { refunded: Some(*amount) },
            ]
        }
        Refund::Refused(why) => vec![
            Effect::Event(Event::RefundRefused { why: why.clone() }),
            Effect::Alert(Msg::AlertRefundRefused { case, why: why.clone() }),
            Effect::Escalate(Why::RefundRefused),
        ],
    };
    Some((next, effects))
}
