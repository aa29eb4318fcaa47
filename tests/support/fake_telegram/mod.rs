#![allow(dead_code)]
//! A strict, in-process fake of the Telegram Bot API for end-to-end tests and
//! benchmarks.
//!
//! Include it with
//! `#[path = "../support/fake_telegram/mod.rs"] mod fake_telegram;`.
//!
//! The server is an axum app bound on `127.0.0.1:0`, spawned on the tokio
//! runtime that calls [`FakeTelegram::start`]; it stops when the last
//! `FakeTelegram` handle is dropped. It answers exactly like Telegram
//! (`{"ok":true,"result":…}` / `{"ok":false,"error_code":…,"description":…}`),
//! validates requests the way Telegram does, enforces flood limits and can
//! inject failures. Forum supergroups (`add_group(id, title, true)`) have
//! topics: createForumTopic & co., `message_thread_id` checked on every send,
//! pins per topic, and members acting in topics (`send_text_in_topic`, …).
//! The bot may post into closed topics (as an admin with `can_manage_topics`,
//! which creating topics needs) unless [`FakeTelegram::set_bot_manages_topics`]
//! takes that away; then such sends answer [`TOPIC_CLOSED`].
//! Point a bot at it with
//! `Bot::new(TOKEN).set_api_url(fake.api_url().parse()?)`.
//!
//! The bot sends plain text, so the fake models no formatting: a `parse_mode`
//! is refused rather than shown unparsed.
//!
//! Webhooks (`setWebhook`): while one is set, getUpdates answers 409 and the
//! fake POSTs each update to it, one at a time, redelivering after a
//! non-2xx answer or a failed connection (see `webhook`).
//!
//! Files: `server` (HTTP, requests and answers, long polling, downloads),
//! `state` (what the fake remembers), `methods` (the Bot API methods),
//! `forum` (topics and pins), `markup` (text and reply markup checks),
//! `people` (what users and group members do), `inspect` (what tests read),
//! `webhook` (setting one, and delivering to it).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State as AxState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tokio::sync::Notify;

/// The only token the fake accepts.
pub const TOKEN: &str = "123456:TEST-TOKEN";
/// The bot's user id (also the numeric prefix of [`TOKEN`]).
pub const BOT_ID: i64 = 123456;
pub const BOT_USERNAME: &str = "aftersales_test_bot";
pub const BOT_FIRST_NAME: &str = "After-sales Test Bot";

/// How long after a press Telegram takes an answer to the callback query.
pub const CALLBACK_TTL: Duration = Duration::from_secs(15);
/// Telegram's answer to an unknown, already answered or too old (see
/// [`CALLBACK_TTL`]) callback query.
pub const INVALID_QUERY: &str = "Bad Request: query is too old and response timeout expired or query ID is invalid";
/// Telegram's answer to an edit that changes nothing.
pub const NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
/// Telegram's answer to a second concurrent getUpdates.
pub const CONFLICT: &str =
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
/// Telegram's answer to getUpdates while a webhook is set.
pub const WEBHOOK_ACTIVE: &str =
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
/// The header a webhook delivery carries the secret token in.
pub const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// Telegram's answer to a send into a forum topic that does not exist (or was
/// deleted), or with `message_thread_id` in a chat that is not a forum.
pub const THREAD_NOT_FOUND: &str = "Bad Request: message thread not found";
/// Telegram's answer to a forum-topic method in a chat that is not a forum.
pub const NOT_A_FORUM: &str = "Bad Request: the chat is not a forum";
/// Telegram's answer to editing / closing / deleting an unknown or deleted topic.
pub const TOPIC_ID_INVALID: &str = "Bad Request: TOPIC_ID_INVALID";
/// Telegram's answer to closing a closed topic, reopening an open one, or an
/// edit that changes nothing.
pub const TOPIC_NOT_MODIFIED: &str = "Bad Request: TOPIC_NOT_MODIFIED";
/// Telegram's answer to a send into a closed topic by a bot that does not
/// manage topics (see [`FakeTelegram::set_bot_manages_topics`]).
pub const TOPIC_CLOSED: &str = "Bad Request: TOPIC_CLOSED";
/// The topic icon colors the Bot API allows (`icon_color`).
pub const TOPIC_ICON_COLORS: [u32; 6] = [0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F];

const FIRST_UPDATE_ID: i64 = 1000;
const MAX_TOPIC_NAME: usize = 128;
const MAX_TEXT: usize = 4096;
const MAX_CAPTION: usize = 1024;
const MAX_DOWNLOAD: usize = 20 * 1024 * 1024;
const DEFAULT_UPDATES_EXCLUDED: &[&str] = &["chat_member", "message_reaction", "message_reaction_count"];
const BOT_METHODS_THAT_SEND: &[&str] =
    &["sendmessage", "sendphoto", "sendvideo", "senddocument", "copymessage", "forwardmessage", "sendmediagroup"];
const JSON_FIELDS: &[&str] = &[
    "reply_markup",
    "media",
    "entities",
    "caption_entities",
    "reply_parameters",
    "link_preview_options",
    "commands",
    "scope",
    "allowed_updates",
    "menu_button",
];
const CHAT_ACTIONS: &[&str] = &[
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
];

mod forum;
mod inspect;
mod markup;
mod methods;
mod people;
mod server;
mod state;
mod webhook;

use markup::*;
use server::*;
use state::*;

/// Flood limits: at most N sends in any sliding window W.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Per private chat (chat id > 0).
    pub per_chat: (u32, Duration),
    /// Per group / supergroup / channel (chat id < 0).
    pub per_group: (u32, Duration),
    /// All sends of the bot together.
    pub global: (u32, Duration),
}

impl Limits {
    /// Roughly what Telegram enforces: a short burst of 3 per chat per second,
    /// 20 per group per minute, 30 per second overall.
    pub fn telegram() -> Self {
        Limits {
            per_chat: (3, Duration::from_secs(1)),
            per_group: (20, Duration::from_secs(60)),
            global: (30, Duration::from_secs(1)),
        }
    }

    /// No flood limits at all.
    pub fn none() -> Self {
        let unlimited = (u32::MAX, Duration::from_secs(1));
        Limits { per_chat: unlimited, per_group: unlimited, global: unlimited }
    }
}

/// A failure injected with [`FakeTelegram::fail_next`].
#[derive(Clone, Debug)]
pub enum Failure {
    /// 429 with `parameters.retry_after`; teloxide surfaces it as
    /// `RequestError::RetryAfter`.
    TooManyRequests { retry_after: u32 },
    /// That HTTP status with a Telegram-like JSON body (an nginx HTML page for
    /// 502). NB: teloxide sleeps 10 s after any 5xx before returning the error.
    ServerError(u16),
    /// Any Telegram error, e.g. `Api(403, "Forbidden: bot was blocked by the user".into())`.
    Api(u16, String),
    /// Sleeps, then handles the request normally. The request is executed even
    /// if the client gives up meanwhile (like Telegram delivering a message
    /// whose response the client never saw).
    Delay(Duration),
    /// The connection drops before an answer: the request is not executed
    /// and the client sees a network error.
    Disconnect,
}

/// One API call the bot made.
#[derive(Clone, Debug)]
pub struct Call {
    /// Canonical lower-case method name ("sendmessage"); "download" for file downloads.
    pub method: String,
    /// Request parameters as JSON (multipart/form fields included; uploads are not).
    pub body: Value,
    /// HTTP status answered.
    pub status: u16,
    pub ok: bool,
    /// `description` of an error answer.
    pub description: Option<String>,
    /// The JSON answered (`Value::Null` for non-JSON answers).
    pub response: Value,
    /// When the request arrived, relative to the start of the fake.
    pub at: Duration,
    /// Answered by [`FakeTelegram::fail_next`] rather than by the rules.
    pub injected: bool,
}

/// One POST of an update to the webhook.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub update_id: i64,
    /// Where it was POSTed: the hook's URL, or a balanced backend's.
    pub url: String,
    /// The HTTP status answered; `None` when the connection failed.
    pub status: Option<u16>,
    /// A 2xx answer the fake treated as lost (see [`FakeTelegram::lose_webhook_answers`]).
    pub lost: bool,
    /// When the POST began, relative to the start of the fake.
    pub at: Duration,
    /// From the POST to its answer.
    pub took: Duration,
}

impl Delivery {
    /// Answered 2xx, and the answer reached the fake: the update is done.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|status| (200..300).contains(&status)) && !self.lost
    }
}

/// A message the bot sent, in its current state.
#[derive(Clone, Debug)]
pub struct BotMessage {
    pub chat_id: i64,
    pub message_id: i64,
    /// Visible text (or caption) as Telegram stores it: trimmed.
    pub text: String,
    /// Inline keyboard rows, or for a reply keyboard its rows (callback_data None).
    pub buttons: Vec<Vec<Button>>,
    /// The `keyboard` / `remove_keyboard` / `force_reply` markup sent with it.
    pub reply_keyboard: Option<Value>,
    pub edits: u32,
    /// When it was sent, relative to the start of the fake.
    pub sent_at: Duration,
    /// "text", "photo", "document", "sticker", "voice", "contact", …
    pub kind: String,
    /// The message it explicitly replies to (not the implicit reply to a topic's creation message).
    pub reply_to: Option<i64>,
    /// The forum topic (`message_thread_id`) it was sent into.
    pub thread_id: Option<i64>,
    /// file_id of the largest photo size / of the document.
    pub file_id: Option<String>,
    pub media_group_id: Option<String>,
    /// The full Message object as Telegram would return it now.
    pub json: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Button {
    pub text: String,
    pub callback_data: Option<String>,
    pub url: Option<String>,
    pub request_contact: bool,
}

impl BotMessage {
    /// First button whose label contains `label_contains`.
    pub fn button(&self, label_contains: &str) -> Option<&Button> {
        self.buttons.iter().flatten().find(|b| b.text.contains(label_contains))
    }

    pub fn all_buttons(&self) -> Vec<&Button> {
        self.buttons.iter().flatten().collect()
    }

    pub fn labels(&self) -> Vec<String> {
        self.all_buttons().iter().map(|b| b.text.clone()).collect()
    }

    pub fn has_inline_keyboard(&self) -> bool {
        self.json.get("reply_markup").is_some()
    }
}

/// A forum topic, as [`FakeTelegram::topics`] reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicInfo {
    /// `message_thread_id`: the id of the topic's `forum_topic_created` service message.
    pub thread_id: i64,
    pub name: String,
    pub icon_color: u32,
    pub icon_custom_emoji_id: Option<String>,
    pub closed: bool,
    /// Deleted by the bot (deleteForumTopic) or by hand ([`FakeTelegram::delete_topic_by_hand`]).
    pub deleted: bool,
    /// The topic's pinned message (the most recent by message id), if any.
    pub pinned_message_id: Option<i64>,
    /// [`BOT_ID`] or the id of the user who created it.
    pub created_by: i64,
}

/// How the bot answered a callback query.
#[derive(Clone, Debug, PartialEq)]
pub struct CallbackAnswer {
    pub text: Option<String>,
    pub show_alert: bool,
    pub url: Option<String>,
    pub at: Duration,
}

/// Handle to a running fake Telegram server. Cheap to clone.
#[derive(Clone)]
pub struct FakeTelegram {
    inner: Arc<Inner>,
    _guard: Arc<ServerGuard>,
}

impl FakeTelegram {
    /// Starts a server with [`Limits::telegram`].
    pub async fn start() -> Self {
        Self::start_with(Limits::telegram()).await
    }

    /// Starts a server on 127.0.0.1:0 on the current tokio runtime.
    pub async fn start_with(limits: Limits) -> Self {
        let (inner, guard) = server::spawn(limits).await;
        FakeTelegram { inner, _guard: Arc::new(guard) }
    }

    /// Base URL for `Bot::set_api_url`, e.g. "http://127.0.0.1:40123/".
    pub fn api_url(&self) -> String {
        format!("http://{}/", self.inner.addr)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock()
    }

    fn changed(&self) {
        self.inner.changed.notify_waiters();
    }

    fn pushed(&self) {
        self.inner.updates_notify.notify_waiters();
        self.inner.changed.notify_waiters();
    }

    /// Time since the fake started (the clock of `sent_at` / `Call::at`).
    pub fn elapsed(&self) -> Duration {
        self.inner.started.elapsed()
    }

    // ----- users and chats -----

    /// Adds a user who has started the bot; their private chat id equals `user_id`.
    pub fn add_user(&self, user_id: i64, first_name: &str, language_code: Option<&str>) {
        assert!(user_id > 0, "fake_telegram: user ids must be positive");
        let mut st = self.lock();
        st.users.insert(
            user_id,
            UserInfo {
                first_name: first_name.to_string(),
                language_code: language_code.map(str::to_string),
                blocked_bot: false,
            },
        );
        st.chats.insert(user_id, ChatInfo::Private { user_id });
    }

    /// Adds a supergroup (chat ids of supergroups are negative, e.g. -1001234567890).
    /// A forum (`is_forum`) has topics; its message 1 is taken, as in Telegram
    /// (the "General" topic's thread id), so no created topic gets thread id 1.
    pub fn add_group(&self, chat_id: i64, title: &str, is_forum: bool) {
        assert!(chat_id < 0, "fake_telegram: group chat ids must be negative");
        let mut st = self.lock();
        st.chats.insert(chat_id, ChatInfo::Supergroup { title: title.to_string(), is_forum });
        if is_forum {
            st.next_message_id.entry(chat_id).or_insert(2);
        }
    }

    /// Makes a user (added with [`add_user`](Self::add_user)) a member of a
    /// group; the `*_in_topic` actions need it.
    pub fn add_member(&self, chat_id: i64, user_id: i64) {
        let mut st = self.lock();
        assert!(
            matches!(st.chats.get(&chat_id), Some(ChatInfo::Supergroup { .. })),
            "fake_telegram: unknown group {chat_id}; call add_group first"
        );
        assert!(st.users.contains_key(&user_id), "fake_telegram: unknown user {user_id}; call add_user first");
        st.members.entry(chat_id).or_default().insert(user_id);
    }

    /// Whether the bot may post into closed topics of forum `chat_id`, as an
    /// admin with `can_manage_topics` may (the default). With `false`, sends
    /// into a closed topic answer [`TOPIC_CLOSED`]; the bot can still
    /// create, close and reopen topics (as it may for topics it created).
    pub fn set_bot_manages_topics(&self, chat_id: i64, manages: bool) {
        let mut st = self.lock();
        assert!(st.is_forum(chat_id), "fake_telegram: chat {chat_id} is not a forum group (add_group(.., true))");
        if manages {
            st.no_topic_rights.remove(&chat_id);
        } else {
            st.no_topic_rights.insert(chat_id);
        }
    }

    /// From now on sends to this user's chat answer 403 "Forbidden: bot was blocked by the user".
    pub fn block_bot(&self, user_id: i64, blocked: bool) {
        if let Some(u) = self.lock().users.get_mut(&user_id) {
            u.blocked_bot = blocked;
        }
    }

    // ----- what users do -----

    /// Injects a failure into the next `times` calls of `method`
    /// (case-insensitive, e.g. "sendMessage"; "*" = any method, getUpdates included).
    pub fn fail_next(&self, method: &str, failure: Failure, times: usize) {
        self.inject(method, None, failure, times);
    }

    /// Like [`fail_next`](Self::fail_next), for the calls of `method` to
    /// one chat (`chat_id`) only.
    pub fn fail_next_in(&self, chat_id: i64, method: &str, failure: Failure, times: usize) {
        self.inject(method, Some(chat_id), failure, times);
    }

    fn inject(&self, method: &str, chat_id: Option<i64>, failure: Failure, times: usize) {
        if times > 0 {
            self.lock().failures.push((method.to_ascii_lowercase(), chat_id, failure, times));
        }
        self.changed();
    }
}
