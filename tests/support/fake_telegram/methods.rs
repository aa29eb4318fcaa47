//! The Bot API methods the fake answers, checked the way Telegram checks them.

use super::*;

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
    pub(super) fn resolve_chat(&self, req: &Req, key: &str) -> Result<i64, ApiErr> {
        let id = match req.get(key) {
            None => return Err(ApiErr::bad(format!("Bad Request: {key} is empty"))),
            Some(Value::Number(n)) => n.as_i64().ok_or_else(ApiErr::chat_not_found)?,
            Some(Value::String(s)) => s.trim().parse::<i64>().map_err(|_| ApiErr::chat_not_found())?,
            Some(_) => return Err(ApiErr::chat_not_found()),
        };
        if self.chats.contains_key(&id) { Ok(id) } else { Err(ApiErr::chat_not_found()) }
    }

    pub(super) fn check_can_send(&self, chat_id: i64) -> Result<(), ApiErr> {
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

    pub(super) fn reply_to(&self, chat_id: i64, req: &Req) -> Result<Option<Value>, ApiErr> {
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
        text: String,
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
            text,
            buttons,
            inline_markup,
            reply_keyboard,
            file_id,
            ..stored
        });
        Value::Object(json)
    }

    pub(super) fn caption(&self, req: &Req) -> Result<String, ApiErr> {
        let text = plain_text(&req.str("caption").unwrap_or_default(), req.str("parse_mode").as_deref())?;
        if utf16_len(&text) > MAX_CAPTION {
            return Err(ApiErr::bad("Bad Request: message caption is too long"));
        }
        Ok(text)
    }

    fn send_message(&mut self, req: &Req, now: Instant) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        self.check_can_send(chat_id)?;
        let text = plain_text(&req.str("text").unwrap_or_default(), req.str("parse_mode").as_deref())?;
        if text.is_empty() {
            return Err(ApiErr::bad("Bad Request: message text is empty"));
        }
        if utf16_len(&text) > MAX_TEXT {
            return Err(ApiErr::bad("Bad Request: message is too long"));
        }
        let markup = parse_markup(req.json("reply_markup"))?;
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        let (mid, mut json) = self.bot_message_base(chat_id, thread, reply_to);
        json.insert("text".into(), json!(text));
        Ok(self.store_bot_message(chat_id, mid, json, "text", text, markup, None))
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

    pub(super) fn send_photo(&mut self, req: &Req, now: Instant) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        self.check_can_send(chat_id)?;
        let file = self.input_file(req, "photo", "photo")?;
        let caption = self.caption(req)?;
        let markup = parse_markup(req.json("reply_markup"))?;
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        let (sizes, file_id) = self.photo_sizes_for(file);
        let (mid, mut json) = self.bot_message_base(chat_id, thread, reply_to);
        json.insert("photo".into(), sizes);
        if !caption.is_empty() {
            json.insert("caption".into(), json!(caption));
        }
        Ok(self.store_bot_message(chat_id, mid, json, "photo", caption, markup, file_id))
    }

    pub(super) fn send_document(&mut self, req: &Req, now: Instant) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        self.check_can_send(chat_id)?;
        let file = self.input_file(req, "document", "document")?;
        let caption = self.caption(req)?;
        let markup = parse_markup(req.json("reply_markup"))?;
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        let (media, file_id) = self.document_for(file);
        let (mid, mut json) = self.bot_message_base(chat_id, thread, reply_to);
        json.insert("document".into(), media);
        if !caption.is_empty() {
            json.insert("caption".into(), json!(caption));
        }
        Ok(self.store_bot_message(chat_id, mid, json, "document", caption, markup, file_id))
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

    pub(super) fn send_video(&mut self, req: &Req, now: Instant) -> ApiResult {
        let chat_id = self.resolve_chat(req, "chat_id")?;
        self.check_can_send(chat_id)?;
        let file = self.input_file(req, "video", "video")?;
        let caption = self.caption(req)?;
        let markup = parse_markup(req.json("reply_markup"))?;
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        let (media, file_id) = self.video_for(file);
        let (mid, mut json) = self.bot_message_base(chat_id, thread, reply_to);
        json.insert("video".into(), media);
        if !caption.is_empty() {
            json.insert("caption".into(), json!(caption));
        }
        Ok(self.store_bot_message(chat_id, mid, json, "video", caption, markup, file_id))
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
            let caption = plain_text(
                item.get("caption").and_then(Value::as_str).unwrap_or(""),
                item.get("parse_mode").and_then(Value::as_str),
            )?;
            if utf16_len(&caption) > MAX_CAPTION {
                return Err(ApiErr::bad("Bad Request: message caption is too long"));
            }
            prepared.push((kind.to_string(), file, caption));
        }
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        self.media_group_counter += 1;
        let group_id = format!("{}", 13_000_000_000_000_000u64 + self.media_group_counter);
        let mut out = Vec::new();
        for (kind, file, caption) in prepared {
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
            if !caption.is_empty() {
                json.insert("caption".into(), json!(caption));
            }
            out.push(self.store_bot_message(chat_id, mid, json, &kind, caption, None, file_id));
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
        if kind != "text" && req.has("caption") {
            text = self.caption(req)?;
            if text.is_empty() {
                content.remove("caption");
            } else {
                content.insert("caption".into(), json!(text));
            }
        }
        let markup = parse_markup(req.json("reply_markup"))?;
        let reply_to = self.reply_to(chat_id, req)?;
        let thread = self.send_thread(chat_id, req, reply_to.as_ref())?;
        self.check_rate(chat_id, now)?;
        let (mid, mut json) = self.bot_message_base(chat_id, thread, reply_to);
        json.extend(content);
        self.store_bot_message(chat_id, mid, json, &kind, text, markup, file_id);
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
        Ok(self.store_bot_message(chat_id, mid, json, &kind, text, None, file_id))
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
        text: Option<String>,
        rows: Vec<Vec<Button>>,
        markup: Option<Value>,
    ) -> Value {
        if let (Some(key), Some(text)) = (text_key, text) {
            if text.is_empty() {
                m.json.remove(key);
            } else {
                m.json.insert(key.into(), json!(text));
            }
            m.text = text;
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
        let text = plain_text(&req.str("text").unwrap_or_default(), req.str("parse_mode").as_deref())?;
        if text.is_empty() {
            return Err(ApiErr::bad("Bad Request: message text is empty"));
        }
        if utf16_len(&text) > MAX_TEXT {
            return Err(ApiErr::bad("Bad Request: MESSAGE_TOO_LONG"));
        }
        let (rows, markup) = Self::edit_markup(req)?;
        let m = self.find_mut(chat_id, mid).ok_or_else(|| ApiErr::bad("Bad Request: message to edit not found"))?;
        if m.kind != "text" {
            return Err(ApiErr::bad("Bad Request: there is no text in the message to edit"));
        }
        if m.text == text && m.inline_markup == markup {
            return Err(ApiErr::bad(NOT_MODIFIED));
        }
        Ok(Self::apply_edit(m, Some("text"), Some(text), rows, markup))
    }

    fn edit_message_caption(&mut self, req: &Req) -> ApiResult {
        let (chat_id, mid) = self.edit_target(req)?;
        let text = self.caption(req).map_err(|e| {
            if e.description.contains("too long") { ApiErr::bad("Bad Request: MESSAGE_CAPTION_TOO_LONG") } else { e }
        })?;
        let (rows, markup) = Self::edit_markup(req)?;
        let m = self.find_mut(chat_id, mid).ok_or_else(|| ApiErr::bad("Bad Request: message to edit not found"))?;
        if !matches!(m.kind.as_str(), "photo" | "document" | "voice" | "video" | "audio" | "animation") {
            return Err(ApiErr::bad("Bad Request: there is no caption in the message to edit"));
        }
        if m.text == text && m.inline_markup == markup {
            return Err(ApiErr::bad(NOT_MODIFIED));
        }
        Ok(Self::apply_edit(m, Some("caption"), Some(text), rows, markup))
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
            Some(cb) if cb.answered.is_none() && at.saturating_sub(cb.pressed_at) <= CALLBACK_TTL => {
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

    pub(super) fn dispatch(&mut self, method: &str, req: &Req, now: Instant) -> ApiResult {
        match method {
            "getme" => Ok(json!({
                "id": BOT_ID, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME,
                "can_join_groups": true, "can_read_all_group_messages": false,
                "supports_inline_queries": false, "can_connect_to_business": false, "has_main_web_app": false,
            })),
            "getwebhookinfo" => self.webhook_info(),
            "setwebhook" => self.set_webhook(req),
            "deletewebhook" => self.delete_webhook(req),
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
}
