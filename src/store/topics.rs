//! Topics in the agents' group: one row per key (`case:AS-1001`,
//! `customer:7`), naming the group, the topic's name, its case card (text
//! and buttons) and the evidence album posted under the card.
//!
//! Two writers share a row, each with its own columns:
//! - the desk, inside an update's transaction, writes what the topic should
//!   show: `chat_id`, `forum`, `name`, `card_text`, `card_keyboard`, `album`
//!   and `closed` ([`upsert`], [`set_card`], [`set_closed`]);
//! - the Telegram sender writes what exists in Telegram: `thread_id`,
//!   `card_message_id`, `card_pinned`, `album_posted` (the `record_*` and
//!   `forget_*` functions), after the call that made it so.
//!
//! Neither touches the other's columns, so the desk can rewrite a card while
//! the sender is posting it: the outbox row queued with the change (a `Card`
//! row) brings Telegram up to date afterwards.
//!
//! In a forum group (`forum`) a topic is a forum topic (`thread_id`) with
//! the card pinned in it; elsewhere the card is a plain message and the
//! topic's messages are sent as replies to it.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use crate::store::Db;

use super::{StoreError, Tx, from_json, to_json};
use crate::outgoing::{AlbumItem, Keyboard};

/// A topic as stored: what it should show and what the sender made of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    pub key: String,
    /// The agents' group.
    pub chat_id: i64,
    /// A forum topic (true) or a card message in a plain group (false).
    pub forum: bool,
    pub name: String,
    pub card_text: String,
    pub card_keyboard: Keyboard,
    /// Evidence posted after the card, once.
    pub album: Vec<AlbumItem>,
    /// The forum topic's thread; `None` until created, and again after it
    /// was deleted by hand.
    pub thread_id: Option<i32>,
    /// The card message; `None` until posted, and again after it was lost.
    pub card_message_id: Option<i32>,
    pub card_pinned: bool,
    pub album_posted: bool,
    /// Whether the desk wants the topic closed.
    pub closed: bool,
}

#[derive(FromRow)]
struct TopicRow {
    key: String,
    chat_id: i64,
    forum: bool,
    name: String,
    card_text: String,
    card_keyboard: String,
    album: String,
    thread_id: Option<i64>,
    card_message_id: Option<i64>,
    card_pinned: bool,
    album_posted: bool,
    closed: bool,
}

/// A stored Telegram id: they fit in an i32, anything else is corruption.
fn telegram_id(what: &'static str, id: Option<i64>) -> Result<Option<i32>, StoreError> {
    id.map(|id| i32::try_from(id).map_err(|_| StoreError::Corrupt { what, detail: id.to_string() })).transpose()
}

impl TryFrom<TopicRow> for Topic {
    type Error = StoreError;

    fn try_from(row: TopicRow) -> Result<Self, StoreError> {
        Ok(Topic {
            card_keyboard: from_json("topic card keyboard", &row.card_keyboard)?,
            album: from_json("topic album", &row.album)?,
            thread_id: telegram_id("topic thread id", row.thread_id)?,
            card_message_id: telegram_id("topic card message id", row.card_message_id)?,
            key: row.key,
            chat_id: row.chat_id,
            forum: row.forum,
            name: row.name,
            card_text: row.card_text,
            card_pinned: row.card_pinned,
            album_posted: row.album_posted,
            closed: row.closed,
        })
    }
}

// ----- the desk's side -----

/// Creates the topic `key`, or updates what an existing one should show
/// (name, card, album). The ids the sender recorded are kept; so are
/// `chat_id` and `forum` of an existing topic, since its thread and card
/// live in that chat.
#[allow(clippy::too_many_arguments)]
pub async fn upsert(
    tx: &mut Tx,
    key: &str,
    chat_id: i64,
    forum: bool,
    name: &str,
    card_text: &str,
    card_keyboard: &Keyboard,
    album: &[AlbumItem],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::store::query(
        "INSERT INTO topics (key, chat_id, forum, name, card_text, card_keyboard, album, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET name = excluded.name, card_text = excluded.card_text,
             card_keyboard = excluded.card_keyboard, album = excluded.album, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(chat_id)
    .bind(forum)
    .bind(name)
    .bind(card_text)
    .bind(to_json(card_keyboard))
    .bind(to_json(&album))
    .bind(now)
    .execute(tx)
    .await?;
    Ok(())
}

/// Changes the card's text and buttons; queue a `Card` row to show it.
pub async fn set_card(
    tx: &mut Tx,
    key: &str,
    card_text: &str,
    card_keyboard: &Keyboard,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::store::query("UPDATE topics SET card_text = ?, card_keyboard = ?, updated_at = ? WHERE key = ?")
        .bind(card_text)
        .bind(to_json(card_keyboard))
        .bind(now)
        .bind(key)
        .execute(tx)
        .await?;
    Ok(())
}

/// Records whether the topic should be closed; queue a `TopicState` row to do it.
pub async fn set_closed(tx: &mut Tx, key: &str, closed: bool, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query("UPDATE topics SET closed = ?, updated_at = ? WHERE key = ?")
        .bind(closed)
        .bind(now)
        .bind(key)
        .execute(tx)
        .await?;
    Ok(())
}

const COLUMNS: &str = "key, chat_id, forum, name, card_text, card_keyboard, album, thread_id, card_message_id,
                       card_pinned, album_posted, closed";

/// The topic `key`, if any.
pub async fn get(conn: &mut Db, key: &str) -> Result<Option<Topic>, StoreError> {
    let row: Option<TopicRow> = crate::store::query_as(format!("SELECT {COLUMNS} FROM topics WHERE key = ?"))
        .bind(key)
        .fetch_optional(conn)
        .await?;
    row.map(Topic::try_from).transpose()
}

/// The topic whose forum thread in `chat_id` is `thread_id` (where an
/// agent wrote).
pub async fn key_for_thread(conn: &mut Db, chat_id: i64, thread_id: i32) -> Result<Option<String>, StoreError> {
    let key = crate::store::query_scalar("SELECT key FROM topics WHERE chat_id = ? AND thread_id = ?")
        .bind(chat_id)
        .bind(thread_id)
        .fetch_optional(conn)
        .await?;
    Ok(key)
}

/// The topic whose card in `chat_id` is message `message_id` (a button
/// pressed on the card, or a reply to it in a plain group).
pub async fn key_for_card(conn: &mut Db, chat_id: i64, message_id: i32) -> Result<Option<String>, StoreError> {
    let key = crate::store::query_scalar("SELECT key FROM topics WHERE chat_id = ? AND card_message_id = ?")
        .bind(chat_id)
        .bind(message_id)
        .fetch_optional(conn)
        .await?;
    Ok(key)
}

// ----- the sender's side -----

/// The forum topic was created as `thread_id`. A new thread holds no card
/// and no album yet. Any other topic still naming that thread lost it long
/// ago (Telegram does not reuse thread ids while a topic lives), and is
/// cleared so the unique index cannot stop the sender.
pub async fn record_thread(conn: &mut Db, key: &str, thread_id: i32, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query(
        "UPDATE topics SET thread_id = NULL, card_message_id = NULL, card_pinned = FALSE, album_posted = FALSE, updated_at = ?
         WHERE chat_id = (SELECT chat_id FROM topics WHERE key = ?) AND thread_id = ? AND key <> ?",
    )
    .bind(now)
    .bind(key)
    .bind(thread_id)
    .bind(key)
    .execute(&mut *conn)
    .await?;
    crate::store::query(
        "UPDATE topics SET thread_id = ?, card_message_id = NULL, card_pinned = FALSE, album_posted = FALSE, updated_at = ?
         WHERE key = ?",
    )
    .bind(thread_id)
    .bind(now)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// The card was posted as `message_id` (not pinned yet).
pub async fn record_card(conn: &mut Db, key: &str, message_id: i32, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query("UPDATE topics SET card_message_id = ?, card_pinned = FALSE, updated_at = ? WHERE key = ?")
        .bind(message_id)
        .bind(now)
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// The card is pinned in its topic.
pub async fn record_pinned(conn: &mut Db, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query("UPDATE topics SET card_pinned = TRUE, updated_at = ? WHERE key = ?")
        .bind(now)
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// The evidence album was posted (or given up on).
pub async fn record_album_posted(conn: &mut Db, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query("UPDATE topics SET album_posted = TRUE, updated_at = ? WHERE key = ?")
        .bind(now)
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// The forum topic is gone (deleted by hand): everything in it went with
/// it, so the next row for it creates it again and re-posts card and album.
pub async fn forget_thread(conn: &mut Db, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query(
        "UPDATE topics SET thread_id = NULL, card_message_id = NULL, card_pinned = FALSE, album_posted = FALSE, updated_at = ?
         WHERE key = ?",
    )
    .bind(now)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// The card message is gone: the next row for the topic posts (and pins) it again.
pub async fn forget_card(conn: &mut Db, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query("UPDATE topics SET card_message_id = NULL, card_pinned = FALSE, updated_at = ? WHERE key = ?")
        .bind(now)
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// The group `from` became the supergroup `to` (Telegram migrated it): its
/// topics move along, and the ids recorded in the old chat are dropped, so
/// cards and albums are posted again in the new one. Returns how many moved.
pub async fn retarget(conn: &mut Db, from: i64, to: i64, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = crate::store::query(
        "UPDATE topics SET chat_id = ?, thread_id = NULL, card_message_id = NULL, card_pinned = FALSE, album_posted = FALSE,
                           updated_at = ?
         WHERE chat_id = ?",
    )
    .bind(to)
    .bind(now)
    .bind(from)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outgoing::{AlbumKind, ButtonSpec};
    use crate::store::Store;
    use crate::store::scratch;

    const GROUP: i64 = -1_001_234;

    async fn store() -> (scratch::Guard, Store) {
        scratch::store().await
    }

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-03-01T10:00:00Z").expect("time").to_utc()
    }

    fn buttons(data: &str) -> Keyboard {
        Keyboard::Inline { rows: vec![vec![ButtonSpec { label: "Take".into(), data: data.into() }]] }
    }

    fn photos(n: usize) -> Vec<AlbumItem> {
        (0..n).map(|i| AlbumItem { kind: AlbumKind::Photo, file_id: format!("photo-{i}") }).collect()
    }

    async fn upsert_case(store: &Store, key: &str, card: &str, album: &[AlbumItem]) {
        let mut tx = store.write().await.expect("tx");
        upsert(&mut tx, key, GROUP, true, "AS-1001 · Ann", card, &buttons("take:1"), album, t0())
            .await
            .expect("upsert");
        tx.commit().await.expect("commit");
    }

    async fn read(store: &Store, key: &str) -> Option<Topic> {
        let mut conn = store.read().await.expect("conn");
        get(&mut conn, key).await.expect("get")
    }

    async fn sender(store: &Store, f: impl AsyncFnOnce(&mut Db)) {
        let mut tx = store.write().await.expect("tx");
        f(&mut *tx).await;
        tx.commit().await.expect("commit");
    }

    #[tokio::test]
    async fn upsert_keeps_what_the_sender_recorded() {
        let (_dir, store) = store().await;
        assert_eq!(read(&store, "case:AS-1001").await, None);
        upsert_case(&store, "case:AS-1001", "New case", &photos(2)).await;
        let topic = read(&store, "case:AS-1001").await.expect("topic");
        assert_eq!(
            topic,
            Topic {
                key: "case:AS-1001".into(),
                chat_id: GROUP,
                forum: true,
                name: "AS-1001 · Ann".into(),
                card_text: "New case".into(),
                card_keyboard: buttons("take:1"),
                album: photos(2),
                thread_id: None,
                card_message_id: None,
                card_pinned: false,
                album_posted: false,
                closed: false,
            }
        );

        sender(&store, async |conn| {
            record_thread(conn, "case:AS-1001", 17, t0()).await.expect("thread");
            record_card(conn, "case:AS-1001", 18, t0()).await.expect("card");
            record_pinned(conn, "case:AS-1001", t0()).await.expect("pinned");
            record_album_posted(conn, "case:AS-1001", t0()).await.expect("album");
        })
        .await;
        upsert_case(&store, "case:AS-1001", "Taken by Bob", &photos(3)).await;
        let mut tx = store.write().await.expect("tx");
        set_card(&mut tx, "case:AS-1001", "Closed", &Keyboard::None, t0()).await.expect("card");
        set_closed(&mut tx, "case:AS-1001", true, t0()).await.expect("closed");
        tx.commit().await.expect("commit");

        let topic = read(&store, "case:AS-1001").await.expect("topic");
        assert_eq!((topic.card_text.as_str(), &topic.card_keyboard, topic.album.len()), ("Closed", &Keyboard::None, 3));
        assert_eq!(
            (topic.thread_id, topic.card_message_id, topic.card_pinned, topic.album_posted, topic.closed),
            (Some(17), Some(18), true, true, true)
        );
        let mut conn = store.read().await.expect("conn");
        assert_eq!(key_for_thread(&mut conn, GROUP, 17).await.expect("read").as_deref(), Some("case:AS-1001"));
        assert_eq!(key_for_thread(&mut conn, GROUP, 18).await.expect("read"), None);
        assert_eq!(key_for_thread(&mut conn, -5, 17).await.expect("read"), None);
        assert_eq!(key_for_card(&mut conn, GROUP, 18).await.expect("read").as_deref(), Some("case:AS-1001"));
        assert_eq!(key_for_card(&mut conn, GROUP, 17).await.expect("read"), None);
    }

    #[tokio::test]
    async fn forgetting_a_thread_or_a_card() {
        let (_dir, store) = store().await;
        upsert_case(&store, "case:AS-1001", "card", &photos(1)).await;
        sender(&store, async |conn| {
            record_thread(conn, "case:AS-1001", 17, t0()).await.expect("thread");
            record_card(conn, "case:AS-1001", 18, t0()).await.expect("card");
            record_pinned(conn, "case:AS-1001", t0()).await.expect("pinned");
            record_album_posted(conn, "case:AS-1001", t0()).await.expect("album");
            forget_card(conn, "case:AS-1001", t0()).await.expect("forget card");
        })
        .await;
        let topic = read(&store, "case:AS-1001").await.expect("topic");
        assert_eq!(
            (topic.thread_id, topic.card_message_id, topic.card_pinned, topic.album_posted),
            (Some(17), None, false, true)
        );

        sender(&store, async |conn| {
            record_card(conn, "case:AS-1001", 20, t0()).await.expect("card");
            record_pinned(conn, "case:AS-1001", t0()).await.expect("pinned");
            forget_thread(conn, "case:AS-1001", t0()).await.expect("forget thread");
        })
        .await;
        let topic = read(&store, "case:AS-1001").await.expect("topic");
        assert_eq!(
            (topic.thread_id, topic.card_message_id, topic.card_pinned, topic.album_posted),
            (None, None, false, false)
        );
        let mut conn = store.read().await.expect("conn");
        assert_eq!(key_for_thread(&mut conn, GROUP, 17).await.expect("read"), None);
    }

    #[tokio::test]
    async fn a_reused_thread_id_moves_to_the_newest_topic() {
        let (_dir, store) = store().await;
        upsert_case(&store, "case:AS-1001", "a", &[]).await;
        upsert_case(&store, "case:AS-1002", "b", &[]).await;
        sender(&store, async |conn| {
            record_thread(conn, "case:AS-1001", 17, t0()).await.expect("thread");
            record_card(conn, "case:AS-1001", 18, t0()).await.expect("card");
            // Would break the unique index if the stale owner were kept.
            record_thread(conn, "case:AS-1002", 17, t0()).await.expect("thread");
        })
        .await;
        assert_eq!(read(&store, "case:AS-1001").await.expect("topic").thread_id, None);
        assert_eq!(read(&store, "case:AS-1001").await.expect("topic").card_message_id, None);
        assert_eq!(read(&store, "case:AS-1002").await.expect("topic").thread_id, Some(17));
    }

    #[tokio::test]
    async fn retarget_moves_topics_and_drops_their_ids() {
        let (_dir, store) = store().await;
        upsert_case(&store, "case:AS-1001", "a", &[]).await;
        sender(&store, async |conn| {
            record_card(conn, "case:AS-1001", 18, t0()).await.expect("card");
            assert_eq!(retarget(conn, GROUP, -1_009, t0()).await.expect("retarget"), 1);
        })
        .await;
        let topic = read(&store, "case:AS-1001").await.expect("topic");
        assert_eq!((topic.chat_id, topic.card_message_id), (-1_009, None));
    }

    #[tokio::test]
    async fn unreadable_json_is_reported() {
        let (_dir, store) = store().await;
        upsert_case(&store, "case:AS-1001", "a", &[]).await;
        let mut tx = store.write().await.expect("tx");
        crate::store::query("UPDATE topics SET album = 'not json'").execute(&mut tx).await.expect("corrupt");
        tx.commit().await.expect("commit");
        let mut conn = store.read().await.expect("conn");
        let error = get(&mut conn, "case:AS-1001").await.expect_err("corrupt");
        assert!(matches!(error, StoreError::Corrupt { what: "topic album", .. }), "{error}");
    }
}
