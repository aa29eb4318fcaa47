//! Logistics (return parcels per carrier, delivery problems per outbound
//! carrier) and the agents' responsibility codes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{CaseRow, Period, ReturnRow, Rows, as_map, count, median, round2};
use crate::money::Money;
use crate::reason::Reason;

/// Return parcels by their carrier, and the delivery problems customers
/// reported by the carrier that brought the order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Logistics {
    pub overall: CarrierLine,
    /// Most parcels sent first, ties by code.
    pub carriers: Vec<CarrierLine>,
    /// Most problems first, ties by name.
    pub delivery_problems: Vec<ProblemLine>,
}

/// What happened to return parcels of one carrier (its code from
/// `[[followup.carriers]]`, "other" when none matched; empty for all).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CarrierLine {
    pub carrier: String,
    /// Parcels whose tracking number came in the period.
    pub sent: u32,
    /// From approval (the return instructions) to the tracking number, for those.
    pub to_tracking: Days,
    /// From the tracking number to the warehouse (the delivered scan, else
    /// the inspection), for parcels that arrived in the period.
    pub in_transit: Days,
    /// "No scan for a while" alerts in the period.
    pub no_scan_alerts: u32,
    /// Exception scans in the period.
    pub exceptions: u32,
}

/// Durations in days: how many were measured, their average and median.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Days {
    pub measured: u32,
    pub average: Option<f64>,
    pub median: Option<f64>,
}

/// Cases opened in the period for a delivery problem, by the order's
/// carrier (as the order names it; empty when it does not).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProblemLine {
    pub carrier: String,
    pub cases: u32,
    /// Every problem reason, zeros included.
    #[serde(serialize_with = "as_map")]
    pub by_reason: Vec<(Reason, u32)>,
}

/// The delivery problems customers report (docs/domain.md §3).
pub const DELIVERY_PROBLEMS: [Reason; 5] =
    [Reason::DamagedInTransit, Reason::LostParcel, Reason::MissingItems, Reason::WrongItem, Reason::SignedNotReceived];

/// Cases closed in the period per responsibility code an agent set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Responsibility {
    /// Codes 1 to 9, zeros included.
    pub codes: Vec<CodeLine>,
    /// Closed in the period without a code.
    pub unset: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CodeLine {
    pub code: u8,
    pub cases: u32,
    /// Paid on those cases (refunds, agreed amounts).
    pub paid: Money,
}

pub(super) fn logistics(period: Period, rows: &Rows, opened: &[&CaseRow]) -> Logistics {
    let mut carriers: BTreeMap<&str, Vec<&ReturnRow>> = BTreeMap::new();
    for parcel in &rows.returns {
        if let Some(carrier) = &parcel.carrier {
            carriers.entry(carrier).or_default().push(parcel);
        }
    }
    let mut lines: Vec<CarrierLine> = carriers
        .into_iter()
        .map(|(carrier, parcels)| carrier_line(period, carrier, &parcels))
        .filter(|line| line.sent + line.in_transit.measured + line.no_scan_alerts + line.exceptions > 0)
        .collect();
    lines.sort_by_key(|line| std::cmp::Reverse(line.sent));
    let all: Vec<&ReturnRow> = rows.returns.iter().collect();
    Logistics { overall: carrier_line(period, "", &all), carriers: lines, delivery_problems: problems(opened) }
}

fn carrier_line(period: Period, carrier: &str, parcels: &[&ReturnRow]) -> CarrierLine {
    let within = |at: &Option<DateTime<Utc>>| at.is_some_and(|at| period.contains(at));
    let sent: Vec<&&ReturnRow> = parcels.iter().filter(|parcel| within(&parcel.tracking_at)).collect();
    let to_tracking = sent.iter().filter_map(|parcel| Some(parcel.tracking_at? - parcel.approved_at));
    let in_transit = parcels
        .iter()
        .filter(|parcel| within(&parcel.arrived_at))
        .filter_map(|parcel| Some(parcel.arrived_at? - parcel.tracking_at?));
    let in_period = |times: &[DateTime<Utc>]| times.iter().filter(|at| period.contains(**at)).count();
    CarrierLine {
        carrier: carrier.to_owned(),
        sent: count(sent.len()),
        to_tracking: days(to_tracking),
        in_transit: days(in_transit),
        no_scan_alerts: count(parcels.iter().map(|parcel| in_period(&parcel.no_scans)).sum()),
        exceptions: count(parcels.iter().map(|parcel| in_period(&parcel.exceptions)).sum()),
    }
}

fn days(spans: impl Iterator<Item = chrono::TimeDelta>) -> Days {
    // A clock set back can put a step before the one it follows: not a duration.
    let mut days: Vec<f64> =
        spans.filter(|span| *span >= chrono::TimeDelta::zero()).map(|span| span.as_seconds_f64() / 86_400.0).collect();
    days.sort_by(f64::total_cmp);
    let average = (!days.is_empty()).then(|| round2(days.iter().sum::<f64>() / days.len() as f64));
    Days { measured: count(days.len()), average, median: median(&days).map(round2) }
}

fn problems(opened: &[&CaseRow]) -> Vec<ProblemLine> {
    let mut carriers: BTreeMap<&str, Vec<Reason>> = BTreeMap::new();
    for case in opened.iter().filter(|case| DELIVERY_PROBLEMS.contains(&case.reason)) {
        carriers.entry(case.outbound_carrier.as_deref().unwrap_or_default()).or_default().push(case.reason);
    }
    let mut lines: Vec<ProblemLine> = carriers
        .into_iter()
        .map(|(carrier, reasons)| ProblemLine {
            carrier: carrier.to_owned(),
            cases: count(reasons.len()),
            by_reason: DELIVERY_PROBLEMS
                .iter()
                .map(|problem| (*problem, count(reasons.iter().filter(|reason| *reason == problem).count())))
                .collect(),
        })
        .collect();
    lines.sort_by_key(|line| std::cmp::Reverse(line.cases));
    lines
}

pub(super) fn responsibility(period: Period, rows: &Rows, money: impl Fn(i64) -> Money) -> Responsibility {
    let closed: Vec<&CaseRow> =
        rows.cases.iter().filter(|case| case.closed_at.is_some_and(|at| period.contains(at))).collect();
    let codes = (1..=9)
        .map(|code| {
            let cases: Vec<&&CaseRow> = closed.iter().filter(|case| case.responsibility == Some(code)).collect();
            CodeLine { code, cases: count(cases.len()), paid: money(cases.iter().map(|case| case.paid()).sum()) }
        })
        .collect();
    Responsibility { codes, unset: count(closed.iter().filter(|case| case.responsibility.is_none()).count()) }
}
