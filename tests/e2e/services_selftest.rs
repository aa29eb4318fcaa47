//! Tests of the fake services themselves (tests/support/fake_services.rs).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::fake_services::{FakeRefunds, FakeTracker, Push, SIGNATURE_HEADER, TestClock, sign};

const RFC_4231_KEY: &str = "Jefe";
const RFC_4231_DATA: &[u8] = b"what do ya want for nothing?";
const RFC_4231_MAC: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client")
}

async fn get_json(url: &str) -> (u16, Value) {
    let response = client().get(url).send().await.expect("GET");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON answer"))
}

fn track_url(tracker: &FakeTracker, carrier: &str, number: &str) -> String {
    tracker.url_template().replace("{carrier}", carrier).replace("{number}", number)
}

#[tokio::test]
async fn tracker_serves_scripted_scans() {
    let tracker = FakeTracker::start().await;
    assert!(tracker.url_template().starts_with("http://127.0.0.1:"));
    assert!(tracker.url_template().ends_with("/track?carrier={carrier}&number={number}"));

    let (status, body) = get_json(&track_url(&tracker, "sf", "SF100")).await;
    assert_eq!((status, body), (200, json!({"events": []})), "an unknown number has no events yet");

    let picked = json!({"status": "picked_up", "time": "2026-11-23T10:00:00+08:00", "detail": "Shenzhen hub"});
    tracker.set_scans("SF100", vec![picked.clone()]);
    let (status, body) = get_json(&track_url(&tracker, "sf", "SF100")).await;
    assert_eq!((status, body), (200, json!({"events": [picked.clone()]})));
    // Scripted scans stay until changed; other numbers are not affected.
    let moving = json!({"status": "in_transit", "time": "2026-11-24T08:30:00+08:00", "detail": "Left Shenzhen"});
    tracker.set_scans("SF100", vec![picked.clone(), moving.clone()]);
    for _ in 0..2 {
        let (_, body) = get_json(&track_url(&tracker, "sf", "SF100")).await;
        assert_eq!(body["events"], json!([picked, moving]));
    }
    let (_, other) = get_json(&track_url(&tracker, "yto", "YT9")).await;
    assert_eq!(other, json!({"events": []}));

    assert_eq!((tracker.polls(), tracker.polls_for("SF100"), tracker.polls_for("YT9")), (5, 4, 1));
    assert_eq!(tracker.poll_log().last(), Some(&("yto".to_owned(), "YT9".to_owned())));
}

#[tokio::test]
async fn tracker_fails_when_told() {
    let tracker = FakeTracker::start().await;
    tracker.set_scans("SF1", vec![json!({"status": "delivered", "time": "2026-11-25T12:00:00+08:00", "detail": "x"})]);
    tracker.fail_next(2);
    let url = track_url(&tracker, "sf", "SF1");
    assert_eq!(get_json(&url).await.0, 500);
    assert_eq!(get_json(&url).await.0, 500);
    let (status, body) = get_json(&url).await;
    assert_eq!((status, body["events"][0]["status"].as_str()), (200, Some("delivered")));
    assert_eq!((tracker.polls(), tracker.polls_for("SF1")), (3, 3), "failed polls count too");

    let without_number = tracker.url_template().split('?').next().expect("path").to_owned();
    assert_eq!(get_json(&without_number).await.0, 400);
}

async fn refund(refunds: &FakeRefunds, key: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = client().post(refunds.url()).json(body).header(SIGNATURE_HEADER, "sha256=00");
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.expect("POST");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON answer"))
}

#[tokio::test]
async fn refunds_pay_once_per_idempotency_key() {
    let refunds = FakeRefunds::start().await;
    assert!(refunds.url().starts_with("http://127.0.0.1:") && refunds.url().ends_with("/refunds"));
    let first = json!({"case": "AS-1001", "amount_minor": 12900, "currency": "CNY"});
    let second = json!({"case": "AS-1002", "amount_minor": 500, "currency": "CNY"});

    assert_eq!(refund(&refunds, Some("refund:AS-1001"), &first).await, (200, json!({"reference": "RF-1"})));
    assert_eq!(refund(&refunds, Some("refund:AS-1002"), &second).await, (200, json!({"reference": "RF-2"})));
    // A retry with the same key is answered with the first reference.
    assert_eq!(refund(&refunds, Some("refund:AS-1001"), &first).await, (200, json!({"reference": "RF-1"})));

    // Failures refund nothing: the retry after them gets the next reference.
    refunds.fail_next(2);
    let third = json!({"case": "AS-1003", "amount_minor": 100, "currency": "CNY"});
    assert_eq!(refund(&refunds, Some("refund:AS-1003"), &third).await.0, 500);
    assert_eq!(refund(&refunds, Some("refund:AS-1003"), &third).await.0, 500);
    assert_eq!(refund(&refunds, Some("refund:AS-1003"), &third).await, (200, json!({"reference": "RF-3"})));
    // No key: refused.
    assert_eq!(refund(&refunds, None, &third).await.0, 400);

    let calls = refunds.calls();
    assert_eq!(calls.len(), 7);
    assert_eq!(calls.iter().map(|call| call.status).collect::<Vec<_>>(), [200, 200, 200, 500, 500, 200, 400]);
    assert_eq!(calls[0].idempotency_key.as_deref(), Some("refund:AS-1001"));
    assert_eq!(calls[0].signature.as_deref(), Some("sha256=00"));
    assert_eq!(calls[1].body, second);
    assert_eq!(serde_json::from_slice::<Value>(&calls[1].raw).expect("raw JSON"), second);
    assert_eq!(calls[2].reference.as_deref(), Some("RF-1"));
    assert_eq!(calls[3].reference, None);
    assert!(!calls[0].signed_with(b"secret"));
    assert_eq!(refunds.distinct_keys(), ["refund:AS-1001", "refund:AS-1002", "refund:AS-1003"]);
}

type Received = Arc<Mutex<Vec<(Option<String>, Vec<u8>)>>>;

/// A server that records each POST's signature header and body, answering
/// `{"ok":true}`.
async fn recorder() -> (String, Received) {
    async fn record(State(received): State<Received>, headers: HeaderMap, body: Bytes) -> axum::Json<Value> {
        let signature = headers.get(SIGNATURE_HEADER).map(|v| v.to_str().expect("ASCII").to_owned());
        received.lock().expect("lock").push((signature, body.to_vec()));
        axum::Json(json!({"ok": true}))
    }
    let received: Received = Arc::default();
    let app = Router::new().route("/push/{kind}", axum::routing::post(record)).with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/"), received)
}

#[tokio::test]
async fn push_signs_the_exact_body() {
    assert_eq!(sign(RFC_4231_KEY.as_bytes(), RFC_4231_DATA), format!("sha256={RFC_4231_MAC}"));

    let (base, received) = recorder().await;
    let push = Push::new(&base, RFC_4231_KEY);
    assert_eq!(push.post_bytes("/push/raw", RFC_4231_DATA).await, (200, json!({"ok": true})));
    let body = json!({"event": "shipment", "case": "AS-1001", "number": "SF100"});
    assert_eq!(push.post("push/shipment", &body).await.0, 200);
    assert_eq!(push.post_unsigned("/push/shipment", &body).await.0, 200);
    assert_eq!(push.post_signed_as("/push/shipment", &body, "sha256=bad").await.0, 200);
    // Unknown paths come back as they are.
    assert_eq!(push.post("/nowhere", &body).await.0, 404);

    let received = received.lock().expect("lock").clone();
    assert_eq!(received.len(), 4);
    assert_eq!(received[0], (Some(format!("sha256={RFC_4231_MAC}")), RFC_4231_DATA.to_vec()));
    let (signature, bytes) = &received[1];
    assert_eq!(serde_json::from_slice::<Value>(bytes).expect("JSON"), body);
    assert_eq!(signature.as_deref(), Some(sign(b"Jefe", bytes).as_str()));
    assert_eq!(received[2].0, None);
    assert_eq!(received[3].0.as_deref(), Some("sha256=bad"));
}

#[tokio::test]
async fn clock_offset_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = TestClock::new(dir.path());
    assert_eq!(clock.path(), dir.path().join("clock"));
    assert_eq!(std::fs::read_to_string(clock.path()).expect("read"), "0\n");
    assert_eq!(clock.offset(), 0);

    clock.advance(Duration::from_secs(86_400));
    assert_eq!(std::fs::read_to_string(clock.path()).expect("read"), "86400\n");
    clock.advance(Duration::from_secs(3_600));
    assert_eq!(clock.offset(), 90_000);
    let ahead = clock.now() - chrono::Utc::now();
    assert!((ahead - chrono::TimeDelta::seconds(90_000)).abs() < chrono::TimeDelta::seconds(5), "{ahead}");

    clock.set_offset(-30);
    assert_eq!(std::fs::read_to_string(clock.path()).expect("read"), "-30\n");
    assert!(clock.now() < chrono::Utc::now());
    // No temporary file is left behind.
    let files: Vec<_> =
        std::fs::read_dir(dir.path()).expect("dir").map(|entry| entry.expect("entry").file_name()).collect();
    assert_eq!(files, ["clock"]);

    // Missing or empty means no offset.
    std::fs::write(clock.path(), "").expect("write");
    assert_eq!(clock.offset(), 0);
    std::fs::remove_file(clock.path()).expect("remove");
    assert_eq!(clock.offset(), 0);
    clock.advance(Duration::from_secs(60));
    assert_eq!(clock.offset(), 60);
}
