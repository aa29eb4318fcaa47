//! Drains the outbox to Telegram.
//!
//! The module in parts: [`plan`] turns a row into its next Bot API call,
//! [`failure`] sorts a failed call into what to do (and how long to wait),
//! this file is the loop, and `bookkeeping` records what each finished call
//! means for its row and writes it to the store.
//!
//! One loop owns the schedule ([`Pace`]) and all database writes; each Bot
//! API call runs as its own task, at most one per chat, so one slow chat (a
//! call that hangs until the client's timeout) does not hold up the others.
//!
//! - Order within a chat: the outbox hands out only each chat's oldest
//!   pending row, and a chat with a request in flight gets nothing more
//!   until that row's outcome is committed (a round does not even read
//!   such a chat's head: [`outbox::due`] skips the busy chats).
//! - Outcomes are committed through [`Store::write`] as soon as the calls
//!   return, not at the next round (which may wait for the pace): a crash
//!   resends only what was still in flight. The single writer connection
//!   is never held across a network call. An outcome that cannot be
//!   committed is kept in memory (its chat stays busy) and written again
//!   on the next round.
//! - Failures: see [`failure::classify`]. A 429 pauses the chat (see
//!   [`Pace::throttled`]) and retries the same row without counting it;
//!   network trouble and 5xx answers are retried with
//!   [`failure::backoff`] (every 2 s for about a minute, then slower), each
//!   chat on its own, for up to [`failure::GIVE_UP_AFTER`], after which
//!   the row fails and the agents' group is told; answers Telegram will never accept (blocked by
//!   the user, chat not found, other 4xx) mark the row failed, which keeps
//!   it in the table with the error.
//!
//! # Topics
//!
//! A row with a `topic_key` goes into that topic of the agents' group (see
//! [`crate::store::topics`]). Before the row's own call, [`plan::plan`]
//! brings the topic up to date, in this order: create the forum topic, post
//! the card, pin it, post the evidence album. Each of these is one call per dispatch,
//! an ordinary call task whose outcome the loop records (`record_thread`, …)
//! like a row's; the row stays pending and is planned again from what is
//! now stored. So every id Telegram hands out is committed before anything
//! depends on it, a crash between two steps resumes at the missing one, and
//! pacing, 429s and retries work per call with no partial state in a task.
//!
//! A topic deleted by hand shows up as "message thread not found" (or
//! `TOPIC_DELETED`/`TOPIC_ID_INVALID`) on the next call into it: the sender
//! forgets the thread and plans the same row again without counting an
//! attempt, which recreates the topic, re-posts and pins the card and the
//! album, then sends the row. A send into a closed topic (`TOPIC_CLOSED`)
//! reopens it first. Both detours are bounded per row ([`MAX_DETOURS`]).
//!
//! # Delivery guarantee: at least once
//!
//! A request that times out on the client (teloxide gives up after 17 s),
//! loses its connection mid-way or gets a 5xx may still have been executed
//! by Telegram. The Bot API has no idempotency key and a bot cannot read a
//! chat's history to check, so such a row is retried: the customer may see a
//! reply twice, but never misses one. What narrows the window:
//! - a connection that was never established is known not to have
//!   delivered; only the other failures are logged as "may have been
//!   delivered";
//! - an answer that arrived but that teloxide could not parse is inspected:
//!   if Telegram said `"ok": true`, the row counts as sent and is not resent;
//! - a repeated edit is harmless ("message is not modified" counts as sent),
//!   and a callback answer is not sent once Telegram would refuse it as
//!   "query is too old" ([`plan::ANSWER_WINDOW`]).
//!
//! The same holds for the topic steps: a retried createForumTopic may leave
//! an empty duplicate topic behind, a retried card post a second card.
//!
//! Rows still in flight when the sender shuts down stay pending and go
//! again at the next start, with the same caveat.

mod bookkeeping;
pub mod failure;
pub mod plan;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::store::Db;
use chrono::{DateTime, Utc};
use teloxide::requests::MultipartRequest;
use teloxide::{Bot, RequestError};
use tokio::sync::{Notify, watch};
use tokio::task::{self, JoinSet};

use crate::clock::Clock;
use crate::lang::Lang;
use crate::ops::Metrics;
use crate::outgoing::Outgoing;
use crate::store::outbox::{self, Queued};
use crate::store::topics;
use crate::store::{Store, StoreError};
use crate::telegram::api;
use crate::telegram::pace::{Limits, Pace, Ticket};
use bookkeeping::Outcome;
use failure::MAX_BACKOFF;
use plan::{Call, Facts, Plan, Request, Step, plan};

/// The outbox channel this sender drains.
pub const CHANNEL: &str = "telegram";

/// At most this many rows fetched per round.
const BATCH: u32 = 200;
/// After a database error the loop waits this long before trying again.
const DB_PAUSE: Duration = Duration::from_secs(5);
/// A 429 never pauses for less than this, so a "retry after 0" cannot spin.
const MIN_PAUSE: Duration = Duration::from_secs(1);
/// How long shutdown waits for calls in flight: teloxide's 17 s client
/// timeout, with room to spare.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);
/// Free detours per row (topic recreated, topic reopened, card re-posted)
/// before each further one also counts as a failed attempt with backoff: a
/// Telegram that keeps losing the topic must not make the sender spin.
pub const MAX_DETOURS: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for SendError {
    fn from(error: sqlx::Error) -> Self {
        SendError::Store(StoreError::Database(error))
    }
}

/// What a call task returns: the id it produced, if any (a message's, the
/// first of an album's, or a created topic's thread).
type CallResult = Result<Option<i32>, RequestError>;

/// What a call task ends with: its result and when it came back (the
/// request reached Telegram by then, however long the loop takes to look).
type Ended = (CallResult, Instant);

/// Makes the call (through [`api`], so a 5xx answer comes back at once,
/// but for a document).
async fn perform(bot: Bot, request: Request) -> CallResult {
    let bot = &bot;
    match request {
        Request::Send(send) => api::call(bot, &send).await.map(|message| Some(message.id.0)),
        Request::Edit(edit) => api::call(bot, &edit).await.map(|message| Some(message.id.0)),
        Request::EditCaption(edit) => api::call(bot, &edit).await.map(|message| Some(message.id.0)),
        Request::Answer(answer) => api::call(bot, &answer).await.map(|_| None),
        Request::Copy(copy) => api::call(bot, &copy).await.map(|id| Some(id.0)),
        Request::Album(album) => {
            api::call(bot, &album).await.map(|messages| messages.first().map(|message| message.id.0))
        }
        Request::Photo(send) => api::call(bot, &send).await.map(|message| Some(message.id.0)),
        Request::Video(send) => api::call(bot, &send).await.map(|message| Some(message.id.0)),
        // A document may be an upload (a report's page), which needs the
        // multipart form only teloxide builds: a 5xx there still costs its
        // 10 s sleep, on a file for the agents rather than a customer's reply.
        Request::Document(send) => MultipartRequest::new(bot.clone(), send).await.map(|message| Some(message.id.0)),
        Request::CreateTopic(create) => api::call(bot, &create).await.map(|topic| Some(topic.thread_id.0.0)),
        Request::Pin(pin) => api::call(bot, &pin).await.map(|_| None),
        Request::CloseTopic(close) => api::call(bot, &close).await.map(|_| None),
        Request::ReopenTopic(reopen) => api::call(bot, &reopen).await.map(|_| None),
    }
}

/// Sleeps until `at`; for ever if `None`.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

struct Flight {
    row: Queued,
    step: Step,
    call: Call,
    /// The message an edit changes (see [`Request::target`]).
    target: Option<i32>,
    /// The call's hold on the rate limits (one per message of an album),
    /// handed back to the pace when it completes, whatever its outcome.
    tickets: Vec<Ticket>,
}

/// What one dispatch did.
struct Round {
    /// When to look again (`None`: only a wake-up or a finished call can change things).
    next: Option<Instant>,
    /// Rows settled without a call (nothing to do, or undeliverable).
    settled: usize,
}

pub struct Sender {
    bot: Bot,
    store: Store,
    /// The desk's clock: rows are due by the time they were written with.
    clock: Clock,
    pace: Pace,
    in_flight: JoinSet<Ended>,
    flights: HashMap<task::Id, Flight>,
    /// Chats with a call in flight or an outcome not yet written.
    busy: HashSet<i64>,
    /// Edit rows whose message could not be edited: sent as new messages.
    as_new: HashSet<i64>,
    /// Card rows whose card was (re)posted with the current text since they
    /// came up: done once the topic is complete, without an edit.
    fresh_cards: HashSet<i64>,
    /// Topics found closed by a send: reopened before the next send.
    reopen: HashSet<String>,
    /// Detours taken per row (see [`MAX_DETOURS`]).
    detours: HashMap<i64, u32>,
    unsaved: Vec<Outcome>,
    /// Counts replies sent and 429s for the ops endpoint.
    metrics: Arc<Metrics>,
    /// The agents' group and its language: told of a customer's reply given up.
    alerts: Option<(i64, Lang)>,
}

impl Sender {
    pub fn new(bot: Bot, store: Store, limits: Limits) -> Self {
        Sender {
            bot,
            store,
            clock: Clock::System,
            pace: Pace::new(limits),
            in_flight: JoinSet::new(),
            flights: HashMap::new(),
            busy: HashSet::new(),
            as_new: HashSet::new(),
            fresh_cards: HashSet::new(),
            reopen: HashSet::new(),
            detours: HashMap::new(),
            unsaved: Vec::new(),
            metrics: Arc::default(),
            alerts: None,
        }
    }

    /// The sender on the desk's clock.
    pub fn with_clock(self, clock: Clock) -> Self {
        Sender { clock, ..self }
    }

    /// The sender counting into the desk's metrics.
    pub fn with_metrics(self, metrics: Arc<Metrics>) -> Self {
        Sender { metrics, ..self }
    }

    /// Tells the agents' group `chat`, in `lang`, of each customer's reply
    /// given up after [`failure::GIVE_UP_AFTER`] of retries.
    pub fn with_alerts(self, chat: i64, lang: Lang) -> Self {
        Sender { alerts: Some((chat, lang)), ..self }
    }

    /// Counts what went out within the limits' longest window before this
    /// sender started (by a process since restarted, or the instance that
    /// led before), so its first round keeps Telegram's limits too.
    async fn recall(&mut self, now_utc: DateTime<Utc>, now: Instant) -> Result<(), StoreError> {
        let memory = self.pace.memory();
        let since = now_utc - chrono::Duration::from_std(memory).unwrap_or_default();
        let sent = {
            let mut conn = self.store.read().await?;
            outbox::sent_since(&mut conn, CHANNEL, since).await?
        };
        for sent in sent {
            let ago = (now_utc - sent.at).to_std().unwrap_or_default();
            self.pace.recall(sent.chat_id, sent.message, now.checked_sub(ago).unwrap_or(now));
        }
        Ok(())
    }

    /// Delivers until `shutdown` turns true (or its sender is dropped).
    /// `wake` is notified by the update handler after each commit that may
    /// have queued replies; otherwise the loop sleeps until a call completes
    /// or the next row or the rate limits come due. Never panics; database
    /// errors are logged and retried after a pause.
    pub async fn run(mut self, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
        tracing::info!("telegram sender started");
        if let Err(error) = self.recall(self.clock.now(), Instant::now()).await {
            tracing::warn!(%error, "telegram sender: could not read what went out before; pacing from now");
        }
        let mut next = None;
        let mut look = true;
        loop {
            if *shutdown.borrow() {
                break;
            }
            if look {
                let now = Instant::now();
                next = match self.dispatch(self.clock.now(), now).await {
                    Ok(round) => round.next,
                    Err(error) => {
                        tracing::error!(%error, "telegram sender: database error; retrying shortly");
                        Some(now + DB_PAUSE)
                    }
                };
            }
            look = true;
            let sleep = sleep_until(next);
            // The pace forgets quiet chats even when nothing goes out.
            let tidy = sleep_until(self.pace.tidy_at(Instant::now()));
            tokio::select! {
                biased;
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
                Some(done) = self.in_flight.join_next_with_id(), if !self.in_flight.is_empty() => {
                    self.finish(done, self.clock.now(), Instant::now());
                    while let Some(done) = self.in_flight.try_join_next_with_id() {
                        self.finish(done, self.clock.now(), Instant::now());
                    }
                    // Written as soon as the answers are in, so that a crash
                    // can resend only a call still in flight, not one that
                    // Telegram answered while the pace held the next round.
                    let now = Instant::now();
                    if let Err(error) = self.save().await {
                        tracing::error!(%error, "telegram sender: could not record outcomes; retrying shortly");
                        next = Some(next.map_or(now + DB_PAUSE, |next: Instant| next.min(now + DB_PAUSE)));
                    }
                    // While the limits on all chats together let nothing go
                    // (a burst), the outbox is looked at when they open
                    // again: a round for each completion would only delay
                    // the sends that are due.
                    match self.pace.earliest_any(now) {
                        Some(at) if at <= now => {}
                        Some(at) => {
                            look = false;
                            next = Some(next.map_or(at, |next: Instant| next.min(at)));
                        }
                        None => look = false,
                    }
                }
                () = wake.notified() => {}
                () = sleep => {}
                () = tidy => {
                    self.pace.tidy(Instant::now());
                    look = false;
                }
            }
        }
        self.wind_down().await;
        tracing::info!("telegram sender stopped");
    }

    /// Sends what is due at `now` and the pace allows without waiting,
    /// waits for those calls, and writes their outcomes; repeats while that
    /// frees further rows (the next row of a chat, an edit resent as a new
    /// message, a topic's next step). Returns how many rows were settled
    /// (sent or failed).
    pub async fn drain_once(&mut self, now: DateTime<Utc>) -> Result<usize, SendError> {
        let mut settled = 0;
        // Each round settles or advances at least one row; the bound only
        // guards against a pathological Telegram (e.g. migrations in a loop).
        for _ in 0..1000 {
            let round = self.dispatch(now, Instant::now()).await?;
            settled += round.settled;
            if self.in_flight.is_empty() && round.settled == 0 {
                break;
            }
            while let Some(done) = self.in_flight.join_next_with_id().await {
                settled += usize::from(self.finish(done, now, Instant::now()));
            }
        }
        self.save().await?;
        Ok(settled)
    }

    /// Writes pending outcomes, then starts a call for every due row whose
    /// chat is free and whose pace allows it now; rows that need no call
    /// are settled on the spot.
    async fn dispatch(&mut self, now_utc: DateTime<Utc>, now: Instant) -> Result<Round, SendError> {
        self.save().await?;
        // Only as many rows as could go now, besides those of chats that
        // their own limits may hold: in a burst at the global limit a round
        // sends one or two, and decoding 200 rows for them delays each send
        // (and so each slot's next turn). Busy chats' heads are not read at
        // all: with many customers most chats have a call in flight.
        let could_go = self.pace.room(now).saturating_add(self.pace.tracked_chats());
        let limit = u32::try_from(could_go).unwrap_or(u32::MAX).min(BATCH);
        let busy: Vec<i64> = self.busy.iter().copied().collect();
        let mut conn = self.store.read().await?;
        let rows = outbox::due(&mut conn, CHANNEL, now_utc, limit, &busy).await?;
        let later = outbox::next_due_after(&mut conn, CHANNEL, now_utc).await?;

        let mut next = later.map(|at| {
            let wait = (at - now_utc).to_std().unwrap_or_default();
            now.checked_add(wait).unwrap_or(now + MAX_BACKOFF)
        });
        // Reading took a while: the pace is asked about when the calls go.
        let now = Instant::now().max(now);
        let truncated = rows.len() >= limit as usize;
        let mut started = false;
        let mut settled = 0;
        for row in rows {
            let payload = self.effective_payload(&row);
            let Some(plan) = self.plan_row(&mut conn, &row, &payload, now_utc).await? else {
                continue;
            };
            let (id, chat) = (row.id, row.chat_id);
            match plan {
                Plan::Done { message_id } => {
                    self.busy.insert(chat);
                    self.unsaved.push(Outcome::Sent { id, chat, message_id, at: now_utc });
                    settled += 1;
                }
                Plan::Fail(error) => {
                    self.busy.insert(chat);
                    self.unsaved.push(Outcome::Failed { id, chat, error, at: now_utc });
                    settled += 1;
                }
                Plan::Call { step, request } => {
                    let messages = request.messages();
                    match self.pace.earliest(chat, messages > 0, now) {
                        Some(at) if at > now => {
                            next = Some(next.map_or(at, |next| next.min(at)));
                            continue;
                        }
                        Some(_) => {}
                        // Calls in flight hold every slot: the loop looks
                        // again when one of them completes.
                        None => continue,
                    }
                    // Calls that are not messages still count towards the global limit.
                    let tickets = (0..messages.max(1)).map(|_| self.pace.record(chat, messages > 0, now)).collect();
                    self.start(row, step, *request, tickets);
                    started = true;
                }
            }
        }
        drop(conn);
        // Outcomes to write, or more due rows than were read while the limits
        // on all chats together let more go: look again straight away. Rows
        // left unread for want of room: when those limits open (reading the
        // outbox meanwhile would only delay the sends).
        let opens = self.pace.earliest_any(now);
        if (truncated && started && opens.is_some_and(|at| at <= now)) || settled > 0 {
            next = Some(now);
        } else if let Some(at) = opens.filter(|&at| truncated && at > now) {
            next = Some(next.map_or(at, |next| next.min(at)));
        }
        Ok(Round { next, settled })
    }

    /// Reads what `plan` needs for `row` at `now` and plans it. `None` holds
    /// the row (and its chat) back: its topic cannot be read, which is logged.
    async fn plan_row(
        &mut self,
        conn: &mut Db,
        row: &Queued,
        payload: &Outgoing,
        now: DateTime<Utc>,
    ) -> Result<Option<Plan>, StoreError> {
        let needs_topic = matches!(
            payload,
            Outgoing::Send { .. }
                | Outgoing::Copy { .. }
                | Outgoing::Album { .. }
                | Outgoing::Document { .. }
                | Outgoing::Card
                | Outgoing::TopicState { .. }
        );
        let topic = match (&row.topic_key, needs_topic) {
            (Some(key), true) => match topics::get(conn, key).await {
                Ok(topic) => topic,
                Err(error @ StoreError::Corrupt { .. }) => {
                    tracing::error!(id = row.id, key, %error, "topic unreadable; its chat's replies are held");
                    return Ok(None);
                }
                Err(error) => return Err(error),
            },
            _ => None,
        };
        let original = match payload {
            Outgoing::EditCopy { outbox_id, .. } => outbox::message_id_of(conn, *outbox_id).await?,
            _ => None,
        };
        if matches!(payload, Outgoing::Card) && topic.as_ref().is_some_and(|topic| topic.card_message_id.is_none()) {
            self.fresh_cards.insert(row.id);
        }
        let facts = Facts {
            topic_key: row.topic_key.as_deref(),
            topic: topic.as_ref(),
            original,
            reopen: row.topic_key.as_ref().is_some_and(|key| self.reopen.contains(key)),
            fresh_card: self.fresh_cards.contains(&row.id),
            age: (now - row.created_at).to_std().unwrap_or_default(),
        };
        Ok(Some(plan(row.chat_id, payload, &facts)))
    }

    /// The payload to send for `row`: an edit that failed for want of a
    /// message to edit goes out as a new message.
    fn effective_payload(&self, row: &Queued) -> Outgoing {
        match &row.payload {
            Outgoing::Edit { text, keyboard, .. } if self.as_new.contains(&row.id) => {
                Outgoing::Send { text: text.clone(), keyboard: keyboard.clone() }
            }
            payload => payload.clone(),
        }
    }

    fn start(&mut self, row: Queued, step: Step, request: Request, tickets: Vec<Ticket>) {
        let (call, target) = (request.call(), request.target());
        let bot = self.bot.clone();
        let handle = self.in_flight.spawn(async move {
            let result = perform(bot, request).await;
            (result, Instant::now())
        });
        self.busy.insert(row.chat_id);
        self.flights.insert(handle.id(), Flight { row, step, call, target, tickets });
    }

    /// Waits a while for calls in flight and writes their outcomes; rows
    /// still unanswered after that stay pending for the next start.
    async fn wind_down(&mut self) {
        let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
        while !self.in_flight.is_empty() {
            match tokio::time::timeout_at(deadline, self.in_flight.join_next_with_id()).await {
                Ok(Some(done)) => {
                    self.finish(done, self.clock.now(), Instant::now());
                }
                Ok(None) => break,
                Err(_) => {
                    tracing::warn!(
                        calls = self.in_flight.len(),
                        "telegram sender: calls still in flight at shutdown; their replies go again at the next start"
                    );
                    self.in_flight.abort_all();
                    // Their answers will never be seen: the calls are over now.
                    let now = Instant::now();
                    for flight in std::mem::take(&mut self.flights).into_values() {
                        for ticket in flight.tickets {
                            self.pace.completed(ticket, now);
                        }
                    }
                    break;
                }
            }
        }
        if let Err(error) = self.save().await {
            tracing::error!(%error, "telegram sender: could not record the last outcomes; those replies may go twice");
        }
    }
}
