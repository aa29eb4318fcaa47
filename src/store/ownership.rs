//! Proof that an order belongs to the customer: locks after too many wrong
//! answers, and the audit log of attempts.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::order::OrderNo;
use crate::store::StoreError;

pub async fn locked_until(
    conn: &mut SqliteConnection,
    customer_id: i64,
    order: &OrderNo,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(sqlx::query_scalar("SELECT until FROM order_locks WHERE customer_id = ? AND order_no = ?")
        .bind(customer_id)
        .bind(order.as_str())
        .fetch_optional(&mut *conn)
        .await?)
}

pub async fn lock(
    conn: &mut SqliteConnection,
    customer_id: i64,
    order: &OrderNo,
    until: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
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
    conn: &mut SqliteConnection,
    customer_id: i64,
    kind: &str,
    data: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit (at, customer_id, kind, data) VALUES (?, ?, ?, ?)")
        .bind(now)
        .bind(customer_id)
        .bind(kind)
        .bind(data.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
