//! Flags on cases: threats and service complaints, for the shop owner.

use crate::store::Db;
use chrono::{DateTime, Utc};

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
    conn: &mut Db,
    customer_id: i64,
    case: Option<&CaseId>,
    kind: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::store::query("INSERT INTO flags (customer_id, case_id, kind, text, at) VALUES (?, ?, ?, ?, ?)")
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
pub async fn for_case(conn: &mut Db, case: &CaseId) -> Result<Vec<Flag>, StoreError> {
    Ok(crate::store::query_as("SELECT kind, text, at FROM flags WHERE case_id = ? ORDER BY id")
        .bind(case.as_str())
        .fetch_all(&mut *conn)
        .await?)
}
