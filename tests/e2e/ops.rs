//! The operator's side: `/metrics` and `/health` on `[ops] listen` while a
//! customer is served, and log lines a collector can read.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::fake_telegram::{CONFLICT, Failure, FakeTelegram};
use crate::helpers::{Customer, Shop, TEST_CONFIG, WAIT, binary, free_port};

/// One scrape: each sample's value by its name with labels, as written.
fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    let mut samples = BTreeMap::new();
    for line in text.lines().filter(|line| !line.is_empty() && !line.starts_with('#')) {
        let (name, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {line:?}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number: {line:?}"));
        samples.insert(name.to_owned(), value);
    }
    samples
}

pub(crate) struct Ops {
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
}

impl Ops {
    pub(crate) async fn get(&self, path: &str) -> Option<(u16, String)> {
        let response = self.client.get(format!("{}{path}", self.base)).send().await.ok()?;
        let status = response.status().as_u16();
        Some((status, response.text().await.ok()?))
    }

    async fn metrics(&self) -> BTreeMap<String, f64> {
        let (status, text) = self.get("/metrics").await.expect("/metrics answers");
        assert_eq!(status, 200, "{text}");
        parse_metrics(&text)
    }

    /// Waits until `/health` answers `status`; its body.
    pub(crate) async fn health_becomes(&self, status: u16) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        let mut last = None;
        while tokio::time::Instant::now() < deadline {
            if let Some((answered, body)) = self.get("/health").await {
                if answered == status {
                    return serde_json::from_str(&body).expect("a JSON body");
                }
                last = Some((answered, body));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("/health did not answer {status}; last: {last:?}");
    }
}

#[tokio::test]
async fn metrics_count_a_customers_case_and_health_fails_when_polling_stops() {
    let port = free_port();
    let fake = FakeTelegram::start().await;
    let shop =
        Shop::with_config(&format!("{TEST_CONFIG}\n[ops]\nlisten = \"127.0.0.1:{port}\"\npoll_stale = \"3s\"\n"));
    let _bot = shop.serve(&fake);
    let ops = Ops { base: format!("http://127.0.0.1:{port}"), client: reqwest::Client::new() };
    let healthy = ops.health_becomes(200).await;
    assert_eq!(healthy["status"], "ok", "{healthy}");
    assert_eq!(healthy["checks"]["database"], "ok", "{healthy}");

    let bob = Customer::new(&fake, 601, "Bob", Some("en"));
    let opened = bob.opens_approved_return("DEMO-1005", None).await;
    assert!(opened.text.contains("AS-1001"), "{}", opened.text);
    let updates = shop.count("SELECT COUNT(*) FROM processed_updates").await;

    let metrics = ops.metrics().await;
    let value = |name: &str| metrics.get(name).copied().unwrap_or_else(|| panic!("no {name} in {metrics:#?}"));
    assert!(value("aftersales_updates_handled_total") >= updates as f64, "{metrics:#?}");
    assert!(value("aftersales_replies_sent_total") >= 1.0, "{metrics:#?}");
    assert_eq!(value("aftersales_telegram_throttled_total"), 0.0);
    assert_eq!(value("aftersales_cases_opened_total{outcome=\"return_refund\"}"), 1.0);
    for gauge in ["aftersales_outbox_pending", "aftersales_outbox_oldest_pending_seconds", "aftersales_jobs_due"] {
        assert!(value(gauge) >= 0.0, "{gauge}");
    }
    let count = value("aftersales_update_handling_seconds_count");
    assert_eq!(value("aftersales_update_handling_seconds_bucket{le=\"+Inf\"}"), count);
    assert_eq!(count, value("aftersales_updates_handled_total"));
    assert!(value("aftersales_update_handling_seconds_sum") > 0.0);
    let mut bounds: Vec<(f64, f64)> = metrics
        .iter()
        .filter_map(|(name, count)| {
            let bound = name.strip_prefix("aftersales_update_handling_seconds_bucket{le=\"")?.strip_suffix("\"}")?;
            Some((if bound == "+Inf" { f64::INFINITY } else { bound.parse().ok()? }, *count))
        })
        .collect();
    bounds.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(bounds.len() > 5, "{metrics:#?}");
    assert!(bounds.windows(2).all(|pair| pair[0].1 <= pair[1].1), "cumulative: {bounds:?}");

    // Another instance polling the same bot: every getUpdates fails from now on.
    fake.fail_next("getUpdates", Failure::Api(409, CONFLICT.to_owned()), 1000);
    let failing = ops.health_becomes(503).await;
    assert_eq!(failing["status"], "failing", "{failing}");
    assert_eq!(failing["failing"], serde_json::json!(["polling"]), "{failing}");
    let why = failing["checks"]["polling"].as_str().unwrap_or_default();
    assert!(why.contains("nothing heard from telegram"), "{failing}");
}

/// The log lines `serve` writes to its file until it polls, with this extra environment.
async fn serve_logs(shop: &Shop, fake: &FakeTelegram, env: &[(&str, &Path)]) -> String {
    let log = shop.path().join("serve.log");
    let before = std::fs::read(&log).map(|bytes| bytes.len()).unwrap_or(0);
    let polls = fake.calls_to("getUpdates").len();
    let mut bot = shop.serve_with(fake, "aftersales=debug,warn", env);
    assert!(fake.wait_until(|fake| fake.calls_to("getUpdates").len() > polls, WAIT).await, "the bot polls");
    bot.kill();
    let bytes = std::fs::read(&log).expect("serve.log");
    String::from_utf8(bytes[before..].to_vec()).expect("utf-8 logs")
}

#[tokio::test]
async fn logs_into_a_file_have_no_colour_codes_and_json_lines_parse() {
    let fake = FakeTelegram::start().await;
    let shop = Shop::new();
    let text = serve_logs(&shop, &fake, &[]).await;
    assert!(text.contains("connected to telegram"), "{text}");
    assert!(!text.contains('\u{1b}'), "no ANSI escape codes when stderr is a file: {text:?}");

    let json = serve_logs(&shop, &fake, &[("AFTERSALES_LOG_FORMAT", Path::new("json"))]).await;
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: not JSON: {line:?}")))
        .collect();
    let connected = lines.iter().find(|line| line["fields"]["message"] == "connected to telegram");
    let connected = connected.unwrap_or_else(|| panic!("no connection logged: {json}"));
    assert_eq!(connected["level"], "INFO", "{connected}");
    assert!(connected["timestamp"].is_string(), "{connected}");
}

#[test]
fn a_bad_ops_address_is_refused_by_the_config_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("shop.toml");
    std::fs::write(&config, "[ops]\nlisten = \"localhost\"\n").expect("write config");
    let output = Command::new(binary())
        .args(["policy", "check", "--config"])
        .arg(&config)
        .env_remove("AFTERSALES_CONFIG")
        .output()
        .expect("run policy check");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ops.listen: \"localhost\" is not an address"), "{stderr}");
}
