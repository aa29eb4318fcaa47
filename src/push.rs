//! The push endpoint: the shop's systems POST parcel scans and warehouse
//! inspections here instead of waiting for the tracker to poll. Every body
//! is signed with the shared secret; the desk applies the event through a
//! [`Handler`], which also recognises events it has already seen.
//!
//! Requests carry `X-Aftersales-Signature: sha256=<hex>`, the lowercase hex
//! HMAC-SHA256 of the raw body under `[push] secret`.
//!
//! `POST /events/tracking` — a scan of a return parcel:
//!
//! ```json
//! {"event_id":"trk-1","tracking_no":"SF1234567890123","carrier":"sf","status":"picked_up",
//!  "at":"2026-11-23T10:00:00+08:00","detail":"已揽收"}
//! ```
//!
//! `carrier` and `detail` are optional; `status` is one of `picked_up`,
//! `in_transit`, `delivered`, `exception`; `at` is RFC 3339 with an offset.
//!
//! `POST /events/warehouse` — the inspection of a returned parcel, naming
//! either the case or the parcel's tracking number:
//!
//! ```json
//! {"event_id":"wh-1","case":"AS-1001","result":"passed"}
//! {"event_id":"wh-2","tracking_no":"SF1234567890123","result":"failed","reason":"the item is worn"}
//! ```
//!
//! `reason` is required when `result` is `failed`; the customer is told it.
//!
//! `event_id` (1 to 200 characters) is the sender's id for the event: a
//! repeat is acknowledged as a duplicate and not applied twice, so senders
//! may retry freely. Answers are JSON: 200 `{"ok":true,"duplicate":false}`;
//! otherwise `{"ok":false,"error":"…"}` with 401 (bad or missing
//! signature), 400 (malformed or invalid body), 404 (no such case or
//! parcel), 413 (body too large) or 500 (not stored; retry later).
//! `GET /health` answers 200 `ok`.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::parcel::Inspection;

use crate::parcel::Scan;

use crate::parcel::ParcelStatus;

/// The header that carries the body's signature.
pub const SIGNATURE_HEADER: &str = "X-Aftersales-Signature";

/// The `[push]` settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The address to listen on, such as "127.0.0.1:8787"; unset, there is no endpoint.
    pub listen: Option<String>,
    /// The shared secret bodies are signed with.
    pub secret: String,
    /// Larger bodies are refused with 413.
    pub max_body: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { listen: None, secret: String::new(), max_body: 65536 }
    }
}

impl Settings {
    /// Mistakes in the settings, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(listen) = &self.listen {
            if listen.parse::<SocketAddr>().is_err() {
                problems.push(format!("push.listen: {listen:?} is not an address such as \"127.0.0.1:8787\""));
            }
            if self.secret.is_empty() {
                problems.push("push.secret: set a secret when push.listen is set".to_owned());
            }
        }
        if self.max_body == 0 {
            problems.push("push.max_body: must be more than 0".to_owned());
        }
        problems
    }
}

/// `"sha256="` and the lowercase hex HMAC-SHA256 of `body` under `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = new_mac(secret);
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut signature = String::with_capacity(7 + 2 * digest.len());
    signature.push_str("sha256=");
    for byte in digest {
        signature.push_str(&format!("{byte:02x}"));
    }
    signature
}

/// Whether `header_value` is `body`'s signature under `secret`, compared in
/// constant time so that a forger learns nothing from the timing.
pub fn verify(secret: &str, body: &[u8], header_value: &str) -> bool {
    let Some(hex) = header_value.trim().strip_prefix("sha256=") else { return false };
    let Some(expected) = decode_hex(hex) else { return false };
    let mut mac = new_mac(secret);
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// One event pushed by the shop's systems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushEvent {
    Tracking { event_id: String, tracking_no: String, carrier: Option<String>, scan: Scan },
    Warehouse { event_id: String, target: Target, inspection: Inspection },
}

/// What a warehouse event is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Case(String),
    TrackingNo(String),
}

impl std::fmt::Display for Target {
    /// Plain words for the endpoint's answers (the caller reads them).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Case(id) => write!(f, "case {id}"),
            Target::TrackingNo(number) => write!(f, "tracking number {number}"),
        }
    }
}

impl PushEvent {
    pub fn event_id(&self) -> &str {
        match self {
            PushEvent::Tracking { event_id, .. } | PushEvent::Warehouse { event_id, .. } => event_id,
        }
    }
}

/// Applies pushed events; the desk implements it.
pub trait Handler: Clone + Send + Sync + 'static {
    fn handle(&self, event: PushEvent) -> impl Future<Output = Result<Accepted, Rejected>> + Send;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepted {
    Applied,
    /// The event id was seen before; nothing changed.
    Duplicate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejected {
    /// No such case or parcel (404).
    Unknown(String),
    /// The event could not be stored (500); the sender retries.
    Failed(String),
}

/// Serves the endpoint on `listener` until `shutdown` turns true (or its
/// sender is dropped), then finishes the requests in flight.
pub async fn serve<H: Handler>(
    listener: tokio::net::TcpListener,
    settings: Settings,
    handler: H,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()> {
    if settings.secret.is_empty() {
        // With an empty key anyone could sign; refuse to start rather than accept forgeries.
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "push.secret is empty"));
    }
    let address = listener.local_addr()?;
    let endpoint = Endpoint { secret: settings.secret.into(), handler };
    let router = Router::new()
        .route("/events/tracking", post(receive::<H, TrackingWire>))
        .route("/events/warehouse", post(receive::<H, WarehouseWire>))
        .route("/health", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(settings.max_body))
        .with_state(endpoint);
    tracing::info!(%address, "push endpoint listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            // An error means the sender is gone, which also means stop.
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await?;
    tracing::info!(%address, "push endpoint stopped");
    Ok(())
}

#[derive(Clone)]
struct Endpoint<H> {
    secret: std::sync::Arc<str>,
    handler: H,
}

/// A body as sent, before validation.
trait Wire: for<'de> Deserialize<'de> {
    fn validate(self) -> Result<PushEvent, String>;
}

#[derive(Deserialize)]
#[serde(expecting = "a tracking event object")]
struct TrackingWire {
    event_id: String,
    tracking_no: String,
    carrier: Option<String>,
    status: String,
    at: String,
    detail: Option<String>,
}

#[derive(Deserialize)]
#[serde(expecting = "a warehouse event object")]
struct WarehouseWire {
    event_id: String,
    case: Option<String>,
    tracking_no: Option<String>,
    result: String,
    reason: Option<String>,
}

impl Wire for TrackingWire {
    fn validate(self) -> Result<PushEvent, String> {
        let event_id = check_event_id(self.event_id)?;
        let tracking_no = self.tracking_no.trim().to_owned();
        if tracking_no.is_empty() {
            return Err("tracking_no must not be empty".to_owned());
        }
        let status = ParcelStatus::from_code(&self.status).ok_or_else(|| {
            let valid: Vec<&str> = ParcelStatus::ALL.iter().map(|status| status.code()).collect();
            format!("unknown status {:?}: expected one of {}", self.status, valid.join(", "))
        })?;
        let at = DateTime::parse_from_rfc3339(&self.at)
            .map_err(|_| {
                format!(
                    "at: {:?} is not an RFC 3339 time with an offset such as \"2026-11-23T10:00:00+08:00\"",
                    self.at
                )
            })?
            .with_timezone(&Utc);
        let carrier = self.carrier.map(|carrier| carrier.trim().to_owned()).filter(|carrier| !carrier.is_empty());
        let scan = Scan { status, at, detail: self.detail.unwrap_or_default() };
        Ok(PushEvent::Tracking { event_id, tracking_no, carrier, scan })
    }
}

impl Wire for WarehouseWire {
    fn validate(self) -> Result<PushEvent, String> {
        let event_id = check_event_id(self.event_id)?;
        let present = |text: Option<String>| text.map(|text| text.trim().to_owned()).filter(|text| !text.is_empty());
        let target = match (present(self.case), present(self.tracking_no)) {
            (Some(case), None) => Target::Case(case),
            (None, Some(tracking_no)) => Target::TrackingNo(tracking_no),
            (Some(_), Some(_)) => return Err("give either case or tracking_no, not both".to_owned()),
            (None, None) => return Err("give one of case or tracking_no".to_owned()),
        };
        let inspection = match self.result.as_str() {
            "passed" => Inspection::Passed,
            "failed" => match present(self.reason) {
                Some(reason) => Inspection::Failed(reason),
                None => return Err("reason is required when result is \"failed\"".to_owned()),
            },
            other => return Err(format!("unknown result {other:?}: expected one of passed, failed")),
        };
        Ok(PushEvent::Warehouse { event_id, target, inspection })
    }
}

fn check_event_id(event_id: String) -> Result<String, String> {
    if event_id.trim().is_empty() {
        return Err("event_id must not be empty".to_owned());
    }
    if event_id.chars().count() > 200 {
        return Err("event_id must be at most 200 characters".to_owned());
    }
    Ok(event_id)
}

async fn receive<H: Handler, W: Wire>(
    State(endpoint): State<Endpoint<H>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            tracing::warn!("push refused: body too large");
            return failure(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
        }
        Err(rejection) => {
            tracing::warn!(error = %rejection, "push refused: body unreadable");
            return failure(StatusCode::BAD_REQUEST, &rejection.body_text());
        }
    };
    // The signature is checked on the raw bytes first, so unauthenticated
    // senders never reach the JSON parser.
    let signed = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| verify(&endpoint.secret, &body, value));
    if !signed {
        tracing::warn!("push refused: bad or missing signature");
        return failure(StatusCode::UNAUTHORIZED, "bad or missing signature");
    }
    let event = match serde_json::from_slice::<W>(&body) {
        Ok(wire) => wire.validate(),
        Err(error) => Err(format!("invalid JSON: {error}")),
    };
    let event = match event {
        Ok(event) => event,
        Err(message) => {
            tracing::warn!(%message, "push refused: invalid event");
            return failure(StatusCode::BAD_REQUEST, &message);
        }
    };
    let event_id = event.event_id().to_owned();
    match endpoint.handler.handle(event).await {
        Ok(accepted) => {
            let duplicate = accepted == Accepted::Duplicate;
            tracing::info!(%event_id, duplicate, "push event accepted");
            (StatusCode::OK, axum::Json(serde_json::json!({"ok": true, "duplicate": duplicate}))).into_response()
        }
        Err(Rejected::Unknown(message)) => {
            tracing::warn!(%event_id, %message, "push event for an unknown case or parcel");
            failure(StatusCode::NOT_FOUND, &message)
        }
        Err(Rejected::Failed(message)) => {
            tracing::error!(%event_id, %message, "push event not stored");
            failure(StatusCode::INTERNAL_SERVER_ERROR, &message)
        }
    }
}

fn failure(status: StatusCode, error: &str) -> Response {
    (status, axum::Json(serde_json::json!({"ok": false, "error": error}))).into_response()
}

fn new_mac(secret: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this never fails.
    <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length")
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    let digit = |byte: u8| (byte as char).to_digit(16);
    hex.as_bytes().chunks(2).map(|pair| u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use chrono::TimeZone;
    use tokio::sync::watch;

    use super::*;

    const SECRET: &str = "s3cret";

    /// Records events and answers as the desk would: a repeated id is a
    /// duplicate, case "AS-404" does not exist, case "AS-500" fails to store.
    #[derive(Clone, Default)]
    struct Recorder {
        events: Arc<Mutex<Vec<PushEvent>>>,
    }

    impl Recorder {
        fn events(&self) -> Vec<PushEvent> {
            self.events.lock().expect("recorder lock").clone()
        }
    }

    impl Handler for Recorder {
        async fn handle(&self, event: PushEvent) -> Result<Accepted, Rejected> {
            if let PushEvent::Warehouse { target: Target::Case(case), .. } = &event {
                match case.as_str() {
                    "AS-404" => return Err(Rejected::Unknown(format!("no case {case}"))),
                    "AS-500" => return Err(Rejected::Failed("database is locked".to_owned())),
                    _ => {}
                }
            }
            let mut events = self.events.lock().expect("recorder lock");
            if events.iter().any(|seen| seen.event_id() == event.event_id()) {
                return Ok(Accepted::Duplicate);
            }
            events.push(event);
            Ok(Accepted::Applied)
        }
    }

    struct Running {
        base: String,
        recorder: Recorder,
        client: reqwest::Client,
        stop: watch::Sender<bool>,
        server: tokio::task::JoinHandle<std::io::Result<()>>,
    }

    async fn spawn_endpoint() -> Running {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let settings = Settings { listen: None, secret: SECRET.to_owned(), max_body: 1024 };
        let recorder = Recorder::default();
        let (stop, shutdown) = watch::channel(false);
        let server = tokio::spawn(serve(listener, settings, recorder.clone(), shutdown));
        Running { base, recorder, client: reqwest::Client::new(), stop, server }
    }

    impl Running {
        async fn post(&self, path: &str, body: &str, signature: Option<String>) -> (u16, serde_json::Value) {
            let mut request = self.client.post(format!("{}{path}", self.base)).body(body.to_owned());
            if let Some(signature) = signature {
                request = request.header(SIGNATURE_HEADER, signature);
            }
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            (status, response.json().await.expect("JSON answer"))
        }

        async fn post_signed(&self, path: &str, body: &str) -> (u16, serde_json::Value) {
            self.post(path, body, Some(sign(SECRET, body.as_bytes()))).await
        }
    }

    const TRACKING: &str = r#"{"event_id":"trk-1","tracking_no":"SF1234567890123","carrier":"sf","status":"picked_up","at":"2026-11-23T10:00:00+08:00","detail":"已揽收"}"#;

    fn ok(duplicate: bool) -> serde_json::Value {
        serde_json::json!({"ok": true, "duplicate": duplicate})
    }

    fn error(message: &str) -> serde_json::Value {
        serde_json::json!({"ok": false, "error": message})
    }

    #[test]
    fn signatures_follow_rfc_4231_test_case_2() {
        let body = b"what do ya want for nothing?";
        let expected = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(sign("Jefe", body), expected);
        assert!(verify("Jefe", body, expected));
        assert!(verify("Jefe", body, &expected.to_uppercase().replace("SHA256=", "sha256=")));
        assert!(!verify("Jefe", b"what do ya want for something?", expected));
        assert!(!verify("jefe", body, expected));
        assert!(!verify("Jefe", body, expected.trim_start_matches("sha256=")));
        assert!(!verify("Jefe", body, "sha256=5bdc"));
        assert!(!verify("Jefe", body, "sha256=zz"));
        assert!(!verify("Jefe", body, ""));
    }

    #[test]
    fn settings_problems_name_their_key() {
        assert!(Settings::default().problems().is_empty());
        let bad = Settings { listen: Some("localhost".to_owned()), secret: String::new(), max_body: 0 };
        let problems = bad.problems().join("; ");
        assert!(problems.contains("push.listen: \"localhost\""), "{problems}");
        assert!(problems.contains("push.secret"), "{problems}");
        assert!(problems.contains("push.max_body"), "{problems}");
        let good = Settings { listen: Some("127.0.0.1:8787".to_owned()), secret: "x".to_owned(), max_body: 10 };
        assert!(good.problems().is_empty());
    }

    #[test]
    fn settings_read_from_toml_over_defaults() {
        let settings: Settings = toml::from_str("listen = \"0.0.0.0:8787\"\nsecret = \"abc\"").expect("settings");
        assert_eq!(settings.listen.as_deref(), Some("0.0.0.0:8787"));
        assert_eq!(settings.max_body, 65536);
        assert!(toml::from_str::<Settings>("secrets = \"abc\"").is_err());
    }

    #[tokio::test]
    async fn a_signed_tracking_event_is_parsed_and_applied_once() {
        let app = spawn_endpoint().await;
        assert_eq!(app.post_signed("/events/tracking", TRACKING).await, (200, ok(false)));
        let expected = PushEvent::Tracking {
            event_id: "trk-1".to_owned(),
            tracking_no: "SF1234567890123".to_owned(),
            carrier: Some("sf".to_owned()),
            scan: Scan {
                status: ParcelStatus::PickedUp,
                at: Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).single().expect("time"),
                detail: "已揽收".to_owned(),
            },
        };
        assert_eq!(app.recorder.events(), vec![expected]);

        assert_eq!(app.post_signed("/events/tracking", TRACKING).await, (200, ok(true)));
        assert_eq!(app.recorder.events().len(), 1);
    }

    #[tokio::test]
    async fn carrier_and_detail_are_optional() {
        let app = spawn_endpoint().await;
        let body = r#"{"event_id":"trk-2","tracking_no":"YT1","status":"delivered","at":"2026-11-24T08:30:00Z"}"#;
        assert_eq!(app.post_signed("/events/tracking", body).await, (200, ok(false)));
        let events = app.recorder.events();
        let [PushEvent::Tracking { carrier: None, scan, .. }] = events.as_slice() else { panic!("{events:?}") };
        assert_eq!(scan.status, ParcelStatus::Delivered);
        assert_eq!(scan.detail, "");
    }

    #[tokio::test]
    async fn unsigned_or_wrongly_signed_bodies_are_refused_before_the_handler() {
        let app = spawn_endpoint().await;
        let unauthorized = (401, error("bad or missing signature"));
        let wrong_key = Some(sign("other secret", TRACKING.as_bytes()));
        assert_eq!(app.post("/events/tracking", TRACKING, wrong_key).await, unauthorized);
        assert_eq!(app.post("/events/tracking", TRACKING, None).await, unauthorized);
        let tampered = TRACKING.replace("picked_up", "delivered");
        let signature = Some(sign(SECRET, TRACKING.as_bytes()));
        assert_eq!(app.post("/events/tracking", &tampered, signature).await, unauthorized);
        // Not even a malformed body is parsed without a signature.
        assert_eq!(app.post("/events/tracking", "{", Some("sha256=00".to_owned())).await, unauthorized);
        assert!(app.recorder.events().is_empty());
    }

    #[tokio::test]
    async fn invalid_events_are_refused_with_the_reason() {
        let app = spawn_endpoint().await;
        let table = [
            (
                "/events/tracking",
                r#"{"event_id":"a","tracking_no":"SF1","status":"lost","at":"2026-11-23T10:00:00+08:00"}"#,
                "unknown status \"lost\": expected one of picked_up, in_transit, delivered, exception",
            ),
            (
                "/events/tracking",
                r#"{"event_id":"a","tracking_no":"SF1","status":"delivered","at":"2026-11-23 10:00:00"}"#,
                "at: \"2026-11-23 10:00:00\" is not an RFC 3339 time with an offset such as \"2026-11-23T10:00:00+08:00\"",
            ),
            (
                "/events/tracking",
                r#"{"event_id":"","tracking_no":"SF1","status":"delivered","at":"2026-11-23T10:00:00Z"}"#,
                "event_id must not be empty",
            ),
            (
                "/events/tracking",
                r#"{"event_id":"a","tracking_no":" ","status":"delivered","at":"2026-11-23T10:00:00Z"}"#,
                "tracking_no must not be empty",
            ),
            (
                "/events/warehouse",
                r#"{"event_id":"a","case":"AS-1","result":"failed"}"#,
                "reason is required when result is \"failed\"",
            ),
            (
                "/events/warehouse",
                r#"{"event_id":"a","case":"AS-1","tracking_no":"SF1","result":"passed"}"#,
                "give either case or tracking_no, not both",
            ),
            ("/events/warehouse", r#"{"event_id":"a","result":"passed"}"#, "give one of case or tracking_no"),
            (
                "/events/warehouse",
                r#"{"event_id":"a","case":"AS-1","result":"ok"}"#,
                "unknown result \"ok\": expected one of passed, failed",
            ),
        ];
        for (path, body, message) in table {
            assert_eq!(app.post_signed(path, body).await, (400, error(message)), "{body}");
        }
        let long_id = format!(r#"{{"event_id":"{}","case":"AS-1","result":"passed"}}"#, "x".repeat(201));
        let answer = app.post_signed("/events/warehouse", &long_id).await;
        assert_eq!(answer, (400, error("event_id must be at most 200 characters")));
        let just_fits = format!(r#"{{"event_id":"{}","case":"AS-1","result":"passed"}}"#, "单".repeat(200));
        assert_eq!(app.post_signed("/events/warehouse", &just_fits).await, (200, ok(false)));

        let (_, answer) = app.post_signed("/events/tracking", "7").await;
        let expected = "invalid JSON: invalid type: integer `7`, expected a tracking event object at line 1 column 1";
        assert_eq!(answer, error(expected));
        for body in ["{", r#"{"event_id":"a","tracking_no":"SF1","at":"2026-11-23T10:00:00Z"}"#] {
            let (status, answer) = app.post_signed("/events/tracking", body).await;
            assert_eq!(status, 400, "{body}");
            let message = answer["error"].as_str().expect("error message");
            assert!(message.starts_with("invalid JSON: "), "{message}");
        }
        let (_, answer) = app.post_signed("/events/tracking", r#"{"event_id":"a"}"#).await;
        assert!(answer["error"].as_str().is_some_and(|message| message.contains("missing field")), "{answer}");
        assert_eq!(app.recorder.events().len(), 1);
    }

    #[tokio::test]
    async fn warehouse_inspections_name_a_case_or_a_parcel() {
        let app = spawn_endpoint().await;
        let passed = r#"{"event_id":"wh-1","case":"AS-1001","result":"passed"}"#;
        let failed =
            r#"{"event_id":"wh-2","tracking_no":"SF1234567890123","result":"failed","reason":"the item is worn"}"#;
        assert_eq!(app.post_signed("/events/warehouse", passed).await, (200, ok(false)));
        assert_eq!(app.post_signed("/events/warehouse", failed).await, (200, ok(false)));
        let expected = vec![
            PushEvent::Warehouse {
                event_id: "wh-1".to_owned(),
                target: Target::Case("AS-1001".to_owned()),
                inspection: Inspection::Passed,
            },
            PushEvent::Warehouse {
                event_id: "wh-2".to_owned(),
                target: Target::TrackingNo("SF1234567890123".to_owned()),
                inspection: Inspection::Failed("the item is worn".to_owned()),
            },
        ];
        assert_eq!(app.recorder.events(), expected);
    }

    #[tokio::test]
    async fn the_handlers_refusals_become_404_and_500() {
        let app = spawn_endpoint().await;
        let unknown = r#"{"event_id":"wh-3","case":"AS-404","result":"passed"}"#;
        assert_eq!(app.post_signed("/events/warehouse", unknown).await, (404, error("no case AS-404")));
        let failing = r#"{"event_id":"wh-4","case":"AS-500","result":"passed"}"#;
        assert_eq!(app.post_signed("/events/warehouse", failing).await, (500, error("database is locked")));
    }

    #[tokio::test]
    async fn an_oversized_body_is_refused_with_413() {
        let app = spawn_endpoint().await;
        let body = format!(r#"{{"event_id":"wh-5","case":"AS-1","result":"failed","reason":"{}"}}"#, "x".repeat(2000));
        assert_eq!(app.post_signed("/events/warehouse", &body).await, (413, error("body too large")));
        assert!(app.recorder.events().is_empty());
    }

    #[tokio::test]
    async fn health_answers_ok_and_shutdown_stops_the_server() {
        let app = spawn_endpoint().await;
        let response = app.client.get(format!("{}/health", app.base)).send().await.expect("health");
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.text().await.expect("body"), "ok");
        app.stop.send(true).expect("stop");
        let stopped = tokio::time::timeout(std::time::Duration::from_secs(5), app.server).await;
        assert!(matches!(stopped, Ok(Ok(Ok(())))), "{stopped:?}");
    }

    #[tokio::test]
    async fn an_empty_secret_refuses_to_serve() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (_stop, shutdown) = watch::channel(false);
        let result = serve(listener, Settings::default(), Recorder::default(), shutdown).await;
        assert!(result.is_err());
    }
}
