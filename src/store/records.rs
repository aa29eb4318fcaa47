//! `records purge`: the personal data of customers whose every case closed
//! before the cutoff, removed in the caller's transaction; the anonymous
//! facts the reports count stay. What counts as written by a person, and
//! what is left of a message, is `records`' (pure).

use std::path::PathBuf;

use crate::store::{Db, Dialect};
use chrono::{DateTime, Utc};

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
    conn: &mut Db,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(Purged, Vec<PathBuf>), StoreError> {
    let mut purged = Purged::default();
    let due = format!(
        "INSERT INTO purge_customers (id)
         SELECT cu.id FROM customers cu
         WHERE cu.purged_at IS NULL AND EXISTS (SELECT 1 FROM cases c WHERE c.customer_id = cu.id)
           AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.customer_id = cu.id AND coalesce({CLOSED_AT} >= ?, TRUE))"
    );
    for sql in [
        "CREATE TEMP TABLE purge_customers (id BIGINT PRIMARY KEY)",
        "CREATE TEMP TABLE purge_cases (id TEXT PRIMARY KEY)",
        "CREATE TEMP TABLE purge_topics (key TEXT PRIMARY KEY)",
        "CREATE TEMP TABLE purge_chats (channel TEXT, chat_id BIGINT, PRIMARY KEY (channel, chat_id))",
    ] {
        crate::store::query(sql).execute(&mut *conn).await?;
    }
    crate::store::query(&due).bind(cutoff).execute(&mut *conn).await?;
    let setup = [
        "INSERT INTO purge_cases SELECT id FROM cases WHERE customer_id IN (SELECT id FROM purge_customers)",
        "INSERT INTO purge_topics SELECT DISTINCT topic_key FROM escalations WHERE customer_id IN (SELECT id FROM purge_customers)",
        // A chat shared with a customer who stays (the terminal's) keeps its messages.
        "INSERT INTO purge_chats SELECT DISTINCT channel, chat_id FROM customers
         WHERE id IN (SELECT id FROM purge_customers) AND (channel, chat_id) NOT IN
               (SELECT channel, chat_id FROM customers WHERE id NOT IN (SELECT id FROM purge_customers))",
    ];
    for sql in setup {
        crate::store::query(sql).execute(&mut *conn).await?;
    }

    // Evidence files: by content, so a file another case holds stays.
    let files: Vec<String> = crate::store::query_scalar(
        "SELECT DISTINCT local_path FROM evidence
         WHERE case_id IN (SELECT id FROM purge_cases) AND local_path IS NOT NULL
           AND sha256 NOT IN (SELECT sha256 FROM evidence
                              WHERE case_id NOT IN (SELECT id FROM purge_cases) AND sha256 IS NOT NULL)",
    )
    .fetch_all(&mut *conn)
    .await?;
    purged.files = count(files.len());
    purged.evidence = run(
        conn,
        "UPDATE evidence SET file_id = '', file_unique_id = 'purged:' || id, media_group_id = NULL, sha256 = NULL,
                local_path = NULL, size_bytes = NULL, download_error = 'purged'
         WHERE case_id IN (SELECT id FROM purge_cases)",
    )
    .await?;
    purged.timeline_texts = timeline(conn).await?;
    purged.descriptions =
        run(conn, "UPDATE cases SET detail = '' WHERE id IN (SELECT id FROM purge_cases) AND detail != ''").await?;
    let dialect = conn.dialect();
    let no_comment = match dialect {
        Dialect::Sqlite => "json_set(survey, '$.comment', json('null'))",
        Dialect::Postgres => "jsonb_set(survey::jsonb, '{comment}', 'null')::text",
    };
    let comment = dialect.json_text("survey", "comment");
    purged.survey_comments = run(
        conn,
        &format!(
            "UPDATE cases SET survey_comment = NULL, survey = {no_comment}
             WHERE id IN (SELECT id FROM purge_cases) AND (survey_comment IS NOT NULL OR {comment} IS NOT NULL)"
        ),
    )
    .await?;
    purged.flags = run(
        conn,
        "UPDATE flags SET text = '' WHERE text != ''
           AND (case_id IN (SELECT id FROM purge_cases) OR (case_id IS NULL AND customer_id IN (SELECT id FROM purge_customers)))",
    )
    .await?;
    purged.messages = outbox(conn).await?;
    purged.relays = run(
        conn,
        "DELETE FROM relays WHERE escalation_id IN
            (SELECT id FROM escalations WHERE customer_id IN (SELECT id FROM purge_customers))",
    )
    .await?;
    purged.topics = crate::store::query(
        "UPDATE topics SET name = key, card_text = '', card_keyboard = ?, album = '[]' WHERE key IN (SELECT key FROM purge_topics)",
    )
    .bind(to_json(&Keyboard::None))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    purged.conversations =
        run(conn, "DELETE FROM conversations WHERE customer_id IN (SELECT id FROM purge_customers)").await?;
    purged.audit = run(
        conn,
        "UPDATE audit SET data = '{}' WHERE customer_id IN (SELECT id FROM purge_customers) AND data != '{}'",
    )
    .await?
        + run(conn, "DELETE FROM order_locks WHERE customer_id IN (SELECT id FROM purge_customers)").await?
        + run(conn, "DELETE FROM proof_failures WHERE customer_id IN (SELECT id FROM purge_customers)").await?;
    purged.cases = crate::store::query("UPDATE cases SET purged_at = ? WHERE id IN (SELECT id FROM purge_cases)")
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    // An order whose every case is purged: no one is left to prove it is theirs.
    purged.orders = run(
        conn,
        "UPDATE orders SET customer_name = '', phone = '', phone_tail = ''
         WHERE order_no IN (SELECT order_no FROM cases WHERE id IN (SELECT id FROM purge_cases))
           AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.order_no = orders.order_no AND c.purged_at IS NULL)
           AND (customer_name != '' OR phone != '')",
    )
    .await?;
    // The internal id stays, so every fact still joins; the identity goes.
    purged.customers = crate::store::query(
        "UPDATE customers SET external_id = 'purged:' || id, chat_id = 0, first_name = '', purged_at = ?
         WHERE id IN (SELECT id FROM purge_customers)",
    )
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    for table in ["purge_customers", "purge_cases", "purge_topics", "purge_chats"] {
        crate::store::query(format!("DROP TABLE {table}")).execute(&mut *conn).await?;
    }
    Ok((purged, files.into_iter().map(PathBuf::from).collect()))
}

/// Timeline entries of the purged cases, without what people wrote.
async fn timeline(conn: &mut Db) -> Result<u64, StoreError> {
    let rows: Vec<(i64, String, String)> =
        crate::store::query_as("SELECT id, kind, data FROM case_events WHERE case_id IN (SELECT id FROM purge_cases)")
            .fetch_all(&mut *conn)
            .await?;
    let mut scrubbed = 0;
    for (id, kind, data) in rows {
        if let Some(event) = records::scrub_event(&read_event(&kind, &data)?) {
            crate::store::query("UPDATE case_events SET data = ? WHERE id = ?")
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
async fn outbox(conn: &mut Db) -> Result<u64, StoreError> {
    let rows: Vec<(i64, String, bool)> = crate::store::query_as(
        "SELECT id, payload, (channel, chat_id) IN (SELECT channel, chat_id FROM purge_chats) AS theirs
         FROM outbox
         WHERE (channel, chat_id) IN (SELECT channel, chat_id FROM purge_chats) OR topic_key IN (SELECT key FROM purge_topics)
            OR id IN (SELECT outbox_id FROM relays WHERE escalation_id IN
                        (SELECT id FROM escalations WHERE customer_id IN (SELECT id FROM purge_customers)))",
    )
    .fetch_all(&mut *conn)
    .await?;
    let total = count(rows.len());
    for (id, payload, theirs) in rows {
        let payload: Outgoing = from_json("outbox payload", &payload)?;
        crate::store::query(
            "UPDATE outbox SET payload = ?, chat_id = CASE WHEN ? THEN 0 ELSE chat_id END WHERE id = ?",
        )
        .bind(to_json(&records::scrub_outgoing(payload)))
        .bind(theirs)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(total)
}

async fn run(conn: &mut Db, sql: &str) -> Result<u64, StoreError> {
    Ok(crate::store::query(sql).execute(&mut *conn).await?.rows_affected())
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use crate::store::scratch;
    use chrono::DateTime;

    use super::*;
    use crate::case::{CaseId, Event};
    use crate::report::Period;
    use crate::store::{Store, cases, report};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("time").to_utc()
    }

    /// Customer 1's cases all closed in May 2025; customer 2 has one still open.
    async fn store() -> (scratch::Guard, Store) {
        let (db, store) = scratch::store().await;
        let mut tx = store.write().await.expect("tx");
        for sql in [
            "INSERT INTO customers (id, channel, external_id, chat_id, first_name, lang, created_at)
             VALUES (1, 'telegram', '521', 521, 'Chen', 'en', '2025-03-01T10:00:00Z'),
                    (2, 'telegram', '522', 522, 'Wang', 'en', '2025-03-01T10:00:00Z')",
            "INSERT INTO orders (order_no, phone, phone_tail, customer_name, currency, imported_at)
             VALUES ('T-1', '13800138000', '0138000', 'Chen', 'CNY', '2025-03-01T10:00:00Z'),
                    ('T-2', '13900139000', '0139000', 'Wang', 'CNY', '2025-03-01T10:00:00Z')",
        ] {
            crate::store::query(sql).execute(&mut tx).await.expect("seed");
        }
        // (case, customer, opened, status, survey sent)
        let table = [
            (1001, 1, "2025-05-10T10:00:00Z", "closed", None),
            (1002, 2, "2025-05-25T10:00:00Z", "closed", None),
            (1003, 2, "2025-04-01T10:00:00Z", "approved", None),
            (1004, 1, "2025-04-01T10:00:00Z", "not_eligible", None),
            (1005, 2, "2025-06-10T10:00:00Z", "not_eligible", None),
            (1006, 2, "2025-04-01T10:00:00Z", "closed", Some("2025-06-02T10:00:00Z")),
            (1007, 2, "2025-07-02T10:00:00Z", "approved", None),
        ];
        for (seq, customer, opened, status, surveyed) in table {
            crate::store::query(
                "INSERT INTO cases (id, seq, customer_id, order_no, sku, quantity, reason, detail, outcome, status,
                                    decision, created_at, updated_at, survey)
                 VALUES (?, ?, ?, ?, 'COAT', 1, 'changed_mind', 'too big', 'return_refund', ?,
                         '{\"rule\":\"no_reason_return\",\"verdict\":\"approved\"}', ?, ?, ?)",
            )
            .bind(format!("AS-{seq}"))
            .bind(seq)
            .bind(customer)
            .bind(format!("T-{customer}"))
            .bind(status)
            .bind(at(opened))
            .bind(at(opened))
            .bind(surveyed.map(|sent| format!("{{\"sent_at\":\"{sent}\"}}")))
            .execute(&mut tx)
            .await
            .expect("case");
        }
        // AS-1002 closed twice (reopened in between): the first one counts.
        let closings = [
            (1001, "2025-05-20T10:00:00Z"),
            (1002, "2025-06-20T10:00:00Z"),
            (1002, "2025-06-03T10:00:00Z"),
            (1006, "2025-04-05T10:00:00Z"),
        ];
        for (seq, when) in closings {
            let event = Event::Closed { by: None };
            cases::add_event(&mut tx, &CaseId::from_seq(seq), "bot", &event, at(when)).await.expect("closed");
        }
        tx.commit().await.expect("commit");
        (db, store)
    }

    #[tokio::test]
    async fn a_case_closes_at_its_first_closing_event_for_the_report_and_for_the_purge() {
        let (_db, store) = store().await;
        let mut tx = store.write().await.expect("tx");
        let closed: Option<DateTime<Utc>> =
            crate::store::query_scalar("SELECT closed_at FROM cases WHERE id = 'AS-1002'")
                .fetch_one(&mut tx)
                .await
                .expect("row");
        assert_eq!(closed, Some(at("2025-06-03T10:00:00Z")), "kept by the trigger: the first closing");

        // June: opened in it, closed in it, open at its start, refused in it, surveyed in it.
        let june = Period { from: at("2025-06-01T00:00:00Z"), to: at("2025-07-01T00:00:00Z") };
        let rows = report::rows(&mut tx, june).await.expect("rows");
        let ids: Vec<&str> = rows.cases.iter().map(|case| case.id.as_str()).collect();
        assert_eq!(ids, ["AS-1002", "AS-1003", "AS-1005", "AS-1006"]);

        // Customer 1's cases closed before June; customer 2 has AS-1003 open.
        let (purged, files) =
            purge(&mut tx, at("2025-06-01T00:00:00Z"), at("2028-06-02T00:00:00Z")).await.expect("purge");
        assert_eq!((purged.customers, purged.cases, purged.orders, purged.descriptions), (1, 2, 1, 2));
        assert!(files.is_empty());
        let left: Vec<(String, Option<DateTime<Utc>>)> =
            crate::store::query_as("SELECT first_name, purged_at FROM customers ORDER BY id")
                .fetch_all(&mut tx)
                .await
                .expect("rows");
        assert_eq!(left[0].0, "");
        assert_eq!(left[1], ("Wang".to_owned(), None));
        let again = purge(&mut tx, at("2025-06-01T00:00:00Z"), at("2028-06-02T00:00:00Z")).await.expect("purge");
        assert!(again.0.is_empty(), "{again:?}");
    }
}
