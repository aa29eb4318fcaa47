#![allow(dead_code)]
//! A strict, in-process fake of the Telegram Bot API for end-to-end tests and
//! benchmarks.
//!
//! Include it with
//! `#[path = "../support/fake_telegram.rs"] mod fake_telegram;`.
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

/// Telegram's answer to an unknown / already answered callback query.
pub const INVALID_QUERY: &str = "Bad Request: query is too old and response timeout expired or query ID is invalid";
/// Telegram's answer to an edit that changes nothing.
pub const NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
/// Telegram's answer to a second concurrent getUpdates.
pub const CONFLICT: &str =
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";

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

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

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

/// A message the bot sent, in its current state.
#[derive(Clone, Debug)]
pub struct BotMessage {
    pub chat_id: i64,
    pub message_id: i64,
    /// Visible text (or caption) as Telegram stores it: markup parsed away, trimmed.
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
    /// Text / caption exactly as the bot sent it (with markup).
    pub raw_text: String,
    pub parse_mode: Option<String>,
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

// ---------------------------------------------------------------------------
// Internal state
// ---------------------------------------------------------------------------

struct UserInfo {
    first_name: String,
    language_code: Option<String>,
    blocked_bot: bool,
}

enum ChatInfo {
    Private { user_id: i64 },
    Supergroup { title: String, is_forum: bool },
}

struct StoredMessage {
    message_id: i64,
    from_bot: bool,
    /// A service message (forum_topic_created, pinned_message, …): not listed
    /// by `messages()`, can't be edited.
    service: bool,
    json: Map<String, Value>,
    kind: String,
    text: String,
    raw_text: String,
    parse_mode: Option<String>,
    entities: Vec<Entity>,
    buttons: Vec<Vec<Button>>,
    inline_markup: Option<Value>,
    reply_keyboard: Option<Value>,
    edits: u32,
    sent_at: Duration,
    deleted: bool,
    file_id: Option<String>,
    media_group_id: Option<String>,
    reply_to: Option<i64>,
    thread_id: Option<i64>,
}

impl StoredMessage {
    /// A message as `json` describes it, not yet edited or deleted; callers
    /// fill in the text, buttons and sender they know better.
    fn from_json(json: &Map<String, Value>, kind: &str, thread_id: Option<i64>, sent_at: Duration) -> StoredMessage {
        StoredMessage {
            message_id: json.get("message_id").and_then(Value::as_i64).unwrap_or_default(),
            from_bot: false,
            service: false,
            json: json.clone(),
            kind: kind.to_string(),
            text: String::new(),
            raw_text: String::new(),
            parse_mode: None,
            entities: Vec::new(),
            buttons: Vec::new(),
            inline_markup: None,
            reply_keyboard: None,
            edits: 0,
            sent_at,
            deleted: false,
            file_id: media_file_id(json),
            media_group_id: json.get("media_group_id").and_then(Value::as_str).map(str::to_string),
            reply_to: explicit_reply(json),
            thread_id,
        }
    }
}

#[derive(Clone)]
struct FileEntry {
    file_id: String,
    unique_id: String,
    bytes: Arc<Vec<u8>>,
    path: String,
    /// "photo", "document", "sticker", "voice"
    kind: String,
    /// For photos: the whole PhotoSize array this size belongs to.
    photo_sizes: Option<Value>,
    /// The media JSON object (document / sticker / voice).
    media: Option<Value>,
}

struct CallbackInfo {
    answered: Option<CallbackAnswer>,
}

struct Topic {
    thread_id: i64,
    name: String,
    icon_color: u32,
    icon_custom_emoji_id: Option<String>,
    closed: bool,
    deleted: bool,
    created_by: i64,
}

/// Where a service message goes.
#[derive(Clone, Copy)]
enum InThread {
    No,
    Topic(i64),
    /// The `forum_topic_created` message: it is the root of its own thread.
    NewTopic,
}

struct State {
    started: Instant,
    limits: Limits,
    users: HashMap<i64, UserInfo>,
    chats: HashMap<i64, ChatInfo>,
    messages: HashMap<i64, Vec<StoredMessage>>,
    next_message_id: HashMap<i64, i64>,
    next_update_id: i64,
    updates: VecDeque<(i64, Value)>,
    allowed_updates: Option<Vec<String>>,
    poll_generation: u64,
    files: HashMap<String, FileEntry>,
    file_paths: HashMap<String, String>,
    file_counter: u64,
    media_group_counter: u64,
    callbacks: HashMap<String, CallbackInfo>,
    callback_order: Vec<String>,
    callback_counter: u64,
    calls: Vec<Call>,
    rejections: Vec<Call>,
    too_many: usize,
    commands: BTreeMap<String, Vec<(String, String)>>,
    failures: Vec<(String, Failure, usize)>,
    sends: VecDeque<(Instant, i64)>,
    /// Forum topics per chat, in creation order (deleted ones kept, flagged).
    topics: HashMap<i64, Vec<Topic>>,
    /// Pinned message ids per chat.
    pins: HashMap<i64, Vec<i64>>,
    /// Group members per chat (see `add_member`).
    members: HashMap<i64, HashSet<i64>>,
    /// Forums where the bot lacks `can_manage_topics`: closed topics refuse its sends.
    no_topic_rights: HashSet<i64>,
}

struct Inner {
    state: Mutex<State>,
    /// Woken when an update is pushed or a poll is superseded.
    updates_notify: Notify,
    /// Woken on every state change.
    changed: Notify,
    addr: SocketAddr,
    started: Instant,
}

struct ServerGuard(tokio::task::AbortHandle);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Handle to a running fake Telegram server. Cheap to clone.
#[derive(Clone)]
pub struct FakeTelegram {
    inner: Arc<Inner>,
    _guard: Arc<ServerGuard>,
}

#[derive(Debug)]
struct ApiErr {
    status: u16,
    description: String,
    retry_after: Option<u32>,
    rate_limited: bool,
}

impl ApiErr {
    fn new(status: u16, description: impl Into<String>) -> Self {
        ApiErr { status, description: description.into(), retry_after: None, rate_limited: false }
    }

    fn bad(description: impl Into<String>) -> Self {
        Self::new(400, description)
    }

    fn chat_not_found() -> Self {
        Self::bad("Bad Request: chat not found")
    }
}

type ApiResult = Result<Value, ApiErr>;

struct Upload {
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

struct Req {
    body: Map<String, Value>,
    uploads: HashMap<String, Upload>,
}

impl Req {
    fn get(&self, key: &str) -> Option<&Value> {
        self.body.get(key).filter(|v| !v.is_null())
    }

    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn str(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => Some(other.to_string()),
        }
    }

    /// `Ok(None)` when absent, `Err(())` when present but not an integer.
    fn i64(&self, key: &str) -> Result<Option<i64>, ()> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or(()),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| ()),
            Some(_) => Err(()),
        }
    }

    fn int_or(&self, key: &str, default: i64) -> Result<i64, ApiErr> {
        self.i64(key)
            .map(|v| v.unwrap_or(default))
            .map_err(|_| ApiErr::bad(format!("Bad Request: invalid {key} specified")))
    }

    fn bool(&self, key: &str) -> bool {
        match self.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true" || s == "1",
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        }
    }

    /// A JSON-serialised parameter (either real JSON or a JSON string).
    fn json(&self, key: &str) -> Option<Value> {
        match self.get(key)? {
            Value::String(s) => Some(serde_json::from_str(s).unwrap_or(Value::String(s.clone()))),
            v => Some(v.clone()),
        }
    }
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// file_id of the largest photo size, or of the video / document / sticker / voice.
fn media_file_id(message: &Map<String, Value>) -> Option<String> {
    let photo = message.get("photo").and_then(Value::as_array).and_then(|sizes| sizes.last());
    photo
        .or_else(|| ["video", "document", "sticker", "voice"].iter().find_map(|k| message.get(*k)))
        .and_then(|m| m.get("file_id"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A topic name as Telegram stores it (tdlib's `clean_name`): whitespace runs
/// collapsed to one space, trimmed, cut to 128 characters. Telegram truncates
/// a longer name rather than refusing it.
fn clean_topic_name(name: &str) -> String {
    let collapsed = name.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(MAX_TOPIC_NAME).collect::<String>().trim_end().to_string()
}

/// Content of a user's text message; a leading "/command" gets a bot_command entity.
fn text_content(text: &str) -> Map<String, Value> {
    let mut content = Map::new();
    content.insert("text".into(), json!(text));
    if text.starts_with('/') {
        let command = text.split_whitespace().next().unwrap_or(text);
        content.insert("entities".into(), json!([{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]));
    }
    content
}

/// The message a stored message replies to, not counting the implicit reply to
/// the creation message that Telegram puts on every message in a forum topic.
fn explicit_reply(json: &Map<String, Value>) -> Option<i64> {
    json.get("reply_to_message")
        .filter(|m| m.get("forum_topic_created").is_none())
        .and_then(|m| m.get("message_id"))
        .and_then(Value::as_i64)
}

fn bot_user_json() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME})
}

fn percent_decode(s: &str, plus_as_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_urlencoded(s: &str, into: &mut Map<String, Value>) {
    for pair in s.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        into.insert(percent_decode(k, true), Value::String(percent_decode(v, true)));
    }
}

fn find_bytes(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

fn header_param(header: &str, name: &str) -> Option<String> {
    for part in header.split(';').skip(1) {
        let part = part.trim();
        if let Some((k, v)) = part.split_once('=')
            && k.trim().eq_ignore_ascii_case(name)
        {
            return Some(v.trim().trim_matches('"').to_string());
        }
    }
    None
}

type Uploads = HashMap<String, Upload>;

fn parse_multipart(body: &[u8], boundary: &str) -> Result<(Map<String, Value>, Uploads), String> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut fields = Map::new();
    let mut uploads = HashMap::new();
    let mut pos = find_bytes(body, delim, 0).ok_or("no multipart boundary")? + delim.len();
    loop {
        if body[pos..].starts_with(b"--") {
            break;
        }
        if body[pos..].starts_with(b"\r\n") {
            pos += 2;
        }
        let next = find_bytes(body, delim, pos).ok_or("unterminated multipart body")?;
        let mut part = &body[pos..next];
        if part.ends_with(b"\r\n") {
            part = &part[..part.len() - 2];
        }
        let head_end = find_bytes(part, b"\r\n\r\n", 0).ok_or("multipart part without headers")?;
        let head = String::from_utf8_lossy(&part[..head_end]).into_owned();
        let content = part[head_end + 4..].to_vec();
        let mut name = None;
        let mut file_name = None;
        let mut content_type = None;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else { continue };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                name = header_param(v, "name");
                file_name = header_param(v, "filename");
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_string());
            }
        }
        let name = name.ok_or("multipart part without a name")?;
        if file_name.is_some() {
            uploads.insert(name, Upload { file_name, content_type, bytes: content });
        } else {
            let text = String::from_utf8_lossy(&content).into_owned();
            fields.insert(name, Value::String(text));
        }
        pos = next + delim.len();
        if pos >= body.len() {
            break;
        }
    }
    Ok((fields, uploads))
}

fn parse_request(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Req, String> {
    let mut fields = Map::new();
    let mut uploads = HashMap::new();
    if let Some(q) = uri.query() {
        parse_urlencoded(q, &mut fields);
    }
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let lower = ctype.to_ascii_lowercase();
    if *method == Method::GET && body.is_empty() {
        // query only
    } else if lower.starts_with("multipart/form-data") {
        let boundary = header_param(&ctype, "boundary").ok_or("multipart without boundary")?;
        let (f, u) = parse_multipart(body, &boundary)?;
        fields.extend(f);
        uploads = u;
    } else if lower.starts_with("application/x-www-form-urlencoded") {
        parse_urlencoded(&String::from_utf8_lossy(body), &mut fields);
    } else if !body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => fields.extend(m),
            Ok(_) => return Err("request body must be a JSON object".into()),
            Err(e) => return Err(format!("can't parse JSON: {e}")),
        }
    }
    // Telegram accepts JSON-serialised strings for structured parameters.
    for key in JSON_FIELDS {
        if let Some(Value::String(s)) = fields.get(*key) {
            let t = s.trim_start();
            if (t.starts_with('{') || t.starts_with('['))
                && let Ok(v) = serde_json::from_str::<Value>(s)
            {
                fields.insert((*key).to_string(), v);
            }
        }
    }
    Ok(Req { body: fields, uploads })
}

fn json_response(status: u16, body: &Value) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (code, body.to_string()).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

fn error_json(err: &ApiErr) -> Value {
    let mut v = json!({"ok": false, "error_code": err.status, "description": err.description});
    if let Some(n) = err.retry_after {
        v["parameters"] = json!({ "retry_after": n });
    }
    v
}

const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n";

// ---------------------------------------------------------------------------
// Text formatting (HTML / MarkdownV2 / Markdown), modelled on tdlib
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
struct Entity {
    kind: String,
    offset: usize,
    length: usize,
    arg: String,
}

struct Formatted {
    text: String,
    entities: Vec<Entity>,
}

impl Formatted {
    /// Telegram strips leading and trailing whitespace.
    fn trimmed(self) -> Formatted {
        let lead = utf16_len(&self.text) - utf16_len(self.text.trim_start());
        let text = self.text.trim().to_string();
        let total = utf16_len(&text);
        let entities = self
            .entities
            .into_iter()
            .filter_map(|mut e| {
                let start = e.offset.saturating_sub(lead);
                let end = (e.offset + e.length).saturating_sub(lead).min(total);
                (end > start).then(|| {
                    e.offset = start;
                    e.length = end - start;
                    e
                })
            })
            .collect();
        Formatted { text, entities }
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)
}

fn is_first_code_unit(c: u8) -> bool {
    (c & 0xc0) != 0x80
}

const HTML_TAGS: &[&str] = &[
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
];

fn html_attr(attrs: &str, name: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find(name) {
        let at = from + p;
        let rest = attrs[at + name.len()..].trim_start();
        if let Some(rest) = rest.strip_prefix('=') {
            let rest = rest.trim_start();
            let value = if let Some(r) = rest.strip_prefix('"') {
                r.split('"').next().unwrap_or("")
            } else if let Some(r) = rest.strip_prefix('\'') {
                r.split('\'').next().unwrap_or("")
            } else {
                rest.split(|c: char| c.is_whitespace()).next().unwrap_or("")
            };
            return Some(decode_html_text(value));
        }
        from = at + name.len();
    }
    None
}

fn decode_html_entity(s: &str) -> Option<(char, usize)> {
    let semi = s.get(..s.len().min(12))?.find(';')?;
    let name = &s[1..semi];
    let ch = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                num.parse().ok()?
            };
            char::from_u32(code)?
        }
    };
    Some((ch, semi + 1))
}

fn decode_html_text(s: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < s.len() {
        if s.as_bytes()[i] == b'&'
            && let Some((ch, len)) = decode_html_entity(&s[i..])
        {
            out.push(ch);
            i += len;
            continue;
        }
        let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
}

fn parse_html(s: &str) -> Result<Formatted, String> {
    let b = s.as_bytes();
    let n = b.len();
    let mut out = String::new();
    let mut stack: Vec<(String, usize, String)> = Vec::new();
    let mut entities = Vec::new();
    let mut i = 0;
    while i < n {
        let c = b[i];
        if c == b'&' {
            if let Some((ch, len)) = decode_html_entity(&s[i..]) {
                out.push(ch);
                i += len;
            } else {
                out.push('&');
                i += 1;
            }
            continue;
        }
        if c != b'<' {
            let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8().max(1);
            continue;
        }
        let begin = i;
        if i + 1 < n && b[i + 1] == b'/' {
            if stack.is_empty() {
                return Err(format!("Unexpected end tag at byte offset {begin}"));
            }
            i += 2;
            let name_start = i;
            while i < n && !is_space(b[i]) && b[i] != b'>' {
                i += 1;
            }
            let end_name = s[name_start..i].to_ascii_lowercase();
            while i < n && is_space(b[i]) {
                i += 1;
            }
            if i >= n || b[i] != b'>' {
                return Err(format!("Unclosed end tag at byte offset {begin}"));
            }
            i += 1;
            let Some((name, start, arg)) = stack.pop() else {
                return Err(format!("Unexpected end tag at byte offset {begin}"));
            };
            if !end_name.is_empty() && end_name != name {
                return Err(format!(
                    "Unmatched end tag at byte offset {begin}, expected \"</{name}>\", found \"</{end_name}>\""
                ));
            }
            let end = utf16_len(&out);
            if end > start {
                entities.push(Entity { kind: name, offset: start, length: end - start, arg });
            }
        } else {
            i += 1;
            while i < n && !is_space(b[i]) && b[i] != b'>' {
                i += 1;
            }
            if i >= n {
                return Err(format!("Unclosed start tag at byte offset {begin}"));
            }
            let name = s[begin + 1..i].to_ascii_lowercase();
            if !HTML_TAGS.contains(&name.as_str()) {
                return Err(format!("Unsupported start tag \"{name}\" at byte offset {begin}"));
            }
            let attr_start = i;
            let mut quote: Option<u8> = None;
            while i < n {
                match (quote, b[i]) {
                    (None, b'>') => break,
                    (None, q @ (b'"' | b'\'')) => quote = Some(q),
                    (Some(q), x) if x == q => quote = None,
                    _ => {}
                }
                i += 1;
            }
            if i >= n {
                return Err(format!("Unclosed start tag at byte offset {begin}"));
            }
            let attrs = &s[attr_start..i];
            i += 1;
            let arg = match name.as_str() {
                "a" => html_attr(attrs, "href").unwrap_or_default(),
                "span" => {
                    if html_attr(attrs, "class").as_deref() != Some("tg-spoiler") {
                        return Err(format!("Tag \"span\" must have class \"tg-spoiler\" at byte offset {begin}"));
                    }
                    String::new()
                }
                "tg-emoji" => match html_attr(attrs, "emoji-id") {
                    Some(id) => id,
                    None => {
                        return Err(format!(
                            "Tag \"tg-emoji\" must have attribute \"emoji-id\" at byte offset {begin}"
                        ));
                    }
                },
                "pre" | "code" => html_attr(attrs, "class").unwrap_or_default(),
                _ => String::new(),
            };
            stack.push((name, utf16_len(&out), arg));
        }
    }
    if let Some((name, ..)) = stack.last() {
        return Err(format!("Can't find end tag corresponding to start tag \"{name}\""));
    }
    Ok(Formatted { text: out, entities })
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Md {
    Bold,
    Italic,
    Underline,
    Strikethrough,
    Spoiler,
    Code,
    Pre,
    TextUrl,
    CustomEmoji,
}

fn reserved_error(c: u8) -> String {
    format!("Character '{}' is reserved and must be escaped with the preceding '\\'", c as char)
}

fn parse_markdown_v2(s: &str) -> Result<Formatted, String> {
    let b = s.as_bytes();
    let n = b.len();
    let at = |k: usize| -> u8 { if k < n { b[k] } else { 0 } };
    let mut out: Vec<u8> = Vec::with_capacity(n);
    // (kind, utf16 offset, byte offset in the source)
    let mut stack: Vec<(Md, usize, usize)> = Vec::new();
    let mut entities = Vec::new();
    let mut u16off = 0usize;
    let mut i = 0usize;
    while i < n {
        let c = b[i];
        if c == b'\\' && at(i + 1) > 0 && at(i + 1) <= 126 {
            out.push(b[i + 1]);
            u16off += 1;
            i += 2;
            continue;
        }
        let reserved: &[u8] = match stack.last() {
            Some((Md::Code | Md::Pre, ..)) => b"`",
            _ => b"_*[]()~`>#+-=|{}.!",
        };
        if !reserved.contains(&c) {
            if is_first_code_unit(c) {
                u16off += 1 + usize::from(c >= 0xf0);
            }
            out.push(c);
            i += 1;
            continue;
        }
        let is_end = match stack.last() {
            Some((kind, ..)) => match kind {
                Md::Bold => c == b'*',
                Md::Italic => c == b'_' && at(i + 1) != b'_',
                Md::Code => c == b'`',
                Md::Pre => c == b'`' && at(i + 1) == b'`' && at(i + 2) == b'`',
                Md::TextUrl | Md::CustomEmoji => c == b']',
                Md::Underline => c == b'_' && at(i + 1) == b'_',
                Md::Strikethrough => c == b'~',
                Md::Spoiler => c == b'|' && at(i + 1) == b'|',
            },
            None => false,
        };
        if !is_end {
            let begin = i;
            let kind = match c {
                b'_' => {
                    if at(i + 1) == b'_' {
                        i += 1;
                        Md::Underline
                    } else {
                        Md::Italic
                    }
                }
                b'*' => Md::Bold,
                b'~' => Md::Strikethrough,
                b'|' if at(i + 1) == b'|' => {
                    i += 1;
                    Md::Spoiler
                }
                b'[' => Md::TextUrl,
                b'`' => {
                    if at(i + 1) == b'`' && at(i + 2) == b'`' {
                        i += 3;
                        let mut language_end = i;
                        while language_end < n && !is_space(b[language_end]) && b[language_end] != b'`' {
                            language_end += 1;
                        }
                        if i != language_end && language_end < n && b[language_end] != b'`' {
                            i = language_end;
                        }
                        if at(i) == b'\n' || at(i) == b'\r' {
                            if (at(i + 1) == b'\n' || at(i + 1) == b'\r') && at(i) != at(i + 1) {
                                i += 2;
                            } else {
                                i += 1;
                            }
                        }
                        i -= 1;
                        Md::Pre
                    } else {
                        Md::Code
                    }
                }
                b'!' if at(i + 1) == b'[' => {
                    i += 1;
                    Md::CustomEmoji
                }
                b'>' if i == 0 || b[i - 1] == b'\n' => {
                    // blockquote marker at the start of a line
                    i += 1;
                    continue;
                }
                _ => return Err(reserved_error(c)),
            };
            stack.push((kind, u16off, begin));
            i += 1;
        } else {
            let Some((kind, start, _)) = stack.pop() else { break };
            let mut arg = String::new();
            match kind {
                Md::Underline => i += 1,
                Md::Pre => i += 2,
                Md::TextUrl | Md::CustomEmoji => {
                    if at(i + 1) == b'(' {
                        i += 2;
                        let url_begin = i;
                        let mut url = Vec::new();
                        while i < n && b[i] != b')' {
                            if b[i] == b'\\' && at(i + 1) > 0 && at(i + 1) <= 126 {
                                url.push(b[i + 1]);
                                i += 2;
                                continue;
                            }
                            url.push(b[i]);
                            i += 1;
                        }
                        if i >= n {
                            return Err(format!("Can't find end of a URL at byte offset {url_begin}"));
                        }
                        arg = String::from_utf8_lossy(&url).into_owned();
                    } else if kind == Md::CustomEmoji {
                        return Err("Custom emoji entity must contain a tg://emoji URL".to_string());
                    }
                }
                _ => {}
            }
            if u16off > start {
                entities.push(Entity { kind: format!("{kind:?}"), offset: start, length: u16off - start, arg });
            }
            i += 1;
        }
    }
    if let Some((kind, _, byte)) = stack.last() {
        return Err(format!("Can't find end of {kind:?} entity at byte offset {byte}"));
    }
    Ok(Formatted { text: String::from_utf8_lossy(&out).into_owned(), entities })
}

fn parse_markdown_legacy(s: &str) -> Result<Formatted, String> {
    let b = s.as_bytes();
    let n = b.len();
    let at = |k: usize| -> u8 { if k < n { b[k] } else { 0 } };
    let mut out: Vec<u8> = Vec::with_capacity(n);
    let mut entities = Vec::new();
    let mut u16off = 0usize;
    let mut i = 0usize;
    let push = |out: &mut Vec<u8>, u16off: &mut usize, c: u8| {
        if is_first_code_unit(c) {
            *u16off += 1 + usize::from(c >= 0xf0);
        }
        out.push(c);
    };
    while i < n {
        let c = b[i];
        if c == b'\\' && matches!(at(i + 1), b'_' | b'*' | b'`' | b'[') {
            push(&mut out, &mut u16off, b[i + 1]);
            i += 2;
            continue;
        }
        if !matches!(c, b'_' | b'*' | b'`' | b'[') {
            push(&mut out, &mut u16off, c);
            i += 1;
            continue;
        }
        let begin = i;
        let end_char = if c == b'[' { b']' } else { c };
        let mut is_pre = false;
        i += 1;
        if c == b'`' && at(i) == b'`' && at(i + 1) == b'`' {
            i += 2;
            is_pre = true;
            let mut language_end = i;
            while language_end < n && !is_space(b[language_end]) && b[language_end] != b'`' {
                language_end += 1;
            }
            if i != language_end && language_end < n && b[language_end] != b'`' {
                i = language_end;
            }
            if at(i) == b'\n' || at(i) == b'\r' {
                if (at(i + 1) == b'\n' || at(i + 1) == b'\r') && at(i) != at(i + 1) {
                    i += 2;
                } else {
                    i += 1;
                }
            }
        }
        let start = u16off;
        while i < n && (b[i] != end_char || (is_pre && !(at(i + 1) == b'`' && at(i + 2) == b'`'))) {
            push(&mut out, &mut u16off, b[i]);
            i += 1;
        }
        if i >= n {
            return Err(format!("Can't find end of the entity starting at byte offset {begin}"));
        }
        let mut arg = String::new();
        if c == b'[' && at(i + 1) == b'(' {
            i += 2;
            let url_start = i;
            while i < n && b[i] != b')' {
                i += 1;
            }
            arg = String::from_utf8_lossy(&b[url_start..i.min(n)]).into_owned();
        }
        if is_pre {
            i += 2;
        }
        if u16off > start {
            let kind = match c {
                b'*' => "bold",
                b'_' => "italic",
                b'[' => "text_link",
                _ if is_pre => "pre",
                _ => "code",
            };
            entities.push(Entity { kind: kind.into(), offset: start, length: u16off - start, arg });
        }
        i += 1;
    }
    Ok(Formatted { text: String::from_utf8_lossy(&out).into_owned(), entities })
}

/// Parses `raw` according to `parse_mode` (already validated) and trims it.
fn format_text(raw: &str, parse_mode: Option<&str>) -> Result<Formatted, ApiErr> {
    let parsed = match parse_mode {
        None => Ok(Formatted { text: raw.to_string(), entities: Vec::new() }),
        Some("html") => parse_html(raw),
        Some("markdownv2") => parse_markdown_v2(raw),
        Some(_) => parse_markdown_legacy(raw),
    };
    parsed.map(Formatted::trimmed).map_err(|e| ApiErr::bad(format!("Bad Request: can't parse entities: {e}")))
}

/// Validates `parse_mode` ("" means none). Returns the canonical lower-case mode.
fn parse_mode(req: &Req, key: &str) -> Result<Option<String>, ApiErr> {
    match req.str(key) {
        None => Ok(None),
        Some(m) if m.is_empty() => Ok(None),
        Some(m) => {
            let lower = m.to_ascii_lowercase();
            if matches!(lower.as_str(), "html" | "markdownv2" | "markdown") {
                Ok(Some(lower))
            } else {
                Err(ApiErr::bad("Bad Request: unsupported parse_mode"))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Reply markup
// ---------------------------------------------------------------------------

enum Markup {
    Inline { rows: Vec<Vec<Button>>, json: Value },
    Reply { rows: Vec<Vec<Button>>, json: Value },
    Other(Value),
}

impl Markup {
    fn inline_json(&self) -> Option<Value> {
        match self {
            Markup::Inline { json, .. } => Some(json.clone()),
            _ => None,
        }
    }
}

const INLINE_ACTIONS: &[&str] = &[
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
];

fn markup_error() -> ApiErr {
    ApiErr::bad("Bad Request: can't parse reply keyboard markup JSON object")
}

fn parse_markup(value: Option<Value>) -> Result<Option<Markup>, ApiErr> {
    let Some(value) = value else { return Ok(None) };
    let Value::Object(obj) = &value else { return Err(markup_error()) };
    if let Some(kb) = obj.get("inline_keyboard") {
        let rows = kb.as_array().ok_or_else(|| {
            ApiErr::bad("Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
        })?;
        let mut out_rows = Vec::new();
        for row in rows {
            let row = row.as_array().ok_or_else(|| {
                ApiErr::bad(
                    "Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays",
                )
            })?;
            let mut out_row = Vec::new();
            for button in row {
                let button = button.as_object().ok_or_else(|| {
                    ApiErr::bad(
                        "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object",
                    )
                })?;
                let text = button.get("text").and_then(Value::as_str).ok_or_else(|| {
                    ApiErr::bad(
                        "Bad Request: can't parse inline keyboard button: Field \"text\" must be of type String",
                    )
                })?;
                let actions: Vec<&&str> = INLINE_ACTIONS.iter().filter(|a| button.contains_key(**a)).collect();
                if actions.is_empty() {
                    return Err(ApiErr::bad(
                        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                    ));
                }
                if actions.len() > 1 {
                    return Err(ApiErr::bad(
                        "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used",
                    ));
                }
                let callback_data = match button.get("callback_data") {
                    Some(Value::String(d)) => {
                        if d.is_empty() || d.len() > 64 {
                            return Err(ApiErr::bad("Bad Request: BUTTON_DATA_INVALID"));
                        }
                        Some(d.clone())
                    }
                    Some(_) => return Err(ApiErr::bad("Bad Request: BUTTON_DATA_INVALID")),
                    None => None,
                };
                let url = match button.get("url") {
                    Some(Value::String(u)) => {
                        let ok = ["http://", "https://", "tg://"].iter().any(|p| u.starts_with(p)) && u.len() > 8;
                        if !ok {
                            return Err(ApiErr::bad("Bad Request: BUTTON_URL_INVALID"));
                        }
                        Some(u.clone())
                    }
                    Some(_) => return Err(ApiErr::bad("Bad Request: BUTTON_URL_INVALID")),
                    None => None,
                };
                if text.is_empty() {
                    return Err(ApiErr::bad("Bad Request: BUTTON_TEXT_INVALID"));
                }
                out_row.push(Button { text: text.to_string(), callback_data, url, request_contact: false });
            }
            out_rows.push(out_row);
        }
        return Ok(Some(Markup::Inline { rows: out_rows, json: json!({ "inline_keyboard": kb }) }));
    }
    if let Some(kb) = obj.get("keyboard") {
        let rows = kb.as_array().ok_or_else(markup_error)?;
        let mut out_rows = Vec::new();
        for row in rows {
            let row = row.as_array().ok_or_else(markup_error)?;
            let mut out_row = Vec::new();
            for button in row {
                let (text, request_contact) = match button {
                    Value::String(t) => (t.clone(), false),
                    Value::Object(o) => (
                        o.get("text")
                            .and_then(Value::as_str)
                            .ok_or_else(|| {
                                ApiErr::bad(
                                    "Bad Request: can't parse keyboard button: Field \"text\" must be of type String",
                                )
                            })?
                            .to_string(),
                        o.get("request_contact").and_then(Value::as_bool).unwrap_or(false),
                    ),
                    _ => return Err(markup_error()),
                };
                if text.is_empty() {
                    return Err(ApiErr::bad("Bad Request: keyboard button text must be non-empty"));
                }
                out_row.push(Button { text, callback_data: None, url: None, request_contact });
            }
            out_rows.push(out_row);
        }
        return Ok(Some(Markup::Reply { rows: out_rows, json: value.clone() }));
    }
    if obj.get("remove_keyboard").and_then(Value::as_bool) == Some(true)
        || obj.get("force_reply").and_then(Value::as_bool) == Some(true)
    {
        return Ok(Some(Markup::Other(value.clone())));
    }
    Err(markup_error())
}

// ---------------------------------------------------------------------------
// State logic
// ---------------------------------------------------------------------------

/// Content of a message being copied / forwarded.
struct Source {
    content: Map<String, Value>,
    kind: String,
    text: String,
    file_id: Option<String>,
    origin_user: Value,
    origin_date: Value,
}

enum FileRef {
    Existing(FileEntry),
    New { bytes: Vec<u8>, file_name: Option<String>, mime: Option<String> },
}

impl State {
    fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    fn chat_json(&self, chat_id: i64) -> Value {
        match self.chats.get(&chat_id) {
            Some(ChatInfo::Private { user_id }) => {
                let name = self.users.get(user_id).map(|u| u.first_name.clone()).unwrap_or_default();
                json!({"id": chat_id, "type": "private", "first_name": name})
            }
            Some(ChatInfo::Supergroup { title, is_forum }) => {
                let mut v = json!({"id": chat_id, "type": "supergroup", "title": title});
                if *is_forum {
                    v["is_forum"] = json!(true);
                }
                v
            }
            None => json!({"id": chat_id, "type": "private"}),
        }
    }

    fn user_json(&self, user_id: i64) -> Value {
        let user = self
            .users
            .get(&user_id)
            .unwrap_or_else(|| panic!("fake_telegram: unknown user {user_id}; call add_user first"));
        let mut v = json!({"id": user_id, "is_bot": false, "first_name": user.first_name});
        if let Some(lc) = &user.language_code {
            v["language_code"] = json!(lc);
        }
        v
    }

    fn next_mid(&mut self, chat_id: i64) -> i64 {
        let next = self.next_message_id.entry(chat_id).or_insert(1);
        let id = *next;
        *next += 1;
        id
    }

    fn push_update(&mut self, kind: &str, payload: Value) -> i64 {
        let id = self.next_update_id;
        self.next_update_id += 1;
        let mut obj = Map::new();
        obj.insert("update_id".into(), json!(id));
        obj.insert(kind.into(), payload);
        self.updates.push_back((id, Value::Object(obj)));
        id
    }

    fn find(&self, chat_id: i64, message_id: i64) -> Option<&StoredMessage> {
        self.messages.get(&chat_id)?.iter().find(|m| m.message_id == message_id && !m.deleted)
    }

    fn find_mut(&mut self, chat_id: i64, message_id: i64) -> Option<&mut StoredMessage> {
        self.messages.get_mut(&chat_id)?.iter_mut().find(|m| m.message_id == message_id && !m.deleted)
    }

    fn register_file(&mut self, bytes: Vec<u8>, kind: &str, ext: &str, salt: &str) -> FileEntry {
        self.file_counter += 1;
        let n = self.file_counter;
        let hash = fnv1a(&bytes) ^ fnv1a(salt.as_bytes()).rotate_left(7);
        let prefix = match kind {
            "photo" => "AgACAgIAAxkBAA",
            "document" => "BQACAgIAAxkBAA",
            "video" => "BAACAgIAAxkBAA",
            "sticker" => "CAACAgIAAxkBAA",
            "voice" => "AwACAgIAAxkBAA",
            _ => "AAMCAgADGQEAA",
        };
        let dir = match kind {
            "photo" => "photos",
            "document" => "documents",
            "video" => "videos",
            "sticker" => "stickers",
            "voice" => "voice",
            _ => "files",
        };
        let entry = FileEntry {
            file_id: format!("{prefix}{n:06}_{hash:016x}"),
            unique_id: format!("AQAD{hash:016x}"),
            bytes: Arc::new(bytes),
            path: format!("{dir}/file_{n}.{ext}"),
            kind: kind.to_string(),
            photo_sizes: None,
            media: None,
        };
        self.file_paths.insert(entry.path.clone(), entry.file_id.clone());
        self.files.insert(entry.file_id.clone(), entry.clone());
        entry
    }

    /// Registers a photo in two sizes (a 320x240 preview holding the first
    /// quarter of the bytes, and the 1280x960 original) and returns the
    /// PhotoSize array, largest last like Telegram.
    fn register_photo(&mut self, bytes: Vec<u8>) -> Value {
        let preview: Vec<u8> = bytes[..bytes.len().div_ceil(4)].to_vec();
        let small = self.register_file(preview, "photo", "jpg", "m");
        let large = self.register_file(bytes, "photo", "jpg", "x");
        let sizes = json!([
            {"file_id": small.file_id, "file_unique_id": small.unique_id, "file_size": small.bytes.len(), "width": 320, "height": 240},
            {"file_id": large.file_id, "file_unique_id": large.unique_id, "file_size": large.bytes.len(), "width": 1280, "height": 960},
        ]);
        for id in [&small.file_id, &large.file_id] {
            if let Some(f) = self.files.get_mut(id) {
                f.photo_sizes = Some(sizes.clone());
            }
        }
        sizes
    }

    fn register_document(&mut self, bytes: Vec<u8>, file_name: &str, mime_type: &str) -> Value {
        let ext = file_name.rsplit_once('.').map(|(_, e)| e).filter(|e| !e.is_empty()).unwrap_or("bin").to_string();
        let f = self.register_file(bytes, "document", &ext, file_name);
        let media = json!({
            "file_id": f.file_id, "file_unique_id": f.unique_id, "file_size": f.bytes.len(),
            "file_name": file_name, "mime_type": mime_type,
        });
        if let Some(e) = self.files.get_mut(&f.file_id) {
            e.media = Some(media.clone());
        }
        media
    }

    fn register_video(&mut self, bytes: Vec<u8>) -> Value {
        let f = self.register_file(bytes, "video", "mp4", "video");
        let media = json!({
            "file_id": f.file_id, "file_unique_id": f.unique_id, "file_size": f.bytes.len(),
            "width": 1280, "height": 720, "duration": 5, "mime_type": "video/mp4",
        });
        if let Some(e) = self.files.get_mut(&f.file_id) {
            e.media = Some(media.clone());
        }
        media
    }

    // ----- users' side -----

    fn user_message(&mut self, chat_id: i64, user_id: i64, content: Map<String, Value>, kind: &str) -> i64 {
        self.user_message_in(chat_id, user_id, content, kind, None)
    }

    /// A user's message, in forum topic `thread` if given (the caller checked it exists).
    fn user_message_in(
        &mut self,
        chat_id: i64,
        user_id: i64,
        content: Map<String, Value>,
        kind: &str,
        thread: Option<i64>,
    ) -> i64 {
        if !self.chats.contains_key(&chat_id) {
            panic!("fake_telegram: unknown chat {chat_id}; call add_user / add_group first");
        }
        let from = self.user_json(user_id);
        let mid = self.next_mid(chat_id);
        let mut json = Map::new();
        json.insert("message_id".into(), json!(mid));
        json.insert("from".into(), from);
        json.insert("chat".into(), self.chat_json(chat_id));
        json.insert("date".into(), json!(unix_now()));
        let text =
            content.get("text").or_else(|| content.get("caption")).and_then(Value::as_str).unwrap_or("").to_string();
        json.extend(content);
        if let Some(t) = thread {
            self.add_thread_fields(chat_id, t, &mut json);
        }
        let sent_at = self.elapsed();
        let stored = StoredMessage::from_json(&json, kind, thread, sent_at);
        self.messages.entry(chat_id).or_default().push(StoredMessage { text: text.clone(), raw_text: text, ..stored });
        self.push_update("message", Value::Object(json));
        mid
    }

    // ----- forum topics and service messages -----

    fn is_forum(&self, chat_id: i64) -> bool {
        matches!(self.chats.get(&chat_id), Some(ChatInfo::Supergroup { is_forum: true, .. }))
    }

    /// A topic, deleted or not.
    fn topic(&self, chat_id: i64, thread_id: i64) -> Option<&Topic> {
        self.topics.get(&chat_id)?.iter().find(|t| t.thread_id == thread_id)
    }

    fn topic_mut(&mut self, chat_id: i64, thread_id: i64) -> Option<&mut Topic> {
        self.topics.get_mut(&chat_id)?.iter_mut().find(|t| t.thread_id == thread_id)
    }

    fn live_topic(&self, chat_id: i64, thread_id: i64) -> Option<&Topic> {
        self.topic(chat_id, thread_id).filter(|t| !t.deleted)
    }

    /// `message_thread_id`, `is_topic_message` and, unless the message is a
    /// reply, `reply_to_message` = the topic's creation message, as Telegram
    /// sets them on every message in a forum topic.
    fn add_thread_fields(&self, chat_id: i64, thread_id: i64, json: &mut Map<String, Value>) {
        json.insert("message_thread_id".into(), json!(thread_id));
        json.insert("is_topic_message".into(), json!(true));
        if !json.contains_key("reply_to_message")
            && let Some(root) = self.find(chat_id, thread_id)
        {
            let mut root = root.json.clone();
            root.remove("reply_to_message");
            json.insert("reply_to_message".into(), Value::Object(root));
        }
    }

    /// The forum topic a bot send goes to: its `message_thread_id` (which must
    /// name a live topic of a forum), or for a reply in a forum without one,
    /// the replied message's topic (as Telegram does).
    fn send_thread(&self, chat_id: i64, req: &Req, reply_to: Option<&Value>) -> Result<Option<i64>, ApiErr> {
        // Like the Bot API, a non-positive or unparseable id means "no thread".
        let requested = req.i64("message_thread_id").ok().flatten().filter(|t| *t > 0);
        let thread = match requested {
            Some(t) if self.is_forum(chat_id) && self.live_topic(chat_id, t).is_some() => Some(t),
            Some(_) => return Err(ApiErr::bad(THREAD_NOT_FOUND)),
            None if self.is_forum(chat_id) => reply_to
                .and_then(|r| r.get("message_thread_id"))
                .and_then(Value::as_i64)
                .filter(|t| self.live_topic(chat_id, *t).is_some()),
            None => None,
        };
        let closed = thread.and_then(|t| self.live_topic(chat_id, t)).is_some_and(|t| t.closed);
        if closed && self.no_topic_rights.contains(&chat_id) {
            return Err(ApiErr::bad(TOPIC_CLOSED));
        }
        Ok(thread)
    }

    /// A service message (`content` holds e.g. `forum_topic_created`) by `from`.
    fn push_service(
        &mut self,
        chat_id: i64,
        from: Value,
        thread: InThread,
        kind: &str,
        content: Map<String, Value>,
    ) -> (i64, Map<String, Value>) {
        let mid = self.next_mid(chat_id);
        let from_bot = from.get("id").and_then(Value::as_i64) == Some(BOT_ID);
        let mut json = Map::new();
        json.insert("message_id".into(), json!(mid));
        json.insert("from".into(), from);
        json.insert("chat".into(), self.chat_json(chat_id));
        json.insert("date".into(), json!(unix_now()));
        json.extend(content);
        let thread_id = match thread {
            InThread::No => None,
            InThread::Topic(t) => Some(t),
            InThread::NewTopic => Some(mid),
        };
        if let Some(t) = thread_id {
            self.add_thread_fields(chat_id, t, &mut json);
        }
        let sent_at = self.elapsed();
        let stored = StoredMessage::from_json(&json, kind, thread_id, sent_at);
        self.messages.entry(chat_id).or_default().push(StoredMessage { from_bot, service: true, ..stored });
        (mid, json)
    }

    /// Creates a topic (with its `forum_topic_created` service message by
    /// `creator`); returns the service message's JSON, whose id is the thread id.
    fn new_topic(
        &mut self,
        chat_id: i64,
        creator: i64,
        name: String,
        icon_color: Option<u32>,
        icon_custom_emoji_id: Option<String>,
    ) -> Map<String, Value> {
        let icon_color = icon_color.unwrap_or_else(|| {
            let n = self.topics.get(&chat_id).map_or(0, Vec::len);
            TOPIC_ICON_COLORS[n % TOPIC_ICON_COLORS.len()]
        });
        let mut created = json!({"name": name, "icon_color": icon_color});
        if let Some(e) = &icon_custom_emoji_id {
            created["icon_custom_emoji_id"] = json!(e);
        }
        let from = if creator == BOT_ID { bot_user_json() } else { self.user_json(creator) };
        let mut content = Map::new();
        content.insert("forum_topic_created".into(), created);
        let (thread_id, json) = self.push_service(chat_id, from, InThread::NewTopic, "forum_topic_created", content);
        self.topics.entry(chat_id).or_default().push(Topic {
            thread_id,
            name,
            icon_color,
            icon_custom_emoji_id,
            closed: false,
            deleted: false,
            created_by: creator,
        });
        json
    }

    /// Deletes a topic with all its messages (its pins go with them).
    fn remove_topic(&mut self, chat_id: i64, thread_id: i64) {
        if let Some(t) = self.topic_mut(chat_id, thread_id) {
            t.deleted = true;
        }
        for m in self.messages.get_mut(&chat_id).into_iter().flatten() {
            if m.thread_id == Some(thread_id) {
                m.deleted = true;
            }
        }
    }

    /// Chat of a forum-topic method: it must be a forum.
    fn forum_chat(&self, req: &Req) -> Result<i64, ApiErr> {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        if self.is_forum(chat_id) { Ok(chat_id) } else { Err(ApiErr::bad(NOT_A_FORUM)) }
    }

    /// (chat, thread) of a method acting on an existing topic.
    fn topic_target(&self, req: &Req) -> Result<(i64, i64), ApiErr> {
        let chat_id = self.forum_chat(req)?;
        let thread_id = req
            .i64("message_thread_id")
            .ok()
            .flatten()
            .filter(|t| *t > 0 && *t <= i64::from(i32::MAX))
            .ok_or_else(|| ApiErr::bad("Bad Request: invalid message thread identifier specified"))?;
        match self.live_topic(chat_id, thread_id) {
            Some(_) => Ok((chat_id, thread_id)),
            None => Err(ApiErr::bad(TOPIC_ID_INVALID)),
        }
    }

    fn create_forum_topic(&mut self, req: &Req) -> ApiResult {
        let chat_id = self.forum_chat(req)?;
        let name = clean_topic_name(&req.str("name").unwrap_or_default());
        if name.is_empty() {
            return Err(ApiErr::bad("Bad Request: title must be non-empty"));
        }
        let icon_color = match req.i64("icon_color") {
            Ok(None) => None,
            Ok(Some(c)) => match u32::try_from(c) {
                Ok(c) if TOPIC_ICON_COLORS.contains(&c) => Some(c),
                _ => return Err(ApiErr::bad("Bad Request: invalid icon color specified")),
            },
            Err(()) => return Err(ApiErr::bad("Bad Request: invalid icon color specified")),
        };
        let emoji = req.str("icon_custom_emoji_id").filter(|e| !e.is_empty());
        let json = self.new_topic(chat_id, BOT_ID, name, icon_color, emoji);
        let mut topic = json.get("forum_topic_created").cloned().unwrap_or_else(|| json!({}));
        topic["message_thread_id"] = json["message_id"].clone();
        Ok(topic)
    }

    fn edit_forum_topic(&mut self, req: &Req) -> ApiResult {
        let (chat_id, thread_id) = self.topic_target(req)?;
        let name = match req.str("name").filter(|n| !n.is_empty()) {
            Some(n) => {
                let n = clean_topic_name(&n);
                if n.is_empty() {
                    return Err(ApiErr::bad("Bad Request: title must be non-empty"));
                }
                Some(n)
            }
            None => None,
        };
        // Present and empty means "remove the custom emoji icon".
        let emoji: Option<Option<String>> = req.str("icon_custom_emoji_id").map(|e| Some(e).filter(|e| !e.is_empty()));
        if name.is_none() && emoji.is_none() {
            return Ok(json!(true));
        }
        let Some(topic) = self.topic_mut(chat_id, thread_id) else { return Err(ApiErr::bad(TOPIC_ID_INVALID)) };
        let name = name.filter(|n| *n != topic.name);
        let emoji = emoji.filter(|e| *e != topic.icon_custom_emoji_id);
        if name.is_none() && emoji.is_none() {
            return Err(ApiErr::bad(TOPIC_NOT_MODIFIED));
        }
        let mut edited = Map::new();
        if let Some(n) = name {
            edited.insert("name".into(), json!(n));
            topic.name = n;
        }
        if let Some(e) = emoji {
            edited.insert("icon_custom_emoji_id".into(), json!(e.clone().unwrap_or_default()));
            topic.icon_custom_emoji_id = e;
        }
        let mut content = Map::new();
        content.insert("forum_topic_edited".into(), Value::Object(edited));
        self.push_service(chat_id, bot_user_json(), InThread::Topic(thread_id), "forum_topic_edited", content);
        Ok(json!(true))
    }

    fn set_topic_closed(&mut self, req: &Req, closed: bool) -> ApiResult {
        let (chat_id, thread_id) = self.topic_target(req)?;
        let Some(topic) = self.topic_mut(chat_id, thread_id) else { return Err(ApiErr::bad(TOPIC_ID_INVALID)) };
        if topic.closed == closed {
            return Err(ApiErr::bad(TOPIC_NOT_MODIFIED));
        }
        topic.closed = closed;
        let kind = if closed { "forum_topic_closed" } else { "forum_topic_reopened" };
        let mut content = Map::new();
        content.insert(kind.into(), json!({}));
        self.push_service(chat_id, bot_user_json(), InThread::Topic(thread_id), kind, content);
        Ok(json!(true))
    }

    /// The most recent (by message id) pinned message of the chat, or of one topic.
    fn pinned_in(&self, chat_id: i64, thread_id: Option<i64>) -> Option<i64> {
        self.pins
            .get(&chat_id)?
            .iter()
            .copied()
            .filter(|mid| self.find(chat_id, *mid).is_some_and(|m| thread_id.is_none() || m.thread_id == thread_id))
            .max()
    }

    fn pin_chat_message(&mut self, req: &Req) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        self.check_can_send(chat_id)?;
        let not_found = || ApiErr::bad("Bad Request: message to pin not found");
        let mid = req.i64("message_id").ok().flatten().ok_or_else(not_found)?;
        let m = self.find(chat_id, mid).filter(|m| !m.service).ok_or_else(not_found)?;
        let thread = m.thread_id.map_or(InThread::No, InThread::Topic);
        let mut pinned = m.json.clone();
        pinned.remove("reply_to_message");
        let pins = self.pins.entry(chat_id).or_default();
        if !pins.contains(&mid) {
            pins.push(mid);
        }
        // Telegram posts "… pinned «…»" in the chat (in the message's topic).
        let mut content = Map::new();
        content.insert("pinned_message".into(), Value::Object(pinned));
        self.push_service(chat_id, bot_user_json(), thread, "pinned_message", content);
        Ok(json!(true))
    }

    fn unpin_chat_message(&mut self, req: &Req) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        let not_found = || ApiErr::bad("Bad Request: message to unpin not found");
        let mid = match req.i64("message_id").ok().flatten() {
            Some(mid) => mid,
            None => self.pinned_in(chat_id, None).ok_or_else(not_found)?,
        };
        let pins = self.pins.entry(chat_id).or_default();
        let before = pins.len();
        pins.retain(|p| *p != mid);
        if pins.len() == before || self.find(chat_id, mid).is_none() {
            return Err(not_found());
        }
        Ok(json!(true))
    }

    fn unpin_all_forum_topic_messages(&mut self, req: &Req) -> ApiResult {
        let (chat_id, thread_id) = self.topic_target(req)?;
        let in_topic: Vec<i64> = self
            .pins
            .get(&chat_id)
            .into_iter()
            .flatten()
            .copied()
            .filter(|mid| self.find(chat_id, *mid).is_some_and(|m| m.thread_id == Some(thread_id)))
            .collect();
        if let Some(pins) = self.pins.get_mut(&chat_id) {
            pins.retain(|p| !in_topic.contains(p));
        }
        Ok(json!(true))
    }

    // ----- bot's side -----

    fn resolve_chat(&self, req: &Req, key: &str) -> Result<i64, ApiErr> {
        let id = match req.get(key) {
            None => return Err(ApiErr::bad(format!("Bad Request: {key} is empty"))),
            Some(Value::Number(n)) => n.as_i64().ok_or_else(ApiErr::chat_not_found)?,
            Some(Value::String(s)) => s.trim().parse::<i64>().map_err(|_| ApiErr::chat_not_found())?,
            Some(_) => return Err(ApiErr::chat_not_found()),
        };
        if self.chats.contains_key(&id) { Ok(id) } else { Err(ApiErr::chat_not_found()) }
    }

    fn check_can_send(&self, chat_id: i64) -> Result<(), ApiErr> {
        if let Some(ChatInfo::Private { user_id }) = self.chats.get(&chat_id)
            && self.users.get(user_id).is_some_and(|u| u.blocked_bot)
        {
            return Err(ApiErr::new(403, "Forbidden: bot was blocked by the user"));
        }
        Ok(())
    }

    fn check_rate(&mut self, chat_id: i64, now: Instant) -> Result<(), ApiErr> {
        let limits = self.limits.clone();
        let max_window = limits.per_chat.1.max(limits.per_group.1).max(limits.global.1);
        while let Some(&(t, _)) = self.sends.front() {
            if now.duration_since(t) >= max_window {
                self.sends.pop_front();
            } else {
                break;
            }
        }
        // Sends are in time order: the n-th most recent matching send inside
        // the window decides when the window frees up.
        let sends = &self.sends;
        let wait = |only_chat: Option<i64>, (n, w): (u32, Duration)| -> Option<Duration> {
            let n = n as usize;
            if n == 0 {
                return Some(w);
            }
            if n > sends.len() {
                return None;
            }
            sends
                .iter()
                .rev()
                .take_while(|(t, _)| now.duration_since(*t) < w)
                .filter(|(_, c)| only_chat.is_none_or(|id| id == *c))
                .nth(n - 1)
                .map(|(t, _)| (*t + w).saturating_duration_since(now))
        };
        let chat_limit = if chat_id > 0 { limits.per_chat } else { limits.per_group };
        let longest = [wait(None, limits.global), wait(Some(chat_id), chat_limit)].into_iter().flatten().max();
        if let Some(d) = longest {
            let secs = (d.as_secs_f64().ceil() as u32).max(1);
            return Err(ApiErr {
                status: 429,
                description: format!("Too Many Requests: retry after {secs}"),
                retry_after: Some(secs),
                rate_limited: true,
            });
        }
        self.sends.push_back((now, chat_id));
        Ok(())
    }

    fn reply_to(&self, chat_id: i64, req: &Req) -> Result<Option<Value>, ApiErr> {
        let (mid, allow_without) = if let Some(Value::Object(p)) = req.json("reply_parameters") {
            let mid = p.get("message_id").and_then(Value::as_i64);
            let allow = p.get("allow_sending_without_reply").and_then(Value::as_bool).unwrap_or(false);
            if let Some(other) = p.get("chat_id").and_then(Value::as_i64)
                && other != chat_id
            {
                return Ok(None);
            }
            (mid, allow)
        } else {
            (req.i64("reply_to_message_id").ok().flatten(), req.bool("allow_sending_without_reply"))
        };
        let Some(mid) = mid else { return Ok(None) };
        match self.find(chat_id, mid) {
            Some(m) => {
                let mut j = m.json.clone();
                j.remove("reply_to_message");
                Ok(Some(Value::Object(j)))
            }
            None if allow_without => Ok(None),
            None => Err(ApiErr::bad("Bad Request: message to be replied not found")),
        }
    }

    /// A new bot message in `chat_id`, in forum topic `thread` (from [`Self::send_thread`]).
    fn bot_message_base(
        &mut self,
        chat_id: i64,
        thread: Option<i64>,
        reply_to: Option<Value>,
    ) -> (i64, Map<String, Value>) {
        let mid = self.next_mid(chat_id);
        let mut json = Map::new();
        json.insert("message_id".into(), json!(mid));
        json.insert("from".into(), bot_user_json());
        json.insert("chat".into(), self.chat_json(chat_id));
        json.insert("date".into(), json!(unix_now()));
        if let Some(r) = reply_to {
            json.insert("reply_to_message".into(), r);
        }
        if let Some(t) = thread {
            self.add_thread_fields(chat_id, t, &mut json);
        }
        (mid, json)
    }

    #[allow(clippy::too_many_arguments)]
    fn store_bot_message(
        &mut self,
        chat_id: i64,
        mid: i64,
        mut json: Map<String, Value>,
        kind: &str,
        formatted: Formatted,
        raw_text: String,
        parse_mode: Option<String>,
        markup: Option<Markup>,
        file_id: Option<String>,
    ) -> Value {
        let (buttons, inline_markup, reply_keyboard) = match markup {
            Some(Markup::Inline { rows, json }) => (rows, Some(json), None),
            Some(Markup::Reply { rows, json }) => (rows, None, Some(json)),
            Some(Markup::Other(v)) => (Vec::new(), None, Some(v)),
            None => (Vec::new(), None, None),
        };
        if let Some(m) = &inline_markup {
            json.insert("reply_markup".into(), m.clone());
        }
        let thread_id = json.get("message_thread_id").and_then(Value::as_i64);
        let sent_at = self.elapsed();
        let stored = StoredMessage::from_json(&json, kind, thread_id, sent_at);
        self.messages.entry(chat_id).or_default().push(StoredMessage {
            message_id: mid,
            from_bot: true,
            text: formatted.text,
            raw_text,
            parse_mode,
            entities: formatted.entities,
            buttons,
            inline_markup,
            reply_keyboard,
            file_id,
            ..stored
        });
        Value::Object(json)
    }

    fn caption(&self, req: &Req) -> Result<(Formatted, String, Option<String>), ApiErr> {
        let raw = req.str("caption").unwrap_or_default();
        let pm = parse_mode(req, "parse_mode")?;
        let f = format_text(&raw, pm.as_deref())?;
        if utf16_len(&f.text) > MAX_CAPTION {
            return Err(ApiErr::bad("Bad Request: message caption is too long"));
        }
        Ok((f, raw, pm))
    }

    fn send_message(&mut self, req: &Req, now: Instant) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        self.check_can_send(chat_id)?;
        let raw = req.str("text").unwrap_or_default();
        let pm = parse_mode(req, "parse_mode")?;
        let f = format_text(&raw, pm.as_deref())?;
        if f.text.is_empty() {
            return Err(ApiErr::bad("Bad Request: message text is empty"));
        }
        if utf16_len(&f.text) > MAX_TEXT {
            return Err(ApiErr::bad("Bad Request: message is too long"));
        }
        let markup = parse_markup(req.json("reply_markup"))?;
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        let (mid, mut json) = self.bot_message_base(chat_id, thread, reply_to);
        json.insert("text".into(), json!(f.text));
        Ok(self.store_bot_message(chat_id, mid, json, "text", f, raw, pm, markup, None))
    }

    fn input_file(&self, req: &Req, key: &str, kind: &str) -> Result<FileRef, ApiErr> {
        let wrong = || ApiErr::bad("Bad Request: wrong file identifier/HTTP URL specified");
        let new_from = |u: &Upload| FileRef::New {
            bytes: u.bytes.clone(),
            file_name: u.file_name.clone(),
            mime: u.content_type.clone(),
        };
        let Some(value) = req.str(key) else {
            return match req.uploads.get(key) {
                Some(u) => Ok(new_from(u)),
                None => Err(ApiErr::bad(format!("Bad Request: there is no {kind} in the request"))),
            };
        };
        self.resolve_file_ref(&value, req, kind).ok_or_else(wrong)
    }

    fn resolve_file_ref(&self, value: &str, req: &Req, kind: &str) -> Option<FileRef> {
        if let Some(name) = value.strip_prefix("attach://") {
            let u = req.uploads.get(name)?;
            return Some(FileRef::New {
                bytes: u.bytes.clone(),
                file_name: u.file_name.clone(),
                mime: u.content_type.clone(),
            });
        }
        if value.starts_with("http://") || value.starts_with("https://") {
            let file_name = value.rsplit('/').next().map(str::to_string);
            return Some(FileRef::New { bytes: value.as_bytes().to_vec(), file_name, mime: None });
        }
        let f = self.files.get(value)?;
        (f.kind == kind).then(|| FileRef::Existing(f.clone()))
    }

    fn photo_sizes_for(&mut self, r: FileRef) -> (Value, Option<String>) {
        let sizes = match r {
            FileRef::Existing(f) => f.photo_sizes.unwrap_or_else(|| json!([])),
            FileRef::New { bytes, .. } => self.register_photo(bytes),
        };
        let largest = sizes
            .as_array()
            .and_then(|a| a.last())
            .and_then(|s| s.get("file_id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        (sizes, largest)
    }

    fn document_for(&mut self, r: FileRef) -> (Value, Option<String>) {
        let media = match r {
            FileRef::Existing(f) => f.media.unwrap_or_else(
                || json!({"file_id": f.file_id, "file_unique_id": f.unique_id, "file_size": f.bytes.len()}),
            ),
            FileRef::New { bytes, file_name, mime } => {
                let name = file_name.filter(|n| !n.is_empty()).unwrap_or_else(|| "file".to_string());
                let mime = mime.unwrap_or_else(|| "application/octet-stream".to_string());
                self.register_document(bytes, &name, &mime)
            }
        };
        let id = media.get("file_id").and_then(Value::as_str).map(str::to_string);
        (media, id)
    }

    fn send_photo(&mut self, req: &Req, now: Instant) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        self.check_can_send(chat_id)?;
        let file = self.input_file(req, "photo", "photo")?;
        let (f, raw, pm) = self.caption(req)?;
        let markup = parse_markup(req.json("reply_markup"))?;
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        let (sizes, file_id) = self.photo_sizes_for(file);
        let (mid, mut json) = self.bot_message_base(chat_id, thread, reply_to);
        json.insert("photo".into(), sizes);
        if !f.text.is_empty() {
            json.insert("caption".into(), json!(f.text));
        }
        Ok(self.store_bot_message(chat_id, mid, json, "photo", f, raw, pm, markup, file_id))
    }

    fn send_document(&mut self, req: &Req, now: Instant) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        self.check_can_send(chat_id)?;
        let file = self.input_file(req, "document", "document")?;
        let (f, raw, pm) = self.caption(req)?;
        let markup = parse_markup(req.json("reply_markup"))?;
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        let (media, file_id) = self.document_for(file);
        let (mid, mut json) = self.bot_message_base(chat_id, thread, reply_to);
        json.insert("document".into(), media);
        if !f.text.is_empty() {
            json.insert("caption".into(), json!(f.text));
        }
        Ok(self.store_bot_message(chat_id, mid, json, "document", f, raw, pm, markup, file_id))
    }

    fn video_for(&mut self, r: FileRef) -> (Value, Option<String>) {
        let media = match r {
            FileRef::Existing(f) => f.media.unwrap_or_else(
                || json!({"file_id": f.file_id, "file_unique_id": f.unique_id, "file_size": f.bytes.len()}),
            ),
            FileRef::New { bytes, .. } => self.register_video(bytes),
        };
        let id = media.get("file_id").and_then(Value::as_str).map(str::to_string);
        (media, id)
    }

    fn send_video(&mut self, req: &Req, now: Instant) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        self.check_can_send(chat_id)?;
        let file = self.input_file(req, "video", "video")?;
        let (f, raw, pm) = self.caption(req)?;
        let markup = parse_markup(req.json("reply_markup"))?;
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        let (media, file_id) = self.video_for(file);
        let (mid, mut json) = self.bot_message_base(chat_id, thread, reply_to);
        json.insert("video".into(), media);
        if !f.text.is_empty() {
            json.insert("caption".into(), json!(f.text));
        }
        Ok(self.store_bot_message(chat_id, mid, json, "video", f, raw, pm, markup, file_id))
    }

    fn send_media_group(&mut self, req: &Req, now: Instant) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        self.check_can_send(chat_id)?;
        let items = match req.json("media") {
            Some(Value::Array(a)) => a,
            None => return Err(ApiErr::bad("Bad Request: parameter \"media\" is required")),
            Some(_) => return Err(ApiErr::bad("Bad Request: can't parse media JSON object")),
        };
        if items.is_empty() {
            return Err(ApiErr::bad("Bad Request: media to send are not specified"));
        }
        if items.len() > 10 {
            return Err(ApiErr::bad("Bad Request: Too much messages to send as an album"));
        }
        let mut prepared = Vec::new();
        for item in &items {
            let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
            if !matches!(kind, "photo" | "video" | "document") {
                return Err(ApiErr::bad(format!("Bad Request: unsupported media type \"{kind}\" in the fake")));
            }
            let media = item
                .get("media")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiErr::bad("Bad Request: can't parse InputMedia: media not found"))?;
            let file = self
                .resolve_file_ref(media, req, kind)
                .ok_or_else(|| ApiErr::bad("Bad Request: wrong file identifier/HTTP URL specified"))?;
            let raw = item.get("caption").and_then(Value::as_str).unwrap_or("").to_string();
            let pm = match item.get("parse_mode").and_then(Value::as_str) {
                None | Some("") => None,
                Some(m) => {
                    let l = m.to_ascii_lowercase();
                    if !matches!(l.as_str(), "html" | "markdownv2" | "markdown") {
                        return Err(ApiErr::bad("Bad Request: unsupported parse_mode"));
                    }
                    Some(l)
                }
            };
            let f = format_text(&raw, pm.as_deref())?;
            if utf16_len(&f.text) > MAX_CAPTION {
                return Err(ApiErr::bad("Bad Request: message caption is too long"));
            }
            prepared.push((kind.to_string(), file, f, raw, pm));
        }
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        self.media_group_counter += 1;
        let group_id = format!("{}", 13_000_000_000_000_000u64 + self.media_group_counter);
        let mut out = Vec::new();
        for (kind, file, f, raw, pm) in prepared {
            let (mid, mut json) = self.bot_message_base(chat_id, thread, reply_to.clone());
            json.insert("media_group_id".into(), json!(group_id));
            let file_id = match kind.as_str() {
                "photo" => {
                    let (sizes, id) = self.photo_sizes_for(file);
                    json.insert("photo".into(), sizes);
                    id
                }
                "video" => {
                    let (media, id) = self.video_for(file);
                    json.insert("video".into(), media);
                    id
                }
                _ => {
                    let (media, id) = self.document_for(file);
                    json.insert("document".into(), media);
                    id
                }
            };
            if !f.text.is_empty() {
                json.insert("caption".into(), json!(f.text));
            }
            out.push(self.store_bot_message(chat_id, mid, json, &kind, f, raw, pm, None, file_id));
        }
        Ok(Value::Array(out))
    }

    fn source_message(&self, req: &Req, not_found: &str) -> Result<Source, ApiErr> {
        let from_chat = self.resolve_chat(req, "from_chat_id")?;
        let mid = req
            .i64("message_id")
            .ok()
            .flatten()
            .ok_or_else(|| ApiErr::bad("Bad Request: message identifier is not specified"))?;
        let m = self.find(from_chat, mid).ok_or_else(|| ApiErr::bad(not_found))?;
        let origin_user = m.json.get("from").cloned().unwrap_or_else(bot_user_json);
        let origin_date = m.json.get("date").cloned().unwrap_or_else(|| json!(unix_now()));
        let mut content = m.json.clone();
        for k in [
            "message_id",
            "from",
            "chat",
            "date",
            "edit_date",
            "reply_markup",
            "reply_to_message",
            "forward_origin",
            "message_thread_id",
            "is_topic_message",
            "entities",
            "caption_entities",
        ] {
            content.remove(k);
        }
        Ok(Source {
            content,
            kind: m.kind.clone(),
            text: m.text.clone(),
            file_id: m.file_id.clone(),
            origin_user,
            origin_date,
        })
    }

    fn copy_message(&mut self, req: &Req, now: Instant) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        let Source { mut content, kind, mut text, file_id, .. } =
            self.source_message(req, "Bad Request: message to copy not found")?;
        self.check_can_send(chat_id)?;
        let mut raw = text.clone();
        let mut pm = None;
        let mut entities = Vec::new();
        if kind != "text" && req.has("caption") {
            let (f, r, p) = self.caption(req)?;
            if f.text.is_empty() {
                content.remove("caption");
            } else {
                content.insert("caption".into(), json!(f.text));
            }
            text = f.text;
            entities = f.entities;
            raw = r;
            pm = p;
        }
        let markup = parse_markup(req.json("reply_markup"))?;
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        let (mid, mut json) = self.bot_message_base(chat_id, thread, reply_to);
        json.extend(content);
        self.store_bot_message(chat_id, mid, json, &kind, Formatted { text, entities }, raw, pm, markup, file_id);
        Ok(json!({ "message_id": mid }))
    }

    fn forward_message(&mut self, req: &Req, now: Instant) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        let Source { content, kind, text, file_id, origin_user, origin_date } =
            self.source_message(req, "Bad Request: message to forward not found")?;
        self.check_can_send(chat_id)?;
        let thread = self.send_thread(chat_id, req, None)?;
        self.check_rate(chat_id, now)?;
        let (mid, mut json) = self.bot_message_base(chat_id, thread, None);
        json.insert("forward_origin".into(), json!({"type": "user", "sender_user": origin_user, "date": origin_date}));
        json.extend(content);
        let raw = text.clone();
        Ok(self.store_bot_message(
            chat_id,
            mid,
            json,
            &kind,
            Formatted { text, entities: Vec::new() },
            raw,
            None,
            None,
            file_id,
        ))
    }

    fn edit_target(&self, req: &Req) -> Result<(i64, i64), ApiErr> {
        if req.has("inline_message_id") && !req.has("chat_id") {
            return Err(ApiErr::bad("Bad Request: MESSAGE_ID_INVALID"));
        }
        let chat_id = self.resolve_chat(req, "chat_id")?;
        let mid = req
            .i64("message_id")
            .ok()
            .flatten()
            .ok_or_else(|| ApiErr::bad("Bad Request: message identifier is not specified"))?;
        match self.find(chat_id, mid) {
            None => Err(ApiErr::bad("Bad Request: message to edit not found")),
            Some(m) if !m.from_bot || m.service => Err(ApiErr::bad("Bad Request: message can't be edited")),
            Some(_) => Ok((chat_id, mid)),
        }
    }

    fn edit_markup(req: &Req) -> Result<(Vec<Vec<Button>>, Option<Value>), ApiErr> {
        match parse_markup(req.json("reply_markup"))? {
            None => Ok((Vec::new(), None)),
            Some(Markup::Inline { rows, json }) => Ok((rows, Some(json))),
            Some(_) => Err(ApiErr::bad("Bad Request: inline keyboard expected")),
        }
    }

    fn apply_edit(
        m: &mut StoredMessage,
        text_key: Option<&str>,
        f: Option<(Formatted, String, Option<String>)>,
        rows: Vec<Vec<Button>>,
        markup: Option<Value>,
    ) -> Value {
        if let (Some(key), Some((f, raw, pm))) = (text_key, f) {
            if f.text.is_empty() {
                m.json.remove(key);
            } else {
                m.json.insert(key.into(), json!(f.text));
            }
            m.text = f.text;
            m.entities = f.entities;
            m.raw_text = raw;
            m.parse_mode = pm;
        }
        match &markup {
            Some(v) => {
                m.json.insert("reply_markup".into(), v.clone());
            }
            None => {
                m.json.remove("reply_markup");
            }
        }
        m.buttons = rows;
        m.inline_markup = markup;
        m.json.insert("edit_date".into(), json!(unix_now()));
        m.edits += 1;
        Value::Object(m.json.clone())
    }

    fn edit_message_text(&mut self, req: &Req) -> ApiResult {
        let (chat_id, mid) = self.edit_target(req)?;
        let raw = req.str("text").unwrap_or_default();
        let pm = parse_mode(req, "parse_mode")?;
        let f = format_text(&raw, pm.as_deref())?;
        if f.text.is_empty() {
            return Err(ApiErr::bad("Bad Request: message text is empty"));
        }
        if utf16_len(&f.text) > MAX_TEXT {
            return Err(ApiErr::bad("Bad Request: MESSAGE_TOO_LONG"));
        }
        let (rows, markup) = Self::edit_markup(req)?;
        let m = self.find_mut(chat_id, mid).ok_or_else(|| ApiErr::bad("Bad Request: message to edit not found"))?;
        if m.kind != "text" {
            return Err(ApiErr::bad("Bad Request: there is no text in the message to edit"));
        }
        if m.text == f.text && m.entities == f.entities && m.inline_markup == markup {
            return Err(ApiErr::bad(NOT_MODIFIED));
        }
        Ok(Self::apply_edit(m, Some("text"), Some((f, raw, pm)), rows, markup))
    }

    fn edit_message_caption(&mut self, req: &Req) -> ApiResult {
        let (chat_id, mid) = self.edit_target(req)?;
        let (f, raw, pm) = self.caption(req).map_err(|e| {
            if e.description.contains("too long") { ApiErr::bad("Bad Request: MESSAGE_CAPTION_TOO_LONG") } else { e }
        })?;
        let (rows, markup) = Self::edit_markup(req)?;
        let m = self.find_mut(chat_id, mid).ok_or_else(|| ApiErr::bad("Bad Request: message to edit not found"))?;
        if !matches!(m.kind.as_str(), "photo" | "document" | "voice" | "video" | "audio" | "animation") {
            return Err(ApiErr::bad("Bad Request: there is no caption in the message to edit"));
        }
        if m.text == f.text && m.entities == f.entities && m.inline_markup == markup {
            return Err(ApiErr::bad(NOT_MODIFIED));
        }
        Ok(Self::apply_edit(m, Some("caption"), Some((f, raw, pm)), rows, markup))
    }

    fn edit_message_reply_markup(&mut self, req: &Req) -> ApiResult {
        let (chat_id, mid) = self.edit_target(req)?;
        let (rows, markup) = Self::edit_markup(req)?;
        let m = self.find_mut(chat_id, mid).ok_or_else(|| ApiErr::bad("Bad Request: message to edit not found"))?;
        if m.inline_markup == markup {
            return Err(ApiErr::bad(NOT_MODIFIED));
        }
        Ok(Self::apply_edit(m, None, None, rows, markup))
    }

    fn answer_callback_query(&mut self, req: &Req) -> ApiResult {
        let id = req.str("callback_query_id").unwrap_or_default();
        let text = req.str("text").filter(|t| !t.is_empty());
        if text.as_deref().is_some_and(|t| utf16_len(t) > 200) {
            return Err(ApiErr::bad("Bad Request: MESSAGE_TOO_LONG"));
        }
        let at = self.elapsed();
        let show_alert = req.bool("show_alert");
        let url = req.str("url");
        match self.callbacks.get_mut(&id) {
            Some(cb) if cb.answered.is_none() => {
                cb.answered = Some(CallbackAnswer { text, show_alert, url, at });
                Ok(json!(true))
            }
            _ => Err(ApiErr::bad(INVALID_QUERY)),
        }
    }

    fn commands_key(req: &Req) -> Result<String, ApiErr> {
        let lang = req.str("language_code").unwrap_or_default();
        let valid = lang.is_empty() || (lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase()));
        if !valid {
            return Err(ApiErr::bad("Bad Request: LANGUAGE_CODE_INVALID"));
        }
        let scope = match req.json("scope") {
            None => String::new(),
            Some(Value::Object(s)) => {
                let kind = s.get("type").and_then(Value::as_str).unwrap_or("default");
                if kind == "default" {
                    String::new()
                } else {
                    let mut k = kind.to_string();
                    for f in ["chat_id", "user_id"] {
                        if let Some(v) = s.get(f) {
                            k.push(':');
                            k.push_str(v.to_string().trim_matches('"'));
                        }
                    }
                    k
                }
            }
            Some(_) => return Err(ApiErr::bad("Bad Request: can't parse BotCommandScope JSON object")),
        };
        Ok(if scope.is_empty() { lang } else { format!("{scope}/{lang}") })
    }

    fn set_my_commands(&mut self, req: &Req) -> ApiResult {
        let list = match req.json("commands") {
            Some(Value::Array(a)) => a,
            None => return Err(ApiErr::bad("Bad Request: parameter \"commands\" is required")),
            Some(_) => return Err(ApiErr::bad("Bad Request: can't parse commands JSON object")),
        };
        if list.len() > 100 {
            return Err(ApiErr::bad("Bad Request: BOT_COMMANDS_TOO_MUCH"));
        }
        let mut out = Vec::new();
        for c in &list {
            let command = c.get("command").and_then(Value::as_str).unwrap_or("");
            let description = c.get("description").and_then(Value::as_str).unwrap_or("");
            let valid = !command.is_empty()
                && command.len() <= 32
                && command.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(ApiErr::bad("Bad Request: BOT_COMMAND_INVALID"));
            }
            let dlen = description.trim().chars().count();
            if dlen == 0 || description.chars().count() > 256 {
                return Err(ApiErr::bad("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"));
            }
            out.push((command.to_string(), description.to_string()));
        }
        let key = Self::commands_key(req)?;
        if out.is_empty() {
            self.commands.remove(&key);
        } else {
            self.commands.insert(key, out);
        }
        Ok(json!(true))
    }

    fn get_file(&self, req: &Req) -> ApiResult {
        let id = req.str("file_id").unwrap_or_default();
        let f = self.files.get(&id).ok_or_else(|| ApiErr::bad("Bad Request: invalid file id"))?;
        if f.bytes.len() > MAX_DOWNLOAD {
            return Err(ApiErr::bad("Bad Request: file is too big"));
        }
        Ok(
            json!({"file_id": f.file_id, "file_unique_id": f.unique_id, "file_size": f.bytes.len(), "file_path": f.path}),
        )
    }

    fn dispatch(&mut self, method: &str, req: &Req, now: Instant) -> ApiResult {
        match method {
            "getme" => Ok(json!({
                "id": BOT_ID, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME,
                "can_join_groups": true, "can_read_all_group_messages": false,
                "supports_inline_queries": false, "can_connect_to_business": false, "has_main_web_app": false,
            })),
            "getwebhookinfo" => {
                Ok(json!({"url": "", "has_custom_certificate": false, "pending_update_count": self.updates.len()}))
            }
            "deletewebhook" => {
                if req.bool("drop_pending_updates") {
                    self.updates.clear();
                }
                Ok(json!(true))
            }
            "sendmessage" => self.send_message(req, now),
            "sendphoto" => self.send_photo(req, now),
            "senddocument" => self.send_document(req, now),
            "sendvideo" => self.send_video(req, now),
            "sendmediagroup" => self.send_media_group(req, now),
            "copymessage" => self.copy_message(req, now),
            "forwardmessage" => self.forward_message(req, now),
            "editmessagetext" => self.edit_message_text(req),
            "editmessagecaption" => self.edit_message_caption(req),
            "editmessagereplymarkup" => self.edit_message_reply_markup(req),
            "answercallbackquery" => self.answer_callback_query(req),
            "setmycommands" => self.set_my_commands(req),
            "deletemycommands" => {
                let key = Self::commands_key(req)?;
                self.commands.remove(&key);
                Ok(json!(true))
            }
            "getmycommands" => {
                let key = Self::commands_key(req)?;
                let list = self.commands.get(&key).cloned().unwrap_or_default();
                Ok(Value::Array(list.into_iter().map(|(c, d)| json!({"command": c, "description": d})).collect()))
            }
            "getfile" => self.get_file(req),
            "sendchataction" => {
                let chat_id = self.resolve_chat(req, "chat_id")?;
                self.check_can_send(chat_id)?;
                let action = req.str("action").unwrap_or_default();
                if !CHAT_ACTIONS.contains(&action.as_str()) {
                    return Err(ApiErr::bad("Bad Request: wrong parameter action in request"));
                }
                self.send_thread(chat_id, req, None)?;
                Ok(json!(true))
            }
            "deletemessage" => {
                let chat_id = self.resolve_chat(req, "chat_id")?;
                let mid = req
                    .i64("message_id")
                    .ok()
                    .flatten()
                    .ok_or_else(|| ApiErr::bad("Bad Request: message identifier is not specified"))?;
                let m = self
                    .find_mut(chat_id, mid)
                    .ok_or_else(|| ApiErr::bad("Bad Request: message to delete not found"))?;
                m.deleted = true;
                Ok(json!(true))
            }
            "createforumtopic" => self.create_forum_topic(req),
            "editforumtopic" => self.edit_forum_topic(req),
            "closeforumtopic" => self.set_topic_closed(req, true),
            "reopenforumtopic" => self.set_topic_closed(req, false),
            "deleteforumtopic" => {
                let (chat_id, thread_id) = self.topic_target(req)?;
                self.remove_topic(chat_id, thread_id);
                Ok(json!(true))
            }
            "pinchatmessage" => self.pin_chat_message(req),
            "unpinchatmessage" => self.unpin_chat_message(req),
            "unpinallchatmessages" => {
                let chat_id = self.resolve_chat(req, "chat_id")?;
                self.pins.remove(&chat_id);
                Ok(json!(true))
            }
            "unpinallforumtopicmessages" => self.unpin_all_forum_topic_messages(req),
            "setmydescription" | "setmyshortdescription" | "setchatmenubutton" => Ok(json!(true)),
            _ => Err(ApiErr::new(404, "Not Found")),
        }
    }

    fn confirm(&mut self, offset: i64) {
        if offset > 0 {
            self.updates.retain(|(id, _)| *id >= offset);
        } else if offset < 0 {
            let keep = offset.unsigned_abs() as usize;
            while self.updates.len() > keep {
                self.updates.pop_front();
            }
        }
    }

    /// Drops updates of kinds the bot did not ask for; true if any were dropped.
    fn drop_disallowed(&mut self) -> bool {
        let before = self.updates.len();
        let allowed = self.allowed_updates.clone();
        self.updates.retain(|(_, u)| {
            let kind =
                u.as_object().and_then(|o| o.keys().find(|k| k.as_str() != "update_id").cloned()).unwrap_or_default();
            match &allowed {
                Some(list) => list.contains(&kind),
                None => !DEFAULT_UPDATES_EXCLUDED.contains(&kind.as_str()),
            }
        });
        self.updates.len() != before
    }

    fn take_failure(&mut self, method: &str) -> Option<Failure> {
        let pos = self.failures.iter().position(|(m, _, n)| *n > 0 && (m == method || m == "*"))?;
        let entry = &mut self.failures[pos];
        entry.2 -= 1;
        let f = entry.1.clone();
        if entry.2 == 0 {
            self.failures.remove(pos);
        }
        Some(f)
    }

    fn to_bot_message(chat_id: i64, m: &StoredMessage) -> BotMessage {
        BotMessage {
            chat_id,
            message_id: m.message_id,
            text: m.text.clone(),
            buttons: m.buttons.clone(),
            reply_keyboard: m.reply_keyboard.clone(),
            edits: m.edits,
            sent_at: m.sent_at,
            kind: m.kind.clone(),
            raw_text: m.raw_text.clone(),
            parse_mode: m.parse_mode.clone(),
            reply_to: m.reply_to,
            thread_id: m.thread_id,
            file_id: m.file_id.clone(),
            media_group_id: m.media_group_id.clone(),
            json: Value::Object(m.json.clone()),
        }
    }
}

// ---------------------------------------------------------------------------
// HTTP layer
// ---------------------------------------------------------------------------

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn finish(&self, method: &str, body: Value, at: Duration, result: ApiResult, injected: bool) -> Response {
        let (status, response) = match &result {
            Ok(v) => (200, json!({"ok": true, "result": v})),
            Err(e) => (e.status, error_json(e)),
        };
        {
            let mut st = self.lock();
            let call = Call {
                method: method.to_string(),
                body,
                status,
                ok: result.is_ok(),
                description: result.as_ref().err().map(|e| e.description.clone()),
                response: response.clone(),
                at,
                injected,
            };
            if let Err(e) = &result {
                if e.rate_limited {
                    st.too_many += 1;
                } else if !injected {
                    st.rejections.push(call.clone());
                }
            }
            st.calls.push(call);
        }
        self.changed.notify_waiters();
        json_response(status, &response)
    }

    async fn get_updates(&self, req: &Req) -> ApiResult {
        let offset = req.int_or("offset", 0)?;
        let limit = req.int_or("limit", 100)?.clamp(1, 100) as usize;
        let timeout = req.int_or("timeout", 0)?.max(0) as u64;
        let allowed = match req.json("allowed_updates") {
            Some(Value::Array(a)) => Some(a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect::<Vec<_>>()),
            _ => None,
        };
        let generation = {
            let mut st = self.lock();
            st.confirm(offset);
            if let Some(a) = allowed {
                st.allowed_updates = if a.is_empty() { None } else { Some(a) };
            }
            st.poll_generation += 1;
            st.poll_generation
        };
        self.updates_notify.notify_waiters();
        self.changed.notify_waiters();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
        loop {
            let notified = self.updates_notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let dropped = {
                let mut st = self.lock();
                if st.poll_generation != generation {
                    return Err(ApiErr::new(409, CONFLICT));
                }
                let dropped = st.drop_disallowed();
                if !st.updates.is_empty() || tokio::time::Instant::now() >= deadline {
                    let list: Vec<Value> = st.updates.iter().take(limit).map(|(_, u)| u.clone()).collect();
                    drop(st);
                    if dropped {
                        self.changed.notify_waiters();
                    }
                    return Ok(Value::Array(list));
                }
                dropped
            };
            if dropped {
                self.changed.notify_waiters();
            }
            let _ = tokio::time::timeout_at(deadline, notified).await;
        }
    }

    async fn execute(self: Arc<Self>, method: String, req: Req, at: Duration) -> Response {
        let body = Value::Object(req.body.clone());
        let result = if method == "getupdates" {
            self.get_updates(&req).await
        } else {
            let now = Instant::now();
            self.lock().dispatch(&method, &req, now)
        };
        self.finish(&method, body, at, result, false)
    }

    fn serve_file(&self, rest: &str, at: Duration) -> Response {
        let (token, path) = rest.split_once('/').unwrap_or((rest, ""));
        let found = if token == format!("bot{TOKEN}") {
            let st = self.lock();
            st.file_paths.get(path).and_then(|id| st.files.get(id)).map(|f| f.bytes.clone())
        } else {
            None
        };
        let status = if found.is_some() { 200 } else { 404 };
        {
            let mut st = self.lock();
            st.calls.push(Call {
                method: "download".into(),
                body: json!({ "file_path": path }),
                status,
                ok: found.is_some(),
                description: found.is_none().then(|| "Not Found".to_string()),
                response: Value::Null,
                at,
                injected: false,
            });
        }
        self.changed.notify_waiters();
        match found {
            Some(bytes) => {
                let mut resp = (StatusCode::OK, bytes.as_ref().clone()).into_response();
                resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
                resp
            }
            None => json_response(404, &json!({"ok": false, "error_code": 404, "description": "Not Found"})),
        }
    }
}

async fn handle(
    AxState(inner): AxState<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = inner.started.elapsed();
    let path = percent_decode(uri.path(), false);
    let path = path.trim_start_matches('/');
    if let Some(rest) = path.strip_prefix("file/") {
        return inner.serve_file(rest, at);
    }
    let (token_part, api_method) = path.split_once('/').unwrap_or((path, ""));
    let api_method = api_method.trim_end_matches('/').to_ascii_lowercase();
    let req = match parse_request(&method, &uri, &headers, &body) {
        Ok(r) => r,
        Err(e) => {
            let err = ApiErr::bad(format!("Bad Request: {e}"));
            return inner.finish(&api_method, Value::Null, at, Err(err), false);
        }
    };
    let body_json = Value::Object(req.body.clone());
    if token_part.strip_prefix("bot") != Some(TOKEN) {
        return inner.finish(&api_method, body_json, at, Err(ApiErr::new(401, "Unauthorized")), false);
    }
    if api_method.is_empty() || api_method.contains('/') {
        return inner.finish(&api_method, body_json, at, Err(ApiErr::new(404, "Not Found")), false);
    }
    let failure = inner.lock().take_failure(&api_method);
    match failure {
        None => inner.clone().execute(api_method, req, at).await,
        Some(Failure::Delay(d)) => {
            let task = tokio::spawn(async move {
                tokio::time::sleep(d).await;
                inner.execute(api_method, req, at).await
            });
            task.await.unwrap_or_else(|_| {
                json_response(500, &json!({"ok": false, "error_code": 500, "description": "Internal Server Error"}))
            })
        }
        Some(Failure::TooManyRequests { retry_after }) => {
            let err = ApiErr {
                status: 429,
                description: format!("Too Many Requests: retry after {retry_after}"),
                retry_after: Some(retry_after),
                rate_limited: false,
            };
            inner.finish(&api_method, body_json, at, Err(err), true)
        }
        Some(Failure::Api(code, description)) => {
            inner.finish(&api_method, body_json, at, Err(ApiErr::new(code, description)), true)
        }
        Some(Failure::ServerError(code)) => {
            if code == 502 {
                {
                    let mut st = inner.lock();
                    st.calls.push(Call {
                        method: api_method,
                        body: body_json,
                        status: 502,
                        ok: false,
                        description: Some("Bad Gateway".into()),
                        response: Value::Null,
                        at,
                        injected: true,
                    });
                }
                inner.changed.notify_waiters();
                let mut resp = (StatusCode::BAD_GATEWAY, NGINX_502).into_response();
                resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
                resp
            } else {
                inner.finish(&api_method, body_json, at, Err(ApiErr::new(code, "Internal Server Error")), true)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

impl FakeTelegram {
    /// Starts a server with [`Limits::telegram`].
    pub async fn start() -> Self {
        Self::start_with(Limits::telegram()).await
    }

    /// Starts a server on 127.0.0.1:0 on the current tokio runtime.
    pub async fn start_with(limits: Limits) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("fake_telegram: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake_telegram: local_addr");
        let started = Instant::now();
        let inner = Arc::new(Inner {
            state: Mutex::new(State {
                started,
                limits,
                users: HashMap::new(),
                chats: HashMap::new(),
                messages: HashMap::new(),
                next_message_id: HashMap::new(),
                next_update_id: FIRST_UPDATE_ID,
                updates: VecDeque::new(),
                allowed_updates: None,
                poll_generation: 0,
                files: HashMap::new(),
                file_paths: HashMap::new(),
                file_counter: 0,
                media_group_counter: 0,
                callbacks: HashMap::new(),
                callback_order: Vec::new(),
                callback_counter: 0,
                calls: Vec::new(),
                rejections: Vec::new(),
                too_many: 0,
                commands: BTreeMap::new(),
                failures: Vec::new(),
                sends: VecDeque::new(),
                topics: HashMap::new(),
                pins: HashMap::new(),
                members: HashMap::new(),
                no_topic_rights: HashSet::new(),
            }),
            updates_notify: Notify::new(),
            changed: Notify::new(),
            addr,
            started,
        });
        let app = Router::new().fallback(handle).layer(DefaultBodyLimit::disable()).with_state(inner.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeTelegram { inner, _guard: Arc::new(ServerGuard(task.abort_handle())) }
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

    /// A text message in the user's private chat; a leading "/command" gets a bot_command entity.
    pub fn send_text(&self, user_id: i64, text: &str) -> i64 {
        self.send_text_in(user_id, user_id, text)
    }

    /// A text message by `user_id` in any known chat (private or group).
    pub fn send_text_in(&self, chat_id: i64, user_id: i64, text: &str) -> i64 {
        let id = self.lock().user_message(chat_id, user_id, text_content(text), "text");
        self.pushed();
        id
    }

    /// A reply by `user_id` in a chat without topics to message `reply_to_message_id` there.
    pub fn send_reply_in(&self, chat_id: i64, user_id: i64, reply_to_message_id: i64, text: &str) -> i64 {
        let mut st = self.lock();
        let mut replied = st
            .find(chat_id, reply_to_message_id)
            .unwrap_or_else(|| panic!("fake_telegram: no message {reply_to_message_id} in chat {chat_id}"))
            .json
            .clone();
        replied.remove("reply_to_message");
        let mut content = text_content(text);
        content.insert("reply_to_message".into(), Value::Object(replied));
        let id = st.user_message(chat_id, user_id, content, "text");
        drop(st);
        self.pushed();
        id
    }

    // ----- what group members do in forum topics -----

    /// Panics unless `user_id` is a member of forum `chat_id` and `thread_id` a live topic there.
    fn check_topic_member(st: &State, chat_id: i64, user_id: i64, thread_id: i64) {
        assert!(st.is_forum(chat_id), "fake_telegram: chat {chat_id} is not a forum group (add_group(.., true))");
        assert!(
            st.members.get(&chat_id).is_some_and(|m| m.contains(&user_id)),
            "fake_telegram: user {user_id} is not a member of {chat_id}; call add_member first"
        );
        assert!(
            st.live_topic(chat_id, thread_id).is_some(),
            "fake_telegram: no topic {thread_id} in chat {chat_id} (never created, or deleted)"
        );
    }

    /// A member's text message in a forum topic: the update carries
    /// `message_thread_id`, `is_topic_message: true`, the forum chat and, as in
    /// Telegram, `reply_to_message` = the topic's creation message.
    pub fn send_text_in_topic(&self, chat_id: i64, user_id: i64, thread_id: i64, text: &str) -> i64 {
        let mut st = self.lock();
        Self::check_topic_member(&st, chat_id, user_id, thread_id);
        let id = st.user_message_in(chat_id, user_id, text_content(text), "text", Some(thread_id));
        drop(st);
        self.pushed();
        id
    }

    /// A member's reply, in a forum topic, to message `reply_to_message_id` of that topic.
    pub fn send_reply_in_topic(
        &self,
        chat_id: i64,
        user_id: i64,
        thread_id: i64,
        reply_to_message_id: i64,
        text: &str,
    ) -> i64 {
        let mut st = self.lock();
        Self::check_topic_member(&st, chat_id, user_id, thread_id);
        let replied = st
            .find(chat_id, reply_to_message_id)
            .filter(|m| m.thread_id == Some(thread_id))
            .unwrap_or_else(|| panic!("fake_telegram: message {reply_to_message_id} is not in topic {thread_id}"));
        let mut replied = replied.json.clone();
        replied.remove("reply_to_message");
        let mut content = text_content(text);
        content.insert("reply_to_message".into(), Value::Object(replied));
        let id = st.user_message_in(chat_id, user_id, content, "text", Some(thread_id));
        drop(st);
        self.pushed();
        id
    }

    /// A member's photo in a forum topic (like [`send_photo`](Self::send_photo)).
    pub fn send_photo_in_topic(
        &self,
        chat_id: i64,
        user_id: i64,
        thread_id: i64,
        bytes: Vec<u8>,
        media_group_id: Option<&str>,
        caption: Option<&str>,
    ) -> i64 {
        let mut st = self.lock();
        Self::check_topic_member(&st, chat_id, user_id, thread_id);
        let sizes = st.register_photo(bytes);
        let mut content = Map::new();
        content.insert("photo".into(), sizes);
        if let Some(c) = caption {
            content.insert("caption".into(), json!(c));
        }
        if let Some(g) = media_group_id {
            content.insert("media_group_id".into(), json!(g));
        }
        let id = st.user_message_in(chat_id, user_id, content, "photo", Some(thread_id));
        drop(st);
        self.pushed();
        id
    }

    /// A member's photo album in a forum topic: one message (and update) per
    /// photo, all with `media_group_id`, as Telegram delivers albums. Returns
    /// the message ids in order.
    pub fn send_album_in_topic(
        &self,
        chat_id: i64,
        user_id: i64,
        thread_id: i64,
        photos: Vec<Vec<u8>>,
        media_group_id: &str,
    ) -> Vec<i64> {
        let mut st = self.lock();
        Self::check_topic_member(&st, chat_id, user_id, thread_id);
        let ids = photos
            .into_iter()
            .map(|bytes| {
                let sizes = st.register_photo(bytes);
                let mut content = Map::new();
                content.insert("photo".into(), sizes);
                content.insert("media_group_id".into(), json!(media_group_id));
                st.user_message_in(chat_id, user_id, content, "photo", Some(thread_id))
            })
            .collect();
        drop(st);
        self.pushed();
        ids
    }

    /// A member presses an inline button of bot message `message_id` in topic
    /// `thread_id` ([`press_in`](Self::press_in) plus membership and topic checks;
    /// the query's `message` carries the topic fields either way).
    pub fn press_in_topic(&self, chat_id: i64, user_id: i64, thread_id: i64, message_id: i64, data: &str) -> String {
        {
            let st = self.lock();
            Self::check_topic_member(&st, chat_id, user_id, thread_id);
            let in_topic = st.find(chat_id, message_id).is_some_and(|m| m.thread_id == Some(thread_id));
            assert!(in_topic, "fake_telegram: message {message_id} is not in topic {thread_id} of chat {chat_id}");
        }
        self.press_inner(chat_id, user_id, message_id, data, true)
    }

    /// A member creates a topic by hand; the bot gets the `forum_topic_created`
    /// service message as a message update. Returns the thread id.
    pub fn create_topic_by_hand(&self, chat_id: i64, user_id: i64, name: &str) -> i64 {
        let mut st = self.lock();
        assert!(st.is_forum(chat_id), "fake_telegram: chat {chat_id} is not a forum group (add_group(.., true))");
        assert!(
            st.members.get(&chat_id).is_some_and(|m| m.contains(&user_id)),
            "fake_telegram: user {user_id} is not a member of {chat_id}; call add_member first"
        );
        let name = clean_topic_name(name);
        assert!(!name.is_empty(), "fake_telegram: a topic name must not be empty");
        let json = st.new_topic(chat_id, user_id, name, None, None);
        let thread_id = json.get("message_id").and_then(Value::as_i64).unwrap_or_default();
        st.push_update("message", Value::Object(json));
        drop(st);
        self.pushed();
        thread_id
    }

    /// An admin deletes a topic by hand: the topic and all its messages go
    /// (Telegram sends the bot no update for it); later sends into it fail
    /// with [`THREAD_NOT_FOUND`].
    pub fn delete_topic_by_hand(&self, chat_id: i64, thread_id: i64) {
        let mut st = self.lock();
        assert!(
            st.live_topic(chat_id, thread_id).is_some(),
            "fake_telegram: no topic {thread_id} in chat {chat_id} (never created, or already deleted)"
        );
        st.remove_topic(chat_id, thread_id);
        drop(st);
        self.changed();
    }

    /// A user message with arbitrary content fields merged in (e.g. `{"location": {...}}`).
    pub fn send_custom(&self, user_id: i64, content: Value, kind: &str) -> i64 {
        let Value::Object(content) = content else { panic!("fake_telegram: send_custom needs a JSON object") };
        let id = self.lock().user_message(user_id, user_id, content, kind);
        self.pushed();
        id
    }

    /// A photo (two PhotoSizes, largest last; both downloadable via getFile).
    pub fn send_photo(&self, user_id: i64, bytes: Vec<u8>, media_group_id: Option<&str>, caption: Option<&str>) -> i64 {
        let mut st = self.lock();
        let sizes = st.register_photo(bytes);
        let mut content = Map::new();
        content.insert("photo".into(), sizes);
        if let Some(c) = caption {
            content.insert("caption".into(), json!(c));
        }
        if let Some(g) = media_group_id {
            content.insert("media_group_id".into(), json!(g));
        }
        let id = st.user_message(user_id, user_id, content, "photo");
        drop(st);
        self.pushed();
        id
    }

    pub fn send_sticker(&self, user_id: i64) -> i64 {
        let mut st = self.lock();
        let f = st.register_file(b"RIFF\x24\x00\x00\x00WEBPVP8 fake-sticker".to_vec(), "sticker", "webp", "sticker");
        let sticker = json!({
            "file_id": f.file_id, "file_unique_id": f.unique_id, "file_size": f.bytes.len(),
            "type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false,
            "emoji": "👍", "set_name": "FakeStickers",
        });
        if let Some(e) = st.files.get_mut(&f.file_id) {
            e.media = Some(sticker.clone());
        }
        let mut content = Map::new();
        content.insert("sticker".into(), sticker);
        let id = st.user_message(user_id, user_id, content, "sticker");
        drop(st);
        self.pushed();
        id
    }

    pub fn send_voice(&self, user_id: i64) -> i64 {
        let mut st = self.lock();
        let f = st.register_file(b"OggS\x00\x02fake-voice".to_vec(), "voice", "oga", "voice");
        let voice = json!({
            "file_id": f.file_id, "file_unique_id": f.unique_id, "file_size": f.bytes.len(),
            "duration": 3, "mime_type": "audio/ogg",
        });
        if let Some(e) = st.files.get_mut(&f.file_id) {
            e.media = Some(voice.clone());
        }
        let mut content = Map::new();
        content.insert("voice".into(), voice);
        let id = st.user_message(user_id, user_id, content, "voice");
        drop(st);
        self.pushed();
        id
    }

    /// A video (an mp4 of 1280x720, 5 s; downloadable via getFile).
    pub fn send_video(&self, user_id: i64, bytes: Vec<u8>, media_group_id: Option<&str>) -> i64 {
        let mut st = self.lock();
        let video = st.register_video(bytes);
        let mut content = Map::new();
        content.insert("video".into(), video);
        if let Some(g) = media_group_id {
            content.insert("media_group_id".into(), json!(g));
        }
        let id = st.user_message(user_id, user_id, content, "video");
        drop(st);
        self.pushed();
        id
    }

    pub fn send_document(&self, user_id: i64, file_name: &str, mime_type: &str, bytes: Vec<u8>) -> i64 {
        let mut st = self.lock();
        let doc = st.register_document(bytes, file_name, mime_type);
        let mut content = Map::new();
        content.insert("document".into(), doc);
        let id = st.user_message(user_id, user_id, content, "document");
        drop(st);
        self.pushed();
        id
    }

    /// A shared contact; `contact_user_id` is set when users share their own contact.
    pub fn send_contact(&self, user_id: i64, phone_number: &str, contact_user_id: Option<i64>) -> i64 {
        let mut st = self.lock();
        let first_name = st.users.get(&user_id).map(|u| u.first_name.clone()).unwrap_or_else(|| "Contact".into());
        let mut contact = json!({"phone_number": phone_number, "first_name": first_name});
        if let Some(uid) = contact_user_id {
            contact["user_id"] = json!(uid);
        }
        let mut content = Map::new();
        content.insert("contact".into(), contact);
        let id = st.user_message(user_id, user_id, content, "contact");
        drop(st);
        self.pushed();
        id
    }

    /// The user edits one of their messages in their private chat (see
    /// [`edit_text_in`](Self::edit_text_in)).
    pub fn edit_text(&self, user_id: i64, message_id: i64, new_text: &str) {
        self.edit_text_in(user_id, user_id, message_id, new_text);
    }

    /// `user_id` edits their message `message_id` in any chat (a group's
    /// forum topic too): the text, or a media message's caption. Pushes an
    /// `edited_message` update carrying the whole message (topic fields
    /// included), delivered unless `allowed_updates` leaves it out.
    pub fn edit_text_in(&self, chat_id: i64, user_id: i64, message_id: i64, new_text: &str) {
        let mut st = self.lock();
        let m = st
            .find_mut(chat_id, message_id)
            .filter(|m| {
                !m.from_bot && m.json.get("from").and_then(|f| f.get("id")).and_then(Value::as_i64) == Some(user_id)
            })
            .unwrap_or_else(|| panic!("fake_telegram: no message {message_id} by user {user_id} in chat {chat_id}"));
        let key = if m.json.contains_key("text") || m.kind == "text" { "text" } else { "caption" };
        m.text = new_text.to_string();
        m.raw_text = new_text.to_string();
        m.json.insert(key.into(), json!(new_text));
        m.json.insert("edit_date".into(), json!(unix_now()));
        m.edits += 1;
        let payload = Value::Object(m.json.clone());
        st.push_update("edited_message", payload);
        drop(st);
        self.pushed();
    }

    /// The user presses the inline button carrying `data` on bot message
    /// `message_id` in their chat. Panics if the message has no such button
    /// right now (use [`press_unchecked`](Self::press_unchecked) for stale presses).
    /// Returns the callback query id.
    pub fn press(&self, user_id: i64, message_id: i64, data: &str) -> String {
        self.press_inner(user_id, user_id, message_id, data, true)
    }

    /// [`press`](Self::press) on a bot message in any chat (e.g. a group), by `user_id`.
    pub fn press_in(&self, chat_id: i64, user_id: i64, message_id: i64, data: &str) -> String {
        self.press_inner(chat_id, user_id, message_id, data, true)
    }

    /// Like [`press`](Self::press) without checking the button still exists.
    pub fn press_unchecked(&self, user_id: i64, message_id: i64, data: &str) -> String {
        self.press_inner(user_id, user_id, message_id, data, false)
    }

    fn press_inner(&self, chat_id: i64, user_id: i64, message_id: i64, data: &str, checked: bool) -> String {
        let mut st = self.lock();
        let from = st.user_json(user_id);
        let m = st
            .find(chat_id, message_id)
            .filter(|m| m.from_bot)
            .unwrap_or_else(|| panic!("fake_telegram: bot message {message_id} not found in chat {chat_id}"));
        if checked && !m.buttons.iter().flatten().any(|b| b.callback_data.as_deref() == Some(data)) {
            let have: Vec<_> = m.buttons.iter().flatten().map(|b| (b.text.clone(), b.callback_data.clone())).collect();
            panic!(
                "fake_telegram: message {message_id} in chat {chat_id} has no button with callback_data {data:?}; buttons: {have:?}"
            );
        }
        let message = Value::Object(m.json.clone());
        st.callback_counter += 1;
        let id = format!("{}", 4_000_000_000_000_000_000u64 + st.callback_counter);
        st.callbacks.insert(id.clone(), CallbackInfo { answered: None });
        st.callback_order.push(id.clone());
        let payload = json!({
            "id": id, "from": from, "message": message,
            "chat_instance": format!("{}", -7_000_000_000i64 - chat_id), "data": data,
        });
        st.push_update("callback_query", payload);
        drop(st);
        self.pushed();
        id
    }

    /// Presses the first button whose label contains `label_contains`.
    pub fn press_button(&self, user_id: i64, message: &BotMessage, label_contains: &str) -> String {
        let button = message.button(label_contains).unwrap_or_else(|| {
            panic!("fake_telegram: no button containing {label_contains:?}; buttons: {:?}", message.labels())
        });
        let data = button
            .callback_data
            .clone()
            .unwrap_or_else(|| panic!("fake_telegram: button {:?} has no callback_data", button.text));
        self.press(user_id, message.message_id, &data)
    }

    /// Pushes an arbitrary update; `update_id` is assigned.
    pub fn push_raw_update(&self, update_without_id: Value) {
        let Value::Object(mut obj) = update_without_id else {
            panic!("fake_telegram: an update must be a JSON object")
        };
        let mut st = self.lock();
        let id = st.next_update_id;
        st.next_update_id += 1;
        obj.insert("update_id".into(), json!(id));
        st.updates.push_back((id, Value::Object(obj)));
        drop(st);
        self.pushed();
    }

    // ----- observing what the bot did -----

    /// Bot messages in the chat, in send order, current state; deleted ones and
    /// service messages (topic created / edited / closed, pinned) left out.
    pub fn messages(&self, chat_id: i64) -> Vec<BotMessage> {
        let st = self.lock();
        st.messages
            .get(&chat_id)
            .map(|list| {
                list.iter()
                    .filter(|m| m.from_bot && !m.deleted && !m.service)
                    .map(|m| State::to_bot_message(chat_id, m))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Bot messages in one forum topic, like [`messages`](Self::messages)
    /// (empty once the topic is deleted, as its messages are).
    pub fn topic_messages(&self, chat_id: i64, thread_id: i64) -> Vec<BotMessage> {
        self.messages(chat_id).into_iter().filter(|m| m.thread_id == Some(thread_id)).collect()
    }

    /// The chat's forum topics in creation order, deleted ones included (flagged).
    pub fn topics(&self, chat_id: i64) -> Vec<TopicInfo> {
        let st = self.lock();
        st.topics
            .get(&chat_id)
            .into_iter()
            .flatten()
            .map(|t| TopicInfo {
                thread_id: t.thread_id,
                name: t.name.clone(),
                icon_color: t.icon_color,
                icon_custom_emoji_id: t.icon_custom_emoji_id.clone(),
                closed: t.closed,
                deleted: t.deleted,
                pinned_message_id: st.pinned_in(chat_id, Some(t.thread_id)),
                created_by: t.created_by,
            })
            .collect()
    }

    /// One topic (see [`topics`](Self::topics)).
    pub fn topic(&self, chat_id: i64, thread_id: i64) -> Option<TopicInfo> {
        self.topics(chat_id).into_iter().find(|t| t.thread_id == thread_id)
    }

    /// The pinned message: with `Some(thread_id)` that topic's, with `None` the
    /// chat's (what getChat reports: the most recent by message id, in any topic).
    pub fn pinned(&self, chat_id: i64, thread_id: Option<i64>) -> Option<i64> {
        self.lock().pinned_in(chat_id, thread_id)
    }

    /// file_id of any message's media (the largest photo size, the video,
    /// document, …), the user's or the bot's: what a bot reads from an update.
    pub fn file_id_of(&self, chat_id: i64, message_id: i64) -> Option<String> {
        self.lock().find(chat_id, message_id).and_then(|m| m.file_id.clone())
    }

    pub fn last_message(&self, chat_id: i64) -> Option<BotMessage> {
        self.messages(chat_id).pop()
    }

    pub fn message(&self, chat_id: i64, message_id: i64) -> Option<BotMessage> {
        self.messages(chat_id).into_iter().find(|m| m.message_id == message_id)
    }

    /// The reply keyboard currently shown in the chat (the last `keyboard`
    /// sent, unless a later message removed it).
    pub fn reply_keyboard(&self, chat_id: i64) -> Option<Value> {
        let st = self.lock();
        let list = st.messages.get(&chat_id)?;
        let last = list.iter().rev().filter(|m| m.from_bot).find_map(|m| m.reply_keyboard.clone())?;
        last.get("keyboard").is_some().then_some(last)
    }

    /// Waits until some bot message in the chat matches; returns the first
    /// (in send order) match, in its current state.
    pub async fn wait_for_message(
        &self,
        chat_id: i64,
        pred: impl Fn(&BotMessage) -> bool,
        timeout: Duration,
    ) -> Option<BotMessage> {
        let mut found = None;
        self.wait_until(
            |f| {
                found = f.messages(chat_id).into_iter().find(|m| pred(m));
                found.is_some()
            },
            timeout,
        )
        .await;
        found
    }

    /// Waits for the first bot message in the chat with an id above
    /// `after_message_id` (e.g. the id `send_text` returned).
    pub async fn wait_for_reply(&self, chat_id: i64, after_message_id: i64, timeout: Duration) -> Option<BotMessage> {
        self.wait_for_message(chat_id, |m| m.message_id > after_message_id, timeout).await
    }

    /// Waits until at least `n` bot messages exist in the chat; returns them all (maybe fewer on timeout).
    pub async fn wait_for_count(&self, chat_id: i64, n: usize, timeout: Duration) -> Vec<BotMessage> {
        self.wait_until(|f| f.messages(chat_id).len() >= n, timeout).await;
        self.messages(chat_id)
    }

    /// Waits (on a Notify, woken by every state change) until `cond` holds. Returns whether it did.
    pub async fn wait_until(&self, mut cond: impl FnMut(&FakeTelegram) -> bool, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if cond(self) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return cond(self);
            }
        }
    }

    /// Every API call so far (in order of completion).
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Calls of one method (case-insensitive name).
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        let m = method.to_ascii_lowercase();
        self.lock().calls.iter().filter(|c| c.method == m).cloned().collect()
    }

    /// Calls answered ok=false because they broke a Telegram rule (not injected
    /// failures, not flood-limit 429s; see `too_many_requests`).
    pub fn rejections(&self) -> Vec<Call> {
        self.lock().rejections.clone()
    }

    /// 429s answered because of the flood limits (injected ones not counted).
    pub fn too_many_requests(&self) -> usize {
        self.lock().too_many
    }

    /// Callback query ids never answered, in press order.
    pub fn unanswered_callbacks(&self) -> Vec<String> {
        let st = self.lock();
        st.callback_order
            .iter()
            .filter(|id| st.callbacks.get(*id).is_some_and(|c| c.answered.is_none()))
            .cloned()
            .collect()
    }

    /// How the bot answered a callback query (None if not answered / unknown).
    pub fn callback_answer(&self, callback_query_id: &str) -> Option<CallbackAnswer> {
        self.lock().callbacks.get(callback_query_id).and_then(|c| c.answered.clone())
    }

    /// Updates not yet confirmed by a getUpdates offset.
    pub fn pending_updates(&self) -> usize {
        self.lock().updates.len()
    }

    /// setMyCommands per language_code ("" = default). Non-default scopes are
    /// keyed "<scope type>[:<chat_id>][:<user_id>]/<language_code>".
    pub fn commands(&self) -> BTreeMap<String, Vec<(String, String)>> {
        self.lock().commands.clone()
    }

    /// Injects a failure into the next `times` calls of `method`
    /// (case-insensitive, e.g. "sendMessage"; "*" = any method, getUpdates included).
    pub fn fail_next(&self, method: &str, failure: Failure, times: usize) {
        if times > 0 {
            self.lock().failures.push((method.to_ascii_lowercase(), failure, times));
        }
        self.changed();
    }

    /// Bytes of a file known to the fake (uploaded by the bot or sent by a user).
    pub fn file_bytes(&self, file_id: &str) -> Option<Vec<u8>> {
        self.lock().files.get(file_id).map(|f| f.bytes.as_ref().clone())
    }
}
