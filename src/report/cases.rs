//! The sections about the cases themselves: volume, return rate, reasons
//! (overall and by category) and the policy's decisions.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;

use super::{CaseRow, Period, Rows, as_map, count, pct, tally};
use crate::case::CaseStatus;
use crate::money::Money;
use crate::policy::{Outcome, RuleId, Verdict};
use crate::reason::Reason;

/// The top SKUs listed.
const TOP_SKUS: usize = 10;

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

/// A category's cases opened in the period, per reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryReasons {
    pub category: String,
    pub cases: u32,
    pub reasons: Vec<CategoryReason>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryReason {
    pub reason: Reason,
    pub cases: u32,
    /// Of the category's cases.
    pub share_pct: f64,
}

pub(super) fn volume(period: Period, zone: Tz, rows: &Rows, opened: &[&CaseRow]) -> Volume {
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

pub(super) fn return_rate(rows: &Rows, opened: &[&CaseRow]) -> ReturnRate {
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

pub(super) fn reasons(opened: &[&CaseRow], money: impl Fn(i64) -> Money) -> Vec<ReasonLine> {
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

pub(super) fn policy(opened: &[&CaseRow]) -> PolicySection {
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

/// Per category (most cases first, ties by name), the cases per reason
/// (most first, ties in the taxonomy's order).
pub(super) fn reasons_by_category(opened: &[&CaseRow]) -> Vec<CategoryReasons> {
    let mut categories: BTreeMap<&str, Vec<Reason>> = BTreeMap::new();
    for case in opened {
        categories.entry(&case.category).or_default().push(case.reason);
    }
    let mut lines: Vec<CategoryReasons> = categories
        .into_iter()
        .map(|(category, reasons)| {
            let cases = count(reasons.len());
            let mut reasons: Vec<CategoryReason> = tally(&Reason::ALL, reasons.into_iter())
                .into_iter()
                .map(|(reason, n)| CategoryReason { reason, cases: n, share_pct: pct(n, cases).unwrap_or(0.0) })
                .collect();
            reasons.sort_by_key(|line| std::cmp::Reverse(line.cases));
            CategoryReasons { category: category.to_owned(), cases, reasons }
        })
        .collect();
    lines.sort_by_key(|line| std::cmp::Reverse(line.cases));
    lines
}
