//! The loop's bookkeeping: what a finished call means for its row (sent,
//! retried later, failed for good, a topic step done, a detour), kept in
//! memory as [`Outcome`]s and written to the store in one transaction.

use std::time::Instant;

use chrono::{DateTime, Utc};
use teloxide::RequestError;
use tokio::task::{self, JoinError};

use super::failure::{Disposition, GIVE_UP_AFTER, backoff, classify, delivered, given_up};
use super::plan::Step;
use super::{CHANNEL, Ended, Flight, MAX_DETOURS, MIN_PAUSE, Sender};
use crate::catalogue::{self, Msg};
use crate::outgoing::{Keyboard, Outgoing};
use crate::store::outbox::{self, Queued};
use crate::store::{StoreError, Tx, customers, topics};

/// What the sender learnt about a topic, to be written to `topics`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TopicChange {
    Thread(i32),
    Card(i32),
    Pinned,
    AlbumPosted,
    ForgetThread,
    ForgetCard,
}

/// An outcome waiting to be written; `chat` stays busy until it is.
pub(super) enum Outcome {
    Sent {
        id: i64,
        chat: i64,
        message_id: Option<i32>,
        at: DateTime<Utc>,
    },
    Retry {
        id: i64,
        chat: i64,
        error: String,
        not_before: DateTime<Utc>,
    },
    Failed {
        id: i64,
        chat: i64,
        error: String,
        at: DateTime<Utc>,
    },
    /// Failed after [`GIVE_UP_AFTER`] of retries: the agents are told.
    GaveUp {
        id: i64,
        chat: i64,
        error: String,
        at: DateTime<Utc>,
    },
    Moved {
        chat: i64,
        to: i64,
        at: DateTime<Utc>,
    },
    /// A topic step's result; the row stays pending for its next step.
    Topic {
        chat: i64,
        key: String,
        change: TopicChange,
        at: DateTime<Utc>,
    },
}

impl Outcome {
    fn chat(&self) -> i64 {
        match self {
            Outcome::Sent { chat, .. }
            | Outcome::Retry { chat, .. }
            | Outcome::Failed { chat, .. }
            | Outcome::GaveUp { chat, .. }
            | Outcome::Moved { chat, .. }
            | Outcome::Topic { chat, .. } => *chat,
        }
    }

    /// The row, if it left the queue for good.
    fn settled_row(&self) -> Option<i64> {
        match self {
            Outcome::Sent { id, .. } | Outcome::Failed { id, .. } | Outcome::GaveUp { id, .. } => Some(*id),
            Outcome::Retry { .. } | Outcome::Moved { .. } | Outcome::Topic { .. } => None,
        }
    }
}

impl Sender {
    /// Turns a finished call into an outcome (written by the next
    /// [`save`](Self::save)) or an in-memory change. Returns whether the row
    /// left the queue.
    pub(super) fn finish(
        &mut self,
        done: Result<(task::Id, Ended), JoinError>,
        now_utc: DateTime<Utc>,
        now: Instant,
    ) -> bool {
        let (task, result, ended) = match done {
            Ok((task, (result, ended))) => (task, result.map_err(Some), ended),
            // A panicking call is retried like a network failure.
            Err(join) => (join.id(), Err(None), now),
        };
        let Some(Flight { row, step, call, target, tickets }) = self.flights.remove(&task) else {
            tracing::error!("telegram sender: a finished call has no row");
            return false;
        };
        // Whatever came of it (an answer, an error, a 429, a panic), the call
        // is over: its slots of the rate limits free up a window after it ended.
        for ticket in tickets {
            self.pace.completed(ticket, ended);
        }
        let (id, chat) = (row.id, row.chat_id);
        let error = match result {
            Ok(produced) => return self.succeeded(&row, step, produced.or(target), now_utc),
            Err(error) => error,
        };
        let disposition = match &error {
            Some(error) => classify(error, call),
            None => Disposition::Retry { maybe_delivered: true },
        };
        let text = error.as_ref().map_or_else(|| "the call panicked".to_owned(), ToString::to_string);
        let text = format!("{}{text}", step.label());
        match disposition {
            Disposition::Sent => {
                let produced = match &error {
                    Some(RequestError::InvalidJson { raw, .. }) => delivered(raw).flatten(),
                    _ => None,
                };
                self.succeeded(&row, step, produced.or(target), now_utc)
            }
            Disposition::Paused(wait) => {
                let wait = wait.max(MIN_PAUSE);
                let everyone = self.pace.throttled(chat, wait, now);
                self.metrics.throttled();
                tracing::warn!(id, chat, ?wait, everyone, "telegram: too many requests; pausing");
                self.busy.remove(&chat);
                false
            }
            Disposition::SendAsNew => match (step, &row.payload, &row.topic_key) {
                (Step::Row, Outgoing::Edit { .. }, _) => {
                    tracing::info!(id, chat, error = %text, "telegram: message cannot be edited; sending it as a new one");
                    self.as_new.insert(id);
                    self.busy.remove(&chat);
                    false
                }
                (Step::Row, Outgoing::Card, Some(key)) | (Step::PinCard, _, Some(key)) => {
                    tracing::info!(id, chat, key, error = %text, "telegram: the topic card is gone; posting it again");
                    let key = key.clone();
                    self.detour(&row, key, TopicChange::ForgetCard, &text, now_utc)
                }
                // A mirrored edit of a copy that is gone has nothing left to mirror.
                _ => {
                    self.unsaved.push(Outcome::Failed { id, chat, error: text, at: now_utc });
                    true
                }
            },
            Disposition::ThreadGone => match &row.topic_key {
                Some(key) => {
                    tracing::info!(id, chat, key, error = %text, "telegram: the topic is gone; creating it again");
                    self.reopen.remove(key);
                    let key = key.clone();
                    self.detour(&row, key, TopicChange::ForgetThread, &text, now_utc)
                }
                None => {
                    self.unsaved.push(Outcome::Failed { id, chat, error: text, at: now_utc });
                    true
                }
            },
            Disposition::TopicClosed => match &row.topic_key {
                Some(key) => {
                    tracing::info!(id, chat, key, "telegram: the topic is closed; reopening it");
                    self.reopen.insert(key.clone());
                    if self.too_many_detours(id) {
                        return self.retry(&row, text, false, now_utc);
                    }
                    self.busy.remove(&chat);
                    false
                }
                None => {
                    self.unsaved.push(Outcome::Failed { id, chat, error: text, at: now_utc });
                    true
                }
            },
            Disposition::Moved(to) => {
                tracing::warn!(id, chat, to, "telegram: group migrated to a supergroup; moving its replies");
                self.unsaved.push(Outcome::Moved { chat, to, at: now_utc });
                false
            }
            Disposition::Failed => match (step, &row.topic_key) {
                // The card and the evidence are a convenience for the agents: a
                // pin or an album Telegram refuses must not block the
                // customer's messages, so the step is given up.
                (Step::PinCard, Some(key)) => {
                    tracing::warn!(id, chat, key, error = %text, "telegram: giving up pinning a topic card");
                    let key = key.clone();
                    self.unsaved.push(Outcome::Topic { chat, key, change: TopicChange::Pinned, at: now_utc });
                    false
                }
                (Step::PostAlbum, Some(key)) => {
                    tracing::warn!(id, chat, key, error = %text, "telegram: giving up posting a topic's album");
                    let key = key.clone();
                    self.unsaved.push(Outcome::Topic { chat, key, change: TopicChange::AlbumPosted, at: now_utc });
                    false
                }
                _ => {
                    self.unsaved.push(Outcome::Failed { id, chat, error: text, at: now_utc });
                    true
                }
            },
            Disposition::Retry { maybe_delivered } => self.retry(&row, text, maybe_delivered, now_utc),
        }
    }

    /// A call for `row` at `step` did what it should and produced `id`.
    fn succeeded(&mut self, row: &Queued, step: Step, produced: Option<i32>, at: DateTime<Utc>) -> bool {
        let (id, chat) = (row.id, row.chat_id);
        let change = match (step, produced) {
            (Step::Row, message_id) => {
                if let (Outgoing::TopicState { open: true }, Some(key)) = (&row.payload, &row.topic_key) {
                    self.reopen.remove(key);
                }
                self.unsaved.push(Outcome::Sent { id, chat, message_id, at });
                self.metrics.sent();
                return true;
            }
            (Step::Reopen, _) => None,
            (Step::CreateTopic, Some(thread)) => Some(TopicChange::Thread(thread)),
            (Step::PostCard, Some(card)) => Some(TopicChange::Card(card)),
            (Step::PinCard, _) => Some(TopicChange::Pinned),
            (Step::PostAlbum, _) => Some(TopicChange::AlbumPosted),
            // Telegram said ok but its answer was unreadable: the new id is
            // unknown, so the step is retried (a duplicate beats a gap).
            (Step::CreateTopic | Step::PostCard, None) => {
                return self.retry(row, format!("{}no id in Telegram's answer", step.label()), true, at);
            }
        };
        let Some(key) = row.topic_key.clone() else {
            // Topic steps are only planned for rows with a topic.
            self.unsaved.push(Outcome::Failed { id, chat, error: "topic step without a topic".to_owned(), at });
            return true;
        };
        match change {
            Some(change) => self.unsaved.push(Outcome::Topic { chat, key, change, at }),
            None => {
                // Reopened: nothing to store, the row's send goes next.
                self.reopen.remove(&key);
                self.busy.remove(&chat);
            }
        }
        false
    }

    /// Queues `change` (the topic lost its thread or card), which makes the
    /// row's next dispatch rebuild the topic. Free up to [`MAX_DETOURS`] per
    /// row; after that each also counts as a failed attempt.
    fn detour(&mut self, row: &Queued, key: String, change: TopicChange, error: &str, at: DateTime<Utc>) -> bool {
        self.unsaved.push(Outcome::Topic { chat: row.chat_id, key, change, at });
        if self.too_many_detours(row.id) { self.retry(row, error.to_owned(), false, at) } else { false }
    }

    fn too_many_detours(&mut self, id: i64) -> bool {
        let taken = self.detours.entry(id).or_default();
        *taken = taken.saturating_add(1);
        *taken > MAX_DETOURS
    }

    /// Counts a failed attempt and schedules the row after [`backoff`]; once
    /// its retries have waited [`GIVE_UP_AFTER`] the row fails for good.
    /// Returns whether it did.
    fn retry(&mut self, row: &Queued, text: String, maybe_delivered: bool, now_utc: DateTime<Utc>) -> bool {
        let (id, chat) = (row.id, row.chat_id);
        let attempts = row.attempts.saturating_add(1);
        if given_up(row.attempts) {
            let error = format!("gave up after {attempts} attempts: {text}");
            self.unsaved.push(Outcome::GaveUp { id, chat, error, at: now_utc });
            return true;
        }
        let wait = backoff(row.attempts);
        tracing::warn!(id, chat, attempts, ?wait, maybe_delivered, error = %text, "telegram: call failed; retrying");
        let error = if maybe_delivered { format!("{text} (may have been delivered)") } else { text };
        let not_before =
            chrono::TimeDelta::from_std(wait).ok().and_then(|wait| now_utc.checked_add_signed(wait)).unwrap_or(now_utc);
        self.unsaved.push(Outcome::Retry { id, chat, error, not_before });
        false
    }

    /// Queues the agents' alert for a customer's reply given up in `chat`
    /// (not for the agents' own group, where it would go the same way).
    async fn alert_given_up(&self, tx: &mut Tx, chat: i64, error: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let Some((group, lang)) = self.alerts.filter(|(group, _)| *group != chat) else {
            return Ok(());
        };
        let customer = customers::name_by_chat(tx, CHANNEL, chat).await?.unwrap_or_default();
        let hours = GIVE_UP_AFTER.as_secs() / 3600;
        let msg = Msg::AlertReplyUndelivered { customer, chat_id: chat, hours, error: error.to_owned() };
        let alert = Outgoing::Send { text: catalogue::render(lang, &msg), keyboard: Keyboard::None };
        outbox::enqueue(tx, CHANNEL, group, &alert, None, at, at).await.map(drop)
    }

    /// Writes the outcomes gathered so far in one transaction; on failure
    /// they stay queued for the next attempt.
    pub(super) async fn save(&mut self) -> Result<(), StoreError> {
        if self.unsaved.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.write().await?;
        let mut delivered = Vec::new();
        for outcome in &self.unsaved {
            match outcome {
                // Each row has one outcome a round, and the others touch no
                // delivered row: the delivered are marked together below.
                Outcome::Sent { id, message_id, at, .. } => {
                    delivered.push(outbox::Delivered { id: *id, message_id: *message_id, at: *at })
                }
                Outcome::Retry { id, error, not_before, .. } => {
                    outbox::retry_later(&mut tx, *id, error, *not_before).await?
                }
                Outcome::Failed { id, error, at, .. } => outbox::mark_failed(&mut tx, *id, error, *at).await?,
                Outcome::GaveUp { id, chat, error, at } => {
                    outbox::mark_failed(&mut tx, *id, error, *at).await?;
                    self.alert_given_up(&mut tx, *chat, error, *at).await?;
                }
                Outcome::Moved { chat, to, at } => {
                    outbox::retarget(&mut tx, CHANNEL, *chat, *to).await?;
                    topics::retarget(&mut tx, *chat, *to, *at).await?;
                }
                Outcome::Topic { key, change, at, .. } => match *change {
                    TopicChange::Thread(thread) => topics::record_thread(&mut tx, key, thread, *at).await?,
                    TopicChange::Card(card) => topics::record_card(&mut tx, key, card, *at).await?,
                    TopicChange::Pinned => topics::record_pinned(&mut tx, key, *at).await?,
                    TopicChange::AlbumPosted => topics::record_album_posted(&mut tx, key, *at).await?,
                    TopicChange::ForgetThread => topics::forget_thread(&mut tx, key, *at).await?,
                    TopicChange::ForgetCard => topics::forget_card(&mut tx, key, *at).await?,
                },
            }
        }
        outbox::mark_sent(&mut tx, &delivered).await?;
        tx.commit().await?;
        for outcome in self.unsaved.drain(..) {
            self.busy.remove(&outcome.chat());
            if let Some(id) = outcome.settled_row() {
                self.as_new.remove(&id);
                self.fresh_cards.remove(&id);
                self.detours.remove(&id);
            }
        }
        Ok(())
    }
}
