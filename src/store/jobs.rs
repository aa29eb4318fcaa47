//! Durable jobs: follow-ups are rows with a due time, not timers in memory,
//! so they survive restarts. A job runs in the same transaction as what it
//! causes and is deleted there, so a crash runs it again or not at all.
//! `key` makes scheduling idempotent: one pending job per key.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::store::{Db, Dialect};

use super::StoreError;
use crate::case::CaseId;
use crate::followup;
use crate::month::Month;

/// What a job does. Stored as a `kind` and a JSON `data` naming what it is
/// about, the same text as before jobs were typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Task {
    /// A follow-up on a case: kind `tracking_nudge`, `survey`, …; data `{"case":"AS-1001"}`.
    Followup(followup::Job, CaseId),
    /// A service-level check on an escalation: kind `sla_ping`, data `{"escalation":7}`.
    SlaPing(i64),
    /// The month's report for the agents' group: kind `monthly_report`,
    /// data `{"month":"2026-11"}`; one pending, whichever month.
    MonthlyReport(Month),
}

/// `data` of a follow-up.
#[derive(Serialize, Deserialize)]
struct OnCase {
    case: CaseId,
}

/// `data` of a service-level check.
#[derive(Serialize, Deserialize)]
struct OnEscalation {
    escalation: i64,
}

/// `data` of the monthly report.
#[derive(Serialize, Deserialize)]
struct OnMonth {
    month: String,
}

const SLA_PING: &str = "sla_ping";
const MONTHLY_REPORT: &str = "monthly_report";

impl Task {
    /// The job's key: one pending job per key (`<kind>:<case>`, `sla:<escalation>`).
    pub fn key(&self) -> String {
        match self {
            Task::Followup(job, case) => job.key(case),
            Task::SlaPing(escalation) => format!("sla:{escalation}"),
            Task::MonthlyReport(_) => MONTHLY_REPORT.to_owned(),
        }
    }

    /// The `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Task::Followup(job, _) => job.kind(),
            Task::SlaPing(_) => SLA_PING,
            Task::MonthlyReport(_) => MONTHLY_REPORT,
        }
    }

    /// The `data` column.
    pub fn data(&self) -> String {
        match self {
            Task::Followup(_, case) => super::to_json(&OnCase { case: case.clone() }),
            Task::SlaPing(escalation) => super::to_json(&OnEscalation { escalation: *escalation }),
            Task::MonthlyReport(month) => super::to_json(&OnMonth { month: month.to_string() }),
        }
    }

    /// A task as stored; a kind or data this build does not know is corrupt.
    pub fn read(kind: &str, data: &str) -> Result<Task, StoreError> {
        let corrupt = || StoreError::Corrupt { what: "job", detail: format!("{kind} {data}") };
        if kind == SLA_PING {
            let on: OnEscalation = serde_json::from_str(data).map_err(|_| corrupt())?;
            return Ok(Task::SlaPing(on.escalation));
        }
        if kind == MONTHLY_REPORT {
            let on: OnMonth = serde_json::from_str(data).map_err(|_| corrupt())?;
            return Month::parse(&on.month).map(Task::MonthlyReport).ok_or_else(corrupt);
        }
        let job = followup::Job::from_kind(kind).ok_or_else(corrupt)?;
        let on: OnCase = serde_json::from_str(data).map_err(|_| corrupt())?;
        Ok(Task::Followup(job, on.case))
    }
}

/// A pending job as stored.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct Job {
    pub id: i64,
    pub key: String,
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub data: String,
    pub attempts: i64,
}

impl Job {
    /// What the job does.
    pub fn task(&self) -> Result<Task, StoreError> {
        Task::read(&self.kind, &self.data)
    }
}

/// Schedules (or moves) `task`.
pub async fn schedule(conn: &mut Db, task: &Task, due_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), StoreError> {
    put(conn, &task.key(), task.kind(), due_at, &task.data(), now, REPLACE).await
}

/// Schedules `task` unless a job with its key is pending, however late it
/// is: what a start does for a job that must be neither lost nor repeated.
pub async fn schedule_if_missing(
    conn: &mut Db,
    task: &Task,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    put(conn, &task.key(), task.kind(), due_at, &task.data(), now, "ON CONFLICT (key) DO NOTHING").await
}

/// A pending job under the same key is moved (and its failures forgotten).
const REPLACE: &str = "ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at,
                       data = excluded.data, attempts = 0, last_error = NULL";

/// Writes the job row under `key`; `on_conflict` says what happens to a pending one.
async fn put(
    conn: &mut Db,
    key: &str,
    kind: &str,
    due_at: DateTime<Utc>,
    data: &str,
    now: DateTime<Utc>,
    on_conflict: &str,
) -> Result<(), StoreError> {
    crate::store::query(format!(
        "INSERT INTO jobs (key, kind, due_at, data, created_at) VALUES (?, ?, ?, ?, ?) {on_conflict}"
    ))
    .bind(key)
    .bind(kind)
    .bind(due_at)
    .bind(data)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Drops `task`'s pending job, if any.
pub async fn cancel(conn: &mut Db, task: &Task) -> Result<(), StoreError> {
    crate::store::query("DELETE FROM jobs WHERE key = ?").bind(task.key()).execute(&mut *conn).await?;
    Ok(())
}

/// The query behind [`due`], shared with [`due_plan`] so the plan checked is
/// the plan run. Binds: the time, the limit.
const DUE_QUERY: &str =
    "SELECT id, key, kind, due_at, data, attempts FROM jobs WHERE due_at <= ? ORDER BY due_at, id LIMIT ?";

/// Jobs due at `now`, earliest first (through the `jobs_due` index).
pub async fn due(conn: &mut Db, now: DateTime<Utc>, limit: u32) -> Result<Vec<Job>, StoreError> {
    let jobs = crate::store::query_as(DUE_QUERY).bind(now).bind(i64::from(limit)).fetch_all(&mut *conn).await?;
    Ok(jobs)
}

/// The database's plan for [`due`]'s query, one line a step: SQLite's
/// `EXPLAIN QUERY PLAN` details (e.g. `SEARCH jobs USING INDEX jobs_due
/// (due_at<?)`) or PostgreSQL's `EXPLAIN` lines.
pub async fn due_plan(conn: &mut Db) -> Result<String, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Step {
        detail: String,
    }
    // The planner does not look at bound values; these only fill the slots.
    let lines = match conn.dialect() {
        Dialect::Sqlite => crate::store::query_as::<Step>(format!("EXPLAIN QUERY PLAN {DUE_QUERY}"))
            .bind(DateTime::<Utc>::UNIX_EPOCH)
            .bind(1_i64)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|step| step.detail)
            .collect(),
        Dialect::Postgres => {
            crate::store::query_scalar::<String>(format!("EXPLAIN {DUE_QUERY}"))
                .bind(DateTime::<Utc>::UNIX_EPOCH)
                .bind(1_i64)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    Ok(lines.join("\n"))
}

/// How many jobs are due at `now` and not yet run.
pub async fn due_count(conn: &mut Db, now: DateTime<Utc>) -> Result<i64, StoreError> {
    let count =
        crate::store::query_scalar("SELECT count(*) FROM jobs WHERE due_at <= ?").bind(now).fetch_one(conn).await?;
    Ok(count)
}

/// When the next job comes due.
pub async fn next_due(conn: &mut Db) -> Result<Option<DateTime<Utc>>, StoreError> {
    let at = crate::store::query_scalar("SELECT due_at FROM jobs ORDER BY due_at, id LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(at)
}

/// Removes a job that ran, unless it was rescheduled under its key meanwhile
/// (then its due time moved and the row is the new job).
pub async fn done(conn: &mut Db, job: &Job) -> Result<(), StoreError> {
    crate::store::query("DELETE FROM jobs WHERE id = ? AND due_at = ?")
        .bind(job.id)
        .bind(job.due_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Puts a failed job back until `not_before`, with its error.
pub async fn retry(conn: &mut Db, id: i64, error: &str, not_before: DateTime<Utc>) -> Result<(), StoreError> {
    crate::store::query("UPDATE jobs SET attempts = attempts + 1, last_error = ?, due_at = ? WHERE id = ?")
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
    use crate::store::scratch;
    use chrono::TimeDelta;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-03-01T10:00:00Z").expect("time").to_utc()
    }

    #[tokio::test]
    async fn jobs_come_due_in_order_and_one_per_key() {
        let (_db, store) = crate::store::scratch::store().await;
        let mut tx = store.write().await.expect("tx");
        schedule(&mut tx, &Task::SlaPing(2), t0() + TimeDelta::minutes(5), t0()).await.expect("schedule");
        schedule(&mut tx, &Task::SlaPing(1), t0() + TimeDelta::minutes(30), t0()).await.expect("schedule");
        // Rescheduling a key moves its job instead of adding one.
        schedule(&mut tx, &Task::SlaPing(1), t0() + TimeDelta::minutes(1), t0()).await.expect("schedule");
        assert!(due(&mut tx, t0(), 10).await.expect("due").is_empty());
        let jobs = due(&mut tx, t0() + TimeDelta::minutes(10), 10).await.expect("due");
        assert_eq!(jobs.iter().map(|job| job.key.as_str()).collect::<Vec<_>>(), ["sla:1", "sla:2"]);
        assert_eq!(next_due(&mut tx).await.expect("next"), Some(t0() + TimeDelta::minutes(1)));

        // A job rescheduled while it ran survives its `done`.
        schedule(&mut tx, &Task::SlaPing(1), t0() + TimeDelta::hours(1), t0()).await.expect("schedule");
        done(&mut tx, &jobs[0]).await.expect("done");
        done(&mut tx, &jobs[1]).await.expect("done");
        assert_eq!(next_due(&mut tx).await.expect("next"), Some(t0() + TimeDelta::hours(1)));
        cancel(&mut tx, &Task::SlaPing(1)).await.expect("cancel");
        assert_eq!(next_due(&mut tx).await.expect("next"), None);

        // Scheduling if missing leaves a pending job where it is, however late.
        let november = Task::MonthlyReport(Month::parse("2026-11").expect("a month"));
        schedule_if_missing(&mut tx, &november, t0(), t0()).await.expect("schedule");
        let december = Task::MonthlyReport(Month::parse("2026-12").expect("a month"));
        schedule_if_missing(&mut tx, &december, t0() + TimeDelta::days(30), t0()).await.expect("schedule");
        let pending = due(&mut tx, t0() + TimeDelta::days(60), 10).await.expect("due");
        assert_eq!(
            pending.iter().map(|job| (job.due_at, job.task().expect("a task"))).collect::<Vec<_>>(),
            [(t0(), november)]
        );
    }

    async fn open_store() -> (scratch::Guard, Store) {
        scratch::store().await
    }

    #[test]
    fn tasks_are_stored_as_before_and_read_back_as_themselves() {
        let case = || CaseId::from_seq(1001);
        let table = [
            (Task::Followup(followup::Job::TrackingNudge, case()), "tracking_nudge:AS-1001", "tracking_nudge"),
            (Task::Followup(followup::Job::TrackingEscalate, case()), "tracking_escalate:AS-1001", "tracking_escalate"),
            (Task::Followup(followup::Job::Poll, case()), "tracking_poll:AS-1001", "tracking_poll"),
            (Task::Followup(followup::Job::NoScan, case()), "no_scan:AS-1001", "no_scan"),
            (Task::Followup(followup::Job::RefundDue, case()), "refund_due:AS-1001", "refund_due"),
            (Task::Followup(followup::Job::IssueRefund, case()), "issue_refund:AS-1001", "issue_refund"),
            (Task::Followup(followup::Job::Progress, case()), "progress:AS-1001", "progress"),
            (Task::Followup(followup::Job::Survey, case()), "survey:AS-1001", "survey"),
            (Task::Followup(followup::Job::SurveyReminder, case()), "survey_reminder:AS-1001", "survey_reminder"),
        ];
        assert_eq!(table.len(), followup::Job::ALL.len(), "every follow-up");
        for (task, key, kind) in table {
            assert_eq!((task.key().as_str(), task.kind(), task.data().as_str()), (key, kind, r#"{"case":"AS-1001"}"#));
            assert_eq!(Task::read(kind, r#"{"case":"AS-1001"}"#).expect("read back"), task);
        }
        let ping = Task::SlaPing(7);
        assert_eq!(
            (ping.key().as_str(), ping.kind(), ping.data().as_str()),
            ("sla:7", "sla_ping", r#"{"escalation":7}"#)
        );
        assert_eq!(Task::read("sla_ping", r#"{"escalation":7}"#).expect("read back"), ping);
        let monthly = Task::MonthlyReport(Month::parse("2026-11").expect("a month"));
        let stored = ("monthly_report", "monthly_report", r#"{"month":"2026-11"}"#);
        assert_eq!((monthly.key().as_str(), monthly.kind(), monthly.data().as_str()), stored);
        assert_eq!(Task::read(stored.1, stored.2).expect("read back"), monthly);
        for (kind, data) in [
            ("monthly_report", r#"{"month":"November"}"#),
            ("teleport", r#"{"case":"AS-1001"}"#),
            ("survey", "{}"),
            ("sla_ping", r#"{"case":"AS-1"}"#),
            ("survey", "not json"),
        ] {
            assert!(matches!(Task::read(kind, data), Err(StoreError::Corrupt { what: "job", .. })), "{kind} {data}");
        }
    }

    #[tokio::test]
    async fn due_jobs_are_found_through_the_index() {
        let (_db, store) = open_store().await;
        let mut tx = store.write().await.expect("tx");
        match tx.dialect() {
            Dialect::Sqlite => {
                let plan = due_plan(&mut tx).await.expect("plan");
                assert!(
                    plan.contains("USING INDEX jobs_due") || plan.contains("USING COVERING INDEX jobs_due"),
                    "due() does not use the jobs_due index:\n{plan}"
                );
                assert!(!plan.contains("SCAN jobs"), "due() scans the table:\n{plan}");
                assert!(!plan.contains("USE TEMP B-TREE"), "due() sorts outside the index:\n{plan}");
            }
            // PostgreSQL costs its plans: on an empty table it may well
            // read the table; it must at least be able to use the index.
            Dialect::Postgres => {
                crate::store::query("SET enable_seqscan = off").execute(&mut tx).await.expect("set");
                let plan = due_plan(&mut tx).await.expect("plan");
                assert!(plan.contains("jobs_due"), "due() cannot use the jobs_due index:\n{plan}");
                assert!(!plan.contains("Sort"), "due() sorts outside the index:\n{plan}");
            }
        }
    }

    /// Deterministic pseudo-random numbers (a 64-bit LCG), so a failure repeats.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    /// Adds jobs in batches of one multi-row INSERT each (`schedule` one by
    /// one is slow in a debug build), binding times as `schedule` does.
    async fn insert_many(conn: &mut Db, jobs: &[(String, DateTime<Utc>)], now: DateTime<Utc>) {
        for batch in jobs.chunks(1_000) {
            let rows = vec!["(?, 'followup', ?, '{\"n\":1}', ?)"; batch.len()].join(", ");
            let mut insert =
                crate::store::query(format!("INSERT INTO jobs (key, kind, due_at, data, created_at) VALUES {rows}"));
            for (key, due_at) in batch {
                insert = insert.bind(key).bind(*due_at).bind(now);
            }
            insert.execute(&mut *conn).await.expect("insert jobs");
        }
    }

    #[tokio::test]
    async fn due_and_next_due_among_many_pending() {
        const JOBS: usize = 20_000;
        let (_db, store) = open_store().await;
        let now = t0();
        let mut rng = Lcg(0x5eed);
        let data = r#"{"n":1}"#;
        // About 1 in 400 is due (up to a day late); the rest up to 30 days
        // ahead. Some times are whole seconds and some carry milliseconds:
        // the stored text must still sort as time does.
        let mut scheduled = Vec::with_capacity(JOBS + 2);
        for n in 0..JOBS {
            let r = rng.next();
            let millis = if r.is_multiple_of(3) { 0 } else { i64::try_from(r % 1000).expect("small") };
            let due_at = if r.is_multiple_of(400) {
                now - TimeDelta::seconds(i64::try_from(r % 86_400).expect("small")) + TimeDelta::milliseconds(millis)
                    - TimeDelta::seconds(1)
            } else {
                now + TimeDelta::seconds(1 + i64::try_from(r % (30 * 86_400)).expect("small"))
                    + TimeDelta::milliseconds(millis)
            };
            scheduled.push((format!("job:{n}"), due_at));
        }
        let mut tx = store.write().await.expect("tx");
        insert_many(&mut tx, &scheduled, now).await;
        // Through `schedule`: a job due exactly now (which counts), one tied
        // with another due job, and jobs moved earlier (keeping their ids).
        let first_due =
            scheduled.iter().find(|(_, due_at)| *due_at < now).map(|(_, due_at)| *due_at).expect("a due job");
        for (key, due_at) in [("job:now", now), ("job:tie", first_due)] {
            put(&mut tx, key, "followup", due_at, data, now, REPLACE).await.expect("schedule");
            scheduled.push((key.to_owned(), due_at));
        }
        for n in [7, 4_242, 19_999] {
            let moved = now - TimeDelta::minutes(i64::try_from(n % 60).expect("small") + 1);
            put(&mut tx, &scheduled[n].0, "followup", moved, data, now, REPLACE).await.expect("schedule");
            scheduled[n].1 = moved;
        }
        tx.commit().await.expect("commit");

        // Ids follow insertion order, so a stable sort by time is (due_at, id).
        let mut by_time = scheduled.clone();
        by_time.sort_by_key(|(_, due_at)| *due_at);
        let expected: Vec<(String, DateTime<Utc>)> =
            by_time.iter().filter(|(_, due_at)| *due_at <= now).cloned().collect();
        assert!(
            (10..100).contains(&expected.len()),
            "{} due; the test wants some, fewer than the limit",
            expected.len()
        );

        let mut tx = store.write().await.expect("tx");
        let found = due(&mut tx, now, 100).await.expect("due");
        let found_pairs: Vec<(String, DateTime<Utc>)> = found.iter().map(|job| (job.key.clone(), job.due_at)).collect();
        assert_eq!(found_pairs, expected);
        assert!(found.windows(2).all(|pair| (pair[0].due_at, pair[0].id) < (pair[1].due_at, pair[1].id)));
        assert!(found.iter().all(|job| job.kind == "followup" && job.attempts == 0 && job.data == r#"{"n":1}"#));

        // With more due than the limit: the earliest `limit`, in order.
        let later = now + TimeDelta::days(1);
        let found = due(&mut tx, later, 100).await.expect("due");
        let expected_later: Vec<&str> =
            by_time.iter().filter(|(_, due_at)| *due_at <= later).take(100).map(|(key, _)| key.as_str()).collect();
        assert_eq!(expected_later.len(), 100);
        assert_eq!(found.iter().map(|job| job.key.as_str()).collect::<Vec<_>>(), expected_later);

        assert_eq!(next_due(&mut tx).await.expect("next"), Some(by_time[0].1));
        // Once the due ones ran, the earliest pending job is next.
        for job in due(&mut tx, now, 100).await.expect("due") {
            done(&mut tx, &job).await.expect("done");
        }
        assert!(due(&mut tx, now, 100).await.expect("due").is_empty());
        assert_eq!(next_due(&mut tx).await.expect("next"), Some(by_time[expected.len()].1));
    }
}
