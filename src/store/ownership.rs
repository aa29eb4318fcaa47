//! Proof that an order belongs to the customer: the wrong answers per order
//! and chat, locks after too many of them, the once-per-window alert when an
//! order draws too many from all chats, and the audit log of attempts.

use crate::store::{Db, Dialect};
use chrono::{DateTime, Utc};

use crate::order::OrderNo;
use crate::store::{StoreError, from_json};

/// A wrong answer about `order`'s phone digits from this customer's chat.
pub async fn record_failure(
    conn: &mut Db,
    customer_id: i64,
    order: &OrderNo,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::store::query("INSERT INTO proof_failures (order_no, customer_id, at) VALUES (?, ?, ?)")
        .bind(order.as_str())
        .bind(customer_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Wrong answers about `order` since `since`: from this customer's chat (as
/// far back as `chat_since`), from all chats, and how many chats gave them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    pub here: u32,
    pub everywhere: u32,
    pub chats: u32,
}

/// Since when wrong answers about an order count: from this customer's
/// chat (the lock time), and from all chats.
#[derive(Clone, Copy, Debug)]
pub struct ProofWindows {
    pub chat_since: DateTime<Utc>,
    pub since: DateTime<Utc>,
}

/// Where the customer stands with `order`: the lock on their chat, if any,
/// and the wrong answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub locked_until: Option<DateTime<Utc>>,
    pub failures: Failures,
}

pub async fn standing(
    conn: &mut Db,
    customer_id: i64,
    order: &OrderNo,
    windows: ProofWindows,
) -> Result<Standing, StoreError> {
    let row: StandingRow =
        crate::store::query_as(format!("SELECT {}", standing_columns(conn.dialect(), "?1", "?2", "?3", "?4")))
            .bind(customer_id)
            .bind(order.as_str())
            .bind(windows.chat_since)
            .bind(windows.since)
            .fetch_one(&mut *conn)
            .await?;
    row.read()
}

/// [`Standing`] as two columns of a SELECT, read by [`StandingRow`]; the
/// placeholders name the customer, the order, and since when wrong answers
/// count in this chat and in all of them.
pub(super) fn standing_columns(dialect: Dialect, customer: &str, order: &str, chat_since: &str, since: &str) -> String {
    let counts = dialect.json_column(&dialect.json_array(&format!(
        "COALESCE(SUM(CASE WHEN customer_id = {customer} AND at >= {chat_since} THEN 1 ELSE 0 END), 0), COUNT(*),
         COUNT(DISTINCT customer_id)"
    )));
    format!(
        "(SELECT until FROM order_locks WHERE customer_id = {customer} AND order_no = {order}) AS locked_until,
         (SELECT {counts}
          FROM proof_failures WHERE order_no = {order} AND at >= {since}) AS failures"
    )
}

#[derive(sqlx::FromRow)]
pub(super) struct StandingRow {
    locked_until: Option<DateTime<Utc>>,
    /// Here, everywhere, chats.
    failures: String,
}

impl StandingRow {
    pub(super) fn read(self) -> Result<Standing, StoreError> {
        let (here, everywhere, chats): (i64, i64, i64) = from_json("wrong answers", &self.failures)?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(Standing {
            locked_until: self.locked_until,
            failures: Failures { here: count(here), everywhere: count(everywhere), chats: count(chats) },
        })
    }
}

/// Records an alert about `order`; false when one was recorded since `since`.
pub async fn claim_alert(
    conn: &mut Db,
    order: &OrderNo,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let seen: Option<i32> = crate::store::query_scalar("SELECT 1 FROM proof_alerts WHERE order_no = ? AND at >= ?")
        .bind(order.as_str())
        .bind(since)
        .fetch_optional(&mut *conn)
        .await?;
    if seen.is_some() {
        return Ok(false);
    }
    crate::store::query("INSERT INTO proof_alerts (order_no, at) VALUES (?, ?)")
        .bind(order.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

pub async fn lock(conn: &mut Db, customer_id: i64, order: &OrderNo, until: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query(
        "INSERT INTO order_locks (customer_id, order_no, until) VALUES (?, ?, ?)
         ON CONFLICT (customer_id, order_no) DO UPDATE SET until = excluded.until",
    )
    .bind(customer_id)
    .bind(order.as_str())
    .bind(until)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn audit(
    conn: &mut Db,
    customer_id: i64,
    kind: &str,
    data: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::store::query("INSERT INTO audit (at, customer_id, kind, data) VALUES (?, ?, ?, ?)")
        .bind(now)
        .bind(customer_id)
        .bind(kind)
        .bind(data.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
