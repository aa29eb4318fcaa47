//! Telegram updates turned into the desk's inputs: private chats are
//! customers, the configured agents' group is the agents' desk, and
//! updates the desk has no use for are skipped.

use teloxide::types::{CallbackQuery, Message, Update, UpdateKind, User};

use crate::case::MediaKind;
use crate::catalogue::Described;
use crate::conversation::{Command, Input};
use crate::desk::agents::{AgentIncoming, AgentInput};
use crate::desk::{Incoming, MessageRef, Relay};
use crate::outgoing::{AlbumItem, AlbumKind};
use crate::store::customers::Identity;

pub const CHANNEL: &str = "telegram";

/// An update, for the customer side or the agents' side of the desk.
#[derive(Clone, Debug)]
pub enum Inbound {
    Customer(Incoming),
    Agents(AgentIncoming),
}

/// The desk's view of an update, or `None` for updates it ignores.
/// `agents_chat` is the agents' group, if the shop has one.
pub fn inbound(update: &Update, agents_chat: Option<i64>) -> Option<Inbound> {
    let update_id = Some(i64::from(update.id.0));
    let (message, edited) = match &update.kind {
        UpdateKind::Message(message) => (message, false),
        UpdateKind::EditedMessage(message) => (message, true),
        UpdateKind::CallbackQuery(query) => return button(update_id, query, agents_chat),
        _ => return None,
    };
    let from = message.from.as_ref()?;
    let reference = message_ref(message, edited);
    if message.chat.is_private() {
        return Some(Inbound::Customer(Incoming {
            update_id,
            identity: identity(from, message.chat.id.0),
            input: message_input(message, from),
            message: reference,
        }));
    }
    if Some(message.chat.id.0) != agents_chat || from.is_bot {
        return None;
    }
    Some(Inbound::Agents(AgentIncoming {
        update_id,
        channel: CHANNEL,
        chat_id: message.chat.id.0,
        thread_id: message.thread_id.filter(|_| message.is_topic_message).map(|thread| thread.0.0),
        reply_to: message.reply_to_message().map(|replied| replied.id.0),
        user_id: i64::try_from(from.id.0).unwrap_or_default(),
        display_name: from.full_name(),
        input: AgentInput::Message {
            text: message.text().or(message.caption()).map(str::to_owned),
            message: reference?,
        },
    }))
}

fn button(update_id: Option<i64>, query: &CallbackQuery, agents_chat: Option<i64>) -> Option<Inbound> {
    let chat_id = query.message.as_ref().map_or(user_chat(&query.from), |message| message.chat().id.0);
    if chat_id < 0 {
        // Buttons in groups belong to the agents' desk, and only in its group.
        if Some(chat_id) != agents_chat {
            return None;
        }
        return Some(Inbound::Agents(AgentIncoming {
            update_id,
            channel: CHANNEL,
            chat_id,
            thread_id: None,
            reply_to: None,
            user_id: i64::try_from(query.from.id.0).unwrap_or_default(),
            display_name: query.from.full_name(),
            input: AgentInput::Button {
                data: query.data.clone().unwrap_or_default(),
                callback_id: query.id.0.clone(),
                message_id: query.message.as_ref().map(|message| message.id().0),
            },
        }));
    }
    Some(Inbound::Customer(Incoming {
        update_id,
        identity: identity(&query.from, chat_id),
        input: button_input(query),
        message: None,
    }))
}

fn identity(user: &User, chat_id: i64) -> Identity {
    Identity {
        channel: CHANNEL,
        external_id: user.id.0.to_string(),
        chat_id,
        first_name: user.first_name.clone(),
        language_code: user.language_code.clone(),
    }
}

fn user_chat(user: &User) -> i64 {
    i64::try_from(user.id.0).unwrap_or_default()
}

/// How the message would be relayed; `None` for service messages (a topic
/// created, a member joined …), which are nobody's words.
fn message_ref(message: &Message, edited: bool) -> Option<MessageRef> {
    let album = |kind, file_id: &str| {
        message.media_group_id().map(|group| (group.0.clone(), AlbumItem { kind, file_id: file_id.to_owned() }))
    };
    let (relay, media) = if message.text().is_some() || message.contact().is_some() {
        (Relay::Copy { album: None }, false)
    } else if let Some(largest) = message.photo().and_then(<[_]>::last) {
        (Relay::Copy { album: album(AlbumKind::Photo, &largest.file.id.0) }, true)
    } else if let Some(video) = message.video() {
        (Relay::Copy { album: album(AlbumKind::Video, &video.file.id.0) }, true)
    } else if let Some(document) = message.document() {
        (Relay::Copy { album: album(AlbumKind::Document, &document.file.id.0) }, true)
    } else if message.voice().is_some()
        || message.audio().is_some()
        || message.animation().is_some()
        || message.video_note().is_some()
    {
        (Relay::Copy { album: None }, true)
    } else if let Some(sticker) = message.sticker() {
        (Relay::Describe(Described::Sticker { emoji: sticker.emoji.clone() }), false)
    } else if message.location().is_some() || message.venue().is_some() {
        (Relay::Describe(Described::Location), false)
    } else if message.poll().is_some() {
        (Relay::Describe(Described::Poll), false)
    } else if message.from.is_some() && message.dice().is_some() {
        (Relay::Describe(Described::Other), false)
    } else {
        return None;
    };
    let edited = edited.then(|| message.text().or(message.caption()).unwrap_or_default().to_owned());
    Some(MessageRef { message_id: message.id.0, relay, media, edited })
}

fn message_input(message: &Message, from: &User) -> Input {
    let media_group_id = message.media_group_id().map(|id| id.0.clone());
    let media = |kind, id: &teloxide::types::FileMeta| Input::Media {
        kind,
        file_id: id.id.0.clone(),
        file_unique_id: id.unique_id.0.clone(),
        media_group_id: media_group_id.clone(),
        stored: None,
        caption: message.caption().map(str::to_owned),
    };
    if let Some(text) = message.text() {
        return match Command::parse(text) {
            Some(command) => Input::Command(command),
            None => Input::Text(text.to_owned()),
        };
    }
    // Telegram sends several sizes of one photo; the largest is last.
    if let Some(largest) = message.photo().and_then(<[_]>::last) {
        return media(MediaKind::Photo, &largest.file);
    }
    if let Some(video) = message.video() {
        return media(MediaKind::Video, &video.file);
    }
    // Whatever a file claims to be, its content decides (`downloads::check`).
    if let Some(document) = message.document() {
        return media(MediaKind::ImageFile, &document.file);
    }
    if let Some(contact) = message.contact() {
        return Input::Contact { phone: contact.phone_number.clone(), own: contact.user_id == Some(from.id) };
    }
    Input::Unsupported
}

fn button_input(query: &CallbackQuery) -> Input {
    Input::Button {
        data: query.data.clone().unwrap_or_default(),
        callback_id: Some(query.id.0.clone()),
        message_id: query.message.as_ref().map(|message| message.id().0),
    }
}
