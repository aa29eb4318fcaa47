//! The satisfaction survey (满意度调查, docs/domain.md §8): once per case, some
//! time after it closes with a refund, exchange or reship; a 1–5 rating by
//! button, then an optional comment; one reminder; a low score alerts the
//! agents. The answers are stored on the case.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Context, Effect, Job, Press};
use crate::case::{CaseId, Event};
use crate::catalogue::Button;
use crate::catalogue::Msg;
use crate::policy::Outcome;

/// A case's survey, stored on the case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    pub sent_at: Option<DateTime<Utc>>,
    pub reminded: bool,
    pub score: Option<u8>,
    pub rated_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    /// The comment was given or declined: nothing more is asked.
    pub finished: bool,
}

impl Survey {
    /// Whether a text now is the comment after the rating.
    pub fn wants_comment(&self, cx: &Context<'_>) -> bool {
        !self.finished && self.rated_at.is_some_and(|at| cx.now <= at + cx.settings.survey_comment_within.chrono())
    }
}

/// Whether a case closing with `outcome` gets a survey.
pub fn wants_survey(outcome: Outcome) -> bool {
    matches!(
        outcome,
        Outcome::RefundOnly
            | Outcome::ReturnRefund
            | Outcome::Exchange
            | Outcome::Reship
            | Outcome::PartialRefund
            | Outcome::PriceProtection
            | Outcome::CashBack
    )
}

fn rating_buttons(case: &CaseId) -> Vec<Button> {
    (1..=5u8)
        .map(|score| Button {
            label: Msg::RatingButton { score },
            data: Press::Rating { case: case.clone(), score }.encode(),
        })
        .collect()
}

/// The survey's jobs: the survey itself (never twice) and its one reminder.
pub fn survey_job(case: &CaseId, survey: &Survey, job: Job, cx: &Context<'_>) -> (Survey, Vec<Effect>) {
    let mut next = survey.clone();
    let effects = match job {
        Job::Survey if survey.sent_at.is_none() => {
            next.sent_at = Some(cx.now);
            vec![
                Effect::Tell(Msg::SurveyAsk { case: case.clone() }, rating_buttons(case)),
                Effect::Event(Event::SurveySent {}),
                Effect::Schedule(Job::SurveyReminder, cx.now + cx.settings.survey_reminder.chrono()),
            ]
        }
        Job::SurveyReminder if survey.score.is_none() && !survey.reminded && survey.sent_at.is_some() => {
            next.reminded = true;
            vec![Effect::Tell(Msg::SurveyReminder { case: case.clone() }, rating_buttons(case))]
        }
        _ => Vec::new(),
    };
    (next, effects)
}

/// A rating button; `None` when the survey was not sent or is rated already.
pub fn rate(case: &CaseId, survey: &Survey, score: u8, cx: &Context<'_>) -> Option<(Survey, Vec<Effect>)> {
    if survey.sent_at.is_none() || survey.score.is_some() || !(1..=5).contains(&score) {
        return None;
    }
    let next = Survey { score: Some(score), rated_at: Some(cx.now), ..survey.clone() };
    let skip = Button { label: Msg::NoCommentButton, data: Press::NoComment { case: case.clone() }.encode() };
    let low = score <= cx.settings.low_score;
    // A low score is not thanked: it is apologised for, with a person on offer.
    let asked = match low {
        true => {
            let person = Button { label: Msg::MenuAgent, data: Press::Person { case: case.clone() }.encode() };
            Effect::Tell(Msg::SurveySorry { score }, vec![person, skip])
        }
        false => Effect::Tell(Msg::SurveyAskComment { score }, vec![skip]),
    };
    let mut effects = vec![Effect::Cancel(Job::SurveyReminder), Effect::Event(Event::SurveyRated { score }), asked];
    if low {
        effects.push(Effect::Alert(Msg::AlertLowScore { case: case.clone(), score }));
    }
    Some((next, effects))
}

/// The comment after the rating (`None`: declined with the button); `None`
/// back when no comment is expected.
pub fn comment(case: &CaseId, survey: &Survey, text: Option<&str>, cx: &Context<'_>) -> Option<(Survey, Vec<Effect>)> {
    if !survey.wants_comment(cx) {
        return None;
    }
    let comment = text.map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned);
    let mut effects = vec![Effect::Tell(Msg::SurveyThanks, vec![])];
    if let Some(comment) = &comment {
        effects.insert(0, Effect::Event(Event::SurveyComment { comment: comment.clone() }));
        if survey.score.is_some_and(|score| score <= cx.settings.low_score) {
            effects.push(Effect::Alert(Msg::AlertSurveyComment { case: case.clone(), comment: comment.clone() }));
        }
    }
    Some((Survey { comment, finished: true, ..survey.clone() }, effects))
}
