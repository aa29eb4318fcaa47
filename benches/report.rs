//! `aftersales report` over a large store: 1,000,000 cases and 3,000,000
//! timeline events (with their orders, lines, retention offers, return
//! parcels and hand-overs) spread over three years, then one month in the
//! middle reported. Prints the seeding time, the database's size, the
//! store's read and the build in process, and the whole command as a shop
//! runs it. The goal is under 2 s for the month. Run by scripts/bench.sh.
//!
//! Seeding takes a while, so the seeded file is kept under `target/tmp`,
//! named by a hash of the migrations and of this seed: a rerun reuses it,
//! a new migration seeds afresh.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use tokio::runtime::Runtime;

use aftersales::config::Config;
use aftersales::report::{self, Period};
use aftersales::store::{Store, report as rows};

/// Cases, unless `BENCH_REPORT_CASES` says otherwise (a quick try of the seed).
const CASES: i64 = 1_000_000;
/// Customers: one for every four cases.
const CASES_PER_CUSTOMER: i64 = 4;
/// 2024-01-01T00:00:00Z: the first order is delivered then, and the
/// orders (one per case and as many without) fill the next three years.
const START: i64 = 1_704_067_200;
const SPAN: i64 = 1095 * 86_400;
/// Bump when the seed below changes, so that a cached file is not reused.
const SEED_VERSION: &str = "1";
/// June 2025 in the shop's zone (Asia/Shanghai), half way through.
const MONTH: &str = "2025-06";
const FROM: &str = "2025-05-31T16:00:00Z";
const TO: &str = "2025-06-30T16:00:00Z";
const RUNS: usize = 3;

/// A time `seconds` after the Unix epoch, as the store writes times.
fn at(seconds: &str) -> String {
    format!("strftime('%Y-%m-%dT%H:%M:%S+00:00', {seconds}, 'unixepoch')")
}

/// The seed, one statement per table, over `n(i)` (0 ≤ i < CASES) and
/// `orders_n(i)` (0 ≤ i < ORDERS). Case `i` is on order `2i`, opened three
/// days after its delivery; most close 2–15 days later, one in twenty is
/// refused, one in twenty kept for a coupon, and the last 60 days' cases
/// (and one in a thousand of the older ones) are still open.
fn seed_sql() -> Vec<String> {
    let cases = cases();
    let customers = cases / CASES_PER_CUSTOMER;
    let order_every = SPAN / (2 * cases);
    let delivered = format!("{START} + i * {order_every}");
    let created = format!("({START} + 2 * i * {order_every} + 259200)");
    let closed = format!("({created} + (2 + i % 14) * 86400)");
    // The last 60 days of the three years are still being worked on.
    let open_from = START + 2 * cases * order_every - 60 * 86_400;
    let status = format!(
        "CASE WHEN {created} >= {open_from} OR i % 1000 = 7 THEN (CASE WHEN i % 2 = 0 THEN 'approved' ELSE 'needs_review' END)
              WHEN i % 20 = 0 THEN 'not_eligible' WHEN i % 20 = 1 THEN 'retained' ELSE 'closed' END"
    );
    let reasons = "json_array('changed_mind', 'wrong_size_ordered', 'no_longer_needed', 'found_cheaper',
                              'quality_defect', 'not_as_described', 'damaged_in_transit', 'missing_items')";
    let categories = "json_array('clothing', 'electronics', 'home', 'bags', 'shoes')";
    let carriers = "json_array('sf', 'yto', 'zto', 'jd', 'ems')";
    vec![
        "CREATE TEMP TABLE n (i INTEGER PRIMARY KEY)".into(),
        format!("INSERT INTO n WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i + 1 < {cases}) SELECT i FROM r"),
        "CREATE TEMP TABLE orders_n (i INTEGER PRIMARY KEY)".into(),
        format!("INSERT INTO orders_n SELECT i FROM n UNION ALL SELECT i + {cases} FROM n"),
        format!(
            "INSERT INTO customers (id, channel, external_id, chat_id, first_name, lang, created_at)
             SELECT i + 1, 'telegram', CAST(100000 + i AS TEXT), 100000 + i, 'Customer ' || i, 'zh', {}
             FROM n WHERE i < {customers}",
            at(&START.to_string())
        ),
        format!(
            "INSERT INTO orders (order_no, phone, phone_tail, customer_name, currency, paid_at, shipped_at, delivered_at,
                                 carrier, tracking_no, freight_insurance, imported_at)
             SELECT 'B' || i, '139' || printf('%08d', i), printf('%07d', i), 'Buyer ' || i, 'CNY',
                    {paid}, {shipped}, {delivered_at}, json_extract({carriers}, '$[' || (i % 5) || ']'),
                    'T' || i, i % 3 = 0, {delivered_at}
             FROM orders_n",
            paid = at(&format!("{delivered} - 259200")),
            shipped = at(&format!("{delivered} - 172800")),
            delivered_at = at(&delivered),
        ),
        format!(
            "INSERT INTO order_lines (order_no, line_no, sku, item_name, category, quantity, unit_price_minor)
             SELECT 'B' || i, 1, 'SKU-' || (i % 500), 'Item ' || (i % 500),
                    json_extract({categories}, '$[' || (i % 500 % 5) || ']'), 1, 10000 + (i % 50) * 1000
             FROM orders_n"
        ),
        // The reason's first four are subjective (no-reason returns, the
        // customer pays the way back), the rest quality or logistics.
        format!(
            "CREATE TEMP TABLE seeded AS
             SELECT i, 'AS-' || (1001 + i) AS id, {status} AS status,
                    json_extract({reasons}, '$[' || (i % 8) || ']') AS reason, i % 8 < 4 AS subjective,
                    10000 + (2 * i % 500 % 50) * 1000 AS price, {created} AS created, {closed} AS closed
             FROM n"
        ),
        format!(
            "INSERT INTO cases (id, seq, customer_id, order_no, sku, quantity, reason, detail, outcome, status, decision,
                                wants_agent, created_at, updated_at, rules_version, resale_intact, refunded_minor,
                                responsibility, agreed_minor, survey, survey_score, survey_comment)
             SELECT id, 1001 + i, i % {customers} + 1, 'B' || (2 * i), 'SKU-' || (2 * i % 500), 1, reason, '',
                    outcome, status, decision, 0, {created_at}, {created_at}, 'bench1', NULL,
                    CASE WHEN status = 'closed' AND outcome = 'return_refund' THEN price ELSE 0 END,
                    CASE WHEN status = 'closed' AND NOT subjective THEN 1 + i % 9 END,
                    CASE WHEN status = 'closed' AND outcome = 'partial_refund' THEN price / 5 END,
                    CASE WHEN status = 'closed' AND i % 3 = 0 THEN json_object('sent_at', {surveyed}, 'reminded', json('false'),
                         'score', 1 + i % 5, 'rated_at', {surveyed}, 'comment', NULL, 'finished', json('true')) END,
                    CASE WHEN status = 'closed' AND i % 3 = 0 THEN 1 + i % 5 END,
                    CASE WHEN status = 'closed' AND i % 3 = 0 AND i % 5 = 0 THEN 'slow' END
             FROM (SELECT *,
                          CASE WHEN subjective AND i % 7 = 0 THEN 'exchange' WHEN subjective THEN 'return_refund'
                               WHEN i % 3 = 0 THEN 'reship' WHEN i % 3 = 1 THEN 'partial_refund'
                               ELSE 'return_refund' END AS outcome,
                          json_object(
                              'verdict', CASE WHEN status = 'not_eligible' THEN 'not_eligible'
                                              WHEN status = 'needs_review' THEN 'needs_review' ELSE 'approved' END,
                              'rule', CASE WHEN status = 'not_eligible' THEN 'no_reason_window_passed'
                                           WHEN subjective THEN 'no_reason_return' ELSE 'quality_claim' END,
                              'next', 'send_back', 'outcome', 'return_refund', 'deadline', NULL,
                              'window', json_object('days', 7), 'review_by', NULL,
                              'return_shipping', CASE WHEN subjective THEN 'customer' ELSE 'shop' END,
                              'freight_insurance', json(CASE WHEN i % 3 = 0 THEN 'true' ELSE 'false' END),
                              'shipping_cash_back', json('false'),
                              'refund_cap', json_object('minor', price, 'currency', 'CNY'),
                              'refund_working_days', 3,
                              'facts', json_array(json_object('stage', 'delivered'),
                                                  json_object('paid', json_object('minor', price, 'currency', 'CNY')),
                                                  json_object('category', json_object('name', 'clothing', 'no_reason_return', json('true'))),
                                                  json_object('window', json_object('length', json_object('days', 7)))),
                              'still_possible', json_array(), 'rules_version', 'bench1') AS decision
                   FROM seeded)",
            created_at = at("created"),
            surveyed = at("closed + 86400"),
        ),
        // Three events a case: opened, decided, and how it ended (or, open,
        // where it stands).
        format!(
            "INSERT INTO case_events (case_id, at, actor, kind, data)
             SELECT id, {created_at}, 'customer', 'opened',
                    json_object('order_no', 'B' || (2 * i), 'sku', 'SKU-' || (2 * i % 500), 'quantity', 1,
                                'reason', reason, 'outcome', 'return_refund', 'photos', 0)
             FROM seeded
             UNION ALL
             SELECT s.id, {created_at}, 'bot', 'decided', c.decision FROM seeded s JOIN cases c ON c.id = s.id
             UNION ALL
             SELECT id, CASE WHEN status IN ('closed') THEN {closed_at} ELSE {created_at} END,
                    CASE WHEN status = 'closed' THEN 'bot' ELSE 'customer' END,
                    CASE status WHEN 'closed' THEN 'closed' WHEN 'retained' THEN 'closed_retained'
                                WHEN 'not_eligible' THEN 'escalated' ELSE 'tracking_number' END,
                    CASE status WHEN 'not_eligible' THEN json_object('why', 'customer_asked')
                                WHEN 'approved' THEN json_object('carrier', 'sf', 'number', 'SF' || i)
                                WHEN 'needs_review' THEN json_object('carrier', 'sf', 'number', 'SF' || i)
                                ELSE '{{}}' END
             FROM seeded",
            created_at = at("created"),
            closed_at = at("closed"),
        ),
        format!(
            "INSERT INTO retention_offers (case_id, customer_id, offer_id, kind, value_minor, currency, result, at)
             SELECT id, i % {customers} + 1, 'coupon10', 'coupon', 1000, 'CNY',
                    CASE WHEN status = 'retained' THEN 'accepted' ELSE 'declined' END, {created_at}
             FROM seeded WHERE subjective AND (status = 'retained' OR i % 10 = 2)",
            created_at = at("created"),
        ),
        format!(
            "INSERT INTO returns (case_id, customer_id, stage, tracking_no, state, created_at, updated_at)
             SELECT s.id, s.i % {customers} + 1, CASE WHEN s.status = 'closed' THEN 'done' ELSE 'on_the_way' END,
                    'SF' || s.i, '{{}}', {created_at},
                    CASE WHEN s.status = 'closed' THEN {closed_at} ELSE {created_at} END
             FROM seeded s JOIN cases c ON c.id = s.id
             WHERE c.outcome = 'return_refund' AND s.status IN ('approved', 'closed')",
            created_at = at("s.created"),
            closed_at = at("s.closed"),
        ),
        format!(
            "INSERT INTO escalations (customer_id, case_id, topic_key, why, status, assignee_id, assignee_name, opened_at,
                                      taken_at, closed_at, pings, told_late, updated_at)
             SELECT i % {customers} + 1, id, 'case:' || id, 'customer_asked', 'closed', 900 + i % 5, 'Agent ' || (i % 5),
                    {created_at}, {taken_at}, {closed_at}, i % 2, 0, {closed_at}
             FROM seeded WHERE i % 10 = 3 AND status = 'closed'",
            created_at = at("created"),
            taken_at = at("created + 600 + i % 7200"),
            closed_at = at("closed"),
        ),
        "DROP TABLE seeded".into(),
        "DROP TABLE orders_n".into(),
        "DROP TABLE n".into(),
    ]
}

fn cases() -> i64 {
    std::env::var("BENCH_REPORT_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(CASES)
}

/// The cached file's name: the migrations and this seed, hashed.
fn cached_path() -> PathBuf {
    let mut hash = Sha256::new();
    for migration in sqlx::migrate!("migrations/sqlite").iter() {
        hash.update(&migration.checksum[..]);
    }
    hash.update(SEED_VERSION);
    for sql in seed_sql() {
        hash.update(sql);
    }
    let key: String = hash.finalize().iter().take(6).map(|byte| format!("{byte:02x}")).collect();
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("report-bench-{key}.db"))
}

/// Seeds a new file beside `path` and moves it there once complete.
async fn seed(path: &Path) -> Duration {
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    // The schema, as the bot makes it, on a connection closed before the seed
    // takes the file (a dropped Store's pools close theirs later, and leaving
    // WAL for journal_mode OFF then fails with "database is locked").
    let mut schema = SqliteConnectOptions::new()
        .filename(&partial)
        .create_if_missing(true)
        .connect()
        .await
        .expect("schema connection");
    sqlx::migrate!("migrations/sqlite").run(&mut schema).await.expect("migrate");
    sqlx::Connection::close(schema).await.expect("close the schema connection");
    let started = Instant::now();
    let mut conn = SqliteConnectOptions::new()
        .filename(&partial)
        // The store's pools close their connections as they drop: wait for them.
        .busy_timeout(Duration::from_secs(30))
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off)
        .pragma("cache_size", "-1048576")
        .pragma("temp_store", "memory")
        .connect()
        .await
        .expect("seed connection");
    sqlx::query("BEGIN").execute(&mut conn).await.expect("begin");
    for sql in seed_sql() {
        let step = Instant::now();
        sqlx::query(&sql).execute(&mut conn).await.unwrap_or_else(|error| panic!("{error}: {sql}"));
        let first = sql.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
        println!("  {first:<40} {:>8.1?}", step.elapsed());
    }
    sqlx::query("COMMIT").execute(&mut conn).await.expect("commit");
    drop(conn);
    std::fs::rename(&partial, path).expect("keep the seeded file");
    started.elapsed()
}

fn main() {
    // `cargo bench` passes --bench; nothing else is read.
    let runtime = Runtime::new().expect("tokio runtime");
    let _context = runtime.enter();
    let path = cached_path();
    if path.exists() {
        println!("report: reusing {}", path.display());
    } else {
        println!("report: seeding {} cases into {} …", cases(), path.display());
        let took = runtime.block_on(seed(&path));
        println!("report: seeded in {took:.1?}");
    }
    let url = format!("sqlite://{}", path.display());
    let store = runtime.block_on(Store::open(&url)).expect("store");
    let size = std::fs::metadata(&path).map(|meta| meta.len()).unwrap_or(0);
    let counts: Vec<i64> = runtime.block_on(async {
        let mut conn = store.read().await.expect("reader");
        let mut counts = Vec::new();
        for table in ["cases", "case_events", "orders", "order_lines", "retention_offers", "returns", "escalations"] {
            let sql = format!("SELECT count(*) FROM {table}");
            counts.push(aftersales::store::query_scalar(&sql).fetch_one(&mut conn).await.expect("count"));
        }
        counts
    });
    println!(
        "report: {} cases, {} events, {} orders, {} lines, {} offers, {} returns, {} hand-overs; {:.0} MB",
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4],
        counts[5],
        counts[6],
        size as f64 / 1e6
    );
    assert_eq!((counts[0], counts[1]), (cases(), 3 * cases()), "the seed");

    let time = |text: &str| DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&Utc);
    let period = Period { from: time(FROM), to: time(TO) };
    // The defaults, as the command runs without --config: Asia/Shanghai, CNY.
    let config = Config::default();
    for run in 1..=RUNS {
        let (read, built, cases) = runtime.block_on(async {
            let started = Instant::now();
            let mut tx = store.snapshot().await.expect("read transaction");
            let rows = rows::rows(&mut tx, period).await.expect("rows");
            let read = started.elapsed();
            let started = Instant::now();
            let report = report::build(period, &config.report_setup(), &rows);
            std::hint::black_box(&report);
            (read, started.elapsed(), rows.cases.len())
        });
        println!("report {MONTH}, in process, run {run}: store read {read:.2?} ({cases} case rows), build {built:.2?}");
    }
    drop(store);
    for run in 1..=RUNS {
        let started = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_aftersales"))
            .args(["report", "--month", MONTH, "--db", &url])
            .env_remove("AFTERSALES_CONFIG")
            .output()
            .expect("run aftersales report");
        let took = started.elapsed();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let goal = if took < Duration::from_secs(2) { "under" } else { "OVER" };
        println!("aftersales report --month {MONTH}, run {run}: {took:.2?} ({goal} the 2 s goal)");
        println!("BENCH report_month_s={:.2}", took.as_secs_f64());
    }
}
