//! Return parcels (one per approved return or exchange), events the shop's
//! systems pushed (by id), and refunds asked of the shop's refund system.

use crate::store::Db;
use chrono::{DateTime, Utc};

use super::{StoreError, to_json};
use crate::case::CaseId;
use crate::followup::{Return, Stage};
use crate::money::{Currency, Money};

fn parse(state: &str) -> Result<Return, StoreError> {
    serde_json::from_str(state).map_err(|error| StoreError::Corrupt { what: "return", detail: error.to_string() })
}

/// Stores the return's new state.
pub async fn save(conn: &mut Db, customer_id: i64, ret: &Return, now: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query(
        "INSERT INTO returns (case_id, customer_id, stage, tracking_no, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (case_id) DO UPDATE SET stage = excluded.stage, tracking_no = excluded.tracking_no,
                                             state = excluded.state, updated_at = excluded.updated_at",
    )
    .bind(ret.case.as_str())
    .bind(customer_id)
    .bind(ret.stage.code())
    .bind(ret.parcel.as_ref().map(|parcel| parcel.number.as_str()))
    .bind(to_json(ret))
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The case's return and its customer.
pub async fn get(conn: &mut Db, case: &CaseId) -> Result<Option<(i64, Return)>, StoreError> {
    let row: Option<(i64, String)> = crate::store::query_as("SELECT customer_id, state FROM returns WHERE case_id = ?")
        .bind(case.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|(customer, state)| Ok((customer, parse(&state)?))).transpose()
}

/// The cases whose return parcel has this tracking number.
pub async fn by_tracking(conn: &mut Db, number: &str) -> Result<Vec<CaseId>, StoreError> {
    let ids: Vec<String> =
        crate::store::query_scalar("SELECT case_id FROM returns WHERE tracking_no = ? ORDER BY case_id")
            .bind(number)
            .fetch_all(&mut *conn)
            .await?;
    Ok(ids.iter().map(|id| CaseId::from_trusted(id)).collect())
}

/// The customer's returns not done yet, oldest first, each with its item's
/// name (the SKU when the order line is gone).
pub async fn in_progress(conn: &mut Db, customer_id: i64) -> Result<Vec<(Return, String)>, StoreError> {
    let rows: Vec<(String, String)> = crate::store::query_as(
        "SELECT r.state, coalesce(l.item_name, c.sku) FROM returns r
         JOIN cases c ON c.id = r.case_id
         LEFT JOIN order_lines l ON l.order_no = c.order_no AND l.sku = c.sku
         WHERE r.customer_id = ? AND r.stage != ? ORDER BY r.created_at, c.seq",
    )
    .bind(customer_id)
    .bind(Stage::Done.code())
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(|(state, item)| Ok((parse(&state)?, item))).collect()
}

/// Records a pushed event's id; false when it was seen before.
pub async fn claim_event(conn: &mut Db, event_id: &str, kind: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let done = crate::store::query(
        "INSERT INTO pushed_events (event_id, kind, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(event_id)
    .bind(kind)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A refund asked of the shop's system, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRow {
    pub case: CaseId,
    pub key: String,
    pub amount: Money,
    pub status: RefundStatus,
}

/// Where a refund asked of the shop's system stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundStatus {
    /// Asked; no answer yet (a call may be retried with the same key).
    Requested,
    Issued,
    Refused,
}

impl RefundStatus {
    pub fn code(self) -> &'static str {
        match self {
            RefundStatus::Requested => "requested",
            RefundStatus::Issued => "issued",
            RefundStatus::Refused => "refused",
        }
    }

    fn from_code(code: &str) -> Option<RefundStatus> {
        [RefundStatus::Requested, RefundStatus::Issued, RefundStatus::Refused]
            .into_iter()
            .find(|status| status.code() == code)
    }
}

/// The refund system's answer, as the store keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled<'a> {
    /// Paid, with the system's (or the agent's) reference.
    Issued { reference: Option<&'a str> },
    /// Refused, with why.
    Refused { why: &'a str },
}

/// Asks for the case's refund once: the idempotency key is the case's, so
/// however often it is sent, the shop's system pays once.
pub async fn request_refund(
    conn: &mut Db,
    case: &CaseId,
    amount: Money,
    now: DateTime<Utc>,
) -> Result<RefundRow, StoreError> {
    let key = format!("refund-{}", case.as_str());
    crate::store::query(
        "INSERT INTO refunds (case_id, idempotency_key, amount_minor, currency, status, requested_at)
         VALUES (?, ?, ?, ?, 'requested', ?) ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(case.as_str())
    .bind(&key)
    .bind(amount.minor)
    .bind(amount.currency.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    refund(conn, case).await?.ok_or_else(|| StoreError::Corrupt { what: "refund", detail: case.to_string() })
}

pub async fn refund(conn: &mut Db, case: &CaseId) -> Result<Option<RefundRow>, StoreError> {
    let row: Option<(String, i64, String, String)> =
        crate::store::query_as("SELECT idempotency_key, amount_minor, currency, status FROM refunds WHERE case_id = ?")
            .bind(case.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|(key, minor, currency, status)| {
        let currency = Currency::parse(&currency)
            .map_err(|_| StoreError::Corrupt { what: "refund currency", detail: currency })?;
        let status = RefundStatus::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt { what: "refund status", detail: status.clone() })?;
        Ok(RefundRow { case: case.clone(), key, amount: Money::new(minor, currency), status })
    })
    .transpose()
}

/// The refund system's answer.
pub async fn settle_refund(
    conn: &mut Db,
    case: &CaseId,
    settled: Settled<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (status, reference, error) = match settled {
        Settled::Issued { reference } => (RefundStatus::Issued, reference, None),
        Settled::Refused { why } => (RefundStatus::Refused, None, Some(why)),
    };
    crate::store::query("UPDATE refunds SET status = ?, reference = ?, error = ?, settled_at = ? WHERE case_id = ?")
        .bind(status.code())
        .bind(reference)
        .bind(error)
        .bind(now)
        .bind(case.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
