//! What people do in the chats: users write, send media, edit and press buttons;
//! group members act in forum topics.

use super::*;

impl FakeTelegram {
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
        let pressed_at = st.elapsed();
        st.callbacks.insert(id.clone(), CallbackInfo { answered: None, pressed_at });
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
}
