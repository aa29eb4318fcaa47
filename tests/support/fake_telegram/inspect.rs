//! What tests read back: the bot's messages, topics, calls, and waits for them.

use super::*;

impl FakeTelegram {
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

    /// How many calls of one method (case-insensitive name) match `keep`,
    /// counted without copying them: cheap enough for a `wait_until` over
    /// thousands of calls, which runs on every change.
    pub fn count_calls(&self, method: &str, keep: impl Fn(&Call) -> bool) -> usize {
        let m = method.to_ascii_lowercase();
        self.lock().calls.iter().filter(|c| c.method == m && keep(c)).count()
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

    /// Waits up to `timeout` for every callback query to be answered (the
    /// bot answers a press after queueing its reply).
    pub async fn every_callback_answered(&self, timeout: Duration) -> bool {
        self.wait_until(|fake| fake.unanswered_callbacks().is_empty(), timeout).await
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

    /// Bytes of a file known to the fake (uploaded by the bot or sent by a user).
    pub fn file_bytes(&self, file_id: &str) -> Option<Vec<u8>> {
        self.lock().files.get(file_id).map(|f| f.bytes.as_ref().clone())
    }
}
