#![allow(dead_code)]
//! Fakes of the services around the bot, for end-to-end tests of follow-ups:
//! a parcel-tracking aggregator ([`FakeTracker`]), the shop's refund webhook
//! ([`FakeRefunds`]), a client for the bot's own push endpoint ([`Push`]) and
//! the clock the bot reads ([`TestClock`]).
//!
//! Include it with
//! `#[path = "../support/fake_services.rs"] mod fake_services;`.
//!
//! The servers are axum apps bound on `127.0.0.1:0`, spawned on the tokio
//! runtime that starts them; each stops when its last handle is dropped.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};

/// The header that carries `sha256=<hex HMAC-SHA256(secret, body)>`, both on
/// what the bot sends to the shop and on what the shop pushes to the bot.
pub const SIGNATURE_HEADER: &str = "X-Aftersales-Signature";
/// The header that makes a refund request safe to repeat.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// The environment variable naming the bot's clock file (see [`TestClock`]).
pub const CLOCK_ENV: &str = "AFTERSALES_CLOCK_FILE";

/// `sha256=` and the lowercase hex HMAC-SHA256 of `body` under `secret`: the
/// value of [`SIGNATURE_HEADER`].
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256={hex}")
}

/// Aborts a fake's server task when the last handle goes.
struct ServerGuard(tokio::task::AbortHandle);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn serve(app: Router, name: &str) -> (SocketAddr, Arc<ServerGuard>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{name}: bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{name}: local_addr: {e}"));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, Arc::new(ServerGuard(task.abort_handle())))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test that panicked while holding the lock must not hide the state.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

// ---------------------------------------------------------------------------
// Tracking
// ---------------------------------------------------------------------------

#[derive(Default)]
struct TrackerState {
    scans: HashMap<String, Vec<Value>>,
    polls: Vec<(String, String)>,
    fail_next: usize,
}

/// Stands for a carrier aggregator's tracking API (one URL for every carrier,
/// as 17TRACK or Kuaidi100 offer): `GET /track?carrier=…&number=…` answers
/// `{"events":[{"status":…,"time":…,"detail":…}, …]}` — the fields the bot
/// maps by default. An unknown number has no events yet; a request without
/// `number` gets 400. Cheap to clone.
#[derive(Clone)]
pub struct FakeTracker {
    state: Arc<Mutex<TrackerState>>,
    addr: SocketAddr,
    _guard: Arc<ServerGuard>,
}

#[derive(serde::Deserialize)]
struct TrackQuery {
    carrier: Option<String>,
    number: Option<String>,
}

async fn track(State(state): State<Arc<Mutex<TrackerState>>>, Query(query): Query<TrackQuery>) -> Response {
    let mut state = lock(&state);
    let number = query.number.unwrap_or_default();
    state.polls.push((query.carrier.unwrap_or_default(), number.clone()));
    if state.fail_next > 0 {
        state.fail_next -= 1;
        return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({"error": "injected failure"}))).into_response();
    }
    if number.is_empty() {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": "number is required"}))).into_response();
    }
    let events = state.scans.get(&number).cloned().unwrap_or_default();
    axum::Json(json!({ "events": events })).into_response()
}

impl FakeTracker {
    /// Starts the server on 127.0.0.1:0 on the current tokio runtime.
    pub async fn start() -> FakeTracker {
        let state = Arc::new(Mutex::new(TrackerState::default()));
        let app = Router::new().route("/track", get(track)).with_state(state.clone());
        let (addr, guard) = serve(app, "fake tracker").await;
        FakeTracker { state, addr, _guard: guard }
    }

    /// The URL template for the bot's settings:
    /// `http://127.0.0.1:PORT/track?carrier={carrier}&number={number}`.
    pub fn url_template(&self) -> String {
        format!("http://{}/track?carrier={{carrier}}&number={{number}}", self.addr)
    }

    /// What every poll for `number` returns from now on: the whole list of
    /// scans so far, e.g.
    /// `json!({"status":"picked_up","time":"2026-11-23T10:00:00+08:00","detail":"…"})`.
    pub fn set_scans(&self, number: &str, scans: Vec<Value>) {
        lock(&self.state).scans.insert(number.to_owned(), scans);
    }

    /// Makes the next `n` requests (for any number) answer 500.
    pub fn fail_next(&self, n: usize) {
        lock(&self.state).fail_next = n;
    }

    /// Requests so far, failed ones included.
    pub fn polls(&self) -> usize {
        lock(&self.state).polls.len()
    }

    /// Requests for `number` so far, failed ones included.
    pub fn polls_for(&self, number: &str) -> usize {
        lock(&self.state).polls.iter().filter(|(_, polled)| polled == number).count()
    }

    /// The `(carrier, number)` of every request so far, in order.
    pub fn poll_log(&self) -> Vec<(String, String)> {
        lock(&self.state).polls.clone()
    }
}

// ---------------------------------------------------------------------------
// Refunds
// ---------------------------------------------------------------------------

/// One POST the refund webhook received.
#[derive(Clone, Debug, PartialEq)]
pub struct RefundCall {
    /// The `Idempotency-Key` header, if sent.
    pub idempotency_key: Option<String>,
    /// The `X-Aftersales-Signature` header, if sent.
    pub signature: Option<String>,
    /// The body as JSON (`Value::Null` if it was not JSON).
    pub body: Value,
    /// The body exactly as received, to check the signature against.
    pub raw: Vec<u8>,
    /// What the fake answered.
    pub status: u16,
    /// The reference it answered with (200 only).
    pub reference: Option<String>,
}

impl RefundCall {
    /// Whether the signature is `sha256=<HMAC-SHA256(secret, raw body)>`.
    pub fn signed_with(&self, secret: &[u8]) -> bool {
        self.signature.as_deref() == Some(sign(secret, &self.raw).as_str())
    }
}

#[derive(Default)]
struct RefundState {
    calls: Vec<RefundCall>,
    references: HashMap<String, String>,
    issued: usize,
    fail_next: usize,
}

/// Stands for the shop's refund webhook, behind which a payment system pays
/// the money back: `POST /refunds` with a JSON body, an `Idempotency-Key` and
/// the bot's signature answers 200 `{"reference":"RF-<n>"}`. Like a real
/// payment system it refunds once per key: a repeated key gets 200 with the
/// first reference (the body of a repeat is not compared). A call that failed
/// refunded nothing, so its key stays unused. A request without a key, or
/// whose body is not JSON, gets 400. Every POST is recorded, in order.
/// Cheap to clone.
#[derive(Clone)]
pub struct FakeRefunds {
    state: Arc<Mutex<RefundState>>,
    addr: SocketAddr,
    _guard: Arc<ServerGuard>,
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

async fn refund(State(state): State<Arc<Mutex<RefundState>>>, headers: HeaderMap, raw: Bytes) -> Response {
    let mut state = lock(&state);
    let key = header(&headers, IDEMPOTENCY_HEADER);
    let parsed: Option<Value> = serde_json::from_slice(&raw).ok();
    let (status, answer, reference) = if state.fail_next > 0 {
        state.fail_next -= 1;
        (StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "injected failure"}), None)
    } else if parsed.is_none() {
        (StatusCode::BAD_REQUEST, json!({"error": "the body is not JSON"}), None)
    } else if let Some(key) = key.clone().filter(|key| !key.is_empty()) {
        let reference = match state.references.get(&key) {
            Some(reference) => reference.clone(),
            None => {
                state.issued += 1;
                let reference = format!("RF-{}", state.issued);
                state.references.insert(key, reference.clone());
                reference
            }
        };
        (StatusCode::OK, json!({ "reference": reference }), Some(reference))
    } else {
        (StatusCode::BAD_REQUEST, json!({"error": "Idempotency-Key is required"}), None)
    };
    state.calls.push(RefundCall {
        idempotency_key: key,
        signature: header(&headers, SIGNATURE_HEADER),
        body: parsed.unwrap_or(Value::Null),
        raw: raw.to_vec(),
        status: status.as_u16(),
        reference,
    });
    (status, axum::Json(answer)).into_response()
}

impl FakeRefunds {
    /// Starts the server on 127.0.0.1:0 on the current tokio runtime.
    pub async fn start() -> FakeRefunds {
        let state = Arc::new(Mutex::new(RefundState::default()));
        let app = Router::new().route("/refunds", post(refund)).with_state(state.clone());
        let (addr, guard) = serve(app, "fake refunds").await;
        FakeRefunds { state, addr, _guard: guard }
    }

    /// The webhook's URL: `http://127.0.0.1:PORT/refunds`.
    pub fn url(&self) -> String {
        format!("http://{}/refunds", self.addr)
    }

    /// Every POST so far, in order, failed ones included.
    pub fn calls(&self) -> Vec<RefundCall> {
        lock(&self.state).calls.clone()
    }

    /// The idempotency keys sent so far, each once, in the order first seen.
    pub fn distinct_keys(&self) -> Vec<String> {
        let state = lock(&self.state);
        let mut keys: Vec<String> = Vec::new();
        for key in state.calls.iter().filter_map(|call| call.idempotency_key.as_ref()) {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        keys
    }

    /// Makes the next `n` POSTs answer 500 (and refund nothing).
    pub fn fail_next(&self, n: usize) {
        lock(&self.state).fail_next = n;
    }
}

// ---------------------------------------------------------------------------
// Push
// ---------------------------------------------------------------------------

/// Stands for the shop's systems calling the bot's push endpoint (a shipment
/// scanned, a refund settled): JSON POSTs signed with the shared secret in
/// `X-Aftersales-Signature: sha256=<hex HMAC-SHA256(secret, body)>`.
#[derive(Clone)]
pub struct Push {
    base_url: String,
    secret: Vec<u8>,
    client: reqwest::Client,
}

impl Push {
    /// A client for the endpoint at `base_url` (e.g. `http://127.0.0.1:PORT`).
    pub fn new(base_url: &str, secret: &str) -> Push {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("reqwest client");
        Push { base_url: base_url.trim_end_matches('/').to_owned(), secret: secret.as_bytes().to_vec(), client }
    }

    /// POSTs `body` to `path`, signed; the status and the answer as JSON
    /// (a string if it was not JSON, null if empty).
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_bytes(path, &serde_json::to_vec(body).expect("JSON")).await
    }

    /// POSTs exactly these bytes, signed.
    pub async fn post_bytes(&self, path: &str, body: &[u8]) -> (u16, Value) {
        let signature = sign(&self.secret, body);
        self.send(path, body, Some(&signature)).await
    }

    /// POSTs `body` with this signature header instead of the right one.
    pub async fn post_signed_as(&self, path: &str, body: &Value, signature: &str) -> (u16, Value) {
        self.send(path, &serde_json::to_vec(body).expect("JSON"), Some(signature)).await
    }

    /// POSTs `body` without a signature.
    pub async fn post_unsigned(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(path, &serde_json::to_vec(body).expect("JSON"), None).await
    }

    async fn send(&self, path: &str, body: &[u8], signature: Option<&str>) -> (u16, Value) {
        let url = format!("{}/{}", self.base_url, path.trim_start_matches('/'));
        let mut request =
            self.client.post(&url).header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("push to {url}: {e}"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_else(|e| panic!("push to {url}: reading the answer: {e}"));
        let answer =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, answer)
    }
}

// ---------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------

/// Stands for the passing of days: the bot adds the signed number of seconds
/// in the file named by `AFTERSALES_CLOCK_FILE` ([`CLOCK_ENV`]) to the real
/// time (a missing or empty file means 0). Writes are atomic (a temporary
/// file, then a rename), so the bot never reads half a number.
pub struct TestClock {
    path: PathBuf,
    // Serialises read-modify-write in this process.
    write: Mutex<()>,
}

impl TestClock {
    /// Creates `dir/clock` holding offset 0.
    pub fn new(dir: &Path) -> TestClock {
        let clock = TestClock { path: dir.join("clock"), write: Mutex::new(()) };
        clock.set_offset(0);
        clock
    }

    /// The file to pass in `AFTERSALES_CLOCK_FILE`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The offset in seconds now stored (0 if the file is missing or empty).
    pub fn offset(&self) -> i64 {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return 0,
            Err(error) => panic!("read {}: {error}", self.path.display()),
        };
        let text = text.trim();
        if text.is_empty() {
            return 0;
        }
        text.parse().unwrap_or_else(|e| panic!("{}: {text:?} is not a number of seconds: {e}", self.path.display()))
    }

    /// Moves the clock on by `by`, which must be whole seconds.
    pub fn advance(&self, by: Duration) {
        assert_eq!(by.subsec_nanos(), 0, "the clock file holds whole seconds, not {by:?}");
        let by = i64::try_from(by.as_secs()).expect("a sane duration");
        let _write = lock(&self.write);
        self.store(self.offset() + by);
    }

    /// Sets the offset from the real time, in seconds (negative: the past).
    pub fn set_offset(&self, seconds: i64) {
        let _write = lock(&self.write);
        self.store(seconds);
    }

    /// The time the bot sees: the real time plus the offset.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + TimeDelta::seconds(self.offset())
    }

    fn store(&self, seconds: i64) {
        let temp = self.path.with_extension("tmp");
        std::fs::write(&temp, format!("{seconds}\n")).unwrap_or_else(|e| panic!("write {}: {e}", temp.display()));
        std::fs::rename(&temp, &self.path).unwrap_or_else(|e| panic!("rename to {}: {e}", self.path.display()));
    }
}
