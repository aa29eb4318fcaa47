//! Issuing refunds through the shop's own system. In `manual` mode (the
//! default) a person refunds by hand and marks the case; in `webhook` mode
//! [`WebhookRefunds`] POSTs each refund to `[refunds] url`:
//!
//! ```json
//! {"idempotency_key":"refund-AS-1001","case":"AS-1001","order":"E20261123001",
//!  "amount":"268.00","amount_minor":26800,"currency":"CNY"}
//! ```
//!
//! with `Idempotency-Key: <idempotency_key>` and, when `secret` is set,
//! `X-Aftersales-Signature: sha256=<hex>` as for the push endpoint. The key
//! is stable per case, so the shop's system must refund once per key however
//! often it is called. Answers: 2xx issued (an optional JSON `"reference"`
//! is kept); 409 issued before under this key; 408, 429 and 5xx are retried;
//! any other 4xx is a refusal, with the JSON `"error"` or the body as reason.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::money::Money;
use crate::push::{SIGNATURE_HEADER, sign};
use crate::setting::Span;

/// How refunds are issued.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A person refunds in the shop's back office.
    #[default]
    Manual,
    /// The bot calls the shop's system.
    Webhook,
}

/// The `[refunds]` settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub mode: Mode,
    pub url: String,
    /// When set, bodies are signed with it in `X-Aftersales-Signature`.
    pub secret: String,
    pub timeout: Span,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: Mode::Manual,
            url: String::new(),
            secret: String::new(),
            timeout: Span(Duration::from_secs(10)),
        }
    }
}

impl Settings {
    /// Mistakes in the settings, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.mode == Mode::Webhook {
            if self.url.is_empty() {
                problems.push("refunds.url: set the shop's refund URL when refunds.mode is \"webhook\"".to_owned());
            } else if reqwest::Url::parse(&self.url).map_or(true, |url| !matches!(url.scheme(), "http" | "https")) {
                problems.push(format!("refunds.url: {:?} is not an http:// or https:// URL", self.url));
            }
        }
        if self.timeout.0.is_zero() {
            problems.push("refunds.timeout: must be longer than 0s".to_owned());
        }
        problems
    }
}

/// One refund to issue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRequest {
    /// Stable per case, so that a retry never refunds twice.
    pub key: String,
    pub case: String,
    pub order: String,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundOutcome {
    /// Refunded, with the shop system's reference if it gave one.
    Issued { reference: Option<String> },
    /// The shop's system said no, and why.
    Refused(String),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    /// Not known to be issued or refused; try again with the same key.
    #[error("refund not confirmed: {0}")]
    Transient(String),
}

/// Issues refunds by calling the shop's system.
#[derive(Clone, Debug)]
pub struct WebhookRefunds {
    client: reqwest::Client,
    url: reqwest::Url,
    secret: String,
}

/// Reasons longer than this are cut, as they end up in chat messages and logs.
const MAX_REASON_CHARS: usize = 300;

impl WebhookRefunds {
    pub fn new(settings: &Settings) -> Result<WebhookRefunds, RefundError> {
        let url = reqwest::Url::parse(&settings.url)
            .map_err(|error| RefundError::Transient(format!("refunds.url {:?}: {error}", settings.url)))?;
        let client = reqwest::Client::builder()
            .timeout(settings.timeout.0)
            // A redirected POST may turn into a GET; better to see the 3xx.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| RefundError::Transient(format!("cannot build the HTTP client: {error}")))?;
        Ok(WebhookRefunds { client, url, secret: settings.secret.clone() })
    }

    pub async fn issue(&self, request: &RefundRequest) -> Result<RefundOutcome, RefundError> {
        let body = serde_json::json!({
            "idempotency_key": request.key,
            "case": request.case,
            "order": request.order,
            "amount": major_units(request.amount),
            "amount_minor": request.amount.minor,
            "currency": request.amount.currency.as_str(),
        })
        .to_string();
        let mut call = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", &request.key);
        if !self.secret.is_empty() {
            call = call.header(SIGNATURE_HEADER, sign(&self.secret, body.as_bytes()));
        }
        // without_url: the URL may carry a token, and errors end up in logs.
        let network = |error: reqwest::Error| RefundError::Transient(error.without_url().to_string());
        let response = call.body(body).send().await.map_err(network)?;
        let status = response.status();
        let text = response.text().await.map_err(network)?;
        let answer: Option<Value> = serde_json::from_str(&text).ok();
        let field = |name: &str| {
            answer.as_ref().and_then(|answer| match answer.get(name)? {
                Value::String(text) => Some(text.trim().to_owned()).filter(|text| !text.is_empty()),
                Value::Number(number) => Some(number.to_string()),
                _ => None,
            })
        };
        let outcome = match status.as_u16() {
            200..=299 => RefundOutcome::Issued { reference: field("reference") },
            // The shop's system has already issued a refund under this key.
            409 => RefundOutcome::Issued { reference: field("reference") },
            408 | 429 => return Err(RefundError::Transient(format!("the shop's system answered {status}"))),
            400..=499 => {
                let reason = field("error").unwrap_or_else(|| text.trim().to_owned());
                let reason = match reason.is_empty() {
                    true => status.to_string(),
                    false => reason.chars().take(MAX_REASON_CHARS).collect(),
                };
                RefundOutcome::Refused(reason)
            }
            _ => return Err(RefundError::Transient(format!("the shop's system answered {status}"))),
        };
        tracing::info!(case = %request.case, key = %request.key, ?outcome, "refund webhook answered");
        Ok(outcome)
    }
}

/// "268.00" for 26800 minor units.
fn major_units(amount: Money) -> String {
    let sign = if amount.minor < 0 { "-" } else { "" };
    let minor = amount.minor.unsigned_abs();
    format!("{sign}{}.{:02}", minor / 100, minor % 100)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::body::Bytes;
    use axum::http::{HeaderMap, StatusCode, Uri};
    use axum::response::IntoResponse;

    use super::*;
    use crate::money::Currency;
    use crate::push::verify;

    type Seen = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

    /// The shop's system on loopback; the path picks the answer.
    async fn spawn_shop() -> (String, Seen) {
        let seen = Seen::default();
        let recorded = seen.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let recorded = recorded.clone();
            async move {
                recorded.lock().expect("seen lock").push((headers, body));
                match uri.path() {
                    "/ok" => (StatusCode::CREATED, r#"{"reference":"RF-778"}"#).into_response(),
                    "/ok-bare" => StatusCode::NO_CONTENT.into_response(),
                    "/again" => (StatusCode::CONFLICT, r#"{"reference":"RF-777"}"#).into_response(),
                    "/refuse" => {
                        (StatusCode::UNPROCESSABLE_ENTITY, r#"{"error":" order already refunded "}"#).into_response()
                    }
                    "/refuse-text" => (StatusCode::BAD_REQUEST, "x".repeat(500)).into_response(),
                    "/refuse-empty" => StatusCode::FORBIDDEN.into_response(),
                    "/busy" => StatusCode::TOO_MANY_REQUESTS.into_response(),
                    "/down" => StatusCode::BAD_GATEWAY.into_response(),
                    "/moved" => StatusCode::MOVED_PERMANENTLY.into_response(),
                    "/slow" => {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        StatusCode::OK.into_response()
                    }
                    _ => StatusCode::NOT_FOUND.into_response(),
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (base, seen)
    }

    fn request() -> RefundRequest {
        RefundRequest {
            key: "refund-AS-1001".to_owned(),
            case: "AS-1001".to_owned(),
            order: "E20261123001".to_owned(),
            amount: Money::new(26800, Currency::CNY),
        }
    }

    async fn issue_at(url: String, secret: &str, timeout: Duration) -> Result<RefundOutcome, RefundError> {
        let settings = Settings { mode: Mode::Webhook, url, secret: secret.to_owned(), timeout: Span(timeout) };
        WebhookRefunds::new(&settings).expect("refunds").issue(&request()).await
    }

    #[tokio::test]
    async fn the_webhook_gets_the_documented_body_headers_and_signature() {
        let (base, seen) = spawn_shop().await;
        let outcome = issue_at(format!("{base}/ok"), "s3cret", Duration::from_secs(5)).await;
        assert_eq!(outcome, Ok(RefundOutcome::Issued { reference: Some("RF-778".to_owned()) }));

        let seen = seen.lock().expect("seen lock");
        let [(headers, body)] = seen.as_slice() else { panic!("one request, got {}", seen.len()) };
        let sent: Value = serde_json::from_slice(body).expect("JSON body");
        let expected = serde_json::json!({
            "idempotency_key": "refund-AS-1001", "case": "AS-1001", "order": "E20261123001",
            "amount": "268.00", "amount_minor": 26800, "currency": "CNY",
        });
        assert_eq!(sent, expected);
        let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default();
        assert_eq!(header("idempotency-key"), "refund-AS-1001");
        assert_eq!(header("content-type"), "application/json");
        assert!(verify("s3cret", body, header("x-aftersales-signature")));
    }

    #[tokio::test]
    async fn without_a_secret_the_body_goes_unsigned() {
        let (base, seen) = spawn_shop().await;
        let outcome = issue_at(format!("{base}/ok-bare"), "", Duration::from_secs(5)).await;
        assert_eq!(outcome, Ok(RefundOutcome::Issued { reference: None }));
        assert!(seen.lock().expect("seen lock")[0].0.get(SIGNATURE_HEADER).is_none());
    }

    #[tokio::test]
    async fn a_conflict_means_issued_before_under_this_key() {
        let (base, _) = spawn_shop().await;
        let outcome = issue_at(format!("{base}/again"), "", Duration::from_secs(5)).await;
        assert_eq!(outcome, Ok(RefundOutcome::Issued { reference: Some("RF-777".to_owned()) }));
    }

    #[tokio::test]
    async fn client_errors_are_refusals_with_the_shops_reason() {
        let (base, _) = spawn_shop().await;
        let table = [
            ("/refuse", "order already refunded".to_owned()),
            ("/refuse-text", "x".repeat(300)),
            ("/refuse-empty", "403 Forbidden".to_owned()),
            ("/nowhere", "404 Not Found".to_owned()),
        ];
        for (path, reason) in table {
            let outcome = issue_at(format!("{base}{path}"), "", Duration::from_secs(5)).await;
            assert_eq!(outcome, Ok(RefundOutcome::Refused(reason)), "{path}");
        }
    }

    #[tokio::test]
    async fn server_trouble_and_timeouts_are_transient() {
        let (base, _) = spawn_shop().await;
        for path in ["/busy", "/down", "/moved"] {
            let outcome = issue_at(format!("{base}{path}"), "", Duration::from_secs(5)).await;
            assert!(matches!(outcome, Err(RefundError::Transient(_))), "{path}: {outcome:?}");
        }
        let outcome = issue_at(format!("{base}/slow"), "", Duration::from_millis(200)).await;
        assert!(matches!(outcome, Err(RefundError::Transient(_))), "{outcome:?}");
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let nobody = format!("http://{}/ok", closed.local_addr().expect("address"));
        drop(closed);
        let outcome = issue_at(nobody, "", Duration::from_secs(5)).await;
        assert!(matches!(outcome, Err(RefundError::Transient(_))), "{outcome:?}");
    }

    #[test]
    fn settings_problems_name_their_key() {
        assert!(Settings::default().problems().is_empty());
        let webhook = Settings { mode: Mode::Webhook, ..Settings::default() };
        assert_eq!(webhook.problems(), ["refunds.url: set the shop's refund URL when refunds.mode is \"webhook\""]);
        let relative = Settings { url: "/refund".into(), ..webhook.clone() };
        assert_eq!(relative.problems(), ["refunds.url: \"/refund\" is not an http:// or https:// URL"]);
        let good = Settings { url: "https://shop.example/refunds".into(), ..webhook };
        assert!(good.problems().is_empty());
    }

    #[test]
    fn settings_read_from_toml_over_defaults() {
        let settings: Settings = toml::from_str("mode = \"webhook\"\nurl = \"https://shop.example/r\"").expect("toml");
        assert_eq!(settings.mode, Mode::Webhook);
        assert_eq!(settings.timeout, Span(Duration::from_secs(10)));
        assert_eq!(toml::from_str::<Settings>("").expect("empty").mode, Mode::Manual);
        assert!(toml::from_str::<Settings>("mode = \"Webhook\"").is_err());
    }

    #[test]
    fn amounts_are_written_in_major_units() {
        assert_eq!(major_units(Money::new(26800, Currency::CNY)), "268.00");
        assert_eq!(major_units(Money::new(5, Currency::CNY)), "0.05");
        assert_eq!(major_units(Money::new(-1999, Currency::CNY)), "-19.99");
    }
}
