//! Updates already applied, so that a redelivered one is skipped.

use crate::store::Db;
use chrono::{DateTime, Utc};

use crate::store::StoreError;

/// Records the update; `false` when it was recorded before (a redelivery).
pub async fn claim(conn: &mut Db, channel: &str, update_id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let inserted = crate::store::query(
        "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES (?, ?, ?)
         ON CONFLICT (channel, update_id) DO NOTHING",
    )
    .bind(channel)
    .bind(update_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}
