//! The terminal channel: the same desk as Telegram, with lines from stdin
//! and replies on stdout. Buttons are shown numbered; typing the number or
//! (part of) the label presses it. `/photo PATH…` sends a photo or video
//! (checked by its content, as Telegram's are), or several as one album
//! (`-- WORDS` after the paths is its caption), `/contact PHONE` shares a
//! phone number, `/sticker` sends something that is not a photo.
//! Works from a pipe, so a whole conversation can be scripted. Follow-ups
//! reach the terminal customer too: `app` runs the same background as for
//! `serve`, and their replies are printed as they are queued.

use std::io::Write;
use std::path::Path;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio::sync::{Notify, watch};

use crate::case::{CaseId, MediaKind, StoredFile};
use crate::catalogue::{self, Msg};
use crate::conversation::{Command, Input, Step};
use crate::desk::{Desk, Incoming};
use crate::lang::Lang;
use crate::media::{self, EvidenceError};
use crate::outgoing::{AlbumItem, AlbumKind, ButtonSpec, Keyboard, Outgoing};
use crate::store::customers::{self, Identity};
use crate::store::{StoreError, outbox};
use crate::typed::{self, Picked};

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

/// The person at the terminal, by their login name if there is one. Without
/// one they are greeted without a name, never by a placeholder.
pub fn identity(user: Option<&str>, language_code: Option<String>) -> Identity {
    let name = user.map(str::trim).filter(|name| !name.is_empty());
    Identity {
        channel: CHANNEL,
        external_id: name.unwrap_or("terminal").to_owned(),
        chat_id: CHAT_ID,
        first_name: name.unwrap_or_default().to_owned(),
        language_code,
    }
}

/// The customer's language, as the desk last stored it.
async fn language(desk: &Desk, identity: &Identity) -> Result<Lang, TerminalError> {
    let mut conn = desk.store().read().await?;
    let customer = customers::find(&mut conn, identity).await?;
    Ok(customer.map_or(desk.config().shop.default_language, |customer| customer.conversation.lang))
}

/// Shows the last question again when the customer left a conversation mid-way.
async fn resume<W: Write>(desk: &Desk, identity: &Identity, screen: &mut Screen<W>) -> Result<(), TerminalError> {
    let mut conn = desk.store().read().await?;
    let Some(customer) = customers::find(&mut conn, identity).await? else {
        return Ok(());
    };
    if customer.conversation.step == Step::Menu {
        return Ok(());
    }
    if let Some(Outgoing::Send { text, keyboard } | Outgoing::Edit { text, keyboard, .. }) =
        outbox::last_sent_message(&mut conn, CHANNEL, identity.chat_id).await?
    {
        screen.message(&text, &keyboard)?;
    }
    Ok(())
}

/// What a typed line means: the inputs for the desk (one, or an album's
/// files), and local problems told to the person at the terminal rather
/// than to the desk (a photo file that cannot be read).
struct Line {
    inputs: Vec<Input>,
    problems: Vec<Problem>,
}

enum Problem {
    /// Something the customer can fix, said in their language.
    Told(Msg),
    /// The media folder cannot be written: the shop's problem, in its words.
    Store(String),
}

fn read_line(desk: &Desk, line: &str, buttons: &[ButtonSpec]) -> Line {
    let trimmed = line.trim();
    let input = |input| Line { inputs: vec![input], problems: Vec::new() };
    if let Some(paths) = trimmed.strip_prefix("/photo ") {
        return photos(desk, paths);
    }
    if let Some(phone) = trimmed.strip_prefix("/contact ") {
        return input(Input::Contact { phone: phone.trim().to_owned(), own: true });
    }
    if trimmed == "/sticker" {
        return input(Input::Unsupported);
    }
    // A number out of range goes on as text: the desk says which numbers there are.
    // A case id alone is read by the conversation, as on Telegram, not as the
    // button whose label merely names the case ("Add to AS-1001").
    let case_id = CaseId::parse(&typed::normalise(trimmed)).is_some();
    if !case_id
        && let Picked::Button(index) =
            typed::pick(trimmed, &buttons.iter().map(|b| b.label.as_str()).collect::<Vec<_>>())
        && let Some(button) = buttons.get(index)
    {
        return input(Input::Button { data: button.data.clone(), callback_id: None, message_id: None });
    }
    input(match Command::parse(trimmed) {
        Some(command) => Input::Command(command),
        None => Input::Text(line.to_owned()),
    })
}

/// `/photo a.jpg b.jpg -- the glaze is cracked`: the files as one album
/// (as Telegram delivers one: a file per input, one group id), the words
/// after `--` as its caption. A path with spaces works on its own. Each
/// file is checked by its content like a Telegram download: one that is
/// not a photo or video goes to the desk as such, and is not stored; one
/// that cannot be read is told here, and the album's others still count.
fn photos(desk: &Desk, typed: &str) -> Line {
    let (paths, caption) = match typed.split_once(" -- ") {
        Some((paths, caption)) => (paths.trim(), Some(caption.trim().to_owned())),
        None => (typed.trim(), None),
    };
    let paths: Vec<&str> = match Path::new(paths).is_file() {
        true => vec![paths],
        false => paths.split_whitespace().collect(),
    };
    let mut line = Line { inputs: Vec::new(), problems: Vec::new() };
    let mut files = Vec::new();
    for path in &paths {
        match photo(desk, path) {
            Ok(Some(file)) => files.push(file),
            Ok(None) => line.inputs.push(Input::NotEvidence),
            Err(problem) => line.problems.push(problem),
        }
    }
    // An album's group id: its first photo's content, as unique as the album.
    let album = match (paths.len(), files.first()) {
        (2.., Some((first, _))) => Some(format!("local:{}", first.sha256)),
        _ => None,
    };
    line.inputs.extend(files.into_iter().enumerate().map(|(index, (stored, kind))| Input::Media {
        kind,
        file_id: format!("local:{}", stored.sha256),
        file_unique_id: stored.sha256.clone(),
        media_group_id: album.clone(),
        caption: caption.clone().filter(|_| index == 0),
        stored: Some(stored),
    }));
    line
}

/// The file at `path` in the media folder, or `None` when it is not a photo or video.
fn photo(desk: &Desk, path: &str) -> Result<Option<(StoredFile, MediaKind)>, Problem> {
    let media_settings = &desk.config().media;
    let unreadable = || Problem::Told(Msg::PhotoUnreadable { path: path.to_owned() });
    let size = std::fs::metadata(path).map_err(|_| unreadable())?.len();
    if size > media_settings.max_bytes {
        let max_mb = media_settings.max_bytes.div_ceil(1024 * 1024);
        return Err(Problem::Told(Msg::PhotoTooLarge { path: path.to_owned(), max_mb }));
    }
    let bytes = std::fs::read(path).map_err(|_| unreadable())?;
    match media::store_evidence(Path::new(&media_settings.dir), &bytes) {
        Ok((stored, sniffed)) => {
            let kind = if sniffed.kind.is_video() { MediaKind::Video } else { MediaKind::Photo };
            Ok(Some((stored, kind)))
        }
        Err(EvidenceError::NotEvidence(_)) => Ok(None),
        Err(EvidenceError::Io(error)) => Err(Problem::Store(format!("cannot store {path}: {error}"))),
    }
}

/// The terminal's output and the buttons of the newest question.
pub struct Screen<W> {
    output: W,
    buttons: Vec<ButtonSpec>,
    /// A person types at a real terminal: show a prompt rather than echo.
    prompt: bool,
}

impl<W: Write> Screen<W> {
    pub fn new(output: W, prompt: bool) -> Screen<W> {
        Screen { output, buttons: Vec::new(), prompt }
    }

    /// Reads lines until the end of input (or the shutdown), answering each.
    /// Every reply a line caused is printed before the next line is read,
    /// and what the background queues meanwhile (follow-ups, pushed events)
    /// is printed when `wake` says so. In a real terminal (`prompt`) a `you>`
    /// prompt waits for each line; from a pipe each line is echoed after
    /// `you>`, so the output reads as a dialogue.
    pub async fn converse<R>(
        &mut self,
        desk: &Desk,
        identity: &Identity,
        input: R,
        wake: &Notify,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<(), TerminalError>
    where
        R: AsyncBufRead + Unpin,
    {
        let mut lines = input.lines();
        // Anything left in the outbox from an earlier run is shown first; with
        // nothing new, a conversation left mid-way shows its question again.
        if self.show(desk).await? == 0 {
            resume(desk, identity, self).await?;
        }
        loop {
            self.ask()?;
            let line = tokio::select! {
                line = lines.next_line() => match line? {
                    Some(line) => line,
                    None => return Ok(()),
                },
                () = wake.notified() => {
                    self.interrupt()?;
                    self.show(desk).await?;
                    continue;
                }
                _ = shutdown.changed() => return Ok(()),
            };
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            self.echo(line)?;
            let Line { inputs, problems } = read_line(desk, line, &self.buttons);
            if !problems.is_empty() {
                let lang = language(desk, identity).await?;
                for problem in problems {
                    let text = match problem {
                        Problem::Told(msg) => catalogue::render(lang, &msg),
                        Problem::Store(error) => error,
                    };
                    writeln!(self.output, "  ! {text}")?;
                }
            }
            let help = matches!(inputs.as_slice(), [Input::Command(Command::Help)]);
            for input in inputs {
                let incoming = Incoming { update_id: None, identity: identity.clone(), input, message: None };
                desk.handle(incoming, desk.now()).await?;
            }
            self.show(desk).await?;
            if help {
                // Telegram has buttons for these; the terminal has commands.
                let lang = language(desk, identity).await?;
                writeln!(self.output, "  ({})", catalogue::render(lang, &Msg::TerminalCommands))?;
            }
        }
    }

    /// Prints and marks as sent everything the outbox holds for the
    /// terminal, in order; returns how many rows it printed.
    pub async fn show(&mut self, desk: &Desk) -> Result<usize, TerminalError> {
        let mut tx = desk.store().write().await?;
        let mut shown = 0;
        loop {
            // The terminal has no rate limits and no album pauses: everything queued is due.
            // `due` gives the oldest row of the chat; ask again until none is left.
            let queued = outbox::due(&mut tx, CHANNEL, desk.now() + chrono::Duration::days(1), u32::MAX, &[]).await?;
            if queued.is_empty() {
                break;
            }
            for item in &queued {
                self.print(&item.payload)?;
                shown += 1;
            }
            let shown_rows: Vec<_> =
                queued.iter().map(|item| outbox::Delivered { id: item.id, message_id: None, at: desk.now() }).collect();
            outbox::mark_sent(&mut tx, &shown_rows).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        self.output.flush()?;
        Ok(shown)
    }

    fn print(&mut self, payload: &Outgoing) -> std::io::Result<()> {
        match payload {
            Outgoing::Send { text, keyboard } | Outgoing::Edit { text, keyboard, .. } => self.message(text, keyboard),
            Outgoing::AnswerButton { notice: Some(notice), .. } => writeln!(self.output, "  ({notice})"),
            Outgoing::AnswerButton { notice: None, .. } => Ok(()),
            Outgoing::Copy { caption, .. } => {
                let line = caption.as_ref().map_or_else(|| "[message]".to_owned(), |c| format!("[message] {c}"));
                self.message(&line, &Keyboard::None)
            }
            Outgoing::Album { items, caption } => self.message(&album_line(items, caption.as_deref()), &Keyboard::None),
            Outgoing::Document { file_name, .. } => self.message(&format!("[file] {file_name}"), &Keyboard::None),
            Outgoing::EditCopy { text, .. } => writeln!(self.output, "  (edited: {text})"),
            // The terminal has no agents' group, so no topics or cards.
            Outgoing::Card | Outgoing::TopicState { .. } => Ok(()),
        }
    }

    fn message(&mut self, text: &str, keyboard: &Keyboard) -> std::io::Result<()> {
        let mut lines = text.lines();
        writeln!(self.output, "bot> {}", lines.next().unwrap_or_default())?;
        for line in lines {
            writeln!(self.output, "     {line}")?;
        }
        match keyboard {
            Keyboard::Inline { rows } => {
                self.buttons = rows.iter().flatten().cloned().collect();
                for (number, button) in self.buttons.iter().enumerate() {
                    writeln!(self.output, "  [{}] {}", number + 1, button.label)?;
                }
            }
            Keyboard::ShareContact { label } => writeln!(self.output, "  [{label}: type /contact PHONE]")?,
            Keyboard::None | Keyboard::Remove => {}
        }
        Ok(())
    }

    /// The prompt, in a real terminal.
    fn ask(&mut self) -> std::io::Result<()> {
        if self.prompt {
            write!(self.output, "you> ")?;
            self.output.flush()?;
        }
        Ok(())
    }

    /// Leaves the prompt's line before a message that came unprompted.
    fn interrupt(&mut self) -> std::io::Result<()> {
        if self.prompt { writeln!(self.output) } else { Ok(()) }
    }

    /// A piped line, shown as typed.
    fn echo(&mut self, line: &str) -> std::io::Result<()> {
        if self.prompt { Ok(()) } else { writeln!(self.output, "you> {line}") }
    }
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

#[cfg(test)]
mod tests {
    use super::identity;
    use crate::catalogue::{Msg, render};
    use crate::lang::Lang;

    #[test]
    fn a_terminal_without_a_login_name_is_greeted_without_a_placeholder() {
        let nameless = identity(None, None);
        let greeting = Msg::Greeting { name: nameless.first_name.clone(), shop: String::new() };
        assert!(render(Lang::Zh, &greeting).starts_with("您好！"), "{}", render(Lang::Zh, &greeting));
        assert!(!render(Lang::En, &greeting).contains("customer"));
        assert_eq!(identity(Some("  "), None), nameless);
        assert_eq!(identity(Some("lin"), None).first_name, "lin");
    }
}
