//! Planning: the next Bot API call for an outbox row, given what the loop
//! read about its topic. Pure, so that the mapping is tested without a
//! network.

use teloxide::payloads::{
    AnswerCallbackQuery, CloseForumTopic, CopyMessage, CreateForumTopic, EditMessageCaption, EditMessageText,
    PinChatMessage, ReopenForumTopic, SendDocument, SendMediaGroup, SendMessage, SendPhoto, SendVideo,
};
use teloxide::types::{
    ButtonRequest, CallbackQueryId, ChatId, FileId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, InputMedia,
    InputMediaDocument, InputMediaPhoto, InputMediaVideo, KeyboardButton, KeyboardMarkup, KeyboardRemove, MessageId,
    ReplyMarkup, ReplyParameters, ThreadId,
};

use std::time::Duration;

use crate::outgoing::{AlbumItem, AlbumKind, Keyboard, Outgoing};
use crate::store::topics::Topic;

/// Telegram's limit on the items of one album (sendMediaGroup takes 2–10).
pub const MAX_ALBUM: usize = 10;
/// How long after a press Telegram takes the button's answer; later it
/// only says "query is too old". An answer queued longer ago (it waited
/// out a crash, a fault or a full pace) is dropped instead of sent.
pub const ANSWER_WINDOW: Duration = Duration::from_secs(15);

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
    pub fn target(&self) -> Option<i32> {
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
    pub fn label(self) -> &'static str {
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
    /// How long ago the row was queued.
    pub age: Duration,
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
        Outgoing::AnswerButton { .. } if facts.age > ANSWER_WINDOW => Plan::Fail(format!(
            "not answered: pressed {} s ago, and Telegram takes a button's answer for {} s",
            facts.age.as_secs(),
            ANSWER_WINDOW.as_secs()
        )),
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
        Outgoing::Send { .. } | Outgoing::Copy { .. } | Outgoing::Album { .. } | Outgoing::Document { .. } => {
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

/// The call for a payload that makes a new message (`Send`, `Copy`, `Album`, `Document`).
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
        Outgoing::Document { path, file_name, caption } => {
            let mut send = SendDocument::new(chat, InputFile::file(path).file_name(file_name.clone()));
            send.caption = caption.clone();
            place.apply(&mut send.message_thread_id, &mut send.reply_parameters);
            Some(Request::Document(send))
        }
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
