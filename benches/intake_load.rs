//! Load benchmark: many customers open cases at once over the fake Bot API,
//! against the real binary and store; then two teloxide echo bots on the
//! same fake as anchors (a bare sequential getUpdates → sendMessage loop, and
//! a `Dispatcher` as teloxide's examples write one); then memory: the real
//! binary's RSS while 10,000 and then 40,000 customers each hold an open
//! draft, and after they go quiet, and while 10,000 do on a store already
//! holding 100,000 closed cases. Every figure is also printed as a
//! `BENCH key=value` line, which scripts/bench.sh collects into
//! target/bench/summary.json.

#[path = "../tests/support/fake_telegram/mod.rs"]
mod fake_telegram;
// The bench uses only part of the test helpers.
#[allow(dead_code)]
#[path = "../tests/e2e/helpers.rs"]
mod helpers;

use std::time::{Duration, Instant};

use aftersales::store::{Dialect, query, query_scalar};
use fake_telegram::{FakeTelegram, Limits, TOKEN};
use helpers::{Customer, Shop, own_order};
use teloxide::prelude::*;

/// The settings of a bench run: Telegram's limits off on both sides, so it
/// measures our own cost, but for `per_chat_gap`.
fn bench_config(per_chat_gap: &str) -> String {
    format!(
        "[telegram]\npoll_timeout = \"1s\"\nper_chat_gap = \"{per_chat_gap}\"\nglobal_per_second = 100000\n\
         group_per_minute = 100000\n"
    )
}

/// The intake run: no per-chat gap either.
fn intake_config() -> String {
    bench_config("0s")
}

/// The memory runs: a per-chat gap too short to slow anything down, so the
/// sender keeps per-chat pacing state as it does in a shop.
fn memory_config() -> String {
    bench_config("1ms")
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A comma-separated list of numbers (`0` or empty: none).
fn env_numbers(name: &str, default: &str) -> Vec<usize> {
    let list = std::env::var(name).unwrap_or_else(|_| default.to_owned());
    list.split(',').filter_map(|n| n.trim().parse().ok()).filter(|&n| n > 0).collect()
}

/// A count as the figures' keys name it: 40000 → "40k".
fn short(n: usize) -> String {
    if n.is_multiple_of(1000) { format!("{}k", n / 1000) } else { n.to_string() }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

/// Prints the run and its `BENCH` line (keys `{key}_updates_per_s`, and
/// `{key}_p50_ms` / `{key}_p99_ms` when `latency`); the updates per second.
fn report(name: &str, key: &str, latency: bool, latencies: &mut [Duration], elapsed: Duration) -> f64 {
    latencies.sort();
    let per_s = latencies.len() as f64 / elapsed.as_secs_f64();
    let (p50, p99) = (percentile(latencies, 0.5).as_secs_f64() * 1e3, percentile(latencies, 0.99).as_secs_f64() * 1e3);
    println!(
        "{name}: {} updates in {:.2}s = {per_s:.0} updates/s; update-to-reply p50 {p50:.1} ms, p99 {p99:.1} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
    );
    if latency {
        println!("BENCH {key}_updates_per_s={per_s:.0} {key}_p50_ms={p50:.1} {key}_p99_ms={p99:.1}");
    } else {
        println!("BENCH {key}_updates_per_s={per_s:.0}");
    }
    per_s
}

/// A `Vm…:` figure of /proc/PID/status in KiB: `VmHWM` (peak RSS), `VmRSS`.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.strip_prefix(field).is_some_and(|rest| rest.starts_with(':')))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What the RSS is made of, from /proc/PID/smaps_rollup: the heap and other
/// anonymous memory against file-backed pages (the binary, SQLite's -shm).
fn rss_parts(pid: u32) -> String {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        rollup
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let (rss, anonymous) = (field("Rss:"), field("Anonymous:"));
    format!("anonymous {anonymous} KiB, file-backed {} KiB", rss.saturating_sub(anonymous))
}

/// The chat id of the intake run's `n`th customer.
fn intake_chat(n: usize) -> i64 {
    10_000 + n as i64
}

/// One customer's whole no-reason return of their own order; the latency
/// of every step.
async fn one_intake(customer: Customer<'_>, chat: i64) -> Vec<Duration> {
    let (order, digits) = own_order(chat);
    let mut latencies = Vec::new();
    for text in ["/new", order.as_str(), digits.as_str()] {
        let started = Instant::now();
        customer.says(text).await;
        latencies.push(started.elapsed());
    }
    for label in ["Changed my mind", "Skip", "Return and refund", "Yes, unused", "No thanks", "Confirm"] {
        let started = Instant::now();
        customer.presses(label).await;
        latencies.push(started.elapsed());
    }
    latencies
}

async fn aftersales_run(customers: usize) -> f64 {
    let fake = FakeTelegram::start_with(Limits::none()).await;
    let shop = Shop::with_config(&intake_config());
    shop.import_own_orders(&(0..customers).map(intake_chat).collect::<Vec<_>>());
    let bot = shop.serve_logging(&fake, "warn");
    // Warm up: the bot is connected once it answers.
    Customer::new(&fake, 1, "warm", Some("en")).says("/start").await;
    let started = Instant::now();
    let runs = (0..customers).map(|n| {
        let chat = intake_chat(n);
        one_intake(Customer::new(&fake, chat, "Bench", Some("en")), chat)
    });
    let mut latencies: Vec<Duration> = futures_join_all(runs).await.into_iter().flatten().collect();
    let elapsed = started.elapsed();
    let name = format!("aftersales ({customers} customers × 9 steps)");
    let per_s = report(&name, "intake", true, &mut latencies, elapsed);
    let cases = shop.count("SELECT COUNT(*) FROM cases").await;
    let peak = status_kib(bot.id(), "VmHWM").unwrap_or(0);
    println!("  cases stored: {cases}; peak RSS of the bot: {peak} KiB");
    println!("BENCH intake_rss_peak_kib={peak}");
    per_s
}

fn fake_bot(fake: &FakeTelegram) -> Bot {
    Bot::new(TOKEN).set_api_url(fake.api_url().parse().expect("url"))
}

/// The sequential anchor: one getUpdates, then each answer in turn.
async fn echo_run(customers: usize) -> f64 {
    let fake = FakeTelegram::start_with(Limits::none()).await;
    let bot = fake_bot(&fake);
    let echo = tokio::spawn(async move {
        let mut offset = 0;
        loop {
            let Ok(updates) = bot.get_updates().offset(offset).timeout(1).await else { continue };
            for update in updates {
                offset = update.id.0 as i32 + 1;
                if let teloxide::types::UpdateKind::Message(message) = update.kind {
                    let _ = bot.send_message(message.chat.id, message.text().unwrap_or("?")).await;
                }
            }
        }
    });
    let per_s = echo_customers(&fake, customers, "teloxide echo bot", "echo").await;
    echo.abort();
    per_s
}

/// The concurrent anchor, as teloxide's examples answer: a `Dispatcher`
/// (one worker per chat) echoing each text.
async fn dispatcher_echo_run(customers: usize) -> f64 {
    let fake = FakeTelegram::start_with(Limits::none()).await;
    let handler = Update::filter_message().endpoint(|bot: Bot, message: Message| async move {
        bot.send_message(message.chat.id, message.text().unwrap_or("?")).await?;
        respond(())
    });
    let mut dispatcher = Dispatcher::builder(fake_bot(&fake), handler).build();
    let echo = tokio::spawn(async move { dispatcher.dispatch().await });
    let per_s = echo_customers(&fake, customers, "teloxide Dispatcher echo bot", "dispatcher_echo").await;
    echo.abort();
    per_s
}

/// `customers` at once, each saying 7 messages to an echo bot on `fake`.
async fn echo_customers(fake: &FakeTelegram, customers: usize, name: &str, key: &str) -> f64 {
    let started = Instant::now();
    let runs = (0..customers).map(|n| {
        let customer = Customer::new(fake, 20_000 + n as i64, "Echo", Some("en"));
        async move {
            let mut latencies = Vec::new();
            for step in 0..7 {
                let started = Instant::now();
                customer.says(&format!("echo {step}")).await;
                latencies.push(started.elapsed());
            }
            latencies
        }
    });
    let mut latencies: Vec<Duration> = futures_join_all(runs).await.into_iter().flatten().collect();
    report(&format!("{name} ({customers} customers × 7 messages)"), key, false, &mut latencies, started.elapsed())
}

/// `drafts` customers from user id `first` each leave a request open
/// (order found and verified, the reason not yet chosen), `concurrency` at
/// a time.
async fn open_drafts(fake: &FakeTelegram, first: i64, drafts: usize, concurrency: usize) {
    let ids: Vec<i64> = (0..drafts as i64).map(|n| first + n).collect();
    // In waves: every change in the fake wakes every waiting customer.
    for wave in ids.chunks(concurrency.max(1)) {
        let runs = wave.iter().map(|&id| async move {
            let customer = Customer::new(fake, id, "Draft", Some("en"));
            customer.says("/new").await;
            customer.says("DEMO-1005").await;
            customer.says("8000").await;
        });
        futures_join_all(runs).await;
    }
}

/// Memory: `drafts` customers each leave a request open, `concurrency` at a
/// time; the bot's peak RSS, then its RSS once they have been quiet for
/// `quiet`.
async fn drafts_run(drafts: usize, concurrency: usize, quiet: Duration) {
    let fake = FakeTelegram::start_with(Limits::none()).await;
    let shop = Shop::with_config(&memory_config());
    let bot = shop.serve_logging(&fake, "warn");
    Customer::new(&fake, 1, "warm", Some("en")).says("/start").await;
    let idle = status_kib(bot.id(), "VmRSS").unwrap_or(0);
    let started = Instant::now();
    open_drafts(&fake, 1_000_000, drafts, concurrency).await;
    let elapsed = started.elapsed();
    let peak = status_kib(bot.id(), "VmHWM").unwrap_or(0);
    let after = status_kib(bot.id(), "VmRSS").unwrap_or(0);
    println!(
        "aftersales with {drafts} open drafts ({concurrency} customers at a time, 3 steps each, {:.1} s): RSS idle \
         {idle} KiB, peak {peak} KiB, at the end {after} KiB ({})",
        elapsed.as_secs_f64(),
        rss_parts(bot.id()),
    );
    tokio::time::sleep(quiet).await;
    let quiet_kib = status_kib(bot.id(), "VmRSS").unwrap_or(0);
    println!("  after {:.0} s quiet: RSS {quiet_kib} KiB ({})", quiet.as_secs_f64(), rss_parts(bot.id()));
    let customers = shop.count("SELECT COUNT(*) FROM customers").await;
    println!("  customers stored: {customers}");
    let n = short(drafts);
    println!(
        "BENCH rss_idle_kib={idle} rss_peak_kib_{n}_drafts={peak} rss_after_kib_{n}_drafts={after} rss_quiet_kib_{n}={quiet_kib}"
    );
}

/// `closed` customers, each with one closed case, its timeline and the
/// replies and updates it took (10 of each), written straight into the
/// shop's store as a bot that served them leaves it.
async fn seed_closed_cases(shop: &Shop, closed: usize) {
    // The little SQL the two databases write differently: a month ago, and
    // a JSON object (PostgreSQL stores it into the text column as text).
    let (now, json_object) = match shop.dialect() {
        Dialect::Sqlite => ("strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-30 days')", "json_object"),
        Dialect::Postgres => ("(now() - interval '30 days')", "json_build_object"),
    };
    let seed = [
        "CREATE TEMP TABLE n (i INTEGER PRIMARY KEY)".to_owned(),
        format!("INSERT INTO n WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i + 1 < {closed}) SELECT i FROM r"),
        format!(
            "INSERT INTO customers (id, channel, external_id, chat_id, first_name, lang, created_at)
             SELECT 5000000 + i, 'telegram', CAST(5000000 + i AS TEXT), 5000000 + i, 'Closed ' || i, 'en', {now} FROM n"
        ),
        format!(
            "INSERT INTO cases (id, seq, customer_id, order_no, sku, quantity, reason, outcome, status, decision,
                                created_at, updated_at)
             SELECT 'AS-' || (500000 + i), 500000 + i, 5000000 + i, 'DEMO-1004', 'JKT-WB-M', 1, 'changed_mind',
                    'return_refund', 'closed', '{{}}', {now}, {now}
             FROM n"
        ),
        format!(
            "INSERT INTO case_events (case_id, at, actor, kind, data)
             SELECT 'AS-' || (500000 + i), {now}, 'customer', 'opened', '{{}}' FROM n
             UNION ALL SELECT 'AS-' || (500000 + i), {now}, 'bot', 'decided', '{{}}' FROM n
             UNION ALL SELECT 'AS-' || (500000 + i), {now}, 'bot', 'closed', '{{}}' FROM n"
        ),
        format!(
            "INSERT INTO outbox (channel, chat_id, payload, not_before, status, attempts, created_at, sent_at, message_id)
             SELECT 'telegram', 5000000 + n.i, {json_object}('kind', 'send', 'text', 'Reply ' || k.i, 'keyboard', {json_object}('type', 'none')),
                    {now}, 'sent', 0, {now}, {now}, k.i + 1
             FROM n, (SELECT i FROM n WHERE i < 10) AS k"
        ),
        format!(
            "INSERT INTO processed_updates (channel, update_id, processed_at)
             SELECT 'telegram', 100000000 + 10 * n.i + k.i, {now} FROM n, (SELECT i FROM n WHERE i < 10) AS k"
        ),
        "DROP TABLE n".to_owned(),
    ];
    let mut tx = shop.store().await.write().await.expect("begin");
    for sql in seed {
        query(sql.as_str()).execute(&mut tx).await.unwrap_or_else(|error| panic!("{error}: {sql}"));
    }
    tx.commit().await.expect("commit");
}

/// The size of the shop's database in bytes: its file, or what PostgreSQL
/// counts for it.
async fn database_bytes(shop: &Shop) -> u64 {
    match shop.dialect() {
        Dialect::Sqlite => std::fs::metadata(shop.path().join("shop.db")).map(|meta| meta.len()).unwrap_or(0),
        Dialect::Postgres => {
            let mut db = shop.store().await.read().await.expect("a reader");
            let bytes: i64 = query_scalar("SELECT pg_database_size(current_database())")
                .fetch_one(&mut db)
                .await
                .expect("the database's size");
            u64::try_from(bytes).unwrap_or(0)
        }
    }
}

/// Memory on a store that has served `closed` cases: the bot's peak RSS
/// while `drafts` customers open drafts on it.
async fn closed_run(closed: usize, drafts: usize, concurrency: usize) {
    let fake = FakeTelegram::start_with(Limits::none()).await;
    let shop = Shop::with_config(&memory_config());
    let seeding = Instant::now();
    seed_closed_cases(&shop, closed).await;
    let seeded = seeding.elapsed();
    let size = database_bytes(&shop).await;
    let bot = shop.serve_logging(&fake, "warn");
    Customer::new(&fake, 1, "warm", Some("en")).says("/start").await;
    let idle = status_kib(bot.id(), "VmRSS").unwrap_or(0);
    open_drafts(&fake, 1_000_000, drafts, concurrency).await;
    let peak = status_kib(bot.id(), "VmHWM").unwrap_or(0);
    println!(
        "aftersales on a store with {closed} closed cases ({:.0} MB, seeded in {:.1} s), {drafts} open drafts: RSS \
         idle {idle} KiB, peak {peak} KiB ({})",
        size as f64 / 1e6,
        seeded.as_secs_f64(),
        rss_parts(bot.id()),
    );
    println!("BENCH rss_idle_kib_{n}_closed={idle} rss_peak_kib_{n}_closed={peak}", n = short(closed));
}

/// Runs futures concurrently on this task (no extra crate needed).
async fn futures_join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.map(|future| Some(Box::pin(future))).collect();
    let mut results: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all_done = true;
        for (slot, result) in pending.iter_mut().zip(results.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(output) => {
                        *result = Some(output);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all_done = false,
                }
            }
        }
        if all_done { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    results.into_iter().flatten().collect()
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes --bench; a plain `cargo test` run of this target does nothing.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let customers = env_number("BENCH_CUSTOMERS", 100);
    if customers > 0 {
        let intake = aftersales_run(customers).await;
        let echo = echo_run(customers).await;
        let dispatcher_echo = dispatcher_echo_run(customers).await;
        println!(
            "aftersales against the echo bots: {:.2}× the sequential one, {:.2}× the Dispatcher",
            intake / echo,
            intake / dispatcher_echo
        );
        println!("BENCH ratio_to_echo={:.3} ratio_to_dispatcher_echo={:.3}", intake / echo, intake / dispatcher_echo);
    }
    let at_once = env_number("BENCH_DRAFTS_AT_ONCE", 100);
    let quiet = Duration::from_secs(env_number("BENCH_QUIET_S", 30) as u64);
    for drafts in env_numbers("BENCH_DRAFTS", "10000,40000") {
        drafts_run(drafts, at_once, quiet).await;
    }
    let closed = env_number("BENCH_CLOSED", 100_000);
    if closed > 0 {
        closed_run(closed, env_number("BENCH_CLOSED_DRAFTS", 10_000), at_once).await;
    }
}
