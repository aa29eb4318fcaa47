//! Updates already applied, so that a redelivered one is skipped.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::store::{StoreError, to_json};

/// Records the update; `false` when it was recorded before (a redelivery).
pub async fn claim(
    conn: &mut SqliteConnection,
    channel: &str,
    update_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(!claim_all(conn, channel, &[update_id], now).await?.is_empty())
}

/// Records the updates in one statement (a batch of them commits together);
/// the ids that were not recorded before.
pub async fn claim_all(
    conn: &mut SqliteConnection,
    channel: &str,
    update_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<HashSet<i64>, StoreError> {
    // `WHERE true` tells SQLite's parser the ON CONFLICT is the upsert's.
    let fresh: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO processed_updates (channel, update_id, processed_at)
         SELECT ?1, value, ?2 FROM json_each(?3) WHERE true
         ON CONFLICT (channel, update_id) DO NOTHING RETURNING update_id",
    )
    .bind(channel)
    .bind(now)
    .bind(to_json(&update_ids))
    .fetch_all(&mut *conn)
    .await?;
    Ok(fresh.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[tokio::test]
    async fn a_batch_is_claimed_in_one_go_and_only_its_new_updates_are_fresh() {
        let store = Store::open("sqlite::memory:").await.expect("store");
        let mut tx = store.write().await.expect("tx");
        let now = Utc::now();
        assert!(claim(&mut tx, "telegram", 7, now).await.expect("claim"));
        let fresh = claim_all(&mut tx, "telegram", &[5, 7, 9], now).await.expect("claim all");
        assert_eq!(fresh, HashSet::from([5, 9]));
        assert!(claim_all(&mut tx, "telegram", &[5, 9], now).await.expect("again").is_empty());
        assert!(claim(&mut tx, "terminal", 7, now).await.expect("another channel"), "ids are per channel");
        assert!(claim_all(&mut tx, "telegram", &[], now).await.expect("none").is_empty());
    }
}
