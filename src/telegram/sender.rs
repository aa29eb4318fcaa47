//! Drains the outbox to Telegram.
//!
//! One loop owns the schedule ([`Pace`]) and all database writes; each Bot
//! API call runs as its own task, at most one per chat, so one slow chat (or
//! teloxide's 10 s sleep on a 5xx answer) does not hold up the others.
//!
//! - Order within a chat: the outbox hands out only each chat's oldest
//!   pending row, and a chat with a request in flight gets nothing more
//!   until that row's outcome is committed.
//! - Outcomes are committed through [`Store::write`] after the call
//!   returned; the single writer connection is never held across a network
//!   call. An outcome that cannot be committed is kept in memory (its chat
//!   stays busy) and written again on the next round.
//! - Failures: see [`classify`]. A 429 pauses the chat (see
//!   [`Pace::throttled`]) and retries the same row without counting it;
//!   network trouble and 5xx answers are retried with [`backoff`]; answers
//!   Telegram will never accept (blocked by the user, chat not found, other
//!   4xx) mark the row failed, which keeps it in the table with the error.
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
//!   and a repeated callback answer only gets "query is too old".
//!
//! Rows still in flight when the sender shuts down stay pending and go
//! again at the next start, with the same caveat.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use teloxide::payloads::{AnswerCallbackQuery, EditMessageText, SendMessage};
use teloxide::requests::JsonRequest;
use teloxide::types::{
    ButtonRequest, CallbackQueryId, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup,
    KeyboardRemove, MessageId, ReplyMarkup,
};
use teloxide::{ApiError, Bot, RequestError};
use tokio::sync::{Notify, watch};
use tokio::task::{self, JoinError, JoinSet};

use crate::outgoing::{Keyboard, Outgoing};
use crate::store::outbox::{self, Queued};
use crate::store::{Store, StoreError};
use crate::telegram::pace::{Limits, Pace};

/// The outbox channel this sender drains.
pub const CHANNEL: &str = "telegram";

/// Rows fetched per round (plus one per chat already in flight).
const BATCH: u32 = 200;
/// The first retry waits this long; each further one twice as long …
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// … up to this.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// About a day of retries at the capped backoff: past that, the reply is
/// stale and keeping it would hold back the chat's newer replies forever.
pub const MAX_ATTEMPTS: u32 = 1500;
/// After a database error the loop waits this long before trying again.
const DB_PAUSE: Duration = Duration::from_secs(5);
/// A 429 never pauses for less than this, so a "retry after 0" cannot spin.
const MIN_PAUSE: Duration = Duration::from_secs(1);
/// How long shutdown waits for calls in flight: teloxide's 17 s client
/// timeout plus its 10 s sleep on a 5xx.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

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

/// Which Bot API method a row became.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    Send,
    Edit,
    Answer,
}

/// One Bot API call, built from an outbox row. Pure, so that the mapping
/// is tested without a network.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Send(SendMessage),
    Edit(EditMessageText),
    Answer(AnswerCallbackQuery),
}

impl Request {
    pub fn call(&self) -> Call {
        match self {
            Request::Send(_) => Call::Send,
            Request::Edit(_) => Call::Edit,
            Request::Answer(_) => Call::Answer,
        }
    }
}

/// The Bot API call for `payload` in `chat_id`.
pub fn request_for(chat_id: i64, payload: &Outgoing) -> Request {
    match payload {
        Outgoing::Send { text, keyboard } => {
            let mut send = SendMessage::new(ChatId(chat_id), text.clone());
            send.reply_markup = reply_markup(keyboard);
            Request::Send(send)
        }
        Outgoing::Edit { message_id, text, keyboard } => {
            let mut edit = EditMessageText::new(ChatId(chat_id), MessageId(*message_id), text.clone());
            edit.reply_markup = inline_markup(keyboard);
            Request::Edit(edit)
        }
        Outgoing::AnswerButton { callback_id, notice } => {
            let mut answer = AnswerCallbackQuery::new(CallbackQueryId(callback_id.clone()));
            answer.text = notice.clone();
            Request::Answer(answer)
        }
    }
}

/// The markup for a new message.
pub fn reply_markup(keyboard: &Keyboard) -> Option<ReplyMarkup> {
    match keyboard {
        Keyboard::None => None,
        Keyboard::Inline { .. } => inline_markup(keyboard).map(ReplyMarkup::InlineKeyboard),
        Keyboard::ShareContact { label } => Some(ReplyMarkup::Keyboard(
            KeyboardMarkup::new([[KeyboardButton::new(label.clone()).request(ButtonRequest::Contact)]])
                .resize_keyboard()
                .one_time_keyboard(),
        )),
        Keyboard::Remove => Some(ReplyMarkup::KeyboardRemove(KeyboardRemove::new())),
    }
}

/// The markup for an edit: Telegram edits carry inline keyboards only, so
/// any other keyboard leaves the edited message without buttons.
pub fn inline_markup(keyboard: &Keyboard) -> Option<InlineKeyboardMarkup> {
    match keyboard {
        Keyboard::Inline { rows } => Some(InlineKeyboardMarkup::new(rows.iter().map(|row| {
            row.iter().map(|button| InlineKeyboardButton::callback(button.label.clone(), button.data.clone()))
        }))),
        Keyboard::None | Keyboard::ShareContact { .. } | Keyboard::Remove => None,
    }
}

/// What to do with a row after a failed call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// It did what it should (an edit that changed nothing, an answer that
    /// arrived but was unreadable and said `ok`).
    Sent,
    /// Transient: try again after [`backoff`]. `maybe_delivered` when
    /// Telegram may have executed it anyway (timeout, 5xx).
    Retry { maybe_delivered: bool },
    /// 429: pause the chat this long and retry, not counted as a failure.
    Paused(Duration),
    /// Telegram will never accept it.
    Failed,
    /// The message to edit is gone or too old: send the text as a new message.
    SendAsNew,
    /// The group became a supergroup with this chat id: send there.
    Moved(i64),
}

/// Descriptions of 4xx answers. teloxide drops the HTTP status, so an
/// unrecognised description is judged by its prefix; anything else
/// ("Internal Server Error", "Bad Gateway", …) is taken as transient.
const PERMANENT_PREFIXES: [&str; 6] =
    ["Bad Request", "Forbidden", "Unauthorized", "Not Found", "Conflict", "Request Entity Too Large"];

/// Sorts a failed call's error into what to do with its row.
pub fn classify(error: &RequestError, call: Call) -> Disposition {
    match error {
        RequestError::RetryAfter(seconds) => Disposition::Paused(seconds.duration()),
        RequestError::MigrateToChatId(chat) => Disposition::Moved(chat.0),
        // A refused connection never reached Telegram; anything later might have.
        RequestError::Network(error) => Disposition::Retry { maybe_delivered: !error.is_connect() },
        RequestError::InvalidJson { raw, .. } if delivered(raw).is_some() => Disposition::Sent,
        // Typically an HTML page from a proxy in front of a failing server.
        RequestError::InvalidJson { .. } | RequestError::Io(_) => Disposition::Retry { maybe_delivered: true },
        RequestError::Api(api) => match (api, call) {
            (ApiError::MessageNotModified, Call::Edit) => Disposition::Sent,
            (
                ApiError::MessageToEditNotFound | ApiError::MessageCantBeEdited | ApiError::MessageIdInvalid,
                Call::Edit,
            ) => Disposition::SendAsNew,
            // The bot's configuration is wrong, not the reply: keep it for a fixed restart.
            (ApiError::InvalidToken, _) => Disposition::Retry { maybe_delivered: false },
            (ApiError::Unknown(description), _) => {
                if PERMANENT_PREFIXES.iter().any(|prefix| description.starts_with(prefix)) {
                    Disposition::Failed
                } else {
                    Disposition::Retry { maybe_delivered: true }
                }
            }
            // Every other known description is a 4xx: blocked, chat not found,
            // "query is too old" for a callback answer, text too long, …
            _ => Disposition::Failed,
        },
    }
}

/// For an answer teloxide could not parse: `Some(message id if any)` when
/// Telegram said it executed the call.
fn delivered(raw: &str) -> Option<Option<i32>> {
    let value: serde_json::Value = serde_json::from_str(raw).ok()?;
    if value.get("ok")? != &serde_json::Value::Bool(true) {
        return None;
    }
    let message_id = value.pointer("/result/message_id").and_then(serde_json::Value::as_i64);
    Some(message_id.and_then(|id| i32::try_from(id).ok()))
}

/// The wait before retry number `attempts + 1`: 1 s, 2 s, 4 s … capped at 60 s.
pub fn backoff(attempts: u32) -> Duration {
    let factor = 1u32.checked_shl(attempts).unwrap_or(u32::MAX);
    FIRST_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
}

/// What a call task returns: the message id it produced, if any.
type CallResult = Result<Option<i32>, RequestError>;

async fn perform(bot: Bot, request: Request) -> CallResult {
    match request {
        Request::Send(send) => JsonRequest::new(bot, send).await.map(|message| Some(message.id.0)),
        Request::Edit(edit) => JsonRequest::new(bot, edit).await.map(|message| Some(message.id.0)),
        Request::Answer(answer) => JsonRequest::new(bot, answer).await.map(|_| None),
    }
}

struct Flight {
    row: Queued,
    call: Call,
}

/// An outcome waiting to be written; `chat` stays busy until it is.
enum Outcome {
    Sent { id: i64, chat: i64, message_id: Option<i32>, at: DateTime<Utc> },
    Retry { id: i64, chat: i64, error: String, not_before: DateTime<Utc> },
    Failed { id: i64, chat: i64, error: String, at: DateTime<Utc> },
    Moved { chat: i64, to: i64 },
}

impl Outcome {
    fn chat(&self) -> i64 {
        match self {
            Outcome::Sent { chat, .. }
            | Outcome::Retry { chat, .. }
            | Outcome::Failed { chat, .. }
            | Outcome::Moved { chat, .. } => *chat,
        }
    }

    /// The row, if it left the queue for good.
    fn settled_row(&self) -> Option<i64> {
        match self {
            Outcome::Sent { id, .. } | Outcome::Failed { id, .. } => Some(*id),
            Outcome::Retry { .. } | Outcome::Moved { .. } => None,
        }
    }
}

pub struct Sender {
    bot: Bot,
    store: Store,
    pace: Pace,
    in_flight: JoinSet<CallResult>,
    flights: HashMap<task::Id, Flight>,
    /// Chats with a call in flight or an outcome not yet written.
    busy: HashSet<i64>,
    /// Edit rows whose message could not be edited: sent as new messages.
    as_new: HashSet<i64>,
    unsaved: Vec<Outcome>,
}

impl Sender {
    pub fn new(bot: Bot, store: Store, limits: Limits) -> Self {
        Sender {
            bot,
            store,
            pace: Pace::new(limits),
            in_flight: JoinSet::new(),
            flights: HashMap::new(),
            busy: HashSet::new(),
            as_new: HashSet::new(),
            unsaved: Vec::new(),
        }
    }

    /// Delivers until `shutdown` turns true (or its sender is dropped).
    /// `wake` is notified by the update handler after each commit that may
    /// have queued replies; otherwise the loop sleeps until the next row or
    /// the rate limits come due. Never panics; database errors are logged
    /// and retried after a pause.
    pub async fn run(mut self, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
        tracing::info!("telegram sender started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            let now = Instant::now();
            let next = match self.dispatch(Utc::now(), now).await {
                Ok(next) => next,
                Err(error) => {
                    tracing::error!(%error, "telegram sender: database error; retrying shortly");
                    Some(now + DB_PAUSE)
                }
            };
            let sleep = async {
                match next {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
                Some(done) = self.in_flight.join_next_with_id(), if !self.in_flight.is_empty() => {
                    self.finish(done, Utc::now(), Instant::now());
                    while let Some(done) = self.in_flight.try_join_next_with_id() {
                        self.finish(done, Utc::now(), Instant::now());
                    }
                }
                () = wake.notified() => {}
                () = sleep => {}
            }
        }
        self.wind_down().await;
        tracing::info!("telegram sender stopped");
    }

    /// Sends what is due at `now` and the pace allows without waiting,
    /// waits for those calls, and writes their outcomes; repeats while that
    /// frees further rows (the next row of a chat, an edit resent as a new
    /// message). Returns how many rows were settled (sent or failed).
    pub async fn drain_once(&mut self, now: DateTime<Utc>) -> Result<usize, SendError> {
        let mut settled = 0;
        // Each round settles or converts at least one row; the bound only
        // guards against a pathological Telegram (e.g. migrations in a loop).
        for _ in 0..1000 {
            self.dispatch(now, Instant::now()).await?;
            if self.in_flight.is_empty() {
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
    /// chat is free and whose pace allows it now. Returns when to look
    /// again (`None`: only a wake-up or a finished call can change things).
    async fn dispatch(&mut self, now_utc: DateTime<Utc>, now: Instant) -> Result<Option<Instant>, SendError> {
        self.save().await?;
        let limit = BATCH.saturating_add(u32::try_from(self.busy.len()).unwrap_or(u32::MAX));
        let mut conn = self.store.reader().acquire().await?;
        let rows = outbox::due(&mut conn, CHANNEL, now_utc, limit).await?;
        let later = outbox::next_due_after(&mut conn, CHANNEL, now_utc).await?;
        drop(conn);

        let mut next = later.map(|at| {
            let wait = (at - now_utc).to_std().unwrap_or_default();
            now.checked_add(wait).unwrap_or(now + MAX_BACKOFF)
        });
        let truncated = rows.len() >= limit as usize;
        let mut started = false;
        for row in rows {
            if self.busy.contains(&row.chat_id) {
                continue;
            }
            let payload = self.effective_payload(&row);
            let message = payload.is_message();
            let at = self.pace.earliest(row.chat_id, message, now);
            if at > now {
                next = Some(next.map_or(at, |next| next.min(at)));
                continue;
            }
            self.pace.record(row.chat_id, message, now);
            self.start(row, &payload);
            started = true;
        }
        if truncated && started {
            // More due rows than fetched: look again straight away.
            next = Some(now);
        }
        Ok(next)
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

    fn start(&mut self, row: Queued, payload: &Outgoing) {
        let request = request_for(row.chat_id, payload);
        let call = request.call();
        let handle = self.in_flight.spawn(perform(self.bot.clone(), request));
        self.busy.insert(row.chat_id);
        self.flights.insert(handle.id(), Flight { row, call });
    }

    /// Turns a finished call into an outcome (written by the next
    /// [`save`](Self::save)) or an in-memory change. Returns whether the row
    /// left the queue.
    fn finish(
        &mut self,
        done: Result<(task::Id, CallResult), JoinError>,
        now_utc: DateTime<Utc>,
        now: Instant,
    ) -> bool {
        let (task, result) = match done {
            Ok((task, result)) => (task, result.map_err(Some)),
            // A panicking call is retried like a network failure.
            Err(join) => (join.id(), Err(None)),
        };
        let Some(Flight { row, call }) = self.flights.remove(&task) else {
            tracing::error!("telegram sender: a finished call has no row");
            return false;
        };
        let (id, chat) = (row.id, row.chat_id);
        let error = match result {
            Ok(message_id) => {
                self.unsaved.push(Outcome::Sent { id, chat, message_id, at: now_utc });
                return true;
            }
            Err(error) => error,
        };
        let disposition = match &error {
            Some(error) => classify(error, call),
            None => Disposition::Retry { maybe_delivered: true },
        };
        let text = error.as_ref().map_or_else(|| "the call panicked".to_owned(), ToString::to_string);
        match disposition {
            Disposition::Sent => {
                let message_id = match (&error, &row.payload) {
                    (Some(RequestError::InvalidJson { raw, .. }), _) => delivered(raw).flatten(),
                    (_, Outgoing::Edit { message_id, .. }) if call == Call::Edit => Some(*message_id),
                    _ => None,
                };
                self.unsaved.push(Outcome::Sent { id, chat, message_id, at: now_utc });
                true
            }
            Disposition::Paused(wait) => {
                let wait = wait.max(MIN_PAUSE);
                let everyone = self.pace.throttled(chat, wait, now);
                tracing::warn!(id, chat, ?wait, everyone, "telegram: too many requests; pausing");
                self.busy.remove(&chat);
                false
            }
            Disposition::SendAsNew => {
                tracing::info!(id, chat, error = %text, "telegram: message cannot be edited; sending it as a new one");
                self.as_new.insert(id);
                self.busy.remove(&chat);
                false
            }
            Disposition::Moved(to) => {
                tracing::warn!(id, chat, to, "telegram: group migrated to a supergroup; moving its replies");
                self.unsaved.push(Outcome::Moved { chat, to });
                false
            }
            Disposition::Failed => {
                self.unsaved.push(Outcome::Failed { id, chat, error: text, at: now_utc });
                true
            }
            Disposition::Retry { maybe_delivered } => {
                let attempts = row.attempts.saturating_add(1);
                if attempts >= MAX_ATTEMPTS {
                    let error = format!("gave up after {attempts} attempts: {text}");
                    self.unsaved.push(Outcome::Failed { id, chat, error, at: now_utc });
                    return true;
                }
                let wait = backoff(row.attempts);
                tracing::warn!(id, chat, attempts, ?wait, maybe_delivered, error = %text, "telegram: call failed; retrying");
                let error = if maybe_delivered { format!("{text} (may have been delivered)") } else { text };
                let not_before = chrono::TimeDelta::from_std(wait)
                    .ok()
                    .and_then(|wait| now_utc.checked_add_signed(wait))
                    .unwrap_or(now_utc);
                self.unsaved.push(Outcome::Retry { id, chat, error, not_before });
                false
            }
        }
    }

    /// Writes the outcomes gathered so far in one transaction; on failure
    /// they stay queued for the next attempt.
    async fn save(&mut self) -> Result<(), StoreError> {
        if self.unsaved.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.write().await?;
        for outcome in &self.unsaved {
            match outcome {
                Outcome::Sent { id, message_id, at, .. } => outbox::mark_sent(&mut tx, *id, *message_id, *at).await?,
                Outcome::Retry { id, error, not_before, .. } => {
                    outbox::retry_later(&mut tx, *id, error, *not_before).await?
                }
                Outcome::Failed { id, error, at, .. } => outbox::mark_failed(&mut tx, *id, error, *at).await?,
                Outcome::Moved { chat, to } => {
                    outbox::retarget(&mut tx, CHANNEL, *chat, *to).await?;
                }
            }
        }
        tx.commit().await?;
        for outcome in self.unsaved.drain(..) {
            self.busy.remove(&outcome.chat());
            if let Some(id) = outcome.settled_row() {
                self.as_new.remove(&id);
            }
        }
        Ok(())
    }

    /// Waits a while for calls in flight and writes their outcomes; rows
    /// still unanswered after that stay pending for the next start.
    async fn wind_down(&mut self) {
        let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
        while !self.in_flight.is_empty() {
            match tokio::time::timeout_at(deadline, self.in_flight.join_next_with_id()).await {
                Ok(Some(done)) => {
                    self.finish(done, Utc::now(), Instant::now());
                }
                Ok(None) => break,
                Err(_) => {
                    tracing::warn!(
                        calls = self.in_flight.len(),
                        "telegram sender: calls still in flight at shutdown; their replies go again at the next start"
                    );
                    self.in_flight.abort_all();
                    break;
                }
            }
        }
        if let Err(error) = self.save().await {
            tracing::error!(%error, "telegram sender: could not record the last outcomes; those replies may go twice");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outgoing::ButtonSpec;
    use teloxide::types::Seconds;

    fn api(error: ApiError) -> RequestError {
        RequestError::Api(error)
    }

    fn invalid_json(raw: &str) -> RequestError {
        let source = serde_json::from_str::<serde_json::Value>("<html>").expect_err("not json");
        RequestError::InvalidJson { source: Arc::new(source), raw: raw.into() }
    }

    #[test]
    fn classify_table() {
        use Call::*;
        use Disposition::*;
        let retry = Retry { maybe_delivered: true };
        let cases: Vec<(RequestError, Call, Disposition)> = vec![
            (RequestError::RetryAfter(Seconds::from_seconds(7)), Send, Paused(Duration::from_secs(7))),
            (RequestError::MigrateToChatId(ChatId(-1001)), Send, Moved(-1001)),
            (invalid_json("<html>502 Bad Gateway</html>"), Send, retry.clone()),
            (invalid_json(r#"{"ok":true,"result":{"message_id":9,"unparseable":1}}"#), Send, Sent),
            (invalid_json(r#"{"ok":false}"#), Send, retry.clone()),
            (RequestError::Io(Arc::new(std::io::Error::other("reset"))), Send, retry.clone()),
            (api(ApiError::BotBlocked), Send, Failed),
            (api(ApiError::ChatNotFound), Send, Failed),
            (api(ApiError::UserDeactivated), Send, Failed),
            (api(ApiError::MessageIsTooLong), Send, Failed),
            (api(ApiError::ButtonDataInvalid), Send, Failed),
            (api(ApiError::InvalidToken), Send, Retry { maybe_delivered: false }),
            (api(ApiError::MessageNotModified), Edit, Sent),
            (api(ApiError::MessageNotModified), Send, Failed),
            (api(ApiError::MessageToEditNotFound), Edit, SendAsNew),
            (api(ApiError::MessageCantBeEdited), Edit, SendAsNew),
            (api(ApiError::MessageIdInvalid), Edit, SendAsNew),
            (api(ApiError::BotBlocked), Edit, Failed),
            (api(ApiError::InvalidQueryId), Answer, Failed),
            (api(ApiError::Unknown("Internal Server Error".into())), Send, retry.clone()),
            (api(ApiError::Unknown("Bad Gateway".into())), Answer, retry.clone()),
            (api(ApiError::Unknown("Bad Request: some new complaint".into())), Send, Failed),
            (api(ApiError::Unknown("Forbidden: bot is not a member".into())), Send, Failed),
        ];
        for (error, call, expected) in cases {
            assert_eq!(classify(&error, call), expected, "{error} as {call:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let secs: Vec<u64> = (0..10).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }

    fn json(request: &Request) -> serde_json::Value {
        match request {
            Request::Send(send) => serde_json::to_value(send),
            Request::Edit(edit) => serde_json::to_value(edit),
            Request::Answer(answer) => serde_json::to_value(answer),
        }
        .expect("serialises")
    }

    fn inline() -> Keyboard {
        let button = |label: &str, data: &str| ButtonSpec { label: label.into(), data: data.into() };
        Keyboard::Inline { rows: vec![vec![button("Yes", "y"), button("No", "n")], vec![button("Agent", "agent")]] }
    }

    #[test]
    fn sends_map_to_bot_api_json() {
        let send = |keyboard| request_for(42, &Outgoing::Send { text: "hi".into(), keyboard });
        assert_eq!(json(&send(Keyboard::None)), serde_json::json!({"chat_id": 42, "text": "hi"}));
        assert_eq!(
            json(&send(inline()))["reply_markup"],
            serde_json::json!({"inline_keyboard": [
                [{"text": "Yes", "callback_data": "y"}, {"text": "No", "callback_data": "n"}],
                [{"text": "Agent", "callback_data": "agent"}],
            ]})
        );
        let contact = json(&send(Keyboard::ShareContact { label: "Share my number".into() }));
        assert_eq!(
            contact["reply_markup"]["keyboard"],
            serde_json::json!([[{"text": "Share my number", "request_contact": true}]])
        );
        assert_eq!(contact["reply_markup"]["resize_keyboard"], true);
        assert_eq!(contact["reply_markup"]["one_time_keyboard"], true);
        assert_eq!(json(&send(Keyboard::Remove))["reply_markup"]["remove_keyboard"], true);
    }

    #[test]
    fn edits_and_answers_map_to_bot_api_json() {
        let edit = |keyboard| request_for(42, &Outgoing::Edit { message_id: 7, text: "done".into(), keyboard });
        let with_buttons = edit(inline());
        assert_eq!(with_buttons.call(), Call::Edit);
        let value = json(&with_buttons);
        assert_eq!((value["chat_id"].clone(), value["message_id"].clone()), (42.into(), 7.into()));
        assert!(value["reply_markup"]["inline_keyboard"].is_array());
        // Edits carry inline keyboards only: a reply keyboard is dropped.
        assert!(json(&edit(Keyboard::ShareContact { label: "x".into() })).get("reply_markup").is_none());

        let answer = |notice: Option<&str>| {
            request_for(42, &Outgoing::AnswerButton { callback_id: "cb1".into(), notice: notice.map(Into::into) })
        };
        assert_eq!(json(&answer(None)), serde_json::json!({"callback_query_id": "cb1"}));
        assert_eq!(json(&answer(Some("Saved")))["text"], "Saved");
    }

    /// A minimal stand-in for the Bot API, local to these tests: answers
    /// each call from a script and records what it was asked.
    mod fake {
        use std::sync::Mutex;

        use axum::Json;
        use axum::extract::{Path, State};
        use axum::http::StatusCode;
        use serde_json::{Value, json};

        pub type Script = Box<dyn Fn(&str, &Value, usize) -> (StatusCode, Value) + Send + Sync>;

        pub struct Fake {
            pub calls: Mutex<Vec<(String, Value)>>,
            pub script: Script,
        }

        pub fn message(chat: i64, id: i64) -> (StatusCode, Value) {
            let chat = json!({"id": chat, "type": "private", "first_name": "C"});
            (StatusCode::OK, json!({"ok": true, "result": {"message_id": id, "date": 0, "chat": chat, "text": "t"}}))
        }

        pub fn error(status: StatusCode, description: &str) -> (StatusCode, Value) {
            (status, json!({"ok": false, "error_code": status.as_u16(), "description": description}))
        }

        async fn handle(
            State(fake): State<std::sync::Arc<Fake>>,
            Path((_token, method)): Path<(String, String)>,
            Json(body): Json<Value>,
        ) -> (StatusCode, Json<Value>) {
            // teloxide writes method names capitalised; the Bot API ignores case.
            let method = method.to_lowercase();
            let n = {
                let mut calls = fake.calls.lock().expect("lock");
                calls.push((method.clone(), body.clone()));
                calls.len()
            };
            let (status, value) = (fake.script)(&method, &body, n);
            (status, Json(value))
        }

        /// Serves on 127.0.0.1 and returns the API base URL.
        pub async fn serve(fake: std::sync::Arc<Fake>) -> String {
            let app = axum::Router::new().route("/{token}/{method}", axum::routing::post(handle)).with_state(fake);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            tokio::spawn(async move { axum::serve(listener, app).await });
            format!("http://{addr}/")
        }
    }

    use axum::http::StatusCode;
    use chrono::TimeDelta;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("sender.db").display());
        (dir, Store::open(&url).await.expect("open store"))
    }

    async fn queue(store: &Store, chat: i64, payload: Outgoing, now: DateTime<Utc>) -> i64 {
        let mut tx = store.write().await.expect("tx");
        let id = outbox::enqueue(&mut tx, CHANNEL, chat, &payload, None, now, now).await.expect("enqueue");
        tx.commit().await.expect("commit");
        id
    }

    fn say(text: &str) -> Outgoing {
        Outgoing::Send { text: text.into(), keyboard: Keyboard::None }
    }

    type Row = (i64, i64, String, i64, Option<String>, Option<i64>);

    async fn rows(store: &Store) -> Vec<Row> {
        sqlx::query_as("SELECT id, chat_id, status, attempts, last_error, message_id FROM outbox ORDER BY id")
            .fetch_all(store.reader())
            .await
            .expect("rows")
    }

    fn bot(base: &str) -> Bot {
        Bot::new("1:TEST").set_api_url(base.parse().expect("url"))
    }

    async fn with_fake(script: fake::Script) -> (std::sync::Arc<fake::Fake>, Bot) {
        let fake = std::sync::Arc::new(fake::Fake { calls: Default::default(), script });
        let base = fake::serve(fake.clone()).await;
        (fake, bot(&base))
    }

    fn texts(fake: &fake::Fake) -> Vec<(String, String)> {
        let calls = fake.calls.lock().expect("lock");
        calls
            .iter()
            .map(|(method, body)| (method.clone(), body["text"].as_str().unwrap_or_default().to_owned()))
            .collect()
    }

    #[tokio::test]
    async fn delivers_in_order_and_records_outcomes() {
        let (_dir, store) = store().await;
        let now = Utc::now();
        queue(&store, 1, say("a1"), now).await;
        queue(&store, 1, say("a2"), now).await;
        queue(&store, 2, say("blocked"), now).await;
        queue(&store, 3, Outgoing::AnswerButton { callback_id: "old".into(), notice: None }, now).await;
        let (fake, bot) = with_fake(Box::new(|method, body, n| match (method, body["chat_id"].as_i64()) {
            ("sendmessage", Some(2)) => fake::error(StatusCode::FORBIDDEN, "Forbidden: bot was blocked by the user"),
            ("sendmessage", Some(chat)) => fake::message(chat, 100 + n as i64),
            _ => fake::error(
                StatusCode::BAD_REQUEST,
                "Bad Request: query is too old and response timeout expired or query id is invalid",
            ),
        }))
        .await;
        let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());
        assert_eq!(sender.drain_once(now).await.expect("drain"), 4);
        let sent: Vec<_> = texts(&fake).into_iter().filter(|(_, text)| text.starts_with('a')).collect();
        assert_eq!(sent, [("sendmessage".to_owned(), "a1".to_owned()), ("sendmessage".to_owned(), "a2".to_owned())]);
        let rows = rows(&store).await;
        let status: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
        assert_eq!(status, ["sent", "sent", "failed", "failed"]);
        assert!(rows[0].5.is_some());
        assert_eq!(rows[2].4.as_deref(), Some("A Telegram's error: Forbidden: bot was blocked by the user"));
    }

    #[tokio::test]
    async fn pace_holds_the_next_message_to_a_chat() {
        let (_dir, store) = store().await;
        let now = Utc::now();
        queue(&store, 1, say("a1"), now).await;
        queue(&store, 1, say("a2"), now).await;
        let (fake, bot) =
            with_fake(Box::new(|_, body, n| fake::message(body["chat_id"].as_i64().unwrap_or(0), n as i64))).await;
        let mut sender = Sender::new(bot, store.clone(), Limits::default());
        // The second message to the chat would break the 1 s gap: not now.
        assert_eq!(sender.drain_once(now).await.expect("drain"), 1);
        assert_eq!(texts(&fake).len(), 1);
    }

    #[tokio::test]
    async fn unedited_messages_are_resent_and_429_pauses() {
        let (_dir, store) = store().await;
        let now = Utc::now();
        let edit = Outgoing::Edit { message_id: 5, text: "answer".into(), keyboard: Keyboard::None };
        queue(&store, 1, edit, now).await;
        queue(&store, 1, Outgoing::Edit { message_id: 6, text: "same".into(), keyboard: Keyboard::None }, now).await;
        queue(&store, 2, say("flooded"), now).await;
        let (fake, bot) = with_fake(Box::new(|method, body, n| match (method, body["message_id"].as_i64()) {
            ("editmessagetext", Some(5)) => {
                fake::error(StatusCode::BAD_REQUEST, "Bad Request: message to edit not found")
            }
            ("editmessagetext", _) => fake::error(
                StatusCode::BAD_REQUEST,
                "Bad Request: message is not modified: specified new message content and reply markup are exactly \
                 the same as a current content and reply markup of the message",
            ),
            _ if body["chat_id"] == 2 => (
                StatusCode::TOO_MANY_REQUESTS,
                serde_json::json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 30",
                                   "parameters": {"retry_after": 30}}),
            ),
            _ => fake::message(1, 50 + n as i64),
        }))
        .await;
        let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());
        assert_eq!(sender.drain_once(now).await.expect("drain"), 2);
        let methods: Vec<String> = texts(&fake).into_iter().filter(|c| c.1 != "flooded").map(|c| c.0).collect();
        assert_eq!(methods, ["editmessagetext", "sendmessage", "editmessagetext"]);
        let rows = rows(&store).await;
        assert_eq!((rows[0].2.as_str(), rows[1].2.as_str(), rows[1].5), ("sent", "sent", Some(6)));
        // The 429 is neither a failure nor an attempt; the chat is paused.
        assert_eq!((rows[2].2.as_str(), rows[2].3), ("pending", 0));
        assert_eq!(sender.drain_once(now).await.expect("drain"), 0);
        assert_eq!(texts(&fake).iter().filter(|c| c.1 == "flooded").count(), 1);
    }

    #[tokio::test]
    async fn unreachable_api_backs_off_and_keeps_the_row() {
        let (_dir, store) = store().await;
        // A port that was just free: connections are refused.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}/", listener.local_addr().expect("addr"));
        drop(listener);
        let now = Utc::now();
        queue(&store, 1, say("hello"), now).await;
        let mut sender = Sender::new(bot(&base), store.clone(), Limits::unlimited());
        assert_eq!(sender.drain_once(now).await.expect("drain"), 0);
        let rows = rows(&store).await;
        assert_eq!((rows[0].2.as_str(), rows[0].3), ("pending", 1));
        assert!(rows[0].4.as_deref().is_some_and(|e| e.contains("network") && !e.contains("may have been")));
        let mut conn = store.reader().acquire().await.expect("conn");
        let next = outbox::next_due_at(&mut conn, CHANNEL).await.expect("next");
        assert_eq!(next, Some(now + TimeDelta::seconds(1)));
    }

    #[tokio::test]
    async fn run_delivers_on_wake_and_stops_on_shutdown() {
        let (_dir, store) = store().await;
        let (fake, bot) =
            with_fake(Box::new(|_, body, n| fake::message(body["chat_id"].as_i64().unwrap_or(0), n as i64))).await;
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let sender = tokio::spawn(Sender::new(bot, store.clone(), Limits::default()).run(wake.clone(), stopped));
        queue(&store, 7, say("hello"), Utc::now()).await;
        wake.notify_one();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while rows(&store).await[0].2 != "sent" {
            assert!(tokio::time::Instant::now() < deadline, "not delivered");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // A reply queued for later goes when it comes due: the wake-up only
        // tells the sender it exists.
        queue(&store, 8, say("later"), Utc::now() + TimeDelta::milliseconds(300)).await;
        wake.notify_one();
        while rows(&store).await[1].2 != "sent" {
            assert!(tokio::time::Instant::now() < deadline, "not delivered");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(texts(&fake).len(), 2);
        stop.send(true).expect("send");
        tokio::time::timeout(Duration::from_secs(5), sender).await.expect("stops").expect("no panic");
    }
}
