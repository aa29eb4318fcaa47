//! The follow-ups' shell: runs due jobs, applies pushed events, the
//! customer's answers (tracking number, survey) and agents' /inspect and
//! /refunded, each in one transaction with what it causes. Calls to the
//! tracking provider and the refund system happen outside a transaction;
//! their answer is applied in one afterwards, so a crash repeats the call
//! (the refund under the same idempotency key) and never half-applies it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use super::{Desk, Txn};
use crate::agent_command::AgentCommand;
use crate::agents::{self};
use crate::case::Waiting;
use crate::case::{CaseId, CaseStatus, Event};
use crate::catalogue::{self, Msg};
use crate::escalation::Why;
use crate::followup::{self, Context, Effect, Job, ParcelText, Press, Refund, Return, Stage, timing};
use crate::outgoing::{Keyboard, Outgoing};
use crate::parcel::Inspection;
use crate::policy::Outcome;
use crate::push::{self, Accepted, PushEvent, Rejected, Target};
use crate::refunds::{RefundOutcome, RefundRequest};
use crate::store::cases::{self, CaseState};
use crate::store::customers::{self, CustomerInfo};
use crate::store::jobs::{self, Task};
use crate::store::returns::{RefundStatus, Settled};
use crate::store::{StoreError, escalations, outbox, returns};
use crate::tracker::Tracker;

/// Due jobs taken per round.
const BATCH: u32 = 200;

impl Desk {
    /// Runs the jobs due at `now`, each in its own transaction. Returns how many ran.
    pub async fn run_due_jobs(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let due = {
            let mut conn = self.store.read().await?;
            jobs::due(&mut conn, now, BATCH).await?
        };
        for job in &due {
            self.run_job(job, now).await?;
        }
        Ok(due.len())
    }

    /// When the next job comes due.
    pub async fn next_job_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut conn = self.store.read().await?;
        jobs::next_due(&mut conn).await
    }

    async fn run_job(&self, job: &jobs::Job, now: DateTime<Utc>) -> Result<(), StoreError> {
        let task = job.task();
        match &task {
            Ok(Task::Followup(Job::Poll, case)) => return self.poll(job, case, now).await,
            Ok(Task::Followup(Job::IssueRefund, case)) => return self.issue_refund(job, case, now).await,
            _ => {}
        }
        let mut tx = self.store.write().await?;
        let mut txn = Txn { desk: self, tx: &mut tx, now };
        match task {
            Ok(Task::Followup(kind, case)) => txn.followup_job(kind, &case).await?,
            Ok(Task::SlaPing(escalation)) => txn.sla_ping(escalation).await?,
            Ok(Task::MonthlyReport(month)) => txn.monthly_report(month).await?,
            Err(error) => tracing::warn!(%error, key = job.key, "unknown job; dropped"),
        }
        jobs::done(&mut tx, job).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Puts a failed job back, later each time.
    async fn retry(&self, job: &jobs::Job, error: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let settings = &self.config.followup;
        let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
        let wait = crate::backoff::exponential(attempts, settings.retry_first.0, settings.retry_max.0);
        let at = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        tracing::warn!(kind = job.kind, key = job.key, attempts = job.attempts + 1, error, %at, "job failed; retrying");
        let mut tx = self.store.write().await?;
        jobs::retry(&mut tx, job.id, error, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Asks the tracking provider for the parcel's scans.
    async fn poll(&self, job: &jobs::Job, case: &CaseId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let parcel = {
            let mut conn = self.store.read().await?;
            returns::get(&mut conn, case)
                .await?
                .and_then(|(_, ret)| ret.parcel.filter(|_| ret.stage == Stage::OnTheWay))
        };
        let scans = match (&parcel, &self.adapters.tracker) {
            (Some(parcel), Some(tracker)) => match tracker.scans(parcel).await {
                Ok(scans) => Some(scans),
                Err(error) if error.is_transient() => return self.retry(job, &error.to_string(), now).await,
                Err(error) => {
                    // Retrying soon will not help; look again at the usual interval.
                    tracing::warn!(%error, case = case.as_str(), "tracking answer unusable");
                    Some(Vec::new())
                }
            },
            _ => None,
        };
        let polled = parcel;
        let mut tx = self.store.write().await?;
        if let Some(scans) = scans {
            let mut txn = Txn { desk: self, tx: &mut tx, now };
            // Scans of a number the customer has since corrected are not this parcel's.
            if let Some((customer, ret)) = returns::get(txn.tx, case).await?.filter(|(_, ret)| ret.parcel == polled) {
                let (next, effects) = followup::on_scans(&ret, &scans, &txn.context());
                txn.save_return("bot", customer, &ret, &next, effects).await?;
                if next.stage == Stage::OnTheWay {
                    let every = self.config.tracker.poll_every.chrono();
                    txn.schedule(Job::Poll, case, now + every).await?;
                }
            }
        }
        jobs::done(&mut tx, job).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Calls the shop's refund system under the case's idempotency key.
    async fn issue_refund(&self, job: &jobs::Job, case: &CaseId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let request = {
            let mut conn = self.store.read().await?;
            let refund =
                returns::refund(&mut conn, case).await?.filter(|refund| refund.status == RefundStatus::Requested);
            let state = cases::state(&mut conn, case).await?;
            refund.zip(state).map(|(refund, state)| RefundRequest {
                key: refund.key,
                case: case.as_str().to_owned(),
                order: state.order_no.as_str().to_owned(),
                amount: refund.amount,
            })
        };
        let answer = match (&request, &self.adapters.refunds) {
            (Some(request), Some(webhook)) => match webhook.issue(request).await {
                Ok(answer) => Some(answer),
                Err(error) => return self.retry(job, &error.to_string(), now).await,
            },
            _ => None,
        };
        let mut tx = self.store.write().await?;
        if let (Some(request), Some(answer)) = (request, answer) {
            let mut txn = Txn { desk: self, tx: &mut tx, now };
            let refund = match answer {
                RefundOutcome::Issued { reference } => {
                    returns::settle_refund(txn.tx, case, Settled::Issued { reference: reference.as_deref() }, now)
                        .await?;
                    Refund::Issued { amount: request.amount, reference }
                }
                RefundOutcome::Refused(why) => {
                    returns::settle_refund(txn.tx, case, Settled::Refused { why: &why }, now).await?;
                    Refund::Refused(why)
                }
            };
            txn.refund_answer("shop", case, &refund).await?;
        }
        jobs::done(&mut tx, job).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One event from the push endpoint, in one transaction; a repeated
    /// event id changes nothing.
    pub async fn pushed(&self, event: PushEvent) -> Result<Result<Accepted, Rejected>, StoreError> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let kind = match &event {
            PushEvent::Tracking { .. } => "tracking",
            PushEvent::Warehouse { .. } => "warehouse",
        };
        if !returns::claim_event(&mut tx, event.event_id(), kind, now).await? {
            return Ok(Ok(Accepted::Duplicate));
        }
        let mut txn = Txn { desk: self, tx: &mut tx, now };
        let applied = match &event {
            PushEvent::Tracking { tracking_no, scan, .. } => {
                let cases = returns::by_tracking(txn.tx, tracking_no).await?;
                if cases.is_empty() {
                    return Ok(Err(Rejected::Unknown(format!("no return parcel with tracking number {tracking_no}"))));
                }
                for case in cases {
                    if let Some((customer, ret)) = returns::get(txn.tx, &case).await? {
                        let (next, effects) = followup::on_scans(&ret, std::slice::from_ref(scan), &txn.context());
                        txn.save_return("shop", customer, &ret, &next, effects).await?;
                    }
                }
                true
            }
            PushEvent::Warehouse { target, inspection, .. } => {
                let case = match target {
                    Target::Case(id) => Some(CaseId::from_trusted(id.trim())),
                    Target::TrackingNo(number) => returns::by_tracking(txn.tx, number).await?.into_iter().next(),
                };
                let found = match &case {
                    Some(case) => txn.inspect("shop", case, inspection).await?,
                    None => None,
                };
                match found {
                    None => return Ok(Err(Rejected::Unknown(format!("no return parcel for {target}")))),
                    // Already inspected: recorded, nothing new to do.
                    Some(applied) => applied,
                }
            }
        };
        if !applied {
            tracing::info!(event = event.event_id(), "pushed event changed nothing");
        }
        tx.commit().await?;
        Ok(Ok(Accepted::Applied))
    }
}

/// The push endpoint's handler: the desk, and the sender to wake.
#[derive(Clone)]
pub struct Pushed {
    pub desk: Desk,
    pub wake: Arc<Notify>,
}

impl push::Handler for Pushed {
    async fn handle(&self, event: PushEvent) -> Result<Accepted, Rejected> {
        let result = self.desk.pushed(event).await.map_err(|error| Rejected::Failed(error.to_string()))?;
        self.wake.notify_one();
        result
    }
}

impl<'a> Txn<'a> {
    pub(super) fn context(&self) -> Context<'a> {
        let desk: &'a Desk = self.desk;
        let config = &desk.config;
        Context {
            settings: &config.followup,
            calendar: &config.calendar,
            zone: config.shop.timezone.0,
            refund_working_days: config.policy.refund_working_days,
            now: self.now,
        }
    }

    async fn schedule(&mut self, job: Job, case: &CaseId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let at = self.context().when(job, at);
        jobs::schedule(self.tx, &Task::Followup(job, case.clone()), at, self.now).await
    }

    /// A case was opened or decided: an approved return or exchange starts
    /// its return parcel; a case waiting for review gets daily progress; a
    /// closed one its survey.
    pub(super) async fn case_changed(&mut self, case: &CaseId) -> Result<(), StoreError> {
        let Some(state) = cases::state(self.tx, case).await? else { return Ok(()) };
        match state.status {
            CaseStatus::Approved if matches!(state.outcome, Outcome::ReturnRefund | Outcome::Exchange) => {
                if returns::get(self.tx, case).await?.is_some() {
                    return Ok(());
                }
                let refund = match escalations::case(self.tx, case).await? {
                    Some(record) if state.outcome == Outcome::ReturnRefund => {
                        Some(record.agreed.unwrap_or(record.decision.refund_cap))
                    }
                    _ => None,
                };
                let (ret, effects) = followup::start(case.clone(), state.outcome, refund, &self.context());
                returns::save(self.tx, state.customer_id, &ret, self.now).await?;
                let Some(customer) = customers::by_id(self.tx, state.customer_id).await? else { return Ok(()) };
                self.follow("bot", case, &customer, effects).await
            }
            CaseStatus::NeedsReview => {
                let settings = &self.desk.config.followup;
                let zone = self.desk.config.shop.timezone.0;
                let at = timing::next_progress(self.now, zone, settings.progress_at, settings.quiet_hours);
                self.schedule(Job::Progress, case, at).await
            }
            CaseStatus::Closed => self.closed(&state).await,
            _ => Ok(()),
        }
    }

    /// A closed case with a refund, exchange or reship gets its survey (once).
    async fn closed(&mut self, state: &CaseState) -> Result<(), StoreError> {
        if followup::wants_survey(state.outcome) && state.survey.sent_at.is_none() {
            let at = self.now + self.desk.config.followup.survey_after.chrono();
            self.schedule(Job::Survey, &state.id, at).await?;
        }
        self.cancel(&state.id, Job::Progress).await
    }

    async fn cancel(&mut self, case: &CaseId, job: Job) -> Result<(), StoreError> {
        jobs::cancel(self.tx, &Task::Followup(job, case.clone())).await
    }

    /// A follow-up job that runs inside the transaction.
    async fn followup_job(&mut self, job: Job, case: &CaseId) -> Result<(), StoreError> {
        let Some(state) = cases::state(self.tx, case).await? else { return Ok(()) };
        if state.stopped.is_some() {
            return Ok(());
        }
        let Some(customer) = customers::by_id(self.tx, state.customer_id).await? else { return Ok(()) };
        if let Some(why) = outbox::refusal(self.tx, &customer.channel, customer.chat_id).await? {
            return self.stop(&state, &why).await;
        }
        let cx = self.context();
        match job {
            Job::Survey | Job::SurveyReminder => {
                let (survey, effects) = followup::survey_job(case, &state.survey, job, &cx);
                cases::save_survey(self.tx, case, &survey, self.now).await?;
                self.follow("bot", &state.id, &customer, effects).await
            }
            Job::Progress => {
                let waiting = self.waiting(&state).await?;
                let Some(effect) = followup::progress(case, waiting) else { return Ok(()) };
                let settings = &self.desk.config.followup;
                let next = timing::next_progress(self.now, cx.zone, settings.progress_at, settings.quiet_hours);
                self.follow("bot", &state.id, &customer, vec![effect, Effect::Schedule(Job::Progress, next)]).await
            }
            _ => {
                let Some((_, ret)) = returns::get(self.tx, case).await? else { return Ok(()) };
                let (next, effects) = followup::on_job(&ret, job, &cx);
                self.save_return("bot", customer.id, &ret, &next, effects).await
            }
        }
    }

    /// What the case waits on the shop for.
    async fn waiting(&mut self, state: &CaseState) -> Result<Option<Waiting>, StoreError> {
        if state.status.is_closed() || state.status == CaseStatus::NotEligible {
            return Ok(None);
        }
        if state.status == CaseStatus::NeedsReview {
            return Ok(Some(Waiting::Review));
        }
        Ok(returns::get(self.tx, &state.id).await?.and_then(|(_, ret)| ret.waiting()))
    }

    /// The customer blocked the bot: the case's follow-ups stop, and say why.
    async fn stop(&mut self, state: &CaseState, why: &str) -> Result<(), StoreError> {
        let reason = format!("the customer cannot be reached: {why}");
        cases::stop_followups(self.tx, &state.id, &reason, self.now).await?;
        cases::add_event(self.tx, &state.id, "bot", &Event::FollowupStopped { why: reason }, self.now).await?;
        for job in Job::ALL {
            self.cancel(&state.id, job).await?;
        }
        self.alert(&Msg::AlertFollowupStopped { case: state.id.clone() }).await
    }

    async fn alert(&mut self, msg: &Msg) -> Result<(), StoreError> {
        match self.desk.config.agents.chat_id {
            Some(_) => self.tell_agents(None, msg).await,
            None => {
                tracing::info!(alert = ?msg, "no agents' group configured for this alert");
                Ok(())
            }
        }
    }

    /// Stores the return's next state and carries out the effects.
    async fn save_return(
        &mut self,
        by: &str,
        customer_id: i64,
        before: &Return,
        next: &Return,
        effects: Vec<Effect>,
    ) -> Result<(), StoreError> {
        if next != before {
            returns::save(self.tx, customer_id, next, self.now).await?;
        }
        let Some(customer) = customers::by_id(self.tx, customer_id).await? else { return Ok(()) };
        self.follow(by, &next.case, &customer, effects).await
    }

    /// Carries out the follow-up core's effects on one case; timeline
    /// events are recorded as `by` ("customer", "bot", "shop").
    async fn follow(
        &mut self,
        by: &str,
        case: &CaseId,
        customer: &CustomerInfo,
        effects: Vec<Effect>,
    ) -> Result<(), StoreError> {
        for effect in effects {
            match effect {
                Effect::Tell(..) | Effect::Choose(..) => self.tell_effect(customer, effect).await?,
                Effect::Alert(msg) => self.alert(&msg).await?,
                Effect::Escalate(why) => self.escalate(customer.id, Some(case), why).await?,
                Effect::Schedule(job, at) => self.schedule(job, case, at).await?,
                Effect::Cancel(job) => self.cancel(case, job).await?,
                Effect::Event(event) => cases::add_event(self.tx, case, by, &event, self.now).await?,
                Effect::IssueRefund(amount) => {
                    returns::request_refund(self.tx, case, amount, self.now).await?;
                    match self.desk.adapters.refunds {
                        Some(_) => self.schedule(Job::IssueRefund, case, self.now).await?,
                        None => self.alert(&Msg::AlertManualRefund { case: case.clone(), amount }).await?,
                    }
                }
                Effect::Close { refunded } => {
                    cases::close(self.tx, case, refunded, self.now).await?;
                    cases::add_event(self.tx, case, "bot", &Event::Closed { by: None }, self.now).await?;
                    if let Some(state) = cases::state(self.tx, case).await? {
                        self.closed(&state).await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Queues a `Tell` or `Choose` for the customer, in their language.
    async fn tell_effect(&mut self, customer: &CustomerInfo, effect: Effect) -> Result<(), StoreError> {
        let (msg, rows) = match effect {
            Effect::Tell(msg, buttons) => (msg, vec![buttons]),
            Effect::Choose(msg, buttons) => (msg, buttons.into_iter().map(|button| vec![button]).collect()),
            _ => return Ok(()),
        };
        let lang = customer.lang();
        let keyboard = match rows.iter().all(Vec::is_empty) {
            true => Keyboard::None,
            false => super::inline_keyboard(lang, &rows),
        };
        let payload = Outgoing::Send { text: catalogue::render(lang, &msg), keyboard };
        outbox::enqueue(self.tx, &customer.channel, customer.chat_id, &payload, None, self.now, self.now).await?;
        Ok(())
    }

    /// The warehouse's inspection; `None` when the case has no return,
    /// `Some(false)` when it is past inspection already.
    async fn inspect(&mut self, by: &str, case: &CaseId, inspection: &Inspection) -> Result<Option<bool>, StoreError> {
        let Some((customer, ret)) = returns::get(self.tx, case).await? else { return Ok(None) };
        match followup::inspected(&ret, inspection, &self.context()) {
            Some((next, effects)) => {
                self.save_return(by, customer, &ret, &next, effects).await?;
                Ok(Some(true))
            }
            None => Ok(Some(false)),
        }
    }

    /// The refund system's (or an agent's) answer; false when no refund was being issued.
    async fn refund_answer(&mut self, by: &str, case: &CaseId, refund: &Refund) -> Result<bool, StoreError> {
        let Some((customer, ret)) = returns::get(self.tx, case).await? else { return Ok(false) };
        match followup::refunded(&ret, refund, &self.context()) {
            Some((next, effects)) => {
                self.save_return(by, customer, &ret, &next, effects).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// `/inspect` and `/refunded` from an agent, on `case`.
    pub(super) async fn return_command(
        &mut self,
        case: Option<CaseId>,
        command: &AgentCommand,
        agent: i64,
        topic: Option<&str>,
    ) -> Result<(), StoreError> {
        let Some(case) = case else { return self.tell_agents(topic, &Msg::NoReturnAtStage { case: None }).await };
        let by = format!("agent:{agent}");
        let done = match command {
            AgentCommand::Inspect { inspection, .. } => {
                let done = self.inspect(&by, &case, inspection).await? == Some(true);
                done.then(|| Msg::InspectionRecorded { case: case.clone(), passed: *inspection == Inspection::Passed })
            }
            AgentCommand::Refunded { .. } => {
                let refund =
                    returns::refund(self.tx, &case).await?.filter(|refund| refund.status != RefundStatus::Issued);
                match refund {
                    Some(refund) => {
                        let answer = Refund::Issued { amount: refund.amount, reference: None };
                        let done = self.refund_answer(&by, &case, &answer).await?;
                        if done {
                            returns::settle_refund(self.tx, &case, Settled::Issued { reference: Some(&by) }, self.now)
                                .await?;
                        }
                        done.then(|| Msg::RefundRecorded { case: case.clone(), amount: refund.amount })
                    }
                    None => None,
                }
            }
            _ => None,
        };
        let reply = done.unwrap_or(Msg::NoReturnAtStage { case: Some(case) });
        self.tell_agents(topic, &reply).await
    }

    /// A follow-up button the customer pressed; the notice answers the button.
    pub(super) async fn press(&mut self, customer: &CustomerInfo, press: &Press) -> Result<Option<Msg>, StoreError> {
        let case = press.case();
        let cx = self.context();
        match press {
            Press::Tracking { .. } | Press::Replace { .. } | Press::ForCase { .. } => {
                let owned = returns::get(self.tx, case).await?.filter(|(owner, _)| *owner == customer.id);
                let polling = self.desk.adapters.tracker.is_some();
                let answered = owned.and_then(|(_, ret)| {
                    let next = match press {
                        Press::Tracking { right, .. } => followup::confirm(&ret, *right, polling, &cx),
                        Press::Replace { right, .. } => followup::replace(&ret, *right, polling, &cx),
                        Press::ForCase { number, .. } => followup::tracking_text(&ret, number, &cx),
                        _ => None,
                    };
                    next.map(|next| (ret, next))
                });
                match answered {
                    Some((ret, (next, effects))) => {
                        self.save_return("customer", customer.id, &ret, &next, effects).await?;
                        Ok(None)
                    }
                    None => Ok(Some(Msg::StaleButton)),
                }
            }
            Press::Rating { score, .. } => {
                let state = cases::state(self.tx, case).await?.filter(|state| state.customer_id == customer.id);
                match state.and_then(|state| followup::rate(case, &state.survey, *score, &cx)) {
                    Some((survey, effects)) => {
                        cases::save_survey(self.tx, case, &survey, self.now).await?;
                        self.follow("customer", case, customer, effects).await?;
                        Ok(None)
                    }
                    None => Ok(Some(Msg::SurveyAlreadyAnswered)),
                }
            }
            Press::Person { .. } => {
                let state = cases::state(self.tx, case).await?.filter(|state| state.customer_id == customer.id);
                if state.is_none() {
                    return Ok(Some(Msg::StaleButton));
                }
                self.escalate(customer.id, Some(case), Why::CustomerAsked).await?;
                let config = self.desk.config();
                let told = agents::person_coming(&config.agents, &config.shop.contact, Some(case.clone()));
                self.tell_customer(customer, &told).await?;
                Ok(None)
            }
            Press::NoComment { .. } => match self.comment(customer, case, None).await? {
                true => Ok(None),
                false => Ok(Some(Msg::SurveyAlreadyAnswered)),
            },
        }
    }

    /// The survey comment (or "no comment"); false when none is expected.
    async fn comment(
        &mut self,
        customer: &CustomerInfo,
        case: &CaseId,
        text: Option<&str>,
    ) -> Result<bool, StoreError> {
        let Some(state) = cases::state(self.tx, case).await?.filter(|state| state.customer_id == customer.id) else {
            return Ok(false);
        };
        match followup::comment(case, &state.survey, text, &self.context()) {
            Some((survey, effects)) => {
                cases::save_survey(self.tx, case, &survey, self.now).await?;
                self.follow("customer", case, customer, effects).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// A text from a customer at rest (not in the middle of a request):
    /// their return tracking number, or their survey comment. False when
    /// it is neither, and the conversation takes it.
    pub(super) async fn customer_text(&mut self, customer: &CustomerInfo, text: &str) -> Result<bool, StoreError> {
        let held = returns::in_progress(self.tx, customer.id).await?;
        match followup::parcel_text(&held, text, &self.context()) {
            Some(ParcelText::One(next, effects)) => {
                if let Some((before, _)) = held.iter().find(|(ret, _)| ret.case == next.case) {
                    self.save_return("customer", customer.id, before, &next, effects).await?;
                }
                return Ok(true);
            }
            Some(ParcelText::Which(ask)) => {
                self.tell_effect(customer, ask).await?;
                return Ok(true);
            }
            None => {}
        }
        match cases::awaiting_comment(self.tx, customer.id).await? {
            Some(case) => self.comment(customer, &case, Some(text)).await,
            None => Ok(false),
        }
    }
}
