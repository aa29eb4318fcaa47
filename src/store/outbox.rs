//! The outbox: replies are written in the same transaction as the update
//! that caused them, and a sender per channel delivers them afterwards. A
//! reply is therefore never lost between "decided" and "sent", and never
//! sent for an update whose transaction rolled back.
//!
//! Rows are never deleted: they end `sent` or `failed` (with `last_error`),
//! or `replaced` when coalescing queued a newer version of the same reply
//! (other tables, such as `relays`, may still refer to them).
//!
//! Order within a chat: [`due`] and [`next_due_at`] only look at the oldest
//! pending row of each chat (its "head"), so a row that is backing off holds
//! back the rows queued after it for the same chat.
//!
//! Times are bound as `DateTime<Utc>`, which sqlx writes as RFC 3339 text in
//! one format ("…+00:00"), so comparing the text compares the instants.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use tokio::sync::{Notify, watch};

use crate::store::{Db, Dialect};

use super::{Store, StoreError, Tx, from_json, to_json};
use crate::outgoing::Outgoing;

/// A pending reply, as a sender sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    pub id: i64,
    pub channel: String,
    pub chat_id: i64,
    pub payload: Outgoing,
    /// Failed attempts so far (429 pauses do not count).
    pub attempts: u32,
    pub not_before: DateTime<Utc>,
    /// The forum topic (a `topics.key`) the row goes to, if any; the sender
    /// resolves it to a thread at send time.
    pub topic_key: Option<String>,
    /// When it was queued: a button's answer is only taken for a while after the press.
    pub created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct QueuedRow {
    id: i64,
    channel: String,
    chat_id: i64,
    payload: String,
    attempts: i64,
    not_before: DateTime<Utc>,
    topic_key: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<QueuedRow> for Queued {
    type Error = StoreError;

    fn try_from(row: QueuedRow) -> Result<Self, StoreError> {
        let attempts = u32::try_from(row.attempts)
            .map_err(|_| StoreError::Corrupt { what: "outbox attempts", detail: row.attempts.to_string() })?;
        Ok(Queued {
            id: row.id,
            channel: row.channel,
            chat_id: row.chat_id,
            payload: from_json("outbox payload", &row.payload)?,
            attempts,
            not_before: row.not_before,
            topic_key: row.topic_key,
            created_at: row.created_at,
        })
    }
}

/// Row `o` is pending on `?1` (the channel) and its chat's oldest pending
/// row. One probe of the `outbox_pending_by_chat` index per row looked at,
/// so a query in queue order stops after the rows it needs instead of
/// grouping the whole backlog by chat (migration 0008).
const HEAD: &str = "o.channel = ?1 AND o.status = 'pending' AND NOT EXISTS (
        SELECT 1 FROM outbox AS p WHERE p.channel = ?1 AND p.status = 'pending' AND p.chat_id = o.chat_id AND p.id < o.id)";

/// Queues a reply. Called inside the transaction that handles an update.
///
/// With a `coalesce_key`, a still-pending row with the same key is replaced
/// (it ends `replaced`; the new row goes to the back of its chat's queue): a photo album gets
/// one "received N photos" reply, re-queued by each photo with `not_before`
/// a short quiet time ahead. If the sender is delivering the old version at
/// that moment, both versions reach the customer, the newer one last; the
/// newer one is never lost.
pub async fn enqueue(
    tx: &mut Tx,
    channel: &str,
    chat_id: i64,
    payload: &Outgoing,
    coalesce_key: Option<&str>,
    not_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    enqueue_to_topic(tx, channel, chat_id, None, payload, coalesce_key, not_before, now).await
}

/// Like [`enqueue`], for a row that goes into the topic `topic_key` (a key
/// of the `topics` table) of `chat_id`, which must be the topic's chat.
/// The sender creates the topic and posts its card first if need be.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue_to_topic(
    tx: &mut Tx,
    channel: &str,
    chat_id: i64,
    topic_key: Option<&str>,
    payload: &Outgoing,
    coalesce_key: Option<&str>,
    not_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    if let Some(key) = coalesce_key {
        // Retire the old row rather than update it in place: a sender holding
        // it then finds it no longer pending and cannot mark the newer text
        // as sent. Not deleted, since other rows may refer to it.
        crate::store::query(
            "UPDATE outbox SET status = 'replaced', sent_at = ? WHERE coalesce_key = ? AND status = 'pending'",
        )
        .bind(now)
        .bind(key)
        .execute(tx)
        .await?;
    }
    let id = crate::store::query_scalar(
        "INSERT INTO outbox (channel, chat_id, topic_key, payload, coalesce_key, not_before, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(topic_key)
    .bind(to_json(payload))
    .bind(coalesce_key)
    .bind(not_before)
    .bind(now)
    .fetch_one(tx)
    .await?;
    Ok(id)
}

/// The rows that may go now, oldest first: pending, `not_before <= now`,
/// and the oldest pending row of their chat (so at most one per chat; call
/// again after settling them to get the next ones), but none of the chats
/// in `skip` (the sender's chats with a call in flight: their heads could
/// not go anyway, and reading them cost a round most of its time).
///
/// A row whose payload cannot be read is skipped and logged; it holds back
/// its chat's queue until someone looks at it, rather than stopping every
/// other chat.
pub async fn due(
    conn: &mut Db,
    channel: &str,
    now: DateTime<Utc>,
    limit: u32,
    skip: &[i64],
) -> Result<Vec<Queued>, StoreError> {
    // Named: without statistics SQLite would take `outbox_due` for the
    // `not_before` bound and sort every due row before the limit. The
    // skipped chats are one bound JSON array, so the statement stays the
    // same (and prepared) whatever their number; SQLite reads it into a
    // lookup table once, and tests it before the head probe. PostgreSQL
    // keeps statistics and has no index hints.
    let (hint, skipped) = match conn.dialect() {
        Dialect::Sqlite => ("INDEXED BY outbox_pending", "SELECT value FROM json_each(?4)"),
        Dialect::Postgres => ("", "SELECT value::bigint FROM json_array_elements_text(?4::json)"),
    };
    let rows: Vec<QueuedRow> = crate::store::query_as(format!(
        "SELECT o.id, o.channel, o.chat_id, o.payload, o.attempts, o.not_before, o.topic_key, o.created_at
         FROM outbox AS o {hint}
         WHERE {HEAD} AND o.not_before <= ?2 AND o.chat_id NOT IN ({skipped})
         ORDER BY o.id LIMIT ?3"
    ))
    .bind(channel)
    .bind(now)
    .bind(i64::from(limit))
    .bind(to_json(&skip))
    .fetch_all(conn)
    .await?;
    let mut queued = Vec::with_capacity(rows.len());
    for row in rows {
        let (id, chat_id) = (row.id, row.chat_id);
        match Queued::try_from(row) {
            Ok(row) => queued.push(row),
            Err(error) => {
                tracing::error!(id, chat_id, %error, "outbox row unreadable; its chat's replies are held")
            }
        }
    }
    Ok(queued)
}

/// The earliest `not_before` among the chats' head rows: when the sender
/// should look again. `None` when nothing is pending.
pub async fn next_due_at(conn: &mut Db, channel: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    let at = crate::store::query_scalar(format!(
        "SELECT o.not_before FROM outbox AS o WHERE {HEAD} ORDER BY o.not_before LIMIT 1"
    ))
    .bind(channel)
    .fetch_optional(conn)
    .await?;
    Ok(at)
}

/// Like [`next_due_at`], but only heads due strictly after `after`: the
/// ones due already are being handled, and the sender needs to know when
/// the next future one comes due.
pub async fn next_due_after(
    conn: &mut Db,
    channel: &str,
    after: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let at = crate::store::query_scalar(format!(
        "SELECT o.not_before FROM outbox AS o WHERE {HEAD} AND o.not_before > ?2 ORDER BY o.not_before LIMIT 1"
    ))
    .bind(channel)
    .bind(after)
    .fetch_optional(conn)
    .await?;
    Ok(at)
}

/// A request an earlier sender made: to which chat, a message or not, and
/// when its answer came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub chat_id: i64,
    pub message: bool,
    pub at: DateTime<Utc>,
}

/// Looked through for [`sent_since`]: more than Telegram lets a bot send in
/// the longest window it counts (30 a second for a minute).
const RECENT_ROWS: i64 = 5_000;

/// The requests of `channel` answered since `since`, oldest first, among
/// the newest rows (read by id, so the outbox's size does not matter).
pub async fn sent_since(conn: &mut Db, channel: &str, since: DateTime<Utc>) -> Result<Vec<Sent>, StoreError> {
    let rows: Vec<(i64, String, DateTime<Utc>)> = crate::store::query_as(
        "SELECT chat_id, payload, sent_at FROM
             (SELECT chat_id, payload, sent_at, status FROM outbox WHERE channel = ?1 ORDER BY id DESC LIMIT ?3) AS newest
         WHERE status = 'sent' AND sent_at >= ?2 ORDER BY sent_at",
    )
    .bind(channel)
    .bind(since)
    .bind(RECENT_ROWS)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(chat_id, payload, at)| {
            let payload: Outgoing = from_json("outbox payload", &payload)?;
            Ok(Sent { chat_id, message: payload.is_message(), at })
        })
        .collect()
}

/// Wakes `wake` whenever another instance queues replies, until `stop`
/// turns true: PostgreSQL notifies `aftersales_outbox` as such a
/// transaction commits (migration 0009). On SQLite one process queues and
/// sends, waking its sender itself: nothing to listen to.
pub async fn watch(store: Store, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    let Some(options) = store.postgres_options() else {
        let _ = stop.wait_for(|stop| *stop).await;
        return;
    };
    while !*stop.borrow() {
        tokio::select! {
            error = listen(options, &wake) => {
                tracing::warn!(%error, "not hearing of other instances' replies; listening again");
                tokio::select! {
                    () = tokio::time::sleep(LISTEN_AGAIN) => {}
                    _ = stop.changed() => {}
                }
            }
            _ = stop.changed() => {}
        }
    }
}

/// The channel migration 0009's trigger notifies.
const NOTIFIED: &str = "aftersales_outbox";
/// A listener that failed to connect tries again after this.
const LISTEN_AGAIN: std::time::Duration = std::time::Duration::from_secs(1);

/// Listens on a connection of its own until it fails; the error.
async fn listen(options: &PgConnectOptions, wake: &Notify) -> sqlx::Error {
    let listener = async {
        let pool = PgPoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(NOTIFIED).await?;
        Ok::<_, sqlx::Error>(listener)
    };
    let mut listener = match listener.await {
        Ok(listener) => listener,
        Err(error) => return error,
    };
    loop {
        // Woken at the start too (and after a lost connection, which the
        // next call re-establishes): what was queued meanwhile went unheard.
        wake.notify_one();
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => wake.notify_one(),
                Ok(None) => break,
                Err(error) => return error,
            }
        }
    }
}

/// A row Telegram (or the terminal) took: its message id, and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivered {
    pub id: i64,
    pub message_id: Option<i32>,
    pub at: DateTime<Utc>,
}

/// Rows in one UPDATE: a bound SQLite takes is 32,766, three a row.
const DELIVERED_AT_ONCE: usize = 500;

/// Marks rows delivered, in one statement per few hundred (the sender
/// settles the replies that came back together at once). A row no longer
/// pending (replaced by coalescing while it was in flight, or settled) is
/// left alone.
pub async fn mark_sent(conn: &mut Db, rows: &[Delivered]) -> Result<(), StoreError> {
    // SQLite names a VALUES list's columns itself; PostgreSQL is told them.
    let named = match conn.dialect() {
        Dialect::Sqlite => "v",
        Dialect::Postgres => "v(column1, column2, column3)",
    };
    for chunk in rows.chunks(DELIVERED_AT_ONCE) {
        let values = vec!["(?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "UPDATE outbox SET status = 'sent', message_id = v.column2, sent_at = v.column3
             FROM (VALUES {values}) AS {named} WHERE outbox.id = v.column1 AND outbox.status = 'pending'"
        );
        let mut query = crate::store::query(&sql);
        for row in chunk {
            query = query.bind(row.id).bind(row.message_id).bind(row.at);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Counts a failed attempt and puts the row back until `not_before`.
pub async fn retry_later(conn: &mut Db, id: i64, error: &str, not_before: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?, not_before = ?
         WHERE id = ? AND status = 'pending'",
    )
    .bind(error)
    .bind(not_before)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives up on a row for good (e.g. a 4xx Telegram will never accept). The
/// row stays in the table with its error; `sent_at` records when it left
/// the queue, since the table has no separate column for that.
pub async fn mark_failed(conn: &mut Db, id: i64, error: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let done = crate::store::query(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, sent_at = ?
         WHERE id = ? AND status = 'pending'",
    )
    .bind(error)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    if done.rows_affected() > 0 {
        tracing::warn!(id, error, "outbox reply failed for good");
    }
    Ok(())
}

/// Why the chat refuses the bot, if its latest finished row failed because
/// the user blocked the bot or deleted their account.
pub async fn refusal(conn: &mut Db, channel: &str, chat_id: i64) -> Result<Option<String>, StoreError> {
    let latest: Option<(String, Option<String>)> = crate::store::query_as(
        "SELECT status, last_error FROM outbox WHERE channel = ? AND chat_id = ? AND status != 'pending'
         ORDER BY sent_at DESC, id DESC LIMIT 1",
    )
    .bind(channel)
    .bind(chat_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(latest.and_then(|(status, error)| {
        let error = error.filter(|_| status == "failed")?;
        REFUSALS.iter().any(|refusal| error.contains(refusal)).then_some(error)
    }))
}

/// What Telegram says when a user cannot be written to any more.
const REFUSALS: [&str; 3] = ["bot was blocked by the user", "user is deactivated", "bot can't initiate conversation"];

/// Moves a chat's pending rows to a new chat id (a group that Telegram
/// migrated to a supergroup).
pub async fn retarget(conn: &mut Db, channel: &str, from: i64, to: i64) -> Result<u64, StoreError> {
    let done =
        crate::store::query("UPDATE outbox SET chat_id = ? WHERE channel = ? AND chat_id = ? AND status = 'pending'")
            .bind(to)
            .bind(channel)
            .bind(from)
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

/// The pending row queued under `coalesce_key`, with its payload: to grow
/// a coalesced reply (read it, change it, [`enqueue`] it again with the same
/// key, which marks this row `replaced`; what refers to this id may then be
/// pointed at the new row).
pub async fn pending_payload(conn: &mut Db, coalesce_key: &str) -> Result<Option<(i64, Outgoing)>, StoreError> {
    let row: Option<(i64, String)> =
        crate::store::query_as("SELECT id, payload FROM outbox WHERE coalesce_key = ? AND status = 'pending'")
            .bind(coalesce_key)
            .fetch_optional(conn)
            .await?;
    row.map(|(id, payload)| Ok((id, from_json("outbox payload", &payload)?))).transpose()
}

/// Where row `outbox_id` went: channel, chat and topic (an edit of its message goes there too).
pub async fn destination_of(
    conn: &mut Db,
    outbox_id: i64,
) -> Result<Option<(String, i64, Option<String>)>, StoreError> {
    let found = crate::store::query_as("SELECT channel, chat_id, topic_key FROM outbox WHERE id = ?")
        .bind(outbox_id)
        .fetch_optional(conn)
        .await?;
    Ok(found)
}

/// The Telegram message a row produced (for an album, its first message);
/// `None` until the row is sent, or if the row is unknown.
pub async fn message_id_of(conn: &mut Db, outbox_id: i64) -> Result<Option<i32>, StoreError> {
    let id: Option<Option<i64>> =
        crate::store::query_scalar("SELECT message_id FROM outbox WHERE id = ? AND status = 'sent'")
            .bind(outbox_id)
            .fetch_optional(conn)
            .await?;
    id.flatten()
        .map(|id| {
            i32::try_from(id).map_err(|_| StoreError::Corrupt { what: "outbox message id", detail: id.to_string() })
        })
        .transpose()
}

/// The sent row whose message in `chat_id` is `message_id` (e.g. the relayed
/// copy an agent replied to); the newest, should an id ever repeat.
pub async fn row_for_message(
    conn: &mut Db,
    channel: &str,
    chat_id: i64,
    message_id: i32,
) -> Result<Option<i64>, StoreError> {
    let id = crate::store::query_scalar(
        "SELECT id FROM outbox WHERE channel = ? AND chat_id = ? AND message_id = ? AND status = 'sent'
         ORDER BY id DESC LIMIT 1",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(message_id)
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// The newest message (a send or an edit, not in a topic) delivered to
/// `chat_id`: the question a customer left a conversation at.
pub async fn last_sent_message(conn: &mut Db, channel: &str, chat_id: i64) -> Result<Option<Outgoing>, StoreError> {
    // Button answers and copies sit between questions; a few rows back is enough to pass them.
    let payloads: Vec<String> = crate::store::query_scalar(
        "SELECT payload FROM outbox WHERE channel = ? AND chat_id = ? AND status = 'sent' AND topic_key IS NULL
         ORDER BY id DESC LIMIT 20",
    )
    .bind(channel)
    .bind(chat_id)
    .fetch_all(conn)
    .await?;
    for payload in payloads {
        let payload: Outgoing = from_json("outbox payload", &payload)?;
        if matches!(payload, Outgoing::Send { .. } | Outgoing::Edit { .. }) {
            return Ok(Some(payload));
        }
    }
    Ok(None)
}

/// Rows still waiting to go out on `channel`.
pub async fn pending_count(conn: &mut Db, channel: &str) -> Result<i64, StoreError> {
    let count = crate::store::query_scalar("SELECT count(*) FROM outbox WHERE channel = ? AND status = 'pending'")
        .bind(channel)
        .fetch_one(conn)
        .await?;
    Ok(count)
}

/// The rows waiting on every channel, and since when the longest-waiting
/// one has been due (its `not_before`, if that has come by `now`).
pub async fn backlog(conn: &mut Db, now: DateTime<Utc>) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
    let backlog = crate::store::query_as(
        "SELECT count(*), min(CASE WHEN not_before <= ? THEN not_before END) FROM outbox WHERE status = 'pending'",
    )
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(backlog)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outgoing::Keyboard;
    use crate::store::Store;
    use crate::store::scratch;
    use chrono::TimeDelta;

    const TG: &str = "telegram";

    async fn store() -> (scratch::Guard, Store) {
        scratch::store().await
    }

    fn text(t: &str) -> Outgoing {
        Outgoing::Send { text: t.to_owned(), keyboard: Keyboard::None }
    }

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-03-01T10:00:00Z").expect("time").to_utc()
    }

    fn secs(n: i64) -> TimeDelta {
        TimeDelta::seconds(n)
    }

    async fn put(store: &Store, chat: i64, t: &str, key: Option<&str>, not_before: DateTime<Utc>) -> i64 {
        let mut tx = store.write().await.expect("tx");
        let id = enqueue(&mut tx, TG, chat, &text(t), key, not_before, t0()).await.expect("enqueue");
        tx.commit().await.expect("commit");
        id
    }

    fn texts_of(rows: Vec<Queued>) -> Vec<String> {
        rows.into_iter()
            .map(|q| match q.payload {
                Outgoing::Send { text, .. } => text,
                other => format!("{other:?}"),
            })
            .collect()
    }

    async fn texts(store: &Store, now: DateTime<Utc>) -> Vec<String> {
        let mut conn = store.read().await.expect("conn");
        texts_of(due(&mut conn, TG, now, 100, &[]).await.expect("due"))
    }

    #[tokio::test]
    async fn the_backlog_counts_every_pending_row_and_dates_the_longest_due() {
        let (_dir, store) = store().await;
        put(&store, 1, "late", None, t0() - secs(90)).await;
        put(&store, 2, "later still", None, t0() + secs(60)).await;
        let mut conn = store.read().await.expect("conn");
        assert_eq!(backlog(&mut conn, t0()).await.expect("backlog"), (2, Some(t0() - secs(90))));
        assert_eq!(backlog(&mut conn, t0() - secs(100)).await.expect("backlog"), (2, None));
    }

    #[tokio::test]
    async fn due_gives_each_chats_oldest_row_when_due() {
        let (_dir, store) = store().await;
        put(&store, 1, "a1", None, t0()).await;
        put(&store, 1, "a2", None, t0()).await;
        put(&store, 2, "b1", None, t0() + secs(5)).await;
        put(&store, 3, "c1", None, t0()).await;
        assert_eq!(texts(&store, t0()).await, ["a1", "c1"]);
        assert_eq!(texts(&store, t0() + secs(5)).await, ["a1", "b1", "c1"]);
        // Other channels are not mixed in.
        let mut conn = store.read().await.expect("conn");
        assert!(due(&mut conn, "terminal", t0() + secs(5), 10, &[]).await.expect("due").is_empty());
        assert_eq!(pending_count(&mut conn, TG).await.expect("count"), 4);
        assert_eq!(due(&mut conn, TG, t0(), 1, &[]).await.expect("due").len(), 1);
    }

    #[tokio::test]
    async fn due_leaves_out_the_chats_it_is_told_are_busy() {
        let (_dir, store) = store().await;
        put(&store, 1, "a1", None, t0()).await;
        put(&store, 2, "b1", None, t0()).await;
        put(&store, 1, "a2", None, t0()).await;
        put(&store, 3, "c1", None, t0()).await;
        put(&store, 2, "b2", None, t0()).await;
        let mut conn = store.read().await.expect("conn");
        // A busy chat's head takes none of the limit, and the rows queued
        // behind it never come up in its place: its order is kept.
        assert_eq!(texts_of(due(&mut conn, TG, t0(), 2, &[1]).await.expect("due")), ["b1", "c1"]);
        assert_eq!(texts_of(due(&mut conn, TG, t0(), 1, &[1]).await.expect("due")), ["b1"]);
        assert_eq!(texts_of(due(&mut conn, TG, t0(), 10, &[2, 1]).await.expect("due")), ["c1"]);
        assert!(due(&mut conn, TG, t0(), 10, &[1, 2, 3]).await.expect("due").is_empty());
        // A chat that is not in flight is read as before.
        assert_eq!(texts_of(due(&mut conn, TG, t0(), 10, &[]).await.expect("due")), ["a1", "b1", "c1"]);
        assert_eq!(texts_of(due(&mut conn, TG, t0(), 10, &[99]).await.expect("due")), ["a1", "b1", "c1"]);
    }

    #[tokio::test]
    async fn a_row_backing_off_holds_back_its_chat() {
        let (_dir, store) = store().await;
        let a1 = put(&store, 1, "a1", None, t0()).await;
        let a2 = put(&store, 1, "a2", None, t0()).await;
        let mut w = store.write().await.expect("tx");
        retry_later(&mut w, a1, "network down", t0() + secs(4)).await.expect("retry");
        w.commit().await.expect("commit");
        assert!(texts(&store, t0() + secs(1)).await.is_empty());
        let mut conn = store.read().await.expect("conn");
        assert_eq!(next_due_at(&mut conn, TG).await.expect("next"), Some(t0() + secs(4)));
        assert_eq!(next_due_after(&mut conn, TG, t0() + secs(4)).await.expect("next"), None);
        let head = due(&mut conn, TG, t0() + secs(4), 10, &[]).await.expect("due");
        assert_eq!((head[0].id, head[0].attempts), (a1, 1));
        drop(conn);

        let mut w = store.write().await.expect("tx");
        mark_sent(&mut w, &[Delivered { id: a1, message_id: Some(77), at: t0() + secs(5) }]).await.expect("sent");
        w.commit().await.expect("commit");
        assert_eq!(texts(&store, t0() + secs(5)).await, ["a2"]);
        let mut w = store.write().await.expect("tx");
        mark_failed(&mut w, a2, "Forbidden: bot was blocked by the user", t0() + secs(6)).await.expect("failed");
        w.commit().await.expect("commit");

        let mut conn = store.read().await.expect("conn");
        assert_eq!(pending_count(&mut conn, TG).await.expect("count"), 0);
        assert_eq!(next_due_at(&mut conn, TG).await.expect("next"), None);
        let rows: Vec<(String, Option<i64>, Option<String>, i64)> =
            crate::store::query_as("SELECT status, message_id, last_error, attempts FROM outbox ORDER BY id")
                .fetch_all(&mut conn)
                .await
                .expect("rows");
        assert_eq!(
            rows,
            [
                ("sent".to_owned(), Some(77), Some("network down".to_owned()), 1),
                ("failed".to_owned(), None, Some("Forbidden: bot was blocked by the user".to_owned()), 1),
            ]
        );
    }

    #[tokio::test]
    async fn coalescing_replaces_the_pending_row() {
        let (_dir, store) = store().await;
        let first = put(&store, 1, "received 1 photo", Some("album:1:x"), t0() + secs(2)).await;
        put(&store, 1, "please describe", None, t0()).await;
        let second = put(&store, 1, "received 2 photos", Some("album:1:x"), t0() + secs(3)).await;
        assert_ne!(first, second);
        assert_eq!(texts(&store, t0() + secs(3)).await, ["please describe"]);
        let mut conn = store.read().await.expect("conn");
        assert_eq!(pending_count(&mut conn, TG).await.expect("count"), 2);
        // The replaced row stays, for whatever refers to it.
        let status: String = crate::store::query_scalar("SELECT status FROM outbox WHERE id = ?")
            .bind(first)
            .fetch_one(&mut conn)
            .await
            .expect("row");
        assert_eq!(status, "replaced");
        drop(conn);

        // A key whose row was already sent starts a new row.
        let mut w = store.write().await.expect("tx");
        mark_sent(&mut w, &[Delivered { id: second, message_id: None, at: t0() }]).await.expect("sent");
        // Settling the replaced row is a no-op, not an error.
        mark_sent(&mut w, &[Delivered { id: first, message_id: Some(5), at: t0() }]).await.expect("sent");
        w.commit().await.expect("commit");
        put(&store, 1, "received 3 photos", Some("album:1:x"), t0()).await;
        let mut conn = store.read().await.expect("conn");
        assert_eq!(pending_count(&mut conn, TG).await.expect("count"), 2);
    }

    #[tokio::test]
    async fn replies_that_came_back_together_are_marked_sent_together() {
        let (_dir, store) = store().await;
        // More rows than one statement takes, each in its own chat.
        let mut ids = Vec::new();
        for chat in 0..1_200 {
            ids.push(put(&store, chat, "hello", None, t0()).await);
        }
        let replaced = put(&store, 5_000, "first", Some("album:5000:x"), t0()).await;
        put(&store, 5_000, "second", Some("album:5000:x"), t0()).await;
        let mut delivered: Vec<Delivered> =
            ids.iter().map(|&id| Delivered { id, message_id: i32::try_from(id).ok(), at: t0() + secs(1) }).collect();
        // A row replaced while it was in flight is left as it is.
        delivered.push(Delivered { id: replaced, message_id: Some(1), at: t0() + secs(1) });
        let mut w = store.write().await.expect("tx");
        mark_sent(&mut w, &delivered).await.expect("sent");
        w.commit().await.expect("commit");

        let mut conn = store.read().await.expect("conn");
        let rows: Vec<(i64, String, Option<i64>)> =
            crate::store::query_as("SELECT id, status, message_id FROM outbox ORDER BY id")
                .fetch_all(&mut conn)
                .await
                .expect("rows");
        let sent: Vec<_> = rows.iter().filter(|(_, status, _)| status == "sent").collect();
        assert_eq!(sent.len(), 1_200);
        assert!(sent.iter().all(|(id, _, message_id)| *message_id == Some(*id)));
        assert!(rows.iter().any(|(id, status, _)| *id == replaced && status == "replaced"));
        assert_eq!(pending_count(&mut conn, TG).await.expect("count"), 1);
    }

    #[tokio::test]
    async fn what_went_out_lately_is_read_back_oldest_first() {
        let (_db, store) = store().await;
        let early = put(&store, 1, "early", None, t0()).await;
        let late = put(&store, 2, "late", None, t0()).await;
        let later = put(&store, -100, "group", None, t0()).await;
        put(&store, 3, "pending", None, t0()).await;
        let mut tx = store.write().await.expect("tx");
        let answered = enqueue(
            &mut tx,
            TG,
            4,
            &Outgoing::AnswerButton { callback_id: "c".into(), notice: None },
            None,
            t0(),
            t0(),
        )
        .await
        .expect("enqueue");
        tx.commit().await.expect("commit");
        let at = |id, n| Delivered { id, message_id: None, at: t0() + secs(n) };
        let mut w = store.write().await.expect("tx");
        mark_sent(&mut w, &[at(early, 1), at(later, 80), at(late, 70), at(answered, 75)]).await.expect("sent");
        w.commit().await.expect("commit");

        let mut conn = store.read().await.expect("conn");
        let sent = sent_since(&mut conn, TG, t0() + secs(30)).await.expect("sent");
        let seen: Vec<(i64, bool, i64)> =
            sent.iter().map(|sent| (sent.chat_id, sent.message, (sent.at - t0()).num_seconds())).collect();
        assert_eq!(seen, [(2, true, 70), (4, false, 75), (-100, true, 80)]);
    }

    #[tokio::test]
    async fn retarget_moves_pending_rows() {
        let (_dir, store) = store().await;
        put(&store, -5, "g1", None, t0()).await;
        put(&store, -5, "g2", None, t0()).await;
        let mut w = store.write().await.expect("tx");
        assert_eq!(retarget(&mut w, TG, -5, -1005).await.expect("retarget"), 2);
        w.commit().await.expect("commit");
        let mut conn = store.read().await.expect("conn");
        let rows = due(&mut conn, TG, t0(), 10, &[]).await.expect("due");
        assert_eq!(rows.iter().map(|q| q.chat_id).collect::<Vec<_>>(), [-1005]);
    }

    #[tokio::test]
    async fn unreadable_payload_holds_only_its_chat() {
        let (_dir, store) = store().await;
        let bad = put(&store, 1, "a1", None, t0()).await;
        put(&store, 2, "b1", None, t0()).await;
        let mut w = store.write().await.expect("tx");
        crate::store::query("UPDATE outbox SET payload = '{\"kind\":\"from_the_future\"}' WHERE id = ?")
            .bind(bad)
            .execute(&mut w)
            .await
            .expect("corrupt");
        w.commit().await.expect("commit");
        assert_eq!(texts(&store, t0()).await, ["b1"]);
    }

    #[tokio::test]
    async fn topic_rows_carry_their_key() {
        let (_dir, store) = store().await;
        let mut tx = store.write().await.expect("tx");
        let card = enqueue_to_topic(&mut tx, TG, -100, Some("case:AS-1001"), &Outgoing::Card, None, t0(), t0())
            .await
            .expect("enqueue");
        tx.commit().await.expect("commit");
        put(&store, 1, "plain", None, t0()).await;
        let mut conn = store.read().await.expect("conn");
        let rows = due(&mut conn, TG, t0(), 10, &[]).await.expect("due");
        let keys: Vec<_> = rows.iter().map(|q| (q.id, q.topic_key.as_deref())).collect();
        assert_eq!(keys[0], (card, Some("case:AS-1001")));
        assert_eq!(keys[1].1, None);
    }

    #[tokio::test]
    async fn pending_payload_finds_the_coalesced_row() {
        let (_dir, store) = store().await;
        let mut conn = store.read().await.expect("conn");
        assert_eq!(pending_payload(&mut conn, "album:1:x").await.expect("read"), None);
        drop(conn);
        let id = put(&store, 1, "received 1 photo", Some("album:1:x"), t0()).await;
        let mut conn = store.read().await.expect("conn");
        assert_eq!(pending_payload(&mut conn, "album:1:x").await.expect("read"), Some((id, text("received 1 photo"))));
        drop(conn);
        // Once sent, it is no longer there to grow.
        let mut w = store.write().await.expect("tx");
        mark_sent(&mut w, &[Delivered { id, message_id: Some(3), at: t0() }]).await.expect("sent");
        w.commit().await.expect("commit");
        let mut conn = store.read().await.expect("conn");
        assert_eq!(pending_payload(&mut conn, "album:1:x").await.expect("read"), None);
    }

    #[tokio::test]
    async fn message_ids_of_sent_rows_both_ways() {
        let (_dir, store) = store().await;
        let a = put(&store, -100, "copy a", None, t0()).await;
        let b = put(&store, -100, "copy b", None, t0()).await;
        let other_chat = put(&store, -200, "copy c", None, t0()).await;
        let mut w = store.write().await.expect("tx");
        mark_sent(&mut w, &[Delivered { id: a, message_id: Some(41), at: t0() }]).await.expect("sent");
        mark_sent(&mut w, &[Delivered { id: other_chat, message_id: Some(41), at: t0() }]).await.expect("sent");
        w.commit().await.expect("commit");
        let mut conn = store.read().await.expect("conn");
        assert_eq!(message_id_of(&mut conn, a).await.expect("read"), Some(41));
        // Not sent yet, or no such row.
        assert_eq!(message_id_of(&mut conn, b).await.expect("read"), None);
        assert_eq!(message_id_of(&mut conn, 999).await.expect("read"), None);
        assert_eq!(row_for_message(&mut conn, TG, -100, 41).await.expect("read"), Some(a));
        assert_eq!(row_for_message(&mut conn, TG, -200, 41).await.expect("read"), Some(other_chat));
        assert_eq!(row_for_message(&mut conn, TG, -100, 42).await.expect("read"), None);
        assert_eq!(row_for_message(&mut conn, "terminal", -100, 41).await.expect("read"), None);
    }
}
