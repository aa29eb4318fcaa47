//! Where return parcels' scans come from when the shop does not push them:
//! the [`Tracker`] interface, and [`HttpTracker`], a generic JSON client
//! pointed at the shop's carrier aggregator and told by `[tracker]` where
//! the scans, statuses and times sit in its answers.
//!
//! ```toml
//! [tracker]
//! url = "https://api.example.com/track?com={carrier}&num={number}"
//! headers = { Authorization = "Bearer …" }
//! fields = { events = "data.traces", status = "state", time = "ftime", detail = "context" }
//! statuses = { "1" = "picked_up", "5" = "in_transit", "3" = "delivered" }
//! carrier_codes = { sf = "shunfeng" }
//! ```

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::Value;

use crate::parcel::ParcelStatus;
use crate::parcel::Scan;
use crate::parcel::TrackingNo;
use crate::setting::Span;

/// Looks up a parcel's scans.
pub trait Tracker {
    /// The parcel's scans, oldest first.
    fn scans(&self, parcel: &TrackingNo) -> impl Future<Output = Result<Vec<Scan>, TrackerError>> + Send;
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrackerError {
    /// Network trouble, a timeout, 5xx or 429: try again later, backing off.
    #[error("tracker unavailable: {0}")]
    Transient(String),
    /// A 4xx, or an answer that does not fit the configured fields: retrying
    /// will not help until the settings or the parcel change.
    #[error("tracker answer unusable: {0}")]
    Permanent(String),
}

impl TrackerError {
    pub fn is_transient(&self) -> bool {
        matches!(self, TrackerError::Transient(_))
    }
}

/// The `[tracker]` settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The aggregator's URL with `{carrier}` and `{number}` placeholders; empty, nothing is polled.
    pub url: String,
    /// Sent with every request, e.g. an API key.
    pub headers: BTreeMap<String, String>,
    /// How often an open return parcel is looked up.
    pub poll_every: Span,
    pub timeout: Span,
    pub fields: Fields,
    /// The provider's status values to ours; empty, the provider already uses ours.
    pub statuses: BTreeMap<String, String>,
    /// Our carrier codes to the provider's (sf = "shunfeng"); a carrier not listed keeps our code.
    pub carrier_codes: BTreeMap<String, String>,
}

/// Where the scans sit in the provider's answer, as dot paths ("data.traces";
/// a numeric segment indexes an array, as in "data.0.list").
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fields {
    /// The array of scans in the body; empty, the body is the array.
    pub events: String,
    /// Within a scan: its status (a string or a number).
    pub status: String,
    /// Within a scan: RFC 3339, "YYYY-MM-DD HH:MM:SS" in the shop's time zone, or unix seconds.
    pub time: String,
    /// Within a scan: the carrier's words; may be absent.
    pub detail: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            url: String::new(),
            headers: BTreeMap::new(),
            poll_every: Span(Duration::from_secs(2 * 3600)),
            timeout: Span(Duration::from_secs(10)),
            fields: Fields::default(),
            statuses: BTreeMap::new(),
            carrier_codes: BTreeMap::new(),
        }
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields { events: "events".into(), status: "status".into(), time: "time".into(), detail: "detail".into() }
    }
}

impl Settings {
    /// Mistakes in the settings, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.url.is_empty() {
            if !self.url.contains("{number}") {
                problems.push("tracker.url: must contain {number}, where the tracking number goes".to_owned());
            }
            if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
                problems.push(format!("tracker.url: {:?} must start with http:// or https://", self.url));
            }
            if self.poll_every.0.is_zero() {
                problems.push("tracker.poll_every: must be longer than 0s".to_owned());
            }
        }
        if self.timeout.0.is_zero() {
            problems.push("tracker.timeout: must be longer than 0s".to_owned());
        }
        for (name, value) in &self.headers {
            if HeaderName::from_bytes(name.as_bytes()).is_err() {
                problems.push(format!("tracker.headers: {name:?} is not a valid header name"));
            } else if HeaderValue::from_str(value).is_err() {
                problems.push(format!("tracker.headers.{name}: the value is not a valid header value"));
            }
        }
        for (provider, ours) in &self.statuses {
            if ParcelStatus::from_code(ours).is_none() {
                problems.push(format!("tracker.statuses.{provider}: {ours:?} is not one of {}", status_codes()));
            }
        }
        for (key, path) in [("status", &self.fields.status), ("time", &self.fields.time)] {
            if path.is_empty() {
                problems.push(format!("tracker.fields.{key}: must not be empty"));
            }
        }
        problems
    }
}

/// Looks parcels up with one HTTP GET each at the configured aggregator.
#[derive(Clone, Debug)]
pub struct HttpTracker {
    client: reqwest::Client,
    url: String,
    fields: Fields,
    /// Empty: the provider's values are our codes.
    statuses: BTreeMap<String, ParcelStatus>,
    carrier_codes: BTreeMap<String, String>,
    /// Times without an offset are read in the shop's zone.
    zone: Tz,
}

impl HttpTracker {
    pub fn new(settings: &Settings, zone: Tz) -> Result<HttpTracker, TrackerError> {
        if settings.url.is_empty() {
            return Err(TrackerError::Permanent("tracker.url is empty, so there is nothing to ask".to_owned()));
        }
        let problems = settings.problems();
        if !problems.is_empty() {
            return Err(TrackerError::Permanent(problems.join("; ")));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &settings.headers {
            // Checked by problems() above.
            let name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|error| TrackerError::Permanent(error.to_string()))?;
            let mut value = HeaderValue::from_str(value).map_err(|error| TrackerError::Permanent(error.to_string()))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        let client = reqwest::Client::builder()
            .timeout(settings.timeout.0)
            .default_headers(headers)
            .build()
            .map_err(|error| TrackerError::Permanent(format!("cannot build the HTTP client: {error}")))?;
        let statuses = settings
            .statuses
            .iter()
            .filter_map(|(provider, ours)| Some((provider.clone(), ParcelStatus::from_code(ours)?)))
            .collect();
        Ok(HttpTracker {
            client,
            url: settings.url.clone(),
            fields: settings.fields.clone(),
            statuses,
            carrier_codes: settings.carrier_codes.clone(),
            zone,
        })
    }

    fn url_for(&self, parcel: &TrackingNo) -> String {
        let carrier = self.carrier_codes.get(&parcel.carrier).unwrap_or(&parcel.carrier);
        // Encoded values hold no braces, so the second replacement cannot hit the first's output.
        let encode = |text: &str| utf8_percent_encode(text, NOT_UNRESERVED).to_string();
        self.url.replace("{carrier}", &encode(carrier)).replace("{number}", &encode(&parcel.number))
    }

    fn status(&self, value: &str) -> Option<ParcelStatus> {
        match self.statuses.is_empty() {
            true => ParcelStatus::from_code(value),
            false => self.statuses.get(value).copied(),
        }
    }

    /// The scans in a parsed answer, or why it does not fit the fields.
    fn read(&self, body: &Value) -> Result<Vec<Scan>, String> {
        let events_path = &self.fields.events;
        let events = lookup(body, events_path).ok_or_else(|| format!("the answer has no {events_path:?}"))?;
        let events = events.as_array().ok_or_else(|| format!("{events_path:?} is not an array"))?;
        let mut scans = Vec::with_capacity(events.len());
        for (index, event) in events.iter().enumerate() {
            let field = |path: &str| lookup(event, path).filter(|value| !value.is_null());
            let status =
                field(&self.fields.status).ok_or_else(|| format!("scan {index} has no {:?}", self.fields.status))?;
            let status_text = match status {
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                other => return Err(format!("scan {index}: status {other} is neither a string nor a number")),
            };
            let Some(status) = self.status(&status_text) else {
                tracing::debug!(status = %status_text, "tracker: skipping a scan with a status not in tracker.statuses");
                continue;
            };
            let time = field(&self.fields.time).ok_or_else(|| format!("scan {index} has no {:?}", self.fields.time))?;
            let at = parse_time(time, self.zone).map_err(|message| format!("scan {index}: {message}"))?;
            let detail = match field(&self.fields.detail) {
                None => String::new(),
                Some(Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
            };
            scans.push(Scan { status, at, detail });
        }
        scans.sort_by_key(|scan| scan.at);
        Ok(scans)
    }
}

impl Tracker for HttpTracker {
    async fn scans(&self, parcel: &TrackingNo) -> Result<Vec<Scan>, TrackerError> {
        let url = self.url_for(parcel);
        // without_url: the URL may carry an API key, and errors end up in logs.
        let network = |error: reqwest::Error| TrackerError::Transient(error.without_url().to_string());
        let response = self.client.get(&url).send().await.map_err(network)?;
        let status = response.status();
        if !status.is_success() {
            let message = format!("the aggregator answered {status} for {}", parcel.number);
            return Err(match status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
                true => TrackerError::Transient(message),
                false => TrackerError::Permanent(message),
            });
        }
        let body = response.bytes().await.map_err(network)?;
        let body: Value = serde_json::from_slice(&body)
            .map_err(|error| TrackerError::Permanent(format!("the answer is not JSON: {error}")))?;
        let scans = self.read(&body).map_err(TrackerError::Permanent)?;
        tracing::debug!(parcel = %parcel.number, scans = scans.len(), "tracker: looked up");
        Ok(scans)
    }
}

/// The value at a dot path; "" is the value itself. The path is read as a
/// JSON pointer, its segments escaped so a key may hold "/" or "~".
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let pointer: String = match path {
        "" => String::new(),
        path => path.split('.').map(|segment| format!("/{}", segment.replace('~', "~0").replace('/', "~1"))).collect(),
    };
    value.pointer(&pointer)
}

fn parse_time(value: &Value, zone: Tz) -> Result<DateTime<Utc>, String> {
    match value {
        Value::Number(number) => number
            .as_i64()
            .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
            .ok_or_else(|| format!("time {number} is not a number of unix seconds")),
        Value::String(text) => {
            if let Ok(at) = DateTime::parse_from_rfc3339(text) {
                return Ok(at.with_timezone(&Utc));
            }
            let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
                .map_err(|_| format!("time {text:?} is neither RFC 3339, \"YYYY-MM-DD HH:MM:SS\" nor unix seconds"))?;
            // In a repeated hour the earlier reading is taken; a skipped hour has none.
            zone.from_local_datetime(&local)
                .earliest()
                .map(|at| at.with_timezone(&Utc))
                .ok_or_else(|| format!("time {text:?} does not exist in {zone}"))
        }
        other => Err(format!("time {other} is neither a string nor a number")),
    }
}

/// Everything but RFC 3986's unreserved characters is percent-encoded.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn status_codes() -> String {
    ParcelStatus::ALL.iter().map(|status| status.code()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::http::{StatusCode, Uri};
    use axum::response::IntoResponse;

    use super::*;

    /// What the fake aggregator saw: the request's path and query, and its headers.
    type Seen = Arc<Mutex<Vec<(String, axum::http::HeaderMap)>>>;

    const KUAIDI100: &str = r#"{"message":"ok","data":{"traces":[
        {"state":"3","ftime":"2026-11-25 09:00:00","context":"已签收"},
        {"state":"5","ftime":"2026-11-24 08:00:00","context":"运输中"},
        {"state":"0","ftime":"2026-11-23 09:00:00","context":"已下单"},
        {"state":"1","ftime":"2026-11-23 10:00:00","context":"已揽收"}
    ]}}"#;

    /// A carrier aggregator on loopback; the path picks the behaviour.
    async fn spawn_aggregator() -> (String, Seen) {
        let seen = Seen::default();
        let recorded = seen.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, headers: axum::http::HeaderMap| {
            let recorded = recorded.clone();
            async move {
                let path_and_query = uri.path_and_query().map(|pq| pq.to_string()).unwrap_or_default();
                recorded.lock().expect("seen lock").push((path_and_query, headers));
                match uri.path() {
                    "/kd100" => KUAIDI100.into_response(),
                    "/plain" => r#"[
                        {"status":"in_transit","time":1795428000},
                        {"status":"picked_up","time":"2026-11-23T10:00:00+08:00"},
                        {"status":"delivered","time":"2026-11-25 09:00:00","detail":null}
                    ]"#
                    .into_response(),
                    "/numeric" => r#"{"data":[{"list":[
                        {"code":1,"at":"2026-11-23T02:00:00Z","note":42},
                        {"code":99,"at":"2026-11-23T03:00:00Z"},
                        {"code":3,"at":"2026-11-24T02:00:00Z"}
                    ]}]}"#
                        .into_response(),
                    "/down" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                    "/busy" => StatusCode::TOO_MANY_REQUESTS.into_response(),
                    "/slow" => {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        KUAIDI100.into_response()
                    }
                    "/garbage" => "<html>maintenance</html>".into_response(),
                    "/odd" => r#"{"data":{"traces":[{"state":"1","ftime":"yesterday"}]}}"#.into_response(),
                    _ => StatusCode::NOT_FOUND.into_response(),
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (base, seen)
    }

    fn kuaidi100(base: &str) -> Settings {
        Settings {
            url: format!("{base}/kd100?com={{carrier}}&num={{number}}"),
            headers: BTreeMap::from([("X-Api-Key".to_owned(), "k-123".to_owned())]),
            fields: Fields {
                events: "data.traces".into(),
                status: "state".into(),
                time: "ftime".into(),
                detail: "context".into(),
            },
            statuses: [("1", "picked_up"), ("5", "in_transit"), ("3", "delivered")]
                .into_iter()
                .map(|(provider, ours)| (provider.to_owned(), ours.to_owned()))
                .collect(),
            carrier_codes: BTreeMap::from([("sf".to_owned(), "shunfeng".to_owned())]),
            ..Settings::default()
        }
    }

    fn parcel(carrier: &str, number: &str) -> TrackingNo {
        TrackingNo { carrier: carrier.to_owned(), number: number.to_owned() }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("test time").with_timezone(&Utc)
    }

    fn scan(status: ParcelStatus, at: &str, detail: &str) -> Scan {
        Scan { status, at: utc(at), detail: detail.to_owned() }
    }

    async fn scans_at(base: &str, path: &str, timeout: Duration) -> Result<Vec<Scan>, TrackerError> {
        let settings =
            Settings { url: format!("{base}{path}?n={{number}}"), timeout: Span(timeout), ..kuaidi100(base) };
        let tracker = HttpTracker::new(&settings, chrono_tz::Asia::Shanghai).expect("tracker");
        tracker.scans(&parcel("sf", "SF1")).await
    }

    #[tokio::test]
    async fn a_kuaidi100_like_answer_becomes_scans_in_time_order() {
        let (base, seen) = spawn_aggregator().await;
        let tracker = HttpTracker::new(&kuaidi100(&base), chrono_tz::Asia::Shanghai).expect("tracker");
        let scans = tracker.scans(&parcel("sf", "SF 12/3+4")).await.expect("scans");
        // The scan in state "0" is not in the mapping, so it is skipped.
        let expected = vec![
            scan(ParcelStatus::PickedUp, "2026-11-23T10:00:00+08:00", "已揽收"),
            scan(ParcelStatus::InTransit, "2026-11-24T08:00:00+08:00", "运输中"),
            scan(ParcelStatus::Delivered, "2026-11-25T09:00:00+08:00", "已签收"),
        ];
        assert_eq!(scans, expected);

        let seen = seen.lock().expect("seen lock");
        let [(path_and_query, headers)] = seen.as_slice() else { panic!("one request, got {}", seen.len()) };
        assert_eq!(path_and_query, "/kd100?com=shunfeng&num=SF%2012%2F3%2B4");
        assert_eq!(headers.get("x-api-key").and_then(|value| value.to_str().ok()), Some("k-123"));
    }

    #[tokio::test]
    async fn a_carrier_without_a_provider_code_keeps_ours() {
        let (base, seen) = spawn_aggregator().await;
        let tracker = HttpTracker::new(&kuaidi100(&base), chrono_tz::Asia::Shanghai).expect("tracker");
        tracker.scans(&parcel("yto", "YT9")).await.expect("scans");
        assert_eq!(seen.lock().expect("seen lock")[0].0, "/kd100?com=yto&num=YT9");
    }

    #[tokio::test]
    async fn times_may_be_rfc_3339_local_or_unix_seconds() {
        let (base, _) = spawn_aggregator().await;
        let settings = Settings { url: format!("{base}/plain?n={{number}}"), ..Settings::default() };
        let settings = Settings { fields: Fields { events: String::new(), ..Fields::default() }, ..settings };
        let tracker = HttpTracker::new(&settings, chrono_tz::Asia::Shanghai).expect("tracker");
        let scans = tracker.scans(&parcel("sf", "SF1")).await.expect("scans");
        let expected = vec![
            scan(ParcelStatus::PickedUp, "2026-11-23T10:00:00+08:00", ""),
            scan(ParcelStatus::InTransit, "2026-11-23T10:00:00Z", ""),
            scan(ParcelStatus::Delivered, "2026-11-25T09:00:00+08:00", ""),
        ];
        assert_eq!(scans, expected);
    }

    #[tokio::test]
    async fn numeric_statuses_compare_as_text_and_paths_index_arrays() {
        let (base, _) = spawn_aggregator().await;
        let settings = Settings {
            url: format!("{base}/numeric?n={{number}}"),
            fields: Fields {
                events: "data.0.list".into(),
                status: "code".into(),
                time: "at".into(),
                detail: "note".into(),
            },
            statuses: BTreeMap::from([
                ("1".to_owned(), "picked_up".to_owned()),
                ("3".to_owned(), "delivered".to_owned()),
            ]),
            ..Settings::default()
        };
        let tracker = HttpTracker::new(&settings, chrono_tz::Asia::Shanghai).expect("tracker");
        let scans = tracker.scans(&parcel("sf", "SF1")).await.expect("scans");
        let expected = vec![
            scan(ParcelStatus::PickedUp, "2026-11-23T02:00:00Z", "42"),
            scan(ParcelStatus::Delivered, "2026-11-24T02:00:00Z", ""),
        ];
        assert_eq!(scans, expected);
    }

    #[tokio::test]
    async fn server_trouble_and_timeouts_are_transient() {
        let (base, _) = spawn_aggregator().await;
        for path in ["/down", "/busy"] {
            let error = scans_at(&base, path, Duration::from_secs(5)).await.expect_err(path);
            assert!(error.is_transient(), "{path}: {error}");
        }
        let error = scans_at(&base, "/slow", Duration::from_millis(200)).await.expect_err("timeout");
        assert!(error.is_transient(), "{error}");
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let nobody = format!("http://{}", closed.local_addr().expect("address"));
        drop(closed);
        let error = scans_at(&nobody, "/kd100", Duration::from_secs(5)).await.expect_err("refused");
        assert!(error.is_transient(), "{error}");
    }

    #[tokio::test]
    async fn client_errors_and_unreadable_answers_are_permanent() {
        let (base, _) = spawn_aggregator().await;
        let table = [
            ("/nothing-here", "404"),
            ("/garbage", "the answer is not JSON"),
            ("/plain", "the answer has no \"data.traces\""),
            ("/odd", "scan 0: time \"yesterday\" is neither"),
        ];
        for (path, message) in table {
            let error = scans_at(&base, path, Duration::from_secs(5)).await.expect_err(path);
            assert!(!error.is_transient(), "{path}: {error}");
            assert!(error.to_string().contains(message), "{path}: {error}");
        }
    }

    #[test]
    fn settings_problems_name_their_key() {
        assert!(Settings::default().problems().is_empty());
        let bad = Settings {
            url: "ftp://example.com/track".into(),
            headers: BTreeMap::from([("Bad Name".to_owned(), "x".to_owned()), ("X-Key".to_owned(), "a\nb".to_owned())]),
            statuses: BTreeMap::from([("1".to_owned(), "collected".to_owned())]),
            ..Settings::default()
        };
        let problems = bad.problems();
        let expected = [
            "tracker.url: must contain {number}, where the tracking number goes",
            "tracker.url: \"ftp://example.com/track\" must start with http:// or https://",
            "tracker.headers: \"Bad Name\" is not a valid header name",
            "tracker.headers.X-Key: the value is not a valid header value",
            "tracker.statuses.1: \"collected\" is not one of picked_up, in_transit, delivered, exception",
        ];
        assert_eq!(problems, expected);
        let error = HttpTracker::new(&bad, chrono_tz::Asia::Shanghai).expect_err("bad settings");
        assert!(!error.is_transient());
        assert!(HttpTracker::new(&Settings::default(), chrono_tz::Asia::Shanghai).is_err());
    }

    #[test]
    fn settings_read_from_toml_over_defaults() {
        let text = r#"
            url = "https://api.example.com/track?com={carrier}&num={number}"
            timeout = "3s"
            fields = { events = "data.traces", status = "state" }
            statuses = { "1" = "picked_up" }
        "#;
        let settings: Settings = toml::from_str(text).expect("settings");
        assert_eq!(settings.timeout, Span(Duration::from_secs(3)));
        assert_eq!(settings.poll_every, Span(Duration::from_secs(7200)));
        assert_eq!(settings.fields.time, "time");
        assert_eq!(settings.fields.status, "state");
        assert!(settings.problems().is_empty());
        assert!(toml::from_str::<Settings>("fields = { event = \"x\" }").is_err());
    }

    #[test]
    fn dot_paths_walk_objects_and_arrays() {
        let body = serde_json::json!({"data": [{"list": [1, 2]}], "a": {"b": "c"}});
        assert_eq!(lookup(&body, "a.b"), Some(&serde_json::json!("c")));
        assert_eq!(lookup(&body, "data.0.list.1"), Some(&serde_json::json!(2)));
        assert_eq!(lookup(&body, ""), Some(&body));
        assert_eq!(lookup(&body, "data.1"), None);
        assert_eq!(lookup(&body, "data.x"), None);
        assert_eq!(lookup(&body, "a.b.c"), None);
    }

    #[test]
    fn keys_holding_a_slash_or_tilde_are_read_as_written() {
        let body = serde_json::json!({"a/b": {"~c": 1}});
        assert_eq!(lookup(&body, "a/b.~c"), Some(&serde_json::json!(1)));
    }
}
