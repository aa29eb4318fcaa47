//! `records purge`: the personal data of customers whose every case closed
//! before the cutoff, removed in the caller's transaction; the anonymous
//! facts the reports count stay. What counts as written by a person, and
//! what is left of a message, is `records`' (pure).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::outgoing::{Keyboard, Outgoing};
use crate::records::{self, Purged};
use crate::store::cases::read_event;
use crate::store::report::CLOSED_AT;
use crate::store::{StoreError, from_json, to_json};

/// Purges, in `conn`'s transaction, every customer not yet purged whose
/// cases all closed before `cutoff` (a customer with an open or younger
/// case is not touched at all, nor are their cases). Returns the counts and
/// the media files to delete: those no other case holds. Run it again and
/// it finds nothing. A dry run rolls the transaction back.
pub async fn purge(
    conn: &mut SqliteConnection,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(Purged, Vec<PathBuf>), StoreError> {
    let mut purged = Purged::default();
    let due = format!(
        "INSERT INTO temp.purge_customers (id)
         SELECT cu.id FROM customers cu
         WHERE cu.purged_at IS NULL AND EXISTS (SELECT 1 FROM cases c WHERE c.customer_id = cu.id)
           AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.customer_id = cu.id AND coalesce({CLOSED_AT} >= ?, 1))"
    );
    for sql in [
        "CREATE TEMP TABLE purge_customers (id INTEGER PRIMARY KEY)",
        "CREATE TEMP TABLE purge_cases (id TEXT PRIMARY KEY)",
        "CREATE TEMP TABLE purge_topics (key TEXT PRIMARY KEY)",
        "CREATE TEMP TABLE purge_chats (channel TEXT, chat_id INTEGER, PRIMARY KEY (channel, chat_id))",
    ] {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    sqlx::query(&due).bind(cutoff).execute(&mut *conn).await?;
    let setup = [
        "INSERT INTO temp.purge_cases SELECT id FROM cases WHERE customer_id IN temp.purge_customers",
        "INSERT INTO temp.purge_topics SELECT DISTINCT topic_key FROM escalations WHERE customer_id IN temp.purge_customers",
        // A chat shared with a customer who stays (the terminal's) keeps its messages.
        "INSERT INTO temp.purge_chats SELECT DISTINCT channel, chat_id FROM customers
         WHERE id IN temp.purge_customers AND (channel, chat_id) NOT IN
               (SELECT channel, chat_id FROM customers WHERE id NOT IN temp.purge_customers)",
    ];
    for sql in setup {
        sqlx::query(sql).execute(&mut *conn).await?;
    }

    // Evidence files: by content, so a file another case holds stays.
    let files: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT local_path FROM evidence
         WHERE case_id IN temp.purge_cases AND local_path IS NOT NULL
           AND sha256 NOT IN (SELECT sha256 FROM evidence
                              WHERE case_id NOT IN temp.purge_cases AND sha256 IS NOT NULL)",
    )
    .fetch_all(&mut *conn)
    .await?;
    purged.files = count(files.len());
    purged.evidence = run(
        conn,
        "UPDATE evidence SET file_id = '', file_unique_id = 'purged:' || id, media_group_id = NULL, sha256 = NULL,
                local_path = NULL, size_bytes = NULL, download_error = 'purged'
         WHERE case_id IN temp.purge_cases",
    )
    .await?;
    purged.timeline_texts = timeline(conn).await?;
    purged.descriptions =
        run(conn, "UPDATE cases SET detail = '' WHERE id IN temp.purge_cases AND detail != ''").await?;
    purged.survey_comments = run(
        conn,
        "UPDATE cases SET survey_comment = NULL, survey = json_set(survey, '$.comment', json('null'))
         WHERE id IN temp.purge_cases
           AND (survey_comment IS NOT NULL OR json_extract(survey, '$.comment') IS NOT NULL)",
    )
    .await?;
    purged.flags = run(
        conn,
        "UPDATE flags SET text = '' WHERE text != ''
           AND (case_id IN temp.purge_cases OR (case_id IS NULL AND customer_id IN temp.purge_customers))",
    )
    .await?;
    purged.messages = outbox(conn).await?;
    purged.relays = run(
        conn,
        "DELETE FROM relays WHERE escalation_id IN
            (SELECT id FROM escalations WHERE customer_id IN temp.purge_customers)",
    )
    .await?;
    purged.topics = sqlx::query(
        "UPDATE topics SET name = key, card_text = '', card_keyboard = ?, album = '[]' WHERE key IN temp.purge_topics",
    )
    .bind(to_json(&Keyboard::None))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    purged.conversations = run(conn, "DELETE FROM conversations WHERE customer_id IN temp.purge_customers").await?;
    purged.audit = run(conn, "UPDATE audit SET data = '{}' WHERE customer_id IN temp.purge_customers AND data != '{}'")
        .await?
        + run(conn, "DELETE FROM order_locks WHERE customer_id IN temp.purge_customers").await?
        + run(conn, "DELETE FROM proof_failures WHERE customer_id IN temp.purge_customers").await?;
    purged.cases = sqlx::query("UPDATE cases SET purged_at = ? WHERE id IN temp.purge_cases")
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    // An order whose every case is purged: no one is left to prove it is theirs.
    purged.orders = run(
        conn,
        "UPDATE orders SET customer_name = '', phone = '', phone_tail = ''
         WHERE order_no IN (SELECT order_no FROM cases WHERE id IN temp.purge_cases)
           AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.order_no = orders.order_no AND c.purged_at IS NULL)
           AND (customer_name != '' OR phone != '')",
    )
    .await?;
    // The internal id stays, so every fact still joins; the identity goes.
    purged.customers = sqlx::query(
        "UPDATE customers SET external_id = 'purged:' || id, chat_id = 0, first_name = '', purged_at = ?
         WHERE id IN temp.purge_customers",
    )
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    for table in ["purge_customers", "purge_cases", "purge_topics", "purge_chats"] {
        sqlx::query(&format!("DROP TABLE temp.{table}")).execute(&mut *conn).await?;
    }
    Ok((purged, files.into_iter().map(PathBuf::from).collect()))
}

/// Timeline entries of the purged cases, without what people wrote.
async fn timeline(conn: &mut SqliteConnection) -> Result<u64, StoreError> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, kind, data FROM case_events WHERE case_id IN temp.purge_cases")
            .fetch_all(&mut *conn)
            .await?;
    let mut scrubbed = 0;
    for (id, kind, data) in rows {
        if let Some(event) = records::scrub_event(&read_event(&kind, &data)?) {
            sqlx::query("UPDATE case_events SET data = ? WHERE id = ?")
                .bind(event.data().to_string())
                .bind(id)
                .execute(&mut *conn)
                .await?;
            scrubbed += 1;
        }
    }
    Ok(scrubbed)
}

/// The outbox rows sent to the purged customers' chats, in their topics, or
/// relaying them: kept (nothing leaves the outbox), without their words,
/// and without the customer's chat id.
async fn outbox(conn: &mut SqliteConnection) -> Result<u64, StoreError> {
    let rows: Vec<(i64, String, bool)> = sqlx::query_as(
        "SELECT id, payload, (channel, chat_id) IN (SELECT channel, chat_id FROM temp.purge_chats) AS theirs
         FROM outbox
         WHERE (channel, chat_id) IN (SELECT channel, chat_id FROM temp.purge_chats) OR topic_key IN temp.purge_topics
            OR id IN (SELECT outbox_id FROM relays WHERE escalation_id IN
                        (SELECT id FROM escalations WHERE customer_id IN temp.purge_customers))",
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = count(rows.len());
    for (id, payload, theirs) in rows {
        let payload: Outgoing = from_json("outbox payload", &payload)?;
        sqlx::query("UPDATE outbox SET payload = ?, chat_id = CASE WHEN ? THEN 0 ELSE chat_id END WHERE id = ?")
            .bind(to_json(&records::scrub_outgoing(payload)))
            .bind(theirs)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(total)
}

async fn run(conn: &mut SqliteConnection, sql: &str) -> Result<u64, StoreError> {
    Ok(sqlx::query(sql).execute(&mut *conn).await?.rows_affected())
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}
