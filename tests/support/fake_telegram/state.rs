//! What the fake remembers: users, chats, messages, files, updates, calls.

use super::*;

pub(super) struct UserInfo {
    pub(super) first_name: String,
    pub(super) language_code: Option<String>,
    pub(super) blocked_bot: bool,
}

pub(super) enum ChatInfo {
    Private { user_id: i64 },
    Supergroup { title: String, is_forum: bool },
}

pub(super) struct StoredMessage {
    pub(super) message_id: i64,
    pub(super) from_bot: bool,
    /// A service message (forum_topic_created, pinned_message, …): not listed
    /// by `messages()`, can't be edited.
    pub(super) service: bool,
    pub(super) json: Map<String, Value>,
    pub(super) kind: String,
    pub(super) text: String,
    pub(super) buttons: Vec<Vec<Button>>,
    pub(super) inline_markup: Option<Value>,
    pub(super) reply_keyboard: Option<Value>,
    pub(super) edits: u32,
    pub(super) sent_at: Duration,
    pub(super) deleted: bool,
    pub(super) file_id: Option<String>,
    pub(super) media_group_id: Option<String>,
    pub(super) reply_to: Option<i64>,
    pub(super) thread_id: Option<i64>,
}

impl StoredMessage {
    /// A message as `json` describes it, not yet edited or deleted; callers
    /// fill in the text, buttons and sender they know better.
    pub(super) fn from_json(
        json: &Map<String, Value>,
        kind: &str,
        thread_id: Option<i64>,
        sent_at: Duration,
    ) -> StoredMessage {
        StoredMessage {
            message_id: json.get("message_id").and_then(Value::as_i64).unwrap_or_default(),
            from_bot: false,
            service: false,
            json: json.clone(),
            kind: kind.to_string(),
            text: String::new(),
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
pub(super) struct FileEntry {
    pub(super) file_id: String,
    pub(super) unique_id: String,
    pub(super) bytes: Arc<Vec<u8>>,
    pub(super) path: String,
    /// "photo", "document", "sticker", "voice"
    pub(super) kind: String,
    /// For photos: the whole PhotoSize array this size belongs to.
    pub(super) photo_sizes: Option<Value>,
    /// The media JSON object (document / sticker / voice).
    pub(super) media: Option<Value>,
}

pub(super) struct CallbackInfo {
    pub(super) answered: Option<CallbackAnswer>,
    /// When it was pressed, on the fake's clock.
    pub(super) pressed_at: Duration,
}

pub(super) struct Topic {
    pub(super) thread_id: i64,
    pub(super) name: String,
    pub(super) icon_color: u32,
    pub(super) icon_custom_emoji_id: Option<String>,
    pub(super) closed: bool,
    pub(super) deleted: bool,
    pub(super) created_by: i64,
}

/// Where a service message goes.
#[derive(Clone, Copy)]
pub(super) enum InThread {
    No,
    Topic(i64),
    /// The `forum_topic_created` message: it is the root of its own thread.
    NewTopic,
}

pub(super) struct State {
    pub(super) started: Instant,
    pub(super) limits: Limits,
    pub(super) users: HashMap<i64, UserInfo>,
    pub(super) chats: HashMap<i64, ChatInfo>,
    pub(super) messages: HashMap<i64, Vec<StoredMessage>>,
    pub(super) next_message_id: HashMap<i64, i64>,
    pub(super) next_update_id: i64,
    pub(super) updates: VecDeque<(i64, Value)>,
    pub(super) allowed_updates: Option<Vec<String>>,
    pub(super) poll_generation: u64,
    pub(super) files: HashMap<String, FileEntry>,
    pub(super) file_paths: HashMap<String, String>,
    pub(super) file_counter: u64,
    pub(super) media_group_counter: u64,
    pub(super) callbacks: HashMap<String, CallbackInfo>,
    pub(super) callback_order: Vec<String>,
    pub(super) callback_counter: u64,
    pub(super) calls: Vec<Call>,
    pub(super) rejections: Vec<Call>,
    pub(super) too_many: usize,
    pub(super) commands: BTreeMap<String, Vec<(String, String)>>,
    /// Injected failures: method ("*" for any), the chat they are limited to, what, how many more.
    pub(super) failures: Vec<(String, Option<i64>, Failure, usize)>,
    pub(super) sends: VecDeque<(Instant, i64)>,
    /// Forum topics per chat, in creation order (deleted ones kept, flagged).
    pub(super) topics: HashMap<i64, Vec<Topic>>,
    /// Pinned message ids per chat.
    pub(super) pins: HashMap<i64, Vec<i64>>,
    /// Group members per chat (see `add_member`).
    pub(super) members: HashMap<i64, HashSet<i64>>,
    /// Forums where the bot lacks `can_manage_topics`: closed topics refuse its sends.
    pub(super) no_topic_rights: HashSet<i64>,
    /// The webhook and its deliveries.
    pub(super) webhooks: webhook::Deliveries,
}

pub(super) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

pub(super) fn utf16_len(s: &str) -> usize {
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
pub(super) fn clean_topic_name(name: &str) -> String {
    let collapsed = name.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(MAX_TOPIC_NAME).collect::<String>().trim_end().to_string()
}

/// Content of a user's text message; a leading "/command" gets a bot_command entity.
pub(super) fn text_content(text: &str) -> Map<String, Value> {
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

pub(super) fn bot_user_json() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME})
}

impl State {
    pub(super) fn new(limits: Limits, started: Instant) -> State {
        State {
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
            webhooks: webhook::Deliveries::default(),
        }
    }

    pub(super) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub(super) fn chat_json(&self, chat_id: i64) -> Value {
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

    pub(super) fn user_json(&self, user_id: i64) -> Value {
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

    pub(super) fn next_mid(&mut self, chat_id: i64) -> i64 {
        let next = self.next_message_id.entry(chat_id).or_insert(1);
        let id = *next;
        *next += 1;
        id
    }

    pub(super) fn push_update(&mut self, kind: &str, payload: Value) -> i64 {
        let id = self.next_update_id;
        self.next_update_id += 1;
        let mut obj = Map::new();
        obj.insert("update_id".into(), json!(id));
        obj.insert(kind.into(), payload);
        self.updates.push_back((id, Value::Object(obj)));
        id
    }

    pub(super) fn find(&self, chat_id: i64, message_id: i64) -> Option<&StoredMessage> {
        self.messages.get(&chat_id)?.iter().find(|m| m.message_id == message_id && !m.deleted)
    }

    pub(super) fn find_mut(&mut self, chat_id: i64, message_id: i64) -> Option<&mut StoredMessage> {
        self.messages.get_mut(&chat_id)?.iter_mut().find(|m| m.message_id == message_id && !m.deleted)
    }

    pub(super) fn register_file(&mut self, bytes: Vec<u8>, kind: &str, ext: &str, salt: &str) -> FileEntry {
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
    pub(super) fn register_photo(&mut self, bytes: Vec<u8>) -> Value {
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

    pub(super) fn register_document(&mut self, bytes: Vec<u8>, file_name: &str, mime_type: &str) -> Value {
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

    pub(super) fn register_video(&mut self, bytes: Vec<u8>) -> Value {
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

    pub(super) fn user_message(&mut self, chat_id: i64, user_id: i64, content: Map<String, Value>, kind: &str) -> i64 {
        self.user_message_in(chat_id, user_id, content, kind, None)
    }

    /// A user's message, in forum topic `thread` if given (the caller checked it exists).
    pub(super) fn user_message_in(
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
        self.messages.entry(chat_id).or_default().push(StoredMessage { text, ..stored });
        self.push_update("message", Value::Object(json));
        mid
    }

    // ----- forum topics and service messages -----

    pub(super) fn confirm(&mut self, offset: i64) {
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
    pub(super) fn drop_disallowed(&mut self) -> bool {
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

    /// The failure injected for this call of `method` to `chat`, if any.
    pub(super) fn take_failure(&mut self, method: &str, chat: Option<i64>) -> Option<Failure> {
        let pos = self.failures.iter().position(|(m, only, _, n)| {
            *n > 0 && (m == method || m == "*") && only.is_none_or(|only| Some(only) == chat)
        })?;
        let entry = &mut self.failures[pos];
        entry.3 -= 1;
        let f = entry.2.clone();
        if entry.3 == 0 {
            self.failures.remove(pos);
        }
        Some(f)
    }

    pub(super) fn to_bot_message(chat_id: i64, m: &StoredMessage) -> BotMessage {
        BotMessage {
            chat_id,
            message_id: m.message_id,
            text: m.text.clone(),
            buttons: m.buttons.clone(),
            reply_keyboard: m.reply_keyboard.clone(),
            edits: m.edits,
            sent_at: m.sent_at,
            kind: m.kind.clone(),
            reply_to: m.reply_to,
            thread_id: m.thread_id,
            file_id: m.file_id.clone(),
            media_group_id: m.media_group_id.clone(),
            json: Value::Object(m.json.clone()),
        }
    }
}
