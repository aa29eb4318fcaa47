//! Durable jobs: follow-ups are rows with a due time, not timers in memory,
//! so they survive restarts. A job runs in the same transaction as what it
//! causes and is deleted there, so a crash runs it again or not at all.
//! `key` makes scheduling idempotent: one pending job per key.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection};

use super::StoreError;

#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Job {
    pub id: i64,
    pub key: String,
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub data: String,
    pub attempts: i64,
}

/// Schedules (or moves) the job with `key`.
pub async fn schedule(
    conn: &mut SqliteConnection,
    key: &str,
    kind: &str,
    due_at: DateTime<Utc>,
    data: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO jobs (key, kind, due_at, data, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at, data = excluded.data,
                                         attempts = 0, last_error = NULL",
    )
    .bind(key)
    .bind(kind)
    .bind(due_at)
    .bind(data.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Drops the job with `key`, if any.
pub async fn cancel(conn: &mut SqliteConnection, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM jobs WHERE key = ?").bind(key).execute(&mut *conn).await?;
    Ok(())
}

/// Jobs due at `now`, earliest first (through the `jobs_due` index).
pub async fn due(conn: &mut SqliteConnection, now: DateTime<Utc>, limit: u32) -> Result<Vec<Job>, StoreError> {
    let jobs = sqlx::query_as(
        "SELECT id, key, kind, due_at, data, attempts FROM jobs WHERE due_at <= ? ORDER BY due_at, id LIMIT ?",
    )
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    Ok(jobs)
}

/// When the next job comes due.
pub async fn next_due(conn: &mut SqliteConnection) -> Result<Option<DateTime<Utc>>, StoreError> {
    let at =
        sqlx::query_scalar("SELECT due_at FROM jobs ORDER BY due_at, id LIMIT 1").fetch_optional(&mut *conn).await?;
    Ok(at)
}

/// Removes a job that ran, unless it was rescheduled under its key meanwhile
/// (then its due time moved and the row is the new job).
pub async fn done(conn: &mut SqliteConnection, job: &Job) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM jobs WHERE id = ? AND due_at = ?")
        .bind(job.id)
        .bind(job.due_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Puts a failed job back until `not_before`, with its error.
pub async fn retry(
    conn: &mut SqliteConnection,
    id: i64,
    error: &str,
    not_before: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE jobs SET attempts = attempts + 1, last_error = ?, due_at = ? WHERE id = ?")
        .bind(error)
        .bind(not_before)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use chrono::TimeDelta;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-03-01T10:00:00Z").expect("time").to_utc()
    }

    #[tokio::test]
    async fn jobs_come_due_in_order_and_one_per_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&format!("sqlite://{}", dir.path().join("jobs.db").display())).await.expect("store");
        let mut tx = store.write().await.expect("tx");
        let data = serde_json::json!({});
        schedule(&mut tx, "sla:2", "sla", t0() + TimeDelta::minutes(5), &data, t0()).await.expect("schedule");
        schedule(&mut tx, "sla:1", "sla", t0() + TimeDelta::minutes(30), &data, t0()).await.expect("schedule");
        // Rescheduling a key moves its job instead of adding one.
        schedule(&mut tx, "sla:1", "sla", t0() + TimeDelta::minutes(1), &data, t0()).await.expect("schedule");
        assert!(due(&mut tx, t0(), 10).await.expect("due").is_empty());
        let jobs = due(&mut tx, t0() + TimeDelta::minutes(10), 10).await.expect("due");
        assert_eq!(jobs.iter().map(|job| job.key.as_str()).collect::<Vec<_>>(), ["sla:1", "sla:2"]);
        assert_eq!(next_due(&mut tx).await.expect("next"), Some(t0() + TimeDelta::minutes(1)));

        // A job rescheduled while it ran survives its `done`.
        schedule(&mut tx, "sla:1", "sla", t0() + TimeDelta::hours(1), &data, t0()).await.expect("schedule");
        done(&mut tx, &jobs[0]).await.expect("done");
        done(&mut tx, &jobs[1]).await.expect("done");
        assert_eq!(next_due(&mut tx).await.expect("next"), Some(t0() + TimeDelta::hours(1)));
        cancel(&mut tx, "sla:1").await.expect("cancel");
        assert_eq!(next_due(&mut tx).await.expect("next"), None);
    }
}
