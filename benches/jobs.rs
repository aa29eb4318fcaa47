//! Finding due jobs among many pending ones: `jobs::due` and `jobs::next_due`
//! at 10,000 and at 1,000,000 pending jobs, 100 of them due. Both go through
//! the `jobs_due` index, so the time should not grow with the table.
//! Run by scripts/bench.sh.

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;

use aftersales::store::{Store, jobs};

const DUE: i64 = 100;
const SIZES: [i64; 2] = [10_000, 1_000_000];

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-03-01T10:00:00Z").expect("time").to_utc()
}

/// `pending` jobs, `DUE` of them due (spread through the ids, up to a day
/// late), the rest due within 30 days, in one statement. Times are written
/// as sqlx writes them (`2025-03-01T10:00:00+00:00`), so they compare as the
/// store's own.
async fn fill(store: &Store, pending: i64) {
    let every = pending / DUE;
    let mut tx = store.write().await.expect("tx");
    // Room for the indexes in memory while they grow in random order.
    aftersales::store::query("PRAGMA cache_size = -262144").execute(&mut tx).await.expect("cache size");
    aftersales::store::query(
        "INSERT INTO jobs (key, kind, due_at, data, created_at)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         SELECT 'bench:' || i, 'bench',
                strftime('%Y-%m-%dT%H:%M:%S+00:00', ?2,
                         CASE WHEN i % ?3 = 0 THEN '-' || (i * 7919 % 86400 + 1) || ' seconds'
                              ELSE '+' || (i * 7919 % 2592000 + 1) || ' seconds' END),
                '{}', ?2
         FROM n",
    )
    .bind(pending)
    .bind(now().format("%Y-%m-%d %H:%M:%S").to_string())
    .bind(every)
    .execute(&mut tx)
    .await
    .expect("fill jobs");
    tx.commit().await.expect("commit");
}

fn bench(c: &mut Criterion) {
    let runtime = Runtime::new().expect("tokio runtime");
    // sqlx hands connections back to their pool on a task when dropped.
    let _context = runtime.enter();
    let mut group = c.benchmark_group("jobs");
    let at = now();
    for pending in SIZES {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, mut conn) = runtime.block_on(async {
            let store =
                Store::open(&format!("sqlite://{}", dir.path().join("jobs.db").display())).await.expect("store");
            let started = std::time::Instant::now();
            fill(&store, pending).await;
            let filled = started.elapsed();
            let mut conn = store.read().await.expect("reader");
            let rows: i64 =
                aftersales::store::query_scalar("SELECT COUNT(*) FROM jobs").fetch_one(&mut conn).await.expect("count");
            let due = jobs::due(&mut conn, now(), 1000).await.expect("due");
            let next = jobs::next_due(&mut conn).await.expect("next").expect("a job");
            println!("jobs: {rows} pending, {} due (filled in {filled:.2?}); next due {next}", due.len());
            assert_eq!((rows, due.len() as i64), (pending, DUE));
            assert_eq!(Some(next), due.first().map(|job| job.due_at));
            (store, conn)
        });
        group.bench_with_input(BenchmarkId::new("due_100", pending), &pending, |b, _| {
            b.iter(|| runtime.block_on(jobs::due(&mut conn, black_box(at), 100)).expect("due"))
        });
        group.bench_with_input(BenchmarkId::new("next_due", pending), &pending, |b, _| {
            b.iter(|| runtime.block_on(jobs::next_due(&mut conn)).expect("next"))
        });
        drop(conn);
        drop(store);
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
