//! Surveys sent in the period and how customers answered them.

use serde::Serialize;

use super::{CaseRow, Period, Rows, count, pct};

/// Scores up to this are listed with their cases.
const LOW_SCORE: u8 = 2;

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

pub(super) fn satisfaction(period: Period, rows: &Rows) -> Satisfaction {
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
