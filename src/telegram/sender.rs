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
//! # Topics
//!
//! A row with a `topic_key` goes into that topic of the agents' group (see
//! [`crate::store::topics`]). Before the row's own call, [`plan`] brings the
//! topic up to date, in this order: create the forum topic, post the card,
//! pin it, post the evidence album. Each of these is one call per dispatch,
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
//!   and a repeated callback answer only gets "query is too old".
//!
//! The same holds for the topic steps: a retried createForumTopic may leave
//! an empty duplicate topic behind, a retried card post a second card.
//!
//! Rows still in flight when the sender shuts down stay pending and go
//! again at the next start, with the same caveat.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use teloxide::payloads::{
    AnswerCallbackQuery, CloseForumTopic, CopyMessage, CreateForumTopic, EditMessageCaption, EditMessageText,
    PinChatMessage, ReopenForumTopic, SendDocument, SendMediaGroup, SendMessage, SendPhoto, SendVideo,
};
use teloxide::requests::{JsonRequest, MultipartRequest};
use teloxide::types::{
    ButtonRequest, CallbackQueryId, ChatId, FileId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, InputMedia,
    InputMediaDocument, InputMediaPhoto, InputMediaVideo, KeyboardButton, KeyboardMarkup, KeyboardRemove, MessageId,
    ReplyMarkup, ReplyParameters, ThreadId,
};
use teloxide::{ApiError, Bot, RequestError};
use tokio::sync::{Notify, watch};
use tokio::task::{self, JoinError, JoinSet};

use crate::clock::Clock;
use crate::outgoing::{AlbumItem, AlbumKind, Keyboard, Outgoing};
use crate::store::outbox::{self, Queued};
use crate::store::topics::{self, Topic};
use crate::store::{Store, StoreError};
use crate::telegram::pace::{Limits, Pace, Ticket};

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
/// Telegram's limit on the items of one album (sendMediaGroup takes 2–10).
pub const MAX_ALBUM: usize = 10;
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

/// Which kind of Bot API call a request is, as far as errors go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// A new message: sendMessage, copyMessage, sendMediaGroup, sendPhoto, …
    Send,
    /// editMessageText or editMessageCaption.
    Edit,
    Answer,
    /// createForumTopic, closeForumTopic, reopenForumTopic.
    Topic,
    Pin,
}

/// One Bot API call, built from an outbox row. Pure, so that the mapping
/// is tested without a network.
#[derive(Clone, Debug)]
pub enum Request {
    Send(SendMessage),
    Edit(EditMessageText),
    EditCaption(EditMessageCaption),
    Answer(AnswerCallbackQuery),
    Copy(CopyMessage),
    Album(SendMediaGroup),
    Photo(SendPhoto),
    Video(SendVideo),
    Document(SendDocument),
    CreateTopic(CreateForumTopic),
    Pin(PinChatMessage),
    CloseTopic(CloseForumTopic),
    ReopenTopic(ReopenForumTopic),
}

impl Request {
    pub fn call(&self) -> Call {
        match self {
            Request::Send(_)
            | Request::Copy(_)
            | Request::Album(_)
            | Request::Photo(_)
            | Request::Video(_)
            | Request::Document(_) => Call::Send,
            Request::Edit(_) | Request::EditCaption(_) => Call::Edit,
            Request::Answer(_) => Call::Answer,
            Request::CreateTopic(_) | Request::CloseTopic(_) | Request::ReopenTopic(_) => Call::Topic,
            Request::Pin(_) => Call::Pin,
        }
    }

    /// How many messages Telegram counts against its rate limits: an album
    /// is one message per item; edits, answers and topic calls are none.
    pub fn messages(&self) -> usize {
        match self {
            Request::Album(album) => album.media.len(),
            _ if self.call() == Call::Send => 1,
            _ => 0,
        }
    }

    /// The message an edit changes: what an edit that "changed nothing" produced.
    fn target(&self) -> Option<i32> {
        match self {
            Request::Edit(edit) => Some(edit.message_id.0),
            Request::EditCaption(edit) => Some(edit.message_id.0),
            _ => None,
        }
    }
}

/// Why a call is made: for the row itself, or for its topic first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The row's own call.
    Row,
    /// createForumTopic: the topic has no thread (yet, or any more).
    CreateTopic,
    /// reopenForumTopic: a send found the topic closed.
    Reopen,
    /// The card, as a new message in the topic.
    PostCard,
    /// pinChatMessage of the card (forum topics only).
    PinCard,
    /// The evidence album, under the card.
    PostAlbum,
}

impl Step {
    /// Prefixes a prerequisite's error, so the row's `last_error` says which call failed.
    fn label(self) -> &'static str {
        match self {
            Step::Row => "",
            Step::CreateTopic => "creating the topic: ",
            Step::Reopen => "reopening the topic: ",
            Step::PostCard => "posting the topic card: ",
            Step::PinCard => "pinning the topic card: ",
            Step::PostAlbum => "posting the topic album: ",
        }
    }
}

/// What the sender does next for a row.
#[derive(Clone, Debug)]
pub enum Plan {
    /// Make this call; its outcome belongs to `step`. (Boxed: requests are large.)
    Call { step: Step, request: Box<Request> },
    /// Nothing (more) to call: the row is sent, having produced `message_id`.
    Done { message_id: Option<i32> },
    /// The row can never be delivered.
    Fail(String),
}

/// What [`plan`] needs besides the row's chat and payload, read by the
/// loop just before: the row's topic and earlier messages.
#[derive(Clone, Copy, Debug, Default)]
pub struct Facts<'a> {
    /// The row's `topic_key`.
    pub topic_key: Option<&'a str>,
    /// The topic of that key, if it exists.
    pub topic: Option<&'a Topic>,
    /// For `EditCopy`: the message the copied row produced (None: not sent).
    pub original: Option<i32>,
    /// A send found the topic closed: reopen it first.
    pub reopen: bool,
    /// For `Card`: the card was (re)posted during this row's sequence, with
    /// the current text, so there is nothing left to edit.
    pub fresh_card: bool,
}

/// Where a new message goes in its chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Chat,
    /// Into a forum topic.
    Thread(i32),
    /// As a reply to a message (a plain group's card); still sent if it is gone.
    ReplyTo(i32),
}

impl Place {
    fn apply(self, thread: &mut Option<ThreadId>, reply: &mut Option<ReplyParameters>) {
        match self {
            Place::Chat => {}
            Place::Thread(id) => *thread = Some(ThreadId(MessageId(id))),
            Place::ReplyTo(id) => *reply = Some(ReplyParameters::new(MessageId(id)).allow_sending_without_reply()),
        }
    }
}

/// The next call (or verdict) for a row with `payload` in `chat_id`.
pub fn plan(chat_id: i64, payload: &Outgoing, facts: &Facts<'_>) -> Plan {
    let chat = ChatId(chat_id);
    let call = |request| Plan::Call { step: Step::Row, request: Box::new(request) };
    match payload {
        Outgoing::Edit { message_id, text, keyboard } => {
            let mut edit = EditMessageText::new(chat, MessageId(*message_id), text.clone());
            edit.reply_markup = inline_markup(keyboard);
            call(Request::Edit(edit))
        }
        Outgoing::AnswerButton { callback_id, notice } => {
            let mut answer = AnswerCallbackQuery::new(CallbackQueryId(callback_id.clone()));
            answer.text = notice.clone();
            call(Request::Answer(answer))
        }
        Outgoing::EditCopy { text, media, .. } => {
            let Some(message_id) = facts.original else {
                return Plan::Fail("original not delivered".to_owned());
            };
            if *media {
                let mut edit = EditMessageCaption::new(chat, MessageId(message_id));
                edit.caption = Some(text.clone());
                call(Request::EditCaption(edit))
            } else {
                call(Request::Edit(EditMessageText::new(chat, MessageId(message_id), text.clone())))
            }
        }
        Outgoing::TopicState { open } => {
            let topic = match topic_of(facts) {
                Ok(topic) => topic,
                Err(why) => return Plan::Fail(why.to_owned()),
            };
            // Never create a topic just to close it: no thread, nothing to change.
            match (topic.forum, topic.thread_id) {
                (true, Some(thread)) => {
                    let thread = ThreadId(MessageId(thread));
                    call(if *open {
                        Request::ReopenTopic(ReopenForumTopic::new(chat, thread))
                    } else {
                        Request::CloseTopic(CloseForumTopic::new(chat, thread))
                    })
                }
                _ => Plan::Done { message_id: None },
            }
        }
        Outgoing::Card => {
            let topic = match topic_of(facts) {
                Ok(topic) => topic,
                Err(why) => return Plan::Fail(why.to_owned()),
            };
            if let Some(step) = topic_step(chat_id, topic, facts.reopen) {
                return step;
            }
            match topic.card_message_id {
                Some(card) if !facts.fresh_card => {
                    let mut edit = EditMessageText::new(chat, MessageId(card), topic.card_text.clone());
                    edit.reply_markup = inline_markup(&topic.card_keyboard);
                    call(Request::Edit(edit))
                }
                card => Plan::Done { message_id: card },
            }
        }
        Outgoing::Send { .. } | Outgoing::Copy { .. } | Outgoing::Album { .. } => {
            if let Outgoing::Album { items, .. } = payload
                && !(1..=MAX_ALBUM).contains(&items.len())
            {
                return Plan::Fail(format!("an album needs 1 to {MAX_ALBUM} items, not {}", items.len()));
            }
            let place = match facts.topic_key {
                None => Place::Chat,
                Some(_) => {
                    let topic = match topic_of(facts) {
                        Ok(topic) => topic,
                        Err(why) => return Plan::Fail(why.to_owned()),
                    };
                    if let Some(step) = topic_step(chat_id, topic, facts.reopen) {
                        return step;
                    }
                    topic_place(topic)
                }
            };
            match new_message(chat_id, payload, place) {
                Some(request) => call(request),
                None => Plan::Fail("not a new message".to_owned()),
            }
        }
    }
}

/// The row's topic, or why a row has none.
fn topic_of<'a>(facts: &Facts<'a>) -> Result<&'a Topic, &'static str> {
    match (facts.topic_key, facts.topic) {
        (Some(_), Some(topic)) => Ok(topic),
        (Some(_), None) => Err("unknown topic"),
        (None, _) => Err("a card or topic change needs a topic"),
    }
}

/// The first thing the topic lacks before a message can go into it, as a
/// call; `None` when it is complete.
fn topic_step(chat_id: i64, topic: &Topic, reopen: bool) -> Option<Plan> {
    let chat = ChatId(chat_id);
    let step = |step, request| Some(Plan::Call { step, request: Box::new(request) });
    if topic.forum {
        match topic.thread_id {
            None => return step(Step::CreateTopic, Request::CreateTopic(CreateForumTopic::new(chat, &topic.name))),
            Some(thread) if reopen => {
                return step(
                    Step::Reopen,
                    Request::ReopenTopic(ReopenForumTopic::new(chat, ThreadId(MessageId(thread)))),
                );
            }
            Some(_) => {}
        }
    }
    let Some(card) = topic.card_message_id else {
        let mut send = SendMessage::new(chat, topic.card_text.clone());
        send.reply_markup = reply_markup(&topic.card_keyboard);
        topic_place(topic).apply(&mut send.message_thread_id, &mut send.reply_parameters);
        return step(Step::PostCard, Request::Send(send));
    };
    if topic.forum && !topic.card_pinned {
        let mut pin = PinChatMessage::new(chat, MessageId(card));
        pin.disable_notification = Some(true);
        return step(Step::PinCard, Request::Pin(pin));
    }
    if !topic.album.is_empty() && !topic.album_posted {
        // One row holds one album; the desk keeps the evidence to Telegram's 10.
        let items = &topic.album[..topic.album.len().min(MAX_ALBUM)];
        return step(Step::PostAlbum, album_request(chat_id, items, None, topic_place(topic)));
    }
    None
}

/// Where a topic's messages go: into its thread, or under its card.
fn topic_place(topic: &Topic) -> Place {
    match (topic.forum, topic.thread_id, topic.card_message_id) {
        (true, Some(thread), _) => Place::Thread(thread),
        (false, _, Some(card)) => Place::ReplyTo(card),
        _ => Place::Chat,
    }
}

/// The call for a payload that makes a new message (`Send`, `Copy`, `Album`).
fn new_message(chat_id: i64, payload: &Outgoing, place: Place) -> Option<Request> {
    let chat = ChatId(chat_id);
    match payload {
        Outgoing::Copy { from_chat_id, message_id, caption } => {
            let mut copy = CopyMessage::new(chat, ChatId(*from_chat_id), MessageId(*message_id));
            copy.caption = caption.clone();
            place.apply(&mut copy.message_thread_id, &mut copy.reply_parameters);
            Some(Request::Copy(copy))
        }
        Outgoing::Album { items, caption } => Some(album_request(chat_id, items, caption.as_deref(), place)),
        Outgoing::Send { text, keyboard } => {
            let mut send = SendMessage::new(chat, text.clone());
            send.reply_markup = reply_markup(keyboard);
            place.apply(&mut send.message_thread_id, &mut send.reply_parameters);
            Some(Request::Send(send))
        }
        _ => None,
    }
}

/// Telegram's media groups take 2 to 10 items: a single item goes as a
/// plain photo, video or document. `caption` goes on the first item.
fn album_request(chat_id: i64, items: &[AlbumItem], caption: Option<&str>, place: Place) -> Request {
    let chat = ChatId(chat_id);
    let file = |item: &AlbumItem| InputFile::file_id(FileId(item.file_id.clone()));
    let caption = caption.map(str::to_owned);
    if let [item] = items {
        return match item.kind {
            AlbumKind::Photo => {
                let mut send = SendPhoto::new(chat, file(item));
                send.caption = caption;
                place.apply(&mut send.message_thread_id, &mut send.reply_parameters);
                Request::Photo(send)
            }
            AlbumKind::Video => {
                let mut send = SendVideo::new(chat, file(item));
                send.caption = caption;
                place.apply(&mut send.message_thread_id, &mut send.reply_parameters);
                Request::Video(send)
            }
            AlbumKind::Document => {
                let mut send = SendDocument::new(chat, file(item));
                send.caption = caption;
                place.apply(&mut send.message_thread_id, &mut send.reply_parameters);
                Request::Document(send)
            }
        };
    }
    let media = items.iter().enumerate().map(|(index, item)| {
        let caption = if index == 0 { caption.clone() } else { None };
        match item.kind {
            AlbumKind::Photo => {
                let mut photo = InputMediaPhoto::new(file(item));
                photo.caption = caption;
                InputMedia::Photo(photo)
            }
            AlbumKind::Video => {
                let mut video = InputMediaVideo::new(file(item));
                video.caption = caption;
                InputMedia::Video(video)
            }
            AlbumKind::Document => {
                let mut document = InputMediaDocument::new(file(item));
                document.caption = caption;
                InputMedia::Document(document)
            }
        }
    });
    let mut album = SendMediaGroup::new(chat, media);
    place.apply(&mut album.message_thread_id, &mut album.reply_parameters);
    Request::Album(album)
}

/// The call for a row outside any topic whose payload needs nothing looked
/// up (`Send`, `Edit`, `AnswerButton`, `Copy`, `Album`); `None` for the
/// others, which only [`plan`] can map.
pub fn request_for(chat_id: i64, payload: &Outgoing) -> Option<Request> {
    match plan(chat_id, payload, &Facts::default()) {
        Plan::Call { step: Step::Row, request } => Some(*request),
        _ => None,
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
    /// It did what it should (an edit that changed nothing, a topic already
    /// in the wanted state, an answer that arrived but was unreadable and
    /// said `ok`).
    Sent,
    /// Transient: try again after [`backoff`]. `maybe_delivered` when
    /// Telegram may have executed it anyway (timeout, 5xx).
    Retry { maybe_delivered: bool },
    /// 429: pause the chat this long and retry, not counted as a failure.
    Paused(Duration),
    /// Telegram will never accept it.
    Failed,
    /// The message to edit (or pin) is gone or too old: an `Edit` row is
    /// sent as a new message, a topic's card is posted again.
    SendAsNew,
    /// The group became a supergroup with this chat id: send there.
    Moved(i64),
    /// The forum topic is gone (deleted by hand): create it again.
    ThreadGone,
    /// The forum topic is closed: reopen it, then send.
    TopicClosed,
}

/// Descriptions of 4xx answers. teloxide drops the HTTP status, so an
/// unrecognised description is judged by its prefix; anything else
/// ("Internal Server Error", "Bad Gateway", …) is taken as transient.
const PERMANENT_PREFIXES: [&str; 6] =
    ["Bad Request", "Forbidden", "Unauthorized", "Not Found", "Conflict", "Request Entity Too Large"];

/// What Telegram says about a thread that no longer exists (teloxide has no
/// variants for these; they arrive as `ApiError::Unknown`).
const THREAD_GONE: [&str; 3] = ["message thread not found", "TOPIC_DELETED", "TOPIC_ID_INVALID"];

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
            (ApiError::Unknown(description), call) => {
                if THREAD_GONE.iter().any(|gone| description.contains(gone)) {
                    Disposition::ThreadGone
                } else if description.contains("TOPIC_CLOSED") && call == Call::Send {
                    Disposition::TopicClosed
                } else if description.contains("TOPIC_NOT_MODIFIED") && call == Call::Topic {
                    Disposition::Sent
                } else if description.contains("message to pin not found") && call == Call::Pin {
                    Disposition::SendAsNew
                } else if PERMANENT_PREFIXES.iter().any(|prefix| description.starts_with(prefix)) {
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

/// For an answer teloxide could not parse: `Some(id if any)` when Telegram
/// said it executed the call. The id is a message's (the first of an
/// album) or a created topic's thread.
fn delivered(raw: &str) -> Option<Option<i32>> {
    let value: serde_json::Value = serde_json::from_str(raw).ok()?;
    if value.get("ok")? != &serde_json::Value::Bool(true) {
        return None;
    }
    let id = ["/result/message_id", "/result/0/message_id", "/result/message_thread_id"]
        .iter()
        .find_map(|pointer| value.pointer(pointer).and_then(serde_json::Value::as_i64));
    Some(id.and_then(|id| i32::try_from(id).ok()))
}

/// The wait before retry number `attempts + 1`: 1 s, 2 s, 4 s … capped at 60 s.
pub fn backoff(attempts: u32) -> Duration {
    let factor = 1u32.checked_shl(attempts).unwrap_or(u32::MAX);
    FIRST_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
}

/// What a call task returns: the id it produced, if any (a message's, the
/// first of an album's, or a created topic's thread).
type CallResult = Result<Option<i32>, RequestError>;

/// What a call task ends with: its result and when it came back (the
/// request reached Telegram by then, however long the loop takes to look).
type Ended = (CallResult, Instant);

async fn perform(bot: Bot, request: Request) -> CallResult {
    match request {
        Request::Send(send) => JsonRequest::new(bot, send).await.map(|message| Some(message.id.0)),
        Request::Edit(edit) => JsonRequest::new(bot, edit).await.map(|message| Some(message.id.0)),
        Request::EditCaption(edit) => JsonRequest::new(bot, edit).await.map(|message| Some(message.id.0)),
        Request::Answer(answer) => JsonRequest::new(bot, answer).await.map(|_| None),
        Request::Copy(copy) => JsonRequest::new(bot, copy).await.map(|id| Some(id.0)),
        Request::Album(album) => {
            MultipartRequest::new(bot, album).await.map(|messages| messages.first().map(|message| message.id.0))
        }
        Request::Photo(send) => MultipartRequest::new(bot, send).await.map(|message| Some(message.id.0)),
        Request::Video(send) => MultipartRequest::new(bot, send).await.map(|message| Some(message.id.0)),
        Request::Document(send) => MultipartRequest::new(bot, send).await.map(|message| Some(message.id.0)),
        Request::CreateTopic(create) => JsonRequest::new(bot, create).await.map(|topic| Some(topic.thread_id.0.0)),
        Request::Pin(pin) => JsonRequest::new(bot, pin).await.map(|_| None),
        Request::CloseTopic(close) => JsonRequest::new(bot, close).await.map(|_| None),
        Request::ReopenTopic(reopen) => JsonRequest::new(bot, reopen).await.map(|_| None),
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

/// What the sender learnt about a topic, to be written to `topics`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TopicChange {
    Thread(i32),
    Card(i32),
    Pinned,
    AlbumPosted,
    ForgetThread,
    ForgetCard,
}

/// An outcome waiting to be written; `chat` stays busy until it is.
enum Outcome {
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
            | Outcome::Moved { chat, .. }
            | Outcome::Topic { chat, .. } => *chat,
        }
    }

    /// The row, if it left the queue for good.
    fn settled_row(&self) -> Option<i64> {
        match self {
            Outcome::Sent { id, .. } | Outcome::Failed { id, .. } => Some(*id),
            Outcome::Retry { .. } | Outcome::Moved { .. } | Outcome::Topic { .. } => None,
        }
    }
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
        }
    }

    /// The sender on the desk's clock.
    pub fn with_clock(self, clock: Clock) -> Self {
        Sender { clock, ..self }
    }

    /// Delivers until `shutdown` turns true (or its sender is dropped).
    /// `wake` is notified by the update handler after each commit that may
    /// have queued replies; otherwise the loop sleeps until a call completes
    /// or the next row or the rate limits come due. Never panics; database
    /// errors are logged and retried after a pause.
    pub async fn run(mut self, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
        tracing::info!("telegram sender started");
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
                    self.finish(done, self.clock.now(), Instant::now());
                    while let Some(done) = self.in_flight.try_join_next_with_id() {
                        self.finish(done, self.clock.now(), Instant::now());
                    }
                    // While the limits on all chats together let nothing go
                    // (a burst), the outbox is looked at, and these outcomes
                    // written, when they open again: a round for each
                    // completion would only delay the sends that are due.
                    let now = Instant::now();
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
        let limit = BATCH.saturating_add(u32::try_from(self.busy.len()).unwrap_or(u32::MAX));
        let mut conn = self.store.reader().acquire().await?;
        let rows = outbox::due(&mut conn, CHANNEL, now_utc, limit).await?;
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
            if self.busy.contains(&row.chat_id) {
                continue;
            }
            let payload = self.effective_payload(&row);
            let Some(plan) = self.plan_row(&mut conn, &row, &payload).await? else {
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
        if (truncated && started) || settled > 0 {
            // More due rows than fetched, or outcomes to write: look again straight away.
            next = Some(now);
        }
        Ok(Round { next, settled })
    }

    /// Reads what `plan` needs for `row` and plans it. `None` holds the row
    /// (and its chat) back: its topic cannot be read, which is logged.
    async fn plan_row(
        &mut self,
        conn: &mut SqliteConnection,
        row: &Queued,
        payload: &Outgoing,
    ) -> Result<Option<Plan>, StoreError> {
        let needs_topic = matches!(
            payload,
            Outgoing::Send { .. }
                | Outgoing::Copy { .. }
                | Outgoing::Album { .. }
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

    /// Turns a finished call into an outcome (written by the next
    /// [`save`](Self::save)) or an in-memory change. Returns whether the row
    /// left the queue.
    fn finish(&mut self, done: Result<(task::Id, Ended), JoinError>, now_utc: DateTime<Utc>, now: Instant) -> bool {
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

    /// Counts a failed attempt and schedules the row after [`backoff`]; past
    /// [`MAX_ATTEMPTS`] the row fails for good. Returns whether it did.
    fn retry(&mut self, row: &Queued, text: String, maybe_delivered: bool, now_utc: DateTime<Utc>) -> bool {
        let (id, chat) = (row.id, row.chat_id);
        let attempts = row.attempts.saturating_add(1);
        if attempts >= MAX_ATTEMPTS {
            let error = format!("gave up after {attempts} attempts: {text}");
            self.unsaved.push(Outcome::Failed { id, chat, error, at: now_utc });
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

#[cfg(test)]
#[path = "../../tests/support/fake_telegram/mod.rs"]
mod strict_fake;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outgoing::{AlbumItem, AlbumKind, ButtonSpec};
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

    /// The method and the JSON a request sends (multipart ones as teloxide
    /// serialises their fields).
    fn method_and_json(request: &Request) -> (&'static str, serde_json::Value) {
        let (method, value) = match request {
            Request::Send(p) => ("sendMessage", serde_json::to_value(p)),
            Request::Edit(p) => ("editMessageText", serde_json::to_value(p)),
            Request::EditCaption(p) => ("editMessageCaption", serde_json::to_value(p)),
            Request::Answer(p) => ("answerCallbackQuery", serde_json::to_value(p)),
            Request::Copy(p) => ("copyMessage", serde_json::to_value(p)),
            Request::Album(p) => ("sendMediaGroup", serde_json::to_value(p)),
            Request::Photo(p) => ("sendPhoto", serde_json::to_value(p)),
            Request::Video(p) => ("sendVideo", serde_json::to_value(p)),
            Request::Document(p) => ("sendDocument", serde_json::to_value(p)),
            Request::CreateTopic(p) => ("createForumTopic", serde_json::to_value(p)),
            Request::Pin(p) => ("pinChatMessage", serde_json::to_value(p)),
            Request::CloseTopic(p) => ("closeForumTopic", serde_json::to_value(p)),
            Request::ReopenTopic(p) => ("reopenForumTopic", serde_json::to_value(p)),
        };
        (method, value.expect("serialises"))
    }

    fn json(request: &Request) -> serde_json::Value {
        method_and_json(request).1
    }

    /// `request_for` for payloads that map without looking anything up.
    fn plain(chat_id: i64, payload: &Outgoing) -> Request {
        request_for(chat_id, payload).expect("maps to a call")
    }

    fn inline() -> Keyboard {
        let button = |label: &str, data: &str| ButtonSpec { label: label.into(), data: data.into() };
        Keyboard::Inline { rows: vec![vec![button("Yes", "y"), button("No", "n")], vec![button("Agent", "agent")]] }
    }

    #[test]
    fn sends_map_to_bot_api_json() {
        let send = |keyboard| plain(42, &Outgoing::Send { text: "hi".into(), keyboard });
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
        let edit = |keyboard| plain(42, &Outgoing::Edit { message_id: 7, text: "done".into(), keyboard });
        let with_buttons = edit(inline());
        assert_eq!(with_buttons.call(), Call::Edit);
        let value = json(&with_buttons);
        assert_eq!((value["chat_id"].clone(), value["message_id"].clone()), (42.into(), 7.into()));
        assert!(value["reply_markup"]["inline_keyboard"].is_array());
        // Edits carry inline keyboards only: a reply keyboard is dropped.
        assert!(json(&edit(Keyboard::ShareContact { label: "x".into() })).get("reply_markup").is_none());

        let answer = |notice: Option<&str>| {
            plain(42, &Outgoing::AnswerButton { callback_id: "cb1".into(), notice: notice.map(Into::into) })
        };
        assert_eq!(json(&answer(None)), serde_json::json!({"callback_query_id": "cb1"}));
        assert_eq!(json(&answer(Some("Saved")))["text"], "Saved");
    }

    fn item(kind: AlbumKind, file_id: &str) -> AlbumItem {
        AlbumItem { kind, file_id: file_id.into() }
    }

    fn album(items: Vec<AlbumItem>, caption: Option<&str>) -> Outgoing {
        Outgoing::Album { items, caption: caption.map(Into::into) }
    }

    #[test]
    fn copies_and_albums_map_to_bot_api_json() {
        let copy = plain(-100, &Outgoing::Copy { from_chat_id: 42, message_id: 7, caption: Some("front".into()) });
        assert_eq!(copy.call(), Call::Send);
        assert_eq!(
            method_and_json(&copy),
            (
                "copyMessage",
                serde_json::json!({"chat_id": -100, "from_chat_id": 42, "message_id": 7, "caption": "front"})
            )
        );

        // One item is not an album for Telegram (2–10): it goes as a plain send.
        let single = |kind, caption| plain(-100, &album(vec![item(kind, "f1")], caption));
        assert_eq!(
            method_and_json(&single(AlbumKind::Photo, Some("two photos"))),
            ("sendPhoto", serde_json::json!({"chat_id": -100, "photo": "f1", "caption": "two photos"}))
        );
        assert_eq!(method_and_json(&single(AlbumKind::Video, None)).0, "sendVideo");
        assert_eq!(json(&single(AlbumKind::Video, None))["video"], "f1");
        assert_eq!(json(&single(AlbumKind::Document, None))["document"], "f1");

        let three = vec![item(AlbumKind::Photo, "p1"), item(AlbumKind::Video, "v2"), item(AlbumKind::Photo, "p3")];
        let group = plain(-100, &album(three, Some("evidence")));
        assert_eq!(group.messages(), 3);
        assert_eq!(
            method_and_json(&group),
            (
                "sendMediaGroup",
                serde_json::json!({"chat_id": -100, "media": [
                    {"type": "photo", "media": "p1", "caption": "evidence"},
                    {"type": "video", "media": "v2"},
                    {"type": "photo", "media": "p3"},
                ]})
            )
        );
        for n in [0, MAX_ALBUM + 1] {
            let items = (0..n).map(|i| item(AlbumKind::Photo, &format!("p{i}"))).collect();
            match plan(-100, &album(items, None), &Facts::default()) {
                Plan::Fail(error) => assert!(error.contains(&n.to_string()), "{error}"),
                other => panic!("{n} items: {other:?}"),
            }
        }
    }

    #[test]
    fn mirrored_edits_need_the_copy() {
        let edit = |media, original| {
            let payload = Outgoing::EditCopy { outbox_id: 3, text: "fixed".into(), media };
            plan(-100, &payload, &Facts { original, ..Facts::default() })
        };
        let Plan::Call { step: Step::Row, request } = edit(false, Some(9)) else { panic!("no call") };
        assert_eq!(
            method_and_json(&request),
            ("editMessageText", serde_json::json!({"chat_id": -100, "message_id": 9, "text": "fixed"}))
        );
        let Plan::Call { step: Step::Row, request } = edit(true, Some(9)) else { panic!("no call") };
        assert_eq!(request.call(), Call::Edit);
        assert_eq!(
            method_and_json(&request),
            ("editMessageCaption", serde_json::json!({"chat_id": -100, "message_id": 9, "caption": "fixed"}))
        );
        assert!(matches!(edit(false, None), Plan::Fail(error) if error == "original not delivered"));
        // Topic payloads cannot be planned without their topic.
        assert!(request_for(-100, &Outgoing::Card).is_none());
        assert!(matches!(plan(-100, &Outgoing::TopicState { open: false }, &Facts::default()), Plan::Fail(_)));
    }

    const GROUP: i64 = -1_001_234;
    const KEY: &str = "case:AS-1001";

    fn case_topic(forum: bool) -> Topic {
        Topic {
            key: KEY.into(),
            chat_id: GROUP,
            forum,
            name: "AS-1001 · Ann".into(),
            card_text: "New case".into(),
            card_keyboard: inline(),
            album: vec![item(AlbumKind::Photo, "p1"), item(AlbumKind::Photo, "p2")],
            thread_id: None,
            card_message_id: None,
            card_pinned: false,
            album_posted: false,
            closed: false,
        }
    }

    /// The step and call `plan` picks for `payload` in `topic`.
    fn next_call(
        payload: &Outgoing,
        topic: &Topic,
        reopen: bool,
        fresh_card: bool,
    ) -> (Step, &'static str, serde_json::Value) {
        let facts = Facts { topic_key: Some(KEY), topic: Some(topic), reopen, fresh_card, ..Facts::default() };
        match plan(GROUP, payload, &facts) {
            Plan::Call { step, request } => {
                let (method, json) = method_and_json(&request);
                (step, method, json)
            }
            other => panic!("expected a call, got {other:?}"),
        }
    }

    #[test]
    fn a_forum_topic_is_created_carded_pinned_and_filled_before_the_row() {
        let hi = say("hi");
        let mut topic = case_topic(true);
        assert_eq!(
            next_call(&hi, &topic, false, false),
            (Step::CreateTopic, "createForumTopic", serde_json::json!({"chat_id": GROUP, "name": "AS-1001 · Ann"}))
        );
        topic.thread_id = Some(5);
        let (step, method, card) = next_call(&hi, &topic, false, false);
        assert_eq!((step, method), (Step::PostCard, "sendMessage"));
        assert_eq!((card["message_thread_id"].clone(), card["text"].clone()), (5.into(), "New case".into()));
        assert!(card["reply_markup"]["inline_keyboard"].is_array());
        topic.card_message_id = Some(6);
        assert_eq!(
            next_call(&hi, &topic, false, false),
            (
                Step::PinCard,
                "pinChatMessage",
                serde_json::json!({"chat_id": GROUP, "message_id": 6, "disable_notification": true})
            )
        );
        topic.card_pinned = true;
        let (step, method, album) = next_call(&hi, &topic, false, false);
        assert_eq!((step, method, album["message_thread_id"].clone()), (Step::PostAlbum, "sendMediaGroup", 5.into()));
        assert_eq!(album["media"].as_array().map(Vec::len), Some(2));
        assert!(album["media"][0].get("caption").is_none());
        topic.album_posted = true;
        assert_eq!(
            next_call(&hi, &topic, false, false),
            (Step::Row, "sendMessage", serde_json::json!({"chat_id": GROUP, "text": "hi", "message_thread_id": 5}))
        );
        let copy = Outgoing::Copy { from_chat_id: 42, message_id: 3, caption: None };
        assert_eq!(next_call(&copy, &topic, false, false).2["message_thread_id"], 5);

        // Found closed by a send: reopened first.
        assert_eq!(
            next_call(&hi, &topic, true, false),
            (Step::Reopen, "reopenForumTopic", serde_json::json!({"chat_id": GROUP, "message_thread_id": 5}))
        );
        // Edits and answers go straight to their message.
        let edit = Outgoing::Edit { message_id: 8, text: "x".into(), keyboard: Keyboard::None };
        assert_eq!(next_call(&edit, &case_topic(true), false, false).0, Step::Row);
    }

    #[test]
    fn a_lost_thread_rebuilds_the_topic_in_the_same_order() {
        let hi = say("hi");
        let mut topic = case_topic(true);
        (topic.thread_id, topic.card_message_id, topic.card_pinned, topic.album_posted) =
            (Some(5), Some(6), true, true);
        assert_eq!(next_call(&hi, &topic, false, false).0, Step::Row);
        // What `topics::forget_thread` leaves behind after "message thread not found".
        (topic.thread_id, topic.card_message_id, topic.card_pinned, topic.album_posted) = (None, None, false, false);
        let mut steps = Vec::new();
        loop {
            let (step, _, _) = next_call(&hi, &topic, false, false);
            steps.push(step);
            match step {
                Step::CreateTopic => topic.thread_id = Some(9),
                Step::PostCard => topic.card_message_id = Some(10),
                Step::PinCard => topic.card_pinned = true,
                Step::PostAlbum => topic.album_posted = true,
                Step::Row | Step::Reopen => break,
            }
        }
        assert_eq!(steps, [Step::CreateTopic, Step::PostCard, Step::PinCard, Step::PostAlbum, Step::Row]);
        assert_eq!(next_call(&hi, &topic, false, false).2["message_thread_id"], 9);
    }

    #[test]
    fn cards_and_topic_states() {
        let mut topic = case_topic(true);
        (topic.thread_id, topic.card_message_id, topic.card_pinned, topic.album_posted) =
            (Some(5), Some(6), true, true);
        topic.card_text = "Taken by Bob".into();
        let (step, method, edit) = next_call(&Outgoing::Card, &topic, false, false);
        assert_eq!(
            (step, method, edit["message_id"].clone(), edit["text"].clone()),
            (Step::Row, "editMessageText", 6.into(), "Taken by Bob".into())
        );
        assert!(edit["reply_markup"]["inline_keyboard"].is_array());
        // Just (re)posted with the current text: nothing left to edit.
        let facts = Facts { topic_key: Some(KEY), topic: Some(&topic), fresh_card: true, ..Facts::default() };
        assert!(matches!(plan(GROUP, &Outgoing::Card, &facts), Plan::Done { message_id: Some(6) }));
        // A card row on a topic without a thread builds the topic first.
        assert_eq!(next_call(&Outgoing::Card, &case_topic(true), false, true).0, Step::CreateTopic);

        let close = Outgoing::TopicState { open: false };
        assert_eq!(
            next_call(&close, &topic, false, false),
            (Step::Row, "closeForumTopic", serde_json::json!({"chat_id": GROUP, "message_thread_id": 5}))
        );
        assert_eq!(next_call(&Outgoing::TopicState { open: true }, &topic, false, false).1, "reopenForumTopic");
        // No thread (yet, or any more), or no forum: nothing to close, and no topic is created for it.
        for topic in [case_topic(true), case_topic(false)] {
            let facts = Facts { topic_key: Some(KEY), topic: Some(&topic), ..Facts::default() };
            assert!(matches!(plan(GROUP, &close, &facts), Plan::Done { message_id: None }));
        }
        let unknown = Facts { topic_key: Some(KEY), ..Facts::default() };
        for payload in [say("hi"), Outgoing::Card, close] {
            assert!(matches!(plan(GROUP, &payload, &unknown), Plan::Fail(error) if error == "unknown topic"));
        }
    }

    #[test]
    fn a_plain_group_gets_the_card_and_replies_to_it() {
        let hi = say("hi");
        let mut topic = case_topic(false);
        let (step, _, card) = next_call(&hi, &topic, false, false);
        assert_eq!(step, Step::PostCard);
        assert!(card.get("message_thread_id").is_none() && card.get("reply_parameters").is_none());
        topic.card_message_id = Some(6);
        // No pin outside a forum: it would be the whole group's.
        let (step, _, album) = next_call(&hi, &topic, false, false);
        let under_card = serde_json::json!({"message_id": 6, "allow_sending_without_reply": true});
        assert_eq!((step, &album["reply_parameters"]), (Step::PostAlbum, &under_card));
        topic.album_posted = true;
        let (step, _, row) = next_call(&hi, &topic, false, false);
        assert_eq!((step, &row["reply_parameters"]), (Step::Row, &under_card));
        assert!(row.get("message_thread_id").is_none());
    }

    #[test]
    fn topic_errors_are_classified() {
        use Call::*;
        use Disposition::*;
        let unknown = |description: &str| api(ApiError::Unknown(description.into()));
        let cases = [
            (unknown("Bad Request: message thread not found"), Send, ThreadGone),
            (unknown("Bad Request: TOPIC_DELETED"), Send, ThreadGone),
            (unknown("Bad Request: TOPIC_ID_INVALID"), Topic, ThreadGone),
            (unknown("Bad Request: TOPIC_CLOSED"), Send, TopicClosed),
            (unknown("Bad Request: TOPIC_NOT_MODIFIED"), Topic, Sent),
            (unknown("Bad Request: TOPIC_NOT_MODIFIED"), Send, Failed),
            (unknown("Bad Request: message to pin not found"), Pin, SendAsNew),
            (unknown("Bad Request: not enough rights to create a topic"), Topic, Failed),
            (api(ApiError::NotEnoughRightsToPinMessage), Pin, Failed),
            (api(ApiError::MessageToCopyNotFound), Send, Failed),
        ];
        for (error, call, expected) in cases {
            assert_eq!(classify(&error, call), expected, "{error} as {call:?}");
        }
        assert_eq!(delivered(r#"{"ok":true,"result":{"message_thread_id":12,"name":"x"}}"#), Some(Some(12)));
        assert_eq!(delivered(r#"{"ok":true,"result":[{"message_id":4},{"message_id":5}]}"#), Some(Some(4)));
    }

    /// The strict fake Bot API of the end-to-end tests: real forum topics,
    /// multipart uploads, topics deleted by hand.
    use super::strict_fake as strict;

    const FORUM: i64 = -1_009_876_543_210;
    const PLAIN: i64 = -1_001_234_567_890;
    const ANN: i64 = 42;

    async fn strict_fake() -> (strict::FakeTelegram, Bot) {
        let fake = strict::FakeTelegram::start_with(strict::Limits::none()).await;
        fake.add_user(ANN, "Ann", None);
        fake.add_group(FORUM, "Agents", true);
        fake.add_group(PLAIN, "Agents (no topics)", false);
        let bot = Bot::new(strict::TOKEN).set_api_url(fake.api_url().parse().expect("url"));
        (fake, bot)
    }

    /// Photos Ann sent, as album items (their file ids).
    fn ann_photos(fake: &strict::FakeTelegram, n: u8) -> Vec<AlbumItem> {
        (1..=n)
            .map(|i| {
                let message = fake.send_photo(ANN, vec![i; 300], Some("evidence"), None);
                item(AlbumKind::Photo, &fake.file_id_of(ANN, message).expect("photo"))
            })
            .collect()
    }

    async fn put_topic(store: &Store, key: &str, chat: i64, forum: bool, album: &[AlbumItem]) {
        let mut tx = store.write().await.expect("tx");
        topics::upsert(&mut tx, key, chat, forum, "AS-1001 · Ann", "New case", &inline(), album, Utc::now())
            .await
            .expect("upsert");
        tx.commit().await.expect("commit");
    }

    async fn queue_in(store: &Store, chat: i64, key: &str, payload: Outgoing) -> i64 {
        let mut tx = store.write().await.expect("tx");
        let now = Utc::now();
        let id = outbox::enqueue_to_topic(&mut tx, CHANNEL, chat, Some(key), &payload, None, now, now)
            .await
            .expect("enqueue");
        tx.commit().await.expect("commit");
        id
    }

    async fn stored_topic(store: &Store, key: &str) -> Topic {
        let mut conn = store.reader().acquire().await.expect("conn");
        topics::get(&mut conn, key).await.expect("read").expect("topic")
    }

    /// Methods called since `from` (an earlier `calls().len()`).
    fn methods_since(fake: &strict::FakeTelegram, from: usize) -> Vec<String> {
        fake.calls().into_iter().skip(from).map(|call| call.method).collect()
    }

    #[tokio::test]
    async fn a_topic_is_built_once_and_rebuilt_after_it_was_deleted() {
        let (_dir, store) = store().await;
        let (fake, bot) = strict_fake().await;
        let album = ann_photos(&fake, 2);
        let complaint = fake.send_text(ANN, "It arrived broken");
        put_topic(&store, KEY, FORUM, true, &album).await;
        let copy = queue_in(
            &store,
            FORUM,
            KEY,
            Outgoing::Copy { from_chat_id: ANN, message_id: complaint as i32, caption: None },
        )
        .await;
        let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());

        assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 1);
        assert_eq!(
            methods_since(&fake, 0),
            ["createforumtopic", "sendmessage", "pinchatmessage", "sendmediagroup", "copymessage"]
        );
        let topic = stored_topic(&store, KEY).await;
        let (Some(thread), Some(card)) = (topic.thread_id, topic.card_message_id) else { panic!("{topic:?}") };
        assert!(topic.card_pinned && topic.album_posted);
        let info = fake.topic(FORUM, i64::from(thread)).expect("topic");
        assert_eq!((info.name.as_str(), info.pinned_message_id), ("AS-1001 · Ann", Some(i64::from(card))));
        let shown: Vec<(String, String)> =
            fake.topic_messages(FORUM, i64::from(thread)).into_iter().map(|m| (m.kind, m.text)).collect();
        let expected = [("text", "New case"), ("photo", ""), ("photo", ""), ("text", "It arrived broken")];
        assert_eq!(shown, expected.map(|(kind, text)| (kind.to_owned(), text.to_owned())));
        let copied = fake.topic_messages(FORUM, i64::from(thread)).pop().expect("copy").message_id;
        assert_eq!(
            rows(&store).await.last().map(|r| (r.0, r.2.clone(), r.5)),
            Some((copy, "sent".to_owned(), Some(copied)))
        );

        // An admin deletes the topic; meanwhile the case is taken.
        fake.delete_topic_by_hand(FORUM, i64::from(thread));
        let mut tx = store.write().await.expect("tx");
        topics::set_card(&mut tx, KEY, "Taken by Bob", &inline(), Utc::now()).await.expect("card");
        tx.commit().await.expect("commit");
        let note = queue_in(&store, FORUM, KEY, say("Bob is on it")).await;
        let card_row = queue_in(&store, FORUM, KEY, Outgoing::Card).await;
        let before = fake.calls().len();
        assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 2);
        assert_eq!(
            methods_since(&fake, before),
            [
                "sendmessage",      // refused: the thread is gone
                "createforumtopic", // so everything is rebuilt …
                "sendmessage",
                "pinchatmessage",
                "sendmediagroup",
                "sendmessage",     // … before the row itself
                "editmessagetext", // the card row: already up to date
            ]
        );
        let rejected: Vec<String> = fake.rejections().into_iter().filter_map(|c| c.description).collect();
        assert_eq!(rejected, [strict::THREAD_NOT_FOUND, strict::NOT_MODIFIED]);
        let topic = stored_topic(&store, KEY).await;
        let new_thread = i64::from(topic.thread_id.expect("thread"));
        assert_ne!(new_thread, i64::from(thread));
        let texts: Vec<String> = fake.topic_messages(FORUM, new_thread).into_iter().map(|m| m.text).collect();
        assert_eq!(texts, ["Taken by Bob", "", "", "Bob is on it"]);
        assert_eq!(
            fake.topic(FORUM, new_thread).and_then(|t| t.pinned_message_id),
            topic.card_message_id.map(i64::from)
        );
        // Nothing lost and no attempt counted for the detour.
        let rows = rows(&store).await;
        let settled: Vec<_> =
            rows.iter().filter(|r| [note, card_row].contains(&r.0)).map(|r| (r.2.as_str(), r.3)).collect();
        assert_eq!(settled, [("sent", 0), ("sent", 0)]);
    }

    #[tokio::test]
    async fn a_lost_card_is_posted_again_and_topics_close() {
        let (_dir, store) = store().await;
        let (fake, bot) = strict_fake().await;
        put_topic(&store, KEY, FORUM, true, &[]).await;
        // Closing a topic that was never created creates nothing.
        let never = queue_in(&store, FORUM, KEY, Outgoing::TopicState { open: false }).await;
        let mut sender = Sender::new(bot.clone(), store.clone(), Limits::unlimited());
        assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 1);
        assert!(fake.calls().is_empty());
        assert_eq!(rows(&store).await[0].0, never);

        queue_in(&store, FORUM, KEY, say("hello")).await;
        sender.drain_once(Utc::now()).await.expect("drain");
        let card = stored_topic(&store, KEY).await.card_message_id.expect("card");
        // Someone deletes the card; the next card update posts and pins it again.
        use teloxide::prelude::Requester;
        bot.delete_message(ChatId(FORUM), MessageId(card)).await.expect("delete");
        let mut tx = store.write().await.expect("tx");
        topics::set_card(&mut tx, KEY, "Closed: refund agreed", &Keyboard::None, Utc::now()).await.expect("card");
        tx.commit().await.expect("commit");
        queue_in(&store, FORUM, KEY, Outgoing::Card).await;
        queue_in(&store, FORUM, KEY, Outgoing::TopicState { open: false }).await;
        queue_in(&store, FORUM, KEY, Outgoing::TopicState { open: false }).await;
        let before = fake.calls().len();
        assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 3);
        assert_eq!(
            methods_since(&fake, before),
            ["editmessagetext", "sendmessage", "pinchatmessage", "closeforumtopic", "closeforumtopic"]
        );
        let topic = stored_topic(&store, KEY).await;
        let thread = i64::from(topic.thread_id.expect("thread"));
        let info = fake.topic(FORUM, thread).expect("topic");
        assert!(info.closed);
        assert_eq!(info.pinned_message_id, topic.card_message_id.map(i64::from));
        let card = fake.message(FORUM, info.pinned_message_id.expect("pinned")).expect("card");
        assert_eq!((card.text.as_str(), card.has_inline_keyboard()), ("Closed: refund agreed", false));
        assert!(rows(&store).await.iter().all(|r| r.2 == "sent" && r.3 == 0), "{:?}", rows(&store).await);
    }

    #[tokio::test]
    async fn a_closed_topic_is_reopened_for_a_send() {
        let (_dir, store) = store().await;
        let (fake, bot) = strict_fake().await;
        put_topic(&store, KEY, FORUM, true, &[]).await;
        queue_in(&store, FORUM, KEY, say("hello")).await;
        queue_in(&store, FORUM, KEY, Outgoing::TopicState { open: false }).await;
        let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());
        sender.drain_once(Utc::now()).await.expect("drain");
        let thread = i64::from(stored_topic(&store, KEY).await.thread_id.expect("thread"));
        assert!(fake.topic(FORUM, thread).expect("topic").closed);

        fake.set_bot_manages_topics(FORUM, false);
        let again = queue_in(&store, FORUM, KEY, say("the customer wrote again")).await;
        let before = fake.calls().len();
        assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 1);
        assert_eq!(methods_since(&fake, before), ["sendmessage", "reopenforumtopic", "sendmessage"]);
        assert!(!fake.topic(FORUM, thread).expect("topic").closed);
        let row = rows(&store).await.into_iter().find(|r| r.0 == again).expect("row");
        assert_eq!((row.2.as_str(), row.3), ("sent", 0));
    }

    #[tokio::test]
    async fn plain_groups_reply_to_the_card_and_copies_mirror_edits() {
        let (_dir, store) = store().await;
        let (fake, bot) = strict_fake().await;
        let photo = ann_photos(&fake, 1);
        let ann_photo = fake.send_photo(ANN, vec![9; 300], None, Some("front"));
        put_topic(&store, "customer:7", PLAIN, false, &photo).await;
        let copy = Outgoing::Copy { from_chat_id: ANN, message_id: ann_photo as i32, caption: None };
        let copy_row = queue_in(&store, PLAIN, "customer:7", copy).await;
        let edit = Outgoing::EditCopy { outbox_id: copy_row, text: "front, scratched".into(), media: true };
        queue_in(&store, PLAIN, "customer:7", edit).await;
        queue_in(&store, PLAIN, "customer:7", Outgoing::TopicState { open: false }).await;
        let unknown = queue_in(&store, PLAIN, "case:AS-404", say("lost")).await;
        let never_sent = Outgoing::EditCopy { outbox_id: 9999, text: "x".into(), media: false };
        let orphan = queue(&store, PLAIN, never_sent, Utc::now()).await;
        let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());
        assert_eq!(sender.drain_once(Utc::now()).await.expect("drain"), 5);
        assert_eq!(methods_since(&fake, 0), ["sendmessage", "sendphoto", "copymessage", "editmessagecaption"]);

        let card = i64::from(stored_topic(&store, "customer:7").await.card_message_id.expect("card"));
        let shown: Vec<(String, Option<i64>, Option<i64>)> =
            fake.messages(PLAIN).into_iter().map(|m| (m.text, m.reply_to, m.thread_id)).collect();
        assert_eq!(
            shown,
            [
                ("New case".to_owned(), None, None),
                (String::new(), Some(card), None),
                ("front, scratched".to_owned(), Some(card), None),
            ]
        );
        assert!(fake.pinned(PLAIN, None).is_none());
        let rows = rows(&store).await;
        let errors: Vec<_> = rows.iter().filter(|r| r.2 == "failed").map(|r| (r.0, r.4.clone())).collect();
        assert_eq!(
            errors,
            [(unknown, Some("unknown topic".to_owned())), (orphan, Some("original not delivered".to_owned()))]
        );
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
    async fn a_topic_that_keeps_vanishing_costs_attempts() {
        let (_dir, store) = store().await;
        put_topic(&store, KEY, GROUP, true, &[]).await;
        let id = queue_in(&store, GROUP, KEY, say("hello")).await;
        let now = Utc::now();
        let (fake, bot) = with_fake(Box::new(|method, _, n| match method {
            "createforumtopic" => (
                StatusCode::OK,
                serde_json::json!({"ok": true, "result": {"message_thread_id": 100 + n, "name": "t", "icon_color": 7322096}}),
            ),
            _ => fake::error(StatusCode::BAD_REQUEST, "Bad Request: message thread not found"),
        }))
        .await;
        let mut sender = Sender::new(bot, store.clone(), Limits::unlimited());
        assert_eq!(sender.drain_once(now).await.expect("drain"), 0);
        let creates = texts(&fake).iter().filter(|(method, _)| method == "createforumtopic").count();
        assert_eq!(creates, MAX_DETOURS as usize + 1);
        let row = rows(&store).await.into_iter().find(|r| r.0 == id).expect("row");
        assert_eq!((row.2.as_str(), row.3), ("pending", 1));
        assert!(row.4.as_deref().is_some_and(|e| e.contains("thread not found") && !e.contains("may have")), "{row:?}");
    }

    /// With room for one call at a time, the rows only all go if every
    /// finished call (sent, refused, flooded, to be retried, to be resent as
    /// new) gives its slot back.
    #[tokio::test]
    async fn every_finished_call_gives_its_slot_back() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (_dir, store) = store().await;
        let now = Utc::now();
        queue(&store, 1, say("fine"), now).await;
        queue(&store, 2, say("blocked"), now).await;
        queue(&store, 3, say("flooded once"), now).await;
        queue(&store, 4, say("flaky once"), now).await;
        queue(&store, 5, Outgoing::Edit { message_id: 5, text: "gone".into(), keyboard: Keyboard::None }, now).await;
        let (flooded, flaky) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (fake, bot) = with_fake(Box::new(move |method, body, n| match (method, body["chat_id"].as_i64()) {
            ("editmessagetext", _) => fake::error(StatusCode::BAD_REQUEST, "Bad Request: message to edit not found"),
            (_, Some(2)) => fake::error(StatusCode::FORBIDDEN, "Forbidden: bot was blocked by the user"),
            (_, Some(3)) if flooded.fetch_add(1, Ordering::SeqCst) == 0 => (
                StatusCode::TOO_MANY_REQUESTS,
                serde_json::json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                   "parameters": {"retry_after": 1}}),
            ),
            (_, Some(4)) if flaky.fetch_add(1, Ordering::SeqCst) == 0 => {
                fake::error(StatusCode::BAD_REQUEST, "Bad Gateway")
            }
            (_, chat) => fake::message(chat.unwrap_or(0), 100 + n as i64),
        }))
        .await;
        let limits = Limits { global: (1, Duration::from_millis(20)), ..Limits::unlimited() };
        let mut sender = Sender::new(bot, store.clone(), limits);
        let deadline = Instant::now() + Duration::from_secs(20);
        while rows(&store).await.iter().any(|row| row.2 == "pending") {
            assert!(Instant::now() < deadline, "stuck: {:?}", rows(&store).await);
            sender.drain_once(Utc::now()).await.expect("drain");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let status: Vec<String> = rows(&store).await.into_iter().map(|row| row.2).collect();
        assert_eq!(status, ["sent", "failed", "sent", "sent", "sent"]);
        assert_eq!(sender.pace.in_flight(), 0);
        assert_eq!(texts(&fake).len(), 8);
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
