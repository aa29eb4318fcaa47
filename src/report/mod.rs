//! `aftersales report` (README "Reports"): the figures of a period, section
//! by section, from plain rows the store reads for it. Pure: no I/O, no
//! clock; `build` computes, `table` lays the figures out in the catalogue's
//! words and the JSON form is the `Report` itself. The sections are
//! computed by group: `cases` (volume, return rate, reasons, policy),
//! `money` (money, retention), `logistics` (logistics, responsibility
//! codes), `agents`, `satisfaction`; `table` lays them out, `html` draws
//! the page. `Settings` is `[reports]`.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::CaseStatus;
use crate::catalogue::report::Headline;
use crate::followup::timing::LocalTime;
use crate::money::{Currency, Money};
use crate::month::Month;
use crate::policy::{Outcome, RuleId, ShippingPayer, Verdict};
use crate::reason::Reason;
use crate::retention::{OfferKind, OfferResult};

mod agents;
mod cases;
pub mod csv;
pub mod html;
mod logistics;
mod money;
mod satisfaction;
mod table;

pub use agents::{AgentLine, AgentsSection, Durations, Star, Times};
pub use cases::{
    CategoryReason, CategoryReasons, DayCount, PolicySection, RateLine, ReasonLine, ReturnRate, RuleLine, Volume,
};
pub use logistics::{CarrierLine, CodeLine, DELIVERY_PROBLEMS, Days, Logistics, ProblemLine, Responsibility};
pub use money::{MoneySection, OfferLine, RetentionSection, ShippingLine};
pub use satisfaction::{LowScore, Satisfaction};
pub use table::{WIDTH, table};

/// Half-open: from `from` up to, not including, `to` (UTC bounds of the
/// shop's local days).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Period {
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.to
    }

    /// The shop's days `first` to `last`, both included, as UTC bounds.
    pub fn days(zone: Tz, first: NaiveDate, last: NaiveDate) -> Result<Period, PeriodError> {
        if first > last {
            return Err(PeriodError::Reversed { first, last });
        }
        let after = last.succ_opt().ok_or(PeriodError::TooLate(last))?;
        Ok(Period { from: midnight(zone, first)?, to: midnight(zone, after)? })
    }

    /// The month as the shop's days.
    pub fn month(zone: Tz, month: Month) -> Result<Period, PeriodError> {
        let last = month.last().ok_or(PeriodError::TooLate(month.first()))?;
        Period::days(zone, month.first(), last)
    }

    /// The first and the last of the shop's days in the period.
    pub fn first_and_last_day(&self, zone: Tz) -> (NaiveDate, NaiveDate) {
        let last = (self.to - TimeDelta::seconds(1)).with_timezone(&zone).date_naive();
        (self.from.with_timezone(&zone).date_naive(), last)
    }
}

/// `[reports]`: when the monthly report is posted, and how reports are made.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The time of day (shop time) on the 1st when the previous month's
    /// report is posted to the agents' group.
    pub monthly_at: LocalTime,
    /// The most satisfying agent needs at least this many ratings in the period.
    pub min_ratings: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { monthly_at: LocalTime(chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()), min_ratings: 5 }
    }
}

impl Settings {
    /// What `config check` refuses.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.min_ratings == 0 {
            problems.push("reports.min_ratings: must be at least 1".to_owned());
        }
        problems
    }

    /// When `month`'s report is posted: on the 1st of the month after, at
    /// `monthly_at` in `zone`.
    pub fn monthly_post_at(&self, month: Month, zone: Tz) -> Option<DateTime<Utc>> {
        let local = month.next()?.first().and_time(self.monthly_at.0);
        // A time the clocks jump over is posted an hour later.
        let at = zone
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| zone.from_local_datetime(&(local + TimeDelta::hours(1))).earliest())?;
        Some(at.with_timezone(&Utc))
    }

    /// The first monthly post from `now` on: its month and when it is due.
    pub fn next_monthly_post(&self, now: DateTime<Utc>, zone: Tz) -> Option<(Month, DateTime<Utc>)> {
        let previous = Month::before(now.with_timezone(&zone).date_naive())?;
        [Some(previous), previous.next()]
            .into_iter()
            .flatten()
            .find_map(|month| self.monthly_post_at(month, zone).filter(|at| *at >= now).map(|at| (month, at)))
    }
}

/// Why days make no period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("{first} is after {last}")]
    Reversed { first: NaiveDate, last: NaiveDate },
    #[error("{0} is the last day there is")]
    TooLate(NaiveDate),
    #[error("{day} has no midnight in {zone}")]
    NoMidnight { day: NaiveDate, zone: Tz },
}

/// The first instant of `day` in `zone`, in UTC.
fn midnight(zone: Tz, day: NaiveDate) -> Result<DateTime<Utc>, PeriodError> {
    let start = day.and_time(chrono::NaiveTime::MIN);
    // A zone whose clocks jump over midnight starts the day at the first instant after.
    let local = zone
        .from_local_datetime(&start)
        .earliest()
        .or_else(|| zone.from_local_datetime(&(start + TimeDelta::hours(1))).earliest());
    Ok(local.ok_or(PeriodError::NoMidnight { day, zone })?.with_timezone(&Utc))
}

/// What a report is built under: the shop's zone (its days), currency and
/// calendar (working hours), and `[reports]`.
#[derive(Clone, Copy, Debug)]
pub struct Setup<'a> {
    pub zone: Tz,
    pub currency: Currency,
    pub calendar: &'a Calendar,
    pub settings: &'a Settings,
}

/// An agent as the store knows them: their Telegram user id and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AgentId {
    pub name: String,
    pub id: i64,
}

/// A case opened before the period ends and not closed before it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRow {
    pub id: String,
    pub opened_at: DateTime<Utc>,
    /// When it closed (the first closing event), if it has.
    pub closed_at: Option<DateTime<Utc>>,
    pub reason: Reason,
    pub outcome: Outcome,
    pub status: CaseStatus,
    pub category: String,
    pub sku: String,
    pub refunded_minor: i64,
    /// What an agent agreed to pay back (partial refund, cash-back).
    pub agreed_minor: Option<i64>,
    /// The most the decision allowed to refund: the money a kept case saved.
    pub refund_cap_minor: i64,
    pub rule: RuleId,
    pub verdict: Verdict,
    pub rules_version: String,
    pub survey_sent_at: Option<DateTime<Utc>>,
    pub survey_score: Option<u8>,
    pub survey_comment: Option<String>,
    /// The responsibility code an agent set, 1–9.
    pub responsibility: Option<u8>,
    /// The carrier that brought the order, as the order names it.
    pub outbound_carrier: Option<String>,
    /// The agent who last took the case, if one did (read for rated cases:
    /// it counts for the agent's CSAT).
    pub agent: Option<AgentId>,
}

impl CaseRow {
    /// Money paid out on the case: the refund recorded, or else, once it is
    /// closed, what an agent agreed to.
    fn paid(&self) -> i64 {
        match (self.refunded_minor, self.closed_at) {
            (0, Some(_)) => self.agreed_minor.unwrap_or(0),
            (refunded, _) => refunded,
        }
    }
}

/// An order line delivered in the period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveredLine {
    pub category: String,
    pub sku: String,
}

/// A retention offer made in the period and the customer's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferRow {
    pub offer_id: String,
    pub kind: OfferKind,
    pub value_minor: Option<i64>,
    pub result: OfferResult,
}

/// A return parcel (an approved return or exchange) that something
/// happened to in the period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnRow {
    pub case: String,
    /// The carrier's code of the confirmed tracking number.
    pub carrier: Option<String>,
    /// When the return was approved (its instructions sent).
    pub approved_at: DateTime<Utc>,
    /// Who pays the parcel back, as the decision said.
    pub payer: Option<ShippingPayer>,
    /// Freight insurance refunds the customer's shipping.
    pub freight_insurance: bool,
    /// The shop repays the shipping the customer advanced as a cash-back.
    pub shipping_cash_back: bool,
    /// When the tracking number was confirmed, if it was.
    pub tracking_at: Option<DateTime<Utc>>,
    /// When it reached the warehouse: the delivered scan's time, else the inspection.
    pub arrived_at: Option<DateTime<Utc>>,
    /// When "no scan for a while" was alerted.
    pub no_scans: Vec<DateTime<Utc>>,
    /// When exception scans were heard of.
    pub exceptions: Vec<DateTime<Utc>>,
}

/// A hand-over to the agents that something happened to in the period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationRow {
    /// The case's topic, or the customer's without a case.
    pub topic: String,
    /// The agent holding it (who took it last), if any.
    pub agent: Option<AgentId>,
    /// When it was handed over (first queued).
    pub opened_at: DateTime<Utc>,
    /// The first agent's claim, answer or decision (each takes the case).
    pub responded_at: Option<DateTime<Utc>>,
    /// Closed by an agent, or handed back to the bot.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Service-level pings sent while it waited (since it was last queued).
    pub pings: u32,
}

/// Everything the report is computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rows {
    pub cases: Vec<CaseRow>,
    pub delivered: Vec<DeliveredLine>,
    pub offers: Vec<OfferRow>,
    pub returns: Vec<ReturnRow>,
    pub escalations: Vec<EscalationRow>,
}

/// The report: one field per section, named as the JSON keys.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub period: Period,
    pub volume: Volume,
    pub return_rate: ReturnRate,
    pub reasons: Vec<ReasonLine>,
    pub reasons_by_category: Vec<CategoryReasons>,
    pub money: MoneySection,
    pub policy: PolicySection,
    pub retention: RetentionSection,
    pub logistics: Logistics,
    pub responsibility: Responsibility,
    pub agents: AgentsSection,
    pub satisfaction: Satisfaction,
}

/// The report of `period` from `rows`, under `setup`.
pub fn build(period: Period, setup: &Setup<'_>, rows: &Rows) -> Report {
    let opened: Vec<&CaseRow> = rows.cases.iter().filter(|case| period.contains(case.opened_at)).collect();
    let money = |minor: i64| Money::new(minor, setup.currency);
    let zone = setup.zone;
    Report {
        period,
        volume: cases::volume(period, zone, rows, &opened),
        return_rate: cases::return_rate(rows, &opened),
        reasons: cases::reasons(&opened, money),
        reasons_by_category: cases::reasons_by_category(&opened),
        money: money::money(period, rows, money),
        policy: cases::policy(&opened),
        retention: money::retention(rows, &opened, money),
        logistics: logistics::logistics(period, rows, &opened),
        responsibility: logistics::responsibility(period, rows, money),
        agents: agents::agents(period, rows, setup),
        satisfaction: satisfaction::satisfaction(period, rows),
    }
}

/// Reasons a headline names.
const HEADLINE_REASONS: usize = 3;

/// The figures the report leads with, its days in `zone`.
pub fn headline(report: &Report, zone: Tz) -> Headline {
    let (first_day, last_day) = report.period.first_and_last_day(zone);
    Headline {
        first_day,
        last_day,
        opened: report.volume.opened,
        closed: report.volume.closed,
        open_at_end: report.volume.open_at_end,
        return_rate_pct: report.return_rate.overall.rate_pct,
        refunded: report.money.refunded,
        csat_average: report.satisfaction.average,
        csat_answered: report.satisfaction.answered,
        top_reasons: report.reasons.iter().take(HEADLINE_REASONS).map(|line| (line.reason, line.cases)).collect(),
    }
}

/// Counts by key as a JSON object, in the order they are listed.
fn as_map<K: Serialize, S: serde::Serializer>(pairs: &[(K, u32)], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(key, n)| (key, n)))
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `part` of `whole` in percent, to two decimals.
fn pct(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 10_000.0 / f64::from(whole)).round() / 100.0)
}

/// The middle of sorted figures (the mean of the two middle ones for an
/// even number); none for none.
fn median(sorted: &[f64]) -> Option<f64> {
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => sorted.get(middle).copied(),
        _ => Some((sorted.get(middle - 1)? + sorted.get(middle)?) / 2.0),
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Counts per key, in the order of `order`, leaving out the zeros.
fn tally<K: Copy + PartialEq>(order: &[K], keys: impl Iterator<Item = K>) -> Vec<(K, u32)> {
    let keys: Vec<K> = keys.collect();
    order
        .iter()
        .map(|key| (*key, count(keys.iter().filter(|other| *other == key).count())))
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[cfg(test)]
mod tests;
