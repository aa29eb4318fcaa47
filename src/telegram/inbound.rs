//! Telegram updates turned into the conversation's inputs. Only private
//! chats are customers; updates the desk has no use for are skipped.

use teloxide::types::{CallbackQuery, Message, Update, UpdateKind, User};

use crate::case::MediaKind;
use crate::conversation::{Command, Input};
use crate::desk::Incoming;
use crate::store::customers::Identity;

pub const CHANNEL: &str = "telegram";

/// The desk's view of an update, or `None` for updates it ignores.
pub fn incoming(update: &Update) -> Option<Incoming> {
    let update_id = Some(i64::from(update.id.0));
    match &update.kind {
        UpdateKind::Message(message) if message.chat.is_private() => {
            let from = message.from.as_ref()?;
            Some(Incoming {
                update_id,
                identity: identity(from, message.chat.id.0),
                input: message_input(message, from),
            })
        }
        UpdateKind::CallbackQuery(query) => {
            let chat_id = query.message.as_ref().map_or(user_chat(&query.from), |message| message.chat().id.0);
            // Buttons in groups belong to the agents' desk, not to customers.
            if chat_id < 0 {
                return None;
            }
            Some(Incoming { update_id, identity: identity(&query.from, chat_id), input: button_input(query) })
        }
        _ => None,
    }
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

fn message_input(message: &Message, from: &User) -> Input {
    let media_group_id = message.media_group_id().map(|id| id.0.clone());
    let media = |kind, id: &teloxide::types::FileMeta| Input::Media {
        kind,
        file_id: id.id.0.clone(),
        file_unique_id: id.unique_id.0.clone(),
        media_group_id: media_group_id.clone(),
        stored: None,
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
    if let Some(document) = message.document() {
        let is_image = document.mime_type.as_ref().is_some_and(|mime| mime.type_() == "image");
        return if is_image { media(MediaKind::ImageFile, &document.file) } else { Input::Unsupported };
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
