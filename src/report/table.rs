//! The report as aligned text in the catalogue's words, within [`WIDTH`]
//! columns.

use super::{AgentLine, CarrierLine, Days, Durations, RateLine, Report, Times};
use crate::catalogue::report::{Label, label};
use crate::lang::Lang;
use crate::policy::Verdict;

/// The report as aligned text within [`WIDTH`] columns, in `lang`; times in
/// `zone`.
pub fn table(report: &Report, lang: Lang, zone: chrono_tz::Tz) -> String {
    let mut out = Table { lang, text: String::new() };
    let (first_day, last_day) = report.period.first_and_last_day(zone);
    out.line(format!("{} · {} {first_day} – {last_day}", out.l(Label::Title), out.l(Label::Period)));
    let sections: [fn(&mut Table, &Report); 10] =
        [volume, return_rate, reasons, money, policy, retention, logistics, responsibility, agents, satisfaction];
    for section in sections {
        section(&mut out, report);
    }
    out.text
}

fn volume(out: &mut Table, report: &Report) {
    let volume = &report.volume;
    out.title(Label::Volume);
    out.row(out.l(Label::Opened), &[volume.opened.to_string()]);
    out.row(out.l(Label::Closed), &[volume.closed.to_string()]);
    out.row(out.l(Label::OpenAtEnd), &[volume.open_at_end.to_string()]);
    out.sub(Label::ByOutcome);
    for (outcome, n) in &volume.by_outcome {
        out.row(out.l(Label::Outcome(*outcome)), &[n.to_string()]);
    }
    out.sub(Label::ByStatus);
    for (status, n) in &volume.by_status {
        out.row(out.l(Label::Status(*status)), &[n.to_string()]);
    }
}

fn return_rate(out: &mut Table, report: &Report) {
    let rate = &report.return_rate;
    out.title(Label::ReturnRate);
    out.head(&[Label::Cases, Label::Delivered, Label::Rate]);
    let rate_row = |out: &mut Table, name: String, line: &RateLine| {
        out.row(name, &[line.cases.to_string(), line.delivered.to_string(), percent(line.rate_pct)]);
    };
    rate_row(out, out.l(Label::Overall), &rate.overall);
    out.sub(Label::ByCategory);
    for line in &rate.by_category {
        rate_row(out, line.key.clone(), line);
    }
    out.sub(Label::TopSkus);
    for line in &rate.top_skus {
        rate_row(out, line.key.clone(), line);
    }
}

fn reasons(out: &mut Table, report: &Report) {
    out.title(Label::Reasons);
    out.head(&[Label::Cases, Label::Share, Label::Refunded]);
    for line in &report.reasons {
        let cells = [line.cases.to_string(), percent(Some(line.share_pct)), line.refunded.to_string()];
        out.row(out.l(Label::Reason(line.reason)), &cells);
    }
    out.sub(Label::ByCategory);
    for category in &report.reasons_by_category {
        out.row(category.category.clone(), &[category.cases.to_string()]);
        for line in &category.reasons {
            let name = format!("  {}", out.l(Label::Reason(line.reason)));
            out.row(name, &[line.cases.to_string(), percent(Some(line.share_pct))]);
        }
    }
}

fn money(out: &mut Table, report: &Report) {
    let money = &report.money;
    out.title(Label::Money);
    out.row(out.l(Label::Refunded), &[money.refunded.to_string()]);
    out.row(out.l(Label::PartialRefunds), &[money.partial_refunds.to_string()]);
    out.row(out.l(Label::CashBack), &[money.cash_back.to_string()]);
    out.row(out.l(Label::Coupons), &[money.retention_coupons.to_string()]);
    out.sub(Label::ReturnShipping);
    out.head(&[Label::Parcels, Label::FreightInsurance, Label::ShippingCashBack]);
    for line in &money.return_shipping {
        let cells = [line.parcels, line.freight_insurance, line.cash_back].map(|n| n.to_string());
        out.row(out.l(Label::Payer(line.payer)), &cells);
    }
}

fn policy(out: &mut Table, report: &Report) {
    out.title(Label::Policy);
    out.head(&[Verdict::Approved, Verdict::NeedsReview, Verdict::NotEligible].map(Label::Verdict));
    for line in &report.policy.rules {
        let cells = [line.approved, line.needs_review, line.not_eligible].map(|n| n.to_string());
        out.row(line.rule.code(), &cells);
    }
    out.sub(Label::RulesVersions);
    for (version, n) in &report.policy.rules_versions {
        out.row(version.clone(), &[n.to_string()]);
    }
}

fn retention(out: &mut Table, report: &Report) {
    let retention = &report.retention;
    out.title(Label::Retention);
    out.head(&[Label::Made, Label::Accepted, Label::Declined]);
    for line in &retention.offers {
        out.row(line.offer_id.clone(), &[line.made, line.accepted, line.declined].map(|n| n.to_string()));
    }
    out.row(out.l(Label::CasesKept), &[retention.cases_kept.to_string()]);
    out.row(out.l(Label::KeptValue), &[retention.not_refunded.to_string()]);
}

fn logistics(out: &mut Table, report: &Report) {
    let logistics = &report.logistics;
    out.title(Label::Logistics);
    let lines = || std::iter::once(&logistics.overall).chain(&logistics.carriers);
    let name = |out: &Table, line: &CarrierLine| match line.carrier.as_str() {
        "" => out.l(Label::Overall),
        carrier => carrier.to_owned(),
    };
    out.sub(Label::ReturnParcels);
    out.head(&[Label::ParcelsSent, Label::DaysToTracking, Label::DaysInTransit]);
    for line in lines() {
        out.row(name(out, line), &[line.sent.to_string(), days(&line.to_tracking), days(&line.in_transit)]);
    }
    out.sub(Label::Alerts);
    out.head(&[Label::NoScanAlerts, Label::Exceptions]);
    for line in lines() {
        out.row(name(out, line), &[line.no_scan_alerts.to_string(), line.exceptions.to_string()]);
    }
    out.sub(Label::DeliveryProblems);
    if logistics.delivery_problems.is_empty() {
        out.line(format!("  {}", out.l(Label::Nothing)));
    }
    for line in &logistics.delivery_problems {
        let carrier = if line.carrier.is_empty() { out.l(Label::Unknown) } else { line.carrier.clone() };
        out.row(carrier, &[line.cases.to_string()]);
        for (reason, n) in line.by_reason.iter().filter(|(_, n)| *n > 0) {
            out.row(format!("  {}", out.l(Label::Reason(*reason))), &[n.to_string()]);
        }
    }
}

/// Average and median days, or a dash when nothing was measured.
pub(super) fn days(days: &Days) -> String {
    match (days.average, days.median) {
        (Some(average), Some(median)) => format!("{average:.2} / {median:.2}"),
        _ => "–".to_owned(),
    }
}

fn responsibility(out: &mut Table, report: &Report) {
    let responsibility = &report.responsibility;
    out.title(Label::Responsibility);
    out.head(&[Label::Cases, Label::Paid]);
    for line in &responsibility.codes {
        out.row(out.l(Label::Code(line.code)), &[line.cases.to_string(), line.paid.to_string()]);
    }
    out.row(out.l(Label::NotSet), &[responsibility.unset.to_string()]);
}

fn agents(out: &mut Table, report: &Report) {
    let section = &report.agents;
    out.title(Label::Agents);
    let lines = || std::iter::once(&section.overall).chain(&section.agents);
    let name =
        |out: &Table, line: &AgentLine| line.agent.as_ref().map_or_else(|| out.l(Label::Overall), |a| a.name.clone());
    out.head(&[Label::Handled, Label::SlaPings, Label::Csat]);
    for line in lines() {
        let csat =
            line.csat_average.map_or_else(|| "–".to_owned(), |average| format!("{average:.2} ({})", line.csat_count));
        out.row(name(out, line), &[line.cases_handled.to_string(), line.sla_pings.to_string(), csat]);
    }
    let blocks: [(Label, Label, TimesOf); 2] = [
        (Label::FirstResponseTimes, Label::FirstResponseBuckets, |line| &line.first_response),
        (Label::ResolutionTimes, Label::ResolutionBuckets, |line| &line.resolution),
    ];
    for (times, buckets, of) in blocks {
        out.sub(times);
        out.head(&[Label::WallClock, Label::WorkingHours]);
        for line in lines() {
            let times = of(line);
            out.row(name(out, line), &[median_p90(&times.wall_clock), median_p90(&times.working_hours)]);
        }
        out.sub(buckets);
        out.head(&[Label::WallClock, Label::WorkingHours]);
        for line in lines() {
            let times = of(line);
            let spread = |durations: &Durations| durations.buckets.map(|n| n.to_string()).join("/");
            out.row(name(out, line), &[spread(&times.wall_clock), spread(&times.working_hours)]);
        }
    }
    out.sub(Label::MostSatisfying);
    match &section.most_satisfying {
        Some(star) => out.row(star.agent.name.clone(), &[format!("{:.2} ({})", star.csat_average, star.csat_count)]),
        None => out.line(format!("  {}", out.l(Label::Nothing))),
    }
    out.row(out.l(Label::MinRatings), &[section.min_ratings.to_string()]);
}

/// Which times of an agent's line a block shows.
type TimesOf = fn(&AgentLine) -> &Times;

/// "median / p90" in hours, or a dash when nothing was measured.
pub(super) fn median_p90(durations: &Durations) -> String {
    match (durations.median_hours, durations.p90_hours) {
        (Some(median), Some(p90)) => format!("{median:.2} / {p90:.2}"),
        _ => "–".to_owned(),
    }
}

fn satisfaction(out: &mut Table, report: &Report) {
    let survey = &report.satisfaction;
    out.title(Label::Satisfaction);
    out.row(out.l(Label::Sent), &[survey.sent.to_string()]);
    out.row(out.l(Label::Answered), &[survey.answered.to_string()]);
    out.row(out.l(Label::AnswerRate), &[percent(survey.answer_rate_pct)]);
    out.row(out.l(Label::Average), &[decimal(survey.average)]);
    let scores: Vec<String> = (1..=5).zip(survey.distribution).map(|(score, n)| format!("{score}: {n}")).collect();
    out.line(format!("{}{}", pad(&format!("  {}", out.l(Label::Distribution)), LABEL), scores.join("   ")));
    out.sub(Label::LowScores);
    if survey.low_scores.is_empty() {
        out.line(format!("  {}", out.l(Label::Nothing)));
    }
    for low in &survey.low_scores {
        let comment = low.comment.as_deref().map(|text| clip(text, 60)).unwrap_or_default();
        out.line(format!("  {} · {} · {comment}", low.case, low.score).trim_end().to_owned());
    }
}

/// A figure to two decimals; a dash for none.
fn decimal(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |value| format!("{value:.2}"))
}

pub(super) fn percent(rate: Option<f64>) -> String {
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
struct Table {
    lang: Lang,
    text: String,
}

impl Table {
    fn l(&self, key: Label) -> String {
        label(self.lang, key)
    }

    fn line(&mut self, line: String) {
        self.text.push_str(&line);
        self.text.push('\n');
    }

    fn title(&mut self, title: Label) {
        self.line(String::new());
        self.line(format!("== {} ==", self.l(title)));
    }

    fn sub(&mut self, name: Label) {
        self.line(format!("{}:", self.l(name)));
    }

    fn head(&mut self, cells: &[Label]) {
        let cells: Vec<String> = cells.iter().map(|cell| self.l(*cell)).collect();
        self.row(String::new(), &cells);
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
pub(super) fn fit(text: &str, columns: usize) -> String {
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

pub(super) fn width(text: &str) -> usize {
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
