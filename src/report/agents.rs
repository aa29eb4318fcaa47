//! The agents' section: per agent and overall, the cases handled, first
//! response and resolution times (wall clock and working hours), service-
//! level pings, CSAT, and the agent customers were most satisfied with.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::{AgentId, CaseRow, EscalationRow, Period, Rows, Setup, count, median, round2};

/// Bucket bounds in hours: 0–1, 1–4, 4–8, 8–24 and 24 or more.
const BUCKETS: [i64; 4] = [1, 4, 8, 24];

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentsSection {
    pub overall: AgentLine,
    /// Most cases handled first, ties by name.
    pub agents: Vec<AgentLine>,
    /// The best CSAT average among agents with at least `min_ratings`
    /// ratings (ties: more ratings, then the name); none if nobody has.
    pub most_satisfying: Option<Star>,
    pub min_ratings: u32,
}

/// One agent's figures (the overall line has no agent and counts the
/// hand-overs nobody took too).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentLine {
    pub agent: Option<AgentId>,
    /// Cases (or customers without one) whose hand-over the agent first
    /// answered or resolved in the period.
    pub cases_handled: u32,
    /// From the hand-over to the first agent's claim, answer or decision,
    /// for those answered in the period.
    pub first_response: Times,
    /// From the hand-over to its close (or hand-back to the bot), for those
    /// resolved in the period.
    pub resolution: Times,
    /// Service-level pings sent on hand-overs opened in the period.
    pub sla_pings: u32,
    /// Survey scores of the agent's cases surveyed in the period.
    pub csat_average: Option<f64>,
    pub csat_count: u32,
}

/// Durations measured on the wall clock and in working hours.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Times {
    pub wall_clock: Durations,
    pub working_hours: Durations,
}

/// Durations in hours: how many, average, median, 90th percentile, and how
/// many fell in 0–1 h, 1–4 h, 4–8 h, 8–24 h and 24 h or more.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Durations {
    pub measured: u32,
    pub average_hours: Option<f64>,
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    pub buckets: [u32; 5],
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Star {
    pub agent: AgentId,
    pub csat_average: f64,
    pub csat_count: u32,
}

pub(super) fn agents(period: Period, rows: &Rows, setup: &Setup<'_>) -> AgentsSection {
    let all: Vec<&EscalationRow> = rows.escalations.iter().collect();
    let surveyed: Vec<&CaseRow> = rows
        .cases
        .iter()
        .filter(|case| case.survey_sent_at.is_some_and(|at| period.contains(at)) && case.survey_score.is_some())
        .collect();
    let mut escalations: BTreeMap<&AgentId, Vec<&EscalationRow>> = BTreeMap::new();
    for escalation in &rows.escalations {
        if let Some(agent) = &escalation.agent {
            escalations.entry(agent).or_default().push(escalation);
        }
    }
    let agents: BTreeSet<&AgentId> =
        escalations.keys().copied().chain(surveyed.iter().filter_map(|case| case.agent.as_ref())).collect();
    let mut lines: Vec<AgentLine> = agents
        .into_iter()
        .map(|agent| {
            let theirs = escalations.get(agent).map(Vec::as_slice).unwrap_or_default();
            let scores = surveyed.iter().filter(|case| case.agent.as_ref() == Some(agent));
            line(Some(agent), period, theirs, scores, setup)
        })
        .filter(|line| line.cases_handled + line.csat_count > 0)
        .collect();
    lines.sort_by_key(|line| std::cmp::Reverse(line.cases_handled));
    let min_ratings = setup.settings.min_ratings;
    let most_satisfying = lines
        .iter()
        .filter(|line| line.csat_count >= min_ratings)
        .filter_map(|line| {
            Some(Star { agent: line.agent.clone()?, csat_average: line.csat_average?, csat_count: line.csat_count })
        })
        .min_by(|a, b| {
            b.csat_average
                .total_cmp(&a.csat_average)
                .then_with(|| b.csat_count.cmp(&a.csat_count))
                .then_with(|| a.agent.name.cmp(&b.agent.name))
        });
    AgentsSection {
        overall: line(None, period, &all, surveyed.iter(), setup),
        agents: lines,
        most_satisfying,
        min_ratings,
    }
}

fn line<'a>(
    agent: Option<&AgentId>,
    period: Period,
    escalations: &[&EscalationRow],
    scores: impl Iterator<Item = &'a &'a CaseRow>,
    setup: &Setup<'_>,
) -> AgentLine {
    let within = |at: Option<DateTime<Utc>>| at.is_some_and(|at| period.contains(at));
    let responded: Vec<(DateTime<Utc>, DateTime<Utc>)> = escalations
        .iter()
        .filter(|escalation| within(escalation.responded_at))
        .filter_map(|escalation| Some((escalation.opened_at, escalation.responded_at?)))
        .collect();
    let resolved: Vec<(DateTime<Utc>, DateTime<Utc>)> = escalations
        .iter()
        .filter(|escalation| within(escalation.resolved_at))
        .filter_map(|escalation| Some((escalation.opened_at, escalation.resolved_at?)))
        .collect();
    let handled: BTreeSet<&str> = escalations
        .iter()
        .filter(|escalation| within(escalation.responded_at) || within(escalation.resolved_at))
        .map(|escalation| escalation.topic.as_str())
        .collect();
    let scores: Vec<u8> = scores.filter_map(|case| case.survey_score).collect();
    let total: u32 = scores.iter().map(|score| u32::from(*score)).sum();
    AgentLine {
        agent: agent.cloned(),
        cases_handled: count(handled.len()),
        first_response: times(&responded, setup),
        resolution: times(&resolved, setup),
        sla_pings: escalations.iter().filter(|escalation| period.contains(escalation.opened_at)).map(|e| e.pings).sum(),
        csat_average: (!scores.is_empty()).then(|| round2(f64::from(total) / scores.len() as f64)),
        csat_count: count(scores.len()),
    }
}

fn times(spans: &[(DateTime<Utc>, DateTime<Utc>)], setup: &Setup<'_>) -> Times {
    let wall = spans.iter().map(|(from, to)| *to - *from);
    let working = spans.iter().map(|(from, to)| setup.calendar.working_time(*from, *to, setup.zone));
    Times { wall_clock: durations(wall), working_hours: durations(working) }
}

pub(super) fn durations(spans: impl Iterator<Item = TimeDelta>) -> Durations {
    // A clock set back can put a step before the one it follows: not a duration.
    let spans: Vec<TimeDelta> = spans.filter(|span| *span >= TimeDelta::zero()).collect();
    let mut buckets = [0u32; 5];
    for span in &spans {
        buckets[BUCKETS.iter().take_while(|hours| *span >= TimeDelta::hours(**hours)).count()] += 1;
    }
    let mut hours: Vec<f64> = spans.iter().map(|span| span.as_seconds_f64() / 3600.0).collect();
    hours.sort_by(f64::total_cmp);
    // Nearest rank: the smallest value with at least 90% at or below it.
    let p90 = (hours.len() * 9).div_ceil(10).checked_sub(1).and_then(|at| hours.get(at)).copied();
    Durations {
        measured: count(hours.len()),
        average_hours: (!hours.is_empty()).then(|| round2(hours.iter().sum::<f64>() / hours.len() as f64)),
        median_hours: median(&hours).map(round2),
        p90_hours: p90.map(round2),
        buckets,
    }
}
