//! The report as CSV: one table per section, for spreadsheets and other
//! programs. Headers are English snake_case; values are the JSON form's
//! (codes, counts, percentages), except money: major units with a
//! `currency` column. Pure: the tables are built in memory.

use super::{AgentLine, CarrierLine, Days, RateLine, Report};
use crate::money::Money;

/// One section as a table: its name (the JSON key, the file's stem), the
/// header row and the rows under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    pub name: &'static str,
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    /// The table as CSV text, header first.
    pub fn to_csv(&self) -> Result<String, ::csv::Error> {
        write(self.header, &self.rows)
    }
}

/// `header` and `rows` as CSV text (quoted where a cell needs it).
pub fn write<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> Result<String, ::csv::Error> {
    let mut out = ::csv::Writer::from_writer(Vec::new());
    out.write_record(header)?;
    for row in rows {
        out.write_record(row.as_ref())?;
    }
    let bytes = out.into_inner().map_err(|error| ::csv::Error::from(error.into_error()))?;
    // Every cell written was a `String`, so the bytes are UTF-8.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The report's sections as tables, in the order of the JSON keys (money's
/// return shipping a table of its own, after money).
pub fn sheets(report: &Report) -> Vec<Sheet> {
    vec![
        volume(report),
        return_rate(report),
        reasons(report),
        reasons_by_category(report),
        money(report),
        return_shipping(report),
        policy(report),
        retention(report),
        logistics(report),
        delivery_problems(report),
        responsibility(report),
        agents(report),
        agent_times(report),
        satisfaction(report),
    ]
}

fn row<const N: usize>(cells: [String; N]) -> Vec<String> {
    cells.into()
}

/// A number as JSON writes it (`33.33`, `100.0`); empty for none.
fn number(value: Option<f64>) -> String {
    value.and_then(serde_json::Number::from_f64).map(|n| n.to_string()).unwrap_or_default()
}

fn amount(money: Money) -> [String; 2] {
    [money.major(), money.currency.to_string()]
}

fn volume(report: &Report) -> Sheet {
    let volume = &report.volume;
    let mut rows = vec![
        row(["opened".into(), String::new(), volume.opened.to_string()]),
        row(["closed".into(), String::new(), volume.closed.to_string()]),
        row(["open_at_end".into(), String::new(), volume.open_at_end.to_string()]),
    ];
    rows.extend(
        volume.by_outcome.iter().map(|(outcome, n)| row(["by_outcome".into(), outcome.code().into(), n.to_string()])),
    );
    rows.extend(
        volume.by_status.iter().map(|(status, n)| row(["by_status".into(), status.code().into(), n.to_string()])),
    );
    rows.extend(
        volume.opened_per_day.iter().map(|day| row(["opened_on".into(), day.day.to_string(), day.cases.to_string()])),
    );
    Sheet { name: "volume", header: &["figure", "key", "cases"], rows }
}

fn return_rate(report: &Report) -> Sheet {
    let rate = &report.return_rate;
    let line = |figure: &str, line: &RateLine| {
        row([
            figure.into(),
            line.key.clone(),
            line.cases.to_string(),
            line.delivered.to_string(),
            number(line.rate_pct),
        ])
    };
    let mut rows = vec![line("overall", &rate.overall)];
    rows.extend(rate.by_category.iter().map(|l| line("category", l)));
    rows.extend(rate.top_skus.iter().map(|l| line("sku", l)));
    Sheet { name: "return_rate", header: &["figure", "key", "cases", "delivered", "rate_pct"], rows }
}

fn reasons(report: &Report) -> Sheet {
    let rows = report
        .reasons
        .iter()
        .map(|line| {
            let [refunded, currency] = amount(line.refunded);
            row([line.reason.code().into(), line.cases.to_string(), number(Some(line.share_pct)), refunded, currency])
        })
        .collect();
    Sheet { name: "reasons", header: &["reason", "cases", "share_pct", "refunded", "currency"], rows }
}

fn reasons_by_category(report: &Report) -> Sheet {
    let rows = report
        .reasons_by_category
        .iter()
        .flat_map(|category| {
            category.reasons.iter().map(|line| {
                let share = number(Some(line.share_pct));
                row([category.category.clone(), line.reason.code().into(), line.cases.to_string(), share])
            })
        })
        .collect();
    Sheet { name: "reasons_by_category", header: &["category", "reason", "cases", "share_pct"], rows }
}

fn money(report: &Report) -> Sheet {
    let money = &report.money;
    let rows = [
        ("refunded", money.refunded),
        ("partial_refunds", money.partial_refunds),
        ("cash_back", money.cash_back),
        ("retention_coupons", money.retention_coupons),
    ]
    .into_iter()
    .map(|(figure, paid)| {
        let [paid, currency] = amount(paid);
        row([figure.into(), paid, currency])
    })
    .collect();
    Sheet { name: "money", header: &["figure", "amount", "currency"], rows }
}

/// Return parcels sent, per payer of their shipping.
fn return_shipping(report: &Report) -> Sheet {
    let rows = report
        .money
        .return_shipping
        .iter()
        .map(|line| {
            let [parcels, insured, cash_back] =
                [line.parcels, line.freight_insurance, line.cash_back].map(|n| n.to_string());
            row([line.payer.code().into(), parcels, insured, cash_back])
        })
        .collect();
    Sheet { name: "return_shipping", header: &["payer", "parcels", "freight_insurance", "cash_back"], rows }
}

/// Rules with their verdicts and the cases they decided; rules versions
/// with the cases they decided.
fn policy(report: &Report) -> Sheet {
    let policy = &report.policy;
    let mut rows: Vec<Vec<String>> = policy
        .rules
        .iter()
        .map(|line| {
            let cases = line.approved + line.needs_review + line.not_eligible;
            let counts = [line.approved, line.needs_review, line.not_eligible, cases].map(|n| n.to_string());
            let [approved, needs_review, not_eligible, cases] = counts;
            row(["rule".into(), line.rule.code(), approved, needs_review, not_eligible, cases])
        })
        .collect();
    rows.extend(policy.rules_versions.iter().map(|(version, n)| {
        row(["rules_version".into(), version.clone(), String::new(), String::new(), String::new(), n.to_string()])
    }));
    Sheet { name: "policy", header: &["figure", "key", "approved", "needs_review", "not_eligible", "cases"], rows }
}

/// Offers per id as made / accepted / declined counts; the cases kept with
/// what they would have refunded.
fn retention(report: &Report) -> Sheet {
    let retention = &report.retention;
    let mut rows = Vec::new();
    for offer in &retention.offers {
        for (figure, n) in [("made", offer.made), ("accepted", offer.accepted), ("declined", offer.declined)] {
            rows.push(row([
                format!("offers_{figure}"),
                offer.offer_id.clone(),
                n.to_string(),
                String::new(),
                String::new(),
            ]));
        }
    }
    let [kept, currency] = amount(retention.not_refunded);
    rows.push(row(["cases_kept".into(), String::new(), retention.cases_kept.to_string(), kept, currency]));
    Sheet { name: "retention", header: &["figure", "key", "count", "not_refunded", "currency"], rows }
}

/// Return parcels, all and per carrier: sent, the days to the tracking
/// number and in transit (measured, average, median), alerts.
fn logistics(report: &Report) -> Sheet {
    let logistics = &report.logistics;
    let days = |days: &Days| [days.measured.to_string(), number(days.average), number(days.median)];
    let line = |figure: &str, line: &CarrierLine| {
        let [tracking_measured, tracking_average, tracking_median] = days(&line.to_tracking);
        let [transit_measured, transit_average, transit_median] = days(&line.in_transit);
        row([
            figure.into(),
            line.carrier.clone(),
            line.sent.to_string(),
            tracking_measured,
            tracking_average,
            tracking_median,
            transit_measured,
            transit_average,
            transit_median,
            line.no_scan_alerts.to_string(),
            line.exceptions.to_string(),
        ])
    };
    let mut rows = vec![line("overall", &logistics.overall)];
    rows.extend(logistics.carriers.iter().map(|l| line("carrier", l)));
    let header = &[
        "figure",
        "carrier",
        "sent",
        "to_tracking_measured",
        "to_tracking_average_days",
        "to_tracking_median_days",
        "in_transit_measured",
        "in_transit_average_days",
        "in_transit_median_days",
        "no_scan_alerts",
        "exceptions",
    ];
    Sheet { name: "logistics", header, rows }
}

/// Delivery problems customers reported, per outbound carrier: a column
/// per problem reason.
fn delivery_problems(report: &Report) -> Sheet {
    let rows = report
        .logistics
        .delivery_problems
        .iter()
        .map(|line| {
            let mut cells = vec![line.carrier.clone()];
            cells.extend(line.by_reason.iter().map(|(_, n)| n.to_string()));
            cells.push(line.cases.to_string());
            cells
        })
        .collect();
    let header = &[
        "carrier",
        "damaged_in_transit",
        "lost_parcel",
        "missing_items",
        "wrong_item",
        "signed_not_received",
        "cases",
    ];
    Sheet { name: "delivery_problems", header, rows }
}

/// Cases closed per responsibility code with what they paid, then those
/// without a code.
fn responsibility(report: &Report) -> Sheet {
    let responsibility = &report.responsibility;
    let mut rows: Vec<Vec<String>> = responsibility
        .codes
        .iter()
        .map(|line| {
            let [paid, currency] = amount(line.paid);
            row([line.code.to_string(), line.cases.to_string(), paid, currency])
        })
        .collect();
    rows.push(row(["unset".into(), responsibility.unset.to_string(), String::new(), String::new()]));
    Sheet { name: "responsibility", header: &["code", "cases", "paid", "currency"], rows }
}

/// The overall line (no agent) and one per agent; `most_satisfying` marks
/// the agent customers were most satisfied with.
fn agents(report: &Report) -> Sheet {
    let section = &report.agents;
    let rows = agent_lines(report)
        .map(|line| {
            let [name, id] = agent(line);
            let star =
                line.agent.is_some() && section.most_satisfying.as_ref().map(|star| &star.agent) == line.agent.as_ref();
            row([
                name,
                id,
                line.cases_handled.to_string(),
                line.sla_pings.to_string(),
                number(line.csat_average),
                line.csat_count.to_string(),
                if star { "yes".into() } else { String::new() },
            ])
        })
        .collect();
    let header = &["agent", "agent_id", "cases_handled", "sla_pings", "csat_average", "csat_count", "most_satisfying"];
    Sheet { name: "agents", header, rows }
}

/// First response and resolution times, overall and per agent, on the wall
/// clock and in working hours: a row each, with the distribution.
fn agent_times(report: &Report) -> Sheet {
    let mut rows = Vec::new();
    for line in agent_lines(report) {
        let [name, id] = agent(line);
        for (measure, times) in [("first_response", &line.first_response), ("resolution", &line.resolution)] {
            for (clock, durations) in [("wall_clock", &times.wall_clock), ("working_hours", &times.working_hours)] {
                let mut cells = vec![
                    name.clone(),
                    id.clone(),
                    measure.to_owned(),
                    clock.to_owned(),
                    durations.measured.to_string(),
                    number(durations.average_hours),
                    number(durations.median_hours),
                    number(durations.p90_hours),
                ];
                cells.extend(durations.buckets.iter().map(|n| n.to_string()));
                rows.push(cells);
            }
        }
    }
    let header = &[
        "agent",
        "agent_id",
        "measure",
        "clock",
        "measured",
        "average_hours",
        "median_hours",
        "p90_hours",
        "h0_1",
        "h1_4",
        "h4_8",
        "h8_24",
        "h24_plus",
    ];
    Sheet { name: "agent_times", header, rows }
}

fn agent_lines(report: &Report) -> impl Iterator<Item = &AgentLine> {
    std::iter::once(&report.agents.overall).chain(&report.agents.agents)
}

/// The agent's name and id; empty for the overall line.
fn agent(line: &AgentLine) -> [String; 2] {
    line.agent.as_ref().map_or_else(Default::default, |agent| [agent.name.clone(), agent.id.to_string()])
}

/// The survey's figures, a row per score of the distribution and one per
/// low score with its case and comment.
fn satisfaction(report: &Report) -> Sheet {
    let survey = &report.satisfaction;
    let figure = |name: &str, value: String| row([name.into(), String::new(), value, String::new()]);
    let mut rows = vec![
        figure("sent", survey.sent.to_string()),
        figure("answered", survey.answered.to_string()),
        figure("answer_rate_pct", number(survey.answer_rate_pct)),
        figure("average", number(survey.average)),
    ];
    rows.extend(
        (1..=5)
            .zip(survey.distribution)
            .map(|(score, n)| row(["score".into(), score.to_string(), n.to_string(), String::new()])),
    );
    rows.extend(survey.low_scores.iter().map(|low| {
        row(["low_score".into(), low.case.clone(), low.score.to_string(), low.comment.clone().unwrap_or_default()])
    }));
    Sheet { name: "satisfaction", header: &["figure", "key", "value", "comment"], rows }
}
