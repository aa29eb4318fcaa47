//! What the operations endpoint (`ops_endpoint`, on `[ops] listen`, off by
//! default) shows: the `[ops]` settings, the counters the shell keeps as it
//! works ([`Metrics`]: the poll loop counts updates and their handling
//! time, the sender replies and 429s), the Prometheus text of those and of
//! the store's [`Gauges`] (`render`), and the health verdict (`checks`).
//! No I/O here, so the settings can sit in `config`.
//!
//! `/health` answers 200 `{"status":"ok","checks":{…}}` when the database
//! answers, the bot heard from Telegram within `[ops] poll_stale` (a
//! getUpdates succeeded; on a webhook, a delivery came or getWebhookInfo
//! showed Telegram able to deliver) and no reply has
//! been due for longer than `[ops] outbox_stuck`; otherwise 503 with
//! `"status":"failing"`, the failing checks' names in `"failing"` and what
//! is wrong in `"checks"`.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::setting::Span;

/// The `[ops]` settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The address to listen on, such as "127.0.0.1:9187"; unset, there is no endpoint.
    pub listen: Option<String>,
    /// `/health` fails "polling" when nothing was heard from Telegram for this long.
    pub poll_stale: Span,
    /// `/health` fails "outbox" when a reply has been due for this long.
    pub outbox_stuck: Span,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: None,
            poll_stale: Span(Duration::from_secs(60)),
            outbox_stuck: Span(Duration::from_secs(600)),
        }
    }
}

impl Settings {
    /// Mistakes in the settings, each naming its key. A long poll lasts up
    /// to `poll_timeout`, so a shorter `poll_stale` would fail a quiet bot.
    pub fn problems(&self, poll_timeout: Duration) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(listen) = &self.listen
            && listen.parse::<SocketAddr>().is_err()
        {
            problems.push(format!("ops.listen: {listen:?} is not an address such as \"127.0.0.1:9187\""));
        }
        if self.poll_stale.0 <= poll_timeout {
            problems.push("ops.poll_stale: must be longer than telegram.poll_timeout".to_owned());
        }
        if self.outbox_stuck.0.is_zero() {
            problems.push("ops.outbox_stuck: must be more than 0".to_owned());
        }
        problems
    }
}

/// Upper bounds of the handling-time histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// What the shell counts as it works; one per process, shared by the desk.
#[derive(Debug)]
pub struct Metrics {
    updates: AtomicU64,
    replies: AtomicU64,
    throttled: AtomicU64,
    /// Updates per bucket of [`BUCKETS`], not cumulative; the last is +Inf.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    handling_micros: AtomicU64,
    /// When the bot last heard from Telegram (or began to listen); `None`
    /// in the terminal channel.
    polled: Mutex<Option<Instant>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            updates: AtomicU64::new(0),
            replies: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            handling_micros: AtomicU64::new(0),
            polled: Mutex::new(None),
        }
    }
}

impl Metrics {
    /// An update was committed; `took` from its arrival to its commit.
    pub fn handled(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        let bucket = BUCKETS.iter().position(|bound| seconds <= *bound).unwrap_or(BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.handling_micros.fetch_add(micros, Ordering::Relaxed);
        self.updates.fetch_add(1, Ordering::Relaxed);
    }

    /// Telegram accepted an outbox row.
    pub fn sent(&self) {
        self.replies.fetch_add(1, Ordering::Relaxed);
    }

    /// Telegram answered 429.
    pub fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    /// Heard from Telegram (getUpdates succeeded, a webhook delivery came,
    /// getWebhookInfo showed it delivering), or the channel begins.
    pub fn polled(&self) {
        *self.polled.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
    }

    /// How long since the bot last heard from Telegram; `None` when not on Telegram.
    pub fn since_polled(&self) -> Option<Duration> {
        self.polled.lock().unwrap_or_else(PoisonError::into_inner).map(|at| at.elapsed())
    }
}

/// What the store knows at scrape time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gauges {
    pub outbox_pending: i64,
    /// How long the longest-waiting due reply has been due.
    pub oldest_pending: Option<Duration>,
    pub due_jobs: i64,
    /// Cases opened, per outcome code.
    pub cases: Vec<(String, i64)>,
}

/// The exposition text of the counters and the gauges.
pub fn render(metrics: &Metrics, gauges: &Gauges) -> String {
    let mut text = String::new();
    let mut family = |name: &str, kind: &str, help: &str, samples: &[(String, String)]| {
        let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (suffix, value) in samples {
            let _ = writeln!(text, "{name}{suffix} {value}");
        }
    };
    let plain = |value: String| vec![(String::new(), value)];
    let count = |counter: &AtomicU64| plain(counter.load(Ordering::Relaxed).to_string());
    family("aftersales_updates_handled_total", "counter", "Telegram updates committed.", &count(&metrics.updates));
    family("aftersales_replies_sent_total", "counter", "Outbox rows Telegram accepted.", &count(&metrics.replies));
    family("aftersales_telegram_throttled_total", "counter", "429 answers from Telegram.", &count(&metrics.throttled));
    family(
        "aftersales_outbox_pending",
        "gauge",
        "Outbox rows not yet sent.",
        &plain(gauges.outbox_pending.to_string()),
    );
    let oldest = gauges.oldest_pending.unwrap_or_default().as_secs_f64();
    family(
        "aftersales_outbox_oldest_pending_seconds",
        "gauge",
        "How long the longest-waiting due reply has been due.",
        &plain(oldest.to_string()),
    );
    family("aftersales_jobs_due", "gauge", "Follow-up jobs due and not yet run.", &plain(gauges.due_jobs.to_string()));
    let cases: Vec<(String, String)> =
        gauges.cases.iter().map(|(outcome, n)| (format!("{{outcome=\"{outcome}\"}}"), n.to_string())).collect();
    family("aftersales_cases_opened_total", "counter", "Cases opened, by outcome.", &cases);
    let mut histogram = Vec::with_capacity(BUCKETS.len() + 3);
    let mut cumulative = 0;
    for (index, bucket) in metrics.buckets.iter().enumerate() {
        cumulative += bucket.load(Ordering::Relaxed);
        let bound = BUCKETS.get(index).map_or_else(|| "+Inf".to_owned(), ToString::to_string);
        histogram.push((format!("_bucket{{le=\"{bound}\"}}"), cumulative.to_string()));
    }
    let micros = metrics.handling_micros.load(Ordering::Relaxed);
    histogram.push(("_sum".to_owned(), (micros as f64 / 1e6).to_string()));
    histogram.push(("_count".to_owned(), cumulative.to_string()));
    family(
        "aftersales_update_handling_seconds",
        "histogram",
        "Time from an update's arrival to its commit.",
        &histogram,
    );
    text
}

/// Each check by name: `Ok` or what is wrong.
pub type Checks = Vec<(&'static str, Result<String, String>)>;

/// The health checks from what was read: the store (or why it could not
/// be read), the time since the bot last heard from Telegram (`None`: not on Telegram).
pub fn checks(store: &Result<Gauges, String>, since_polled: Option<Duration>, settings: &Settings) -> Checks {
    let database = match store {
        Ok(_) => Ok("ok".to_owned()),
        Err(error) => Err(error.clone()),
    };
    let polling = match since_polled {
        None => Ok("not polling".to_owned()),
        Some(since) if since > settings.poll_stale.0 => Err(format!(
            "nothing heard from telegram (getUpdates, the webhook) for {}s (ops.poll_stale is {}s)",
            since.as_secs(),
            settings.poll_stale.0.as_secs()
        )),
        Some(_) => Ok("ok".to_owned()),
    };
    let outbox = match store.as_ref().map(|gauges| gauges.oldest_pending) {
        Ok(Some(waited)) if waited > settings.outbox_stuck.0 => Err(format!(
            "a reply has been due for {}s (ops.outbox_stuck is {}s)",
            waited.as_secs(),
            settings.outbox_stuck.0.as_secs()
        )),
        Ok(_) => Ok("ok".to_owned()),
        Err(_) => Err("the database is unreachable".to_owned()),
    };
    vec![("database", database), ("polling", polling), ("outbox", outbox)]
}

#[cfg(test)]
mod tests;
