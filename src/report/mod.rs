//! `aftersales report` (README "Reports"): the figures of a period, section
//! by section, from plain rows the store reads for it. Pure: no I/O, no
//! clock; `build` computes, `table` lays the figures out in the catalogue's
//! words and the JSON form is the `Report` itself.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::case::CaseStatus;
use crate::catalogue::report::{Headline, Label, label};
use crate::lang::Lang;
use crate::money::{Currency, Money};
use crate::policy::{Outcome, RuleId, Verdict};
use crate::reason::Reason;
use crate::retention::{OfferKind, OfferResult};

pub mod csv;
pub mod html;

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

    /// The first and the last of the shop's days in the period.
    pub fn first_and_last_day(&self, zone: Tz) -> (NaiveDate, NaiveDate) {
        let last = (self.to - TimeDelta::seconds(1)).with_timezone(&zone).date_naive();
        (self.from.with_timezone(&zone).date_naive(), last)
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

/// A calendar month, as `2026-11`: the CLI's `--month` and agents' `/report 2026-11`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    pub fn parse(text: &str) -> Option<Month> {
        let first = NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()?;
        Some(Month { first })
    }

    /// The last full month before `today`'s.
    pub fn before(today: NaiveDate) -> Option<Month> {
        let first = today.with_day(1)?.checked_sub_months(Months::new(1))?;
        Some(Month { first })
    }

    pub fn first(self) -> NaiveDate {
        self.first
    }

    /// Its last day; none for the month at the end of the calendar.
    pub fn last(self) -> Option<NaiveDate> {
        self.first.checked_add_months(Months::new(1))?.pred_opt()
    }

    /// The month as the shop's days, in UTC bounds.
    pub fn period(self, zone: Tz) -> Result<Period, PeriodError> {
        let last = self.last().ok_or(PeriodError::TooLate(self.first))?;
        Period::days(zone, self.first, last)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
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

/// Everything the report is computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rows {
    pub cases: Vec<CaseRow>,
    pub delivered: Vec<DeliveredLine>,
    pub offers: Vec<OfferRow>,
}

/// The report: one field per section, named as the JSON keys.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub period: Period,
    pub volume: Volume,
    pub return_rate: ReturnRate,
    pub reasons: Vec<ReasonLine>,
    pub money: MoneySection,
    pub policy: PolicySection,
    pub retention: RetentionSection,
    pub satisfaction: Satisfaction,
}

/// Cases opened, closed and still open at the end; those opened by outcome
/// and by their status now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Volume {
    pub opened: u32,
    pub closed: u32,
    pub open_at_end: u32,
    #[serde(serialize_with = "as_map")]
    pub by_outcome: Vec<(Outcome, u32)>,
    #[serde(serialize_with = "as_map")]
    pub by_status: Vec<(CaseStatus, u32)>,
    /// Cases opened on each of the shop's days of the period, zeros included.
    pub opened_per_day: Vec<DayCount>,
}

/// Cases opened on one of the shop's days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub cases: u32,
}

/// Counts by key as a JSON object, in the order they are listed.
fn as_map<K: Serialize, S: serde::Serializer>(pairs: &[(K, u32)], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().map(|(key, n)| (key, n)))
}

/// Cases opened in the period ÷ order lines delivered in it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReturnRate {
    pub overall: RateLine,
    pub by_category: Vec<RateLine>,
    /// The ten SKUs with the most cases.
    pub top_skus: Vec<RateLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RateLine {
    /// The category or SKU; empty for the overall line.
    pub key: String,
    pub cases: u32,
    pub delivered: u32,
    /// Percent, two decimals; none without deliveries.
    pub rate_pct: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReasonLine {
    pub reason: Reason,
    pub cases: u32,
    pub share_pct: f64,
    /// Paid back on these cases by refunds (full, partial, price protection).
    pub refunded: Money,
}

/// Money paid on cases closed in the period, and coupons given by retention
/// in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MoneySection {
    pub refunded: Money,
    pub partial_refunds: Money,
    pub cash_back: Money,
    pub retention_coupons: Money,
}

/// The automatic decisions on cases opened in the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicySection {
    pub rules: Vec<RuleLine>,
    /// Each rules version that decided, with its number of cases.
    #[serde(serialize_with = "as_map")]
    pub rules_versions: Vec<(String, u32)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleLine {
    pub rule: RuleId,
    pub approved: u32,
    pub needs_review: u32,
    pub not_eligible: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RetentionSection {
    pub offers: Vec<OfferLine>,
    /// Cases opened in the period whose customer kept the goods.
    pub cases_kept: u32,
    /// What those cases could have refunded.
    pub not_refunded: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OfferLine {
    pub offer_id: String,
    pub made: u32,
    pub accepted: u32,
    pub declined: u32,
}

/// Surveys sent in the period and their answers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Satisfaction {
    pub sent: u32,
    pub answered: u32,
    pub answer_rate_pct: Option<f64>,
    pub average: Option<f64>,
    /// Answers scoring 1, 2, 3, 4 and 5.
    pub distribution: [u32; 5],
    pub low_scores: Vec<LowScore>,
}

/// A score of 1 or 2, for the shop to follow up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LowScore {
    pub case: String,
    pub score: u8,
    pub comment: Option<String>,
}

/// The top SKUs listed.
const TOP_SKUS: usize = 10;
/// Scores up to this are listed with their cases.
const LOW_SCORE: u8 = 2;

/// The report of `period` from `rows`, amounts in `currency`, days in `zone`.
pub fn build(period: Period, zone: Tz, currency: Currency, rows: &Rows) -> Report {
    let opened: Vec<&CaseRow> = rows.cases.iter().filter(|case| period.contains(case.opened_at)).collect();
    let money = |minor: i64| Money::new(minor, currency);
    Report {
        period,
        volume: volume(period, zone, rows, &opened),
        return_rate: return_rate(rows, &opened),
        reasons: reasons(&opened, money),
        money: money_section(period, rows, money),
        policy: policy(&opened),
        retention: retention(rows, &opened, money),
        satisfaction: satisfaction(period, rows),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `part` of `whole` in percent, to two decimals.
fn pct(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 10_000.0 / f64::from(whole)).round() / 100.0)
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

fn volume(period: Period, zone: Tz, rows: &Rows, opened: &[&CaseRow]) -> Volume {
    let closed = rows.cases.iter().filter(|case| case.closed_at.is_some_and(|at| period.contains(at))).count();
    let open_at_end = rows
        .cases
        .iter()
        .filter(|case| case.opened_at < period.to && case.closed_at.is_none_or(|at| at >= period.to))
        .count();
    Volume {
        opened: count(opened.len()),
        closed: count(closed),
        open_at_end: count(open_at_end),
        by_outcome: tally(&Outcome::ALL, opened.iter().map(|case| case.outcome)),
        by_status: tally(&CaseStatus::ALL, opened.iter().map(|case| case.status)),
        opened_per_day: per_day(period, zone, opened),
    }
}

fn per_day(period: Period, zone: Tz, opened: &[&CaseRow]) -> Vec<DayCount> {
    let (first, last) = period.first_and_last_day(zone);
    let mut days: BTreeMap<NaiveDate, u32> =
        first.iter_days().take_while(|day| *day <= last).map(|day| (day, 0)).collect();
    for case in opened {
        if let Some(n) = days.get_mut(&case.opened_at.with_timezone(&zone).date_naive()) {
            *n += 1;
        }
    }
    days.into_iter().map(|(day, cases)| DayCount { day, cases }).collect()
}

fn return_rate(rows: &Rows, opened: &[&CaseRow]) -> ReturnRate {
    let lines = |key: for<'a> fn(&'a str, &'a str) -> &'a str| {
        let mut lines: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        for case in opened {
            lines.entry(key(&case.category, &case.sku).to_owned()).or_default().0 += 1;
        }
        for line in &rows.delivered {
            lines.entry(key(&line.category, &line.sku).to_owned()).or_default().1 += 1;
        }
        let mut lines: Vec<RateLine> = lines
            .into_iter()
            .map(|(key, (cases, delivered))| RateLine { key, cases, delivered, rate_pct: pct(cases, delivered) })
            .collect();
        // Most cases first; ties by name, so the order is stable.
        lines.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.key.cmp(&b.key)));
        lines
    };
    let cases = count(opened.len());
    let delivered = count(rows.delivered.len());
    let mut top_skus = lines(|_, sku| sku);
    top_skus.retain(|line| line.cases > 0);
    top_skus.truncate(TOP_SKUS);
    ReturnRate {
        overall: RateLine { key: String::new(), cases, delivered, rate_pct: pct(cases, delivered) },
        by_category: lines(|category, _| category),
        top_skus,
    }
}

fn reasons(opened: &[&CaseRow], money: impl Fn(i64) -> Money) -> Vec<ReasonLine> {
    let total = count(opened.len());
    let mut lines: Vec<ReasonLine> = tally(&Reason::ALL, opened.iter().map(|case| case.reason))
        .into_iter()
        .map(|(reason, cases)| {
            let refunded = opened
                .iter()
                .filter(|case| case.reason == reason && case.outcome.refunds())
                .map(|case| case.paid())
                .sum();
            ReasonLine { reason, cases, share_pct: pct(cases, total).unwrap_or(0.0), refunded: money(refunded) }
        })
        .collect();
    // Most cases first; ties keep the taxonomy's order (the sort is stable).
    lines.sort_by_key(|line| std::cmp::Reverse(line.cases));
    lines
}

fn money_section(period: Period, rows: &Rows, money: impl Fn(i64) -> Money) -> MoneySection {
    let closed = || rows.cases.iter().filter(|case| case.closed_at.is_some_and(|at| period.contains(at)));
    let paid = |outcomes: &[Outcome]| closed().filter(|case| outcomes.contains(&case.outcome)).map(CaseRow::paid).sum();
    let coupons = rows
        .offers
        .iter()
        .filter(|offer| offer.kind == OfferKind::Coupon && offer.result == OfferResult::Accepted)
        .filter_map(|offer| offer.value_minor)
        .sum();
    MoneySection {
        refunded: money(paid(&[Outcome::RefundOnly, Outcome::ReturnRefund, Outcome::PriceProtection])),
        partial_refunds: money(paid(&[Outcome::PartialRefund])),
        cash_back: money(paid(&[Outcome::CashBack])),
        retention_coupons: money(coupons),
    }
}

fn policy(opened: &[&CaseRow]) -> PolicySection {
    let mut rules: Vec<RuleLine> = Vec::new();
    let mut versions: Vec<(String, u32)> = Vec::new();
    for case in opened {
        let at = match rules.iter().position(|line| line.rule == case.rule) {
            Some(at) => at,
            None => {
                rules.push(RuleLine { rule: case.rule, approved: 0, needs_review: 0, not_eligible: 0 });
                rules.len() - 1
            }
        };
        let line = &mut rules[at];
        match case.verdict {
            Verdict::Approved => line.approved += 1,
            Verdict::NeedsReview => line.needs_review += 1,
            Verdict::NotEligible => line.not_eligible += 1,
        }
        match versions.iter_mut().find(|(version, _)| *version == case.rules_version) {
            Some((_, n)) => *n += 1,
            None => versions.push((case.rules_version.clone(), 1)),
        }
    }
    // The rules that refuse most first, so a shop sees them at the top.
    rules.sort_by(|a, b| {
        (b.not_eligible, b.needs_review, b.approved)
            .cmp(&(a.not_eligible, a.needs_review, a.approved))
            .then_with(|| a.rule.code().cmp(&b.rule.code()))
    });
    versions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    PolicySection { rules, rules_versions: versions }
}

fn retention(rows: &Rows, opened: &[&CaseRow], money: impl Fn(i64) -> Money) -> RetentionSection {
    let mut offers: BTreeMap<&str, OfferLine> = BTreeMap::new();
    for offer in &rows.offers {
        let line = offers.entry(&offer.offer_id).or_insert_with(|| OfferLine {
            offer_id: offer.offer_id.clone(),
            made: 0,
            accepted: 0,
            declined: 0,
        });
        line.made += 1;
        match offer.result {
            OfferResult::Accepted => line.accepted += 1,
            OfferResult::Declined => line.declined += 1,
        }
    }
    let kept: Vec<&&CaseRow> = opened.iter().filter(|case| case.status == CaseStatus::Retained).collect();
    RetentionSection {
        offers: offers.into_values().collect(),
        cases_kept: count(kept.len()),
        not_refunded: money(kept.iter().map(|case| case.refund_cap_minor).sum()),
    }
}

fn satisfaction(period: Period, rows: &Rows) -> Satisfaction {
    let sent: Vec<&CaseRow> =
        rows.cases.iter().filter(|case| case.survey_sent_at.is_some_and(|at| period.contains(at))).collect();
    let scores: Vec<(&CaseRow, u8)> =
        sent.iter().filter_map(|case| case.survey_score.filter(|s| (1..=5).contains(s)).map(|s| (*case, s))).collect();
    let mut distribution = [0u32; 5];
    for (_, score) in &scores {
        distribution[usize::from(score - 1)] += 1;
    }
    let answered = count(scores.len());
    let total: u32 = scores.iter().map(|(_, score)| u32::from(*score)).sum();
    let mut low_scores: Vec<LowScore> = scores
        .iter()
        .filter(|(_, score)| *score <= LOW_SCORE)
        .map(|(case, score)| LowScore { case: case.id.clone(), score: *score, comment: case.survey_comment.clone() })
        .collect();
    low_scores.sort_by(|a, b| a.score.cmp(&b.score).then_with(|| a.case.cmp(&b.case)));
    Satisfaction {
        sent: count(sent.len()),
        answered,
        answer_rate_pct: pct(answered, count(sent.len())),
        average: (answered > 0).then(|| (f64::from(total) * 100.0 / f64::from(answered)).round() / 100.0),
        distribution,
        low_scores,
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

/// The report as aligned text within [`WIDTH`] columns, in `lang`; times in
/// `zone`.
pub fn table(report: &Report, lang: Lang, zone: chrono_tz::Tz) -> String {
    let l = |key: Label| label(lang, key);
    let mut out = Table::default();
    let (first_day, last_day) = report.period.first_and_last_day(zone);
    out.line(format!("{} · {} {first_day} – {last_day}", l(Label::Title), l(Label::Period)));

    let volume = &report.volume;
    out.title(l(Label::Volume));
    out.row(l(Label::Opened), &[volume.opened.to_string()]);
    out.row(l(Label::Closed), &[volume.closed.to_string()]);
    out.row(l(Label::OpenAtEnd), &[volume.open_at_end.to_string()]);
    out.sub(l(Label::ByOutcome));
    for (outcome, n) in &volume.by_outcome {
        out.row(l(Label::Outcome(*outcome)), &[n.to_string()]);
    }
    out.sub(l(Label::ByStatus));
    for (status, n) in &volume.by_status {
        out.row(l(Label::Status(*status)), &[n.to_string()]);
    }

    let rate = &report.return_rate;
    out.title(l(Label::ReturnRate));
    out.head(&[l(Label::Cases), l(Label::Delivered), l(Label::Rate)]);
    let rate_row = |out: &mut Table, name: String, line: &RateLine| {
        out.row(name, &[line.cases.to_string(), line.delivered.to_string(), percent(line.rate_pct)]);
    };
    rate_row(&mut out, l(Label::Overall), &rate.overall);
    out.sub(l(Label::ByCategory));
    for line in &rate.by_category {
        rate_row(&mut out, line.key.clone(), line);
    }
    out.sub(l(Label::TopSkus));
    for line in &rate.top_skus {
        rate_row(&mut out, line.key.clone(), line);
    }

    out.title(l(Label::Reasons));
    out.head(&[l(Label::Cases), l(Label::Share), l(Label::Refunded)]);
    for line in &report.reasons {
        let cells = [line.cases.to_string(), percent(Some(line.share_pct)), line.refunded.to_string()];
        out.row(l(Label::Reason(line.reason)), &cells);
    }

    let money = &report.money;
    out.title(l(Label::Money));
    out.row(l(Label::Refunded), &[money.refunded.to_string()]);
    out.row(l(Label::PartialRefunds), &[money.partial_refunds.to_string()]);
    out.row(l(Label::CashBack), &[money.cash_back.to_string()]);
    out.row(l(Label::Coupons), &[money.retention_coupons.to_string()]);

    out.title(l(Label::Policy));
    let verdicts = [Verdict::Approved, Verdict::NeedsReview, Verdict::NotEligible];
    out.head(&verdicts.map(|verdict| l(Label::Verdict(verdict))));
    for line in &report.policy.rules {
        let cells = [line.approved, line.needs_review, line.not_eligible].map(|n| n.to_string());
        out.row(line.rule.code(), &cells);
    }
    out.sub(l(Label::RulesVersions));
    for (version, n) in &report.policy.rules_versions {
        out.row(version.clone(), &[n.to_string()]);
    }

    let retention = &report.retention;
    out.title(l(Label::Retention));
    out.head(&[l(Label::Made), l(Label::Accepted), l(Label::Declined)]);
    for line in &retention.offers {
        out.row(line.offer_id.clone(), &[line.made, line.accepted, line.declined].map(|n| n.to_string()));
    }
    out.row(l(Label::CasesKept), &[retention.cases_kept.to_string()]);
    out.row(l(Label::KeptValue), &[retention.not_refunded.to_string()]);

    let survey = &report.satisfaction;
    out.title(l(Label::Satisfaction));
    out.row(l(Label::Sent), &[survey.sent.to_string()]);
    out.row(l(Label::Answered), &[survey.answered.to_string()]);
    out.row(l(Label::AnswerRate), &[percent(survey.answer_rate_pct)]);
    out.row(l(Label::Average), &[survey.average.map_or_else(|| "–".to_owned(), |avg| format!("{avg:.2}"))]);
    let scores: Vec<String> = (1..=5).zip(survey.distribution).map(|(score, n)| format!("{score}: {n}")).collect();
    out.line(format!("{}{}", pad(&format!("  {}", l(Label::Distribution)), LABEL), scores.join("   ")));
    out.sub(l(Label::LowScores));
    if survey.low_scores.is_empty() {
        out.line(format!("  {}", l(Label::Nothing)));
    }
    for low in &survey.low_scores {
        let comment = low.comment.as_deref().map(|text| clip(text, 60)).unwrap_or_default();
        out.line(format!("  {} · {} · {comment}", low.case, low.score).trim_end().to_owned());
    }
    out.text
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |rate| format!("{rate:.2}%"))
}

fn clip(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// Columns the table fits in.
pub const WIDTH: usize = 100;
/// Columns for a row's label, and for each figure after it.
const LABEL: usize = 40;
const CELL: usize = 16;

/// Text being laid out: titles, labels padded to their column, figures
/// right-aligned in theirs. Widths count a CJK character as two columns.
#[derive(Default)]
struct Table {
    text: String,
}

impl Table {
    fn line(&mut self, line: String) {
        self.text.push_str(&line);
        self.text.push('\n');
    }

    fn title(&mut self, title: String) {
        self.line(String::new());
        self.line(format!("== {title} =="));
    }

    fn sub(&mut self, name: String) {
        self.line(format!("{name}:"));
    }

    fn head(&mut self, cells: &[String]) {
        self.row(String::new(), cells);
    }

    fn row(&mut self, name: String, cells: &[String]) {
        let name = fit(&format!("  {name}"), LABEL);
        let mut line = pad(&name, LABEL);
        for cell in cells {
            let cell = fit(cell, CELL - 1);
            line.push_str(&" ".repeat(CELL - width(&cell)));
            line.push_str(&cell);
        }
        self.line(line.trim_end().to_owned());
    }
}

/// `text` cut to at most `columns` columns.
fn fit(text: &str, columns: usize) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if width(&out) + char_width(ch) > columns {
            break;
        }
        out.push(ch);
    }
    out
}

fn pad(text: &str, columns: usize) -> String {
    format!("{text}{}", " ".repeat(columns.saturating_sub(width(text))))
}

fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// Columns a character takes in a terminal: two for CJK and full-width forms.
fn char_width(ch: char) -> usize {
    match u32::from(ch) {
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests;
