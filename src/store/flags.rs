//! Flags on cases: threats and service complaints, for the shop owner.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::case::CaseId;
use crate::store::StoreError;

/// A flag as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Flag {
    pub kind: String,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// Records a flag on the customer's case (or on the customer alone).
pub async fn record(
    conn: &mut SqliteConnection,
    customer_id: i64,
    case: Option<&CaseId>,
    kind: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO flags (customer_id, case_id, kind, text, at) VALUES (?, ?, ?, ?, ?)")
        .bind(customer_id)
        .bind(case.map(CaseId::as_str))
        .bind(kind)
        .bind(text)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A case's flags, oldest first.
pub async fn for_case(conn: &mut SqliteConnection, case: &CaseId) -> Result<Vec<Flag>, StoreError> {
    Ok(sqlx::query_as("SELECT kind, text, at FROM flags WHERE case_id = ? ORDER BY id")
        .bind(case.as_str())
        .fetch_all(&mut *conn)
        .await?)
}
