//! A reply rendered for a channel, as it waits in the outbox: plain text and
//! a keyboard, already in the customer's language. Channels know how to
//! deliver it; nothing here knows Telegram's types.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outgoing {
    /// A new message in the chat.
    Send { text: String, keyboard: Keyboard },
    /// Replace the text and buttons of a message the bot sent earlier (the
    /// question whose button was pressed). If the message can no longer be
    /// edited, the sender sends it as a new message instead.
    Edit { message_id: i32, text: String, keyboard: Keyboard },
    /// Stop the spinner on a pressed button, optionally with a short notice.
    AnswerButton { callback_id: String, notice: Option<String> },
    /// A copy of a message someone sent the bot (text, photo, document, …),
    /// without "forwarded from"; `caption` replaces a media message's caption.
    Copy { from_chat_id: i64, message_id: i32, caption: Option<String> },
    /// Photos, videos or files sent again by their Telegram file ids, as one
    /// album (a relayed album, or a case's evidence).
    Album { items: Vec<AlbumItem>, caption: Option<String> },
    /// A file the bot wrote (a report's page), uploaded from `path` under
    /// `file_name`.
    Document { path: String, file_name: String, caption: Option<String> },
    /// Change an earlier relayed message (sent by outbox row `outbox_id`) to
    /// mirror an edit of its original: new text, or a media message's caption.
    EditCopy { outbox_id: i64, text: String, media: bool },
    /// Bring the case card of the row's topic up to date: edited in place,
    /// or posted (and pinned) if the topic has none yet. The text is read
    /// from the topic at send time, so the newest version always wins.
    Card,
    /// Close or reopen the row's forum topic.
    TopicState { open: bool },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbumItem {
    pub kind: AlbumKind,
    pub file_id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlbumKind {
    Photo,
    Video,
    Document,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Keyboard {
    /// No keyboard change.
    None,
    /// Buttons under the message, in rows.
    Inline { rows: Vec<Vec<ButtonSpec>> },
    /// A one-tap "share my phone number" button in place of the keyboard.
    ShareContact { label: String },
    /// Take away a reply keyboard shown earlier.
    Remove,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonSpec {
    pub label: String,
    /// Callback data, at most 64 bytes (Telegram's limit).
    pub data: String,
}

impl Outgoing {
    /// Whether Telegram counts this against its message rate limits.
    pub fn is_message(&self) -> bool {
        matches!(
            self,
            Outgoing::Send { .. } | Outgoing::Copy { .. } | Outgoing::Album { .. } | Outgoing::Document { .. }
        )
    }
}

/// Telegram's limit on a message's text, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;

/// Splits a text that is too long for one message at paragraph or line
/// breaks (or, for a single huge line, anywhere), keeping every character.
pub fn split_text(text: &str, max_chars: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for line in text.split_inclusive('\n') {
        let line_len = line.chars().count();
        if current_len + line_len > max_chars && current_len > 0 {
            pieces.push(std::mem::take(&mut current));
            current_len = 0;
        }
        if line_len > max_chars {
            let chars: Vec<char> = line.chars().collect();
            for chunk in chars.chunks(max_chars) {
                pieces.push(chunk.iter().collect());
            }
            continue;
        }
        current.push_str(line);
        current_len += line_len;
    }
    if !current.trim().is_empty() || pieces.is_empty() {
        pieces.push(current);
    }
    pieces.retain(|piece| !piece.trim().is_empty());
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_short_text_stays_whole() {
        assert_eq!(split_text("hello\n\nworld", 4096), vec!["hello\n\nworld".to_owned()]);
    }

    proptest! {
        #[test]
        fn split_pieces_fit_and_lose_nothing(text in "[a-z中文 \n]{1,300}", max in 5usize..50) {
            let pieces = split_text(&text, max);
            for piece in &pieces {
                prop_assert!(piece.chars().count() <= max);
            }
            let joined: String = pieces.concat();
            let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            prop_assert_eq!(strip(&joined), strip(&text));
        }
    }
}
