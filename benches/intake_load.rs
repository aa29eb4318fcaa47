//! Load benchmark: many customers open cases at once over the fake Bot API,
//! against the real binary and store; then a bare teloxide echo bot on the
//! same fake, as the transport's own limit. Run by scripts/bench.sh.

#[path = "../tests/support/fake_telegram/mod.rs"]
mod fake_telegram;
// The bench uses only part of the test helpers.
#[allow(dead_code)]
#[path = "../tests/e2e/helpers.rs"]
mod helpers;

use std::time::{Duration, Instant};

use fake_telegram::{FakeTelegram, Limits, TOKEN};
use helpers::{Customer, Shop};
use teloxide::prelude::*;

/// Telegram's limits are off on both sides: this measures our own cost.
const BENCH_CONFIG: &str = r#"
[telegram]
poll_timeout = "1s"
per_chat_gap = "0s"
global_per_second = 100000
group_per_minute = 100000
"#;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn report(name: &str, latencies: &mut [Duration], elapsed: Duration) {
    latencies.sort();
    println!(
        "{name}: {} updates in {:.2}s = {:.0} updates/s; update-to-reply p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(latencies, 0.5).as_secs_f64() * 1e3,
        percentile(latencies, 0.99).as_secs_f64() * 1e3,
    );
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One customer's whole no-reason return; the latency of every step.
async fn one_intake(customer: Customer<'_>) -> Vec<Duration> {
    let mut latencies = Vec::new();
    let mut timed = |started: Instant| latencies.push(started.elapsed());
    let started = Instant::now();
    customer.says("/new").await;
    timed(started);
    for text in ["DEMO-1005", "8000"] {
        let started = Instant::now();
        customer.says(text).await;
        timed(started);
    }
    for label in ["Changed my mind", "Skip", "Return and refund", "Yes, unused", "No thanks", "Confirm"] {
        let started = Instant::now();
        customer.presses(label).await;
        timed(started);
    }
    latencies
}

async fn aftersales_run(customers: usize) {
    let fake = FakeTelegram::start_with(Limits::none()).await;
    let shop = Shop::with_config(BENCH_CONFIG);
    let bot = shop.serve_logging(&fake, "warn");
    // Warm up: the bot is connected once it answers.
    Customer::new(&fake, 1, "warm", Some("en")).says("/start").await;
    let started = Instant::now();
    let runs = (0..customers).map(|n| {
        let customer = Customer::new(&fake, 10_000 + n as i64, "Bench", Some("en"));
        one_intake(customer)
    });
    let mut latencies: Vec<Duration> = futures_join_all(runs).await.into_iter().flatten().collect();
    let elapsed = started.elapsed();
    report(&format!("aftersales ({customers} customers × 7 steps)"), &mut latencies, elapsed);
    let cases = shop.count("SELECT COUNT(*) FROM cases").await;
    println!("  cases stored: {cases}; peak RSS of the bot: {} KiB", peak_rss_kib(bot.id()).unwrap_or(0));
}

async fn echo_run(customers: usize) {
    let fake = FakeTelegram::start_with(Limits::none()).await;
    let bot = Bot::new(TOKEN).set_api_url(fake.api_url().parse().expect("url"));
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
    let started = Instant::now();
    let runs = (0..customers).map(|n| {
        let customer = Customer::new(&fake, 20_000 + n as i64, "Echo", Some("en"));
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
    report(&format!("teloxide echo bot ({customers} customers × 7 messages)"), &mut latencies, started.elapsed());
    echo.abort();
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
    aftersales_run(customers).await;
    echo_run(customers).await;
}
