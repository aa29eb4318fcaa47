//! Follow-ups that run themselves (docs/domain.md §2, §6, §8): the return
//! parcel from approval to refund, daily progress on cases waiting on the
//! shop, and the satisfaction survey. Pure: the shell brings the state, the
//! event and the time, and carries out the effects.

use chrono::{DateTime, Utc};
use serde::Deserialize;

pub mod carrier;
mod returns;
mod survey;
#[cfg(test)]
mod tests;
pub mod timing;

use std::time::Duration;

use crate::case::{CaseId, Event, Waiting};
use crate::catalogue::Button;
use crate::catalogue::Msg;
use crate::escalation::Why;
use crate::money::Money;
use crate::parcel::ReturnAddress;
use crate::setting::Span;

pub use carrier::Carrier;
pub use returns::{
    ParcelText, Refund, Return, Stage, confirm, inspected, on_job, on_scans, parcel_text, refunded, replace, start,
    tracking_text,
};
pub use survey::{Survey, comment, rate, survey_job, wants_survey};
use timing::{LocalTime, QuietHours};

/// `[followup]`: every delay of the follow-ups, and the return address.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where customers send returns, as printed on the parcel.
    pub return_address: String,
    pub return_recipient: String,
    pub return_phone: String,
    /// No tracking number this long after approval: the customer is nudged once…
    pub tracking_wait: Span,
    /// …and this long after the nudge, the case goes to a person.
    pub tracking_escalate: Span,
    /// A parcel with no new scan for this long opens a "no tracking update" follow-up.
    pub no_scan: Span,
    /// The refund reaches the customer within this many working days after it is issued.
    pub refund_arrival_working_days: u32,
    /// Cases waiting on the shop get a progress message daily at this local time…
    pub progress_at: LocalTime,
    /// …and no follow-up reaches a customer in these local hours.
    pub quiet_hours: QuietHours,
    /// The satisfaction survey, this long after a case closes with a refund, exchange or reship.
    pub survey_after: Span,
    /// One reminder, this long after an unanswered survey.
    pub survey_reminder: Span,
    /// A text within this time after the rating is taken as the comment.
    pub survey_comment_within: Span,
    /// Ratings at or below this alert the agents' group.
    pub low_score: u8,
    /// A failing job (a tracking poll, a refund call) retries after
    /// `retry_first`, doubling up to `retry_max`.
    pub retry_first: Span,
    pub retry_max: Span,
    /// Tracking number patterns, tried in order; listing any replaces the defaults.
    pub carriers: Vec<Carrier>,
}

impl Default for Settings {
    fn default() -> Self {
        let hours = |h: u64| Span(Duration::from_secs(h * 3600));
        Settings {
            return_address: String::new(),
            return_recipient: String::new(),
            return_phone: String::new(),
            tracking_wait: hours(48),
            tracking_escalate: hours(24),
            no_scan: hours(24),
            refund_arrival_working_days: 5,
            progress_at: LocalTime(chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default()),
            quiet_hours: QuietHours(
                chrono::NaiveTime::from_hms_opt(21, 0, 0).zip(chrono::NaiveTime::from_hms_opt(9, 0, 0)),
            ),
            survey_after: hours(24),
            survey_reminder: hours(24),
            survey_comment_within: hours(24),
            low_score: 2,
            retry_first: Span(Duration::from_secs(60)),
            retry_max: hours(1),
            carriers: carrier::defaults(),
        }
    }
}

impl Settings {
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !(1..=5).contains(&self.low_score) {
            problems.push("followup.low_score: must be 1 to 5".to_owned());
        }
        if self.retry_first.0.is_zero() || self.retry_max.0 < self.retry_first.0 {
            problems.push("followup.retry_first, retry_max: retry_first must be above 0 and at most retry_max".into());
        }
        let mut codes: Vec<&str> = self.carriers.iter().map(|carrier| carrier.code.as_str()).collect();
        codes.sort_unstable();
        if codes.windows(2).any(|pair| pair[0] == pair[1]) || codes.contains(&carrier::OTHER) {
            problems.push(format!("followup.carriers: codes must differ and not be {:?}", carrier::OTHER));
        }
        problems
    }

    /// The return address as the customer reads it.
    pub fn address(&self) -> ReturnAddress {
        ReturnAddress {
            address: self.return_address.clone(),
            recipient: self.return_recipient.clone(),
            phone: self.return_phone.clone(),
        }
    }
}

/// A follow-up job on a case. Stored as a row keyed `<kind>:<case>`, so a
/// case has at most one of each pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Job {
    /// Remind a customer who has not sent the return tracking number.
    TrackingNudge,
    /// Still no tracking number after the nudge: a person takes over.
    TrackingEscalate,
    /// Ask the tracking provider for new scans.
    Poll,
    /// No new scan for `no_scan`.
    NoScan,
    /// The promised refund time after the parcel's arrival has passed.
    RefundDue,
    /// Issue the refund through the shop's refund system.
    IssueRefund,
    /// The daily progress message.
    Progress,
    Survey,
    SurveyReminder,
}

impl Job {
    pub const ALL: [Job; 9] = [
        Job::TrackingNudge,
        Job::TrackingEscalate,
        Job::Poll,
        Job::NoScan,
        Job::RefundDue,
        Job::IssueRefund,
        Job::Progress,
        Job::Survey,
        Job::SurveyReminder,
    ];

    pub fn kind(self) -> &'static str {
        match self {
            Job::TrackingNudge => "tracking_nudge",
            Job::TrackingEscalate => "tracking_escalate",
            Job::Poll => "tracking_poll",
            Job::NoScan => "no_scan",
            Job::RefundDue => "refund_due",
            Job::IssueRefund => "issue_refund",
            Job::Progress => "progress",
            Job::Survey => "survey",
            Job::SurveyReminder => "survey_reminder",
        }
    }

    pub fn from_kind(kind: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|job| job.kind() == kind)
    }

    /// The job's key in the store.
    pub fn key(self, case: &CaseId) -> String {
        format!("{}:{}", self.kind(), case.as_str())
    }

    /// Jobs that message the customer wait for the end of quiet hours.
    pub fn reaches_customer(self) -> bool {
        matches!(self, Job::TrackingNudge | Job::NoScan | Job::Progress | Job::Survey | Job::SurveyReminder)
    }
}

/// What the follow-ups ask the shell to do, all on one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Tell the case's customer, in their language, with buttons in one row.
    Tell(Msg, Vec<Button>),
    /// Ask the customer to choose: one button a row (long labels).
    Choose(Msg, Vec<Button>),
    /// Post in the agents' group, where everyone sees it.
    Alert(Msg),
    /// Hand the case to a person.
    Escalate(Why),
    /// Run `job` at this time (replacing a pending one).
    Schedule(Job, DateTime<Utc>),
    Cancel(Job),
    /// A timeline event on the case, by the bot.
    Event(Event),
    /// Issue this refund (through the webhook, or by an agent's hand).
    IssueRefund(Money),
    /// The case is done; `refunded` is the money paid back on it.
    Close {
        refunded: Option<Money>,
    },
}

/// What a button under a follow-up message means. Data: `f:<what>:<case>[:n]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Press {
    /// The proposed tracking number is right (or not).
    Tracking {
        case: CaseId,
        right: bool,
    },
    /// Replace the saved tracking number with the proposed one (or keep it).
    Replace {
        case: CaseId,
        right: bool,
    },
    /// The typed tracking number is for this case (the answer to "which
    /// request is this parcel for?"); the number rides along, so an old
    /// question still means what it asked.
    ForCase {
        case: CaseId,
        number: String,
    },
    Rating {
        case: CaseId,
        score: u8,
    },
    /// No comment after the rating.
    NoComment {
        case: CaseId,
    },
    /// The customer wants a person to follow up (after a low rating, or
    /// a parcel that arrived before its number could be changed).
    Person {
        case: CaseId,
    },
}

impl Press {
    pub fn encode(&self) -> String {
        match self {
            Press::Tracking { case, right } => format!("f:t:{}:{}", case.as_str(), u8::from(*right)),
            Press::Replace { case, right } => format!("f:s:{}:{}", case.as_str(), u8::from(*right)),
            Press::ForCase { case, number } => format!("f:n:{}:{number}", case.as_str()),
            Press::Rating { case, score } => format!("f:r:{}:{score}", case.as_str()),
            Press::NoComment { case } => format!("f:c:{}", case.as_str()),
            Press::Person { case } => format!("f:p:{}", case.as_str()),
        }
    }

    /// `None`: not a follow-up button.
    pub fn parse(data: &str) -> Option<Press> {
        let mut parts = data.strip_prefix("f:")?.split(':');
        let (what, case) = (parts.next()?, CaseId::from_trusted(parts.next()?));
        let value = parts.next();
        match (what, value) {
            ("t", Some("1")) => Some(Press::Tracking { case, right: true }),
            ("t", Some("0")) => Some(Press::Tracking { case, right: false }),
            ("s", Some("1")) => Some(Press::Replace { case, right: true }),
            ("s", Some("0")) => Some(Press::Replace { case, right: false }),
            ("n", Some(number)) if !number.is_empty() && number.chars().all(|c| c.is_ascii_alphanumeric()) => {
                Some(Press::ForCase { case, number: number.to_owned() })
            }
            ("r", Some(score)) => match score.parse() {
                Ok(score @ 1..=5) => Some(Press::Rating { case, score }),
                _ => None,
            },
            ("c", None) => Some(Press::NoComment { case }),
            ("p", None) => Some(Press::Person { case }),
            _ => None,
        }
    }

    pub fn case(&self) -> &CaseId {
        match self {
            Press::Tracking { case, .. }
            | Press::Replace { case, .. }
            | Press::ForCase { case, .. }
            | Press::Rating { case, .. }
            | Press::NoComment { case }
            | Press::Person { case } => case,
        }
    }
}

/// What the follow-ups know besides their state: the settings, the shop's
/// calendar and zone, and the time.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub settings: &'a Settings,
    pub calendar: &'a crate::calendar::Calendar,
    pub zone: chrono_tz::Tz,
    /// The refund is issued within this many working days of the parcel's arrival.
    pub refund_working_days: u32,
    pub now: DateTime<Utc>,
}

impl Context<'_> {
    /// When a job due at `at` may run: follow-ups that message the customer
    /// wait for the end of the quiet hours.
    pub fn when(&self, job: Job, at: DateTime<Utc>) -> DateTime<Utc> {
        match job.reaches_customer() {
            true => timing::outside_quiet(at, self.zone, self.settings.quiet_hours),
            false => at,
        }
    }
}

/// The progress message for a case waiting on the shop, or `None` when it
/// waits on nobody (or on the customer) and the daily message stops.
pub fn progress(case: &CaseId, waiting: Option<Waiting>) -> Option<Effect> {
    waiting.map(|waiting| Effect::Tell(Msg::Progress { case: case.clone(), waiting }, Vec::new()))
}
