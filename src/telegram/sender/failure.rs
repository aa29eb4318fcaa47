//! Failures: what a failed Bot API call means for its row ([`classify`]),
//! and how long a retry waits ([`backoff`]).

use std::time::Duration;

use teloxide::{ApiError, RequestError};

use super::plan::Call;

/// The first retry waits this long; each further one twice as long, up to …
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// … this, for the first [`QUICK_RETRIES`]: Telegram's 5xx and dropped
/// connections mostly pass within seconds, and the customer should hear
/// back within seconds of that, not at the next step of a long backoff.
const QUICK_BACKOFF: Duration = Duration::from_secs(2);
/// About a minute of quick retries; a fault that outlasts them is an
/// outage, and the retries go on doubling up to …
const QUICK_RETRIES: u32 = 30;
/// … this.
pub(super) const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// A row whose retries have waited this long in all fails for good: the
/// reply is stale by then, it holds back its chat's newer replies, and the
/// agents' group is told (see `Sender::with_alerts`).
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(6 * 3600);

/// What to do with a row after a failed call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// It did what it should (an edit that changed nothing, a topic already
    /// in the wanted state, an answer that arrived but was unreadable and
    /// said `ok`).
    Sent,
    /// Transient: try again after [`backoff`]. `maybe_delivered` when
    /// Telegram may have executed it anyway (timeout, 5xx).
    Retry { maybe_delivered: bool },
    /// 429: pause the chat this long and retry, not counted as a failure.
    Paused(Duration),
    /// Telegram will never accept it.
    Failed,
    /// The message to edit (or pin) is gone or too old: an `Edit` row is
    /// sent as a new message, a topic's card is posted again.
    SendAsNew,
    /// The group became a supergroup with this chat id: send there.
    Moved(i64),
    /// The forum topic is gone (deleted by hand): create it again.
    ThreadGone,
    /// The forum topic is closed: reopen it, then send.
    TopicClosed,
}

/// Descriptions of 4xx answers. teloxide drops the HTTP status, so an
/// unrecognised description is judged by its prefix; anything else
/// ("Internal Server Error", "Bad Gateway", …) is taken as transient.
const PERMANENT_PREFIXES: [&str; 6] =
    ["Bad Request", "Forbidden", "Unauthorized", "Not Found", "Conflict", "Request Entity Too Large"];

/// What Telegram says about a thread that no longer exists (teloxide has no
/// variants for these; they arrive as `ApiError::Unknown`).
const THREAD_GONE: [&str; 3] = ["message thread not found", "TOPIC_DELETED", "TOPIC_ID_INVALID"];

/// Sorts a failed call's error into what to do with its row.
pub fn classify(error: &RequestError, call: Call) -> Disposition {
    match error {
        RequestError::RetryAfter(seconds) => Disposition::Paused(seconds.duration()),
        RequestError::MigrateToChatId(chat) => Disposition::Moved(chat.0),
        // A refused connection never reached Telegram; anything later might have.
        RequestError::Network(error) => Disposition::Retry { maybe_delivered: !error.is_connect() },
        RequestError::InvalidJson { raw, .. } if delivered(raw).is_some() => Disposition::Sent,
        // Typically an HTML page from a proxy in front of a failing server.
        RequestError::InvalidJson { .. } | RequestError::Io(_) => Disposition::Retry { maybe_delivered: true },
        RequestError::Api(api) => match (api, call) {
            (ApiError::MessageNotModified, Call::Edit) => Disposition::Sent,
            (
                ApiError::MessageToEditNotFound | ApiError::MessageCantBeEdited | ApiError::MessageIdInvalid,
                Call::Edit,
            ) => Disposition::SendAsNew,
            // The bot's configuration is wrong, not the reply: keep it for a fixed restart.
            (ApiError::InvalidToken, _) => Disposition::Retry { maybe_delivered: false },
            (ApiError::Unknown(description), call) => {
                if THREAD_GONE.iter().any(|gone| description.contains(gone)) {
                    Disposition::ThreadGone
                } else if description.contains("TOPIC_CLOSED") && call == Call::Send {
                    Disposition::TopicClosed
                } else if description.contains("TOPIC_NOT_MODIFIED") && call == Call::Topic {
                    Disposition::Sent
                } else if description.contains("message to pin not found") && call == Call::Pin {
                    Disposition::SendAsNew
                } else if PERMANENT_PREFIXES.iter().any(|prefix| description.starts_with(prefix)) {
                    Disposition::Failed
                } else {
                    Disposition::Retry { maybe_delivered: true }
                }
            }
            // Every other known description is a 4xx: blocked, chat not found,
            // "query is too old" for a callback answer, text too long, …
            _ => Disposition::Failed,
        },
    }
}

/// For an answer teloxide could not parse: `Some(id if any)` when Telegram
/// said it executed the call. The id is a message's (the first of an
/// album) or a created topic's thread.
pub(super) fn delivered(raw: &str) -> Option<Option<i32>> {
    let value: serde_json::Value = serde_json::from_str(raw).ok()?;
    if value.get("ok")? != &serde_json::Value::Bool(true) {
        return None;
    }
    let id = ["/result/message_id", "/result/0/message_id", "/result/message_thread_id"]
        .iter()
        .find_map(|pointer| value.pointer(pointer).and_then(serde_json::Value::as_i64));
    Some(id.and_then(|id| i32::try_from(id).ok()))
}

/// The wait before retry number `attempts + 1`: 1 s, then 2 s for about a
/// minute, then 4 s, 8 s … capped at 60 s.
pub fn backoff(attempts: u32) -> Duration {
    match attempts.checked_sub(QUICK_RETRIES) {
        None => crate::backoff::exponential(attempts, FIRST_BACKOFF, QUICK_BACKOFF),
        Some(later) => crate::backoff::exponential(later.saturating_add(1), QUICK_BACKOFF, MAX_BACKOFF),
    }
}

/// Whether a row that failed `attempts` times has been retried long
/// enough: its waits add up to [`GIVE_UP_AFTER`].
pub fn given_up(attempts: u32) -> bool {
    let mut waited = Duration::ZERO;
    for attempt in 0..attempts {
        waited += backoff(attempt);
        if waited >= GIVE_UP_AFTER {
            return true;
        }
    }
    false
}
