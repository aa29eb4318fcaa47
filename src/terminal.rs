//! The terminal channel: the same desk as Telegram, with lines from stdin
//! and replies on stdout. Buttons are shown numbered; typing the number or
//! the label presses it. `/photo PATH` sends a photo, `/contact PHONE`
//! shares a phone number, `/sticker` sends something that is not a photo.
//! Works from a pipe, so a whole conversation can be scripted.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::case::MediaKind;
use crate::conversation::{Command, Input};
use crate::desk::{Desk, Incoming};
use crate::media;
use crate::outgoing::{AlbumItem, AlbumKind, ButtonSpec, Keyboard, Outgoing};
use crate::store::customers::Identity;
use crate::store::{StoreError, outbox};

pub const CHANNEL: &str = "terminal";
/// The terminal has one chat.
const CHAT_ID: i64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("terminal input/output failed: {0}")]
    Io(#[from] std::io::Error),
}

/// The person at the terminal.
pub fn identity(user: &str, language_code: Option<String>) -> Identity {
    Identity {
        channel: CHANNEL,
        external_id: user.to_owned(),
        chat_id: CHAT_ID,
        first_name: user.to_owned(),
        language_code,
    }
}

/// Reads lines until end of input, answering each.
pub async fn run<R, W>(desk: &Desk, identity: Identity, input: R, mut output: W) -> Result<(), TerminalError>
where
    R: AsyncBufRead + Unpin,
    W: Write,
{
    let mut lines = input.lines();
    let mut buttons: Vec<ButtonSpec> = Vec::new();
    // Anything left in the outbox from an earlier run is shown first.
    show_replies(desk, &mut output, &mut buttons).await?;
    while let Some(line) = lines.next_line().await? {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        writeln!(output, "you> {line}")?;
        let input = match read_line(desk, line, &buttons) {
            Ok(input) => input,
            Err(problem) => {
                writeln!(output, "  ! {problem}")?;
                continue;
            }
        };
        desk.handle(Incoming { update_id: None, identity: identity.clone(), input, message: None }, Utc::now()).await?;
        show_replies(desk, &mut output, &mut buttons).await?;
    }
    Ok(())
}

/// What a typed line means. An `Err` is a local problem (a photo file that
/// cannot be read) told to the person at the terminal, not to the desk.
fn read_line(desk: &Desk, line: &str, buttons: &[ButtonSpec]) -> Result<Input, String> {
    let trimmed = line.trim();
    if let Some(path) = trimmed.strip_prefix("/photo ") {
        return photo(desk, Path::new(path.trim()));
    }
    if let Some(phone) = trimmed.strip_prefix("/contact ") {
        return Ok(Input::Contact { phone: phone.trim().to_owned(), own: true });
    }
    if trimmed == "/sticker" {
        return Ok(Input::Unsupported);
    }
    let pressed = trimmed
        .parse::<usize>()
        .ok()
        .and_then(|number| number.checked_sub(1))
        .and_then(|index| buttons.get(index))
        .or_else(|| buttons.iter().find(|button| loose(&button.label) == loose(trimmed)));
    if let Some(button) = pressed {
        return Ok(Input::Button { data: button.data.clone(), callback_id: None, message_id: None });
    }
    Ok(match Command::parse(trimmed) {
        Some(command) => Input::Command(command),
        None => Input::Text(line.to_owned()),
    })
}

/// A label as typed: letters and digits only, so "done" presses "Done ✓".
fn loose(label: &str) -> String {
    label.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn photo(desk: &Desk, path: &Path) -> Result<Input, String> {
    let media_settings = &desk.config().media;
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > media_settings.max_bytes {
        return Err(format!("{} is larger than the {}-byte limit", path.display(), media_settings.max_bytes));
    }
    let extension = media::extension_of(&path.display().to_string()).to_owned();
    let stored = media::store_bytes(Path::new(&media_settings.dir), &bytes, &extension)
        .map_err(|error| format!("cannot store {}: {error}", path.display()))?;
    Ok(Input::Media {
        kind: MediaKind::Photo,
        file_id: format!("local:{}", stored.sha256),
        file_unique_id: stored.sha256.clone(),
        media_group_id: None,
        stored: Some(stored),
    })
}

/// Prints and marks as sent everything the outbox holds for the terminal.
async fn show_replies<W: Write>(
    desk: &Desk,
    output: &mut W,
    buttons: &mut Vec<ButtonSpec>,
) -> Result<(), TerminalError> {
    let mut tx = desk.store().write().await?;
    // The terminal has no rate limits and no album pauses: everything queued is due.
    let queued = outbox::due(&mut tx, CHANNEL, Utc::now() + chrono::Duration::days(1), u32::MAX).await?;
    for item in &queued {
        match &item.payload {
            Outgoing::Send { text, keyboard } | Outgoing::Edit { text, keyboard, .. } => {
                print_message(output, text, keyboard, buttons)?;
            }
            Outgoing::AnswerButton { notice: Some(notice), .. } => writeln!(output, "  ({notice})")?,
            Outgoing::AnswerButton { notice: None, .. } => {}
            Outgoing::Copy { caption, .. } => {
                let line = caption.as_ref().map_or_else(|| "[message]".to_owned(), |c| format!("[message] {c}"));
                print_message(output, &line, &Keyboard::None, buttons)?;
            }
            Outgoing::Album { items, caption } => {
                print_message(output, &album_line(items, caption.as_deref()), &Keyboard::None, buttons)?;
            }
            Outgoing::EditCopy { text, .. } => writeln!(output, "  (edited: {text})")?,
            // The terminal has no agents' group, so no topics or cards.
            Outgoing::Card | Outgoing::TopicState { .. } => {}
        }
        outbox::mark_sent(&mut tx, item.id, None, Utc::now()).await?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    output.flush()?;
    Ok(())
}

/// An album as one line, e.g. "[photo ×3] caption".
fn album_line(items: &[AlbumItem], caption: Option<&str>) -> String {
    let kind = |item: &AlbumItem| match item.kind {
        AlbumKind::Photo => "photo",
        AlbumKind::Video => "video",
        AlbumKind::Document => "file",
    };
    let kinds: Vec<&str> = items.iter().map(kind).collect();
    let first = kinds.first().copied().unwrap_or("media");
    let label = if kinds.iter().all(|k| *k == first) { first } else { "media" };
    let mut line = format!("[{label} ×{}]", items.len());
    if let Some(caption) = caption {
        line.push(' ');
        line.push_str(caption);
    }
    line
}

fn print_message<W: Write>(
    output: &mut W,
    text: &str,
    keyboard: &Keyboard,
    buttons: &mut Vec<ButtonSpec>,
) -> std::io::Result<()> {
    let mut lines = text.lines();
    writeln!(output, "bot> {}", lines.next().unwrap_or_default())?;
    for line in lines {
        writeln!(output, "     {line}")?;
    }
    match keyboard {
        Keyboard::Inline { rows } => {
            *buttons = rows.iter().flatten().cloned().collect();
            for (number, button) in buttons.iter().enumerate() {
                writeln!(output, "  [{}] {}", number + 1, button.label)?;
            }
        }
        Keyboard::ShareContact { label } => writeln!(output, "  [{label}: type /contact PHONE]")?,
        Keyboard::None | Keyboard::Remove => {}
    }
    Ok(())
}
