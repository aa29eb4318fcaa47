//! Forum topics: createForumTopic & co., `message_thread_id` on sends, pins.

use super::*;

impl State {
    pub(super) fn is_forum(&self, chat_id: i64) -> bool {
        matches!(self.chats.get(&chat_id), Some(ChatInfo::Supergroup { is_forum: true, .. }))
    }

    /// A topic, deleted or not.
    pub(super) fn topic(&self, chat_id: i64, thread_id: i64) -> Option<&Topic> {
        self.topics.get(&chat_id)?.iter().find(|t| t.thread_id == thread_id)
    }

    fn topic_mut(&mut self, chat_id: i64, thread_id: i64) -> Option<&mut Topic> {
        self.topics.get_mut(&chat_id)?.iter_mut().find(|t| t.thread_id == thread_id)
    }

    pub(super) fn live_topic(&self, chat_id: i64, thread_id: i64) -> Option<&Topic> {
        self.topic(chat_id, thread_id).filter(|t| !t.deleted)
    }

    /// `message_thread_id`, `is_topic_message` and, unless the message is a
    /// reply, `reply_to_message` = the topic's creation message, as Telegram
    /// sets them on every message in a forum topic.
    pub(super) fn add_thread_fields(&self, chat_id: i64, thread_id: i64, json: &mut Map<String, Value>) {
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
    pub(super) fn send_thread(&self, chat_id: i64, req: &Req, reply_to: Option<&Value>) -> Result<Option<i64>, ApiErr> {
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
    pub(super) fn new_topic(
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
    pub(super) fn remove_topic(&mut self, chat_id: i64, thread_id: i64) {
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
    pub(super) fn topic_target(&self, req: &Req) -> Result<(i64, i64), ApiErr> {
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

    pub(super) fn create_forum_topic(&mut self, req: &Req) -> ApiResult {
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

    pub(super) fn edit_forum_topic(&mut self, req: &Req) -> ApiResult {
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

    pub(super) fn set_topic_closed(&mut self, req: &Req, closed: bool) -> ApiResult {
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
    pub(super) fn pinned_in(&self, chat_id: i64, thread_id: Option<i64>) -> Option<i64> {
        self.pins
            .get(&chat_id)?
            .iter()
            .copied()
            .filter(|mid| self.find(chat_id, *mid).is_some_and(|m| thread_id.is_none() || m.thread_id == thread_id))
            .max()
    }

    pub(super) fn pin_chat_message(&mut self, req: &Req) -> ApiResult {
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

    pub(super) fn unpin_chat_message(&mut self, req: &Req) -> ApiResult {
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

    pub(super) fn unpin_all_forum_topic_messages(&mut self, req: &Req) -> ApiResult {
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
}
